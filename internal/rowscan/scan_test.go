package rowscan

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// parseFloat gives ParseFloat's value, bit for bit, for every JSON number.
func FuzzParseFloat(f *testing.F) {
	for _, s := range []string{"0", "-0", "1.5", "-0.0", "123456789012345", "1234567890123456", "0.1", "0.000000000000001",
		"9007199254740993", "1e3", "1E-7", "-2.5e+300", "1e400", "3.14159265358979", "99999999999999.9", "0.30000000000000004"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x := &pageScan{s: s}
		if end, ok := x.number(0); !ok || end != len(s) {
			return
		}
		want, _ := strconv.ParseFloat(s, 64)
		got := parseFloat(s)
		require.Equal(t, math.Float64bits(want), math.Float64bits(got), s)
	})
}

// parseRFC3339 reads what it accepts exactly as time.Parse does: the same
// instant, the same location, the same zone name and offset.
func FuzzParseRFC3339(f *testing.F) {
	for _, s := range []string{"2024-03-01T10:20:30Z", "2024-03-01T10:20:30.5+02:00", "2024-02-29T23:59:59.123456789-05:30",
		"2023-02-29T00:00:00Z", "2024-03-01T24:00:00Z", "2024-03-01T10:20:30.1234567891Z", "0000-01-01T00:00:00+00:00",
		"2024-03-01t10:20:30Z", "2024-03-01T10:20:30+2:00", "2024-13-01T10:20:30Z", "2024-03-01T10:20:30.Z", "2024-03-01T10:20:60Z"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := parseRFC3339(s)
		if !ok {
			return
		}
		want, err := time.Parse(time.RFC3339, s)
		require.NoError(t, err, s)
		require.True(t, want.Equal(got), "%s: %v, want %v", s, got, want)
		require.Equal(t, want.Location(), got.Location(), s)
		wn, wo := want.Zone()
		gn, gotOff := got.Zone()
		require.Equal(t, []any{wn, wo}, []any{gn, gotOff}, s)
		require.Equal(t, want, got, s)
	})
}

// The scanner takes the one-pass path for the shapes APIs return, and
// leaves the rest to the general way (which explains what is wrong).
func TestScanPageShapes(t *testing.T) {
	cols := []*catalog.Column{{Name: "id", Type: "int"}, {Name: "city", Path: "a.city"}}
	tests := []struct {
		name, body, rows string
		ok               bool
		n                int
		want             []any
	}{
		{"array body", `[{"id":1,"a":{"city":"x"}},{"id":2}]`, "", true, 2, []any{int64(1), "x", int64(2), nil}},
		{"white space everywhere", " [ { \"id\" : 1 , \"a\" : { \"city\" : \"x\" } } ]\n", "", true, 1, []any{int64(1), "x"}},
		{"rows under a key", `{"meta":{"n":1},"data":[{"id":7}]}`, "data", true, 1, []any{int64(7), nil}},
		{"nested rows path", `{"r":{"items":[{"id":7}]}}`, "r.items", true, 1, []any{int64(7), nil}},
		{"one object", `{"data":{"id":3}}`, "data", true, 1, []any{int64(3), nil}},
		{"null rows", `{"data":null}`, "data", true, 0, nil},
		{"missing rows", `{"other":[1]}`, "data", true, 0, nil},
		{"empty array", `[]`, "", true, 0, nil},
		{"keys in another order, unknown keys, duplicates", `[{"z":[1,{"q":2}],"a":{"city":"y","city":"no"},"id":5,"id":6}]`, "", true, 1, []any{int64(5), "y"}},
		{"a row that is not an object", `[5,{"id":1}]`, "", true, 2, []any{nil, nil, int64(1), nil}},
		{"an intermediate that is not an object", `[{"a":"str"}]`, "", true, 1, []any{nil, nil}},
		{"escaped key", `[{"i\u0064":9}]`, "", true, 1, []any{int64(9), nil}},
		// The general way decides these.
		{"rows path through an array", `{"data":[[1]]}`, "data.0", false, 0, nil},
		{"rows path with a modifier", `[{"id":1}]`, "@this", false, 0, nil},
		{"rows are a string", `{"data":"x"}`, "data", false, 0, nil},
		{"invalid JSON", `[{"id":1,}]`, "", false, 0, nil},
		{"trailing garbage", `[{"id":1}] x`, "", false, 0, nil},
		{"cut short", `[{"id":1},{"id":`, "", false, 0, nil},
		{"control character in a string", "[{\"a\":{\"city\":\"a\tb\"}}]", "", false, 0, nil},
		{"bad escape", `[{"a":{"city":"\x"}}]`, "", false, 0, nil},
		{"leading zero", `[{"id":01}]`, "", false, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := New("T", false, cols)
			pg, ok := e.ScanPage(e.Compile(tt.rows, nil), tt.body, 0)
			require.Equal(t, tt.ok, ok)
			if !ok {
				return
			}
			assert.Equal(t, tt.n, pg.N)
			if tt.want != nil {
				assert.Equal(t, tt.want, pg.Vals)
			}
		})
	}
}

