package server

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"
)

var updatePsql = flag.Bool("update-psql", false, "rewrite the golden files of testdata/psql")

// runPsqlScript runs a psql script against the server, as psql -f, and
// returns its output.
func runPsqlScript(t *testing.T, e *testEnv, script string) string {
	t.Helper()
	psql := requireTool(t, "psql", "postgresql-client")
	host, port, _ := net.SplitHostPort(e.addr)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-X", "-v", "ON_ERROR_STOP=1", "-f", script)
	cmd.Env = append(os.Environ(), "PGHOST="+host, "PGPORT="+port, "PGUSER=tester", "PGDATABASE=restsql",
		"PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10", "PGPASSWORD=", "PGOPTIONS=", "PSQLRC=/dev/null", "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "psql:\n%s", out)
	return string(out)
}

// requireGolden compares out with the golden file, or rewrites it with
// -update-psql.
func requireGolden(t *testing.T, golden, out string) {
	t.Helper()
	if *updatePsql {
		require.NoError(t, os.WriteFile(golden, []byte(out), 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), out)
}

// TestPsqlScrollCursor runs testdata/psql/scroll.sql with psql: a SCROLL
// cursor in every direction, one WITH HOLD, and the refusal of a NO
// SCROLL one. The golden file is what PostgreSQL 15 itself answers to the
// same script on tables of the same rows (psql against a postgres 15.18).
func TestPsqlScrollCursor(t *testing.T) {
	e := startServer(t)
	script := filepath.Join("testdata", "psql", "scroll.sql")
	requireGolden(t, filepath.Join("testdata", "psql", "scroll.golden"), runPsqlScript(t, e, script))
}

// TestScrollCursor moves a SCROLL cursor with pgx, in the simple and the
// extended protocol: rows read once are kept, so that going back and
// forth again requests nothing from the API.
func TestScrollCursor(t *testing.T) {
	e := startServer(t)
	want, _ := func() ([]int64, error) {
		var out []int64
		for _, r := range libRows(t, e.lib, "SELECT id FROM comments ORDER BY id") {
			n, err := strconv.ParseInt(r[0], 10, 64)
			require.NoError(t, err)
			out = append(out, n)
		}
		return out, nil
	}()
	require.Greater(t, len(want), 10)
	last := want[len(want)-1]
	for _, mode := range []string{"simple_protocol", "cache_statement"} {
		t.Run(mode, func(t *testing.T) {
			c := e.connect(t, "default_query_exec_mode="+mode)
			execTag(t, c, "BEGIN")
			execTag(t, c, `DECLARE s SCROLL CURSOR FOR SELECT id FROM comments ORDER BY id`)
			got, tag := ids(t, c, "FETCH 3 FROM s")
			require.Equal(t, want[:3], got)
			require.Equal(t, "FETCH 3", tag)
			got, tag = ids(t, c, "FETCH BACKWARD 5 FROM s")
			require.Equal(t, []int64{want[1], want[0]}, got)
			require.Equal(t, "FETCH 2", tag)
			got, _ = ids(t, c, "FETCH LAST FROM s")
			require.Equal(t, []int64{last}, got)
			// Every row is kept now: no more requests.
			before := len(e.demo.Requests())
			got, _ = ids(t, c, "FETCH ABSOLUTE 2 FROM s")
			require.Equal(t, []int64{want[1]}, got)
			got, _ = ids(t, c, "FETCH RELATIVE 3 FROM s")
			require.Equal(t, []int64{want[4]}, got)
			got, _ = ids(t, c, "FETCH ALL FROM s")
			require.Equal(t, want[5:], got)
			require.Equal(t, fmt.Sprintf("MOVE %d", len(want)), execTag(t, c, "MOVE BACKWARD ALL IN s"))
			got, _ = ids(t, c, "FETCH FORWARD 2 FROM s")
			require.Equal(t, want[:2], got)
			require.Equal(t, before, len(e.demo.Requests()), "rows already read were requested again")
			execTag(t, c, "ROLLBACK")
		})
	}
}

// TestScrollCursorLimit reads a SCROLL cursor past Config.ScrollCursorRows:
// a clear error (54000), and rows up to the bound before it.
func TestScrollCursorLimit(t *testing.T) {
	api := newPagedAPI(t, 1000)
	e := startServer(t, withPagedAPI(t, api, 0), func(c *Config) { c.ScrollCursorRows = 250 })
	c := e.connect(t, "")
	execTag(t, c, "BEGIN")
	execTag(t, c, `DECLARE s SCROLL CURSOR FOR SELECT id FROM "Paged"."P".items`)
	got, _ := ids(t, c, "FETCH ABSOLUTE 250 FROM s")
	require.Equal(t, []int64{250}, got)
	got, _ = ids(t, c, "FETCH ABSOLUTE 1 FROM s")
	require.Equal(t, []int64{1}, got)
	_, err := c.Exec(testCtx(t), "FETCH ABSOLUTE 251 FROM s")
	require.Equal(t, codeProgramLimitExceeded, sqlState(err), "%v", err)
	require.ErrorContains(t, err, `SCROLL cursor "s" would keep more than 250 rows`)
	execTag(t, c, "ROLLBACK")
	// The error closed the cursor.
	execTag(t, c, "BEGIN")
	_, err = c.Exec(testCtx(t), "FETCH 1 FROM s")
	require.Equal(t, codeUndefinedCursor, sqlState(err), "%v", err)
	execTag(t, c, "ROLLBACK")
}
