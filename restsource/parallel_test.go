package restsource

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// With a total the API reports, offset and page pagination fetch the pages
// after the next one ahead, MaxConcurrency-1 at a time: page 2's answer
// waits here until page 3 and page 4 have been asked for, which only
// happens when they are fetched in parallel. Rows still come in order and
// no page past the end is requested.
func TestScanFetchesPagesInParallel(t *testing.T) {
	for _, typ := range []string{"page", "offset"} {
		t.Run(typ, func(t *testing.T) {
			var arrived arrivals
			arrive := arrived.of
			var inflight, maxInflight atomic.Int64
			srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
				n := inflight.Add(1)
				defer inflight.Add(-1)
				for m := maxInflight.Load(); n > m && !maxInflight.CompareAndSwap(m, n); m = maxInflight.Load() {
				}
				key := r.URL.Query().Get("page") + r.URL.Query().Get("offset")
				close(arrive(key))
				second, third, fourth := "2", "3", "4"
				if typ == "offset" {
					second, third, fourth = "10", "20", "30"
				}
				if key == second {
					for _, k := range []string{third, fourth} {
						select {
						case <-arrive(k):
						case <-time.After(5 * time.Second):
							http.Error(w, "pages were not fetched in parallel", http.StatusTeapot)
							return
						}
					}
				}
				pager(95)(w, r)
			})
			pg := &catalog.Pagination{Type: typ, SizeParam: "size", PageSize: 10, TotalHeader: "X-Total-Count"}
			if typ == "offset" {
				pg.OffsetParam = "offset"
			}
			cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: pg}
			tbl := idTable()
			s := newSource(t, cat, tbl, Options{MaxConcurrency: 4})
			rows, st := scanAll(t, s, Query{Limit: -1})
			require.Len(t, rows, 95)
			requireIDs(t, rows)
			assert.Equal(t, int64(10), st.Requests, "ten pages, none past the end")
			assert.Len(t, rec.all(), 10)
			assert.LessOrEqual(t, maxInflight.Load(), int64(4))
		})
	}
}

// An API that returns more rows than the page size asks for shifts the
// offsets: the pages fetched ahead at the offsets a full page predicts are
// not the ones the walk asks for. They are dropped and the walk's own
// pages fetched, so every row comes once, in order; pages asked for ahead
// afterwards follow the walk again.
func TestScanParallelOffsetsShiftedByLongPages(t *testing.T) {
	const n, served = 200, 15 // the API answers 15 rows to size=10
	srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		q.Set("size", strconv.Itoa(served))
		r.URL.RawQuery = q.Encode()
		pager(n)(w, r)
	})
	cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: &catalog.Pagination{Type: "offset", OffsetParam: "offset", SizeParam: "size", PageSize: 10, TotalHeader: "X-Total-Count"}}
	tbl := idTable()
	s := newSource(t, cat, tbl, Options{MaxConcurrency: 4})
	rows, _ := scanAll(t, s, Query{Limit: -1})
	require.Len(t, rows, n)
	requireIDs(t, rows)
	asked := map[string]bool{}
	for _, r := range rec.all() {
		asked[r.Query.Get("offset")] = true
	}
	for off := 0; off < n; off += served {
		assert.True(t, asked[strconv.Itoa(off)], "the walk's page at offset %d was fetched", off)
	}
}

// A LIMIT bounds the pages fetched ahead too.
func TestScanParallelPagesStopAtTheLimit(t *testing.T) {
	srv, rec := serve(t, pager(1000))
	cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: &catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 10}}
	tbl := idTable()
	s := newSource(t, cat, tbl, Options{MaxConcurrency: 8})
	rows, _ := scanAll(t, s, Query{Limit: 35})
	require.Len(t, rows, 35)
	var pages []string
	for _, r := range rec.all() {
		pages = append(pages, r.Query.Get("page"))
	}
	sort.Strings(pages)
	assert.Equal(t, []string{"1", "2", "3", "4"}, pages)
}

