package restsql_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
	"github.com/restsql/restsql/restsource"
)

// oneAtATime sends one request at a time, so the requests come in
// statement order.
func oneAtATime(cfg *restsql.Config) { cfg.MaxConcurrency = 1 }

// exchanges lists what the demo API saw, as "METHOD path?sorted-query body".
func exchanges(srv *demoapi.Running) []string {
	var out []string
	for _, r := range srv.Requests() {
		s := r.Method + " " + r.Path
		if len(r.Query) > 0 {
			s += "?" + r.Query.Encode()
		}
		if len(r.Body) > 0 {
			s += " " + string(r.Body)
		}
		out = append(out, s)
	}
	return out
}

// demoRow returns the demo API's stored row of a table by id.
func demoRow(srv *demoapi.Running, table string, id int) map[string]any {
	for _, r := range srv.Data(table) {
		if r["id"] == id {
			return r
		}
	}
	return nil
}

func TestExecDemo(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		args []any
		// requests are the exact requests, in order; want computes them
		// from the data set instead.
		requests []string
		want     func(srv *demoapi.Running) []string
		affected int64
		lastID   int64  // 0: LastInsertId must fail with lastIDErr
		lastErr  string // part of LastInsertId's error
		// check is a query whose rows show the new state.
		check string
		rows  [][]string
	}{
		{
			name:     "INSERT one row with arguments",
			sql:      "INSERT INTO posts (userId, title, body) VALUES (?, ?, ?)",
			args:     []any{3, "hello", "world"},
			requests: []string{`POST /posts {"userId":3,"title":"hello","body":"world"}`},
			affected: 1, lastID: 101,
			check: "SELECT id, userId, title, body FROM posts WHERE id > 100",
			rows:  [][]string{{"101", "3", "hello", "world"}},
		},
		{
			name: "INSERT several rows with expressions, NULL and DEFAULT",
			sql:  "INSERT INTO posts (id, userId, title, body) VALUES (DEFAULT, 1, CONCAT('a', 'b'), NULL), (DEFAULT, 1 + 1, UPPER('x'), 'y')",
			requests: []string{
				`POST /posts {"userId":1,"title":"ab","body":null}`,
				`POST /posts {"userId":2,"title":"X","body":"y"}`,
			},
			affected: 2, lastID: 102,
			check: "SELECT id, userId, title, body FROM posts WHERE id > 100 ORDER BY id",
			rows:  [][]string{{"101", "1", "ab", "NULL"}, {"102", "2", "X", "y"}},
		},
		{
			name:     "INSERT without a column list sets every writable column",
			sql:      "INSERT INTO posts VALUES (500, 4, 't', 'b')",
			requests: []string{`POST /posts {"id":500,"userId":4,"title":"t","body":"b"}`},
			affected: 1, lastID: 500,
			check: "SELECT id, userId FROM posts WHERE id >= 500",
			rows:  [][]string{{"500", "4"}},
		},
		{
			name:     "INSERT typed values: bool from 1, datetime from SQL text",
			sql:      "INSERT INTO todos (userId, title, completed, dueDate) VALUES (2, 'due', 1, '2024-05-01 10:30:00')",
			requests: []string{`POST /todos {"userId":2,"title":"due","completed":true,"dueDate":"2024-05-01T10:30:00Z"}`},
			affected: 1, lastID: 201,
			check: "SELECT id, completed, dueDate FROM todos WHERE id = 201",
			rows:  [][]string{{"201", "true", "2024-05-01T10:30:00Z"}},
		},
		{
			name:     "INSERT nested paths make nested objects",
			sql:      "INSERT INTO users (name, addressCity, addressZipcode, companyName) VALUES ('Grace', 'Arlington', '22201', 'Navy')",
			requests: []string{`POST /users {"name":"Grace","address":{"city":"Arlington","zipcode":"22201"},"company":{"name":"Navy"}}`},
			affected: 1, lastID: 11,
			check: "SELECT name, addressCity, addressZipcode, companyName, phone FROM users WHERE id = 11",
			rows:  [][]string{{"Grace", "Arlington", "22201", "Navy", "NULL"}},
		},
		{
			name: "INSERT … SELECT reads through the planner, then posts each row",
			sql:  "INSERT INTO todos (userId, title, completed) SELECT userId, CONCAT('read: ', id), false FROM posts WHERE id IN (1, 12)",
			requests: []string{
				"GET /posts?_limit=20&_page=1&id=1&id=12",
				`POST /todos {"userId":1,"title":"read: 1","completed":false}`,
				`POST /todos {"userId":2,"title":"read: 12","completed":false}`,
			},
			affected: 2, lastID: 202,
			check: "SELECT userId, title FROM todos WHERE title LIKE 'read:%' ORDER BY id",
			rows:  [][]string{{"1", "read: 1"}, {"2", "read: 12"}},
		},
		{
			name:     "UPDATE by key: one PATCH, nothing read",
			sql:      "UPDATE posts SET title = ? WHERE id = ?",
			args:     []any{"new title", 7},
			requests: []string{`PATCH /posts/7 {"title":"new title"}`},
			affected: 1, lastErr: "UPDATE creates no rows",
			check: "SELECT id, title FROM posts WHERE id = 7",
			rows:  [][]string{{"7", "new title"}},
		},
		{
			name: "UPDATE several columns, a key and another filter: the row is read first",
			sql:  "UPDATE todos SET completed = TRUE, dueDate = '2030-01-02' WHERE id = 3 AND userId = 1",
			requests: []string{
				"GET /todos/3",
				`PATCH /todos/3 {"completed":true,"dueDate":"2030-01-02T00:00:00Z"}`,
			},
			affected: 1,
			check:    "SELECT id, completed, dueDate FROM todos WHERE id = 3",
			rows:     [][]string{{"3", "true", "2030-01-02T00:00:00Z"}},
		},
		{
			name:     "UPDATE of an aliased table by key",
			sql:      "UPDATE posts AS p SET p.title = 'aliased' WHERE p.id = 8",
			requests: []string{`PATCH /posts/8 {"title":"aliased"}`},
			affected: 1,
			check:    "SELECT id FROM posts WHERE title = 'aliased'",
			rows:     [][]string{{"8"}},
		},
		{
			name: "UPDATE by IN: one request per key",
			sql:  "UPDATE posts SET body = 'b' WHERE id IN (3, 4, 3)",
			requests: []string{
				`PATCH /posts/3 {"body":"b"}`,
				`PATCH /posts/4 {"body":"b"}`,
			},
			affected: 2,
			check:    "SELECT id, body FROM posts WHERE id BETWEEN 3 AND 4",
			rows:     [][]string{{"3", "b"}, {"4", "b"}},
		},
		{
			name: "UPDATE by a filter reads the keys with pushdown first",
			sql:  "UPDATE posts SET title = 'x' WHERE userId = 2 AND id <= 12",
			requests: []string{
				"GET /posts?_limit=20&_page=1&id_lte=12&userId=2",
				`PATCH /posts/11 {"title":"x"}`,
				`PATCH /posts/12 {"title":"x"}`,
			},
			affected: 2,
			check:    "SELECT id FROM posts WHERE title = 'x'",
			rows:     [][]string{{"11"}, {"12"}},
		},
		{
			name: "UPDATE whose SET reads the row",
			sql:  "UPDATE todos SET title = CONCAT('#', id, ' of user ', userId), completed = NOT completed WHERE id = 21",
			want: func(srv *demoapi.Running) []string {
				done := demoRow(srv, "todos", 21)["completed"].(bool)
				return []string{
					"GET /todos/21",
					fmt.Sprintf(`PATCH /todos/21 {"title":"#21 of user 2","completed":%t}`, !done),
				}
			},
			affected: 1,
			check:    "SELECT title FROM todos WHERE id = 21",
			rows:     [][]string{{"#21 of user 2"}},
		},
		{
			name: "UPDATE … ORDER BY … LIMIT",
			sql:  "UPDATE posts SET title = 'last two' WHERE userId = 1 ORDER BY id DESC LIMIT 2",
			requests: []string{
				"GET /posts?_limit=2&_order=desc&_page=1&_sort=id&userId=1",
				`PATCH /posts/10 {"title":"last two"}`,
				`PATCH /posts/9 {"title":"last two"}`,
			},
			affected: 2,
			check:    "SELECT id FROM posts WHERE title = 'last two'",
			rows:     [][]string{{"9"}, {"10"}},
		},
		{
			name:     "UPDATE that matches nothing",
			sql:      "UPDATE posts SET title = 'none' WHERE userId = 99",
			requests: []string{"GET /posts?_limit=20&_page=1&userId=99"},
			affected: 0,
		},
		{
			name:     "UPDATE of a key the API does not have: 404 is no row",
			sql:      "UPDATE posts SET title = 'none' WHERE id = 9999",
			requests: []string{`PATCH /posts/9999 {"title":"none"}`},
			affected: 0,
		},
		{
			name:     "DELETE by key",
			sql:      "DELETE FROM comments WHERE id = 5",
			requests: []string{"DELETE /comments/5"},
			affected: 1, lastErr: "DELETE creates no rows",
			check: "SELECT COUNT(*) FROM comments WHERE id BETWEEN 4 AND 6",
			rows:  [][]string{{"2"}},
		},
		{
			name: "DELETE by a filter the API applies",
			sql:  "DELETE FROM todos WHERE userId = 1 AND completed = true",
			want: func(srv *demoapi.Running) []string {
				out := []string{"GET /todos?_limit=20&_page=1&completed=true&userId=1"}
				for _, r := range srv.Data("todos") {
					if r["userId"] == 1 && r["completed"] == true {
						out = append(out, fmt.Sprintf("DELETE /todos/%d", r["id"]))
					}
				}
				return out
			},
			affected: -1, // the number of DELETEs
			check:    "SELECT COUNT(*) FROM todos WHERE userId = 1 AND completed",
			rows:     [][]string{{"0"}},
		},
		{
			name: "DELETE by a filter the driver applies",
			sql:  "DELETE FROM posts WHERE userId = 3 AND MOD(id, 4) = 0",
			requests: []string{
				"GET /posts?_limit=20&_page=1&userId=3",
				"DELETE /posts/24",
				"DELETE /posts/28",
			},
			affected: 2,
			check:    "SELECT id FROM posts WHERE userId = 3 AND id >= 23 AND id <= 29",
			rows:     [][]string{{"23"}, {"25"}, {"26"}, {"27"}, {"29"}},
		},
		{
			name: "DELETE with a subquery",
			sql:  "DELETE FROM comments WHERE postId = 2 AND id > (SELECT MIN(id) + 2 FROM comments WHERE postId = 2)",
			requests: []string{
				"GET /comments?_limit=20&_page=1&postId=2",
				"GET /comments?_limit=20&_page=1&postId=2",
				"DELETE /comments/9",
				"DELETE /comments/10",
			},
			affected: 2,
			check:    "SELECT id FROM comments WHERE postId = 2",
			rows:     [][]string{{"6"}, {"7"}, {"8"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, srv := openDemo(t, oneAtATime)
			want := tc.requests
			if tc.want != nil {
				want = tc.want(srv)
			}
			srv.ResetRequests()
			res, err := db.ExecContext(context.Background(), tc.sql, tc.args...)
			require.NoError(t, err)
			assert.Equal(t, want, exchanges(srv))
			n, err := res.RowsAffected()
			require.NoError(t, err)
			if tc.affected < 0 {
				tc.affected = int64(len(want) - 1)
			}
			assert.Equal(t, tc.affected, n)
			id, err := res.LastInsertId()
			if tc.lastID != 0 {
				require.NoError(t, err)
				assert.Equal(t, tc.lastID, id)
			} else {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.lastErr)
			}
			if tc.check != "" {
				assert.Equal(t, tc.rows, queryRows(t, db, tc.check))
			}
		})
	}
}

