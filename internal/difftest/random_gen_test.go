package difftest

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"time"
)

// The random suite's query generator. A query is built as a small tree
// (rquery) rather than as text, so that a mismatch can be shrunk: the
// shrinker (random_test.go) drops conjuncts, sort keys, joins and limits
// from the tree and renders it again.

// Classes of generated constructs. A query carries the classes it
// contains; pendingClasses (random_test.go) names those whose known bug is
// not fixed yet.
const (
	// pushdown classes: they concern what is sent to the API, so only the
	// full and less profiles can show them.
	classMultiSort  = "multisort"  // ORDER BY of several keys on one table, whose API sorts by one key
	classUnsortable = "unsortable" // ORDER BY on a column the API cannot sort by
	classEmptyStr   = "emptystr"   // an empty string compared with a filtered column
	classEmptyKey   = "emptykey"   // an empty string compared with a {key} of a get: or list URL
	classSeparator  = "separator"  // a value holding the filter's join separator (a comma)
	classIntFilter  = "intfilter"  // a non-integral number compared with a filtered int column
	// classes that show with every profile.
	classKeyType   = "keytype"   // a non-integral value among the keys of a required int key
	classUsing     = "using"     // JOIN … USING
	classSubstrExp = "substrexp" // SUBSTR of an expression
	classTypeErr   = "typeerr"   // a literal that does not convert to the column's type: an error
)

// pushdownClasses are the classes that only a profile with pushdown shows.
var pushdownClasses = map[string]bool{
	classMultiSort: true, classUnsortable: true, classEmptyStr: true, classSeparator: true, classIntFilter: true,
	classEmptyKey: true,
}

// gcol is a column the generator knows.
type gcol struct {
	name string
	typ  string // int, float, string, bool, datetime
	vals []any  // distinct non-NULL values, canonical
	// nullable: the column holds NULLs; group: few distinct values;
	// sortable: the API sorts by it; filtered: the API filters it.
	nullable, group, sortable, filtered bool
}

// gtable is a table the generator knows.
type gtable struct {
	st    shopTable
	alias string
	cols  []*gcol
}

func (t *gtable) col(name string) *gcol {
	for _, c := range t.cols {
		if c.name == name {
			return c
		}
	}
	panic("difftest: no column " + t.st.name + "." + name)
}

// gjoin is a join the generator may write: right joined to left.
type gjoin struct {
	left, right string
	on          string // with the default aliases
	using       string // a column both have ("" = none)
	// unique: every left row matches at most one right row, so the left
	// key alone orders the join totally.
	unique bool
}

var shopAliases = map[string]string{
	"customers": "c", "orders": "o", "products": "p", "stock": "s",
	"customer_orders": "co", "product_stock": "ps", "reviews": "r", "clients": "cl",
}

var shopJoins = []gjoin{
	{left: "customers", right: "orders", on: "o.customer_id = c.id"},
	{left: "orders", right: "customers", on: "c.id = o.customer_id", unique: true},
	{left: "products", right: "stock", on: "s.sku = p.sku", using: "sku"},
	{left: "stock", right: "products", on: "p.sku = s.sku", using: "sku", unique: true},
	{left: "customers", right: "customer_orders", on: "co.customer_id = c.id"},
	{left: "products", right: "product_stock", on: "ps.sku = p.sku", using: "sku"},
	{left: "stock", right: "product_stock", on: "ps.sku = s.sku", using: "sku"},
	{left: "orders", right: "customer_orders", on: "co.customer_id = o.customer_id"},
	// Joins on columns that are no key, of int and float types.
	{left: "stock", right: "products", on: "p.weight = s.qty"},
	{left: "orders", right: "customers", on: "c.score * 4 = o.customer_id"},
	{left: "products", right: "orders", on: "o.total < p.price AND o.customer_id = p.id"},
	{left: "products", right: "reviews", on: "r.sku = p.sku", using: "sku"},
	{left: "reviews", right: "customers", on: "c.id = r.customer_id", unique: true},
	{left: "clients", right: "reviews", on: "r.customer_id = cl.id"},
	{left: "reviews", right: "product_stock", on: "ps.sku = r.sku", using: "sku"},
	{left: "clients", right: "customer_orders", on: "co.customer_id = cl.id"},
}

// gmodel is what the generator knows of the data.
type gmodel struct {
	tables map[string]*gtable
}

// groupCols are the columns with few distinct values.
var groupCols = map[string]bool{
	"city": true, "tier": true, "active": true, "status": true, "category": true, "warehouse": true,
	"customer_id": true, "name": true, "note": true, "rating": true, "title": true,
}

// loadGModel reads each column's distinct values from SQLite.
func loadGModel(ctx context.Context, lite *sql.DB, api map[string]*apiTable) (*gmodel, error) {
	m := &gmodel{tables: map[string]*gtable{}}
	for _, st := range shopTables {
		at := api[st.api]
		t := &gtable{st: st, alias: shopAliases[st.name]}
		for _, f := range at.fields {
			c := &gcol{name: f.name, typ: string(sqlType(f.typ)), group: groupCols[f.name], sortable: has(at.sortable, f.name)}
			for _, ops := range at.ops {
				c.filtered = c.filtered || has(ops, f.name)
			}
			rows, err := lite.QueryContext(ctx, fmt.Sprintf("SELECT DISTINCT %q FROM %q ORDER BY 1", f.name, st.name))
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var v any
				if err := rows.Scan(&v); err != nil {
					rows.Close()
					return nil, err
				}
				if v == nil {
					c.nullable = true
					continue
				}
				c.vals = append(c.vals, canon(v))
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
			t.cols = append(t.cols, c)
		}
		m.tables[st.name] = t
	}
	return m, nil
}

// pnode is a predicate: a leaf, or AND, OR, NOT of others.
type pnode struct {
	op   string // leaf, and, or, not
	leaf text
	args []any // the leaf's placeholder arguments, in text order
	kids []*pnode
}

func leaf(t text, args ...any) *pnode { return &pnode{op: "leaf", leaf: t, args: args} }

func (n *pnode) render(args *[]any) text {
	switch n.op {
	case "and", "or":
		return sprintf("(%s %s %s)", n.kids[0].render(args), strings.ToUpper(n.op), n.kids[1].render(args))
	case "not":
		return sprintf("NOT (%s)", n.kids[0].render(args))
	}
	*args = append(*args, n.args...)
	return n.leaf
}

