package restsource

import (
	"strings"
	"sync"

	"github.com/restsql/restsql/catalog"
)

// Size returns what is known of the plan's scan; see Size.
func (p *Plan) Size() Size {
	sz := Size{Streams: len(p.streams), Lookup: p.lookup}
	if p.pager != nil && p.pager.Type() != catalog.PageNone && !p.lookup {
		sz.PageSize = max(p.pager.PageSize(), 0)
	}
	if n, ok := p.src.sizes.get(p.sizeKey()); ok {
		sz.Rows, sz.Known = n, true
	}
	return sz
}

// Remember records the rows a scan of the plan returned when it was read
// to the end (complete), or the total the API reported for it (total
// true), for later plans of the same requests (Plan.Size). A count cut
// short by a limit sent to the API or applied by the scan is not kept.
func (p *Plan) Remember(rows int64, total bool) {
	if (!total && p.limit >= 0) || (total && len(p.streams) != 1) {
		return
	}
	p.src.sizes.put(p.sizeKey(), rows)
}

// MaxConcurrency is the most requests in flight for one query.
func (s *Source) MaxConcurrency() int { return s.opts.MaxConcurrency }

// sizeKey names the plan's requests: the first URL of each stream.
func (p *Plan) sizeKey() string {
	var b strings.Builder
	if p.lookup {
		b.WriteString("get ")
	}
	for _, st := range p.streams {
		b.WriteString(p.firstURL(st).String())
		b.WriteByte('\n')
	}
	return b.String()
}

// rowCounts maps a plan's requests to the rows they returned last; at
// most maxRowCounts are remembered.
type rowCounts struct {
	mu sync.Mutex
	m  map[string]int64
}

const maxRowCounts = 256

func (c *rowCounts) get(k string) (int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n, ok := c.m[k]
	return n, ok
}

func (c *rowCounts) put(k string, n int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[k]; !ok && len(c.m) >= maxRowCounts {
		clear(c.m)
	}
	if c.m == nil {
		c.m = map[string]int64{}
	}
	c.m[k] = n
}
