package restsource

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

func strp(s string) *string { return &s }

const apiBase = "http://api.test/v1"

// itemsTable has one column per kind of filter the plan tests need.
func itemsTable() *catalog.Table {
	return &catalog.Table{
		Name: "items", SchemaName: "S", CatalogName: "C", URL: "/items",
		Columns: []*catalog.Column{
			{Name: "id", Path: "id", Type: "int", Filters: map[string]*catalog.Filter{
				"=":  {Param: "id", Value: "{}", Exact: true},
				"in": {Param: "id", Value: "{}", Join: ","},
				">":  {Param: "id_gt", Value: "{}", Exact: true},
			}},
			{Name: "userId", Path: "userId", Type: "int", Filters: map[string]*catalog.Filter{
				"=":  {Param: "userId", Value: "{}", Exact: true},
				"IN": {Param: "userId", Value: "{}", Repeat: true, Exact: true},
			}},
			{Name: "name", Path: "name", Type: "string", Filters: map[string]*catalog.Filter{
				"=":    {Param: "name", Value: "eq.{}"},
				"IN":   {Param: "name", Value: "in.({})", Join: ","},
				"like": {Param: "q", Value: "{}"},
				"<>":   {Param: "name", Value: "neq.{}"},
			}},
			{Name: "tag", Path: "tag", Type: "string", Filters: map[string]*catalog.Filter{
				"IN": {Param: "tag", Value: "{}"},
			}},
			{Name: "city", Path: "address.city", Type: "string", Filters: map[string]*catalog.Filter{
				"=": {Param: "filter", Value: "city={}", Quote: "'", Escape: "double", Exact: true},
			}},
			{Name: "note", Path: "note", Type: "string", Filters: map[string]*catalog.Filter{
				"=": {Param: "filter", Value: "note={}", Quote: `"`, Escape: "backslash", Exact: true},
			}},
			{Name: "age", Path: "age", Type: "int", Filters: map[string]*catalog.Filter{
				">": {Param: "filter", Value: "age>{}", Exact: true},
			}},
			{Name: "score", Path: "score", Type: "float", Filters: eq("score", true)},
			{Name: "active", Path: "active", Type: "bool", Filters: eq("active", true)},
			{Name: "at", Path: "at", Type: "datetime", Filters: map[string]*catalog.Filter{">=": {Param: "since", Value: "{}", Exact: true}}},
			{Name: "plain", Path: "plain"},
		},
	}
}

func planOf(t *testing.T, cat *catalog.Catalog, tbl *catalog.Table, q Query) (*Plan, error) {
	t.Helper()
	s, err := New(cat, tbl, Options{Expand: func(v string) (string, error) {
		return strings.ReplaceAll(v, "${KEY}", "s3cret"), nil
	}})
	require.NoError(t, err)
	return s.Plan(q)
}

