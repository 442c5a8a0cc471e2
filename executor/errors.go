package executor

import "github.com/restsql/restsql/internal/errcode"

// The executor's errors with a code (see package internal/errcode): each
// is fmt.Errorf(format, args...) with the code, which errors.Is(err,
// restsql.ErrTypeMismatch) and the server's SQLSTATE read.

func typeMismatchf(format string, args ...any) error {
	return errcode.Errorf(errcode.TypeMismatch, format, args...)
}

func outOfRangef(format string, args ...any) error {
	return errcode.Errorf(errcode.OutOfRange, format, args...)
}

func notSupportedf(format string, args ...any) error {
	return errcode.Errorf(errcode.NotSupported, format, args...)
}

func unknownFunctionf(format string, args ...any) error {
	return errcode.Errorf(errcode.UnknownFunction, format, args...)
}

func invalidSQLf(format string, args ...any) error {
	return errcode.Errorf(errcode.InvalidSQL, format, args...)
}
