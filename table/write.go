package table

import "strconv"

// WriteKind is the statement a Writer carries out.
type WriteKind int

// Write kinds.
const (
	// WriteInsert creates rows with the table's insert: endpoint.
	WriteInsert WriteKind = iota + 1
	// WriteUpdate changes rows with the table's update: endpoint.
	WriteUpdate
	// WriteDelete removes rows with the table's delete: endpoint.
	WriteDelete
)

// String returns INSERT, UPDATE or DELETE.
func (k WriteKind) String() string {
	switch k {
	case WriteInsert:
		return "INSERT"
	case WriteUpdate:
		return "UPDATE"
	case WriteDelete:
		return "DELETE"
	}
	return "WriteKind(" + strconv.Itoa(int(k)) + ")"
}

// Omit, as a value in Change.Values, leaves the column out of the request
// body, so the API applies its own default (SQL's DEFAULT).
var Omit any = omitted{}

type omitted struct{}

// Change is one row to write.
type Change struct {
	// Keys are the values of KeyColumns; they fill the URL. For UPDATE and
	// DELETE they address the row as it is before the change.
	Keys []any
	// Values are the values of Columns (nil, int64, float64, string, bool,
	// time.Time, or Omit); the columns that are fields of the row make the
	// body.
	Values []any
}

// WriteResult is what a write statement did.
type WriteResult struct {
	// RowsAffected is the number of rows the API accepted (a 2xx status).
	// An UPDATE or DELETE of a key the API answers 404 for is not counted.
	RowsAffected int64
	// LastID and LastIDErr are what LastInsertID returns; the Writer
	// sets them.
	LastID    int64
	LastIDErr error
}

// LastInsertID returns the key of the last row an INSERT created (in
// statement order), read from the response: the key column's path in the
// response body (inside the wrap: path when the response has it there, or
// in the last element at batch.rows for a batch), else a number at the end
// of the Location header. It is an error when there is none, when it is
// not an integer, and after an UPDATE or DELETE.
func (r *WriteResult) LastInsertID() (int64, error) { return r.LastID, r.LastIDErr }
