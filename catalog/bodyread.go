package catalog

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

// Read methods of a table.
const (
	MethodGet  = "GET"
	MethodPost = "POST"
)

// GraphQL is a read that sends a GraphQL query: the request body is
// {"query": Query, "variables": Variables}. Filters, sort, limit and the
// cursor are written into the body through their body: paths
// (variables.after); a GraphQL "errors" array in a response is an error.
type GraphQL struct {
	Query string `yaml:"query" json:"query"`
	// Variables are the query's variables; string values may hold
	// ${Name} placeholders.
	Variables map[string]any `yaml:"variables,omitempty" json:"variables,omitempty"`
}

// ColumnsFrom reads a table's columns from a metadata endpoint (Airtable's
// fields, Jira's /rest/api/3/field, HubSpot's properties): one column per
// row of the response, added after the declared columns.
type ColumnsFrom struct {
	// URL is the metadata endpoint, relative to the catalog's URL (or
	// absolute); it may hold ${Name} placeholders.
	URL string `yaml:"url" json:"url"`
	// Rows is the path of the metadata rows in the response ("" = the
	// body is the array).
	Rows string `yaml:"rows,omitempty" json:"rows,omitempty"`
	// Name is the path, in a metadata row, of the column's name.
	Name string `yaml:"name" json:"name"`
	// Path is the template of the column's path in a data row, where {x}
	// is the metadata row's value at path x ("fields.{id}"); "" = the
	// column's name.
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// Type maps the metadata row's type to a column type (none = string).
	Type *ColumnsFromType `yaml:"type,omitempty" json:"type,omitempty"`
}

// ColumnsFromType maps a metadata row's value at Path to a column type
// through Map; a value missing from Map is a string column.
type ColumnsFromType struct {
	Path string          `yaml:"path" json:"path"`
	Map  map[string]Type `yaml:"map,omitempty" json:"map,omitempty"`
}

// BodyRead reports whether the table reads with a request body (method
// POST, a body: template or graphql:).
func (t *Table) BodyRead() bool {
	return t != nil && (strings.EqualFold(t.Method, MethodPost) || t.Body != nil || t.GraphQL != nil)
}

// BodyTemplate returns the JSON of a body read's request body before any
// filter, sort, limit or cursor is written into it: the body: template, or
// GraphQL's {"query", "variables"}. ${Name} placeholders are left as they
// are. It is nil for a table that reads without a body, and {} for a POST
// read without a body: template.
func (t *Table) BodyTemplate() ([]byte, error) {
	switch {
	case t == nil || !t.BodyRead():
		return nil, nil
	case t.GraphQL != nil:
		vars := jsonValue(t.GraphQL.Variables)
		if vars == nil {
			vars = map[string]any{}
		}
		return json.Marshal(map[string]any{"query": t.GraphQL.Query, "variables": vars})
	case t.Body == nil:
		return []byte("{}"), nil
	}
	if s, ok := t.Body.(string); ok {
		s = strings.TrimSpace(s)
		var v any
		if err := json.Unmarshal([]byte(s), &v); err != nil {
			return nil, fmt.Errorf("body is a string that is not JSON: %w", err)
		}
		if _, ok := v.(map[string]any); !ok {
			return nil, fmt.Errorf("body is %s, want a JSON object", kindOf(v))
		}
		return []byte(s), nil
	}
	v := jsonValue(t.Body)
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("body is %s, want a mapping (the JSON object sent)", kindOf(v))
	}
	return json.Marshal(v)
}

// jsonValue converts a decoded YAML value to one encoding/json writes:
// mappings with non-string keys get string keys.
func jsonValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonValue(e)
		}
		return out
	case map[any]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[fmt.Sprint(k)] = jsonValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonValue(e)
		}
		return out
	}
	return v
}

// cloneValue deep-copies a decoded YAML or JSON value.
func cloneValue(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = cloneValue(e)
		}
		return out
	case map[any]any:
		out := make(map[any]any, len(x))
		for k, e := range x {
			out[k] = cloneValue(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = cloneValue(e)
		}
		return out
	}
	return v
}

