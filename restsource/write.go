package restsource

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/restsql/restsql/auth"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/httpcache"
	"github.com/restsql/restsql/internal/errcode"
)

// setting is the profile key of the kind's mapping.
func setting(k WriteKind) string { return strings.ToLower(k.String()) }

// NoWriteError refuses a statement on a table whose profile has no
// mapping for it (insert:, update: or delete:).
type NoWriteError struct {
	// Table is the qualified table name (catalog.schema.table).
	Table string
	// Statement is INSERT, UPDATE or DELETE.
	Statement string
}

// Error implements error.
func (e *NoWriteError) Error() string {
	setting := strings.ToLower(e.Statement)
	method := map[string]string{"insert": "POST", "update": "PATCH", "delete": "DELETE"}[setting]
	return fmt.Sprintf("restsource: table %s is not writable by %s: its profile has no %s: mapping (such as %s: {method: %s, url: …})",
		e.Table, e.Statement, setting, setting, method)
}

// WriteError is a write statement that failed. Requests already accepted
// stay done (the API has no transactions); no request is sent after the
// first failure, and none is retried.
type WriteError struct {
	// Table is the qualified table name; Statement is INSERT, UPDATE or DELETE.
	Table     string
	Statement string
	// Row and LastRow number (from 1, in statement order) the rows of the
	// request that failed first: one row, or the rows of a batch.
	Row, LastRow int64
	// Key names the failed row's key values ("id=7"); "" for an INSERT.
	Key string
	// Rows is the number of rows the statement was to write.
	Rows int64
	// Succeeded is the number of rows the API accepted; Failed the
	// number of rows whose request failed; NotSent the rows never sent.
	Succeeded, Failed, NotSent int64
	// Err is the failure: an *HTTPError for a status of 300 or more, a
	// network error, or the context's error.
	Err error
}

// Error implements error. A statement of one row reads
// "restsource: table T: INSERT failed: <cause>"; others say which row
// (and key) failed and how many rows succeeded:
// "restsource: table T: UPDATE failed at row 3 of 5 (id=7): 2 rows succeeded, 1 failed, 2 not sent: <cause>".
func (e *WriteError) Error() string {
	if e.Rows <= 1 {
		return fmt.Sprintf("restsource: table %s: %s failed: %v", e.Table, e.Statement, e.Err)
	}
	at := fmt.Sprintf("row %d", e.Row)
	if e.LastRow > e.Row {
		at = fmt.Sprintf("rows %d to %d", e.Row, e.LastRow)
	}
	at += " of " + strconv.FormatInt(e.Rows, 10)
	if e.Key != "" {
		at += " (" + e.Key + ")"
	}
	return fmt.Sprintf("restsource: table %s: %s failed at %s: %s succeeded, %d failed, %d not sent: %v",
		e.Table, e.Statement, at, plural(e.Succeeded, "row"), e.Failed, e.NotSent, e.Err)
}

// Unwrap returns the cause.
func (e *WriteError) Unwrap() error { return e.Err }

func plural(n int64, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return strconv.FormatInt(n, 10) + " " + word + "s"
}

// Writer sends the requests of one INSERT, UPDATE or DELETE on one table:
// the kind's endpoint (insert:, update: or delete: in the profile), its URL
// placeholders filled from each row's key columns, with a JSON body built
// from the columns' paths. It is made for one statement and is safe for
// concurrent use.
type Writer struct {
	src    *Source
	kind   WriteKind
	spec   *catalog.Write
	method string
	// rawURL is the endpoint as the profile writes it, for messages.
	rawURL string
	tmpl   *urlTemplate
	// batch is set when rows go to a batch endpoint, size rows per request.
	batch     bool
	batchSize int
	params    []qparam
	headers   http.Header
	// credHeaders names the write headers that carry credentials.
	credHeaders map[string]bool
	cols        []*catalog.Column
	// order lists the body columns (indexes into cols) by path depth, so
	// a parent (a json column address) is set before the fields inside it
	// (address.city) instead of replacing them.
	order []int
	keys  []*catalog.Column
	id    *catalog.Column
}

