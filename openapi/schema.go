package openapi

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/discover"
)

// maxFlattenDepth is the longest key path a nested object is flattened to;
// a deeper object is a json column.
const maxFlattenDepth = 4

// maxMergeDepth bounds allOf/oneOf/anyOf nesting (and so reference cycles).
const maxMergeDepth = 8

// property is one property of an object schema.
type property struct {
	name string
	ref  *openapi3.SchemaRef
	// line and col are where the property is written, for document order.
	line, col int
	// part orders properties from several allOf parts.
	part int
}

func schemaOf(ref *openapi3.SchemaRef) *openapi3.Schema {
	if ref == nil {
		return nil
	}
	return ref.Value
}

// types returns a schema's types without null, inferring object, array or
// a scalar type from properties, items, allOf parts or enum values.
func types(s *openapi3.Schema) []string {
	return typesSeen(s, map[*openapi3.Schema]bool{}, 0)
}

// typesSeen is types; seen holds the schemas already visited, so a
// reference cycle or a diamond of allOf parts is visited once.
func typesSeen(s *openapi3.Schema, seen map[*openapi3.Schema]bool, depth int) []string {
	if s == nil || seen[s] || depth > maxMergeDepth {
		return nil
	}
	seen[s] = true
	var ts []string
	if s.Type != nil {
		for _, t := range s.Type.Slice() {
			if t != "null" && !slices.Contains(ts, t) {
				ts = append(ts, t)
			}
		}
	}
	if len(ts) > 0 {
		return ts
	}
	switch {
	case len(s.Properties) > 0 || s.AdditionalProperties.Has != nil || s.AdditionalProperties.Schema != nil:
		return []string{"object"}
	case s.Items != nil:
		return []string{"array"}
	}
	add := func(more []string) {
		for _, t := range more {
			if !slices.Contains(ts, t) {
				ts = append(ts, t)
			}
		}
	}
	for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, part := range group {
			add(typesSeen(schemaOf(part), seen, depth+1))
		}
	}
	if len(ts) == 0 {
		for _, v := range s.Enum {
			switch v.(type) {
			case string:
				add([]string{"string"})
			case bool:
				add([]string{"boolean"})
			case float64, int, int64:
				add([]string{"number"})
			}
		}
	}
	return ts
}

func isType(s *openapi3.Schema, t string) bool {
	ts := types(s)
	return len(ts) == 1 && ts[0] == t
}

// properties lists an object schema's properties in document order, with
// allOf parts merged and oneOf/anyOf alternatives united (the first
// definition of a name wins).
func properties(s *openapi3.Schema) []property {
	var out []property
	seen := map[string]bool{}
	visited := map[*openapi3.Schema]bool{}
	part := 0
	var walk func(s *openapi3.Schema, depth int)
	walk = func(s *openapi3.Schema, depth int) {
		if s == nil || visited[s] || depth > maxMergeDepth {
			return
		}
		visited[s] = true
		p := part
		part++
		for name, ref := range s.Properties {
			if seen[name] || ref == nil {
				continue
			}
			seen[name] = true
			line, col := 1<<30, 0
			if ref.Origin != nil && ref.Origin.Key != nil {
				line, col = ref.Origin.Key.Line, ref.Origin.Key.Column
			}
			out = append(out, property{name: name, ref: ref, line: line, col: col, part: p})
		}
		for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, sub := range group {
				walk(schemaOf(sub), depth+1)
			}
		}
	}
	walk(s, 0)
	slices.SortStableFunc(out, func(a, b property) int {
		return cmp.Or(cmp.Compare(a.part, b.part), cmp.Compare(a.line, b.line), cmp.Compare(a.col, b.col), cmp.Compare(a.name, b.name))
	})
	return out
}

// allOfFirst returns the first non-zero get(s) of a schema and its allOf
// parts, depth first, visiting each schema once.
func allOfFirst[T comparable](s *openapi3.Schema, get func(*openapi3.Schema) T) T {
	var zero T
	seen := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema, depth int) T
	walk = func(s *openapi3.Schema, depth int) T {
		if s == nil || seen[s] || depth > maxMergeDepth {
			return zero
		}
		seen[s] = true
		if v := get(s); v != zero {
			return v
		}
		for _, part := range s.AllOf {
			if v := walk(schemaOf(part), depth+1); v != zero {
				return v
			}
		}
		return zero
	}
	return walk(s, 0)
}

// readOnly reports whether a schema (or any of its allOf parts) is readOnly.
func readOnly(s *openapi3.Schema) bool {
	return allOfFirst(s, func(s *openapi3.Schema) bool { return s.ReadOnly })
}

// format returns a schema's format, looking into allOf parts.
func format(s *openapi3.Schema) string {
	return allOfFirst(s, func(s *openapi3.Schema) string { return s.Format })
}

// description returns a schema's description (or title), on one line.
func description(s *openapi3.Schema) string {
	if s == nil {
		return ""
	}
	if s.Description != "" {
		return oneLine(s.Description)
	}
	return oneLine(s.Title)
}

// flattens reports whether an object schema's properties become columns
// at a key path depth, when objects are flattened up to maxDepth.
func flattens(s *openapi3.Schema, depth, maxDepth int) bool {
	return depth < maxDepth && isType(s, "object") && len(properties(s)) > 0
}