func TestPlanFilters(t *testing.T) {
	pred := func(col, op string, vs ...any) Predicate { return Predicate{Column: col, Op: op, Values: vs} }
	tests := []struct {
		name    string
		preds   []Predicate
		combine map[string]string
		pushed  []Support
		query   string
	}{
		{"= exact", []Predicate{pred("id", "=", int64(5))}, nil, []Support{Exact}, "id=5"},
		{"column names are case-insensitive", []Predicate{pred("ID", "=", int64(5))}, nil, []Support{Exact}, "id=5"},
		{"= inexact with template", []Predicate{pred("name", "=", "ann")}, nil, []Support{Inexact}, "name=eq.ann"},
		{"<> matches a != filter key", []Predicate{pred("name", "!=", "ann")}, nil, []Support{Inexact}, "name=neq.ann"},
		{"!= matches a <> filter key", []Predicate{pred("name", "<>", "bob")}, nil, []Support{Inexact}, "name=neq.bob"},
		{"lower-case in key, join", []Predicate{pred("id", "IN", int64(1), int64(2), int64(3))}, nil, []Support{Inexact}, "id=1%2C2%2C3"},
		{"IN repeat", []Predicate{pred("userId", "in", int64(1), int64(2))}, nil, []Support{Exact}, "userId=1&userId=2"},
		{"IN join inside template", []Predicate{pred("name", "IN", "a", "b")}, nil, []Support{Inexact}, "name=in.%28a%2Cb%29"},
		{"IN neither repeat nor join, one value", []Predicate{pred("tag", "IN", "x")}, nil, []Support{Inexact}, "tag=x"},
		{"IN neither repeat nor join, two values", []Predicate{pred("tag", "IN", "x", "y")}, nil, []Support{Unsupported}, ""},
		{"IN of one value without IN filter uses =", []Predicate{pred("score", "IN", 1.5)}, nil, []Support{Exact}, "score=1.5"},
		{"IN of two values without IN filter", []Predicate{pred("score", "IN", 1.5, 2.5)}, nil, []Support{Unsupported}, ""},
		{"like key is case-insensitive", []Predicate{pred("name", "LIKE", "%a_")}, nil, []Support{Inexact}, "q=%25a_"},
		{"no filter for the operator", []Predicate{pred("id", "<", int64(3))}, nil, []Support{Unsupported}, ""},
		{"no filters at all", []Predicate{pred("plain", "=", "x")}, nil, []Support{Unsupported}, ""},
		{"unknown column", []Predicate{pred("nope", "=", "x")}, nil, []Support{Unsupported}, ""},
		{"NULL is never pushed", []Predicate{pred("id", "=", nil)}, nil, []Support{Unsupported}, ""},
		{"NULL in an IN list", []Predicate{pred("userId", "IN", int64(1), nil)}, nil, []Support{Unsupported}, ""},
		{"unknown value type", []Predicate{pred("id", "=", struct{}{})}, nil, []Support{Unsupported}, ""},
		{"= with two values", []Predicate{pred("id", "=", int64(1), int64(2))}, nil, []Support{Unsupported}, ""},
		{"float", []Predicate{pred("score", "=", 1e21)}, nil, []Support{Exact}, "score=1e%2B21"},
		{"bool", []Predicate{pred("active", "=", true)}, nil, []Support{Exact}, "active=true"},
		{"time UTC", []Predicate{pred("at", ">=", time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC))}, nil, []Support{Exact}, "since=2024-01-02T03%3A04%3A05Z"},
		{"time keeps its offset", []Predicate{pred("at", ">=", time.Date(2024, 1, 2, 3, 4, 5, 500, time.FixedZone("", 7200)))}, nil, []Support{Exact}, "since=2024-01-02T03%3A04%3A05.0000005%2B02%3A00"},
		{"quote, escape double", []Predicate{pred("city", "=", "O'Brien")}, nil, []Support{Exact}, "filter=city%3D%27O%27%27Brien%27"},
		{"quote, escape backslash", []Predicate{pred("note", "=", `a\b"c`)}, nil, []Support{Exact}, "filter=note%3D%22a%5C%5Cb%5C%22c%22"},
		{"quote only strings", []Predicate{pred("city", "=", int64(7))}, nil, []Support{Exact}, "filter=city%3D7"},
		{
			"same param repeats without combine",
			[]Predicate{pred("city", "=", "x"), pred("age", ">", int64(3))}, nil,
			[]Support{Exact, Exact}, "filter=city%3D%27x%27&filter=age%3E3",
		},
		{
			"combine joins filters on a param",
			[]Predicate{pred("city", "=", "x"), pred("id", "=", int64(1)), pred("age", ">", int64(3))}, map[string]string{"filter": " && "},
			[]Support{Exact, Exact, Exact}, "filter=city%3D%27x%27+%26%26+age%3E3&id=1",
		},
		{
			"several predicates keep their order",
			[]Predicate{pred("userId", "=", int64(2)), pred("plain", "=", "x"), pred("id", ">", int64(3))}, nil,
			[]Support{Exact, Unsupported, Exact}, "userId=2&id_gt=3",
		},
		// Values the API would not read as that one value stay in the driver.
		{"empty string is not sent", []Predicate{pred("status", "=", "")}, nil, []Support{Unsupported}, ""},
		{"an IN list holding an empty string", []Predicate{pred("status", "IN", "a", "")}, nil, []Support{Unsupported}, ""},
		{"IN value holding the join", []Predicate{pred("status", "IN", "new,paid", "x")}, nil, []Support{Unsupported}, ""},
		{"= value holding the join of the IN filter on its parameter", []Predicate{pred("status", "=", "new,paid")}, nil, []Support{Unsupported}, ""},
		{"a value holding the template's closing character", []Predicate{pred("name", "IN", "a)", "b")}, nil, []Support{Unsupported}, ""},
		{"leading space", []Predicate{pred("status", "=", " new")}, nil, []Support{Unsupported}, ""},
		{"trailing space", []Predicate{pred("status", "IN", "new ", "x")}, nil, []Support{Unsupported}, ""},
		{"inner spaces are fine", []Predicate{pred("status", "=", "on hold")}, nil, []Support{Exact}, "status=on+hold"},
		{"a value holding the combine separator", []Predicate{pred("age", ">", int64(3)), pred("tag", "=", "a && b")}, map[string]string{"filter": " && "}, []Support{Exact, Unsupported}, "filter=age%3E3"},
		{"a quoted value is read whole", []Predicate{pred("city", "=", "a && b, c ")}, map[string]string{"filter": " && "}, []Support{Exact}, "filter=city%3D%27a+%26%26+b%2C+c+%27"},
		{"a quoted empty string is sent", []Predicate{pred("city", "=", "")}, nil, []Support{Exact}, "filter=city%3D%27%27"},
		{"an empty LIKE text is not sent", []Predicate{pred("status", "LIKE", "%%")}, nil, []Support{Unsupported}, ""},
		{"!= on a column that may be NULL is re-checked", []Predicate{pred("status", "!=", "new")}, nil, []Support{Inexact}, "status_ne=new"},
		{"!= on a key column is exact", []Predicate{pred("code", "!=", "x")}, nil, []Support{Exact}, "code_ne=x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl := itemsTable()
			tbl.Columns = append(tbl.Columns,
				&catalog.Column{Name: "status", Path: "status", Type: "string", Filters: map[string]*catalog.Filter{
					"=":    {Param: "status", Value: "{}", Exact: true},
					"!=":   {Param: "status_ne", Value: "{}", Exact: true},
					"IN":   {Param: "status", Value: "{}", Join: ",", Exact: true},
					"LIKE": {Param: "status_q", Value: "{}", Like: "contains"},
				}},
				&catalog.Column{Name: "code", Path: "code", Type: "string", Key: true, Filters: map[string]*catalog.Filter{
					"!=": {Param: "code_ne", Value: "{}", Exact: true},
				}},
			)
			for _, c := range tbl.Columns {
				if c.Name == "tag" {
					c.Filters["="] = &catalog.Filter{Param: "filter", Value: "tag={}", Exact: true}
				}
			}
			for k, sep := range tt.combine {
				if tbl.Combine == nil {
					tbl.Combine = map[string]*catalog.Combine{}
				}
				tbl.Combine[k] = &catalog.Combine{Sep: sep}
			}
			p, err := planOf(t, &catalog.Catalog{Name: "C", URL: apiBase}, tbl, Query{Predicates: tt.preds, Limit: -1})
			require.NoError(t, err)
			assert.Equal(t, tt.pushed, p.Pushed)
			want := "GET " + apiBase + "/items"
			if tt.query != "" {
				want += "?" + tt.query
			}
			assert.Equal(t, []string{want}, p.Requests())
		})
	}
}

func TestPlanFixedParamsAndURLs(t *testing.T) {
	tests := []struct {
		name     string
		base     string
		tableURL string
		catP     map[string]string
		tableP   map[string]string
		want     string
	}{
		{"table params replace catalog params", apiBase, "/items", map[string]string{"format": "json", "a": "1"}, map[string]string{"format": "xml", "lang": "en"}, apiBase + "/items?a=1&format=xml&lang=en"},
		{"secret params are redacted", apiBase, "items", map[string]string{"api_key": "${KEY}", "k2": "x-${KEY}"}, nil, apiBase + "/items?api_key=***&k2=***"},
		{"well-known secret names are redacted", apiBase, "/items", nil, map[string]string{"access_token": "abc"}, apiBase + "/items?access_token=***"},
		{"base and table queries", apiBase + "/?v=2", "/items?kind=a&v=3", nil, map[string]string{"z": "1"}, apiBase + "/items?v=2&kind=a&v=3&z=1"},
		{"absolute table url", apiBase, "https://other.test/x/y", nil, nil, "https://other.test/x/y"},
		{"empty table url", apiBase + "/items", "", nil, nil, apiBase + "/items"},
		{"password in the base URL is hidden", "http://u:pw@api.test/v1", "/items", nil, nil, "http://u:xxxxx@api.test/v1/items"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl := itemsTable()
			tbl.URL, tbl.Params = tt.tableURL, tt.tableP
			p, err := planOf(t, &catalog.Catalog{Name: "C", URL: tt.base, Params: tt.catP}, tbl, Query{Limit: -1})
			require.NoError(t, err)
			assert.Equal(t, []string{"GET " + tt.want}, p.Requests())
		})
	}
}

