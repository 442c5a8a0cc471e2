package server

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pgcliTmux is pgcli running in a detached tmux session with its own
// tmux server.
type pgcliTmux struct {
	t                  *testing.T
	name, socket, home string
}

func (p *pgcliTmux) tmux(args ...string) ([]byte, error) {
	return exec.Command("tmux", append([]string{"-S", p.socket}, args...)...).CombinedOutput()
}

// screen is what the window shows now.
func (p *pgcliTmux) screen() string {
	out, _ := p.tmux("capture-pane", "-p", "-t", p.name)
	return string(out)
}

// waitFor waits until the screen shows every one of want (polling; the
// deadline only bounds a hang, it decides nothing), and returns it.
func (p *pgcliTmux) waitFor(want ...string) string {
	p.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		s := p.screen()
		ok := true
		for _, w := range want {
			if !strings.Contains(s, w) {
				ok = false
			}
		}
		if ok {
			return s
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(p.home, "pgcli", "log"))
			p.t.Fatalf("pgcli never showed %q; the screen:\n%s\nits log:\n%s", want, s, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// complete types text, asks for completions (Tab) until the menu shows
// want, clears the line, and returns the screen that showed it.
func (p *pgcliTmux) complete(text, want string) string {
	p.t.Helper()
	deadline := time.Now().Add(wait)
	for {
		p.keys(true, text)
		p.keys(false, "Tab")
		for i := 0; i < 20; i++ {
			if s := p.screen(); strings.Contains(s, want) {
				p.keys(false, "Escape", "C-u")
				return s
			}
			time.Sleep(50 * time.Millisecond)
		}
		p.keys(false, "Escape", "C-u")
		if time.Now().After(deadline) {
			p.t.Fatalf("pgcli never completed %q with %q; the screen:\n%s", text, want, p.screen())
		}
	}
}

func (p *pgcliTmux) keys(literal bool, keys ...string) {
	p.t.Helper()
	args := []string{"send-keys", "-t", p.name}
	if literal {
		args = append(args, "-l")
	}
	out, err := p.tmux(append(args, keys...)...)
	require.NoError(p.t, err, "%s", out)
}

// TestPgcli drives pgcli in tmux: it connects, reads the catalog for
// completion (the search path, schemas, tables, views, columns, foreign
// keys, functions, types: pgcli's catalog queries, through restsql), and
// completes table names after FROM and column names after WHERE.
func TestPgcli(t *testing.T) {
	pgcli := requireTool(t, "pgcli", "pgcli")
	requireTool(t, "tmux", "tmux")
	e := startServer(t)
	host, port, _ := net.SplitHostPort(e.addr)
	home := t.TempDir()
	p := &pgcliTmux{t: t, name: "pgcli-test", socket: filepath.Join(home, "tmux.sock"), home: home}
	cmdline := "env HOME=" + home + " XDG_CONFIG_HOME=" + home + " PGPASSWORD= LC_ALL=C.UTF-8 " + pgcli +
		" --less-chatty -w -h " + host + " -p " + port + " -U tester -d restsql"
	out, err := p.tmux("new-session", "-d", "-s", p.name, "-x", "160", "-y", "40", cmdline)
	require.NoError(t, err, "%s", out)
	t.Cleanup(func() { _, _ = p.tmux("kill-server") })
	p.waitFor("restsql>")
	// pgcli reads the catalog for completion in the background. Its
	// toolbar says so until the window is drawn again: when the reading
	// ends before the prompt is first drawn, pgcli does not redraw, so
	// the test asks for a redraw (C-l) now and then.
	deadline := time.Now().Add(wait)
	for i := 1; strings.Contains(p.screen(), "Refreshing completions"); i++ {
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(home, "pgcli", "log"))
			t.Fatalf("pgcli never finished reading the catalog; the screen:\n%s\nits log:\n%s", p.screen(), log)
		}
		if i%20 == 0 {
			p.keys(false, "C-l")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if log, _ := os.ReadFile(filepath.Join(home, "pgcli", "log")); strings.Contains(string(log), "ERROR") {
		t.Fatalf("pgcli logged errors:\n%s", log)
	}

	// Table names after FROM: the API tables. pgcli reads the catalog in
	// the background after connecting: ask until the menu shows them.
	s := p.complete("SELECT * FROM post", "posts_by_user")
	require.Contains(t, s, " posts ")
	require.Contains(t, s, "comments_by_post")
	// Column names after WHERE. (pgcli quotes the search path's "API"
	// twice and so finds no columns of an unqualified table of a
	// mixed-case schema, on PostgreSQL too: the test names the schema.)
	p.complete(`SELECT * FROM "API".todos WHERE due`, "dueDate")
	s = p.complete(`SELECT * FROM "API".posts WHERE ti`, "title")
	require.NotContains(t, s, "completed")
}
