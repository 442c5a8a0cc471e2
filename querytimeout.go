package restsql

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// QueryTimeoutError is the cause of a query's context when its
// QueryTimeout ends it. It names the requests that were in flight then;
// the error of the request it interrupted wraps it too. It matches
// context.DeadlineExceeded.
type QueryTimeoutError struct {
	// Timeout is the QueryTimeout.
	Timeout time.Duration
	// Waiting are the requests in flight when the time ran out ("GET
	// http://…"), in the order they were sent.
	Waiting []string
}

func (e *QueryTimeoutError) Error() string {
	msg := fmt.Sprintf("restsql: the query did not finish within its QueryTimeout of %v", e.Timeout)
	if len(e.Waiting) > 0 {
		msg += " (waiting for " + strings.Join(e.Waiting, ", ") + ")"
	}
	return msg
}

// Is makes errors.Is(err, context.DeadlineExceeded) true.
func (e *QueryTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }

// inflightKey carries a query's *inflight in its context.
type inflightKey struct{}

// inflight tracks the requests of one query from their sending to the
// end of their body.
type inflight struct {
	mu   sync.Mutex
	next int
	reqs map[int]string
}

func (f *inflight) add(s string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	if f.reqs == nil {
		f.reqs = map[int]string{}
	}
	f.reqs[f.next] = s
	return f.next
}

func (f *inflight) done(id int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.reqs, id)
}

// snapshot lists the requests in flight, oldest first.
func (f *inflight) snapshot() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	ids := make([]int, 0, len(f.reqs))
	for id := range f.reqs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = f.reqs[id]
	}
	return out
}

// withQueryTimeout bounds ctx by the QueryTimeout (none when 0). When the
// time runs out, the requests in flight are noted in the
// *QueryTimeoutError before the context is cancelled with it. The cancel
// function must be called when the query's rows are closed.
func (c *connector) withQueryTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	d := c.cfg.QueryTimeout
	if d <= 0 {
		return ctx, func() {}
	}
	ctx, cancel := context.WithCancelCause(ctx)
	f := &inflight{}
	ctx = context.WithValue(ctx, inflightKey{}, f)
	timer := time.AfterFunc(d, func() {
		cancel(&QueryTimeoutError{Timeout: d, Waiting: f.snapshot()})
	})
	return ctx, func() {
		timer.Stop()
		cancel(context.Canceled)
	}
}

// trackingTransport notes the requests of a query with a QueryTimeout
// while they are in flight (until their body is closed).
type trackingTransport struct {
	base http.RoundTripper
	// shown renders a request's URL for an error, secrets hidden.
	shown func(u string) string
}

func (t *trackingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	f, _ := req.Context().Value(inflightKey{}).(*inflight)
	if f == nil {
		return t.base.RoundTrip(req)
	}
	id := f.add(req.Method + " " + t.shown(req.URL.String()))
	resp, err := t.base.RoundTrip(req)
	if err != nil || resp.Body == nil {
		f.done(id)
		return resp, err
	}
	resp.Body = &trackedBody{ReadCloser: resp.Body, done: func() { f.done(id) }}
	return resp, nil
}

// trackedBody calls done once when closed.
type trackedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *trackedBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.done)
	return err
}
