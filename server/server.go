// Package server serves restsql over the PostgreSQL wire protocol (version
// 3), so that psql, JDBC readers (Spark, Glue), BI tools and any
// PostgreSQL driver can query REST APIs as tables.
//
// A Server speaks the simple and extended query protocols (with
// parameters, binary results for the numeric and boolean types, portals
// read a fetch size at a time, SQL cursors and COPY … TO STDOUT, all
// streaming the API's pages as rows are read), translates PostgreSQL's
// dialect ("quoted" identifiers, $n parameters, casts, ||, ~, LIMIT and
// OFFSET forms, NULLS FIRST/LAST, output column names, the array and
// catalog syntax of catalog queries) into restsql's, answers what clients
// send on connect (SET, SHOW, version()), serves pg_catalog and
// information_schema as in-memory restsql tables of the session's view
// (restsql.Extension), so that psql's \d, the JDBC driver's
// DatabaseMetaData and SQLAlchemy's inspect() run through the planner like
// any query, and runs every other
// statement through database/sql on the restsql driver. It authenticates
// users of a users file with SCRAM-SHA-256 (or a cleartext password over
// TLS), limits each user to its catalogs, honours CancelRequest and
// statement timeouts, cancels the statement of a client that goes away,
// and shuts down gracefully.
//
// A PostgreSQL database is a restsql catalog: a client that connects to
// the database named after a catalog sees that catalog alone; any other
// database name (restsql, postgres, the user's name) sees every catalog
// the user may query, and pg_catalog lists the tables of the default one.
package server

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
)

// Config configures a Server. Only Driver is required.
type Config struct {
	// Driver is the restsql configuration every session queries through
	// (restsql.ParseDSN of a DSN, or a Config built in Go). The server
	// opens it with restsql.NewConnector and database/sql; a user limited
	// to some catalogs gets a connector of those catalogs alone.
	Driver *restsql.Config
	// Users authenticates clients. Nil means trust: any user name, no
	// password, which Serve allows only on a loopback address.
	Users *Users
	// AuthMethod is AuthSCRAM (the default) or AuthPassword (a cleartext
	// password, accepted only over TLS).
	AuthMethod string
	// TLS, when set, lets clients switch to TLS (sslmode=require).
	TLS *tls.Config
	// RequireTLS refuses clients that do not switch to TLS.
	RequireTLS bool
	// MaxConnections bounds the sessions served at once; a client over
	// the bound gets SQLSTATE 53300. Default 100.
	MaxConnections int
	// QueryTimeout bounds each statement (a portal from its first to its
	// last row); 0 means none. A session's SET statement_timeout can
	// shorten it.
	QueryTimeout time.Duration
	// ShutdownTimeout is how long Serve waits, once its context is
	// cancelled, for statements and transactions in flight before it
	// cancels them. Default 10s.
	ShutdownTimeout time.Duration
	// StartupTimeout bounds a client's TLS handshake, startup and
	// authentication. Default 30s.
	StartupTimeout time.Duration
	// Logger receives connection and error events; nil discards them.
	Logger *slog.Logger
	// ScrollCursorRows bounds the rows a SCROLL cursor keeps to move
	// backward (DECLARE … SCROLL CURSOR): a FETCH that would read past it
	// fails with SQLSTATE 54000. Default DefaultScrollCursorRows.
	ScrollCursorRows int
}

// Defaults of Config.
const (
	DefaultMaxConnections  = 100
	DefaultShutdownTimeout = 10 * time.Second
	DefaultStartupTimeout  = 30 * time.Second
	// DefaultScrollCursorRows is Config.ScrollCursorRows's default.
	DefaultScrollCursorRows = 100_000
)

// serverVersion is the PostgreSQL version the server reports: clients pick
// their catalog queries by it.
const (
	serverVersion    = "15.0"
	serverVersionNum = "150000"
)

// Server serves restsql to PostgreSQL clients. Create it with New, run it
// with Serve or ListenAndServe, and Close it when Serve has returned.
type Server struct {
	cfg    Config
	logger *slog.Logger
	// catalogs are the catalogs of the driver configuration, and
	// defaultCatalog its default ("" when it has none).
	catalogs       []string
	defaultCatalog string
	full           *view
	mockSecret     []byte
	slots          chan struct{}
	started        time.Time

	mu       sync.Mutex
	views    map[string]*view
	sessions map[uint32]*session
	closing  bool
	wg       sync.WaitGroup
}

