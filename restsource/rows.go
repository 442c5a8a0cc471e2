package restsource

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/restsql/restsql/internal/rowscan"
	"github.com/restsql/restsql/pagination"
)

// Rows streams the rows of a scan, page by page.
//
// Each request stream runs on its own goroutine, at most
// Options.MaxConcurrency at once, and holds at most one page beyond the one
// being read (none with Query.NoPrefetch). Rows come in stream order, so
// the rows of IN (a, b) come as a's rows, then b's. Next and Close must not
// be called concurrently with each other, except that Close may be called
// from another goroutine to stop a scan.
type Rows struct {
	plan *Plan
	// ctx is the caller's context; cancel stops the internal one that the
	// goroutines and their requests use.
	ctx    context.Context
	inner  context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	streams []*stream
	cur     int         // the stream being read
	page    *pageOfRows // the page being read
	idx     int         // the next row of page
	fills   []fill      // key values of the current stream

	returned int64
	err      error // sticky: io.EOF or the error that ended the scan

	closeOnce sync.Once
	closed    atomic.Bool

	requests, pages, rows atomic.Int64
	// bufs are the scan's response buffers (see buffers).
	bufs buffers
	// total is the scan's row count when the first page told it (-1 = not
	// known): see Total.
	total atomic.Int64
	// ahead bounds the requests for pages fetched ahead, for all streams
	// together, to MaxConcurrency at once.
	ahead *fifo
	// fetched counts the rows each stream has fetched, for the limit.
	fetched []atomic.Int64
}

// stream is one request stream's channel of pages.
type stream struct {
	spec *streamSpec
	// pages carries the stream's pages; it is closed when the stream ends.
	// It is unbuffered: the goroutine holds at most one page while it
	// waits for the reader.
	pages chan pageOfRows
	// demand, with NoPrefetch, lets the goroutine fetch one page.
	demand chan struct{}
}

// pageOfRows is one page's rows, or the error that ended its stream.
type pageOfRows struct {
	rowscan.Page
	err error
}

// Scan starts reading the plan's requests and returns once the first page
// has arrived, so the first HTTP error is Scan's. ctx bounds the whole scan:
// when it is cancelled every request stops and Next returns ctx.Err().
func (s *Source) Scan(ctx context.Context, p *Plan) (*Rows, error) {
	if p == nil || p.src != s {
		return nil, fmt.Errorf("restsource: table %s: Scan needs a plan made by the same Source", s.name)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// The scan's requests read their bodies into buffers the scan reuses
	// (see response.release): as many as can be in use at once.
	bufs := make(buffers, 2*max(p.src.opts.MaxConcurrency, 1)+2)
	inner, cancel := context.WithCancel(withBuffers(ctx, bufs))
	r := &Rows{plan: p, ctx: ctx, inner: inner, cancel: cancel, bufs: bufs}
	r.total.Store(-1)
	r.ahead = newFIFO(p.src.opts.MaxConcurrency)
	if p.limit == 0 || len(p.streams) == 0 {
		r.err = io.EOF
		cancel()
		return r, nil
	}
	r.streams = make([]*stream, len(p.streams))
	r.fetched = make([]atomic.Int64, len(p.streams))
	for i := range p.streams {
		st := &stream{spec: &p.streams[i], pages: make(chan pageOfRows)}
		if p.noPrefetch {
			st.demand = make(chan struct{}, 1)
		}
		r.streams[i] = st
	}
	r.wg.Add(1)
	go r.launch(inner)
	if err := r.nextPage(); err != nil {
		r.fail(err)
		if err == io.EOF {
			return r, nil
		}
		return nil, err
	}
	return r, nil
}

// launch starts the streams in order, at most MaxConcurrency at once; a
// stream's slot is freed when it ends. Starting in order means the stream
// being read always gets a slot.
func (r *Rows) launch(ctx context.Context) {
	defer r.wg.Done()
	slots := make(chan struct{}, r.plan.src.opts.MaxConcurrency)
	for i, st := range r.streams {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			return
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			defer func() { <-slots }()
			r.run(ctx, i, st)
		}()
	}
}

// enough reports whether the streams up to i have fetched the rows the
// scan needs: rows of later streams come after theirs.
func (r *Rows) enough(i int) bool {
	if r.plan.limit < 0 {
		return false
	}
	var n int64
	for j := 0; j <= i; j++ {
		n += r.fetched[j].Load()
	}
	return n >= r.plan.limit
}

