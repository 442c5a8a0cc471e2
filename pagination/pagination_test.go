package pagination

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

func intp(i int) *int { return &i }

// response is one canned page.
type response struct {
	header http.Header
	body   string
	rows   int
}

// drive walks pages the way restsource does: the first URL gets First's
// parameters, each page goes to Next. respond answers each request (by call
// number, 0-based). It returns the requested URLs (raw query only when the
// path is /items) and the walk's error.
func drive(t *testing.T, p Paginator, want int64, first string, respond func(n int, u *url.URL) response) ([]string, error) {
	t.Helper()
	w := p.Start(want)
	u, err := url.Parse(first)
	require.NoError(t, err)
	u = withParams(u, w.First())
	var got []string
	for n := 0; ; n++ {
		require.Less(t, n, 50, "walk does not end")
		if u.Path == "/items" && u.Host == "api.test" {
			got = append(got, u.RawQuery)
		} else {
			got = append(got, u.String())
		}
		r := respond(n, u)
		if r.header == nil {
			r.header = http.Header{}
		}
		// The body is a view of a buffer the caller reuses once Next
		// returns, as restsource does: nothing the walk returns or keeps
		// may share its bytes.
		buf := []byte(r.body)
		next, err := w.Next(Page{URL: u, Header: r.header, Body: unsafe.String(unsafe.SliceData(buf), len(buf)), Rows: r.rows})
		for i := range buf {
			buf[i] = '#'
		}
		if err != nil || next == nil {
			return got, err
		}
		u = next
	}
}

// sizes answers with pages of the given row counts (then empty pages), with
// a body that differs per page.
func sizes(counts ...int) func(int, *url.URL) response {
	return func(n int, u *url.URL) response {
		if n >= len(counts) {
			return response{body: `[]`}
		}
		return response{body: `{"n":` + string(rune('0'+n)) + `,"q":"` + u.RawQuery + `"}`, rows: counts[n]}
	}
}

const base = "http://api.test/items"

func TestOffset(t *testing.T) {
	tests := []struct {
		name string
		p    catalog.Pagination
		over int
		want int64
		resp func(int, *url.URL) response
		reqs []string
	}{
		{
			name: "short page stops",
			p:    catalog.Pagination{Type: "offset", PageSize: 2},
			want: -1, resp: sizes(2, 2, 1),
			reqs: []string{"offset=0&limit=2", "offset=2&limit=2", "offset=4&limit=2"},
		},
		{
			name: "exact multiple stops on the empty page",
			p:    catalog.Pagination{Type: "offset", PageSize: 2},
			want: -1, resp: sizes(2, 2),
			reqs: []string{"offset=0&limit=2", "offset=2&limit=2", "offset=4&limit=2"},
		},
		{
			name: "no page size: no size param, empty page only",
			p:    catalog.Pagination{Type: "offset"},
			want: -1, resp: sizes(3, 1),
			reqs: []string{"offset=0", "offset=3", "offset=4"},
		},
		{
			name: "want bounds the size and the walk",
			p:    catalog.Pagination{Type: "offset", PageSize: 2},
			want: 3, resp: sizes(2, 1, 5),
			reqs: []string{"offset=0&limit=2", "offset=2&limit=1"},
		},
		{
			name: "want below the page size",
			p:    catalog.Pagination{Type: "offset", PageSize: 50},
			want: 5, resp: sizes(5, 5),
			reqs: []string{"offset=0&limit=5"},
		},
		{
			name: "custom names, start, override",
			p:    catalog.Pagination{Type: "Offset", OffsetParam: "skip", SizeParam: "take", PageSize: 10, Start: intp(100)},
			over: 3, want: -1, resp: sizes(3, 3, 2),
			reqs: []string{"skip=100&take=3", "skip=103&take=3", "skip=106&take=3"},
		},
		{
			name: "server returns more than asked",
			p:    catalog.Pagination{Type: "offset", PageSize: 2},
			want: -1, resp: sizes(5, 0),
			reqs: []string{"offset=0&limit=2", "offset=5&limit=2"},
		},
		{
			name: "total header",
			p:    catalog.Pagination{Type: "offset", PageSize: 2, TotalHeader: "X-Total-Count"},
			want: -1,
			resp: func(n int, u *url.URL) response {
				r := sizes(2, 2, 2)(n, u)
				r.header = http.Header{"X-Total-Count": {"4"}}
				return r
			},
			reqs: []string{"offset=0&limit=2", "offset=2&limit=2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.p, tt.over)
			require.NoError(t, err)
			assert.Equal(t, catalog.PageOffset, p.Type())
			got, err := drive(t, p, tt.want, base, tt.resp)
			require.NoError(t, err)
			assert.Equal(t, tt.reqs, got)
		})
	}
}

