package restsource

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// granted reports which tickets hold a slot.
func granted(ts []*ticket) []bool {
	out := make([]bool, len(ts))
	for i, t := range ts {
		select {
		case <-t.ready:
			out[i] = true
		default:
		}
	}
	return out
}

func TestFIFOGrantsInAskOrder(t *testing.T) {
	f := newFIFO(2)
	var ts []*ticket
	for range 6 {
		ts = append(ts, f.ask())
	}
	assert.Equal(t, []bool{true, true, false, false, false, false}, granted(ts))
	f.release()
	assert.Equal(t, []bool{true, true, true, false, false, false}, granted(ts))
	f.release()
	f.release()
	assert.Equal(t, []bool{true, true, true, true, true, false}, granted(ts))
	// A later ask waits behind the earlier ones even when a slot is free.
	f.release()
	f.release()
	late := f.ask()
	assert.Equal(t, []bool{true, true, true, true, true, true}, granted(ts))
	assert.Equal(t, []bool{true}, granted([]*ticket{late}), "a slot was free and nobody waited")
}

func TestFIFOWaitBlocksUntilRelease(t *testing.T) {
	f := newFIFO(1)
	first := f.ask()
	require.True(t, f.wait(context.Background(), first))
	second := f.ask()
	assert.Equal(t, []bool{false}, granted([]*ticket{second}), "granted while the only slot was held")
	got := make(chan bool)
	go func() { got <- f.wait(context.Background(), second) }()
	f.release()
	assert.True(t, <-got)
}

func TestFIFOCancel(t *testing.T) {
	f := newFIFO(1)
	held := f.ask()
	require.True(t, f.wait(context.Background(), held))

	// A cancelled wait withdraws its request: the slot goes to the next.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	gone := f.ask()
	next := f.ask()
	assert.False(t, f.wait(ctx, gone))
	f.release()
	require.True(t, f.wait(context.Background(), next))

	// A slot granted to a request whose context has ended is given back.
	late := f.ask()
	f.release() // granted to late
	assert.Equal(t, []bool{true}, granted([]*ticket{late}))
	assert.False(t, f.wait(ctx, late))
	again := f.ask()
	assert.Equal(t, []bool{true}, granted([]*ticket{again}), "the slot came back")
}
