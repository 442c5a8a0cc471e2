package restsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/auth"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/pagination"
)

// waitFor fails the test when ch is not closed within a generous bound; it
// guards against hangs and is never a timing assertion.
func waitFor(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
	}
}

func TestScanPostsPushdown(t *testing.T) {
	srv, rec := serve(t, jsonServer)
	cat, posts, _ := postsCatalog(srv.URL)
	s := newSource(t, cat, posts, Options{})
	tests := []struct {
		name  string
		q     Query
		ids   []any
		paths []string
	}{
		{
			name:  "all pages, stops on the short page",
			q:     Query{Limit: -1},
			ids:   seq(1, 25),
			paths: []string{"/posts?_page=1&_limit=10", "/posts?_page=2&_limit=10", "/posts?_page=3&_limit=10"},
		},
		{
			name: "= pushed",
			q:    Query{Limit: -1, Predicates: []Predicate{{Column: "userId", Op: "=", Values: []any{int64(2)}}}},
			ids:  seq(6, 10),
			// The first page is short (5 < 10) and the profile declares
			// neither maxPageSize nor a total: one more request confirms
			// that it was the last (the API might cap pages at 5).
			paths: []string{"/posts?userId=2&_page=1&_limit=10", "/posts?userId=2&_page=2&_limit=10"},
		},
		{
			name:  "= pushed, a declared maxPageSize trusts the short page",
			q:     Query{Limit: -1, Predicates: []Predicate{{Column: "userId", Op: "=", Values: []any{int64(2)}}}},
			ids:   seq(6, 10),
			paths: []string{"/posts?userId=2&_page=1&_limit=10"},
		},
		{
			name:  "IN repeat, sort and limit pushed",
			q:     Query{Limit: 3, Predicates: []Predicate{{Column: "userId", Op: "IN", Values: []any{int64(1), int64(3)}}}, Sort: []SortKey{{Column: "id", Desc: true}}},
			ids:   ints(15, 14, 13),
			paths: []string{"/posts?userId=1&userId=3&_sort=id&_order=desc&_limit=3&_page=1"},
		},
		{
			name:  "limit over two pages",
			q:     Query{Limit: 15},
			ids:   seq(1, 15),
			paths: []string{"/posts?_limit=10&_page=1", "/posts?_limit=10&_page=2"},
		},
		{
			name:  "exact multiple of the page size stops on the empty page",
			q:     Query{Limit: -1, Predicates: []Predicate{{Column: "userId", Op: "IN", Values: []any{int64(1), int64(2)}}}},
			ids:   seq(1, 10),
			paths: []string{"/posts?userId=1&userId=2&_page=1&_limit=10", "/posts?userId=1&userId=2&_page=2&_limit=10"},
		},
		{
			name:  "get lookup per key, 404 is no row",
			q:     Query{Limit: -1, Predicates: []Predicate{{Column: "id", Op: "IN", Values: []any{int64(4), int64(99), int64(2)}}}},
			ids:   ints(4, 2),
			paths: []string{"/posts/4", "/posts/99", "/posts/2"},
		},
	}
	capped := *cat
	capped.Pagination = &catalog.Pagination{Type: "page", PageParam: "_page", SizeParam: "_limit", PageSize: 10, MaxPageSize: 10}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := s
			if strings.Contains(tt.name, "maxPageSize") {
				s = newSource(t, &capped, posts, Options{})
			}
			before := rec.count()
			rows, st := scanAll(t, s, tt.q)
			assert.Equal(t, tt.ids, column(rows, 0))
			got := rec.paths()[before:]
			if strings.Contains(tt.name, "get lookup") {
				assert.ElementsMatch(t, tt.paths, got)
			} else {
				assert.Equal(t, tt.paths, got)
			}
			assert.Equal(t, int64(len(tt.paths)), st.Requests)
			assert.Equal(t, int64(len(tt.ids)), st.Rows)
			for _, r := range rec.all()[before:] {
				assert.Equal(t, http.MethodGet, r.Method)
				assert.Equal(t, "application/json", r.Header.Get("Accept"))
			}
		})
	}
}

