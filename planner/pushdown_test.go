package planner

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/table"
)

// TestPushLimit pins the LIMIT rule: the only place that decides whether a
// LIMIT goes to the API.
func TestPushLimit(t *testing.T) {
	exact := conj{pushed: true, expr: &sqlparser.ComparisonExpr{Operator: "=", Left: sqlparser.NewStrVal([]byte("a")), Right: sqlparser.NewStrVal([]byte("a"))}}
	loose := conj{pushed: false, expr: exact.expr}
	tests := []struct {
		name       string
		sql        string
		conjuncts  []conj
		post       []sqlparser.Expr
		aggregated bool
		sortPushed bool
		push       bool
		reason     string
	}{
		{"no LIMIT", "SELECT a FROM t", nil, nil, false, false, false, ""},
		{"every conjunct exact", "SELECT a FROM t LIMIT 3", []conj{exact}, nil, false, false, true, ""},
		{"a conjunct the driver evaluates", "SELECT a FROM t LIMIT 3", []conj{exact, loose}, nil, false, false, false, "limit: 'a' = 'a' is evaluated in the driver"},
		{"a filter above the scan", "SELECT a FROM t LIMIT 3", nil, []sqlparser.Expr{exact.expr}, false, false, false, "limit: 'a' = 'a' is evaluated in the driver"},
		{"aggregate", "SELECT COUNT(*) FROM t LIMIT 3", nil, nil, true, false, false, "limit: the rows are aggregated in the driver"},
		{"DISTINCT", "SELECT DISTINCT a FROM t LIMIT 3", nil, nil, false, false, false, "limit: DISTINCT is applied in the driver"},
		{"ORDER BY in the driver", "SELECT a FROM t ORDER BY a LIMIT 3", nil, nil, false, false, false, "limit: ORDER BY is sorted in the driver"},
		{"ORDER BY pushed", "SELECT a FROM t ORDER BY a LIMIT 3", []conj{exact}, nil, false, true, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stmt, err := sqlparser.Parse(tt.sql)
			require.NoError(t, err)
			sel := stmt.(*sqlparser.Select)
			count := int64(-1)
			if sel.Limit != nil {
				count = 3
			}
			push, reason := pushLimit(sel, &relation{conjuncts: tt.conjuncts}, tt.post, tt.aggregated, tt.sortPushed, count)
			assert.Equal(t, tt.push, push)
			assert.Equal(t, tt.reason, reason)
		})
	}
}

// TestOrderPushed: the ORDER BY goes to the API only when every key is a
// column and the source sorts; otherwise the reason says why.
func TestOrderPushed(t *testing.T) {
	sel := func(sql string) *sqlparser.Select {
		stmt, err := sqlparser.Parse(sql)
		require.NoError(t, err)
		return stmt.(*sqlparser.Select)
	}
	one := []table.SortKey{{Column: "a"}}
	ok := &table.Pushdown{Sort: true}
	no := &table.Pushdown{SortReason: "sort: the API sorts by one key (no sort.join)"}
	for _, tt := range []struct {
		name       string
		sql        string
		aggregated bool
		cand       []table.SortKey
		d          *table.Pushdown
		pushed     bool
		reason     string
	}{
		{"no ORDER BY", "SELECT a FROM t", false, nil, ok, false, ""},
		{"pushed", "SELECT a FROM t ORDER BY a", false, one, ok, true, ""},
		{"aggregate", "SELECT a FROM t GROUP BY a ORDER BY a", true, nil, ok, false, "sort: ORDER BY of an aggregate is sorted in the driver"},
		{"an expression", "SELECT a FROM t ORDER BY a + 1", false, nil, ok, false, "sort: an ORDER BY key is not a column of the table"},
		{"the source refuses", "SELECT a FROM t ORDER BY a", false, one, no, false, "sort: the API sorts by one key (no sort.join)"},
	} {
		pushed, reason := orderPushed(sel(tt.sql), tt.aggregated, tt.cand, tt.d)
		assert.Equal(t, tt.pushed, pushed, tt.name)
		assert.Equal(t, tt.reason, reason, tt.name)
	}
}

// TestColumnValue: a literal compared with a column takes the column's
// type, or is a *ValueError with the column, the type and the value.
func TestColumnValue(t *testing.T) {
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		typ  string
		in   any
		want any
		code string
	}{
		{"int", "42", int64(42), ""},
		{"int", " 42 ", int64(42), ""},
		{"int", "42.5", 42.5, ""},
		{"int", 42.5, 42.5, ""},
		{"int", "abc", nil, CodeInvalidText},
		{"int", "", nil, CodeInvalidText},
		{"int", day, nil, CodeDatatypeMismatch},
		{"float", "1e3", 1000.0, ""},
		{"float", "much", nil, CodeInvalidText},
		{"bool", "yes", true, ""},
		{"bool", "0", false, ""},
		{"bool", "maybe", nil, CodeInvalidText},
		{"bool", int64(2), int64(2), ""},
		{"datetime", "2024-01-02", day, ""},
		{"datetime", "yesterday", nil, CodeInvalidText},
		{"datetime", int64(5), nil, CodeDatatypeMismatch},
		{"string", int64(5), int64(5), ""},
		{"json", "x", "x", ""},
		{"int", nil, nil, ""},
	}
	for _, tt := range tests {
		got, err := columnValue(&catalog.Column{Name: "c", Type: catalog.Type(tt.typ)}, tt.in)
		if tt.code == "" {
			require.NoError(t, err, "%s %v", tt.typ, tt.in)
			assert.Equal(t, tt.want, got, "%s %v", tt.typ, tt.in)
			continue
		}
		var ve *ValueError
		require.ErrorAs(t, err, &ve, "%s %v", tt.typ, tt.in)
		assert.Equal(t, ValueError{Column: "c", Type: catalog.Type(tt.typ), Value: tt.in, Code: tt.code}, *ve)
		assert.Equal(t, tt.code, ve.SQLState())
	}
	_, err := columnValue(&catalog.Column{Name: "closeDate", Type: "datetime"}, "yesterday")
	assert.EqualError(t, err, `planner: invalid input syntax for type datetime: "yesterday" (column closeDate)`)
}

func TestMatchesNothing(t *testing.T) {
	col := func(typ string) *catalog.Column { return &catalog.Column{Name: "c", Type: catalog.Type(typ)} }
	assert.True(t, matchesNothing(col("int"), 42.5))
	assert.False(t, matchesNothing(col("int"), 42.0))
	assert.False(t, matchesNothing(col("int"), int64(42)))
	assert.True(t, matchesNothing(col("bool"), int64(2)))
	assert.False(t, matchesNothing(col("bool"), int64(1)))
	assert.False(t, matchesNothing(col("float"), 42.5))
	assert.False(t, matchesNothing(col("string"), 42.5))
}
