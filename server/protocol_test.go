package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
)

// TestResultTypes checks the OIDs of restsql's column types and their
// values in text (simple protocol) and binary (pgx's extended protocol)
// format.
func TestResultTypes(t *testing.T) {
	e := startServer(t)
	const q = `SELECT id, id / 4 AS quarter, title, completed, "dueDate" FROM todos WHERE id IN (1, 10) ORDER BY id`
	want := libRows(t, e.lib, "SELECT id, id / 4 AS quarter, title, completed, dueDate FROM todos WHERE id IN (1, 10) ORDER BY id")
	wantOIDs := []uint32{oidInt8, oidFloat8, oidText, oidBool, oidTimestamptz}
	tests := []struct {
		mode   string
		format int16
	}{
		{"simple_protocol", 0},
		{"cache_statement", 1},
		{"exec", 0},
	}
	for _, tc := range tests {
		t.Run(tc.mode, func(t *testing.T) {
			c := e.connect(t, "default_query_exec_mode="+tc.mode)
			rows, err := c.Query(testCtx(t), q)
			require.NoError(t, err)
			var oids []uint32
			for i, f := range rows.FieldDescriptions() {
				oids = append(oids, f.DataTypeOID)
				if f.DataTypeOID != oidText {
					require.Equal(t, tc.format, f.Format, "column %s", f.Name)
				}
				require.Equal(t, []string{"id", "quarter", "title", "completed", "dueDate"}[i], f.Name)
			}
			require.Equal(t, wantOIDs, oids)
			var got [][]string
			for rows.Next() {
				var (
					id        int64
					quarter   float64
					title     string
					completed bool
					due       *time.Time
				)
				require.NoError(t, rows.Scan(&id, &quarter, &title, &completed, &due))
				var dueText any
				if due != nil {
					dueText = *due
				}
				got = append(got, []string{renderValue(id), renderValue(quarter), title, renderValue(completed), renderValue(dueText)})
			}
			require.NoError(t, rows.Err())
			require.Equal(t, want, got)

			var address map[string]any
			var oid uint32
			rows, err = c.Query(testCtx(t), `SELECT address FROM users WHERE id = 1`)
			require.NoError(t, err)
			oid = rows.FieldDescriptions()[0].DataTypeOID
			require.True(t, rows.Next())
			require.NoError(t, rows.Scan(&address))
			rows.Close()
			require.Equal(t, oidJSON, oid)
			require.Equal(t, "London", address["city"])
		})
	}
}

// TestParameterTypes checks the parameter types the server infers from
// the columns a parameter is compared with, and that values bound in
// text and binary reach restsql as the right values.
func TestParameterTypes(t *testing.T) {
	e := startServer(t)
	c := e.connect(t, "")
	sd, err := c.PgConn().Prepare(testCtx(t), "p1", `SELECT id FROM todos WHERE "userId" = $1 AND title LIKE $2 AND completed = $3 AND "dueDate" > $4 LIMIT $5`, nil)
	require.NoError(t, err)
	require.Equal(t, []uint32{oidInt8, oidText, oidBool, oidTimestamptz, oidInt8}, sd.ParamOIDs)
	require.Equal(t, []string{"id"}, fieldNames(sd.Fields))

	due := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		pg   string
		args []any
		lib  string
	}{
		{"int8 binary", `SELECT id FROM todos WHERE id = $1`, []any{int64(7)}, "SELECT id FROM todos WHERE id = 7"},
		{"bool binary", `SELECT id FROM todos WHERE completed = $1 AND "userId" = $2`, []any{true, 2}, "SELECT id FROM todos WHERE completed = true AND userId = 2"},
		{"timestamptz binary", `SELECT id FROM todos WHERE "dueDate" >= $1 AND "userId" = 1`, []any{due}, "SELECT id FROM todos WHERE dueDate >= '2024-03-01 00:00:00' AND userId = 1"},
		{"text", `SELECT id FROM users WHERE email = $1`, []any{"Sincere@april.biz"}, "SELECT id FROM users WHERE email = 'Sincere@april.biz'"},
		{"untyped number", `SELECT id FROM todos WHERE id / 2 > $1 AND id < 8`, []any{2.5}, "SELECT id FROM todos WHERE id / 2 > 2.5 AND id < 8"},
		{"cast parameter", `SELECT $1::int8 + id AS x FROM users WHERE id = 2`, []any{int64(40)}, "SELECT 40 + id AS x FROM users WHERE id = 2"},
		{"NULL", `SELECT id FROM todos WHERE id = $1`, []any{nil}, "SELECT id FROM todos WHERE id = NULL"},
		{"string for an int column", `SELECT id FROM todos WHERE id = $1`, []any{"9"}, "SELECT id FROM todos WHERE id = 9"},
	}
	for _, mode := range []string{"cache_statement", "exec", "simple_protocol"} {
		mc := e.connect(t, "default_query_exec_mode="+mode)
		for _, tc := range tests {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				_, got := pgxRows(t, mc, tc.pg, tc.args...)
				require.Equal(t, libRows(t, e.lib, tc.lib), got)
			})
		}
	}

	t.Run("invalid text for int8", func(t *testing.T) {
		_, err := c.Exec(testCtx(t), `SELECT id FROM todos WHERE id = $1`, "seven")
		require.Equal(t, codeInvalidText, sqlState(err), "%v", err)
	})
	t.Run("a literal that is not a value of the column's type", func(t *testing.T) {
		_, err := c.Exec(testCtx(t), `SELECT id FROM todos WHERE id = 'seven'`)
		require.Equal(t, codeInvalidText, sqlState(err), "%v", err)
		require.Contains(t, err.Error(), `invalid input syntax for type int: "seven" (column id)`)
	})
}

