package demoapi_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/demoapi"
)

// call sends one request to h and returns the response with its body.
func call(t *testing.T, h http.Handler, method, target, contentType, body string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	resp := rec.Result()
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp, raw
}

// getRows GETs a list and returns its rows.
func getRows(t *testing.T, h http.Handler, target string) (*http.Response, []map[string]any) {
	t.Helper()
	resp, raw := call(t, h, http.MethodGet, target, "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode, "GET %s: %s", target, raw)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(raw, &rows), "GET %s", target)
	return resp, rows
}

// ids returns the id of each row as an int.
func ids(rows []map[string]any) []int {
	out := make([]int, len(rows))
	for i, r := range rows {
		switch id := r["id"].(type) {
		case float64:
			out[i] = int(id)
		case int:
			out[i] = id
		}
	}
	return out
}

func span(from, to int) []int {
	var out []int
	for i := from; i <= to; i++ {
		out = append(out, i)
	}
	return out
}

func TestDataSet(t *testing.T) {
	s := demoapi.New()
	assert.Equal(t, []string{"users", "posts", "comments", "todos"}, demoapi.TableNames())
	for table, n := range map[string]int{
		"users": demoapi.NumUsers, "posts": demoapi.NumPosts,
		"comments": demoapi.NumComments, "todos": demoapi.NumTodos,
	} {
		rows := s.Data(table)
		require.Len(t, rows, n, table)
		assert.Equal(t, span(1, n), ids(rows), "%s ids are 1..%d in order", table, n)
	}
	assert.Nil(t, s.Data("nothing"))

	// Deterministic: two servers hold the same data.
	assert.Equal(t, s.DB(), demoapi.New().DB())

	perParent := func(table, fk string) map[int]int {
		counts := map[int]int{}
		for _, r := range s.Data(table) {
			counts[r[fk].(int)]++
		}
		return counts
	}
	for parent := 1; parent <= 10; parent++ {
		assert.Equal(t, 10, perParent("posts", "userId")[parent], "posts of user %d", parent)
		assert.Equal(t, 20, perParent("todos", "userId")[parent], "todos of user %d", parent)
	}
	for post := 1; post <= 100; post++ {
		assert.Equal(t, 5, perParent("comments", "postId")[post], "comments of post %d", post)
	}

	users := s.Data("users")
	phone := func(i int) (any, bool) { v, ok := users[i-1]["phone"]; return v, ok }
	website := func(i int) (any, bool) { v, ok := users[i-1]["website"]; return v, ok }
	v, ok := phone(3)
	assert.True(t, ok)
	assert.Nil(t, v, "user 3 has a null phone")
	_, ok = phone(8)
	assert.False(t, ok, "user 8 has no phone field")
	_, ok = website(6)
	assert.False(t, ok, "user 6 has no website field")
	v, ok = website(7)
	assert.True(t, ok)
	assert.Nil(t, v, "user 7 has a null website")
	address := users[0]["address"].(map[string]any)
	assert.Equal(t, "London", address["city"])
	assert.Equal(t, "51.5072", address["geo"].(map[string]any)["lat"])
	assert.Equal(t, "Analytical Engines", users[0]["company"].(map[string]any)["name"])

	var nullDue, completed int
	for _, todo := range s.Data("todos") {
		assert.IsType(t, true, todo["completed"])
		if todo["completed"].(bool) {
			completed++
		}
		if todo["dueDate"] == nil {
			nullDue++
			continue
		}
		due, err := time.Parse(time.RFC3339, todo["dueDate"].(string))
		require.NoError(t, err)
		assert.Equal(t, time.UTC, due.Location())
	}
	assert.Equal(t, 20, nullDue)
	assert.Greater(t, completed, 40)
	assert.Less(t, completed, 160)
}

func TestDataIsACopy(t *testing.T) {
	s := demoapi.New()
	users := s.Data("users")
	users[0]["name"] = "changed"
	users[0]["address"].(map[string]any)["city"] = "changed"
	db := s.DB()
	db["posts"] = nil
	assert.Equal(t, "Ada Lovelace", s.Data("users")[0]["name"])
	assert.Equal(t, "London", s.Data("users")[0]["address"].(map[string]any)["city"])
	assert.Len(t, s.Data("posts"), 100)
}

func TestListFilters(t *testing.T) {
	s := demoapi.New()
	// postsWhere lists the ids of the posts that satisfy pred.
	postsWhere := func(pred func(map[string]any) bool) []int {
		var out []int
		for _, p := range s.Data("posts") {
			if pred(p) {
				out = append(out, p["id"].(int))
			}
		}
		return out
	}
	firstTitle := s.Data("posts")[0]["title"].(string)
	firstWord := strings.Fields(firstTitle)[0]

	tests := []struct {
		name   string
		target string
		want   []int
	}{
		{"all", "/users", span(1, 10)},
		{"equality", "/posts?userId=3", span(21, 30)},
		{"repeated equality is OR", "/posts?userId=1&userId=10", append(span(1, 10), span(91, 100)...)},
		{"id list", "/posts?id=5&id=7&id=500", []int{5, 7}},
		{"ne", "/users?id_ne=1", span(2, 10)},
		{"repeated ne is AND", "/users?id_ne=1&id_ne=2&id_ne=10", span(3, 9)},
		{"ne skips null and missing", "/users?phone_ne=nobody", []int{1, 2, 4, 5, 6, 7, 9, 10}},
		{"gte numeric", "/posts?id_gte=98", []int{98, 99, 100}},
		{"lte numeric, not by string", "/posts?id_lte=9&id_gte=8", []int{8, 9}},
		{"gte non-number against numbers matches nothing", "/posts?id_gte=abc", nil},
		{"string range", "/users?name_gte=J&name_lte=L", []int{8, 10}},
		{"like is a case-insensitive regexp", "/users?name_like=^a", []int{1, 2}},
		{"like on a nested path", "/users?address.city_like=YORK", []int{3, 9}},
		{"nested equality", "/users?address.city=Boston", []int{5, 7}},
		{"nested repeated equality", "/users?address.city=Boston&address.city=London", []int{1, 5, 7}},
		{"equality is on the string form", "/todos?completed=true&userId=1", idsOf(s.Data("todos"), func(r map[string]any) bool {
			return r["completed"] == true && r["userId"] == 1
		})},
		{"unknown field is ignored", "/users?nosuchfield=1", span(1, 10)},
		{"q searches every field, case-insensitively", "/users?q=NEW%20YORK", []int{3, 9}},
		{"q searches nested objects", "/users?q=bell%20labs", []int{8}},
		{"q and a filter", "/posts?q=" + url.QueryEscape(firstWord) + "&userId=1", postsWhere(func(p map[string]any) bool {
			return p["userId"] == 1 && (strings.Contains(p["title"].(string), firstWord) || strings.Contains(p["body"].(string), firstWord))
		})},
		{"title equality", "/posts?title=" + url.QueryEscape(firstTitle), postsWhere(func(p map[string]any) bool { return p["title"] == firstTitle })},
		{"callback and _ are not filters", "/users?_=123&callback=&id=2", []int{2}},
		{"nested route", "/posts/7/comments", span(31, 35)},
		{"nested route with a filter", "/users/2/posts?id_gte=19", []int{19, 20}},
		{"nested route of a missing parent", "/users/99/todos", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, rows := getRows(t, s, tt.target)
			if tt.want == nil {
				tt.want = []int{}
			}
			assert.Equal(t, tt.want, ids(rows))
			assert.Empty(t, resp.Header.Get("X-Total-Count"), "no total without _page, _limit or _end")
		})
	}
}

