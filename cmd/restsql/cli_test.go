package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rivo/uniseg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// runCmd runs the command line and returns stdout, stderr and the exit
// code main would use.
func runCmd(t *testing.T, ctx context.Context, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(ctx, args, &out, &errOut)
	if err != nil {
		errOut.WriteString("error: " + err.Error() + "\n")
	}
	return out.String(), errOut.String(), exitCode(err, ctx.Err() != nil)
}

func TestFlagsAfterTheStatement(t *testing.T) {
	out, stderr, code := runCmd(t, context.Background(), "query", "SELECT id, name FROM users WHERE id <= ? ORDER BY id", "2", "--format", "csv")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "id,name\n1,Ada Lovelace\n2,Alan Turing\n", out)
	out, _, code = runCmd(t, context.Background(), "query", "--format=jsonl", "SELECT id FROM users WHERE id < ?", "--", "-1")
	assert.Equal(t, exitOK, code)
	assert.Equal(t, "", out, `"--" lets an argument start with "-"`)
}

func TestHelpOfEverySubcommand(t *testing.T) {
	for _, cmd := range []string{"query", "export", "demo", "serve", "discover", "openapi", "version", "completion"} {
		t.Run(cmd, func(t *testing.T) {
			out, stderr, code := runCmd(t, context.Background(), cmd, "--help")
			assert.Equal(t, exitOK, code, stderr)
			assert.Contains(t, out, "restsql "+cmd)
			if cmd != "version" && cmd != "completion" {
				assert.Contains(t, out, "Examples:")
			}
			assert.Empty(t, stderr)
		})
	}
	out, _, code := runCmd(t, context.Background(), "--help")
	assert.Equal(t, exitOK, code)
	for _, cmd := range []string{"query", "export", "demo", "serve", "discover", "openapi", "version", "completion"} {
		assert.Contains(t, out, "\n  "+cmd+" ")
	}
}

func TestVersionAndCompletion(t *testing.T) {
	out, _, code := runCmd(t, context.Background(), "version")
	assert.Equal(t, exitOK, code)
	assert.Regexp(t, `^restsql \S+.* go1\.\d+`, out)
	out, _, code = runCmd(t, context.Background(), "completion", "bash")
	assert.Equal(t, exitOK, code)
	assert.Contains(t, out, "__start_restsql")
}

func TestStatementFromStdinAndFile(t *testing.T) {
	stdin = strings.NewReader("SELECT id FROM posts WHERE id = 2;\n")
	defer func() { stdin = os.Stdin }()
	out, stderr, code := runCmd(t, context.Background(), "query", "--format", "csv", "-")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "id\n2\n", out)

	file := filepath.Join(t.TempDir(), "q.sql")
	require.NoError(t, os.WriteFile(file, []byte("-- posts of a user\nSELECT id FROM posts\nWHERE userId = ? AND id < 3\n"), 0o644))
	out, stderr, code = runCmd(t, context.Background(), "query", "-f", file, "1", "--format", "csv")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "id\n1\n2\n", out)

	stdin = strings.NewReader("  \n")
	_, stderr, code = runCmd(t, context.Background(), "query", "-f", "-")
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, stderr, "standard input holds no statement")
}

func TestExitCodes(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, tc := range []struct {
		name   string
		ctx    context.Context
		args   []string
		code   int
		stderr string
	}{
		{"ok", context.Background(), []string{"query", "SELECT 1 AS one"}, exitOK, ""},
		{"no statement", context.Background(), []string{"query"}, exitUsage, "query needs a SQL statement"},
		{"unknown flag", context.Background(), []string{"query", "SELECT 1", "--nope"}, exitUsage, "unknown flag: --nope"},
		{"unknown command", context.Background(), []string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{"bad format", context.Background(), []string{"query", "--format", "xml", "SELECT 1"}, exitUsage, `unknown --format "xml"`},
		{"export flag", context.Background(), []string{"export", "--nope"}, exitUsage, "unknown flag: --nope"},
		{"SQL error", context.Background(), []string{"query", "SELECT nope FROM posts"}, exitFailure, "unknown column nope"},
		{"DSN error", context.Background(), []string{"query", "--dsn", "Pofile=x.yaml", "SELECT 1"}, exitFailure, `did you mean "Profile"`},
		{"API down", context.Background(), []string{"query", "--dsn", "Profile=../../examples/jsonplaceholder/profile.yaml;URL=http://127.0.0.1:1;MaxRetries=0", "SELECT * FROM posts"}, exitFailure, "127.0.0.1:1"},
		{"interrupted", cancelled, []string{"query", "SELECT id FROM posts"}, exitInterrupted, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, code := runCmd(t, tc.ctx, tc.args...)
			assert.Equal(t, tc.code, code, stderr)
			assert.Contains(t, stderr, tc.stderr)
		})
	}
}

