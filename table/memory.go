package table

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/internal/errcode"
)

// Memory is a table of rows held in memory: a system table, a
// session's table, a test's table. By default it applies nothing itself
// (every predicate Unsupported, no sort, no limit), so the planner
// filters, sorts and limits; Filters, Sort and Limit make it apply them,
// as a REST source would, so that pushdown can be planned and tested
// without one. What it says it applies exactly, it applies exactly.
//
// Set Filters, Sort and Limit before the first plan; a Memory is safe for
// concurrent use after that.
type Memory struct {
	// Filters says how the table applies a predicate, keyed by column
	// name and operator ("id =", "status IN", "name LIKE"; the column is
	// matched case-insensitively): Exact or Inexact. A predicate with no
	// entry is Unsupported. Exact applies only to values of the column's
	// type (a number for an int column); a predicate with another value,
	// and any LIKE, is applied as Inexact: the table returns every row and
	// the planner filters.
	Filters map[string]Support
	// Sort makes the table return its rows in Query.Sort order (NULLs
	// first ascending, last descending, as the driver's ORDER BY).
	Sort bool
	// Limit makes the table say it takes a row limit (Pushdown.Limit).
	// Whether or not it does, a scan returns at most Query.Limit rows.
	Limit bool

	def  *catalog.Table
	rows [][]any

	mu    sync.Mutex
	scans []Query
}

// NewMemory returns a table named and typed by def whose rows are rows,
// each holding a value for every column of def in order: nil, or a value
// of the column's type (int64 for int, float64 or int64 for float, string
// for string and json, bool, time.Time for datetime). A row that does not
// fit is an error naming it. Neither def nor rows may change afterwards.
func NewMemory(def *catalog.Table, rows [][]any) (*Memory, error) {
	if def == nil || len(def.Columns) == 0 {
		return nil, fmt.Errorf("table: a memory table needs a definition with columns")
	}
	for i, row := range rows {
		if len(row) != len(def.Columns) {
			return nil, fmt.Errorf("table %s: row %d has %d values, want %d", def.Name, i+1, len(row), len(def.Columns))
		}
		for k, v := range row {
			if c := def.Columns[k]; !fits(c, v) {
				return nil, errcode.Errorf(errcode.TypeMismatch, "table %s: row %d: column %s (%s): a %T does not fit", def.Name, i+1, c.Name, columnType(c), v)
			}
		}
	}
	return &Memory{def: def, rows: rows}, nil
}

// columnType is a column's type, string when the profile gives none.
func columnType(c *catalog.Column) catalog.Type {
	if c.Type == "" {
		return catalog.TypeString
	}
	return c.Type
}

// fits reports whether v is a value of column c's type.
func fits(c *catalog.Column, v any) bool {
	if v == nil {
		return true
	}
	switch columnType(c) {
	case catalog.TypeInt:
		_, ok := v.(int64)
		return ok
	case catalog.TypeFloat:
		switch v.(type) {
		case float64, int64:
			return true
		}
	case catalog.TypeBool:
		_, ok := v.(bool)
		return ok
	case catalog.TypeDatetime:
		_, ok := v.(time.Time)
		return ok
	case catalog.TypeString, catalog.TypeJSON:
		_, ok := v.(string)
		return ok
	}
	return false
}

// Def implements Table.
func (m *Memory) Def() *catalog.Table { return m.def }

// Scans returns the queries of the scans opened so far, in order: what
// the planner asked of the table.
func (m *Memory) Scans() []Query {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.scans)
}

// column finds a column by name (case-insensitive).
func (m *Memory) column(name string) (int, bool) {
	for i, c := range m.def.Columns {
		if strings.EqualFold(c.Name, name) {
			return i, true
		}
	}
	return -1, false
}

// Supports implements Table.
func (m *Memory) Supports(q Query) (*Pushdown, error) {
	d := &Pushdown{Filters: make([]Decision, len(q.Predicates)), Streams: 1}
	for i, p := range q.Predicates {
		d.Filters[i] = m.decide(p)
	}
	if len(q.Sort) > 0 {
		d.Sort = m.Sort
		for _, k := range q.Sort {
			if _, ok := m.column(k.Column); !ok {
				d.Sort = false
			}
		}
		if !d.Sort {
			d.SortReason = "sort: the table " + m.def.Name + " does not sort"
		}
	}
	d.Limit = m.Limit
	if !d.Limit {
		d.LimitReason = "limit: the table " + m.def.Name + " takes no limit"
	}
	return d, nil
}

