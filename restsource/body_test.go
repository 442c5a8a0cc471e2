package restsource

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
)

// bodyRequest is a request a body-read test server saw.
type bodyRequest struct {
	Method, Path, RawQuery, ContentType string
	Body                                string
}

// bodyServer records every request with its body and answers with h.
type bodyServer struct {
	mu   sync.Mutex
	reqs []bodyRequest
}

func serveBody(t *testing.T, h func(w http.ResponseWriter, r *http.Request, body []byte)) (*httptest.Server, *bodyServer) {
	t.Helper()
	bs := &bodyServer{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		bs.mu.Lock()
		bs.reqs = append(bs.reqs, bodyRequest{Method: r.Method, Path: r.URL.Path, RawQuery: r.URL.RawQuery, ContentType: r.Header.Get("Content-Type"), Body: string(body)})
		bs.mu.Unlock()
		h(w, r, body)
	}))
	t.Cleanup(srv.Close)
	return srv, bs
}

func (bs *bodyServer) all() []bodyRequest {
	bs.mu.Lock()
	defer bs.mu.Unlock()
	return append([]bodyRequest(nil), bs.reqs...)
}

const notionProfile = `
catalogs:
  Notion:
    url: https://api.notion.com/v1
    auth: {scheme: Bearer, token: "${NotionToken}"}
    headers: {Notion-Version: "2022-06-28"}
    schemas:
      Notion:
        tables:
          tasks:
            url: /databases/d0c5/query
            method: POST
            body: {page_size: 2}
            rows: results
            pagination: {type: cursor, cursorPath: next_cursor, cursorBody: start_cursor, hasMorePath: has_more}
            sort: {body: sorts.-1, value: '{"property": "{name}", "direction": "{dir}"}', asc: ascending, desc: descending, columns: [Name, Price]}
            columns:
              - {name: id, key: true}
              - {name: Name, path: properties.Name.title.0.plain_text}
              - name: Status
                path: properties.Status.select.name
                filters:
                  "=": {body: filter.and.-1, value: '{"property": "Status", "select": {"equals": {}}}', exact: true}
                  "!=": {body: filter.and.-1, value: '{"property": "Status", "select": {"does_not_equal": {}}}'}
              - name: Price
                path: properties.Price.number
                type: float
                filters:
                  ">": {body: filter.and.-1, value: '{"property": "Price", "number": {"greater_than": {}}}', exact: true}
                  "<=": {body: filter.and.-1, value: '{"property": "Price", "number": {"less_than_or_equal_to": {}}}', exact: true}
              - name: Done
                path: properties.Done.checkbox
                type: bool
                filters: {"=": {body: filter.and.-1, value: '{"property": "Done", "checkbox": {"equals": {}}}', exact: true}}
`

// notionPage is one page of a Notion database as the API returns it.
type notionPage struct {
	id, name, status string
	price            float64
	done             bool
}

func (p notionPage) json() map[string]any {
	return map[string]any{"object": "page", "id": p.id, "properties": map[string]any{
		"Name":   map[string]any{"type": "title", "title": []any{map[string]any{"plain_text": p.name}}},
		"Status": map[string]any{"type": "select", "select": map[string]any{"name": p.status}},
		"Price":  map[string]any{"type": "number", "number": p.price},
		"Done":   map[string]any{"type": "checkbox", "checkbox": p.done},
	}}
}

var notionPages = []notionPage{
	{"p1", "Write docs", "Done", 5, true},
	{"p2", "Fix bug", "In progress", 12.5, false},
	{"p3", "Release", "Done", 30, true},
	{"p4", "Plan", "Not started", 1, false},
	{"p5", "Review", "Done", 8, false},
}

