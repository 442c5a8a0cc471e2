package openapi

import (
	"fmt"
	"math"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/discover"
)

// ExactExtension is the parameter extension that marks a filter as exact:
// x-restsql-exact: true says the API applies the parameter exactly, so the
// driver does not re-check the rows it returns.
const ExactExtension = "x-restsql-exact"

// Parameter classes by normalized name (lower case, letters and digits:
// _page is page, per_page perpage).
var (
	pageParams   = []string{"page", "pagenumber", "pageno", "pagenum", "pageindex"}
	sizeParams   = []string{"perpage", "limit", "pagesize", "size", "pagelimit", "maxresults", "top", "take", "count", "first", "maxitems"}
	offsetParams = []string{"offset", "skip", "start", "startindex"}
	cursorParams = []string{"cursor", "after", "pagetoken", "startingafter", "startafter", "afterid", "continuation", "continuationtoken", "nexttoken", "paginationtoken", "marker", "nextcursor", "pagecursor", "scrollid"}
	// rowIDCursorParams are the cursor parameters that take the id of the
	// last row seen (Stripe's starting_after).
	rowIDCursorParams = []string{"startingafter", "startafter", "afterid"}
	sortParams        = []string{"sort", "sortby", "orderby"}
	orderParams       = []string{"order", "sortorder", "direction", "dir", "sortdir", "sortdirection"}

	// Response fields.
	cursorFields  = []string{"nextcursor", "cursor", "nextpagetoken", "pagetoken", "nexttoken", "continuationtoken", "endcursor", "nextpagecursor", "nextmarker", "scrollid", "nextkey"}
	nextURLFields = []string{"next", "nexturl", "nextlink", "nextpage", "nextpageurl", "nextpagelink", "odatanextlink", "nexthref", "nexturi", "nextpageuri"}
	totalFields   = []string{"total", "totalcount", "totalitems", "totalresults", "totalentries", "totalrecords", "totalsize", "count", "odatacount", "totalelements", "totalrows"}
	hasMoreFields = []string{"hasmore", "hasnext", "hasnextpage", "more", "moreresults", "hasmoreresults", "hasmoreitems"}
	totalHeaders  = []string{"X-Total-Count", "X-Total", "X-Total-Results", "X-Pagination-Total-Count", "Total-Count"}

	// timeColumns are the columns since/until filter, best first.
	timeColumns = []string{"updated_at", "updatedAt", "modified_at", "modifiedAt", "last_modified", "lastModified", "updated", "modified", "created_at", "createdAt", "created"}
)

// operatorAffixes map a parameter's suffix (after _ or a case change) or
// bracket ([gte]) to an operator.
var operatorSuffixes = []struct {
	suffix string
	op     string
}{
	{"gte", catalog.OpGe}, {"gt", catalog.OpGt}, {"lte", catalog.OpLe}, {"lt", catalog.OpLt},
	{"ne", catalog.OpNe}, {"like", catalog.OpLike},
	{"min", catalog.OpGe}, {"max", catalog.OpLe}, {"from", catalog.OpGe}, {"to", catalog.OpLe},
	{"since", catalog.OpGe}, {"until", catalog.OpLe}, {"after", catalog.OpGt}, {"before", catalog.OpLt},
}

