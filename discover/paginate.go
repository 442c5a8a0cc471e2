package discover

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/pagination"
)

// maxMetaDepth bounds how deep in the body's objects pagination fields are
// looked for (meta.pagination.links.next is 4).
const maxMetaDepth = 5

// Names of body fields and URL parameters, normalized: lower case, letters
// and digits only (next_page_url and nextPageUrl are nextpageurl,
// @odata.nextLink is odatanextlink, _page is page).
var (
	// nextURLNames hold the next page's URL when their value looks like one.
	nextURLNames = []string{"next", "nexturl", "nextlink", "nextpage", "nextpageurl", "nextpagelink", "odatanextlink", "nexthref"}
	// explicitURLNames are next-URL fields even when null (the last page).
	explicitURLNames = []string{"nexturl", "nextlink", "nextpageurl", "nextpagelink", "odatanextlink"}
	// cursorNames hold the next page's cursor; the weak ones (next, after,
	// marker) only when they hold a value that is not a URL.
	cursorNames       = []string{"nextcursor", "cursor", "nextpagetoken", "pagetoken", "nexttoken", "continuationtoken", "endcursor", "nextpagecursor", "nextmarker", "scrollid", "nextkey", "continuation"}
	weakCursorNames   = []string{"next", "after", "marker"}
	pageNames         = []string{"page", "currentpage", "pagenumber", "pageindex", "pagenum", "pageno"}
	sizeNames         = []string{"perpage", "pagesize", "limit", "size", "pagelimit", "itemsperpage", "pagelen", "maxresults", "take"}
	offsetNames       = []string{"offset", "skip", "start", "startindex"}
	totalNames        = []string{"total", "totalcount", "totalitems", "totalresults", "totalentries", "totalrecords", "totalsize", "count", "odatacount", "totalhits", "totalelements", "numfound", "totalrows"}
	pageCountNames    = []string{"totalpages", "pagecount", "lastpage", "pages", "numpages"}
	hasMoreNames      = []string{"hasmore", "hasnext", "hasnextpage", "more", "moreresults", "hasmoreresults", "hasmoreitems", "hasmorepages", "morepages"}
	pageParamNames    = []string{"page", "pagenumber", "pageindex", "pagenum", "pageno"}
	sizeParamNames    = []string{"perpage", "limit", "pagesize", "size", "pagelimit", "itemsperpage", "maxresults", "take", "top", "first", "maxitems", "pagelen", "count"}
	offsetParamNames  = []string{"offset", "skip", "start", "startindex", "from"}
	cursorParamNames  = []string{"cursor", "pagetoken", "after", "continuation", "continuationtoken", "nexttoken", "paginationtoken", "marker", "startingafter", "nextcursor", "scrollid", "starttoken", "pagecursor"}
	totalHeaderNames  = []string{"X-Total-Count", "X-Total", "X-Total-Results", "X-Pagination-Total-Count", "Total-Count"}
	sizeLikeBodyNames = sizeNames
)

// normName normalizes a field or parameter name for matching.
func normName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		case r >= 'A' && r <= 'Z':
			b.WriteRune(r - 'A' + 'a')
		}
	}
	return b.String()
}

// metaField is a scalar or null of the body outside the rows.
type metaField struct {
	keys  []string
	value gjson.Result
	// name is the normalized name that says what the field is: the last
	// key's, or its parent's for a leaf named href or url (links.next.href).
	name string
}

func (m metaField) path() string { return gjsonPath(m.keys) }

// isInt reports whether the field holds an integer, and which.
func (m metaField) isInt() (int64, bool) {
	if m.value.Type != gjson.Number {
		return 0, false
	}
	n, err := strconv.ParseInt(m.value.Raw, 10, 64)
	return n, err == nil
}

// metaFields lists the scalars and nulls of the body's objects, outside the
// rows and outside arrays, in document order.
func metaFields(root gjson.Result, rows []string) []metaField {
	var out []metaField
	var walk func(obj gjson.Result, keys []string)
	walk = func(obj gjson.Result, keys []string) {
		obj.ForEach(func(k, v gjson.Result) bool {
			path := append(keys[:len(keys):len(keys)], k.String())
			switch {
			case slices.Equal(path, rows) || v.IsArray() || k.String() == "":
			case v.IsObject():
				if len(path) < maxMetaDepth {
					walk(v, path)
				}
			default:
				name := normName(k.String())
				if len(path) > 1 {
					parent := normName(path[len(path)-2])
					switch {
					case name == "href" || name == "url" || name == "uri":
						name = parent // links.next.href
					case name == "value" && parent == "total":
						name = parent // hits.total.value
					}
				}
				out = append(out, metaField{keys: path, value: v, name: name})
			}
			return true
		})
	}
	if root.IsObject() {
		walk(root, nil)
	}
	return out
}

