package restsql_test

// End-to-end tests against a real json-server 0.17.4 serving the demo API's
// data set, queried through examples/jsonplaceholder/profile.yaml. A
// recording reverse proxy sits between the driver and json-server, so every
// test asserts both the rows (computed here from the data set, in Go) and
// the HTTP requests json-server received.
//
// The tests skip when json-server is not available (see internal/jsonserver);
// under CI they fail instead. .ci/run installs it.

import (
	"database/sql"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	_ "github.com/restsql/restsql"
	"github.com/restsql/restsql/demoapi"
	"github.com/restsql/restsql/internal/jsonserver"
)

// e2eProfile is the profile under test, relative to the package directory
// (where go test runs).
const e2eProfile = "examples/jsonplaceholder/profile.yaml"

// e2ePageSize is the profile's page size (pagination.pageSize of API1).
const e2ePageSize = 20

// e2eRequest is one request json-server received through the proxy.
type e2eRequest struct {
	Method string
	Path   string
	Query  url.Values
}

// String is the request line without the host, with the query parameters
// in url.Values.Encode order (by name; repeated values in sent order).
func (r e2eRequest) String() string {
	s := r.Method + " " + r.Path
	if len(r.Query) > 0 {
		s += "?" + r.Query.Encode()
	}
	return s
}

// e2eRecorder is a reverse proxy in front of json-server that records the
// requests it forwards.
type e2eRecorder struct {
	mu   sync.Mutex
	reqs []e2eRequest
}

func (rec *e2eRecorder) record(r *http.Request) {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	rec.reqs = append(rec.reqs, e2eRequest{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query()})
}

// take returns the requests recorded so far and forgets them.
func (rec *e2eRecorder) take() []e2eRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	out := rec.reqs
	rec.reqs = nil
	return out
}

// e2eEnv is a json-server holding the demo data set, the recording proxy in
// front of it and a *sql.DB opened on the proxy.
type e2eEnv struct {
	db   *sql.DB
	rec  *e2eRecorder
	data map[string][]map[string]any
}

// newE2E starts json-server with the demo data set behind a recording proxy
// and opens restsql on it with the jsonplaceholder profile; extraDSN is
// appended to the DSN (such as ";PageSize=3").
func newE2E(t *testing.T, extraDSN string) *e2eEnv {
	t.Helper()
	data := demoapi.New().DB()
	base := jsonserver.Start(t, data) // skips (or fails under CI) without json-server
	target, err := url.Parse(base)
	require.NoError(t, err)

	rec := &e2eRecorder{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.record(r)
		proxy.ServeHTTP(w, r)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)

	db, err := sql.Open("restsql", "Profile="+e2eProfile+";URL="+srv.URL+extraDSN)
	require.NoError(t, err)
	t.Cleanup(func() { assert.NoError(t, db.Close()) })
	require.NoError(t, db.PingContext(t.Context()))
	rec.take() // whatever Ping may have sent
	return &e2eEnv{db: db, rec: rec, data: data}
}

// query runs q and returns its rows, each value normalised by e2eNorm. The
// requests it made are left in the recorder.
func (e *e2eEnv) query(t *testing.T, q string, args ...any) [][]any {
	t.Helper()
	rows, err := e.db.QueryContext(t.Context(), q, args...)
	require.NoError(t, err, q)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	out := [][]any{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...), q)
		for i, v := range vals {
			vals[i] = e2eNorm(v)
		}
		out = append(out, vals)
	}
	require.NoError(t, rows.Err(), q)
	require.NoError(t, rows.Close(), q)
	return out
}

// queryErr runs q, which must fail, reading all rows if it starts, and
// returns the error.
func (e *e2eEnv) queryErr(t *testing.T, q string, args ...any) error {
	t.Helper()
	rows, err := e.db.QueryContext(t.Context(), q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	err = rows.Err()
	require.Error(t, err, "%s succeeded", q)
	return err
}

// e2eNorm makes driver values and data-set values comparable: integers are
// int64, byte slices strings.
func e2eNorm(v any) any {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case []byte:
		return string(x)
	}
	return v
}

// e2eField returns the value at a dotted path of a data-set row; nil when
// the field is missing or null.
func e2eField(row map[string]any, path string) any {
	var cur any = row
	for _, part := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[part]
	}
	return e2eNorm(cur)
}

// e2eSelect returns the given fields of the rows of table that satisfy
// keep, in the data set's order (json-server's order without _sort).
func (e *e2eEnv) e2eSelect(table string, keep func(r map[string]any) bool, fields ...string) [][]any {
	out := [][]any{}
	for _, r := range e.data[table] {
		if keep != nil && !keep(r) {
			continue
		}
		vals := make([]any, len(fields))
		for i, f := range fields {
			vals[i] = e2eField(r, f)
		}
		out = append(out, vals)
	}
	return out
}

func e2eInt(r map[string]any, f string) int64 {
	v, _ := e2eField(r, f).(int64)
	return v
}

func e2eStr(r map[string]any, f string) string {
	v, _ := e2eField(r, f).(string)
	return v
}

// e2eLike is SQL LIKE as the driver defines it (MySQL's, with its default
// collation): % any run of characters, _ one character, case-insensitive,
// matching the whole value (newlines included). It is written here, apart from the driver's own, as
// the reference the results are checked against.
func e2eLike(s, pattern string) bool {
	str, pat := []rune(strings.ToLower(s)), []rune(strings.ToLower(pattern))
	// match[j] says whether str[:i] matches pat[:j], row by row.
	match := make([]bool, len(pat)+1)
	match[0] = true
	for j := 1; j <= len(pat) && pat[j-1] == '%'; j++ {
		match[j] = true
	}
	for i := 1; i <= len(str); i++ {
		next := make([]bool, len(pat)+1)
		for j := 1; j <= len(pat); j++ {
			switch pat[j-1] {
			case '%':
				next[j] = next[j-1] || match[j]
			case '_':
				next[j] = match[j-1]
			default:
				next[j] = match[j-1] && str[i-1] == pat[j-1]
			}
		}
		match = next
	}
	return match[len(pat)]
}

