package discover_test

// Discovery against hand-made response shapes: each shape is a small fake
// API served by httptest (on 127.0.0.1, reached as api.example.com through a
// dialer that ignores the host), discovered from its first page, compared
// with a golden file (the table YAML, then the whole profile), and then
// queried through the restsql driver with the discovered profile, which
// must walk every page and return every row.

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
	"github.com/restsql/restsql/discover"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// host is the name the fake APIs are reached by.
const host = "api.example.com"

// numRows is the number of rows of each paginated fake API; pageSize its
// page size, so a full scan reads three pages.
const (
	numRows  = 7
	pageSize = 3
)

// api is the state a shape's handler works with.
type api struct {
	rows []string
	// lists counts the requests for the list.
	lists atomic.Int64
}

// page returns rows [from, from+n) as a JSON array, and the next offset
// (-1 after the last row).
func (a *api) page(from, n int) (string, int) {
	from = max(0, min(from, len(a.rows)))
	to := min(from+n, len(a.rows))
	next := to
	if to >= len(a.rows) {
		next = -1
	}
	return "[" + strings.Join(a.rows[from:to], ",") + "]", next
}

// shape is one hand-made API.
type shape struct {
	name string
	// path is the first page's path and query, as a user would discover it.
	path string
	opts discover.Options
	// dsn holds the DSN properties that fill the profile's placeholders.
	dsn string
	row func(i int) string
	// rows is the number of rows (numRows when 0).
	rows  int
	serve func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request)
	// wantType is the pagination type discovered; wantRequests the list
	// requests of SELECT * through the driver.
	wantType     string
	wantRequests int64
	// query and want check values through the driver ("|" between
	// columns, one line per row).
	query string
	want  string
}

func intParam(r *http.Request, name string, def int) int {
	if v := r.URL.Query().Get(name); v != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(v, "c"))
		if err == nil {
			return n
		}
	}
	return def
}

func writeJSON(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(body))
}

func userRow(i int) string {
	website := fmt.Sprintf("%q", fmt.Sprintf("u%d.example.org", i))
	if i%3 == 0 {
		website = "null"
	}
	return fmt.Sprintf(`{"id":%d,"name":"User %d","email":"u%d@example.com","address":{"street":"%d Main St","city":"City%d","geo":{"lat":"-37.%d","lng":"81.%d"}},"website":%s,"tags":["t%d","x"],"active":%t}`,
		i, i, i, i, i, i, i, website, i, i%2 == 0)
}

