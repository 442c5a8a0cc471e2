package restsource

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/restsql/restsql/catalog"
)

// pushdown is a Pushdown with what Plan needs to render it.
type pushdown struct {
	*Pushdown

	bound   map[string]*binding
	tmpl    *urlTemplate
	filters []qparam // the filter parameters, combined
	sort    []qparam
}

// Supports decides, from the profile alone, how the API answers q: the
// request URL (list or get:) and its key bindings, and for each predicate
// and the sort whether it is sent and why not. A {name} placeholder of the
// table's URL that no = or IN predicate binds is a *MissingKeyError.
//
// The rules, each written once, here:
//
//   - Key columns: an = or IN predicate on a {name} placeholder of the url
//     binds it (Exact); IN makes one request stream per value (the
//     cartesian product for several placeholders), NULLs, duplicates and
//     values the key's type cannot hold dropped (see bindValues).
//   - Lookups: when the table has get: and every placeholder of get.url is
//     bound, get.url is used instead (one request per key, no pagination,
//     no other pushdown), unless an exact IN lets one list request answer
//     (see listAnswersKeys).
//   - Filters: see planFilters and pushFilter.
//   - Sort: see planSort; only with one request stream.
//   - Limit: the table's limit:, on the list endpoint.
func (s *Source) Supports(q Query) (*Pushdown, error) {
	d, err := s.supports(q)
	if err != nil {
		return nil, err
	}
	return d.Pushdown, nil
}

// supports is Supports, with the decision's rendering.
func (s *Source) supports(q Query) (*pushdown, error) {
	d := &pushdown{Pushdown: &Pushdown{Filters: make([]Decision, len(q.Predicates))}}
	for i, pr := range q.Predicates {
		d.Filters[i] = Decision{Reason: "column " + pr.Column + ": unknown column"}
	}

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
	d.bound = map[string]*binding{}
	for i, pr := range q.Predicates {
		ci, ok := s.byName[strings.ToLower(pr.Column)]
		if !ok {
			continue
		}
		name := strings.ToLower(s.cols[ci].Name)
		op := normalizeOp(pr.Op)
		if !keyNames[name] || d.bound[name] != nil || (op != "=" && op != "IN") || (op == "=" && len(pr.Values) != 1) {
			continue
		}
		if b, ok := bindValues(s.cols[ci], i, pr.Values); ok {
			d.bound[name] = b
		}
	}
	d.tmpl = s.list
	if s.get != nil && allBound(s.get.names, d.bound) && !s.listAnswersKeys(q.Predicates, d.bound) && !unaddressable(s.get.names, d.bound, s.list.names) {
		d.tmpl, d.Lookup = s.get, true
	}
	for _, n := range d.tmpl.names {
		if d.bound[strings.ToLower(n)] == nil {
			col := s.cols[s.byName[strings.ToLower(n)]]
			return nil, &MissingKeyError{Table: s.name, Column: col.Name, Operator: "=", URL: s.t.URL}
		}
	}
	keyPred := map[int]bool{}
	d.Streams = 1
	for _, n := range d.tmpl.names {
		b := d.bound[strings.ToLower(n)]
		keyPred[b.pred] = true
		d.Filters[b.pred] = Decision{Support: Exact}
		d.Streams *= len(b.values)
		if d.Streams > MaxRequests {
			return nil, fmt.Errorf("restsource: table %s: the IN lists on key columns would make more than %d requests", s.name, MaxRequests)
		}
	}

	if d.Lookup {
		for i := range q.Predicates {
			if !keyPred[i] {
				d.Filters[i] = Decision{Reason: "column " + q.Predicates[i].Column + ": the get: lookup sends no filters"}
			}
		}
		d.SortReason = "sort: the get: lookup is not sorted"
		d.LimitReason = "limit: the get: lookup takes no limit"
		return d, nil
	}
	d.filters = s.planFilters(q.Predicates, keyPred, d.Filters)
	s.childFilters(q.Predicates, keyPred, d.Filters)
	switch {
	case len(q.Sort) == 0:
	case d.Streams > 1:
		d.SortReason = fmt.Sprintf("sort: the IN list on a key column makes %d request streams, each sorted on its own", d.Streams)
	default:
		d.sort, d.SortReason = s.planSort(q.Sort)
		d.Sort = d.SortReason == ""
		if d.Sort && s.t.Sort.Append {
			d.filters, d.sort = appendSort(d.filters, d.sort), nil
		}
	}
	if why := s.shapeLimit(); s.t.Limit != nil && why != "" {
		d.LimitReason = why
	} else if s.t.Limit != nil {
		d.Limit = true
	} else {
		d.LimitReason = "limit: the table has no limit: setting"
	}
	return d, nil
}

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
		if _, d := s.pushFilter(c, "IN", pr.Values); d.Support != Exact {
			return false
		}
	}
	return many
}

