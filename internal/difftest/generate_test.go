package difftest

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The generated corpus: query i is built from seed difftest.seed+i alone, so
// any failing query can be rerun by itself with -difftest.n=1. Sweeps of
// thousands (-difftest.n=5000, other seeds) are for bug hunts; the default
// keeps the suite to a few seconds, under -race too.
var (
	genSeed = flag.Int64("difftest.seed", 20240611, "seed of the first generated differential query")
	genN    = flag.Int("difftest.n", defaultGenN(), "number of generated differential queries")
)

func defaultGenN() int {
	if raceDetector {
		return 80
	}
	return 200
}

// avoidLikeAsIs keeps LIKE off the columns marked nolike: set it to true
// if a profile's LIKE filter sends the SQL pattern to an API that reads it
// as a regular expression (the demo profile says like: regex everywhere).
const avoidLikeAsIs = false

func TestDifferentialGenerated(t *testing.T) {
	e := newEnv(t)
	model := loadModel(t, e)
	for i := range *genN {
		seed := *genSeed + int64(i)
		c := newGen(model, seed).query()
		t.Run(strconv.FormatInt(seed, 10), func(t *testing.T) {
			t.Parallel()
			e.check(t, c)
		})
	}
}

// text is a piece of SQL in both dialects.
type text struct{ rs, lite string }

func same(s string) text { return text{s, s} }

// sprintf formats both dialects: every text argument contributes its own
// side, other arguments the same value to both.
func sprintf(format string, args ...any) text {
	rs := make([]any, len(args))
	lite := make([]any, len(args))
	for i, a := range args {
		if x, ok := a.(text); ok {
			rs[i], lite[i] = x.rs, x.lite
		} else {
			rs[i], lite[i] = a, a
		}
	}
	return text{fmt.Sprintf(format, rs...), fmt.Sprintf(format, lite...)}
}

func join(parts []text, sep string) text {
	var out text
	for i, p := range parts {
		if i > 0 {
			out.rs += sep
			out.lite += sep
		}
		out.rs += p.rs
		out.lite += p.lite
	}
	return out
}

// mcol is a column the generator knows: its type and the values it holds.
type mcol struct {
	name string
	typ  string // int, string, bool, datetime
	// vals are the distinct non-NULL values, as SQLite holds them.
	vals     []any
	nullable bool
	// long marks free text (bodies, titles): compared with LIKE and
	// LENGTH, not grouped by.
	long bool
	// group marks a column with few distinct values, good for GROUP BY.
	group bool
	// noLike marks a column LIKE is not generated for (avoidLikeAsIs).
	noLike bool
}

type mtable struct {
	name  string
	alias string
	key   string
	cols  []*mcol
}

// mjoin is a join the generator may use: left and right tables and the ON
// condition, written with their default aliases.
type mjoin struct {
	left, right string
	on          string
}

type model struct {
	tables map[string]*mtable
	joins  []mjoin
}

var modelTables = []struct {
	name, alias string
	cols        []string // name:type[:long][:group][:nolike]
}{
	{"users", "u", []string{"id:int", "name:string", "username:string", "email:string", "phone:string", "website:string",
		"addressCity:string:group:nolike", "addressZipcode:string", "companyName:string:nolike"}},
	{"posts", "p", []string{"id:int", "userId:int:group", "title:string:long", "body:string:long"}},
	{"comments", "c", []string{"id:int", "postId:int:group", "name:string:long", "email:string", "body:string:long"}},
	{"todos", "t", []string{"id:int", "userId:int:group", "title:string:long", "completed:bool:group", "dueDate:datetime"}},
	// Tables with a required URL key: only the inner side of a join.
	{"comments_by_post", "cb", []string{"postId:int:group", "id:int", "name:string:long", "email:string", "body:string:long"}},
	{"posts_by_user", "pb", []string{"userId:int:group", "id:int", "title:string:long", "body:string:long"}},
}

