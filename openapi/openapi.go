// Package openapi turns an OpenAPI 3.0 or 3.1 document, or a Swagger 2.0
// one (converted in process with kin-openapi's openapi2conv), YAML or
// JSON, into a restsql profile, read with github.com/getkin/kin-openapi.
//
// The profile has one catalog (its url from the first server, or
// Options.URL) with one schema, API, holding:
//
//   - one table per GET endpoint that returns JSON: a collection (its 200
//     response an array, or a list wrapper: an object whose one array of
//     objects sits next to paging or envelope fields, which becomes rows:)
//     or a single object (one row; a nested array inside a resource is
//     never its rows). Path parameters are {placeholders}, so they are
//     required key columns: /users/{userId}/posts is table posts_by_user,
//     queried with WHERE userId = ...; a parameter that names a field of
//     the rows is bound to it (issue_number of /issues is number);
//   - required query parameters as fixed params (a default, single enum
//     value or example) or required key columns in the url's query, and
//     required headers as ${NAME} placeholders;
//   - columns from the item schema: properties in document order, $ref
//     resolved, allOf merged (and oneOf/anyOf alternatives united), nested
//     objects flattened into a.b paths named in lowerCamel as the discover
//     package names them; integer is int, number float, boolean bool, string
//     with format date-time datetime (format date: datetime with layout
//     2006-01-02), arrays and free-form objects json; readOnly is kept and
//     a property named id is the key;
//   - filters from the GET's query parameters: a parameter named like a
//     column is its = filter (and IN, repeated or comma-joined, when the
//     parameter is an array), <col>_gte/_gt/_lte/_lt/_ne/_like, min<Col>/
//     max<Col>, <col>After/<col>Before and since/until map to the obvious
//     operators. Filters are not exact (the driver re-checks rows) unless
//     the parameter says x-restsql-exact: true. Other parameters are left
//     out, and a comment says so;
//   - sort from _sort/_order, sort_by/order (enum asc, desc) or a sort
//     parameter whose enum holds -name values;
//   - pagination from well-known parameters: page/per_page (and _page/
//     _limit, page_size, ...), offset/limit, a cursor parameter with a
//     cursor field in the response, a cursor parameter that takes the last
//     row's id (starting_after), a next-URL field in the response, or a
//     documented Link header; the page size is the size parameter's
//     maximum (else its default); totals from a documented X-Total-Count header
//     or a total field, and a has-more flag;
//   - get: lookups from /{id} item endpoints of a collection, and insert:,
//     update: and delete: from its POST, PATCH (or PUT) and DELETE;
//   - auth: from the security scheme the document requires, with ${}
//     placeholders that the DSN's properties of the same names fill: http
//     basic (User, Password), bearer (Token), apiKey in a header or the
//     query (APIKey), oauth2 client credentials (OAuthClientId,
//     OAuthClientSecret, with its tokenUrl and scopes).
//
// Import returns the profile; Generate also returns the comments that
// explain what was left out, and Result.YAML prints both.
package openapi

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/discover"
)

// DefaultSchema is the schema that holds the imported tables.
const DefaultSchema = "API"

// Options configure an import.
type Options struct {
	// Catalog is the catalog's name. The default is made from the
	// document's info.title (JSONPlaceholder-like API is
	// JSONPlaceholderLikeAPI), else "API".
	Catalog string
	// URL is the catalog's base URL, replacing the document's servers.
	// Without it and without an absolute server URL, the url is
	// ${BaseURL} (plus a relative server's path), filled by the DSN's URL
	// property or a BaseURL secret.
	URL string
	// Tags keeps only the operations with one of these tags (matched
	// without case); empty keeps all.
	Tags []string
	// Paths keeps only the paths that match one of these globs: * matches
	// within a path segment, ** across segments (/repos/*/*/issues/**);
	// empty keeps all.
	Paths []string
	// MaxColumns bounds a table's columns: nested objects are flattened
	// less deeply (deeper objects become json columns) until the table has
	// at most MaxColumns columns, its top-level properties always kept.
	// 0 is DefaultMaxColumns; a negative value flattens without bound.
	MaxColumns int
}

// DefaultMaxColumns is Options.MaxColumns's default.
const DefaultMaxColumns = 100

// Result is an imported profile with comments for its YAML.
type Result struct {
	// Profile is the imported profile as it is written out: defaults are
	// not filled in (Validate would fill them).
	Profile *catalog.Profile
	// Checked is a validated copy of Profile (names, defaults and implicit
	// columns filled in): what catalog.Parse returns for the YAML.
	Checked *catalog.Profile
	// Comments explain the import: at the top, what the document was and
	// what was left out; above each table, its source endpoint and the
	// query parameters it does not use.
	Comments *discover.Comments
}

