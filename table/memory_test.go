package table_test

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/internal/errcode"
	"github.com/restsql/restsql/table"
)

func people(t *testing.T) *table.Memory {
	t.Helper()
	def := &catalog.Table{Name: "people", Columns: []*catalog.Column{
		{Name: "id", Type: catalog.TypeInt}, {Name: "name"}, {Name: "score", Type: catalog.TypeFloat},
		{Name: "active", Type: catalog.TypeBool}, {Name: "born", Type: catalog.TypeDatetime},
	}}
	day := func(d int) time.Time { return time.Date(2020, 1, d, 0, 0, 0, 0, time.UTC) }
	m, err := table.NewMemory(def, [][]any{
		{int64(1), "ann", 2.5, true, day(3)},
		{int64(2), "bob", int64(7), false, nil},
		{int64(3), nil, nil, true, day(1)},
		{int64(4), "cy", 1.0, nil, day(2)},
	})
	require.NoError(t, err)
	return m
}

// scan plans q and returns the rows it reads.
func scan(t *testing.T, tb table.Table, q table.Query) [][]any {
	t.Helper()
	p, err := tb.PlanScan(q)
	require.NoError(t, err)
	rows, err := p.Open(context.Background())
	require.NoError(t, err)
	defer rows.Close()
	var out [][]any
	for {
		dest := make([]any, len(p.Columns()))
		err := rows.Next(dest)
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, dest)
	}
}

func TestMemorySupports(t *testing.T) {
	m := people(t)
	m.Filters = map[string]table.Support{"id =": table.Exact, "ID IN": table.Exact, "name LIKE": table.Exact, "score >": table.Inexact}
	d, err := m.Supports(table.Query{Predicates: []table.Predicate{
		{Column: "id", Op: "=", Values: []any{int64(1)}},
		{Column: "Id", Op: "in", Values: []any{int64(1), nil}},
		{Column: "id", Op: "=", Values: []any{"1"}},
		{Column: "name", Op: "LIKE", Values: []any{"a%"}},
		{Column: "score", Op: ">", Values: []any{1.0}},
		{Column: "score", Op: "<", Values: []any{1.0}},
		{Column: "nope", Op: "=", Values: []any{int64(1)}},
	}, Sort: []table.SortKey{{Column: "id"}}, Limit: 1})
	require.NoError(t, err)
	var got []table.Support
	for _, f := range d.Filters {
		got = append(got, f.Support)
	}
	assert.Equal(t, []table.Support{table.Exact, table.Exact, table.Inexact, table.Inexact, table.Inexact, table.Unsupported, table.Unsupported}, got)
	assert.Equal(t, "column id: = with these values is applied loosely", d.Filters[2].Reason)
	assert.Equal(t, "column score: the table does not apply <", d.Filters[5].Reason)
	assert.Equal(t, "column nope: unknown column", d.Filters[6].Reason)
	assert.False(t, d.Sort)
	assert.Equal(t, "sort: the table people does not sort", d.SortReason)
	assert.False(t, d.Limit)
	assert.False(t, d.Exact())

	assert.Equal(t, table.KeyList, m.KeyAccess("ID"))
	assert.Equal(t, table.NoKeyAccess, m.KeyAccess("score"), "> reads no key")
	assert.Equal(t, table.NoKeyAccess, m.KeyAccess("nope"))
	m.Filters = map[string]table.Support{"name =": table.Inexact}
	assert.Equal(t, table.KeyEach, m.KeyAccess("name"))
	assert.False(t, m.RequiresKey())
}

