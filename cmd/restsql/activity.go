package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

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

// waitLine shows "text · 2.3s" on a terminal, redrawn until stop, for work
// that has no rows to count (discover's request).
type waitLine struct {
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

func newWaitLine(w io.Writer, text string) *waitLine {
	l := &waitLine{done: make(chan struct{})}
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return l
	}
	start := time.Now()
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		t := time.NewTicker(200 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-l.done:
				fmt.Fprint(w, "\r\x1b[K")
				return
			case now := <-t.C:
				fmt.Fprintf(w, "\r\x1b[K%s · %.1fs", text, now.Sub(start).Seconds())
			}
		}
	}()
	return l
}

// stop clears the line; it may be called more than once.
func (l *waitLine) stop() {
	l.once.Do(func() { close(l.done) })
	l.wg.Wait()
}
