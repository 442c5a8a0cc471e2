package discover

import (
	"bytes"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"unicode"

	"go.yaml.in/yaml/v4"

	"github.com/restsql/restsql/catalog"
)

// Comments are YAML comments to print with a profile (see MarshalProfile).
type Comments struct {
	// Head is printed at the top of the document, one entry per paragraph;
	// long entries are wrapped.
	Head []string
	// Tables are printed above a table's name, one entry per paragraph.
	Tables map[*catalog.Table][]string
	// Columns are printed at the end of a column's line.
	Columns map[*catalog.Column]string
}

// commentWidth is where comment paragraphs are wrapped.
const commentWidth = 78

// MarshalProfile writes a profile as YAML in the style of restsql's own
// profiles: block mappings down to the tables, one flow mapping per line
// for a column without filters (a block with one flow mapping per filter
// for a column with filters), flow mappings for auth, headers, params,
// pagination, sort, limit, select, get and the write mappings, and quoted
// strings wherever a { or $ could be misread. Map keys are sorted; Comments
// (nil for none) are added. The result reads back with catalog.Parse.
func MarshalProfile(p *catalog.Profile, c *Comments) ([]byte, error) {
	if c == nil {
		c = &Comments{}
	}
	var root yaml.Node
	if err := root.Encode(p); err != nil {
		return nil, fmt.Errorf("discover: encode profile: %w", err)
	}
	if cats := mapValue(&root, "catalogs"); cats != nil {
		for i := 0; i+1 < len(cats.Content); i += 2 {
			cat := p.Catalogs[cats.Content[i].Value]
			catNode := cats.Content[i+1]
			flowFields(catNode, "auth", "headers", "params", "pagination")
			schemas := mapValue(catNode, "schemas")
			if schemas == nil || cat == nil {
				continue
			}
			for j := 0; j+1 < len(schemas.Content); j += 2 {
				schema := cat.Schemas[schemas.Content[j].Value]
				tables := mapValue(schemas.Content[j+1], "tables")
				if tables == nil || schema == nil {
					continue
				}
				for k := 0; k+1 < len(tables.Content); k += 2 {
					t := schema.Tables[tables.Content[k].Value]
					if t == nil {
						continue
					}
					head := paragraphs(c.Tables[t])
					if k > 0 {
						head = "\n" + head
					}
					tables.Content[k].HeadComment = head
					styleTable(tables.Content[k+1], t, c.Columns)
				}
			}
		}
	}
	if len(c.Head) > 0 && len(root.Content) > 0 {
		root.Content[0].HeadComment = paragraphs(c.Head)
	}
	return encode(&root)
}

// marshalTable writes one table as a mapping of its name, ready to paste
// under a schema's tables:.
func marshalTable(name string, t *catalog.Table, head []string, notes map[*catalog.Column]string) ([]byte, error) {
	var tn yaml.Node
	if err := tn.Encode(t); err != nil {
		return nil, fmt.Errorf("discover: encode table: %w", err)
	}
	styleTable(&tn, t, notes)
	key := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: name, HeadComment: paragraphs(head)}
	doc := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: []*yaml.Node{key, &tn}}
	return encode(doc)
}

// encode prints a node with two-space indentation and no trailing spaces.
func encode(n *yaml.Node) ([]byte, error) {
	quoteTemplates(n)
	var buf bytes.Buffer
	// v3's layout, which the golden files and users' diffs know, with no
	// line wrapping.
	enc, err := yaml.NewDumper(&buf, yaml.WithV3Defaults(), yaml.WithIndent(2), yaml.WithLineWidth(-1))
	if err != nil {
		return nil, fmt.Errorf("discover: encode YAML: %w", err)
	}
	if err := enc.Dump(n); err != nil {
		return nil, fmt.Errorf("discover: encode YAML: %w", err)
	}
	if err := enc.Close(); err != nil {
		return nil, fmt.Errorf("discover: encode YAML: %w", err)
	}
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	return []byte(strings.Join(lines, "\n")), nil
}

// styleTable sets the styles of a table's node (see MarshalProfile).
func styleTable(tn *yaml.Node, t *catalog.Table, notes map[*catalog.Column]string) {
	flowFields(tn, "params", "headers", "combine", "pagination", "sort", "limit", "select", "get", "insert", "update", "delete")
	cols := mapValue(tn, "columns")
	if cols == nil {
		return
	}
	for i, cn := range cols.Content {
		if i >= len(t.Columns) {
			break
		}
		col := t.Columns[i]
		filters := mapValue(cn, "filters")
		if filters == nil {
			cn.Style = yaml.FlowStyle
			cn.LineComment = notes[col]
			continue
		}
		for j := 0; j+1 < len(filters.Content); j += 2 {
			filters.Content[j].Style = yaml.DoubleQuotedStyle
			filters.Content[j+1].Style = yaml.FlowStyle
		}
		if name := mapValue(cn, "name"); name != nil {
			name.LineComment = notes[col]
		}
	}
}

// flowFields sets flow style on the values of the named keys of a mapping.
func flowFields(n *yaml.Node, keys ...string) {
	for _, k := range keys {
		if v := mapValue(n, k); v != nil && (v.Kind == yaml.MappingNode || v.Kind == yaml.SequenceNode) {
			v.Style = yaml.FlowStyle
		}
	}
}

// quoteTemplates double-quotes string scalars holding { } or $, which a
// reader could take for flow mappings or which hold placeholders. It also
// replaces invalid UTF-8 (which YAML cannot hold) in values and comments.
func quoteTemplates(n *yaml.Node) {
	n.Value = strings.ToValidUTF8(n.Value, "\uFFFD")
	n.HeadComment = cleanComment(n.HeadComment)
	n.LineComment = cleanComment(n.LineComment)
	if n.Kind == yaml.ScalarNode && n.Tag == "!!str" && strings.ContainsAny(n.Value, "{}$") {
		n.Style = yaml.DoubleQuotedStyle
	}
	for _, c := range n.Content {
		quoteTemplates(c)
	}
}

