package restsql_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
)

// rowsAPI serves /items in pages of 2 (page pagination, "total" in the
// body) with an ETag per version, page and credential, and Cache-Control
// no-cache, so a cache revalidates every page (If-None-Match, 304). Its
// rows have every type, NULLs, escapes, a nested object and child rows. A
// POST adds a row (a new version). It records each request's credential
// and If-None-Match and the status it answered.
type rowsAPI struct {
	*httptest.Server
	mu      sync.Mutex
	version int
	extra   int // rows added by POST
	seen    []string
}

func newRowsAPI(t *testing.T) *rowsAPI {
	a := &rowsAPI{version: 1}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

func (a *rowsAPI) row(i int, who string) string {
	name := fmt.Sprintf(`"%s row %d \"q\" \u00e9\t%d"`, who, i, a.version)
	if i == 3 {
		name = "null"
	}
	created := fmt.Sprintf(`"2024-0%d-0%dT10:11:12+02:00"`, i%9+1, i%9+1)
	if i == 2 {
		created = "null"
	}
	qty := strconv.Itoa(i * a.version)
	if i%2 == 0 {
		qty = "null"
	}
	var lines []string
	for j := 0; j < i%3; j++ {
		lines = append(lines, fmt.Sprintf(`{"sku":"s%d-%d","n":%d}`, i, j, j+a.version))
	}
	return fmt.Sprintf(`{"id":%d,"price":%d.25,"name":%s,"active":%v,"created":%s,"owner":{"address":{"city":"C%d","zip":"Z%d"}},"qty":%s,"lines":[%s]}`,
		i, i*a.version, name, i%2 == 1, created, i, i, qty, strings.Join(lines, ","))
}

func (a *rowsAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	defer a.mu.Unlock()
	who := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	if r.Method == http.MethodPost {
		a.seen = append(a.seen, who+" POST")
		a.extra++
		a.version++
		w.WriteHeader(http.StatusCreated)
		fmt.Fprint(w, `{"id":100}`)
		return
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 1)
	n := 5 + a.extra
	tag := fmt.Sprintf(`"v%d-p%d-%s"`, a.version, page, who)
	w.Header().Set("ETag", tag)
	w.Header().Set("Cache-Control", "no-cache")
	if r.Header.Get("If-None-Match") == tag {
		a.seen = append(a.seen, fmt.Sprintf("%s page %d 304", who, page))
		w.WriteHeader(http.StatusNotModified)
		return
	}
	a.seen = append(a.seen, fmt.Sprintf("%s page %d 200", who, page))
	var rows []string
	for i := (page-1)*2 + 1; i <= min(page*2, n); i++ {
		rows = append(rows, a.row(i, who))
	}
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"data":[%s],"total":%d}`, strings.Join(rows, ","), n)
}

// requests returns what the API saw since the last call, sorted (pages
// are fetched at once).
func (a *rowsAPI) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.seen
	a.seen = nil
	sort.Strings(out)
	return out
}

func (a *rowsAPI) bump() {
	a.mu.Lock()
	a.version++
	a.mu.Unlock()
}

// rowsProfile has, for each token, the tables items (every type), items_zip
// (the same URL, city read from another path) and lines (child rows).
func rowsProfile(url string, tokens ...string) string {
	var b strings.Builder
	b.WriteString("catalogs:\n")
	for _, tok := range tokens {
		fmt.Fprintf(&b, `  %s:
    url: %s
    auth: {scheme: Bearer, token: %s}
    pagination: {type: page, pageParam: page, sizeParam: per_page, pageSize: 2, totalPath: total}
    schemas:
      S:
        tables:
          items:
            url: /items
            rows: data
            insert: {method: POST, url: /items}
            columns:
              - {name: id, type: int, key: true, readOnly: true}
              - {name: price, type: float}
              - {name: name}
              - {name: active, type: bool}
              - {name: created, type: datetime}
              - {name: city, path: owner.address.city}
              - {name: qty, type: int}
          items_zip:
            url: /items
            rows: data
            columns:
              - {name: id, type: int}
              - {name: city, path: owner.address.zip}
          children:
            url: /items
            rows: data
            each: lines
            keepEmpty: true
            columns:
              - {name: item, path: ^.id, type: int}
              - {name: city, path: ^.owner.address.city}
              - {name: sku}
              - {name: n, type: int}
`, strings.ToUpper(tok), url, tok)
	}
	return b.String()
}

// allRows reads a query's rows as the driver's values.
func allRows(t *testing.T, db *sql.DB, q string) [][]any {
	t.Helper()
	rows, err := db.Query(q)
	require.NoError(t, err, q)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		out = append(out, vals)
	}
	require.NoError(t, rows.Err())
	return out
}

// cacheRowsStats sums sys_cache's rows_bytes and rows_hits.
func cacheRowsStats(t *testing.T, db *sql.DB) (bytes, hits int64) {
	t.Helper()
	require.NoError(t, db.QueryRow("SELECT COALESCE(SUM(rows_bytes), 0), COALESCE(SUM(rows_hits), 0) FROM sys_cache").Scan(&bytes, &hits))
	return bytes, hits
}

// TestCacheKeepsRows: with a response cache, the rows read from a cached
// body are kept beside it, and a revalidated page (304) answers with them
// without reading the body again: the rows are those of an uncached read,
// for every type, NULLs, nested paths and child rows, for every column
// list and path (each its own), and never a replaced body's or another
// credential's.
func TestCacheKeepsRows(t *testing.T) {
	api := newRowsAPI(t)
	plain := openWriteProfile(t, rowsProfile(api.URL, "a"))
	cached := openWriteProfile(t, rowsProfile(api.URL, "a", "b"), func(cfg *restsql.Config) {
		cfg.Cache = "memory"
	})
	queries := []struct {
		name, sql string
		rows      int
	}{
		{"every type", "SELECT * FROM A.S.items", 5},
		{"another column list", "SELECT qty, name, id FROM A.S.items", 5},
		{"a nested path", "SELECT id, city FROM A.S.items", 5},
		{"the same column from another path", "SELECT id, city FROM A.S.items_zip", 5},
		{"child rows", "SELECT * FROM A.S.children", 1 + 2 + 1 + 1 + 2},
		{"filtered in the driver", "SELECT name, created FROM A.S.items WHERE qty IS NULL", 2},
	}
	check := func(t *testing.T) {
		for _, q := range queries {
			t.Run(q.name, func(t *testing.T) {
				want := allRows(t, plain, q.sql)
				require.Len(t, want, q.rows)
				api.requests()
				for i := 0; i < 3; i++ {
					got := allRows(t, cached, q.sql)
					assert.Equal(t, want, got, "read %d", i+1)
				}
				seen := api.requests()
				require.Len(t, seen, 9, "3 pages, 3 reads")
				n304 := 0
				for _, s := range seen {
					if strings.HasSuffix(s, " 304") {
						n304++
					}
				}
				assert.GreaterOrEqual(t, n304, 6, "the later reads revalidate: %v", seen)
			})
		}
	}
	check(t)
	bytes, hits := cacheRowsStats(t, cached)
	assert.Positive(t, bytes, "rows are kept beside the bodies")
	// Each query's second and third reads take their 3 pages' rows from
	// the cache (the first query's first read stored the bodies; the
	// others' first reads found them but not their rows).
	assert.Equal(t, int64(len(queries)*2*3), hits)

	// A new version: every page answers 200 with a new body, whose rows
	// are read, never the old body's.
	for _, q := range queries {
		api.bump()
		want := allRows(t, plain, q.sql)
		api.requests()
		assert.Equal(t, want, allRows(t, cached, q.sql), q.name)
		assert.Equal(t, []string{"a page 1 200", "a page 2 200", "a page 3 200"}, api.requests(), q.name)
		assert.Equal(t, want, allRows(t, cached, q.sql), q.name)
		assert.Equal(t, []string{"a page 1 304", "a page 2 304", "a page 3 304"}, api.requests(), q.name)
	}

	// A write drops the table's entries and their rows: the next read
	// sends plain requests and sees the new row.
	_, err := cached.Exec("INSERT INTO A.S.items (name) VALUES ('new')")
	require.NoError(t, err)
	assert.Equal(t, []string{"a POST"}, api.requests())
	want := allRows(t, plain, "SELECT * FROM A.S.items")
	require.Len(t, want, 6)
	api.requests()
	assert.Equal(t, want, allRows(t, cached, "SELECT * FROM A.S.items"))
	assert.Equal(t, []string{"a page 1 200", "a page 2 200", "a page 3 200"}, api.requests(), "no If-None-Match: the entries were dropped")

	// Another credential: the same URLs, its own entries and rows.
	for i := 0; i < 2; i++ {
		got := allRows(t, cached, "SELECT name FROM B.S.items WHERE id = 1")
		require.Len(t, got, 1)
		assert.Contains(t, got[0][0], "b row 1", "never token a's rows")
	}
	seen := api.requests()
	assert.Equal(t, []string{"b page 1 200", "b page 1 304", "b page 2 200", "b page 2 304", "b page 3 200", "b page 3 304"}, seen)
}