// run walks one stream's pages and sends them to the reader.
func (r *Rows) run(ctx context.Context, i int, st *stream) {
	defer close(st.pages)
	w := newPageWalker(r, ctx, i, st)
	// Pages fetched ahead that the stream does not read (past its end)
	// are cancelled when it ends.
	var cancel context.CancelFunc
	w.actx, cancel = context.WithCancel(ctx)
	defer cancel()
	w.walkPages()
}

// pageWalker walks the pages of one stream (Rows.run): it fetches each
// page, or takes it from those fetched ahead, parses it, sends it to the
// reader and asks the pagination for the next one; with offset and page
// pagination it fetches the pages after the next one ahead.
type pageWalker struct {
	r   *Rows
	p   *Plan
	s   *Source
	i   int // the stream's index
	st  *stream
	ctx context.Context
	// actx bounds the pages fetched ahead: those the stream does not read
	// (past its end) are cancelled when it ends.
	actx context.Context

	walk pagination.Walker
	// pred fetches the pages after the next one ahead, MaxConcurrency-1
	// at a time, while the pages are still read in order (offset and
	// page pagination; nil otherwise).
	pred pagination.Predictor
	// window: pages are asked for up to two windows ahead of the reader
	// while at most MaxConcurrency requests are in flight (Rows.ahead): a
	// request starts as soon as another ends, not when the reader catches
	// up.
	window int
	// ahead holds the pages fetched ahead, by their number in the stream
	// (page 1 is the first). Page n+1 is next when page n has been read;
	// furthest is the last page asked for.
	ahead    map[int64]aheadPage
	furthest int64
	// hint is the number of pages an earlier walk from the same URL read
	// (its last page showed the end, or reached the total); key is that
	// URL, "" when the walk's page count is not remembered.
	hint int
	key  string
	// ended is the first page fetched ahead that came back short: with
	// offset and page pagination the pages after it are past the end, so
	// those not sent yet are not sent.
	ended atomic.Int64
	// size is the row count of a full page (0 = not judged): a page
	// fetched ahead that is shorter ends the pages sent ahead. It is
	// the walk's Predictor.Full once the walk trusts a short page to be
	// the last, else the page size asked: pages the walk then needs
	// after all (the API caps pages below the size asked) are fetched by
	// the walk itself (errPastEnd), and the end is cleared once the walk
	// reads past it (read). It is set by the walk's goroutine after each
	// page and read by those of the pages fetched ahead.
	size atomic.Int64
	// paged is set when the stream sends a page size and fetches ahead
	// (warmStart).
	paged bool
	// header is the stream's header row (header: first).
	header rowscan.Header
}

// fetchedPage is a fetched page: the response, and its rows when it parsed
// (pages fetched ahead are parsed on their own goroutine, in parallel).
type fetchedPage struct {
	resp     *response
	err      error
	page     rowscan.Page
	parseErr error
}

// aheadPage is a page fetched ahead: the URL it was asked for at, and
// where its fetch is delivered.
type aheadPage struct {
	u  *url.URL
	ch chan fetchedPage
}

func newPageWalker(r *Rows, ctx context.Context, i int, st *stream) *pageWalker {
	p, s := r.plan, r.plan.src
	w := &pageWalker{r: r, p: p, s: s, i: i, st: st, ctx: ctx, ahead: map[int64]aheadPage{}}
	w.walk = p.pager.Start(p.walkLimit())
	w.pred, _ = w.walk.(pagination.Predictor)
	w.window = 2*s.opts.MaxConcurrency - 1
	if p.noPrefetch || p.lookup || st.demand != nil || p.shape.Header {
		// A header: first stream's pages are parsed in order: the first
		// holds the header the others are read with.
		w.pred = nil
	}
	w.ended.Store(math.MaxInt64)
	if w.pred != nil && (p.walkLimit() < 0 || p.walkLimit() >= int64(p.pager.PageSize())) {
		w.paged = p.pager.PageSize() > 0
		w.judgeBy()
	}
	return w
}

