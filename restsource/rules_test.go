package restsource

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/auth"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/retry/retrytest"
)

// loadTable parses a one-table profile and returns its catalog and table.
func loadTable(t *testing.T, profile, cat, schema, table string) (*catalog.Catalog, *catalog.Table) {
	t.Helper()
	p, err := catalog.Parse([]byte(profile), "api.yaml")
	require.NoError(t, err)
	c := p.Catalogs[cat]
	return c, c.Schemas[schema].Tables[table]
}

const slackProfile = `
catalogs:
  Slack:
    url: https://slack.com/api
    auth: {scheme: Bearer, token: "${Token}"}
    errorWhen: {path: ok, equals: false, message: error}
    pagination: {type: cursor, cursorPath: response_metadata.next_cursor, cursorParam: cursor, sizeParam: limit, pageSize: 2}
    schemas:
      Slack:
        tables:
          channels:
            url: /conversations.list
            rows: channels
            columns:
              - {name: id, key: true}
              - {name: name}
`

// slackAPI answers conversations.list as Slack documents it: 200 with
// {"ok": false, "error": "invalid_auth"} for a bad token, and cursor pages
// in response_metadata.next_cursor ("" on the last page).
func slackAPI(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "Bearer xoxb-good" {
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_auth"})
		return
	}
	switch r.URL.Query().Get("cursor") {
	case "":
		writeJSON(w, map[string]any{"ok": true, "channels": []map[string]any{{"id": "C1", "name": "general"}, {"id": "C2", "name": "random"}},
			"response_metadata": map[string]any{"next_cursor": "dGVhbTpDMDYxRkE1UEI="}})
	case "dGVhbTpDMDYxRkE1UEI=":
		writeJSON(w, map[string]any{"ok": true, "channels": []map[string]any{{"id": "C3", "name": "dev"}},
			"response_metadata": map[string]any{"next_cursor": ""}})
	default:
		writeJSON(w, map[string]any{"ok": false, "error": "invalid_cursor"})
	}
}

func TestErrorWhenSlack(t *testing.T) {
	srv, rc := serve(t, slackAPI)
	cat, tbl := loadTable(t, slackProfile, "Slack", "Slack", "channels")

	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Auth: &auth.Bearer{Token: "xoxb-good"}})
	rows, _ := scanAll(t, s, Query{Limit: -1})
	assert.Equal(t, [][]any{{"C1", "general"}, {"C2", "random"}, {"C3", "dev"}}, rows)
	reqs := rc.all()
	require.Len(t, reqs, 2)
	for _, r := range reqs {
		assert.Equal(t, http.MethodGet, r.Method)
		assert.Equal(t, "/conversations.list", r.Path)
		assert.Equal(t, "2", r.Query.Get("limit"))
	}
	assert.Equal(t, "dGVhbTpDMDYxRkE1UEI=", reqs[1].Query.Get("cursor"))

	// A bad token: Slack answers 200 {"ok": false, "error": "invalid_auth"}.
	bad := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Auth: &auth.Bearer{Token: "xoxb-revoked"}, MaxRetries: 3})
	p, err := bad.Plan(Query{Limit: -1})
	require.NoError(t, err)
	r, err := bad.Scan(context.Background(), p)
	if err == nil {
		_, err = collectErr(r, 2)
		r.Close()
	}
	require.Error(t, err)
	assert.Contains(t, err.Error(), "table Slack.Slack.channels")
	assert.Contains(t, err.Error(), "GET "+srv.URL+"/conversations.list?limit=2")
	assert.Contains(t, err.Error(), "errorWhen: ok is false")
	assert.True(t, strings.HasSuffix(err.Error(), ": invalid_auth"), err.Error())
	assert.Equal(t, 3, rc.count(), "an errorWhen match is not retried")
}

