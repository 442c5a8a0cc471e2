package demoapi_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"
	"go.yaml.in/yaml/v4"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

// decodeProfile decodes YAML into catalog.Profile, refusing unknown fields.
func decodeProfile(t *testing.T, data []byte) *catalog.Profile {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p catalog.Profile
	require.NoError(t, dec.Decode(&p))
	return &p
}

func TestProfileMatchesCatalogTypes(t *testing.T) {
	p := decodeProfile(t, demoapi.Profile())
	require.Len(t, p.Catalogs, 1)
	cat := p.Catalogs[demoapi.CatalogName]
	require.NotNil(t, cat, "catalog Demo")
	assert.Equal(t, demoapi.URLPlaceholder, cat.URL)
	assert.Equal(t, &catalog.Pagination{
		Type: catalog.PagePage, PageParam: "_page", SizeParam: "_limit", PageSize: 20, TotalHeader: "X-Total-Count",
	}, cat.Pagination)
	require.Len(t, cat.Schemas, 1)
	schema := cat.Schemas[demoapi.SchemaName]
	require.NotNil(t, schema, "schema API")
	assert.ElementsMatch(t,
		[]string{"users", "posts", "comments", "todos", "comments_by_post", "posts_by_user"},
		keys(schema.Tables))

	users := schema.Tables["users"]
	assert.Equal(t, "address.city", column(t, users, "addressCity").Path)
	assert.Equal(t, "company.name", column(t, users, "companyName").Path)
	assert.Equal(t, catalog.TypeJSON, column(t, users, "address").Type)
	assert.Equal(t, catalog.TypeDatetime, column(t, schema.Tables["todos"], "dueDate").Type)
	assert.Equal(t, "/posts/{postId}/comments", schema.Tables["comments_by_post"].URL)
	assert.Equal(t, "/users/{userId}/posts", schema.Tables["posts_by_user"].URL)
	for _, name := range []string{"users", "posts", "todos"} {
		tbl := schema.Tables[name]
		require.NotNil(t, tbl.Get, "%s has a lookup", name)
		assert.Equal(t, "/"+name+"/{id}", tbl.Get.URL)
	}
	for _, name := range []string{"users", "posts", "comments", "todos"} {
		tbl := schema.Tables[name]
		assert.Equal(t, &catalog.Write{Method: http.MethodPost, URL: "/" + name}, tbl.Insert, name)
		assert.Equal(t, &catalog.Write{Method: http.MethodPatch, URL: "/" + name + "/{id}"}, tbl.Update, name)
		assert.Equal(t, &catalog.Write{Method: http.MethodDelete, URL: "/" + name + "/{id}"}, tbl.Delete, name)
	}
	assert.Equal(t, &catalog.Filter{Param: "title_like", Like: catalog.LikeRegex}, column(t, schema.Tables["posts"], "title").Filters["LIKE"])
	assert.Equal(t, &catalog.Filter{Param: "userId", Repeat: true, Exact: true}, column(t, schema.Tables["posts"], "userId").Filters["IN"])

	checkProfile(t, p, demoapi.New())
}

func TestExampleJSONPlaceholderProfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "examples", "jsonplaceholder", "profile.yaml"))
	require.NoError(t, err)
	p := decodeProfile(t, data)
	require.Len(t, p.Catalogs, 1)
	cat := p.Catalogs["API1"]
	require.NotNil(t, cat, "catalog API1")
	assert.Equal(t, "http://127.0.0.1:3000", cat.URL)
	require.NotNil(t, cat.Schemas["API"])
	assert.ElementsMatch(t, []string{"posts", "comments", "users", "todos", "comments_by_post"}, keys(cat.Schemas["API"].Tables))
	// The demo API answers like json-server, so it can check the example too.
	checkProfile(t, p, demoapi.New())
}

