package restsource

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode/utf8"
)

// urlTemplate is a request URL with {name} placeholders: the catalog's base
// URL joined with a table's (or get's) url.
type urlTemplate struct {
	// raw is the joined template.
	raw string
	// spans are the placeholders, in order; names their distinct names.
	spans []span
	names []string
	// query is the index of the '?' that starts the query (-1 = none).
	query int
	// host is the template with dummy values, parsed (scheme and host).
	host *url.URL
}

type span struct {
	start, end int // raw[start:end] is "{name}"
	name       string
}

// isAbsolute reports whether a table url is an absolute http(s) URL.
func isAbsolute(raw string) bool {
	l := strings.ToLower(strings.TrimSpace(raw))
	return strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "https://")
}

// parseHTTPURL parses an absolute http or https URL with a host.
func parseHTTPURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q is not an http or https URL", u.Redacted())
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", u.Redacted())
	}
	return u, nil
}

// parseTemplate joins a table url to the base URL (an absolute table url
// stands alone) and finds its placeholders. The table url's path is appended
// to the base URL's path; their query strings are concatenated.
func parseTemplate(base *url.URL, rel string) (*urlTemplate, error) {
	rel = strings.TrimSpace(rel)
	full := rel
	if !isAbsolute(rel) {
		if base == nil {
			return nil, errors.New("relative url without a base url")
		}
		b := *base
		b.RawQuery, b.ForceQuery, b.Fragment, b.RawFragment = "", false, "", ""
		relPath, relQuery, _ := strings.Cut(rel, "?")
		full = strings.TrimRight(b.String(), "/")
		if p := strings.TrimLeft(relPath, "/"); p != "" {
			full += "/" + p
		}
		var qs []string
		for _, q := range []string{base.RawQuery, relQuery} {
			if q != "" {
				qs = append(qs, q)
			}
		}
		if len(qs) > 0 {
			full += "?" + strings.Join(qs, "&")
		}
	}
	t := &urlTemplate{raw: full, query: -1}
	seen := map[string]bool{}
	for i := 0; i < len(full); i++ {
		switch full[i] {
		case '?':
			if t.query < 0 {
				t.query = i
			}
		case '{':
			end := strings.IndexAny(full[i+1:], "{}/?&=# ")
			if end <= 0 || full[i+1+end] != '}' {
				continue
			}
			name := full[i+1 : i+1+end]
			t.spans = append(t.spans, span{start: i, end: i + end + 2, name: name})
			if !seen[strings.ToLower(name)] {
				seen[strings.ToLower(name)] = true
				t.names = append(t.names, name)
			}
			i += end + 1
		}
	}
	probe := map[string]string{}
	for _, n := range t.names {
		probe[strings.ToLower(n)] = "x"
	}
	u, err := parseHTTPURL(t.fill(probe))
	if err != nil {
		return nil, err
	}
	t.host = &url.URL{Scheme: u.Scheme, Host: u.Host}
	return t, nil
}

// fill replaces each placeholder with its value (keyed by lower-cased name),
// path-escaped before the query and query-escaped inside it, so a value
// never adds a path segment or a parameter ('../admin', '1&admin=true').
func (t *urlTemplate) fill(values map[string]string) string {
	if len(t.spans) == 0 {
		return t.raw
	}
	var b strings.Builder
	last := 0
	for _, sp := range t.spans {
		b.WriteString(t.raw[last:sp.start])
		v := values[strings.ToLower(sp.name)]
		switch {
		case t.query >= 0 && sp.start > t.query:
			b.WriteString(url.QueryEscape(v))
		case v == "." || v == "..":
			// A dot segment would climb the path (/posts/.. is /):
			// percent-encoded dots are data, not a dot segment (RFC 3986).
			b.WriteString(strings.Repeat("%2E", len(v)))
		default:
			b.WriteString(url.PathEscape(v))
		}
		last = sp.end
	}
	b.WriteString(t.raw[last:])
	return b.String()
}

// qparam is one query parameter. raw, when set, is the pair exactly as it
// was written in a URL (kept verbatim when it does not decode).
type qparam struct {
	name, value string
	raw         string
	// body marks a part of a read's request body: value (JSON) goes at
	// path name (see splitBody).
	body bool
}

// query is an ordered list of query parameters.
type query []qparam

// parseQuery splits a raw query into its pairs, in order.
func parseQuery(raw string) query {
	var q query
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		uk, err1 := url.QueryUnescape(k)
		uv, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			q = append(q, qparam{name: k, raw: part})
			continue
		}
		q = append(q, qparam{name: uk, value: uv})
	}
	return q
}

// add appends a pair.
func (q *query) add(name, value string) { *q = append(*q, qparam{name: name, value: value}) }

