package executor

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Regression tests for differences the differential suite
// (internal/difftest) found against SQLite.

func TestSubstrStartOutOfRange(t *testing.T) {
	tests := []struct {
		args []any
		want string
	}{
		{[]any{"abc", int64(-3)}, "abc"},
		{[]any{"abc", int64(-2), int64(1)}, "b"},
		{[]any{"abc", int64(-4)}, ""}, // before the first character: MySQL's ''
		{[]any{"abc", int64(-5), int64(3)}, ""},
		{[]any{"abc", int64(0), int64(2)}, ""},
		{[]any{"abc", int64(4)}, ""},
		{[]any{"abc", int64(2), int64(5)}, "bc"},
	}
	for _, tc := range tests {
		got, err := Funcs["SUBSTR"].Fn(tc.args)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "SUBSTR%v", tc.args)
	}
}

func TestReplaceEmptySearch(t *testing.T) {
	got, err := Funcs["REPLACE"].Fn([]any{"abc", "", "x"})
	require.NoError(t, err)
	assert.Equal(t, "abc", got)
	got, err = Funcs["REPLACE"].Fn([]any{"a.b.c", ".", ""})
	require.NoError(t, err)
	assert.Equal(t, "abc", got)
}

func TestMatchKeyAgreesWithCompare(t *testing.T) {
	ts := time.Date(2024, 2, 7, 10, 0, 0, 0, time.UTC)
	vals := []any{
		int64(1), float64(1), "1", "1.0", " 1", "1e0", true, "true", int64(0), false, "false", "0",
		float64(1.5), "1.5", "abc", "ABC", ts, "2024-02-07T10:00:00Z", " 2024-02-07T10:00:00Z", "2024-02-07 10:00:00", "2024-02-07",
		int64(-7), "-7",
	}
	for _, a := range vals {
		for _, b := range vals {
			if c, ok := Compare(a, b); ok && c == 0 {
				assert.Equal(t, MatchKey(a), MatchKey(b), "%#v = %#v, so their match keys must be equal", a, b)
			}
		}
	}
}

func TestHashJoinMatchesAsEquals(t *testing.T) {
	left := &Values{Rows: []Row{{int64(1)}, {"2"}, {"1"}, {int64(3)}, {nil}}}
	right := &Values{Rows: []Row{{"1"}, {int64(2)}, {"1.0"}, {"x"}, {float64(3)}, {nil}}}
	j := &HashJoin{
		Left: left, Right: right,
		LeftKeys: []Expr{&Col{Idx: 0}}, RightKeys: []Expr{&Col{Idx: 0}},
		Kind: LeftJoin, RightWidth: 1,
	}
	rows, err := Drain(context.Background(), j)
	require.NoError(t, err)
	var got []string
	for _, r := range rows {
		got = append(got, FormatRow(r))
	}
	// 1 = '1' and 1 = '1.0' (numeric); '1' = '1' but '1' <> '1.0' (text);
	// '2' = 2; 3 = 3.0; NULL matches nothing.
	assert.ElementsMatch(t, []string{"1|1", "1|1.0", "2|2", "1|1", "3|3", "NULL|NULL"}, got)
}

func TestInSubqueryComparesAsEquals(t *testing.T) {
	// More values than any small-set fallback: every lookup goes through
	// the set.
	strs := make([]any, 0, 200)
	for i := range 200 {
		strs = append(strs, ToString(int64(i)))
	}
	tests := []struct {
		v      any
		vals   []any
		negate bool
		want   any
	}{
		{int64(150), strs, false, true},
		{float64(150), strs, false, true},
		{"150", strs, false, true},
		{"150.0", strs, false, false}, // text against text
		{int64(500), strs, false, false},
		{int64(500), strs, true, true},
		{int64(150), strs, true, false},
		{int64(500), append(append([]any{}, strs...), nil), true, nil},
		{true, []any{"1", "2"}, false, true},
		{nil, nil, false, false},
		{nil, nil, true, true},
		{nil, []any{"1"}, false, nil},
		{time.Date(2024, 2, 7, 0, 0, 0, 0, time.UTC), []any{"2024-02-07"}, false, true},
	}
	for _, tc := range tests {
		in := &InSet{E: &Const{V: tc.v}, Negate: tc.negate, Load: func() ([]any, error) { return tc.vals, nil }}
		got, err := in.Eval(nil)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got, "%#v IN (…%d values), negate %v", tc.v, len(tc.vals), tc.negate)
	}
}
