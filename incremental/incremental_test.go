package incremental

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWithMark(t *testing.T) {
	ts := time.Date(2026, 1, 2, 3, 4, 5, 600, time.UTC)
	tests := []struct {
		query, column string
		mark          any
		want, err     string
	}{
		{query: "SELECT id FROM t", column: "id", mark: nil, want: "SELECT id FROM t"},
		{query: "SELECT id FROM t", column: "id", mark: int64(7), want: "select id from t where id >= 7"},
		{query: "SELECT id, at FROM t WHERE a = 1 OR b = 2", column: "at", mark: ts,
			want: "select id, at from t where (a = 1 or b = 2) and at >= '2026-01-02T03:04:05.0000006Z'"},
		{query: "SELECT x.id FROM c.s.t x", column: "x.seq", mark: 1.0, want: "select x.id from `c`.`s`.t as x where x.seq >= 1.0"},
		{query: "SELECT name FROM t", column: "name", mark: "it's", want: "select name from t where name >= 'it\\'s'"},
		{query: "SELECT id FROM t LIMIT 3", column: "id", mark: int64(1), err: "LIMIT"},
		{query: "SELECT a, COUNT(*) FROM t GROUP BY a", column: "a", err: "GROUP BY"},
		{query: "SELECT id FROM t", column: "id + 1", err: "not a column name"},
		{query: "DELETE FROM t", column: "id", err: "one SELECT"},
	}
	for _, tt := range tests {
		got, err := withMark(tt.query, tt.column, tt.mark)
		if tt.err != "" {
			require.ErrorContains(t, err, tt.err, tt.query)
			continue
		}
		require.NoError(t, err, tt.query)
		assert.Equal(t, tt.want, got, tt.query)
	}
}

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, mark := range []any{int64(-3), 2.5, "b", time.Date(2026, 1, 2, 3, 4, 5, 6, time.FixedZone("", 3600))} {
		path := filepath.Join(dir, "s.json")
		st := &State{Column: "c", Mark: mark, AtMark: []string{"x"}, Rows: 4}
		require.NoError(t, st.Save(path))
		got, err := Load(path, "C")
		require.NoError(t, err)
		if tm, ok := mark.(time.Time); ok {
			assert.True(t, tm.Equal(got.Mark.(time.Time)))
			got.Mark = mark
		}
		assert.Equal(t, st, got)
		entries, _ := os.ReadDir(dir)
		assert.Len(t, entries, 1, "no temporary file is left")
	}
	_, err := Load(filepath.Join(dir, "s.json"), "other")
	assert.ErrorContains(t, err, `is of column "c", not "other"`)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bad.json"), []byte("{"), 0o600))
	_, err = Load(filepath.Join(dir, "bad.json"), "c")
	assert.ErrorContains(t, err, "bad.json")
	st, err := Load(filepath.Join(dir, "none.json"), "c")
	require.NoError(t, err)
	assert.Nil(t, st.Mark)
}

// TestKeep: rows below the mark and rows the runs before wrote at the
// mark are dropped; the next mark is the largest value, with the hashes
// of the rows at it.
func TestKeep(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.json")
	run := func(rows ...[]any) ([]bool, State) {
		r, err := Start(path, "n", "SELECT id, n FROM t")
		require.NoError(t, err)
		require.Error(t, r.Columns([]string{"id", "m"}))
		require.NoError(t, r.Columns([]string{"id", "N"}))
		var keep []bool
		for _, row := range rows {
			k, err := r.Keep(row)
			require.NoError(t, err)
			keep = append(keep, k)
		}
		require.NoError(t, r.Commit(time.Now()))
		return keep, r.Next()
	}
	keep, st := run([]any{int64(1), int64(5)}, []any{int64(2), nil}, []any{int64(3), int64(7)}, []any{int64(4), int64(7)})
	assert.Equal(t, []bool{true, true, true, true}, keep)
	assert.Equal(t, int64(7), st.Mark)
	assert.Len(t, st.AtMark, 2)
	assert.Equal(t, int64(4), st.Rows)

	keep, st = run([]any{int64(3), int64(7)}, []any{int64(5), int64(7)}, []any{int64(2), nil}, []any{int64(1), int64(5)}, []any{int64(4), int64(7)})
	assert.Equal(t, []bool{false, true, false, false, false}, keep, "only row 5 is new")
	assert.Equal(t, int64(7), st.Mark)
	assert.Len(t, st.AtMark, 3, "the mark stays: its rows are 3, 4 and 5")

	keep, st = run([]any{int64(6), int64(9)}, []any{int64(4), int64(7)})
	assert.Equal(t, []bool{true, false}, keep)
	assert.Equal(t, int64(9), st.Mark)
	assert.Len(t, st.AtMark, 1)

	r, err := Start(path, "n", "SELECT id, n FROM t")
	require.NoError(t, err)
	require.NoError(t, r.Columns([]string{"id", "n"}))
	_, err = r.Keep([]any{int64(1), "text"})
	assert.ErrorContains(t, err, "column n: a string value against a mark of type int64")
}