var modelJoins = []mjoin{
	{"users", "posts", "p.userId = u.id"},
	{"users", "todos", "t.userId = u.id"},
	{"posts", "comments", "c.postId = p.id"},
	{"posts", "todos", "t.userId = p.userId"},
	{"todos", "users", "u.id = t.userId"},
	{"posts", "comments_by_post", "cb.postId = p.id"},
	{"users", "posts_by_user", "pb.userId = u.id"},
	{"todos", "posts_by_user", "pb.userId = t.userId"},
}

// loadModel reads each model column's distinct values from SQLite.
func loadModel(t testing.TB, e *env) *model {
	t.Helper()
	m := &model{tables: map[string]*mtable{}, joins: modelJoins}
	for _, mt := range modelTables {
		tab := &mtable{name: mt.name, alias: mt.alias, key: "id"}
		for _, spec := range mt.cols {
			f := strings.Split(spec, ":")
			c := &mcol{name: f[0], typ: f[1]}
			for _, opt := range f[2:] {
				c.long = c.long || opt == "long"
				c.group = c.group || opt == "group"
				c.noLike = c.noLike || opt == "nolike" && avoidLikeAsIs
			}
			rows, err := e.lite.QueryContext(context.Background(), fmt.Sprintf("SELECT DISTINCT %q FROM %q ORDER BY 1", c.name, mt.name))
			require.NoError(t, err)
			for rows.Next() {
				var v any
				require.NoError(t, rows.Scan(&v))
				if v == nil {
					c.nullable = true
					continue
				}
				c.vals = append(c.vals, canon(v))
			}
			require.NoError(t, rows.Err())
			rows.Close()
			tab.cols = append(tab.cols, c)
		}
		m.tables[mt.name] = tab
	}
	return m
}

// gen builds one query from one seed.
type gen struct {
	m    *model
	r    *rand.Rand
	seed int64
}

func newGen(m *model, seed int64) *gen {
	return &gen{m: m, r: rand.New(rand.NewPCG(uint64(seed), 0x5eed)), seed: seed}
}

func (g *gen) chance(p float64) bool { return g.r.Float64() < p }
func (g *gen) intn(n int) int        { return g.r.IntN(n) }

func pick[T any](g *gen, xs []T) T { return xs[g.r.IntN(len(xs))] }

// ref is a column as a query names it.
type ref struct {
	t *mtable
	c *mcol
	// q is the qualified name (alias.column) or the bare name.
	q string
}

func (g *gen) refs(tabs []*mtable, qualify bool) []ref {
	var out []ref
	for _, t := range tabs {
		for _, c := range t.cols {
			q := c.name
			if qualify {
				q = t.alias + "." + c.name
			}
			out = append(out, ref{t, c, q})
		}
	}
	return out
}

// query builds one query of a random shape.
func (g *gen) query() diffCase {
	var q text
	switch n := g.intn(100); {
	case n < 40:
		q = g.selectQuery(g.singleFrom())
	case n < 62:
		q = g.selectQuery(g.joinFrom())
	case n < 80:
		q = g.aggregateQuery()
	case n < 86:
		q = g.distinctQuery()
	case n < 94:
		q = g.subqueryQuery()
	default:
		q = g.unionQuery()
	}
	c := diffCase{rs: q.rs, seed: g.seed}
	if q.lite != q.rs {
		c.lite = q.lite
	}
	return c
}

// from is a FROM clause: its text, its tables, and the keys that make an
// ORDER BY total.
type from struct {
	sql     text
	tables  []*mtable
	keys    []string
	qualify bool
}

func (g *gen) singleFrom() from {
	t := g.m.tables[pick(g, []string{"users", "posts", "comments", "todos"})]
	if g.chance(0.3) {
		return from{sql: same(t.name + " " + t.alias), tables: []*mtable{t}, keys: []string{t.alias + "." + t.key}, qualify: true}
	}
	return from{sql: same(t.name), tables: []*mtable{t}, keys: []string{t.key}}
}

