package server

import (
	"errors"
	"net"
	"sync"
)

// readAheadBytes bounds what a session reads ahead of its messages; past
// it, the client's bytes wait in the socket (and a client gone then is
// noticed when the session reads them).
const readAheadBytes = 256 << 10

// errClientGone is the cause of a session's context when its client has
// closed the connection.
var errClientGone = errors.New("connection to client lost")

// clientReader is the session's reader of its client's bytes. Until start
// it reads on demand. After start a goroutine reads ahead of the session,
// so that a client that goes away (its connection closed or reset, as when
// its process is killed) is noticed while a statement runs, streaming rows
// or not: gone is called at once, as PostgreSQL's
// client_connection_check_interval notices it. Bytes already read are
// still delivered, then the error.
type clientReader struct {
	conn net.Conn

	mu      sync.Mutex
	cond    sync.Cond
	started bool
	stopped bool
	buf     []byte // read ahead: buf[head:]
	head    int
	err     error // the connection's read error, delivered after buf
}

func newClientReader(c net.Conn) *clientReader {
	r := &clientReader{conn: c}
	r.cond.L = &r.mu
	return r
}

// start starts reading ahead; gone is called when the connection fails
// or ends (not when a read deadline passes: the server sets deadlines
// only to end the session).
func (r *clientReader) start(gone func(error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started || r.stopped {
		return
	}
	r.started = true
	go r.readAhead(gone)
}

// stop ends the read-ahead goroutine once its read returns (the session
// closes the connection to make it return).
func (r *clientReader) stop() {
	r.mu.Lock()
	r.stopped = true
	r.cond.Broadcast()
	r.mu.Unlock()
}

func (r *clientReader) readAhead(gone func(error)) {
	chunk := make([]byte, 32<<10)
	for {
		r.mu.Lock()
		for len(r.buf)-r.head >= readAheadBytes && !r.stopped {
			r.cond.Wait()
		}
		stopped := r.stopped
		r.mu.Unlock()
		if stopped {
			return
		}
		n, err := r.conn.Read(chunk)
		r.mu.Lock()
		if n > 0 {
			if r.head > 0 && r.head == len(r.buf) {
				r.buf, r.head = r.buf[:0], 0
			} else if r.head > cap(r.buf)/2 {
				r.buf, r.head = append(r.buf[:0], r.buf[r.head:]...), 0
			}
			r.buf = append(r.buf, chunk[:n]...)
		}
		if err != nil {
			r.err = err
		}
		r.cond.Broadcast()
		r.mu.Unlock()
		if err != nil {
			var ne net.Error
			if !(errors.As(err, &ne) && ne.Timeout()) {
				gone(err)
			}
			return
		}
	}
}

// Read reads the client's bytes: from the connection before start, from
// what the goroutine read after.
func (r *clientReader) Read(p []byte) (int, error) {
	r.mu.Lock()
	if !r.started {
		r.mu.Unlock()
		return r.conn.Read(p)
	}
	defer r.mu.Unlock()
	for r.head == len(r.buf) && r.err == nil {
		r.cond.Wait()
	}
	if r.head < len(r.buf) {
		n := copy(p, r.buf[r.head:])
		r.head += n
		r.cond.Broadcast()
		return n, nil
	}
	return 0, r.err
}
