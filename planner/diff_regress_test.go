package planner

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xwb1989/sqlparser"
)

// Regression tests for differences the differential suite
// (internal/difftest) found against SQLite.

// evalConstant evaluates the one expression of "SELECT expr".
func evalConstant(t *testing.T, expr string) (any, error) {
	t.Helper()
	stmt, err := sqlparser.Parse("SELECT " + expr)
	require.NoError(t, err, expr)
	e := stmt.(*sqlparser.Select).SelectExprs[0].(*sqlparser.AliasedExpr).Expr
	q := &query{ctx: context.Background(), now: time.Now().UTC()}
	return q.constant(e)
}

func TestCastModifiers(t *testing.T) {
	tests := []struct {
		expr string
		want any
	}{
		{"CAST('2024-02-07 10:30:00' AS DATE)", time.Date(2024, 2, 7, 0, 0, 0, 0, time.UTC)},
		{"CAST('2024-02-07T23:59:59Z' AS DATE)", time.Date(2024, 2, 7, 0, 0, 0, 0, time.UTC)},
		{"CONVERT('2024-02-07 10:30:00', DATE)", time.Date(2024, 2, 7, 0, 0, 0, 0, time.UTC)},
		{"CAST('2024-02-07 10:30:00' AS DATETIME)", time.Date(2024, 2, 7, 10, 30, 0, 0, time.UTC)},
		{"CAST(NULL AS DATE)", nil},
		{"CAST(1.2345 AS DECIMAL(10, 2))", 1.23},
		{"CAST('-1.2355' AS DECIMAL(10, 3))", -1.236},
		{"CAST(2.5 AS DECIMAL(5))", 3.0},
		{"CAST(2.5 AS DECIMAL)", 2.5},
		{"CAST(NULL AS DECIMAL(4, 1))", nil},
		{"CAST('abcdef' AS CHAR(3))", "abc"},
		{"CAST(12345 AS CHAR(2))", "12"},
		{"CAST('ab' AS CHAR(5))", "ab"},
		{"CAST('abc' AS CHAR)", "abc"},
		{"CAST(NULL AS CHAR(2))", nil},
	}
	for _, tc := range tests {
		got, err := evalConstant(t, tc.expr)
		require.NoError(t, err, tc.expr)
		assert.Equal(t, tc.want, got, tc.expr)
	}
}
