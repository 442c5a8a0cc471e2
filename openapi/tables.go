package openapi

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/discover"
)

// wrapperNames are the property names that usually hold a response's rows
// (or, for an item, the row), best first.
var wrapperNames = []string{"data", "items", "results", "records", "value", "rows", "entries", "list", "hits", "content", "elements", "objects", "nodes", "resources", "item", "result", "record"}

// maxWrapperDepth bounds how deep in a response object the rows are looked for.
const maxWrapperDepth = 3

// endpoint is one GET operation that returns JSON.
type endpoint struct {
	path string
	item *openapi3.PathItem
	op   *openapi3.Operation
	resp *openapi3.Response
	// body is the response's schema; rows the key path of the rows array
	// inside it (collections only) and row the schema of one row.
	body       *openapi3.Schema
	rows       []string
	row        *openapi3.Schema
	collection bool
}

// placeholder matches a {name} of a path template.
var placeholder = regexp.MustCompile(`\{([^{}]*)\}`)

// orderedPaths returns the document's paths in document order.
func (im *importer) orderedPaths() []string {
	paths := im.doc.Paths.Keys()
	line := func(p string) int {
		if it := im.doc.Paths.Value(p); it != nil && it.Origin != nil && it.Origin.Key != nil {
			return it.Origin.Key.Line
		}
		return 1 << 30
	}
	slices.SortStableFunc(paths, func(a, b string) int { return cmp.Or(cmp.Compare(line(a), line(b)), cmp.Compare(a, b)) })
	return paths
}

// successResponse returns an operation's 200 response, else its first
// other 2xx (or 2XX), else its default response.
func successResponse(op *openapi3.Operation) *openapi3.Response {
	if op == nil || op.Responses == nil {
		return nil
	}
	if r := op.Responses.Status(200); r != nil && r.Value != nil {
		return r.Value
	}
	codes := op.Responses.Keys()
	slices.Sort(codes)
	for _, c := range codes {
		if strings.HasPrefix(c, "2") {
			if r := op.Responses.Value(c); r != nil && r.Value != nil {
				return r.Value
			}
		}
	}
	if r := op.Responses.Default(); r != nil && r.Value != nil {
		return r.Value
	}
	return nil
}

// jsonSchema returns the schema of a response's JSON content.
func jsonSchema(content openapi3.Content) *openapi3.Schema {
	if mt := content.Get("application/json"); mt != nil && mt.Schema != nil {
		return mt.Schema.Value
	}
	for _, name := range sortedKeys(content) {
		if mt := content[name]; mt != nil && mt.Schema != nil && (strings.Contains(strings.ToLower(name), "json") || name == "*/*") {
			return mt.Schema.Value
		}
	}
	return nil
}

// metaFields are the normalized names of the fields that sit next to the
// rows array of a list wrapper: paging, counts, links and envelope status.
var metaFields = func() map[string]bool {
	m := map[string]bool{}
	for _, list := range [][]string{cursorFields, nextURLFields, totalFields, hasMoreFields, pageParams, sizeParams, offsetParams, {
		"object", "kind", "type", "url", "href", "self", "selflink", "uri", "links", "link", "meta", "metadata", "pagination", "paging", "pageinfo",
		"page", "pages", "totalpages", "pagecount", "currentpage", "lastpage", "firstpage", "nextpage", "prevpage", "previouspage", "firstpageuri", "previouspageuri", "prevpageuri", "lastpageuri",
		"previous", "prev", "prevurl", "previousurl", "first", "last", "before", "after", "from", "to", "end", "numberofelements",
		"empty", "sort", "pageable", "itemsperpage", "resultsperpage", "returned", "returnedcount", "resultcount", "numresults", "numfound",
		"status", "statuscode", "success", "ok", "message", "messages", "code", "error", "errors", "warnings", "info", "notice",
		"requestid", "took", "timedout", "incompleteresults", "truncated", "istruncated", "marker", "nextmarker", "etag",
		"odatacontext", "odatanextlink", "odatacount", "odatadeltalink", "version", "apiversion", "timestamp", "generatedat",
		"included", "jsonapi", "resultsizeestimate", "prevpagetoken", "previouspagetoken", "tokenpagination", "query", "filters",
	}} {
		for _, n := range list {
			m[n] = true
		}
	}
	return m
}()

// isMeta reports whether a response property is a list wrapper's paging or
// envelope field rather than data of a resource.
func isMeta(name string) bool {
	return metaFields[normName(name)]
}

