package server

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/restsql/restsql/catalog"
)

// chaosAPI serves /items: 2,000 rows (id 1 to 2000) in pages of 100, with
// faults injected by request number: every 13th request is a 503 (with
// Retry-After: 0, so the retry is immediate) and every 61st has its body
// cut short (a network error, retried after a backoff). Each URL gets each
// fault at most once: with many clients the request numbers interleave, and
// a retry that happened to draw multiples of 13 four times in a row would
// fail the statement by chance (the driver retries 3 times).
type chaosAPI struct {
	srv                          *httptest.Server
	requests, faults, cut, inFly atomic.Int64
	// down, while set, answers every request 503 (an outage).
	down atomic.Bool
	// failed503 and failedCut hold the URLs that got each fault.
	failed503, failedCut sync.Map
}

const chaosRows = 2000

func newChaosAPI(t *testing.T) *chaosAPI {
	a := &chaosAPI{}
	a.srv = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.srv.Close)
	return a
}

func (a *chaosAPI) serve(w http.ResponseWriter, r *http.Request) {
	n := a.requests.Add(1)
	a.inFly.Add(1)
	defer a.inFly.Add(-1)
	if a.down.Load() || n%13 == 0 && firstTime(&a.failed503, r.URL.String()) {
		a.faults.Add(1)
		w.Header().Set("Retry-After", "0")
		http.Error(w, "try again", http.StatusServiceUnavailable)
		return
	}
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("_page"))
	limit, _ := strconv.Atoi(q.Get("_limit"))
	if page < 1 {
		page = 1
	}
	if limit < 1 {
		limit = 100
	}
	var b strings.Builder
	b.WriteByte('[')
	for id := (page-1)*limit + 1; id <= page*limit && id <= chaosRows; id++ {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":%d}`, id)
	}
	b.WriteByte(']')
	body := b.String()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Total-Count", strconv.Itoa(chaosRows))
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	if n%61 == 0 && len(body) > 2 && firstTime(&a.failedCut, r.URL.String()) {
		a.cut.Add(1)
		_, _ = w.Write([]byte(body[:len(body)/2]))
		panic(http.ErrAbortHandler) // the connection closes mid-body
	}
	_, _ = w.Write([]byte(body))
}

// firstTime reports whether key is new to m, and adds it.
func firstTime(m *sync.Map, key string) bool {
	_, seen := m.LoadOrStore(key, true)
	return !seen
}