func TestProfileFor(t *testing.T) {
	for _, base := range []string{"http://127.0.0.1:41234", `http://127.0.0.1:1/a"b\c`} {
		p := decodeProfile(t, demoapi.ProfileFor(base))
		assert.Equal(t, base, p.Catalogs["Demo"].URL)
	}
	out := demoapi.Profile()
	out[0] = 'X'
	assert.NotEqual(t, out[0], demoapi.Profile()[0], "Profile returns a copy")
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func column(t *testing.T, tbl *catalog.Table, name string) *catalog.Column {
	t.Helper()
	for _, c := range tbl.Columns {
		if c.Name == name {
			return c
		}
	}
	require.Failf(t, "no such column", "column %s", name)
	return nil
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// checkProfile proves that a json-server-style profile fits the demo data:
// every column's path is found in the rows its table's URL returns, with
// values of the column's type; every filter names a field the server knows;
// URL placeholders are columns; and every filter marked exact returns
// exactly the rows that SQL's operator keeps.
func checkProfile(t *testing.T, p *catalog.Profile, h http.Handler) {
	for catName, cat := range p.Catalogs {
		for schemaName, schema := range cat.Schemas {
			for tblName, tbl := range schema.Tables {
				t.Run(catName+"."+schemaName+"."+tblName, func(t *testing.T) {
					checkTable(t, tbl, h)
				})
			}
		}
	}
}

func checkTable(t *testing.T, tbl *catalog.Table, h http.Handler) {
	require.NotEmpty(t, tbl.Columns)
	cols := map[string]*catalog.Column{}
	for _, c := range tbl.Columns {
		require.NotContains(t, cols, c.Name, "column names are unique")
		cols[c.Name] = c
	}
	for _, u := range []string{tbl.URL, getURL(tbl.Get), writeURL(tbl.Insert), writeURL(tbl.Update), writeURL(tbl.Delete)} {
		for _, m := range placeholder.FindAllStringSubmatch(u, -1) {
			assert.Contains(t, cols, m[1], "placeholder {%s} in %s is a column", m[1], u)
		}
	}
	assert.Equal(t, &catalog.Sort{Param: "_sort", Order: "_order", Join: ",", Nulls: catalog.NullsHigh}, tbl.Sort)
	assert.Equal(t, &catalog.Limit{Param: "_limit"}, tbl.Limit)

	// Placeholders are bound to 1 (user 1, post 1).
	path := placeholder.ReplaceAllString(tbl.URL, "1")
	rows := fetch(t, h, path, nil)
	require.NotEmpty(t, rows, path)

	for _, c := range tbl.Columns {
		colPath := c.Path
		if colPath == "" {
			colPath = c.Name
		}
		var found int
		for _, row := range rows {
			v := row.Get(colPath)
			if !v.Exists() || v.Type == gjson.Null {
				continue
			}
			found++
			assertFitsType(t, c, v)
		}
		assert.Positive(t, found, "column %s: path %s has values in %s", c.Name, colPath, path)

		for op, f := range c.Filters {
			base := strings.TrimSuffix(f.Param, map[string]string{
				"!=": "_ne", ">=": "_gte", "<=": "_lte", "LIKE": "_like",
			}[op])
			assert.Equal(t, colPath, base, "column %s: filter %s param %s names the column's field", c.Name, op, f.Param)
			switch op {
			case "=", "IN":
				assert.True(t, f.Exact, "column %s: %s is exact", c.Name, op)
				assert.Equal(t, op == "IN", f.Repeat, "column %s: %s repeats", c.Name, op)
			case "LIKE":
				assert.False(t, f.Exact, "column %s: LIKE is re-checked", c.Name)
				assert.Equal(t, catalog.TypeString, typeOf(c))
			}
			if f.Exact {
				checkExactFilter(t, h, path, rows, c, colPath, op, f)
			}
		}
	}
}

func getURL(g *catalog.Get) string {
	if g == nil {
		return ""
	}
	return g.URL
}

func writeURL(w *catalog.Write) string {
	if w == nil {
		return ""
	}
	return w.URL
}

func typeOf(c *catalog.Column) catalog.Type {
	if c.Type == "" {
		return catalog.TypeString
	}
	return c.Type
}

func assertFitsType(t *testing.T, c *catalog.Column, v gjson.Result) {
	t.Helper()
	switch typeOf(c) {
	case catalog.TypeString:
		assert.Equal(t, gjson.String, v.Type, "column %s", c.Name)
	case catalog.TypeInt:
		assert.Equal(t, gjson.Number, v.Type, "column %s", c.Name)
		assert.Equal(t, strconv.FormatInt(v.Int(), 10), v.Raw, "column %s is integral", c.Name)
	case catalog.TypeBool:
		assert.True(t, v.IsBool(), "column %s", c.Name)
	case catalog.TypeDatetime:
		_, err := time.Parse(time.RFC3339, v.String())
		assert.NoError(t, err, "column %s", c.Name)
	case catalog.TypeJSON:
		assert.True(t, v.IsObject() || v.IsArray(), "column %s", c.Name)
	default:
		assert.Failf(t, "unknown type", "column %s: type %s", c.Name, c.Type)
	}
}

// fetch GETs path with params from h and returns the rows.
func fetch(t *testing.T, h http.Handler, path string, params url.Values) []gjson.Result {
	t.Helper()
	target := path
	if len(params) > 0 {
		target += "?" + params.Encode()
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	require.Equal(t, http.StatusOK, rec.Code, "GET %s: %s", target, rec.Body)
	body := gjson.ParseBytes(rec.Body.Bytes())
	require.True(t, body.IsArray(), "GET %s", target)
	return body.Array()
}

// checkExactFilter sends a filter with values taken from the data and
// compares the rows returned with those SQL's operator keeps (NULL never
// matches).
func checkExactFilter(t *testing.T, h http.Handler, path string, rows []gjson.Result, c *catalog.Column, colPath, op string, f *catalog.Filter) {
	t.Helper()
	var samples []gjson.Result
	for _, row := range rows {
		if v := row.Get(colPath); v.Exists() && v.Type != gjson.Null {
			samples = append(samples, v)
		}
	}
	require.NotEmpty(t, samples)
	values := []gjson.Result{samples[len(samples)/3]}
	if op == "IN" {
		values = append(values, samples[len(samples)-1])
	}
	// SQL comparison of a row value with a sample value.
	cmp := func(a, b gjson.Result) int {
		if typeOf(c) == catalog.TypeInt {
			return int(a.Int() - b.Int())
		}
		return strings.Compare(a.String(), b.String())
	}
	keep := func(v gjson.Result) bool {
		if !v.Exists() || v.Type == gjson.Null {
			return false
		}
		switch op {
		case "=":
			return cmp(v, values[0]) == 0
		case "IN":
			return cmp(v, values[0]) == 0 || cmp(v, values[1]) == 0
		case "!=":
			return cmp(v, values[0]) != 0
		case ">=":
			return cmp(v, values[0]) >= 0
		case "<=":
			return cmp(v, values[0]) <= 0
		}
		t.Fatalf("column %s: unexpected exact operator %s", c.Name, op)
		return false
	}
	var want []string
	for _, row := range rows {
		if keep(row.Get(colPath)) {
			want = append(want, row.Raw)
		}
	}
	params := url.Values{}
	for _, v := range values {
		params.Add(f.Param, v.String())
	}
	var got []string
	for _, row := range fetch(t, h, path, params) {
		got = append(got, row.Raw)
	}
	assert.Equal(t, want, got, "column %s: %s %v", c.Name, op, params)
}
