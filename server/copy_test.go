package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestCopyEscaping(t *testing.T) {
	text := copyOptions{delimiter: '\t', null: `\N`}
	csv := copyOptions{csv: true, delimiter: ',', quote: '"', escape: '"'}
	semi := copyOptions{csv: true, delimiter: ';', quote: '\'', escape: '\\', null: "NULL"}
	tests := []struct {
		name   string
		opts   copyOptions
		in     string
		force  bool
		single bool
		want   string
	}{
		{"text plain", text, "abc", false, false, "abc"},
		{"text specials", text, "a\tb\nc\rd\\e\bf\fg\vh", false, false, `a\tb\nc\rd\\e\bf\fg\vh`},
		{"text other control characters as they are", text, "a\x01b", false, false, "a\x01b"},
		{"text delimiter", copyOptions{delimiter: '|', null: `\N`}, "a|b", false, false, `a\|b`},
		{"text looks like NULL", text, `\N`, false, false, `\\N`},
		{"csv plain", csv, "abc", false, false, "abc"},
		{"csv delimiter", csv, "a,b", false, false, `"a,b"`},
		{"csv quote", csv, `say "hi"`, false, false, `"say ""hi"""`},
		{"csv newline", csv, "a\nb", false, false, "\"a\nb\""},
		{"csv carriage return", csv, "a\rb", false, false, "\"a\rb\""},
		{"csv empty string is not NULL", csv, "", false, false, `""`},
		{"csv forced", csv, "abc", true, false, `"abc"`},
		{"csv end-of-data marker alone", csv, `\.`, false, true, `"\."`},
		{"csv end-of-data marker among others", csv, `\.`, false, false, `\.`},
		{"csv own quote and escape", semi, "it's;x\\", false, false, `'it\'s;x\\'`},
		{"csv matches the NULL string", semi, "NULL", false, false, `'NULL'`},
		{"csv tab is plain", csv, "a\tb", false, false, "a\tb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, string(tc.opts.appendValue(nil, tc.in, tc.force, tc.single)))
		})
	}
}

func TestParseCopy(t *testing.T) {
	tests := []struct {
		in    string
		query string
		opts  copyOptions
		code  string
	}{
		{in: "COPY posts TO STDOUT", query: "SELECT * FROM posts", opts: copyOptions{delimiter: '\t', null: `\N`}},
		{in: `COPY "API"."posts" (id, "userId") TO STDOUT (FORMAT csv, HEADER)`, query: "SELECT id, `userId` FROM `API`.`posts`",
			opts: copyOptions{csv: true, header: true, delimiter: ',', quote: '"', escape: '"'}},
		{in: "COPY (SELECT id FROM posts) TO STDOUT WITH CSV HEADER", query: "SELECT id FROM posts",
			opts: copyOptions{csv: true, header: true, delimiter: ',', quote: '"', escape: '"'}},
		{in: "COPY ( SELECT 1 ) TO STDOUT CSV HEADER DELIMITER AS ';' NULL AS 'x' QUOTE '''' ESCAPE '\\' FORCE QUOTE *", query: "SELECT 1",
			opts: copyOptions{csv: true, header: true, delimiter: ';', null: "x", quote: '\'', escape: '\\', forceAll: true}},
		{in: "COPY t TO STDOUT WITH (FORMAT text, HEADER true, DELIMITER '|', NULL '', ENCODING 'UTF8')", query: "SELECT * FROM t",
			opts: copyOptions{header: true, delimiter: '|'}},
		{in: "COPY t TO STDOUT (FORMAT 'csv', HEADER off, FORCE_QUOTE (a, \"B\"))", query: "SELECT * FROM t",
			opts: copyOptions{csv: true, delimiter: ',', quote: '"', escape: '"', forceQuote: []string{"a", "B"}}},
		{in: "COPY t TO STDOUT DELIMITER ','", query: "SELECT * FROM t", opts: copyOptions{delimiter: ',', null: `\N`}},
		{in: "COPY (SELECT 1) FROM STDIN", code: codeFeatureNotSupported},
		{in: "COPY t FROM '/tmp/x'", code: codeFeatureNotSupported},
		{in: "COPY t FROM STDIN (FORCE_QUOTE *)", code: codeFeatureNotSupported},
		{in: "COPY t FROM STDIN (FORCE_NULL (a))", code: codeFeatureNotSupported},
		{in: "COPY (SELECT 1) TO '/tmp/x'", code: codeFeatureNotSupported},
		{in: "COPY t TO PROGRAM 'cat'", code: codeFeatureNotSupported},
		{in: "COPY t TO STDOUT (FORMAT binary)", query: "SELECT * FROM t", opts: copyOptions{binary: true}},
		{in: "COPY t TO STDOUT BINARY", query: "SELECT * FROM t", opts: copyOptions{binary: true}},
		{in: "COPY t TO STDOUT (FORMAT binary, HEADER)", code: codeSyntaxError},
		{in: "COPY t TO STDOUT BINARY CSV", code: codeSyntaxError},
		{in: "COPY t TO STDOUT (FORMAT xml)", code: codeInvalidParameter},
		{in: "COPY t TO STDOUT (DELIMITER 'ab')", code: codeFeatureNotSupported},
		{in: "COPY t TO STDOUT (DELIMITER '\\')", code: codeInvalidParameter},
		{in: "COPY t TO STDOUT (QUOTE '''')", code: codeFeatureNotSupported},
		{in: "COPY t TO STDOUT (FORMAT csv, DELIMITER '\"')", code: codeInvalidParameter},
		{in: "COPY t TO STDOUT (FORMAT csv, NULL 'a,b')", code: codeInvalidParameter},
		{in: "COPY t TO STDOUT (HEADER MATCH)", code: codeFeatureNotSupported},
		{in: "COPY t TO STDOUT (NOPE)", code: codeSyntaxError},
		{in: "COPY t TO STDOUT (HEADER, HEADER)", code: codeSyntaxError},
		{in: "COPY t TO STDOUT (FORMAT csv", code: codeSyntaxError},
		{in: "COPY (SELECT 1 TO STDOUT", code: codeSyntaxError},
		{in: "COPY TO STDOUT", code: codeSyntaxError},
		{in: "COPY t", code: codeSyntaxError},
		{in: "COPY t TO STDOUT CSV EXTRA", code: codeSyntaxError},
		{in: "COPY t TO STDOUT (FORMAT csv) EXTRA", code: codeSyntaxError},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			toks, err := lexSQL(tc.in, true)
			require.NoError(t, err)
			q, opts, err := parseCopy(toks)
			if tc.code != "" {
				require.Error(t, err)
				require.Equal(t, tc.code, toSQLError(context.Background(), err).Code, "%v", err)
				return
			}
			require.NoError(t, err)
			tr, err := translate(q)
			require.NoError(t, err)
			require.Equal(t, tc.query, tr.sql)
			require.Equal(t, tc.opts, opts)
		})
	}
}

