package server

import (
	"testing"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/stretchr/testify/require"
)

// TestResultFormatCodes runs queries with the extended protocol and the
// result format codes of Bind given per column (all text, all binary,
// mixed, one code for all), decodes every value with pgx's codecs in the
// format the server says it sent, and compares with the library's rows.
// comments is long enough for several flushes of the write buffer.
func TestResultFormatCodes(t *testing.T) {
	e := startServer(t)
	c := e.connect(t, "")
	m := pgtype.NewMap()
	queries := []struct{ pg, lib string }{
		{`SELECT id, id / 4 AS quarter, title, completed, "dueDate", "userId" FROM todos ORDER BY id`,
			"SELECT id, id / 4 AS quarter, title, completed, dueDate, userId FROM todos ORDER BY id"},
		{`SELECT id, "postId", name, email, body FROM comments ORDER BY id`,
			"SELECT id, postId, name, email, body FROM comments ORDER BY id"},
	}
	for _, q := range queries {
		want := libRows(t, e.lib, q.lib)
		require.NotEmpty(t, want)
		for _, formats := range [][]int16{nil, {0}, {1}, {1, 0, 1, 0, 1}, {0, 1, 0, 1, 0, 1}, {1, 1, 1, 1, 1}} {
			res := c.PgConn().ExecParams(testCtx(t), q.pg, nil, nil, nil, formats).Read()
			if len(formats) > 1 && len(formats) != len(want[0]) {
				require.Error(t, res.Err, "%v", formats)
				require.Equal(t, codeProtocolViolation, sqlState(res.Err))
				continue
			}
			require.NoError(t, res.Err, "%s %v", q.pg, formats)
			for i, f := range res.FieldDescriptions {
				require.Equal(t, formatAt(formats, i), f.Format, "column %s", f.Name)
			}
			got := make([][]string, len(res.Rows))
			for r, row := range res.Rows {
				got[r] = make([]string, len(row))
				for i, raw := range row {
					fd := res.FieldDescriptions[i]
					typ, ok := m.TypeForOID(fd.DataTypeOID)
					require.True(t, ok)
					v, err := typ.Codec.DecodeValue(m, fd.DataTypeOID, fd.Format, raw)
					require.NoError(t, err, "column %s format %d: %q", fd.Name, fd.Format, raw)
					got[r][i] = renderValue(v)
				}
			}
			require.Equal(t, want, got, "%s %v", q.pg, formats)
		}
	}
}