// judgeBy sets the page size that tells a short page fetched ahead (see
// pageWalker.size).
func (w *pageWalker) judgeBy() {
	if full := w.pred.Full(); full > 0 {
		w.size.Store(int64(full))
	} else {
		w.size.Store(int64(w.p.pager.PageSize()))
	}
}

// send hands a page to the reader; false when the stream is cancelled.
func (w *pageWalker) send(pg pageOfRows) bool {
	select {
	case w.st.pages <- pg:
		return true
	case <-w.ctx.Done():
		return false
	}
}

// endAt records that page n is the last one, unless an earlier one is.
func (w *pageWalker) endAt(n int64) {
	for e := w.ended.Load(); n < e && !w.ended.CompareAndSwap(e, n); e = w.ended.Load() {
	}
}

// short records page n as the last one when it came back short.
func (w *pageWalker) short(n int64, pg rowscan.Page) {
	if size := w.size.Load(); size > 0 && int64(pg.Outer) < size {
		w.endAt(n)
	}
}

// get returns page n, at u: the page fetched ahead when it was asked for
// at u and not judged past the end, else fetched now.
func (w *pageWalker) get(n int64, u *url.URL) fetchedPage {
	if a, ok := w.ahead[n]; ok {
		delete(w.ahead, n)
		var f fetchedPage
		select {
		case f = <-a.ch:
		case <-w.ctx.Done():
			return fetchedPage{err: w.ctx.Err()}
		}
		if sameURL(a.u, u) && f.err != errPastEnd {
			return f
		}
		if f.resp != nil {
			f.resp.release(buffersFrom(w.ctx))
		}
		// The pages were not what the walk asks for (an API that returns
		// more rows than the page size shifts the offsets): those asked
		// for after it are dropped, and asked for again.
		for m := range w.ahead {
			delete(w.ahead, m)
		}
		w.furthest = n
	}
	resp, err := w.s.fetchPage(w.ctx, w.p, u, func() { w.r.requests.Add(1) })
	if err != nil {
		return fetchedPage{err: err}
	}
	pg, perr := w.s.parse(w.p, u, resp, &w.header)
	return fetchedPage{resp: resp, page: pg, parseErr: perr}
}

// start asks for page n, at a, unless it was asked for already. guessed
// is a page started while the end was unknown (no total or limit yet: see
// Predictor.Guess): it keeps its slot until its rows are counted, so the
// page that takes the slot next knows whether this one was short; a slot
// freed before that would let one more request past the end per short
// page.
func (w *pageWalker) start(n int64, a *url.URL, guessed bool) {
	if n <= w.furthest {
		return
	}
	w.furthest = n
	ch := make(chan fetchedPage, 1)
	w.ahead[n] = aheadPage{a, ch}
	// The slot is asked for here, in page order; the request waits for it
	// on its own goroutine.
	t := w.r.ahead.ask()
	w.r.wg.Add(1)
	go func() {
		defer w.r.wg.Done()
		ch <- w.fetchAhead(t, n, a, guessed)
	}()
}

// fetchAhead fetches and parses page n, at a, once its turn t for a slot
// of Rows.ahead comes (see start).
func (w *pageWalker) fetchAhead(t *ticket, n int64, a *url.URL, guessed bool) fetchedPage {
	r := w.r
	if !r.ahead.wait(w.actx, t) {
		return fetchedPage{err: w.actx.Err()}
	}
	if n > w.ended.Load() {
		// A short page came: this one is past the end, and the stream
		// never reads it.
		r.ahead.release()
		return fetchedPage{err: errPastEnd}
	}
	resp, err := w.s.fetchPage(w.actx, w.p, a, func() { r.requests.Add(1) })
	if err != nil {
		if guessed {
			// Many APIs answer a page past their end with an error (404,
			// 400): the pages after this one are not sent ahead. Should
			// the walk need them, it fetches them itself (errPastEnd).
			w.endAt(n)
		}
		r.ahead.release()
		return fetchedPage{err: err}
	}
	if !guessed {
		r.ahead.release() // the next request need not wait for the parse
	}
	if testHookBeforeParse != nil {
		testHookBeforeParse(n)
	}
	pg, perr := w.s.parse(w.p, a, resp, &w.header)
	w.short(n, pg)
	if guessed {
		r.ahead.release()
	}
	return fetchedPage{resp: resp, page: pg, parseErr: perr}
}

