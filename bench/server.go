package bench

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Pagination types the server speaks (the restsql profile types of the same
// names).
const (
	PagePage    = "page"    // ?page=N&per_page=S, "total" in the body
	PageOffset  = "offset"  // ?offset=N&limit=S, "total" in the body
	PageCursor  = "cursor"  // ?cursor=C&limit=S, "next_cursor" in the body
	PageNextURL = "nextURL" // absolute URL in the body's "next"
)

// Config describes the API a Server plays. Zero fields take the defaults.
type Config struct {
	// Rows is the number of rows of /items (default 200,000).
	Rows int
	// PageSize is the page size the profile asks for and the server uses
	// when the client asks for none (default 1,000).
	PageSize int
	// Latency is added before every response, as server think time.
	Latency time.Duration
	// Pagination is page, offset, cursor or nextURL (default page).
	Pagination string
	// Width is the number of columns (default DefaultWidth).
	Width int
	// NoTotal leaves "total" out of page and offset bodies: clients then
	// stop on a short or empty page.
	NoTotal bool
	// Groups is the number of rows of /groups (default 256), GroupSize
	// the number of rows of each /groups/{gid}/items (default 10).
	Groups    int
	GroupSize int
	// ETag gives every page of /items an ETag (the data never changes)
	// and answers a request whose If-None-Match matches it with 304 Not
	// Modified; no Cache-Control is sent.
	ETag bool
}

func (c *Config) normalize() error {
	if c.Rows == 0 {
		c.Rows = 200_000
	}
	if c.PageSize == 0 {
		c.PageSize = 1000
	}
	if c.Pagination == "" {
		c.Pagination = PagePage
	}
	if c.Width == 0 {
		c.Width = DefaultWidth
	}
	if c.Groups == 0 {
		c.Groups = 256
	}
	if c.GroupSize == 0 {
		c.GroupSize = 10
	}
	switch c.Pagination {
	case PagePage, PageOffset, PageCursor, PageNextURL:
	default:
		return fmt.Errorf("bench: pagination %q is not page, offset, cursor or nextURL", c.Pagination)
	}
	if c.Rows < 0 || c.PageSize < 0 || c.Width < 0 || c.Latency < 0 || c.Groups < 0 || c.GroupSize < 0 {
		return errors.New("bench: negative server setting")
	}
	return nil
}

// Server is a local REST API that serves rows rendered once, from memory,
// so that a benchmark measures the client. It listens on 127.0.0.1 only.
//
// Endpoints (all bodies are JSON objects with the rows under "data"):
//
//	GET /items                  the rows, paginated as Config.Pagination says
//	GET /items?id=1,2           the rows with those ids, unpaginated
//	GET /items/{id}             one row object (404 when there is none)
//	GET /groups[?region=eu]     Groups rows {gid, region, top}: region is
//	                            eu, us, apac or latam by gid mod 4; top is an
//	                            item id, shared by several groups
//	GET /groups/{gid}/items     the GroupSize rows from id gid×GroupSize+1
type Server struct {
	cfg  Config
	cols []Column
	url  string

	// data holds every row's JSON followed by a comma; off holds Rows+1
	// little-endian uint64 offsets into data. Both are off the Go heap.
	data    []byte
	off     []byte
	release func()

	http *http.Server
	ln   net.Listener
	// mu is held for reading by every handler, and for writing by Close
	// while it releases the rows, which handlers must no longer read.
	mu     sync.RWMutex
	closed bool

	requests, inFlight, peakInFlight, bytes, delayed, conns, notModified atomic.Int64
}

// ServerStats are the server's counts since the last ResetStats.
type ServerStats struct {
	// Requests is the number of requests received.
	Requests int64
	// PeakInFlight is the largest number of requests handled at once.
	PeakInFlight int64
	// Bytes is the number of body bytes sent.
	Bytes int64
	// Delay is the mean latency actually added per request (a timer can
	// overshoot Config.Latency).
	Delay time.Duration
	// Conns is the number of TCP connections accepted: with keep-alive,
	// a client opens at most as many as it has requests in flight.
	Conns int64
	// NotModified is the number of 304 answers (Config.ETag).
	NotModified int64
}

// NewServer renders the rows and starts serving them on a loopback port.
func NewServer(cfg Config) (*Server, error) {
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, cols: Columns(cfg.Width)}
	if err := s.render(); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.release()
		return nil, fmt.Errorf("bench: listen: %w", err)
	}
	s.ln, s.url = ln, "http://"+ln.Addr().String()
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ConnState: func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.conns.Add(1)
		}
	}}
	go func() { _ = s.http.Serve(ln) }()
	return s, nil
}

