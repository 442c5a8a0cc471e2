package restsource

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/pagination"
)

// MaxRequests bounds the requests one plan fans out to (the product of the
// IN lists that bind key columns).
const MaxRequests = 100_000

// String returns "exact", "inexact" or "unsupported", as EXPLAIN shows it.
func (s Support) String() string {
	switch s {
	case Exact:
		return "exact"
	case Inexact:
		return "inexact"
	case Unsupported:
		return "unsupported"
	}
	return "Support(" + strconv.Itoa(int(s)) + ")"
}

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

	src      *Source
	cols     []*catalog.Column
	ext      *extractor
	lookup   bool // the get: endpoint
	rowsPath string
	// prog reads pages in one pass; rowsHint is the rows expected on a
	// page (0 = not known), to size its buffer.
	prog       *program
	rowsHint   int
	streams    []streamSpec
	pager      pagination.Paginator
	limit      int64
	noPrefetch bool
}

// streamSpec is one request stream: its first URL (without pagination
// parameters) and the key values that fill NULL key columns of its rows.
type streamSpec struct {
	url   *url.URL
	fills []fill
}

type fill struct {
	idx   int // index in Plan.cols
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
	if p.limit < 0 || size <= 0 {
		return 0, false
	}
	pages := int((p.limit + int64(size) - 1) / int64(size))
	if p.LimitPushed || p.limit < int64(size) {
		pages = max(pages, 1)
	}
	// Each stream may stop sooner (short page); the limit applies to the
	// streams' total, so this is an upper bound.
	return streams * max(pages, 1), true
}

// Requests returns, for EXPLAIN, the first request of each request stream
// the scan will make, such as
// "GET http://127.0.0.1:3000/posts?userId=1&_page=1&_limit=50". Secret
// query values are shown as "***".
func (p *Plan) Requests() []string {
	out := make([]string, 0, len(p.streams))
	for _, st := range p.streams {
		out = append(out, "GET "+p.src.redact(p.firstURL(st)))
	}
	return out
}

// firstURL is a stream's first request URL with the first page's parameters.
func (p *Plan) firstURL(st streamSpec) *url.URL {
	return setParams(st.url, p.pager.Start(p.limit).First())
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
}

