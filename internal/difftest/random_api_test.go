package difftest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// This file is the fake shop API of the random differential suite
// (random_test.go): a handful of related tables served the way real APIs
// serve them, quirks included.
//
//   - A filter parameter is field=value (equality), field_ne, field_gt,
//     field_gte, field_lt, field_lte or field_like (a case-insensitive
//     "contains"), on the fields the table lists for that operator only.
//     A comma in an equality value makes a list (?status=new,paid is IN),
//     an empty value is no filter at all (?status= returns every row), and
//     an unknown parameter is ignored. A value that does not parse as the
//     field's type is a 400.
//   - Some string equalities ignore case (the profile calls them inexact).
//   - ?sort=f&order=desc sorts by ONE field, and only by the fields the
//     table lists as sortable: sort=a,b sorts by a alone, an unsortable
//     field leaves the API's own order (which is not the id order). NULLs
//     sort first ascending, last descending (restsql's order). Ties keep
//     the API's order.
//   - Page sizes are capped: asking for 500 rows gets the table's cap.
//     Paging is by next URL (a relative URL that keeps the query string,
//     in the body and in a Link header), offset/limit (with an
//     X-Total-Count header), page/per_page or an opaque cursor, per table.
//   - ?fields=a,b returns only those fields of each row.
//   - /customers/{customer_id}/orders and /products/{sku}/stock list the
//     rows of one parent; /customers/{id}, /orders/{id} and /products/{sku}
//     return one object or a 404. /products/{sku}/stock ignores the paging
//     parameters: every page is all of the product's stock rows. The sku
//     in those paths matches ignoring case (/products/sku-001 is SKU-001).
//   - A page size above the table's cap gets the cap; a profile may ask
//     for more (see random_profile_test.go: the pages are then short but
//     not the last).

// apiField is one field of a fake table.
type apiField struct {
	name string
	// typ is int, float, string, bool, datetime (RFC 3339), unix (epoch
	// seconds) or stamp (stampLayout text, UTC).
	typ string
}

// apiTable is one collection of the fake API and what it can do.
type apiTable struct {
	name   string
	fields []apiField
	// rows hold the JSON values (nil or a missing key is NULL), in the
	// API's own order (shuffled, so the API order is not the id order).
	rows []map[string]any
	// ops maps an operator suffix ("" for equality, "ne", "gt", "gte",
	// "lt", "lte", "like") to the fields that accept it.
	ops map[string][]string
	// foldEq lists the string fields whose equality ignores case.
	foldEq []string
	// sortable lists the fields ?sort= takes.
	sortable []string
	// paging is next (a next URL in the body and a Link header), offset
	// (offset/limit, with X-Total-Count), page (page/per_page) or cursor
	// (an opaque token in the body, sent back as ?after=).
	paging  string
	maxPage int // the page size cap
	// nested maps a field to the object it is nested in in the JSON
	// (customers' city is address.city).
	nested map[string]string
	// cache holds rows' JSON by id and field list (see renderJSON).
	cache sync.Map
}

func (t *apiTable) field(name string) (apiField, bool) {
	for _, f := range t.fields {
		if f.name == name {
			return f, true
		}
	}
	return apiField{}, false
}

