package bench

import (
	"fmt"
	"hash/maphash"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind is a column's type.
type Kind int

// Column kinds, one per restsql column type the benchmark reads.
const (
	KindInt Kind = iota
	KindFloat
	KindString
	KindBool
	KindTime
)

// catalogType is the kind's type name in a restsql profile.
func (k Kind) catalogType() string {
	switch k {
	case KindInt:
		return "int"
	case KindFloat:
		return "float"
	case KindBool:
		return "bool"
	case KindTime:
		return "datetime"
	}
	return "string"
}

// Column is one column of the benchmark table: its SQL name, the dotted
// JSON path of its value inside a row object, and its kind.
type Column struct {
	Name string
	Path string
	Kind Kind
}

// DefaultWidth is the number of columns of the default row: an int key, a
// float, a string, a bool, an RFC 3339 datetime, a string nested two
// objects deep (owner.address.city), an int and a free-text string.
const DefaultWidth = 8

// baseColumns are the first DefaultWidth columns; wider rows add columns
// c8, c9, … cycling through int, float, string, bool and datetime.
var baseColumns = []Column{
	{Name: "id", Path: "id", Kind: KindInt},
	{Name: "price", Path: "price", Kind: KindFloat},
	{Name: "name", Path: "name", Kind: KindString},
	{Name: "active", Path: "active", Kind: KindBool},
	{Name: "created", Path: "created", Kind: KindTime},
	{Name: "city", Path: "owner.address.city", Kind: KindString},
	{Name: "qty", Path: "qty", Kind: KindInt},
	{Name: "note", Path: "note", Kind: KindString},
}

var extraKinds = []Kind{KindInt, KindFloat, KindString, KindBool, KindTime}

// Columns returns the columns of a row of the given width (at least 1):
// the base columns, then extra ones.
func Columns(width int) []Column {
	width = max(width, 1)
	cols := make([]Column, 0, width)
	for i := 0; i < width; i++ {
		if i < len(baseColumns) {
			cols = append(cols, baseColumns[i])
			continue
		}
		name := "c" + strconv.Itoa(i)
		cols = append(cols, Column{Name: name, Path: name, Kind: extraKinds[(i-len(baseColumns))%len(extraKinds)]})
	}
	return cols
}

// Value is one typed value: the field its column's Kind names is set.
type Value struct {
	Int   int64
	Float float64
	Str   string
	Bool  bool
	Time  time.Time
}

// Record is one row's values, in column order. Readers reuse one Record
// from row to row.
type Record []Value

var (
	epoch  = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	plus2  = time.FixedZone("", 2*60*60)
	cities = []string{"Lisbon", "Zürich", "São Paulo", "Osaka", "Nairobi", "Montréal", "Oslo", "Reykjavík"}
	notes  = []string{
		"ships in two days",
		`customer said "leave at the door"`,
		"fragile: glass\tand ceramics",
		`path C:\orders\archive`,
		"backordered until next month, partial delivery accepted",
		"gift wrap, no invoice in the box",
		"",
	}
)

// truth returns column i's value in the row with the given id (ids start
// at 1). Every reader must return exactly these values.
func truth(c Column, i int, id int64) Value {
	switch i {
	case 0:
		return Value{Int: id}
	case 1:
		return Value{Float: float64((id*7919)%1_000_000) / 100}
	case 2:
		return Value{Str: "item-" + strconv.FormatInt(id, 10)}
	case 3:
		return Value{Bool: id%3 == 0}
	case 4:
		t := epoch.Add(time.Duration(id) * 37 * time.Second)
		if id%5 == 0 {
			t = t.In(plus2)
		}
		return Value{Time: t}
	case 5:
		return Value{Str: cities[id%int64(len(cities))]}
	case 6:
		return Value{Int: (id * 13) % 100}
	case 7:
		return Value{Str: notes[id%int64(len(notes))]}
	}
	switch c.Kind {
	case KindInt:
		return Value{Int: (id * int64(i)) % 1_000_003}
	case KindFloat:
		return Value{Float: float64(id%997)/8 + float64(i)}
	case KindString:
		return Value{Str: "v" + strconv.Itoa(i) + "-" + strconv.FormatInt(id, 10)}
	case KindBool:
		return Value{Bool: (id+int64(i))%2 == 0}
	}
	return Value{Time: epoch.Add(time.Duration(id+int64(i)) * time.Minute)}
}

// appendRow renders the row with the given id as a JSON object, fields in
// column order; the city column becomes a nested owner object.
func appendRow(dst []byte, cols []Column, id int64) []byte {
	dst = append(dst, '{')
	for i, c := range cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		v := truth(c, i, id)
		if i == 5 {
			// owner.address.city, beside fields no column reads. Cities
			// with non-ASCII letters are \u-escaped in every other row, as
			// some encoders do.
			dst = append(dst, `"owner":{"id":`...)
			dst = strconv.AppendInt(dst, id%1000, 10)
			dst = append(dst, `,"address":{"city":`...)
			dst = appendString(dst, v.Str, id%2 == 0)
			dst = append(dst, `,"zip":"`...)
			dst = strconv.AppendInt(dst, 1000+id%9000, 10)
			dst = append(dst, `"}}`...)
			continue
		}
		dst = append(dst, '"')
		dst = append(dst, c.Path...)
		dst = append(dst, '"', ':')
		dst = appendValue(dst, c.Kind, v)
	}
	return append(dst, '}')
}

