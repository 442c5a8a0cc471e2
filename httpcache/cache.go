// Package httpcache is a private HTTP response cache for the driver's
// transport (RFC 9111, as a cache in the client): it stores GET responses
// in memory or in a directory, bounded in bytes (least recently used
// first out), serves them while fresh, revalidates stale ones with
// If-None-Match / If-Modified-Since, and drops them when a write goes to
// their URL or their table.
//
// What it follows of RFC 9111:
//   - Storing (section 3): only responses to GET (and to a POST that the
//     caller marks as a read, WithRead) with status 200 or 203,
//     never with no-store in the request or the response, never with
//     Vary: *. As a private cache it stores responses marked private and
//     responses to requests with credentials.
//   - Keys (section 4.1): the method, the URL and a SHA-256 of the request's
//     header fields (all but conditional and tracing ones) and of a POST
//     read's body, so one
//     credential's response is never served to another; the fields a
//     response's Vary names must match too.
//   - Freshness (section 4.2): max-age, else Expires − Date, else the TTL
//     the cache was made with (the heuristic of section 4.2.2); the age
//     of section 4.2.3 (Age, Date, request and response times). no-cache
//     in the response, and no-cache or an exceeded max-age in the request,
//     send the request again, conditionally when the entry has a validator.
//     A stale entry is never served (as with must-revalidate).
//   - Validation (section 4.3): a 304 updates the stored header fields and
//     the stored response is served; any other answer replaces it.
//   - Invalidation (section 4.4): a request with an unsafe method (POST,
//     PUT, PATCH, DELETE, …) drops the entries of its URL and of its
//     Location and Content-Location (same host), and every entry of the
//     table it names (WithTag), whatever its outcome.
//
// Not done: s-maxage, proxy-revalidate and public (shared-cache
// directives), stale-while-revalidate, stale-if-error, max-stale,
// min-fresh, HEAD, partial content.
package httpcache

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Options configure a Cache.
type Options struct {
	// Dir is the directory entries are written to ("" = memory only). It
	// is created when missing; entries left there by an earlier Cache are
	// used.
	Dir string
	// TTL is how long a response without explicit freshness (no max-age,
	// no Expires) stays fresh; 0 = such responses are stored only when
	// they carry a validator, and revalidated on each use.
	TTL time.Duration
	// MaxBytes bounds the bytes of the stored bodies and header fields
	// (0 = DefaultMaxBytes). The least recently used entries go first; a
	// response larger than MaxBytes is not stored.
	MaxBytes int64
	// Now tells the time (nil = time.Now).
	Now func() time.Time
	// Observe, when set, is told of each use of the cache (hits,
	// revalidations, stores, invalidations), for logs.
	Observe func(context.Context, Event)
}

// DefaultMaxBytes is the bound of a Cache whose Options.MaxBytes is 0.
const DefaultMaxBytes = 64 << 20

// EventKind says what the cache did with a request.
type EventKind string

// The kinds of Event.
const (
	// Hit: a fresh entry answered; no request was sent.
	Hit EventKind = "hit"
	// Revalidated: a stale entry was confirmed by a 304 and answered.
	Revalidated EventKind = "revalidated"
	// Miss: the request was sent (no entry, or the entry was replaced).
	Miss EventKind = "miss"
	// Stored: a response was stored.
	Stored EventKind = "stored"
	// Invalidated: a write dropped entries.
	Invalidated EventKind = "invalidated"
)

// Event is one use of the cache.
type Event struct {
	Kind EventKind
	// URL is the request URL; Tag its table (WithTag), if any.
	URL, Tag string
	// Age is the entry's age when it answered (Hit, Revalidated).
	Age time.Duration
	// Entries is the number of entries dropped (Invalidated).
	Entries int
}

// Stats counts the uses of a Cache.
type Stats struct {
	Hits, Revalidations, Misses, Stores, Evictions, Invalidations int64
	// MemoHits and MemoStores count the values of Memos found and kept.
	MemoHits, MemoStores int64
	// Entries and Bytes are what is stored now (Bytes counts the values
	// of Memos too: MemoBytes of them).
	Entries   int
	Bytes     int64
	MemoBytes int64
}