var shapes = []shape{
	{
		name: "bare_array",
		path: "/v1/users",
		row:  userRow,
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			body, _ := a.page(0, len(a.rows))
			writeJSON(w, body)
		},
		wantType:     catalog.PageNone,
		wantRequests: 1,
		query:        "SELECT id, addressCity, addressGeoLat, website, tags, active FROM users WHERE id IN (2, 3) ORDER BY id",
		want:         "2|City2|-37.2|u2.example.org|[\"t2\",\"x\"]|true\n3|City3|-37.3|NULL|[\"t3\",\"x\"]|false",
	},
	{
		name: "data_page_total",
		path: "/api/orders?page=1&per_page=3",
		row: func(i int) string {
			amount := strconv.Itoa(i * 10)
			if i%2 == 0 {
				amount += ".5"
			}
			return fmt.Sprintf(`{"id":%d,"amount":%s,"status":"open","created_at":%d}`, i, amount, 1700000000+i*3600)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			page, per := intParam(r, "page", 1), intParam(r, "per_page", 10)
			body, _ := a.page((page-1)*per, per)
			writeJSON(w, fmt.Sprintf(`{"data":%s,"meta":{"page":%d,"per_page":%d,"total":%d,"total_pages":%d}}`, body, page, per, len(a.rows), (len(a.rows)+per-1)/per))
		},
		wantType:     catalog.PagePage,
		wantRequests: 3,
		query:        "SELECT id, amount, created_at FROM orders WHERE id >= 6 ORDER BY id",
		want:         "6|60.5|2023-11-15T04:13:20Z\n7|70|2023-11-15T05:13:20Z",
	},
	{
		name: "items_cursor_bearer",
		path: "/items?limit=3",
		opts: discover.Options{Auth: &catalog.Auth{Scheme: "Bearer", Token: "s3cret"}},
		dsn:  "Token=s3cret",
		row: func(i int) string {
			return fmt.Sprintf(`{"id":"item-%d","title":"Item %d","price":%d.99,"in_stock":%t}`, i, i, i, i != 4)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("Authorization") != "Bearer s3cret" {
				http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
				return
			}
			body, next := a.page(intParam(r, "cursor", 0), intParam(r, "limit", 5))
			cursor := "null"
			if next >= 0 {
				cursor = fmt.Sprintf(`"c%d"`, next)
			}
			writeJSON(w, fmt.Sprintf(`{"items":%s,"next_cursor":%s}`, body, cursor))
		},
		wantType:     catalog.PageCursor,
		wantRequests: 3,
		query:        "SELECT id, price FROM items WHERE in_stock = false",
		want:         "item-4|4.99",
	},
	{
		name: "results_next_url",
		path: "/api/books/?page_size=3",
		row: func(i int) string {
			return fmt.Sprintf(`{"id":%d,"title":"Book %d","author":{"first_name":"A%d","last_name":"B%d"},"published_at":"2020-0%d-01T00:00:00Z"}`, i, i, i, i, i)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			page, size := intParam(r, "page", 1), intParam(r, "page_size", 10)
			body, next := a.page((page-1)*size, size)
			nextURL := "null"
			if next >= 0 {
				nextURL = fmt.Sprintf(`"http://%s/api/books/?page=%d&page_size=%d"`, r.Host, page+1, size)
			}
			writeJSON(w, fmt.Sprintf(`{"count":%d,"next":%s,"previous":null,"results":%s}`, len(a.rows), nextURL, body))
		},
		wantType:     catalog.PageNextURL,
		wantRequests: 3,
		query:        "SELECT title, authorLastName, published_at FROM books WHERE authorFirstName = 'A5'",
		want:         "Book 5|B5|2020-05-01T00:00:00Z",
	},
	{
		name: "nested_wrapper_token",
		path: "/v2/events",
		row: func(i int) string {
			return fmt.Sprintf(`{"eventId":"ev%d","kind":"click","payload":{"x":%d,"y":%d},"attendees":[{"n":%d}]}`, i, i, i*2, i)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			body, next := a.page(intParam(r, "pageToken", 0), pageSize)
			token := ""
			if next >= 0 {
				token = fmt.Sprintf(`,"nextPageToken":"c%d"`, next)
			}
			writeJSON(w, fmt.Sprintf(`{"response":{"status":"ok","data":{"items":%s%s}}}`, body, token))
		},
		wantType:     catalog.PageCursor,
		wantRequests: 3,
		query:        "SELECT eventId, payloadY FROM events WHERE payloadX = 7",
		want:         "ev7|14",
	},
	{
		name: "link_header",
		path: "/orgs/acme/repos?per_page=3",
		row: func(i int) string {
			return fmt.Sprintf(`{"id":%d,"full_name":"acme/repo%d","private":%t,"stargazers_count":%d,"updated_at":"2024-03-0%dT12:00:00Z","owner":{"login":"acme","id":42}}`, 1000+i, i, i == 2, i*i, i)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			page, per := intParam(r, "page", 1), intParam(r, "per_page", 30)
			body, next := a.page((page-1)*per, per)
			last := (len(a.rows) + per - 1) / per
			links := []string{fmt.Sprintf(`<http://%s/orgs/acme/repos?per_page=%d&page=%d>; rel="last"`, r.Host, per, last)}
			if next >= 0 {
				links = append([]string{fmt.Sprintf(`<http://%s/orgs/acme/repos?per_page=%d&page=%d>; rel="next"`, r.Host, per, page+1)}, links...)
			}
			w.Header().Set("Link", strings.Join(links, ", "))
			writeJSON(w, body)
		},
		wantType:     catalog.PageLinkHeader,
		wantRequests: 3,
		query:        "SELECT full_name, stargazers_count FROM repos WHERE private",
		want:         "acme/repo2|4",
	},
	{
		name: "x_total_count",
		path: "/posts?_page=1&_limit=3",
		row: func(i int) string {
			return fmt.Sprintf(`{"userId":%d,"id":%d,"title":"post %d","body":"text %d"}`, (i+1)/2, i, i, i)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			page, per := intParam(r, "_page", 1), intParam(r, "_limit", 10)
			body, _ := a.page((page-1)*per, per)
			w.Header().Set("X-Total-Count", strconv.Itoa(len(a.rows)))
			writeJSON(w, body)
		},
		wantType:     catalog.PagePage,
		wantRequests: 3,
		query:        "SELECT id FROM posts WHERE userId = 2 ORDER BY id",
		want:         "3\n4",
	},
	{
		name: "offset_records_apikey",
		path: "/records?offset=0&limit=3",
		opts: discover.Options{Auth: &catalog.Auth{Scheme: "APIKey", Key: "k123", Name: "X-API-Key", In: "header"}},
		dsn:  "APIKey=k123",
		row: func(i int) string {
			return fmt.Sprintf(`{"record_id":%d,"fields":{"Name":"R%d","Score":%d}}`, i, i, 100-i)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			if r.Header.Get("X-API-Key") != "k123" {
				http.Error(w, `{"error":"bad key"}`, http.StatusForbidden)
				return
			}
			offset, limit := intParam(r, "offset", 0), intParam(r, "limit", 100)
			body, _ := a.page(offset, limit)
			writeJSON(w, fmt.Sprintf(`{"records":%s,"offset":%d,"limit":%d,"total":%d}`, body, offset, limit, len(a.rows)))
		},
		wantType:     catalog.PageOffset,
		wantRequests: 3,
		query:        "SELECT record_id, fieldsName FROM records WHERE fieldsScore < 95 ORDER BY record_id DESC",
		want:         "7|R7\n6|R6",
	},
	{
		name: "odata_value",
		path: "/odata/Products?$top=3",
		row: func(i int) string {
			return fmt.Sprintf(`{"@odata.etag":"W/\"%d\"","ProductID":%d,"ProductName":"P%d","UnitPrice":%d.25,"Discontinued":false}`, i, i, i, i)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			skip, top := intParam(r, "$skip", 0), intParam(r, "$top", 20)
			body, next := a.page(skip, top)
			link := ""
			if next >= 0 {
				link = fmt.Sprintf(`,"@odata.nextLink":"http://%s/odata/Products?$skip=%d&$top=%d"`, r.Host, next, top)
			}
			writeJSON(w, fmt.Sprintf(`{"@odata.context":"http://%s/odata/$metadata#Products","value":%s%s}`, r.Host, body, link))
		},
		wantType:     catalog.PageNextURL,
		wantRequests: 3,
		query:        "SELECT ProductName, UnitPrice FROM Products WHERE ProductID = 6",
		want:         "P6|6.25",
	},
	{
		name: "mixed_types",
		path: "/metrics",
		row: func(i int) string {
			value := strconv.Itoa(i)
			if i == 3 {
				value = "3.5"
			}
			code := strconv.Itoa(i)
			if i == 5 {
				code = `"E5"`
			}
			flag := "true"
			if i == 2 {
				flag = "1"
			}
			when := fmt.Sprintf(`"2024-01-0%dT00:00:00Z"`, i)
			if i == 7 {
				when = `"yesterday"`
			}
			return fmt.Sprintf(`{"id":%d,"value":%s,"code":%s,"flag":%s,"when":%s,"ratio":1e%d}`, i, value, code, flag, when, i)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			body, _ := a.page(0, len(a.rows))
			writeJSON(w, body)
		},
		wantType:     catalog.PageNone,
		wantRequests: 1,
		query:        "SELECT id, value, code, flag, `when` FROM metrics WHERE id IN (3, 5, 7) ORDER BY id",
		want:         "3|3.5|3|true|2024-01-03T00:00:00Z\n5|5|E5|true|2024-01-05T00:00:00Z\n7|7|7|true|yesterday",
	},
	{
		name: "nulls",
		path: "/people",
		row: func(i int) string {
			nick := fmt.Sprintf("%q", fmt.Sprintf("nick%d", i))
			if i%2 == 1 {
				nick = "null"
			}
			manager := fmt.Sprintf(`{"name":"M%d","level":%d}`, i, i%3)
			if i > 4 {
				manager = "null"
			}
			age := strconv.Itoa(20 + i)
			if i == 1 {
				age = "null"
			}
			return fmt.Sprintf(`{"id":%d,"nickname":%s,"deleted":null,"manager":%s,"age":%s}`, i, nick, manager, age)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			body, _ := a.page(0, len(a.rows))
			writeJSON(w, fmt.Sprintf(`{"data":%s,"has_more":false}`, body))
		},
		wantType:     catalog.PageNone,
		wantRequests: 1,
		query:        "SELECT id, nickname, managerName, age FROM people WHERE id IN (1, 4, 5) ORDER BY id",
		want:         "1|NULL|M1|NULL\n4|nick4|M4|24\n5|NULL|NULL|25",
	},
	{
		name: "graphql_page_info",
		path: "/graphql/users?first=3",
		row: func(i int) string {
			return fmt.Sprintf(`{"node_id":"n%d","login":"user%d"}`, i, i)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			body, next := a.page(intParam(r, "after", 0), intParam(r, "first", 10))
			end := `"c7"`
			if next >= 0 {
				end = fmt.Sprintf(`"c%d"`, next)
			}
			writeJSON(w, fmt.Sprintf(`{"data":{"users":{"nodes":%s,"pageInfo":{"hasNextPage":%t,"endCursor":%s}}}}`, body, next >= 0, end))
		},
		wantType:     catalog.PageCursor,
		wantRequests: 3,
		query:        "SELECT node_id FROM users WHERE login = 'user6'",
		want:         "n6",
	},
	{
		name: "slack_cursor",
		path: "/api/conversations.members?limit=3",
		row: func(i int) string {
			return fmt.Sprintf(`{"id":"U%03d","team_id":"T1","profile":{"real_name":"Person %d","is_bot":%t}}`, i, i, i == 1)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			body, next := a.page(intParam(r, "cursor", 0), intParam(r, "limit", 100))
			cursor := ""
			if next >= 0 {
				cursor = fmt.Sprintf("c%d", next)
			}
			writeJSON(w, fmt.Sprintf(`{"ok":true,"members":%s,"response_metadata":{"next_cursor":%q}}`, body, cursor))
		},
		wantType:     catalog.PageCursor,
		wantRequests: 3,
		query:        "SELECT id, profileRealName FROM conversations WHERE profileIsBot",
		want:         "U001|Person 1",
	},
	{
		name: "has_more_page",
		path: "/v1/charges?page=1",
		row: func(i int) string {
			return fmt.Sprintf(`{"id":"ch_%d","object":"charge","amount":%d,"currency":"usd","created":%d,"metadata":{}}`, i, i*100, 1700000000+i)
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			page := intParam(r, "page", 1)
			body, next := a.page((page-1)*pageSize, pageSize)
			writeJSON(w, fmt.Sprintf(`{"object":"list","url":"/v1/charges","has_more":%t,"data":%s}`, next >= 0, body))
		},
		wantType:     catalog.PagePage,
		wantRequests: 3,
		query:        "SELECT id, amount, created FROM charges WHERE amount > 600",
		want:         "ch_7|700|2023-11-14T22:13:27Z",
	},
	{
		name: "single_object",
		path: "/v1/me",
		rows: 1,
		row: func(int) string {
			return `{"id":"u_1","name":"Me","plan":{"name":"pro","seats":5},"roles":["admin"],"lastLoginAt":1700000000000}`
		},
		serve: func(t *testing.T, a *api, w http.ResponseWriter, r *http.Request) {
			writeJSON(w, a.rows[0])
		},
		wantType:     catalog.PageNone,
		wantRequests: 1,
		query:        "SELECT name, planName, planSeats, roles, lastLoginAt FROM me",
		want:         "Me|pro|5|[\"admin\"]|2023-11-14T22:13:20Z",
	},
}

