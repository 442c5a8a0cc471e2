package restsql

import (
	"errors"
	"fmt"
)

// Sentinel errors. Errors returned by the driver wrap one of these (or the
// error of the package that failed: planner, restsource, catalog) so callers
// can test them with errors.Is.
var (
	// ErrClosed is returned by a connection, statement or rows used after Close.
	ErrClosed = errors.New("restsql: use of closed connection")
	// ErrNotSupported marks SQL or driver features restsql does not offer.
	ErrNotSupported = errors.New("restsql: not supported")
	// ErrUnknownTable is returned when a name matches no table of the profile.
	ErrUnknownTable = errors.New("restsql: unknown table")
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