func TestPlanSort(t *testing.T) {
	jsonServer := &catalog.Sort{Param: "_sort", Order: "_order"}
	jsonServerJoin := &catalog.Sort{Param: "_sort", Order: "_order", Join: ","}
	listed := &catalog.Sort{Param: "_sort", Order: "_order", Join: ",", Columns: []string{"id", "city"}}
	dotted := &catalog.Sort{Param: "order", Value: "{column}.{dir}"}
	dottedJoin := &catalog.Sort{Param: "order", Value: "{column}.{dir}", Join: ","}
	prefix := &catalog.Sort{Param: "sort", Value: "{dir}{column}", Asc: strp(""), Desc: strp("-"), Join: ","}
	ascOnly := &catalog.Sort{Param: "sort"}
	words := &catalog.Sort{Param: "sort", Value: "{column}:{dir}", Asc: strp("ASC"), Desc: strp("DESC")}
	tests := []struct {
		name   string
		sort   *catalog.Sort
		keys   []SortKey
		pushed bool
		query  string
	}{
		{"json-server one key", jsonServer, []SortKey{{Column: "name", Desc: true}}, true, "_sort=name&_order=desc"},
		{"several keys without join: the API sorts by one key", jsonServer, []SortKey{{Column: "name", Desc: true}, {Column: "id"}}, false, ""},
		{"json-server several keys with join", jsonServerJoin, []SortKey{{Column: "name", Desc: true}, {Column: "id"}}, true, "_sort=name%2Cid&_order=desc%2Casc"},
		{"a column sort.columns lists", listed, []SortKey{{Column: "ID", Desc: true}}, true, "_sort=id&_order=desc"},
		{"a column sort.columns does not list", listed, []SortKey{{Column: "name"}}, false, ""},
		{"all keys or none", listed, []SortKey{{Column: "id"}, {Column: "name"}}, false, ""},
		{"a datetime whose text sorts as time", jsonServer, []SortKey{{Column: "at"}}, true, "_sort=at&_order=asc"},
		{"a datetime whose text does not sort as time", jsonServer, []SortKey{{Column: "day"}}, false, ""},
		{"a datetime in a year-first layout", jsonServer, []SortKey{{Column: "stamp", Desc: true}}, true, "_sort=stamp&_order=desc"},
		{"every key listed", listed, []SortKey{{Column: "id"}, {Column: "city", Desc: true}}, true, "_sort=id%2Caddress.city&_order=asc%2Cdesc"},
		{"the path is sent", jsonServer, []SortKey{{Column: "city"}}, true, "_sort=address.city&_order=asc"},
		{"template", dotted, []SortKey{{Column: "name", Desc: true}}, true, "order=name.desc"},
		{"template, several keys need join", dotted, []SortKey{{Column: "name"}, {Column: "id"}}, false, ""},
		{"template with join", dottedJoin, []SortKey{{Column: "name"}, {Column: "id", Desc: true}}, true, "order=name.asc%2Cid.desc"},
		{"prefix words", prefix, []SortKey{{Column: "name", Desc: true}, {Column: "id"}}, true, "sort=-name%2Cid"},
		{"custom words", words, []SortKey{{Column: "name", Desc: true}}, true, "sort=name%3ADESC"},
		{"no way to say desc", ascOnly, []SortKey{{Column: "name", Desc: true}}, false, ""},
		{"ascending without dir", ascOnly, []SortKey{{Column: "name"}}, true, "sort=name"},
		{"unknown column", jsonServer, []SortKey{{Column: "nope"}}, false, ""},
		{"no sort settings", nil, []SortKey{{Column: "name"}}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl := itemsTable()
			tbl.Columns = append(tbl.Columns,
				&catalog.Column{Name: "day", Path: "day", Type: "datetime", Format: "01/02/2006"},
				&catalog.Column{Name: "stamp", Path: "stamp", Type: "datetime", Format: "2006-01-02 15:04:05"},
			)
			tbl.Sort = tt.sort
			p, err := planOf(t, &catalog.Catalog{Name: "C", URL: apiBase}, tbl, Query{Sort: tt.keys, Limit: -1})
			require.NoError(t, err)
			assert.Equal(t, tt.pushed, p.SortPushed)
			want := "GET " + apiBase + "/items"
			if tt.query != "" {
				want += "?" + tt.query
			}
			assert.Equal(t, []string{want}, p.Requests())
		})
	}
}

// TestPlanLimit: the source sends the limit it is given when the table
// takes one; whether it may is the planner's rule (planner.pushLimit).
func TestPlanLimit(t *testing.T) {
	exactPred := []Predicate{{Column: "id", Op: "=", Values: []any{int64(1)}}}
	tests := []struct {
		name   string
		limit  *catalog.Limit
		q      Query
		pushed bool
		query  string
	}{
		{"no predicates", &catalog.Limit{Param: "max"}, Query{Limit: 5}, true, "max=5"},
		{"exact predicate", &catalog.Limit{Param: "max"}, Query{Limit: 5, Predicates: exactPred}, true, "id=1&max=5"},
		{"sort pushed", &catalog.Limit{Param: "max"}, Query{Limit: 5, Sort: []SortKey{{Column: "id"}}}, true, "_sort=id&_order=asc&max=5"},
		{"unknown limit", &catalog.Limit{Param: "max"}, Query{Limit: -1}, false, ""},
		{"limit 0", &catalog.Limit{Param: "max"}, Query{Limit: 0}, true, "max=0"},
		{"no limit settings", nil, Query{Limit: 5}, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl := itemsTable()
			tbl.Limit = tt.limit
			tbl.Sort = &catalog.Sort{Param: "_sort", Order: "_order"}
			p, err := planOf(t, &catalog.Catalog{Name: "C", URL: apiBase}, tbl, tt.q)
			require.NoError(t, err)
			assert.Equal(t, tt.pushed, p.LimitPushed)
			assert.Equal(t, tt.limit != nil, p.Pushdown.Limit)
			want := "GET " + apiBase + "/items"
			if tt.query != "" {
				want += "?" + tt.query
			}
			assert.Equal(t, []string{want}, p.Requests())
		})
	}
}

