package table

// Size is what a Plan knows, before it is read, of the rows and requests
// of its scan: what the planner weighs when it chooses between reading a
// table whole and reading it by key.
type Size struct {
	// Rows is the number of rows the same requests returned the last time
	// they were read to the end, or the total the API reported for them
	// (totalPath, totalHeader); Known is false when neither was seen.
	Rows  int64
	Known bool
	// PageSize is the rows one request returns when the table is
	// paginated with a page size; 0 when one response holds every row
	// (pagination none) or the page size is the API's own.
	PageSize int
	// Streams is the number of request streams (one per key of a
	// required key column or a get: lookup; else 1).
	Streams int
	// Lookup is true when the plan uses the table's get: endpoint.
	Lookup bool
}

// Stats counts what a scan has done so far.
type Stats struct {
	// Requests is the number of HTTP requests sent.
	Requests int64
	// Pages is the number of pages received and parsed.
	Pages int64
	// Rows is the number of rows returned by Next.
	Rows int64
}
