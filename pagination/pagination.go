// Package pagination walks the pages of a REST list endpoint.
//
// Each pagination type of the profile format (none, offset, page, cursor,
// nextURL, linkHeader) is a small strategy object, a Paginator, built by New
// from a table's merged pagination settings. A Paginator is immutable and is
// shared by every scan of the table; Start begins one walk over one request
// stream and returns a Walker that holds that walk's state.
//
// A walk asks the Walker for the first request's extra query parameters
// (First), fetches a page, then hands the page to Next, which returns the URL
// of the following page or nil when the walk is over. The stop rules are
// explicit and the same for every type:
//
//   - every type stops on an empty page (no rows);
//   - offset and page also stop on a short page (fewer rows than the page
//     size asked for) when it can be trusted to be the last: under a
//     declared maxPageSize (the API's cap; the size asked is clamped to
//     it), or once a page came back full. A short first page otherwise is
//     confirmed by one more request, since an API that caps the page size
//     below the size asked returns short pages that are not its last: an
//     empty page ends the walk, a page with rows shows the API's own page
//     size, which the walk then goes on with (a total above the rows seen
//     or hasMorePath holding true shows that at once);
//   - totalPath (a body path) or totalHeader (e.g. X-Total-Count) give the
//     total number of rows: the walk stops once it has seen that many;
//   - hasMorePath (a body path) stops the walk when it holds false;
//   - stopPath (a body path) stops the walk after the page where it holds
//     true;
//   - with emptyPageStops false (cursor, nextURL, linkHeader), an empty
//     page does not stop the walk: the cursor's or next URL's end, stopPath
//     or hasMorePath do, and MaxEmptyPages empty pages in a row are an
//     error;
//   - a walk started with a known number of wanted rows stops once it has
//     seen them;
//   - cursor stops when the body has no next cursor, nextURL when it has no
//     next URL, linkHeader when the Link header has no rel="next".
//
// A walk never loops: a cursor or next URL that the walk has already used is
// a *LoopError, and an offset or page walk whose page repeats the previous
// page byte for byte (an API that ignores the page parameter) is an error too.
package pagination

import (
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
)

// Default parameter names and start values.
const (
	DefaultOffsetParam = "offset"
	DefaultLimitParam  = "limit"
	DefaultPageParam   = "page"
	DefaultPerPage     = "per_page"
	DefaultPageStart   = 1
	DefaultOffsetStart = 0
)

// types lists the valid pagination types, for error messages.
var types = []string{catalog.PageNone, catalog.PageOffset, catalog.PagePage, catalog.PageCursor, catalog.PageNextURL, catalog.PageLinkHeader}

// Param is one query parameter of a request.
type Param struct {
	Name  string
	Value string
}

// Page is a fetched page, as a Walker sees it.
type Page struct {
	// URL is the request that returned the page, without credentials.
	URL *url.URL
	// ResponseURL is the URL that answered when the request was redirected
	// (nil = URL). Relative next URLs are resolved against it (RFC 3986
	// section 5.1.3); offset, page and cursor parameters are set on URL.
	ResponseURL *url.URL
	// Header is the response header.
	Header http.Header
	// Body is the response body. Nothing Next returns (its URL, its
	// error) shares Body's bytes, and the walk keeps none of them: the
	// caller may reuse the body's buffer once Next has returned.
	Body string
	// Rows is the number of rows found on the page.
	Rows int
	// Values, when set, answers a body path as gjson.Get(Body, path)
	// would, from values the reader of the rows met on its way (so the
	// walk does not read a large body again); ok is false for a path it
	// does not know, and Body is read then.
	Values func(path string) (v gjson.Result, ok bool)
}

// get returns the value at a body path.
func (p Page) get(path string) gjson.Result {
	if p.Values != nil {
		if v, ok := p.Values(path); ok {
			return v
		}
	}
	return gjson.Get(p.Body, path)
}