func TestScanRowsAndFill(t *testing.T) {
	srv, rec := serve(t, jsonServer)
	cat, posts, comments := postsCatalog(srv.URL)
	t.Run("get returns the object as one row with every column", func(t *testing.T) {
		s := newSource(t, cat, posts, Options{})
		rows, _ := scanAll(t, s, Query{Limit: -1, Columns: []string{"title", "ID", "userId"}, Predicates: []Predicate{{Column: "id", Op: "=", Values: []any{int64(7)}}}})
		assert.Equal(t, [][]any{{"post 7", int64(7), int64(2)}}, rows)
	})
	t.Run("fan-out fills a missing key column", func(t *testing.T) {
		// The comments lack postId here: the key value fills it.
		c := *comments
		c.Columns = []*catalog.Column{{Name: "id", Type: "int"}, {Name: "postId", Path: "nope", Type: "int"}, {Name: "body"}}
		s := newSource(t, cat, &c, Options{MaxConcurrency: 1})
		before := rec.count()
		rows, st := scanAll(t, s, Query{Limit: -1, Predicates: []Predicate{{Column: "postId", Op: "IN", Values: []any{"3", int64(1)}}}})
		assert.Equal(t, [][]any{
			{int64(31), int64(3), "c1"}, {int64(32), int64(3), "c2"},
			{int64(11), int64(1), "c1"}, {int64(12), int64(1), "c2"},
		}, rows)
		// This API ignores _page on /posts/{id}/comments: the request
		// that confirms each short first page gets that page again,
		// which shows that the first page held every row; its rows are
		// dropped, not read twice.
		assert.Equal(t, []string{
			"/posts/3/comments?_page=1&_limit=10", "/posts/3/comments?_page=2&_limit=10",
			"/posts/1/comments?_page=1&_limit=10", "/posts/1/comments?_page=2&_limit=10",
		}, rec.paths()[before:])
		assert.Equal(t, Stats{Requests: 4, Pages: 4, Rows: 4}, st)
	})
	t.Run("limit 0 makes no request", func(t *testing.T) {
		s := newSource(t, cat, posts, Options{})
		before := rec.count()
		rows, st := scanAll(t, s, Query{Limit: 0})
		assert.Empty(t, rows)
		assert.Equal(t, Stats{}, st)
		assert.Equal(t, before, rec.count())
	})
	t.Run("key bound to NULL makes no request", func(t *testing.T) {
		s := newSource(t, cat, comments, Options{})
		before := rec.count()
		rows, _ := scanAll(t, s, Query{Limit: -1, Predicates: []Predicate{{Column: "postId", Op: "=", Values: []any{nil}}}})
		assert.Empty(t, rows)
		assert.Equal(t, before, rec.count())
	})
}

// pager serves items 1..n in pages for every pagination type.
func pager(n int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		size := 3
		if v := q.Get("size"); v != "" {
			size, _ = strconv.Atoi(v)
		}
		start := 0
		switch {
		case q.Get("offset") != "":
			start, _ = strconv.Atoi(q.Get("offset"))
		case q.Get("page") != "":
			p, _ := strconv.Atoi(q.Get("page"))
			start = (p - 1) * size
		case q.Get("cursor") != "":
			start, _ = strconv.Atoi(strings.TrimPrefix(q.Get("cursor"), "c"))
		}
		end := min(start+size, n)
		start = min(start, n)
		var items []map[string]any
		for i := start; i < end; i++ {
			items = append(items, map[string]any{"id": i + 1})
		}
		body := map[string]any{"items": items, "total": n, "more": end < n}
		if end < n {
			body["cursor"] = "c" + strconv.Itoa(end)
			body["next"] = "?cursor=c" + strconv.Itoa(end) + "&size=" + strconv.Itoa(size)
			w.Header().Add("Link", fmt.Sprintf(`<%s?cursor=c%d&size=%d>; rel="next"`, r.URL.Path, end, size))
		}
		w.Header().Set("X-Total-Count", strconv.Itoa(n))
		writeJSON(w, body)
	}
}

func TestScanPaginationTypes(t *testing.T) {
	tests := []struct {
		name  string
		p     catalog.Pagination
		n     int
		limit int64
		paths []string
	}{
		{"none", catalog.Pagination{Type: "none"}, 7, -1, []string{"/items"}},
		{"offset", catalog.Pagination{Type: "offset", SizeParam: "size", PageSize: 3}, 7, -1, []string{"/items?offset=0&size=3", "/items?offset=3&size=3", "/items?offset=6&size=3"}},
		{"offset, limit shrinks the last page", catalog.Pagination{Type: "offset", SizeParam: "size", PageSize: 3}, 7, 5, []string{"/items?offset=0&size=3", "/items?offset=3&size=2"}},
		{"page", catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 3}, 7, -1, []string{"/items?page=1&size=3", "/items?page=2&size=3", "/items?page=3&size=3"}},
		{"page, exact multiple", catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 3}, 6, -1, []string{"/items?page=1&size=3", "/items?page=2&size=3", "/items?page=3&size=3"}},
		{"page, total header", catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 3, TotalHeader: "X-Total-Count"}, 6, -1, []string{"/items?page=1&size=3", "/items?page=2&size=3"}},
		{"page, total path", catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 3, TotalPath: "total"}, 6, -1, []string{"/items?page=1&size=3", "/items?page=2&size=3"}},
		{"page, has more", catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 3, HasMorePath: "more"}, 6, -1, []string{"/items?page=1&size=3", "/items?page=2&size=3"}},
		{"cursor", catalog.Pagination{Type: "cursor", CursorPath: "cursor", CursorParam: "cursor"}, 7, -1, []string{"/items", "/items?cursor=c3", "/items?cursor=c6"}},
		{"nextURL, relative", catalog.Pagination{Type: "nextURL", NextPath: "next", SizeParam: "size", PageSize: 2}, 5, -1, []string{"/items?size=2", "/items?cursor=c2&size=2", "/items?cursor=c4&size=2"}},
		// Response buffers are reused from page to page whatever the
		// type: the next URLs and cursors must not share their bytes.
		{"cursor, six pages", catalog.Pagination{Type: "cursor", CursorPath: "cursor", CursorParam: "cursor"}, 16, -1,
			[]string{"/items", "/items?cursor=c3", "/items?cursor=c6", "/items?cursor=c9", "/items?cursor=c12", "/items?cursor=c15"}},
		{"nextURL, six pages", catalog.Pagination{Type: "nextURL", NextPath: "next", SizeParam: "size", PageSize: 2}, 11, -1,
			[]string{"/items?size=2", "/items?cursor=c2&size=2", "/items?cursor=c4&size=2", "/items?cursor=c6&size=2", "/items?cursor=c8&size=2", "/items?cursor=c10&size=2"}},
		{"linkHeader", catalog.Pagination{Type: "linkHeader", SizeParam: "size", PageSize: 4}, 7, -1, []string{"/items?size=4", "/items?cursor=c4&size=4"}},
		{"linkHeader, limit", catalog.Pagination{Type: "linkHeader", SizeParam: "size", PageSize: 4}, 7, 2, []string{"/items?size=2"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := serve(t, pager(tt.n))
			p := tt.p
			cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: &p}
			tbl := idTable()
			s := newSource(t, cat, tbl, Options{})
			rows, st := scanAll(t, s, Query{Limit: tt.limit})
			want := tt.n
			if tt.limit >= 0 && int(tt.limit) < want {
				want = int(tt.limit)
			}
			if tt.name == "none" {
				want = 3
			}
			assert.Equal(t, seq(1, want), column(rows, 0))
			assert.Equal(t, tt.paths, rec.paths())
			assert.Equal(t, int64(len(tt.paths)), st.Requests)
			assert.Equal(t, int64(len(tt.paths)), st.Pages)
		})
	}
}