func idsOf(rows []map[string]any, pred func(map[string]any) bool) []int {
	out := []int{}
	for _, r := range rows {
		if pred(r) {
			out = append(out, r["id"].(int))
		}
	}
	return out
}

func TestListInvalidRegexp(t *testing.T) {
	resp, raw := call(t, demoapi.New(), http.MethodGet, "/posts?title_like=(", "", "")
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, string(raw), "title_like")
}

func TestListSort(t *testing.T) {
	s := demoapi.New()
	tests := []struct {
		name   string
		target string
		want   []int
	}{
		{"desc", "/users?_sort=id&_order=desc", []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"by string", "/users?_sort=username", []int{1, 2, 5, 6, 4, 9, 3, 10, 8, 7}},
		{"nested path, two keys, mixed directions", "/users?_sort=address.city,name&_order=desc,asc", []int{6, 10, 9, 3, 2, 1, 5, 7, 8, 4}},
		{"order defaults to asc; order is case-insensitive", "/users?_sort=address.city,id&_order=DESC", []int{6, 10, 3, 9, 2, 1, 5, 7, 8, 4}},
		{"null then missing after values ascending", "/users?_sort=phone,id", []int{5, 2, 9, 4, 6, 1, 7, 10, 3, 8}},
		{"descending puts missing then null first", "/users?_sort=website&_order=desc", []int{6, 7, 2, 8, 10, 1, 5, 3, 4, 9}},
		{"numbers sort as numbers", "/posts?id_lte=12&_sort=id&_order=desc&_limit=4", []int{12, 11, 10, 9}},
		{"stable for ties", "/posts?userId=2&userId=1&_sort=userId&_order=desc", append(span(11, 20), span(1, 10)...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rows := getRows(t, s, tt.target)
			assert.Equal(t, tt.want, ids(rows))
		})
	}
}