// YAML prints the profile with its comments.
func (r *Result) YAML() ([]byte, error) {
	return discover.MarshalProfile(r.Profile, r.Comments)
}

// Import turns an OpenAPI 3.0 or 3.1 or a Swagger 2.0 document (YAML or
// JSON) into a validated profile (see the package documentation).
func Import(doc []byte, opts Options) (*catalog.Profile, error) {
	r, err := Generate(doc, opts)
	if err != nil {
		return nil, err
	}
	return r.Checked, nil
}

// Generate is Import with the comments that explain the profile.
func Generate(doc []byte, opts Options) (*Result, error) {
	d, err := load(doc)
	if err != nil {
		return nil, err
	}
	switch {
	case opts.MaxColumns == 0:
		opts.MaxColumns = DefaultMaxColumns
	case opts.MaxColumns < 0:
		opts.MaxColumns = 0
	}
	pathRes := make([]*regexp.Regexp, len(opts.Paths))
	for i, g := range opts.Paths {
		pathRes[i] = globRegexp(g)
	}
	im := &importer{
		doc:        d,
		opts:       opts,
		pathRes:    pathRes,
		notes:      &discover.Comments{Tables: map[*catalog.Table][]string{}, Columns: map[*catalog.Column]string{}},
		tables:     map[string]*catalog.Table{},
		takenNames: map[string]bool{},
	}
	cat, err := im.catalog(opts)
	if err != nil {
		return nil, err
	}
	name := opts.Catalog
	if name == "" {
		name = catalogName(d)
	}
	p := &catalog.Profile{Catalogs: map[string]*catalog.Catalog{name: cat}}
	checked := p.Clone()
	if err := checked.Validate(); err != nil {
		return nil, fmt.Errorf("openapi: the imported profile does not validate (please report this): %w", err)
	}
	return &Result{Profile: p, Checked: checked, Comments: im.notes}, nil
}

// load reads and checks a document. A panic of the reader is an error.
func load(data []byte) (doc *openapi3.T, err error) {
	defer func() {
		if r := recover(); r != nil {
			doc, err = nil, fmt.Errorf("openapi: the document could not be read: %v", r)
		}
	}()
	ver, err := readVersion(data)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	switch {
	case ver.Swagger != "":
		return loadSwagger2(loader, data)
	case isJSON(data):
		doc, err = loadJSON(loader, data)
	}
	if doc == nil {
		// YAML, or JSON that encoding/json refuses (YAML flow style).
		loader = openapi3.NewLoader()
		loader.IsExternalRefsAllowed = false
		loader.IncludeOrigin = true
		doc, err = loader.LoadFromData(data)
	}
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") && doc.OpenAPI != "3" {
		return nil, fmt.Errorf("openapi: openapi version %q is not 3.x", doc.OpenAPI)
	}
	if doc.Paths == nil || doc.Paths.Len() == 0 {
		return nil, errors.New("openapi: the document has no paths")
	}
	return doc, nil
}

// importer holds the state of one import.
type importer struct {
	doc  *openapi3.T
	opts Options
	// pathRes are Options.Paths as regular expressions.
	pathRes []*regexp.Regexp
	notes   *discover.Comments
	// head are the top comments.
	head []string
	// tables by name; byPath maps a collection's spec path to its table.
	tables map[string]*catalog.Table
	byPath map[string]*catalog.Table
	// items maps an item path (/users/{id}) that is a table of its own,
	// not a lookup, to its table.
	items map[string]*catalog.Table
	// renames maps a table's path parameters that are not named after
	// their column to their placeholder names.
	renames map[*catalog.Table]map[string]string
	// apiKeyHeader is the header of the catalog's API key auth, if any;
	// requiredHeaders the required headers made ${} placeholders.
	apiKeyHeader    string
	requiredHeaders []string
	// skipped says why each skipped GET endpoint makes no table;
	// unselected counts the GET operations Options left out.
	skipped    []string
	unselected int
	// takenNames are the table names in use, lower case; unnamed the
	// tables made and not yet named.
	takenNames map[string]bool
	unnamed    []unnamedTable
}

func (im *importer) note(format string, args ...any) {
	im.head = append(im.head, fmt.Sprintf(format, args...))
}

func (im *importer) tableNote(t *catalog.Table, format string, args ...any) {
	im.notes.Tables[t] = append(im.notes.Tables[t], fmt.Sprintf(format, args...))
}