func fieldNames(fields []pgconn.FieldDescription) []string {
	var out []string
	for _, f := range fields {
		out = append(out, f.Name)
	}
	return out
}

// TestDescribeMakesNoRequest checks that preparing a statement and the
// WHERE 1=0 schema probe learn the columns without a request to the API.
func TestDescribeMakesNoRequest(t *testing.T) {
	e := startServer(t)
	c := e.connect(t, "")
	e.demo.ResetRequests()
	sd, err := c.PgConn().Prepare(testCtx(t), "", `SELECT "postId", email FROM comments_by_post WHERE "postId" = $1`, nil)
	require.NoError(t, err)
	require.Equal(t, []string{"postId", "email"}, fieldNames(sd.Fields))
	require.Equal(t, []uint32{oidInt8}, sd.ParamOIDs)

	cols, rows := pgxRows(t, c, `SELECT * FROM "posts" WHERE 1=0`)
	require.Equal(t, []string{"id", "userId", "title", "body"}, cols)
	require.Empty(t, rows)
	cols, rows = pgxRows(t, c, `SELECT * FROM (SELECT "id", "title" FROM "posts" WHERE "userId" = 3) t WHERE 1 = 0`)
	require.Equal(t, []string{"id", "title"}, cols)
	require.Empty(t, rows)
	require.Empty(t, e.demo.Requests())
}

// rawConn is a connection spoken to message by message.
type rawConn struct {
	t  *testing.T
	fe *pgproto3.Frontend
}

// rawConnect hijacks a pgx connection to send protocol messages directly.
func rawConnect(t *testing.T, e *testEnv) *rawConn {
	t.Helper()
	pc, err := pgconn.Connect(testCtx(t), e.connString(""))
	require.NoError(t, err)
	hc, err := pc.Hijack()
	require.NoError(t, err)
	require.NoError(t, hc.Conn.SetDeadline(time.Now().Add(wait)))
	t.Cleanup(func() { hc.Conn.Close() })
	return &rawConn{t: t, fe: hc.Frontend}
}

func (r *rawConn) send(msgs ...pgproto3.FrontendMessage) {
	r.t.Helper()
	for _, m := range msgs {
		r.fe.Send(m)
	}
	require.NoError(r.t, r.fe.Flush())
}

