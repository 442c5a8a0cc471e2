package restsql

import (
	"context"
	"database/sql/driver"

	"github.com/restsql/restsql/planner"
)

// stmt is a prepared statement: parsed once, planned at each execution
// with its arguments (pushdown depends on the values).
type stmt struct {
	cn     *conn
	parsed *planner.Parsed
	closed bool
}

// Compile-time checks.
var (
	_ driver.Stmt             = (*stmt)(nil)
	_ driver.StmtQueryContext = (*stmt)(nil)
	_ driver.StmtExecContext  = (*stmt)(nil)
)

// Close implements driver.Stmt.
func (s *stmt) Close() error {
	s.closed = true
	return nil
}

// NumInput implements driver.Stmt: the number of ? placeholders, or -1
// with named parameters.
func (s *stmt) NumInput() int { return s.parsed.NumInput }

// Exec implements driver.Stmt.
func (s *stmt) Exec(args []driver.Value) (driver.Result, error) {
	return s.ExecContext(context.Background(), named(args))
}

// Query implements driver.Stmt.
func (s *stmt) Query(args []driver.Value) (driver.Rows, error) {
	return s.QueryContext(context.Background(), named(args))
}

// QueryContext implements driver.StmtQueryContext.
func (s *stmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	if s.closed || s.cn.closed.Load() {
		return nil, ErrClosed
	}
	return s.cn.query(ctx, s.parsed, args)
}

// ExecContext implements driver.StmtExecContext.
func (s *stmt) ExecContext(ctx context.Context, args []driver.NamedValue) (driver.Result, error) {
	if s.closed || s.cn.closed.Load() {
		return nil, ErrClosed
	}
	return s.cn.exec(ctx, s.parsed, args)
}

func named(args []driver.Value) []driver.NamedValue {
	out := make([]driver.NamedValue, len(args))
	for i, v := range args {
		out[i] = driver.NamedValue{Ordinal: i + 1, Value: v}
	}
	return out
}
