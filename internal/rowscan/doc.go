// Package rowscan turns a page of JSON into the typed values of a table's
// columns (nil, int64, float64, bool, string, time.Time), as the profile's
// column types and paths say. It has two ways that must agree: a one-pass
// scanner (ScanPage) that validates the body, finds the rows array and
// converts every needed column as it walks each byte once, boxing values
// in per-page slabs; and the general way beside it (CheckJSON, FindRows,
// ExtractPage) built on gjson, which reads any page and explains what is
// wrong with one the scanner declines.
//
// The contract is FuzzExtract: for any body, rows path and column types,
// ScanPage either declines or gives exactly the values, row count and
// first misfit the general way gives, and nothing panics. restsource
// fetches the pages and calls this package on the goroutine that fetched
// each one.
package rowscan