// Writer prepares the kind's requests for the named columns: for INSERT the
// columns the statement sets, for UPDATE the columns of the body (the SET
// columns, or every WritableColumns for PUT), for DELETE none. It checks
// that the profile maps the kind (a *NoWriteError otherwise), that every
// column exists, is named once, is not readOnly and has a path a write can
// set, and that an UPDATE or DELETE url has a {placeholder} to address a
// row. Column names match case-insensitively.
func (s *Source) Writer(kind WriteKind, columns []string) (*Writer, error) {
	var spec *catalog.Write
	switch kind {
	case WriteInsert:
		spec = s.t.Insert
	case WriteUpdate:
		spec = s.t.Update
	case WriteDelete:
		spec = s.t.Delete
	default:
		return nil, fmt.Errorf("restsource: table %s: unknown write kind %d", s.name, kind)
	}
	if spec == nil {
		return nil, &NoWriteError{Table: s.name, Statement: kind.String()}
	}
	w := &Writer{src: s, kind: kind, spec: spec, method: strings.ToUpper(strings.TrimSpace(spec.Method))}
	if err := w.init(columns); err != nil {
		// What init refuses without a code is the profile's write
		// mapping (its method, url, wrap or batch).
		return nil, errcode.Wrap(errcode.Config, fmt.Errorf("restsource: table %s: %s: %w", s.name, kind, err))
	}
	return w, nil
}

func (w *Writer) init(columns []string) error {
	s, setting := w.src, setting(w.kind)
	switch w.method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
	case "":
		return fmt.Errorf("%s: method is empty (want POST, PUT, PATCH or DELETE)", setting)
	default:
		return fmt.Errorf("%s: unknown method %q (want POST, PUT, PATCH or DELETE)", setting, w.spec.Method)
	}
	what, raw := setting+" url", w.spec.URL
	if w.kind == WriteInsert && !w.spec.Batch.IsZero() {
		w.batch = true
		w.batchSize = w.spec.Batch.Size
		if w.batchSize <= 0 {
			w.batchSize = catalog.DefaultBatchSize
		}
		if w.spec.Batch.URL != "" {
			what, raw = "insert batch url", w.spec.Batch.URL
		}
	}
	if strings.TrimSpace(raw) == "" {
		raw = s.t.URL
	}
	w.rawURL = raw
	expanded, err := s.expand(what, raw)
	if err != nil {
		return err
	}
	if w.tmpl, err = s.newTemplate(what, expanded); err != nil {
		return err
	}
	if w.kind != WriteInsert && len(w.tmpl.names) == 0 {
		return fmt.Errorf("%s %q has no {placeholder}: %s needs one (such as /items/{id}) to address each row", what, raw, w.kind)
	}
	for _, n := range w.tmpl.names {
		w.keys = append(w.keys, s.cols[s.byName[strings.ToLower(n)]])
	}
	if w.params, err = s.params(s.cat.Params, nil, "param"); err != nil {
		return err
	}
	w.headers, w.credHeaders = http.Header{}, map[string]bool{}
	for _, k := range sortedKeys(w.spec.Headers) {
		v, err := s.expand(setting+" header "+k, w.spec.Headers[k])
		if err != nil {
			return err
		}
		ck := http.CanonicalHeaderKey(k)
		w.headers.Set(ck, v)
		if strings.Contains(w.spec.Headers[k], "${") || credentialHeaders[ck] {
			w.credHeaders[ck] = true
			s.secrets.addHeader(ck)
		}
	}
	if w.spec.Wrap != "" && !w.batch {
		if err := catalog.CheckWritePath(w.spec.Wrap); err != nil {
			return fmt.Errorf("%s: wrap: %w", setting, err)
		}
	}
	if w.batch && w.spec.Batch.Rows != "" {
		if err := catalog.CheckWritePath(w.spec.Batch.Rows); err != nil {
			return fmt.Errorf("insert: batch: rows: %w", err)
		}
	}

	if w.kind == WriteDelete && len(columns) > 0 {
		return errcode.Errorf(errcode.InvalidSQL, "DELETE sets no columns")
	}
	seen := map[string]bool{}
	for _, name := range columns {
		i, ok := s.byName[strings.ToLower(name)]
		if !ok {
			msg := fmt.Sprintf("unknown column %q", name)
			if near, ok := catalog.Nearest(name, s.columnNames()); ok {
				msg += fmt.Sprintf(" (did you mean %s?)", near)
			}
			return errcode.Errorf(errcode.UnknownColumn, "%s", msg)
		}
		c := s.cols[i]
		if seen[strings.ToLower(c.Name)] {
			return errcode.Errorf(errcode.InvalidSQL, "column %s is set twice", c.Name)
		}
		seen[strings.ToLower(c.Name)] = true
		switch {
		case c.ReadOnly:
			return errcode.Errorf(errcode.NotSupported, "column %s is read-only (readOnly: true in the profile)", c.Name)
		case c.Implicit && (w.kind != WriteInsert || !w.isKey(c)):
			return errcode.Errorf(errcode.NotSupported, "column %s cannot be written: it is only a {%s} placeholder of the table's url, not a field of the row", c.Name, c.Name)
		case !c.Implicit:
			if err := catalog.CheckWritePath(columnPath(c)); err != nil {
				return fmt.Errorf("column %s: %w", c.Name, err)
			}
		}
		w.cols = append(w.cols, c)
	}
	for i, c := range w.cols {
		if !c.Implicit {
			w.order = append(w.order, i)
		}
	}
	slices.SortStableFunc(w.order, func(a, b int) int {
		return pathDepth(columnPath(w.cols[a])) - pathDepth(columnPath(w.cols[b]))
	})
	if w.kind == WriteInsert {
		w.id = s.idColumn()
	}
	return nil
}