func TestRowsTotal(t *testing.T) {
	srv, _ := serve(t, pager(95))
	tbl := idTable()
	tests := []struct {
		name  string
		pg    *catalog.Pagination
		limit int64
		want  int64
		known bool
	}{
		{"reported total", &catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 10, TotalHeader: "X-Total-Count"}, -1, 95, true},
		{"capped by the limit", &catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 10, TotalHeader: "X-Total-Count"}, 35, 35, true},
		{"one page holds everything", &catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 100, MaxPageSize: 100}, -1, 95, true},
		// Without maxPageSize a short first page may be the API's cap:
		// the total is known only once the next page is read.
		{"one short page, no maxPageSize", &catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 100}, -1, -1, false},
		{"no total, more pages", &catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 10}, -1, -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: tt.pg}
			s := newSource(t, cat, tbl, Options{})
			p, err := s.Plan(Query{Limit: tt.limit})
			require.NoError(t, err)
			rows, err := s.Scan(t.Context(), p)
			require.NoError(t, err)
			defer rows.Close()
			n, ok := rows.Total()
			assert.Equal(t, tt.known, ok)
			if tt.known {
				assert.Equal(t, tt.want, n)
			}
		})
	}
}

// Without a total or a limit (the pagination names neither totalHeader nor
// totalPath), SpeculativePages fetches pages past the next
// one while pages come back full: page 2's answer waits here until page 3
// has been asked for, which only happens speculatively. Rows come in API
// order, and pages past the end (here errors, retried) are dropped and
// cancelled without failing the scan.
func TestScanSpeculativePages(t *testing.T) {
	const rows, size = 95, 10 // pages 1-9 full, page 10 short
	for _, typ := range []string{"page", "offset"} {
		t.Run(typ, func(t *testing.T) {
			third := make(chan struct{})
			var once sync.Once
			srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request) {
				q := r.URL.Query()
				pos := q.Get("page")
				second, thirdKey, last := "2", "3", 10
				if typ == "offset" {
					pos, second, thirdKey, last = q.Get("offset"), "10", "20", 90
				}
				n, _ := strconv.Atoi(pos)
				switch {
				case pos == thirdKey:
					once.Do(func() { close(third) })
				case pos == second:
					select {
					case <-third:
					case <-time.After(5 * time.Second):
						http.Error(w, "page 3 was not fetched speculatively", http.StatusTeapot)
						return
					}
				case n > last:
					http.Error(w, "past the end", http.StatusInternalServerError)
					return
				}
				pager(rows)(w, r)
			})
			pg := &catalog.Pagination{Type: typ, SizeParam: "size", PageSize: size}
			if typ == "offset" {
				pg.OffsetParam = "offset"
			}
			cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: pg}
			tbl := idTable()
			// Many pages asked for ahead: once the short page is back, the
			// pages after it that were not sent yet are not sent, so at
			// most MaxConcurrency-1 go past the end.
			s := newSource(t, cat, tbl, Options{MaxConcurrency: 4, Speculative: 15, MaxRetries: 3})
			got, _ := scanAll(t, s, Query{Limit: -1})
			require.Len(t, got, rows)
			requireIDs(t, got)
			seen := map[int]bool{}
			for _, r := range rec.all() {
				pos := r.Query.Get("page")
				if typ == "offset" {
					pos = r.Query.Get("offset")
				}
				n, _ := strconv.Atoi(pos)
				if typ == "offset" {
					n = n/size + 1
				}
				seen[n] = true
			}
			for p := 1; p <= 10; p++ {
				assert.True(t, seen[p], "page %d", p)
			}
			for p := range seen {
				assert.LessOrEqual(t, p, 10+3, "at most MaxConcurrency-1 pages past the end")
			}
		})
	}
}

// A speculative page keeps its slot until its rows are counted: while the
// short last page (10) is held between its answer and its parse, the pages
// after it that wait for a slot are not sent, whatever the timing. Were its
// slot free, page 14 would go out as soon as page 11, 12 or 13 came back.
// An API that answers past its end with 404 gets no more requests either:
// an error on a guessed page ends the pages sent ahead.
func TestScanSpeculativeSlotHeldUntilParsed(t *testing.T) {
	for _, pastEnd := range []string{"empty page", "404"} {
		t.Run(pastEnd, func(t *testing.T) {
			var mu sync.Mutex
			var pages []int
			past := make(chan struct{}, 100)
			srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
				n, _ := strconv.Atoi(r.URL.Query().Get("page"))
				mu.Lock()
				pages = append(pages, n)
				mu.Unlock()
				if n > 13 {
					past <- struct{}{}
				}
				if n > 10 && pastEnd == "404" {
					http.NotFound(w, r)
					return
				}
				pager(95)(w, r)
			})
			testHookBeforeParse = func(n int64) {
				if n == 10 {
					select { // long enough for page 14 to go out, were it allowed
					case <-past:
					case <-time.After(200 * time.Millisecond):
					}
				}
			}
			t.Cleanup(func() { testHookBeforeParse = nil })
			cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: &catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 10}}
			s := newSource(t, cat, idTable(), Options{MaxConcurrency: 4, Speculative: 15})
			got, _ := scanAll(t, s, Query{Limit: -1})
			require.Len(t, got, 95)
			requireIDs(t, got)
			mu.Lock()
			defer mu.Unlock()
			assert.LessOrEqual(t, slices.Max(pages), 13, "at most MaxConcurrency-1 pages past the end: %v", pages)
		})
	}
}

