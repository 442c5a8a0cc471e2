package restsource

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/restsql/restsql/catalog"
)

// Reads with a body (catalog.Table.BodyRead): a POST with a JSON body built
// from the table's body: template (or graphql:), into which the pushed
// filters, the sort, the limit and the cursor are written at their body:
// paths. Such a read is idempotent: it is retried like a GET.

// bodyCursorParam is the query parameter under which the pagination keeps
// a cursorBody cursor between pages; fetchPage moves it into the body
// before the request is sent, so the API never sees it.
const bodyCursorParam = "restsql.cursorBody"

// initBody prepares a body read: the expanded body template (and the one
// shown in EXPLAIN and logs, with "***" for the values of ${Name}
// placeholders), and pagination that keeps its cursor for the body.
func (s *Source) initBody(pg *catalog.Pagination) error {
	t := s.t
	if !t.BodyRead() {
		if pg.CursorBody != "" {
			return fmt.Errorf("pagination: cursorBody %s needs a read with a body (method: POST)", pg.CursorBody)
		}
		return nil
	}
	tmpl, err := t.BodyTemplate()
	if err != nil {
		return err
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(tmpl))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	real, err := s.expandJSON(v, false)
	if err != nil {
		return err
	}
	shown, _ := s.expandJSON(v, true)
	if s.bodyTmpl, err = json.Marshal(real); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	if s.bodyShown, err = json.Marshal(shown); err != nil {
		return fmt.Errorf("body: %w", err)
	}
	s.method = http.MethodPost
	s.graphql = t.GraphQL != nil
	if pg.CursorBody != "" {
		s.cursorBody = pg.CursorBody
		pg.CursorParam = bodyCursorParam
	}
	return nil
}

// expandJSON resolves the ${Name} placeholders of the strings of a decoded
// body template; with redact, a string that holds one becomes "***".
func (s *Source) expandJSON(v any, redact bool) (any, error) {
	switch x := v.(type) {
	case string:
		if !strings.Contains(x, "${") {
			return x, nil
		}
		if redact {
			return "***", nil
		}
		return s.expand("body", x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			ev, err := s.expandJSON(e, redact)
			if err != nil {
				return nil, err
			}
			out[k] = ev
		}
		return out, nil
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			ev, err := s.expandJSON(e, redact)
			if err != nil {
				return nil, err
			}
			out[i] = ev
		}
		return out, nil
	}
	return v, nil
}

// bodyParam is a part written into the request body: value (JSON) at path
// name. It travels with the URL parameters through the pushdown and is
// taken out of them by splitBody.
func bodyParam(path, value string) qparam { return qparam{name: path, value: value, body: true} }

// splitBody takes the body parts out of the parameter groups and writes
// them, in order, into the body template: the request body, and the one
// shown.
func (s *Source) splitBody(groups []paramGroup) ([]paramGroup, []byte, []byte, error) {
	body, shown := bytes.Clone(s.bodyTmpl), bytes.Clone(s.bodyShown)
	out := make([]paramGroup, 0, len(groups))
	for _, g := range groups {
		var ps []qparam
		for _, p := range g.params {
			if !p.body {
				ps = append(ps, p)
				continue
			}
			var err error
			if body, err = sjson.SetRawBytes(body, p.name, []byte(p.value)); err != nil {
				return nil, nil, nil, fmt.Errorf("body path %s: %w", p.name, err)
			}
			shown, _ = sjson.SetRawBytes(shown, p.name, []byte(p.value))
		}
		out = append(out, paramGroup{params: ps, add: g.add})
	}
	return out, body, shown, nil
}

// pushBodyFilter decides one predicate through a filter with a body: path
// and renders the JSON written there: the filter's value template with {}
// replaced by the value as JSON (an IN list as a JSON array), or, for a {}
// between quotes, by the value's text.
func (s *Source) pushBodyFilter(c *catalog.Column, f *catalog.Filter, op string, vs []any) ([]qparam, Decision) {
	no := func(format string, args ...any) ([]qparam, Decision) {
		return nil, Decision{Reason: "column " + c.Name + ": " + fmt.Sprintf(format, args...)}
	}
	if len(vs) > MaxPushedValues {
		return no("more than %d values are not sent", MaxPushedValues)
	}
	if !s.t.BodyRead() {
		return no("the filter's body: needs a read with a body")
	}
	tmpl := f.Value
	if tmpl == "" {
		tmpl = "{}"
	}
	vals := make([]json.RawMessage, len(vs))
	texts := make([]string, len(vs))
	for i, v := range vs {
		if v == nil {
			return no("a comparison with NULL is never sent")
		}
		raw, text, why := s.bodyValue(c, f, op, v)
		if why != "" {
			return no("%s", why)
		}
		vals[i], texts[i] = raw, text
	}
	var value json.RawMessage
	text := ""
	switch {
	case op == "IN":
		value, _ = json.Marshal(vals)
		if textMarker(tmpl) {
			return no(`the IN filter's value writes {} inside a string, which cannot hold a list`)
		}
	case len(vals) == 1:
		value, text = vals[0], texts[0]
	default:
		return no("%s takes one value", op)
	}
	rendered := fillJSON(tmpl, value, text)
	if !json.Valid([]byte(rendered)) {
		return no("the filter's value %q does not make JSON with %s", tmpl, value)
	}
	d := Decision{Support: Exact}
	switch {
	case !f.Exact:
		d = Decision{Support: Inexact, Reason: "column " + c.Name + ": re-checked (the " + op + " filter is not exact: true)"}
	case op == "!=" && !c.Key:
		d = Decision{Support: Inexact, Reason: "column " + c.Name + ": re-checked (APIs keep rows without the field under !=, and the column is not key: true)"}
	}
	return []qparam{bodyParam(f.Body, rendered)}, d
}

