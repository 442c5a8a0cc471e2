package main

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"strings"

	flag "github.com/spf13/pflag"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/demoapi"
	"github.com/restsql/restsql/server"
)

// stdin is what serve --hash-password, query - and query -f - read;
// tests replace it.
var stdin io.Reader = os.Stdin

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dsn := fs.String("dsn", os.Getenv("RESTSQL_DSN"), "restsql DSN (default: the embedded demo API)")
	listen := fs.String("listen", "127.0.0.1:5433", "address to listen on")
	usersPath := fs.String("users", "", "YAML file of users, their passwords (SCRAM-SHA-256 verifiers) and catalogs (default: trust, loopback only)")
	tlsCert := fs.String("tls-cert", "", "PEM certificate for TLS")
	tlsKey := fs.String("tls-key", "", "PEM private key for TLS")
	requireTLS := fs.Bool("require-tls", false, "refuse clients that do not use TLS")
	authMethod := fs.String("auth", server.AuthSCRAM, "password check for --users: scram-sha-256, or password (cleartext, TLS only)")
	maxConns := fs.Int("max-connections", server.DefaultMaxConnections, "sessions served at once")
	scrollRows := fs.Int("scroll-cursor-rows", server.DefaultScrollCursorRows, "rows a SCROLL cursor may keep in memory")
	queryTimeout := fs.Duration("query-timeout", 0, "limit on each statement, e.g. 10m (0: none)")
	shutdownTimeout := fs.Duration("shutdown-timeout", server.DefaultShutdownTimeout, "on SIGTERM, how long statements in flight may finish before they are cancelled")
	verbose := fs.Bool("verbose", false, "log every session and error")
	hashPassword := fs.Bool("hash-password", false, "read a password on stdin, print its SCRAM-SHA-256 verifier and exit")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usagef("serve takes no arguments, got %q", fs.Arg(0))
	}
	if *hashPassword {
		line, err := bufio.NewReader(stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		pw := strings.TrimRight(line, "\r\n")
		if pw == "" {
			return errors.New("serve --hash-password: no password on stdin")
		}
		v, err := server.HashPassword(pw)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintln(stdout, v)
		return err
	}
	if (*tlsCert == "") != (*tlsKey == "") {
		return errors.New("serve: --tls-cert and --tls-key go together")
	}
	if *usersPath == "" && !loopbackAddress(*listen) {
		return fmt.Errorf("serve: without --users the server trusts every client, so it listens only on a loopback address such as 127.0.0.1:5433, not %s", *listen)
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	cfg := server.Config{
		AuthMethod:       *authMethod,
		RequireTLS:       *requireTLS,
		MaxConnections:   *maxConns,
		ScrollCursorRows: *scrollRows,
		QueryTimeout:     *queryTimeout,
		ShutdownTimeout:  *shutdownTimeout,
		Logger:           slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level})),
	}
	if *usersPath != "" {
		users, err := server.LoadUsers(*usersPath)
		if err != nil {
			return err
		}
		cfg.Users = users
	}
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			return fmt.Errorf("serve: TLS: %w", err)
		}
		cfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	if *dsn != "" {
		driver, err := restsql.ParseDSN(*dsn)
		if err != nil {
			return err
		}
		cfg.Driver = driver
	} else {
		demo, err := demoapi.Start()
		if err != nil {
			return err
		}
		defer demo.Close()
		if cfg.Driver, err = demoConfig(demo.URL); err != nil {
			return err
		}
	}
	srv, err := server.New(cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	host, port, _ := net.SplitHostPort(ln.Addr().String())
	fmt.Fprintf(stderr, "restsql serve: listening on %s; connect with: psql \"host=%s port=%s dbname=restsql\"\n", ln.Addr(), host, port)
	return srv.Serve(ctx, ln)
}

// loopbackAddress reports whether a listen address names a loopback host.
func loopbackAddress(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