func TestPage(t *testing.T) {
	tests := []struct {
		name string
		p    catalog.Pagination
		want int64
		resp func(int, *url.URL) response
		reqs []string
	}{
		{
			name: "defaults and short page",
			p:    catalog.Pagination{Type: "page", PageSize: 2},
			want: -1, resp: sizes(2, 1),
			reqs: []string{"page=1&per_page=2", "page=2&per_page=2"},
		},
		{
			name: "json-server names, start 0",
			p:    catalog.Pagination{Type: "page", PageParam: "_page", SizeParam: "_limit", PageSize: 3, Start: intp(0)},
			want: -1, resp: sizes(3, 3),
			reqs: []string{"_page=0&_limit=3", "_page=1&_limit=3", "_page=2&_limit=3"},
		},
		{
			name: "no page size: empty page only",
			p:    catalog.Pagination{Type: "page"},
			want: -1, resp: sizes(7, 2),
			reqs: []string{"page=1", "page=2", "page=3"},
		},
		{
			name: "want keeps the page size constant",
			p:    catalog.Pagination{Type: "page", PageSize: 10},
			want: 4, resp: sizes(4),
			reqs: []string{"page=1&per_page=4"},
		},
		{
			name: "total path",
			p:    catalog.Pagination{Type: "page", PageSize: 2, TotalPath: "meta.total"},
			want: -1,
			resp: func(n int, u *url.URL) response {
				return response{body: `{"meta":{"total":"5"},"n":` + string(rune('0'+n)) + `}`, rows: 2}
			},
			reqs: []string{"page=1&per_page=2", "page=2&per_page=2", "page=3&per_page=2"},
		},
		{
			name: "has more false",
			p:    catalog.Pagination{Type: "page", PageSize: 2, HasMorePath: "has_more"},
			want: -1,
			resp: func(n int, u *url.URL) response {
				more := []string{`true`, `"true"`, `1`, `false`}[n]
				return response{body: `{"has_more":` + more + `}`, rows: 2}
			},
			reqs: []string{"page=1&per_page=2", "page=2&per_page=2", "page=3&per_page=2", "page=4&per_page=2"},
		},
		{
			name: "has more null or missing is no information",
			p:    catalog.Pagination{Type: "page", PageSize: 2, HasMorePath: "has_more"},
			want: -1,
			resp: func(n int, u *url.URL) response {
				return []response{{body: `{"has_more":null}`, rows: 2}, {body: `{}`, rows: 2}, {body: `{"has_more":"false"}`, rows: 2}}[n]
			},
			reqs: []string{"page=1&per_page=2", "page=2&per_page=2", "page=3&per_page=2"},
		},
		{
			name: "keeps other params and their order",
			p:    catalog.Pagination{Type: "page", PageSize: 2},
			want: -1, resp: sizes(2, 0),
			reqs: []string{"b=2&page=1&a=1&per_page=2", "b=2&page=2&a=1&per_page=2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := New(tt.p, 0)
			require.NoError(t, err)
			first := base
			if strings.Contains(tt.name, "other params") {
				first = base + "?b=2&page=9&a=1&page=8"
			}
			got, err := drive(t, p, tt.want, first, tt.resp)
			require.NoError(t, err)
			assert.Equal(t, tt.reqs, got)
		})
	}
}

