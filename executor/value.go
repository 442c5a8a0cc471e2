// Package executor holds restsql's physical operators and expression
// evaluator: the part of a query the driver computes itself (residual
// filters, projections, joins, aggregates, sorts, limits) over rows streamed
// from tables (Scan opens a table.Plan: a REST source's requests, a system
// table, rows in memory).
//
// Values are plain Go values: nil (SQL NULL), int64, float64, string, bool
// and time.Time. Comparisons follow three-valued logic: any comparison with
// NULL is NULL (nil), and a filter keeps a row only when its predicate is
// true.
package executor

import (
	"cmp"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/internal/value"
)

// Row is one row of values.
type Row = []any

// Type is the type of a value: one of the column types a profile names
// (catalog.Type), or TypeAny.
type Type = catalog.Type

// Types of values, the same words a profile uses for column types.
const (
	TypeString   = catalog.TypeString
	TypeInt      = catalog.TypeInt
	TypeFloat    = catalog.TypeFloat
	TypeBool     = catalog.TypeBool
	TypeDatetime = catalog.TypeDatetime
	TypeJSON     = catalog.TypeJSON
	// TypeAny is used where the type is not known before evaluation.
	TypeAny Type = ""
)

// TypeOf returns the type of a value (TypeAny for NULL).
func TypeOf(v any) Type {
	switch v.(type) {
	case int64:
		return TypeInt
	case float64:
		return TypeFloat
	case string:
		return TypeString
	case bool:
		return TypeBool
	case time.Time:
		return TypeDatetime
	}
	return TypeAny
}

// Normalize converts the Go values a caller may pass as query arguments
// (int, int32, uint8, float32, []byte, …) into the engine's value set.
func Normalize(v any) (any, error) {
	switch x := v.(type) {
	case nil, int64, float64, string, bool, time.Time:
		return v, nil
	case int, int8, int16, int32, uint, uint8, uint16, uint32, uint64:
		i, ok := value.Int(x)
		if !ok {
			return nil, outOfRangef("value %d overflows int64", x)
		}
		return i, nil
	case float32:
		return float64(x), nil
	case []byte:
		return string(x), nil
	case *time.Time:
		if x == nil {
			return nil, nil
		}
		return *x, nil
	}
	return nil, notSupportedf("unsupported argument type %T", v)
}

// timeLayouts are tried, in order, when a string is compared with or cast to
// a datetime.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// ParseTime parses the datetime spellings restsql accepts in SQL literals:
// RFC 3339, "YYYY-MM-DD HH:MM:SS[.fff]" (UTC) and "YYYY-MM-DD".
func ParseTime(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// asFloat returns v as a float64 when it is numeric (or a numeric string).
func asFloat(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		s := strings.TrimSpace(x)
		if !IsDecimal(s) {
			return 0, false
		}
		f, err := strconv.ParseFloat(s, 64)
		return f, err == nil
	}
	return 0, false
}

// IsDecimal reports whether s is a number as SQL writes one: an optional
// sign, digits with an optional fraction, and an optional exponent. Go's
// own syntax (1_000, 0x1p4, inf, nan) is not a number here.
func IsDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	digits := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			digits++
		}
	}
	if digits == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		exp := 0
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
			exp++
		}
		if exp == 0 {
			return false
		}
	}
	return i == len(s)
}

// Compare orders two non-NULL values. Numbers compare numerically (int64 and
// float64 mix); a string compared with a number is read as a number when it
// is one; a string compared with a datetime is parsed as a datetime; strings
// compare byte-wise (case-sensitive); false < true. ok is false when either
// value is NULL. Values of unrelated types compare by their text.
func Compare(a, b any) (c int, ok bool) {
	if a == nil || b == nil {
		return 0, false
	}
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpOrdered(x, y), true
		case float64:
			return cmpFloat(float64(x), y), true
		}
	case float64:
		switch y := b.(type) {
		case int64:
			return cmpFloat(x, float64(y)), true
		case float64:
			return cmpFloat(x, y), true
		}
	case string:
		switch y := b.(type) {
		case string:
			return strings.Compare(x, y), true
		case time.Time:
			if t, ok := ParseTime(x); ok {
				return t.Compare(y), true
			}
		}
	case bool:
		if y, isBool := b.(bool); isBool {
			return cmpBool(x, y), true
		}
	case time.Time:
		switch y := b.(type) {
		case time.Time:
			return x.Compare(y), true
		case string:
			if t, ok := ParseTime(y); ok {
				return x.Compare(t), true
			}
		}
	}
	// Mixed kinds: numeric when both read as numbers, else textual.
	if fa, ok := asFloat(a); ok {
		if fb, ok := asFloat(b); ok {
			return cmpFloat(fa, fb), true
		}
	}
	return strings.Compare(ToString(a), ToString(b)), true
}

