package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"

	"go.yaml.in/yaml/v4"
)

// Load reads the YAML or JSON profile at path and validates it (see Parse).
func Load(path string) (*Profile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("catalog: read profile: %w", err)
	}
	return Parse(data, path)
}

// Parse decodes a YAML or JSON profile and validates it. path names the
// profile in error messages and is stored in Profile.Path. An unknown field
// is an error that suggests the nearest known field; every error names the
// line (for decoding errors) and the catalog, schema, table and field.
// Decoding errors are reported together, and so are validation errors.
func Parse(data []byte, path string) (*Profile, error) {
	prefix := profilePrefix(path)
	data = yamlCompatibleJSON(data)
	p, err := decode(data, prefix)
	if err != nil {
		// `update: {method: PATCH, url: /posts/{id}}` is not YAML: inside a
		// flow mapping, {id} opens another mapping. Profiles (DESIGN.md's
		// own example among them) write it, so when the profile does not
		// decode, quote such URLs and try once more.
		fixed := quoteFlowURLs(data)
		if bytes.Equal(fixed, data) {
			return nil, err
		}
		p2, err2 := decode(fixed, prefix)
		if err2 != nil {
			return nil, err
		}
		p, data = p2, fixed
	}
	p.Path = path
	if err := p.validate(indexPositions(documentRoot(data))); err != nil {
		return nil, err
	}
	return p, nil
}

// decode reads the one YAML document of data into a Profile. A panic of the
// YAML decoder is turned into an error.
func decode(data []byte, prefix string) (p *Profile, err error) {
	defer func() {
		if r := recover(); r != nil {
			p, err = nil, fmt.Errorf("%sthe YAML decoder failed: %v", prefix, r)
		}
	}()
	p = new(Profile)
	loader, err := yaml.NewLoader(bytes.NewReader(data), yaml.WithKnownFields(), yaml.WithUniqueKeys())
	if err != nil {
		return nil, fmt.Errorf("%sthe YAML decoder failed: %w", prefix, err)
	}
	if err := loader.Load(p); err != nil && !errors.Is(err, io.EOF) {
		return nil, decodeError(err, data, prefix)
	}
	var extra yaml.Node
	switch err := loader.Load(&extra); {
	case errors.Is(err, io.EOF):
	case err != nil:
		return nil, decodeError(err, data, prefix)
	default:
		return nil, fmt.Errorf("%sline %d: a second YAML document (want one profile per file)", prefix, extra.Line)
	}
	return p, nil
}

// decodeErr is a decoding error rewritten for people; it wraps the YAML
// decoder's error.
type decodeErr struct {
	msg string
	err error
}

func (e *decodeErr) Error() string { return e.msg }
func (e *decodeErr) Unwrap() error { return e.err }

// profileTypes are the struct types of the profile by name.
var profileTypes = map[string]reflect.Type{}

func init() {
	var collect func(t reflect.Type)
	collect = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct || profileTypes[t.String()] != nil {
			return
		}
		profileTypes[t.String()] = t
		for i := 0; i < t.NumField(); i++ {
			collect(t.Field(i).Type)
		}
	}
	collect(reflect.TypeFor[Profile]())
}

// decodeError rewrites an error of the YAML decoder. The decoder's errors
// carry positions (*yaml.LoadError's Mark); what went wrong at a position
// is found again from the document: the node there and the profile type it
// decodes into, never from the decoder's English.
func decodeError(err error, data []byte, prefix string) error {
	var les *yaml.LoadErrors
	if !errors.As(err, &les) {
		var le *yaml.LoadError
		if errors.As(err, &le) {
			if le.Mark.Line > 0 {
				// A value that does not decode: described from the
				// document, like each error of a *yaml.LoadErrors.
				return &decodeErr{msg: prefix + loadErrorMessage(le, documentRoot(data), 0), err: err}
			}
			return &decodeErr{msg: prefix + le.Message, err: err}
		}
		return &decodeErr{msg: prefix + strings.TrimPrefix(err.Error(), "yaml: "), err: err}
	}
	root := documentRoot(data)
	seen := map[yaml.Mark]int{}
	msgs := make([]string, len(les.Errors))
	for i, e := range les.Errors {
		m := yaml.Mark{Line: e.Mark.Line, Column: e.Mark.Column}
		msgs[i] = prefix + loadErrorMessage(e, root, seen[m])
		seen[m]++
	}
	return &decodeErr{msg: strings.Join(msgs, "\n"), err: err}
}