// EntryInfo describes one stored response, for sys_cache.
type EntryInfo struct {
	URL, Tag string
	Status   int
	// Bytes is the size of the body and the header fields.
	Bytes int64
	// Age is the entry's current age; FreshFor how long it stays fresh
	// (negative once stale).
	Age, FreshFor time.Duration
	// ETag and LastModified are its validators ("" = none).
	ETag, LastModified string
	// Hits counts the requests it answered, revalidations included.
	Hits int64
	// MemoBytes is the size of the values kept beside its body (Memo),
	// MemoHits how often one was found.
	MemoBytes, MemoHits int64
}

type tagKey struct{}

type readKey struct{}

// WithRead marks the requests made with ctx as reads whatever their method:
// a POST that only reads (a search endpoint, a GraphQL query) is stored
// and answered like a GET, under a key that includes its body, so one
// body's response is never served for another; it drops no entries.
func WithRead(ctx context.Context) context.Context {
	return context.WithValue(ctx, readKey{}, true)
}

// isRead reports whether req is a read: a GET, or a POST marked WithRead
// whose body can be read again.
func isRead(req *http.Request) bool {
	if req.Method == http.MethodGet {
		return true
	}
	read, _ := req.Context().Value(readKey{}).(bool)
	return read && req.Method == http.MethodPost && (req.Body == nil || req.Body == http.NoBody || req.GetBody != nil)
}

// WithTag marks the requests made with ctx as reading or writing the table
// named tag: a write with a tag drops every entry stored with that tag.
func WithTag(ctx context.Context, tag string) context.Context {
	return context.WithValue(ctx, tagKey{}, tag)
}

func tagOf(ctx context.Context) string {
	t, _ := ctx.Value(tagKey{}).(string)
	return t
}

// Cache is an HTTP response cache; Transport wraps a RoundTripper with it.
// It is safe for concurrent use.
type Cache struct {
	opts  Options
	store *store
}

// New makes a Cache. With a Dir, it reads the entries already there.
func New(opts Options) (*Cache, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.TTL < 0 {
		return nil, errors.New("httpcache: TTL must not be negative")
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	st, err := newStore(opts.Dir, opts.MaxBytes)
	if err != nil {
		return nil, err
	}
	return &Cache{opts: opts, store: st}, nil
}

// Transport returns a RoundTripper that answers from the cache and sends
// what it cannot answer through next (nil = http.DefaultTransport).
func (c *Cache) Transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{c: c, next: next}
}

// Stats returns the counts so far.
func (c *Cache) Stats() Stats { return c.store.stats() }

// Entries lists the stored responses, most recently used first.
func (c *Cache) Entries() []EntryInfo {
	now := c.opts.Now()
	var out []EntryInfo
	for _, e := range c.store.list() {
		age := e.age(now)
		out = append(out, EntryInfo{
			URL: e.URL, Tag: e.Tag, Status: e.Status, Bytes: e.Size,
			Age: age, FreshFor: e.lifetime(c.opts.TTL) - age,
			ETag: e.Header.Get("ETag"), LastModified: e.Header.Get("Last-Modified"), Hits: e.Hits,
			MemoBytes: e.memoBytes, MemoHits: e.memoHits,
		})
	}
	return out
}

// InvalidateTag drops every entry stored with tag and returns how many.
func (c *Cache) InvalidateTag(tag string) int { return c.store.dropTag(tag) }

func (c *Cache) observe(ctx context.Context, ev Event) {
	if c.opts.Observe != nil {
		c.opts.Observe(ctx, ev)
	}
}

// transport is the cache's RoundTripper.
type transport struct {
	c    *Cache
	next http.RoundTripper
}

// ignoredInKey are request header fields left out of an entry's key: they
// change from request to request without changing the answer's owner.
var ignoredInKey = map[string]bool{
	"If-None-Match": true, "If-Modified-Since": true, "If-Match": true, "If-Unmodified-Since": true, "If-Range": true,
	"Cache-Control": true, "Pragma": true, "Traceparent": true, "Tracestate": true, "X-Request-Id": true, "Idempotency-Key": true,
}

