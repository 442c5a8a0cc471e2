package bench

import (
	"context"
	"database/sql"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// startServer starts a server for a test or benchmark and closes it at the end.
func startServer(tb testing.TB, cfg Config) *Server {
	tb.Helper()
	s, err := NewServer(cfg)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

func openDB(tb testing.TB, s *Server, maxConcurrency int) *sql.DB {
	tb.Helper()
	db, err := s.OpenDB(maxConcurrency)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = db.Close() })
	return db
}

func newClient(tb testing.TB) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

// want returns the rows a query must return, from the generator.
func want(s *Server, q Query) []Record {
	var out []Record
	for id := int64(1); id <= int64(s.cfg.Rows); id++ {
		if q.QtyBelow > 0 && truth(s.cols[qtyColumn], qtyColumn, id).Int >= q.QtyBelow {
			continue
		}
		rec := make(Record, len(q.Columns))
		for i, c := range q.Columns {
			rec[i] = truth(s.cols[c], c, id)
		}
		out = append(out, rec)
	}
	return out
}

// requireRows checks a reader's rows against the generator's, value by
// value (times by instant).
func requireRows(t *testing.T, s *Server, q Query, r Reader) {
	t.Helper()
	tally := &Tally{Collect: true}
	require.NoError(t, r.Read(context.Background(), tally), r.Name)
	exp := want(s, q)
	require.Len(t, tally.Collected, len(exp), r.Name)
	for i, rec := range tally.Collected {
		for j, k := range r.Kinds {
			got, w := rec[j], exp[i][j]
			same := got == w
			if k == KindTime {
				same = got.Time.Equal(w.Time)
			}
			if !same {
				require.Failf(t, "wrong value", "%s: row %d column %d: got %+v, want %+v", r.Name, i+1, j, got, w)
			}
		}
	}
}

// TestBenchSmoke runs every reader on a small dataset (5,000 rows, 2,000
// under the race detector) and checks that each returns exactly the
// generated rows, for every pagination type, for a selective query and for
// a wider row, and that the transfer floor makes the same requests. It
// takes well under two seconds, also with -race.
func TestBenchSmoke(t *testing.T) {
	cases := []struct {
		name      string
		cfg       Config
		selective bool
	}{
		{"page", Config{Rows: smokeRows, PageSize: 500, Pagination: PagePage}, false},
		{"offset", Config{Rows: 1200, PageSize: 100, Pagination: PageOffset}, true},
		{"cursor", Config{Rows: 450, PageSize: 100, Pagination: PageCursor}, false},
		{"nextURL", Config{Rows: 450, PageSize: 100, Pagination: PageNextURL}, false},
		{"page-no-total", Config{Rows: 400, PageSize: 100, Pagination: PagePage, NoTotal: true}, false},
		{"offset-no-total-wide", Config{Rows: 399, PageSize: 100, Pagination: PageOffset, NoTotal: true, Width: 11}, true},
	}
	for _, c := range cases {
		cfg := c.cfg
		t.Run(c.name, func(t *testing.T) {
			s := startServer(t, cfg)
			db := openDB(t, s, 4)
			client := newClient(t)
			all := AllColumns(s)
			// restsql last: without a total, requests it sent
			// speculatively and cancelled may reach the server after the
			// query ends, and must not count for another reader.
			readers := []Reader{
				GJSONLoop("gjson", client, s, all),
				NaiveLoop("naive", client, s, all),
				RestSQL("restsql", db, s, all),
			}
			s.ResetStats()
			floor := &Tally{}
			require.NoError(t, TransferFloor("floor", client, s).Read(context.Background(), floor))
			require.Equal(t, int64(cfg.Rows), floor.Rows)
			pages := int64((cfg.Rows + cfg.PageSize - 1) / cfg.PageSize)
			if cfg.NoTotal && cfg.Rows%cfg.PageSize == 0 {
				pages++ // a full last page: the empty page after it says the end
			}
			require.Equal(t, pages, s.Stats().Requests, "floor requests")
			if cfg.Pagination == PagePage || cfg.Pagination == PageOffset {
				// The parallel floor: every page once, 3 at a time.
				s.ResetStats()
				pf := &Tally{}
				require.NoError(t, ParallelFloor("parallel floor", client, s, 3).Read(context.Background(), pf))
				require.Equal(t, int64(cfg.Rows), pf.Rows)
				st := s.Stats()
				require.Equal(t, int64((cfg.Rows+cfg.PageSize-1)/cfg.PageSize), st.Requests, "parallel floor requests")
				require.LessOrEqual(t, st.PeakInFlight, int64(3), "parallel floor requests at once")
			} else {
				require.Error(t, ParallelFloor("parallel floor", client, s, 3).Read(context.Background(), &Tally{}), "cursor and next-URL pages are not known in advance")
			}
			var requests []int64
			for _, r := range readers {
				s.ResetStats()
				requireRows(t, s, all, r)
				requests = append(requests, s.Stats().Requests)
			}
			for i, n := range requests {
				if cfg.NoTotal && readers[i].Name == "restsql" {
					// Without a total restsql fetches pages speculatively
					// and drops those past the end: MaxConcurrency (4)
					// requests in flight, so at most 3 past the last page
					// and one more for the next page's inline fetch.
					require.GreaterOrEqual(t, n, pages, "%s requests", readers[i].Name)
					require.LessOrEqual(t, n, pages+4, "%s requests", readers[i].Name)
					continue
				}
				require.Equal(t, pages, n, "%s requests", readers[i].Name)
			}
			if c.selective {
				sel := Selective()
				for _, r := range []Reader{
					RestSQL("restsql-selective", db, s, sel),
					GJSONLoop("gjson-selective", client, s, sel),
					NaiveLoop("naive-selective", client, s, sel),
				} {
					requireRows(t, s, sel, r)
				}
			}
		})
	}
}