// notionQuery is POST /v1/databases/{id}/query as Notion documents it: a
// JSON body with filter (a property filter or {"and": [...]}), sorts
// ([{property, direction}]), start_cursor and page_size; the answer is a
// list object with results, next_cursor and has_more. A request without
// a JSON body, or with an unknown filter, is a 400 validation_error.
func notionQuery(w http.ResponseWriter, r *http.Request, body []byte) {
	bad := func(msg string) {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]any{"object": "error", "status": 400, "code": "validation_error", "message": msg})
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" || !gjson.ValidBytes(body) {
		bad("body must be JSON")
		return
	}
	req := gjson.ParseBytes(body)
	var conds []gjson.Result
	if f := req.Get("filter"); f.Exists() {
		if and := f.Get("and"); and.Exists() {
			conds = and.Array()
		} else {
			conds = []gjson.Result{f}
		}
	}
	var rows []notionPage
	for _, p := range notionPages {
		ok := true
		for _, c := range conds {
			switch prop := c.Get("property").String(); {
			case c.Get("select.equals").Exists():
				ok = ok && prop == "Status" && p.status == c.Get("select.equals").String()
			case c.Get("select.does_not_equal").Exists():
				ok = ok && prop == "Status" && p.status != c.Get("select.does_not_equal").String()
			case c.Get("number.greater_than").Exists():
				ok = ok && prop == "Price" && p.price > c.Get("number.greater_than").Num
			case c.Get("number.less_than_or_equal_to").Exists():
				ok = ok && prop == "Price" && p.price <= c.Get("number.less_than_or_equal_to").Num
			case c.Get("checkbox.equals").Exists():
				ok = ok && prop == "Done" && c.Get("checkbox.equals").Type != gjson.String && p.done == c.Get("checkbox.equals").Bool()
			default:
				bad("unknown filter " + c.Raw)
				return
			}
		}
		if ok {
			rows = append(rows, p)
		}
	}
	for _, s := range req.Get("sorts").Array() {
		prop, desc := s.Get("property").String(), s.Get("direction").String() == "descending"
		sort.SliceStable(rows, func(i, j int) bool {
			less := rows[i].name < rows[j].name
			if prop == "Price" {
				less = rows[i].price < rows[j].price
			}
			if desc {
				return !less
			}
			return less
		})
	}
	start := 0
	if c := req.Get("start_cursor"); c.Exists() {
		if c.Type != gjson.String {
			bad("start_cursor should be a string")
			return
		}
		start, _ = strconv.Atoi(strings.TrimPrefix(c.Str, "cur-"))
	}
	size := int(req.Get("page_size").Int())
	if size <= 0 || size > 100 {
		size = 100
	}
	end := min(start+size, len(rows))
	results := []any{}
	for _, p := range rows[min(start, len(rows)):end] {
		results = append(results, p.json())
	}
	var next any
	if end < len(rows) {
		next = "cur-" + strconv.Itoa(end)
	}
	writeJSON(w, map[string]any{"object": "list", "results": results, "next_cursor": next, "has_more": next != nil, "type": "page_or_database"})
}

func notionExpand(s string) (string, error) {
	return strings.ReplaceAll(s, "${NotionToken}", "secret_x"), nil
}

func TestBodyReadNotion(t *testing.T) {
	cat, tbl := loadTable(t, notionProfile, "Notion", "Notion", "tasks")

	t.Run("no filter: no filter field, cursor in the body from page 2", func(t *testing.T) {
		srv, bs := serveBody(t, notionQuery)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL + "/v1", Expand: notionExpand})
		rows, st := scanAll(t, s, Query{Limit: -1, Columns: []string{"id", "Name"}})
		assert.Equal(t, [][]any{{"p1", "Write docs"}, {"p2", "Fix bug"}, {"p3", "Release"}, {"p4", "Plan"}, {"p5", "Review"}}, rows)
		assert.EqualValues(t, 3, st.Requests)
		reqs := bs.all()
		require.Len(t, reqs, 3)
		for _, r := range reqs {
			assert.Equal(t, "POST", r.Method)
			assert.Equal(t, "/v1/databases/d0c5/query", r.Path)
			assert.Empty(t, r.RawQuery, "the cursor never goes into the URL")
			assert.Equal(t, "application/json", r.ContentType)
		}
		assert.JSONEq(t, `{"page_size": 2}`, reqs[0].Body)
		assert.JSONEq(t, `{"page_size": 2, "start_cursor": "cur-2"}`, reqs[1].Body)
		assert.JSONEq(t, `{"page_size": 2, "start_cursor": "cur-4"}`, reqs[2].Body)
	})

	t.Run("filters ANDed into filter.and, sort into sorts", func(t *testing.T) {
		srv, bs := serveBody(t, notionQuery)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL + "/v1", Expand: notionExpand})
		q := Query{Limit: -1, Columns: []string{"id", "Price"},
			Predicates: []Predicate{
				{Column: "Status", Op: "=", Values: []any{"Done"}},
				{Column: "Price", Op: ">", Values: []any{int64(6)}},
				{Column: "Done", Op: "=", Values: []any{int64(1)}},
			},
			Sort: []SortKey{{Column: "Price", Desc: true}}}
		p, err := s.Plan(q)
		require.NoError(t, err)
		assert.Equal(t, []Support{Exact, Exact, Exact}, p.Pushed)
		assert.True(t, p.SortPushed)
		require.Len(t, p.Requests(), 1)
		assert.Equal(t, `POST `+srv.URL+`/v1/databases/d0c5/query {"page_size":2,"filter":{"and":[{"property": "Status", "select": {"equals": "Done"}},{"property": "Price", "number": {"greater_than": 6}},{"property": "Done", "checkbox": {"equals": true}}]},"sorts":[{"property": "Price", "direction": "descending"}]}`, p.Requests()[0])
		rows, _ := scanAll(t, s, q)
		assert.Equal(t, [][]any{{"p3", 30.0}}, rows)
		reqs := bs.all()
		require.Len(t, reqs, 1)
		assert.JSONEq(t, `{"page_size": 2, "filter": {"and": [
			{"property": "Status", "select": {"equals": "Done"}},
			{"property": "Price", "number": {"greater_than": 6}},
			{"property": "Done", "checkbox": {"equals": true}}]},
			"sorts": [{"property": "Price", "direction": "descending"}]}`, reqs[0].Body)
	})

	t.Run("two filters on one column both go (AND)", func(t *testing.T) {
		srv, bs := serveBody(t, notionQuery)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL + "/v1", Expand: notionExpand})
		q := Query{Limit: -1, Columns: []string{"id"}, Predicates: []Predicate{
			{Column: "Price", Op: ">", Values: []any{int64(4)}},
			{Column: "Price", Op: "<=", Values: []any{12.5}},
		}}
		rows, _ := scanAll(t, s, q)
		assert.Equal(t, [][]any{{"p1"}, {"p2"}, {"p5"}}, rows)
		reqs := bs.all()
		assert.Equal(t, `[{"property": "Price", "number": {"greater_than": 4}},{"property": "Price", "number": {"less_than_or_equal_to": 12.5}}]`, gjson.Get(reqs[0].Body, "filter.and").Raw)
	})

	t.Run("what cannot go stays in the driver", func(t *testing.T) {
		srv, bs := serveBody(t, notionQuery)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL + "/v1", Expand: notionExpand})
		q := Query{Limit: -1, Columns: []string{"id"}, Predicates: []Predicate{
			{Column: "Status", Op: "IN", Values: []any{"Done", "Plan"}}, // no IN filter
			{Column: "Price", Op: ">", Values: []any{"cheap"}},          // not a number
			{Column: "Status", Op: "!=", Values: []any{"Done"}},         // inexact
			{Column: "Name", Op: "=", Values: []any{"Plan"}},            // no filter
		}}
		p, err := s.Plan(q)
		require.NoError(t, err)
		assert.Equal(t, []Support{Unsupported, Unsupported, Inexact, Unsupported}, p.Pushed)
		assert.Contains(t, p.Pushdown.Filters[1].Reason, "column Price: cheap is not a number")
		rows, _ := scanAll(t, s, q)
		assert.Equal(t, [][]any{{"p2"}, {"p4"}}, rows, "the API applied != only: the planner evaluates the rest")
		reqs := bs.all()
		require.Len(t, reqs, 1)
		assert.JSONEq(t, `{"page_size": 2, "filter": {"and": [{"property": "Status", "select": {"does_not_equal": "Done"}}]}}`, reqs[0].Body)
	})
}

