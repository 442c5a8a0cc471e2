package difftest

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
)

// TestRandomShapes is the random differential suite of the profile's
// shapes: child rows (each:, ^. columns, keepEmpty, nested .#. levels),
// reads with a body (POST search with filters, sort, limit and cursor in
// the body; GraphQL with data.x.nodes and pageInfo) and header: first
// rows. Each seed builds a random profile over the shapes API
// (random_shapes_api_test.go) that declares a random part of what the API
// does, and a random query over one of its tables; restsql's answer must
// be SQLite's over the same rows flattened. A mismatch is shrunk and
// printed with the seed, the profile and the requests.
//
// The default run is 300 seeds (a second or two); sweep with
//
//	RESTSQL_SHAPES_SEED=6000000 RESTSQL_SHAPES_N=5000 go test -run TestRandomShapes ./internal/difftest/
func TestRandomShapes(t *testing.T) {
	first := uint64(envInt("RESTSQL_SHAPES_SEED", 1))
	n := envInt("RESTSQL_SHAPES_N", 300)
	if raceDetector && os.Getenv("RESTSQL_SHAPES_N") == "" {
		n = 60
	}
	maxFail := envInt("RESTSQL_DIFF_MAXFAIL", 5)
	fails := 0
	var cur *shEnv
	for s := first; s < first+uint64(n); s++ {
		dseed := s / 50
		if cur == nil || cur.dseed != dseed {
			cur = newShEnv(t, dseed)
		}
		q := genShQuery(s, cur.d)
		m, err := cur.check(q)
		if err != nil {
			t.Fatalf("seed %d: %v\n%s", s, err, q.render(false))
		}
		if m == "" {
			continue
		}
		q, m = cur.shrink(q, m)
		cur.api.reset()
		_, _ = cur.check(q)
		t.Errorf("seed %d (data %d): restsql and SQLite differ\nrestsql: %s\nsqlite:  %s\n%s\nprofile:\n%s\nrequests:\n  %s",
			s, dseed, q.render(false), q.render(true), m, q.profile(), strings.Join(cur.api.requests(), "\n  "))
		if fails++; fails >= maxFail {
			t.Fatalf("stopping after %d failures", fails)
		}
	}
}

// shEnv is one data set: its API and SQLite with the rows flattened.
type shEnv struct {
	dseed uint64
	d     *shData
	api   *shAPI
	lite  *sql.DB
}

