package restsql

import (
	"context"
	"database/sql/driver"
	"sync/atomic"

	"github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/planner"
)

// conn is one database/sql connection. It holds no network state of its
// own (HTTP connections are pooled by the connector's client), so it is
// cheap; what it guards is its closed state.
type conn struct {
	c      *connector
	closed atomic.Bool
}

// Compile-time checks.
var (
	_ driver.Conn               = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.Pinger             = (*conn)(nil)
	_ driver.Validator          = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
)

// Prepare implements driver.Conn.
func (cn *conn) Prepare(query string) (driver.Stmt, error) {
	return cn.PrepareContext(context.Background(), query)
}

// PrepareContext implements driver.ConnPrepareContext: it parses the
// statement once; each execution plans it with its arguments.
func (cn *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if cn.closed.Load() {
		return nil, driver.ErrBadConn
	}
	p, err := planner.Parse(query)
	if err != nil {
		return nil, err
	}
	return &stmt{cn: cn, parsed: p}, nil
}

// QueryContext implements driver.QueryerContext.
func (cn *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if cn.closed.Load() {
		return nil, driver.ErrBadConn
	}
	p, err := planner.Parse(query)
	if err != nil {
		return nil, err
	}
	return cn.query(ctx, p, args)
}

func (cn *conn) query(ctx context.Context, p *planner.Parsed, args []driver.NamedValue) (driver.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := planner.Query(ctx, cn.c, p, args)
	if err != nil {
		return nil, err
	}
	if l := cn.c.logger; l != nil {
		l.InfoContext(ctx, "query", "sql", p.SQL)
	}
	return newRows(res), nil
}

// ExecContext implements driver.ExecerContext.
func (cn *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if cn.closed.Load() {
		return nil, driver.ErrBadConn
	}
	p, err := planner.Parse(query)
	if err != nil {
		return nil, err
	}
	return cn.exec(ctx, p, args)
}

func (cn *conn) exec(ctx context.Context, p *planner.Parsed, args []driver.NamedValue) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return nil, notSupported("INSERT, UPDATE and DELETE are not implemented yet; SELECT works with Query")
}

// Begin implements driver.Conn.
func (cn *conn) Begin() (driver.Tx, error) {
	return cn.BeginTx(context.Background(), driver.TxOptions{ReadOnly: true})
}

// BeginTx implements driver.ConnBeginTx. REST APIs have no transactions: a
// read-only transaction is allowed and behaves like the connection; a
// read-write one is refused.
func (cn *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if cn.closed.Load() {
		return nil, driver.ErrBadConn
	}
	if !opts.ReadOnly {
		return nil, notSupported("read-write transactions (REST APIs have none); use sql.TxOptions{ReadOnly: true} or no transaction")
	}
	return tx{}, nil
}

type tx struct{}

func (tx) Commit() error   { return nil }
func (tx) Rollback() error { return nil }

// Close implements driver.Conn.
func (cn *conn) Close() error {
	cn.closed.Store(true)
	return nil
}

// CheckNamedValue implements driver.NamedValueChecker: it accepts Go's
// integer, float, string, []byte, bool and time.Time arguments as they are
// and leaves driver.Valuer and others to database/sql's default conversion.
func (cn *conn) CheckNamedValue(nv *driver.NamedValue) error {
	v, err := executor.Normalize(nv.Value)
	if err != nil {
		return driver.ErrSkip
	}
	nv.Value = v
	return nil
}

// Ping implements driver.Pinger.
func (cn *conn) Ping(ctx context.Context) error {
	if cn.closed.Load() {
		return driver.ErrBadConn
	}
	return ctx.Err()
}

// IsValid implements driver.Validator.
func (cn *conn) IsValid() bool { return !cn.closed.Load() }

// ResetSession implements driver.SessionResetter.
func (cn *conn) ResetSession(ctx context.Context) error {
	if cn.closed.Load() {
		return driver.ErrBadConn
	}
	return nil
}
