package planner

import (
	"errors"
	"math"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/catalog"
	ex "github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/table"
)

// The pushdown seam. The planner offers each base table's source the
// conjuncts that name only that table (as table.Predicates, see
// pushable) and the ORDER BY on its columns (sortCandidates); the source
// answers, from its profile alone, which it applies exactly, loosely or
// not at all, and why (table.Source.Supports). The planner keeps a
// residual filter and sort for the rest (markPushed, orderPushed) and
// alone decides whether the LIMIT goes to the API (pushLimit). The source
// then renders exactly that (table.Source.Plan).

// orderPushed reports whether the API sorts a single-table SELECT in its
// ORDER BY, and why not.
func orderPushed(sel *sqlparser.Select, aggregated bool, cand []table.SortKey, d *table.Pushdown) (bool, string) {
	switch {
	case len(sel.OrderBy) == 0:
		return false, ""
	case aggregated:
		return false, "sort: ORDER BY of an aggregate is sorted in the driver"
	case len(cand) != len(sel.OrderBy):
		return false, "sort: an ORDER BY key is not a column of the table"
	case d == nil:
		return false, "sort: the table is read by key"
	case !d.Sort:
		return false, d.SortReason
	}
	return true, ""
}

// pushLimit is the LIMIT rule, in one place: the scan of a SELECT's only
// table is asked for LIMIT + OFFSET rows (and the source sends that limit
// when the table has limit:) only when the API's first rows are the
// answer: every WHERE conjunct applied exactly by the API, nothing
// filtering above the scan, no aggregate or DISTINCT, and the ORDER BY
// sorted by the API or absent. Otherwise the scan reads on, and the
// driver applies the LIMIT; it says why.
func pushLimit(sel *sqlparser.Select, r *relation, post []sqlparser.Expr, aggregated, sortPushed bool, count int64) (bool, string) {
	if sel.Limit == nil || count < 0 {
		return false, ""
	}
	for _, c := range r.conjuncts {
		if !c.pushed {
			return false, "limit: " + sqlparser.String(c.expr) + " is evaluated in the driver"
		}
	}
	switch {
	case len(post) > 0:
		return false, "limit: " + exprList(post) + " is evaluated in the driver"
	case aggregated:
		return false, "limit: the rows are aggregated in the driver"
	case sel.Distinct != "":
		return false, "limit: DISTINCT is applied in the driver"
	case len(sel.OrderBy) > 0 && !sortPushed:
		return false, "limit: ORDER BY is sorted in the driver"
	}
	return true, ""
}

// markPushed records which of r's conjuncts the source applies exactly.
func markPushed(r *relation, sp *scanPlan, d *table.Pushdown) {
	exact := make([]bool, len(r.conjuncts))
	for i := range exact {
		exact[i] = len(r.conjuncts[i].preds) > 0
	}
	for k, f := range d.Filters {
		if k < len(sp.predConj) && f.Support != table.Exact {
			exact[sp.predConj[k]] = false
		}
	}
	for i := range r.conjuncts {
		r.conjuncts[i].pushed = exact[i]
	}
}

// sortCandidates returns the ORDER BY as sort keys on plain columns of the
// single table, or nil when any key is something else.
func (q *query) sortCandidates(order sqlparser.OrderBy, items []selectItem, sc *scope) []table.SortKey {
	if len(order) == 0 {
		return nil
	}
	var out []table.SortKey
	for _, o := range order {
		var c *scopeCol
		e := o.Expr
		if idx, err := orderTarget(e, items); err == nil && idx >= 0 {
			c, e = items[idx].star, items[idx].expr
		}
		if c == nil {
			cn, ok := e.(*sqlparser.ColName)
			if !ok {
				return nil
			}
			var err error
			if c, err = sc.resolve(colQual(cn), cn.Name.String()); err != nil {
				return nil
			}
		}
		if c.rel == nil || c.rel.table == nil {
			return nil
		}
		col := c.rel.table.Columns[c.colIdx]
		out = append(out, table.SortKey{Column: col.Name, Desc: o.Direction == sqlparser.DescScr})
	}
	return out
}

var flipOp = map[string]string{"=": "=", "!=": "!=", "<>": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}

