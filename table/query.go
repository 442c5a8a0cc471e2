package table

import "strconv"

// Support says how a table (the API, for a REST source) applies one
// offered predicate.
type Support int

const (
	// Unsupported: not sent; the planner must evaluate it.
	Unsupported Support = iota
	// Inexact: sent, but the planner must re-check it.
	Inexact
	// Exact: sent, and the API applies it exactly.
	Exact
)

// Predicate is one top-level AND conjunct of the form "column op values".
// Op is one of = != < <= > >= IN LIKE. Values holds one value, or the list
// for IN; values are nil, int64, float64, string, bool or time.Time.
type Predicate struct {
	Column string
	Op     string
	Values []any
}

// SortKey is one ORDER BY key on a column.
type SortKey struct {
	Column string
	Desc   bool
}

// Query is what the planner asks of one table scan.
type Query struct {
	// Predicates are the top-level AND conjuncts the planner can offer.
	Predicates []Predicate
	// Sort is the ORDER BY the planner would like the API to apply.
	Sort []SortKey
	// Limit is the number of rows the query needs from this scan when that
	// is known exactly (LIMIT + OFFSET with nothing filtering above the scan);
	// -1 when unknown. The scan never requests a page beyond it, and it is
	// sent to the API when the table has limit:. The caller sets it only
	// when the API's first Limit rows are the answer: every predicate
	// Exact, none left out, and Sort empty or pushed (planner.pushLimit
	// is that rule).
	Limit int64
	// NoPrefetch forbids fetching a page before the consumer asks for its
	// rows (set when a LIMIT above the scan may stop reading early).
	NoPrefetch bool
	// Columns are the names of the columns to extract, in the order Rows
	// returns them (nil = all of the table's columns).
	Columns []string
}

// MaxRequests bounds the requests one plan fans out to (the product of the
// IN lists that bind key columns).
const MaxRequests = 100_000

// String returns "exact", "inexact" or "unsupported", as EXPLAIN shows it.
func (s Support) String() string {
	switch s {
	case Exact:
		return "exact"
	case Inexact:
		return "inexact"
	case Unsupported:
		return "unsupported"
	}
	return "Support(" + strconv.Itoa(int(s)) + ")"
}

// Decision is how the API applies one offered predicate, and why not
// exactly.
type Decision struct {
	Support Support
	// Reason says why the predicate is not applied exactly ("" when it
	// is), naming the column: "column status: empty string is not sent
	// (the API reads ?status= as no filter)".
	Reason string
}

// Pushdown is the source's answer to "what can the API do for this
// query?", decided from the profile alone, before any URL is built — as
// DataFusion's supports_filters_pushdown answers Exact, Inexact or
// Unsupported per filter. Plan renders exactly what a Pushdown decided.
// Whether the query's LIMIT may go to the API is the caller's decision
// (see Query.Limit); Limit only says whether the table can take one.
type Pushdown struct {
	// Filters says, for each of Query.Predicates in order, how the API
	// applies it.
	Filters []Decision
	// Sort is true when the API returns the rows in Query.Sort order;
	// SortReason says why not when Query.Sort is set.
	Sort       bool
	SortReason string
	// Limit is true when the requests can carry a row limit (the table
	// has limit:, and the list endpoint answers); LimitReason says why not.
	Limit       bool
	LimitReason string
	// Lookup is true when the get: endpoint answers, one request per key.
	Lookup bool
	// Streams is the number of request streams: one per combination of
	// key values (0 when a key is bound to no value).
	Streams int
}

// Exact reports whether the API applies every predicate exactly.
func (d *Pushdown) Exact() bool {
	for _, f := range d.Filters {
		if f.Support != Exact {
			return false
		}
	}
	return true
}
