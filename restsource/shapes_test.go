package restsource

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/auth"
)

const shopifyProfile = `
catalogs:
  Shopify:
    url: https://shop.myshopify.com/admin/api/2024-01
    pagination: {type: linkHeader, sizeParam: limit, pageSize: 2}
    schemas:
      Shopify:
        tables:
          order_lines:
            url: /orders.json
            rows: orders
            each: line_items
            select: {param: fields}
            limit: {param: limit}
            columns:
              - {name: order_id, path: ^.id, type: int, filters: {IN: {param: ids, join: ",", exact: true}}}
              - {name: financial_status, path: ^.financial_status, filters: {"=": {param: financial_status, exact: true}}}
              - {name: line_id, path: id, type: int}
              - {name: sku}
              - {name: quantity, type: int}
              - {name: price, type: float}
          order_lines_all:
            url: /orders.json
            rows: orders
            each: line_items
            keepEmpty: true
            limit: {param: limit}
            columns:
              - {name: order_id, path: ^.id, type: int}
              - {name: sku}
`

// shopifyOrders is GET /admin/api/2024-01/orders.json as Shopify documents
// it: limit (default 50, at most 250), ids (comma-separated),
// financial_status, fields (the top-level fields to return); cursor
// pagination in the Link header (rel="next" with page_info), where a
// page_info request takes no other parameter than limit and fields.
func shopifyOrders(w http.ResponseWriter, r *http.Request) {
	type line struct {
		ID       int    `json:"id"`
		SKU      string `json:"sku"`
		Quantity int    `json:"quantity"`
		Price    string `json:"price"`
	}
	type order map[string]any
	all := []order{
		{"id": 1, "financial_status": "paid", "email": "a@x", "line_items": []line{{11, "A", 1, "10.00"}}},
		{"id": 2, "financial_status": "pending", "email": "b@x", "line_items": []line{}},
		{"id": 3, "financial_status": "paid", "email": "c@x", "line_items": []line{{31, "B", 2, "5.50"}, {32, "C", 1, "1.25"}}},
		{"id": 4, "financial_status": "refunded", "email": "d@x", "line_items": []line{{41, "D", 3, "2.00"}}},
		{"id": 5, "financial_status": "paid", "email": "e@x", "line_items": []line{{51, "E", 1, "9.99"}}},
	}
	q := r.URL.Query()
	limit := 50
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 250 {
			http.Error(w, `{"errors":{"limit":"must be between 1 and 250"}}`, http.StatusBadRequest)
			return
		}
		limit = n
	}
	start := 0
	if pi := q.Get("page_info"); pi != "" {
		for k := range q {
			if k != "page_info" && k != "limit" && k != "fields" {
				http.Error(w, `{"errors":"page_info - Invalid value."}`, http.StatusBadRequest)
				return
			}
		}
		start, _ = strconv.Atoi(strings.TrimPrefix(pi, "after"))
	}
	var sel []order
	for _, o := range all {
		if ids := q.Get("ids"); ids != "" && !contains(strings.Split(ids, ","), strconv.Itoa(o["id"].(int))) {
			continue
		}
		if fs := q.Get("financial_status"); fs != "" && o["financial_status"] != fs {
			continue
		}
		sel = append(sel, o)
	}
	end := min(start+limit, len(sel))
	page := sel[start:end]
	if fields := q.Get("fields"); fields != "" {
		var cut []order
		for _, o := range page {
			c := order{}
			for _, f := range strings.Split(fields, ",") {
				if v, ok := o[f]; ok {
					c[f] = v
				}
			}
			cut = append(cut, c)
		}
		page = cut
	}
	if end < len(sel) {
		next := "http://" + r.Host + r.URL.Path + "?limit=" + strconv.Itoa(limit) + "&page_info=after" + strconv.Itoa(end)
		if f := q.Get("fields"); f != "" {
			next += "&fields=" + f
		}
		w.Header().Set("Link", `<`+next+`>; rel="next"`)
	}
	if page == nil {
		page = []order{}
	}
	writeJSON(w, map[string]any{"orders": page})
}

