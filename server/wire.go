package server

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	"strconv"
	"time"
)

// codeDatetimeOverflow is SQLSTATE datetime_field_overflow.
const codeDatetimeOverflow = "22008"

// keepWriteBytes bounds the write buffer a session keeps between flushes;
// a larger one (a message bigger than that) is let go after its flush.
const keepWriteBytes = 1 << 20

// wireWriter is the session's write buffer, under its pgproto3.Backend:
// the Backend's Flush appends its encoded messages here, and streamRows
// appends DataRows here directly, with no message value and no copy per
// row. flush writes the buffer to the client in one write.
type wireWriter struct {
	w   io.Writer
	buf []byte
}

// Write appends p to the buffer; it never fails.
func (ww *wireWriter) Write(p []byte) (int, error) {
	ww.buf = append(ww.buf, p...)
	return len(p), nil
}

// flush writes the buffer to the connection and empties it.
func (ww *wireWriter) flush() error {
	if len(ww.buf) == 0 {
		return nil
	}
	_, err := ww.w.Write(ww.buf)
	if cap(ww.buf) > keepWriteBytes {
		ww.buf = nil
	} else {
		ww.buf = ww.buf[:0]
	}
	return err
}

// rowEncoder writes a portal's rows as DataRow messages: each value
// appended in place after its length, in the text or binary format of its
// column, timestamps in the session's time zone.
type rowEncoder struct {
	oids    []uint32
	formats []int16
	loc     *time.Location
}

func newRowEncoder(cols []column, formats []int16, loc *time.Location) rowEncoder {
	oids := make([]uint32, len(cols))
	for i, c := range cols {
		oids[i] = c.oid
	}
	return rowEncoder{oids: oids, formats: formats, loc: loc}
}

// appendRow appends row as one DataRow message. On an error dst is
// returned as it was.
func (e *rowEncoder) appendRow(dst []byte, row []any) ([]byte, error) {
	start := len(dst)
	dst = append(dst, 'D', 0, 0, 0, 0, byte(len(row)>>8), byte(len(row)))
	for i, v := range row {
		oid := oidText
		if i < len(e.oids) {
			oid = e.oids[i]
		}
		format := formatAt(e.formats, i)
		if isNull(v, oid, format) {
			dst = append(dst, 0xff, 0xff, 0xff, 0xff)
			continue
		}
		at := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		var err error
		if dst, err = appendValue(dst, v, oid, format, e.loc); err != nil {
			return dst[:start], err
		}
		binary.BigEndian.PutUint32(dst[at:], uint32(len(dst)-at-4))
	}
	binary.BigEndian.PutUint32(dst[start+1:], uint32(len(dst)-start-1))
	return dst, nil
}

// textual reports whether a column of type oid is sent as text in the
// binary format too.
func textual(oid uint32) bool {
	switch oid {
	case oidText, oidVarchar, oidBPChar, oidName, oidJSON, oidUnknown:
		return true
	}
	return false
}

// isNull reports whether v is sent as NULL: nil, and a nil []byte sent as
// text (as the server always sent it).
func isNull(v any, oid uint32, format int16) bool {
	if v == nil {
		return true
	}
	b, ok := v.([]byte)
	return ok && b == nil && (format == 0 || textual(oid) || oid == oidBytea)
}

