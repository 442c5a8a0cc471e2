package catalog

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Auth schemes, in their canonical spelling.
const (
	AuthNone   = "None"
	AuthBasic  = "Basic"
	AuthDigest = "Digest"
	AuthBearer = "Bearer"
	AuthAPIKey = "APIKey"
	AuthOAuth2 = "OAuth2"
)

// Filter operators, in their canonical spelling. "<>" is read as OpNe.
const (
	OpEq   = "="
	OpNe   = "!="
	OpLt   = "<"
	OpLe   = "<="
	OpGt   = ">"
	OpGe   = ">="
	OpIn   = "IN"
	OpLike = "LIKE"
)

var (
	authSchemes     = []string{AuthNone, AuthBasic, AuthDigest, AuthBearer, AuthAPIKey, AuthOAuth2}
	columnTypes     = typeWords()
	operators       = []string{OpEq, OpNe, OpLt, OpLe, OpGt, OpGe, OpIn, OpLike}
	paginationTypes = []string{PageNone, PageOffset, PagePage, PageCursor, PageNextURL, PageLinkHeader}
	grantTypes      = []string{"client_credentials", "password", "refresh_token", GrantJWTBearer, GrantGitHubApp}
	writeMethods    = []string{"POST", "PUT", "PATCH", "DELETE"}
)

// GrantJWTBearer is the OAuth2 grant of RFC 7523: a signed JWT assertion
// exchanged for an access token.
const GrantJWTBearer = "jwt_bearer"

// GrantGitHubApp is a GitHub App's installation token: a JWT signed with
// the app's private key (clientId as its issuer) is sent as the bearer of
// a POST to tokenURL (/app/installations/{id}/access_tokens), which
// answers the token and its expires_at.
const GrantGitHubApp = "github_app"

// CanonicalAuthScheme returns the canonical spelling of an auth scheme
// (None, Basic, Digest, Bearer, APIKey, OAuth2), matched case-insensitively.
func CanonicalAuthScheme(s string) (string, bool) { return canonical(authSchemes, s) }

// CanonicalOperator returns the canonical spelling of a filter operator
// (=, !=, <, <=, >, >=, IN, LIKE), matched case-insensitively and ignoring
// surrounding space; "<>" is read as "!=".
func CanonicalOperator(op string) (string, bool) {
	op = strings.TrimSpace(op)
	if op == "<>" {
		return OpNe, true
	}
	return canonical(operators, op)
}

// canonical returns the element of list equal to s under case folding.
func canonical(list []string, s string) (string, bool) {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return v, true
		}
	}
	return "", false
}

// want formats the list of accepted values for an error message.
func want(list []string) string {
	return "(want " + strings.Join(list, ", ") + ")"
}

// where is the context of a validation problem: "catalog API1", "schema
// API", "table posts", "column id", ...
type where []string

func (w where) with(parts ...string) where {
	return append(w[:len(w):len(w)], parts...)
}

// checker collects the problems found in a profile.
type checker struct {
	path string
	pos  positions // nil for a profile built in Go
	errs []error
}

// add records a problem at w: a *ProfileError that names w, and the line of
// the deepest node of the document that w names (see where.at).
func (c *checker) add(w where, format string, args ...any) {
	e := &ProfileError{Path: c.path, Message: fmt.Sprintf(format, args...)}
	for _, s := range w {
		if !strings.HasPrefix(s, hint) {
			e.Where = append(e.Where, s)
		}
	}
	if m, ok := c.pos.lookup(w); ok {
		e.Line, e.Column = m.Line, m.Column
	}
	c.errs = append(c.errs, e)
}

// profilePrefix is the start of every error about the profile at path.
func profilePrefix(path string) string {
	if path == "" {
		return "catalog: "
	}
	return "catalog: profile " + path + ": "
}

