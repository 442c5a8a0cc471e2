package server

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// maxMessageLen bounds one protocol message from a client.
const maxMessageLen = 64 << 20

// flushBytes is how much row data is buffered before it is written.
const flushBytes = 32 << 10

var (
	errSessionEnd = errors.New("session ended")
	errEndOfRows  = io.EOF
)

// session is one client connection.
type session struct {
	srv    *Server
	conn   net.Conn
	reader *clientReader
	be     *pgproto3.Backend
	out    *wireWriter // under be: what flush writes
	tls    *tls.Conn
	pid    uint32
	secret []byte

	userName string
	database string
	view     *view
	settings *settings

	txStatus       byte // 'I' idle, 'T' in a transaction, 'E' in a failed transaction
	stmts          map[string]*prepared
	portals        map[string]*portal
	cursors        map[string]*cursor
	ignoreTillSync bool
	pending        int // bytes written since the last flush

	baseCtx    context.Context
	baseCancel context.CancelCauseFunc

	mu       sync.Mutex
	shutting bool
	waiting  bool // blocked reading a message after ReadyForQuery, outside a transaction
	ready    bool // ReadyForQuery was the last message sent
	running  context.CancelCauseFunc
	// readySent mirrors ready for the session's goroutine, which alone
	// sends, so that send takes the lock only when it changes.
	readySent bool
}

func newSession(s *Server, c net.Conn) *session {
	ctx, cancel := context.WithCancelCause(context.Background())
	r := newClientReader(c)
	out := &wireWriter{w: c}
	ss := &session{
		srv:        s,
		conn:       c,
		reader:     r,
		be:         newBackend(r, out),
		out:        out,
		txStatus:   'I',
		stmts:      map[string]*prepared{},
		portals:    map[string]*portal{},
		cursors:    map[string]*cursor{},
		baseCtx:    ctx,
		baseCancel: cancel,
	}
	// The session rides on every statement's context: restsql hands it
	// to pgExtension, which answers pg_catalog for it.
	ss.baseCtx = context.WithValue(ctx, sessionKey{}, ss)
	return ss
}

func newBackend(r *clientReader, w *wireWriter) *pgproto3.Backend {
	be := pgproto3.NewBackend(r, w)
	be.SetMaxBodyLen(maxMessageLen)
	return be
}

func (ss *session) secretMatches(key []byte) bool {
	return len(key) == len(ss.secret) && subtle.ConstantTimeCompare(key, ss.secret) == 1
}

// close releases the session's portals and contexts.
func (ss *session) close() {
	for name, p := range ss.portals {
		p.close()
		delete(ss.portals, name)
	}
	ss.closeCursors(func(*cursor) bool { return true })
	ss.baseCancel(errSessionEnd)
	ss.reader.stop()
}

// clientGone cancels what the session runs, and whatever it would run
// next, when its client has closed the connection: the API requests of
// its statement stop.
func (ss *session) clientGone(err error) {
	ss.baseCancel(fmt.Errorf("%w: %v", errClientGone, err))
}

// beginShutdown asks the session to end: at once when it is waiting for
// a client outside a transaction, otherwise when its statement or
// transaction ends.
func (ss *session) beginShutdown() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.shutting = true
	if ss.waiting || ss.userName == "" {
		// Waiting for the next statement, or still in startup.
		_ = ss.conn.SetReadDeadline(time.Now())
	}
}

// forceClose cancels what the session runs and unblocks its reads; its
// last writes (the FATAL error) get a moment.
func (ss *session) forceClose() {
	ss.baseCancel(errShutdown)
	ss.mu.Lock()
	defer ss.mu.Unlock()
	_ = ss.conn.SetReadDeadline(time.Now())
	_ = ss.conn.SetWriteDeadline(time.Now().Add(time.Second))
}

// cancelRunning cancels the statement running now, if any.
func (ss *session) cancelRunning(cause error) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.running != nil {
		ss.running(cause)
	}
}

func (ss *session) setRunning(cancel context.CancelCauseFunc) {
	ss.mu.Lock()
	ss.running = cancel
	ss.mu.Unlock()
}

// send buffers a message; flush writes the buffer.
func (ss *session) send(msg pgproto3.BackendMessage) {
	ss.be.Send(msg)
	if _, isReady := msg.(*pgproto3.ReadyForQuery); isReady != ss.readySent {
		ss.readySent = isReady
		ss.mu.Lock()
		ss.ready = isReady
		ss.mu.Unlock()
	}
}