// prefetch starts the request for next (page n+1) while page n waits for
// the reader, and, for offset and page pagination, the pages after it
// that are known to exist, or that may (see Guess), each once.
func (w *pageWalker) prefetch(next *url.URL, n int) {
	p, s := w.p, w.s
	if p.noPrefetch || p.lookup || w.st.demand != nil || (s.opts.MaxPages > 0 && n >= s.opts.MaxPages) {
		return
	}
	k := w.window
	if s.opts.MaxPages > 0 {
		k = min(k, s.opts.MaxPages-n-1) // pages after next that MaxPages allows
	}
	// The pages after next already asked for.
	skip := int(max(w.furthest, int64(n)+1) - int64(n) - 1)
	var urls []*url.URL
	guessed := false
	if w.pred != nil && k > 0 {
		urls = w.pred.Ahead(next, skip, k)
		if urls == nil {
			// The end is unknown, and every page so far was full: with
			// Options.Speculative, more pages are fetched speculatively,
			// as many more as pages were read (1, 2, 4, … up to
			// Speculative), so a short table costs few requests past its
			// end. After an earlier walk that read hint pages, up to page
			// hint and no further unless the walk goes past it (the table
			// grew): a repeated scan of an unchanged table sends no
			// request past its end. Those past the end are dropped, and
			// cancelled when the stream ends. Next may be past the end as
			// well.
			more := 1 << min(n-1, 20)
			if w.hint > 0 {
				if n < w.hint {
					more = w.hint - n - 1
				} else {
					more = 1 << min(n-w.hint, 20)
				}
			}
			urls = w.pred.Guess(next, skip, min(k, s.opts.Speculative, more))
			guessed = true
		}
	}
	w.start(int64(n)+1, next, guessed)
	for j, a := range urls {
		w.start(int64(n+1+skip+j+1), a, guessed)
	}
}

// warmStart: a scan of the same request as an earlier one whose walk read
// f pages asks for the first min(f, MaxConcurrency) pages at once, when it
// may fetch pages ahead (Options.Speculative): page 1 does not travel
// alone to learn that more exist. Should the table have shrunk, the pages
// past its end are dropped like any speculative page.
func (w *pageWalker) warmStart(u *url.URL) {
	s := w.s
	if w.pred == nil || !w.paged || len(w.r.streams) != 1 || s.opts.Speculative <= 0 {
		return
	}
	w.key = u.String()
	if p := w.p; p.body != nil {
		w.key += " " + string(p.body) // one URL, many bodies
	}
	w.hint = s.pagesRead.get(w.key)
	m := min(w.hint, s.opts.MaxConcurrency, s.opts.Speculative+1)
	if s.opts.MaxPages > 0 {
		m = min(m, s.opts.MaxPages)
	}
	if m > 1 {
		urls := w.pred.Ahead(u, 0, m-1)
		guessed := urls == nil
		if guessed {
			urls = w.pred.Guess(u, 0, m-1)
		}
		w.start(1, u, guessed) // page 1 too may be short
		for j, a := range urls {
			w.start(int64(j+2), a, guessed)
		}
	}
}

// walkPages reads the stream's pages, from the first, until the walk
// ends, the scan has enough rows, or the stream is cancelled.
func (w *pageWalker) walkPages() {
	r, p, s, st := w.r, w.p, w.s, w.st
	u := setParams(st.spec.url, w.walk.First())
	w.warmStart(u)
	for n := 1; ; n++ {
		if st.demand != nil {
			select {
			case <-st.demand:
			case <-w.ctx.Done():
				return
			}
		}
		if r.enough(w.i) || (s.opts.MaxPages > 0 && n > s.opts.MaxPages) || w.ctx.Err() != nil {
			return
		}
		f := w.get(int64(n), u)
		if err := f.err; err != nil {
			var he *HTTPError
			if p.lookup && errors.As(err, &he) && he.StatusCode == http.StatusNotFound {
				return // a lookup of a key that does not exist: no rows
			}
			w.send(pageOfRows{err: apiError(w.ctx, err)})
			return
		}
		if f.parseErr != nil {
			w.send(pageOfRows{err: apiError(w.ctx, f.parseErr)})
			return
		}
		next, walkErr := w.read(n, u, &f)
		if !w.send(pageOfRows{Page: f.page}) {
			return
		}
		if walkErr != nil {
			var le *pagination.LoopError
			if errors.As(walkErr, &le) && le.What == "next URL" {
				if lu, err := url.Parse(le.Value); err == nil && lu.Scheme != "" {
					le.Value = s.redact(lu)
				}
			}
			w.send(pageOfRows{err: apiError(w.ctx, fmt.Errorf("restsource: table %s: %s %s: %w", s.name, s.method, s.shownURL(u), walkErr))})
			return
		}
		if next == nil {
			w.remember(n)
			return
		}
		u = next
	}
}