const hubspotProfile = `
catalogs:
  HubSpot:
    url: https://api.hubapi.com
    auth: {scheme: Bearer, token: "${HubSpotToken}"}
    schemas:
      CRM:
        tables:
          contacts:
            url: /crm/v3/objects/contacts/search
            method: POST
            body: {limit: 2, properties: [email, firstname, createdate], filterGroups: [{filters: []}]}
            rows: results
            pagination: {type: cursor, cursorPath: paging.next.after, cursorBody: after}
            sort: {body: sorts, value: '[{"propertyName": "{name}", "direction": "{dir}"}]', asc: ASCENDING, desc: DESCENDING, columns: [createdate]}
            limit: {body: limit}
            columns:
              - {name: id, key: true}
              - name: email
                path: properties.email
                filters:
                  "=": {body: filterGroups.0.filters.-1, value: '{"propertyName": "email", "operator": "EQ", "value": {}}', exact: true}
                  "IN": {body: filterGroups.0.filters.-1, value: '{"propertyName": "email", "operator": "IN", "values": {}}', exact: true}
              - {name: firstname, path: properties.firstname}
              - name: createdate
                path: properties.createdate
                type: datetime
                filters:
                  ">=": {body: filterGroups.0.filters.-1, value: '{"propertyName": "createdate", "operator": "GTE", "value": "{}"}', format: unixms, exact: true}
`

// hubspotSearch is POST /crm/v3/objects/contacts/search as HubSpot
// documents it: filterGroups (filters ANDed inside a group, groups ORed),
// operators EQ, IN (values) and GTE (value: epoch milliseconds as a
// string), sorts (at most one), limit and after; the answer has total,
// results and paging.next.after when more follow.
func hubspotSearch(w http.ResponseWriter, r *http.Request, body []byte) {
	type contact struct {
		id, email, first string
		created          int64 // epoch ms
	}
	all := []contact{
		{"1", "ann@example.com", "Ann", 1704067200000},
		{"2", "bob@example.com", "Bob", 1706745600000},
		{"3", "cy@example.com", "Cy", 1709251200000},
		{"4", "di@example.com", "Di", 1711929600000},
	}
	req := gjson.ParseBytes(body)
	var rows []contact
	for _, c := range all {
		match := len(req.Get("filterGroups").Array()) == 0
		for _, g := range req.Get("filterGroups").Array() {
			ok := true
			for _, f := range g.Get("filters").Array() {
				var v string
				switch f.Get("propertyName").String() {
				case "email":
					v = c.email
				case "createdate":
					v = strconv.FormatInt(c.created, 10)
				}
				switch f.Get("operator").String() {
				case "EQ":
					ok = ok && v == f.Get("value").String()
				case "IN":
					in := false
					for _, x := range f.Get("values").Array() {
						in = in || x.String() == v
					}
					ok = ok && in
				case "GTE":
					n, _ := strconv.ParseInt(f.Get("value").String(), 10, 64)
					ok = ok && c.created >= n
				default:
					w.WriteHeader(http.StatusBadRequest)
					writeJSON(w, map[string]any{"status": "error", "message": "unknown operator"})
					return
				}
			}
			match = match || ok
		}
		if match {
			rows = append(rows, c)
		}
	}
	if s := req.Get("sorts.0"); s.Exists() && s.Get("direction").String() == "DESCENDING" {
		sort.Slice(rows, func(i, j int) bool { return rows[i].created > rows[j].created })
	}
	after, _ := strconv.Atoi(req.Get("after").String())
	limit := int(req.Get("limit").Int())
	if limit <= 0 {
		limit = 10
	}
	end := min(after+limit, len(rows))
	results := []any{}
	for _, c := range rows[min(after, len(rows)):end] {
		results = append(results, map[string]any{"id": c.id, "properties": map[string]any{"email": c.email, "firstname": c.first, "createdate": strconv.FormatInt(c.created, 10)}})
	}
	out := map[string]any{"total": len(rows), "results": results}
	if end < len(rows) {
		out["paging"] = map[string]any{"next": map[string]any{"after": strconv.Itoa(end)}}
	}
	writeJSON(w, out)
}