// Paginator is a pagination strategy. It is immutable and safe for
// concurrent use.
type Paginator interface {
	// Type is the pagination type (catalog.PageNone, catalog.PageOffset, …).
	Type() string
	// PageSize is the number of rows asked for per page (0 = none asked),
	// at most MaxPageSize when that is set.
	PageSize() int
	// MaxPageSize is the API's cap on the page size that the profile
	// declares (0 = none declared, or no size is sent).
	MaxPageSize() int
	// AskedPageSize is the page size the profile or the DSN asked for,
	// before MaxPageSize clamped it (0 = none asked).
	AskedPageSize() int
	// Start begins a walk over one request stream. want is the number of
	// rows the caller still wants (negative = all); the page size asked is
	// then at most want, and the walk stops once it has seen want rows.
	Start(want int64) Walker
}

// Walker is the state of one walk. It is not safe for concurrent use.
type Walker interface {
	// First returns the query parameters to set on the first request; a
	// parameter of the same name already in the URL is replaced.
	First() []Param
	// Next inspects the page just fetched and returns the next page's URL,
	// or nil when p was the last page. The URL is absolute; for offset,
	// page and cursor it is p.URL with the paging parameters set.
	Next(p Page) (*url.URL, error)
}

// Predictor is implemented by the walkers of offset and page pagination,
// whose next pages' URLs follow from the position alone, so a caller can
// fetch them ahead, in parallel, while it still reads the pages in order.
type Predictor interface {
	// Ahead returns the URLs of the pages skip+1 to k after next (the URL
	// Next just returned, or the first URL before any page), assuming each
	// page is full, as far as a total the API reported or the rows the walk
	// wants show pages to exist: none when neither is known, or the page
	// size is unknown. A caller that already has the first skip pages after
	// next asks for the rest only.
	Ahead(next *url.URL, skip, k int) []*url.URL
	// Guess returns the URLs of the pages skip+1 to k after next when
	// neither a total nor a limit tells how many pages exist, as long as
	// every page so far came back full: more may follow. A caller fetches
	// them speculatively and drops those past the end. None once a total
	// or a limit is known (Ahead answers), or when the page size is unknown.
	Guess(next *url.URL, skip, k int) []*url.URL
	// Full is the row count of a full page once a page with fewer rows
	// is known to be the last (0 until then): the size asked under a
	// declared maxPageSize, after a full page, or the API's own page size
	// once the walk learned it. A caller that fetches pages ahead may
	// skip those after a page shorter than Full; before that, a short
	// page may be the API's cap, not the end.
	Full() int
}

// Dropper is implemented by the walkers of offset and page pagination.
type Dropper interface {
	// Dropped reports whether the page last given to Next repeats, byte
	// for byte, the short first page that the walk was confirming: the
	// API ignores the position parameter on this request, so its first
	// page was all of it. The caller must not use the dropped page's
	// rows; Next returned nil (the walk is over).
	Dropped() bool
}

// LoopError reports a cursor or next URL that a walk had already used: the
// API would make the walk loop forever.
type LoopError struct {
	// Type is the pagination type.
	Type string
	// What is "cursor" or "next URL".
	What string
	// Value is the repeated cursor or URL. Callers that show URLs redact it.
	Value string
	// Page is the 1-based number of the page that returned the repeat.
	Page int
	// First is the 1-based number of the page whose request first used it.
	First int
}

// Error implements error.
func (e *LoopError) Error() string {
	return fmt.Sprintf("pagination: %s: page %d returned a repeated %s %q (already used for page %d); stopping instead of looping forever",
		e.Type, e.Page, e.What, e.Value, e.First)
}