// looksLikeURL reports whether s can be the next page's URL: absolute,
// rooted, or a relative reference with a query.
func looksLikeURL(s string) bool {
	s = strings.TrimSpace(s)
	l := strings.ToLower(s)
	if strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") {
		return true
	}
	if strings.ContainsAny(s, " \t\n") {
		return false
	}
	return strings.HasPrefix(s, "/") || strings.HasPrefix(s, "?") || (strings.Contains(s, "?") && strings.Contains(s, "="))
}

// signals is what the response says about its pages.
type signals struct {
	meta      []metaField
	rowCount  int
	linkRel   []string // rel values of the Link header's links
	linkNext  bool
	nextURL   *metaField
	cursor    *metaField
	page      *metaField
	size      *metaField
	offset    *metaField
	total     *metaField
	pageCount *metaField
	hasMore   *metaField
	// headerTotal is the total-count header's name and value.
	headerTotal      string
	headerTotalValue int64
}

// more reports whether the response says that another page follows.
func (s *signals) more() bool {
	switch {
	case s.linkNext:
		return true
	case s.nextURL != nil && s.nextURL.value.Type == gjson.String && s.nextURL.value.Str != "":
		return true
	case s.cursor != nil && s.cursor.value.Type != gjson.Null && s.cursor.value.String() != "" && s.cursor.value.Type != gjson.False:
		return true
	case s.hasMore != nil && s.hasMore.value.Type == gjson.True:
		return true
	}
	return false
}

// totalFits reports whether n can be the total number of rows.
func (s *signals) totalFits(n int64) bool {
	return n > int64(s.rowCount) || (n == int64(s.rowCount) && !s.more())
}

// read finds the pagination signals of a response.
func read(root gjson.Result, f *found, header http.Header) *signals {
	s := &signals{rowCount: len(f.rows)}
	for _, l := range pagination.ParseLinkHeader(header.Values("Link")) {
		s.linkRel = append(s.linkRel, l.Rel...)
		if l.HasRel("next") && l.URL != "" {
			s.linkNext = true
		}
	}
	if !f.single {
		s.meta = metaFields(root, f.keys)
	}
	first := func(dst **metaField, ok func(m metaField) bool) {
		for i := range s.meta {
			if *dst == nil && ok(s.meta[i]) {
				*dst = &s.meta[i]
			}
		}
	}
	first(&s.nextURL, func(m metaField) bool {
		if !slices.Contains(nextURLNames, m.name) {
			return false
		}
		if m.value.Type == gjson.String {
			return looksLikeURL(m.value.Str)
		}
		return m.value.Type == gjson.Null && slices.Contains(explicitURLNames, m.name)
	})
	first(&s.cursor, func(m metaField) bool {
		switch m.value.Type {
		case gjson.String:
			return (slices.Contains(cursorNames, m.name) || slices.Contains(weakCursorNames, m.name)) && !looksLikeURL(m.value.Str)
		case gjson.Number:
			return slices.Contains(cursorNames, m.name)
		case gjson.Null:
			return slices.Contains(cursorNames, m.name)
		}
		return false
	})
	intNamed := func(names []string, min int64) func(m metaField) bool {
		return func(m metaField) bool {
			n, ok := m.isInt()
			return ok && n >= min && slices.Contains(names, m.name)
		}
	}
	first(&s.page, intNamed(pageNames, 0))
	first(&s.size, intNamed(sizeLikeBodyNames, 1))
	first(&s.offset, intNamed(offsetNames, 0))
	first(&s.pageCount, intNamed(pageCountNames, 0))
	first(&s.hasMore, func(m metaField) bool {
		return (m.value.Type == gjson.True || m.value.Type == gjson.False) && slices.Contains(hasMoreNames, m.name)
	})
	// The total needs the other signals: a count equal to the rows of a
	// page that says more follow is that page's count.
	first(&s.total, func(m metaField) bool {
		n, ok := m.isInt()
		return ok && slices.Contains(totalNames, m.name) && s.totalFits(n)
	})
	for _, h := range totalHeaderNames {
		v := strings.TrimSpace(header.Get(h))
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && v != "" && s.totalFits(n) {
			s.headerTotal, s.headerTotalValue = h, n
			break
		}
	}
	return s
}

