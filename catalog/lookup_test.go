package catalog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func lookupProfile() *Profile {
	return &Profile{Catalogs: map[string]*Catalog{
		"API1": {Name: "API1", Schemas: map[string]*Schema{
			"API": {Name: "API", Tables: map[string]*Table{
				"posts": {Name: "posts", Columns: []*Column{
					{Name: "id", Key: true},
					{Name: "Title"},
					nil,
					{Name: "title"},
					{Name: "tenant", Key: true},
				}},
				"Posts": {Name: "Posts"},
				"users": nil,
			}},
		}},
		"Other": {Name: "Other"},
		"other": {Name: "other"},
		"Empty": nil,
	}}
}

func TestProfileLookups(t *testing.T) {
	p := lookupProfile()
	for _, tc := range []struct {
		name, want string
	}{
		{"API1", "API1"},
		{"api1", "API1"},
		{"Other", "Other"},
		{"other", "other"},
		{"OTHER", "Other"}, // several fold matches: the first in sorted order
		{"nope", ""},
		{"Empty", ""},
		{"", ""},
	} {
		c, ok := p.Catalog(tc.name)
		assert.Equal(t, tc.want != "", ok, tc.name)
		if tc.want != "" {
			assert.Equal(t, tc.want, c.Name, tc.name)
		} else {
			assert.Nil(t, c, tc.name)
		}
	}
	assert.Equal(t, []string{"API1", "Empty", "Other", "other"}, p.CatalogNames())

	c, _ := p.Catalog("API1")
	s, ok := c.Schema("api")
	require.True(t, ok)
	assert.Equal(t, "API", s.Name)
	_, ok = c.Schema("nope")
	assert.False(t, ok)
	assert.Equal(t, []string{"API"}, c.SchemaNames())

	tb, ok := s.Table("posts")
	require.True(t, ok)
	assert.Equal(t, "posts", tb.Name)
	tb2, ok := s.Table("Posts")
	require.True(t, ok)
	assert.Equal(t, "Posts", tb2.Name)
	tb3, ok := s.Table("POSTS")
	require.True(t, ok)
	assert.Equal(t, "Posts", tb3.Name)
	_, ok = s.Table("users")
	assert.False(t, ok, "a nil table is absent")
	assert.Equal(t, []string{"Posts", "posts", "users"}, s.TableNames())

	col, i := tb.Column("title")
	assert.Equal(t, 3, i, "exact match preferred")
	assert.Equal(t, "title", col.Name)
	col, i = tb.Column("TITLE")
	assert.Equal(t, 1, i, "first fold match")
	assert.Equal(t, "Title", col.Name)
	col, i = tb.Column("ID")
	assert.Equal(t, 0, i)
	assert.Equal(t, "id", col.Name)
	col, i = tb.Column("nope")
	assert.Nil(t, col)
	assert.Equal(t, -1, i)

	keys := tb.KeyColumns()
	require.Len(t, keys, 2)
	assert.Equal(t, "id", keys[0].Name)
	assert.Equal(t, "tenant", keys[1].Name)
	assert.Empty(t, tb2.KeyColumns())
}

func TestLookupsOnNil(t *testing.T) {
	var p *Profile
	_, ok := p.Catalog("x")
	assert.False(t, ok)
	assert.Nil(t, p.CatalogNames())
	var c *Catalog
	_, ok = c.Schema("x")
	assert.False(t, ok)
	assert.Nil(t, c.SchemaNames())
	var s *Schema
	_, ok = s.Table("x")
	assert.False(t, ok)
	assert.Nil(t, s.TableNames())
	var tb *Table
	col, i := tb.Column("x")
	assert.Nil(t, col)
	assert.Equal(t, -1, i)
	assert.Nil(t, tb.KeyColumns())
	assert.Equal(t, Pagination{Type: PageNone}, c.EffectivePagination(tb))
}

func TestEffectivePagination(t *testing.T) {
	page := &Pagination{Type: PagePage, PageParam: "page", SizeParam: "per_page", PageSize: 50, Start: ptr(1), TotalHeader: "X-Total"}
	for _, tc := range []struct {
		name           string
		catalog, table *Pagination
		want           Pagination
	}{
		{name: "neither", want: Pagination{Type: PageNone}},
		{name: "catalog only", catalog: page, want: *page},
		{name: "table only", table: &Pagination{Type: PageCursor, CursorPath: "next", CursorParam: "c"},
			want: Pagination{Type: PageCursor, CursorPath: "next", CursorParam: "c"}},
		{name: "table without type and no catalog", table: &Pagination{PageSize: 5}, want: Pagination{Type: PageNone, PageSize: 5}},
		{name: "catalog without type", catalog: &Pagination{PageSize: 5}, want: Pagination{Type: PageNone, PageSize: 5}},
		{name: "table fields win", catalog: page, table: &Pagination{PageSize: 10, Start: ptr(0), PageParam: "p"},
			want: Pagination{Type: PagePage, PageParam: "p", SizeParam: "per_page", PageSize: 10, Start: ptr(0), TotalHeader: "X-Total"}},
		{name: "same type, other spelling", catalog: page, table: &Pagination{Type: "PAGE", SizeParam: "n"},
			want: Pagination{Type: "PAGE", PageParam: "page", SizeParam: "n", PageSize: 50, Start: ptr(1), TotalHeader: "X-Total"}},
		{name: "maxPageSize is inherited and may be overridden", catalog: &Pagination{Type: PageOffset, PageSize: 500, MaxPageSize: 100},
			table: &Pagination{PageSize: 50}, want: Pagination{Type: PageOffset, PageSize: 50, MaxPageSize: 100}},
		{name: "a table's maxPageSize wins", catalog: &Pagination{Type: PageOffset, MaxPageSize: 100},
			table: &Pagination{MaxPageSize: 25}, want: Pagination{Type: PageOffset, MaxPageSize: 25}},
		{name: "different type inherits nothing", catalog: page, table: &Pagination{Type: PageOffset, PageSize: 20},
			want: Pagination{Type: PageOffset, PageSize: 20}},
		{name: "none turns it off", catalog: page, table: &Pagination{Type: PageNone}, want: Pagination{Type: PageNone}},
		{name: "every field", catalog: &Pagination{Type: PageCursor},
			table: &Pagination{OffsetParam: "o", PageParam: "p", SizeParam: "s", PageSize: 1, Start: ptr(2), CursorPath: "cp",
				CursorParam: "cq", NextPath: "np", TotalPath: "tp", TotalHeader: "th", HasMorePath: "hm"},
			want: Pagination{Type: PageCursor, OffsetParam: "o", PageParam: "p", SizeParam: "s", PageSize: 1, Start: ptr(2), CursorPath: "cp",
				CursorParam: "cq", NextPath: "np", TotalPath: "tp", TotalHeader: "th", HasMorePath: "hm"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &Catalog{Pagination: tc.catalog}
			tb := &Table{Pagination: tc.table}
			got := c.EffectivePagination(tb)
			assert.Equal(t, tc.want, got)
			if got.Start != nil {
				// The result shares no memory with its sources.
				*got.Start = 99
				if tc.catalog != nil && tc.catalog.Start != nil {
					assert.NotEqual(t, 99, *tc.catalog.Start)
				}
				if tc.table != nil && tc.table.Start != nil {
					assert.NotEqual(t, 99, *tc.table.Start)
				}
			}
		})
	}
	assert.Equal(t, 1, *page.Start)
	// A nil table gets the catalog's pagination.
	assert.Equal(t, *page, (&Catalog{Pagination: page}).EffectivePagination(nil))
}
