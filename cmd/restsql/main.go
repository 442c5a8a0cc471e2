// Command restsql queries REST APIs with SQL through the restsql driver.
//
//	restsql query [--dsn DSN] [--format table|csv|json|jsonl|line] "SQL" [args...]
//	restsql shell [--dsn DSN]
//	restsql export [--dsn DSN] [--format csv|jsonl|parquet] --out PATH [--partition-column C --partitions N] "SQL" [args...]
//	restsql demo [--listen 127.0.0.1:3000]
//	restsql serve [--dsn DSN] [--listen 127.0.0.1:5433] [--users users.yaml] [--tls-cert F --tls-key F]
//	restsql discover [--header 'K: V']... [--auth-bearer TOKEN | --auth-basic USER:PASS | --api-key NAME=VALUE] [--name TABLE] [--profile] URL
//	restsql openapi [--catalog NAME] [--url BASE] spec.yaml
//	restsql version
//	restsql completion bash|zsh|fish|powershell
//
// Without --dsn (or RESTSQL_DSN), query, shell, export and serve start the
// embedded demo API on a loopback port and query it: catalog Demo, schema
// API, tables users, posts, comments, todos, comments_by_post and
// posts_by_user.
//
// The command line is built with github.com/spf13/cobra: flags go anywhere,
// every subcommand has --help with examples, and shells get completion.
// Exit codes: 0 success, 1 a query, API or file error, 2 a usage error,
// 130 interrupted (Ctrl-C).
package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"github.com/spf13/cobra"
	flag "github.com/spf13/pflag"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

// Exit codes.
const (
	exitOK          = 0
	exitFailure     = 1
	exitUsage       = 2
	exitInterrupted = 130
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	interrupted := ctx.Err() != nil
	stop()
	code := exitCode(err, interrupted)
	var ue *usageError
	if err != nil && code != exitInterrupted {
		fmt.Fprintln(os.Stderr, "error:", err)
		if errors.As(err, &ue) && ue.hint != "" {
			fmt.Fprintln(os.Stderr, ue.hint)
		}
	} else if code == exitInterrupted {
		fmt.Fprintln(os.Stderr, "interrupted")
	}
	os.Exit(code)
}

// usageError is a mistake in the command line (exit code 2).
type usageError struct {
	err error
	// hint, when set, is printed after the error.
	hint string
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

// usage marks err as a usage error.
func usage(err error) error {
	if err == nil {
		return nil
	}
	return &usageError{err: err}
}

// usagef is a usage error with a message.
func usagef(format string, args ...any) error { return usage(fmt.Errorf(format, args...)) }

// exitCode maps run's error to the process's exit code.
func exitCode(err error, interrupted bool) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case interrupted || errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.As(err, &ue):
		return exitUsage
	}
	return exitFailure
}

// run runs the command line args. A usage error is a *usageError.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	root := newRootCmd(ctx, stdout, stderr)
	root.SetArgs(args)
	ran := false
	root.PersistentPreRun = func(*cobra.Command, []string) { ran = true }
	cmd, err := root.ExecuteC()
	if err == nil {
		return nil
	}
	if !ran {
		// Cobra's own checks: an unknown command or flag, a wrong number
		// of arguments.
		var ue *usageError
		if !errors.As(err, &ue) {
			ue = &usageError{err: err}
		}
		ue.hint = fmt.Sprintf("Run '%s --help' for usage.", cmd.CommandPath())
		return ue
	}
	return err
}