func TestE2ELikeReference(t *testing.T) {
	tests := []struct {
		s, pattern string
		want       bool
	}{
		{"Lorem ipsum", "lorem%", true},
		{"Lorem ipsum", "%IPSUM", true},
		{"Lorem ipsum", "lorem", false},
		{"Lorem ipsum", "_orem ipsum", true},
		{"Lorem ipsum", "_rem%", false},
		{"a\nb", "a_b", true},
		{"a\nb", "%a%b%", true},
		{"", "%", true},
		{"", "_", false},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, e2eLike(tt.s, tt.pattern), "%q LIKE %q", tt.s, tt.pattern)
	}
}

// e2eReq builds an expected GET request from a path and a query string.
func e2eReq(t *testing.T, path, rawQuery string) e2eRequest {
	t.Helper()
	q, err := url.ParseQuery(rawQuery)
	require.NoError(t, err)
	return e2eRequest{Method: http.MethodGet, Path: path, Query: q}
}

// e2ePages returns the expected page requests of a list scan: pages 1 to n
// of path with the fixed query parameters in rawQuery.
func e2ePages(t *testing.T, path, rawQuery string, n, size int) []e2eRequest {
	t.Helper()
	out := make([]e2eRequest, 0, n)
	for page := 1; page <= n; page++ {
		q := fmt.Sprintf("_page=%d&_limit=%d", page, size)
		if rawQuery != "" {
			q = rawQuery + "&" + q
		}
		out = append(out, e2eReq(t, path, q))
	}
	return out
}

// e2ePageCount is the number of page requests a scan of n matching rows
// makes: ceil(n/size), and at least one.
func e2ePageCount(n, size int) int {
	return max(1, (n+size-1)/size)
}

// assertRequests checks that the requests seen are want, in any order.
func assertRequests(t *testing.T, want, got []e2eRequest) {
	t.Helper()
	assert.ElementsMatch(t, e2eLines(want), e2eLines(got), "requests json-server received")
}

func e2eLines(reqs []e2eRequest) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.String()
	}
	sort.Strings(out)
	return out
}

