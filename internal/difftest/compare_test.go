package difftest

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/planner"
)

// diffCase is one query of the corpus. When the dialects differ by design
// (restsql's / is float division and || is OR; SQLite has no CONCAT, IF or
// <=>), lite holds SQLite's spelling of the same question.
type diffCase struct {
	rs   string // restsql's text
	lite string // SQLite's text; "" = the same as rs
	args []any  // placeholder arguments, passed to both
	// bug, when set, names a known restsql bug this query shows: the case
	// is expected to differ from SQLite (see check).
	bug string
	// seed is the generator seed of a generated query (0 for hand-written).
	seed int64
}

func (c diffCase) liteSQL() string {
	if c.lite == "" {
		return c.rs
	}
	return c.lite
}

// result is a query's answer with canonical values.
type result struct {
	cols []string
	rows [][]any
}

// queryTimeout bounds one query, so a hang fails the test instead of the run.
const queryTimeout = 30 * time.Second

// runQuery runs q and returns its rows with canonical values.
func runQuery(db *sql.DB, q string, args ...any) (result, error) {
	ctx, cancel := context.WithTimeout(context.Background(), queryTimeout)
	defer cancel()
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return result{}, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return result{}, err
	}
	res := result{cols: cols}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return result{}, err
		}
		for i, v := range vals {
			vals[i] = canon(v)
		}
		res.rows = append(res.rows, vals)
	}
	return res, rows.Err()
}

// canon maps both engines' values onto one set: nil, int64, float64 and
// string. Booleans become 0 and 1 (SQLite has no boolean type), datetimes
// RFC 3339 text in UTC (how the SQLite tables store them), and JSON text is
// compacted (restsql returns the API's indented JSON).
func canon(v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case bool:
		if x {
			return int64(1)
		}
		return int64(0)
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case int64, float64:
		return x
	case float32:
		return float64(x)
	case []byte:
		return canon(string(x))
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case string:
		if strings.HasPrefix(x, "{") || strings.HasPrefix(x, "[") {
			var b bytes.Buffer
			if json.Compact(&b, []byte(x)) == nil {
				return b.String()
			}
		}
		return x
	}
	return fmt.Sprintf("%T(%v)", v, v)
}

// floatTolerance is the relative difference two floats may have and still
// be equal (sums and averages are computed in different orders).
const floatTolerance = 1e-9

func equalValues(a, b any) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	ai, aInt := a.(int64)
	bi, bInt := b.(int64)
	if aInt && bInt {
		return ai == bi
	}
	af, aNum := number(a)
	bf, bNum := number(b)
	if aNum && bNum {
		if af == bf {
			return true
		}
		scale := math.Max(1, math.Max(math.Abs(af), math.Abs(bf)))
		return math.Abs(af-bf) <= floatTolerance*scale
	}
	if aNum != bNum {
		return false
	}
	return a == b
}

func number(v any) (float64, bool) {
	switch x := v.(type) {
	case int64:
		return float64(x), true
	case float64:
		return x, true
	}
	return 0, false
}

func equalRows(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equalValues(a[i], b[i]) {
			return false
		}
	}
	return true
}

// rowKey orders rows for a multiset comparison: numbers by their value to
// ten digits, so that an int and a float that are equal sort together.
func rowKey(r []any) string {
	var b strings.Builder
	for _, v := range r {
		switch x := v.(type) {
		case nil:
			b.WriteString("\x00")
		case string:
			b.WriteString("s")
			b.WriteString(x)
		default:
			f, _ := number(x)
			b.WriteString("n")
			b.WriteString(strconv.FormatFloat(f, 'g', 10, 64))
		}
		b.WriteString("\x1f")
	}
	return b.String()
}

func sortedRows(rows [][]any) [][]any {
	out := append([][]any(nil), rows...)
	sort.SliceStable(out, func(i, j int) bool { return rowKey(out[i]) < rowKey(out[j]) })
	return out
}

// sameRows compares two answers, in order or as multisets.
func sameRows(a, b [][]any, ordered bool) bool {
	if len(a) != len(b) {
		return false
	}
	if !ordered {
		a, b = sortedRows(a), sortedRows(b)
	}
	for i := range a {
		if !equalRows(a[i], b[i]) {
			return false
		}
	}
	return true
}

// onlyIn returns the rows of a that b lacks (as multisets).
func onlyIn(a, b [][]any) [][]any {
	used := make([]bool, len(b))
	var out [][]any
next:
	for _, r := range a {
		for j, s := range b {
			if !used[j] && equalRows(r, s) {
				used[j] = true
				continue next
			}
		}
		out = append(out, r)
	}
	return out
}

// ordered reports whether the outermost statement of q has an ORDER BY, in
// which case the corpus guarantees it is a total order.
func ordered(q string) (bool, error) {
	p, err := planner.Parse(q)
	if err != nil {
		return false, err
	}
	stmt := p.Stmt
	for {
		switch x := stmt.(type) {
		case *sqlparser.Select:
			return len(x.OrderBy) > 0, nil
		case *sqlparser.Union:
			return len(x.OrderBy) > 0, nil
		case *sqlparser.ParenSelect:
			stmt = x.Select
		default:
			return false, fmt.Errorf("not a query: %T", stmt)
		}
	}
}

