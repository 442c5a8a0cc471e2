package restsql_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

// openDemo starts the demo API and opens restsql on it.
func openDemo(t *testing.T, tweak ...func(*restsql.Config)) (*sql.DB, *demoapi.Running) {
	t.Helper()
	srv, err := demoapi.Start()
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	cat, err := demoapi.Catalog(srv.URL)
	require.NoError(t, err)
	cfg := restsql.NewConfig()
	cfg.Catalogs = []*catalog.Catalog{cat}
	for _, f := range tweak {
		f(cfg)
	}
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db, srv
}

// queryRows runs a query and returns its rows as strings ("NULL" for NULL).
func queryRows(t *testing.T, db *sql.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
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
			switch x := v.(type) {
			case nil:
				r[i] = "NULL"
			case time.Time:
				r[i] = x.Format(time.RFC3339)
			default:
				r[i] = fmt.Sprint(x)
			}
		}
		out = append(out, r)
	}
	require.NoError(t, rows.Err(), q)
	return out
}

// requests lists what the demo API saw, as "path?sorted-query".
func requests(srv *demoapi.Running) []string {
	var out []string
	for _, r := range srv.Requests() {
		s := r.Path
		if len(r.Query) > 0 {
			s += "?" + r.Query.Encode()
		}
		out = append(out, s)
	}
	return out
}

