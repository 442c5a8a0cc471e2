package restsql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDateFunctionsThroughTheDriver runs date_trunc and interval
// arithmetic on the demo API's todos.dueDate (UTC).
func TestDateFunctionsThroughTheDriver(t *testing.T) {
	db, _ := openDemo(t)
	tests := []struct {
		name, sql string
		rows      [][]string
	}{
		{"date_trunc of each unit", "SELECT DATE_TRUNC('year', dueDate), DATE_TRUNC('quarter', dueDate), DATE_TRUNC('month', dueDate), DATE_TRUNC('week', dueDate), DATE_TRUNC('day', dueDate), DATE_TRUNC('hour', dueDate), DATE_TRUNC('minute', dueDate), DATE_TRUNC('second', dueDate) FROM todos WHERE id = 2",
			[][]string{{"2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "2024-03-01T00:00:00Z", "2024-03-11T00:00:00Z", "2024-03-15T00:00:00Z", "2024-03-15T11:00:00Z", "2024-03-15T11:00:00Z", "2024-03-15T11:00:00Z"}}},
		{"GROUP BY date_trunc", "SELECT DATE_TRUNC('quarter', dueDate) AS q, COUNT(*) FROM todos WHERE dueDate IS NOT NULL AND id <= 5 GROUP BY q ORDER BY q",
			[][]string{{"2024-01-01T00:00:00Z", "2"}, {"2024-04-01T00:00:00Z", "2"}, {"2024-07-01T00:00:00Z", "1"}}},
		{"+ and - INTERVAL", "SELECT dueDate + INTERVAL 1 HOUR, dueDate - INTERVAL 30 DAY, dueDate + INTERVAL '1' MONTH, INTERVAL 2 WEEK + dueDate FROM todos WHERE id = 1",
			[][]string{{"2024-02-07T11:00:00Z", "2024-01-08T10:00:00Z", "2024-03-07T10:00:00Z", "2024-02-21T10:00:00Z"}}},
		{"DATE_ADD and DATE_SUB", "SELECT DATE_ADD(dueDate, INTERVAL 90 MINUTE), DATE_SUB(dueDate, INTERVAL 1 YEAR), ADDDATE(dueDate, INTERVAL 1 QUARTER) FROM todos WHERE id = 1",
			[][]string{{"2024-02-07T11:30:00Z", "2023-02-07T10:00:00Z", "2024-05-07T10:00:00Z"}}},
		{"interval in WHERE", "SELECT id FROM todos WHERE dueDate < CAST('2024-04-21 12:00:00' AS DATETIME) - INTERVAL 37 DAY + INTERVAL 1 SECOND AND id <= 10 ORDER BY id",
			[][]string{{"1"}, {"2"}}},
		{"NULL stays NULL", "SELECT DATE_TRUNC('day', NULL), DATE_ADD(NULL, INTERVAL 1 DAY) FROM todos WHERE id = 1",
			[][]string{{"NULL", "NULL"}}},
		{"now is the same in both places", "SELECT COUNT(*) FROM todos WHERE NOW() - INTERVAL 1 DAY < CURRENT_TIMESTAMP AND DATE_TRUNC('day', NOW()) <= NOW() AND id = 1",
			[][]string{{"1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.rows, queryRows(t, db, tt.sql))
		})
	}
	for _, tt := range []struct{ sql, err string }{
		{"SELECT DATE_TRUNC('fortnight', dueDate) FROM todos WHERE id = 1", `date_trunc unit "fortnight" is not supported`},
		{"SELECT dueDate + INTERVAL 1 FORTNIGHT FROM todos", "INTERVAL unit FORTNIGHT is not supported"},
		{"SELECT INTERVAL 1 DAY FROM todos", "is supported only added to or subtracted from a datetime"},
		{"SELECT DATE_ADD(dueDate, 1) FROM todos", "DATE_ADD takes a datetime and an INTERVAL n unit"},
		{"SELECT dueDate + INTERVAL 1.5 DAY FROM todos WHERE id = 1", "an INTERVAL amount must be a whole number"},
	} {
		rows, err := db.Query(tt.sql)
		if err == nil {
			for rows.Next() {
			}
			err = rows.Err()
			rows.Close()
		}
		require.Error(t, err, tt.sql)
		assert.Contains(t, err.Error(), tt.err, tt.sql)
	}
}
