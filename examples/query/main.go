// Command query is a small restsql program to copy from: it opens the
// driver, runs one parameterised query with a timeout, scans typed columns
// and prints them.
//
//	go run ./examples/query                        # the embedded demo API
//	go run ./examples/query -user 6 -limit 3
//	go run ./examples/query -profile examples/jsonplaceholder/profile.yaml -url http://127.0.0.1:3000
//	go run ./examples/query -dsn 'Profile=api.yaml;AuthScheme=Bearer;Token=${API_TOKEN}'
//
// The query joins two tables of a JSONPlaceholder-shaped API (posts and
// users), so it runs against the demo API, against json-server with
// examples/jsonplaceholder/profile.yaml, or against any profile whose tables
// have those names and columns.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"text/tabwriter"
	"time"

	"github.com/restsql/restsql" // registers the "restsql" driver with database/sql
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

// postsQuery has two ? placeholders: the user id and the row limit. The
// driver sends userId = ? and ORDER BY to the API as URL parameters; the
// join and the limit it applies itself where the API cannot.
const postsQuery = `
SELECT p.id, p.title, u.name, u.website
FROM posts p
JOIN users u ON u.id = p.userId
WHERE p.userId = ?
ORDER BY p.id
LIMIT ?`

func main() {
	dsn := flag.String("dsn", os.Getenv("RESTSQL_DSN"), "restsql DSN, such as 'Profile=api.yaml;Token=${API_TOKEN}' (default: $RESTSQL_DSN)")
	profile := flag.String("profile", "", "profile file to open when -dsn is not given")
	baseURL := flag.String("url", "", "with -profile: the API's base URL, overriding the profile's")
	user := flag.Int64("user", 1, "user id whose posts to list")
	limit := flag.Int("limit", 5, "number of posts to print")
	timeout := flag.Duration("timeout", 30*time.Second, "time allowed for the whole query")
	flag.Parse()

	// Stop on Ctrl-C: cancelling the context stops the requests in flight.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if err := run(ctx, *dsn, *profile, *baseURL, *user, *limit, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "query:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, dsn, profile, baseURL string, user int64, limit int, timeout time.Duration) error {
	db, closeDB, err := open(dsn, profile, baseURL)
	if err != nil {
		return err
	}
	defer closeDB()

	// The timeout covers the whole query: every HTTP request it makes and
	// reading the rows. (The DSN's Timeout property bounds each request.)
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	rows, err := db.QueryContext(ctx, postsQuery, user, limit)
	if err != nil {
		// A bad profile, an unknown column or the API's first error
		// surfaces here, before any row is read.
		return err
	}
	defer rows.Close()

	w := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ID\tTITLE\tAUTHOR\tWEBSITE")
	n := 0
	for rows.Next() {
		var (
			id      int64          // an int column
			title   string         // string columns that are never NULL here
			author  string         //   (scanning NULL into a string is an error)
			website sql.NullString // NULL when the user has no website
		)
		if err := rows.Scan(&id, &title, &author, &website); err != nil {
			return err
		}
		site := "-"
		if website.Valid {
			site = website.String
		}
		fmt.Fprintf(w, "%d\t%s\t%s\t%s\n", id, title, author, site)
		n++
	}
	// Errors while paging (a failed request, the timeout) end the loop
	// early: always check rows.Err.
	if err := rows.Err(); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Printf("(%d posts)\n", n)
	return nil
}

// open returns a *sql.DB for the DSN, else for the profile file, else for
// the embedded demo API, which it starts on a loopback port; closeDB closes
// the database and stops the demo API.
func open(dsn, profile, baseURL string) (db *sql.DB, closeDB func(), err error) {
	switch {
	case dsn != "" && baseURL != "":
		return nil, nil, errors.New("-url goes with -profile; in a DSN, set URL=")

	case dsn != "":
		// The usual way: a DSN string, as a configuration file would hold it.
		db, err = sql.Open("restsql", dsn)
		if err != nil {
			return nil, nil, err
		}
		return db, func() { db.Close() }, nil

	case profile != "":
		// The same in Go: a Config, with no DSN quoting to get right.
		cfg := restsql.NewConfig()
		cfg.Profile = profile
		cfg.URL = baseURL
		connector, err := restsql.NewConnector(cfg)
		if err != nil {
			return nil, nil, err
		}
		db = sql.OpenDB(connector)
		return db, func() { db.Close() }, nil

	case baseURL != "":
		return nil, nil, errors.New("-url needs -profile")
	}

	// No DSN and no profile: serve the demo API and describe it with its
	// embedded profile, parsed in memory. The profile's catalog URL is the
	// placeholder ${DemoURL}, which Lookup resolves to the server's address.
	srv, err := demoapi.Start()
	if err != nil {
		return nil, nil, err
	}
	p, err := catalog.Parse(demoapi.Profile(), "demoapi/profile.yaml")
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	cfg := restsql.NewConfig()
	for _, name := range p.CatalogNames() {
		c, _ := p.Catalog(name)
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
		srv.Close()
		return nil, nil, err
	}
	db = sql.OpenDB(connector)
	return db, func() { db.Close(); srv.Close() }, nil
}
