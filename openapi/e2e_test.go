package openapi_test

// End to end: profiles generated from the test specs, queried through the
// restsql driver against servers that implement the specs — the embedded
// demo API for the JSONPlaceholder-like spec, and a small cursor-paginated
// server for the helpdesk spec.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/demoapi"
	"github.com/restsql/restsql/openapi"
)

// openGenerated writes the profile generated from spec to a file and opens
// it with the DSN properties given.
func openGenerated(t *testing.T, spec, props string) *sql.DB {
	t.Helper()
	if !filepath.IsAbs(spec) {
		spec = filepath.Join("testdata", spec)
	}
	doc, err := os.ReadFile(spec)
	require.NoError(t, err)
	res, err := openapi.Generate(doc, openapi.Options{})
	require.NoError(t, err)
	out, err := res.YAML()
	require.NoError(t, err)
	profile := filepath.Join(t.TempDir(), "profile.yaml")
	require.NoError(t, os.WriteFile(profile, out, 0o600))
	cfg, err := restsql.ParseDSN("Profile=" + profile + ";" + props)
	require.NoError(t, err)
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

// query runs a query and returns its rows, each value formatted, joined by |.
func query(t *testing.T, db *sql.DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	require.NoError(t, err, q)
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
			switch v := v.(type) {
			case nil:
				parts[i] = "NULL"
			case []byte:
				parts[i] = string(v)
			default:
				parts[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(parts, "|"))
	}
	require.NoError(t, rows.Err(), q)
	return out
}

// requests returns the demo server's recorded requests as "GET /path?query"
// and forgets them.
func requests(srv *demoapi.Server) []string {
	var out []string
	for _, r := range srv.Requests() {
		s := r.Method + " " + r.Path
		if r.RawQuery != "" {
			s += "?" + r.RawQuery
		}
		out = append(out, s)
	}
	srv.ResetRequests()
	return out
}

func TestJSONPlaceholderSpecAgainstDemoAPI(t *testing.T) {
	srv := demoapi.New()
	hs := httptest.NewServer(srv)
	defer hs.Close()
	db := openGenerated(t, "jsonplaceholder.yaml", "URL="+hs.URL)

	posts := srv.Data("posts")
	title := func(id int) string { return posts[id-1]["title"].(string) }

	t.Run("filter, sort and limit", func(t *testing.T) {
		got := query(t, db, "SELECT id, title FROM posts WHERE userId = ? ORDER BY id DESC LIMIT 3", 1)
		assert.Equal(t, []string{"10|" + title(10), "9|" + title(9), "8|" + title(8)}, got)
		reqs := requests(srv)
		require.NotEmpty(t, reqs)
		assert.Contains(t, reqs[0], "userId=1")
		assert.Contains(t, reqs[0], "_sort=id&_order=desc")
	})
	t.Run("every page", func(t *testing.T) {
		assert.Equal(t, []string{"500"}, query(t, db, "SELECT COUNT(*) FROM comments"))
		reqs := requests(srv)
		assert.Len(t, reqs, 50, "500 comments in pages of 10")
		assert.Equal(t, "GET /comments?_page=1&_limit=10", reqs[0])
	})
	t.Run("IN on an exact filter", func(t *testing.T) {
		got := query(t, db, "SELECT postId, COUNT(*) FROM comments WHERE postId IN (2, 3) GROUP BY postId ORDER BY postId")
		assert.Equal(t, []string{"2|5", "3|5"}, got)
		assert.Contains(t, requests(srv)[0], "postId=2&postId=3")
	})
	t.Run("lookup and nested columns", func(t *testing.T) {
		users := srv.Data("users")
		u := users[2]
		addr := u["address"].(map[string]any)
		geo := addr["geo"].(map[string]any)
		got := query(t, db, "SELECT id, name, addressCity, addressGeoLat, companyName FROM users WHERE id = 3")
		assert.Equal(t, []string{fmt.Sprintf("3|%s|%s|%s|%s", u["name"], addr["city"], geo["lat"], u["company"].(map[string]any)["name"])}, got)
		assert.Equal(t, []string{"GET /users/3"}, requests(srv))
	})
	t.Run("nested filter parameter", func(t *testing.T) {
		users := srv.Data("users")
		city := users[4]["address"].(map[string]any)["city"].(string)
		var want []string
		for _, u := range users {
			if u["address"].(map[string]any)["city"] == city {
				want = append(want, strconv.Itoa(u["id"].(int)))
			}
		}
		got := query(t, db, "SELECT id FROM users WHERE addressCity = ? ORDER BY id", city)
		assert.Equal(t, want, got)
		assert.Contains(t, requests(srv)[0], "address.city="+strings.ReplaceAll(city, " ", "+"))
	})
	t.Run("required path parameter", func(t *testing.T) {
		got := query(t, db, "SELECT id, postId FROM comments_by_post WHERE postId = 2 ORDER BY id")
		assert.Equal(t, []string{"6|2", "7|2", "8|2", "9|2", "10|2"}, got)
		assert.Equal(t, "GET /posts/2/comments?_page=1&_limit=10", requests(srv)[0])
		_, err := db.QueryContext(context.Background(), "SELECT id FROM comments_by_post")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "requires column postId")
	})
	t.Run("booleans and datetimes", func(t *testing.T) {
		var want []string
		for _, todo := range srv.Data("todos") {
			if todo["userId"] == 2 && todo["completed"] == true {
				want = append(want, strconv.Itoa(todo["id"].(int)))
			}
		}
		got := query(t, db, "SELECT id FROM todos WHERE userId = 2 AND completed = true ORDER BY id")
		assert.Equal(t, want, got)
		// Every tenth todo has no due date: ids 10 and 20 of user 1.
		assert.Equal(t, []string{"10", "20"}, query(t, db, "SELECT id FROM todos WHERE userId = 1 AND dueDate IS NULL ORDER BY id"))
		assert.Equal(t, []string{"2"}, query(t, db, "SELECT COUNT(*) FROM todos WHERE dueDate < '2000-01-01T00:00:00Z' OR (userId = 1 AND dueDate IS NULL)"))
	})
}

