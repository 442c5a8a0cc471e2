package difftest

import (
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/binary"
	"flag"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
)

// pendingClasses are the generated constructs whose known bug is not
// fixed on main yet (see difftest-findings.md in the helpers' notes). A
// mismatch of a query that holds one of them is counted and shown in the
// log, not failed; a pushdown class excuses only a difference between the
// pushdown and plain profiles. Remove a class from this list in the commit
// that merges its fix; the log names a pending class that showed no
// mismatch in a run.
//
// Emptied so far: multisort, unsortable, emptystr, separator, keytype,
// typeerr and emptykey (fixed on branch pushdown), using and substrexp
// (branch sqlfix). Add a class here, with the finding that names its bug,
// only while its fix is under way.
var pendingClasses = map[string]string{}

// Random suite settings: RESTSQL_DIFF_SEED (the first seed; "random" for a
// fresh one) and RESTSQL_DIFF_N (the number of queries), or the flags.
var (
	randSeed = flag.String("difftest.rseed", os.Getenv("RESTSQL_DIFF_SEED"), "first seed of TestRandomDifferential (\"random\" for a fresh one)")
	randN    = flag.Int("difftest.rn", envInt("RESTSQL_DIFF_N", 0), "number of TestRandomDifferential queries (0 = the CI default)")
)

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return n
	}
	return def
}

// ciSeed is the first seed of the CI run.
const ciSeed = 1

// defaultRandN is the CI run's size: 5,000 queries (fewer under -race,
// where each query costs several times more).
func defaultRandN() int {
	if raceDetector {
		return 600
	}
	return 5000
}

// renv is one worker's world: the fake API, restsql over it with each
// profile variant, and SQLite with the same data.
type renv struct {
	api   *fakeAPI
	dbs   map[string]*sql.DB // by variant
	lite  *sql.DB
	model *gmodel
}

func newREnv(tb testing.TB, data map[string]*apiTable) *renv {
	tb.Helper()
	e := &renv{api: newFakeAPI(data), dbs: map[string]*sql.DB{}}
	const base = "http://shop.test"
	for _, v := range []string{variantFull, variantLess, variantPlain} {
		cfg := restsql.NewConfig()
		cfg.Transport = e.api
		cfg.Catalogs = []*catalog.Catalog{shopCatalog(data, base, v)}
		cfg.MaxRetries = 0
		conn, err := restsql.NewConnector(cfg)
		require.NoError(tb, err, "profile %s", v)
		db := sql.OpenDB(conn)
		tb.Cleanup(func() { _ = db.Close() })
		e.dbs[v] = db
	}
	lite, err := openShopSQLite(data)
	require.NoError(tb, err)
	tb.Cleanup(func() { _ = lite.Close() })
	e.lite = lite
	e.model, err = loadGModel(context.Background(), lite, data)
	require.NoError(tb, err)
	return e
}

// openShopSQLite loads the API's rows into SQLite, one table per SQL
// table (customer_orders holds every order, product_stock every stock row).
func openShopSQLite(data map[string]*apiTable) (*sql.DB, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	ctx := context.Background()
	cat := shopCatalog(data, "http://x", variantPlain)
	for _, st := range shopTables {
		t := cat.Schemas["API"].Tables[st.name]
		t.Name = st.name
		var rows []map[string]any
		for _, r := range data[st.api].rows {
			flat := map[string]any{}
			for k, v := range r {
				f, _ := data[st.api].field(k)
				flat[k] = asTime(f.typ, v)
			}
			rows = append(rows, flat)
		}
		// Columns are read by name here (nested paths are the API's).
		cols := make([]*catalog.Column, len(t.Columns))
		for i, c := range t.Columns {
			cp := *c
			cp.Path = ""
			cols[i] = &cp
		}
		tt := *t
		tt.Columns = cols
		if err := createTable(ctx, db, &tt, rows, false); err != nil {
			_ = db.Close()
			return nil, fmt.Errorf("table %s: %w", st.name, err)
		}
	}
	return db, nil
}

// outcome is one engine's answer: rows or an error.
type outcome struct {
	res result
	err error
}

func (o outcome) String() string {
	if o.err != nil {
		return "error: " + o.err.Error() + "\n"
	}
	return fmt.Sprintf("%d rows:\n%s", len(o.res.rows), formatRows(o.res.rows))
}

// mismatch is how one query's answers differ.
type mismatch struct {
	kind string // "sqlite", "pushdown" or "error"
	// against names the compared engines ("less vs sqlite").
	against     string
	left, right outcome
}

