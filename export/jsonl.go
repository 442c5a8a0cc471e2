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
		k, _ := json.Marshal(name)
		e.keys = append(e.keys, k)
	}
	return e
}

func (e *jsonlEncoder) Encode(row []any) error {
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
	b = append(b, '}', '\n')
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
	enc, err := json.Marshal(v)
	if err != nil {
		return b, err
	}
	return append(b, enc...), nil
}

func (e *jsonlEncoder) Close() error { return e.w.Flush() }