func newShEnv(tb testing.TB, dseed uint64) *shEnv {
	tb.Helper()
	d := newShData(dseed)
	e := &shEnv{dseed: dseed, d: d, api: &shAPI{d: d}}
	lite, err := sql.Open("sqlite", ":memory:")
	require.NoError(tb, err)
	lite.SetMaxOpenConns(1)
	lite.SetConnMaxLifetime(0)
	tb.Cleanup(func() { _ = lite.Close() })
	e.lite = lite
	exec := func(q string, args ...any) {
		_, err := lite.Exec(q, args...)
		require.NoError(tb, err, q)
	}
	exec(`CREATE TABLE orders (id INTEGER, status TEXT, total REAL, cust TEXT)`)
	for _, k := range []string{"k", "n"} {
		exec(`CREATE TABLE lines_` + k + ` (order_id INTEGER, status TEXT, total REAL, cust TEXT, lid INTEGER, sku TEXT, qty INTEGER, price REAL)`)
		exec(`CREATE TABLE taxes_` + k + ` (order_id INTEGER, status TEXT, lid INTEGER, sku TEXT, tid INTEGER, rate REAL, code TEXT)`)
	}
	exec(`CREATE TABLE sheet (id INTEGER, name TEXT, score REAL, signed TEXT)`)
	for _, o := range d.orders {
		exec(`INSERT INTO orders VALUES (?, ?, ?, ?)`, o["id"], o["status"], o["total"], o["cust"])
		lines, _ := o["lines"].([]any)
		if len(lines) == 0 {
			exec(`INSERT INTO lines_k VALUES (?, ?, ?, ?, NULL, NULL, NULL, NULL)`, o["id"], o["status"], o["total"], o["cust"])
			exec(`INSERT INTO taxes_k VALUES (?, ?, NULL, NULL, NULL, NULL, NULL)`, o["id"], o["status"])
		}
		for _, li := range lines {
			l := li.(map[string]any)
			for _, k := range []string{"k", "n"} {
				exec(`INSERT INTO lines_`+k+` VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, o["id"], o["status"], o["total"], o["cust"], l["lid"], l["sku"], l["qty"], l["price"])
			}
			taxes, _ := l["taxes"].([]any)
			if len(taxes) == 0 {
				exec(`INSERT INTO taxes_k VALUES (?, ?, ?, ?, NULL, NULL, NULL)`, o["id"], o["status"], l["lid"], l["sku"])
			}
			for _, ti := range taxes {
				x := ti.(map[string]any)
				for _, k := range []string{"k", "n"} {
					exec(`INSERT INTO taxes_`+k+` VALUES (?, ?, ?, ?, ?, ?, ?)`, o["id"], o["status"], l["lid"], l["sku"], x["tid"], x["rate"], x["code"])
				}
			}
		}
	}
	for _, r := range d.sheet {
		vals := []any{nil, nil, nil, nil}
		for i, v := range r {
			if s, ok := v.(string); ok && i == 3 {
				tm, err := time.Parse("2006-01-02", s)
				if err != nil {
					tm, err = time.Parse("1/2/2006", s)
				}
				require.NoError(tb, err)
				v = tm.UTC().Format(time.RFC3339)
			} else if s, ok := v.(string); ok && i != 1 {
				f, _ := strconv.ParseFloat(s, 64)
				v = f
			}
			vals[i] = v
		}
		exec(`INSERT INTO sheet VALUES (?, ?, ?, ?)`, vals...)
	}
	return e
}

// check runs q through restsql and SQLite and describes their difference
// ("" when they agree). err is a query SQLite cannot run or a profile
// restsql refuses (generator bugs).
func (e *shEnv) check(q *shQuery) (string, error) {
	prof, err := catalog.Parse([]byte(q.profile()), "shapes.yaml")
	if err != nil {
		return "", fmt.Errorf("profile: %w\n%s", err, q.profile())
	}
	cfg := restsql.NewConfig()
	cfg.Transport = e.api
	cfg.MaxRetries = 0
	for name, c := range prof.Catalogs {
		c.Name = name
		cfg.Catalogs = append(cfg.Catalogs, c)
	}
	conn, err := restsql.NewConnector(cfg)
	if err != nil {
		return "", fmt.Errorf("connector: %w", err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	if q.limit >= 0 && !q.ordered() {
		if len(q.order) > 0 {
			return "", nil // a shrunk ORDER BY that no longer fixes a LIMIT's rows
		}
		return e.checkSample(db, q)
	}
	lite, err := runQuery(e.lite, q.render(true))
	if err != nil {
		return "", fmt.Errorf("SQLite fails: %w", err)
	}
	got, err := runQuery(db, q.render(false))
	if err != nil {
		return fmt.Sprintf("restsql error: %v\nsqlite %d rows:\n%s", err, len(lite.rows), formatRows(lite.rows)), nil
	}
	if len(got.cols) != len(lite.cols) || !sameRows(got.rows, lite.rows, q.ordered()) {
		return fmt.Sprintf("restsql %d rows:\n%ssqlite %d rows:\n%s", len(got.rows), formatRows(got.rows), len(lite.rows), formatRows(lite.rows)), nil
	}
	// An ORDER BY that does not fix the order still fixes the order of
	// its first key's values (a sort the API did must keep them).
	if i := q.firstKeyItem(); i >= 0 && !q.ordered() {
		for r := range got.rows {
			if !equalValues(got.rows[r][i], lite.rows[r][i]) {
				return fmt.Sprintf("restsql's rows are not in the order of %s:\n%ssqlite:\n%s", q.order[0], formatRows(got.rows), formatRows(lite.rows)), nil
			}
		}
	}
	return "", nil
}

// checkSample checks a LIMIT without an ORDER BY that fixes the order:
// restsql must answer min(LIMIT, all) of SQLite's rows without it (LIMIT
// pushdown over child rows).
func (e *shEnv) checkSample(db *sql.DB, q *shQuery) (string, error) {
	all := q.clone()
	all.limit, all.offset = -1, 0
	lite, err := runQuery(e.lite, all.render(true))
	if err != nil {
		return "", fmt.Errorf("SQLite fails: %w", err)
	}
	got, err := runQuery(db, q.render(false))
	if err != nil {
		return fmt.Sprintf("restsql error: %v", err), nil
	}
	want := min(q.limit, max(len(lite.rows)-q.offset, 0))
	if len(got.rows) != want || len(onlyIn(got.rows, lite.rows)) > 0 {
		return fmt.Sprintf("restsql %d rows (want %d of SQLite's without the LIMIT):\n%ssqlite %d rows:\n%s", len(got.rows), want, formatRows(got.rows), len(lite.rows), formatRows(lite.rows)), nil
	}
	return "", nil
}

// shrink drops conjuncts, sort keys, the LIMIT, the join and selected
// items while restsql and SQLite still differ.
func (e *shEnv) shrink(q *shQuery, m string) (*shQuery, string) {
	try := func(c *shQuery) bool {
		cm, err := e.check(c)
		if err != nil || cm == "" {
			return false
		}
		q, m = c, cm
		return true
	}
	for changed := true; changed; {
		changed = false
		for i := range q.where {
			c := q.clone()
			c.where = append(c.where[:i:i], c.where[i+1:]...)
			if try(c) {
				changed = true
				break
			}
		}
		if q.limit >= 0 {
			c := q.clone()
			c.limit, c.offset = -1, 0
			if try(c) {
				changed = true
			}
		}
		if q.offset > 0 {
			c := q.clone()
			c.offset = 0
			if try(c) {
				changed = true
			}
		}
		for i := range q.order {
			c := q.clone()
			c.order = append(c.order[:i:i], c.order[i+1:]...)
			if try(c) {
				changed = true
				break
			}
		}
		if q.join != "" && !q.joinUsed() {
			c := q.clone()
			c.join = ""
			if try(c) {
				changed = true
			}
		}
		if len(q.sel) > 1 && q.group == "" {
			for i := range q.sel {
				c := q.clone()
				c.sel = append(c.sel[:i:i], c.sel[i+1:]...)
				if try(c) {
					changed = true
					break
				}
			}
		}
	}
	return q, m
}

// shTable is one table of a shapes profile.
type shTable struct {
	name string
	kind string // orders, search, graphql, sheet
	// each: "", "lines" or "lines.#.taxes".
	each string
	// cols are the SQL columns with their type.
	cols []shCol
	keys []string // the columns that make a row unique
}

type shCol struct {
	name, typ, path string
	format          string
	parent          bool // a column of the API's own row
	values          []any
}

// shQuery is one seed's random profile and query.
type shQuery struct {
	seed      uint64
	t         shTable
	keepEmpty bool
	// profile choices
	pageSize               int
	fStatus, fTotal, fSku  bool
	fCust, sortOn, limitOn bool
	totalHeader, statusIn  bool
	selectOn, sheetPaged   bool
	fId, flip, sortTotal   bool
	sel                    []string // selected items (column names, or aggregates)
	group                  string   // GROUP BY column ("" none)
	where                  []string
	order                  []string // ORDER BY items, including the keys
	limit, offset          int
	join                   string // "", "JOIN" or "LEFT JOIN" with orders o
}

func (q *shQuery) clone() *shQuery {
	c := *q
	c.sel = append([]string(nil), q.sel...)
	c.where = append([]string(nil), q.where...)
	c.order = append([]string(nil), q.order...)
	return &c
}

func (q *shQuery) joinUsed() bool {
	for _, s := range append(append(append([]string(nil), q.sel...), q.where...), q.order...) {
		if strings.Contains(s, "o.") {
			return true
		}
	}
	return strings.HasPrefix(q.group, "o.")
}

// ordered reports whether the ORDER BY fixes the rows' order.
func (q *shQuery) ordered() bool {
	if q.group != "" {
		return len(q.order) > 0
	}
	n := 0
	for _, k := range q.t.keys {
		for _, o := range q.order {
			if strings.TrimSuffix(strings.TrimSuffix(o, " DESC"), " ASC") == "t."+k {
				n++
			}
		}
	}
	return n == len(q.t.keys)
}

func (q *shQuery) liteTable() string {
	switch q.t.each {
	case "lines":
		if q.keepEmpty {
			return "lines_k"
		}
		return "lines_n"
	case "lines.#.taxes":
		if q.keepEmpty {
			return "taxes_k"
		}
		return "taxes_n"
	}
	if q.t.kind == "sheet" {
		return "sheet"
	}
	return "orders"
}

func (q *shQuery) render(lite bool) string {
	var b strings.Builder
	tbl := q.t.name
	if lite {
		tbl = q.liteTable()
	}
	switch {
	case q.join == "JOIN" && q.flip:
		// orders first: the planner may look the child rows up by order_id.
		fmt.Fprintf(&b, "SELECT %s FROM orders o JOIN %s t ON t.order_id = o.id", strings.Join(q.sel, ", "), tbl)
	case q.join != "":
		fmt.Fprintf(&b, "SELECT %s FROM %s t %s orders o ON o.id = t.order_id", strings.Join(q.sel, ", "), tbl, q.join)
	default:
		b.WriteString("SELECT " + strings.Join(q.sel, ", ") + " FROM " + tbl + " t")
	}
	if len(q.where) > 0 {
		b.WriteString(" WHERE " + strings.Join(q.where, " AND "))
	}
	if q.group != "" {
		b.WriteString(" GROUP BY " + q.group)
	}
	if len(q.order) > 0 {
		b.WriteString(" ORDER BY " + strings.Join(q.order, ", "))
	}
	if q.limit >= 0 && (q.ordered() || len(q.order) == 0) {
		fmt.Fprintf(&b, " LIMIT %d", q.limit)
		if q.offset > 0 {
			fmt.Fprintf(&b, " OFFSET %d", q.offset)
		}
	}
	return b.String()
}

// profile is the query's profile: the table it reads, and orders (flat,
// over GET /orders, no pushdown) for joins.
func (q *shQuery) profile() string {
	var b strings.Builder
	b.WriteString("catalogs:\n  Shapes:\n    url: http://shapes.test\n    schemas:\n      API:\n        tables:\n")
	b.WriteString("          orders:\n            url: /orders\n            pagination: {type: offset, offsetParam: offset, sizeParam: limit, pageSize: 3}\n")
	b.WriteString("            columns:\n              - {name: id, type: int, key: true}\n              - {name: status}\n              - {name: total, type: float}\n              - {name: cust}\n")
	if q.t.name == "orders" {
		return b.String()
	}
	t := q.t
	fmt.Fprintf(&b, "          %s:\n", t.name)
	w := func(format string, args ...any) { fmt.Fprintf(&b, "            "+format+"\n", args...) }
	switch t.kind {
	case "orders":
		w("url: /orders")
		tot := ""
		if q.totalHeader {
			tot = ", totalHeader: X-Total-Count"
		}
		w("pagination: {type: offset, offsetParam: offset, sizeParam: limit, pageSize: %d%s}", q.pageSize, tot)
		if q.sortOn {
			w("sort: {param: sort, order: order, columns: [%s]}", q.sortCols())
		}
		if q.limitOn {
			w("limit: {param: limit}")
		}
		if q.selectOn {
			w("select: {param: fields}")
		}
	case "search":
		w("url: /search")
		w("method: POST")
		w(`body: {page_size: %d, filters: []}`, q.pageSize+1)
		w("rows: results")
		w("pagination: {type: cursor, cursorPath: next, cursorBody: after}")
		if q.sortOn {
			w(`sort: {body: sort, value: '{"field": "{column}", "dir": "{dir}"}', columns: [%s]}`, q.sortCols())
		}
		if q.limitOn {
			w("limit: {body: limit}")
		}
		if q.selectOn {
			w("select: {body: fields}")
		}
	case "graphql":
		w("url: /graphql")
		w("graphql:")
		w("  query: 'query($first: Int, $after: String, $status: String) { orders(first: $first, after: $after, status: $status) { nodes { id } pageInfo { endCursor hasNextPage } } }'")
		w("  variables: {first: %d}", q.pageSize)
		w("rows: data.orders.nodes")
		if q.limitOn {
			w("limit: {body: variables.first}")
		}
		w("pagination: {type: cursor, cursorPath: data.orders.pageInfo.endCursor, cursorBody: variables.after, hasMorePath: data.orders.pageInfo.hasNextPage}")
	case "sheet":
		if q.sheetPaged {
			w("url: /sheetp")
			w("pagination: {type: offset, offsetParam: offset, sizeParam: limit, pageSize: %d}", q.pageSize+1)
			if q.limitOn {
				w("limit: {param: limit}")
			}
		} else {
			w("url: /sheet")
		}
		w("rows: values")
		w("header: first")
	}
	if t.each != "" {
		w("each: %s", t.each)
		if q.keepEmpty {
			w("keepEmpty: true")
		}
	}
	w("columns:")
	for _, c := range t.cols {
		var fl []string
		if c.parent {
			switch {
			case c.name == "status" && q.fStatus && t.kind == "orders":
				fl = append(fl, `"=": {param: status, exact: true}`)
			case c.name == "status" && q.fStatus && t.kind == "search":
				fl = append(fl, `"=": {body: filters.-1, value: '{"field": "status", "op": "eq", "value": {}}', exact: true}`)
				if q.statusIn {
					fl = append(fl, `"IN": {body: filters.-1, value: '{"field": "status", "op": "in", "value": {}}', exact: true}`)
				}
			case c.name == "status" && q.fStatus && t.kind == "graphql":
				fl = append(fl, `"=": {body: variables.status, exact: true}`)
			case (c.name == "id" || c.name == "order_id") && q.fId && t.kind == "orders":
				fl = append(fl, `"=": {param: id, exact: true}`)
			case c.name == "total" && q.fTotal && t.kind == "orders":
				fl = append(fl, `">": {param: total_gt, exact: true}`)
			case c.name == "total" && q.fTotal && t.kind == "search":
				fl = append(fl, `">": {body: filters.-1, value: '{"field": "total", "op": "gt", "value": {}}', exact: true}`,
					`"<": {body: filters.-1, value: '{"field": "total", "op": "lt", "value": {}}', exact: true}`)
			case c.name == "cust" && q.fCust && t.kind == "search":
				fl = append(fl, `"IN": {body: filters.-1, value: '{"field": "cust", "op": "in", "value": {}}', exact: true}`)
			}
		}
		if c.name == "sku" && q.fSku && t.each != "" {
			switch t.kind {
			case "orders":
				fl = append(fl, `"=": {param: sku, exact: true}`)
			case "search":
				fl = append(fl, `"=": {body: filters.-1, value: '{"field": "sku", "op": "eq", "value": {}}', exact: true}`)
			}
		}
		s := fmt.Sprintf("- {name: %s, type: %s", c.name, c.typ)
		if c.path != "" {
			s += fmt.Sprintf(", path: %q", c.path)
		}
		if c.format != "" {
			s += ", format: " + c.format
		}
		if len(fl) > 0 {
			s += ", filters: {" + strings.Join(fl, ", ") + "}"
		}
		w("  %s}", s)
	}
	return b.String()
}

// firstKeyItem is the selected item that the first ORDER BY key names (-1
// for none).
func (q *shQuery) firstKeyItem() int {
	if len(q.order) == 0 {
		return -1
	}
	k := strings.TrimSuffix(q.order[0], " DESC")
	for i, s := range q.sel {
		if s == k {
			return i
		}
	}
	return -1
}

// sortCols are the columns the profile's sort declares: the order's id,
// and its total (nullable, NULLs low) when sortTotal.
func (q *shQuery) sortCols() string {
	cols := q.t.cols[0].name
	if q.sortTotal && q.t.each != "lines.#.taxes" {
		cols += ", total"
	}
	return cols
}

func shCols(d *shData) map[string]shCol {
	status := []any{"open", "paid", "void", "Open", "", "zzz"}
	totals := []any{0.0, 1.5, 10, 99.25, -3, 5}
	return map[string]shCol{
		"id":     {name: "id", typ: "int", values: []any{1, 2, 3, 5, 8, 20}},
		"status": {name: "status", typ: "string", values: status},
		"total":  {name: "total", typ: "float", values: totals},
		"cust":   {name: "cust", typ: "string", values: []any{"c0", "c1", "c2", "c3"}},
		"lid":    {name: "lid", typ: "int", values: []any{101, 102, 105, 110, 130}},
		"sku":    {name: "sku", typ: "string", values: []any{"A", "B", "C", "a", "D"}},
		"qty":    {name: "qty", typ: "int", values: []any{0, 1, 2, 3}},
		"price":  {name: "price", typ: "float", values: totals},
		"tid":    {name: "tid", typ: "int", values: []any{1001, 1002, 1005, 1010}},
		"rate":   {name: "rate", typ: "float", values: []any{0.1, 0.2, 0.15}},
		"code":   {name: "code", typ: "string", values: []any{"x", "y", "z"}},
		"name":   {name: "name", typ: "string", values: []any{"ann", "bob", "Cy", "", "d e", "cy"}},
		"score":  {name: "score", typ: "float", values: []any{1.0, 2.5, -1, 0}},
		"signed": {name: "signed", typ: "datetime", format: `["1/2/2006", "2006-01-02"]`, values: []any{"2024-03-01T00:00:00Z", "2024-03-02T00:00:00Z", "2024-01-01T00:00:00Z"}},
	}
}

func genShQuery(seed uint64, d *shData) *shQuery {
	r := rand.New(rand.NewPCG(seed, 9090))
	cols := shCols(d)
	col := func(name, path string, parent bool) shCol {
		c := cols[name]
		c.path, c.parent = path, parent
		return c
	}
	q := &shQuery{seed: seed, limit: -1}
	kind := []string{"orders", "orders", "search", "graphql", "sheet"}[r.IntN(5)]
	each := []string{"", "lines", "lines", "lines.#.taxes"}[r.IntN(4)]
	if kind == "sheet" {
		each = ""
	}
	t := shTable{kind: kind, each: each}
	switch {
	case kind == "sheet":
		t.name = "sheet"
		t.cols = []shCol{col("id", "ID", false), col("name", "Name", false), col("score", "score", false), col("signed", "Signed up", false)}
		t.keys = []string{"id"}
	case each == "":
		t.name = "f_" + kind
		t.cols = []shCol{col("id", "", true), col("status", "", true), col("total", "", true), col("cust", "", true)}
		t.keys = []string{"id"}
	case each == "lines":
		t.name = "l_" + kind
		c := col("id", "^.id", true)
		c.name = "order_id"
		t.cols = []shCol{c, col("status", "^.status", true), col("total", "^.total", true), col("cust", "^.cust", true),
			col("lid", "", false), col("sku", "", false), col("qty", "", false), col("price", "", false)}
		t.keys = []string{"lid", "order_id"}
	default:
		t.name = "t_" + kind
		c := col("id", "^.^.id", true)
		c.name = "order_id"
		t.cols = []shCol{c, col("status", "^.^.status", true), col("lid", "^.lid", false), col("sku", "^.sku", false),
			col("tid", "", false), col("rate", "", false), col("code", "", false)}
		t.keys = []string{"tid", "lid", "order_id"}
	}
	q.t = t
	q.keepEmpty = r.IntN(2) == 0
	q.pageSize = 1 + r.IntN(3)
	q.fStatus, q.fTotal, q.fSku, q.fCust = r.IntN(3) > 0, r.IntN(3) > 0, r.IntN(2) == 0, r.IntN(2) == 0
	q.sortOn, q.limitOn, q.totalHeader, q.statusIn = r.IntN(2) == 0, r.IntN(2) == 0, r.IntN(3) == 0, r.IntN(2) == 0
	q.selectOn = r.IntN(2) == 0
	q.sheetPaged = r.IntN(2) == 0
	q.fId = r.IntN(2) == 0
	q.flip = r.IntN(2) == 0
	q.sortTotal = r.IntN(2) == 0

	names := make([]string, len(t.cols))
	for i, c := range t.cols {
		names[i] = c.name
	}
	if each != "" && r.IntN(4) == 0 {
		q.join = []string{"JOIN", "LEFT JOIN"}[r.IntN(2)]
	}
	lit := func(c shCol) string {
		v := c.values[r.IntN(len(c.values))]
		if s, ok := v.(string); ok {
			return "'" + s + "'"
		}
		return fmt.Sprint(v)
	}
	pred := func() string {
		c := t.cols[r.IntN(len(t.cols))]
		if r.IntN(5) < 2 && t.kind != "sheet" {
			// status and total are the columns the API filters on.
			c = t.cols[1+r.IntN(2)]
		}
		ref := "t." + c.name
		if q.join != "" && r.IntN(4) == 0 {
			c = cols[[]string{"status", "total", "cust"}[r.IntN(3)]]
			ref = "o." + c.name
		}
		switch k := r.IntN(10); {
		case k < 4:
			return ref + " = " + lit(c)
		case k < 5:
			return ref + " > " + lit(c)
		case k < 6:
			return ref + " < " + lit(c)
		case k < 7:
			return fmt.Sprintf("%s IN (%s, %s)", ref, lit(c), lit(c))
		case k < 8:
			return ref + " IS NULL"
		case k < 9:
			return ref + " IS NOT NULL"
		default:
			return fmt.Sprintf("(%s = %s OR %s IS NULL)", ref, lit(c), ref)
		}
	}
	for i := r.IntN(4); i > 0; i-- {
		q.where = append(q.where, pred())
	}
	if r.IntN(4) == 0 {
		// aggregate over one group column
		g := "t." + names[r.IntN(len(names))]
		q.group = g
		q.sel = []string{g, "COUNT(*)"}
		for _, c := range t.cols {
			if (c.typ == "int" || c.typ == "float") && r.IntN(2) == 0 {
				q.sel = append(q.sel, fmt.Sprintf("SUM(t.%s)", c.name), fmt.Sprintf("MAX(t.%s)", c.name))
			}
		}
		if r.IntN(3) > 0 {
			q.sel = append(q.sel, fmt.Sprintf("COUNT(t.%s)", names[r.IntN(len(names))]))
		}
		if r.IntN(2) == 0 {
			q.order = []string{g + []string{"", " DESC"}[r.IntN(2)]}
			if r.IntN(2) == 0 {
				q.limit, q.offset = r.IntN(4), r.IntN(2)
			}
		}
		return q
	}
	for _, n := range names {
		if r.IntN(2) == 0 {
			q.sel = append(q.sel, "t."+n)
		}
	}
	if len(q.sel) == 0 {
		q.sel = []string{"t." + names[0]}
	}
	if q.join != "" && r.IntN(2) == 0 {
		q.sel = append(q.sel, "o.status", "o.total")
	}
	if r.IntN(6) == 0 {
		// A LIMIT without ORDER BY: any rows of the answer, as many.
		q.limit = r.IntN(5)
		if r.IntN(3) == 0 {
			q.offset = r.IntN(3)
		}
		return q
	}
	if r.IntN(4) == 0 {
		// One key that may not fix the order: the API may sort by it.
		k := "t." + names[r.IntN(min(3, len(names)))]
		if !strings.Contains(strings.Join(q.sel, ","), k) {
			q.sel = append(q.sel, k)
		}
		q.order = []string{k + []string{"", " DESC"}[r.IntN(2)]}
		return q
	}
	if r.IntN(3) > 0 {
		for i := r.IntN(3); i > 0; i-- {
			q.order = append(q.order, "t."+names[r.IntN(len(names))]+[]string{"", " DESC"}[r.IntN(2)])
		}
		for _, k := range t.keys {
			q.order = append(q.order, "t."+k+[]string{"", " DESC"}[r.IntN(2)])
		}
		if r.IntN(2) == 0 {
			q.limit = r.IntN(6)
			if r.IntN(3) == 0 {
				q.offset = r.IntN(4)
			}
		}
	}
	return q
}