// Without SpeculativePages the same walk is sequential: exactly the ten
// pages, and page 2 is answered before page 3 is asked for.
func TestScanNoSpeculationByDefault(t *testing.T) {
	var order []string
	var mu sync.Mutex
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		order = append(order, r.URL.Query().Get("page"))
		mu.Unlock()
		pager(95)(w, r)
	})
	cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: &catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 10}}
	tbl := idTable()
	s := newSource(t, cat, tbl, Options{MaxConcurrency: 4})
	got, st := scanAll(t, s, Query{Limit: -1})
	require.Len(t, got, 95)
	assert.Equal(t, int64(10), st.Requests)
	assert.Equal(t, []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, order)
}

// A scan of the same request as an earlier one asks at once for as many
// pages as the earlier walk read (up to MaxConcurrency), instead of waiting
// for page 1 to learn that more exist, and guesses no page past them; the
// requests are the same. Should the table shrink, the pages past its new
// end are dropped (at most MaxConcurrency-1 requests wasted, once), and
// the next scan follows the new count. Without SpeculativePages page 1
// travels alone every time.
func TestScanRemembersPagesRead(t *testing.T) {
	type scan struct {
		rows  int // the table's rows for this scan
		early int // pages 2-4 asked for before page 1 was answered
		reqs  int64
	}
	// A scan of a table of rows rows, with a limit (-1 = none); page 1
	// waits for the first wait of pages 2-4, those the scan should ask for
	// at once (the previous scan read them): the others cannot have
	// been asked for before page 1 is answered.
	type spec struct {
		rows  int
		limit int64
		wait  int
		// pastEnd: without a total, pages past the end may be asked
		// for (no earlier walk, or the table shrank).
		pastEnd bool
	}
	run := func(t *testing.T, speculative int, total bool, specs []spec) []scan {
		var arrived arrivals
		arrive := arrived.of
		var n atomic.Int64 // the table's rows
		var early atomic.Int64
		var waitFor atomic.Int64 // pages 2-4 page 1 waits for
		srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
			page := r.URL.Query().Get("page")
			if page != "1" {
				// Once: a request the last scan sent past its end may
				// arrive after this scan asked for the same page.
				arrived.mark(page)
				if k, _ := strconv.Atoi(page); k <= int(waitFor.Load())+1 {
					// Answered once page 1 has seen the pages it
					// waits for: a short page 2 answered first lets
					// the scan drop pages 3 and 4 before they are
					// sent (rightly so), and the count would depend
					// on the scheduler.
					select {
					case <-arrive("1 saw them"):
					case <-time.After(5 * time.Second):
					}
				}
			} else {
				deadline := time.After(5 * time.Second)
			wait:
				for _, k := range []string{"2", "3", "4"}[:waitFor.Load()] {
					select {
					case <-arrive(k):
						early.Add(1)
					case <-deadline:
						break wait
					}
				}
				close(arrive("1 saw them"))
			}
			pager(int(n.Load()))(w, r)
		})
		pg := &catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 10}
		if total {
			pg.TotalHeader = "X-Total-Count"
		}
		cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: pg}
		tbl := idTable()
		s := newSource(t, cat, tbl, Options{MaxConcurrency: 4, Speculative: speculative})
		var out []scan
		for _, sp := range specs {
			arrived.reset()
			n.Store(int64(sp.rows))
			early.Store(0)
			waitFor.Store(int64(sp.wait))
			got, st := scanAll(t, s, Query{Limit: sp.limit})
			want := sp.rows
			if sp.limit >= 0 {
				want = min(want, int(sp.limit))
			}
			require.Len(t, got, want)
			requireIDs(t, got)
			sc := scan{rows: want, early: int(early.Load()), reqs: st.Requests}
			if !total && sp.pastEnd {
				// Speculative pages past the end may or may not have
				// been sent: at most MaxConcurrency-1 of them.
				pages := (sp.rows + 10) / 10 // the full ones and the last
				assert.LessOrEqual(t, int(sc.reqs), pages+3, "at most MaxConcurrency-1 pages past the end")
				sc.reqs = 0
			}
			out = append(out, sc)
		}
		return out
	}
	got := run(t, 15, true, []spec{{95, -1, 0, false}, {95, -1, 3, false}, {15, -1, 3, false}, {15, -1, 0, false}})
	assert.Equal(t, []scan{
		{rows: 95, early: 0, reqs: 10}, // page 1 alone, then the rest
		{rows: 95, early: 3, reqs: 10}, // pages 1-4 at once, no more requests
		{rows: 15, early: 3, reqs: 4},  // the table shrank: pages 3 and 4 wasted
		{rows: 15, early: 0, reqs: 2},  // pages 1 and 2 at once (the last walk read two)
	}, got)
	got = run(t, 0, true, []spec{{95, -1, 0, false}, {95, -1, 0, false}})
	assert.Equal(t, []scan{{rows: 95, early: 0, reqs: 10}, {rows: 95, early: 0, reqs: 10}}, got, "SpeculativePages 0: page 1 alone")
	// Without a total the pages asked for at once are guessed the same
	// way, and no further than the pages the last walk read: a scan of an
	// unchanged table sends no request past its end.
	got = run(t, 15, false, []spec{{95, -1, 0, true}, {95, -1, 3, false}, {15, -1, 3, true}, {15, -1, 0, false}})
	assert.Equal(t, []scan{
		{rows: 95},
		{rows: 95, early: 3, reqs: 10}, // pages 1-10, none past the end
		{rows: 15, early: 3},
		{rows: 15, reqs: 2}, // pages 1 and 2 at once, page 2 the end
	}, got, "no total")
	// A table that grew: past the page that was the end, pages are
	// guessed again, and every row is read.
	got = run(t, 15, false, []spec{{25, -1, 0, true}, {95, -1, 0, true}, {95, -1, 0, false}})
	assert.Equal(t, []scan{{rows: 25}, {rows: 95}, {rows: 95, reqs: 10}}, got, "no total, grown")
	// With a total the walk needs no page after the last full one: a
	// table of one full page costs one request, the first time and after.
	got = run(t, 15, true, []spec{{10, -1, 0, false}, {10, -1, 0, false}})
	assert.Equal(t, []scan{{rows: 10, reqs: 1}, {rows: 10, reqs: 1}}, got, "one full page, total")
	// A LIMIT that ends the walk early does not make the count smaller:
	// the table may hold more pages than the limit read.
	got = run(t, 15, true, []spec{{95, -1, 0, false}, {95, 15, 1, false}, {95, -1, 3, false}})
	assert.Equal(t, []scan{
		{rows: 95, early: 0, reqs: 10},
		{rows: 15, early: 1, reqs: 2}, // the limit needs pages 1 and 2 only
		{rows: 95, early: 3, reqs: 10},
	}, got, "LIMIT")
}

