package executor

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTextFunctions(t *testing.T) {
	tests := []struct {
		fn   string
		args []any
		want any
	}{
		{"TRIM_BOTH", []any{"x", "xxaxx"}, "a"},
		{"TRIM_BOTH", []any{"xy", "xyxyaxyx"}, "axyx"}, // MySQL: the whole string, repeated (not the characters x and y)
		{"TRIM_LEADING", []any{"x", "xxaxx"}, "axx"},
		{"TRIM_TRAILING", []any{"x", "xxaxx"}, "xxa"},
		{"TRIM_BOTH", []any{"", "xax"}, "xax"},
		{"TRIM_BOTH", []any{"x", "xxx"}, ""},
		{"TRIM_LEADING", []any{"é", "ééaé"}, "aé"},
		{"POSITION", []any{"b", "abcb"}, int64(2)},
		{"POSITION", []any{"B", "abcb"}, int64(0)}, // case-sensitive, as =
		{"POSITION", []any{"", "abc"}, int64(1)},
		{"POSITION", []any{"ç", "façade"}, int64(3)}, // characters, not bytes
		{"LOCATE", []any{"b", "abcb", int64(3)}, int64(4)},
		{"LOCATE", []any{"b", "abcb", int64(0)}, int64(0)},
		{"LOCATE", []any{"", "abc", int64(4)}, int64(4)},
		{"LOCATE", []any{"", "abc", int64(5)}, int64(0)},
		{"LOCATE", []any{"d", "façade", int64(2)}, int64(5)},
		{"POSITION", []any{int64(3), int64(1234)}, int64(3)},
	}
	for _, tt := range tests {
		f := Funcs[tt.fn]
		require.NotNil(t, f, tt.fn)
		got, err := f.Fn(tt.args)
		require.NoError(t, err, "%s%v", tt.fn, tt.args)
		assert.Equal(t, tt.want, got, "%s%v", tt.fn, tt.args)
	}
}
