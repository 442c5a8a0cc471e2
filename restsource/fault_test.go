package restsource

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/restsql/restsql/auth"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/pagination"
	"github.com/restsql/restsql/retry"
	"github.com/restsql/restsql/retry/retrytest"
)

// The fault-injection suite: an API of 25 items in pages of 10
// (/items?page=N&size=10) that fails in the ways real APIs do. For each
// fault the scan returns every row exactly once, or a clear error — never
// a hang, a panic, a duplicate or a silently missing row — and the server
// sees exactly the requests the retry policy allows.

const faultItems = 25

var faultEpoch = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// itemsPage is the JSON of one page of the items API.
func itemsPage(page, size int) []byte {
	start := min((page-1)*size, faultItems)
	end := min(start+size, faultItems)
	items := []map[string]any{}
	for i := start; i < end; i++ {
		items = append(items, map[string]any{"id": i + 1, "name": "item " + strconv.Itoa(i+1)})
	}
	b, _ := json.Marshal(items)
	return b
}

// faultServer serves the items API; fault, when it returns true, has
// answered the request instead. attempt counts the requests for the same
// page, from 1.
type faultServer struct {
	*httptest.Server
	mu       sync.Mutex
	attempts map[string]int
	reqs     []request
	fault    func(w http.ResponseWriter, r *http.Request, page, attempt int) bool
}

func newFaultServer(t *testing.T, fault func(w http.ResponseWriter, r *http.Request, page, attempt int) bool) *faultServer {
	t.Helper()
	fs := &faultServer{attempts: map[string]int{}, fault: fault}
	fs.Server = httptest.NewServer(http.HandlerFunc(fs.serve))
	t.Cleanup(fs.Close)
	return fs
}

func (fs *faultServer) serve(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page == 0 {
		page = 1
	}
	fs.mu.Lock()
	fs.attempts[r.URL.Path+"?"+strconv.Itoa(page)]++
	attempt := fs.attempts[r.URL.Path+"?"+strconv.Itoa(page)]
	fs.reqs = append(fs.reqs, request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Raw: r.URL.RawQuery, Header: r.Header.Clone()})
	fs.mu.Unlock()
	if fs.fault != nil && fs.fault(w, r, page, attempt) {
		return
	}
	size, _ := strconv.Atoi(r.URL.Query().Get("size"))
	if size == 0 {
		size = 10
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(itemsPage(page, size))
}

func (fs *faultServer) requests() []request {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return append([]request(nil), fs.reqs...)
}

// pages lists the page of every request, in order.
func (fs *faultServer) pages() []int {
	var out []int
	for _, r := range fs.requests() {
		p, _ := strconv.Atoi(r.Query.Get("page"))
		out = append(out, p)
	}
	return out
}

// itemsSource reads /items of base with page pagination, ten a page.
func itemsSource(t *testing.T, base string, opts Options, tweak ...func(*catalog.Catalog, *catalog.Table)) *Source {
	t.Helper()
	cat := &catalog.Catalog{Name: "C", URL: base, Pagination: &catalog.Pagination{Type: "page", PageParam: "page", SizeParam: "size", PageSize: 10}}
	tbl := &catalog.Table{Name: "items", URL: "/items", Columns: []*catalog.Column{{Name: "id", Type: "int", Key: true}, {Name: "name"}}}
	for _, f := range tweak {
		f(cat, tbl)
	}
	return newSource(t, cat, tbl, opts)
}

// scanIDs scans every row and returns the ids, or the error that ended the
// scan (at Scan or at Next).
func scanIDs(t *testing.T, s *Source) ([]int64, error) {
	t.Helper()
	p, err := s.Plan(Query{Limit: -1})
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second) // a hang fails, never blocks CI
	defer cancel()
	rows, err := s.Scan(ctx, p)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for {
		dest := make([]any, 2)
		err := rows.Next(dest)
		if err == io.EOF {
			return ids, nil
		}
		if err != nil {
			return ids, err
		}
		ids = append(ids, dest[0].(int64))
	}
}

func allIDs() []int64 {
	out := make([]int64, faultItems)
	for i := range out {
		out[i] = int64(i + 1)
	}
	return out
}

