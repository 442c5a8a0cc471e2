package demoapi

import (
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSString(t *testing.T) {
	tests := []struct {
		in   any
		want string
		ok   bool
	}{
		{nil, "", false},
		{"x", "x", true},
		{true, "true", true},
		{42, "42", true},
		{-1.5, "-1.5", true},
		{3.0, "3", true},
		{1e21, "1e+21", true},
		{1.5e-7, "1.5e-7", true},
		{123456789012.0, "123456789012", true},
		{[]any{1, nil, "a"}, "1,,a", true},
		{map[string]any{"a": 1}, "[object Object]", true},
	}
	for _, tt := range tests {
		got, ok := jsString(tt.in)
		assert.Equal(t, tt.ok, ok, "%#v", tt.in)
		assert.Equal(t, tt.want, got, "%#v", tt.in)
	}
}

func TestJSNumber(t *testing.T) {
	tests := []struct {
		in   string
		want float64 // NaN compares by IsNaN
	}{
		{"", 0},
		{"  12 ", 12},
		{"-1.5", -1.5},
		{".5", 0.5},
		{"5.", 5},
		{"1e3", 1000},
		{"0x10", 16},
		{"0b11", 3},
		{"Infinity", math.Inf(1)},
		{"-Infinity", math.Inf(-1)},
		{"1e400", math.Inf(1)},
		{"abc", math.NaN()},
		{"12abc", math.NaN()},
		{"1_000", math.NaN()},
		{"inf", math.NaN()},
		{"0xZZ", math.NaN()},
	}
	for _, tt := range tests {
		got := jsNumber(tt.in)
		if math.IsNaN(tt.want) {
			assert.True(t, math.IsNaN(got), "Number(%q) = %v, want NaN", tt.in, got)
			continue
		}
		assert.Equal(t, tt.want, got, "Number(%q)", tt.in)
	}
}

func TestJSParseInt(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"10", 10, true},
		{"10abc", 10, true},
		{" -3", -3, true},
		{"+7", 7, true},
		{"1.9", 1, true},
		{"", 0, false},
		{"abc", 0, false},
		{"-", 0, false},
	}
	for _, tt := range tests {
		got, ok := jsParseInt(tt.in)
		assert.Equal(t, tt.ok, ok, "parseInt(%q)", tt.in)
		assert.Equal(t, tt.want, got, "parseInt(%q)", tt.in)
	}
}

func TestJSCompare(t *testing.T) {
	tests := []struct {
		name string
		a, b any
		want int
		ok   bool
	}{
		{"numbers", 2, 10, -1, true},
		{"string against number is numeric", "10", 9, 1, true},
		{"two strings compare as text", "10", "9", -1, true},
		{"equal", "a", "a", 0, true},
		{"NaN", "abc", 1, 0, false},
		{"bool is a number", true, "1", 0, true},
		{"float", 1.5, 2, -1, true},
		{"object is a string", map[string]any{}, "[object Z]", -1, true},
		{"UTF-16 order, not byte order", "\uffff", "\U0001F600", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := jsCompare(tt.a, tt.b)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestLookup(t *testing.T) {
	row := map[string]any{
		"a":    map[string]any{"b": map[string]any{"c": 1}, "n": nil},
		"a.x":  "dotted key",
		"list": []any{"zero", map[string]any{"k": "v"}},
	}
	tests := []struct {
		path  string
		want  any
		found bool
	}{
		{"a.b.c", 1, true},
		{"a.n", nil, true},
		{"a.x", "dotted key", true},
		{"list.1.k", "v", true},
		{"list.5", nil, false},
		{"list.x", nil, false},
		{"a.b.c.d", nil, false},
		{"missing", nil, false},
	}
	for _, tt := range tests {
		got, found := lookup(row, tt.path)
		assert.Equal(t, tt.found, found, tt.path)
		assert.Equal(t, tt.want, got, tt.path)
	}
}

func TestCompareAscending(t *testing.T) {
	tests := []struct {
		name   string
		a      any
		aFound bool
		b      any
		bFound bool
		want   int
	}{
		{"values", 1, true, 2, true, -1},
		{"null after a value", nil, true, "z", true, 1},
		{"value before null", "z", true, nil, true, -1},
		{"missing after null", nil, false, nil, true, 1},
		{"both missing", nil, false, nil, false, 0},
		{"both null", nil, true, nil, true, 0},
		{"incomparable", "abc", true, 1, true, 0},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, compareAscending(tt.a, tt.aFound, tt.b, tt.bFound), tt.name)
	}
}

func TestListRowsEdgeCases(t *testing.T) {
	rows := []map[string]any{
		{"id": 1, "tags": []any{"red", "blue"}, "n": 0, "s": ""},
		{"id": 2, "tags": []any{"green"}, "n": 5, "s": "x"},
		{"id": 3},
	}
	tests := []struct {
		query string
		want  []int
	}{
		{"q=blue", []int{1}},
		{"q=0", []int{}},                        // falsy values are not searched
		{"q=1", []int{1}},                       // but the truthy id 1 is
		{"tags=red,blue", []int{1}},             // String(array)
		{"tags_like=gre", []int{2}},             // like on an array's string form
		{"n_ne=5", []int{1}},                    // missing fields never match
		{"n_gte=", []int{1, 2}},                 // Number("") is 0
		{"_sort=n&_order=desc", []int{3, 2, 1}}, // missing first in descending order
		{"_limit=abc", []int{}},                 // start + NaN
		{"_end=abc", []int{}},
		{"_start=-1&_limit=5", []int{3}}, // slice(-1, 4): from the last row
	}
	for _, tt := range tests {
		q, err := url.ParseQuery(tt.query)
		require.NoError(t, err)
		res, err := listRows(rows, q, "http://h/x?"+tt.query)
		require.NoError(t, err, tt.query)
		got := []int{}
		for _, r := range res.rows {
			got = append(got, r["id"].(int))
		}
		assert.Equal(t, tt.want, got, tt.query)
	}
}

func TestNormalize(t *testing.T) {
	req := httptest.NewRequest(http.MethodPost, "/posts", nil)
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	doc, err := decodeBody(req, []byte(`{"i": 3, "f": 2.5, "e": 1e2, "big": 12345678901234, "nested": {"a": [1, 2.0, "x"]}}`))
	require.NoError(t, err)
	assert.Equal(t, map[string]any{
		"i": 3, "f": 2.5, "e": 100, "big": 12345678901234,
		"nested": map[string]any{"a": []any{1, 2, "x"}},
	}, doc)
}