// Validate checks a profile (loaded or built in Go) and completes it: it
// fills the Name fields from the map keys, applies defaults (a column's Path
// is its Name and its Type string; a filter's Value is "{}"), rewrites
// enumerations in their canonical spelling (auth schemes, column types,
// operators, pagination types, write methods, ...) and appends an implicit
// string column for each {name} placeholder of a table's url or get.url that
// is not a declared column. Validate is idempotent.
//
// Catalog, schema, table and column names that differ only in case are
// rejected, since SQL names are case-insensitive.
//
// Every problem found is reported, each naming the file, catalog, schema,
// table and field; the returned error joins them (errors.Join).
//
// Each problem is a *ProfileError; for a profile read by Parse or Load, it
// also names the line and column of the offending field.
func (p *Profile) Validate() error { return p.validate(nil) }

// validate is Validate with the positions of the profile's fields in its
// document (nil for a profile built in Go).
func (p *Profile) validate(pos positions) error {
	if p == nil {
		return errors.New("catalog: nil profile")
	}
	c := &checker{path: p.Path, pos: pos}
	if len(p.Catalogs) == 0 {
		c.add(where{}.at("catalogs"), "no catalogs (want a catalogs: mapping with at least one catalog)")
	}
	c.foldDuplicates(nil, "catalog", sortedKeys(p.Catalogs))
	for _, name := range sortedKeys(p.Catalogs) {
		c.catalog(name, p.Catalogs[name])
	}
	return errors.Join(c.errs...)
}

// foldDuplicates reports names (sorted) that differ only in case: SQL
// names are case-insensitive, so they would be ambiguous.
func (c *checker) foldDuplicates(w where, kind string, names []string) {
	first := make(map[string]string, len(names))
	for _, n := range names {
		key := strings.ToLower(n)
		if prev, dup := first[key]; dup {
			c.add(w.at(kind+" "+n), "%s %s and %s %s differ only in case", kind, prev, kind, n)
			continue
		}
		first[key] = n
	}
}

func (c *checker) catalog(name string, cat *Catalog) {
	w := where{"catalog " + name}
	if cat == nil {
		c.add(w, "empty (want url: and schemas:)")
		return
	}
	cat.Name = name
	if cat.URL == "" {
		if t := firstRelativeTable(cat); t != "" {
			c.add(w, "url is empty but %s has a relative url (set the catalog's url or make every table url absolute)", t)
		}
	} else {
		c.baseURL(w.with("url"), cat.URL)
	}
	c.auth(w.with("auth"), cat.Auth)
	c.names(w.with("headers"), cat.Headers)
	c.names(w.with("params"), cat.Params)
	c.errorWhen(w.with("errorWhen"), cat.ErrorWhen)
	c.rateLimit(w.with("rateLimit"), cat.RateLimit)
	pagOK := true
	if cat.Pagination != nil {
		// The settings a type needs may be completed by each table.
		pagOK = c.pagination(w.with("pagination"), cat.Pagination, false)
	}
	if len(cat.Schemas) == 0 {
		c.add(w, "no schemas (want a schemas: mapping with at least one schema)")
	}
	c.foldDuplicates(w, "schema", sortedKeys(cat.Schemas))
	for _, sn := range sortedKeys(cat.Schemas) {
		sw := w.with("schema " + sn)
		s := cat.Schemas[sn]
		if s == nil {
			c.add(sw, "empty (want tables:)")
			continue
		}
		s.Name = sn
		if len(s.Tables) == 0 {
			c.add(sw, "no tables (want a tables: mapping with at least one table)")
		}
		c.foldDuplicates(sw, "table", sortedKeys(s.Tables))
		for _, tn := range sortedKeys(s.Tables) {
			c.table(sw.with("table "+tn), cat, sn, tn, s.Tables[tn], pagOK)
		}
	}
	if cat.Pagination != nil && slices.Contains(paginationTypes, cat.Pagination.Type) && inheritsPagination(cat) {
		for _, m := range missingPagination(cat.Pagination) {
			c.add(w.with("pagination"), "%s", m)
		}
	}
}

// inheritsPagination reports whether a table of cat uses the catalog's
// pagination as it is.
func inheritsPagination(cat *Catalog) bool {
	for _, s := range cat.Schemas {
		if s == nil {
			continue
		}
		for _, t := range s.Tables {
			if t != nil && t.Pagination == nil {
				return true
			}
		}
	}
	return false
}