// New checks cfg, opens restsql on it and reads its catalogs.
func New(cfg Config) (*Server, error) {
	if cfg.Driver == nil {
		return nil, errors.New("server: Config.Driver is required")
	}
	switch cfg.AuthMethod {
	case "":
		cfg.AuthMethod = AuthSCRAM
	case AuthSCRAM, AuthPassword:
	default:
		return nil, fmt.Errorf("server: unknown auth method %q (want %s or %s)", cfg.AuthMethod, AuthSCRAM, AuthPassword)
	}
	if cfg.AuthMethod == AuthPassword && cfg.TLS == nil {
		return nil, errors.New("server: the password auth method sends passwords in clear text and needs TLS (set a certificate and key)")
	}
	if cfg.RequireTLS && cfg.TLS == nil {
		return nil, errors.New("server: RequireTLS needs a TLS configuration")
	}
	if cfg.ScrollCursorRows <= 0 {
		cfg.ScrollCursorRows = DefaultScrollCursorRows
	}
	if cfg.MaxConnections <= 0 {
		cfg.MaxConnections = DefaultMaxConnections
	}
	if cfg.ShutdownTimeout <= 0 {
		cfg.ShutdownTimeout = DefaultShutdownTimeout
	}
	if cfg.StartupTimeout <= 0 {
		cfg.StartupTimeout = DefaultStartupTimeout
	}
	if cfg.QueryTimeout < 0 {
		return nil, errors.New("server: QueryTimeout must not be negative")
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		cfg:      cfg,
		logger:   logger,
		slots:    make(chan struct{}, cfg.MaxConnections),
		views:    map[string]*view{},
		sessions: map[uint32]*session{},
		started:  time.Now(),
	}
	s.mockSecret = make([]byte, 32)
	if _, err := rand.Read(s.mockSecret); err != nil {
		return nil, err
	}
	full, err := newView(s, cfg.Driver, "")
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	s.catalogs, err = catalogNames(full.db)
	if err != nil {
		full.db.Close()
		return nil, fmt.Errorf("server: reading the catalogs: %w", err)
	}
	s.defaultCatalog = resolveName(cfg.Driver.DefaultCatalog, s.catalogs)
	if s.defaultCatalog == "" && len(s.catalogs) == 1 {
		s.defaultCatalog = s.catalogs[0]
	}
	full.defaultCatalog = s.defaultCatalog
	s.full = full
	s.views[""] = full
	if cfg.Users != nil {
		for _, name := range cfg.Users.Names() {
			u, _ := cfg.Users.Lookup(name)
			for i, c := range u.Catalogs {
				canon := resolveName(c, s.catalogs)
				if canon == "" {
					full.db.Close()
					return nil, fmt.Errorf("server: user %s: no catalog %q (have %s)", name, c, strings.Join(s.catalogs, ", "))
				}
				u.Catalogs[i] = canon
			}
		}
	}
	return s, nil
}

// catalogNames lists the catalogs through sys_catalogs.
func catalogNames(db *sql.DB) ([]string, error) {
	rows, err := db.Query("SELECT CatalogName FROM sys_catalogs ORDER BY CatalogName")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}

// resolveName finds name among names, ignoring case; "" when absent.
func resolveName(name string, names []string) string {
	if name == "" {
		return ""
	}
	for _, n := range names {
		if n == name {
			return n
		}
	}
	for _, n := range names {
		if strings.EqualFold(n, name) {
			return n
		}
	}
	return ""
}

// view is what a session sees: restsql opened on the catalogs it may
// query, through database/sql.
type view struct {
	db *sql.DB
	// catalogs are the view's catalogs; nil in the full view means all.
	catalogs       []string
	defaultCatalog string

	mu   sync.Mutex
	meta *metadata
}

// newView opens restsql on cfg restricted to keep (all catalogs when
// keep is empty).
func newView(s *Server, base *restsql.Config, defaultCatalog string, keep ...string) (*view, error) {
	cfg := base.Clone()
	if len(keep) > 0 {
		var err error
		if cfg, err = restrict(base, defaultCatalog, keep); err != nil {
			return nil, err
		}
	}
	// pg_catalog, information_schema and the catalog functions are the
	// view's own tables and functions in restsql.
	v := &view{catalogs: keep}
	cfg.Extension = &pgExtension{srv: s, view: v}
	conn, err := restsql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	v.db = sql.OpenDB(conn)
	v.db.SetMaxIdleConns(32)
	return v, nil
}

