package executor

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGreatestLeastRegexpLike(t *testing.T) {
	tests := []struct {
		fn   string
		args []any
		want any
		err  string
	}{
		{"GREATEST", []any{int64(1), int64(3), int64(2)}, int64(3), ""},
		{"GREATEST", []any{int64(1), 2.5}, 2.5, ""},
		{"GREATEST", []any{"b", "a", "c"}, "c", ""},
		{"LEAST", []any{int64(4), int64(3), int64(5)}, int64(3), ""},
		{"LEAST", []any{"b", "a"}, "a", ""},
		{"REGEXP_LIKE", []any{"Hello", "^h"}, true, ""},
		{"REGEXP_LIKE", []any{"Hello", "^h", "c"}, false, ""},
		{"REGEXP_LIKE", []any{"Hello", "^H", "c"}, true, ""},
		{"REGEXP_LIKE", []any{"a\nb", "a.b", "c"}, false, ""},
		{"REGEXP_LIKE", []any{"a\nb", "a.b", "cn"}, true, ""},
		{"REGEXP_LIKE", []any{"a\nb", "^b$", "m"}, true, ""},
		{"REGEXP_LIKE", []any{"a\nb", "^b$", ""}, false, ""},
		{"REGEXP_LIKE", []any{int64(123), `^\d+$`}, true, ""},
		{"REGEXP_LIKE", []any{"x", "("}, nil, "invalid regular expression"},
		{"REGEXP_LIKE", []any{"x", "x", "z"}, nil, "unknown match flag"},
	}
	for _, tc := range tests {
		got, err := Funcs[tc.fn].Fn(tc.args)
		if tc.err != "" {
			require.ErrorContains(t, err, tc.err)
			continue
		}
		require.NoError(t, err)
		require.Equal(t, tc.want, got, "%s%v", tc.fn, tc.args)
	}
	// Twice: the second answer comes from the cache.
	for range 2 {
		got, err := Funcs["REGEXP_LIKE"].Fn([]any{"abc", "B", "i"})
		require.NoError(t, err)
		require.Equal(t, true, got)
	}
}