// firstRelativeTable returns "schema S table T" for the first table (in
// sorted order) whose url is not absolute, or "".
func firstRelativeTable(cat *Catalog) string {
	for _, sn := range sortedKeys(cat.Schemas) {
		s := cat.Schemas[sn]
		if s == nil {
			continue
		}
		for _, tn := range sortedKeys(s.Tables) {
			if t := s.Tables[tn]; t != nil && !isAbsoluteURL(t.URL) {
				return "schema " + sn + " table " + tn
			}
		}
	}
	return ""
}

// isAbsoluteURL reports whether a table url names its own host: it starts
// with http:// or https://, or with a ${Name} placeholder that may.
func isAbsoluteURL(u string) bool {
	l := strings.ToLower(u)
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://") || strings.HasPrefix(u, "${")
}

// baseURL checks a catalog's base URL unless it holds a ${Name} placeholder.
func (c *checker) baseURL(w where, u string) {
	if HasPlaceholder(u) {
		return
	}
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		c.add(w, "%q is not an absolute http or https URL", u)
	}
}

// names reports empty names in a headers or params mapping.
func (c *checker) names(w where, m map[string]string) {
	if _, ok := m[""]; ok {
		c.add(w.at(""), "empty name")
	}
}

func (c *checker) auth(w where, a *Auth) {
	if a == nil {
		return
	}
	if a.Scheme == "" {
		c.add(w, "scheme is empty %s", want(authSchemes))
	} else if s, ok := CanonicalAuthScheme(a.Scheme); ok {
		a.Scheme = s
	} else {
		c.add(w.at("scheme"), "unknown scheme %q %s", a.Scheme, want(authSchemes))
	}
	if a.In != "" {
		if in, ok := canonical([]string{"header", "query"}, a.In); ok {
			a.In = in
		} else {
			c.add(w.at("in"), "in: unknown place %q (want header, query)", a.In)
		}
	}
	if a.GrantType != "" && !HasPlaceholder(a.GrantType) {
		if g, ok := canonical(grantTypes, a.GrantType); ok {
			a.GrantType = g
		} else {
			c.add(w.at("grantType"), "grantType: unknown grant type %q %s", a.GrantType, want(grantTypes))
		}
	}
	oauth := a.Scheme == AuthOAuth2
	jwt := oauth && (a.GrantType == GrantJWTBearer || a.GrantType == GrantGitHubApp || HasPlaceholder(a.GrantType))
	if a.BaseURLFrom != "" && !oauth {
		c.add(w.at("baseURLFrom"), "baseURLFrom is used by scheme OAuth2 only")
	}
	if (a.PrivateKey != "" || len(a.Claims) > 0) && !jwt {
		c.add(w.at("privateKey"), "privateKey and claims are used by grantType %s and %s only", GrantJWTBearer, GrantGitHubApp)
	}
	if oauth && (a.GrantType == GrantJWTBearer || a.GrantType == GrantGitHubApp) && strings.TrimSpace(a.PrivateKey) == "" {
		what := "assertion"
		if a.GrantType == GrantGitHubApp {
			what = "JWT"
		}
		c.add(w, "privateKey is empty (grantType %s signs its %s with a PEM RSA private key, e.g. \"${PrivateKey}\")", a.GrantType, what)
	}
	if oauth && a.GrantType == GrantGitHubApp {
		if strings.TrimSpace(a.ClientID) == "" {
			c.add(w, "clientId is empty (grantType %s: the GitHub App's client ID or app ID, the JWT's issuer)", GrantGitHubApp)
		}
		if strings.TrimSpace(a.TokenURL) == "" {
			c.add(w, "tokenURL is empty (grantType %s: e.g. https://api.github.com/app/installations/${InstallationID}/access_tokens)", GrantGitHubApp)
		}
		if _, ok := a.Claims["iss"]; ok {
			c.add(w.with("claims").at("iss"), "iss is set by the driver from clientId (grantType %s)", GrantGitHubApp)
		}
	}
	for _, k := range sortedKeys(a.Claims) {
		switch v := a.Claims[k].(type) {
		case string, bool, int, int64, uint64, float64:
		default:
			c.add(w.with("claims").at(k), "%s: got %s, want a string, number or boolean", k, kindOf(v))
		}
		if k == "iat" || k == "exp" {
			c.add(w.with("claims").at(k), "%s is set by the driver (iat is now, exp a few minutes later)", k)
		}
	}
}

