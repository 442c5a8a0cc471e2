package bench

import (
	"bufio"
	"context"
	_ "embed"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/restsql/restsql"
)

// ScenarioServe times the rows of SELECT * FROM items read through
// restsql serve (in-process, over 127.0.0.1) by pgx and by the PostgreSQL
// JDBC driver, against the direct database/sql read and against a real
// PostgreSQL 15 serving the same rows (issue 19). It is not among
// Scenarios: it needs PostgreSQL's server binaries and a JDK, and skips
// the readers whose programs are absent, with a note.
const ScenarioServe = "serve"

// The readers of the serve scenario.
const (
	NamePgxServe    = "pgx via restsql serve"
	NamePgxPostgres = "pgx via PostgreSQL 15"
	NameJDBCServe   = "JDBC via restsql serve"
	NameJDBCPg      = "JDBC via PostgreSQL 15"
)

//go:embed jdbc/ReadAll.java
var jdbcReadAll []byte

// PgxReader reads the query with pgx (the extended protocol, pgx's
// default: binary results for the types it reads in binary) on one
// connection opened at the first run and kept, scanning typed values.
func PgxReader(name, connString string, s *Server, q Query) (Reader, func()) {
	kinds := q.kinds(s)
	query := q.SQL(s)
	var conn *pgx.Conn
	closeConn := func() {
		if conn != nil {
			_ = conn.Close(context.Background())
		}
	}
	return Reader{Name: name, Kinds: kinds, Ordered: q.ordered(), Read: func(ctx context.Context, t *Tally) error {
		if conn == nil {
			c, err := pgx.Connect(ctx, connString)
			if err != nil {
				return err
			}
			conn = c
		}
		rows, err := conn.Query(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		rec, dest := scanTargets(kinds)
		for rows.Next() {
			if err := rows.Scan(dest...); err != nil {
				return err
			}
			t.Add(kinds, rec)
		}
		rows.Close()
		return rows.Err()
	}}, closeConn
}

// jdbcProgram is ReadAll.java compiled once, with the JDBC driver's jar.
type jdbcProgram struct {
	java, dir, classpath string
}

// jdbcJar is where Debian's libpostgresql-jdbc-java puts the driver
// (RESTSQL_JDBC_JAR overrides it, as for the server's client tests).
func jdbcJar() string {
	if j := os.Getenv("RESTSQL_JDBC_JAR"); j != "" {
		return j
	}
	return "/usr/share/java/postgresql.jar"
}

func compileJDBC(ctx context.Context) (*jdbcProgram, error) {
	jar := jdbcJar()
	if _, err := os.Stat(jar); err != nil {
		return nil, fmt.Errorf("the PostgreSQL JDBC driver is not at %s (apt-get install libpostgresql-jdbc-java or set RESTSQL_JDBC_JAR)", jar)
	}
	javac, err := exec.LookPath("javac")
	if err != nil {
		return nil, fmt.Errorf("no javac on PATH (apt-get install default-jdk-headless)")
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, fmt.Errorf("no java on PATH (apt-get install default-jdk-headless)")
	}
	dir, err := os.MkdirTemp("", "restsql-bench-jdbc")
	if err != nil {
		return nil, err
	}
	src := filepath.Join(dir, "ReadAll.java")
	if err := os.WriteFile(src, jdbcReadAll, 0o644); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if out, err := exec.CommandContext(ctx, javac, "-d", dir, "-cp", jar, src).CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("javac ReadAll.java: %v: %s", err, out)
	}
	return &jdbcProgram{java: java, dir: dir, classpath: dir + string(os.PathListSeparator) + jar}, nil
}

