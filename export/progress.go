package export

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/term"
)

// progressInterval is how often the progress line is redrawn.
const progressInterval = 200 * time.Millisecond

// Progress counts the rows written and the pages (HTTP requests) read, and
// shows them with the rate and the elapsed time on one line that is
// redrawn, when its writer is a terminal:
//
//	exporting: 12,345 rows · 13 requests · 2,048 rows/s · 6.0s
//
// The line is redrawn while nothing arrives too, so a slow API shows the
// time passing. The rate appears after the first second. It is safe for
// concurrent use.
type Progress struct {
	rows  atomic.Int64
	pages func() int64
	start time.Time
	label string

	w    io.Writer
	mu   sync.Mutex
	done chan struct{}
	wg   sync.WaitGroup
	once sync.Once
}

// NewProgress starts counting an export. pages reports the pages read so
// far (nil: none are counted). The line is drawn on w only when w is a
// terminal.
func NewProgress(w io.Writer, pages func() int64) *Progress {
	return NewProgressLine(w, "exporting", pages)
}

// NewProgressLine is NewProgress with the line's label.
func NewProgressLine(w io.Writer, label string, pages func() int64) *Progress {
	p := &Progress{pages: pages, start: time.Now(), label: label}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.w = w
		p.done = make(chan struct{})
		p.wg.Add(1)
		go p.draw()
	}
	return p
}

// draw redraws the line until Finish.
func (p *Progress) draw() {
	defer p.wg.Done()
	t := time.NewTicker(progressInterval)
	defer t.Stop()
	for {
		select {
		case <-p.done:
			p.mu.Lock()
			fmt.Fprint(p.w, "\r\x1b[K")
			p.mu.Unlock()
			return
		case now := <-t.C:
			p.mu.Lock()
			fmt.Fprint(p.w, "\r\x1b[K"+p.line(now))
			p.mu.Unlock()
		}
	}
}

// line is the progress line at now.
func (p *Progress) line(now time.Time) string {
	elapsed := now.Sub(p.start)
	rows := p.rows.Load()
	s := p.label + ": " + count(rows, "row")
	if p.pages != nil {
		s += " · " + count(p.pages(), "request")
	}
	if elapsed >= time.Second {
		s += " · " + group(int64(float64(rows)/elapsed.Seconds())) + " rows/s"
	}
	return s + " · " + strconv.FormatFloat(elapsed.Seconds(), 'f', 1, 64) + "s"
}

// count is "1 row", "12,345 rows".
func count(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return group(n) + " " + word + "s"
}

// group writes n with thousands separators.
func group(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Add counts n more rows.
func (p *Progress) Add(n int) {
	if p == nil {
		return
	}
	p.rows.Add(int64(n))
}

// Stats is what an export did.
type Stats struct {
	Rows    int64
	Pages   int64
	Elapsed time.Duration
}

// RowsPerSecond is the export's rate.
func (s Stats) RowsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Rows) / s.Elapsed.Seconds()
}

// Finish clears the progress line and returns the totals. It may be
// called more than once.
func (p *Progress) Finish() Stats {
	st := Stats{Rows: p.rows.Load(), Elapsed: time.Since(p.start)}
	if p.pages != nil {
		st.Pages = p.pages()
	}
	if p.done != nil {
		p.once.Do(func() { close(p.done) })
		p.wg.Wait()
	}
	return st
}
