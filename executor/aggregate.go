package executor

import (
	"context"
	"errors"
	"io"
	"strings"
)

// AggSpec is one aggregate function call.
type AggSpec struct {
	// Func is COUNT, SUM, AVG, MIN or MAX.
	Func string
	// Arg is nil for COUNT(*).
	Arg      Expr
	Distinct bool
}

// Aggregate groups its input by GroupBy and computes Aggs per group. Each
// output row holds the group values followed by the aggregate values. With
// no GROUP BY, an empty input still yields one row (COUNT 0, SUM NULL).
// Groups come out in the order they were first seen.
type Aggregate struct {
	Input   Node
	GroupBy []Expr
	Aggs    []AggSpec
}

type aggState struct {
	count    int64
	sumI     int64
	sumF     float64
	isFloat  bool
	overflow bool
	val      any // MIN / MAX
	seen     map[string]struct{}
}

type group struct {
	keys   Row
	states []aggState
}

// Open implements Node.
func (a *Aggregate) Open(ctx context.Context) (Iterator, error) {
	for _, s := range a.Aggs {
		switch s.Func {
		case "COUNT", "SUM", "AVG", "MIN", "MAX":
		default:
			return nil, unknownFunctionf("executor: unknown aggregate %s", s.Func)
		}
	}
	in, err := a.Input.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	groups := map[string]*group{}
	var (
		order []*group
		kb    []byte
		// keys is the current row's group values; a new group copies
		// them.
		keys = make(Row, len(a.GroupBy))
		// scratch is the buffer aggState.add encodes DISTINCT values in.
		scratch []byte
		// New groups, their keys and states are carved from slabs that
		// grow with the number of groups.
		slab groupSlab
	)
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
		for i, e := range a.GroupBy {
			if keys[i], err = e.Eval(r); err != nil {
				return nil, err
			}
		}
		kb = AppendKey(kb[:0], keys...)
		g := groups[string(kb)]
		if g == nil {
			g = slab.next(keys, len(a.Aggs))
			groups[string(kb)] = g
			order = append(order, g)
		}
		for i := range a.Aggs {
			if scratch, err = g.states[i].add(&a.Aggs[i], r, scratch); err != nil {
				return nil, err
			}
		}
	}
	clear(keys)
	if len(order) == 0 && len(a.GroupBy) == 0 {
		order = append(order, &group{states: make([]aggState, len(a.Aggs))})
	}
	i := 0
	var rows rowSlab
	return &iterFunc{next: func() (Row, error) {
		if i >= len(order) {
			return nil, io.EOF
		}
		g := order[i]
		i++
		out := rows.make(len(g.keys) + len(a.Aggs))
		n := copy(out, g.keys)
		for j, s := range a.Aggs {
			out[n+j] = g.states[j].result(s)
		}
		return out, nil
	}}, nil
}

// add adds row r to the state of aggregate s. scratch is a buffer it may
// use; it returns it, perhaps grown.
func (st *aggState) add(s *AggSpec, r Row, scratch []byte) ([]byte, error) {
	if s.Arg == nil { // COUNT(*)
		st.count++
		return scratch, nil
	}
	v, err := s.Arg.Eval(r)
	if err != nil {
		return scratch, err
	}
	if v == nil {
		return scratch, nil
	}
	if s.Distinct {
		if st.seen == nil {
			st.seen = map[string]struct{}{}
		}
		scratch = AppendKey(scratch[:0], v)
		if _, dup := st.seen[string(scratch)]; dup {
			return scratch, nil
		}
		st.seen[string(scratch)] = struct{}{}
	}
	return scratch, st.addValue(s, v)
}

// addValue adds a non-NULL value to the state of aggregate s.
func (st *aggState) addValue(s *AggSpec, v any) error {
	st.count++
	switch s.Func {
	case "SUM", "AVG":
		switch x := v.(type) {
		case int64:
			if !st.isFloat && !st.overflow {
				sum := st.sumI + x
				if (sum > st.sumI) != (x > 0) {
					st.overflow = true
				} else {
					st.sumI = sum
				}
			}
			st.sumF += float64(x)
		default:
			f, ok := asFloat(v)
			if !ok {
				return typeMismatchf("executor: %s of a non-number: %s", s.Func, describe(v))
			}
			st.isFloat = true
			st.sumF += f
		}
	case "MIN", "MAX":
		if st.val == nil {
			st.val = v
			return nil
		}
		c, _ := Compare(v, st.val)
		if (s.Func == "MIN" && c < 0) || (s.Func == "MAX" && c > 0) {
			st.val = v
		}
	}
	return nil
}

// groupSlab allocates groups, with their keys and states, in chunks that
// double as the groups grow (from one to 1,024 groups a chunk): three
// allocations per chunk, not three per group.
type groupSlab struct {
	groups []group
	keys   []any
	states []aggState
	size   int
}

// next returns a new group with a copy of keys and nAggs zero states.
func (s *groupSlab) next(keys Row, nAggs int) *group {
	if len(s.groups) == 0 {
		s.size = min(max(2*s.size, 1), 1024)
		s.groups = make([]group, s.size)
		s.keys = make([]any, s.size*len(keys))
		s.states = make([]aggState, s.size*nAggs)
	}
	g := &s.groups[0]
	s.groups = s.groups[1:]
	g.keys = s.keys[:len(keys):len(keys)]
	s.keys = s.keys[len(keys):]
	copy(g.keys, keys)
	g.states = s.states[:nAggs:nAggs]
	s.states = s.states[nAggs:]
	return g
}

func (st *aggState) result(s AggSpec) any {
	switch s.Func {
	case "COUNT":
		return st.count
	case "SUM":
		if st.count == 0 {
			return nil
		}
		if st.isFloat || st.overflow {
			return st.sumF
		}
		return st.sumI
	case "AVG":
		if st.count == 0 {
			return nil
		}
		return st.sumF / float64(st.count)
	default:
		return st.val
	}
}

// AggregateType is the result type of an aggregate over an argument type.
func AggregateType(fn string, argType Type) Type {
	switch strings.ToUpper(fn) {
	case "COUNT":
		return TypeInt
	case "AVG":
		return TypeFloat
	case "SUM":
		if argType == TypeInt {
			return TypeInt
		}
		return TypeFloat
	}
	return argType
}
