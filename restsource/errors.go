package restsource

import (
	"context"
	"errors"
	"net/http"
	"strconv"

	"github.com/restsql/restsql/internal/errcode"
)

// HTTPError is a response with status 400 or more.
type HTTPError struct {
	// Method and URL are the request's; secret query values in URL are
	// shown as "***".
	Method string
	URL    string
	// StatusCode is the response status.
	StatusCode int
	// Body is the start of the response body (about 512 bytes, "…" when cut).
	Body string
}

// Error implements error:
// `restsource: GET http://host/posts?x=1: 404 Not Found: {"error":"…"}`.
func (e *HTTPError) Error() string {
	status := strconv.Itoa(e.StatusCode)
	if text := http.StatusText(e.StatusCode); text != "" {
		status += " " + text
	}
	msg := "restsource: " + e.Method + " " + e.URL + ": " + status
	if e.Body != "" {
		msg += ": " + e.Body
	}
	return msg
}

// ErrClosed is returned by Rows.Next after Close.
var ErrClosed = errors.New("restsource: rows are closed")

// ErrorCode is errcode.HTTP: the API failed.
func (e *HTTPError) ErrorCode() errcode.Code { return errcode.HTTP }

// Is makes errors.Is(err, restsql.ErrHTTP) hold.
func (e *HTTPError) Is(target error) bool { return errcode.Is(errcode.HTTP, target) }

// ErrorCode is errcode.NotSupported: the profile offers no such write.
func (e *NoWriteError) ErrorCode() errcode.Code { return errcode.NotSupported }

// Is makes errors.Is(err, restsql.ErrNotSupported) hold.
func (e *NoWriteError) Is(target error) bool { return errcode.Is(errcode.NotSupported, target) }

// apiError gives an error that ended a page walk the code of an API
// failure, unless it has a code already or is the cancellation of ctx,
// the scan's context: a request past the DSN's Timeout is an API failure.
func apiError(ctx context.Context, err error) error {
	if ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return err
	}
	return errcode.Wrap(errcode.HTTP, err)
}

// ErrorCode is errcode.HTTP: the API refused or failed a write (the
// cause, Err, may say more: an *HTTPError, a network error); None when
// the write was cancelled.
func (e *WriteError) ErrorCode() errcode.Code {
	if errors.Is(e.Err, context.Canceled) || errors.Is(e.Err, context.DeadlineExceeded) {
		return errcode.None
	}
	return errcode.HTTP
}

// Is makes errors.Is(err, restsql.ErrHTTP) hold.
func (e *WriteError) Is(target error) bool { return errcode.Is(e.ErrorCode(), target) }