// helpdesk is a small server implementing testdata/helpdesk.yaml under /v2.
type helpdesk struct {
	tickets []map[string]any
	lists   atomic.Int64
}

func newHelpdesk() *helpdesk {
	h := &helpdesk{}
	statuses := []string{"open", "pending", "closed"}
	for i := 1; i <= 11; i++ {
		var assignee any
		if i%4 != 0 {
			assignee = map[string]any{"id": 100 + i%3, "name": fmt.Sprintf("Agent %d", i%3)}
		}
		h.tickets = append(h.tickets, map[string]any{
			"id": fmt.Sprintf("T-%d", 1000+i), "created_at": fmt.Sprintf("2024-05-%02dT09:00:00Z", i),
			"updated_at": fmt.Sprintf("2024-06-%02dT09:00:00Z", i), "subject": fmt.Sprintf("Ticket %d", i),
			"description": nil, "status": statuses[i%3], "priority": 1 + i%4, "tags": []string{"t"},
			"assignee": assignee, "due_on": fmt.Sprintf("2024-07-%02d", i),
		})
	}
	return h
}

func (h *helpdesk) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer tok-1" {
		http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	if id, ok := strings.CutPrefix(r.URL.Path, "/v2/tickets/"); ok {
		for _, tk := range h.tickets {
			if tk["id"] == id {
				_ = enc.Encode(map[string]any{"data": tk})
				return
			}
		}
		http.NotFound(w, r)
		return
	}
	if r.URL.Path != "/v2/tickets" {
		http.NotFound(w, r)
		return
	}
	h.lists.Add(1)
	q := r.URL.Query()
	var rows []map[string]any
	for _, tk := range h.tickets {
		if s := q.Get("status"); s != "" && !slices.Contains(strings.Split(s, ","), tk["status"].(string)) {
			continue
		}
		rows = append(rows, tk)
	}
	start, _ := strconv.Atoi(strings.TrimPrefix(q.Get("cursor"), "c"))
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil {
		limit = 25
	}
	end := min(start+limit, len(rows))
	var next any
	if end < len(rows) {
		next = fmt.Sprintf("c%d", end)
	}
	_ = enc.Encode(map[string]any{"data": rows[min(start, end):end], "meta": map[string]any{"next_cursor": next, "has_more": next != nil}})
}