func TestErrorWhenMatches(t *testing.T) {
	tests := []struct {
		body   string
		equals any
		match  bool
	}{
		{`{"ok": false}`, false, true},
		{`{"ok": true}`, false, false},
		{`{}`, false, false},
		{`{"ok": "false"}`, false, false},
		{`{"status": "error"}`, "error", true},
		{`{"status": "ok"}`, "error", false},
		{`{"code": 500}`, 500, true},
		{`{"code": 500}`, 500.0, true},
		{`{"code": 200}`, 500, false},
		{`{"code": "500"}`, 500, false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.body, tt.equals), func(t *testing.T) {
			path := "ok"
			if strings.Contains(tt.body, "status") {
				path = "status"
			} else if strings.Contains(tt.body, "code") {
				path = "code"
			}
			s := &Source{name: "A.S.t"}
			x := &exchange{s: s, method: "GET", shown: "http://h/x"}
			err := x.errorWhen(&catalog.ErrorWhen{Path: path, Equals: tt.equals}, []byte(tt.body))
			if !tt.match {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			// Without a message path, the body is shown.
			assert.Contains(t, err.Error(), tt.body)
		})
	}
}

// collectErr reads rows until the end or an error.
func collectErr(rows *Rows, n int) ([][]any, error) {
	var out [][]any
	for {
		dest := make([]any, n)
		if err := rows.Next(dest); err != nil {
			if err.Error() == "EOF" {
				return out, nil
			}
			return out, err
		}
		out = append(out, dest)
	}
}

const zendeskProfile = `
catalogs:
  Zendesk:
    url: https://example.zendesk.com/api/v2
    pagination: {type: cursor, cursorPath: after_cursor, cursorParam: cursor, stopPath: end_of_stream, emptyPageStops: false}
    schemas:
      Support:
        tables:
          tickets:
            url: /incremental/tickets/cursor.json
            params: {start_time: "1332034771"}
            rows: tickets
            columns:
              - {name: id, type: int, key: true}
              - {name: subject}
`

// zendeskExport is the cursor-based incremental export as Zendesk
// documents it: every page has after_cursor and end_of_stream; a page may
// be empty while end_of_stream is false; the last page still carries an
// after_cursor (for the next export run).
func zendeskExport(w http.ResponseWriter, r *http.Request) {
	page := func(ids []int, cursor string, end bool) {
		ts := []map[string]any{}
		for _, id := range ids {
			ts = append(ts, map[string]any{"id": id, "subject": "t" + strconv.Itoa(id)})
		}
		writeJSON(w, map[string]any{"tickets": ts, "after_cursor": cursor, "before_cursor": nil,
			"after_url": "https://example.zendesk.com/api/v2/incremental/tickets/cursor.json?cursor=" + cursor, "end_of_stream": end})
	}
	switch r.URL.Query().Get("cursor") {
	case "":
		page([]int{1, 2}, "MTU3NjYxMzUzOS4wfHw0Njd8", false)
	case "MTU3NjYxMzUzOS4wfHw0Njd8":
		page(nil, "MTU3NjYxMzUzOS4wfHw0Njh8", false)
	case "MTU3NjYxMzUzOS4wfHw0Njh8":
		page([]int{3}, "MTU3NjYxMzUzOS4wfHw0Njl8", true)
	default:
		http.Error(w, `{"error": "past the end"}`, http.StatusBadRequest)
	}
}