// listWrapper finds the rows of a collection: the body when it is an
// array, else the one array of a list wrapper object. An object is a list
// wrapper when it has exactly one array property that is not an envelope
// field, and every other property is a paging or envelope field (total,
// next, links, meta, object, ...), or, when the operation documents
// pagination (hints), a scalar that is not an id; an object property
// that is itself such a wrapper (data: {items: [...]}) is looked into. A
// nested array inside a resource (a repository's topics, an album's
// tracks) is never its rows: such a response is one row.
func listWrapper(s *openapi3.Schema, hints bool) (keys []string, items *openapi3.Schema, ok bool) {
	if isType(s, "array") {
		return nil, schemaOf(s.Items), true
	}
	return wrapperArray(s, hints, 0)
}

func wrapperArray(s *openapi3.Schema, hints bool, depth int) ([]string, *openapi3.Schema, bool) {
	if !isType(s, "object") || depth >= maxWrapperDepth {
		return nil, nil, false
	}
	props := properties(s)
	var arrays, scalarArrays, objects []property
	for _, p := range props {
		ps := schemaOf(p.ref)
		switch {
		case isType(ps, "array") && (!isMeta(p.name) || len(props) == 1):
			if it := schemaOf(ps.Items); isType(it, "object") || len(properties(it)) > 0 {
				arrays = append(arrays, p)
			} else {
				scalarArrays = append(scalarArrays, p)
			}
		case isMeta(p.name):
		case isType(ps, "object"):
			objects = append(objects, p)
		case hints && !strings.EqualFold(p.name, "id") && !strings.HasSuffix(normName(p.name), "id"):
			// A scalar next to the rows of a paginated list
			// (GitHub search's incomplete_results).
		default:
			return nil, nil, false
		}
	}
	if len(arrays) == 0 && len(scalarArrays) == 1 {
		// A list of scalars: the caller says why it is no table.
		arrays, scalarArrays = scalarArrays, nil
	}
	if len(scalarArrays) > 0 && !hints {
		return nil, nil, false
	}
	switch {
	case len(arrays) == 1 && len(objects) == 0:
		return []string{arrays[0].name}, schemaOf(schemaOf(arrays[0].ref).Items), true
	case len(arrays) == 0 && len(objects) == 1:
		// An envelope: data: {items: [...], total: ...}.
		if keys, items, ok := wrapperArray(schemaOf(objects[0].ref), hints, depth+1); ok {
			return append([]string{objects[0].name}, keys...), items, true
		}
	}
	return nil, nil, false
}

// paginationHints reports whether an operation documents pagination: a
// page, offset, cursor or page size query parameter, or a Link header.
func paginationHints(ep *endpoint) bool {
	for _, p := range queryParameters(ep.item, ep.op, openapi3.ParameterInQuery) {
		n := normName(p.Name)
		if slices.Contains(pageParams, n) || slices.Contains(offsetParams, n) || slices.Contains(cursorParams, n) || slices.Contains(sizeParams, n) {
			return true
		}
	}
	if ep.resp != nil {
		for name := range ep.resp.Headers {
			if strings.EqualFold(name, "Link") {
				return true
			}
		}
	}
	return false
}

// getEndpoints lists the GET operations that return JSON, in document order.
func (im *importer) getEndpoints() []*endpoint {
	var eps []*endpoint
	for _, p := range im.orderedPaths() {
		item := im.doc.Paths.Value(p)
		if item == nil || item.Get == nil {
			continue
		}
		if !im.selected(p, item.Get) {
			im.unselected++
			continue
		}
		ep := &endpoint{path: p, item: item, op: item.Get, resp: successResponse(item.Get)}
		if ep.resp == nil {
			im.skip("GET %s has no success (2xx or default) response: skipped.", p)
			continue
		}
		ep.body = jsonSchema(ep.resp.Content)
		if ep.body == nil {
			switch types := sortedKeys(ep.resp.Content); {
			case len(types) == 0:
				im.skip("GET %s documents no response content: skipped.", p)
			case slices.ContainsFunc(types, func(t string) bool { return strings.Contains(strings.ToLower(t), "json") }):
				im.skip("GET %s returns JSON without a schema: skipped.", p)
			default:
				im.skip("GET %s returns %s, not JSON: skipped.", p, strings.Join(types, ", "))
			}
			continue
		}
		if keys, row, ok := listWrapper(ep.body, paginationHints(ep)); ok {
			if row == nil || (!isType(row, "object") && len(properties(row)) == 0) {
				what := strings.Join(types(row), " or ")
				if what == "" {
					what = "untyped values"
				}
				im.skip("GET %s returns an array of %s, not of objects: skipped.", p, what)
				continue
			}
			ep.rows, ep.row, ep.collection = keys, row, true
		} else if isType(ep.body, "object") || len(properties(ep.body)) > 0 {
			ep.row = ep.body
		} else {
			what := strings.Join(types(ep.body), " or ")
			if what == "" {
				what = "value of no declared type"
			}
			im.skip("GET %s returns a %s, not rows: skipped.", p, what)
			continue
		}
		eps = append(eps, ep)
	}
	return eps
}