func cmpOrdered[T int64 | string](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	case a == b:
		return 0
	case math.IsNaN(a) && !math.IsNaN(b):
		return -1
	case !math.IsNaN(a) && math.IsNaN(b):
		return 1
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// CompareNullsFirst is the order of ORDER BY (NULLs first ascending, last
// descending): NULL, then numbers (int, float, and booleans as 0 and 1)
// numerically, then datetimes, then strings byte-wise, then any other value
// by its text. Values of one kind order as Compare orders them; values of
// different kinds order by kind, as SQLite orders numbers before text.
// Unlike Compare it never reads a string as a number or a datetime: with
// '10' > 9, '9' > '10' and '10' = 10 no order would be total over a
// column that mixes them, and a sort needs one.
func CompareNullsFirst(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	if ka, kb := sortKind(a), sortKind(b); ka != kb {
		return cmp.Compare(ka, kb)
	}
	c, _ := Compare(a, b)
	return c
}

// sortKind ranks a non-NULL value's kind for CompareNullsFirst.
func sortKind(v any) int {
	switch v.(type) {
	case int64, float64, bool:
		return 0
	case time.Time:
		return 1
	case string:
		return 2
	}
	return 3
}

// ToString renders a value as text the way CAST(x AS CHAR) and CONCAT do
// (value.Text).
func ToString(v any) string { return value.Text(v) }

// Truth reads a value as a SQL boolean: nil is unknown (NULL); numbers are
// true when non-zero; strings when they read as a non-zero number.
func Truth(v any) (val bool, known bool) {
	switch x := v.(type) {
	case nil:
		return false, false
	case bool:
		return x, true
	case int64:
		return x != 0, true
	case float64:
		return x != 0, true
	case string:
		f, ok := asFloat(x)
		return ok && f != 0, true
	case time.Time:
		return true, true
	}
	return false, true
}

// Convert casts a value to a type name (string, int, float, bool, datetime,
// json); NULL stays NULL, and a value that cannot be converted is an error.
func Convert(v any, typ Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case TypeString, TypeJSON:
		return ToString(v), nil
	case TypeInt:
		switch x := v.(type) {
		case int64:
			return x, nil
		case float64:
			if math.IsNaN(x) || x > math.MaxInt64 || x < math.MinInt64 {
				return nil, typeMismatchf("cannot convert %v to int", x)
			}
			return int64(math.Trunc(x)), nil
		case bool:
			if x {
				return int64(1), nil
			}
			return int64(0), nil
		case string:
			s := strings.TrimSpace(x)
			if !IsDecimal(s) {
				return nil, typeMismatchf("cannot convert %q to int", x)
			}
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return i, nil
			}
			if f, err := strconv.ParseFloat(s, 64); err == nil {
				return Convert(f, TypeInt)
			}
			return nil, typeMismatchf("cannot convert %q to int", x)
		case time.Time:
			return x.Unix(), nil
		}
	case TypeFloat:
		switch x := v.(type) {
		case time.Time:
			return float64(x.Unix()), nil
		case string:
			s := strings.TrimSpace(x)
			f, err := strconv.ParseFloat(s, 64)
			if err != nil || !IsDecimal(s) {
				return nil, typeMismatchf("cannot convert %q to float", x)
			}
			return f, nil
		}
		if f, ok := asFloat(v); ok {
			return f, nil
		}
	case TypeBool:
		switch x := v.(type) {
		case string:
			switch strings.ToLower(strings.TrimSpace(x)) {
			case "true", "t", "yes", "y", "1":
				return true, nil
			case "false", "f", "no", "n", "0":
				return false, nil
			}
			return nil, typeMismatchf("cannot convert %q to bool", x)
		}
		b, _ := Truth(v)
		return b, nil
	case TypeDatetime:
		switch x := v.(type) {
		case time.Time:
			return x, nil
		case string:
			if t, ok := ParseTime(x); ok {
				return t, nil
			}
			return nil, typeMismatchf("cannot convert %q to datetime", x)
		case int64:
			return time.Unix(x, 0).UTC(), nil
		case float64:
			sec, frac := math.Modf(x)
			return time.Unix(int64(sec), int64(frac*1e9)).UTC(), nil
		}
	default:
		return nil, typeMismatchf("unknown type %q", typ)
	}
	return nil, typeMismatchf("cannot convert %T to %s", v, typ)
}

// MatchKey returns a map key for equality lookups (hash joins, IN
// subqueries) under Compare's rules: values that Compare equal have the same
// MatchKey, so a numeric string meets the number it reads as ('1' = 1), 'true'
// meets true and a datetime string meets the datetime. The converse does not
// hold ('1' and '1.0' share a key but differ as strings): a lookup must
// confirm each candidate with Compare.
func MatchKey(v any) any {
	switch x := v.(type) {
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case string:
		if f, ok := asFloat(x); ok {
			return Key(f)
		}
		switch x {
		case "true":
			return int64(1)
		case "false":
			return int64(0)
		}
		if s := strings.TrimSpace(x); s != "" && s[0] >= '0' && s[0] <= '9' {
			if t, ok := ParseTime(s); ok {
				return Key(t)
			}
		}
	}
	return Key(v)
}

// Key returns a comparable map key for grouping, DISTINCT and hash joins.
// Numerically equal int64 and float64 values get the same key, so 1 and 1.0
// group together, as they compare equal.
func Key(v any) any {
	switch x := v.(type) {
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	}
	return v
}
