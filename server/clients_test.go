package server

import (
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
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