// restrict returns a copy of base that has only the catalogs keep. The
// DSN's URL and auth overrides stay with the default catalog when it is
// kept, and are dropped with it otherwise.
func restrict(base *restsql.Config, defaultCatalog string, keep []string) (*restsql.Config, error) {
	var all []*catalog.Catalog
	if base.Profile != "" {
		path, err := base.Resolved(base.Profile)
		if err != nil {
			return nil, fmt.Errorf("restsql: dsn: Profile: %w", err)
		}
		p, err := catalog.Load(path)
		if err != nil {
			return nil, err
		}
		for _, n := range p.CatalogNames() {
			c, _ := p.Catalog(n)
			all = append(all, c)
		}
	}
	all = append(all, base.Catalogs...)
	cfg := base.Clone()
	cfg.Profile = ""
	cfg.Catalogs = nil
	for _, c := range all {
		if c != nil && resolveName(c.Name, keep) != "" {
			cfg.Catalogs = append(cfg.Catalogs, c)
		}
	}
	if len(cfg.Catalogs) == 0 {
		return nil, fmt.Errorf("no catalog %s", strings.Join(keep, ", "))
	}
	if defaultCatalog == "" || resolveName(defaultCatalog, keep) == "" {
		cfg.DefaultCatalog, cfg.DefaultSchema, cfg.URL, cfg.AuthScheme = "", "", "", ""
	}
	return cfg, nil
}

// viewFor returns the view of a user (nil in trust mode) connecting to
// database, and the name current_database() reports. The databases are
// the catalogs, restsql and postgres (all catalogs), and the user's name,
// which clients use when they are given no database.
func (s *Server) viewFor(u *User, userName, database string) (*view, string, error) {
	var allowed []string
	if u != nil && len(u.Catalogs) > 0 {
		allowed = u.Catalogs
	}
	keep := allowed
	current := database
	if cat := resolveName(database, s.catalogs); cat != "" {
		if allowed != nil && resolveName(cat, allowed) == "" {
			return nil, "", fatalf(codeInsufficientPriv, "permission denied for database %q", database)
		}
		keep, current = []string{cat}, cat
	} else {
		switch name := strings.ToLower(database); {
		case name == "" || name == "restsql" || name == "postgres" || database == userName:
		default:
			return nil, "", fatalf(codeInvalidCatalogName, "database %q does not exist (the databases are restsql and the catalogs %s)", database, strings.Join(s.catalogs, ", "))
		}
	}
	if keep == nil {
		return s.full, current, nil
	}
	sorted := append([]string(nil), keep...)
	sort.Strings(sorted)
	key := strings.Join(sorted, "\x00")
	s.mu.Lock()
	v := s.views[key]
	s.mu.Unlock()
	if v != nil {
		return v, current, nil
	}
	// Open the view without the lock (it may read a profile file); the
	// first of two sessions that race to open it wins.
	v, err := newView(s, s.cfg.Driver, s.defaultCatalog, sorted...)
	if err != nil {
		return nil, "", err
	}
	v.defaultCatalog = s.defaultCatalog
	if resolveName(s.defaultCatalog, sorted) == "" {
		v.defaultCatalog = ""
		if len(sorted) == 1 {
			v.defaultCatalog = sorted[0]
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		v.db.Close()
		return nil, "", fatalf(codeAdminShutdown, "the server is shutting down")
	}
	if prev := s.views[key]; prev != nil {
		v.db.Close()
		return prev, current, nil
	}
	s.views[key] = v
	return v, current, nil
}

// metadata returns the view's catalog facts, loading them on first use.
func (v *view) metadata(ctx context.Context) (*metadata, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.meta != nil {
		return v.meta, nil
	}
	m, err := loadMetadata(ctx, v.db, v.defaultCatalog)
	if err != nil {
		return nil, err
	}
	v.meta = m
	return m, nil
}

// databases lists the names current_database() may take in the view.
func (s *Server) databases(v *view) []string {
	if v.catalogs != nil {
		return append([]string(nil), v.catalogs...)
	}
	return append([]string(nil), s.catalogs...)
}

// ListenAndServe listens on addr (TCP) and serves until ctx is cancelled.
func (s *Server) ListenAndServe(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	return s.Serve(ctx, ln)
}

// Serve accepts clients on ln until ctx is cancelled, then shuts down:
// it stops accepting, ends idle sessions at once, lets statements and
// transactions in flight finish for up to ShutdownTimeout, then cancels
// them and closes their connections. It closes ln.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	if s.cfg.Users == nil && !isLoopback(ln.Addr()) {
		ln.Close()
		return fmt.Errorf("server: without a users file the server trusts every client and listens only on a loopback address, not %s", ln.Addr())
	}
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		select {
		case <-ctx.Done():
		case <-stop:
		}
		ln.Close()
	}()
	s.logger.Info("restsql serve: listening", "addr", ln.Addr().String(), "auth", s.authLabel())
	var acceptErr error
	backoff := 5 * time.Millisecond
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				time.Sleep(backoff)
				backoff = min(2*backoff, time.Second)
				continue
			}
			acceptErr = fmt.Errorf("server: accept: %w", err)
			break
		}
		backoff = 5 * time.Millisecond
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(c)
		}()
	}
	s.shutdown()
	return acceptErr
}

