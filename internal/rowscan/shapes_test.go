package rowscan

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
)

// shapedPage reads a body the way restsource does for a shaped table.
func shapedPage(t *testing.T, e *Extractor, body, rowsPath string, h *Header) (Page, error) {
	t.Helper()
	_, ok := e.ScanPage(e.Compile(rowsPath, nil), body, 0)
	require.False(t, ok, "the scanner declines shaped tables")
	require.NoError(t, CheckJSON(body))
	rows, err := FindRows(body, rowsPath)
	require.NoError(t, err)
	return e.ExtractShaped(rows, h)
}

func TestExtractChildRows(t *testing.T) {
	cols := []*catalog.Column{
		{Name: "order_id", Path: "^.id", Type: catalog.TypeInt},
		{Name: "sku", Path: "sku"},
		{Name: "qty", Path: "quantity", Type: catalog.TypeInt},
		{Name: "email", Path: "^.customer.email"},
	}
	// Shopify's orders.json: line_items inside each order; one order
	// without line items, one whose line_items is null, one without it.
	body := `{"orders":[
	  {"id":1,"customer":{"email":"a@x"},"line_items":[{"sku":"A","quantity":2},{"sku":"B","quantity":1}]},
	  {"id":2,"customer":{"email":"b@x"},"line_items":[]},
	  {"id":3,"line_items":null},
	  {"id":4},
	  {"id":5,"customer":{"email":"e@x"},"line_items":{"sku":"E","quantity":"7"}}
	]}`
	for _, tc := range []struct {
		keepEmpty bool
		want      []any
	}{
		{false, []any{
			int64(1), "A", int64(2), "a@x",
			int64(1), "B", int64(1), "a@x",
			int64(5), "E", int64(7), "e@x",
		}},
		{true, []any{
			int64(1), "A", int64(2), "a@x",
			int64(1), "B", int64(1), "a@x",
			int64(2), nil, nil, "b@x",
			int64(3), nil, nil, nil,
			int64(4), nil, nil, nil,
			int64(5), "E", int64(7), "e@x",
		}},
	} {
		e := NewShaped("T", false, cols, Shape{Each: "line_items", KeepEmpty: tc.keepEmpty})
		require.True(t, e.Shaped())
		pg, err := shapedPage(t, e, body, "orders", nil)
		require.NoError(t, err)
		assert.Equal(t, tc.want, pg.Vals, "keepEmpty %v", tc.keepEmpty)
		assert.Equal(t, len(tc.want)/len(cols), pg.N)
		assert.Equal(t, 5, pg.Outer, "the pagination counts the orders")
		assert.Equal(t, -1, pg.Bad)
	}
}

func TestExtractNestedChildRows(t *testing.T) {
	cols := []*catalog.Column{
		{Name: "rate", Path: "rate", Type: catalog.TypeFloat},
		{Name: "line_id", Path: "^.id", Type: catalog.TypeInt},
		{Name: "order_id", Path: "^.^.id", Type: catalog.TypeInt},
		{Name: "title", Path: "title"},
	}
	// Shopify: each order's line_items, each with its tax_lines.
	body := `{"orders":[
	  {"id":1,"line_items":[
	    {"id":11,"tax_lines":[{"title":"GST","rate":0.05},{"title":"PST","rate":0.07}]},
	    {"id":12,"tax_lines":[]},
	    {"id":13,"tax_lines":[{"title":"GST","rate":0.05}]}]},
	  {"id":2,"line_items":[]},
	  {"id":3,"line_items":[{"id":31,"tax_lines":[{"title":"VAT","rate":"x"}]}]}]}`
	e := NewShaped("T", true, cols, Shape{Each: "line_items.#.tax_lines"})
	pg, err := shapedPage(t, e, body, "orders", nil)
	require.NoError(t, err)
	assert.Equal(t, []any{
		0.05, int64(11), int64(1), "GST",
		0.07, int64(11), int64(1), "PST",
		0.05, int64(13), int64(1), "GST",
		nil, int64(31), int64(3), "VAT",
	}, pg.Vals)
	assert.Equal(t, 3, pg.Outer)
	assert.Equal(t, 3, pg.Bad)
	assert.EqualError(t, pg.BadErr.At("T", 4), `restsource: table T: row 4: column rate (float): value "x" does not fit`)

	e = NewShaped("T", false, cols, Shape{Each: "line_items.#.tax_lines", KeepEmpty: true})
	pg, err = shapedPage(t, e, body, "orders", nil)
	require.NoError(t, err)
	assert.Equal(t, []any{
		0.05, int64(11), int64(1), "GST",
		0.07, int64(11), int64(1), "PST",
		nil, int64(12), int64(1), nil,
		0.05, int64(13), int64(1), "GST",
		nil, nil, int64(2), nil,
		nil, int64(31), int64(3), "VAT",
	}, pg.Vals)
}

