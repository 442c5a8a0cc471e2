package profiles_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/fixtures"
)

// testKeyPEM is an RSA key in PKCS#8 PEM for the profiles whose OAuth2
// grant is a JWT bearer assertion (Salesforce, Google service accounts).
var testKeyPEM = func() string {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		panic(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}()

// fixtureDir holds one go-vcr cassette per catalog (fixtures/<Catalog>.yaml),
// written by hand from each API's documented example responses. The same
// directory replays from the command line (see README.md).
const fixtureDir = "fixtures"

// apiCase is one example profile and the queries that exercise it.
type apiCase struct {
	// profile is the file name under examples/profiles.
	profile string
	// dsn holds the DSN properties besides Profile (credentials).
	dsn string
	// vars answers the ${Name} placeholders the DSN does not hold.
	vars map[string]string
	// tokens are OAuth2 token endpoints (by URL) the test answers itself,
	// with this JSON: a JWT bearer assertion is signed afresh for every
	// request, so it cannot match a recording.
	tokens map[string]string
	// showHost writes each request's host before its path, for an API
	// whose token response names the host to use.
	showHost bool
	// offline replaces dsn for TestReplayDSN when the profile's own auth
	// cannot be replayed (a JWT bearer grant): README.md shows the same.
	offline string
	queries []queryCase
}

// queryCase is one query, the rows it returns and the requests it sends.
type queryCase struct {
	name string
	sql  string
	// rows are the result rows, their values joined by "|" (NULL for
	// NULL, RFC 3339 for times).
	rows []string
	// requests are the requests sent, in any order: method, path and the
	// query decoded ("GET /v1/customers?limit=100&email=a@b.c"), then the
	// body for a request that has one (JSON with its keys sorted).
	requests []string
	// err, when set, is a part of the expected error.
	err string
}

// recorder notes every request the driver sends and answers it from the
// cassettes, or from tokens for an OAuth2 token endpoint.
type recorder struct {
	next     http.RoundTripper
	tokens   map[string]string
	showHost bool

	mu   sync.Mutex
	reqs []string
}

func (r *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		var err error
		if body, err = io.ReadAll(req.Body); err != nil {
			return nil, err
		}
		req.Body.Close()
		req.Body = io.NopCloser(bytes.NewReader(body))
	}
	line := req.Method + " " + req.URL.EscapedPath()
	if r.showHost {
		line = req.Method + " " + req.URL.Host + req.URL.EscapedPath()
	}
	if q := decodedQuery(req.URL.RawQuery); q != "" {
		line += "?" + q
	}
	tokenURL := req.URL.Scheme + "://" + req.URL.Host + req.URL.Path
	answer, isToken := r.tokens[tokenURL]
	if isToken {
		body = []byte(jwtGrant(body))
	}
	if len(body) > 0 {
		line += " " + canonicalJSON(body)
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, line)
	r.mu.Unlock()
	if isToken {
		return &http.Response{
			StatusCode: http.StatusOK, Status: "200 OK", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
			Header:  http.Header{"Content-Type": {"application/json"}},
			Body:    io.NopCloser(strings.NewReader(answer)),
			Request: req,
		}, nil
	}
	return r.next.RoundTrip(req)
}

func (r *recorder) take() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.reqs
	r.reqs = nil
	return out
}

// canonicalJSON writes a JSON body compactly with its object keys sorted,
// so that a test can spell it in any order; other bodies stay as they are.
func canonicalJSON(body []byte) string {
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return string(body)
	}
	out, err := json.Marshal(v)
	if err != nil {
		return string(body)
	}
	return string(out)
}

// decodedQuery writes a raw query with its names and values decoded, in
// the order sent.
func decodedQuery(raw string) string {
	if raw == "" {
		return ""
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		if s, err := url.QueryUnescape(p); err == nil {
			parts[i] = s
		}
	}
	return strings.Join(parts, "&")
}

// jwtGrant shows a JWT bearer token request by its grant type and the
// claims of its assertion (iat and exp left out: they change every run).
func jwtGrant(body []byte) string {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return "unreadable form: " + err.Error()
	}
	parts := strings.Split(form.Get("assertion"), ".")
	if len(parts) != 3 {
		return "grant_type=" + form.Get("grant_type") + " (no JWT assertion)"
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return "unreadable JWT: " + err.Error()
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		return "unreadable JWT claims: " + err.Error()
	}
	delete(claims, "iat")
	delete(claims, "exp")
	shown, _ := json.Marshal(claims) // sorted keys
	return "grant_type=" + form.Get("grant_type") + " claims=" + string(shown)
}