// okey is one ORDER BY key.
type okey struct {
	t text
	// key names the unique-key expression this key is ("" for others).
	key string
}

// fitem is one FROM item: the first is the base table, the others are
// joined to it.
type fitem struct {
	sql   text // "customers c", or a derived table
	alias string
	kind  string // "", JOIN, LEFT JOIN
	on    []*pnode
	using string
	// keep: the shrinker must not drop this item.
	keep bool
}

// rquery is a generated SELECT (with an optional UNION).
type rquery struct {
	distinct bool
	items    []text
	from     []fitem
	where    []*pnode
	// keepWhere counts the leading conjuncts the shrinker keeps (a
	// required key's binding).
	keepWhere int
	group     []text
	having    []*pnode
	union     *rquery
	unionAll  bool
	order     []okey
	// keys are the unique-key expressions an ORDER BY must hold all of to
	// order the rows totally.
	keys          []string
	limit, offset int // -1 = none
	// sideOrder and sideLimit order and cut one side of a UNION, which
	// is then written in parentheses.
	sideOrder []okey
	sideLimit int
	// named: placeholders are :name parameters instead of ?.
	named bool
	// classes are the constructs of the query (see classMultiSort…);
	// wantErr: restsql must refuse the query (a type error).
	classes map[string]bool
	wantErr bool
	// errWords are words restsql's error must hold (the column, the value).
	errWords []string
	seed     uint64
}

// total reports whether the ORDER BY orders the rows totally.
func (q *rquery) total() bool {
	if len(q.order) == 0 || len(q.keys) == 0 {
		return false
	}
	for _, k := range q.keys {
		found := false
		for _, o := range q.order {
			found = found || o.key == k
		}
		if !found {
			return false
		}
	}
	return true
}

// render writes the query in both dialects, with its arguments.
func (q *rquery) render() (text, []any) {
	var args []any
	t := q.renderSide(&args)
	if q.union != nil {
		op := " UNION "
		if q.unionAll {
			op = " UNION ALL "
		}
		t = sprintf("%s%s%s", t, op, q.union.renderSide(&args))
	}
	if len(q.order) > 0 {
		ks := make([]text, len(q.order))
		for i, k := range q.order {
			ks[i] = k.t
		}
		t = sprintf("%s ORDER BY %s", t, join(ks, ", "))
	}
	if q.limit >= 0 {
		t = sprintf("%s LIMIT %d", t, q.limit)
		if q.offset > 0 {
			t = sprintf("%s OFFSET %d", t, q.offset)
		}
	}
	if !q.named {
		return t, args
	}
	// Number the placeholders :p1, :p2… in text order.
	var out text
	named := make([]any, len(args))
	for _, side := range []*string{&t.rs, &t.lite} {
		var b strings.Builder
		n := 0
		for _, r := range *side {
			if r == '?' {
				n++
				fmt.Fprintf(&b, ":p%d", n)
				continue
			}
			b.WriteRune(r)
		}
		if side == &t.rs {
			out.rs = b.String()
		} else {
			out.lite = b.String()
		}
	}
	for i, a := range args {
		named[i] = sql.Named(fmt.Sprintf("p%d", i+1), a)
	}
	return out, named
}

// renderSide writes one side of a UNION: in parentheses when it has its
// own ORDER BY and LIMIT (SQLite reads those only in a subquery).
func (q *rquery) renderSide(args *[]any) text {
	t := q.renderBody(args)
	if len(q.sideOrder) == 0 {
		return t
	}
	ks := make([]text, len(q.sideOrder))
	for i, k := range q.sideOrder {
		ks[i] = k.t
	}
	t = sprintf("%s ORDER BY %s LIMIT %d", t, join(ks, ", "), q.sideLimit)
	return text{"(" + t.rs + ")", "SELECT * FROM (" + t.lite + ")"}
}

func (q *rquery) renderBody(args *[]any) text {
	sel := "SELECT "
	if q.distinct {
		sel = "SELECT DISTINCT "
	}
	t := sprintf("%s%s FROM ", sel, join(q.items, ", "))
	for i, f := range q.from {
		if i > 0 {
			t = sprintf("%s %s ", t, f.kind)
		}
		t = sprintf("%s%s", t, f.sql)
		switch {
		case f.using != "":
			t = sprintf("%s USING (%s)", t, f.using)
		case len(f.on) > 0:
			t = sprintf("%s ON %s", t, conj(f.on, args))
		}
	}
	if len(q.where) > 0 {
		t = sprintf("%s WHERE %s", t, conj(q.where, args))
	}
	if len(q.group) > 0 {
		t = sprintf("%s GROUP BY %s", t, join(q.group, ", "))
	}
	if len(q.having) > 0 {
		t = sprintf("%s HAVING %s", t, conj(q.having, args))
	}
	return t
}

func conj(ns []*pnode, args *[]any) text {
	parts := make([]text, len(ns))
	for i, n := range ns {
		parts[i] = n.render(args)
	}
	return join(parts, " AND ")
}

// rgen builds one query from one seed.
type rgen struct {
	m       *gmodel
	r       *rand.Rand
	classes map[string]bool
	// params: write some literals as placeholders.
	params bool
	// disabled classes are not generated (RESTSQL_DIFF_SKIP).
	disabled map[string]bool
}

func newRGen(m *gmodel, seed uint64, disabled map[string]bool) *rgen {
	return &rgen{m: m, r: rand.New(rand.NewPCG(seed, 0xd1ff)), classes: map[string]bool{}, disabled: disabled}
}

func (g *rgen) chance(p float64) bool { return g.r.Float64() < p }
func (g *rgen) intn(n int) int        { return g.r.IntN(n) }
func rpick[T any](g *rgen, xs []T) T  { return xs[g.r.IntN(len(xs))] }

// may reports whether the generator may write a construct of class c now
// (with probability p).
func (g *rgen) may(c string, p float64) bool {
	if g.disabled[c] || !g.chance(p) {
		return false
	}
	g.classes[c] = true
	return true
}

// gref is a column as the query names it.
type gref struct {
	t *gtable
	c *gcol
	q string
}

func refsOf(ts []*gtable, qualify bool) []gref {
	var out []gref
	for _, t := range ts {
		for _, c := range t.cols {
			q := c.name
			if qualify {
				q = t.alias + "." + c.name
			}
			out = append(out, gref{t, c, q})
		}
	}
	return out
}