// until reads messages up to and including one of type T, and returns
// the messages read, as short descriptions, and the last message.
func (r *rawConn) untilReady() ([]string, byte) {
	r.t.Helper()
	var got []string
	for {
		msg, err := r.fe.Receive()
		require.NoError(r.t, err)
		switch m := msg.(type) {
		case *pgproto3.ReadyForQuery:
			return got, m.TxStatus
		case *pgproto3.DataRow:
			got = append(got, "row "+string(m.Values[0]))
		case *pgproto3.CommandComplete:
			got = append(got, "complete "+string(m.CommandTag))
		case *pgproto3.ErrorResponse:
			got = append(got, "error "+m.Code)
		default:
			got = append(got, strings.TrimPrefix(fmt.Sprintf("%T", msg), "*pgproto3."))
		}
	}
}

// TestPortalFetchSize reads a partition through a named portal ten rows
// at a time inside a transaction, as the JDBC driver does with a fetch
// size: each Execute with a row limit ends in PortalSuspended, and the
// portal outlives Sync until COMMIT.
func TestPortalFetchSize(t *testing.T) {
	e := startServer(t)
	r := rawConnect(t, e)
	r.send(&pgproto3.Query{String: "BEGIN READ ONLY"})
	got, status := r.untilReady()
	require.Equal(t, []string{"complete BEGIN"}, got)
	require.Equal(t, byte('T'), status)

	r.send(
		&pgproto3.Parse{Query: `SELECT "id","title" FROM "posts" WHERE "id" >= $1 AND "id" < $2`},
		&pgproto3.Bind{DestinationPortal: "C_1", Parameters: [][]byte{[]byte("1"), []byte("26")}},
		&pgproto3.Describe{ObjectType: 'P', Name: "C_1"},
		&pgproto3.Execute{Portal: "C_1", MaxRows: 10},
		&pgproto3.Sync{},
	)
	got, status = r.untilReady()
	require.Equal(t, byte('T'), status)
	require.Equal(t, []string{"ParseComplete", "BindComplete", "RowDescription"}, got[:3])
	require.Equal(t, "row 1", got[3])
	require.Equal(t, "row 10", got[12])
	require.Equal(t, "PortalSuspended", got[13])
	require.Len(t, got, 14)

	r.send(&pgproto3.Execute{Portal: "C_1", MaxRows: 10}, &pgproto3.Sync{})
	got, _ = r.untilReady()
	require.Equal(t, "row 11", got[0])
	require.Equal(t, []string{"row 20", "PortalSuspended"}, got[9:])

	r.send(&pgproto3.Execute{Portal: "C_1", MaxRows: 10}, &pgproto3.Sync{})
	got, _ = r.untilReady()
	require.Equal(t, []string{"row 21", "row 22", "row 23", "row 24", "row 25", "complete SELECT 5"}, got)

	r.send(&pgproto3.Query{String: "COMMIT"})
	got, status = r.untilReady()
	require.Equal(t, []string{"complete COMMIT"}, got)
	require.Equal(t, byte('I'), status)

	// Outside a transaction, Sync ends the portal.
	r.send(
		&pgproto3.Bind{DestinationPortal: "C_2", Parameters: [][]byte{[]byte("1"), []byte("5")}},
		&pgproto3.Execute{Portal: "C_2", MaxRows: 2},
		&pgproto3.Sync{},
		&pgproto3.Execute{Portal: "C_2", MaxRows: 2},
		&pgproto3.Sync{},
	)
	got, _ = r.untilReady()
	require.Equal(t, []string{"BindComplete", "row 1", "row 2", "PortalSuspended"}, got)
	got, _ = r.untilReady()
	require.Equal(t, []string{"error " + codeUndefinedCursor}, got)
}

