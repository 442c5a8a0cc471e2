package restsource

import (
	"fmt"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// cappedPager is pager(n) behind a cap on the page size: asked for more,
// it answers cap rows, and counts page numbers in pages of what it used.
func cappedPager(n, cap int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if s, err := strconv.Atoi(q.Get("size")); err == nil && s > cap {
			q.Set("size", strconv.Itoa(cap))
			r.URL.RawQuery = q.Encode()
		}
		pager(n)(w, r)
	}
}

// TestScanCappedAPI scans an API that caps pages at 10 rows with a
// profile that asks for 25 and declares no maxPageSize: every row is read
// once, in order, sequentially and with pages fetched ahead, on a first
// scan and on a repeated one (which asks for the pages the first one read
// at once). With maxPageSize: 10 the size asked is clamped and a short
// page is trusted.
func TestScanCappedAPI(t *testing.T) {
	for _, typ := range []string{"offset", "page"} {
		for _, rows := range []int{0, 4, 10, 30, 47} {
			for _, conc := range []int{1, 4} {
				for _, declared := range []bool{false, true} {
					name := fmt.Sprintf("%s/%d rows/concurrency %d/maxPageSize %t", typ, rows, conc, declared)
					t.Run(name, func(t *testing.T) {
						srv, rec := serve(t, cappedPager(rows, 10))
						pg := &catalog.Pagination{Type: typ, SizeParam: "size", PageSize: 25}
						if declared {
							pg.MaxPageSize = 10
						}
						cat := &catalog.Catalog{Name: "C", URL: srv.URL, Pagination: pg}
						s := newSource(t, cat, idTable(), Options{MaxConcurrency: conc, Speculative: 15})
						// The pages a walk needs: the full ones and the
						// short or empty last one.
						needed := rows/10 + 1
						if !declared && rows > 0 && rows < 10 {
							needed = 2 // a short first page is confirmed
						}
						for scan := 1; scan <= 2; scan++ {
							before := rec.count()
							got, st := scanAll(t, s, Query{Limit: -1})
							require.Len(t, got, rows, "scan %d", scan)
							requireIDs(t, got)
							assert.Equal(t, int64(rows), st.Rows)
							seen := map[string]bool{}
							for _, r := range rec.all()[before:] {
								seen[r.Raw] = true
								if declared {
									assert.Equal(t, "10", r.Query.Get("size"), "the size asked is clamped to maxPageSize")
								}
							}
							size := "25"
							if declared {
								size = "10"
							}
							for k := range needed {
								pos := "offset=" + strconv.Itoa(min(10*k, rows))
								if typ == "page" {
									pos = "page=" + strconv.Itoa(k+1)
								}
								u := pos + "&size=" + size
								assert.True(t, seen[u], "scan %d: %s not asked for (asked: %v)", scan, u, rec.paths()[before:])
							}
							if conc == 1 {
								assert.Equal(t, int64(needed), st.Requests, "scan %d: sequential, the pages needed only", scan)
							} else {
								assert.LessOrEqual(t, st.Requests, int64(needed+conc-1), "scan %d: at most MaxConcurrency-1 pages past the end", scan)
							}
						}
					})
				}
			}
		}
	}
}

// TestPlanPagingForExplain: EXPLAIN's page size note and request estimate
// follow the declared cap, the total and the size asked.
func TestPlanPagingForExplain(t *testing.T) {
	tests := []struct {
		name   string
		pg     catalog.Pagination
		dsn    int // Options.PageSize
		limit  int64
		paging string
		reqs   int // -1: not known
	}{
		{name: "clamped", pg: catalog.Pagination{Type: "offset", SizeParam: "size", PageSize: 500, MaxPageSize: 100}, limit: 250,
			paging: "pages of 100 (pageSize 500 clamped to maxPageSize 100)", reqs: 3},
		{name: "DSN PageSize clamped", pg: catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 50, MaxPageSize: 100}, dsn: 1000, limit: 150,
			paging: "pages of 100 (pageSize 1000 clamped to maxPageSize 100)", reqs: 2},
		{name: "under the cap", pg: catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 50, MaxPageSize: 100}, limit: 20,
			paging: "pages of 50 (maxPageSize 100)", reqs: 1},
		{name: "no cap: a short first page costs one more", pg: catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 50}, limit: 20,
			paging: "pages of 50 (no maxPageSize: a short first page is confirmed by one more request)", reqs: 2},
		{name: "no cap, limit 1", pg: catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 50}, limit: 1,
			paging: "pages of 50 (no maxPageSize: a short first page is confirmed by one more request)", reqs: 1},
		{name: "no cap, a total shows the end", pg: catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 50, TotalHeader: "X-Total-Count"}, limit: 20,
			reqs: 1},
		{name: "no limit", pg: catalog.Pagination{Type: "page", SizeParam: "size", PageSize: 50, MaxPageSize: 50}, limit: -1,
			paging: "pages of 50 (maxPageSize 50)", reqs: -1},
		{name: "cursor", pg: catalog.Pagination{Type: "cursor", CursorPath: "c", CursorParam: "c", SizeParam: "size", PageSize: 500, MaxPageSize: 100}, limit: 250,
			paging: "pages of 100 (pageSize 500 clamped to maxPageSize 100)", reqs: 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := &catalog.Catalog{Name: "C", URL: "http://api.test", Pagination: &tt.pg}
			s := newSource(t, cat, idTable(), Options{PageSize: tt.dsn})
			p, err := s.Plan(Query{Limit: tt.limit})
			require.NoError(t, err)
			assert.Equal(t, tt.paging, p.Paging())
			n, known := p.EstimatedRequests()
			if tt.reqs < 0 {
				assert.False(t, known)
			} else {
				assert.True(t, known)
				assert.Equal(t, tt.reqs, n)
			}
		})
	}
}
