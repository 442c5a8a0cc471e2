package planner

import (
	"errors"
	"fmt"
	"strings"

	"github.com/xwb1989/sqlparser"

	ex "github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/table"
)

// planned is a planned SELECT: its operator tree, output columns and the
// description EXPLAIN prints.
type planned struct {
	node ex.Node
	cols []outCol
	step *step
}

type outCol struct {
	name     string
	typ      ex.Type
	nullable bool
}

func (p *planned) columns() []Column {
	out := make([]Column, len(p.cols))
	for i, c := range p.cols {
		out[i] = Column{Name: c.name, Type: c.typ, Nullable: c.nullable}
	}
	return out
}

// conj is one conjunct of a WHERE or ON clause.
type conj struct {
	expr  sqlparser.Expr
	preds []table.Predicate
	// pushed is set when the source applies every predicate exactly.
	pushed bool
}

// scanPlan is the pushdown state of one base-table relation.
type scanPlan struct {
	rel      *relation
	q        table.Query
	predConj []int // for each q.Predicates entry, its conjunct
	// first is the source's answer to the first offer (the columns and
	// the limit not yet known); plan renders the final query.
	first *table.Pushdown
	plan  table.Plan
	// sortReason and limitReason say, for EXPLAIN, why the query's ORDER
	// BY or LIMIT is not sent to the API.
	sortReason, limitReason string
	// keySub is set when an IN (subquery) supplies a required key.
	keySub *keySubquery
	node   *ex.Scan
	step   *step
	// lookup is set when a lookup join reads this table by key.
	lookup *lookupPlan
	// pos are the row positions of the extracted columns.
	pos []int
}

// fromNode is a FROM tree: a relation, or a join of two subtrees.
type fromNode struct {
	rel         *relation
	left, right *fromNode
	kind        ex.JoinKind
	on          []sqlparser.Expr
	rels        []*relation
}

func (q *query) planStatement(s sqlparser.SelectStatement, parent *scope) (*planned, error) {
	switch x := s.(type) {
	case *sqlparser.Select:
		return q.planSelect(x, parent)
	case *sqlparser.ParenSelect:
		return q.planStatement(x.Select, parent)
	case *sqlparser.Union:
		return q.planUnion(x, parent)
	}
	return nil, notSupportedf("planner: %T is not supported", s)
}

func (q *query) planUnion(u *sqlparser.Union, parent *scope) (*planned, error) {
	l, err := q.planStatement(u.Left, parent)
	if err != nil {
		return nil, err
	}
	r, err := q.planStatement(u.Right, parent)
	if err != nil {
		return nil, err
	}
	if len(l.cols) != len(r.cols) {
		return nil, invalidf("planner: the two sides of %s have %d and %d columns", strings.ToUpper(u.Type), len(l.cols), len(r.cols))
	}
	all := u.Type == sqlparser.UnionAllStr
	cols := make([]outCol, len(l.cols))
	for i := range cols {
		cols[i] = l.cols[i]
		cols[i].nullable = l.cols[i].nullable || r.cols[i].nullable
		if l.cols[i].typ != r.cols[i].typ {
			cols[i].typ = mergeTypes(l.cols[i].typ, r.cols[i].typ)
		}
	}
	out := &planned{
		node: &ex.Union{Inputs: []ex.Node{l.node, r.node}, All: all},
		cols: cols,
		step: &step{op: strings.ToUpper(u.Type), children: []*step{l.step, r.step}},
	}
	// ORDER BY and LIMIT of a UNION refer to its output columns.
	sc := &scope{parent: parent}
	for i, c := range cols {
		sc.cols = append(sc.cols, scopeCol{name: c.name, typ: c.typ, idx: i})
	}
	comp := &compiler{q: q, sc: sc, noAgg: "ORDER BY of a UNION"}
	if len(u.OrderBy) > 0 {
		keys := make([]ex.SortKey, len(u.OrderBy))
		var desc []string
		for i, o := range u.OrderBy {
			var e ex.Expr
			if k, ok := ordinal(o.Expr); ok {
				if k < 1 || k > len(cols) {
					return nil, invalidf("planner: ORDER BY position %d is not in the select list (1 to %d)", k, len(cols))
				}
				e = &ex.Col{Idx: k - 1}
			} else {
				t, err := comp.compile(o.Expr)
				if err != nil {
					return nil, err
				}
				e = t.e
			}
			keys[i] = ex.SortKey{Expr: e, Desc: o.Direction == sqlparser.DescScr}
			desc = append(desc, sqlparser.String(o))
		}
		out.node = &ex.Sort{Input: out.node, Keys: keys, Limit: -1}
		out.step = &step{op: "Sort", detail: strings.Join(desc, ", "), children: []*step{out.step}}
	}
	return q.applyLimit(out, u.Limit)
}