func (g *gen) joinFrom() from {
	j := pick(g, g.m.joins)
	l, r := g.m.tables[j.left], g.m.tables[j.right]
	f := from{tables: []*mtable{l, r}, keys: []string{l.alias + ".id", r.alias + ".id"}, qualify: true}
	kind := "JOIN"
	if g.chance(0.4) {
		kind = "LEFT JOIN"
	}
	on := same(j.on)
	if g.chance(0.35) {
		// An extra condition on the right table in ON; the planner pushes
		// it to that table's scan, like a WHERE conjunct.
		on = sprintf("%s AND %s", on, g.pred(g.refs([]*mtable{r}, true), 1))
	}
	f.sql = sprintf("%s %s %s %s %s ON %s", l.name, l.alias, kind, r.name, r.alias, on)
	return f
}

// selectQuery is SELECT projections FROM f [WHERE] [ORDER BY keys [LIMIT]].
func (g *gen) selectQuery(f from) text {
	refs := g.refs(f.tables, f.qualify)
	var items []text
	if len(f.tables) == 1 && g.chance(0.08) {
		items = []text{same("*")}
	} else {
		for i := range 1 + g.intn(4) {
			e := g.projection(refs)
			if g.chance(0.25) {
				e = sprintf("%s AS a%d", e, i+1)
			}
			items = append(items, e)
		}
	}
	q := sprintf("SELECT %s FROM %s", join(items, ", "), f.sql)
	if g.chance(0.85) {
		q = sprintf("%s WHERE %s", q, g.where(refs))
	}
	if g.chance(0.5) {
		var keys []text
		for range g.intn(3) {
			r := pick(g, refs)
			k := same(r.q)
			switch {
			case items[0].rs != "*" && g.chance(0.2):
				k = same(strconv.Itoa(1 + g.intn(len(items)))) // an ordinal
			case !r.c.long && g.chance(0.3):
				k = g.projection([]ref{r})
			}
			keys = append(keys, sprintf("%s%s", k, pick(g, []string{"", " ASC", " DESC"})))
		}
		for _, k := range f.keys {
			keys = append(keys, same(k+pick(g, []string{"", " DESC"})))
		}
		q = sprintf("%s ORDER BY %s", q, join(keys, ", "))
		if g.chance(0.6) {
			q = sprintf("%s LIMIT %d", q, 1+g.intn(25))
			if g.chance(0.4) {
				q = sprintf("%s OFFSET %d", q, g.intn(30))
			}
		}
	}
	return q
}

// where is a WHERE condition: one to three conjuncts.
func (g *gen) where(refs []ref) text {
	var conj []text
	n := 1
	switch x := g.intn(20); {
	case x >= 17:
		n = 3
	case x >= 9:
		n = 2
	}
	for range n {
		conj = append(conj, g.pred(refs, 2))
	}
	return join(conj, " AND ")
}

// pred is a random condition over refs, nested up to depth.
func (g *gen) pred(refs []ref, depth int) text {
	if depth > 0 {
		switch n := g.intn(100); {
		case n < 12:
			return sprintf("(%s AND %s)", g.pred(refs, depth-1), g.pred(refs, depth-1))
		case n < 27:
			return sprintf("(%s OR %s)", g.pred(refs, depth-1), g.pred(refs, depth-1))
		case n < 35:
			return sprintf("NOT (%s)", g.pred(refs, depth-1))
		}
	}
	return g.leafPred(pick(g, refs))
}