// read counts page n, at u, asks the pagination for the next page's URL,
// lets go of the body when no value refers to it, starts the pages ahead
// and, on the first page, records the total.
func (w *pageWalker) read(n int, u *url.URL, f *fetchedPage) (*url.URL, error) {
	r, p := w.r, w.p
	resp, pg := f.resp, &f.page
	r.pages.Add(1)
	page := pagination.Page{URL: u, ResponseURL: resp.redirected, Header: resp.header, Body: resp.body, Rows: pg.Outer}
	if pg.Values != nil {
		page.Values = pg.Values.Get
	}
	next, walkErr := w.walk.Next(page)
	dropOtherKeys(pg, w.st.spec.fills, len(p.extCols))
	if d, ok := w.walk.(pagination.Dropper); ok && d.Dropped() {
		// The page repeats the short first page (the API does not page
		// this request): its rows are not the scan's.
		*pg = rowscan.Page{Bad: -1, Detached: true}
	}
	r.fetched[w.i].Add(int64(pg.N))
	if w.paged {
		w.judgeBy()
		if e := w.ended.Load(); next != nil && e <= int64(n) {
			// A page up to this one came back short, and the walk
			// goes on (the API's page size is below the size asked):
			// the pages after it are not past the end.
			w.ended.CompareAndSwap(e, math.MaxInt64)
		}
	}
	if pg.Detached {
		// Nothing refers to the body any more: the values were copied
		// out, and the walk keeps none of its bytes (see
		// pagination.Page.Body).
		pg.Values = nil
		resp.release(buffersFrom(w.ctx))
	}
	if walkErr == nil && next != nil && !r.enough(w.i) {
		w.prefetch(next, n)
	}
	if n == 1 && len(r.streams) == 1 && walkErr == nil {
		// Known before the first page reaches the reader (Scan waits for
		// it): the total the API reported, or this page alone.
		t := int64(-1)
		if next == nil {
			t = int64(pg.N)
		} else if tw, ok := w.walk.(interface{ Total() int64 }); ok && !p.ext.Shaped() {
			// (A total counts the API's rows, not a shaped table's.)
			t = tw.Total()
		}
		if t >= 0 && p.limit >= 0 {
			t = min(t, p.limit)
		}
		r.total.Store(t)
	}
	return next, walkErr
}

// remember records, after the last page n of a walk whose page count is
// remembered, how many pages it read.
func (w *pageWalker) remember(n int) {
	if w.key == "" {
		return
	}
	read := n
	if w.p.limit >= 0 {
		read = max(read, w.hint) // the LIMIT ended the walk: more pages may exist
	}
	w.s.pagesRead.put(w.key, read)
}

// sameURL reports whether a and b are the same URL.
func sameURL(a, b *url.URL) bool {
	return a == b || *a == *b || a.String() == b.String()
}

// testHookBeforeParse, when set by a test, runs on the goroutine of page n
// fetched ahead between its response and its parse.
var testHookBeforeParse func(n int64)

// errPastEnd answers a page fetched ahead that a short page showed to be
// past the end; the stream never reads it.
var errPastEnd = errors.New("restsource: page past the end")

// parse checks a page's body and extracts its rows, on the goroutine that
// fetched it: pages fetched ahead are parsed beside each other and beside
// the reader. The one-pass scanner reads the page unless it needs the
// general way (see package rowscan).
func (s *Source) parse(p *Plan, u *url.URL, resp *response, h *rowscan.Header) (rowscan.Page, error) {
	if resp.status == http.StatusNoContent || len(resp.body) == 0 {
		return rowscan.Page{Bad: -1}, nil
	}
	if pg, ok := fromMemo(p, resp); ok {
		return pg, nil
	}
	pg, err := s.extract(p, u, resp, h)
	if err != nil {
		return pg, err
	}
	return memoize(p, resp, pg), nil
}