func (ss *session) flush() error {
	ss.pending = 0
	if err := ss.be.Flush(); err != nil {
		return err
	}
	return ss.out.flush()
}

func (ss *session) sendFatal(e *sqlError) {
	e.Severity = "FATAL"
	ss.send(e.response())
	_ = ss.flush()
}

// startup runs the startup phase: TLS negotiation, the startup message,
// authentication, and the choice of view. A CancelRequest is handled and
// ends the connection.
func (ss *session) startup() error {
	srv := ss.srv
	_ = ss.conn.SetDeadline(time.Now().Add(srv.cfg.StartupTimeout))
	var startup *pgproto3.StartupMessage
	for startup == nil {
		msg, err := ss.be.ReceiveStartupMessage()
		if err != nil {
			return err
		}
		switch m := msg.(type) {
		case *pgproto3.CancelRequest:
			srv.cancel(m)
			return errSessionEnd
		case *pgproto3.SSLRequest:
			if ss.tls != nil || srv.cfg.TLS == nil {
				if _, err := ss.conn.Write([]byte{'N'}); err != nil {
					return err
				}
				continue
			}
			if _, err := ss.conn.Write([]byte{'S'}); err != nil {
				return err
			}
			tc := tls.Server(ss.conn, srv.cfg.TLS)
			if err := tc.Handshake(); err != nil {
				return fmt.Errorf("TLS handshake: %w", err)
			}
			ss.mu.Lock()
			ss.tls, ss.conn = tc, tc
			ss.mu.Unlock()
			ss.reader = newClientReader(tc)
			ss.out = &wireWriter{w: tc}
			ss.be = newBackend(ss.reader, ss.out)
		case *pgproto3.GSSEncRequest:
			if _, err := ss.conn.Write([]byte{'N'}); err != nil {
				return err
			}
		case *pgproto3.StartupMessage:
			startup = m
		default:
			return fmt.Errorf("unexpected startup message %T", msg)
		}
	}
	if srv.cfg.RequireTLS && ss.tls == nil {
		ss.sendFatal(fatalf(codeInvalidAuthorization, "the server accepts TLS connections only (connect with sslmode=require)"))
		return errSessionEnd
	}
	if startup.ProtocolVersion != pgproto3.ProtocolVersion30 {
		// A newer minor version (3.2): answer with 3.0 and carry on.
		var unknown []string
		for k := range startup.Parameters {
			if strings.HasPrefix(k, "_pq_.") {
				unknown = append(unknown, k)
			}
		}
		ss.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unknown})
	}
	user := startup.Parameters["user"]
	if user == "" {
		ss.sendFatal(fatalf(codeInvalidAuthorization, "no PostgreSQL user name specified in startup packet"))
		return errSessionEnd
	}
	database := startup.Parameters["database"]
	if database == "" {
		database = user
	}
	u, err := ss.authenticate(user)
	if err != nil {
		var se *sqlError
		if errors.As(err, &se) {
			srv.logger.Info("restsql serve: authentication failed", "remote", ss.conn.RemoteAddr().String(), "user", user)
			ss.sendFatal(se)
			return errSessionEnd
		}
		return err
	}
	v, current, err := srv.viewFor(u, user, database)
	if err != nil {
		ss.sendFatal(toSQLError(context.Background(), err))
		return errSessionEnd
	}
	ss.view, ss.database = v, current
	ss.settings = newSettings(user, startup.Parameters)
	ss.send(&pgproto3.AuthenticationOk{})
	ss.mu.Lock()
	ss.userName = user
	shutting := ss.shutting
	ss.mu.Unlock()
	if shutting {
		ss.sendFatal(fatalf(codeAdminShutdown, "the server is shutting down"))
		return errSessionEnd
	}
	if err := ss.flush(); err != nil {
		return err
	}
	return ss.conn.SetDeadline(time.Time{})
}