// pagination checks p and rewrites its Type in canonical spelling; the
// settings a type needs are checked only when required is set. It reports
// whether p is valid.
func (c *checker) pagination(w where, p *Pagination, required bool) bool {
	n := len(c.errs)
	typ, ok := canonical(paginationTypes, p.Type)
	switch {
	case ok:
		p.Type = typ
	case p.Type == "":
		c.add(w, "type is empty %s", want(paginationTypes))
		return false
	default:
		c.add(w.at("type"), "unknown type %q %s", p.Type, want(paginationTypes))
		return false
	}
	stop := []string{"totalPath", "totalHeader", "hasMorePath", "stopPath"}
	allowed := map[string][]string{
		PageNone:       nil,
		PageOffset:     append([]string{"offsetParam", "sizeParam", "pageSize", "maxPageSize", "start"}, stop...),
		PagePage:       append([]string{"pageParam", "sizeParam", "pageSize", "maxPageSize", "start"}, stop...),
		PageCursor:     append([]string{"cursorPath", "cursorParam", "cursorBody", "sizeParam", "pageSize", "maxPageSize", "emptyPageStops"}, stop...),
		PageNextURL:    append([]string{"nextPath", "sizeParam", "pageSize", "maxPageSize", "emptyPageStops"}, stop...),
		PageLinkHeader: append([]string{"sizeParam", "pageSize", "maxPageSize", "emptyPageStops"}, stop...),
	}[typ]
	fields := []struct {
		name string
		set  bool
	}{
		{"offsetParam", p.OffsetParam != ""},
		{"pageParam", p.PageParam != ""},
		{"sizeParam", p.SizeParam != ""},
		{"pageSize", p.PageSize != 0},
		{"maxPageSize", p.MaxPageSize != 0},
		{"start", p.Start != nil},
		{"cursorPath", p.CursorPath != ""},
		{"cursorParam", p.CursorParam != ""},
		{"cursorBody", p.CursorBody != ""},
		{"nextPath", p.NextPath != ""},
		{"totalPath", p.TotalPath != ""},
		{"totalHeader", p.TotalHeader != ""},
		{"hasMorePath", p.HasMorePath != ""},
		{"stopPath", p.StopPath != ""},
		{"emptyPageStops", p.EmptyPageStops != nil},
	}
	for _, f := range fields {
		if f.set && !slices.Contains(allowed, f.name) {
			if f.name == "emptyPageStops" && (typ == PageOffset || typ == PagePage) {
				c.add(w.at(f.name), "emptyPageStops is not used by type %s (an empty page is a short page, which ends a %s walk; use cursor, nextURL or linkHeader)", typ, typ)
				continue
			}
			c.add(w.at(f.name), "%s is not used by type %s", f.name, typ)
		}
	}
	if required {
		for _, m := range missingPagination(p) {
			c.add(w, "%s", m)
		}
	}
	if p.PageSize < 0 {
		c.add(w.at("pageSize"), "pageSize is negative (%d)", p.PageSize)
	}
	if p.MaxPageSize < 0 {
		c.add(w, "maxPageSize is negative (%d); want the API's documented cap on the page size, a positive number", p.MaxPageSize)
	}
	if p.Start != nil && *p.Start < 0 {
		c.add(w.at("start"), "start is negative (%d)", *p.Start)
	}
	return len(c.errs) == n
}

