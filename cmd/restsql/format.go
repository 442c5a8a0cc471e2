package main

import (
	"database/sql"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/rivo/uniseg"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/restsql/restsql/export"
)

// Output formats of query and shell.
const (
	formatTable = "table"
	formatCSV   = "csv"
	formatJSON  = "json"
	formatJSONL = "jsonl"
	formatLine  = "line"
)

var outputFormats = []string{formatTable, formatCSV, formatJSON, formatJSONL, formatLine}

// defaultNull is how table and line output show NULL.
const defaultNull = "∅"

// outputOptions say how rows are printed.
type outputOptions struct {
	format string
	// null is the text of NULL in table and line output.
	null string
	// maxWidth bounds a table's line width (0: no bound; -1: the
	// terminal's width when the output is a terminal, else no bound).
	maxWidth int
	// terminal is set (by resolve) when the output is a terminal; color
	// dims NULL there.
	terminal, color bool
	// flushEvery is how often streamed formats flush (0: every row).
	flushEvery time.Duration
}

func addOutputFlags(cmd *cobra.Command, o *outputOptions) {
	fl := cmd.Flags()
	fl.StringVar(&o.format, "format", formatTable, "output format: "+strings.Join(outputFormats, ", "))
	fl.StringVar(&o.null, "null", defaultNull, "how table and line output show NULL")
	fl.IntVar(&o.maxWidth, "max-width", -1, "cut table lines to this many columns with … (-1: the terminal's width on a terminal, no limit when piped; 0: no limit)")
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(outputFormats, cobra.ShellCompDirectiveNoFileComp))
}

// resolve checks the format and fills in what depends on the output being
// a terminal.
func (o outputOptions) resolve(w io.Writer) (outputOptions, error) {
	f := strings.ToLower(o.format)
	if f == "" {
		f = formatTable
	}
	ok := false
	for _, v := range outputFormats {
		ok = ok || v == f
	}
	if !ok {
		return o, usagef("unknown --format %q (want %s)", o.format, strings.Join(outputFormats, ", "))
	}
	o.format = f
	width, isTerm := terminalWidth(w)
	if o.maxWidth < 0 {
		o.maxWidth = 0
		if isTerm {
			o.maxWidth = width
		}
	}
	o.terminal = isTerm
	o.color = isTerm && os.Getenv("NO_COLOR") == ""
	if !isTerm && o.flushEvery == 0 {
		o.flushEvery = 200 * time.Millisecond
	}
	return o, nil
}

// terminalWidth returns the width of w when it is a terminal.
func terminalWidth(w io.Writer) (int, bool) {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	width, _, err := term.GetSize(int(f.Fd()))
	if err != nil || width <= 0 {
		width = 80
	}
	return width, true
}

// rowWriter prints a result set in one format.
type rowWriter interface {
	row(vals []any) error
	// flush writes what is buffered (streamed formats).
	flush() error
	// end writes the rest (a table, the JSON array's end); n rows were
	// printed.
	end(n int) error
}

func newRowWriter(o outputOptions, w io.Writer, cols []export.Column) (rowWriter, error) {
	switch o.format {
	case formatCSV, formatJSON, formatJSONL:
		f := export.Format(o.format)
		enc, err := export.NewEncoder(f, w, cols)
		if err != nil {
			return nil, err
		}
		return &encoderWriter{enc: enc}, nil
	case formatLine:
		return &lineWriter{w: w, cols: cols, o: o}, nil
	}
	return &tableWriter{w: w, cols: cols, o: o}, nil
}

// printRows prints every row and returns the number printed. Streamed
// formats are flushed at least every o.flushEvery (every row when it is
// 0), also while the next row is awaited, so a stalled API shows what it
// sent. When the rows fail (an API error, Ctrl-C), what was read is
// printed before the error is returned.
func printRows(rows *sql.Rows, o outputOptions, w io.Writer, act *activity) (int, error) {
	cols, err := export.ColumnsOf(rows)
	if err != nil {
		return 0, err
	}
	wr, err := newRowWriter(o, w, cols)
	if err != nil {
		return 0, err
	}
	if o.terminal && o.format != formatTable {
		// The rows show on the terminal as they come: a progress line
		// would be drawn over them.
		act.stop()
	}
	var mu sync.Mutex // between the rows and the flusher
	var flushErr error
	if o.flushEvery > 0 {
		done := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(o.flushEvery)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					mu.Lock()
					if flushErr == nil {
						flushErr = wr.flush()
					}
					mu.Unlock()
				}
			}
		}()
		defer wg.Wait()
		defer close(done)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	var rowErr error
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			rowErr = err
			break
		}
		mu.Lock()
		err := wr.row(vals)
		if err == nil && o.flushEvery == 0 {
			err = wr.flush()
		}
		if err == nil {
			err = flushErr
		}
		mu.Unlock()
		if err != nil {
			return n, err
		}
		n++
		act.addRow()
	}
	if rowErr == nil {
		rowErr = rows.Err()
	}
	act.stop()
	mu.Lock()
	defer mu.Unlock()
	if err := wr.end(n); err != nil {
		return n, err
	}
	return n, rowErr
}

// encoderWriter prints with one of export's encoders: query, shell and
// export render values the same way.
type encoderWriter struct{ enc export.Encoder }

func (e *encoderWriter) row(vals []any) error { return e.enc.Encode(vals) }

