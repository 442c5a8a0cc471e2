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
