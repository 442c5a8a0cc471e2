package planner

import "github.com/restsql/restsql/internal/errcode"

// ErrorCode is errcode.Syntax.
func (e *SyntaxError) ErrorCode() errcode.Code { return errcode.Syntax }

// Is makes errors.Is(err, restsql.ErrSyntax) hold.
func (e *SyntaxError) Is(target error) bool { return errcode.Is(errcode.Syntax, target) }

// ErrorCode is errcode.TypeMismatch (the SQLSTATE, for the server, is
// the error's Code).
func (e *ValueError) ErrorCode() errcode.Code { return errcode.TypeMismatch }

// Is makes errors.Is(err, restsql.ErrTypeMismatch) hold.
func (e *ValueError) Is(target error) bool { return errcode.Is(errcode.TypeMismatch, target) }

// ErrorCode is errcode.NotSupported: restsql does not run the statement
// unless it is allowed (ExecOptions.AllowUnfiltered).
func (e *UnfilteredError) ErrorCode() errcode.Code { return errcode.NotSupported }

// Is makes errors.Is(err, restsql.ErrNotSupported) hold.
func (e *UnfilteredError) Is(target error) bool { return errcode.Is(errcode.NotSupported, target) }

// The planner's errors with a code (see package internal/errcode): each
// is fmt.Errorf(format, args...) with the code, so errors.Is(err,
// restsql.ErrNotSupported) and the server's SQLSTATE read the code, not
// the message.

func notSupportedf(format string, args ...any) error {
	return errcode.Errorf(errcode.NotSupported, format, args...)
}

func unknownTablef(format string, args ...any) error {
	return errcode.Errorf(errcode.UnknownTable, format, args...)
}

func unknownColumnf(format string, args ...any) error {
	return errcode.Errorf(errcode.UnknownColumn, format, args...)
}

func unknownFunctionf(format string, args ...any) error {
	return errcode.Errorf(errcode.UnknownFunction, format, args...)
}

func ambiguousf(format string, args ...any) error {
	return errcode.Errorf(errcode.Ambiguous, format, args...)
}

func groupingf(format string, args ...any) error {
	return errcode.Errorf(errcode.Grouping, format, args...)
}

// unsupportedSyntax marks a construct the parser cannot read because
// restsql does not support it: NotSupported, and still a *SyntaxError
// with its position.
func unsupportedSyntax(err *SyntaxError) error {
	return errcode.With(errcode.NotSupported, err)
}

func invalidf(format string, args ...any) error {
	return errcode.Errorf(errcode.InvalidSQL, format, args...)
}

func cardinalityf(format string, args ...any) error {
	return errcode.Errorf(errcode.Cardinality, format, args...)
}

func typeMismatchf(format string, args ...any) error {
	return errcode.Errorf(errcode.TypeMismatch, format, args...)
}

func missingKeyf(format string, args ...any) error {
	return errcode.Errorf(errcode.MissingKey, format, args...)
}