func (g *gen) leafPred(r ref) text {
	col := r.q
	if g.chance(0.04) || (r.c.nullable && g.chance(0.25)) {
		return same(col + pick(g, []string{" IS NULL", " IS NOT NULL"}))
	}
	switch r.c.typ {
	case "int":
		v := g.intLit(r.c)
		switch n := g.intn(100); {
		case n < 35:
			op := pick(g, []string{"=", "!=", "<>", "<", "<=", ">", ">="})
			return same(fmt.Sprintf("%s %s %d", col, op, v))
		case n < 50:
			lo, hi := g.intLit(r.c), g.intLit(r.c)
			if g.chance(0.8) && lo > hi {
				lo, hi = hi, lo
			}
			if g.chance(0.2) {
				return same(fmt.Sprintf("%s NOT BETWEEN %d AND %d", col, lo, hi))
			}
			return same(fmt.Sprintf("%s BETWEEN %d AND %d", col, lo, hi))
		case n < 70:
			list := make([]string, 1+g.intn(4))
			for i := range list {
				list[i] = strconv.FormatInt(g.intLit(r.c), 10)
			}
			if g.chance(0.2) {
				list = append(list, "NULL")
			}
			if g.chance(0.25) {
				return same(fmt.Sprintf("%s NOT IN (%s)", col, strings.Join(list, ", ")))
			}
			return same(fmt.Sprintf("%s IN (%s)", col, strings.Join(list, ", ")))
		case n < 82:
			m := 2 + g.intn(6)
			return same(fmt.Sprintf("%s %% %d = %d", col, m, g.intn(m)))
		case n < 90:
			k, v := 2+g.intn(4), g.intn(20)
			return text{fmt.Sprintf("%s DIV %d = %d", col, k, v), fmt.Sprintf("%s / %d = %d", col, k, v)}
		default:
			return same(fmt.Sprintf("%s + %d %s %d", col, g.intn(10), pick(g, []string{"<", ">="}), v))
		}
	case "string":
		v := pick(g, r.c.vals).(string)
		switch n := g.intn(100); {
		case !r.c.noLike && (n < 45 || r.c.long && n < 70):
			pat := g.likePattern(v)
			if g.chance(0.2) {
				return same(fmt.Sprintf("%s NOT LIKE %s", col, quote(pat)))
			}
			return same(fmt.Sprintf("%s LIKE %s", col, quote(pat)))
		case r.c.long:
			return same(fmt.Sprintf("LENGTH(%s) %s %d", col, pick(g, []string{"<", ">", "<=", ">=", "="}), len(v)))
		case n < 65:
			op := pick(g, []string{"=", "!=", "<", "<=", ">", ">="})
			return same(fmt.Sprintf("%s %s %s", col, op, quote(v)))
		case n < 85:
			list := []string{quote(v)}
			for range g.intn(3) {
				list = append(list, quote(pick(g, r.c.vals).(string)))
			}
			if g.chance(0.2) {
				list = append(list, "NULL")
			}
			if g.chance(0.25) {
				return same(fmt.Sprintf("%s NOT IN (%s)", col, strings.Join(list, ", ")))
			}
			return same(fmt.Sprintf("%s IN (%s)", col, strings.Join(list, ", ")))
		default:
			return same(fmt.Sprintf("UPPER(%s) = %s", col, quote(strings.ToUpper(v))))
		}
	case "bool":
		switch g.intn(5) {
		case 0:
			return same(col)
		case 1:
			return same("NOT " + col)
		case 2:
			return same(fmt.Sprintf("%s = %s", col, pick(g, []string{"true", "false"})))
		case 3:
			return same(fmt.Sprintf("%s IS %s", col, pick(g, []string{"TRUE", "FALSE", "NOT TRUE", "NOT FALSE"})))
		default:
			return same(fmt.Sprintf("%s != %s", col, pick(g, []string{"true", "false"})))
		}
	case "datetime":
		switch g.intn(4) {
		case 0, 1:
			op := pick(g, []string{"<", "<=", ">", ">="})
			return same(fmt.Sprintf("%s %s %s", col, op, g.timeLit(r.c, true)))
		case 2:
			lo, hi := g.timeLit(r.c, true), g.timeLit(r.c, true)
			if lo > hi {
				lo, hi = hi, lo
			}
			return same(fmt.Sprintf("%s BETWEEN %s AND %s", col, lo, hi))
		default:
			op := pick(g, []string{"=", "!=", "IN"})
			if op == "IN" {
				return same(fmt.Sprintf("%s IN (%s, %s)", col, g.timeLit(r.c, false), g.timeLit(r.c, false)))
			}
			return same(fmt.Sprintf("%s %s %s", col, op, g.timeLit(r.c, false)))
		}
	}
	panic("difftest: unknown column type " + r.c.typ)
}