func TestTableShowsNullDistinctly(t *testing.T) {
	out, stderr, code := runCmd(t, context.Background(), "query", "SELECT NULL AS a, 'NULL' AS b, '' AS c")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "a | b    | c\n--+------+--\n∅ | NULL |\n(1 row)\n", out)
	out, _, _ = runCmd(t, context.Background(), "query", "SELECT NULL AS a", "--null", "(null)")
	assert.Equal(t, "a\n------\n(null)\n(1 row)\n", out)
	out, _, _ = runCmd(t, context.Background(), "query", "SELECT NULL AS a, 'x' AS b", "--format", "line")
	assert.Equal(t, "a = ∅\nb = x\n", out)
}

func TestTableCutsLongValuesToTheWidth(t *testing.T) {
	out, stderr, code := runCmd(t, context.Background(), "query", "SELECT id, title, body FROM posts WHERE id <= 3 ORDER BY id", "--max-width", "40")
	require.Equal(t, exitOK, code, stderr)
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 6)
	for _, l := range lines[:5] {
		assert.LessOrEqual(t, uniseg.StringWidth(l), 40, "%q", l)
	}
	assert.Contains(t, lines[2], "…")
	assert.True(t, strings.HasPrefix(lines[2], " 1 | "), "numbers right-aligned: %q", lines[2])
	// Piped without --max-width: nothing is cut.
	out, _, _ = runCmd(t, context.Background(), "query", "SELECT body FROM posts WHERE id = 1")
	assert.NotContains(t, out, "…")
}

func TestJSONEmbedsJSONColumnsAndDoesNotEscapeHTML(t *testing.T) {
	srv := itemsAPI(t)
	profile := filepath.Join(t.TempDir(), "profile.yaml")
	p, _, err := cmdOutput(t, srv.URL, "discover", "--auth-bearer", "tok", "--profile", srv.URL+"/v1/items?page=1&per_page=3")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(profile, []byte(strings.ReplaceAll(p, "127.0.0.1:PORT", strings.TrimPrefix(srv.URL, "http://"))), 0o600))
	for _, f := range []string{"json", "jsonl"} {
		out, stderr, code := runCmd(t, context.Background(), "query", "--dsn", "Profile="+profile+";Token=tok", "SELECT id, tags, 'a & <b>' AS s FROM items WHERE id = 3", "--format", f)
		require.Equal(t, exitOK, code, stderr)
		assert.Contains(t, out, `{"id":3,"tags":["x"],"s":"a & <b>"}`, f)
	}
}

