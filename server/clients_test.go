package server

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// requireTool finds a client program. Without it the test is skipped,
// except in CI (CI=true), where .ci/run installs it and its absence is a
// failure.
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed; .ci/run installs Debian's %s", name, pkg)
		}
		t.Skipf("%s is not installed (apt-get install %s); skipping", name, pkg)
	}
	return path
}

// TestPsql runs testdata/psql/script.sql with psql: \dt, \d, \dn and
// queries over the simple protocol.
func TestPsql(t *testing.T) {
	psql := requireTool(t, "psql", "postgresql-client")
	e := startServer(t)
	host, port, _ := net.SplitHostPort(e.addr)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-X", "-v", "ON_ERROR_STOP=1", "-f", filepath.Join("testdata", "psql", "script.sql"))
	cmd.Env = append(os.Environ(), "PGHOST="+host, "PGPORT="+port, "PGUSER=tester", "PGDATABASE=restsql",
		"PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10", "PGPASSWORD=", "PGOPTIONS=", "PSQLRC=/dev/null", "LC_ALL=C.UTF-8")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "psql:\n%s", out)
	for _, want := range []string{
		" API    | posts            | table | tester",
		" API    | comments_by_post | table | tester",
		`Table "API.posts"`,
		" id     | bigint |           | not null | ",
		" title  | text   |           |          | ",
		`Table "API.todos"`,
		" dueDate   | timestamp with time zone |           |          |         | plain    |             |              | RFC 3339 in UTC; NULL for every tenth todo.",
		" completed | boolean                  |",
		"List of schemas",
		" 11 | laboris similique corrupti pariatur ipsum minim",
		" Ada Lovelace |    10",
		"  1 | 2024-02-07 10:00:00+00",
		"           50\n",
		" 15.0\n",
		" restsql          | API\n",
		"(5 rows)",
		"COMMIT",
		// FETCH_COUNT, through a cursor.
		" fetched | userId \n",
		"      15 |      2\n(15 rows)",
		// PostgreSQL's column names and ||.
		" count | ab | id \n-------+----+----\n     1 | ab | 4\n",
	} {
		require.Contains(t, string(out), want)
	}
	// Every query answers what the library answers.
	for _, q := range []struct {
		lib  string
		want string
	}{
		{"SELECT COUNT(*) FROM posts WHERE id >= 1 AND id < 51", "50"},
		{"SELECT COUNT(*) FROM comments_by_post WHERE postId = 3", "5"},
	} {
		require.Equal(t, [][]string{{q.want}}, libRows(t, e.lib, q.lib))
	}
}

// TestJDBCSparkRead runs testdata/jdbc/SparkRead.java on the PostgreSQL
// JDBC driver: getTables, getColumns, the WHERE 1=0 probe, a bound
// parameter, then four partitions read in parallel with a fetch size,
// whose union must be the whole table. It logs in with SCRAM.
func TestJDBCSparkRead(t *testing.T) {
	java := requireTool(t, "java", "default-jre-headless")
	jar := os.Getenv("RESTSQL_JDBC_JAR")
	if jar == "" {
		jar = "/usr/share/java/postgresql.jar"
	}
	if _, err := os.Stat(jar); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the PostgreSQL JDBC driver is not at %s; .ci/run installs Debian's libpostgresql-jdbc-java", jar)
		}
		t.Skipf("the PostgreSQL JDBC driver is not at %s (apt-get install libpostgresql-jdbc-java, or set RESTSQL_JDBC_JAR); skipping", jar)
	}
	e := startServer(t, func(c *Config) { c.Users = testUsers(t) })
	want := libRows(t, e.lib, "SELECT COUNT(*) FROM posts")
	require.Equal(t, [][]string{{"100"}}, want)

	ctx, cancel := context.WithTimeout(context.Background(), 2*wait)
	defer cancel()
	src, err := filepath.Abs(filepath.Join("testdata", "jdbc", "SparkRead.java"))
	require.NoError(t, err)
	classpath := jar
	run := []string{src}
	if javac, err := exec.LookPath("javac"); err == nil {
		// Compile in a temporary directory; without javac (a JRE only),
		// java runs the source file directly.
		dir := t.TempDir()
		out, err := exec.CommandContext(ctx, javac, "-J-XX:TieredStopAtLevel=1", "-J-XX:+UseSerialGC", "-d", dir, "-cp", jar, src).CombinedOutput()
		require.NoError(t, err, "javac:\n%s", out)
		classpath = dir + string(os.PathListSeparator) + jar
		run = []string{"SparkRead"}
	}
	host, port, _ := net.SplitHostPort(e.addr)
	url := "jdbc:postgresql://" + host + ":" + port + "/restsql?sslmode=disable"
	// A short program: the quick JIT tier and the serial collector start fastest.
	args := append([]string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", classpath}, run...)
	args = append(args, url, "alice", "wonderland", "posts", "id", "1", "101", strconv.Itoa(4), "10")
	out, err := exec.CommandContext(ctx, java, args...).CombinedOutput()
	require.NoError(t, err, "SparkRead:\n%s", out)
	require.Contains(t, string(out), "getColumns: [id, userId, title, body]")
	require.Contains(t, string(out), "OK: 4 partitions hold the table's 100 rows")
}

