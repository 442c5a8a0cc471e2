package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/server"
)

// syncBuffer is a bytes.Buffer safe for a writer and a reader at once.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listeningRE = regexp.MustCompile(`listening on (127\.0\.0\.1:\d+)`)

// startServe runs restsql serve on a free loopback port and returns its
// address; the server stops when the test ends.
func startServe(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stderr := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...), &bytes.Buffer{}, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			require.NoError(t, err)
		case <-time.After(30 * time.Second):
			t.Error("restsql serve did not stop")
		}
	})
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningRE.FindStringSubmatch(stderr.String()); m != nil {
			return m[1]
		}
		select {
		case err := <-done:
			t.Fatalf("restsql serve ended: %v\n%s", err, stderr.String())
		case <-time.After(2 * time.Millisecond):
		}
	}
	t.Fatalf("restsql serve did not start:\n%s", stderr.String())
	return ""
}

func TestServeDemo(t *testing.T) {
	addr := startServe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	host, port, _ := strings.Cut(addr, ":")
	c, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=me dbname=restsql sslmode=disable", host, port))
	require.NoError(t, err)
	defer c.Close(ctx)
	var n int64
	require.NoError(t, c.QueryRow(ctx, `SELECT count(*) FROM "posts" WHERE "userId" = $1`, 2).Scan(&n))
	require.Equal(t, int64(10), n)
}

func TestServeUsers(t *testing.T) {
	stdin = strings.NewReader("s3cret\n")
	defer func() { stdin = os.Stdin }()
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"serve", "--hash-password"}, &out, &bytes.Buffer{}))
	verifier := strings.TrimSpace(out.String())
	require.True(t, strings.HasPrefix(verifier, "SCRAM-SHA-256$4096:"), verifier)

	path := filepath.Join(t.TempDir(), "users.yaml")
	require.NoError(t, os.WriteFile(path, []byte("users:\n  ann:\n    password: \""+verifier+"\"\n"), 0o600))
	_, err := server.LoadUsers(path)
	require.NoError(t, err)
	addr := startServe(t, "--users", path)
	host, port, _ := strings.Cut(addr, ":")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=ann password=s3cret dbname=Demo sslmode=disable", host, port))
	require.NoError(t, err)
	defer c.Close(ctx)
	var db string
	require.NoError(t, c.QueryRow(ctx, "SELECT current_database()").Scan(&db))
	require.Equal(t, "Demo", db)
	_, err = pgx.Connect(ctx, fmt.Sprintf("host=%s port=%s user=ann password=wrong sslmode=disable", host, port))
	require.ErrorContains(t, err, "28P01")
}

func TestServeErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string
		err  string
	}{
		{"argument", []string{"extra"}, "no arguments"},
		{"half TLS", []string{"--tls-cert", "cert.pem"}, "go together"},
		{"trust off loopback", []string{"--listen", "192.0.2.1:5433"}, "loopback"},
		{"cleartext without TLS", []string{"--auth", "password", "--listen", "127.0.0.1:0"}, "needs TLS"},
		{"missing users file", []string{"--users", filepath.Join(t.TempDir(), "none.yaml")}, "users file"},
		{"bad DSN", []string{"--dsn", "Profil=x.yaml", "--listen", "127.0.0.1:0"}, "Profile"},
		{"empty password", []string{"--hash-password"}, "no password"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			stdin = strings.NewReader("")
			defer func() { stdin = os.Stdin }()
			err := run(context.Background(), append([]string{"serve"}, tc.args...), &bytes.Buffer{}, &bytes.Buffer{})
			require.ErrorContains(t, err, tc.err)
		})
	}
}