func TestBodyReadHubSpot(t *testing.T) {
	cat, tbl := loadTable(t, hubspotProfile, "HubSpot", "CRM", "contacts")

	t.Run("IN and a range in one filter group, cursor after", func(t *testing.T) {
		srv, bs := serveBody(t, hubspotSearch)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
		q := Query{Limit: -1, Columns: []string{"id", "email"}, Predicates: []Predicate{
			{Column: "email", Op: "IN", Values: []any{"bob@example.com", "cy@example.com", "di@example.com"}},
			{Column: "createdate", Op: ">=", Values: []any{"2024-02-01T00:00:00Z"}},
		}}
		p, err := s.Plan(q)
		require.NoError(t, err)
		assert.Equal(t, []Support{Exact, Exact}, p.Pushed)
		rows, st := scanAll(t, s, q)
		assert.Equal(t, [][]any{{"2", "bob@example.com"}, {"3", "cy@example.com"}, {"4", "di@example.com"}}, rows)
		assert.EqualValues(t, 2, st.Requests)
		reqs := bs.all()
		require.Len(t, reqs, 2)
		want := `{"limit": 2, "properties": ["email", "firstname", "createdate"], "filterGroups": [{"filters": [
			{"propertyName": "email", "operator": "IN", "values": ["bob@example.com", "cy@example.com", "di@example.com"]},
			{"propertyName": "createdate", "operator": "GTE", "value": "1706745600000"}]}]}`
		assert.JSONEq(t, want, reqs[0].Body)
		assert.Equal(t, `"2"`, gjson.Get(reqs[1].Body, "after").Raw, "the cursor goes in as a JSON string")
		assert.False(t, gjson.Get(reqs[0].Body, "after").Exists(), "the first request has no cursor field")
	})

	t.Run("sort and limit into the body", func(t *testing.T) {
		srv, bs := serveBody(t, hubspotSearch)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
		q := Query{Limit: 1, Columns: []string{"email"}, Sort: []SortKey{{Column: "createdate", Desc: true}}}
		p, err := s.Plan(q)
		require.NoError(t, err)
		assert.True(t, p.SortPushed)
		assert.True(t, p.LimitPushed)
		rows, _ := scanAll(t, s, q)
		assert.Equal(t, [][]any{{"di@example.com"}}, rows)
		reqs := bs.all()
		require.Len(t, reqs, 1)
		assert.JSONEq(t, `{"limit": 1, "properties": ["email", "firstname", "createdate"], "filterGroups": [{"filters": []}],
			"sorts": [{"propertyName": "createdate", "direction": "DESCENDING"}]}`, reqs[0].Body)
	})
}

// TestBodyReadSelect: select: {body, under} writes the needed columns
// below under as a JSON array into the body (HubSpot search's properties).
func TestBodyReadSelect(t *testing.T) {
	cat, tbl := loadTable(t, hubspotProfile, "HubSpot", "CRM", "contacts")
	tbl.Body = map[string]any{"limit": 2}
	tbl.Select = &catalog.Select{Body: "properties", Under: "properties"}
	srv, bs := serveBody(t, hubspotSearch)
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	rows, _ := scanAll(t, s, Query{Limit: 1, Columns: []string{"id", "firstname", "email"}})
	assert.Equal(t, [][]any{{"1", "Ann", "ann@example.com"}}, rows)
	reqs := bs.all()
	require.Len(t, reqs, 1)
	assert.JSONEq(t, `{"limit": 1, "properties": ["firstname", "email"]}`, reqs[0].Body)
}