// unaddressable reports whether a get: key lost a value no URL can carry
// (” for /products/{sku}) while the list does not need that key: the
// list then answers, and the driver compares the key.
func unaddressable(getNames []string, bound map[string]*binding, listNames []string) bool {
	for _, n := range getNames {
		if b := bound[strings.ToLower(n)]; b != nil && b.unaddressable && !slices.ContainsFunc(listNames, func(l string) bool { return strings.EqualFold(l, n) }) {
			return true
		}
	}
	return false
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

// bindValues formats the values of a key predicate. NULLs are dropped (they
// match nothing), and so are values the column cannot hold (42.5 for an
// int key, 2 for a bool key: no row has them), the empty string, which no
// URL can carry, and duplicates; the other values still bind. A value of an unknown type makes the predicate
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
		if s == "" {
			// /products/ is the list, ?q= no filter: no URL asks for
			// this key. (. and .. are escaped, so they are carried.)
			b.unaddressable = true
			continue
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

// planFilters decides each predicate that has a filter (skipping the key
// bindings) and returns their parameters. Several filters on a parameter
// that the table combines become one value.
func (s *Source) planFilters(preds []Predicate, skip map[int]bool, decisions []Decision) []qparam {
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
		c := s.cols[ci]
		ps, d := s.pushFilter(c, normalizeOp(pr.Op), pr.Values)
		decisions[i] = d
		if d.Support == Unsupported {
			continue
		}
		col := strings.ToLower(c.Name)
		clash := ""
		for _, p := range ps {
			if _, combined := s.t.Combine[p.name]; used[p.name] == col && !combined && !(p.body && catalog.BodyPathAppends(p.name)) {
				clash = p.name
			}
		}
		if clash != "" {
			decisions[i] = Decision{Reason: fmt.Sprintf("column %s: parameter %s already carries another filter of the column (a repeated parameter reads as OR)", c.Name, clash)}
			continue
		}
		for _, p := range ps {
			used[p.name] = col
		}
		out = append(out, ps...)
	}
	if len(s.t.Combine) == 0 {
		return out
	}
	return s.combine(out)
}

// combine joins the filters of each combined parameter into one value:
// prefix + (base and the filters in WHERE order, joined by sep) + suffix.
// A parameter with a base is sent without filters too.
func (s *Source) combine(out []qparam) []qparam {
	var combined []qparam
	at := map[string]int{}
	parts := map[string][]string{}
	add := func(name string) {
		if _, ok := at[name]; !ok {
			at[name] = len(combined)
			combined = append(combined, qparam{name: name})
			if b := s.combineBase[name]; b != "" {
				parts[name] = append(parts[name], b)
			}
		}
	}
	for _, p := range out {
		if _, ok := s.t.Combine[p.name]; !ok || p.body {
			combined = append(combined, p)
			continue
		}
		add(p.name)
		parts[p.name] = append(parts[p.name], p.value)
	}
	for _, name := range sortedKeys(s.combineBase) {
		add(name)
	}
	for name, i := range at {
		cb := s.t.Combine[name]
		combined[i].value = cb.Prefix + strings.Join(parts[name], cb.Sep) + cb.Suffix
	}
	return combined
}

// appendSort adds the rendered sort to the end of its combined parameter
// (sort: {append: true}); alone, without its leading spaces, when the
// parameter has no filters and no base.
func appendSort(filters, sort []qparam) []qparam {
	out := slices.Clone(filters)
	for _, sp := range sort {
		i := slices.IndexFunc(out, func(p qparam) bool { return p.name == sp.name })
		if i < 0 {
			out = append(out, qparam{name: sp.name, value: strings.TrimLeft(sp.value, " ")})
			continue
		}
		out[i].value += sp.value
	}
	return out
}

// pushFilter decides one predicate through its column's filter and
// renders its parameters when it is sent.
//
// A value is sent only when the API reads it as that one value (see
// sendable); any other predicate stays in the driver. Exact needs the
// filter's exact: true, and for != a key column: APIs keep rows without
// the field under "not equal" (JavaScript's undefined != 5), where SQL's
// NULL != 5 is not true, so != on a column that may be NULL is re-checked.
func (s *Source) pushFilter(c *catalog.Column, op string, vs []any) ([]qparam, Decision) {
	no := func(format string, args ...any) ([]qparam, Decision) {
		return nil, Decision{Reason: "column " + c.Name + ": " + fmt.Sprintf(format, args...)}
	}
	if len(vs) == 0 {
		return no("no value can match, so no row does")
	}
	f := filterFor(c, op)
	if f == nil && op == "IN" && len(vs) == 1 {
		f, op = filterFor(c, "="), "="
	}
	if f == nil {
		if op == "IN" && filterFor(c, "=") != nil {
			return no("no IN filter (the = filter takes one value)")
		}
		return no("no filter for %s", op)
	}
	if f.Body != "" {
		return s.pushBodyFilter(c, f, op, vs)
	}
	if op == "IN" && !f.Repeat && f.Join == "" && len(vs) > 1 {
		return no("the IN filter has neither repeat nor join, so it takes one value")
	}
	if len(vs) > MaxPushedValues {
		// A URL with thousands of parameters is cut or refused by servers
		// (Go's net/url stops at 10,000, Express's qs at 1,000): the list
		// stays in the driver rather than risk a silently ignored filter.
		return no("more than %d values are not sent", MaxPushedValues)
	}
	tmpl := f.Value
	if tmpl == "" {
		tmpl = "{}"
	}
	seps := s.separators(f, op, tmpl)
	values := make([]string, len(vs))
	for i, v := range vs {
		if v == nil {
			return no("a comparison with NULL is never sent")
		}
		str, ok := formatFor(c, v)
		if !ok {
			return no("%v cannot be written as a %s value", v, columnType(c))
		}
		if f.Format == "" {
			if why, ok := sameInstant(c, v, str); !ok {
				return no("%s", why)
			}
		}
		if f.Format != "" {
			var why string
			if str, why, ok = filterTime(c, f.Format, v); !ok {
				return no("%s", why)
			}
		}
		if op == "LIKE" {
			if str, ok = likeValue(str, f.Like); !ok {
				return no("the pattern %q cannot be sent as like: %s", str, f.Like)
			}
		}
		_, isString := v.(string)
		if isString && f.Quote == "" && s.t.Combine[f.Param].Language() {
			return no("a string goes into the query-language parameter %s only with quote: (and escape:), so that it cannot change the query", f.Param)
		}
		quoted := isString && f.Quote != ""
		if why, ok := sendable(str, quoted, seps); !ok {
			if str == "" {
				return no("empty string is not sent (the API reads ?%s= as no filter)", f.Param)
			}
			return no("%s", why)
		}
		if quoted {
			str = quote(str, f.Quote, f.Escape)
		}
		values[i] = str
	}
	d := Decision{Support: Exact}
	switch {
	case !f.Exact:
		d = Decision{Support: Inexact, Reason: "column " + c.Name + ": re-checked (the " + op + " filter is not exact: true)"}
	case op == "!=" && !c.Key:
		d = Decision{Support: Inexact, Reason: "column " + c.Name + ": re-checked (APIs keep rows without the field under !=, and the column is not key: true)"}
	case op == "LIKE" && strings.EqualFold(f.Like, catalog.LikeRegex) && anyLikeOne(vs):
		d = Decision{Support: Inexact, Reason: "column " + c.Name + ": re-checked (_ is sent as one or two characters: a JavaScript regular expression counts an emoji as two)"}
	}
	render := func(v string) qparam { return qparam{name: f.Param, value: strings.ReplaceAll(tmpl, "{}", v)} }
	switch {
	case op != "IN":
		if len(values) != 1 {
			return no("%s takes one value", op)
		}
		return []qparam{render(values[0])}, d
	case f.Repeat:
		out := make([]qparam, len(values))
		for i, v := range values {
			out[i] = render(v)
		}
		return out, d
	case f.Join != "":
		return []qparam{render(strings.Join(values, f.Join))}, d
	}
	return []qparam{render(values[0])}, d
}

// anyLikeOne reports whether a LIKE pattern among vs holds the wildcard _.
func anyLikeOne(vs []any) bool {
	for _, v := range vs {
		if p, ok := v.(string); ok && likeOne(p) {
			return true
		}
	}
	return false
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
	if cb := s.t.Combine[f.Param]; cb != nil && cb.Sep != "" {
		seps = append(seps, cb.Sep)
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
		return fmt.Sprintf("%q has leading or trailing spaces, which the API may trim: not sent", str), false
	}
	for _, sep := range seps {
		if strings.Contains(str, sep) {
			return fmt.Sprintf("%q holds %q, which the API reads as a separator: not sent", str, sep), false
		}
	}
	return "", true
}

// planSort renders ORDER BY when the table's sort settings can express all
// of it; otherwise it says why not. All keys or none: a sort pushed in
// part would be trusted whole.
func (s *Source) planSort(keys []SortKey) ([]qparam, string) {
	st := s.t.Sort
	if st == nil {
		return nil, "sort: the table has no sort: setting"
	}
	if st.Body != "" {
		return s.planBodySort(keys)
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
		return nil, "sort: the API sorts by one key (no sort.join)"
	}
	values := make([]string, len(keys))
	dirs := make([]string, len(keys))
	for i, k := range keys {
		ci, ok := s.byName[strings.ToLower(k.Column)]
		if !ok {
			return nil, "sort: unknown column " + k.Column
		}
		c := s.cols[ci]
		if why := s.shapeSortable(c); why != "" {
			return nil, "sort: " + why
		}
		if why := sortable(st, c); why != "" {
			return nil, "sort: " + why
		}
		dir := asc
		if k.Desc {
			dir = desc
		}
		if k.Desc && st.Order == "" && !strings.Contains(tmpl, "{dir}") {
			return nil, "sort: nothing can say descending (no sort.order and no {dir} in sort.value)"
		}
		if strings.EqualFold(st.Nulls, catalog.NullsHigh) && !c.Key {
			return nil, "sort: the API sorts NULLs last (nulls: high) and column " + c.Name + " is not key: true"
		}
		dirs[i] = dir
		values[i] = strings.NewReplacer("{column}", s.apiPath(c), "{dir}", dir).Replace(tmpl)
	}
	for i, k := range keys {
		// {name}: the column's name, where the API names it so (the
		// column's path is {column}).
		values[i] = strings.ReplaceAll(values[i], "{name}", s.cols[s.byName[strings.ToLower(k.Column)]].Name)
	}
	out := []qparam{{name: st.Param, value: strings.Join(values, join)}}
	if st.Order != "" {
		out = append(out, qparam{name: st.Order, value: strings.Join(dirs, join)})
	}
	return out, ""
}

// sortable says why the API does not sort by c ("" when it does): a
// column sort.columns does not list, or, without that list, a datetime
// written in a layout whose text does not sort in time order
// (01/02/2006): the API sorts the text it holds, the driver the times.
func sortable(st *catalog.Sort, c *catalog.Column) string {
	if len(st.Columns) > 0 {
		for _, n := range st.Columns {
			if strings.EqualFold(n, c.Name) {
				return ""
			}
		}
		return "column " + c.Name + " is not in sort.columns"
	}
	if columnType(c) == catalog.TypeDatetime && !textSortsAsTime(c.Format) {
		return fmt.Sprintf("column %s is a datetime in format %q, whose text does not sort as time (list it in sort.columns if the API sorts it as time)", c.Name, c.Format)
	}
	return ""
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
