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
package difftest
