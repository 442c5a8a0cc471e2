package restsql_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// shapesAPI serves the response shapes of issue 17 as their APIs document
// them: Shopify's orders with line_items (limit, financial_status, Link
// header pages), a Google Sheets ValueRange (the labels first), HubSpot's
// contacts (properties=, default properties without it).
type shapesAPI struct {
	srv  *httptest.Server
	mu   sync.Mutex
	reqs []string
}

func newShapesAPI(t *testing.T) *shapesAPI {
	a := &shapesAPI{}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *shapesAPI) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.reqs
	a.reqs = nil
	return out
}

func (a *shapesAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.reqs = append(a.reqs, r.Method+" "+r.URL.Path+"?"+r.URL.RawQuery)
	a.mu.Unlock()
	q := r.URL.Query()
	w.Header().Set("Content-Type", "application/json")
	var body any
	switch r.URL.Path {
	case "/orders.json":
		line := func(sku string, qty int) map[string]any { return map[string]any{"sku": sku, "quantity": qty} }
		all := []map[string]any{
			{"id": 1, "financial_status": "paid", "line_items": []any{line("A", 1)}},
			{"id": 2, "financial_status": "pending", "line_items": []any{}},
			{"id": 3, "financial_status": "paid", "line_items": []any{line("B", 2), line("C", 3)}},
			{"id": 4, "financial_status": "paid", "line_items": []any{line("D", 5)}},
		}
		var sel []map[string]any
		for _, o := range all {
			if fs := q.Get("financial_status"); fs == "" || o["financial_status"] == fs {
				sel = append(sel, o)
			}
		}
		limit, _ := strconv.Atoi(q.Get("limit"))
		start, _ := strconv.Atoi(strings.TrimPrefix(q.Get("page_info"), "p"))
		end := min(start+limit, len(sel))
		if end < len(sel) {
			w.Header().Set("Link", fmt.Sprintf(`<http://%s/orders.json?limit=%d&page_info=p%d>; rel="next"`, r.Host, limit, end))
		}
		body = map[string]any{"orders": sel[start:end]}
	case "/values/Sheet1":
		body = map[string]any{"range": "Sheet1!A1:Z1000", "majorDimension": "ROWS", "values": [][]string{
			{"Email", "Name", "Signed up"}, {"ann@x", "Ann", "Fri, 04 Sep 2015 22:54:41 +0000"}, {"bob@x", "Bob", "2015-09-05"}, {"cy@x"}}}
	case "/contacts":
		props := []string{"firstname", "lastname", "email"}
		if p := q.Get("properties"); p != "" {
			props = strings.Split(p, ",")
		}
		data := map[string]string{"email": "a@x", "plan": "pro", "firstname": "Ann"}
		out := map[string]any{"hs_object_id": "1"}
		for _, p := range props {
			out[p] = data[p]
		}
		body = map[string]any{"results": []any{map[string]any{"id": "1", "properties": out}}}
	default:
		http.NotFound(w, r)
		return
	}
	_ = json.NewEncoder(w).Encode(body)
}

func shapesProfile(url string) string {
	return `
catalogs:
  Shop:
    url: ` + url + `
    schemas:
      S:
        tables:
          order_lines:
            url: /orders.json
            rows: orders
            each: line_items
            pagination: {type: linkHeader, sizeParam: limit, pageSize: 50}
            limit: {param: limit}
            columns:
              - {name: order_id, path: ^.id, type: int}
              - {name: status, path: ^.financial_status, filters: {"=": {param: financial_status, exact: true}}}
              - {name: sku}
              - {name: quantity, type: int}
          people:
            url: /values/Sheet1
            rows: values
            header: first
            columns:
              - {name: email, path: Email}
              - {name: name, path: Name}
              - {name: signed_up, path: Signed up, type: datetime, format: [rfc1123z, "2006-01-02"]}
          contacts:
            url: /contacts
            rows: results
            select: {param: properties, under: properties}
            columns:
              - {name: id}
              - {name: email, path: properties.email}
              - {name: plan, path: properties.plan}
`
}