// pathDepth is the number of keys in a path (escaped dots do not count).
func pathDepth(p string) int {
	n := 1
	for i := 0; i < len(p); i++ {
		switch p[i] {
		case '\\':
			i++
		case '.':
			n++
		}
	}
	return n
}

func (w *Writer) isKey(c *catalog.Column) bool {
	for _, k := range w.keys {
		if k == c {
			return true
		}
	}
	return false
}

func (s *Source) columnNames() []string {
	out := make([]string, len(s.cols))
	for i, c := range s.cols {
		out[i] = c.Name
	}
	return out
}

// idColumn is the column LastInsertID reads from a created row: the only
// key: true column, or among several the one the update, delete or get url
// addresses rows by, or else a column named id.
func (s *Source) idColumn() *catalog.Column {
	var keys []*catalog.Column
	for _, c := range s.cols {
		if c.Key && !c.Implicit {
			keys = append(keys, c)
		}
	}
	if len(keys) == 1 {
		return keys[0]
	}
	var urls []string
	for _, w := range []*catalog.Write{s.t.Update, s.t.Delete} {
		if w != nil {
			urls = append(urls, w.URL)
		}
	}
	if s.t.Get != nil {
		urls = append(urls, s.t.Get.URL)
	}
	for _, u := range urls {
		tmpl, err := parseTemplate(s.base, u)
		if err != nil {
			continue
		}
		for _, n := range tmpl.names {
			for _, k := range keys {
				if strings.EqualFold(k.Name, n) {
					return k
				}
			}
		}
	}
	if len(keys) > 0 {
		return keys[0]
	}
	if i, ok := s.byName["id"]; ok && !s.cols[i].Implicit {
		return s.cols[i]
	}
	return nil
}

// WritableColumns are the columns a write may set: neither readOnly nor a
// placeholder the profile does not declare, with a path a write can set,
// in table order. They are INSERT's columns when it names none, and the
// body of an UPDATE by PUT.
func (s *Source) WritableColumns() []*catalog.Column {
	var out []*catalog.Column
	for _, c := range s.cols {
		if !c.ReadOnly && !c.Implicit && catalog.CheckWritePath(columnPath(c)) == nil {
			out = append(out, c)
		}
	}
	return out
}

// Kind returns the statement the Writer carries out.
func (w *Writer) Kind() WriteKind { return w.kind }

