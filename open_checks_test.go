package restsql

import (
	"context"
	"database/sql"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// twoCatalogProfile writes a profile of two catalogs, API1 on url and
// Other on an unused port, each with a table items.
func twoCatalogProfile(t *testing.T, url, extra string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "api.yaml")
	profile := `catalogs:
  API1:
    url: ` + url + `
` + extra + `    schemas:
      API:
        tables:
          items:
            url: /items
            columns: [{name: id, type: int, key: true}, {name: name}]
  Other:
    url: http://127.0.0.1:1
    schemas:
      API:
        tables:
          things:
            url: /things
            columns: [{name: id, type: int}]
`
	require.NoError(t, os.WriteFile(path, []byte(profile), 0o644))
	return path
}

// The hosted connector's documented connection string runs as written:
// ${} is resolved in every property, defaultCatalog included.
func TestDocumentedConnectionStringRunsAsWritten(t *testing.T) {
	want := "Basic " + base64.StdEncoding.EncodeToString([]byte("ann:s3cret"))
	api := newCredAPI(t, func(r *http.Request) bool { return r.Header.Get("Authorization") == want })
	t.Setenv("Username", "ann")
	t.Setenv("Password", "s3cret")
	t.Setenv("defaultCatalog", "API1")
	t.Setenv("SCHEMA", "API")
	t.Setenv("PROFILE", twoCatalogProfile(t, api.URL, ""))
	db, err := sql.Open("restsql", "jdbc:cdata:Connect:AuthScheme=Basic;User=${Username};Password=${Password};defaultCatalog=${defaultCatalog};defaultSchema=${SCHEMA};Profile=${PROFILE}")
	require.NoError(t, err)
	defer db.Close()
	ids, err := queryIDs(t, db, "SELECT id, name FROM items")
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2}, ids)
	reqs := api.requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "/items", reqs[0].Path)
	assert.Equal(t, want, reqs[0].Header.Get("Authorization"))
}

// Number and enumeration properties take placeholders too: they are kept
// by ParseDSN and FormatDSN, and resolved and checked at open.
func TestPlaceholdersInNumberAndEnumProperties(t *testing.T) {
	dsn := "AuthScheme=${SCHEME};Token=t;Timeout=${T};MaxRetries=${R};QueryTimeout=${QT};FixtureMode=${MODE}"
	cfg, err := ParseDSN(dsn)
	require.NoError(t, err)
	assert.Equal(t, "AuthScheme=${SCHEME};Token=t;Timeout=${T};MaxRetries=${R};FixtureMode=${MODE};QueryTimeout=${QT}", cfg.FormatDSN())

	api := newCredAPI(t, func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer t" })
	cfg.Catalogs = append(cfg.Catalogs, itemsCatalog("C", api.URL, nil))
	t.Setenv("SCHEME", "bearer")
	t.Setenv("T", "2.5")
	t.Setenv("R", "1")
	t.Setenv("QT", "30")
	t.Setenv("MODE", "off")
	c, err := NewConnector(cfg)
	require.NoError(t, err)
	got := c.(*connector).cfg
	assert.Equal(t, "Bearer", got.AuthScheme)
	assert.Equal(t, 2500*time.Millisecond, got.Timeout)
	assert.Equal(t, 1, got.MaxRetries)
	assert.Equal(t, 30*time.Second, got.QueryTimeout)
	db := sql.OpenDB(c)
	defer db.Close()
	ids, err := queryIDs(t, db, "SELECT id FROM items")
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2}, ids)
	assert.Equal(t, "Bearer t", api.requests()[0].Header.Get("Authorization"))

	for _, tc := range []struct{ env, value, err string }{
		{"T", "soon", `restsql: dsn: Timeout (${T}): invalid number "soon"`},
		{"R", "-1", `restsql: dsn: MaxRetries (${R}): -1 is out of range (want 0 or more)`},
		{"SCHEME", "Kerberos", `restsql: dsn: AuthScheme: unknown scheme "Kerberos"`},
		{"MODE", "replay", `restsql: dsn: FixtureMode replay needs Fixtures`},
	} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv(tc.env, tc.value)
			_, err := NewConnector(cfg)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
	t.Run("unset", func(t *testing.T) {
		cfg, err := ParseDSN("Timeout=${NOT_SET_ANYWHERE_42}")
		require.NoError(t, err)
		cfg.Catalogs = append(cfg.Catalogs, itemsCatalog("C", api.URL, nil))
		_, err = NewConnector(cfg)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "restsql: dsn: Timeout: ")
		assert.Contains(t, err.Error(), "NOT_SET_ANYWHERE_42")
	})
}

// A DSN URL without scheme or host fails at open, naming the key URL.
func TestDSNURLCheckedAtOpen(t *testing.T) {
	profile := twoCatalogProfile(t, "http://127.0.0.1:1", "")
	for _, tc := range []struct{ url, err string }{
		{"localhost:3300", `restsql: dsn: URL: "localhost:3300" has no scheme and host (want a scheme and a host: http://localhost:3300?)`},
		{"127.0.0.1:3300/v1", `restsql: dsn: URL: "127.0.0.1:3300/v1" is not a URL (want a scheme and a host: http://127.0.0.1:3300/v1?)`},
		{"/v1", `restsql: dsn: URL: "/v1" has no scheme and host (want a scheme and a host: http://v1?)`},
		{"http://", `restsql: dsn: URL: "http://" has no scheme and host (want http://host[:port][/path])`},
		{"ftp://files.example.com", `restsql: dsn: URL: "ftp://files.example.com": scheme "ftp" is not http or https`},
		{"${NO_SUCH_URL_VAR}", `restsql: dsn: URL: `},
		{"http://127.0.0.1:3300/v1", ""},
		{"HTTPS://api.example.com", ""},
	} {
		t.Run(tc.url, func(t *testing.T) {
			db, err := sql.Open("restsql", "Profile="+profile+";defaultCatalog=API1;URL='"+tc.url+"'")
			if tc.err == "" {
				require.NoError(t, err)
				require.NoError(t, db.Close())
				return
			}
			require.Error(t, err)
			assert.True(t, strings.HasPrefix(err.Error(), tc.err), "got %v", err)
		})
	}
}

