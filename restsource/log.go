package restsource

import (
	"context"
	"log/slog"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// The levels a Source logs at, below slog.LevelInfo. The driver maps its
// Verbosity property to them: 2 logs LevelRequests, 3 also LevelHeaders,
// 4 also LevelBodies and 5 also LevelTransport.
const (
	// LevelRequests: one line per HTTP exchange (method, URL, status,
	// bytes, time, attempt), retries and credential renewals.
	LevelRequests = slog.LevelDebug
	// LevelHeaders: request and response headers, credentials shown as "***".
	LevelHeaders = slog.LevelDebug - 1
	// LevelBodies: response bodies, cut at BodyLogBytes.
	LevelBodies = slog.LevelDebug - 2
	// LevelTransport: connections, DNS, TLS and rate-limit waits.
	LevelTransport = slog.LevelDebug - 3
)

// BodyLogBytes is how much of a response body LevelBodies shows.
const BodyLogBytes = 2048

// Tally counts the HTTP work of everything that runs under one context: a
// driver attaches one to a query's context (WithTally) and reads it when the
// query ends. It is safe for concurrent use.
type Tally struct {
	requests, retries, bytes atomic.Int64
}

type tallyKey struct{}

// WithTally returns a context whose requests are counted in t.
func WithTally(ctx context.Context, t *Tally) context.Context {
	return context.WithValue(ctx, tallyKey{}, t)
}

func tallyFrom(ctx context.Context) *Tally {
	t, _ := ctx.Value(tallyKey{}).(*Tally)
	return t
}

// Requests is the number of HTTP requests sent, retries included.
func (t *Tally) Requests() int64 { return t.requests.Load() }

// Retries is the number of requests that were retries.
func (t *Tally) Retries() int64 { return t.retries.Load() }

// Bytes is the number of response body bytes received.
func (t *Tally) Bytes() int64 { return t.bytes.Load() }

func (t *Tally) addRequest() {
	if t != nil {
		t.requests.Add(1)
	}
}

func (t *Tally) addRetry() {
	if t != nil {
		t.retries.Add(1)
	}
}

func (t *Tally) addBytes(n int) {
	if t != nil {
		t.bytes.Add(int64(n))
	}
}

func (s *Source) logEnabled(ctx context.Context, level slog.Level) bool {
	return s.opts.Logger != nil && s.opts.Logger.Enabled(ctx, level)
}

func (s *Source) logAttrs(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if s.logEnabled(ctx, level) {
		s.opts.Logger.LogAttrs(ctx, level, msg, attrs...)
	}
}

// logExchange logs one HTTP exchange at LevelRequests.
func (s *Source) logExchange(ctx context.Context, x *exchange, status, n int, start time.Time, err error) {
	if !s.logEnabled(ctx, LevelRequests) {
		return
	}
	attrs := []slog.Attr{
		slog.String("table", s.name),
		slog.String("method", x.method),
		slog.String("url", x.shown),
		slog.Int("status", status),
		slog.Int("bytes", n),
		slog.Duration("elapsed", s.policy.Clock.Now().Sub(start)),
	}
	if x.attempts > 1 {
		attrs = append(attrs, slog.Int("attempt", x.attempts))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	s.opts.Logger.LogAttrs(ctx, LevelRequests, "restsource: request", attrs...)
}

// logHeaders logs headers at LevelHeaders, credentials shown as "***".
func (s *Source) logHeaders(ctx context.Context, msg string, x *exchange, status int, h http.Header) {
	if !s.logEnabled(ctx, LevelHeaders) {
		return
	}
	attrs := []slog.Attr{slog.String("table", s.name), slog.String("url", x.shown)}
	if status > 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	attrs = append(attrs, slog.String("headers", s.showHeaders(h)))
	s.opts.Logger.LogAttrs(ctx, LevelHeaders, msg, attrs...)
}

// logBody logs the start of a body at LevelBodies.
func (s *Source) logBody(ctx context.Context, x *exchange, body []byte) {
	if !s.logEnabled(ctx, LevelBodies) {
		return
	}
	shown := body
	if len(shown) > BodyLogBytes {
		shown = shown[:BodyLogBytes]
	}
	text := redactText(strings.ToValidUTF8(string(shown), "\uFFFD"))
	if len(body) > BodyLogBytes {
		// Drop a rune cut in half.
		for i := 0; i < utf8.UTFMax-1 && strings.HasSuffix(text, "\uFFFD"); i++ {
			text = strings.TrimSuffix(text, "\uFFFD")
		}
		text += "…"
	}
	s.opts.Logger.LogAttrs(ctx, LevelBodies, "restsource: response body",
		slog.String("table", s.name), slog.String("url", x.shown), slog.Int("bytes", len(body)), slog.String("body", text))
}

// secretHeaderWords mark a header name whose value is never shown.
var secretHeaderWords = []string{"auth", "token", "key", "secret", "cookie", "session", "password", "signature", "credential"}

// showHeaders renders headers as "Name: value; …", sorted, with the values
// of credential headers shown as "***".
func (s *Source) showHeaders(h http.Header) string {
	names := make([]string, 0, len(h))
	for k := range h {
		names = append(names, k)
	}
	sort.Strings(names)
	secret := map[string]bool{}
	for _, n := range s.secrets.headerNames() {
		secret[n] = true
	}
	var b strings.Builder
	for i, k := range names {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(k)
		b.WriteString(": ")
		if secret[k] || s.credHeaders[k] || credentialHeaders[k] || secretHeaderName(k) {
			b.WriteString("***")
			continue
		}
		b.WriteString(strings.Join(h[k], ", "))
	}
	return b.String()
}

func secretHeaderName(name string) bool {
	l := strings.ToLower(name)
	for _, w := range secretHeaderWords {
		if strings.Contains(l, w) {
			return true
		}
	}
	return false
}

// secretFields are JSON keys and form fields whose values are never shown
// in logged bodies and error excerpts.
const secretFields = `access_token|refresh_token|id_token|token|password|passwd|client_secret|secret|api_key|apikey|api-key`

var (
	secretJSON = regexp.MustCompile(`(?i)("(?:` + secretFields + `)"\s*:\s*)"(?:[^"\\]|\\.)*"`)
	secretForm = regexp.MustCompile(`(?i)\b((?:` + secretFields + `)=)[^&\s"']+`)
)

// redactText hides the values of well-known secret fields in a body: JSON
// ("token": "…") and form or query (token=…).
func redactText(s string) string {
	s = secretJSON.ReplaceAllString(s, `$1"***"`)
	return secretForm.ReplaceAllString(s, `${1}***`)
}
