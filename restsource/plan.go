package restsource

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/internal/errcode"
	"github.com/restsql/restsql/internal/rowscan"
	"github.com/restsql/restsql/pagination"
)

// Plan is what a scan of one table will do: the requests it starts with,
// the columns it extracts, and what was pushed to the API. A Plan is
// immutable; it may be scanned any number of times.
type Plan struct {
	// Pushed says, for each of Query.Predicates in order, how the API
	// applies it.
	Pushed []Support
	// SortPushed is true when the API returns rows in Query.Sort order.
	SortPushed bool
	// LimitPushed is true when Query.Limit was sent to the API.
	LimitPushed bool
	// Pushdown is the decision the plan renders, with the reason for each
	// predicate and sort not applied exactly.
	Pushdown *Pushdown

	src  *Source
	cols []*catalog.Column
	ext  *rowscan.Extractor
	// extCols are the columns ext reads: cols, then the key columns of
	// the URL's placeholders that cols lacks (a page's rows are
	// len(extCols) values each).
	extCols []*catalog.Column
	lookup  bool // the get: endpoint
	// body is the request body of a read with a body (nil = GET), and
	// bodyShown the body shown in EXPLAIN.
	body      []byte
	bodyShown []byte
	rowsPath  string
	// prog reads pages in one pass; rowsHint is the rows expected on a
	// page (0 = not known), to size its buffer.
	prog       *rowscan.Program
	rowsHint   int
	streams    []streamSpec
	pager      pagination.Paginator
	limit      int64
	noPrefetch bool
	// shape is the table's child rows or header rows (see shapes.go).
	shape rowscan.Shape
	// memoName names the plan's rows beside a cached body ("" = not
	// kept): see memo.go.
	memoName string
}

// streamSpec is one request stream: its first URL (without pagination
// parameters) and the key values that fill NULL key columns of its rows.
type streamSpec struct {
	url   *url.URL
	fills []fill
}

type fill struct {
	idx   int // index in Plan.extCols (a NULL in Plan.cols is filled)
	value any
}

// Columns returns the extracted columns, in Query.Columns order.
func (p *Plan) Columns() []*catalog.Column { return p.cols }

// EstimatedRequests is the number of requests the scan will make when it
// is known before reading: one per key for lookups and unpaginated
// fan-out, and for paginated streams when a row limit and a page size
// bound the pages. known is false when it depends on the data.
func (p *Plan) EstimatedRequests() (n int, known bool) {
	streams := len(p.streams)
	if p.lookup || p.pager == nil || p.pager.Type() == catalog.PageNone {
		return streams, true
	}
	size := p.pager.PageSize()
	if p.walkLimit() < 0 || size <= 0 {
		return 0, false
	}
	pages := int((p.limit + int64(size) - 1) / int64(size))
	if p.LimitPushed || p.limit < int64(size) {
		pages = max(pages, 1)
	}
	if p.limit >= 2 && p.confirmsShortPage() {
		// A short first page (fewer rows than asked) costs one request
		// more (pagination.Walker): the estimate assumes that the API
		// honours the size asked.
		pages = max(pages, 2)
	}
	// Each stream may stop sooner (short page); the limit applies to the
	// streams' total, so this is an upper bound.
	return streams * max(pages, 1), true
}

// confirmsShortPage reports whether a short first page of an offset or
// page walk is confirmed by one more request: no maxPageSize and no total
// tell that it was the last.
func (p *Plan) confirmsShortPage() bool {
	t := p.pager.Type()
	return (t == catalog.PageOffset || t == catalog.PagePage) && p.pager.PageSize() > 0 &&
		p.pager.MaxPageSize() == 0 && !p.src.pageTotal
}

