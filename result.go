package restsql

import (
	"database/sql/driver"

	"github.com/restsql/restsql/restsource"
)

// result is the driver.Result of an INSERT, UPDATE or DELETE.
type result struct {
	w *restsource.WriteResult
}

var _ driver.Result = result{}

// LastInsertId implements driver.Result: the integer key of the last row
// an INSERT created, read from the API's response (the key column's path
// in the created row, or the end of the Location header). It is an error
// when the response carries none, and after UPDATE or DELETE.
func (r result) LastInsertId() (int64, error) { return r.w.LastInsertID() }

// RowsAffected implements driver.Result: the rows the API accepted.
func (r result) RowsAffected() (int64, error) { return r.w.RowsAffected, nil }