// Plan decides how to answer q: which predicates, sort keys, limit and
// columns go into the requests, and which requests to make. A {name}
// placeholder of the table's URL that no = or IN predicate binds is a
// *MissingKeyError; an unknown column in q.Columns is an error.
//
// The rules, in order:
//
//   - Key columns: an = or IN predicate on a {name} placeholder of the url
//     binds it (Exact); IN makes one request stream per value (the
//     cartesian product for several placeholders, the last varying
//     fastest), NULLs and duplicate values dropped. Values are path-escaped
//     (query-escaped in the url's query).
//   - Lookups: when the table has get: and every placeholder of get.url is
//     bound, get.url is used instead (one request per key, no pagination,
//     no other pushdown; a 404 is no row).
//   - Filters: a predicate whose column has a filter for its operator (keys
//     matched case-insensitively, <> = !=) goes into the query; Exact when
//     the filter says exact: true, else Inexact. NULL never goes.
//   - LIKE: the pattern goes through the filter's like: setting (as is, as
//     a regular expression, or as the text of '%text%').
//   - Sort: pushed when every key is a column the API sorts by (all, or
//     those sort.columns lists), the settings can say each direction,
//     several keys have sort.join to join them, there is one request
//     stream, and, when the API sorts NULLs high, every key is a key
//     column. All keys or none: a sort pushed in part would be trusted
//     whole. The column's path is what is sent as its name.
//   - Select: with q.Columns, the top-level keys of the columns' paths.
//   - Limit: pushed when q.Limit >= 0, nothing is residual, every predicate
//     is Exact, and the sort is pushed or absent. Whether pushed or not, a
//     scan never asks for more than q.Limit rows: the first page size is
//     at most the limit, and no page is requested once enough rows are in.
func (s *Source) Plan(q Query) (*Plan, error) {
	p := &Plan{src: s, Pushed: make([]Support, len(q.Predicates)), limit: q.Limit, noPrefetch: q.NoPrefetch}
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
				return nil, fmt.Errorf("restsource: table %s: unknown column %q", s.name, name)
			}
			p.cols = append(p.cols, s.cols[i])
		}
	}
	p.ext = newExtractor(s.name, s.t.Strict, p.cols)

	// Key columns: = and IN on the placeholders of the list or get URL.
	keyNames := map[string]bool{}
	for _, n := range s.list.names {
		keyNames[strings.ToLower(n)] = true
	}
	if s.get != nil {
		for _, n := range s.get.names {
			keyNames[strings.ToLower(n)] = true
		}
	}
	bound := map[string]*binding{}
	for i, pr := range q.Predicates {
		ci, ok := s.byName[strings.ToLower(pr.Column)]
		if !ok {
			continue
		}
		name := strings.ToLower(s.cols[ci].Name)
		op := normalizeOp(pr.Op)
		if !keyNames[name] || bound[name] != nil || (op != "=" && op != "IN") || (op == "=" && len(pr.Values) != 1) {
			continue
		}
		if b, ok := bindValues(s.cols[ci], i, pr.Values); ok {
			bound[name] = b
		}
	}
	tmpl := s.list
	if s.get != nil && allBound(s.get.names, bound) && !s.listAnswersKeys(q.Predicates, bound) {
		tmpl, p.lookup = s.get, true
	}
	for _, n := range tmpl.names {
		if bound[strings.ToLower(n)] == nil {
			col := s.cols[s.byName[strings.ToLower(n)]]
			return nil, &MissingKeyError{Table: s.name, Column: col.Name, Operator: "=", URL: s.t.URL}
		}
	}
	keyPred := map[int]bool{}
	requests := 1
	for _, n := range tmpl.names {
		b := bound[strings.ToLower(n)]
		keyPred[b.pred] = true
		p.Pushed[b.pred] = Exact
		requests *= len(b.values)
		if requests > MaxRequests {
			return nil, fmt.Errorf("restsource: table %s: the IN lists on key columns would make more than %d requests", s.name, MaxRequests)
		}
	}

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
		groups = append(groups, paramGroup{params: s.planFilters(q.Predicates, keyPred, p.Pushed), add: true})
		if requests <= 1 {
			if ps, ok := s.planSort(q.Sort); ok {
				p.SortPushed = true
				groups = append(groups, paramGroup{params: ps})
			}
		}
		if q.Columns != nil {
			groups = append(groups, paramGroup{params: s.planSelect(p.cols)})
		}
		if s.t.Limit != nil && q.Limit >= 0 && !q.Residual && allExact(p.Pushed) && (len(q.Sort) == 0 || p.SortPushed) {
			p.LimitPushed = true
			groups = append(groups, paramGroup{params: []qparam{{name: s.t.Limit.Param, value: strconv.FormatInt(q.Limit, 10)}}})
		}
	}

	if p.lookup {
		p.prog = p.ext.compile(p.rowsPath, nil)
	} else {
		p.prog = p.ext.compile(p.rowsPath, s.bodyPaths)
	}
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
			for ci, c := range p.cols {
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

// MaxPushedValues is the longest IN list sent as URL parameters; a longer
// one is evaluated in the driver.
const MaxPushedValues = 500

// listAnswersKeys reports whether the list endpoint answers the get:
// lookup's key predicates in fewer requests: when a key is bound to several
// values by IN and the list pushes that IN exactly (id=1&id=2 is one
// request where the lookup would make one per key).
func (s *Source) listAnswersKeys(preds []Predicate, bound map[string]*binding) bool {
	if !allBound(s.list.names, bound) {
		return false
	}
	many := false
	for _, n := range s.get.names {
		b := bound[strings.ToLower(n)]
		if len(b.values) <= 1 {
			continue
		}
		many = true
		pr := preds[b.pred]
		c := s.cols[s.byName[strings.ToLower(pr.Column)]]
		if _, exact, ok := s.pushFilter(c, "IN", pr.Values); !ok || !exact {
			return false
		}
	}
	return many
}

// allBound reports whether every placeholder name is bound.
func allBound(names []string, bound map[string]*binding) bool {
	for _, n := range names {
		if bound[strings.ToLower(n)] == nil {
			return false
		}
	}
	return true
}

func allExact(ss []Support) bool {
	for _, s := range ss {
		if s != Exact {
			return false
		}
	}
	return true
}

// bindValues formats the values of a key predicate. NULLs are dropped (they
// match nothing), and so are values the column cannot hold (42.5 for an
// int key, 2 for a bool key: no row has them) and duplicates; the other
// values still bind. A value of an unknown type makes the predicate
// unusable.
func bindValues(c *catalog.Column, pred int, vs []any) (*binding, bool) {
	b := &binding{pred: pred}
	seen := map[string]bool{}
	for _, v := range vs {
		if v == nil {
			continue
		}
		s, ok := formatFor(c, v)
		if !ok || !keyCanHold(c, v) {
			if _, known := formatValue(v); known {
				continue
			}
			return nil, false
		}
		if seen[s] {
			continue
		}
		seen[s] = true
		b.values = append(b.values, s)
		b.raw = append(b.raw, v)
	}
	return b, true
}

// keyCanHold reports whether a value of an int key column can equal v: not
// a fraction, not a string that is no integer.
func keyCanHold(c *catalog.Column, v any) bool {
	if columnType(c) != catalog.TypeInt {
		return true
	}
	switch x := v.(type) {
	case float64:
		return x == math.Trunc(x)
	case string:
		_, ok := parseInt(strings.TrimSpace(x))
		return ok
	}
	return true
}

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
	cp := colPlan{col: c, typ: typ, format: strings.TrimSpace(c.Format)}
	if out, ok := convert(&cp, r); ok {
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
				return x.Format(f), true
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

// planFilters pushes the predicates that have a filter and fills support.
// Several filters on a parameter that the table combines become one value.
func (s *Source) planFilters(preds []Predicate, skip map[int]bool, support []Support) []qparam {
	var out []qparam
	// Two predicates on one column that send the same parameter would
	// repeat it, and an API reads ?id=1&id=2 as OR (it is how IN is sent):
	// only the first is pushed, the driver evaluates the other. Filters of
	// different columns may share a parameter (a filter language), which
	// then repeats or is joined by the table's combine setting.
	used := map[string]string{}
	for i, pr := range preds {
		if skip[i] {
			continue
		}
		ci, ok := s.byName[strings.ToLower(pr.Column)]
		if !ok {
			continue
		}
		ps, exact, ok := s.pushFilter(s.cols[ci], normalizeOp(pr.Op), pr.Values)
		if !ok {
			continue
		}
		col := strings.ToLower(s.cols[ci].Name)
		clash := false
		for _, p := range ps {
			if _, combined := s.t.Combine[p.name]; used[p.name] == col && !combined {
				clash = true
			}
		}
		if clash {
			continue
		}
		for _, p := range ps {
			used[p.name] = col
		}
		out = append(out, ps...)
		support[i] = Inexact
		if exact {
			support[i] = Exact
		}
	}
	if len(s.t.Combine) == 0 {
		return out
	}
	var combined []qparam
	at := map[string]int{}
	for _, p := range out {
		sep, ok := s.t.Combine[p.name]
		if !ok {
			combined = append(combined, p)
			continue
		}
		if i, ok := at[p.name]; ok {
			combined[i].value += sep + p.value
			continue
		}
		at[p.name] = len(combined)
		combined = append(combined, p)
	}
	return combined
}

// pushFilter renders one predicate through its column's filter. It reports
// whether the API applies it exactly, and false when it is not sent.
//
// A value is sent only when the API reads it as that one value (see
// sendable); any other predicate stays in the driver. Exact needs the
// filter's exact: true, and for != a key column: APIs keep rows without
// the field under "not equal" (JavaScript's undefined != 5), where SQL's
// NULL != 5 is not true, so != on a column that may be NULL is re-checked.
func (s *Source) pushFilter(c *catalog.Column, op string, vs []any) ([]qparam, bool, bool) {
	if len(vs) == 0 {
		return nil, false, false
	}
	f := filterFor(c, op)
	if f == nil && op == "IN" && len(vs) == 1 {
		f, op = filterFor(c, "="), "="
	}
	if f == nil {
		return nil, false, false
	}
	if len(vs) > MaxPushedValues {
		// A URL with thousands of parameters is cut or refused by servers
		// (Go's net/url stops at 10,000, Express's qs at 1,000): the list
		// stays in the driver rather than risk a silently ignored filter.
		return nil, false, false
	}
	tmpl := f.Value
	if tmpl == "" {
		tmpl = "{}"
	}
	seps := s.separators(f, op, tmpl)
	values := make([]string, len(vs))
	for i, v := range vs {
		if v == nil {
			return nil, false, false // a comparison with NULL is never pushed
		}
		str, ok := formatFor(c, v)
		if !ok {
			return nil, false, false
		}
		if op == "LIKE" {
			if str, ok = likeValue(str, f.Like); !ok {
				return nil, false, false
			}
		}
		_, isString := v.(string)
		quoted := isString && f.Quote != ""
		if _, ok := sendable(str, quoted, seps); !ok {
			return nil, false, false
		}
		if quoted {
			str = quote(str, f.Quote, f.Escape)
		}
		values[i] = str
	}
	exact := f.Exact && (op != "!=" || c.Key)
	render := func(v string) qparam { return qparam{name: f.Param, value: strings.ReplaceAll(tmpl, "{}", v)} }
	switch {
	case op != "IN":
		if len(values) != 1 {
			return nil, false, false
		}
		return []qparam{render(values[0])}, exact, true
	case f.Repeat:
		out := make([]qparam, len(values))
		for i, v := range values {
			out[i] = render(v)
		}
		return out, exact, true
	case f.Join != "":
		return []qparam{render(strings.Join(values, f.Join))}, exact, true
	case len(values) == 1:
		return []qparam{render(values[0])}, exact, true
	}
	return nil, false, false
}

// separators are the strings an API may read as the end of a value sent
// through filter f: the join of any IN filter on the same parameter (the
// API splits that parameter's values there: status=new,paid is two
// statuses), the table's combine separator for the parameter, and the
// character that follows {} in the template (the ")" of "in.({})").
func (s *Source) separators(f *catalog.Filter, op, tmpl string) []string {
	var seps []string
	for _, c := range s.cols {
		for _, g := range c.Filters {
			if g != nil && g.Join != "" && g.Param == f.Param {
				seps = append(seps, g.Join)
			}
		}
	}
	if sep := s.t.Combine[f.Param]; sep != "" {
		seps = append(seps, sep)
	}
	if i := strings.Index(tmpl, "{}"); i >= 0 && i+2 < len(tmpl) {
		r, _ := utf8.DecodeRuneInString(tmpl[i+2:])
		seps = append(seps, string(r))
	}
	return seps
}

// sendable reports whether the API reads str, sent as a filter value, as
// that one value; reason says why not. APIs read an empty value (?status=)
// as no filter at all, often trim spaces, and split a value at the
// separators of its parameter. A quoted value (the filter's quote:) is
// read whole.
func sendable(str string, quoted bool, seps []string) (reason string, ok bool) {
	switch {
	case quoted:
		return "", true
	case str == "":
		return "empty string is not sent (the API reads an empty parameter as no filter)", false
	case strings.TrimSpace(str) != str:
		return "a value with leading or trailing spaces is not sent (the API may trim it)", false
	}
	for _, sep := range seps {
		if strings.Contains(str, sep) {
			return fmt.Sprintf("a value holding %q is not sent (the API reads it as a separator)", sep), false
		}
	}
	return "", true
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
				b.WriteString(`[\s\S]`)
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

// planSort renders ORDER BY when the table's sort settings can express all
// of it.
func (s *Source) planSort(keys []SortKey) ([]qparam, bool) {
	st := s.t.Sort
	if st == nil || len(keys) == 0 {
		return nil, false
	}
	asc, desc := "asc", "desc"
	if st.Asc != nil {
		asc = *st.Asc
	}
	if st.Desc != nil {
		desc = *st.Desc
	}
	tmpl := st.Value
	if tmpl == "" {
		tmpl = "{column}"
	}
	// Several keys only when the profile says how the API joins them:
	// an API that sorts by one key reads _sort=a,b as an unknown column
	// or as a, and the rows would come in an order the driver trusts.
	join := st.Join
	if len(keys) > 1 && join == "" {
		return nil, false
	}
	values := make([]string, len(keys))
	dirs := make([]string, len(keys))
	for i, k := range keys {
		ci, ok := s.byName[strings.ToLower(k.Column)]
		if !ok || !sortable(st, s.cols[ci]) {
			return nil, false
		}
		dir := asc
		if k.Desc {
			dir = desc
		}
		if k.Desc && st.Order == "" && !strings.Contains(tmpl, "{dir}") {
			return nil, false // nothing can say "descending"
		}
		if strings.EqualFold(st.Nulls, catalog.NullsHigh) && !s.cols[ci].Key {
			return nil, false // the API would put NULLs where the driver does not
		}
		dirs[i] = dir
		values[i] = strings.NewReplacer("{column}", columnPath(s.cols[ci]), "{dir}", dir).Replace(tmpl)
	}
	out := []qparam{{name: st.Param, value: strings.Join(values, join)}}
	if st.Order != "" {
		out = append(out, qparam{name: st.Order, value: strings.Join(dirs, join)})
	}
	return out, true
}

// sortable reports whether the API sorts by c: a column sort.columns
// lists, or, without that list, any column except a datetime written in a
// layout whose text does not sort in time order (01/02/2006): the API
// sorts the text it holds, the driver the times.
func sortable(st *catalog.Sort, c *catalog.Column) bool {
	if len(st.Columns) > 0 {
		for _, n := range st.Columns {
			if strings.EqualFold(n, c.Name) {
				return true
			}
		}
		return false
	}
	return columnType(c) != catalog.TypeDatetime || textSortsAsTime(c.Format)
}

// textSortsAsTime reports whether datetimes written in layout sort as text
// in time order (RFC 3339 in one offset, 2006-01-02 15:04, epoch numbers),
// checked on instants that differ in each field.
func textSortsAsTime(layout string) bool {
	switch strings.ToLower(strings.TrimSpace(layout)) {
	case "", formatUnix, formatUnixMs:
		return true
	}
	samples := []time.Time{
		time.Date(999, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2023, 12, 31, 23, 59, 59, 0, time.UTC),
		time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 2, 9, 9, 9, 0, time.UTC),
		time.Date(2024, 1, 2, 10, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 2, 13, 0, 0, 0, time.UTC),
		time.Date(2024, 1, 10, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 2, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 9, 30, 0, 0, 0, 0, time.UTC),
		time.Date(2024, 10, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC),
	}
	for i := 1; i < len(samples); i++ {
		if samples[i-1].Format(layout) > samples[i].Format(layout) {
			return false
		}
	}
	return true
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
		top, ok := topKey(columnPath(c))
		if !ok {
			return nil
		}
		if !seen[top] {
			seen[top] = true
			names = append(names, top)
		}
	}
	if len(names) == 0 {
		return nil
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
