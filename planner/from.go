package planner

import (
	"strings"

	"github.com/xwb1989/sqlparser"

	ex "github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/metadata"
	"github.com/restsql/restsql/table"
)

// buildFrom builds the FROM tree and lists its relations in row order.
func (q *query) buildFrom(from sqlparser.TableExprs, parent *scope) (*fromNode, []*relation, error) {
	if len(from) == 1 {
		if a, ok := from[0].(*sqlparser.AliasedTableExpr); ok {
			if tn, ok := a.Expr.(sqlparser.TableName); ok && tn.Qualifier.IsEmpty() && strings.EqualFold(tn.Name.String(), "dual") {
				return nil, nil, nil
			}
		}
	}
	var root *fromNode
	for _, te := range from {
		n, err := q.tableExpr(te, parent)
		if err != nil {
			return nil, nil, err
		}
		if root == nil {
			root = n
		} else {
			root = &fromNode{left: root, right: n, kind: ex.InnerJoin, rels: append(append([]*relation{}, root.rels...), n.rels...)}
		}
	}
	off := 0
	for _, r := range root.rels {
		r.offset = off
		off += len(r.cols)
	}
	return root, root.rels, nil
}

func (q *query) tableExpr(te sqlparser.TableExpr, parent *scope) (*fromNode, error) {
	switch x := te.(type) {
	case *sqlparser.AliasedTableExpr:
		if x.Hints != nil || len(x.Partitions) > 0 {
			return nil, notSupportedf("planner: index hints and partitions are not supported: %s", sqlparser.String(x))
		}
		r := &relation{alias: x.As.String()}
		switch t := x.Expr.(type) {
		case sqlparser.TableName:
			parts := nameParts(t)
			src, err := q.systemTable(parts)
			if err != nil {
				return nil, err
			}
			if src != nil {
				// A system table answers to the name it was asked by.
				r.parts = parts
			} else {
				if src, err = q.cat.Table(parts); err != nil {
					return nil, err
				}
				tab := src.Def()
				r.parts = []string{tab.CatalogName, tab.SchemaName, tab.Name}
			}
			tab := src.Def()
			r.src, r.table = src, tab
			r.display = strings.Join(r.parts, ".")
			r.used = make([]bool, len(tab.Columns))
			for i, c := range tab.Columns {
				r.cols = append(r.cols, scopeCol{rel: r, name: c.Name, typ: sourceColumnType(c), colIdx: i})
			}
		case *sqlparser.Subquery:
			if r.alias == "" {
				return nil, invalidf("planner: a derived table needs an alias: %s", sqlparser.String(t))
			}
			sub, err := q.planStatement(t.Select, nil)
			if err != nil {
				return nil, err
			}
			r.display = r.alias
			r.derived = sub
			for i, c := range sub.cols {
				r.cols = append(r.cols, scopeCol{rel: r, name: c.name, typ: c.typ, colIdx: i})
			}
		default:
			return nil, notSupportedf("planner: %s is not supported in FROM", sqlparser.String(x.Expr))
		}
		if r.alias != "" {
			r.display = r.alias
		}
		return &fromNode{rel: r, rels: []*relation{r}}, nil
	case *sqlparser.ParenTableExpr:
		var root *fromNode
		for _, e := range x.Exprs {
			n, err := q.tableExpr(e, parent)
			if err != nil {
				return nil, err
			}
			if root == nil {
				root = n
			} else {
				root = &fromNode{left: root, right: n, kind: ex.InnerJoin, rels: append(append([]*relation{}, root.rels...), n.rels...)}
			}
		}
		return root, nil
	case *sqlparser.JoinTableExpr:
		var kind ex.JoinKind
		natural := false
		switch x.Join {
		case sqlparser.JoinStr, sqlparser.StraightJoinStr:
			kind = ex.InnerJoin
		case sqlparser.LeftJoinStr:
			kind = ex.LeftJoin
		case sqlparser.NaturalJoinStr:
			kind, natural = ex.InnerJoin, true
		case sqlparser.NaturalLeftJoinStr:
			kind, natural = ex.LeftJoin, true
		default:
			return nil, notSupportedf("planner: %s is not supported (use JOIN or LEFT JOIN)", strings.ToUpper(x.Join))
		}
		l, err := q.tableExpr(x.LeftExpr, parent)
		if err != nil {
			return nil, err
		}
		r, err := q.tableExpr(x.RightExpr, parent)
		if err != nil {
			return nil, err
		}
		n := &fromNode{left: l, right: r, kind: kind, rels: append(append([]*relation{}, l.rels...), r.rels...)}
		if kind == ex.LeftJoin {
			for _, rel := range r.rels {
				rel.nullable = true
			}
		}
		if x.Condition.On != nil {
			if hasAggregate(x.Condition.On) {
				return nil, groupingf("planner: aggregates are not allowed in ON: %s", sqlparser.String(x.Condition.On))
			}
			n.on = splitAnd(x.Condition.On, nil)
		}
		using := make([]string, len(x.Condition.Using))
		for i, c := range x.Condition.Using {
			using[i] = c.String()
		}
		what := "USING"
		if natural {
			using, what = commonColumns(l, r), "NATURAL JOIN"
		}
		if err := mergeUsing(n, using, what); err != nil {
			return nil, err
		}
		if natural && len(using) == 0 {
			// No column in common: every pair of rows (SQLite, PostgreSQL).
			n.on = append(n.on, sqlparser.BoolVal(true))
		}
		if kind == ex.LeftJoin && len(n.on) == 0 {
			return nil, invalidf("planner: LEFT JOIN needs an ON condition")
		}
		return n, nil
	}
	return nil, notSupportedf("planner: %s is not supported in FROM", sqlparser.String(te))
}

