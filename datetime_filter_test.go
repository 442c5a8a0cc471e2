package restsql_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDatetimeFilterInTheColumnsLayout: a datetime column whose format is
// a layout without a zone holds UTC times (that is how restsql reads
// them), so a pushed value is written in UTC; a value the layout cannot
// carry exactly (a fraction of a second, a time of day in a date) is not
// sent, since an exact filter would keep or lose the rows in between. The
// API here compares instants, as the profile's exact: true promises.
func TestDatetimeFilterInTheColumnsLayout(t *testing.T) {
	rows := []map[string]any{
		{"id": 1, "u": "2024-03-01 07:59:59", "d": "2024-02-29"},
		{"id": 2, "u": "2024-03-01 08:00:00", "d": "2024-03-01"},
		{"id": 3, "u": "2024-03-01 08:30:00", "d": "2024-03-02"},
		{"id": 4, "u": "2024-03-01 10:00:00", "d": "2024-03-03"},
	}
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.RawQuery)
		mu.Unlock()
		q := r.URL.Query()
		out := []map[string]any{}
		for _, row := range rows {
			keep := true
			for p, layout := range map[string]string{"u_gte": "2006-01-02 15:04:05", "u_lte": "2006-01-02 15:04:05", "d_gte": "2006-01-02", "d_lte": "2006-01-02"} {
				v := q.Get(p)
				if v == "" {
					continue
				}
				want, err := time.Parse(layout, v)
				if err != nil {
					http.Error(w, err.Error(), http.StatusBadRequest)
					return
				}
				got, _ := time.Parse(layout, row[p[:1]].(string))
				if p[2:] == "gte" && got.Before(want) || p[2:] == "lte" && got.After(want) {
					keep = false
				}
			}
			if keep {
				out = append(out, row)
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(out)
	}))
	t.Cleanup(srv.Close)
	db := openProfile(t, fmt.Sprintf(`
catalogs:
  C:
    url: %s
    schemas:
      S:
        tables:
          t:
            url: /t
            columns:
              - {name: id, type: int, key: true}
              - {name: u, type: datetime, format: "2006-01-02 15:04:05", filters: {">=": {param: u_gte, exact: true}, "<=": {param: u_lte, exact: true}}}
              - {name: d, type: datetime, format: "2006-01-02", filters: {">=": {param: d_gte, exact: true}, "<=": {param: d_lte, exact: true}}}
`, srv.URL))
	tests := []struct {
		sql  string
		args []any
		ids  []string
		sent string
	}{
		{sql: "SELECT id FROM t WHERE u >= '2024-03-01T10:00:00+02:00' ORDER BY id", ids: []string{"2", "3", "4"}, sent: "u_gte=2024-03-01+08%3A00%3A00"},
		{sql: "SELECT id FROM t WHERE u <= '2024-03-01T09:00:00+01:00' ORDER BY id", ids: []string{"1", "2"}, sent: "u_lte=2024-03-01+08%3A00%3A00"},
		{sql: "SELECT id FROM t WHERE u >= ? ORDER BY id", args: []any{time.Date(2024, 3, 1, 3, 30, 0, 0, time.FixedZone("", -5*3600))}, ids: []string{"3", "4"}, sent: "u_gte=2024-03-01+08%3A30%3A00"},
		{sql: "SELECT id FROM t WHERE u >= '2024-03-01 07:59:59.5' ORDER BY id", ids: []string{"2", "3", "4"}, sent: ""},
		{sql: "SELECT id FROM t WHERE d >= '2024-03-01 10:00:00' ORDER BY id", ids: []string{"3", "4"}, sent: ""},
		{sql: "SELECT id FROM t WHERE d >= '2024-03-01' ORDER BY id", ids: []string{"2", "3", "4"}, sent: "d_gte=2024-03-01"},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			var ids []string
			for _, r := range queryRows(t, db, tt.sql, tt.args...) {
				ids = append(ids, r[0])
			}
			assert.Equal(t, tt.ids, ids)
			mu.Lock()
			defer mu.Unlock()
			require.Len(t, seen, 1)
			assert.Equal(t, tt.sent, seen[0])
		})
	}
}
