// Package incremental reads only what is new since the last run, the way
// Glue job bookmarks and dlt/Airbyte incremental syncs do: a state file
// keeps the high-water mark of a column that grows when a row is created
// or changed (updated_at, a sequence id), and the next run asks for
// "column >= mark" only.
//
// Why ">=" and not ">": rows are not always written in the order of the
// column. A row changed in the same second (or with the same sequence
// value) as the last row a run saw, but written after that run read, has
// the mark's value: "> mark" would never read it. So a run asks for
// ">= mark" and drops the rows at the mark that the runs before it already
// wrote; the state keeps a hash of every row written at the mark (all of
// its values, so a row written again with other values at the same mark is
// new, not a duplicate). What a run writes is the rows strictly above the
// mark, and the rows at it that no earlier run wrote.
//
// The new mark is saved only after the output is complete (Run.Commit),
// atomically (a temporary file renamed over the old one): a run that fails
// or is interrupted leaves the state as it was, and the next run reads the
// same rows again. Rows whose column is NULL are read by the first run
// only (no mark yet); rows written later with a value below the mark are
// not read (no watermark can see them).
package incremental

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/planner"

	"github.com/restsql/restsql/catalog"
)

// State is what the state file holds.
type State struct {
	// Column is the column the mark is of.
	Column string `json:"column"`
	// Mark is the largest value of Column the runs so far wrote (nil
	// before the first run): an int64, float64, string or time.Time.
	Mark any `json:"-"`
	// AtMark are the hashes of the rows written whose Column equals Mark.
	AtMark []string `json:"atMark,omitempty"`
	// Rows is the number of rows the last run wrote; Updated when it
	// committed.
	Rows    int64     `json:"rows"`
	Updated time.Time `json:"updated"`
}

// stateFile is State with its mark typed, as JSON.
type stateFile struct {
	State
	MarkType  string `json:"markType,omitempty"` // int, float, string or datetime
	MarkValue string `json:"mark,omitempty"`
}

// Load reads the state file at path; a missing file is the state before
// the first run.
func Load(path, column string) (*State, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &State{Column: column}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("incremental: state %s: %w", path, err)
	}
	var f stateFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("incremental: state %s: %w", path, err)
	}
	st := f.State
	if !strings.EqualFold(st.Column, column) {
		return nil, fmt.Errorf("incremental: state %s is of column %q, not %q (use another state file)", path, st.Column, column)
	}
	if f.MarkType != "" {
		if st.Mark, err = parseMark(f.MarkType, f.MarkValue); err != nil {
			return nil, fmt.Errorf("incremental: state %s: mark: %w", path, err)
		}
	}
	return &st, nil
}

func parseMark(typ, v string) (any, error) {
	switch catalog.Type(typ) {
	case catalog.TypeInt:
		return strconv.ParseInt(v, 10, 64)
	case catalog.TypeFloat:
		return strconv.ParseFloat(v, 64)
	case catalog.TypeString:
		return v, nil
	case catalog.TypeDatetime:
		return time.Parse(time.RFC3339Nano, v)
	}
	return nil, fmt.Errorf("unknown type %q", typ)
}

func formatMark(v any) (typ, s string) {
	switch x := v.(type) {
	case int64:
		return string(catalog.TypeInt), strconv.FormatInt(x, 10)
	case float64:
		return string(catalog.TypeFloat), strconv.FormatFloat(x, 'g', -1, 64)
	case string:
		return string(catalog.TypeString), x
	case time.Time:
		return string(catalog.TypeDatetime), x.Format(time.RFC3339Nano)
	}
	return "", ""
}

// Save writes the state to path atomically: a temporary file in the same
// directory, synced, renamed over the old one.
func (st *State) Save(path string) error {
	f := stateFile{State: *st}
	f.MarkType, f.MarkValue = formatMark(st.Mark)
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return fmt.Errorf("incremental: state %s: %w", path, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("incremental: state %s: %w", path, err)
	}
	_, err = tmp.Write(append(b, '\n'))
	err = errors.Join(err, tmp.Sync(), tmp.Close())
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("incremental: state %s: %w", path, err)
	}
	return nil
}

