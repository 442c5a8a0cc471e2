package pagination

import (
	"net/http"
	"strings"
)

// Link is one link-value of an RFC 8288 Link header.
type Link struct {
	// URL is the target, as written between < and > (possibly relative).
	URL string
	// Rel holds the relation types of the rel parameter, lower-cased; a rel
	// may name several ("next last").
	Rel []string
	// Params holds every parameter by lower-cased name (the first
	// occurrence wins, as RFC 8288 asks); a parameter without a value maps
	// to "".
	Params map[string]string
}

// HasRel reports whether the link has the relation type rel
// (case-insensitive).
func (l Link) HasRel(rel string) bool {
	for _, r := range l.Rel {
		if strings.EqualFold(r, rel) {
			return true
		}
	}
	return false
}

// NextLink returns the target of the first rel="next" link in h's Link
// header fields.
func NextLink(h http.Header) (string, bool) {
	for _, l := range ParseLinkHeader(h.Values("Link")) {
		if l.HasRel("next") && l.URL != "" {
			return l.URL, true
		}
	}
	return "", false
}

// ParseLinkHeader parses Link header field values (RFC 8288 section 3):
// comma-separated link-values "<uri>; name=value; name="quoted, value"",
// spread over any number of fields, with parameters in any order. It is
// lenient: a malformed link-value is skipped up to the next comma, and
// parsing never fails.
func ParseLinkHeader(values []string) []Link {
	var links []Link
	for _, v := range values {
		links = parseLinks(v, links)
	}
	return links
}

func parseLinks(s string, links []Link) []Link {
	i := 0
	for i < len(s) {
		// Skip separators between link-values.
		for i < len(s) && (s[i] == ',' || isSpace(s[i])) {
			i++
		}
		if i >= len(s) {
			break
		}
		if s[i] != '<' {
			i = skipValue(s, i)
			continue
		}
		end := strings.IndexByte(s[i+1:], '>')
		if end < 0 {
			break
		}
		l := Link{URL: strings.TrimSpace(s[i+1 : i+1+end])}
		i += end + 2
		var ok bool
		i, ok = parseParams(s, i, &l)
		if ok {
			links = append(links, l)
		}
	}
	return links
}

// parseParams reads ";name=value" parameters up to the comma that ends the
// link-value (or the end of s). It reports false for a malformed link-value.
func parseParams(s string, i int, l *Link) (int, bool) {
	for {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) || s[i] == ',' {
			return i, true
		}
		if s[i] != ';' {
			return skipValue(s, i), false
		}
		i++
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		start := i
		for i < len(s) && !strings.ContainsRune("=;,\"", rune(s[i])) && !isSpace(s[i]) {
			i++
		}
		name := strings.ToLower(s[start:i])
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		value := ""
		if i < len(s) && s[i] == '=' {
			i++
			for i < len(s) && isSpace(s[i]) {
				i++
			}
			if i < len(s) && s[i] == '"' {
				value, i = quoted(s, i)
			} else {
				start := i
				for i < len(s) && s[i] != ';' && s[i] != ',' && !isSpace(s[i]) {
					i++
				}
				value = s[start:i]
			}
		}
		if name == "" {
			continue
		}
		if l.Params == nil {
			l.Params = map[string]string{}
		}
		if _, dup := l.Params[name]; dup {
			continue
		}
		l.Params[name] = value
		if name == "rel" {
			for _, r := range strings.Fields(value) {
				l.Rel = append(l.Rel, strings.ToLower(r))
			}
		}
	}
}

// quoted reads the quoted-string that starts at s[i] == '"', undoing
// backslash escapes. An unterminated string runs to the end of s.
func quoted(s string, i int) (string, int) {
	var b strings.Builder
	i++
	for i < len(s) {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			b.WriteByte(s[i+1])
			i += 2
		case c == '"':
			return b.String(), i + 1
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), i
}

// skipValue skips to the comma that ends the current link-value, stepping
// over quoted strings and <…> targets.
func skipValue(s string, i int) int {
	for i < len(s) {
		switch s[i] {
		case ',':
			return i + 1
		case '"':
			_, i = quoted(s, i)
		case '<':
			end := strings.IndexByte(s[i:], '>')
			if end < 0 {
				return len(s)
			}
			i += end + 1
		default:
			i++
		}
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' }
