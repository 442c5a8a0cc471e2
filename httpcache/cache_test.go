package httpcache

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// origin is a test server whose answers a test sets; it records what it saw.
type origin struct {
	*httptest.Server
	mu     sync.Mutex
	seen   []*http.Request
	answer func(w http.ResponseWriter, r *http.Request)
}

func newOrigin(t *testing.T, answer func(w http.ResponseWriter, r *http.Request)) *origin {
	o := &origin{answer: answer}
	o.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		o.mu.Lock()
		o.seen = append(o.seen, r.Clone(context.Background()))
		o.mu.Unlock()
		o.answer(w, r)
	}))
	t.Cleanup(o.Close)
	return o
}

func (o *origin) requests() []*http.Request {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]*http.Request(nil), o.seen...)
}

// clock is a settable time.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

var t0 = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newTestCache(t *testing.T, opts Options) (*Cache, *clock, *http.Client) {
	t.Helper()
	clk := &clock{now: t0}
	opts.Now = clk.Now
	c, err := New(opts)
	require.NoError(t, err)
	return c, clk, &http.Client{Transport: c.Transport(nil)}
}

// get sends a GET with the header fields in hdr ("Name: value" pairs) and
// returns the status and body.
func get(t *testing.T, cl *http.Client, u string, hdr ...string) (int, string, http.Header) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	require.NoError(t, err)
	for _, h := range hdr {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Add(k, v)
	}
	resp, err := cl.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, string(b), resp.Header
}

// TestFreshness: what is served from the cache without a request, per the
// freshness rules of RFC 9111 section 4.2.
func TestFreshness(t *testing.T) {
	tests := []struct {
		name string
		ttl  time.Duration
		// header fields of the origin's answer
		resp []string
		// req are the second request's header fields
		req []string
		// after is the time between the two requests
		after time.Duration
		// want is the number of requests the origin sees in all
		want int
	}{
		{name: "max-age fresh", resp: []string{"Cache-Control: max-age=60"}, after: 59 * time.Second, want: 1},
		{name: "max-age stale", resp: []string{"Cache-Control: max-age=60"}, after: 61 * time.Second, want: 2},
		{name: "max-age wins over TTL", ttl: time.Hour, resp: []string{"Cache-Control: max-age=10"}, after: 11 * time.Second, want: 2},
		{name: "Age counts against max-age", resp: []string{"Cache-Control: max-age=60", "Age: 50"}, after: 11 * time.Second, want: 2},
		{name: "Expires minus Date", resp: []string{"Date: " + t0.Format(http.TimeFormat), "Expires: " + t0.Add(30*time.Second).Format(http.TimeFormat)}, after: 29 * time.Second, want: 1},
		{name: "Expires past", resp: []string{"Date: " + t0.Format(http.TimeFormat), "Expires: " + t0.Add(30*time.Second).Format(http.TimeFormat)}, after: 31 * time.Second, want: 2},
		{name: "invalid Expires is stale", ttl: time.Hour, resp: []string{"Expires: 0"}, after: time.Second, want: 2},
		{name: "TTL when nothing is explicit", ttl: time.Minute, after: 59 * time.Second, want: 1},
		{name: "TTL over", ttl: time.Minute, after: 61 * time.Second, want: 2},
		{name: "no TTL, no freshness: not stored", after: 0, want: 2},
		{name: "no-store", ttl: time.Hour, resp: []string{"Cache-Control: no-store, max-age=60"}, want: 2},
		{name: "response no-cache", ttl: time.Hour, resp: []string{"Cache-Control: no-cache"}, want: 2},
		{name: "private is stored by a private cache", resp: []string{"Cache-Control: private, max-age=60"}, want: 1},
		{name: "request no-cache", resp: []string{"Cache-Control: max-age=60"}, req: []string{"Cache-Control: no-cache"}, want: 2},
		{name: "request max-age exceeded", resp: []string{"Cache-Control: max-age=60"}, req: []string{"Cache-Control: max-age=5"}, after: 6 * time.Second, want: 2},
		{name: "request no-store", resp: []string{"Cache-Control: max-age=60"}, req: []string{"Cache-Control: no-store"}, want: 2},
		{name: "Vary: * is never stored", resp: []string{"Cache-Control: max-age=60", "Vary: *"}, want: 2},
		{name: "Vary on a field that differs", resp: []string{"Cache-Control: max-age=60", "Vary: Accept-Language"}, req: []string{"Accept-Language: fr"}, want: 2},
		{name: "other credentials", resp: []string{"Cache-Control: max-age=60"}, req: []string{"Authorization: Bearer other"}, want: 2},
		{name: "other API key header", resp: []string{"Cache-Control: max-age=60"}, req: []string{"X-Api-Key: k2"}, want: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
				for _, h := range tt.resp {
					k, v, _ := strings.Cut(h, ": ")
					w.Header().Set(k, v)
				}
				io.WriteString(w, `[{"id":1}]`)
			})
			_, clk, cl := newTestCache(t, Options{TTL: tt.ttl})
			first := []string{"Authorization: Bearer one"}
			status, body, _ := get(t, cl, o.URL+"/items?a=1", first...)
			require.Equal(t, 200, status)
			require.Equal(t, `[{"id":1}]`, body)
			clk.advance(tt.after)
			second := first
			if len(tt.req) > 0 && !strings.HasPrefix(tt.req[0], "Authorization") {
				second = append(append([]string(nil), first...), tt.req...)
			} else if len(tt.req) > 0 {
				second = tt.req
			}
			status, body, h := get(t, cl, o.URL+"/items?a=1", second...)
			require.Equal(t, 200, status)
			require.Equal(t, `[{"id":1}]`, body)
			assert.Len(t, o.requests(), tt.want)
			if tt.want == 1 {
				assert.NotEmpty(t, h.Get("Age"), "a stored answer carries its Age")
			}
		})
	}
}

