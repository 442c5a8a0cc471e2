package discover

import (
	"fmt"
	"slices"
	"strings"

	"github.com/tidwall/gjson"
)

// wellKnownWrappers are the keys that usually hold a response's rows, best
// first. They break ties between arrays of the same size, and the first
// five (data, items, results, records, value) also name the array when the
// rows are an empty array.
var wellKnownWrappers = []string{
	"data", "items", "results", "records", "value",
	"rows", "entries", "list", "hits", "content", "elements", "objects",
	"nodes", "edges", "resources", "collection", "result", "response",
}

// maxWrapperDepth bounds how deep in nested objects the rows are looked for.
const maxWrapperDepth = 8

// found is the repeated element of a response.
type found struct {
	// keys is the path of object keys to the array ([] = the body).
	keys []string
	// rows are the rows: the array's elements, or the single object.
	rows []gjson.Result
	// objects counts the rows that are objects.
	objects int
	// single is set when the body is one object read as one row.
	single bool
}

// path is the gjson path of the rows ("" = the body).
func (f *found) path() string { return gjsonPath(f.keys) }

// where names the rows' place for a message.
func (f *found) where() string {
	if len(f.keys) == 0 {
		return "the body"
	}
	return f.path()
}

// describe is the note that says where the rows are.
func (f *found) describe(scanned int) string {
	if f.single {
		return "The response is one object with no array of objects in it: it is read as one row (rows: \"\")."
	}
	where := "the body is the array"
	if len(f.keys) > 0 {
		where = "at " + f.path()
	}
	s := fmt.Sprintf("%d rows (%s); columns inferred from %d of them", len(f.rows), where, scanned)
	if other := len(f.rows) - f.objects; other > 0 {
		s += fmt.Sprintf("; %d elements are not objects and read as rows of NULLs", other)
	}
	return s + "."
}

// candidate is an array found while looking for the rows.
type candidate struct {
	keys    []string
	value   gjson.Result
	objects int
	order   int
}

// findRows finds the repeated element of a response: the body when it is
// an array, else the largest array of objects reachable through object
// keys (ties go to well-known wrapper names, then the shallower, then the
// first), else the body as one row when it is an object.
func findRows(root gjson.Result) (*found, error) {
	switch {
	case root.IsArray():
		rows := root.Array()
		f := &found{rows: rows, objects: countObjects(rows)}
		if len(rows) == 0 {
			return nil, fmt.Errorf("%w: the body is an empty array (ask for a URL that returns rows)", errNoRows)
		}
		if f.objects == 0 {
			return nil, fmt.Errorf("%w: the body is an array of %s, not of objects", errNoRows, jsonKind(rows[0]))
		}
		return f, nil
	case !root.IsObject():
		return nil, fmt.Errorf("%w: the body is a %s, not an array or an object", errNoRows, jsonKind(root))
	}
	var cands []candidate
	var walk func(obj gjson.Result, keys []string)
	walk = func(obj gjson.Result, keys []string) {
		obj.ForEach(func(k, v gjson.Result) bool {
			path := append(keys[:len(keys):len(keys)], k.String())
			switch {
			case v.IsArray():
				cands = append(cands, candidate{keys: path, value: v, objects: countObjects(v.Array()), order: len(cands)})
			case v.IsObject() && len(path) < maxWrapperDepth:
				walk(v, path)
			}
			return true
		})
	}
	walk(root, nil)
	slices.SortStableFunc(cands, func(a, b candidate) int {
		if a.objects != b.objects {
			return b.objects - a.objects
		}
		if ra, rb := wrapperRank(a.keys), wrapperRank(b.keys); ra != rb {
			return ra - rb
		}
		if len(a.keys) != len(b.keys) {
			return len(a.keys) - len(b.keys)
		}
		return a.order - b.order
	})
	if len(cands) > 0 && cands[0].objects > 0 {
		c := cands[0]
		return &found{keys: c.keys, rows: c.value.Array(), objects: c.objects}, nil
	}
	for _, c := range cands {
		if len(c.value.Array()) == 0 && wrapperRank(c.keys) < 5 {
			return nil, fmt.Errorf("%w: the array at %s is empty (ask for a URL that returns rows)", errNoRows, gjsonPath(c.keys))
		}
	}
	return &found{rows: []gjson.Result{root}, objects: 1, single: true}, nil
}

// wrapperRank is the rank of an array's key among the well-known wrappers
// (lower is better; len(wellKnownWrappers) for any other key).
func wrapperRank(keys []string) int {
	if len(keys) == 0 {
		return -1
	}
	last := strings.ToLower(keys[len(keys)-1])
	if i := slices.Index(wellKnownWrappers, last); i >= 0 {
		return i
	}
	return len(wellKnownWrappers)
}

func countObjects(rows []gjson.Result) int {
	n := 0
	for _, r := range rows {
		if r.IsObject() {
			n++
		}
	}
	return n
}

// jsonKind names a JSON value's kind for messages.
func jsonKind(r gjson.Result) string {
	switch {
	case r.IsObject():
		return "object"
	case r.IsArray():
		return "array"
	}
	switch r.Type {
	case gjson.String:
		return "string"
	case gjson.Number:
		return "number"
	case gjson.True, gjson.False:
		return "boolean"
	case gjson.Null:
		return "null"
	}
	return "value"
}

// gjsonPath joins object keys into a gjson path, escaping the characters
// gjson would read as syntax.
func gjsonPath(keys []string) string {
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = gjson.Escape(k)
	}
	return strings.Join(parts, ".")
}
