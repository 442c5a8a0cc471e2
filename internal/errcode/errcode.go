// Package errcode is the one place restsql's error codes are defined: what
// kind of failure an error is, set where the error is made and read by
// code (errors.Is, errors.As, Of) wherever it ends up, never by matching
// its message. The driver root re-exports the sentinels (restsql.ErrNotSupported,
// …); the PostgreSQL server maps codes to SQLSTATEs.
//
// An error gets a code in one of three ways: Errorf (a new error, its
// message as fmt.Errorf writes it), Wrap (an existing error, message
// unchanged), or an error type's ErrorCode method (restsource.HTTPError,
// restsource.MissingKeyError, planner.SyntaxError). errors.Is(err, Code.Err())
// then holds for err and every error that wraps it.
package errcode

import (
	"errors"
	"fmt"
)

// Code is a kind of failure. The zero Code is none.
type Code uint8

// The codes.
const (
	None Code = iota
	// NotSupported: SQL or a driver feature restsql does not offer.
	NotSupported
	// UnknownTable: a name matches no table of the profile.
	UnknownTable
	// UnknownColumn: a name matches no column of the tables in scope.
	UnknownColumn
	// UnknownFunction: a function restsql does not know.
	UnknownFunction
	// Ambiguous: a column name that several tables in scope have.
	Ambiguous
	// MissingKey: a query that does not bind a column the table's request
	// URL needs.
	MissingKey
	// TypeMismatch: a value that does not fit its type (an API value in a
	// strict table, an argument, a CAST).
	TypeMismatch
	// OutOfRange: a number outside its type's range.
	OutOfRange
	// Grouping: a column outside GROUP BY and outside an aggregate.
	Grouping
	// Syntax: SQL restsql cannot parse.
	Syntax
	// HTTP: the API failed: an error status, no answer, or an answer
	// restsql cannot read (bad JSON, a pagination loop).
	HTTP
	// Config: a DSN property, a profile or a catalog defined in Go that
	// is wrong, or a ${Name} placeholder without a value.
	Config
	// InvalidSQL: SQL that parses but cannot run as written (a derived
	// table without an alias, a LEFT JOIN without ON, UNION sides of
	// different widths, a LIMIT that is no integer, a wrong number of
	// arguments).
	InvalidSQL
	// Cardinality: a scalar subquery that returned more than one row.
	Cardinality
	numCodes
)

var names = [numCodes]string{
	None:            "none",
	NotSupported:    "not supported",
	UnknownTable:    "unknown table",
	UnknownColumn:   "unknown column",
	UnknownFunction: "unknown function",
	Ambiguous:       "ambiguous name",
	MissingKey:      "missing key",
	TypeMismatch:    "type mismatch",
	OutOfRange:      "out of range",
	Grouping:        "grouping error",
	Syntax:          "syntax error",
	HTTP:            "API error",
	Config:          "configuration error",
	InvalidSQL:      "invalid statement",
	Cardinality:     "more than one row",
}

// String names the code.
func (c Code) String() string {
	if c < numCodes {
		return names[c]
	}
	return fmt.Sprintf("errcode.Code(%d)", uint8(c))
}

// sentinel is the error a code stands for in errors.Is.
type sentinel struct{ c Code }

func (s *sentinel) Error() string   { return "restsql: " + s.c.String() }
func (s *sentinel) ErrorCode() Code { return s.c }

var sentinels = func() [numCodes]*sentinel {
	var s [numCodes]*sentinel
	for c := range s {
		s[c] = &sentinel{Code(c)}
	}
	return s
}()

// Err is the sentinel of the code ("restsql: not supported", …):
// errors.Is(err, c.Err()) holds for every error with the code. None has
// no sentinel (nil).
func (c Code) Err() error {
	if c == None || c >= numCodes {
		return nil
	}
	return sentinels[c]
}

// Error is an error with a code. Its message is its cause's.
type Error struct {
	Code Code
	err  error
}

// Errorf returns an error with the code whose message and wrapped errors
// are those of fmt.Errorf(format, args...).
func Errorf(c Code, format string, args ...any) error {
	return &Error{Code: c, err: fmt.Errorf(format, args...)}
}

// Wrap gives err the code, keeping its message; nil stays nil. An error
// that already has a code keeps it.
func Wrap(c Code, err error) error {
	if err == nil || Of(err) != None {
		return err
	}
	return &Error{Code: c, err: err}
}

// With gives err the code even when it has one: the outer code is the
// one Of returns, and errors.Is holds for both (an unsupported construct
// is NotSupported and still a syntax error).
func With(c Code, err error) error {
	if err == nil {
		return nil
	}
	return &Error{Code: c, err: err}
}

func (e *Error) Error() string { return e.err.Error() }

// Unwrap returns the error the code was given to.
func (e *Error) Unwrap() error { return e.err }

// ErrorCode returns the code.
func (e *Error) ErrorCode() Code { return e.Code }

// Is reports whether target is the sentinel of e's code.
func (e *Error) Is(target error) bool {
	s, ok := target.(*sentinel)
	return ok && s.c == e.Code && e.Code != None
}

// Coder is an error that knows its code (Error, and error types of other
// packages).
type Coder interface {
	error
	ErrorCode() Code
}

// Of returns the code of the first error in err's chain that has one
// (None for nil or an error without a code).
func Of(err error) Code {
	var c Coder
	if errors.As(err, &c) {
		return c.ErrorCode()
	}
	return None
}

// Is reports whether err, an error of a type with an ErrorCode method,
// is target, the sentinel of code c: error types call it from their Is
// method.
func Is(c Code, target error) bool {
	s, ok := target.(*sentinel)
	return ok && s.c == c && c != None
}
