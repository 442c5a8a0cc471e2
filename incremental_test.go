package restsql_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
)

// changingAPI serves /events: rows {id, updated_at, v} that the test
// changes between runs. It applies updated_at_gte (>=) and records the
// values it was sent; fail makes it answer 503.
type changingAPI struct {
	*httptest.Server
	mu   sync.Mutex
	rows map[int]event
	gte  []string
	fail bool
}

type event struct {
	at time.Time
	v  string
}

func newChangingAPI(t *testing.T) *changingAPI {
	a := &changingAPI{rows: map[int]event{}}
	a.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		if a.fail {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		gte := r.URL.Query().Get("updated_at_gte")
		a.gte = append(a.gte, gte)
		var from time.Time
		if gte != "" {
			var err error
			if from, err = time.Parse(time.RFC3339, gte); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		ids := make([]int, 0, len(a.rows))
		for id := range a.rows {
			ids = append(ids, id)
		}
		sort.Ints(ids)
		var b strings.Builder
		b.WriteString("[")
		for _, id := range ids {
			e := a.rows[id]
			if e.at.Before(from) {
				continue
			}
			if b.Len() > 1 {
				b.WriteString(",")
			}
			fmt.Fprintf(&b, `{"id":%d,"updated_at":%q,"v":%q}`, id, e.at.Format(time.RFC3339), e.v)
		}
		b.WriteString("]")
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, b.String())
	}))
	t.Cleanup(a.Close)
	return a
}

func (a *changingAPI) set(id int, at string, v string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	ts, _ := time.Parse(time.RFC3339, "2026-01-01T"+at+":00Z")
	a.rows[id] = event{at: ts, v: v}
}

func (a *changingAPI) sent() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := a.gte
	a.gte = nil
	return out
}

const eventsProfile = `
catalogs:
  E:
    url: %s
    schemas:
      S:
        tables:
          events:
            url: /events
            columns:
              - {name: id, type: int, key: true}
              - {name: updated_at, type: datetime, filters: {">=": {param: updated_at_gte, exact: true}}}
              - {name: v}
`

func openEvents(t *testing.T, a *changingAPI) *sql.DB {
	t.Helper()
	p, err := catalog.Parse([]byte(fmt.Sprintf(eventsProfile, a.URL)), "events.yaml")
	require.NoError(t, err)
	cfg := restsql.NewConfig()
	c, _ := p.Catalog("E")
	cfg.Catalogs = []*catalog.Catalog{c}
	cfg.MaxRetries = 0
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

// load runs one incremental load and returns the rows it kept as
// "id@hh:mm=v"; stopAfter > 0 interrupts it after that many rows read
// (no Commit), as a crash or a failed write would.
func load(t *testing.T, db *sql.DB, inc restsql.Incremental, stopAfter int) ([]string, error) {
	t.Helper()
	run, err := inc.Start("SELECT id, updated_at, v FROM events")
	require.NoError(t, err)
	rows, err := db.QueryContext(context.Background(), run.Query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	require.NoError(t, run.Columns(cols))
	var out []string
	read := 0
	for rows.Next() {
		var id int64
		var at time.Time
		var v string
		require.NoError(t, rows.Scan(&id, &at, &v))
		read++
		if stopAfter > 0 && read > stopAfter {
			return out, fmt.Errorf("interrupted after %d rows", stopAfter)
		}
		keep, err := run.Keep([]any{id, at, v})
		require.NoError(t, err)
		if keep {
			out = append(out, fmt.Sprintf("%d@%s=%s", id, at.UTC().Format("15:04"), v))
		}
	}
	if err := rows.Err(); err != nil {
		return out, err
	}
	return out, run.Commit(time.Now())
}

// TestIncrementalAcrossChangesAndInterruptions: over runs between which
// rows are added and changed (one added late with the mark's own time),
// and runs that fail or are interrupted, the committed runs write every
// version of every row exactly once.
func TestIncrementalAcrossChangesAndInterruptions(t *testing.T) {
	a := newChangingAPI(t)
	db := openEvents(t, a)
	inc := restsql.Incremental{Column: "updated_at", State: filepath.Join(t.TempDir(), "events.state.json")}
	var written []string
	commit := func(rows []string, err error) {
		t.Helper()
		require.NoError(t, err)
		written = append(written, rows...)
	}

	a.set(1, "10:00", "a")
	a.set(2, "10:01", "b")
	a.set(3, "10:02", "c")
	commit(load(t, db, inc, 0))
	assert.Equal(t, []string{"1@10:00=a", "2@10:01=b", "3@10:02=c"}, written)
	assert.Equal(t, []string{""}, a.sent(), "the first run reads everything")

	// Row 4 arrives late with the mark's time; row 2 changes; row 5 is new.
	a.set(4, "10:02", "d")
	a.set(2, "10:05", "b2")
	a.set(5, "10:06", "e")
	// A run the API fails, and a run interrupted after one row: neither
	// commits, so the state stays at 10:02.
	a.fail = true
	_, err := load(t, db, inc, 0)
	require.Error(t, err)
	a.fail = false
	partial, err := load(t, db, inc, 1)
	require.Error(t, err)
	assert.NotEmpty(t, partial, "it had read rows (now discarded)")
	assert.Equal(t, []string{"2026-01-01T10:02:00Z"}, a.sent(), "the interrupted run asked from the mark")

	a.set(6, "10:07", "f")
	commit(load(t, db, inc, 0))
	assert.Equal(t, []string{"2026-01-01T10:02:00Z"}, a.sent(), "updated_at >= mark is pushed to the API")

	// Nothing changed: nothing new, the row at the mark is not written again.
	before := len(written)
	commit(load(t, db, inc, 0))
	assert.Len(t, written, before)
	assert.Equal(t, []string{"2026-01-01T10:07:00Z"}, a.sent())

	// Row 6 changes without its time changing: a new version at the mark.
	a.set(6, "10:07", "f2")
	commit(load(t, db, inc, 0))

	sort.Strings(written)
	assert.Equal(t, []string{"1@10:00=a", "2@10:01=b", "2@10:05=b2", "3@10:02=c", "4@10:02=d", "5@10:06=e", "6@10:07=f", "6@10:07=f2"}, written,
		"every version once: nothing lost, nothing twice")
}
