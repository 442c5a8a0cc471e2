// Package restsource reads one REST endpoint as a stream of typed rows.
//
// A Source is one table of one catalog, and a table.Table: the planner
// plans against that interface (package table holds Query, Predicate,
// Pushdown and the other types of the contract; the names here are
// aliases of them). The planner offers it the query's
// top-level predicates, sort keys, limit and needed columns (a Query).
// Supports answers, from the profile alone, how the API applies each
// predicate (exactly, loosely or not at all, and why) and whether it sorts,
// so the planner keeps a residual filter and sort for the rest and decides
// the LIMIT; Plan renders exactly that decision into requests (URL
// parameters, path placeholders, the get: lookup endpoint, sort, limit and
// select parameters). Scan then walks the pages lazily (a pageWalker per
// request stream) and turns each page into typed rows with package
// internal/rowscan.
//
// Every page is one exchange (see Options): it waits for the catalog's rate
// limiter, sends the request with the catalog's credentials (to its own
// host only), reads the whole body (gzip decoded, up to MaxBodyBytes) and,
// for a GET, retries on 408, 429, 5xx and network errors — a body cut short
// too, so a page is used whole or not at all and no row is ever repeated —
// after the response's Retry-After or a jittered backoff (package retry).
// After a 401 an Authenticator that can renew its credentials (OAuth2,
// Digest) does, once, and the page is asked for again. Request lines,
// headers, bodies and transport detail are logged at LevelRequests and
// below, credentials shown as "***".
package restsource

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/restsql/restsql/auth"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/internal/rowscan"
	"github.com/restsql/restsql/pagination"
	"github.com/restsql/restsql/retry"
)

// Options are the connection-level settings a Source works with.
type Options struct {
	// Client sends the requests (nil = http.DefaultClient).
	Client *http.Client
	// BaseURL is the catalog's base URL after DSN overrides, already expanded.
	BaseURL string
	// Auth applies credentials to requests for the catalog's own host (nil = none).
	Auth auth.Authenticator
	// Expand resolves ${Name} placeholders in header and parameter values (nil = identity).
	Expand func(string) (string, error)
	// PageSize overrides every table's page size (0 = profile's).
	PageSize int
	// MaxPages bounds the pages read for one scan (0 = none).
	MaxPages int
	// Speculative is the most pages an offset or page walk whose end is
	// unknown (no total, no limit) requests ahead while pages come back
	// full (0 = none: the walk is sequential).
	Speculative int
	// MaxConcurrency bounds requests in flight for one query (fan-out over keys).
	MaxConcurrency int
	// Timeout bounds one HTTP request, from sending it to the end of its
	// body; each retry gets its own (0 = none). A request that takes
	// longer is retried like a network error.
	Timeout time.Duration
	// MaxBodyBytes caps one response body, after gzip decoding (0 =
	// 64 MiB). A larger page is an error, not retried.
	MaxBodyBytes int64
	// MaxRetries is the number of retries of a GET on 408, 429, 5xx and
	// network errors, a body cut short included, after the response's
	// Retry-After or a jittered exponential backoff (0 = none). Other
	// methods are never retried.
	MaxRetries int
	// InitialBackoff and MaxBackoff bound the backoff waits (0 = the
	// retry package's defaults: 500ms, doubling up to 30s, ±50% jitter).
	InitialBackoff time.Duration
	MaxBackoff     time.Duration
	// MaxRetryAfter is the longest Retry-After honoured (0 = 2 minutes);
	// a server that asks for a longer wait gets no retry.
	MaxRetryAfter time.Duration
	// Limiter spaces every request, retries included (nil = no limit).
	// The driver shares one per catalog among all connections of a
	// connector.
	Limiter *rate.Limiter
	// Clock tells the time and waits for retries and the limiter (nil =
	// the system clock); tests use retrytest.Clock.
	Clock retry.Clock
	// Logger receives request logs at LevelRequests and below (nil = none).
	Logger *slog.Logger
	// CacheTags names each read's table to a response cache in Client's
	// transport (httpcache.WithTag), so that a write can drop the table's
	// entries. Off, a read adds nothing to its context (a write always
	// carries its tag).
	CacheTags bool
}