func mergeTypes(a, b ex.Type) ex.Type {
	switch {
	case a == b:
		return a
	case a == "":
		return b
	case b == "":
		return a
	case (a == ex.TypeInt || a == ex.TypeFloat) && (b == ex.TypeInt || b == ex.TypeFloat):
		return ex.TypeFloat
	}
	return ex.TypeString
}

func ordinal(e sqlparser.Expr) (int, bool) {
	v, ok := e.(*sqlparser.SQLVal)
	if !ok || v.Type != sqlparser.IntVal {
		return 0, false
	}
	var k int
	if _, err := fmt.Sscan(string(v.Val), &k); err != nil {
		return 0, false
	}
	return k, true
}

// limitValues evaluates LIMIT and OFFSET (literals or arguments).
func (q *query) limitValues(l *sqlparser.Limit) (offset, count int64, err error) {
	count = -1
	if l == nil {
		return 0, -1, nil
	}
	eval := func(e sqlparser.Expr, what string) (int64, error) {
		v, ok := e.(*sqlparser.SQLVal)
		if !ok {
			return 0, invalidf("planner: %s must be a number or ?, got %s", what, sqlparser.String(e))
		}
		val, err := q.literal(v)
		if err != nil {
			return 0, err
		}
		n, err := ex.Convert(val, ex.TypeInt)
		if err != nil || n == nil {
			return 0, invalidf("planner: %s must be an integer, got %v", what, val)
		}
		if n.(int64) < 0 {
			return 0, invalidf("planner: %s must not be negative, got %d", what, n)
		}
		return n.(int64), nil
	}
	if l.Rowcount != nil {
		if count, err = eval(l.Rowcount, "LIMIT"); err != nil {
			return 0, 0, err
		}
	}
	if l.Offset != nil {
		if offset, err = eval(l.Offset, "OFFSET"); err != nil {
			return 0, 0, err
		}
	}
	return offset, count, nil
}

func (q *query) applyLimit(p *planned, l *sqlparser.Limit) (*planned, error) {
	offset, count, err := q.limitValues(l)
	if err != nil {
		return nil, err
	}
	if l == nil {
		return p, nil
	}
	if s, ok := p.node.(*ex.Sort); ok && count >= 0 {
		s.Limit = offset + count
	}
	p.node = &ex.Limit{Input: p.node, Offset: offset, Count: count}
	p.step = &step{op: "Limit", detail: limitDetail(offset, count), children: []*step{p.step}}
	return p, nil
}

func limitDetail(offset, count int64) string {
	s := "all"
	if count >= 0 {
		s = fmt.Sprint(count)
	}
	if offset > 0 {
		s += fmt.Sprintf(" offset %d", offset)
	}
	return s
}

// selectItem is one entry of the select list after * expansion.
type selectItem struct {
	expr  sqlparser.Expr // nil for a star column
	star  *scopeCol
	name  string
	alias bool
}

