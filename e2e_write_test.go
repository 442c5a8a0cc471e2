package restsql_test

// End-to-end writes against a real json-server 0.17.4 (see
// e2e_jsonserver_test.go): INSERT, UPDATE by PATCH and by PUT, and DELETE,
// each checked by the exact requests json-server received (method, path,
// query and body) and by reading the new state back through restsql.

import (
	"bytes"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
	"github.com/restsql/restsql/internal/jsonserver"
	"github.com/restsql/restsql/restsource"
)

// e2eWrites is json-server behind a proxy that records every request with
// its body, and restsql opened on it with the jsonplaceholder profile,
// whose todos table updates by PUT instead of PATCH. Requests are sent
// one at a time, so they come in statement order.
type e2eWrites struct {
	db   *sql.DB
	url  string
	mu   sync.Mutex
	reqs []string
}

func newE2EWrites(t *testing.T) *e2eWrites {
	t.Helper()
	base := jsonserver.Start(t, demoapi.New().DB()) // skips (or fails under CI) without json-server
	target, err := url.Parse(base)
	require.NoError(t, err)
	e := &e2eWrites{}
	proxy := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		line := r.Method + " " + r.URL.Path
		if len(r.URL.Query()) > 0 {
			line += "?" + r.URL.Query().Encode()
		}
		if len(body) > 0 {
			line += " " + string(body)
		}
		e.mu.Lock()
		e.reqs = append(e.reqs, line)
		e.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	e.url = srv.URL

	p, err := catalog.Load(e2eProfile)
	require.NoError(t, err)
	cat, _ := p.Catalog("API1")
	cat.URL = srv.URL
	todos, _ := cat.Schemas["API"].Table("todos")
	todos.Update.Method = http.MethodPut
	cfg := restsql.NewConfig()
	cfg.Catalogs = []*catalog.Catalog{cat}
	cfg.MaxConcurrency = 1
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	e.db = sql.OpenDB(conn)
	t.Cleanup(func() { e.db.Close() })
	return e
}

// take returns the requests recorded so far and forgets them.
func (e *e2eWrites) take() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := e.reqs
	e.reqs = nil
	return out
}

func TestE2EWrites(t *testing.T) {
	e := newE2EWrites(t)
	data := demoapi.New().DB()
	todo := func(id int) map[string]any { return data["todos"][id-1] }

	steps := []struct {
		name     string
		sql      string
		args     []any
		requests []string
		affected int64
		lastID   int64
		check    string
		rows     [][]string
	}{
		{
			name: "INSERT posts two rows",
			sql:  "INSERT INTO posts (userId, title, body) VALUES (?, ?, ?), (2, 'second', NULL)",
			args: []any{1, "first", "text"},
			requests: []string{
				`POST /posts {"userId":1,"title":"first","body":"text"}`,
				`POST /posts {"userId":2,"title":"second","body":null}`,
			},
			affected: 2, lastID: 102,
			check: "SELECT id, userId, title, body FROM posts WHERE id > 100 ORDER BY id",
			rows:  [][]string{{"101", "1", "first", "text"}, {"102", "2", "second", "NULL"}},
		},
		{
			name:     "INSERT a todo with a bool and a datetime",
			sql:      "INSERT INTO todos (userId, title, completed, dueDate) VALUES (3, 'due', FALSE, '2031-02-03T04:05:06Z')",
			requests: []string{`POST /todos {"userId":3,"title":"due","completed":false,"dueDate":"2031-02-03T04:05:06Z"}`},
			affected: 1, lastID: 201,
			check: "SELECT id, userId, completed, dueDate FROM todos WHERE id = 201",
			rows:  [][]string{{"201", "3", "false", "2031-02-03T04:05:06Z"}},
		},
		{
			name:     "UPDATE by key: PATCH",
			sql:      "UPDATE posts SET title = 'patched' WHERE id = 101",
			requests: []string{`PATCH /posts/101 {"title":"patched"}`},
			affected: 1,
			check:    "SELECT id, userId, title, body FROM posts WHERE id = 101",
			rows:     [][]string{{"101", "1", "patched", "text"}},
		},
		{
			name: "UPDATE by a filter: PATCH each key read",
			sql:  "UPDATE posts SET body = CONCAT('by ', userId) WHERE userId = 2 AND id > 100",
			requests: []string{
				"GET /posts?_limit=20&_page=1&id_gte=101&userId=2",
				`PATCH /posts/102 {"body":"by 2"}`,
			},
			affected: 1,
			check:    "SELECT id, body FROM posts WHERE id > 100 ORDER BY id",
			rows:     [][]string{{"101", "text"}, {"102", "by 2"}},
		},
		{
			name: "UPDATE by PUT: the whole row is read, changed and sent",
			sql:  "UPDATE todos SET completed = TRUE WHERE id IN (41, 42)",
			requests: []string{
				"GET /todos?_limit=20&_page=1&id=41&id=42",
				fmt.Sprintf(`PUT /todos/41 {"id":41,"userId":3,"title":%q,"completed":true,"dueDate":%q}`, todo(41)["title"], todo(41)["dueDate"]),
				fmt.Sprintf(`PUT /todos/42 {"id":42,"userId":3,"title":%q,"completed":true,"dueDate":%q}`, todo(42)["title"], todo(42)["dueDate"]),
			},
			affected: 2,
			check:    "SELECT id, completed FROM todos WHERE id IN (41, 42)",
			rows:     [][]string{{"41", "true"}, {"42", "true"}},
		},
		{
			name:     "UPDATE of a key json-server does not have",
			sql:      "UPDATE posts SET title = 'x' WHERE id = 999",
			requests: []string{`PATCH /posts/999 {"title":"x"}`},
			affected: 0,
		},
		{
			name:     "DELETE by keys",
			sql:      "DELETE FROM posts WHERE id IN (101, 102)",
			requests: []string{"DELETE /posts/101", "DELETE /posts/102"},
			affected: 2,
			check:    "SELECT COUNT(*) FROM posts",
			rows:     [][]string{{"100"}},
		},
		{
			name: "DELETE by a filter",
			sql:  "DELETE FROM todos WHERE userId = 3 AND title = 'due'",
			requests: []string{
				"GET /todos?_limit=20&_page=1&title=due&userId=3",
				"DELETE /todos/201",
			},
			affected: 1,
			check:    "SELECT COUNT(*) FROM todos WHERE id > 200",
			rows:     [][]string{{"0"}},
		},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			res, err := e.db.Exec(st.sql, st.args...)
			require.NoError(t, err)
			assert.Equal(t, st.requests, e.take())
			n, err := res.RowsAffected()
			require.NoError(t, err)
			assert.Equal(t, st.affected, n)
			if st.lastID != 0 {
				id, err := res.LastInsertId()
				require.NoError(t, err)
				assert.Equal(t, st.lastID, id)
			}
			if st.check != "" {
				assert.Equal(t, st.rows, queryRows(t, e.db, st.check))
				e.take()
			}
		})
	}

	t.Run("an error from json-server", func(t *testing.T) {
		_, err := e.db.Exec("INSERT INTO posts (id, title) VALUES (1, 'duplicate')")
		require.Error(t, err)
		var he *restsource.HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, "POST "+e.url+"/posts", he.Method+" "+he.URL)
		assert.Equal(t, http.StatusInternalServerError, he.StatusCode)
		assert.Contains(t, err.Error(), "restsource: table API1.API.posts: INSERT failed: restsource: POST "+e.url+"/posts: 500 Internal Server Error")
		assert.Equal(t, []string{`POST /posts {"id":1,"title":"duplicate"}`}, e.take())
	})
}