// Source reads one table of one catalog. It is immutable after New and safe
// for concurrent use: plans and scans may run on many goroutines at once.
type Source struct {
	// lastBody is the size of the last response body, to size the buffer
	// of a response that does not tell its length.
	lastBody atomic.Int64
	// pagesRead remembers how many pages the last walk from each first
	// URL read (see Rows.run).
	pagesRead pageCounts
	// sizes remembers the rows the last scans of each plan returned
	// (Plan.Size).
	sizes rowCounts

	cat  *catalog.Catalog
	t    *catalog.Table
	opts Options
	name string // catalog.schema.table, for messages

	// base is the catalog's base URL; credentials go only to its host.
	base *url.URL
	// list and get are the request URL templates ({name} placeholders).
	list *urlTemplate
	get  *urlTemplate

	cols   []*catalog.Column
	byName map[string]int // lower-cased column name → index in cols

	// headers are the expanded catalog then table headers; credHeaders
	// names those that carry credentials (a ${Name} value, or a name such
	// as Authorization), sent only to the base URL's host.
	headers     http.Header
	credHeaders map[string]bool
	// listParams and getParams are the expanded fixed URL parameters of the
	// list and get requests (catalog params, then table or get params).
	listParams []qparam
	getParams  []qparam

	pager pagination.Paginator
	// A read with a body (catalog.Table.BodyRead): method is POST;
	// bodyTmpl is the expanded body template and bodyShown the one shown
	// (secrets as "***"); cursorBody is the body path of the cursor;
	// graphql makes a response's "errors" array an error. bodyTmpl is nil
	// for a GET.
	method     string
	bodyTmpl   []byte
	bodyShown  []byte
	cursorBody string
	graphql    bool
	// pageTotal is set when the pagination reads a total (totalPath or
	// totalHeader).
	pageTotal bool
	// bodyPaths are the body paths the pagination reads on each page.
	bodyPaths []string
	client    *http.Client
	// policy is the retry and rate-limit policy of every request.
	policy retry.Policy
	// secrets names the query parameters whose values are never shown.
	secrets *secretNames
	// notBefore is when the API's rate-limit window resets after a
	// response said no request is left (unix nanoseconds; 0 = none): see
	// catalog.RateLimit.
	notBefore atomic.Int64
	// combineBase holds the expanded base clause of each combined
	// parameter that has one.
	combineBase map[string]string
	// shape is how the table's rows lie in the rows of its pages
	// (each:, header: first).
	shape rowscan.Shape
	// authBase is the base URL the credentials named (OAuth2's
	// baseURLFrom; nil = none yet): requests for the catalog's base URL
	// go there, with the credentials.
	authBase atomic.Pointer[url.URL]
}

