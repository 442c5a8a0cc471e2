package executor

import (
	"context"
	"io"

	"github.com/restsql/restsql/table"
)

// Scan reads a table (a REST source, a system table, rows in memory)
// through a planned scan. Its rows are as wide as the table (Width
// columns); the extracted columns land at Pos, and columns the query
// never reads stay NULL.
type Scan struct {
	Plan  table.Plan
	Width int
	Pos   []int
	// Stats, when set, receives the scan's request counts when it closes.
	Stats func(table.Stats)
	// Forget keeps the scan's row count from being remembered for later
	// plans (table.Plan.Remember): the batches of a lookup join,
	// whose requests rarely repeat, would crowd out the tables' counts.
	Forget bool
	// Reuse returns the same row slice on every Next. Only a consumer
	// that is done with a row before asking for the next (the driver's
	// rows, through filters and limits) may set it; operators that keep
	// rows (sorts, joins, aggregates, subqueries) must not.
	Reuse bool
}

// Open implements Node: it opens the plan, which for a REST source fetches
// the first page before returning, so the first HTTP error surfaces here.
func (s *Scan) Open(ctx context.Context) (Iterator, error) {
	rows, err := s.Plan.Open(ctx)
	if err != nil {
		return nil, err
	}
	// ended is set when the scan read its last row: the plan then
	// remembers the count (table.Plan.Size).
	ended := false
	buf := make([]any, len(s.Pos))
	var shared Row
	if s.Reuse {
		shared = make(Row, s.Width)
	}
	next := func() (Row, error) {
		if err := rows.Next(buf); err != nil {
			ended = ended || err == io.EOF
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
	it := &iterFunc{
		next: next,
		close: func() error {
			err := rows.Close()
			st := rows.Stats()
			if s.Stats != nil {
				s.Stats(st)
			}
			if t, ok := rows.Total(); ok && !s.Forget {
				s.Plan.Remember(t, true)
			} else if ended && err == nil && !s.Forget {
				s.Plan.Remember(st.Rows, false)
			}
			return err
		},
		hint: rows.Total,
	}
	if s.Reuse && identity(s.Pos, s.Width) {
		// The scan's columns are the row: read them into it directly,
		// or into the caller's slice (IntoIterator).
		into := func(dest []any) error {
			err := rows.Next(dest)
			ended = ended || err == io.EOF
			return err
		}
		it.next = func() (Row, error) {
			if err := into(shared); err != nil {
				return nil, err
			}
			return shared, nil
		}
		return &intoIter{iterFunc: it, width: s.Width, into: into}, nil
	}
	return it, nil
}

// IntoIterator is an Iterator that can write its next row straight into
// the caller's slice, without a row of its own in between.
type IntoIterator interface {
	Iterator
	// NextInto fills dest with the next row; it returns io.EOF after the
	// last one.
	NextInto(dest []any) error
}

// intoIter is a reused scan whose row is the table's columns in order.
type intoIter struct {
	*iterFunc
	width int
	into  func(dest []any) error
}

// NextInto implements IntoIterator.
func (it *intoIter) NextInto(dest []any) error {
	if len(dest) != it.width {
		row, err := it.Next()
		if err != nil {
			return err
		}
		copy(dest, row)
		return nil
	}
	return it.into(dest)
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