func TestChildRowsShopify(t *testing.T) {
	cat, tbl := loadTable(t, shopifyProfile, "Shopify", "Shopify", "order_lines")
	allLines := [][]any{
		{int64(1), "paid", int64(11), "A", int64(1), 10.0},
		{int64(3), "paid", int64(31), "B", int64(2), 5.5},
		{int64(3), "paid", int64(32), "C", int64(1), 1.25},
		{int64(4), "refunded", int64(41), "D", int64(3), 2.0},
		{int64(5), "paid", int64(51), "E", int64(1), 9.99},
	}

	t.Run("every line, across pages", func(t *testing.T) {
		srv, rc := serve(t, shopifyOrders)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
		rows, st := scanAll(t, s, Query{Limit: -1})
		assert.Equal(t, allLines, rows)
		assert.Equal(t, int64(5), st.Rows)
		// Three pages of two orders: the page size counts orders.
		assert.Equal(t, []string{
			"/orders.json?limit=2",
			"/orders.json?limit=2&page_info=after2",
			"/orders.json?limit=2&page_info=after4",
		}, rc.paths())
		for _, r := range rc.all() {
			assert.Equal(t, http.MethodGet, r.Method)
		}
	})

	t.Run("a LIMIT counts lines, not orders", func(t *testing.T) {
		srv, rc := serve(t, shopifyOrders)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, PageSize: 50})
		q := Query{Limit: 2}
		p, err := s.Plan(q)
		require.NoError(t, err)
		assert.False(t, p.LimitPushed)
		assert.Equal(t, "limit: the API's limit counts the rows that hold each: line_items, which may have no element", p.Pushdown.LimitReason)
		rows, _ := scanAll(t, s, q)
		// Orders 1 and 2 hold one line: limit=2 would have lost line B.
		assert.Equal(t, allLines[:2], rows)
		assert.Equal(t, []string{"/orders.json?limit=50"}, rc.paths())
		n, known := p.EstimatedRequests()
		assert.False(t, known, "the orders a LIMIT of lines needs are not known: %d", n)
	})

	t.Run("filters on the order push to the request", func(t *testing.T) {
		srv, rc := serve(t, shopifyOrders)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
		q := Query{Limit: -1, Predicates: []Predicate{
			{Column: "order_id", Op: "IN", Values: []any{int64(1), int64(3), int64(4)}},
			{Column: "financial_status", Op: "=", Values: []any{"paid"}},
			{Column: "sku", Op: "=", Values: []any{"B"}},
		}}
		p, err := s.Plan(q)
		require.NoError(t, err)
		assert.Equal(t, []Support{Exact, Exact, Unsupported}, p.Pushed)
		rows, _ := scanAll(t, s, q)
		// The API applied the order filters; sku = 'B' is the driver's.
		assert.Equal(t, [][]any{allLines[0], allLines[1], allLines[2]}, rows)
		assert.Equal(t, []string{"/orders.json?ids=1%2C3%2C4&financial_status=paid&limit=2"}, rc.paths())
	})

	t.Run("select names the order's fields and the array", func(t *testing.T) {
		srv, rc := serve(t, shopifyOrders)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, PageSize: 50})
		rows, _ := scanAll(t, s, Query{Limit: -1, Columns: []string{"sku", "order_id", "quantity"}})
		assert.Equal(t, [][]any{{"A", int64(1), int64(1)}, {"B", int64(3), int64(2)}, {"C", int64(3), int64(1)}, {"D", int64(4), int64(3)}, {"E", int64(5), int64(1)}}, rows)
		require.Equal(t, 1, rc.count())
		assert.Equal(t, "line_items,id", rc.all()[0].Query.Get("fields"))
	})

	t.Run("keepEmpty: an order without lines is a row, and a LIMIT goes to the API", func(t *testing.T) {
		cat, tbl := loadTable(t, shopifyProfile, "Shopify", "Shopify", "order_lines_all")
		srv, rc := serve(t, shopifyOrders)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, PageSize: 50})
		rows, _ := scanAll(t, s, Query{Limit: -1})
		assert.Equal(t, [][]any{{int64(1), "A"}, {int64(2), nil}, {int64(3), "B"}, {int64(3), "C"}, {int64(4), "D"}, {int64(5), "E"}}, rows)
		assert.Equal(t, []string{"/orders.json?limit=50"}, rc.paths())

		// Every order gives a row: the first 3 orders give at least 3.
		srv, rc = serve(t, shopifyOrders)
		s = newSource(t, cat, tbl, Options{BaseURL: srv.URL, PageSize: 50})
		q := Query{Limit: 3}
		p, err := s.Plan(q)
		require.NoError(t, err)
		assert.True(t, p.LimitPushed)
		rows, _ = scanAll(t, s, q)
		assert.Equal(t, [][]any{{int64(1), "A"}, {int64(2), nil}, {int64(3), "B"}}, rows)
		assert.Equal(t, []string{"/orders.json?limit=3"}, rc.paths())
	})
}