func TestExecInsertSelectUpdateDeleteProperty(t *testing.T) {
	type todo struct {
		userID    int64
		title     string
		completed bool
		due       *time.Time
	}
	show := func(td todo) string {
		due := "NULL"
		if td.due != nil {
			due = td.due.Format(time.RFC3339)
		}
		return fmt.Sprintf("%d|%s|%t|%s", td.userID, td.title, td.completed, due)
	}
	read := func(t *testing.T, db *sql.DB) []string {
		var out []string
		for _, r := range queryRows(t, db, "SELECT userId, title, completed, dueDate FROM todos WHERE id > 200") {
			out = append(out, strings.Join(r, "|"))
		}
		sort.Strings(out)
		return out
	}
	for seed := uint64(1); seed <= 5; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			r := rand.New(rand.NewPCG(seed, 42))
			db, _ := openDemo(t)
			n := 2 + r.IntN(9)
			rows := make([]todo, n)
			var values []string
			var args []any
			for i := range rows {
				td := todo{userID: int64(1 + r.IntN(10)), title: fmt.Sprintf("s%d-%d-%x", seed, i, r.Uint32()), completed: r.IntN(2) == 0}
				if r.IntN(4) > 0 {
					d := time.Date(2020+r.IntN(10), time.Month(1+r.IntN(12)), 1+r.IntN(28), r.IntN(24), r.IntN(60), 0, 0, time.UTC)
					td.due = &d
				}
				rows[i] = td
				values = append(values, "(?, ?, ?, ?)")
				var due any
				if td.due != nil {
					due = *td.due
				}
				args = append(args, td.userID, td.title, td.completed, due)
			}

			// INSERT, then SELECT returns the rows.
			res, err := db.Exec("INSERT INTO todos (userId, title, completed, dueDate) VALUES "+strings.Join(values, ", "), args...)
			require.NoError(t, err)
			affected, _ := res.RowsAffected()
			assert.Equal(t, int64(n), affected)
			id, err := res.LastInsertId()
			require.NoError(t, err)
			assert.True(t, id > 200 && id <= int64(200+n), "LastInsertId %d", id)
			var want []string
			for _, td := range rows {
				want = append(want, show(td))
			}
			sort.Strings(want)
			assert.Equal(t, want, read(t, db))

			// UPDATE some of them by title (the keys are read first).
			var changed []any
			for i := range rows {
				if r.IntN(2) == 0 {
					changed = append(changed, rows[i].title)
					rows[i].title += "+"
					rows[i].completed = !rows[i].completed
				}
			}
			if len(changed) > 0 {
				marks := strings.TrimSuffix(strings.Repeat("?, ", len(changed)), ", ")
				res, err = db.Exec("UPDATE todos SET title = CONCAT(title, '+'), completed = NOT completed WHERE title IN ("+marks+")", changed...)
				require.NoError(t, err)
				affected, _ = res.RowsAffected()
				assert.Equal(t, int64(len(changed)), affected)
			}
			want = want[:0]
			for _, td := range rows {
				want = append(want, show(td))
			}
			sort.Strings(want)
			assert.Equal(t, want, read(t, db))

			// DELETE the completed ones, then SELECT no longer returns them.
			res, err = db.Exec("DELETE FROM todos WHERE id > 200 AND completed")
			require.NoError(t, err)
			affected, _ = res.RowsAffected()
			want = want[:0]
			for _, td := range rows {
				if !td.completed {
					want = append(want, show(td))
				}
			}
			sort.Strings(want)
			assert.Equal(t, int64(n-len(want)), affected)
			got := read(t, db)
			if len(want) == 0 {
				want = nil
			}
			assert.Equal(t, want, got)
			assert.Equal(t, [][]string{{"200"}}, queryRows(t, db, "SELECT COUNT(*) FROM todos WHERE id <= 200"))
		})
	}
}