// skip notes why an endpoint makes no table.
func (im *importer) skip(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	im.skipped = append(im.skipped, msg)
	im.head = append(im.head, msg)
}

// noTables is the error of an import that made no table: why, per
// endpoint.
func (im *importer) noTables() error {
	var b strings.Builder
	b.WriteString("openapi: no table could be made")
	gets, others := 0, 0
	for _, p := range im.doc.Paths.Keys() {
		if item := im.doc.Paths.Value(p); item != nil {
			for m := range item.Operations() {
				if m == "GET" {
					gets++
				} else {
					others++
				}
			}
		}
	}
	switch {
	case gets == 0:
		fmt.Fprintf(&b, ": the document has no GET operation (%d other operations)", others)
	case im.unselected == gets:
		fmt.Fprintf(&b, ": none of the %d GET operations matches the tags and paths selected", gets)
	default:
		if im.unselected > 0 {
			fmt.Fprintf(&b, " (%d GET operations not selected)", im.unselected)
		}
		b.WriteString(": no GET endpoint returns JSON objects")
		for _, s := range im.skipped {
			b.WriteString("\n  ")
			b.WriteString(s)
		}
	}
	return errors.New(b.String())
}

// buildTables makes the tables, their lookups and their writes.
func (im *importer) buildTables() (map[string]*catalog.Table, error) {
	im.byPath = map[string]*catalog.Table{}
	im.items = map[string]*catalog.Table{}
	im.renames = map[*catalog.Table]map[string]string{}
	eps := im.getEndpoints()
	var singles []*endpoint
	for _, ep := range eps {
		if ep.collection {
			im.addTable(ep)
		} else {
			singles = append(singles, ep)
		}
	}
	for _, ep := range singles {
		if parent, param, ok := itemPath(ep.path); ok {
			if t := im.byPath[parent]; t != nil && t.Get == nil && im.addGet(t, ep, parent, param) {
				continue
			}
		}
		im.addTable(ep)
	}
	im.nameTables()
	if len(im.tables) == 0 {
		return nil, im.noTables()
	}
	im.addWrites()
	return im.tables, nil
}

// itemPath splits an item path /users/{id} into its collection path
// /users and the parameter id (/Calls/{Sid}.json into /Calls.json and
// Sid).
func itemPath(path string) (parent, param string, ok bool) {
	i := strings.LastIndex(path, "/")
	if i <= 0 {
		return "", "", false
	}
	if m := itemSegment.FindStringSubmatch(path[i+1:]); m != nil {
		return path[:i] + m[2], m[1], true
	}
	return "", "", false
}

// itemSegment is the last segment of an item path: {param}, or
// {param}.json beside a collection /things.json (Twilio's).
var itemSegment = regexp.MustCompile(`^\{([^{}]*)\}(\.[A-Za-z0-9]+)?$`)

