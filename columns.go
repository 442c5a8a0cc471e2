package restsql

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/planner"
	"github.com/restsql/restsql/restsource"
)

// columnsFrom holds the tables of a connector whose columnsFrom: endpoint
// was read: a copy of the profile's table with the columns it lists after
// the declared ones. Each is read once per connector, or again once
// ColumnsTTL has passed; a failed read is not kept, so the next use asks
// again.
type columnsFrom struct {
	mu     sync.Mutex
	tables map[*catalog.Table]resolvedTable
	// any says whether a table has columnsFrom:, found once.
	anyOnce sync.Once
	any     bool
}

type resolvedTable struct {
	t  *catalog.Table
	at time.Time
}

// sourceContext is Source, reading a table's columnsFrom: endpoint with
// ctx when needed.
func (c *connector) sourceContext(ctx context.Context, parts []string) (*restsource.Source, error) {
	cat, t, err := c.lookup(parts)
	if err != nil {
		return nil, err
	}
	if t, err = c.withColumns(ctx, cat, t); err != nil {
		return nil, err
	}
	return c.source(cat, t)
}

// withColumns returns t with the columns of its columnsFrom: endpoint
// (t itself when it has none), reading the endpoint with ctx when it was
// not read yet or its ColumnsTTL has passed. The endpoint is read through
// the source of t as declared: its catalog's base URL, credentials and
// transport.
func (c *connector) withColumns(ctx context.Context, cat *catalog.Catalog, t *catalog.Table) (*catalog.Table, error) {
	if t.ColumnsFrom == nil {
		return t, nil
	}
	cf := &c.columns
	cf.mu.Lock()
	defer cf.mu.Unlock()
	now := time.Now()
	old, ok := cf.tables[t]
	if ok && (c.cfg.ColumnsTTL <= 0 || now.Sub(old.at) < c.cfg.ColumnsTTL) {
		return old.t, nil
	}
	declared, err := c.source(cat, t)
	if err != nil {
		return nil, err
	}
	cols, err := declared.DiscoverColumns(ctx)
	if err != nil {
		return nil, err
	}
	merged := *t
	merged.Columns = append(slices.Clone(t.Columns), cols...)
	if cf.tables == nil {
		cf.tables = map[*catalog.Table]resolvedTable{}
	}
	cf.tables[t] = resolvedTable{t: &merged, at: now}
	if ok {
		// The source of the columns read before is not used again.
		c.mu.Lock()
		delete(c.sources, old.t)
		c.mu.Unlock()
	}
	return &merged, nil
}

// hasColumnsFrom reports whether a table of the profile reads columns from
// a metadata endpoint.
func (c *connector) hasColumnsFrom() bool {
	cf := &c.columns
	cf.anyOnce.Do(func() {
		for _, cat := range c.profile.Catalogs {
			for _, s := range cat.Schemas {
				for _, t := range s.Tables {
					cf.any = cf.any || t.ColumnsFrom != nil
				}
			}
		}
	})
	return cf.any
}

// ColumnsProfile implements planner.ColumnsProfile: the profile with the
// columns of every columnsFrom: endpoint (read with ctx when needed), for
// sys_tablecolumns and information_schema.columns. The connector's own
// profile is left as it is.
func (c *connector) ColumnsProfile(ctx context.Context) (*catalog.Profile, error) {
	if !c.hasColumnsFrom() {
		return c.profile, nil
	}
	out := &catalog.Profile{Path: c.profile.Path, Catalogs: make(map[string]*catalog.Catalog, len(c.profile.Catalogs))}
	for cn, cat := range c.profile.Catalogs {
		if cat == nil {
			continue
		}
		cc := *cat
		cc.Schemas = make(map[string]*catalog.Schema, len(cat.Schemas))
		for sn, s := range cat.Schemas {
			if s == nil {
				continue
			}
			sc := *s
			sc.Tables = make(map[string]*catalog.Table, len(s.Tables))
			for tn, t := range s.Tables {
				if t != nil && t.ColumnsFrom != nil {
					var err error
					if t, err = c.withColumns(ctx, cat, t); err != nil {
						return nil, err
					}
				}
				sc.Tables[tn] = t
			}
			cc.Schemas[sn] = &sc
		}
		out.Catalogs[cn] = &cc
	}
	return out, nil
}

// forQuery returns the catalog the planner uses for a query run with ctx:
// the connector's view, whose tables read their columnsFrom: endpoint
// with the query's context when a table has one.
// With a Config.Extension, the Extension's tables and functions come
// first, bound to ctx (extension.go).
func (c *connector) forQuery(ctx context.Context) planner.Catalog {
	v := c.view()
	if c.hasColumnsFrom() {
		v.source = func(parts []string) (*restsource.Source, error) {
			return c.sourceContext(ctx, parts)
		}
	}
	if c.cfg.Extension != nil {
		return extCatalog{catalogView: v, ext: c.cfg.Extension, ctx: ctx}
	}
	return v
}
