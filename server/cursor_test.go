package server

import (
	"encoding/binary"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
)

// ids reads a query's first column as integers.
func ids(t *testing.T, c *pgx.Conn, q string, args ...any) ([]int64, string) {
	t.Helper()
	rows, err := c.Query(testCtx(t), q, args...)
	require.NoError(t, err, q)
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	require.NoError(t, err, q)
	return out, rows.CommandTag().String()
}

func execTag(t *testing.T, c *pgx.Conn, q string, args ...any) string {
	t.Helper()
	tag, err := c.Exec(testCtx(t), q, args...)
	require.NoError(t, err, q)
	return tag.String()
}

// TestCursors declares cursors and fetches from them, in the simple and
// the extended protocol, as psycopg's named cursors and SQLAlchemy's
// stream_results do: the rows come from the API as FETCH asks for them.
func TestCursors(t *testing.T) {
	api := newPagedAPI(t, 1000)
	e := startServer(t, withPagedAPI(t, api, 0))
	for _, mode := range []string{"simple_protocol", "cache_statement"} {
		t.Run(mode, func(t *testing.T) {
			c := e.connect(t, "default_query_exec_mode="+mode)
			api.requests.Store(0)

			require.Equal(t, "BEGIN", execTag(t, c, "BEGIN"))
			require.Equal(t, "DECLARE CURSOR", execTag(t, c, `DECLARE "big" NO SCROLL CURSOR WITHOUT HOLD FOR SELECT id FROM "Paged"."P".items`))
			got, tag := ids(t, c, `FETCH 5 FROM "big"`)
			require.Equal(t, []int64{1, 2, 3, 4, 5}, got)
			require.Equal(t, "FETCH 5", tag)
			got, _ = ids(t, c, "FETCH FORWARD 3 big")
			require.Equal(t, []int64{6, 7, 8}, got)
			require.Equal(t, "MOVE 92", execTag(t, c, "MOVE 92 IN big"))
			got, tag = ids(t, c, "FETCH NEXT FROM big")
			require.Equal(t, []int64{101}, got)
			require.Equal(t, "FETCH 1", tag)
			got, _ = ids(t, c, "FETCH big")
			require.Equal(t, []int64{102}, got)
			// ABSOLUTE and RELATIVE forward: row n, and the nth row on.
			got, tag = ids(t, c, "FETCH ABSOLUTE 110 FROM big")
			require.Equal(t, []int64{110}, got)
			require.Equal(t, "FETCH 1", tag)
			got, _ = ids(t, c, "FETCH RELATIVE 5 FROM big")
			require.Equal(t, []int64{115}, got)
			require.Equal(t, "MOVE 1", execTag(t, c, "MOVE ABSOLUTE 120 IN big"))
			got, _ = ids(t, c, "FETCH NEXT FROM big")
			require.Equal(t, []int64{121}, got)
			// 102 rows need 2 pages of 1,000; a few more are read ahead.
			require.Less(t, api.requests.Load(), int64(16), "the cursor read more than it was asked for")
			require.Equal(t, "CLOSE CURSOR", execTag(t, c, "CLOSE big"))
			_, err := c.Exec(testCtx(t), "FETCH 1 FROM big")
			require.Equal(t, codeUndefinedCursor, sqlState(err), "%v", err)
			require.Equal(t, "ROLLBACK", execTag(t, c, "ROLLBACK"))

			// COMMIT closes the cursors of its transaction.
			execTag(t, c, "BEGIN")
			execTag(t, c, `DECLARE c CURSOR FOR SELECT id FROM posts WHERE id <= 7 ORDER BY id`)
			got, _ = ids(t, c, "FETCH 2 FROM c")
			require.Equal(t, []int64{1, 2}, got)
			got, tag = ids(t, c, "FETCH ALL FROM c")
			require.Equal(t, []int64{3, 4, 5, 6, 7}, got)
			require.Equal(t, "FETCH 5", tag)
			got, tag = ids(t, c, "FETCH FORWARD ALL FROM c")
			require.Empty(t, got)
			require.Equal(t, "FETCH 0", tag)
			got, tag = ids(t, c, "FETCH ABSOLUTE 20 FROM c")
			require.Empty(t, got)
			require.Equal(t, "FETCH 0", tag)
			require.Equal(t, "COMMIT", execTag(t, c, "COMMIT"))
			_, err = c.Exec(testCtx(t), "FETCH c")
			require.Equal(t, codeUndefinedCursor, sqlState(err), "%v", err)

			// A parameter of the query.
			execTag(t, c, "BEGIN")
			if mode == "simple_protocol" {
				execTag(t, c, `DECLARE p CURSOR FOR SELECT id FROM posts WHERE "userId" = 2 ORDER BY id`)
			} else {
				execTag(t, c, `DECLARE p CURSOR FOR SELECT id FROM posts WHERE "userId" = $1 ORDER BY id`, 2)
			}
			got, _ = ids(t, c, "FETCH 100 FROM p")
			require.Equal(t, []int64{11, 12, 13, 14, 15, 16, 17, 18, 19, 20}, got)
			execTag(t, c, "CLOSE ALL")
			_, err = c.Exec(testCtx(t), "FETCH p")
			require.Equal(t, codeUndefinedCursor, sqlState(err), "%v", err)
			execTag(t, c, "ROLLBACK")

			// WITH HOLD outlives its transaction, and works outside one.
			execTag(t, c, `DECLARE h CURSOR WITH HOLD FOR SELECT id FROM posts WHERE id <= 4 ORDER BY id`)
			execTag(t, c, "BEGIN")
			execTag(t, c, `DECLARE h2 CURSOR WITH HOLD FOR SELECT id FROM users ORDER BY id`)
			got, _ = ids(t, c, "FETCH 1 FROM h")
			require.Equal(t, []int64{1}, got)
			execTag(t, c, "ROLLBACK") // closes h2, declared in the rolled back transaction
			got, _ = ids(t, c, "FETCH ALL FROM h")
			require.Equal(t, []int64{2, 3, 4}, got)
			_, err = c.Exec(testCtx(t), "FETCH h2")
			require.Equal(t, codeUndefinedCursor, sqlState(err), "%v", err)
			execTag(t, c, "CLOSE h")
		})
	}
}

