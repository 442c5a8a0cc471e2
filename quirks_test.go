package restsql_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/planner"
)

// quirkyOrder is one row of quirkyAPI.
type quirkyOrder struct {
	ID         int     `json:"id"`
	CustomerID int     `json:"customer_id"`
	Status     *string `json:"status"`
	Total      float64 `json:"total"`
	Created    string  `json:"created"`
	Ref        string  `json:"ref"`
}

// quirkyAPI is a fake REST API that does only what real APIs commonly do,
// and no more, so that a pushdown that assumes more than its profile
// declares gives wrong rows here:
//
//   - filters id, customer_id and status compare the field's text with
//     each value; a comma list is read as several values, values are
//     trimmed, and an empty value is no filter at all;
//   - status_ne keeps rows without a status (as JavaScript's != does);
//     total_gte and total_lte compare numbers;
//   - sort sorts by one key, and only by id, total or created: a comma
//     list or another column is ignored; order=desc reverses it;
//   - offset and limit page the rows, limit capped at maxPage;
//   - unknown parameters are ignored;
//   - /customers/{id}/orders lists one customer's orders, /orders/{id}
//     is one order.
type quirkyAPI struct {
	srv     *httptest.Server
	maxPage int
	rows    []quirkyOrder

	mu   sync.Mutex
	seen []string
}

func strPtr(s string) *string { return &s }

// quirkyOrders are the rows of the small table: totals are not in id order,
// statuses hold an empty string, a comma, a leading space and a NULL.
func quirkyOrders() []quirkyOrder {
	st := func(s string) *string { return strPtr(s) }
	return []quirkyOrder{
		{1, 3, st("new"), 10.5, "2024-01-05T00:00:00Z", "R1"},
		{2, 3, st("paid"), 99, "2024-01-03T00:00:00Z", "R2"},
		{3, 42, st(""), 5, "2024-01-09T00:00:00Z", ""},
		{4, 7, st("new,paid"), 50, "2024-01-01T00:00:00Z", "R4"},
		{5, 3, st("shipped"), 75, "2024-01-02T00:00:00Z", "R5"},
		{6, 7, st("paid"), 20, "2024-01-08T00:00:00Z", "R6"},
		{7, 42, st(" new"), 60, "2024-01-07T00:00:00Z", "R7"},
		{8, 3, nil, 1, "2024-01-04T00:00:00Z", "R8"},
	}
}

func newQuirkyAPI(t *testing.T, rows []quirkyOrder, maxPage int) *quirkyAPI {
	t.Helper()
	a := &quirkyAPI{rows: rows, maxPage: maxPage}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

// requests returns what the API saw, as "path?query" with the query's
// parameters sorted and decoded.
func (a *quirkyAPI) requests() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...)
}

