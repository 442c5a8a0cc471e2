package restsql_test

import (
	"context"
	"sort"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// JOIN … USING is the ON join it stands for: the same rows, the same
// requests (lookup joins included), with the named columns merged.
func TestUsingJoinIsItsOnJoin(t *testing.T) {
	tests := []struct {
		name      string
		using, on string
		op        string // the join operator both plans use
	}{
		{
			name:  "required-key lookup join",
			using: "SELECT p.id, q.id FROM posts p JOIN posts_by_user q USING (userId) WHERE p.id <= 15 ORDER BY p.id, q.id",
			on:    "SELECT p.id, q.id FROM posts p JOIN posts_by_user q ON q.userId = p.userId WHERE p.id <= 15 ORDER BY p.id, q.id",
			op:    "Lookup join",
		},
		{
			name:  "optional lookup join batches the keys",
			using: "SELECT userId, p.id, t.id FROM posts p JOIN todos t USING (userId) WHERE p.id = 5 ORDER BY t.id",
			on:    "SELECT p.userId, p.id, t.id FROM posts p JOIN todos t ON t.userId = p.userId WHERE p.id = 5 ORDER BY t.id",
			op:    "Lookup join",
		},
		{
			name:  "LEFT lookup join",
			using: "SELECT p.id, q.id FROM posts p LEFT JOIN posts_by_user q USING (userId) WHERE p.id IN (3, 13) ORDER BY p.id, q.id",
			on:    "SELECT p.id, q.id FROM posts p LEFT JOIN posts_by_user q ON q.userId = p.userId WHERE p.id IN (3, 13) ORDER BY p.id, q.id",
			op:    "Lookup left join",
		},
		{
			name:  "filter on the merged column goes to the left table",
			using: "SELECT userId, COUNT(*) FROM posts p JOIN todos t USING (userId) WHERE userId = 4 GROUP BY userId",
			on:    "SELECT p.userId, COUNT(*) FROM posts p JOIN todos t ON t.userId = p.userId WHERE p.userId = 4 GROUP BY p.userId",
			op:    "Lookup join",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db, srv := openDemo(t)
			want := queryRows(t, db, tt.on)
			wantReq := requests(srv)
			srv.ResetRequests()
			got := queryRows(t, db, tt.using)
			gotReq := requests(srv)
			require.NotEmpty(t, want)
			assert.Equal(t, want, got)
			sort.Strings(wantReq)
			sort.Strings(gotReq)
			assert.Equal(t, wantReq, gotReq, "USING must send what ON sends")

			onPlan := queryRows(t, db, "EXPLAIN "+tt.on)
			usingPlan := queryRows(t, db, "EXPLAIN "+tt.using)
			assert.Equal(t, joinOps(onPlan), joinOps(usingPlan))
			assert.Contains(t, joinOps(usingPlan), tt.op)
		})
	}
}

// joinOps lists the operators of an EXPLAIN answer.
func joinOps(plan [][]string) []string {
	var out []string
	for _, r := range plan {
		out = append(out, r[2])
	}
	return out
}

func TestUsingJoinColumns(t *testing.T) {
	db, _ := openDemo(t)
	tests := []struct {
		sql  string
		cols []string
		rows [][]string
	}{
		{
			// The merged column once, where the left table has it (SQLite).
			sql:  "SELECT * FROM (SELECT id, userId FROM posts WHERE id = 5) p JOIN (SELECT userId, title FROM todos WHERE id = 3) t USING (userId)",
			cols: []string{"id", "userId", "title"},
			rows: [][]string{{"5", "1", "non laborum dolore"}},
		},
		{
			sql:  "SELECT t.*, p.* FROM (SELECT id, userId FROM posts WHERE id = 5) p JOIN (SELECT userId, title FROM todos WHERE id = 3) t USING (userId)",
			cols: []string{"userId", "title", "id", "userId"},
			rows: [][]string{{"1", "non laborum dolore", "5", "1"}},
		},
		{
			sql:  "SELECT * FROM (SELECT id, userId FROM posts WHERE id = 5) p NATURAL JOIN (SELECT userId, title FROM todos WHERE id = 3) t",
			cols: []string{"id", "userId", "title"},
			rows: [][]string{{"5", "1", "non laborum dolore"}},
		},
		{
			// LEFT JOIN: the merged column is the left one, never NULL
			// for a row the left side has.
			sql:  "SELECT id, x.id, n FROM (SELECT id FROM users WHERE id <= 2) u LEFT JOIN (SELECT 2 AS id, 'two' AS n) x USING (id) ORDER BY id",
			cols: []string{"id", "id", "n"},
			rows: [][]string{{"1", "NULL", "NULL"}, {"2", "2", "two"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			rows, err := db.QueryContext(context.Background(), tt.sql)
			require.NoError(t, err)
			cols, err := rows.Columns()
			require.NoError(t, err)
			require.NoError(t, rows.Close())
			assert.Equal(t, tt.cols, cols)
			assert.Equal(t, tt.rows, queryRows(t, db, tt.sql))
		})
	}
}

func TestUsingJoinErrors(t *testing.T) {
	db, _ := openDemo(t)
	tests := []struct{ sql, err string }{
		{"SELECT * FROM posts p JOIN todos t USING (nope)", "planner: USING column nope is not a column of the left side of the join (p)"},
		{"SELECT * FROM posts p JOIN users u USING (userId)", "planner: USING column userId is not a column of the right side of the join (u)"},
		{"SELECT * FROM posts p JOIN todos t USING (userId, USERID)", "planner: USING names column USERID twice"},
		{"SELECT * FROM posts p JOIN todos t ON t.id = p.id JOIN users u USING (id)", "planner: USING column id is ambiguous on the left side of the join (p.id, t.id): join with ON instead"},
		{"SELECT id FROM posts p JOIN todos t USING (userId)", "planner: column id is ambiguous (p.id, t.id)"},
		{"SELECT * FROM posts JOIN posts USING (id)", "planner: table Demo.API.posts is joined twice: give each an alias"},
		{"SELECT * FROM posts p NATURAL RIGHT JOIN todos t", "planner: NATURAL RIGHT JOIN is not supported (use JOIN or LEFT JOIN)"},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			_, err := db.QueryContext(context.Background(), tt.sql)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.err)
		})
	}
}
