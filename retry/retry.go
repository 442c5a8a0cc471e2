// Package retry decides whether and when an HTTP request is sent again, and
// spaces the requests of a catalog.
//
// Do runs an attempt until it succeeds, fails for good, or has been retried
// Policy.MaxRetries times. An attempt asks for another try by returning a
// *TemporaryError (Temporary, TemporaryAfter): a 408, 429 or 5xx response
// (RetryableStatus) or a network error (IsTransient). Between attempts Do
// waits the server's Retry-After (ParseRetryAfter: seconds or an HTTP date),
// refusing a wait longer than Policy.MaxRetryAfter, or else a jittered
// exponential backoff from github.com/cenkalti/backoff/v5. Before every
// attempt it waits for the Policy's rate limiter (golang.org/x/time/rate),
// which one catalog's requests share.
//
// Every wait goes through a Clock, so tests replace real sleeping with a fake
// clock; every wait ends early when the context is cancelled.
//
// Only idempotent requests may be retried (Idempotent): the caller uses a
// Policy with MaxRetries 0 for the others.
package retry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/time/rate"
)

// Defaults of Policy.
const (
	// DefaultInitialInterval is the first backoff wait, before jitter.
	DefaultInitialInterval = 500 * time.Millisecond
	// DefaultMaxInterval caps one backoff wait, before jitter.
	DefaultMaxInterval = 30 * time.Second
	// DefaultMaxRetryAfter is the longest Retry-After that is honoured; a
	// server that asks for a longer wait gets no retry.
	DefaultMaxRetryAfter = 2 * time.Minute
)

// Backoff growth and jitter: each base wait is twice the previous one, and
// the wait used is drawn at random from ±50% around it.
const (
	multiplier          = 2
	randomizationFactor = 0.5
)

// Clock tells the time and waits. The zero Policy uses the system clock;
// tests use a fake one so that no test waits real seconds.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep waits for d, or until ctx is done, when it returns ctx's error
	// (context.Cause). A d of zero or less returns at once.
	Sleep(ctx context.Context, d time.Duration) error
}

// SystemClock is the real clock: time.Now and a timer.
type SystemClock struct{}

// Now implements Clock.
func (SystemClock) Now() time.Time { return time.Now() }

// Sleep implements Clock.
func (SystemClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

// Policy says how often and after which waits a request is retried. The
// zero Policy makes one attempt, with no rate limit. A Policy is read-only
// while Do runs and may be shared by many goroutines.
type Policy struct {
	// MaxRetries is the number of attempts after the first one (0 = none).
	MaxRetries int
	// InitialInterval is the first backoff wait before jitter (0 =
	// DefaultInitialInterval); each next one doubles, up to MaxInterval (0
	// = DefaultMaxInterval). The wait used is drawn at random from ±50%
	// around it.
	InitialInterval time.Duration
	MaxInterval     time.Duration
	// MaxRetryAfter is the longest Retry-After that is honoured (0 =
	// DefaultMaxRetryAfter). When a server asks for a longer wait, Do stops
	// and returns a *GaveUpError that says so.
	MaxRetryAfter time.Duration
	// Limiter spaces the attempts (nil = no limit). Every attempt, the
	// first included, takes one token; share one Limiter between all the
	// requests a limit applies to.
	Limiter *rate.Limiter
	// Clock tells the time and waits (nil = SystemClock).
	Clock Clock
	// Notify, when set, is called before each wait for a retry with the
	// number of the attempt that failed (1 = the first), its error and the
	// wait.
	Notify func(attempt int, err error, wait time.Duration)
	// OnRateLimit, when set, is called when the Limiter makes an attempt
	// wait, with the wait.
	OnRateLimit func(wait time.Duration)
}

func (p *Policy) clock() Clock {
	if p.Clock == nil {
		return SystemClock{}
	}
	return p.Clock
}

// Wait waits for the rate limiter's next token (at once without a
// Limiter). It returns ctx's error when ctx is done first; the token is then
// given back.
func (p *Policy) Wait(ctx context.Context) error {
	if p.Limiter == nil {
		return context.Cause(ctx)
	}
	clk := p.clock()
	now := clk.Now()
	r := p.Limiter.ReserveN(now, 1)
	if !r.OK() {
		return errors.New("retry: the rate limiter admits no request (burst 0)")
	}
	d := r.DelayFrom(now)
	if d <= 0 {
		return context.Cause(ctx)
	}
	if p.OnRateLimit != nil {
		p.OnRateLimit(d)
	}
	if err := clk.Sleep(ctx, d); err != nil {
		r.CancelAt(clk.Now())
		return err
	}
	return nil
}

// TemporaryError marks an attempt's failure as worth another try.
type TemporaryError struct {
	// Err is the failure.
	Err error
	// RetryAfter is the wait the server asked for, when HasRetryAfter.
	RetryAfter    time.Duration
	HasRetryAfter bool
}

// Temporary marks err as worth another try after a backoff wait.
func Temporary(err error) error { return &TemporaryError{Err: err} }

// TemporaryAfter marks err as worth another try after the wait the server
// asked for (its Retry-After).
func TemporaryAfter(err error, after time.Duration) error {
	if after < 0 {
		after = 0
	}
	return &TemporaryError{Err: err, RetryAfter: after, HasRetryAfter: true}
}

// Error implements error: the failure's message.
func (e *TemporaryError) Error() string { return e.Err.Error() }

// Unwrap returns the failure.
func (e *TemporaryError) Unwrap() error { return e.Err }

// GaveUpError is the last failure of an attempt that was worth another try
// but got none: MaxRetries were used up, or the server asked for a wait
// longer than MaxRetryAfter.
type GaveUpError struct {
	// Err is the last attempt's failure.
	Err error
	// Attempts is the number of attempts made.
	Attempts int
	// RetryAfter, when not zero, is the wait the server asked for, longer
	// than MaxRetryAfter.
	RetryAfter    time.Duration
	MaxRetryAfter time.Duration
}

// Error implements error: the failure, then why it was not retried.
func (e *GaveUpError) Error() string {
	if e.RetryAfter > 0 {
		return fmt.Sprintf("%v (not retried: the server asks to wait %v, longer than the %v limit)", e.Err, e.RetryAfter, e.MaxRetryAfter)
	}
	return fmt.Sprintf("%v (gave up after %d attempts)", e.Err, e.Attempts)
}

// Unwrap returns the last failure.
func (e *GaveUpError) Unwrap() error { return e.Err }

// Do runs attempt until it returns a result, an error that is not a
// *TemporaryError, or a *TemporaryError when no retry is left. It waits for
// p's rate limiter before every attempt.
//
// A failure that was not retried because MaxRetries were used up (when
// MaxRetries > 0) or because the server asked for too long a wait is a
// *GaveUpError wrapping the last failure; otherwise Do returns the last
// failure, unwrapped from its TemporaryError. When ctx is done during a
// wait, Do returns ctx's error, wrapped with the failure it was waiting to
// retry.
func Do[T any](ctx context.Context, p *Policy, attempt func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if p == nil {
		p = &Policy{}
	}
	var b *backoff.ExponentialBackOff
	for n := 1; ; n++ {
		if err := p.Wait(ctx); err != nil {
			return zero, err
		}
		v, err := attempt(ctx)
		if err == nil {
			return v, nil
		}
		te, ok := err.(*TemporaryError)
		if !ok {
			return v, err
		}
		if ctx.Err() != nil {
			return zero, te.Err
		}
		if n > p.MaxRetries {
			if p.MaxRetries == 0 {
				return zero, te.Err
			}
			return zero, &GaveUpError{Err: te.Err, Attempts: n}
		}
		var wait time.Duration
		if te.HasRetryAfter {
			limit := p.MaxRetryAfter
			if limit <= 0 {
				limit = DefaultMaxRetryAfter
			}
			if te.RetryAfter > limit {
				return zero, &GaveUpError{Err: te.Err, Attempts: n, RetryAfter: te.RetryAfter, MaxRetryAfter: limit}
			}
			wait = te.RetryAfter
		} else {
			if b == nil {
				b = p.newBackOff()
			}
			wait = b.NextBackOff()
		}
		if p.Notify != nil {
			p.Notify(n, te.Err, wait)
		}
		if err := p.clock().Sleep(ctx, wait); err != nil {
			return zero, fmt.Errorf("%w (while waiting %v to retry: %v)", err, wait, te.Err)
		}
	}
}

func (p *Policy) newBackOff() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff()
	b.InitialInterval = DefaultInitialInterval
	if p.InitialInterval > 0 {
		b.InitialInterval = p.InitialInterval
	}
	b.MaxInterval = DefaultMaxInterval
	if p.MaxInterval > 0 {
		b.MaxInterval = p.MaxInterval
	}
	if b.MaxInterval < b.InitialInterval {
		b.MaxInterval = b.InitialInterval
	}
	b.Multiplier = multiplier
	b.RandomizationFactor = randomizationFactor
	b.Reset()
	return b
}