// TestCopyOut copies query results and tables out with pgx's CopyTo, in
// text and CSV, and checks the bytes.
func TestCopyOut(t *testing.T) {
	e := startServer(t)
	c := e.connect(t, "")
	tests := []struct{ sql, want, tag string }{
		{`COPY (SELECT id, 'a,b"c' AS s, NULL AS n, '' AS e, E'tab\there\nnl\\' AS t FROM posts WHERE id <= 2 ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)`,
			"id,s,n,e,t\n1,\"a,b\"\"c\",,\"\",\"tab\there\nnl\\\"\n2,\"a,b\"\"c\",,\"\",\"tab\there\nnl\\\"\n", "COPY 2"},
		{`COPY (SELECT id, 'a,b"c' AS s, NULL AS n, '' AS e, E'tab\there\nnl\\' AS t FROM posts WHERE id <= 2 ORDER BY id) TO STDOUT`,
			"1\ta,b\"c\t\\N\t\ttab\\there\\nnl\\\\\n2\ta,b\"c\t\\N\t\ttab\\there\\nnl\\\\\n", "COPY 2"},
		{`COPY (SELECT id, completed, "dueDate" FROM todos WHERE id IN (1, 10) ORDER BY id) TO STDOUT WITH CSV HEADER DELIMITER ';' NULL 'null'`,
			"id;completed;dueDate\n1;t;2024-02-07 10:00:00+00\n10;t;null\n", "COPY 2"},
		{`COPY "users" (id, username) TO STDOUT (FORMAT text, HEADER true, DELIMITER '|')`,
			"id|username\n" + joinRows(libRows(t, e.lib, "SELECT id, username FROM users"), "|"), "COPY 10"},
		{`COPY (SELECT id FROM posts WHERE id < 0) TO STDOUT (FORMAT csv, HEADER)`, "id\n", "COPY 0"},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			var buf bytes.Buffer
			tag, err := c.PgConn().CopyTo(testCtx(t), &buf, tc.sql)
			require.NoError(t, err)
			require.Equal(t, tc.want, buf.String())
			require.Equal(t, tc.tag, tag.String())
		})
	}
	// Every row of a table, as the library reads it.
	var buf bytes.Buffer
	_, err := c.PgConn().CopyTo(testCtx(t), &buf, "COPY comments (id) TO STDOUT")
	require.NoError(t, err)
	require.Equal(t, 500, bytes.Count(buf.Bytes(), []byte("\n")))

	for _, q := range []string{"COPY (SELECT 1) FROM STDIN", "COPY (SELECT nosuch FROM posts) TO STDOUT", `COPY (SELECT 1) TO '/tmp/f'`} {
		_, err := c.PgConn().CopyTo(testCtx(t), &buf, q)
		require.Error(t, err, q)
		require.Contains(t, []string{codeFeatureNotSupported, codeUndefinedColumn}, sqlState(err), "%v", err)
	}
	var one int64
	require.NoError(t, c.QueryRow(testCtx(t), "SELECT 1").Scan(&one))
}

