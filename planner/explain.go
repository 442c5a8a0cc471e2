package planner

import (
	"fmt"
	"io"
	"strings"

	"github.com/xwb1989/sqlparser"

	ex "github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/table"
)

// step describes one operator for EXPLAIN.
type step struct {
	op       string
	target   string
	detail   string
	children []*step
}

// ExplainColumns are the columns of an EXPLAIN result: one row per plan
// step, children after their parent, with the parent's id.
var ExplainColumns = []Column{
	{Name: "id", Type: ex.TypeInt},
	{Name: "parent", Type: ex.TypeInt, Nullable: true},
	{Name: "operator", Type: ex.TypeString},
	{Name: "target", Type: ex.TypeString, Nullable: true},
	{Name: "detail", Type: ex.TypeString, Nullable: true},
}

func explainResult(p *planned) *Result {
	var rows []ex.Row
	var walk func(s *step, parent any)
	walk = func(s *step, parent any) {
		id := int64(len(rows) + 1)
		rows = append(rows, ex.Row{id, parent, s.op, nullIfEmpty(s.target), nullIfEmpty(s.detail)})
		for _, c := range s.children {
			walk(c, id)
		}
	}
	walk(p.step, nil)
	i := 0
	it := &rowsIter{next: func() (ex.Row, error) {
		if i >= len(rows) {
			return nil, io.EOF
		}
		i++
		return rows[i-1], nil
	}}
	return &Result{Columns: ExplainColumns, Rows: it}
}

type rowsIter struct{ next func() (ex.Row, error) }

func (r *rowsIter) Next() (ex.Row, error) { return r.next() }
func (r *rowsIter) Close() error          { return nil }

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func exprList(list []sqlparser.Expr) string {
	parts := make([]string, len(list))
	for i, e := range list {
		parts[i] = sqlparser.String(e)
	}
	return strings.Join(parts, " AND ")
}

func groupDetail(g sqlparser.GroupBy) string {
	if len(g) == 0 {
		return "one group"
	}
	return "GROUP BY " + strings.TrimPrefix(sqlparser.String(g), " group by ")
}

func orderDetail(o sqlparser.OrderBy) string {
	return strings.TrimPrefix(sqlparser.String(o), " order by ")
}

func projectDetail(items []selectItem) string {
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.name
	}
	return strings.Join(parts, ", ")
}

var supportWord = map[table.Support]string{table.Exact: "exact", table.Inexact: "re-checked in the driver", table.Unsupported: "in the driver"}