// Method returns the HTTP method of the requests (POST, PUT, PATCH or DELETE).
func (w *Writer) Method() string { return w.method }

// URL returns the endpoint as the profile writes it.
func (w *Writer) URL() string { return w.rawURL }

// Columns returns the columns of Change.Values, in order.
func (w *Writer) Columns() []*catalog.Column { return w.cols }

// KeyColumns returns the columns of Change.Keys: the {placeholders} of the
// endpoint's URL, in the order they first appear.
func (w *Writer) KeyColumns() []*catalog.Column { return w.keys }

// WriteRequest is one row, encoded: its request URL and body.
type WriteRequest struct {
	url   *url.URL
	shown string
	// body is the row's JSON object (nil for DELETE); wrapped in the
	// wrap: path unless the row goes to a batch endpoint.
	body []byte
	key  string
}

// URL returns the request URL, secret query values shown as "***".
func (r *WriteRequest) URL() string { return r.shown }

// Body returns the JSON body the row sends on its own (nil for DELETE).
func (r *WriteRequest) Body() []byte { return r.body }

// Prepare encodes one row: the URL from its Keys and the body from its
// Values. row (from 1) numbers the row in errors. A NULL key, or a value
// that does not fit its column's type, is an error naming the row and the
// column; nothing is sent.
//
// Values are written as the column's type says: int as a JSON integer
// (from an integral float or a numeric string too), float as a number,
// bool as true or false (from 0, 1 and "true"/"false" too), string as a
// string (numbers and bools as their text), datetime as RFC 3339 or the
// column's format (a number for unix and unixms), json as the raw JSON of
// a string holding valid JSON (numbers and bools as they are), and NULL as
// null. A column's path places its value, so a.b.c makes nested objects.
func (w *Writer) Prepare(row int64, ch Change) (*WriteRequest, error) {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("restsource: table %s: %s row %d: %s", w.src.name, w.kind, row, fmt.Sprintf(format, args...))
	}
	if len(ch.Keys) != len(w.keys) || len(ch.Values) != len(w.cols) {
		return nil, fail("got %d keys and %d values, want %d and %d", len(ch.Keys), len(ch.Values), len(w.keys), len(w.cols))
	}
	values := make(map[string]string, len(w.keys))
	var key []string
	for i, c := range w.keys {
		v := ch.Keys[i]
		if v == nil || v == Omit {
			return nil, fail("column %s is NULL, but the %s url %s needs its value", c.Name, setting(w.kind), w.rawURL)
		}
		s, ok := formatFor(c, v)
		if !ok {
			return nil, fail("column %s: a %T cannot fill the url %s", c.Name, v, w.rawURL)
		}
		values[strings.ToLower(c.Name)] = s
		key = append(key, c.Name+"="+s)
	}
	u, err := buildURL(w.tmpl, values, paramGroup{params: w.params})
	if err != nil {
		return nil, fail("request URL: %v", err)
	}
	req := &WriteRequest{url: u, shown: w.src.redact(u)}
	if w.kind != WriteInsert {
		req.key = strings.Join(key, ", ")
	}
	if w.method == http.MethodDelete {
		return req, nil
	}
	body := []byte("{}")
	for _, i := range w.order {
		c, v := w.cols[i], ch.Values[i]
		if v == Omit {
			continue
		}
		raw, err := encodeValue(c, v)
		if err != nil {
			return nil, errcode.Wrap(errcode.TypeMismatch, fail("column %s (%s): %v", c.Name, columnType(c), err))
		}
		if body, err = sjson.SetRawBytes(body, columnPath(c), []byte(raw)); err != nil {
			return nil, fail("column %s: path %s: %v", c.Name, columnPath(c), err)
		}
	}
	if w.spec.Wrap != "" && !w.batch {
		if body, err = sjson.SetRawBytes([]byte("{}"), w.spec.Wrap, body); err != nil {
			return nil, fail("wrap %s: %v", w.spec.Wrap, err)
		}
	}
	req.body = body
	return req, nil
}