// TestRevalidation: a stale entry with a validator is revalidated, and a
// 304 serves the stored body (RFC 9111 section 4.3).
func TestRevalidation(t *testing.T) {
	tests := []struct {
		name      string
		validator string // the origin's validator field
		cond      string // the conditional field the origin must see
	}{
		{name: "ETag", validator: `ETag: "v1"`, cond: `If-None-Match: "v1"`},
		{name: "weak ETag", validator: `ETag: W/"v1"`, cond: `If-None-Match: W/"v1"`},
		{name: "Last-Modified", validator: "Last-Modified: " + t0.Add(-time.Hour).Format(http.TimeFormat), cond: "If-Modified-Since: " + t0.Add(-time.Hour).Format(http.TimeFormat)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vk, vv, _ := strings.Cut(tt.validator, ": ")
			ck, cv, _ := strings.Cut(tt.cond, ": ")
			changed := false
			o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Cache-Control", "max-age=10")
				if !changed && r.Header.Get(ck) == cv {
					w.Header().Set("X-Seen", "again")
					w.WriteHeader(http.StatusNotModified)
					return
				}
				w.Header().Set(vk, vv)
				if changed {
					io.WriteString(w, "new")
					return
				}
				io.WriteString(w, "old")
			})
			c, clk, cl := newTestCache(t, Options{})
			_, body, _ := get(t, cl, o.URL+"/x")
			require.Equal(t, "old", body)
			clk.advance(11 * time.Second)
			status, body, h := get(t, cl, o.URL+"/x")
			assert.Equal(t, 200, status)
			assert.Equal(t, "old", body, "a 304 serves the stored body")
			assert.Equal(t, "again", h.Get("X-Seen"), "the 304's fields update the stored ones")
			seen := o.requests()
			require.Len(t, seen, 2)
			assert.Equal(t, cv, seen[1].Header.Get(ck))
			// Fresh again for max-age after the 304.
			clk.advance(9 * time.Second)
			_, body, _ = get(t, cl, o.URL+"/x")
			assert.Equal(t, "old", body)
			assert.Len(t, o.requests(), 2)
			// A changed resource answers 200: it replaces the entry.
			clk.advance(2 * time.Second)
			changed = true
			_, body, _ = get(t, cl, o.URL+"/x")
			assert.Equal(t, "new", body)
			_, body, _ = get(t, cl, o.URL+"/x")
			assert.Equal(t, "new", body)
			assert.Len(t, o.requests(), 3)
			st := c.Stats()
			assert.Equal(t, int64(2), st.Hits)
			assert.Equal(t, int64(1), st.Revalidations)
		})
	}
}

// TestInvalidation: writes drop the entries of their URL, their Location,
// and their table (RFC 9111 section 4.4, plus WithTag).
func TestInvalidation(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			w.Header().Set("Location", "/items/7")
			w.WriteHeader(http.StatusCreated)
			return
		}
		w.Header().Set("Cache-Control", "max-age=600")
		io.WriteString(w, r.URL.Path)
	})
	c, _, cl := newTestCache(t, Options{})
	ctxItems := WithTag(context.Background(), "api.items")
	getCtx := func(ctx context.Context, path string) {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, o.URL+path, nil)
		resp, err := cl.Do(req)
		require.NoError(t, err)
		_, _ = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	for _, p := range []string{"/items?page=1", "/items?page=2", "/items/7"} {
		getCtx(ctxItems, p)
	}
	getCtx(WithTag(context.Background(), "api.users"), "/users")
	getCtx(context.Background(), "/other")
	require.Equal(t, 5, c.Stats().Entries)

	// A POST to /items with the items tag drops the three items entries
	// (by tag and by Location), not the others.
	req, _ := http.NewRequestWithContext(ctxItems, http.MethodPost, o.URL+"/items", strings.NewReader(`{}`))
	resp, err := cl.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	var urls []string
	for _, e := range c.Entries() {
		urls = append(urls, strings.TrimPrefix(e.URL, o.URL))
	}
	assert.ElementsMatch(t, []string{"/users", "/other"}, urls)

	// Without a tag, a DELETE drops its own URL only.
	req, _ = http.NewRequest(http.MethodDelete, o.URL+"/other", nil)
	resp, err = cl.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 1, c.Stats().Entries)
	assert.Equal(t, 1, c.InvalidateTag("api.users"))
}