func TestListPagination(t *testing.T) {
	s := demoapi.New()
	const base = "http://example.com"
	link := func(pages ...string) string {
		var parts []string
		for i := 0; i < len(pages); i += 2 {
			parts = append(parts, "<"+base+pages[i+1]+`>; rel="`+pages[i]+`"`)
		}
		return strings.Join(parts, ", ")
	}
	tests := []struct {
		name   string
		target string
		want   []int
		total  string
		link   *string
		expose string
	}{
		{
			name: "first page", target: "/posts?_page=1&_limit=20", want: span(1, 20), total: "100",
			link:   ptr(link("first", "/posts?_page=1&_limit=20", "next", "/posts?_page=2&_limit=20", "last", "/posts?_page=5&_limit=20")),
			expose: "X-Total-Count, Link",
		},
		{
			name: "middle page", target: "/posts?_page=3&_limit=20", want: span(41, 60), total: "100",
			link: ptr(link("first", "/posts?_page=1&_limit=20", "prev", "/posts?_page=2&_limit=20",
				"next", "/posts?_page=4&_limit=20", "last", "/posts?_page=5&_limit=20")),
			expose: "X-Total-Count, Link",
		},
		{
			name: "last page is short", target: "/posts?userId=1&userId=2&userId=3&_page=2&_limit=20", want: span(21, 30), total: "30",
			link: ptr(link("first", "/posts?userId=1&userId=2&userId=3&_page=1&_limit=20",
				"prev", "/posts?userId=1&userId=2&userId=3&_page=1&_limit=20",
				"last", "/posts?userId=1&userId=2&userId=3&_page=2&_limit=20")),
			expose: "X-Total-Count, Link",
		},
		{name: "past the end", target: "/posts?_page=6&_limit=20", want: []int{}, total: "100", link: ptr(""), expose: "X-Total-Count, Link"},
		{name: "one page holds all", target: "/users?_page=1&_limit=50", want: span(1, 10), total: "10", link: ptr(""), expose: "X-Total-Count, Link"},
		{
			name: "limit defaults to 10", target: "/posts?_page=2", want: span(11, 20), total: "100",
			link:   ptr(link("first", "/posts?_page=1", "prev", "/posts?_page=1", "next", "/posts?_page=3", "last", "/posts?_page=10")),
			expose: "X-Total-Count, Link",
		},
		{
			name: "page below 1 is page 1", target: "/users?_page=0&_limit=4", want: span(1, 4), total: "10",
			// json-server replaces "page=1", which the URL does not hold.
			link:   ptr(link("first", "/users?_page=0&_limit=4", "next", "/users?_page=0&_limit=4", "last", "/users?_page=0&_limit=4")),
			expose: "X-Total-Count, Link",
		},
		{name: "start and end", target: "/posts?_start=10&_end=13", want: []int{11, 12, 13}, total: "100", expose: "X-Total-Count"},
		{name: "end alone", target: "/posts?_end=2", want: []int{1, 2}, total: "100", expose: "X-Total-Count"},
		{name: "start and limit", target: "/posts?_start=97&_limit=10", want: []int{98, 99, 100}, total: "100", expose: "X-Total-Count"},
		{name: "limit alone", target: "/todos?userId=3&_limit=2", want: []int{41, 42}, total: "20", expose: "X-Total-Count"},
		{name: "negative start counts from the end", target: "/posts?_start=-2&_end=100", want: []int{99, 100}, total: "100", expose: "X-Total-Count"},
		{name: "start alone does nothing", target: "/users?_start=8", want: span(1, 10)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, base+tt.target, nil)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			require.Equal(t, http.StatusOK, rec.Code)
			var rows []map[string]any
			require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &rows))
			assert.Equal(t, tt.want, ids(rows))
			assert.Equal(t, tt.total, rec.Header().Get("X-Total-Count"))
			assert.Equal(t, tt.expose, rec.Header().Get("Access-Control-Expose-Headers"))
			links, present := rec.Header()["Link"]
			if tt.link == nil {
				assert.False(t, present, "no Link header")
			} else {
				require.True(t, present, "Link header, even when empty")
				assert.Equal(t, []string{*tt.link}, links)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestItemAndNotFound(t *testing.T) {
	s := demoapi.New()
	resp, raw := call(t, s, http.MethodGet, "/posts/42", "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json; charset=utf-8", resp.Header.Get("Content-Type"))
	var post map[string]any
	require.NoError(t, json.Unmarshal(raw, &post))
	assert.EqualValues(t, 42, post["id"])
	assert.EqualValues(t, 5, post["userId"])

	for _, target := range []string{"/posts/101", "/posts/abc", "/nothing", "/nothing/1", "/", "/posts/1/comments/2", "/a/b/c/d"} {
		t.Run(target, func(t *testing.T) {
			resp, raw := call(t, s, http.MethodGet, target, "", "")
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
			assert.JSONEq(t, `{}`, string(raw))
		})
	}
	for _, method := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete} {
		resp, raw := call(t, s, method, "/posts", "application/json", `{}`)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, "%s on a collection", method)
		assert.JSONEq(t, `{}`, string(raw))
	}

	resp, raw = call(t, s, http.MethodHead, "/posts/1", "", "")
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Empty(t, raw)
	resp, _ = call(t, s, http.MethodOptions, "/posts", "", "")
	assert.Equal(t, http.StatusNoContent, resp.StatusCode)
	assert.Contains(t, resp.Header.Get("Access-Control-Allow-Methods"), "PATCH")
}