// cut answers with a 200 whose body stops halfway: the connection is
// closed (reset when rst) after half of body. chunked leaves out the
// Content-Length.
func cut(t *testing.T, w http.ResponseWriter, body []byte, chunked, rst bool) {
	conn, buf, err := w.(http.Hijacker).Hijack()
	if err != nil {
		t.Errorf("hijack: %v", err)
		return
	}
	half := body[:len(body)/2]
	if chunked {
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(half), half)
	} else {
		fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), half)
	}
	_ = buf.Flush()
	if tc, ok := conn.(*net.TCPConn); ok && rst {
		_ = tc.SetLinger(0) // close with a RST: "connection reset by peer"
	}
	_ = conn.Close()
}

func TestFaults(t *testing.T) {
	retryAfterDate := faultEpoch.Add(5 * time.Second).Format(http.TimeFormat)
	tests := []struct {
		name  string
		fault func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool
		opts  Options
		// noRetry sets MaxRetries 0 (else 3).
		noRetry bool
		// ids are the rows expected (nil with err).
		ids []int64
		// err is the expected error, {URL} standing for the server's URL.
		err string
		// pages are the pages the server is asked for, in order.
		pages []int
		// sleeps are the exact waits (nil: check backoffs instead).
		sleeps []time.Duration
		// backoffs are the base backoff waits (jitter ±50%).
		backoffs []time.Duration
		check    func(t *testing.T, err error)
	}{
		{
			name: "429 with Retry-After seconds",
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				if page == 2 && attempt == 1 {
					w.Header().Set("Retry-After", "3")
					http.Error(w, `{"error":"slow down"}`, http.StatusTooManyRequests)
					return true
				}
				return false
			},
			ids: allIDs(), pages: []int{1, 2, 2, 3}, sleeps: []time.Duration{3 * time.Second},
		},
		{
			name: "429 with Retry-After as an HTTP date",
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				if page == 1 && attempt == 1 {
					w.Header().Set("Retry-After", retryAfterDate)
					w.WriteHeader(http.StatusTooManyRequests)
					return true
				}
				return false
			},
			ids: allIDs(), pages: []int{1, 1, 2, 3}, sleeps: []time.Duration{5 * time.Second},
		},
		{
			name: "503 twice then success: jittered exponential backoff",
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				if page == 3 && attempt <= 2 {
					w.WriteHeader(http.StatusServiceUnavailable)
					return true
				}
				return false
			},
			ids: allIDs(), pages: []int{1, 2, 3, 3, 3}, backoffs: []time.Duration{500 * time.Millisecond, time.Second},
		},
		{
			name: "408, 500, 502, 504 are retried",
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				if page == 1 && attempt <= 3 {
					w.WriteHeader([]int{408, 500, 502}[attempt-1])
					return true
				}
				if page == 2 && attempt == 1 {
					w.WriteHeader(504)
					return true
				}
				return false
			},
			ids: allIDs(), pages: []int{1, 1, 1, 1, 2, 2, 3}, backoffs: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second, 500 * time.Millisecond},
		},
		{
			name: "503 past MaxRetries",
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				if page == 2 {
					w.WriteHeader(http.StatusServiceUnavailable)
					_, _ = w.Write([]byte(`{"error":"down"}`))
					return true
				}
				return false
			},
			err:   `restsource: GET {URL}/items?page=2&size=10: 503 Service Unavailable: {"error":"down"} (gave up after 4 attempts)`,
			pages: []int{1, 2, 2, 2, 2}, backoffs: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second},
			check: func(t *testing.T, err error) {
				var he *HTTPError
				require.ErrorAs(t, err, &he)
				assert.Equal(t, 503, he.StatusCode)
			},
		},
		{
			name: "Retry-After longer than the cap is not waited for",
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				w.Header().Set("Retry-After", "3600")
				w.WriteHeader(http.StatusTooManyRequests)
				return true
			},
			err:   `restsource: GET {URL}/items?page=1&size=10: 429 Too Many Requests (not retried: the server asks to wait 1h0m0s, longer than the 2m0s limit)`,
			pages: []int{1}, sleeps: []time.Duration{},
		},
		{
			name: "404 is not retried",
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				w.WriteHeader(http.StatusNotFound)
				return true
			},
			err:   `restsource: GET {URL}/items?page=1&size=10: 404 Not Found`,
			pages: []int{1}, sleeps: []time.Duration{},
		},
		{
			name:    "no retries with MaxRetries 0",
			noRetry: true,
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				w.WriteHeader(http.StatusServiceUnavailable)
				return true
			},
			err:   `restsource: GET {URL}/items?page=1&size=10: 503 Service Unavailable`,
			pages: []int{1}, sleeps: []time.Duration{},
		},
		{
			name: "connection closed mid-body, Content-Length: the page is read again",
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				if page == 2 && attempt == 1 {
					cut(t, w, itemsPage(2, 10), false, false)
					return true
				}
				return false
			},
			ids: allIDs(), pages: []int{1, 2, 2, 3}, backoffs: []time.Duration{500 * time.Millisecond},
		},
		{
			name: "connection reset mid-body, chunked: the page is read again",
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				if page == 1 && attempt == 1 {
					cut(t, w, itemsPage(1, 10), true, true)
					return true
				}
				return false
			},
			ids: allIDs(), pages: []int{1, 1, 2, 3}, backoffs: []time.Duration{500 * time.Millisecond},
		},
		{
			name: "every attempt cut short",
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				if page == 3 {
					cut(t, w, itemsPage(3, 10), false, false)
					return true
				}
				return false
			},
			err:   `restsource: GET {URL}/items?page=3&size=10: reading the response body (68 bytes read): unexpected EOF (gave up after 4 attempts)`,
			pages: []int{1, 2, 3, 3, 3, 3}, backoffs: []time.Duration{500 * time.Millisecond, time.Second, 2 * time.Second},
		},
		{
			name: "truncated JSON in a complete response is an error, not retried",
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				if page == 2 {
					_, _ = w.Write(itemsPage(2, 10)[:40])
					return true
				}
				return false
			},
			err:   `restsource: GET {URL}/items?page=2&size=10: 200 OK: response is not valid JSON: it ends inside a string, after 40 bytes (cut short?): [{"id":11,"name":"item 11"},{"id":12,"na`,
			pages: []int{1, 2}, sleeps: []time.Duration{},
		},
		{
			name: "a page past MaxBodyBytes: 10 MB streamed, 1 MiB cap",
			opts: Options{MaxBodyBytes: 1 << 20},
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				chunk := []byte(`[` + strings.Repeat(`{"id":1,"name":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"},`, 1000))
				for n := 0; n < 10<<20; n += len(chunk) {
					if _, err := w.Write(chunk); err != nil {
						return true
					}
				}
				return true
			},
			err:   `restsource: GET {URL}/items?page=1&size=10: the response body is larger than the 1048576-byte (1 MiB) limit on one page (MaxBodyBytes); ask for smaller pages (PageSize)`,
			pages: []int{1}, sleeps: []time.Duration{},
		},
		{
			name: "a page past MaxBodyBytes, announced by Content-Length",
			opts: Options{MaxBodyBytes: 1 << 20},
			fault: func(t *testing.T, w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				w.Header().Set("Content-Length", strconv.Itoa(10<<20))
				w.WriteHeader(http.StatusOK)
				return true
			},
			err:   `restsource: GET {URL}/items?page=1&size=10: the response body of 10485760 bytes is larger than the 1048576-byte (1 MiB) limit on one page (MaxBodyBytes); ask for smaller pages (PageSize)`,
			pages: []int{1}, sleeps: []time.Duration{},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := retrytest.NewClock(faultEpoch)
			srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				return tt.fault(t, w, r, page, attempt)
			})
			opts := tt.opts
			opts.Clock = clk
			if !tt.noRetry {
				opts.MaxRetries = 3
			}
			ids, err := scanIDs(t, itemsSource(t, srv.URL, opts))
			if tt.err != "" {
				require.Error(t, err)
				assert.Equal(t, strings.ReplaceAll(tt.err, "{URL}", srv.URL), err.Error())
				if tt.check != nil {
					tt.check(t, err)
				}
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.ids, ids, "every row exactly once, in order")
			}
			assert.Equal(t, tt.pages, srv.pages(), "the requests the server saw")
			if tt.sleeps != nil {
				assert.Equal(t, tt.sleeps, append([]time.Duration{}, clk.Sleeps()...))
			} else {
				sleeps := clk.Sleeps()
				require.Len(t, sleeps, len(tt.backoffs))
				for i, b := range tt.backoffs {
					assert.GreaterOrEqual(t, sleeps[i], b/2, "backoff %d", i)
					assert.LessOrEqual(t, sleeps[i], b*3/2+time.Nanosecond, "backoff %d", i)
				}
			}
		})
	}
}