// errorWhen checks a catalog's errorWhen rule.
func (c *checker) errorWhen(w where, e *ErrorWhen) {
	if e == nil {
		return
	}
	if strings.TrimSpace(e.Path) == "" {
		c.add(w, "path is empty (want the body path of the value that marks an error, e.g. ok)")
	}
	switch v := e.Equals.(type) {
	case bool, string, int, int64, uint64, float64:
	case nil:
		c.add(w.at("equals"), "equals is missing (want the JSON scalar that marks an error, e.g. false)")
	default:
		c.add(w.at("equals"), "equals: got %s, want a string, number or boolean", kindOf(v))
	}
}

// kindOf names the YAML kind of a decoded value for error messages.
func kindOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "a list"
	case map[string]any, map[any]any:
		return "a mapping"
	}
	return fmt.Sprintf("%T", v)
}

// resetFormats are the accepted rateLimit.resetFormat values.
var resetFormats = []string{ResetUnix, ResetSeconds, ResetHTTPDate}

// rateLimit checks a catalog's rateLimit headers.
func (c *checker) rateLimit(w where, r *RateLimit) {
	if r == nil {
		return
	}
	if strings.TrimSpace(r.Remaining) == "" {
		c.add(w, "remaining is empty (want the header with the requests left, e.g. x-ratelimit-remaining)")
	}
	if strings.TrimSpace(r.Reset) == "" {
		c.add(w, "reset is empty (want the header telling when the window resets, e.g. x-ratelimit-reset)")
	}
	if r.ResetFormat == "" {
		return
	}
	if f, ok := canonical(resetFormats, r.ResetFormat); ok {
		r.ResetFormat = f
	} else {
		c.add(w.at("resetFormat"), "resetFormat: unknown format %q %s", r.ResetFormat, want(resetFormats))
	}
}

// missingPagination describes the settings that p's type needs and p lacks.
func missingPagination(p *Pagination) []string {
	var missing []string
	switch p.Type {
	case PageCursor:
		if p.CursorPath == "" {
			missing = append(missing, "type cursor needs cursorPath (the body path of the next cursor)")
		}
		if p.CursorParam == "" && p.CursorBody == "" {
			missing = append(missing, "type cursor needs cursorParam (the parameter that sends the cursor) or, for a read with a body, cursorBody")
		}
	case PageNextURL:
		if p.NextPath == "" {
			missing = append(missing, "type nextURL needs nextPath (the body path of the next page's URL)")
		}
	}
	return missing
}

