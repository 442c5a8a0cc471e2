package demoapi

import (
	"math"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
)

// This file reproduces the few JavaScript value semantics that json-server
// 0.17.4's filters and lodash's orderBy rely on: String(v), Number(s), the
// relational operators with their coercions, and lodash's path lookup. Values
// are what encoding/json produces from a document, except that integral
// numbers are int (see normalize).

// jsString is JavaScript's String(v) for a JSON value; ok is false for null
// and undefined (json-server skips those before calling toString).
func jsString(v any) (s string, ok bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case bool:
		return strconv.FormatBool(x), true
	case int:
		return strconv.Itoa(x), true
	case float64:
		return jsNumberString(x), true
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i], _ = jsString(e) // null elements join as ""
		}
		return strings.Join(parts, ","), true
	case map[string]any:
		return "[object Object]", true
	default:
		return "", false
	}
}

// jsNumberString formats f the way JavaScript's Number.prototype.toString does
// for the values JSON can carry.
func jsNumberString(f float64) string {
	abs := math.Abs(f)
	if abs != 0 && (abs >= 1e21 || abs < 1e-6) {
		s := strconv.FormatFloat(f, 'e', -1, 64) // 1e+21, 1.5e-07
		mant, exp, _ := strings.Cut(s, "e")
		sign := exp[:1]
		exp = strings.TrimLeft(exp[1:], "0")
		return mant + "e" + sign + exp
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

var jsDecimal = regexp.MustCompile(`^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$`)

// jsNumber is JavaScript's Number(s) for a string: surrounding white space is
// ignored, "" is 0, and anything that is not a number literal is NaN.
func jsNumber(s string) float64 {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return 0
	case s == "Infinity" || s == "+Infinity":
		return math.Inf(1)
	case s == "-Infinity":
		return math.Inf(-1)
	case jsDecimal.MatchString(s):
		f, _ := strconv.ParseFloat(s, 64) // out of range gives ±Inf, as in JavaScript
		return f
	}
	for _, p := range []struct {
		prefix string
		base   int
	}{{"0x", 16}, {"0o", 8}, {"0b", 2}} {
		if len(s) > 2 && strings.EqualFold(s[:2], p.prefix) {
			n, err := strconv.ParseUint(s[2:], p.base, 64)
			if err != nil {
				return math.NaN()
			}
			return float64(n)
		}
	}
	return math.NaN()
}

// jsParseInt is JavaScript's parseInt(s, 10): leading white space, an
// optional sign and the longest run of digits; ok is false where parseInt
// gives NaN.
func jsParseInt(s string) (n int, ok bool) {
	s = strings.TrimLeft(s, " \t\n\r\v\f")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	if end == 0 {
		return 0, false
	}
	v, err := strconv.Atoi(s[:end])
	if err != nil { // more digits than an int holds
		v = math.MaxInt
	}
	if neg {
		v = -v
	}
	return v, true
}

// jsPrimitive is the result of JavaScript's ToPrimitive on a JSON value: a
// string, or a number (booleans become 0 and 1).
type jsPrimitive struct {
	isString bool
	s        string
	n        float64
}

func toPrimitive(v any) jsPrimitive {
	switch x := v.(type) {
	case string:
		return jsPrimitive{isString: true, s: x}
	case int:
		return jsPrimitive{n: float64(x)}
	case float64:
		return jsPrimitive{n: x}
	case bool:
		if x {
			return jsPrimitive{n: 1}
		}
		return jsPrimitive{n: 0}
	case nil:
		return jsPrimitive{n: 0}
	default:
		s, _ := jsString(v)
		return jsPrimitive{isString: true, s: s}
	}
}

// jsCompare is JavaScript's abstract relational comparison of a and b: -1
// for a < b, 0 for equal, 1 for a > b; ok is false when a NaN makes every
// relation false. Two strings compare by UTF-16 code units; anything else
// compares as numbers.
func jsCompare(a, b any) (c int, ok bool) {
	pa, pb := toPrimitive(a), toPrimitive(b)
	if pa.isString && pb.isString {
		return compareUTF16(pa.s, pb.s), true
	}
	na, nb := pa.n, pb.n
	if pa.isString {
		na = jsNumber(pa.s)
	}
	if pb.isString {
		nb = jsNumber(pb.s)
	}
	switch {
	case math.IsNaN(na) || math.IsNaN(nb):
		return 0, false
	case na < nb:
		return -1, true
	case na > nb:
		return 1, true
	default:
		return 0, true
	}
}

// compareUTF16 orders strings as JavaScript does, by UTF-16 code units, which
// differs from Go's byte order only for characters above U+FFFF.
func compareUTF16(a, b string) int {
	if a == b {
		return 0
	}
	ua, ub := utf16.Encode([]rune(a)), utf16.Encode([]rune(b))
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			if ua[i] < ub[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(ua) < len(ub):
		return -1
	case len(ua) > len(ub):
		return 1
	default:
		return 0
	}
}

// lookup is lodash's _.get(obj, path) for dotted paths: a key that contains
// the dots itself wins, otherwise the path walks objects and array indexes.
// found is false for a missing field (undefined), true for an explicit null.
func lookup(obj map[string]any, path string) (v any, found bool) {
	if v, ok := obj[path]; ok {
		return v, true
	}
	var cur any = obj
	for _, part := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur, found = c[part]
			if !found {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// truthy is JavaScript's Boolean(v) for a JSON value.
func truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case string:
		return x != ""
	case int:
		return x != 0
	case float64:
		return x != 0 && !math.IsNaN(x)
	default:
		return true
	}
}
