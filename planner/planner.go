// Package planner turns SQL text into a tree of executor operators over
// tables (package table: the driver's REST sources, system tables, tables
// in memory): it parses (sqlparser, with three-part names), binds names to
// the catalog, splits WHERE into conjuncts, offers each table's conjuncts,
// ORDER BY and LIMIT to the table (pushdown: table.Table.Supports answers
// Exact, Inexact or Unsupported per conjunct), keeps a residual filter for
// everything the table does not apply exactly, decides the LIMIT (never
// past an inexact conjunct), and builds joins, aggregates, sorts and
// limits for the rest. It imports no REST-source package: a Catalog
// resolves names to table.Tables.
package planner

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/catalog"
	ex "github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/metadata"
	"github.com/restsql/restsql/table"
)

// Catalog resolves table names.
type Catalog interface {
	// Table resolves a name of one to three parts (table, schema.table or
	// catalog.schema.table) to the table that reads it (for the driver, a
	// REST source).
	Table(parts []string) (table.Table, error)
}

// ProfileCatalog is implemented by a Catalog that exposes its profile; it
// makes the system tables (sys_tables, information_schema.columns, …)
// available to SQL.
type ProfileCatalog interface {
	Catalog
	Profile() *catalog.Profile
}

// ColumnsProfile is implemented by a ProfileCatalog whose tables may read
// columns from a metadata endpoint (columnsFrom:): the system tables that
// list columns (sys_tablecolumns, information_schema.columns) describe
// the profile it returns, with those columns; its error (the metadata
// endpoint's, naming the table and the URL) is the query's.
type ColumnsProfile interface {
	ColumnsProfile(ctx context.Context) (*catalog.Profile, error)
}

// systemProfile is the profile the system table named parts describes:
// for one that lists columns, the ColumnsProfile when the catalog has it.
func (q *query) systemProfile(pc ProfileCatalog, parts []string) (*catalog.Profile, error) {
	cp, ok := q.cat.(ColumnsProfile)
	if !ok || !strings.Contains(strings.ToLower(strings.Join(parts, ".")), "column") {
		return pc.Profile(), nil
	}
	return cp.ColumnsProfile(q.ctx)
}

// SystemTables is implemented by a Catalog that has system tables of its
// own beyond the profile's (sys_cache); they are consulted first.
type SystemTables interface {
	SystemTable(parts []string) (*metadata.Table, bool)
}

// Functions is implemented by a Catalog that has scalar functions of its
// own (restsql serve's PostgreSQL catalog functions); they are consulted
// by upper-case name before the executor's built-in ones.
type Functions interface {
	Function(name string) (*ex.Func, bool)
}

// function returns the scalar function of an upper-case name: the
// catalog's own first, then the executor's; nil when neither has it.
func (q *query) function(name string) *ex.Func {
	if fc, ok := q.cat.(Functions); ok {
		if f, ok := fc.Function(name); ok && f != nil {
			return f
		}
	}
	return ex.Funcs[name]
}

// Column describes one result column.
type Column struct {
	Name string
	// Type is a column type word: string, int, float, bool, datetime,
	// json, or "" when unknown.
	Type     ex.Type
	Nullable bool
}

// Result is an open query: its columns and the iterator over its rows.
type Result struct {
	Columns []Column
	Rows    ex.Iterator
}

// query is the state of planning one statement execution.
type query struct {
	ctx  context.Context
	cat  Catalog
	args []driver.NamedValue
	now  time.Time
	// scans lists every table scan planned for the statement.
	scans []*scanPlan
	// top is the statement being answered (not a subquery or a derived table).
	top sqlparser.SelectStatement
	// exec are the options of a write statement.
	exec ExecOptions
	// joinEstimates holds, for EXPLAIN, each join's estimate of reading
	// its inner table by key against scanning it (lookupWanted).
	joinEstimates map[*fromNode]string
}

// Query plans and opens a SELECT (or EXPLAIN SELECT).
func Query(ctx context.Context, cat Catalog, p *Parsed, args []driver.NamedValue) (*Result, error) {
	sel, ok := p.Stmt.(sqlparser.SelectStatement)
	if !ok {
		return nil, notSupportedf("planner: %s statements are not queries: use Exec", statementKind(p.Stmt))
	}
	q := &query{ctx: ctx, cat: cat, args: args, now: ex.Now(), top: sel}
	plan, err := q.planStatement(sel, nil)
	if err != nil {
		return nil, err
	}
	if p.Explain {
		return explainResult(plan), nil
	}
	it, err := plan.node.Open(ctx)
	if err != nil {
		return nil, err
	}
	return &Result{Columns: plan.columns(), Rows: it}, nil
}

func statementKind(s sqlparser.Statement) string {
	switch s.(type) {
	case *sqlparser.Insert:
		return "INSERT"
	case *sqlparser.Update:
		return "UPDATE"
	case *sqlparser.Delete:
		return "DELETE"
	case *sqlparser.Set:
		return "SET"
	case *sqlparser.DDL:
		return "DDL"
	case *sqlparser.Show:
		return "SHOW"
	}
	return strings.TrimPrefix(fmt.Sprintf("%T", s), "*sqlparser.")
}

// literal converts a parser literal (or a bound argument) to a value.
func (q *query) literal(v *sqlparser.SQLVal) (any, error) {
	switch v.Type {
	case sqlparser.StrVal:
		return string(v.Val), nil
	case sqlparser.IntVal:
		s := string(v.Val)
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return i, nil
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return nil, invalidf("planner: bad number %s", s)
		}
		return f, nil
	case sqlparser.FloatVal:
		f, err := strconv.ParseFloat(string(v.Val), 64)
		if err != nil {
			return nil, invalidf("planner: bad number %s", v.Val)
		}
		return f, nil
	case sqlparser.HexNum:
		i, err := strconv.ParseInt(string(v.Val[2:]), 16, 64)
		if err != nil {
			return nil, invalidf("planner: bad number %s", v.Val)
		}
		return i, nil
	case sqlparser.ValArg:
		return q.arg(string(v.Val[1:]))
	}
	return nil, notSupportedf("planner: literal %s is not supported", sqlparser.String(v))
}

// arg returns the value bound to a placeholder (v1 for the first ?).
func (q *query) arg(name string) (any, error) {
	if k, ok := positional(name); ok {
		for _, a := range q.args {
			if a.Name == "" && a.Ordinal == k {
				return ex.Normalize(a.Value)
			}
		}
		if k <= len(q.args) && q.args[k-1].Name == "" {
			return ex.Normalize(q.args[k-1].Value)
		}
		return nil, invalidf("planner: no value for placeholder %d (got %d arguments)", k, len(q.args))
	}
	for _, a := range q.args {
		if strings.EqualFold(a.Name, name) {
			return ex.Normalize(a.Value)
		}
	}
	return nil, invalidf("planner: no value for parameter :%s", name)
}

// sourceColumnType is the static type of a catalog column.
func sourceColumnType(c *catalog.Column) ex.Type {
	if c.Type == "" {
		return ex.TypeString
	}
	return c.Type
}
