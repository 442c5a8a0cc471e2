package server

import (
	"encoding/binary"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/internal/value"
)

// PostgreSQL type OIDs the server sends and understands.
const (
	oidUnspecified uint32 = 0
	oidBool        uint32 = 16
	oidBytea       uint32 = 17
	oidChar        uint32 = 18
	oidName        uint32 = 19
	oidInt8        uint32 = 20
	oidInt2        uint32 = 21
	oidInt4        uint32 = 23
	oidText        uint32 = 25
	oidOID         uint32 = 26
	oidJSON        uint32 = 114
	oidFloat4      uint32 = 700
	oidFloat8      uint32 = 701
	oidUnknown     uint32 = 705
	oidBPChar      uint32 = 1042
	oidVarchar     uint32 = 1043
	oidDate        uint32 = 1082
	oidTimestamp   uint32 = 1114
	oidTimestamptz uint32 = 1184
	oidNumeric     uint32 = 1700
	oidJSONB       uint32 = 3802
)

// pgType describes a PostgreSQL type the server reports: its OID, its
// name in pg_type, the name format_type gives it and its length.
type pgType struct {
	oid        uint32
	name       string // pg_type.typname
	formatName string // pg_catalog.format_type
	size       int16  // typlen: -1 for variable length
	arrayOID   uint32
}

// pgTypes are the types a result column or a catalog query can have.
var pgTypes = []pgType{
	{oidBool, "bool", "boolean", 1, 1000},
	{oidBytea, "bytea", "bytea", -1, 1001},
	{oidChar, "char", "\"char\"", 1, 1002},
	{oidName, "name", "name", 64, 1003},
	{oidInt8, "int8", "bigint", 8, 1016},
	{oidInt2, "int2", "smallint", 2, 1005},
	{oidInt4, "int4", "integer", 4, 1007},
	{oidText, "text", "text", -1, 1009},
	{oidOID, "oid", "oid", 4, 1028},
	{oidJSON, "json", "json", -1, 199},
	{oidFloat4, "float4", "real", 4, 1021},
	{oidFloat8, "float8", "double precision", 8, 1022},
	{oidUnknown, "unknown", "unknown", -2, 0},
	{oidBPChar, "bpchar", "character", -1, 1014},
	{oidVarchar, "varchar", "character varying", -1, 1015},
	{oidDate, "date", "date", 4, 1182},
	{oidTimestamp, "timestamp", "timestamp without time zone", 8, 1115},
	{oidTimestamptz, "timestamptz", "timestamp with time zone", 8, 1185},
	{oidNumeric, "numeric", "numeric", -1, 1231},
	{oidJSONB, "jsonb", "jsonb", -1, 3807},
}

// typeByOID finds a type of pgTypes.
func typeByOID(oid uint32) (pgType, bool) {
	for _, t := range pgTypes {
		if t.oid == oid {
			return t, true
		}
	}
	return pgType{}, false
}

// oidForDatabaseType maps restsql's ColumnType.DatabaseTypeName to the
// OID a result column is described with. Anything else (an expression
// whose type is only known per value, NULL) is text.
func oidForDatabaseType(name string) uint32 {
	t, _ := catalog.TypeOfSQLName(name)
	return oidForType(t)
}

// oidForRestsqlType maps a restsql column type word (sys_tablecolumns'
// DataTypeName: int, float, string, bool, datetime, json) to an OID.
func oidForRestsqlType(t string) uint32 {
	return oidForType(catalog.Type(strings.ToLower(t)))
}

// oidForType maps a column type to an OID; a string column and an
// unknown type are text.
func oidForType(t catalog.Type) uint32 {
	switch t {
	case catalog.TypeInt:
		return oidInt8
	case catalog.TypeFloat:
		return oidFloat8
	case catalog.TypeBool:
		return oidBool
	case catalog.TypeDatetime:
		return oidTimestamptz
	case catalog.TypeJSON:
		return oidJSON
	}
	return oidText
}

// binaryCapable reports whether the server can send a column of this type
// in binary format.
func binaryCapable(oid uint32) bool {
	switch oid {
	case oidInt8, oidInt4, oidInt2, oidOID, oidFloat8, oidFloat4, oidBool, oidText, oidVarchar, oidBPChar, oidName, oidJSON, oidUnknown,
		oidTimestamptz, oidTimestamp, oidDate, oidBytea:
		return true
	}
	return false
}

// pgEpoch is the zero of PostgreSQL's binary timestamps and dates.
var pgEpoch = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// formatText writes v in PostgreSQL's text format (see appendText). loc
// is the session's TimeZone, used for timestamps.
func formatText(v any, loc *time.Location) []byte {
	if isNull(v, oidText, 0) {
		return nil
	}
	return appendText([]byte{}, v, oidText, loc)
}

// encodeValue writes v for a column of type oid in the given format code
// (0 text, 1 binary); nil is NULL. streamRows appends values in place
// with appendValue instead.
func encodeValue(v any, oid uint32, format int16, loc *time.Location) ([]byte, error) {
	if isNull(v, oid, format) {
		return nil, nil
	}
	return appendValue([]byte{}, v, oid, format, loc)
}