// Paging describes, for EXPLAIN, the page size of a paginated scan under
// a declared maxPageSize ("pages of 100 (maxPageSize 100; pageSize 500
// clamped to it)"), or when a short first page is confirmed by one more
// request; "" otherwise.
func (p *Plan) Paging() string {
	if p.lookup || p.pager == nil || p.pager.Type() == catalog.PageNone || p.pager.PageSize() <= 0 {
		return ""
	}
	size, max, asked := p.pager.PageSize(), p.pager.MaxPageSize(), p.pager.AskedPageSize()
	switch {
	case max > 0 && asked > max:
		return fmt.Sprintf("pages of %d (pageSize %d clamped to maxPageSize %d)", size, asked, max)
	case max > 0:
		return fmt.Sprintf("pages of %d (maxPageSize %d)", size, max)
	case p.confirmsShortPage():
		return fmt.Sprintf("pages of %d (no maxPageSize: a short first page is confirmed by one more request)", size)
	}
	return ""
}

// Requests returns, for EXPLAIN, the first request of each request stream
// the scan will make, such as
// "GET http://127.0.0.1:3000/posts?userId=1&_page=1&_limit=50". Secret
// query values are shown as "***".
func (p *Plan) Requests() []string {
	out := make([]string, 0, len(p.streams))
	for _, st := range p.streams {
		out = append(out, p.requestLine(p.firstURL(st)))
	}
	return out
}

// firstURL is a stream's first request URL with the first page's parameters.
func (p *Plan) firstURL(st streamSpec) *url.URL {
	return setParams(st.url, p.pager.Start(p.walkLimit()).First())
}

// setParams returns a copy of u with each pagination parameter set.
func setParams(u *url.URL, ps []pagination.Param) *url.URL {
	if len(ps) == 0 {
		return u
	}
	c := *u
	q := parseQuery(c.RawQuery)
	for _, p := range ps {
		q.set(p.Name, p.Value)
	}
	c.RawQuery = q.encode()
	return &c
}

// binding is the values an = or IN predicate gives a key column.
type binding struct {
	pred   int
	values []string // formatted, distinct, in order
	raw    []any
	// unaddressable is set when a value was dropped because no URL can
	// carry it ("").
	unaddressable bool
}