// tagHint explains a local YAML tag: unquoted text that starts with "!"
// (a `!=` filter key) is read as a tag, not as text.
func tagHint(tag string) string {
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") {
		return ""
	}
	return fmt.Sprintf(` (YAML reads unquoted text that starts with "!" as a tag: quote it, "%s")`, strings.TrimSuffix(tag, ":"))
}

// documentRoot is the document's node tree, or an empty node when it does
// not parse.
func documentRoot(data []byte) *yaml.Node {
	var root yaml.Node
	if yaml.Load(data, &root) != nil {
		return &yaml.Node{}
	}
	return &root
}

// site is a node of the document with the profile type it decodes into and
// its context (catalog, schema, table, column, filter and field names).
type site struct {
	node *yaml.Node
	t    reflect.Type // the type node decodes into
	w    where
	// For a mapping key: the mapping and the key's index in its Content.
	parent *yaml.Node
	index  int
}

// loadErrorMessage rewrites one error of a *yaml.LoadErrors from its
// position: the node at e.Mark is a key (an unknown field or a duplicate
// key) or a value that does not decode into its type. nth counts the
// earlier errors at the same position, as a key can be both a duplicate
// and unknown (the decoder reports the duplicate first).
func loadErrorMessage(e *yaml.LoadError, root *yaml.Node, nth int) string {
	line := e.Mark.Line
	prefixed := func(w where, msg string) string {
		if len(w) > 0 {
			msg = strings.Join(w, ": ") + ": " + msg
		}
		return "line " + strconv.Itoa(line) + ": " + msg
	}
	sites := sitesAt(root, line, e.Mark.Column)
	var keyMsgs []string
	var keyWhere where
	for _, s := range sites {
		if s.parent == nil {
			continue
		}
		keyWhere = s.w
		name := s.node.Value
		if tag := s.node.ShortTag(); strings.HasPrefix(tag, "!") && !strings.HasPrefix(tag, "!!") {
			keyMsgs = append(keyMsgs, fmt.Sprintf("got %s, want a string%s", tag, tagHint(tag)))
			continue
		}
		for i := 0; i < s.index; i += 2 {
			if k := s.parent.Content[i]; k.Kind == s.node.Kind && k.Value == name {
				keyMsgs = append(keyMsgs, fmt.Sprintf("duplicate key %q (first at line %d)", name, k.Line))
				break
			}
		}
		if st := deref(s.t); st.Kind() == reflect.Struct {
			if _, ok := fieldByYAMLName(st, name); !ok {
				text := fmt.Sprintf("unknown field %q", name)
				if len(s.w) == 0 {
					text += " in " + kindName(st)
				}
				if near, ok := Nearest(name, yamlFields(st)); ok {
					text += fmt.Sprintf(" (did you mean %q?)", near)
				}
				keyMsgs = append(keyMsgs, text)
			}
		}
	}
	if len(keyMsgs) > 0 {
		return prefixed(keyWhere, keyMsgs[min(nth, len(keyMsgs)-1)])
	}
	for _, s := range sites {
		if s.parent != nil {
			continue
		}
		tag := s.node.ShortTag()
		got := tagName(tag)
		if s.node.Kind == yaml.ScalarNode {
			// As the decoder does: a long value is cut to its first
			// seven characters.
			v := s.node.Value
			if len(v) > 10 {
				v = v[:7] + "..."
			}
			got += fmt.Sprintf(" %q", v)
		}
		return prefixed(s.w, fmt.Sprintf("got %s, want %s%s", got, typeName(s.t), tagHint(tag)))
	}
	return prefixed(nil, e.Message)
}