// New builds the Paginator for a table's merged pagination settings. An
// empty Type is none. pageSizeOverride, when positive, replaces p.PageSize.
// An unknown type, a negative page size or a missing required setting is an
// error that names it.
func New(p catalog.Pagination, pageSizeOverride int) (Paginator, error) {
	if p.PageSize < 0 {
		return nil, fmt.Errorf("pagination: pageSize %d is negative", p.PageSize)
	}
	if pageSizeOverride < 0 {
		return nil, fmt.Errorf("pagination: page size override %d is negative", pageSizeOverride)
	}
	if p.MaxPageSize < 0 {
		return nil, fmt.Errorf("pagination: maxPageSize %d is negative", p.MaxPageSize)
	}
	size := p.PageSize
	if pageSizeOverride > 0 {
		size = pageSizeOverride
	}
	asked := size
	if p.MaxPageSize > 0 && (size == 0 || size > p.MaxPageSize) {
		// The API's cap: a larger size is clamped to it, and a declared
		// cap without a pageSize is the size asked (the fewest pages).
		size = p.MaxPageSize
	}
	typ := strings.TrimSpace(p.Type)
	if typ == "" {
		typ = catalog.PageNone
	}
	var canon string
	for _, t := range types {
		if strings.EqualFold(t, typ) {
			canon = t
		}
	}
	if canon == "" {
		return nil, fmt.Errorf("pagination: unknown type %q (valid types: %s)", p.Type, strings.Join(types, ", "))
	}
	stops := stopRules{totalPath: p.TotalPath, totalHeader: p.TotalHeader, hasMorePath: p.HasMorePath, stopPath: p.StopPath}
	c := config{typ: canon, stops: stops, sizeParam: p.SizeParam, size: size, emptyStops: true, maxSize: p.MaxPageSize, asked: asked}
	if p.EmptyPageStops != nil && !*p.EmptyPageStops {
		switch canon {
		case catalog.PageCursor, catalog.PageNextURL, catalog.PageLinkHeader:
			c.emptyStops = false
		default:
			return nil, fmt.Errorf("pagination: %s: emptyPageStops: false needs type cursor, nextURL or linkHeader (an empty page is a short page, which ends an %s walk)", canon, canon)
		}
	}
	switch canon {
	case catalog.PageNone:
		return &c, nil
	case catalog.PageOffset:
		c.posParam = or(p.OffsetParam, DefaultOffsetParam)
		c.sizeParam = or(p.SizeParam, DefaultLimitParam)
		c.start = DefaultOffsetStart
		if p.Start != nil {
			if *p.Start < 0 {
				return nil, fmt.Errorf("pagination: offset: start %d is negative", *p.Start)
			}
			c.start = *p.Start
		}
	case catalog.PagePage:
		c.posParam = or(p.PageParam, DefaultPageParam)
		c.sizeParam = or(p.SizeParam, DefaultPerPage)
		c.start = DefaultPageStart
		if p.Start != nil {
			if *p.Start < 0 {
				return nil, fmt.Errorf("pagination: page: start %d is negative", *p.Start)
			}
			c.start = *p.Start
		}
	case catalog.PageCursor:
		if p.CursorPath == "" {
			return nil, fmt.Errorf("pagination: cursor: cursorPath is required (the body path of the next cursor)")
		}
		if p.CursorParam == "" {
			return nil, fmt.Errorf("pagination: cursor: cursorParam is required (the query parameter that sends the cursor)")
		}
		c.cursorPath, c.posParam = p.CursorPath, p.CursorParam
		c.rawCursor = p.CursorBody != ""
	case catalog.PageNextURL:
		if p.NextPath == "" {
			return nil, fmt.Errorf("pagination: nextURL: nextPath is required (the body path of the next page's URL)")
		}
		c.nextPath = p.NextPath
	}
	if c.sizeParam == "" {
		// cursor, nextURL and linkHeader send a size only with a sizeParam.
		c.size, c.asked = 0, 0
	}
	return &c, nil
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// config is every Paginator: the type selects the walker.
type config struct {
	typ        string
	stops      stopRules
	posParam   string // offset, page or cursor parameter
	sizeParam  string
	size       int
	start      int
	cursorPath string
	// rawCursor keeps a cursor as the JSON the response wrote (a quoted
	// string, a number, an array): a cursorBody cursor goes into a request
	// body as it came.
	rawCursor bool
	nextPath  string
	// emptyStops is false when an empty page does not end the walk.
	emptyStops bool
	// maxSize is the API's declared cap on the page size (0 = none
	// declared); size is then at most maxSize. asked is the size the
	// profile or the DSN asked for, before the cap.
	maxSize int
	asked   int
}

// MaxEmptyPages is the most empty pages in a row that a walk with
// emptyPageStops false reads before it stops with an error, so an API that
// hands out new cursors for ever without rows cannot keep a scan going.
const MaxEmptyPages = 100

// Type implements Paginator.
func (c *config) Type() string { return c.typ }

// PageSize implements Paginator.
func (c *config) PageSize() int {
	if c.typ == catalog.PageNone {
		return 0
	}
	return c.size
}

// MaxPageSize implements Paginator.
func (c *config) MaxPageSize() int {
	if c.typ == catalog.PageNone || c.sizeParam == "" {
		return 0
	}
	return c.maxSize
}

// AskedPageSize implements Paginator.
func (c *config) AskedPageSize() int {
	if c.typ == catalog.PageNone {
		return 0
	}
	return c.asked
}

// Start implements Paginator.
func (c *config) Start(want int64) Walker {
	w := &walk{cfg: c, want: want, pos: int64(c.start), total: -1}
	w.size = int64(c.PageSize())
	if w.size > 0 && want >= 0 && want < w.size {
		w.size = want
	}
	w.full = w.size
	// Under a declared cap the size asked is one the API honours, so a
	// short page is its last.
	w.trusted = c.maxSize > 0
	return w
}

// walk is one walk's state.
type walk struct {
	cfg  *config
	want int64
	// size is the page size asked for (0 = none): min(pageSize, want).
	size int64
	// full is the row count of a full page: size, or the smaller page
	// size the API was found to use (see nextPosition).
	full int64
	// trusted is set once a short page (fewer than full rows) may end
	// an offset or page walk: under a declared maxPageSize, or once a
	// page came back full, or once the API's own page size was learned.
	// untrusted is set for good when the API's page sizes are not
	// consistent (a later page longer than a short first one): only an
	// empty page, a total, hasMorePath, stopPath or the rows wanted end
	// the walk then.
	trusted, untrusted bool
	// confirming is set after a short first page that was not trusted:
	// the next page tells whether it was the last (empty) or the API's
	// own page size (rows).
	confirming bool
	// dropped is set when the page last given to Next is to be dropped
	// (Dropped).
	dropped bool
	// pos is the next offset (offset) or page number (page).
	pos int64
	// seen counts rows over the pages seen so far; pages counts the pages.
	seen  int64
	pages int
	// lastBody fingerprints the previous page's body (offset, page).
	lastBody bodyPrint
	// used maps a hash of each cursor or URL used to the page it was used for.
	used map[[16]byte]int
	// total is the row count the API last reported (-1 = none).
	total int64
	// empty counts the empty pages in a row (emptyPageStops false).
	empty int
}

// First implements Walker.
func (w *walk) First() []Param {
	var ps []Param
	switch w.cfg.typ {
	case catalog.PageNone:
		return nil
	case catalog.PageOffset, catalog.PagePage:
		ps = append(ps, Param{w.cfg.posParam, strconv.FormatInt(w.pos, 10)})
	}
	if w.size > 0 {
		ps = append(ps, Param{w.cfg.sizeParam, strconv.FormatInt(w.size, 10)})
	}
	return ps
}

// Next implements Walker.
func (w *walk) Next(p Page) (*url.URL, error) {
	w.dropped = false
	w.pages++
	w.seen += int64(p.Rows)
	if p.URL == nil {
		return nil, fmt.Errorf("pagination: %s: page %d has no request URL", w.cfg.typ, w.pages)
	}
	if w.cfg.typ == catalog.PageNone {
		return nil, nil
	}
	if p.Rows <= 0 {
		if w.cfg.emptyStops {
			return nil, nil
		}
		w.empty++
		if w.empty >= MaxEmptyPages {
			return nil, fmt.Errorf("pagination: %s: page %d is the %dth empty page in a row (emptyPageStops: false); stopping instead of walking on without rows (add stopPath or hasMorePath)", w.cfg.typ, w.pages, w.empty)
		}
	} else {
		w.empty = 0
	}
	if w.want >= 0 && w.seen >= w.want {
		return nil, nil
	}
	if t, ok := w.cfg.stops.total(p); ok {
		w.total = t
	}
	if stop, err := w.cfg.stops.stop(p, w.seen); err != nil || stop {
		return nil, wrap(w.cfg.typ, w.pages, err)
	}
	switch w.cfg.typ {
	case catalog.PageOffset, catalog.PagePage:
		return w.nextPosition(p)
	case catalog.PageCursor:
		return w.nextCursor(p)
	case catalog.PageNextURL:
		next := p.get(w.cfg.nextPath)
		if next.Type == gjson.Null || next.String() == "" {
			return nil, nil
		}
		if next.Type != gjson.String {
			return nil, fmt.Errorf("pagination: nextURL: page %d: nextPath %q holds a %s, not a URL string", w.pages, w.cfg.nextPath, JSONType(next))
		}
		return w.follow(p, next.Str)
	default: // linkHeader
		next, ok := NextLink(p.Header)
		if !ok {
			return nil, nil
		}
		return w.follow(p, next)
	}
}

func wrap(typ string, page int, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("pagination: %s: page %d: %w", typ, page, err)
}

// nextPosition handles offset and page.
//
// A short page (fewer rows than asked) ends the walk only when it can be
// trusted to be the last: an API may cap the page size below the size
// asked, and then every page is short. A short page is trusted under a
// declared maxPageSize (the size asked is then at most the cap), after a
// page that came back full, and after the API's own page size was
// learned. A short first page otherwise is confirmed by one more request:
// an empty page ends the walk; a page with rows shows that the API uses
// pages of the first page's row count (its cap), and the walk goes on with
// that page size (the offset moves by the rows received; page numbers
// already count pages of the API's size, as the API sizes every page
// alike). A total that says more rows exist, or hasMorePath holding true,
// on a short first page that is not trusted shows the API's page size at
// once, without the confirming request.
func (w *walk) nextPosition(p Page) (*url.URL, error) {
	h := fingerprint(p.Body)
	repeat := w.pages > 1 && h == w.lastBody
	w.lastBody = h
	if w.size > 0 {
		if w.confirming && repeat {
			// The page after a short first page is that page again:
			// the API does not page this request (it ignores the
			// position), and the short page held its rows. This page
			// is dropped (Dropped).
			w.confirming, w.dropped = false, true
			return nil, nil
		}
		if end := w.judge(p); end {
			return nil, nil
		}
	}
	if repeat {
		return nil, fmt.Errorf("pagination: %s: page %d has the same body as page %d; the API seems to ignore parameter %q",
			w.cfg.typ, w.pages, w.pages-1, w.cfg.posParam)
	}
	var ps []Param
	if w.cfg.typ == catalog.PageOffset {
		w.pos += int64(p.Rows)
		ps = append(ps, Param{w.cfg.posParam, strconv.FormatInt(w.pos, 10)})
		if w.size > 0 {
			size := w.size
			if w.want >= 0 && w.want-w.seen < size {
				size = w.want - w.seen
			}
			ps = append(ps, Param{w.cfg.sizeParam, strconv.FormatInt(size, 10)})
		}
	} else {
		w.pos++
		ps = append(ps, Param{w.cfg.posParam, strconv.FormatInt(w.pos, 10)})
	}
	return withParams(p.URL, ps), nil
}

// judge reads the row count of an offset or page walk's page (with rows)
// against the page size and reports whether the page ends the walk as a
// trusted short page (see nextPosition).
func (w *walk) judge(p Page) (end bool) {
	rows := int64(p.Rows)
	if w.confirming {
		// The page after an untrusted short first page has rows: that
		// first page was the API's own page size, unless this one is
		// longer (then page sizes are not consistent, and no short page
		// is trusted).
		w.confirming = false
		if rows > w.full {
			w.untrusted = true
			return false
		}
		w.trusted = true
		return rows < w.full && !w.more(p)
	}
	switch {
	case rows >= w.full:
		if !w.untrusted {
			w.trusted = true
		}
		return false
	case w.trusted:
		// Whatever a total says: an API that hides rows of a page after
		// paging it (ServiceNow under ACLs) would make the walk read
		// pages that overlap, offsets moving by the rows received.
		return true
	case w.more(p):
		// The API says more rows exist: a short first page is the API's
		// page size.
		if !w.untrusted && w.pages == 1 {
			w.full, w.trusted = rows, true
		}
		return false
	case !w.untrusted && w.pages == 1:
		w.full, w.confirming = rows, true
	}
	return false
}

// more reports whether the page says more rows exist: a total above the
// rows seen, or hasMorePath holding true.
func (w *walk) more(p Page) bool {
	if w.total >= 0 && w.seen < w.total {
		return true
	}
	if w.cfg.stops.hasMorePath != "" {
		res := p.get(w.cfg.stops.hasMorePath)
		switch res.Type {
		case gjson.True:
			return true
		case gjson.String:
			b, err := strconv.ParseBool(strings.TrimSpace(res.Str))
			return err == nil && b
		case gjson.Number:
			return res.Num != 0
		}
	}
	return false
}

func (w *walk) nextCursor(p Page) (*url.URL, error) {
	res := p.get(w.cfg.cursorPath)
	var cursor string
	switch res.Type {
	case gjson.Null:
		return nil, nil
	case gjson.String:
		cursor = res.Str
	case gjson.Number:
		cursor = res.Raw
	case gjson.True, gjson.False:
		// A boolean is no cursor; "false" at the cursor path means no more.
		if res.Type == gjson.False {
			return nil, nil
		}
		return nil, fmt.Errorf("pagination: cursor: page %d: cursorPath %q holds a boolean, not a cursor", w.pages, w.cfg.cursorPath)
	default:
		if !w.cfg.rawCursor {
			return nil, fmt.Errorf("pagination: cursor: page %d: cursorPath %q holds a %s, not a cursor", w.pages, w.cfg.cursorPath, JSONType(res))
		}
		// An array or object goes into a request body as it is
		// (Elasticsearch's search_after: the last hit's sort values);
		// an empty one means no more.
		if (res.IsArray() && len(res.Array()) == 0) || (res.IsObject() && len(res.Map()) == 0) {
			return nil, nil
		}
		cursor = res.Raw
	}
	if cursor == "" {
		return nil, nil
	}
	display := cursor
	if w.cfg.rawCursor {
		// The JSON the response wrote: a string stays a quoted string.
		cursor = res.Raw
	}
	if err := w.use("cursor", cursor, display); err != nil {
		return nil, err
	}
	return withParams(p.URL, []Param{{w.cfg.posParam, cursor}}), nil
}

// follow resolves a next URL against the URL that answered and guards
// repeats.
func (w *walk) follow(p Page, next string) (*url.URL, error) {
	// A copy: the URL's fields are substrings of what it is parsed from,
	// and the body's buffer may be reused once Next returns.
	ref, err := url.Parse(strings.Clone(strings.TrimSpace(next)))
	if err != nil {
		return nil, fmt.Errorf("pagination: %s: page %d: next URL %q: %w", w.cfg.typ, w.pages, next, err)
	}
	base := p.URL
	if p.ResponseURL != nil {
		base = p.ResponseURL
	}
	u := base.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("pagination: %s: page %d: next URL %q is not an http or https URL", w.cfg.typ, w.pages, next)
	}
	if u.Host == "" {
		return nil, fmt.Errorf("pagination: %s: page %d: next URL %q has no host", w.cfg.typ, w.pages, next)
	}
	if w.used == nil {
		w.used = map[[16]byte]int{hash(canonical(p.URL)): 1}
	}
	if err := w.use("next URL", canonical(u), u.String()); err != nil {
		return nil, err
	}
	return u, nil
}

