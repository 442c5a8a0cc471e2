package rowscan

import (
	"reflect"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A boxed value behaves as any(v) in every way a consumer may use it: type
// switches, assertions, equality, reflection, fmt; it survives garbage
// collection and later boxes do not change it.
func TestSlabBox(t *testing.T) {
	var ints slab[int64]
	var floats slab[float64]
	var strs slab[string]
	var times slab[time.Time]
	ints.chunk, floats.chunk, strs.chunk, times.chunk = 3, 3, 3, 3
	when := time.Date(2024, 3, 1, 10, 20, 30, 5, time.FixedZone("", 7200))
	var got, want []any
	for i := range 100 {
		got = append(got, ints.box(int64(i)*1_000_003), floats.box(float64(i)+0.5), strs.box(strconv.Itoa(i)+"xyz"), times.box(when.Add(time.Duration(i))))
		want = append(want, int64(i)*1_000_003, float64(i)+0.5, strconv.Itoa(i)+"xyz", when.Add(time.Duration(i)))
	}
	runtime.GC()
	require.Len(t, got, len(want))
	for i := range got {
		assert.Equal(t, want[i], got[i])
		assert.True(t, want[i] == got[i], "%v == %v", want[i], got[i])
		assert.Equal(t, reflect.TypeOf(want[i]), reflect.TypeOf(got[i]))
		switch v := got[i].(type) {
		case int64:
			assert.Equal(t, want[i].(int64), v)
		case float64:
			assert.Equal(t, want[i].(float64), v)
		case string:
			assert.Equal(t, want[i].(string), v)
		case time.Time:
			assert.True(t, want[i].(time.Time).Equal(v))
		default:
			t.Fatalf("unexpected %T", v)
		}
	}
	// Used as map keys (DISTINCT, GROUP BY and hash joins do).
	m := map[any]int{}
	for i, v := range got {
		m[v] = i
	}
	for i, v := range want {
		assert.Equal(t, i, m[v])
	}
}

func TestSlabBoxAllocations(t *testing.T) {
	var s slab[string]
	s.chunk = 1000
	s.box("warm")
	allocs := testing.AllocsPerRun(100, func() { _ = s.box("x") })
	assert.Less(t, allocs, 0.1)

	var ints slab[int64]
	ints.chunk = 1000
	for _, n := range []int64{0, 7, 255, 256, -1, 1 << 40} {
		v := boxInt(&ints, n)
		assert.Equal(t, n, v)
	}
	allocs = testing.AllocsPerRun(100, func() { _ = boxInt(&ints, 200) })
	assert.Zero(t, allocs, "small values need no slab either")
}
