package restsql

import (
	"errors"
	"fmt"

	"github.com/restsql/restsql/internal/errcode"
)

// Sentinel errors. An error of the driver that is of one of these kinds
// matches it with errors.Is, whichever package made it (the planner, the
// REST source, the executor, the catalog): the kind is a code set where the
// error is made (package internal/errcode), not read from its message.
var (
	// ErrClosed is returned by a connection, statement or rows used after Close.
	ErrClosed = errors.New("restsql: use of closed connection")
	// ErrNotSupported marks SQL or driver features restsql does not offer.
	ErrNotSupported = errcode.NotSupported.Err()
	// ErrUnknownTable is returned when a name matches no table of the profile.
	ErrUnknownTable = errcode.UnknownTable.Err()
	// ErrUnknownColumn is returned when a name matches no column of the
	// tables in scope.
	ErrUnknownColumn = errcode.UnknownColumn.Err()
	// ErrUnknownFunction is returned for a function restsql does not know.
	ErrUnknownFunction = errcode.UnknownFunction.Err()
	// ErrAmbiguous is returned for a column name several tables in scope
	// have: qualify it.
	ErrAmbiguous = errcode.Ambiguous.Err()
	// ErrMissingKey is returned for a query that does not bind a column the
	// table's request URL needs (a *restsource.MissingKeyError, which
	// errors.As finds, says which and shows a WHERE that works).
	ErrMissingKey = errcode.MissingKey.Err()
	// ErrTypeMismatch is returned for a value that does not fit its type:
	// an API's value in a strict table, an argument, a CAST.
	ErrTypeMismatch = errcode.TypeMismatch.Err()
	// ErrOutOfRange is returned for a number outside its type's range.
	ErrOutOfRange = errcode.OutOfRange.Err()
	// ErrGrouping is returned for a column outside GROUP BY and outside an
	// aggregate.
	ErrGrouping = errcode.Grouping.Err()
	// ErrSyntax is returned for SQL restsql cannot parse (a
	// *planner.SyntaxError gives the position).
	ErrSyntax = errcode.Syntax.Err()
	// ErrHTTP is returned when the API fails: an error status (a
	// *restsource.HTTPError has it and the body), no answer, or an answer
	// restsql cannot read.
	ErrHTTP = errcode.HTTP.Err()
	// ErrConfig is returned for a DSN property, a profile or a catalog
	// defined in Go that is wrong, and for a ${Name} placeholder that has
	// no value (at Open, or when a catalog is first used).
	ErrConfig = errcode.Config.Err()
	// ErrInvalidSQL is returned for SQL that parses but cannot run as
	// written: a derived table without an alias, a LEFT JOIN without ON,
	// UNION sides of different widths, an ORDER BY position out of range,
	// a LIMIT that is no integer, a function given the wrong number of
	// arguments, a placeholder without a value.
	ErrInvalidSQL = errcode.InvalidSQL.Err()
	// ErrCardinality is returned for a scalar subquery that returned more
	// than one row.
	ErrCardinality = errcode.Cardinality.Err()
)

// notSupported builds an error that wraps ErrNotSupported.
func notSupported(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrNotSupported, fmt.Sprintf(format, args...))
}

// redactedError is an error whose message has the connector's secret values
// replaced by ***; errors.Is and errors.As still see the cause.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }

// redactError hides every secret value the connector knows (credentials,
// ${} values, tokens) in an error's message: an API may echo a key back in
// an error body, and applications log errors.
func (c *connector) redactError(err error) error {
	if err == nil || c.redactor == nil {
		return err
	}
	msg := err.Error()
	if red := c.redactor.redact(msg); red != msg {
		return &redactedError{msg: red, cause: err}
	}
	return err
}
