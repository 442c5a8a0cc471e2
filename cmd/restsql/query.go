package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/planner"
)

// queryFlags are the flags of query (and the output ones of shell).
type queryFlags struct {
	dsn    string
	file   string
	output outputOptions
	// allowUnfiltered lets UPDATE and DELETE without WHERE run (DSN
	// SafeUpdates=false).
	allowUnfiltered bool
}

// addDSNFlags adds --dsn and --allow-unfiltered-writes.
func addDSNFlags(cmd *cobra.Command, f *queryFlags) {
	fl := cmd.Flags()
	fl.StringVar(&f.dsn, "dsn", os.Getenv("RESTSQL_DSN"), "restsql DSN (default: $RESTSQL_DSN, else the embedded demo API)")
	fl.BoolVar(&f.allowUnfiltered, "allow-unfiltered-writes", false, "let UPDATE and DELETE without WHERE change every row (the DSN's SafeUpdates=false)")
}

// open opens the DSN (or the demo API) with the flags' settings.
func (f queryFlags) open(requests *pageCounter) (*sql.DB, func(), error) {
	return openExportDB(f.dsn, requests, 1, func(cfg *restsql.Config) {
		if f.allowUnfiltered {
			cfg.AllowUnfilteredWrites = true
		}
	})
}

// unfilteredHint adds the flag that allows an UPDATE or DELETE without WHERE
// to the driver's refusal.
func unfilteredHint(err error) error {
	var ue *planner.UnfilteredError
	if errors.As(err, &ue) {
		return fmt.Errorf("%w; on the command line: --allow-unfiltered-writes", err)
	}
	return err
}

func newQueryCmd() *cobra.Command {
	var f queryFlags
	cmd := &cobra.Command{
		Use:   `query [flags] ("SQL" | -f FILE | -) [args...]`,
		Short: "Run one SQL statement and print its rows",
		Long: `Run one SQL statement and print its rows (or, for INSERT, UPDATE and
DELETE, the rows affected). The statement comes from the first argument, from
a file (-f FILE), or from standard input ("-" or -f -). The arguments after it
bind its ? placeholders in order; numbers are passed as numbers. Put "--"
before arguments that start with "-" (negative numbers).

Without --dsn (or the RESTSQL_DSN environment variable) it queries the
embedded demo API.

Table output shows NULL as ∅ (--null), right-aligns numbers and, on a
terminal, cuts values to fit its width with … (--max-width). csv, json and
jsonl stream rows as they arrive; json and jsonl embed json columns.`,
		Example: `  restsql query "SELECT id, title FROM posts WHERE userId = 1 LIMIT 3"
  restsql query "SELECT * FROM users WHERE id <= ?" 3 --format csv
  restsql query -f report.sql --format jsonl > report.jsonl
  echo "SELECT COUNT(*) FROM todos" | restsql query -
  restsql query "EXPLAIN SELECT id FROM posts WHERE userId = 2 ORDER BY id DESC LIMIT 3"
  restsql query --dsn "Profile=api.yaml;Token=\${API_TOKEN}" "SELECT * FROM API1.API.posts LIMIT 5"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runQuery(cmd.Context(), f, args, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addDSNFlags(cmd, &f)
	cmd.Flags().StringVarP(&f.file, "file", "f", "", `read the statement from FILE ("-": standard input)`)
	addOutputFlags(cmd, &f.output)
	return cmd
}

// statementFrom returns the statement and its arguments from -f or the
// first argument ("-": standard input).
func statementFrom(file string, args []string) (string, []string, error) {
	var data []byte
	var err error
	switch {
	case file == "-":
		data, err = io.ReadAll(stdin)
	case file != "":
		data, err = os.ReadFile(file)
	case len(args) == 0:
		return "", nil, usagef(`query needs a SQL statement, e.g. restsql query "SELECT id, title FROM posts LIMIT 3" (or -f FILE, or - for standard input)`)
	case args[0] == "-":
		data, err = io.ReadAll(stdin)
		args = args[1:]
	default:
		return args[0], args[1:], nil
	}
	if err != nil {
		return "", nil, fmt.Errorf("query: reading the statement: %w", err)
	}
	q := strings.TrimSpace(string(data))
	if q == "" {
		where := "standard input"
		if file != "" && file != "-" {
			where = file
		}
		return "", nil, usagef("query: %s holds no statement", where)
	}
	return q, args, nil
}

func runQuery(ctx context.Context, f queryFlags, args []string, stdout, stderr io.Writer) error {
	query, rest, err := statementFrom(f.file, args)
	if err != nil {
		return err
	}
	out, err := f.output.resolve(stdout)
	if err != nil {
		return err
	}
	// Requests counted for the progress line; closing the DB closes the
	// transport's connections.
	requests := &pageCounter{}
	db, closeDB, err := f.open(requests)
	if err != nil {
		return err
	}
	defer closeDB()
	stmtArgs := make([]any, 0, len(rest))
	for _, a := range rest {
		stmtArgs = append(stmtArgs, argValue(a))
	}
	return execute(ctx, db, query, stmtArgs, out, stdout, newActivity(ctx, stderr, requests.n.Load))
}

// execute runs one statement and prints its result: the rows, or the rows
// affected by a write.
func execute(ctx context.Context, db *sql.DB, query string, args []any, out outputOptions, stdout io.Writer, act *activity) error {
	defer act.stop()
	if isWrite(query) {
		res, err := db.ExecContext(ctx, query, args...)
		if err != nil {
			return unfilteredHint(err)
		}
		act.stop()
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
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	_, err = printRows(rows, out, stdout, act)
	return err
}