// decide says how the table applies one predicate.
func (m *Memory) decide(p Predicate) Decision {
	ci, ok := m.column(p.Column)
	if !ok {
		return Decision{Reason: "column " + p.Column + ": unknown column"}
	}
	c := m.def.Columns[ci]
	op := strings.ToUpper(p.Op)
	s := m.Filters[strings.ToLower(c.Name)+" "+op]
	if s == Unsupported {
		for k, v := range m.Filters {
			if col, o, ok := strings.Cut(k, " "); ok && strings.EqualFold(col, c.Name) && strings.EqualFold(o, op) {
				s = v
			}
		}
	}
	switch {
	case s == Unsupported:
		return Decision{Reason: "column " + c.Name + ": the table does not apply " + op}
	case s == Inexact:
		return Decision{Support: Inexact, Reason: "column " + c.Name + ": " + op + " is applied loosely"}
	case op == "LIKE" || !comparable(c, op, p.Values):
		return Decision{Support: Inexact, Reason: "column " + c.Name + ": " + op + " with these values is applied loosely"}
	}
	return Decision{Support: Exact}
}

// comparable reports whether the table can apply op with vs exactly:
// every value (NULLs aside) is of the column's type.
func comparable(c *catalog.Column, op string, vs []any) bool {
	switch op {
	case "=", "!=", "<>", "<", "<=", ">", ">=":
		if len(vs) != 1 {
			return false
		}
	case "IN":
	default:
		return false
	}
	for _, v := range vs {
		if _, isFloat := v.(float64); !fits(c, v) || (isFloat && columnType(c) == catalog.TypeFloat && math.IsNaN(v.(float64))) {
			return false
		}
	}
	return true
}

// KeyAccess implements KeyReader: a column with an IN filter reads a
// list of keys, one with an = filter one key.
func (m *Memory) KeyAccess(column string) KeyAccess {
	ci, ok := m.column(column)
	if !ok {
		return NoKeyAccess
	}
	switch name := m.def.Columns[ci].Name; {
	case m.decide(Predicate{Column: name, Op: "IN", Values: []any{nil}}).Support != Unsupported:
		return KeyList
	case m.decide(Predicate{Column: name, Op: "=", Values: []any{nil}}).Support != Unsupported:
		return KeyEach
	}
	return NoKeyAccess
}

// RequiresKey implements KeyReader: a table in memory reads without one.
func (m *Memory) RequiresKey() bool { return false }

// PlanScan implements Table.
func (m *Memory) PlanScan(q Query) (Plan, error) {
	d, err := m.Supports(q)
	if err != nil {
		return nil, err
	}
	p := &memoryPlan{m: m, q: q, d: d}
	if q.Columns == nil {
		for i, c := range m.def.Columns {
			p.idx = append(p.idx, i)
			p.cols = append(p.cols, c)
		}
	} else {
		for _, name := range q.Columns {
			i, ok := m.column(name)
			if !ok {
				return nil, errcode.Errorf(errcode.UnknownColumn, "table %s: unknown column %q", m.def.Name, name)
			}
			p.idx = append(p.idx, i)
			p.cols = append(p.cols, m.def.Columns[i])
		}
	}
	return p, nil
}

// memoryPlan is a planned scan of a Memory table.
type memoryPlan struct {
	m    *Memory
	q    Query
	d    *Pushdown
	idx  []int // the table's column of each extracted column
	cols []*catalog.Column
}

func (p *memoryPlan) Decision() *Pushdown            { return p.d }
func (p *memoryPlan) LimitApplied() bool             { return p.d.Limit && p.q.Limit >= 0 }
func (p *memoryPlan) Columns() []*catalog.Column     { return p.cols }
func (p *memoryPlan) Remember(int64, bool)           {}
func (p *memoryPlan) EstimatedRequests() (int, bool) { return 0, true }
func (p *memoryPlan) Requests() []string             { return nil }
func (p *memoryPlan) Describe() string {
	return fmt.Sprintf("rows: %d in memory", len(p.m.rows))
}
func (p *memoryPlan) Size() Size { return Size{Rows: int64(len(p.m.rows)), Known: true, Streams: 1} }