const githubGraphQLProfile = `
catalogs:
  GitHub:
    url: https://api.github.com
    auth: {scheme: Bearer, token: "${GitHubToken}"}
    schemas:
      GraphQL:
        tables:
          issues:
            url: /graphql
            graphql:
              query: |
                query($owner: String!, $name: String!, $first: Int!, $after: String, $states: [IssueState!]) {
                  repository(owner: $owner, name: $name) {
                    issues(first: $first, after: $after, states: $states) {
                      nodes { number title state }
                      pageInfo { hasNextPage endCursor }
                    }
                  }
                }
              variables: {owner: "${Owner}", name: restsql, first: 2}
            rows: data.repository.issues.nodes
            pagination: {type: cursor, cursorPath: data.repository.issues.pageInfo.endCursor, cursorBody: variables.after, hasMorePath: data.repository.issues.pageInfo.hasNextPage}
            columns:
              - {name: number, type: int, key: true}
              - {name: title}
              - name: state
                filters:
                  "=": {body: variables.states, value: "[{}]", exact: true}
                  "IN": {body: variables.states, value: "{}", exact: true}
`

// githubGraphQL is POST /graphql as GitHub documents it: {"query",
// "variables"}; a connection answers nodes and pageInfo {hasNextPage,
// endCursor}; an unknown variable or a bad state is 200 with an "errors"
// array and data null.
func githubGraphQL(w http.ResponseWriter, r *http.Request, body []byte) {
	req := gjson.ParseBytes(body)
	if !strings.Contains(req.Get("query").String(), "pageInfo { hasNextPage endCursor }") {
		writeJSON(w, map[string]any{"errors": []any{map[string]any{"message": "query is missing"}}})
		return
	}
	vars := req.Get("variables")
	if vars.Get("owner").String() != "restsql-org" {
		writeJSON(w, map[string]any{"data": map[string]any{"repository": nil}, "errors": []any{map[string]any{
			"type": "NOT_FOUND", "path": []any{"repository"}, "message": "Could not resolve to a Repository with the name '" + vars.Get("owner").String() + "/restsql'."}}})
		return
	}
	type issue struct {
		Number int    `json:"number"`
		Title  string `json:"title"`
		State  string `json:"state"`
	}
	all := []issue{{1, "First", "OPEN"}, {2, "Second", "CLOSED"}, {3, "Third", "OPEN"}, {4, "Fourth", "OPEN"}, {5, "Fifth", "CLOSED"}}
	var rows []issue
	for _, is := range all {
		ok := !vars.Get("states").Exists()
		for _, st := range vars.Get("states").Array() {
			if st.String() != "OPEN" && st.String() != "CLOSED" {
				writeJSON(w, map[string]any{"data": nil, "errors": []any{map[string]any{"message": "Variable $states of type [IssueState!] was provided invalid value"}}})
				return
			}
			ok = ok || st.String() == is.State
		}
		if ok {
			rows = append(rows, is)
		}
	}
	start := 0
	if a := vars.Get("after"); a.Exists() && a.Type != gjson.Null {
		start, _ = strconv.Atoi(strings.TrimPrefix(a.String(), "Y3Vyc29y:"))
	}
	end := min(start+int(vars.Get("first").Int()), len(rows))
	nodes := rows[min(start, len(rows)):end]
	writeJSON(w, map[string]any{"data": map[string]any{"repository": map[string]any{"issues": map[string]any{
		"nodes":    nodes,
		"pageInfo": map[string]any{"hasNextPage": end < len(rows), "endCursor": "Y3Vyc29y:" + strconv.Itoa(end)},
	}}}})
}

func TestBodyReadGraphQL(t *testing.T) {
	cat, tbl := loadTable(t, githubGraphQLProfile, "GitHub", "GraphQL", "issues")
	expand := func(owner string) func(string) (string, error) {
		return func(s string) (string, error) { return strings.ReplaceAll(s, "${Owner}", owner), nil }
	}

	t.Run("pages through pageInfo, cursor in variables.after", func(t *testing.T) {
		srv, bs := serveBody(t, githubGraphQL)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Expand: expand("restsql-org")})
		q := Query{Limit: -1, Predicates: []Predicate{{Column: "state", Op: "=", Values: []any{"OPEN"}}}}
		p, err := s.Plan(q)
		require.NoError(t, err)
		assert.Equal(t, []Support{Exact}, p.Pushed)
		assert.Contains(t, p.Requests()[0], `"variables":{"first":2,"name":"restsql","owner":"***","states":["OPEN"]}`, "EXPLAIN shows the body, a placeholder's value as ***")
		rows, st := scanAll(t, s, q)
		assert.Equal(t, [][]any{{int64(1), "First", "OPEN"}, {int64(3), "Third", "OPEN"}, {int64(4), "Fourth", "OPEN"}}, rows)
		assert.EqualValues(t, 2, st.Requests)
		reqs := bs.all()
		require.Len(t, reqs, 2)
		assert.Equal(t, "POST", reqs[0].Method)
		assert.Equal(t, "/graphql", reqs[0].Path)
		assert.JSONEq(t, `{"owner": "restsql-org", "name": "restsql", "first": 2, "states": ["OPEN"]}`, gjson.Get(reqs[0].Body, "variables").Raw)
		assert.JSONEq(t, `{"owner": "restsql-org", "name": "restsql", "first": 2, "states": ["OPEN"], "after": "Y3Vyc29y:2"}`, gjson.Get(reqs[1].Body, "variables").Raw)
		assert.Equal(t, tbl.GraphQL.Query, gjson.Get(reqs[1].Body, "query").String())
	})

	t.Run("IN as a JSON array", func(t *testing.T) {
		srv, bs := serveBody(t, githubGraphQL)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Expand: expand("restsql-org")})
		rows, _ := scanAll(t, s, Query{Limit: -1, Columns: []string{"number"}, Predicates: []Predicate{{Column: "state", Op: "IN", Values: []any{"CLOSED", "OPEN"}}}})
		assert.Len(t, rows, 5)
		assert.Equal(t, `["CLOSED","OPEN"]`, gjson.Get(bs.all()[0].Body, "variables.states").Raw)
	})

	t.Run("errors with 200 are an error", func(t *testing.T) {
		srv, bs := serveBody(t, githubGraphQL)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Expand: expand("nobody"), MaxRetries: 3})
		p, err := s.Plan(Query{Limit: -1})
		require.NoError(t, err)
		_, err = s.Scan(context.Background(), p)
		require.Error(t, err)
		assert.Contains(t, err.Error(), "restsource: POST "+srv.URL+"/graphql: table GitHub.GraphQL.issues: the GraphQL API reports 1 error(s): Could not resolve to a Repository with the name 'nobody/restsql'. (path [\"repository\"])")
		assert.Len(t, bs.all(), 1, "a GraphQL error is not retried")
	})
}