func has(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// shopData builds the fake API's tables from a fixed seed: the same data
// on every run, so a failing seed always rebuilds the same query over the
// same rows.
func shopData() map[string]*apiTable {
	r := rand.New(rand.NewPCG(1414, 2718))
	pick := func(xs ...any) any { return xs[r.IntN(len(xs))] }
	maybe := func(p float64, v any) any {
		if r.Float64() < p {
			return nil
		}
		return v
	}
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	stamp := func() string {
		// Never midnight: a date literal compared with a datetime reads
		// as midnight in restsql and as a text prefix in SQLite.
		tm := day.Add(time.Duration(r.IntN(400))*24*time.Hour + time.Duration(1+r.IntN(86000))*time.Second)
		if r.IntN(8) == 0 {
			return tm.In(time.FixedZone("", 2*3600)).Format(time.RFC3339)
		}
		return tm.Format(time.RFC3339)
	}
	money := func(max int) float64 { return float64(r.IntN(max*100)) / 100 }

	customers := &apiTable{
		name: "customers",
		fields: []apiField{{"id", "int"}, {"name", "string"}, {"email", "string"}, {"city", "string"},
			{"tier", "string"}, {"signup", "datetime"}, {"score", "float"}, {"active", "bool"}},
		ops: map[string][]string{
			"": {"id", "name", "city", "tier", "active"}, "ne": {"tier"},
			"gt": {"id"}, "gte": {"id", "signup"}, "lt": {"id"}, "lte": {"id", "signup"},
			"like": {"name", "email"},
		},
		foldEq:   []string{"name"},
		sortable: []string{"id", "name", "signup"},
		paging:   "next", maxPage: 15,
		nested: map[string]string{"city": "address"},
	}
	names := []any{"alice", "Alice", "ALICE", "Bob", "bob smith", "Carol", "Dan O'Neil", "eve", "Eve", "Frank, Jr.", "", nil}
	for id := 1; id <= 40; id++ {
		customers.rows = append(customers.rows, map[string]any{
			"id": id, "name": pick(names...),
			"email":  pick(fmt.Sprintf("c%d@shop.test", id), fmt.Sprintf("C%d@Shop.Test", id), "", nil, "shared@shop.test"),
			"city":   pick("Paris", "paris", "Berlin", "New York", "Oslo", "", nil),
			"tier":   pick("gold", "silver", "bronze", "gold,silver", "", nil),
			"signup": maybe(0.15, stamp()),
			"score":  maybe(0.2, float64(r.IntN(100))/4),
			"active": pick(true, false, nil),
		})
	}

	orders := &apiTable{
		name: "orders",
		fields: []apiField{{"id", "int"}, {"customer_id", "int"}, {"status", "string"},
			{"total", "float"}, {"created", "datetime"}, {"note", "string"}, {"shipped", "unix"}},
		ops: map[string][]string{
			"": {"id", "customer_id", "status"}, "ne": {"status"},
			"gt": {"total", "shipped"}, "gte": {"total", "created", "id"}, "lt": {"total", "shipped"}, "lte": {"total", "created", "id"},
		},
		sortable: []string{"id", "total", "created", "shipped"},
		paging:   "next", maxPage: 100,
	}
	for id := 1; id <= 260; id++ {
		orders.rows = append(orders.rows, map[string]any{
			"id": id, "customer_id": maybe(0.05, 1+r.IntN(45)),
			"status":  pick("new", "paid", "paid", "shipped", "cancelled", "on hold, review", "NEW", ""),
			"total":   maybe(0.08, money(300)),
			"created": stamp(),
			"note":    pick(nil, nil, "", "Rush", "rush", "gift, wrap", "call first"),
			"shipped": maybe(0.4, day.Unix()+int64(r.IntN(400))*86400+int64(1+r.IntN(86398))), // never midnight
		})
	}

	products := &apiTable{
		name: "products",
		fields: []apiField{{"id", "int"}, {"sku", "string"}, {"name", "string"}, {"category", "string"},
			{"price", "float"}, {"weight", "int"}, {"updated", "stamp"}},
		ops: map[string][]string{
			"": {"sku", "category"}, "gte": {"price", "updated"}, "lte": {"price", "updated"},
		},
		sortable: []string{"name", "price", "updated"},
		paging:   "offset", maxPage: 10,
	}
	for id := 1; id <= 32; id++ {
		products.rows = append(products.rows, map[string]any{
			"id": id, "sku": fmt.Sprintf("SKU-%03d", id),
			"name":     pick("Widget", "widget", "Gadget", "Gizmo", "Doohickey", "Bolt, small", ""),
			"category": pick("tools", "Tools", "toys", "garden", "", nil),
			"price":    maybe(0.1, money(80)),
			"weight":   maybe(0.25, r.IntN(50)),
			"updated":  maybe(0.1, day.Add(time.Duration(r.IntN(400)*86400+1+r.IntN(86398))*time.Second).Format(stampLayout)),
		})
	}

	stock := &apiTable{
		name:   "stock",
		fields: []apiField{{"id", "int"}, {"sku", "string"}, {"warehouse", "string"}, {"qty", "int"}},
		ops: map[string][]string{
			"": {"sku", "warehouse"}, "gt": {"qty"}, "lt": {"qty"},
		},
		sortable: []string{"qty"},
		paging:   "page", maxPage: 20,
	}
	for id := 1; id <= 90; id++ {
		stock.rows = append(stock.rows, map[string]any{
			"id": id, "sku": fmt.Sprintf("SKU-%03d", 1+r.IntN(36)), // some skus are no product's
			"warehouse": pick("north", "south", "East", "east", nil),
			"qty":       maybe(0.1, r.IntN(40)-5),
		})
	}

	reviews := &apiTable{
		name: "reviews",
		fields: []apiField{{"id", "int"}, {"sku", "string"}, {"customer_id", "int"}, {"rating", "int"},
			{"title", "string"}, {"created", "datetime"}},
		ops: map[string][]string{
			"": {"sku", "customer_id", "rating"}, "gte": {"rating", "created"}, "lte": {"rating", "created"},
			"like": {"title"},
		},
		sortable: []string{"created", "rating"},
		paging:   "cursor", maxPage: 25,
	}
	for id := 1; id <= 120; id++ {
		reviews.rows = append(reviews.rows, map[string]any{
			"id": id, "sku": fmt.Sprintf("SKU-%03d", 1+r.IntN(40)),
			"customer_id": maybe(0.1, 1+r.IntN(45)),
			"rating":      maybe(0.15, 1+r.IntN(5)),
			"title":       pick("Great", "great!", "Broke, sadly", "OK", "", nil, "Works as described"),
			"created":     stamp(),
		})
	}

	tables := map[string]*apiTable{}
	for _, t := range []*apiTable{customers, orders, products, stock, reviews} {
		// Some rows leave a NULL field out altogether.
		for _, row := range t.rows {
			for k, v := range row {
				if v == nil && r.IntN(2) == 0 {
					delete(row, k)
				}
			}
		}
		r.Shuffle(len(t.rows), func(i, j int) { t.rows[i], t.rows[j] = t.rows[j], t.rows[i] })
		tables[t.name] = t
	}
	return tables
}

// fakeAPI serves the shop tables and records the requests it sees.
type fakeAPI struct {
	tables map[string]*apiTable
	mu     sync.Mutex
	log    []string
}

func newFakeAPI(tables map[string]*apiTable) *fakeAPI { return &fakeAPI{tables: tables} }

// requests returns the requests seen since the last reset.
func (a *fakeAPI) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.log...)
}

