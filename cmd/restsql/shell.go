package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/chzyer/readline"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

const shellHelp = `Statements end with ";" and may span lines. Commands:
  .tables, \dt             list the tables
  .schema TABLE, \d TABLE  describe a table's columns
  .mode table|csv|json|jsonl|line
  .null TEXT               how NULL is shown (table and line modes)
  .explain on|off          show the requests of each SELECT instead of its rows
  .timer on|off            print each statement's run time
  .help                    this text
  .quit, .exit, \q         leave (Ctrl-D too)
Tab completes table and column names and keywords. Ctrl-C cancels the
running statement (not the shell) or clears the line being typed.
`

func newShellCmd() *cobra.Command {
	var f queryFlags
	cmd := &cobra.Command{
		Use:   "shell",
		Short: "Interactive SQL prompt with history, completion and dot commands",
		Long: `An interactive SQL prompt, like psql, sqlite3 or duckdb: line editing and
history (~/.restsql_history, or $RESTSQL_HISTORY), statements ended by ";"
over several lines, completion of table and column names (Tab), and dot
commands (.help lists them). Ctrl-C cancels the running statement, not the
shell; Ctrl-D or .quit leaves. Without a terminal it reads statements from
standard input.

Without --dsn (or RESTSQL_DSN) it queries the embedded demo API.

` + shellHelp,
		Example: `  restsql shell
  restsql shell --dsn "Profile=api.yaml;Token=\${API_TOKEN}"
  restsql shell --format csv < statements.sql`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runShell(cmd.Context(), f, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	addDSNFlags(cmd, &f)
	addOutputFlags(cmd, &f.output)
	return cmd
}

// shell is one interactive session.
type shell struct {
	db       *sql.DB
	out, err io.Writer
	opts     outputOptions
	explain  bool
	timer    bool
	requests func() int64
	// interactive is set when reading a terminal: statements show a
	// progress line and the prompt.
	interactive bool

	// tables and columns are the catalog's names, for completion.
	tables  []string
	columns []string
	// buf holds the lines of a statement not yet ended by ";".
	buf strings.Builder
}

func runShell(ctx context.Context, f queryFlags, stdout, stderr io.Writer) error {
	if _, err := f.output.resolve(stdout); err != nil {
		return err
	}
	requests := &pageCounter{}
	db, closeDB, err := f.open(requests)
	if err != nil {
		return err
	}
	defer closeDB()
	// Ctrl-C cancels a statement, not the shell: statements run under a
	// context of their own.
	base := context.WithoutCancel(ctx)
	sh := &shell{db: db, out: stdout, err: stderr, opts: f.output, requests: requests.n.Load}
	sh.loadNames(base)

	in, isFile := stdin.(*os.File)
	if !isFile || !term.IsTerminal(int(in.Fd())) {
		return sh.readAll(base, stdin)
	}
	sh.interactive = true
	rl, err := readline.NewEx(&readline.Config{
		Prompt:          "restsql> ",
		HistoryFile:     historyFile(),
		AutoComplete:    completer{sh},
		InterruptPrompt: "^C",
		EOFPrompt:       "",
		Stdout:          stdout,
		Stderr:          stderr,
	})
	if err != nil {
		return fmt.Errorf("shell: %w", err)
	}
	defer rl.Close()
	fmt.Fprintf(stdout, "restsql shell: statements end with \";\"; .help for commands, Ctrl-D to leave.\n")
	for {
		if sh.buf.Len() == 0 {
			rl.SetPrompt("restsql> ")
		} else {
			rl.SetPrompt("    ...> ")
		}
		line, err := rl.Readline()
		switch {
		case errors.Is(err, readline.ErrInterrupt):
			if sh.buf.Len() == 0 && line == "" {
				fmt.Fprintln(stderr, "(Ctrl-D or .quit leaves)")
			}
			sh.buf.Reset()
			continue
		case errors.Is(err, io.EOF):
			return nil
		case err != nil:
			return fmt.Errorf("shell: %w", err)
		}
		if sh.line(base, line) {
			return nil
		}
	}
}

// historyFile is $RESTSQL_HISTORY, else ~/.restsql_history ("" = none).
func historyFile() string {
	if p := os.Getenv("RESTSQL_HISTORY"); p != "" {
		return p
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return ""
	}
	return filepath.Join(home, ".restsql_history")
}

// readAll runs the statements and commands of a non-terminal input.
func (sh *shell) readAll(ctx context.Context, r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		if sh.line(ctx, sc.Text()) {
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("shell: reading standard input: %w", err)
	}
	if rest := strings.TrimSpace(sh.buf.String()); rest != "" {
		sh.statement(ctx, rest) // the last statement may lack its ";"
	}
	return nil
}

// line handles one input line; it reports whether the shell should end.
func (sh *shell) line(ctx context.Context, line string) (quit bool) {
	trimmed := strings.TrimSpace(line)
	if sh.buf.Len() == 0 && (strings.HasPrefix(trimmed, ".") || strings.HasPrefix(trimmed, `\`)) {
		return sh.command(ctx, trimmed)
	}
	if sh.buf.Len() > 0 {
		sh.buf.WriteByte('\n')
	}
	sh.buf.WriteString(line)
	stmts, rest := splitStatements(sh.buf.String())
	sh.buf.Reset()
	sh.buf.WriteString(rest)
	if strings.TrimSpace(rest) == "" {
		sh.buf.Reset()
	}
	for _, s := range stmts {
		sh.statement(ctx, s)
	}
	return false
}

// splitStatements cuts text at the semicolons outside quotes and
// comments: it returns the complete statements (without their ";", empty
// ones dropped) and the rest.
func splitStatements(text string) (stmts []string, rest string) {
	start := 0
	var quote byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '\'' || c == '"' || c == '`':
			quote = c
		case c == '-' && strings.HasPrefix(text[i:], "--"):
			if j := strings.IndexByte(text[i:], '\n'); j >= 0 {
				i += j
			} else {
				i = len(text)
			}
		case c == '/' && strings.HasPrefix(text[i:], "/*"):
			if j := strings.Index(text[i+2:], "*/"); j >= 0 {
				i += j + 3
			} else {
				i = len(text)
			}
		case c == ';':
			if s := strings.TrimSpace(text[start:i]); s != "" {
				stmts = append(stmts, s)
			}
			start = i + 1
		}
	}
	return stmts, text[min(start, len(text)):]
}

// statement runs one statement; Ctrl-C cancels it.
func (sh *shell) statement(ctx context.Context, query string) {
	if sh.explain && !isWrite(query) && !strings.HasPrefix(strings.ToUpper(strings.TrimSpace(query)), "EXPLAIN") {
		query = "EXPLAIN " + query
	}
	qctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	defer signal.Stop(sigs)
	go func() {
		select {
		case <-sigs:
			cancel()
		case <-qctx.Done():
		}
	}()
	out, err := sh.opts.resolve(sh.out)
	if err != nil {
		fmt.Fprintln(sh.err, "error:", err)
		return
	}
	var act *activity
	if sh.interactive {
		act = newActivity(qctx, sh.err, sh.requests)
	}
	start := time.Now()
	err = execute(qctx, sh.db, query, nil, out, sh.out, act)
	switch {
	case err != nil && qctx.Err() != nil && ctx.Err() == nil:
		fmt.Fprintln(sh.err, "cancelled")
	case err != nil:
		fmt.Fprintln(sh.err, "error:", err)
	}
	if sh.timer {
		fmt.Fprintf(sh.out, "Run Time: %.3fs\n", time.Since(start).Seconds())
	}
}

// command runs a dot command; it reports whether the shell should end.
func (sh *shell) command(ctx context.Context, line string) (quit bool) {
	fields := strings.Fields(strings.TrimSuffix(line, ";"))
	name, args := fields[0], fields[1:]
	onOff := func(set *bool) {
		if len(args) != 1 || (args[0] != "on" && args[0] != "off") {
			fmt.Fprintf(sh.err, "error: %s wants on or off\n", name)
			return
		}
		*set = args[0] == "on"
	}
	switch name {
	case ".quit", ".exit", `\q`:
		return true
	case ".help", `\?`, `\h`:
		fmt.Fprint(sh.out, shellHelp)
	case ".tables", `\dt`:
		sh.query(ctx, "SELECT CatalogName AS catalog, SchemaName AS schema_name, TableName AS table_name, Description AS description FROM sys_tables ORDER BY CatalogName, SchemaName, TableName")
	case ".schema", `\d`:
		if len(args) != 1 {
			fmt.Fprintf(sh.err, "error: %s wants a table name, e.g. %s posts\n", name, name)
			return false
		}
		parts := strings.Split(args[0], ".")
		t := parts[len(parts)-1]
		n := sh.query(ctx, "SELECT ColumnName AS column_name, DataTypeName AS type, IsKey AS is_key, IsNullable AS nullable, IsRequiredKey AS required, PushdownOperators AS pushdown, Description AS description FROM sys_tablecolumns WHERE TableName = '"+strings.ReplaceAll(t, "'", "''")+"' ORDER BY CatalogName, SchemaName, Ordinal")
		if n == 0 {
			fmt.Fprintf(sh.err, "error: no table %q (.tables lists them)\n", args[0])
		}
	case ".explain":
		onOff(&sh.explain)
	case ".timer":
		onOff(&sh.timer)
	case ".mode":
		if len(args) != 1 || !slices.Contains(outputFormats, strings.ToLower(args[0])) {
			fmt.Fprintf(sh.err, "error: .mode wants one of %s\n", strings.Join(outputFormats, ", "))
			return false
		}
		sh.opts.format = strings.ToLower(args[0])
	case ".null":
		if len(args) != 1 {
			fmt.Fprintln(sh.err, "error: .null wants the text to show, e.g. .null NULL")
			return false
		}
		sh.opts.null = args[0]
	default:
		fmt.Fprintf(sh.err, "error: unknown command %s (.help lists them)\n", name)
	}
	return false
}

// query prints the rows of a catalog query and returns their number.
func (sh *shell) query(ctx context.Context, q string) int {
	out, err := sh.opts.resolve(sh.out)
	if err != nil {
		fmt.Fprintln(sh.err, "error:", err)
		return 0
	}
	rows, err := sh.db.QueryContext(ctx, q)
	if err != nil {
		fmt.Fprintln(sh.err, "error:", err)
		return 0
	}
	defer rows.Close()
	n, err := printRows(rows, out, sh.out, nil)
	if err != nil {
		fmt.Fprintln(sh.err, "error:", err)
	}
	return n
}

// loadNames reads the table and column names for completion from the
// system tables; a failure leaves completion to keywords.
func (sh *shell) loadNames(ctx context.Context) {
	read := func(q string) []string {
		rows, err := sh.db.QueryContext(ctx, q)
		if err != nil {
			return nil
		}
		defer rows.Close()
		var names []string
		for rows.Next() {
			var s string
			if rows.Scan(&s) == nil {
				names = append(names, s)
			}
		}
		sort.Strings(names)
		return slices.Compact(names)
	}
	sh.tables = read("SELECT TableName FROM sys_tables")
	sh.columns = read("SELECT ColumnName FROM sys_tablecolumns")
}

// sqlKeywords are completed too.
var sqlKeywords = []string{
	"SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "IS", "NULL", "LIKE", "BETWEEN",
	"ORDER", "BY", "GROUP", "HAVING", "LIMIT", "OFFSET", "JOIN", "LEFT", "INNER", "ON",
	"AS", "DISTINCT", "COUNT", "SUM", "AVG", "MIN", "MAX", "ASC", "DESC", "EXPLAIN",
	"INSERT", "INTO", "VALUES", "UPDATE", "SET", "DELETE",
}

var dotCommands = []string{".tables", ".schema", ".mode", ".null", ".explain", ".timer", ".help", ".quit", ".exit"}

// completer completes the word before the cursor: a table name after
// FROM, JOIN, INTO, UPDATE and .schema, else a column or table name or a
// keyword, and dot commands at the start of a line.
type completer struct{ sh *shell }

// Do implements readline.AutoCompleter.
func (c completer) Do(line []rune, pos int) ([][]rune, int) {
	return complete(string(line[:pos]), c.sh.tables, c.sh.columns)
}

// complete returns the suffixes that complete the last word of before,
// and the length of that word.
func complete(before string, tables, columns []string) ([][]rune, int) {
	start := strings.LastIndexAny(before, " \t\n,()=<>.'\"`") + 1
	if strings.HasPrefix(before, ".") && !strings.ContainsAny(before, " \t") {
		start = 0 // a dot command
	}
	word := before[start:]
	prev := strings.Fields(strings.ToUpper(before[:start]))
	var cands []string
	switch {
	case start == 0 && strings.HasPrefix(word, "."):
		cands = dotCommands
	case len(prev) > 0 && slices.Contains([]string{"FROM", "JOIN", "INTO", "UPDATE", ".SCHEMA", `\D`}, prev[len(prev)-1]):
		cands = tables
	default:
		cands = slices.Concat(columns, tables, sqlKeywords)
	}
	if word == "" && len(cands) > 50 {
		return nil, 0
	}
	seen := map[string]bool{}
	var out [][]rune
	for _, c := range cands {
		if len(c) < len(word) || !strings.EqualFold(c[:len(word)], word) || seen[c] {
			continue
		}
		seen[c] = true
		suffix := c[len(word):]
		if word != "" && word == strings.ToLower(word) && c == strings.ToUpper(c) {
			suffix = strings.ToLower(suffix) // a keyword typed in lower case
		}
		out = append(out, []rune(suffix))
	}
	return out, len([]rune(word))
}
