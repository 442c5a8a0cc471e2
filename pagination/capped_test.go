package pagination

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// cappedAPI is a list endpoint of rows 0..rows-1 that pages by offset and
// limit or by page and per_page, like real APIs: a size above its cap
// gets cap rows, and a page number counts pages of the size it used.
type cappedAPI struct {
	typ  string // offset or page
	rows int
	cap  int
	// def is the page size without a size parameter.
	def int
	// total sends X-Total-Count; hasMore sends {"has_more": …}.
	total, hasMore bool
	// ignorePos answers every request with the first page.
	ignorePos bool
}

// page answers u: the ids of the rows on the page, and the page.
func (a cappedAPI) page(t *testing.T, u *url.URL) ([]int, response) {
	t.Helper()
	q := u.Query()
	size := a.def
	if v := q.Get(map[string]string{"offset": "limit", "page": "per_page"}[a.typ]); v != "" {
		n, err := strconv.Atoi(v)
		require.NoError(t, err)
		size = n
	}
	size = min(size, a.cap)
	pos := 0
	if !a.ignorePos {
		switch a.typ {
		case "offset":
			pos, _ = strconv.Atoi(q.Get("offset"))
		default:
			p, _ := strconv.Atoi(q.Get("page"))
			pos = (p - 1) * size
		}
	}
	var ids []int
	for i := pos; i < min(pos+size, a.rows); i++ {
		ids = append(ids, i)
	}
	body := fmt.Sprintf(`{"ids":%v`, ids)
	if a.hasMore {
		body += fmt.Sprintf(`,"has_more":%t`, pos+len(ids) < a.rows)
	}
	r := response{body: body + "}", rows: len(ids), header: http.Header{}}
	if a.total {
		r.header.Set("X-Total-Count", strconv.Itoa(a.rows))
	}
	return ids, r
}

// walkAPI walks a's pages as restsource does (dropping a page the walk
// says to drop) and returns the row ids read and the requests sent.
func walkAPI(t *testing.T, p Paginator, want int64, a cappedAPI) (ids []int, reqs []string, err error) {
	t.Helper()
	ids = []int{}
	w := p.Start(want)
	u, _ := url.Parse(base)
	u = withParams(u, w.First())
	for n := 0; ; n++ {
		require.Less(t, n, 200, "walk does not end")
		reqs = append(reqs, u.RawQuery)
		got, r := a.page(t, u)
		next, err := w.Next(Page{URL: u, Header: r.header, Body: r.body, Rows: r.rows})
		if d, ok := w.(Dropper); !ok || !d.Dropped() {
			ids = append(ids, got...)
		}
		if err != nil || next == nil {
			return ids, reqs, err
		}
		u = next
	}
}

func seqInts(n int) []int {
	out := []int{}
	for i := range n {
		out = append(out, i)
	}
	return out
}

// TestCappedAPI walks an API that caps its page size, with the size asked
// below, at and above the cap, with and without a declared maxPageSize or
// a total, over no rows, fewer rows than a page, exactly k pages of the
// cap and k pages and a bit. Every row is read once, and the requests are
// the fewest the declarations allow: under maxPageSize or with a total a
// short page is trusted at once; without them a short first page costs
// one request more, and a first page shortened by the cap teaches the
// walk the API's page size.
func TestCappedAPI(t *testing.T) {
	for _, typ := range []string{"offset", "page"} {
		for _, cp := range []int{7, 10, 25} { // the API's cap; 10 is asked
			for _, rows := range []int{0, 3, cp, 3 * cp, 3*cp + 2, 40} {
				for _, decl := range []string{"none", "maxPageSize", "total", "hasMore"} {
					name := fmt.Sprintf("%s/cap %d/%d rows/%s", typ, cp, rows, decl)
					t.Run(name, func(t *testing.T) {
						cfg := catalog.Pagination{Type: typ, PageSize: 10}
						a := cappedAPI{typ: typ, rows: rows, cap: cp}
						switch decl {
						case "maxPageSize":
							cfg.MaxPageSize = cp
						case "total":
							cfg.TotalHeader, a.total = "X-Total-Count", true
						case "hasMore":
							cfg.HasMorePath, a.hasMore = "has_more", true
						}
						p, err := New(cfg, 0)
						require.NoError(t, err)
						ids, reqs, err := walkAPI(t, p, -1, a)
						require.NoError(t, err)
						assert.Equal(t, seqInts(rows), ids, "every row once, in order")
						// The API's page size.
						eff := min(10, cp)
						var want int
						switch {
						case rows == 0:
							want = 1 // an empty page
						case decl == "total":
							want = (rows + eff - 1) / eff // the total ends the walk
						case decl == "hasMore":
							want = (rows + eff - 1) / eff // has_more false ends it
						case decl == "none" && rows < eff:
							want = 2 // a short first page, confirmed by an empty one
						default:
							want = rows/eff + 1 // full pages, then a short or empty one
						}
						assert.Len(t, reqs, want, "requests: %q", reqs)
						if decl == "maxPageSize" && cp < 10 {
							assert.Contains(t, reqs[0], "="+strconv.Itoa(cp), "the size asked is clamped to the cap")
						}
					})
				}
			}
		}
	}
}

