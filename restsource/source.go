// Package restsource reads one REST endpoint as a stream of typed rows.
//
// A Source is one table of one catalog. The planner offers it the query's
// top-level predicates, sort keys, limit and needed columns (a Query); Plan
// decides what goes into the request (URL parameters, path placeholders, the
// get: lookup endpoint, sort/limit/select parameters) and reports, for each
// predicate, whether the API applies it exactly, loosely or not at all, so the
// planner keeps a residual filter for the rest. Scan then walks the pages
// lazily and extracts rows with gjson.
package restsource

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/restsql/restsql/auth"
	"github.com/restsql/restsql/catalog"
)

// Options are the connection-level settings a Source works with.
type Options struct {
	// Client sends the requests (nil = http.DefaultClient).
	Client *http.Client
	// BaseURL is the catalog's base URL after DSN overrides, already expanded.
	BaseURL string
	// Auth applies credentials to requests for the catalog's own host (nil = none).
	Auth auth.Authenticator
	// Expand resolves ${Name} placeholders in header and parameter values (nil = identity).
	Expand func(string) (string, error)
	// PageSize overrides every table's page size (0 = profile's).
	PageSize int
	// MaxPages bounds the pages read for one scan (0 = none).
	MaxPages int
	// MaxConcurrency bounds requests in flight for one query (fan-out over keys).
	MaxConcurrency int
	// Timeout bounds one HTTP request (0 = none).
	Timeout time.Duration
	// MaxBodyBytes caps one response body (0 = 64 MiB).
	MaxBodyBytes int64
	// Logger receives request logs (nil = none).
	Logger *slog.Logger
}

// Support says how the API applies one offered predicate.
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
	// Residual is true when the query has further predicates on this
	// table that were not offered (an OR, an expression): LIMIT is then never pushed.
	Residual bool
	// Sort is the ORDER BY the planner would like the API to apply.
	Sort []SortKey
	// Limit is the number of rows the query needs from this scan when that
	// is known exactly (LIMIT + OFFSET with nothing filtering above the scan);
	// -1 when unknown. The scan never requests a page beyond it.
	Limit int64
	// NoPrefetch forbids fetching a page before the consumer asks for its
	// rows (set when a LIMIT above the scan may stop reading early).
	NoPrefetch bool
	// Columns are the names of the columns to extract, in the order Rows
	// returns them (nil = all of the table's columns).
	Columns []string
}