func (a *fakeAPI) reset() {
	a.mu.Lock()
	a.log = a.log[:0]
	a.mu.Unlock()
}

// RoundTrip serves a request in process (through httptest's recorder): the
// suite makes hundreds of thousands of requests, and a loopback socket
// each would cost more than the queries.
func (a *fakeAPI) RoundTrip(req *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	a.ServeHTTP(rec, req)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func (a *fakeAPI) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	a.mu.Lock()
	a.log = append(a.log, req.Header.Get("X-Variant")+" "+req.URL.RequestURI())
	a.mu.Unlock()
	fail := func(code int, format string, args ...any) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": fmt.Sprintf(format, args...)})
	}
	seg := strings.Split(strings.Trim(req.URL.Path, "/"), "/")
	for i, s := range seg {
		seg[i], _ = url.PathUnescape(s)
	}
	q := req.URL.Query()
	var t *apiTable
	var parent func(map[string]any) bool
	single := false
	// unpaged: the route ignores the paging parameters and returns every
	// row (a product's stock is a few rows).
	unpaged := false
	switch {
	case len(seg) == 1:
		t = a.tables[seg[0]]
	case len(seg) == 2 && (seg[0] == "customers" || seg[0] == "orders"):
		t, single = a.tables[seg[0]], true
		id, err := strconv.Atoi(seg[1])
		if err != nil {
			fail(http.StatusBadRequest, "bad id %q", seg[1])
			return
		}
		parent = func(row map[string]any) bool { return row["id"] == id }
	case len(seg) == 2 && seg[0] == "products":
		t, single = a.tables["products"], true
		parent = func(row map[string]any) bool { return sameSKU(row, seg[1]) }
	case len(seg) == 3 && seg[0] == "customers" && seg[2] == "orders":
		t = a.tables["orders"]
		id, err := strconv.Atoi(seg[1])
		if err != nil {
			fail(http.StatusBadRequest, "bad customer id %q", seg[1])
			return
		}
		parent = func(row map[string]any) bool { return row["customer_id"] == id }
	case len(seg) == 3 && seg[0] == "products" && seg[2] == "stock":
		t, unpaged = a.tables["stock"], true
		parent = func(row map[string]any) bool { return sameSKU(row, seg[1]) }
	}
	if t == nil {
		fail(http.StatusNotFound, "no route %s", req.URL.Path)
		return
	}
	if single {
		for _, row := range t.rows {
			if parent(row) {
				writeJSON(w, t.render(row, nil))
				return
			}
		}
		fail(http.StatusNotFound, "not found")
		return
	}

	// Filters.
	var keep []func(map[string]any) bool
	if parent != nil {
		keep = append(keep, parent)
	}
	for p, vals := range q {
		name, op := p, ""
		if i := strings.LastIndexByte(p, '_'); i > 0 {
			switch suf := p[i+1:]; suf {
			case "ne", "gt", "gte", "lt", "lte", "like":
				name, op = p[:i], suf
			}
		}
		f, ok := t.field(name)
		if !ok || !has(t.ops[op], name) {
			continue // an unknown parameter is ignored
		}
		for _, v := range vals {
			if v == "" {
				continue // an empty value is no filter
			}
			pred, err := t.filter(f, op, v)
			if err != nil {
				fail(http.StatusBadRequest, "parameter %s: %v", p, err)
				return
			}
			keep = append(keep, pred)
		}
	}
	rows := make([]map[string]any, 0, len(t.rows))