// render writes every row once: a first pass sizes the store, a second
// fills it.
func (s *Server) render() error {
	n := s.cfg.Rows
	var scratch []byte
	size := 0
	for id := int64(1); id <= int64(n); id++ {
		scratch = appendRow(scratch[:0], s.cols, id)
		size += len(scratch) + 1
	}
	buf, release, err := allocOffHeap(size + 8*(n+1))
	if err != nil {
		return fmt.Errorf("bench: allocate %d bytes for the rows: %w", size, err)
	}
	s.release = release
	s.data, s.off = buf[:size:size], buf[size:]
	pos := 0
	for id := int64(1); id <= int64(n); id++ {
		binary.LittleEndian.PutUint64(s.off[8*(id-1):], uint64(pos))
		scratch = appendRow(scratch[:0], s.cols, id)
		pos += copy(s.data[pos:], scratch)
		s.data[pos] = ','
		pos++
	}
	binary.LittleEndian.PutUint64(s.off[8*n:], uint64(pos))
	return nil
}

// Close stops the server and releases the rows, once every handler has
// returned.
func (s *Server) Close() error {
	err := s.http.Close()
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.closed = true
		s.release()
	}
	return err
}

// URL is the server's base URL, http://127.0.0.1:port.
func (s *Server) URL() string { return s.url }

// Config returns the server's configuration, defaults filled in.
func (s *Server) Config() Config { return s.cfg }

// Columns returns the columns of the rows.
func (s *Server) Columns() []Column { return s.cols }

// DataBytes is the size of all rows' JSON.
func (s *Server) DataBytes() int { return len(s.data) }

// Stats returns the counts since the last ResetStats.
func (s *Server) Stats() ServerStats {
	st := ServerStats{Requests: s.requests.Load(), PeakInFlight: s.peakInFlight.Load(), Bytes: s.bytes.Load(), Conns: s.conns.Load(), NotModified: s.notModified.Load()}
	if st.Requests > 0 {
		st.Delay = time.Duration(s.delayed.Load() / st.Requests)
	}
	return st
}

// ResetStats zeroes the counts.
func (s *Server) ResetStats() {
	s.requests.Store(0)
	s.peakInFlight.Store(0)
	s.bytes.Store(0)
	s.delayed.Store(0)
	s.conns.Store(0)
	s.notModified.Store(0)
}

// rows returns the JSON of rows [a, b) (0-based), comma-separated.
func (s *Server) rows(a, b int) []byte {
	if b <= a {
		return nil
	}
	start := binary.LittleEndian.Uint64(s.off[8*a:])
	end := binary.LittleEndian.Uint64(s.off[8*b:])
	return s.data[start : end-1]
}

// ServeHTTP implements http.Handler.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	s.requests.Add(1)
	n := s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	for {
		peak := s.peakInFlight.Load()
		if n <= peak || s.peakInFlight.CompareAndSwap(peak, n) {
			break
		}
	}
	if d := s.cfg.Latency; d > 0 {
		if !sleep(r.Context(), d, &s.delayed) {
			return
		}
	}
	if r.Method != http.MethodGet {
		http.Error(w, "only GET", http.StatusMethodNotAllowed)
		return
	}
	path := r.URL.Path
	switch {
	case path == "/items":
		if s.cfg.ETag {
			// The rows never change: a page's ETag is its query.
			h := fnv.New64a()
			h.Write([]byte(r.URL.RawQuery))
			etag := fmt.Sprintf(`"%x"`, h.Sum64())
			w.Header().Set("ETag", etag)
			if r.Header.Get("If-None-Match") == etag {
				s.notModified.Add(1)
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		s.serveItems(w, r)
	case strings.HasPrefix(path, "/items/"):
		s.serveItem(w, path[len("/items/"):])
	case path == "/groups":
		s.serveGroups(w, r.URL.Query().Get("region"))
	case strings.HasPrefix(path, "/groups/") && strings.HasSuffix(path, "/items"):
		s.serveGroupItems(w, strings.TrimSuffix(path[len("/groups/"):], "/items"))
	default:
		http.NotFound(w, r)
	}
}

// sleep waits d, adding the time actually waited to total; it reports
// false when ctx ends first.
func sleep(ctx context.Context, d time.Duration, total *atomic.Int64) bool {
	start := time.Now()
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		total.Add(int64(time.Since(start)))
		return true
	case <-ctx.Done():
		return false
	}
}

// write sends a JSON body made of parts.
func (s *Server) write(w http.ResponseWriter, parts ...[]byte) {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	h["Content-Length"] = []string{strconv.Itoa(n)}
	for _, p := range parts {
		if _, err := w.Write(p); err != nil {
			return
		}
	}
	s.bytes.Add(int64(n))
}

var (
	dataOpen  = []byte(`{"data":[`)
	dataClose = []byte(`]}`)
)

// intParam reads a non-negative integer parameter (def when absent).
func intParam(v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a non-negative integer", v)
	}
	return n, nil
}

