package demoapi

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// reserved are the list parameters that json-server takes out of the query
// before it filters on the rest.
var reserved = map[string]bool{
	"q": true, "_start": true, "_end": true, "_page": true, "_sort": true,
	"_order": true, "_limit": true, "_embed": true, "_expand": true, "_delay": true,
}

// filterSuffixes are the operator suffixes json-server recognises on a field.
var filterSuffixes = []string{"_lte", "_gte", "_ne", "_like"}

// listResult is the answer to a list request: the rows of the page and the
// headers json-server adds.
type listResult struct {
	rows []map[string]any
	// total is the X-Total-Count value, set when the request asked for a
	// page or a slice.
	total *int
	// link is the Link header, set when the request asked for a page (it
	// may be empty, as json-server sends it).
	link *string
}

// listRows answers GET /collection with json-server 0.17.4's semantics.
// fullURL is the request's absolute URL, used for the Link header.
func listRows(all []map[string]any, query url.Values, fullURL string) (listResult, error) {
	// A repeated parameter reads as JavaScript's String(array): "a,b".
	param := func(name string) string { return strings.Join(query[name], ",") }

	rows := all
	if q := query["q"]; len(q) > 0 && q[0] != "" {
		needle := strings.ToLower(q[0])
		rows = keep(rows, func(row map[string]any) bool { return deepQuery(row, needle) })
	}

	keys := make([]string, 0, len(query))
	for key := range query {
		if !reserved[key] && key != "callback" && key != "_" {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys) // filters are ANDed; a fixed order keeps errors deterministic
	for _, key := range keys {
		if !hasSuffixOperator(key) && !anyHas(all, key) {
			continue // json-server ignores a parameter that names no field of any row
		}
		pred, err := fieldFilter(key, query[key])
		if err != nil {
			return listResult{}, err
		}
		rows = keep(rows, pred)
	}

	if sortKeys := param("_sort"); sortKeys != "" {
		rows = orderBy(rows, strings.Split(sortKeys, ","), strings.Split(strings.ToLower(param("_order")), ","))
	}

	var res listResult
	pageParam, endParam, limitParam, startParam := param("_page"), param("_end"), param("_limit"), param("_start")
	if pageParam != "" || endParam != "" || limitParam != "" {
		n := len(rows)
		res.total = &n
	}
	switch {
	case pageParam != "":
		page, ok := jsParseInt(pageParam)
		if !ok || page < 1 {
			page = 1
		}
		limit, ok := jsParseInt(limitParam)
		if !ok || limit == 0 {
			limit = 10
		}
		var link string
		rows, link = paginate(rows, page, limit, fullURL)
		res.link = &link
	case endParam != "":
		start, _ := jsParseInt(startParam) // NaN || 0
		end, _ := jsParseInt(endParam)     // lodash turns NaN into 0
		rows = jsSlice(rows, start, end)
	case limitParam != "":
		start, _ := jsParseInt(startParam)
		limit, ok := jsParseInt(limitParam)
		end := start + limit
		if !ok {
			end = 0 // start + NaN
		}
		rows = jsSlice(rows, start, end)
	}
	res.rows = rows
	return res, nil
}

func hasSuffixOperator(key string) bool {
	for _, s := range filterSuffixes {
		if strings.HasSuffix(key, s) {
			return true
		}
	}
	return false
}

func keep(rows []map[string]any, pred func(map[string]any) bool) []map[string]any {
	out := make([]map[string]any, 0, len(rows))
	for _, row := range rows {
		if pred(row) {
			out = append(out, row)
		}
	}
	return out
}

func anyHas(rows []map[string]any, path string) bool {
	for _, row := range rows {
		if _, found := lookup(row, path); found {
			return true
		}
	}
	return false
}

// deepQuery is json-server's full-text match: a truthy scalar anywhere in
// the value whose string form contains needle, ignoring case.
func deepQuery(v any, needle string) bool {
	if !truthy(v) {
		return false
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			if deepQuery(e, needle) {
				return true
			}
		}
		return false
	case map[string]any:
		for _, e := range x {
			if deepQuery(e, needle) {
				return true
			}
		}
		return false
	default:
		s, _ := jsString(v)
		return strings.Contains(strings.ToLower(s), needle)
	}
}

