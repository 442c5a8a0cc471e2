package errcode

import (
	"errors"
	"fmt"
	"io"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// coded is an error type of another package with a code.
type coded struct{}

func (coded) Error() string          { return "pkg: coded" }
func (coded) ErrorCode() Code        { return MissingKey }
func (e coded) Is(target error) bool { return Is(e.ErrorCode(), target) }

func TestErrorf(t *testing.T) {
	err := Errorf(UnknownColumn, "planner: unknown column %s", "x")
	assert.EqualError(t, err, "planner: unknown column x")
	assert.True(t, errors.Is(err, UnknownColumn.Err()))
	assert.False(t, errors.Is(err, UnknownTable.Err()))
	assert.Equal(t, UnknownColumn, Of(err))

	wrapped := fmt.Errorf("restsql: query 1: %w", err)
	assert.True(t, errors.Is(wrapped, UnknownColumn.Err()), "through wrapping")
	assert.Equal(t, UnknownColumn, Of(wrapped))
	var e *Error
	require.True(t, errors.As(wrapped, &e))
	assert.Equal(t, UnknownColumn, e.Code)

	cause := Errorf(HTTP, "restsource: GET x: %w", io.ErrUnexpectedEOF)
	assert.True(t, errors.Is(cause, io.ErrUnexpectedEOF), "the cause is still seen")
	assert.True(t, errors.Is(cause, HTTP.Err()))
}

func TestWrap(t *testing.T) {
	assert.NoError(t, Wrap(HTTP, nil))
	base := errors.New("restsource: bad page")
	err := Wrap(HTTP, base)
	assert.EqualError(t, err, "restsource: bad page", "the message is kept")
	assert.True(t, errors.Is(err, base))
	assert.Equal(t, HTTP, Of(err))

	already := Errorf(TypeMismatch, "x")
	assert.Same(t, already, Wrap(HTTP, already), "a code is not replaced")
	assert.Equal(t, TypeMismatch, Of(fmt.Errorf("a: %w", Wrap(HTTP, fmt.Errorf("b: %w", already)))))
}

func TestWith(t *testing.T) {
	assert.NoError(t, With(HTTP, nil))
	inner := Errorf(Syntax, "planner: FULL JOIN is not supported")
	err := With(NotSupported, inner)
	assert.EqualError(t, err, "planner: FULL JOIN is not supported")
	assert.Equal(t, NotSupported, Of(err), "the outer code")
	assert.True(t, errors.Is(err, NotSupported.Err()))
	assert.True(t, errors.Is(err, Syntax.Err()))
}

func TestSentinels(t *testing.T) {
	for c := NotSupported; c < numCodes; c++ {
		s := c.Err()
		require.NotNil(t, s, c)
		assert.Equal(t, "restsql: "+c.String(), s.Error())
		assert.Equal(t, c, Of(s), "a sentinel has its code")
		assert.True(t, errors.Is(fmt.Errorf("restsql: %w: x", s), s))
		assert.Equal(t, c, Of(fmt.Errorf("%w: x", s)), "an error that wraps a sentinel has its code")
	}
	assert.Nil(t, None.Err())
	assert.Equal(t, None, Of(nil))
	assert.Equal(t, None, Of(errors.New("plain")))
	assert.Equal(t, "errcode.Code(200)", Code(200).String())
	assert.False(t, errors.Is(Errorf(None, "x"), NotSupported.Err()))
}

func TestErrorTypeOfAnotherPackage(t *testing.T) {
	err := fmt.Errorf("restsql: %w", coded{})
	assert.Equal(t, MissingKey, Of(err))
	assert.True(t, errors.Is(err, MissingKey.Err()))
	assert.False(t, errors.Is(err, NotSupported.Err()))
}
