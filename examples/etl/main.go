// Command etl is a small ETL job to copy from: it reads an API table
// through restsql with a filter the API applies itself (pushed down to a
// URL parameter), splits the read into partitions that run concurrently,
// and writes the rows to a Parquet file, atomically.
//
//	go run ./examples/etl                                  # the embedded demo API → open-todos.parquet
//	go run ./examples/etl -out /tmp/todos.parquet -partitions 8
//	go run ./examples/etl -dsn 'Profile=api.yaml;Token=${API_TOKEN}' \
//	    -query "SELECT id, status, total FROM orders WHERE status = 'open'" -column id
//
// The default query is
//
//	SELECT id, userId, title, dueDate FROM todos WHERE completed = false
//
// restsql sends completed=false to the demo API, and each partition adds
// its id range (id_gte, id_lte), so every request returns only rows the
// job keeps. The same job from the command line is
//
//	restsql export --out open-todos.parquet --partition-column id --partitions 4 "SELECT …"
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"time"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
	"github.com/restsql/restsql/export"
)

const defaultQuery = "SELECT id, userId, title, dueDate FROM todos WHERE completed = false"

func main() {
	dsn := flag.String("dsn", os.Getenv("RESTSQL_DSN"), "restsql DSN (default: the embedded demo API)")
	query := flag.String("query", defaultQuery, "the SELECT to copy")
	column := flag.String("column", "id", "partition column (numbers or datetimes)")
	partitions := flag.Int("partitions", 4, "partitions read concurrently (1: one query)")
	out := flag.String("out", "open-todos.parquet", "Parquet file to write")
	flag.Parse()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	db, closeDB, err := open(*dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etl:", err)
		os.Exit(1)
	}
	start := time.Now()
	n, err := run(ctx, db, Job{Query: *query, Column: *column, Partitions: *partitions, Out: *out})
	closeDB()
	if err != nil {
		fmt.Fprintln(os.Stderr, "etl:", err)
		os.Exit(1)
	}
	fmt.Printf("wrote %d rows to %s in %s\n", n, *out, time.Since(start).Round(time.Millisecond))
}

// Job is one copy: a query, how to partition it and where to write it.
type Job struct {
	Query      string
	Column     string
	Partitions int
	Out        string
}

// run copies the query's rows to the Parquet file and returns how many it
// wrote. The file appears only when every partition succeeded.
func run(ctx context.Context, db *sql.DB, job Job) (int64, error) {
	// The partition queries: the bounds come from MIN(id) and MAX(id)
	// with the query's own filter; id is a key column, so the first
	// partition needs no "OR id IS NULL" and every range is pushed.
	queries, err := restsql.PartitionQueries(ctx, db, job.Query, restsql.Partitioning{Column: job.Column, N: job.Partitions})
	if err != nil {
		return 0, err
	}

	// A temporary file next to the target, renamed when complete.
	f, err := export.Create(job.Out)
	if err != nil {
		return 0, err
	}
	defer f.Abort() // removes the temporary file unless committed

	var (
		mu  sync.Mutex
		enc export.Encoder // created with the first partition's columns
		n   atomic.Int64
	)
	err = restsql.QueryPartitions(ctx, db, queries, nil, func(ctx context.Context, part int, rows *sql.Rows) error {
		// Parquet column types come from the result's column types:
		// INT64, STRING, TIMESTAMP, all optional for NULL.
		cols, err := export.ColumnsOf(rows)
		if err != nil {
			return err
		}
		mu.Lock()
		if enc == nil {
			var e export.Encoder
			if e, err = export.NewEncoder(export.Parquet, f, cols); err == nil {
				enc = export.Synchronized(e) // the partitions share the file
			}
		}
		mu.Unlock()
		if err != nil {
			return err
		}
		k, err := export.Copy(rows, enc, nil)
		n.Add(k)
		return err
	})
	if err != nil {
		return 0, err
	}
	if err := enc.Close(); err != nil {
		return 0, err
	}
	return n.Load(), f.Commit()
}

// open opens the DSN, or the embedded demo API on a loopback port.
func open(dsn string) (*sql.DB, func(), error) {
	if dsn != "" {
		db, err := sql.Open("restsql", dsn)
		if err != nil {
			return nil, nil, err
		}
		return db, func() { db.Close() }, nil
	}
	srv, err := demoapi.Start()
	if err != nil {
		return nil, nil, err
	}
	db, err := openDemo(srv.URL)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	return db, func() { db.Close(); srv.Close() }, nil
}

// openDemo opens restsql on the demo API at baseURL, with its embedded
// profile.
func openDemo(baseURL string) (*sql.DB, error) {
	p, err := catalog.Parse(demoapi.ProfileFor(baseURL), "demoapi/profile.yaml")
	if err != nil {
		return nil, err
	}
	cfg := restsql.NewConfig()
	for _, name := range p.CatalogNames() {
		c, _ := p.Catalog(name)
		cfg.Catalogs = append(cfg.Catalogs, c)
	}
	conn, err := restsql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return sql.OpenDB(conn), nil
}
