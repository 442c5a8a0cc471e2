package planner

import (
	"context"
	"database/sql/driver"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/internal/errcode"
	"github.com/restsql/restsql/metadata"
	"github.com/restsql/restsql/table"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/explain")

// memCatalog resolves table names to tables in memory: the planner plans
// against the table interface, no REST source needed.
type memCatalog map[string]table.Table

func (c memCatalog) Table(parts []string) (table.Table, error) {
	if t, ok := c[strings.ToLower(parts[len(parts)-1])]; ok {
		return t, nil
	}
	return nil, errcode.Errorf(errcode.UnknownTable, "test: no table %s", strings.Join(parts, "."))
}

// memTable makes a memory table of catalog c, schema s.
func memTable(t *testing.T, name string, cols string, rows ...[]any) *table.Memory {
	t.Helper()
	def := &catalog.Table{CatalogName: "c", SchemaName: "s", Name: name}
	for _, col := range strings.Split(cols, ",") {
		n, typ, _ := strings.Cut(strings.TrimSpace(col), " ")
		def.Columns = append(def.Columns, &catalog.Column{Name: n, Type: catalog.Type(typ)})
	}
	m, err := table.NewMemory(def, rows)
	require.NoError(t, err)
	return m
}

// items is a small table: id, name, qty, price.
func items(t *testing.T) *table.Memory {
	return memTable(t, "items", "id int, name string, qty int, price float",
		[]any{int64(1), "apple", int64(5), 1.5},
		[]any{int64(2), "banana", int64(0), 0.25},
		[]any{int64(3), "cherry", int64(12), 4.0},
		[]any{int64(4), "apricot", nil, 2.0},
		[]any{int64(5), "date", int64(7), nil},
	)
}

func orders(t *testing.T) *table.Memory {
	return memTable(t, "orders", "id int, item_id int, n int",
		[]any{int64(10), int64(1), int64(2)},
		[]any{int64(11), int64(1), int64(1)},
		[]any{int64(12), int64(3), int64(4)},
		[]any{int64(13), int64(9), int64(1)},
		[]any{int64(14), nil, int64(3)},
	)
}

// memQuery runs sql against cat and returns its rows.
func memQuery(t *testing.T, cat Catalog, sql string, args ...any) [][]any {
	t.Helper()
	res, err := runQuery(cat, sql, args...)
	require.NoError(t, err, sql)
	return res
}

func runQuery(cat Catalog, sql string, args ...any) ([][]any, error) {
	p, err := Parse(sql)
	if err != nil {
		return nil, err
	}
	var nv []driver.NamedValue
	for i, a := range args {
		nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: a})
	}
	res, err := Query(context.Background(), cat, p, nv)
	if err != nil {
		return nil, err
	}
	defer res.Rows.Close()
	var out [][]any
	for {
		row, err := res.Rows.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, append([]any(nil), row...))
	}
}

