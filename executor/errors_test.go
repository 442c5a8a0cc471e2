package executor

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/internal/errcode"
)

func TestErrorCodes(t *testing.T) {
	_, err := Convert("x", TypeInt)
	require.Error(t, err)
	assert.Equal(t, errcode.TypeMismatch, errcode.Of(err), "%v", err)
	assert.True(t, errors.Is(err, errcode.TypeMismatch.Err()))

	_, err = Normalize(uint64(math.MaxUint64))
	require.Error(t, err)
	assert.Equal(t, errcode.OutOfRange, errcode.Of(err), "%v", err)

	_, err = Normalize(struct{}{})
	assert.Equal(t, errcode.NotSupported, errcode.Of(err), "%v", err)

	assert.Equal(t, errcode.OutOfRange, errcode.Of(ErrOverflow))
	assert.True(t, errors.Is(ErrOverflow, errcode.OutOfRange.Err()))
	assert.True(t, errors.Is(ErrOverflow, ErrOverflow), "still a sentinel of its own")

	_, err = (&Neg{E: &Const{V: "a"}}).Eval(nil)
	require.Error(t, err)
	assert.Equal(t, errcode.TypeMismatch, errcode.Of(err), "%v", err)
}

// TestFunctionErrorCodes: the errors of the date and regular-expression
// functions carry a code (so the server sends their SQLSTATE, not XX000),
// also through Call's wrapping.
func TestFunctionErrorCodes(t *testing.T) {
	base := time.Date(2024, 5, 15, 13, 47, 21, 0, time.UTC)
	for _, tc := range []struct {
		fn   string
		args []any
		want errcode.Code
	}{
		{"REGEXP_LIKE", []any{"abc", "b", "x"}, errcode.InvalidSQL},
		{"REGEXP_LIKE", []any{"abc", "(", nil}, errcode.InvalidSQL},
		{"DATE_TRUNC", []any{"fortnight", base}, errcode.NotSupported},
		{"DATE_TRUNC", []any{int64(3), base}, errcode.TypeMismatch},
		{"DATE_ADD", []any{base, int64(math.MaxInt64), "year"}, errcode.OutOfRange},
		{"DATE_ADD", []any{base, int64(math.MaxInt64/3 + 1), "quarter"}, errcode.OutOfRange},
		{"DATE_SUB", []any{base, int64(10001), "year"}, errcode.OutOfRange},
		{"DATE_ADD", []any{base, int64(math.MinInt64), "day"}, errcode.OutOfRange},
		{"DATE_ADD", []any{base, int64(1), "fortnight"}, errcode.NotSupported},
		{"DATE_ADD", []any{base, 1.5, "day"}, errcode.TypeMismatch},
	} {
		t.Run(tc.fn, func(t *testing.T) {
			f, ok := Funcs[tc.fn]
			require.True(t, ok)
			args := make([]Expr, len(tc.args))
			for i, a := range tc.args {
				args[i] = &Const{V: a}
			}
			_, err := (&Call{Name: tc.fn, Fn: f.Fn, Args: args}).Eval(nil)
			require.Error(t, err)
			assert.Equal(t, tc.want, errcode.Of(err), "%v", err)
		})
	}
	_, err := Arithmetic("^", int64(1), int64(2))
	require.Error(t, err)
	assert.Equal(t, errcode.NotSupported, errcode.Of(err), "%v", err)
}
