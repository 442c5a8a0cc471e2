package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// pagedAPI is a fake API of 1,000 pages of 100 rows (/items?_page=n). Its
// first pages answer at once; from page fastPages+1 on, a request blocks
// until the server cancels it (or the test ends), so a statement over it
// ends only when it is cancelled.
type pagedAPI struct {
	srv       *httptest.Server
	fastPages int
	// requests counts every request, afterGone those that came after the
	// test closed its client, and blocked those waiting now.
	requests, afterGone, blocked atomic.Int64
	gone                         atomic.Bool
	release                      chan struct{}
	// delay, when set, is how long every request waits before it answers.
	delay time.Duration
}

func newPagedAPI(t *testing.T, fastPages int) *pagedAPI {
	a := &pagedAPI{fastPages: fastPages, release: make(chan struct{})}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	t.Cleanup(func() { close(a.release) })
	return a
}

func (a *pagedAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.requests.Add(1)
	if a.gone.Load() {
		a.afterGone.Add(1)
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("_page"))
	if page < 1 {
		page = 1
	}
	if a.delay > 0 {
		select {
		case <-time.After(a.delay):
		case <-r.Context().Done():
			return
		case <-a.release:
			return
		}
	}
	if page > a.fastPages {
		a.blocked.Add(1)
		defer a.blocked.Add(-1)
		select {
		case <-r.Context().Done():
		case <-a.release:
		}
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Total-Count", "100000")
	var b strings.Builder
	b.WriteByte('[')
	for i := range 100 {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d}`, (page-1)*100+i+1)
	}
	b.WriteByte(']')
	_, _ = w.Write([]byte(b.String()))
}

// withPagedAPI adds the catalog Paged (table P.items) on a.
func withPagedAPI(t *testing.T, a *pagedAPI, timeout time.Duration) func(*Config) {
	return func(c *Config) {
		p, err := catalog.Parse(fmt.Appendf(nil, `
catalogs:
  Paged:
    url: "%s"
    pagination: {type: page, pageParam: _page, sizeParam: _limit, pageSize: 100, totalHeader: X-Total-Count}
    schemas:
      P:
        tables:
          items:
            url: /items
            columns:
              - {name: id, type: int}
`, a.srv.URL), "paged.yaml")
		require.NoError(t, err)
		cat, _ := p.Catalog("Paged")
		c.Driver.Catalogs = append(c.Driver.Catalogs, cat)
		if timeout > 0 {
			c.Driver.Timeout = timeout
		}
	}
}

func (e *testEnv) sessionCount() int {
	e.srv.mu.Lock()
	defer e.srv.mu.Unlock()
	return len(e.srv.sessions)
}

// TestGoneClientStopsItsRequests closes a client's socket, without a
// CancelRequest (as when its process is killed), while its statement waits
// for the API: the server notices, cancels the statement's requests and
// ends the session — for an aggregate, which sends no row while it runs,
// as for a query streaming rows.
func TestGoneClientStopsItsRequests(t *testing.T) {
	for _, q := range []string{
		`SELECT count(*) FROM "Paged"."P".items`,
		`SELECT id FROM "Paged"."P".items`,
		`SELECT sum(id) FROM "Paged"."P".items WHERE id > $1`,
	} {
		t.Run(q, func(t *testing.T) {
			api := newPagedAPI(t, 3)
			e := startServer(t, withPagedAPI(t, api, 0))
			pc, err := pgconn.Connect(testCtx(t), e.connString(""))
			require.NoError(t, err)
			hc, err := pc.Hijack()
			require.NoError(t, err)
			if strings.Contains(q, "$1") {
				hc.Frontend.Send(&pgproto3.Parse{Query: q})
				hc.Frontend.Send(&pgproto3.Bind{Parameters: [][]byte{[]byte("0")}})
				hc.Frontend.Send(&pgproto3.Execute{})
				hc.Frontend.Send(&pgproto3.Sync{})
			} else {
				hc.Frontend.Send(&pgproto3.Query{String: q})
			}
			require.NoError(t, hc.Frontend.Flush())
			require.Eventually(t, func() bool { return api.blocked.Load() > 0 }, wait, time.Millisecond,
				"the statement never waited for a blocked page")
			require.Equal(t, 1, e.sessionCount())

			api.gone.Store(true)
			require.NoError(t, hc.Conn.Close())
			// Without the check the statement would wait for its
			// blocked request until the test's end.
			require.Eventually(t, func() bool { return api.blocked.Load() == 0 && e.sessionCount() == 0 }, wait, time.Millisecond,
				"the statement of a gone client still runs (%d requests waiting, %d sessions)", api.blocked.Load(), e.sessionCount())
			// Requests already on their way when the client went may
			// arrive; no more than the query's MaxConcurrency.
			require.LessOrEqual(t, api.afterGone.Load(), int64(4))
			total := api.requests.Load()
			require.Less(t, total, int64(3+2*4), "the query read far more pages than it was let")

			// The server serves others as before.
			c := e.connect(t, "")
			var n int64
			require.NoError(t, c.QueryRow(testCtx(t), "SELECT count(*) FROM posts").Scan(&n))
			require.Equal(t, int64(100), n)
		})
	}
}

// TestRequestTimeoutIsAConnectionError checks that an API request that
// runs past the DSN's Timeout is an API failure (08006), while only the
// statement's own cancellation, statement_timeout, is 57014.
func TestRequestTimeoutIsAConnectionError(t *testing.T) {
	api := newPagedAPI(t, 1000)
	api.delay = time.Hour
	e := startServer(t, withPagedAPI(t, api, 2*time.Second), func(c *Config) { c.Driver.MaxRetries = 0 })
	c := e.connect(t, "")
	_, err := c.Exec(testCtx(t), `SELECT count(*) FROM "Paged"."P".items`)
	require.Error(t, err)
	require.Equal(t, codeConnectionFailure, sqlState(err), "%v", err)
	require.Contains(t, err.Error(), "Timeout")
	require.EqualValues(t, 1, api.requests.Load())

	// The session goes on; its own statement_timeout is a cancellation.
	_, err = c.Exec(testCtx(t), "SET statement_timeout = '20ms'")
	require.NoError(t, err)
	_, err = c.Exec(testCtx(t), `SELECT id FROM "Slow"."S".slow_posts`)
	require.Equal(t, codeQueryCanceled, sqlState(err), "%v", err)
	require.Contains(t, err.Error(), "statement timeout")
	_, err = c.Exec(testCtx(t), "SET statement_timeout = 0")
	require.NoError(t, err)
	var n int64
	require.NoError(t, c.QueryRow(testCtx(t), "SELECT count(*) FROM posts").Scan(&n))
	require.Equal(t, int64(100), n)
}