// use records a cursor or URL (key, shown as display) for the next page, or
// reports a repeat.
func (w *walk) use(what, key, display string) error {
	if w.used == nil {
		w.used = map[[16]byte]int{}
	}
	h := hash(key)
	if first, ok := w.used[h]; ok {
		return &LoopError{Type: w.cfg.typ, What: what, Value: strings.Clone(display), Page: w.pages, First: first}
	}
	w.used[h] = w.pages + 1
	return nil
}

// canonical is a URL with its query parameters sorted, so that a next URL
// that only reorders parameters still counts as a repeat.
func canonical(u *url.URL) string {
	c := *u
	c.Fragment, c.RawFragment = "", ""
	if q, err := url.ParseQuery(c.RawQuery); err == nil {
		c.RawQuery = q.Encode()
	}
	return c.String()
}

func hash(s string) [16]byte {
	// Two 64-bit maphash sums: a page body is hashed once per page, so
	// this runs over every byte the scan reads and must be fast; a
	// collision of both needs 2^64 work even for an adversary without the
	// process's random seeds.
	var out [16]byte
	binary.LittleEndian.PutUint64(out[:8], maphash.String(hashSeeds[0], s))
	binary.LittleEndian.PutUint64(out[8:], maphash.String(hashSeeds[1], s))
	return out
}

