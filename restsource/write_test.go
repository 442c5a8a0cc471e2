package restsource

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// written is one request a write test server received.
type written struct {
	Method string
	Path   string
	Query  string
	Header http.Header
	Body   string
}

func (r written) line() string {
	s := r.Method + " " + r.Path
	if r.Query != "" {
		s += "?" + r.Query
	}
	return s
}

// writeServer records every request with its body and answers with
// respond (nil = json-server's answers: POST echoes the body with the next
// id and 201, PUT and PATCH echo it with 200, DELETE answers {}).
type writeServer struct {
	mu      sync.Mutex
	reqs    []written
	nextID  atomic.Int64
	respond func(w http.ResponseWriter, r *http.Request, body []byte)
}

func newWriteServer(t *testing.T, respond func(w http.ResponseWriter, r *http.Request, body []byte)) (*httptest.Server, *writeServer) {
	t.Helper()
	ws := &writeServer{respond: respond}
	ws.nextID.Store(100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		ws.mu.Lock()
		ws.reqs = append(ws.reqs, written{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone(), Body: string(body)})
		ws.mu.Unlock()
		if ws.respond != nil {
			ws.respond(w, r, body)
			return
		}
		ws.jsonServer(w, r, body)
	}))
	t.Cleanup(srv.Close)
	return srv, ws
}

func (ws *writeServer) jsonServer(w http.ResponseWriter, r *http.Request, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	switch r.Method {
	case http.MethodPost:
		var doc map[string]any
		_ = json.Unmarshal(body, &doc)
		if doc == nil {
			doc = map[string]any{}
		}
		doc["id"] = ws.nextID.Add(1)
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(doc)
	case http.MethodDelete:
		_, _ = w.Write([]byte("{}"))
	default:
		_, _ = w.Write(body)
	}
}

func (ws *writeServer) all() []written {
	ws.mu.Lock()
	defer ws.mu.Unlock()
	return append([]written(nil), ws.reqs...)
}

// lines lists "METHOD path?query" of every request, sorted: requests run
// concurrently.
func (ws *writeServer) lines() []string {
	var out []string
	for _, r := range ws.all() {
		out = append(out, r.line())
	}
	sort.Strings(out)
	return out
}

// writeItems is a table with a column of every type, a nested path and a
// read-only column, writable at /items and /items/{id}.
func writeItems(base string) (*catalog.Catalog, *catalog.Table) {
	t := &catalog.Table{
		Name: "items", SchemaName: "S", CatalogName: "C", URL: "/items",
		Columns: []*catalog.Column{
			{Name: "id", Type: "int", Key: true},
			{Name: "userId", Type: "int"},
			{Name: "title"},
			{Name: "city", Path: "author.address.city"},
			{Name: "zip", Path: "author.address.zip"},
			{Name: "score", Type: "float"},
			{Name: "done", Type: "bool"},
			{Name: "due", Type: "datetime"},
			{Name: "day", Type: "datetime", Format: "2006-01-02"},
			{Name: "unix", Type: "datetime", Format: "unix"},
			{Name: "ms", Type: "datetime", Format: "unixms"},
			{Name: "tags", Type: "json"},
			{Name: "author", Type: "json"},
			{Name: "created", Type: "datetime", ReadOnly: true},
			{Name: "first", Path: "tags.0"},
			{Name: "count", Path: "tags.#"},
		},
		Insert: &catalog.Write{Method: "POST", URL: "/items"},
		Update: &catalog.Write{Method: "PATCH", URL: "/items/{id}"},
		Delete: &catalog.Write{Method: "DELETE", URL: "/items/{id}"},
	}
	cat := &catalog.Catalog{Name: "C", URL: base, Schemas: map[string]*catalog.Schema{"S": {Name: "S", Tables: map[string]*catalog.Table{"items": t}}}}
	return cat, t
}

