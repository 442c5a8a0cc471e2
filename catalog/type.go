package catalog

import "strings"

// Type is a column type word, as a profile writes it. The words are
// defined here once: the executor, export, the server and the REST source
// compare against these constants.
type Type string

// Column types. A column without a type is a TypeString column.
const (
	TypeString   Type = "string"
	TypeInt      Type = "int"
	TypeFloat    Type = "float"
	TypeBool     Type = "bool"
	TypeDatetime Type = "datetime"
	TypeJSON     Type = "json"
)

// Datetime formats for epoch numbers (Column.Format): seconds or
// milliseconds since 1970-01-01 UTC.
const (
	FormatUnix   = "unix"
	FormatUnixMs = "unixms"
)

// Filter-only datetime formats (Filter.Format): FormatDate is the UTC
// calendar date (2006-01-02) and FormatRFC1123Z RFC 1123 with a numeric
// zone (RFC 2822's form, "Mon, 02 Jan 2006 15:04:05 -0700"). As a column's
// format, rfc1123z is read as that Go layout.
const (
	FormatDate     = "date"
	FormatRFC1123Z = "rfc1123z"
)

// Types are the column types, in the order messages list them.
var Types = []Type{TypeString, TypeInt, TypeFloat, TypeBool, TypeDatetime, TypeJSON}

// ParseType returns the column type s names, case-insensitively.
func ParseType(s string) (Type, bool) {
	for _, t := range Types {
		if strings.EqualFold(string(t), s) {
			return t, true
		}
	}
	return "", false
}

// sqlNames are the SQL type names of the types.
var sqlNames = map[Type]string{
	TypeString: "VARCHAR", TypeInt: "BIGINT", TypeFloat: "DOUBLE",
	TypeBool: "BOOLEAN", TypeDatetime: "DATETIME", TypeJSON: "JSON",
}

// sqlSynonyms are other SQL type names read as a type.
var sqlSynonyms = map[string]Type{
	"TEXT": TypeString, "CHAR": TypeString,
	"INT": TypeInt, "INTEGER": TypeInt, "SMALLINT": TypeInt,
	"FLOAT": TypeFloat, "REAL": TypeFloat, "DECIMAL": TypeFloat,
	"BOOL":      TypeBool,
	"TIMESTAMP": TypeDatetime,
}

// SQLName is the SQL type name restsql reports for the type (the driver's
// ColumnType.DatabaseTypeName, information_schema.columns.data_type):
// VARCHAR, BIGINT, DOUBLE, BOOLEAN, DATETIME or JSON; "" for anything
// that is not a column type.
func (t Type) SQLName() string { return sqlNames[t] }

// TypeOfSQLName returns the type of an SQL type name, case-insensitively:
// one SQLName returns or a common synonym (TEXT, INTEGER, REAL,
// TIMESTAMP, …).
func TypeOfSQLName(name string) (Type, bool) {
	name = strings.ToUpper(name)
	for t, n := range sqlNames {
		if n == name {
			return t, true
		}
	}
	t, ok := sqlSynonyms[name]
	return t, ok
}
