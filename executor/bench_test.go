package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
)

// Micro-benchmarks of the executor's hot paths: expression evaluation,
// hash joins, aggregation and the streaming operators. Inputs are built in
// memory (memSource) with a fixed seed, so runs compare. Besides ns/op,
// B/op and allocs/op, each benchmark reports ns/row and allocs/row, where a
// row is one row read from an input (from either side, for a join).
//
//	go test -run '^$' -bench . -benchmem ./executor

// Columns of the generated rows.
const (
	colID       = iota // int64, 0..n-1
	colQty             // int64, 0..99
	colPrice           // float64, 0..100
	colName            // string, 3-10 lower-case letters
	colCategory        // string, 100 values "cat000".."cat099"
	colGroup           // int64, n/2 values (about two rows each)
	colCustomer        // int64, 1,000 values
	colNote            // string or NULL (one row in four)
	benchWidth
)

// benchRows builds n rows with a fixed seed.
func benchRows(n int) []Row {
	rng := rand.New(rand.NewPCG(1, 2))
	rows := make([]Row, n)
	for i := range rows {
		name := make([]byte, 3+rng.IntN(8))
		for j := range name {
			name[j] = byte('a' + rng.IntN(26))
		}
		var note any
		if rng.IntN(4) != 0 {
			note = fmt.Sprintf("note %d", rng.IntN(1000))
		}
		rows[i] = Row{
			int64(i),
			int64(rng.IntN(100)),
			float64(rng.IntN(10000)) / 100,
			string(name),
			fmt.Sprintf("cat%03d", rng.IntN(100)),
			int64(rng.IntN(max(n/2, 1))),
			int64(rng.IntN(1000)),
			note,
		}
	}
	return rows
}

// memSource is an in-memory row source: it yields its rows as a scan does,
// one slice per row, and reports its size when hint is set. With reuse it
// copies every row into one buffer, as a Scan with Reuse does. reads
// counts the rows yielded.
type memSource struct {
	rows  []Row
	hint  bool
	reuse bool
	reads int
}

// Open implements Node.
func (m *memSource) Open(ctx context.Context) (Iterator, error) {
	i := 0
	var buf Row
	if m.reuse && len(m.rows) > 0 {
		buf = make(Row, len(m.rows[0]))
	}
	it := &iterFunc{next: func() (Row, error) {
		if i >= len(m.rows) {
			return nil, io.EOF
		}
		r := m.rows[i]
		i++
		m.reads++
		if buf != nil {
			copy(buf, r)
			return buf, nil
		}
		return r, nil
	}}
	if m.hint {
		it.hint = func() (int64, bool) { return int64(len(m.rows)), true }
	}
	return it, nil
}

// drainCount reads every row of n without keeping them.
func drainCount(b *testing.B, n Node) int {
	it, err := n.Open(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	defer it.Close()
	count := 0
	for {
		_, err := it.Next()
		if errors.Is(err, io.EOF) {
			return count
		}
		if err != nil {
			b.Fatal(err)
		}
		count++
	}
}

// loopRows runs body in a b.Loop and reports ns/row and allocs/row, where
// body returns the number of input rows it read.
func loopRows(b *testing.B, body func() (rows int)) {
	b.Helper()
	b.ReportAllocs()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	rows := 0
	for b.Loop() {
		rows += body()
	}
	runtime.ReadMemStats(&after)
	total := float64(max(rows, 1))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/total, "ns/row")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/row")
}

// fn builds a scalar function call the way the planner does: lazy
// functions get their unevaluated arguments, others are NULL-propagating
// unless NULL-aware.
func fn(name string, args ...Expr) Expr {
	f := Funcs[name]
	if f.Lazy != nil {
		return &Lazy{Name: name, Fn: f.Lazy, Args: args}
	}
	call := f.Fn
	if !f.NullAware {
		call = func(a []any) (any, error) {
			for _, v := range a {
				if v == nil {
					return nil, nil
				}
			}
			return f.Fn(a)
		}
	}
	return &Call{Name: name, Fn: call, Args: args}
}

func col(i int) Expr { return &Col{Idx: i} }

