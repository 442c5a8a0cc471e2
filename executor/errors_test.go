package executor

import (
	"errors"
	"math"
	"testing"

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
