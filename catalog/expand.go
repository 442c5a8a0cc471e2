package catalog

import (
	"errors"
	"fmt"
	"strings"
)

// ErrPlaceholderSyntax is wrapped by the errors Expand returns for a
// malformed ${Name} placeholder (unterminated, empty or with a bad name).
var ErrPlaceholderSyntax = errors.New("invalid placeholder")

// UnresolvedError reports a ${Name} placeholder that no source could resolve.
// Its message names the placeholder and never contains any value.
type UnresolvedError struct {
	// Name is the placeholder's name, without ${ and }.
	Name string
}

// Error implements error.
func (e *UnresolvedError) Error() string {
	return "unresolved placeholder ${" + e.Name + "}"
}

// Expand replaces every ${Name} placeholder in s with lookup(Name). Name is
// one or more ASCII letters, digits, '_', '-' or '.'; "$$" stands for a
// literal '$'; a '$' followed by anything else is kept as it is. A value
// returned by lookup is inserted as it is (it is not expanded again).
//
// A placeholder that lookup does not resolve (or any placeholder when lookup
// is nil) is an *UnresolvedError. A malformed placeholder (an unterminated
// "${", an empty or invalid name) is an error wrapping ErrPlaceholderSyntax
// that gives its byte offset. Errors never quote s, which may hold a secret:
// callers wrap them with the place the string came from.
func Expand(s string, lookup func(name string) (string, bool)) (string, error) {
	i := strings.IndexByte(s, '$')
	if i < 0 {
		return s, nil
	}
	var b strings.Builder
	b.Grow(len(s))
	off := 0 // offset of s[0] in the original string
	for i >= 0 {
		b.WriteString(s[:i])
		s, off = s[i:], off+i
		switch {
		case strings.HasPrefix(s, "$$"):
			b.WriteByte('$')
			s, off = s[2:], off+2
		case strings.HasPrefix(s, "${"):
			name, n, err := placeholderAt(s, off)
			if err != nil {
				return "", err
			}
			if lookup == nil {
				return "", &UnresolvedError{Name: name}
			}
			v, ok := lookup(name)
			if !ok {
				return "", &UnresolvedError{Name: name}
			}
			b.WriteString(v)
			s, off = s[n:], off+n
		default:
			b.WriteByte('$')
			s, off = s[1:], off+1
		}
		i = strings.IndexByte(s, '$')
	}
	b.WriteString(s)
	return b.String(), nil
}

// placeholderAt reads the ${Name} placeholder that s starts with and returns
// its name and length. off is the offset of s in the string being expanded.
func placeholderAt(s string, off int) (name string, n int, err error) {
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return "", 0, fmt.Errorf("%w at offset %d: unterminated ${ (missing })", ErrPlaceholderSyntax, off)
	}
	name = s[2:end]
	if name == "" {
		return "", 0, fmt.Errorf("%w at offset %d: empty name in ${}", ErrPlaceholderSyntax, off)
	}
	for j := 0; j < len(name); j++ {
		if !isNameByte(name[j]) {
			return "", 0, fmt.Errorf("%w at offset %d: a name holds only letters, digits, _, - and dots", ErrPlaceholderSyntax, off)
		}
	}
	return name, end + 1, nil
}

func isNameByte(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.'
}

// HasPlaceholder reports whether s contains a "${" that is not escaped as
// "$${": whether Expand needs a lookup for s (or will report a malformed
// placeholder).
func HasPlaceholder(s string) bool {
	for {
		i := strings.IndexByte(s, '$')
		if i < 0 || i+1 >= len(s) {
			return false
		}
		switch s[i+1] {
		case '{':
			return true
		case '$':
			s = s[i+2:]
		default:
			s = s[i+1:]
		}
	}
}

// Placeholders returns the names of the {name} placeholders of a table's URL
// template, in order of first appearance and without duplicates. ${Name}
// secret placeholders (and the "$$" escape) are skipped, and so is a {…}
// whose content is not an identifier (letters, digits and _, not starting
// with a digit); Validate reports those. An unterminated "{" ends the scan.
func Placeholders(urlTemplate string) []string {
	names, _ := scanPlaceholders(urlTemplate)
	return names
}

// scanPlaceholders returns the {name} placeholders of s (first appearance
// order, no duplicates) and a description of each problem found: a name that
// is not an identifier, an unterminated "{".
func scanPlaceholders(s string) (names, problems []string) {
	seen := map[string]bool{}
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '$':
			if i+1 < len(s) && s[i+1] == '$' {
				i++
			} else if i+1 < len(s) && s[i+1] == '{' {
				end := strings.IndexByte(s[i:], '}')
				if end < 0 {
					return names, append(problems, "unterminated ${ (missing })")
				}
				i += end
			}
		case '{':
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				return names, append(problems, "unterminated { (missing })")
			}
			name := s[i+1 : i+end]
			i += end
			if !isIdentifier(name) {
				problems = append(problems, fmt.Sprintf("placeholder {%s} is not a valid name (want letters, digits and _, not starting with a digit)", name))
				continue
			}
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	return names, problems
}

// isIdentifier reports whether s is a valid {name} placeholder name: ASCII
// letters, digits and '_', not starting with a digit.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9' {
			continue
		}
		return false
	}
	return true
}