// encodeValue writes v as the JSON value of column c.
func encodeValue(c *catalog.Column, v any) (string, error) {
	if v == nil {
		return "null", nil
	}
	bad := func() (string, error) {
		return "", fmt.Errorf("value %s does not fit", describeValue(v))
	}
	switch columnType(c) {
	case catalog.TypeString:
		if s, ok := formatValue(v); ok {
			return strconv.Quote(s), nil
		}
	case catalog.TypeInt:
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			if x == math.Trunc(x) && math.Abs(x) < 1<<63 {
				return strconv.FormatInt(int64(x), 10), nil
			}
		case string:
			if n, ok := parseInt(strings.TrimSpace(x)); ok {
				return strconv.FormatInt(n.(int64), 10), nil
			}
		}
	case catalog.TypeFloat:
		switch x := v.(type) {
		case int64:
			return strconv.FormatInt(x, 10), nil
		case float64:
			if !math.IsNaN(x) && !math.IsInf(x, 0) {
				return strconv.FormatFloat(x, 'g', -1, 64), nil
			}
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
				return strconv.FormatFloat(f, 'g', -1, 64), nil
			}
		}
	case catalog.TypeBool:
		if _, ok := v.(time.Time); !ok {
			if s, ok := formatFor(c, v); ok {
				return s, nil
			}
		}
	case catalog.TypeDatetime:
		t, ok := v.(time.Time)
		switch x := v.(type) {
		case string:
			t, ok = parseDatetimeText(c, x)
		case int64:
			t, ok = time.Unix(x, 0).UTC(), true
		case float64:
			if !math.IsNaN(x) && !math.IsInf(x, 0) && math.Abs(x) < maxUnixSeconds {
				sec, frac := math.Modf(x)
				t, ok = time.Unix(int64(sec), int64(math.Round(frac*1e9))).UTC(), true
			}
		}
		if !ok {
			return bad()
		}
		s, _ := formatFor(c, t)
		switch strings.ToLower(strings.TrimSpace(c.Format)) {
		case formatUnix, formatUnixMs:
			return s, nil
		}
		return strconv.Quote(s), nil
	case catalog.TypeJSON:
		switch x := v.(type) {
		case string:
			if raw := strings.TrimSpace(x); raw != "" && gjson.Valid(raw) {
				return raw, nil
			}
			return "", fmt.Errorf("value %s is not valid JSON", describeValue(v))
		case int64, float64, bool:
			return encodeValue(&catalog.Column{Type: valueType(x)}, x)
		case time.Time:
			return strconv.Quote(x.Format(time.RFC3339Nano)), nil
		}
	}
	return bad()
}

// valueType is the column type that holds v as it is.
func valueType(v any) catalog.Type {
	switch v.(type) {
	case int64:
		return catalog.TypeInt
	case float64:
		return catalog.TypeFloat
	case bool:
		return catalog.TypeBool
	case time.Time:
		return catalog.TypeDatetime
	}
	return catalog.TypeString
}

