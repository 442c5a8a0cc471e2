// Package retrytest provides a fake retry.Clock for tests: its Sleep
// returns at once and moves the clock forward, so a test of backoff,
// Retry-After or a rate limit waits no real time and can assert the waits.
package retrytest

import (
	"context"
	"sync"
	"time"

	"github.com/restsql/restsql/retry"
)

// Clock is a fake retry.Clock, safe for concurrent use.
type Clock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

var _ retry.Clock = (*Clock)(nil)

// NewClock returns a Clock that starts at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now implements retry.Clock.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Sleep implements retry.Clock: it records d and moves the clock forward by
// d at once. It returns ctx's error when ctx is done.
func (c *Clock) Sleep(ctx context.Context, d time.Duration) error {
	if err := context.Cause(ctx); err != nil {
		return err
	}
	if d <= 0 {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sleeps = append(c.sleeps, d)
	c.now = c.now.Add(d)
	return nil
}

// Advance moves the clock forward by d without recording a sleep.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// Sleeps returns the waits so far, in order.
func (c *Clock) Sleeps() []time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]time.Duration(nil), c.sleeps...)
}