// open opens the profile with its DSN properties, replaying fixtures/
// through a recorder.
func open(t *testing.T, c apiCase) (*sql.DB, *recorder) {
	t.Helper()
	cfg, err := restsql.ParseDSN("Profile=" + c.profile + ";MaxConcurrency=1;" + c.dsn)
	require.NoError(t, err)
	p, err := catalog.Load(c.profile)
	require.NoError(t, err)
	var cats []fixtures.Catalog
	for _, name := range p.CatalogNames() {
		cats = append(cats, fixtures.Catalog{Name: name})
	}
	replay, err := fixtures.New(fixtures.Options{Dir: fixtureDir, Mode: fixtures.ModeReplay, Catalogs: cats})
	require.NoError(t, err)
	rec := &recorder{next: replay, tokens: c.tokens, showHost: c.showHost}
	cfg.Transport = rec
	cfg.Lookup = func(name string) (string, bool) {
		v, ok := c.vars[name]
		return v, ok
	}
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db, rec
}

// render reads every row as text.
func render(rows *sql.Rows) ([]string, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			switch v := v.(type) {
			case nil:
				cells[i] = "NULL"
			case time.Time:
				cells[i] = v.UTC().Format(time.RFC3339)
			case []byte:
				cells[i] = string(v)
			default:
				cells[i] = fmt.Sprint(v)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out, rows.Err()
}

func runQuery(ctx context.Context, db *sql.DB, q string) ([]string, error) {
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return render(rows)
}

func TestProfiles(t *testing.T) {
	for _, c := range apiCases {
		t.Run(strings.TrimSuffix(c.profile, ".yaml"), func(t *testing.T) {
			t.Parallel()
			for _, q := range c.queries {
				t.Run(q.name, func(t *testing.T) {
					// A connector per query: the replay starts afresh, and
					// no page count is remembered from an earlier walk.
					db, rec := open(t, c)
					got, err := runQuery(context.Background(), db, q.sql)
					if q.err != "" {
						require.Error(t, err)
						assert.Contains(t, err.Error(), q.err)
					} else {
						require.NoError(t, err)
						assert.Equal(t, q.rows, got, "rows")
					}
					// The requests as a multiset: a join may start its two
					// sides in either order.
					assert.ElementsMatch(t, q.requests, rec.take(), "requests")
				})
			}
		})
	}
}

// TestReplayDSN runs each profile's first query the way README.md shows:
// through the DSN's Fixtures and FixtureMode=replay.
func TestReplayDSN(t *testing.T) {
	for _, c := range apiCases {
		dsn := c.dsn
		if c.offline != "" {
			dsn = c.offline
		}
		t.Run(strings.TrimSuffix(c.profile, ".yaml"), func(t *testing.T) {
			q := c.queries[0]
			dsn := "Profile=" + c.profile + ";" + dsn + ";Fixtures=" + fixtureDir + ";FixtureMode=replay;MaxConcurrency=1"
			cfg, err := restsql.ParseDSN(dsn)
			require.NoError(t, err)
			cfg.Lookup = func(name string) (string, bool) {
				v, ok := c.vars[name]
				return v, ok
			}
			conn, err := restsql.NewConnector(cfg)
			require.NoError(t, err)
			db := sql.OpenDB(conn)
			defer db.Close()
			got, err := runQuery(context.Background(), db, q.sql)
			require.NoError(t, err)
			assert.Equal(t, q.rows, got)
		})
	}
}

// TestEveryProfileTested keeps the table above in step with the files.
func TestEveryProfileTested(t *testing.T) {
	files, err := filepath.Glob("*.yaml")
	require.NoError(t, err)
	var tested []string
	for _, c := range apiCases {
		tested = append(tested, c.profile)
		_, err := os.Stat(c.profile)
		require.NoError(t, err)
	}
	assert.ElementsMatch(t, files, tested)
}

// apiCases are the profiles under test, one register call per API file.
var apiCases []apiCase

func register(c apiCase) bool {
	apiCases = append(apiCases, c)
	return true
}

// TestEveryTablePlans plans SELECT * of every table of every profile, with
// its required key columns bound, so that a table no query above reads is
// still checked beyond its validation: its request is built and shown.
func TestEveryTablePlans(t *testing.T) {
	placeholder := regexp.MustCompile(`(?:^|[^$])\{([A-Za-z_][A-Za-z0-9_]*)\}`) // not ${Name}
	for _, c := range apiCases {
		t.Run(strings.TrimSuffix(c.profile, ".yaml"), func(t *testing.T) {
			p, err := catalog.Load(c.profile)
			require.NoError(t, err)
			db, _ := open(t, c)
			for _, cn := range p.CatalogNames() {
				cat, _ := p.Catalog(cn)
				for _, sn := range cat.SchemaNames() {
					s, _ := cat.Schema(sn)
					for _, tn := range s.TableNames() {
						tbl, _ := s.Table(tn)
						var where []string
						for _, m := range placeholder.FindAllStringSubmatch(tbl.URL, -1) {
							where = append(where, fmt.Sprintf("`%s` = '1'", m[1]))
						}
						q := fmt.Sprintf("EXPLAIN SELECT * FROM `%s`.`%s`.`%s`", cn, sn, tn)
						if len(where) > 0 {
							q += " WHERE " + strings.Join(where, " AND ")
						}
						got, err := runQuery(context.Background(), db, q)
						require.NoError(t, err, q)
						assert.Contains(t, strings.Join(got, "\n"), "|Request|", q)
					}
				}
			}
		})
	}
}