// param is a pagination parameter found in the request URL.
type param struct {
	name  string
	value string
}

func (p *param) int() (int, bool) {
	if p == nil {
		return 0, false
	}
	n, err := strconv.Atoi(p.value)
	return n, err == nil
}

// findParam returns the first query parameter (by sorted name) whose
// normalized name is in names and whose value is accepted.
func findParam(query url.Values, names []string, accept func(string) bool) *param {
	keys := make([]string, 0, len(query))
	for k := range query {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if v := query.Get(k); slices.Contains(names, normName(k)) && accept(v) {
			return &param{name: k, value: v}
		}
	}
	return nil
}

func isNonNegInt(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 0
}

func isPosInt(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0
}

func anyValue(string) bool { return true }

// cursorParamFor guesses the parameter that sends a cursor back from the
// field that holds it: nextPageToken is sent as pageToken, endCursor as
// after, next_cursor and nextCursor as cursor; others by their own name.
func cursorParamFor(key string) string {
	switch normName(key) {
	case "nextpagetoken":
		if strings.Contains(key, "_") {
			return "page_token"
		}
		return "pageToken"
	case "endcursor":
		return "after"
	case "nextcursor", "next", "cursor", "nextpagecursor":
		return "cursor"
	case "nextmarker":
		return "marker"
	}
	return key
}

// pageParamFor is the page parameter a body's page field suggests:
// current_page and currentPage are page; others keep their name.
func pageParamFor(key string) string {
	if normName(key) == "currentpage" {
		return "page"
	}
	return key
}