func TestPushdownRequests(t *testing.T) {
	tests := []struct {
		name     string
		sql      string
		args     []any
		rows     [][]string
		requests []string // exact, in order; nil = not checked
		sorted   bool     // compare requests ignoring order (fan-out runs concurrently)
		nReq     int      // when requests is nil: the request count (0 = not checked)
	}{
		{
			name:     "equality and limit pushed, one request",
			sql:      "SELECT id, userId FROM posts WHERE userId = ? LIMIT 3",
			args:     []any{2},
			rows:     [][]string{{"11", "2"}, {"12", "2"}, {"13", "2"}},
			requests: []string{"/posts?_limit=3&_page=1&userId=2"},
		},
		{
			name:     "sort on key and limit pushed, offset read from the same page",
			sql:      "SELECT id FROM posts ORDER BY id DESC LIMIT 2 OFFSET 1",
			rows:     [][]string{{"99"}, {"98"}},
			requests: []string{"/posts?_limit=3&_order=desc&_page=1&_sort=id"},
		},
		{
			name: "IN pushed as a repeated parameter",
			sql:  "SELECT COUNT(*) FROM posts WHERE userId IN (1, 3)",
			rows: [][]string{{"20"}},
			// X-Total-Count says 20: no second page is asked for.
			requests: []string{"/posts?_limit=20&_page=1&userId=1&userId=3"},
		},
		{
			name:     "range pushed with gte and lte",
			sql:      "SELECT MIN(id), MAX(id), COUNT(*) FROM posts WHERE id BETWEEN 5 AND 9",
			rows:     [][]string{{"5", "9", "5"}},
			requests: []string{"/posts?_limit=20&_page=1&id_gte=5&id_lte=9"},
		},
		{
			name:     "strict integer bounds become the inclusive ones the API has",
			sql:      "SELECT id FROM posts WHERE id > 3 AND id < 7",
			rows:     [][]string{{"4"}, {"5"}, {"6"}},
			requests: []string{"/posts?_limit=20&_page=1&id_gte=4&id_lte=6"},
		},
		{
			name:     "two predicates on one parameter: only the first is pushed (a repeated parameter means OR)",
			sql:      "SELECT id FROM posts WHERE id IN (3, 4) AND id IN (3, 4, 5) AND userId = 1 AND userId = 2",
			requests: []string{"/posts?_limit=20&_page=1&id=3&id=4&userId=1"},
		},
		{
			name:     "OR is not pushed: every page is read",
			sql:      "SELECT COUNT(*) FROM posts WHERE userId = 1 OR userId = 2",
			rows:     [][]string{{"20"}},
			requests: []string{"/posts?_limit=20&_page=1", "/posts?_limit=20&_page=2", "/posts?_limit=20&_page=3", "/posts?_limit=20&_page=4", "/posts?_limit=20&_page=5"},
			sorted:   true, // X-Total-Count lets pages 3-5 be fetched in parallel
		},
		{
			name:     "NOT is not pushed as an equality",
			sql:      "SELECT COUNT(*) FROM posts WHERE NOT (userId = 1) AND userId <= 3",
			rows:     [][]string{{"20"}},
			requests: []string{"/posts?_limit=20&_page=1&userId_lte=3", "/posts?_limit=20&_page=2&userId_lte=3"},
		},
		{
			name: "LIKE pushed loosely and re-checked",
			sql:  "SELECT name FROM users WHERE name LIKE 'g%' ORDER BY name",
			rows: [][]string{{"Grace Hopper"}},
		},
		{
			name:     "limit with a residual filter stops paging early, without prefetch",
			sql:      "SELECT id FROM posts WHERE id % 2 = 0 LIMIT 3",
			rows:     [][]string{{"2"}, {"4"}, {"6"}},
			requests: []string{"/posts?_limit=20&_page=1"},
		},
		{
			name:     "required key with IN fans out one request per key",
			sql:      "SELECT postId, COUNT(*) FROM comments_by_post WHERE postId IN (3, 1, 2) GROUP BY postId ORDER BY postId",
			rows:     [][]string{{"1", "5"}, {"2", "5"}, {"3", "5"}},
			requests: []string{"/posts/1/comments?_limit=20&_page=1", "/posts/2/comments?_limit=20&_page=1", "/posts/3/comments?_limit=20&_page=1"},
			sorted:   true,
		},
		{
			name:     "get lookup by key",
			sql:      "SELECT id, userId FROM posts WHERE id = 42",
			rows:     [][]string{{"42", "5"}},
			requests: []string{"/posts/42"},
		},
		{
			name:     "IN on the key: one list request rather than a lookup per key",
			sql:      "SELECT id FROM posts WHERE id IN (7, 3, 5) ORDER BY id",
			rows:     [][]string{{"3"}, {"5"}, {"7"}},
			requests: []string{"/posts?_limit=20&_order=asc&_page=1&_sort=id&id=7&id=3&id=5"},
		},
		{
			name:     "get lookup of a missing key is no row",
			sql:      "SELECT id FROM posts WHERE id = 4242",
			requests: []string{"/posts/4242"},
		},
		{
			name:     "three-part name",
			sql:      "SELECT Demo.API.users.name FROM Demo.API.users WHERE Demo.API.users.id = 1",
			rows:     [][]string{{"Ada Lovelace"}},
			requests: []string{"/users/1"},
		},
		{
			name: "NULLs from missing and null fields",
			sql:  "SELECT id, phone FROM users WHERE phone IS NULL ORDER BY id",
			rows: [][]string{{"3", "NULL"}, {"8", "NULL"}},
		},
		{
			name:     "join with a pushed filter on each side",
			sql:      "SELECT u.name, p.id FROM users u JOIN posts p ON p.userId = u.id WHERE u.id = 3 AND p.userId = 3 AND p.id <= 22 ORDER BY p.id",
			rows:     [][]string{{"Grace Hopper", "21"}, {"Grace Hopper", "22"}},
			requests: []string{"/posts?_limit=20&_page=1&id_lte=22&userId=3", "/users/3"},
			sorted:   true,
		},
		{
			name: "aggregate with HAVING and ORDER BY alias",
			sql:  "SELECT userId, COUNT(*) AS n FROM todos WHERE completed = true GROUP BY userId HAVING COUNT(*) >= 10 ORDER BY n DESC, userId LIMIT 2",
			nReq: 0,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, srv := openDemo(t)
			got := queryRows(t, db, tt.sql, tt.args...)
			if tt.rows != nil || tt.requests != nil {
				assert.Equal(t, tt.rows, got)
			}
			seen := requests(srv)
			if tt.requests != nil {
				if tt.sorted {
					sort.Strings(seen)
				}
				assert.Equal(t, tt.requests, seen)
			}
			if tt.nReq > 0 {
				assert.Len(t, seen, tt.nReq)
			}
		})
	}
}