// TestCappedAPIRequests pins the requests of the walks that learn the
// API's page size.
func TestCappedAPIRequests(t *testing.T) {
	tests := []struct {
		name string
		cfg  catalog.Pagination
		want int64
		api  cappedAPI
		reqs []string
		rows int
	}{
		{
			name: "offset: a short first page is confirmed, then the cap is the page size",
			cfg:  catalog.Pagination{Type: "offset", PageSize: 500},
			want: -1, api: cappedAPI{typ: "offset", rows: 250, cap: 100},
			reqs: []string{"offset=0&limit=500", "offset=100&limit=500", "offset=200&limit=500"},
		},
		{
			name: "page: page numbers count pages of the size the API used",
			cfg:  catalog.Pagination{Type: "page", PageSize: 500},
			want: -1, api: cappedAPI{typ: "page", rows: 250, cap: 100},
			reqs: []string{"page=1&per_page=500", "page=2&per_page=500", "page=3&per_page=500"},
		},
		{
			name: "offset: exactly two pages of the cap end on an empty page",
			cfg:  catalog.Pagination{Type: "offset", PageSize: 500},
			want: -1, api: cappedAPI{typ: "offset", rows: 200, cap: 100},
			reqs: []string{"offset=0&limit=500", "offset=100&limit=500", "offset=200&limit=500"},
		},
		{
			name: "maxPageSize clamps the size asked and trusts the short page",
			cfg:  catalog.Pagination{Type: "offset", PageSize: 500, MaxPageSize: 100},
			want: -1, api: cappedAPI{typ: "offset", rows: 250, cap: 100},
			reqs: []string{"offset=0&limit=100", "offset=100&limit=100", "offset=200&limit=100"},
		},
		{
			name: "maxPageSize without pageSize is the size asked",
			cfg:  catalog.Pagination{Type: "page", MaxPageSize: 100},
			want: -1, api: cappedAPI{typ: "page", rows: 30, cap: 100},
			reqs: []string{"page=1&per_page=100"},
		},
		{
			name: "a limit: the confirming request asks only for the rows still wanted",
			cfg:  catalog.Pagination{Type: "offset", PageSize: 500},
			want: 250, api: cappedAPI{typ: "offset", rows: 1000, cap: 100},
			reqs: []string{"offset=0&limit=250", "offset=100&limit=150", "offset=200&limit=50"},
		},
		{
			name: "a limit below the cap is one request",
			cfg:  catalog.Pagination{Type: "offset", PageSize: 500},
			want: 5, api: cappedAPI{typ: "offset", rows: 1000, cap: 100},
			reqs: []string{"offset=0&limit=5"},
		},
		{
			name: "a full first page makes later short pages trusted",
			cfg:  catalog.Pagination{Type: "page", PageSize: 50},
			want: -1, api: cappedAPI{typ: "page", rows: 70, cap: 100},
			reqs: []string{"page=1&per_page=50", "page=2&per_page=50"},
		},
		{
			name: "an API that ignores the position: the repeat of the short first page is dropped",
			cfg:  catalog.Pagination{Type: "page", PageSize: 50},
			want: -1, api: cappedAPI{typ: "page", rows: 30, cap: 100, ignorePos: true},
			reqs: []string{"page=1&per_page=50", "page=2&per_page=50"},
		},
		{
			name: "a total ends a capped walk without an empty page",
			cfg:  catalog.Pagination{Type: "page", PageSize: 500, TotalHeader: "X-Total-Count"},
			want: -1, api: cappedAPI{typ: "page", rows: 200, cap: 100, total: true},
			reqs: []string{"page=1&per_page=500", "page=2&per_page=500"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.cfg, 0)
			require.NoError(t, err)
			ids, reqs, err := walkAPI(t, p, tt.want, tt.api)
			require.NoError(t, err)
			want := tt.api.rows
			if tt.want >= 0 {
				want = min(want, int(tt.want))
			}
			assert.Equal(t, seqInts(want), ids)
			assert.Equal(t, tt.reqs, reqs)
		})
	}
}

