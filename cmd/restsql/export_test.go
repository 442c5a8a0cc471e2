package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/demoapi"
	"github.com/restsql/restsql/export"
)

// Queries of the export tests: every column type, NULLs, a json column.
const (
	todosQuery = "SELECT id, userId, title, completed, dueDate, id * 1.5 AS score FROM todos WHERE userId <= 2 ORDER BY id"
	usersQuery = "SELECT id, name, phone, address FROM users WHERE id <= 4 ORDER BY id"
)

// runCLI runs the command and returns its stdout and stderr.
func runCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	return out.String(), errOut.String(), err
}

// demoQuery returns a query's columns and typed rows from the demo API.
func demoQuery(t *testing.T, query string) ([]export.Column, [][]any) {
	t.Helper()
	db, closeDB, err := openDB("")
	require.NoError(t, err)
	defer closeDB()
	rows, err := db.Query(query)
	require.NoError(t, err)
	defer rows.Close()
	cols, err := export.ColumnsOf(rows)
	require.NoError(t, err)
	var out [][]any
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		out = append(out, vals)
	}
	require.NoError(t, rows.Err())
	return cols, out
}

var summaryRE = regexp.MustCompile(`^exported (\d+) rows? to (.+) \((csv|jsonl|parquet)(, \d+ partitions)?\) in \S+: (\d+) requests, \d+ rows/s\n$`)

func TestExportTextGolden(t *testing.T) {
	tests := []struct{ golden, query string }{
		{"export_todos.csv", todosQuery},
		{"export_todos.jsonl", todosQuery},
		{"export_users.csv", usersQuery},
		{"export_users.jsonl", usersQuery},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), tt.golden)
			stdout, stderr, err := runCLI(t, "export", "--out", out, tt.query)
			require.NoError(t, err, stderr)
			assert.Empty(t, stdout)
			m := summaryRE.FindStringSubmatch(stderr)
			require.NotNil(t, m, "summary: %q", stderr)
			assert.Equal(t, out, m[2])
			assert.NotEqual(t, "0", m[5], "pages")

			got, err := os.ReadFile(out)
			require.NoError(t, err)
			path := filepath.Join("testdata", tt.golden)
			if *update {
				require.NoError(t, os.WriteFile(path, got, 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(got))
		})
	}
}

func TestExportCSVEqualsQuery(t *testing.T) {
	for _, q := range []string{todosQuery, usersQuery} {
		out := filepath.Join(t.TempDir(), "rows.csv")
		_, stderr, err := runCLI(t, "export", "--format", "CSV", "--out", out, q)
		require.NoError(t, err, stderr)
		got, err := os.ReadFile(out)
		require.NoError(t, err)
		// query --format csv prints the same result.
		want, stderr, err := runCLI(t, "query", "--format", "csv", q)
		require.NoError(t, err, stderr)
		assert.Equal(t, want, string(got))
		records, err := csv.NewReader(bytes.NewReader(got)).ReadAll()
		require.NoError(t, err)
		_, rows := demoQuery(t, q)
		assert.Len(t, records, len(rows)+1)
		for i, r := range rows {
			for j, v := range r {
				assert.Equal(t, export.Text(v), records[i+1][j], "row %d column %d", i, j)
			}
		}
	}
}

func TestExportJSONLEqualsQuery(t *testing.T) {
	for _, q := range []string{todosQuery, usersQuery} {
		out := filepath.Join(t.TempDir(), "rows.jsonl")
		_, stderr, err := runCLI(t, "export", "--format", "jsonl", "--out", out, q)
		require.NoError(t, err, stderr)
		cols, rows := demoQuery(t, q)
		f, err := os.Open(out)
		require.NoError(t, err)
		defer f.Close()
		sc := bufio.NewScanner(f)
		i := 0
		for sc.Scan() {
			require.Less(t, i, len(rows))
			dec := json.NewDecoder(strings.NewReader(sc.Text()))
			dec.UseNumber()
			var obj map[string]any
			require.NoError(t, dec.Decode(&obj))
			require.Len(t, obj, len(cols))
			for j, c := range cols {
				assert.Equal(t, jsonValue(t, c, rows[i][j]), obj[c.Name], "row %d column %s", i, c.Name)
			}
			i++
		}
		require.NoError(t, sc.Err())
		assert.Equal(t, len(rows), i)
	}
}

