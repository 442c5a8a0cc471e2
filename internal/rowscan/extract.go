package rowscan

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tidwall/pretty"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/internal/errcode"
	"github.com/restsql/restsql/pagination"
)

// Datetime formats for epoch numbers.
const (
	formatUnix   = catalog.FormatUnix
	formatUnixMs = catalog.FormatUnixMs
)

// ColumnType is a column's type, "string" when empty (case-insensitive).
func ColumnType(c *catalog.Column) catalog.Type {
	if c.Type == "" {
		return catalog.TypeString
	}
	return catalog.Type(strings.ToLower(string(c.Type)))
}

// ColumnPath is a column's gjson path, its name when empty.
func ColumnPath(c *catalog.Column) string {
	if c.Path == "" {
		return c.Name
	}
	return c.Path
}

// PathSpecial are the characters that make a gjson path more than plain
// keys separated by dots.
const PathSpecial = `\*?#@|!{}[]()=<>%"~,:`

// extractor turns one row's JSON into the values of the needed columns.
//
// Columns whose path is plain keys (a.b.c) are found in one pass over the
// row object's top-level keys, then the rest of the path is applied to that
// value; other paths use gjson on the whole row.
type Extractor struct {
	table  string
	strict bool
	cols   []colPlan
	// tops maps a top-level key to its slot; nslots is len(tops).
	tops map[string]int
	// keys lists the top-level keys by slot when there are few: a linear
	// scan of a handful of strings beats hashing each key of each row.
	keys   []string
	nslots int
	// nest reads child rows (each:), header header rows (header:
	// first): see shapes.go.
	nest   *nested
	header bool
	// arenaRate is the string arena bytes the last page scanned in one
	// pass needed per 64 KiB of body (0: no page yet): a page's first
	// arena chunk is sized from it (see pageScan.grow).
	arenaRate atomic.Uint32
}

type colPlan struct {
	idx    int // position in extractor.cols
	kind   kind
	col    *catalog.Column
	typ    catalog.Type
	path   string
	format string
	// slot is the column's top-level key slot (-1 = use path on the row);
	// rest is the path below that key.
	slot int
	rest string
}

func New(table string, strict bool, cols []*catalog.Column) *Extractor {
	e := &Extractor{table: table, strict: strict, tops: map[string]int{}}
	for _, c := range cols {
		p := colPlan{idx: len(e.cols), col: c, typ: ColumnType(c), path: ColumnPath(c), format: strings.TrimSpace(c.Format), slot: -1}
		p.kind = kindOf(p.typ, p.format)
		if top, rest, ok := splitPlainPath(p.path); ok {
			slot, ok := e.tops[top]
			if !ok {
				slot = len(e.tops)
				e.tops[top] = slot
			}
			p.slot, p.rest = slot, rest
		}
		e.cols = append(e.cols, p)
	}
	e.nslots = len(e.tops)
	if e.nslots <= smallKeys {
		e.keys = make([]string, e.nslots)
		for k, i := range e.tops {
			e.keys[i] = k
		}
	}
	return e
}

// kind is a column's type as the scanner's fast paths test it.
type kind uint8

const (
	kindOther kind = iota
	kindString
	kindInt
	kindFloat
	kindBool
	kindTime // datetime in RFC 3339 (no format)
)

func kindOf(typ catalog.Type, format string) kind {
	switch typ {
	case catalog.TypeString:
		return kindString
	case catalog.TypeInt:
		return kindInt
	case catalog.TypeFloat:
		return kindFloat
	case catalog.TypeBool:
		return kindBool
	case catalog.TypeDatetime:
		if format == "" {
			return kindTime
		}
	}
	return kindOther
}

// splitPlainPath splits a path made of plain keys into its first key and
// the rest.
func splitPlainPath(path string) (top, rest string, ok bool) {
	if path == "" || strings.ContainsAny(path, PathSpecial) {
		return "", "", false
	}
	top, rest, _ = strings.Cut(path, ".")
	if top == "" || strings.HasSuffix(path, ".") || strings.Contains(path, "..") {
		return "", "", false
	}
	return top, rest, true
}

// FindRows returns the rows of a page: the array at the rows path ("" =
// the body), one row for an object, none for a missing path or null.
func FindRows(body, path string) ([]gjson.Result, error) {
	var r gjson.Result
	if path == "" {
		// Without the white space after it (a body often ends with a
		// newline), an object body is exactly the row's JSON.
		r = gjson.Parse(strings.TrimRight(body, " \t\r\n"))
	} else {
		r = gjson.Get(body, path)
	}
	switch {
	case r.Type == gjson.Null:
		return nil, nil
	case r.IsArray():
		return r.Array(), nil
	case r.IsObject():
		return []gjson.Result{r}, nil
	case path == "":
		return nil, fmt.Errorf("the body is a %s, not an array of rows or an object", pagination.JSONType(r))
	default:
		return nil, fmt.Errorf("rows path %q holds a %s, not an array of rows or an object", path, pagination.JSONType(r))
	}
}

