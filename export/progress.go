package export

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// Progress counts the rows written and the pages (HTTP requests) read, and
// shows them with the rate on one line that is redrawn, when its writer is
// a terminal. It is safe for concurrent use.
type Progress struct {
	rows  atomic.Int64
	pages func() int64
	start time.Time

	mu  sync.Mutex
	bar *progressbar.ProgressBar
}

// NewProgress starts counting. pages reports the pages read so far (nil:
// none are counted). The line is drawn on w only when w is a terminal.
func NewProgress(w io.Writer, pages func() int64) *Progress {
	p := &Progress{pages: pages, start: time.Now()}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.bar = progressbar.NewOptions64(-1,
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("exporting"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionSetElapsedTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionSetSpinnerChangeInterval(0), // no goroutine: redraw on rows
			progressbar.OptionClearOnFinish(),
		)
	}
	return p
}

// Add counts n more rows.
func (p *Progress) Add(n int) {
	if p == nil {
		return
	}
	p.rows.Add(int64(n))
	if p.bar != nil {
		p.mu.Lock()
		if p.pages != nil {
			p.bar.Describe(fmt.Sprintf("%d pages", p.pages()))
		}
		_ = p.bar.Add(n)
		p.mu.Unlock()
	}
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

// Finish clears the progress line and returns the totals.
func (p *Progress) Finish() Stats {
	st := Stats{Rows: p.rows.Load(), Elapsed: time.Since(p.start)}
	if p.pages != nil {
		st.Pages = p.pages()
	}
	if p.bar != nil {
		p.mu.Lock()
		_ = p.bar.Finish()
		p.mu.Unlock()
	}
	return st
}