func TestScanMaxPagesAndPageSizeOverride(t *testing.T) {
	srv, rec := serve(t, pager(20))
	cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: &catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 3}}
	tbl := idTable()
	s := newSource(t, cat, tbl, Options{MaxPages: 2, PageSize: 4})
	rows, st := scanAll(t, s, Query{Limit: -1})
	assert.Equal(t, seq(1, 8), column(rows, 0))
	assert.Equal(t, []string{"/items?page=1&size=4", "/items?page=2&size=4"}, rec.paths())
	assert.Equal(t, Stats{Requests: 2, Pages: 2, Rows: 8}, st)
}

func TestScanRepeatedNextURL(t *testing.T) {
	srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
		// The next URL echoes the key and repeats the first page.
		writeJSON(w, map[string]any{"items": []map[string]any{{"id": 1}}, "next": "/items?api_key=s3cret&p=1"})
	})
	cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: &catalog.Pagination{Type: "nextURL", NextPath: "next"}}
	tbl := idTable()
	s := newSource(t, cat, tbl, Options{})
	rows := openScan(t, s, Query{Limit: -1})
	dest := make([]any, 1)
	require.NoError(t, rows.Next(dest))
	require.NoError(t, rows.Next(dest))
	err := rows.Next(dest)
	require.Error(t, err)
	var le *pagination.LoopError
	require.ErrorAs(t, err, &le)
	assert.Contains(t, err.Error(), "repeated next URL")
	assert.Contains(t, err.Error(), "restsource: table C.items: GET "+srv.URL+"/items?api_key=***&p=1: pagination: nextURL: page 2")
	assert.NotContains(t, err.Error(), "s3cret")
	assert.Equal(t, err, rows.Next(dest), "the error is sticky")
	assert.Equal(t, 2, rec.count())
}

func TestScanLimitStopsEarly(t *testing.T) {
	srv, rec := serve(t, jsonServer)
	cat, posts, _ := postsCatalog(srv.URL)
	posts.Limit = nil // the limit is not sent: the scan still stops
	s := newSource(t, cat, posts, Options{})
	for _, noPrefetch := range []bool{false, true} {
		t.Run(fmt.Sprint("noPrefetch=", noPrefetch), func(t *testing.T) {
			before := rec.count()
			p, err := s.Plan(Query{Limit: 10, NoPrefetch: noPrefetch})
			require.NoError(t, err)
			assert.False(t, p.LimitPushed)
			rows, err := s.Scan(context.Background(), p)
			require.NoError(t, err)
			got := collect(t, rows, 4)
			assert.Len(t, got, 10)
			require.NoError(t, rows.Close())
			// The first page held the 10 rows: no second page, not even prefetched.
			assert.Equal(t, []string{"/posts?_page=1&_limit=10"}, rec.paths()[before:])
			assert.Equal(t, Stats{Requests: 1, Pages: 1, Rows: 10}, rows.Stats())
		})
	}
	t.Run("limit mid-page", func(t *testing.T) {
		before := rec.count()
		rows, st := scanAll(t, s, Query{Limit: 4})
		assert.Equal(t, seq(1, 4), column(rows, 0))
		assert.Equal(t, []string{"/posts?_page=1&_limit=4"}, rec.paths()[before:])
		assert.Equal(t, int64(1), st.Requests)
	})
	t.Run("fan-out limit applies to the total", func(t *testing.T) {
		c := *posts
		c.Get = nil
		c.URL = "/posts?userId={userId}"
		s := newSource(t, cat, &c, Options{MaxConcurrency: 1})
		before := rec.count()
		rows, st := scanAll(t, s, Query{Limit: 7, Predicates: []Predicate{{Column: "userId", Op: "IN", Values: []any{int64(2), int64(4), int64(5)}}}})
		assert.Equal(t, []any{int64(6), int64(7), int64(8), int64(9), int64(10), int64(16), int64(17)}, column(rows, 0))
		// Stream 3 is never read: streams 1 and 2 fetched enough rows.
		// Stream 1's short first page (5 of 7) is confirmed by an empty
		// second page (no maxPageSize, no total); stream 2's first page
		// holds the 2 rows still wanted.
		got := rec.paths()[before:]
		assert.Equal(t, []string{"/posts?userId=2&_page=1&_limit=7", "/posts?userId=2&_page=2&_limit=7", "/posts?userId=4&_page=1&_limit=7"}, got)
		assert.Equal(t, int64(7), st.Rows)
	})
}

