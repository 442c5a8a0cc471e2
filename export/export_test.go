package export_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/export"
)

var (
	cols = []export.Column{
		{Name: "id", Type: export.TypeInt},
		{Name: "score", Type: export.TypeFloat},
		{Name: "ok", Type: export.TypeBool},
		{Name: "at", Type: export.TypeDatetime},
		{Name: "name", Type: export.TypeString},
		{Name: "doc", Type: export.TypeJSON},
		{Name: "id", Type: ""},
	}
	at   = time.Date(2024, 5, 6, 7, 8, 9, 123456789, time.FixedZone("CEST", 2*3600))
	rows = [][]any{
		{int64(1), 1.5, true, at, "a,b \"c\"", "{\n  \"k\": [1, 2]\n}", "x"},
		{nil, nil, nil, nil, nil, nil, nil},
		{int64(-7), math.Inf(1), false, at.UTC(), "", "[]", []byte("raw")},
	}
)

func encode(t *testing.T, f export.Format) string {
	t.Helper()
	var b bytes.Buffer
	enc, err := export.NewEncoder(f, &b, cols)
	require.NoError(t, err)
	for _, r := range rows {
		require.NoError(t, enc.Encode(r))
	}
	require.NoError(t, enc.Close())
	return b.String()
}

func TestCSV(t *testing.T) {
	want := "id,score,ok,at,name,doc,id\n" +
		"1,1.5,true,2024-05-06T07:08:09.123456789+02:00,\"a,b \"\"c\"\"\",\"{\n  \"\"k\"\": [1, 2]\n}\",x\n" +
		",,,,,,\n" +
		"-7,+Inf,false,2024-05-06T05:08:09.123456789Z,,[],raw\n"
	assert.Equal(t, want, encode(t, export.CSV))
}

func TestJSONL(t *testing.T) {
	want := `{"id":1,"score":1.5,"ok":true,"at":"2024-05-06T07:08:09.123456789+02:00","name":"a,b \"c\"","doc":{"k":[1,2]},"id_2":"x"}` + "\n" +
		`{"id":null,"score":null,"ok":null,"at":null,"name":null,"doc":null,"id_2":null}` + "\n" +
		`{"id":-7,"score":null,"ok":false,"at":"2024-05-06T05:08:09.123456789Z","name":"","doc":[],"id_2":"raw"}` + "\n"
	assert.Equal(t, want, encode(t, export.JSONL))
}

func TestParquet(t *testing.T) {
	data := []byte(encode(t, export.Parquet))
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	var schema []string
	for _, f := range pf.Schema().Fields() {
		assert.True(t, f.Optional(), f.Name())
		schema = append(schema, f.Name()+" "+f.Type().String())
	}
	assert.Equal(t, []string{
		"id INT(64,true)", "score DOUBLE", "ok BOOLEAN", "at TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)",
		"name STRING", "doc STRING", "id_2 STRING",
	}, schema)
	r := parquet.NewReader(bytes.NewReader(data))
	got := make([]parquet.Row, 5)
	n, err := r.ReadRows(got)
	if !errors.Is(err, io.EOF) {
		require.NoError(t, err)
	}
	require.Equal(t, 3, n)
	first := got[0]
	assert.Equal(t, int64(1), first[0].Int64())
	assert.Equal(t, 1.5, first[1].Double())
	assert.True(t, first[2].Boolean())
	assert.Equal(t, at.UnixMicro(), first[3].Int64())
	assert.Equal(t, `a,b "c"`, string(first[4].ByteArray()))
	assert.Equal(t, "x", string(first[6].ByteArray()))
	for _, v := range got[1] {
		assert.True(t, v.IsNull())
	}
	assert.True(t, math.IsInf(got[2][1].Double(), 1))
	assert.Equal(t, "raw", string(got[2][6].ByteArray()))
}