// A server that never sends a first byte: each attempt ends at Timeout and
// is retried; then a clear error that matches context.DeadlineExceeded.
func TestFaultSlowFirstByte(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		<-r.Context().Done() // until the client gives up
		return true
	})
	clk := retrytest.NewClock(faultEpoch)
	_, err := scanIDs(t, itemsSource(t, srv.URL, Options{Timeout: 50 * time.Millisecond, MaxRetries: 1, Clock: clk}))
	require.Error(t, err)
	assert.Equal(t, "restsource: GET "+srv.URL+"/items?page=1&size=10: no complete response within the 50ms Timeout (gave up after 2 attempts)", err.Error())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Equal(t, []int{1, 1}, srv.pages())
}

// A hung API uses the retry budget of timeouts, not all MaxRetries: the
// request that timed out is sent once more, then the error names it, so
// the defaults (60 s, 3 retries) fail after about 2 minutes, not 4.
func TestFaultHungAPIRetriesATimeoutOnce(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		<-r.Context().Done()
		return true
	})
	clk := retrytest.NewClock(faultEpoch)
	_, err := scanIDs(t, itemsSource(t, srv.URL, Options{Timeout: 50 * time.Millisecond, MaxRetries: 3, Clock: clk}))
	require.Error(t, err)
	assert.Equal(t, "restsource: GET "+srv.URL+"/items?page=1&size=10: no complete response within the 50ms Timeout (gave up after 2 attempts)", err.Error())
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var gave *retry.GaveUpError
	require.ErrorAs(t, err, &gave)
	assert.Equal(t, []int{1, 1}, srv.pages(), "sent twice, not MaxRetries+1 = 4 times")
	assert.Len(t, clk.Sleeps(), 1, "one backoff wait")
}

