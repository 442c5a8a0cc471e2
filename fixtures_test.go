package restsql_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
	"github.com/restsql/restsql/fixtures"
)

// Secrets of the guarded demo API: its query-parameter key, a header
// holding a ${} value and a Bearer token.
const (
	fixtureKey    = "query-k3y-7f1e9a"
	fixtureTenant = "tenant-s3cret-42b8"
	fixtureToken  = "bearer-t0ken-c0ffee"
)

// guardedDemo serves the demo API behind three credentials.
func guardedDemo(t *testing.T) (*httptest.Server, *demoapi.Server) {
	t.Helper()
	api := demoapi.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("api_token") != fixtureKey || r.Header.Get("X-Tenant-Secret") != fixtureTenant ||
			r.Header.Get("Authorization") != "Bearer "+fixtureToken {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		api.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, api
}

// fixtureConfig is a Config for the guarded demo API at baseURL whose
// credentials come from a SecretsFile.
func fixtureConfig(t *testing.T, baseURL, dsn string) *restsql.Config {
	t.Helper()
	secrets := filepath.Join(t.TempDir(), "secrets.json")
	data, err := json.Marshal(map[string]string{"ApiKey": fixtureKey, "Tenant": fixtureTenant, "Token": fixtureToken})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(secrets, data, 0o600))
	cfg, err := restsql.ParseDSN(dsn + ";SecretsFile=" + secrets + ";Token=${Token}")
	require.NoError(t, err)
	cat, err := demoapi.Catalog(baseURL)
	require.NoError(t, err)
	cat.Params = map[string]string{"api_token": "${ApiKey}"}
	cat.Headers["X-Tenant-Secret"] = "${Tenant}"
	cat.Auth = &catalog.Auth{Scheme: "Bearer", Token: "${Token}"}
	cfg.Catalogs = []*catalog.Catalog{cat}
	return cfg
}

// fixtureQueries are read while recording and again while replaying.
var fixtureQueries = []string{
	"SELECT id, title FROM posts WHERE userId = 2 ORDER BY id DESC LIMIT 4",
	"SELECT id, name, phone, website FROM users WHERE id IN (3, 1, 7)",
	"SELECT u.name, COUNT(*) AS n FROM users u JOIN posts p ON p.userId = u.id WHERE u.id <= 3 GROUP BY u.name ORDER BY u.name",
	"SELECT id, completed, dueDate FROM todos WHERE userId = 1 AND id >= 5 ORDER BY id LIMIT 6",
	"SELECT postId, email FROM comments_by_post WHERE postId IN (4, 9)",
}

// readAll runs every query and returns its rows, printed.
func readAll(t *testing.T, db *sql.DB) map[string][][]string {
	t.Helper()
	out := map[string][][]string{}
	for _, q := range fixtureQueries {
		rows, err := db.QueryContext(context.Background(), q)
		require.NoError(t, err, q)
		cols, err := rows.Columns()
		require.NoError(t, err)
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			require.NoError(t, rows.Scan(ptrs...))
			r := make([]string, len(vals))
			for i, v := range vals {
				if tm, ok := v.(time.Time); ok {
					v = tm.Format(time.RFC3339Nano)
				}
				r[i] = fmt.Sprint(v)
			}
			out[q] = append(out[q], r)
		}
		require.NoError(t, rows.Err(), q)
		require.NoError(t, rows.Close())
		require.NotEmpty(t, out[q], q)
	}
	return out
}

func TestFixturesRecordThenReplayOffline(t *testing.T) {
	srv, api := guardedDemo(t)
	dir := filepath.Join(t.TempDir(), "fixtures")

	recCfg := fixtureConfig(t, srv.URL, "Fixtures="+dir+";FixtureMode=record")
	conn, err := restsql.NewConnector(recCfg)
	require.NoError(t, err)
	db := sql.OpenDB(conn)
	recorded := readAll(t, db)
	require.NoError(t, db.Close())
	sent := len(api.Requests())
	require.Positive(t, sent)
	srv.Close()

	// One cassette for the one catalog, and no secret in it.
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	require.NoError(t, err)
	require.Equal(t, []string{filepath.Join(dir, "Demo.yaml")}, files)
	data, err := os.ReadFile(files[0])
	require.NoError(t, err)
	for _, secret := range []string{fixtureKey, fixtureTenant, fixtureToken} {
		assert.NotContains(t, string(data), secret)
	}
	assert.Contains(t, string(data), "api_token=***")

	// Replay with the server gone: the same rows.
	repCfg := fixtureConfig(t, srv.URL, "Fixtures="+dir+";FixtureMode=replay")
	conn, err = restsql.NewConnector(repCfg)
	require.NoError(t, err)
	db = sql.OpenDB(conn)
	defer db.Close()
	assert.Equal(t, recorded, readAll(t, db))
	assert.Len(t, api.Requests(), sent, "replay reached the server")

	// A query that was not recorded names its request, without secrets.
	_, err = db.QueryContext(context.Background(), "SELECT id FROM posts WHERE userId = 9")
	require.Error(t, err)
	assert.ErrorIs(t, err, fixtures.ErrNoRecording)
	assert.Contains(t, err.Error(), "no recording of GET "+srv.URL+"/posts?")
	assert.Contains(t, err.Error(), "userId=9")
	assert.Contains(t, err.Error(), "Demo.yaml")
	for _, secret := range []string{fixtureKey, fixtureTenant, fixtureToken} {
		assert.NotContains(t, err.Error(), secret)
	}
}