func TestParquetConversions(t *testing.T) {
	tests := []struct {
		typ     export.Type
		in      any
		wantErr string
	}{
		{export.TypeInt, 3.0, ""},
		{export.TypeInt, "42", ""},
		{export.TypeInt, 2.5, "is not an integer"},
		{export.TypeInt, " 42 ", ""},                 // trimmed (package value), as the server does
		{export.TypeInt, -9223372036854775808.0, ""}, // -2^63 fits (was refused)
		{export.TypeInt, 9223372036854775808.0, "is not an integer"},
		{export.TypeFloat, " 2.5", ""},
		{export.TypeFloat, int64(2), ""},
		{export.TypeFloat, "x", "is not a number"},
		{export.TypeBool, int64(1), ""},
		{export.TypeBool, int64(2), "is not a boolean"},
		{export.TypeDatetime, "2024-01-02T03:04:05Z", ""},
		{export.TypeDatetime, "yesterday", "is not a time"},
	}
	for _, tt := range tests {
		enc, err := export.NewEncoder(export.Parquet, io.Discard, []export.Column{{Name: "c", Type: tt.typ}})
		require.NoError(t, err)
		err = enc.Encode([]any{tt.in})
		if tt.wantErr == "" {
			assert.NoError(t, err, "%s %v", tt.typ, tt.in)
			assert.NoError(t, enc.Close())
			continue
		}
		require.Error(t, err)
		assert.Contains(t, err.Error(), "column c: ")
		assert.Contains(t, err.Error(), tt.wantErr)
	}
}

func TestParseFormat(t *testing.T) {
	for in, want := range map[string]export.Format{"csv": export.CSV, " CSV": export.CSV, "jsonl": export.JSONL, "NDJSON": export.JSONL, "Parquet": export.Parquet} {
		got, err := export.ParseFormat(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got)
	}
	_, err := export.ParseFormat("xlsx")
	assert.EqualError(t, err, `export: unknown format "xlsx" (want csv, jsonl, json or parquet)`)
	assert.Equal(t, ".parquet", export.Parquet.Ext())
}

func TestFileCommitAndAbort(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.csv")
	require.NoError(t, os.WriteFile(path, []byte("old"), 0o644))

	f, err := export.Create(path)
	require.NoError(t, err)
	_, err = io.WriteString(f, "new")
	require.NoError(t, err)
	data, _ := os.ReadFile(path)
	assert.Equal(t, "old", string(data), "the target is untouched before Commit")
	require.NoError(t, f.Commit())
	f.Abort() // a deferred Abort after Commit does nothing
	data, _ = os.ReadFile(path)
	assert.Equal(t, "new", string(data))
	st, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
	assert.Error(t, f.Commit())

	f, err = export.Create(path)
	require.NoError(t, err)
	_, err = io.WriteString(f, "half")
	require.NoError(t, err)
	f.Abort()
	data, _ = os.ReadFile(path)
	assert.Equal(t, "new", string(data))
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left")

	_, err = export.Create(filepath.Join(dir, "missing", "x.csv"))
	assert.Error(t, err)
	_, err = export.Create(dir + string(filepath.Separator))
	assert.ErrorContains(t, err, "names a directory")
}

func TestSynchronized(t *testing.T) {
	var b bytes.Buffer
	enc, err := export.NewEncoder(export.CSV, &b, []export.Column{{Name: "n", Type: export.TypeInt}})
	require.NoError(t, err)
	enc = export.Synchronized(enc)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 100 {
				assert.NoError(t, enc.Encode([]any{int64(g*100 + i)}))
			}
		})
	}
	wg.Wait()
	require.NoError(t, enc.Close())
	assert.Equal(t, 801, bytes.Count(b.Bytes(), []byte("\n")))
}

func TestProgressOffATerminal(t *testing.T) {
	var b bytes.Buffer
	pages := int64(3)
	p := export.NewProgress(&b, func() int64 { return pages })
	p.Add(5)
	p.Add(2)
	st := p.Finish()
	assert.Empty(t, b.String(), "no progress line when the writer is not a terminal")
	assert.Equal(t, int64(7), st.Rows)
	assert.Equal(t, int64(3), st.Pages)
	assert.GreaterOrEqual(t, st.RowsPerSecond(), 0.0)
	var nilProgress *export.Progress
	nilProgress.Add(1) // a nil Progress counts nothing
}