func appendValue(dst []byte, k Kind, v Value) []byte {
	switch k {
	case KindInt:
		return strconv.AppendInt(dst, v.Int, 10)
	case KindFloat:
		return strconv.AppendFloat(dst, v.Float, 'f', -1, 64)
	case KindString:
		return appendString(dst, v.Str, false)
	case KindBool:
		return strconv.AppendBool(dst, v.Bool)
	}
	dst = append(dst, '"')
	dst = v.Time.AppendFormat(dst, time.RFC3339)
	return append(dst, '"')
}

// appendString renders s as a JSON string; ascii escapes every non-ASCII
// rune as \uXXXX.
func appendString(dst []byte, s string, ascii bool) []byte {
	const hex = "0123456789abcdef"
	dst = append(dst, '"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			dst = append(dst, '\\', byte(r))
		case r == '\t':
			dst = append(dst, '\\', 't')
		case r < 0x20 || (ascii && r >= utf8.RuneSelf && r <= 0xffff):
			dst = append(dst, '\\', 'u', hex[r>>12&0xf], hex[r>>8&0xf], hex[r>>4&0xf], hex[r&0xf])
		default:
			dst = utf8.AppendRune(dst, r)
		}
	}
	return append(dst, '"')
}

// Tally takes the rows a reader returns: it counts them, folds them into a
// checksum, checks that the ids come in API order and, when Collect is set,
// keeps a copy of each (for tests).
type Tally struct {
	// Rows is the number of rows added.
	Rows int64
	// Sum is a checksum of every value added, in order.
	Sum uint64
	// OutOfOrder counts rows whose id is not the previous id + 1 (only
	// when IDColumn is set).
	OutOfOrder int64
	// IDColumn is the index of the id column + 1 (0 = no order check).
	IDColumn int
	// Collect keeps a copy of every row in Collected.
	Collect   bool
	Collected []Record

	lastID int64
}

var seed = maphash.MakeSeed()

// Add takes one row; kinds are the kinds of rec's values.
func (t *Tally) Add(kinds []Kind, rec Record) {
	t.Rows++
	h := t.Sum
	for i, k := range kinds {
		v := &rec[i]
		var x uint64
		switch k {
		case KindInt:
			x = uint64(v.Int)
		case KindFloat:
			x = math.Float64bits(v.Float)
		case KindString:
			x = maphash.String(seed, v.Str)
		case KindBool:
			if v.Bool {
				x = 1
			}
		case KindTime:
			x = uint64(v.Time.UnixNano())
		}
		h = (h^x)*0x100000001b3 + uint64(i)
	}
	t.Sum = h
	if t.IDColumn > 0 {
		id := rec[t.IDColumn-1].Int
		if t.Rows > 1 && id != t.lastID+1 {
			t.OutOfOrder++
		}
		t.lastID = id
	}
	if t.Collect {
		t.Collected = append(t.Collected, append(Record(nil), rec...))
	}
}

// describe names a row layout for reports: "8 columns (int, float, …)".
func describe(cols []Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Kind.catalogType()
	}
	return fmt.Sprintf("%d columns (%s)", len(cols), strings.Join(names, ", "))
}
