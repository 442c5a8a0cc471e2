package export

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"
)

// jsonlEncoder writes one JSON object per line, keys in column order. A
// json column's value is embedded as JSON when it is valid JSON; a time
// is an RFC 3339 string; a NaN or infinite float is null.
type jsonlEncoder struct {
	w    *bufio.Writer
	cols []Column
	keys [][]byte
	buf  []byte
}

func newJSONL(w io.Writer, cols []Column) *jsonlEncoder {
	e := &jsonlEncoder{w: bufio.NewWriterSize(w, 64<<10), cols: cols}
	for _, name := range uniqueNames(cols) {
		k, _ := marshal(name)
		e.keys = append(e.keys, k)
	}
	return e
}

// marshal is json.Marshal without HTML escaping: "&", "<" and ">" are
// written as they are, not as \u0026, \u003c and \u003e.
func marshal(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

func (e *jsonlEncoder) Encode(row []any) error { return e.encode(row, true) }

// encode writes one row's object, and a newline after it when nl.
func (e *jsonlEncoder) encode(row []any, nl bool) error {
	b := append(e.buf[:0], '{')
	for i, v := range row {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, e.keys[i]...)
		b = append(b, ':')
		var err error
		if b, err = e.value(b, i, v); err != nil {
			return fmt.Errorf("export: column %s: %w", e.cols[i].Name, err)
		}
	}
	b = append(b, '}')
	if nl {
		b = append(b, '\n')
	}
	e.buf = b
	_, err := e.w.Write(b)
	return err
}

func (e *jsonlEncoder) value(b []byte, i int, v any) ([]byte, error) {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...), nil
	case []byte:
		v = string(x)
	case time.Time:
		v = x.Format(time.RFC3339Nano)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...), nil
		}
	}
	if s, ok := v.(string); ok && e.cols[i].Type == TypeJSON {
		// Embedded as JSON, on one line.
		var c bytes.Buffer
		if err := json.Compact(&c, []byte(s)); err == nil {
			return append(b, c.Bytes()...), nil
		}
	}
	enc, err := marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, enc...), nil
}

func (e *jsonlEncoder) Close() error { return e.w.Flush() }

// Flush implements Flusher.
func (e *jsonlEncoder) Flush() error { return e.w.Flush() }

// jsonEncoder writes one JSON array of the objects jsonlEncoder writes,
// one per line, indented by two spaces.
type jsonEncoder struct {
	*jsonlEncoder
	n int
}

func newJSON(w io.Writer, cols []Column) (*jsonEncoder, error) {
	e := &jsonEncoder{jsonlEncoder: newJSONL(w, cols)}
	_, err := e.w.WriteString("[")
	return e, err
}

func (e *jsonEncoder) Encode(row []any) error {
	sep := ",\n  "
	if e.n == 0 {
		sep = "\n  "
	}
	if _, err := e.w.WriteString(sep); err != nil {
		return err
	}
	e.n++
	return e.jsonlEncoder.encode(row, false)
}

func (e *jsonEncoder) Close() error {
	end := "\n]\n"
	if e.n == 0 {
		end = "]\n"
	}
	if _, err := e.w.WriteString(end); err != nil {
		return err
	}
	return e.w.Flush()
}