// TestBodyReadRetried: a read with a body is idempotent, so a 503 is
// retried (a write's POST never is), with the same body.
func TestBodyReadRetried(t *testing.T) {
	cat, tbl := loadTable(t, notionProfile, "Notion", "Notion", "tasks")
	var mu sync.Mutex
	calls := 0
	srv, bs := serveBody(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		mu.Lock()
		calls++
		n := calls
		mu.Unlock()
		if n == 2 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		notionQuery(w, r, body)
	})
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL + "/v1", Expand: notionExpand, MaxRetries: 2, InitialBackoff: 1, MaxBackoff: 1})
	rows, _ := scanAll(t, s, Query{Limit: -1, Columns: []string{"id"}})
	assert.Len(t, rows, 5)
	reqs := bs.all()
	require.Len(t, reqs, 4)
	assert.Equal(t, reqs[1].Body, reqs[2].Body, "the retry sends the same body")
	assert.JSONEq(t, `{"page_size": 2, "start_cursor": "cur-2"}`, reqs[2].Body)
}

// elasticProfile reads Elasticsearch's _search with the query in the body
// and from/size as URL parameters (both documented for _search).
const elasticProfile = `
catalogs:
  ES:
    url: http://localhost:9200
    schemas:
      logs:
        tables:
          events:
            url: /logs-*/_search
            method: POST
            body: {query: {bool: {filter: []}}, track_total_hits: true}
            rows: hits.hits
            pagination: {type: offset, offsetParam: from, sizeParam: size, pageSize: 2, totalPath: hits.total.value}
            sort: {body: sort.-1, value: '{"{name}": "{dir}"}', columns: [bytes]}
            columns:
              - {name: id, path: _id, key: true}
              - name: status
                path: _source.status
                type: int
                filters:
                  "=": {body: query.bool.filter.-1, value: '{"term": {"status": {}}}', exact: true}
                  "IN": {body: query.bool.filter.-1, value: '{"terms": {"status": {}}}', exact: true}
              - name: bytes
                path: _source.bytes
                type: int
                filters:
                  ">=": {body: query.bool.filter.-1, value: '{"range": {"bytes": {"gte": {}}}}', exact: true}
                  "<": {body: query.bool.filter.-1, value: '{"range": {"bytes": {"lt": {}}}}', exact: true}
`

// elasticSearch is POST /{index}/_search as Elasticsearch documents it:
// from and size (URL parameters), a bool query's filter clauses (term,
// terms, range), sort ([{field: order}]); hits.total.value and hits.hits
// with _id and _source.
func elasticSearch(w http.ResponseWriter, r *http.Request, body []byte) {
	type doc struct{ id, status, bytes int }
	all := []doc{{1, 200, 100}, {2, 404, 50}, {3, 200, 700}, {4, 500, 20}, {5, 200, 300}}
	req := gjson.ParseBytes(body)
	var rows []doc
	for _, d := range all {
		ok := true
		for _, f := range req.Get("query.bool.filter").Array() {
			switch {
			case f.Get("term.status").Exists():
				ok = ok && f.Get("term.status").Int() == int64(d.status)
			case f.Get("terms.status").Exists():
				in := false
				for _, v := range f.Get("terms.status").Array() {
					in = in || v.Int() == int64(d.status)
				}
				ok = ok && in
			case f.Get("range.bytes.gte").Exists():
				ok = ok && int64(d.bytes) >= f.Get("range.bytes.gte").Int()
			case f.Get("range.bytes.lt").Exists():
				ok = ok && int64(d.bytes) < f.Get("range.bytes.lt").Int()
			}
		}
		if ok {
			rows = append(rows, d)
		}
	}
	if s := req.Get("sort.0.bytes"); s.Exists() {
		sort.Slice(rows, func(i, j int) bool {
			if s.String() == "desc" {
				return rows[i].bytes > rows[j].bytes
			}
			return rows[i].bytes < rows[j].bytes
		})
	}
	from, _ := strconv.Atoi(r.URL.Query().Get("from"))
	size, err := strconv.Atoi(r.URL.Query().Get("size"))
	if err != nil {
		size = 10
	}
	end := min(from+size, len(rows))
	hits := []any{}
	for _, d := range rows[min(from, len(rows)):end] {
		hits = append(hits, map[string]any{"_index": "logs-1", "_id": strconv.Itoa(d.id), "_source": map[string]any{"status": d.status, "bytes": d.bytes}})
	}
	writeJSON(w, map[string]any{"took": 1, "hits": map[string]any{"total": map[string]any{"value": len(rows), "relation": "eq"}, "hits": hits}})
}