const stripeInvoicesProfile = `
catalogs:
  Stripe:
    url: https://api.stripe.com/v1
    pagination: {type: cursor, cursorPath: "data.@reverse.0.id", cursorParam: starting_after, hasMorePath: has_more, sizeParam: limit, pageSize: 2}
    schemas:
      Stripe:
        tables:
          invoice_lines:
            url: /invoices
            rows: data
            each: lines.data
            sort: {param: order}
            columns:
              - {name: invoice_id, path: ^.id, filters: {"=": {param: ids}}}
              - {name: customer, path: ^.customer, filters: {"=": {param: customer, exact: true}}}
              - {name: status, path: ^.status, filters: {"=": {param: status, exact: true}}}
              - {name: created, path: ^.created, type: datetime, format: unix}
              - {name: line_id, path: id}
              - {name: amount, type: int, filters: {">": {param: "amount[gt]", exact: true}}}
              - {name: description}
`

// stripeInvoices is GET /v1/invoices as Stripe documents it: a list object
// (object, url, has_more, data) of invoices newest first, each with its
// lines as a list object (lines.data, has_more, total_count); limit (1 to
// 100, default 10), starting_after (an invoice id), customer and status.
func stripeInvoices(w http.ResponseWriter, r *http.Request) {
	lines := func(inv string, amounts ...int) map[string]any {
		data := []map[string]any{}
		for i, a := range amounts {
			data = append(data, map[string]any{"id": "il_" + inv + "_" + strconv.Itoa(i+1), "object": "line_item", "amount": a, "currency": "usd", "description": "1 × Plan"})
		}
		return map[string]any{"object": "list", "data": data, "has_more": false, "total_count": len(amounts), "url": "/v1/invoices/in_" + inv + "/lines"}
	}
	all := []map[string]any{
		{"id": "in_4", "object": "invoice", "customer": "cus_A", "status": "paid", "created": 1704153600, "lines": lines("4", 400, 401)},
		{"id": "in_3", "object": "invoice", "customer": "cus_B", "status": "open", "created": 1704067200, "lines": lines("3", 300)},
		{"id": "in_2", "object": "invoice", "customer": "cus_A", "status": "draft", "created": 1703980800, "lines": lines("2")},
		{"id": "in_1", "object": "invoice", "customer": "cus_A", "status": "paid", "created": 1703894400, "lines": lines("1", 100)},
	}
	q := r.URL.Query()
	limit := 10
	if v := q.Get("limit"); v != "" {
		limit, _ = strconv.Atoi(v)
	}
	var sel []map[string]any
	for _, inv := range all {
		if c := q.Get("customer"); c != "" && inv["customer"] != c {
			continue
		}
		if s := q.Get("status"); s != "" && inv["status"] != s {
			continue
		}
		sel = append(sel, inv)
	}
	start := 0
	if after := q.Get("starting_after"); after != "" {
		for i, inv := range sel {
			if inv["id"] == after {
				start = i + 1
			}
		}
	}
	end := min(start+limit, len(sel))
	data := sel[start:end]
	if data == nil {
		data = []map[string]any{}
	}
	writeJSON(w, map[string]any{"object": "list", "url": "/v1/invoices", "has_more": end < len(sel), "data": data})
}

