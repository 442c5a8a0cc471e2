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