// New prepares a Source for table t of catalog cat. It checks what it will
// rely on (the base URL, the URL templates and their key columns, column
// types, filters, sort/limit/select settings and the pagination) and
// resolves ${Name} placeholders in the urls, headers and parameters through
// opts.Expand, so a mistake in the profile surfaces here, naming the table.
//
// Requests go to opts.BaseURL (else cat.URL) joined with the table's url:
// the table's path is appended to the base path, and an absolute table url
// stands alone. Credentials are sent only to the base URL's host (and never
// from https down to http): opts.Auth, and the profile headers that carry
// credentials (a ${Name} value, or Authorization, Proxy-Authorization,
// Cookie, X-API-Key, Api-Key, X-Auth-Token). A next-page URL or a redirect
// to another host gets none of them. Query parameters whose value is a
// ${Name} placeholder, those the Authenticator adds, and well-known secret
// names (api_key, access_token, …) are shown as "***" in errors, logs and
// Plan.Requests.
func New(cat *catalog.Catalog, t *catalog.Table, opts Options) (*Source, error) {
	if cat == nil || t == nil {
		return nil, errors.New("restsource: New needs a catalog and a table")
	}
	s := &Source{cat: cat, t: t, opts: opts, name: tableName(cat, t), secrets: newSecretNames()}
	if s.opts.MaxConcurrency <= 0 {
		s.opts.MaxConcurrency = DefaultMaxConcurrency
	}
	if s.opts.MaxBodyBytes <= 0 {
		s.opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if s.opts.PageSize < 0 || s.opts.MaxPages < 0 || s.opts.Speculative < 0 || s.opts.Timeout < 0 || s.opts.MaxRetries < 0 {
		return nil, fmt.Errorf("restsource: table %s: PageSize, MaxPages, Speculative, Timeout and MaxRetries must not be negative", s.name)
	}
	s.policy = retry.Policy{
		MaxRetries:      s.opts.MaxRetries,
		InitialInterval: s.opts.InitialBackoff,
		MaxInterval:     s.opts.MaxBackoff,
		MaxRetryAfter:   s.opts.MaxRetryAfter,
		Limiter:         s.opts.Limiter,
		Clock:           s.opts.Clock,
	}
	if s.policy.Clock == nil {
		s.policy.Clock = retry.SystemClock{}
	}
	if err := s.init(); err != nil {
		return nil, fmt.Errorf("restsource: table %s: %w", s.name, err)
	}
	return s, nil
}

// credentialHeaders are header names whose values are credentials even
// when the profile writes them out.
var credentialHeaders = map[string]bool{
	"Authorization": true, "Proxy-Authorization": true, "Cookie": true,
	"X-Api-Key": true, "Api-Key": true, "X-Auth-Token": true,
}

// Defaults of Options.
const (
	DefaultMaxConcurrency = 4
	DefaultMaxBodyBytes   = 64 << 20
)

func (s *Source) expand(what, v string) (string, error) {
	if s.opts.Expand == nil {
		return v, nil
	}
	out, err := s.opts.Expand(v)
	if err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	return out, nil
}

func (s *Source) init() error {
	cat, t := s.cat, s.t
	// Columns.
	if len(t.Columns) == 0 {
		return errors.New("table has no columns")
	}
	s.byName = make(map[string]int, len(t.Columns))
	for i, c := range t.Columns {
		if c == nil || c.Name == "" {
			return fmt.Errorf("column %d has no name", i+1)
		}
		if _, ok := columnTypes[columnType(c)]; !ok {
			return fmt.Errorf("column %s: unknown type %q (valid types: string, int, float, bool, datetime, json)", c.Name, c.Type)
		}
		ops := make([]string, 0, len(c.Filters))
		for op := range c.Filters {
			ops = append(ops, op)
		}
		sort.Strings(ops)
		for _, op := range ops {
			f := c.Filters[op]
			if f == nil || (f.Param == "" && f.Body == "") {
				return fmt.Errorf("column %s: filter %q has no param", c.Name, op)
			}
			switch strings.ToLower(f.Escape) {
			case "", escapeDouble, escapeBackslash:
			default:
				return fmt.Errorf("column %s: filter %q: escape %q is neither double nor backslash", c.Name, op, f.Escape)
			}
			switch strings.ToLower(f.Like) {
			case catalog.LikeAsIs, catalog.LikeRegex, catalog.LikeContains:
			default:
				return fmt.Errorf("column %s: filter %q: like %q is none of regex, contains or empty", c.Name, op, f.Like)
			}
		}
		key := strings.ToLower(c.Name)
		if _, dup := s.byName[key]; !dup {
			s.byName[key] = i
		}
		s.cols = append(s.cols, c)
	}

	// URLs.
	baseRaw := s.opts.BaseURL
	if baseRaw == "" {
		v, err := s.expand("catalog url", cat.URL)
		if err != nil {
			return err
		}
		baseRaw = v
	}
	tableURL, err := s.expand("url", t.URL)
	if err != nil {
		return err
	}
	if baseRaw == "" && !isAbsolute(tableURL) {
		return fmt.Errorf("catalog %s has no url and the table url %q is relative", cat.Name, t.URL)
	}
	if baseRaw != "" {
		if s.base, err = parseHTTPURL(baseRaw); err != nil {
			return fmt.Errorf("base url: %w", err)
		}
	}
	if s.list, err = s.newTemplate("url", tableURL); err != nil {
		return err
	}
	if s.base == nil {
		s.base = s.list.host
	}
	if t.Get != nil {
		getURL, err := s.expand("get url", t.Get.URL)
		if err != nil {
			return err
		}
		if s.get, err = s.newTemplate("get url", getURL); err != nil {
			return err
		}
		if len(s.get.names) == 0 {
			return fmt.Errorf("get url %q has no {placeholder}: a lookup needs a key", t.Get.URL)
		}
	}

	// Headers and parameters.
	s.headers, s.credHeaders = http.Header{}, map[string]bool{}
	for _, hs := range []struct {
		what string
		m    map[string]string
	}{{"catalog header", cat.Headers}, {"header", t.Headers}} {
		for _, k := range sortedKeys(hs.m) {
			v, err := s.expand(hs.what+" "+k, hs.m[k])
			if err != nil {
				return err
			}
			ck := http.CanonicalHeaderKey(k)
			s.headers.Set(ck, v)
			delete(s.credHeaders, ck)
			if strings.Contains(hs.m[k], "${") || credentialHeaders[ck] {
				s.credHeaders[ck] = true
				s.secrets.addHeader(ck)
			}
		}
	}
	if s.headers.Get("Accept") == "" {
		s.headers.Set("Accept", "application/json")
	}
	s.combineBase = map[string]string{}
	for _, name := range sortedKeys(t.Combine) {
		if cb := t.Combine[name]; cb == nil || cb.Sep == "" {
			return fmt.Errorf("combine %s: separator is empty", name)
		} else if cb.Base != "" {
			if s.combineBase[name], err = s.expand("combine "+name+" base", cb.Base); err != nil {
				return err
			}
		}
	}
	if s.listParams, err = s.params(cat.Params, t.Params, "param"); err != nil {
		return err
	}
	if t.Get != nil {
		if s.getParams, err = s.params(cat.Params, t.Get.Params, "get param"); err != nil {
			return err
		}
	}

	s.shape = rowscan.ShapeOf(t)

	// Sort, limit, select.
	if t.Sort != nil && t.Sort.Param == "" && t.Sort.Body == "" {
		return errors.New("sort has no param")
	}
	if t.Sort != nil {
		switch strings.ToLower(t.Sort.Nulls) {
		case "", catalog.NullsLow, catalog.NullsHigh:
		default:
			return fmt.Errorf("sort: nulls %q is neither low nor high", t.Sort.Nulls)
		}
	}
	if t.Limit != nil && t.Limit.Param == "" && t.Limit.Body == "" {
		return errors.New("limit has no param")
	}
	if t.Select != nil && t.Select.Param == "" && t.Select.Body == "" {
		return errors.New("select has no param")
	}

	// Pagination.
	pg := cat.EffectivePagination(t)
	s.method = http.MethodGet
	if err := s.initBody(&pg); err != nil {
		return err
	}
	if s.pager, err = pagination.New(pg, s.opts.PageSize); err != nil {
		return err
	}
	s.pageTotal = pg.TotalPath != "" || pg.TotalHeader != ""
	for _, p := range []string{pg.CursorPath, pg.NextPath, pg.TotalPath, pg.HasMorePath, pg.StopPath} {
		if p != "" {
			s.bodyPaths = append(s.bodyPaths, p)
		}
	}

	// Client: credentials must not follow a redirect to another host.
	c := http.DefaultClient
	if s.opts.Client != nil {
		c = s.opts.Client
	}
	client := *c
	orig := c.CheckRedirect
	client.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if orig != nil {
			if err := orig(req, via); err != nil {
				return err
			}
		} else if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if !s.credentialHost(req.URL) {
			req.Header.Del("Authorization")
			for _, h := range s.secrets.headerNames() {
				req.Header.Del(h)
			}
		}
		return nil
	}
	s.client = &client
	return nil
}