// pushedVariant is the profile that runs a seed's query with pushdown:
// full for most, less for every third.
func pushedVariant(seed uint64) string {
	if seed%3 == 2 {
		return variantLess
	}
	return variantFull
}

func (e *renv) run(db *sql.DB, q string, args []any) outcome {
	res, err := runQuery(db, q, args...)
	return outcome{res: res, err: err}
}

// check runs q on SQLite, on restsql with pushdown and with the plain
// profile, and returns the first difference (nil when they agree).
// corpusErr reports a query that SQLite cannot run (a generator bug).
func (e *renv) check(q *rquery) (m *mismatch, corpusErr error) {
	if q.limit >= 0 && !q.total() && !q.wantErr {
		return nil, fmt.Errorf("LIMIT without an ORDER BY that ends in the unique keys %v", q.keys)
	}
	t, args := q.render()
	ord := q.total()
	pv := pushedVariant(q.seed)
	plain := e.run(e.dbs[variantPlain], t.rs, args)
	pushed := e.run(e.dbs[pv], t.rs, args)
	if q.wantErr {
		for _, o := range []struct {
			name string
			o    outcome
		}{{variantPlain, plain}, {pv, pushed}} {
			if o.o.err == nil {
				return &mismatch{kind: "error", against: o.name + " should fail", left: o.o}, nil
			}
			for _, w := range q.errWords {
				if !strings.Contains(o.o.err.Error(), w) {
					return &mismatch{kind: "error", against: fmt.Sprintf("%s's error should name %q", o.name, w), left: o.o}, nil
				}
			}
		}
		return nil, nil
	}
	lite := e.run(e.lite, t.lite, args)
	if lite.err != nil {
		return nil, fmt.Errorf("SQLite fails: %w", lite.err)
	}
	same := func(a, b outcome) bool {
		if a.err != nil || b.err != nil {
			return a.err != nil && b.err != nil
		}
		return len(a.res.cols) == len(b.res.cols) && sameRows(a.res.rows, b.res.rows, ord)
	}
	switch {
	case !same(plain, lite):
		return &mismatch{kind: "sqlite", against: "plain vs sqlite", left: plain, right: lite}, nil
	case !same(pushed, plain):
		return &mismatch{kind: "pushdown", against: pv + " vs plain", left: pushed, right: plain}, nil
	}
	return nil, nil
}

// excused reports whether a mismatch is one of a pending class the query
// holds, and which: a pushdown class excuses only a difference the plain
// profile does not show.
func excused(q *rquery, m *mismatch) string {
	pend := map[string]bool{}
	for c := range pendingClasses {
		pend[c] = true
	}
	if v, ok := os.LookupEnv("RESTSQL_DIFF_PENDING"); ok {
		pend = map[string]bool{}
		for _, c := range strings.Split(v, ",") {
			pend[strings.TrimSpace(c)] = true
		}
	}
	var names []string
	for c := range q.classes {
		if !pend[c] {
			continue
		}
		if pushdownClasses[c] && m.kind != "pushdown" {
			continue
		}
		names = append(names, c)
	}
	sort.Strings(names)
	return strings.Join(names, ",")
}

// shrink drops parts of q while the same kind of mismatch persists, and
// returns the smallest query found.
func (e *renv) shrink(q *rquery, m *mismatch) (*rquery, *mismatch) {
	still := func(c *rquery) *mismatch {
		if c.limit >= 0 && !c.total() {
			return nil // an answer that depends on an order SQL does not fix
		}
		cm, err := e.check(c)
		if err != nil || cm == nil || cm.kind != m.kind {
			return nil
		}
		return cm
	}
	for changed := true; changed; {
		changed = false
		for _, c := range candidates(q) {
			if cm := still(c); cm != nil {
				q, m, changed = c, cm, true
				break
			}
		}
	}
	return q, m
}