var hashSeeds = [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}

// bodyPrint is a page body's length and a seeded 64-bit hash of it: an
// offset or page walk compares each page's with the previous one's to
// catch an API that ignores the position parameter. Two different bodies
// of one length collide with probability 2^-64 (the seed is the process's
// own), and one pass over the body, the only work the walk does per byte,
// costs half of hash's two.
type bodyPrint struct {
	n int
	h uint64
}

func fingerprint(body string) bodyPrint {
	return bodyPrint{len(body), maphash.String(hashSeeds[0], body)}
}

// withParams returns a copy of u with each parameter set: the first pair of
// the same name gets the new value, later ones are dropped, and new names are
// appended. Other pairs keep their order and spelling.
func withParams(u *url.URL, ps []Param) *url.URL {
	c := *u
	parts := strings.Split(c.RawQuery, "&")
	done := make([]bool, len(ps))
	out := parts[:0]
	for _, part := range parts {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		uk, err := url.QueryUnescape(k)
		if err != nil {
			out = append(out, part)
			continue
		}
		idx := -1
		for i, p := range ps {
			if p.Name == uk {
				idx = i
				break
			}
		}
		switch {
		case idx < 0:
			out = append(out, part)
		case !done[idx]:
			done[idx] = true
			out = append(out, url.QueryEscape(ps[idx].Name)+"="+url.QueryEscape(ps[idx].Value))
		}
	}
	for i, p := range ps {
		if !done[i] {
			out = append(out, url.QueryEscape(p.Name)+"="+url.QueryEscape(p.Value))
		}
	}
	c.RawQuery = strings.Join(out, "&")
	return &c
}

