package retry_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/time/rate"

	"github.com/restsql/restsql/retry"
	"github.com/restsql/restsql/retry/retrytest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var epoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

var errBusy = errors.New("503 busy")

// script returns an attempt that plays the given results in order and
// counts its calls.
func script(results ...error) (func(context.Context) (string, error), *int) {
	n := 0
	return func(context.Context) (string, error) {
		i := n
		n++
		if i < len(results) && results[i] != nil {
			return "", results[i]
		}
		return "ok", nil
	}, &n
}

func TestDo(t *testing.T) {
	permanent := errors.New("404 not found")
	tests := []struct {
		name      string
		policy    retry.Policy
		results   []error
		attempts  int
		err       string
		gaveUp    bool
		sleeps    []time.Duration // exact waits (Retry-After)
		backoffs  int             // or: this many backoff waits
		notifyLen int
	}{
		{name: "success at once", policy: retry.Policy{MaxRetries: 3}, attempts: 1},
		{name: "503 then success", policy: retry.Policy{MaxRetries: 3}, results: []error{retry.Temporary(errBusy)}, attempts: 2, backoffs: 1, notifyLen: 1},
		{name: "permanent error is not retried", policy: retry.Policy{MaxRetries: 3}, results: []error{permanent}, attempts: 1, err: "404 not found"},
		{
			name: "retries used up", policy: retry.Policy{MaxRetries: 2},
			results:  []error{retry.Temporary(errBusy), retry.Temporary(errBusy), retry.Temporary(errBusy)},
			attempts: 3, err: "503 busy (gave up after 3 attempts)", gaveUp: true, backoffs: 2, notifyLen: 2,
		},
		{
			name: "no retries configured: the failure as it is", policy: retry.Policy{},
			results: []error{retry.Temporary(errBusy)}, attempts: 1, err: "503 busy",
		},
		{
			name: "Retry-After is honoured", policy: retry.Policy{MaxRetries: 3},
			results:  []error{retry.TemporaryAfter(errBusy, 7*time.Second), retry.TemporaryAfter(errBusy, 0)},
			attempts: 3, sleeps: []time.Duration{7 * time.Second}, notifyLen: 2,
		},
		{
			name: "Retry-After past the cap is not waited for", policy: retry.Policy{MaxRetries: 3, MaxRetryAfter: time.Minute},
			results:  []error{retry.TemporaryAfter(errBusy, time.Hour)},
			attempts: 1, err: "503 busy (not retried: the server asks to wait 1h0m0s, longer than the 1m0s limit)", gaveUp: true,
		},
		{
			name: "default cap", policy: retry.Policy{MaxRetries: 3},
			results:  []error{retry.TemporaryAfter(errBusy, retry.DefaultMaxRetryAfter+time.Second)},
			attempts: 1, err: "503 busy (not retried: the server asks to wait 2m1s, longer than the 2m0s limit)", gaveUp: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := retrytest.NewClock(epoch)
			p := tt.policy
			p.Clock = clk
			var notified []int
			p.Notify = func(attempt int, err error, wait time.Duration) {
				notified = append(notified, attempt)
				assert.ErrorIs(t, err, errBusy)
			}
			attempt, n := script(tt.results...)
			v, err := retry.Do(context.Background(), &p, attempt)
			assert.Equal(t, tt.attempts, *n, "attempts")
			if tt.err != "" {
				require.EqualError(t, err, tt.err)
				assert.Empty(t, v)
				var g *retry.GaveUpError
				assert.Equal(t, tt.gaveUp, errors.As(err, &g))
				var te *retry.TemporaryError
				assert.False(t, errors.As(err, &te), "the TemporaryError wrapper is removed")
			} else {
				require.NoError(t, err)
				assert.Equal(t, "ok", v)
			}
			if tt.sleeps != nil {
				assert.Equal(t, tt.sleeps, clk.Sleeps())
			} else {
				assert.Len(t, clk.Sleeps(), tt.backoffs)
			}
			assert.Len(t, notified, tt.notifyLen)
		})
	}
}

// The backoff grows exponentially with ±50% jitter and is capped.
func TestDoBackoffGrowsWithJitter(t *testing.T) {
	clk := retrytest.NewClock(epoch)
	p := retry.Policy{MaxRetries: 6, InitialInterval: time.Second, MaxInterval: 8 * time.Second, Clock: clk}
	results := make([]error, 6)
	for i := range results {
		results[i] = retry.Temporary(errBusy)
	}
	attempt, n := script(results...)
	_, err := retry.Do(context.Background(), &p, attempt)
	require.NoError(t, err)
	assert.Equal(t, 7, *n)
	bases := []time.Duration{1, 2, 4, 8, 8, 8}
	sleeps := clk.Sleeps()
	require.Len(t, sleeps, len(bases))
	for i, b := range bases {
		base := b * time.Second
		assert.GreaterOrEqual(t, sleeps[i], base/2, "wait %d", i)
		assert.LessOrEqual(t, sleeps[i], base*3/2+time.Nanosecond, "wait %d", i)
	}
}

// A cancelled context ends the wait and names what was being retried.
func TestDoCancelledDuringWait(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := retry.Policy{MaxRetries: 3, Clock: cancellingClock{retrytest.NewClock(epoch), cancel}}
	attempt, n := script(retry.Temporary(errBusy))
	_, err := retry.Do(ctx, &p, attempt)
	require.ErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "503 busy")
	assert.Equal(t, 1, *n)

	// A context already done: no attempt at all.
	attempt, n = script()
	_, err = retry.Do(ctx, &retry.Policy{}, attempt)
	require.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 0, *n)
}