// explain returns EXPLAIN's rows as indented text, one step a line.
func explain(t *testing.T, cat Catalog, sql string) string {
	t.Helper()
	rows := memQuery(t, cat, "EXPLAIN "+sql)
	depth := map[int64]int{}
	var b strings.Builder
	for _, r := range rows {
		id := r[0].(int64)
		d := 0
		if p, ok := r[1].(int64); ok {
			d = depth[p] + 1
		}
		depth[id] = d
		fmt.Fprintf(&b, "%s%s", strings.Repeat("  ", d), r[2])
		for _, v := range r[3:] {
			if v != nil {
				fmt.Fprintf(&b, " | %s", v)
			}
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "explain", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test ./planner/ -run %s -update to write it", t.Name())
	assert.Equal(t, string(want), got)
}

func ids(rows [][]any) []any {
	var out []any
	for _, r := range rows {
		out = append(out, r[0])
	}
	return out
}

// TestMemoryPushdown plans against a table that applies some predicates
// exactly, some loosely and some not at all: the answer is the same, the
// table saw what was offered, and the planner kept a filter for every
// predicate not applied exactly.
func TestMemoryPushdown(t *testing.T) {
	for _, tc := range []struct {
		name    string
		filters map[string]table.Support
		sql     string
		want    []any
		// offered are the predicates the table saw ("col op").
		offered []string
		// limit is the limit the table was asked for (-1: none).
		limit int64
	}{
		{name: "nothing pushed", sql: "SELECT id FROM items WHERE qty > 1 ORDER BY id", want: []any{int64(1), int64(3), int64(5)}, offered: []string{"qty >"}, limit: -1},
		{name: "exact", filters: map[string]table.Support{"qty >": table.Exact}, sql: "SELECT id FROM items WHERE qty > 1 ORDER BY id", want: []any{int64(1), int64(3), int64(5)}, offered: []string{"qty >"}, limit: -1},
		{name: "inexact is re-checked", filters: map[string]table.Support{"qty >": table.Inexact}, sql: "SELECT id FROM items WHERE qty > 1 ORDER BY id", want: []any{int64(1), int64(3), int64(5)}, offered: []string{"qty >"}, limit: -1},
		{name: "in and like", filters: map[string]table.Support{"id IN": table.Exact, "name LIKE": table.Exact}, sql: "SELECT id FROM items WHERE id IN (1, 2, 4, 9) AND name LIKE 'ap%' ORDER BY id", want: []any{int64(1), int64(4)}, offered: []string{"id IN", "name LIKE"}, limit: -1},
		{name: "or is not offered", filters: map[string]table.Support{"id =": table.Exact}, sql: "SELECT id FROM items WHERE id = 1 OR id = 3 ORDER BY id", want: []any{int64(1), int64(3)}, limit: -1},
		{name: "null never matches", filters: map[string]table.Support{"qty =": table.Exact}, sql: "SELECT id FROM items WHERE qty = NULL", offered: []string{"qty IN"}, limit: -1},
		{name: "value of another type", filters: map[string]table.Support{"qty =": table.Exact}, sql: "SELECT id FROM items WHERE qty = '5'", want: []any{int64(1)}, offered: []string{"qty ="}, limit: -1},
		{name: "between", filters: map[string]table.Support{"price >=": table.Exact, "price <=": table.Exact}, sql: "SELECT id FROM items WHERE price BETWEEN 1 AND 2 ORDER BY id", want: []any{int64(1), int64(4)}, offered: []string{"price >=", "price <="}, limit: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := items(t)
			m.Filters = tc.filters
			got := memQuery(t, memCatalog{"items": m}, tc.sql)
			assert.Equal(t, tc.want, ids(got))
			scans := m.Scans()
			require.Len(t, scans, 1)
			var offered []string
			for _, p := range scans[0].Predicates {
				offered = append(offered, p.Column+" "+p.Op)
			}
			assert.Equal(t, tc.offered, offered)
			assert.Equal(t, tc.limit, scans[0].Limit)
		})
	}
}

// TestMemoryLimit: a LIMIT goes to the table only when every predicate is
// applied exactly and the order is the table's.
func TestMemoryLimit(t *testing.T) {
	for _, tc := range []struct {
		name    string
		filters map[string]table.Support
		sort    bool
		sql     string
		want    []any
		limit   int64
	}{
		{name: "no filter", sql: "SELECT id FROM items LIMIT 2", want: []any{int64(1), int64(2)}, limit: 2},
		{name: "offset", sql: "SELECT id FROM items LIMIT 2 OFFSET 1", want: []any{int64(2), int64(3)}, limit: 3},
		{name: "exact filter", filters: map[string]table.Support{"qty >": table.Exact}, sql: "SELECT id FROM items WHERE qty > 1 LIMIT 2", want: []any{int64(1), int64(3)}, limit: 2},
		{name: "inexact filter", filters: map[string]table.Support{"qty >": table.Inexact}, sql: "SELECT id FROM items WHERE qty > 1 LIMIT 2", want: []any{int64(1), int64(3)}, limit: -1},
		{name: "filter not offered", sql: "SELECT id FROM items WHERE qty > 1 OR id = 2 LIMIT 2", want: []any{int64(1), int64(2)}, limit: -1},
		{name: "unsupported filter", sql: "SELECT id FROM items WHERE qty > 1 LIMIT 2", want: []any{int64(1), int64(3)}, limit: -1},
		{name: "sort in the driver", sql: "SELECT id FROM items ORDER BY price DESC LIMIT 2", want: []any{int64(3), int64(4)}, limit: -1},
		{name: "sort pushed", sort: true, sql: "SELECT id FROM items ORDER BY price DESC LIMIT 2", want: []any{int64(3), int64(4)}, limit: 2},
		{name: "sort pushed, nulls first", sort: true, sql: "SELECT id FROM items ORDER BY qty, id LIMIT 2", want: []any{int64(4), int64(2)}, limit: 2},
		{name: "aggregate", sql: "SELECT count(*) FROM items LIMIT 1", want: []any{int64(5)}, limit: -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := items(t)
			m.Filters, m.Sort, m.Limit = tc.filters, tc.sort, true
			got := memQuery(t, memCatalog{"items": m}, tc.sql)
			assert.Equal(t, tc.want, ids(got))
			scans := m.Scans()
			require.Len(t, scans, 1)
			assert.Equal(t, tc.limit, scans[0].Limit)
			if !tc.sort {
				assert.Empty(t, scans[0].Sort, "a sort the table does not apply is not asked for")
			}
		})
	}
}