func TestZendeskIncrementalExport(t *testing.T) {
	srv, rc := serve(t, zendeskExport)
	cat, tbl := loadTable(t, zendeskProfile, "Zendesk", "Support", "tickets")
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	rows, _ := scanAll(t, s, Query{Limit: -1})
	assert.Equal(t, [][]any{{int64(1), "t1"}, {int64(2), "t2"}, {int64(3), "t3"}}, rows)
	assert.Equal(t, []string{
		"/incremental/tickets/cursor.json?start_time=1332034771",
		"/incremental/tickets/cursor.json?start_time=1332034771&cursor=MTU3NjYxMzUzOS4wfHw0Njd8",
		"/incremental/tickets/cursor.json?start_time=1332034771&cursor=MTU3NjYxMzUzOS4wfHw0Njh8",
	}, rc.paths(), "the empty page does not stop the walk; end_of_stream does, although after_cursor is set")

	// With the default (an empty page stops), ticket 3 would be lost.
	srv2, rc2 := serve(t, zendeskExport)
	cat2, tbl2 := loadTable(t, strings.Replace(zendeskProfile, ", emptyPageStops: false", "", 1), "Zendesk", "Support", "tickets")
	rows2, _ := scanAll(t, newSource(t, cat2, tbl2, Options{BaseURL: srv2.URL}), Query{Limit: -1})
	assert.Len(t, rows2, 2)
	assert.Equal(t, 2, rc2.count())
}

const githubProfile = `
catalogs:
  GitHub:
    url: https://api.github.com
    rateLimit: {remaining: x-ratelimit-remaining, reset: x-ratelimit-reset, resetFormat: unix}
    schemas:
      Repos:
        tables:
          issues:
            url: /repos/octocat/hello-world/issues
            columns:
              - {name: number, type: int, key: true}
              - {name: title}
`

var rateEpoch = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// githubAPI answers like GitHub's primary rate limit: while the clock is
// before reset, 403 with x-ratelimit-remaining: 0 and the reset as epoch
// seconds; after it, the issues. It records the clock time of each request.
type githubAPI struct {
	clk    *retrytest.Clock
	reset  time.Time
	status int
	left   string
	times  []time.Time
}

func (g *githubAPI) serve(w http.ResponseWriter, r *http.Request) {
	now := g.clk.Now()
	g.times = append(g.times, now)
	w.Header().Set("x-ratelimit-limit", "60")
	w.Header().Set("x-ratelimit-reset", strconv.FormatInt(g.reset.Unix(), 10))
	if now.Before(g.reset) {
		w.Header().Set("x-ratelimit-remaining", g.left)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(g.status)
		_, _ = w.Write([]byte(`{"message": "API rate limit exceeded for 203.0.113.1.", "documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting"}`))
		return
	}
	w.Header().Set("x-ratelimit-remaining", "59")
	writeJSON(w, []map[string]any{{"number": 1347, "title": "Found a bug"}})
}

