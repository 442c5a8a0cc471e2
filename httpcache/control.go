package httpcache

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// directives are the Cache-Control directives of a message (RFC 9111
// section 5.2), lower-cased, with their arguments ("" when none).
type directives map[string]string

// parseControl reads every Cache-Control field of h. A directive given
// twice keeps its first value; an argument may be a quoted string.
func parseControl(h http.Header) directives {
	d := directives{}
	for _, field := range h.Values("Cache-Control") {
		for _, part := range splitList(field) {
			name, arg, _ := strings.Cut(part, "=")
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			arg = strings.TrimSpace(arg)
			if len(arg) >= 2 && arg[0] == '"' && arg[len(arg)-1] == '"' {
				arg = arg[1 : len(arg)-1]
			}
			if _, ok := d[name]; !ok {
				d[name] = arg
			}
		}
	}
	return d
}

// splitList splits a comma-separated field value, keeping commas inside
// quoted strings (no-cache="a, b").
func splitList(v string) []string {
	var out []string
	start, quoted := 0, false
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			quoted = !quoted
		case ',':
			if !quoted {
				out = append(out, strings.TrimSpace(v[start:i]))
				start = i + 1
			}
		}
	}
	return append(out, strings.TrimSpace(v[start:]))
}

func (d directives) has(name string) bool {
	_, ok := d[name]
	return ok
}

// seconds is a delta-seconds directive (max-age=60). A value that is not
// a non-negative integer is not valid (ok false); one too large is
// capped, as RFC 9111 section 1.2.2 asks.
func (d directives) seconds(name string) (time.Duration, bool) {
	v, ok := d[name]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		if ne, isNum := err.(*strconv.NumError); isNum && ne.Err == strconv.ErrRange && v != "" && strings.Trim(v, "0123456789") == "" {
			return time.Duration(1<<31-1) * time.Second, true
		}
		return 0, false
	}
	if n > 1<<31-1 {
		n = 1<<31 - 1
	}
	return time.Duration(n) * time.Second, true
}

// httpDate parses an HTTP-date field (RFC 9110 section 5.6.7).
func httpDate(h http.Header, name string) (time.Time, bool) {
	v := h.Get(name)
	if v == "" {
		return time.Time{}, false
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}