// TestServeUnderLoad runs clients at once against an API that fails now
// and then: aggregates, cursors, COPY, transactions held open, cancelled
// statements and clients that vanish mid-statement. Every answer must be
// right, and afterwards no session, API request or goroutine may be left.
// Then an API outage (08006, and recovery) and the connection limit.
func TestServeUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("a load test")
	}
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
	api := newChaosAPI(t)
	e := startServer(t, func(c *Config) {
		p, err := catalog.Parse(fmt.Appendf(nil, `
catalogs:
  Chaos:
    url: "%s"
    pagination: {type: page, pageParam: _page, sizeParam: _limit, pageSize: 100, totalHeader: X-Total-Count}
    schemas:
      C:
        tables:
          items:
            url: /items
            columns:
              - {name: id, type: int}
`, api.srv.URL), "chaos.yaml")
		require.NoError(t, err)
		cat, _ := p.Catalog("Chaos")
		c.Driver.Catalogs = append(c.Driver.Catalogs, cat)
		c.MaxConnections = 40
	})
	const table = `"Chaos"."C".items`
	sumTo := func(lo, hi int64) int64 { return (hi*(hi+1) - (lo-1)*lo) / 2 }

	type job func(ctx context.Context, w int) error
	aggregate := func(ctx context.Context, w int) error {
		c, err := pgx.Connect(ctx, e.connString(""))
		if err != nil {
			return err
		}
		defer c.Close(context.Background())
		lo := int64(w*37%chaosRows + 1)
		var n, sum int64
		if err := c.QueryRow(ctx, `SELECT count(*), sum(id) FROM `+table+` WHERE id >= $1`, lo).Scan(&n, &sum); err != nil {
			return err
		}
		if n != chaosRows-lo+1 || sum != sumTo(lo, chaosRows) {
			return fmt.Errorf("aggregate from %d: count %d, sum %d", lo, n, sum)
		}
		return nil
	}
	cursor := func(ctx context.Context, w int) error {
		c, err := pgx.Connect(ctx, e.connString(""))
		if err != nil {
			return err
		}
		defer c.Close(context.Background())
		tx, err := c.Begin(ctx)
		if err != nil {
			return err
		}
		defer tx.Rollback(context.Background())
		if _, err := tx.Exec(ctx, `DECLARE c CURSOR FOR SELECT id FROM `+table); err != nil {
			return err
		}
		want := int64(1)
		for {
			rows, err := tx.Query(ctx, "FETCH 150 FROM c")
			if err != nil {
				return err
			}
			ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				break
			}
			for _, id := range ids {
				if id != want {
					return fmt.Errorf("cursor: id %d where %d was due", id, want)
				}
				want++
			}
			// A transaction held open between fetches.
			time.Sleep(time.Millisecond)
		}
		if want != chaosRows+1 {
			return fmt.Errorf("cursor: %d rows", want-1)
		}
		return tx.Commit(ctx)
	}
	copyOut := func(ctx context.Context, w int) error {
		c, err := pgx.Connect(ctx, e.connString(""))
		if err != nil {
			return err
		}
		defer c.Close(context.Background())
		var buf bytes.Buffer
		tag, err := c.PgConn().CopyTo(ctx, &buf, `COPY (SELECT id FROM `+table+` WHERE id <= 500) TO STDOUT`)
		if err != nil {
			return err
		}
		var want strings.Builder
		for id := 1; id <= 500; id++ {
			fmt.Fprintf(&want, "%d\n", id)
		}
		if tag.String() != "COPY 500" || buf.String() != want.String() {
			return fmt.Errorf("copy: %s, %d bytes", tag, buf.Len())
		}
		return nil
	}
	cancel := func(ctx context.Context, w int) error {
		c, err := pgx.Connect(ctx, e.connString(""))
		if err != nil {
			return err
		}
		defer c.Close(context.Background())
		errc := make(chan error, 1)
		go func() {
			_, err := c.Exec(context.Background(), `SELECT sum(id) FROM `+table)
			errc <- err
		}()
		time.Sleep(time.Duration(w%5) * time.Millisecond)
		if err := c.PgConn().CancelRequest(ctx); err != nil {
			return err
		}
		if err := <-errc; err != nil && sqlState(err) != codeQueryCanceled {
			return fmt.Errorf("cancelled statement: %w", err)
		}
		var one int64
		return c.QueryRow(ctx, "SELECT 1").Scan(&one)
	}
	vanish := func(ctx context.Context, w int) error {
		pc, err := pgconn.Connect(ctx, e.connString(""))
		if err != nil {
			return err
		}
		hc, err := pc.Hijack()
		if err != nil {
			return err
		}
		hc.Frontend.Send(&pgproto3.Query{String: `SELECT count(*) FROM ` + table})
		if err := hc.Frontend.Flush(); err != nil {
			return err
		}
		time.Sleep(time.Duration(w%4) * time.Millisecond)
		return hc.Conn.Close()
	}
	jobs := []job{aggregate, cursor, copyOut, cancel, vanish, aggregate}

	const workers, rounds = 12, 4
	ctx, stop := context.WithTimeout(context.Background(), 2*wait)
	defer stop()
	var wg sync.WaitGroup
	errs := make(chan error, workers*rounds)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				if err := jobs[(w+r)%len(jobs)](ctx, w*rounds+r); err != nil {
					errs <- fmt.Errorf("worker %d round %d: %w", w, r, err)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	t.Logf("%d API requests, %d answered 503, %d cut short", api.requests.Load(), api.faults.Load(), api.cut.Load())
	require.Positive(t, api.faults.Load(), "no 503 was injected")
	require.Positive(t, api.cut.Load(), "no body was cut short")
	// Bounded recovery: every session ends, and the API sees no request
	// in flight.
	require.Eventually(t, func() bool { return e.sessionCount() == 0 && api.inFly.Load() == 0 }, wait, time.Millisecond,
		"%d sessions and %d API requests remain", e.sessionCount(), api.inFly.Load())
	// The server still answers.
	c := e.connect(t, "")
	var n int64
	require.NoError(t, c.QueryRow(testCtx(t), `SELECT count(*) FROM `+table).Scan(&n))
	require.Equal(t, int64(chaosRows), n)

	// An outage: the API fails every request; statements fail with 08006
	// once the retries are spent, and succeed again when it is back.
	api.down.Store(true)
	_, err := c.Exec(testCtx(t), `SELECT count(*) FROM `+table)
	require.Equal(t, codeConnectionFailure, sqlState(err), "%v", err)
	api.down.Store(false)
	require.NoError(t, c.QueryRow(testCtx(t), `SELECT count(*) FROM `+table).Scan(&n))
	require.Equal(t, int64(chaosRows), n)

	// Max connections: the 41st session is refused (53300) while 40 are
	// open, and admitted once one has closed.
	conns := []*pgx.Conn{c}
	for len(conns) < 40 {
		o, err := pgx.Connect(testCtx(t), e.connString(""))
		require.NoError(t, err)
		conns = append(conns, o)
	}
	_, err = pgx.Connect(testCtx(t), e.connString(""))
	require.Equal(t, codeTooManyConnections, sqlState(err), "%v", err)
	require.NoError(t, conns[0].Close(testCtx(t)))
	require.Eventually(t, func() bool {
		o, err := pgx.Connect(testCtx(t), e.connString(""))
		if err != nil {
			return false
		}
		conns[0] = o
		return true
	}, wait, time.Millisecond)
	for _, o := range conns {
		require.NoError(t, o.Close(testCtx(t)))
	}
	require.Eventually(t, func() bool { return e.sessionCount() == 0 }, wait, time.Millisecond)
}