// key is the entry key of a read: the method, the URL, a hash of the
// header fields (credentials among them) and, for a POST read, of the
// body, hex.
func key(req *http.Request) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", req.Method, req.URL.String())
	if req.Method != http.MethodGet && req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return "", err
		}
		n, err := io.Copy(h, body)
		_ = body.Close()
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "\nbody %d\n", n)
	}
	names := make([]string, 0, len(req.Header))
	for k := range req.Header {
		if !ignoredInKey[http.CanonicalHeaderKey(k)] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		fmt.Fprintf(h, "%s:%q\n", http.CanonicalHeaderKey(k), req.Header[k])
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// conditional reports whether the caller made req conditional itself: it
// then goes through untouched.
func conditional(req *http.Request) bool {
	for _, k := range []string{"If-None-Match", "If-Modified-Since", "If-Match", "If-Unmodified-Since", "If-Range", "Range"} {
		if req.Header.Get(k) != "" {
			return true
		}
	}
	return false
}

// RoundTrip implements http.RoundTripper.
func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	c := t.c
	ctx := req.Context()
	if !isRead(req) {
		if req.Method == http.MethodHead || req.Method == http.MethodOptions || req.Method == "TRACE" {
			return t.next.RoundTrip(req)
		}
		resp, err := t.next.RoundTrip(req)
		t.invalidate(ctx, req, resp)
		return resp, err
	}
	reqCC := parseControl(req.Header)
	if conditional(req) || reqCC.has("no-store") {
		return t.next.RoundTrip(req)
	}
	k, err := key(req)
	if err != nil {
		return t.next.RoundTrip(req)
	}
	now := c.opts.Now()
	e := c.store.get(k)
	if e != nil && !e.varyMatches(req) {
		e = nil
	}
	if e != nil {
		age := e.age(now)
		fresh := age < e.lifetime(c.opts.TTL) && !reqCC.has("no-cache") && !parseControl(e.Header).has("no-cache")
		if maxAge, ok := reqCC.seconds("max-age"); ok && age > maxAge {
			fresh = false
		}
		if fresh {
			resp, err := c.store.response(e, req, age)
			if err == nil {
				c.store.count(func(s *Stats) { s.Hits++ })
				c.observe(ctx, Event{Kind: Hit, URL: req.URL.String(), Tag: e.Tag, Age: age})
				return resp, nil
			}
			// An entry whose file went missing is a miss.
			c.store.drop(k)
			e = nil
		}
	}
	if e != nil {
		if etag, lm := e.Header.Get("ETag"), e.Header.Get("Last-Modified"); etag != "" || lm != "" {
			creq := req.Clone(ctx)
			if req.GetBody != nil && req.Body != nil && req.Body != http.NoBody {
				// A POST read: the conditional request gets a body of its
				// own, and req keeps its body for a plain request after.
				if creq.Body, err = req.GetBody(); err != nil {
					return t.next.RoundTrip(req)
				}
			}
			if etag != "" {
				creq.Header.Set("If-None-Match", etag)
			}
			if lm != "" {
				creq.Header.Set("If-Modified-Since", lm)
			}
			sent := c.opts.Now()
			resp, err := t.next.RoundTrip(creq)
			if err != nil {
				return nil, err
			}
			if resp.StatusCode == http.StatusNotModified {
				_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
				_ = resp.Body.Close()
				got := c.opts.Now()
				e = c.store.refresh(k, resp.Header, sent, got)
				if e != nil {
					if out, err := c.store.response(e, req, e.age(got)); err == nil {
						c.store.count(func(s *Stats) { s.Revalidations++ })
						c.observe(ctx, Event{Kind: Revalidated, URL: req.URL.String(), Tag: e.Tag, Age: e.age(got)})
						return out, nil
					}
				}
				// The entry went away meanwhile: ask again, plainly.
				return t.fetch(ctx, req, k, reqCC)
			}
			return t.keep(ctx, req, k, reqCC, resp, sent), nil
		}
	}
	return t.fetch(ctx, req, k, reqCC)
}