// identName turns a parameter name into a placeholder name: an identifier.
func identName(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r < 128 && (r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	n := b.String()
	if n == "" || n[0] >= '0' && n[0] <= '9' {
		n = "p" + n
	}
	return n
}

// urlTemplate writes a spec path as a table url, renaming each {param} to
// an identifier, and item to key when item is set.
func urlTemplate(path, item, key string, renames map[string]string) string {
	return placeholder.ReplaceAllStringFunc(path, func(m string) string {
		name := m[1 : len(m)-1]
		if item != "" && name == item {
			return "{" + key + "}"
		}
		if r, ok := renames[name]; ok {
			return "{" + r + "}"
		}
		return "{" + identName(name) + "}"
	})
}

// tableName names a table after its path: the last literal segment, with
// _by_<param> for the last path parameter (/users/{userId}/posts is
// posts_by_user, /users/{id} users_by_id).
func tableName(path string) string {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	base, by := "", ""
	if ms := placeholder.FindAllStringSubmatch(path, -1); len(ms) > 0 {
		by = ms[len(ms)-1][1]
	}
	for i := len(segs) - 1; i >= 0; i-- {
		seg := segs[i]
		if seg == "" || placeholder.MatchString(seg) || versionSegment.MatchString(seg) {
			continue
		}
		// A format extension is no part of the name (Twilio's
		// /Calls.json is calls).
		if ext := strings.LastIndex(seg, "."); ext > 0 && formatExtensions[strings.ToLower(seg[ext+1:])] {
			seg = seg[:ext]
		}
		base = seg
		break
	}
	base = sanitize(base)
	if base == "" {
		base = "root"
	}
	if by != "" {
		b := by
		for _, suffix := range []string{"_id", "Id", "ID"} {
			rest, ok := strings.CutSuffix(b, suffix)
			// Not the ID of UUID (Zoom's {WebinarUUID}).
			if ok && rest != "" && !(suffix == "ID" && rest[len(rest)-1] >= 'A' && rest[len(rest)-1] <= 'Z') {
				b = rest
				break
			}
		}
		base += "_by_" + sanitize(b)
	}
	return base
}

// formatExtensions are the path suffixes that name a response format.
var formatExtensions = map[string]bool{"json": true, "xml": true, "csv": true, "yaml": true}

var (
	versionSegment = regexp.MustCompile(`^(v\d+[a-z0-9.]*|api)$`)
	nonIdent       = regexp.MustCompile(`[^A-Za-z0-9_]+`)
)

// sanitize turns s into an identifier made of letters, digits and _.
func sanitize(s string) string {
	s = strings.Trim(nonIdent.ReplaceAllString(s, "_"), "_")
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		s = "_" + s
	}
	return s
}

// pathParams returns the path parameters of an operation by name.
func pathParams(item *openapi3.PathItem, op *openapi3.Operation) map[string]*openapi3.Parameter {
	out := map[string]*openapi3.Parameter{}
	lists := []openapi3.Parameters{item.Parameters}
	if op != nil {
		lists = append(lists, op.Parameters)
	}
	for _, list := range lists {
		for _, ref := range list {
			if ref != nil && ref.Value != nil && ref.Value.In == openapi3.ParameterInPath {
				out[ref.Value.Name] = ref.Value
			}
		}
	}
	return out
}

// addTable makes the table of a GET endpoint.
func (im *importer) addTable(ep *endpoint) {
	t := &catalog.Table{
		Description: oneLine(cmp.Or(ep.op.Summary, ep.op.Description)),
		URL:         urlTemplate(ep.path, "", "", nil),
		Rows:        discover.Path(ep.rows),
		Columns:     columns(ep.row, im.opts.MaxColumns),
	}
	im.unnamed = append(im.unnamed, unnamedTable{path: ep.path, table: t})
	if ep.collection {
		im.byPath[ep.path] = t
	} else {
		im.items[ep.path] = t
	}
	src := "GET " + ep.path
	if ep.op.OperationID != "" {
		src += " (" + ep.op.OperationID + ")"
	}
	if ep.collection {
		im.tableNote(t, "%s.", src)
	} else {
		im.tableNote(t, "%s, which returns one object: one row.", src)
	}
	if ep.op.Deprecated {
		im.tableNote(t, "The operation is deprecated.")
	}
	if len(t.Columns) == 0 {
		t.Columns = []*catalog.Column{{Name: "row", Path: "@this", Type: catalog.TypeJSON, Description: "The whole row: its schema lists no properties."}}
	}
	// Path parameters are required key columns; declare those the rows do
	// not carry, typed, so a number binds them.
	params := pathParams(ep.item, ep.op)
	var declared []*catalog.Column
	for _, m := range placeholder.FindAllStringSubmatch(ep.path, -1) {
		n := identName(m[1])
		if slices.ContainsFunc(declared, func(c *catalog.Column) bool { return strings.EqualFold(c.Name, n) }) {
			continue
		}
		c := columnNamed(t, n)
		if c == nil {
			// A field named the same but for case and separators
			// (Twilio's {AccountSid} is account_sid), of the
			// parameter's type: the placeholder is that column.
			if f := fieldLike(t, m[1]); f != nil && f.Type == paramColumnType(params[m[1]]) {
				if im.renames[t] == nil {
					im.renames[t] = map[string]string{}
				}
				im.renames[t][m[1]] = f.Name
				continue
			}
		}
		if c != nil {
			if c.Type != catalog.TypeJSON {
				continue
			}
			// A json column of that name (GitHub's repository has an
			// owner object, {owner} is a login): the placeholder gets
			// a name of its own.
			for n = n + "_param"; columnNamed(t, n) != nil; n += "_" {
			}
			if im.renames[t] == nil {
				im.renames[t] = map[string]string{}
			}
			im.renames[t][m[1]] = n
		}
		col := &catalog.Column{Name: n, Type: catalog.TypeString, Description: "Path parameter {" + m[1] + "}."}
		if p := params[m[1]]; p != nil && p.Schema != nil {
			col.Type, col.Format = columnType(p.Schema.Value)
			if col.Type == catalog.TypeJSON {
				col.Type, col.Format = catalog.TypeString, ""
			}
			if p.Description != "" {
				col.Description = oneLine(p.Description)
			}
		}
		declared = append(declared, col)
	}
	t.Columns = append(declared, t.Columns...)
	if im.renames[t] != nil {
		t.URL = urlTemplate(ep.path, "", "", im.renames[t])
	}
	if ep.collection {
		im.queryParams(t, ep)
	} else {
		t.Pagination = &catalog.Pagination{Type: catalog.PageNone}
		used := map[*openapi3.Parameter]bool{}
		im.requiredInputs(t, ep, used)
		im.ignoredParams(t, ep, used)
	}
}

