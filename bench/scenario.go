package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/export"
)

// Reader names in reports.
const (
	NameRestSQL          = "restsql SELECT *"
	NameRestSQLSelective = "restsql selective"
	NameGJSON            = "gjson loop"
	NameGJSONSelective   = "gjson loop selective"
	NameNaive            = "naive loop"
	NameFloor            = "transfer floor"
	// NameParallelFloor is the transfer floor with MaxConcurrency
	// requests in flight (ParallelFloor).
	NameParallelFloor = "parallel floor"
)

// Scenario names, in the order Run runs them.
const (
	ScenarioScan     = "scan"
	ScenarioParallel = "parallel"
	// ScenarioSpeculative is parallel without a total: pages are fetched
	// speculatively (SpeculativePages).
	ScenarioSpeculative = "speculative"
	ScenarioCursor      = "cursor"
	ScenarioNextURL     = "nexturl"
	ScenarioMemory      = "memory"
	ScenarioLookups     = "lookups"
	ScenarioCache       = "cache"
	ScenarioExport      = "export"
	ScenarioCustom      = "custom"
)

// Scenarios are the names of the scenarios of issue 8, in order.
var Scenarios = []string{ScenarioScan, ScenarioParallel, ScenarioSpeculative, ScenarioCursor, ScenarioNextURL, ScenarioMemory, ScenarioLookups, ScenarioCache, ScenarioExport}

// Options configure Run.
type Options struct {
	// Scenarios to run (nil = Scenarios). ScenarioCustom runs Custom.
	Scenarios []string
	// Quick runs CI-sized scenarios: fewer rows and pages, one run each.
	Quick bool
	// Runs is the number of runs of each reader (0 = the scenario's
	// default: 9 for scan, 3 for the others, 1 when Quick). Each reader's
	// median run is reported; runs of the readers are interleaved.
	Runs int
	// Custom is the server of ScenarioCustom, read by every reader with
	// CustomMaxConcurrency.
	Custom               Config
	CustomMaxConcurrency int
	// Progress, when set, receives a line per run.
	Progress io.Writer
	// Serve starts restsql serve for ScenarioServe.
	Serve ServeFunc
}

// Result is one reader's runs in one scenario.
type Result struct {
	Reader string
	// Median is the run with the median time, Best the fastest run;
	// PeakHeap is the largest peak of all runs.
	Median   Measurement
	Best     Measurement
	PeakHeap uint64
	Runs     []Measurement
}

// Target is one of issue 8's targets, measured.
type Target struct {
	Scenario string
	// What is measured, Goal the target, Measured the number.
	What, Goal, Measured string
	Pass                 bool
}

// Report is one scenario's results.
type Report struct {
	Name string
	// Setup describes the server and the client settings.
	Setup   string
	Results []Result
	// Lookups are the request counts of the lookups scenario.
	Lookups []LookupResult
	Targets []Target
	Notes   []string
}