func (c *checker) table(w where, cat *Catalog, schema, name string, t *Table, catalogPaginationOK bool) {
	if t == nil {
		c.add(w, "empty (want url: and columns:)")
		return
	}
	t.Name, t.SchemaName, t.CatalogName = name, schema, cat.Name
	urlNames := c.template(w.with("url"), t.URL)
	var getNames []string
	if t.Get != nil {
		gw := w.with("get")
		if t.Get.URL == "" {
			c.add(gw, "url is empty")
		}
		getNames = c.template(gw.with("url"), t.Get.URL)
		c.names(gw.with("params"), t.Get.Params)
	}
	c.names(w.with("headers"), t.Headers)
	c.names(w.with("params"), t.Params)

	for i, col := range t.Columns {
		c.column(w, i, col, t.Columns[:i])
	}
	for _, n := range append(urlNames, getNames...) {
		if col, _ := t.Column(n); col == nil {
			t.Columns = append(t.Columns, &Column{Name: n, Path: n, Type: TypeString, Implicit: true})
		}
	}
	if len(t.Columns) == 0 {
		c.add(w, "no columns (want a columns: list with at least one column)")
	}
	c.shapes(w, t)

	if tp := t.Pagination; tp != nil {
		pw := w.with("pagination")
		typeOK := true
		if tp.Type != "" {
			typ, ok := canonical(paginationTypes, tp.Type)
			if ok {
				tp.Type = typ
			} else {
				c.add(pw.at("type"), "unknown type %q %s", tp.Type, want(paginationTypes))
				typeOK = false
			}
		}
		inherits := cat.Pagination != nil && (tp.Type == "" || strings.EqualFold(tp.Type, cat.Pagination.Type))
		switch {
		case !typeOK:
		case !inherits && tp.Type == "":
			c.add(pw, "type is empty and the catalog has no pagination to inherit %s", want(paginationTypes))
		case !inherits:
			c.pagination(pw, tp, true)
		case catalogPaginationOK:
			// Check the merged settings: the table may complete the catalog's.
			eff := cat.EffectivePagination(t)
			c.pagination(pw, &eff, true)
		}
	}
	for _, param := range sortedKeys(t.Combine) {
		if cb := t.Combine[param]; param == "" {
			c.add(w.with("combine"), "empty parameter name")
		} else if cb == nil || cb.Sep == "" {
			c.add(w.with("combine", param), "separator is empty")
		}
	}
	if s := t.Sort; s != nil && s.Append {
		if _, ok := t.Combine[s.Param]; !ok {
			c.add(w.with("sort").at("append"), "append: param %s is not a combine: parameter (append adds the sort to a combined query-language parameter)", s.Param)
		}
		if s.Order != "" {
			c.add(w.with("sort").at("order"), "append and order exclude each other (write the direction with {dir} in value)")
		}
	}
	c.sort(w.with("sort"), t, t.Sort)
	c.bodyRead(w, cat, t)
	c.columnsFrom(w.with("columnsFrom"), t.ColumnsFrom)
	if t.Limit != nil && t.Limit.Param == "" && t.Limit.Body == "" {
		c.add(w.with("limit"), "param is empty")
	}
	if t.Select != nil && t.Select.Param == "" && t.Select.Body == "" {
		c.add(w.with("select"), "param is empty")
	}
	c.write(w.with("insert"), t, t.Insert)
	c.write(w.with("update"), t, t.Update)
	c.write(w.with("delete"), t, t.Delete)
}

// template reports the problems of a URL template's {name} placeholders and
// returns the valid names.
func (c *checker) template(w where, s string) []string {
	names, problems := scanPlaceholders(s)
	for _, p := range problems {
		c.add(w, "%s", p)
	}
	return names
}

func (c *checker) column(tw where, i int, col *Column, before []*Column) {
	label := "column #" + strconv.Itoa(i+1)
	if col != nil && col.Name != "" {
		label = "column " + col.Name
	}
	w := tw.with(label)
	if col == nil {
		c.add(w, "empty (want name:)")
		return
	}
	if col.Name == "" {
		c.add(w.at("name"), "name is empty")
	} else {
		for j, b := range before {
			if b != nil && strings.EqualFold(b.Name, col.Name) {
				c.add(w.as("column #"+strconv.Itoa(i+1)).at("name"), "duplicate column name (column #%d is %s)", j+1, b.Name)
				break
			}
		}
	}
	if col.Path == "" {
		col.Path = col.Name
	}
	if col.Type == "" {
		col.Type = TypeString
	}
	if typ, ok := ParseType(string(col.Type)); ok {
		col.Type = typ
	} else {
		c.add(w.at("type"), "unknown type %q %s", col.Type, want(columnTypes))
	}
	if col.Format != "" {
		switch {
		case col.Type != TypeDatetime:
			c.add(w.at("format"), "format is only for datetime columns (type is %s)", col.Type)
		case strings.EqualFold(col.Format, "unix"), strings.EqualFold(col.Format, "unixms"):
			col.Format = strings.ToLower(col.Format)
		case strings.EqualFold(col.Format, FormatRFC1123Z):
			col.Format = time.RFC1123Z
		case !isTimeLayout(col.Format):
			c.add(w.at("format"), "format %q is not a Go time layout (e.g. \"2006-01-02 15:04:05\"), unix or unixms", col.Format)
		}
	}
	c.formats(w, col)
	c.filters(w, col)
}

// isTimeLayout reports whether layout holds at least one element of a Go
// time layout, which a Java-style "yyyy-MM-dd" does not.
func isTimeLayout(layout string) bool {
	ref := time.Date(2001, 2, 3, 4, 5, 6, 7, time.FixedZone("X", 3600))
	return ref.Format(layout) != layout
}

