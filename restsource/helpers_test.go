package restsource

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// request is what a test server saw.
type request struct {
	Method string
	Path   string
	Query  url.Values
	Raw    string // raw query
	Header http.Header
}

// recorder records every request a test server receives.
type recorder struct {
	mu   sync.Mutex
	reqs []request
}

func (rc *recorder) record(r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.reqs = append(rc.reqs, request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Raw: r.URL.RawQuery, Header: r.Header.Clone()})
}

func (rc *recorder) all() []request {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]request(nil), rc.reqs...)
}

func (rc *recorder) count() int {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return len(rc.reqs)
}

// paths lists "path?rawquery" of every request, in order.
func (rc *recorder) paths() []string {
	var out []string
	for _, r := range rc.all() {
		s := r.Path
		if r.Raw != "" {
			s += "?" + r.Raw
		}
		out = append(out, s)
	}
	return out
}

// serve starts a recording test server (127.0.0.1 only).
func serve(t *testing.T, h http.HandlerFunc) (*httptest.Server, *recorder) {
	t.Helper()
	rc := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.record(r)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, rc
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

type post struct {
	ID     int    `json:"id"`
	UserID int    `json:"userId"`
	Title  string `json:"title"`
	Body   string `json:"body"`
}

// posts are 25 posts by 5 users.
func posts() []post {
	var ps []post
	for i := 1; i <= 25; i++ {
		ps = append(ps, post{ID: i, UserID: (i-1)/5 + 1, Title: "post " + strconv.Itoa(i), Body: "body " + strconv.Itoa(i)})
	}
	return ps
}

// jsonServer mimics json-server's /posts, /posts/{id} and
// /posts/{id}/comments: filters userId and id (repeatable), _sort/_order,
// _page/_limit (or _limit alone), X-Total-Count.
func jsonServer(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if parts[0] != "posts" {
		http.NotFound(w, r)
		return
	}
	all := posts()
	if len(parts) >= 2 {
		id, err := strconv.Atoi(parts[1])
		if err != nil || id < 1 || id > len(all) {
			w.WriteHeader(http.StatusNotFound)
			writeJSON(w, map[string]any{})
			return
		}
		if len(parts) == 2 {
			writeJSON(w, all[id-1])
			return
		}
		writeJSON(w, []map[string]any{
			{"id": id*10 + 1, "postId": id, "body": "c1"},
			{"id": id*10 + 2, "postId": id, "body": "c2"},
		})
		return
	}
	q := r.URL.Query()
	var out []post
	for _, p := range all {
		if vs, ok := q["userId"]; ok && !contains(vs, strconv.Itoa(p.UserID)) {
			continue
		}
		if vs, ok := q["id"]; ok && !contains(vs, strconv.Itoa(p.ID)) {
			continue
		}
		out = append(out, p)
	}
	if s := q.Get("_sort"); s != "" {
		desc := q.Get("_order") == "desc"
		cmp := func(a, b post) int {
			if s == "title" {
				return strings.Compare(a.Title, b.Title)
			}
			return a.ID - b.ID
		}
		sort.SliceStable(out, func(i, j int) bool {
			if desc {
				return cmp(out[i], out[j]) > 0
			}
			return cmp(out[i], out[j]) < 0
		})
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(len(out)))
	limit, _ := strconv.Atoi(q.Get("_limit"))
	if pg := q.Get("_page"); pg != "" {
		page, _ := strconv.Atoi(pg)
		if limit == 0 {
			limit = 10
		}
		start := (page - 1) * limit
		if start > len(out) || start < 0 {
			start = len(out)
		}
		out = out[start:min(start+limit, len(out))]
	} else if limit > 0 && limit < len(out) {
		out = out[:limit]
	}
	if out == nil {
		out = []post{}
	}
	writeJSON(w, out)
}

func contains(vs []string, s string) bool {
	for _, v := range vs {
		if v == s {
			return true
		}
	}
	return false
}

func eq(param string, exact bool) map[string]*catalog.Filter {
	return map[string]*catalog.Filter{"=": {Param: param, Value: "{}", Exact: exact}}
}

// postsCatalog is a json-server catalog with page pagination (_page,
// _limit, 10 per page) and two tables: posts and comments_by_post.
func postsCatalog(baseURL string) (*catalog.Catalog, *catalog.Table, *catalog.Table) {
	postsT := &catalog.Table{
		Name: "posts", SchemaName: "API", CatalogName: "API1", URL: "/posts",
		Columns: []*catalog.Column{
			{Name: "id", Path: "id", Type: "int", Key: true, Filters: eq("id", true)},
			{Name: "userId", Path: "userId", Type: "int", Filters: map[string]*catalog.Filter{
				"=":  {Param: "userId", Value: "{}", Exact: true},
				"IN": {Param: "userId", Value: "{}", Repeat: true, Exact: true},
			}},
			{Name: "title", Path: "title", Type: "string"},
			{Name: "body", Path: "body", Type: "string"},
		},
		Sort:  &catalog.Sort{Param: "_sort", Order: "_order"},
		Limit: &catalog.Limit{Param: "_limit"},
		Get:   &catalog.Get{URL: "/posts/{id}"},
	}
	comments := &catalog.Table{
		Name: "comments_by_post", SchemaName: "API", CatalogName: "API1", URL: "/posts/{postId}/comments",
		Columns: []*catalog.Column{
			{Name: "id", Path: "id", Type: "int"},
			{Name: "postId", Path: "postId", Type: "int"},
			{Name: "body", Path: "body", Type: "string"},
		},
	}
	cat := &catalog.Catalog{
		Name: "API1", URL: baseURL,
		Pagination: &catalog.Pagination{Type: "page", PageParam: "_page", SizeParam: "_limit", PageSize: 10},
		Schemas:    map[string]*catalog.Schema{"API": {Name: "API", Tables: map[string]*catalog.Table{"posts": postsT, "comments_by_post": comments}}},
	}
	return cat, postsT, comments
}

func newSource(t *testing.T, cat *catalog.Catalog, tbl *catalog.Table, opts Options) *Source {
	t.Helper()
	s, err := New(cat, tbl, opts)
	require.NoError(t, err)
	return s
}

// scanAll plans and scans q and returns every row.
func scanAll(t *testing.T, s *Source, q Query) ([][]any, Stats) {
	t.Helper()
	p, err := s.Plan(q)
	require.NoError(t, err)
	rows, err := s.Scan(context.Background(), p)
	require.NoError(t, err)
	defer rows.Close()
	out := collect(t, rows, len(p.Columns()))
	return out, rows.Stats()
}

// openScan plans q on s and starts the scan, closed when the test ends.
func openScan(t *testing.T, s *Source, q Query) *Rows {
	t.Helper()
	p, err := s.Plan(q)
	require.NoError(t, err)
	rows, err := s.Scan(context.Background(), p)
	require.NoError(t, err)
	t.Cleanup(func() { rows.Close() })
	return rows
}

func collect(t *testing.T, rows *Rows, n int) [][]any {
	t.Helper()
	var out [][]any
	for {
		dest := make([]any, n)
		err := rows.Next(dest)
		if err == io.EOF {
			return out
		}
		require.NoError(t, err)
		out = append(out, dest)
	}
}

// column returns column i of rows.
func column(rows [][]any, i int) []any {
	out := make([]any, len(rows))
	for j, r := range rows {
		out[j] = r[i]
	}
	return out
}

func ints(ns ...int) []any {
	out := make([]any, len(ns))
	for i, n := range ns {
		out[i] = int64(n)
	}
	return out
}

func seq(from, to int) []any {
	var out []any
	for i := from; i <= to; i++ {
		out = append(out, int64(i))
	}
	return out
}

// syncBuffer is a goroutine-safe log sink.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func newJSONLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