func TestDBEndpoint(t *testing.T) {
	s := demoapi.New()
	resp, raw := call(t, s, http.MethodGet, "/db", "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var db map[string][]map[string]any
	require.NoError(t, json.Unmarshal(raw, &db))
	assert.Len(t, db["comments"], 500)
	assert.Len(t, db, 4)
}

func TestWrites(t *testing.T) {
	s := demoapi.New()

	// POST assigns the next id and answers 201 with the row and its Location.
	resp, raw := call(t, s, http.MethodPost, "/posts", "application/json", `{"userId": 3, "title": "new", "body": "b", "score": 1.5}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode, string(raw))
	assert.JSONEq(t, `{"id": 101, "userId": 3, "title": "new", "body": "b", "score": 1.5}`, string(raw))
	assert.Equal(t, "http://example.com/posts/101", resp.Header.Get("Location"))
	posts := s.Data("posts")
	require.Len(t, posts, 101)
	assert.Equal(t, map[string]any{"id": 101, "userId": 3, "title": "new", "body": "b", "score": 1.5}, posts[100],
		"integral numbers are stored as int")

	// A given id is kept; a duplicate one fails as in json-server.
	resp, raw = call(t, s, http.MethodPost, "/posts", "application/json", `{"id": 500, "title": "x"}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.JSONEq(t, `{"id": 500, "title": "x"}`, string(raw))
	resp, raw = call(t, s, http.MethodPost, "/posts", "application/json", `{"id": 500}`)
	assert.Equal(t, http.StatusInternalServerError, resp.StatusCode)
	assert.Contains(t, string(raw), "duplicate id")
	resp, raw = call(t, s, http.MethodPost, "/posts", "application/json", `{"id": 0, "title": "falsy id"}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.JSONEq(t, `{"id": 501, "title": "falsy id"}`, string(raw))

	// A body that is not JSON is ignored, as json-server's body parser does.
	resp, raw = call(t, s, http.MethodPost, "/todos", "text/plain", `{"title": "ignored"}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.JSONEq(t, `{"id": 201}`, string(raw))
	// Forms are read.
	resp, raw = call(t, s, http.MethodPost, "/todos", "application/x-www-form-urlencoded", `title=form&tag=a&tag=b`)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.JSONEq(t, `{"id": 202, "title": "form", "tag": ["a", "b"]}`, string(raw))

	// Malformed bodies.
	for _, body := range []string{`{"title":`, `[1, 2]`, `"text"`, `{} {}`} {
		resp, raw = call(t, s, http.MethodPost, "/posts", "application/json", body)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "body %s", body)
		assert.Contains(t, string(raw), "demoapi: request body", "body %s", body)
	}

	// A nested POST sets the parent's key, as a string like json-server.
	resp, raw = call(t, s, http.MethodPost, "/posts/9/comments", "application/json", `{"name": "nested"}`)
	require.Equal(t, http.StatusCreated, resp.StatusCode)
	assert.JSONEq(t, `{"id": 501, "postId": "9", "name": "nested"}`, string(raw))
	_, rows := getRows(t, s, "/posts/9/comments")
	assert.Equal(t, []int{41, 42, 43, 44, 45, 501}, ids(rows))

	// PATCH merges and keeps the id.
	resp, raw = call(t, s, http.MethodPatch, "/posts/1", "application/json", `{"title": "patched", "id": 77}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var patched map[string]any
	require.NoError(t, json.Unmarshal(raw, &patched))
	assert.Equal(t, "patched", patched["title"])
	assert.EqualValues(t, 1, patched["id"])
	assert.EqualValues(t, 1, patched["userId"], "PATCH keeps the fields it does not name")

	// PUT replaces and keeps the id.
	resp, raw = call(t, s, http.MethodPut, "/posts/2", "application/json", `{"title": "replaced"}`)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{"id": 2, "title": "replaced"}`, string(raw))
	assert.Equal(t, map[string]any{"id": 2, "title": "replaced"}, s.Data("posts")[1])

	for _, method := range []string{http.MethodPut, http.MethodPatch, http.MethodDelete} {
		resp, raw = call(t, s, method, "/posts/9999", "application/json", `{"title": "x"}`)
		assert.Equal(t, http.StatusNotFound, resp.StatusCode, method)
		assert.JSONEq(t, `{}`, string(raw), method)
	}

	// DELETE answers {} and removes the rows that referred to the row.
	resp, raw = call(t, s, http.MethodDelete, "/posts/3", "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.JSONEq(t, `{}`, string(raw))
	resp, _ = call(t, s, http.MethodGet, "/posts/3", "", "")
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	_, rows = getRows(t, s, "/comments?postId=3")
	assert.Empty(t, rows, "comments of a deleted post are deleted")

	// Deleting a user removes its posts and todos in one pass; the comments
	// of those posts stay, as in json-server.
	resp, _ = call(t, s, http.MethodDelete, "/users/10", "", "")
	require.Equal(t, http.StatusOK, resp.StatusCode)
	_, rows = getRows(t, s, "/posts?userId=10")
	assert.Empty(t, rows)
	_, rows = getRows(t, s, "/todos?userId=10")
	assert.Empty(t, rows)
	_, rows = getRows(t, s, "/comments?postId=100")
	assert.Len(t, rows, 5)

	// Reset brings the original data back.
	s.Reset()
	assert.Equal(t, demoapi.New().DB(), s.DB())
	assert.Empty(t, s.Requests())
}

func TestWritesAreConcurrencySafe(t *testing.T) {
	s := demoapi.New()
	done := make(chan struct{})
	for i := 0; i < 8; i++ {
		go func() {
			defer func() { done <- struct{}{} }()
			for j := 0; j < 10; j++ {
				req := httptest.NewRequest(http.MethodPost, "/todos", strings.NewReader(`{"title":"t"}`))
				req.Header.Set("Content-Type", "application/json")
				s.ServeHTTP(httptest.NewRecorder(), req)
				s.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest(http.MethodGet, "/todos?_page=2", nil))
			}
		}()
	}
	for i := 0; i < 8; i++ {
		<-done
	}
	todos := s.Data("todos")
	require.Len(t, todos, 280)
	got := ids(todos)
	sort.Ints(got)
	assert.Equal(t, span(1, 280), got, "every insert got its own id")
	assert.Len(t, s.Requests(), 160)
}

func TestRecordedRequests(t *testing.T) {
	s := demoapi.New()
	req := httptest.NewRequest(http.MethodGet, "/posts?userId=1&userId=2&_page=1", nil)
	req.Header.Set("Authorization", "Bearer t0k")
	s.ServeHTTP(httptest.NewRecorder(), req)
	req = httptest.NewRequest(http.MethodPost, "/posts/1/comments", strings.NewReader(`{"a":1}`))
	req.Header.Set("Content-Type", "application/json")
	s.ServeHTTP(httptest.NewRecorder(), req)

	got := s.Requests()
	require.Len(t, got, 2)
	assert.Equal(t, http.MethodGet, got[0].Method)
	assert.Equal(t, "/posts", got[0].Path)
	assert.Equal(t, "userId=1&userId=2&_page=1", got[0].RawQuery)
	assert.Equal(t, url.Values{"userId": {"1", "2"}, "_page": {"1"}}, got[0].Query)
	assert.Equal(t, "Bearer t0k", got[0].Header.Get("Authorization"))
	assert.Empty(t, got[0].Body)
	assert.Equal(t, http.MethodPost, got[1].Method)
	assert.Equal(t, "/posts/1/comments", got[1].Path)
	assert.Equal(t, url.Values{}, got[1].Query, "the nested route's key is not recorded as a parameter")
	assert.Equal(t, `{"a":1}`, string(got[1].Body))

	// The result is a copy.
	got[0].Query.Set("userId", "9")
	got[0].Header.Set("Authorization", "x")
	got[1].Body[0] = 'X'
	again := s.Requests()
	assert.Equal(t, []string{"1", "2"}, again[0].Query["userId"])
	assert.Equal(t, "Bearer t0k", again[0].Header.Get("Authorization"))
	assert.Equal(t, `{"a":1}`, string(again[1].Body))

	s.ResetRequests()
	assert.Empty(t, s.Requests())
	call(t, s, http.MethodGet, "/nothing", "", "")
	require.Len(t, s.Requests(), 1, "requests that fail are recorded too")
}

func TestGzip(t *testing.T) {
	s := demoapi.New()
	req := httptest.NewRequest(http.MethodGet, "/posts", nil)
	req.Header.Set("Accept-Encoding", "gzip, deflate")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	require.Equal(t, "gzip", rec.Header().Get("Content-Encoding"))
	zr, err := gzip.NewReader(rec.Body)
	require.NoError(t, err)
	raw, err := io.ReadAll(zr)
	require.NoError(t, err)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(raw, &rows))
	assert.Len(t, rows, 100)

	// Small bodies and clients that do not ask are not compressed.
	for _, tc := range []struct{ target, accept string }{{"/posts/1", "gzip"}, {"/posts", ""}, {"/posts", "gzip;q=0"}} {
		req := httptest.NewRequest(http.MethodGet, tc.target, nil)
		req.Header.Set("Accept-Encoding", tc.accept)
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)
		assert.Empty(t, rec.Header().Get("Content-Encoding"), "%s with %q", tc.target, tc.accept)
		assert.True(t, json.Valid(rec.Body.Bytes()))
	}
}