// TestSupportsReasons: every predicate and sort not applied exactly says
// why, naming the column.
func TestSupportsReasons(t *testing.T) {
	pred := func(col, op string, vs ...any) Predicate { return Predicate{Column: col, Op: op, Values: vs} }
	tbl := itemsTable()
	tbl.Sort = &catalog.Sort{Param: "_sort", Order: "_order", Columns: []string{"id"}}
	tbl.Columns = append(tbl.Columns, &catalog.Column{Name: "status", Path: "status", Filters: map[string]*catalog.Filter{
		"=":  {Param: "status", Exact: true},
		"!=": {Param: "status_ne", Exact: true},
		"IN": {Param: "status", Join: ",", Exact: true},
	}})
	s, err := New(&catalog.Catalog{Name: "C", URL: apiBase}, tbl, Options{})
	require.NoError(t, err)
	tests := []struct {
		pred    Predicate
		support Support
		reason  string
	}{
		{pred("id", "=", int64(1)), Exact, ""},
		{pred("status", "=", ""), Unsupported, "column status: empty string is not sent (the API reads ?status= as no filter)"},
		{pred("status", "IN", "new,paid", "x"), Unsupported, `column status: "new,paid" holds ",", which the API reads as a separator: not sent`},
		{pred("status", "=", " new"), Unsupported, `column status: " new" has leading or trailing spaces, which the API may trim: not sent`},
		{pred("status", "!=", "new"), Inexact, "column status: re-checked (APIs keep rows without the field under !=, and the column is not key: true)"},
		{pred("name", "=", "ann"), Inexact, "column name: re-checked (the = filter is not exact: true)"},
		{pred("plain", "=", "x"), Unsupported, "column plain: no filter for ="},
		{pred("tag", "IN", "x", "y"), Unsupported, "column tag: the IN filter has neither repeat nor join, so it takes one value"},
		{pred("score", "IN", 1.5, 2.5), Unsupported, "column score: no IN filter (the = filter takes one value)"},
		{pred("id", "=", nil), Unsupported, "column id: a comparison with NULL is never sent"},
		{pred("nope", "=", "x"), Unsupported, "column nope: unknown column"},
	}
	for _, tt := range tests {
		d, err := s.Supports(Query{Predicates: []Predicate{tt.pred}, Limit: -1})
		require.NoError(t, err)
		assert.Equal(t, Decision{Support: tt.support, Reason: tt.reason}, d.Filters[0], "%v", tt.pred)
	}
	sorts := []struct {
		keys   []SortKey
		reason string
	}{
		{[]SortKey{{Column: "id"}}, ""},
		{[]SortKey{{Column: "name"}}, "sort: column name is not in sort.columns"},
		{[]SortKey{{Column: "id"}, {Column: "name"}}, "sort: the API sorts by one key (no sort.join)"},
	}
	for _, tt := range sorts {
		d, err := s.Supports(Query{Sort: tt.keys, Limit: -1})
		require.NoError(t, err)
		assert.Equal(t, tt.reason, d.SortReason, "%v", tt.keys)
		assert.Equal(t, tt.reason == "", d.Sort)
	}
}

func TestPlanSelect(t *testing.T) {
	tests := []struct {
		name  string
		sel   *catalog.Select
		cols  []string
		query string
	}{
		{"top-level keys of the paths", &catalog.Select{Param: "select"}, []string{"name", "city", "id", "CITY"}, "select=name%2Caddress%2Cid"},
		{"join", &catalog.Select{Param: "fields", Join: " "}, []string{"name", "id"}, "fields=name+id"},
		{"all columns: no select", &catalog.Select{Param: "select"}, nil, ""},
		{"no columns: no select", &catalog.Select{Param: "select"}, []string{}, ""},
		{"implicit columns are left out", &catalog.Select{Param: "select"}, []string{"name", "ghost"}, "select=name"},
		{"escaped dot", &catalog.Select{Param: "select"}, []string{"dotted"}, "select=a.b"},
		{"a path with a modifier disables select", &catalog.Select{Param: "select"}, []string{"name", "whole"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tbl := itemsTable()
			tbl.Select = tt.sel
			tbl.Columns = append(tbl.Columns,
				&catalog.Column{Name: "ghost", Implicit: true},
				&catalog.Column{Name: "dotted", Path: `a\.b.c`},
				&catalog.Column{Name: "whole", Path: "@this", Type: "json"},
			)
			p, err := planOf(t, &catalog.Catalog{Name: "C", URL: apiBase}, tbl, Query{Columns: tt.cols, Limit: -1})
			require.NoError(t, err)
			want := "GET " + apiBase + "/items"
			if tt.query != "" {
				want += "?" + tt.query
			}
			assert.Equal(t, []string{want}, p.Requests())
			if tt.cols != nil {
				require.Len(t, p.Columns(), len(tt.cols))
				for i, c := range p.Columns() {
					assert.True(t, strings.EqualFold(tt.cols[i], c.Name))
				}
			} else {
				assert.Len(t, p.Columns(), len(tbl.Columns))
			}
		})
	}
	_, err := planOf(t, &catalog.Catalog{Name: "C", URL: apiBase}, itemsTable(), Query{Columns: []string{"id", "nope"}, Limit: -1})
	require.Error(t, err)
	assert.Equal(t, `restsource: table C.S.items: unknown column "nope"`, err.Error())
}

func TestPlanKeys(t *testing.T) {
	cat, posts, comments := postsCatalog(apiBase)
	cat.Pagination = nil
	nested := &catalog.Table{
		Name: "user_posts", URL: "/users/{userId}/posts/{postId}/tags?q={term}",
		Columns: []*catalog.Column{{Name: "userId", Type: "int"}, {Name: "postId"}, {Name: "term", Implicit: true}, {Name: "tag"}},
		Sort:    &catalog.Sort{Param: "sort"},
	}
	products := &catalog.Table{
		Name: "products", URL: "/products", Get: &catalog.Get{URL: "/products/{sku}"},
		Columns: []*catalog.Column{{Name: "sku", Filters: eq("sku", true)}},
	}
	in := func(col string, vs ...any) Predicate { return Predicate{Column: col, Op: "IN", Values: vs} }
	is := func(col string, v any) Predicate { return Predicate{Column: col, Op: "=", Values: []any{v}} }
	tests := []struct {
		name   string
		tbl    *catalog.Table
		q      Query
		reqs   []string
		pushed []Support
		sort   bool
	}{
		{"= binds the key", comments, Query{Predicates: []Predicate{is("postId", int64(7))}}, []string{"/posts/7/comments"}, []Support{Exact}, false},
		{"IN fans out, NULLs and duplicates dropped", comments, Query{Predicates: []Predicate{in("POSTID", int64(2), nil, int64(1), int64(2))}}, []string{"/posts/2/comments", "/posts/1/comments"}, []Support{Exact}, false},
		{"only NULL: no request", comments, Query{Predicates: []Predicate{is("postId", nil)}}, []string{}, []Support{Exact}, false},
		{"values an int key cannot hold are dropped", comments, Query{Predicates: []Predicate{in("postId", 42.5, int64(3), "x")}}, []string{"/posts/3/comments"}, []Support{Exact}, false},
		{"no value left: no request", comments, Query{Predicates: []Predicate{in("postId", 42.5)}}, []string{}, []Support{Exact}, false},
		{"an empty IN: no request", comments, Query{Predicates: []Predicate{in("postId")}}, []string{}, []Support{Exact}, false},
		{"a key no URL can carry is dropped", nested, Query{Predicates: []Predicate{is("userId", int64(1)), in("postId", "", "p"), in("term", "", "t")}}, []string{"/users/1/posts/p/tags?q=t"}, []Support{Exact, Exact, Exact}, false},
		{"a get: key no URL can carry: the list answers", products, Query{Predicates: []Predicate{in("sku", "", "a")}}, []string{"/products"}, []Support{Unsupported}, false},
		{"get: keys that URLs carry", products, Query{Predicates: []Predicate{in("sku", "b", "a")}}, []string{"/products/b", "/products/a"}, []Support{Exact}, false},
		{
			"cartesian product, path and query escaping",
			nested,
			Query{Predicates: []Predicate{in("userId", int64(1), int64(2)), is("term", "a/b c"), in("postId", "x y", "z/w")}, Sort: []SortKey{{Column: "tag"}}},
			[]string{
				"/users/1/posts/x%20y/tags?q=a%2Fb+c",
				"/users/1/posts/z%2Fw/tags?q=a%2Fb+c",
				"/users/2/posts/x%20y/tags?q=a%2Fb+c",
				"/users/2/posts/z%2Fw/tags?q=a%2Fb+c",
			},
			[]Support{Exact, Exact, Exact}, false,
		},
		{
			"one request keeps sort pushdown",
			nested,
			Query{Predicates: []Predicate{is("userId", int64(1)), is("term", "t"), is("postId", "p")}, Sort: []SortKey{{Column: "tag"}}},
			[]string{"/users/1/posts/p/tags?q=t&sort=tag"},
			[]Support{Exact, Exact, Exact}, true,
		},
		{"get when its key is bound", posts, Query{Predicates: []Predicate{is("id", int64(3)), is("userId", int64(1))}}, []string{"/posts/3"}, []Support{Exact, Unsupported}, false},
		{"get per IN value", posts, Query{Predicates: []Predicate{in("id", int64(3), int64(4))}}, []string{"/posts/3", "/posts/4"}, []Support{Exact}, false},
		{"list when the get key is not bound by = or IN", posts, Query{Predicates: []Predicate{{Column: "id", Op: ">", Values: []any{int64(3)}}, is("userId", int64(1))}}, []string{"/posts?userId=1"}, []Support{Unsupported, Exact}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.q.Limit = -1
			p, err := planOf(t, cat, tt.tbl, tt.q)
			require.NoError(t, err)
			want := []string{}
			for _, r := range tt.reqs {
				want = append(want, "GET "+apiBase+r)
			}
			assert.Equal(t, want, p.Requests())
			assert.Equal(t, tt.pushed, p.Pushed)
			assert.Equal(t, tt.sort, p.SortPushed)
		})
	}
}