func TestWriterBodies(t *testing.T) {
	when := time.Date(2024, 5, 1, 10, 30, 0, 0, time.UTC)
	tests := []struct {
		name   string
		tweak  func(*catalog.Table)
		kind   WriteKind
		cols   []string
		keys   []any
		values []any
		method string
		path   string
		body   string // "" = no body
	}{
		{
			name: "insert: columns in order, typed",
			kind: WriteInsert, cols: []string{"userId", "title", "score", "done"},
			values: []any{int64(3), "hello", 2.5, true},
			method: "POST", path: "/items",
			body: `{"userId":3,"title":"hello","score":2.5,"done":true}`,
		},
		{
			name: "nested paths make nested objects",
			kind: WriteInsert, cols: []string{"title", "city", "zip"},
			values: []any{"t", "Paris", "75001"},
			method: "POST", path: "/items",
			body: `{"title":"t","author":{"address":{"city":"Paris","zip":"75001"}}}`,
		},
		{
			name: "NULL is null, Omit leaves the field out",
			kind: WriteInsert, cols: []string{"userId", "title", "score"},
			values: []any{nil, Omit, nil},
			method: "POST", path: "/items",
			body: `{"userId":null,"score":null}`,
		},
		{
			name: "conversions to the column type",
			kind: WriteInsert, cols: []string{"userId", "title", "score", "done"},
			values: []any{"42", int64(7), int64(3), int64(0)},
			method: "POST", path: "/items",
			body: `{"userId":42,"title":"7","score":3,"done":false}`,
		},
		{
			name: "integral float to int, numeric string to float, text to bool",
			kind: WriteInsert, cols: []string{"userId", "score", "done"},
			values: []any{3.0, " 1.25 ", "TRUE"},
			method: "POST", path: "/items",
			body: `{"userId":3,"score":1.25,"done":true}`,
		},
		{
			name: "datetimes: RFC 3339, a layout, unix seconds and milliseconds",
			kind: WriteInsert, cols: []string{"due", "day", "unix", "ms"},
			values: []any{when, when, when, when.Add(5 * time.Millisecond)},
			method: "POST", path: "/items",
			body: `{"due":"2024-05-01T10:30:00Z","day":"2024-05-01","unix":1714559400,"ms":1714559400005}`,
		},
		{
			// The column's layout has no zone: its values are read as
			// UTC, so a value is written in UTC (01:00 at +02:00 is the
			// day before in UTC).
			name: "a layout without a zone is written in UTC",
			kind: WriteInsert, cols: []string{"day"},
			values: []any{time.Date(2024, 5, 2, 1, 0, 0, 0, time.FixedZone("", 2*3600))},
			method: "POST", path: "/items",
			body: `{"day":"2024-05-01"}`,
		},
		{
			name: "datetime text in RFC 3339 or the column's layout; epoch numbers",
			kind: WriteInsert, cols: []string{"due", "day", "unix"},
			values: []any{"2024-05-01T12:00:00+02:00", "2024-06-02", int64(1714559400)},
			method: "POST", path: "/items",
			body: `{"due":"2024-05-01T12:00:00+02:00","day":"2024-06-02","unix":1714559400}`,
		},
		{
			name: "json columns are embedded raw",
			kind: WriteInsert, cols: []string{"tags", "title"},
			values: []any{`["a", {"b": 1}]`, "t"},
			method: "POST", path: "/items",
			body: `{"tags":["a",{"b":1}],"title":"t"}`,
		},
		{
			name: "a json parent is set before the fields inside it",
			kind: WriteInsert, cols: []string{"city", "author"},
			values: []any{"Oslo", `{"name":"Ann","address":{"zip":"0150"}}`},
			method: "POST", path: "/items",
			body: `{"author":{"name":"Ann","address":{"zip":"0150","city":"Oslo"}}}`,
		},
		{
			name: "json numbers and bools as they are",
			kind: WriteInsert, cols: []string{"tags", "author"},
			values: []any{int64(5), false},
			method: "POST", path: "/items",
			body: `{"tags":5,"author":false}`,
		},
		{
			name: "an array index path",
			kind: WriteInsert, cols: []string{"first"},
			values: []any{"x"},
			method: "POST", path: "/items",
			body: `{"tags":["x"]}`,
		},
		{
			name:  "wrap puts the row under a path",
			tweak: func(t *catalog.Table) { t.Insert.Wrap = "data.attributes" },
			kind:  WriteInsert, cols: []string{"title"},
			values: []any{"t"},
			method: "POST", path: "/items",
			body: `{"data":{"attributes":{"title":"t"}}}`,
		},
		{
			name: "update: PATCH to the key's URL with the SET columns",
			kind: WriteUpdate, cols: []string{"title"},
			keys: []any{int64(7)}, values: []any{"new"},
			method: "PATCH", path: "/items/7",
			body: `{"title":"new"}`,
		},
		{
			name: "update: the key may be a string, path-escaped",
			kind: WriteUpdate, cols: []string{"done"},
			keys: []any{"a/b c"}, values: []any{true},
			method: "PATCH", path: "/items/a/b c",
			body: `{"done":true}`,
		},
		{
			name:  "update: PUT",
			tweak: func(t *catalog.Table) { t.Update.Method = "put" },
			kind:  WriteUpdate, cols: []string{"id", "title"},
			keys: []any{int64(2)}, values: []any{int64(2), "x"},
			method: "PUT", path: "/items/2",
			body: `{"id":2,"title":"x"}`,
		},
		{
			name:   "delete: no body",
			kind:   WriteDelete,
			keys:   []any{int64(9)},
			method: "DELETE", path: "/items/9",
		},
		{
			name:  "insert url placeholders come from the row; catalog params are sent",
			tweak: func(t *catalog.Table) { t.Insert.URL = "/users/{userId}/items?x=1" },
			kind:  WriteInsert, cols: []string{"userId", "title"},
			values: []any{int64(4), "t"},
			method: "POST", path: "/users/4/items",
			body: `{"userId":4,"title":"t"}`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, ws := newWriteServer(t, nil)
			cat, tbl := writeItems(srv.URL)
			if tc.tweak != nil {
				tc.tweak(tbl)
			}
			s := newSource(t, cat, tbl, Options{})
			w, err := s.Writer(tc.kind, tc.cols)
			require.NoError(t, err)
			keys := tc.keys
			if tc.kind == WriteInsert {
				for _, k := range w.KeyColumns() {
					for i, c := range w.Columns() {
						if c == k {
							keys = append(keys, tc.values[i])
						}
					}
				}
			}
			req, err := w.Prepare(1, Change{Keys: keys, Values: tc.values})
			require.NoError(t, err)
			res, err := w.Run(context.Background(), []*WriteRequest{req})
			require.NoError(t, err)
			assert.Equal(t, int64(1), res.RowsAffected)

			got := ws.all()
			require.Len(t, got, 1)
			assert.Equal(t, tc.method, got[0].Method)
			assert.Equal(t, tc.path, got[0].Path)
			if tc.body == "" {
				assert.Empty(t, got[0].Body)
				assert.Empty(t, got[0].Header.Get("Content-Type"))
			} else {
				assert.JSONEq(t, tc.body, got[0].Body)
				assert.Equal(t, "application/json", got[0].Header.Get("Content-Type"))
			}
			assert.Equal(t, "application/json", got[0].Header.Get("Accept"))
		})
	}
}