func TestChildRowsStripe(t *testing.T) {
	cat, tbl := loadTable(t, stripeInvoicesProfile, "Stripe", "Stripe", "invoice_lines")

	t.Run("lines of every invoice, the cursor after each page's last invoice", func(t *testing.T) {
		srv, rc := serve(t, stripeInvoices)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
		rows, _ := scanAll(t, s, Query{Limit: -1, Columns: []string{"invoice_id", "line_id", "amount"}})
		assert.Equal(t, [][]any{
			{"in_4", "il_4_1", int64(400)},
			{"in_4", "il_4_2", int64(401)},
			{"in_3", "il_3_1", int64(300)},
			{"in_1", "il_1_1", int64(100)},
		}, rows)
		assert.Equal(t, []string{"/invoices?limit=2", "/invoices?limit=2&starting_after=in_3"}, rc.paths())
	})

	t.Run("filters: the invoice's exact, the line's re-checked", func(t *testing.T) {
		srv, rc := serve(t, stripeInvoices)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
		q := Query{Limit: -1, Columns: []string{"line_id", "status"}, Predicates: []Predicate{
			{Column: "customer", Op: "=", Values: []any{"cus_A"}},
			{Column: "status", Op: "=", Values: []any{"paid"}},
			{Column: "amount", Op: ">", Values: []any{int64(150)}},
		}}
		p, err := s.Plan(q)
		require.NoError(t, err)
		assert.Equal(t, []Support{Exact, Exact, Inexact}, p.Pushed)
		assert.Equal(t, "column amount: re-checked (the API filters the rows that hold each: lines.data, whose other elements come too)", p.Pushdown.Filters[2].Reason)
		rows, _ := scanAll(t, s, q)
		assert.Equal(t, [][]any{{"il_4_1", "paid"}, {"il_4_2", "paid"}, {"il_1_1", "paid"}}, rows)
		require.Equal(t, 1, rc.count())
		assert.Equal(t, "customer=cus_A&status=paid&amount%5Bgt%5D=150&limit=2", rc.all()[0].Raw)
	})

	t.Run("sort: by the invoice's column, never by the line's", func(t *testing.T) {
		s := newSource(t, cat, tbl, Options{BaseURL: "http://127.0.0.1:1"})
		d, err := s.Supports(Query{Limit: -1, Sort: []SortKey{{Column: "created"}}})
		require.NoError(t, err)
		assert.True(t, d.Sort)
		p, err := s.Plan(Query{Limit: -1, Sort: []SortKey{{Column: "created"}}})
		require.NoError(t, err)
		assert.Equal(t, []string{"GET http://127.0.0.1:1/invoices?order=created&limit=2"}, p.Requests(), "the sort names the invoice's field, without ^.")
		d, err = s.Supports(Query{Limit: -1, Sort: []SortKey{{Column: "amount"}}})
		require.NoError(t, err)
		assert.False(t, d.Sort)
		assert.Equal(t, "sort: column amount reads the elements of each: lines.data, which the API does not sort", d.SortReason)
	})

	t.Run("the total of one page counts lines", func(t *testing.T) {
		srv, _ := serve(t, stripeInvoices)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, PageSize: 10})
		p, err := s.Plan(Query{Limit: -1})
		require.NoError(t, err)
		assert.Equal(t, "rows: one per element of each: lines.data in each API row", p.ShapeDetail())
		rows, err := s.Scan(context.Background(), p)
		require.NoError(t, err)
		defer rows.Close()
		n, ok := rows.Total()
		require.True(t, ok)
		assert.Equal(t, int64(4), n, "4 lines in 4 invoices")
		assert.Len(t, collect(t, rows, len(p.Columns())), 4)
	})
}