// TestMemoryScan: what the table applies exactly it applies as SQL does
// (NULL matches nothing), the sort puts NULLs first ascending, and a scan
// stops at the limit.
func TestMemoryScan(t *testing.T) {
	m := people(t)
	m.Filters = map[string]table.Support{"id IN": table.Exact, "score >=": table.Exact, "active =": table.Exact, "born <": table.Exact, "name !=": table.Exact, "score >": table.Inexact}
	m.Sort, m.Limit = true, true
	pred := func(col, op string, vs ...any) table.Predicate {
		return table.Predicate{Column: col, Op: op, Values: vs}
	}
	for _, tc := range []struct {
		name string
		q    table.Query
		want [][]any
	}{
		{"all, columns chosen", table.Query{Limit: -1, Columns: []string{"name", "ID"}}, [][]any{{"ann", int64(1)}, {"bob", int64(2)}, {nil, int64(3)}, {"cy", int64(4)}}},
		{"in with null", table.Query{Limit: -1, Columns: []string{"id"}, Predicates: []table.Predicate{pred("id", "IN", int64(2), nil, int64(4))}}, [][]any{{int64(2)}, {int64(4)}}},
		{"float against int", table.Query{Limit: -1, Columns: []string{"id"}, Predicates: []table.Predicate{pred("score", ">=", int64(2))}}, [][]any{{int64(1)}, {int64(2)}}},
		{"bool", table.Query{Limit: -1, Columns: []string{"id"}, Predicates: []table.Predicate{pred("active", "=", false)}}, [][]any{{int64(2)}}},
		{"datetime", table.Query{Limit: -1, Columns: []string{"id"}, Predicates: []table.Predicate{pred("born", "<", time.Date(2020, 1, 3, 0, 0, 0, 0, time.UTC))}}, [][]any{{int64(3)}, {int64(4)}}},
		{"not equal skips NULL", table.Query{Limit: -1, Columns: []string{"id"}, Predicates: []table.Predicate{pred("name", "!=", "bob")}}, [][]any{{int64(1)}, {int64(4)}}},
		{"inexact filters nothing", table.Query{Limit: -1, Columns: []string{"id"}, Predicates: []table.Predicate{pred("score", ">", 100.0)}}, [][]any{{int64(1)}, {int64(2)}, {int64(3)}, {int64(4)}}},
		{"sort nulls first", table.Query{Limit: -1, Columns: []string{"id"}, Sort: []table.SortKey{{Column: "score"}}}, [][]any{{int64(3)}, {int64(4)}, {int64(1)}, {int64(2)}}},
		{"sort desc nulls last, limit", table.Query{Limit: 3, Columns: []string{"id"}, Sort: []table.SortKey{{Column: "born", Desc: true}}}, [][]any{{int64(1)}, {int64(4)}, {int64(3)}}},
		{"limit 0", table.Query{Limit: 0, Columns: []string{"id"}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, scan(t, m, tc.q))
		})
	}
	assert.Len(t, m.Scans(), 10, "every scan is recorded")
	assert.Equal(t, int64(3), m.Scans()[8].Limit)
}

func TestMemoryErrors(t *testing.T) {
	m := people(t)
	_, err := m.PlanScan(table.Query{Columns: []string{"nope"}})
	assert.Equal(t, errcode.UnknownColumn, errcode.Of(err))
	assert.EqualError(t, err, `table people: unknown column "nope"`)

	p, err := m.PlanScan(table.Query{Limit: -1})
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := p.Open(ctx)
	require.NoError(t, err)
	assert.ErrorContains(t, rows.Next(make([]any, 1)), "Next needs room for 5 values, got 1")
	cancel()
	assert.ErrorIs(t, rows.Next(make([]any, 5)), context.Canceled)
	require.NoError(t, rows.Close())
	assert.ErrorContains(t, rows.Next(make([]any, 5)), "rows are closed")
	n, ok := rows.Total()
	assert.True(t, ok)
	assert.Equal(t, int64(4), n)

	_, err = table.NewMemory(nil, nil)
	assert.Error(t, err)
	_, err = table.NewMemory(&catalog.Table{Name: "x", Columns: []*catalog.Column{{Name: "a", Type: catalog.TypeFloat}}}, [][]any{{"1.5"}})
	assert.EqualError(t, err, `table x: row 1: column a (float): a string does not fit`)
}