// candidates are the one-step reductions of q.
func candidates(q *rquery) []*rquery {
	var out []*rquery
	clone := func() *rquery {
		c := *q
		c.items = append([]text(nil), q.items...)
		c.from = append([]fitem(nil), q.from...)
		c.where = append([]*pnode(nil), q.where...)
		c.having = append([]*pnode(nil), q.having...)
		c.order = append([]okey(nil), q.order...)
		return &c
	}
	if q.union != nil {
		c := clone()
		c.union = nil
		out = append(out, c)
	}
	if q.offset > 0 {
		c := clone()
		c.offset = 0
		out = append(out, c)
	}
	if q.limit >= 0 {
		c := clone()
		c.limit, c.offset = -1, 0
		out = append(out, c)
	}
	for i := q.keepWhere; i < len(q.where); i++ {
		c := clone()
		c.where = append(c.where[:i:i], q.where[i+1:]...)
		out = append(out, c)
		// A compound conjunct: try each of its parts in its place.
		for _, k := range q.where[i].kids {
			c := clone()
			c.where[i] = k
			out = append(out, c)
		}
	}
	for i := range q.having {
		c := clone()
		c.having = append(c.having[:i:i], q.having[i+1:]...)
		out = append(out, c)
	}
	for i := range q.order {
		c := clone()
		c.order = append(c.order[:i:i], q.order[i+1:]...)
		out = append(out, c)
	}
	if len(q.items) > 1 && len(q.group) == 0 {
		for i := len(q.items) - 1; i >= 0; i-- { // the last first: the first items are often keys
			c := clone()
			c.items = append(c.items[:i:i], q.items[i+1:]...)
			out = append(out, c)
		}
	}
	for i, f := range q.from {
		if i == 0 {
			continue
		}
		if len(f.on) > 1 {
			c := clone()
			c.from[i].on = f.on[:1]
			out = append(out, c)
		}
		if f.keep || q.mentions(f.alias, i) {
			continue
		}
		c := clone()
		c.from = append(c.from[:i:i], q.from[i+1:]...)
		var keys []string
		for _, k := range q.keys {
			if !strings.HasPrefix(k, f.alias+".") {
				keys = append(keys, k)
			}
		}
		c.keys = keys
		out = append(out, c)
	}
	if q.named {
		c := clone()
		c.named = false
		out = append(out, c)
	}
	return out
}

// mentions reports whether any part of q other than from item skip names
// alias.
func (q *rquery) mentions(alias string, skip int) bool {
	var args []any
	var parts []string
	for _, t := range q.items {
		parts = append(parts, t.rs)
	}
	for _, n := range q.where {
		parts = append(parts, n.render(&args).rs)
	}
	for _, n := range q.having {
		parts = append(parts, n.render(&args).rs)
	}
	for _, t := range q.group {
		parts = append(parts, t.rs)
	}
	for _, k := range q.order {
		parts = append(parts, k.t.rs)
	}
	for i, f := range q.from {
		if i != skip {
			for _, n := range f.on {
				parts = append(parts, n.render(&args).rs)
			}
		}
	}
	for _, p := range parts {
		if strings.Contains(p, alias+".") || p == "*" {
			return true
		}
	}
	return false
}

// report describes a mismatch: the minimised query, its seed, both
// answers and the requests the fake API saw for it.
func (e *renv) report(orig, q *rquery, m *mismatch) string {
	var b strings.Builder
	t, args := q.render()
	ot, _ := orig.render()
	fmt.Fprintf(&b, "\nseed %d (rerun: RESTSQL_DIFF_SEED=%d RESTSQL_DIFF_N=1 go test -run Random ./internal/difftest)\n", q.seed, q.seed)
	fmt.Fprintf(&b, "query:     %s\n", ot.rs)
	fmt.Fprintf(&b, "minimised: %s\n", t.rs)
	if t.lite != t.rs {
		fmt.Fprintf(&b, "sqlite:    %s\n", t.lite)
	}
	if len(args) > 0 {
		fmt.Fprintf(&b, "args:      %v\n", args)
	}
	how := "as multisets"
	if q.total() {
		how = "in order"
	}
	fmt.Fprintf(&b, "classes:   %v\n", sortedKeys(q.classes))
	names := strings.SplitN(m.against, " ", 3) // "full vs plain", "plain should fail"
	fmt.Fprintf(&b, "%s differ (compared %s)\n%s: %s", m.against, how, names[0], indent(m.left.String()))
	if m.kind != "error" {
		fmt.Fprintf(&b, "%s: %s", names[len(names)-1], indent(m.right.String()))
	}
	e.api.reset()
	for _, v := range []string{pushedVariant(q.seed), variantPlain} {
		_, _ = runQuery(e.dbs[v], t.rs, args...)
	}
	reqs := e.api.requests()
	fmt.Fprintf(&b, "\nrequests (%d):\n", len(reqs))
	for i, r := range reqs {
		if i == 20 {
			fmt.Fprintf(&b, "  … %d more\n", len(reqs)-20)
			break
		}
		fmt.Fprintf(&b, "  %s\n", r)
	}
	return b.String()
}

