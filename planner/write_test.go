package planner

import (
	"context"
	"database/sql/driver"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/restsource"
	"github.com/restsql/restsql/table"
)

// fakeCatalog resolves table names to sources of one catalog.
type fakeCatalog map[string]*restsource.Source

func (f fakeCatalog) Table(parts []string) (table.Table, error) {
	if s, ok := f[strings.ToLower(parts[len(parts)-1])]; ok {
		return s, nil
	}
	return nil, assert.AnError
}

func writeCatalog(t *testing.T) fakeCatalog {
	t.Helper()
	p, err := catalog.Parse([]byte(`
catalogs:
  C:
    url: http://127.0.0.1:1
    schemas:
      S:
        tables:
          posts:
            url: /posts
            columns:
              - {name: id, type: int, key: true, filters: {"=": {param: id}}}
              - {name: userId, type: int, filters: {"=": {param: userId}}}
              - {name: title}
            update: {method: PATCH, url: "/posts/{id}"}
            delete: {method: DELETE, url: "/posts/{id}"}
          comments:
            url: "/posts/{postId}/comments"
            columns:
              - {name: id, type: int, key: true}
              - {name: body}
            delete: {method: DELETE, url: "/posts/{postId}/comments/{id}"}
`), "write.yaml")
	require.NoError(t, err)
	cat, _ := p.Catalog("C")
	out := fakeCatalog{}
	for _, name := range []string{"posts", "comments"} {
		tbl, _ := cat.Schemas["S"].Table(name)
		s, err := restsource.New(cat, tbl, restsource.Options{})
		require.NoError(t, err)
		out[name] = s
	}
	return out
}

func TestKeyBindings(t *testing.T) {
	cat := writeCatalog(t)
	tests := []struct {
		sql  string
		args []any
		keys [][]any // nil: the rows must be read
	}{
		{sql: "DELETE FROM posts WHERE id = 3", keys: [][]any{{int64(3)}}},
		{sql: "DELETE FROM posts WHERE 3 = id", keys: [][]any{{int64(3)}}},
		{sql: "DELETE FROM posts WHERE (id = 3)", keys: [][]any{{int64(3)}}},
		{sql: "DELETE FROM posts WHERE id = '7'", keys: [][]any{{int64(7)}}},
		{sql: "DELETE FROM posts WHERE id = ?", args: []any{int64(5)}, keys: [][]any{{int64(5)}}},
		{sql: "DELETE FROM posts WHERE id IN (1, 2)", keys: [][]any{{int64(1)}, {int64(2)}}},
		{sql: "DELETE FROM posts WHERE id IN (1, NULL)", keys: [][]any{{int64(1)}}},
		{sql: "DELETE FROM posts WHERE posts.id = 4", keys: [][]any{{int64(4)}}},
		{sql: "DELETE FROM posts WHERE C.S.posts.id = 4", keys: [][]any{{int64(4)}}},
		{sql: "DELETE FROM posts WHERE other.id = 4"},
		{sql: "DELETE FROM comments WHERE postId IN ('1', '2') AND id = 5", keys: [][]any{{"1", int64(5)}, {"2", int64(5)}}},
		{sql: "DELETE FROM comments WHERE id = 5 AND postId = 7", keys: [][]any{{"7", int64(5)}}},
		{sql: "DELETE FROM posts"},
		{sql: "DELETE FROM posts WHERE id = 3 AND userId = 1"},
		{sql: "DELETE FROM posts WHERE id > 3"},
		{sql: "DELETE FROM posts WHERE id = 3 OR id = 4"},
		{sql: "DELETE FROM posts WHERE NOT id = 3"},
		{sql: "DELETE FROM posts WHERE id = NULL"},
		{sql: "DELETE FROM posts WHERE id = 1 AND id = 2"},
		{sql: "DELETE FROM posts WHERE id = 2.5"},
		{sql: "DELETE FROM posts WHERE id = userId"},
		{sql: "DELETE FROM posts WHERE id IN (SELECT id FROM posts)"},
		{sql: "DELETE FROM comments WHERE id = 5"},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			p, err := Parse(tc.sql)
			require.NoError(t, err)
			var args []driver.NamedValue
			for i, a := range tc.args {
				args = append(args, driver.NamedValue{Ordinal: i + 1, Value: a})
			}
			q := &query{ctx: context.Background(), cat: cat, args: args}
			del := p.Stmt.(*sqlparser.Delete)
			r, err := q.writeTarget("DELETE", del.TableExprs[0])
			require.NoError(t, err)
			w, err := newWriter(r, table.WriteDelete, nil)
			require.NoError(t, err)
			keys, ok := q.keyBindings(del.Where, r, w.KeyColumns())
			if tc.keys == nil {
				assert.False(t, ok, "%v", keys)
				return
			}
			require.True(t, ok)
			assert.Equal(t, tc.keys, keys)
		})
	}
}

func TestExecRefusesStatements(t *testing.T) {
	cat := writeCatalog(t)
	for sql, want := range map[string]string{
		"SELECT 1":                          "planner: SELECT returns rows: run it with Query, not Exec",
		"SET autocommit = 1":                "planner: SET statements are not supported (restsql runs SELECT, INSERT, UPDATE and DELETE)",
		"CREATE TABLE x (id int)":           "planner: DDL statements are not supported",
		"UPDATE posts, comments SET x = 1":  "planner: UPDATE of several tables is not supported",
		"UPDATE (SELECT 1) d SET x = 1":     "planner: UPDATE of (select 1 from dual) is not supported: name one table",
		"INSERT INTO posts (id) VALUES (1)": "not writable by INSERT",
	} {
		p, err := Parse(sql)
		require.NoError(t, err, sql)
		_, err = Exec(context.Background(), cat, p, nil)
		require.Error(t, err, sql)
		assert.Contains(t, err.Error(), want, sql)
	}
}
