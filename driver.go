// Package restsql is a database/sql driver that makes REST APIs look like
// SQL tables.
//
// A profile (YAML or JSON) defines catalogs — API connections with a base
// URL, auth, headers and pagination — and their tables, each one endpoint
// with its columns (gjson paths) and the URL parameters that filters, sorts
// and limits can be pushed into. SQL names a table catalog.schema.table:
//
//	db, err := sql.Open("restsql",
//	    "cdata:Connect:AuthScheme=Basic;User=${User};Password=${Password};defaultCatalog=API1;Profile=api.yaml")
//	rows, err := db.QueryContext(ctx, "SELECT title, body FROM API1.API.posts WHERE userId = ?", 3)
//
// Each query becomes the fewest HTTP requests that answer it: predicates,
// ORDER BY, LIMIT and the needed columns go into the request where the
// profile says the API can apply them, pages are walked lazily, and the
// driver computes the rest (residual filters, joins, aggregates) itself.
package restsql

import (
	"context"
	"database/sql"
	"database/sql/driver"
)

// Driver is the restsql database/sql driver, registered as "restsql".
type Driver struct{}

// Compile-time checks.
var (
	_ driver.Driver        = Driver{}
	_ driver.DriverContext = Driver{}
)

func init() {
	sql.Register("restsql", Driver{})
}

// Open implements driver.Driver. database/sql prefers OpenConnector; Open
// parses the DSN each time it is called.
func (d Driver) Open(dsn string) (driver.Conn, error) {
	c, err := d.OpenConnector(dsn)
	if err != nil {
		return nil, err
	}
	return c.Connect(context.Background())
}

// OpenConnector implements driver.DriverContext: it parses the DSN and
// loads the profile once for all connections of a *sql.DB.
func (d Driver) OpenConnector(dsn string) (driver.Connector, error) {
	cfg, err := ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return NewConnector(cfg)
}
