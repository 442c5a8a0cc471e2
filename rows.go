package restsql

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"reflect"
	"time"
	"unsafe"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/planner"
)

// rows streams a query's result to database/sql: each Next pulls one row
// through the operator tree, which fetches pages as it needs them.
type rows struct {
	cols   []planner.Column
	names  []string
	it     executor.Iterator
	closed bool
	err    error
	// redact hides known secret values in errors (nil = none).
	redact func(error) error
	// cancel ends the query's context (its QueryTimeout) on Close.
	cancel func()
}

// Compile-time checks.
var (
	_ driver.Rows                           = (*rows)(nil)
	_ driver.RowsColumnTypeScanType         = (*rows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*rows)(nil)
	_ driver.RowsColumnTypeNullable         = (*rows)(nil)
)

func newRows(res *planner.Result) *rows {
	r := &rows{cols: res.Columns, it: res.Rows}
	r.names = make([]string, len(res.Columns))
	for i, c := range res.Columns {
		r.names[i] = c.Name
	}
	return r
}

// Columns implements driver.Rows.
func (r *rows) Columns() []string { return r.names }

// Close implements driver.Rows: it stops paging and releases the scans.
func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.it.Close()
	if r.cancel != nil {
		r.cancel()
	}
	return err
}

// Next implements driver.Rows.
func (r *rows) Next(dest []driver.Value) error {
	if r.closed {
		return io.EOF
	}
	if r.err != nil {
		return r.err
	}
	if into, ok := r.it.(executor.IntoIterator); ok {
		// A plain scan writes its values into dest itself.
		if err := into.NextInto(anys(dest)); err != nil {
			return r.fail(err)
		}
		return nil
	}
	row, err := r.it.Next()
	if err != nil {
		return r.fail(err)
	}
	for i := range dest {
		dest[i] = row[i]
	}
	return nil
}

// anys views dest as a []any: driver.Value is defined as any, so the two
// have one layout.
func anys(dest []driver.Value) []any {
	return unsafe.Slice((*any)(unsafe.Pointer(unsafe.SliceData(dest))), len(dest))
}

// fail keeps err (io.EOF is not kept), redacted, for the calls after.
func (r *rows) fail(err error) error {
	if !errors.Is(err, io.EOF) {
		if r.redact != nil {
			err = r.redact(err)
		}
		r.err = err
	}
	return err
}

var (
	typeNullString = reflect.TypeFor[sql.NullString]()
	typeNullInt    = reflect.TypeFor[sql.NullInt64]()
	typeNullFloat  = reflect.TypeFor[sql.NullFloat64]()
	typeNullBool   = reflect.TypeFor[sql.NullBool]()
	typeNullTime   = reflect.TypeFor[sql.NullTime]()
	typeString     = reflect.TypeFor[string]()
	typeInt        = reflect.TypeFor[int64]()
	typeFloat      = reflect.TypeFor[float64]()
	typeBool       = reflect.TypeFor[bool]()
	typeTime       = reflect.TypeFor[time.Time]()
	typeAny        = reflect.TypeFor[any]()
)

// ColumnTypeScanType implements driver.RowsColumnTypeScanType.
func (r *rows) ColumnTypeScanType(i int) reflect.Type {
	c := r.cols[i]
	switch c.Type {
	case executor.TypeString, executor.TypeJSON:
		if c.Nullable {
			return typeNullString
		}
		return typeString
	case executor.TypeInt:
		if c.Nullable {
			return typeNullInt
		}
		return typeInt
	case executor.TypeFloat:
		if c.Nullable {
			return typeNullFloat
		}
		return typeFloat
	case executor.TypeBool:
		if c.Nullable {
			return typeNullBool
		}
		return typeBool
	case executor.TypeDatetime:
		if c.Nullable {
			return typeNullTime
		}
		return typeTime
	}
	return typeAny
}

// DatabaseTypeNames maps restsql column types to the names
// ColumnType.DatabaseTypeName reports (catalog.Type.SQLName).
var DatabaseTypeNames = func() map[catalog.Type]string {
	m := map[catalog.Type]string{}
	for _, t := range catalog.Types {
		m[t] = t.SQLName()
	}
	return m
}()

// ColumnTypeDatabaseTypeName implements driver.RowsColumnTypeDatabaseTypeName.
func (r *rows) ColumnTypeDatabaseTypeName(i int) string {
	return r.cols[i].Type.SQLName()
}

// ColumnTypeNullable implements driver.RowsColumnTypeNullable.
func (r *rows) ColumnTypeNullable(i int) (nullable, ok bool) {
	return r.cols[i].Nullable, true
}