// visibleColumns lists the columns of a FROM subtree that * shows: all
// but those a JOIN … USING inside it merged into another.
func visibleColumns(n *fromNode) []*scopeCol {
	var all []*scopeCol
	for _, r := range n.rels {
		for i := range r.cols {
			all = append(all, &r.cols[i])
		}
	}
	out := all[:0:0]
	for _, c := range all {
		if !c.hiddenBy(all) {
			out = append(out, c)
		}
	}
	return out
}

// commonColumns lists the names of the visible columns a NATURAL JOIN's
// two sides have in common, in the left side's order.
func commonColumns(l, r *fromNode) []string {
	var out []string
	seen := map[string]bool{}
	right := visibleColumns(r)
	for _, lc := range visibleColumns(l) {
		key := strings.ToLower(lc.name)
		if seen[key] {
			continue
		}
		for _, rc := range right {
			if strings.EqualFold(lc.name, rc.name) {
				out = append(out, lc.name)
				seen[key] = true
				break
			}
		}
	}
	return out
}

// mergeUsing turns JOIN … USING (a, b) into the ON conjuncts l.a = r.a AND
// l.b = r.b and merges each pair of columns into one: an unqualified a
// (and *) then means the left side's column, qualified names still reach
// both. For INNER and LEFT JOIN the left column is the merged value SQL
// defines, COALESCE(l.a, r.a): where the right row is matched the two are
// equal, and where it is not the right one is NULL. what names the clause
// in errors (USING or NATURAL JOIN).
func mergeUsing(n *fromNode, names []string, what string) error {
	seen := map[string]bool{}
	for _, name := range names {
		key := strings.ToLower(name)
		if seen[key] {
			return invalidf("planner: %s names column %s twice", what, name)
		}
		seen[key] = true
		lc, err := usingColumn(n.left, name, what, "left")
		if err != nil {
			return err
		}
		rc, err := usingColumn(n.right, name, what, "right")
		if err != nil {
			return err
		}
		lref, err := columnRef(lc, n.rels)
		if err != nil {
			return err
		}
		rref, err := columnRef(rc, n.rels)
		if err != nil {
			return err
		}
		n.on = append(n.on, &sqlparser.ComparisonExpr{Operator: "=", Left: lref, Right: rref})
		rc.rel.cols[rc.colIdx].merged = &lc.rel.cols[lc.colIdx]
	}
	return nil
}

// usingColumn finds the visible column name on one side of a join.
func usingColumn(side *fromNode, name, what, which string) (*scopeCol, error) {
	var found []*scopeCol
	for _, c := range visibleColumns(side) {
		if strings.EqualFold(c.name, name) {
			found = append(found, c)
		}
	}
	switch len(found) {
	case 0:
		return nil, unknownColumnf("planner: %s column %s is not a column of the %s side of the join (%s)", what, name, which, relNames(side.rels))
	case 1:
		return found[0], nil
	}
	var names []string
	for _, c := range found {
		names = append(names, c.rel.display+"."+c.name)
	}
	return nil, ambiguousf("planner: %s column %s is ambiguous on the %s side of the join (%s): join with ON instead", what, name, which, strings.Join(names, ", "))
}

func relNames(rels []*relation) string {
	names := make([]string, len(rels))
	for i, r := range rels {
		names[i] = r.display
	}
	return strings.Join(names, ", ")
}

