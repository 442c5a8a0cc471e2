// Package bench measures restsql against what a Go programmer would write
// by hand, in one run, on a local API server (issue 8).
//
// A Server renders N rows of JSON once, off the Go heap, and serves them
// from memory over 127.0.0.1 in pages (page, offset, cursor or next-URL
// pagination), with a configurable page size, row width and latency per
// response, so that the client's work dominates. Its Profile is a restsql
// profile for it; OpenDB parses that profile with catalog.Parse and opens
// a database/sql handle through restsql.Config.Catalogs.
//
// These readers read the same rows:
//
//   - RestSQL: SELECT * (or a selective query) through database/sql,
//     scanning typed values;
//   - GJSONLoop: the careful hand-written loop: pages one after the other,
//     io.ReadAll, gjson.GetBytes(body, "data").ForEach, then row.Get per
//     column with a typed conversion;
//   - NaiveLoop: what most users write: encoding/json into structs;
//   - TransferFloor: the same requests, the bytes discarded;
//   - ParallelFloor (latency scenarios, page pagination): MaxConcurrency
//     workers fetch the pages, whose count they know, and discard them;
//   - Export: restsql's rows through the export package's CSV or Parquet
//     encoder (the export scenario, issue 19).
//
// The cache scenario (issue 19) reads a Server whose pages carry an ETag
// (Config.ETag) through Cache=memory, fresh within CacheTTL and revalidated
// with 304s; the lookups scenario counts the requests of key lookups and
// times a lookup join of 11 IN batches against its parallel bound.
//
// The serve scenario (issue 19, not in Scenarios: it needs PostgreSQL 15's
// server programs and a JDK, and skips their readers with a note when they
// are absent) reads SELECT * FROM items with pgx and the PostgreSQL JDBC
// driver through restsql serve (Options.Serve), against the direct
// database/sql read and against a PostgreSQL 15 that it starts in a
// temporary data directory on 127.0.0.1 and loads with the same rows.
//
// Measure times one run and records the allocations, the peak heap
// (sampled through runtime/metrics every millisecond) and the server's
// request counts. Run runs the scenarios of issue 8 and checks its targets;
// cmd/restsql-bench prints them as a table, and the Benchmark functions of
// this package measure the same readers under go test -bench.
//
// Readers of the same query must return the same rows: each run's
// checksums are compared, and TestBenchSmoke checks every reader, for every
// pagination type, against the generator's values.
package bench
