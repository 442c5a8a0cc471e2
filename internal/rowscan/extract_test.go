package rowscan

import (
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
)

var convertTests = []struct {
	typ, format string
	json        string // the value of field "v" ("" = missing)
	want        any    // nil = NULL
	fits        bool
}{
	// string
	{"string", "", `"hi"`, "hi", true},
	{"", "", `"défaut"`, "défaut", true},
	{"string", "", `5`, "5", true},
	{"string", "", `1.50`, "1.50", true},
	{"string", "", `true`, "true", true},
	{"string", "", `{"a": [1]}`, `{"a": [1]}`, true},
	{"string", "", `[1,2]`, `[1,2]`, true},
	{"string", "", `"a\"b\u00e9"`, `a"bé`, true},
	{"string", "", `null`, nil, true},
	{"string", "", ``, nil, true},
	// int
	{"int", "", `42`, int64(42), true},
	{"INT", "", `-7`, int64(-7), true},
	{"int", "", `3.0`, int64(3), true},
	{"int", "", `1e3`, int64(1000), true},
	{"int", "", `"42"`, int64(42), true},
	{"int", "", `" 42 "`, int64(42), true},
	{"int", "", `9223372036854775807`, int64(9223372036854775807), true},
	{"int", "", `9223372036854775808`, nil, false},
	{"int", "", `1e300`, nil, false},
	{"int", "", `3.5`, nil, false},
	{"int", "", `"abc"`, nil, false},
	{"int", "", `true`, nil, false},
	{"int", "", `{}`, nil, false},
	{"int", "", `null`, nil, true},
	{"int", "", ``, nil, true},
	// float
	{"float", "", `1.5`, 1.5, true},
	{"float", "", `2`, 2.0, true},
	{"float", "", `-1e-3`, -0.001, true},
	{"float", "", `"2.25"`, 2.25, true},
	{"float", "", `"NaN"`, nil, false},
	{"float", "", `"Inf"`, nil, false},
	{"float", "", `"x"`, nil, false},
	{"float", "", `false`, nil, false},
	{"float", "", `[1]`, nil, false},
	// bool
	{"bool", "", `true`, true, true},
	{"bool", "", `false`, false, true},
	{"bool", "", `"true"`, true, true},
	{"bool", "", `"FALSE"`, false, true},
	{"bool", "", `"yes"`, nil, false},
	{"bool", "", `1`, nil, false},
	{"bool", "", `null`, nil, true},
	// datetime
	{"datetime", "", `"2024-03-01T10:20:30Z"`, time.Date(2024, 3, 1, 10, 20, 30, 0, time.UTC), true},
	{"datetime", "", `"2024-03-01T10:20:30.123456789+02:00"`, time.Date(2024, 3, 1, 10, 20, 30, 123456789, time.FixedZone("", 7200)), true},
	{"datetime", "", `"2024-03-01"`, nil, false},
	{"datetime", "", `1700000000`, nil, false},
	{"datetime", "", `true`, nil, false},
	{"datetime", "2006-01-02 15:04:05.000Z07:00", `"2024-03-01 10:20:30.500Z"`, time.Date(2024, 3, 1, 10, 20, 30, 500000000, time.UTC), true},
	{"datetime", "2006-01-02", `"2024-03-01"`, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), true},
	{"datetime", "2006-01-02", `"03/01/2024"`, nil, false},
	{"datetime", "20060102", `20240301`, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), true},
	{"datetime", "unix", `1700000000`, time.Unix(1700000000, 0).UTC(), true},
	{"datetime", "unix", `1700000000.25`, time.Unix(1700000000, 250000000).UTC(), true},
	{"datetime", "unix", `"1700000000"`, time.Unix(1700000000, 0).UTC(), true},
	{"datetime", "unix", `1e300`, nil, false},
	{"datetime", "unix", `"soon"`, nil, false},
	{"datetime", "UNIXMS", `1700000000123`, time.UnixMilli(1700000000123).UTC(), true},
	{"datetime", "unixms", `1700000000123.0`, time.UnixMilli(1700000000123).UTC(), true},
	{"datetime", "unixms", `-1000`, time.Unix(-1, 0).UTC(), true},
	{"datetime", "unixms", `9000000000000000000`, nil, false},
	{"datetime", "unix", `null`, nil, true},
	// json
	{"json", "", `{"a":1}`, `{"a":1}`, true},
	{"json", "", `[1, 2]`, `[1,2]`, true}, // compacted: the same text whether the API pretty-prints or not
	{"json", "", `"s"`, `"s"`, true},
	{"json", "", `12`, `12`, true},
	{"json", "", `false`, `false`, true},
	{"json", "", `null`, nil, true},
	{"json", "", ``, nil, true},
}