func (q *query) planSelect(sel *sqlparser.Select, parent *scope) (*planned, error) {
	if sel.Lock != "" {
		return nil, notSupportedf("planner: %s is not supported", strings.TrimSpace(strings.ToUpper(sel.Lock)))
	}
	from, rels, err := q.buildFrom(sel.From, parent)
	if err != nil {
		return nil, err
	}
	full := makeScope(rels, 0, parent)

	// Split WHERE into conjuncts and place each as low as it can go.
	var post []sqlparser.Expr
	if sel.Where != nil {
		if hasAggregate(sel.Where.Expr) {
			return nil, groupingf("planner: aggregates are not allowed in WHERE (use HAVING): %s", sqlparser.String(sel.Where.Expr))
		}
		for _, c := range splitAnd(sel.Where.Expr, nil) {
			if r := singleRelation(c, full); r != nil && !r.nullable {
				r.conjuncts = append(r.conjuncts, conj{expr: c})
			} else if from == nil || !joinConjunct(from, c, full) {
				post = append(post, c)
			}
		}
	}
	if from != nil {
		if err := q.placeOn(from); err != nil {
			return nil, err
		}
		q.findLookups(from)
	}

	aggregated := len(sel.GroupBy) > 0 || hasAggregate(sel.SelectExprs) || (sel.Having != nil) || hasAggregate(sel.OrderBy)
	items, err := expandStars(sel.SelectExprs, full)
	if err != nil {
		return nil, err
	}
	offset, count, err := q.limitValues(sel.Limit)
	if err != nil {
		return nil, err
	}

	// Offer each base table its conjuncts, and the ORDER BY when it is
	// the only table.
	if sel.Distinct != "" {
		for _, o := range sel.OrderBy {
			if idx, err := orderTarget(o.Expr, items); err == nil && idx < 0 {
				return nil, invalidf("planner: with SELECT DISTINCT, ORDER BY %s must be in the select list", sqlparser.String(o.Expr))
			}
		}
	}
	var sortCand []table.SortKey
	single := len(rels) == 1 && rels[0].src != nil
	if single && !aggregated {
		sortCand = q.sortCandidates(sel.OrderBy, items, full)
	}
	for _, r := range rels {
		if r.src == nil {
			continue
		}
		sp := &scanPlan{rel: r}
		r.scan = sp
		sp.q.Limit = -1
		for i := range r.conjuncts {
			c := &r.conjuncts[i]
			preds, err := q.pushable(c.expr, r)
			if err != nil {
				return nil, err
			}
			c.preds = preds
			for range c.preds {
				sp.predConj = append(sp.predConj, i)
			}
			sp.q.Predicates = append(sp.q.Predicates, c.preds...)
		}
		if single {
			sp.q.Sort = sortCand
		}
		first, err := r.src.Supports(sp.q)
		var missing *table.MissingKeyError
		switch {
		case err != nil && errors.As(err, &missing) && r.lookup != nil && strings.EqualFold(missing.Column, r.lookup.col):
			// The join supplies the key: read this table by lookup.
			r.lookup.required = true
		case err != nil && errors.As(err, &missing):
			// An IN (subquery) may supply the key.
			if first, err = q.keysFromSubquery(r, sp, missing.Column, full, err); err != nil {
				return nil, err
			}
			markPushed(r, sp, first)
		case err != nil:
			return nil, err
		default:
			markPushed(r, sp, first)
			if r.lookup != nil && !q.lookupWanted(r) {
				r.lookup = nil
			}
		}
		if r.lookup != nil {
			sp.lookup = r.lookup
			if first, err = r.src.Supports(sp.lookupQuery(nil)); err != nil {
				return nil, err
			}
			markPushed(r, sp, first)
		}
		sp.first = first
		q.scans = append(q.scans, sp)
	}

	sortPushed := false
	if single {
		sp := rels[0].scan
		sortPushed, sp.sortReason = orderPushed(sel, aggregated, sortCand, sp.first)
		var limited bool
		if limited, sp.limitReason = pushLimit(sel, rels[0], post, aggregated, sortPushed, count); limited {
			sp.q.Limit = offset + count
		}
		if !sortPushed {
			sp.q.Sort = nil
		}
		sp.q.NoPrefetch = sel.Limit != nil && !aggregated && (len(sel.OrderBy) == 0 || sortPushed)
	} else {
		for _, r := range rels {
			if r.scan != nil {
				r.scan.q.NoPrefetch = sel.Limit != nil && !aggregated && len(sel.OrderBy) == 0
			}
		}
	}

	// Leaf nodes: scans (or derived tables) with their residual filters.
	if from != nil {
		if err := q.buildLeaves(rels, parent); err != nil {
			return nil, err
		}
	}
	var cur *planned
	if from == nil {
		cur = &planned{node: &ex.Values{Rows: []ex.Row{{}}}, step: &step{op: "Values", detail: "one row"}}
	} else {
		cur, err = q.buildJoins(from, parent)
		if err != nil {
			return nil, err
		}
	}
	if len(post) > 0 {
		comp := &compiler{q: q, sc: full, noAgg: "WHERE"}
		pred, err := comp.andAll(post)
		if err != nil {
			return nil, err
		}
		cur.node = &ex.Filter{Input: cur.node, Pred: pred}
		cur.step = &step{op: "Filter", detail: exprList(post) + " (in the driver)", children: []*step{cur.step}}
	}

	// Aggregation.
	comp := &compiler{q: q, sc: full}
	var aggNode *ex.Aggregate
	if aggregated {
		actx := &aggCtx{input: &compiler{q: q, sc: full, noAgg: "GROUP BY"}}
		for _, g := range sel.GroupBy {
			ge, err := resolveGroupExpr(g, items)
			if err != nil {
				return nil, err
			}
			if hasAggregate(ge) {
				return nil, groupingf("planner: aggregates are not allowed in GROUP BY: %s", sqlparser.String(ge))
			}
			t, err := actx.input.compile(ge)
			if err != nil {
				return nil, err
			}
			actx.groupKeys = append(actx.groupKeys, exprKey(ge))
			actx.groupTyps = append(actx.groupTyps, t.typ)
			var gc *scopeCol
			if cn, ok := ge.(*sqlparser.ColName); ok {
				gc, _ = full.resolve(colQual(cn), cn.Name.String())
			}
			actx.groupCols = append(actx.groupCols, gc)
			if aggNode == nil {
				aggNode = &ex.Aggregate{Input: cur.node}
			}
			aggNode.GroupBy = append(aggNode.GroupBy, t.e)
		}
		if aggNode == nil {
			aggNode = &ex.Aggregate{Input: cur.node}
		}
		comp = &compiler{q: q, sc: full, agg: actx}
		cur.node = aggNode
		defer func() { aggNode.Aggs = actx.aggs }()
		cur.step = &step{op: "Aggregate", detail: groupDetail(sel.GroupBy), children: []*step{cur.step}}
		if sel.Having != nil {
			// HAVING may name a select alias (MySQL, SQLite): HAVING n > 7.
			comp.aliases = items
			h, err := comp.compile(sel.Having.Expr)
			comp.aliases = nil
			if err != nil {
				return nil, err
			}
			cur.node = &ex.Filter{Input: cur.node, Pred: h.e}
			cur.step = &step{op: "Filter", detail: "HAVING " + sqlparser.String(sel.Having.Expr), children: []*step{cur.step}}
		}
	} else {
		comp.noAgg = "this query"
	}

	// Projection, with hidden columns for ORDER BY keys not selected.
	var exprs []ex.Expr
	var cols []outCol
	for _, it := range items {
		if it.star != nil {
			if aggregated {
				return nil, groupingf("planner: SELECT * cannot be used with GROUP BY or aggregates")
			}
			exprs = append(exprs, &ex.Col{Idx: it.star.idx})
			if it.star.rel != nil && it.star.rel.used != nil {
				it.star.rel.used[it.star.colIdx] = true
			}
			cols = append(cols, outCol{name: it.name, typ: it.star.typ, nullable: true})
			continue
		}
		t, err := comp.compile(it.expr)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, t.e)
		cols = append(cols, outCol{name: it.name, typ: t.typ, nullable: true})
	}
	visible := len(exprs)
	var keys []ex.SortKey
	if len(sel.OrderBy) > 0 && !sortPushed {
		for _, o := range sel.OrderBy {
			idx, err := orderTarget(o.Expr, items)
			if err != nil {
				return nil, err
			}
			if idx < 0 {
				if sel.Distinct != "" {
					return nil, invalidf("planner: with SELECT DISTINCT, ORDER BY %s must be in the select list", sqlparser.String(o.Expr))
				}
				t, err := comp.compile(o.Expr)
				if err != nil {
					return nil, err
				}
				exprs = append(exprs, t.e)
				idx = len(exprs) - 1
			}
			keys = append(keys, ex.SortKey{Expr: &ex.Col{Idx: idx}, Desc: o.Direction == sqlparser.DescScr})
		}
	}
	if !identity(exprs, rels, aggregated) {
		cur.node = &ex.Project{Input: cur.node, Exprs: exprs}
	}
	cur.step = &step{op: "Project", detail: projectDetail(items), children: []*step{cur.step}}
	if sel.Distinct != "" {
		cur.node = &ex.Distinct{Input: cur.node}
		cur.step = &step{op: "Distinct", children: []*step{cur.step}}
	}
	if len(keys) > 0 {
		cur.node = &ex.Sort{Input: cur.node, Keys: keys, Limit: -1}
		cur.step = &step{op: "Sort", detail: orderDetail(sel.OrderBy) + " (in the driver)", children: []*step{cur.step}}
	}
	cur.cols = cols
	cur, err = q.applyLimit(cur, sel.Limit)
	if err != nil {
		return nil, err
	}
	if len(exprs) > visible {
		trim := make([]ex.Expr, visible)
		for i := range trim {
			trim[i] = &ex.Col{Idx: i}
		}
		cur.node = &ex.Project{Input: cur.node, Exprs: trim}
	}

	// The only scan of a top-level query that the driver neither sorts,
	// groups nor joins hands its rows straight to the caller, one at a
	// time: it can reuse one row slice.
	if single && from != nil && sel == q.top && !aggregated && len(keys) == 0 && rels[0].scan != nil && rels[0].scan.node != nil {
		rels[0].scan.node.Reuse = true
	}

	// Now that every expression is compiled, the needed columns are known:
	// make the final request plans.
	for _, r := range rels {
		if r.scan != nil {
			if err := q.finishScan(r.scan); err != nil {
				return nil, err
			}
		}
	}
	return cur, nil
}