func TestSameBodyIsAnError(t *testing.T) {
	for _, typ := range []string{"page", "offset"} {
		p, err := New(catalog.Pagination{Type: typ, PageSize: 2}, 0)
		require.NoError(t, err)
		got, err := drive(t, p, -1, base, func(int, *url.URL) response { return response{body: `[1,2]`, rows: 2} })
		require.Error(t, err)
		assert.Len(t, got, 2)
		assert.Contains(t, err.Error(), "pagination: "+typ+": page 2 has the same body as page 1; the API seems to ignore parameter")
	}
}

func TestCursor(t *testing.T) {
	p, err := New(catalog.Pagination{Type: "cursor", CursorPath: "meta.next", CursorParam: "after", SizeParam: "limit", PageSize: 2}, 0)
	require.NoError(t, err)
	bodies := []string{`{"meta":{"next":"c1"}}`, `{"meta":{"next":42}}`, `{"meta":{"next":"a b&c"}}`, `{"meta":{"next":null}}`}
	got, err := drive(t, p, -1, base+"?q=x", func(n int, _ *url.URL) response { return response{body: bodies[n], rows: 1} })
	require.NoError(t, err)
	// A short page does not stop a cursor walk; the missing cursor does.
	assert.Equal(t, []string{"q=x&limit=2", "q=x&limit=2&after=c1", "q=x&limit=2&after=42", "q=x&limit=2&after=a+b%26c"}, got)

	t.Run("ends", func(t *testing.T) {
		for _, body := range []string{`{}`, `{"meta":{"next":""}}`, `{"meta":{"next":false}}`, `not json`} {
			got, err := drive(t, p, -1, base, func(int, *url.URL) response { return response{body: body, rows: 3} })
			require.NoError(t, err, body)
			assert.Len(t, got, 1, body)
		}
	})
	t.Run("bad cursor type", func(t *testing.T) {
		for _, body := range []string{`{"meta":{"next":{"a":1}}}`, `{"meta":{"next":true}}`, `{"meta":{"next":[1]}}`} {
			_, err := drive(t, p, -1, base, func(int, *url.URL) response { return response{body: body, rows: 3} })
			require.Error(t, err, body)
			assert.Contains(t, err.Error(), `pagination: cursor: page 1: cursorPath "meta.next" holds a`)
		}
	})
	t.Run("repeated cursor", func(t *testing.T) {
		bodies := []string{`{"meta":{"next":"a"}}`, `{"meta":{"next":"b"}}`, `{"meta":{"next":"a"}}`}
		got, err := drive(t, p, -1, base, func(n int, _ *url.URL) response { return response{body: bodies[n], rows: 1} })
		var le *LoopError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, &LoopError{Type: "cursor", What: "cursor", Value: "a", Page: 3, First: 2}, le)
		assert.Len(t, got, 3)
		assert.Equal(t, `pagination: cursor: page 3 returned a repeated cursor "a" (already used for page 2); stopping instead of looping forever`, err.Error())
	})
	t.Run("no size without page size", func(t *testing.T) {
		p, err := New(catalog.Pagination{Type: "cursor", CursorPath: "n", CursorParam: "c", SizeParam: "limit"}, 0)
		require.NoError(t, err)
		assert.Empty(t, p.Start(-1).First())
		assert.Empty(t, p.Start(7).First(), "want alone does not set a size")
	})
}

