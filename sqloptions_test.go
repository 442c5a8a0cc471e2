package restsql_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/planner"
)

func allowUnfiltered(cfg *restsql.Config) { cfg.AllowUnfilteredWrites = true }

// UPDATE and DELETE without WHERE are refused before any request, unless
// SafeUpdates=false (Config.AllowUnfilteredWrites).
func TestSafeUpdates(t *testing.T) {
	tests := []struct {
		name  string
		sql   string
		allow bool
		err   string   // "" = runs
		want  []string // the write requests, in order (one at a time)
		n     int64    // rows affected
	}{
		{
			name: "DELETE without WHERE",
			sql:  "DELETE FROM posts",
			err: "restsql: planner: DELETE without WHERE would change every row of Demo.API.posts, and a REST API cannot roll it back: " +
				"add a WHERE clause (WHERE TRUE for every row); or allow such statements with the DSN property SafeUpdates=false (Config.AllowUnfilteredWrites in Go)",
		},
		{name: "DELETE with LIMIT but no WHERE", sql: "DELETE FROM posts ORDER BY id LIMIT 1", err: "DELETE without WHERE would change every row of Demo.API.posts"},
		{name: "UPDATE without WHERE", sql: "UPDATE users AS u SET website = 'x'", err: "UPDATE without WHERE would change every row of u"},
		{name: "UPDATE of three-part name", sql: "UPDATE Demo.API.users SET website = 'x' LIMIT 1", err: "UPDATE without WHERE would change every row of Demo.API.users"},
		{
			name: "WHERE TRUE is an explicit choice",
			sql:  "DELETE FROM posts WHERE TRUE ORDER BY id LIMIT 2",
			want: []string{"DELETE /posts/1", "DELETE /posts/2"},
			n:    2,
		},
		{
			name:  "allowed: DELETE … LIMIT without WHERE",
			sql:   "DELETE FROM posts ORDER BY id DESC LIMIT 1",
			allow: true,
			want:  []string{"DELETE /posts/100"},
			n:     1,
		},
		{
			name:  "allowed: UPDATE without WHERE",
			sql:   "UPDATE users SET website = 'x'",
			allow: true,
			n:     10,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tweaks := []func(*restsql.Config){oneAtATime}
			if tt.allow {
				tweaks = append(tweaks, allowUnfiltered)
			}
			db, srv := openDemo(t, tweaks...)
			res, err := db.ExecContext(context.Background(), tt.sql)
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				var uf *planner.UnfilteredError
				assert.True(t, errors.As(err, &uf), "the planner's error is wrapped")
				assert.Empty(t, exchanges(srv), "nothing is sent")
				return
			}
			require.NoError(t, err)
			n, err := res.RowsAffected()
			require.NoError(t, err)
			assert.Equal(t, tt.n, n)
			if tt.want != nil {
				var writes []string
				for _, x := range exchanges(srv) {
					if !strings.HasPrefix(x, "GET ") {
						writes = append(writes, x)
					}
				}
				assert.Equal(t, tt.want, writes)
			}
		})
	}
}

// AnsiQuotes=true reads "name" as an identifier (PostgreSQL), in queries,
// prepared statements and writes; by default it is a string (MySQL).
func TestAnsiQuotes(t *testing.T) {
	ansi := func(cfg *restsql.Config) { cfg.AnsiQuotes = true }
	db, srv := openDemo(t, ansi)
	assert.Equal(t, [][]string{{"3", "dolore aliqua excepturi quas nulla dolor"}},
		queryRows(t, db, `SELECT "id", "p"."title" FROM "posts" AS "p" WHERE "id" = 3 AND 'x' <> "title"`))
	assert.Equal(t, []string{"/posts/3"}, requests(srv))

	stmt, err := db.PrepareContext(context.Background(), `SELECT "userId" FROM "Demo"."API"."posts" WHERE "id" = ?`)
	require.NoError(t, err)
	defer stmt.Close()
	var userID int64
	require.NoError(t, stmt.QueryRowContext(context.Background(), 11).Scan(&userID))
	assert.Equal(t, int64(2), userID)

	_, err = db.ExecContext(context.Background(), `UPDATE "posts" SET "title" = 'it''s "new"' WHERE "id" = 4`)
	require.NoError(t, err)
	assert.Equal(t, `it's "new"`, demoRow(srv, "posts", 4)["title"])

	plain, _ := openDemo(t)
	assert.Equal(t, [][]string{{"id", "title"}}, queryRows(t, plain, `SELECT "id", "title" FROM posts WHERE id = 3`))
}