// fetch sends req and stores the answer when it may.
func (t *transport) fetch(ctx context.Context, req *http.Request, k string, reqCC directives) (*http.Response, error) {
	sent := t.c.opts.Now()
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	return t.keep(ctx, req, k, reqCC, resp, sent), nil
}

// keep returns resp, storing its body once it has been read to the end
// when the response may be stored.
func (t *transport) keep(ctx context.Context, req *http.Request, k string, reqCC directives, resp *http.Response, sent time.Time) *http.Response {
	c := t.c
	c.store.count(func(s *Stats) { s.Misses++ })
	c.observe(ctx, Event{Kind: Miss, URL: req.URL.String(), Tag: tagOf(ctx)})
	if !storable(resp, reqCC, c.opts.TTL) {
		if resp.StatusCode == http.StatusOK || resp.StatusCode == http.StatusNotModified {
			return resp
		}
		// An error answer leaves the entry as it was, except that a 404
		// or 410 says the resource is gone.
		if resp.StatusCode == http.StatusNotFound || resp.StatusCode == http.StatusGone {
			c.store.drop(k)
		}
		return resp
	}
	e := &entry{
		key: k, URL: req.URL.String(), Tag: tagOf(ctx), Status: resp.StatusCode, Header: resp.Header.Clone(),
		Requested: sent, Received: c.opts.Now(), Uncompressed: resp.Uncompressed,
		Vary: varyValues(resp.Header, req.Header),
	}
	resp.Body = &recorder{ReadCloser: resp.Body, limit: c.store.maxBytes, want: resp.ContentLength, done: func(body []byte) {
		e.body = body
		if c.store.put(e) {
			// The reader may keep what it derives from the body it read.
			memoSlotOf(ctx).set(c.store.memo(e, body))
			c.store.count(func(s *Stats) { s.Stores++ })
			c.observe(ctx, Event{Kind: Stored, URL: e.URL, Tag: e.Tag})
		}
	}}
	return resp
}

// storable says whether resp may be stored (RFC 9111 section 3).
func storable(resp *http.Response, reqCC directives, ttl time.Duration) bool {
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNonAuthoritativeInfo {
		return false
	}
	if reqCC.has("no-store") {
		return false
	}
	cc := parseControl(resp.Header)
	if cc.has("no-store") {
		return false
	}
	for _, v := range resp.Header.Values("Vary") {
		for _, f := range splitList(v) {
			if f == "*" {
				return false
			}
		}
	}
	// Worth storing: fresh for a while, or a validator to revalidate with.
	if resp.Header.Get("ETag") != "" || resp.Header.Get("Last-Modified") != "" {
		return true
	}
	if _, ok := cc.seconds("max-age"); ok {
		return !cc.has("no-cache")
	}
	if _, ok := httpDate(resp.Header, "Expires"); ok {
		return !cc.has("no-cache")
	}
	return ttl > 0 && !cc.has("no-cache")
}

// varyValues are the request's values of the fields resp's Vary names.
func varyValues(resp, req http.Header) map[string][]string {
	var out map[string][]string
	for _, v := range resp.Values("Vary") {
		for _, f := range splitList(v) {
			if f == "" {
				continue
			}
			if out == nil {
				out = map[string][]string{}
			}
			f = http.CanonicalHeaderKey(f)
			out[f] = req.Values(f)
		}
	}
	return out
}

// invalidate drops the entries an unsafe request may have changed.
func (t *transport) invalidate(ctx context.Context, req *http.Request, resp *http.Response) {
	c := t.c
	n := c.store.dropURL(req.URL.String())
	if resp != nil {
		for _, h := range []string{"Location", "Content-Location"} {
			if v := resp.Header.Get(h); v != "" {
				if u, err := req.URL.Parse(v); err == nil && u.Host == req.URL.Host {
					n += c.store.dropURL(u.String())
				}
			}
		}
	}
	tag := tagOf(ctx)
	if tag != "" {
		n += c.store.dropTag(tag)
	}
	if n > 0 {
		c.store.count(func(s *Stats) { s.Invalidations += int64(n) })
		c.observe(ctx, Event{Kind: Invalidated, URL: req.URL.String(), Tag: tag, Entries: n})
	}
}

