package export

import (
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"github.com/klauspost/compress/s2"
	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"
	"github.com/parquet-go/parquet-go/format"

	"github.com/restsql/restsql/catalog"
)

// parquetBatch is the number of rows handed to the parquet writer at once.
const parquetBatch = 1024

// parquetRowGroup bounds the rows of one row group, and so the memory the
// writer holds.
const parquetRowGroup = 128 << 10

// parquetEncoder writes a Parquet file whose columns follow the result's
// column order and types, all optional.
type parquetEncoder struct {
	w     *parquet.GenericWriter[any]
	cols  []Column
	kinds []pqKind // each column's Parquet kind, by index
	// vals holds, per column, the values of the rows not yet written:
	// rows go to the writer column by column, parquetBatch at a time.
	vals [][]parquet.Value
	rows int // rows in vals
	// group is the number of rows in the current row group.
	group int
	// nulls are each column's NULL, with its levels.
	nulls []parquet.Value
}

// pqKind is a column's Parquet physical type, for the encoder's switch.
type pqKind uint8

const (
	pqString pqKind = iota // and json, and unknown types
	pqInt
	pqFloat
	pqBool
	pqTime
)

// ParquetSchema is the Parquet schema of a result's columns: INT64 (int),
// DOUBLE (float), BOOLEAN (bool), TIMESTAMP in microseconds, adjusted to
// UTC (datetime), and STRING for the rest (string, json and unknown), all
// optional. Repeated names get a suffix (id, id_2).
func ParquetSchema(cols []Column) *parquet.Schema {
	names := uniqueNames(cols)
	g := make(orderedGroup, len(cols))
	for i, c := range cols {
		g[i] = &groupField{Node: parquet.Optional(parquetNode(c.Type)), name: names[i]}
	}
	return parquet.NewSchema("restsql", g)
}

func parquetNode(typ catalog.Type) parquet.Node {
	switch typ {
	case TypeInt:
		return parquet.Int(64)
	case TypeFloat:
		return parquet.Leaf(parquet.DoubleType)
	case TypeBool:
		return parquet.Leaf(parquet.BooleanType)
	case TypeDatetime:
		return parquet.Timestamp(parquet.Microsecond)
	}
	return parquet.String()
}

func newParquet(w io.Writer, cols []Column) (*parquetEncoder, error) {
	pw := parquet.NewGenericWriter[any](w, ParquetSchema(cols),
		parquet.Compression(fastSnappy{}),
		parquet.MaxRowsPerRowGroup(parquetRowGroup),
		parquet.CreatedBy("restsql", "", ""))
	vals := make([][]parquet.Value, len(cols))
	for i := range vals {
		vals[i] = make([]parquet.Value, 0, parquetBatch)
	}
	kinds := make([]pqKind, len(cols))
	for i, c := range cols {
		switch c.Type {
		case TypeInt:
			kinds[i] = pqInt
		case TypeFloat:
			kinds[i] = pqFloat
		case TypeBool:
			kinds[i] = pqBool
		case TypeDatetime:
			kinds[i] = pqTime
		}
	}
	nulls := make([]parquet.Value, len(cols))
	for i := range nulls {
		nulls[i] = parquet.Value{}.Level(0, 0, i)
	}
	return &parquetEncoder{w: pw, cols: cols, kinds: kinds, vals: vals, nulls: nulls}, nil
}

func (e *parquetEncoder) Encode(row []any) error {
	if len(row) != len(e.cols) {
		return fmt.Errorf("export: parquet: a row of %d values for %d columns", len(row), len(e.cols))
	}
	for i, v := range row {
		// The values restsql returns take the fast paths: one type
		// assertion per value, the levels set in place.
		var pv parquet.Value
		ok := true
		switch x := v.(type) {
		case nil:
			pv = e.nulls[i]
		case int64:
			switch e.kinds[i] {
			case pqInt:
				pv = parquet.Int64Value(x)
			default:
				ok = false
			}
		case float64:
			if e.kinds[i] == pqFloat {
				pv = parquet.DoubleValue(x)
			} else {
				ok = false
			}
		case bool:
			if e.kinds[i] == pqBool {
				pv = parquet.BooleanValue(x)
			} else {
				ok = false
			}
		case string:
			if e.kinds[i] == pqString {
				// The writer copies the bytes (WriteRowValues) and never
				// changes them: a string's own bytes do.
				pv = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(x), len(x)))
			} else {
				ok = false
			}
		case time.Time:
			if e.kinds[i] == pqTime {
				pv = parquet.Int64Value(x.UnixMicro())
			} else {
				ok = false
			}
		default:
			ok = false
		}
		if !ok {
			var err error
			if pv, err = e.value(i, v); err != nil {
				for j := range i {
					e.vals[j] = e.vals[j][:e.rows]
				}
				return fmt.Errorf("export: column %s: %w", e.cols[i].Name, err)
			}
		} else if v != nil {
			pv.SetDefinitionLevel(1)
			pv.SetColumnIndex(i)
		}
		e.vals[i] = append(e.vals[i], pv)
	}
	e.rows++
	if e.rows == parquetBatch {
		return e.flush()
	}
	return nil
}

