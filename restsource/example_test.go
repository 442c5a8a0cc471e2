package restsource_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/restsource"
)

// Example reads the posts of one user from a json-server-like API: the
// predicate goes into the URL, the pages are walked, and the rows are typed.
func Example() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("_page") != "1" {
			_, _ = io.WriteString(w, `[]`)
			return
		}
		_, _ = io.WriteString(w, `[{"id":6,"userId":2,"title":"hello"},{"id":7,"userId":2,"title":"world"}]`)
	}))
	defer srv.Close()

	posts := &catalog.Table{
		Name: "posts", SchemaName: "API", CatalogName: "API1", URL: "/posts",
		Columns: []*catalog.Column{
			{Name: "id", Path: "id", Type: catalog.TypeInt},
			{Name: "userId", Path: "userId", Type: catalog.TypeInt, Filters: map[string]*catalog.Filter{
				"=": {Param: "userId", Value: "{}", Exact: true},
			}},
			{Name: "title", Path: "title", Type: catalog.TypeString},
		},
	}
	cat := &catalog.Catalog{
		Name: "API1", URL: srv.URL,
		// MaxPageSize is the API's documented cap: a short page is its last.
		Pagination: &catalog.Pagination{Type: catalog.PagePage, PageParam: "_page", SizeParam: "_limit", PageSize: 50, MaxPageSize: 100},
	}
	src, err := restsource.New(cat, posts, restsource.Options{})
	if err != nil {
		panic(err)
	}
	plan, err := src.Plan(restsource.Query{
		Predicates: []restsource.Predicate{{Column: "userId", Op: "=", Values: []any{int64(2)}}},
		Columns:    []string{"id", "title"},
		Limit:      -1,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(plan.Pushed[0] == restsource.Exact)
	fmt.Println(strings.TrimPrefix(plan.Requests()[0], "GET "+srv.URL))

	rows, err := src.Scan(context.Background(), plan)
	if err != nil {
		panic(err)
	}
	defer rows.Close()
	dest := make([]any, len(plan.Columns()))
	for rows.Next(dest) == nil {
		fmt.Println(dest[0], dest[1])
	}
	fmt.Printf("%+v\n", rows.Stats())
	// Output:
	// true
	// /posts?userId=2&_page=1&_limit=50
	// 6 hello
	// 7 world
	// {Requests:1 Pages:1 Rows:2}
}