// kinds names the profile types whose values are named in error messages.
var kinds = map[reflect.Type]string{
	reflect.TypeFor[Catalog](): "catalog",
	reflect.TypeFor[Schema]():  "schema",
	reflect.TypeFor[Table]():   "table",
	reflect.TypeFor[Column]():  "column",
	reflect.TypeFor[Filter]():  "filter",
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// kindName is the word for a struct type of the profile in error messages.
func kindName(t reflect.Type) string {
	if k, ok := kinds[t]; ok {
		return k
	}
	switch t {
	case reflect.TypeFor[Write]():
		return "insert, update or delete"
	case reflect.TypeFor[Profile]():
		return "profile"
	}
	return strings.ToLower(t.Name())
}

// typeName describes a Go type of the profile as a YAML value.
func typeName(t reflect.Type) string {
	t = deref(t)
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.Struct:
		return "a mapping (" + kindName(t) + ")"
	case reflect.Slice, reflect.Map:
		what := "a list of "
		if t.Kind() == reflect.Map {
			what = "a mapping of "
		}
		switch e := deref(t.Elem()); {
		case e.Kind() == reflect.String:
			return what + "strings"
		case e.Kind() == reflect.Struct:
			return what + kindName(e) + "s"
		}
	}
	return t.String()
}

// tagName describes a YAML tag.
func tagName(tag string) string {
	switch tag {
	case "!!str":
		return "string"
	case "!!int":
		return "integer"
	case "!!float":
		return "number"
	case "!!bool":
		return "boolean"
	case "!!null":
		return "null"
	case "!!seq":
		return "a list"
	case "!!map":
		return "a mapping"
	case "!!timestamp":
		return "timestamp"
	}
	return tag
}

// yamlFields returns the YAML names of a struct type's fields.
func yamlFields(t reflect.Type) []string {
	var names []string
	for i := 0; i < t.NumField(); i++ {
		if name := yamlName(t.Field(i)); name != "" {
			names = append(names, name)
		}
	}
	return names
}

func yamlName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if name == "-" || !f.IsExported() {
		return ""
	}
	return name
}

// sitesAt walks the document root alongside the Profile type and returns
// the nodes at the given line and column: values, and keys of mappings
// (with the mapping as parent). A block mapping starts where its first key
// does, so there can be two.
func sitesAt(root *yaml.Node, line, column int) []site {
	var sites []site
	keysAt := func(n *yaml.Node, t reflect.Type, w where) {
		if n.Kind != yaml.MappingNode {
			return
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if k := n.Content[i]; k.Line == line && k.Column == column {
				sites = append(sites, site{node: k, t: t, w: w, parent: n, index: i})
			}
		}
	}
	var walk func(n *yaml.Node, t reflect.Type, w where)
	walk = func(n *yaml.Node, t reflect.Type, w where) {
		t = deref(t)
		if n.Kind == yaml.DocumentNode {
			if len(n.Content) > 0 {
				walk(n.Content[0], t, w)
			}
			return
		}
		if n.Line == line && n.Column == column {
			sites = append(sites, site{node: n, t: t, w: w})
		}
		keysAt(n, t, w)
		switch {
		case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				f, ok := fieldByYAMLName(t, k.Value)
				if !ok {
					continue
				}
				ft := deref(f.Type)
				if (ft.Kind() == reflect.Map || ft.Kind() == reflect.Slice) && kinds[deref(ft.Elem())] != "" {
					// A collection of named values (catalogs, columns, ...):
					// the elements' names say enough.
					if v.Line == line && v.Column == column {
						sites = append(sites, site{node: v, t: ft, w: w.with(k.Value)})
					}
					keysAt(v, ft, w.with(k.Value))
					walkElems(v, ft, w, walk)
					continue
				}
				walk(v, ft, w.with(k.Value))
			}
		case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
			for i := 0; i+1 < len(n.Content); i += 2 {
				walk(n.Content[i+1], t.Elem(), w.with(n.Content[i].Value))
			}
		case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
			for i, e := range n.Content {
				walk(e, t.Elem(), w.with("#"+strconv.Itoa(i+1)))
			}
		case n.Kind == yaml.SequenceNode && t.Kind() == reflect.String:
			// A string that may be written as a list of strings (a
			// column's format: see Column.UnmarshalYAML).
			for _, e := range n.Content {
				walk(e, t, w)
			}
		}
	}
	if root != nil {
		walk(root, reflect.TypeFor[Profile](), nil)
	}
	return sites
}

