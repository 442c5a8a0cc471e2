package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

// wait bounds every wait of the tests; it is never reached when the code
// works.
const wait = 30 * time.Second

// testEnv is a server on a loopback port in front of the demo API.
type testEnv struct {
	srv  *Server
	addr string
	demo *demoapi.Running
	// lib is restsql opened directly on the same API, for comparisons.
	lib    *sql.DB
	cancel context.CancelFunc
	done   chan error
}

// extraCatalogs are catalogs the tests add beside the demo: Slow, whose
// table answers after ten seconds (for cancellation), and Broken, whose
// table's URL does not exist (for API errors).
const extraCatalogs = `
catalogs:
  Slow:
    url: "%[1]s"
    schemas:
      S:
        tables:
          slow_posts:
            url: /posts
            params: {_delay: "10000"}
            columns:
              - {name: id, type: int}
  Broken:
    url: "%[1]s"
    schemas:
      B:
        tables:
          missing:
            url: /no-such-collection
            columns:
              - {name: id, type: int}
`

func driverConfig(t *testing.T, demoURL string) *restsql.Config {
	t.Helper()
	cfg := restsql.NewConfig()
	for _, src := range []string{string(demoapi.ProfileFor(demoURL)), fmt.Sprintf(extraCatalogs, demoURL)} {
		p, err := catalog.Parse([]byte(src), "test.yaml")
		require.NoError(t, err)
		for _, n := range p.CatalogNames() {
			c, _ := p.Catalog(n)
			cfg.Catalogs = append(cfg.Catalogs, c)
		}
	}
	cfg.DefaultCatalog = "Demo"
	return cfg
}

// startServer serves the demo API (and the test catalogs) on 127.0.0.1.
func startServer(t *testing.T, tweak ...func(*Config)) *testEnv {
	t.Helper()
	demo, err := demoapi.Start()
	require.NoError(t, err)
	t.Cleanup(func() { demo.Close() })
	cfg := Config{Driver: driverConfig(t, demo.URL)}
	for _, f := range tweak {
		f(&cfg)
	}
	srv, err := New(cfg)
	require.NoError(t, err)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	conn, err := restsql.NewConnector(driverConfig(t, demo.URL))
	require.NoError(t, err)
	lib := sql.OpenDB(conn)
	t.Cleanup(func() { lib.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	e := &testEnv{srv: srv, addr: ln.Addr().String(), demo: demo, lib: lib, cancel: cancel, done: make(chan error, 1)}
	go func() { e.done <- srv.Serve(ctx, ln) }()
	t.Cleanup(func() {
		e.stop(t)
		require.NoError(t, srv.Close())
	})
	return e
}

// stop cancels Serve and waits for it to return.
func (e *testEnv) stop(t *testing.T) error {
	t.Helper()
	e.cancel()
	select {
	case err := <-e.done:
		e.done <- err
		return err
	case <-time.After(wait):
		t.Fatal("Serve did not return after its context was cancelled")
		return nil
	}
}

// connString is a pgx connection string for the server; extra adds
// key=value settings.
func (e *testEnv) connString(extra string) string {
	host, port, _ := net.SplitHostPort(e.addr)
	s := fmt.Sprintf("host=%s port=%s user=tester dbname=restsql sslmode=disable connect_timeout=10", host, port)
	if extra != "" {
		s += " " + extra
	}
	return s
}

func (e *testEnv) connect(t *testing.T, extra string) *pgx.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	c, err := pgx.Connect(ctx, e.connString(extra))
	require.NoError(t, err)
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	t.Cleanup(cancel)
	return ctx
}

// render writes a value as the comparisons of the tests read it.
func renderValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case []byte:
		return string(x)
	case map[string]any, []any:
		return fmt.Sprintf("%v", x)
	case int32:
		return fmt.Sprint(int64(x))
	}
	return fmt.Sprint(v)
}

// pgxRows runs a query through the server with pgx and renders its rows.
func pgxRows(t *testing.T, c *pgx.Conn, q string, args ...any) ([]string, [][]string) {
	t.Helper()
	rows, err := c.Query(testCtx(t), q, args...)
	require.NoError(t, err, q)
	defer rows.Close()
	var names []string
	for _, f := range rows.FieldDescriptions() {
		names = append(names, f.Name)
	}
	var out [][]string
	for rows.Next() {
		vals, err := rows.Values()
		require.NoError(t, err)
		r := make([]string, len(vals))
		for i, v := range vals {
			r[i] = renderValue(v)
		}
		out = append(out, r)
	}
	require.NoError(t, rows.Err(), q)
	return names, out
}

