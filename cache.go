package restsql

import (
	"context"
	"fmt"
	"log/slog"
	"strings"

	"github.com/restsql/restsql/httpcache"
	"github.com/restsql/restsql/metadata"
	"github.com/restsql/restsql/restsource"
)

// openCache puts the DSN's response cache (Cache, CacheTTL,
// CacheMaxBytes) in front of the connector's HTTP client: every GET of
// every table goes through it, and writes drop their table's entries.
func (c *connector) openCache() error {
	if c.cfg.Cache == "" {
		return nil
	}
	dir := c.cfg.Cache
	if strings.EqualFold(dir, "memory") {
		dir = ""
	}
	cache, err := httpcache.New(httpcache.Options{
		Dir: dir, TTL: c.cfg.CacheTTL, MaxBytes: int64(c.cfg.CacheMaxBytes), Observe: c.cacheEvent,
	})
	if err != nil {
		return fmt.Errorf("restsql: dsn: Cache: %w", err)
	}
	c.cache = cache
	client := *c.client
	client.Transport = cache.Transport(client.Transport)
	c.client = &client
	return nil
}

// cacheEvent logs the cache's hits, revalidations and invalidations at
// Verbosity 2 (misses and stores at 3).
func (c *connector) cacheEvent(ctx context.Context, ev httpcache.Event) {
	if c.logger == nil {
		return
	}
	level := restsource.LevelRequests
	if ev.Kind == httpcache.Miss || ev.Kind == httpcache.Stored {
		level = restsource.LevelHeaders
	}
	if !c.logger.Enabled(ctx, level) {
		return
	}
	attrs := []slog.Attr{slog.String("url", c.redactor.redact(ev.URL))}
	if ev.Tag != "" {
		attrs = append(attrs, slog.String("table", ev.Tag))
	}
	switch ev.Kind {
	case httpcache.Hit, httpcache.Revalidated:
		attrs = append(attrs, slog.Duration("age", ev.Age))
	case httpcache.Invalidated:
		attrs = append(attrs, slog.Int("entries", ev.Entries))
	}
	c.logger.LogAttrs(ctx, level, "restsql: cache "+string(ev.Kind), attrs...)
}

// SystemTable implements planner.SystemTables: sys_cache lists the
// responses the cache holds (no rows without a cache).
func (c *connector) SystemTable(parts []string) (*metadata.Table, bool) {
	if !strings.EqualFold(strings.Join(parts, "."), "sys_cache") {
		return nil, false
	}
	t := &metadata.Table{Name: "sys_cache", Columns: []metadata.Column{
		{Name: "table_name", Type: "string"}, {Name: "url", Type: "string"}, {Name: "status", Type: "int"},
		{Name: "bytes", Type: "int"}, {Name: "age_seconds", Type: "float"}, {Name: "fresh_seconds", Type: "float"},
		{Name: "etag", Type: "string"}, {Name: "last_modified", Type: "string"}, {Name: "hits", Type: "int"},
		{Name: "rows_bytes", Type: "int"}, {Name: "rows_hits", Type: "int"},
	}}
	if c.cache == nil {
		return t, true
	}
	str := func(s string) any {
		if s == "" {
			return nil
		}
		return s
	}
	for _, e := range c.cache.Entries() {
		t.Rows = append(t.Rows, []any{str(e.Tag), c.redactor.redact(e.URL), int64(e.Status), e.Bytes,
			e.Age.Seconds(), e.FreshFor.Seconds(), str(e.ETag), str(e.LastModified), e.Hits, e.MemoBytes, e.MemoHits})
	}
	return t, true
}