// TestE2EPushdown checks that predicates, ORDER BY and LIMIT go to
// json-server as its URL parameters, and that the rows are the SQL answer.
func TestE2EPushdown(t *testing.T) {
	e := newE2E(t, "")
	postsBy := func(keep func(r map[string]any) bool) int {
		return len(e.e2eSelect("posts", keep, "id"))
	}

	tests := []struct {
		name    string
		query   string
		args    []any
		want    [][]any
		ordered bool
		reqs    func(t *testing.T) []e2eRequest
	}{
		{
			name:  "equality",
			query: "SELECT id, title FROM posts WHERE userId = 3",
			want:  e.e2eSelect("posts", func(r map[string]any) bool { return e2eInt(r, "userId") == 3 }, "id", "title"),
			reqs: func(t *testing.T) []e2eRequest {
				return e2ePages(t, "/posts", "userId=3", 1, e2ePageSize)
			},
		},
		{
			name:  "equality with a placeholder argument",
			query: "SELECT id, userId FROM posts WHERE userId = ?",
			args:  []any{4},
			want:  e.e2eSelect("posts", func(r map[string]any) bool { return e2eInt(r, "userId") == 4 }, "id", "userId"),
			reqs: func(t *testing.T) []e2eRequest {
				return e2ePages(t, "/posts", "userId=4", 1, e2ePageSize)
			},
		},
		{
			// 20 rows fill exactly one page: X-Total-Count says there is no second.
			name:  "IN repeats the parameter",
			query: "SELECT id, userId FROM posts WHERE userId IN (1, 2)",
			want: e.e2eSelect("posts", func(r map[string]any) bool {
				return e2eInt(r, "userId") == 1 || e2eInt(r, "userId") == 2
			}, "id", "userId"),
			reqs: func(t *testing.T) []e2eRequest {
				n := postsBy(func(r map[string]any) bool { return e2eInt(r, "userId") <= 2 })
				return e2ePages(t, "/posts", "userId=1&userId=2", e2ePageCount(n, e2ePageSize), e2ePageSize)
			},
		},
		{
			name:  "IN on a nested field",
			query: "SELECT id, name FROM users WHERE addressCity IN ('Boston', 'Stanford')",
			want: e.e2eSelect("users", func(r map[string]any) bool {
				c := e2eStr(r, "address.city")
				return c == "Boston" || c == "Stanford"
			}, "id", "name"),
			reqs: func(t *testing.T) []e2eRequest {
				return e2ePages(t, "/users", "address.city=Boston&address.city=Stanford", 1, e2ePageSize)
			},
		},
		{
			name:  "range: _gte and _lte",
			query: "SELECT id, userId FROM posts WHERE id >= 15 AND id <= 22",
			want: e.e2eSelect("posts", func(r map[string]any) bool {
				return e2eInt(r, "id") >= 15 && e2eInt(r, "id") <= 22
			}, "id", "userId"),
			reqs: func(t *testing.T) []e2eRequest {
				return e2ePages(t, "/posts", "id_gte=15&id_lte=22", 1, e2ePageSize)
			},
		},
		{
			name:  "BETWEEN becomes _gte and _lte",
			query: "SELECT id FROM comments WHERE postId BETWEEN 7 AND 9",
			want: e.e2eSelect("comments", func(r map[string]any) bool {
				return e2eInt(r, "postId") >= 7 && e2eInt(r, "postId") <= 9
			}, "id"),
			reqs: func(t *testing.T) []e2eRequest {
				return e2ePages(t, "/comments", "postId_gte=7&postId_lte=9", 1, e2ePageSize)
			},
		},
		{
			// json-server compares userId_lte numerically: "10" <= 3 is false.
			name:  "_ne and _lte",
			query: "SELECT id FROM posts WHERE userId != 1 AND userId <= 3",
			want: e.e2eSelect("posts", func(r map[string]any) bool {
				return e2eInt(r, "userId") != 1 && e2eInt(r, "userId") <= 3
			}, "id"),
			reqs: func(t *testing.T) []e2eRequest {
				n := postsBy(func(r map[string]any) bool { return e2eInt(r, "userId") != 1 && e2eInt(r, "userId") <= 3 })
				return e2ePages(t, "/posts", "userId_ne=1&userId_lte=3", e2ePageCount(n, e2ePageSize), e2ePageSize)
			},
		},
		{
			// SQL: NULL <> 'x' is unknown, so users without a website are
			// not rows; json-server's _ne skips null and missing fields alike.
			name:  "_ne on a field some rows lack",
			query: "SELECT id FROM users WHERE website <> 'turing.example'",
			want: e.e2eSelect("users", func(r map[string]any) bool {
				w, ok := e2eField(r, "website").(string)
				return ok && w != "turing.example"
			}, "id"),
			reqs: func(t *testing.T) []e2eRequest {
				return e2ePages(t, "/users", "website_ne=turing.example", 1, e2ePageSize)
			},
		},
		{
			name:    "ORDER BY a key column and LIMIT: one request",
			query:   "SELECT id, title FROM posts WHERE userId = 2 ORDER BY id DESC LIMIT 3",
			ordered: true,
			want: func() [][]any {
				all := e.e2eSelect("posts", func(r map[string]any) bool { return e2eInt(r, "userId") == 2 }, "id", "title")
				slices.SortFunc(all, func(a, b []any) int { return int(b[0].(int64) - a[0].(int64)) })
				return all[:3]
			}(),
			reqs: func(t *testing.T) []e2eRequest {
				return []e2eRequest{e2eReq(t, "/posts", "userId=2&_sort=id&_order=desc&_limit=3&_page=1")}
			},
		},
		{
			name:    "ORDER BY a key column ascending without a filter",
			query:   "SELECT id FROM todos ORDER BY id LIMIT 4",
			ordered: true,
			want:    e.e2eSelect("todos", func(r map[string]any) bool { return e2eInt(r, "id") <= 4 }, "id"),
			reqs: func(t *testing.T) []e2eRequest {
				return []e2eRequest{e2eReq(t, "/todos", "_sort=id&_order=asc&_limit=4&_page=1")}
			},
		},
		{
			// json-server sorts NULLs after every value (nulls: high), so
			// only key columns, never NULL, are sorted by the API; without a
			// pushed sort the LIMIT cannot be pushed either.
			name:    "ORDER BY a non-key column is sorted in the driver",
			query:   "SELECT id, title FROM posts ORDER BY title DESC, id LIMIT 3",
			ordered: true,
			want: func() [][]any {
				all := e.e2eSelect("posts", nil, "id", "title")
				slices.SortFunc(all, func(a, b []any) int {
					if c := strings.Compare(b[1].(string), a[1].(string)); c != 0 {
						return c
					}
					return int(a[0].(int64) - b[0].(int64))
				})
				return all[:3]
			}(),
			reqs: func(t *testing.T) []e2eRequest {
				return e2ePages(t, "/posts", "", e2ePageCount(len(e.data["posts"]), e2ePageSize), e2ePageSize)
			},
		},
		{
			// Values are URL-encoded: & and = stay inside the value.
			name:  "IN on a string column with reserved characters",
			query: "SELECT id, title FROM posts WHERE title IN (?, 'x&y=z #1')",
			args:  []any{e2eStr(e.data["posts"][11], "title")},
			want: e.e2eSelect("posts", func(r map[string]any) bool {
				return e2eStr(r, "title") == e2eStr(e.data["posts"][11], "title")
			}, "id", "title"),
			reqs: func(t *testing.T) []e2eRequest {
				q := url.Values{"title": {e2eStr(e.data["posts"][11], "title"), "x&y=z #1"}}
				return e2ePages(t, "/posts", q.Encode(), 1, e2ePageSize)
			},
		},
		{
			// Neither side of an OR can go to json-server, whose parameters
			// are ANDed: every page is read and the driver filters.
			name:  "OR is not pushed",
			query: "SELECT id FROM posts WHERE userId = 1 OR id = 50",
			want: e.e2eSelect("posts", func(r map[string]any) bool {
				return e2eInt(r, "userId") == 1 || e2eInt(r, "id") == 50
			}, "id"),
			reqs: func(t *testing.T) []e2eRequest {
				return e2ePages(t, "/posts", "", e2ePageCount(len(e.data["posts"]), e2ePageSize), e2ePageSize)
			},
		},
		{
			// The pushed half of an AND goes to the API; the OR stays.
			name:  "AND of a pushed filter and an OR",
			query: "SELECT id FROM posts WHERE userId = 5 AND (id = 41 OR id = 45 OR id = 99)",
			want: e.e2eSelect("posts", func(r map[string]any) bool {
				id := e2eInt(r, "id")
				return e2eInt(r, "userId") == 5 && (id == 41 || id == 45 || id == 99)
			}, "id"),
			reqs: func(t *testing.T) []e2eRequest {
				return e2ePages(t, "/posts", "userId=5", 1, e2ePageSize)
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.rec.take()
			got := e.query(t, tt.query, tt.args...)
			require.NotEmpty(t, tt.want, "the case should select some rows")
			if tt.ordered {
				assert.Equal(t, tt.want, got)
			} else {
				assert.ElementsMatch(t, tt.want, got)
			}
			assertRequests(t, tt.reqs(t), e.rec.take())
		})
	}
}