// pushable turns a conjunct into source predicates when it has the form
// column op constant (or BETWEEN, IN list, LIKE); else nil. A literal or
// argument that does not convert to the column's type is an error (a
// *ValueError), whether or not the predicate would be pushed: a pushed
// conjunct is never compiled, so it is checked here too. In = and IN,
// NULLs and values that match nothing (42.5 for an int column) are
// dropped; an = or IN left with no value is an IN of no values, which
// matches nothing and binds a required key to no request.
func (q *query) pushable(e sqlparser.Expr, r *relation) ([]table.Predicate, error) {
	colOf := func(x sqlparser.Expr) *catalog.Column {
		cn, ok := unparen(x).(*sqlparser.ColName)
		if !ok || !r.matches(colQual(cn)) {
			return nil
		}
		for _, c := range r.table.Columns {
			if strings.EqualFold(c.Name, cn.Name.String()) {
				return c
			}
		}
		return nil
	}
	// value evaluates the constant compared with col; ok is false when it
	// is not a constant.
	value := func(col *catalog.Column, x sqlparser.Expr) (v any, ok bool, err error) {
		v, err = q.columnLiteral(col, x)
		var ve *ValueError
		switch {
		case errors.As(err, &ve):
			return nil, false, err
		case err != nil:
			return nil, false, nil
		}
		return v, true, nil
	}
	e = unparen(e)
	switch x := e.(type) {
	case *sqlparser.ComparisonExpr:
		switch x.Operator {
		case "=", "!=", "<>", "<", "<=", ">", ">=":
			op := x.Operator
			if op == "<>" {
				op = "!="
			}
			col, other := colOf(x.Left), x.Right
			if col == nil {
				col, other, op = colOf(x.Right), x.Left, flipOp[op]
			}
			if col == nil {
				return nil, nil
			}
			v, ok, err := value(col, other)
			if !ok {
				return nil, err
			}
			if op == "=" && (v == nil || matchesNothing(col, v)) {
				return []table.Predicate{{Column: col.Name, Op: "IN", Values: []any{}}}, nil
			}
			if v == nil {
				return nil, nil
			}
			if v, ok := coerce(v, r, col.Name); ok {
				op, v = integerBound(r, col.Name, op, v)
				return []table.Predicate{{Column: col.Name, Op: op, Values: []any{v}}}, nil
			}
			return nil, nil
		case sqlparser.InStr, sqlparser.NotInStr:
			col := colOf(x.Left)
			list, isList := x.Right.(sqlparser.ValTuple)
			if col == nil || !isList {
				return nil, nil
			}
			vals := make([]any, 0, len(list))
			pushed := x.Operator == sqlparser.InStr
			for _, it := range list {
				v, ok, err := value(col, it)
				if err != nil {
					return nil, err
				}
				if !ok {
					pushed = false
					continue
				}
				if v == nil || matchesNothing(col, v) { // they never match in IN
					continue
				}
				cv, ok := coerce(v, r, col.Name)
				if !ok {
					pushed = false
				}
				vals = append(vals, cv)
			}
			if !pushed {
				return nil, nil
			}
			return []table.Predicate{{Column: col.Name, Op: "IN", Values: vals}}, nil
		case sqlparser.LikeStr:
			col := colOf(x.Left)
			if col == nil || x.Escape != nil {
				return nil, nil
			}
			v, err := q.constant(x.Right)
			if s, ok := v.(string); err != nil || !ok {
				return nil, nil
			} else {
				return []table.Predicate{{Column: col.Name, Op: "LIKE", Values: []any{s}}}, nil
			}
		}
	case *sqlparser.RangeCond:
		col := colOf(x.Left)
		if col == nil {
			return nil, nil
		}
		lo, ok1, err1 := value(col, x.From)
		hi, ok2, err2 := value(col, x.To)
		if err1 != nil {
			return nil, err1
		}
		if err2 != nil {
			return nil, err2
		}
		if x.Operator != sqlparser.BetweenStr || !ok1 || !ok2 || lo == nil || hi == nil {
			return nil, nil
		}
		var c1, c2 bool
		lo, c1 = coerce(lo, r, col.Name)
		hi, c2 = coerce(hi, r, col.Name)
		if !c1 || !c2 {
			return nil, nil
		}
		return []table.Predicate{{Column: col.Name, Op: ">=", Values: []any{lo}}, {Column: col.Name, Op: "<=", Values: []any{hi}}}, nil
	}
	return nil, nil
}

// coerce converts a constant to the type of the column it is compared
// with, so the API receives the value in the field's own form (true, not
// 1, for a bool). ok is false when the comparison means something the API
// cannot reproduce (a fractional number against an int column, a number
// against a string column, which the driver compares numerically): the
// predicate then stays in the driver.
func coerce(v any, r *relation, col string) (any, bool) {
	c, _ := r.table.Column(col)
	if c == nil {
		return nil, false
	}
	switch sourceColumnType(c) {
	case ex.TypeString:
		switch x := v.(type) {
		case string:
			return x, true
		case int64:
			// A URL placeholder the profile does not declare is a string
			// column; postId = 7 must still bind /posts/{postId}.
			if c.Implicit {
				return strconv.FormatInt(x, 10), true
			}
		}
	case ex.TypeInt:
		switch x := v.(type) {
		case bool: // true = 1, as the driver compares them
			if x {
				return int64(1), true
			}
			return int64(0), true
		case int64:
			return x, true
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
				return int64(x), true
			}
		case string:
			if i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil && ex.IsDecimal(strings.TrimSpace(x)) {
				return i, true
			}
		}
	case ex.TypeFloat:
		switch x := v.(type) {
		case int64:
			return float64(x), true
		case float64:
			return x, true
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil && ex.IsDecimal(strings.TrimSpace(x)) {
				return f, true
			}
		}
	case ex.TypeBool:
		switch x := v.(type) {
		case bool:
			return x, true
		case int64:
			if x == 0 || x == 1 {
				return x == 1, true
			}
		case string:
			if b, err := ex.Convert(x, ex.TypeBool); err == nil {
				return b, true
			}
		}
	case ex.TypeDatetime:
		if t, err := ex.Convert(v, ex.TypeDatetime); err == nil {
			if _, isNum := v.(int64); !isNum {
				return t, true
			}
		}
	}
	return nil, false
}

// integerBound rewrites a strict bound on an int column into the inclusive
// one when only that one can be pushed: id < 51 is id <= 50, id > 3 is
// id >= 4 (exactly the same rows for integers). Spark's partition queries
// and json-server's _gte/_lte meet this way.
func integerBound(r *relation, col, op string, v any) (string, any) {
	n, ok := v.(int64)
	c, _ := r.table.Column(col)
	if !ok || c == nil || sourceColumnType(c) != ex.TypeInt || c.Filters[op] != nil {
		return op, v
	}
	switch {
	case op == "<" && c.Filters["<="] != nil && n > math.MinInt64:
		return "<=", n - 1
	case op == ">" && c.Filters[">="] != nil && n < math.MaxInt64:
		return ">=", n + 1
	}
	return op, v
}
