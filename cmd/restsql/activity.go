package main

import (
	"context"
	"io"

	"github.com/restsql/restsql/export"
)

// activity shows a query's progress on stderr while it runs, when stderr
// is a terminal: rows, requests and elapsed time (export's progress line).
type activity struct {
	p *export.Progress
}

// newActivity starts the progress line of a query; requests reports the
// HTTP requests sent so far (nil: not shown).
func newActivity(_ context.Context, stderr io.Writer, requests func() int64) *activity {
	return &activity{p: export.NewProgressLine(stderr, "query", requests)}
}

// addRow counts a row.
func (a *activity) addRow() {
	if a != nil {
		a.p.Add(1)
	}
}

// stop clears the line; it may be called more than once.
func (a *activity) stop() {
	if a != nil {
		a.p.Finish()
	}
}