func TestScanNoPrefetch(t *testing.T) {
	srv, rec := serve(t, jsonServer)
	cat, posts, _ := postsCatalog(srv.URL)
	s := newSource(t, cat, posts, Options{})
	rows := openScan(t, s, Query{Limit: -1, NoPrefetch: true})
	dest := make([]any, 4)
	for i := 0; i < 10; i++ {
		require.NoError(t, rows.Next(dest))
	}
	assert.Equal(t, 1, rec.count(), "no page is fetched before it is needed")
	require.NoError(t, rows.Next(dest))
	assert.Equal(t, int64(11), dest[0])
	assert.Equal(t, 2, rec.count())
}

func TestScanPrefetches(t *testing.T) {
	second := make(chan struct{})
	release := make(chan struct{})
	var once, released sync.Once
	srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("_page") == "2" {
			once.Do(func() { close(second) })
			<-release
		}
		jsonServer(w, r)
	})
	t.Cleanup(func() { released.Do(func() { close(release) }) })
	cat, posts, _ := postsCatalog(srv.URL)
	s := newSource(t, cat, posts, Options{})
	rows := openScan(t, s, Query{Limit: -1})
	// Page 2 is requested while page 1 is still unread.
	waitFor(t, second, "the prefetch of page 2")
	dest := make([]any, 4)
	require.NoError(t, rows.Next(dest))
	assert.Equal(t, int64(1), dest[0])
	// Without a total the walk is sequential: page 3 is not asked for
	// before page 2 has arrived.
	assert.Equal(t, 2, rec.count())
	released.Do(func() { close(release) })
	for i := 2; i <= 11; i++ {
		require.NoError(t, rows.Next(dest))
	}
	assert.Equal(t, int64(11), dest[0])
}

func TestScanFanOutConcurrency(t *testing.T) {
	const conc = 3
	var inFlight, maxInFlight atomic.Int32
	gate := make(chan struct{})
	var gateOnce sync.Once
	srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for {
			m := maxInFlight.Load()
			if n <= m || maxInFlight.CompareAndSwap(m, n) {
				break
			}
		}
		if n >= conc {
			gateOnce.Do(func() { close(gate) })
		}
		select { // hold the first requests until conc are in flight
		case <-gate:
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
		id := strings.TrimPrefix(r.URL.Path, "/users/")
		writeJSON(w, []map[string]any{{"user": id, "n": 1}, {"user": id, "n": 2}})
	})
	cat := &catalog.Catalog{Name: "C", URL: srv.URL}
	tbl := &catalog.Table{Name: "by_user", URL: "/users/{user}", Columns: []*catalog.Column{{Name: "user", Type: "int"}, {Name: "n", Type: "int"}}}
	s := newSource(t, cat, tbl, Options{MaxConcurrency: conc})
	var keys []any
	for i := 10; i > 0; i-- {
		keys = append(keys, int64(i))
	}
	rows, st := scanAll(t, s, Query{Limit: -1, Predicates: []Predicate{{Column: "user", Op: "IN", Values: keys}}})
	var want [][]any
	for i := 10; i > 0; i-- {
		want = append(want, []any{int64(i), int64(1)}, []any{int64(i), int64(2)})
	}
	assert.Equal(t, want, rows, "rows come in value order")
	assert.Equal(t, 10, rec.count(), "one request per value")
	assert.Equal(t, int32(conc), maxInFlight.Load(), "concurrency is bounded")
	assert.Equal(t, Stats{Requests: 10, Pages: 10, Rows: 20}, st)
}