func TestParseErrorsReachTheCaller(t *testing.T) {
	db, _ := openDemo(t)
	for sql, want := range map[string]string{
		"SELECT 1; SELECT 2":                              `planner: one statement per query: found a second statement at line 1 column 11 near "SELECT"`,
		"SELECT id FROM posts LIMIT 1e30":                 "planner: LIMIT must be an integer",
		"SELECT id FROM posts LIMIT 99999999999999999999": "planner: LIMIT 99999999999999999999 is out of range (at most 9223372036854775807)",
		"SELECT prénom FROM users":                        "needs backticks: `prénom`",
	} {
		_, err := db.QueryContext(context.Background(), sql)
		require.Error(t, err, sql)
		assert.Contains(t, err.Error(), want, sql)
	}
	_, err := db.ExecContext(context.Background(), "DELETE FROM posts WHERE id = 1; DELETE FROM posts")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "one statement per query")
}

// Partitions read the query as the connection does: with AnsiQuotes, "id"
// is the column, not the string 'id'.
func TestPartitionsWithAnsiQuotes(t *testing.T) {
	queries, err := restsql.Partitioning{Column: `"id"`, Lower: 1, Upper: 100, N: 2, NotNull: true, AnsiQuotes: true}.
		Split(`SELECT "id", "title" FROM "posts" WHERE "userId" <> 3`)
	require.NoError(t, err)
	assert.Equal(t, []string{
		"select id, title from posts where (userId != 3) and id < 51",
		"select id, title from posts where (userId != 3) and id >= 51",
	}, queries)

	db, _ := openDemo(t, func(cfg *restsql.Config) { cfg.AnsiQuotes = true })
	queries, err = restsql.PartitionQueries(context.Background(), db, `SELECT "id" FROM "posts" WHERE "userId" = 2`, restsql.Partitioning{Column: `"id"`, N: 2})
	require.NoError(t, err)
	assert.Equal(t, []string{
		"select id from posts where (userId = 2) and id < 16",
		"select id from posts where (userId = 2) and id >= 16",
	}, queries)
	var got []string
	for _, q := range queries {
		for _, r := range queryRows(t, db, q) {
			got = append(got, r[0])
		}
	}
	assert.Len(t, got, 10)
}

// A select expression without an alias is named by its text, also where
// Parse rewrote it for the parser.
func TestRewrittenCallsKeepTheirColumnNames(t *testing.T) {
	db, _ := openDemo(t)
	rows, err := db.QueryContext(context.Background(), "SELECT SUBSTR(UPPER(name), 1, 2), substr(name, 1, 1), SUBSTRING(name FROM 2 FOR 3), "+
		"TRIM(LEADING 'A' FROM name), LOWER(trim(both from name)), POSITION('a' IN name), EXTRACT(YEAR FROM NOW()) > 2000, CAST(id AS INTEGER) FROM users WHERE id = 1")
	require.NoError(t, err)
	cols, err := rows.Columns()
	require.NoError(t, err)
	require.NoError(t, rows.Close())
	assert.Equal(t, []string{
		"SUBSTR(UPPER(name), 1, 2)", "substr(name, 1, 1)", "SUBSTRING(name, 2, 3)",
		"TRIM(LEADING 'A' FROM name)", "LOWER(TRIM(BOTH ' ' FROM name))", "POSITION('a' IN name)", "EXTRACT(YEAR FROM NOW()) > 2000", "convert(id, signed)",
	}, cols)
}
