package executor

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func c(v any) Expr { return &Const{V: v} }

func TestCompare(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		a, b any
		want int
		ok   bool
	}{
		{int64(1), int64(2), -1, true},
		{int64(2), 1.5, 1, true},
		{1.0, int64(1), 0, true},
		{"a", "b", -1, true},
		{"B", "a", -1, true}, // byte-wise, case-sensitive
		{"10", int64(9), 1, true},
		{"x", int64(9), 1, true}, // textual when not a number
		{ts, "2024-01-02T03:04:05Z", 0, true},
		{"2024-01-01", ts, -1, true},
		{false, true, -1, true},
		{nil, int64(1), 0, false},
		{int64(1), nil, 0, false},
	}
	for _, tt := range tests {
		got, ok := Compare(tt.a, tt.b)
		assert.Equal(t, tt.ok, ok, "%v vs %v", tt.a, tt.b)
		if ok {
			assert.Equal(t, tt.want, got, "%v vs %v", tt.a, tt.b)
		}
	}
}

// ORDER BY's order is total over values of every kind: NULL, numbers
// (booleans as 0 and 1), datetimes, strings byte-wise, other values; every
// triple is transitive and every pair antisymmetric, so a column mixing
// numbers and numeric strings sorts one way whatever meets what.
func TestCompareNullsFirstIsTotal(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	vals := []any{"9", int64(10), "10", nil, 2.5, true, "abc", ts, false, "", int64(-3), math.NaN(),
		"2024-01-02T03:04:05Z", ts.Add(time.Hour), 10.0, []byte("x"), int64(1)}
	want := []any{nil, math.NaN(), int64(-3), false, true, int64(1), 2.5, int64(10), 10.0, ts, ts.Add(time.Hour),
		"", "10", "2024-01-02T03:04:05Z", "9", "abc", []byte("x")}
	got := slices.Clone(vals)
	slices.SortStableFunc(got, CompareNullsFirst)
	require.Equal(t, fmt.Sprint(want), fmt.Sprint(got))
	sign := func(c int) int { return cmp.Compare(c, 0) }
	for _, a := range vals {
		for _, b := range vals {
			require.Equal(t, sign(CompareNullsFirst(a, b)), -sign(CompareNullsFirst(b, a)), "%v, %v", a, b)
			for _, c := range vals {
				if CompareNullsFirst(a, b) <= 0 && CompareNullsFirst(b, c) <= 0 {
					require.LessOrEqual(t, CompareNullsFirst(a, c), 0, "%v <= %v <= %v", a, b, c)
				}
			}
		}
	}
}