// TestNaiveReflectMatchesStruct checks that the reflect.StructOf item type
// the naive loop uses for other widths decodes as the written-out struct.
func TestNaiveReflectMatchesStruct(t *testing.T) {
	s := startServer(t, Config{Rows: 300, PageSize: 100})
	client := newClient(t)
	requireRows(t, s, AllColumns(s), naiveReflect("naive-reflect", client, s, AllColumns(s)))
}

// TestMeasure checks that a measurement counts rows, requests and
// allocations and that readers of one query agree on the checksum.
func TestMeasure(t *testing.T) {
	s := startServer(t, Config{Rows: 2000, PageSize: 500, Latency: time.Millisecond})
	db := openDB(t, s, 4)
	client := newClient(t)
	ctx := context.Background()
	a, err := Measure(ctx, s, RestSQL("restsql", db, s, AllColumns(s)))
	require.NoError(t, err)
	b, err := Measure(ctx, s, GJSONLoop("gjson", client, s, AllColumns(s)))
	require.NoError(t, err)
	for _, m := range []Measurement{a, b} {
		require.Equal(t, int64(2000), m.Rows, m.Reader)
		require.Zero(t, m.OutOfOrder, m.Reader)
		require.Equal(t, int64(4), m.Server.Requests, m.Reader)
		require.Positive(t, m.Allocs, m.Reader)
		require.Positive(t, m.RowsPerSec(), m.Reader)
		require.GreaterOrEqual(t, m.Server.Delay, time.Millisecond, m.Reader)
	}
	require.Equal(t, a.Sum, b.Sum)
}

// Benchmarks. They are not run by go test ./... (only with -bench); -short
// makes them CI-sized. For example:
//
//	go test -run '^$' -bench . -benchmem ./bench
//	go test -run '^$' -bench 'Scan/restsql$' -benchtime 5x -cpuprofile cpu.out ./bench

// benchReader runs r b.N times, timing only the reads, and reports rows/s,
// allocations per row and the peak heap above the level after a GC.
func benchReader(b *testing.B, r Reader) {
	ctx := context.Background()
	var rows int64
	var peak uint64
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		sampler := startHeapSampler(time.Millisecond)
		t := &Tally{}
		b.StartTimer()
		err := r.Read(ctx, t)
		b.StopTimer()
		peak = max(peak, sampler.stop())
		if err != nil {
			b.Fatal(err)
		}
		rows += t.Rows
		b.StartTimer()
	}
	b.StopTimer()
	runtime.ReadMemStats(&after)
	if rows > 0 {
		b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
		b.ReportMetric(float64(after.Mallocs-before.Mallocs)/float64(rows), "allocs/row")
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
}

func scaled(full, short int) int {
	if testing.Short() {
		return short
	}
	return full
}

