package difftest

import (
	"database/sql"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocumentedDifferences pins the questions on which restsql and SQLite
// answer differently by design (restsql follows MySQL, or fails where it
// cannot answer exactly): each case states both answers, so that a change
// on either side shows here. The corpus asks these questions in each
// dialect's own spelling instead.
func TestDocumentedDifferences(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name string
		sql  string
		lite string // SQLite's spelling when it differs
		// restsql and sqlite are the answers; restsqlErr and sqliteErr
		// say that the engine fails instead.
		restsql, sqlite       [][]any
		restsqlErr, sqliteErr bool
	}{
		{
			name:    "/ of two integers is float division (MySQL); SQLite divides integers",
			sql:     "SELECT 7 / 2, -7 / 2, 7 DIV 2",
			lite:    "SELECT 7 / 2, -7 / 2, 7 / 2",
			restsql: [][]any{{3.5, -3.5, int64(3)}},
			sqlite:  [][]any{{int64(3), int64(-3), int64(3)}},
		},
		{
			name:    "SUBSTR from position 0 or before the first character is empty (MySQL); SQLite clips",
			sql:     "SELECT SUBSTR(username, 0, 2), SUBSTR(username, -5, 3), SUBSTR(username, -5) FROM users WHERE id = 1",
			restsql: [][]any{{"", "", ""}},
			sqlite:  [][]any{{"a", "a", "ada"}},
		},
		{
			name:    "a string is true only when it reads as a non-zero number; SQLite (and MySQL) read a numeric prefix",
			sql:     "SELECT id FROM users WHERE phone AND id < 3",
			restsql: nil,
			sqlite:  [][]any{{int64(1)}, {int64(2)}},
		},
		{
			name:       "CAST of a string that is not a number fails; SQLite (and MySQL) take the numeric prefix",
			sql:        "SELECT CAST(addressZipcode AS SIGNED) FROM users WHERE id = 1",
			lite:       "SELECT CAST(addressZipcode AS INTEGER) FROM users WHERE id = 1",
			restsqlErr: true,
			sqlite:     [][]any{{int64(92998)}},
		},
		{
			name:       "arithmetic on a string that is not a number fails; SQLite (and MySQL) read the numeric prefix",
			sql:        "SELECT phone + 0 FROM users WHERE id = 1",
			restsqlErr: true,
			sqlite:     [][]any{{int64(1)}},
		},
		{
			name:    "ROUND of a float literal can differ in the last digit at a half: 1.45 is 1.4500000000000000178 in binary",
			sql:     "SELECT ROUND(1.45, 1)",
			restsql: [][]any{{1.5}},
			sqlite:  [][]any{{1.4}},
		},
		{
			name:       "a scalar subquery of several rows is an error (MySQL); SQLite takes the first row",
			sql:        "SELECT (SELECT id FROM posts WHERE userId = 2 ORDER BY id)",
			restsqlErr: true,
			sqlite:     [][]any{{int64(11)}},
		},
		{
			name:       "a column neither grouped nor aggregated is an error; SQLite takes it from the row of the MAX",
			sql:        "SELECT name, MAX(id) FROM users",
			restsqlErr: true,
			sqlite:     [][]any{{"John McCarthy", int64(10)}},
		},
		{
			name:    "CONCAT is MySQL's (NULL when an argument is NULL); SQLite's skips NULLs",
			sql:     "SELECT CONCAT(name, phone) FROM users WHERE id = 3",
			restsql: [][]any{{nil}},
			sqlite:  [][]any{{"Grace Hopper"}},
		},
		{
			name:    "ROUND to negative digits rounds left of the point (MySQL); SQLite reads them as 0",
			sql:     "SELECT ROUND(234.5, -1)",
			restsql: [][]any{{230.0}},
			sqlite:  [][]any{{235.0}},
		},
		{
			name:    "SUBSTR with a negative length is empty (MySQL); SQLite takes the characters before",
			sql:     "SELECT SUBSTR(name, 2, -1) FROM users WHERE id = 1",
			restsql: [][]any{{""}},
			sqlite:  [][]any{{"A"}},
		},
		{
			name:    "% of floats keeps the fraction (MySQL); SQLite's % works on integers",
			sql:     "SELECT -7.5 % 2",
			restsql: [][]any{{-1.5}},
			sqlite:  [][]any{{-1.0}},
		},
		{
			name:    "a string compared with a number is read as a number; SQLite orders numbers before text",
			sql:     "SELECT 1 = '1', '10' > 9",
			restsql: [][]any{{int64(1), int64(1)}},
			sqlite:  [][]any{{int64(0), int64(1)}},
		},
		{
			name:    "UPPER and LOWER fold all of Unicode; SQLite only ASCII",
			sql:     "SELECT LOWER('ÀB'), UPPER('é')",
			restsql: [][]any{{"àb", "É"}},
			sqlite:  [][]any{{"Àb", "é"}},
		},
		{
			name:    "a bool is text true or false (the API's JSON); SQLite stores 0 and 1",
			sql:     "SELECT CONCAT(completed, '') FROM todos WHERE id = 1",
			lite:    "SELECT completed || '' FROM todos WHERE id = 1",
			restsql: [][]any{{"true"}},
			sqlite:  [][]any{{"1"}},
		},
		{
			name:       "integer overflow is an error, never a wrapped value; SQLite goes to float",
			sql:        "SELECT 9223372036854775807 + 1",
			restsqlErr: true,
			sqlite:     [][]any{{9.223372036854776e18}},
		},
		{
			name:       "a USING column the left side has twice is an error (MySQL, PostgreSQL); SQLite takes the leftmost",
			sql:        "SELECT p.id, t.id, u.name FROM posts p JOIN todos t ON t.id = p.id JOIN users u USING (id) WHERE p.id = 2",
			restsqlErr: true,
			sqlite:     [][]any{{int64(2), int64(2), "Alan Turing"}},
		},
		{
			name:    "TRIM(r FROM s) removes the string r, repeated (MySQL); SQLite's TRIM(s, r) removes any character of r",
			sql:     "SELECT TRIM(BOTH 'ab' FROM 'abbaxab')",
			lite:    "SELECT TRIM('abbaxab', 'ab')",
			restsql: [][]any{{"bax"}},
			sqlite:  [][]any{{"x"}},
		},
		{
			name:    "|| is OR (MySQL); SQLite concatenates",
			sql:     "SELECT 0 || 1",
			restsql: [][]any{{int64(1)}},
			sqlite:  [][]any{{"01"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			check := func(engine string, db *sql.DB, q string, want [][]any, wantErr bool) {
				t.Helper()
				got, err := runQuery(db, q)
				if wantErr {
					assert.Error(t, err, "%s: %s should fail", engine, q)
					return
				}
				require.NoError(t, err, "%s: %s", engine, q)
				assert.True(t, sameRows(got.rows, want, false), "%s: %s\ngot:\n%swant:\n%s", engine, q, formatRows(got.rows), formatRows(want))
			}
			lite := tc.lite
			if lite == "" {
				lite = tc.sql
			}
			check("restsql", e.rs, tc.sql, tc.restsql, tc.restsqlErr)
			check("sqlite", e.lite, lite, tc.sqlite, tc.sqliteErr)
		})
	}
}