// TestCursorErrors checks the SQLSTATEs of cursor mistakes, as
// PostgreSQL's.
func TestCursorErrors(t *testing.T) {
	e := startServer(t)
	c := e.connect(t, "")
	tests := []struct {
		name  string
		setup []string
		sql   string
		code  string
	}{
		{"outside a transaction", nil, "DECLARE c CURSOR FOR SELECT id FROM posts", codeNoActiveTx},
		{"unknown cursor", nil, "FETCH 1 FROM nosuch", codeUndefinedCursor},
		{"close unknown", nil, "CLOSE nosuch", codeUndefinedCursor},
		{"move unknown", nil, "MOVE 1 IN nosuch", codeUndefinedCursor},
		{"duplicate", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts"}, "DECLARE c CURSOR FOR SELECT id FROM users", codeDuplicateCursor},
		{"backward", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts"}, "FETCH BACKWARD 1 FROM c", codeObjectNotInPrereqs},
		{"negative count", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts"}, "FETCH -2 FROM c", codeObjectNotInPrereqs},
		{"prior", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts"}, "FETCH PRIOR FROM c", codeObjectNotInPrereqs},
		{"last", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts"}, "FETCH LAST FROM c", codeObjectNotInPrereqs},
		{"first after a row", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts", "FETCH 1 FROM c"}, "FETCH FIRST FROM c", codeObjectNotInPrereqs},
		{"backward all", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts"}, "FETCH BACKWARD ALL FROM c", codeObjectNotInPrereqs},
		{"absolute from the end", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts"}, "MOVE ABSOLUTE -1 IN c", codeObjectNotInPrereqs},
		{"current row again", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts", "FETCH 1 FROM c"}, "FETCH 0 FROM c", codeObjectNotInPrereqs},
		{"absolute backward", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts", "FETCH 5 FROM c"}, "FETCH ABSOLUTE 3 FROM c", codeObjectNotInPrereqs},
		{"absolute current row", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts", "FETCH 5 FROM c"}, "MOVE ABSOLUTE 5 IN c", codeObjectNotInPrereqs},
		{"relative backward", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts"}, "FETCH RELATIVE -1 FROM c", codeObjectNotInPrereqs},
		{"relative 0 on a row", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts", "FETCH 2 FROM c"}, "FETCH RELATIVE 0 FROM c", codeObjectNotInPrereqs},
		{"absolute without a count", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts"}, "FETCH ABSOLUTE FROM c", codeSyntaxError},
		{"not a query", []string{"BEGIN"}, "DECLARE c CURSOR FOR DELETE FROM posts", codeSyntaxError},
		{"no FOR", []string{"BEGIN"}, "DECLARE c CURSOR SELECT 1", codeSyntaxError},
		{"unknown table", []string{"BEGIN"}, "DECLARE c CURSOR FOR SELECT id FROM nosuch", codeUndefinedTable},
		{"trailing words", []string{"BEGIN", "DECLARE c CURSOR FOR SELECT id FROM posts"}, "FETCH 1 FROM c c", codeSyntaxError},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, s := range tc.setup {
				execTag(t, c, s)
			}
			_, err := c.Exec(testCtx(t), tc.sql)
			require.Equal(t, tc.code, sqlState(err), "%v", err)
			_, err = c.Exec(testCtx(t), "ROLLBACK")
			require.NoError(t, err)
		})
	}
}

// TestBinaryCursor fetches from a BINARY cursor in the simple protocol:
// the rows come in binary format.
func TestBinaryCursor(t *testing.T) {
	e := startServer(t)
	r := rawConnect(t, e)
	r.send(&pgproto3.Query{String: "BEGIN; DECLARE b BINARY CURSOR FOR SELECT id FROM posts WHERE id < 3 ORDER BY id; FETCH ALL FROM b; COMMIT"})
	var formats []int16
	var vals []int64
	var tags []string
	for {
		msg, err := r.fe.Receive()
		require.NoError(t, err)
		switch m := msg.(type) {
		case *pgproto3.RowDescription:
			for _, f := range m.Fields {
				formats = append(formats, f.Format)
			}
		case *pgproto3.DataRow:
			require.Len(t, m.Values[0], 8)
			vals = append(vals, int64(binary.BigEndian.Uint64(m.Values[0])))
		case *pgproto3.CommandComplete:
			tags = append(tags, string(m.CommandTag))
		case *pgproto3.ErrorResponse:
			t.Fatalf("error: %s", m.Message)
		}
		if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
			break
		}
	}
	require.Equal(t, []int16{1}, formats)
	require.Equal(t, []int64{1, 2}, vals)
	require.Equal(t, "BEGIN,DECLARE CURSOR,FETCH 2,COMMIT", strings.Join(tags, ","))
}

// TestCursorIsAPortal describes and closes a SQL cursor with the
// protocol's messages, as psycopg 3 does after DECLARE.
func TestCursorIsAPortal(t *testing.T) {
	e := startServer(t)
	r := rawConnect(t, e)
	r.send(&pgproto3.Query{String: `BEGIN; DECLARE "psycopg_1" CURSOR FOR SELECT id, title FROM posts WHERE id < 4`})
	got, status := r.untilReady()
	require.Equal(t, []string{"complete BEGIN", "complete DECLARE CURSOR"}, got)
	require.Equal(t, byte('T'), status)
	r.send(&pgproto3.Describe{ObjectType: 'P', Name: "psycopg_1"}, &pgproto3.Sync{})
	var fields []string
	for {
		msg, err := r.fe.Receive()
		require.NoError(t, err)
		if rd, ok := msg.(*pgproto3.RowDescription); ok {
			for _, f := range rd.Fields {
				fields = append(fields, string(f.Name))
			}
		}
		if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
			break
		}
	}
	require.Equal(t, []string{"id", "title"}, fields)
	r.send(&pgproto3.Query{String: `FETCH FORWARD 1 FROM "psycopg_1"`})
	got, _ = r.untilReady()
	require.Equal(t, []string{"RowDescription", "row 1", "complete FETCH 1"}, got)
	// Execute reads it as a portal, a row limit at a time.
	r.send(&pgproto3.Execute{Portal: "psycopg_1", MaxRows: 1}, &pgproto3.Sync{})
	got, _ = r.untilReady()
	require.Equal(t, []string{"row 2", "PortalSuspended"}, got)
	r.send(&pgproto3.Execute{Portal: "psycopg_1"}, &pgproto3.Sync{})
	got, _ = r.untilReady()
	require.Equal(t, []string{"row 3", "complete SELECT 1"}, got)
	r.send(&pgproto3.Close{ObjectType: 'P', Name: "psycopg_1"}, &pgproto3.Sync{})
	got, _ = r.untilReady()
	require.Equal(t, []string{"CloseComplete"}, got)
	r.send(&pgproto3.Query{String: `FETCH 1 FROM "psycopg_1"`})
	got, status = r.untilReady()
	require.Equal(t, []string{"error " + codeUndefinedCursor}, got)
	require.Equal(t, byte('E'), status)
}