// BenchmarkScan: zero latency, 200,000 rows (-short: 20,000) in pages of
// 1,000, every reader.
func BenchmarkScan(b *testing.B) {
	s := startServer(b, Config{Rows: scaled(200_000, 20_000), PageSize: 1000})
	db := openDB(b, s, 4)
	client := newClient(b)
	all, sel := AllColumns(s), Selective()
	for _, r := range []Reader{
		RestSQL("restsql", db, s, all),
		RestSQL("restsql-selective", db, s, sel),
		GJSONLoop("gjson", client, s, all),
		GJSONLoop("gjson-selective", client, s, sel),
		NaiveLoop("naive", client, s, all),
		TransferFloor("floor", client, s),
	} {
		b.Run(r.Name, func(b *testing.B) { benchReader(b, r) })
	}
}

// BenchmarkLatency: 200 pages (-short: 40) of 100 rows, 5 ms each, with
// page pagination and MaxConcurrency 8 (bound: pages / 8 × 5 ms), and with
// cursor and next-URL pagination (bound: pages × 5 ms).
func BenchmarkLatency(b *testing.B) {
	for _, pg := range []string{PagePage, PageCursor, PageNextURL} {
		b.Run(pg, func(b *testing.B) {
			s := startServer(b, Config{Rows: scaled(20_000, 4_000), PageSize: 100, Latency: 5 * time.Millisecond, Pagination: pg})
			db := openDB(b, s, 8)
			client := newClient(b)
			all := AllColumns(s)
			for _, r := range []Reader{RestSQL("restsql", db, s, all), GJSONLoop("gjson", client, s, all), TransferFloor("floor", client, s)} {
				b.Run(r.Name, func(b *testing.B) { benchReader(b, r) })
			}
		})
	}
}

// BenchmarkMemory: restsql SELECT * over 200,000 and 1,000,000 rows
// (-short: 20,000 and 100,000); peak-MiB must not grow with the rows.
func BenchmarkMemory(b *testing.B) {
	for _, n := range []int{scaled(200_000, 20_000), scaled(1_000_000, 100_000)} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			s := startServer(b, Config{Rows: n, PageSize: 1000})
			db := openDB(b, s, 4)
			benchReader(b, RestSQL("restsql", db, s, AllColumns(s)))
		})
	}
}

// BenchmarkLookups: IN lists over key columns and lookup joins, 5 ms per
// request, MaxConcurrency 8; reports requests and peak concurrency per
// query (they must equal the want- metrics).
func BenchmarkLookups(b *testing.B) {
	s := startServer(b, Config{Rows: 10_000, Latency: 5 * time.Millisecond})
	db := openDB(b, s, 8)
	cases, _, _ := lookupCases(s, 8)
	for i, c := range cases {
		b.Run(strconv.Itoa(i+1), func(b *testing.B) {
			ctx := context.Background()
			var st ServerStats
			for b.Loop() {
				s.ResetStats()
				n, err := countRows(ctx, db, c.SQL)
				if err != nil {
					b.Fatal(err)
				}
				if n != c.WantRows {
					b.Fatalf("%s: %d rows, want %d", c.SQL, n, c.WantRows)
				}
				st = s.Stats()
			}
			b.ReportMetric(float64(st.Requests), "requests")
			b.ReportMetric(float64(c.WantRequests), "want-requests")
			b.ReportMetric(float64(st.PeakInFlight), "in-flight")
			b.ReportMetric(float64(c.WantInFlight), "want-in-flight")
		})
	}
}

// TestLookupRequests checks the request counts of IN lists over key
// columns and of lookup joins: one request per distinct key (or per batch
// of keys), never more than MaxConcurrency at once, on the second run of
// each query.
func TestLookupRequests(t *testing.T) {
	const mc = 8
	s := startServer(t, Config{Rows: 1000})
	db := openDB(t, s, mc)
	cases, _, _ := lookupCases(s, mc)
	s2 := startServer(t, Config{Rows: 1000, Groups: 2200})
	db2 := openDB(t, s2, mc)
	batchCases := lookupBatchCases(s2, mc)
	for i, c := range append(cases, batchCases...) {
		if i == len(cases) {
			s, db = s2, db2
		}
		// The first run teaches the planner the tables' sizes (its plan
		// may differ); the second is counted.
		_, err := countRows(context.Background(), db, c.SQL)
		require.NoError(t, err, c.SQL)
		s.ResetStats()
		n, err := countRows(context.Background(), db, c.SQL)
		require.NoError(t, err, c.SQL)
		st := s.Stats()
		require.Equal(t, c.WantRows, n, c.Name)
		require.Equal(t, c.WantRequests, st.Requests, c.Name)
		require.LessOrEqual(t, st.PeakInFlight, c.WantInFlight, c.Name)
	}
}
