package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/demoapi"
)

func TestETLWritesOpenTodosWithPushedFilters(t *testing.T) {
	srv, err := demoapi.Start()
	require.NoError(t, err)
	defer srv.Close()
	db, err := openDemo(srv.URL)
	require.NoError(t, err)
	defer db.Close()

	open := 0
	for _, row := range srv.Data("todos") {
		if row["completed"] == false {
			open++
		}
	}
	require.Positive(t, open)

	out := filepath.Join(t.TempDir(), "open.parquet")
	srv.ResetRequests()
	n, err := run(context.Background(), db, Job{Query: defaultQuery, Column: "id", Partitions: 4, Out: out})
	require.NoError(t, err)
	assert.Equal(t, int64(open), n)

	// Every request of the rows carries the pushed filter.
	for _, r := range srv.Requests() {
		assert.Equal(t, "false", r.Query.Get("completed"), r.RawQuery)
	}

	f, err := os.Open(out)
	require.NoError(t, err)
	defer f.Close()
	st, err := f.Stat()
	require.NoError(t, err)
	pf, err := parquet.OpenFile(f, st.Size())
	require.NoError(t, err)
	assert.Equal(t, int64(open), pf.NumRows())
	var types []string
	for _, field := range pf.Schema().Fields() {
		types = append(types, field.Name()+" "+field.Type().String())
	}
	assert.Equal(t, []string{"id INT(64,true)", "userId INT(64,true)", "title STRING", "dueDate TIMESTAMP(isAdjustedToUTC=true,unit=MICROS)"}, types)
	entries, err := os.ReadDir(filepath.Dir(out))
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file is left")
}