func (c *checker) filters(w where, col *Column) {
	if len(col.Filters) == 0 {
		return
	}
	canon := make(map[string]*Filter, len(col.Filters))
	given := map[string]string{}
	for _, key := range sortedKeys(col.Filters) {
		op, ok := CanonicalOperator(key)
		if !ok {
			c.add(w.at("filter "+key), "filter %q: unknown operator %s", key, want(operators))
			continue
		}
		if prev, dup := given[op]; dup {
			c.add(w.at("filter "+key), "filter %q: operator %s is also given as %q", key, op, prev)
			continue
		}
		given[op] = key
		canon[op] = col.Filters[key]
	}
	col.Filters = canon
	for _, op := range operators {
		f, ok := canon[op]
		if !ok {
			continue
		}
		fw := w.with("filter " + op)
		if f == nil {
			c.add(fw, "empty (want param:)")
			continue
		}
		if f.Param == "" && f.Body == "" {
			c.add(fw, "param is empty")
		}
		if f.Value == "" {
			f.Value = "{}"
		} else if !strings.Contains(f.Value, "{}") {
			c.add(fw.at("value"), "value %q has no {} for the value", f.Value)
		}
		if op == OpIn {
			if f.Repeat && f.Join != "" {
				c.add(fw, "repeat and join exclude each other (choose one)")
			}
		} else {
			if f.Repeat {
				c.add(fw.at("repeat"), "repeat is only for IN")
			}
			if f.Join != "" {
				c.add(fw.at("join"), "join is only for IN")
			}
		}
		if f.Like != "" {
			if like, ok := canonical([]string{LikeRegex, LikeContains}, f.Like); !ok {
				c.add(fw.at("like"), "unknown like %q (want regex, contains)", f.Like)
			} else if f.Like = like; op != OpLike {
				c.add(fw.at("like"), "like is only for LIKE")
			}
		}
		if f.Format != "" {
			switch {
			case col.Type != TypeDatetime:
				c.add(fw.at("format"), "format is only for datetime columns (type is %s)", col.Type)
			case slices.Contains([]string{FormatUnix, FormatUnixMs, FormatDate, FormatRFC1123Z}, strings.ToLower(f.Format)):
				f.Format = strings.ToLower(f.Format)
			case !isTimeLayout(f.Format):
				c.add(fw.at("format"), "format %q is not a Go time layout (e.g. \"2006-01-02 15:04\"), unix, unixms, date or rfc1123z", f.Format)
			}
		}
		switch {
		case f.Escape == "":
		case strings.EqualFold(f.Escape, "double"), strings.EqualFold(f.Escape, "backslash"):
			f.Escape = strings.ToLower(f.Escape)
			if f.Quote == "" {
				c.add(fw.at("escape"), "escape %s needs a quote", f.Escape)
			}
		default:
			c.add(fw.at("escape"), "unknown escape %q (want double, backslash)", f.Escape)
		}
	}
}

func (c *checker) sort(w where, t *Table, s *Sort) {
	if s == nil {
		return
	}
	if s.Param == "" && s.Body == "" {
		c.add(w, "param is empty")
	}
	for i, name := range s.Columns {
		col, _ := t.Column(name)
		switch {
		case name == "":
			c.add(w.with("columns").at("#"+strconv.Itoa(i+1)), "entry #%d is empty", i+1)
		case col == nil:
			c.add(w.with("columns").at("#"+strconv.Itoa(i+1)), "%q is not a column of the table%s", name, nearestColumn(t, name))
		default:
			s.Columns[i] = col.Name
		}
	}
	if s.Nulls != "" {
		if nulls, ok := canonical([]string{NullsLow, NullsHigh}, s.Nulls); ok {
			s.Nulls = nulls
		} else {
			c.add(w.at("nulls"), "unknown nulls %q (want low, high)", s.Nulls)
		}
	}
	if s.Value == "" || s.Body != "" {
		// A body sort's value is JSON, checked by bodyRead.
		return
	}
	names, problems := scanPlaceholders(s.Value)
	for _, p := range problems {
		c.add(w.with("value"), "%s", p)
	}
	for _, n := range names {
		if n != "column" && n != "dir" && n != "name" {
			c.add(w.with("value"), "unknown placeholder {%s} (want {column}, {name}, {dir})", n)
		}
	}
	if !slices.Contains(names, "column") && !slices.Contains(names, "name") {
		c.add(w.with("value"), "%q has no {column} or {name}", s.Value)
	}
}