func TestWriterPrepareErrors(t *testing.T) {
	tests := []struct {
		name   string
		kind   WriteKind
		cols   []string
		keys   []any
		values []any
		err    string
	}{
		{"fraction into int", WriteInsert, []string{"userId"}, nil, []any{3.5},
			"restsource: table C.S.items: INSERT row 1: column userId (int): value 3.5 does not fit"},
		{"text into int", WriteInsert, []string{"userId"}, nil, []any{"abc"},
			`column userId (int): value "abc" does not fit`},
		{"2 into bool", WriteInsert, []string{"done"}, nil, []any{int64(2)},
			"column done (bool): value 2 does not fit"},
		{"NaN into float", WriteInsert, []string{"score"}, nil, []any{math.NaN()},
			"column score (float): value NaN does not fit"},
		{"bad datetime", WriteInsert, []string{"day"}, nil, []any{"01/05/2024"},
			`column day (datetime): value "01/05/2024" does not fit`},
		{"invalid JSON", WriteInsert, []string{"tags"}, nil, []any{"[1,"},
			`column tags (json): value "[1," is not valid JSON`},
		{"NULL key", WriteUpdate, []string{"title"}, []any{nil}, []any{"x"},
			"restsource: table C.S.items: UPDATE row 1: column id is NULL, but the update url /items/{id} needs its value"},
		{"wrong count", WriteDelete, nil, []any{}, nil,
			"DELETE row 1: got 0 keys and 0 values, want 1 and 0"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cat, tbl := writeItems("http://127.0.0.1:1")
			s := newSource(t, cat, tbl, Options{})
			w, err := s.Writer(tc.kind, tc.cols)
			require.NoError(t, err)
			_, err = w.Prepare(1, Change{Keys: tc.keys, Values: tc.values})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
		})
	}
}