// finishScan plans the table's requests with the columns the query reads.
func (q *query) finishScan(sp *scanPlan) error {
	r := sp.rel
	sp.q.Columns = []string{}
	var pos []int
	for i, c := range r.table.Columns {
		if r.used[i] {
			sp.q.Columns = append(sp.q.Columns, c.Name)
			pos = append(pos, i)
		}
	}
	sp.pos = pos
	pq := sp.q
	if sp.lookup != nil {
		// EXPLAIN shows the request of one sample key; the join plans
		// each batch of keys when it runs.
		pq = sp.lookupQuery(nil)
	}
	plan, err := r.src.PlanScan(pq)
	if err != nil {
		return err
	}
	for k, f := range plan.Decision().Filters {
		if k < len(sp.first.Filters) && f.Support != sp.first.Filters[k].Support {
			return fmt.Errorf("planner: table %s: pushdown changed between planning passes", r.display)
		}
	}
	sp.plan = plan
	if sp.node != nil {
		sp.node.Plan = plan
		sp.node.Pos = pos
	}
	sp.step.detail = scanDetail(sp)
	return nil
}

// splitAnd flattens top-level ANDs.
func splitAnd(e sqlparser.Expr, out []sqlparser.Expr) []sqlparser.Expr {
	switch x := e.(type) {
	case *sqlparser.AndExpr:
		return splitAnd(x.Right, splitAnd(x.Left, out))
	case *sqlparser.ParenExpr:
		if _, ok := x.Expr.(*sqlparser.AndExpr); ok {
			return splitAnd(x.Expr, out)
		}
	}
	return append(out, e)
}

