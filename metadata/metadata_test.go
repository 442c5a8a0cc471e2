package metadata

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

func TestLookup(t *testing.T) {
	p, err := catalog.Parse([]byte(`
catalogs:
  A:
    url: http://127.0.0.1:1
    auth: {scheme: Bearer, token: "${T}"}
    schemas:
      S:
        tables:
          t:
            url: "/x/{k}"
            insert: {method: POST, url: /x}
            columns:
              - {name: id, type: int, key: true, filters: {"=": {param: id, exact: true}, "IN": {param: id, repeat: true}}}
              - {name: note, description: free text}
`), "m.yaml")
	require.NoError(t, err)
	for _, name := range Names() {
		tb, ok := Lookup(p, []string{name})
		if !ok {
			tb, ok = Lookup(p, splitDot(name))
		}
		require.True(t, ok, name)
		for _, r := range tb.Rows {
			assert.Len(t, r, len(tb.Columns), name)
			for i, v := range r {
				switch v.(type) {
				case nil, string, int64, bool:
				default:
					t.Errorf("%s column %s holds a %T, not an engine value", name, tb.Columns[i].Name, v)
				}
			}
		}
	}
	_, ok := Lookup(p, []string{"sys_nothing"})
	assert.False(t, ok)

	cols, _ := Lookup(p, []string{"SYS_TABLECOLUMNS"})
	require.Len(t, cols.Rows, 3) // id, note, and the implicit k
	assert.Equal(t, []any{"A", "S", "t", "id", "int", int64(1), true, false, false, false, "id", "=,IN", "=", nil}, cols.Rows[0])
	cats, _ := Lookup(p, []string{"sys_catalogs"})
	assert.Equal(t, []any{"A", nil, "Bearer", "none"}, cats.Rows[0], "no credential value is exposed")
}

func splitDot(s string) []string {
	for i := range s {
		if s[i] == '.' {
			return []string{s[:i], s[i+1:]}
		}
	}
	return []string{s}
}

func TestPGInformationSchema(t *testing.T) {
	p, err := catalog.Parse([]byte(`
catalogs:
  A:
    url: http://127.0.0.1:1
    schemas:
      S:
        tables:
          t:
            url: "/x"
            insert: {method: POST, url: /x}
            columns:
              - {name: id, type: int, key: true}
              - {name: note}
              - {name: score, type: float}
              - {name: ok, type: bool}
              - {name: at, type: datetime}
              - {name: doc, type: json}
`), "m.yaml")
	require.NoError(t, err)
	for _, view := range []string{"tables", "columns", "schemata"} {
		tb, ok := Lookup(p, []string{PGInfoSchema, view})
		require.True(t, ok, view)
		assert.Equal(t, "information_schema."+view, tb.Name)
		for _, r := range tb.Rows {
			require.Len(t, r, len(tb.Columns), view)
		}
	}
	cols, _ := Lookup(p, []string{PGInfoSchema, "columns"})
	names := map[string]int{}
	for i, c := range cols.Columns {
		names[c.Name] = i
	}
	tests := []struct {
		col                       string
		dataType, udt, nullable   string
		ordinal                   int64
		maxLen, numPrec, numScale any
	}{
		{"id", "bigint", "int8", "NO", 1, nil, int64(64), int64(0)},
		{"note", "text", "text", "YES", 2, nil, nil, nil},
		{"score", "double precision", "float8", "YES", 3, nil, int64(53), nil},
		{"ok", "boolean", "bool", "YES", 4, nil, nil, nil},
		{"at", "timestamp with time zone", "timestamptz", "YES", 5, nil, nil, nil},
		{"doc", "json", "json", "YES", 6, nil, nil, nil},
	}
	require.Len(t, cols.Rows, len(tests))
	for i, tt := range tests {
		r := cols.Rows[i]
		assert.Equal(t, []any{"A", "S", "t", tt.col}, r[:4], tt.col)
		assert.Equal(t, tt.ordinal, r[names["ordinal_position"]], tt.col)
		assert.Equal(t, tt.dataType, r[names["data_type"]], tt.col)
		assert.Equal(t, tt.udt, r[names["udt_name"]], tt.col)
		assert.Equal(t, tt.nullable, r[names["is_nullable"]], tt.col)
		assert.Equal(t, tt.maxLen, r[names["character_maximum_length"]], tt.col)
		assert.Equal(t, tt.numPrec, r[names["numeric_precision"]], tt.col)
		assert.Equal(t, tt.numScale, r[names["numeric_scale"]], tt.col)
	}
	sch, _ := Lookup(p, []string{PGInfoSchema, "schemata"})
	assert.Equal(t, [][]any{{"A", "S", "restsql", nil, nil, nil, nil}, {"A", "information_schema", "restsql", nil, nil, nil, nil}, {"A", "pg_catalog", "restsql", nil, nil, nil, nil}}, sch.Rows)
	tabs, _ := Lookup(p, []string{PGInfoSchema, "tables"})
	assert.Equal(t, []any{"A", "S", "t", "BASE TABLE"}, tabs.Rows[0][:4])
	// The driver's own information_schema keeps its names.
	own, _ := Lookup(p, []string{"information_schema", "columns"})
	assert.Equal(t, "BIGINT", own.Rows[0][5])
}