// TestE2ETypedValues checks that a value compared with a column goes to
// json-server in the column's JSON form. json-server compares a parameter
// with the string form of the field ("true", "3"), so a pushed value written
// otherwise ("1" for true, "3.0" for 3) would silently change the answer.
func TestE2ETypedValues(t *testing.T) {
	e := newE2E(t, "")
	completed := func(want bool) func(r map[string]any) bool {
		return func(r map[string]any) bool { return r["completed"] == want }
	}
	userID := func(keep func(id int64) bool) func(r map[string]any) bool {
		return func(r map[string]any) bool { return keep(e2eInt(r, "userId")) }
	}
	tests := []struct {
		query string
		table string
		keep  func(r map[string]any) bool
		// accepted maps each query parameter the driver may push to the
		// values json-server must then receive; a request without any of
		// them reads the whole table and leaves the filter to the driver.
		accepted url.Values
	}{
		{query: "SELECT id FROM todos WHERE completed = true", table: "todos", keep: completed(true),
			accepted: url.Values{"completed": {"true"}}},
		{query: "SELECT id FROM todos WHERE completed = 1", table: "todos", keep: completed(true),
			accepted: url.Values{"completed": {"true"}}},
		{query: "SELECT id FROM todos WHERE completed != 0", table: "todos", keep: completed(true),
			accepted: url.Values{"completed_ne": {"false"}}},
		{query: "SELECT id FROM todos WHERE completed = false", table: "todos", keep: completed(false),
			accepted: url.Values{"completed": {"false"}}},
		{query: "SELECT id FROM posts WHERE userId = '3'", table: "posts", keep: userID(func(id int64) bool { return id == 3 }),
			accepted: url.Values{"userId": {"3"}}},
		{query: "SELECT id FROM posts WHERE userId = 3.0", table: "posts", keep: userID(func(id int64) bool { return id == 3 }),
			accepted: url.Values{"userId": {"3"}}},
		{query: "SELECT id FROM posts WHERE userId = 3.5", table: "posts", keep: userID(func(id int64) bool { return false }),
			accepted: url.Values{"userId": {"3.5"}}},
		{query: "SELECT id FROM posts WHERE userId >= 2.5", table: "posts", keep: userID(func(id int64) bool { return id >= 3 }),
			accepted: url.Values{"userId_gte": {"2.5", "3"}}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			e.rec.take()
			got := e.query(t, tt.query)
			want := e.e2eSelect(tt.table, tt.keep, "id")
			assert.Equal(t, want, got)

			reqs := e.rec.take()
			require.NotEmpty(t, reqs)
			// The filter parameters of the first request; assertRequests
			// checks that every page has the same.
			filter := e2eFilterQuery(reqs[0].Query)
			served := len(e.data[tt.table])
			if filter != "" {
				served = len(want) // json-server filtered
			}
			for name, values := range reqs[0].Query {
				if name == "_page" || name == "_limit" {
					continue
				}
				allowed, ok := tt.accepted[name]
				if assert.True(t, ok, "unexpected parameter %s", reqs[0]) && assert.Len(t, values, 1, reqs[0].String()) {
					assert.Contains(t, allowed, values[0], "json-server compares %s with the field's JSON form: %s", name, reqs[0])
				}
			}
			assertRequests(t, e2ePages(t, "/"+tt.table, filter, e2ePageCount(served, e2ePageSize), e2ePageSize), reqs)
		})
	}
}

// e2eFilterQuery is q without the pagination parameters, encoded.
func e2eFilterQuery(q url.Values) string {
	f := url.Values{}
	for k, v := range q {
		if k != "_page" && k != "_limit" {
			f[k] = v
		}
	}
	return f.Encode()
}

// TestE2EPagination checks that a scan walks json-server's pages, one
// request per page, and stops as soon as it has what it needs.
func TestE2EPagination(t *testing.T) {
	e := newE2E(t, "")

	t.Run("all pages of a table", func(t *testing.T) {
		for _, table := range []string{"posts", "comments", "users"} {
			e.rec.take()
			got := e.query(t, "SELECT id FROM "+table)
			assert.Equal(t, e.e2eSelect(table, nil, "id"), got, table)
			n := e2ePageCount(len(e.data[table]), e2ePageSize)
			assertRequests(t, e2ePages(t, "/"+table, "", n, e2ePageSize), e.rec.take())
		}
	})

	t.Run("LIMIT stops at the page that holds the last row", func(t *testing.T) {
		for _, limit := range []int{45, 40, 5} {
			e.rec.take()
			got := e.query(t, "SELECT id, postId FROM comments LIMIT "+strconv.Itoa(limit))
			want := e.e2eSelect("comments", nil, "id", "postId")[:limit]
			assert.Equal(t, want, got, "LIMIT %d", limit)
			reqs := e.rec.take()
			if limit < e2ePageSize {
				// The limit is the page: one request of exactly that size.
				assertRequests(t, []e2eRequest{e2eReq(t, "/comments", "_limit="+strconv.Itoa(limit)+"&_page=1")}, reqs)
				continue
			}
			assertRequests(t, e2ePages(t, "/comments", "", e2ePageCount(limit, e2ePageSize), e2ePageSize), reqs)
		}
	})

	t.Run("LIMIT with OFFSET reads the pages up to the last row", func(t *testing.T) {
		e.rec.take()
		got := e.query(t, "SELECT id FROM comments LIMIT 5 OFFSET 38")
		assert.Equal(t, e.e2eSelect("comments", nil, "id")[38:43], got)
		assertRequests(t, e2ePages(t, "/comments", "", e2ePageCount(43, e2ePageSize), e2ePageSize), e.rec.take())
	})

	t.Run("LIMIT with a residual filter stops early too", func(t *testing.T) {
		e.rec.take()
		// id * 1 >= 1 holds for every row but cannot be pushed.
		got := e.query(t, "SELECT id FROM comments WHERE id * 1 >= 1 LIMIT 45")
		assert.Equal(t, e.e2eSelect("comments", nil, "id")[:45], got)
		reqs := e.rec.take()
		// Pages 1-3 hold the rows; the page after may have been prefetched
		// while page 3 was read, but nothing beyond it.
		var pages []int
		for _, r := range reqs {
			assert.Equal(t, "/comments", r.Path)
			assert.Equal(t, []string{strconv.Itoa(e2ePageSize)}, r.Query["_limit"], r.String())
			p, err := strconv.Atoi(r.Query.Get("_page"))
			require.NoError(t, err, r.String())
			pages = append(pages, p)
		}
		sort.Ints(pages)
		require.GreaterOrEqual(t, len(pages), 3, "requests: %v", e2eLines(reqs))
		assert.Equal(t, []int{1, 2, 3}, pages[:3], "requests: %v", e2eLines(reqs))
		assert.LessOrEqual(t, len(pages), 4, "requests: %v", e2eLines(reqs))
		if len(pages) == 4 {
			assert.Equal(t, 4, pages[3], "requests: %v", e2eLines(reqs))
		}
	})

	t.Run("a filtered scan walks only the matching rows' pages", func(t *testing.T) {
		e.rec.take()
		got := e.query(t, "SELECT id FROM comments WHERE postId <= 9")
		want := e.e2eSelect("comments", func(r map[string]any) bool { return e2eInt(r, "postId") <= 9 }, "id")
		assert.Equal(t, want, got)
		assertRequests(t, e2ePages(t, "/comments", "postId_lte=9", e2ePageCount(len(want), e2ePageSize), e2ePageSize), e.rec.take())
	})
}