func TestBodyReadElasticsearch(t *testing.T) {
	cat, tbl := loadTable(t, elasticProfile, "ES", "logs", "events")
	srv, bs := serveBody(t, elasticSearch)
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	q := Query{Limit: -1, Columns: []string{"id", "bytes"},
		Predicates: []Predicate{
			{Column: "status", Op: "IN", Values: []any{int64(200), int64(500)}},
			{Column: "bytes", Op: ">=", Values: []any{int64(20)}},
			{Column: "bytes", Op: "<", Values: []any{int64(700)}},
		},
		Sort: []SortKey{{Column: "bytes", Desc: true}}}
	rows, st := scanAll(t, s, q)
	assert.Equal(t, [][]any{{"5", int64(300)}, {"1", int64(100)}, {"4", int64(20)}}, rows)
	assert.EqualValues(t, 2, st.Requests)
	reqs := bs.all()
	require.Len(t, reqs, 2)
	assert.Equal(t, []string{"from=0&size=2", "from=2&size=2"}, []string{reqs[0].RawQuery, reqs[1].RawQuery})
	for _, r := range reqs {
		assert.JSONEq(t, `{"track_total_hits": true, "query": {"bool": {"filter": [
			{"terms": {"status": [200, 500]}}, {"range": {"bytes": {"gte": 20}}}, {"range": {"bytes": {"lt": 700}}}]}},
			"sort": [{"bytes": "desc"}]}`, r.Body)
	}
}

func TestBodyReadJSONValues(t *testing.T) {
	var v any
	require.NoError(t, json.Unmarshal([]byte(fillJSON(`{"a": {}, "b": "x{}y", "c": "{}"}`, json.RawMessage(`"q\"1"`), `q"1`)), &v))
	assert.Equal(t, map[string]any{"a": `q"1`, "b": `xq"1y`, "c": `q"1`}, v)
	assert.True(t, textMarker(`{"a": "{}"}`))
	assert.False(t, textMarker(`{"a": {}, "b": "\"{"}`))
}

// TestBodyReadLoop: a cursor that repeats is an error that names the
// request as the API saw it, without the driver's own cursor parameter.
func TestBodyReadLoop(t *testing.T) {
	cat, tbl := loadTable(t, notionProfile, "Notion", "Notion", "tasks")
	srv, bs := serveBody(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		writeJSON(w, map[string]any{"object": "list", "results": []any{notionPages[0].json()}, "next_cursor": "same", "has_more": true})
	})
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL + "/v1", Expand: notionExpand})
	p, err := s.Plan(Query{Limit: -1})
	require.NoError(t, err)
	rows, err := s.Scan(context.Background(), p)
	require.NoError(t, err)
	defer rows.Close()
	_, err = collectErr(rows, len(p.Columns()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "restsource: table Notion.Notion.tasks: POST "+srv.URL+"/v1/databases/d0c5/query: pagination: cursor: page 2 returned a repeated cursor \"same\"")
	assert.NotContains(t, err.Error(), bodyCursorParam)
	assert.Len(t, bs.all(), 2)
}

// elasticAfterProfile walks Elasticsearch's _search with search_after: the
// sort (with a tiebreaker) and size in the body, the last hit's sort values
// as the next request's search_after.
const elasticAfterProfile = `
catalogs:
  ES:
    url: http://localhost:9200
    schemas:
      logs:
        tables:
          events:
            url: /logs-*/_search
            body: {size: 2, query: {bool: {filter: []}}, sort: [{bytes: asc}, {event_id: asc}]}
            rows: hits.hits
            pagination: {type: cursor, cursorPath: "hits.hits|@reverse|0.sort", cursorBody: search_after}
            columns:
              - {name: id, path: _source.event_id, type: int, key: true}
              - name: bytes
                path: _source.bytes
                type: int
                filters:
                  ">=": {body: query.bool.filter.-1, value: '{"range": {"bytes": {"gte": {}}}}', exact: true}
`

