package discover

import (
	"net"
	"net/url"
	"path"
	"regexp"
	"strings"
	"unicode"
)

var (
	// idSegment matches URL path segments that are ids, not names: numbers,
	// UUIDs, long hex strings, and version segments such as v1 or v2beta.
	idSegment = regexp.MustCompile(`^(\d+|[0-9a-fA-F-]{16,}|v\d+[a-z0-9]*|api)$`)
	nonIdent  = regexp.MustCompile(`[^A-Za-z0-9_]+`)
)

// sanitizeName turns s into an identifier: runs of other characters become
// one underscore; a leading digit gets a leading underscore.
func sanitizeName(s string) string {
	s = strings.Trim(nonIdent.ReplaceAllString(s, "_"), "_")
	if s != "" && s[0] >= '0' && s[0] <= '9' {
		s = "_" + s
	}
	return s
}

// tableName names a table after the URL's last path segment that is not an
// id or a version (users for /v1/users/, /users.json or /users/42/posts is
// posts), else after the key of the rows' array, else "rows".
func tableName(u *url.URL, f *found) string {
	segs := strings.Split(u.Path, "/")
	for i := len(segs) - 1; i >= 0; i-- {
		seg := segs[i]
		if seg == "" || idSegment.MatchString(seg) {
			continue
		}
		seg = strings.TrimSuffix(seg, path.Ext(seg))
		if name := sanitizeName(seg); name != "" && !idSegment.MatchString(name) {
			return name
		}
	}
	if len(f.keys) > 0 {
		if name := sanitizeName(f.keys[len(f.keys)-1]); name != "" {
			return name
		}
	}
	return "rows"
}

// catalogName names a catalog after a host: the first label that is not
// www or api, capitalized (Example for api.example.com, Github for
// api.github.com); Local for an IP address or localhost; API when nothing
// else fits.
func catalogName(host string) string {
	if host == "" || net.ParseIP(host) != nil || strings.EqualFold(host, "localhost") {
		return "Local"
	}
	labels := strings.Split(strings.ToLower(strings.TrimSuffix(host, ".")), ".")
	for len(labels) > 1 && (labels[0] == "www" || labels[0] == "api") {
		labels = labels[1:]
	}
	name := sanitizeName(labels[0])
	if name == "" {
		return "API"
	}
	r := []rune(name)
	r[0] = unicode.ToUpper(r[0])
	return string(r)
}

// ColumnName is the column name discovery gives a field at a path of JSON
// keys: a top-level key that is an identifier keeps its name; otherwise the
// keys' words are joined in lowerCamel (address.city is addressCity). The
// openapi package names columns the same way.
func ColumnName(keys []string) string { return columnName(keys) }

// Path is the gjson path of a field at a path of JSON keys, with the
// characters gjson reads as syntax escaped (a.b is a\.b).
func Path(keys []string) string { return gjsonPath(keys) }
