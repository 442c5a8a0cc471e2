package server

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"
)

// The text and binary encoders as they were before they appended in place,
// for FuzzEncodeMatchesOld and BenchmarkDataRow.

func oldFormatText(v any, loc *time.Location) []byte {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return []byte(x)
	case []byte:
		return x
	case int64:
		return strconv.AppendInt(nil, x, 10)
	case int:
		return strconv.AppendInt(nil, int64(x), 10)
	case float64:
		return []byte(oldFormatFloat(x))
	case bool:
		if x {
			return []byte("t")
		}
		return []byte("f")
	case time.Time:
		return []byte(oldFormatTimestamptz(x, loc))
	}
	return fmt.Appendf(nil, "%v", v)
}

func oldFormatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func oldFormatTimestamptz(t time.Time, loc *time.Location) string {
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	s := t.Format("2006-01-02 15:04:05.999999")
	_, off := t.Zone()
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	s += string(sign) + fmt.Sprintf("%02d", off/3600)
	if m, sec := off%3600/60, off%60; m != 0 || sec != 0 {
		s += fmt.Sprintf(":%02d", m)
		if sec != 0 {
			s += fmt.Sprintf(":%02d", sec)
		}
	}
	return s
}

func oldEncodeValue(v any, oid uint32, format int16, loc *time.Location) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	if format == 0 {
		return oldFormatText(v, loc), nil
	}
	switch oid {
	case oidInt8, oidInt4, oidInt2, oidOID:
		i, err := toInt(v)
		if err != nil {
			return nil, err
		}
		switch oid {
		case oidInt8:
			return binary.BigEndian.AppendUint64(nil, uint64(i)), nil
		case oidInt4, oidOID:
			if oid == oidInt4 && (i < math.MinInt32 || i > math.MaxInt32) || oid == oidOID && (i < 0 || i > math.MaxUint32) {
				return nil, sqlErrorf(codeNumericOutOfRange, "value %d is out of range for the column's type", i)
			}
			return binary.BigEndian.AppendUint32(nil, uint32(i)), nil
		default:
			if i < math.MinInt16 || i > math.MaxInt16 {
				return nil, sqlErrorf(codeNumericOutOfRange, "value %d is out of range for type smallint", i)
			}
			return binary.BigEndian.AppendUint16(nil, uint16(i)), nil
		}
	case oidFloat8, oidFloat4:
		f, err := toFloat(v)
		if err != nil {
			return nil, err
		}
		if oid == oidFloat4 {
			return binary.BigEndian.AppendUint32(nil, math.Float32bits(float32(f))), nil
		}
		return binary.BigEndian.AppendUint64(nil, math.Float64bits(f)), nil
	case oidBool:
		b, ok := v.(bool)
		if !ok {
			return nil, sqlErrorf(codeInvalidText, "value %v of a boolean column is not a boolean", v)
		}
		if b {
			return []byte{1}, nil
		}
		return []byte{0}, nil
	case oidTimestamptz, oidTimestamp:
		t, ok := v.(time.Time)
		if !ok {
			return nil, sqlErrorf(codeInvalidText, "value %v of a timestamp column is not a timestamp", v)
		}
		if oid == oidTimestamp {
			// A timestamp without time zone is the wall clock in UTC.
			t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
		}
		us := t.Sub(pgEpoch).Microseconds()
		return binary.BigEndian.AppendUint64(nil, uint64(us)), nil
	case oidText, oidVarchar, oidBPChar, oidName, oidJSON, oidUnknown:
		return oldFormatText(v, loc), nil
	}
	return nil, sqlErrorf(codeFeatureNotSupported, "binary format is not supported for type OID %d", oid)
}