// catalog builds the catalog: url, auth, headers, tables.
func (im *importer) catalog(opts Options) (*catalog.Catalog, error) {
	title := "an OpenAPI document"
	if im.doc.Info != nil && im.doc.Info.Title != "" {
		title = im.doc.Info.Title
		if im.doc.Info.Version != "" {
			title += " " + im.doc.Info.Version
		}
	}
	im.note("restsql profile imported from %s (OpenAPI %s).", title, im.doc.OpenAPI)
	cat := &catalog.Catalog{
		URL:     im.baseURL(opts.URL),
		Headers: map[string]string{"Accept": "application/json"},
	}
	if im.doc.Info != nil {
		cat.Description = oneLine(im.doc.Info.Title)
	}
	cat.Auth = im.auth()
	if a := cat.Auth; a != nil && a.Scheme == catalog.AuthAPIKey && a.In == "header" {
		im.apiKeyHeader = a.Name
	}
	tables, err := im.buildTables()
	if err != nil {
		return nil, err
	}
	cat.Schemas = map[string]*catalog.Schema{DefaultSchema: {Tables: tables}}
	if len(im.requiredHeaders) > 0 {
		im.note("Required headers, their ${} placeholders filled from a SecretsFile or the environment: %s.", strings.Join(im.requiredHeaders, ", "))
	}
	im.hoistPagination(cat)
	im.notes.Head = im.head
	return cat, nil
}

// baseURL is the catalog's url: the override, else the first server's URL
// with its variables' defaults, else ${BaseURL}.
func (im *importer) baseURL(override string) string {
	if override != "" {
		return strings.TrimRight(override, "/")
	}
	if len(im.doc.Servers) == 0 || im.doc.Servers[0] == nil {
		im.note("The document names no server: the catalog url is ${BaseURL}; set it with the DSN's URL property (or a BaseURL secret).")
		return "${BaseURL}"
	}
	srv := im.doc.Servers[0]
	u := srv.URL
	for name, v := range srv.Variables {
		if v != nil {
			u = strings.ReplaceAll(u, "{"+name+"}", v.Default)
		}
	}
	u = strings.TrimRight(u, "/")
	if len(im.doc.Servers) > 1 {
		im.note("The document names %d servers; the first, %s, is the catalog url.", len(im.doc.Servers), u)
	}
	parsed, err := url.Parse(u)
	switch {
	case err == nil && (parsed.Scheme == "http" || parsed.Scheme == "https") && parsed.Host != "":
		return u
	case err == nil && parsed.Scheme == "" && parsed.Host == "":
		im.note("The server url %q is relative: the catalog url is ${BaseURL}%s; set BaseURL (or the DSN's URL property).", srv.URL, u)
		return "${BaseURL}" + u
	}
	im.note("The server url %q is not an http URL: the catalog url is ${BaseURL}; set it with the DSN's URL property.", srv.URL)
	return "${BaseURL}"
}

// globRegexp turns a path glob into a regular expression: * matches
// within a segment, ** across segments, the rest literally.
func globRegexp(glob string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(glob); i++ {
		switch {
		case strings.HasPrefix(glob[i:], "**"):
			b.WriteString(".*")
			i++
		case glob[i] == '*':
			b.WriteString("[^/]*")
		default:
			b.WriteString(regexp.QuoteMeta(glob[i : i+1]))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// selected reports whether an operation passes Options.Tags and
// Options.Paths.
func (im *importer) selected(path string, op *openapi3.Operation) bool {
	if len(im.pathRes) > 0 && !slices.ContainsFunc(im.pathRes, func(re *regexp.Regexp) bool { return re.MatchString(path) }) {
		return false
	}
	if len(im.opts.Tags) > 0 && (op == nil || !slices.ContainsFunc(op.Tags, func(tag string) bool {
		return slices.ContainsFunc(im.opts.Tags, func(want string) bool { return strings.EqualFold(want, tag) })
	})) {
		return false
	}
	return true
}

// catalogName makes a catalog name from the document's title.
func catalogName(d *openapi3.T) string {
	if d.Info == nil {
		return "API"
	}
	var b strings.Builder
	for _, w := range strings.FieldsFunc(d.Info.Title, func(r rune) bool {
		return r > unicode.MaxASCII || !(unicode.IsLetter(r) || unicode.IsDigit(r))
	}) {
		r := []rune(w)
		r[0] = unicode.ToUpper(r[0])
		b.WriteString(string(r))
	}
	name := b.String()
	if len(name) > 40 {
		name = name[:40]
	}
	if name == "" || name[0] >= '0' && name[0] <= '9' {
		return "API" + name
	}
	return name
}

// oneLine collapses whitespace, for descriptions.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 200 {
		cut := 200
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// sortedKeys returns a map's keys in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