func TestConvert(t *testing.T) {
	for _, tt := range convertTests {
		t.Run(tt.typ+" "+tt.format+" "+tt.json, func(t *testing.T) {
			row := `{"v":` + tt.json + `}`
			if tt.json == "" {
				row = `{"w":1}`
			}
			col := &catalog.Column{Name: "v", Type: catalog.Type(tt.typ), Format: tt.format}
			for _, strict := range []bool{false, true} {
				e := New("T", strict, []*catalog.Column{col})
				dest, err := extractOne(t, e, row, 9)
				if !tt.fits && strict {
					require.Error(t, err)
					assert.Contains(t, err.Error(), "restsource: table T: row 9: column v (")
					assert.Contains(t, err.Error(), "value "+tt.json+" does not fit")
					continue
				}
				require.NoError(t, err)
				assert.Equal(t, tt.want, dest[0])
			}
		})
	}
}

func TestExtractPaths(t *testing.T) {
	cols := []*catalog.Column{
		{Name: "id", Type: "int"},
		{Name: "city", Path: "author.address.city"},
		{Name: "zip", Path: "author.address.zip", Type: "int"},
		{Name: "author", Type: "json"},
		{Name: "first_tag", Path: "tags.0"},
		{Name: "tag_count", Path: "tags.#", Type: "int"},
		{Name: "names", Path: "friends.#.name", Type: "json"},
		{Name: "dotted", Path: `a\.b`},
		{Name: "wild", Path: "ti*e"},
		{Name: "missing", Path: "nope.deeper"},
		{Name: "Name.With.Dots"},
		{Name: "whole", Path: "@this", Type: "json"},
	}
	e := New("T", false, cols)
	row := `{"id":1,"title":"t","a.b":"dot","author":{"address":{"city":"Oslo","zip":"0150"}},"tags":["x","y"],` +
		`"friends":[{"name":"a"},{"name":"b"}],"Name":{"With":{"Dots":"deep"}},"id":2}`
	dest, err := extractOne(t, e, row, 1)
	require.NoError(t, err)
	assert.Equal(t, []any{
		int64(1), "Oslo", int64(150), `{"address":{"city":"Oslo","zip":"0150"}}`, "x", int64(2), `["a","b"]`, "dot", "t", nil, "deep", row,
	}, dest)

	// Rows that are not objects give NULLs, but index paths still work on arrays.
	for _, r := range []string{`5`, `"s"`, `null`, `[7,8]`} {
		dest, err := extractOne(t, e, r, 1)
		require.NoError(t, err)
		assert.Nil(t, dest[0], r)
		assert.Nil(t, dest[1], r)
		if r == "null" {
			assert.Nil(t, dest[11])
		} else {
			assert.Equal(t, r, dest[11], r)
		}
	}
}

func TestFindRows(t *testing.T) {
	tests := []struct {
		body, path string
		n          int
		err        string
	}{
		{`[{"a":1},{"a":2}]`, "", 2, ""},
		{` [] `, "", 0, ""},
		{`{"a":1}`, "", 1, ""},
		{`null`, "", 0, ""},
		{`{"data":{"items":[1,2,3]}}`, "data.items", 3, ""},
		{`{"data":{"a":1}}`, "data", 1, ""},
		{`{"data":null}`, "data", 0, ""},
		{`{}`, "data", 0, ""},
		{`[1]`, "data", 0, ""},
		{`{"data":"x"}`, "data", 0, `rows path "data" holds a string, not an array of rows or an object`},
		{`{"data":true}`, "data", 0, `rows path "data" holds a boolean, not an array of rows or an object`},
		{`12`, "", 0, `the body is a number, not an array of rows or an object`},
	}
	for _, tt := range tests {
		rows, err := FindRows(tt.body, tt.path)
		if tt.err != "" {
			require.EqualError(t, err, tt.err, tt.body)
			continue
		}
		require.NoError(t, err, tt.body)
		assert.Len(t, rows, tt.n, tt.body)
	}
}

