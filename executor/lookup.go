package executor

import (
	"context"
	"errors"
	"io"
)

// LookupJoin joins an outer input with an inner table that is read by key:
// it takes the outer rows in batches, collects each batch's distinct
// non-NULL keys, asks Fetch for the inner rows of exactly those keys (one
// request with an IN list, or one request per key, as the source can), and
// matches them by hash. Memory holds one batch at a time, so it streams.
//
// Output rows are laid out left then right: the outer row first when
// OuterIsLeft, else the inner row first (an INNER join whose required-key
// table was written on the left). Extra is evaluated on that combined row.
// A LEFT join (OuterIsLeft only) pads unmatched outer rows with NULLs.
type LookupJoin struct {
	Outer       Node
	OuterKey    Expr
	InnerKey    Expr
	Fetch       func(ctx context.Context, keys []any) (Node, error)
	Extra       Expr
	Kind        JoinKind
	OuterIsLeft bool
	InnerWidth  int
	BatchSize   int
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
	batch := max(j.BatchSize, 1)
	var (
		queue []Row
		done  bool
		kb    []byte
	)
	fill := func() error {
		rows := make([]Row, 0, batch)
		okeys := make([]string, 0, batch)
		seen := map[string]bool{}
		var keys []any
		for len(rows) < batch {
			r, err := outer.Next()
			if errors.Is(err, io.EOF) {
				done = true
				break
			}
			if err != nil {
				return err
			}
			k, err := j.OuterKey.Eval(r)
			if err != nil {
				return err
			}
			ks := ""
			if k != nil {
				kb = AppendKey(kb[:0], MatchKey(k))
				ks = string(kb)
				if !seen[ks] {
					seen[ks] = true
					keys = append(keys, k)
				}
			}
			rows = append(rows, r)
			okeys = append(okeys, ks)
		}
		table := map[string][]Row{}
		if len(keys) > 0 {
			n, err := j.Fetch(ctx, keys)
			if err != nil {
				return err
			}
			inner, err := Drain(ctx, n)
			if err != nil {
				return err
			}
			for _, r := range inner {
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
		}
		for i, o := range rows {
			matched := false
			if okeys[i] != "" {
				ok, err := j.OuterKey.Eval(o)
				if err != nil {
					return err
				}
				for _, in := range table[okeys[i]] {
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
						if b, known := Truth(v); !known || !b {
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
	return &iterFunc{next: func() (Row, error) {
		for len(queue) == 0 {
			if done {
				return nil, io.EOF
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			if err := fill(); err != nil {
				return nil, err
			}
		}
		r := queue[0]
		queue = queue[1:]
		return r, nil
	}, close: outer.Close}, nil
}