// TestPsqlCopy runs psql's \copy (SELECT …) TO 'file' CSV HEADER, which
// sends COPY … TO STDOUT and writes the rows to a file of the client.
func TestPsqlCopy(t *testing.T) {
	psql := requireTool(t, "psql", "postgresql-client")
	e := startServer(t)
	host, port, _ := net.SplitHostPort(e.addr)
	out := filepath.Join(t.TempDir(), "posts.csv")
	cmd := exec.CommandContext(testCtx(t), psql, "-X", "-v", "ON_ERROR_STOP=1",
		"-c", `\copy (SELECT id, title FROM posts WHERE "userId" = 1 AND id <= 3 ORDER BY id) TO '`+out+`' CSV HEADER`,
		"-c", `\copy users (id, name) TO '`+out+`.txt'`)
	cmd.Env = append(os.Environ(), "PGHOST="+host, "PGPORT="+port, "PGUSER=tester", "PGDATABASE=restsql",
		"PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10", "PGPASSWORD=", "PGOPTIONS=", "PSQLRC=/dev/null", "LC_ALL=C.UTF-8")
	stdout, err := cmd.CombinedOutput()
	require.NoError(t, err, "psql:\n%s", stdout)
	require.Contains(t, string(stdout), "COPY 3")
	require.Contains(t, string(stdout), "COPY 10")
	got, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, "id,title\n"+joinRows(libRows(t, e.lib, "SELECT id, title FROM posts WHERE userId = 1 AND id <= 3 ORDER BY id"), ","), string(got))
	got, err = os.ReadFile(out + ".txt")
	require.NoError(t, err)
	require.Equal(t, joinRows(libRows(t, e.lib, "SELECT id, name FROM users"), "\t"), string(got))
}

// joinRows writes rows as lines of values (without quoting).
func joinRows(rows [][]string, sep string) string {
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, sep))
		b.WriteByte('\n')
	}
	return b.String()
}

// TestCopyOutBinary copies rows out in COPY's binary format and reads
// them back: the signature, each row's fields in binary, NULL as -1, and
// the trailer.
func TestCopyOutBinary(t *testing.T) {
	e := startServer(t)
	c := e.connect(t, "")
	var buf bytes.Buffer
	tag, err := c.PgConn().CopyTo(testCtx(t), &buf, `COPY (SELECT id, title, completed, "dueDate" FROM todos WHERE id IN (1, 10) ORDER BY id) TO STDOUT (FORMAT binary)`)
	require.NoError(t, err)
	require.Equal(t, "COPY 2", tag.String())
	b := buf.Bytes()
	require.Equal(t, binaryCopyHeader, b[:19])
	b = b[19:]
	want := libRows(t, e.lib, "SELECT id, title, completed, dueDate FROM todos WHERE id IN (1, 10) ORDER BY id")
	for _, row := range want {
		require.Equal(t, uint16(4), binary.BigEndian.Uint16(b))
		b = b[2:]
		var fields [][]byte
		for range 4 {
			n := int32(binary.BigEndian.Uint32(b))
			b = b[4:]
			if n < 0 {
				fields = append(fields, nil)
				continue
			}
			fields = append(fields, b[:n])
			b = b[n:]
		}
		require.Equal(t, row[0], strconv.FormatInt(int64(binary.BigEndian.Uint64(fields[0])), 10))
		require.Equal(t, row[1], string(fields[1]))
		require.Equal(t, row[2], strconv.FormatBool(fields[2][0] == 1))
		if row[3] == "NULL" {
			require.Nil(t, fields[3])
		} else {
			us := int64(binary.BigEndian.Uint64(fields[3]))
			require.Equal(t, row[3], pgEpoch.Add(time.Duration(us)*time.Microsecond).Format(time.RFC3339Nano))
		}
	}
	require.Equal(t, []byte{0xff, 0xff}, b)
}
