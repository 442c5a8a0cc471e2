package restsource

import (
	"context"
	"strings"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/table"
)

// The table contract's types, defined in package table; the names here
// keep code written against restsource compiling.
type (
	// Support says how the API applies one offered predicate.
	Support = table.Support
	// Predicate is one top-level AND conjunct "column op values".
	Predicate = table.Predicate
	// SortKey is one ORDER BY key on a column.
	SortKey = table.SortKey
	// Query is what the planner asks of one table scan.
	Query = table.Query
	// Decision is how the API applies one offered predicate, and why not
	// exactly.
	Decision = table.Decision
	// Pushdown is the source's answer to "what can the API do for this
	// query?".
	Pushdown = table.Pushdown
	// Size is what a Plan knows, before it is read, of its scan.
	Size = table.Size
	// Stats counts what a scan has done so far.
	Stats = table.Stats
	// WriteKind is the statement a Writer carries out.
	WriteKind = table.WriteKind
	// Change is one row to write.
	Change = table.Change
	// WriteResult is what a write statement did.
	WriteResult = table.WriteResult
	// MissingKeyError refuses a query that does not bind a required key
	// column.
	MissingKeyError = table.MissingKeyError
)

// The table contract's constants and values.
const (
	Unsupported = table.Unsupported
	Inexact     = table.Inexact
	Exact       = table.Exact

	WriteInsert = table.WriteInsert
	WriteUpdate = table.WriteUpdate
	WriteDelete = table.WriteDelete

	// MaxRequests bounds the requests one plan fans out to.
	MaxRequests = table.MaxRequests
)

// Omit, as a value in Change.Values, leaves the column out of the request
// body (table.Omit).
var Omit = table.Omit

// A Source is a table, and a writable one.
var (
	_ table.Table      = (*Source)(nil)
	_ table.Writable   = (*Source)(nil)
	_ table.Concurrent = (*Source)(nil)
	_ table.KeyReader  = (*Source)(nil)
	_ table.Plan       = (*Plan)(nil)
	_ table.Shaped     = (*Plan)(nil)
	_ table.Rows       = (*Rows)(nil)
	_ table.Writer     = (*Writer)(nil)
)

// KeyAccess implements table.KeyReader from the profile: a placeholder of
// the url reads each key on its own request streams, one of get: url with
// one request; an IN filter that sends a list (repeat: or join:) reads a
// list, an = filter one key.
func (s *Source) KeyAccess(column string) table.KeyAccess {
	i, ok := s.byName[strings.ToLower(column)]
	if !ok {
		return table.NoKeyAccess
	}
	col := s.cols[i]
	for _, n := range catalog.Placeholders(s.t.URL) {
		if strings.EqualFold(n, col.Name) {
			return table.KeyStreams
		}
	}
	if s.t.Get != nil {
		for _, n := range catalog.Placeholders(s.t.Get.URL) {
			if strings.EqualFold(n, col.Name) {
				return table.KeyLookup
			}
		}
	}
	if f := col.Filters["IN"]; f != nil && (f.Repeat || f.Join != "") {
		return table.KeyList
	}
	if col.Filters["="] != nil {
		return table.KeyEach
	}
	return table.NoKeyAccess
}

// RequiresKey implements table.KeyReader: the url has a placeholder.
func (s *Source) RequiresKey() bool { return len(catalog.Placeholders(s.t.URL)) > 0 }

// Def implements table.Table: the profile's table.
func (s *Source) Def() *catalog.Table { return s.t }

// Name is the qualified table name (catalog.schema.table), as messages
// show it.
func (s *Source) Name() string { return s.name }

// PlanScan implements table.Table through Plan.
func (s *Source) PlanScan(q Query) (table.Plan, error) {
	p, err := s.Plan(q)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Decision implements table.Plan: the plan's Pushdown.
func (p *Plan) Decision() *Pushdown { return p.Pushdown }

// LimitApplied implements table.Plan: LimitPushed.
func (p *Plan) LimitApplied() bool { return p.LimitPushed }

// Open implements table.Plan: Source.Scan of the plan.
func (p *Plan) Open(ctx context.Context) (table.Rows, error) {
	r, err := p.src.Scan(ctx, p)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// NewWriter implements table.Writable through Writer.
func (s *Source) NewWriter(kind WriteKind, columns []string) (table.Writer, error) {
	w, err := s.Writer(kind, columns)
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Target implements table.Writer: the endpoint as the profile writes it.
func (w *Writer) Target() string { return w.rawURL }

// ReplacesRow implements table.Writer: the method is PUT.
func (w *Writer) ReplacesRow() bool { return w.method == "PUT" }

// Write implements table.Writer: Prepare every change, then Run them.
func (w *Writer) Write(ctx context.Context, changes []Change) (*WriteResult, error) {
	reqs := make([]*WriteRequest, 0, len(changes))
	for n, ch := range changes {
		req, err := w.Prepare(int64(n+1), ch)
		if err != nil {
			return nil, err
		}
		reqs = append(reqs, req)
	}
	return w.Run(ctx, reqs)
}
