package main

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestReadmeMoreToTry runs README's "More to try" commands in order, as a
// new user on a fresh clone would (in a copy: the outputs go to its temp/),
// with a built binary for "go run ./cmd/restsql" and a free port for 3000.
// `serve` runs until interrupted: it is left to serve's own tests.
func TestReadmeMoreToTry(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	blocks := codeBlocks(t, "../../README.md")
	var script string
	for _, b := range blocks {
		if strings.Contains(b.before, "More to try") && b.lang == "sh" {
			script = b.text
			break
		}
	}
	require.NotEmpty(t, script, "README has a More to try block")
	bin := buildCLI(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
	l.Close()

	var lines []string
	for _, line := range strings.Split(strings.TrimSpace(script), "\n") {
		command, _, _ := strings.Cut(line, "#")
		command = strings.TrimSpace(command)
		switch {
		case strings.HasPrefix(command, "go run ./cmd/restsql serve"):
			continue
		case command == "go build -o temp/restsql ./cmd/restsql":
			command = "cp " + bin + " temp/restsql"
		case strings.HasSuffix(command, " shell"):
			command += " < /dev/null" // no terminal: it reads standard input
		}
		command = strings.ReplaceAll(command, "go run ./cmd/restsql", bin)
		command = strings.ReplaceAll(command, "127.0.0.1:3000", "127.0.0.1:"+port)
		lines = append(lines, command)
		if strings.Contains(command, " demo ") && strings.HasSuffix(command, "&") {
			// The demo API starts in the background: wait for its port.
			lines = append(lines, `for i in $(seq 200); do (exec 3<>/dev/tcp/127.0.0.1/`+port+`) 2>/dev/null && break; sleep 0.05; done`)
		}
	}
	dir := t.TempDir()
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Symlink(filepath.Join(wd, "../../examples"), filepath.Join(dir, "examples")))
	cmd := exec.Command("bash", "-e", "-c", "set -m\n"+strings.Join(lines, "\n"))
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "RESTSQL_DSN=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	for _, want := range []string{
		"Request  | Demo.API.posts",               // EXPLAIN
		"name,posts\n",                            // --format csv
		"1 row affected (last insert id 101)",     // INSERT
		"exported 100 rows to temp/posts.parquet", // export
		"posts:\n",                           // discover
		" 1 | veniam exercitation veniam et", // the OpenAPI profile
	} {
		assert.Contains(t, string(out), want)
	}
	for _, f := range []string{"temp/posts.parquet", "temp/profile.yaml", "temp/demo-profile.yaml"} {
		_, err := os.Stat(filepath.Join(dir, f))
		assert.NoError(t, err, f)
	}
}