// parseDatetimeText reads a datetime written as RFC 3339 or in the
// column's format layout.
func parseDatetimeText(c *catalog.Column, s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	switch f := strings.TrimSpace(c.Format); strings.ToLower(f) {
	case "", formatUnix, formatUnixMs:
	default:
		if t, err := time.Parse(f, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// describeValue shows a value in an error: strings quoted and cut.
func describeValue(v any) string {
	switch x := v.(type) {
	case string:
		if len(x) > 100 {
			x = strings.ToValidUTF8(x[:100], "") + "…"
		}
		return strconv.Quote(x)
	case time.Time:
		return x.Format(time.RFC3339Nano)
	}
	return fmt.Sprint(v)
}

// unit is one request: one row, or a batch of consecutive rows.
type unit struct {
	first, last int64 // row numbers, from 1
	url         *url.URL
	body        []byte
	key         string
}

// writeResponse is an accepted write's response.
type writeResponse struct {
	status int
	header http.Header
	// body is the response body when it was kept; bodyErr says why it
	// could not be read.
	body    string
	bodyErr error
}

// outcome is what one unit's request did.
type outcome struct {
	u        *unit
	resp     *writeResponse
	notFound bool
	err      error
}

// Run sends the prepared rows: one request per row, or for a batch insert
// one per batch.size consecutive rows with the same URL, at most
// MaxConcurrency at once. UPDATE and DELETE send one request per distinct
// URL (a row read twice is written once). After the first failure no
// further request is started; the ones in flight finish, and the error is
// a *WriteError. POST is never retried, nor is any other write.
func (w *Writer) Run(ctx context.Context, reqs []*WriteRequest) (*WriteResult, error) {
	units := w.units(reqs)
	var total int64
	for _, u := range units {
		total += u.last - u.first + 1
	}
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		results  []outcome
		failed   bool
		sentRows int64
	)
	slots := make(chan struct{}, w.src.opts.MaxConcurrency)
	// stopped is the first unit not sent because the context ended.
	var stopped *unit
dispatch:
	for _, u := range units {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
			stopped = u
			break dispatch
		}
		mu.Lock()
		stop := failed
		mu.Unlock()
		if stop {
			<-slots
			break
		}
		if ctx.Err() != nil {
			<-slots
			stopped = u
			break
		}
		sentRows += u.last - u.first + 1
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			o := w.do(ctx, u)
			mu.Lock()
			results = append(results, o)
			if o.err != nil {
				failed = true
			}
			mu.Unlock()
		}()
	}
	wg.Wait()

	res := &WriteResult{}
	var first *outcome
	var failedRows int64
	var last *outcome
	for i := range results {
		o := &results[i]
		n := o.u.last - o.u.first + 1
		switch {
		case o.err != nil:
			failedRows += n
			if first == nil || o.u.first < first.u.first {
				first = o
			}
		case o.notFound:
		default:
			res.RowsAffected += n
			if last == nil || o.u.first > last.u.first {
				last = o
			}
		}
	}
	if first == nil && stopped != nil {
		// The context ended before every row was sent.
		return nil, &WriteError{Table: w.src.name, Statement: w.kind.String(), Row: stopped.first, LastRow: stopped.last,
			Key: stopped.key, Rows: total, Succeeded: res.RowsAffected, NotSent: total - sentRows, Err: context.Cause(ctx)}
	}
	if first != nil {
		return nil, &WriteError{Table: w.src.name, Statement: w.kind.String(), Row: first.u.first, LastRow: first.u.last,
			Key: first.u.key, Rows: total, Succeeded: res.RowsAffected, Failed: failedRows, NotSent: total - sentRows, Err: first.err}
	}
	switch {
	case w.kind != WriteInsert:
		res.LastIDErr = errcode.Errorf(errcode.NotSupported, "restsource: table %s: LastInsertId: %s creates no rows; it is known after an INSERT", w.src.name, w.kind)
	case last == nil:
		res.LastIDErr = errcode.Errorf(errcode.HTTP, "restsource: table %s: LastInsertId: the INSERT created no rows", w.src.name)
	default:
		res.LastID, res.LastIDErr = w.createdID(last)
	}
	return res, nil
}

// units groups the rows into requests.
func (w *Writer) units(reqs []*WriteRequest) []*unit {
	var out []*unit
	if !w.batch {
		seen := map[string]bool{}
		for i, r := range reqs {
			if w.kind != WriteInsert {
				s := r.url.String()
				if seen[s] {
					continue
				}
				seen[s] = true
			}
			out = append(out, &unit{first: int64(i + 1), last: int64(i + 1), url: r.url, body: r.body, key: r.key})
		}
		return out
	}
	var cur *unit
	var rows [][]byte
	flush := func() {
		if cur == nil {
			return
		}
		arr := append([]byte("["), bytes.Join(rows, []byte(","))...)
		arr = append(arr, ']')
		cur.body = arr
		if p := w.spec.Batch.Rows; p != "" {
			cur.body, _ = sjson.SetRawBytes([]byte("{}"), p, arr) // the path was checked by Writer
		}
		out = append(out, cur)
		cur, rows = nil, nil
	}
	for i, r := range reqs {
		n := int64(i + 1)
		if cur != nil && (cur.url.String() != r.url.String() || len(rows) >= w.batchSize) {
			flush()
		}
		if cur == nil {
			cur = &unit{first: n, url: r.url}
		}
		cur.last = n
		rows = append(rows, r.body)
	}
	flush()
	return out
}

