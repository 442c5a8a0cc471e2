//go:build !race

package bench

// smokeRows is the row count of TestBenchSmoke's main case.
const smokeRows = 5000