// columnRef writes a reference to column c that resolves to it among rels:
// by alias, else by the shortest suffix of catalog.schema.table that no
// other relation shares.
func columnRef(c *scopeCol, rels []*relation) (*sqlparser.ColName, error) {
	r := c.rel
	col := sqlparser.NewColIdent(c.name)
	if r.alias != "" {
		return &sqlparser.ColName{Name: col, Qualifier: sqlparser.TableName{Name: sqlparser.NewTableIdent(r.alias)}}, nil
	}
	for k := 1; k <= len(r.parts); k++ {
		qual := r.parts[len(r.parts)-k:]
		unique := true
		for _, o := range rels {
			if o != r && o.matches(qual) {
				unique = false
			}
		}
		if !unique {
			continue
		}
		tn := sqlparser.TableName{Name: sqlparser.NewTableIdent(qual[len(qual)-1])}
		if len(qual) > 1 {
			tn.Qualifier = sqlparser.NewTableIdent(strings.Join(qual[:len(qual)-1], nameSep))
		}
		return &sqlparser.ColName{Name: col, Qualifier: tn}, nil
	}
	return nil, invalidf("planner: table %s is joined twice: give each an alias", r.display)
}

func contains(n *fromNode, r *relation) bool {
	for _, x := range n.rels {
		if x == r {
			return true
		}
	}
	return false
}

// nullableWithin reports whether r is on the NULL-supplying side of a LEFT
// JOIN inside n.
func nullableWithin(n *fromNode, r *relation) bool {
	if n.rel != nil {
		return false
	}
	if n.kind == ex.LeftJoin && contains(n.right, r) {
		return true
	}
	return nullableWithin(n.left, r) || nullableWithin(n.right, r)
}

// placeOn moves ON conjuncts that name a single relation down to it where
// that keeps the join's meaning.
func (q *query) placeOn(n *fromNode) error {
	if n.rel != nil {
		return nil
	}
	if err := q.placeOn(n.left); err != nil {
		return err
	}
	if err := q.placeOn(n.right); err != nil {
		return err
	}
	sc := makeScope(n.rels, n.rels[0].offset, nil)
	var keep []sqlparser.Expr
	for _, c := range n.on {
		r := singleRelation(c, sc)
		switch {
		case r == nil:
			keep = append(keep, c)
		case n.kind == ex.InnerJoin && !nullableWithin(n, r):
			r.conjuncts = append(r.conjuncts, conj{expr: c})
		case n.kind == ex.LeftJoin && n.right.rel == r:
			r.conjuncts = append(r.conjuncts, conj{expr: c})
		default:
			keep = append(keep, c)
		}
	}
	n.on = keep
	return nil
}

// makeScope lists the columns of rels as they sit in rows that start at
// the column offset base.
func makeScope(rels []*relation, base int, parent *scope) *scope {
	sc := &scope{rels: rels, parent: parent}
	for _, r := range rels {
		for _, c := range r.cols {
			c.idx = r.offset - base + c.colIdx
			sc.cols = append(sc.cols, c)
		}
	}
	return sc
}

// buildLeaves creates each relation's scan (or derived plan) and the
// filter of its conjuncts that the API does not apply exactly.
func (q *query) buildLeaves(rels []*relation, parent *scope) error {
	for _, r := range rels {
		var p *planned
		if r.lookup != nil {
			// Read by key inside a lookup join: the scan is planned per
			// batch; only its residual filter is compiled here.
			r.scan.step = &step{op: "Scan", target: strings.Join(r.parts, ".") + aliasSuffix(r)}
			for _, c := range r.conjuncts {
				if !c.pushed {
					r.lookup.residualText = append(r.lookup.residualText, c.expr)
				}
			}
			if len(r.lookup.residualText) > 0 {
				comp := &compiler{q: q, sc: makeScope([]*relation{r}, r.offset, parent), noAgg: "WHERE"}
				pred, err := comp.andAll(r.lookup.residualText)
				if err != nil {
					return err
				}
				r.lookup.residual = pred
			}
			continue
		}
		if r.src != nil {
			node := &ex.Scan{Width: len(r.cols)}
			r.scan.node = node
			r.scan.step = &step{op: "Scan", target: strings.Join(r.parts, ".") + aliasSuffix(r)}
			p = &planned{node: r.scan.leafNode(), step: r.scan.step}
		} else {
			p = &planned{node: r.derived.node, step: &step{op: "Derived", target: r.display, children: []*step{r.derived.step}}}
		}
		var residual []sqlparser.Expr
		for _, c := range r.conjuncts {
			if !c.pushed {
				residual = append(residual, c.expr)
			}
		}
		if len(residual) > 0 {
			comp := &compiler{q: q, sc: makeScope([]*relation{r}, r.offset, parent), noAgg: "WHERE"}
			pred, err := comp.andAll(residual)
			if err != nil {
				return err
			}
			p = &planned{node: &ex.Filter{Input: p.node, Pred: pred}, step: &step{op: "Filter", target: r.display, detail: exprList(residual) + " (in the driver)", children: []*step{p.step}}}
		}
		r.leaf = p
	}
	return nil
}

