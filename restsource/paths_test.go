package restsource

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTopKey(t *testing.T) {
	tests := []struct {
		path, want string
		ok         bool
	}{
		{"a", "a", true},
		{"a.b", "a", true},
		{`a\.b.c`, "a.b", true},
		{"tags.#", "tags", true},
		{"@this", "", false},
		{"a*", "", false},
		{"", "", false},
		{".a", "", false},
	}
	for _, tt := range tests {
		got, ok := topKey(tt.path)
		assert.Equal(t, tt.ok, ok, tt.path)
		assert.Equal(t, tt.want, got, tt.path)
	}
}

func TestExcerpt(t *testing.T) {
	assert.Equal(t, "abc", excerptOf("  abc \n"))
	long := strings.Repeat("é", 300) // 600 bytes: the cut falls inside a rune
	got := excerptOf(long)
	assert.True(t, strings.HasSuffix(got, "…"))
	assert.Equal(t, strings.Repeat("é", 256)+"…", got)
	assert.Equal(t, "a\uFFFDb", excerptOf("a\xffb"))
}