// A connection that cannot be made is retried, then a clear error.
func TestFaultConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	clk := retrytest.NewClock(faultEpoch)
	_, err = scanIDs(t, itemsSource(t, "http://"+addr, Options{MaxRetries: 2, Clock: clk}))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "restsource: GET http://"+addr+"/items?page=1&size=10: dial tcp "+addr+": connect: connection refused (gave up after 3 attempts)")
	assert.Len(t, clk.Sleeps(), 2)
}

// Link: next to the same URL forever is an error after one repeat, with
// the first page's rows delivered.
func TestFaultEndlessLinkNext(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		w.Header().Set("Link", "<"+r.URL.RequestURI()+`>; rel="next"`) // itself
		return false
	})
	s := itemsSource(t, srv.URL, Options{MaxRetries: 3, Clock: retrytest.NewClock(faultEpoch)}, func(c *catalog.Catalog, _ *catalog.Table) {
		c.Pagination = &catalog.Pagination{Type: "linkHeader", SizeParam: "size", PageSize: 10}
	})
	ids, err := scanIDs(t, s)
	require.Error(t, err)
	var le *pagination.LoopError
	require.ErrorAs(t, err, &le)
	assert.Contains(t, err.Error(), "restsource: table C.items: GET "+srv.URL+"/items?size=10: ")
	assert.Equal(t, allIDs()[:10], ids, "the first page's rows, once")
	assert.Len(t, srv.requests(), 1, "the loop is caught at once")
}

// A next URL on another host: the rows of both hosts, and no credential
// sent to the other host, whatever the scheme.
func TestFaultNextURLOnAnotherHost(t *testing.T) {
	other := newFaultServer(t, nil)
	ts := newAPITokenServer(t)
	schemes := []struct {
		name string
		auth func() auth.Authenticator
		// accept checks the main host's credentials.
		accept func(r *http.Request) bool
	}{
		{"bearer", func() auth.Authenticator { return &auth.Bearer{Token: "tok-main-123"} },
			func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer tok-main-123" }},
		{"basic", func() auth.Authenticator { return &auth.Basic{User: "ann", Password: "pw-main-123"} },
			func(r *http.Request) bool { u, p, ok := r.BasicAuth(); return ok && u == "ann" && p == "pw-main-123" }},
		{"api key in the query", func() auth.Authenticator { return &auth.APIKey{Key: "key-main-123", Name: "api_key", In: auth.InQuery} },
			func(r *http.Request) bool { return r.URL.Query().Get("api_key") == "key-main-123" }},
		{"oauth2", func() auth.Authenticator { return ts.authenticator(t) },
			func(r *http.Request) bool { return ts.accepts(r.Header.Get("Authorization")) }},
	}
	for _, sc := range schemes {
		t.Run(sc.name, func(t *testing.T) {
			main := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
				if !sc.accept(r) {
					w.WriteHeader(http.StatusUnauthorized)
					return true
				}
				if page == 1 {
					w.Header().Set("Link", fmt.Sprintf(`<%s/items?page=2&size=10>; rel="next"`, other.URL))
				}
				return false
			})
			before := len(other.requests())
			s := itemsSource(t, main.URL, Options{Auth: sc.auth(), Clock: retrytest.NewClock(faultEpoch)}, func(c *catalog.Catalog, _ *catalog.Table) {
				c.Pagination = &catalog.Pagination{Type: "linkHeader", SizeParam: "size", PageSize: 10}
			})
			ids, err := scanIDs(t, s)
			require.NoError(t, err)
			assert.Equal(t, allIDs()[:20], ids, "page 1 from the main host, page 2 from the other; page 2 is short")
			require.Len(t, main.requests(), 1)
			otherReqs := other.requests()[before:]
			require.Len(t, otherReqs, 1)
			for _, r := range otherReqs {
				assert.Empty(t, r.Header.Get("Authorization"))
				assert.Empty(t, r.Query.Get("api_key"))
			}
		})
	}
}