// appendValue appends v, not NULL (see isNull), for a column of type oid
// in the given format code (0 text, 1 binary).
func appendValue(dst []byte, v any, oid uint32, format int16, loc *time.Location) ([]byte, error) {
	if format == 0 {
		return appendText(dst, v, oid, loc), nil
	}
	switch oid {
	case oidInt8, oidInt4, oidInt2, oidOID:
		i, err := toInt(v)
		if err != nil {
			return dst, err
		}
		switch oid {
		case oidInt8:
			return binary.BigEndian.AppendUint64(dst, uint64(i)), nil
		case oidInt4, oidOID:
			if oid == oidInt4 && (i < math.MinInt32 || i > math.MaxInt32) || oid == oidOID && (i < 0 || i > math.MaxUint32) {
				return dst, sqlErrorf(codeNumericOutOfRange, "value %d is out of range for the column's type", i)
			}
			return binary.BigEndian.AppendUint32(dst, uint32(i)), nil
		default:
			if i < math.MinInt16 || i > math.MaxInt16 {
				return dst, sqlErrorf(codeNumericOutOfRange, "value %d is out of range for type smallint", i)
			}
			return binary.BigEndian.AppendUint16(dst, uint16(i)), nil
		}
	case oidFloat8, oidFloat4:
		f, err := toFloat(v)
		if err != nil {
			return dst, err
		}
		if oid == oidFloat4 {
			return binary.BigEndian.AppendUint32(dst, math.Float32bits(float32(f))), nil
		}
		return binary.BigEndian.AppendUint64(dst, math.Float64bits(f)), nil
	case oidBool:
		b, ok := v.(bool)
		if !ok {
			return dst, sqlErrorf(codeInvalidText, "value %v of a boolean column is not a boolean", v)
		}
		if b {
			return append(dst, 1), nil
		}
		return append(dst, 0), nil
	case oidTimestamptz, oidTimestamp, oidDate:
		t, ok := v.(time.Time)
		if !ok {
			return dst, sqlErrorf(codeInvalidText, "value %v of a %s column is not a timestamp", v, typeName(oid))
		}
		// A timestamp without time zone and a date are the value's wall
		// clock; a timestamp with time zone is the instant.
		sec := t.Unix()
		if oid != oidTimestamptz {
			_, off := t.Zone()
			sec += int64(off)
		}
		sec -= pgEpochUnix
		if oid == oidDate {
			days := floorDiv(sec, 86400)
			if days < math.MinInt32 || days > math.MaxInt32 {
				return dst, sqlErrorf(codeDatetimeOverflow, "date out of range: %v", t)
			}
			return binary.BigEndian.AppendUint32(dst, uint32(int32(days))), nil
		}
		if sec > math.MaxInt64/1_000_000-1 || sec < math.MinInt64/1_000_000+1 {
			return dst, sqlErrorf(codeDatetimeOverflow, "timestamp out of range: %v", t)
		}
		us := sec*1_000_000 + int64(t.Nanosecond()/1000)
		return binary.BigEndian.AppendUint64(dst, uint64(us)), nil
	case oidBytea:
		switch x := v.(type) {
		case []byte:
			return append(dst, x...), nil
		case string:
			return append(dst, x...), nil
		}
		return dst, sqlErrorf(codeInvalidText, "value %v of a bytea column is not bytes", v)
	}
	if textual(oid) {
		return appendText(dst, v, oid, loc), nil
	}
	return dst, sqlErrorf(codeFeatureNotSupported, "binary format is not supported for type OID %d", oid)
}

// pgEpochUnix is pgEpoch in Unix seconds.
var pgEpochUnix = pgEpoch.Unix()

// appendText appends v in PostgreSQL's text format. The Go type of v
// decides, as for an expression whose type is known per value, except
// for a time.Time in a timestamp (without time zone) or date column, and
// []byte in a bytea column. loc is the session's TimeZone.
func appendText(dst []byte, v any, oid uint32, loc *time.Location) []byte {
	switch x := v.(type) {
	case nil:
		return dst
	case string:
		return append(dst, x...)
	case []byte:
		if oid == oidBytea {
			dst = append(dst, '\\', 'x')
			return hex.AppendEncode(dst, x)
		}
		return append(dst, x...)
	case int64:
		return strconv.AppendInt(dst, x, 10)
	case int:
		return strconv.AppendInt(dst, int64(x), 10)
	case float64:
		return appendFloat(dst, x)
	case bool:
		if x {
			return append(dst, 't')
		}
		return append(dst, 'f')
	case time.Time:
		switch oid {
		case oidTimestamp:
			return appendTimestamp(dst, x)
		case oidDate:
			return appendDate(dst, x)
		}
		return appendTimestamptz(dst, x, loc)
	}
	return fmt.Appendf(dst, "%v", v)
}

// appendFloat appends a float8 the way PostgreSQL 12+ writes it with
// extra_float_digits >= 1: the shortest text that reads back exactly.
func appendFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(f, -1):
		return append(dst, "-Infinity"...)
	}
	return strconv.AppendFloat(dst, f, 'g', -1, 64)
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// civil is the proleptic Gregorian date of a day counted from 1970-01-01
// (H. Hinnant's days_from_civil, inverted).
func civil(days int64) (year int64, month, day int) {
	z := days + 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	day = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		month = int(mp + 3)
	} else {
		month = int(mp - 9)
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}

