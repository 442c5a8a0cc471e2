package restsource

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
}