// TestChildRowsTotal: a total the API reports counts its rows, not the
// child rows, and is not the scan's.
func TestChildRowsTotal(t *testing.T) {
	profile := `
catalogs:
  A:
    url: http://api.test
    pagination: {type: offset, offsetParam: offset, sizeParam: limit, pageSize: 2, totalPath: total}
    schemas:
      S:
        tables:
          items:
            url: /orders
            rows: orders
            each: items
            columns:
              - {name: order, path: ^.id, type: int}
              - {name: item}
`
	cat, tbl := loadTable(t, profile, "A", "S", "items")
	srv, rc := serve(t, func(w http.ResponseWriter, r *http.Request) {
		orders := []map[string]any{
			{"id": 1, "items": []map[string]any{{"item": "a"}, {"item": "b"}, {"item": "c"}}},
			{"id": 2, "items": []map[string]any{}},
			{"id": 3, "items": []map[string]any{{"item": "d"}}},
		}
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		lim, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		off = min(off, len(orders))
		writeJSON(w, map[string]any{"total": len(orders), "orders": orders[off:min(off+lim, len(orders))]})
	})
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	p, err := s.Plan(Query{Limit: -1})
	require.NoError(t, err)
	rows, err := s.Scan(context.Background(), p)
	require.NoError(t, err)
	defer rows.Close()
	_, ok := rows.Total()
	assert.False(t, ok, "the API's total of 3 orders is not the number of items")
	assert.Equal(t, [][]any{{int64(1), "a"}, {int64(1), "b"}, {int64(1), "c"}, {int64(3), "d"}}, collect(t, rows, 2))
	// The offset moves by orders: the first page held 2 orders, 3 items.
	assert.Equal(t, []string{"/orders?offset=0&limit=2", "/orders?offset=2&limit=2"}, rc.paths())

	// Pages fetched ahead in parallel: a page of 2 orders is full (page
	// 2, one order, is short), whatever its items.
	s = newSource(t, cat, tbl, Options{BaseURL: srv.URL, Speculative: 4, MaxConcurrency: 4})
	for range 2 {
		got, _ := scanAll(t, s, Query{Limit: -1})
		assert.Equal(t, [][]any{{int64(1), "a"}, {int64(1), "b"}, {int64(1), "c"}, {int64(3), "d"}}, got)
	}
	got, _ := scanAll(t, s, Query{Limit: 2})
	assert.Equal(t, [][]any{{int64(1), "a"}, {int64(1), "b"}}, got)
}

const sheetsProfile = `
catalogs:
  Sheets:
    url: https://sheets.googleapis.com
    auth: {scheme: Bearer, token: "${GoogleToken}"}
    schemas:
      Sheets:
        tables:
          inventory:
            url: /v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Sheet1
            rows: values
            header: first
            params: {majorDimension: ROWS}
            limit: {param: limit}
            columns:
              - {name: item, path: Item}
              - {name: cost, path: Cost}
              - {name: stocked, path: Stocked, type: int}
              - {name: ship_date, path: Ship Date, type: datetime, format: ["1/2/2006", "2006-01-02"]}
`

// sheetsValues is GET /v4/spreadsheets/{id}/values/{range} as the Sheets
// API documents it (its "Basic reading" sample sheet): a ValueRange whose
// values are rows of formatted strings, the labels first; empty trailing
// cells and rows are left out, and a range with no values has no values
// field. It does not page.
func sheetsValues(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer tok" {
		http.Error(w, `{"error":{"code":401,"status":"UNAUTHENTICATED"}}`, http.StatusUnauthorized)
		return
	}
	writeJSON(w, map[string]any{
		"range":          "Sheet1!A1:Z1000",
		"majorDimension": r.URL.Query().Get("majorDimension"),
		"values": [][]string{
			{"Item", "Cost", "Stocked", "Ship Date"},
			{"Wheel", "$20.50", "4", "3/1/2016"},
			{"Door", "$15", "2", "3/15/2016"},
			{"Engine", "$100", "1", "2016-03-20"},
			{"Totals", "$135.5"},
		},
	})
}

func TestHeaderRowsSheets(t *testing.T) {
	cat, tbl := loadTable(t, sheetsProfile, "Sheets", "Sheets", "inventory")
	expand := func(s string) (string, error) { return strings.ReplaceAll(s, "${GoogleToken}", "tok"), nil }
	day := func(m, d int) any { return time.Date(2016, time.Month(m), d, 0, 0, 0, 0, time.UTC) }

	srv, rc := serve(t, sheetsValues)
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Expand: expand, Auth: &auth.Bearer{Token: "tok"}})
	rows, _ := scanAll(t, s, Query{Limit: -1})
	assert.Equal(t, [][]any{
		{"Wheel", "$20.50", int64(4), day(3, 1)},
		{"Door", "$15", int64(2), day(3, 15)},
		{"Engine", "$100", int64(1), day(3, 20)},
		{"Totals", "$135.5", nil, nil},
	}, rows)
	require.Equal(t, 1, rc.count())
	r := rc.all()[0]
	assert.Equal(t, http.MethodGet, r.Method)
	assert.Equal(t, "/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Sheet1", r.Path)
	assert.Equal(t, "majorDimension=ROWS", r.Raw)

	// A LIMIT is not sent (the API would count the header row) and the
	// scan stops after its rows.
	p, err := s.Plan(Query{Limit: 2, Columns: []string{"stocked", "item"}})
	require.NoError(t, err)
	assert.False(t, p.LimitPushed)
	assert.Equal(t, "limit: the API's limit counts the header row too (header: first)", p.Pushdown.LimitReason)
	assert.Equal(t, "rows: arrays named by the first one (header: first)", p.ShapeDetail())
	rows, _ = scanAll(t, s, Query{Limit: 2, Columns: []string{"stocked", "item"}})
	assert.Equal(t, [][]any{{int64(4), "Wheel"}, {int64(2), "Door"}}, rows)
}

