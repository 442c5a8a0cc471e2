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
	var (
		// entries holds the build rows in the order read; the rows of one
		// key are chained through next, from heads[key] on. Without keys
		// every entry is a candidate: next is simply the following one.
		entries []joinEntry
		heads   map[string]int
		kb      []byte
		// keySlab is carved into the build rows' key values, a chunk
		// at a time.
		keySlab []any
	)
	if n, ok := sizeHint(build); ok && n > 0 {
		n = min(n, maxPresize)
		entries = make([]joinEntry, 0, n)
		heads = make(map[string]int, n)
	} else {
		heads = map[string]int{}
	}
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
		n := len(entries)
		entries = grow(entries, 1)
		if len(buildKeys) == 0 {
			entries = append(entries, joinEntry{row: r, next: n + 1})
			continue
		}
		if len(keySlab) < len(buildKeys) {
			keySlab = make([]any, len(buildKeys)*keySlabRows)
		}
		vals := keySlab[:len(buildKeys):len(buildKeys)]
		var null bool
		kb, null, err = evalKey(kb[:0], buildKeys, r, vals)
		if err != nil {
			return fail(err)
		}
		if null {
			continue
		}
		keySlab = keySlab[len(buildKeys):]
		entries = append(entries, joinEntry{row: r, keys: vals, next: -1, last: n})
		if h, ok := heads[string(kb)]; ok {
			entries[entries[h].last].next = n
			entries[h].last = n
		} else {
			heads[string(kb)] = n
		}
	}
	build.Close()
	var (
		row Row
		// rowKeys holds the probe row's key values; they are needed only
		// until the next probe row.
		rowKeys = make([]any, len(probeKeys))
		cand    int // the next candidate entry; -1 or len(entries): none
		matched bool
		slab    rowSlab
	)
	return &iterFunc{next: func() (Row, error) {
		for {
			if row != nil {
				for cand >= 0 && cand < len(entries) {
					e := &entries[cand]
					cand = e.next
					if !keysEqual(rowKeys, e.keys) {
						continue
					}
					l, r := row, e.row
					if swapped {
						l, r = r, l
					}
					out := slab.make(len(l) + len(r))
					copy(out[copy(out, l):], r)
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
					out := slab.make(len(l) + j.RightWidth)
					copy(out, l)
					return out, nil
				}
			}
			r, err := probe.Next()
			if err != nil {
				return nil, err
			}
			row, cand, matched = r, -1, false
			if len(probeKeys) == 0 {
				cand = 0
				continue
			}
			var null bool
			kb, null, err = evalKey(kb[:0], probeKeys, r, rowKeys)
			if err != nil {
				return nil, err
			}
			if null {
				continue
			}
			if h, ok := heads[string(kb)]; ok {
				cand = h
			}
		}
	}, close: probe.Close}, nil
}

const (
	// maxPresize caps the rows a hash table or a sort makes room for
	// from a size hint, which is only an upper bound: a wrong hint
	// wastes a megabyte or two at most.
	maxPresize = 1 << 14
	// keySlabRows is how many build rows' key values one allocation
	// holds.
	keySlabRows = 256
)

// joinEntry is a row of the build side with its key values.
type joinEntry struct {
	row  Row
	keys []any
	// next is the index of the next entry with the same key (-1: none);
	// last, in the first entry of a key, is the index of its last entry.
	next, last int
}

// evalKey evaluates a row's join keys into vals (len(keys) long) and
// appends their MatchKey encoding to b. null is set when a key is NULL (it
// matches nothing); vals is then incomplete.
func evalKey(b []byte, keys []Expr, r Row, vals []any) (_ []byte, null bool, _ error) {
	for i, k := range keys {
		v, err := k.Eval(r)
		if err != nil {
			return b, false, err
		}
		if v == nil {
			return b, true, nil
		}
		vals[i] = v
		b = AppendKey(b, MatchKey(v))
	}
	return b, false, nil
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