func TestExecPrepared(t *testing.T) {
	db, srv := openDemo(t, oneAtATime)
	ins, err := db.Prepare("INSERT INTO posts (userId, title) VALUES (?, ?)")
	require.NoError(t, err)
	defer ins.Close()
	for i := 1; i <= 3; i++ {
		res, err := ins.Exec(i, fmt.Sprint("p", i))
		require.NoError(t, err)
		id, err := res.LastInsertId()
		require.NoError(t, err)
		assert.Equal(t, int64(100+i), id)
	}
	upd, err := db.Prepare("UPDATE posts SET title = CONCAT(?, title) WHERE id = ?")
	require.NoError(t, err)
	defer upd.Close()
	for _, id := range []int{101, 103} {
		res, err := upd.Exec("re: ", id)
		require.NoError(t, err)
		n, _ := res.RowsAffected()
		assert.Equal(t, int64(1), n)
	}
	del, err := db.Prepare("DELETE FROM posts WHERE id = :id")
	require.NoError(t, err)
	defer del.Close()
	_, err = del.Exec(sql.Named("id", 102))
	require.NoError(t, err)
	assert.Equal(t, []string{
		`POST /posts {"userId":1,"title":"p1"}`,
		`POST /posts {"userId":2,"title":"p2"}`,
		`POST /posts {"userId":3,"title":"p3"}`,
		"GET /posts/101", `PATCH /posts/101 {"title":"re: p1"}`,
		"GET /posts/103", `PATCH /posts/103 {"title":"re: p3"}`,
		"DELETE /posts/102",
	}, exchanges(srv))
	assert.Equal(t, [][]string{{"101", "re: p1"}, {"103", "re: p3"}}, queryRows(t, db, "SELECT id, title FROM posts WHERE id > 100"))
}

