package restsource

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unsafe"

	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/auth"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/httpcache"
	"github.com/restsql/restsql/retry"
)

// response is a fetched response with its whole body.
type response struct {
	status int
	header http.Header
	body   string
	// redirected is the URL that answered after redirects (nil = none).
	redirected *url.URL
	// buf holds the body's bytes.
	buf []byte
	// memo is the response cache's Memo of the stored body that answered,
	// or that the body was stored as (nil = none): see memo.go.
	memo *httpcache.Memo
}

// release gives the body's buffer back to bufs for another response. The
// caller guarantees that nothing refers to the body any more: no value,
// error or URL made from it without a copy.
func (r *response) release(bufs buffers) {
	bufs.put(r.buf)
	r.buf, r.body = nil, ""
}

// buffers holds the response buffers of one scan for reuse: the pages of a
// scan have about the same size, and a scan has at most a few in use at a
// time. When the scan ends its buffers go to the spare buffers, for the
// next scans. A nil buffers uses the spare buffers alone.
type buffers chan []byte

// spare holds the buffers of scans that ended, up to maxSpareBytes in all,
// newest last. A sync.Pool would lose them at the next garbage collection,
// and a scan of large pages runs several: each scan would allocate its
// buffers again (2 MiB for 200 pages of 200 kB), which itself makes the
// collector run more often.
var spare struct {
	mu    sync.Mutex
	bufs  [][]byte
	bytes int
}

// maxSpareBytes bounds the memory the spare buffers keep.
const maxSpareBytes = 8 << 20

// maxPooledBody is the largest buffer kept for reuse.
const maxPooledBody = 4 << 20

type buffersKey struct{}

// withBuffers returns ctx with bufs for the responses fetched with it.
func withBuffers(ctx context.Context, bufs buffers) context.Context {
	return context.WithValue(ctx, buffersKey{}, bufs)
}

func buffersFrom(ctx context.Context) buffers {
	b, _ := ctx.Value(buffersKey{}).(buffers)
	return b
}

// get returns an empty buffer with room for n bytes (n <= 0: unknown).
func (b buffers) get(n int) []byte {
	select {
	case buf := <-b:
		if cap(buf) >= n {
			return buf[:0]
		}
	default:
		if buf := takeSpare(n); buf != nil {
			return buf
		}
	}
	return make([]byte, 0, max(n, 4096))
}

func (b buffers) put(buf []byte) {
	if cap(buf) == 0 || cap(buf) > maxPooledBody {
		return
	}
	select {
	case b <- buf[:0]:
	default:
		putSpare(buf)
	}
}

// drain moves the buffers left to the spare buffers; no response may use
// b after.
func (b buffers) drain() {
	for {
		select {
		case buf := <-b:
			putSpare(buf)
		default:
			return
		}
	}
}

// takeSpare returns the newest spare buffer if it has room for n bytes.
// One too small is dropped: the pages being read now are larger.
func takeSpare(n int) []byte {
	spare.mu.Lock()
	defer spare.mu.Unlock()
	k := len(spare.bufs)
	if k == 0 {
		return nil
	}
	buf := spare.bufs[k-1]
	spare.bufs[k-1] = nil
	spare.bufs = spare.bufs[:k-1]
	spare.bytes -= cap(buf)
	if cap(buf) < n {
		return nil
	}
	return buf[:0]
}

// putSpare keeps buf for later scans, unless the spare buffers are full.
func putSpare(buf []byte) {
	if cap(buf) == 0 || cap(buf) > maxPooledBody {
		return
	}
	spare.mu.Lock()
	defer spare.mu.Unlock()
	if spare.bytes+cap(buf) > maxSpareBytes {
		return
	}
	spare.bufs = append(spare.bufs, buf[:0])
	spare.bytes += cap(buf)
}

