package openapi_test

// The live check: real specs served by Prism's mock server (npm
// @stoplight/prism-cli, installed by .ci/run into .ci/node), imported, and
// every table queried through the driver: a list table with SELECT * ...
// LIMIT 3, a table with required key columns with each bound, a lookup
// with its key bound. Every query must succeed.

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/openapi"
)

// liveSpecs are the specs served by the mock.
var liveSpecs = []string{"real/github.json", "real/spotify.json", "jsonplaceholder.yaml", "helpdesk.yaml", "inventory.json"}

func prismBinary(t *testing.T) string {
	bin := os.Getenv("RESTSQL_PRISM")
	if bin == "" {
		bin = filepath.Join("..", ".ci", "node", "node_modules", ".bin", "prism")
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("prism is missing (%v); .ci/run installs it", err)
		}
		t.Skipf("prism is not installed (%v): run .ci/run, or npm install --prefix .ci/node @stoplight/prism-cli", err)
	}
	abs, err := filepath.Abs(bin)
	require.NoError(t, err)
	return abs
}

// startPrism serves a spec on a free port and returns its base URL.
func startPrism(t *testing.T, bin, spec string) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	abs, err := filepath.Abs(spec)
	require.NoError(t, err)
	cmd := exec.Command(bin, "mock", "-h", "127.0.0.1", "-p", fmt.Sprint(port), abs)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(3 * time.Minute)
	for {
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("prism did not start for %s: %v\n%s", spec, err, out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var placeholderRE = regexp.MustCompile(`\{([^{}]+)\}`)

// literal is a SQL value for a column of a type.
func literal(c *catalog.Column) string {
	switch c.Type {
	case catalog.TypeInt, catalog.TypeFloat:
		return "1"
	case catalog.TypeBool:
		return "true"
	}
	return "'x'"
}

func TestLiveAgainstPrism(t *testing.T) {
	bin := prismBinary(t)
	for _, spec := range liveSpecs {
		t.Run(spec, func(t *testing.T) {
			path := filepath.Join("testdata", spec)
			doc, err := os.ReadFile(path)
			require.NoError(t, err)
			base := startPrism(t, bin, path)
			res, err := openapi.Generate(doc, openapi.Options{URL: base})
			require.NoError(t, err)
			out, err := res.YAML()
			require.NoError(t, err)
			// Required headers' placeholders get a value.
			for _, m := range regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`).FindAllStringSubmatch(string(out), -1) {
				if os.Getenv(m[1]) == "" {
					t.Setenv(m[1], "mock")
				}
			}
			profile := filepath.Join(t.TempDir(), "profile.yaml")
			require.NoError(t, os.WriteFile(profile, out, 0o600))
			cfg, err := restsql.ParseDSN("Profile=" + profile + ";AuthScheme=Bearer;Token=mock;MaxPages=1")
			require.NoError(t, err)
			conn, err := restsql.NewConnector(cfg)
			require.NoError(t, err)
			db := sql.OpenDB(conn)
			defer db.Close()

			p, err := catalog.Parse(out, profile)
			require.NoError(t, err)
			require.NoError(t, p.Validate())
			queries := 0
			for _, cn := range p.CatalogNames() {
				c, _ := p.Catalog(cn)
				s, _ := c.Schema(openapi.DefaultSchema)
				for _, tn := range s.TableNames() {
					tb, _ := s.Table(tn)
					var where []string
					for _, m := range placeholderRE.FindAllStringSubmatch(tb.URL, -1) {
						col, _ := tb.Column(m[1])
						require.NotNil(t, col, "%s: placeholder {%s}", tn, m[1])
						where = append(where, fmt.Sprintf("%s = %s", col.Name, literal(col)))
					}
					q := fmt.Sprintf("SELECT * FROM %s.%s.`%s`", cn, openapi.DefaultSchema, tn)
					if len(where) > 0 {
						q += " WHERE " + strings.Join(where, " AND ")
					}
					liveQuery(t, db, q+" LIMIT 3")
					queries++
					if tb.Get != nil {
						var keys []string
						for _, m := range placeholderRE.FindAllStringSubmatch(tb.Get.URL, -1) {
							keys = append(keys, fmt.Sprintf("%s = %s", m[1], literal(column(tb, m[1]))))
						}
						for _, m := range placeholderRE.FindAllStringSubmatch(tb.URL, -1) {
							if !strings.Contains(tb.Get.URL, "{"+m[1]+"}") {
								keys = append(keys, fmt.Sprintf("%s = %s", m[1], literal(column(tb, m[1]))))
							}
						}
						liveQuery(t, db, fmt.Sprintf("SELECT * FROM %s.%s.`%s` WHERE %s", cn, openapi.DefaultSchema, tn, strings.Join(keys, " AND ")))
						queries++
					}
				}
			}
			t.Logf("%s: %d queries against prism", spec, queries)
			if spec == "real/github.json" {
				// repos_by_repo is the repository: one row, its full_name
				// (Prism answers with the spec's example), not one row per
				// element of a nested array.
				var names []string
				rows, err := db.Query("SELECT full_name FROM repos_by_repo WHERE owner_param = 'octocat' AND repo = 'Hello-World'")
				require.NoError(t, err)
				for rows.Next() {
					var n sql.NullString
					require.NoError(t, rows.Scan(&n))
					names = append(names, n.String)
				}
				require.NoError(t, rows.Err())
				rows.Close()
				require.Equal(t, []string{"octocat/Hello-World"}, names)
			}
		})
	}
}

// liveQuery runs a query and reads all its rows; it must succeed.
func liveQuery(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		t.Errorf("%s: %v", q, err)
		return
	}
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	n := 0
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Errorf("%s: scan: %v", q, err)
			return
		}
		n++
	}
	if err := rows.Err(); err != nil {
		t.Errorf("%s: %v", q, err)
	}
}

func column(t *catalog.Table, name string) *catalog.Column {
	c, _ := t.Column(name)
	if c == nil {
		return &catalog.Column{Name: name, Type: catalog.TypeString}
	}
	return c
}