func TestExecErrors(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		args []any
		err  string // the whole message, or a part of it with contains
		is   error
	}{
		{name: "no insert mapping", sql: "INSERT INTO comments_by_post (postId, name) VALUES (1, 'x')", is: restsql.ErrNotSupported,
			err: "restsql: not supported: restsource: table Demo.API.comments_by_post is not writable by INSERT: its profile has no insert: mapping (such as insert: {method: POST, url: …})"},
		{name: "no update mapping", sql: "UPDATE posts_by_user SET title = 'x' WHERE userId = 1", is: restsql.ErrNotSupported,
			err: "restsql: not supported: restsource: table Demo.API.posts_by_user is not writable by UPDATE: its profile has no update: mapping (such as update: {method: PATCH, url: …})"},
		{name: "unknown column", sql: "INSERT INTO posts (titel) VALUES ('x')",
			err: `restsource: table Demo.API.posts: INSERT: unknown column "titel" (did you mean title?)`},
		{name: "unknown SET column", sql: "UPDATE posts SET bdy = 'x' WHERE id = 1",
			err: `restsource: table Demo.API.posts: UPDATE: unknown column "bdy" (did you mean body?)`},
		{name: "value that does not fit", sql: "INSERT INTO posts (userId, title) VALUES (1, 'a'), ('abc', 'b')",
			err: `restsource: table Demo.API.posts: INSERT row 2: column userId (int): value "abc" does not fit`},
		{name: "value count", sql: "INSERT INTO posts (userId, title) VALUES (1)",
			err: "planner: INSERT into Demo.API.posts names 2 columns (userId, title) but row 1 has 1 values"},
		{name: "SELECT column count", sql: "INSERT INTO posts (userId) SELECT id, name FROM users",
			err: "planner: INSERT into Demo.API.posts names 1 columns (userId) but its SELECT returns 2"},
		{name: "column in VALUES", sql: "INSERT INTO posts (title) VALUES (body)", err: "planner: INSERT into Demo.API.posts, row 1, column title:"},
		{name: "REPLACE", sql: "REPLACE INTO posts (id) VALUES (1)", err: "planner: REPLACE is not supported: REST APIs have no upsert; use INSERT or UPDATE"},
		{name: "INSERT IGNORE", sql: "INSERT IGNORE INTO posts (id) VALUES (1)", err: "planner: INSERT IGNORE is not supported"},
		{name: "ON DUPLICATE KEY", sql: "INSERT INTO posts (id) VALUES (1) ON DUPLICATE KEY UPDATE title = 'x'", err: "ON DUPLICATE KEY UPDATE is not supported"},
		{name: "multi-table DELETE", sql: "DELETE p FROM posts p JOIN users u ON p.userId = u.id", err: "several tables) is not supported"},
		{name: "UPDATE of a join", sql: "UPDATE posts p JOIN users u ON p.userId = u.id SET p.title = 'x'", err: "planner: UPDATE of posts as p join users as u on p.userId = u.id is not supported: name one table"},
		{name: "SET of another table", sql: "UPDATE posts SET users.name = 'x' WHERE id = 1", err: "planner: UPDATE Demo.API.posts: SET users.name names another table"},
		{name: "SET DEFAULT", sql: "UPDATE posts SET title = DEFAULT WHERE id = 1", err: "SET title = DEFAULT is not supported"},
		{name: "system table", sql: "DELETE FROM sys_tables", err: "planner: DELETE: system table sys_tables is read-only"},
		{name: "SELECT with Exec", sql: "SELECT 1", err: "planner: SELECT returns rows: run it with Query, not Exec"},
		{name: "missing argument", sql: "UPDATE posts SET title = ? WHERE id = 1", err: "the statement has 1 ? placeholders but 0 arguments were given"},
		{name: "scalar subquery with many rows", sql: "UPDATE posts SET title = (SELECT name FROM users) WHERE id = 1", err: "returned 10 rows"},
		{name: "unknown table", sql: "DELETE FROM post WHERE id = 1", is: restsql.ErrUnknownTable, err: "did you mean posts?"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			db, srv := openDemo(t)
			_, err := db.Exec(tc.sql, tc.args...)
			require.Error(t, err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.Contains(t, err.Error(), tc.err)
			for _, r := range srv.Requests() {
				assert.Equal(t, http.MethodGet, r.Method, "nothing is written: %s %s", r.Method, r.Path)
			}
		})
	}
}