// TestMaxBytes: the least recently used entries go first; a response
// larger than the bound, or whose body is not read to the end, is not kept.
func TestMaxBytes(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=600")
		n := 300
		if r.URL.Path == "/big" {
			n = 5000
		}
		io.WriteString(w, strings.Repeat("x", n))
	})
	c, _, cl := newTestCache(t, Options{MaxBytes: 1800})
	get(t, cl, o.URL+"/a")
	get(t, cl, o.URL+"/b")
	get(t, cl, o.URL+"/c")
	get(t, cl, o.URL+"/a") // a is now the most recent
	get(t, cl, o.URL+"/d") // b goes
	var urls []string
	for _, e := range c.Entries() {
		urls = append(urls, strings.TrimPrefix(e.URL, o.URL))
	}
	assert.Equal(t, []string{"/d", "/a", "/c"}, urls)
	assert.LessOrEqual(t, c.Stats().Bytes, int64(1800))
	assert.Equal(t, int64(1), c.Stats().Evictions)

	get(t, cl, o.URL+"/big")
	assert.Equal(t, 3, c.Stats().Entries, "too large to store")

	resp, err := cl.Get(o.URL + "/e")
	require.NoError(t, err)
	buf := make([]byte, 10)
	_, _ = resp.Body.Read(buf)
	resp.Body.Close()
	for _, e := range c.Entries() {
		assert.NotEqual(t, o.URL+"/e", e.URL, "a body closed early is not stored")
	}
}

// TestDirectory: entries are files written atomically, read again by a new
// Cache; files that are not whole entries are removed.
func TestDirectory(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=600")
		w.Header().Set("ETag", `"e1"`)
		io.WriteString(w, "body of "+r.URL.Path)
	})
	dir := t.TempDir()
	c, _, cl := newTestCache(t, Options{Dir: dir})
	get(t, cl, o.URL+"/a", "Authorization: Bearer one")
	get(t, cl, o.URL+"/b", "Authorization: Bearer one")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	require.Len(t, files, 2)
	for _, f := range files {
		assert.True(t, strings.HasSuffix(f, fileSuffix))
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NotContains(t, string(b), "Bearer one", "credentials are hashed into the key, never written")
		info, _ := os.Stat(f)
		assert.Equal(t, os.FileMode(0o600), info.Mode().Perm())
	}
	assert.Equal(t, 2, c.Stats().Entries)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "junk"+fileSuffix), []byte("not an entry"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, ".entry-1.tmp"), []byte("cut short"), 0o600))

	c2, _, cl2 := newTestCache(t, Options{Dir: dir})
	assert.Equal(t, 2, c2.Stats().Entries)
	_, body, _ := get(t, cl2, o.URL+"/a", "Authorization: Bearer one")
	assert.Equal(t, "body of /a", body)
	assert.Len(t, o.requests(), 2, "answered from the directory")
	_, err := os.Stat(filepath.Join(dir, "junk"+fileSuffix))
	assert.True(t, os.IsNotExist(err))
	_, err = os.Stat(filepath.Join(dir, ".entry-1.tmp"))
	assert.True(t, os.IsNotExist(err))
}

func TestParseControl(t *testing.T) {
	h := http.Header{"Cache-Control": {`max-age="60", no-cache="Set-Cookie, X-A"`, "private, MAX-AGE=5"}}
	d := parseControl(h)
	v, ok := d.seconds("max-age")
	assert.True(t, ok)
	assert.Equal(t, 60*time.Second, v, "the first of a repeated directive")
	assert.Equal(t, "Set-Cookie, X-A", d["no-cache"])
	assert.True(t, d.has("private"))
	_, ok = parseControl(http.Header{"Cache-Control": {"max-age=-1"}}).seconds("max-age")
	assert.False(t, ok)
	v, ok = parseControl(http.Header{"Cache-Control": {"max-age=99999999999999999999"}}).seconds("max-age")
	assert.True(t, ok)
	assert.Equal(t, time.Duration(1<<31-1)*time.Second, v)
}