// TestHeaderRowsPaged: an API that pages the arrays sends the header on
// the first page only; every page of the stream is read with it.
func TestHeaderRowsPaged(t *testing.T) {
	profile := `
catalogs:
  A:
    url: http://api.test
    pagination: {type: offset, offsetParam: offset, sizeParam: limit, pageSize: 3}
    schemas:
      S:
        tables:
          t:
            url: /values
            rows: values
            header: first
            columns: [{name: n, path: N, type: int}, {name: name, path: Name}]
`
	cat, tbl := loadTable(t, profile, "A", "S", "t")
	all := [][]any{{"Name", "N"}, {"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}, {"e", 5}, {"f", 6}, {"g", 7}}
	srv, rc := serve(t, func(w http.ResponseWriter, r *http.Request) {
		off, _ := strconv.Atoi(r.URL.Query().Get("offset"))
		lim, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		off = min(off, len(all))
		writeJSON(w, map[string]any{"values": all[off:min(off+lim, len(all))]})
	})
	for _, spec := range []int{0, 4} {
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Speculative: spec})
		rows, _ := scanAll(t, s, Query{Limit: -1})
		assert.Equal(t, [][]any{{int64(1), "a"}, {int64(2), "b"}, {int64(3), "c"}, {int64(4), "d"}, {int64(5), "e"}, {int64(6), "f"}, {int64(7), "g"}}, rows, "speculative %d", spec)
	}
	assert.Equal(t, []string{"/values?offset=0&limit=3", "/values?offset=3&limit=3", "/values?offset=6&limit=3",
		"/values?offset=0&limit=3", "/values?offset=3&limit=3", "/values?offset=6&limit=3"}, rc.paths(),
		"the offsets count the arrays, the header among them")
}

const hubspotSelectProfile = `
catalogs:
  HubSpot:
    url: https://api.hubapi.com
    auth: {scheme: Bearer, token: "${HubSpotToken}"}
    pagination: {type: cursor, cursorPath: paging.next.after, cursorParam: after, sizeParam: limit, pageSize: 2}
    schemas:
      CRM:
        tables:
          contacts:
            url: /crm/v3/objects/contacts
            rows: results
            select: {param: properties, under: properties}
            columns:
              - {name: id, key: true}
              - {name: email, path: properties.email}
              - {name: plan, path: properties.plan}
              - {name: lifecycle, path: properties.lifecyclestage}
              - {name: created_at, path: createdAt, type: datetime}
`

// hubspotSelectContacts is GET /crm/v3/objects/contacts as HubSpot documents it:
// limit, after (the cursor of paging.next.after) and properties (a comma
// list; without it the default properties come back: firstname,
// lastname, email, and the always-sent createdate, hs_object_id and
// lastmodifieddate).
func hubspotSelectContacts(w http.ResponseWriter, r *http.Request) {
	type contact struct {
		id    string
		props map[string]string
	}
	all := []contact{
		{"101", map[string]string{"email": "a@x", "firstname": "Ann", "plan": "pro", "lifecyclestage": "customer"}},
		{"102", map[string]string{"email": "b@x", "firstname": "Bob", "plan": "free", "lifecyclestage": "lead"}},
		{"103", map[string]string{"email": "c@x", "firstname": "Cy", "plan": "pro", "lifecyclestage": "lead"}},
	}
	q := r.URL.Query()
	if _, ok := q["properties"]; ok && q.Get("properties") == "" {
		http.Error(w, `{"status":"error","message":"properties is empty"}`, http.StatusBadRequest)
		return
	}
	want := []string{"firstname", "lastname", "email"}
	if p := q.Get("properties"); p != "" {
		want = strings.Split(p, ",")
	}
	limit, _ := strconv.Atoi(q.Get("limit"))
	start, _ := strconv.Atoi(q.Get("after"))
	end := min(start+limit, len(all))
	results := []map[string]any{}
	for _, c := range all[start:end] {
		props := map[string]any{"hs_object_id": c.id, "createdate": "2024-01-01T00:00:00Z", "lastmodifieddate": "2024-02-01T00:00:00Z"}
		for _, name := range want {
			if v, ok := c.props[name]; ok {
				props[name] = v
			} else {
				props[name] = nil
			}
		}
		results = append(results, map[string]any{"id": c.id, "properties": props, "createdAt": "2024-01-01T00:00:00Z", "updatedAt": "2024-02-01T00:00:00Z", "archived": false})
	}
	body := map[string]any{"results": results}
	if end < len(all) {
		body["paging"] = map[string]any{"next": map[string]any{"after": strconv.Itoa(end), "link": "https://api.hubapi.com/crm/v3/objects/contacts?after=" + strconv.Itoa(end)}}
	}
	writeJSON(w, body)
}

