package table

import (
	"fmt"

	"github.com/restsql/restsql/internal/errcode"
)

// MissingKeyError refuses a query that does not bind a required key
// column: a {name} placeholder of the table's request URL.
type MissingKeyError struct {
	// Table is the qualified table name (catalog.schema.table).
	Table string
	// Column is the key column to bind.
	Column string
	// Operator is the operator that binds it: "=" (or IN).
	Operator string
	// URL is the table's request URL template, as the profile writes it.
	URL string
}

// Error implements error. It names the table, the column and the operator
// and shows a WHERE clause that works.
func (e *MissingKeyError) Error() string {
	return fmt.Sprintf("restsource: table %s requires column %s: add WHERE %s %s <value> (or %s IN (…)) — the request URL %s needs it",
		e.Table, e.Column, e.Column, e.Operator, e.Column, e.URL)
}

// ErrorCode is errcode.MissingKey.
func (e *MissingKeyError) ErrorCode() errcode.Code { return errcode.MissingKey }

// Is makes errors.Is(err, restsql.ErrMissingKey) hold.
func (e *MissingKeyError) Is(target error) bool { return errcode.Is(errcode.MissingKey, target) }