// libRows runs a query on restsql directly.
func libRows(t *testing.T, db *sql.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.QueryContext(testCtx(t), q, args...)
	require.NoError(t, err, q)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out [][]string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		r := make([]string, len(vals))
		for i, v := range vals {
			r[i] = renderValue(v)
		}
		out = append(out, r)
	}
	require.NoError(t, rows.Err())
	return out
}

// sqlState returns the SQLSTATE of an error from pgx ("" for none).
func sqlState(err error) string {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code
	}
	return ""
}

func sorted(rows [][]string) [][]string {
	out := append([][]string(nil), rows...)
	sort.Slice(out, func(i, j int) bool { return strings.Join(out[i], "\x00") < strings.Join(out[j], "\x00") })
	return out
}

// TestQueriesMatchTheLibrary runs queries through the server, with
// PostgreSQL's quoting and $n parameters, in the extended and the simple
// protocol, and compares the rows with what restsql returns for the same
// query in its own dialect.
func TestQueriesMatchTheLibrary(t *testing.T) {
	e := startServer(t)
	extended := e.connect(t, "")
	simple := e.connect(t, "default_query_exec_mode=simple_protocol")
	tests := []struct {
		name    string
		pg      string
		args    []any
		lib     string
		libArgs []any
		cols    []string
	}{
		{name: "quoted identifiers", pg: `SELECT "id", "title" FROM "posts" WHERE "userId" = 2 ORDER BY "id"`,
			lib: "SELECT id, title FROM posts WHERE userId = 2 ORDER BY id", cols: []string{"id", "title"}},
		{name: "Spark partition", pg: `SELECT "id","title" FROM "posts" WHERE "id" >= 1 AND "id" < 51`,
			lib: "SELECT id, title FROM posts WHERE id >= 1 AND id < 51"},
		{name: "int parameter", pg: `SELECT id, title FROM posts WHERE "userId" = $1 ORDER BY id DESC`, args: []any{3},
			lib: "SELECT id, title FROM posts WHERE userId = ? ORDER BY id DESC", libArgs: []any{3}},
		{name: "parameters out of order and repeated", pg: `SELECT id FROM posts WHERE id >= $2 AND id <= $1 AND "userId" = $3 AND id <> $2`, args: []any{20, 12, 2},
			lib: "SELECT id FROM posts WHERE id >= 12 AND id <= 20 AND userId = 2 AND id <> 12"},
		{name: "IN list of parameters", pg: `SELECT id, email FROM comments WHERE "postId" IN ($1, $2) ORDER BY id`, args: []any{1, 2},
			lib: "SELECT id, email FROM comments WHERE postId IN (1, 2) ORDER BY id"},
		{name: "string parameter", pg: `SELECT id FROM users WHERE username = $1`, args: []any{"Bret"},
			lib: "SELECT id FROM users WHERE username = 'Bret'"},
		{name: "ILIKE", pg: `SELECT id FROM posts WHERE title ILIKE $1 ORDER BY id`, args: []any{"%QUI%"},
			lib: "SELECT id FROM posts WHERE title LIKE '%qui%' ORDER BY id"},
		{name: "LIMIT parameter", pg: `SELECT id FROM posts ORDER BY id LIMIT $1`, args: []any{3},
			lib: "SELECT id FROM posts ORDER BY id LIMIT 3"},
		{name: "BETWEEN parameters", pg: `SELECT id FROM todos WHERE id BETWEEN $1 AND $2`, args: []any{5, 9},
			lib: "SELECT id FROM todos WHERE id BETWEEN 5 AND 9"},
		{name: "required key", pg: `SELECT "postId", id, email FROM comments_by_post WHERE "postId" = $1`, args: []any{4},
			lib: "SELECT postId, id, email FROM comments_by_post WHERE postId = 4"},
		{name: "join and aggregate", pg: `SELECT u.name, COUNT(*) AS n FROM users u JOIN posts p ON p."userId" = u.id GROUP BY u.name ORDER BY u.name`,
			lib: "SELECT u.name, COUNT(*) AS n FROM users u JOIN posts p ON p.userId = u.id GROUP BY u.name ORDER BY u.name"},
		{name: "three-part name", pg: `SELECT id FROM "Demo"."API"."users" WHERE id < 4`, lib: "SELECT id FROM Demo.API.users WHERE id < 4"},
		{name: "string literal with quote and backslash", pg: `SELECT 'it''s a \ backslash' AS s FROM users WHERE id = 1`,
			lib: `SELECT 'it''s a \\ backslash' AS s FROM users WHERE id = 1`},
		{name: "E string and cast", pg: `SELECT E'tab\there' AS s, id::text AS t FROM users WHERE id = 1`,
			lib: "SELECT 'tab\there' AS s, CAST(id AS CHAR) AS t FROM users WHERE id = 1"},
		{name: "derived table probe", pg: `SELECT * FROM (SELECT id, title FROM posts WHERE id < 5) t WHERE 1=0`,
			lib: "SELECT * FROM (SELECT id, title FROM posts WHERE id < 5) t WHERE 1=0", cols: []string{"id", "title"}},
		{name: "system table", pg: `SELECT "TableName" FROM sys_tables WHERE "CatalogName" = $1 ORDER BY 1`, args: []any{"Demo"},
			lib: "SELECT TableName FROM sys_tables WHERE CatalogName = 'Demo' ORDER BY 1"},
		{name: "information_schema", pg: `SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'posts'`,
			lib: "SELECT column_name, data_type FROM pg_information_schema.columns WHERE table_name = 'posts'"},
		{name: "nullable datetime", pg: `SELECT id, "dueDate", completed FROM todos WHERE id <= 12 ORDER BY id`,
			lib: "SELECT id, dueDate, completed FROM todos WHERE id <= 12 ORDER BY id"},
		{name: "EXPLAIN with a parameter", pg: `EXPLAIN SELECT id FROM posts WHERE id = $1`, args: []any{3},
			lib: "EXPLAIN SELECT id FROM posts WHERE id = 3"},
		{name: "UNION", pg: `SELECT id FROM users WHERE id < $1 UNION SELECT id FROM posts WHERE id > $2`, args: []any{3, 98},
			lib: "SELECT id FROM users WHERE id < 3 UNION SELECT id FROM posts WHERE id > 98"},
		{name: "comment and semicolon", pg: "SELECT id FROM posts -- a comment\nWHERE id = 1 /* another */;", lib: "SELECT id FROM posts WHERE id = 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := libRows(t, e.lib, tc.lib, tc.libArgs...)
			for mode, c := range map[string]*pgx.Conn{"extended": extended, "simple": simple} {
				cols, got := pgxRows(t, c, tc.pg, tc.args...)
				require.Equal(t, sorted(want), sorted(got), "%s protocol: %s", mode, tc.pg)
				if tc.cols != nil {
					require.Equal(t, tc.cols, cols, mode)
				}
			}
		})
	}
}

