package server

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"
)

// byTitle sorts request bodies by their title (the driver may send a
// batch's rows at once).
func byTitle(t *testing.T, bodies []map[string]any) []map[string]any {
	t.Helper()
	sort.SliceStable(bodies, func(i, j int) bool {
		a, _ := bodies[i]["title"].(string)
		b, _ := bodies[j]["title"].(string)
		return a < b
	})
	return bodies
}

// postBodies are the bodies of the POST requests the demo API received.
func postBodies(t *testing.T, e *testEnv) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, r := range e.demo.Requests() {
		if r.Method != "POST" {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal(r.Body, &m), "%s", r.Body)
		out = append(out, m)
	}
	return out
}

// TestCopyFrom copies rows into an API table with pgx, in text, CSV and
// binary (pgx's CopyFrom): each row is an INSERT the API receives.
func TestCopyFrom(t *testing.T) {
	e := startServer(t)
	c := e.connect(t, "")
	tests := []struct {
		name, sql, data string
		want            []map[string]any // in the order of their titles
	}{
		{"text", `COPY posts ("userId", title, body) FROM STDIN`,
			"3\tfirst\tline one\\nline two\n4\tsecond\t\\N\n",
			[]map[string]any{{"userId": 3.0, "title": "first", "body": "line one\nline two"}, {"userId": 4.0, "title": "second"}}},
		{"csv header", `COPY posts ("userId", title, body) FROM STDIN WITH (FORMAT csv, HEADER)`,
			"userId,title,body\n5,\"a, \"\"quoted\"\"\",\"two\nlines\"\n6,,\"\"\n",
			[]map[string]any{{"userId": 6.0, "body": ""}, {"userId": 5.0, "title": `a, "quoted"`, "body": "two\nlines"}}},
		{"csv header match, delimiter", `COPY posts ("userId", title) FROM STDIN (FORMAT csv, HEADER match, DELIMITER ';')`,
			"userId;title\r\n7;x\r\n",
			[]map[string]any{{"userId": 7.0, "title": "x"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e.demo.ResetRequests()
			tag, err := c.PgConn().CopyFrom(testCtx(t), strings.NewReader(tc.data), tc.sql)
			require.NoError(t, err)
			require.Equal(t, "COPY "+strconv.Itoa(len(tc.want)), tag.String())
			got := byTitle(t, postBodies(t, e))
			require.Len(t, got, len(tc.want))
			for i, w := range tc.want {
				for k, v := range w {
					require.Equal(t, v, got[i][k], "row %d field %s", i, k)
				}
				if _, ok := w["body"]; !ok && strings.Contains(tc.sql, "body") {
					require.Contains(t, got[i], "body", "a NULL is sent as null")
					require.Nil(t, got[i]["body"])
				}
			}
		})
	}

	t.Run("pgx CopyFrom (binary)", func(t *testing.T) {
		e.demo.ResetRequests()
		rows := make([][]any, 250)
		for i := range rows {
			rows[i] = []any{int64(i%10 + 1), "bulk " + strconv.Itoa(i), nil}
		}
		rows[3][2] = "with body"
		n, err := c.CopyFrom(testCtx(t), pgx.Identifier{"posts"}, []string{"userId", "title", "body"}, pgx.CopyFromRows(rows))
		require.NoError(t, err)
		require.Equal(t, int64(250), n)
		got := map[string]map[string]any{}
		for _, b := range postBodies(t, e) {
			got[b["title"].(string)] = b
		}
		require.Len(t, got, 250, "one request per row")
		require.Equal(t, 10.0, got["bulk 249"]["userId"])
		require.Equal(t, "with body", got["bulk 3"]["body"])
		require.Contains(t, got["bulk 4"], "body", "a NULL is sent as null")
		require.Nil(t, got["bulk 4"]["body"])
		var count int64
		require.NoError(t, c.QueryRow(testCtx(t), `SELECT count(*) FROM posts WHERE title LIKE 'bulk %'`).Scan(&count))
		require.Equal(t, int64(250), count)
	})

	errs := []struct {
		name, sql, data, code, msg string
		posts                      int
	}{
		{"table with a required key", `COPY comments_by_post ("postId", body) FROM STDIN`, "1\tx\n", codeFeatureNotSupported, "COPY comments_by_post FROM STDIN: the table's columns: ", 0},
		{"bad integer", `COPY posts ("userId", title) FROM STDIN`, "1\ta\nx\tb\n", codeInvalidText, `invalid input syntax for type bigint: "x"`, 0},
		{"extra column", `COPY posts ("userId", title) FROM STDIN`, "1\ta\tb\n", codeBadCopyFormat, "extra data after last expected column", 0},
		{"missing column", `COPY posts ("userId", title) FROM STDIN`, "1\n", codeBadCopyFormat, "missing data for column 2 of 2", 0},
		{"unterminated quote", `COPY posts ("userId", title) FROM STDIN CSV`, "1,\"a\n", codeBadCopyFormat, "unterminated CSV quoted field", 0},
		{"header mismatch", `COPY posts ("userId", title) FROM STDIN (FORMAT csv, HEADER MATCH)`, "userId,name\n1,a\n", codeBadCopyFormat, `column name mismatch in header line field 2: got "name", expected "title"`, 0},
		{"unknown column", `COPY posts (nosuch) FROM STDIN`, "1\n", codeUndefinedColumn, "", 0},
		{"force quote", `COPY posts (title) FROM STDIN (FORMAT csv, FORCE_QUOTE *)`, "a\n", codeFeatureNotSupported, "COPY FORCE_QUOTE cannot be used with COPY FROM", 0},
		{"query", `COPY (SELECT 1) FROM STDIN`, "1\n", codeFeatureNotSupported, "COPY FROM copies into a table, not a query", 0},
		{"server file", `COPY posts FROM '/etc/passwd'`, "", codeFeatureNotSupported, "", 0},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) {
			e.demo.ResetRequests()
			_, err := c.PgConn().CopyFrom(testCtx(t), strings.NewReader(tc.data), tc.sql)
			require.Error(t, err)
			if tc.code != "" {
				require.Equal(t, tc.code, sqlState(err), "%v", err)
			}
			if tc.msg != "" {
				require.ErrorContains(t, err, tc.msg)
			}
			require.Len(t, postBodies(t, e), tc.posts)
			// The session goes on.
			var one int
			require.NoError(t, c.QueryRow(testCtx(t), "SELECT 1").Scan(&one))
		})
	}
}

