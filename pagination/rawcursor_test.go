package pagination

import (
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// TestCursorBodyRaw: a cursorBody cursor is kept as the JSON the response
// wrote: a string quoted, a number, an array (search_after); null, "",
// false and an empty array end the walk. Without cursorBody an array is
// an error.
func TestCursorBodyRaw(t *testing.T) {
	p, err := New(catalog.Pagination{Type: catalog.PageCursor, CursorPath: "next", CursorParam: "c", CursorBody: "after"}, 0)
	require.NoError(t, err)
	u, _ := url.Parse("http://h/search")
	for _, tc := range []struct{ body, want string }{
		{`{"next": "abc"}`, `"abc"`},
		{`{"next": 20}`, `20`},
		{`{"next": [1463538857, "654323"]}`, `[1463538857, "654323"]`},
		{`{"next": {"k": 1}}`, `{"k": 1}`},
		{`{"next": null}`, ""},
		{`{"next": ""}`, ""},
		{`{"next": false}`, ""},
		{`{"next": []}`, ""},
		{`{}`, ""},
	} {
		next, err := p.Start(-1).Next(Page{URL: u, Body: tc.body, Rows: 1})
		require.NoError(t, err, tc.body)
		if tc.want == "" {
			assert.Nil(t, next, tc.body)
			continue
		}
		require.NotNil(t, next, tc.body)
		assert.Equal(t, tc.want, next.Query().Get("c"), tc.body)
	}

	plain, err := New(catalog.Pagination{Type: catalog.PageCursor, CursorPath: "next", CursorParam: "c"}, 0)
	require.NoError(t, err)
	_, err = plain.Start(-1).Next(Page{URL: u, Body: `{"next": [1]}`, Rows: 1})
	assert.EqualError(t, err, `pagination: cursor: page 1: cursorPath "next" holds a array, not a cursor`)
}
