package restsql

import "net/http"

// NewTransport returns the HTTP transport NewConnector makes when the
// Config brings none: Go's default transport keeping, per host, as many
// idle connections as queries × MaxConcurrency requests can use at once
// (at least 8; Go's default keeps 2, so parallel pages would reopen
// connections), and reading responses in 64 KiB pieces. A program that
// runs several queries at once on one connector (the partitions of an
// export) passes their number as queries; the caller closes its idle
// connections when done.
func NewTransport(cfg *Config, queries int) *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	mc := defaultMaxConcurrency
	if cfg != nil && cfg.MaxConcurrency > 0 {
		mc = cfg.MaxConcurrency
	}
	t.MaxIdleConnsPerHost = max(mc*2*max(queries, 1), 8)
	t.MaxIdleConns = max(t.MaxIdleConns, t.MaxIdleConnsPerHost)
	// Pages are often hundreds of kilobytes: read them in larger pieces
	// than the default 4 KiB (fewer system calls).
	t.ReadBufferSize = 64 << 10
	return t
}
