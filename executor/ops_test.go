package executor

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tests of the operators at sizes past their buffers' chunk sizes and
// trimming thresholds, against plain reference implementations.

// mixedRows builds n rows {id, key, label} whose keys repeat and mix
// NULL, int64, float64 and numeric strings.
func mixedRows(n, distinct int, seed uint64) []Row {
	rng := rand.New(rand.NewPCG(seed, seed))
	rows := make([]Row, n)
	for i := range rows {
		k := int64(rng.IntN(distinct))
		var key any
		switch rng.IntN(8) {
		case 0:
			key = nil
		case 1:
			key = float64(k)
		case 2:
			key = ToString(k)
		case 3:
			key = float64(k) + 0.5
		default:
			key = k
		}
		rows[i] = Row{int64(i), key, fmt.Sprintf("r%d", i)}
	}
	return rows
}

func TestSortTopNAgreesWithStableSort(t *testing.T) {
	// Keys of mixed kinds (numbers, numeric strings, NULLs): the order is
	// total, so a trimmed top-N agrees with one sort of everything.
	rows := mixedRows(5000, 50, 1)
	for _, desc := range []bool{false, true} {
		want := append([]Row(nil), rows...)
		sort.SliceStable(want, func(i, j int) bool {
			c := CompareNullsFirst(want[i][1], want[j][1])
			if desc {
				c = -c
			}
			return c < 0
		})
		// A column and another expression as the key.
		for _, key := range []Expr{&Col{Idx: 1}, &Lazy{Name: "COALESCE", Fn: Funcs["COALESCE"].Lazy, Args: []Expr{&Col{Idx: 1}}}} {
			for i, limit := range []int64{-1, 0, 1, 10, 100, 2000, 4999, 6000} {
				in := &memSource{rows: rows, hint: i%2 == 0} // with and without a size hint
				s := &Sort{Input: in, Keys: []SortKey{{Expr: key, Desc: desc}}, Limit: limit}
				got, err := Drain(context.Background(), s)
				require.NoError(t, err)
				n := len(want)
				if limit >= 0 {
					n = min(n, int(limit))
				}
				require.Len(t, got, n, "desc %v, limit %d, key %T", desc, limit, key)
				for i := range got {
					require.Equal(t, want[i][0], got[i][0], "desc %v, limit %d, key %T, row %d", desc, limit, key, i)
				}
			}
		}
	}
}

// nestedLoopJoin is the reference join: for each probe row in order, the
// build rows it equals in order, laid out left then right.
func nestedLoopJoin(probe, build []Row, probeIsLeft, left bool, width int) []Row {
	var out []Row
	for _, p := range probe {
		matched := false
		for _, b := range build {
			if n, ok := Compare(p[1], b[1]); !ok || n != 0 {
				continue
			}
			matched = true
			if probeIsLeft {
				out = append(out, append(append(Row{}, p...), b...))
			} else {
				out = append(out, append(append(Row{}, b...), p...))
			}
		}
		if !matched && left {
			out = append(out, append(append(Row{}, p...), make(Row, width)...))
		}
	}
	return out
}