func TestNextURL(t *testing.T) {
	p, err := New(catalog.Pagination{Type: "nextURL", NextPath: "links.next", SizeParam: "size", PageSize: 5}, 0)
	require.NoError(t, err)
	bodies := []string{
		`{"links":{"next":"http://api.test/items?cursor=2&size=5"}}`,
		`{"links":{"next":"/items?cursor=3&size=5"}}`,
		`{"links":{"next":"?cursor=4&size=5"}}`,
		`{"links":{"next":"other?cursor=5"}}`,
		`{"links":{"next":"https://cdn.test/x?cursor=6"}}`,
		`{"links":{"next":null}}`,
	}
	got, err := drive(t, p, -1, base, func(n int, _ *url.URL) response { return response{body: bodies[n], rows: 1} })
	require.NoError(t, err)
	assert.Equal(t, []string{"size=5", "cursor=2&size=5", "cursor=3&size=5", "cursor=4&size=5", "http://api.test/other?cursor=5", "https://cdn.test/x?cursor=6"}, got)

	t.Run("repeated next URL", func(t *testing.T) {
		tests := []struct {
			name   string
			bodies []string
			page   int
			first  int
		}{
			{"self", []string{`{"links":{"next":"http://api.test/items?size=5"}}`}, 1, 1},
			{"earlier page", []string{`{"links":{"next":"/items?p=2"}}`, `{"links":{"next":"/items?p=3"}}`, `{"links":{"next":"/items?p=2"}}`}, 3, 2},
			{"reordered params", []string{`{"links":{"next":"/items?a=1&b=2"}}`, `{"links":{"next":"/items?b=2&a=1#frag"}}`}, 2, 2},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				got, err := drive(t, p, -1, base, func(n int, _ *url.URL) response { return response{body: tt.bodies[n], rows: 1} })
				var le *LoopError
				require.ErrorAs(t, err, &le)
				assert.Len(t, got, tt.page)
				assert.Equal(t, tt.page, le.Page)
				assert.Equal(t, tt.first, le.First)
				assert.Contains(t, err.Error(), "pagination: nextURL: page")
				assert.Contains(t, err.Error(), "repeated next URL")
			})
		}
	})
	t.Run("bad next", func(t *testing.T) {
		tests := map[string]string{
			`{"links":{"next":"ftp://x/y"}}`:   `next URL "ftp://x/y" is not an http or https URL`,
			`{"links":{"next":"http://"}}`:     `next URL "http://" has no host`,
			`{"links":{"next":"http://[::1"}}`: `next URL "http://[::1"`,
			`{"links":{"next":5}}`:             `nextPath "links.next" holds a number, not a URL string`,
		}
		for body, want := range tests {
			_, err := drive(t, p, -1, base, func(int, *url.URL) response { return response{body: body, rows: 1} })
			require.Error(t, err, body)
			assert.Contains(t, err.Error(), "pagination: nextURL: page 1: "+want)
		}
	})
	t.Run("ends", func(t *testing.T) {
		for _, r := range []response{{body: `{"links":{"next":""}}`, rows: 1}, {body: `{}`, rows: 1}, {body: `{"links":{"next":"/x"}}`, rows: 0}} {
			got, err := drive(t, p, -1, base, func(int, *url.URL) response { return r })
			require.NoError(t, err)
			assert.Len(t, got, 1)
		}
	})
	t.Run("want stops", func(t *testing.T) {
		got, err := drive(t, p, 3, base, func(n int, _ *url.URL) response {
			return response{body: `{"links":{"next":"/items?n=` + string(rune('a'+n)) + `"}}`, rows: 2}
		})
		require.NoError(t, err)
		assert.Equal(t, []string{"size=3", "n=a"}, got)
	})
}

func TestNextURLAfterRedirect(t *testing.T) {
	p, err := New(catalog.Pagination{Type: "nextURL", NextPath: "next"}, 0)
	require.NoError(t, err)
	w := p.Start(-1)
	req, _ := url.Parse("http://api.test/items")
	final, _ := url.Parse("https://cdn.test/v2/items?sig=x")
	next, err := w.Next(Page{URL: req, ResponseURL: final, Body: `{"next":"?page=2"}`, Rows: 1})
	require.NoError(t, err)
	assert.Equal(t, "https://cdn.test/v2/items?page=2", next.String())
}

