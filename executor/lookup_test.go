package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLookupJoinBatches(t *testing.T) {
	outer := rowsOf([]any{int64(1), "a"}, []any{int64(2), "b"}, []any{int64(1), "c"}, []any{nil, "d"}, []any{int64(9), "e"})
	inner := map[int64][]Row{1: {{int64(1), "x"}, {int64(1), "y"}}, 2: {{int64(2), "z"}}}
	var asked [][]any
	fetch := func(_ context.Context, keys []any) (Node, error) {
		asked = append(asked, keys)
		v := &Values{}
		for _, k := range keys {
			v.Rows = append(v.Rows, inner[k.(int64)]...)
		}
		return v, nil
	}
	j := &LookupJoin{Outer: outer, OuterKey: &Col{0}, InnerKey: &Col{0}, Fetch: fetch, OuterIsLeft: true, InnerWidth: 2, BatchSize: 3, Kind: LeftJoin}
	rows, err := Drain(context.Background(), j)
	require.NoError(t, err)
	assert.Equal(t, []Row{
		{int64(1), "a", int64(1), "x"}, {int64(1), "a", int64(1), "y"},
		{int64(2), "b", int64(2), "z"},
		{int64(1), "c", int64(1), "x"}, {int64(1), "c", int64(1), "y"},
		{nil, "d", nil, nil},
		{int64(9), "e", nil, nil},
	}, rows)
	// Distinct non-NULL keys per batch of three outer rows.
	assert.Equal(t, [][]any{{int64(1), int64(2)}, {int64(9)}}, asked)

	asked = nil
	swapped := &LookupJoin{Outer: outer, OuterKey: &Col{0}, InnerKey: &Col{0}, Fetch: fetch, InnerWidth: 2, BatchSize: 10,
		Extra: &Cmp{Op: "!=", L: &Col{1}, R: c("y")}}
	rows, err = Drain(context.Background(), swapped)
	require.NoError(t, err)
	assert.Equal(t, []Row{
		{int64(1), "x", int64(1), "a"},
		{int64(2), "z", int64(2), "b"},
		{int64(1), "x", int64(1), "c"},
	}, rows)
	assert.Len(t, asked, 1)
}

// hinted yields fixed rows, records each read in a shared log and reports
// its size.
type hinted struct {
	name string
	rows []Row
	log  *[]string
}

func (h *hinted) Open(context.Context) (Iterator, error) {
	i := 0
	return &iterFunc{next: func() (Row, error) {
		if i >= len(h.rows) {
			return nil, io.EOF
		}
		*h.log = append(*h.log, h.name)
		i++
		return h.rows[i-1], nil
	}, hint: func() (int64, bool) { return int64(len(h.rows)), true }}, nil
}

func TestHashJoinBuildsTheSmallerSide(t *testing.T) {
	var log []string
	left := &hinted{name: "L", rows: []Row{{int64(1), "a"}, {int64(2), "b"}}, log: &log}
	var rightRows []Row
	for i := int64(0); i < 6; i++ {
		rightRows = append(rightRows, Row{i % 3, i})
	}
	right := &hinted{name: "R", rows: rightRows, log: &log}
	j := &HashJoin{Left: left, Right: right, LeftKeys: []Expr{&Col{0}}, RightKeys: []Expr{&Col{0}}, RightWidth: 2}
	rows, err := Drain(context.Background(), j)
	require.NoError(t, err)
	assert.Equal(t, []string{"L", "L", "R", "R", "R", "R", "R", "R"}, log, "the smaller left side is read whole first")
	assert.ElementsMatch(t, []Row{
		{int64(1), "a", int64(1), int64(1)}, {int64(1), "a", int64(1), int64(4)},
		{int64(2), "b", int64(2), int64(2)}, {int64(2), "b", int64(2), int64(5)},
	}, rows, "rows keep the left, right layout")

	log = nil
	j.Kind = LeftJoin
	_, err = Drain(context.Background(), j)
	require.NoError(t, err)
	assert.Equal(t, "R", log[0], "a LEFT join always builds from the right side")
}

// TestLookupJoinConcurrentBatches: with Concurrency 3, three fetches are in
// flight at once, later batches may finish first, and the rows come in the
// same order as one batch at a time.
func TestLookupJoinConcurrentBatches(t *testing.T) {
	var outerRows [][]any
	for i := int64(1); i <= 20; i++ {
		outerRows = append(outerRows, []any{i % 7, i})
	}
	outer := rowsOf(outerRows...)
	inner := func(k int64) []Row { return []Row{{k, fmt.Sprint("x", k)}, {k, fmt.Sprint("y", k)}} }
	plain := func(_ context.Context, keys []any) (Node, error) {
		v := &Values{}
		for _, k := range keys {
			v.Rows = append(v.Rows, inner(k.(int64))...)
		}
		return v, nil
	}
	base := LookupJoin{Outer: outer, OuterKey: &Col{0}, InnerKey: &Col{0}, OuterIsLeft: true, InnerWidth: 2, BatchSize: 3, Kind: LeftJoin,
		InnerFilter: &Cmp{Op: "!=", L: &Col{1}, R: c("y3")}}
	seq := base
	seq.Fetch = plain
	want, err := Drain(context.Background(), &seq)
	require.NoError(t, err)
	require.Len(t, want, 20*2-3) // key 0 has no inner rows; y3 is filtered out

	// A fetch waits until three are in flight (or it is the last batch),
	// then they finish newest first.
	var (
		mu       sync.Mutex
		inFlight int
		peak     int
		calls    int
		waiting  []chan struct{}
	)
	const batches = 7 // 20 rows in batches of 3
	conc := base
	conc.Concurrency = 3
	conc.Fetch = func(ctx context.Context, keys []any) (Node, error) {
		ch := make(chan struct{})
		mu.Lock()
		calls++
		inFlight++
		peak = max(peak, inFlight)
		waiting = append(waiting, ch)
		if inFlight == 3 || calls == batches {
			for i := len(waiting) - 1; i >= 0; i-- {
				close(waiting[i])
			}
			waiting = nil
		}
		mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		mu.Lock()
		inFlight--
		mu.Unlock()
		return plain(ctx, keys)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second) // a hang guard only
	defer cancel()
	got, err := Drain(ctx, &conc)
	require.NoError(t, err)
	assert.Equal(t, want, got)
	assert.Equal(t, 3, peak)
	assert.Equal(t, batches, calls)
}

// TestLookupJoinConcurrentError: a failed fetch ends the join with its
// error, and Close waits for the fetches still running.
func TestLookupJoinConcurrentError(t *testing.T) {
	var outerRows [][]any
	for i := int64(1); i <= 12; i++ {
		outerRows = append(outerRows, []any{i})
	}
	var running atomic.Int32
	boom := errors.New("boom")
	j := &LookupJoin{Outer: rowsOf(outerRows...), OuterKey: &Col{0}, InnerKey: &Col{0}, OuterIsLeft: true, InnerWidth: 1, BatchSize: 2, Concurrency: 4,
		Fetch: func(ctx context.Context, keys []any) (Node, error) {
			running.Add(1)
			defer running.Add(-1)
			if keys[0].(int64) == 1 {
				return nil, boom
			}
			<-ctx.Done() // the others run until the join is closed
			return nil, ctx.Err()
		}}
	it, err := j.Open(context.Background())
	require.NoError(t, err)
	_, err = it.Next()
	require.ErrorIs(t, err, boom)
	_, err = it.Next()
	require.ErrorIs(t, err, boom, "the error sticks")
	require.NoError(t, it.Close())
	assert.Zero(t, running.Load(), "Close waits for the fetches")
}