// fieldFilter builds the predicate of one filter parameter: field=v
// (equality of the field's string form), field_ne, field_gte, field_lte
// (JavaScript comparison: numeric against a number, by string otherwise) and
// field_like (case-insensitive regular expression). Several values of one
// parameter are ORed, except for _ne where every value must differ. A row
// whose field is null or missing never matches.
func fieldFilter(key string, values []string) (func(map[string]any) bool, error) {
	op, path := "", key
	for _, s := range filterSuffixes {
		if p, ok := strings.CutSuffix(key, s); ok {
			op, path = s, p
			break
		}
	}
	var patterns []*regexp.Regexp
	if op == "_like" {
		for _, v := range values {
			re, err := regexp.Compile("(?i)" + v)
			if err != nil {
				return nil, fmt.Errorf("demoapi: parameter %s: invalid regular expression %q: %w", key, v, err)
			}
			patterns = append(patterns, re)
		}
	}
	match := func(elem any, i int) bool {
		v := values[i]
		switch op {
		case "_gte": // value <= element
			c, ok := jsCompare(v, elem)
			return ok && c <= 0
		case "_lte": // value >= element
			c, ok := jsCompare(v, elem)
			return ok && c >= 0
		case "_ne":
			s, _ := jsString(elem)
			return v != s
		case "_like":
			s, _ := jsString(elem)
			return patterns[i].MatchString(s)
		default:
			s, _ := jsString(elem)
			return v == s
		}
	}
	return func(row map[string]any) bool {
		elem, found := lookup(row, path)
		if !found || elem == nil {
			return false
		}
		for i := range values {
			m := match(elem, i)
			if op == "_ne" && !m {
				return false
			}
			if op != "_ne" && m {
				return true
			}
		}
		return op == "_ne"
	}, nil
}

// orderBy is lodash's stable orderBy: keys are field paths, orders "desc"
// or anything else for ascending. Ascending puts null after every value and
// missing fields after null; descending reverses that.
func orderBy(rows []map[string]any, keys, orders []string) []map[string]any {
	out := append([]map[string]any(nil), rows...)
	sort.SliceStable(out, func(i, j int) bool {
		for k, key := range keys {
			a, aok := lookup(out[i], key)
			b, bok := lookup(out[j], key)
			c := compareAscending(a, aok, b, bok)
			if k < len(orders) && orders[k] == "desc" {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	})
	return out
}

// compareAscending is lodash's compareAscending for JSON values; found is
// false for undefined.
func compareAscending(a any, aFound bool, b any, bFound bool) int {
	switch {
	case !aFound && !bFound:
		return 0
	case !aFound:
		return 1
	case !bFound:
		return -1
	case a == nil && b == nil:
		return 0
	case a == nil:
		return 1
	case b == nil:
		return -1
	}
	c, _ := jsCompare(a, b)
	return c
}

// jsSlice is Array.prototype.slice(start, end) on rows: negative positions
// count from the end.
func jsSlice(rows []map[string]any, start, end int) []map[string]any {
	n := len(rows)
	clamp := func(i int) int {
		if i < 0 {
			i += n
		}
		return max(0, min(i, n))
	}
	s, e := clamp(start), clamp(end)
	if s >= e {
		return []map[string]any{}
	}
	return rows[s:e]
}

// paginate is json-server's page window and Link header: first, prev, next
// and last links are the request URL with its "page=N" replaced.
func paginate(rows []map[string]any, page, perPage int, fullURL string) ([]map[string]any, string) {
	n := len(rows)
	start, end := (page-1)*perPage, page*perPage
	items := jsSlice(rows, start, end)
	if len(items) == 0 {
		return items, ""
	}
	current := "undefined" // as JavaScript formats a missing page.current
	var first, prev, next, last *int
	ptr := func(i int) *int { return &i }
	if page > 1 {
		prev = ptr(page - 1)
	}
	if end < n {
		next = ptr(page + 1)
	}
	if len(items) != n {
		current = strconv.Itoa(page)
		first = ptr(1)
		last = ptr(int(math.Ceil(float64(n) / float64(perPage))))
	}
	var links []string
	for _, l := range []struct {
		rel  string
		page *int
	}{{"first", first}, {"prev", prev}, {"next", next}, {"last", last}} {
		if l.page == nil || *l.page == 0 { // JavaScript skips a falsy page number
			continue
		}
		u := strings.Replace(fullURL, "page="+current, "page="+strconv.Itoa(*l.page), 1)
		links = append(links, fmt.Sprintf("<%s>; rel=%q", u, l.rel))
	}
	return items, strings.Join(links, ", ")
}