// detectPagination works out a table's pagination from one response and
// the URL that was asked. It returns the pagination ({type: none} when no
// style was found), the URL parameters it sends itself (to leave out of
// the table's params) and notes for the reader.
func detectPagination(root gjson.Result, f *found, header http.Header, query url.Values) (*catalog.Pagination, map[string]bool, []string) {
	s := read(root, f, header)
	used := map[string]bool{}
	var notes []string
	note := func(format string, args ...any) { notes = append(notes, fmt.Sprintf(format, args...)) }

	pageP := findParam(query, pageParamNames, isNonNegInt)
	sizeP := findParam(query, sizeParamNames, isPosInt)
	offsetP := findParam(query, offsetParamNames, isNonNegInt)
	cursorP := findParam(query, cursorParamNames, anyValue)

	p := &catalog.Pagination{}
	useSize := func() {
		if n, ok := sizeP.int(); ok {
			p.SizeParam, p.PageSize = sizeP.name, n
			used[sizeP.name] = true
		}
	}
	dropPosition := func() {
		for _, q := range []*param{pageP, offsetP, cursorP} {
			if q != nil {
				used[q.name] = true
			}
		}
	}
	link := s.linkNext || len(s.linkRel) > 0
	switch {
	case link && (pageP != nil || offsetP != nil):
		// A page or offset parameter asked for this page; the API may
		// send Link headers only when it is there (json-server does), so
		// it is sent on every request rather than left to the links.
		if pageP != nil {
			p.Type, p.PageParam = catalog.PagePage, pageP.name
			used[pageP.name] = true
			if n, _ := pageP.int(); n == 0 {
				p.Start = new(int)
			}
			useSize()
			note("Pagination: page, with the %s parameter%s (the Link header's links would work too).", p.PageParam, sizeNote(p))
		} else {
			p.Type, p.OffsetParam = catalog.PageOffset, offsetP.name
			used[offsetP.name] = true
			useSize()
			note("Pagination: offset, with the %s parameter%s (the Link header's links would work too).", p.OffsetParam, sizeNote(p))
		}
	case link:
		p.Type = catalog.PageLinkHeader
		if s.linkNext {
			note("Pagination: linkHeader, from the Link header's rel=\"next\".")
		} else {
			note("Pagination: linkHeader: the Link header has no rel=\"next\" on this page, but has rel=%q.", strings.Join(s.linkRel, " "))
		}
		useSize()
		dropPosition()
	case s.nextURL != nil:
		p.Type, p.NextPath = catalog.PageNextURL, s.nextURL.path()
		note("Pagination: nextURL, from the body's %s (the next page's URL).", s.nextURL.path())
		useSize()
		dropPosition()
	case s.cursor != nil:
		p.Type, p.CursorPath = catalog.PageCursor, s.cursor.path()
		if cursorP != nil {
			p.CursorParam = cursorP.name
			used[cursorP.name] = true
			note("Pagination: cursor, from the body's %s, sent back as the URL's %s parameter.", p.CursorPath, p.CursorParam)
		} else {
			p.CursorParam = cursorParamFor(s.cursor.keys[len(s.cursor.keys)-1])
			note("Pagination: cursor, from the body's %s; the parameter that sends it back, %s, is a guess: check the API's documentation.", p.CursorPath, p.CursorParam)
		}
		useSize()
	case s.offset != nil || offsetP != nil:
		p.Type = catalog.PageOffset
		switch {
		case offsetP != nil:
			p.OffsetParam = offsetP.name
			used[offsetP.name] = true
		default:
			p.OffsetParam = s.offset.keys[len(s.offset.keys)-1]
		}
		useSize()
		if p.SizeParam == "" && s.size != nil {
			n, _ := s.size.isInt()
			p.SizeParam, p.PageSize = s.size.keys[len(s.size.keys)-1], int(n)
		}
		note("Pagination: offset, with the %s parameter%s.", p.OffsetParam, sizeNote(p))
	case s.page != nil || pageP != nil || s.total != nil || s.headerTotal != "" || (s.size != nil && s.pageCount != nil):
		p.Type = catalog.PagePage
		start := -1
		switch {
		case pageP != nil:
			p.PageParam = pageP.name
			used[pageP.name] = true
			start, _ = pageP.int()
		case s.page != nil:
			p.PageParam = pageParamFor(s.page.keys[len(s.page.keys)-1])
			n, _ := s.page.isInt()
			start = int(n)
		default:
			p.PageParam = "page"
		}
		if start == 0 {
			p.Start = new(int)
		}
		useSize()
		if p.SizeParam == "" && s.size != nil {
			n, _ := s.size.isInt()
			p.SizeParam, p.PageSize = s.size.keys[len(s.size.keys)-1], int(n)
		}
		if pageP == nil && s.page == nil {
			note("Pagination: page, because the response has a total; no page parameter was seen, so %s is a guess.", p.PageParam)
		} else {
			note("Pagination: page, with the %s parameter%s.", p.PageParam, sizeNote(p))
		}
	case s.hasMore != nil:
		note("The body's %s says whether more rows follow, but nothing says how to ask for them: no pagination.", s.hasMore.path())
		p.Type = catalog.PageNone
	default:
		p.Type = catalog.PageNone
	}
	if p.Type == catalog.PageNone {
		note("No pagination found; pagination: {type: none} keeps a catalog's pagination from applying to this table (delete it to inherit).")
		return p, used, notes
	}
	switch {
	case s.headerTotal != "":
		p.TotalHeader = s.headerTotal
		note("Total rows: the %s header (%d).", s.headerTotal, s.headerTotalValue)
	case s.total != nil:
		p.TotalPath = s.total.path()
		note("Total rows: the body's %s (%s).", p.TotalPath, s.total.value.Raw)
	}
	if s.hasMore != nil {
		p.HasMorePath = s.hasMore.path()
		note("Stops when the body's %s is false.", p.HasMorePath)
	}
	if s.pageCount != nil && p.TotalPath == "" && p.TotalHeader == "" {
		note("The body's %s counts pages, not rows: not used as a total.", s.pageCount.path())
	}
	return p, used, notes
}

// sizeNote describes a pagination's page size for a note.
func sizeNote(p *catalog.Pagination) string {
	switch {
	case p.SizeParam != "" && p.PageSize > 0:
		return fmt.Sprintf(" and pages of %d (%s)", p.PageSize, p.SizeParam)
	case p.SizeParam != "":
		return " and " + p.SizeParam + " for the page size"
	}
	return ""
}