func (c *checker) write(w where, t *Table, wr *Write) {
	if wr == nil {
		return
	}
	if wr.Method == "" {
		c.add(w, "method is empty %s", want(writeMethods))
	} else if m, ok := canonical(writeMethods, wr.Method); ok {
		wr.Method = m
	} else {
		c.add(w.at("method"), "unknown method %q %s", wr.Method, want(writeMethods))
	}
	for _, n := range c.template(w.with("url"), wr.URL) {
		if col, _ := t.Column(n); col == nil {
			c.add(w.with("url"), "placeholder {%s} is not a column of the table", n)
		}
	}
	c.names(w.with("headers"), wr.Headers)
	if wr.Wrap != "" {
		if err := CheckWritePath(wr.Wrap); err != nil {
			c.add(w.with("wrap"), "%v", err)
		}
	}
	if wr.Batch.IsZero() {
		return
	}
	bw := w.with("batch")
	if wr != t.Insert {
		c.add(bw, "batch is for insert only")
		return
	}
	for _, n := range c.template(bw.with("url"), wr.Batch.URL) {
		if col, _ := t.Column(n); col == nil {
			c.add(bw.with("url"), "placeholder {%s} is not a column of the table", n)
		}
	}
	if wr.Batch.Rows != "" {
		if err := CheckWritePath(wr.Batch.Rows); err != nil {
			c.add(bw.with("rows"), "%v", err)
		}
	}
	if wr.Batch.Size < 0 {
		c.add(bw.with("size"), "size %d is negative (want 1 or more, or 0 for %d)", wr.Batch.Size, DefaultBatchSize)
	}
}

// writePathSpecial are the gjson path characters that select, query or
// transform (wildcards, #, @modifiers, |, queries): such a path can be
// read but names no single place to write a value.
const writePathSpecial = "*?#@|!{}[]()=<>%\"~,"

// CheckWritePath reports whether path names one place in a JSON object
// that a write can set (sjson syntax): keys separated by dots, with \
// escaping a dot, and numbers for array elements. It is nil for such a
// path and an error that says what is wrong otherwise.
func CheckWritePath(path string) error {
	if path == "" {
		return errors.New("path is empty")
	}
	start := 0
	for i := 0; i < len(path); i++ {
		switch ch := path[i]; {
		case ch == '\\':
			if i+1 == len(path) {
				return fmt.Errorf("path %q ends with a lone \\", path)
			}
			i++
		case ch == '.':
			if i == start {
				return fmt.Errorf("path %q has an empty key", path)
			}
			start = i + 1
		case strings.IndexByte(writePathSpecial, ch) >= 0:
			return fmt.Errorf("path %q cannot be written: %q selects or transforms (a write needs plain keys such as a.b.c)", path, string(ch))
		}
	}
	if start == len(path) {
		return fmt.Errorf("path %q has an empty key", path)
	}
	return nil
}

// nearestColumn is a " (did you mean x?)" hint naming the table's column
// closest to name, or "".
func nearestColumn(t *Table, name string) string {
	var names []string
	for _, c := range t.Columns {
		if c != nil && c.Name != "" {
			names = append(names, c.Name)
		}
	}
	if n, ok := Nearest(name, names); ok {
		return " (did you mean " + n + "?)"
	}
	return ""
}

// typeWords are the column types as strings, for messages.
func typeWords() []string {
	w := make([]string, len(Types))
	for i, t := range Types {
		w[i] = string(t)
	}
	return w
}