// walkElems walks the elements of a collection of named values, each in the
// context "kind name". The keys of a mapping of them are in the context of
// the collection's owner.
func walkElems(n *yaml.Node, t reflect.Type, w where, walk func(*yaml.Node, reflect.Type, where)) {
	kind := kinds[deref(t.Elem())]
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walk(n.Content[i+1], t.Elem(), w.with(kind+" "+n.Content[i].Value))
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, e := range n.Content {
			label := kind + " #" + strconv.Itoa(i+1)
			if name := scalarValue(e, "name"); name != "" {
				label = kind + " " + name
			}
			walk(e, t.Elem(), w.with(label))
		}
	}
}

// scalarValue returns the scalar value of key in mapping n, or "".
func scalarValue(n *yaml.Node, key string) string {
	if n.Kind != yaml.MappingNode {
		return ""
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
}

func fieldByYAMLName(t reflect.Type, name string) (reflect.StructField, bool) {
	for i := 0; i < t.NumField(); i++ {
		if f := t.Field(i); yamlName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// yamlCompatibleJSON rewrites the two JSON string escapes that the YAML
// decoder does not read, keeping every line where it is: "\/" becomes "/"
// and a UTF-16 surrogate pair "\uD83D\uDE00" becomes "\U0001F600" (a lone
// surrogate becomes U+FFFD). Data that is not valid JSON is returned as it is.
func yamlCompatibleJSON(data []byte) []byte {
	trimmed := bytes.TrimLeft(data, " \t\r\n\ufeff")
	if len(trimmed) == 0 || (trimmed[0] != '{' && trimmed[0] != '[') || !bytes.Contains(data, []byte(`\`)) || !json.Valid(trimmed) {
		return data
	}
	out := make([]byte, 0, len(data))
	inString := false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(data):
			switch data[i+1] {
			case '/':
				out = append(out, '/')
				i++
				continue
			case 'u':
				r1, ok := hex4(data[i+2:])
				if !ok || !utf16.IsSurrogate(r1) {
					break
				}
				if i+7 < len(data) && data[i+6] == '\\' && data[i+7] == 'u' {
					if r2, ok := hex4(data[i+8:]); ok {
						if r := utf16.DecodeRune(r1, r2); r != unicode.ReplacementChar {
							out = fmt.Appendf(out, `\U%08X`, r)
							i += 11
							continue
						}
					}
				}
				out = append(out, `\uFFFD`...)
				i += 5
				continue
			}
			out = append(out, c, data[i+1])
			i++
			continue
		}
		out = append(out, c)
	}
	return out
}

// hex4 decodes four hex digits at the start of b.
func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[:4]), 16, 32)
	return rune(v), err == nil
}

// flowURL matches an unquoted url value holding a {placeholder}, as written
// inside a YAML flow mapping: url: /posts/{id}.
var flowURL = regexp.MustCompile(`(\burl:[ \t]*)((?:[^\s,{}"'\[\]]|\{[A-Za-z_][A-Za-z0-9_]*\})*\{[A-Za-z_][A-Za-z0-9_]*\}(?:[^\s,{}"'\[\]]|\{[A-Za-z_][A-Za-z0-9_]*\})*)`)

// quoteFlowURLs double-quotes every such value, leaving lines where they are.
func quoteFlowURLs(data []byte) []byte {
	return flowURL.ReplaceAll(data, []byte(`${1}"${2}"`))
}

// UnmarshalYAML reads a combine rule: a separator string, or a mapping of
// sep, base, prefix and suffix.
func (c *Combine) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		return n.Load(&c.Sep)
	}
	type plain Combine
	return n.Load((*plain)(c), yaml.WithKnownFields())
}