func TestExecPartialFailure(t *testing.T) {
	db, srv := openDemo(t, oneAtATime)
	_, err := db.Exec("INSERT INTO posts (id, title) VALUES (201, 'a'), (1, 'duplicate'), (202, 'c')")
	require.Error(t, err)
	assert.Equal(t, "restsource: table Demo.API.posts: INSERT failed at row 2 of 3: 1 row succeeded, 1 failed, 1 not sent: restsource: POST "+srv.URL+`/posts: 500 Internal Server Error: {"error":"Insert failed, duplicate id"}`, err.Error())
	var we *restsource.WriteError
	require.ErrorAs(t, err, &we)
	assert.Equal(t, int64(1), we.Succeeded)
	assert.Equal(t, int64(2), we.Row)
	var he *restsource.HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 500, he.StatusCode)
	assert.Equal(t, []string{`POST /posts {"id":201,"title":"a"}`, `POST /posts {"id":1,"title":"duplicate"}`}, exchanges(srv))
	assert.Equal(t, [][]string{{"201", "a"}}, queryRows(t, db, "SELECT id, title FROM posts WHERE id > 100"))
}

func TestExecReadOnlyTransaction(t *testing.T) {
	db, srv := openDemo(t)
	tx, err := db.BeginTx(context.Background(), &sql.TxOptions{ReadOnly: true})
	require.NoError(t, err)
	_, err = tx.Exec("DELETE FROM posts WHERE id = 1")
	assert.EqualError(t, err, "restsql: DELETE in a read-only transaction: run writes outside the transaction")
	require.NoError(t, tx.Rollback())
	assert.Empty(t, srv.Requests())
	_, err = db.BeginTx(context.Background(), nil)
	require.ErrorIs(t, err, restsql.ErrNotSupported)
	// After the transaction, the connection writes again.
	res, err := db.Exec("DELETE FROM posts WHERE id = 1")
	require.NoError(t, err)
	n, _ := res.RowsAffected()
	assert.Equal(t, int64(1), n)
}