func TestScanCancel(t *testing.T) {
	transport := &http.Transport{DisableKeepAlives: true}
	t.Cleanup(transport.CloseIdleConnections)
	client := &http.Client{Transport: transport}
	blocked := make(chan struct{}, 10)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("_page") != "1" || r.URL.Query().Get("block") != "" {
			blocked <- struct{}{}
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		jsonServer(w, r)
	})
	cat, posts, _ := postsCatalog(srv.URL)
	s := newSource(t, cat, posts, Options{Client: client})
	baseline := runtime.NumGoroutine()

	t.Run("during Next", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		p, err := s.Plan(Query{Limit: -1})
		require.NoError(t, err)
		rows, err := s.Scan(ctx, p)
		require.NoError(t, err)
		dest := make([]any, 4)
		for i := 0; i < 10; i++ {
			require.NoError(t, rows.Next(dest))
		}
		<-blocked // page 2 is being fetched and blocks
		done := make(chan error)
		go func() { done <- rows.Next(dest) }()
		cancel()
		var err2 error
		select {
		case err2 = <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("Next did not return after cancel")
		}
		require.ErrorIs(t, err2, context.Canceled)
		require.ErrorIs(t, rows.Next(dest), context.Canceled)
		closed := make(chan struct{})
		go func() { _ = rows.Close(); close(closed) }()
		waitFor(t, closed, "Close")
	})
	t.Run("during Scan", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		tbl := *posts
		tbl.Params = map[string]string{"block": "1"}
		s := newSource(t, cat, &tbl, Options{Client: client})
		p, err := s.Plan(Query{Limit: -1})
		require.NoError(t, err)
		go func() { <-blocked; cancel() }()
		rows, err := s.Scan(ctx, p)
		require.ErrorIs(t, err, context.Canceled)
		assert.Nil(t, rows)
	})
	t.Run("Close stops the prefetch", func(t *testing.T) {
		p, err := s.Plan(Query{Limit: -1})
		require.NoError(t, err)
		rows, err := s.Scan(context.Background(), p)
		require.NoError(t, err)
		<-blocked // the prefetch of page 2 is in flight
		closed := make(chan struct{})
		go func() { _ = rows.Close(); close(closed) }()
		waitFor(t, closed, "Close")
		require.NoError(t, rows.Close(), "Close is idempotent")
		require.ErrorIs(t, rows.Next(make([]any, 4)), ErrClosed)
	})
	t.Run("Close from another goroutine ends a blocked Next", func(t *testing.T) {
		p, err := s.Plan(Query{Limit: -1})
		require.NoError(t, err)
		rows, err := s.Scan(context.Background(), p)
		require.NoError(t, err)
		dest := make([]any, 4)
		for i := 0; i < 10; i++ {
			require.NoError(t, rows.Next(dest))
		}
		<-blocked
		done := make(chan error)
		go func() { done <- rows.Next(dest) }()
		require.NoError(t, rows.Close())
		select {
		case err := <-done:
			require.ErrorIs(t, err, ErrClosed)
		case <-time.After(10 * time.Second):
			t.Fatal("Next did not return after Close")
		}
	})
	t.Run("already cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		p, err := s.Plan(Query{Limit: -1})
		require.NoError(t, err)
		_, err = s.Scan(ctx, p)
		require.ErrorIs(t, err, context.Canceled)
	})
	// Every goroutine of the scans has ended.
	transport.CloseIdleConnections()
	settle(t, baseline)
}

// settle waits until the goroutine count is back to baseline, printing
// every stack when it never is.
func settle(t *testing.T, baseline int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseline {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("goroutines: %d, baseline %d\n%s", runtime.NumGoroutine(), baseline, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestScanTimeout(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	})
	cat, posts, _ := postsCatalog(srv.URL)
	s := newSource(t, cat, posts, Options{Timeout: time.Millisecond})
	p, err := s.Plan(Query{Limit: -1})
	require.NoError(t, err)
	_, err = s.Scan(context.Background(), p)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "restsource: GET "+srv.URL+"/posts?_page=1&_limit=10: ")
}

