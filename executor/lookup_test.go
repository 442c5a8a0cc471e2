package executor

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLookupJoinBatches(t *testing.T) {
	outer := rowsOf([]any{int64(1), "a"}, []any{int64(2), "b"}, []any{int64(1), "c"}, []any{nil, "d"}, []any{int64(9), "e"})
	inner := map[int64][]Row{1: {{int64(1), "x"}, {int64(1), "y"}}, 2: {{int64(2), "z"}}}
	var asked [][]any
	fetch := func(_ context.Context, keys []any) (Node, error) {
		asked = append(asked, keys)
		v := &Values{}
		for _, k := range keys {
			v.Rows = append(v.Rows, inner[k.(int64)]...)
		}
		return v, nil
	}
	j := &LookupJoin{Outer: outer, OuterKey: &Col{0}, InnerKey: &Col{0}, Fetch: fetch, OuterIsLeft: true, InnerWidth: 2, BatchSize: 3, Kind: LeftJoin}
	rows, err := Drain(context.Background(), j)
	require.NoError(t, err)
	assert.Equal(t, []Row{
		{int64(1), "a", int64(1), "x"}, {int64(1), "a", int64(1), "y"},
		{int64(2), "b", int64(2), "z"},
		{int64(1), "c", int64(1), "x"}, {int64(1), "c", int64(1), "y"},
		{nil, "d", nil, nil},
		{int64(9), "e", nil, nil},
	}, rows)
	// Distinct non-NULL keys per batch of three outer rows.
	assert.Equal(t, [][]any{{int64(1), int64(2)}, {int64(9)}}, asked)

	asked = nil
	swapped := &LookupJoin{Outer: outer, OuterKey: &Col{0}, InnerKey: &Col{0}, Fetch: fetch, InnerWidth: 2, BatchSize: 10,
		Extra: &Cmp{Op: "!=", L: &Col{1}, R: c("y")}}
	rows, err = Drain(context.Background(), swapped)
	require.NoError(t, err)
	assert.Equal(t, []Row{
		{int64(1), "x", int64(1), "a"},
		{int64(2), "z", int64(2), "b"},
		{int64(1), "x", int64(1), "c"},
	}, rows)
	assert.Len(t, asked, 1)
}