// Plan renders what Supports decides for q into the requests of one scan:
// the request URL with its key values, fixed parameters, the filters and
// sort that are sent, select, and the limit. An unknown column in
// q.Columns is an error, and so is what Supports refuses.
//
//   - Select: with q.Columns, the top-level keys of the columns' paths.
//   - Limit: q.Limit goes to the table's limit: parameter when it has one
//     (not on a get: lookup). The caller decides whether it may: only when
//     the API's first q.Limit rows are the answer (planner.pushLimit).
//     Whether sent or not, a scan never asks for more than q.Limit rows:
//     the first page size is at most the limit, and no page is requested
//     once enough rows are in.
func (s *Source) Plan(q Query) (*Plan, error) {
	d, err := s.supports(q)
	if err != nil {
		return nil, err
	}
	p := &Plan{src: s, Pushdown: d.Pushdown, Pushed: make([]Support, len(q.Predicates)), limit: q.Limit, noPrefetch: q.NoPrefetch, lookup: d.Lookup, SortPushed: d.Sort}
	for i, f := range d.Filters {
		p.Pushed[i] = f.Support
	}
	if p.limit < 0 {
		p.limit = -1
	}
	if q.Columns == nil {
		p.cols = append([]*catalog.Column(nil), s.cols...)
	} else {
		p.cols = make([]*catalog.Column, 0, len(q.Columns))
		for _, name := range q.Columns {
			i, ok := s.byName[strings.ToLower(name)]
			if !ok {
				return nil, errcode.Errorf(errcode.UnknownColumn, "restsource: table %s: unknown column %q", s.name, name)
			}
			p.cols = append(p.cols, s.cols[i])
		}
	}
	p.shape = s.shape
	bound, tmpl, requests := d.bound, d.tmpl, d.Streams
	// The columns read from each row: the query's, then the key columns
	// of the URL's placeholders it does not name, so that a row of
	// another key than the one asked for can be told (dropOtherKeys).
	// Not with header: first, whose rows hold only the header's columns.
	p.extCols = p.cols
	if requests > 0 && tmpl != nil && !s.shape.Header {
		for _, n := range tmpl.names {
			i, ok := s.byName[strings.ToLower(n)]
			if !ok || slices.Contains(p.extCols, s.cols[i]) {
				continue
			}
			if len(p.extCols) == len(p.cols) {
				p.extCols = slices.Clip(p.extCols)
			}
			p.extCols = append(p.extCols, s.cols[i])
		}
	}
	p.ext = rowscan.NewShaped(s.name, s.t.Strict, p.extCols, s.shape)

	// Fixed parameters, filters, sort, select and limit.
	var groups []paramGroup
	if p.lookup {
		p.rowsPath = s.t.Get.Rows
		p.pager = nonePager
		groups = append(groups, paramGroup{params: s.getParams})
	} else {
		p.rowsPath = s.t.Rows
		p.pager = s.pager
		if s.pager != nil {
			p.rowsHint = max(s.pager.PageSize(), 0)
		}
		groups = append(groups, paramGroup{params: s.listParams})
		groups = append(groups, paramGroup{params: d.filters, add: true})
		if d.Sort {
			groups = append(groups, paramGroup{params: d.sort})
		}
		if q.Columns != nil || s.selectsAll() {
			groups = append(groups, paramGroup{params: s.planSelect(p.extCols)})
		}
		if d.Limit && q.Limit >= 0 {
			p.LimitPushed = true
			groups = append(groups, paramGroup{params: []qparam{s.limitParam(q.Limit)}})
		}
		if s.bodyTmpl != nil {
			if groups, p.body, p.bodyShown, err = s.splitBody(groups); err != nil {
				return nil, fmt.Errorf("restsource: table %s: request body: %w", s.name, err)
			}
		}
	}

	if p.lookup {
		p.prog = p.ext.Compile(p.rowsPath, nil)
	} else {
		p.prog = p.ext.Compile(p.rowsPath, s.bodyPaths)
	}
	p.memoName = memoName(s, p)
	if p.limit >= 0 && int64(p.rowsHint) > p.limit {
		p.rowsHint = int(p.limit)
	}

	// One request stream per combination of key values.
	if requests == 0 {
		return p, nil
	}
	p.streams = make([]streamSpec, 0, requests)
	idx := make([]int, len(tmpl.names))
	for {
		values := make(map[string]string, len(tmpl.names))
		var fills []fill
		for k, n := range tmpl.names {
			b := bound[strings.ToLower(n)]
			values[strings.ToLower(n)] = b.values[idx[k]]
			for ci, c := range p.extCols {
				if strings.EqualFold(c.Name, n) {
					fills = append(fills, fill{idx: ci, value: keyValue(c, b.raw[idx[k]])})
				}
			}
		}
		u, err := buildURL(tmpl, values, groups...)
		if err != nil {
			return nil, fmt.Errorf("restsource: table %s: request URL: %w", s.name, err)
		}
		p.streams = append(p.streams, streamSpec{url: u, fills: fills})
		// Next combination; the last placeholder varies fastest.
		k := len(idx) - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < len(bound[strings.ToLower(tmpl.names[k])].values) {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			break
		}
	}
	return p, nil
}

// nonePager walks a get: lookup: one page per key.
var nonePager, _ = pagination.New(catalog.Pagination{}, 0)

// keyValue converts a bound key value to its column's type, for rows that
// lack the key column.
func keyValue(c *catalog.Column, v any) any {
	typ := columnType(c)
	var r gjson.Result
	switch x := v.(type) {
	case string:
		r = gjson.Result{Type: gjson.String, Str: x, Raw: strconv.Quote(x)}
	case int64, int, float64:
		s, _ := formatValue(x)
		r = gjson.Result{Type: gjson.Number, Raw: s}
		r.Num, _ = strconv.ParseFloat(s, 64)
	case bool:
		r = gjson.Result{Type: gjson.False, Raw: "false"}
		if x {
			r = gjson.Result{Type: gjson.True, Raw: "true"}
		}
	case time.Time:
		if typ == catalog.TypeDatetime {
			return x
		}
		s, _ := formatValue(x)
		r = gjson.Result{Type: gjson.String, Str: s, Raw: strconv.Quote(s)}
	default:
		return nil
	}
	if out, ok := rowscan.Convert(c, r); ok {
		return out
	}
	return nil
}

