// Package value converts the values restsql rows and query arguments hold
// to one Go type, strictly: a conversion that would lose information or
// guess is refused. The executor, export and the PostgreSQL server use it
// and wrap a refusal in their own error.
//
// The rules, the same for every caller:
//   - Integers of any Go integer kind are int64 when they fit.
//   - A float is an integer only when it is integral and in int64's range.
//   - A string (or []byte, read as its text) is parsed after trimming
//     surrounding white space: " 42 " is 42.
//   - A bool is the integer 1 or 0; the integers 1 and 0 are the bools.
//
// Casts that may lose information (CAST('1.5' AS SIGNED)) are the
// executor's Convert, not this package.
package value

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Int returns v as an int64.
func Int(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case uint:
		return uintInt(uint64(x))
	case uint8:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint64:
		return uintInt(x)
	case float64:
		// float64(math.MaxInt64) is 2^63, one past the range.
		if x == math.Trunc(x) && x >= math.MinInt64 && x < math.MaxInt64 {
			return int64(x), true
		}
	case float32:
		return Int(float64(x))
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		if i, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return i, true
		}
	case []byte:
		return Int(string(x))
	}
	return 0, false
}

func uintInt(x uint64) (int64, bool) {
	if x > math.MaxInt64 {
		return 0, false
	}
	return int64(x), true
}

// Float returns v as a float64. Integers convert (large ones to the
// nearest float); a string is read by strconv.ParseFloat, so "NaN" and
// "Inf" are numbers and "1e999" (out of range) is not.
func Float(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case float32:
		return float64(x), true
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil {
			return f, true
		}
		return 0, false
	case []byte:
		return Float(string(x))
	case bool:
		return 0, false
	}
	if i, ok := Int(v); ok {
		return float64(i), true
	}
	return 0, false
}

// Bool returns v as a bool: a bool, the integers 0 and 1, or a string
// strconv.ParseBool reads (1, t, T, TRUE, true, True, 0, f, …).
func Bool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		if b, err := strconv.ParseBool(strings.TrimSpace(x)); err == nil {
			return b, true
		}
		return false, false
	case []byte:
		return Bool(string(x))
	case float64, float32:
		return false, false
	}
	if i, ok := Int(v); ok && (i == 0 || i == 1) {
		return i == 1, true
	}
	return false, false
}

// Time returns v as a time.Time: a time, or a string in RFC 3339.
func Time(v any) (time.Time, bool) {
	switch x := v.(type) {
	case time.Time:
		return x, true
	case *time.Time:
		if x != nil {
			return *x, true
		}
	case string:
		if t, err := time.Parse(time.RFC3339Nano, strings.TrimSpace(x)); err == nil {
			return t, true
		}
	case []byte:
		return Time(string(x))
	}
	return time.Time{}, false
}

// Text renders a value as text the way CAST(x AS CHAR) does: "" for NULL,
// true or false, the shortest exact form of a float, RFC 3339 with
// nanoseconds for a time, and []byte as its bytes.
func Text(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte:
		return string(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}