// extract reads a page's rows from its body.
func (s *Source) extract(p *Plan, u *url.URL, resp *response, h *rowscan.Header) (rowscan.Page, error) {
	if pg, ok := p.ext.ScanPage(p.prog, resp.body, p.rowsHint); ok {
		return pg, nil
	}
	if err := rowscan.CheckJSON(resp.body); err != nil {
		return rowscan.Page{}, fmt.Errorf("restsource: %s %s: %d %s: %w: %s", s.method, s.redact(u), resp.status, http.StatusText(resp.status), err, excerptOf(resp.body))
	}
	rows, err := rowscan.FindRows(resp.body, p.rowsPath)
	if err != nil {
		return rowscan.Page{}, fmt.Errorf("restsource: table %s: %s %s: %w", s.name, s.method, s.redact(u), err)
	}
	if p.ext.Shaped() {
		pg, err := p.ext.ExtractShaped(rows, h)
		if err != nil {
			return rowscan.Page{}, fmt.Errorf("restsource: table %s: GET %s: %w", s.name, s.redact(u), err)
		}
		return pg, nil
	}
	return p.ext.ExtractPage(rows), nil
}

// nextPage makes the next page with rows current, moving through the
// streams in order. It returns io.EOF after the last one.
func (r *Rows) nextPage() error {
	r.recycle()
	for r.cur < len(r.streams) {
		st := r.streams[r.cur]
		if st.demand != nil {
			select {
			case st.demand <- struct{}{}:
			default: // a request is already pending
			}
		}
		select {
		case pg, ok := <-st.pages:
			if !ok {
				// A stream cut short by a cancellation ends as the
				// cancellation, not as the end of its rows.
				if r.inner.Err() != nil {
					if err := r.ctx.Err(); err != nil {
						return err
					}
					return ErrClosed
				}
				r.cur++
				continue
			}
			if pg.err != nil {
				if err := r.ctx.Err(); err != nil && !errors.Is(pg.err, err) {
					return ctxError(r.ctx)
				}
				return pg.err // it names the request
			}
			r.page, r.idx, r.fills = &pg, 0, st.spec.fills
			return nil
		case <-r.ctx.Done():
			return ctxError(r.ctx)
		case <-r.inner.Done():
			// Close, from another goroutine.
			if err := r.ctx.Err(); err != nil {
				return err
			}
			return ErrClosed
		}
	}
	return io.EOF
}

// Next fills dest[:len(Plan.Columns())] with the next row's values (nil,
// int64, float64, bool, string or time.Time). It returns io.EOF after the
// last row, or once the query's limit is reached, and ctx.Err() as soon as
// the scan's context is cancelled.
func (r *Rows) Next(dest []any) error {
	if r.closed.Load() {
		return ErrClosed
	}
	if r.err != nil {
		return r.err
	}
	if len(dest) < len(r.plan.cols) {
		return fmt.Errorf("restsource: table %s: Next needs room for %d values, got %d", r.plan.src.name, len(r.plan.cols), len(dest))
	}
	if r.ctx.Err() != nil {
		return r.fail(ctxError(r.ctx))
	}
	for {
		if r.plan.limit >= 0 && r.returned >= r.plan.limit {
			return r.fail(io.EOF)
		}
		if r.page != nil && r.idx < r.page.N {
			if r.idx == r.page.Bad {
				return r.fail(r.page.BadErr.At(r.plan.src.name, r.returned+1))
			}
			n, stride := len(r.plan.cols), len(r.plan.extCols)
			copy(dest, r.page.Vals[r.idx*stride:r.idx*stride+n])
			r.idx++
			for _, f := range r.fills {
				if f.idx < n && dest[f.idx] == nil {
					dest[f.idx] = f.value
				}
			}
			r.returned++
			r.rows.Add(1)
			return nil
		}
		if err := r.nextPage(); err != nil {
			return r.fail(err)
		}
	}
}