// fieldLike returns the top-level scalar column of the rows whose name is
// name but for case and separators, or nil.
func fieldLike(t *catalog.Table, name string) *catalog.Column {
	want := normName(name)
	for _, c := range t.Columns {
		if !c.Implicit && (c.Path == "" || c.Path == c.Name) && c.Type != catalog.TypeJSON && normName(c.Name) == want {
			return c
		}
	}
	return nil
}

// unnamedTable is a table made and not yet named, with its spec path.
type unnamedTable struct {
	path  string
	table *catalog.Table
}

// nameTables names the tables made, the shorter paths first: GitHub's
// /repos/{owner}/{repo} is repos_by_repo, and
// /orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}, which comes first
// in the document, teams_repos_by_repo.
func (im *importer) nameTables() {
	slices.SortStableFunc(im.unnamed, func(a, b unnamedTable) int {
		return cmp.Compare(strings.Count(a.path, "/"), strings.Count(b.path, "/"))
	})
	for _, u := range im.unnamed {
		im.tables[im.tableNameFor(u.path)] = u.table
	}
	im.unnamed = nil
}

// tableNameFor names a new table after its path, unique among the
// tables under case folding (SQL names are matched without case, so
// users and Users would be one name): users; when taken, the path's
// literal segment before the name's added in front (teams_repos_by_repo);
// then users_2, users_3, ...
func (im *importer) tableNameFor(path string) string {
	taken := func(n string) bool { return im.takenNames[strings.ToLower(n)] }
	base := tableName(path)
	name := base
	if taken(name) {
		if prev := previousLiteral(path); prev != "" && !taken(prev+"_"+base) {
			name = prev + "_" + base
		}
	}
	for i := 2; taken(name); i++ {
		name = base + "_" + strconv.Itoa(i)
	}
	im.takenNames[strings.ToLower(name)] = true
	return name
}

// previousLiteral is the literal segment of a path before the one its
// table is named after, sanitized, or "".
func previousLiteral(path string) string {
	var lits []string
	for _, seg := range strings.Split(strings.Trim(path, "/"), "/") {
		if seg != "" && !placeholder.MatchString(seg) && !versionSegment.MatchString(seg) {
			lits = append(lits, seg)
		}
	}
	if len(lits) < 2 {
		return ""
	}
	prev := lits[len(lits)-2]
	if ext := strings.LastIndex(prev, "."); ext > 0 && formatExtensions[strings.ToLower(prev[ext+1:])] {
		prev = prev[:ext]
	}
	return sanitize(prev)
}

