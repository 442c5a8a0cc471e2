package restsql

import (
	"context"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/metadata"
	"github.com/restsql/restsql/planner"
)

// Extension adds tables and scalar functions of a program's own to the
// SQL of one connector (Config.Extension; not in the DSN). restsql serve
// gives its sessions PostgreSQL's pg_catalog and information_schema this
// way, with the catalog functions PostgreSQL clients call. The driver
// consults an Extension before its own system tables and functions, for
// every query it plans; ctx is the query's context (the one given to
// QueryContext), so an Extension may answer each caller differently.
//
// An Extension's tables are in-memory relations: every predicate, join,
// aggregate, ORDER BY and LIMIT of a query over them is evaluated by the
// driver, as for any other table. Its methods are called concurrently and
// must not block.
type Extension interface {
	// Table returns the table a name of one to three parts refers to
	// (pg_class, pg_catalog.pg_class), or false to let the driver resolve
	// the name. p is the connector's profile.
	Table(ctx context.Context, p *catalog.Profile, parts []string) (*metadata.Table, bool)
	// Function returns the scalar function of an upper-case name, or
	// false to let the driver use its own. p is the connector's profile.
	Function(ctx context.Context, p *catalog.Profile, name string) (*executor.Func, bool)
}

// extCatalog is the catalog a query plans against when the Config has an
// Extension: the connector's view, with the Extension's tables and
// functions bound to the query's context.
type extCatalog struct {
	catalogView
	ext Extension
	ctx context.Context
}

// SystemTable implements planner.SystemTables: the Extension's tables
// first, then the connector's.
func (e extCatalog) SystemTable(parts []string) (*metadata.Table, bool) {
	if t, ok := e.ext.Table(e.ctx, e.profile, parts); ok && t != nil {
		return t, true
	}
	return e.catalogView.SystemTable(parts)
}

// Function implements planner.Functions.
func (e extCatalog) Function(name string) (*executor.Func, bool) {
	return e.ext.Function(e.ctx, e.profile, name)
}

var (
	_ planner.Catalog        = extCatalog{}
	_ planner.ProfileCatalog = extCatalog{}
	_ planner.SystemTables   = extCatalog{}
	_ planner.ColumnsProfile = extCatalog{}
	_ planner.Functions      = extCatalog{}
)
