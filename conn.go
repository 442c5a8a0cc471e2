package restsql

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	"github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/internal/errcode"
	"github.com/restsql/restsql/planner"
	"github.com/restsql/restsql/restsource"
)

// conn is one database/sql connection. It holds no network state of its
// own (HTTP connections are pooled by the connector's client), so it is
// cheap; what it guards is its closed state.
type conn struct {
	c      *connector
	closed atomic.Bool
	// readOnly is set while a read-only transaction is open: writes are
	// refused until it ends.
	readOnly atomic.Bool
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
	p, err := cn.parse(query)
	if err != nil {
		return nil, err
	}
	return &stmt{cn: cn, parsed: p}, nil
}

// parse reads a statement with the connection's SQL options (AnsiQuotes).
func (cn *conn) parse(query string) (*planner.Parsed, error) {
	return planner.ParseWith(query, planner.ParseOptions{AnsiQuotes: cn.c.cfg.AnsiQuotes})
}

// QueryContext implements driver.QueryerContext.
func (cn *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if cn.closed.Load() {
		return nil, driver.ErrBadConn
	}
	p, err := cn.parse(query)
	if err != nil {
		return nil, err
	}
	return cn.query(ctx, p, args)
}

func (cn *conn) query(ctx context.Context, p *planner.Parsed, args []driver.NamedValue) (driver.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkArgs(p, args); err != nil {
		return nil, err
	}
	ctx, cancel := cn.c.withQueryTimeout(ctx)
	ctx, ql := cn.c.startQuery(ctx, p.SQL, len(args)) // logging.go
	res, err := planner.Query(ctx, cn.c.forQuery(ctx), p, args)
	if err != nil {
		cancel()
		err = cn.c.redactError(err)
		ql.failed(err)
		return nil, err
	}
	r := newRows(res)
	r.redact = cn.c.redactError
	r.cancel = cancel
	return ql.rows(r), nil
}

// checkArgs refuses a statement given more or fewer arguments than it has
// ? placeholders (database/sql checks this only for prepared statements).
func checkArgs(p *planner.Parsed, args []driver.NamedValue) error {
	if p.NumInput >= 0 && len(args) != p.NumInput {
		return errcode.Errorf(errcode.InvalidSQL, "restsql: the statement has %d ? placeholders but %d arguments were given", p.NumInput, len(args))
	}
	return nil
}

// ExecContext implements driver.ExecerContext.
func (cn *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if cn.closed.Load() {
		return nil, driver.ErrBadConn
	}
	p, err := cn.parse(query)
	if err != nil {
		return nil, err
	}
	return cn.exec(ctx, p, args)
}

// exec runs an INSERT, UPDATE or DELETE: planner.Exec reads what it must
// and sends the writes.
func (cn *conn) exec(ctx context.Context, p *planner.Parsed, args []driver.NamedValue) (driver.Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if cn.readOnly.Load() {
		return nil, errcode.Errorf(errcode.NotSupported, "restsql: %s in a read-only transaction: run writes outside the transaction", statementName(p))
	}
	if err := checkArgs(p, args); err != nil {
		return nil, err
	}
	ctx, cancel := cn.c.withQueryTimeout(ctx)
	defer cancel()
	ctx, ql := cn.c.startQuery(ctx, p.SQL, len(args)) // logging.go
	res, err := planner.ExecWith(ctx, cn.c.forQuery(ctx), p, args, planner.ExecOptions{AllowUnfiltered: cn.c.cfg.AllowUnfilteredWrites})
	if err != nil {
		var nw *restsource.NoWriteError
		var uf *planner.UnfilteredError
		switch {
		case errors.As(err, &nw):
			err = fmt.Errorf("%w: %w", ErrNotSupported, err)
		case errors.As(err, &uf):
			err = fmt.Errorf("restsql: %w; or allow such statements with the DSN property SafeUpdates=false (Config.AllowUnfilteredWrites in Go)", err)
		}
		err = cn.c.redactError(err)
		ql.failed(err)
		return nil, err
	}
	if ql != nil {
		// rows is the number of rows the API accepted.
		ql.summary(slog.LevelInfo, "exec done", res.RowsAffected, nil)
	}
	return result{w: res}, nil
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
	if opts.Isolation != driver.IsolationLevel(sql.LevelDefault) {
		// Nothing isolates one API read from another: promising a level
		// would be a lie.
		return nil, notSupported("isolation level %s (REST APIs offer none); use the default level", sql.IsolationLevel(opts.Isolation))
	}
	cn.readOnly.Store(true)
	return &tx{cn: cn}, nil
}

// tx is a read-only transaction: it only keeps writes out while it is open.
type tx struct{ cn *conn }

// Commit implements driver.Tx.
func (t *tx) Commit() error {
	t.cn.readOnly.Store(false)
	return nil
}

// Rollback implements driver.Tx.
func (t *tx) Rollback() error {
	t.cn.readOnly.Store(false)
	return nil
}

// statementName names a write statement in messages.
func statementName(p *planner.Parsed) string {
	switch k := p.Kind(); k {
	case "INSERT", "UPDATE", "DELETE":
		return k
	}
	return "a write"
}

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

// Ping implements driver.Pinger: it checks that the default catalog's API
// answers (connector.ping: its ping URL, else an HTTP request to its base
// URL).
func (cn *conn) Ping(ctx context.Context) error {
	if cn.closed.Load() {
		return driver.ErrBadConn
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return cn.c.ping(ctx)
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