func (a *quirkyAPI) serve(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	seen := r.URL.Path
	if enc := q.Encode(); enc != "" {
		dec, _ := url.QueryUnescape(enc)
		seen += "?" + dec
	}
	a.mu.Lock()
	a.seen = append(a.seen, seen)
	a.mu.Unlock()

	rows := append([]quirkyOrder(nil), a.rows...)
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	switch {
	case len(parts) == 1 && parts[0] == "orders":
	case len(parts) == 2 && parts[0] == "orders":
		for _, o := range rows {
			if strconv.Itoa(o.ID) == parts[1] {
				writeQuirky(w, o)
				return
			}
		}
		http.NotFound(w, r)
		return
	case len(parts) == 2 && parts[0] == "refs":
		for _, o := range rows {
			if o.Ref == parts[1] {
				writeQuirky(w, o)
				return
			}
		}
		http.NotFound(w, r)
		return
	case len(parts) == 3 && parts[0] == "customers" && parts[2] == "orders":
		q.Set("customer_id", parts[1])
	default:
		http.NotFound(w, r)
		return
	}
	field := func(o quirkyOrder, name string) (string, bool) {
		switch name {
		case "id":
			return strconv.Itoa(o.ID), true
		case "customer_id":
			return strconv.Itoa(o.CustomerID), true
		case "status":
			if o.Status == nil {
				return "", false
			}
			return *o.Status, true
		}
		return "", false
	}
	for _, name := range []string{"id", "customer_id", "status"} {
		var want []string
		for _, v := range q[name] {
			for _, part := range strings.Split(v, ",") {
				if part = strings.TrimSpace(part); part != "" {
					want = append(want, part)
				}
			}
		}
		if len(want) == 0 {
			continue // ?status= is no filter
		}
		rows = keep(rows, func(o quirkyOrder) bool {
			s, ok := field(o, name)
			for _, v := range want {
				if ok && s == v {
					return true
				}
			}
			return false
		})
	}
	if ne := strings.TrimSpace(q.Get("status_ne")); ne != "" {
		rows = keep(rows, func(o quirkyOrder) bool { return o.Status == nil || *o.Status != ne })
	}
	if v, err := strconv.ParseFloat(q.Get("total_gte"), 64); err == nil {
		rows = keep(rows, func(o quirkyOrder) bool { return o.Total >= v })
	}
	if v, err := strconv.ParseFloat(q.Get("total_lte"), 64); err == nil {
		rows = keep(rows, func(o quirkyOrder) bool { return o.Total <= v })
	}
	var less func(a, b quirkyOrder) bool
	switch q.Get("sort") {
	case "id":
		less = func(a, b quirkyOrder) bool { return a.ID < b.ID }
	case "total":
		less = func(a, b quirkyOrder) bool { return a.Total < b.Total }
	case "created":
		less = func(a, b quirkyOrder) bool { return a.Created < b.Created }
	}
	if less != nil {
		if q.Get("order") == "desc" {
			asc := less
			less = func(a, b quirkyOrder) bool { return asc(b, a) }
		}
		sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	}
	offset, _ := strconv.Atoi(q.Get("offset"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit <= 0 || limit > a.maxPage {
		limit = a.maxPage
	}
	offset = min(max(offset, 0), len(rows))
	writeQuirky(w, rows[offset:min(offset+limit, len(rows))])
}

func keep(rows []quirkyOrder, f func(quirkyOrder) bool) []quirkyOrder {
	var out []quirkyOrder
	for _, o := range rows {
		if f(o) {
			out = append(out, o)
		}
	}
	return out
}

func writeQuirky(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// quirkyProfile declares of quirkyAPI only what it does; sort is the
// orders table's sort: setting.
func quirkyProfile(url, sort, limit string) string {
	return fmt.Sprintf(`
catalogs:
  Q:
    url: %s
    pagination: {type: offset, offsetParam: offset, sizeParam: limit, pageSize: 100, maxPageSize: 100}
    schemas:
      S:
        tables:
          orders:
            url: /orders
            columns:
              - {name: id, type: int, key: true, filters: {"=": {param: id, exact: true}, "IN": {param: id, join: ",", exact: true}}}
              - {name: customer_id, type: int, filters: {"=": {param: customer_id, exact: true}}}
              - {name: status, filters: {"=": {param: status, exact: true}, "IN": {param: status, join: ",", exact: true}, "!=": {param: status_ne, exact: true}}}
              - {name: total, type: float, filters: {">=": {param: total_gte, exact: true}, "<=": {param: total_lte, exact: true}}}
              - {name: created, type: datetime}
              - {name: ref}
            get: {url: "/refs/{ref}"}
            sort: %s
            limit: %s
          customer_orders:
            url: "/customers/{customer_id}/orders"
            columns:
              - {name: customer_id, type: int}
              - {name: id, type: int, key: true}
              - {name: total, type: float}
`, url, sort, limit)
}

// TestSortAssumesOnlyWhatTheProfileDeclares: an API that sorts by one key,
// and only on some columns, gets no sort it cannot apply.
func TestSortAssumesOnlyWhatTheProfileDeclares(t *testing.T) {
	tests := []struct {
		name     string
		sort     string
		sql      string
		rows     [][]string
		requests []string
	}{
		{
			name:     "several keys without sort.join are sorted in the driver",
			sort:     "{param: sort, order: order}",
			sql:      "SELECT id, total FROM orders ORDER BY total DESC, id LIMIT 3",
			rows:     [][]string{{"2", "99"}, {"5", "75"}, {"7", "60"}},
			requests: []string{"/orders?limit=100&offset=0"},
		},
		{
			name:     "one key is pushed, and LIMIT with it",
			sort:     "{param: sort, order: order}",
			sql:      "SELECT id, total FROM orders ORDER BY total DESC LIMIT 3",
			rows:     [][]string{{"2", "99"}, {"5", "75"}, {"7", "60"}},
			requests: []string{"/orders?limit=3&offset=0&order=desc&sort=total"},
		},
		{
			name:     "a column sort.columns does not list is sorted in the driver",
			sort:     "{param: sort, order: order, columns: [id, total, created]}",
			sql:      "SELECT id FROM orders WHERE customer_id = 3 ORDER BY status DESC",
			rows:     [][]string{{"5"}, {"2"}, {"1"}, {"8"}},
			requests: []string{"/orders?customer_id=3&limit=100&offset=0"},
		},
		{
			name:     "a column sort.columns lists is pushed",
			sort:     "{param: sort, order: order, columns: [id, total, created]}",
			sql:      "SELECT id FROM orders WHERE customer_id = 3 ORDER BY created DESC",
			rows:     [][]string{{"1"}, {"8"}, {"2"}, {"5"}},
			requests: []string{"/orders?customer_id=3&limit=100&offset=0&order=desc&sort=created"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newQuirkyAPI(t, quirkyOrders(), 100)
			db := openProfile(t, quirkyProfile(api.srv.URL, tt.sort, "{param: limit}"))
			assert.Equal(t, tt.rows, queryRows(t, db, tt.sql))
			assert.Equal(t, tt.requests, api.requests())
		})
	}
}

// TestFilterValuesTheAPIWouldMisread: a value the API would not read as
// that one value (empty, holding the list separator, padded with spaces)
// is never sent; the driver applies the predicate.
func TestFilterValuesTheAPIWouldMisread(t *testing.T) {
	all := "/orders?limit=100&offset=0"
	tests := []struct {
		name     string
		sql      string
		rows     [][]string
		requests []string
	}{
		{"empty string", "SELECT id FROM orders WHERE status = ''", [][]string{{"3"}}, []string{all}},
		{"empty string in an IN list", "SELECT id FROM orders WHERE status IN ('', 'x')", [][]string{{"3"}}, []string{all}},
		{"IN value holding the join separator", "SELECT id FROM orders WHERE status IN ('new,paid', 'x')", [][]string{{"4"}}, []string{all}},
		{"= value holding the IN filter's separator", "SELECT id FROM orders WHERE status = 'new,paid'", [][]string{{"4"}}, []string{all}},
		{"leading space", "SELECT id FROM orders WHERE status = ' new'", [][]string{{"7"}}, []string{all}},
		{"a plain value is sent", "SELECT id FROM orders WHERE status = 'new'", [][]string{{"1"}}, []string{"/orders?limit=100&offset=0&status=new"}},
		{"NULL in an IN list is dropped", "SELECT id FROM orders WHERE status IN ('new', NULL)", [][]string{{"1"}}, []string{"/orders?limit=100&offset=0&status=new"}},
		{
			"!= is sent but re-checked: the API keeps rows without a status",
			"SELECT id FROM orders WHERE status != 'paid' ORDER BY id",
			[][]string{{"1"}, {"3"}, {"4"}, {"5"}, {"7"}},
			[]string{"/orders?limit=100&offset=0&order=asc&sort=id&status_ne=paid"},
		},
		{"NOT IN stays in the driver", "SELECT id FROM orders WHERE status NOT IN ('new', 'paid') ORDER BY id", [][]string{{"3"}, {"4"}, {"5"}, {"7"}}, []string{all + "&order=asc&sort=id"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newQuirkyAPI(t, quirkyOrders(), 100)
			db := openProfile(t, quirkyProfile(api.srv.URL, "{param: sort, order: order}", "{param: limit}"))
			assert.Equal(t, tt.rows, queryRows(t, db, tt.sql))
			assert.Equal(t, tt.requests, api.requests())
		})
	}
}

// TestRequiredKeyValuesThatMatchNothing: values a required int key cannot
// hold match no row and are dropped; the others still bind, and when none
// is left there are no rows and no requests.
func TestRequiredKeyValuesThatMatchNothing(t *testing.T) {
	tests := []struct {
		name     string
		sql      string
		rows     [][]string
		requests []string
	}{
		{"a fraction among the keys", "SELECT id FROM customer_orders WHERE customer_id IN (3, 42.5) ORDER BY id", [][]string{{"1"}, {"2"}, {"5"}, {"8"}}, []string{"/customers/3/orders?limit=100&offset=0"}},
		{"a numeric string binds", "SELECT id FROM customer_orders WHERE customer_id = '42' ORDER BY id", [][]string{{"3"}, {"7"}}, []string{"/customers/42/orders?limit=100&offset=0"}},
		{"only a fraction", "SELECT id FROM customer_orders WHERE customer_id = 42.5", nil, nil},
		{"only NULL", "SELECT id FROM customer_orders WHERE customer_id IN (NULL)", nil, nil},
		{"= NULL", "SELECT id FROM customer_orders WHERE customer_id = NULL", nil, nil},
		{"a fraction and NULL", "SELECT COUNT(*) FROM customer_orders WHERE customer_id IN (NULL, 3.5)", [][]string{{"0"}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newQuirkyAPI(t, quirkyOrders(), 100)
			db := openProfile(t, quirkyProfile(api.srv.URL, "{param: sort, order: order}", "{param: limit}"))
			assert.Equal(t, tt.rows, queryRows(t, db, tt.sql))
			assert.Equal(t, tt.requests, api.requests())
		})
	}
}

// TestValuesThatAreNotOfTheColumnType: a literal or argument compared with
// a column that does not convert to the column's type is an error naming
// the column, the type and the value, whether or not the predicate would
// be pushed, and no request is made.
func TestValuesThatAreNotOfTheColumnType(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		args []any
		err  string
		code string
	}{
		{"datetime", "SELECT id FROM orders WHERE created > 'yesterday'", nil, `planner: invalid input syntax for type datetime: "yesterday" (column created)`, planner.CodeInvalidText},
		{"int, pushed exactly", "SELECT id FROM orders WHERE id = 'abc' LIMIT 1", nil, `planner: invalid input syntax for type int: "abc" (column id)`, planner.CodeInvalidText},
		{"int, on the left", "SELECT id FROM orders WHERE 'abc' <= customer_id", nil, `planner: invalid input syntax for type int: "abc" (column customer_id)`, planner.CodeInvalidText},
		{"float argument", "SELECT id FROM orders WHERE total = ?", []any{"much"}, `planner: invalid input syntax for type float: "much" (column total)`, planner.CodeInvalidText},
		{"IN list", "SELECT id FROM orders WHERE id IN (1, 'two')", nil, `planner: invalid input syntax for type int: "two" (column id)`, planner.CodeInvalidText},
		{"NOT IN list", "SELECT id FROM orders WHERE id NOT IN (1, 'two')", nil, `planner: invalid input syntax for type int: "two" (column id)`, planner.CodeInvalidText},
		{"BETWEEN", "SELECT id FROM orders WHERE created BETWEEN '2024-01-01' AND 'soon'", nil, `planner: invalid input syntax for type datetime: "soon" (column created)`, planner.CodeInvalidText},
		{"in an OR", "SELECT id FROM orders WHERE id = 1 OR total > 'x'", nil, `planner: invalid input syntax for type float: "x" (column total)`, planner.CodeInvalidText},
		{"required key", "SELECT id FROM customer_orders WHERE customer_id IN (3, 'abc')", nil, `planner: invalid input syntax for type int: "abc" (column customer_id)`, planner.CodeInvalidText},
		{"a number for a datetime", "SELECT id FROM orders WHERE created > 5", nil, `planner: column created is datetime but is compared with 5, a value of type int`, planner.CodeDatatypeMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newQuirkyAPI(t, quirkyOrders(), 100)
			db := openProfile(t, quirkyProfile(api.srv.URL, "{param: sort, order: order}", "{param: limit}"))
			rows, err := db.QueryContext(context.Background(), tt.sql, tt.args...)
			if err == nil {
				rows.Close()
			}
			require.Error(t, err)
			assert.Equal(t, tt.err, err.Error())
			var ve *planner.ValueError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, tt.code, ve.SQLState())
			assert.Empty(t, api.requests())
		})
	}

	// Values that do convert still work as before.
	api := newQuirkyAPI(t, quirkyOrders(), 100)
	db := openProfile(t, quirkyProfile(api.srv.URL, "{param: sort, order: order}", "{param: limit}"))
	assert.Equal(t, [][]string{{"2"}}, queryRows(t, db, "SELECT id FROM orders WHERE id = '2'"))
	assert.Equal(t, [][]string{{"2"}}, queryRows(t, db, "SELECT id FROM orders WHERE total = ?", "99"))
	assert.Equal(t, [][]string{{"3"}, {"6"}}, queryRows(t, db, "SELECT id FROM orders WHERE created >= '2024-01-08' ORDER BY id"))
	assert.Equal(t, [][]string{{"3"}, {"6"}}, queryRows(t, db, "SELECT id FROM orders WHERE created >= ? ORDER BY id", "2024-01-08T00:00:00Z"))
}

