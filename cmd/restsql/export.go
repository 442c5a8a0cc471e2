package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	flag "github.com/spf13/pflag"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/demoapi"
	"github.com/restsql/restsql/export"
	"github.com/restsql/restsql/incremental"
)

const exportUsage = `usage: restsql export [--dsn DSN] [--format csv|jsonl|parquet] --out PATH
                      [--partition-column C --partitions N [--lower L] [--upper U]]
                      [--incremental COLUMN --state FILE]
                      "SELECT …" [args...]

Streams the rows of a query to a file, written atomically (a temporary file
in the same directory, renamed at the end; removed on failure). --format
defaults to the extension of --out. Without --dsn (or RESTSQL_DSN) it reads
the embedded demo API.

Partitioned reads run N range queries on column C concurrently, each with its
range pushed to the API where the profile allows it; the bounds default to
MIN(C) and MAX(C). The partitions go to one merged file, or one file each when
--out is a directory (ending in / or existing: DIR/part-00000.csv, …) or holds
{part} (out-{part}.csv: out-00000.csv, …).

Incremental reads (--incremental updated_at --state state.json) add
"updated_at >= <mark>" to the query, drop the rows at the mark that earlier
runs wrote, and save the new mark to the state file only once the output
is complete; the first run (no state file) reads everything.

Flags:
`

// pageCounter counts the HTTP requests sent (one per page read).
type pageCounter struct {
	base http.RoundTripper
	n    atomic.Int64
}

func (c *pageCounter) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return c.base.RoundTrip(r)
}

type exportOptions struct {
	dsn, out, format string
	column           string
	partitions       int
	lower, upper     string
	query            string
	args             []any
	// incremental and state are --incremental and --state; inc is their run.
	incremental, state string
	inc                *incremental.Run
}

func runExport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), exportUsage)
		fs.PrintDefaults()
	}
	var o exportOptions
	fs.StringVar(&o.dsn, "dsn", os.Getenv("RESTSQL_DSN"), "restsql DSN (default: the embedded demo API)")
	fs.StringVar(&o.format, "format", "", "csv, jsonl or parquet (default: from the --out extension)")
	fs.StringVar(&o.out, "out", "", "output file; with partitions, a directory or a {part} pattern for one file each")
	fs.StringVar(&o.column, "partition-column", "", "column to split the query on (numbers or datetimes)")
	fs.IntVar(&o.partitions, "partitions", 0, "number of partitions read concurrently")
	fs.StringVar(&o.lower, "lower", "", "lower bound of the partition strides (default: MIN of the column)")
	fs.StringVar(&o.upper, "upper", "", "upper bound of the partition strides (default: MAX of the column)")
	fs.StringVar(&o.incremental, "incremental", "", "read only the rows whose column is at or past the mark in --state (updated_at)")
	fs.StringVar(&o.state, "state", "", "the state file of --incremental: read, and written once the output is complete")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef(`export needs a SQL query, e.g. restsql export --out posts.csv "SELECT * FROM posts"`)
	}
	o.query = fs.Arg(0)
	for _, a := range fs.Args()[1:] {
		o.args = append(o.args, argValue(a))
	}
	format, err := o.check()
	if err != nil {
		return err
	}
	if err := o.startIncremental(); err != nil {
		return err
	}
	pages := &pageCounter{}
	db, closeDB, err := openExportDB(o.dsn, pages, max(o.partitions, 1))
	if err != nil {
		return err
	}
	defer closeDB()

	progress := export.NewProgress(stderr, pages.n.Load)
	var files []string
	var parts int
	if o.column == "" {
		files, err = exportOne(ctx, db, o, format, progress)
		parts = 1
	} else {
		files, parts, err = exportPartitions(ctx, db, o, format, progress)
	}
	st := progress.Finish()
	if err != nil {
		return err
	}
	if err := o.commitIncremental(stderr); err != nil {
		return err
	}
	where := files[0]
	if len(files) > 1 {
		where = fmt.Sprintf("%d files (%s, …)", len(files), files[0])
	}
	partsNote := ""
	if parts > 1 {
		partsNote = fmt.Sprintf(", %d partitions", parts)
	}
	fmt.Fprintf(stderr, "exported %d %s to %s (%s%s) in %s: %d requests, %.0f rows/s\n",
		st.Rows, plural(st.Rows, "row"), where, format, partsNote, st.Elapsed.Round(time.Millisecond), st.Pages, st.RowsPerSecond())
	return nil
}

