package export

import (
	"encoding/csv"
	"io"
)

// csvEncoder writes a header row, then one record per row.
type csvEncoder struct {
	w   *csv.Writer
	rec []string
}

func newCSV(w io.Writer, cols []Column) (*csvEncoder, error) {
	e := &csvEncoder{w: csv.NewWriter(w), rec: make([]string, len(cols))}
	for i, c := range cols {
		e.rec[i] = c.Name
	}
	if err := e.w.Write(e.rec); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *csvEncoder) Encode(row []any) error {
	for i, v := range row {
		e.rec[i] = Text(v)
	}
	return e.w.Write(e.rec)
}

func (e *csvEncoder) Close() error {
	e.w.Flush()
	return e.w.Error()
}
