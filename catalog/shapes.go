package catalog

import (
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v4"
)

// This file holds the profile settings for API shapes beyond a flat array
// of objects: child rows (each:, keepEmpty:, ^. paths), header rows
// (header: first), a nested select list (select.under) and a column's list
// of datetime formats.

// HeaderFirst is the Header value that reads the first array of the first
// page as the column names.
const HeaderFirst = "first"

// ParentPrefix starts a column path that reads the enclosing row of a
// table with each: ("^.id").
const ParentPrefix = "^."

// ParentPath reports whether a column path reads an enclosing row (it
// starts with ^.) and returns the path inside that row.
func ParentPath(path string) (string, bool) {
	if rest, ok := strings.CutPrefix(path, ParentPrefix); ok {
		return rest, true
	}
	return path, false
}

// ParentLevels returns how many rows up a column path reads (the number
// of leading ^.) and the path inside that row.
func ParentLevels(path string) (rest string, up int) {
	for {
		r, ok := strings.CutPrefix(path, ParentPrefix)
		if !ok {
			return path, up
		}
		path, up = r, up+1
	}
}

// LevelSep separates the levels of a nested each: path
// (line_items.#.tax_lines: the tax lines of each line item).
const LevelSep = ".#."

// EachLevels splits an each: path into its levels: the path of the array
// in each row, then the path of the array in each of its elements, ...
func EachLevels(each string) []string {
	if each == "" {
		return nil
	}
	return strings.Split(each, LevelSep)
}

// UnmarshalYAML reads a column; its format may be a list of formats
// (format: ["2006-01-02", rfc1123z]), kept in Formats with the first in
// Format.
func (c *Column) UnmarshalYAML(n *yaml.Node) error {
	type plain Column
	var formats []string
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			if v := n.Content[i+1]; n.Content[i].Value == "format" && v.Kind == yaml.SequenceNode {
				if err := v.Load(&formats); err != nil {
					return err
				}
				if formats == nil {
					formats = []string{}
				}
				first := ""
				if len(formats) > 0 {
					first = formats[0]
				}
				cp := *n
				cp.Content = slices.Clone(n.Content)
				cp.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: first, Line: v.Line, Column: v.Column}
				n = &cp
				break
			}
		}
	}
	if err := n.Load((*plain)(c), yaml.WithKnownFields()); err != nil {
		return err
	}
	if formats != nil {
		c.Formats = formats
	}
	return nil
}

// shapes checks a table's each, keepEmpty, header, ^. column paths and
// select.under.
func (c *checker) shapes(w where, t *Table) {
	if t.Each != "" && strings.TrimSpace(t.Each) == "" {
		c.add(w.with("each"), "path is blank")
	}
	if strings.HasPrefix(t.Each, ParentPrefix) {
		c.add(w.with("each"), "path %q starts with ^. (each: is a path inside each row)", t.Each)
	}
	levels := EachLevels(t.Each)
	for _, l := range levels {
		if strings.TrimSpace(l) == "" && strings.TrimSpace(t.Each) != "" {
			c.add(w.with("each"), "path %q has an empty level (levels are separated by .#.)", t.Each)
			break
		}
	}
	if t.KeepEmpty && t.Each == "" {
		c.add(w.with("keepEmpty"), "keepEmpty is used with each: only")
	}
	if t.Header != "" {
		if h, ok := canonical([]string{HeaderFirst}, strings.TrimSpace(t.Header)); ok {
			t.Header = h
		} else {
			c.add(w.with("header"), "unknown header %q (want first)", t.Header)
		}
		if t.Each != "" {
			c.add(w.with("header"), "header and each exclude each other")
		}
	}
	if t.Each != "" || t.Header != "" {
		for _, wr := range []struct {
			name string
			w    *Write
		}{{"insert", t.Insert}, {"update", t.Update}, {"delete", t.Delete}} {
			if wr.w != nil {
				c.add(w.with(wr.name), "a table with each: or header: is read only")
			}
		}
	}
	for _, col := range t.Columns {
		if col == nil || col.Implicit {
			continue
		}
		cw := w.with("column " + col.Name)
		rest, up := ParentLevels(col.Path)
		switch {
		case up > 0 && t.Each == "":
			c.add(cw.at("path"), "path %q reads the enclosing row (^.), which only a table with each: has", col.Path)
		case up > 0 && rest == "":
			c.add(cw.at("path"), "path %q names no field of the enclosing row", col.Path)
		case up > len(levels):
			c.add(cw.at("path"), "path %q goes up %d rows, but each: %s has %d level(s)", col.Path, up, t.Each, len(levels))
		}
	}
	if s := t.Select; s != nil && s.Under != "" {
		if strings.TrimSpace(s.Under) == "" || strings.ContainsAny(s.Under, PathSpecialChars) || strings.HasPrefix(s.Under, ".") || strings.HasSuffix(s.Under, ".") {
			c.add(w.with("select", "under"), "%q is not a plain path (keys separated by dots)", s.Under)
		}
	}
	if t.Select != nil && t.Header != "" {
		c.add(w.with("select"), "a header: first table's columns are cells, not fields a select can name")
	}
}

// PathSpecialChars are the characters that make a gjson path more than
// plain keys separated by dots.
const PathSpecialChars = `\*?#@|!{}[]()=<>%"~,:^`

// formats checks a column's list of datetime formats and rewrites the
// named ones (unix, unixms, rfc1123z) in canonical form.
func (c *checker) formats(w where, col *Column) {
	if col.Formats == nil {
		return
	}
	if len(col.Formats) == 0 {
		c.add(w.at("format"), "format list is empty (want at least one format)")
		return
	}
	if col.Type != TypeDatetime {
		return // the single-format check says so
	}
	for i, f := range col.Formats {
		switch {
		case i == 0 && f != "":
			col.Formats[0] = col.Format // checked as the column's format
		case strings.EqualFold(f, FormatUnix), strings.EqualFold(f, FormatUnixMs):
			col.Formats[i] = strings.ToLower(f)
		case strings.EqualFold(f, FormatRFC1123Z):
			col.Formats[i] = time.RFC1123Z
		case strings.TrimSpace(f) == "":
			c.add(w.at("format"), "format #%d is empty", i+1)
		case !isTimeLayout(f):
			c.add(w.at("format"), "format #%d %q is not a Go time layout (e.g. \"2006-01-02 15:04:05\"), unix, unixms or rfc1123z", i+1, f)
		}
	}
	if len(col.Formats) == 1 {
		col.Formats = nil
	}
}
