package executor

import (
	"context"
	"errors"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Node is a physical operator: Open starts it under ctx and returns the
// iterator over its rows.
type Node interface {
	Open(ctx context.Context) (Iterator, error)
}

// Iterator yields rows; Next returns io.EOF after the last one. Close
// releases everything the iterator holds (goroutines, HTTP bodies) and is
// safe to call more than once.
type Iterator interface {
	Next() (Row, error)
	Close() error
}

// SizeHinter is implemented by iterators that know, once open, about how
// many rows they will yield (an upper bound): a hash join builds its table
// from the smaller side.
type SizeHinter interface {
	SizeHint() (n int64, ok bool)
}

// sizeHint asks an iterator for its size hint.
func sizeHint(it Iterator) (int64, bool) {
	if h, ok := it.(SizeHinter); ok {
		return h.SizeHint()
	}
	return 0, false
}

// Func adapters for small operators.
type iterFunc struct {
	next  func() (Row, error)
	close func() error
	hint  func() (int64, bool)
}

// SizeHint implements SizeHinter.
func (f *iterFunc) SizeHint() (int64, bool) {
	if f.hint == nil {
		return 0, false
	}
	return f.hint()
}

func (f *iterFunc) Next() (Row, error) { return f.next() }
func (f *iterFunc) Close() error {
	if f.close == nil {
		return nil
	}
	c := f.close
	f.close = nil
	return c()
}

// Values yields fixed rows (SELECT without FROM yields one empty row).
type Values struct{ Rows []Row }

// Open implements Node.
func (v *Values) Open(ctx context.Context) (Iterator, error) {
	i := 0
	return &iterFunc{next: func() (Row, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if i >= len(v.Rows) {
			return nil, io.EOF
		}
		i++
		return v.Rows[i-1], nil
	}}, nil
}

// Filter keeps the rows whose predicate is true.
type Filter struct {
	Input Node
	Pred  Expr
}

// Open implements Node.
func (f *Filter) Open(ctx context.Context) (Iterator, error) {
	in, err := f.Input.Open(ctx)
	if err != nil {
		return nil, err
	}
	return &iterFunc{next: func() (Row, error) {
		for {
			r, err := in.Next()
			if err != nil {
				return nil, err
			}
			v, err := f.Pred.Eval(r)
			if err != nil {
				return nil, err
			}
			if b, known := Truth(v); known && b {
				return r, nil
			}
		}
	}, close: in.Close, hint: func() (int64, bool) { return sizeHint(in) }}, nil
}

// Project computes output expressions from each input row.
type Project struct {
	Input Node
	Exprs []Expr
}

// Open implements Node.
func (p *Project) Open(ctx context.Context) (Iterator, error) {
	in, err := p.Input.Open(ctx)
	if err != nil {
		return nil, err
	}
	return &iterFunc{next: func() (Row, error) {
		r, err := in.Next()
		if err != nil {
			return nil, err
		}
		out := make(Row, len(p.Exprs))
		for i, e := range p.Exprs {
			if out[i], err = e.Eval(r); err != nil {
				return nil, err
			}
		}
		return out, nil
	}, close: in.Close, hint: func() (int64, bool) { return sizeHint(in) }}, nil
}

// Limit skips Offset rows and then yields at most Count rows (Count < 0 =
// no limit). It stops pulling from its input as soon as it is done, so the
// scans below stop paging.
type Limit struct {
	Input         Node
	Offset, Count int64
}

// Open implements Node.
func (l *Limit) Open(ctx context.Context) (Iterator, error) {
	if l.Count == 0 {
		return &iterFunc{next: func() (Row, error) { return nil, io.EOF }}, nil
	}
	in, err := l.Input.Open(ctx)
	if err != nil {
		return nil, err
	}
	skipped, n := int64(0), int64(0)
	return &iterFunc{next: func() (Row, error) {
		if l.Count >= 0 && n >= l.Count {
			return nil, io.EOF
		}
		for skipped < l.Offset {
			if _, err := in.Next(); err != nil {
				return nil, err
			}
			skipped++
		}
		r, err := in.Next()
		if err != nil {
			return nil, err
		}
		n++
		return r, nil
	}, close: in.Close}, nil
}

// SortKey is one ORDER BY key: NULLs sort first ascending, last descending.
type SortKey struct {
	Expr Expr
	Desc bool
}

// Sort orders its input. With Limit >= 0 it keeps only the first Limit rows
// (a bounded top-N instead of holding everything).
type Sort struct {
	Input Node
	Keys  []SortKey
	Limit int64
}

type sortRow struct {
	row  Row
	keys []any
}

// Open implements Node.
func (s *Sort) Open(ctx context.Context) (Iterator, error) {
	in, err := s.Input.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	less := func(a, b *sortRow) bool {
		for i, k := range s.Keys {
			c := CompareNullsFirst(a.keys[i], b.keys[i])
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c < 0
			}
		}
		return false
	}
	var rows []*sortRow
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := in.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		sr := &sortRow{row: r, keys: make([]any, len(s.Keys))}
		for i, k := range s.Keys {
			if sr.keys[i], err = k.Expr.Eval(r); err != nil {
				return nil, err
			}
		}
		rows = append(rows, sr)
		// Bounded top-N: trim once the buffer doubles past the limit.
		if s.Limit >= 0 && int64(len(rows)) >= 2*s.Limit+1024 {
			sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
			rows = rows[:s.Limit]
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return less(rows[i], rows[j]) })
	if s.Limit >= 0 && int64(len(rows)) > s.Limit {
		rows = rows[:s.Limit]
	}
	i := 0
	return &iterFunc{next: func() (Row, error) {
		if i >= len(rows) {
			return nil, io.EOF
		}
		i++
		return rows[i-1].row, nil
	}}, nil
}

