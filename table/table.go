// Package table is the contract between the planner and the tables it
// plans against: a REST source (package restsource), a system table
// (package metadata), a table of rows in memory (Memory), or any other
// relation a connector hands the engine.
//
// The contract is narrow, after octosql's datasources and DataFusion's
// TableProvider. The planner offers a table the query's top-level AND
// conjuncts of the form "column op values" (Predicates), the ORDER BY it
// would like (Sort), the LIMIT when it may be sent, and the columns it
// reads: a Query. Supports answers, without any I/O, how the table
// applies each predicate — Exact, Inexact (applied loosely: the planner
// re-checks it) or Unsupported, with the reason — and whether it sorts
// (a Pushdown), as DataFusion's supports_filters_pushdown. The planner
// keeps a residual filter for every predicate not applied exactly and a
// sort for an ORDER BY not applied, so an answer is right even when a
// table applies nothing; it alone decides whether the LIMIT may go to
// the table (never past an inexact predicate). Plan renders the decision
// into a Plan, whose Open starts the scan and returns its Rows.
//
// A table that can be written also implements Writable.
//
// The package holds types only (and Memory): it imports no other package
// of restsql but the profile model (catalog) and the error codes.
package table

import (
	"context"

	"github.com/restsql/restsql/catalog"
)

// Table is one table the planner can plan against. Its methods are safe
// for concurrent use: plans and scans may run on many goroutines at once.
type Table interface {
	// Def describes the table: its name (CatalogName, SchemaName, Name)
	// and its columns, in the order a scan's rows hold them. Columns
	// may also say what a REST source sends (Filters, Key): the planner
	// reads them to estimate the cost of a lookup join. Def must not be
	// changed.
	Def() *catalog.Table
	// Supports answers, from the table's definition alone (no I/O), how
	// it applies q: for each of q.Predicates whether it is applied
	// exactly, loosely or not at all and why, and whether the rows come
	// in q.Sort order. A query the table cannot answer at all is an
	// error: a *MissingKeyError when it needs a column bound by = or IN.
	Supports(q Query) (*Pushdown, error)
	// PlanScan renders what Supports decides for q into a scan plan. An
	// unknown column in q.Columns is an error.
	PlanScan(q Query) (Plan, error)
}

// Plan is one planned scan of a table: what the table applies, what the
// scan will read, and how to start it. A Plan is immutable; it may be
// opened any number of times, also at once.
type Plan interface {
	// Decision is the pushdown the plan renders (Supports' answer for
	// the plan's query).
	Decision() *Pushdown
	// LimitApplied reports whether the table applies Query.Limit itself
	// (a REST source sends it to the API). Whether or not it does, a
	// scan returns at most Query.Limit rows.
	LimitApplied() bool
	// Columns are the columns a scan's rows hold, in Query.Columns order.
	Columns() []*catalog.Column
	// Size is what is known, before the scan, of its rows and requests.
	Size() Size
	// Remember records the rows a scan of the plan returned when it was
	// read to the end (total false), or the total the table reported
	// (total true), for Size of later plans of the same query.
	Remember(rows int64, total bool)
	// EstimatedRequests is the number of requests the scan will send
	// when it is known before reading (0 for a table in memory); known
	// is false when it depends on the data.
	EstimatedRequests() (n int, known bool)
	// Requests lists, for EXPLAIN, the first request of each request
	// stream ("GET http://…"); none for a table in memory.
	Requests() []string
	// Open starts the scan. It may read before returning (a REST source
	// fetches its first page, so the first HTTP error is Open's); ctx
	// bounds the whole scan.
	Open(ctx context.Context) (Rows, error)
}

// Describer is implemented by a Plan that says what its scan reads in its
// own words, for EXPLAIN, in place of requests ("5 rows in memory").
type Describer interface {
	Describe() string
}

// Shaped is implemented by a Plan whose rows lie in the table's answers
// in a way EXPLAIN tells ("rows: one per element of each: items"; "" when
// there is nothing to tell): a REST source's child or header rows.
type Shaped interface {
	ShapeDetail() string
}

// Rows streams the rows of a scan. Next and Close must not be called
// concurrently with each other, except that Close may be called from
// another goroutine to stop a scan.
type Rows interface {
	// Next fills dest[:len(Plan.Columns())] with the next row's values
	// (nil, int64, float64, bool, string or time.Time). It returns
	// io.EOF after the last row.
	Next(dest []any) error
	// Close stops the scan and releases what it holds; it is idempotent.
	Close() error
	// Total returns the number of rows the scan will return, when it is
	// known before the last row is read.
	Total() (n int64, ok bool)
	// Stats returns the scan's counts so far, also after Close.
	Stats() Stats
}

// Concurrent is implemented by a table that reads with several requests
// at once: the planner fetches that many batches of a lookup join at once.
type Concurrent interface {
	// MaxConcurrency is the most requests in flight for one query.
	MaxConcurrency() int
}

// KeyAccess says how a table can be read by the keys of one column, for a
// lookup join that reads it by the keys of its other side.
type KeyAccess int

// Key accesses.
const (
	// NoKeyAccess: the keys cannot be sent; the table is scanned whole.
	NoKeyAccess KeyAccess = iota
	// KeyEach: one key per read (an = filter).
	KeyEach
	// KeyList: many keys in one read (an IN list).
	KeyList
	// KeyStreams: the table reads each key on request streams of its own
	// (a REST source's URL placeholder).
	KeyStreams
	// KeyLookup: the table reads each key with one request, unpaged (a
	// REST source's get: endpoint).
	KeyLookup
)

// KeyReader is implemented by a table that a lookup join can read by key
// (a table without it is always scanned whole).
type KeyReader interface {
	// KeyAccess says how the table reads the keys of a column.
	KeyAccess(column string) KeyAccess
	// RequiresKey reports whether the table cannot be read without a
	// key column bound by = or IN (Supports answers a *MissingKeyError).
	RequiresKey() bool
}

// Writable is implemented by a table that INSERT, UPDATE and DELETE can
// change.
type Writable interface {
	// NewWriter prepares a statement of the kind for the named columns:
	// for INSERT the columns it sets, for UPDATE the columns of the
	// change, for DELETE none. A table that does not offer the kind
	// answers an error with errcode.NotSupported.
	NewWriter(kind WriteKind, columns []string) (Writer, error)
	// WritableColumns are the columns a write may set, in table order:
	// INSERT's columns when it names none.
	WritableColumns() []*catalog.Column
}

// Writer carries out one write statement on one table.
type Writer interface {
	// Kind is the statement the Writer carries out.
	Kind() WriteKind
	// Columns are the columns of Change.Values, in order.
	Columns() []*catalog.Column
	// KeyColumns are the columns of Change.Keys: those that address a
	// row (a REST source's URL placeholders).
	KeyColumns() []*catalog.Column
	// Target names where the rows go, for messages (a REST source's
	// endpoint as its profile writes it).
	Target() string
	// ReplacesRow reports whether an UPDATE replaces the whole row (a
	// REST source's PUT): its change then holds every WritableColumns
	// value, not only the SET columns.
	ReplacesRow() bool
	// Write checks and encodes every change (row numbers from 1, in
	// order, name a bad one; nothing is written then), then writes them.
	Write(ctx context.Context, changes []Change) (*WriteResult, error)
}