// bigOrders are n rows of customer 3, totals not in id order.
func bigOrders(n int) []quirkyOrder {
	rows := make([]quirkyOrder, n)
	for i := range rows {
		rows[i] = quirkyOrder{ID: i + 1, CustomerID: 3, Status: strPtr("new"), Total: float64((i * 37) % 1000), Created: "2024-01-01T00:00:00Z"}
	}
	return rows
}

// TestPushedLimitAboveTheAPIsPageCap: a pushed LIMIT larger than the most
// rows the API returns at once still returns LIMIT rows: the walk goes on
// while pages come back full.
func TestPushedLimitAboveTheAPIsPageCap(t *testing.T) {
	api := newQuirkyAPI(t, bigOrders(250), 100)
	db := openProfile(t, quirkyProfile(api.srv.URL, "{param: sort, order: order}", "{param: limit}"))
	got := queryRows(t, db, "SELECT id FROM orders WHERE customer_id = 3 ORDER BY total DESC LIMIT 150")
	want := bigOrders(250)
	sort.Slice(want, func(i, j int) bool { return want[i].Total > want[j].Total })
	var wantRows [][]string
	for _, o := range want[:150] {
		wantRows = append(wantRows, []string{strconv.Itoa(o.ID)})
	}
	assert.Equal(t, wantRows, got)
	assert.Equal(t, []string{
		"/orders?customer_id=3&limit=100&offset=0&order=desc&sort=total",
		"/orders?customer_id=3&limit=50&offset=100&order=desc&sort=total",
	}, api.requests())
}

