// Package jsonserver starts a real json-server 0.17.4 on 127.0.0.1 for
// restsql's end-to-end tests, so that the driver is tested against the API
// its demo imitates, not only against the imitation.
//
// Start looks for json-server in this order:
//
//  1. the path in the environment variable RESTSQL_JSON_SERVER (.ci/run sets
//     it to the copy it installs in .ci/node);
//  2. .ci/node/node_modules/.bin/json-server under the module root, when
//     node is on the PATH (left there by an earlier .ci/run);
//  3. npx --yes json-server@0.17.4, when npx is on the PATH.
//
// When none is available the test is skipped, except under CI (the
// environment variable CI is set), where it fails: CI must not skip silently.
package jsonserver

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Version is the json-server release the tests are written against.
const Version = "0.17.4"

// EnvBinary names the environment variable holding the path of the
// json-server executable.
const EnvBinary = "RESTSQL_JSON_SERVER"

// Bounds on how long a server may take to answer its first request.
const (
	binaryStartTimeout = 30 * time.Second
	// npx may first have to download the package.
	npxStartTimeout = 3 * time.Minute
)

// startAttempts bounds the retries when a server exits at once, which is
// what json-server does (silently, under --quiet) when another process took
// the port between picking it and binding it.
const startAttempts = 3

// unavailableMessage is the skip (or, under CI, failure) message.
const unavailableMessage = "json-server not available: install Node 20/npm or set " + EnvBinary + "; .ci/run does this"

// errUnavailable says that no way to run json-server was found.
var errUnavailable = errors.New(unavailableMessage)

// Start runs json-server on 127.0.0.1 at a free port, serving db (any value
// that marshals to a JSON object of arrays, such as demoapi's DB()) from a
// db.json in a temporary directory, and returns its base URL, such as
// http://127.0.0.1:41234. The server and its child processes are stopped
// when the test ends. Writes go to the temporary file, so every call starts
// from db.
func Start(t testing.TB, db any) (baseURL string) {
	t.Helper()
	l, err := locate()
	if errors.Is(err, errUnavailable) {
		unavailable(t)
		return ""
	}
	if err != nil {
		t.Fatalf("jsonserver: %v", err)
	}
	data, err := json.Marshal(db)
	if err != nil {
		t.Fatalf("jsonserver: encoding the database: %v", err)
	}
	dir := t.TempDir()
	dbFile := filepath.Join(dir, "db.json")
	if err := os.WriteFile(dbFile, data, 0o600); err != nil {
		t.Fatalf("jsonserver: %v", err)
	}
	p, err := launch(l.argv, dir, dbFile, l.timeout)
	if err != nil {
		t.Fatalf("jsonserver: %v", err)
	}
	t.Cleanup(p.stop)
	return p.url
}

// unavailable skips the test, or fails it under CI.
func unavailable(t testing.TB) {
	t.Helper()
	if inCI() {
		t.Fatal(unavailableMessage + " (CI is set, so this test may not be skipped)")
		return
	}
	t.Skip(unavailableMessage)
}

// inCI reports whether the environment variable CI is set to anything but
// "", "0" or "false".
func inCI() bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv("CI"))) {
	case "", "0", "false":
		return false
	}
	return true
}

// location is how to run json-server: the command line before the server's
// own arguments, and how long to wait for it.
type location struct {
	argv    []string
	timeout time.Duration
}

// locate finds json-server (see the package comment). It returns
// errUnavailable when there is none; an error that names the problem when
// RESTSQL_JSON_SERVER points at something unusable.
func locate() (location, error) {
	if bin := os.Getenv(EnvBinary); bin != "" {
		if _, err := os.Stat(bin); err != nil {
			return location{}, fmt.Errorf("%s=%s: %w", EnvBinary, bin, err)
		}
		if err := checkVersion(bin); err != nil {
			return location{}, fmt.Errorf("%s=%s: %w", EnvBinary, bin, err)
		}
		return location{argv: []string{bin}, timeout: binaryStartTimeout}, nil
	}
	if root, ok := moduleRoot(); ok {
		bin := filepath.Join(root, ".ci", "node", "node_modules", ".bin", "json-server")
		if _, err := os.Stat(bin); err == nil {
			if _, err := exec.LookPath("node"); err == nil && checkVersion(bin) == nil {
				return location{argv: []string{bin}, timeout: binaryStartTimeout}, nil
			}
		}
	}
	if npx, err := exec.LookPath("npx"); err == nil {
		return location{argv: []string{npx, "--yes", "json-server@" + Version}, timeout: npxStartTimeout}, nil
	}
	return location{}, errUnavailable
}