// python finds a Python 3 that imports module: Debian's /usr/bin/python3
// first (where python3-psycopg2 installs), then python3 on the PATH.
// Without one the test is skipped, except in CI (CI=true), where .ci/run
// installs pkg.
func python(t *testing.T, module, pkg string) string {
	t.Helper()
	for _, p := range []string{"/usr/bin/python3", "python3"} {
		path, err := exec.LookPath(p)
		if err != nil {
			continue
		}
		if exec.Command(path, "-c", "import "+module).Run() == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no python3 imports %s; .ci/run installs Debian's %s", module, pkg)
	}
	t.Skipf("no python3 imports %s (apt-get install %s); skipping", module, pkg)
	return ""
}

// runCheck runs a client's check script and returns what it printed, one
// "name: value" line per check. Its standard error (warnings) is shown
// only when the script fails.
func runCheck(t *testing.T, cmd *exec.Cmd, client string) map[string]string {
	t.Helper()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(t, err, "%s:\n%s\n%s", client, out, stderr.String())
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		k, v, ok := strings.Cut(line, ": ")
		require.True(t, ok, "%s: unexpected output line %q", client, line)
		got[k] = v
	}
	return got
}

// TestPsycopg2 runs testdata/python/psycopg2_check.py: psycopg2's named
// cursors (DECLARE, FETCH FORWARD, MOVE, CLOSE, WITH HOLD), parameters,
// column names and COPY, against the library's answers.
func TestPsycopg2(t *testing.T) {
	py := python(t, "psycopg2", "python3-psycopg2")
	e := startServer(t)
	host, port, _ := net.SplitHostPort(e.addr)
	dsn := "host=" + host + " port=" + port + " user=tester dbname=restsql sslmode=disable connect_timeout=10"
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, filepath.Join("testdata", "python", "psycopg2_check.py"), dsn)
	got := runCheck(t, cmd, "psycopg2")
	ints := func(q string) string {
		var ids []string
		for _, r := range libRows(t, e.lib, q) {
			ids = append(ids, r[0])
		}
		return "[" + strings.Join(ids, ", ") + "]"
	}
	count := libRows(t, e.lib, "SELECT COUNT(*), SUM(userId) FROM posts WHERE id <= 50")[0]
	csv := "id,title\n" + joinRows(libRows(t, e.lib, "SELECT id, title FROM posts WHERE userId = 1 AND id <= 3 ORDER BY id"), ",")
	want := map[string]string{
		"names":                 "count,sum",
		"count":                 "(" + count[0] + ", " + count[1] + ")",
		"named":                 ints("SELECT id FROM posts WHERE userId = 2 AND id <= 100 ORDER BY id"), // the original posts, not those COPY adds
		"fetchmany":             "[1, 2, 3]",
		"after scroll":          "14",
		"after absolute scroll": "31",
		"scroll first":          "[1, 2, 3, 4, 5]",
		"scroll back":           "3",
		"scroll rewind":         "[1, 2]",
		"held first":            "1",
		"held rest":             ints("SELECT id FROM users WHERE id > 1 ORDER BY id"),
		"copy csv":              pyRepr(csv),
		"copy_to":               pyRepr(joinRows(libRows(t, e.lib, "SELECT id, username FROM users"), "|")),
		"copy from":             "2",
		"copy_from":             "1",
		"copied":                "['py b', 'py c', 'py, a']",
		"copy read-only":        codeFeatureNotSupported,
		"done":                  "ok",
	}
	require.Equal(t, want, got)
}

// pyRepr is Python's repr of an ASCII string without single quotes.
func pyRepr(s string) string {
	return "'" + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), "\n", `\n`) + "'"
}