func (s *Server) authLabel() string {
	if s.cfg.Users == nil {
		return "trust"
	}
	return s.cfg.AuthMethod
}

// shutdown ends every session: idle ones at once, busy ones when their
// statement or transaction ends, or when ShutdownTimeout passes.
func (s *Server) shutdown() {
	s.mu.Lock()
	s.closing = true
	sessions := s.sessionList()
	s.mu.Unlock()
	for _, ss := range sessions {
		ss.beginShutdown()
	}
	done := make(chan struct{})
	go func() {
		s.wg.Wait()
		close(done)
	}()
	grace := time.NewTimer(s.cfg.ShutdownTimeout)
	defer grace.Stop()
	select {
	case <-done:
		return
	case <-grace.C:
	}
	s.mu.Lock()
	sessions = s.sessionList()
	s.mu.Unlock()
	s.logger.Warn("restsql serve: cancelling the statements still running", "sessions", len(sessions))
	for _, ss := range sessions {
		ss.forceClose()
	}
	final := time.NewTimer(5 * time.Second)
	defer final.Stop()
	select {
	case <-done:
	case <-final.C:
		s.logger.Error("restsql serve: sessions did not end after their connections were closed")
	}
}

func (s *Server) sessionList() []*session {
	out := make([]*session, 0, len(s.sessions))
	for _, ss := range s.sessions {
		out = append(out, ss)
	}
	return out
}

// Close closes the database handles of the views. Call it after Serve
// has returned.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closing = true
	var errs []error
	for k, v := range s.views {
		errs = append(errs, v.db.Close())
		delete(s.views, k)
	}
	return errors.Join(errs...)
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	if ok {
		return tcp.IP.IsLoopback()
	}
	_, isUnix := a.(*net.UnixAddr)
	return isUnix
}

// register gives a session its process ID and secret key. It fails when
// the server is shutting down.
func (s *Server) register(ss *session) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	for {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return false
		}
		pid := binary.BigEndian.Uint32(b[:4]) & 0x7fffffff
		if pid == 0 || s.sessions[pid] != nil {
			continue
		}
		ss.pid = pid
		ss.secret = b[4:8]
		s.sessions[pid] = ss
		return true
	}
}

func (s *Server) unregister(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sessions[ss.pid] == ss {
		delete(s.sessions, ss.pid)
	}
}

// cancel handles a CancelRequest: it cancels the statement running in the
// session with that process ID, when the secret key matches.
func (s *Server) cancel(req *pgproto3.CancelRequest) {
	s.mu.Lock()
	ss := s.sessions[req.ProcessID]
	s.mu.Unlock()
	if ss == nil || !ss.secretMatches(req.SecretKey) {
		s.logger.Debug("restsql serve: cancel request for no session", "pid", req.ProcessID)
		return
	}
	ss.cancelRunning(errUserCancel)
}

// handle serves one client connection.
func (s *Server) handle(c net.Conn) {
	defer c.Close()
	ss := newSession(s, c)
	if !s.register(ss) {
		ss.sendFatal(fatalf(codeAdminShutdown, "the server is shutting down"))
		return
	}
	defer s.unregister(ss)
	defer ss.close()
	if err := ss.startup(); err != nil {
		if !errors.Is(err, io.EOF) && !errors.Is(err, errSessionEnd) {
			s.logger.Debug("restsql serve: startup failed", "remote", c.RemoteAddr().String(), "err", err)
		}
		return
	}
	select {
	case s.slots <- struct{}{}:
	default:
		ss.sendFatal(fatalf(codeTooManyConnections, "sorry, too many clients already (the server's limit is %d)", s.cfg.MaxConnections))
		return
	}
	defer func() { <-s.slots }()
	s.logger.Info("restsql serve: session", "remote", c.RemoteAddr().String(), "user", ss.userName, "database", ss.database, "pid", ss.pid)
	ss.serve()
}