// jsonValue is how JSON Lines holds a value, as decoded with UseNumber.
func jsonValue(t *testing.T, c export.Column, v any) any {
	switch x := v.(type) {
	case nil:
		return nil
	case int64:
		return json.Number(fmt.Sprint(x))
	case float64:
		return json.Number(export.Text(x))
	case time.Time:
		return x.Format(time.RFC3339Nano)
	case string:
		if c.Type == export.TypeJSON {
			dec := json.NewDecoder(strings.NewReader(x))
			dec.UseNumber()
			var doc any
			require.NoError(t, dec.Decode(&doc))
			return doc
		}
	}
	return v
}

func TestExportParquetEqualsQuery(t *testing.T) {
	for _, q := range []string{todosQuery, usersQuery} {
		out := filepath.Join(t.TempDir(), "rows.parquet")
		_, stderr, err := runCLI(t, "export", "--out", out, q)
		require.NoError(t, err, stderr)
		cols, rows := demoQuery(t, q)
		got := readParquet(t, out, cols)
		require.Len(t, got, len(rows))
		for i, r := range rows {
			for j, v := range r {
				want := v
				if tm, ok := v.(time.Time); ok {
					want = tm.UTC().Truncate(time.Microsecond)
				}
				assert.Equal(t, want, got[i][j], "row %d column %s", i, cols[j].Name)
			}
		}
	}
}

// parquetTypes are the Parquet types a column type must have.
var parquetTypes = map[export.Type]string{
	export.TypeInt:      "INT(64,true)",
	export.TypeFloat:    "DOUBLE",
	export.TypeBool:     "BOOLEAN",
	export.TypeDatetime: "TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)",
	export.TypeString:   "STRING",
	export.TypeJSON:     "STRING",
}

// readParquet reads a Parquet file back with parquet-go, checks its
// schema against the columns and returns its rows as Go values.
func readParquet(t *testing.T, path string, cols []export.Column) [][]any {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	st, err := f.Stat()
	require.NoError(t, err)
	pf, err := parquet.OpenFile(f, st.Size())
	require.NoError(t, err)
	fields := pf.Schema().Fields()
	require.Len(t, fields, len(cols))
	for i, c := range cols {
		assert.Equal(t, c.Name, fields[i].Name())
		assert.True(t, fields[i].Optional(), c.Name)
		assert.Equal(t, parquetTypes[c.Type], fields[i].Type().String(), c.Name)
	}
	r := parquet.NewReader(pf)
	defer r.Close()
	var out [][]any
	buf := make([]parquet.Row, 64)
	for {
		n, err := r.ReadRows(buf)
		for _, row := range buf[:n] {
			vals := make([]any, len(cols))
			for _, v := range row {
				vals[v.Column()] = goValue(cols[v.Column()], v)
			}
			out = append(out, vals)
		}
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
	}
	return out
}

func goValue(c export.Column, v parquet.Value) any {
	if v.IsNull() {
		return nil
	}
	switch c.Type {
	case export.TypeInt:
		return v.Int64()
	case export.TypeFloat:
		return v.Double()
	case export.TypeBool:
		return v.Boolean()
	case export.TypeDatetime:
		return time.UnixMicro(v.Int64()).UTC()
	}
	return string(v.ByteArray())
}

// demoProfile starts a demo API the test can watch and writes its profile.
func demoProfile(t *testing.T) (string, *demoapi.Running) {
	t.Helper()
	srv, err := demoapi.Start()
	require.NoError(t, err)
	t.Cleanup(func() { srv.Close() })
	path := filepath.Join(t.TempDir(), "demo.yaml")
	require.NoError(t, os.WriteFile(path, demoapi.ProfileFor(srv.URL), 0o644))
	return path, srv
}

// fileRows reads back an export file of any format as sorted row strings.
func fileRows(t *testing.T, path string, cols []export.Column) []string {
	t.Helper()
	var out []string
	switch filepath.Ext(path) {
	case ".parquet":
		for _, r := range readParquet(t, path, cols) {
			cells := make([]string, len(r))
			for i, v := range r {
				cells[i] = export.Text(v)
			}
			out = append(out, strings.Join(cells, "|"))
		}
	case ".csv":
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		records, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
		require.NoError(t, err)
		for _, r := range records[1:] {
			out = append(out, strings.Join(r, "|"))
		}
	case ".jsonl":
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
			if line == "" {
				continue
			}
			dec := json.NewDecoder(strings.NewReader(line))
			dec.UseNumber()
			var obj map[string]any
			require.NoError(t, dec.Decode(&obj))
			cells := make([]string, len(cols))
			for i, c := range cols {
				if obj[c.Name] != nil {
					cells[i] = fmt.Sprint(obj[c.Name])
				}
			}
			out = append(out, strings.Join(cells, "|"))
		}
	}
	return out
}