// versions caches checkVersion's answers by binary path.
var versions sync.Map // string → error

// checkVersion runs bin --version and wants Version.
func checkVersion(bin string) error {
	if v, ok := versions.Load(bin); ok {
		err, _ := v.(error)
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), binaryStartTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "--version")
	cmd.WaitDelay = time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	var err error
	switch got := strings.TrimSpace(out.String()); {
	case runErr != nil:
		err = fmt.Errorf("running %s --version: %w: %s", bin, runErr, tail(got))
	case got != Version:
		err = fmt.Errorf("json-server version is %q, the tests need %s", tail(got), Version)
	}
	versions.Store(bin, err)
	return err
}

// moduleRoot walks up from the working directory to the directory holding go.mod.
func moduleRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// process is a running json-server.
type process struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd.Wait returns
	output *cappedBuffer
}

// launch starts argv followed by dbFile and the server's flags in dir and
// waits until the server answers, for at most timeout per attempt.
func launch(argv []string, dir, dbFile string, timeout time.Duration) (*process, error) {
	var lastErr error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		port, err := freePort()
		if err != nil {
			return nil, err
		}
		p, retry, err := launchOnce(argv, dir, dbFile, port, timeout)
		if err == nil {
			return p, nil
		}
		lastErr = err
		if !retry {
			break
		}
	}
	return nil, lastErr
}

// launchOnce makes one attempt; retry says whether the failure looks like a
// lost race for the port.
func launchOnce(argv []string, dir, dbFile string, port int, timeout time.Duration) (p *process, retry bool, err error) {
	args := append(append([]string(nil), argv[1:]...),
		dbFile, "--host", "127.0.0.1", "--port", strconv.Itoa(port), "--quiet")
	cmd := exec.Command(argv[0], args...)
	cmd.Dir = dir // so no json-server.json, public/ or snapshot lands elsewhere
	out := &cappedBuffer{limit: 64 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.WaitDelay = 2 * time.Second
	setProcessGroup(cmd)
	if err := cmd.Start(); err != nil {
		return nil, false, fmt.Errorf("starting %s: %w", strings.Join(argv, " "), err)
	}
	p = &process{
		url:    "http://127.0.0.1:" + strconv.Itoa(port),
		cmd:    cmd,
		exited: make(chan struct{}),
		output: out,
	}
	var waitErr error
	go func() {
		waitErr = cmd.Wait()
		close(p.exited)
	}()

	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for {
		resp, err := client.Get(p.url + "/db")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p, false, nil
			}
		}
		select {
		case <-p.exited:
			got := strings.TrimSpace(out.String())
			retry = got == "" || strings.Contains(got, "EADDRINUSE")
			return nil, retry, fmt.Errorf("%s exited before answering on port %d: %v; output: %s",
				strings.Join(argv, " "), port, waitErr, tail(got))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, false, fmt.Errorf("%s did not answer on %s within %s; output: %s",
				strings.Join(argv, " "), p.url, timeout, tail(strings.TrimSpace(out.String())))
		}
	}
}

// stop ends the server's process group: SIGTERM, then SIGKILL after five
// seconds, and waits for it.
func (p *process) stop() {
	select {
	case <-p.exited:
		kill(p.cmd) // children the leader may have left behind
		return
	default:
	}
	terminate(p.cmd)
	select {
	case <-p.exited:
	case <-time.After(5 * time.Second):
		kill(p.cmd)
		<-p.exited
	}
}

// freePort asks the kernel for a free loopback port.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("finding a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// tail keeps the end of a process's output, where the error usually is.
func tail(s string) string {
	const max = 4000
	if s == "" {
		return "(none)"
	}
	if len(s) > max {
		return "…" + s[len(s)-max:]
	}
	return s
}

// cappedBuffer is a goroutine-safe writer that keeps the first limit bytes.
type cappedBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	limit int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if room := b.limit - b.buf.Len(); room > 0 {
		b.buf.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (b *cappedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
