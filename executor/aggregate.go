package executor

import (
	"context"
	"errors"
	"fmt"
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
			return nil, fmt.Errorf("executor: unknown aggregate %s", s.Func)
		}
	}
	in, err := a.Input.Open(ctx)
	if err != nil {
		return nil, err
	}
	defer in.Close()
	groups := map[string]*group{}
	var order []*group
	var kb []byte
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
		keys := make(Row, len(a.GroupBy))
		for i, e := range a.GroupBy {
			if keys[i], err = e.Eval(r); err != nil {
				return nil, err
			}
		}
		kb = AppendKey(kb[:0], keys...)
		g := groups[string(kb)]
		if g == nil {
			g = &group{keys: keys, states: make([]aggState, len(a.Aggs))}
			groups[string(kb)] = g
			order = append(order, g)
		}
		for i, s := range a.Aggs {
			if err := g.states[i].add(s, r); err != nil {
				return nil, err
			}
		}
	}
	if len(order) == 0 && len(a.GroupBy) == 0 {
		order = append(order, &group{states: make([]aggState, len(a.Aggs))})
	}
	i := 0
	return &iterFunc{next: func() (Row, error) {
		if i >= len(order) {
			return nil, io.EOF
		}
		g := order[i]
		i++
		out := make(Row, 0, len(g.keys)+len(a.Aggs))
		out = append(out, g.keys...)
		for j, s := range a.Aggs {
			out = append(out, g.states[j].result(s))
		}
		return out, nil
	}}, nil
}

func (st *aggState) add(s AggSpec, r Row) error {
	if s.Arg == nil { // COUNT(*)
		st.count++
		return nil
	}
	v, err := s.Arg.Eval(r)
	if err != nil {
		return err
	}
	if v == nil {
		return nil
	}
	if s.Distinct {
		if st.seen == nil {
			st.seen = map[string]struct{}{}
		}
		k := string(AppendKey(nil, v))
		if _, dup := st.seen[k]; dup {
			return nil
		}
		st.seen[k] = struct{}{}
	}
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
				return fmt.Errorf("executor: %s of a non-number: %s", s.Func, describe(v))
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
func AggregateType(fn, argType string) string {
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
