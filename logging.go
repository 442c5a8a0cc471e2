package restsql

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/restsource"
)

// The log: Logfile says where it goes (STDOUT://, STDERR:// or a file,
// appended to) and Verbosity how much it says, through log/slog's text
// handler:
//
//	1  each query (its SQL) and its summary: rows, HTTP requests, retries,
//	   bytes, time, error
//	2  + each HTTP exchange: method, URL, status, bytes, time; retries and
//	   credential renewals
//	3  + request and response headers
//	4  + response bodies, cut at restsource.BodyLogBytes
//	5  + transport detail: connections, DNS, TLS, rate-limit waits
//
// Secrets are redacted at every level. restsource shows credential headers
// (Authorization, cookies, API key headers, …) and secret query parameters
// as "***" and hides well-known secret fields in bodies; and every line goes
// through a handler that replaces each secret value the connector knows —
// the DSN's credential properties, the values of ${Name} placeholders, the
// credentials of every catalog's auth and the OAuth2 tokens obtained while
// it runs — with "***", also URL- and JSON-escaped, wherever it appears:
// message, SQL, URL, header, body or error.

// levelFor maps Verbosity to the lowest slog level logged.
func levelFor(verbosity int) slog.Level {
	switch {
	case verbosity <= 1:
		return slog.LevelInfo
	case verbosity == 2:
		return restsource.LevelRequests
	case verbosity == 3:
		return restsource.LevelHeaders
	case verbosity == 4:
		return restsource.LevelBodies
	}
	return restsource.LevelTransport
}

// levelNames name restsource's levels in the log.
var levelNames = map[slog.Level]string{
	restsource.LevelRequests:  "REQUEST",
	restsource.LevelHeaders:   "HEADERS",
	restsource.LevelBodies:    "BODY",
	restsource.LevelTransport: "TRANSPORT",
}

// openLog opens the Logfile at the given verbosity: nil logger and closer
// when path is empty; a closer for a file.
func openLog(path string, verbosity int, red *redactor) (*slog.Logger, io.Closer, error) {
	if path == "" {
		return nil, nil, nil
	}
	var w io.Writer
	var closer io.Closer
	switch strings.ToUpper(strings.TrimSpace(path)) {
	case "STDOUT://":
		w = os.Stdout
	case "STDERR://":
		w = os.Stderr
	default:
		f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
		if err != nil {
			return nil, nil, fmt.Errorf("restsql: dsn: Logfile: %w", err)
		}
		w, closer = f, f
	}
	return newLogger(w, verbosity, red), closer, nil
}

// newLogger is the driver's logger on w: a text handler behind a
// redacting one.
func newLogger(w io.Writer, verbosity int, red *redactor) *slog.Logger {
	text := slog.NewTextHandler(w, &slog.HandlerOptions{
		Level: levelFor(verbosity),
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.LevelKey {
				if l, ok := a.Value.Any().(slog.Level); ok {
					if name, ok := levelNames[l]; ok {
						a.Value = slog.StringValue(name)
					}
				}
			}
			return a
		},
	})
	return slog.New(&redactingHandler{inner: text, red: red})
}

// minSecretLen is the shortest value redacted by value: shorter ones would
// blank out ordinary words and are no secret anyway. Such values are still
// hidden where they are known by name (headers, parameters).
const minSecretLen = 3

// redactor replaces known secret values with "***". It learns values while
// the connector runs; it is safe for concurrent use.
type redactor struct {
	mu      sync.RWMutex
	secrets map[string]bool
	rep     *strings.Replacer
}

func newRedactor() *redactor { return &redactor{secrets: map[string]bool{}} }

// add learns a secret value and its URL- and JSON-escaped forms.
func (r *redactor) add(v string) {
	if r == nil || len(v) < minSecretLen {
		return
	}
	forms := []string{v, url.QueryEscape(v), url.PathEscape(v)}
	for _, html := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(v) == nil {
			j := strings.TrimSuffix(b.String(), "\n")
			forms = append(forms, j[1:len(j)-1])
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, f := range forms {
		if len(f) >= minSecretLen && !r.secrets[f] {
			r.secrets[f] = true
			changed = true
		}
	}
	if !changed {
		return
	}
	all := make([]string, 0, len(r.secrets))
	for s := range r.secrets {
		all = append(all, s)
	}
	// Longest first: a secret that contains another is replaced whole.
	sort.Slice(all, func(i, j int) bool {
		if len(all[i]) != len(all[j]) {
			return len(all[i]) > len(all[j])
		}
		return all[i] < all[j]
	})
	pairs := make([]string, 0, 2*len(all))
	for _, s := range all {
		pairs = append(pairs, s, "***")
	}
	r.rep = strings.NewReplacer(pairs...)
}

// redact replaces every known secret in s.
func (r *redactor) redact(s string) string {
	if r == nil {
		return s
	}
	r.mu.RLock()
	rep := r.rep
	r.mu.RUnlock()
	if rep == nil {
		return s
	}
	return rep.Replace(s)
}

// redactingHandler passes records to inner with every known secret value
// redacted, and adds the query number of the context.
type redactingHandler struct {
	inner slog.Handler
	red   *redactor
}

type queryKey struct{}

// Enabled implements slog.Handler.
func (h *redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

// Handle implements slog.Handler.
func (h *redactingHandler) Handle(ctx context.Context, rec slog.Record) error {
	out := slog.NewRecord(rec.Time, rec.Level, h.red.redact(rec.Message), rec.PC)
	if id, ok := ctx.Value(queryKey{}).(int64); ok {
		out.AddAttrs(slog.Int64("query", id))
	}
	rec.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

// WithAttrs implements slog.Handler.
func (h *redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	red := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		red[i] = h.attr(a)
	}
	return &redactingHandler{inner: h.inner.WithAttrs(red), red: h.red}
}

// WithGroup implements slog.Handler.
func (h *redactingHandler) WithGroup(name string) slog.Handler {
	return &redactingHandler{inner: h.inner.WithGroup(name), red: h.red}
}

// attr redacts an attribute's text: strings, errors and whatever else
// prints as text; numbers, times and durations stay as they are.
func (h *redactingHandler) attr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		a.Value = slog.StringValue(h.red.redact(v.String()))
	case slog.KindGroup:
		group := v.Group()
		out := make([]slog.Attr, len(group))
		for i, g := range group {
			out[i] = h.attr(g)
		}
		a.Value = slog.GroupValue(out...)
	case slog.KindAny:
		a.Value = slog.StringValue(h.red.redact(fmt.Sprint(v.Any())))
	default:
		a.Value = v
	}
	return a
}