// query builds a random query.
func (g *rgen) query(seed uint64) *rquery {
	var q *rquery
	g.params = g.chance(0.25)
	switch n := g.intn(100); {
	case n < 28:
		q = g.selectSingle()
	case n < 44:
		q = g.selectJoin()
	case n < 54:
		q = g.requiredKeyQuery()
	case n < 68:
		q = g.aggregateQuery()
	case n < 72:
		q = g.distinctQuery()
	case n < 82:
		q = g.subqueryQuery()
	case n < 90:
		q = g.derivedQuery()
	case n < 97:
		q = g.unionQuery()
	default:
		if g.disabled[classTypeErr] {
			q = g.selectSingle()
		} else {
			q = g.typeErrQuery()
		}
	}
	q.named = g.params && g.chance(0.5)
	q.classes = g.classes
	q.seed = seed
	return q
}

func newQuery() *rquery { return &rquery{limit: -1} }

// baseTables are the tables without a required key.
var baseTables = []string{"customers", "orders", "products", "stock", "reviews", "clients"}

// single builds the FROM of one base table.
func (g *rgen) single(q *rquery, name string) (*gtable, []gref) {
	t := g.m.tables[name]
	qualify := g.chance(0.3)
	if qualify {
		q.from = []fitem{{sql: same(t.st.name + " " + t.alias), alias: t.alias, keep: true}}
		q.keys = []string{t.alias + "." + t.st.key}
	} else {
		q.from = []fitem{{sql: same(t.st.name), alias: t.st.name, keep: true}}
		q.keys = []string{t.st.key}
	}
	return t, refsOf([]*gtable{t}, qualify)
}

// selectSingle: SELECT … FROM one table [WHERE] [ORDER BY [LIMIT]].
func (g *rgen) selectSingle() *rquery {
	q := newQuery()
	t, refs := g.single(q, rpick(g, baseTables))
	g.selectItems(q, refs, true)
	g.wheres(q, refs)
	g.orderBy(q, refs, []*gtable{t})
	return q
}

// selectItems fills the projection.
func (g *rgen) selectItems(q *rquery, refs []gref, star bool) {
	if star && g.chance(0.07) {
		q.items = []text{same("*")}
		return
	}
	for i := range 1 + g.intn(4) {
		e := g.projection(refs)
		if g.chance(0.2) {
			e = sprintf("%s AS x%d", e, i+1)
		}
		q.items = append(q.items, e)
	}
}

// wheres adds zero to three conjuncts.
func (g *rgen) wheres(q *rquery, refs []gref) {
	if !g.chance(0.85) {
		return
	}
	n := 1
	switch x := g.intn(20); {
	case x >= 18:
		n = 3
	case x >= 11:
		n = 2
	}
	for range n {
		q.where = append(q.where, g.pred(refs, 2))
	}
}

// orderBy adds an ORDER BY of one to three keys ending in the query's
// unique keys, and maybe a LIMIT and OFFSET.
func (g *rgen) orderBy(q *rquery, refs []gref, tables []*gtable) {
	if !g.chance(0.55) {
		return
	}
	var ks []okey
	for range min(g.intn(3), max(3-len(q.keys), 0)) {
		r := rpick(g, refs)
		k := same(r.q)
		switch {
		case g.chance(0.15):
			k = g.projection([]gref{r})
		case len(q.items) > 0 && q.items[0].rs != "*" && g.chance(0.15):
			k = same(strconv.Itoa(1 + g.intn(len(q.items)))) // an ordinal
		}
		ks = append(ks, okey{t: sprintf("%s%s", k, rpick(g, []string{"", " ASC", " DESC"}))})
	}
	for _, k := range q.keys {
		ks = append(ks, okey{t: same(k + rpick(g, []string{"", " DESC"})), key: k})
	}
	q.order = ks
	g.sortClasses(q, tables)
	if g.chance(0.6) {
		q.limit = g.intn(30)
		if g.chance(0.4) {
			q.offset = g.intn(40)
		}
	}
}

// sortClasses marks an ORDER BY that a one-table scan may be asked to
// sort: of several keys, or on a column the API does not sort by.
func (g *rgen) sortClasses(q *rquery, tables []*gtable) {
	if len(tables) != 1 {
		return
	}
	if len(q.order) > 1 {
		g.classes[classMultiSort] = true
	}
	for _, k := range q.order {
		name := strings.TrimSuffix(strings.TrimSuffix(k.t.rs, " DESC"), " ASC")
		if n, err := strconv.Atoi(name); err == nil && n >= 1 && n <= len(q.items) {
			name = q.items[n-1].rs // an ordinal names an item
		}
		if i := strings.Index(name, " AS "); i >= 0 {
			name = name[:i]
		}
		if i := strings.LastIndexByte(name, '.'); i >= 0 {
			name = name[i+1:]
		}
		for _, c := range tables[0].cols {
			if c.name == name && !c.sortable {
				g.classes[classUnsortable] = true
			}
		}
	}
}

// pred is a random condition over refs, nested up to depth.
func (g *rgen) pred(refs []gref, depth int) *pnode {
	if depth > 0 {
		switch n := g.intn(100); {
		case n < 10:
			return &pnode{op: "and", kids: []*pnode{g.pred(refs, depth-1), g.pred(refs, depth-1)}}
		case n < 24:
			return &pnode{op: "or", kids: []*pnode{g.pred(refs, depth-1), g.pred(refs, depth-1)}}
		case n < 31:
			return &pnode{op: "not", kids: []*pnode{g.pred(refs, depth-1)}}
		}
	}
	return g.leafPred(rpick(g, refs))
}

// lit writes a value as a literal or, sometimes, as a placeholder.
func (g *rgen) lit(v any) (string, []any) {
	if g.params && g.chance(0.5) {
		return "?", []any{v}
	}
	return sqlLit(v), nil
}

