package discover

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
)

// maxFlattenDepth is the longest path a nested object is flattened to; a
// deeper object is a json column.
const maxFlattenDepth = 5

// maxObjectKeys is the most keys a nested object may have (over the rows
// scanned) to be flattened; one with more is a map, a json column.
const maxObjectKeys = 64

// Epoch ranges that read as times for a field whose name says it is one:
// 1973-03-03 to 5138-11-16, in seconds and in milliseconds.
const (
	minEpochSeconds = 1e8
	minEpochMillis  = 1e11
	maxEpochMillis  = 1e14
)

// kind is the JSON kind of one value, as type inference sees it.
type kind int

const (
	kindNull kind = iota
	kindInt
	kindFloat
	kindBool
	kindTime // an RFC 3339 string
	kindString
	kindObject
	kindArray
	numKinds
)

var kindNames = [numKinds]string{"null", "int", "float", "bool", "datetime", "string", "object", "array"}

// field is what was seen at one path of the rows.
type field struct {
	key      string
	keys     []string
	children []*field
	index    map[string]*field
	counts   [numKinds]int
	// min and max are the smallest and largest numbers seen.
	min, max float64
	// distinct holds the values seen at a top-level field, for the key.
	distinct map[string]struct{}
	repeated bool
}

func (f *field) child(key string) *field {
	if c, ok := f.index[key]; ok {
		return c
	}
	if f.index == nil {
		f.index = map[string]*field{}
	}
	c := &field{key: key, keys: append(f.keys[:len(f.keys):len(f.keys)], key), min: math.Inf(1), max: math.Inf(-1)}
	if len(c.keys) == 1 {
		c.distinct = map[string]struct{}{}
	}
	f.index[key] = c
	f.children = append(f.children, c)
	return c
}

// observe records one value at f's path.
func (f *field) observe(v gjson.Result) {
	k := kindOf(v)
	f.counts[k]++
	switch k {
	case kindInt, kindFloat:
		n := v.Float()
		f.min, f.max = math.Min(f.min, n), math.Max(f.max, n)
	case kindObject:
		if len(f.keys) < maxFlattenDepth {
			v.ForEach(func(key, val gjson.Result) bool {
				if key.String() != "" {
					f.child(key.String()).observe(val)
				}
				return true
			})
		}
	}
	if f.distinct != nil && k != kindNull {
		id := v.Raw
		if v.Type == gjson.String {
			id = v.Str
		}
		if _, dup := f.distinct[id]; dup {
			f.repeated = true
		}
		f.distinct[id] = struct{}{}
	}
}

// kindOf classifies one JSON value.
func kindOf(v gjson.Result) kind {
	switch v.Type {
	case gjson.Null:
		return kindNull
	case gjson.True, gjson.False:
		return kindBool
	case gjson.Number:
		if strings.ContainsAny(v.Raw, ".eE") {
			return kindFloat
		}
		if _, err := strconv.ParseInt(v.Raw, 10, 64); err != nil {
			return kindFloat
		}
		return kindInt
	case gjson.String:
		if _, err := time.Parse(time.RFC3339, strings.TrimSpace(v.Str)); err == nil {
			return kindTime
		}
		return kindString
	}
	if v.IsArray() {
		return kindArray
	}
	return kindObject
}

// nonNull is the number of non-null values seen.
func (f *field) nonNull() int {
	n := 0
	for k := kindInt; k < numKinds; k++ {
		n += f.counts[k]
	}
	return n
}

// only reports whether every non-null value seen is of one of kinds.
func (f *field) only(kinds ...kind) bool {
	for k := kindInt; k < numKinds; k++ {
		if f.counts[k] > 0 && !slices.Contains(kinds, k) {
			return false
		}
	}
	return true
}