// formatFor writes a predicate value the way the column's JSON writes it,
// so an API that compares text sees the same text: true for 1 on a bool
// column, 3 for 3.0 on an int column, a time in the column's datetime
// format. It reports false for a value the column cannot hold in a form
// the API would compare correctly (2 on a bool column).
func formatFor(c *catalog.Column, v any) (string, bool) {
	switch columnType(c) {
	case catalog.TypeBool:
		switch x := v.(type) {
		case bool:
			return strconv.FormatBool(x), true
		case int64, int, float64:
			switch s, _ := formatValue(x); s {
			case "0":
				return "false", true
			case "1":
				return "true", true
			}
			return "", false
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "1":
				return "true", true
			case "false", "0":
				return "false", true
			}
			return "", false
		}
	case catalog.TypeInt:
		switch x := v.(type) {
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return strconv.FormatInt(int64(x), 10), true
			}
		case string:
			if n, ok := parseInt(strings.TrimSpace(x)); ok {
				return strconv.FormatInt(n.(int64), 10), true
			}
		}
	case catalog.TypeFloat:
		if x, ok := v.(string); ok {
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
				return strconv.FormatFloat(f, 'g', -1, 64), true
			}
		}
	case catalog.TypeDatetime:
		if x, ok := v.(time.Time); ok {
			switch f := strings.TrimSpace(c.Format); strings.ToLower(f) {
			case "":
			case formatUnix:
				if x.Nanosecond() == 0 {
					return strconv.FormatInt(x.Unix(), 10), true
				}
				return strconv.FormatFloat(float64(x.UnixNano())/1e9, 'f', -1, 64), true
			case formatUnixMs:
				if x.Nanosecond()%int(time.Millisecond) == 0 {
					return strconv.FormatInt(x.UnixMilli(), 10), true
				}
				return strconv.FormatFloat(float64(x.UnixNano())/1e6, 'f', -1, 64), true
			default:
				// The column's values are read in UTC when its layout has
				// no zone (time.Parse): a value is written in UTC too, so
				// that it names the same instant.
				return x.UTC().Format(f), true
			}
		}
	}
	return formatValue(v)
}

// formatValue writes a predicate value as it goes into a URL.
func formatValue(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case int64:
		return strconv.FormatInt(x, 10), true
	case int:
		return strconv.Itoa(x), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	case time.Time:
		return x.Format(time.RFC3339Nano), true
	case []byte:
		return string(x), true
	}
	return "", false
}

// normalizeOp spells an operator the way filters are keyed.
func normalizeOp(op string) string {
	op = strings.ToUpper(strings.TrimSpace(op))
	switch op {
	case "<>":
		return "!="
	case "==":
		return "="
	}
	return op
}

// filterFor returns the column's filter for op (keys matched after
// normalizing, so "in", "IN" and " In " are the same).
func filterFor(c *catalog.Column, op string) *catalog.Filter {
	if f, ok := c.Filters[op]; ok {
		return f
	}
	keys := make([]string, 0, len(c.Filters))
	for k := range c.Filters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if normalizeOp(k) == op {
			return c.Filters[k]
		}
	}
	return nil
}