// TestE2EPageSize checks the DSN's PageSize with a page count that does not
// divide the table: the last page is short.
func TestE2EPageSize(t *testing.T) {
	const size = 3
	e := newE2E(t, ";PageSize="+strconv.Itoa(size))
	tests := []struct {
		query string
		table string
		keep  func(r map[string]any) bool
		param string
	}{
		{query: "SELECT id, name FROM users", table: "users"},
		{query: "SELECT id, name FROM users WHERE id >= 3", table: "users", param: "id_gte=3",
			keep: func(r map[string]any) bool { return e2eInt(r, "id") >= 3 }},
		{query: "SELECT id, name FROM comments WHERE postId = 7", table: "comments", param: "postId=7",
			keep: func(r map[string]any) bool { return e2eInt(r, "postId") == 7 }},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			e.rec.take()
			got := e.query(t, tt.query)
			want := e.e2eSelect(tt.table, tt.keep, "id", "name")
			assert.Equal(t, want, got)
			require.NotZero(t, len(want)%size, "the case should end on a short page")
			assertRequests(t, e2ePages(t, "/"+tt.table, tt.param, e2ePageCount(len(want), size), size), e.rec.take())
		})
	}
}

// TestE2ELike checks LIKE: it goes to json-server as field_like, a
// case-insensitive regular expression, and the driver re-checks every row,
// so the answer is SQL LIKE's, whatever the regular expression lets through.
func TestE2ELike(t *testing.T) {
	e := newE2E(t, "")
	tests := []struct {
		table, column, param, pattern string
		minMatches                    int
		// crossLines: some values hold the first word, a newline, then the second.
		crossLines [2]string
	}{
		{table: "posts", column: "title", param: "title_like", pattern: "%LOREM%", minMatches: 2},
		{table: "posts", column: "title", param: "title_like", pattern: "dolor%", minMatches: 1},
		{table: "posts", column: "title", param: "title_like", pattern: "%dolor", minMatches: 1},
		{table: "posts", column: "title", param: "title_like", pattern: "_o%", minMatches: 2},
		// No wildcard: the whole title, not a substring of it.
		{table: "posts", column: "title", param: "title_like", pattern: "dolor"},
		// Bodies are several lines: % and _ match across "\n".
		{table: "posts", column: "body", param: "body_like", pattern: "%dolor%sit%", minMatches: 2,
			crossLines: [2]string{"dolor", "sit"}},
		{table: "posts", column: "body", param: "body_like", pattern: "lorem%", minMatches: 1},
		// A regular-expression metacharacter in the pattern is literal.
		{table: "users", column: "email", param: "email_like", pattern: "a%@%.example", minMatches: 2},
		{table: "users", column: "email", param: "email_like", pattern: "%(%"},
		{table: "comments", column: "email", param: "email_like", pattern: "%KUHN@%", minMatches: 2},
	}
	for _, tt := range tests {
		t.Run(tt.column+" LIKE "+tt.pattern, func(t *testing.T) {
			want := e.e2eSelect(tt.table, func(r map[string]any) bool {
				return e2eLike(e2eStr(r, tt.column), tt.pattern)
			}, "id")
			require.GreaterOrEqual(t, len(want), tt.minMatches, "the data set should hold matches")
			require.Less(t, len(want), len(e.data[tt.table]), "the case should filter")
			if tt.crossLines != [2]string{} {
				crossing := 0
				for _, r := range e.data[tt.table] {
					v := strings.ToLower(e2eStr(r, tt.column))
					i, j := strings.Index(v, tt.crossLines[0]), strings.LastIndex(v, tt.crossLines[1])
					if i >= 0 && j > i && strings.Contains(v[i:j], "\n") {
						crossing++
					}
				}
				require.NotZero(t, crossing, "the case should hold matches across lines")
			}

			e.rec.take()
			got := e.query(t, fmt.Sprintf("SELECT id FROM %s WHERE %s LIKE ?", tt.table, tt.column), tt.pattern)
			assert.Equal(t, want, got)

			reqs := e.rec.take()
			require.NotEmpty(t, reqs)
			var regex string
			var pages []int
			for _, r := range reqs {
				assert.Equal(t, "/"+tt.table, r.Path)
				require.Len(t, r.Query[tt.param], 1, "the LIKE goes to json-server: %s", r)
				regex = r.Query.Get(tt.param)
				page, err := strconv.Atoi(r.Query.Get("_page"))
				assert.NoError(t, err, r.String())
				pages = append(pages, page)
				assert.Equal(t, []string{strconv.Itoa(e2ePageSize)}, r.Query["_limit"], r.String())
				assert.Len(t, r.Query, 3, "only %s, _page and _limit: %s", tt.param, r)
			}
			// json-server reads the value as a case-insensitive JavaScript
			// RegExp: it must be one (Go's syntax agrees with JavaScript's on
			// what the driver may send), not the SQL pattern, which
			// json-server would look for literally.
			assert.NotContains(t, regex, "%", "the SQL pattern was sent as it is")
			re, err := regexp.Compile("(?i)" + regex)
			if !assert.NoError(t, err, "the value is a regular expression") {
				return
			}
			// The API may let more through, never less.
			var dropped []string
			served := 0
			for _, r := range e.data[tt.table] {
				v := e2eStr(r, tt.column)
				if re.MatchString(v) {
					served++
				} else if e2eLike(v, tt.pattern) {
					dropped = append(dropped, v)
				}
			}
			assert.Empty(t, dropped[:min(len(dropped), 3)], "%s=%q drops %d values that match LIKE %q", tt.param, regex, len(dropped), tt.pattern)
			// One request per page of what json-server serves.
			wantPages := make([]int, e2ePageCount(served, e2ePageSize))
			for i := range wantPages {
				wantPages[i] = i + 1
			}
			slices.Sort(pages)
			assert.Equal(t, wantPages, pages, "pages of the %d rows %s=%q selects", served, tt.param, regex)
		})
	}

	t.Run("NOT LIKE is filtered in the driver", func(t *testing.T) {
		e.rec.take()
		got := e.query(t, "SELECT id FROM posts WHERE title NOT LIKE '%a%'")
		want := e.e2eSelect("posts", func(r map[string]any) bool { return !e2eLike(e2eStr(r, "title"), "%a%") }, "id")
		require.NotEmpty(t, want)
		assert.Equal(t, want, got)
		assertRequests(t, e2ePages(t, "/posts", "", e2ePageCount(len(e.data["posts"]), e2ePageSize), e2ePageSize), e.rec.take())
	})
}