func TestThreeValuedLogic(t *testing.T) {
	T, F, N := c(true), c(false), c(nil)
	tests := []struct {
		name string
		e    Expr
		want any
	}{
		{"T and N", &And{T, N}, nil},
		{"F and N", &And{F, N}, false},
		{"N and F", &And{N, F}, false},
		{"T or N", &Or{T, N}, true},
		{"F or N", &Or{F, N}, nil},
		{"not N", &Not{N}, nil},
		{"1 = NULL", &Cmp{Op: "=", L: c(int64(1)), R: N}, nil},
		{"NULL <=> NULL", &Cmp{Op: "<=>", L: N, R: N}, true},
		{"1 <=> NULL", &Cmp{Op: "<=>", L: c(int64(1)), R: N}, false},
		{"1 IN (2, NULL)", &In{E: c(int64(1)), List: []Expr{c(int64(2)), N}}, nil},
		{"1 IN (1, NULL)", &In{E: c(int64(1)), List: []Expr{c(int64(1)), N}}, true},
		{"1 NOT IN (2, NULL)", &In{E: c(int64(1)), List: []Expr{c(int64(2)), N}, Negate: true}, nil},
		{"NULL IN (1)", &In{E: N, List: []Expr{c(int64(1))}}, nil},
		{"NULL IS NULL", &IsNull{E: N}, true},
		{"N IS TRUE", &IsBool{E: N, Want: true}, false},
		{"N IS NOT FALSE", &IsBool{E: N, Want: false, Negate: true}, true},
		{"'abc' LIKE 'A%'", &Like{E: c("abc"), Pattern: c("A%"), Escape: '\\'}, true},
		{"'a_c' LIKE 'a\\_c'", &Like{E: c("a_c"), Pattern: c(`a\_c`), Escape: '\\'}, true},
		{"'abc' LIKE 'a\\_c'", &Like{E: c("abc"), Pattern: c(`a\_c`), Escape: '\\'}, false},
		{"'a.c' LIKE 'a_c'", &Like{E: c("a.c"), Pattern: c("a_c"), Escape: '\\'}, true},
		{"'ab' NOT LIKE NULL", &Like{E: c("ab"), Pattern: N, Negate: true}, nil},
		{"7 / 2", &Arith{Op: "/", L: c(int64(7)), R: c(int64(2))}, 3.5},
		{"7 DIV 2", &Arith{Op: "div", L: c(int64(7)), R: c(int64(2))}, int64(3)},
		{"7 % 2", &Arith{Op: "%", L: c(int64(7)), R: c(int64(2))}, int64(1)},
		{"1 / 0", &Arith{Op: "/", L: c(int64(1)), R: c(int64(0))}, nil},
		{"1 + NULL", &Arith{Op: "+", L: c(int64(1)), R: N}, nil},
		{"1 + 1.5", &Arith{Op: "+", L: c(int64(1)), R: c(1.5)}, 2.5},
		{"case", &Case{Whens: []When{{Cond: N, Then: c("a")}, {Cond: T, Then: c("b")}}}, "b"},
		{"case operand", &Case{Operand: c(int64(2)), Whens: []When{{Cond: c(int64(1)), Then: c("a")}, {Cond: c(int64(2)), Then: c("b")}}}, "b"},
		{"case no else", &Case{Whens: []When{{Cond: F, Then: c("a")}}}, nil},
		{"cast", &Cast{E: c("42"), Type: TypeInt}, int64(42)},
		{"cast float to int truncates", &Cast{E: c(2.9), Type: TypeInt}, int64(2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.e.Eval(nil)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestArithmeticOverflow(t *testing.T) {
	_, err := Arithmetic("+", int64(1<<62), int64(1<<62))
	require.ErrorIs(t, err, ErrOverflow)
	_, err = Arithmetic("*", int64(1<<40), int64(1<<40))
	require.ErrorIs(t, err, ErrOverflow)
	_, err = Arithmetic("+", "abc", int64(1))
	require.ErrorContains(t, err, `cannot apply + to string "abc"`)
}

func TestFunctions(t *testing.T) {
	call := func(name string, args ...any) (any, error) {
		f := Funcs[name]
		require.NotNil(t, f, name)
		exprs := make([]Expr, len(args))
		for i, a := range args {
			exprs[i] = c(a)
		}
		if f.Lazy != nil {
			return f.Lazy(nil, exprs)
		}
		return f.Fn(args)
	}
	tests := []struct {
		name string
		args []any
		want any
	}{
		{"UPPER", []any{"abc"}, "ABC"},
		{"LENGTH", []any{"héllo"}, int64(5)},
		{"SUBSTR", []any{"hello", int64(2), int64(3)}, "ell"},
		{"SUBSTR", []any{"hello", int64(-3)}, "llo"},
		{"SUBSTR", []any{"hello", int64(0)}, ""},
		{"SUBSTR", []any{"hello", int64(9)}, ""},
		{"CONCAT", []any{"a", int64(1), 2.5}, "a12.5"},
		{"REPLACE", []any{"aXbX", "X", "-"}, "a-b-"},
		{"TRIM", []any{"  a b  "}, "a b"},
		{"ROUND", []any{2.345, int64(2)}, 2.35},
		{"ROUND", []any{2.5}, 3.0},
		{"ABS", []any{int64(-3)}, int64(3)},
		{"FLOOR", []any{-1.5}, int64(-2)},
		{"CEIL", []any{1.2}, int64(2)},
		{"COALESCE", []any{nil, nil, "x"}, "x"},
		{"IFNULL", []any{nil, int64(1)}, int64(1)},
		{"NULLIF", []any{int64(1), int64(1)}, nil},
		{"NULLIF", []any{int64(1), int64(2)}, int64(1)},
		{"YEAR", []any{"2024-03-05T10:00:00Z"}, int64(2024)},
		{"MONTH", []any{time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)}, int64(3)},
		{"DATE", []any{"2024-03-05T10:11:12Z"}, time.Date(2024, 3, 5, 0, 0, 0, 0, time.UTC)},
		{"IF", []any{nil, "a", "b"}, "b"},
	}
	for _, tt := range tests {
		got, err := call(tt.name, tt.args...)
		require.NoError(t, err, tt.name)
		assert.Equal(t, tt.want, got, "%s%v", tt.name, tt.args)
	}
	_, err := call("YEAR", "not a date")
	require.ErrorContains(t, err, "want a datetime")
}

func rowsOf(vals ...[]any) *Values {
	v := &Values{}
	for _, r := range vals {
		v.Rows = append(v.Rows, Row(r))
	}
	return v
}

func TestAggregate(t *testing.T) {
	ctx := context.Background()
	in := rowsOf(
		[]any{"a", int64(1)},
		[]any{"b", int64(2)},
		[]any{"a", nil},
		[]any{"a", int64(1)},
		[]any{nil, 2.5},
	)
	agg := &Aggregate{Input: in, GroupBy: []Expr{&Col{0}}, Aggs: []AggSpec{
		{Func: "COUNT"},
		{Func: "COUNT", Arg: &Col{1}},
		{Func: "SUM", Arg: &Col{1}},
		{Func: "AVG", Arg: &Col{1}},
		{Func: "MIN", Arg: &Col{1}},
		{Func: "MAX", Arg: &Col{1}},
		{Func: "COUNT", Arg: &Col{1}, Distinct: true},
	}}
	rows, err := Drain(ctx, agg)
	require.NoError(t, err)
	assert.Equal(t, []Row{
		{"a", int64(3), int64(2), int64(2), 1.0, int64(1), int64(1), int64(1)},
		{"b", int64(1), int64(1), int64(2), 2.0, int64(2), int64(2), int64(1)},
		{nil, int64(1), int64(1), 2.5, 2.5, 2.5, 2.5, int64(1)},
	}, rows)

	empty := &Aggregate{Input: rowsOf(), Aggs: []AggSpec{{Func: "COUNT"}, {Func: "SUM", Arg: &Col{0}}, {Func: "MAX", Arg: &Col{0}}}}
	rows, err = Drain(ctx, empty)
	require.NoError(t, err)
	assert.Equal(t, []Row{{int64(0), nil, nil}}, rows)

	grouped := &Aggregate{Input: rowsOf(), GroupBy: []Expr{&Col{0}}, Aggs: []AggSpec{{Func: "COUNT"}}}
	rows, err = Drain(ctx, grouped)
	require.NoError(t, err)
	assert.Empty(t, rows)
}

func TestJoins(t *testing.T) {
	ctx := context.Background()
	left := rowsOf([]any{int64(1), "x"}, []any{int64(2), "y"}, []any{nil, "z"})
	right := rowsOf([]any{int64(1), "a"}, []any{int64(1), "b"}, []any{int64(3), "c"}, []any{nil, "n"})
	inner := &HashJoin{Left: left, Right: right, LeftKeys: []Expr{&Col{0}}, RightKeys: []Expr{&Col{0}}, RightWidth: 2}
	rows, err := Drain(ctx, inner)
	require.NoError(t, err)
	assert.Equal(t, []Row{{int64(1), "x", int64(1), "a"}, {int64(1), "x", int64(1), "b"}}, rows)

	leftJ := &HashJoin{Left: left, Right: right, LeftKeys: []Expr{&Col{0}}, RightKeys: []Expr{&Col{0}}, Kind: LeftJoin, RightWidth: 2,
		Extra: &Cmp{Op: "!=", L: &Col{3}, R: c("b")}}
	rows, err = Drain(ctx, leftJ)
	require.NoError(t, err)
	assert.Equal(t, []Row{{int64(1), "x", int64(1), "a"}, {int64(2), "y", nil, nil}, {nil, "z", nil, nil}}, rows)

	cross := &HashJoin{Left: rowsOf([]any{int64(1)}, []any{int64(2)}), Right: rowsOf([]any{"a"}, []any{"b"}), RightWidth: 1}
	rows, err = Drain(ctx, cross)
	require.NoError(t, err)
	assert.Len(t, rows, 4)
}

func TestSortLimitDistinctUnion(t *testing.T) {
	ctx := context.Background()
	in := rowsOf([]any{int64(3)}, []any{nil}, []any{int64(1)}, []any{int64(3)}, []any{int64(2)})
	rows, err := Drain(ctx, &Sort{Input: in, Keys: []SortKey{{Expr: &Col{0}}}, Limit: -1})
	require.NoError(t, err)
	assert.Equal(t, []Row{{nil}, {int64(1)}, {int64(2)}, {int64(3)}, {int64(3)}}, rows)

	rows, err = Drain(ctx, &Sort{Input: in, Keys: []SortKey{{Expr: &Col{0}, Desc: true}}, Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, []Row{{int64(3)}, {int64(3)}}, rows)

	rows, err = Drain(ctx, &Limit{Input: in, Offset: 1, Count: 2})
	require.NoError(t, err)
	assert.Equal(t, []Row{{nil}, {int64(1)}}, rows)

	rows, err = Drain(ctx, &Distinct{Input: in})
	require.NoError(t, err)
	assert.Equal(t, []Row{{int64(3)}, {nil}, {int64(1)}, {int64(2)}}, rows)

	rows, err = Drain(ctx, &Union{Inputs: []Node{rowsOf([]any{int64(1)}, []any{1.0}), rowsOf([]any{int64(1)}, []any{"1"})}})
	require.NoError(t, err)
	assert.Equal(t, []Row{{int64(1)}, {"1"}}, rows)
}

func TestLimitStopsPulling(t *testing.T) {
	pulled := 0
	src := nodeFunc(func() (Row, error) { pulled++; return Row{int64(pulled)}, nil })
	rows, err := Drain(context.Background(), &Limit{Input: src, Count: 3})
	require.NoError(t, err)
	assert.Len(t, rows, 3)
	assert.Equal(t, 3, pulled)
}

type nodeFunc func() (Row, error)

func (f nodeFunc) Open(context.Context) (Iterator, error) { return &iterFunc{next: f}, nil }

func TestIsDecimal(t *testing.T) {
	for _, s := range []string{"1", "-1", "+1.5", "1.", ".5", "1e10", "1E-3", "007"} {
		assert.True(t, IsDecimal(s), s)
	}
	for _, s := range []string{"", "1_0", "0x1p4", "0x10", "inf", "NaN", "1e", "--1", "1.2.3", " 1", "abc"} {
		assert.False(t, IsDecimal(s), s)
	}
	n, _ := Compare("1_0", int64(10))
	assert.NotEqual(t, 0, n, "'1_0' is text, not ten")
	_, err := Convert("1_000", TypeInt)
	assert.Error(t, err)
}

func TestLikeAgreesWithRegexp(t *testing.T) {
	// Patterns and values from an alphabet with case partners outside
	// ASCII (K and U+212A, s and U+017F), wildcards, escapes, newlines and
	// invalid UTF-8; every pattern against every value, three escapes.
	alphabet := []string{"a", "B", "k", "K", "\u212a", "s", "\u017f", "%", "_", `\`, "é", "É", "\n", "\xff", "."}
	rng := rand.New(rand.NewPCG(7, 7))
	word := func(n int) string {
		var b strings.Builder
		for range rng.IntN(n + 1) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		return b.String()
	}
	patterns := []string{"", "%", "%%", "a", "a%", "%a", "%a%", "ab%", "%B.", `a\%`, `\%`, "%k%", "K%", "%s", "_", "a_%"}
	values := []string{"", "a", "A", "ab", "AB.", "xab", "\u212a", "k", "Kk", "ſ", "s", "a%", `a\`, "\xffa", "a\nb"}
	for range 300 {
		patterns = append(patterns, word(4))
		values = append(values, word(6))
	}
	for _, esc := range []rune{'\\', 0, '%', 'a'} {
		for _, p := range patterns {
			re := LikeRegexp(p, esc)
			l := &Like{E: &Col{Idx: 0}, Pattern: c(p), Escape: esc}
			for _, v := range values {
				got, err := l.Eval(Row{v})
				require.NoError(t, err)
				require.Equal(t, re.MatchString(v), got, "%q LIKE %q ESCAPE %q", v, p, esc)
			}
		}
	}
}