// cleanComment makes text safe for a YAML comment: valid UTF-8 without
// control characters other than line breaks.
func cleanComment(s string) string {
	return strings.Map(func(r rune) rune {
		if r != '\n' && (unicode.IsControl(r) || r == '\uFEFF' || r == '\u2028' || r == '\u2029' || r == '\u0085') {
			return '\uFFFD'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

// mapValue returns the value of key in a mapping node, or nil.
func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// paragraphs wraps comment paragraphs at commentWidth, one after the
// other, continuation lines indented by two spaces.
func paragraphs(ps []string) string {
	var lines []string
	for _, p := range ps {
		for i, l := range wrap(p, commentWidth) {
			if i > 0 {
				l = "  " + l
			}
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n")
}

// wrap breaks text into lines of at most width bytes where it can.
func wrap(text string, width int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(text) {
		switch {
		case line == "":
			line = w
		case len(line)+1+len(w) > width:
			lines = append(lines, line)
			line = w
		default:
			line += " " + w
		}
	}
	return append(lines, line)
}

// origin is the scheme and host of u: the catalog's url.
func origin(u *url.URL) string {
	return (&url.URL{Scheme: u.Scheme, Host: u.Host}).String()
}

// tablePath is u's path as a table url relative to the catalog's url.
func tablePath(u *url.URL) string {
	p := (&url.URL{Path: u.Path}).EscapedPath()
	p = strings.NewReplacer("{", "%7B", "}", "%7D", "$", "%24").Replace(p)
	if p == "" {
		return "/"
	}
	return p
}

// Table returns the discovered table, with an absolute url, for a profile's
// tables: mapping. Headers go into the table's headers; the auth block, if
// any, belongs to the catalog (see Profile).
func (r *Result) Table() *catalog.Table {
	t := r.table()
	t.URL = origin(r.URL) + tablePath(r.URL)
	if len(r.Headers) > 0 {
		t.Headers = maps.Clone(r.Headers)
	}
	return t
}

// table is the table with a relative url and no headers.
func (r *Result) table() *catalog.Table {
	t := &catalog.Table{URL: tablePath(r.URL), Rows: r.Rows}
	for _, c := range r.Columns {
		cp := *c
		t.Columns = append(t.Columns, &cp)
	}
	if len(r.Params) > 0 {
		t.Params = maps.Clone(r.Params)
	}
	if r.Pagination != nil {
		p := *r.Pagination
		t.Pagination = &p
	}
	return t
}

// Profile returns a whole profile holding the discovered table: one catalog
// (Result.Catalog) whose url is the URL's scheme and host, with the auth
// block and headers, one schema (DefaultSchema) and the table with its url
// relative to the catalog's.
func (r *Result) Profile() *catalog.Profile {
	cat := &catalog.Catalog{
		URL:     origin(r.URL),
		Schemas: map[string]*catalog.Schema{DefaultSchema: {Tables: map[string]*catalog.Table{r.Name: r.table()}}},
	}
	if r.Auth != nil {
		a := *r.Auth
		cat.Auth = &a
	}
	if len(r.Headers) > 0 {
		cat.Headers = maps.Clone(r.Headers)
	}
	return &catalog.Profile{Catalogs: map[string]*catalog.Catalog{r.Catalog: cat}}
}

// summary is the first note: what was fetched, after the words given.
func (r *Result) summary(prefix string) string {
	s := prefix
	if r.Status != "" {
		s += " (" + r.Status + ")"
	}
	return s + " from GET " + displayURL(r.URL)
}

// columnNotes maps the columns of t to their notes.
func (r *Result) columnNotes(t *catalog.Table) map[*catalog.Column]string {
	notes := map[*catalog.Column]string{}
	for _, c := range t.Columns {
		if n, ok := r.ColumnNotes[c.Name]; ok {
			notes[c] = n
		}
	}
	return notes
}

// YAML returns the table as YAML ready to paste under a schema's tables:
// its name, then the table (see Table), with the notes as comments above.
// A catalog auth block the table needs is shown in a comment.
func (r *Result) YAML() []byte {
	t := r.Table()
	head := append([]string{r.summary("Discovered by restsql")}, r.Notes...)
	if r.Auth != nil {
		if a, err := yaml.Marshal(r.Auth); err == nil {
			head = append(head, "The catalog needs this auth block: auth: {"+strings.ReplaceAll(strings.TrimSpace(string(a)), "\n", ", ")+"}.")
		}
	}
	out, err := marshalTable(r.Name, t, head, r.columnNotes(t))
	if err != nil {
		// Cannot happen: the table holds only strings, numbers and maps
		// of them, and invalid UTF-8 is replaced before encoding.
		panic(err)
	}
	return out
}

// ProfileYAML returns the whole profile (see Profile) as YAML, with the
// notes as comments.
func (r *Result) ProfileYAML() []byte {
	p := r.Profile()
	t := p.Catalogs[r.Catalog].Schemas[DefaultSchema].Tables[r.Name]
	head := []string{r.summary("restsql profile, discovered")}
	if r.Auth != nil {
		head = append(head, "The auth placeholders are filled from the DSN's properties of the same names (User, Password, Token, APIKey), then a SecretsFile, then the environment.")
	}
	out, err := MarshalProfile(p, &Comments{
		Head:    head,
		Tables:  map[*catalog.Table][]string{t: r.Notes},
		Columns: r.columnNotes(t),
	})
	if err != nil {
		panic(err) // cannot happen, as in YAML
	}
	return out
}