func TestHashJoinAgreesWithNestedLoop(t *testing.T) {
	big, small := mixedRows(3000, 700, 2), mixedRows(2000, 900, 3)
	keys := []Expr{&Col{Idx: 1}}
	tests := []struct {
		name        string
		left, right []Row
		kind        JoinKind
		hint        bool
		want        []Row
	}{
		{"inner", big, small, InnerJoin, false, nestedLoopJoin(big, small, true, false, 3)},
		{"left", big, small, LeftJoin, false, nestedLoopJoin(big, small, true, true, 3)},
		// The left side is smaller: the join builds from it and probes
		// with the right rows.
		{"inner built from the left", small, big, InnerJoin, true, nestedLoopJoin(big, small, false, false, 3)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := &HashJoin{
				Left: &memSource{rows: tt.left, hint: tt.hint}, Right: &memSource{rows: tt.right, hint: tt.hint},
				LeftKeys: keys, RightKeys: keys, Kind: tt.kind, RightWidth: 3,
			}
			got, err := Drain(context.Background(), j)
			require.NoError(t, err)
			require.Equal(t, len(tt.want), len(got))
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestAggregateManyGroups(t *testing.T) {
	rows := mixedRows(6000, 2500, 4)
	for i, r := range rows {
		rows[i] = append(r, int64(i%37))
	}
	agg := &Aggregate{Input: &Values{Rows: rows}, GroupBy: []Expr{&Col{Idx: 1}}, Aggs: []AggSpec{
		{Func: "COUNT"},
		{Func: "SUM", Arg: &Col{Idx: 3}},
		{Func: "MAX", Arg: &Col{Idx: 2}},
		{Func: "COUNT", Arg: &Col{Idx: 3}, Distinct: true},
	}}
	got, err := Drain(context.Background(), agg)
	require.NoError(t, err)

	type state struct {
		key      any
		count    int64
		sum      int64
		max      string
		distinct map[int64]bool
	}
	var want []*state
	byKey := map[string]*state{}
	for _, r := range rows {
		k := string(AppendKey(nil, r[1]))
		st := byKey[k]
		if st == nil {
			st = &state{key: r[1], distinct: map[int64]bool{}}
			byKey[k] = st
			want = append(want, st)
		}
		st.count++
		st.sum += r[3].(int64)
		if s := r[2].(string); s > st.max {
			st.max = s
		}
		st.distinct[r[3].(int64)] = true
	}
	require.Len(t, got, len(want))
	require.Greater(t, len(want), 1024, "more groups than one chunk")
	for i, st := range want {
		assert.Equal(t, Row{st.key, st.count, st.sum, st.max, int64(len(st.distinct))}, got[i], "group %d", i)
	}
}

func TestCallConcurrentEval(t *testing.T) {
	concat := &Call{Name: "CONCAT", Fn: Funcs["CONCAT"].Fn, Args: []Expr{&Col{Idx: 0}, &Const{V: "-"}, &Col{Idx: 1}}}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 500 {
				v, err := concat.Eval(Row{int64(g), int64(i)})
				assert.NoError(t, err)
				assert.Equal(t, fmt.Sprintf("%d-%d", g, i), v)
			}
		})
	}
	wg.Wait()
}

func TestStringFunctionsKeepTheirType(t *testing.T) {
	tests := []struct {
		name string
		arg  any
		want any
	}{
		{"LOWER", "abc", "abc"},
		{"LOWER", "AbC", "abc"},
		{"LOWER", int64(5), "5"},
		{"UPPER", 1.5, "1.5"},
		{"UPPER", true, "TRUE"},
		{"TRIM", "a", "a"},
		{"TRIM", " a ", "a"},
		{"TRIM", int64(7), "7"},
	}
	for _, tt := range tests {
		got, err := Funcs[tt.name].Fn([]any{tt.arg})
		require.NoError(t, err)
		assert.Equal(t, tt.want, got, "%s(%#v)", tt.name, tt.arg)
	}
}

func TestRowSlabRowsAreIndependent(t *testing.T) {
	var s rowSlab
	for _, width := range []int{0, 1, 3, 16, 300} {
		var rows []Row
		for i := range 200 {
			r := s.make(width)
			require.Len(t, r, width)
			require.Equal(t, width, cap(r), "a row is capped at its width")
			for j := range r {
				require.Nil(t, r[j], "a new row is all NULLs")
				r[j] = int64(i)
			}
			rows = append(rows, r)
		}
		for i, r := range rows {
			r = append(r, "more") // copies: the next row is untouched
			require.Equal(t, "more", r[width])
			for j := range width {
				require.Equal(t, int64(i), rows[i][j])
			}
			if i+1 < len(rows) && width > 0 {
				require.Equal(t, int64(i+1), rows[i+1][0])
			}
		}
	}
}