// do sends one unit's request. A 404 for UPDATE or DELETE means the row
// is not there: not an error, and not counted.
func (w *Writer) do(ctx context.Context, u *unit) outcome {
	resp, err := w.send(ctx, u.url, u.body, w.kind == WriteInsert)
	if err != nil {
		var he *HTTPError
		if w.kind != WriteInsert && errors.As(err, &he) && he.StatusCode == http.StatusNotFound {
			return outcome{u: u, notFound: true}
		}
		return outcome{u: u, err: err}
	}
	return outcome{u: u, resp: resp}
}

// send sends one write request with the catalog's credentials (only to
// its own host), the catalog and table headers and the write's headers.
// A status of 300 or more is an *HTTPError. keep says whether the body is
// read (up to MaxBodyBytes) for LastInsertID.
func (w *Writer) send(ctx context.Context, u *url.URL, body []byte, keep bool) (*writeResponse, error) {
	s := w.src
	shown := s.redact(u)
	// A response cache in the client's transport drops the table's entries.
	ctx = httpcache.WithTag(ctx, s.name)
	if s.opts.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, s.opts.Timeout)
		defer cancel()
	}
	ownHost := s.credentialHost(u)
	refreshed := false
	var resp *http.Response
	var start time.Time
	for {
		req, err := w.newRequest(ctx, u, body, ownHost)
		if err != nil {
			return nil, fmt.Errorf("restsource: %s %s: %w", w.method, shown, err)
		}
		if err := s.policy.Wait(ctx); err != nil {
			return nil, fmt.Errorf("restsource: %s %s: %w", w.method, shown, err)
		}
		tallyFrom(ctx).addRequest()
		start = time.Now()
		resp, err = s.client.Do(req)
		if err != nil {
			var ue *url.Error
			if errors.As(err, &ue) {
				err = ue.Err
			}
			if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
				err = fmt.Errorf("%w (%v)", ctx.Err(), err)
			}
			w.log(ctx, shown, 0, 0, start, err)
			return nil, fmt.Errorf("restsource: %s %s: %w", w.method, shown, err)
		}
		// A 401 from the catalog's host that renewed credentials (an
		// OAuth2 token, a Digest challenge) is sent once more: the API
		// refused the request, so it did not apply it.
		r, ok := s.opts.Auth.(auth.Refresher)
		if resp.StatusCode != http.StatusUnauthorized || !ok || refreshed || !ownHost || !s.credentialHost(resp.Request.URL) {
			break
		}
		refreshed = true
		again, err := r.Refresh(resp)
		if err != nil || !again {
			if err != nil {
				_ = resp.Body.Close()
				w.log(ctx, shown, resp.StatusCode, 0, start, err)
				return nil, fmt.Errorf("restsource: %s %s: 401 Unauthorized: %w", w.method, shown, err)
			}
			break
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		w.log(ctx, shown, resp.StatusCode, 0, start, nil)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		excerpt, _ := io.ReadAll(io.LimitReader(decoded(resp), bodyExcerpt+1))
		tallyFrom(ctx).addBytes(len(excerpt))
		w.log(ctx, shown, resp.StatusCode, len(excerpt), start, nil)
		return nil, &HTTPError{Method: w.method, URL: shown, StatusCode: resp.StatusCode, Body: excerptOf(redactText(string(excerpt)))}
	}
	out := &writeResponse{status: resp.StatusCode, header: resp.Header}
	limit := s.opts.MaxBodyBytes
	if !keep {
		n, _ := io.Copy(io.Discard, io.LimitReader(decoded(resp), limit))
		tallyFrom(ctx).addBytes(int(n))
		w.log(ctx, shown, resp.StatusCode, int(n), start, nil)
		return out, nil
	}
	var b strings.Builder
	n, err := io.Copy(&b, io.LimitReader(decoded(resp), limit+1))
	tallyFrom(ctx).addBytes(int(n))
	w.log(ctx, shown, resp.StatusCode, int(n), start, err)
	switch {
	case err != nil:
		// The API accepted the write; only its answer is lost. The row
		// counts, and LastInsertID says why it has no id.
		out.bodyErr = fmt.Errorf("reading the response: %w", err)
	case n > limit:
		out.bodyErr = fmt.Errorf("the response body is larger than the %d-byte limit (MaxBodyBytes)", limit)
	default:
		out.body = b.String()
	}
	return out, nil
}