// TestDSNPageSizeAboveTheCap: the DSN's PageSize is clamped to a declared
// maxPageSize too.
func TestDSNPageSizeAboveTheCap(t *testing.T) {
	p, err := New(catalog.Pagination{Type: "offset", PageSize: 20, MaxPageSize: 100}, 1000)
	require.NoError(t, err)
	assert.Equal(t, 100, p.PageSize())
	assert.Equal(t, 1000, p.AskedPageSize())
	assert.Equal(t, 100, p.MaxPageSize())
	ids, reqs, err := walkAPI(t, p, -1, cappedAPI{typ: "offset", rows: 150, cap: 100})
	require.NoError(t, err)
	assert.Equal(t, seqInts(150), ids)
	assert.Equal(t, []string{"offset=0&limit=100", "offset=100&limit=100"}, reqs)

	_, err = New(catalog.Pagination{Type: "offset", MaxPageSize: -1}, 0)
	require.EqualError(t, err, "pagination: maxPageSize -1 is negative")
}

// TestInconsistentPageSizes: a page after a short first page that holds
// more rows than it shows no cap; no short page is trusted then, and the
// walk ends on an empty page.
func TestInconsistentPageSizes(t *testing.T) {
	p, err := New(catalog.Pagination{Type: "offset", PageSize: 10}, 0)
	require.NoError(t, err)
	reqs, err := drive(t, p, -1, base, sizes(4, 6, 2, 1))
	require.NoError(t, err)
	assert.Equal(t, []string{"offset=0&limit=10", "offset=4&limit=10", "offset=10&limit=10", "offset=12&limit=10", "offset=13&limit=10"}, reqs)
}

// TestPredictorWhileConfirming: while a short first page is confirmed the
// API's page size is unknown: no page is predicted, and Full is 0; once
// learned, predictions step by it.
func TestPredictorWhileConfirming(t *testing.T) {
	p, err := New(catalog.Pagination{Type: "offset", PageSize: 50, TotalHeader: "X-Total-Count"}, 0)
	require.NoError(t, err)
	w := p.Start(200)
	pr := w.(Predictor)
	assert.Equal(t, 0, pr.Full(), "no page seen, no cap declared")
	first, _ := url.Parse(base + "?offset=0&limit=50")
	next, err := w.Next(Page{URL: first, Body: `[1]`, Rows: 20})
	require.NoError(t, err)
	require.NotNil(t, next)
	assert.Equal(t, "offset=20&limit=50", next.RawQuery)
	assert.Empty(t, pr.Ahead(next, 0, 3))
	assert.Equal(t, 0, pr.Full())
	next, err = w.Next(Page{URL: next, Body: `[2]`, Rows: 20})
	require.NoError(t, err)
	assert.Equal(t, 20, pr.Full(), "the API's page size, learned")
	var got []string
	for _, u := range pr.Ahead(next, 0, 8) {
		got = append(got, u.Query().Get("offset"))
	}
	assert.Equal(t, []string{"60", "80", "100", "120", "140", "160", "180"}, got, "200 rows wanted, pages of 20")

	// With a total above the rows seen, the short first page is the
	// API's page size at once.
	w = p.Start(-1)
	next, err = w.Next(Page{URL: first, Header: http.Header{"X-Total-Count": {"70"}}, Body: `[1]`, Rows: 20})
	require.NoError(t, err)
	assert.Equal(t, 20, w.(Predictor).Full())
	got = nil
	for _, u := range w.(Predictor).Ahead(next, 0, 8) {
		got = append(got, u.Query().Get("offset"))
	}
	assert.Equal(t, []string{"40", "60"}, got)

	capped, err := New(catalog.Pagination{Type: "page", PageSize: 50, MaxPageSize: 30}, 0)
	require.NoError(t, err)
	assert.Equal(t, 30, capped.Start(-1).(Predictor).Full(), "a declared cap is trusted from the start")
}
