package rowscan

import (
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/pagination"
)

// This file reads the pages of the shaped tables, always the general way
// (the one-pass scanner declines them, so the flat tables' path is as it
// was): child rows (each:, with columns of the enclosing row under ^.),
// header rows (header: first), and a column's list of datetime formats.

// Shape is how a table's rows are found inside the rows of its page.
type Shape struct {
	// Each is the path, inside each row, of the array whose elements
	// are the table's rows ("" = the rows themselves).
	Each string
	// KeepEmpty gives a row whose array is empty or missing one row with
	// the element columns NULL.
	KeepEmpty bool
	// Header is true when the first array of a stream names the columns
	// (header: first): a column's path is a header cell's text.
	Header bool
}

// ShapeOf returns the shape a table's settings declare.
func ShapeOf(t *catalog.Table) Shape {
	return Shape{Each: t.Each, KeepEmpty: t.KeepEmpty, Header: strings.EqualFold(strings.TrimSpace(t.Header), catalog.HeaderFirst)}
}

// nested reads the rows of a table with each:.
type nested struct {
	Shape
	// levels are the array paths of each: (one, or more for a nested
	// each: a.#.b); exts[0] extracts the columns of the API's row and
	// exts[i] those of the elements of level i, each column's path
	// without its ^. prefixes.
	levels []string
	exts   []*Extractor
	// idx[i] are the positions of exts[i]'s columns in a page's row.
	idx [][]int
}

// NewShaped returns the extractor of a table of the given shape; a flat
// shape is New's. Its pages are read by ExtractShaped (ScanPage declines
// them).
func NewShaped(table string, strict bool, cols []*catalog.Column, sh Shape) *Extractor {
	e := New(table, strict, cols)
	switch {
	case sh.Header:
		e.header = true
	case sh.Each != "":
		n := &nested{Shape: sh, levels: catalog.EachLevels(sh.Each)}
		depth := len(n.levels)
		byLevel := make([][]*catalog.Column, depth+1)
		n.idx = make([][]int, depth+1)
		for i, c := range cols {
			rest, up := catalog.ParentLevels(ColumnPath(c))
			lv := max(depth-up, 0)
			if up > 0 {
				cc := *c
				cc.Path = rest
				c = &cc
			}
			byLevel[lv] = append(byLevel[lv], c)
			n.idx[lv] = append(n.idx[lv], i)
		}
		for _, lc := range byLevel {
			n.exts = append(n.exts, New(table, strict, lc))
		}
		e.nest = n
	}
	return e
}

// Shaped reports whether the extractor reads child rows or header rows:
// its pages go to ExtractShaped.
func (e *Extractor) Shaped() bool { return e.nest != nil || e.header }

// Header is the column positions of a header: first table, learned from
// the first array of a request stream; the zero value knows none yet. A
// stream's pages are read in order with the same Header.
type Header struct {
	known bool
	// idx is each column's cell position (-1 = none).
	idx []int
}

// ExtractShaped extracts the values of a shaped table's rows (found by
// FindRows). h holds the header of a header: first table across the pages
// of one stream (nil for other shapes).
func (e *Extractor) ExtractShaped(rows []gjson.Result, h *Header) (Page, error) {
	switch {
	case e.nest != nil:
		return e.nest.page(e, rows)
	case e.header:
		if h == nil {
			h = &Header{}
		}
		return e.headerPage(rows, h)
	}
	pg := e.ExtractPage(rows)
	return pg, nil
}

// elements returns the array elements at path in v: an object is one
// element, null or a missing value none.
func elements(v gjson.Result, path string, rowNum int) ([]gjson.Result, error) {
	a := v.Get(path)
	switch {
	case a.Type == gjson.Null:
		return nil, nil
	case a.IsArray():
		return a.Array(), nil
	case a.IsObject():
		return []gjson.Result{a}, nil
	}
	return nil, fmt.Errorf("row %d: each path %q holds no array but a JSON %s", rowNum, path, pagination.JSONType(a))
}

// nestScan is the state of one page's child rows.
type nestScan struct {
	n     *nested
	e     *Extractor
	pg    *Page
	row   int // the API row (1-based), for errors
	vals  [][]any
	slots [][]gjson.Result
	fes   []*FitError
}

// page extracts one row per element of the innermost array, the values
// of the rows that enclose it repeated in each.
func (n *nested) page(e *Extractor, rows []gjson.Result) (Page, error) {
	pg := Page{Bad: -1, Outer: len(rows)}
	x := &nestScan{n: n, e: e, pg: &pg, vals: make([][]any, len(n.exts)), slots: make([][]gjson.Result, len(n.exts)), fes: make([]*FitError, len(n.exts))}
	for i, ext := range n.exts {
		x.vals[i] = make([]any, len(ext.cols))
		x.slots[i] = make([]gjson.Result, ext.nslots)
	}
	for r, row := range rows {
		x.row = r + 1
		if err := x.level(0, row); err != nil {
			return Page{}, err
		}
	}
	return pg, nil
}