// Page is a page's rows, their values extracted (by the goroutine that
// fetched the page, so that the reader only copies them).
type Page struct {
	N int // rows on the page
	// Outer is the number of elements at the page's rows path: N, but
	// for child rows (each:) the enclosing rows and for header: first
	// the arrays, the header included. Pagination counts these.
	Outer int
	Vals  []any // N × the extractor's columns
	// Bad is the first row with a value that does not fit a strict table
	// (-1 = none): the rows before it are read, then BadErr.
	Bad    int
	BadErr *FitError
	// Values answers the pagination's body paths (nil = read the body).
	Values *BodyValues
	// Detached is true when no value shares the body's bytes.
	Detached bool
	// Shared is true when Vals is kept elsewhere too (a response cache's
	// copy of the page): it must not be given back with PutVals.
	Shared bool
}

// ExtractPage extracts the values of rows (found by FindRows) the general
// way; the one-pass ScanPage gives the same page when it can read the body.
func (e *Extractor) ExtractPage(rows []gjson.Result) Page {
	pg := Page{N: len(rows), Outer: len(rows), Bad: -1}
	n := len(e.cols)
	if n == 0 {
		return pg
	}
	pg.Vals = make([]any, len(rows)*n)
	slots := make([]gjson.Result, e.nslots)
	for i, row := range rows {
		if fe := e.ExtractRow(row, pg.Vals[i*n:(i+1)*n], slots); fe != nil && pg.Bad < 0 {
			pg.Bad, pg.BadErr = i, fe
		}
	}
	return pg
}

// FitError is a value that does not fit its column's type, in a strict
// table.
type FitError struct {
	col *colPlan
	raw string
}

// at returns the error for row rowNum (1-based) of table.
func (f *FitError) At(table string, rowNum int64) error {
	return errcode.Errorf(errcode.TypeMismatch, "restsource: table %s: row %d: column %s (%s): value %s does not fit", table, rowNum, f.col.col.Name, f.col.typ, Short(f.raw))
}

// ExtractRow fills dest[:len(e.cols)] from one row the general way (gjson
// paths). slots is scratch space of at least e.nslots results. It returns
// the first value that does not fit a strict table (the rest are still
// filled).
func (e *Extractor) ExtractRow(row gjson.Result, dest []any, slots []gjson.Result) *FitError {
	object := row.IsObject()
	if object && e.nslots > 0 {
		slots = slots[:e.nslots]
		clear(slots)
		found := 0
		if e.keys != nil {
			row.ForEach(func(k, v gjson.Result) bool {
				for i, name := range e.keys {
					if name == k.Str {
						if slots[i].Raw == "" {
							slots[i] = v
							found++
						}
						break
					}
				}
				return found < e.nslots
			})
		} else {
			row.ForEach(func(k, v gjson.Result) bool {
				if i, ok := e.tops[k.Str]; ok && slots[i].Raw == "" {
					slots[i] = v
					found++
				}
				return found < e.nslots
			})
		}
	}
	var bad *FitError
	for i := range e.cols {
		c := &e.cols[i]
		var v gjson.Result
		switch {
		case c.slot >= 0 && object:
			v = slots[c.slot]
			if c.rest != "" && v.Raw != "" {
				v = v.Get(c.rest)
			}
		default:
			// Not a plain path, or not an object: gjson answers (arrays
			// answer index paths such as "0").
			v = row.Get(c.path)
		}
		val, ok := convert(c, v)
		if !ok {
			if e.strict && bad == nil {
				bad = &FitError{col: c, raw: v.Raw}
			}
			val = nil
		}
		dest[i] = val
	}
	return bad
}

// Convert turns a JSON value into the column's Go value, as a page's
// extraction does. JSON null and a missing value are nil; ok is false
// when the value does not fit the type.
func Convert(c *catalog.Column, r gjson.Result) (any, bool) {
	typ := ColumnType(c)
	return convert(&colPlan{col: c, typ: typ, format: strings.TrimSpace(c.Format)}, r)
}

// convert turns a JSON value into the column's Go value. JSON null and a
// missing value are nil; ok is false when the value does not fit the type.
func convert(c *colPlan, r gjson.Result) (any, bool) {
	if r.Type == gjson.Null {
		return nil, true // missing or null
	}
	switch c.typ {
	case catalog.TypeString:
		if r.Type == gjson.String {
			return r.Str, true
		}
		return r.Raw, true
	case catalog.TypeJSON:
		return compactJSON(r.Raw), true
	case catalog.TypeInt:
		switch r.Type {
		case gjson.Number:
			return ParseInt(r.Raw)
		case gjson.String:
			return ParseInt(strings.TrimSpace(r.Str))
		}
		return nil, false
	case catalog.TypeFloat:
		switch r.Type {
		case gjson.Number:
			return r.Num, true
		case gjson.String:
			f, err := strconv.ParseFloat(strings.TrimSpace(r.Str), 64)
			if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
				return nil, false
			}
			return f, true
		}
		return nil, false
	case catalog.TypeBool:
		switch r.Type {
		case gjson.True:
			return true, true
		case gjson.False:
			return false, true
		case gjson.String:
			switch s := strings.TrimSpace(r.Str); {
			case strings.EqualFold(s, "true"):
				return true, true
			case strings.EqualFold(s, "false"):
				return false, true
			}
		}
		return nil, false
	case catalog.TypeDatetime:
		if c.col.Formats != nil {
			// A list of formats (kept on the column: the plan of every
			// column stays as small as it was).
			return parseTimeFormats(c.col.Formats, r)
		}
		return parseTime(c.format, r)
	}
	return nil, false
}