// A strict table's first value that does not fit is reported at its row;
// the rows before it are read.
func TestScanPageStrict(t *testing.T) {
	e := New("T", true, []*catalog.Column{{Name: "id", Type: "int"}})
	pg, ok := e.ScanPage(e.Compile("", nil), `[{"id":1},{"id":"x"},{"id":true}]`, 0)
	require.True(t, ok)
	assert.Equal(t, 3, pg.N)
	assert.Equal(t, 1, pg.Bad)
	assert.EqualError(t, pg.BadErr.At("T", 12), `restsource: table T: row 12: column id (int): value "x" does not fit`)
}

// The pagination's body paths are answered from the values kept while the
// rows were read, as gjson would answer them from the body.
func TestScanPageBodyValues(t *testing.T) {
	e := New("T", false, []*catalog.Column{{Name: "id", Type: "int"}})
	prog := e.Compile("data", []string{"meta.total", "next", "data.#", "missing"})
	pg, ok := e.ScanPage(prog, `{"data":[{"id":1}],"meta":{"total":40},"next":"abc","meta":{"total":1}}`, 0)
	require.True(t, ok)
	require.NotNil(t, pg.Values)
	v, known := pg.Values.Get("meta.total")
	assert.True(t, known)
	assert.Equal(t, int64(40), v.Int(), "the first of duplicate keys")
	v, known = pg.Values.Get("next")
	assert.True(t, known)
	assert.Equal(t, "abc", v.String())
	_, known = pg.Values.Get("data.#")
	assert.False(t, known, "not a plain path: gjson reads the body")
	v, known = pg.Values.Get("missing")
	assert.True(t, known)
	assert.False(t, v.Exists())
}

// Repeated values of a string column come from the page's cache: the same
// values as without it, escapes included; a column of distinct values
// turns its cache off and still reads every value.
func TestScanPageRepeatedStrings(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	var want []any
	for i := range 600 {
		if i > 0 {
			b.WriteString(",")
		}
		city := []string{`Oslo`, `K\u00f8benhavn`, `quoted\"x`}[i%3]
		fmt.Fprintf(&b, `{"city":"%s","name":"n%d"}`, city, i)
		want = append(want, []string{"Oslo", "København", `quoted"x`}[i%3], fmt.Sprintf("n%d", i))
	}
	b.WriteString("]")
	e := New("T", false, []*catalog.Column{{Name: "city"}, {Name: "name"}})
	pg, ok := e.ScanPage(e.Compile("", nil), b.String(), 0)
	require.True(t, ok)
	require.Equal(t, 600, pg.N)
	assert.Equal(t, want, pg.Vals)
}