// explainScan returns the detail of the EXPLAIN's Scan step and its
// requests.
func explainScan(t *testing.T, db *sql.DB, query string) (string, []string) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), "EXPLAIN "+query)
	require.NoError(t, err)
	defer rows.Close()
	var scan string
	var reqs []string
	for rows.Next() {
		var id int64
		var parent sql.NullInt64
		var op string
		var target, detail sql.NullString
		require.NoError(t, rows.Scan(&id, &parent, &op, &target, &detail))
		switch op {
		case "Scan":
			scan = detail.String
		case "Request":
			reqs = append(reqs, detail.String)
		}
	}
	require.NoError(t, rows.Err())
	return scan, reqs
}

func TestShapesThroughSQL(t *testing.T) {
	api := newShapesAPI(t)
	db := openProfile(t, shapesProfile(api.srv.URL))
	base := api.srv.URL

	t.Run("child rows: parent filter pushed, child filter and ORDER BY in the driver", func(t *testing.T) {
		got := queryRows(t, db, "SELECT order_id, sku, quantity FROM order_lines WHERE status = 'paid' AND quantity >= 2 ORDER BY quantity DESC")
		assert.Equal(t, [][]string{{"4", "D", "5"}, {"3", "C", "3"}, {"3", "B", "2"}}, got)
		assert.Equal(t, []string{"GET /orders.json?financial_status=paid&limit=50"}, api.requests())
	})

	t.Run("child rows: a LIMIT counts lines and is not the API's limit", func(t *testing.T) {
		assert.Equal(t, [][]string{{"A"}, {"B"}}, queryRows(t, db, "SELECT sku FROM order_lines LIMIT 2"))
		assert.Equal(t, []string{"GET /orders.json?limit=50"}, api.requests())
		assert.Equal(t, [][]string{{"4", "11"}}, queryRows(t, db, "SELECT COUNT(*), SUM(quantity) FROM order_lines"))
		api.requests()
		scan, reqs := explainScan(t, db, "SELECT sku FROM order_lines LIMIT 2")
		assert.Equal(t, "stops after 2 rows; rows: one per element of each: line_items in each API row; columns: sku; requests: one per page until the data ends", scan)
		assert.Equal(t, []string{"GET " + base + "/orders.json?limit=50"}, reqs)
		assert.Empty(t, api.requests(), "EXPLAIN sends nothing")
	})

	t.Run("header rows", func(t *testing.T) {
		got := queryRows(t, db, "SELECT name, email, signed_up FROM people ORDER BY email")
		assert.Equal(t, [][]string{{"Ann", "ann@x", "2015-09-04T22:54:41Z"}, {"Bob", "bob@x", "2015-09-05T00:00:00Z"}, {"NULL", "cy@x", "NULL"}}, got)
		assert.Equal(t, []string{"GET /values/Sheet1?"}, api.requests())
		scan, _ := explainScan(t, db, "SELECT email FROM people")
		assert.Equal(t, "rows: arrays named by the first one (header: first); columns: email; requests: at most 1", scan)
	})

	t.Run("select under", func(t *testing.T) {
		assert.Equal(t, [][]string{{"1", "pro"}}, queryRows(t, db, "SELECT id, plan FROM contacts"))
		assert.Equal(t, [][]string{{"1", "a@x", "pro"}}, queryRows(t, db, "SELECT * FROM contacts"))
		assert.Equal(t, [][]string{{"1"}}, queryRows(t, db, "SELECT id FROM contacts"))
		assert.Equal(t, []string{"GET /contacts?properties=plan", "GET /contacts?properties=email%2Cplan", "GET /contacts?"}, api.requests())
		_, reqs := explainScan(t, db, "SELECT plan FROM contacts")
		assert.Equal(t, []string{"GET " + base + "/contacts?properties=plan"}, reqs)
	})
}
