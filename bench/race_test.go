//go:build race

package bench

// smokeRows is the row count of TestBenchSmoke's main case: the race
// detector makes JSON parsing about ten times slower, so it reads fewer.
const smokeRows = 2000
