package jsonserver

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStartServesPages(t *testing.T) {
	posts := make([]map[string]any, 5)
	for i := range posts {
		posts[i] = map[string]any{"id": i + 1, "userId": 1, "title": fmt.Sprintf("post %d", i+1)}
	}
	base := Start(t, map[string]any{"posts": posts})
	require.True(t, strings.HasPrefix(base, "http://127.0.0.1:"), base)

	resp, err := http.Get(base + "/posts?_page=1&_limit=2")
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "5", resp.Header.Get("X-Total-Count"))
	assert.Contains(t, resp.Header.Get("Link"), `<`+base+`/posts?_page=2&_limit=2>; rel="next"`)
	raw, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.JSONEq(t, `[{"id": 1, "userId": 1, "title": "post 1"}, {"id": 2, "userId": 1, "title": "post 2"}]`, string(raw))
}

func TestStartGivesEachTestItsOwnData(t *testing.T) {
	db := map[string]any{"todos": []map[string]any{{"id": 1, "title": "a"}}}
	first := Start(t, db)
	second := Start(t, db)
	require.NotEqual(t, first, second)

	req, err := http.NewRequest(http.MethodDelete, first+"/todos/1", nil)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	require.Equal(t, http.StatusOK, resp.StatusCode)

	for base, want := range map[string]int{first: 0, second: 1} {
		resp, err := http.Get(base + "/todos")
		require.NoError(t, err)
		var rows []any
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&rows))
		require.NoError(t, resp.Body.Close())
		assert.Len(t, rows, want, base)
	}
}

// script writes an executable shell script into dir.
func script(t *testing.T, dir, name, body string) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("uses shell scripts")
	}
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755))
	return path
}

func TestLocate(t *testing.T) {
	dir := t.TempDir()
	good := script(t, dir, "good", `[ "$1" = --version ] && echo `+Version)
	old := script(t, dir, "old", `echo 0.16.3`)
	broken := script(t, dir, "broken", `echo 'node: not found' >&2; exit 127`)
	npxDir := t.TempDir()
	npx := script(t, npxDir, "npx", `exit 0`)

	tests := []struct {
		name    string
		env     string
		path    string
		want    []string
		wantErr string
	}{
		{name: "env binary", env: good, path: dir, want: []string{good}},
		{name: "env binary wins over npx", env: good, path: npxDir, want: []string{good}},
		{name: "env names a missing file", env: filepath.Join(dir, "nope"), wantErr: EnvBinary + "=" + filepath.Join(dir, "nope")},
		{name: "env binary of another version", env: old, wantErr: `json-server version is "0.16.3", the tests need ` + Version},
		{name: "env binary that fails", env: broken, wantErr: "node: not found"},
		{name: "npx", path: npxDir, want: []string{npx, "--yes", "json-server@" + Version}},
		{name: "nothing", path: dir, wantErr: unavailableMessage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(EnvBinary, tt.env)
			t.Setenv("PATH", tt.path) // neither node nor a .ci/node copy is found without node
			l, err := locate()
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, l.argv)
		})
	}
}

func TestLaunchReportsAnEarlyExit(t *testing.T) {
	dir := t.TempDir()
	bin := script(t, dir, "json-server", `echo "Malformed JSON in file: $1" >&2; exit 3`)
	start := time.Now()
	_, err := launch([]string{bin}, dir, filepath.Join(dir, "db.json"), 10*time.Second)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "exited before answering")
	assert.Contains(t, err.Error(), "exit status 3")
	assert.Contains(t, err.Error(), "Malformed JSON in file: "+filepath.Join(dir, "db.json"))
	assert.Less(t, time.Since(start), 5*time.Second, "a failing server is not retried")
}

func TestLaunchRetriesASilentExit(t *testing.T) {
	dir := t.TempDir()
	counter := filepath.Join(dir, "attempts")
	bin := script(t, dir, "json-server", `echo x >> `+counter+`; exit 1`)
	_, err := launch([]string{bin}, dir, filepath.Join(dir, "db.json"), 10*time.Second)
	require.Error(t, err)
	data, err := os.ReadFile(counter)
	require.NoError(t, err)
	assert.Equal(t, startAttempts, strings.Count(string(data), "x"), "a silent exit (a lost port) is retried")
}

func TestLaunchTimesOutAndStopsTheProcessGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "child.pid")
	// The child stands for the node process npx starts.
	bin := script(t, dir, "json-server", `sleep 60 & echo $! > `+pidFile+`; echo starting; wait`)
	_, err := launch([]string{bin}, dir, filepath.Join(dir, "db.json"), 500*time.Millisecond)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "did not answer")
	assert.Contains(t, err.Error(), "output: starting")

	if runtime.GOOS != "linux" {
		return // the check below reads /proc
	}
	data, err := os.ReadFile(pidFile)
	require.NoError(t, err)
	pid := strings.TrimSpace(string(data))
	require.Eventually(t, func() bool {
		stat, err := os.ReadFile("/proc/" + pid + "/stat")
		if os.IsNotExist(err) {
			return true
		}
		// A zombie waiting for its new parent to reap it has stopped too.
		_, rest, _ := strings.Cut(string(stat), ") ")
		return strings.HasPrefix(rest, "Z")
	}, 5*time.Second, 20*time.Millisecond, "the child process %s was stopped", pid)
}

// fakeTB records how unavailable ended a test.
type fakeTB struct {
	testing.TB
	fatal, skip string
}

func (f *fakeTB) Helper()               {}
func (f *fakeTB) Fatal(args ...any)     { f.fatal = fmt.Sprint(args...) }
func (f *fakeTB) Skip(args ...any)      { f.skip = fmt.Sprint(args...) }
func (f *fakeTB) Fatalf(string, ...any) { panic("unexpected Fatalf") }

func TestUnavailableSkipsExceptInCI(t *testing.T) {
	tests := []struct {
		ci        string
		wantFatal bool
	}{
		{"", false},
		{"false", false},
		{"0", false},
		{"true", true},
		{"1", true},
	}
	for _, tt := range tests {
		t.Run("CI="+tt.ci, func(t *testing.T) {
			t.Setenv("CI", tt.ci)
			f := &fakeTB{}
			unavailable(f)
			if tt.wantFatal {
				assert.Contains(t, f.fatal, unavailableMessage)
				assert.Contains(t, f.fatal, "CI is set")
				assert.Empty(t, f.skip)
			} else {
				assert.Equal(t, unavailableMessage, f.skip)
				assert.Empty(t, f.fatal)
			}
		})
	}
	assert.Equal(t, "json-server not available: install Node 20/npm or set RESTSQL_JSON_SERVER; .ci/run does this", unavailableMessage)
}