// TestPartitionsArePushedDown checks that a Spark partition query reaches
// the API as a range, like any query of the library.
func TestPartitionsArePushedDown(t *testing.T) {
	e := startServer(t)
	c := e.connect(t, "")
	e.demo.ResetRequests()
	_, rows := pgxRows(t, c, `SELECT "id","title" FROM "posts" WHERE "id" >= 26 AND "id" < 51`)
	require.Len(t, rows, 25)
	var seen []string
	for _, r := range e.demo.Requests() {
		if r.Path == "/posts" {
			seen = append(seen, r.RawQuery)
		}
	}
	require.NotEmpty(t, seen)
	for _, q := range seen {
		require.Contains(t, q, "id_gte=26")
		require.Contains(t, q, "id_lte=50")
	}
}

// TestConcurrentClients runs 32 clients at once, each reading a different
// slice of a table, and checks every answer.
func TestConcurrentClients(t *testing.T) {
	e := startServer(t)
	const clients = 32
	var wg sync.WaitGroup
	errs := make(chan error, clients)
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), wait)
			defer cancel()
			c, err := pgx.Connect(ctx, e.connString(""))
			if err != nil {
				errs <- err
				return
			}
			defer c.Close(context.Background())
			lo := int64(i%10)*10 + 1
			for range 2 {
				rows, err := c.Query(ctx, `SELECT "id" FROM "posts" WHERE "id" >= $1 AND "id" < $2 ORDER BY "id"`, lo, lo+10)
				if err != nil {
					errs <- err
					return
				}
				ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
				if err != nil {
					errs <- err
					return
				}
				if len(ids) != 10 || ids[0] != lo || ids[9] != lo+9 {
					errs <- fmt.Errorf("client %d: ids %v", i, ids)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
}