// apiTokenServer is an OAuth2 token endpoint whose tokens an API accepts
// until they are revoked.
type apiTokenServer struct {
	*httptest.Server
	mu     sync.Mutex
	issued int
	valid  map[string]bool
}

func newAPITokenServer(t *testing.T) *apiTokenServer {
	ts := &apiTokenServer{valid: map[string]bool{}}
	ts.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, secret, _ := r.BasicAuth(); id != "cid" || secret != "csecret-123" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		ts.mu.Lock()
		ts.issued++
		tok := fmt.Sprintf("access-%d", ts.issued)
		ts.valid[tok] = true
		ts.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, tok)
	}))
	t.Cleanup(ts.Close)
	return ts
}

func (ts *apiTokenServer) authenticator(t *testing.T) auth.Authenticator {
	a, err := auth.New(&catalog.Auth{Scheme: "OAuth2", ClientID: "cid", ClientSecret: "csecret-123", TokenURL: ts.URL + "/token"}, nil)
	require.NoError(t, err)
	return a
}

func (ts *apiTokenServer) accepts(header string) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.valid[strings.TrimPrefix(header, "Bearer ")]
}

func (ts *apiTokenServer) revoke() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.valid = map[string]bool{}
}

func (ts *apiTokenServer) tokens() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.issued
}

// A 401 in the middle of a scan (the token was revoked) is fixed by one
// token refresh: the page is asked for again and no row is lost.
func TestFault401FixedByTokenRefresh(t *testing.T) {
	ts := newAPITokenServer(t)
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		if page == 2 && attempt == 1 {
			ts.revoke()
		}
		if !ts.accepts(r.Header.Get("Authorization")) {
			w.WriteHeader(http.StatusUnauthorized)
			return true
		}
		return false
	})
	clk := retrytest.NewClock(faultEpoch)
	s := itemsSource(t, srv.URL, Options{Auth: ts.authenticator(t), MaxRetries: 3, Clock: clk})
	ids, err := scanIDs(t, s)
	require.NoError(t, err)
	assert.Equal(t, allIDs(), ids)
	assert.Equal(t, []int{1, 2, 2, 3}, srv.pages())
	assert.Equal(t, 2, ts.tokens(), "one token, then one refresh")
	var auths []string
	for _, r := range srv.requests() {
		auths = append(auths, r.Header.Get("Authorization"))
	}
	assert.Equal(t, []string{"Bearer access-1", "Bearer access-1", "Bearer access-2", "Bearer access-2"}, auths)
	assert.Empty(t, clk.Sleeps(), "a refresh is not a backoff retry")

	// A 401 that a new token does not fix: the 401, after one refresh.
	refuser := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		w.WriteHeader(http.StatusUnauthorized)
		return true
	})
	_, err = scanIDs(t, itemsSource(t, refuser.URL, Options{Auth: ts.authenticator(t), MaxRetries: 3, Clock: clk}))
	require.EqualError(t, err, "restsource: GET "+refuser.URL+"/items?page=1&size=10: 401 Unauthorized")
	assert.Equal(t, []int{1, 1}, refuser.pages())
}