func TestExportPartitioned(t *testing.T) {
	profile, srv := demoProfile(t)
	dsn := "Profile=" + profile
	const q = "SELECT id, userId, title, completed FROM todos WHERE userId <= ?"
	cols, rows := demoQuery(t, strings.Replace(q, "?", "5", 1))
	var whole []string
	for _, r := range rows {
		cells := make([]string, len(r))
		for i, v := range r {
			cells[i] = export.Text(v)
		}
		whole = append(whole, strings.Join(cells, "|"))
	}
	sort.Strings(whole)

	tests := []struct {
		name   string
		out    string // relative to a temporary directory
		format string
		extra  []string
		files  []string
	}{
		{name: "merged parquet", out: "all.parquet", files: []string{"all.parquet"}},
		{name: "merged csv, given bounds", out: "all.csv", extra: []string{"--lower", "20", "--upper", "60"}, files: []string{"all.csv"}},
		{name: "a directory", out: "parts/", format: "jsonl", files: []string{"parts/part-00000.jsonl", "parts/part-00001.jsonl", "parts/part-00002.jsonl", "parts/part-00003.jsonl"}},
		{name: "a pattern", out: "todos-{part}.csv", files: []string{"todos-00000.csv", "todos-00001.csv", "todos-00002.csv", "todos-00003.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, tt.out)
			if strings.HasSuffix(tt.out, "/") {
				out += string(filepath.Separator)
			}
			args := []string{"export", "--dsn", dsn, "--out", out, "--partition-column", "id", "--partitions", "4"}
			if tt.format != "" {
				args = append(args, "--format", tt.format)
			}
			args = append(args, tt.extra...)
			srv.ResetRequests()
			_, stderr, err := runCLI(t, append(args, q, "5")...)
			require.NoError(t, err, stderr)
			m := summaryRE.FindStringSubmatch(stderr)
			require.NotNil(t, m, "summary: %q", stderr)
			assert.Equal(t, fmt.Sprint(len(rows)), m[1])
			assert.Equal(t, ", 4 partitions", m[4])

			var files, got []string
			require.NoError(t, filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
				if err == nil && !d.IsDir() {
					rel, _ := filepath.Rel(dir, path)
					files = append(files, filepath.ToSlash(rel))
					got = append(got, fileRows(t, path, cols)...)
				}
				return err
			}))
			assert.Equal(t, tt.files, files, "no temporary file is left")
			sort.Strings(got)
			assert.Equal(t, whole, got, "the partitions together hold the query's rows")

			// Every request carries the query's filter and its partition's
			// range (id is a key column, so even the first one is pushed).
			ranges := map[string]bool{}
			for _, r := range srv.Requests() {
				if r.Path != "/todos" || r.Query.Get("_limit") == "" || (r.Query.Get("id_gte") == "" && r.Query.Get("id_lte") == "") {
					continue // MIN/MAX and metadata reads
				}
				assert.Equal(t, "5", r.Query.Get("userId_lte"))
				ranges[r.Query.Get("id_gte")+".."+r.Query.Get("id_lte")] = true
			}
			assert.Len(t, ranges, 4, "one pushed range per partition: %v", ranges)
		})
	}
}

