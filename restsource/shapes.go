package restsource

import (
	"fmt"
	"strings"

	"github.com/restsql/restsql/catalog"
)

// This file holds what the table shapes of package rowscan change in the
// pushdown: a table with each: reads one row per element of an array
// inside each row the API returns, so the API's limit, total, sort and
// filters apply to those enclosing rows; a header: first table's first
// array is no row.

// walkLimit is the number of the API's rows (at the rows path) that the
// walk wants: the scan's limit for a flat table; for child rows with
// keepEmpty, the same (each enclosing row gives at least one row); else
// unknown (-1), as an enclosing row may give none: a LIMIT n of child rows
// is never a page size or limit of n enclosing rows. The scan still stops
// once it has its rows.
func (p *Plan) walkLimit() int64 {
	if p.shape.Header || (p.shape.Each != "" && !p.shape.KeepEmpty) {
		return -1
	}
	return p.limit
}

// shapeLimit says why the table's limit: cannot carry the query's LIMIT
// ("" when it can).
func (s *Source) shapeLimit() string {
	switch {
	case s.shape.Header:
		return "limit: the API's limit counts the header row too (header: first)"
	case s.shape.Each != "" && !s.shape.KeepEmpty:
		return fmt.Sprintf("limit: the API's limit counts the rows that hold each: %s, which may have no element", s.shape.Each)
	}
	return ""
}

// parentColumn reports whether c reads the API's row in a table with
// each: (a path with one ^. per level of each:).
func (s *Source) parentColumn(c *catalog.Column) bool {
	if s.shape.Each == "" {
		return false
	}
	_, up := catalog.ParentLevels(columnPath(c))
	return up > 0 && up >= len(catalog.EachLevels(s.shape.Each))
}

// childColumn reports whether c reads the elements of a table with each:
// (at any level; not the API's row, not a URL key).
func (s *Source) childColumn(c *catalog.Column) bool {
	return s.shape.Each != "" && !c.Implicit && !s.parentColumn(c) && !s.isURLKey(c)
}

// isURLKey reports whether c is a {placeholder} of the list or get URL.
func (s *Source) isURLKey(c *catalog.Column) bool {
	for _, t := range []*urlTemplate{s.list, s.get} {
		if t == nil {
			continue
		}
		for _, n := range t.names {
			if strings.EqualFold(n, c.Name) {
				return true
			}
		}
	}
	return false
}

// apiPath is the path of c in the API's rows: a ^. column's path without
// ^., which the API's sort and select name.
func (s *Source) apiPath(c *catalog.Column) string {
	if s.parentColumn(c) {
		rest, _ := catalog.ParentLevels(columnPath(c))
		return rest
	}
	return columnPath(c)
}

// childFilters re-checks the filters sent for the element columns of a
// table with each:: the API filters the rows that hold the array, whose
// other elements come along.
func (s *Source) childFilters(preds []Predicate, keys map[int]bool, decisions []Decision) {
	if s.shape.Each == "" {
		return
	}
	for i, pr := range preds {
		ci, ok := s.byName[strings.ToLower(pr.Column)]
		if !ok || keys[i] || decisions[i].Support != Exact || !s.childColumn(s.cols[ci]) {
			continue
		}
		decisions[i] = Decision{Support: Inexact, Reason: fmt.Sprintf("column %s: re-checked (the API filters the rows that hold each: %s, whose other elements come too)", s.cols[ci].Name, s.shape.Each)}
	}
}

// shapeSortable says why the API cannot sort by c ("" when the shape does
// not stop it): it sorts the rows that hold each:'s elements, not them.
func (s *Source) shapeSortable(c *catalog.Column) string {
	if s.childColumn(c) {
		return fmt.Sprintf("column %s reads the elements of each: %s, which the API does not sort", c.Name, s.shape.Each)
	}
	return ""
}

// selectsAll reports whether the select parameter is sent also when the
// query needs every column: an API that returns only the fields named
// under an object (HubSpot's properties) would leave the others out.
func (s *Source) selectsAll() bool {
	return s.t.Select != nil && s.t.Select.Under != ""
}

// selectName is the name the select parameter sends for column c: the
// first key of its path (below select.under when set; of the each: path
// for the element columns of a table with each:). send is false for a
// column outside select.under; ok is false when the path's key is not
// plain (nothing is sent then).
func (s *Source) selectName(c *catalog.Column) (name string, send, ok bool) {
	path := s.apiPath(c)
	if s.childColumn(c) {
		path = catalog.EachLevels(s.shape.Each)[0]
	}
	if under := s.t.Select.Under; under != "" {
		below, found := strings.CutPrefix(path, under+".")
		if !found {
			return "", false, true
		}
		path = below
	}
	name, ok = topKey(path)
	return name, ok, ok
}

// eachSelectName is the name the select parameter sends for the array
// that each: reads, like selectName for its element columns. The array is
// named even when the query reads none of its elements: it says how many
// rows each API row gives (a COUNT(*), or a ^. column alone). send is
// false without each: or when the array lies outside select.under.
func (s *Source) eachSelectName() (name string, send, ok bool) {
	if s.shape.Each == "" {
		return "", false, true
	}
	path := catalog.EachLevels(s.shape.Each)[0]
	if under := s.t.Select.Under; under != "" {
		below, found := strings.CutPrefix(path, under+".")
		if !found {
			return "", false, true
		}
		path = below
	}
	name, ok = topKey(path)
	return name, ok, ok
}

// ShapeDetail describes, for EXPLAIN, how the rows lie in the API's
// response when it is more than an array of rows ("" otherwise).
func (p *Plan) ShapeDetail() string {
	switch {
	case p.shape.Header:
		return "rows: arrays named by the first one (header: first)"
	case p.shape.Each != "":
		d := fmt.Sprintf("rows: one per element of each: %s in each API row", p.shape.Each)
		if p.shape.KeepEmpty {
			d += ", one with NULL elements for an empty array (keepEmpty)"
		}
		return d
	}
	return ""
}