// fakeHostClient sends every request to srv, whatever its URL's host.
func fakeHostClient(t *testing.T, srv *httptest.Server) *http.Client {
	addr := srv.Listener.Addr().String()
	tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func TestShapes(t *testing.T) {
	for _, sh := range shapes {
		t.Run(sh.name, func(t *testing.T) {
			n := sh.rows
			if n == 0 {
				n = numRows
			}
			a := &api{}
			for i := 1; i <= n; i++ {
				a.rows = append(a.rows, sh.row(i))
			}
			listPath, _, _ := strings.Cut(sh.path, "?")
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != listPath {
					http.NotFound(w, r)
					return
				}
				a.lists.Add(1)
				sh.serve(t, a, w, r)
			}))
			defer srv.Close()
			client := fakeHostClient(t, srv)

			res, err := discover.Table(context.Background(), client, "http://"+host+sh.path, sh.opts)
			require.NoError(t, err)
			require.NotNil(t, res.Pagination)
			assert.Equal(t, sh.wantType, res.Pagination.Type)

			got := string(res.YAML()) + "---\n" + string(res.ProfileYAML())
			golden := filepath.Join("testdata", sh.name+".yaml")
			if *update {
				require.NoError(t, os.WriteFile(golden, []byte(got), 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), got)

			// The table pastes into a catalog's tables: mapping.
			pasted := "catalogs:\n  Pasted:\n    schemas:\n      API:\n        tables:\n" + indent(string(res.YAML()), 10)
			_, err = catalog.Parse([]byte(pasted), sh.name+"-pasted.yaml")
			require.NoError(t, err, pasted)

			// The whole profile loads and answers queries.
			profile := filepath.Join(t.TempDir(), "profile.yaml")
			require.NoError(t, os.WriteFile(profile, res.ProfileYAML(), 0o600))
			_, err = catalog.Load(profile)
			require.NoError(t, err)
			cfg, err := restsql.ParseDSN("Profile=" + profile + ";" + sh.dsn)
			require.NoError(t, err)
			cfg.HTTPClient = client
			conn, err := restsql.NewConnector(cfg)
			require.NoError(t, err)
			db := sql.OpenDB(conn)
			defer db.Close()

			a.lists.Store(0)
			rows := queryRows(t, db, "SELECT * FROM "+res.Name)
			assert.Len(t, rows, n, "every row of every page")
			assert.Equal(t, sh.wantRequests, a.lists.Load(), "list requests of SELECT *")
			assert.Equal(t, sh.want, strings.Join(queryRows(t, db, sh.query), "\n"))
		})
	}
}