// newRequest builds one write request: the catalog and table headers, the
// write's headers, Content-Type, and the credentials for the catalog's own
// host only.
func (w *Writer) newRequest(ctx context.Context, u *url.URL, body []byte, ownHost bool) (*http.Request, error) {
	s := w.src
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, w.method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	for k, vs := range s.headers {
		if s.credHeaders[k] && !ownHost {
			continue
		}
		req.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range w.headers {
		if w.credHeaders[k] && !ownHost {
			req.Header.Del(k)
			continue
		}
		req.Header[k] = append([]string(nil), vs...)
	}
	if body != nil && req.Header.Get("Content-Type") == "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if s.opts.Auth != nil && ownHost {
		if err := s.authenticate(req); err != nil {
			return nil, err
		}
	}
	return req, nil
}

// log logs one write request at LevelRequests, as reads are logged.
func (w *Writer) log(ctx context.Context, shown string, status, n int, start time.Time, err error) {
	if !w.src.logEnabled(ctx, LevelRequests) {
		return
	}
	attrs := []slog.Attr{
		slog.String("table", w.src.name),
		slog.String("method", w.method),
		slog.String("url", shown),
		slog.Int("status", status),
		slog.Int("bytes", n),
		slog.Duration("elapsed", time.Since(start)),
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	w.src.opts.Logger.LogAttrs(ctx, LevelRequests, "restsource: request", attrs...)
}

// createdID reads the key of the created row from an accepted response.
func (w *Writer) createdID(o *outcome) (int64, error) {
	s := w.src
	shown := w.method + " " + s.redact(o.u.url)
	fail := func(format string, args ...any) (int64, error) {
		return 0, errcode.Errorf(errcode.HTTP, "restsource: table %s: LastInsertId: %s", s.name, fmt.Sprintf(format, args...))
	}
	if w.id == nil {
		return fail("the table has no key column (key: true) to read the created id from")
	}
	if o.resp.bodyErr != nil {
		return fail("%s: %v", shown, o.resp.bodyErr)
	}
	idPath := columnPath(w.id)
	doc := strings.TrimSpace(o.resp.body)
	var v gjson.Result
	if doc != "" && gjson.Valid(doc) {
		switch {
		case w.batch:
			rows, err := findRows(doc, w.spec.Batch.Rows)
			if err == nil && len(rows) > 0 {
				v = rows[len(rows)-1].Get(idPath)
			}
		default:
			if w.spec.Wrap != "" {
				if inner := gjson.Get(doc, w.spec.Wrap); inner.IsObject() {
					doc = inner.Raw
				}
			}
			v = gjson.Get(doc, idPath)
		}
	}
	switch v.Type {
	case gjson.Number, gjson.String:
		text := v.Raw
		if v.Type == gjson.String {
			text = strings.TrimSpace(v.Str)
		}
		if n, ok := parseInt(text); ok {
			return n.(int64), nil
		}
		return fail("the response to %s has %s at %s, not an integer", shown, short(v.Raw), idPath)
	case gjson.Null:
		if v.Raw == "" && !w.batch {
			// No id in the body: a Location header ending in one will do.
			if loc := o.resp.header.Get("Location"); loc != "" {
				if lu, err := url.Parse(loc); err == nil {
					if n, err := strconv.ParseInt(path.Base(lu.Path), 10, 64); err == nil {
						return n, nil
					}
				}
			}
		}
	default:
		return fail("the response to %s has %s at %s, not an integer", shown, short(v.Raw), idPath)
	}
	return fail("the response to %s carries no %s (column %s)", shown, idPath, w.id.Name)
}