// An attempt that failed because its context ended is not retried.
func TestDoStopsWhenContextEnds(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	_, err := retry.Do(ctx, &retry.Policy{MaxRetries: 5, Clock: retrytest.NewClock(epoch)}, func(context.Context) (int, error) {
		n++
		cancel()
		return 0, retry.Temporary(errBusy)
	})
	require.ErrorIs(t, err, errBusy)
	assert.Equal(t, 1, n)
}

type cancellingClock struct {
	*retrytest.Clock
	cancel context.CancelFunc
}

func (c cancellingClock) Sleep(ctx context.Context, d time.Duration) error {
	c.cancel()
	return c.Clock.Sleep(ctx, d)
}

func TestRateLimit(t *testing.T) {
	clk := retrytest.NewClock(epoch)
	var waits []time.Duration
	p := retry.Policy{Limiter: rate.NewLimiter(4, 1), Clock: clk, OnRateLimit: func(d time.Duration) { waits = append(waits, d) }}
	for range 5 {
		require.NoError(t, p.Wait(context.Background()))
	}
	// The first request goes at once; each next one a quarter second later.
	want := []time.Duration{250 * time.Millisecond, 250 * time.Millisecond, 250 * time.Millisecond, 250 * time.Millisecond}
	assert.Equal(t, want, clk.Sleeps())
	assert.Equal(t, want, waits)

	// Retries take tokens too.
	clk2 := retrytest.NewClock(epoch)
	p2 := retry.Policy{MaxRetries: 2, Limiter: rate.NewLimiter(2, 1), Clock: clk2}
	attempt, n := script(retry.TemporaryAfter(errBusy, 0), retry.TemporaryAfter(errBusy, 0))
	_, err := retry.Do(context.Background(), &p2, attempt)
	require.NoError(t, err)
	assert.Equal(t, 3, *n)
	assert.Equal(t, []time.Duration{500 * time.Millisecond, 500 * time.Millisecond}, clk2.Sleeps())

	// A cancelled wait gives its token back: the next request does not
	// wait longer because of it.
	clk3 := retrytest.NewClock(epoch)
	lim := rate.NewLimiter(1, 1)
	p3 := retry.Policy{Limiter: lim, Clock: clk3}
	require.NoError(t, p3.Wait(context.Background()))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, p3.Wait(ctx), context.Canceled)
	require.NoError(t, p3.Wait(context.Background()))
	assert.Equal(t, []time.Duration{time.Second}, clk3.Sleeps())

	// Burst 0 admits nothing: an error, not a hang.
	p4 := retry.Policy{Limiter: rate.NewLimiter(1, 0), Clock: clk}
	require.EqualError(t, p4.Wait(context.Background()), "retry: the rate limiter admits no request (burst 0)")
}

func TestSystemClock(t *testing.T) {
	var c retry.SystemClock
	require.NoError(t, c.Sleep(context.Background(), 0))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	require.ErrorIs(t, c.Sleep(ctx, time.Hour), context.Canceled)
	require.NoError(t, c.Sleep(context.Background(), time.Microsecond))
	assert.WithinDuration(t, time.Now(), c.Now(), time.Minute)
}

func TestParseRetryAfter(t *testing.T) {
	now := epoch
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"120", 2 * time.Minute, true},
		{" 3 ", 3 * time.Second, true},
		{"99999999999999999999", time.Duration(1<<63 - 1), true},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(30 * time.Second).Format(time.RFC850), 30 * time.Second, true},
		{now.Add(30 * time.Second).Format(time.ANSIC), 30 * time.Second, true},
		{"", 0, false},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"+5", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := retry.ParseRetryAfter(tt.in, now)
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRetryableStatus(t *testing.T) {
	for code, want := range map[int]bool{
		200: false, 400: false, 401: false, 403: false, 404: false, 408: true, 409: false, 429: true,
		500: true, 501: false, 502: true, 503: true, 504: true, 505: false, 599: true,
	} {
		assert.Equal(t, want, retry.RetryableStatus(code), "%d", code)
	}
}

func TestIdempotent(t *testing.T) {
	for m, want := range map[string]bool{"GET": true, "get": true, "HEAD": true, "OPTIONS": true, "POST": false, "PATCH": false, "PUT": false, "DELETE": false} {
		assert.Equal(t, want, retry.Idempotent(m), m)
	}
}

func TestIsTransient(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"reset", &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}, true},
		{"refused", fmt.Errorf("dial: %w", syscall.ECONNREFUSED), true},
		{"cut body", fmt.Errorf("reading: %w", io.ErrUnexpectedEOF), true},
		{"eof", io.EOF, true},
		{"dns not found", &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}, false},
		{"dns temporary", &net.DNSError{Err: "server misbehaving", Name: "x", IsTemporary: true}, true},
		{"unknown authority", x509.UnknownAuthorityError{}, false},
		{"cancelled", context.Canceled, false},
		{"deadline", fmt.Errorf("x: %w", context.DeadlineExceeded), false},
		{"other", errors.New("stopped after 10 redirects"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, retry.IsTransient(tt.err))
		})
	}
}