// intLit is a value of the column, or one just outside or between them.
func (g *gen) intLit(c *mcol) int64 {
	v := pick(g, c.vals).(int64)
	if g.chance(0.2) {
		v += int64(g.intn(5) - 2)
	}
	return v
}

// timeLit is a datetime literal: a value of the column (RFC 3339), or a
// date alone when ordered comparisons are all it is used in (the two
// engines agree on those; equality with a date alone is a datetime at
// midnight for restsql and a text prefix for SQLite).
func (g *gen) timeLit(c *mcol, ordered bool) string {
	v := pick(g, c.vals).(string)
	if ordered && g.chance(0.4) {
		return quote(v[:10])
	}
	return quote(v)
}

// likePattern derives a LIKE pattern from a value: a short prefix, suffix
// or infix with % around it, sometimes two infixes, a _ or a changed case.
func (g *gen) likePattern(v string) string {
	rs := []rune(v)
	if len(rs) == 0 {
		return "%"
	}
	piece := func(from, n int) string {
		to := min(from+n, len(rs))
		p := []rune(string(rs[from:to]))
		if len(p) > 2 && g.chance(0.3) {
			p[1+g.intn(len(p)-2)] = '_'
		}
		s := string(p)
		if g.chance(0.3) {
			s = strings.ToUpper(s)
		}
		return s
	}
	n := 1 + g.intn(4)
	switch g.intn(5) {
	case 0:
		return piece(0, n) + "%"
	case 1:
		return "%" + piece(max(len(rs)-n, 0), n)
	case 2:
		a := g.intn(len(rs))
		b := g.intn(len(rs))
		return "%" + piece(min(a, b), 2) + "%" + piece(max(a, b), 2) + "%"
	}
	return "%" + piece(g.intn(len(rs)), n) + "%"
}

// quote writes a string literal both dialects read alike (the data holds
// no backslashes).
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// projection is a random expression over one of refs.
func (g *gen) projection(refs []ref) text {
	r := pick(g, refs)
	col := r.q
	if g.chance(0.4) {
		return same(col)
	}
	switch r.c.typ {
	case "int":
		k := 2 + g.intn(6)
		switch g.intn(8) {
		case 0:
			return same(fmt.Sprintf("%s * %d", col, k))
		case 1:
			return same(fmt.Sprintf("%s %% %d", col, k))
		case 2:
			return same(fmt.Sprintf("-%s + %d", col, k))
		case 3:
			return text{fmt.Sprintf("%s / %d", col, k), fmt.Sprintf("%s * 1.0 / %d", col, k)}
		case 4:
			return text{fmt.Sprintf("%s DIV %d", col, k), fmt.Sprintf("%s / %d", col, k)}
		case 5:
			return same(fmt.Sprintf("ABS(%s - %d)", col, 10*k))
		case 6:
			return text{fmt.Sprintf("ROUND(%s / %d, 2)", col, k), fmt.Sprintf("ROUND(%s * 1.0 / %d, 2)", col, k)}
		default:
			return sprintf("CASE WHEN %s THEN %s ELSE %d END", g.leafPred(r), col, -k)
		}
	case "string":
		switch g.intn(8) {
		case 0:
			return same(fmt.Sprintf("UPPER(%s)", col))
		case 1:
			return same(fmt.Sprintf("LENGTH(%s)", col))
		case 2:
			start := 1 + g.intn(5)
			if g.chance(0.3) {
				start = -1 - g.intn(3)
			}
			return same(fmt.Sprintf("SUBSTR(%s, %d, %d)", col, start, 1+g.intn(6)))
		case 3:
			return same(fmt.Sprintf("REPLACE(%s, 'a', 'o')", col))
		case 4:
			return same(fmt.Sprintf("COALESCE(%s, 'none')", col))
		case 5:
			return text{fmt.Sprintf("CONCAT(%s, '!')", col), fmt.Sprintf("%s || '!'", col)}
		case 6:
			return same(fmt.Sprintf("LOWER(TRIM(%s))", col))
		default:
			return same(fmt.Sprintf("%s LIKE %s", col, quote(g.likePattern(pick(g, r.c.vals).(string)))))
		}
	case "bool":
		switch g.intn(3) {
		case 0:
			return same("NOT " + col)
		case 1:
			return same(fmt.Sprintf("CASE WHEN %s THEN 'y' ELSE 'n' END", col))
		}
		return same(col)
	case "datetime":
		switch g.intn(4) {
		case 0:
			return text{fmt.Sprintf("YEAR(%s)", col), fmt.Sprintf("CAST(strftime('%%Y', %s) AS INTEGER)", col)}
		case 1:
			return text{fmt.Sprintf("MONTH(%s)", col), fmt.Sprintf("CAST(strftime('%%m', %s) AS INTEGER)", col)}
		case 2:
			return text{fmt.Sprintf("DATE(%s)", col), fmt.Sprintf("date(%s) || 'T00:00:00Z'", col)}
		}
		return same(col + " IS NULL")
	}
	return same(col)
}