// learnSecrets teaches the redactor the connector's secret values: the
// DSN's credential properties and the credentials of every catalog's auth
// (resolved; a placeholder that does not resolve is skipped: it is reported
// where it is used).
func (c *connector) learnSecrets() {
	cfg := c.cfg
	for _, v := range []string{cfg.Password, cfg.Token, cfg.APIKey, cfg.OAuthClientSecret, cfg.OAuthRefreshToken} {
		c.learn(v)
	}
	for _, name := range c.profile.CatalogNames() {
		cat, _ := c.profile.Catalog(name)
		if a := cat.Auth; a != nil {
			for _, v := range []string{a.Password, a.Token, a.Key, a.ClientSecret, a.RefreshToken} {
				c.learn(v)
			}
		}
	}
}

// learn resolves v and teaches the redactor its value, and the values of
// the placeholders in it.
func (c *connector) learn(v string) {
	if v == "" {
		return
	}
	if r, err := c.expand(v); err == nil {
		c.redactor.add(r)
	}
	c.learnPlaceholders(v)
}

// learnPlaceholders teaches the redactor the value of each ${Name} in s.
func (c *connector) learnPlaceholders(s string) {
	if !strings.Contains(s, "${") {
		return
	}
	_, _ = catalog.Expand(s, func(name string) (string, bool) {
		if v, err := c.expand("${" + name + "}"); err == nil {
			c.redactor.add(v)
		}
		return "", true
	})
}

// expandSecret is the expander of the values a catalog sends (headers,
// parameters, table URLs, credentials): it resolves like c.expand and
// teaches the redactor every placeholder's value.
func (c *connector) expandSecret(s string) (string, error) {
	out, err := c.expand(s)
	if err == nil {
		c.learnPlaceholders(s)
	}
	return out, err
}

// queryLog follows one query for the log (nil without a logger).
type queryLog struct {
	logger *slog.Logger
	ctx    context.Context
	id     int64
	start  time.Time
	tally  restsource.Tally
}

// startQuery logs a query and returns the context that numbers its log
// lines and counts its HTTP requests. Without a logger it returns ctx and a
// nil *queryLog, whose methods do nothing.
func (c *connector) startQuery(ctx context.Context, sql string, nargs int) (context.Context, *queryLog) {
	if c.logger == nil {
		return ctx, nil
	}
	q := &queryLog{logger: c.logger, id: c.queries.Add(1), start: time.Now()}
	ctx = context.WithValue(ctx, queryKey{}, q.id)
	ctx = restsource.WithTally(ctx, &q.tally)
	q.ctx = ctx
	c.logger.LogAttrs(ctx, slog.LevelInfo, "query", slog.String("sql", sql), slog.Int("args", nargs))
	return ctx, q
}

// failed logs a query that ended before its rows.
func (q *queryLog) failed(err error) {
	if q == nil {
		return
	}
	q.summary(slog.LevelError, "query failed", -1, err)
}

// rows wraps a query's rows so that closing them logs the summary.
func (q *queryLog) rows(r *rows) driver.Rows {
	if q == nil {
		return r
	}
	return &loggedRows{rows: r, q: q}
}

func (q *queryLog) summary(level slog.Level, msg string, n int64, err error) {
	attrs := []slog.Attr{}
	if n >= 0 {
		attrs = append(attrs, slog.Int64("rows", n))
	}
	attrs = append(attrs,
		slog.Int64("requests", q.tally.Requests()),
		slog.Int64("retries", q.tally.Retries()),
		slog.Int64("bytes", q.tally.Bytes()),
		slog.Duration("elapsed", time.Since(q.start)),
	)
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	q.logger.LogAttrs(q.ctx, level, msg, attrs...)
}

// loggedRows are a query's rows that log its summary when closed.
type loggedRows struct {
	*rows
	q    *queryLog
	n    int64
	err  error
	once sync.Once
}

// Next implements driver.Rows.
func (r *loggedRows) Next(dest []driver.Value) error {
	err := r.rows.Next(dest)
	switch {
	case err == nil:
		r.n++
	case !errors.Is(err, io.EOF):
		r.err = err
	}
	return err
}

// Close implements driver.Rows: it logs the query's summary once.
func (r *loggedRows) Close() error {
	err := r.rows.Close()
	r.once.Do(func() {
		level := slog.LevelInfo
		if r.err != nil {
			level = slog.LevelError
		}
		r.q.summary(level, "query done", r.n, r.err)
	})
	return err
}

var (
	_ driver.Rows                           = (*loggedRows)(nil)
	_ driver.RowsColumnTypeScanType         = (*loggedRows)(nil)
	_ driver.RowsColumnTypeDatabaseTypeName = (*loggedRows)(nil)
	_ driver.RowsColumnTypeNullable         = (*loggedRows)(nil)
)