func TestRateLimitGitHub(t *testing.T) {
	cat, tbl := loadTable(t, githubProfile, "GitHub", "Repos", "issues")
	for _, status := range []int{http.StatusForbidden, http.StatusTooManyRequests} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			clk := retrytest.NewClock(rateEpoch)
			g := &githubAPI{clk: clk, reset: rateEpoch.Add(42 * time.Second), status: status, left: "0"}
			srv, _ := serve(t, g.serve)
			s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, MaxRetries: 2, Clock: clk})
			rows, _ := scanAll(t, s, Query{Limit: -1})
			assert.Equal(t, [][]any{{int64(1347), "Found a bug"}}, rows)
			require.Len(t, g.times, 2)
			assert.False(t, g.times[1].Before(g.reset), "sent again no earlier than the reset")
			assert.Equal(t, []time.Duration{42 * time.Second}, clk.Sleeps())
		})
	}

	t.Run("remaining left", func(t *testing.T) {
		// A 403 with requests left is no rate limit: an error at once.
		clk := retrytest.NewClock(rateEpoch)
		g := &githubAPI{clk: clk, reset: rateEpoch.Add(42 * time.Second), status: http.StatusForbidden, left: "12"}
		srv, _ := serve(t, g.serve)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, MaxRetries: 2, Clock: clk})
		_, err := s.fetch(context.Background(), mustURL(t, srv.URL+"/repos/octocat/hello-world/issues"), func() {})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "403 Forbidden")
		assert.Len(t, g.times, 1)
		assert.Empty(t, clk.Sleeps())
	})

	t.Run("no retries", func(t *testing.T) {
		clk := retrytest.NewClock(rateEpoch)
		g := &githubAPI{clk: clk, reset: rateEpoch.Add(42 * time.Second), status: http.StatusForbidden, left: "0"}
		srv, _ := serve(t, g.serve)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Clock: clk})
		_, err := s.fetch(context.Background(), mustURL(t, srv.URL+"/repos/octocat/hello-world/issues"), func() {})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "rate limit: no request left until 2026-01-02T03:04:47Z")
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, http.StatusForbidden, he.StatusCode)
		assert.Len(t, g.times, 1)
	})

	t.Run("write never retried", func(t *testing.T) {
		clk := retrytest.NewClock(rateEpoch)
		g := &githubAPI{clk: clk, reset: rateEpoch.Add(42 * time.Second), status: http.StatusForbidden, left: "0"}
		srv, _ := serve(t, g.serve)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, MaxRetries: 5, Clock: clk})
		_, err := s.do(context.Background(), http.MethodPost, mustURL(t, srv.URL+"/repos/octocat/hello-world/issues"), []byte(`{"title":"x"}`), func() {})
		require.Error(t, err)
		assert.Len(t, g.times, 1)
		assert.Empty(t, clk.Sleeps())
	})

	t.Run("longer than MaxRetryAfter", func(t *testing.T) {
		clk := retrytest.NewClock(rateEpoch)
		g := &githubAPI{clk: clk, reset: rateEpoch.Add(time.Hour), status: http.StatusForbidden, left: "0"}
		srv, _ := serve(t, g.serve)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, MaxRetries: 5, Clock: clk})
		_, err := s.fetch(context.Background(), mustURL(t, srv.URL+"/repos/octocat/hello-world/issues"), func() {})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "not retried: the server asks to wait 1h0m0s")
		assert.Len(t, g.times, 1)
	})

	t.Run("spent window waits before the next request", func(t *testing.T) {
		// A 200 whose remaining is 0: the next request waits for the reset.
		clk := retrytest.NewClock(rateEpoch)
		reset := rateEpoch.Add(7 * time.Second)
		var times []time.Time
		srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
			times = append(times, clk.Now())
			w.Header().Set("x-ratelimit-remaining", "0")
			w.Header().Set("x-ratelimit-reset", strconv.FormatInt(reset.Unix(), 10))
			writeJSON(w, []any{})
		})
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Clock: clk})
		u := mustURL(t, srv.URL+"/repos/octocat/hello-world/issues")
		_, err := s.fetch(context.Background(), u, func() {})
		require.NoError(t, err)
		_, err = s.fetch(context.Background(), u, func() {})
		require.NoError(t, err)
		require.Len(t, times, 2)
		assert.Equal(t, rateEpoch, times[0])
		assert.Equal(t, reset, times[1])
	})
}

func TestParseReset(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		v, format string
		want      time.Time
		ok        bool
	}{
		{"1767323087", catalog.ResetUnix, time.Unix(1767323087, 0), true},
		{"1767323087", "", time.Unix(1767323087, 0), true},
		{"30", catalog.ResetSeconds, now.Add(30 * time.Second), true},
		{"0.5", catalog.ResetSeconds, now.Add(500 * time.Millisecond), true},
		{"Fri, 02 Jan 2026 03:05:00 GMT", catalog.ResetHTTPDate, time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC), true},
		{"", catalog.ResetUnix, time.Time{}, false},
		{"soon", catalog.ResetUnix, time.Time{}, false},
		{"-1", catalog.ResetSeconds, time.Time{}, false},
		{"1e300", catalog.ResetUnix, time.Time{}, false},
		{"30", catalog.ResetHTTPDate, time.Time{}, false},
	}
	for _, tt := range tests {
		got, ok := parseReset(tt.v, tt.format, now)
		assert.Equal(t, tt.ok, ok, tt.v)
		if ok {
			assert.True(t, tt.want.Equal(got), "%s: got %v want %v", tt.v, got, tt.want)
		}
	}
}