func TestLinkHeaderWalk(t *testing.T) {
	p, err := New(catalog.Pagination{Type: "LINKHEADER", SizeParam: "per_page", PageSize: 2, TotalHeader: "X-Total-Count"}, 0)
	require.NoError(t, err)
	assert.Equal(t, catalog.PageLinkHeader, p.Type())
	headers := []http.Header{
		{"Link": {`<http://api.test/items?page=2&per_page=2>; rel="next", <http://api.test/items?page=9>; rel="last"`}},
		{"Link": {`<http://api.test/items?page=1>; rel="prev first"`, `</items?page=3&per_page=2>; rel="next"`}},
		{"Link": {`<http://api.test/items?page=2>; rel="prev"`}},
	}
	got, err := drive(t, p, -1, base, func(n int, _ *url.URL) response {
		return response{header: headers[n], body: `[1,2]`, rows: 2}
	})
	require.NoError(t, err)
	assert.Equal(t, []string{"per_page=2", "page=2&per_page=2", "page=3&per_page=2"}, got)

	t.Run("total header stops first", func(t *testing.T) {
		got, err := drive(t, p, -1, base, func(n int, _ *url.URL) response {
			h := headers[n].Clone()
			h.Set("X-Total-Count", "4")
			return response{header: h, body: `[1,2]`, rows: 2}
		})
		require.NoError(t, err)
		assert.Len(t, got, 2)
	})
	t.Run("bad total header", func(t *testing.T) {
		_, err := drive(t, p, -1, base, func(n int, _ *url.URL) response {
			return response{header: http.Header{"X-Total-Count": {"many"}}, body: `[1]`, rows: 1}
		})
		require.Error(t, err)
		assert.Equal(t, `pagination: linkHeader: page 1: totalHeader X-Total-Count holds "many", not a row count`, err.Error())
	})
	t.Run("repeated", func(t *testing.T) {
		_, err := drive(t, p, -1, base, func(n int, u *url.URL) response {
			return response{header: http.Header{"Link": {`<` + u.String() + `>; rel=next`}}, body: `[1]`, rows: 1}
		})
		var le *LoopError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, "next URL", le.What)
	})
}

func TestNoneAndEmptyPages(t *testing.T) {
	p, err := New(catalog.Pagination{}, 50)
	require.NoError(t, err)
	assert.Equal(t, catalog.PageNone, p.Type())
	assert.Equal(t, 0, p.PageSize())
	got, err := drive(t, p, -1, base, sizes(10, 10))
	require.NoError(t, err)
	assert.Equal(t, []string{""}, got)

	// Every type stops on an empty page, whatever else the page says.
	for _, cfg := range []catalog.Pagination{
		{Type: "offset"}, {Type: "page"}, {Type: "cursor", CursorPath: "c", CursorParam: "c"},
		{Type: "nextURL", NextPath: "next"}, {Type: "linkHeader"}, {Type: "none"},
	} {
		p, err := New(cfg, 0)
		require.NoError(t, err)
		got, err := drive(t, p, -1, base, func(int, *url.URL) response {
			return response{header: http.Header{"Link": {`</items?x=2>; rel=next`}}, body: `{"c":"x","next":"/items?y=1"}`}
		})
		require.NoError(t, err, cfg.Type)
		assert.Len(t, got, 1, cfg.Type)
	}
}

func TestStopRuleErrors(t *testing.T) {
	tests := []struct {
		p    catalog.Pagination
		body string
		want string
	}{
		{catalog.Pagination{Type: "page", HasMorePath: "more"}, `{"more":"perhaps"}`, `pagination: page: page 1: hasMorePath "more" holds "perhaps", not a boolean`},
		{catalog.Pagination{Type: "page", HasMorePath: "more"}, `{"more":{}}`, `pagination: page: page 1: hasMorePath "more" holds a object, not a boolean`},
		{catalog.Pagination{Type: "offset", TotalPath: "total"}, `{"total":true}`, `pagination: offset: page 1: totalPath "total" holds true, not a row count`},
		{catalog.Pagination{Type: "offset", TotalPath: "total"}, `{"total":-3}`, `pagination: offset: page 1: totalPath "total" holds -3, not a row count`},
		{catalog.Pagination{Type: "offset", TotalPath: "total"}, `{"total":2.5}`, `pagination: offset: page 1: totalPath "total" holds 2.5, not a row count`},
	}
	for _, tt := range tests {
		p, err := New(tt.p, 0)
		require.NoError(t, err)
		_, err = drive(t, p, -1, base, func(int, *url.URL) response { return response{body: tt.body, rows: 1} })
		require.Error(t, err)
		assert.Equal(t, tt.want, err.Error())
	}
	// A total of 2.0 is a count.
	p, err := New(catalog.Pagination{Type: "offset", TotalPath: "total"}, 0)
	require.NoError(t, err)
	got, err := drive(t, p, -1, base, func(n int, _ *url.URL) response {
		return response{body: `{"total":2.0,"n":` + string(rune('0'+n)) + `}`, rows: 1}
	})
	require.NoError(t, err)
	assert.Len(t, got, 2)
}