next:
	for _, row := range t.rows {
		for _, k := range keep {
			if !k(row) {
				continue next
			}
		}
		rows = append(rows, row)
	}

	// Sort by one key.
	if s := q.Get("sort"); s != "" {
		key, _, _ := strings.Cut(s, ",")
		dir, _, _ := strings.Cut(q.Get("order"), ",")
		if f, ok := t.field(key); ok && has(t.sortable, key) {
			desc := strings.EqualFold(dir, "desc")
			sort.SliceStable(rows, func(i, j int) bool {
				c := compareJSON(f.typ, rows[i][key], rows[j][key])
				if desc {
					return c > 0
				}
				return c < 0
			})
		}
	}

	// Pages.
	var fields []string
	if f := q.Get("fields"); f != "" {
		fields = strings.Split(f, ",")
	}
	size, pos := t.maxPage, 0
	var err error
	switch t.paging {
	case "cursor":
		if v := q.Get("size"); v != "" {
			if size, err = strconv.Atoi(v); err != nil || size < 1 {
				fail(http.StatusBadRequest, "size %q", v)
				return
			}
		}
		size = min(size, t.maxPage)
		if v := q.Get("after"); v != "" {
			n, ok := strings.CutPrefix(v, "c")
			if pos, err = strconv.Atoi(n); !ok || err != nil || pos < 0 {
				fail(http.StatusBadRequest, "cursor %q", v)
				return
			}
		}
	case "next", "offset":
		if v := q.Get("limit"); v != "" {
			if size, err = strconv.Atoi(v); err != nil || size < 1 {
				fail(http.StatusBadRequest, "limit %q", v)
				return
			}
		}
		if v := q.Get(map[string]string{"next": "cursor", "offset": "offset"}[t.paging]); v != "" {
			if pos, err = strconv.Atoi(v); err != nil || pos < 0 {
				fail(http.StatusBadRequest, "offset %q", v)
				return
			}
		}
		size = min(size, t.maxPage)
	case "page":
		if v := q.Get("per_page"); v != "" {
			if size, err = strconv.Atoi(v); err != nil || size < 1 {
				fail(http.StatusBadRequest, "per_page %q", v)
				return
			}
		}
		size = min(size, t.maxPage)
		if v := q.Get("page"); v != "" {
			page, err := strconv.Atoi(v)
			if err != nil || page < 1 {
				fail(http.StatusBadRequest, "page %q", v)
				return
			}
			pos = (page - 1) * size
		}
	}
	if unpaged {
		pos, size = 0, len(rows)
	}
	pos = min(pos, len(rows))
	end := min(pos+size, len(rows))
	out := make([]json.RawMessage, 0, end-pos)
	for _, row := range rows[pos:end] {
		out = append(out, t.renderJSON(row, fields, q.Get("fields")))
	}
	switch t.paging {
	case "cursor":
		meta := map[string]any{"next": nil}
		if end < len(rows) {
			meta["next"] = "c" + strconv.Itoa(end)
		}
		writeJSON(w, map[string]any{"items": out, "meta": meta})
	case "next":
		body := map[string]any{"data": out}
		if end < len(rows) {
			nq := req.URL.Query()
			nq.Set("cursor", strconv.Itoa(end))
			next := req.URL.Path + "?" + nq.Encode()
			body["next"] = next
			w.Header().Set("Link", "<"+next+`>; rel="next"`)
		}
		writeJSON(w, body)
	case "offset":
		w.Header().Set("X-Total-Count", strconv.Itoa(len(rows)))
		writeJSON(w, out)
	default:
		writeJSON(w, out)
	}
}

