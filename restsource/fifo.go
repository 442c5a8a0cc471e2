package restsource

import (
	"context"
	"sync"
)

// fifo is a semaphore that grants its slots in the order they were asked
// for. Pages fetched ahead ask for a slot in page order, on the goroutine
// that walks the pages, and their requests then start in that order: with
// a plain channel the goroutines would race for the slots, and a page the
// reader needs next could wait behind pages it needs later.
type fifo struct {
	mu      sync.Mutex
	free    int
	waiting []*ticket
}

// ticket is one request for a slot.
type ticket struct {
	ready chan struct{} // closed when the slot is granted
	done  bool          // granted or abandoned
}

func newFIFO(n int) *fifo { return &fifo{free: max(n, 1)} }

// ask queues a request for a slot and returns at once; wait then blocks
// until it is granted.
func (f *fifo) ask() *ticket {
	t := &ticket{ready: make(chan struct{})}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.free > 0 && len(f.waiting) == 0 {
		f.free--
		t.done = true
		close(t.ready)
		return t
	}
	f.waiting = append(f.waiting, t)
	return t
}

// wait blocks until t's slot is granted (true) or ctx ends (false: the
// request is withdrawn, or its slot given back if it came meanwhile).
func (f *fifo) wait(ctx context.Context, t *ticket) bool {
	if ctx.Err() == nil {
		select {
		case <-t.ready:
			return true
		case <-ctx.Done():
		}
	}
	f.mu.Lock()
	if t.done { // granted just now: give it back
		f.mu.Unlock()
		f.release()
		return false
	}
	t.done = true
	for i, w := range f.waiting {
		if w == t {
			f.waiting = append(f.waiting[:i], f.waiting[i+1:]...)
			break
		}
	}
	f.mu.Unlock()
	return false
}

// release gives a slot back, to the oldest request waiting for one.
func (f *fifo) release() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.waiting) > 0 {
		t := f.waiting[0]
		f.waiting = f.waiting[1:]
		t.done = true
		close(t.ready)
		return
	}
	f.free++
}