func TestFixturesWrapTheConfiguredClient(t *testing.T) {
	srv, _ := guardedDemo(t)
	dir := t.TempDir()
	var seen int
	cfg := fixtureConfig(t, srv.URL, "Fixtures="+dir+";FixtureMode=record")
	cfg.HTTPClient = &http.Client{Transport: fixtureRoundTrip(func(r *http.Request) (*http.Response, error) {
		seen++
		return http.DefaultTransport.RoundTrip(r)
	})}
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(conn)
	defer db.Close()
	var n int
	require.NoError(t, db.QueryRow("SELECT COUNT(*) FROM users").Scan(&n))
	assert.Equal(t, 10, n)
	assert.Equal(t, 1, seen, "record mode sends through the configured client's transport")
	assert.FileExists(t, filepath.Join(dir, "Demo.yaml"))
}

func TestFixturesReplayNeedsTheDirectory(t *testing.T) {
	cfg := fixtureConfig(t, "http://127.0.0.1:1", "Fixtures="+filepath.Join(t.TempDir(), "none")+";FixtureMode=replay")
	_, err := restsql.NewConnector(cfg)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fixtures: replay")
	assert.Contains(t, err.Error(), "record it first")
}

type fixtureRoundTrip func(*http.Request) (*http.Response, error)

func (f fixtureRoundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestFixturesOneCassettePerCatalog(t *testing.T) {
	serve := func(body string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, body)
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	shop := serve(`[{"id":1,"customer":7},{"id":2,"customer":8}]`)
	crm := serve(`[{"id":7,"name":"Ann"},{"id":8,"name":"Bo"}]`)
	profile := filepath.Join(t.TempDir(), "two.yaml")
	require.NoError(t, os.WriteFile(profile, []byte(`
catalogs:
  Shop:
    url: `+shop.URL+`/v1
    schemas: {S: {tables: {orders: {url: /orders, columns: [{name: id, type: int}, {name: customer, type: int}]}}}}
  CRM:
    url: `+crm.URL+`
    schemas: {S: {tables: {people: {url: /people, columns: [{name: id, type: int}, {name: name}]}}}}
`), 0o644))
	dir := t.TempDir()
	const q = "SELECT o.id, p.name FROM Shop.S.orders o JOIN CRM.S.people p ON p.id = o.customer ORDER BY o.id"
	read := func(mode string) [][]any {
		db, err := sql.Open("restsql", "Profile="+profile+";Fixtures="+dir+";FixtureMode="+mode)
		require.NoError(t, err)
		defer db.Close()
		rows, err := db.Query(q)
		require.NoError(t, err)
		defer rows.Close()
		var out [][]any
		for rows.Next() {
			var id int64
			var name string
			require.NoError(t, rows.Scan(&id, &name))
			out = append(out, []any{id, name})
		}
		require.NoError(t, rows.Err())
		return out
	}
	recorded := read(restsql.FixtureRecord)
	assert.Equal(t, [][]any{{int64(1), "Ann"}, {int64(2), "Bo"}}, recorded)
	shop.Close()
	crm.Close()
	assert.Equal(t, recorded, read(restsql.FixtureReplay))

	for file, want := range map[string]string{"Shop.yaml": shop.URL + "/v1/orders", "CRM.yaml": crm.URL + "/people"} {
		data, err := os.ReadFile(filepath.Join(dir, file))
		require.NoError(t, err, file)
		assert.Contains(t, string(data), "url: "+want, file)
		assert.Equal(t, 1, strings.Count(string(data), "url: "), file)
	}
}
