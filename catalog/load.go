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

	"go.yaml.in/yaml/v3"
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
		p = p2
	}
	p.Path = path
	if err := p.Validate(); err != nil {
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
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil && !errors.Is(err, io.EOF) {
		return nil, decodeError(err, data, prefix)
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
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

var (
	reLine       = regexp.MustCompile(`^line (\d+): (.*)$`)
	reUnknown    = regexp.MustCompile(`^field (.*) not found in type (\S+)$`)
	reDuplicate  = regexp.MustCompile(`^mapping key (".*") already defined at line (\d+)$`)
	reUnmarshal  = regexp.MustCompile("^cannot unmarshal (\\S+)(?: `(.*)`)? into (\\S+)$")
	profileTypes = map[string]reflect.Type{}
)

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

// decodeError rewrites an error of the YAML decoder.
func decodeError(err error, data []byte, prefix string) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return &decodeErr{msg: prefix + strings.TrimPrefix(err.Error(), "yaml: "), err: err}
	}
	var root yaml.Node
	if yaml.Unmarshal(data, &root) != nil {
		root = yaml.Node{}
	}
	msgs := make([]string, len(te.Errors))
	for i, e := range te.Errors {
		msgs[i] = prefix + typeErrorMessage(e, &root)
	}
	return &decodeErr{msg: strings.Join(msgs, "\n"), err: err}
}

// typeErrorMessage rewrites one message of a *yaml.TypeError, adding the
// catalog, schema, table and field it is about, found in the document root.
func typeErrorMessage(e string, root *yaml.Node) string {
	m := reLine.FindStringSubmatch(e)
	if m == nil {
		return e
	}
	line, _ := strconv.Atoi(m[1])
	msg := m[2]
	prefixed := func(w where, msg string) string {
		if len(w) > 0 {
			msg = strings.Join(w, ": ") + ": " + msg
		}
		return "line " + m[1] + ": " + msg
	}
	if u := reUnknown.FindStringSubmatch(msg); u != nil {
		name, typeName := u[1], u[2]
		t := profileTypes[typeName]
		text := fmt.Sprintf("unknown field %q", name)
		w, found := locate(root, func(n *yaml.Node, nt reflect.Type) bool {
			return nt == t && n.Kind == yaml.MappingNode && hasKey(n, line, name)
		})
		if !found || len(w) == 0 {
			text += " in " + kindName(t, typeName)
		}
		if t != nil {
			if s, ok := Nearest(name, yamlFields(t)); ok {
				text += fmt.Sprintf(" (did you mean %q?)", s)
			}
		}
		return prefixed(w, text)
	}
	if d := reDuplicate.FindStringSubmatch(msg); d != nil {
		name, _ := strconv.Unquote(d[1])
		w, _ := locate(root, func(n *yaml.Node, _ reflect.Type) bool {
			return n.Kind == yaml.MappingNode && hasKey(n, line, name)
		})
		return prefixed(w, fmt.Sprintf("duplicate key %s (first at line %s)", d[1], d[2]))
	}
	if u := reUnmarshal.FindStringSubmatch(msg); u != nil {
		tag, value, into := u[1], u[2], u[3]
		w, _ := locate(root, func(n *yaml.Node, nt reflect.Type) bool {
			return n.Line == line && n.ShortTag() == tag && nt.String() == into
		})
		got := tagName(tag)
		if value != "" {
			got += fmt.Sprintf(" %q", value)
		}
		return prefixed(w, fmt.Sprintf("got %s, want %s", got, typeName(into)))
	}
	return prefixed(nil, msg)
}

// hasKey reports whether mapping n has the key name on the given line.
func hasKey(n *yaml.Node, line int, name string) bool {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Line == line && k.Value == name {
			return true
		}
	}
	return false
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
func kindName(t reflect.Type, typeName string) string {
	if t == nil {
		return typeName
	}
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
func typeName(goType string) string {
	switch goType {
	case "string":
		return "a string"
	case "int":
		return "an integer"
	case "bool":
		return "true or false"
	case "[]string":
		return "a list of strings"
	case "map[string]string":
		return "a mapping of strings"
	}
	if t, ok := profileTypes[strings.TrimLeft(goType, "*")]; ok {
		return "a mapping (" + kindName(t, goType) + ")"
	}
	for _, t := range profileTypes {
		k := kindName(t, "")
		switch goType {
		case "map[string]*" + t.String():
			return "a mapping of " + k + "s"
		case "[]*" + t.String():
			return "a list of " + k + "s"
		}
	}
	return goType
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

// locate walks the document root alongside the Profile type and returns the
// context (catalog, schema, table, column, filter and field names) of the
// first node for which match is true.
func locate(root *yaml.Node, match func(n *yaml.Node, t reflect.Type) bool) (where, bool) {
	var found where
	var walk func(n *yaml.Node, t reflect.Type, w where) bool
	walk = func(n *yaml.Node, t reflect.Type, w where) bool {
		t = deref(t)
		if n.Kind == yaml.DocumentNode {
			return len(n.Content) > 0 && walk(n.Content[0], t, w)
		}
		if match(n, t) {
			found = w
			return true
		}
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
					if match(v, ft) {
						found = w.with(k.Value)
						return true
					}
					if walkElems(v, ft, w, walk) {
						return true
					}
					continue
				}
				if walk(v, ft, w.with(k.Value)) {
					return true
				}
			}
		case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
			for i := 0; i+1 < len(n.Content); i += 2 {
				if walk(n.Content[i+1], t.Elem(), w.with(n.Content[i].Value)) {
					return true
				}
			}
		case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
			for i, e := range n.Content {
				if walk(e, t.Elem(), w.with("#"+strconv.Itoa(i+1))) {
					return true
				}
			}
		}
		return false
	}
	if root == nil {
		return nil, false
	}
	ok := walk(root, reflect.TypeFor[Profile](), nil)
	return found, ok
}

// walkElems walks the elements of a collection of named values, each in the
// context "kind name".
func walkElems(n *yaml.Node, t reflect.Type, w where, walk func(*yaml.Node, reflect.Type, where) bool) bool {
	kind := kinds[deref(t.Elem())]
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if walk(n.Content[i+1], t.Elem(), w.with(kind+" "+n.Content[i].Value)) {
				return true
			}
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, e := range n.Content {
			label := kind + " #" + strconv.Itoa(i+1)
			if name := scalarValue(e, "name"); name != "" {
				label = kind + " " + name
			}
			if walk(e, t.Elem(), w.with(label)) {
				return true
			}
		}
	}
	return false
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
