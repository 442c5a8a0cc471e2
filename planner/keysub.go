package planner

import (
	"context"
	"fmt"
	"strings"

	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/catalog"
	ex "github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/table"
)

// keySubquery is a required key column bound by WHERE key IN (SELECT …):
// the subquery runs when the scan opens, and its values bind the key, one
// request stream per value, as a lookup join's keys would.
type keySubquery struct {
	// pred is the key predicate's index in the scan's query; it holds a
	// sample key until the subquery has run.
	pred int
	col  *catalog.Column
	load func() ([]ex.Row, error)
	text string
}

// keysFromSubquery binds the required key column col of r through a
// conjunct col IN (subquery), when there is one; otherwise it returns
// missing, the error that asked for the key.
func (q *query) keysFromSubquery(r *relation, sp *scanPlan, col string, sc *scope, missing error) (*table.Pushdown, error) {
	column, _ := r.table.Column(col)
	if column == nil {
		return nil, missing
	}
	for i := range r.conjuncts {
		c := &r.conjuncts[i]
		cmp, ok := unparen(c.expr).(*sqlparser.ComparisonExpr)
		if !ok || cmp.Operator != sqlparser.InStr || len(c.preds) > 0 {
			continue
		}
		sub, isSub := cmp.Right.(*sqlparser.Subquery)
		cn, isCol := unparen(cmp.Left).(*sqlparser.ColName)
		if !isSub || !isCol || !r.matches(colQual(cn)) || !strings.EqualFold(cn.Name.String(), column.Name) {
			continue
		}
		load, err := q.subquery(sub, sc, 1)
		if err != nil {
			return nil, err
		}
		c.preds = []table.Predicate{{Column: column.Name, Op: "IN", Values: []any{sampleKey(column)}}}
		sp.keySub = &keySubquery{pred: len(sp.q.Predicates), col: column, load: load, text: sqlparser.String(sub)}
		sp.predConj = append(sp.predConj, i)
		sp.q.Predicates = append(sp.q.Predicates, c.preds...)
		// The streams are known only when the subquery has run: the
		// API cannot sort across them.
		sp.q.Sort = nil
		return r.src.Supports(sp.q)
	}
	return nil, missing
}

// leafNode is the operator that reads the scan: its ex.Scan, or, when a
// subquery supplies the key, a keyedScan around it.
func (sp *scanPlan) leafNode() ex.Node {
	if sp.keySub != nil {
		return &keyedScan{sp: sp}
	}
	return sp.node
}

// keyedScan runs the key subquery, then scans with its values as the key.
type keyedScan struct{ sp *scanPlan }

// Open implements ex.Node.
func (k *keyedScan) Open(ctx context.Context) (ex.Iterator, error) {
	sp, ks := k.sp, k.sp.keySub
	rows, err := ks.load()
	if err != nil {
		return nil, err
	}
	// Keys take the column's own form; a value no key can equal (NULL,
	// 42.5 for an int key, text for a number) names nothing to read.
	keys := make([]any, 0, len(rows))
	for _, row := range rows {
		if v, ok := coerce(row[0], sp.rel, ks.col.Name); ok && row[0] != nil && !matchesNothing(ks.col, v) {
			keys = append(keys, v)
		}
	}
	q := sp.q
	q.Predicates = append([]table.Predicate(nil), sp.q.Predicates...)
	q.Predicates[ks.pred] = table.Predicate{Column: ks.col.Name, Op: "IN", Values: keys}
	plan, err := sp.rel.src.PlanScan(q)
	if err != nil {
		return nil, fmt.Errorf("planner: table %s: the keys of %s: %w", sp.rel.display, ks.text, err)
	}
	scan := *sp.node
	scan.Plan = plan
	return scan.Open(ctx)
}