// keyFor returns the column an item path's parameter names: the column of
// that name, else the field the parameter names after the collection
// (issue_number of /issues is number, petId of /pets is id), else nil:
// the parameter is then no field of the rows.
func keyFor(t *catalog.Table, parent, param string, params map[string]*openapi3.Parameter) *catalog.Column {
	if c := columnNamed(t, identName(param)); c != nil {
		return c
	}
	seg := parent[strings.LastIndex(parent, "/")+1:]
	want := normName(param)
	for _, one := range singulars(normName(seg)) {
		field, ok := strings.CutPrefix(want, one)
		if !ok {
			continue
		}
		if field == "" {
			// {customer} of /customers: the row's id, when the
			// parameter's type is the id's (a repository's {repo} is
			// its name, a string; its id is an integer).
			if c := columnNamed(t, "id"); c != nil && !c.Implicit && c.Type == paramColumnType(params[param]) {
				return c
			}
			continue
		}
		for _, c := range t.Columns {
			if !c.Implicit && !strings.Contains(c.Path, ".") && normName(c.Name) == field && (c.Type == catalog.TypeInt || c.Type == catalog.TypeString) {
				return c
			}
		}
	}
	return nil
}

// paramColumnType is the column type of a path parameter (string when
// unknown).
func paramColumnType(p *openapi3.Parameter) catalog.Type {
	if p == nil || p.Schema == nil {
		return catalog.TypeString
	}
	typ, _ := columnType(p.Schema.Value)
	if typ == catalog.TypeJSON || typ == catalog.TypeDatetime {
		return catalog.TypeString
	}
	return typ
}

// singulars are the singular forms a plural collection name may have
// (issues: issues, issue, issu; categories: categories, category).
func singulars(plural string) []string {
	out := []string{plural}
	if s, ok := strings.CutSuffix(plural, "ies"); ok {
		out = append(out, s+"y")
	}
	if s, ok := strings.CutSuffix(plural, "es"); ok {
		out = append(out, s)
	}
	if s, ok := strings.CutSuffix(plural, "s"); ok {
		out = append(out, s)
	}
	return out
}

// addGet makes an item endpoint the lookup of its collection's table.
// It reports false, with a note, when the item endpoint's parameters are
// not columns of the table.
func (im *importer) addGet(t *catalog.Table, ep *endpoint, parent, param string) bool {
	key := keyFor(t, parent, param, pathParams(ep.item, ep.op))
	if key == nil {
		im.tableNote(t, "GET %s is not used as a lookup (it is a table of its own): no column of the rows is its {%s}.", ep.path, param)
		return false
	}
	g := &catalog.Get{URL: urlTemplate(ep.path, param, key.Name, im.renames[t])}
	if !im.placeholdersAreColumns(t, g.URL) {
		im.tableNote(t, "GET %s is not used as a lookup (it is a table of its own): its path parameters are not columns of the table.", ep.path)
		return false
	}
	// A wrapper object ({"data": {...}}) holds the row.
	if wrapper := itemWrapper(ep.body); wrapper != "" {
		g.Rows = wrapper
	}
	t.Get = g
	if !slices.ContainsFunc(t.Columns, func(c *catalog.Column) bool { return c.Key }) {
		key.Key = true
	}
	im.tableNote(t, "Lookups by %s use GET %s.", key.Name, ep.path)
	return true
}

// itemWrapper returns the property that wraps an item response's row: a
// well-known wrapper name holding an object, when the response has no id.
func itemWrapper(s *openapi3.Schema) string {
	props := properties(s)
	for _, p := range props {
		if strings.EqualFold(p.name, "id") {
			return ""
		}
	}
	for _, name := range wrapperNames {
		for _, p := range props {
			if p.name == name && isType(schemaOf(p.ref), "object") {
				return discover.Path([]string{p.name})
			}
		}
	}
	return ""
}

// placeholdersAreColumns reports whether every placeholder of a url is a
// column of the table, as write and lookup urls need.
func (im *importer) placeholdersAreColumns(t *catalog.Table, u string) bool {
	for _, m := range placeholder.FindAllStringSubmatch(u, -1) {
		if columnNamed(t, m[1]) == nil {
			return false
		}
	}
	return true
}