// BenchmarkExpr evaluates one expression over 10,000 rows per op.
func BenchmarkExpr(b *testing.B) {
	rows := benchRows(10_000)
	cases := []struct {
		name string
		e    Expr
	}{
		// qty < 10 AND name LIKE 'a%'
		{"qty<10_AND_name_LIKE", &And{
			L: &Cmp{Op: "<", L: col(colQty), R: c(int64(10))},
			R: &Like{E: col(colName), Pattern: c("a%"), Escape: '\\'},
		}},
		{"LIKE_prefix", &Like{E: col(colName), Pattern: c("a%"), Escape: '\\'}},
		{"LIKE_contains", &Like{E: col(colName), Pattern: c("%ab%"), Escape: '\\'}},
		{"cmp_int", &Cmp{Op: "<", L: col(colQty), R: c(int64(50))}},
		{"cmp_float", &Cmp{Op: ">=", L: col(colPrice), R: c(12.5)}},
		{"cmp_int_float", &Cmp{Op: ">", L: col(colQty), R: col(colPrice)}},
		{"cmp_string", &Cmp{Op: "=", L: col(colCategory), R: c("cat042")}},
		// price * qty + 1 > 100 OR category IN ('cat001', 'cat002', 'cat003')
		{"arith_OR_IN", &Or{
			L: &Cmp{Op: ">", L: &Arith{Op: "+", L: &Arith{Op: "*", L: col(colPrice), R: col(colQty)}, R: c(int64(1))}, R: c(int64(100))},
			R: &In{E: col(colCategory), List: []Expr{c("cat001"), c("cat002"), c("cat003")}},
		}},
		{"arith_int", &Arith{Op: "+", L: col(colID), R: &Arith{Op: "*", L: col(colQty), R: c(int64(2))}}},
		{"arith_float", &Arith{Op: "*", L: col(colPrice), R: c(1.2)}},
		{"CASE", &Case{Whens: []When{
			{Cond: &Cmp{Op: "<", L: col(colQty), R: c(int64(10))}, Then: c("low")},
			{Cond: &Cmp{Op: "<", L: col(colQty), R: c(int64(50))}, Then: c("mid")},
		}, Else: c("high")}},
		{"LOWER=", &Cmp{Op: "=", L: fn("LOWER", col(colName)), R: c("abc")}},
		{"UPPER", fn("UPPER", col(colName))},
		{"COALESCE", fn("COALESCE", col(colNote), col(colName))},
		{"LENGTH>5", &Cmp{Op: ">", L: fn("LENGTH", col(colName)), R: c(int64(5))}},
		{"IS_NOT_NULL", &IsNull{E: col(colNote), Negate: true}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			loopRows(b, func() int {
				for _, r := range rows {
					if _, err := tc.e.Eval(r); err != nil {
						b.Fatal(err)
					}
				}
				return len(rows)
			})
		})
	}
}

// BenchmarkHashJoin joins 100,000 probe rows with 10,000 build rows, each
// probe row meeting one build row (inner) or half of them none (left).
func BenchmarkHashJoin(b *testing.B) {
	const nBuild, nProbe = 10_000, 100_000
	build := benchRows(nBuild)
	probe := benchRows(nProbe)
	strKey := func(rows []Row, mod int) []Row {
		out := make([]Row, len(rows))
		for i, r := range rows {
			k := r[colID].(int64) % int64(mod)
			out[i] = append(Row{fmt.Sprintf("key-%06d", k)}, r[1:]...)
		}
		return out
	}
	intKey := func(rows []Row, mod int) []Row {
		out := make([]Row, len(rows))
		for i, r := range rows {
			out[i] = append(Row{r[colID].(int64) % int64(mod)}, r[1:]...)
		}
		return out
	}
	cases := []struct {
		name        string
		left, right []Row
		kind        JoinKind
		hint        bool
	}{
		{"int_inner", intKey(probe, nBuild), intKey(build, nBuild), InnerJoin, false},
		{"string_inner", strKey(probe, nBuild), strKey(build, nBuild), InnerJoin, false},
		// The right side is the larger: the join builds from the left.
		{"int_inner_build_left", intKey(build, nBuild), intKey(probe, nBuild), InnerJoin, true},
		{"int_left", intKey(probe, 2*nBuild), intKey(build, nBuild), LeftJoin, false},
		{"string_left", strKey(probe, 2*nBuild), strKey(build, nBuild), LeftJoin, false},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			j := &HashJoin{
				Left:       &memSource{rows: tc.left, hint: tc.hint},
				Right:      &memSource{rows: tc.right, hint: tc.hint},
				LeftKeys:   []Expr{col(0)},
				RightKeys:  []Expr{col(0)},
				Kind:       tc.kind,
				RightWidth: benchWidth,
			}
			want := max(len(tc.left), len(tc.right))
			loopRows(b, func() int {
				if n := drainCount(b, j); n != want {
					b.Fatalf("%d rows, want %d", n, want)
				}
				return len(tc.left) + len(tc.right)
			})
		})
	}
}