func TestExtractChildRowsErrors(t *testing.T) {
	cols := []*catalog.Column{
		{Name: "invoice", Path: "^.id"},
		{Name: "amount", Path: "amount", Type: catalog.TypeInt},
		{Name: "n", Path: "^.n", Type: catalog.TypeInt},
	}
	e := NewShaped("T", true, cols, Shape{Each: "lines.data"})
	// Stripe's invoices: lines is a list object whose data holds the lines.
	pg, err := shapedPage(t, e, `{"data":[
	  {"id":"in_1","n":1,"lines":{"object":"list","data":[{"amount":100},{"amount":"x"}]}},
	  {"id":"in_2","n":"bad","lines":{"object":"list","data":[{"amount":"y"}]}}]}`, "data", nil)
	require.NoError(t, err)
	assert.Equal(t, 3, pg.N)
	assert.Equal(t, 1, pg.Bad, "the second line's amount does not fit")
	assert.EqualError(t, pg.BadErr.At("T", 2), `restsource: table T: row 2: column amount (int): value "x" does not fit`)
	pg, err = shapedPage(t, e, `{"data":[{"id":"in_2","n":"bad","lines":{"data":[{"amount":"y"}]}}]}`, "data", nil)
	require.NoError(t, err)
	assert.EqualError(t, pg.BadErr.At("T", 1), `restsource: table T: row 1: column amount (int): value "y" does not fit`, "the first misfit in column order")

	_, err = shapedPage(t, e, `{"data":[{"id":"in_1","lines":{"data":[]}},{"id":"in_2","lines":{"data":"x"}}]}`, "data", nil)
	assert.EqualError(t, err, `row 2: each path "lines.data" holds no array but a JSON string`)
}

func TestExtractHeaderRows(t *testing.T) {
	cols := []*catalog.Column{
		{Name: "email", Path: "Email"},
		{Name: "age", Path: "Age", Type: catalog.TypeInt},
		{Name: "name", Path: "full name"},
	}
	e := NewShaped("T", false, cols, Shape{Header: true})
	var h Header
	// Google Sheets values.get: the first row is the header; a row with
	// empty trailing cells is shorter.
	pg, err := shapedPage(t, e, `{"range":"Sheet1!A1:C3","majorDimension":"ROWS","values":[["Full Name","Age","Email"],["Ann","31","ann@x"],["Bob"]]}`, "values", &h)
	require.NoError(t, err)
	assert.Equal(t, []any{"ann@x", int64(31), "Ann", nil, nil, "Bob"}, pg.Vals)
	assert.Equal(t, 2, pg.N)
	assert.Equal(t, 3, pg.Outer)
	// A second page of the same stream has no header.
	pg, err = shapedPage(t, e, `{"values":[["Cy","40","cy@x"]]}`, "values", &h)
	require.NoError(t, err)
	assert.Equal(t, []any{"cy@x", int64(40), "Cy"}, pg.Vals)

	// An empty sheet has no values at all.
	pg, err = shapedPage(t, e, `{"range":"Sheet1!A1:C1","majorDimension":"ROWS"}`, "values", &Header{})
	require.NoError(t, err)
	assert.Equal(t, 0, pg.N)

	_, err = shapedPage(t, e, `{"values":[["Name","Email","Email "]]}`, "values", &Header{})
	assert.EqualError(t, err, `the header row has no "Age" (column age), "full name" (column name) (header: first; it holds "Name", "Email", "Email ")`)
	_, err = shapedPage(t, e, `{"values":[{"Email":1}]}`, "values", &Header{})
	assert.EqualError(t, err, `the header row is not an array of column names (header: first) but a JSON object`)
	_, err = shapedPage(t, e, `{"values":[["Email","Age","full name"],{"a":1}]}`, "values", &Header{})
	assert.EqualError(t, err, `row 1 is not an array of cells (header: first) but a JSON object`)
}