func TestCheckJSON(t *testing.T) {
	deep := strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1)
	err := CheckJSON(deep)
	require.ErrorIs(t, err, errNotJSON)
	assert.EqualError(t, err, "response is not valid JSON: it nests deeper than 10000 levels")
	ok := strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth)
	require.NoError(t, CheckJSON(ok))
	// Brackets inside strings do not count.
	require.NoError(t, CheckJSON(`["`+strings.Repeat("[", maxDepth+1)+`\"{"]`))
	require.ErrorIs(t, CheckJSON(`{"a":`), errNotJSON)
	require.ErrorIs(t, CheckJSON(`[1,]`), errNotJSON)
}

func TestSplitPlainPath(t *testing.T) {
	tests := []struct {
		path, top, rest string
		ok              bool
	}{
		{"a", "a", "", true},
		{"a.b.c", "a", "b.c", true},
		{"tags.0", "tags", "0", true},
		{"", "", "", false},
		{"a.", "", "", false},
		{".a", "", "", false},
		{"a..b", "", "", false},
		{"a.#", "", "", false},
		{`a\.b`, "", "", false},
		{"@this", "", "", false},
		{"a|b", "", "", false},
	}
	for _, tt := range tests {
		top, rest, ok := splitPlainPath(tt.path)
		assert.Equal(t, tt.ok, ok, tt.path)
		assert.Equal(t, tt.top, top, tt.path)
		assert.Equal(t, tt.rest, rest, tt.path)
	}
}

// FuzzExtract feeds arbitrary bodies and rows paths through page parsing and
// row extraction with every column type: nothing may panic.
func FuzzExtract(f *testing.F) {
	for _, tt := range convertTests {
		f.Add(`[{"v":`+tt.json+`,"a":{"b":`+tt.json+`}}]`, "")
	}
	f.Add(`{"data":{"items":[{"v":1},{"v":"x"},5,null,[1]]}}`, "data.items")
	f.Add(`{"data":"x"}`, "data")
	f.Add(`[{"v":1,"v":2,"a":{"b":{"c":[1,{"d":2}]}}}]`, "@this")
	f.Add(`{"v":"2024-01-01T00:00:00Z"}`, "")
	f.Add(`[{"v":"a\\u00e9\\ud83d\\ude00\\ud800x\\udc00\\ud800\\u0041\\n\\/\\","a":{"b":"\\ud83d\\ude00"}}]`, "")
	f.Add(`{"data":[{"v":1}],"total":"7","meta":{"total":3},"next":{"url":null},"total":9}`, "data")
	f.Add(`{"meta":{"total":3},"data":{"items":[{"a":{"b":[1,{"c":2}]}}]},"v":[1,2]}`, "data.items")
	f.Fuzz(fuzzExtractOne)
}