// JDBCReader reads the query with the PostgreSQL JDBC driver in a JVM
// started at the first run and kept (warm, like a Spark executor): each
// run asks ReadAll for one read and waits for its answer. It counts rows
// and checks their order; its checksum is not comparable with the Go
// readers'.
func (p *jdbcProgram) JDBCReader(name, url string, s *Server, q Query) (Reader, func()) {
	query := q.SQL(s)
	var cmd *exec.Cmd
	var stdin io.WriteCloser
	var stdout *bufio.Reader
	stop := func() {
		if cmd != nil {
			stdin.Close()
			done := make(chan struct{})
			go func() { _ = cmd.Wait(); close(done) }()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				_ = cmd.Process.Kill()
				<-done
			}
		}
	}
	return Reader{Name: name, Read: func(ctx context.Context, t *Tally) error {
		if cmd == nil {
			c := exec.Command(p.java, "-XX:+UseParallelGC", "-cp", p.classpath, "ReadAll", url, query)
			c.Stderr = os.Stderr
			in, err := c.StdinPipe()
			if err != nil {
				return err
			}
			out, err := c.StdoutPipe()
			if err != nil {
				return err
			}
			if err := c.Start(); err != nil {
				return err
			}
			cmd, stdin, stdout = c, in, bufio.NewReader(out)
			line, err := stdout.ReadString('\n')
			if err != nil || strings.TrimSpace(line) != "ready" {
				return fmt.Errorf("JDBC reader did not start: %q %v", line, err)
			}
		}
		if _, err := io.WriteString(stdin, "run\n"); err != nil {
			return err
		}
		line, err := stdout.ReadString('\n')
		if err != nil {
			return fmt.Errorf("JDBC reader: %w", err)
		}
		f := strings.Fields(line)
		if len(f) != 3 {
			return fmt.Errorf("JDBC reader answered %q", line)
		}
		t.Rows, _ = strconv.ParseInt(f[0], 10, 64)
		t.OutOfOrder, _ = strconv.ParseInt(f[1], 10, 64)
		return nil
	}}, stop
}

// ServeFunc starts restsql serve (package server, which this package may
// not import: it sits on the same layer) on cfg, listening on a port of
// 127.0.0.1, and returns that address and a function that stops it.
// restsql-bench passes one in Options.Serve.
type ServeFunc func(cfg *restsql.Config) (addr string, stop func(), err error)

// startServe serves the bench server's tables with opts.Serve and returns
// the pgx connection string and JDBC URL.
func startServe(s *Server, mc int, serve ServeFunc) (connString, jdbcURL string, stop func(), err error) {
	if serve == nil {
		return "", "", nil, fmt.Errorf("bench: scenario %s needs Options.Serve (restsql-bench sets it)", ScenarioServe)
	}
	cfg, err := s.DriverConfig(mc)
	if err != nil {
		return "", "", nil, err
	}
	addr, stop, err := serve(cfg)
	if err != nil {
		return "", "", nil, err
	}
	return "postgres://bench@" + addr + "/restsql?sslmode=disable", "jdbc:postgresql://" + addr + "/restsql?sslmode=disable", stop, nil
}

// postgres is a PostgreSQL server the serve scenario starts in a temporary
// data directory, on 127.0.0.1 only.
type postgres struct {
	dir  string
	cmd  *exec.Cmd
	port int
}

