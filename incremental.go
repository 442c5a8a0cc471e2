package restsql

import "github.com/restsql/restsql/incremental"

// Incremental reads only the rows that are new since the last run, for ETL
// programs (Glue job bookmarks, dlt and Airbyte incremental syncs): Column
// grows when a row is created or changed (updated_at, a sequence), and
// State is the JSON file that keeps its high-water mark between runs.
//
//	run, err := restsql.Incremental{Column: "updated_at", State: "orders.state.json"}.Start(
//		"SELECT id, total, updated_at FROM orders WHERE status = 'paid'")
//	rows, err := db.QueryContext(ctx, run.Query) // … AND updated_at >= <mark>
//	cols, _ := rows.Columns()
//	err = run.Columns(cols)
//	for rows.Next() {
//		// scan the row into vals ([]any), then:
//		if keep, err := run.Keep(vals); keep { /* write it */ }
//	}
//	// once the output is complete (and only then):
//	err = run.Commit(time.Now())
//
// The query asks for Column >= mark, and Keep drops the rows at the mark
// that earlier runs wrote (the state keeps a hash of each), so a row
// written late with the mark's value is not lost and none is written
// twice; a run that fails before Commit leaves the state as it was. See
// package incremental for the details; restsql export --incremental is
// the same with files.
type Incremental struct {
	// Column is the column whose values mark what is new, as the query's
	// select list names it.
	Column string
	// State is the path of the state file (none before the first run).
	State string
}

// Start reads the state and returns the run of query: its Query holds the
// filter to send; Columns, Keep and Commit do the rest.
func (inc Incremental) Start(query string) (*incremental.Run, error) {
	return incremental.Start(inc.State, inc.Column, query)
}
