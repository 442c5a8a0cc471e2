package export

import (
	"fmt"
	"time"

	"github.com/restsql/restsql/internal/value"
)

// Text renders a value as CSV writes it: "" for NULL, RFC 3339 with
// nanoseconds for a time, the shortest exact form of a float.
func Text(v any) string { return value.Text(v) }

// asInt converts a value of an int column (see package value for the
// rules).
func asInt(v any) (int64, error) {
	if i, ok := value.Int(v); ok {
		return i, nil
	}
	return 0, fmt.Errorf("%v (%T) is not an integer", v, v)
}

// asFloat converts a value of a float column.
func asFloat(v any) (float64, error) {
	if f, ok := value.Float(v); ok {
		return f, nil
	}
	return 0, fmt.Errorf("%v (%T) is not a number", v, v)
}

// asBool converts a value of a bool column.
func asBool(v any) (bool, error) {
	if b, ok := value.Bool(v); ok {
		return b, nil
	}
	return false, fmt.Errorf("%v (%T) is not a boolean", v, v)
}

// asTime converts a value of a datetime column.
func asTime(v any) (time.Time, error) {
	if t, ok := value.Time(v); ok {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("%v (%T) is not a time", v, v)
}