// TestE2EKeys checks the required key of /posts/{postId}/comments and the
// get: lookup by id.
func TestE2EKeys(t *testing.T) {
	e := newE2E(t, "")
	commentsOf := func(ids ...int64) func(r map[string]any) bool {
		return func(r map[string]any) bool { return slices.Contains(ids, e2eInt(r, "postId")) }
	}
	tests := []struct {
		name  string
		query string
		args  []any
		want  [][]any
		reqs  func(t *testing.T) []e2eRequest
	}{
		{
			name:  "required key by =",
			query: "SELECT postId, id, email FROM comments_by_post WHERE postId = ?",
			args:  []any{7},
			want:  e.e2eSelect("comments", commentsOf(7), "postId", "id", "email"),
			reqs: func(t *testing.T) []e2eRequest {
				return e2ePages(t, "/posts/7/comments", "", 1, e2ePageSize)
			},
		},
		{
			name:  "required key by IN: one request per key",
			query: "SELECT postId, id, name FROM comments_by_post WHERE postId IN (2, 3, 11)",
			want:  e.e2eSelect("comments", commentsOf(2, 3, 11), "postId", "id", "name"),
			reqs: func(t *testing.T) []e2eRequest {
				var out []e2eRequest
				for _, id := range []string{"2", "3", "11"} {
					out = append(out, e2ePages(t, "/posts/"+id+"/comments", "", 1, e2ePageSize)...)
				}
				return out
			},
		},
		{
			name:  "required key and a pushed filter",
			query: "SELECT postId, id FROM comments_by_post WHERE postId IN (4, 5) AND name <= 'm'",
			want: e.e2eSelect("comments", func(r map[string]any) bool {
				return commentsOf(4, 5)(r) && e2eStr(r, "name") <= "m"
			}, "postId", "id"),
			reqs: func(t *testing.T) []e2eRequest {
				return append(e2ePages(t, "/posts/4/comments", "name_lte=m", 1, e2ePageSize),
					e2ePages(t, "/posts/5/comments", "name_lte=m", 1, e2ePageSize)...)
			},
		},
		{
			name:  "get: lookup by id",
			query: "SELECT id, userId, title FROM posts WHERE id = 42",
			want:  e.e2eSelect("posts", func(r map[string]any) bool { return e2eInt(r, "id") == 42 }, "id", "userId", "title"),
			reqs: func(t *testing.T) []e2eRequest {
				return []e2eRequest{e2eReq(t, "/posts/42", "")}
			},
		},
		{
			// One list request with a repeated id answers an IN list in
			// fewer requests than one get: lookup per key.
			name:  "IN on the key is one list request, not a lookup per key",
			query: "SELECT id, name, phone FROM users WHERE id IN (3, 8, 9)",
			want: e.e2eSelect("users", func(r map[string]any) bool {
				return slices.Contains([]int64{3, 8, 9}, e2eInt(r, "id"))
			}, "id", "name", "phone"),
			reqs: func(t *testing.T) []e2eRequest {
				return []e2eRequest{e2eReq(t, "/users", "id=3&id=8&id=9&_page=1&_limit=20")}
			},
		},
		{
			name:  "IN on the key with another pushed predicate",
			query: "SELECT id, userId FROM posts WHERE id IN (42, 55) AND userId = 5",
			want: e.e2eSelect("posts", func(r map[string]any) bool {
				return (e2eInt(r, "id") == 42 || e2eInt(r, "id") == 55) && e2eInt(r, "userId") == 5
			}, "id", "userId"),
			reqs: func(t *testing.T) []e2eRequest {
				return []e2eRequest{e2eReq(t, "/posts", "id=42&id=55&userId=5&_page=1&_limit=20")}
			},
		},
		{
			// json-server answers 404 for an id it does not hold: no row.
			name:  "get: lookup of a missing id",
			query: "SELECT id, title FROM posts WHERE id = 5 UNION ALL SELECT id, title FROM posts WHERE id = 1000",
			want:  e.e2eSelect("posts", func(r map[string]any) bool { return e2eInt(r, "id") == 5 }, "id", "title"),
			reqs: func(t *testing.T) []e2eRequest {
				return []e2eRequest{e2eReq(t, "/posts/5", ""), e2eReq(t, "/posts/1000", "")}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.NotEmpty(t, tt.want)
			e.rec.take()
			got := e.query(t, tt.query, tt.args...)
			assert.ElementsMatch(t, tt.want, got)
			assertRequests(t, tt.reqs(t), e.rec.take())
		})
	}
}

