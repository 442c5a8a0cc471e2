// Command restsql queries REST APIs with SQL through the restsql driver.
//
//	restsql query [--dsn DSN] [--format table|csv|json] "SQL" [args...]
//	restsql export [--dsn DSN] [--format csv|jsonl|parquet] --out PATH [--partition-column C --partitions N] "SQL" [args...]
//	restsql demo [--listen 127.0.0.1:3000]
//	restsql serve [--dsn DSN] [--listen 127.0.0.1:5433] [--users users.yaml] [--tls-cert F --tls-key F]
//	restsql discover [--header 'K: V']... [--auth-bearer TOKEN | --auth-basic USER:PASS | --api-key NAME=VALUE] [--name TABLE] [--profile] URL
//	restsql openapi [--catalog NAME] [--url BASE] spec.yaml
//
// Without --dsn (or RESTSQL_DSN), query starts the embedded demo API on a
// loopback port and queries it: catalog Demo, schema API, tables users,
// posts, comments, todos, comments_by_post and posts_by_user.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

const usage = `usage:
  restsql query [--dsn DSN] [--format table|csv|json] "SQL" [args...]
      Run one SQL statement and print its rows. Arguments after the SQL bind
      its ? placeholders (numbers are passed as numbers). Without --dsn (or
      the RESTSQL_DSN environment variable) it queries the embedded demo API.
  restsql export [--dsn DSN] [--format csv|jsonl|parquet] --out PATH
                 [--partition-column C --partitions N [--lower L] [--upper U]] "SQL" [args...]
      Stream a query's rows to a CSV, JSON Lines or Parquet file, written
      atomically; with partitions, N range queries on C run concurrently.
  restsql demo [--listen 127.0.0.1:3000]
      Serve the embedded demo API until interrupted, and print its profile.
  restsql serve [--dsn DSN] [--listen 127.0.0.1:5433] [--users users.yaml]
                [--tls-cert cert.pem --tls-key key.pem] [--auth scram-sha-256|password]
      Serve the tables over the PostgreSQL protocol (psql, JDBC, Spark) until
      interrupted; without --dsn, the demo API. Without --users it trusts every
      client and listens on loopback only. --hash-password reads a password on
      stdin and prints the verifier for a users file (docs/server.md).
  restsql discover [--header 'K: V']... [--auth-bearer TOKEN | --auth-basic USER:PASS |
                   --api-key NAME=VALUE] [--name TABLE] [--catalog NAME] [--profile] URL
      Fetch one response, infer a table (rows, columns, types, pagination) and
      print it as YAML to paste into a profile; --profile prints a whole profile.
  restsql openapi [--catalog NAME] [--url BASE] spec.yaml > profile.yaml
      Turn an OpenAPI 3.0 or 3.1 document (YAML or JSON) into a profile.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "error:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "query":
		return runQuery(ctx, args[1:], stdout, stderr)
	case "export":
		return runExport(ctx, args[1:], stdout, stderr)
	case "demo":
		return runDemo(ctx, args[1:], stdout, stderr)
	case "serve":
		return runServe(ctx, args[1:], stdout, stderr)
	case "discover":
		return runDiscover(ctx, args[1:], stdout, stderr)
	case "openapi":
		return runOpenAPI(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

func runQuery(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("query", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("dsn", os.Getenv("RESTSQL_DSN"), "restsql DSN (default: the embedded demo API)")
	format := fs.String("format", "table", "output format: table, csv or json")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return errors.New(`query needs a SQL statement, e.g. restsql query "SELECT id, title FROM posts LIMIT 3"`)
	}
	wr, err := newWriter(*format, stdout)
	if err != nil {
		return err
	}
	db, closeDB, err := openDB(*dsn)
	if err != nil {
		return err
	}
	defer closeDB()
	stmtArgs := make([]any, 0, fs.NArg()-1)
	for _, a := range fs.Args()[1:] {
		stmtArgs = append(stmtArgs, argValue(a))
	}
	query := fs.Arg(0)
	if isWrite(query) {
		res, err := db.ExecContext(ctx, query, stmtArgs...)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return err
		}
		msg := fmt.Sprintf("%d rows affected", n)
		if n == 1 {
			msg = "1 row affected"
		}
		if id, err := res.LastInsertId(); err == nil {
			msg += fmt.Sprintf(" (last insert id %d)", id)
		}
		_, err = fmt.Fprintln(stdout, msg)
		return err
	}
	rows, err := db.QueryContext(ctx, query, stmtArgs...)
	if err != nil {
		return err
	}
	defer rows.Close()
	_, err = printRows(rows, wr)
	return err
}

// isWrite reports whether a statement is an INSERT, UPDATE or DELETE (its
// first word, after comments and space).
func isWrite(query string) bool {
	q := strings.TrimSpace(query)
	for strings.HasPrefix(q, "--") || strings.HasPrefix(q, "/*") {
		if strings.HasPrefix(q, "--") {
			i := strings.IndexByte(q, '\n')
			if i < 0 {
				return false
			}
			q = strings.TrimSpace(q[i+1:])
			continue
		}
		i := strings.Index(q, "*/")
		if i < 0 {
			return false
		}
		q = strings.TrimSpace(q[i+2:])
	}
	word, _, _ := strings.Cut(q, " ")
	switch strings.ToUpper(strings.TrimRight(word, "\n\t(")) {
	case "INSERT", "UPDATE", "DELETE":
		return true
	}
	return false
}

// argValue reads a command-line argument as an integer or float when it is
// one, else as a string.
func argValue(s string) any {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && !strings.ContainsAny(s, "xXnN") {
		return f
	}
	return s
}

// openDB opens the DSN, or the embedded demo API when dsn is empty.
func openDB(dsn string) (*sql.DB, func(), error) {
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
	cfg, err := demoConfig(srv.URL)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	conn, err := restsql.NewConnector(cfg)
	if err != nil {
		srv.Close()
		return nil, nil, err
	}
	db := sql.OpenDB(conn)
	return db, func() { db.Close(); srv.Close() }, nil
}

// demoConfig is the Config that queries a running demo API.
func demoConfig(baseURL string) (*restsql.Config, error) {
	cat, err := demoapi.Catalog(baseURL)
	if err != nil {
		return nil, err
	}
	cfg := restsql.NewConfig()
	cfg.Catalogs = []*catalog.Catalog{cat}
	return cfg, nil
}

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:3000", "loopback address to serve the demo API on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := demoapi.New().Listen(*listen)
	if err != nil {
		return err
	}
	defer srv.Close()
	fmt.Fprintf(stderr, "demo API on %s (Ctrl-C to stop); its profile:\n", srv.URL)
	if _, err := stdout.Write(demoapi.ProfileFor(srv.URL)); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}
