package restsource

import (
	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/internal/rowscan"
)

// A page's JSON becomes typed rows in package rowscan (the one-pass
// scanner and the general way beside it); these are the pieces of it
// request building and writes use too.

// Filter escape styles.
const (
	escapeDouble    = "double"
	escapeBackslash = "backslash"
)

// Datetime formats for epoch numbers.
const (
	formatUnix   = catalog.FormatUnix
	formatUnixMs = catalog.FormatUnixMs
)

// maxUnixSeconds bounds epoch numbers (about ±31 million years).
const maxUnixSeconds = rowscan.MaxUnixSeconds

// gjsonSpecial are the characters that make a path more than plain keys
// separated by dots.
const gjsonSpecial = rowscan.PathSpecial

var columnTypes = map[catalog.Type]struct{}{
	catalog.TypeString: {}, catalog.TypeInt: {}, catalog.TypeFloat: {},
	catalog.TypeBool: {}, catalog.TypeDatetime: {}, catalog.TypeJSON: {},
}

// columnType is a column's type, "string" when empty (case-insensitive).
func columnType(c *catalog.Column) catalog.Type { return rowscan.ColumnType(c) }

// columnPath is a column's gjson path, its name when empty.
func columnPath(c *catalog.Column) string { return rowscan.ColumnPath(c) }

// parseInt accepts an integer, or a number with no fraction ("3.0", "1e3").
func parseInt(s string) (any, bool) { return rowscan.ParseInt(s) }

// short shows a JSON value in an error, cut to 100 bytes.
func short(raw string) string { return rowscan.Short(raw) }

// findRows returns the rows of a page: the array at the rows path ("" =
// the body), one row for an object, none for a missing path or null.
func findRows(body, path string) ([]gjson.Result, error) { return rowscan.FindRows(body, path) }