// params expands fixed parameters: the catalog's, then the table's (a table
// parameter replaces a catalog parameter of the same name). A parameter
// whose value holds a ${Name} placeholder is treated as a secret.
func (s *Source) params(catalogParams, tableParams map[string]string, what string) ([]qparam, error) {
	var q query
	for _, m := range []map[string]string{catalogParams, tableParams} {
		for _, k := range sortedKeys(m) {
			v, err := s.expand(what+" "+k, m[k])
			if err != nil {
				return nil, err
			}
			if strings.Contains(m[k], "${") {
				s.secrets.addQuery(k)
			}
			q.set(k, v)
		}
	}
	return q, nil
}

// newTemplate parses a table or get URL, relative to the base URL, and
// checks that each placeholder names a column.
func (s *Source) newTemplate(what, raw string) (*urlTemplate, error) {
	tmpl, err := parseTemplate(s.base, raw)
	if err != nil {
		return nil, fmt.Errorf("%s %q: %w", what, raw, err)
	}
	for _, n := range tmpl.names {
		if _, ok := s.byName[strings.ToLower(n)]; !ok {
			return nil, fmt.Errorf("%s %q: placeholder {%s} has no column %s", what, raw, n, n)
		}
	}
	return tmpl, nil
}

// Table returns the table the Source reads.
func (s *Source) Table() *catalog.Table { return s.t }

// tableName is catalog.schema.table with the parts that are known.
func tableName(cat *catalog.Catalog, t *catalog.Table) string {
	c := t.CatalogName
	if c == "" {
		c = cat.Name
	}
	var parts []string
	for _, p := range []string{c, t.SchemaName, t.Name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	if len(parts) == 0 {
		return "(unnamed)"
	}
	return strings.Join(parts, ".")
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// pageCounts maps a walk's first URL to the number of pages the last walk
// from it read: a later scan of the same request asks for those pages at
// once, where it would otherwise wait for page 1 to learn that more exist,
// and guesses none past them. At most maxPageCounts URLs are remembered.
type pageCounts struct {
	mu sync.Mutex
	m  map[string]int
}

const maxPageCounts = 256

func (c *pageCounts) get(u string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[u]
}

func (c *pageCounts) put(u string, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[u]; !ok && len(c.m) >= maxPageCounts {
		clear(c.m) // a simple bound: scans of the same requests refill it
	}
	if c.m == nil {
		c.m = map[string]int{}
	}
	c.m[u] = n
}