// pingAPI records the method and path of each request; /health answers
// 200 only with the token.
type pingAPI struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newPingAPI(t *testing.T) *pingAPI {
	a := &pingAPI{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.seen = append(a.seen, r.Method+" "+r.URL.Path+" "+r.Header.Get("Authorization"))
		a.mu.Unlock()
		if r.URL.Path == "/v1/health" && r.Header.Get("Authorization") != "Bearer good" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"bad token ` + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ") + `"}`))
			return
		}
		if r.URL.Path == "/v1/health" {
			return // 200
		}
		w.WriteHeader(http.StatusNotFound) // HEAD / of many APIs: still an answer
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *pingAPI) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

func TestPingChecksTheDefaultCatalog(t *testing.T) {
	ctx := context.Background()
	t.Run("up, no ping URL: HEAD of the base URL, any answer", func(t *testing.T) {
		api := newPingAPI(t)
		db, err := sql.Open("restsql", "Profile="+twoCatalogProfile(t, api.URL+"/v1", "")+";defaultCatalog=API1")
		require.NoError(t, err)
		defer db.Close()
		require.NoError(t, db.PingContext(ctx))
		assert.Equal(t, []string{"HEAD /v1 "}, api.requests())
	})
	t.Run("down", func(t *testing.T) {
		api := newPingAPI(t)
		url := api.URL
		api.Close()
		db, err := sql.Open("restsql", "Profile="+twoCatalogProfile(t, url, "")+";defaultCatalog=API1")
		require.NoError(t, err)
		defer db.Close()
		err = db.PingContext(ctx)
		require.Error(t, err)
		assert.True(t, strings.HasPrefix(err.Error(), "restsql: ping: catalog API1: HEAD "+url+": "), "got %v", err)
	})
	t.Run("ping URL with auth", func(t *testing.T) {
		api := newPingAPI(t)
		profile := twoCatalogProfile(t, api.URL+"/v1", "    ping: /health\n")
		db, err := sql.Open("restsql", "Profile="+profile+";defaultCatalog=API1;AuthScheme=Bearer;Token=good")
		require.NoError(t, err)
		defer db.Close()
		require.NoError(t, db.PingContext(ctx))
		assert.Equal(t, []string{"GET /v1/health Bearer good"}, api.requests())

		bad, err := sql.Open("restsql", "Profile="+profile+";defaultCatalog=API1;AuthScheme=Bearer;Token=wrong-token-123")
		require.NoError(t, err)
		defer bad.Close()
		err = bad.PingContext(ctx)
		require.Error(t, err)
		assert.Equal(t, `restsql: ping: catalog API1: GET `+api.URL+`/v1/health: HTTP 401 Unauthorized: {"error":"bad token ***"}`, err.Error())
		assert.NotContains(t, err.Error(), "wrong-token-123")
	})
	t.Run("replay sends nothing", func(t *testing.T) {
		api := newPingAPI(t)
		dir := t.TempDir()
		db, err := sql.Open("restsql", "Profile="+twoCatalogProfile(t, api.URL, "    ping: /health\n")+";defaultCatalog=API1;Fixtures="+dir+";FixtureMode=replay")
		require.NoError(t, err)
		defer db.Close()
		require.NoError(t, db.PingContext(ctx))
		assert.Empty(t, api.requests())
	})
}

// QueryTimeout ends a query against a hung API, whatever the retries, with
// an error that names the request that hung.
func TestQueryTimeoutNamesTheHungRequest(t *testing.T) {
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer hung.Close()
	cfg := NewConfig()
	cfg.Timeout = 0 // no per-request limit: only the query's
	cfg.QueryTimeout = 100 * time.Millisecond
	cfg.Catalogs = []*catalog.Catalog{itemsCatalog("C", hung.URL, nil)}
	db := openConfig(t, cfg, nil)
	_, err := queryIDs(t, db, "SELECT id FROM items")
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var qt *QueryTimeoutError
	require.True(t, errors.As(err, &qt), "got %v", err)
	assert.Equal(t, []string{"GET " + hung.URL + "/items"}, qt.Waiting)
	// The request's own error names it too ("restsource: GET …/items: …")
	// when it reaches the reader before the query's end does.
	assert.True(t, strings.HasSuffix(err.Error(), "restsql: the query did not finish within its QueryTimeout of 100ms (waiting for GET "+hung.URL+"/items)"), "got %v", err)
}

// The requests noted for a QueryTimeout hide their secret parameters.
func TestQueryTimeoutHidesSecretParameters(t *testing.T) {
	hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer hung.Close()
	cfg := NewConfig()
	cfg.Timeout = 0
	cfg.QueryTimeout = 50 * time.Millisecond
	cat := itemsCatalog("C", hung.URL, nil)
	cat.Params = map[string]string{"api_key": "k-123456789"}
	cfg.Catalogs = []*catalog.Catalog{cat}
	db := openConfig(t, cfg, nil)
	_, err := queryIDs(t, db, "SELECT id FROM items")
	var qt *QueryTimeoutError
	require.ErrorAs(t, err, &qt)
	require.Len(t, qt.Waiting, 1)
	assert.Equal(t, "GET "+hung.URL+"/items?api_key=***", qt.Waiting[0])
	assert.NotContains(t, err.Error(), "k-123456789")
}