func TestQueryResultsMatchData(t *testing.T) {
	db, srv := openDemo(t)
	// Computed from the data, not from restsql.
	want := map[string]int{}
	for _, p := range srv.Data("posts") {
		if strings.Contains(strings.ToLower(p["title"].(string)), "qui") {
			want[fmt.Sprint(p["userId"])]++
		}
	}
	got := map[string]int{}
	for _, r := range queryRows(t, db, "SELECT userId, COUNT(*) FROM posts WHERE title LIKE '%qui%' GROUP BY userId") {
		var n int
		fmt.Sscan(r[1], &n)
		got[r[0]] = n
	}
	assert.Equal(t, want, got)
}

func TestErrors(t *testing.T) {
	db, srv := openDemo(t)
	tests := []struct {
		sql  string
		want []string
	}{
		{"SELECT * FROM comments_by_post", []string{"comments_by_post", "postId", "WHERE postId ="}},
		{"SELECT * FROM comments_by_post WHERE postId > 3", []string{"requires column postId"}},
		{"SELECT titel FROM posts", []string{"unknown column titel", "did you mean title"}},
		{"SELECT * FROM postz", []string{"unknown table", "did you mean posts"}},
		{"SELECT * FROM Nope.API.posts", []string{`no catalog "Nope"`}},
		{"SELECT id FROM posts p JOIN users u ON u.id = p.userId", []string{"column id is ambiguous"}},
		{"SELECT id FROM posts WHERE", []string{"syntax error at line 1 column"}},
		{"SELECT id, COUNT(*) FROM posts GROUP BY userId", []string{"column id must appear in GROUP BY"}},
		{"SELECT id FROM posts WHERE COUNT(*) > 1", []string{"aggregates are not allowed in WHERE"}},
		{"SELECT id FROM posts LIMIT -1", []string{"LIMIT must not be negative"}},
		{"SELECT id FROM posts RIGHT JOIN users ON 1=1", []string{"RIGHT JOIN is not supported"}},
		{"SELECT id FROM posts WHERE userId = ?", []string{"has 1 ? placeholders but 0 arguments"}},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			srv.ResetRequests()
			rows, err := db.Query(tt.sql)
			if err == nil {
				rows.Close()
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			if strings.Contains(tt.sql, "comments_by_post") {
				assert.Empty(t, srv.Requests(), "a refused query sends nothing")
			}
		})
	}
}

func TestHTTPErrorCarriesStatusAndBody(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":"token expired"}`)
	}))
	defer ts.Close()
	db := openProfile(t, fmt.Sprintf(`
catalogs:
  A:
    url: %s
    schemas:
      S:
        tables:
          things: {url: /things, columns: [{name: id, type: int}]}
`, ts.URL))
	_, err := db.Query("SELECT id FROM things")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "403")
	assert.Contains(t, err.Error(), "token expired")
}

