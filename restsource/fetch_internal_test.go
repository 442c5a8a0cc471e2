package restsource

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// resetSpare empties the spare buffers for a test and again after it.
func resetSpare(t *testing.T) {
	clearSpare := func() {
		spare.mu.Lock()
		spare.bufs, spare.bytes = nil, 0
		spare.mu.Unlock()
	}
	clearSpare()
	t.Cleanup(clearSpare)
}

// The buffers of a scan that ended serve the next scans: they survive
// garbage collections (unlike a sync.Pool's), up to maxSpareBytes in all.
func TestSpareBuffers(t *testing.T) {
	resetSpare(t)
	bufs := make(buffers, 2)
	a := bufs.get(100 << 10)
	require.GreaterOrEqual(t, cap(a), 100<<10)
	b := bufs.get(100 << 10)
	c := bufs.get(100 << 10)
	bufs.put(a)
	bufs.put(b)
	bufs.put(c) // the scan's own two are full: c goes to the spares at once
	bufs.drain()
	spare.mu.Lock()
	assert.Len(t, spare.bufs, 3)
	assert.Equal(t, cap(a)+cap(b)+cap(c), spare.bytes)
	spare.mu.Unlock()

	// The next scan takes them, newest first; one too small is dropped.
	next := make(buffers, 2)
	got := next.get(50 << 10)
	assert.Same(t, &b[:1][0], &got[:1][0], "the newest spare: b, drained last")
	assert.Equal(t, 0, len(got))
	got = next.get(1 << 20) // larger than any spare: the newest (a) is dropped
	assert.GreaterOrEqual(t, cap(got), 1<<20)
	spare.mu.Lock()
	assert.Len(t, spare.bufs, 1, "c is left")
	assert.Equal(t, cap(c), spare.bytes)
	spare.mu.Unlock()

	// The spares keep at most maxSpareBytes, and no buffer above
	// maxPooledBody.
	resetSpare(t)
	putSpare(make([]byte, 0, maxPooledBody+1))
	for range 2 * maxSpareBytes / maxPooledBody {
		putSpare(make([]byte, 0, maxPooledBody))
	}
	spare.mu.Lock()
	assert.Equal(t, maxSpareBytes, spare.bytes)
	assert.Len(t, spare.bufs, maxSpareBytes/maxPooledBody)
	spare.mu.Unlock()
}

func TestCtxErrorKeepsTheSentinelAndTheCause(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	assert.Same(t, context.Canceled, ctxError(ctx), "no cause: ctx.Err() itself")

	cause := errors.New("the query did not finish within its QueryTimeout of 1s")
	ctx, cancelCause := context.WithCancelCause(context.Background())
	cancelCause(cause)
	err := ctxError(ctx)
	assert.ErrorIs(t, err, context.Canceled)
	assert.ErrorIs(t, err, cause)
	assert.Equal(t, cause.Error(), err.Error())
}