// TestNodePostgres runs testdata/node/cursor_check.js with node-postgres,
// pg-cursor and pg-copy-streams (installed by .ci/run into .ci/node, or
// found through RESTSQL_NODE_MODULES): portals read a few rows at a time,
// SQL cursors, column names and COPY.
func TestNodePostgres(t *testing.T) {
	node := requireTool(t, "node", "nodejs")
	modules := os.Getenv("RESTSQL_NODE_MODULES")
	if modules == "" {
		modules = filepath.Join("..", ".ci", "node", "node_modules")
	}
	for _, m := range []string{"pg", "pg-cursor", "pg-copy-streams"} {
		if _, err := os.Stat(filepath.Join(modules, m, "package.json")); err != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("the npm package %s is not in %s; .ci/run installs it", m, modules)
			}
			t.Skipf("the npm package %s is not in %s (run .ci/run, or set RESTSQL_NODE_MODULES); skipping", m, modules)
		}
	}
	abs, err := filepath.Abs(modules)
	require.NoError(t, err)
	e := startServer(t)
	host, port, _ := net.SplitHostPort(e.addr)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, filepath.Join("testdata", "node", "cursor_check.js"))
	cmd.Env = append(os.Environ(), "NODE_PATH="+abs, "PGHOST="+host, "PGPORT="+port, "PGSSLMODE=disable", "PGPASSWORD=", "PGOPTIONS=")
	got := runCheck(t, cmd, "node")
	var ids []string
	for _, r := range libRows(t, e.lib, "SELECT id FROM posts WHERE userId = 2 ORDER BY id") {
		ids = append(ids, r[0])
	}
	require.Len(t, ids, 10)
	batches := "[[" + strings.Join(ids[0:4], ",") + "],[" + strings.Join(ids[4:8], ",") + "],[" + strings.Join(ids[8:], ",") + "]]"
	csv, err := json.Marshal("id,name\n" + joinRows(libRows(t, e.lib, "SELECT id, name FROM users WHERE id <= 3 ORDER BY id"), ","))
	require.NoError(t, err)
	want := map[string]string{
		"pg-cursor": batches,
		"fetch":     `{"command":"FETCH","rowCount":2,"ids":[1,2],"fields":["id","title"]}`,
		"move":      `{"command":"MOVE","rowCount":2}`,
		"fetch all": "[5,6]",
		"names":     `["count","?column?","id"]`,
		"copy":      string(csv),
		"done":      "ok",
	}
	require.Equal(t, want, got)
}

// TestPsycopg3 runs testdata/python/psycopg3_check.py: psycopg 3's
// server-side cursors (DECLARE with bound parameters, Describe of the
// cursor's portal, FETCH FORWARD, MOVE), types, column names and COPY.
func TestPsycopg3(t *testing.T) {
	py := python(t, "psycopg", "python3-psycopg")
	e := startServer(t)
	host, port, _ := net.SplitHostPort(e.addr)
	dsn := "host=" + host + " port=" + port + " user=tester dbname=restsql sslmode=disable connect_timeout=10"
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	got := runCheck(t, exec.CommandContext(ctx, py, filepath.Join("testdata", "python", "psycopg3_check.py"), dsn), "psycopg")
	var ids []string
	for _, r := range libRows(t, e.lib, "SELECT id FROM posts WHERE userId = 2 ORDER BY id") {
		ids = append(ids, r[0])
	}
	count := libRows(t, e.lib, "SELECT COUNT(*), SUM(userId) FROM posts WHERE id <= 50")[0]
	todo := libRows(t, e.lib, "SELECT completed, dueDate IS NULL FROM todos WHERE id = 10")[0]
	pyBool := map[string]string{"true": "True", "false": "False"}
	want := map[string]string{
		"names":        "count,sum",
		"count":        "(" + count[0] + ", " + count[1] + ")",
		"types":        "(10, " + pyBool[todo[0]] + ", " + pyBool[todo[1]] + ")",
		"named names":  "id,title",
		"named":        "[" + strings.Join(ids, ", ") + "]",
		"fetchmany":    "[1, 2]",
		"after scroll": "8",
		"copy csv":     pyRepr("id,title\n" + joinRows(libRows(t, e.lib, "SELECT id, title FROM posts WHERE userId = 1 AND id <= 3 ORDER BY id"), ",")),
		"copy from":    "2",
		"copied":       "[('pg3 copy a', None), ('pg3 copy b\\ttab', 'x')]",
		"done":         "ok",
	}
	require.Equal(t, want, got)
}