// cloneBodyRead copies the body-read and columnsFrom settings of t into cp.
func (t *Table) cloneBodyRead(cp *Table) {
	cp.Body = cloneValue(t.Body)
	if t.GraphQL != nil {
		g := *t.GraphQL
		if t.GraphQL.Variables != nil {
			g.Variables = cloneValue(t.GraphQL.Variables).(map[string]any)
		}
		cp.GraphQL = &g
	}
	if t.ColumnsFrom != nil {
		cf := *t.ColumnsFrom
		if cf.Type != nil {
			ty := *cf.Type
			ty.Map = maps.Clone(cf.Type.Map)
			cf.Type = &ty
		}
		cp.ColumnsFrom = &cf
	}
}

// BodyPathAppends reports whether a body: path appends to an array (its
// last key is -1, as sjson reads it).
func BodyPathAppends(path string) bool {
	return path == "-1" || strings.HasSuffix(path, ".-1")
}

// SampleJSON replaces the {} markers of a filter's JSON value template with
// a sample value ("{}" inside quotes with text, a bare {} with a number),
// so that the template's shape can be checked.
func SampleJSON(tmpl string) string {
	tmpl = strings.ReplaceAll(tmpl, `"{}"`, `"x"`)
	return strings.ReplaceAll(tmpl, "{}", "0")
}

// bodyRead checks a table's method, body:, graphql: and the body: paths of
// its filters, sort, limit and pagination.
func (c *checker) bodyRead(w where, cat *Catalog, t *Table) {
	if t.Method != "" {
		if m, ok := canonical([]string{MethodGet, MethodPost}, t.Method); ok {
			t.Method = m
		} else {
			c.add(w.at("method"), "method: unknown method %q (want GET, or POST for a read with a body)", t.Method)
		}
	}
	if g := t.GraphQL; g != nil {
		gw := w.with("graphql")
		if strings.TrimSpace(g.Query) == "" {
			c.add(gw, "query is empty (want the GraphQL query text)")
		}
		if t.Body != nil {
			c.add(w.at("graphql"), "body and graphql exclude each other (graphql sends {\"query\", \"variables\"})")
		}
		if t.Method == MethodGet {
			c.add(w.at("method"), "method GET cannot send a graphql: query (want POST)")
		}
	}
	if t.Body != nil && t.Method == MethodGet {
		c.add(w.at("method"), "method GET cannot send a body: (want POST)")
	}
	if t.BodyRead() {
		if t.Method == "" {
			t.Method = MethodPost
		}
		if t.Body != nil {
			if _, err := t.BodyTemplate(); err != nil {
				c.add(w.with("body"), "%v", err)
			}
		}
	}
	body := t.BodyRead()
	for _, col := range t.Columns {
		if col == nil {
			continue
		}
		for _, op := range operators {
			f := col.Filters[op]
			if f == nil || f.Body == "" {
				continue
			}
			fw := w.with("column "+col.Name, "filter "+op)
			if !body {
				c.add(fw.at("body"), "body %s: the table reads without a body (set method: POST and body:, or graphql:)", f.Body)
				continue
			}
			c.bodyPath(fw.with("body"), f.Body)
			if f.Param != "" {
				c.add(fw.at("param"), "param and body exclude each other (choose where the filter goes)")
			}
			if f.Repeat || f.Join != "" || f.Quote != "" || f.Escape != "" {
				c.add(fw, "repeat, join, quote and escape are for param: filters (a body filter's value is JSON: an IN list is a JSON array)")
			}
			if !json.Valid([]byte(SampleJSON(f.Value))) {
				c.add(fw.with("value"), "%q is not JSON with {} for the value (e.g. '{\"property\": \"Status\", \"select\": {\"equals\": {}}}')", f.Value)
			}
		}
	}
	if s := t.Sort; s != nil && s.Body != "" {
		sw := w.with("sort")
		switch {
		case !body:
			c.add(sw.at("body"), "body %s: the table reads without a body (set method: POST and body:, or graphql:)", s.Body)
		case s.Param != "" || s.Order != "" || s.Append:
			c.add(sw, "body excludes param, order and append (write the direction with {dir} in value)")
		default:
			c.bodyPath(sw.with("body"), s.Body)
			sample := strings.NewReplacer("{column}", "c", "{name}", "c", "{dir}", "asc").Replace(sortValueOrDefault(s))
			if !json.Valid([]byte(sample)) {
				c.add(sw.with("value"), "%q is not JSON with {column} and {dir} (e.g. '{\"property\": \"{name}\", \"direction\": \"{dir}\"}')", s.Value)
			}
		}
	}
	if l := t.Limit; l != nil && l.Body != "" {
		lw := w.with("limit")
		switch {
		case !body:
			c.add(lw.at("body"), "body %s: the table reads without a body (set method: POST and body:, or graphql:)", l.Body)
		case l.Param != "":
			c.add(lw.at("param"), "param and body exclude each other")
		default:
			c.bodyPath(lw.with("body"), l.Body)
		}
	}
	if sel := t.Select; sel != nil && sel.Body != "" {
		sw := w.with("select")
		switch {
		case !body:
			c.add(sw.at("body"), "body %s: the table reads without a body (set method: POST and body:, or graphql:)", sel.Body)
		case sel.Param != "" || sel.Join != "":
			c.add(sw, "body excludes param and join (the names go as a JSON array)")
		default:
			c.bodyPath(sw.with("body"), sel.Body)
		}
	}
	pg := cat.EffectivePagination(t)
	if pg.CursorBody != "" {
		pw := w.with("pagination")
		switch {
		case !body:
			c.add(pw.at("cursorBody"), "cursorBody %s: the table reads without a body (set method: POST and body:, or graphql:; else use cursorParam)", pg.CursorBody)
		case pg.Type != PageCursor:
			c.add(pw.at("cursorBody"), "cursorBody is used by type cursor only")
		case pg.CursorParam != "":
			c.add(pw.at("cursorBody"), "cursorParam and cursorBody exclude each other (cursorBody replaces cursorParam)")
		default:
			c.bodyPath(pw.with("cursorBody"), pg.CursorBody)
		}
	}
}

