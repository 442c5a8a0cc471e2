package restsql

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/restsql/restsql/catalog"
)

// maxSecretsFileSize bounds the SecretsFile that Expander reads.
const maxSecretsFileSize = 16 << 20

// Expander returns the function that resolves the ${Name} placeholders of a
// string wherever one appears (DSN properties, profile values). Each Name is
// looked up, in order:
//
//  1. in the DSN's properties, by key, case-insensitively: ${Password} is
//     the Password property's value, itself expanded. A property is skipped
//     while its own value is being expanded, so Password=${Password} takes
//     the password from the next sources, and a cycle ends there too;
//  2. in c.Lookup;
//  3. in the SecretsFile, a JSON object whose values are strings (numbers
//     and booleans are read as their JSON text);
//  4. in the environment.
//
// "$$" stands for a literal '$'. The returned function is safe for
// concurrent use and does not see later changes to c. Its errors name the
// placeholder (an *catalog.UnresolvedError, or a syntax error wrapping
// catalog.ErrPlaceholderSyntax), never a value, and are meant to be wrapped
// with the place the string came from.
//
// Expander reads the SecretsFile (its path may itself hold placeholders,
// resolved from the other sources): an error names the file, never its
// contents.
func (c *Config) Expander() (func(string) (string, error), error) {
	r := &resolver{props: make(map[string]string), lookup: c.Lookup}
	for _, p := range properties {
		if v := p.value(c); v != "" {
			r.props[strings.ToLower(p.name)] = v
		}
	}
	if c.SecretsFile != "" {
		path, err := r.expand(c.SecretsFile, []string{"secretsfile"})
		if err != nil {
			return nil, fmt.Errorf("restsql: dsn: SecretsFile: %w", err)
		}
		if r.file, err = readSecretsFile(path); err != nil {
			return nil, err
		}
	}
	return func(s string) (string, error) { return r.expand(s, nil) }, nil
}

// Resolved returns value with its ${Name} placeholders resolved as
// Expander's function does.
func (c *Config) Resolved(value string) (string, error) {
	expand, err := c.Expander()
	if err != nil {
		return "", err
	}
	return expand(value)
}

// resolver holds the sources of placeholder values; it is read-only once
// built.
type resolver struct {
	// props are the DSN's non-empty property values by lower-case name.
	props  map[string]string
	lookup func(string) (string, bool)
	file   map[string]string
}

// expand resolves the placeholders of s. active lists the (lower-case)
// properties whose values are being expanded.
func (r *resolver) expand(s string, active []string) (string, error) {
	var inner error
	out, err := catalog.Expand(s, func(name string) (string, bool) {
		return r.resolve(name, active, &inner)
	})
	if inner != nil {
		return "", inner
	}
	return out, err
}

// resolve looks a name up in the sources in order. An error while
// expanding a property's value is stored in *inner.
func (r *resolver) resolve(name string, active []string, inner *error) (string, bool) {
	key := strings.ToLower(name)
	if raw, ok := r.props[key]; ok && !slices.Contains(active, key) {
		v, err := r.expand(raw, append(active[:len(active):len(active)], key))
		if err != nil {
			*inner = fmt.Errorf("DSN property %s: %w", propertyIndex[key].name, err)
			return "", false
		}
		return v, true
	}
	if r.lookup != nil {
		if v, ok := r.lookup(name); ok {
			return v, true
		}
	}
	if v, ok := r.file[name]; ok {
		return v, true
	}
	return os.LookupEnv(name)
}

// readSecretsFile reads a JSON object of string values. Its errors name the
// file and a key, never a value.
func readSecretsFile(path string) (map[string]string, error) {
	prefix := "restsql: dsn: SecretsFile " + path + ": "
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("restsql: dsn: SecretsFile: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSecretsFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("restsql: dsn: SecretsFile: %w", err)
	}
	if len(data) > maxSecretsFileSize {
		return nil, fmt.Errorf("%sfile is larger than %d MiB", prefix, maxSecretsFileSize>>20)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New(prefix + "file is empty (want a JSON object of string values)")
	}
	if !json.Valid(data) {
		// json's syntax errors quote the offending character: say less.
		var se *json.SyntaxError
		if err := json.Unmarshal(data, new(any)); errors.As(err, &se) {
			return nil, fmt.Errorf("%snot valid JSON (at byte %d)", prefix, se.Offset)
		}
		return nil, errors.New(prefix + "not valid JSON")
	}
	if t := bytes.TrimLeft(data, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		return nil, fmt.Errorf("%swant a JSON object of string values, not %s", prefix, jsonKind(t))
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, errors.New(prefix + "want a JSON object of string values")
	}
	secrets := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		switch kind := jsonKind(v); kind {
		case "a string":
			if err := json.Unmarshal(v, &s); err != nil {
				return nil, fmt.Errorf("%skey %q: invalid string", prefix, k)
			}
		case "a number", "a boolean":
			s = string(v)
		default:
			return nil, fmt.Errorf("%skey %q: want a string, not %s", prefix, k, kind)
		}
		secrets[k] = s
	}
	return secrets, nil
}

// jsonKind names the kind of a valid JSON value.
func jsonKind(v []byte) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "an object"
	case '[':
		return "an array"
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}