// value converts a value to the column's Parquet type.
func (e *parquetEncoder) value(i int, v any) (parquet.Value, error) {
	if v == nil {
		return parquet.Value{}.Level(0, 0, i), nil
	}
	var pv parquet.Value
	switch e.kinds[i] {
	case pqInt:
		n, err := asInt(v)
		if err != nil {
			return pv, err
		}
		pv = parquet.Int64Value(n)
	case pqFloat:
		f, err := asFloat(v)
		if err != nil {
			return pv, err
		}
		pv = parquet.DoubleValue(f)
	case pqBool:
		b, err := asBool(v)
		if err != nil {
			return pv, err
		}
		pv = parquet.BooleanValue(b)
	case pqTime:
		t, err := asTime(v)
		if err != nil {
			return pv, err
		}
		pv = parquet.Int64Value(t.UnixMicro())
	default:
		// The writer copies the bytes (WriteRows) and never changes
		// them: a string's own bytes do, without a copy per value.
		t := Text(v)
		pv = parquet.ByteArrayValue(unsafe.Slice(unsafe.StringData(t), len(t)))
	}
	return pv.Level(0, 1, i), nil
}

// flush writes the buffered rows column by column (each column's values
// are whole rows: one value per row, no repetition), and ends the row
// group once it holds parquetRowGroup rows.
func (e *parquetEncoder) flush() error {
	if e.rows == 0 {
		return nil
	}
	for i, cw := range e.w.ColumnWriters() {
		if _, err := cw.WriteRowValues(e.vals[i]); err != nil {
			return fmt.Errorf("export: parquet: column %s: %w", e.cols[i].Name, err)
		}
		e.vals[i] = e.vals[i][:0]
	}
	e.group += e.rows
	e.rows = 0
	if e.group >= parquetRowGroup {
		e.group = 0
		if err := e.w.Flush(); err != nil {
			return fmt.Errorf("export: parquet: %w", err)
		}
	}
	return nil
}

func (e *parquetEncoder) Close() error {
	if err := e.flush(); err != nil {
		return err
	}
	if err := e.w.Close(); err != nil {
		return fmt.Errorf("export: parquet: %w", err)
	}
	return nil
}

// fastSnappy is Parquet's SNAPPY codec with the fast Snappy encoder (the
// default one, parquet.Snappy, compresses a little better at about twice
// the CPU: the largest single cost of writing a file). Any Snappy reader
// reads its blocks.
type fastSnappy struct{}

func (fastSnappy) String() string                            { return "SNAPPY" }
func (fastSnappy) CompressionCodec() format.CompressionCodec { return format.Snappy }
func (fastSnappy) Encode(dst, src []byte) ([]byte, error)    { return s2.EncodeSnappy(dst, src), nil }
func (fastSnappy) Decode(dst, src []byte) ([]byte, error)    { return parquet.Snappy.Decode(dst, src) }

// orderedGroup is a Parquet group whose fields keep the result's column
// order (parquet.Group sorts them by name).
type orderedGroup []parquet.Field

func (g orderedGroup) ID() int { return 0 }

func (g orderedGroup) String() string {
	var b strings.Builder
	_ = parquet.PrintSchema(&b, "restsql", g)
	return b.String()
}

func (g orderedGroup) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g orderedGroup) Optional() bool              { return false }
func (g orderedGroup) Repeated() bool              { return false }
func (g orderedGroup) Required() bool              { return true }
func (g orderedGroup) Leaf() bool                  { return false }
func (g orderedGroup) Fields() []parquet.Field     { return g }
func (g orderedGroup) Encoding() encoding.Encoding { return nil }
func (g orderedGroup) Compression() compress.Codec { return nil }

// GoType is a struct with one field per column, in order.
func (g orderedGroup) GoType() reflect.Type {
	fields := make([]reflect.StructField, len(g))
	for i, f := range g {
		fields[i] = reflect.StructField{Name: "F" + strconv.Itoa(i), Type: f.GoType()}
		if !strings.Contains(f.Name(), ",") {
			fields[i].Tag = reflect.StructTag(`parquet:` + strconv.Quote(f.Name()))
		}
	}
	return reflect.StructOf(fields)
}

// groupField names a node within orderedGroup.
type groupField struct {
	parquet.Node
	name string
}

func (f *groupField) Name() string { return f.name }

// Value returns the field of a struct of GoType's form, or of a map.
func (f *groupField) Value(base reflect.Value) reflect.Value {
	for base.Kind() == reflect.Interface || base.Kind() == reflect.Pointer {
		if base.IsNil() {
			return reflect.Value{}
		}
		base = base.Elem()
	}
	switch base.Kind() {
	case reflect.Map:
		return base.MapIndex(reflect.ValueOf(f.name))
	case reflect.Struct:
		for i := range base.NumField() {
			if tag, _, _ := strings.Cut(base.Type().Field(i).Tag.Get("parquet"), ","); tag == f.name {
				return base.Field(i)
			}
		}
	}
	return reflect.Value{}
}