// TestPsqlCopyFrom runs testdata/psql/copyfrom.sql with psql: \copy FROM
// a file in text and CSV, then reads the rows back.
func TestPsqlCopyFrom(t *testing.T) {
	e := startServer(t)
	out := runPsqlScript(t, e, filepath.Join("testdata", "psql", "copyfrom.sql"))
	requireGolden(t, filepath.Join("testdata", "psql", "copyfrom.golden"), out)
	var titles []string
	for _, b := range byTitle(t, postBodies(t, e)) {
		titles = append(titles, b["title"].(string))
	}
	require.Equal(t, []string{"csv 2", "csv, with comma", "from psql 1", "from psql 2"}, titles)
}

// TestCopyFromReadOnly copies into a table without an insert endpoint: a
// clear error, and no request.
func TestCopyFromReadOnly(t *testing.T) {
	api := newPagedAPI(t, 10)
	e := startServer(t, withPagedAPI(t, api, 0))
	c := e.connect(t, "")
	api.requests.Store(0)
	_, err := c.PgConn().CopyFrom(testCtx(t), strings.NewReader("1\n2\n"), `COPY "Paged"."P".items (id) FROM STDIN`)
	require.Equal(t, codeFeatureNotSupported, sqlState(err), "%v", err)
	require.ErrorContains(t, err, "table Paged.P.items is not writable by INSERT: its profile has no insert: mapping")
	require.Equal(t, int64(0), api.requests.Load())
}

// FuzzCopyReader feeds COPY FROM data in two pieces cut anywhere: the
// rows (or the error) are those of the data fed at once, and nothing
// panics.
func FuzzCopyReader(f *testing.F) {
	f.Add([]byte("1\ta\\tb\n2\t\\N\n"), uint16(3), uint8(0))
	f.Add([]byte("a,b\n\"x\ny\",\"\"\n,z\n"), uint16(5), uint8(1))
	f.Add([]byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x00\x00\x01a\xff\xff\xff\xff\xff\xff"), uint16(20), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, cut uint16, mode uint8) {
		read := func(pieces ...[]byte) ([]string, error) {
			opts := copyOptions{delimiter: '\t', null: `\N`}
			switch mode % 3 {
			case 1:
				opts = copyOptions{csv: true, header: true, delimiter: ',', quote: '"', escape: '"'}
			case 2:
				opts = copyOptions{binary: true}
			}
			r := &copyReader{opts: &opts, ncols: 2, names: []string{"a", "b"}, table: "t"}
			var rows []string
			add := func(fields [][]byte, _ int64) error {
				rows = append(rows, fmt.Sprintf("%q", fields))
				return nil
			}
			for i, p := range pieces {
				if err := r.feed(p, i == len(pieces)-1, add); err != nil {
					return rows, err
				}
			}
			return rows, nil
		}
		whole, errWhole := read(data, nil)
		c := int(cut) % (len(data) + 1)
		cutRows, errCut := read(data[:c], data[c:], nil)
		require.Equal(t, errWhole == nil, errCut == nil, "%v / %v", errWhole, errCut)
		if errWhole == nil {
			require.Equal(t, whole, cutRows)
		}
	})
}