// bodyValue writes one predicate value as JSON for a body filter: a number
// for int and float columns and for datetimes in unix or unixms, true or
// false for bool columns, else a string written as the column's JSON
// writes it (datetimes in the filter's or the column's format). text is
// the value's text. why says why the value cannot be sent.
func (s *Source) bodyValue(c *catalog.Column, f *catalog.Filter, op string, v any) (raw json.RawMessage, text, why string) {
	str, ok := formatFor(c, v)
	if !ok {
		return nil, "", fmt.Sprintf("%v cannot be written as a %s value", v, columnType(c))
	}
	format := strings.ToLower(c.Format)
	if f.Format != "" {
		if str, why, ok = filterTime(c, f.Format, v); !ok {
			return nil, "", why
		}
		format = strings.ToLower(f.Format)
	}
	if op == "LIKE" {
		if str, ok = likeValue(str, f.Like); !ok {
			return nil, "", fmt.Sprintf("the pattern %q cannot be sent as like: %s", str, f.Like)
		}
		b, _ := json.Marshal(str)
		return b, str, ""
	}
	switch typ := columnType(c); {
	case typ == catalog.TypeInt || typ == catalog.TypeFloat ||
		(typ == catalog.TypeDatetime && (format == formatUnix || format == formatUnixMs)):
		if _, err := strconv.ParseFloat(str, 64); err != nil || !json.Valid([]byte(str)) {
			return nil, "", fmt.Sprintf("%v is not a number, as the %s column's JSON holds", v, typ)
		}
		return json.RawMessage(str), str, ""
	case typ == catalog.TypeBool:
		if str != "true" && str != "false" {
			return nil, "", fmt.Sprintf("%v is not a boolean", v)
		}
		return json.RawMessage(str), str, ""
	}
	b, _ := json.Marshal(str)
	return b, str, ""
}