// openWriteProfile opens a profile given as YAML, with Config tweaks.
func openWriteProfile(t *testing.T, yaml string, tweak ...func(*restsql.Config)) *sql.DB {
	t.Helper()
	p, err := catalog.Parse([]byte(yaml), "write.yaml")
	require.NoError(t, err)
	cfg := restsql.NewConfig()
	for _, n := range p.CatalogNames() {
		c, _ := p.Catalog(n)
		cfg.Catalogs = append(cfg.Catalogs, c)
	}
	for _, f := range tweak {
		f(cfg)
	}
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

func TestExecPutAndCredentials(t *testing.T) {
	srv, err := demoapi.Start()
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	db := openWriteProfile(t, fmt.Sprintf(`
catalogs:
  W:
    url: %s
    auth: {scheme: Bearer, token: "${Token}"}
    headers: {X-Tenant: acme}
    schemas:
      API:
        tables:
          posts:
            url: /posts
            columns:
              - {name: id, type: int, key: true, readOnly: true, filters: {"=": {param: id, exact: true}}}
              - {name: userId, type: int, filters: {"=": {param: userId, exact: true}}}
              - {name: title}
              - {name: body}
            get: {url: "/posts/{id}"}
            insert: {method: POST, url: /posts, headers: {Prefer: return=representation}}
            update: {method: PUT, url: "/posts/{id}"}
            delete: {method: DELETE, url: "/posts/{id}"}
`, srv.URL), oneAtATime, func(cfg *restsql.Config) { cfg.Token = "tok" })

	before := demoRow(srv, "posts", 5)
	res, err := db.Exec("UPDATE posts SET title = UPPER(title) WHERE id = 5")
	require.NoError(t, err)
	n, _ := res.RowsAffected()
	assert.Equal(t, int64(1), n)
	want, _ := json.Marshal(map[string]any{"userId": before["userId"], "title": strings.ToUpper(before["title"].(string)), "body": before["body"]})
	reqs := srv.Requests()
	require.Len(t, reqs, 2)
	assert.Equal(t, "GET /posts/5", reqs[0].Method+" "+reqs[0].Path)
	assert.Equal(t, "PUT /posts/5", reqs[1].Method+" "+reqs[1].Path)
	assert.JSONEq(t, string(want), string(reqs[1].Body), "PUT sends the whole row, without the read-only id")
	assert.Equal(t, "Bearer tok", reqs[1].Header.Get("Authorization"))
	assert.Equal(t, "acme", reqs[1].Header.Get("X-Tenant"))
	assert.Equal(t, "application/json", reqs[1].Header.Get("Content-Type"))
	after := demoRow(srv, "posts", 5)
	assert.Equal(t, strings.ToUpper(before["title"].(string)), after["title"])
	assert.Equal(t, before["body"], after["body"])

	srv.ResetRequests()
	_, err = db.Exec("INSERT INTO posts (userId, title) VALUES (1, 't')")
	require.NoError(t, err)
	reqs = srv.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "Bearer tok", reqs[0].Header.Get("Authorization"))
	assert.Equal(t, "return=representation", reqs[0].Header.Get("Prefer"))

	for _, q := range []string{"INSERT INTO posts (id, title) VALUES (1, 'x')", "UPDATE posts SET id = 7 WHERE id = 1"} {
		_, err = db.Exec(q)
		require.Error(t, err, q)
		assert.Contains(t, err.Error(), "column id is read-only (readOnly: true in the profile)")
	}
}