func TestScanErrors(t *testing.T) {
	long := strings.Repeat("x", 600)
	tests := []struct {
		name    string
		handler http.HandlerFunc
		rows    string
		max     int64
		want    string
		status  int
	}{
		{
			name: "http error with body excerpt",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"error":"no such thing"}` + "\n"))
			},
			want:   `restsource: GET {URL}/things?api_key=***&a=1: 404 Not Found: {"error":"no such thing"}`,
			status: 404,
		},
		{
			name: "long body is cut",
			handler: func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(long))
			},
			want:   `restsource: GET {URL}/things?api_key=***&a=1: 500 Internal Server Error: ` + long[:512] + "…",
			status: 500,
		},
		{
			name:    "empty error body",
			handler: func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) },
			want:    `restsource: GET {URL}/things?api_key=***&a=1: 418 I'm a teapot`,
			status:  418,
		},
		{
			name:    "not JSON",
			handler: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("<html>oops</html>")) },
			want:    `restsource: GET {URL}/things?api_key=***&a=1: 200 OK: response is not valid JSON: <html>oops</html>`,
		},
		{
			name:    "truncated JSON",
			handler: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`[{"a":1},`)) },
			want:    `restsource: GET {URL}/things?api_key=***&a=1: 200 OK: response is not valid JSON: it ends before its last bracket closes, after 9 bytes (cut short?): [{"a":1},`,
		},
		{
			name:    "scalar body",
			handler: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`"hello"`)) },
			want:    `restsource: table C.things: GET {URL}/things?api_key=***&a=1: the body is a string, not an array of rows or an object`,
		},
		{
			name:    "scalar at the rows path",
			handler: func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`{"data":5}`)) },
			rows:    "data",
			want:    `restsource: table C.things: GET {URL}/things?api_key=***&a=1: rows path "data" holds a number, not an array of rows or an object`,
		},
		{
			name: "nested too deep",
			handler: func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(strings.Repeat("[", 20000) + strings.Repeat("]", 20000)))
			},
			want: `restsource: GET {URL}/things?api_key=***&a=1: 200 OK: response is not valid JSON: it nests deeper than 10000 levels: ` + strings.Repeat("[", 512) + "…",
		},
		{
			name: "body too large",
			handler: func(w http.ResponseWriter, r *http.Request) {
				_, _ = w.Write([]byte(`[` + strings.Repeat(`1,`, 100) + `1]`))
			},
			max:  64,
			want: `restsource: GET {URL}/things?api_key=***&a=1: the response body of 203 bytes is larger than the 64-byte limit on one page (MaxBodyBytes); ask for smaller pages (PageSize)`,
		},
		{
			name: "body too large, streamed",
			handler: func(w http.ResponseWriter, r *http.Request) {
				for i := 0; i < 50; i++ {
					_, _ = w.Write([]byte(`[1,2,3]`))
					w.(http.Flusher).Flush()
				}
			},
			max:  64,
			want: `restsource: GET {URL}/things?api_key=***&a=1: the response body is larger than the 64-byte limit on one page (MaxBodyBytes); ask for smaller pages (PageSize)`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, rec := serve(t, tt.handler)
			cat := &catalog.Catalog{Name: "C", URL: srv.URL, Params: map[string]string{"api_key": "${KEY}"}}
			tbl := &catalog.Table{Name: "things", URL: "/things", Rows: tt.rows, Params: map[string]string{"a": "1"}, Columns: []*catalog.Column{{Name: "a"}}}
			s := newSource(t, cat, tbl, Options{MaxBodyBytes: tt.max, Expand: func(v string) (string, error) {
				return strings.ReplaceAll(v, "${KEY}", "s3cret"), nil
			}})
			p, err := s.Plan(Query{Limit: -1})
			require.NoError(t, err)
			rows, err := s.Scan(context.Background(), p)
			require.Error(t, err)
			assert.Nil(t, rows)
			assert.Equal(t, strings.ReplaceAll(tt.want, "{URL}", srv.URL), err.Error())
			assert.NotContains(t, err.Error(), "s3cret")
			var he *HTTPError
			if tt.status != 0 {
				require.ErrorAs(t, err, &he)
				assert.Equal(t, tt.status, he.StatusCode)
				assert.Equal(t, http.MethodGet, he.Method)
			} else {
				assert.False(t, errors.As(err, &he))
			}
			require.Equal(t, 1, rec.count())
			assert.Equal(t, "s3cret", rec.all()[0].Query.Get("api_key"), "the server gets the real key")
		})
	}
}

func TestScanEmptyBodies(t *testing.T) {
	for _, h := range []http.HandlerFunc{
		func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) },
		func(w http.ResponseWriter, r *http.Request) {},
		func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(`null`)) },
		func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte(` {"other":1} `)) },
	} {
		srv, _ := serve(t, h)
		cat := &catalog.Catalog{Name: "C", URL: srv.URL}
		tbl := &catalog.Table{Name: "things", URL: "/things", Rows: "data", Columns: []*catalog.Column{{Name: "a"}}}
		rows, st := scanAll(t, newSource(t, cat, tbl, Options{}), Query{Limit: -1})
		assert.Empty(t, rows)
		assert.Equal(t, int64(1), st.Requests)
	}
}

func TestScanLaterPageErrorAfterRows(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("_page") == "2" {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		jsonServer(w, r)
	})
	cat, posts, _ := postsCatalog(srv.URL)
	s := newSource(t, cat, posts, Options{})
	rows := openScan(t, s, Query{Limit: -1})
	dest := make([]any, 4)
	for i := 0; i < 10; i++ {
		require.NoError(t, rows.Next(dest))
	}
	err := rows.Next(dest)
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusBadGateway, he.StatusCode)
	assert.Equal(t, srv.URL+"/posts?_page=2&_limit=10", he.URL)
	require.Error(t, rows.Next(make([]any, 1)))
}