// recorder passes a body through and hands a copy of it to done once it
// has been read to the end (io.EOF, the Content-Length reached, or
// nothing more at Close); a body larger than limit, or closed early, is
// not kept.
type recorder struct {
	io.ReadCloser
	buf   bytes.Buffer
	limit int64
	// want is the Content-Length (-1 = unknown); read counts the bytes.
	want, read int64
	over       bool
	done       func([]byte)
}

func (r *recorder) Read(p []byte) (int, error) {
	n, err := r.ReadCloser.Read(p)
	r.read += int64(n)
	if n > 0 && !r.over {
		if int64(r.buf.Len()+n) > r.limit {
			r.over = true
			r.buf = bytes.Buffer{}
		} else {
			r.buf.Write(p[:n])
		}
	}
	if err == io.EOF || (r.want >= 0 && r.read == r.want) {
		r.finish()
	}
	return n, err
}

// Close keeps the body when the reader stopped exactly at its end.
func (r *recorder) Close() error {
	if r.done != nil && !r.over && (r.want < 0 || r.read == r.want) {
		var one [1]byte
		if n, err := r.ReadCloser.Read(one[:]); n == 0 && err == io.EOF {
			r.finish()
		}
	}
	r.done = nil
	return r.ReadCloser.Close()
}

func (r *recorder) finish() {
	if r.over || r.done == nil {
		return
	}
	done := r.done
	r.done = nil
	done(bytes.Clone(r.buf.Bytes()))
	r.buf = bytes.Buffer{}
}

// entry is one stored response.
type entry struct {
	key    string
	URL    string              `json:"url"`
	Tag    string              `json:"tag,omitempty"`
	Status int                 `json:"status"`
	Header http.Header         `json:"header"`
	Vary   map[string][]string `json:"vary,omitempty"`
	// Requested and Received are when the request that got the response
	// (or its last 304) went out and came back.
	Requested    time.Time `json:"requested"`
	Received     time.Time `json:"received"`
	Uncompressed bool      `json:"uncompressed,omitempty"`
	Size         int64     `json:"size"`
	Hits         int64     `json:"-"`
	body         []byte    // in memory (nil when in a file)
	// gen is the entry's generation (store.put); memos are the values of
	// its Memo, memoBytes their size (counted in store.bytes, not Size).
	gen       uint64
	memos     map[string]memoItem
	memoBytes int64
	memoHits  int64
}

func (e *entry) varyMatches(req *http.Request) bool {
	for f, want := range e.Vary {
		got := req.Header.Values(f)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			return false
		}
	}
	return true
}

// lifetime is the freshness lifetime (RFC 9111 section 4.2.1).
func (e *entry) lifetime(ttl time.Duration) time.Duration {
	cc := parseControl(e.Header)
	if ma, ok := cc.seconds("max-age"); ok {
		return ma
	}
	if cc.has("max-age") {
		return 0 // an invalid max-age: stale
	}
	if e.Header.Get("Expires") != "" {
		exp, ok := httpDate(e.Header, "Expires")
		if !ok {
			return 0 // an invalid Expires means already expired
		}
		date, ok := httpDate(e.Header, "Date")
		if !ok {
			date = e.Received
		}
		return exp.Sub(date)
	}
	return ttl
}

// age is the current age (RFC 9111 section 4.2.3).
func (e *entry) age(now time.Time) time.Duration {
	var ageValue time.Duration
	if v, err := strconv.ParseInt(strings.TrimSpace(e.Header.Get("Age")), 10, 64); err == nil && v > 0 {
		ageValue = time.Duration(min(v, 1<<31-1)) * time.Second
	}
	apparent := time.Duration(0)
	if date, ok := httpDate(e.Header, "Date"); ok {
		apparent = max(0, e.Received.Sub(date))
	}
	corrected := ageValue + max(0, e.Received.Sub(e.Requested))
	return max(apparent, corrected) + max(0, now.Sub(e.Received))
}