// Distinct drops duplicate rows, streaming.
type Distinct struct{ Input Node }

// Open implements Node.
func (d *Distinct) Open(ctx context.Context) (Iterator, error) {
	in, err := d.Input.Open(ctx)
	if err != nil {
		return nil, err
	}
	seen := map[string]struct{}{}
	var buf []byte
	return &iterFunc{next: func() (Row, error) {
		for {
			r, err := in.Next()
			if err != nil {
				return nil, err
			}
			buf = AppendKey(buf[:0], r...)
			if _, ok := seen[string(buf)]; ok {
				continue
			}
			seen[string(buf)] = struct{}{}
			return r, nil
		}
	}, close: in.Close}, nil
}

// AppendKey appends an encoding of values to b such that two value lists
// encode equally exactly when they are equal for grouping (NULLs equal each
// other, 1 equals 1.0).
func AppendKey(b []byte, vals ...any) []byte {
	for _, v := range vals {
		switch x := Key(v).(type) {
		case nil:
			b = append(b, 'N')
		case int64:
			b = append(b, 'i')
			b = strconv.AppendInt(b, x, 10)
		case float64:
			b = append(b, 'f')
			b = strconv.AppendUint(b, math.Float64bits(x), 16)
		case string:
			b = append(b, 's')
			b = strconv.AppendInt(b, int64(len(x)), 10)
			b = append(b, ':')
			b = append(b, x...)
		case bool:
			if x {
				b = append(b, 'T')
			} else {
				b = append(b, 'F')
			}
		default:
			s := ToString(x)
			b = append(b, 'o')
			b = strconv.AppendInt(b, int64(len(s)), 10)
			b = append(b, ':')
			b = append(b, s...)
		}
		b = append(b, '|')
	}
	return b
}

// Union concatenates its inputs; without All it drops duplicates.
type Union struct {
	Inputs []Node
	All    bool
}

// Open implements Node.
func (u *Union) Open(ctx context.Context) (Iterator, error) {
	var cur Iterator
	idx := 0
	it := &iterFunc{}
	it.next = func() (Row, error) {
		for {
			if cur == nil {
				if idx >= len(u.Inputs) {
					return nil, io.EOF
				}
				c, err := u.Inputs[idx].Open(ctx)
				if err != nil {
					return nil, err
				}
				cur = c
				idx++
			}
			r, err := cur.Next()
			if errors.Is(err, io.EOF) {
				cur.Close()
				cur = nil
				continue
			}
			return r, err
		}
	}
	it.close = func() error {
		if cur != nil {
			return cur.Close()
		}
		return nil
	}
	if u.All {
		return it, nil
	}
	return (&Distinct{Input: nodeOf(it)}).Open(ctx)
}

// nodeOf wraps an already open iterator as a Node (opened once).
type openNode struct{ it Iterator }

func (o openNode) Open(context.Context) (Iterator, error) { return o.it, nil }
func nodeOf(it Iterator) Node                             { return openNode{it} }

// Drain reads every row of n.
func Drain(ctx context.Context, n Node) ([]Row, error) {
	it, err := n.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var out []Row
	for {
		r, err := it.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
}

// Now is the clock used for NOW() (tests may replace it).
var Now = func() time.Time { return time.Now().UTC() }

// FormatRow renders a row for debugging and golden files.
func FormatRow(r Row) string {
	parts := make([]string, len(r))
	for i, v := range r {
		if v == nil {
			parts[i] = "NULL"
		} else {
			parts[i] = ToString(v)
		}
	}
	return strings.Join(parts, "|")
}