// authenticate checks the user's password, by SCRAM-SHA-256 or as a
// cleartext password over TLS. Without users it trusts the client.
func (ss *session) authenticate(name string) (*User, error) {
	srv := ss.srv
	if srv.cfg.Users == nil {
		return nil, nil
	}
	u, known := srv.cfg.Users.Lookup(name)
	failed := fatalf(codeInvalidPassword, "password authentication failed for user %q", name)
	if srv.cfg.AuthMethod == AuthPassword {
		if ss.tls == nil {
			return nil, fatalf(codeInvalidAuthorization, "password authentication needs TLS: connect with sslmode=require")
		}
		ss.send(&pgproto3.AuthenticationCleartextPassword{})
		if err := ss.flush(); err != nil {
			return nil, err
		}
		_ = ss.be.SetAuthType(pgproto3.AuthTypeCleartextPassword)
		msg, err := ss.be.Receive()
		if err != nil {
			return nil, err
		}
		pm, ok := msg.(*pgproto3.PasswordMessage)
		if !ok {
			return nil, fatalf(codeProtocolViolation, "expected a password message, got %T", msg)
		}
		if !known || !u.verifier.checkPassword(pm.Password) {
			return nil, failed
		}
		return u, nil
	}
	verifier := mockVerifier(srv.mockSecret, name)
	if known {
		verifier = u.verifier
	}
	sc := &scramServer{verifier: verifier}
	if ss.tls != nil && len(srv.cfg.TLS.Certificates) == 1 && srv.cfg.TLS.GetCertificate == nil {
		sc.cbData = tlsServerEndPoint(&srv.cfg.TLS.Certificates[0])
	}
	ss.send(&pgproto3.AuthenticationSASL{AuthMechanisms: sc.mechanisms()})
	if err := ss.flush(); err != nil {
		return nil, err
	}
	_ = ss.be.SetAuthType(pgproto3.AuthTypeSASL)
	msg, err := ss.be.Receive()
	if err != nil {
		return nil, err
	}
	initial, ok := msg.(*pgproto3.SASLInitialResponse)
	if !ok {
		return nil, fatalf(codeProtocolViolation, "expected a SASL initial response, got %T", msg)
	}
	serverFirst, err := sc.first(initial.AuthMechanism, initial.Data)
	if err != nil {
		return nil, fatalf(codeInvalidAuthorization, "SCRAM: %v", err)
	}
	ss.send(&pgproto3.AuthenticationSASLContinue{Data: serverFirst})
	if err := ss.flush(); err != nil {
		return nil, err
	}
	_ = ss.be.SetAuthType(pgproto3.AuthTypeSASLContinue)
	msg, err = ss.be.Receive()
	if err != nil {
		return nil, err
	}
	resp, ok := msg.(*pgproto3.SASLResponse)
	if !ok {
		return nil, fatalf(codeProtocolViolation, "expected a SASL response, got %T", msg)
	}
	serverFinal, proofOK, err := sc.final(resp.Data)
	if err != nil {
		return nil, fatalf(codeInvalidAuthorization, "SCRAM: %v", err)
	}
	if !proofOK || !known {
		return nil, failed
	}
	ss.send(&pgproto3.AuthenticationSASLFinal{Data: serverFinal})
	return u, nil
}

// serve sends the session's parameters and runs its message loop.
func (ss *session) serve() {
	for _, p := range ss.settings.reported() {
		ss.send(&pgproto3.ParameterStatus{Name: p[0], Value: p[1]})
	}
	ss.send(&pgproto3.BackendKeyData{ProcessID: ss.pid, SecretKey: ss.secret})
	ss.send(&pgproto3.ReadyForQuery{TxStatus: ss.txStatus})
	if err := ss.flush(); err != nil {
		return
	}
	// From now on the client's bytes are read ahead, so that a client
	// gone while a statement runs cancels it.
	ss.reader.start(ss.clientGone)
	for {
		msg, err := ss.receive()
		if err != nil {
			if errors.Is(err, errShutdown) {
				ss.sendFatal(fatalf(codeAdminShutdown, "%s", errShutdown.Error()))
			} else if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, net.ErrClosed) {
				var tooLong *pgproto3.ExceededMaxBodyLenErr
				if errors.As(err, &tooLong) {
					ss.sendFatal(fatalf(codeProtocolViolation, "message of %d bytes is too long (at most %d)", tooLong.ActualBodyLen, tooLong.MaxExpectedBodyLen))
				}
				ss.srv.logger.Debug("restsql serve: read failed", "pid", ss.pid, "err", err)
			}
			return
		}
		if err := ss.dispatch(msg); err != nil {
			if errors.Is(err, errSessionEnd) {
				return
			}
			var se *sqlError
			if errors.As(err, &se) && se.Severity == "FATAL" {
				ss.sendFatal(se)
				return
			}
			ss.srv.logger.Debug("restsql serve: session ended", "pid", ss.pid, "err", err)
			return
		}
	}
}