// stopRules are the stop conditions shared by every type.
type stopRules struct {
	totalPath   string
	totalHeader string
	hasMorePath string
	stopPath    string
}

// total returns the row count a page reports through totalPath or
// totalHeader, when it reports a valid one.
func (s stopRules) total(p Page) (int64, bool) {
	if s.totalPath != "" {
		if res := p.get(s.totalPath); res.Type == gjson.Number || res.Type == gjson.String {
			if t, err := count(res.String()); err == nil {
				return t, true
			}
		}
	}
	if s.totalHeader != "" && p.Header != nil {
		if v := p.Header.Get(s.totalHeader); v != "" {
			if t, err := count(v); err == nil {
				return t, true
			}
		}
	}
	return 0, false
}

// Total is the row count the API last reported through totalPath or
// totalHeader, or -1 when it reported none.
func (w *walk) Total() int64 { return w.total }

// Dropped implements Dropper.
func (w *walk) Dropped() bool { return w.dropped }

// Full implements Predictor.
func (w *walk) Full() int {
	if w.size <= 0 || !w.trusted || w.confirming || w.untrusted {
		return 0
	}
	return int(w.full)
}

// Ahead implements Predictor for offset and page pagination.
func (w *walk) Ahead(next *url.URL, skip, k int) []*url.URL {
	if next == nil || k <= skip || w.size <= 0 || (w.cfg.typ != catalog.PageOffset && w.cfg.typ != catalog.PagePage) {
		return nil
	}
	if w.confirming || w.untrusted {
		return nil // the API's page size is not known
	}
	// Rows still to come after the page at next, if every page is full.
	left := int64(-1)
	if w.total >= 0 {
		left = w.total - w.seen - w.full
	}
	if w.want >= 0 && (left < 0 || w.want-w.seen-w.full < left) {
		left = w.want - w.seen - w.full
	}
	if left < 0 {
		return nil // the end is unknown: see Guess
	}
	return w.after(next, skip, k, left)
}