func plural(n int64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// check validates the flags and returns the format.
func (o *exportOptions) check() (export.Format, error) {
	switch {
	case o.out == "":
		return "", errors.New("export needs --out PATH")
	case o.column == "" && (o.partitions != 0 || o.lower != "" || o.upper != ""):
		return "", errors.New("export: --partitions, --lower and --upper need --partition-column")
	case o.column != "" && o.partitions < 1:
		return "", errors.New("export: --partition-column needs --partitions N (1 or more)")
	case o.column == "" && (isDirTarget(o.out) || strings.Contains(o.out, "{part}")):
		return "", fmt.Errorf("export: --out %s is for partitioned exports; name a file", o.out)
	}
	name := o.format
	if name == "" {
		name = strings.TrimPrefix(filepath.Ext(strings.ReplaceAll(o.out, "{part}", "")), ".")
		if name == "" {
			return "", fmt.Errorf("export: say --format csv, jsonl or parquet (--out %s has no extension)", o.out)
		}
	}
	return export.ParseFormat(name)
}

// isDirTarget reports whether --out names a directory.
func isDirTarget(out string) bool {
	if strings.HasSuffix(out, "/") || strings.HasSuffix(out, string(filepath.Separator)) {
		return true
	}
	st, err := os.Stat(out)
	return err == nil && st.IsDir()
}

// openExportDB opens the DSN, or the demo API, counting the pages read
// through the driver's own transport, sized for the partitions' queries
// at once (one pool of connections for all of them); closing the DB
// closes its idle connections. options change the Config first.
func openExportDB(dsn string, pages *pageCounter, queries int, options ...func(*restsql.Config)) (*sql.DB, func(), error) {
	var cfg *restsql.Config
	closeSrv := func() {}
	if dsn != "" {
		var err error
		if cfg, err = restsql.ParseDSN(dsn); err != nil {
			return nil, nil, err
		}
	} else {
		srv, err := demoapi.Start()
		if err != nil {
			return nil, nil, err
		}
		closeSrv = func() { srv.Close() }
		if cfg, err = demoConfig(srv.URL); err != nil {
			closeSrv()
			return nil, nil, err
		}
	}
	pages.base = restsql.NewTransport(cfg, queries)
	cfg.Transport = pages
	for _, o := range options {
		o(cfg)
	}
	conn, err := restsql.NewConnector(cfg)
	if err != nil {
		closeSrv()
		return nil, nil, err
	}
	db := sql.OpenDB(conn)
	return db, func() {
		db.Close()
		if t, ok := pages.base.(interface{ CloseIdleConnections() }); ok {
			t.CloseIdleConnections() // so that the demo API stops at once
		}
		closeSrv()
	}, nil
}

// exportOne writes the query's rows to one file.
func exportOne(ctx context.Context, db *sql.DB, o exportOptions, format export.Format, p *export.Progress) ([]string, error) {
	rows, err := db.QueryContext(ctx, o.query, o.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if o.inc == nil {
		if _, err := export.WriteFile(o.out, format, rows, p); err != nil {
			return nil, err
		}
		return []string{o.out}, nil
	}
	return []string{o.out}, writeFiltered(&o, format, rows, p)
}

// exportPartitions runs the partition queries concurrently into one merged
// file or one file each. Files appear only when every partition succeeded.
func exportPartitions(ctx context.Context, db *sql.DB, o exportOptions, format export.Format, p *export.Progress) ([]string, int, error) {
	spec := restsql.Partitioning{Column: o.column, N: o.partitions}
	if o.lower != "" {
		spec.Lower = o.lower
	}
	if o.upper != "" {
		spec.Upper = o.upper
	}
	queries, err := restsql.PartitionQueries(ctx, db, o.query, spec, o.args...)
	if err != nil {
		return nil, 0, err
	}
	perPart := isDirTarget(o.out) || strings.Contains(o.out, "{part}")
	if !perPart {
		return exportMerged(ctx, db, o, format, queries, p)
	}
	paths := make([]string, len(queries))
	for i := range queries {
		paths[i] = partPath(o.out, i, format)
	}
	if isDirTarget(o.out) {
		if err := os.MkdirAll(o.out, 0o755); err != nil {
			return nil, 0, fmt.Errorf("export: %w", err)
		}
	}
	files := make([]*export.File, len(queries))
	defer func() {
		for _, f := range files {
			if f != nil {
				f.Abort()
			}
		}
	}()
	err = restsql.QueryPartitions(ctx, db, queries, o.args, func(ctx context.Context, part int, rows *sql.Rows) error {
		cols, err := export.ColumnsOf(rows)
		if err != nil {
			return err
		}
		f, err := export.Create(paths[part])
		if err != nil {
			return err
		}
		files[part] = f
		enc, err := o.newEncoder(format, f, cols)
		if err != nil {
			return err
		}
		if _, err := export.Copy(rows, enc, p); err != nil {
			return err
		}
		return enc.Close()
	})
	if err != nil {
		return nil, 0, err
	}
	for i, f := range files {
		if err := f.Commit(); err != nil {
			for _, done := range paths[:i] {
				os.Remove(done)
			}
			return nil, 0, err
		}
	}
	return paths, len(queries), nil
}

// partPath is the file of partition i.
func partPath(out string, i int, format export.Format) string {
	n := fmt.Sprintf("%05d", i)
	if strings.Contains(out, "{part}") {
		return strings.ReplaceAll(out, "{part}", n)
	}
	return filepath.Join(out, "part-"+n+format.Ext())
}

// exportMerged writes every partition's rows to one file, in the order
// they arrive.
func exportMerged(ctx context.Context, db *sql.DB, o exportOptions, format export.Format, queries []string, p *export.Progress) ([]string, int, error) {
	f, err := export.Create(o.out)
	if err != nil {
		return nil, 0, err
	}
	defer f.Abort()
	var (
		mu  sync.Mutex
		enc export.Encoder
	)
	err = restsql.QueryPartitions(ctx, db, queries, o.args, func(ctx context.Context, part int, rows *sql.Rows) error {
		cols, err := export.ColumnsOf(rows)
		if err != nil {
			return err
		}
		mu.Lock()
		if enc == nil {
			var e export.Encoder
			if e, err = o.newEncoder(format, f, cols); err == nil {
				enc = export.Synchronized(e)
			}
		}
		mu.Unlock()
		if err != nil {
			return err
		}
		// Rows are encoded one at a time, in the order they arrive.
		_, err = export.Copy(rows, enc, p)
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	if err := enc.Close(); err != nil {
		return nil, 0, err
	}
	if err := f.Commit(); err != nil {
		return nil, 0, err
	}
	return []string{o.out}, len(queries), nil
}