// queryRows runs a query and formats each row as its values joined by |.
func queryRows(t *testing.T, db *sql.DB, query string) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query)
	require.NoError(t, err, query)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		parts := make([]string, len(vals))
		for i, v := range vals {
			parts[i] = format(v)
		}
		out = append(out, strings.Join(parts, "|"))
	}
	require.NoError(t, rows.Err(), query)
	return out
}

func format(v any) string {
	switch v := v.(type) {
	case nil:
		return "NULL"
	case []byte:
		return string(v)
	case interface{ Format(string) string }:
		return v.Format("2006-01-02T15:04:05Z07:00")
	}
	return fmt.Sprint(v)
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// TestDemoAPI discovers the embedded demo API (json-server conventions):
// without page parameters a collection is one response; with _page and
// _limit it has Link and X-Total-Count headers, which the discovered
// profile follows.
func TestDemoAPI(t *testing.T) {
	srv := demoapi.New()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	tests := []struct {
		url      string
		wantType string
		want     *catalog.Pagination
		requests int
	}{
		{url: hs.URL + "/users", want: &catalog.Pagination{Type: "none"}, requests: 1},
		{url: hs.URL + "/comments?_page=1&_limit=100", want: &catalog.Pagination{Type: "page", PageParam: "_page", SizeParam: "_limit", PageSize: 100, TotalHeader: "X-Total-Count"}, requests: 5},
		{url: hs.URL + "/todos?_start=0&_limit=50", want: &catalog.Pagination{Type: "offset", OffsetParam: "_start", SizeParam: "_limit", PageSize: 50, TotalHeader: "X-Total-Count"}, requests: 4},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			res, err := discover.Table(context.Background(), hs.Client(), tt.url, discover.Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Pagination)
			profile := filepath.Join(t.TempDir(), "profile.yaml")
			require.NoError(t, os.WriteFile(profile, res.ProfileYAML(), 0o600))
			db, err := sql.Open("restsql", "Profile="+profile)
			require.NoError(t, err)
			defer db.Close()
			srv.ResetRequests()
			table := res.Name
			rows := queryRows(t, db, "SELECT COUNT(*) FROM "+table)
			assert.Equal(t, []string{strconv.Itoa(len(srv.Data(table)))}, rows)
			assert.Len(t, srv.Requests(), tt.requests)
		})
	}
	// Nested objects of the users become columns.
	res, err := discover.Table(context.Background(), hs.Client(), hs.URL+"/users", discover.Options{})
	require.NoError(t, err)
	var names []string
	for _, c := range res.Columns {
		names = append(names, c.Name)
	}
	// The demo API writes keys in sorted order.
	assert.Equal(t, []string{"addressCity", "addressGeoLat", "addressGeoLng", "addressStreet", "addressSuite", "addressZipcode",
		"companyCatchPhrase", "companyName", "email", "id", "name", "phone", "username", "website"}, names)
}