// The string cache answers a value it has seen, misses what it has not,
// and turns itself off when a column's values rarely repeat.
func TestStrCache(t *testing.T) {
	var c strCache
	_, slot, ok := c.get(`"a"`)
	assert.False(t, ok)
	c.put(slot, `"a"`, "a")
	v, _, ok := c.get(`"a"`)
	require.True(t, ok)
	assert.Equal(t, "a", v)
	_, _, ok = c.get(`"b"`)
	assert.False(t, ok, "another value is not the cached one")
	long := `"` + strings.Repeat("x", 70) + `"`
	_, slot, _ = c.get(long)
	assert.Equal(t, -1, slot, "long values are not cached")
	c.put(slot, long, "x")
	_, _, ok = c.get(long)
	assert.False(t, ok, "long values are not cached")

	// Values that share their first and last bytes and their length are
	// told apart by their text.
	c = strCache{}
	x1, x2 := `"abcdefgh-1-ijklmnop"`, `"abcdefgh-2-ijklmnop"`
	_, s1, _ := c.get(x1)
	c.put(s1, x1, "one")
	v, _, ok = c.get(x2)
	assert.False(t, ok, "%v", v)
	v, _, ok = c.get(x1)
	require.True(t, ok)
	assert.Equal(t, "one", v)

	// Two values of one set are both kept; a third pushes out the older.
	c = strCache{}
	var same []string
	for i := 0; len(same) < 3; i++ {
		if raw := fmt.Sprintf(`"value %d"`, i); strSlot(raw) == strSlot(`"value 0"`) {
			same = append(same, raw)
		}
	}
	for _, raw := range same[:2] {
		_, set, _ := c.get(raw)
		c.put(set, raw, raw)
	}
	for k := range 3 { // alternating, as rows do: no miss
		for _, raw := range same[:2] {
			v, _, ok := c.get(raw)
			require.True(t, ok, "%s, round %d", raw, k)
			assert.Equal(t, raw, v)
		}
	}
	_, set, _ := c.get(same[2])
	c.put(set, same[2], same[2])
	_, _, ok = c.get(same[0])
	assert.False(t, ok, "the oldest of three in one set is gone")
	for _, raw := range same[1:] {
		_, _, ok := c.get(raw)
		assert.True(t, ok, raw)
	}

	// A column of a few distinct values (cities) keeps them all.
	c = strCache{}
	cities := []string{`"Lisbon"`, `"Z\u00fcrich"`, `"S\u00e3o Paulo"`, `"Osaka"`, `"Nairobi"`, `"Montr\u00e9al"`, `"Oslo"`, `"Reykjav\u00edk"`, `"Zürich"`}
	for _, raw := range cities {
		_, slot, _ := c.get(raw)
		c.put(slot, raw, raw)
	}
	hit := 0
	for _, raw := range cities {
		if v, _, ok := c.get(raw); ok && v == raw {
			hit++
		}
	}
	assert.Equal(t, len(cities), hit, "nine values: no set holds three")

	var d strCache
	for i := range 300 {
		raw := fmt.Sprintf(`"v%d"`, i)
		_, slot, _ := d.get(raw)
		d.put(slot, raw, raw)
	}
	assert.True(t, d.off, "300 distinct values: off")
	_, _, ok = d.get(`"v299"`)
	assert.False(t, ok)
}

// A page's string arena starts as large as the last page's strings needed
// for a body of its size (and a little more), not a whole chunk: a small
// page does not allocate 16 KiB for a few hundred bytes of strings. The
// values stay right whatever the arena's chunks.
func TestScanPageArena(t *testing.T) {
	page := func(n int) (string, []any) {
		var b strings.Builder
		var want []any
		b.WriteString("[")
		for i := range n {
			if i > 0 {
				b.WriteString(",")
			}
			name := fmt.Sprintf("name-%06d", i) // distinct: no cache, each kept
			fmt.Fprintf(&b, `{"id":%d,"name":%q}`, i, name)
			want = append(want, name)
		}
		b.WriteString("]")
		return b.String(), want
	}
	e := New("T", false, []*catalog.Column{{Name: "name"}})
	prog := e.Compile("", nil)
	assert.Zero(t, e.arenaRate.Load(), "no page yet")

	big, want := page(1000)
	pg, ok := e.ScanPage(prog, big, 0)
	require.True(t, ok)
	require.Equal(t, want, pg.Vals)
	used := 1000 * len("name-000000")
	assert.Equal(t, uint32(uint64(used)<<16/uint64(len(big))), e.arenaRate.Load(), "strings per body byte, in 1/65536")

	small, want := page(40)
	x := &pageScan{s: small, e: e}
	x.grow(11)
	first := cap(x.arena)
	assert.Equal(t, int(uint64(e.arenaRate.Load())*uint64(len(small))>>16)+arenaSlack, first)
	assert.Less(t, first, arenaChunk/4)
	x.arena = x.arena[:first]
	x.grow(11)
	assert.Equal(t, arenaChunk, cap(x.arena), "later chunks are whole")
	assert.Equal(t, first, x.arenaFull)

	// More strings than the last page had per byte: the first chunk
	// fills, and the values are still right.
	pg, ok = e.ScanPage(prog, small, 0)
	require.True(t, ok)
	require.Equal(t, want, pg.Vals)
	e.arenaRate.Store(1) // a first chunk of arenaSlack bytes: 100 names overflow it
	mid, want := page(100)
	pg, ok = e.ScanPage(prog, mid, 0)
	require.True(t, ok)
	require.Equal(t, want, pg.Vals)
	assert.Equal(t, uint32(uint64(100*len("name-000000"))<<16/uint64(len(mid))), e.arenaRate.Load(), "every chunk counted")
}