// normName normalizes a name for matching.
func normName(s string) string {
	normal := true
	for i := 0; i < len(s) && normal; i++ {
		normal = s[i] >= 'a' && s[i] <= 'z' || s[i] >= '0' && s[i] <= '9'
	}
	if normal {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// queryParameters returns an operation's parameters in one place (the
// operation's override the path item's), in document order.
func queryParameters(item *openapi3.PathItem, op *openapi3.Operation, in string) []*openapi3.Parameter {
	var out []*openapi3.Parameter
	index := map[string]int{}
	for _, list := range []openapi3.Parameters{item.Parameters, op.Parameters} {
		for _, ref := range list {
			if ref == nil || ref.Value == nil || ref.Value.In != in {
				continue
			}
			if i, ok := index[ref.Value.Name]; ok {
				out[i] = ref.Value
				continue
			}
			index[ref.Value.Name] = len(out)
			out = append(out, ref.Value)
		}
	}
	return out
}

func paramSchema(p *openapi3.Parameter) *openapi3.Schema {
	if p.Schema != nil {
		return p.Schema.Value
	}
	for _, name := range sortedKeys(p.Content) {
		if mt := p.Content[name]; mt != nil && mt.Schema != nil {
			return mt.Schema.Value
		}
	}
	return nil
}

func isIntegerParam(p *openapi3.Parameter) bool {
	ts := types(paramSchema(p))
	return len(ts) == 0 || slices.Contains(ts, "integer") || slices.Contains(ts, "number")
}

// exact reports whether a parameter says its filter is exact.
func exact(p *openapi3.Parameter) bool {
	v, ok := p.Extensions[ExactExtension]
	if !ok {
		return false
	}
	b, isBool := v.(bool)
	return isBool && b
}

// queryParams turns a collection's query parameters into filters, sort,
// pagination and fixed parameters, and notes the ones left out.
func (im *importer) queryParams(t *catalog.Table, ep *endpoint) {
	params := queryParameters(ep.item, ep.op, openapi3.ParameterInQuery)
	used := map[*openapi3.Parameter]bool{}
	// isColumn: the parameters named like a column, looked up once.
	isColumn := make(map[*openapi3.Parameter]bool, len(params))
	for _, p := range params {
		isColumn[p] = columnAt(t, p.Name) != nil || columnLike(t, p.Name) != nil
	}
	class := func(names []string, ok func(*openapi3.Parameter) bool) *openapi3.Parameter {
		for _, p := range params {
			if !used[p] && !isColumn[p] && slices.Contains(names, normName(p.Name)) && (ok == nil || ok(p)) {
				return p
			}
		}
		return nil
	}

	// Filters on columns come first: a parameter named like a column is
	// its filter even when the name is also a well-known one. A required
	// parameter is no filter (a filter is sent only when the query has
	// it): requiredInputs makes it a fixed param or a key column.
	for _, p := range params {
		if p.Required {
			continue
		}
		c := columnAt(t, p.Name)
		if c == nil {
			c = columnLike(t, p.Name)
		}
		if c != nil {
			if !im.addFilter(t, c, catalog.OpEq, p) {
				// A json column has no = or IN filter: the parameter
				// is left out (and noted with the others).
				continue
			}
			used[p] = true
			if s := paramSchema(p); isType(s, "array") {
				f := &catalog.Filter{Param: p.Name, Exact: exact(p)}
				explode := p.Explode == nil || *p.Explode
				switch {
				case p.Style == openapi3.SerializationSpaceDelimited:
					f.Join = " "
				case p.Style == openapi3.SerializationPipeDelimited:
					f.Join = "|"
				case explode:
					f.Repeat = true
				default:
					f.Join = ","
				}
				if c.Filters[catalog.OpIn] == nil {
					c.Filters[catalog.OpIn] = f
				}
			}
		}
	}

	// Pagination and sort.
	page := class(pageParams, isIntegerParam)
	size := class(sizeParams, isIntegerParam)
	offset := class(offsetParams, isIntegerParam)
	// A required cursor (Drive's changes: a pageToken from elsewhere)
	// cannot be left out of the first request: it is no pagination but
	// a key column (requiredInputs).
	cursor := class(cursorParams, func(p *openapi3.Parameter) bool { return !p.Required })
	fields := responseFields(ep)
	im.pagination(t, ep, used, page, size, offset, cursor, fields)
	im.sort(t, ep, used, class(sortParams, nil), class(orderParams, nil))

	// Operators by name pattern.
	for _, p := range params {
		if used[p] || p.Required {
			continue
		}
		if c, op := operatorColumn(t, p.Name); c != nil && im.addFilter(t, c, op, p) {
			used[p] = true
		}
	}
	im.requiredInputs(t, ep, used)
	im.ignoredParams(t, ep, used)
}

// requiredInputs makes the required query parameters that nothing else
// uses fixed parameters (from the spec's default, example or single enum
// value) or required key columns ({placeholders} in the url's query, bound
// by WHERE name = ...), and the required headers ${NAME} placeholders.
func (im *importer) requiredInputs(t *catalog.Table, ep *endpoint, used map[*openapi3.Parameter]bool) {
	for _, p := range queryParameters(ep.item, ep.op, openapi3.ParameterInQuery) {
		if used[p] || !p.Required {
			continue
		}
		used[p] = true
		// An example of an identifier (Spotify's ids) is one value
		// among many: the parameter is a key column instead.
		v, from, ok := fixedValue(p)
		if n := normName(p.Name); ok && strings.HasPrefix(from, "example") && (strings.HasSuffix(n, "id") || strings.HasSuffix(n, "ids") || columnNamed(t, identName(p.Name)) != nil) {
			ok = false
		}
		if ok {
			if t.Params == nil {
				t.Params = map[string]string{}
			}
			t.Params[p.Name] = v
			im.tableNote(t, "The required query parameter %s is sent as %s (its %s).", p.Name, v, from)
			continue
		}
		name := identName(p.Name)
		if c := columnNamed(t, name); c != nil && c.Path != "" && c.Path != c.Name {
			// The name is a nested field's column: another name.
			name += "_param"
		}
		sep := "?"
		if strings.Contains(t.URL, "?") {
			sep = "&"
		}
		t.URL += sep + url.QueryEscape(p.Name) + "={" + name + "}"
		if columnNamed(t, name) == nil {
			col := &catalog.Column{Name: name, Type: paramColumnType(p), Description: "Required query parameter " + p.Name + "."}
			if d := oneLine(p.Description); d != "" {
				col.Description = "Required query parameter " + p.Name + ": " + d
			}
			t.Columns = append(t.Columns, col)
		}
		im.tableNote(t, "The required query parameter %s is the required key column %s: WHERE %s = ... sends it.", p.Name, name, name)
	}
	for _, p := range queryParameters(ep.item, ep.op, openapi3.ParameterInHeader) {
		if !p.Required || im.authHeader(p.Name) {
			continue
		}
		if t.Headers == nil {
			t.Headers = map[string]string{}
		}
		if v, _, ok := fixedValue(p); ok {
			t.Headers[p.Name] = v
			continue
		}
		ph := identName(p.Name)
		t.Headers[p.Name] = "${" + ph + "}"
		if !slices.Contains(im.requiredHeaders, p.Name+" (${"+ph+"})") {
			im.requiredHeaders = append(im.requiredHeaders, p.Name+" (${"+ph+"})")
		}
	}
}

// fixedValue is the value a required parameter can always be sent with:
// its default, its example, or its only enum value.
func fixedValue(p *openapi3.Parameter) (value, from string, ok bool) {
	str := func(v any) string {
		if f, isFloat := v.(float64); isFloat && f == math.Trunc(f) && math.Abs(f) < 1e15 {
			return strconv.FormatInt(int64(f), 10)
		}
		return fmt.Sprint(v)
	}
	s := paramSchema(p)
	switch {
	case s != nil && s.Default != nil && !isComposite(s.Default):
		return str(s.Default), "default", true
	case s != nil && len(s.Enum) == 1 && !isComposite(s.Enum[0]):
		return str(s.Enum[0]), "only enum value", true
	case p.Example != nil && !isComposite(p.Example):
		return str(p.Example), "example", true
	case s != nil && s.Example != nil && !isComposite(s.Example):
		return str(s.Example), "example", true
	}
	for _, name := range sortedKeys(p.Examples) {
		if ex := p.Examples[name]; ex != nil && ex.Value != nil && ex.Value.Value != nil && !isComposite(ex.Value.Value) {
			return str(ex.Value.Value), "example " + name, true
		}
	}
	return "", "", false
}

func isComposite(v any) bool {
	switch v.(type) {
	case map[string]any, []any:
		return true
	}
	return false
}

// authHeader reports whether a header is set by the catalog's auth (or is
// one the driver sends itself).
func (im *importer) authHeader(name string) bool {
	switch strings.ToLower(name) {
	case "authorization", "accept", "content-type", "user-agent":
		return true
	}
	return im.apiKeyHeader != "" && strings.EqualFold(name, im.apiKeyHeader)
}

// ignoredParams notes the query and header parameters a table does not use.
func (im *importer) ignoredParams(t *catalog.Table, ep *endpoint, used map[*openapi3.Parameter]bool) {
	var ignored []string
	for _, p := range queryParameters(ep.item, ep.op, openapi3.ParameterInQuery) {
		if !used[p] {
			ignored = append(ignored, describeParam(p))
		}
	}
	if len(ignored) > 0 {
		im.tableNote(t, "Query parameters not used: %s.", strings.Join(ignored, ", "))
	}
	var headers []string
	for _, p := range queryParameters(ep.item, ep.op, openapi3.ParameterInHeader) {
		if _, set := t.Headers[p.Name]; !set && !im.authHeader(p.Name) {
			headers = append(headers, p.Name)
		}
	}
	if len(headers) > 0 {
		im.tableNote(t, "Header parameters not sent (add them under headers: if needed): %s.", strings.Join(headers, ", "))
	}
}

// addFilter adds a filter for op on c from parameter p, unless c has one
// already or the operator makes no sense for c's type.
func (im *importer) addFilter(t *catalog.Table, c *catalog.Column, op string, p *openapi3.Parameter) bool {
	switch op {
	case catalog.OpLt, catalog.OpLe, catalog.OpGt, catalog.OpGe:
		if c.Type == catalog.TypeBool || c.Type == catalog.TypeJSON {
			return false
		}
	case catalog.OpLike:
		if c.Type != catalog.TypeString {
			return false
		}
	case catalog.OpEq, catalog.OpNe:
		if c.Type == catalog.TypeJSON {
			return false
		}
	}
	if c.Filters == nil {
		c.Filters = map[string]*catalog.Filter{}
	}
	if c.Filters[op] != nil {
		im.tableNote(t, "Query parameter %s is not used: column %s already has a %s filter.", p.Name, c.Name, op)
		return true
	}
	f := &catalog.Filter{Param: p.Name, Exact: exact(p)}
	if op == catalog.OpLike {
		f.Like = catalog.LikeRegex
	}
	c.Filters[op] = f
	return true
}

// operatorColumn matches a parameter name such as price_gte, minPrice,
// created[gt], createdAfter or since to a column and an operator.
func operatorColumn(t *catalog.Table, name string) (*catalog.Column, string) {
	lower := strings.ToLower(name)
	// Brackets: created[gte].
	if i := strings.Index(name, "["); i > 0 && strings.HasSuffix(name, "]") {
		base, suffix := name[:i], strings.ToLower(name[i+1:len(name)-1])
		for _, s := range operatorSuffixes[:5] {
			if suffix == s.suffix {
				if c := baseColumn(t, base); c != nil {
					return c, s.op
				}
			}
		}
		return nil, ""
	}
	// Suffixes: price_gte, createdAfter, updated_since.
	for _, s := range operatorSuffixes {
		for _, sep := range []string{"_", ".", "-", ""} {
			tail := sep + s.suffix
			if len(lower) <= len(tail) || !strings.HasSuffix(lower, tail) {
				continue
			}
			base := name[:len(name)-len(tail)]
			if sep == "" {
				// Camel case: the suffix must start with an upper-case letter.
				if r := name[len(base)]; r < 'A' || r > 'Z' {
					continue
				}
			}
			if c := baseColumn(t, base); c != nil {
				return c, s.op
			}
		}
	}
	// Prefixes: minPrice, max_price.
	for _, pre := range []struct{ prefix, op string }{{"min", catalog.OpGe}, {"max", catalog.OpLe}} {
		if !strings.HasPrefix(lower, pre.prefix) || len(name) <= len(pre.prefix) {
			continue
		}
		rest := name[len(pre.prefix):]
		switch {
		case rest[0] == '_' || rest[0] == '-':
			rest = rest[1:]
		case rest[0] >= 'A' && rest[0] <= 'Z':
			rest = strings.ToLower(rest[:1]) + rest[1:]
		default:
			continue
		}
		if c := baseColumn(t, rest); c != nil {
			return c, pre.op
		}
	}
	// since and until alone filter the row's modification (or creation) time.
	switch lower {
	case "since", "updatedsince", "modifiedsince":
		if c := timeColumn(t); c != nil {
			return c, catalog.OpGe
		}
	case "until":
		if c := timeColumn(t); c != nil {
			return c, catalog.OpLe
		}
	}
	return nil, ""
}

// baseColumn finds the column a parameter's base name means: by path or
// name, or with _at/At added (updated for updated_at).
func baseColumn(t *catalog.Table, base string) *catalog.Column {
	if base == "" {
		return nil
	}
	if c := columnAt(t, base); c != nil {
		return c
	}
	if c := columnNamed(t, base); c != nil {
		return c
	}
	for _, suffix := range []string{"_at", "At", "_date", "Date", "_time", "Time"} {
		if c := columnAt(t, base+suffix); c != nil && c.Type == catalog.TypeDatetime {
			return c
		}
	}
	return nil
}

// timeColumn picks the datetime column that since/until filter.
func timeColumn(t *catalog.Table) *catalog.Column {
	for _, name := range timeColumns {
		if c := columnAt(t, name); c != nil && c.Type == catalog.TypeDatetime {
			return c
		}
	}
	var only *catalog.Column
	for _, c := range t.Columns {
		if c.Type == catalog.TypeDatetime {
			if only != nil {
				return nil
			}
			only = c
		}
	}
	return only
}

// responseField is a field of a collection's response outside its rows.
type responseField struct {
	keys   []string
	schema *openapi3.Schema
	name   string // normalized; a link's parent name for .../next/href
}

// responseFields lists the scalar fields of a collection's response body
// outside the rows array.
func responseFields(ep *endpoint) []responseField {
	var out []responseField
	var walk func(s *openapi3.Schema, keys []string)
	walk = func(s *openapi3.Schema, keys []string) {
		for _, p := range properties(s) {
			ps := schemaOf(p.ref)
			path := append(keys[:len(keys):len(keys)], p.name)
			switch {
			case slices.Equal(path, ep.rows) || isType(ps, "array"):
			case isType(ps, "object"):
				if len(path) < 4 {
					walk(ps, path)
				}
			default:
				name := normName(p.name)
				if (name == "href" || name == "url") && len(path) > 1 {
					name = normName(path[len(path)-2])
				}
				out = append(out, responseField{keys: path, schema: ps, name: name})
			}
		}
	}
	if len(ep.rows) > 0 {
		walk(ep.body, nil)
	}
	return out
}

func findField(fields []responseField, names []string, ok func(responseField) bool) *responseField {
	for i := range fields {
		if slices.Contains(names, fields[i].name) && (ok == nil || ok(fields[i])) {
			return &fields[i]
		}
	}
	return nil
}

// pageSize is the page size a size parameter documents: its maximum (up
// to 1000: the fewest requests), else its default, else 0 (not sent).
func pageSize(p *openapi3.Parameter) int {
	s := paramSchema(p)
	if s == nil {
		return 0
	}
	if s.Max != nil && *s.Max >= 1 && *s.Max <= 1000 {
		return int(*s.Max)
	}
	switch d := s.Default.(type) {
	case float64:
		if d >= 1 && d <= math.MaxInt32 {
			return int(d)
		}
	case int:
		if d >= 1 {
			return d
		}
	case int64:
		if d >= 1 && d <= math.MaxInt32 {
			return int(d)
		}
	}
	return 0
}

// maxPageSize is the API's cap on the page size as its size parameter
// declares it (the schema's maximum), else 0: with it, a short page ends
// a walk without a confirming request (catalog.Pagination.MaxPageSize).
func maxPageSize(p *openapi3.Parameter) int {
	s := paramSchema(p)
	if s == nil || s.Max == nil || *s.Max < 1 || *s.Max > math.MaxInt32 {
		return 0
	}
	return int(*s.Max)
}

// pagination works out a collection's pagination from its parameters and
// response (see the package documentation).
func (im *importer) pagination(t *catalog.Table, ep *endpoint, used map[*openapi3.Parameter]bool, page, size, offset, cursor *openapi3.Parameter, fields []responseField) {
	isString := func(f responseField) bool {
		ts := types(f.schema)
		return len(ts) == 0 || slices.Contains(ts, "string") || slices.Contains(ts, "integer")
	}
	cursorField := findField(fields, cursorFields, isString)
	if cursorField == nil && cursor != nil {
		// With a cursor parameter, a field named next that is not a URL
		// is the next cursor.
		cursorField = findField(fields, []string{"next"}, func(f responseField) bool {
			return isString(f) && format(f.schema) != "uri" && len(f.keys) == 1
		})
	}
	nextField := findField(fields, nextURLFields, func(f responseField) bool {
		if !isType(f.schema, "string") {
			return false
		}
		return cursorField == nil || f.keys[len(f.keys)-1] != cursorField.keys[len(cursorField.keys)-1]
	})
	link := false
	total := ""
	if ep.resp != nil {
		for name := range ep.resp.Headers {
			if strings.EqualFold(name, "Link") {
				link = true
			}
			for _, h := range totalHeaders {
				if strings.EqualFold(name, h) && total == "" {
					total = h
				}
			}
		}
	}
	// A cursor parameter that takes a row's id (Stripe's starting_after)
	// is sent the last row's id when the rows have one.
	lastID := ""
	if cursor != nil && cursorField == nil && len(ep.rows) > 0 && slices.Contains(rowIDCursorParams, normName(cursor.Name)) {
		for _, pr := range properties(ep.row) {
			if pr.name == "id" {
				if typ, _ := columnType(schemaOf(pr.ref)); typ == catalog.TypeString || typ == catalog.TypeInt {
					lastID = discover.Path(ep.rows) + ".@reverse.0.id"
				}
			}
		}
	}
	p := &catalog.Pagination{}
	useSize := func() {
		if size != nil {
			p.SizeParam, p.PageSize = size.Name, pageSize(size)
			p.MaxPageSize = maxPageSize(size)
			used[size] = true
		}
	}
	switch {
	case cursor != nil && cursorField != nil:
		p.Type, p.CursorParam, p.CursorPath = catalog.PageCursor, cursor.Name, discover.Path(cursorField.keys)
		used[cursor] = true
		useSize()
		im.tableNote(t, "Pagination: cursor, sending the response's %s back as %s.", p.CursorPath, p.CursorParam)
	case lastID != "":
		p.Type, p.CursorParam, p.CursorPath = catalog.PageCursor, cursor.Name, lastID
		used[cursor] = true
		useSize()
		im.tableNote(t, "Pagination: cursor, sending the last row's id as %s.", p.CursorParam)
	case nextField != nil:
		p.Type, p.NextPath = catalog.PageNextURL, discover.Path(nextField.keys)
		useSize()
		for _, q := range []*openapi3.Parameter{page, offset, cursor} {
			if q != nil {
				used[q] = true
			}
		}
		im.tableNote(t, "Pagination: nextURL, following the response's %s.", p.NextPath)
	case page != nil:
		p.Type, p.PageParam = catalog.PagePage, page.Name
		used[page] = true
		useSize()
		if s := paramSchema(page); s != nil {
			if d, ok := s.Default.(float64); ok && d == 0 {
				p.Start = new(int)
			} else if s.Min != nil && *s.Min == 0 && s.Default == nil {
				p.Start = new(int)
			}
		}
		im.tableNote(t, "Pagination: page, with %s%s.", p.PageParam, sizeNote(p))
	case offset != nil:
		p.Type, p.OffsetParam = catalog.PageOffset, offset.Name
		used[offset] = true
		useSize()
		im.tableNote(t, "Pagination: offset, with %s%s.", p.OffsetParam, sizeNote(p))
	case link:
		// The API says where the next page is: its Link header. (Page
		// and offset parameters come first: an API may send the header
		// only when the page is asked for, as json-server does.)
		p.Type = catalog.PageLinkHeader
		useSize()
		if cursor != nil {
			used[cursor] = true
		}
		im.tableNote(t, "Pagination: linkHeader, as the response documents a Link header%s.", sizeNote(p))
	default:
		if cursor != nil {
			im.tableNote(t, "The %s parameter looks like a cursor, but the response has no field that holds the next one: no pagination.", cursor.Name)
		}
		if size != nil {
			// A lone size parameter limits the rows.
			t.Limit = &catalog.Limit{Param: size.Name}
			used[size] = true
		}
		return
	}
	switch {
	case total != "":
		p.TotalHeader = total
	default:
		if f := findField(fields, totalFields, func(f responseField) bool { return isType(f.schema, "integer") }); f != nil {
			p.TotalPath = discover.Path(f.keys)
		}
	}
	if f := findField(fields, hasMoreFields, func(f responseField) bool { return isType(f.schema, "boolean") }); f != nil {
		p.HasMorePath = discover.Path(f.keys)
	}
	if p.Type != catalog.PageOffset && p.Type != catalog.PagePage {
		p.MaxPageSize = 0 // only offset and page walks end on a short page
	}
	t.Pagination = p
}

func sizeNote(p *catalog.Pagination) string {
	switch {
	case p.SizeParam != "" && p.PageSize > 0:
		return fmt.Sprintf(" and pages of %d (%s)", p.PageSize, p.SizeParam)
	case p.SizeParam != "":
		return " (" + p.SizeParam + " has no default or maximum, so no page size is sent)"
	}
	return ""
}

// sort sets a table's sort from its sort and order parameters. When the
// sort parameter lists the fields it sorts by (an enum), sort.columns are
// those that are columns the item schema says are never NULL (required and
// not nullable), so where the API puts NULLs does not matter; without a
// list, only key columns are pushed (nulls: high). Several sort keys are
// joined only when the parameter is an array sent comma-separated.
func (im *importer) sort(t *catalog.Table, ep *endpoint, used map[*openapi3.Parameter]bool, sortP, orderP *openapi3.Parameter) {
	if sortP == nil {
		return
	}
	s := &catalog.Sort{Param: sortP.Name}
	ps := paramSchema(sortP)
	if isType(ps, "array") && sortP.Explode != nil && !*sortP.Explode && (sortP.Style == "" || sortP.Style == openapi3.SerializationForm) {
		s.Join = ","
	}
	descPrefix := false
	var allowed []string
	if ps != nil {
		enum := ps.Enum
		if it := schemaOf(ps.Items); it != nil && len(enum) == 0 {
			enum = it.Enum
		}
		for _, v := range enum {
			if str, ok := v.(string); ok {
				descPrefix = descPrefix || strings.HasPrefix(str, "-")
				if a := strings.TrimLeft(str, "+-"); !slices.Contains(allowed, a) {
					allowed = append(allowed, a)
				}
			}
		}
	}
	if len(allowed) > 0 {
		never := neverNull(ep.row)
		for _, a := range allowed {
			c := columnAt(t, a)
			if c == nil || slices.Contains(s.Columns, c.Name) || c.Type == catalog.TypeJSON {
				continue
			}
			if c.Key || (!strings.Contains(a, ".") && never[a]) {
				s.Columns = append(s.Columns, c.Name)
			}
		}
		if len(s.Columns) == 0 {
			im.tableNote(t, "The sort parameter %s is not used: none of its values (%s) is a column that is never NULL.", sortP.Name, strings.Join(allowed, ", "))
			return
		}
	} else {
		s.Nulls = catalog.NullsHigh
	}
	switch {
	case orderP != nil:
		asc, desc, ok := directionWords(paramSchema(orderP))
		if !ok {
			im.tableNote(t, "The sort parameter %s is not used: the values of %s are not asc and desc.", sortP.Name, orderP.Name)
			return
		}
		s.Order = orderP.Name
		if asc != "asc" || desc != "desc" {
			s.Asc, s.Desc = &asc, &desc
		}
		used[orderP] = true
	case descPrefix:
		s.Value = "{dir}{column}"
		asc, desc := "", "-"
		s.Asc, s.Desc = &asc, &desc
	default:
		im.tableNote(t, "The sort parameter %s is not used: nothing says how to sort in descending order.", sortP.Name)
		return
	}
	used[sortP] = true
	t.Sort = s
	if len(s.Columns) > 0 {
		im.tableNote(t, "ORDER BY %s is sent as %s.", strings.Join(s.Columns, ", "), sortP.Name)
	} else {
		im.tableNote(t, "ORDER BY is sent as %s; only on key columns (nulls: high), since the API's place for NULLs is not documented.", sortP.Name)
	}
}

// directionWords finds the ascending and descending words of an order
// parameter: its enum's asc/desc (any case, or ascending/descending); an
// order parameter without an enum takes asc and desc.
func directionWords(s *openapi3.Schema) (asc, desc string, ok bool) {
	if s == nil || len(s.Enum) == 0 {
		return "asc", "desc", true
	}
	for _, v := range s.Enum {
		str, _ := v.(string)
		switch strings.ToLower(str) {
		case "asc", "ascending":
			asc = str
		case "desc", "descending":
			desc = str
		}
	}
	return asc, desc, asc != "" && desc != ""
}

// neverNull lists the top-level properties of an item schema that are
// required and not nullable (looking into allOf parts).
func neverNull(s *openapi3.Schema) map[string]bool {
	out := map[string]bool{}
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema, depth int)
	walk = func(s *openapi3.Schema, depth int) {
		if s == nil || seen[s] || depth > maxMergeDepth {
			return
		}
		seen[s] = true
		for _, name := range s.Required {
			out[name] = true
		}
		for _, part := range s.AllOf {
			walk(schemaOf(part), depth+1)
		}
	}
	walk(s, 0)
	for _, p := range properties(s) {
		if ps := schemaOf(p.ref); ps != nil && (ps.Nullable || (ps.Type != nil && ps.Type.Includes("null"))) {
			delete(out, p.name)
		}
	}
	return out
}
