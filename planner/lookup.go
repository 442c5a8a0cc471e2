package planner

import (
	"context"
	"fmt"

	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/catalog"
	ex "github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/table"
)

// lookupPlan describes a lookup join: the inner table is read by the keys
// the outer side supplies, batch by batch, instead of being scanned whole.
type lookupPlan struct {
	join *fromNode
	// col is the inner table's key column; colIdx its index.
	col    string
	colIdx int
	// outer is the expression over the outer side that supplies the key.
	outer sqlparser.Expr
	// conj is the equality the join is driven by.
	conj sqlparser.Expr
	// innerIsRight is false when the inner table is the left side of an
	// INNER JOIN (the output is still laid out left, then right).
	innerIsRight bool
	// required is set when the table cannot be read without the key (a
	// {placeholder} in its URL).
	required bool
	// residual is the inner table's filter the API does not apply exactly.
	residual     ex.Expr
	residualText []sqlparser.Expr
}

// findLookups marks, for each join, the side that can be read by the
// other side's join key: a base table whose column is equated with an
// expression over the other side.
func (q *query) findLookups(n *fromNode) {
	if n.rel != nil {
		return
	}
	q.findLookups(n.left)
	q.findLookups(n.right)
	try := func(inner *fromNode, other *fromNode, innerIsRight bool) bool {
		r := inner.rel
		if r == nil || r.src == nil || r.lookup != nil {
			return false
		}
		isc := makeScope([]*relation{r}, r.offset, nil)
		osc := makeScope(other.rels, other.rels[0].offset, nil)
		for _, c := range n.on {
			cmp, ok := c.(*sqlparser.ComparisonExpr)
			if !ok || cmp.Operator != "=" {
				continue
			}
			for _, pair := range [][2]sqlparser.Expr{{cmp.Left, cmp.Right}, {cmp.Right, cmp.Left}} {
				cn, ok := pair[0].(*sqlparser.ColName)
				if !ok {
					continue
				}
				col, err := isc.resolve(colQual(cn), cn.Name.String())
				if err != nil || col.rel != r {
					continue
				}
				ors := refs(pair[1], osc)
				if len(ors) == 0 || len(refs(pair[1], isc)) > 0 {
					continue
				}
				r.lookup = &lookupPlan{join: n, col: r.table.Columns[col.colIdx].Name, colIdx: col.colIdx, outer: pair[1], conj: c, innerIsRight: innerIsRight}
				return true
			}
		}
		return false
	}
	if n.kind != ex.InnerJoin && n.kind != ex.LeftJoin {
		return
	}
	// A table that cannot be read without a key (a {placeholder} in its
	// URL) is the one to read by key, whichever side it is written on.
	if n.kind == ex.InnerJoin && needsKey(n.left.rel) && !needsKey(n.right.rel) {
		if try(n.left, n.right, false) {
			return
		}
	}
	if !try(n.right, n.left, true) && n.kind == ex.InnerJoin {
		try(n.left, n.right, false)
	}
}

// needsKey reports whether r's table cannot be read without a key.
func needsKey(r *relation) bool {
	if r == nil || r.src == nil {
		return false
	}
	kr, ok := r.src.(table.KeyReader)
	return ok && kr.RequiresKey()
}

// keyAccess says how r's table reads the keys of the lookup's column.
func keyAccess(r *relation) table.KeyAccess {
	if kr, ok := r.src.(table.KeyReader); ok {
		return kr.KeyAccess(r.table.Columns[r.lookup.colIdx].Name)
	}
	return table.NoKeyAccess
}

// lookupWanted decides whether a join that could read r by key should
// (a required key is handled by the caller): when reading r by the outer
// side's keys is estimated to take fewer requests than scanning r whole.
// The estimate is kept for EXPLAIN whichever way it goes.
func (q *query) lookupWanted(r *relation) bool {
	lp := r.lookup
	if !lp.innerIsRight || lookupBatch(r) == 0 {
		return false
	}
	e, err := q.estimateJoin(r)
	if err != nil {
		return false
	}
	if q.joinEstimates == nil {
		q.joinEstimates = map[*fromNode]string{}
	}
	use := e.lookup < e.scan
	q.joinEstimates[lp.join] = e.String(use)
	return use
}

// Assumptions of the join estimate where nothing is known of a table
// (no earlier scan of the same requests, no total from the API).
const (
	// assumedRows is the size of a table the API does not filter: large,
	// since a lookup chosen wrongly costs its keys' requests while a scan
	// chosen wrongly may read a whole API.
	assumedRows = 100_000
	// assumedFilteredRows is the size of a table the API filters.
	assumedFilteredRows = 50
	// assumedRowsPerKey is the rows per key of a column that is not the
	// table's key.
	assumedRowsPerKey = 10
	// rowsPerRequest is what one request's worth of rows is taken to be
	// when a single response holds the whole table (no page size): a
	// large page's worth, as a long response costs more than a request's
	// latency but far less than one request per row.
	rowsPerRequest = 1000
)