func TestNewErrors(t *testing.T) {
	tests := []struct {
		p    catalog.Pagination
		over int
		want string
	}{
		{catalog.Pagination{Type: "pages"}, 0, `pagination: unknown type "pages" (valid types: none, offset, page, cursor, nextURL, linkHeader)`},
		{catalog.Pagination{Type: "cursor", CursorParam: "c"}, 0, "pagination: cursor: cursorPath is required (the body path of the next cursor)"},
		{catalog.Pagination{Type: "cursor", CursorPath: "c"}, 0, "pagination: cursor: cursorParam is required (the query parameter that sends the cursor)"},
		{catalog.Pagination{Type: "nextURL"}, 0, "pagination: nextURL: nextPath is required (the body path of the next page's URL)"},
		{catalog.Pagination{Type: "page", PageSize: -1}, 0, "pagination: pageSize -1 is negative"},
		{catalog.Pagination{Type: "page"}, -5, "pagination: page size override -5 is negative"},
		{catalog.Pagination{Type: "page", Start: intp(-1)}, 0, "pagination: page: start -1 is negative"},
		{catalog.Pagination{Type: "offset", Start: intp(-1)}, 0, "pagination: offset: start -1 is negative"},
	}
	for _, tt := range tests {
		p, err := New(tt.p, tt.over)
		require.Error(t, err)
		assert.Nil(t, p)
		assert.Equal(t, tt.want, err.Error())
	}
}

func TestPageSize(t *testing.T) {
	tests := []struct {
		p    catalog.Pagination
		over int
		want int
	}{
		{catalog.Pagination{Type: "page", PageSize: 50}, 0, 50},
		{catalog.Pagination{Type: "page", PageSize: 50}, 7, 7},
		{catalog.Pagination{Type: "offset"}, 0, 0},
		{catalog.Pagination{Type: "cursor", CursorPath: "c", CursorParam: "c", PageSize: 9}, 0, 0},
		{catalog.Pagination{Type: "nextURL", NextPath: "n", SizeParam: "n", PageSize: 9}, 0, 9},
		{catalog.Pagination{Type: "linkHeader", SizeParam: "n"}, 20, 20},
		{catalog.Pagination{Type: "none", SizeParam: "n", PageSize: 9}, 0, 0},
	}
	for _, tt := range tests {
		p, err := New(tt.p, tt.over)
		require.NoError(t, err)
		assert.Equal(t, tt.want, p.PageSize(), "%+v", tt.p)
	}
}

func TestNextWithoutURL(t *testing.T) {
	p, err := New(catalog.Pagination{Type: "page"}, 0)
	require.NoError(t, err)
	_, err = p.Start(-1).Next(Page{Rows: 1})
	require.Error(t, err)
	assert.Equal(t, "pagination: page: page 1 has no request URL", err.Error())
}

func TestWithParams(t *testing.T) {
	tests := []struct {
		raw  string
		ps   []Param
		want string
	}{
		{"", []Param{{"a", "1"}}, "a=1"},
		{"a=0&b=x&a=2", []Param{{"a", "1"}, {"c", "y z"}}, "a=1&b=x&c=y+z"},
		{"%zz&b", []Param{{"b", "&"}}, "%zz&b=%26"},
		{"a+b=1", []Param{{"a b", "2"}}, "a+b=2"},
	}
	for _, tt := range tests {
		u := &url.URL{Scheme: "http", Host: "h", Path: "/p", RawQuery: tt.raw}
		got := withParams(u, tt.ps)
		assert.Equal(t, tt.want, got.RawQuery)
		assert.Equal(t, tt.raw, u.RawQuery, "input unchanged")
	}
}

func TestLoopErrorIsError(t *testing.T) {
	var err error = &LoopError{Type: "nextURL", What: "next URL", Value: "http://x", Page: 2, First: 1}
	var le *LoopError
	assert.True(t, errors.As(err, &le))
}

