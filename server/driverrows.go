package server

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"unsafe"
)

// driverResult is the rows of a restsql query read from the driver's
// rows themselves, on a connection of the view's pool that the portal
// holds until it closes. database/sql's Rows.Next and Scan (a lock, a
// context check and a conversion per value) were a third of the
// session's CPU time after the DataRow encoding was made cheap; here a
// row's values are the driver's, read into one reused slice.
//
// Every use of the driver's connection and rows is inside sql.Conn.Raw:
// within runs a whole batch of rows in one Raw call (streamRows), next
// outside it takes one per row.
type driverResult struct {
	conn   *sql.Conn
	rows   driver.Rows
	cols   []column
	vals   []driver.Value
	row    []any // vals as a []any (driver.Value is defined as any: one layout)
	inside bool
	done   bool
}

// lockedResult is a resultSet whose rows are read faster inside within.
type lockedResult interface {
	within(f func() error) error
}

// queryDriver runs a restsql query on a connection of db, as
// db.QueryContext does: the arguments are checked by the driver's
// NamedValueChecker, or converted by database/sql's default converter.
func queryDriver(ctx context.Context, db *sql.DB, query string, args []any) (*driverResult, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	r := &driverResult{conn: conn}
	err = conn.Raw(func(dc any) error {
		q, ok := dc.(driver.QueryerContext)
		if !ok {
			return fmt.Errorf("server: the driver's connection %T cannot run queries", dc)
		}
		named := make([]driver.NamedValue, len(args))
		checker, _ := dc.(driver.NamedValueChecker)
		for i, a := range args {
			named[i] = driver.NamedValue{Ordinal: i + 1, Value: a}
			err := driver.ErrSkip
			if checker != nil {
				err = checker.CheckNamedValue(&named[i])
			}
			if errors.Is(err, driver.ErrSkip) {
				named[i].Value, err = driver.DefaultParameterConverter.ConvertValue(a)
			}
			if err != nil {
				return fmt.Errorf("server: parameter %d: %w", i+1, err)
			}
		}
		rows, err := q.QueryContext(ctx, query, named)
		if err != nil {
			return err
		}
		r.rows = rows
		names := rows.Columns()
		typed, _ := rows.(driver.RowsColumnTypeDatabaseTypeName)
		r.cols = make([]column, len(names))
		for i, name := range names {
			typ := ""
			if typed != nil {
				typ = typed.ColumnTypeDatabaseTypeName(i)
			}
			r.cols[i] = column{name: name, oid: oidForDatabaseType(typ)}
		}
		r.vals = make([]driver.Value, len(names))
		r.row = unsafe.Slice((*any)(unsafe.SliceData(r.vals)), len(r.vals))
		return nil
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return r, nil
}

func (r *driverResult) columns() []column { return r.cols }

func (r *driverResult) within(f func() error) error {
	if r.inside || r.rows == nil {
		return f()
	}
	return r.conn.Raw(func(any) error {
		r.inside = true
		defer func() { r.inside = false }()
		return f()
	})
}

func (r *driverResult) next() ([]any, error) {
	if !r.inside {
		var row []any
		err := r.within(func() error {
			var err error
			row, err = r.next()
			return err
		})
		return row, err
	}
	if r.done || r.rows == nil {
		return nil, io.EOF
	}
	if err := r.rows.Next(r.vals); err != nil {
		if errors.Is(err, io.EOF) {
			r.done = true
		}
		return nil, err
	}
	return r.row, nil
}

func (r *driverResult) close() error {
	if r.rows == nil {
		return nil
	}
	var err error
	if r.inside {
		err = r.rows.Close()
	} else {
		_ = r.conn.Raw(func(any) error {
			err = r.rows.Close()
			return nil
		})
	}
	r.rows = nil
	if cerr := r.conn.Close(); err == nil {
		err = cerr
	}
	return err
}

// ctxErr is ctx's error, nil for a nil ctx.
func ctxErr(ctx context.Context) error {
	if ctx == nil {
		return nil
	}
	return ctx.Err()
}
