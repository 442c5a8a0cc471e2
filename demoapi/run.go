package demoapi

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// Running is a Server listening on a loopback address. It embeds the
// Server, so a test can read Requests and Data from it directly.
type Running struct {
	*Server
	// URL is the base URL, such as http://127.0.0.1:41234 (no trailing slash).
	URL string

	srv  *http.Server
	done chan struct{}
}

// Start serves a new Server on 127.0.0.1 at a free port. Close stops it.
func Start() (*Running, error) {
	return New().Listen("127.0.0.1:0")
}

// Listen serves s on addr, which must name a loopback host (127.0.0.1, ::1
// or localhost) so that the demo API is never reachable from the network;
// port 0 picks a free port. Close stops it.
func (s *Server) Listen(addr string) (*Running, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("demoapi: listen address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("demoapi: listen address %q: the demo API listens only on a loopback host, such as 127.0.0.1:3000", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("demoapi: %w", err)
	}
	rs := &Running{
		Server: s,
		URL:    "http://" + ln.Addr().String(),
		srv:    &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second},
		done:   make(chan struct{}),
	}
	go func() {
		defer close(rs.done)
		_ = rs.srv.Serve(ln) // returns http.ErrServerClosed after Close
	}()
	return rs, nil
}

// Close stops the server: it waits up to five seconds for requests in
// flight, then drops the connections that remain. It is safe to call more
// than once.
func (r *Running) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := r.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		err = r.srv.Close()
	}
	<-r.done
	if err != nil {
		return fmt.Errorf("demoapi: closing %s: %w", r.URL, err)
	}
	return nil
}
