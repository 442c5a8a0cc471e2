package export

// Filter decides which rows an Encoder writes: an incremental run drops
// the rows its earlier runs wrote.
type Filter interface {
	// Columns is told the result's column names before the first row.
	Columns(names []string) error
	// Keep says whether the row is written.
	Keep(row []any) (bool, error)
}

// Filtered returns an Encoder that passes to enc the rows f keeps.
func Filtered(enc Encoder, cols []Column, f Filter) (Encoder, error) {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	if err := f.Columns(names); err != nil {
		return nil, err
	}
	return &filtered{enc: enc, f: f}, nil
}

type filtered struct {
	enc Encoder
	f   Filter
}

func (e *filtered) Encode(row []any) error {
	keep, err := e.f.Keep(row)
	if err != nil || !keep {
		return err
	}
	return e.enc.Encode(row)
}

func (e *filtered) Close() error { return e.enc.Close() }