// Open implements Plan: it selects the rows the exact predicates keep,
// sorts them when the sort is applied, and stops at the limit.
func (p *memoryPlan) Open(ctx context.Context) (Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.m.mu.Lock()
	p.m.scans = append(p.m.scans, p.q)
	p.m.mu.Unlock()
	var rows [][]any
	for _, row := range p.m.rows {
		if p.keeps(row) {
			rows = append(rows, row)
		}
	}
	if p.d.Sort && len(p.q.Sort) > 0 {
		keys := make([]int, len(p.q.Sort))
		for i, k := range p.q.Sort {
			keys[i], _ = p.m.column(k.Column)
		}
		slices.SortStableFunc(rows, func(a, b []any) int {
			for i, k := range p.q.Sort {
				if c := order(a[keys[i]], b[keys[i]]); c != 0 {
					if k.Desc {
						return -c
					}
					return c
				}
			}
			return 0
		})
	}
	if p.q.Limit >= 0 && int64(len(rows)) > p.q.Limit {
		rows = rows[:p.q.Limit]
	}
	return &memoryRows{ctx: ctx, p: p, rows: rows}, nil
}

// keeps reports whether a row passes every predicate applied exactly.
func (p *memoryPlan) keeps(row []any) bool {
	for i, pr := range p.q.Predicates {
		if p.d.Filters[i].Support != Exact {
			continue
		}
		ci, _ := p.m.column(pr.Column)
		if !holds(row[ci], strings.ToUpper(pr.Op), pr.Values) {
			return false
		}
	}
	return true
}

// holds reports whether "v op values" is true (not false, not NULL).
func holds(v any, op string, vs []any) bool {
	if v == nil {
		return false
	}
	if op == "IN" {
		for _, x := range vs {
			if x != nil && order(v, x) == 0 {
				return true
			}
		}
		return false
	}
	if vs[0] == nil {
		return false
	}
	c := order(v, vs[0])
	switch op {
	case "=":
		return c == 0
	case "!=", "<>":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// order compares two values of one column's type; NULL is lowest.
func order(a, b any) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	switch x := a.(type) {
	case int64:
		switch y := b.(type) {
		case int64:
			return cmpOrdered(x, y)
		case float64:
			return cmpOrdered(float64(x), y)
		}
	case float64:
		switch y := b.(type) {
		case int64:
			return cmpOrdered(x, float64(y))
		case float64:
			return cmpOrdered(x, y)
		}
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y)
		}
	case bool:
		if y, ok := b.(bool); ok {
			switch {
			case x == y:
				return 0
			case !x:
				return -1
			}
			return 1
		}
	case time.Time:
		if y, ok := b.(time.Time); ok {
			return x.Compare(y)
		}
	}
	return 0
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

// memoryRows reads a memory scan's rows.
type memoryRows struct {
	ctx    context.Context
	p      *memoryPlan
	rows   [][]any
	next   int
	closed bool
}

// Next implements Rows.
func (r *memoryRows) Next(dest []any) error {
	if r.closed {
		return fmt.Errorf("table %s: rows are closed", r.p.m.def.Name)
	}
	if err := r.ctx.Err(); err != nil {
		return err
	}
	if r.next >= len(r.rows) {
		return io.EOF
	}
	if len(dest) < len(r.p.idx) {
		return fmt.Errorf("table %s: Next needs room for %d values, got %d", r.p.m.def.Name, len(r.p.idx), len(dest))
	}
	row := r.rows[r.next]
	r.next++
	for i, ci := range r.p.idx {
		dest[i] = row[ci]
	}
	return nil
}

// Close implements Rows.
func (r *memoryRows) Close() error { r.closed = true; return nil }

// Total implements Rows: the rows are known.
func (r *memoryRows) Total() (int64, bool) { return int64(len(r.rows)), true }

// Stats implements Rows: no requests, one page, the rows returned.
func (r *memoryRows) Stats() Stats { return Stats{Rows: int64(r.next)} }

var (
	_ Table     = (*Memory)(nil)
	_ KeyReader = (*Memory)(nil)
	_ Plan      = (*memoryPlan)(nil)
	_ Describer = (*memoryPlan)(nil)
)