// bulkAPI is an API with a batch endpoint and wrapped bodies, recording
// every request.
type bulkAPI struct {
	mu   sync.Mutex
	reqs []string
	next int
}

func (b *bulkAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reqs = append(b.reqs, r.Method+" "+r.URL.Path+" "+string(body))
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/items/bulk":
		var doc struct {
			Records []map[string]any `json:"records"`
		}
		if json.Unmarshal(body, &doc) != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for _, rec := range doc.Records {
			b.next++
			rec["id"] = b.next
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(doc)
	case "/notes":
		var doc struct {
			Data map[string]any `json:"data"`
		}
		if json.Unmarshal(body, &doc) != nil || doc.Data == nil {
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"errors":[{"detail":"want {\"data\": {…}}"}]}`))
			return
		}
		b.next++
		doc.Data["id"] = strconv.Itoa(b.next)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(doc)
	default:
		w.WriteHeader(http.StatusNotFound)
	}
}

func TestExecBatchAndWrap(t *testing.T) {
	api := &bulkAPI{}
	ts := httptest.NewServer(api)
	t.Cleanup(ts.Close)
	db := openWriteProfile(t, fmt.Sprintf(`
catalogs:
  B:
    url: %s
    schemas:
      S:
        tables:
          items:
            url: /items
            columns:
              - {name: id, type: int, key: true, readOnly: true}
              - {name: name}
              - {name: qty, type: int}
              - {name: tags, type: json}
            insert: {method: POST, url: /items, batch: {url: /items/bulk, rows: records, size: 2}}
          notes:
            url: /notes
            columns:
              - {name: id, type: int, key: true}
              - {name: text, path: attributes.text}
            insert: {method: POST, url: /notes, wrap: data}
`, ts.URL), oneAtATime)

	res, err := db.Exec("INSERT INTO items (name, qty, tags) VALUES ('a', 1, '[\"x\"]'), ('b', 2, NULL), ('c', 3, '{}')")
	require.NoError(t, err)
	n, _ := res.RowsAffected()
	assert.Equal(t, int64(3), n)
	id, err := res.LastInsertId()
	require.NoError(t, err)
	assert.Equal(t, int64(3), id)

	res, err = db.Exec("INSERT INTO notes (text) VALUES ('hello')")
	require.NoError(t, err)
	id, err = res.LastInsertId()
	require.NoError(t, err)
	assert.Equal(t, int64(4), id, "the id is read inside the wrap path, from a numeric string")

	api.mu.Lock()
	defer api.mu.Unlock()
	assert.Equal(t, []string{
		`POST /items/bulk {"records":[{"name":"a","qty":1,"tags":["x"]},{"name":"b","qty":2,"tags":null}]}`,
		`POST /items/bulk {"records":[{"name":"c","qty":3,"tags":{}}]}`,
		`POST /notes {"data":{"attributes":{"text":"hello"}}}`,
	}, api.reqs)
}