// joinEstimate compares reading a join's inner table by key with
// scanning it, in requests.
type joinEstimate struct {
	keys      int64 // outer rows, an upper bound on the distinct keys
	keysKnown bool
	perKey    int64 // inner rows per key
	perKeyKey bool  // the column is the table's key: one row per key
	batch     int   // keys per lookup request (1: one request per key)
	lookup    int64 // requests reading by key
	scan      int64 // requests scanning (per rowsPerRequest rows of one response)
	scanRows  int64
	scanKnown bool
	scanPaged bool
}

// String is the estimate as EXPLAIN shows it.
func (e joinEstimate) String(lookup bool) string {
	guess := func(known bool) string {
		if known {
			return ""
		}
		return " assumed"
	}
	per := fmt.Sprintf("%d rows per key%s", e.perKey, guess(e.perKeyKey))
	if e.perKeyKey {
		per = "1 row per key (a key column)"
	}
	scan := fmt.Sprintf("%d requests for %d rows%s", e.scan, e.scanRows, guess(e.scanKnown))
	if !e.scanPaged {
		scan = fmt.Sprintf("1 request for %d rows%s, counted as %d", e.scanRows, guess(e.scanKnown), e.scan)
	}
	choice := "scan"
	if lookup {
		choice = "by key"
	}
	return fmt.Sprintf("estimate: by key %d requests (%d outer rows%s, %s, %d keys per request), scan %s: %s",
		e.lookup, e.keys, guess(e.keysKnown), per, e.batch, scan, choice)
}

// estimateJoin estimates the requests of reading r by the keys of its
// join's outer side and of scanning r whole.
func (q *query) estimateJoin(r *relation) (joinEstimate, error) {
	lp := r.lookup
	e := joinEstimate{batch: lookupBatch(r), perKey: assumedRowsPerKey}
	inner, err := r.src.PlanScan(r.scan.q)
	if err != nil {
		return e, err
	}
	isz := inner.Size()
	e.scanRows, e.scanKnown = tableRows(r, isz)
	e.scanPaged = isz.PageSize > 0
	e.scan = requestsFor(e.scanRows, isz.PageSize)
	// The outer side's keys: its largest table (a join may give more
	// rows, but rarely more distinct keys).
	e.keysKnown = true
	for _, o := range lp.join.left.rels {
		n, known := int64(assumedRows), false
		if o.src != nil && o.scan != nil {
			if p, err := o.src.PlanScan(o.scan.q); err == nil {
				n, known = tableRows(o, p.Size())
			}
		}
		e.keys = max(e.keys, n)
		e.keysKnown = e.keysKnown && known
	}
	if r.table.Columns[lp.colIdx].Key {
		e.perKey, e.perKeyKey = 1, true
	}
	if e.batch == 1 || e.batch == 100 {
		// One request per key; a get: endpoint answers a key in one.
		pages := requestsFor(e.perKey, isz.PageSize)
		if e.batch == 100 && keyAccess(r) == table.KeyLookup && !needsKey(r) {
			pages = 1
		}
		e.batch = 1
		e.lookup = e.keys * pages
	} else {
		batches := (e.keys + int64(e.batch) - 1) / int64(e.batch)
		e.lookup = batches * requestsFor(int64(e.batch)*e.perKey, isz.PageSize)
	}
	e.lookup = max(e.lookup, 1)
	return e, nil
}

// tableRows is the rows a scan of r returns: known from an earlier scan
// of the same requests or the API's total, else assumed.
func tableRows(r *relation, sz table.Size) (int64, bool) {
	if sz.Known {
		return sz.Rows, true
	}
	for _, c := range r.conjuncts {
		if c.pushed {
			return assumedFilteredRows, false
		}
	}
	return assumedRows, false
}

// requestsFor is the requests that read rows in pages of pageSize (0 =
// one response, counted per rowsPerRequest rows); at least 1.
func requestsFor(rows int64, pageSize int) int64 {
	per := int64(pageSize)
	if per <= 0 {
		per = rowsPerRequest
	}
	return max((rows+per-1)/per, 1)
}

// lookupBatch is the number of keys one lookup asks for: many when the
// table fans the keys out itself (a REST source's URL placeholders, get:
// lookups) or sends them as one IN list, one when it can only filter by
// equality, 0 when the key cannot be sent at all (table.KeyReader).
func lookupBatch(r *relation) int {
	switch keyAccess(r) {
	case table.KeyStreams, table.KeyLookup:
		return 100
	case table.KeyList:
		return 50
	case table.KeyEach:
		return 1
	}
	return 0
}