func openProfile(t *testing.T, yaml string) *sql.DB {
	t.Helper()
	p, err := catalog.Parse([]byte(yaml), "test.yaml")
	require.NoError(t, err)
	cfg := restsql.NewConfig()
	for _, n := range p.CatalogNames() {
		c, _ := p.Catalog(n)
		cfg.Catalogs = append(cfg.Catalogs, c)
	}
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestCancellation(t *testing.T) {
	var served atomic.Int32
	block := make(chan struct{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if served.Add(1) == 1 {
			fmt.Fprint(w, `[{"id":1},{"id":2}]`)
			return
		}
		select {
		case <-block:
		case <-r.Context().Done():
		}
	}))
	defer ts.Close()
	defer close(block)
	db := openProfile(t, fmt.Sprintf(`
catalogs:
  A:
    url: %s
    pagination: {type: page, pageParam: page, sizeParam: size, pageSize: 2}
    schemas:
      S:
        tables:
          things: {url: /things, columns: [{name: id, type: int}]}
`, ts.URL))
	ctx, cancel := context.WithCancel(context.Background())
	rows, err := db.QueryContext(ctx, "SELECT id FROM things")
	require.NoError(t, err)
	defer rows.Close()
	require.True(t, rows.Next())
	require.True(t, rows.Next())
	cancel()
	for rows.Next() {
	}
	require.Error(t, rows.Err())
	assert.True(t, errors.Is(rows.Err(), context.Canceled), "got %v", rows.Err())
}

func TestPreparedStatementReuse(t *testing.T) {
	db, srv := openDemo(t)
	st, err := db.Prepare("SELECT title FROM posts WHERE id = ?")
	require.NoError(t, err)
	defer st.Close()
	for _, id := range []int{1, 2, 3} {
		var title string
		require.NoError(t, st.QueryRow(id).Scan(&title))
		assert.NotEmpty(t, title)
	}
	assert.Equal(t, []string{"/posts/1", "/posts/2", "/posts/3"}, requests(srv))
}

func TestColumnTypes(t *testing.T) {
	db, _ := openDemo(t)
	rows, err := db.Query("SELECT id, name, address FROM users WHERE id = 1")
	require.NoError(t, err)
	defer rows.Close()
	types, err := rows.ColumnTypes()
	require.NoError(t, err)
	var names []string
	for _, ct := range types {
		names = append(names, ct.DatabaseTypeName())
	}
	assert.Equal(t, []string{"BIGINT", "VARCHAR", "JSON"}, names)
	require.True(t, rows.Next())
	var id int64
	var name string
	var addr string
	require.NoError(t, rows.Scan(&id, &name, &addr))
	assert.Equal(t, int64(1), id)
	assert.True(t, strings.HasPrefix(addr, "{"), addr)
}

func TestReadWriteTransactionRefused(t *testing.T) {
	db, _ := openDemo(t)
	_, err := db.BeginTx(context.Background(), nil)
	require.ErrorIs(t, err, restsql.ErrNotSupported)
	tx, err := db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	require.NoError(t, err)
	var n int
	require.NoError(t, tx.QueryRow("SELECT COUNT(*) FROM users").Scan(&n))
	assert.Equal(t, 10, n)
	require.NoError(t, tx.Commit())
}

func TestImplicitKeyColumnTakesNumbers(t *testing.T) {
	var paths []string
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		fmt.Fprint(w, `[{"id":1,"body":"x"}]`)
	}))
	defer ts.Close()
	db := openProfile(t, fmt.Sprintf(`
catalogs:
  A:
    url: %s
    schemas:
      S:
        tables:
          comments: {url: "/posts/{postId}/comments", columns: [{name: id, type: int}, {name: body}]}
`, ts.URL))
	got := queryRows(t, db, "SELECT postId, id, body FROM comments WHERE postId = 7")
	assert.Equal(t, [][]string{{"7", "1", "x"}}, got)
	assert.Equal(t, []string{"/posts/7/comments"}, paths)
}