// idTable is the table /items of rows {"id": n} (see pager).
func idTable() *catalog.Table {
	return &catalog.Table{Name: "items", URL: "/items", Rows: "items", Columns: []*catalog.Column{{Name: "id", Type: "int"}}}
}

// requireIDs checks that rows are ids 1 to len(rows), in API order, each once.
func requireIDs(t *testing.T, rows [][]any) {
	t.Helper()
	for i, r := range rows {
		require.Equal(t, int64(i+1), r[0], "row %d: rows in API order, each once", i+1)
	}
}

// arrivals has a channel per request key, closed by the handler when that
// request arrives, so another request's handler can wait for it.
type arrivals struct {
	mu sync.Mutex
	ch map[string]chan struct{}
}

// mark closes key's channel unless it is closed already.
func (a *arrivals) mark(key string) {
	ch := a.of(key)
	a.mu.Lock()
	defer a.mu.Unlock()
	select {
	case <-ch:
	default:
		close(ch)
	}
}

// of returns key's channel.
func (a *arrivals) of(key string) chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ch == nil {
		a.ch = map[string]chan struct{}{}
	}
	if a.ch[key] == nil {
		a.ch[key] = make(chan struct{})
	}
	return a.ch[key]
}

// reset forgets every arrival.
func (a *arrivals) reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.ch = nil
}