// receive reads the next message. When the server shuts down while the
// session waits outside a transaction, it returns errShutdown.
func (ss *session) receive() (pgproto3.FrontendMessage, error) {
	ss.mu.Lock()
	idle := ss.ready && ss.txStatus == 'I'
	if ss.shutting && idle {
		ss.mu.Unlock()
		return nil, errShutdown
	}
	ss.waiting = idle
	ss.mu.Unlock()
	msg, err := ss.be.Receive()
	ss.mu.Lock()
	ss.waiting = false
	shutting := ss.shutting
	ss.mu.Unlock()
	if err != nil && shutting {
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil, errShutdown
		}
	}
	return msg, err
}

// dispatch handles one message. An error it returns ends the session.
func (ss *session) dispatch(msg pgproto3.FrontendMessage) error {
	switch m := msg.(type) {
	case *pgproto3.Query:
		ss.ignoreTillSync = false
		if err := ss.simpleQuery(m.String); err != nil {
			return err
		}
		ss.send(&pgproto3.ReadyForQuery{TxStatus: ss.txStatus})
		return ss.flush()
	case *pgproto3.Sync:
		ss.ignoreTillSync = false
		if ss.txStatus == 'I' {
			// The implicit transaction of the extended query ends.
			ss.closePortals()
		}
		ss.send(&pgproto3.ReadyForQuery{TxStatus: ss.txStatus})
		return ss.flush()
	case *pgproto3.Terminate:
		return errSessionEnd
	case *pgproto3.Flush:
		return ss.flush()
	}
	if ss.ignoreTillSync {
		return nil
	}
	var err error
	switch m := msg.(type) {
	case *pgproto3.Parse:
		err = ss.parse(m)
	case *pgproto3.Bind:
		err = ss.bind(m)
	case *pgproto3.Describe:
		err = ss.describe(m)
	case *pgproto3.Execute:
		err = ss.execute(m)
	case *pgproto3.Close:
		err = ss.closeMessage(m)
	case *pgproto3.FunctionCall:
		err = sqlErrorf(codeFeatureNotSupported, "the function call protocol is not supported")
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Outside COPY these are ignored, as PostgreSQL does.
		return nil
	default:
		return fatalf(codeProtocolViolation, "unexpected message %T", msg)
	}
	if err != nil {
		if errors.Is(err, errSessionEnd) {
			return err
		}
		se := toSQLError(context.Background(), err)
		if se.Severity == "FATAL" {
			return se
		}
		ss.sendError(se)
		ss.ignoreTillSync = true
	}
	if ss.pending >= flushBytes {
		return ss.flush()
	}
	return nil
}

// sendError sends an error and marks a transaction in progress failed.
func (ss *session) sendError(se *sqlError) {
	if se.Code != codeQueryCanceled || se.Severity == "" {
		ss.srv.logger.Debug("restsql serve: error", "pid", ss.pid, "code", se.Code, "err", se.Message)
	}
	ss.send(se.response())
	if ss.txStatus == 'T' {
		ss.txStatus = 'E'
	}
}

// closePortals drops every portal, at the end of a transaction.
func (ss *session) closePortals() {
	for name, p := range ss.portals {
		p.close()
		delete(ss.portals, name)
	}
}

// simpleQuery runs the statements of a Query message in turn; the first
// error ends the run. It returns an error only when the session must end.
func (ss *session) simpleQuery(text string) error {
	toks, err := lexSQL(text, ss.settings.standardStrings)
	if err != nil {
		ss.sendError(toSQLError(context.Background(), err))
		return nil
	}
	stmts := splitStatements(toks)
	if len(stmts) == 0 {
		ss.send(&pgproto3.EmptyQueryResponse{})
		return nil
	}
	for _, st := range stmts {
		p, err := ss.prepare(st, nil)
		if err == nil {
			err = ss.checkTxState(p)
		}
		if err != nil {
			ss.sendError(toSQLError(context.Background(), err))
			return nil
		}
		pt := &portal{stmt: p}
		err = ss.runPortal(pt, 0, true)
		if err != nil {
			se := toSQLError(pt.ctx, err)
			pt.close()
			if errors.Is(err, errSessionEnd) {
				return err
			}
			if se.Severity == "FATAL" {
				return se
			}
			ss.sendError(se)
			return nil
		}
		pt.close()
	}
	return nil
}