// newRootCmd builds the command tree.
func newRootCmd(ctx context.Context, stdout, stderr io.Writer) *cobra.Command {
	root := &cobra.Command{
		Use:   "restsql",
		Short: "Query REST APIs with SQL",
		Long: `restsql queries REST APIs with SQL through the restsql database/sql driver.
A profile describes an API; without --dsn (or RESTSQL_DSN) the commands use the
embedded demo API (tables users, posts, comments, todos, comments_by_post,
posts_by_user).

Exit codes: 0 success, 1 a query, API or file error, 2 a usage error,
130 interrupted.`,
		Example: `  restsql query "SELECT id, title FROM posts WHERE userId = 1 LIMIT 3"
  restsql query "SELECT * FROM users" --format csv
  restsql shell
  restsql query --dsn "Profile=api.yaml;Token=\${API_TOKEN}" -f report.sql`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.SetContext(ctx)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetIn(stdin)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return usage(err) })
	root.AddCommand(
		newQueryCmd(),
		newShellCmd(),
		passThrough("export", "Stream a query's rows to a CSV, JSON Lines or Parquet file",
			`  restsql export --out temp/posts.csv "SELECT * FROM posts"
  restsql export --format parquet --out temp/posts.parquet --partition-column id --partitions 4 "SELECT * FROM posts"
  restsql export --out "temp/part-{part}.jsonl" --partition-column id --partitions 2 "SELECT * FROM comments"`,
			runExport),
		passThrough("demo", "Serve the embedded demo API and print its profile",
			`  restsql demo --listen 127.0.0.1:3000`, runDemo),
		passThrough("serve", "Serve the tables over the PostgreSQL protocol (psql, JDBC)",
			`  restsql serve --listen 127.0.0.1:5433
  restsql serve --dsn "Profile=api.yaml" --users users.yaml --tls-cert cert.pem --tls-key key.pem
  echo -n 's3cret' | restsql serve --hash-password`, runServe),
		passThrough("discover", "Infer a profile table from one live response",
			`  restsql discover http://127.0.0.1:3000/posts
  restsql discover --profile --auth-bearer "$TOKEN" https://api.example.com/v1/users > profile.yaml`,
			runDiscover),
		passThrough("openapi", "Turn an OpenAPI 3 or Swagger 2.0 document into a profile",
			`  restsql openapi examples/openapi/posts.yaml > temp/profile.yaml
  curl -s https://api.example.com/openapi.json | restsql openapi - > temp/profile.yaml`,
			runOpenAPI),
		newVersionCmd(),
	)
	return root
}

// passThrough is a subcommand whose flags its run function parses itself
// (with pflag: flags anywhere, "--" ends them). --help prints its flags
// and examples and exits 0.
func passThrough(name, short, example string, fn func(ctx context.Context, args []string, stdout, stderr io.Writer) error) *cobra.Command {
	return &cobra.Command{
		Use:                name + " [flags] [args]",
		Short:              short,
		Example:            example,
		DisableFlagParsing: true,
		RunE: func(cmd *cobra.Command, args []string) error {
			stdout, stderr := cmd.OutOrStdout(), cmd.ErrOrStderr()
			if wantsHelp(args) {
				fmt.Fprintf(stdout, "%s\n\n", short)
				err := fn(cmd.Context(), []string{"--help"}, stdout, stdout)
				if err != nil && !errors.Is(err, flag.ErrHelp) {
					return err
				}
				fmt.Fprintf(stdout, "\nExamples:\n%s\n", example)
				return nil
			}
			err := fn(cmd.Context(), args, stdout, stderr)
			if errors.Is(err, flag.ErrHelp) {
				return nil
			}
			return err
		},
	}
}

// wantsHelp reports whether -h or --help comes before "--".
func wantsHelp(args []string) bool {
	for _, a := range args {
		switch a {
		case "--":
			return false
		case "-h", "--help", "-help":
			return true
		}
	}
	return false
}

// parseFlags parses a pass-through command's flags; its errors are usage
// errors (flag.ErrHelp is returned as it is).
func parseFlags(fs *flag.FlagSet, args []string) error {
	err := fs.Parse(args)
	if err == nil || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return usage(err)
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version of restsql",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprintln(cmd.OutOrStdout(), versionString())
			return err
		},
	}
}

// versionString is the module's version (from the build information),
// the VCS revision when the build recorded one, and the Go version.
func versionString() string {
	v, extra := "(unknown)", ""
	goVersion := ""
	if bi, ok := debug.ReadBuildInfo(); ok {
		v = bi.Main.Version
		goVersion = bi.GoVersion
		var rev, modified string
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				if s.Value == "true" {
					modified = ", modified"
				}
			}
		}
		if rev != "" {
			if len(rev) > 12 {
				rev = rev[:12]
			}
			extra = " (" + rev + modified + ")"
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return strings.TrimSpace("restsql " + v + extra + " " + goVersion)
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
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("demo takes no arguments, got %q", fs.Arg(0))
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