func TestAhead(t *testing.T) {
	next, _ := url.Parse("http://api.test/items?page=2&size=10")
	walkAfterFirst := func(t *testing.T, p catalog.Pagination, want int64, header http.Header) Walker {
		pg, err := New(p, 0)
		require.NoError(t, err)
		w := pg.Start(want)
		first, _ := url.Parse("http://api.test/items?page=1&size=10")
		_, err = w.Next(Page{URL: first, Header: header, Body: `[]`, Rows: 10})
		require.NoError(t, err)
		return w
	}
	total := http.Header{"X-Total-Count": {"45"}}
	pageCfg := catalog.Pagination{Type: "page", PageParam: "page", SizeParam: "size", PageSize: 10, TotalHeader: "X-Total-Count"}
	w := walkAfterFirst(t, pageCfg, -1, total)
	var got []string
	for _, u := range w.(Predictor).Ahead(next, 0, 8) {
		got = append(got, u.Query().Get("page"))
	}
	assert.Equal(t, []string{"3", "4", "5"}, got, "45 rows: pages 3 to 5 after page 2")

	w = walkAfterFirst(t, pageCfg, 25, nil)
	got = nil
	for _, u := range w.(Predictor).Ahead(next, 0, 8) {
		got = append(got, u.Query().Get("page"))
	}
	assert.Equal(t, []string{"3"}, got, "25 rows wanted: only page 3 after page 2")

	w = walkAfterFirst(t, pageCfg, -1, nil)
	assert.Empty(t, w.(Predictor).Ahead(next, 0, 8), "no total, no limit: sequential")
	got = nil
	for _, u := range w.(Predictor).Guess(next, 0, 3) {
		got = append(got, u.Query().Get("page"))
	}
	assert.Equal(t, []string{"3", "4", "5"}, got, "no total, no limit, full pages: a guess")

	// No guess once a total or a limit is known (Ahead answers), nor after
	// a short page.
	assert.Empty(t, walkAfterFirst(t, pageCfg, -1, total).(Predictor).Guess(next, 0, 3))
	assert.Empty(t, walkAfterFirst(t, pageCfg, 25, nil).(Predictor).Guess(next, 0, 3))
	pg, err := New(pageCfg, 0)
	require.NoError(t, err)
	short := pg.Start(-1)
	first, _ := url.Parse("http://api.test/items?page=1&size=10")
	_, err = short.Next(Page{URL: first, Body: `[]`, Rows: 7})
	require.NoError(t, err)
	assert.Empty(t, short.(Predictor).Guess(next, 0, 3))

	offCfg := catalog.Pagination{Type: "offset", OffsetParam: "offset", SizeParam: "size", PageSize: 10, TotalHeader: "X-Total-Count"}
	w = walkAfterFirst(t, offCfg, -1, total)
	offNext, _ := url.Parse("http://api.test/items?offset=10&size=10")
	got = nil
	for _, u := range w.(Predictor).Ahead(offNext, 0, 2) {
		got = append(got, u.Query().Get("offset"))
	}
	assert.Equal(t, []string{"20", "30"}, got)

	// A caller that has the first pages after next asks for the rest.
	w = walkAfterFirst(t, pageCfg, -1, total)
	got = nil
	for _, u := range w.(Predictor).Ahead(next, 1, 8) {
		got = append(got, u.Query().Get("page"))
	}
	assert.Equal(t, []string{"4", "5"}, got, "45 rows, page 3 already asked for: pages 4 and 5")
	assert.Empty(t, w.(Predictor).Ahead(next, 3, 8), "every page to the end already asked for")
	assert.Empty(t, w.(Predictor).Ahead(next, 8, 8))
	w = walkAfterFirst(t, pageCfg, -1, nil)
	got = nil
	for _, u := range w.(Predictor).Guess(next, 2, 4) {
		got = append(got, u.Query().Get("page"))
	}
	assert.Equal(t, []string{"5", "6"}, got, "a guess past the pages already asked for")
}

