package value

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestInt(t *testing.T) {
	tests := []struct {
		in   any
		want int64
		ok   bool
	}{
		{int64(-7), -7, true},
		{int(3), 3, true},
		{int8(-8), -8, true},
		{uint8(255), 255, true},
		{uint32(math.MaxUint32), math.MaxUint32, true},
		{uint64(math.MaxInt64), math.MaxInt64, true},
		{uint64(math.MaxInt64 + 1), 0, false},
		{uint(math.MaxUint64), 0, false},
		{3.0, 3, true},
		{float32(4), 4, true},
		{2.5, 0, false},
		// export used |x| < 2^63 and refused -2^63; the server accepted it.
		{-9223372036854775808.0, math.MinInt64, true},
		{9223372036854775808.0, 0, false}, // 2^63
		{math.NaN(), 0, false},
		{math.Inf(1), 0, false},
		{true, 1, true},
		{false, 0, true},
		{"42", 42, true},
		// export did not trim; the server did: both trim now.
		{" 42\n", 42, true},
		{"4 2", 0, false},
		{"1.0", 0, false},
		{"0x10", 0, false},
		{"", 0, false},
		{"9223372036854775808", 0, false},
		// The server refused []byte; export read it as text: both do now.
		{[]byte("17"), 17, true},
		{[]byte("x"), 0, false},
		{nil, 0, false},
		{time.Unix(1, 0), 0, false},
	}
	for _, tt := range tests {
		got, ok := Int(tt.in)
		assert.Equal(t, tt.ok, ok, "%#v", tt.in)
		assert.Equal(t, tt.want, got, "%#v", tt.in)
	}
}

func TestFloat(t *testing.T) {
	tests := []struct {
		in   any
		want float64
		ok   bool
	}{
		{2.5, 2.5, true},
		{float32(0.5), 0.5, true},
		{int64(-2), -2, true},
		{int(3), 3, true},
		{uint16(9), 9, true},
		{"1e3", 1000, true},
		{" 2.5 ", 2.5, true}, // trimmed, as the server did
		{[]byte("0.25"), 0.25, true},
		{"Inf", math.Inf(1), true},
		{"1e999", 0, false}, // out of range
		{"x", 0, false},
		{"", 0, false},
		{true, 0, false}, // neither export nor the server read a bool as a number
		{nil, 0, false},
	}
	for _, tt := range tests {
		got, ok := Float(tt.in)
		assert.Equal(t, tt.ok, ok, "%#v", tt.in)
		if tt.ok {
			assert.Equal(t, tt.want, got, "%#v", tt.in)
		}
	}
	f, ok := Float("NaN")
	assert.True(t, ok)
	assert.True(t, math.IsNaN(f))
}

func TestBool(t *testing.T) {
	tests := []struct {
		in   any
		want bool
		ok   bool
	}{
		{true, true, true},
		{int64(1), true, true},
		{int64(0), false, true},
		{int(1), true, true},
		{int64(2), false, false},
		{1.0, false, false},
		{"true", true, true},
		{" F ", false, true},
		{[]byte("1"), true, true},
		{"yes", false, false},
		{nil, false, false},
	}
	for _, tt := range tests {
		got, ok := Bool(tt.in)
		assert.Equal(t, tt.ok, ok, "%#v", tt.in)
		assert.Equal(t, tt.want, got, "%#v", tt.in)
	}
}

func TestTime(t *testing.T) {
	want := time.Date(2024, 1, 2, 3, 4, 5, 600, time.UTC)
	for _, in := range []any{want, &want, "2024-01-02T03:04:05.0000006Z", " 2024-01-02T03:04:05.0000006Z ", []byte("2024-01-02T03:04:05.0000006Z")} {
		got, ok := Time(in)
		assert.True(t, ok, "%#v", in)
		assert.True(t, want.Equal(got), "%#v: %v", in, got)
	}
	for _, in := range []any{"2024-01-02", "yesterday", int64(0), (*time.Time)(nil), nil} {
		_, ok := Time(in)
		assert.False(t, ok, "%#v", in)
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{nil, ""},
		{"a b", "a b"},
		{[]byte("raw"), "raw"},
		{int64(-3), "-3"},
		{0.1, "0.1"},
		{1e21, "1e+21"},
		{true, "true"},
		{time.Date(2024, 1, 2, 3, 4, 5, 6, time.UTC), "2024-01-02T03:04:05.000000006Z"},
		{int32(5), "5"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Text(tt.in), "%#v", tt.in)
	}
}