// sameSKU matches a row's sku with one in a URL path ignoring case, as
// APIs that treat their keys as case-insensitive do (/products/sku-001 is
// SKU-001).
func sameSKU(row map[string]any, sku string) bool {
	s, ok := row["sku"].(string)
	return ok && strings.EqualFold(s, sku)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// renderJSON is render's JSON, kept per row and field list: the rows
// never change, and encoding them is most of the fake API's work.
func (t *apiTable) renderJSON(row map[string]any, fields []string, key string) json.RawMessage {
	k := fmt.Sprint(row["id"]) + "|" + key
	if b, ok := t.cache.Load(k); ok {
		return b.(json.RawMessage)
	}
	b, err := json.Marshal(t.render(row, fields))
	if err != nil {
		panic(err) // the rows are the suite's own
	}
	t.cache.Store(k, json.RawMessage(b))
	return b
}

// render writes a row as the API returns it: only the asked-for fields,
// nested fields in their object.
func (t *apiTable) render(row map[string]any, fields []string) map[string]any {
	out := map[string]any{}
	for k, v := range row {
		parent, nested := t.nested[k]
		if fields != nil && !has(fields, k) && !(nested && has(fields, parent)) {
			continue
		}
		if nested {
			m, _ := out[parent].(map[string]any)
			if m == nil {
				m = map[string]any{}
				out[parent] = m
			}
			m[k] = v
			continue
		}
		out[k] = v
	}
	return out
}

// parseAPI reads a parameter value as a field's type.
func parseAPI(typ, s string) (any, error) {
	switch typ {
	case "int":
		n, err := strconv.Atoi(s)
		return n, err
	case "float":
		return strconv.ParseFloat(s, 64)
	case "bool":
		return strconv.ParseBool(s)
	case "datetime":
		return time.Parse(time.RFC3339Nano, s)
	case "unix":
		return strconv.ParseInt(s, 10, 64)
	case "stamp":
		_, err := time.Parse(stampLayout, s)
		return s, err
	}
	return s, nil
}

// stampLayout is the text of the stamp fields: it sorts as time.
const stampLayout = "2006-01-02 15:04:05"

// asTime converts a unix or stamp field's value to RFC 3339, as the
// profile's datetime column (and SQLite) reads it.
func asTime(typ string, v any) any {
	switch x := v.(type) {
	case int64:
		if typ == "unix" {
			return time.Unix(x, 0).UTC().Format(time.RFC3339)
		}
	case string:
		if typ == "stamp" {
			tm, _ := time.Parse(stampLayout, x)
			return tm.Format(time.RFC3339)
		}
	}
	return v
}

// compareJSON orders two JSON values of a field: NULL (nil or missing)
// first, then by value.
func compareJSON(typ string, a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch typ {
	case "int", "float", "unix":
		x, y := toFloat(a), toFloat(b)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case "bool":
		x, y := a.(bool), b.(bool)
		switch {
		case x == y:
			return 0
		case !x:
			return -1
		}
		return 1
	case "datetime":
		x, _ := time.Parse(time.RFC3339, a.(string))
		y, _ := time.Parse(time.RFC3339, b.(string))
		return x.Compare(y)
	}
	return strings.Compare(a.(string), b.(string))
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return 0
}

// filter is the API's predicate for one parameter value.
func (t *apiTable) filter(f apiField, op, v string) (func(map[string]any) bool, error) {
	switch op {
	case "":
		var want []any
		for _, s := range strings.Split(v, ",") { // a comma list is IN
			x, err := parseAPI(f.typ, s)
			if err != nil {
				return nil, err
			}
			want = append(want, x)
		}
		fold := has(t.foldEq, f.name)
		return func(row map[string]any) bool {
			got := row[f.name]
			if got == nil {
				return false
			}
			for _, w := range want {
				if fold && strings.EqualFold(got.(string), w.(string)) ||
					compareJSON(f.typ, got, normalizeAPI(w)) == 0 {
					return true
				}
			}
			return false
		}, nil
	case "like":
		return func(row map[string]any) bool {
			got, ok := row[f.name].(string)
			return ok && strings.Contains(strings.ToLower(got), strings.ToLower(v))
		}, nil
	}
	x, err := parseAPI(f.typ, v)
	if err != nil {
		return nil, err
	}
	w := normalizeAPI(x)
	return func(row map[string]any) bool {
		got := row[f.name]
		if got == nil {
			return false
		}
		c := compareJSON(f.typ, got, w)
		switch op {
		case "ne":
			return c != 0
		case "gt":
			return c > 0
		case "gte":
			return c >= 0
		case "lt":
			return c < 0
		}
		return c <= 0
	}, nil
}

// normalizeAPI turns a parsed parameter into a row value's representation.
func normalizeAPI(v any) any {
	if tm, ok := v.(time.Time); ok {
		return tm.Format(time.RFC3339Nano)
	}
	return v
}