func TestSelectUnderHubSpot(t *testing.T) {
	cat, tbl := loadTable(t, hubspotSelectProfile, "HubSpot", "CRM", "contacts")
	expand := func(s string) (string, error) { return strings.ReplaceAll(s, "${HubSpotToken}", "pat"), nil }
	created := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name    string
		columns []string
		rows    [][]any
		sent    []string // the properties parameter of each request (absent = "-")
	}{
		{"the needed properties only", []string{"id", "plan"},
			[][]any{{"101", "pro"}, {"102", "free"}, {"103", "pro"}}, []string{"plan", "plan"}},
		{"every column: every property, also those not among the API's defaults", nil,
			[][]any{{"101", "a@x", "pro", "customer", created}, {"102", "b@x", "free", "lead", created}, {"103", "c@x", "pro", "lead", created}},
			[]string{"email,plan,lifecyclestage", "email,plan,lifecyclestage"}},
		{"no property needed: the parameter is left out, never empty", []string{"id", "created_at"},
			[][]any{{"101", created}, {"102", created}, {"103", created}}, []string{"-", "-"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, rc := serve(t, hubspotSelectContacts)
			s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Expand: expand, Auth: &auth.Bearer{Token: "pat"}})
			rows, _ := scanAll(t, s, Query{Limit: -1, Columns: tc.columns})
			assert.Equal(t, tc.rows, rows)
			var sent []string
			for _, r := range rc.all() {
				assert.Equal(t, http.MethodGet, r.Method)
				assert.Equal(t, "/crm/v3/objects/contacts", r.Path)
				assert.Equal(t, "Bearer pat", r.Header.Get("Authorization"))
				if v, ok := r.Query["properties"]; ok {
					sent = append(sent, strings.Join(v, "|"))
				} else {
					sent = append(sent, "-")
				}
			}
			assert.Equal(t, tc.sent, sent)
			assert.Equal(t, "2", rc.all()[1].Query.Get("after"))
		})
	}
}

const jiraFieldsProfile = `
catalogs:
  Jira:
    url: https://your-domain.atlassian.net
    pagination: {type: offset, offsetParam: startAt, sizeParam: maxResults, pageSize: 50, totalPath: total}
    schemas:
      Jira:
        tables:
          issues:
            url: /rest/api/3/search
            rows: issues
            select: {param: fields, under: fields}
            columns:
              - {name: key, key: true}
              - {name: status, path: fields.status.name}
              - {name: summary, path: fields.summary}
              - {name: status_id, path: fields.status.id}
`

func TestSelectUnderJira(t *testing.T) {
	cat, tbl := loadTable(t, jiraFieldsProfile, "Jira", "Jira", "issues")
	srv, rc := serve(t, jiraSearch)
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	rows, _ := scanAll(t, s, Query{Limit: -1, Columns: []string{"key", "status", "status_id"}})
	assert.Equal(t, [][]any{{"PROJ-1", "To Do", nil}, {"PROJ-2", `In "Progress"`, nil}}, rows)
	require.Equal(t, 1, rc.count())
	assert.Equal(t, "status", rc.all()[0].Query.Get("fields"), "fields names the field once, not its sub-path")
}