// flatten reports whether f is a nested object whose fields become columns.
func (f *field) flatten() bool {
	if f.counts[kindObject] == 0 || !f.only(kindObject) || len(f.children) == 0 ||
		len(f.children) > maxObjectKeys || len(f.keys) >= maxFlattenDepth {
		return false
	}
	// An object keyed by numbers is a map, not a record.
	for _, c := range f.children {
		if r := c.key[0]; r < '0' || r > '9' {
			return true
		}
	}
	return false
}

// seen names the kinds of the non-null values seen, for a note.
func (f *field) seen() string {
	var names []string
	for k := kindInt; k < numKinds; k++ {
		if f.counts[k] > 0 {
			names = append(names, kindNames[k])
		}
	}
	return strings.Join(names, ", ")
}

// columnType infers a column's type (and datetime format) from the values
// seen, with a note when the choice needs one.
func (f *field) columnType(rows int) (typ catalog.Type, format, note string) {
	switch {
	case f.nonNull() == 0:
		return catalog.TypeString, "", fmt.Sprintf("null in every row scanned (%d): type unknown", rows)
	case f.only(kindObject, kindArray):
		return catalog.TypeJSON, "", ""
	case f.counts[kindObject] > 0 || f.counts[kindArray] > 0:
		return catalog.TypeJSON, "", "mixed " + f.seen()
	case f.only(kindInt) || f.only(kindInt, kindFloat):
		if format := epochFormat(f.key, f.min, f.max); format != "" {
			return catalog.TypeDatetime, format, ""
		}
		if f.only(kindInt) {
			return catalog.TypeInt, "", ""
		}
		return catalog.TypeFloat, "", ""
	case f.only(kindBool):
		return catalog.TypeBool, "", ""
	case f.only(kindTime):
		return catalog.TypeDatetime, "", ""
	case f.only(kindString):
		return catalog.TypeString, "", ""
	case f.only(kindTime, kindString):
		return catalog.TypeString, "", "RFC 3339 times mixed with other strings"
	}
	return catalog.TypeString, "", "mixed " + f.seen()
}

// epochFormat returns unix or unixms when a numeric field's name says it
// is a time and every value seen lies in that format's range of plausible
// dates, else "".
func epochFormat(key string, lo, hi float64) string {
	if !timeName(key) {
		return ""
	}
	switch {
	case lo >= minEpochSeconds && hi < minEpochMillis:
		return "unix"
	case lo >= minEpochMillis && hi < maxEpochMillis:
		return "unixms"
	}
	return ""
}

// timeWords are the words of a field name that say it holds a time.
var timeWords = []string{
	"at", "time", "timestamp", "ts", "date", "datetime", "epoch",
	"created", "updated", "modified", "deleted", "expires", "expiry", "expiration",
}

// timeName reports whether a field's name suggests a time: created_at,
// updatedAt, timestamp, expires, lastModifiedTime, ...
func timeName(key string) bool {
	for _, w := range nameWords(key) {
		if slices.Contains(timeWords, strings.ToLower(w)) {
			return true
		}
	}
	return false
}

// nameWords splits a name into words at non-alphanumeric characters and
// lower-to-upper case changes: created_at and createdAt are created, at.
func nameWords(s string) []string {
	var words []string
	var cur []rune
	prevLower := false
	for _, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			if len(cur) > 0 {
				words = append(words, string(cur))
			}
			cur, prevLower = nil, false
			continue
		}
		if unicode.IsUpper(r) && prevLower && len(cur) > 0 {
			words = append(words, string(cur))
			cur = nil
		}
		cur = append(cur, r)
		prevLower = unicode.IsLower(r) || unicode.IsDigit(r)
	}
	if len(cur) > 0 {
		words = append(words, string(cur))
	}
	return words
}