// Run runs the scenarios and returns their reports.
func Run(ctx context.Context, opts Options) ([]Report, error) {
	names := opts.Scenarios
	if len(names) == 0 {
		names = Scenarios
	}
	var out []Report
	for _, name := range names {
		var r Report
		var err error
		switch strings.ToLower(name) {
		case ScenarioScan:
			r, err = runScan(ctx, opts)
		case ScenarioParallel:
			r, err = runLatency(ctx, opts, ScenarioParallel, PagePage, 8, false)
		case ScenarioSpeculative:
			r, err = runLatency(ctx, opts, ScenarioSpeculative, PagePage, 8, true)
		case ScenarioCursor:
			r, err = runLatency(ctx, opts, ScenarioCursor, PageCursor, 8, false)
		case ScenarioNextURL:
			r, err = runLatency(ctx, opts, ScenarioNextURL, PageNextURL, 8, false)
		case ScenarioMemory:
			r, err = runMemory(ctx, opts)
		case ScenarioLookups:
			r, err = runLookups(ctx, opts)
		case ScenarioCache:
			r, err = runCache(ctx, opts)
		case ScenarioExport:
			r, err = runExport(ctx, opts)
		case ScenarioCustom:
			r, err = runCustom(ctx, opts)
		case ScenarioServe:
			r, err = runServe(ctx, opts)
		default:
			return out, fmt.Errorf("bench: unknown scenario %q (have %s, %s, %s)", name, strings.Join(Scenarios, ", "), ScenarioServe, ScenarioCustom)
		}
		if err != nil {
			return out, fmt.Errorf("bench: scenario %s: %w", name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

func (o Options) runs(def int) int {
	switch {
	case o.Runs > 0:
		return o.Runs
	case o.Quick:
		return 1
	}
	return def
}

// env is a running server with a restsql handle and a client for the
// hand-written readers.
type env struct {
	mc     int // restsql's MaxConcurrency, the parallel floor's workers
	s      *Server
	db     *sql.DB
	client *http.Client
	tr     *http.Transport
}

func newEnv(cfg Config, maxConcurrency int) (*env, error) {
	s, err := NewServer(cfg)
	if err != nil {
		return nil, err
	}
	db, err := s.OpenDB(maxConcurrency)
	if err != nil {
		s.Close()
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = max(maxConcurrency, 2) // the parallel floor keeps its connections
	return &env{mc: maxConcurrency, s: s, db: db, client: &http.Client{Transport: tr}, tr: tr}, nil
}

func (e *env) close() {
	e.db.Close()
	e.tr.CloseIdleConnections()
	e.s.Close()
}

// readers returns the named readers.
func (e *env) readers(names ...string) []Reader {
	all, sel := AllColumns(e.s), Selective()
	var out []Reader
	for _, n := range names {
		switch n {
		case NameRestSQL:
			out = append(out, RestSQL(n, e.db, e.s, all))
		case NameRestSQLSelective:
			out = append(out, RestSQL(n, e.db, e.s, sel))
		case NameGJSON:
			out = append(out, GJSONLoop(n, e.client, e.s, all))
		case NameGJSONSelective:
			out = append(out, GJSONLoop(n, e.client, e.s, sel))
		case NameNaive:
			out = append(out, NaiveLoop(n, e.client, e.s, all))
		case NameFloor:
			out = append(out, TransferFloor(n, e.client, e.s))
		case NameParallelFloor:
			out = append(out, ParallelFloor(n, e.client, e.s, e.mc))
		}
	}
	return out
}

// measureAll runs each reader runs times, interleaved, and checks that
// readers of the same query return the same rows in API order.
func measureAll(ctx context.Context, opts Options, scenario string, e *env, readers []Reader, runs int) ([]Result, error) {
	results := make([]Result, len(readers))
	// Warm up: connections, the driver's sources, the runtime's pools.
	// Twice: restsql's first scan of a request without a total guesses
	// pages past the end and cancels them, which closes their connections;
	// the second scan remembers the pages and reopens the connections, so
	// the measured runs all see the same state.
	for range 2 {
		for _, r := range readers {
			if _, err := Measure(ctx, e.s, r); err != nil {
				return nil, err
			}
		}
	}
	for run := 0; run < runs; run++ {
		for i, r := range readers {
			m, err := Measure(ctx, e.s, r)
			if err != nil {
				return nil, err
			}
			if m.OutOfOrder > 0 {
				return nil, fmt.Errorf("%s returned %d rows out of API order", r.Name, m.OutOfOrder)
			}
			results[i].Reader = r.Name
			results[i].Runs = append(results[i].Runs, m)
			if opts.Progress != nil {
				fmt.Fprintf(opts.Progress, "%s: run %d/%d: %-22s %v\n", scenario, run+1, runs, r.Name, m.Elapsed.Round(time.Microsecond))
			}
		}
	}
	for i := range results {
		res := &results[i]
		ms := slices.Clone(res.Runs)
		sort.Slice(ms, func(a, b int) bool { return ms[a].Elapsed < ms[b].Elapsed })
		res.Median, res.Best = ms[len(ms)/2], ms[0]
		for _, m := range res.Runs {
			res.PeakHeap = max(res.PeakHeap, m.PeakHeap)
		}
	}
	// Readers of the same query agree.
	groups := map[string][]string{
		"SELECT *":  {NameRestSQL, NameGJSON, NameNaive, NameCacheTTL, NameCache304, NamePgxServe, NamePgxPostgres},
		"selective": {NameRestSQLSelective, NameGJSONSelective},
	}
	for q, names := range groups {
		var first *Result
		for i := range results {
			res := &results[i]
			if !slices.Contains(names, res.Reader) {
				continue
			}
			if first == nil {
				first = res
				continue
			}
			if res.Median.Rows != first.Median.Rows || res.Median.Sum != first.Median.Sum {
				return nil, fmt.Errorf("%s: %s and %s disagree: %d rows (checksum %x) against %d rows (checksum %x)",
					q, first.Reader, res.Reader, first.Median.Rows, first.Median.Sum, res.Median.Rows, res.Median.Sum)
			}
		}
	}
	return results, nil
}

func find(rs []Result, name string) *Measurement {
	for i := range rs {
		if rs[i].Reader == name {
			return &rs[i].Median
		}
	}
	return nil
}

func setup(cfg Config, maxConcurrency int, dataBytes int) string {
	lat := "zero latency"
	if cfg.Latency > 0 {
		lat = cfg.Latency.String() + " per page"
	}
	total := ""
	if cfg.NoTotal && (cfg.Pagination == PagePage || cfg.Pagination == PageOffset) {
		total = ", no total"
	}
	return fmt.Sprintf("%s, %s rows in pages of %s (%s pagination%s), %s, %.1f MB; restsql MaxConcurrency %d",
		lat, thousands(int64(cfg.Rows)), thousands(int64(cfg.PageSize)), cfg.Pagination, total, describe(Columns(cfg.Width)), float64(dataBytes)/1e6, maxConcurrency)
}

func ratio(a, b time.Duration) float64 {
	if b <= 0 {
		return math.Inf(1)
	}
	return float64(a) / float64(b)
}

func runScan(ctx context.Context, opts Options) (Report, error) {
	cfg := Config{Rows: 200_000, PageSize: 1000, Pagination: PagePage}
	if opts.Quick {
		cfg.Rows = 20_000
	}
	const mc = 4 // the driver's default
	e, err := newEnv(cfg, mc)
	if err != nil {
		return Report{}, err
	}
	defer e.close()
	readers := e.readers(NameRestSQL, NameRestSQLSelective, NameGJSON, NameGJSONSelective, NameNaive, NameFloor)
	res, err := measureAll(ctx, opts, ScenarioScan, e, readers, opts.runs(9))
	if err != nil {
		return Report{}, err
	}
	rs, gj, nv, fl := find(res, NameRestSQL), find(res, NameGJSON), find(res, NameNaive), find(res, NameFloor)
	r := Report{Name: ScenarioScan, Setup: setup(e.s.cfg, mc, e.s.DataBytes()), Results: res}
	// Each target is on the medians; the ratio of the fastest runs, less
	// disturbed by other processes, follows.
	best := func(name string) time.Duration {
		for _, x := range res {
			if x.Reader == name {
				return x.Best.Elapsed
			}
		}
		return 0
	}
	target := func(what, goal string, a, b *Measurement, x float64, pass bool) Target {
		return Target{ScenarioScan, what, goal, fmt.Sprintf("%.2f (%v / %v; fastest runs %.2f)", x, ms(a.Elapsed), ms(b.Elapsed),
			ratio(best(a.Reader), best(b.Reader))), pass}
	}
	rg, nr, rf := ratio(rs.Elapsed, gj.Elapsed), ratio(nv.Elapsed, rs.Elapsed), ratio(rs.Elapsed, fl.Elapsed)
	r.Targets = []Target{
		target("restsql SELECT * time / gjson loop time", "≤ 0.80", rs, gj, rg, rg <= 0.8),
		target("naive loop time / restsql SELECT * time", "≥ 2.00", nv, rs, nr, nr >= 2),
		target("restsql SELECT * time / transfer floor time", "≤ 4.00", rs, fl, rf, rf <= 4),
	}
	sel, gsel := find(res, NameRestSQLSelective), find(res, NameGJSONSelective)
	r.Notes = append(r.Notes,
		fmt.Sprintf("selective query (%s): restsql / gjson loop = %.2f", Selective().SQL(e.s), ratio(sel.Elapsed, gsel.Elapsed)),
		fmt.Sprintf("allocations include the server's: the transfer floor's %.3f allocs/row is that share", fl.AllocsPerRow()))
	return r, nil
}

// runLatency measures a scan of pages that each take 5 ms: in parallel
// (page) against pages / MaxConcurrency × latency, or prefetched (cursor,
// nextURL) against pages × latency. With noTotal the API reports no total,
// so restsql's parallel pages are speculative.
func runLatency(ctx context.Context, opts Options, name, pagination string, mc int, noTotal bool) (Report, error) {
	cfg := Config{Rows: 20_000, PageSize: 100, Pagination: pagination, Latency: 5 * time.Millisecond, NoTotal: noTotal}
	if opts.Quick {
		cfg.Rows = 4_000
	}
	e, err := newEnv(cfg, mc)
	if err != nil {
		return Report{}, err
	}
	defer e.close()
	names := []string{NameRestSQL, NameGJSON, NameFloor}
	if pagination == PagePage || pagination == PageOffset {
		names = append(names, NameParallelFloor)
	}
	readers := e.readers(names...)
	res, err := measureAll(ctx, opts, name, e, readers, opts.runs(3))
	if err != nil {
		return Report{}, err
	}
	pages := (cfg.Rows + cfg.PageSize - 1) / cfg.PageSize
	rs := find(res, NameRestSQL)
	r := Report{Name: name, Setup: setup(e.s.cfg, mc, e.s.DataBytes()), Results: res}
	// The bound is per page what the transfer floor took: the latency the
	// server actually adds (a Go timer overshoots by up to a millisecond,
	// more on a loaded machine) and the transfer, which no client hides.
	fl := find(res, NameFloor)
	perPage := fl.Elapsed / time.Duration(max(fl.Server.Requests, 1)) // without a total, one more: the empty page
	rounds, what, goal, limit := pages, fmt.Sprintf("restsql time / sequential bound (%d pages × latency)", pages), "≤ 1.10", 1.1
	if pagination == PagePage {
		rounds = (pages + mc - 1) / mc
		what, goal, limit = fmt.Sprintf("restsql time / parallel bound (%d pages / %d × latency)", pages, mc), "≤ 1.30", 1.3
	}
	bound, nominal := time.Duration(rounds)*perPage, time.Duration(rounds)*cfg.Latency
	x := ratio(rs.Elapsed, bound)
	r.Targets = []Target{{name, what, goal,
		fmt.Sprintf("%.2f (%v / %v; %.2f against %v with the nominal %v)", x, ms(rs.Elapsed), ms(bound), ratio(rs.Elapsed, nominal), nominal, cfg.Latency), x <= limit}}
	r.Notes = append(r.Notes, fmt.Sprintf("latency per page is the transfer floor's time per page, %v (the server's timer added %v per request on average; nominal %v): the bound is %d × %v = %v",
		perPage.Round(time.Microsecond), fl.Server.Delay.Round(time.Microsecond), cfg.Latency, rounds, perPage.Round(time.Microsecond), ms(bound)))
	if pf := find(res, NameParallelFloor); pf != nil && pagination == PagePage {
		r.Notes = append(r.Notes, fmt.Sprintf("the parallel floor (%d workers fetching the %d pages, known in advance, and discarding them) took %v, %.2f × the nominal %v: restsql took %.2f × the parallel floor",
			mc, pages, ms(pf.Elapsed), ratio(pf.Elapsed, nominal), nominal, ratio(rs.Elapsed, pf.Elapsed)))
	}
	return r, nil
}

// runMemory reads 200,000 and 1,000,000 rows through restsql and compares
// their peak heaps.
func runMemory(ctx context.Context, opts Options) (Report, error) {
	small, large := 200_000, 1_000_000
	if opts.Quick {
		small, large = 20_000, 100_000
	}
	var res []Result
	var setups []string
	for _, n := range []int{small, large} {
		cfg := Config{Rows: n, PageSize: 1000, Pagination: PagePage}
		e, err := newEnv(cfg, 4)
		if err != nil {
			return Report{}, err
		}
		rr, err := measureAll(ctx, opts, ScenarioMemory, e, e.readers(NameRestSQL), opts.runs(3))
		setups = append(setups, setup(e.s.cfg, 4, e.s.DataBytes()))
		e.close()
		if err != nil {
			return Report{}, err
		}
		rr[0].Reader = fmt.Sprintf("%s (%s rows)", NameRestSQL, thousands(int64(n)))
		res = append(res, rr[0])
	}
	r := Report{Name: ScenarioMemory, Setup: strings.Join(setups, "; "), Results: res}
	ps, pl := res[0].PeakHeap, res[1].PeakHeap
	// Flat: the peak may move by the garbage collector's timing, not by
	// the rows. 8 MiB over 800,000 more rows is 10 bytes a row: anything
	// that keeps per-row state shows.
	const slack = 8 << 20
	grow := int64(pl) - int64(ps)
	r.Targets = []Target{
		{ScenarioMemory, fmt.Sprintf("restsql peak heap, %s rows", thousands(int64(large))), "≤ 64 MiB", mib(pl), pl <= 64<<20},
		{ScenarioMemory, fmt.Sprintf("peak heap growth from %s to %s rows", thousands(int64(small)), thousands(int64(large))), "≤ 8 MiB (flat)",
			fmt.Sprintf("%+.1f MiB (%s − %s)", float64(grow)/(1<<20), mib(pl), mib(ps)), grow <= slack},
	}
	return r, nil
}

// runCustom runs every reader on Options.Custom.
func runCustom(ctx context.Context, opts Options) (Report, error) {
	mc := opts.CustomMaxConcurrency
	if mc <= 0 {
		mc = 4
	}
	e, err := newEnv(opts.Custom, mc)
	if err != nil {
		return Report{}, err
	}
	defer e.close()
	names := []string{NameRestSQL, NameGJSON, NameNaive, NameFloor}
	if len(e.s.cols) > qtyColumn {
		names = []string{NameRestSQL, NameRestSQLSelective, NameGJSON, NameGJSONSelective, NameNaive, NameFloor}
	}
	res, err := measureAll(ctx, opts, ScenarioCustom, e, e.readers(names...), opts.runs(3))
	if err != nil {
		return Report{}, err
	}
	r := Report{Name: ScenarioCustom, Setup: setup(e.s.cfg, mc, e.s.DataBytes()), Results: res}
	rs, gj, nv, fl := find(res, NameRestSQL), find(res, NameGJSON), find(res, NameNaive), find(res, NameFloor)
	r.Notes = append(r.Notes, fmt.Sprintf("restsql / gjson loop = %.2f; naive loop / restsql = %.2f; restsql / transfer floor = %.2f",
		ratio(rs.Elapsed, gj.Elapsed), ratio(nv.Elapsed, rs.Elapsed), ratio(rs.Elapsed, fl.Elapsed)))
	return r, nil
}

// LookupResult is one query of the lookups scenario.
type LookupResult struct {
	Name, SQL string
	// Rows is the number of rows returned (WantRows expected).
	Rows, WantRows int64
	// Requests is the number of requests (WantRequests expected).
	Requests, WantRequests int64
	// PeakInFlight is the largest number of requests at once
	// (WantInFlight expected).
	PeakInFlight, WantInFlight int64
	// Conns is the number of connections the last run opened.
	Conns int64
	// Elapsed is the median time; Bound the time if every round of
	// MaxConcurrency requests took exactly the latency.
	Elapsed, Bound time.Duration
}

// runLookups counts the requests of IN lists over key columns and of
// lookup joins (on /groups of 256 rows), and times a lookup join of 11 IN
// batches and a join the planner scans (on /groups of 2,200 rows).
func runLookups(ctx context.Context, opts Options) (Report, error) {
	const mc = 8
	cfg := Config{Rows: 10_000, Latency: 5 * time.Millisecond}
	e, err := newEnv(cfg, mc)
	if err != nil {
		return Report{}, err
	}
	defer e.close()
	// 2,200 groups: 550 in region eu, 11 IN batches of 50.
	big := cfg
	big.Groups = 2200
	e2, err := newEnv(big, mc)
	if err != nil {
		return Report{}, err
	}
	defer e2.close()
	cases, eu, tops := lookupCases(e.s, mc)
	batchCases := lookupBatchCases(e2.s, mc)
	runs := opts.runs(3)
	r := Report{Name: ScenarioLookups, Setup: fmt.Sprintf("%v per request, restsql MaxConcurrency %d; /groups has %d rows (%d in region eu, %d distinct tops), %d in the last two queries",
		cfg.Latency, mc, e.s.cfg.Groups, eu, tops, e2.s.cfg.Groups)}
	for i, c := range append(cases, batchCases...) {
		env := e
		if i >= len(cases) {
			env = e2
		}
		s := env.s
		var times []time.Duration
		var delay time.Duration
		for run := 0; run <= runs; run++ { // run 0 warms up
			s.ResetStats()
			start := time.Now()
			n, err := countRows(ctx, env.db, c.SQL)
			if err != nil {
				return r, fmt.Errorf("%s: %w", c.SQL, err)
			}
			el := time.Since(start)
			st := s.Stats()
			c.Rows, c.Requests, c.PeakInFlight, c.Conns = n, st.Requests, st.PeakInFlight, st.Conns
			if run > 0 {
				times = append(times, el)
				delay += st.Delay
			}
		}
		slices.Sort(times)
		c.Elapsed = times[len(times)/2]
		keys := c.WantRequests
		outer := int64(0)
		if strings.Contains(c.Name, "join") {
			keys--
			outer = 1
		}
		rounds := outer + (keys+int64(c.WantInFlight)-1)/int64(c.WantInFlight)
		c.Bound = time.Duration(rounds) * cfg.Latency
		r.Lookups = append(r.Lookups, c)
		ok := c.Rows == c.WantRows && c.Requests == c.WantRequests && c.PeakInFlight == c.WantInFlight
		r.Targets = append(r.Targets, Target{ScenarioLookups, c.Name + ": requests, at most at once",
			fmt.Sprintf("%d, %d", c.WantRequests, c.WantInFlight), fmt.Sprintf("%d, %d", c.Requests, c.PeakInFlight), ok})
		if strings.Contains(c.Name, "IN batches") {
			// The bound: the outer request, then ⌈batches / MaxConcurrency⌉
			// rounds, each the latency the server actually added.
			lat := delay / time.Duration(runs)
			bound := time.Duration(rounds) * lat
			x := ratio(c.Elapsed, bound)
			r.Targets = append(r.Targets, Target{ScenarioLookups, c.Name + ": time / bound ((1 + ⌈batches / MaxConcurrency⌉) × latency)",
				"≤ 1.30", fmt.Sprintf("%.2f (%v / %d × %v; %.2f against the nominal %v)", x, ms(c.Elapsed), rounds, ms(lat), ratio(c.Elapsed, c.Bound), cfg.Latency), x <= 1.30})
		}
	}
	return r, nil
}

// lookupBatchCases are the queries of the lookups scenario that need
// many groups: a lookup join of several IN batches, and a join whose
// estimate says scan.
func lookupBatchCases(s *Server, mc int64) []LookupResult {
	var eu, existing, all int64
	for gid := 0; gid < s.cfg.Groups; gid++ {
		exists := s.GroupTop(gid) <= s.cfg.Rows
		if exists {
			all++
		}
		if Regions[gid%len(Regions)] == "eu" {
			eu++
			if exists {
				existing++
			}
		}
	}
	batches := (eu + 49) / 50 // items_in: 50 outer rows per IN request
	return []LookupResult{
		{Name: fmt.Sprintf("lookup join by %d IN batches", batches), SQL: "SELECT g.gid, i.name FROM groups g JOIN items_in i ON i.id = g.top WHERE g.region = 'eu'",
			WantRows: existing, WantRequests: 1 + batches, WantInFlight: min(mc, batches)},
		// No filter on groups: once the warm-up run has shown both sizes,
		// the planner compares the IN batches with one response of the
		// whole items_in (counted as one request per 1,000 rows) and scans.
		{Name: "join by estimate, outer side not filtered (a scan is cheaper)", SQL: "SELECT g.gid, i.name FROM groups g JOIN items_in i ON i.id = g.top",
			WantRows: all, WantRequests: 2, WantInFlight: 1},
	}
}

// lookupCases are the queries of the lookups scenario with the rows,
// requests and concurrency they must show; eu and tops are the number of
// eu groups and of their distinct tops.
func lookupCases(s *Server, mc int64) (cases []LookupResult, eu, tops int) {
	var euGroups, topIDs []int
	for gid := 0; gid < s.cfg.Groups; gid++ {
		if Regions[gid%len(Regions)] == "eu" {
			euGroups = append(euGroups, gid)
			if !slices.Contains(topIDs, s.GroupTop(gid)) {
				topIDs = append(topIDs, s.GroupTop(gid))
			}
		}
	}
	// 32 distinct group keys (listed with repeats) and 40 distinct item ids.
	var gids, ids []string
	for i := 0; i < 32; i++ {
		gids = append(gids, strconv.Itoa(i))
	}
	gids = append(gids, "0", "1", "2")
	for i := 1; i <= 40; i++ {
		ids = append(ids, strconv.Itoa(i*7))
	}
	ids = append(ids, "7", "14")
	// groupRows is the number of rows of /groups/{gid}/items.
	groupRows := func(gids ...int) int64 {
		var n int64
		for _, g := range gids {
			n += int64(max(0, min(s.cfg.GroupSize, s.cfg.Rows-g*s.cfg.GroupSize)))
		}
		return n
	}
	first32 := make([]int, 32)
	for i := range first32 {
		first32[i] = i
	}
	// existing counts the outer rows whose top is an existing item.
	var existing, itemRows int64
	for _, g := range euGroups {
		if s.GroupTop(g) <= s.cfg.Rows {
			existing++
		}
	}
	for i := 1; i <= 40; i++ {
		if i*7 <= s.cfg.Rows {
			itemRows++
		}
	}
	batches := int64((len(euGroups) + 49) / 50) // items_in: 50 outer rows per IN request
	cases = []LookupResult{
		{Name: "IN on a URL key (/groups/{gid}/items)", SQL: "SELECT id, name FROM group_items WHERE gid IN (" + strings.Join(gids, ", ") + ")",
			WantRows: groupRows(first32...), WantRequests: 32, WantInFlight: mc},
		{Name: "IN on a get: key (/items/{id})", SQL: "SELECT id, name FROM item_lookup WHERE id IN (" + strings.Join(ids, ", ") + ")",
			WantRows: itemRows, WantRequests: 40, WantInFlight: mc},
		{Name: "lookup join on a URL key", SQL: "SELECT g.gid, i.id, i.name FROM groups g JOIN group_items i ON i.gid = g.gid WHERE g.region = 'eu'",
			WantRows: groupRows(euGroups...), WantRequests: 1 + int64(len(euGroups)), WantInFlight: mc},
		{Name: "lookup join on a get: key", SQL: "SELECT g.gid, i.name FROM groups g JOIN item_lookup i ON i.id = g.top WHERE g.region = 'eu'",
			WantRows: existing, WantRequests: 1 + int64(len(topIDs)), WantInFlight: mc},
		{Name: "lookup join by IN batches (id=1,2,…)", SQL: "SELECT g.gid, i.name FROM groups g JOIN items_in i ON i.id = g.top WHERE g.region = 'eu'",
			WantRows: existing, WantRequests: 1 + batches, WantInFlight: min(mc, batches)},
	}
	return cases, len(euGroups), len(topIDs)
}

func countRows(ctx context.Context, db *sql.DB, query string) (int64, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int64
	for rows.Next() {
		n++
	}
	if err := rows.Err(); err != nil {
		return n, err
	}
	return n, rows.Close()
}

// Failed returns the targets that failed.
func Failed(reports []Report) []Target {
	var out []Target
	for _, r := range reports {
		for _, t := range r.Targets {
			if !t.Pass {
				out = append(out, t)
			}
		}
	}
	return out
}

func ms(d time.Duration) time.Duration {
	switch {
	case d >= time.Second:
		return d.Round(time.Millisecond)
	case d >= 10*time.Millisecond:
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}

func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// thousands formats n with comma separators: 200,000.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// The readers of the cache scenario.
const (
	NameCacheTTL = "restsql, cached (CacheTTL)"
	NameCache304 = "restsql, cached, revalidated (304)"
)

// runCache reads the scan scenario's API (with an ETag on every page)
// three ways: without a cache, through Cache=memory with a CacheTTL of an
// hour (fresh entries: no request), and through Cache=memory with
// CacheTTL 0 (every entry revalidated: a 304 per page, no body).
func runCache(ctx context.Context, opts Options) (Report, error) {
	const mc = 4
	cfg := Config{Rows: 200_000, ETag: true}
	e, err := newEnv(cfg, mc)
	if err != nil {
		return Report{}, err
	}
	defer e.close()
	open := func(ttl time.Duration) (*sql.DB, error) {
		return e.s.OpenDBWith(mc, func(c *restsql.Config) {
			c.Cache, c.CacheTTL, c.CacheMaxBytes = "memory", ttl, 256<<20
		})
	}
	ttlDB, err := open(time.Hour)
	if err != nil {
		return Report{}, err
	}
	defer ttlDB.Close()
	revDB, err := open(0)
	if err != nil {
		return Report{}, err
	}
	defer revDB.Close()
	all := AllColumns(e.s)
	readers := []Reader{
		RestSQL(NameRestSQL, e.db, e.s, all),
		RestSQL(NameCacheTTL, ttlDB, e.s, all),
		RestSQL(NameCache304, revDB, e.s, all),
		TransferFloor(NameFloor, e.client, e.s),
	}
	res, err := measureAll(ctx, opts, ScenarioCache, e, readers, opts.runs(7))
	if err != nil {
		return Report{}, err
	}
	r := Report{Name: ScenarioCache, Setup: setup(e.s.cfg, mc, e.s.DataBytes()) + "; every page has an ETag, no Cache-Control; the cached readers run after a warm-up that fills their caches (256 MiB)",
		Results: res}
	scan, ttl, rev := find(res, NameRestSQL), find(res, NameCacheTTL), find(res, NameCache304)
	r.Targets = append(r.Targets,
		Target{ScenarioCache, "repeated query within CacheTTL: requests", "0",
			fmt.Sprint(ttl.Server.Requests), ttl.Server.Requests == 0},
		Target{ScenarioCache, "repeated query, every page revalidated: bytes sent by the API / the scan's", "≤ 0.20",
			fmt.Sprintf("%.3f (%d B / %d B; %d requests, %d answered 304)", ratio(time.Duration(rev.Server.Bytes), time.Duration(scan.Server.Bytes)),
				rev.Server.Bytes, scan.Server.Bytes, rev.Server.Requests, rev.Server.NotModified),
			float64(rev.Server.Bytes) <= 0.2*float64(scan.Server.Bytes)},
	)
	revT, revC := ratio(rev.Elapsed, scan.Elapsed), ratio(rev.CPU, scan.CPU)
	r.Targets = append(r.Targets,
		Target{ScenarioCache, "repeated query, every page revalidated: time / the scan's", "≤ 0.20",
			fmt.Sprintf("%.2f (%v / %v; CPU %.2f)", revT, ms(rev.Elapsed), ms(scan.Elapsed), revC), revT <= 0.2})
	r.Notes = append(r.Notes,
		fmt.Sprintf("time / the scan's: within CacheTTL %.2f (%v / %v; CPU %.2f), revalidated with 304s %.2f (%v; CPU %.2f): the rows kept beside the cached bodies answer, the JSON is not read again",
			ratio(ttl.Elapsed, scan.Elapsed), ms(ttl.Elapsed), ms(scan.Elapsed), ratio(ttl.CPU, scan.CPU),
			revT, ms(rev.Elapsed), revC))
	return r, nil
}

// The readers of the export scenario.
const (
	NameExportCSV     = "restsql export csv"
	NameExportParquet = "restsql export parquet"
)

// runExport times the export package's CSV and Parquet encoders fed by
// restsql (as restsql export runs them, the file aside) against the plain
// scan of the same query.
func runExport(ctx context.Context, opts Options) (Report, error) {
	const mc = 4
	e, err := newEnv(Config{Rows: 200_000}, mc)
	if err != nil {
		return Report{}, err
	}
	defer e.close()
	all := AllColumns(e.s)
	readers := []Reader{
		RestSQL(NameRestSQL, e.db, e.s, all),
		Export(NameExportCSV, e.db, e.s, all, export.CSV),
		Export(NameExportParquet, e.db, e.s, all, export.Parquet),
	}
	res, err := measureAll(ctx, opts, ScenarioExport, e, readers, opts.runs(7))
	if err != nil {
		return Report{}, err
	}
	r := Report{Name: ScenarioExport, Setup: setup(e.s.cfg, mc, e.s.DataBytes()) + "; the encoders write to io.Discard", Results: res}
	scan := find(res, NameRestSQL)
	for _, n := range []string{NameExportCSV, NameExportParquet} {
		m := find(res, n)
		x := ratio(m.Elapsed, scan.Elapsed)
		r.Targets = append(r.Targets, Target{ScenarioExport, n + " time / restsql SELECT * time", "≤ 1.30",
			fmt.Sprintf("%.2f (%v / %v; CPU %.2f)", x, ms(m.Elapsed), ms(scan.Elapsed), ratio(m.CPU, scan.CPU)), x <= 1.30})
	}
	return r, nil
}