// discover does not print a credential that the API echoes back.
func TestDiscoverRedactsEchoedSecrets(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"error":"invalid credentials: ` + r.Header.Get("Authorization") + ` key=` + r.URL.Query().Get("api_key") + `"}`))
	}))
	defer srv.Close()
	for _, args := range [][]string{
		{"--auth-bearer", "tok-very-secret-42"},
		{"--auth-basic", "ann:pass-very-secret-42"},
		{"--api-key", "api_key=key-very-secret-42", "--api-key-in", "query"},
	} {
		_, stderr, code := runCmd(t, context.Background(), append(append([]string{"discover"}, args...), srv.URL+"/items")...)
		assert.Equal(t, exitFailure, code)
		assert.Contains(t, stderr, "401")
		assert.Contains(t, stderr, "***")
		assert.NotContains(t, stderr, "very-secret")
		assert.NotContains(t, stderr, "YW5uOnBhc3M") // base64 of ann:pass…
	}
}

// signalWriter collects output and closes seen once it holds want.
type signalWriter struct {
	mu   sync.Mutex
	b    strings.Builder
	want string
	seen chan struct{}
	once sync.Once
}

func (w *signalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.b.Write(p)
	if strings.Contains(w.b.String(), w.want) {
		w.once.Do(func() { close(w.seen) })
	}
	return len(p), nil
}

func (w *signalWriter) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// A stalled API: the rows already read are written, while the next page
// is awaited and when Ctrl-C ends the query (exit code 130).
func TestStreamedRowsShowWhileStalledAndOnInterrupt(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") != "1" {
			<-r.Context().Done() // page 2 never comes
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`[{"id":1,"name":"a & b"},{"id":2,"name":null},{"id":3,"name":"c"}]`))
	}))
	defer srv.Close()
	profile := filepath.Join(t.TempDir(), "api.yaml")
	require.NoError(t, os.WriteFile(profile, []byte(`catalogs:
  C:
    url: `+srv.URL+`
    schemas:
      API:
        tables:
          items:
            url: /items
            pagination: {type: page, pageParam: page, sizeParam: size, pageSize: 3}
            columns: [{name: id, type: int}, {name: name}]
`), 0o644))
	for _, tc := range []struct{ format, want string }{
		{"csv", "id,name\n1,a & b\n2,\n3,c\n"},
		{"jsonl", `{"id":1,"name":"a & b"}` + "\n" + `{"id":2,"name":null}` + "\n" + `{"id":3,"name":"c"}` + "\n"},
		{"json", "[\n  {\"id\":1,\"name\":\"a & b\"},\n  {\"id\":2,\"name\":null},\n  {\"id\":3,\"name\":\"c\"}"},
	} {
		t.Run(tc.format, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			out := &signalWriter{want: tc.want, seen: make(chan struct{})}
			done := make(chan error, 1)
			go func() {
				done <- run(ctx, []string{"query", "--dsn", "Profile=" + profile, "SELECT id, name FROM items", "--format", tc.format}, out, io.Discard)
			}()
			select {
			case <-out.seen: // written while page 2 is awaited
			case err := <-done:
				t.Fatalf("the query ended: %v; output %q", err, out.String())
			case <-time.After(20 * time.Second):
				t.Fatalf("the rows read were not written while the API stalls; output %q", out.String())
			}
			cancel() // Ctrl-C
			err := <-done
			assert.Equal(t, exitInterrupted, exitCode(err, true))
			assert.True(t, strings.HasPrefix(out.String(), tc.want), "%q", out.String())
		})
	}
}

// UPDATE and DELETE without WHERE are refused unless asked for.
func TestAllowUnfilteredWrites(t *testing.T) {
	_, stderr, code := runCmd(t, context.Background(), "query", "DELETE FROM todos")
	assert.Equal(t, exitFailure, code)
	assert.Contains(t, stderr, "DELETE without WHERE would change every row of Demo.API.todos")
	assert.Contains(t, stderr, "on the command line: --allow-unfiltered-writes")
	out, stderr, code := runCmd(t, context.Background(), "query", "DELETE FROM todos", "--allow-unfiltered-writes")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, "200 rows affected\n", out)

	stdin = strings.NewReader("UPDATE posts SET title = 'x';\n")
	defer func() { stdin = os.Stdin }()
	_, stderr, _ = runCmd(t, context.Background(), "shell")
	assert.Contains(t, stderr, "UPDATE without WHERE")
	stdin = strings.NewReader("UPDATE posts SET title = 'x';\n")
	out, stderr, _ = runCmd(t, context.Background(), "shell", "--allow-unfiltered-writes")
	assert.Empty(t, stderr)
	assert.Equal(t, "100 rows affected\n", out)
}