// TestNestedEachShopify: each: line_items.#.tax_lines gives a row per tax
// line of each line item; ^. reads the line item, ^.^. the order. Only
// the order's columns are the API's: their filters and sort are sent.
func TestNestedEachShopify(t *testing.T) {
	profile := `
catalogs:
  Shopify:
    url: https://shop.myshopify.com/admin/api/2024-01
    pagination: {type: linkHeader, sizeParam: limit, pageSize: 50}
    schemas:
      Shopify:
        tables:
          tax_lines:
            url: /orders.json
            rows: orders
            each: line_items.#.tax_lines
            select: {param: fields}
            columns:
              - {name: order_id, path: ^.^.id, type: int, filters: {IN: {param: ids, join: ",", exact: true}}}
              - {name: line_id, path: ^.id, type: int, filters: {"=": {param: line_id, exact: true}}}
              - {name: sku, path: ^.sku}
              - {name: title}
              - {name: rate, type: float}
`
	cat, tbl := loadTable(t, profile, "Shopify", "Shopify", "tax_lines")
	srv, rc := serve(t, func(w http.ResponseWriter, r *http.Request) {
		tax := func(title string, rate float64) map[string]any {
			return map[string]any{"title": title, "rate": rate, "price": "1.00"}
		}
		orders := []map[string]any{
			{"id": 1, "line_items": []map[string]any{
				{"id": 11, "sku": "A", "tax_lines": []any{tax("GST", 0.05), tax("PST", 0.07)}},
				{"id": 12, "sku": "B", "tax_lines": []any{}}}},
			{"id": 3, "line_items": []map[string]any{{"id": 31, "sku": "C", "tax_lines": []any{tax("VAT", 0.2)}}}},
		}
		writeJSON(w, map[string]any{"orders": orders})
	})
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	q := Query{Limit: -1, Columns: []string{"order_id", "line_id", "sku", "title", "rate"}, Predicates: []Predicate{
		{Column: "order_id", Op: "IN", Values: []any{int64(1), int64(3)}},
		{Column: "line_id", Op: "=", Values: []any{int64(11)}},
	}}
	p, err := s.Plan(q)
	require.NoError(t, err)
	assert.Equal(t, []Support{Exact, Inexact}, p.Pushed, "the line item's filter is re-checked")
	rows, _ := scanAll(t, s, q)
	assert.Equal(t, [][]any{
		{int64(1), int64(11), "A", "GST", 0.05},
		{int64(1), int64(11), "A", "PST", 0.07},
		{int64(3), int64(31), "C", "VAT", 0.2},
	}, rows)
	require.Equal(t, 1, rc.count())
	assert.Equal(t, "ids=1%2C3&line_id=11&fields=id%2Cline_items&limit=50", rc.all()[0].Raw)
}

// TestFormatListWritesWithTheFirst: a column with a list of formats reads
// a value in any of them and writes a filter's value in the first.
func TestFormatListWritesWithTheFirst(t *testing.T) {
	profile := `
catalogs:
  A:
    url: http://api.test
    schemas:
      S:
        tables:
          events:
            url: /events
            columns:
              - {name: id, type: int}
              - name: at
                type: datetime
                format: ["2006-01-02 15:04", rfc1123z, unix]
                filters: {">=": {param: since, exact: true}}
`
	cat, tbl := loadTable(t, profile, "A", "S", "events")
	srv, rc := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`[{"id":1,"at":"2024-01-02 03:04"},{"id":2,"at":"Tue, 2 Jan 2024 03:04:00 +0100"},{"id":3,"at":1704164640},{"id":4,"at":"2024-01-02T03:04:00Z"}]`))
	})
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	since := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	rows, _ := scanAll(t, s, Query{Limit: -1, Predicates: []Predicate{{Column: "at", Op: ">=", Values: []any{since}}}})
	at := time.Date(2024, 1, 2, 3, 4, 0, 0, time.UTC)
	require.Len(t, rows, 4)
	assert.Equal(t, at, rows[0][1])
	assert.True(t, at.Add(-time.Hour).Equal(rows[1][1].(time.Time)), "%v", rows[1][1])
	assert.True(t, at.Equal(rows[2][1].(time.Time)), "%v", rows[2][1])
	assert.Nil(t, rows[3][1], "RFC 3339 is none of the formats")
	assert.Equal(t, "2024-01-01 00:00", rc.all()[0].Query.Get("since"))
}
