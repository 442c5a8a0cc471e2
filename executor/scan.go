package executor

import (
	"context"

	"github.com/restsql/restsql/restsource"
)

// Scan reads a REST source through a planned request. Its rows are as wide
// as the table (Width columns); the extracted columns land at Pos, and
// columns the query never reads stay NULL.
type Scan struct {
	Source *restsource.Source
	Plan   *restsource.Plan
	Width  int
	Pos    []int
	// Stats, when set, receives the scan's request counts when it closes.
	Stats func(restsource.Stats)
	// Reuse returns the same row slice on every Next. Only a consumer
	// that is done with a row before asking for the next (the driver's
	// rows, through filters and limits) may set it; operators that keep
	// rows (sorts, joins, aggregates, subqueries) must not.
	Reuse bool
}

// Open implements Node: it fetches the first page before returning, so the
// first HTTP error surfaces here.
func (s *Scan) Open(ctx context.Context) (Iterator, error) {
	rows, err := s.Source.Scan(ctx, s.Plan)
	if err != nil {
		return nil, err
	}
	buf := make([]any, len(s.Pos))
	var shared Row
	if s.Reuse {
		shared = make(Row, s.Width)
	}
	next := func() (Row, error) {
		if err := rows.Next(buf); err != nil {
			return nil, err
		}
		out := shared
		if out == nil {
			out = make(Row, s.Width)
		}
		for i, p := range s.Pos {
			out[p] = buf[i]
		}
		return out, nil
	}
	if s.Reuse && identity(s.Pos, s.Width) {
		// The scan's columns are the row: read them into it directly.
		next = func() (Row, error) {
			if err := rows.Next(shared); err != nil {
				return nil, err
			}
			return shared, nil
		}
	}
	return &iterFunc{
		next: next,
		close: func() error {
			err := rows.Close()
			if s.Stats != nil {
				s.Stats(rows.Stats())
			}
			return err
		},
		hint: rows.Total,
	}, nil
}

// identity reports whether pos maps column i to position i of a row of
// width columns.
func identity(pos []int, width int) bool {
	if len(pos) != width {
		return false
	}
	for i, p := range pos {
		if p != i {
			return false
		}
	}
	return true
}