func fuzzExtractOne(t *testing.T, body, rowsPath string) {
	var cols []*catalog.Column
	for _, typ := range []string{"string", "int", "float", "bool", "datetime", "json"} {
		for _, path := range []string{"v", "a.b", "a.b.c.1.d", "a.#", "0", "@this", "a"} {
			for _, format := range []string{"", "unix", "unixms", "2006-01-02"} {
				if typ != "datetime" && format != "" {
					continue
				}
				cols = append(cols, &catalog.Column{Name: typ + path, Path: path, Type: catalog.Type(typ), Format: format})
			}
		}
	}
	for _, strict := range []bool{false, true} {
		e := New("T", strict, cols)
		general, gerr := generalPage(e, body, rowsPath)
		bodyPaths := []string{"total", "meta.total", "data", "next.url", "v", rowsPath}
		// The scanner reads a copy of the body that is overwritten once
		// the body values are checked, as a reused buffer would be: no
		// value may share its bytes.
		buf := []byte(body)
		fast, ok := e.ScanPage(e.Compile(rowsPath, bodyPaths), unsafe.String(unsafe.SliceData(buf), len(buf)), 0)
		if ok && fast.Values != nil {
			// The values kept for the pagination are what gjson finds.
			for _, p := range bodyPaths {
				got, known := fast.Values.Get(p)
				if !known {
					continue
				}
				want := gjson.Get(body, p)
				require.Equal(t, []any{want.Type, want.Raw, want.Str, want.Num}, []any{got.Type, got.Raw, got.Str, got.Num}, "path %q of %s", p, body)
			}
		}
		for i := range buf {
			buf[i] = 'X'
		}
		if ok {
			require.True(t, fast.Detached)
			// The scanner accepts only what the general way accepts, and
			// reads the same values.
			require.True(t, gjson.Valid(body), "the scanner accepted invalid JSON %q", body)
			require.NoError(t, gerr, "the scanner accepted %q", body)
			require.Equal(t, general.N, fast.N, body)
			require.Equal(t, general.Bad, fast.Bad, body)
			if fast.Bad >= 0 {
				require.Equal(t, general.BadErr.At("T", 1).Error(), fast.BadErr.At("T", 1).Error())
			}
			if len(general.Vals)+len(fast.Vals) > 0 {
				require.Equal(t, general.Vals, fast.Vals, body)
			}
			// Again with a string arena sized for a page with almost no
			// strings (as after such a page): its chunks overflow, and the
			// values are the same.
			e.arenaRate.Store(1)
			again, ok := e.ScanPage(e.Compile(rowsPath, bodyPaths), body, 0)
			require.True(t, ok, body)
			require.Equal(t, fast.Vals, again.Vals, body)
		}
		if gerr != nil || strict {
			continue
		}
		for j, v := range general.Vals {
			switch v.(type) {
			case nil, int64, float64, bool, string, time.Time:
			default:
				t.Fatalf("column %s: unexpected %T", cols[j%len(cols)].Name, v)
			}
		}
	}
}

// generalPage reads a page the general way: CheckJSON, FindRows and
// ExtractRow, as Source.parse does when the scanner cannot.
func generalPage(e *Extractor, body, rowsPath string) (Page, error) {
	if err := CheckJSON(body); err != nil {
		return Page{}, err
	}
	rows, err := FindRows(body, rowsPath)
	if err != nil {
		return Page{}, err
	}
	pg := Page{N: len(rows), Bad: -1}
	if len(e.cols) == 0 {
		return pg, nil
	}
	pg.Vals = make([]any, len(rows)*len(e.cols))
	slots := make([]gjson.Result, e.nslots)
	for i, r := range rows {
		if fe := e.ExtractRow(r, pg.Vals[i*len(e.cols):(i+1)*len(e.cols)], slots); fe != nil && pg.Bad < 0 {
			pg.Bad, pg.BadErr = i, fe
		}
	}
	return pg, nil
}

// extractOne extracts one row both ways, the general extractor and the
// one-pass scanner reading a page of that row, checks that they agree and
// returns the values, or the error of a value that does not fit (as row
// rowNum).
func extractOne(t *testing.T, e *Extractor, row string, rowNum int64) ([]any, error) {
	t.Helper()
	body := "[" + row + "]"
	general, err := generalPage(e, body, "")
	require.NoError(t, err)
	fast, ok := e.ScanPage(e.Compile("", nil), body, 1)
	require.True(t, ok, "the scanner could not read %s", body)
	require.Equal(t, general.N, fast.N)
	require.Equal(t, general.Bad, fast.Bad)
	require.Equal(t, general.Vals, fast.Vals)
	if fast.Bad >= 0 {
		return nil, fast.BadErr.At(e.table, rowNum)
	}
	return fast.Vals, nil
}