// groupKeys are expressions with few distinct values to group by.
func (g *gen) groupKey(refs []ref) text {
	var cands []ref
	for _, r := range refs {
		if r.c.group || r.c.nullable {
			cands = append(cands, r)
		}
	}
	r := pick(g, cands)
	switch {
	case r.c.typ == "int" && g.chance(0.4):
		return same(fmt.Sprintf("%s %% %d", r.q, 2+g.intn(4)))
	case r.c.typ == "datetime":
		if g.chance(0.5) {
			return text{fmt.Sprintf("MONTH(%s)", r.q), fmt.Sprintf("CAST(strftime('%%m', %s) AS INTEGER)", r.q)}
		}
		return same(r.q + " IS NULL")
	case r.c.typ == "string" && g.chance(0.3):
		return same(fmt.Sprintf("LENGTH(%s)", r.q))
	}
	return same(r.q)
}

// aggregate is a random aggregate call; a numeric one gives a number (to
// compare with one in HAVING: a string compared with a number is a
// dialect difference).
func (g *gen) aggregate(refs []ref, numeric bool) text {
	r := pick(g, refs)
	switch n := g.intn(100); {
	case n < 20:
		return same("COUNT(*)")
	case n < 35:
		return same(fmt.Sprintf("COUNT(%s)", r.q))
	case n < 45:
		return same(fmt.Sprintf("COUNT(DISTINCT %s)", r.q))
	case n < 80 && r.c.typ == "int":
		return same(fmt.Sprintf("%s(%s)", pick(g, []string{"SUM", "AVG", "MIN", "MAX"}), r.q))
	case n < 80 && r.c.typ == "string":
		return same(fmt.Sprintf("%s(LENGTH(%s))", pick(g, []string{"SUM", "AVG", "MAX"}), r.q))
	case n < 90:
		return sprintf("SUM(CASE WHEN %s THEN 1 ELSE 0 END)", g.leafPred(r))
	}
	if numeric && (r.c.typ == "string" || r.c.typ == "datetime") {
		return same(fmt.Sprintf("%s(LENGTH(%s))", pick(g, []string{"MIN", "MAX"}), r.q))
	}
	return same(fmt.Sprintf("%s(%s)", pick(g, []string{"MIN", "MAX"}), r.q))
}

// aggregateQuery groups a table or a join.
func (g *gen) aggregateQuery() text {
	f := g.singleFrom()
	if g.chance(0.35) {
		f = g.joinFrom()
	}
	refs := g.refs(f.tables, f.qualify)
	var keys, items []text
	for range g.intn(3) {
		keys = append(keys, g.groupKey(refs))
	}
	items = append(items, keys...)
	for range 1 + g.intn(3) {
		items = append(items, g.aggregate(refs, false))
	}
	q := sprintf("SELECT %s FROM %s", join(items, ", "), f.sql)
	if g.chance(0.7) {
		q = sprintf("%s WHERE %s", q, g.where(refs))
	}
	if len(keys) > 0 {
		q = sprintf("%s GROUP BY %s", q, join(keys, ", "))
	}
	if g.chance(0.3) {
		q = sprintf("%s HAVING %s %s %d", q, g.aggregate(refs, true), pick(g, []string{">", "<", ">=", "="}), g.intn(12))
	}
	if len(keys) > 0 && g.chance(0.5) {
		// Group keys are distinct per row: ordering by all of them is total.
		ord := make([]text, len(keys))
		for i := range keys {
			ord[i] = same(strconv.Itoa(i+1) + pick(g, []string{"", " DESC"}))
		}
		q = sprintf("%s ORDER BY %s", q, join(ord, ", "))
		if g.chance(0.5) {
			q = sprintf("%s LIMIT %d", q, 1+g.intn(6))
		}
	}
	return q
}