// checkTxState refuses statements in a failed transaction, except those
// that end it.
func (ss *session) checkTxState(p *prepared) error {
	if ss.txStatus == 'E' && p.kind != kindCommit && p.kind != kindRollback {
		return sqlErrorf(codeInFailedTx, "current transaction is aborted, commands ignored until end of transaction block")
	}
	return nil
}

func (ss *session) parse(m *pgproto3.Parse) error {
	if m.Name != "" {
		if _, exists := ss.stmts[m.Name]; exists {
			return sqlErrorf(codeDuplicateStatement, "prepared statement %q already exists", m.Name)
		}
	}
	toks, err := lexSQL(m.Query, ss.settings.standardStrings)
	if err != nil {
		return err
	}
	stmts := splitStatements(toks)
	var p *prepared
	switch len(stmts) {
	case 0:
		p = &prepared{kind: kindEmpty}
	case 1:
		if p, err = ss.prepare(stmts[0], m.ParameterOIDs); err != nil {
			return err
		}
	default:
		return sqlErrorf(codeSyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	p.name = m.Name
	ss.stmts[m.Name] = p
	ss.send(&pgproto3.ParseComplete{})
	return nil
}

func (ss *session) bind(m *pgproto3.Bind) error {
	p := ss.stmts[m.PreparedStatement]
	if p == nil {
		return sqlErrorf(codeUndefinedStatement, "prepared statement %q does not exist", m.PreparedStatement)
	}
	if m.DestinationPortal != "" {
		if _, exists := ss.cursors[m.DestinationPortal]; exists {
			return sqlErrorf(codeDuplicateCursor, "cursor %q already exists", m.DestinationPortal)
		}
		if _, exists := ss.portals[m.DestinationPortal]; exists {
			return sqlErrorf(codeDuplicateCursor, "portal %q already exists", m.DestinationPortal)
		}
	} else if old := ss.portals[""]; old != nil {
		old.close()
		delete(ss.portals, "")
	}
	if err := ss.checkTxState(p); err != nil {
		return err
	}
	if len(m.Parameters) != len(p.paramOIDs) {
		return sqlErrorf(codeProtocolViolation, "bind message supplies %d parameters, but prepared statement %q requires %d", len(m.Parameters), m.PreparedStatement, len(p.paramOIDs))
	}
	if n := len(m.ParameterFormatCodes); n > 1 && n != len(m.Parameters) {
		return sqlErrorf(codeProtocolViolation, "bind message has %d parameter formats but %d parameters", n, len(m.Parameters))
	}
	params := make([]any, len(m.Parameters))
	for i, data := range m.Parameters {
		v, err := decodeParam(data, p.paramOIDs[i], formatAt(m.ParameterFormatCodes, i), ss.settings.location)
		if err != nil {
			var se *sqlError
			if errors.As(err, &se) {
				se.Message += fmt.Sprintf(" (parameter $%d)", i+1)
			}
			return err
		}
		params[i] = v
	}
	ss.portals[m.DestinationPortal] = &portal{name: m.DestinationPortal, stmt: p, params: params, resultFormats: append([]int16(nil), m.ResultFormatCodes...)}
	ss.send(&pgproto3.BindComplete{})
	return nil
}

func formatAt(codes []int16, i int) int16 {
	switch len(codes) {
	case 0:
		return 0
	case 1:
		return codes[0]
	}
	return codes[i]
}

func (ss *session) describe(m *pgproto3.Describe) error {
	switch m.ObjectType {
	case 'S':
		p := ss.stmts[m.Name]
		if p == nil {
			return sqlErrorf(codeUndefinedStatement, "prepared statement %q does not exist", m.Name)
		}
		cols, err := ss.describeStatement(p)
		if err != nil {
			return err
		}
		ss.send(&pgproto3.ParameterDescription{ParameterOIDs: p.paramOIDs})
		ss.sendRowDescription(cols, nil)
		return nil
	case 'P':
		pt := ss.portals[m.Name]
		if pt == nil {
			if c := ss.cursors[m.Name]; c != nil {
				// A SQL cursor is a portal too (psycopg 3 describes its
				// cursors so): its rows, in text or, BINARY, binary.
				var formats []int16
				if c.binary {
					formats = []int16{1}
				}
				ss.sendRowDescription(c.pt.cols, formats)
				return nil
			}
			return sqlErrorf(codeUndefinedCursor, "portal %q does not exist", m.Name)
		}
		if pt.stmt.kind == kindFetch {
			pt.cols = ss.fetchColumns(pt.stmt.fetch)
			if pt.cols == nil {
				ss.send(&pgproto3.NoData{})
				return nil
			}
			if err := pt.checkFormats(); err != nil {
				return err
			}
			ss.sendRowDescription(pt.cols, pt.resultFormats)
			return nil
		}
		if err := ss.openPortal(pt); err != nil {
			return toSQLError(pt.ctx, err)
		}
		if pt.rs == nil {
			ss.send(&pgproto3.NoData{})
			return nil
		}
		if err := pt.checkFormats(); err != nil {
			return err
		}
		ss.sendRowDescription(pt.cols, pt.resultFormats)
		return nil
	}
	return sqlErrorf(codeProtocolViolation, "invalid DESCRIBE message subtype %d", m.ObjectType)
}

// sendRowDescription describes columns, or sends NoData for a statement
// without rows (cols nil).
func (ss *session) sendRowDescription(cols []column, formats []int16) {
	if cols == nil {
		ss.send(&pgproto3.NoData{})
		return
	}
	fields := make([]pgproto3.FieldDescription, len(cols))
	for i, c := range cols {
		fields[i] = pgproto3.FieldDescription{
			Name:         []byte(c.name),
			DataTypeOID:  c.oid,
			DataTypeSize: c.size(),
			TypeModifier: -1,
			Format:       formatAt(formats, i),
		}
	}
	ss.send(&pgproto3.RowDescription{Fields: fields})
}

func (ss *session) execute(m *pgproto3.Execute) error {
	pt := ss.portals[m.Portal]
	if pt == nil {
		if c := ss.cursors[m.Portal]; c != nil {
			if err := ss.checkTxState(c.pt.stmt); err != nil {
				return err
			}
			return ss.executeCursor(c, int64(m.MaxRows))
		}
		return sqlErrorf(codeUndefinedCursor, "portal %q does not exist", m.Portal)
	}
	if err := ss.checkTxState(pt.stmt); err != nil {
		return err
	}
	if err := ss.runPortal(pt, int64(m.MaxRows), false); err != nil {
		if errors.Is(err, errSessionEnd) {
			return err
		}
		// A failed portal cannot go on.
		se := toSQLError(pt.ctx, err)
		pt.close()
		delete(ss.portals, m.Portal)
		return se
	}
	return nil
}

func (ss *session) closeMessage(m *pgproto3.Close) error {
	switch m.ObjectType {
	case 'S':
		delete(ss.stmts, m.Name)
	case 'P':
		if pt := ss.portals[m.Name]; pt != nil {
			pt.close()
			delete(ss.portals, m.Name)
		} else if c := ss.cursors[m.Name]; c != nil {
			c.close()
			delete(ss.cursors, m.Name)
		}
	default:
		return sqlErrorf(codeProtocolViolation, "invalid CLOSE message subtype %d", m.ObjectType)
	}
	ss.send(&pgproto3.CloseComplete{})
	return nil
}

// statementContext is the context of a statement: cancelled by a
// CancelRequest, the statement timeout, or the server's shutdown.
func (ss *session) statementContext() (context.Context, context.CancelCauseFunc) {
	ctx, cancel := context.WithCancelCause(ss.baseCtx)
	if d := ss.timeout(); d > 0 {
		tctx, tcancel := context.WithTimeoutCause(ctx, d, errStatementTimeout)
		return tctx, func(cause error) {
			cancel(cause)
			tcancel()
		}
	}
	return ctx, cancel
}

// timeout is the statement timeout: the server's, or the session's
// statement_timeout when it is shorter.
func (ss *session) timeout() time.Duration {
	d := ss.srv.cfg.QueryTimeout
	if st := ss.settings.statementTimeout; st > 0 && (d == 0 || st < d) {
		d = st
	}
	return d
}
