package restsql_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
)

// TestWithCommonTableExpressions runs WITH queries through database/sql
// against the demo API: answers, and what the API was asked (a filter in
// a CTE still goes to the API, once per reference).
func TestWithCommonTableExpressions(t *testing.T) {
	tests := []struct {
		name     string
		sql      string
		args     []any
		rows     [][]string
		requests []string // sorted; nil = not checked
	}{
		{
			name:     "a CTE read by the main query, its filter pushed",
			sql:      "WITH p AS (SELECT id, userId FROM posts WHERE userId = ?) SELECT id FROM p WHERE id > 8 ORDER BY id",
			args:     []any{1},
			rows:     [][]string{{"9"}, {"10"}},
			requests: []string{"/posts?_limit=20&_page=1&userId=1"},
		},
		{
			name: "two CTEs, the second reading the first, joined to the first",
			sql: `WITH a AS (SELECT id, userId FROM posts WHERE userId IN (1, 2)),
			           b AS (SELECT userId, COUNT(*) AS n FROM a GROUP BY userId)
			      SELECT b.userId, b.n, MAX(a.id) FROM b JOIN a ON a.userId = b.userId GROUP BY b.userId, b.n ORDER BY b.userId`,
			rows: [][]string{{"1", "10", "10"}, {"2", "10", "20"}},
			// Each reference reads the CTE again.
			requests: []string{"/posts?_limit=20&_page=1&userId=1&userId=2", "/posts?_limit=20&_page=1&userId=1&userId=2"},
		},
		{
			name: "a column list renames the columns",
			sql:  "WITH u(uid, who) AS (SELECT id, username AS login FROM users WHERE id <= 2 ORDER BY login) SELECT who, uid FROM u ORDER BY uid",
			rows: [][]string{{"ada", "1"}, {"aturing", "2"}},
		},
		{
			name: "placeholders in the CTE and the main query keep their order",
			sql:  "WITH p AS (SELECT id FROM posts WHERE userId = ?) SELECT COUNT(*) FROM p WHERE id > ?",
			args: []any{3, 25},
			rows: [][]string{{"5"}},
		},
		{
			name: "a CTE in an IN subquery",
			sql:  "WITH heavy AS (SELECT userId FROM posts WHERE id = 42) SELECT username FROM users WHERE id IN (SELECT userId FROM heavy)",
			rows: [][]string{{"bliskov"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, srv := openDemo(t)
			got := queryRows(t, db, tt.sql, tt.args...)
			assert.Equal(t, tt.rows, got)
			if tt.requests != nil {
				reqs := requests(srv)
				assert.ElementsMatch(t, tt.requests, reqs)
			}
		})
	}
}

func TestWithErrors(t *testing.T) {
	db, _ := openDemo(t)
	for _, tt := range []struct{ sql, err string }{
		{"WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r", "WITH RECURSIVE is not supported (only non-recursive common table expressions are) at line 1 column 6"},
		{"WITH p AS (SELECT nope FROM posts) SELECT * FROM p", "nope"},
		{"WITH p AS (SELECT id FROM posts)\nSELECT * FROM p WHERE WHERE", "at line 2 column 23"},
	} {
		_, err := db.Query(tt.sql)
		require.Error(t, err, tt.sql)
		assert.True(t, strings.Contains(err.Error(), tt.err), "%s: %v", tt.sql, err)
	}
	// A refusal is "not supported" (SQLSTATE 0A000 through restsql serve),
	// not a syntax error.
	_, err := db.Query("WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r")
	require.ErrorIs(t, err, restsql.ErrNotSupported)
}

func TestWithExplainShowsThePushdownInsideTheCTE(t *testing.T) {
	db, srv := openDemo(t)
	rows := queryRows(t, db, "EXPLAIN WITH p AS (SELECT id FROM posts WHERE userId = 4) SELECT id FROM p")
	text := ""
	for _, r := range rows {
		text += strings.Join(r, " ") + "\n"
	}
	assert.Contains(t, text, "userId=4")
	assert.Empty(t, srv.Requests())
}