// Digest through a scan: the challenge is answered, then reused.
func TestFaultDigest(t *testing.T) {
	var mu sync.Mutex
	var authHeaders []string
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		mu.Lock()
		authHeaders = append(authHeaders, r.Header.Get("Authorization"))
		mu.Unlock()
		if !strings.HasPrefix(r.Header.Get("Authorization"), "Digest ") {
			w.Header().Set("WWW-Authenticate", `Digest realm="api", nonce="n1", qop="auth", algorithm=MD5`)
			w.WriteHeader(http.StatusUnauthorized)
			return true
		}
		return false
	})
	s := itemsSource(t, srv.URL, Options{Auth: &auth.Digest{User: "ann", Password: "pw-123"}, Clock: retrytest.NewClock(faultEpoch)})
	ids, err := scanIDs(t, s)
	require.NoError(t, err)
	assert.Equal(t, allIDs(), ids)
	assert.Equal(t, []int{1, 1, 2, 3}, srv.pages())
	assert.Empty(t, authHeaders[0])
	for _, h := range authHeaders[1:] {
		assert.Contains(t, h, `username="ann"`)
		assert.NotContains(t, h, "pw-123")
	}
}

// gzip: Go's transport asks for it and decodes it; when the profile sets
// its own Accept-Encoding the Source decodes it; the size cap applies to
// the decoded body.
func TestFaultGzip(t *testing.T) {
	gz := func(b []byte) []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(b)
		_ = zw.Close()
		return buf.Bytes()
	}
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		if !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			return false
		}
		w.Header().Set("Content-Encoding", "gzip")
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/bomb" {
			_, _ = w.Write(gz([]byte(`[` + strings.Repeat(`{"id":1},`, 1<<17) + `{"id":1}]`)))
			return true
		}
		_, _ = w.Write(gz(itemsPage(page, 10)))
		return true
	})
	for _, tc := range []struct {
		name   string
		header map[string]string
	}{{"transport decodes", nil}, {"profile asks for gzip", map[string]string{"Accept-Encoding": "gzip"}}} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(srv.requests())
			s := itemsSource(t, srv.URL, Options{}, func(c *catalog.Catalog, _ *catalog.Table) { c.Headers = tc.header })
			ids, err := scanIDs(t, s)
			require.NoError(t, err)
			assert.Equal(t, allIDs(), ids)
			for _, r := range srv.requests()[before:] {
				assert.Equal(t, "gzip", r.Header.Get("Accept-Encoding"))
			}
		})
	}
	t.Run("the cap applies to the decoded body", func(t *testing.T) {
		s := itemsSource(t, srv.URL, Options{MaxBodyBytes: 64 << 10}, func(c *catalog.Catalog, tbl *catalog.Table) {
			c.Headers = map[string]string{"Accept-Encoding": "gzip"}
			tbl.URL = "/bomb"
		})
		_, err := scanIDs(t, s)
		require.EqualError(t, err, "restsource: GET "+srv.URL+"/bomb?page=1&size=10: the response body is larger than the 65536-byte (64 KiB) limit on one page (MaxBodyBytes); ask for smaller pages (PageSize)")
	})
}

// POST is never retried, whatever MaxRetries says.
func TestFaultPostIsNeverRetried(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		w.WriteHeader(http.StatusServiceUnavailable)
		return true
	})
	clk := retrytest.NewClock(faultEpoch)
	s := itemsSource(t, srv.URL, Options{MaxRetries: 5, Clock: clk})
	u, err := url.Parse(srv.URL + "/items")
	require.NoError(t, err)
	_, err = s.do(context.Background(), http.MethodPost, u, []byte(`{"name":"x"}`), func() {})
	require.EqualError(t, err, "restsource: POST "+srv.URL+"/items: 503 Service Unavailable")
	assert.Len(t, srv.requests(), 1)
	assert.Empty(t, clk.Sleeps())

	// GET on the same server: retried.
	_, err = s.do(context.Background(), http.MethodGet, u, nil, func() {})
	require.Error(t, err)
	assert.Len(t, srv.requests(), 7)
}

