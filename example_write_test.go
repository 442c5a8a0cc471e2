package restsql_test

import (
	"context"
	"database/sql"
	"fmt"
	"log"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

// Write with ordinary SQL: INSERT posts a row (LastInsertId is the id the
// API gave it), UPDATE patches the rows its WHERE selects and DELETE
// deletes them, each one request per row.
func Example_writes() {
	srv, err := demoapi.Start()
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	cat, err := demoapi.Catalog(srv.URL)
	if err != nil {
		log.Fatal(err)
	}
	cfg := restsql.NewConfig()
	cfg.Catalogs = []*catalog.Catalog{cat}
	connector, err := restsql.NewConnector(cfg)
	if err != nil {
		log.Fatal(err)
	}
	db := sql.OpenDB(connector)
	defer db.Close()
	ctx := context.Background()

	res, err := db.ExecContext(ctx, "INSERT INTO posts (userId, title, body) VALUES (?, ?, ?)", 1, "Hello", "First post")
	if err != nil {
		log.Fatal(err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("inserted", id)

	res, err = db.ExecContext(ctx, "UPDATE posts SET title = CONCAT(title, '!') WHERE id = ?", id)
	if err != nil {
		log.Fatal(err)
	}
	n, _ := res.RowsAffected()
	fmt.Println("updated", n)

	var title string
	if err := db.QueryRowContext(ctx, "SELECT title FROM posts WHERE id = ?", id).Scan(&title); err != nil {
		log.Fatal(err)
	}
	fmt.Println(title)

	res, err = db.ExecContext(ctx, "DELETE FROM posts WHERE userId = 1 AND id > 100")
	if err != nil {
		log.Fatal(err)
	}
	n, _ = res.RowsAffected()
	fmt.Println("deleted", n)

	for _, r := range srv.Requests() {
		if r.Method != "GET" {
			fmt.Println(r.Method, r.Path, string(r.Body))
		}
	}
	// Output:
	// inserted 101
	// updated 1
	// Hello!
	// deleted 1
	// POST /posts {"userId":1,"title":"Hello","body":"First post"}
	// PATCH /posts/101 {"title":"Hello!"}
	// DELETE /posts/101
}