// TestMemoryJoinAggregate: joins, aggregates and subqueries over tables in
// memory.
func TestMemoryJoinAggregate(t *testing.T) {
	cat := memCatalog{"items": items(t), "orders": orders(t)}
	for _, tc := range []struct {
		sql  string
		want [][]any
	}{
		{"SELECT i.name, sum(o.n) FROM items i JOIN orders o ON o.item_id = i.id GROUP BY i.name ORDER BY i.name",
			[][]any{{"apple", int64(3)}, {"cherry", int64(4)}}},
		{"SELECT i.id, o.id FROM items i LEFT JOIN orders o ON o.item_id = i.id WHERE i.id <= 2 ORDER BY i.id, o.id",
			[][]any{{int64(1), int64(10)}, {int64(1), int64(11)}, {int64(2), nil}}},
		{"SELECT count(*), count(item_id), max(n) FROM orders", [][]any{{int64(5), int64(4), int64(4)}}},
		{"SELECT id FROM items WHERE id IN (SELECT item_id FROM orders) ORDER BY id", [][]any{{int64(1)}, {int64(3)}}},
		{"SELECT name FROM items WHERE qty IS NULL", [][]any{{"apricot"}}},
	} {
		assert.Equal(t, tc.want, memQuery(t, cat, tc.sql), tc.sql)
	}
}

// TestMemoryExplain: EXPLAIN shows what the table applies, what the
// driver filters and why, as golden text.
func TestMemoryExplain(t *testing.T) {
	m := items(t)
	m.Filters = map[string]table.Support{"id IN": table.Exact, "qty >": table.Inexact}
	m.Sort, m.Limit = true, true
	cat := memCatalog{"items": m, "orders": orders(t)}
	for name, sql := range map[string]string{
		"pushdown":   "SELECT name FROM items WHERE id IN (1, 2, 3) AND qty > 1 AND name LIKE 'a%' ORDER BY id LIMIT 2",
		"exact":      "SELECT name FROM items WHERE id IN (1, 2, 3) ORDER BY price DESC LIMIT 2",
		"join":       "SELECT i.name, o.n FROM items i JOIN orders o ON o.item_id = i.id WHERE o.n > 1",
		"aggregate":  "SELECT item_id, count(*) FROM orders GROUP BY item_id HAVING count(*) > 1",
		"systemlike": "SELECT * FROM orders WHERE id = 10 OR n = 3",
		"estimate":   "SELECT o.id, i.name FROM orders o JOIN items i ON i.id = o.item_id",
	} {
		t.Run(name, func(t *testing.T) { golden(t, name, explain(t, cat, sql)) })
	}
}

// TestMemoryErrors: a name the catalog does not know, a column the table
// does not have, and a row that does not fit the table's types.
func TestMemoryErrors(t *testing.T) {
	cat := memCatalog{"items": items(t)}
	_, err := runQuery(cat, "SELECT * FROM nope")
	assert.True(t, errcode.Of(err) == errcode.UnknownTable, "%v", err)
	_, err = runQuery(cat, "SELECT nope FROM items")
	assert.True(t, errcode.Of(err) == errcode.UnknownColumn, "%v", err)

	_, err = table.NewMemory(&catalog.Table{Name: "x", Columns: []*catalog.Column{{Name: "a", Type: "int"}}}, [][]any{{"one"}})
	require.Error(t, err)
	assert.Equal(t, errcode.TypeMismatch, errcode.Of(err))
	assert.Contains(t, err.Error(), "row 1: column a (int)")
	_, err = table.NewMemory(&catalog.Table{Name: "x", Columns: []*catalog.Column{{Name: "a", Type: "datetime"}}}, [][]any{{time.Now()}, {int64(1), int64(2)}})
	assert.ErrorContains(t, err, "row 2 has 2 values, want 1")
}

// sysCatalog adds a system table of its own (as the driver's sys_cache
// and the server's pg_catalog do) to a memCatalog.
type sysCatalog struct{ memCatalog }

func (sysCatalog) SystemTable(parts []string) (*metadata.Table, bool) {
	if !strings.EqualFold(strings.Join(parts, "."), "sys_things") {
		return nil, false
	}
	return &metadata.Table{Name: "sys_things", Columns: []metadata.Column{{Name: "name", Type: "string"}, {Name: "n", Type: "int"}},
		Rows: [][]any{{"b", int64(2)}, {"a", int64(1)}, {"c", nil}}}, true
}

// TestSystemTableIsATable: a catalog's system table is planned as a table
// in memory, with filters, sorts, joins and EXPLAIN like any other, and
// refuses writes.
func TestSystemTableIsATable(t *testing.T) {
	cat := sysCatalog{memCatalog{"items": items(t)}}
	assert.Equal(t, [][]any{{"b"}, {"a"}}, memQuery(t, cat, "SELECT name FROM sys_things WHERE n >= 1 ORDER BY n DESC"))
	assert.Equal(t, [][]any{{"a", "apple"}, {"b", "banana"}}, memQuery(t, cat, "SELECT s.name, i.name FROM sys_things s JOIN items i ON i.id = s.n ORDER BY s.name"))
	golden(t, "system", explain(t, cat, "SELECT name FROM sys_things WHERE n IS NOT NULL ORDER BY name"))

	p, err := Parse("DELETE FROM sys_things WHERE n = 1")
	require.NoError(t, err)
	_, err = Exec(context.Background(), cat, p, nil)
	assert.ErrorContains(t, err, "planner: DELETE: system table sys_things is read-only")
}