// Run is one incremental run: the query to send, a filter for its rows
// and the next state.
type Run struct {
	// Query is the query with "Column >= mark" added to its WHERE (the
	// query itself on the first run).
	Query string

	path string
	prev *State
	seen map[string]bool // prev.AtMark

	mu     sync.Mutex
	next   State
	atNext map[string]bool
	idx    int // the column's index in the rows (-1 until Columns)
}

// Start reads the state at path and makes the run of query: one SELECT
// whose select list holds column (by its name or alias).
func Start(path, column, query string) (*Run, error) {
	if strings.TrimSpace(path) == "" {
		return nil, errors.New("incremental: a state file is needed")
	}
	st, err := Load(path, column)
	if err != nil {
		return nil, err
	}
	q, err := withMark(query, column, st.Mark)
	if err != nil {
		return nil, err
	}
	r := &Run{Query: q, path: path, prev: st, seen: map[string]bool{}, idx: -1,
		next: State{Column: column, Mark: st.Mark}, atNext: map[string]bool{}}
	for _, h := range st.AtMark {
		r.seen[h] = true
		r.atNext[h] = true // the mark may stay: its rows stay written
	}
	return r, nil
}

// withMark adds "column >= mark" to the query's WHERE.
func withMark(query, column string, mark any) (string, error) {
	p, err := planner.Parse(query)
	if err != nil {
		return "", fmt.Errorf("incremental: %w", err)
	}
	sel, ok := p.Stmt.(*sqlparser.Select)
	switch {
	case p.Explain || !ok:
		return "", errors.New("incremental: the query must be one SELECT")
	case sel.Limit != nil:
		return "", errors.New("incremental: a query with LIMIT cannot be read incrementally (the rows past it would be skipped for good)")
	case len(sel.GroupBy) > 0 || sel.Having != nil:
		return "", errors.New("incremental: a query with GROUP BY cannot be read incrementally")
	}
	cp, err := planner.Parse("SELECT " + column + " FROM dual")
	if err != nil {
		return "", fmt.Errorf("incremental: %q is not a column name", column)
	}
	csel, _ := cp.Stmt.(*sqlparser.Select)
	var col *sqlparser.ColName
	if csel != nil && len(csel.SelectExprs) == 1 {
		if ae, ok := csel.SelectExprs[0].(*sqlparser.AliasedExpr); ok {
			col, _ = ae.Expr.(*sqlparser.ColName)
		}
	}
	if col == nil {
		return "", fmt.Errorf("incremental: %q is not a column name", column)
	}
	if mark == nil {
		return query, nil
	}
	var lit sqlparser.Expr
	switch x := mark.(type) {
	case int64:
		lit = sqlparser.NewIntVal([]byte(strconv.FormatInt(x, 10)))
	case float64:
		s := strconv.FormatFloat(x, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		lit = sqlparser.NewFloatVal([]byte(s))
	case string:
		lit = sqlparser.NewStrVal([]byte(x))
	case time.Time:
		lit = sqlparser.NewStrVal([]byte(x.Format(time.RFC3339Nano)))
	default:
		return "", fmt.Errorf("incremental: a mark of type %T", mark)
	}
	pred := &sqlparser.ComparisonExpr{Operator: sqlparser.GreaterEqualStr, Left: col, Right: lit}
	if sel.Where == nil {
		sel.Where = sqlparser.NewWhere(sqlparser.WhereStr, pred)
	} else {
		sel.Where.Expr = &sqlparser.AndExpr{Left: &sqlparser.ParenExpr{Expr: sel.Where.Expr}, Right: pred}
	}
	out := strings.ReplaceAll(sqlparser.String(sel), "\x1f", "`.`")
	if _, err := planner.Parse(out); err != nil {
		return "", fmt.Errorf("incremental: the query with its mark does not parse (%v): %s", err, out)
	}
	return out, nil
}

// Columns tells the run the names of the result's columns, to find the
// mark's column among them (case-insensitive; a qualified name matches by
// its last part).
func (r *Run) Columns(names []string) error {
	want := strings.ToLower(r.next.Column)
	if i := strings.LastIndexByte(want, '.'); i >= 0 {
		want = want[i+1:]
	}
	want = strings.Trim(want, "`")
	for i, n := range names {
		if strings.ToLower(n) == want {
			r.mu.Lock()
			r.idx = i
			r.mu.Unlock()
			return nil
		}
	}
	return fmt.Errorf("incremental: column %s is not in the select list (have %s)", r.next.Column, strings.Join(names, ", "))
}

// Keep says whether a row is to be written: not when the runs before
// wrote it already (a row at the old mark with the same values). It
// records the row for the next mark. Safe for concurrent use.
func (r *Run) Keep(row []any) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.idx < 0 || r.idx >= len(row) {
		return false, errors.New("incremental: Columns was not called with the result's columns")
	}
	v, err := markValue(row[r.idx])
	if err != nil {
		return false, fmt.Errorf("incremental: column %s: %w", r.next.Column, err)
	}
	if v == nil {
		if r.prev.Mark != nil {
			return false, nil // NULL: only the first run reads it
		}
		r.next.Rows++
		return true, nil
	}
	var h string
	if r.prev.Mark != nil {
		c, err := compare(v, r.prev.Mark)
		if err != nil {
			return false, fmt.Errorf("incremental: column %s: %w", r.next.Column, err)
		}
		if c < 0 {
			return false, nil // below the mark: the API did not filter it
		}
		if c == 0 {
			h = hashRow(row)
			if r.seen[h] {
				return false, nil
			}
		}
	}
	r.next.Rows++
	c := 1
	if r.next.Mark != nil {
		if c, err = compare(v, r.next.Mark); err != nil {
			return false, fmt.Errorf("incremental: column %s: %w", r.next.Column, err)
		}
	}
	switch {
	case c > 0:
		r.next.Mark = v
		clear(r.atNext)
		fallthrough
	case c == 0:
		if h == "" {
			h = hashRow(row)
		}
		r.atNext[h] = true
	}
	return true, nil
}