// level reads the values of level lv from v, then the elements below it.
func (x *nestScan) level(lv int, v gjson.Result) error {
	n := x.n
	x.fes[lv] = n.exts[lv].ExtractRow(v, x.vals[lv], x.slots[lv])
	if lv == len(n.levels) {
		x.emit()
		return nil
	}
	elems, err := elements(v, n.levels[lv], x.row)
	if err != nil {
		return err
	}
	if len(elems) == 0 {
		if n.KeepEmpty {
			for j := lv + 1; j < len(n.exts); j++ {
				clear(x.vals[j])
				x.fes[j] = nil
			}
			x.emit()
		}
		return nil
	}
	for _, el := range elems {
		if err := x.level(lv+1, el); err != nil {
			return err
		}
	}
	return nil
}

// emit adds a row of the values of every level.
func (x *nestScan) emit() {
	n, pg := x.n, x.pg
	start := len(pg.Vals)
	pg.Vals = append(pg.Vals, make([]any, len(x.e.cols))...)
	dest := pg.Vals[start:]
	first, firstAt := (*FitError)(nil), -1
	for lv, idx := range n.idx {
		for i, j := range idx {
			dest[j] = x.vals[lv][i]
		}
		// The row's first misfit, in column order.
		if fe := x.fes[lv]; fe != nil && (first == nil || idx[fe.col.idx] < firstAt) {
			first, firstAt = fe, idx[fe.col.idx]
		}
	}
	if pg.Bad < 0 && first != nil {
		pg.Bad, pg.BadErr = pg.N, first
	}
	pg.N++
}

// headerPage reads the rows of a header: first table: arrays whose cells
// the header names. The first array of the stream is the header.
func (e *Extractor) headerPage(rows []gjson.Result, h *Header) (Page, error) {
	pg := Page{Bad: -1, Outer: len(rows)}
	if !h.known && len(rows) > 0 {
		if err := e.learnHeader(rows[0], h); err != nil {
			return Page{}, err
		}
		rows = rows[1:]
	}
	ncol := len(e.cols)
	pg.Vals = make([]any, 0, len(rows)*ncol)
	for r, row := range rows {
		if !row.IsArray() {
			return Page{}, fmt.Errorf("row %d is not an array of cells (header: first) but a JSON %s", r+1, pagination.JSONType(row))
		}
		cells := row.Array()
		for i := range e.cols {
			c := &e.cols[i]
			var v gjson.Result
			if j := h.idx[i]; j >= 0 && j < len(cells) {
				v = cells[j]
			}
			val, ok := convert(c, v)
			if !ok {
				if e.strict && pg.Bad < 0 {
					pg.Bad, pg.BadErr = pg.N, &FitError{col: c, raw: v.Raw}
				}
				val = nil
			}
			pg.Vals = append(pg.Vals, val)
		}
		pg.N++
	}
	return pg, nil
}

// learnHeader finds each column's cell in the header row: the cell whose
// text is the column's path, else the one equal to it ignoring case and
// surrounding space when only one is. A column the header does not name
// is an error: its values would all be NULL.
func (e *Extractor) learnHeader(row gjson.Result, h *Header) error {
	if !row.IsArray() {
		return fmt.Errorf("the header row is not an array of column names (header: first) but a JSON %s", pagination.JSONType(row))
	}
	var names []string
	for _, c := range row.Array() {
		if c.Type == gjson.String {
			names = append(names, c.Str)
		} else {
			names = append(names, c.Raw)
		}
	}
	h.idx = make([]int, len(e.cols))
	var missing []string
	for i := range e.cols {
		path := e.cols[i].path
		h.idx[i] = -1
		for j, n := range names {
			if n == path {
				h.idx[i] = j
				break
			}
		}
		if h.idx[i] >= 0 {
			continue
		}
		for j, n := range names {
			if strings.EqualFold(strings.TrimSpace(n), strings.TrimSpace(path)) {
				if h.idx[i] >= 0 {
					h.idx[i] = -1 // ambiguous
					break
				}
				h.idx[i] = j
			}
		}
		if h.idx[i] < 0 {
			missing = append(missing, fmt.Sprintf("%q (column %s)", path, e.cols[i].col.Name))
		}
	}
	if len(missing) > 0 {
		quoted := make([]string, len(names))
		for i, n := range names {
			quoted[i] = fmt.Sprintf("%q", n)
		}
		return fmt.Errorf("the header row has no %s (header: first; it holds %s)", strings.Join(missing, ", "), Short(strings.Join(quoted, ", ")))
	}
	h.known = true
	return nil
}

// parseTimeFormats parses a datetime with the first of formats that reads it.
func parseTimeFormats(formats []string, r gjson.Result) (any, bool) {
	for _, f := range formats {
		if t, ok := parseTime(f, r); ok {
			return t, true
		}
	}
	return nil, false
}

// parseRFC2822 reads an RFC 5322 (RFC 2822) date, which rfc1123z names:
// the day of the week optional, a one-digit day, obsolete zone names (GMT,
// EST) and comments allowed, as net/mail reads them.
func parseRFC2822(text string) (any, bool) {
	t, err := mail.ParseDate(text)
	if err != nil {
		return nil, false
	}
	return t, true
}

// isRFC1123Z reports whether a column format is rfc1123z, which validation
// writes as Go's RFC1123Z layout.
func isRFC1123Z(format string) bool {
	return format == time.RFC1123Z || strings.EqualFold(format, catalog.FormatRFC1123Z)
}
