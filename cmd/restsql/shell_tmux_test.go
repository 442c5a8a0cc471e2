package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rivo/uniseg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tmuxShell is `restsql shell` running in a detached tmux session.
type tmuxShell struct {
	t    *testing.T
	name string
	// socket is the session's own tmux server: one session ending does
	// not race with the next one starting.
	socket string
}

// tmux runs a tmux command on the session's server.
func (s *tmuxShell) tmux(args ...string) ([]byte, error) {
	return exec.Command("tmux", append([]string{"-S", s.socket}, args...)...).CombinedOutput()
}

// needTmux skips the test without tmux, except under CI=true (.ci/run
// installs it), where it fails.
func needTmux(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("tmux is missing (.ci/run installs it)")
		}
		t.Skip("tmux is not installed")
	}
}

// buildCLI builds the command once per test binary.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "restsql")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	require.NoError(t, err, "%s", out)
	return bin
}

// startShell starts the shell in a tmux window of the given width.
func startShell(t *testing.T, bin string, width int, args ...string) *tmuxShell {
	t.Helper()
	name := "restsql-test-" + regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(t.Name(), "-")
	home := t.TempDir()
	cmdline := "env -u RESTSQL_DSN HOME=" + home + " NO_COLOR= " + bin + " shell"
	for _, a := range args {
		cmdline += " '" + strings.ReplaceAll(a, "'", `'\''`) + "'"
	}
	s := &tmuxShell{t: t, name: name, socket: filepath.Join(home, "tmux.sock")}
	out, err := s.tmux("new-session", "-d", "-s", name, "-x", strconv.Itoa(width), "-y", "40", cmdline)
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { _, _ = s.tmux("kill-server") })
	s.waitFor("restsql>")
	return s
}

// keys sends keys (tmux key names such as Tab, Enter, C-c) or, with
// literal, text. (tmux reads an argument that ends with ";" as the end of
// its command: the tests type a space after a statement's ";".)
func (s *tmuxShell) keys(literal bool, keys ...string) {
	s.t.Helper()
	args := []string{"send-keys", "-t", s.name}
	if literal {
		args = append(args, "-l")
	}
	out, err := s.tmux(append(args, keys...)...)
	require.NoError(s.t, err, "%s", out)
}

func (s *tmuxShell) screen() string {
	out, err := s.tmux("capture-pane", "-p", "-t", s.name)
	require.NoError(s.t, err, "%s", out)
	return string(out)
}

// waitFor waits until the screen holds want (the deadline only bounds a
// failing test) and returns the screen.
func (s *tmuxShell) waitFor(want string) string {
	s.t.Helper()
	return s.waitUntil(want, func(sc string) bool { return strings.Contains(sc, want) })
}

func (s *tmuxShell) waitUntil(what string, ok func(string) bool) string {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		sc := s.screen()
		if ok(sc) {
			return sc
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("the screen never showed %q; it shows:\n%s", what, sc)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestShellInTmux(t *testing.T) {
	needTmux(t)
	bin := buildCLI(t)

	t.Run("completion, NULL, truncation", func(t *testing.T) {
		const width = 60
		s := startShell(t, bin, width)
		s.keys(true, "SELECT tit")
		s.keys(false, "Tab")
		s.waitFor("restsql> SELECT title")
		s.keys(true, " FROM pos")
		s.keys(false, "Tab")
		s.waitFor("restsql> SELECT title FROM posts")
		s.keys(true, " WHERE id = 1; ")
		s.keys(false, "Enter")
		sc := s.waitFor("(1 row)")
		assert.Contains(t, sc, "veniam exercitation veniam et")

		s.keys(true, "SELECT NULL AS n, 'NULL' AS s; ")
		s.keys(false, "Enter")
		s.waitFor("∅ | NULL")

		s.keys(true, "SELECT id, body FROM posts WHERE id <= 2; ")
		s.keys(false, "Enter")
		sc = s.waitFor("(2 rows)")
		lines := strings.Split(sc, "\n")
		cut := 0
		for _, l := range lines {
			assert.LessOrEqual(t, uniseg.StringWidth(l), width, "%q", l)
			if strings.HasPrefix(l, " 1 | ") || strings.HasPrefix(l, " 2 | ") {
				assert.True(t, strings.HasSuffix(strings.TrimRight(l, " "), "…"), "a long body is cut: %q", l)
				cut++
			}
		}
		assert.Equal(t, 2, cut, "the rows were on screen:\n%s", sc)

		// A statement over two lines, then a dot command.
		s.keys(true, "SELECT COUNT(*) AS n")
		s.keys(false, "Enter")
		s.waitFor("    ...>")
		s.keys(true, "FROM todos; ")
		s.keys(false, "Enter")
		s.waitFor("200")
		s.keys(true, `\d todos`)
		s.keys(false, "Enter")
		sc = s.waitFor("(5 rows)")
		assert.Contains(t, sc, "userId | int")
	})

	t.Run("Ctrl-C cancels the statement, not the shell", func(t *testing.T) {
		var started, cancelled atomic.Int64
		hung := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			started.Add(1)
			select {
			case <-r.Context().Done():
				cancelled.Add(1)
			case <-time.After(time.Minute):
			}
		}))
		defer hung.Close()
		profile := filepath.Join(t.TempDir(), "hung.yaml")
		require.NoError(t, os.WriteFile(profile, []byte(`catalogs:
  Hung:
    url: `+hung.URL+`
    schemas:
      API:
        tables:
          items:
            url: /items
            columns: [{name: id, type: int}]
`), 0o644))
		s := startShell(t, bin, 100, "--dsn", "Profile="+profile)
		s.keys(true, "SELECT id FROM items; ")
		s.keys(false, "Enter")
		s.waitUntil("the request", func(string) bool { return started.Load() > 0 })
		s.keys(false, "C-c")
		s.waitFor("cancelled")
		s.waitUntil("the request cancelled", func(string) bool { return cancelled.Load() > 0 })
		s.keys(true, "SELECT 1 AS one; ")
		s.keys(false, "Enter")
		sc := s.waitFor("(1 row)")
		assert.Contains(t, sc, "one")
	})
}
