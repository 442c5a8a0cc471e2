package main

import (
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// writer prints a result set in one output format.
type writer interface {
	header(cols []string) error
	row(vals []any) error
	end(n int) error
}

func newWriter(format string, w io.Writer) (writer, error) {
	switch strings.ToLower(format) {
	case "table", "":
		return &tableWriter{w: w}, nil
	case "csv":
		return &csvWriter{w: csv.NewWriter(w)}, nil
	case "json":
		return &jsonWriter{w: w}, nil
	}
	return nil, fmt.Errorf("unknown --format %q (want table, csv or json)", format)
}

// printRows streams rows to the writer and returns the number printed.
func printRows(rows *sql.Rows, wr writer) (int, error) {
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	if err := wr.header(cols); err != nil {
		return 0, err
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, err
		}
		if err := wr.row(vals); err != nil {
			return n, err
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, wr.end(n)
}

// text renders a value for the table and CSV formats ("" for NULL).
func text(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case []byte:
		return string(x), true
	case int64:
		return strconv.FormatInt(x, 10), true
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64), true
	case bool:
		return strconv.FormatBool(x), true
	case time.Time:
		return x.Format(time.RFC3339Nano), true
	}
	return fmt.Sprint(v), true
}

// tableWriter aligns columns like psql; it holds the rows until the end.
type tableWriter struct {
	w     io.Writer
	cols  []string
	cells [][]string
}

func (t *tableWriter) header(cols []string) error {
	t.cols = cols
	return nil
}

func (t *tableWriter) row(vals []any) error {
	r := make([]string, len(vals))
	for i, v := range vals {
		s, ok := text(v)
		if !ok {
			s = "NULL"
		}
		r[i] = strings.NewReplacer("\n", `\n`, "\r", `\r`, "\t", `\t`).Replace(s)
	}
	t.cells = append(t.cells, r)
	return nil
}

func (t *tableWriter) end(n int) error {
	widths := make([]int, len(t.cols))
	for i, c := range t.cols {
		widths[i] = utf8.RuneCountInString(c)
	}
	for _, r := range t.cells {
		for i, c := range r {
			widths[i] = max(widths[i], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	line := func(cells []string) {
		for i, c := range cells {
			if i > 0 {
				b.WriteString(" | ")
			}
			b.WriteString(c)
			if i < len(cells)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-utf8.RuneCountInString(c)))
			}
		}
		b.WriteString("\n")
	}
	line(t.cols)
	for i, w := range widths {
		if i > 0 {
			b.WriteString("-+-")
		}
		b.WriteString(strings.Repeat("-", w))
	}
	b.WriteString("\n")
	for _, r := range t.cells {
		line(r)
	}
	if n == 1 {
		b.WriteString("(1 row)\n")
	} else {
		fmt.Fprintf(&b, "(%d rows)\n", n)
	}
	_, err := io.WriteString(t.w, b.String())
	return err
}

type csvWriter struct{ w *csv.Writer }

func (c *csvWriter) header(cols []string) error { return c.w.Write(cols) }

func (c *csvWriter) row(vals []any) error {
	r := make([]string, len(vals))
	for i, v := range vals {
		r[i], _ = text(v)
	}
	return c.w.Write(r)
}

func (c *csvWriter) end(int) error {
	c.w.Flush()
	return c.w.Error()
}

// jsonWriter writes a JSON array of objects, one per row, streaming.
type jsonWriter struct {
	w    io.Writer
	cols []string
	keys [][]byte
	n    int
}

func (j *jsonWriter) header(cols []string) error {
	j.cols = cols
	for _, c := range cols {
		k, _ := json.Marshal(c)
		j.keys = append(j.keys, k)
	}
	_, err := io.WriteString(j.w, "[")
	return err
}

func (j *jsonWriter) row(vals []any) error {
	var b []byte
	if j.n > 0 {
		b = append(b, ',')
	}
	b = append(b, "\n  {"...)
	for i, v := range vals {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, j.keys[i]...)
		b = append(b, ": "...)
		if s, ok := v.([]byte); ok {
			v = string(s)
		}
		enc, err := json.Marshal(v)
		if err != nil {
			return err
		}
		b = append(b, enc...)
	}
	b = append(b, '}')
	j.n++
	_, err := j.w.Write(b)
	return err
}

func (j *jsonWriter) end(n int) error {
	s := "\n]\n"
	if n == 0 {
		s = "]\n"
	}
	_, err := io.WriteString(j.w, s)
	return err
}