// indent indents the lines after the first of an answer.
func indent(s string) string {
	return strings.TrimRight(strings.ReplaceAll(s, "\n", "\n  "), " ")
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// randomSeeds returns the first seed and the count of this run: the CI
// range by default, RESTSQL_DIFF_SEED/N when set, and fresh seeds under
// -count > 1 (or RESTSQL_DIFF_SEED=random).
func randomSeeds(t *testing.T) (uint64, int) {
	n := *randN
	if n <= 0 {
		n = defaultRandN()
	}
	fresh := *randSeed == "random"
	if f := flag.Lookup("test.count"); f != nil && f.Value.String() != "1" && *randSeed == "" {
		fresh = true
	}
	switch {
	case fresh:
		var b [8]byte
		_, _ = crand.Read(b[:])
		return binary.LittleEndian.Uint64(b[:]) >> 16, n
	case *randSeed != "":
		s, err := strconv.ParseUint(*randSeed, 10, 64)
		require.NoError(t, err, "RESTSQL_DIFF_SEED")
		return s, n
	}
	return ciSeed, n
}

// TestRandomDifferential runs generated queries over the fake shop API
// through restsql (with a pushdown profile and with the plain one) and
// through SQLite, and fails on the first differences, each shrunk.
func TestRandomDifferential(t *testing.T) {
	// The suite allocates much and keeps little: fewer collections save
	// a fifth of its time.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	first, n := randomSeeds(t)
	t.Logf("seeds %d to %d (%d queries)", first, first+uint64(n)-1, n)
	data := shopData()
	workers := min(runtime.GOMAXPROCS(0), 4)
	envs := make([]*renv, workers)
	for i := range envs {
		envs[i] = newREnv(t, data)
	}
	disabled := map[string]bool{}
	for _, c := range strings.Split(os.Getenv("RESTSQL_DIFF_SKIP"), ",") {
		disabled[strings.TrimSpace(c)] = true
	}

	var (
		mu       sync.Mutex
		failures []string
		pending  = map[string]int{}
		seen     = map[string]int{}
		next     uint64
		done     int
	)
	maxFailures := envInt("RESTSQL_DIFF_MAXFAIL", 5)
	start := time.Now()
	var wg sync.WaitGroup
	for _, e := range envs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				if int(next) >= n || len(failures) >= maxFailures {
					mu.Unlock()
					return
				}
				seed := first + next
				next++
				mu.Unlock()

				q := newRGen(e.model, seed, disabled).query(seed)
				m, cerr := e.check(q)
				mu.Lock()
				done++
				for c := range q.classes {
					seen[c]++
				}
				if n > 10000 && done%10000 == 0 {
					t.Logf("%d queries in %v, %d failures", done, time.Since(start).Round(time.Second), len(failures))
				}
				mu.Unlock()
				var msg string
				switch {
				case cerr != nil:
					tq, _ := q.render()
					msg = fmt.Sprintf("\nseed %d: the suite's own error (fix the generator): %v\nsqlite: %s", seed, cerr, tq.lite)
				case m == nil:
					continue
				default:
					if ex := excused(q, m); ex != "" {
						mu.Lock()
						pending[ex]++
						mu.Unlock()
						continue
					}
					sq, sm := e.shrink(q, m)
					msg = e.report(q, sq, sm)
				}
				mu.Lock()
				failures = append(failures, msg)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	t.Logf("%d queries in %v (%.0f queries/s, %d workers)", done, el.Round(time.Millisecond), float64(done)/el.Seconds(), workers)
	for _, c := range sortedKeys(boolKeys(seen)) {
		t.Logf("class %-10s in %5d queries", c, seen[c])
	}
	for _, ex := range sortedKeys(boolKeys(pending)) {
		t.Logf("pending (known bug, not failed): %d mismatches of class %s", pending[ex], ex)
	}
	for c, why := range pendingClasses {
		shown := false
		for ex := range pending {
			shown = shown || has(strings.Split(ex, ","), c)
		}
		if !shown && seen[c] > 0 {
			t.Logf("pending class %s (%s) showed no mismatch in %d queries: fixed? remove it from pendingClasses", c, why, seen[c])
		}
	}
	for _, f := range failures {
		t.Error(f)
	}
	if len(failures) >= maxFailures {
		t.Errorf("stopped after %d failures", maxFailures)
	}
}

func boolKeys(m map[string]int) map[string]bool {
	out := map[string]bool{}
	for k := range m {
		out[k] = true
	}
	return out
}
