package restsql_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

// Open restsql with a DSN that names a profile, and query an API table
// with a ? argument. The demo API stands in for a real API here.
func Example() {
	srv, err := demoapi.Start() // the demo API on a free loopback port
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	// A profile file describes the API; this one is the demo API's.
	dir, err := os.MkdirTemp("", "restsql-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	profile := filepath.Join(dir, "demo.yaml")
	if err := os.WriteFile(profile, demoapi.ProfileFor(srv.URL), 0o600); err != nil {
		log.Fatal(err)
	}

	db, err := sql.Open("restsql", "Profile="+profile+";defaultCatalog=Demo")
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	rows, err := db.QueryContext(context.Background(),
		"SELECT id, title FROM posts WHERE userId = ? ORDER BY id LIMIT 3", 2)
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var title string
		if err := rows.Scan(&id, &title); err != nil {
			log.Fatal(err)
		}
		fmt.Println(id, title)
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// 11 laboris similique corrupti pariatur ipsum minim
	// 12 nisi quas nulla
	// 13 officia commodo deserunt reprehenderit fugiat deserunt ea quos
}

// Build the configuration in Go: catalogs parsed from a profile held in
// memory, and a Lookup that resolves the profile's ${DemoURL} placeholder.
func ExampleNewConnector() {
	srv, err := demoapi.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	profile, err := catalog.Parse(demoapi.Profile(), "demo.yaml")
	if err != nil {
		log.Fatal(err)
	}
	cfg := restsql.NewConfig()
	for _, name := range profile.CatalogNames() {
		c, _ := profile.Catalog(name)
		cfg.Catalogs = append(cfg.Catalogs, c)
	}
	cfg.Lookup = func(name string) (string, bool) {
		if name == "DemoURL" {
			return srv.URL, true
		}
		return "", false
	}
	connector, err := restsql.NewConnector(cfg)
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()

	var name string
	var phone sql.NullString // a missing or null field is NULL
	err = db.QueryRowContext(context.Background(),
		"SELECT name, phone FROM Demo.API.users WHERE id = ?", 8).Scan(&name, &phone)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(name, phone.Valid)

	var posts int64
	err = db.QueryRowContext(context.Background(),
		"SELECT COUNT(*) FROM users u JOIN posts p ON p.userId = u.id WHERE u.addressCity = ?", "Boston").Scan(&posts)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(posts, "posts by users in Boston")
	// Output:
	// Ken Thompson false
	// 20 posts by users in Boston
}

// ParseDSN reads the DSN of a hosted connector (jdbc:cdata:Connect:…)
// into a Config. ${Name} placeholders stay as they are until a value is
// used; FormatDSN writes the Config back, here after pointing the default
// catalog at a test server.
func ExampleParseDSN_cdata() {
	cfg, err := restsql.ParseDSN("jdbc:cdata:Connect:AuthScheme=Basic;User=${Username};Password=${Password};" +
		"defaultCatalog=API1;Profile=api.yaml;timeout=30")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cfg.AuthScheme, cfg.User, cfg.DefaultCatalog, cfg.Timeout)

	cfg.URL = "http://127.0.0.1:3000"
	fmt.Println(cfg.FormatDSN())
	// Output:
	// Basic ${Username} API1 30s
	// Profile=api.yaml;defaultCatalog=API1;URL=http://127.0.0.1:3000;AuthScheme=Basic;User=${Username};Password=${Password};Timeout=30
}

// EXPLAIN shows how a query is answered: what goes to the API, what the
// driver does itself, and the requests it will make.
func Example_explain() {
	srv, err := demoapi.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	dir, err := os.MkdirTemp("", "restsql-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	profile := filepath.Join(dir, "demo.yaml")
	if err := os.WriteFile(profile, demoapi.ProfileFor(srv.URL), 0o600); err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open("restsql", "Profile="+profile)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	rows, err := db.QueryContext(context.Background(),
		"EXPLAIN SELECT id, title FROM posts WHERE userId = 2 AND LENGTH(title) > 30 ORDER BY id DESC LIMIT 3")
	if err != nil {
		log.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var parent sql.NullInt64
		var operator string
		var target, detail sql.NullString
		if err := rows.Scan(&id, &parent, &operator, &target, &detail); err != nil {
			log.Fatal(err)
		}
		// The request URLs hold the server's random port: drop the host.
		fmt.Printf("%-8s %s\n", operator, strings.ReplaceAll(detail.String, srv.URL, ""))
	}
	if err := rows.Err(); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Limit    3
	// Project  id, title
	// Filter   LENGTH(title) > 30 (in the driver)
	// Scan     predicates: userId = 2 (exact), LENGTH(title) > 30 (in the driver: not a comparison of a column with a constant); sort pushed: id DESC; limit: LENGTH(title) > 30 is evaluated in the driver; columns: id, title; requests: one per page until the data ends
	// Request  GET /posts?userId=2&_sort=id&_order=desc&_page=1&_limit=20
}