// columnType maps a schema to a column type and datetime format.
func columnType(s *openapi3.Schema) (typ catalog.Type, layout string) {
	ts := types(s)
	switch {
	case len(ts) == 0:
		return catalog.TypeJSON, ""
	case len(ts) > 1:
		for _, t := range ts {
			if t == "object" || t == "array" {
				return catalog.TypeJSON, ""
			}
		}
		if !slices.ContainsFunc(ts, func(t string) bool { return t != "integer" && t != "number" }) {
			return catalog.TypeFloat, ""
		}
		return catalog.TypeString, ""
	}
	switch ts[0] {
	case "integer":
		return catalog.TypeInt, ""
	case "number":
		return catalog.TypeFloat, ""
	case "boolean":
		return catalog.TypeBool, ""
	case "string":
		switch strings.ToLower(format(s)) {
		case "date-time":
			return catalog.TypeDatetime, ""
		case "date":
			return catalog.TypeDatetime, "2006-01-02"
		}
		return catalog.TypeString, ""
	}
	return catalog.TypeJSON, ""
}

// columns makes the columns of an item schema: one per property, nested
// objects flattened, a property named id the key. With maxColumns > 0,
// nested objects are flattened less deeply (down to none: each a json
// column) until the columns are at most maxColumns; the top-level
// properties are always columns.
func columns(item *openapi3.Schema, maxColumns int) []*catalog.Column {
	depth := maxFlattenDepth
	for maxColumns > 0 && depth > 1 && countColumns(item, depth, maxColumns) > maxColumns {
		depth--
	}
	return flatColumns(item, depth)
}

// countColumns counts the columns flatColumns makes at maxDepth, stopping
// once there are more than limit.
func countColumns(item *openapi3.Schema, maxDepth, limit int) int {
	n := 0
	open := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema, depth int)
	walk = func(s *openapi3.Schema, depth int) {
		open[s] = true
		defer delete(open, s)
		for _, p := range properties(s) {
			if n > limit {
				return
			}
			if ps := schemaOf(p.ref); !open[ps] && flattens(ps, depth+1, maxDepth) {
				walk(ps, depth+1)
				continue
			}
			n++
		}
	}
	walk(item, 0)
	return n
}

// flatColumns is columns with nested objects flattened to key paths of
// at most maxDepth keys.
func flatColumns(item *openapi3.Schema, maxDepth int) []*catalog.Column {
	var cols []*catalog.Column
	taken := map[string]bool{}
	// open holds the schemas being flattened: a schema that contains
	// itself (a tree node, a user's manager) is a json column there.
	open := map[*openapi3.Schema]bool{}
	var walk func(s *openapi3.Schema, keys []string)
	walk = func(s *openapi3.Schema, keys []string) {
		open[s] = true
		defer delete(open, s)
		for _, p := range properties(s) {
			ps := schemaOf(p.ref)
			path := append(keys[:len(keys):len(keys)], p.name)
			if !open[ps] && flattens(ps, len(path), maxDepth) {
				walk(ps, path)
				continue
			}
			typ, layout := columnType(ps)
			col := &catalog.Column{
				Name:        uniqueName(discover.ColumnName(path), taken),
				Type:        typ,
				Format:      layout,
				ReadOnly:    readOnly(ps),
				Description: description(ps),
			}
			if pp := discover.Path(path); pp != col.Name {
				col.Path = pp
			}
			if len(path) == 1 && strings.EqualFold(p.name, "id") && (typ == catalog.TypeInt || typ == catalog.TypeString) {
				col.Key = true
			}
			cols = append(cols, col)
		}
	}
	walk(item, nil)
	return cols
}

// uniqueName returns name, or name_2, name_3, ... when a name equal under
// case folding is taken, and takes it.
func uniqueName(name string, taken map[string]bool) string {
	n := name
	for i := 2; taken[strings.ToLower(n)]; i++ {
		n = name + "_" + strconv.Itoa(i)
	}
	taken[strings.ToLower(n)] = true
	return n
}

// columnAt returns the column whose path (or name) is the JSON key path
// written as a.b.c, or nil.
func columnAt(t *catalog.Table, dotted string) *catalog.Column {
	want := discover.Path(strings.Split(dotted, "."))
	for _, c := range t.Columns {
		path := c.Path
		if path == "" {
			path = c.Name
		}
		if path == want || path == dotted {
			return c
		}
	}
	return nil
}

// columnLike returns the column whose name matches a parameter's name
// with case and separators ignored (assignee_id for assignee.id, whose
// column is assigneeId; Twilio's ParentCallSid for parent_call_sid), or
// nil. Path parameters' columns are not matched.
func columnLike(t *catalog.Table, name string) *catalog.Column {
	want := normName(name)
	for _, c := range t.Columns {
		if normName(c.Name) == want && !strings.HasPrefix(c.Description, "Path parameter") && !strings.HasPrefix(c.Description, "Required query parameter") {
			return c
		}
	}
	return nil
}

// columnNamed returns the column with a name (case-insensitive), or nil.
func columnNamed(t *catalog.Table, name string) *catalog.Column {
	for _, c := range t.Columns {
		if strings.EqualFold(c.Name, name) {
			return c
		}
	}
	return nil
}