// Guess implements Predictor for offset and page pagination.
func (w *walk) Guess(next *url.URL, skip, k int) []*url.URL {
	if next == nil || k <= skip || w.size <= 0 || (w.cfg.typ != catalog.PageOffset && w.cfg.typ != catalog.PagePage) {
		return nil
	}
	if w.total >= 0 || w.want >= 0 || w.confirming || w.untrusted || w.seen != int64(w.pages)*w.full {
		return nil
	}
	return w.after(next, skip, k, -1)
}

// after returns the URLs of the pages skip+1 to k after next, while left
// rows remain after it (-1 = no bound).
func (w *walk) after(next *url.URL, skip, k int, left int64) []*url.URL {
	var out []*url.URL
	for j := int64(max(skip, 0)) + 1; j <= int64(k); j++ {
		if left >= 0 && left <= (j-1)*w.full {
			break
		}
		pos := w.pos + j
		if w.cfg.typ == catalog.PageOffset {
			pos = w.pos + j*w.full
		}
		out = append(out, withParams(next, []Param{{w.cfg.posParam, strconv.FormatInt(pos, 10)}}))
	}
	return out
}

// stop reports whether the page says there is nothing more.
func (s stopRules) stop(p Page, seen int64) (bool, error) {
	if s.stopPath != "" {
		res := p.get(s.stopPath)
		switch res.Type {
		case gjson.True:
			return true, nil
		case gjson.False, gjson.Null:
		case gjson.String:
			b, err := strconv.ParseBool(strings.TrimSpace(res.Str))
			if err != nil {
				return false, fmt.Errorf("stopPath %q holds %q, not a boolean", s.stopPath, excerpt(res.Str))
			}
			if b {
				return true, nil
			}
		case gjson.Number:
			if res.Num != 0 {
				return true, nil
			}
		default:
			return false, fmt.Errorf("stopPath %q holds a %s, not a boolean", s.stopPath, JSONType(res))
		}
	}
	if s.hasMorePath != "" {
		res := p.get(s.hasMorePath)
		switch res.Type {
		case gjson.False:
			return true, nil
		case gjson.True, gjson.Null:
		case gjson.String:
			b, err := strconv.ParseBool(strings.TrimSpace(res.Str))
			if err != nil {
				return false, fmt.Errorf("hasMorePath %q holds %q, not a boolean", s.hasMorePath, res.Str)
			}
			if !b {
				return true, nil
			}
		case gjson.Number:
			if res.Num == 0 {
				return true, nil
			}
		default:
			return false, fmt.Errorf("hasMorePath %q holds a %s, not a boolean", s.hasMorePath, JSONType(res))
		}
	}
	if s.totalPath != "" {
		res := p.get(s.totalPath)
		if res.Exists() && res.Type != gjson.Null {
			total, err := count(res.String())
			if err != nil || (res.Type != gjson.Number && res.Type != gjson.String) {
				return false, fmt.Errorf("totalPath %q holds %s, not a row count", s.totalPath, excerpt(res.Raw))
			}
			if seen >= total {
				return true, nil
			}
		}
	}
	if s.totalHeader != "" {
		if v := p.Header.Get(s.totalHeader); v != "" {
			total, err := count(v)
			if err != nil {
				return false, fmt.Errorf("totalHeader %s holds %q, not a row count", s.totalHeader, excerpt(v))
			}
			if seen >= total {
				return true, nil
			}
		}
	}
	return false, nil
}

// count parses a non-negative row count; "12.0" is accepted.
func count(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && n >= 0 {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f < 0 || f != float64(int64(f)) {
		return 0, fmt.Errorf("not a row count: %q", s)
	}
	return int64(f), nil
}

func excerpt(s string) string {
	const max = 64
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

// JSONType names a gjson result's JSON type (null, boolean, number,
// string, array, object) for error messages.
func JSONType(r gjson.Result) string {
	switch r.Type {
	case gjson.Null:
		return "null"
	case gjson.False, gjson.True:
		return "boolean"
	case gjson.Number:
		return "number"
	case gjson.String:
		return "string"
	}
	if r.IsArray() {
		return "array"
	}
	return "object"
}
