package export

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestProgressLine(t *testing.T) {
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	pages := int64(13)
	p := &Progress{pages: func() int64 { return pages }, start: start, label: "exporting"}
	// The first tick: no rate yet (no "0 rows/hr").
	assert.Equal(t, "exporting: 0 rows · 13 requests · 0.2s", p.line(start.Add(200*time.Millisecond)))
	p.Add(1)
	pages = 1
	assert.Equal(t, "exporting: 1 row · 1 request · 0.5s", p.line(start.Add(500*time.Millisecond)))
	p.Add(12344)
	assert.Equal(t, "exporting: 12,345 rows · 1 request · 2,469 rows/s · 5.0s", p.line(start.Add(5*time.Second)))
	q := &Progress{start: start, label: "query"}
	assert.Equal(t, "query: 0 rows · 0 rows/s · 61.0s", q.line(start.Add(61*time.Second)))
	assert.Equal(t, "1,234,567", group(1234567))
	assert.Equal(t, "-1,000", group(-1000))
}
