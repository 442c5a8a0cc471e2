package demoapi_test

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"sort"

	"go.yaml.in/yaml/v4"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

// Start serves the demo API on a free loopback port; its answers follow
// json-server's conventions.
func ExampleStart() {
	rs, err := demoapi.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer rs.Close()

	resp, err := http.Get(rs.URL + "/users?address.city=Boston&_sort=name&_page=1&_limit=1")
	if err != nil {
		log.Fatal(err)
	}
	defer resp.Body.Close()
	var users []struct {
		Name string `json:"name"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&users); err != nil {
		log.Fatal(err)
	}
	fmt.Println(resp.Header.Get("X-Total-Count"), users[0].Name)
	fmt.Println(len(rs.Requests()), "request recorded")
	// Output:
	// 2 Barbara Liskov
	// 1 request recorded
}

// ProfileFor gives the restsql profile of a running demo API, for a
// profile file or a catalog built in a test.
func ExampleProfileFor() {
	rs, err := demoapi.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer rs.Close()

	var p catalog.Profile
	if err := yaml.Unmarshal(demoapi.ProfileFor(rs.URL), &p); err != nil {
		log.Fatal(err)
	}
	demo := p.Catalogs[demoapi.CatalogName]
	var tables []string
	for name := range demo.Schemas[demoapi.SchemaName].Tables {
		tables = append(tables, name)
	}
	sort.Strings(tables)
	fmt.Println(demo.URL == rs.URL)
	fmt.Println(tables)
	// Output:
	// true
	// [comments comments_by_post posts posts_by_user todos users]
}
