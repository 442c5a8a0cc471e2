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
// RightKeys, then streams Left, probing with LeftKeys. Keys match as = does
// (Compare: '1' = 1), through MatchKey. Extra, when set, is evaluated on the
// combined row (left columns, then right columns) and must be true for a
// match. A LEFT join pads unmatched left rows with NULLs. NULL keys never
// match. With no keys, every pair is tested (nested loop).
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
	table := map[string][]joinEntry{}
	var all []joinEntry
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
			all = append(all, joinEntry{row: r})
			continue
		}
		var (
			null bool
			vals []any
		)
		kb, vals, null, err = evalKey(kb[:0], j.RightKeys, r)
		if err != nil {
			rit.Close()
			return nil, err
		}
		if !null {
			table[string(kb)] = append(table[string(kb)], joinEntry{row: r, keys: vals})
		}
	}
	rit.Close()
	lit, err := j.Left.Open(ctx)
	if err != nil {
		return nil, err
	}
	var (
		left     Row
		leftKeys []any
		cands    []joinEntry
		ci       int
		matched  bool
	)
	return &iterFunc{next: func() (Row, error) {
		for {
			if left != nil {
				for ci < len(cands) {
					right := cands[ci].row
					ci++
					if !keysEqual(leftKeys, cands[ci-1].keys) {
						continue
					}
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
			left, leftKeys, ci, matched = l, nil, 0, false
			if len(j.LeftKeys) == 0 {
				cands = all
				continue
			}
			var null bool
			kb, leftKeys, null, err = evalKey(kb[:0], j.LeftKeys, l)
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

// joinEntry is a row of the build side with its key values.
type joinEntry struct {
	row  Row
	keys []any
}

// evalKey evaluates a row's join keys: their MatchKey encoding, appended to
// b, and their values. null is set when a key is NULL (it matches nothing).
func evalKey(b []byte, keys []Expr, r Row) (_ []byte, vals []any, null bool, _ error) {
	vals = make([]any, len(keys))
	for i, k := range keys {
		v, err := k.Eval(r)
		if err != nil {
			return b, nil, false, err
		}
		if v == nil {
			return b, nil, true, nil
		}
		vals[i] = v
		b = AppendKey(b, MatchKey(v))
	}
	return b, vals, false, nil
}

// keysEqual confirms a hash match: every key pair is = (see MatchKey).
func keysEqual(a, b []any) bool {
	for i := range a {
		if n, ok := Compare(a[i], b[i]); !ok || n != 0 {
			return false
		}
	}
	return true
}