// TestExtendedProtocolErrors checks that an error skips the messages up
// to Sync, and names the SQLSTATE of protocol mistakes.
func TestExtendedProtocolErrors(t *testing.T) {
	e := startServer(t)
	r := rawConnect(t, e)
	r.send(
		&pgproto3.Parse{Name: "s", Query: "SELECT * FROM nosuch"},
		&pgproto3.Describe{ObjectType: 'S', Name: "s"},
		&pgproto3.Bind{PreparedStatement: "s"},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	)
	got, status := r.untilReady()
	require.Equal(t, []string{"ParseComplete", "error " + codeUndefinedTable}, got)
	require.Equal(t, byte('I'), status)

	tests := []struct {
		name string
		msgs []pgproto3.FrontendMessage
		want []string
	}{
		{"unknown statement", []pgproto3.FrontendMessage{&pgproto3.Bind{PreparedStatement: "nope"}}, []string{"error " + codeUndefinedStatement}},
		{"unknown portal", []pgproto3.FrontendMessage{&pgproto3.Execute{Portal: "nope"}}, []string{"error " + codeUndefinedCursor}},
		{"duplicate statement", []pgproto3.FrontendMessage{&pgproto3.Parse{Name: "s", Query: "SELECT 1"}}, []string{"error " + codeDuplicateStatement}},
		{"wrong parameter count", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "SELECT id FROM posts WHERE id = $1"}, &pgproto3.Bind{}}, []string{"ParseComplete", "error " + codeProtocolViolation}},
		{"two statements", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: "SELECT 1; SELECT 2"}}, []string{"error " + codeSyntaxError}},
		{"empty query", []pgproto3.FrontendMessage{&pgproto3.Parse{Query: " -- nothing"}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}},
			[]string{"ParseComplete", "BindComplete", "NoData", "EmptyQueryResponse"}},
		{"close", []pgproto3.FrontendMessage{&pgproto3.Close{ObjectType: 'S', Name: "s"}, &pgproto3.Bind{PreparedStatement: "s"}},
			[]string{"CloseComplete", "error " + codeUndefinedStatement}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r.send(append(tc.msgs, &pgproto3.Sync{})...)
			got, _ := r.untilReady()
			require.Equal(t, tc.want, got)
		})
	}
}