// appendDigits appends n (0 <= n) with at least width (<= 20) digits.
func appendDigits(dst []byte, n int64, width int) []byte {
	if width == 2 && n < 100 {
		return append(dst, byte('0'+n/10), byte('0'+n%10))
	}
	var b [20]byte
	i := len(b)
	for n >= 10 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	i--
	b[i] = byte('0' + n)
	for len(b)-i < width {
		i--
		b[i] = '0'
	}
	return append(dst, b[i:]...)
}

// appendYMD appends the date of local (seconds from 1970-01-01 on the
// wall clock) as PostgreSQL's ISO DateStyle writes it, and reports
// whether it is BC (year 0 and before, written 1 BC and before): the
// caller appends " BC" at the end.
func appendYMD(dst []byte, local int64) ([]byte, bool) {
	y, m, d := civil(floorDiv(local, 86400))
	bc := y <= 0
	if bc {
		y = 1 - y
	}
	dst = appendDigits(dst, y, 4)
	dst = append(dst, '-')
	dst = appendDigits(dst, int64(m), 2)
	dst = append(dst, '-')
	dst = appendDigits(dst, int64(d), 2)
	return dst, bc
}

// appendClock appends hh:mm:ss and the microseconds, their trailing
// zeros trimmed (none at all for whole seconds), of local (seconds from
// 1970-01-01 on the wall clock) and nsec, as PostgreSQL writes a time.
// Nanoseconds are truncated to microseconds.
func appendClock(dst []byte, local int64, nsec int) []byte {
	s := local - floorDiv(local, 86400)*86400
	dst = appendDigits(dst, s/3600, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, s%3600/60, 2)
	dst = append(dst, ':')
	dst = appendDigits(dst, s%60, 2)
	if us := nsec / 1000; us != 0 {
		var b [7]byte
		b[0] = '.'
		for i := 6; i >= 1; i-- {
			b[i] = byte('0' + us%10)
			us /= 10
		}
		n := 7
		for b[n-1] == '0' {
			n--
		}
		dst = append(dst, b[:n]...)
	}
	return dst
}

// appendTimestamptz appends a timestamp with time zone in the ISO
// DateStyle, in the session's time zone loc (UTC when nil): 2024-02-07
// 10:00:00.5+00, +05:30 for an offset with minutes, +00:09:21 with
// seconds, and " BC" after the offset for years before 1.
func appendTimestamptz(dst []byte, t time.Time, loc *time.Location) []byte {
	if loc == nil {
		loc = time.UTC
	}
	_, off := t.In(loc).Zone()
	local := t.Unix() + int64(off)
	dst, bc := appendYMD(dst, local)
	dst = append(dst, ' ')
	dst = appendClock(dst, local, t.Nanosecond())
	dst = appendOffset(dst, off)
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// appendOffset appends a UTC offset as PostgreSQL writes it: +hh, then
// :mm when there are minutes or seconds, then :ss when there are seconds.
func appendOffset(dst []byte, off int) []byte {
	sign := byte('+')
	if off < 0 {
		sign = '-'
		off = -off
	}
	dst = append(dst, sign)
	dst = appendDigits(dst, int64(off/3600), 2)
	if m, s := off%3600/60, off%60; m != 0 || s != 0 {
		dst = append(dst, ':')
		dst = appendDigits(dst, int64(m), 2)
		if s != 0 {
			dst = append(dst, ':')
			dst = appendDigits(dst, int64(s), 2)
		}
	}
	return dst
}

// appendTimestamp appends a timestamp without time zone: t's wall clock.
func appendTimestamp(dst []byte, t time.Time) []byte {
	_, off := t.Zone()
	local := t.Unix() + int64(off)
	dst, bc := appendYMD(dst, local)
	dst = append(dst, ' ')
	dst = appendClock(dst, local, t.Nanosecond())
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}

// appendDate appends a date: t's wall-clock date.
func appendDate(dst []byte, t time.Time) []byte {
	_, off := t.Zone()
	dst, bc := appendYMD(dst, t.Unix()+int64(off))
	if bc {
		dst = append(dst, " BC"...)
	}
	return dst
}