// TestE2EJoinAndAggregate checks a join of two tables and GROUP BY with
// COUNT, computed in the driver over what json-server returns.
func TestE2EJoinAndAggregate(t *testing.T) {
	e := newE2E(t, "")
	userByID := map[int64]map[string]any{}
	for _, u := range e.data["users"] {
		userByID[e2eInt(u, "id")] = u
	}

	// postsRequests checks the requests for posts that a join on
	// posts.userId makes: either a scan of every page (hash join) or a
	// lookup join's userId IN requests for exactly userIDs.
	postsRequests := func(t *testing.T, reqs []e2eRequest, userIDs []int64) {
		t.Helper()
		if len(reqs) > 0 && reqs[0].Query.Has("userId") {
			var got []string
			for _, r := range reqs {
				got = append(got, r.Query["userId"]...)
			}
			var want []string
			for _, id := range userIDs {
				want = append(want, strconv.FormatInt(id, 10))
			}
			assert.ElementsMatch(t, want, slices.Compact(slices.Sorted(slices.Values(got))), "lookup join keys: %v", e2eLines(reqs))
			return
		}
		assertRequests(t, e2ePages(t, "/posts", "", e2ePageCount(len(e.data["posts"]), e2ePageSize), e2ePageSize), reqs)
	}
	split := func(reqs []e2eRequest) (users, posts []e2eRequest) {
		for _, r := range reqs {
			switch r.Path {
			case "/users":
				users = append(users, r)
			case "/posts":
				posts = append(posts, r)
			default:
				t.Errorf("unexpected request %s", r)
			}
		}
		return users, posts
	}

	t.Run("join with a pushed filter", func(t *testing.T) {
		e.rec.take()
		got := e.query(t, `SELECT u.name, p.id, p.title FROM users u JOIN posts p ON p.userId = u.id
			WHERE u.addressCity = 'Boston'`)
		want := [][]any{}
		var boston []int64
		for _, u := range e.data["users"] {
			if e2eStr(u, "address.city") == "Boston" {
				boston = append(boston, e2eInt(u, "id"))
			}
		}
		for _, p := range e.data["posts"] {
			if u := userByID[e2eInt(p, "userId")]; slices.Contains(boston, e2eInt(u, "id")) {
				want = append(want, []any{e2eStr(u, "name"), e2eInt(p, "id"), e2eStr(p, "title")})
			}
		}
		require.Len(t, boston, 2)
		assert.ElementsMatch(t, want, got)
		users, posts := split(e.rec.take())
		assertRequests(t, e2ePages(t, "/users", "address.city=Boston", 1, e2ePageSize), users)
		postsRequests(t, posts, boston)
	})

	t.Run("join with GROUP BY and COUNT", func(t *testing.T) {
		e.rec.take()
		got := e.query(t, `SELECT u.addressCity AS city, COUNT(*) AS posts
			FROM users u JOIN posts p ON p.userId = u.id
			GROUP BY u.addressCity ORDER BY city`)
		counts := map[string]int64{}
		for _, p := range e.data["posts"] {
			counts[e2eStr(userByID[e2eInt(p, "userId")], "address.city")]++
		}
		want := [][]any{}
		for _, city := range slices.Sorted(func(yield func(string) bool) {
			for c := range counts {
				if !yield(c) {
					return
				}
			}
		}) {
			want = append(want, []any{city, counts[city]})
		}
		assert.Equal(t, want, got)
		users, posts := split(e.rec.take())
		assertRequests(t, e2ePages(t, "/users", "", 1, e2ePageSize), users)
		var all []int64
		for id := range userByID {
			all = append(all, id)
		}
		postsRequests(t, posts, all)
	})

	t.Run("LEFT JOIN keeps users without matches", func(t *testing.T) {
		e.rec.take()
		got := e.query(t, `SELECT u.id, COUNT(t.id) AS late FROM users u
			LEFT JOIN todos t ON t.userId = u.id AND t.dueDate IS NULL AND t.completed = false
			GROUP BY u.id ORDER BY u.id`)
		want := [][]any{}
		for _, u := range e.data["users"] {
			n := int64(0)
			for _, td := range e.data["todos"] {
				if e2eInt(td, "userId") == e2eInt(u, "id") && e2eField(td, "dueDate") == nil && td["completed"] == false {
					n++
				}
			}
			want = append(want, []any{e2eInt(u, "id"), n})
		}
		assert.Equal(t, want, got)
		for _, r := range e.rec.take() {
			assert.Contains(t, []string{"/users", "/todos"}, r.Path, r.String())
		}
	})

	t.Run("GROUP BY with COUNT and HAVING on one table", func(t *testing.T) {
		e.rec.take()
		got := e.query(t, `SELECT userId, COUNT(*) AS n FROM todos WHERE completed = true
			GROUP BY userId HAVING COUNT(*) >= 8 ORDER BY n DESC, userId`)
		counts := map[int64]int64{}
		for _, td := range e.data["todos"] {
			if td["completed"] == true {
				counts[e2eInt(td, "userId")]++
			}
		}
		want := [][]any{}
		for id, n := range counts {
			if n >= 8 {
				want = append(want, []any{id, n})
			}
		}
		slices.SortFunc(want, func(a, b []any) int {
			if a[1] != b[1] {
				return int(b[1].(int64) - a[1].(int64))
			}
			return int(a[0].(int64) - b[0].(int64))
		})
		require.NotEmpty(t, want)
		assert.Equal(t, want, got)
		completed := 0
		for _, n := range counts {
			completed += int(n)
		}
		assertRequests(t, e2ePages(t, "/todos", "completed=true", e2ePageCount(completed, e2ePageSize), e2ePageSize), e.rec.take())
	})
}