func TestStartAndDelay(t *testing.T) {
	rs, err := demoapi.Start()
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(rs.URL, "http://127.0.0.1:"), rs.URL)

	resp, err := http.Get(rs.URL + "/posts?_page=2&_limit=5")
	require.NoError(t, err)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, "100", resp.Header.Get("X-Total-Count"))
	assert.Contains(t, resp.Header.Get("Link"), "<"+rs.URL+`/posts?_page=3&_limit=5>; rel="next"`)
	var rows []map[string]any
	require.NoError(t, json.Unmarshal(raw, &rows))
	assert.Equal(t, span(6, 10), ids(rows))
	require.Len(t, rs.Requests(), 1, "Running embeds the Server")

	// _delay waits, and a cancelled request stops waiting.
	start := time.Now()
	resp, err = http.Get(rs.URL + "/users/1?_delay=150")
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.GreaterOrEqual(t, time.Since(start), 150*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rs.URL+"/users?_delay=60000", nil)
	require.NoError(t, err)
	start = time.Now()
	_, err = http.DefaultClient.Do(req)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	require.NoError(t, rs.Close())
	assert.Less(t, time.Since(start), 5*time.Second, "Close does not wait for the cancelled delay")
	require.NoError(t, rs.Close(), "Close twice")
	_, err = http.Get(rs.URL + "/users")
	require.Error(t, err, "closed")
}

func TestListenRefusesNonLoopback(t *testing.T) {
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.com:80", "nonsense"} {
		_, err := demoapi.New().Listen(addr)
		require.Error(t, err, addr)
		assert.Contains(t, err.Error(), "demoapi: listen address", addr)
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:0"} {
		rs, err := demoapi.New().Listen(addr)
		require.NoError(t, err, addr)
		require.NoError(t, rs.Close())
	}
}

func TestBodyTooLarge(t *testing.T) {
	big := bytes.Repeat([]byte("a"), 10<<20+1)
	req := httptest.NewRequest(http.MethodPost, "/posts", bytes.NewReader(big))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	demoapi.New().ServeHTTP(rec, req)
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
}