// likeValue converts a LIKE pattern (% any run, _ one character, \ escapes
// the next character, as the driver's LIKE reads it) for a filter's like:
// setting. It reports false when the pattern cannot be sent that way.
//
//   - "" sends the pattern as it is.
//   - "regex" sends an anchored regular expression that both JavaScript and
//     Go read the same way: % is [\s\S]* and _ is [\s\S] (newlines
//     included), every other character literal; a leading or trailing %
//     drops the anchor instead.
//   - "contains" sends the text of a '%text%' pattern whose text has no
//     wildcard; other patterns are not pushed.
func likeValue(pattern, like string) (string, bool) {
	type token struct {
		wild rune // '%', '_' or 0 for a literal
		lit  rune
	}
	var toks []token
	esc := false
	for _, r := range pattern {
		switch {
		case esc:
			toks = append(toks, token{lit: r})
			esc = false
		case r == '\\':
			esc = true
		case r == '%' || r == '_':
			if r == '%' && len(toks) > 0 && toks[len(toks)-1].wild == '%' {
				continue // %% is %
			}
			toks = append(toks, token{wild: r})
		default:
			toks = append(toks, token{lit: r})
		}
	}
	if esc {
		toks = append(toks, token{lit: '\\'})
	}
	switch strings.ToLower(like) {
	case catalog.LikeAsIs:
		return pattern, true
	case catalog.LikeContains:
		if len(toks) < 3 || toks[0].wild != '%' || toks[len(toks)-1].wild != '%' {
			return "", false
		}
		var b strings.Builder
		for _, t := range toks[1 : len(toks)-1] {
			if t.wild != 0 {
				return "", false
			}
			b.WriteRune(t.lit)
		}
		return b.String(), true
	case catalog.LikeRegex:
		var b strings.Builder
		start, end := 0, len(toks)
		if end > 0 && toks[0].wild == '%' {
			start++
		} else {
			b.WriteByte('^')
		}
		open := start < end && toks[end-1].wild == '%'
		if open {
			end--
		}
		for _, t := range toks[start:end] {
			switch t.wild {
			case '%':
				b.WriteString(`[\s\S]*`)
			case '_':
				// One character, which a JavaScript regular expression
				// (json-server's, without the u flag) sees as two UTF-16
				// units when it is above U+FFFF (an emoji): [\s\S] alone
				// would lose such rows. The pattern matches more than
				// LIKE then, so it is re-checked (likeOne).
				b.WriteString(`[\s\S]{1,2}`)
			default:
				b.WriteString(regexp.QuoteMeta(string(t.lit)))
			}
		}
		if !open {
			b.WriteByte('$')
		}
		return b.String(), true
	}
	return "", false
}

// likeOne reports whether a LIKE pattern holds the one-character wildcard
// _ (not escaped): sent as a regular expression it may match more than
// LIKE does (see likeValue).
func likeOne(pattern string) bool {
	esc := false
	for _, r := range pattern {
		switch {
		case esc:
			esc = false
		case r == '\\':
			esc = true
		case r == '_':
			return true
		}
	}
	return false
}

// quote wraps s in q, escaping q inside it by doubling it or with a
// backslash (which then escapes backslashes too).
func quote(s, q, escape string) string {
	if strings.EqualFold(escape, escapeBackslash) {
		s = strings.ReplaceAll(s, `\`, `\\`)
		s = strings.ReplaceAll(s, q, `\`+q)
	} else {
		s = strings.ReplaceAll(s, q, q+q)
	}
	return q + s + q
}

// planSelect names the top-level fields the columns read. Columns that the
// profile does not declare (URL placeholders) are left out; a path whose
// first key is not plain makes the select unsafe, so nothing is sent.
func (s *Source) planSelect(cols []*catalog.Column) []qparam {
	st := s.t.Select
	if st == nil {
		return nil
	}
	var names []string
	seen := map[string]bool{}
	for _, c := range cols {
		if c.Implicit {
			continue
		}
		top, send, ok := s.selectName(c)
		if !ok {
			return nil
		}
		if send && !seen[top] {
			seen[top] = true
			names = append(names, top)
		}
	}
	if top, send, ok := s.eachSelectName(); !ok {
		return nil
	} else if send && !seen[top] && (len(names) > 0 || s.selectsAll()) {
		names = append(names, top)
	}
	if len(names) == 0 {
		return nil
	}
	if st.Body != "" {
		return []qparam{selectBody(st.Body, names)}
	}
	join := st.Join
	if join == "" {
		join = ","
	}
	return []qparam{{name: st.Param, value: strings.Join(names, join)}}
}

// topKey returns the first key of a gjson path ("a\.b.c" → "a.b"), or false
// when that key uses wildcards, queries or modifiers.
func topKey(path string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(path); i++ {
		c := path[i]
		switch {
		case c == '\\' && i+1 < len(path):
			i++
			b.WriteByte(path[i])
		case c == '.':
			return b.String(), b.Len() > 0
		case strings.IndexByte(gjsonSpecial, c) >= 0:
			return "", false
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), b.Len() > 0
}