// TestSessionCommands checks what clients send on connect: parameters,
// SET, SHOW, version(), current_schema() and transactions.
func TestSessionCommands(t *testing.T) {
	e := startServer(t)
	c := e.connect(t, "application_name=probe")
	pc := c.PgConn()
	for name, want := range map[string]string{
		"server_version": serverVersion, "standard_conforming_strings": "on", "client_encoding": "UTF8",
		"integer_datetimes": "on", "TimeZone": "UTC", "DateStyle": "ISO, MDY", "application_name": "probe",
	} {
		require.Equal(t, want, pc.ParameterStatus(name), name)
	}
	require.NotZero(t, pc.PID())

	tests := []struct {
		sql  string
		cols []string
		want [][]string
	}{
		{"SHOW server_version", []string{"server_version"}, [][]string{{serverVersion}}},
		{"show standard_conforming_strings", []string{"standard_conforming_strings"}, [][]string{{"on"}}},
		{"SHOW client_encoding", []string{"client_encoding"}, [][]string{{"UTF8"}}},
		{"SHOW TRANSACTION ISOLATION LEVEL", []string{"transaction_isolation"}, [][]string{{"read committed"}}},
		{"SELECT current_schema(), current_database(), current_user", []string{"current_schema", "current_database", "current_user"}, [][]string{{"API", "restsql", "tester"}}},
		{"select pg_catalog.current_setting('application_name') AS app", []string{"app"}, [][]string{{"probe"}}},
		{"SELECT current_schemas(false)", []string{"current_schemas"}, [][]string{{"{API}"}}},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			cols, rows := pgxRows(t, c, tc.sql)
			require.Equal(t, tc.cols, cols)
			require.Equal(t, tc.want, rows)
		})
	}

	var version string
	require.NoError(t, c.QueryRow(testCtx(t), "SELECT version()").Scan(&version))
	require.Contains(t, version, "PostgreSQL 15.0 (restsql)")

	_, err := c.Exec(testCtx(t), "SET extra_float_digits = 3")
	require.NoError(t, err)
	_, err = c.Exec(testCtx(t), "SET application_name TO 'other'")
	require.NoError(t, err)
	require.Equal(t, "other", pc.ParameterStatus("application_name"))
	_, err = c.Exec(testCtx(t), "SET TIME ZONE 'Europe/Paris'")
	require.NoError(t, err)
	require.Equal(t, "Europe/Paris", pc.ParameterStatus("TimeZone"))
	_, rows := pgxRows(t, c, `SELECT "dueDate"::text AS d FROM todos WHERE id = 1`)
	require.Equal(t, libRows(t, e.lib, "SELECT CAST(dueDate AS CHAR) FROM todos WHERE id = 1"), rows)
	text := e.connect(t, "default_query_exec_mode=simple_protocol timezone=Europe/Paris")
	var due time.Time
	require.NoError(t, text.QueryRow(testCtx(t), `SELECT "dueDate" FROM todos WHERE id = 1`).Scan(&due))
	require.Equal(t, time.Date(2024, 2, 7, 10, 0, 0, 0, time.UTC), due.UTC())
	_, err = c.Exec(testCtx(t), "SET TimeZone = 'Not/AZone'")
	require.Equal(t, codeInvalidParameter, sqlState(err))
	_, err = c.Exec(testCtx(t), "SHOW nosuch_setting")
	require.Equal(t, codeUndefinedObject, sqlState(err))
	_, err = c.Exec(testCtx(t), "RESET ALL")
	require.NoError(t, err)
	require.Equal(t, "UTC", pc.ParameterStatus("TimeZone"))

	t.Run("several statements in one query", func(t *testing.T) {
		simple := e.connect(t, "default_query_exec_mode=simple_protocol")
		res, err := simple.PgConn().Exec(testCtx(t), "SET search_path = 'API'; SELECT count(*) FROM posts; SHOW search_path").ReadAll()
		require.NoError(t, err)
		require.Len(t, res, 3)
		require.Equal(t, "SET", res[0].CommandTag.String())
		require.Equal(t, [][]byte{[]byte("100")}, res[1].Rows[0])
		require.Equal(t, [][]byte{[]byte("API")}, res[2].Rows[0])
		// The first error ends the run.
		res, err = simple.PgConn().Exec(testCtx(t), "SELECT 1; SELECT * FROM nosuch; SELECT 2").ReadAll()
		require.Equal(t, codeUndefinedTable, sqlState(err))
		require.Equal(t, [][]byte{[]byte("1")}, res[0].Rows[0])
		require.LessOrEqual(t, len(res), 2)
	})

	t.Run("protocol 3.2", func(t *testing.T) {
		c := e.connect(t, "max_protocol_version=3.2")
		var one int64
		require.NoError(t, c.QueryRow(testCtx(t), "SELECT 1").Scan(&one))
	})

	t.Run("transactions", func(t *testing.T) {
		_, err := c.Exec(testCtx(t), "BEGIN")
		require.NoError(t, err)
		require.Equal(t, byte('T'), pc.TxStatus())
		_, err = c.Exec(testCtx(t), "SELECT * FROM nosuch")
		require.Equal(t, codeUndefinedTable, sqlState(err))
		require.Equal(t, byte('E'), pc.TxStatus())
		_, err = c.Exec(testCtx(t), "SELECT 1")
		require.Equal(t, codeInFailedTx, sqlState(err))
		_, err = c.Exec(testCtx(t), "ROLLBACK")
		require.NoError(t, err)
		require.Equal(t, byte('I'), pc.TxStatus())

		tx, err := c.BeginTx(testCtx(t), pgx.TxOptions{AccessMode: pgx.ReadOnly})
		require.NoError(t, err)
		var n int64
		require.NoError(t, tx.QueryRow(testCtx(t), `SELECT COUNT(*) FROM posts WHERE "userId" = $1`, 1).Scan(&n))
		require.Equal(t, int64(10), n)
		require.NoError(t, tx.Commit(testCtx(t)))
	})
}

// TestDatabases checks that a database named after a catalog shows that
// catalog alone, and that unknown databases are refused.
func TestDatabases(t *testing.T) {
	e := startServer(t)
	slow := e.connect(t, "dbname=slow")
	var db, table string
	require.NoError(t, slow.QueryRow(testCtx(t), "SELECT current_database()").Scan(&db))
	require.Equal(t, "Slow", db)
	require.NoError(t, slow.QueryRow(testCtx(t), `SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname <> 'pg_catalog'`).Scan(&table))
	require.Equal(t, "slow_posts", table)
	_, err := slow.Exec(testCtx(t), "SELECT id FROM posts")
	require.Equal(t, codeUndefinedTable, sqlState(err))

	_, err = pgx.Connect(testCtx(t), e.connString("dbname=nosuch"))
	require.Equal(t, codeInvalidCatalogName, sqlState(err), "%v", err)
}