// inferColumns infers the columns of rows, in the order their fields first
// appear, with notes on single columns by column name.
func inferColumns(rows []gjson.Result) ([]*catalog.Column, map[string]string) {
	root := &field{}
	for _, row := range rows {
		if !row.IsObject() {
			continue
		}
		row.ForEach(func(k, v gjson.Result) bool {
			if k.String() != "" {
				root.child(k.String()).observe(v)
			}
			return true
		})
	}
	var leaves []*field
	var collect func(f *field)
	collect = func(f *field) {
		for _, c := range f.children {
			if c.flatten() {
				collect(c)
			} else {
				leaves = append(leaves, c)
			}
		}
	}
	collect(root)

	names := uniqueNames(leaves)
	notes := map[string]string{}
	cols := make([]*catalog.Column, len(leaves))
	for i, f := range leaves {
		typ, format, note := f.columnType(len(rows))
		col := &catalog.Column{Name: names[i], Type: typ, Format: format}
		if p := gjsonPath(f.keys); p != col.Name {
			col.Path = p
		}
		cols[i] = col
		if note != "" {
			notes[col.Name] = note
		}
	}
	if k := keyField(root, len(rows)); k != nil {
		cols[slices.Index(leaves, k)].Key = true
	}
	return cols, notes
}

// keyField picks the key among the top-level fields: id, else _id, else
// the only field named *Id or *_id; it must hold a unique int or string in
// every row scanned.
func keyField(root *field, rows int) *field {
	usable := func(f *field) bool {
		return f != nil && f.nonNull() == rows && f.counts[kindNull] == 0 && !f.repeated &&
			f.only(kindInt, kindString) && !f.flatten()
	}
	var id, underscoreID *field
	var suffixed []*field
	for _, f := range root.children {
		switch {
		case strings.EqualFold(f.key, "id"):
			id = f
		case f.key == "_id":
			underscoreID = f
		case len(f.key) > 2 && (strings.HasSuffix(f.key, "Id") || strings.HasSuffix(f.key, "ID") ||
			strings.HasSuffix(strings.ToLower(f.key), "_id")):
			suffixed = append(suffixed, f)
		}
	}
	switch {
	case id != nil:
		if usable(id) {
			return id
		}
		return nil
	case underscoreID != nil:
		if usable(underscoreID) {
			return underscoreID
		}
		return nil
	case len(suffixed) == 1 && usable(suffixed[0]):
		return suffixed[0]
	}
	return nil
}

// uniqueNames names the columns of fields (see columnName), making names
// that are equal under case folding unique with _2, _3, ...
func uniqueNames(fields []*field) []string {
	names := make([]string, len(fields))
	taken := map[string]bool{}
	for i, f := range fields {
		base := columnName(f.keys)
		name := base
		for n := 2; taken[strings.ToLower(name)]; n++ {
			name = base + "_" + strconv.Itoa(n)
		}
		taken[strings.ToLower(name)] = true
		names[i] = name
	}
	return names
}

// columnName names the column of a path of keys: a top-level key that is
// an identifier keeps its name (id, created_at); otherwise the words of the
// keys are joined in lowerCamel (address.city is addressCity,
// billing_address.zip_code is billingAddressZipCode, @odata.etag is
// odataEtag). A name that would start with a digit gets a leading _.
func columnName(keys []string) string {
	if len(keys) == 1 && isIdentifier(keys[0]) {
		return keys[0]
	}
	var b strings.Builder
	for _, k := range keys {
		for _, w := range identWords(k) {
			if b.Len() == 0 {
				b.WriteString(w)
				continue
			}
			r := []rune(w)
			r[0] = unicode.ToUpper(r[0])
			b.WriteString(string(r))
		}
	}
	name := b.String()
	switch {
	case name == "":
		return "field"
	case name[0] >= '0' && name[0] <= '9':
		return "_" + name
	}
	return name
}

// identWords splits s at every character that is not an ASCII letter or
// digit (underscores too, so snake_case words are joined in camelCase).
func identWords(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == '_' || !isIdentRune(r) })
}

func isIdentRune(r rune) bool {
	return r < 128 && (r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
}

// isIdentifier reports whether s is a plain SQL identifier: ASCII letters,
// digits and underscores, not starting with a digit.
func isIdentifier(s string) bool {
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		return false
	}
	for _, r := range s {
		if !isIdentRune(r) {
			return false
		}
	}
	return true
}