// cursorPrefix starts every cursor, to make them look opaque.
const cursorPrefix = "cur_"

func (s *Server) serveItems(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if ids := q.Get("id"); ids != "" {
		s.serveIDs(w, ids)
		return
	}
	sizeParam := "limit"
	if s.cfg.Pagination == PagePage {
		sizeParam = "per_page"
	}
	size, err := intParam(q.Get(sizeParam), s.cfg.PageSize)
	if err == nil && size == 0 {
		err = errors.New("a page size of 0")
	}
	var start int
	if err == nil {
		switch s.cfg.Pagination {
		case PagePage:
			var page int
			page, err = intParam(q.Get("page"), 1)
			if err == nil && page < 1 {
				err = errors.New("page numbers start at 1")
			}
			start = (page - 1) * size
		case PageOffset:
			start, err = intParam(q.Get("offset"), 0)
		case PageCursor:
			if c := q.Get("cursor"); c != "" {
				n, perr := strconv.ParseInt(strings.TrimPrefix(c, cursorPrefix), 36, 64)
				if perr != nil || !strings.HasPrefix(c, cursorPrefix) || n < 0 {
					err = fmt.Errorf("bad cursor %q", c)
				}
				start = int(n)
			}
		case PageNextURL:
			start, err = intParam(q.Get("after"), 0)
		}
	}
	if err != nil {
		http.Error(w, "bad request: "+err.Error(), http.StatusBadRequest)
		return
	}
	total := s.cfg.Rows
	start = min(start, total)
	end := min(start+size, total)
	var meta []byte
	switch s.cfg.Pagination {
	case PagePage, PageOffset:
		if !s.cfg.NoTotal {
			meta = strconv.AppendInt([]byte(`],"total":`), int64(total), 10)
		}
	case PageCursor:
		if end < total {
			meta = append([]byte(`],"next_cursor":"`+cursorPrefix), strconv.FormatInt(int64(end), 36)...)
			meta = append(meta, '"')
		}
	case PageNextURL:
		if end < total {
			meta = fmt.Appendf(nil, `],"next":"http://%s/items?after=%d&limit=%d"`, r.Host, end, size)
		}
	}
	if meta == nil {
		s.write(w, dataOpen, s.rows(start, end), dataClose)
		return
	}
	s.write(w, dataOpen, s.rows(start, end), append(meta, '}'))
}

// serveIDs answers ?id=1,2,3 with those rows, in the order asked.
func (s *Server) serveIDs(w http.ResponseWriter, list string) {
	body := append([]byte(nil), dataOpen...)
	first := true
	for _, v := range strings.Split(list, ",") {
		id, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil {
			http.Error(w, fmt.Sprintf("bad request: id %q", v), http.StatusBadRequest)
			return
		}
		if id < 1 || id > s.cfg.Rows {
			continue
		}
		if !first {
			body = append(body, ',')
		}
		first = false
		body = append(body, s.rows(id-1, id)...)
	}
	s.write(w, append(body, dataClose...))
}

func (s *Server) serveItem(w http.ResponseWriter, v string) {
	id, err := strconv.Atoi(v)
	if err != nil || id < 1 || id > s.cfg.Rows {
		http.Error(w, `{"error":"no such item"}`, http.StatusNotFound)
		return
	}
	s.write(w, s.rows(id-1, id))
}

// Regions are the values of /groups' region column, by gid mod 4.
var Regions = []string{"eu", "us", "apac", "latam"}

// GroupTop is the top column of group gid: an item id that groups gid,
// gid+4·48, … share, so that the eu groups of the default 256 have 48
// distinct tops.
func (s *Server) GroupTop(gid int) int {
	return 1 + (gid/4%48)%max(s.cfg.Rows, 1)
}

func (s *Server) serveGroups(w http.ResponseWriter, region string) {
	body := append([]byte(nil), dataOpen...)
	first := true
	for gid := 0; gid < s.cfg.Groups; gid++ {
		reg := Regions[gid%len(Regions)]
		if region != "" && region != reg {
			continue
		}
		if !first {
			body = append(body, ',')
		}
		first = false
		body = fmt.Appendf(body, `{"gid":%d,"region":%q,"top":%d}`, gid, reg, s.GroupTop(gid))
	}
	s.write(w, append(body, dataClose...))
}

func (s *Server) serveGroupItems(w http.ResponseWriter, v string) {
	gid, err := strconv.Atoi(v)
	if err != nil || gid < 0 {
		http.Error(w, `{"error":"no such group"}`, http.StatusNotFound)
		return
	}
	start := min(gid*s.cfg.GroupSize, s.cfg.Rows)
	end := min(start+s.cfg.GroupSize, s.cfg.Rows)
	s.write(w, dataOpen, s.rows(start, end), dataClose)
}
