package server_test

import (
	"context"
	"fmt"
	"net"

	"github.com/jackc/pgx/v5"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
	"github.com/restsql/restsql/server"
)

// Serve the demo API's tables over the PostgreSQL protocol and query them
// with pgx, as psql or a JDBC reader would.
func Example() {
	api, _ := demoapi.Start()
	defer api.Close()
	profile, _ := catalog.Parse(demoapi.ProfileFor(api.URL), "demo.yaml")
	cfg := restsql.NewConfig()
	for _, name := range profile.CatalogNames() {
		c, _ := profile.Catalog(name)
		cfg.Catalogs = append(cfg.Catalogs, c)
	}

	srv, err := server.New(server.Config{Driver: cfg})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer srv.Close()
	ln, _ := net.Listen("tcp", "127.0.0.1:0") // no users file: loopback only
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln) }()

	conn, err := pgx.Connect(context.Background(), "postgres://me@"+ln.Addr().String()+"/restsql?sslmode=disable")
	if err != nil {
		fmt.Println(err)
		return
	}
	rows, _ := conn.Query(context.Background(), `SELECT "id", "title" FROM "posts" WHERE "userId" = $1 ORDER BY "id" LIMIT 2`, 3)
	for rows.Next() {
		var id int64
		var title string
		_ = rows.Scan(&id, &title)
		fmt.Println(id, title)
	}
	conn.Close(context.Background())
	cancel()
	fmt.Println(<-done)
	// Output:
	// 21 ipsum molestias aliquip blanditiis amet et
	// 22 id dolor laboris iusto dolore minim cillum deserunt
	// <nil>
}