func TestWriterRefuses(t *testing.T) {
	tests := []struct {
		name  string
		tweak func(*catalog.Table)
		kind  WriteKind
		cols  []string
		err   string
	}{
		{"no insert mapping", func(t *catalog.Table) { t.Insert = nil }, WriteInsert, []string{"title"},
			"restsource: table C.S.items is not writable by INSERT: its profile has no insert: mapping (such as insert: {method: POST, url: …})"},
		{"no delete mapping", func(t *catalog.Table) { t.Delete = nil }, WriteDelete, nil,
			"restsource: table C.S.items is not writable by DELETE: its profile has no delete: mapping (such as delete: {method: DELETE, url: …})"},
		{"unknown column", nil, WriteInsert, []string{"titel"},
			`restsource: table C.S.items: INSERT: unknown column "titel" (did you mean title?)`},
		{"read-only column", nil, WriteUpdate, []string{"created"},
			"restsource: table C.S.items: UPDATE: column created is read-only (readOnly: true in the profile)"},
		{"column set twice", nil, WriteInsert, []string{"title", "TITLE"},
			"restsource: table C.S.items: INSERT: column title is set twice"},
		{"a path that selects", nil, WriteInsert, []string{"count"},
			`restsource: table C.S.items: INSERT: column count: path "tags.#" cannot be written`},
		{"update url without a key", func(t *catalog.Table) { t.Update.URL = "/items" }, WriteUpdate, []string{"title"},
			`restsource: table C.S.items: UPDATE: update url "/items" has no {placeholder}: UPDATE needs one (such as /items/{id}) to address each row`},
		{"delete url defaults to the table's url", func(t *catalog.Table) { t.Delete.URL = "" }, WriteDelete, nil,
			`delete url "/items" has no {placeholder}`},
		{"placeholder that is no column", func(t *catalog.Table) { t.Delete.URL = "/items/{key}" }, WriteDelete, nil,
			`placeholder {key} has no column key`},
		{"unknown method", func(t *catalog.Table) { t.Insert.Method = "GET" }, WriteInsert, []string{"title"},
			`insert: unknown method "GET" (want POST, PUT, PATCH or DELETE)`},
		{"delete sets no columns", nil, WriteDelete, []string{"title"}, "DELETE sets no columns"},
		{"bad wrap", func(t *catalog.Table) { t.Insert.Wrap = "data.*" }, WriteInsert, []string{"title"},
			`insert: wrap: path "data.*" cannot be written`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cat, tbl := writeItems("http://127.0.0.1:1")
			if tc.tweak != nil {
				tc.tweak(tbl)
			}
			s := newSource(t, cat, tbl, Options{})
			_, err := s.Writer(tc.kind, tc.cols)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.err)
		})
	}

	t.Run("a URL-only placeholder column", func(t *testing.T) {
		cat, tbl := writeItems("http://127.0.0.1:1")
		tbl.URL = "/users/{owner}/items"
		require.NoError(t, (&catalog.Profile{Catalogs: map[string]*catalog.Catalog{"C": cat}}).Validate())
		s := newSource(t, cat, tbl, Options{})
		_, err := s.Writer(WriteInsert, []string{"owner", "title"})
		assert.EqualError(t, err, "restsource: table C.S.items: INSERT: column owner cannot be written: it is only a {owner} placeholder of the table's url, not a field of the row")
		_, err = s.Writer(WriteUpdate, []string{"owner"})
		require.Error(t, err)

		// It can fill the insert url, and then is no field of the body.
		tbl.Insert.URL = "/users/{owner}/items"
		s = newSource(t, cat, tbl, Options{})
		w, err := s.Writer(WriteInsert, []string{"owner", "title"})
		require.NoError(t, err)
		req, err := w.Prepare(1, Change{Keys: []any{"u1"}, Values: []any{"u1", "t"}})
		require.NoError(t, err)
		assert.Equal(t, "http://127.0.0.1:1/users/u1/items", req.URL())
		assert.JSONEq(t, `{"title":"t"}`, string(req.Body()))
	})

	var nw *NoWriteError
	cat, tbl := writeItems("http://127.0.0.1:1")
	tbl.Update = nil
	_, err := newSource(t, cat, tbl, Options{}).Writer(WriteUpdate, []string{"title"})
	require.ErrorAs(t, err, &nw)
	assert.Equal(t, &NoWriteError{Table: "C.S.items", Statement: "UPDATE"}, nw)
}

func TestWritableColumns(t *testing.T) {
	cat, tbl := writeItems("http://127.0.0.1:1")
	var names []string
	for _, c := range newSource(t, cat, tbl, Options{}).WritableColumns() {
		names = append(names, c.Name)
	}
	// Not created (readOnly), not count (its path selects).
	assert.Equal(t, []string{"id", "userId", "title", "city", "zip", "score", "done", "due", "day", "unix", "ms", "tags", "author", "first"}, names)
}

// prepareAll prepares one change per row.
func prepareAll(t *testing.T, w *Writer, changes ...Change) []*WriteRequest {
	t.Helper()
	var out []*WriteRequest
	for i, ch := range changes {
		r, err := w.Prepare(int64(i+1), ch)
		require.NoError(t, err)
		out = append(out, r)
	}
	return out
}