// BenchmarkAggregate groups 100,000 rows.
func BenchmarkAggregate(b *testing.B) {
	rows := benchRows(100_000)
	five := []AggSpec{
		{Func: "COUNT"},
		{Func: "SUM", Arg: col(colQty)},
		{Func: "AVG", Arg: col(colPrice)},
		{Func: "MIN", Arg: col(colPrice)},
		{Func: "MAX", Arg: col(colName)},
	}
	cases := []struct {
		name    string
		groupBy []Expr
		aggs    []AggSpec
		groups  int
	}{
		{"100_groups", []Expr{col(colCategory)}, five, 100},
		{"50k_groups", []Expr{col(colGroup)}, five, -1},
		{"no_group", nil, five, 1},
		{"two_keys", []Expr{col(colCategory), col(colQty)}, five[:2], -1},
		{"COUNT_DISTINCT_100_groups", []Expr{col(colCategory)}, []AggSpec{{Func: "COUNT", Arg: col(colCustomer), Distinct: true}}, 100},
		{"COUNT_DISTINCT_no_group", nil, []AggSpec{{Func: "COUNT", Arg: col(colCustomer), Distinct: true}}, 1},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			a := &Aggregate{Input: &memSource{rows: rows}, GroupBy: tc.groupBy, Aggs: tc.aggs}
			loopRows(b, func() int {
				if n := drainCount(b, a); tc.groups > 0 && n != tc.groups {
					b.Fatalf("%d groups, want %d", n, tc.groups)
				}
				return len(rows)
			})
		})
	}
}

// BenchmarkOps runs the streaming and blocking operators over 100,000 rows.
func BenchmarkOps(b *testing.B) {
	rows := benchRows(100_000)
	var sources []*memSource
	source := func(reuse bool) Node {
		m := &memSource{rows: rows, reuse: reuse}
		sources = append(sources, m)
		return m
	}
	src := func() Node { return source(false) }
	reused := func() Node { return source(true) }
	pred := &Cmp{Op: "<", L: col(colQty), R: c(int64(50))}
	proj := []Expr{col(colID), col(colName), &Arith{Op: "*", L: col(colPrice), R: col(colQty)}}
	cases := []struct {
		name string
		node Node
	}{
		{"scan", src()},
		{"filter", &Filter{Input: src(), Pred: pred}},
		{"project", &Project{Input: src(), Exprs: proj}},
		{"project_cols", &Project{Input: src(), Exprs: []Expr{col(colID), col(colName), col(colCategory)}}},
		// SELECT id, name, price*qty FROM t WHERE qty < 50 LIMIT 1000 OFFSET 10, over a reused scan row
		{"filter_project_limit", &Limit{Input: &Project{Input: &Filter{Input: reused(), Pred: pred}, Exprs: proj}, Offset: 10, Count: 1000}},
		{"filter_project_reused", &Project{Input: &Filter{Input: reused(), Pred: pred}, Exprs: proj}},
		{"limit", &Limit{Input: src(), Offset: 1000, Count: 50_000}},
		{"sort_float", &Sort{Input: src(), Keys: []SortKey{{Expr: col(colPrice)}}, Limit: -1}},
		{"sort_string_int_desc", &Sort{Input: src(), Keys: []SortKey{{Expr: col(colCategory)}, {Expr: col(colID), Desc: true}}, Limit: -1}},
		{"sort_top10", &Sort{Input: src(), Keys: []SortKey{{Expr: col(colPrice), Desc: true}}, Limit: 10}},
		{"distinct_category", &Distinct{Input: &Project{Input: src(), Exprs: []Expr{col(colCategory)}}}},
		{"distinct_rows", &Distinct{Input: src()}},
		{"union", &Union{Inputs: []Node{
			&Project{Input: src(), Exprs: []Expr{col(colCustomer)}},
			&Project{Input: src(), Exprs: []Expr{col(colQty)}},
		}}},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			loopRows(b, func() int {
				reads := 0
				for _, m := range sources {
					reads -= m.reads
				}
				drainCount(b, tc.node)
				for _, m := range sources {
					reads += m.reads
				}
				return reads
			})
		})
	}
}