// dropOtherKeys removes from a page of a key's request stream the rows
// whose key column holds another key than the one the URL asked for: an
// API that matches keys ignoring case answers /users/OctoCat with
// octocat's row, which is no row of login = 'OctoCat', and IN would read
// it once per spelling. The rows are dropped before they are counted (a
// limit counts the rows kept). ncols is the values per row.
func dropOtherKeys(pg *rowscan.Page, fills []fill, ncols int) {
	if len(fills) == 0 || ncols == 0 {
		return
	}
	end := pg.N
	if pg.Bad >= 0 && pg.Bad < end {
		end = pg.Bad // the rows from the bad one on are not judged
	}
	kept := 0
	for i := 0; i < end; i++ {
		row := pg.Vals[i*ncols : (i+1)*ncols]
		other := false
		for _, f := range fills {
			if v := row[f.idx]; v != nil && otherKey(v, f.value) {
				other = true
				break
			}
		}
		if other {
			continue
		}
		if kept != i {
			copy(pg.Vals[kept*ncols:(kept+1)*ncols], row)
		}
		kept++
	}
	if kept == end {
		return
	}
	// The rows from end on (the bad row and after) move up.
	copy(pg.Vals[kept*ncols:], pg.Vals[end*ncols:pg.N*ncols])
	dropped := end - kept
	if pg.Bad >= 0 {
		pg.Bad -= dropped
	}
	pg.N -= dropped
	clear(pg.Vals[pg.N*ncols:])
	pg.Vals = pg.Vals[:pg.N*ncols]
}

// otherKey reports whether v, a key column's value read from a row, is
// not the key value its request was made for (SQL's =: strings compare
// exactly, numbers by value, times as instants). Values of other types
// are not judged.
func otherKey(v, key any) bool {
	switch k := key.(type) {
	case string:
		if s, ok := v.(string); ok {
			return s != k
		}
	case int64:
		switch x := v.(type) {
		case int64:
			return x != k
		case float64:
			return x != float64(k)
		}
	case float64:
		switch x := v.(type) {
		case float64:
			return x != k
		case int64:
			return float64(x) != k
		}
	case bool:
		if b, ok := v.(bool); ok {
			return b != k
		}
	case time.Time:
		if t, ok := v.(time.Time); ok {
			return !t.Equal(k)
		}
	}
	return false
}

// recycle drops the page that has been read, and gives its values' array
// back for another page: the reader copied the values out, and nothing
// else refers to the array.
func (r *Rows) recycle() {
	if r.page != nil && r.page.Vals != nil && !r.page.Shared {
		rowscan.PutVals(r.page.Vals)
	}
	r.page = nil
}

// fail ends the scan with err (io.EOF at the end) and stops the goroutines.
func (r *Rows) fail(err error) error {
	r.err = err
	r.recycle()
	r.stop()
	return err
}

// stop cancels every request and waits for the goroutines to end.
func (r *Rows) stop() {
	r.cancel()
	r.wg.Wait()
	r.bufs.drain() // no request is left to use them
}

// Close stops the scan: in-flight requests are cancelled and every
// goroutine has ended when it returns. It is idempotent.
func (r *Rows) Close() error {
	r.closeOnce.Do(func() {
		r.closed.Store(true)
		r.stop()
	})
	return nil
}

// Total returns the number of rows the scan will return, when the first
// page made it known: the total the API reported (totalHeader, totalPath),
// capped by the limit, or the first page's rows when there is no other
// page. ok is false otherwise (several streams, no total).
func (r *Rows) Total() (n int64, ok bool) {
	t := r.total.Load()
	return t, t >= 0
}

// Stats returns the counts so far. It may be called at any time, also
// after Close.
func (r *Rows) Stats() Stats {
	return Stats{Requests: r.requests.Load(), Pages: r.pages.Load(), Rows: r.rows.Load()}
}

// ctxError is the error of a cancelled context: ctx.Err() (so that
// errors.Is sees context.Canceled or context.DeadlineExceeded), worded as
// its cause when the cancellation gave one (a QueryTimeout's).
func ctxError(ctx context.Context) error {
	err := ctx.Err()
	if cause := context.Cause(ctx); cause != nil && cause != err {
		return &causedError{err: err, cause: cause}
	}
	return err
}

// causedError is a context's error with the cause's words.
type causedError struct{ err, cause error }

func (e *causedError) Error() string   { return e.cause.Error() }
func (e *causedError) Unwrap() []error { return []error{e.cause, e.err} }
