package restsql_test

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
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

	"github.com/restsql/restsql"
)

// column reads the first column of a query's rows as strings.
func column(t *testing.T, db *sql.DB, q string) []string {
	t.Helper()
	rows, err := db.Query(q)
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		out = append(out, s)
	}
	require.NoError(t, rows.Err())
	return out
}

// postsAPI serves GET /posts?userId= and POST /posts from memory, with no
// caching fields at all (CacheTTL decides), counting the requests.
type postsAPI struct {
	*httptest.Server
	mu       sync.Mutex
	titles   []string
	requests int
}

func newPostsAPI(t *testing.T) *postsAPI {
	a := &postsAPI{titles: []string{"a", "b"}}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		a.requests++
		if r.Method == http.MethodPost {
			var row struct{ Title string }
			_ = json.NewDecoder(r.Body).Decode(&row)
			a.titles = append(a.titles, row.Title)
			w.WriteHeader(http.StatusCreated)
			fmt.Fprintf(w, `{"id":%d}`, len(a.titles))
			return
		}
		var b strings.Builder
		b.WriteString("[")
		for i, title := range a.titles {
			if i > 0 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"id":%d,"userId":1,"title":%q}`, i+1, title)
		}
		b.WriteString("]")
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, b.String())
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *postsAPI) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	n := a.requests
	a.requests = 0
	return n
}

// TestCacheRepeatAndWrite: with Cache=memory, a repeated query within
// CacheTTL sends nothing; a write through the driver drops the table's
// entries, so the next read sees it; sys_cache lists the entries and the
// log (Verbosity 2) the hits.
func TestCacheRepeatAndWrite(t *testing.T) {
	srv := newPostsAPI(t)
	logPath := filepath.Join(t.TempDir(), "log")
	db := openWriteProfile(t, fmt.Sprintf(`
catalogs:
  W:
    url: %s
    auth: {scheme: Bearer, token: tok}
    schemas:
      API:
        tables:
          posts:
            url: /posts
            columns:
              - {name: id, type: int, key: true, readOnly: true}
              - {name: userId, type: int, filters: {"=": {param: userId, exact: true}}}
              - {name: title}
            insert: {method: POST, url: /posts}
`, srv.URL), func(cfg *restsql.Config) {
		cfg.Cache, cfg.CacheTTL = "memory", time.Hour
		cfg.Logfile, cfg.Verbosity = logPath, 2
	})
	const q = "SELECT title FROM posts WHERE userId = 1 ORDER BY id"
	assert.Equal(t, []string{"a", "b"}, column(t, db, q))
	assert.Equal(t, 1, srv.count())
	assert.Equal(t, []string{"a", "b"}, column(t, db, q))
	assert.Zero(t, srv.count(), "a repeated query within CacheTTL sends no request")

	_, err := db.Exec("INSERT INTO posts (userId, title) VALUES (1, 'c')")
	require.NoError(t, err)
	assert.Equal(t, 1, srv.count())
	assert.Equal(t, []string{"a", "b", "c"}, column(t, db, q), "the write dropped the table's entries")
	assert.Equal(t, 1, srv.count())

	rows, err := db.Query("SELECT table_name, url, status FROM sys_cache")
	require.NoError(t, err)
	defer rows.Close()
	n := 0
	for rows.Next() {
		var table, url string
		var status int64
		require.NoError(t, rows.Scan(&table, &url, &status))
		assert.Equal(t, "W.API.posts", table)
		assert.Contains(t, url, srv.URL+"/posts?")
		assert.Equal(t, int64(200), status)
		n++
	}
	require.NoError(t, rows.Err())
	assert.Positive(t, n)
	log, err := os.ReadFile(logPath)
	require.NoError(t, err)
	assert.Contains(t, string(log), "restsql: cache hit")
	assert.Contains(t, string(log), "restsql: cache invalidated")
}

// etagAPI serves /items with an ETag and Cache-Control: no-cache (reuse
// only after revalidation), answering If-None-Match with 304; it records
// the requests' Authorization and conditional fields.
type etagAPI struct {
	*httptest.Server
	mu   sync.Mutex
	seen []string
}

func newETagAPI(t *testing.T) *etagAPI {
	a := &etagAPI{}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		a.seen = append(a.seen, r.Header.Get("Authorization")+" "+r.Header.Get("If-None-Match"))
		a.mu.Unlock()
		w.Header().Set("Cache-Control", "no-cache")
		etag := `"` + r.Header.Get("Authorization") + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `[{"id":1,"name":%q}]`, r.Header.Get("Authorization"))
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *etagAPI) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.seen
	a.seen = nil
	return out
}

// TestCacheRevalidatesAndSeparatesCredentials: a stale entry is
// revalidated (If-None-Match, 304, the stored rows); a directory cache is
// shared by connectors but one token's response never answers another's.
func TestCacheRevalidatesAndSeparatesCredentials(t *testing.T) {
	a := newETagAPI(t)
	dir := t.TempDir()
	open := func(token string) *sql.DB {
		return openWriteProfile(t, fmt.Sprintf(`
catalogs:
  C:
    url: %s
    auth: {scheme: Bearer, token: %s}
    schemas:
      S:
        tables:
          items: {url: /items, columns: [{name: id, type: int}, {name: name}]}
`, a.URL, token), func(cfg *restsql.Config) { cfg.Cache = dir })
	}
	dbA := open("a")
	assert.Equal(t, []string{"Bearer a"}, column(t, dbA, "SELECT name FROM items"))
	assert.Equal(t, []string{"Bearer a "}, a.requests())
	assert.Equal(t, []string{"Bearer a"}, column(t, dbA, "SELECT name FROM items"))
	assert.Equal(t, []string{`Bearer a "Bearer a"`}, a.requests(), "revalidated with If-None-Match, answered 304")

	dbB := open("b")
	assert.Equal(t, []string{"Bearer b"}, column(t, dbB, "SELECT name FROM items"), "never token a's rows")
	assert.Equal(t, []string{"Bearer b "}, a.requests(), "a plain request: no entry for token b")

	dbA2 := open("a")
	assert.Equal(t, []string{"Bearer a"}, column(t, dbA2, "SELECT name FROM items"))
	assert.Equal(t, []string{`Bearer a "Bearer a"`}, a.requests(), "token a's entry, from the directory")
}