// set gives the first pair named name the value and drops later ones, or
// appends the pair.
func (q *query) set(name, value string) {
	out := (*q)[:0]
	done := false
	for _, p := range *q {
		if p.name != name {
			out = append(out, p)
			continue
		}
		if !done {
			out = append(out, qparam{name: name, value: value})
			done = true
		}
	}
	if !done {
		out = append(out, qparam{name: name, value: value})
	}
	*q = out
}

// encode writes the pairs as a raw query.
func (q query) encode() string {
	var b strings.Builder
	for i, p := range q {
		if i > 0 {
			b.WriteByte('&')
		}
		if p.raw != "" {
			b.WriteString(p.raw)
			continue
		}
		b.WriteString(url.QueryEscape(p.name))
		b.WriteByte('=')
		b.WriteString(url.QueryEscape(p.value))
	}
	return b.String()
}

// buildURL fills a template and appends parameters: the URL's own query
// first, then each group in turn; a group's pairs are added (repeating a
// name) when add is true, else set (replacing a name).
func buildURL(t *urlTemplate, values map[string]string, groups ...paramGroup) (*url.URL, error) {
	u, err := url.Parse(t.fill(values))
	if err != nil {
		return nil, err
	}
	q := parseQuery(u.RawQuery)
	for _, g := range groups {
		for _, p := range g.params {
			if g.add {
				q.add(p.name, p.value)
			} else {
				q.set(p.name, p.value)
			}
		}
	}
	u.RawQuery = q.encode()
	u.ForceQuery = false
	return u, nil
}

type paramGroup struct {
	params []qparam
	add    bool
}

// wellKnownSecrets are query parameter names whose values are never shown,
// whatever the profile says (an API may echo a key into its next URLs).
var wellKnownSecrets = []string{"api_key", "apikey", "api-key", "access_token", "token", "client_secret", "password", "secret", "signature", "sig"}

// secretNames collects the query parameters and headers that carry
// secrets: parameters whose profile value is a ${Name} placeholder, and
// whatever the Authenticator adds to a request.
type secretNames struct {
	mu      sync.RWMutex
	query   map[string]bool // lower-cased
	headers map[string]bool // canonical
}

func newSecretNames() *secretNames {
	s := &secretNames{query: map[string]bool{}, headers: map[string]bool{}}
	for _, n := range wellKnownSecrets {
		s.query[n] = true
	}
	return s
}

func (s *secretNames) addQuery(name string) {
	s.mu.Lock()
	s.query[strings.ToLower(name)] = true
	s.mu.Unlock()
}

func (s *secretNames) isQuery(name string) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.query[strings.ToLower(name)]
}

func (s *secretNames) addHeader(name string) {
	s.mu.Lock()
	s.headers[http.CanonicalHeaderKey(name)] = true
	s.mu.Unlock()
}

func (s *secretNames) headerNames() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]string, 0, len(s.headers))
	for h := range s.headers {
		out = append(out, h)
	}
	return out
}

// redact renders u for messages and EXPLAIN: secret query values become
// "***" and a password in the user info is hidden.
func (s *Source) redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	c := *u
	if c.RawQuery != "" {
		parts := strings.Split(c.RawQuery, "&")
		for i, part := range parts {
			k, _, _ := strings.Cut(part, "=")
			name, err := url.QueryUnescape(k)
			if err != nil {
				name = k
			}
			if s.secrets.isQuery(name) {
				parts[i] = k + "=***"
			}
		}
		c.RawQuery = strings.Join(parts, "&")
	}
	return c.Redacted()
}

// credentialHost reports whether a request to u may carry the catalog's
// credentials: only the base URL's host (or the one the credentials name:
// OAuth2's baseURLFrom), and never downgraded from https to http.
func (s *Source) credentialHost(u *url.URL) bool {
	if s.base == nil || u == nil {
		return false
	}
	if ab := s.authBase.Load(); ab != nil && strings.EqualFold(u.Host, ab.Host) && !(ab.Scheme == "https" && u.Scheme != "https") {
		return true
	}
	if !strings.EqualFold(u.Host, s.base.Host) {
		return false
	}
	return !(s.base.Scheme == "https" && u.Scheme != "https")
}

// bodyExcerpt is how much of a body an error shows.
const bodyExcerpt = 512

// excerptOf returns the first bodyExcerpt bytes of a body as valid UTF-8,
// trimmed, with "…" when cut.
func excerptOf(body string) string {
	cut := len(body) > bodyExcerpt
	if cut {
		body = body[:bodyExcerpt]
		// Drop a rune cut in half.
		for i := 0; i < utf8.UTFMax-1 && !utf8.ValidString(body); i++ {
			body = body[:len(body)-1]
		}
	}
	body = strings.TrimSpace(strings.ToValidUTF8(body, "\uFFFD"))
	if cut {
		body += "…"
	}
	return body
}