func TestCredentialScoping(t *testing.T) {
	other, otherRec := serve(t, pager(6))
	var mainURL string
	main, mainRec := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/redirect":
			http.Redirect(w, r, other.URL+"/items?page=1&size=3", http.StatusFound)
		case "/self":
			http.Redirect(w, r, mainURL+"/items?page=1&size=3", http.StatusFound)
		default:
			writeJSON(w, map[string]any{"items": []map[string]any{{"id": 0}}, "next": other.URL + "/items?cursor=c3&size=3"})
		}
	})
	mainURL = main.URL
	tests := []struct {
		name   string
		auth   *catalog.Auth
		url    string
		sent   func(r request) bool
		mainOK bool // the main server sees credentials
	}{
		{"basic on a next URL", &catalog.Auth{Scheme: "Basic", User: "u", Password: "p"}, "/items", func(r request) bool { return r.Header.Get("Authorization") != "" }, true},
		{"bearer on a next URL", &catalog.Auth{Scheme: "Bearer", Token: "t"}, "/items", func(r request) bool { return r.Header.Get("Authorization") != "" }, true},
		{"api key header on a next URL", &catalog.Auth{Scheme: "APIKey", Key: "k"}, "/items", func(r request) bool { return r.Header.Get("X-Api-Key") != "" }, true},
		{"api key query on a next URL", &catalog.Auth{Scheme: "APIKey", Key: "k", Name: "key", In: "query"}, "/items", func(r request) bool { return r.Query.Get("key") != "" }, true},
		{"api key header on a redirect", &catalog.Auth{Scheme: "APIKey", Key: "k", Name: "X-Key"}, "/redirect", func(r request) bool { return r.Header.Get("X-Key") != "" }, true},
		{"bearer on a redirect", &catalog.Auth{Scheme: "Bearer", Token: "t"}, "/redirect", func(r request) bool { return r.Header.Get("Authorization") != "" }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := auth.New(tt.auth, nil)
			require.NoError(t, err)
			mb, ob := mainRec.count(), otherRec.count()
			cat := &catalog.Catalog{Name: "C", URL: main.URL, Pagination: &catalog.Pagination{Type: "nextURL", NextPath: "next"}}
			tbl := &catalog.Table{Name: "items", URL: tt.url, Rows: "items", Columns: []*catalog.Column{{Name: "id", Type: "int"}}}
			rows, _ := scanAll(t, newSource(t, cat, tbl, Options{Auth: a}), Query{Limit: -1})
			assert.NotEmpty(t, rows)
			mainReqs, otherReqs := mainRec.all()[mb:], otherRec.all()[ob:]
			require.NotEmpty(t, mainReqs)
			require.NotEmpty(t, otherReqs)
			for _, r := range mainReqs {
				assert.True(t, tt.sent(r), "the catalog's host gets the credentials")
			}
			for _, r := range otherReqs {
				assert.False(t, tt.sent(r), "another host gets no credentials: %v %v", r.Header, r.Query)
			}
		})
	}
	t.Run("credential headers of the profile", func(t *testing.T) {
		mb, ob := mainRec.count(), otherRec.count()
		cat := &catalog.Catalog{
			Name: "C", URL: main.URL, Pagination: &catalog.Pagination{Type: "nextURL", NextPath: "next"},
			Headers: map[string]string{"X-Token": "${T}", "authorization": "Bearer plain", "X-Plain": "p"},
		}
		tbl := idTable()
		s := newSource(t, cat, tbl, Options{Expand: func(v string) (string, error) { return strings.ReplaceAll(v, "${T}", "tok"), nil }})
		_, _ = scanAll(t, s, Query{Limit: -1})
		for _, r := range mainRec.all()[mb:] {
			assert.Equal(t, "tok", r.Header.Get("X-Token"))
			assert.Equal(t, "Bearer plain", r.Header.Get("Authorization"))
			assert.Equal(t, "p", r.Header.Get("X-Plain"))
		}
		others := otherRec.all()[ob:]
		require.NotEmpty(t, others)
		for _, r := range others {
			assert.Empty(t, r.Header.Get("X-Token"))
			assert.Empty(t, r.Header.Get("Authorization"))
			assert.Equal(t, "p", r.Header.Get("X-Plain"))
		}
	})
	t.Run("a redirect back to the catalog's host keeps them", func(t *testing.T) {
		a, err := auth.New(&catalog.Auth{Scheme: "APIKey", Key: "k", Name: "X-Key"}, nil)
		require.NoError(t, err)
		mb := mainRec.count()
		cat := &catalog.Catalog{Name: "C", URL: main.URL}
		tbl := &catalog.Table{Name: "items", URL: "/self", Rows: "items", Columns: []*catalog.Column{{Name: "id", Type: "int"}}}
		_, _ = scanAll(t, newSource(t, cat, tbl, Options{Auth: a}), Query{Limit: -1})
		reqs := mainRec.all()[mb:]
		require.Len(t, reqs, 2)
		for _, r := range reqs {
			assert.Equal(t, "k", r.Header.Get("X-Key"))
		}
	})
}

func TestScanHeadersAndParams(t *testing.T) {
	srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, []any{}) })
	cat := &catalog.Catalog{Name: "C", URL: srv.URL + "/api", Headers: map[string]string{"X-A": "cat", "X-B": "${V}", "Accept": "application/vnd.x+json"}, Params: map[string]string{"p": "${V}"}}
	tbl := &catalog.Table{Name: "t", URL: "things", Headers: map[string]string{"X-A": "table"}, Columns: []*catalog.Column{{Name: "a"}}}
	s := newSource(t, cat, tbl, Options{Expand: func(v string) (string, error) { return strings.ReplaceAll(v, "${V}", "val"), nil }})
	_, _ = scanAll(t, s, Query{Limit: -1})
	require.Equal(t, 1, rec.count())
	r := rec.all()[0]
	assert.Equal(t, "/api/things", r.Path)
	assert.Equal(t, "table", r.Header.Get("X-A"))
	assert.Equal(t, "val", r.Header.Get("X-B"))
	assert.Equal(t, "application/vnd.x+json", r.Header.Get("Accept"))
	assert.Equal(t, url.Values{"p": {"val"}}, r.Query)
}