// One limiter shared by two Sources (as the connector shares one per
// catalog): every request, retries included, waits its turn.
func TestRateLimitShared(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		if r.URL.Path == "/items" && page == 2 && attempt == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusTooManyRequests)
			return true
		}
		return false
	})
	clk := retrytest.NewClock(faultEpoch)
	lim := rate.NewLimiter(2, 1)
	opts := Options{Limiter: lim, Clock: clk, MaxRetries: 3}
	a := itemsSource(t, srv.URL, opts)
	b := itemsSource(t, srv.URL, opts, func(_ *catalog.Catalog, tbl *catalog.Table) { tbl.URL = "/other" })
	for _, s := range []*Source{a, b} {
		ids, err := scanIDs(t, s)
		require.NoError(t, err)
		assert.Equal(t, allIDs(), ids)
	}
	// 4 + 3 requests: the first goes at once, each next one half a second later.
	assert.Len(t, srv.requests(), 7)
	want := make([]time.Duration, 6)
	for i := range want {
		want[i] = 500 * time.Millisecond
	}
	assert.Equal(t, want, clk.Sleeps())
}

// Cancelling the context while a retry waits (real clock, Retry-After of a
// minute) returns at once with the context's error; Close during the wait
// too. goleak (TestMain) checks that nothing is left running.
func TestFaultCancelDuringRetryWait(t *testing.T) {
	seen := make(chan struct{}, 10)
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		if page == 2 {
			w.Header().Set("Retry-After", "60")
			w.WriteHeader(http.StatusServiceUnavailable)
			seen <- struct{}{}
			return true
		}
		return false
	})
	s := itemsSource(t, srv.URL, Options{MaxRetries: 3})
	p, err := s.Plan(Query{Limit: -1})
	require.NoError(t, err)

	t.Run("cancel", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		rows, err := s.Scan(ctx, p)
		require.NoError(t, err)
		defer rows.Close()
		done := make(chan error, 1)
		go func() {
			dest := make([]any, 2)
			for {
				if err := rows.Next(dest); err != nil {
					done <- err
					return
				}
			}
		}()
		<-seen // page 2 failed: the scan now waits a minute to retry
		cancel()
		select {
		case err := <-done:
			require.ErrorIs(t, err, context.Canceled)
		case <-time.After(10 * time.Second):
			t.Fatal("Next did not return after cancel")
		}
	})
	t.Run("close", func(t *testing.T) {
		rows, err := s.Scan(context.Background(), p)
		require.NoError(t, err)
		<-seen
		closed := make(chan struct{})
		go func() { _ = rows.Close(); close(closed) }()
		waitFor(t, closed, "Close")
		require.ErrorIs(t, rows.Next(make([]any, 2)), ErrClosed)
	})
}

// The retry package's errors stay matchable through a scan.
func TestFaultErrorsMatch(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		w.WriteHeader(http.StatusBadGateway)
		return true
	})
	_, err := scanIDs(t, itemsSource(t, srv.URL, Options{MaxRetries: 1, Clock: retrytest.NewClock(faultEpoch)}))
	var g *retry.GaveUpError
	require.ErrorAs(t, err, &g)
	assert.Equal(t, 2, g.Attempts)
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, http.StatusBadGateway, he.StatusCode)
	assert.False(t, errors.Is(err, context.Canceled))
}

// Values from SQL never add a path segment, climb the path or add a query
// parameter: what the server sees is the value, whole.
func TestURLValuesAreEscaped(t *testing.T) {
	srv, rec := serve(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, []any{}) })
	cat := &catalog.Catalog{Name: "C", URL: srv.URL + "/api"}
	tbl := &catalog.Table{Name: "t", URL: "/posts/{id}/comments", Columns: []*catalog.Column{
		{Name: "id", Filters: map[string]*catalog.Filter{"=": {Param: "id"}}},
		{Name: "q", Filters: map[string]*catalog.Filter{"=": {Param: "q"}}},
	}}
	s := newSource(t, cat, tbl, Options{})
	for _, v := range []string{"1&admin=true", "../admin", "..", ".", "a/b", "a?b#c", "%2e%2e"} {
		rec.mu.Lock()
		rec.reqs = nil
		rec.mu.Unlock()
		_, _ = scanAll(t, s, Query{Limit: -1, Predicates: []Predicate{
			{Column: "id", Op: "=", Values: []any{v}},
			{Column: "q", Op: "=", Values: []any{v}},
		}})
		reqs := rec.all()
		require.Len(t, reqs, 1, v)
		assert.Equal(t, "/api/posts/"+v+"/comments", reqs[0].Path, "the path holds the value whole: %q", v)
		assert.Equal(t, url.Values{"q": {v}}, reqs[0].Query, "one parameter, the value whole: %q", v)
	}
}
