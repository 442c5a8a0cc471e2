package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExportIncrementalPartitioned: restsql export --incremental with
// --partition-column, over an API whose rows change between runs and a
// run it fails: the committed files hold every version once, and a failed
// run changes neither the files nor the state.
func TestExportIncrementalPartitioned(t *testing.T) {
	var (
		mu   sync.Mutex
		rows = map[int]string{} // id → "hh:mm v"
		fail bool
	)
	set := func(id int, at, v string) { mu.Lock(); rows[id] = at + " " + v; mu.Unlock() }
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		if fail {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		q := r.URL.Query()
		var parts []string
		for id, row := range rows {
			at, v, _ := strings.Cut(row, " ")
			stamp := "2026-01-01T" + at + ":00Z"
			if g := q.Get("updated_at_gte"); g != "" && stamp < g {
				continue
			}
			if g := q.Get("id_gte"); g != "" {
				if n, _ := strconv.Atoi(g); id < n {
					continue
				}
			}
			if l := q.Get("id_lte"); l != "" {
				if n, _ := strconv.Atoi(l); id > n {
					continue
				}
			}
			parts = append(parts, fmt.Sprintf(`{"id":%d,"updated_at":%q,"v":%q}`, id, stamp, v))
		}
		sort.Strings(parts)
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, "["+strings.Join(parts, ",")+"]")
	}))
	t.Cleanup(ts.Close)
	dir := t.TempDir()
	profile := filepath.Join(dir, "events.yaml")
	require.NoError(t, os.WriteFile(profile, []byte(fmt.Sprintf(`
catalogs:
  E:
    url: %s
    schemas:
      S:
        tables:
          events:
            url: /events
            columns:
              - {name: id, type: int, key: true, filters: {">=": {param: id_gte}, "<=": {param: id_lte}}}
              - {name: updated_at, type: datetime, filters: {">=": {param: updated_at_gte}}}
              - {name: v}
`, ts.URL)), 0o644))
	state := filepath.Join(dir, "state.json")
	export := func(n int) (string, error) {
		out := filepath.Join(dir, fmt.Sprintf("run%d.csv", n))
		_, stderr, err := runCLI(t, "export", "--dsn", "MaxRetries=0;Profile="+profile, "--out", out,
			"--incremental", "updated_at", "--state", state, "--partition-column", "id", "--partitions", "2",
			"SELECT id, updated_at, v FROM events")
		return stderr, err
	}
	var written []string
	collect := func(n int) {
		b, err := os.ReadFile(filepath.Join(dir, fmt.Sprintf("run%d.csv", n)))
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSpace(string(b)), "\n")
		require.Equal(t, "id,updated_at,v", lines[0])
		written = append(written, lines[1:]...)
	}

	for i := 1; i <= 6; i++ {
		set(i, fmt.Sprintf("10:%02d", i), "a")
	}
	stderr, err := export(1)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "incremental: 6 new rows; updated_at 2026-01-01T10:06:00Z saved to "+state)
	collect(1)

	set(7, "10:06", "late") // at the mark
	set(2, "10:08", "b")
	set(8, "10:09", "a")
	before, err := os.ReadFile(state)
	require.NoError(t, err)
	fail = true
	_, err = export(2)
	require.Error(t, err)
	fail = false
	after, err := os.ReadFile(state)
	require.NoError(t, err)
	assert.Equal(t, string(before), string(after), "a failed run leaves the state as it was")
	_, err = os.Stat(filepath.Join(dir, "run2.csv"))
	assert.True(t, os.IsNotExist(err), "and writes no file")

	stderr, err = export(3)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "incremental: 3 new rows; updated_at 2026-01-01T10:09:00Z")
	collect(3)
	stderr, err = export(4)
	require.NoError(t, err, stderr)
	assert.Contains(t, stderr, "incremental: 0 new rows")
	collect(4)

	sort.Strings(written)
	assert.Equal(t, []string{
		"1,2026-01-01T10:01:00Z,a", "2,2026-01-01T10:02:00Z,a", "2,2026-01-01T10:08:00Z,b", "3,2026-01-01T10:03:00Z,a",
		"4,2026-01-01T10:04:00Z,a", "5,2026-01-01T10:05:00Z,a", "6,2026-01-01T10:06:00Z,a", "7,2026-01-01T10:06:00Z,late",
		"8,2026-01-01T10:09:00Z,a",
	}, written, "every version once")
}