// addWrites maps POST on a collection to insert, and PATCH (else PUT) and
// DELETE on its item path to update and delete.
func (im *importer) addWrites() {
	for _, p := range im.orderedPaths() {
		item := im.doc.Paths.Value(p)
		if item == nil {
			continue
		}
		if t := im.byPath[p]; t != nil && item.Post != nil {
			im.setWrite(t, &t.Insert, "POST", p, item.Post, "", "")
		}
		parent, param, ok := itemPath(p)
		if !ok {
			continue
		}
		t := im.byPath[parent]
		var key *catalog.Column
		if t != nil {
			key = keyFor(t, parent, param, pathParams(item, cmp.Or(item.Patch, item.Put, item.Delete, item.Get)))
		}
		if key == nil {
			// The item path's own table, where {param} is a column.
			if it := im.items[p]; it != nil {
				t, key = it, columnNamed(it, identName(param))
				param = ""
			}
		}
		if t == nil {
			continue
		}
		if key == nil {
			if item.Patch != nil || item.Put != nil || item.Delete != nil {
				im.tableNote(t, "Writes on %s are not mapped: no column of the rows is its {%s}.", p, param)
			}
			continue
		}
		switch {
		case item.Patch != nil:
			im.setWrite(t, &t.Update, "PATCH", p, item.Patch, param, key.Name)
		case item.Put != nil:
			im.setWrite(t, &t.Update, "PUT", p, item.Put, param, key.Name)
		}
		if item.Delete != nil {
			im.setWrite(t, &t.Delete, "DELETE", p, item.Delete, param, key.Name)
		}
	}
}

// setWrite sets one write mapping of a table.
func (im *importer) setWrite(t *catalog.Table, dst **catalog.Write, method, path string, op *openapi3.Operation, param, key string) {
	if *dst != nil {
		return
	}
	w := &catalog.Write{Method: method, URL: urlTemplate(path, param, key, im.renames[t])}
	if !im.placeholdersAreColumns(t, w.URL) {
		im.tableNote(t, "%s %s is not mapped: its path parameters are not columns of the table.", method, path)
		return
	}
	if op.RequestBody != nil && op.RequestBody.Value != nil {
		if s := jsonSchema(op.RequestBody.Value.Content); s != nil {
			if props := properties(s); len(props) == 1 && isType(schemaOf(props[0].ref), "object") && !strings.EqualFold(props[0].name, "id") {
				w.Wrap = props[0].name
			}
		}
	}
	*dst = w
}

// hoistPagination moves a pagination that every paginated table shares to
// the catalog, and gives the other tables pagination: {type: none}; the
// tables' notes on it become one note at the top.
func (im *importer) hoistPagination(cat *catalog.Catalog) {
	var shared *catalog.Pagination
	n := 0
	for _, s := range cat.Schemas {
		for _, t := range s.Tables {
			p := t.Pagination
			if p == nil || p.Type == catalog.PageNone {
				continue
			}
			n++
			if shared == nil {
				shared = p
			} else if !samePagination(shared, p) {
				return
			}
		}
	}
	if n < 2 {
		return
	}
	cp := *shared
	cat.Pagination = &cp
	note := ""
	for _, s := range cat.Schemas {
		for _, t := range s.Tables {
			if t.Pagination == nil {
				t.Pagination = &catalog.Pagination{Type: catalog.PageNone}
				continue
			}
			if t.Pagination.Type == catalog.PageNone {
				continue
			}
			t.Pagination = nil
			notes := im.notes.Tables[t][:0]
			for _, n := range im.notes.Tables[t] {
				if strings.HasPrefix(n, "Pagination: ") {
					note = n
				} else {
					notes = append(notes, n)
				}
			}
			im.notes.Tables[t] = notes
		}
	}
	if note != "" {
		im.note("%s (every paginated table: the catalog's pagination)", strings.TrimSuffix(note, "."))
	}
}

func samePagination(a, b *catalog.Pagination) bool {
	sa, sb := *a, *b
	sa.Start, sb.Start = nil, nil
	startA, startB := -1, -1
	if a.Start != nil {
		startA = *a.Start
	}
	if b.Start != nil {
		startB = *b.Start
	}
	return sa == sb && startA == startB
}

// describeParam is "name (description)" for notes.
func describeParam(p *openapi3.Parameter) string {
	if d := oneLine(p.Description); d != "" {
		if len(d) > 60 {
			cut := strings.LastIndex(d[:60], " ")
			if cut < 20 {
				cut = 60
				for cut > 0 && d[cut]&0xC0 == 0x80 {
					cut--
				}
			}
			d = strings.TrimSpace(d[:cut]) + "…"
		}
		return fmt.Sprintf("%s (%s)", p.Name, strings.TrimSpace(d))
	}
	return p.Name
}