func (e *encoderWriter) flush() error {
	if f, ok := e.enc.(export.Flusher); ok {
		return f.Flush()
	}
	return nil
}

func (e *encoderWriter) end(int) error { return e.enc.Close() }

// cellText renders a value for table and line output: export's text with
// control characters escaped; isNull is set for NULL.
func cellText(v any) (s string, isNull bool) {
	if v == nil {
		return "", true
	}
	return escaper.Replace(export.Text(v)), false
}

var escaper = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`)

// dim wraps s in the terminal's faint style.
func dim(s string) string { return "\x1b[2m" + s + "\x1b[0m" }

// numeric reports whether a column's values are right-aligned.
func numeric(c export.Column) bool { return c.Type == export.TypeInt || c.Type == export.TypeFloat }

// tableWriter aligns columns like psql: numbers to the right, NULL shown
// as o.null, lines cut to o.maxWidth with …. It holds the rows until the
// end.
type tableWriter struct {
	w     io.Writer
	cols  []export.Column
	o     outputOptions
	cells [][]string
	nulls [][]bool
}

func (t *tableWriter) row(vals []any) error {
	r := make([]string, len(vals))
	nl := make([]bool, len(vals))
	for i, v := range vals {
		r[i], nl[i] = cellText(v)
		if nl[i] {
			r[i] = t.o.null
		}
	}
	t.cells = append(t.cells, r)
	t.nulls = append(t.nulls, nl)
	return nil
}

func (t *tableWriter) flush() error { return nil }

// widths are the columns' display widths, narrowed so that a line fits
// in max (0: no limit): the widest column gives a character at a time,
// first down to its header's width (at least 4), then down to 3.
func (t *tableWriter) widths(headers []string) []int {
	widths := make([]int, len(headers))
	floor := make([]int, len(headers))
	for i, h := range headers {
		widths[i] = uniseg.StringWidth(h)
		floor[i] = max(widths[i], 4)
	}
	for _, r := range t.cells {
		for i, c := range r {
			widths[i] = max(widths[i], uniseg.StringWidth(c))
		}
	}
	if t.o.maxWidth <= 0 {
		return widths
	}
	total := 3 * (len(widths) - 1)
	for _, w := range widths {
		total += w
	}
	for _, lowest := range []bool{false, true} {
		for total > t.o.maxWidth {
			widest := -1
			for i, w := range widths {
				f := 3
				if !lowest {
					f = floor[i]
				}
				if w > f && (widest < 0 || w > widths[widest]) {
					widest = i
				}
			}
			if widest < 0 {
				break
			}
			widths[widest]--
			total--
		}
	}
	return widths
}

// fit cuts s to width w with … and pads it, to the right when right.
func fit(s string, w int, right bool) string {
	sw := uniseg.StringWidth(s)
	if sw > w {
		var b strings.Builder
		used := 0
		g := uniseg.NewGraphemes(s)
		for g.Next() {
			cw := g.Width()
			if used+cw > w-1 {
				break
			}
			b.WriteString(g.Str())
			used += cw
		}
		b.WriteString("…")
		s, sw = b.String(), used+1
	}
	pad := strings.Repeat(" ", max(w-sw, 0))
	if right {
		return pad + s
	}
	return s + pad
}

func (t *tableWriter) end(n int) error {
	headers := make([]string, len(t.cols))
	for i, c := range t.cols {
		headers[i] = escaper.Replace(c.Name)
	}
	widths := t.widths(headers)
	var b strings.Builder
	line := func(cells []string, nulls []bool) {
		var l strings.Builder
		for i, c := range cells {
			if i > 0 {
				l.WriteString(" | ")
			}
			s := fit(c, widths[i], nulls != nil && numeric(t.cols[i]))
			if nulls != nil && nulls[i] && t.o.color {
				s = strings.Replace(s, strings.TrimSpace(s), dim(strings.TrimSpace(s)), 1)
			}
			l.WriteString(s)
		}
		b.WriteString(strings.TrimRight(l.String(), " "))
		b.WriteString("\n")
	}
	line(headers, nil)
	for i, w := range widths {
		if i > 0 {
			b.WriteString("-+-")
		}
		b.WriteString(strings.Repeat("-", w))
	}
	b.WriteString("\n")
	for i, r := range t.cells {
		line(r, t.nulls[i])
	}
	if n == 1 {
		b.WriteString("(1 row)\n")
	} else {
		fmt.Fprintf(&b, "(%d rows)\n", n)
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

// lineWriter prints each row as "column = value" lines, rows separated by
// a blank line (sqlite3's .mode line).
type lineWriter struct {
	w    io.Writer
	cols []export.Column
	o    outputOptions
	n    int
}

func (l *lineWriter) row(vals []any) error {
	width := 0
	for _, c := range l.cols {
		width = max(width, uniseg.StringWidth(c.Name))
	}
	var b strings.Builder
	if l.n > 0 {
		b.WriteString("\n")
	}
	for i, v := range vals {
		s, isNull := cellText(v)
		if isNull {
			s = l.o.null
			if l.o.color {
				s = dim(s)
			}
		}
		fmt.Fprintf(&b, "%s = %s\n", fit(escaper.Replace(l.cols[i].Name), width, true), s)
	}
	l.n++
	_, err := io.WriteString(l.w, b.String())
	return err
}

func (l *lineWriter) flush() error { return nil }

func (l *lineWriter) end(int) error { return nil }