func (c *compiler) andAll(list []sqlparser.Expr) (ex.Expr, error) {
	var out ex.Expr
	for _, e := range list {
		t, err := c.compile(e)
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = t.e
		} else {
			out = &ex.And{L: out, R: t.e}
		}
	}
	return out, nil
}

// refs returns the relations an expression's columns name (unresolvable
// names are left for the compiler to report). Subqueries are skipped.
func refs(e sqlparser.Expr, sc *scope) map[*relation]bool {
	out := map[*relation]bool{}
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch x := n.(type) {
		case *sqlparser.Subquery:
			return false, nil
		case *sqlparser.ColName:
			if c, err := sc.resolve(colQual(x), x.Name.String()); err == nil && c.rel != nil {
				out[c.rel] = true
			}
		}
		return true, nil
	}, e)
	return out
}

// joinConjunct moves a WHERE conjunct that names two or more relations,
// none of them on the NULL side of a LEFT JOIN, into the ON of the lowest
// inner join that holds them all: a comma join with its condition in
// WHERE (FROM a, b WHERE a.x = b.y) then joins on it instead of filtering
// the cross product. It reports whether it moved c.
func joinConjunct(n *fromNode, c sqlparser.Expr, sc *scope) bool {
	rs := refs(c, sc)
	if len(rs) < 2 || hasSubquery(c) {
		return false
	}
	for r := range rs {
		if r.nullable {
			return false
		}
	}
	for n.rel == nil {
		all := func(side *fromNode) bool {
			for r := range rs {
				if !contains(side, r) {
					return false
				}
			}
			return true
		}
		switch {
		case all(n.left):
			n = n.left
		case all(n.right):
			n = n.right
		case n.kind == ex.InnerJoin:
			n.on = append(n.on, c)
			return true
		default:
			return false
		}
	}
	return false
}

// hasSubquery reports whether e holds a subquery.
func hasSubquery(e sqlparser.Expr) bool {
	found := false
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		if _, ok := node.(*sqlparser.Subquery); ok {
			found = true
			return false, nil
		}
		return true, nil
	}, e)
	return found
}

func singleRelation(e sqlparser.Expr, sc *scope) *relation {
	rs := refs(e, sc)
	if len(rs) != 1 {
		return nil
	}
	for r := range rs {
		return r
	}
	return nil
}