// TestStrictBoundsOnAFloatColumnStayStrict: id < n becomes id <= n-1 only
// for int columns; total < 10 is not total <= 9.
func TestStrictBoundsOnAFloatColumnStayStrict(t *testing.T) {
	api := newQuirkyAPI(t, quirkyOrders(), 100)
	db := openProfile(t, quirkyProfile(api.srv.URL, "{param: sort, order: order}", "{param: limit}"))
	assert.Equal(t, [][]string{{"3"}, {"8"}}, queryRows(t, db, "SELECT id FROM orders WHERE total < 10 ORDER BY id"))
	assert.Equal(t, [][]string{{"1"}, {"3"}, {"8"}}, queryRows(t, db, "SELECT id FROM orders WHERE total <= 10.5 ORDER BY id"))
	assert.Equal(t, []string{
		"/orders?limit=100&offset=0&order=asc&sort=id",
		"/orders?limit=100&offset=0&order=asc&sort=id&total_lte=10.5",
	}, api.requests())
}

// TestExplainSaysWhyNotPushed: EXPLAIN gives the reason for each predicate,
// sort and limit that does not go to the API.
func TestExplainSaysWhyNotPushed(t *testing.T) {
	api := newQuirkyAPI(t, quirkyOrders(), 100)
	db := openProfile(t, quirkyProfile(api.srv.URL, "{param: sort, order: order}", "{param: limit}"))
	rows, err := db.QueryContext(context.Background(),
		"EXPLAIN SELECT id FROM orders WHERE status = '' AND customer_id = 3 AND total != 5 AND (id = 1 OR id = 2) ORDER BY total DESC, id LIMIT 3")
	require.NoError(t, err)
	defer rows.Close()
	var scan string
	for rows.Next() {
		var id int64
		var parent sql.NullInt64
		var op string
		var target, detail sql.NullString
		require.NoError(t, rows.Scan(&id, &parent, &op, &target, &detail))
		if op == "Scan" {
			scan = detail.String
		}
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, "predicates: "+
		"status = '' (in the driver: column status: empty string is not sent (the API reads ?status= as no filter)), "+
		"customer_id = 3 (exact), "+
		"total != 5 (in the driver: column total: no filter for !=), "+
		"(id = 1 or id = 2) (in the driver: an OR is not sent); "+
		"sort: the API sorts by one key (no sort.join); "+
		"limit: `status` = '' is evaluated in the driver; "+
		"columns: id, status, total; pages of 100 (maxPageSize 100); requests: one per page until the data ends", scan)
	assert.Empty(t, api.requests(), "EXPLAIN sends nothing")
}