// distinctQuery is SELECT DISTINCT over low-cardinality columns.
func (g *gen) distinctQuery() text {
	f := g.singleFrom()
	if g.chance(0.3) {
		f = g.joinFrom()
	}
	refs := g.refs(f.tables, f.qualify)
	var items []text
	for range 1 + g.intn(2) {
		items = append(items, g.groupKey(refs))
	}
	q := sprintf("SELECT DISTINCT %s FROM %s", join(items, ", "), f.sql)
	if g.chance(0.7) {
		q = sprintf("%s WHERE %s", q, g.where(refs))
	}
	return q
}

// subqueryQuery filters one table by [NOT] IN over another's column, or
// compares with a scalar subquery.
func (g *gen) subqueryQuery() text {
	type link struct{ outer, outerCol, inner, innerCol string }
	links := []link{
		{"users", "id", "posts", "userId"},
		{"users", "id", "todos", "userId"},
		{"posts", "userId", "users", "id"},
		{"posts", "id", "comments", "postId"},
		{"users", "phone", "users", "phone"},
		{"users", "website", "users", "website"},
		{"todos", "dueDate", "todos", "dueDate"},
	}
	l := pick(g, links)
	outer, inner := g.m.tables[l.outer], g.m.tables[l.inner]
	innerRefs := g.refs([]*mtable{inner}, false)
	sub := sprintf("SELECT %s FROM %s WHERE %s", l.innerCol, inner.name, g.where(innerRefs))
	op := pick(g, []string{"IN", "NOT IN"})
	if g.chance(0.2) {
		op = pick(g, []string{"=", "<", ">="})
		sub = sprintf("SELECT %s(%s) FROM %s WHERE %s", pick(g, []string{"MIN", "MAX"}), l.innerCol, inner.name, g.where(innerRefs))
	}
	outerRefs := g.refs([]*mtable{outer}, false)
	q := sprintf("SELECT %s, %s FROM %s WHERE %s %s (%s)", outer.key, g.projection(outerRefs), outer.name, l.outerCol, op, sub)
	if g.chance(0.5) {
		q = sprintf("%s AND %s", q, g.where(outerRefs))
	}
	return q
}

// unionQuery combines two selects of one column of the same type.
func (g *gen) unionQuery() text {
	cols := [][2]string{
		{"users.id", "posts.userId"}, {"todos.userId", "posts.userId"}, {"users.name", "comments.name"},
		{"users.phone", "users.website"}, {"todos.id", "comments.postId"}, {"posts.title", "todos.title"},
	}
	pair := pick(g, cols)
	side := func(s string) text {
		tab, col, _ := strings.Cut(s, ".")
		return sprintf("SELECT %s FROM %s WHERE %s", col, tab, g.where(g.refs([]*mtable{g.m.tables[tab]}, false)))
	}
	q := sprintf("%s %s %s", side(pair[0]), pick(g, []string{"UNION", "UNION ALL"}), side(pair[1]))
	if g.chance(0.4) {
		q = sprintf("%s ORDER BY 1 LIMIT %d", q, 1+g.intn(10))
		// ORDER BY 1 alone is total only without duplicates.
		q = text{strings.Replace(q.rs, " UNION ALL ", " UNION ", 1), strings.Replace(q.lite, " UNION ALL ", " UNION ", 1)}
	}
	return q
}