// scanDetail describes what a scan sends to the API and adds one child
// step per request it starts with.
func scanDetail(sp *scanPlan) string {
	var parts []string
	var pushed []string
	for i, p := range sp.q.Predicates {
		d := sp.plan.Decision().Filters[i]
		word := supportWord[d.Support]
		if d.Support != table.Exact && d.Reason != "" {
			word += ": " + d.Reason
		}
		if ks := sp.keySub; ks != nil && ks.pred == i {
			pushed = append(pushed, fmt.Sprintf("%s IN %s (exact: its values bind the key when the query runs)", p.Column, ks.text))
			continue
		}
		pushed = append(pushed, fmt.Sprintf("%s %s %s (%s)", p.Column, p.Op, formatValues(p.Values), word))
	}
	for _, c := range sp.rel.conjuncts {
		if len(c.preds) == 0 {
			pushed = append(pushed, fmt.Sprintf("%s (in the driver: %s)", sqlparser.String(c.expr), notOffered(c.expr)))
		}
	}
	if len(pushed) > 0 {
		parts = append(parts, "predicates: "+strings.Join(pushed, ", "))
	}
	if sp.sortReason != "" {
		parts = append(parts, sp.sortReason)
	}
	if len(sp.q.Sort) > 0 && sp.plan.Decision().Sort {
		var ks []string
		for _, k := range sp.q.Sort {
			d := "ASC"
			if k.Desc {
				d = "DESC"
			}
			ks = append(ks, k.Column+" "+d)
		}
		parts = append(parts, "sort pushed: "+strings.Join(ks, ", "))
	}
	if sp.q.Limit >= 0 {
		if sp.plan.LimitApplied() {
			parts = append(parts, fmt.Sprintf("limit pushed: %d", sp.q.Limit))
		} else {
			parts = append(parts, fmt.Sprintf("stops after %d rows", sp.q.Limit))
		}
	} else if sp.limitReason != "" {
		parts = append(parts, sp.limitReason)
	}
	if s, ok := sp.plan.(table.Shaped); ok {
		if d := s.ShapeDetail(); d != "" {
			parts = append(parts, d)
		}
	}
	parts = append(parts, "columns: "+strings.Join(sp.q.Columns, ", "))
	if sp.keySub != nil {
		parts = append(parts, "requests: one stream per value of the subquery")
		sp.step.children = nil
		return strings.Join(parts, "; ")
	}
	if d, ok := sp.plan.(table.Describer); ok {
		parts = append(parts, d.Describe())
		sp.step.children = nil
		return strings.Join(parts, "; ")
	}
	// A paginated plan says how its pages are sized (restsource.Plan:
	// maxPageSize, or the request that confirms a short first page).
	if pp, ok := any(sp.plan).(interface{ Paging() string }); ok && sp.lookup == nil {
		if pg := pp.Paging(); pg != "" {
			parts = append(parts, pg)
		}
	}
	if n, known := sp.plan.EstimatedRequests(); known && sp.lookup == nil {
		parts = append(parts, fmt.Sprintf("requests: at most %d", n))
	} else if sp.lookup == nil {
		parts = append(parts, "requests: one per page until the data ends")
	}
	sp.step.children = nil
	for _, u := range sp.plan.Requests() {
		if sp.lookup != nil {
			// Planned with a made-up key (sampleKey): say so, and where
			// the real keys come from.
			u += fmt.Sprintf(" (an example: %s = %s stands for the keys the join reads)",
				sp.lookup.col, formatValues([]any{sampleKey(sp.rel.table.Columns[sp.lookup.colIdx])}))
		}
		sp.step.children = append(sp.step.children, &step{op: "Request", target: sp.step.target, detail: u})
	}
	if cf, ok := any(sp.plan).(interface{ ColumnsFromRequest() string }); ok {
		if r := cf.ColumnsFromRequest(); r != "" {
			parts = append(parts, "columnsFrom: "+r+" (the table's columns, read at its first use)")
		}
	}
	return strings.Join(parts, "; ")
}

func formatValues(vals []any) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		switch x := v.(type) {
		case string:
			parts[i] = "'" + strings.ReplaceAll(x, "'", "''") + "'"
		case nil:
			parts[i] = "NULL"
		default:
			parts[i] = ex.ToString(x)
		}
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// notOffered says why a conjunct is not offered to the API at all.
func notOffered(e sqlparser.Expr) string {
	switch x := unparen(e).(type) {
	case *sqlparser.OrExpr:
		return "an OR is not sent"
	case *sqlparser.NotExpr:
		return "a NOT is not sent"
	case *sqlparser.IsExpr:
		return strings.ToUpper(x.Operator) + " is not sent"
	case *sqlparser.ExistsExpr:
		return "EXISTS is evaluated in the driver"
	case *sqlparser.RangeCond:
		if x.Operator != sqlparser.BetweenStr {
			return strings.ToUpper(x.Operator) + " is not sent"
		}
	case *sqlparser.ComparisonExpr:
		switch {
		case x.Operator == sqlparser.NotInStr, x.Operator == sqlparser.NotLikeStr, x.Operator == sqlparser.NullSafeEqualStr:
			return strings.ToUpper(x.Operator) + " is not sent"
		case x.Escape != nil:
			return "LIKE with ESCAPE is not sent"
		}
		if _, ok := x.Right.(*sqlparser.Subquery); ok {
			return "a subquery is evaluated in the driver"
		}
	}
	return "not a comparison of a column with a constant"
}
