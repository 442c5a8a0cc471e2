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

// HashJoin joins Left and Right: it reads one side into a hash table (the
// right side, or for an INNER join the left one when it is known to be
// smaller) and streams the other, probing the table. Keys match as = does
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

// Open implements Node. Both inputs are opened first (each scan reads its
// first page, which may report the table's size); an INNER join then builds
// its hash table from the side known to be smaller, a LEFT join always from
// the right side. Rows come out laid out left, then right, either way.
func (j *HashJoin) Open(ctx context.Context) (Iterator, error) {
	rit, err := j.Right.Open(ctx)
	if err != nil {
		return nil, err
	}
	lit, err := j.Left.Open(ctx)
	if err != nil {
		rit.Close()
		return nil, err
	}
	build, probe := rit, lit
	buildKeys, probeKeys := j.RightKeys, j.LeftKeys
	swapped := false
	if j.Kind == InnerJoin {
		ln, lok := sizeHint(lit)
		rn, rok := sizeHint(rit)
		if lok && rok && ln < rn {
			build, probe, buildKeys, probeKeys, swapped = lit, rit, j.LeftKeys, j.RightKeys, true
		}
	}
	table := map[string][]joinEntry{}
	var all []joinEntry
	var kb []byte
	fail := func(err error) (Iterator, error) {
		build.Close()
		probe.Close()
		return nil, err
	}
	for {
		if err := ctx.Err(); err != nil {
			return fail(err)
		}
		r, err := build.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err)
		}
		if len(buildKeys) == 0 {
			all = append(all, joinEntry{row: r})
			continue
		}
		var (
			null bool
			vals []any
		)
		kb, vals, null, err = evalKey(kb[:0], buildKeys, r)
		if err != nil {
			return fail(err)
		}
		if !null {
			table[string(kb)] = append(table[string(kb)], joinEntry{row: r, keys: vals})
		}
	}
	build.Close()
	var (
		row     Row
		rowKeys []any
		cands   []joinEntry
		ci      int
		matched bool
	)
	return &iterFunc{next: func() (Row, error) {
		for {
			if row != nil {
				for ci < len(cands) {
					other := cands[ci].row
					ci++
					if !keysEqual(rowKeys, cands[ci-1].keys) {
						continue
					}
					out := make(Row, 0, len(row)+len(other))
					if swapped {
						out = append(append(out, other...), row...)
					} else {
						out = append(append(out, row...), other...)
					}
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
				l := row
				row = nil
				if !matched && j.Kind == LeftJoin {
					out := make(Row, len(l)+j.RightWidth)
					copy(out, l)
					return out, nil
				}
			}
			r, err := probe.Next()
			if err != nil {
				return nil, err
			}
			row, rowKeys, ci, matched = r, nil, 0, false
			if len(probeKeys) == 0 {
				cands = all
				continue
			}
			var null bool
			kb, rowKeys, null, err = evalKey(kb[:0], probeKeys, r)
			if err != nil {
				return nil, err
			}
			if null {
				cands = nil
			} else {
				cands = table[string(kb)]
			}
		}
	}, close: probe.Close}, nil
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