// TestSQLAlchemy runs testdata/python/sqlalchemy_check.py: SQLAlchemy's
// connect (its dialect's probes), bound parameters, column keys and
// stream_results, which psycopg2 reads through a named cursor.
func TestSQLAlchemy(t *testing.T) {
	py := python(t, "sqlalchemy, psycopg2", "python3-sqlalchemy python3-psycopg2")
	e := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	got := runCheck(t, exec.CommandContext(ctx, py, filepath.Join("testdata", "python", "sqlalchemy_check.py"), e.addr), "sqlalchemy")
	count := libRows(t, e.lib, "SELECT COUNT(*), MAX(id) FROM posts WHERE userId = 3")[0]
	want := map[string]string{
		"count":  "(" + count[0] + ", " + count[1] + ")",
		"keys":   "count,id",
		"stream": "[[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [11, 12, 13, 14, 15, 16, 17, 18, 19, 20], [21, 22, 23]]",
		"done":   "ok",
	}
	require.Equal(t, want, got)
}

// TestPandas runs testdata/python/pandas_check.py: pandas.read_sql through
// a SQLAlchemy engine (a text query with parameters, read_sql_table, chunks
// over a named cursor) and through a psycopg2 connection, against the
// library's answers (column names, pandas dtypes, values, chunk sizes).
func TestPandas(t *testing.T) {
	py := python(t, "pandas, sqlalchemy, psycopg2", "python3-pandas python3-sqlalchemy python3-psycopg2")
	e := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, "-W", "ignore::UserWarning", filepath.Join("testdata", "python", "pandas_check.py"), e.addr)
	got := runCheck(t, cmd, "pandas")
	var ids []string
	for _, r := range libRows(t, e.lib, "SELECT id FROM posts WHERE userId = 3 ORDER BY id") {
		ids = append(ids, r[0])
	}
	title := libRows(t, e.lib, "SELECT title FROM posts WHERE userId = 3 ORDER BY id LIMIT 1")[0][0]
	todos := libRows(t, e.lib, "SELECT COUNT(*) FROM todos")[0][0]
	posts, err := strconv.Atoi(libRows(t, e.lib, "SELECT COUNT(*) FROM posts")[0][0])
	require.NoError(t, err)
	var chunks []string
	for n := posts; n > 0; n -= 40 {
		chunks = append(chunks, strconv.Itoa(min(n, 40)))
	}
	var groups []string
	for _, r := range libRows(t, e.lib, "SELECT userId, COUNT(*) FROM posts GROUP BY userId ORDER BY userId LIMIT 3") {
		groups = append(groups, "{'userId': "+r[0]+", 'n': "+r[1]+"}")
	}
	want := map[string]string{
		"columns":      "id,userId,title",
		"dtypes":       "int64,int64,object",
		"ids":          strings.Join(ids, ","),
		"first title":  title,
		"todos":        todos + " rows, id,userId,title,completed,dueDate",
		"todos dtypes": "id=int64,userId=int64,title=object,completed=bool,dueDate=datetime64[ns, UTC]",
		"chunks":       "[" + strings.Join(chunks, ", ") + "]",
		"psycopg2":     "[" + strings.Join(groups, ", ") + "]",
		"done":         "ok",
	}
	require.Equal(t, want, got)
}

// jdbcJar finds the PostgreSQL JDBC driver, or skips (fails in CI).
func jdbcJar(t *testing.T) string {
	t.Helper()
	jar := os.Getenv("RESTSQL_JDBC_JAR")
	if jar == "" {
		jar = "/usr/share/java/postgresql.jar"
	}
	if _, err := os.Stat(jar); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the PostgreSQL JDBC driver is not at %s; .ci/run installs Debian's libpostgresql-jdbc-java", jar)
		}
		t.Skipf("the PostgreSQL JDBC driver is not at %s (apt-get install libpostgresql-jdbc-java, or set RESTSQL_JDBC_JAR); skipping", jar)
	}
	return jar
}