func TestExportFailureLeavesNothing(t *testing.T) {
	// An API whose second page fails.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("page") == "2" {
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, `[{"id":1},{"id":2}]`)
	}))
	defer srv.Close()
	dir := t.TempDir()
	profile := filepath.Join(dir, "api.yaml")
	require.NoError(t, os.WriteFile(profile, []byte(`
catalogs:
  API:
    url: `+srv.URL+`
    pagination: {type: page, pageParam: page, sizeParam: size, pageSize: 2}
    schemas:
      S:
        tables:
          items:
            url: /items
            columns: [{name: id, type: int}]
`), 0o644))
	for _, format := range export.Formats {
		out := filepath.Join(dir, "items"+format.Ext())
		require.NoError(t, os.WriteFile(out, []byte("previous"), 0o644))
		_, _, err := runCLI(t, "export", "--dsn", "Profile="+profile+";MaxRetries=0", "--out", out, "SELECT id FROM items")
		require.Error(t, err, format)
		assert.Contains(t, err.Error(), "500")
		data, err := os.ReadFile(out)
		require.NoError(t, err)
		assert.Equal(t, "previous", string(data), "a failed export leaves the old file alone")

		parts := filepath.Join(dir, "parts-"+string(format)) + "/"
		_, _, err = runCLI(t, "export", "--dsn", "Profile="+profile+";MaxRetries=0", "--out", parts, "--format", string(format),
			"--partition-column", "id", "--partitions", "2", "--lower", "1", "--upper", "4", "SELECT id FROM items")
		require.Error(t, err)
		assert.Contains(t, err.Error(), "500")
		entries, err := os.ReadDir(parts)
		require.NoError(t, err)
		assert.Empty(t, entries, "no partition file is left")
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	assert.Equal(t, []string{"api.yaml", "items.csv", "items.jsonl", "items.parquet", "parts-csv", "parts-jsonl", "parts-parquet"}, names, "no temporary file is left")
}

func TestExportErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"export", "--out", "x.csv"}, "export needs a SQL query"},
		{[]string{"export", "SELECT 1"}, "export needs --out PATH"},
		{[]string{"export", "--out", filepath.Join(dir, "x"), "SELECT 1"}, "has no extension"},
		{[]string{"export", "--out", filepath.Join(dir, "x.xml"), "SELECT 1"}, `unknown format "xml"`},
		{[]string{"export", "--out", filepath.Join(dir, "x.csv"), "--partitions", "3", "SELECT 1"}, "need --partition-column"},
		{[]string{"export", "--out", filepath.Join(dir, "x.csv"), "--partition-column", "id", "SELECT 1"}, "needs --partitions N"},
		{[]string{"export", "--out", dir, "SELECT id FROM posts"}, "is for partitioned exports"},
		{[]string{"export", "--out", filepath.Join(dir, "x.csv"), "SELECT nope FROM posts"}, "unknown column nope"},
		{[]string{"export", "--out", filepath.Join(dir, "x.csv"), "--partition-column", "id", "--partitions", "2", "SELECT id FROM posts LIMIT 3"}, "LIMIT cannot be partitioned"},
		{[]string{"export", "--out", filepath.Join(dir, "none", "x.csv"), "SELECT id FROM posts"}, "no such file or directory"},
	}
	for _, tt := range tests {
		_, _, err := runCLI(t, tt.args...)
		require.Error(t, err, "%v", tt.args)
		assert.Contains(t, err.Error(), tt.want, "%v", tt.args)
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

// TestExportSharesOneConnectionPool: a partitioned export reads through
// the driver's transport with one pool for all its partitions: however
// many pages it reads, it opens no more than twice the requests it has in
// flight at most (partitions × MaxConcurrency; a dial may race a connection
// coming back idle). Go's default transport keeps 2 idle connections per
// host: 20–30 connections here, growing with the pages.
// SpeculativePages=0: a page sent ahead past the end is cancelled, and its
// connection with it, which would make the count depend on timing.
func TestExportSharesOneConnectionPool(t *testing.T) {
	var conns, requests atomic.Int64
	ts := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		demoHandler.ServeHTTP(w, r)
	}))
	ts.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	ts.Start()
	t.Cleanup(ts.Close)
	path := filepath.Join(t.TempDir(), "demo.yaml")
	require.NoError(t, os.WriteFile(path, demoapi.ProfileFor(ts.URL), 0o644))
	const partitions, mc = 4, 2
	out := filepath.Join(t.TempDir(), "todos.csv")
	_, stderr, err := runCLI(t, "export", "--dsn", fmt.Sprintf("Profile=%s;MaxConcurrency=%d;PageSize=2;SpeculativePages=0", path, mc), "--out", out,
		"--partition-column", "id", "--partitions", fmt.Sprint(partitions), "SELECT id, title FROM todos")
	require.NoError(t, err, stderr)
	require.Greater(t, requests.Load(), int64(4*partitions*mc), "many pages per connection")
	assert.LessOrEqual(t, conns.Load(), int64(2*partitions*mc), "%d requests", requests.Load())
}

var demoHandler = demoapi.New()