const shownRows = 10

func formatRows(rows [][]any) string {
	var b strings.Builder
	for i, r := range rows {
		if i == shownRows {
			fmt.Fprintf(&b, "    … %d more\n", len(rows)-shownRows)
			break
		}
		parts := make([]string, len(r))
		for j, v := range r {
			switch x := v.(type) {
			case nil:
				parts[j] = "NULL"
			case string:
				parts[j] = strconv.Quote(x)
			default:
				parts[j] = fmt.Sprint(x)
			}
		}
		fmt.Fprintf(&b, "    %s\n", strings.Join(parts, " | "))
	}
	if len(rows) == 0 {
		b.WriteString("    (no rows)\n")
	}
	return b.String()
}

// describe is the header of every failure message: the query on both
// sides and, for a generated query, how to reproduce it.
func (c diffCase) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\nrestsql: %s\n", c.rs)
	if c.lite != "" {
		fmt.Fprintf(&b, "sqlite:  %s\n", c.lite)
	}
	if len(c.args) > 0 {
		fmt.Fprintf(&b, "args:    %v\n", c.args)
	}
	if c.seed != 0 {
		fmt.Fprintf(&b, "generated from seed %d (rerun: go test ./internal/difftest -run TestDifferentialGenerated -difftest.seed=%d -difftest.n=1)\n", c.seed, c.seed)
	}
	return b.String()
}

// check runs one corpus query on both engines and fails t on any
// difference. A case with a bug mark is expected to differ: it is skipped
// while it does, and fails once it no longer does, so that the mark goes.
func (e *env) check(t *testing.T, c diffCase) {
	t.Helper()
	msg, corpusErr := e.diff(c)
	switch {
	case corpusErr:
		t.Error(msg)
	case c.bug == "":
		if msg != "" {
			t.Error(msg)
		}
	case msg == "":
		t.Errorf("%sthe known bug %q no longer shows: remove the case's bug mark", c.describe(), c.bug)
	default:
		t.Skipf("known bug: %s%s", c.bug, msg)
	}
}

// diff runs one query on both engines and describes how the answers
// differ ("" when they agree). corpusErr is set when the fault is the
// query's: SQLite cannot run it, or its answer depends on an order the
// query does not fix.
func (e *env) diff(c diffCase) (msg string, corpusErr bool) {
	ord, err := ordered(c.rs)
	if err != nil {
		return fmt.Sprintf("%scorpus error: restsql cannot parse the query: %v", c.describe(), err), true
	}
	want, err := runQuery(e.lite, c.liteSQL(), c.args...)
	if err != nil {
		return fmt.Sprintf("%scorpus error: SQLite fails: %v", c.describe(), err), true
	}
	// Only an ORDER BY or a LIMIT can make an answer depend on the order
	// of the rows.
	if ord || strings.Contains(strings.ToUpper(c.liteSQL()), "LIMIT") {
		rev, err := runQuery(e.liteRev, c.liteSQL(), c.args...)
		if err != nil {
			return fmt.Sprintf("%scorpus error: SQLite, rows reversed, fails: %v", c.describe(), err), true
		}
		if !sameRows(want.rows, rev.rows, ord) {
			return fmt.Sprintf("%scorpus error: the answer depends on a row order the query does not fix (add a tie-breaker to ORDER BY)\nsqlite:\n%ssqlite, rows stored in reverse:\n%s",
				c.describe(), formatRows(want.rows), formatRows(rev.rows)), true
		}
	}
	got, err := runQuery(e.rs, c.rs, c.args...)
	if err != nil {
		return fmt.Sprintf("%srestsql fails: %v\nsqlite (%d rows):\n%s", c.describe(), err, len(want.rows), formatRows(want.rows)), false
	}
	if len(got.cols) != len(want.cols) {
		return fmt.Sprintf("%scolumns differ: restsql %q, sqlite %q", c.describe(), got.cols, want.cols), false
	}
	if sameRows(got.rows, want.rows, ord) {
		return "", false
	}
	how := "as multisets"
	if ord {
		how = "in order"
	}
	msg = fmt.Sprintf("%sresults differ (compared %s): restsql %d rows, sqlite %d rows\nrestsql:\n%ssqlite:\n%s",
		c.describe(), how, len(got.rows), len(want.rows), formatRows(got.rows), formatRows(want.rows))
	if ord {
		for i := range min(len(got.rows), len(want.rows)) {
			if !equalRows(got.rows[i], want.rows[i]) {
				msg += fmt.Sprintf("first difference at row %d\n", i+1)
				break
			}
		}
	} else {
		msg += fmt.Sprintf("only in restsql:\n%sonly in sqlite:\n%s", formatRows(onlyIn(got.rows, want.rows)), formatRows(onlyIn(want.rows, got.rows)))
	}
	return msg, false
}
