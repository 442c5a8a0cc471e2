package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/restsql/restsql/internal/errcode"
)

// SQLSTATE codes the server sends.
const (
	codeSuccessfulCompletion = "00000"
	codeConnectionFailure    = "08006"
	codeProtocolViolation    = "08P01"
	codeFeatureNotSupported  = "0A000"
	codeInvalidParameter     = "22023"
	codeNumericOutOfRange    = "22003"
	codeInvalidText          = "22P02"
	codeInvalidBinary        = "22P03"
	codeInvalidDatetime      = "22007"
	codeInvalidTxState       = "25000"
	codeInFailedTx           = "25P02"
	codeInvalidAuthorization = "28000"
	codeInvalidPassword      = "28P01"
	codeInvalidCatalogName   = "3D000"
	codeSyntaxError          = "42601"
	codeInsufficientPriv     = "42501"
	codeUndefinedTable       = "42P01"
	codeUndefinedColumn      = "42703"
	codeUndefinedFunction    = "42883"
	codeUndefinedObject      = "42704"
	codeAmbiguousColumn      = "42702"
	codeGroupingError        = "42803"
	codeDuplicateStatement   = "42P05"
	codeDuplicateCursor      = "42P03"
	codeUndefinedStatement   = "26000"
	codeUndefinedCursor      = "34000"
	codeTooManyConnections   = "53300"
	codeQueryCanceled        = "57014"
	codeAdminShutdown        = "57P01"
	codeInternal             = "XX000"
	codeConfigFileError      = "F0000"
	codeCardinalityViolation = "21000"
)

// sqlError is an error with a SQLSTATE, sent to the client as an
// ErrorResponse.
type sqlError struct {
	Severity string // ERROR or FATAL; ERROR when empty
	Code     string
	Message  string
	Detail   string
	Hint     string
	Position int32
}

func (e *sqlError) Error() string { return e.Message }

func sqlErrorf(code, format string, args ...any) *sqlError {
	return &sqlError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func fatalf(code, format string, args ...any) *sqlError {
	return &sqlError{Severity: "FATAL", Code: code, Message: fmt.Sprintf(format, args...)}
}

// response is the ErrorResponse of e.
func (e *sqlError) response() *pgproto3.ErrorResponse {
	sev := e.Severity
	if sev == "" {
		sev = "ERROR"
	}
	return &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                e.Code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            e.Position,
	}
}

// Causes of a cancelled query context, which decide its SQLSTATE.
var (
	errUserCancel       = errors.New("canceling statement due to user request")
	errStatementTimeout = errors.New("canceling statement due to statement timeout")
	errShutdown         = errors.New("terminating connection due to administrator command")
)

// toSQLError classifies an error of restsql (or of the server) by
// SQLSTATE. ctx is the query's context: when it was cancelled, its cause
// decides. restsql's messages carry no credentials, so they are passed on
// as they are.
func toSQLError(ctx context.Context, err error) *sqlError {
	var se *sqlError
	if errors.As(err, &se) {
		return se
	}
	if ctx != nil && ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ctx.Err())) {
		switch cause := context.Cause(ctx); {
		case errors.Is(cause, errShutdown):
			return &sqlError{Severity: "FATAL", Code: codeAdminShutdown, Message: errShutdown.Error()}
		case errors.Is(cause, errClientGone):
			return &sqlError{Severity: "FATAL", Code: codeConnectionFailure, Message: errClientGone.Error()}
		case errors.Is(cause, errStatementTimeout), errors.Is(cause, context.DeadlineExceeded):
			return sqlErrorf(codeQueryCanceled, "%s", errStatementTimeout.Error())
		default:
			return sqlErrorf(codeQueryCanceled, "%s", errUserCancel.Error())
		}
	}
	msg := err.Error()
	return &sqlError{Code: classify(err), Message: msg}
}

// sqlStates maps restsql's error codes to SQLSTATEs.
var sqlStates = map[errcode.Code]string{
	errcode.NotSupported:    codeFeatureNotSupported,
	errcode.UnknownTable:    codeUndefinedTable,
	errcode.UnknownColumn:   codeUndefinedColumn,
	errcode.UnknownFunction: codeUndefinedFunction,
	errcode.Ambiguous:       codeAmbiguousColumn,
	errcode.MissingKey:      codeFeatureNotSupported,
	errcode.TypeMismatch:    codeInvalidText,
	errcode.OutOfRange:      codeNumericOutOfRange,
	errcode.Grouping:        codeGroupingError,
	errcode.Syntax:          codeSyntaxError,
	errcode.HTTP:            codeConnectionFailure,
	errcode.Config:          codeConfigFileError,
	errcode.InvalidSQL:      codeSyntaxError,
	errcode.Cardinality:     codeCardinalityViolation,
}

// classify picks the SQLSTATE of a restsql error by its code (see package
// internal/errcode, or a SQLState method); a cancellation, and a network
// error of the standard library, by their types.
func classify(err error) string {
	// An error that carries its own SQLSTATE (planner.ValueError) says it.
	var coded interface{ SQLState() string }
	if errors.As(err, &coded) && coded.SQLState() != "" {
		return coded.SQLState()
	}
	// A code first: an API request past the DSN's Timeout is an API
	// failure (the page walk gives it the HTTP code); the statement's own
	// cancellation and statement_timeout are told by its context, in
	// toSQLError.
	if state, ok := sqlStates[errcode.Of(err)]; ok {
		return state
	}
	var urlErr *url.Error
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return codeQueryCanceled
	}
	if errors.As(err, &urlErr) || errors.As(err, &netErr) {
		return codeConnectionFailure
	}
	return codeInternal
}