// pgBin finds a PostgreSQL 15 server program.
func pgBin(name string) (string, error) {
	for _, dir := range []string{"/usr/lib/postgresql/15/bin"} {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return exec.LookPath(name)
}

// startPostgres runs initdb and postgres (as the postgres or nobody user
// when this process is root, since PostgreSQL refuses to run as root)
// and waits until it accepts connections.
func startPostgres(ctx context.Context) (*postgres, error) {
	initdb, err := pgBin("initdb")
	if err != nil {
		return nil, fmt.Errorf("no PostgreSQL initdb (apt-get install postgresql-15)")
	}
	pgserver, err := pgBin("postgres")
	if err != nil {
		return nil, fmt.Errorf("no PostgreSQL server program (apt-get install postgresql-15)")
	}
	dir, err := os.MkdirTemp("", "restsql-bench-pg")
	if err != nil {
		return nil, err
	}
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		var u *user.User
		for _, name := range []string{"postgres", "nobody"} {
			if u, err = user.Lookup(name); err == nil {
				break
			}
		}
		if u == nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("running as root and no postgres or nobody user to run PostgreSQL as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	run := func(c *exec.Cmd) {
		c.Dir = dir
		if cred != nil {
			c.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
		}
	}
	c := exec.CommandContext(ctx, initdb, "-D", data, "-U", "bench", "-A", "trust", "--no-sync", "-E", "UTF8", "--locale", "C")
	run(c)
	if out, err := c.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v: %s", err, out)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	p := &postgres{dir: dir, port: port}
	p.cmd = exec.Command(pgserver, "-D", data, "-p", strconv.Itoa(port), "-c", "listen_addresses=127.0.0.1",
		"-c", "unix_socket_directories="+dir, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "shared_buffers=256MB",
		"-c", "TimeZone=UTC", "-c", "max_parallel_workers_per_gather=0")
	run(p.cmd)
	logf, _ := os.Create(filepath.Join(dir, "postgres.log"))
	p.cmd.Stdout, p.cmd.Stderr = logf, logf
	if err := p.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		conn, err := pgx.Connect(ctx, p.connString())
		if err == nil {
			conn.Close(ctx)
			return p, nil
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("PostgreSQL did not start: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func (p *postgres) connString() string {
	return fmt.Sprintf("postgres://bench@127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

func (p *postgres) jdbcURL() string {
	return fmt.Sprintf("jdbc:postgresql://127.0.0.1:%d/postgres?sslmode=disable", p.port)
}

func (p *postgres) stop() {
	_ = p.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
	os.RemoveAll(p.dir)
}

// load creates the items table with the bench server's columns and copies
// its rows in (the generator's values, the ones the API serves).
func (p *postgres) load(ctx context.Context, s *Server) error {
	conn, err := pgx.Connect(ctx, p.connString())
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	defs := make([]string, len(s.cols))
	names := make([]string, len(s.cols))
	for i, c := range s.cols {
		typ := map[Kind]string{KindInt: "bigint", KindFloat: "double precision", KindString: "text", KindBool: "boolean", KindTime: "timestamptz"}[c.Kind]
		defs[i] = pgx.Identifier{c.Name}.Sanitize() + " " + typ
		names[i] = c.Name
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE items ("+strings.Join(defs, ", ")+")"); err != nil {
		return err
	}
	id := int64(0)
	n := int64(s.cfg.Rows)
	src := pgx.CopyFromFunc(func() ([]any, error) {
		if id >= n {
			return nil, nil
		}
		id++
		row := make([]any, len(s.cols))
		for i, c := range s.cols {
			v := truth(c, i, id)
			switch c.Kind {
			case KindInt:
				row[i] = v.Int
			case KindFloat:
				row[i] = v.Float
			case KindString:
				row[i] = v.Str
			case KindBool:
				row[i] = v.Bool
			case KindTime:
				row[i] = v.Time
			}
		}
		return row, nil
	})
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"items"}, names, src); err != nil {
		return err
	}
	// COPY's bulk insertion leaves a few rows out of id order in the heap
	// (the last free slots of earlier pages): CLUSTER rewrites it in id
	// order, the API's.
	for _, stmt := range []string{"CREATE INDEX items_id ON items (id)", "CLUSTER items USING items_id", "VACUUM ANALYZE items"} {
		if _, err := conn.Exec(ctx, stmt); err != nil {
			return fmt.Errorf("%s: %w", stmt, err)
		}
	}
	return nil
}

// loadAverage is /proc/loadavg's first three fields, or "" elsewhere.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}

// runServe is ScenarioServe.
func runServe(ctx context.Context, opts Options) (Report, error) {
	const mc = 4
	cfg := Config{Rows: 200_000, PageSize: 1000, Pagination: PagePage}
	if opts.Quick {
		cfg.Rows = 20_000
	}
	e, err := newEnv(cfg, mc)
	if err != nil {
		return Report{}, err
	}
	defer e.close()
	connString, jdbcURL, stopServe, err := startServe(e.s, mc, opts.Serve)
	if err != nil {
		return Report{}, err
	}
	defer stopServe()
	all := AllColumns(e.s)
	r := Report{Name: ScenarioServe, Setup: setup(e.s.cfg, mc, e.s.DataBytes()) + "; SELECT * FROM items; restsql serve in-process on 127.0.0.1; pgx v5 (extended protocol) and JDBC (PostgreSQL driver, default settings, a warm JVM) each on one connection kept across runs"}
	readers := []Reader{RestSQL(NameRestSQL, e.db, e.s, all)}
	pgxServe, closePgx := PgxReader(NamePgxServe, connString, e.s, all)
	defer closePgx()
	readers = append(readers, pgxServe)
	pg, err := startPostgres(ctx)
	if err == nil {
		defer pg.stop()
		err = pg.load(ctx, e.s)
	}
	if err != nil {
		r.Notes = append(r.Notes, "PostgreSQL 15 readers skipped: "+err.Error())
		pg = nil
	} else {
		pgxPg, closePg := PgxReader(NamePgxPostgres, pg.connString(), e.s, all)
		defer closePg()
		readers = append(readers, pgxPg)
	}
	jdbc, err := compileJDBC(ctx)
	if err != nil {
		r.Notes = append(r.Notes, "JDBC readers skipped: "+err.Error())
	} else {
		defer os.RemoveAll(jdbc.dir)
		jr, stopJ := jdbc.JDBCReader(NameJDBCServe, jdbcURL, e.s, all)
		defer stopJ()
		readers = append(readers, jr)
		if pg != nil {
			jp, stopP := jdbc.JDBCReader(NameJDBCPg, pg.jdbcURL(), e.s, all)
			defer stopP()
			readers = append(readers, jp)
		}
	}
	before := loadAverage()
	res, err := measureAll(ctx, opts, ScenarioServe, e, readers, opts.runs(9))
	if err != nil {
		return Report{}, err
	}
	r.Results = res
	direct := find(res, NameRestSQL)
	target := func(name, goal string, limit float64, against *Measurement) {
		m := find(res, name)
		if m == nil || against == nil {
			return
		}
		if m.Rows != direct.Rows {
			r.Notes = append(r.Notes, fmt.Sprintf("%s read %d rows, the direct read %d", name, m.Rows, direct.Rows))
		}
		x := ratio(m.Elapsed, against.Elapsed)
		r.Targets = append(r.Targets, Target{ScenarioServe, name + " time / " + against.Reader + " time", goal,
			fmt.Sprintf("%.2f (%v / %v; CPU %.2f)", x, ms(m.Elapsed), ms(against.Elapsed), ratio(m.CPU, against.CPU)), x <= limit})
	}
	target(NamePgxServe, "≤ 1.30", 1.30, direct)
	target(NamePgxServe, "≤ 1.00", 1.00, find(res, NamePgxPostgres))
	target(NameJDBCServe, "≤ 2.00", 2.00, direct)
	if jp, js := find(res, NameJDBCPg), find(res, NameJDBCServe); jp != nil && js != nil {
		r.Notes = append(r.Notes, fmt.Sprintf("JDBC via restsql serve / JDBC via PostgreSQL 15: %.2f", ratio(js.Elapsed, jp.Elapsed)))
	}
	r.Notes = append(r.Notes, fmt.Sprintf("load average before the runs %s, after %s (2 cores)", before, loadAverage()),
		"the JVM's CPU time is not in the CPU column (another process); PostgreSQL's neither")
	return r, nil
}