// fillJSON replaces each {} of a JSON template: one inside a JSON string
// with text, escaped for it, a bare {} with value.
func fillJSON(tmpl string, value json.RawMessage, text string) string {
	var b strings.Builder
	inString := false
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case inString && c == '\\' && i+1 < len(tmpl):
			b.WriteByte(c)
			b.WriteByte(tmpl[i+1])
			i++
			continue
		case c == '"':
			inString = !inString
		case c == '{' && i+1 < len(tmpl) && tmpl[i+1] == '}':
			if inString {
				b.WriteString(jsonText(text))
			} else {
				b.Write(value)
			}
			i++
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// textMarker reports whether a JSON template has a {} inside a string.
func textMarker(tmpl string) bool {
	return fillJSON(tmpl, nil, "\x00") != fillJSON(tmpl, nil, "")
}

// planBodySort renders ORDER BY into the body: each key's value template
// with {column} (the column's path), {name} (its name) and {dir}, written
// at sort.body; several keys only when the path appends to an array.
func (s *Source) planBodySort(keys []SortKey) ([]qparam, string) {
	st := s.t.Sort
	if len(keys) > 1 && !catalog.BodyPathAppends(st.Body) {
		return nil, "sort: the API sorts by one key (sort.body " + st.Body + " does not end in .-1)"
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
		tmpl = `"{column}"`
	}
	out := make([]qparam, 0, len(keys))
	for _, k := range keys {
		ci, ok := s.byName[strings.ToLower(k.Column)]
		if !ok {
			return nil, "sort: unknown column " + k.Column
		}
		c := s.cols[ci]
		if why := sortable(st, c); why != "" {
			return nil, "sort: " + why
		}
		if k.Desc && !strings.Contains(tmpl, "{dir}") {
			return nil, "sort: nothing can say descending (no {dir} in sort.value)"
		}
		if strings.EqualFold(st.Nulls, catalog.NullsHigh) && !c.Key {
			return nil, "sort: the API sorts NULLs last (nulls: high) and column " + c.Name + " is not key: true"
		}
		dir := asc
		if k.Desc {
			dir = desc
		}
		v := strings.NewReplacer("{column}", jsonText(s.apiPath(c)), "{name}", jsonText(c.Name), "{dir}", jsonText(dir)).Replace(tmpl)
		if !json.Valid([]byte(v)) {
			return nil, fmt.Sprintf("sort: the value %q does not make JSON for column %s", tmpl, c.Name)
		}
		out = append(out, bodyParam(st.Body, v))
	}
	return out, ""
}

// jsonText is s escaped for the inside of a JSON string.
func jsonText(s string) string {
	b, _ := json.Marshal(s)
	return string(b[1 : len(b)-1])
}

// selectBody is the body part of select: {body}: the names as a JSON
// array of strings.
func selectBody(path string, names []string) qparam {
	b, _ := json.Marshal(names)
	return bodyParam(path, string(b))
}

// limitParam is the parameter, or the body part, that sends a limit.
func (s *Source) limitParam(n int64) qparam {
	if s.t.Limit.Body != "" {
		return bodyParam(s.t.Limit.Body, strconv.FormatInt(n, 10))
	}
	return qparam{name: s.t.Limit.Param, value: strconv.FormatInt(n, 10)}
}

// fetchPage fetches one page of a plan's stream at u: a GET, or for a read
// with a body a POST of the plan's body with the page's cursor written at
// cursorBody (the first page has none).
func (s *Source) fetchPage(ctx context.Context, p *Plan, u *url.URL, requests func()) (*response, error) {
	if p.body == nil {
		return s.fetch(ctx, u, requests)
	}
	sent, body, err := s.pageBody(p, u, p.body)
	if err != nil {
		return nil, err
	}
	if s.logEnabled(ctx, LevelBodies) {
		// The body as EXPLAIN shows it: a placeholder's value as "***".
		_, shown, _ := s.pageBody(p, u, p.bodyShown)
		s.logAttrs(ctx, LevelBodies, "restsource: request body", slog.String("table", s.name),
			slog.String("method", s.method), slog.String("url", s.redact(sent)), slog.String("body", redactText(string(shown))))
	}
	return s.doRead(ctx, s.method, sent, body, requests)
}

// pageBody moves the cursor the pagination keeps in u into the plan's
// body at cursorBody, as the JSON the response wrote.
func (s *Source) pageBody(p *Plan, u *url.URL, base []byte) (*url.URL, []byte, error) {
	if s.cursorBody == "" || !strings.Contains(u.RawQuery, bodyCursorParam) {
		return u, base, nil
	}
	q := parseQuery(u.RawQuery)
	cursor, found := "", false
	out := q[:0:0]
	for _, kv := range q {
		if kv.name == bodyCursorParam && kv.raw == "" {
			cursor, found = kv.value, true
			continue
		}
		out = append(out, kv)
	}
	if !found {
		return u, base, nil
	}
	c := *u
	c.RawQuery = out.encode()
	if !json.Valid([]byte(cursor)) {
		return nil, nil, fmt.Errorf("restsource: table %s: cursorBody %s: the cursor %s is not JSON", s.name, s.cursorBody, excerptOf(cursor))
	}
	// The cursor is the JSON the response wrote (see pagination's
	// cursorBody): a string, a number, or an array such as search_after.
	body, err := sjson.SetRawBytes(bytes.Clone(base), s.cursorBody, []byte(cursor))
	if err != nil {
		return nil, nil, fmt.Errorf("restsource: table %s: cursorBody %s: %w", s.name, s.cursorBody, err)
	}
	return &c, body, nil
}

// graphqlErrors makes a GraphQL response's "errors" array an error, even
// with status 200: a GraphQL API reports a failed query (a wrong field, a
// rate limit, a missing permission) that way, with data null or partial.
func (x *exchange) graphqlErrors(raw []byte) error {
	errs := gjson.GetBytes(raw, "errors")
	if !errs.IsArray() || len(errs.Array()) == 0 {
		return nil
	}
	var msgs []string
	for _, e := range errs.Array() {
		m := e.Get("message").String()
		if m == "" {
			m = e.Raw
		}
		if p := e.Get("path"); p.Exists() {
			m += " (path " + p.Raw + ")"
		}
		msgs = append(msgs, m)
	}
	return fmt.Errorf("%s: table %s: the GraphQL API reports %d error(s): %s", x.prefix(), x.s.name, len(msgs), excerptOf(redactText(strings.Join(msgs, "; "))))
}

// shownURL is a page's URL for messages: redacted, and without the cursor
// that a read with a body keeps there for its body.
func (s *Source) shownURL(u *url.URL) string {
	if s.cursorBody != "" {
		if q := parseQuery(u.RawQuery); slices.ContainsFunc(q, func(p qparam) bool { return p.name == bodyCursorParam }) {
			c := *u
			c.RawQuery = slices.DeleteFunc(q, func(p qparam) bool { return p.name == bodyCursorParam }).encode()
			u = &c
		}
	}
	return s.redact(u)
}

// requestLine renders a plan's first request for EXPLAIN: the method, the
// URL and, for a read with a body, the body (secrets as "***").
func (p *Plan) requestLine(u *url.URL) string {
	if p.body == nil {
		return "GET " + p.src.redact(u)
	}
	shownURL, _, _ := p.src.pageBody(p, u, nil)
	return p.src.method + " " + p.src.redact(shownURL) + " " + string(p.bodyShown)
}