// columnsFromPlaceholder is a {x} of a columnsFrom path template.
var columnsFromPlaceholder = regexp.MustCompile(`\{([^{}]+)\}`)

// ColumnsFromPlaceholders returns the metadata paths x of the {x}
// placeholders of a columnsFrom path template, in order.
func ColumnsFromPlaceholders(tmpl string) []string {
	var out []string
	for _, m := range columnsFromPlaceholder.FindAllStringSubmatch(tmpl, -1) {
		out = append(out, m[1])
	}
	return out
}

// ColumnsFromPath fills a columnsFrom path template: each {x} becomes
// value(x).
func ColumnsFromPath(tmpl string, value func(x string) string) string {
	return columnsFromPlaceholder.ReplaceAllStringFunc(tmpl, func(m string) string {
		return value(m[1 : len(m)-1])
	})
}

// sortValueOrDefault is a body sort's value template.
func sortValueOrDefault(s *Sort) string {
	if s.Value == "" {
		return `"{column}"`
	}
	return s.Value
}

// bodyPath checks a path written into a request body.
func (c *checker) bodyPath(w where, path string) {
	if err := CheckWritePath(path); err != nil {
		c.add(w, "%v", err)
	}
}

// columnsFrom checks a table's columnsFrom: setting.
func (c *checker) columnsFrom(w where, cf *ColumnsFrom) {
	if cf == nil {
		return
	}
	if strings.TrimSpace(cf.URL) == "" {
		c.add(w, "url is empty (want the metadata endpoint, e.g. /rest/api/3/field)")
	} else if names := c.template(w.with("url"), cf.URL); len(names) > 0 {
		c.add(w.with("url"), "placeholder {%s}: the metadata endpoint is read once for the table, so its url has no key placeholders", names[0])
	}
	if strings.TrimSpace(cf.Name) == "" {
		c.add(w, "name is empty (want the path of the column name in each metadata row, e.g. name)")
	}
	if cf.Path != "" {
		if len(ColumnsFromPlaceholders(cf.Path)) == 0 {
			c.add(w.with("path"), "%q has no {x} (x is a path in the metadata row, e.g. \"fields.{id}\")", cf.Path)
		}
	}
	if ty := cf.Type; ty != nil {
		tw := w.with("type")
		if strings.TrimSpace(ty.Path) == "" {
			c.add(tw, "path is empty (want the path of the type in each metadata row)")
		}
		for _, k := range slices.Sorted(maps.Keys(ty.Map)) {
			if typ, ok := ParseType(string(ty.Map[k])); ok {
				ty.Map[k] = typ
			} else {
				c.add(tw.with("map", k), "unknown type %q %s", ty.Map[k], want(columnTypes))
			}
		}
	}
}