// elasticSearchAfter is POST /{index}/_search as Elasticsearch documents
// search_after: hits sorted by the body's sort ([bytes, event_id] here),
// each hit with its sort values; search_after keeps the hits after those
// values; size in the body.
func elasticSearchAfter(w http.ResponseWriter, r *http.Request, body []byte) {
	type doc struct{ id, bytes int64 }
	all := []doc{{1, 100}, {2, 50}, {3, 700}, {4, 50}, {5, 300}}
	req := gjson.ParseBytes(body)
	if req.Get("sort.0.bytes").String() != "asc" || req.Get("sort.1.event_id").String() != "asc" {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, map[string]any{"error": map[string]any{"type": "illegal_argument_exception"}})
		return
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].bytes != all[j].bytes {
			return all[i].bytes < all[j].bytes
		}
		return all[i].id < all[j].id
	})
	var rows []doc
	for _, d := range all {
		if f := req.Get("query.bool.filter.0.range.bytes.gte"); f.Exists() && d.bytes < f.Int() {
			continue
		}
		if sa := req.Get("search_after"); sa.Exists() {
			b, id := sa.Get("0").Int(), sa.Get("1").Int()
			if d.bytes < b || (d.bytes == b && d.id <= id) {
				continue
			}
		}
		rows = append(rows, d)
	}
	rows = rows[:min(int(req.Get("size").Int()), len(rows))]
	hits := []any{}
	for _, d := range rows {
		hits = append(hits, map[string]any{"_id": "doc" + strconv.FormatInt(d.id, 10), "_source": map[string]any{"event_id": d.id, "bytes": d.bytes}, "sort": []any{d.bytes, d.id}})
	}
	writeJSON(w, map[string]any{"hits": map[string]any{"total": map[string]any{"value": len(all), "relation": "eq"}, "hits": hits}})
}

func TestBodyReadElasticsearchSearchAfter(t *testing.T) {
	cat, tbl := loadTable(t, elasticAfterProfile, "ES", "logs", "events")
	srv, bs := serveBody(t, elasticSearchAfter)
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	rows, st := scanAll(t, s, Query{Limit: -1, Predicates: []Predicate{{Column: "bytes", Op: ">=", Values: []any{int64(60)}}}})
	assert.Equal(t, [][]any{{int64(1), int64(100)}, {int64(5), int64(300)}, {int64(3), int64(700)}}, rows)
	assert.EqualValues(t, 3, st.Requests, "the walk ends on the empty page after the last")
	reqs := bs.all()
	require.Len(t, reqs, 3)
	assert.False(t, gjson.Get(reqs[0].Body, "search_after").Exists())
	assert.Equal(t, `[300,5]`, gjson.Get(reqs[1].Body, "search_after").Raw, "the last hit's sort values, as an array")
	assert.Equal(t, `[700,3]`, gjson.Get(reqs[2].Body, "search_after").Raw)
	for _, r := range reqs {
		assert.Equal(t, `[{"range": {"bytes": {"gte": 60}}}]`, gjson.Get(r.Body, "query.bool.filter").Raw)
	}
}

// FuzzFillJSON: a filter value template that validation accepts (its
// sample is JSON) makes JSON for any value: a string value as a JSON
// string, its text inside strings.
func FuzzFillJSON(f *testing.F) {
	for _, s := range []string{`{}`, `"{}"`, `[{}]`, `{"a": {"b": {}}}`, `{"a": "x{}y"}`, `"\"{}"`, `{"k": "{}", "v": {}}`} {
		f.Add(s, "Done")
	}
	f.Fuzz(func(t *testing.T, tmpl, value string) {
		if !json.Valid([]byte(catalog.SampleJSON(tmpl))) {
			return
		}
		raw, _ := json.Marshal(value)
		if out := fillJSON(tmpl, raw, value); !json.Valid([]byte(out)) {
			t.Fatalf("template %q, value %q: %q is not JSON", tmpl, value, out)
		}
	})
}

// TestBodyReadLog: at LevelBodies each request body is logged, the value
// of a ${Name} placeholder as "***", the cursor as sent.
func TestBodyReadLog(t *testing.T) {
	cat, tbl := loadTable(t, githubGraphQLProfile, "GitHub", "GraphQL", "issues")
	srv, _ := serveBody(t, githubGraphQL)
	var buf syncBuffer
	logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: LevelBodies}))
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Logger: logger,
		Expand: func(s string) (string, error) { return strings.ReplaceAll(s, "${Owner}", "restsql-org"), nil }})
	rows, _ := scanAll(t, s, Query{Limit: -1})
	require.Len(t, rows, 5)
	var bodies []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		if gjson.Get(line, "msg").String() == "restsource: request body" {
			assert.Equal(t, "POST", gjson.Get(line, "method").String())
			bodies = append(bodies, gjson.Get(gjson.Get(line, "body").String(), "variables").Raw)
		}
	}
	assert.Equal(t, []string{
		`{"first":2,"name":"restsql","owner":"***"}`,
		`{"first":2,"name":"restsql","owner":"***","after":"Y3Vyc29y:2"}`,
		`{"first":2,"name":"restsql","owner":"***","after":"Y3Vyc29y:4"}`,
	}, bodies)
	assert.NotContains(t, buf.String(), "restsql-org\"", "the placeholder's value is not logged in a body")
}