func TestStopPath(t *testing.T) {
	for _, cfg := range []catalog.Pagination{
		{Type: "cursor", CursorPath: "next", CursorParam: "c", StopPath: "end"},
		{Type: "nextURL", NextPath: "url", StopPath: "end"},
		{Type: "page", PageSize: 1, StopPath: "end"},
	} {
		p, err := New(cfg, 0)
		require.NoError(t, err)
		// The third page says end; the walk stops after it although it
		// names a next page.
		got, err := drive(t, p, -1, base, func(n int, _ *url.URL) response {
			end := []string{`false`, `"false"`, `true`}[n]
			return response{body: `{"end":` + end + `,"next":"c` + string(rune('0'+n)) + `","url":"/items?p=` + string(rune('0'+n)) + `"}`, rows: 1}
		})
		require.NoError(t, err, cfg.Type)
		assert.Len(t, got, 3, cfg.Type)
	}
	p, err := New(catalog.Pagination{Type: "cursor", CursorPath: "next", CursorParam: "c", StopPath: "end"}, 0)
	require.NoError(t, err)
	for body, want := range map[string]string{
		`{"end":"soon","next":"x"}`: `pagination: cursor: page 1: stopPath "end" holds "soon", not a boolean`,
		`{"end":[true],"next":"x"}`: `pagination: cursor: page 1: stopPath "end" holds a array, not a boolean`,
	} {
		_, err := drive(t, p, -1, base, func(int, *url.URL) response { return response{body: body, rows: 1} })
		require.Error(t, err)
		assert.Equal(t, want, err.Error())
	}
	// 1 and "true" are true; a missing path is not.
	for body, pages := range map[string]int{`{"end":1,"next":"x"}`: 1, `{"end":"true","next":"x"}`: 1} {
		got, err := drive(t, p, -1, base, func(int, *url.URL) response { return response{body: body, rows: 1} })
		require.NoError(t, err)
		assert.Len(t, got, pages, body)
	}
}

func TestEmptyPageStopsFalse(t *testing.T) {
	no := false
	p, err := New(catalog.Pagination{Type: "cursor", CursorPath: "next", CursorParam: "c", EmptyPageStops: &no}, 0)
	require.NoError(t, err)
	// Empty pages in the middle; the cursor's end stops the walk.
	bodies := []string{`{"next":"a"}`, `{"next":"b"}`, `{"next":"c"}`, `{"next":null}`}
	rows := []int{2, 0, 0, 1}
	got, err := drive(t, p, -1, base, func(n int, _ *url.URL) response { return response{body: bodies[n], rows: rows[n]} })
	require.NoError(t, err)
	assert.Equal(t, []string{"", "c=a", "c=b", "c=c"}, got)

	// An API handing out new cursors with empty pages for ever is stopped.
	w := p.Start(-1)
	u, _ := url.Parse(base)
	var n int
	for n = 1; n <= 2*MaxEmptyPages; n++ {
		next, err := w.Next(Page{URL: u, Body: `{"next":"k` + strings.Repeat("x", n) + `"}`})
		if err != nil {
			assert.Contains(t, err.Error(), "pagination: cursor: page 100 is the 100th empty page in a row (emptyPageStops: false)")
			break
		}
		require.NotNil(t, next)
		u = next
	}
	assert.Equal(t, MaxEmptyPages, n)

	// A page with rows resets the count.
	w = p.Start(-1)
	u, _ = url.Parse(base)
	for n := 1; n <= 3*MaxEmptyPages; n++ {
		rows := 0
		if n%50 == 0 {
			rows = 1
		}
		next, err := w.Next(Page{URL: u, Body: `{"next":"k` + strings.Repeat("x", n) + `"}`, Rows: rows})
		require.NoError(t, err)
		u = next
	}

	// offset and page end on a short page: emptyPageStops false is refused.
	for _, typ := range []string{"offset", "page", "none"} {
		_, err := New(catalog.Pagination{Type: typ, EmptyPageStops: &no}, 0)
		require.Error(t, err, typ)
		assert.Contains(t, err.Error(), "emptyPageStops: false needs type cursor, nextURL or linkHeader")
	}
}