func TestLookupJoins(t *testing.T) {
	tests := []struct {
		name     string
		sql      string
		rows     [][]string
		requests []string // sorted
	}{
		{
			name: "required key supplied by the join: one request per distinct key",
			sql:  "SELECT COUNT(*), COUNT(DISTINCT c.postId) FROM posts p JOIN comments_by_post c ON c.postId = p.id WHERE p.userId = 2 AND p.id <= 13",
			rows: [][]string{{"15", "3"}},
			requests: []string{
				"/posts/11/comments?_limit=20&_page=1", "/posts/12/comments?_limit=20&_page=1", "/posts/13/comments?_limit=20&_page=1",
				"/posts?_limit=20&_page=1&id_lte=13&userId=2",
			},
		},
		{
			name: "required-key table written on the left of an inner join",
			sql:  "SELECT c.postId, c.id, p.userId FROM comments_by_post c JOIN posts p ON c.postId = p.id WHERE p.id IN (4, 5) AND c.id % 5 = 1 ORDER BY c.id",
			rows: [][]string{{"4", "16", "1"}, {"5", "21", "1"}},
			requests: []string{
				"/posts/4/comments?_limit=20&_page=1", "/posts/5/comments?_limit=20&_page=1",
				"/posts?_limit=20&_page=1&id=4&id=5",
			},
		},
		{
			name: "duplicate outer keys are requested once",
			sql:  "SELECT COUNT(*) FROM posts p JOIN posts_by_user q ON q.userId = p.userId WHERE p.id <= 15",
			rows: [][]string{{"150"}},
			requests: []string{
				"/posts?_limit=20&_page=1&id_lte=15",
				"/users/1/posts?_limit=20&_page=1", "/users/2/posts?_limit=20&_page=1",
			},
		},
		{
			name: "optional lookup batches the keys into one IN request",
			sql:  "SELECT COUNT(*) FROM posts p JOIN comments c ON c.postId = p.id WHERE p.userId = 3",
			rows: [][]string{{"50"}},
			requests: []string{
				"/comments?_limit=20&_page=1&postId=21&postId=22&postId=23&postId=24&postId=25&postId=26&postId=27&postId=28&postId=29&postId=30",
				"/comments?_limit=20&_page=2&postId=21&postId=22&postId=23&postId=24&postId=25&postId=26&postId=27&postId=28&postId=29&postId=30",
				"/comments?_limit=20&_page=3&postId=21&postId=22&postId=23&postId=24&postId=25&postId=26&postId=27&postId=28&postId=29&postId=30",
				"/posts?_limit=20&_page=1&userId=3",
			},
		},
		{
			name: "LEFT lookup join keeps unmatched outer rows",
			sql:  "SELECT p.id, c.id FROM posts p LEFT JOIN comments c ON c.postId = p.id AND c.id % 7 = 0 WHERE p.userId = 1 AND p.id <= 3 ORDER BY p.id, c.id",
			rows: [][]string{{"1", "NULL"}, {"2", "7"}, {"3", "14"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, srv := openDemo(t)
			assert.Equal(t, tt.rows, queryRows(t, db, tt.sql))
			if tt.requests != nil {
				seen := requests(srv)
				sort.Strings(seen)
				assert.Equal(t, tt.requests, seen)
			}
		})
	}
}

// The build side a hash join picks from the tables' reported totals is
// proven in executor (TestHashJoinBuildsTheSmallerSide); here: whichever
// table is written first, the answer is the data's, and every page of both
// tables is read once.
func TestHashJoinAnswerDoesNotDependOnTableOrder(t *testing.T) {
	db, srv := openDemo(t)
	a := queryRows(t, db, "SELECT u.name, p.id FROM users u JOIN posts p ON p.userId = u.id WHERE p.id % 25 = 0 ORDER BY p.id")
	b := queryRows(t, db, "SELECT u.name, p.id FROM posts p JOIN users u ON p.userId = u.id WHERE p.id % 25 = 0 ORDER BY p.id")
	names := map[string]string{}
	for _, u := range srv.Data("users") {
		names[fmt.Sprint(u["id"])] = u["name"].(string)
	}
	var want [][]string
	for _, p := range srv.Data("posts") {
		if id := fmt.Sprint(p["id"]); p["id"].(int)%25 == 0 {
			want = append(want, []string{names[fmt.Sprint(p["userId"])], id})
		}
	}
	assert.Equal(t, want, a)
	assert.Equal(t, a, b)
	seen := requests(srv)
	sort.Strings(seen)
	assert.Len(t, seen, 2*(5+1), "posts' five pages and users' one page, per query")
}

func TestArgumentCountIsChecked(t *testing.T) {
	db, srv := openDemo(t)
	var n int
	err := db.QueryRow("SELECT COUNT(*) FROM posts", 7).Scan(&n)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has 0 ? placeholders but 1 arguments")
	_, err = db.Exec("DELETE FROM posts WHERE id = ?", 100, 99)
	require.Error(t, err)
	assert.Empty(t, srv.Requests(), "nothing is sent for a statement with the wrong arguments")
}

func TestSecretsEchoedByTheAPIAreRedactedInErrors(t *testing.T) {
	const key = "sk_live_TOPSECRETvalue42"
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, `{"error":"invalid api key %s"}`, r.URL.Query().Get("api_key"))
	}))
	defer ts.Close()
	p, err := catalog.Parse([]byte(`
catalogs:
  A:
    url: `+ts.URL+`
    schemas:
      S:
        tables:
          things: {url: /things, columns: [{name: id, type: int}]}
`), "t.yaml")
	require.NoError(t, err)
	cfg := restsql.NewConfig()
	cfg.Catalogs = []*catalog.Catalog{p.Catalogs["A"]}
	cfg.AuthScheme, cfg.APIKey, cfg.APIKeyName, cfg.APIKeyIn = "APIKey", key, "api_key", "query"
	cfg.MaxRetries = 0
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(conn)
	defer db.Close()
	_, err = db.Query("SELECT id FROM things")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "401")
	assert.NotContains(t, err.Error(), key)
}