// TestErrors checks the SQLSTATE of each kind of failure, and that the
// session goes on after it.
func TestErrors(t *testing.T) {
	e := startServer(t)
	tests := []struct {
		name, sql, code string
	}{
		{"unknown table", "SELECT * FROM nosuch", codeUndefinedTable},
		{"unknown qualified table", `SELECT * FROM "Demo"."API"."nosuch"`, codeUndefinedTable},
		{"unknown column", "SELECT nosuch FROM posts", codeUndefinedColumn},
		{"syntax error", "SELEC 1", codeSyntaxError},
		{"incomplete", "SELECT * FROM posts WHERE", codeSyntaxError},
		{"unterminated string", "SELECT 'abc", codeSyntaxError},
		{"question mark", "SELECT id FROM posts WHERE id = ?", codeSyntaxError},
		{"unsupported statement", "CREATE TABLE t (id int)", codeFeatureNotSupported},
		{"unsupported construct", "SELECT id FROM posts FULL JOIN users ON true", codeFeatureNotSupported},
		{"required key missing", "SELECT * FROM comments_by_post", codeFeatureNotSupported},
		{"unknown cast type", "SELECT id::inet FROM posts", codeUndefinedObject},
		{"unknown function", "SELECT nosuchfn(id) FROM posts", codeUndefinedFunction},
		{"ambiguous column", "SELECT id FROM posts p JOIN users u ON p.userId = u.id", codeAmbiguousColumn},
		{"grouping", "SELECT title, COUNT(*) FROM posts GROUP BY userId", codeGroupingError},
		{"API failure", `SELECT * FROM "Broken"."B".missing`, codeConnectionFailure},
	}
	for _, mode := range []string{"simple_protocol", "cache_statement"} {
		c := e.connect(t, "default_query_exec_mode="+mode)
		for _, tc := range tests {
			t.Run(mode+"/"+tc.name, func(t *testing.T) {
				_, err := c.Exec(testCtx(t), tc.sql)
				require.Error(t, err)
				require.Equal(t, tc.code, sqlState(err), "%v", err)
				var one int64
				require.NoError(t, c.QueryRow(testCtx(t), "SELECT 1").Scan(&one))
			})
		}
	}
}

