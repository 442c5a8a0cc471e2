package executor

import (
	"context"
	"errors"
	"io"
	"math"
	"slices"
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
	var slab rowSlab
	return &iterFunc{next: func() (Row, error) {
		r, err := in.Next()
		if err != nil {
			return nil, err
		}
		out := slab.make(len(p.Exprs))
		for i, e := range p.Exprs {
			if out[i], err = e.Eval(r); err != nil {
				return nil, err
			}
		}
		return out, nil
	}, close: in.Close, hint: func() (int64, bool) { return sizeHint(in) }}, nil
}

// rowSlab makes rows out of larger allocations, so an operator that makes a
// row per input row allocates once per chunk of rows. Chunks start at one
// row and double up to slabValues values (or four rows, for wide rows), so
// a short result costs no more than before. Each row is capped at its width
// (appending to it copies it, never overwriting the next row) and is handed
// out once; a row a consumer keeps keeps its whole chunk alive.
type rowSlab struct {
	free []any
	rows int // rows in the last chunk
}

// slabValues is the most values in a chunk of narrow rows: 4 KiB with the
// 8 bytes the allocator adds to an object of that size holding pointers.
const slabValues = 4096/16 - 1

// make returns a new row of width NULLs.
func (s *rowSlab) make(width int) Row {
	if width == 0 {
		return Row{}
	}
	if width > len(s.free) {
		s.rows = max(min(2*s.rows, max(slabValues/width, 4)), 1)
		s.free = make([]any, s.rows*width)
	}
	r := s.free[:width:width]
	s.free = s.free[width:]
	return r
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

// Open implements Node.
func (s *Sort) Open(ctx context.Context) (Iterator, error) {
	in, err := s.Input.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	// Row i's sort keys are keys[i*nk : (i+1)*nk], evaluated once (even
	// for columns: reading them from the rows while sorting costs more
	// cache misses); the rows are sorted by permuting their indexes, perm.
	nk := len(s.Keys)
	var (
		rows []Row
		keys []any
		perm []int
		// The first Limit rows and their keys, while trimming.
		top     []Row
		topKeys []any
	)
	if n, ok := sizeHint(in); ok && n > 0 {
		n = min(n, maxPresize)
		if s.Limit >= 0 {
			n = min(n, 2*s.Limit+1024)
		}
		rows, keys = make([]Row, 0, n), make([]any, 0, n*int64(nk))
	}
	cmp := func(a, b int) int {
		ka, kb := keys[a*nk:(a+1)*nk], keys[b*nk:(b+1)*nk]
		for i, k := range s.Keys {
			c := CompareNullsFirst(ka[i], kb[i])
			if k.Desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return 0
	}
	sortRows := func() {
		perm = grow(perm[:0], len(rows))
		for i := range rows {
			perm = append(perm, i)
		}
		slices.SortStableFunc(perm, cmp)
	}
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
		rows = grow(rows, 1)
		rows = append(rows, r)
		keys = grow(keys, nk)
		for _, k := range s.Keys {
			v, err := k.Expr.Eval(r)
			if err != nil {
				return nil, err
			}
			keys = append(keys, v)
		}
		// Bounded top-N: trim to the first Limit rows, in order, once the
		// buffer doubles past the limit.
		if s.Limit >= 0 && int64(len(rows)) >= 2*s.Limit+1024 {
			sortRows()
			n := int(s.Limit)
			if top == nil {
				top, topKeys = make([]Row, n), make([]any, n*nk)
			}
			for i, p := range perm[:n] {
				top[i] = rows[p]
				copy(topKeys[i*nk:(i+1)*nk], keys[p*nk:(p+1)*nk])
			}
			rows = append(rows[:0], top...)
			keys = append(keys[:0], topKeys...)
		}
	}
	sortRows()
	if s.Limit >= 0 && int64(len(perm)) > s.Limit {
		perm = perm[:s.Limit]
	}
	keys = nil
	i := 0
	return &iterFunc{next: func() (Row, error) {
		if i >= len(perm) {
			return nil, io.EOF
		}
		i++
		return rows[perm[i-1]], nil
	}}, nil
}

// grow makes room for n more elements in s, doubling its capacity when it
// is full (append grows large slices by a quarter, and copies them more
// often).
func grow[E any](s []E, n int) []E {
	if len(s)+n <= cap(s) {
		return s
	}
	return slices.Grow(s, max(n, cap(s), 16))
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