// expandStars expands * and t.* and names every select item.
func expandStars(list sqlparser.SelectExprs, sc *scope) ([]selectItem, error) {
	var out []selectItem
	for _, se := range list {
		switch x := se.(type) {
		case *sqlparser.StarExpr:
			qual := nameParts(x.TableName)
			matched := false
			all := make([]*scopeCol, len(sc.cols))
			for i := range sc.cols {
				all[i] = &sc.cols[i]
			}
			for _, c := range all {
				if len(qual) > 0 && (c.rel == nil || !c.rel.matches(qual)) {
					continue
				}
				if len(qual) == 0 && c.hiddenBy(all) {
					continue // merged by USING: shown once, as the left column
				}
				matched = true
				out = append(out, selectItem{star: c, name: c.name})
			}
			if len(qual) > 0 && !matched {
				return nil, unknownTablef("planner: unknown table %s in %s", strings.Join(qual, "."), sqlparser.String(x))
			}
			if len(qual) == 0 && len(sc.cols) == 0 {
				return nil, invalidf("planner: SELECT * needs a FROM clause")
			}
		case *sqlparser.AliasedExpr:
			it := selectItem{expr: x.Expr}
			switch {
			case !x.As.IsEmpty():
				it.name, it.alias = x.As.String(), true
			default:
				if cn, ok := x.Expr.(*sqlparser.ColName); ok {
					it.name = cn.Name.String()
				} else {
					it.name = exprName(x.Expr)
				}
			}
			out = append(out, it)
		default:
			return nil, notSupportedf("planner: %s is not supported in the select list", sqlparser.String(se))
		}
	}
	return out, nil
}

// resolveGroupExpr maps GROUP BY ordinals and select aliases to expressions.
func resolveGroupExpr(g sqlparser.Expr, items []selectItem) (sqlparser.Expr, error) {
	if k, ok := ordinal(g); ok {
		if k < 1 || k > len(items) || items[k-1].expr == nil {
			return nil, invalidf("planner: GROUP BY position %d is not an expression of the select list", k)
		}
		return items[k-1].expr, nil
	}
	if cn, ok := g.(*sqlparser.ColName); ok && cn.Qualifier.IsEmpty() {
		for _, it := range items {
			if it.alias && strings.EqualFold(it.name, cn.Name.String()) {
				if hasAggregate(it.expr) {
					return nil, groupingf("planner: cannot GROUP BY %s: it is an aggregate", it.name)
				}
				return it.expr, nil
			}
		}
	}
	return g, nil
}

// orderTarget finds the select-list position an ORDER BY key refers to
// (ordinal, alias or the same expression), or -1.
func orderTarget(e sqlparser.Expr, items []selectItem) (int, error) {
	if k, ok := ordinal(e); ok {
		if k < 1 || k > len(items) {
			return 0, invalidf("planner: ORDER BY position %d is not in the select list (1 to %d)", k, len(items))
		}
		return k - 1, nil
	}
	if cn, ok := e.(*sqlparser.ColName); ok && cn.Qualifier.IsEmpty() {
		for i, it := range items {
			if it.alias && strings.EqualFold(it.name, cn.Name.String()) {
				return i, nil
			}
		}
	}
	key := exprKey(e)
	for i, it := range items {
		if it.expr != nil && exprKey(it.expr) == key {
			return i, nil
		}
	}
	return -1, nil
}

var errNotConst = errors.New("not a constant")

// constant evaluates an expression that names no column.
func (q *query) constant(e sqlparser.Expr) (any, error) {
	hasSub := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch n.(type) {
		case *sqlparser.Subquery, *sqlparser.ColName:
			hasSub = true
			return false, nil
		}
		return true, nil
	}, e)
	if hasSub {
		return nil, errNotConst
	}
	c := &compiler{q: q, sc: &scope{}, noAgg: "a constant"}
	t, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	return t.e.Eval(nil)
}

// identity reports whether a projection would copy its input rows as they
// are (SELECT * over the FROM clause), so the Project operator can be left
// out and each row is not copied once more.
func identity(exprs []ex.Expr, rels []*relation, aggregated bool) bool {
	if aggregated {
		return false
	}
	width := 0
	for _, r := range rels {
		width += len(r.cols)
	}
	if len(exprs) != width {
		return false
	}
	for i, e := range exprs {
		if c, ok := e.(*ex.Col); !ok || c.Idx != i {
			return false
		}
	}
	return true
}