func TestLongINListsStayInTheDriver(t *testing.T) {
	db, srv := openDemo(t)
	ids := make([]string, 0, 700)
	for i := 1000; i < 1700; i++ {
		ids = append(ids, fmt.Sprint(i))
	}
	assert.Empty(t, queryRows(t, db, "SELECT id FROM users WHERE id IN ("+strings.Join(ids, ",")+")"))
	for _, r := range srv.Requests() {
		assert.Empty(t, r.Query["id"], "a 700-value IN list is not sent as parameters")
	}
}

func TestLookupJoinKeysTakeTheColumnType(t *testing.T) {
	db, _ := openDemo(t)
	// completed is a bool; postId an int: true = 1 as the driver compares.
	got := queryRows(t, db, "SELECT t.id, COUNT(c.id) FROM todos t JOIN comments c ON c.postId = t.completed WHERE t.id <= 5 GROUP BY t.id ORDER BY t.id")
	hash := queryRows(t, db, "SELECT t.id, COUNT(c.id) FROM todos t JOIN comments c ON c.postId + 0 = t.completed WHERE t.id <= 5 GROUP BY t.id ORDER BY t.id")
	assert.NotEmpty(t, got)
	assert.Equal(t, hash, got, "the lookup join answers as the hash join does")
}

func TestIsolationLevelsAreRefused(t *testing.T) {
	db, _ := openDemo(t)
	_, err := db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelSerializable})
	require.ErrorIs(t, err, restsql.ErrNotSupported)
	assert.Contains(t, err.Error(), "Serializable")
}

// EXPLAIN of a lookup join shows the inner table's request for a made-up
// key, and says that it is one.
func TestExplainLookupRequestIsAnExample(t *testing.T) {
	db, _ := openDemo(t)
	plan := explainText(t, db, "SELECT p.title, c.email FROM posts p JOIN comments_by_post c ON c.postId = p.id WHERE p.userId = 1")
	assert.Contains(t, plan, "Lookup join")
	assert.Regexp(t, `GET http://[^ ]+/posts/1/comments\?_page=1&_limit=20 \(an example: postId = 1 stands for the keys the join reads\)`, plan)
	assert.Regexp(t, `GET http://[^ ]+/posts\?userId=1&_page=1&_limit=20\n`, plan, "the outer table's request is not an example")
}