// ParseInt accepts an integer, or a number with no fraction ("3.0", "1e3").
func ParseInt(s string) (any, bool) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || f != math.Trunc(f) || f < math.MinInt64 || f >= math.MaxInt64 {
		return nil, false
	}
	return int64(f), true
}

// Bounds of epoch numbers: about ±31 million years.
const (
	MaxUnixSeconds = 1e15
	MaxUnixMillis  = 1e18
)

func parseTime(format string, r gjson.Result) (any, bool) {
	var text string
	switch r.Type {
	case gjson.String:
		text = strings.TrimSpace(r.Str)
	case gjson.Number:
		text = r.Raw
	default:
		return nil, false
	}
	switch strings.ToLower(format) {
	case "":
		if r.Type != gjson.String {
			return nil, false
		}
		t, err := time.Parse(time.RFC3339, text)
		if err != nil {
			return nil, false
		}
		return t, true
	case formatUnix, formatUnixMs:
		ms := strings.EqualFold(format, formatUnixMs)
		if n, err := strconv.ParseInt(text, 10, 64); err == nil {
			if ms {
				if n > MaxUnixMillis || n < -MaxUnixMillis {
					return nil, false
				}
				return time.UnixMilli(n).UTC(), true
			}
			if n > MaxUnixSeconds || n < -MaxUnixSeconds {
				return nil, false
			}
			return time.Unix(n, 0).UTC(), true
		}
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, false
		}
		whole, frac := math.Modf(f)
		if ms {
			if math.Abs(whole) > MaxUnixMillis {
				return nil, false
			}
			return time.UnixMilli(int64(whole)).Add(time.Duration(math.Round(frac * 1e6))).UTC(), true
		}
		if math.Abs(whole) > MaxUnixSeconds {
			return nil, false
		}
		return time.Unix(int64(whole), int64(math.Round(frac*1e9))).UTC(), true
	default:
		if isRFC1123Z(format) {
			return parseRFC2822(text)
		}
		t, err := time.Parse(format, text)
		if err != nil {
			return nil, false
		}
		return t, true
	}
}

// Short shows a JSON value in an error, cut to 100 bytes.
func Short(raw string) string {
	if raw == "" {
		return "(missing)"
	}
	const max = 100
	if len(raw) > max {
		return strings.ToValidUTF8(raw[:max], "") + "…"
	}
	return raw
}

// errNotJSON is wrapped by the error for a body that is not JSON.
var errNotJSON = errors.New("response is not valid JSON")

// smallKeys is the most top-level keys matched by a linear scan.
const smallKeys = 12

// maxDepth bounds the nesting of a response body: gjson recurses once per
// level, and a hostile body of ten million '[' would exhaust the stack.
const maxDepth = 10000

// CheckJSON reports whether body is valid JSON no deeper than maxDepth.
func CheckJSON(body string) error {
	// Fast path: a body with fewer opening brackets than maxDepth cannot
	// nest deeper (strings.Count is vectorised), so a valid one needs no
	// byte-by-byte walk; the walk below only explains what is wrong.
	if strings.Count(body, "[")+strings.Count(body, "{") < maxDepth && gjson.Valid(body) {
		return nil
	}
	depth, inString, escaped := 0, false, false
	for i := 0; i < len(body); i++ {
		c := body[i]
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > maxDepth {
				return fmt.Errorf("%w: it nests deeper than %d levels", errNotJSON, maxDepth)
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	if !gjson.Valid(body) {
		switch {
		case inString:
			return fmt.Errorf("%w: it ends inside a string, after %d bytes (cut short?)", errNotJSON, len(body))
		case depth > 0:
			return fmt.Errorf("%w: it ends before its last bracket closes, after %d bytes (cut short?)", errNotJSON, len(body))
		}
		return errNotJSON
	}
	return nil
}

// compactJSON returns raw JSON without insignificant white space, so a json
// column holds the same text whether the API pretty-prints or not.
func compactJSON(raw string) string {
	if !strings.ContainsAny(raw, " \t\r\n") {
		return raw
	}
	return string(pretty.Ugly([]byte(raw)))
}
