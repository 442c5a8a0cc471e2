package catalog

import (
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v4"
)

// ProfileError is one problem that Validate found in a profile. Its text
// names the file and, for a profile read from YAML or JSON, the line and
// column of the offending field, then the catalog, schema, table and field:
//
//	catalog: profile shop.yaml:42:9: catalog API: schema S: table orders: column total: unknown type "money" (...)
//
// Validate joins the problems it finds (errors.Join); errors.As finds the
// first of them.
type ProfileError struct {
	// Path is the profile's file ("" for a profile built in Go).
	Path string
	// Line and Column (1-based) locate the field; 0 when unknown.
	Line, Column int
	// Where is the context: "catalog A", "schema S", "table t", "column
	// id", "pagination", ...
	Where []string
	// Message says what is wrong.
	Message string
}

func (e *ProfileError) Error() string {
	var b strings.Builder
	b.WriteString("catalog: ")
	switch {
	case e.Path != "" && e.Line > 0:
		b.WriteString("profile " + e.Path + ":" + strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Column) + ": ")
	case e.Path != "":
		b.WriteString("profile " + e.Path + ": ")
	case e.Line > 0:
		b.WriteString("line " + strconv.Itoa(e.Line) + ", column " + strconv.Itoa(e.Column) + ": ")
	}
	for _, w := range e.Where {
		b.WriteString(w + ": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// positions maps a where path (joined by posSep) to the position of the
// node it names in the profile's YAML document: for a mapping entry, its
// key; for a list element, the element.
type positions map[string]yaml.Mark

const posSep = "\x1f"

// hint marks the last element of a where that locates a problem without
// being printed (see where.at).
const hint = "\x00"

// at is w with a field that locates the problem more closely than w names
// it; the field is not shown in the message.
func (w where) at(field string) where {
	return w.with(hint + field)
}

// as is w with its last element located as other: a column whose name
// an earlier column has is found by its index ("column #2").
func (w where) as(other string) where {
	return w.with(hint + "=" + other)
}

// lookup returns the position of the deepest node that w (or a prefix of
// it) names.
func (ps positions) lookup(w where) (yaml.Mark, bool) {
	parts := make([]string, 0, len(w))
	for _, s := range w {
		if other, ok := strings.CutPrefix(s, hint+"="); ok && len(parts) > 0 {
			parts[len(parts)-1] = other
			continue
		}
		parts = append(parts, strings.TrimPrefix(s, hint))
	}
	for n := len(parts); n > 0; n-- {
		if m, ok := ps[strings.Join(parts[:n], posSep)]; ok {
			return m, true
		}
	}
	return yaml.Mark{}, false
}

// indexPositions walks the document root alongside the Profile type and
// records the position of every node under the where path that Validate
// reports it with. Aliases are not followed (an alias bomb would blow up,
// and the anchor's line is elsewhere): a problem under one is located at
// the alias's owner.
func indexPositions(root *yaml.Node) positions {
	ps := positions{}
	put := func(w where, n *yaml.Node) {
		key := strings.Join(w, posSep)
		if _, ok := ps[key]; !ok && n.Line > 0 {
			ps[key] = yaml.Mark{Line: n.Line, Column: n.Column}
		}
	}
	var walk func(n *yaml.Node, t reflect.Type, w where)
	walk = func(n *yaml.Node, t reflect.Type, w where) {
		t = deref(t)
		switch {
		case n.Kind == yaml.DocumentNode:
			if len(n.Content) > 0 {
				walk(n.Content[0], t, w)
			}
		case n.Kind == yaml.MappingNode && t.Kind() == reflect.Struct:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				f, ok := fieldByYAMLName(t, k.Value)
				if !ok {
					continue
				}
				ft := deref(f.Type)
				if (ft.Kind() == reflect.Map || ft.Kind() == reflect.Slice) && kinds[deref(ft.Elem())] != "" {
					// A collection of named values: its elements are
					// named "kind name" in the context of the owner.
					put(w.with(k.Value), k)
					indexElems(v, ft, w, put, walk)
					continue
				}
				put(w.with(k.Value), k)
				walk(v, ft, w.with(k.Value))
			}
		case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k := n.Content[i]
				put(w.with(k.Value), k)
				walk(n.Content[i+1], t.Elem(), w.with(k.Value))
			}
		case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
			// A list of values (sort columns, ...): element i is "#i".
			for i, e := range n.Content {
				ew := w.with("#" + strconv.Itoa(i+1))
				put(ew, e)
				walk(e, t.Elem(), ew)
			}
		}
	}
	if root != nil {
		walk(root, reflect.TypeFor[Profile](), nil)
	}
	return ps
}

// indexElems records the elements of a collection of named values (the
// catalogs, schemas, tables, columns, filters) as "kind name"; a column
// without a name is "column #i", and a filter is also recorded under its
// operator's canonical spelling, as Validate names it.
func indexElems(n *yaml.Node, t reflect.Type, w where, put func(where, *yaml.Node), walk func(*yaml.Node, reflect.Type, where)) {
	kind := kinds[deref(t.Elem())]
	switch {
	case n.Kind == yaml.MappingNode && t.Kind() == reflect.Map:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ew := w.with(kind + " " + k.Value)
			put(ew, k)
			if kind == "filter" {
				if op, ok := CanonicalOperator(k.Value); ok {
					put(w.with(kind+" "+op), k)
				}
			}
			walk(v, t.Elem(), ew)
		}
	case n.Kind == yaml.SequenceNode && t.Kind() == reflect.Slice:
		for i, e := range n.Content {
			ew := w.with(kind + " #" + strconv.Itoa(i+1))
			put(ew, e)
			walk(e, t.Elem(), ew)
			if name := scalarValue(e, "name"); name != "" {
				ew = w.with(kind + " " + name)
				put(ew, e)
				walk(e, t.Elem(), ew)
			}
		}
	}
}