func TestHelpdeskSpecCursorPagination(t *testing.T) {
	h := newHelpdesk()
	hs := httptest.NewServer(h)
	defer hs.Close()
	db := openGenerated(t, "helpdesk.yaml", "URL="+hs.URL+"/v2;Token=tok-1;PageSize=4")

	got := query(t, db, "SELECT id, assigneeName, due_on FROM tickets")
	assert.Len(t, got, 11)
	assert.Equal(t, int64(3), h.lists.Load(), "11 tickets in pages of 4")
	assert.Equal(t, "T-1001|Agent 1|2024-07-01 00:00:00 +0000 UTC", got[0])
	assert.Equal(t, "T-1004|NULL|2024-07-04 00:00:00 +0000 UTC", got[3])

	got = query(t, db, "SELECT id FROM tickets WHERE status IN ('open', 'closed') AND priority >= 3 ORDER BY id")
	assert.Equal(t, []string{"T-1002", "T-1003", "T-1006", "T-1011"}, got)

	got = query(t, db, "SELECT subject, created_at FROM tickets WHERE id = 'T-1007'")
	assert.Equal(t, []string{"Ticket 7|2024-05-07 09:00:00 +0000 UTC"}, got)
}

func TestRequiredInputsEndToEnd(t *testing.T) {
	// A search endpoint with a required q (no default), a required
	// api-version (a default) and a required header: WHERE q = ... binds
	// q, the header comes from the DSN property of its placeholder.
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Path+"?"+r.URL.RawQuery+" key="+r.Header.Get("X-Api-Key"))
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"total_count": 1, "incomplete_results": false, "items": [{"id": 7, "title": %q}]}`, "found "+r.URL.Query().Get("q"))
	}))
	defer srv.Close()
	doc := `openapi: 3.0.3
info: {title: Search, version: '1'}
servers: [{url: '` + srv.URL + `'}]
paths:
  /search/issues:
    get:
      parameters:
        - {name: q, in: query, required: true, schema: {type: string}}
        - {name: api-version, in: query, required: true, schema: {type: string, default: '2024-01-01'}}
        - {name: X-Api-Key, in: header, required: true, schema: {type: string}}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema:
                type: object
                properties:
                  total_count: {type: integer}
                  incomplete_results: {type: boolean}
                  items: {type: array, items: {type: object, properties: {id: {type: integer}, title: {type: string}}}}
`
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "search.yaml"), []byte(doc), 0o600))
	t.Setenv("X_Api_Key", "s3cret")
	db := openGenerated(t, filepath.Join(dir, "search.yaml"), "")
	got := query(t, db, "SELECT id, title, q FROM issues WHERE q = 'is:open restsql'")
	assert.Equal(t, []string{"7|found is:open restsql|is:open restsql"}, got)
	assert.Equal(t, []string{"/search/issues?q=is%3Aopen+restsql&api-version=2024-01-01 key=s3cret"}, seen)

	// Without q the query is refused before any request.
	seen = nil
	_, err := db.QueryContext(context.Background(), "SELECT id FROM issues")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "q")
	assert.Empty(t, seen)
}

func TestStripeStartingAfterPagination(t *testing.T) {
	// Stripe's lists: {object: list, data: [...], has_more}, the next page
	// asked with starting_after = the last row's id. Seven customers in
	// pages of three (the server's default limit): three requests, each
	// after the last id of the page before, and every customer once.
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.RawQuery)
		if r.URL.Path != "/v1/customers" {
			http.NotFound(w, r)
			return
		}
		limit := 3
		if l, err := strconv.Atoi(r.URL.Query().Get("limit")); err == nil {
			limit = l
		}
		start := 0
		if after := r.URL.Query().Get("starting_after"); after != "" {
			n, err := strconv.Atoi(strings.TrimPrefix(after, "cus_"))
			require.NoError(t, err)
			start = n
		}
		var data []map[string]any
		for i := start + 1; i <= min(start+limit, 7); i++ {
			data = append(data, map[string]any{"id": fmt.Sprintf("cus_%d", i), "object": "customer", "email": fmt.Sprintf("c%d@example.com", i)})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"object": "list", "url": "/v1/customers", "data": data, "has_more": start+limit < 7})
	}))
	defer srv.Close()
	db := openGenerated(t, "real/stripe.json", "URL="+srv.URL+";AuthScheme=Bearer;Token=sk_test")
	got := query(t, db, "SELECT id, email FROM customers")
	want := make([]string, 7)
	for i := range want {
		want[i] = fmt.Sprintf("cus_%d|c%d@example.com", i+1, i+1)
	}
	assert.Equal(t, want, got)
	assert.Equal(t, []string{"", "starting_after=cus_3", "starting_after=cus_6"}, seen)

	// LIMIT asks for no more than it needs.
	seen = nil
	assert.Len(t, query(t, db, "SELECT id FROM customers LIMIT 2"), 2)
	assert.Equal(t, []string{""}, seen)
}
