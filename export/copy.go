package export

import (
	"database/sql"
	"fmt"
)

// Copy encodes every row of rows and counts it in p (which may be nil). It
// does not close rows or the encoder.
func Copy(rows *sql.Rows, enc Encoder, p *Progress) (int64, error) {
	cols, err := rows.Columns()
	if err != nil {
		return 0, fmt.Errorf("export: %w", err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, fmt.Errorf("export: %w", err)
		}
		if err := enc.Encode(vals); err != nil {
			return n, fmt.Errorf("%w (row %d)", err, n+1)
		}
		n++
		p.Add(1)
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, nil
}

// WriteFile writes every row of rows to path in the format, atomically:
// the file appears complete or not at all. It does not close rows.
func WriteFile(path string, f Format, rows *sql.Rows, p *Progress) (int64, error) {
	cols, err := ColumnsOf(rows)
	if err != nil {
		return 0, err
	}
	out, err := Create(path)
	if err != nil {
		return 0, err
	}
	defer out.Abort()
	enc, err := NewEncoder(f, out, cols)
	if err != nil {
		return 0, err
	}
	n, err := Copy(rows, enc, p)
	if err != nil {
		return n, err
	}
	if err := enc.Close(); err != nil {
		return n, err
	}
	return n, out.Commit()
}