func TestScanStrict(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`[{"id":1},{"id":"two"}]`))
	})
	cat := &catalog.Catalog{Name: "C", URL: srv.URL}
	tbl := &catalog.Table{Name: "t", SchemaName: "S", URL: "/t", Strict: true, Columns: []*catalog.Column{{Name: "id", Type: "int"}}}
	s := newSource(t, cat, tbl, Options{})
	p, err := s.Plan(Query{Limit: -1})
	require.NoError(t, err)
	rows, err := s.Scan(context.Background(), p)
	require.NoError(t, err)
	defer rows.Close()
	dest := make([]any, 1)
	require.NoError(t, rows.Next(dest))
	err = rows.Next(dest)
	require.EqualError(t, err, `restsource: table C.S.t: row 2: column id (int): value "two" does not fit`)
	require.EqualError(t, rows.Next(make([]any, 0)), err.Error())

	rows2, err := s.Scan(context.Background(), p)
	require.NoError(t, err)
	defer rows2.Close()
	require.EqualError(t, rows2.Next(make([]any, 0)), "restsource: table C.S.t: Next needs room for 1 values, got 0")
}

func TestScanPlanFromAnotherSource(t *testing.T) {
	cat, posts, _ := postsCatalog(apiBase)
	s1 := newSource(t, cat, posts, Options{})
	s2 := newSource(t, cat, posts, Options{})
	p, err := s1.Plan(Query{Limit: -1})
	require.NoError(t, err)
	_, err = s2.Scan(context.Background(), p)
	require.EqualError(t, err, "restsource: table API1.API.posts: Scan needs a plan made by the same Source")
}

func TestScanLogs(t *testing.T) {
	srv, _ := serve(t, jsonServer)
	cat, posts, _ := postsCatalog(srv.URL)
	var buf syncBuffer
	s := newSource(t, cat, posts, Options{Logger: newJSONLogger(&buf)})
	_, _ = scanAll(t, s, Query{Limit: 3})
	var entry map[string]any
	require.NoError(t, json.Unmarshal([]byte(strings.SplitN(buf.String(), "\n", 2)[0]), &entry))
	assert.Equal(t, "restsource: request", entry["msg"])
	assert.Equal(t, srv.URL+"/posts?_limit=3&_page=1", entry["url"])
	assert.Equal(t, float64(200), entry["status"])
	assert.Equal(t, "API1.API.posts", entry["table"])
}

// A scan of many pages keeps one page in memory: each page's rows are
// dropped once read. This checks the reader never holds more than the
// current page and the stream at most one more.
func TestScanHoldsAtMostTwoPages(t *testing.T) {
	var served atomic.Int64
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		pager(1000)(w, r)
	})
	cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: &catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 10}}
	tbl := idTable()
	s := newSource(t, cat, tbl, Options{})
	rows := openScan(t, s, Query{Limit: -1})
	dest := make([]any, 1)
	for i := 1; i <= 1000; i++ {
		require.NoError(t, rows.Next(dest))
		require.Equal(t, int64(i), dest[0])
		// Pages fetched never run more than two ahead of the page being read
		// (the one in the channel and the one being fetched).
		require.LessOrEqual(t, served.Load(), int64((i-1)/10+1+2))
	}
	require.ErrorIs(t, rows.Next(dest), io.EOF)
}

// A strict table's value that does not fit on a later page is reported at
// its row number in the scan, after the rows before it.
func TestScanStrictAcrossPages(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Query().Get("page") {
		case "1":
			_, _ = w.Write([]byte(`{"items":[{"id":1},{"id":2},{"id":3}]}`))
		case "2":
			_, _ = w.Write([]byte(`{"items":[{"id":4},{"id":"five"},{"id":6}]}`))
		default:
			_, _ = w.Write([]byte(`{"items":[]}`))
		}
	})
	cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: &catalog.Pagination{Type: "page", PageParam: "page", SizeParam: "size", PageSize: 3}}
	tbl := &catalog.Table{Name: "t", SchemaName: "S", URL: "/t", Rows: "items", Strict: true, Columns: []*catalog.Column{{Name: "id", Type: "int"}}}
	s := newSource(t, cat, tbl, Options{})
	rows := openScan(t, s, Query{Limit: -1})
	dest := make([]any, 1)
	for want := int64(1); want <= 4; want++ {
		require.NoError(t, rows.Next(dest))
		require.Equal(t, want, dest[0])
	}
	require.EqualError(t, rows.Next(dest), `restsource: table C.S.t: row 5: column id (int): value "five" does not fit`)
}