// TestJDBCMetaData runs testdata/jdbc/MetaData.java: every
// DatabaseMetaData method a database browser calls (getCatalogs,
// getSchemas, getTables, getColumns, getPrimaryKeys, getImportedKeys,
// getExportedKeys, getIndexInfo, getTablePrivileges, getTypeInfo), each
// answered by restsql over pg_catalog, compared with
// testdata/jdbc/MetaData.golden (-update rewrites it).
func TestJDBCMetaData(t *testing.T) {
	java := requireTool(t, "java", "default-jre-headless")
	jar := jdbcJar(t)
	e := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*wait)
	defer cancel()
	src, err := filepath.Abs(filepath.Join("testdata", "jdbc", "MetaData.java"))
	require.NoError(t, err)
	host, port, _ := net.SplitHostPort(e.addr)
	url := "jdbc:postgresql://" + host + ":" + port + "/restsql?sslmode=disable"
	out, err := exec.CommandContext(ctx, java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", jar, src, url, "tester", "").CombinedOutput()
	require.NoError(t, err, "MetaData:\n%s", out)
	golden := filepath.Join("testdata", "jdbc", "MetaData.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, out, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), string(out))
	// The answers that matter most, spelled out: the key columns exactly.
	require.Contains(t, string(out), "== getPrimaryKeys(posts)\ncolumns: table_cat,table_schem,table_name,column_name,key_seq,pk_name\nAPI | posts | id | 1 | posts_pkey\n(1 rows)\n")
	require.Contains(t, string(out), "== getImportedKeys(posts)\n")
}

// TestSQLAlchemyInspect runs testdata/python/sqlalchemy_inspect.py:
// SQLAlchemy's inspect() (schemas, tables, columns, the primary key —
// exactly the key columns —, foreign keys, indexes) answered by restsql
// over pg_catalog, and a reflected Table queried with select().
func TestSQLAlchemyInspect(t *testing.T) {
	py := python(t, "sqlalchemy, psycopg2", "python3-sqlalchemy python3-psycopg2")
	e := startServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	got := runCheck(t, exec.CommandContext(ctx, py, filepath.Join("testdata", "python", "sqlalchemy_inspect.py"), e.addr), "sqlalchemy")
	var ids []string
	for _, r := range libRows(t, e.lib, "SELECT id FROM posts WHERE userId = 2 ORDER BY id LIMIT 3") {
		ids = append(ids, r[0])
	}
	want := map[string]string{
		"schemas":             "['API', 'information_schema']",
		"default schema":      "API",
		"tables":              "['comments', 'comments_by_post', 'posts', 'posts_by_user', 'todos', 'users']",
		"views":               "[]",
		"has table":           "(True, False)",
		"columns":             "[('id', 'BIGINT', False), ('userId', 'BIGINT', True), ('title', 'TEXT', True), ('completed', 'BOOLEAN', True), ('dueDate', 'TIMESTAMP', True)]",
		"comment":             "RFC 3339 in UTC; NULL for every tenth todo.",
		"pk":                  "{'constrained_columns': ['id'], 'name': 'posts_pkey'}",
		"pk comments_by_post": "['id']",
		"fks":                 "[]",
		"indexes":             "[]",
		"unique":              "[]",
		"table comment":       "{'text': 'A hundred posts, ten per user.'}",
		"reflected":           "(['id', 'userId', 'title', 'body'], ['id'])",
		"select":              "[" + strings.Join(ids, ", ") + "]",
		"done":                "ok",
	}
	require.Equal(t, want, got)
}

// TestPsqlCatalog runs testdata/psql/catalog.sql with psql (\dt, \d,
// \d+, \dn, \l, \di, \dv, \dT) and compares its output with
// testdata/psql/catalog.golden (-update rewrites it).
func TestPsqlCatalog(t *testing.T) {
	psql := requireTool(t, "psql", "postgresql-client")
	e := startServer(t)
	host, port, _ := net.SplitHostPort(e.addr)
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	cmd := exec.CommandContext(ctx, psql, "-X", "-v", "ON_ERROR_STOP=1", "-f", filepath.Join("testdata", "psql", "catalog.sql"))
	cmd.Env = append(os.Environ(), "PGHOST="+host, "PGPORT="+port, "PGUSER=tester", "PGDATABASE=restsql",
		"PGSSLMODE=disable", "PGCONNECT_TIMEOUT=10", "PGPASSWORD=", "PGOPTIONS=", "PSQLRC=/dev/null", "LC_ALL=C.UTF-8", "COLUMNS=200")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "psql:\n%s", out)
	golden := filepath.Join("testdata", "psql", "catalog.golden")
	if *update {
		require.NoError(t, os.WriteFile(golden, out, 0o644))
	}
	want, err := os.ReadFile(golden)
	require.NoError(t, err)
	require.Equal(t, string(want), string(out))
	// \d posts shows the primary key as its index.
	require.Contains(t, string(out), "Indexes:\n    \"posts_pkey\" PRIMARY KEY, btree (id)\n")
}