// Idempotent reports whether a request with this method may be sent again
// after a failure: GET, HEAD and OPTIONS, which change nothing. POST,
// PATCH, PUT and DELETE are never retried: a write whose response was lost
// may have been applied.
func Idempotent(method string) bool {
	switch strings.ToUpper(method) {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return true
	}
	return false
}

// RetryableStatus reports whether a response status is worth another try:
// 408 Request Timeout, 429 Too Many Requests and the 5xx server errors,
// except 501 Not Implemented and 505 HTTP Version Not Supported, which will
// not change.
func RetryableStatus(code int) bool {
	switch {
	case code == http.StatusRequestTimeout, code == http.StatusTooManyRequests:
		return true
	case code == http.StatusNotImplemented, code == http.StatusHTTPVersionNotSupported:
		return false
	}
	return code >= 500 && code <= 599
}

// IsTransient reports whether a network error may go away on another try:
// a connection refused, reset or closed early (also in the middle of a
// body), a timeout of the network, a temporary DNS failure. Certificate
// errors, unknown hosts, context cancellation and errors that are not about
// the network are not.
func IsTransient(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var (
		certErr     *tls.CertificateVerificationError
		unknownCA   x509.UnknownAuthorityError
		hostErr     x509.HostnameError
		invalidCert x509.CertificateInvalidError
		recordErr   tls.RecordHeaderError
	)
	if errors.As(err, &certErr) || errors.As(err, &unknownCA) || errors.As(err, &hostErr) ||
		errors.As(err, &invalidCert) || errors.As(err, &recordErr) {
		return false
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return !dnsErr.IsNotFound
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, syscall.ETIMEDOUT) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}

// maxRetryAfterSeconds keeps a Retry-After in seconds within a Duration.
const maxRetryAfterSeconds = math.MaxInt64 / int64(time.Second)

// ParseRetryAfter reads a Retry-After header value (RFC 9110 §10.2.3):
// delay-seconds, or an HTTP date, which is turned into the wait from now (0
// when it has passed). ok is false when v is neither; a number of seconds
// too large for a Duration gives the largest Duration.
func ParseRetryAfter(v string, now time.Time) (wait time.Duration, ok bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if strings.Trim(v, "0123456789") == "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n > maxRetryAfterSeconds {
			return time.Duration(math.MaxInt64), true
		}
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	if d := t.Sub(now); d > 0 {
		return d, true
	}
	return 0, true
}
