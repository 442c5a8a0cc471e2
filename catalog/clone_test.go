package catalog

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fullProfile sets every field of every type, so that Clone is checked for
// all of them.
func fullProfile() *Profile {
	return &Profile{
		Path: "full.yaml",
		Catalogs: map[string]*Catalog{
			"A": {
				Name: "A", Description: "d", URL: "http://a",
				Auth: &Auth{Scheme: "OAuth2", User: "u", Password: "p", Token: "t", Key: "k", Name: "n", In: "query",
					ClientID: "ci", ClientSecret: "cs", TokenURL: "tu", Scopes: []string{"a", "b"}, RefreshToken: "rt", GrantType: "password",
					PrivateKey: "pk", Claims: map[string]any{"iss": "x"}, BaseURLFrom: "instance_url"},
				Headers:    map[string]string{"h": "v"},
				Params:     map[string]string{"p": "v"},
				Pagination: &Pagination{Type: "cursor", PageSize: 3, Start: ptr(1), StopPath: "end", EmptyPageStops: ptr(false), CursorBody: "after"},
				ErrorWhen:  &ErrorWhen{Path: "ok", Equals: false, Message: "error"},
				RateLimit:  &RateLimit{Remaining: "r", Reset: "x", ResetFormat: "unix"},
				Schemas: map[string]*Schema{
					"S": {Name: "S", Tables: map[string]*Table{
						"t": {
							Name: "t", SchemaName: "S", CatalogName: "A", Description: "d", URL: "/t/{id}",
							Params: map[string]string{"a": "b"}, Headers: map[string]string{"c": "d"}, Rows: "data",
							Columns: []*Column{
								{Name: "id", Path: "id", Type: "int", Key: true, ReadOnly: true, Description: "x",
									Filters: map[string]*Filter{"=": {Param: "id", Body: "filter.and.-1", Value: "{}", Quote: "'", Escape: "double", Exact: true, Like: "regex", Format: "date"}, "<": nil}},
								nil,
								{Name: "d", Type: "datetime", Format: "unix", Formats: []string{"unix", "unixms"}, Implicit: true},
							},
							Strict:     true,
							Combine:    map[string]*Combine{"filter": {Sep: " && ", Base: "b", Prefix: "(", Suffix: ")"}, "nil": nil},
							Pagination: &Pagination{Type: "offset", Start: ptr(0)},
							Sort:       &Sort{Param: "s", Order: "o", Value: "{column}", Asc: ptr(""), Desc: ptr("-"), Join: ",", Nulls: "high", Append: true, Columns: []string{"id"}, Body: "sorts.-1"},
							Limit:      &Limit{Param: "l", Body: "page_size"},
							Select:     &Select{Param: "s", Join: ",", Body: "properties"},
							Get:        &Get{URL: "/t/{id}", Rows: "", Params: map[string]string{"x": "y"}},
							Insert:     &Write{Method: "POST", URL: "/t", Headers: map[string]string{"a": "b"}, Wrap: "data"},
							Update:     &Write{Method: "PATCH", URL: "/t/{id}"},
							Delete:     &Write{Method: "DELETE", URL: "/t/{id}"},
							Method:     "POST",
							Body:       map[string]any{"filter": map[string]any{"and": []any{"x"}}, "n": 1},
							GraphQL:    &GraphQL{Query: "query { x }", Variables: map[string]any{"first": 10, "o": map[string]any{"a": []any{1}}}},
							ColumnsFrom: &ColumnsFrom{URL: "/fields", Rows: "fields", Name: "name", Path: "fields.{id}",
								Type: &ColumnsFromType{Path: "schema.type", Map: map[string]Type{"number": "float"}}},
						},
						"nil": nil,
					}},
					"nil": nil,
				},
			},
			"nil": nil,
		},
	}
}

func TestClone(t *testing.T) {
	p := fullProfile()
	cp := p.Clone()
	require.Equal(t, p, cp)
	assertNoSharedMemory(t, reflect.ValueOf(p), reflect.ValueOf(cp), "Profile")

	// Changing the copy leaves the original alone.
	cp.Catalogs["A"].Schemas["S"].Tables["t"].Columns[0].Filters["="].Param = "changed"
	*cp.Catalogs["A"].Pagination.Start = 7
	assert.Equal(t, "id", p.Catalogs["A"].Schemas["S"].Tables["t"].Columns[0].Filters["="].Param)
	assert.Equal(t, 1, *p.Catalogs["A"].Pagination.Start)

	var nilProfile *Profile
	assert.Nil(t, nilProfile.Clone())
	var nilCatalog *Catalog
	assert.Nil(t, nilCatalog.Clone())
	assert.Equal(t, &Profile{}, (&Profile{}).Clone())
}

func TestCloneLoaded(t *testing.T) {
	p, err := Load("testdata/api.yaml")
	require.NoError(t, err)
	cp := p.Clone()
	require.Equal(t, p, cp)
	assertNoSharedMemory(t, reflect.ValueOf(p), reflect.ValueOf(cp), "Profile")
}

// assertNoSharedMemory fails when a and b (deeply equal values) hold the
// same non-nil pointer, map or slice anywhere.
func assertNoSharedMemory(t *testing.T, a, b reflect.Value, path string) {
	t.Helper()
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return
		}
		assert.NotEqual(t, a.Pointer(), b.Pointer(), "shared pointer at %s", path)
		assertNoSharedMemory(t, a.Elem(), b.Elem(), path)
	case reflect.Map:
		if a.IsNil() {
			return
		}
		assert.NotEqual(t, a.Pointer(), b.Pointer(), "shared map at %s", path)
		for _, k := range a.MapKeys() {
			assertNoSharedMemory(t, a.MapIndex(k), b.MapIndex(k), path+"["+k.String()+"]")
		}
	case reflect.Slice:
		if a.IsNil() || a.Len() == 0 {
			return
		}
		assert.NotEqual(t, a.Pointer(), b.Pointer(), "shared slice at %s", path)
		for i := 0; i < a.Len(); i++ {
			assertNoSharedMemory(t, a.Index(i), b.Index(i), path)
		}
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			assertNoSharedMemory(t, a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name)
		}
	}
}

// TestFullProfileCoversEveryReference guards TestClone: every pointer, map
// and slice field of the profile types must be set somewhere in
// fullProfile, so a field added later without a deep copy in Clone fails.
func TestFullProfileCoversEveryReference(t *testing.T) {
	set := map[string]bool{}
	var walk func(v reflect.Value)
	walk = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem())
			}
		case reflect.Map:
			for _, k := range v.MapKeys() {
				walk(v.MapIndex(k))
			}
		case reflect.Slice:
			for i := 0; i < v.Len(); i++ {
				walk(v.Index(i))
			}
		case reflect.Struct:
			for i := 0; i < v.NumField(); i++ {
				f := v.Field(i)
				switch f.Kind() {
				case reflect.Pointer, reflect.Map, reflect.Slice:
					if !f.IsNil() && (f.Kind() == reflect.Pointer || f.Len() > 0) {
						set[v.Type().Name()+"."+v.Type().Field(i).Name] = true
					}
				}
				walk(f)
			}
		}
	}
	walk(reflect.ValueOf(fullProfile()))
	for name, typ := range profileTypes {
		for i := 0; i < typ.NumField(); i++ {
			switch typ.Field(i).Type.Kind() {
			case reflect.Pointer, reflect.Map, reflect.Slice:
				field := typ.Name() + "." + typ.Field(i).Name
				assert.True(t, set[field], "fullProfile does not set %s (%s)", field, name)
			}
		}
	}
}