func sqlLit(v any) string {
	switch x := v.(type) {
	case nil:
		return "NULL"
	case string:
		return quote(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// value is a value to compare a column with: one it holds, or one close
// to them, or (for strings) an empty one, one with a comma, one in
// another case.
func (g *rgen) value(r gref) any {
	c := r.c
	switch c.typ {
	case "int":
		v := rpick(g, c.vals).(int64)
		if g.chance(0.15) {
			v += int64(g.intn(5) - 2)
		}
		if c.filtered && g.may(classIntFilter, 0.03) {
			return float64(v) + 0.5
		}
		return v
	case "float":
		v, _ := number(rpick(g, c.vals))
		if g.chance(0.2) {
			v = float64(int64(v))
		}
		return v
	case "string":
		var s string
		if len(c.vals) > 0 {
			s = rpick(g, c.vals).(string)
		}
		switch {
		case c.filtered && g.may(classEmptyStr, 0.05):
			s = ""
		case c.filtered && g.may(classSeparator, 0.05):
			s = rpick(g, []string{"new,paid", "gold,silver", s + ",x", "Paris,Berlin"})
		case g.chance(0.08):
			s = strings.ToUpper(s)
		case g.chance(0.04):
			s = strings.ToLower(s)
		case g.chance(0.03):
			s = "zz"
		}
		if s == "" && c.filtered {
			g.classes[classEmptyStr] = true
		}
		if s == "" && (strings.Contains(r.t.st.get, "{"+c.name+"}") || r.t.st.required == c.name) {
			g.classes[classEmptyKey] = true
		}
		if strings.Contains(s, ",") && c.filtered {
			g.classes[classSeparator] = true
		}
		return s
	case "datetime":
		return rpick(g, c.vals).(string)
	}
	return rpick(g, c.vals)
}

func (g *rgen) leafPred(r gref) *pnode {
	col := r.q
	if g.chance(0.05) || (r.c.nullable && g.chance(0.2)) {
		return leaf(same(col + rpick(g, []string{" IS NULL", " IS NOT NULL"})))
	}
	if r.c.typ == "bool" {
		switch g.intn(4) {
		case 0:
			return leaf(same(col))
		case 1:
			return leaf(same("NOT " + col))
		case 2:
			return leaf(same(fmt.Sprintf("%s = %s", col, rpick(g, []string{"true", "false"}))))
		}
		if g.chance(0.5) {
			return leaf(same(fmt.Sprintf("%s IS %s", col, rpick(g, []string{"TRUE", "FALSE", "NOT TRUE", "NOT FALSE"}))))
		}
		return leaf(same(fmt.Sprintf("%s != %s", col, rpick(g, []string{"true", "false"}))))
	}
	if r.c.typ == "datetime" && g.chance(0.3) {
		// A date alone, in an ordered comparison (equality with a date
		// is a datetime at midnight for restsql and text for SQLite).
		v := rpick(g, r.c.vals).(string)[:10]
		s, args := g.lit(v)
		return leaf(same(fmt.Sprintf("%s %s %s", col, rpick(g, []string{"<", "<=", ">", ">="}), s)), args...)
	}
	if r.c.typ == "datetime" && g.chance(0.15) {
		// The same instant written in another offset: restsql compares
		// instants (and must send the API the instant in the column's
		// own format), SQLite compares text, so it gets the UTC
		// spelling its data has.
		v := rpick(g, r.c.vals).(string)
		if tm, err := time.Parse(time.RFC3339, v); err == nil && strings.HasSuffix(v, "Z") {
			op := rpick(g, []string{"=", "<", "<=", ">", ">="})
			shifted := tm.In(time.FixedZone("", rpick(g, []any{2 * 3600, -5 * 3600}).(int))).Format(time.RFC3339)
			return leaf(text{fmt.Sprintf("%s %s '%s'", col, op, shifted), fmt.Sprintf("%s %s '%s'", col, op, v)})
		}
	}
	switch n := g.intn(100); {
	case n < 40:
		op := rpick(g, []string{"=", "=", "!=", "<>", "<", "<=", ">", ">="})
		s, args := g.lit(g.value(r))
		return leaf(same(fmt.Sprintf("%s %s %s", col, op, s)), args...)
	case n < 52:
		lo, hi := g.value(r), g.value(r)
		if g.chance(0.8) && compareAny(lo, hi) > 0 {
			lo, hi = hi, lo
		}
		ls, la := g.lit(lo)
		hs, ha := g.lit(hi)
		not := ""
		if g.chance(0.2) {
			not = "NOT "
		}
		return leaf(same(fmt.Sprintf("%s %sBETWEEN %s AND %s", col, not, ls, hs)), append(la, ha...)...)
	case n < 75:
		var list []string
		var args []any
		for range 1 + g.intn(4) {
			s, a := g.lit(g.value(r))
			list = append(list, s)
			args = append(args, a...)
		}
		if g.chance(0.15) {
			list = append(list, "NULL")
		}
		not := ""
		if g.chance(0.25) {
			not = "NOT "
		}
		return leaf(same(fmt.Sprintf("%s %sIN (%s)", col, not, strings.Join(list, ", "))), args...)
	case n < 88 && r.c.typ == "string":
		v := g.value(r).(string)
		pat := g.likePattern(v)
		s, args := g.lit(pat)
		not := ""
		if g.chance(0.2) {
			not = "NOT "
		}
		return leaf(same(fmt.Sprintf("%s %sLIKE %s", col, not, s)), args...)
	case n < 88 && r.c.typ == "int":
		m := 2 + g.intn(5)
		return leaf(same(fmt.Sprintf("%s %% %d = %d", col, m, g.intn(m))))
	case n < 94 && r.c.typ == "string":
		return leaf(same(fmt.Sprintf("LENGTH(%s) %s %d", col, rpick(g, []string{"<", ">", "="}), g.intn(12))))
	}
	if r.c.typ == "int" || r.c.typ == "float" {
		return leaf(same(fmt.Sprintf("%s + %d %s %s", col, g.intn(10), rpick(g, []string{"<", ">="}), sqlLit(g.value(r)))))
	}
	s, args := g.lit(g.value(r))
	return leaf(same(fmt.Sprintf("%s = %s", col, s)), args...)
}

// compareAny orders two generated values of one type.
func compareAny(a, b any) int {
	if x, ok := number(a); ok {
		y, _ := number(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	}
	return strings.Compare(fmt.Sprint(a), fmt.Sprint(b))
}

// likePattern derives a LIKE pattern from a value.
func (g *rgen) likePattern(v string) string {
	rs := []rune(v)
	if len(rs) == 0 {
		return rpick(g, []string{"%", "", "_%"})
	}
	n := 1 + g.intn(4)
	piece := func(from int) string {
		s := string(rs[from:min(from+n, len(rs))])
		if g.chance(0.3) {
			s = strings.ToLower(s)
		}
		return s
	}
	switch g.intn(5) {
	case 0:
		return piece(0) + "%"
	case 1:
		return "%" + piece(max(len(rs)-n, 0))
	case 2:
		return "_" + string(rs[1:]) // one character wild
	}
	return "%" + piece(g.intn(len(rs))) + "%"
}

// projection is a random expression over one of refs.
func (g *rgen) projection(refs []gref) text {
	r := rpick(g, refs)
	col := r.q
	if g.chance(0.4) {
		return same(col)
	}
	switch r.c.typ {
	case "int":
		k := 2 + g.intn(6)
		switch g.intn(6) {
		case 0:
			return same(fmt.Sprintf("%s * %d", col, k))
		case 1:
			return same(fmt.Sprintf("%s %% %d", col, k))
		case 2:
			return same(fmt.Sprintf("ABS(%s - %d)", col, 10*k))
		case 3:
			return text{fmt.Sprintf("%s DIV %d", col, k), fmt.Sprintf("%s / %d", col, k)}
		case 4:
			if g.chance(0.3) {
				return same(fmt.Sprintf("CASE %s WHEN %d THEN 'one' WHEN %d THEN 'two' ELSE 'other' END", col, rpick(g, r.c.vals), rpick(g, r.c.vals)))
			}
			return sprintf("CASE WHEN %s THEN %s ELSE %d END", g.leafNoArgs(r), col, -k)
		}
		return same(fmt.Sprintf("COALESCE(%s, %d)", col, -k))
	case "float":
		switch g.intn(4) {
		case 0:
			return same(fmt.Sprintf("%s * 2", col))
		case 1:
			return same(fmt.Sprintf("FLOOR(%s)", col))
		case 2:
			return same(fmt.Sprintf("COALESCE(%s, 0)", col))
		}
		return same(fmt.Sprintf("%s - 1.5", col))
	case "string":
		switch g.intn(9) {
		case 0:
			return same(fmt.Sprintf("UPPER(%s)", col))
		case 1:
			return same(fmt.Sprintf("LENGTH(%s)", col))
		case 2:
			return same(fmt.Sprintf("SUBSTR(%s, %d, %d)", col, 1+g.intn(4), 1+g.intn(5)))
		case 3:
			return same(fmt.Sprintf("REPLACE(%s, 'a', 'o')", col))
		case 4:
			return same(fmt.Sprintf("COALESCE(%s, 'none')", col))
		case 5:
			return same(fmt.Sprintf("LOWER(TRIM(%s))", col))
		case 6:
			if g.may(classSubstrExp, 0.6) {
				return same(fmt.Sprintf("SUBSTR(%s(%s), 1, %d)", rpick(g, []string{"UPPER", "LOWER", "TRIM"}), col, 1+g.intn(4)))
			}
			return same(col)
		case 7:
			switch g.intn(4) {
			case 0:
				return same(fmt.Sprintf("NULLIF(%s, %s)", col, quote(rpick(g, r.c.vals).(string))))
			case 1:
				return same(fmt.Sprintf("IFNULL(%s, '-')", col))
			case 2:
				return text{fmt.Sprintf("CONCAT(COALESCE(%s, ''), '|')", col), fmt.Sprintf("COALESCE(%s, '') || '|'", col)}
			}
			return sprintf("CASE WHEN %s THEN 'y' ELSE 'n' END", g.leafNoArgs(r))
		}
		return same(fmt.Sprintf("%s LIKE %s", col, quote(g.likePattern(rpick(g, r.c.vals).(string)))))
	case "bool":
		if g.chance(0.5) {
			return same("NOT " + col)
		}
		return same(fmt.Sprintf("CASE WHEN %s THEN 'y' ELSE 'n' END", col))
	case "datetime":
		switch g.intn(3) {
		case 0:
			return text{fmt.Sprintf("YEAR(%s)", col), fmt.Sprintf("CAST(strftime('%%Y', %s) AS INTEGER)", col)}
		case 1:
			return text{fmt.Sprintf("MONTH(%s)", col), fmt.Sprintf("CAST(strftime('%%m', %s) AS INTEGER)", col)}
		}
		return same(col + " IS NULL")
	}
	return same(col)
}

// leafNoArgs is a leaf predicate with its values written as literals (for
// projections, where placeholders would shift the arguments).
func (g *rgen) leafNoArgs(r gref) text {
	p := g.params
	g.params = false
	n := g.leafPred(r)
	g.params = p
	return n.leaf
}

// selectJoin joins two tables.
func (g *rgen) selectJoin() *rquery {
	q := newQuery()
	tabs, refs := g.joinFrom(q)
	if g.chance(0.2) {
		tabs, refs = g.thirdTable(q, tabs, refs)
	}
	g.selectItems(q, refs, false)
	if u := q.from[1].using; u != "" {
		// USING merges the column: it may be named bare, and * has it once.
		switch g.intn(3) {
		case 0:
			q.items = append(q.items, same(u))
		case 1:
			q.items = []text{same("*")}
		}
	}
	g.wheres(q, refs)
	g.orderBy(q, refs, tabs)
	return q
}

// thirdJoins join a third table to a two-table FROM: the table joined,
// the alias of the table it joins to, and the ON condition.
var thirdJoins = []struct{ right, to, on string }{
	{"customers", "o", "c.id = o.customer_id"},
	{"customer_orders", "c", "co.customer_id = c.id"},
	{"products", "s", "p.sku = s.sku"},
	{"stock", "p", "s.sku = p.sku"},
	{"product_stock", "p", "ps.sku = p.sku"},
	{"product_stock", "s", "ps.sku = s.sku"},
	{"orders", "c", "o.customer_id = c.id"},
	{"reviews", "p", "r.sku = p.sku"},
	{"reviews", "c", "r.customer_id = c.id"},
	{"products", "r", "p.sku = r.sku"},
}

// thirdTable joins a third table when one fits.
func (g *rgen) thirdTable(q *rquery, tabs []*gtable, refs []gref) ([]*gtable, []gref) {
	if q.from[1].using != "" {
		return tabs, refs
	}
	var fits []int
	for i, j := range thirdJoins {
		used := false
		for _, t := range tabs {
			used = used || t.st.name == j.right
		}
		if !used && (tabs[0].alias == j.to || tabs[1].alias == j.to) {
			fits = append(fits, i)
		}
	}
	if len(fits) == 0 {
		return tabs, refs
	}
	j := thirdJoins[rpick(g, fits)]
	t := g.m.tables[j.right]
	kind := "JOIN"
	if g.chance(0.4) {
		kind = "LEFT JOIN"
	}
	f := fitem{sql: same(t.st.name + " " + t.alias), alias: t.alias, kind: kind, on: []*pnode{leaf(same(j.on))}, keep: t.st.required != ""}
	if g.chance(0.3) {
		f.on = append(f.on, g.pred(refsOf([]*gtable{t}, true), 1))
	}
	q.from = append(q.from, f)
	q.keys = append(q.keys, t.alias+"."+t.st.key)
	return append(tabs, t), refsOf(append(tabs, t), true)
}

// joinFrom builds a two-table FROM and returns its tables and columns.
func (g *rgen) joinFrom(q *rquery) ([]*gtable, []gref) {
	j := rpick(g, shopJoins)
	l, r := g.m.tables[j.left], g.m.tables[j.right]
	kind := "JOIN"
	if g.chance(0.35) {
		kind = "LEFT JOIN"
	}
	right := fitem{sql: same(r.st.name + " " + r.alias), alias: r.alias, kind: kind, on: []*pnode{leaf(same(j.on))}}
	if r.st.required != "" {
		right.keep = true // the join binds the required key
	}
	refs := refsOf([]*gtable{l, r}, true)
	if j.using != "" && g.may(classUsing, 0.3) {
		right.on, right.using = nil, j.using
	} else if g.chance(0.3) {
		side := r
		if g.chance(0.3) {
			side = l // in a LEFT JOIN, a condition on the left table keeps its rows
		}
		right.on = append(right.on, g.pred(refsOf([]*gtable{side}, true), 1))
	}
	q.from = []fitem{{sql: same(l.st.name + " " + l.alias), alias: l.alias, keep: true}, right}
	q.keys = []string{l.alias + "." + l.st.key}
	if !j.unique {
		q.keys = append(q.keys, r.alias+"."+r.st.key)
	}
	return []*gtable{l, r}, refs
}

// requiredKeyQuery reads a table with a {key} in its URL, binding the key
// with = or IN (some values of an int key not integral).
func (g *rgen) requiredKeyQuery() *rquery {
	q := newQuery()
	name := rpick(g, []string{"customer_orders", "product_stock"})
	t := g.m.tables[name]
	qualify := g.chance(0.3)
	col := t.st.required
	if qualify {
		q.from = []fitem{{sql: same(t.st.name + " " + t.alias), alias: t.alias, keep: true}}
		q.keys = []string{t.alias + "." + t.st.key}
		col = t.alias + "." + col
	} else {
		q.from = []fitem{{sql: same(t.st.name), alias: t.st.name, keep: true}}
		q.keys = []string{t.st.key}
	}
	refs := refsOf([]*gtable{t}, qualify)
	kc := t.col(t.st.required)
	var vals []string
	var args []any
	for range 1 + g.intn(4) {
		var v any = rpick(g, kc.vals)
		if kc.typ == "int" && g.may(classKeyType, 0.08) {
			v = float64(v.(int64)) + 0.5
		}
		if s, ok := v.(string); ok && g.chance(0.1) {
			v = strings.ToLower(s) // the API matches it ignoring case
		}
		s, a := g.lit(v)
		vals = append(vals, s)
		args = append(args, a...)
	}
	if len(vals) == 1 && g.chance(0.5) {
		q.where = []*pnode{leaf(same(col+" = "+vals[0]), args...)}
	} else {
		q.where = []*pnode{leaf(same(fmt.Sprintf("%s IN (%s)", col, strings.Join(vals, ", "))), args...)}
	}
	q.keepWhere = 1
	g.selectItems(q, refs, true)
	if g.chance(0.7) {
		for range 1 + g.intn(2) {
			q.where = append(q.where, g.pred(refs, 1))
		}
	}
	g.orderBy(q, refs, []*gtable{t})
	return q
}

// aggregateQuery groups one table or a join.
func (g *rgen) aggregateQuery() *rquery {
	q := newQuery()
	var refs []gref
	if g.chance(0.35) {
		_, refs = g.joinFrom(q)
	} else {
		_, refs = g.single(q, rpick(g, baseTables))
	}
	var keys []text
	for range g.intn(3) {
		keys = append(keys, g.groupKey(refs))
	}
	q.items = append(q.items, keys...)
	for range 1 + g.intn(3) {
		q.items = append(q.items, g.aggregate(refs))
	}
	alias := len(keys) > 0 && g.chance(0.3)
	if alias {
		q.items[len(keys)] = sprintf("%s AS n", q.items[len(keys)])
	}
	g.wheres(q, refs)
	q.group = keys
	switch {
	case alias && g.chance(0.3):
		q.having = []*pnode{leaf(same(fmt.Sprintf("n %s %d", rpick(g, []string{">", "<", ">="}), g.intn(10))))}
	case g.chance(0.3):
		q.having = []*pnode{leaf(sprintf("%s %s %d", g.aggregate(refs), rpick(g, []string{">", "<", ">=", "="}), g.intn(10)))}
	}
	q.keys = nil
	if len(keys) > 0 && g.chance(0.5) {
		if alias && g.chance(0.5) {
			q.order = append(q.order, okey{t: same("n" + rpick(g, []string{"", " DESC"}))})
		}
		for i := range keys {
			k := strconv.Itoa(i + 1)
			q.order = append(q.order, okey{t: same(k + rpick(g, []string{"", " DESC"})), key: k})
			q.keys = append(q.keys, k)
		}
		if g.chance(0.5) {
			q.limit = 1 + g.intn(6)
		}
		if len(q.from) == 1 {
			g.sortClasses(q, []*gtable{g.m.tables[strings.Fields(q.from[0].sql.rs)[0]]})
		}
	}
	return q
}

// groupKey is an expression with few distinct values.
func (g *rgen) groupKey(refs []gref) text {
	var cands []gref
	for _, r := range refs {
		if r.c.group || r.c.typ == "bool" {
			cands = append(cands, r)
		}
	}
	r := rpick(g, cands)
	switch {
	case r.c.typ == "int" && g.chance(0.4):
		return same(fmt.Sprintf("%s %% %d", r.q, 2+g.intn(4)))
	case r.c.typ == "string" && g.chance(0.25):
		return same(fmt.Sprintf("LENGTH(%s)", r.q))
	}
	return same(r.q)
}

// aggregate is an aggregate call with a numeric or string result.
func (g *rgen) aggregate(refs []gref) text {
	r := rpick(g, refs)
	switch n := g.intn(100); {
	case n < 20:
		return same("COUNT(*)")
	case n < 32:
		return same(fmt.Sprintf("COUNT(%s)", r.q))
	case n < 42:
		return same(fmt.Sprintf("COUNT(DISTINCT %s)", r.q))
	case n < 78 && (r.c.typ == "int" || r.c.typ == "float"):
		return same(fmt.Sprintf("%s(%s)", rpick(g, []string{"SUM", "AVG", "MIN", "MAX"}), r.q))
	case n < 78 && r.c.typ == "string":
		return same(fmt.Sprintf("%s(LENGTH(%s))", rpick(g, []string{"SUM", "MAX", "MIN"}), r.q))
	case n < 90:
		return sprintf("SUM(CASE WHEN %s THEN 1 ELSE 0 END)", g.leafNoArgs(r))
	}
	return same("COUNT(*)")
}

// distinctQuery is SELECT DISTINCT of low-cardinality columns.
func (g *rgen) distinctQuery() *rquery {
	q := newQuery()
	var refs []gref
	if g.chance(0.3) {
		_, refs = g.joinFrom(q)
	} else {
		_, refs = g.single(q, rpick(g, baseTables))
	}
	q.distinct = true
	for range 1 + g.intn(2) {
		q.items = append(q.items, g.groupKey(refs))
	}
	g.wheres(q, refs)
	q.keys = nil
	if g.chance(0.4) {
		// DISTINCT rows differ in some item: ordering by all is total.
		for i := range q.items {
			k := strconv.Itoa(i + 1)
			q.order = append(q.order, okey{t: same(k + rpick(g, []string{"", " DESC"})), key: k})
			q.keys = append(q.keys, k)
		}
		if g.chance(0.6) {
			q.limit = g.intn(6)
		}
		if len(q.from) == 1 {
			g.sortClasses(q, []*gtable{g.m.tables[strings.Fields(q.from[0].sql.rs)[0]]})
		}
	}
	return q
}

// subqueryQuery filters a table by IN, NOT IN, EXISTS or a scalar
// subquery over another (uncorrelated: restsql refuses correlated ones).
func (g *rgen) subqueryQuery() *rquery {
	type link struct{ outer, outerCol, inner, innerCol string }
	links := []link{
		{"customers", "id", "orders", "customer_id"},
		{"orders", "customer_id", "customers", "id"},
		{"products", "sku", "stock", "sku"},
		{"stock", "sku", "products", "sku"},
		{"customers", "city", "customers", "city"},
		{"orders", "status", "orders", "status"},
		{"orders", "total", "orders", "total"},
		{"stock", "qty", "products", "weight"},
		{"orders", "id", "customer_orders", "id"},
		{"products", "sku", "reviews", "sku"},
		{"clients", "id", "reviews", "customer_id"},
		{"reviews", "rating", "stock", "qty"},
		{"customers", "id", "customer_orders", "customer_id"},
		{"products", "sku", "product_stock", "sku"},
	}
	l := rpick(g, links)
	q := newQuery()
	t, refs := g.single(q, l.outer)
	inner := g.m.tables[l.inner]
	innerRefs := refsOf([]*gtable{inner}, false)
	var w []text
	params := g.params
	g.params = false // placeholders only in the outer WHERE
	if k := inner.st.required; k != "" {
		var vals []string
		for range 1 + g.intn(4) {
			vals = append(vals, sqlLit(rpick(g, inner.col(k).vals)))
		}
		w = append(w, same(fmt.Sprintf("%s IN (%s)", k, strings.Join(vals, ", "))))
	}
	for range g.intn(3) {
		w = append(w, g.pred(innerRefs, 1).leafText())
	}
	g.params = params
	where := ""
	if len(w) > 0 {
		where = " WHERE " + join(w, " AND ").rs
	}
	whereLite := ""
	if len(w) > 0 {
		whereLite = " WHERE " + join(w, " AND ").lite
	}
	outerCol := l.outerCol
	if q.from[0].alias != t.st.name {
		outerCol = t.alias + "." + outerCol
	}
	var p text
	switch g.intn(4) {
	case 0, 1:
		op := rpick(g, []string{"IN", "NOT IN"})
		p = text{fmt.Sprintf("%s %s (SELECT %s FROM %s%s)", outerCol, op, l.innerCol, inner.st.name, where),
			fmt.Sprintf("%s %s (SELECT %s FROM %s%s)", outerCol, op, l.innerCol, inner.st.name, whereLite)}
	case 2:
		not := rpick(g, []string{"", "NOT "})
		p = text{fmt.Sprintf("%sEXISTS (SELECT 1 FROM %s%s)", not, inner.st.name, where),
			fmt.Sprintf("%sEXISTS (SELECT 1 FROM %s%s)", not, inner.st.name, whereLite)}
	default:
		agg := rpick(g, []string{"MIN", "MAX"})
		op := rpick(g, []string{"=", "<", ">=", "<>"})
		p = text{fmt.Sprintf("%s %s (SELECT %s(%s) FROM %s%s)", outerCol, op, agg, l.innerCol, inner.st.name, where),
			fmt.Sprintf("%s %s (SELECT %s(%s) FROM %s%s)", outerCol, op, agg, l.innerCol, inner.st.name, whereLite)}
	}
	g.selectItems(q, refs, false)
	if g.chance(0.2) {
		// A scalar subquery in the projection.
		q.items = append(q.items, sprintf("(SELECT COUNT(*) FROM %s%s)", inner.st.name, text{where, whereLite}))
	}
	q.where = append(q.where, leaf(p))
	if g.chance(0.5) {
		q.where = append(q.where, g.pred(refs, 1))
	}
	g.orderBy(q, refs, []*gtable{t})
	return q
}

// leafText renders a predicate with no placeholders.
func (n *pnode) leafText() text {
	var args []any
	return n.render(&args)
}

// derivedQuery selects from a derived table.
func (g *rgen) derivedQuery() *rquery {
	inner := newQuery()
	params := g.params
	g.params = false
	var refs []gref
	var tabs []*gtable
	if g.chance(0.3) {
		tabs, refs = g.joinFrom(inner)
	} else {
		var t *gtable
		t, refs = g.single(inner, rpick(g, baseTables))
		tabs = []*gtable{t}
	}
	// The derived table exposes its keys as k1, k2 and some columns.
	var cols []string
	for i, k := range inner.keys {
		inner.items = append(inner.items, same(fmt.Sprintf("%s AS k%d", k, i+1)))
		cols = append(cols, fmt.Sprintf("k%d", i+1))
	}
	var vrefs []gref
	for i := range 1 + g.intn(3) {
		r := rpick(g, refs)
		inner.items = append(inner.items, same(fmt.Sprintf("%s AS v%d", r.q, i+1)))
		vrefs = append(vrefs, gref{t: r.t, c: r.c, q: fmt.Sprintf("d.v%d", i+1)})
	}
	g.wheres(inner, refs)
	if g.chance(0.3) {
		g.orderBy(inner, refs, tabs)
		if !inner.total() || inner.limit < 0 {
			inner.order, inner.limit, inner.offset = nil, -1, 0
		}
	}
	g.params = params
	body, _ := inner.render() // no placeholders: they were off above
	q := newQuery()
	q.from = []fitem{{sql: sprintf("(%s) d", body), alias: "d", keep: true}}
	for _, c := range cols {
		q.keys = append(q.keys, "d."+c)
	}
	for _, r := range vrefs {
		if g.chance(0.7) {
			q.items = append(q.items, same(r.q))
		}
	}
	for _, k := range q.keys {
		if g.chance(0.5) || len(q.items) == 0 {
			q.items = append(q.items, same(k))
		}
	}
	if g.chance(0.7) {
		for range 1 + g.intn(2) {
			q.where = append(q.where, g.pred(vrefs, 1))
		}
	}
	if g.chance(0.5) {
		for _, k := range q.keys {
			q.order = append(q.order, okey{t: same(k + rpick(g, []string{"", " DESC"})), key: k})
		}
		if g.chance(0.3) {
			r := rpick(g, vrefs)
			q.order = append([]okey{{t: same(r.q + " DESC")}}, q.order...)
		}
		if g.chance(0.5) {
			q.limit = g.intn(20)
		}
	}
	return q
}

// unionQuery combines two one-table selects of one column of one type.
func (g *rgen) unionQuery() *rquery {
	pairs := [][2]string{
		{"customers.id", "orders.customer_id"}, {"products.sku", "stock.sku"}, {"customers.city", "customers.name"},
		{"orders.status", "orders.note"}, {"products.weight", "stock.qty"}, {"customers.name", "products.name"},
		{"orders.id", "stock.id"}, {"reviews.title", "clients.name"}, {"reviews.customer_id", "clients.id"},
	}
	pair := rpick(g, pairs)
	paren := g.chance(0.25)
	derived := g.chance(0.25)
	params := g.params
	if derived {
		g.params = false // the union's text goes into the FROM
	}
	side := func(s string) *rquery {
		tab, col, _ := strings.Cut(s, ".")
		q := newQuery()
		t := g.m.tables[tab]
		q.from = []fitem{{sql: same(t.st.name), alias: t.st.name, keep: true}}
		q.items = []text{same(col)}
		refs := refsOf([]*gtable{t}, false)
		g.wheres(q, refs)
		if paren {
			q.sideOrder = []okey{{t: same(t.st.key + rpick(g, []string{"", " DESC"}))}}
			if g.chance(0.4) {
				r := rpick(g, refs)
				q.sideOrder = append([]okey{{t: same(r.q + rpick(g, []string{"", " DESC"}))}}, q.sideOrder...)
			}
			g.sortClasses(&rquery{order: q.sideOrder}, []*gtable{t})
			q.sideLimit = g.intn(8)
		}
		return q
	}
	q := side(pair[0])
	q.union = side(pair[1])
	q.unionAll = g.chance(0.5)
	g.params = params
	if derived {
		return g.derivedUnion(q, pair[0])
	}
	if !q.unionAll && g.chance(0.5) {
		// ORDER BY 1 is total over a UNION (no duplicates).
		q.order = []okey{{t: same("1" + rpick(g, []string{"", " DESC"})), key: "1"}}
		q.keys = []string{"1"}
		if g.chance(0.6) {
			q.limit = g.intn(12)
		}
	}
	return q
}

// derivedUnion selects from a UNION in a derived table.
func (g *rgen) derivedUnion(u *rquery, first string) *rquery {
	tab, col, _ := strings.Cut(first, ".")
	c := g.m.tables[tab].col(col)
	u.items = []text{same(col + " AS v")}
	body, _ := u.render() // no placeholders in the union's WHERE
	q := newQuery()
	q.from = []fitem{{sql: sprintf("(%s) u", body), alias: "u", keep: true}}
	ref := gref{t: g.m.tables[tab], c: c, q: "u.v"}
	q.items = []text{same("u.v")}
	if g.chance(0.3) {
		q.items = append(q.items, g.projection([]gref{ref}))
	}
	if g.chance(0.6) {
		q.where = []*pnode{g.pred([]gref{ref}, 1)}
	}
	if !u.unionAll && g.chance(0.5) {
		q.order = []okey{{t: same("u.v" + rpick(g, []string{"", " DESC"})), key: "u.v"}}
		q.keys = []string{"u.v"}
		if g.chance(0.5) {
			q.limit = g.intn(8)
		}
	}
	if g.chance(0.2) {
		q.items = []text{same("COUNT(*)"), same("COUNT(DISTINCT u.v)")}
		q.order, q.keys, q.limit = nil, nil, -1
	}
	return q
}

// typeErrQuery compares a column with a literal its type cannot hold:
// restsql must fail, naming the column.
func (g *rgen) typeErrQuery() *rquery {
	q := newQuery()
	cases := []struct{ table, pred, col, val string }{
		{"customers", "id = 'abc'", "id", "abc"},
		{"customers", "signup > 'yesterday'", "signup", "yesterday"},
		{"orders", "total = 'cheap'", "total", "cheap"},
		{"orders", "created <= 'soon'", "created", "soon"},
		{"stock", "qty IN (1, 'many')", "qty", "many"},
		{"products", "price < 'x1'", "price", "x1"},
		{"reviews", "rating BETWEEN 2 AND 'five'", "rating", "five"},
	}
	c := rpick(g, cases)
	g.single(q, c.table)
	pred := c.pred
	if a := q.from[0].alias; a != c.table {
		pred = a + "." + pred
	}
	q.items = []text{same("*")}
	q.where = []*pnode{leaf(same(pred))}
	q.keepWhere = 1
	g.classes[classTypeErr] = true
	q.wantErr = true
	q.errWords = []string{c.col, c.val}
	return q
}