// lookupQuery is the table's query with the join key bound to keys (a
// sample key when keys is nil, for planning and EXPLAIN).
func (sp *scanPlan) lookupQuery(keys []any) table.Query {
	q := sp.q
	q.Limit, q.Sort, q.NoPrefetch = -1, nil, false
	if keys == nil {
		keys = []any{sampleKey(sp.rel.table.Columns[sp.lookup.colIdx])}
	}
	q.Predicates = append(append([]table.Predicate(nil), q.Predicates...),
		table.Predicate{Column: sp.lookup.col, Op: "IN", Values: keys})
	return q
}

func sampleKey(c *catalog.Column) any {
	switch sourceColumnType(c) {
	case ex.TypeInt:
		return int64(1)
	case ex.TypeFloat:
		return 1.0
	case ex.TypeBool:
		return true
	}
	return "key"
}

// buildLookupJoin builds the operator of a join whose inner table is read
// by key.
func (q *query) buildLookupJoin(n *fromNode, inner *relation, parent *scope) (*planned, error) {
	lp := inner.lookup
	outerNode := n.left
	if !lp.innerIsRight {
		outerNode = n.right
	}
	outer, err := q.buildJoins(outerNode, parent)
	if err != nil {
		return nil, err
	}
	osc := makeScope(outerNode.rels, outerNode.rels[0].offset, nil)
	ok, err := (&compiler{q: q, sc: osc, noAgg: "ON"}).compile(lp.outer)
	if err != nil {
		return nil, err
	}
	inner.used[lp.colIdx] = true
	var extra []sqlparser.Expr
	for _, c := range n.on {
		if c != lp.conj {
			extra = append(extra, c)
		}
	}
	j := &ex.LookupJoin{
		Outer:       outer.node,
		OuterKey:    ok.e,
		InnerKey:    &ex.Col{Idx: lp.colIdx},
		Kind:        n.kind,
		OuterIsLeft: lp.innerIsRight,
		InnerWidth:  len(inner.cols),
		BatchSize:   max(lookupBatch(inner), 1),
		InnerFilter: lp.residual,
	}
	// A batch that is one request (an IN list, or one key by =) is read
	// without pages ahead, and MaxConcurrency batches go at once; a batch
	// the source fans out over its keys (URL placeholders, get:) already
	// sends MaxConcurrency requests at once, so batches go one by one.
	oneRequest := j.BatchSize < 100
	if oneRequest {
		j.Concurrency = 1
		if c, ok := inner.src.(table.Concurrent); ok {
			j.Concurrency = c.MaxConcurrency()
		}
	}
	if len(extra) > 0 {
		both := makeScope(n.rels, n.rels[0].offset, parent)
		e, err := (&compiler{q: q, sc: both, noAgg: "ON"}).andAll(extra)
		if err != nil {
			return nil, err
		}
		j.Extra = e
	}
	sp := inner.scan
	j.Fetch = func(ctx context.Context, keys []any) (ex.Node, error) {
		// Keys go to the API in the column's own form (true is 1 for an
		// int key). A key that has no such form may still equal a value
		// under the driver's comparison ('5' and '05' for a number): then
		// this batch reads the table whole and the join matches in the
		// driver; a required key that has no form names nothing to read.
		coerced := make([]any, 0, len(keys))
		whole := false
		for _, k := range keys {
			if v, ok := coerce(k, inner, lp.col); ok {
				coerced = append(coerced, v)
			} else if !lp.required {
				whole = true
			}
		}
		q := sp.lookupQuery(coerced)
		switch {
		case whole:
			q = sp.q
			q.Limit, q.Sort, q.NoPrefetch = -1, nil, false
		case len(coerced) == 0:
			return &ex.Values{}, nil
		}
		// Batches read at once each keep one request in flight.
		q.NoPrefetch = j.Concurrency > 1
		plan, err := inner.src.PlanScan(q)
		if err != nil {
			return nil, err
		}
		return &ex.Scan{Plan: plan, Width: len(inner.cols), Pos: sp.pos, Forget: true}, nil
	}
	innerStep := sp.step
	if len(lp.residualText) > 0 {
		innerStep = &step{op: "Filter", target: sp.step.target, detail: exprList(lp.residualText) + " (in the driver)", children: []*step{sp.step}}
	}
	kind := "Lookup join"
	if n.kind == ex.LeftJoin {
		kind = "Lookup left join"
	}
	detail := fmt.Sprintf("%s; %s read by key, %d keys per batch", sqlparser.String(lp.conj), inner.display, j.BatchSize)
	if j.Concurrency > 1 {
		detail += fmt.Sprintf(", %d batches at once", j.Concurrency)
	}
	if est := q.joinEstimates[n]; est != "" {
		detail += "; " + est
	}
	if len(extra) > 0 {
		detail += "; filter " + exprList(extra)
	}
	children := []*step{outer.step, innerStep}
	if !lp.innerIsRight {
		children = []*step{innerStep, outer.step}
	}
	return &planned{node: j, step: &step{op: kind, detail: detail, children: children}}, nil
}
