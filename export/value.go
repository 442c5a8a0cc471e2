package export

import (
	"fmt"
	"math"
	"strconv"
	"time"
)

// Text renders a value as CSV writes it: "" for NULL, RFC 3339 with
// nanoseconds for a time, the shortest exact form of a float.
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

// asInt converts a value of an int column.
func asInt(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case int:
		return int64(x), nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
			return int64(x), nil
		}
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case string:
		if i, err := strconv.ParseInt(x, 10, 64); err == nil {
			return i, nil
		}
	case []byte:
		return asInt(string(x))
	}
	return 0, fmt.Errorf("%v (%T) is not an integer", v, v)
}

// asFloat converts a value of a float column.
func asFloat(v any) (float64, error) {
	switch x := v.(type) {
	case float64:
		return x, nil
	case int64:
		return float64(x), nil
	case int:
		return float64(x), nil
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return f, nil
		}
	case []byte:
		return asFloat(string(x))
	}
	return 0, fmt.Errorf("%v (%T) is not a number", v, v)
}

// asBool converts a value of a bool column.
func asBool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int64:
		if x == 0 || x == 1 {
			return x == 1, nil
		}
	case string:
		if b, err := strconv.ParseBool(x); err == nil {
			return b, nil
		}
	case []byte:
		return asBool(string(x))
	}
	return false, fmt.Errorf("%v (%T) is not a boolean", v, v)
}

// asTime converts a value of a datetime column.
func asTime(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		if t, err := time.Parse(time.RFC3339Nano, x); err == nil {
			return t, nil
		}
	case []byte:
		return asTime(string(x))
	}
	return time.Time{}, fmt.Errorf("%v (%T) is not a time", v, v)
}
