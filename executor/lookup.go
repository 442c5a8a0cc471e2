package executor

import (
	"context"
	"errors"
	"io"
	"sync"
)

// LookupJoin joins an outer input with an inner table that is read by key:
// it takes the outer rows in batches, collects each batch's distinct
// non-NULL keys, asks Fetch for the inner rows of exactly those keys (one
// request with an IN list, or one request per key, as the source can), and
// matches them by hash. Up to Concurrency batches are fetched at once
// while their outer rows wait in order, so memory holds Concurrency
// batches and the output order is the same as with one batch at a time.
//
// Output rows are laid out left then right: the outer row first when
// OuterIsLeft, else the inner row first (an INNER join whose required-key
// table was written on the left). InnerFilter (when set) drops inner rows
// before they are matched; Extra is evaluated on the combined row. A LEFT
// join (OuterIsLeft only) pads unmatched outer rows with NULLs.
//
// Fetch and the draining of the node it returns run on their own
// goroutines when Concurrency > 1; every Expr is evaluated on the
// goroutine that calls Next.
type LookupJoin struct {
	Outer       Node
	OuterKey    Expr
	InnerKey    Expr
	Fetch       func(ctx context.Context, keys []any) (Node, error)
	InnerFilter Expr
	Extra       Expr
	Kind        JoinKind
	OuterIsLeft bool
	InnerWidth  int
	BatchSize   int
	// Concurrency is the most batches fetched at once (0 or 1 = one
	// after another).
	Concurrency int
}

// lookupBatch is one batch of outer rows and, once fetched, the inner
// rows of its keys.
type lookupBatch struct {
	rows  []Row
	okeys []string // each row's match key, "" for NULL
	keys  []any    // distinct non-NULL keys
	done  chan struct{}
	inner []Row
	err   error
}

// Open implements Node.
func (j *LookupJoin) Open(ctx context.Context) (Iterator, error) {
	if j.Kind == LeftJoin && !j.OuterIsLeft {
		return nil, errors.New("executor: a LEFT lookup join must read its left side first")
	}
	outer, err := j.Outer.Open(ctx)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	size := max(j.BatchSize, 1)
	conc := max(j.Concurrency, 1)
	var (
		queue   []Row
		pending []*lookupBatch // in outer order
		done    bool
		kb      []byte
	)
	// read takes the next batch of outer rows (nil at the end).
	read := func() (*lookupBatch, error) {
		b := &lookupBatch{rows: make([]Row, 0, size), okeys: make([]string, 0, size), done: make(chan struct{})}
		seen := map[string]bool{}
		for len(b.rows) < size {
			r, err := outer.Next()
			if errors.Is(err, io.EOF) {
				done = true
				break
			}
			if err != nil {
				return nil, err
			}
			k, err := j.OuterKey.Eval(r)
			if err != nil {
				return nil, err
			}
			ks := ""
			if k != nil {
				kb = AppendKey(kb[:0], MatchKey(k))
				ks = string(kb)
				if !seen[ks] {
					seen[ks] = true
					b.keys = append(b.keys, k)
				}
			}
			b.rows = append(b.rows, r)
			b.okeys = append(b.okeys, ks)
		}
		if len(b.rows) == 0 {
			return nil, nil
		}
		return b, nil
	}
	fetch := func(b *lookupBatch) {
		defer close(b.done)
		if len(b.keys) == 0 {
			return
		}
		n, err := j.Fetch(ctx, b.keys)
		if err == nil {
			b.inner, err = Drain(ctx, n)
		}
		b.err = err
	}
	// start reads batches and starts their fetches until conc are
	// pending or the outer input ends.
	start := func() error {
		for !done && len(pending) < conc {
			b, err := read()
			if err != nil {
				return err
			}
			if b == nil {
				break
			}
			pending = append(pending, b)
			if conc == 1 {
				fetch(b)
				continue
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				fetch(b)
			}()
		}
		return nil
	}
	// match joins the oldest pending batch once its rows are in.
	match := func(b *lookupBatch) error {
		select {
		case <-b.done:
		case <-ctx.Done():
			return ctx.Err()
		}
		if b.err != nil {
			return b.err
		}
		table := map[string][]Row{}
		for _, r := range b.inner {
			if j.InnerFilter != nil {
				v, err := j.InnerFilter.Eval(r)
				if err != nil {
					return err
				}
				if t, known := Truth(v); !known || !t {
					continue
				}
			}
			k, err := j.InnerKey.Eval(r)
			if err != nil {
				return err
			}
			if k == nil {
				continue
			}
			kb = AppendKey(kb[:0], MatchKey(k))
			table[string(kb)] = append(table[string(kb)], r)
		}
		for i, o := range b.rows {
			matched := false
			if b.okeys[i] != "" {
				ok, err := j.OuterKey.Eval(o)
				if err != nil {
					return err
				}
				for _, in := range table[b.okeys[i]] {
					// MatchKey groups values that may be equal; = decides.
					ik, err := j.InnerKey.Eval(in)
					if err != nil {
						return err
					}
					if c, cmpOK := Compare(ok, ik); !cmpOK || c != 0 {
						continue
					}
					out := make(Row, 0, len(o)+len(in))
					if j.OuterIsLeft {
						out = append(append(out, o...), in...)
					} else {
						out = append(append(out, in...), o...)
					}
					if j.Extra != nil {
						v, err := j.Extra.Eval(out)
						if err != nil {
							return err
						}
						if t, known := Truth(v); !known || !t {
							continue
						}
					}
					matched = true
					queue = append(queue, out)
				}
			}
			if !matched && j.Kind == LeftJoin {
				out := make(Row, len(o)+j.InnerWidth)
				copy(out, o)
				queue = append(queue, out)
			}
		}
		return nil
	}
	var failed error
	return &iterFunc{next: func() (Row, error) {
		if failed != nil {
			return nil, failed
		}
		for len(queue) == 0 {
			if err := ctx.Err(); err != nil {
				failed = err
				return nil, err
			}
			if err := start(); err != nil {
				failed = err
				return nil, err
			}
			if len(pending) == 0 {
				return nil, io.EOF
			}
			b := pending[0]
			pending[0] = nil
			pending = pending[1:]
			if err := match(b); err != nil {
				failed = err
				return nil, err
			}
		}
		r := queue[0]
		queue[0] = nil
		queue = queue[1:]
		return r, nil
	}, close: func() error {
		cancel() // stops the fetches still running
		wg.Wait()
		return outer.Close()
	}}, nil
}