// TestKeysNoURLCanCarry: a get: key that no URL can carry (” would ask
// /refs/, another resource) is answered by the list, filtered in the
// driver; other keys still use the lookup.
func TestKeysNoURLCanCarry(t *testing.T) {
	api := newQuirkyAPI(t, quirkyOrders(), 100)
	db := openProfile(t, quirkyProfile(api.srv.URL, "{param: sort, order: order}", "{param: limit}"))
	assert.Equal(t, [][]string{{"3"}}, queryRows(t, db, "SELECT id FROM orders WHERE ref = ''"))
	assert.Equal(t, [][]string{{"2"}, {"3"}}, queryRows(t, db, "SELECT id FROM orders WHERE ref IN ('', 'R2') ORDER BY id"))
	assert.Equal(t, [][]string{{"2"}}, queryRows(t, db, "SELECT id FROM orders WHERE ref = 'R2'"))
	assert.Equal(t, []string{
		"/orders?limit=100&offset=0",
		"/orders?limit=100&offset=0&order=asc&sort=id",
		"/refs/R2",
	}, api.requests())
}

// TestRequiredKeyFromASubquery: WHERE key IN (SELECT …) binds a required
// key: the subquery runs first, and its values make one request each.
func TestRequiredKeyFromASubquery(t *testing.T) {
	tests := []struct {
		name     string
		sql      string
		rows     [][]string
		requests []string
	}{
		{
			"the customers of paid orders",
			"SELECT customer_id, id FROM customer_orders WHERE customer_id IN (SELECT customer_id FROM orders WHERE status = 'paid') ORDER BY id",
			[][]string{{"3", "1"}, {"3", "2"}, {"7", "4"}, {"3", "5"}, {"7", "6"}, {"3", "8"}},
			[]string{"/customers/3/orders?limit=100&offset=0", "/customers/7/orders?limit=100&offset=0", "/orders?limit=100&offset=0&status=paid"},
		},
		{
			"NULLs and fractions bind nothing; other conjuncts still apply",
			"SELECT id FROM customer_orders WHERE total > 50 AND customer_id IN (SELECT CASE WHEN id = 1 THEN 42 WHEN id = 2 THEN 42.5 END FROM orders WHERE id <= 3)",
			[][]string{{"7"}},
			[]string{"/customers/42/orders?limit=100&offset=0", "/orders?limit=100&offset=0"},
		},
		{
			"no key: no request",
			"SELECT id FROM customer_orders WHERE customer_id IN (SELECT customer_id FROM orders WHERE status = 'gone')",
			nil,
			[]string{"/orders?limit=100&offset=0&status=gone"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newQuirkyAPI(t, quirkyOrders(), 100)
			db := openProfile(t, quirkyProfile(api.srv.URL, "{param: sort, order: order}", "{param: limit}"))
			assert.Equal(t, tt.rows, queryRows(t, db, tt.sql))
			got := api.requests()
			sort.Strings(got)
			assert.Equal(t, tt.requests, got)
		})
	}
}

func TestExplainOfAKeyFromASubquery(t *testing.T) {
	api := newQuirkyAPI(t, quirkyOrders(), 100)
	db := openProfile(t, quirkyProfile(api.srv.URL, "{param: sort, order: order}", "{param: limit}"))
	got := queryRows(t, db, "EXPLAIN SELECT id FROM customer_orders WHERE customer_id IN (SELECT customer_id FROM orders WHERE status = 'paid')")
	var scans []string
	for _, r := range got {
		if r[2] == "Scan" {
			scans = append(scans, r[4])
		}
	}
	assert.Equal(t, []string{
		"predicates: customer_id IN (select customer_id from orders where `status` = 'paid') (exact: its values bind the key when the query runs); columns: id; requests: one stream per value of the subquery",
	}, scans[:1])
	assert.Empty(t, api.requests(), "EXPLAIN sends nothing")
}