func TestConvertFormatLists(t *testing.T) {
	c := &catalog.Column{Name: "at", Type: catalog.TypeDatetime, Format: "2006-01-02", Formats: []string{"2006-01-02", time.RFC1123Z, "unix"}}
	for _, tc := range []struct {
		json string
		want any
		fits bool
	}{
		{`"2024-03-01"`, time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC), true},
		{`"Fri, 04 Sep 2015 22:54:41 +0000"`, time.Date(2015, 9, 4, 22, 54, 41, 0, time.UTC), true},
		{`1700000000`, time.Unix(1700000000, 0).UTC(), true},
		{`"03/01/2024"`, nil, false},
	} {
		got, ok := Convert(c, gjson.Parse(tc.json))
		assert.Equal(t, tc.fits, ok, tc.json)
		if tc.want != nil {
			require.IsType(t, time.Time{}, got, tc.json)
			assert.True(t, tc.want.(time.Time).Equal(got.(time.Time)), "%s: got %v", tc.json, got)
		} else {
			assert.Nil(t, got, tc.json)
		}
	}
	// rfc1123z reads RFC 2822 dates as mail headers write them.
	r := &catalog.Column{Name: "at", Type: catalog.TypeDatetime, Format: time.RFC1123Z}
	want := time.Date(2015, 9, 4, 22, 54, 41, 0, time.UTC)
	for _, s := range []string{
		`"Fri, 04 Sep 2015 22:54:41 +0000"`,
		`"Fri, 4 Sep 2015 22:54:41 +0000"`,
		`"04 Sep 2015 22:54:41 +0000"`,
		`"Fri, 04 Sep 2015 22:54:41 GMT"`,
		`"Fri, 04 Sep 2015 23:54:41 +0100"`,
	} {
		got, ok := Convert(r, gjson.Parse(s))
		require.True(t, ok, s)
		assert.True(t, want.Equal(got.(time.Time)), "%s: got %v", s, got)
	}
	_, ok := Convert(r, gjson.Parse(`"2015-09-04T22:54:41Z"`))
	assert.False(t, ok)
}

// FuzzExtractShaped: for any body, child rows and header rows are read
// without a panic, with one value per column per row, and child rows
// agree with the general way: each one's ^. values are its enclosing
// row's, its element values those of the element read as a row.
func FuzzExtractShaped(f *testing.F) {
	f.Add(`{"orders":[{"id":1,"items":[{"v":1},{"v":"x"}]},{"id":2,"items":[]},{"id":3},{"id":4,"items":{"v":2}}]}`, "items", true)
	f.Add(`{"orders":[{"id":1,"items":[1,[2],null,"s"]}]}`, "items.#.v", false)
	f.Add(`{"orders":[["id","v"],[1,2],[3],[]]}`, "", true)
	f.Add(`{"orders":{"id":1,"items":"x"}}`, "items", false)
	f.Fuzz(func(t *testing.T, body, each string, keepEmpty bool) {
		if CheckJSON(body) != nil {
			return
		}
		rows, err := FindRows(body, "orders")
		if err != nil {
			return
		}
		cols := []*catalog.Column{
			{Name: "id", Path: "^.id", Type: catalog.TypeInt},
			{Name: "v", Path: "v", Type: catalog.TypeString},
			{Name: "w", Path: "^.items", Type: catalog.TypeJSON},
			{Name: "n", Path: "v", Type: catalog.TypeInt},
		}
		if each != "" && !strings.HasPrefix(each, "^.") && !strings.Contains(each, catalog.LevelSep) {
			e := NewShaped("T", false, cols, Shape{Each: each, KeepEmpty: keepEmpty})
			pg, err := e.ExtractShaped(rows, nil)
			if err == nil {
				require.Equal(t, pg.N*len(cols), len(pg.Vals))
				require.Equal(t, len(rows), pg.Outer)
				parent := New("T", false, []*catalog.Column{{Name: "id", Path: "id", Type: catalog.TypeInt}, {Name: "w", Path: "items", Type: catalog.TypeJSON}})
				child := New("T", false, []*catalog.Column{cols[1], cols[3]})
				i := 0
				for _, row := range rows {
					v := row.Get(each)
					var elems []gjson.Result
					switch {
					case v.IsArray():
						elems = v.Array()
					case v.IsObject():
						elems = []gjson.Result{v}
					}
					pv := make([]any, 2)
					parent.ExtractRow(row, pv, make([]gjson.Result, parent.nslots))
					if len(elems) == 0 && keepEmpty {
						require.Equal(t, []any{pv[0], nil, pv[1], nil}, pg.Vals[i*4:i*4+4])
						i++
					}
					for _, el := range elems {
						cv := make([]any, 2)
						child.ExtractRow(el, cv, make([]gjson.Result, child.nslots))
						require.Equal(t, []any{pv[0], cv[0], pv[1], cv[1]}, pg.Vals[i*4:i*4+4])
						i++
					}
				}
				require.Equal(t, pg.N, i)
			}
		}
		hcols := []*catalog.Column{{Name: "a", Path: "id"}, {Name: "b", Path: "v", Type: catalog.TypeInt}}
		h := NewShaped("T", true, hcols, Shape{Header: true})
		var hdr Header
		pg, err := h.ExtractShaped(rows, &hdr)
		if err == nil {
			require.Equal(t, pg.N*len(hcols), len(pg.Vals))
		}
	})
}