// buildJoins builds the operators of a FROM tree.
func (q *query) buildJoins(n *fromNode, parent *scope) (*planned, error) {
	if n.rel != nil {
		return n.rel.leaf, nil
	}
	if r := n.right.rel; r != nil && r.lookup != nil && r.lookup.join == n {
		return q.buildLookupJoin(n, r, parent)
	}
	if r := n.left.rel; r != nil && r.lookup != nil && r.lookup.join == n {
		return q.buildLookupJoin(n, r, parent)
	}
	l, err := q.buildJoins(n.left, parent)
	if err != nil {
		return nil, err
	}
	r, err := q.buildJoins(n.right, parent)
	if err != nil {
		return nil, err
	}
	lsc := makeScope(n.left.rels, n.left.rels[0].offset, nil)
	rsc := makeScope(n.right.rels, n.right.rels[0].offset, nil)
	both := makeScope(n.rels, n.rels[0].offset, parent)
	j := &ex.HashJoin{Left: l.node, Right: r.node, Kind: n.kind}
	for _, rel := range n.right.rels {
		j.RightWidth += len(rel.cols)
	}
	var extra []sqlparser.Expr
	var keyDesc []string
	for _, c := range n.on {
		if lk, rk, ok := q.equiKey(c, lsc, rsc); ok {
			j.LeftKeys = append(j.LeftKeys, lk)
			j.RightKeys = append(j.RightKeys, rk)
			keyDesc = append(keyDesc, sqlparser.String(c))
			continue
		}
		extra = append(extra, c)
	}
	if len(extra) > 0 {
		comp := &compiler{q: q, sc: both, noAgg: "ON"}
		e, err := comp.andAll(extra)
		if err != nil {
			return nil, err
		}
		j.Extra = e
	}
	kind := "Hash join"
	if n.kind == ex.LeftJoin {
		kind = "Hash left join"
	}
	if len(j.LeftKeys) == 0 {
		kind = strings.Replace(kind, "Hash", "Nested loop", 1)
	}
	detail := strings.Join(keyDesc, " AND ")
	if len(extra) > 0 {
		if detail != "" {
			detail += "; "
		}
		detail += "filter " + exprList(extra)
	}
	if est := q.joinEstimates[n]; est != "" {
		detail += "; " + est
	}
	return &planned{node: j, step: &step{op: kind, detail: detail, children: []*step{l.step, r.step}}}, nil
}

// equiKey recognises left.col = right.col (either order) for a hash join.
func (q *query) equiKey(e sqlparser.Expr, lsc, rsc *scope) (ex.Expr, ex.Expr, bool) {
	c, ok := e.(*sqlparser.ComparisonExpr)
	if !ok || c.Operator != "=" {
		return nil, nil, false
	}
	side := func(x sqlparser.Expr, sc *scope) ex.Expr {
		if len(refs(x, sc)) == 0 {
			return nil
		}
		comp := &compiler{q: q, sc: sc, noAgg: "ON"}
		t, err := comp.compile(x)
		if err != nil {
			return nil
		}
		return t.e
	}
	if l, r := side(c.Left, lsc), side(c.Right, rsc); l != nil && r != nil {
		return l, r, true
	}
	if l, r := side(c.Right, lsc), side(c.Left, rsc); l != nil && r != nil {
		return l, r, true
	}
	return nil, nil, false
}

// subquery plans an uncorrelated subquery and returns a loader that runs it
// once. want is the number of columns required (-1 = any).
func (q *query) subquery(s *sqlparser.Subquery, outer *scope, want int) (func() ([]ex.Row, error), error) {
	p, err := q.planStatement(s.Select, outer)
	if err != nil {
		return nil, err
	}
	if want > 0 && len(p.cols) != want {
		return nil, invalidf("planner: subquery %s must return %d column, not %d", sqlparser.String(s), want, len(p.cols))
	}
	return func() ([]ex.Row, error) { return ex.Drain(q.ctx, p.node) }, nil
}

func aliasSuffix(r *relation) string {
	if r.alias == "" {
		return ""
	}
	return " " + r.alias
}

// systemTable returns the system table (sys_tables, information_schema.
// columns, …) a name refers to, when the catalog exposes its profile, or
// one of the catalog's own (SystemTables); nil when there is none. It is
// a table like any other, in memory.
func (q *query) systemTable(parts []string) (table.Table, error) {
	var mt *metadata.Table
	if st, ok := q.cat.(SystemTables); ok {
		mt, _ = st.SystemTable(parts)
	}
	if pc, ok := q.cat.(ProfileCatalog); ok && mt == nil {
		prof, err := q.systemProfile(pc, parts)
		if err != nil {
			return nil, err
		}
		mt, _ = metadata.Lookup(prof, parts)
	}
	if mt == nil {
		return nil, nil
	}
	return mt.Memory()
}
