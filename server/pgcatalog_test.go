package server

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/catalog")

// TestCatalogQueries runs the catalog queries of psql 15 and of the
// PostgreSQL JDBC driver 42.5, as they send them (testdata/catalog/*.sql),
// and compares the answers with golden files. Run with -update to
// rewrite them.
func TestCatalogQueries(t *testing.T) {
	e := startServer(t)
	files, err := filepath.Glob("testdata/catalog/*.sql")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, mode := range []string{"simple_protocol", "cache_statement"} {
		c := e.connect(t, "default_query_exec_mode="+mode)
		for _, file := range files {
			name := strings.TrimSuffix(filepath.Base(file), ".sql")
			t.Run(mode+"/"+name, func(t *testing.T) {
				q, err := os.ReadFile(file)
				require.NoError(t, err)
				var args []any
				if strings.Contains(string(q), "$1") {
					args = []any{int64(oidJSON)}
				}
				rows, err := c.Query(testCtx(t), string(q), args...)
				require.NoError(t, err)
				var b strings.Builder
				for i, f := range rows.FieldDescriptions() {
					if i > 0 {
						b.WriteString(" | ")
					}
					fmt.Fprintf(&b, "%s:%d", f.Name, f.DataTypeOID)
				}
				b.WriteString("\n")
				for rows.Next() {
					vals, err := rows.Values()
					require.NoError(t, err)
					for i, v := range vals {
						if i > 0 {
							b.WriteString(" | ")
						}
						b.WriteString(renderValue(v))
					}
					b.WriteString("\n")
				}
				require.NoError(t, rows.Err())
				golden := strings.TrimSuffix(file, ".sql") + ".golden"
				if *update {
					require.NoError(t, os.WriteFile(golden, []byte(b.String()), 0o644))
				}
				want, err := os.ReadFile(golden)
				require.NoError(t, err)
				require.Equal(t, string(want), b.String())
			})
		}
	}
}