func TestMissingKey(t *testing.T) {
	cat, _, comments := postsCatalog(apiBase)
	for _, q := range []Query{
		{},
		{Predicates: []Predicate{{Column: "postId", Op: ">", Values: []any{int64(3)}}}},
		{Predicates: []Predicate{{Column: "id", Op: "=", Values: []any{int64(3)}}}},
		{Predicates: []Predicate{{Column: "postId", Op: "=", Values: []any{struct{}{}}}}},
	} {
		_, err := planOf(t, cat, comments, q)
		var mk *MissingKeyError
		require.ErrorAs(t, err, &mk)
		assert.Equal(t, &MissingKeyError{Table: "API1.API.comments_by_post", Column: "postId", Operator: "=", URL: "/posts/{postId}/comments"}, mk)
		assert.Equal(t, "restsource: table API1.API.comments_by_post requires column postId: add WHERE postId = <value> (or postId IN (…)) — the request URL /posts/{postId}/comments needs it", err.Error())
	}
}

func TestPlanFanOutBound(t *testing.T) {
	tbl := &catalog.Table{Name: "t", URL: "/a/{x}/b/{y}", Columns: []*catalog.Column{{Name: "x"}, {Name: "y"}}}
	var xs, ys []any
	for i := 0; i < 400; i++ {
		xs = append(xs, fmt.Sprint(i))
		ys = append(ys, fmt.Sprint(i))
	}
	_, err := planOf(t, &catalog.Catalog{Name: "C", URL: apiBase}, tbl, Query{Limit: -1, Predicates: []Predicate{
		{Column: "x", Op: "IN", Values: xs}, {Column: "y", Op: "IN", Values: ys},
	}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "restsource: table C.t: the IN lists on key columns would make more than 100000 requests")
}

func TestPlanRequestsIncludeFirstPage(t *testing.T) {
	cat, posts, _ := postsCatalog("http://127.0.0.1:3000")
	p, err := planOf(t, cat, posts, Query{Limit: 5, Predicates: []Predicate{{Column: "userId", Op: "=", Values: []any{int64(1)}}}})
	require.NoError(t, err)
	assert.True(t, p.LimitPushed)
	assert.Equal(t, []string{"GET http://127.0.0.1:3000/posts?userId=1&_limit=5&_page=1"}, p.Requests())

	p, err = planOf(t, cat, posts, Query{Limit: -1, Predicates: []Predicate{{Column: "userId", Op: "=", Values: []any{int64(1)}}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"GET http://127.0.0.1:3000/posts?userId=1&_page=1&_limit=10"}, p.Requests())
}

func TestNewErrors(t *testing.T) {
	good := func() (*catalog.Catalog, *catalog.Table) {
		cat, posts, _ := postsCatalog(apiBase)
		return cat, posts
	}
	tests := []struct {
		name string
		mod  func(c *catalog.Catalog, t *catalog.Table, o *Options)
		want string
	}{
		{"no columns", func(_ *catalog.Catalog, t *catalog.Table, _ *Options) { t.Columns = nil }, "restsource: table API1.API.posts: table has no columns"},
		{"unnamed column", func(_ *catalog.Catalog, t *catalog.Table, _ *Options) { t.Columns[1] = &catalog.Column{} }, "restsource: table API1.API.posts: column 2 has no name"},
		{"unknown type", func(_ *catalog.Catalog, t *catalog.Table, _ *Options) { t.Columns[2].Type = "money" }, `restsource: table API1.API.posts: column title: unknown type "money" (valid types: string, int, float, bool, datetime, json)`},
		{"filter without param", func(_ *catalog.Catalog, t *catalog.Table, _ *Options) { t.Columns[1].Filters["<"] = &catalog.Filter{} }, `restsource: table API1.API.posts: column userId: filter "<" has no param`},
		{"bad escape", func(_ *catalog.Catalog, t *catalog.Table, _ *Options) {
			t.Columns[1].Filters["<"] = &catalog.Filter{Param: "x", Escape: "html"}
		}, `restsource: table API1.API.posts: column userId: filter "<": escape "html" is neither double nor backslash`},
		{"placeholder without column", func(_ *catalog.Catalog, t *catalog.Table, _ *Options) { t.URL = "/users/{user}/posts" }, `restsource: table API1.API.posts: url "/users/{user}/posts": placeholder {user} has no column user`},
		{"get without placeholder", func(_ *catalog.Catalog, t *catalog.Table, _ *Options) { t.Get.URL = "/posts/one" }, `restsource: table API1.API.posts: get url "/posts/one" has no {placeholder}: a lookup needs a key`},
		{"no base url", func(c *catalog.Catalog, _ *catalog.Table, _ *Options) { c.URL = "" }, `restsource: table API1.API.posts: catalog API1 has no url and the table url "/posts" is relative`},
		{"bad base url", func(c *catalog.Catalog, _ *catalog.Table, _ *Options) { c.URL = "ftp://x" }, `restsource: table API1.API.posts: base url: "ftp://x" is not an http or https URL`},
		{"base url without host", func(_ *catalog.Catalog, _ *catalog.Table, o *Options) { o.BaseURL = "http:///x" }, `restsource: table API1.API.posts: base url: "http:///x" has no host`},
		{"bad pagination", func(c *catalog.Catalog, _ *catalog.Table, _ *Options) { c.Pagination.Type = "pages" }, `restsource: table API1.API.posts: pagination: unknown type "pages" (valid types: none, offset, page, cursor, nextURL, linkHeader)`},
		{"sort without param", func(_ *catalog.Catalog, t *catalog.Table, _ *Options) { t.Sort = &catalog.Sort{} }, "restsource: table API1.API.posts: sort has no param"},
		{"limit without param", func(_ *catalog.Catalog, t *catalog.Table, _ *Options) { t.Limit = &catalog.Limit{} }, "restsource: table API1.API.posts: limit has no param"},
		{"select without param", func(_ *catalog.Catalog, t *catalog.Table, _ *Options) { t.Select = &catalog.Select{} }, "restsource: table API1.API.posts: select has no param"},
		{"negative options", func(_ *catalog.Catalog, _ *catalog.Table, o *Options) { o.MaxPages = -1 }, "restsource: table API1.API.posts: PageSize, MaxPages, Speculative, Timeout and MaxRetries must not be negative"},
		{"unresolved header", func(c *catalog.Catalog, _ *catalog.Table, o *Options) {
			c.Headers = map[string]string{"Authorization": "${Token}"}
			o.Expand = func(s string) (string, error) {
				if strings.Contains(s, "${") {
					return "", errors.New("unresolved placeholder ${Token}")
				}
				return s, nil
			}
		}, "restsource: table API1.API.posts: catalog header Authorization: unresolved placeholder ${Token}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat, tbl := good()
			var o Options
			tt.mod(cat, tbl, &o)
			s, err := New(cat, tbl, o)
			require.Error(t, err)
			assert.Nil(t, s)
			assert.Equal(t, tt.want, err.Error())
		})
	}
	_, err := New(nil, nil, Options{})
	require.EqualError(t, err, "restsource: New needs a catalog and a table")

	// An absolute table URL needs no base URL; its host gets the credentials.
	s, err := New(&catalog.Catalog{Name: "C"}, &catalog.Table{Name: "t", URL: "https://abs.test/x", Columns: []*catalog.Column{{Name: "a"}}}, Options{})
	require.NoError(t, err)
	assert.Equal(t, "abs.test", s.base.Host)
	assert.Equal(t, "t", s.Table().Name)
}

func TestParseTemplate(t *testing.T) {
	base := mustURL(t, "http://api.test/v1/?k=1")
	tests := []struct {
		rel    string
		raw    string
		names  []string
		filled string
		err    string
	}{
		{"/posts/{postId}/comments", "http://api.test/v1/posts/{postId}/comments?k=1", []string{"postId"}, "http://api.test/v1/posts/a%2Fb%20c/comments?k=1", ""},
		{"x/{a}/{b}/{A}?q={b}&z=1", "http://api.test/v1/x/{a}/{b}/{A}?k=1&q={b}&z=1", []string{"a", "b"}, "http://api.test/v1/x/a%2Fb%20c/a%2Fb%20c/a%2Fb%20c?k=1&q=a%2Fb+c&z=1", ""},
		{"/{}/{not valid}/{/x}", "http://api.test/v1/{}/{not valid}/{/x}?k=1", nil, "http://api.test/v1/{}/{not valid}/{/x}?k=1", ""},
		{"HTTPS://abs.test/{id}", "HTTPS://abs.test/{id}", []string{"id"}, "HTTPS://abs.test/a%2Fb%20c", ""},
		{"http://", "", nil, "", `"http:" has no host`},
	}
	for _, tt := range tests {
		tmpl, err := parseTemplate(base, tt.rel)
		if tt.err != "" {
			require.EqualError(t, err, tt.err, tt.rel)
			continue
		}
		require.NoError(t, err, tt.rel)
		assert.Equal(t, tt.raw, tmpl.raw)
		assert.Equal(t, tt.names, tmpl.names)
		values := map[string]string{}
		for _, n := range tt.names {
			values[strings.ToLower(n)] = "a/b c"
		}
		assert.Equal(t, tt.filled, tmpl.fill(values))
	}
	_, err := parseTemplate(nil, "/x")
	require.EqualError(t, err, "relative url without a base url")
}

func mustURL(t *testing.T, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	require.NoError(t, err)
	return u
}

// FuzzTemplate feeds arbitrary table urls through template parsing and
// filling: nothing may panic, and a template that parses fills to a URL
// that parses.
func FuzzTemplate(f *testing.F) {
	for _, s := range []string{"/posts/{postId}/comments", "x/{a}/{b}/{A}?q={b}&z=1", "/{}/{not valid}/{/x}", "HTTPS://abs.test/{id}", "http://", "?a=%zz&{x}", "{a}{b}"} {
		f.Add(s, "v/1 2?&")
	}
	base := &url.URL{Scheme: "http", Host: "api.test", Path: "/v1/", RawQuery: "k=1"}
	f.Fuzz(func(t *testing.T, rel, value string) {
		tmpl, err := parseTemplate(base, rel)
		if err != nil {
			return
		}
		values := map[string]string{}
		for _, n := range tmpl.names {
			values[strings.ToLower(n)] = value
		}
		if _, err := url.Parse(tmpl.fill(values)); err != nil {
			t.Fatalf("template %q filled with %q does not parse: %v", rel, value, err)
		}
		q := parseQuery(tmpl.fill(values))
		_ = q.encode()
	})
}

func TestKeyValue(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	tests := []struct {
		typ, format string
		in          any
		want        any
	}{
		{"int", "", "42", int64(42)},
		{"int", "", int64(7), int64(7)},
		{"int", "", 7, int64(7)},
		{"int", "", 3.0, int64(3)},
		{"int", "", "x", nil},
		{"string", "", int64(7), "7"},
		{"", "", 2.5, "2.5"},
		{"string", "", "a", "a"},
		{"float", "", "2.5", 2.5},
		{"bool", "", true, true},
		{"bool", "", "false", false},
		{"string", "", false, "false"},
		{"datetime", "", at, at},
		{"datetime", "", "2024-05-06T07:08:09Z", at},
		{"datetime", "unix", int64(1715000000), time.Unix(1715000000, 0).UTC()},
		{"string", "", at, "2024-05-06T07:08:09Z"},
		{"json", "", "s", `"s"`},
		{"int", "", struct{}{}, nil},
	}
	for _, tt := range tests {
		got := keyValue(&catalog.Column{Name: "k", Type: catalog.Type(tt.typ), Format: tt.format}, tt.in)
		assert.Equal(t, tt.want, got, "%s %v", tt.typ, tt.in)
	}
}

func TestCredentialHost(t *testing.T) {
	s := &Source{base: mustURL(t, "https://API.test:8443/v1")}
	for raw, want := range map[string]bool{
		"https://api.test:8443/x":  true,
		"http://api.test:8443/x":   false, // never downgraded
		"https://api.test/x":       false,
		"https://evil.test:8443/x": false,
	} {
		assert.Equal(t, want, s.credentialHost(mustURL(t, raw)), raw)
	}
	s = &Source{base: mustURL(t, "http://api.test")}
	assert.True(t, s.credentialHost(mustURL(t, "https://api.test/upgraded")))
	assert.False(t, (&Source{}).credentialHost(mustURL(t, "http://api.test")))
}

func TestSupportString(t *testing.T) {
	assert.Equal(t, "exact", Exact.String())
	assert.Equal(t, "inexact", Inexact.String())
	assert.Equal(t, "unsupported", Unsupported.String())
	assert.Equal(t, "Support(7)", Support(7).String())
}

var likeTests = []struct {
	pattern, like, want string
	ok                  bool
}{
	{"%a_b%", "", "%a_b%", true},
	{"abc", "regex", "^abc$", true},
	{"%LOREM%", "regex", "LOREM", true},
	{"dolor%", "REGEX", "^dolor", true},
	{"%dolor", "regex", "dolor$", true},
	{"_o%", "regex", `^[\s\S]{1,2}o`, true},
	{"%dolor%%sit%", "regex", `dolor[\s\S]*sit`, true},
	{"a%@%.example", "regex", `^a[\s\S]*@[\s\S]*\.example$`, true},
	{"%(%", "regex", `\(`, true},
	{`100\%`, "regex", `^100%$`, true},
	{`a\_b\\c\`, "regex", `^a_b\\c\\$`, true},
	{"", "regex", "^$", true},
	{"%", "regex", "$", true},
	{"%abc%", "contains", "abc", true},
	{`%a\%b%`, "contains", "a%b", true},
	{"%a_c%", "contains", "", false},
	{"abc%", "contains", "", false},
	{"%%", "contains", "", false},
	{"%a%", "soundex", "", false},
}

func TestLikeValue(t *testing.T) {
	for _, tt := range likeTests {
		got, ok := likeValue(tt.pattern, tt.like)
		assert.Equal(t, tt.ok, ok, "%q %s", tt.pattern, tt.like)
		assert.Equal(t, tt.want, got, "%q %s", tt.pattern, tt.like)
	}
}

// likeMatch is SQL LIKE with \ as the escape character, case-sensitive,
// by dynamic programming: the reference the regular expressions are checked
// against.
func likeMatch(s, pattern string) bool {
	type tok struct {
		wild rune
		lit  rune
	}
	var pat []tok
	p := []rune(pattern)
	for j := 0; j < len(p); j++ {
		switch {
		case p[j] == '\\' && j+1 < len(p):
			j++
			pat = append(pat, tok{lit: p[j]})
		case p[j] == '%' || p[j] == '_':
			pat = append(pat, tok{wild: p[j]})
		default:
			pat = append(pat, tok{lit: p[j]})
		}
	}
	str := []rune(s)
	// match[j]: str[:i] matches pat[:j].
	match := make([]bool, len(pat)+1)
	match[0] = true
	for j := 1; j <= len(pat) && pat[j-1].wild == '%'; j++ {
		match[j] = true
	}
	for i := 1; i <= len(str); i++ {
		next := make([]bool, len(pat)+1)
		for j := 1; j <= len(pat); j++ {
			switch pat[j-1].wild {
			case '%':
				next[j] = next[j-1] || match[j]
			case '_':
				next[j] = match[j-1]
			default:
				next[j] = match[j-1] && str[i-1] == pat[j-1].lit
			}
		}
		match = next
	}
	return match[len(pat)]
}

// utf16Units rewrites s as a JavaScript regular expression without the u
// flag sees it: each character above U+FFFF is two units (here two
// private-use characters, the same two for the same character).
func utf16Units(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF {
			r1, r2 := utf16.EncodeRune(r)
			b.WriteRune(0xE000 + (r1 & 0x3FF))
			b.WriteRune(0xE400 + (r2 & 0x3FF))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// FuzzLikeRegex checks that the regular expression for a LIKE pattern
// compiles and matches exactly the strings the pattern matches, or, with a
// _ in the pattern, at least those (the filter is then re-checked); and
// that it matches them also as a JavaScript regular expression counts
// characters (UTF-16 units), where an emoji is two.
func FuzzLikeRegex(f *testing.F) {
	for _, tt := range likeTests {
		f.Add(tt.pattern, "a\nb(c)%_.x")
	}
	f.Add("a_b", "a😀b")
	f.Add("%😀_", "x😀😀")
	f.Add("_", "ab")
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if !utf8.ValidString(pattern) || !utf8.ValidString(s) {
			return
		}
		expr, ok := likeValue(pattern, catalog.LikeRegex)
		require.True(t, ok)
		re, err := regexp.Compile(expr)
		require.NoError(t, err, "%q → %q", pattern, expr)
		want := likeMatch(s, pattern)
		if likeOne(pattern) {
			if want {
				require.True(t, re.MatchString(s), "%q LIKE %q via %q", s, pattern, expr)
			}
		} else {
			require.Equal(t, want, re.MatchString(s), "%q LIKE %q via %q", s, pattern, expr)
		}
		if want {
			js := regexp.MustCompile(utf16Units(expr))
			require.True(t, js.MatchString(utf16Units(s)), "%q LIKE %q via %q, in UTF-16 units", s, pattern, expr)
		}
	})
}

func TestPlanLikeAndNulls(t *testing.T) {
	tbl := itemsTable()
	tbl.Columns[2].Filters["LIKE"] = &catalog.Filter{Param: "name_like", Like: "regex"}
	delete(tbl.Columns[2].Filters, "like")
	tbl.Columns[3].Filters["LIKE"] = &catalog.Filter{Param: "tag_has", Like: "contains", Exact: true}
	tbl.Columns[0].Key = true
	tbl.Sort = &catalog.Sort{Param: "_sort", Order: "_order", Nulls: "High"}
	cat := &catalog.Catalog{Name: "C", URL: apiBase}

	p, err := planOf(t, cat, tbl, Query{Limit: -1, Predicates: []Predicate{
		{Column: "name", Op: "LIKE", Values: []any{"a.%"}},
		{Column: "tag", Op: "LIKE", Values: []any{"%x%"}},
	}, Sort: []SortKey{{Column: "id", Desc: true}}})
	require.NoError(t, err)
	assert.Equal(t, []Support{Inexact, Exact}, p.Pushed)
	assert.True(t, p.SortPushed, "a key column is never NULL")
	assert.Equal(t, []string{"GET " + apiBase + "/items?name_like=%5Ea%5C.&tag_has=x&_sort=id&_order=desc"}, p.Requests())

	p, err = planOf(t, cat, tbl, Query{Limit: -1, Predicates: []Predicate{
		{Column: "tag", Op: "LIKE", Values: []any{"x%"}},
	}, Sort: []SortKey{{Column: "id"}, {Column: "name"}}})
	require.NoError(t, err)
	assert.Equal(t, []Support{Unsupported}, p.Pushed)
	assert.False(t, p.SortPushed, "name may be NULL and the API sorts NULLs high")

	tbl.Sort.Nulls = "low"
	p, err = planOf(t, cat, tbl, Query{Limit: -1, Sort: []SortKey{{Column: "name"}}})
	require.NoError(t, err)
	assert.True(t, p.SortPushed)

	for _, tt := range []struct {
		mod  func(*catalog.Table)
		want string
	}{
		{func(t *catalog.Table) { t.Sort.Nulls = "middle" }, `restsource: table C.S.items: sort: nulls "middle" is neither low nor high`},
		{func(t *catalog.Table) { t.Columns[2].Filters["LIKE"].Like = "glob" }, `restsource: table C.S.items: column name: filter "LIKE": like "glob" is none of regex, contains or empty`},
	} {
		bad := itemsTable()
		bad.Sort = &catalog.Sort{Param: "s"}
		bad.Columns[2].Filters["LIKE"] = &catalog.Filter{Param: "q"}
		delete(bad.Columns[2].Filters, "like")
		tt.mod(bad)
		_, err := New(cat, bad, Options{})
		require.EqualError(t, err, tt.want)
	}
}

func TestFormatFor(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 0, time.FixedZone("", 3600))
	tests := []struct {
		typ, format string
		in          any
		want        string
		ok          bool
	}{
		{"bool", "", true, "true", true},
		{"bool", "", int64(1), "true", true},
		{"bool", "", int64(0), "false", true},
		{"bool", "", 1.0, "true", true},
		{"bool", "", " TRUE ", "true", true},
		{"bool", "", "0", "false", true},
		{"bool", "", int64(2), "", false},
		{"bool", "", "yes", "", false},
		{"int", "", 3.0, "3", true},
		{"int", "", 3.5, "3.5", true},
		{"int", "", 1e300, "1e+300", true},
		{"int", "", "3", "3", true},
		{"int", "", " 3.0 ", "3", true},
		{"int", "", "abc", "abc", true},
		{"int", "", int64(-4), "-4", true},
		{"float", "", "2.50", "2.5", true},
		{"float", "", "x", "x", true},
		{"float", "", int64(2), "2", true},
		{"string", "", int64(5), "5", true},
		{"", "", 1.5, "1.5", true},
		{"datetime", "", at, "2024-05-06T07:08:09+01:00", true},
		{"datetime", "unix", at, "1714975689", true},
		{"datetime", "unix", at.Add(500 * time.Millisecond), "1714975689.5", true},
		{"datetime", "unixms", at.Add(5 * time.Millisecond), "1714975689005", true},
		{"datetime", "unixms", at.Add(time.Microsecond), "1714975689000.001", true},
		{"datetime", "2006-01-02", at, "2024-05-06", true},
		{"datetime", "", "2024-01-01", "2024-01-01", true},
		{"json", "", nil, "", false},
	}
	for _, tt := range tests {
		got, ok := formatFor(&catalog.Column{Name: "c", Type: catalog.Type(tt.typ), Format: tt.format}, tt.in)
		assert.Equal(t, tt.ok, ok, "%s %v", tt.typ, tt.in)
		assert.Equal(t, tt.want, got, "%s %v", tt.typ, tt.in)
	}

	// Keys are written the same way, and dedupe on the written form.
	tbl := &catalog.Table{Name: "t", URL: "/posts/{postId}", Columns: []*catalog.Column{{Name: "postId", Type: "int"}}}
	p, err := planOf(t, &catalog.Catalog{Name: "C", URL: apiBase}, tbl, Query{Limit: -1, Predicates: []Predicate{
		{Column: "postId", Op: "IN", Values: []any{3.0, int64(3), "4"}},
	}})
	require.NoError(t, err)
	assert.Equal(t, []string{"GET " + apiBase + "/posts/3", "GET " + apiBase + "/posts/4"}, p.Requests())
}

func TestTextSortsAsTime(t *testing.T) {
	for layout, want := range map[string]bool{
		"":                          true,
		"unix":                      true,
		"UNIXMS":                    true,
		"2006-01-02":                true,
		"2006-01-02 15:04:05.000":   true,
		"20060102T150405":           true,
		"01/02/2006":                false,
		"02.01.2006":                false,
		"2006-1-2":                  false,
		"2006-01-02 03:04PM":        false,
		"Jan 2, 2006":               false,
		"Mon, 02 Jan 2006 15:04:05": false,
	} {
		assert.Equal(t, want, textSortsAsTime(layout), layout)
	}
}

// TestLikeRegexWithOneCharIsRechecked: a regex LIKE filter declared exact
// stays exact without _, and is re-checked with it (_ is sent as one or
// two characters, see likeValue).
func TestLikeRegexWithOneCharIsRechecked(t *testing.T) {
	tbl := itemsTable()
	tbl.Columns[2].Filters["LIKE"] = &catalog.Filter{Param: "name_like", Like: "regex", Exact: true}
	cat := &catalog.Catalog{Name: "C", URL: apiBase}
	for _, tt := range []struct {
		pattern string
		support Support
		sent    string
	}{
		{"ab%", Exact, "name_like=%5Eab"},
		{`a\_b%`, Exact, "name_like=%5Ea_b"},
		{"a_b%", Inexact, "name_like=%5Ea%5B%5Cs%5CS%5D%7B1%2C2%7Db"},
	} {
		p, err := planOf(t, cat, tbl, Query{Limit: -1, Predicates: []Predicate{{Column: "name", Op: "LIKE", Values: []any{tt.pattern}}}})
		require.NoError(t, err)
		assert.Equal(t, []Support{tt.support}, p.Pushed, tt.pattern)
		assert.Equal(t, []string{"GET " + apiBase + "/items?" + tt.sent}, p.Requests(), tt.pattern)
		if tt.support == Inexact {
			assert.Contains(t, p.Pushdown.Filters[0].Reason, "_ is sent as one or two characters")
		}
	}
}