// TestParquetRowGroups: more rows than a row group holds, with NULLs and a
// row refused midway, read back whole and in order.
func TestParquetRowGroups(t *testing.T) {
	cols := []export.Column{{Name: "id", Type: export.TypeInt}, {Name: "name", Type: export.TypeString}, {Name: "x", Type: export.TypeFloat}}
	const n = 300_000
	var b bytes.Buffer
	enc, err := export.NewEncoder(export.Parquet, &b, cols)
	require.NoError(t, err)
	for i := range n {
		var name any = fmt.Sprint("n", i)
		if i%5 == 0 {
			name = nil
		}
		require.NoError(t, enc.Encode([]any{int64(i), name, float64(i) / 2}))
		if i == 1000 {
			require.Error(t, enc.Encode([]any{int64(-1), "bad", "not a number"}), "a refused row is not written")
		}
	}
	require.NoError(t, enc.Close())
	data := b.Bytes()
	pf, err := parquet.OpenFile(bytes.NewReader(data), int64(len(data)))
	require.NoError(t, err)
	assert.Equal(t, int64(n), pf.NumRows())
	assert.Greater(t, len(pf.RowGroups()), 1)
	r := parquet.NewReader(bytes.NewReader(data))
	buf := make([]parquet.Row, 1000)
	i := 0
	for {
		k, err := r.ReadRows(buf)
		for _, row := range buf[:k] {
			require.Equal(t, int64(i), row[0].Int64())
			if i%5 == 0 {
				require.True(t, row[1].IsNull(), i)
			} else {
				require.Equal(t, fmt.Sprint("n", i), string(row[1].ByteArray()))
			}
			require.Equal(t, float64(i)/2, row[2].Double())
			i++
		}
		if errors.Is(err, io.EOF) {
			break
		}
		require.NoError(t, err)
	}
	assert.Equal(t, n, i)
}

// TestParquetValues: each value, whether of its column's type (the fast
// path) or converted (the general one), reads back as the column's value.
func TestParquetValues(t *testing.T) {
	at := time.Date(2024, 5, 6, 7, 8, 9, 123456000, time.FixedZone("", 2*3600))
	tests := []struct {
		typ  export.Type
		in   any
		want any // int64, float64, bool or string; nil = NULL
	}{
		{export.TypeInt, int64(-5), int64(-5)},
		{export.TypeInt, nil, nil},
		{export.TypeInt, 3.0, int64(3)},
		{export.TypeInt, "42", int64(42)},
		{export.TypeFloat, 2.5, 2.5},
		{export.TypeFloat, int64(2), 2.0},
		{export.TypeFloat, nil, nil},
		{export.TypeBool, true, true},
		{export.TypeBool, int64(0), false},
		{export.TypeDatetime, at, at.UnixMicro()},
		{export.TypeDatetime, "2024-05-06T05:08:09.123456Z", at.UnixMicro()},
		{export.TypeDatetime, nil, nil},
		{export.TypeString, "é,\"x\"", "é,\"x\""},
		{export.TypeString, int64(7), "7"},
		{export.TypeString, true, "true"},
		{export.TypeString, at, "2024-05-06T07:08:09.123456+02:00"},
		{export.TypeString, []byte("raw"), "raw"},
		{export.TypeString, nil, nil},
		{export.TypeJSON, `{"a":1}`, `{"a":1}`},
		{"", 1.5, "1.5"},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		enc, err := export.NewEncoder(export.Parquet, &b, []export.Column{{Name: "c", Type: tt.typ}, {Name: "d", Type: export.TypeInt}})
		require.NoError(t, err)
		require.NoError(t, enc.Encode([]any{tt.in, int64(1)}))
		require.NoError(t, enc.Close())
		r := parquet.NewReader(bytes.NewReader(b.Bytes()))
		got := make([]parquet.Row, 2)
		n, err := r.ReadRows(got)
		if !errors.Is(err, io.EOF) {
			require.NoError(t, err)
		}
		require.Equal(t, 1, n)
		v := got[0][0]
		name := fmt.Sprintf("%s %T %v", tt.typ, tt.in, tt.in)
		assert.Equal(t, int64(1), got[0][1].Int64(), name)
		switch want := tt.want.(type) {
		case nil:
			assert.True(t, v.IsNull(), name)
		case int64:
			assert.Equal(t, want, v.Int64(), name)
		case float64:
			assert.Equal(t, want, v.Double(), name)
		case bool:
			assert.Equal(t, want, v.Boolean(), name)
		case string:
			assert.Equal(t, want, string(v.ByteArray()), name)
		}
	}
}
