// Package difftest holds restsql's differential test suite: it loads the
// embedded demo API's data set into an in-memory SQLite database
// (modernc.org/sqlite) with the same tables and columns as the demo profile,
// runs a corpus of queries through restsql (over the running demo API) and
// through SQLite, and compares the answers: as multisets, or in order when
// the query's ORDER BY fixes the order; floats with a tolerance; booleans as
// 0 and 1 and datetimes as RFC 3339 text, as SQLite stores them.
//
// The package has no code of its own; everything is in its _test.go files:
//
//   - corpus_test.go: the hand-written queries, by construct. Where the
//     dialects differ by design (/ and DIV, || and CONCAT, IF, <=>, CAST
//     types, date functions) a case spells the question once per engine.
//   - generate_test.go: queries generated from seeds (random predicates,
//     projections, joins, aggregates, subqueries, unions, ORDER BY and
//     LIMIT).
//   - pushdown_test.go: the same question with and without pushdown gives
//     the same rows, with the request counts and parameters expected.
//   - differences_test.go: the questions on which the engines answer
//     differently by design, with both answers.
//   - unsupported_test.go: SQL restsql refuses fails with an error naming
//     the construct.
//   - random_test.go (with random_api_test.go, random_profile_test.go,
//     random_gen_test.go and random_self_test.go): the random differential
//     suite, described below.
//   - random_shapes_test.go (with random_shapes_api_test.go): the same
//     check over the profile's shapes: child rows (each:, ^. columns,
//     keepEmpty, .#. levels), POST search and GraphQL reads, header: first
//     sheets; RESTSQL_SHAPES_SEED and RESTSQL_SHAPES_N sweep it.
//
// A case that shows a known bug outside this suite carries a bug mark: it
// is skipped while the bug shows and fails once it does not, so the mark
// goes with the fix.
//
// Run it alone with
//
//	go test ./internal/difftest/
//
// and sweep more generated queries with -difftest.n (200 by default, 80
// under -race) and -difftest.seed; a failure names the seed that rebuilds
// its query.
//
// # The random differential suite
//
// TestRandomDifferential runs seeded queries over a fake shop API served in
// the test (customers, orders, products, stock, reviews, the {key} tables
// /customers/{customer_id}/orders and /products/{sku}/stock, and get:
// lookups), which behaves like real APIs do: it sorts by one key and only
// on some fields, ignores unknown parameters and empty values, reads a
// comma list as several values, caps page sizes (the profiles ask for
// pages above the cap: full declares it as maxPageSize, plain and some
// less profiles do not, so the driver must learn it), ignores the paging
// parameters on /products/{sku}/stock, and returns next URLs that keep the
// query string; its tables page by next URL, Link header, offset (with
// X-Total-Count), page number and cursor. The data holds NULLs,
// missing fields, duplicates, mixed case, empty strings, values with
// commas, and datetimes in two offsets, in epoch seconds and in a text
// layout. Each query (ORDER BY of one to three keys ending in a unique key,
// LIMIT/OFFSET, pushed and residual predicates, GROUP BY/HAVING, INNER,
// LEFT and lookup joins, JOIN USING, IN/NOT IN/EXISTS/scalar subqueries,
// derived tables, UNION [ALL], ? and :name parameters) runs three times:
// through SQLite, through restsql with a profile that declares exactly
// what the API does (or, for every third seed, less), and through restsql
// with the plain profile, which declares no pushdown at all (restsql with
// pushdown off, without a switch in the product). Plain must give SQLite's
// answer and the pushdown profile plain's: in order when ORDER BY ends in
// the unique keys, as multisets otherwise.
//
// A mismatch is shrunk (conjuncts, their OR/AND/NOT parts, sort keys,
// selected items, joins, LIMIT/OFFSET and the UNION's second side are
// dropped while the same mismatch persists) and printed with its seed,
// both answers and the requests the fake API saw.
//
// pendingClasses (random_test.go) lists the generated constructs whose
// bugs are known and not fixed on main yet; a mismatch of a query holding
// one is counted in the log, not failed (a pushdown class excuses only a
// difference between the pushdown and plain profiles). Remove a class
// from the list in the commit that merges its fix. The findings behind
// them are in the issue notes of issue 14.
//
// The CI run is the fixed seed range 1–5000 (600 queries under -race;
// .ci/run also runs the whole range without -race):
//
//	go test -run Random ./internal/difftest
//
// Environment variables (or the flags -difftest.rseed, -difftest.rn):
//
//	RESTSQL_DIFF_SEED=n       first seed ("random" for a fresh one)
//	RESTSQL_DIFF_N=n          number of queries
//	RESTSQL_DIFF_PENDING=a,b  the pending classes for this run ("none":
//	                          check every class strictly, to see a bug or
//	                          to prove its fix)
//	RESTSQL_DIFF_SKIP=a,b     classes the generator leaves out
//	RESTSQL_DIFF_MAXFAIL=n    stop after n failures (5)
//
// A nightly-style run with a fresh seed range each time (the seeds are in
// the log):
//
//	go test -run Random -count 20 ./internal/difftest
//
// The long sweep, 100,000 queries (27 minutes on a two-core machine busy
// with other work; each query costs about 3 ms of CPU in all three
// engines, so an idle machine runs the 5,000 of CI in about 10 s):
//
//	RESTSQL_DIFF_SEED=1000000 RESTSQL_DIFF_N=100000 go test -run Random -timeout 60m ./internal/difftest
package difftest