// TestE2ENulls checks IS NULL and IS NOT NULL on fields that are null in
// some rows and missing from others: both are SQL NULL.
func TestE2ENulls(t *testing.T) {
	e := newE2E(t, "")
	isNull := func(f string) func(r map[string]any) bool {
		return func(r map[string]any) bool { return e2eField(r, f) == nil }
	}
	tests := []struct {
		query string
		table string
		keep  func(r map[string]any) bool
		cols  []string
		param string
	}{
		{query: "SELECT id, name, phone FROM users WHERE phone IS NULL", table: "users",
			keep: isNull("phone"), cols: []string{"id", "name", "phone"}},
		{query: "SELECT id, website FROM users WHERE website IS NULL", table: "users",
			keep: isNull("website"), cols: []string{"id", "website"}},
		{query: "SELECT id, website FROM users WHERE website IS NOT NULL", table: "users",
			keep: func(r map[string]any) bool { return !isNull("website")(r) }, cols: []string{"id", "website"}},
		{query: "SELECT id FROM users WHERE phone IS NULL OR website IS NULL", table: "users",
			keep: func(r map[string]any) bool { return isNull("phone")(r) || isNull("website")(r) }, cols: []string{"id"}},
		{query: "SELECT id, title FROM todos WHERE userId = 3 AND dueDate IS NULL", table: "todos", param: "userId=3",
			keep: func(r map[string]any) bool { return e2eInt(r, "userId") == 3 && isNull("dueDate")(r) }, cols: []string{"id", "title"}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			e.rec.take()
			got := e.query(t, tt.query)
			want := e.e2eSelect(tt.table, tt.keep, tt.cols...)
			require.NotEmpty(t, want)
			assert.Equal(t, want, got)
			n := len(e.data[tt.table])
			if tt.param != "" {
				n = len(e.e2eSelect(tt.table, func(r map[string]any) bool { return e2eInt(r, "userId") == 3 }, "id"))
			}
			assertRequests(t, e2ePages(t, "/"+tt.table, tt.param, e2ePageCount(n, e2ePageSize), e2ePageSize), e.rec.take())
		})
	}

	t.Run("ORDER BY puts NULLs first, missing fields too", func(t *testing.T) {
		e.rec.take()
		got := e.query(t, "SELECT id, website FROM users ORDER BY website, id")
		want := e.e2eSelect("users", nil, "id", "website")
		slices.SortStableFunc(want, func(a, b []any) int {
			switch {
			case a[1] == nil && b[1] == nil:
				return 0
			case a[1] == nil:
				return -1
			case b[1] == nil:
				return 1
			}
			return strings.Compare(a[1].(string), b[1].(string))
		})
		require.Nil(t, want[0][1])
		assert.Equal(t, want, got)
		assertRequests(t, e2ePages(t, "/users", "", 1, e2ePageSize), e.rec.take())
	})

	t.Run("COUNT of a column skips NULLs", func(t *testing.T) {
		e.rec.take()
		got := e.query(t, "SELECT COUNT(*), COUNT(phone), COUNT(website) FROM users")
		var phones, websites int64
		for _, u := range e.data["users"] {
			if e2eField(u, "phone") != nil {
				phones++
			}
			if e2eField(u, "website") != nil {
				websites++
			}
		}
		assert.Equal(t, [][]any{{int64(len(e.data["users"])), phones, websites}}, got)
		assertRequests(t, e2ePages(t, "/users", "", 1, e2ePageSize), e.rec.take())
	})

	t.Run("a typed NULL scans into sql.NullString", func(t *testing.T) {
		var phone sql.NullString
		require.NoError(t, e.db.QueryRowContext(t.Context(), "SELECT phone FROM users WHERE id = 8").Scan(&phone))
		assert.False(t, phone.Valid, "user 8 has no phone field")
		var due sql.NullTime
		require.NoError(t, e.db.QueryRowContext(t.Context(), "SELECT dueDate FROM todos WHERE id = 1").Scan(&due))
		require.True(t, due.Valid)
		want, err := time.Parse(time.RFC3339, e2eStr(e.data["todos"][0], "dueDate"))
		require.NoError(t, err)
		assert.True(t, want.Equal(due.Time), "dueDate %v, want %v", due.Time, want)
		e.rec.take()
	})
}

// TestE2EErrors checks that a query json-server cannot answer is refused
// before any request, with a message that says why.
func TestE2EErrors(t *testing.T) {
	e := newE2E(t, "")
	tests := []struct {
		name  string
		query string
		want  []string // substrings of the message
	}{
		{name: "unknown column", query: "SELECT id, nosuch FROM posts", want: []string{"nosuch"}},
		{name: "unknown column in WHERE", query: "SELECT id FROM posts WHERE nosuch = 1", want: []string{"nosuch"}},
		{name: "unknown table", query: "SELECT id FROM nosuch_table", want: []string{"nosuch_table"}},
		{name: "missing required key", query: "SELECT id, email FROM comments_by_post",
			want: []string{"comments_by_post", "postId", "WHERE postId ="}},
		{name: "required key bound by an operator that cannot bind it", query: "SELECT id FROM comments_by_post WHERE postId > 3",
			want: []string{"comments_by_post", "postId", "WHERE postId ="}},
		{name: "required key under OR", query: "SELECT id FROM comments_by_post WHERE postId = 1 OR name = 'x'",
			want: []string{"comments_by_post", "postId", "WHERE postId ="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.rec.take()
			err := e.queryErr(t, tt.query)
			require.Error(t, err)
			for _, s := range tt.want {
				assert.Contains(t, err.Error(), s)
			}
			assert.Empty(t, e2eLines(e.rec.take()), "no request is sent")
		})
	}
}