// Next is the state Commit would save.
func (r *Run) Next() State {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.next
	st.AtMark = make([]string, 0, len(r.atNext))
	for h := range r.atNext {
		st.AtMark = append(st.AtMark, h)
	}
	slices.Sort(st.AtMark)
	return st
}

// Commit saves the next state; call it only once the output is complete.
func (r *Run) Commit(now time.Time) error {
	st := r.Next()
	st.Updated = now.UTC()
	return st.Save(r.path)
}

// markValue normalizes a column value: int64, float64, string, time.Time.
func markValue(v any) (any, error) {
	switch x := v.(type) {
	case nil:
		return nil, nil
	case int64, string, time.Time:
		return x, nil
	case float64:
		if math.IsNaN(x) {
			return nil, errors.New("NaN has no order")
		}
		return x, nil
	case []byte:
		return string(x), nil
	case int:
		return int64(x), nil
	}
	return nil, fmt.Errorf("a %T value cannot be a mark", v)
}

// compare orders two mark values of compatible types.
func compare(a, b any) (int, error) {
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpOrdered(x, y), nil
		case float64:
			return cmpOrdered(float64(x), y), nil
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return cmpOrdered(x, y), nil
		case int64:
			return cmpOrdered(x, float64(y)), nil
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y), nil
		}
	}
	return 0, fmt.Errorf("a %T value against a mark of type %T", a, b)
}

func cmpOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// hashRow is a hash of every value of a row (type and value), hex.
func hashRow(row []any) string {
	h := sha256.New()
	var b []byte
	for _, v := range row {
		b = b[:0]
		switch x := v.(type) {
		case nil:
			b = append(b, 'N')
		case int64:
			b = strconv.AppendInt(append(b, 'i'), x, 10)
		case float64:
			b = strconv.AppendFloat(append(b, 'f'), x, 'g', -1, 64)
		case bool:
			b = strconv.AppendBool(append(b, 'b'), x)
		case string:
			b = append(append(b, 's'), x...)
		case []byte:
			b = append(append(b, 's'), x...)
		case time.Time:
			b = x.UTC().AppendFormat(append(b, 't'), time.RFC3339Nano)
		default:
			b = fmt.Appendf(append(b, '?'), "%v", x)
		}
		var n [8]byte
		l := len(b)
		for i := range n {
			n[i] = byte(l >> (8 * i))
		}
		h.Write(n[:])
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
