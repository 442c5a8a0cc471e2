package restsql_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
)

// batchAPI serves /outer (outerRows rows {id, ref: id×3}, one response)
// and /inner (innerRows rows {id, name}, filtered by ?id=1,2,3). Requests
// for /inner with an id filter wait until conc of them are in flight (or
// the last expected one came), so a run that sends them one by one shows
// a peak of 1, however fast the machine.
type batchAPI struct {
	*httptest.Server
	outerRows, innerRows int
	conc                 int
	// lookups is the number of /inner?id= requests a run should send.
	lookups int

	mu       sync.Mutex
	inFlight int
	peak     int
	seen     []string
	filtered int
	release  chan struct{}
}

func newBatchAPI(t *testing.T, outerRows, innerRows, conc int) *batchAPI {
	a := &batchAPI{outerRows: outerRows, innerRows: innerRows, conc: conc, release: make(chan struct{})}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

func (a *batchAPI) reset(lookups int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.peak, a.seen, a.filtered, a.lookups = 0, nil, 0, lookups
	a.release = make(chan struct{})
}

func (a *batchAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.seen = append(a.seen, r.URL.Path+"?"+r.URL.RawQuery)
	a.mu.Unlock()
	var b strings.Builder
	b.WriteByte('[')
	add := func(s string) {
		if b.Len() > 1 {
			b.WriteByte(',')
		}
		b.WriteString(s)
	}
	switch r.URL.Path {
	case "/outer":
		for i := 1; i <= a.outerRows; i++ {
			add(fmt.Sprintf(`{"id":%d,"ref":%d}`, i, i*3))
		}
	case "/inner":
		ids := r.URL.Query().Get("id")
		if ids != "" {
			a.mu.Lock()
			a.inFlight++
			a.filtered++
			a.peak = max(a.peak, a.inFlight)
			rel := a.release
			if a.inFlight >= a.conc || a.filtered == a.lookups {
				close(a.release)
				a.release = make(chan struct{})
			}
			a.mu.Unlock()
			select {
			case <-rel:
			case <-time.After(10 * time.Second): // a guard against a hang, not a measure
			}
			a.mu.Lock()
			a.inFlight--
			a.mu.Unlock()
			for _, s := range strings.Split(ids, ",") {
				if n, err := strconv.Atoi(s); err == nil && n >= 1 && n <= a.innerRows {
					add(fmt.Sprintf(`{"id":%d,"name":"n%d"}`, n, n))
				}
			}
		} else {
			for i := 1; i <= a.innerRows; i++ {
				add(fmt.Sprintf(`{"id":%d,"name":"n%d"}`, i, i))
			}
		}
	default:
		http.NotFound(w, r)
		return
	}
	b.WriteByte(']')
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(b.String()))
}

func (a *batchAPI) stats() (seen []string, peak int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]string(nil), a.seen...), a.peak
}

func openBatchAPI(t *testing.T, a *batchAPI, maxConcurrency int) *sql.DB {
	t.Helper()
	p, err := catalog.Parse([]byte(fmt.Sprintf(`
catalogs:
  C:
    url: %s
    schemas:
      S:
        tables:
          outer_t: {url: /outer, columns: [{name: id, type: int, key: true}, {name: ref, type: int}]}
          inner_t:
            url: /inner
            columns:
              - {name: id, type: int, key: true, filters: {"=": {param: id, exact: true}, "IN": {param: id, join: ",", exact: true}}}
              - {name: name}
`, a.URL)), "test.yaml")
	require.NoError(t, err)
	cfg := restsql.NewConfig()
	c, _ := p.Catalog("C")
	cfg.Catalogs = []*catalog.Catalog{c}
	cfg.MaxConcurrency = maxConcurrency
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

func explainText(t *testing.T, db *sql.DB, q string) string {
	t.Helper()
	rows, err := db.Query("EXPLAIN " + q)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var b strings.Builder
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		fmt.Fprintln(&b, vals...)
	}
	require.NoError(t, rows.Err())
	return b.String()
}

// TestLookupJoinBatchesAtOnce: a join whose inner table takes IN lists
// reads MaxConcurrency batches at once, rows in the same order as the
// outer side; the planner picks it from the estimated requests, also when
// the outer side has no filter the API applies (once its size is known).
func TestLookupJoinBatchesAtOnce(t *testing.T) {
	const outerRows, innerRows, mc = 550, 20_000, 4
	a := newBatchAPI(t, outerRows, innerRows, mc)
	db := openBatchAPI(t, a, mc)
	const q = "SELECT o.id, i.name FROM outer_t o JOIN inner_t i ON i.id = o.ref"

	// Nothing known: the unfiltered outer side is assumed large, so the
	// inner table is scanned whole.
	plan := explainText(t, db, q)
	assert.Contains(t, plan, "Hash join")
	assert.Contains(t, plan, "estimate: by key 2000 requests (100000 outer rows assumed, 1 row per key (a key column), 50 keys per request), scan 1 request for 100000 rows assumed, counted as 100: scan")
	check := func() {
		rows, err := db.Query(q)
		require.NoError(t, err)
		defer rows.Close()
		n := 0
		for rows.Next() {
			var id int
			var name string
			require.NoError(t, rows.Scan(&id, &name))
			n++
			require.Equal(t, n, id, "outer order")
			require.Equal(t, fmt.Sprintf("n%d", id*3), name)
		}
		require.NoError(t, rows.Err())
		require.Equal(t, outerRows, n)
	}
	a.reset(0)
	check()
	seen, _ := a.stats()
	assert.ElementsMatch(t, []string{"/outer?", "/inner?"}, seen)

	// Both sizes are known now: 11 IN requests beat 20 requests' worth of
	// the whole inner table (one response of 20,000 rows).
	plan = explainText(t, db, q)
	assert.Contains(t, plan, "Lookup join")
	assert.Contains(t, plan, "50 keys per batch, 4 batches at once; estimate: by key 11 requests (550 outer rows, 1 row per key (a key column), 50 keys per request), scan 1 request for 20000 rows, counted as 20: by key")
	a.reset(11)
	check()
	seen, peak := a.stats()
	require.Len(t, seen, 12, "one outer request and 11 batches: %v", seen)
	assert.Equal(t, "/outer?", seen[0])
	var keys []string
	for _, s := range seen[1:] {
		require.True(t, strings.HasPrefix(s, "/inner?id="), s)
		keys = append(keys, strings.Split(strings.TrimPrefix(s, "/inner?id="), "%2C")...)
	}
	assert.Len(t, keys, outerRows, "each key asked for once")
	assert.Equal(t, mc, peak, "MaxConcurrency batches in flight at once")

	// The batches' scans are not remembered as table sizes: the plan stays.
	assert.Contains(t, explainText(t, db, q), "estimate: by key 11 requests (550 outer rows, 1 row per key (a key column), 50 keys per request), scan 1 request for 20000 rows, counted as 20: by key")
}
