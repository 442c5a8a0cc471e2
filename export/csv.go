package export

import (
	"bufio"
	"io"
	"strconv"
	"time"
	"unicode"
	"unicode/utf8"
)

// csvEncoder writes a header row, then one record per row, as
// encoding/csv's Writer does (comma, "\n", quotes only where needed), but
// appends each value's text to one buffer instead of making a string of
// it first.
type csvEncoder struct {
	w   *bufio.Writer
	buf []byte // the record being built
	tmp []byte // one value's text
}

func newCSV(w io.Writer, cols []Column) (*csvEncoder, error) {
	e := &csvEncoder{w: bufio.NewWriterSize(w, 64<<10)}
	for i, c := range cols {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendCSVField(e.buf, c.Name)
	}
	e.buf = append(e.buf, '\n')
	if _, err := e.w.Write(e.buf); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *csvEncoder) Encode(row []any) error {
	b := e.buf[:0]
	for i, v := range row {
		if i > 0 {
			b = append(b, ',')
		}
		switch x := v.(type) {
		case nil:
		case string:
			b = appendCSVField(b, x)
		case int64:
			b = strconv.AppendInt(b, x, 10)
		case float64:
			// The shortest exact form never needs quotes.
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
		case bool:
			b = strconv.AppendBool(b, x)
		case time.Time:
			// RFC 3339 holds no comma, quote, newline or leading space.
			b = x.AppendFormat(b, time.RFC3339Nano)
		default:
			e.tmp = append(e.tmp[:0], Text(v)...)
			b = appendCSVField(b, string(e.tmp))
		}
	}
	b = append(b, '\n')
	e.buf = b
	_, err := e.w.Write(b)
	return err
}

func (e *csvEncoder) Close() error {
	return e.w.Flush()
}

// appendCSVField appends a field as encoding/csv.Writer writes it with
// its defaults: in quotes, with quotes doubled, when it holds a comma, a
// quote, \r or \n, starts with a space, or is `\.`.
func appendCSVField(b []byte, f string) []byte {
	if !csvNeedsQuotes(f) {
		return append(b, f...)
	}
	b = append(b, '"')
	for i := 0; i < len(f); i++ {
		if f[i] == '"' {
			b = append(b, '"', '"')
			continue
		}
		b = append(b, f[i])
	}
	return append(b, '"')
}

// csvNeedsQuotes is encoding/csv's fieldNeedsQuotes with Comma ','.
func csvNeedsQuotes(f string) bool {
	if f == "" {
		return false
	}
	if f == `\.` {
		return true
	}
	for i := 0; i < len(f); i++ {
		switch f[i] {
		case '\n', '\r', '"', ',':
			return true
		}
	}
	r, _ := utf8.DecodeRuneInString(f)
	return unicode.IsSpace(r)
}

// Flush implements Flusher.
func (e *csvEncoder) Flush() error { return e.w.Flush() }
