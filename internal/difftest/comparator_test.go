package difftest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestComparator checks the suite's own comparison: what it treats as the
// same answer, and that it tells different answers apart.
func TestComparator(t *testing.T) {
	ts := time.Date(2024, 2, 7, 10, 0, 0, 0, time.FixedZone("", 3600))
	assert.Equal(t, int64(1), canon(true))
	assert.Equal(t, int64(0), canon(false))
	assert.Equal(t, "2024-02-07T09:00:00Z", canon(ts))
	assert.Equal(t, `{"a":[1,2]}`, canon("{\n  \"a\": [\n    1,\n    2\n  ]\n}"))
	assert.Equal(t, "{not json", canon("{not json"))
	assert.Equal(t, "x", canon([]byte("x")))

	same := [][2]any{{int64(1), float64(1)}, {0.1 + 0.2, 0.3}, {nil, nil}, {"a", "a"}, {1e12 + 1e-4, 1e12}}
	for _, p := range same {
		assert.True(t, equalValues(p[0], p[1]), "%#v = %#v", p[0], p[1])
	}
	differ := [][2]any{{int64(1), int64(2)}, {int64(1), "1"}, {nil, int64(0)}, {nil, ""}, {"a", "A"}, {1.0, 1.001}}
	for _, p := range differ {
		assert.False(t, equalValues(p[0], p[1]), "%#v <> %#v", p[0], p[1])
	}

	a := [][]any{{int64(1), "x"}, {int64(2), nil}, {int64(2), nil}}
	b := [][]any{{int64(2), nil}, {float64(1), "x"}, {int64(2), nil}}
	assert.True(t, sameRows(a, b, false), "multisets")
	assert.False(t, sameRows(a, b, true), "order")
	assert.False(t, sameRows(a, b[:2], false), "a missing duplicate")
	assert.False(t, sameRows(a, [][]any{{int64(1), "x"}, {int64(2), nil}, {int64(3), nil}}, false))
	assert.Equal(t, [][]any{{int64(2), nil}}, onlyIn(a, [][]any{{int64(1), "x"}, {int64(2), nil}}))

	for q, want := range map[string]bool{
		"SELECT id FROM users":                                        false,
		"SELECT id FROM users ORDER BY id":                            true,
		"SELECT id FROM (SELECT id FROM users ORDER BY id LIMIT 2) d": false,
		"SELECT id FROM users UNION SELECT id FROM posts ORDER BY 1":  true,
	} {
		got, err := ordered(q)
		require.NoError(t, err, q)
		assert.Equal(t, want, got, q)
	}
}