func TestWriterRun(t *testing.T) {
	t.Run("every row, at most MaxConcurrency at once", func(t *testing.T) {
		var inflight, peak atomic.Int64
		srv, ws := newWriteServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
			n := inflight.Add(1)
			defer inflight.Add(-1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			w.WriteHeader(http.StatusCreated)
			_, _ = w.Write([]byte(`{"id":` + strconv.Itoa(len(body)) + `}`))
		})
		cat, tbl := writeItems(srv.URL)
		s := newSource(t, cat, tbl, Options{MaxConcurrency: 3})
		w, err := s.Writer(WriteInsert, []string{"title"})
		require.NoError(t, err)
		var changes []Change
		var want []string
		for i := range 20 {
			changes = append(changes, Change{Keys: []any{}, Values: []any{strings.Repeat("x", i)}})
			want = append(want, "POST /items")
		}
		res, err := w.Run(context.Background(), prepareAll(t, w, changes...))
		require.NoError(t, err)
		assert.Equal(t, int64(20), res.RowsAffected)
		assert.Equal(t, want, ws.lines())
		assert.LessOrEqual(t, peak.Load(), int64(3))
		// LastInsertID is the id of the last row in statement order:
		// its body {"title":"xxx…"} has 29 bytes.
		id, err := res.LastInsertID()
		require.NoError(t, err)
		assert.Equal(t, int64(len(`{"title":"`)+19+len(`"}`)), id)
	})

	t.Run("an error names method, URL, status and body", func(t *testing.T) {
		srv, ws := newWriteServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			_, _ = w.Write([]byte(`{"error":"title is required"}`))
		})
		cat, tbl := writeItems(srv.URL)
		s := newSource(t, cat, tbl, Options{MaxRetries: 3})
		w, err := s.Writer(WriteInsert, []string{"userId"})
		require.NoError(t, err)
		_, err = w.Run(context.Background(), prepareAll(t, w, Change{Keys: []any{}, Values: []any{int64(1)}}))
		assert.EqualError(t, err, "restsource: table C.S.items: INSERT failed: restsource: POST "+srv.URL+`/items: 422 Unprocessable Entity: {"error":"title is required"}`)
		var he *HTTPError
		require.ErrorAs(t, err, &he)
		assert.Equal(t, http.StatusUnprocessableEntity, he.StatusCode)
		assert.Len(t, ws.all(), 1)
	})

	t.Run("POST is never retried", func(t *testing.T) {
		srv, ws := newWriteServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
			w.WriteHeader(http.StatusServiceUnavailable)
		})
		cat, tbl := writeItems(srv.URL)
		s := newSource(t, cat, tbl, Options{MaxRetries: 5})
		w, err := s.Writer(WriteInsert, []string{"title"})
		require.NoError(t, err)
		_, err = w.Run(context.Background(), prepareAll(t, w, Change{Keys: []any{}, Values: []any{"t"}}))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "503 Service Unavailable")
		assert.Len(t, ws.all(), 1)
	})

	t.Run("partial failure stops sending and says what happened", func(t *testing.T) {
		srv, ws := newWriteServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
			if r.URL.Path == "/items/3" {
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(`{"error":"boom"}`))
				return
			}
			_, _ = w.Write(body)
		})
		cat, tbl := writeItems(srv.URL)
		s := newSource(t, cat, tbl, Options{MaxConcurrency: 1})
		w, err := s.Writer(WriteUpdate, []string{"title"})
		require.NoError(t, err)
		var changes []Change
		for _, id := range []int64{1, 2, 3, 4, 5} {
			changes = append(changes, Change{Keys: []any{id}, Values: []any{"t"}})
		}
		_, err = w.Run(context.Background(), prepareAll(t, w, changes...))
		assert.EqualError(t, err, "restsource: table C.S.items: UPDATE failed at row 3 of 5 (id=3): 2 rows succeeded, 1 failed, 2 not sent: restsource: PATCH "+srv.URL+`/items/3: 500 Internal Server Error: {"error":"boom"}`)
		var we *WriteError
		require.ErrorAs(t, err, &we)
		assert.Equal(t, WriteError{Table: "C.S.items", Statement: "UPDATE", Row: 3, LastRow: 3, Key: "id=3", Rows: 5, Succeeded: 2, Failed: 1, NotSent: 2, Err: we.Err}, *we)
		assert.Equal(t, []string{"PATCH /items/1", "PATCH /items/2", "PATCH /items/3"}, ws.lines())
	})

	t.Run("404 on UPDATE and DELETE is a row that is not there", func(t *testing.T) {
		srv, ws := newWriteServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
			if r.URL.Path == "/items/2" {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{}`))
				return
			}
			_, _ = w.Write([]byte(`{}`))
		})
		cat, tbl := writeItems(srv.URL)
		s := newSource(t, cat, tbl, Options{})
		w, err := s.Writer(WriteDelete, nil)
		require.NoError(t, err)
		// Key 1 twice: one request.
		res, err := w.Run(context.Background(), prepareAll(t, w, Change{Keys: []any{int64(1)}}, Change{Keys: []any{int64(2)}}, Change{Keys: []any{int64(1)}}))
		require.NoError(t, err)
		assert.Equal(t, int64(1), res.RowsAffected)
		assert.Equal(t, []string{"DELETE /items/1", "DELETE /items/2"}, ws.lines())
		_, err = res.LastInsertID()
		assert.EqualError(t, err, "restsource: table C.S.items: LastInsertId: DELETE creates no rows; it is known after an INSERT")

		// For INSERT a 404 is an error.
		tbl.Insert.URL = "/items/2"
		w, err = newSource(t, cat, tbl, Options{}).Writer(WriteInsert, []string{"title"})
		require.NoError(t, err)
		_, err = w.Run(context.Background(), prepareAll(t, w, Change{Keys: []any{}, Values: []any{"t"}}))
		assert.ErrorContains(t, err, "404 Not Found")
	})

	t.Run("a cancelled context sends nothing", func(t *testing.T) {
		srv, ws := newWriteServer(t, nil)
		cat, tbl := writeItems(srv.URL)
		s := newSource(t, cat, tbl, Options{})
		w, err := s.Writer(WriteInsert, []string{"title"})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err = w.Run(ctx, prepareAll(t, w, Change{Keys: []any{}, Values: []any{"t"}}))
		require.ErrorIs(t, err, context.Canceled)
		assert.Empty(t, ws.all())
	})

	t.Run("a context cancelled during the statement stops it", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		srv, ws := newWriteServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
			cancel()
			_, _ = w.Write([]byte(`{}`))
		})
		cat, tbl := writeItems(srv.URL)
		w, err := newSource(t, cat, tbl, Options{MaxConcurrency: 1}).Writer(WriteDelete, nil)
		require.NoError(t, err)
		_, err = w.Run(ctx, prepareAll(t, w, Change{Keys: []any{int64(1)}}, Change{Keys: []any{int64(2)}}, Change{Keys: []any{int64(3)}}))
		require.ErrorIs(t, err, context.Canceled)
		var we *WriteError
		require.ErrorAs(t, err, &we)
		assert.Equal(t, int64(3), we.Rows)
		assert.Equal(t, int64(2), we.NotSent)
		assert.Equal(t, []string{"DELETE /items/1"}, ws.lines())
	})

	t.Run("no rows", func(t *testing.T) {
		cat, tbl := writeItems("http://127.0.0.1:1")
		w, err := newSource(t, cat, tbl, Options{}).Writer(WriteInsert, []string{"title"})
		require.NoError(t, err)
		res, err := w.Run(context.Background(), nil)
		require.NoError(t, err)
		assert.Equal(t, int64(0), res.RowsAffected)
		_, err = res.LastInsertID()
		assert.EqualError(t, err, "restsource: table C.S.items: LastInsertId: the INSERT created no rows")
	})
}

func TestWriterBatch(t *testing.T) {
	srv, ws := newWriteServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		var doc struct {
			Items []map[string]any `json:"items"`
		}
		if err := json.Unmarshal(body, &doc); err != nil || len(doc.Items) == 0 {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if doc.Items[0]["title"] == "fail" {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		for i, it := range doc.Items {
			it["id"] = 1000 + i
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(doc)
	})
	cat, tbl := writeItems(srv.URL)
	tbl.Insert.Batch = catalog.Batch{URL: "/items/bulk", Rows: "items", Size: 2}
	tbl.Insert.Wrap = "data" // one-row bodies only
	s := newSource(t, cat, tbl, Options{MaxConcurrency: 1})
	w, err := s.Writer(WriteInsert, []string{"title", "userId"})
	require.NoError(t, err)
	var changes []Change
	for i := range 5 {
		changes = append(changes, Change{Keys: []any{}, Values: []any{"t" + strconv.Itoa(i), int64(i)}})
	}
	res, err := w.Run(context.Background(), prepareAll(t, w, changes...))
	require.NoError(t, err)
	assert.Equal(t, int64(5), res.RowsAffected)
	got := ws.all()
	require.Len(t, got, 3)
	for _, r := range got {
		assert.Equal(t, "POST /items/bulk", r.line())
	}
	assert.JSONEq(t, `{"items":[{"title":"t0","userId":0},{"title":"t1","userId":1}]}`, got[0].Body)
	assert.JSONEq(t, `{"items":[{"title":"t2","userId":2},{"title":"t3","userId":3}]}`, got[1].Body)
	assert.JSONEq(t, `{"items":[{"title":"t4","userId":4}]}`, got[2].Body)
	id, err := res.LastInsertID()
	require.NoError(t, err)
	assert.Equal(t, int64(1000), id) // the last row's: the only one of the last batch

	// A batch that fails names its rows.
	changes[2].Values[0] = "fail"
	_, err = w.Run(context.Background(), prepareAll(t, w, changes...))
	assert.EqualError(t, err, "restsource: table C.S.items: INSERT failed at rows 3 to 4 of 5: 2 rows succeeded, 2 failed, 1 not sent: restsource: POST "+srv.URL+"/items/bulk: 502 Bad Gateway")

	// rows "" sends the array itself, to the insert url by default.
	tbl.Insert.Batch = catalog.Batch{Size: 10}
	srv2, ws2 := newWriteServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`[{"id":1},{"id":2}]`))
	})
	cat.URL = srv2.URL
	w, err = newSource(t, cat, tbl, Options{}).Writer(WriteInsert, []string{"title"})
	require.NoError(t, err)
	res, err = w.Run(context.Background(), prepareAll(t, w, Change{Keys: []any{}, Values: []any{"a"}}, Change{Keys: []any{}, Values: []any{"b"}}))
	require.NoError(t, err)
	assert.Equal(t, int64(2), res.RowsAffected)
	require.Len(t, ws2.all(), 1)
	assert.Equal(t, "POST /items", ws2.all()[0].line())
	assert.JSONEq(t, `[{"title":"a"},{"title":"b"}]`, ws2.all()[0].Body)
	id, err = res.LastInsertID()
	require.NoError(t, err)
	assert.Equal(t, int64(2), id)
}

func TestLastInsertID(t *testing.T) {
	tests := []struct {
		name     string
		tweak    func(*catalog.Table)
		status   int
		header   map[string]string
		body     string
		id       int64
		err      string
		pathOnly bool
	}{
		{name: "the key column's path", status: 201, body: `{"id":7,"title":"t"}`, id: 7},
		{name: "a numeric string", status: 201, body: `{"id":"8"}`, id: 8},
		{name: "an integral float", status: 200, body: `{"id":9.0}`, id: 9},
		{name: "inside the wrap path", tweak: func(t *catalog.Table) { t.Insert.Wrap = "data" }, status: 201, body: `{"data":{"id":10}}`, id: 10},
		{name: "a nested key path", tweak: func(t *catalog.Table) { t.Columns[0].Path = "meta.id" }, status: 201, body: `{"meta":{"id":11}}`, id: 11},
		{name: "the Location header", status: 201, header: map[string]string{"Location": "/items/12"}, id: 12},
		{name: "not an integer", status: 201, body: `{"id":"abc-1"}`, err: `the response to POST URL/items has "abc-1" at id, not an integer`},
		{name: "no id", status: 204, err: "the response to POST URL/items carries no id (column id)"},
		{name: "no key column", tweak: func(t *catalog.Table) {
			t.Columns[0].Key = false
			t.Columns[0].Name = "ident"
		}, status: 201, body: `{"id":1}`, err: "the table has no key column (key: true) to read the created id from"},
		{name: "several keys: the one the update url addresses", tweak: func(t *catalog.Table) {
			t.Columns[1].Key = true
			t.Columns = append([]*catalog.Column{t.Columns[1]}, append(t.Columns[:1:1], t.Columns[2:]...)...)
		}, status: 201, body: `{"id":13,"userId":5}`, id: 13},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, _ := newWriteServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
				for k, v := range tc.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			})
			cat, tbl := writeItems(srv.URL)
			if tc.tweak != nil {
				tc.tweak(tbl)
			}
			w, err := newSource(t, cat, tbl, Options{}).Writer(WriteInsert, []string{"title"})
			require.NoError(t, err)
			res, err := w.Run(context.Background(), prepareAll(t, w, Change{Keys: []any{}, Values: []any{"t"}}))
			require.NoError(t, err)
			assert.Equal(t, int64(1), res.RowsAffected)
			id, err := res.LastInsertID()
			if tc.err != "" {
				assert.EqualError(t, err, "restsource: table C.S.items: LastInsertId: "+strings.ReplaceAll(tc.err, "URL", srv.URL))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.id, id)
		})
	}
}

// bearer is a test Authenticator.
type bearer string

func (b bearer) Authenticate(req *http.Request) error {
	req.Header.Set("Authorization", "Bearer "+string(b))
	return nil
}

func TestWriterCredentials(t *testing.T) {
	own, ownWS := newWriteServer(t, nil)
	other, otherWS := newWriteServer(t, nil)
	cat, tbl := writeItems(own.URL)
	cat.Headers = map[string]string{"X-Tenant": "t1"}
	tbl.Headers = map[string]string{"X-Table": "items"}
	tbl.Insert.Headers = map[string]string{"X-Csrf": "${csrf}", "Prefer": "return=representation"}
	tbl.Delete.URL = other.URL + "/items/{id}" // another host: no credentials
	tbl.Delete.Headers = map[string]string{"X-Csrf": "${csrf}", "Prefer": "minimal"}
	expand := func(s string) (string, error) { return strings.ReplaceAll(s, "${csrf}", "secret"), nil }
	s := newSource(t, cat, tbl, Options{Auth: bearer("tok"), Expand: expand})

	w, err := s.Writer(WriteInsert, []string{"title"})
	require.NoError(t, err)
	_, err = w.Run(context.Background(), prepareAll(t, w, Change{Keys: []any{}, Values: []any{"t"}}))
	require.NoError(t, err)
	h := ownWS.all()[0].Header
	assert.Equal(t, "Bearer tok", h.Get("Authorization"))
	assert.Equal(t, "secret", h.Get("X-Csrf"))
	assert.Equal(t, "return=representation", h.Get("Prefer"))
	assert.Equal(t, "t1", h.Get("X-Tenant"))
	assert.Equal(t, "items", h.Get("X-Table"))

	w, err = s.Writer(WriteDelete, nil)
	require.NoError(t, err)
	_, err = w.Run(context.Background(), prepareAll(t, w, Change{Keys: []any{int64(1)}}))
	require.NoError(t, err)
	h = otherWS.all()[0].Header
	assert.Equal(t, "DELETE /items/1", otherWS.all()[0].line())
	assert.Empty(t, h.Get("Authorization"))
	assert.Empty(t, h.Get("X-Csrf"))
	assert.Equal(t, "minimal", h.Get("Prefer"))
	assert.Equal(t, "t1", h.Get("X-Tenant"))
}

func TestWriteErrorMessage(t *testing.T) {
	cause := errors.New("boom")
	assert.EqualError(t, &WriteError{Table: "T", Statement: "INSERT", Row: 1, LastRow: 1, Rows: 1, Err: cause}, "restsource: table T: INSERT failed: boom")
	assert.EqualError(t, &WriteError{Table: "T", Statement: "INSERT", Row: 2, LastRow: 2, Rows: 3, Succeeded: 1, Failed: 1, NotSent: 1, Err: cause},
		"restsource: table T: INSERT failed at row 2 of 3: 1 row succeeded, 1 failed, 1 not sent: boom")
	assert.Equal(t, "INSERT", WriteInsert.String())
	assert.Equal(t, "WriteKind(9)", WriteKind(9).String())
}

// renewing is a test Refresher: its token is "old" until a 401 renews it.
type renewing struct {
	mu    sync.Mutex
	token string
}

func (r *renewing) Authenticate(req *http.Request) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	req.Header.Set("Authorization", "Bearer "+r.token)
	return nil
}

func (r *renewing) Refresh(resp *http.Response) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.token == "new" {
		return false, nil
	}
	r.token = "new"
	return true, nil
}

func TestWriterRenewsCredentialsOnce(t *testing.T) {
	var refuseAll atomic.Bool
	srv, ws := newWriteServer(t, func(w http.ResponseWriter, r *http.Request, body []byte) {
		if refuseAll.Load() || r.Header.Get("Authorization") != "Bearer new" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = w.Write([]byte(`{"id":1}`))
	})
	cat, tbl := writeItems(srv.URL)
	auth := &renewing{token: "old"}
	w, err := newSource(t, cat, tbl, Options{Auth: auth}).Writer(WriteInsert, []string{"title"})
	require.NoError(t, err)
	res, err := w.Run(context.Background(), prepareAll(t, w, Change{Keys: []any{}, Values: []any{"t"}}))
	require.NoError(t, err)
	assert.Equal(t, int64(1), res.RowsAffected)
	got := ws.all()
	require.Len(t, got, 2, "refused with the old token, sent again with the new one")
	for i, want := range []string{"Bearer old", "Bearer new"} {
		assert.Equal(t, "POST /items", got[i].line())
		assert.Equal(t, want, got[i].Header.Get("Authorization"))
		assert.JSONEq(t, `{"title":"t"}`, got[i].Body)
	}

	// Refused even with the renewed token: the 401 is the error.
	refuseAll.Store(true)
	_, err = w.Run(context.Background(), prepareAll(t, w, Change{Keys: []any{}, Values: []any{"t"}}))
	assert.ErrorContains(t, err, "401 Unauthorized")
}