// readBody appends everything r yields to buf, growing it when full.
func readBody(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

// timeoutError is the cause of an attempt's context when Options.Timeout
// ends it. It matches context.DeadlineExceeded.
type timeoutError struct{ d time.Duration }

func (e *timeoutError) Error() string {
	return fmt.Sprintf("no complete response within the %v Timeout", e.d)
}

func (e *timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// fetch sends GET u and reads the whole response; see exchange.
func (s *Source) fetch(ctx context.Context, u *url.URL, requests func()) (*response, error) {
	return s.do(ctx, http.MethodGet, u, nil, requests)
}

// do sends one request and reads its whole response, retrying an
// idempotent method (never POST) on 408, 429, 5xx and network errors
// (a body cut short included: it is read again from the start), after the
// response's Retry-After or a jittered backoff, up to MaxRetries times.
// Every send waits for the rate limiter. After a 401 from the catalog's
// host, an Authenticator that can renew its credentials does, once, and the
// request is sent again.
//
// A status of 400 or more is an *HTTPError, possibly wrapped in a
// *retry.GaveUpError; a body above MaxBodyBytes is an error. requests is
// called before each send.
func (s *Source) do(ctx context.Context, method string, u *url.URL, body []byte, requests func()) (*response, error) {
	return s.roundTrip(ctx, method, u, body, requests, retry.Idempotent(method), false)
}

// doRead is do for a read with a body: a POST that changes nothing, so it
// is retried like a GET, and the response cache may answer it.
func (s *Source) doRead(ctx context.Context, method string, u *url.URL, body []byte, requests func()) (*response, error) {
	return s.roundTrip(ctx, method, u, body, requests, true, true)
}

// roundTrip sends one request with its retries (none unless idempotent);
// read marks a request with a body that only reads.
func (s *Source) roundTrip(ctx context.Context, method string, u *url.URL, body []byte, requests func(), idempotent, read bool) (*response, error) {
	x := &exchange{ctx: ctx, s: s, method: method, u: u, shown: s.redact(u), body: body, requests: requests, tally: tallyFrom(ctx), read: read}
	p := s.policy
	if !idempotent {
		p.MaxRetries = 0
	}
	p.Notify = x.retrying
	p.OnRateLimit = x.rateLimited
	return retry.Do(ctx, &p, x.attempt)
}

// exchange is one request with its retries.
type exchange struct {
	// ctx is the caller's context, for the log lines of retries.
	ctx      context.Context
	s        *Source
	method   string
	u        *url.URL
	shown    string // u, redacted
	body     []byte
	requests func()
	tally    *Tally
	// read is set for a read with a body (see doRead).
	read bool
	// slot receives the response cache's Memo of the answer (a read, with
	// Options.CacheTags): a new one for each request sent.
	slot *httpcache.MemoSlot

	attempts  int
	timeouts  int  // attempts that ran out of Timeout
	refreshed bool // credentials were renewed after a 401
}

// maxTimeouts is the retry budget of a request that times out: an API that
// did not answer within Timeout twice in a row is taken to be hung, so a
// hung API fails after about 2 × Timeout, not (MaxRetries+1) × Timeout.
const maxTimeouts = 2

// prefix starts every error message: "restsource: GET <url>".
func (x *exchange) prefix() string { return "restsource: " + x.method + " " + x.shown }

// attempt sends the request (twice after a 401 that renewed the
// credentials) and reads the response. Failures worth another try are
// *retry.TemporaryError.
func (x *exchange) attempt(ctx context.Context) (*response, error) {
	s := x.s
	x.attempts++
	actx := ctx
	if s.opts.Timeout > 0 {
		var cancel context.CancelFunc
		actx, cancel = context.WithTimeoutCause(ctx, s.opts.Timeout, &timeoutError{d: s.opts.Timeout})
		defer cancel()
	}
	resp, start, err := x.send(ctx, actx)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	s.logHeaders(ctx, "restsource: response headers", x, resp.StatusCode, resp.Header)

	if resp.StatusCode >= 400 {
		raw, _ := io.ReadAll(io.LimitReader(decoded(resp), bodyExcerpt+1))
		x.tally.addBytes(len(raw))
		s.logExchange(ctx, x, resp.StatusCode, len(raw), start, nil)
		s.logBody(ctx, x, raw)
		herr := &HTTPError{Method: x.method, URL: x.shown, StatusCode: resp.StatusCode, Body: excerptOf(redactText(string(raw)))}
		if reset, limited := s.rateLimited(resp.Header); limited && (resp.StatusCode == http.StatusForbidden || resp.StatusCode == http.StatusTooManyRequests) {
			// The rate limit's window is spent: sent again (when
			// retries are allowed) no earlier than its reset.
			err := fmt.Errorf("%w (rate limit: no request left until %s)", herr, reset.UTC().Format(time.RFC3339))
			return nil, retry.TemporaryAfter(err, reset.Sub(s.policy.Clock.Now()))
		}
		if !retry.RetryableStatus(resp.StatusCode) {
			return nil, herr
		}
		if d, ok := retry.ParseRetryAfter(resp.Header.Get("Retry-After"), s.policy.Clock.Now()); ok {
			return nil, retry.TemporaryAfter(herr, d)
		}
		return nil, retry.Temporary(herr)
	}

	max := s.opts.MaxBodyBytes
	if resp.ContentLength > max && !compressed(resp) {
		s.logExchange(ctx, x, resp.StatusCode, 0, start, nil)
		return nil, fmt.Errorf("%s: the response body of %d bytes is larger than the %s limit on one page (MaxBodyBytes); ask for smaller pages (PageSize)", x.prefix(), resp.ContentLength, bytesString(max))
	}
	// Room for the whole body and one byte more, so the read that finds
	// its end needs no larger buffer.
	size := resp.ContentLength
	if size < 0 || compressed(resp) {
		// Unknown (chunked, or gzip the transport left): as large as the
		// last body, which pages of one table mostly match.
		size = s.lastBody.Load()
	}
	raw, err := readBody(io.LimitReader(decoded(resp), max+1), buffersFrom(ctx).get(int(min(size, max)+1)))
	s.lastBody.Store(int64(len(raw)))
	n := int64(len(raw))
	x.tally.addBytes(int(n))
	if err != nil {
		err = x.failure(ctx, actx, fmt.Errorf("reading the response body (%d bytes read): %w", n, err))
		s.logExchange(ctx, x, resp.StatusCode, int(n), start, err)
		return nil, err
	}
	s.logExchange(ctx, x, resp.StatusCode, int(n), start, nil)
	if n > max {
		return nil, fmt.Errorf("%s: the response body is larger than the %s limit on one page (MaxBodyBytes); ask for smaller pages (PageSize)", x.prefix(), bytesString(max))
	}
	s.logBody(ctx, x, raw)
	if ew := s.cat.ErrorWhen; ew != nil {
		if err := x.errorWhen(ew, raw); err != nil {
			return nil, err
		}
	}
	if x.read && s.graphql {
		if err := x.graphqlErrors(raw); err != nil {
			return nil, err
		}
	}
	// The body string shares the buffer's bytes (a copy of every page is
	// the largest cost after parsing). The buffer goes back to the pool
	// only when nothing refers to the body any more: see release.
	out := &response{status: resp.StatusCode, header: resp.Header, body: unsafe.String(unsafe.SliceData(raw), len(raw)), buf: raw}
	if resp.Request != nil && resp.Request.URL.String() != x.u.String() {
		out.redirected = resp.Request.URL
	}
	out.memo = x.slot.Memo()
	return out, nil
}

// send builds the request and sends it; after a 401 from the catalog's
// host it lets a Refresher renew the credentials and sends it once more
// (once per exchange). It returns the response with its body unread, and
// when its headers came.
func (x *exchange) send(ctx, actx context.Context) (*http.Response, time.Time, error) {
	s := x.s
	for {
		if err := x.waitReset(actx); err != nil {
			return nil, time.Time{}, x.failure(ctx, actx, err)
		}
		req, err := x.newRequest(actx)
		if err != nil {
			return nil, time.Time{}, x.failure(ctx, actx, err)
		}
		s.logHeaders(ctx, "restsource: request headers", x, 0, req.Header)
		x.requests()
		x.tally.addRequest()
		start := s.policy.Clock.Now()
		resp, err := s.client.Do(req)
		if err == nil {
			s.rateLimited(resp.Header)
		}
		if err != nil {
			// A *url.Error repeats the URL with any credential in it: keep only its cause.
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			err = x.failure(ctx, actx, err)
			s.logExchange(ctx, x, 0, 0, start, err)
			return nil, time.Time{}, err
		}
		r, ok := s.opts.Auth.(auth.Refresher)
		if resp.StatusCode != http.StatusUnauthorized || !ok || x.refreshed || !s.credentialHost(req.URL) || !s.credentialHost(resp.Request.URL) {
			return resp, start, nil
		}
		x.refreshed = true
		again, err := r.Refresh(resp)
		if err != nil || !again {
			if err != nil {
				_ = resp.Body.Close()
				s.logExchange(ctx, x, resp.StatusCode, 0, start, err)
				return nil, time.Time{}, fmt.Errorf("%s: 401 Unauthorized: %w", x.prefix(), err)
			}
			return resp, start, nil
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		s.logExchange(ctx, x, resp.StatusCode, 0, start, nil)
		s.logAttrs(ctx, LevelRequests, "restsource: credentials renewed after 401", slog.String("url", x.shown), slog.String("auth", fmt.Sprint(s.opts.Auth)))
		if err := s.policy.Wait(actx); err != nil {
			return nil, time.Time{}, x.failure(ctx, actx, err)
		}
	}
}

// newRequest builds the request: the profile's headers, and the
// credentials for the catalog's own host only.
func (x *exchange) newRequest(ctx context.Context) (*http.Request, error) {
	s := x.s
	var body io.Reader
	if x.body != nil {
		body = bytes.NewReader(x.body)
	}
	// The tag names the table to a response cache in the client's
	// transport: a write drops the table's cached responses.
	x.slot = nil
	if s.opts.CacheTags {
		ctx = httpcache.WithTag(ctx, s.name)
		if x.read {
			ctx = httpcache.WithRead(ctx)
		}
		if x.method == http.MethodGet || x.read {
			x.slot = new(httpcache.MemoSlot)
			ctx = httpcache.WithMemoSlot(ctx, x.slot)
		}
	}
	target, err := s.rebase(ctx, x.u)
	if err != nil {
		return nil, err
	}
	if target != x.u {
		x.shown = s.redact(target)
	}
	req, err := http.NewRequestWithContext(ctx, x.method, target.String(), body)
	if err != nil {
		return nil, err
	}
	if x.read {
		req.Header.Set("Content-Type", "application/json")
	}
	ownHost := s.credentialHost(target)
	for k, vs := range s.headers {
		if s.credHeaders[k] && !ownHost {
			continue
		}
		req.Header[k] = append([]string(nil), vs...)
	}
	if s.opts.Auth != nil && ownHost {
		if err := s.authenticate(req); err != nil {
			return nil, err
		}
	}
	if s.logEnabled(ctx, LevelTransport) {
		// After authenticate: a token request is not this request's detail.
		req = req.WithContext(httptrace.WithClientTrace(ctx, s.trace(ctx, x)))
	}
	return req, nil
}

// failure words an attempt's error, and marks it as worth another try when
// it is a network error or the attempt's Timeout, while the caller's
// context is still alive.
func (x *exchange) failure(ctx, actx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		if !errors.Is(err, cerr) {
			err = fmt.Errorf("%w (%v)", context.Cause(ctx), err)
		}
		return fmt.Errorf("%s: %w", x.prefix(), err)
	}
	var te *timeoutError
	if cause := context.Cause(actx); errors.As(cause, &te) {
		x.timeouts++
		if x.timeouts >= maxTimeouts {
			// Worded as MaxRetries' end: "(gave up after N attempts)".
			return &retry.GaveUpError{Err: fmt.Errorf("%s: %w", x.prefix(), te), Attempts: x.attempts}
		}
		return retry.Temporary(fmt.Errorf("%s: %w", x.prefix(), te))
	}
	wrapped := fmt.Errorf("%s: %w", x.prefix(), err)
	if retry.IsTransient(err) {
		return retry.Temporary(wrapped)
	}
	return wrapped
}

// retrying logs a retry and counts it.
func (x *exchange) retrying(attempt int, err error, wait time.Duration) {
	x.tally.addRetry()
	x.s.logAttrs(x.ctx, LevelRequests, "restsource: retrying",
		slog.String("table", x.s.name), slog.String("method", x.method), slog.String("url", x.shown),
		slog.Int("attempt", attempt), slog.Int("maxRetries", x.s.policy.MaxRetries),
		slog.Duration("wait", wait), slog.String("error", err.Error()))
}

// rateLimited logs a wait for the rate limiter.
func (x *exchange) rateLimited(wait time.Duration) {
	x.s.logAttrs(x.ctx, LevelTransport, "restsource: rate limit",
		slog.String("table", x.s.name), slog.String("url", x.shown), slog.Duration("wait", wait))
}

// rebase moves a request for the catalog's base URL to the base URL that
// the credentials name (OAuth2's baseURLFrom: Salesforce's instance_url),
// getting the credentials first when there are none yet. A URL on another
// host, or outside the base URL's path, is left alone.
func (s *Source) rebase(ctx context.Context, u *url.URL) (*url.URL, error) {
	bu, ok := s.opts.Auth.(auth.BaseURLer)
	if !ok || s.base == nil || !strings.EqualFold(u.Host, s.base.Host) || u.Scheme != s.base.Scheme {
		return u, nil
	}
	nb, err := bu.BaseURL(ctx)
	if err != nil || nb == nil {
		return u, err
	}
	if s.base.Scheme == "https" && nb.Scheme != "https" {
		return nil, fmt.Errorf("the credentials' base URL %s is not https, while the catalog's is", nb.Redacted())
	}
	s.authBase.Store(nb)
	prefix := strings.TrimRight(s.base.EscapedPath(), "/")
	esc := u.EscapedPath()
	if !strings.HasPrefix(esc, prefix) || (len(esc) > len(prefix) && esc[len(prefix)] != '/') {
		return u, nil
	}
	c := *u
	c.Scheme, c.Host, c.User = nb.Scheme, nb.Host, nil
	c.RawPath = strings.TrimRight(nb.EscapedPath(), "/") + esc[len(prefix):]
	if c.Path, err = url.PathUnescape(c.RawPath); err != nil {
		return nil, fmt.Errorf("the credentials' base URL: %w", err)
	}
	return &c, nil
}

// rateLimited reads the catalog's rate-limit headers (catalog.RateLimit)
// of a response: when no request is left it remembers the reset time,
// before which no request of the table is sent, and returns it. A header
// that is missing or does not parse is no limit: the API's other rules
// (a 429's Retry-After) apply.
func (s *Source) rateLimited(h http.Header) (time.Time, bool) {
	rl := s.cat.RateLimit
	if rl == nil {
		return time.Time{}, false
	}
	left, err := strconv.ParseFloat(strings.TrimSpace(h.Get(rl.Remaining)), 64)
	if err != nil || left > 0 {
		return time.Time{}, false
	}
	now := s.policy.Clock.Now()
	reset, ok := parseReset(h.Get(rl.Reset), rl.ResetFormat, now)
	if !ok {
		return time.Time{}, false
	}
	for {
		old := s.notBefore.Load()
		if reset.UnixNano() <= old || s.notBefore.CompareAndSwap(old, reset.UnixNano()) {
			break
		}
	}
	return reset, true
}

// parseReset reads a rate-limit reset header: epoch seconds (unix), seconds
// from now (seconds) or an HTTP date (http-date).
func parseReset(v, format string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return time.Time{}, false
	}
	switch format {
	case catalog.ResetHTTPDate:
		t, err := http.ParseTime(v)
		return t, err == nil
	case catalog.ResetSeconds:
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 || n > maxResetSeconds {
			return time.Time{}, false
		}
		return now.Add(time.Duration(n * float64(time.Second))), true
	default: // unix
		n, err := strconv.ParseFloat(v, 64)
		if err != nil || n < 0 || n > maxResetUnix {
			return time.Time{}, false
		}
		sec := int64(n)
		return time.Unix(sec, int64((n-float64(sec))*1e9)), true
	}
}

// Bounds of a reset header's numbers, so the conversions cannot overflow.
const (
	maxResetSeconds = 1e9
	maxResetUnix    = 1e11
)

// waitReset waits, before a request, for the reset of a rate-limit window
// that an earlier response said was spent. A wait longer than the
// MaxRetryAfter limit is not made: the request goes, and the API's refusal
// says why.
func (x *exchange) waitReset(ctx context.Context) error {
	s := x.s
	nb := s.notBefore.Load()
	if nb == 0 {
		return nil
	}
	d := time.Unix(0, nb).Sub(s.policy.Clock.Now())
	limit := s.policy.MaxRetryAfter
	if limit <= 0 {
		limit = retry.DefaultMaxRetryAfter
	}
	if d <= 0 || d > limit {
		return nil
	}
	s.logAttrs(x.ctx, LevelRequests, "restsource: waiting for the rate limit's reset",
		slog.String("table", s.name), slog.String("url", x.shown), slog.Duration("wait", d))
	return s.policy.Clock.Sleep(ctx, d)
}

// errorWhen applies the catalog's errorWhen rule to a 2xx body: a match
// is an error naming the table, the request and the API's message.
func (x *exchange) errorWhen(ew *catalog.ErrorWhen, raw []byte) error {
	body := unsafe.String(unsafe.SliceData(raw), len(raw))
	if !matchesScalar(gjson.Get(body, ew.Path), ew.Equals) {
		return nil
	}
	msg := ""
	if ew.Message != "" {
		if m := gjson.Get(body, ew.Message); m.Exists() && m.Type != gjson.Null {
			msg = strings.Clone(m.String())
		}
	}
	if msg == "" {
		msg = excerptOf(redactText(string(raw)))
	}
	return fmt.Errorf("%s: table %s: the API reports an error (errorWhen: %s is %v): %s", x.prefix(), x.s.name, ew.Path, ew.Equals, msg)
}

// matchesScalar reports whether a JSON value equals a profile scalar.
func matchesScalar(r gjson.Result, want any) bool {
	switch w := want.(type) {
	case bool:
		return (r.Type == gjson.True && w) || (r.Type == gjson.False && !w)
	case string:
		return r.Type == gjson.String && r.Str == w
	case int:
		return r.Type == gjson.Number && r.Num == float64(w)
	case int64:
		return r.Type == gjson.Number && r.Num == float64(w)
	case uint64:
		return r.Type == gjson.Number && r.Num == float64(w)
	case float64:
		return r.Type == gjson.Number && r.Num == w
	}
	return false
}

// compressed reports whether resp's body is gzip that the transport left
// compressed (because the request set its own Accept-Encoding).
func compressed(resp *http.Response) bool {
	return !resp.Uncompressed && strings.EqualFold(strings.TrimSpace(resp.Header.Get("Content-Encoding")), "gzip")
}

// decoded returns resp's body, gunzipped when the transport did not do it.
// The size cap applies to what it returns.
func decoded(resp *http.Response) io.Reader {
	if !compressed(resp) {
		return resp.Body
	}
	zr, err := gzip.NewReader(resp.Body)
	if err != nil {
		return errReader{fmt.Errorf("gzip: %w", err)}
	}
	return zr
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// bytesString renders a byte count for messages: "1048576 bytes (1 MiB)".
func bytesString(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d-byte (%d MiB)", n, n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d-byte (%d KiB)", n, n>>10)
	}
	return fmt.Sprintf("%d-byte", n)
}

