package executor

import (
	"context"
	"errors"
	"io"
)

// JoinKind is INNER or LEFT.
type JoinKind int

// Join kinds.
const (
	InnerJoin JoinKind = iota
	LeftJoin
)

// HashJoin joins Left and Right: it reads Right into a hash table keyed by
// RightKeys, then streams Left, probing with LeftKeys. Extra, when set, is
// evaluated on the combined row (left columns, then right columns) and must
// be true for a match. A LEFT join pads unmatched left rows with NULLs.
// NULL keys never match. With no keys, every pair is tested (nested loop).
type HashJoin struct {
	Left, Right         Node
	LeftKeys, RightKeys []Expr
	Extra               Expr
	Kind                JoinKind
	RightWidth          int
}

// Open implements Node.
func (j *HashJoin) Open(ctx context.Context) (Iterator, error) {
	rit, err := j.Right.Open(ctx)
	if err != nil {
		return nil, err
	}
	table := map[string][]Row{}
	var all []Row
	var kb []byte
	for {
		if err := ctx.Err(); err != nil {
			rit.Close()
			return nil, err
		}
		r, err := rit.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rit.Close()
			return nil, err
		}
		if len(j.RightKeys) == 0 {
			all = append(all, r)
			continue
		}
		var null bool
		kb, null, err = evalKey(kb[:0], j.RightKeys, r)
		if err != nil {
			rit.Close()
			return nil, err
		}
		if !null {
			table[string(kb)] = append(table[string(kb)], r)
		}
	}
	rit.Close()
	lit, err := j.Left.Open(ctx)
	if err != nil {
		return nil, err
	}
	var (
		left    Row
		cands   []Row
		ci      int
		matched bool
	)
	return &iterFunc{next: func() (Row, error) {
		for {
			if left != nil {
				for ci < len(cands) {
					right := cands[ci]
					ci++
					out := make(Row, 0, len(left)+len(right))
					out = append(append(out, left...), right...)
					if j.Extra != nil {
						v, err := j.Extra.Eval(out)
						if err != nil {
							return nil, err
						}
						if b, known := Truth(v); !known || !b {
							continue
						}
					}
					matched = true
					return out, nil
				}
				l := left
				left = nil
				if !matched && j.Kind == LeftJoin {
					out := make(Row, len(l)+j.RightWidth)
					copy(out, l)
					return out, nil
				}
			}
			l, err := lit.Next()
			if err != nil {
				return nil, err
			}
			left, ci, matched = l, 0, false
			if len(j.LeftKeys) == 0 {
				cands = all
				continue
			}
			var null bool
			kb, null, err = evalKey(kb[:0], j.LeftKeys, l)
			if err != nil {
				return nil, err
			}
			if null {
				cands = nil
			} else {
				cands = table[string(kb)]
			}
		}
	}, close: lit.Close}, nil
}

func evalKey(b []byte, keys []Expr, r Row) ([]byte, bool, error) {
	for _, k := range keys {
		v, err := k.Eval(r)
		if err != nil {
			return b, false, err
		}
		if v == nil {
			return b, true, nil
		}
		b = AppendKey(b, v)
	}
	return b, false, nil
}