// waitForRequest waits (boundedly) until the demo API has received a
// request for path.
func waitForRequest(t *testing.T, e *testEnv, path string) {
	t.Helper()
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		for _, r := range e.demo.Requests() {
			if r.Path == path {
				return
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatalf("the API received no request for %s", path)
}

// TestCancelRequest cancels a query waiting for a slow API with a
// CancelRequest on another connection, as psql's Ctrl-C and the JDBC
// driver's Statement.cancel do.
func TestCancelRequest(t *testing.T) {
	e := startServer(t)
	c := e.connect(t, "")
	e.demo.ResetRequests()
	errc := make(chan error, 1)
	go func() {
		_, err := c.Exec(context.Background(), `SELECT id FROM "Slow"."S".slow_posts`)
		errc <- err
	}()
	waitForRequest(t, e, "/posts")
	require.NoError(t, c.PgConn().CancelRequest(testCtx(t)))
	select {
	case err := <-errc:
		require.Equal(t, codeQueryCanceled, sqlState(err), "%v", err)
		require.Contains(t, err.Error(), "user request")
	case <-time.After(wait):
		t.Fatal("the cancelled query did not return")
	}
	var one int64
	require.NoError(t, c.QueryRow(testCtx(t), "SELECT 1").Scan(&one))

	// A cancel request for an idle session does nothing.
	require.NoError(t, c.PgConn().CancelRequest(testCtx(t)))
	require.NoError(t, c.QueryRow(testCtx(t), "SELECT 1").Scan(&one))
}

// TestCancelNeedsTheSecretKey checks that a CancelRequest cancels only
// with the process ID and secret key of the session.
func TestCancelNeedsTheSecretKey(t *testing.T) {
	e := startServer(t)
	ss := newSession(e.srv, nil)
	require.True(t, e.srv.register(ss))
	defer e.srv.unregister(ss)
	var got error
	ss.setRunning(func(cause error) { got = cause })
	wrong := append([]byte(nil), ss.secret...)
	wrong[0] ^= 1
	for _, req := range []*pgproto3.CancelRequest{
		{ProcessID: ss.pid, SecretKey: wrong},
		{ProcessID: ss.pid, SecretKey: ss.secret[:3]},
		{ProcessID: ss.pid + 1, SecretKey: ss.secret},
	} {
		e.srv.cancel(req)
		require.NoError(t, got)
	}
	e.srv.cancel(&pgproto3.CancelRequest{ProcessID: ss.pid, SecretKey: ss.secret})
	require.ErrorIs(t, got, errUserCancel)
}

// TestStatementTimeout checks the session's statement_timeout and the
// server's QueryTimeout.
func TestStatementTimeout(t *testing.T) {
	e := startServer(t, func(c *Config) { c.QueryTimeout = time.Minute })
	c := e.connect(t, "")
	_, err := c.Exec(testCtx(t), "SET statement_timeout = '20ms'")
	require.NoError(t, err)
	_, err = c.Exec(testCtx(t), `SELECT id FROM "Slow"."S".slow_posts`)
	require.Equal(t, codeQueryCanceled, sqlState(err), "%v", err)
	require.Contains(t, err.Error(), "statement timeout")
	_, err = c.Exec(testCtx(t), "SET statement_timeout = 0")
	require.NoError(t, err)
	var n int64
	require.NoError(t, c.QueryRow(testCtx(t), "SELECT COUNT(*) FROM posts").Scan(&n))
	require.Equal(t, int64(100), n)

	e2 := startServer(t, func(c *Config) { c.QueryTimeout = 20 * time.Millisecond })
	_, err = e2.connect(t, "").Exec(testCtx(t), `SELECT id FROM "Slow"."S".slow_posts`)
	require.Equal(t, codeQueryCanceled, sqlState(err), "%v", err)
}

// TestMaxConnections refuses a client over the limit with 53300.
func TestMaxConnections(t *testing.T) {
	e := startServer(t, func(c *Config) { c.MaxConnections = 2 })
	first := e.connect(t, "")
	e.connect(t, "")
	_, err := pgx.Connect(testCtx(t), e.connString(""))
	require.Equal(t, codeTooManyConnections, sqlState(err), "%v", err)
	require.NoError(t, first.Close(testCtx(t)))
	// The slot is free once the server has seen the first client go.
	deadline := time.Now().Add(wait)
	for {
		c, err := pgx.Connect(testCtx(t), e.connString(""))
		if err == nil {
			c.Close(testCtx(t))
			break
		}
		require.Equal(t, codeTooManyConnections, sqlState(err), "%v", err)
		require.True(t, time.Now().Before(deadline), "the slot of a closed session was not freed")
		time.Sleep(2 * time.Millisecond)
	}
}

// TestGracefulShutdown cancels the server's context with an idle
// session, a session in a transaction and a query in flight: Serve
// returns, the idle session is told at once, and the others are
// cancelled after ShutdownTimeout.
func TestGracefulShutdown(t *testing.T) {
	e := startServer(t, func(c *Config) { c.ShutdownTimeout = 50 * time.Millisecond })
	idle := e.connect(t, "")
	inTx := e.connect(t, "")
	_, err := inTx.Exec(testCtx(t), "BEGIN")
	require.NoError(t, err)
	busy := e.connect(t, "")
	e.demo.ResetRequests()
	errc := make(chan error, 1)
	go func() {
		_, err := busy.Exec(context.Background(), `SELECT id FROM "Slow"."S".slow_posts`)
		errc <- err
	}()
	waitForRequest(t, e, "/posts")

	require.NoError(t, e.stop(t))
	select {
	case err := <-errc:
		require.Equal(t, codeAdminShutdown, sqlState(err), "%v", err)
	case <-time.After(wait):
		t.Fatal("the query in flight was not cancelled")
	}
	for _, c := range []*pgx.Conn{idle, inTx} {
		_, err := c.Exec(testCtx(t), "SELECT 1")
		require.Error(t, err)
	}
	_, err = pgx.Connect(testCtx(t), e.connString(""))
	require.Error(t, err)
	var opErr *net.OpError
	_ = errors.As(err, &opErr)
}

// TestTrustNeedsLoopback refuses to serve without users on a
// non-loopback address.
func TestTrustNeedsLoopback(t *testing.T) {
	e := startServer(t)
	ln := fakeListener{addr: &net.TCPAddr{IP: net.IPv4(10, 1, 2, 3), Port: 5433}}
	err := e.srv.Serve(context.Background(), ln)
	require.ErrorContains(t, err, "loopback")
}

type fakeListener struct{ addr net.Addr }

func (l fakeListener) Accept() (net.Conn, error) { return nil, errors.New("no connections") }
func (l fakeListener) Close() error              { return nil }
func (l fakeListener) Addr() net.Addr            { return l.addr }

// TestShutdownLetsTransactionsFinish checks that a session in a
// transaction when the server begins to shut down may go on until the
// transaction ends, and is then told the server is going away.
func TestShutdownLetsTransactionsFinish(t *testing.T) {
	e := startServer(t, func(c *Config) { c.ShutdownTimeout = wait })
	inTx := e.connect(t, "")
	_, err := inTx.Exec(testCtx(t), "BEGIN")
	require.NoError(t, err)
	e.cancel()
	// Wait until every session knows.
	deadline := time.Now().Add(wait)
	for {
		e.srv.mu.Lock()
		all := len(e.srv.sessions) > 0
		for _, ss := range e.srv.sessions {
			ss.mu.Lock()
			all = all && ss.shutting
			ss.mu.Unlock()
		}
		e.srv.mu.Unlock()
		if all {
			break
		}
		require.True(t, time.Now().Before(deadline), "the sessions were not told to shut down")
		time.Sleep(time.Millisecond)
	}
	var n int64
	require.NoError(t, inTx.QueryRow(testCtx(t), `SELECT count(*) FROM posts WHERE "userId" = $1`, 4).Scan(&n))
	require.Equal(t, int64(10), n)
	_, err = inTx.Exec(testCtx(t), "COMMIT")
	require.NoError(t, err)
	select {
	case err := <-e.done:
		e.done <- err
		require.NoError(t, err)
	case <-time.After(wait):
		t.Fatal("Serve did not return once the transaction ended")
	}
	_, err = inTx.Exec(testCtx(t), "SELECT 1")
	require.Error(t, err)
}

// TestWrites runs INSERT, UPDATE and DELETE with parameters, through the
// extended and the simple protocol: the command tags count the rows, and
// the API's data changes.
func TestWrites(t *testing.T) {
	e := startServer(t)
	for _, mode := range []string{"cache_statement", "simple_protocol"} {
		t.Run(mode, func(t *testing.T) {
			e.demo.Reset()
			c := e.connect(t, "default_query_exec_mode="+mode)
			tag, err := c.Exec(testCtx(t), `INSERT INTO posts ("userId", title, body) VALUES ($1, $2, $3)`, 4, "new title", "new body")
			require.NoError(t, err)
			require.Equal(t, "INSERT 0 1", tag.String())
			var id int64
			require.NoError(t, c.QueryRow(testCtx(t), `SELECT id FROM posts WHERE title = $1`, "new title").Scan(&id))
			require.Equal(t, int64(101), id)

			tag, err = c.Exec(testCtx(t), `UPDATE posts SET title = $1 WHERE "userId" = $2 AND id > $3`, "renamed", 4, 38)
			require.NoError(t, err)
			require.Equal(t, "UPDATE 3", tag.String())
			tag, err = c.Exec(testCtx(t), `DELETE FROM posts WHERE title = 'renamed'`)
			require.NoError(t, err)
			require.Equal(t, "DELETE 3", tag.String())
			var n int64
			require.NoError(t, c.QueryRow(testCtx(t), `SELECT count(*) FROM posts`).Scan(&n))
			require.Equal(t, int64(98), n)
		})
	}
}
