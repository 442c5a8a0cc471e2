package restsqltest_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/restsqltest"
)

const token = "very-secret-t0ken-31415"

const profile = `
catalogs:
  Shop:
    url: "${SHOP_URL}"
    auth: {scheme: Bearer, token: "${SHOP_TOKEN}"}
    schemas:
      API:
        tables:
          orders:
            url: /orders
            columns:
              - {name: id, type: int, key: true}
              - {name: total, type: float}
              - {name: status, filters: {"=": {param: status}}}
`

// shop is an API that wants the token; it counts its requests.
func shop(t *testing.T, hits *atomic.Int64) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		if r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		rows := `[{"id":1,"total":9.5,"status":"open"},{"id":2,"total":20,"status":"paid"},{"id":3,"total":1.25,"status":"open"}]`
		if r.URL.Query().Get("status") == "open" {
			rows = `[{"id":1,"total":9.5,"status":"open"},{"id":3,"total":1.25,"status":"open"}]`
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, rows)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func readOrders(t *testing.T, dsn string, opts ...restsqltest.Option) []string {
	t.Helper()
	db := restsqltest.Open(t, dsn, opts...)
	rows, err := db.Query("SELECT id, total FROM orders WHERE status = 'open' ORDER BY id")
	require.NoError(t, err)
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id int64
		var total float64
		require.NoError(t, rows.Scan(&id, &total))
		out = append(out, fmt.Sprintf("%d:%g", id, total))
	}
	require.NoError(t, rows.Err())
	return out
}

func TestRecordWhenAskedThenReplayOffline(t *testing.T) {
	var hits atomic.Int64
	srv := shop(t, &hits)
	dir := t.TempDir()
	path := filepath.Join(dir, "shop.yaml")
	require.NoError(t, os.WriteFile(path, []byte(profile), 0o644))
	fixtures := filepath.Join(dir, "fixtures")
	dsn := "Profile=" + path + ";URL=" + srv.URL

	var recorded []string
	t.Run("record", func(t *testing.T) {
		t.Setenv(restsqltest.RecordEnv, "1")
		t.Setenv("SHOP_TOKEN", token)
		require.True(t, restsqltest.Recording())
		recorded = readOrders(t, dsn, restsqltest.WithDir(fixtures))
	})
	assert.Equal(t, []string{"1:9.5", "3:1.25"}, recorded)
	sent := hits.Load()
	require.Positive(t, sent)
	srv.Close()

	data, err := os.ReadFile(filepath.Join(fixtures, "Shop.yaml"))
	require.NoError(t, err)
	assert.NotContains(t, string(data), token)

	t.Run("replay", func(t *testing.T) {
		t.Setenv(restsqltest.RecordEnv, "")
		require.False(t, restsqltest.Recording())
		// No SHOP_TOKEN and no server: the recording answers.
		assert.Equal(t, recorded, readOrders(t, dsn, restsqltest.WithDir(fixtures)))
	})
	assert.Equal(t, sent, hits.Load())
}

func TestDir(t *testing.T) {
	assert.Equal(t, filepath.Join("testdata", "fixtures", "TestDir"), restsqltest.Dir(t))
	t.Run("a sub:test", func(t *testing.T) {
		assert.Equal(t, filepath.Join("testdata", "fixtures", "TestDir", "a_sub_test"), restsqltest.Dir(t))
	})
}

// fatalTB captures Fatalf.
type fatalTB struct {
	testing.TB
	msg string
}

func (f *fatalTB) Helper() {}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func TestReplayWithoutRecordingsFailsClearly(t *testing.T) {
	tests := []struct {
		dsn  string
		want string
	}{
		{"Profile=x.yaml;Fixtures=" + filepath.Join(t.TempDir(), "none"), "run the test once with RESTSQL_RECORD=1"},
		{"Profle=x.yaml", `did you mean "Profile"`},
	}
	for _, tt := range tests {
		tb := &fatalTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			restsqltest.Open(tb, tt.dsn, restsqltest.WithMode(restsql.FixtureReplay))
		}()
		<-done
		assert.True(t, strings.HasPrefix(tb.msg, "restsqltest: "), tb.msg)
		assert.Contains(t, tb.msg, tt.want)
	}
}