// toInt converts a value of an integer column (see package value for the
// rules).
func toInt(v any) (int64, error) {
	if i, ok := value.Int(v); ok {
		return i, nil
	}
	return 0, sqlErrorf(codeInvalidText, "value %v of an integer column is not an integer", v)
}

// toFloat converts a value of a floating-point column.
func toFloat(v any) (float64, error) {
	if f, ok := value.Float(v); ok {
		return f, nil
	}
	return 0, sqlErrorf(codeInvalidText, "value %v of a floating-point column is not a number", v)
}

// decodeParam reads one Bind parameter of type oid (0 when neither the
// client nor the server knows it) in the given format into the value
// restsql binds: nil, int64, float64, bool, string or time.Time.
func decodeParam(data []byte, oid uint32, format int16, loc *time.Location) (any, error) {
	if data == nil {
		return nil, nil
	}
	if format == 1 {
		return decodeBinaryParam(data, oid)
	}
	s := string(data)
	switch oid {
	case oidInt8, oidInt4, oidInt2, oidOID:
		i, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, sqlErrorf(codeInvalidText, "invalid input syntax for type %s: %q", typeName(oid), s)
		}
		return i, nil
	case oidFloat8, oidFloat4, oidNumeric:
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, sqlErrorf(codeInvalidText, "invalid input syntax for type %s: %q", typeName(oid), s)
		}
		return f, nil
	case oidBool:
		b, ok := parseBool(s)
		if !ok {
			return nil, sqlErrorf(codeInvalidText, "invalid input syntax for type boolean: %q", s)
		}
		return b, nil
	case oidTimestamptz, oidTimestamp, oidDate:
		t, err := parseTimestamp(s, loc)
		if err != nil {
			return nil, sqlErrorf(codeInvalidDatetime, "invalid input syntax for type %s: %q", typeName(oid), s)
		}
		return t, nil
	case oidUnspecified, oidUnknown:
		// No type from the client nor from the query: an integer is
		// passed as one, so that it compares with integer columns and
		// pushes down as a number; anything else is text.
		if i, err := strconv.ParseInt(s, 10, 64); err == nil && s != "" && (s[0] != '0' || s == "0") {
			return i, nil
		}
		return s, nil
	}
	return s, nil
}

func decodeBinaryParam(b []byte, oid uint32) (any, error) {
	wrongLen := func() error {
		return sqlErrorf(codeInvalidBinary, "binary parameter of type %s has %d bytes", typeName(oid), len(b))
	}
	switch oid {
	case oidInt8:
		if len(b) != 8 {
			return nil, wrongLen()
		}
		return int64(binary.BigEndian.Uint64(b)), nil
	case oidInt4:
		if len(b) != 4 {
			return nil, wrongLen()
		}
		return int64(int32(binary.BigEndian.Uint32(b))), nil
	case oidOID:
		if len(b) != 4 {
			return nil, wrongLen()
		}
		return int64(binary.BigEndian.Uint32(b)), nil
	case oidInt2:
		if len(b) != 2 {
			return nil, wrongLen()
		}
		return int64(int16(binary.BigEndian.Uint16(b))), nil
	case oidFloat8:
		if len(b) != 8 {
			return nil, wrongLen()
		}
		return math.Float64frombits(binary.BigEndian.Uint64(b)), nil
	case oidFloat4:
		if len(b) != 4 {
			return nil, wrongLen()
		}
		return float64(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
	case oidBool:
		if len(b) != 1 {
			return nil, wrongLen()
		}
		return b[0] != 0, nil
	case oidTimestamptz, oidTimestamp:
		if len(b) != 8 {
			return nil, wrongLen()
		}
		us := int64(binary.BigEndian.Uint64(b))
		return pgEpoch.Add(time.Duration(us) * time.Microsecond), nil
	case oidDate:
		if len(b) != 4 {
			return nil, wrongLen()
		}
		days := int32(binary.BigEndian.Uint32(b))
		return pgEpoch.AddDate(0, 0, int(days)), nil
	case oidText, oidVarchar, oidBPChar, oidName, oidJSON, oidUnknown, oidUnspecified:
		return string(b), nil
	case oidJSONB:
		if len(b) == 0 || b[0] != 1 {
			return nil, sqlErrorf(codeInvalidBinary, "unsupported jsonb version")
		}
		return string(b[1:]), nil
	}
	return nil, sqlErrorf(codeFeatureNotSupported, "binary format is not supported for parameters of type OID %d; send it as text", oid)
}

func typeName(oid uint32) string {
	if t, ok := typeByOID(oid); ok {
		return t.formatName
	}
	return "OID " + strconv.FormatUint(uint64(oid), 10)
}

// parseBool reads PostgreSQL's boolean input forms.
func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "t", "true", "y", "yes", "on", "1":
		return true, true
	case "f", "false", "n", "no", "off", "0":
		return false, true
	}
	return false, false
}

// timestampLayouts are the timestamp forms clients send as parameters.
var timestampLayouts = []string{
	"2006-01-02 15:04:05.999999999Z07:00:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999Z07",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999 Z07:00",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02",
}

// parseTimestamp reads a timestamp parameter; one without a zone is in loc.
func parseTimestamp(s string, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	if loc == nil {
		loc = time.UTC
	}
	var err error
	for _, layout := range timestampLayouts {
		var t time.Time
		if t, err = time.ParseInLocation(layout, s, loc); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, err
}
