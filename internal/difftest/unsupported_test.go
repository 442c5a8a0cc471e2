package difftest

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestUnsupportedSQLFails checks that SQL restsql does not support fails
// with an error naming the construct, instead of answering something else.
// Each query is one SQLite answers (so a wrong answer would be possible).
func TestUnsupportedSQLFails(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, sql string
		// want are substrings the error must contain (in any case).
		want []string
		// bug, when set, names a known bug: the query fails, but with an
		// error that does not name the construct.
		bug string
	}{
		{"WITH RECURSIVE", "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 3) SELECT x FROM n", []string{"WITH RECURSIVE"}, ""},
		{"WITH in a subquery", "SELECT * FROM (WITH b AS (SELECT id FROM users) SELECT * FROM b) d", []string{"WITH inside a subquery"}, ""},
		{"window function", "SELECT id, ROW_NUMBER() OVER (ORDER BY id) FROM users", []string{"window function"}, ""},
		{"window aggregate", "SELECT id, SUM(id) OVER (PARTITION BY userId) FROM posts", []string{"window function"}, ""},
		{"RIGHT JOIN", "SELECT u.id, p.id FROM users u RIGHT JOIN posts p ON p.userId = u.id", []string{"RIGHT JOIN"}, ""},
		{"RIGHT OUTER JOIN", "SELECT u.id, p.id FROM users u RIGHT OUTER JOIN posts p ON p.userId = u.id", []string{"RIGHT"}, ""},
		{"FULL JOIN", "SELECT u.id, p.id FROM users u FULL OUTER JOIN posts p ON p.userId = u.id", []string{"FULL OUTER JOIN"}, ""},
		{"NATURAL RIGHT JOIN", "SELECT * FROM posts NATURAL RIGHT JOIN todos", []string{"RIGHT JOIN"}, ""},
		{"INTERSECT", "SELECT userId FROM posts INTERSECT SELECT id FROM users", []string{"INTERSECT"}, ""},
		{"EXCEPT", "SELECT id FROM users EXCEPT SELECT userId FROM posts", []string{"EXCEPT"}, ""},
		{"correlated EXISTS", "SELECT id FROM users u WHERE EXISTS (SELECT 1 FROM posts p WHERE p.userId = u.id)", []string{"correlated"}, ""},
		{"correlated NOT EXISTS", "SELECT id FROM users u WHERE NOT EXISTS (SELECT 1 FROM todos t WHERE t.userId = u.id AND t.dueDate IS NULL)", []string{"correlated"}, ""},
		{"correlated scalar subquery", "SELECT u.id, (SELECT COUNT(*) FROM posts p WHERE p.userId = u.id) FROM users u", []string{"correlated"}, ""},
		{"correlated IN", "SELECT id FROM users u WHERE id IN (SELECT userId FROM posts WHERE posts.id = u.id * 10)", []string{"correlated"}, ""},
		{"correlated in a derived table's WHERE", "SELECT t.id FROM todos t WHERE t.dueDate = (SELECT MAX(dueDate) FROM todos x WHERE x.userId = t.userId)", []string{"correlated"}, ""},
		{"EXTRACT of an unknown unit", "SELECT EXTRACT(WEEK FROM dueDate) FROM todos", []string{"EXTRACT", "YEAR"}, ""},
		{"CAST to BOOLEAN", "SELECT CAST(id AS BOOLEAN) FROM users", []string{"CAST to BOOLEAN"}, ""},
		{"GROUP_CONCAT", "SELECT userId, GROUP_CONCAT(id) FROM posts GROUP BY userId", []string{"GROUP_CONCAT"}, ""},
		{"unknown function", "SELECT INSTR(name, 'a') FROM users", []string{"INSTR"}, ""},
		{"row value IN", "SELECT id FROM users WHERE (id, 1) IN ((1, 1))", []string{"row value"}, ""},
		{"scalar subquery of several rows", "SELECT id FROM users WHERE id = (SELECT userId FROM posts WHERE id < 30)", []string{"scalar subquery", "rows"}, ""},
		{"subquery of two columns", "SELECT id FROM users WHERE id IN (SELECT id, userId FROM posts)", []string{"subquery", "column"}, ""},
		{"CAST to an unknown type", "SELECT CAST(id AS TIME) FROM users", []string{"CAST", "time"}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := queryErr(e, tc.sql)
			require.Error(t, err, "%s must fail, not answer", tc.sql)
			named := true
			for _, w := range tc.want {
				named = named && strings.Contains(strings.ToLower(err.Error()), strings.ToLower(w))
			}
			switch {
			case tc.bug != "" && named:
				t.Errorf("the known bug %q no longer shows (%v): remove the case's bug mark", tc.bug, err)
			case tc.bug != "":
				t.Skipf("known bug: %s: %s: %v", tc.bug, tc.sql, err)
			default:
				assert.True(t, named, "%s: the error %q should name %q", tc.sql, err, tc.want)
			}
		})
	}
}

// queryErr runs q through restsql to the end and returns the first error,
// from the query or from reading its rows.
func queryErr(e *env, q string) error {
	rows, err := e.rs.QueryContext(context.Background(), q)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
	}
	return rows.Err()
}