// authenticate applies the credentials and remembers which headers and
// query parameters they used, so that they are never shown and never
// follow a redirect to another host.
func (s *Source) authenticate(req *http.Request) error {
	before := make(map[string]string, len(req.Header))
	for k, v := range req.Header {
		before[k] = strings.Join(v, "\x00")
	}
	rawQuery := req.URL.RawQuery
	if err := s.opts.Auth.Authenticate(req); err != nil {
		return err
	}
	for k, v := range req.Header {
		if old, ok := before[k]; !ok || old != strings.Join(v, "\x00") {
			s.secrets.addHeader(k)
		}
	}
	if req.URL.RawQuery != rawQuery {
		old := map[string]string{}
		for _, p := range parseQuery(rawQuery) {
			old[p.name] = p.value
		}
		for _, p := range parseQuery(req.URL.RawQuery) {
			if v, ok := old[p.name]; !ok || v != p.value {
				s.secrets.addQuery(p.name)
			}
		}
	}
	return nil
}

// trace logs the transport's events at LevelTransport.
func (s *Source) trace(ctx context.Context, x *exchange) *httptrace.ClientTrace {
	event := func(name string, attrs ...slog.Attr) {
		s.logAttrs(ctx, LevelTransport, "restsource: transport", append([]slog.Attr{slog.String("event", name), slog.String("url", x.shown)}, attrs...)...)
	}
	errAttr := func(err error) []slog.Attr {
		if err == nil {
			return nil
		}
		return []slog.Attr{slog.String("error", err.Error())}
	}
	return &httptrace.ClientTrace{
		GetConn: func(hostPort string) { event("get connection", slog.String("host", hostPort)) },
		GotConn: func(info httptrace.GotConnInfo) {
			event("got connection", slog.Bool("reused", info.Reused), slog.Bool("wasIdle", info.WasIdle), slog.Duration("idle", info.IdleTime))
		},
		DNSStart: func(info httptrace.DNSStartInfo) { event("dns start", slog.String("host", info.Host)) },
		DNSDone: func(info httptrace.DNSDoneInfo) {
			event("dns done", append([]slog.Attr{slog.Int("addresses", len(info.Addrs))}, errAttr(info.Err)...)...)
		},
		ConnectStart: func(network, addr string) { event("connect start", slog.String("addr", addr)) },
		ConnectDone: func(network, addr string, err error) {
			event("connect done", append([]slog.Attr{slog.String("addr", addr)}, errAttr(err)...)...)
		},
		TLSHandshakeStart: func() { event("tls handshake start") },
		TLSHandshakeDone: func(st tls.ConnectionState, err error) {
			event("tls handshake done", append([]slog.Attr{slog.String("version", tls.VersionName(st.Version)), slog.String("cipher", tls.CipherSuiteName(st.CipherSuite))}, errAttr(err)...)...)
		},
		WroteRequest:         func(info httptrace.WroteRequestInfo) { event("wrote request", errAttr(info.Err)...) },
		GotFirstResponseByte: func() { event("first response byte") },
	}
}
