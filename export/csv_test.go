package export

import (
	"bytes"
	"encoding/csv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// stdCSV is what encoding/csv writes for the record.
func stdCSV(t testing.TB, rec ...string) string {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	require.NoError(t, w.Write(rec))
	w.Flush()
	return b.String()
}

var csvFields = []string{"", "plain", "a,b", `say "hi"`, "line\nbreak", "cr\rx", " lead", "\tlead", "\u00a0nbsp", `\.`, `\.x`, "é,", "trail "}

// TestCSVEncoderMatchesEncodingCSV: the encoder writes what encoding/csv's
// Writer writes, header and values alike.
func TestCSVEncoderMatchesEncodingCSV(t *testing.T) {
	cols := make([]Column, len(csvFields))
	row := make([]any, len(csvFields))
	for i, f := range csvFields {
		cols[i] = Column{Name: f}
		row[i] = f
	}
	ts := time.Date(2026, 1, 2, 3, 4, 5, 600, time.FixedZone("", 7200))
	cols = append(cols, Column{Name: "n"}, Column{Name: "f"}, Column{Name: "b"}, Column{Name: "t"}, Column{Name: "null"}, Column{Name: "bytes"})
	row = append(row, int64(-42), 0.1, true, ts, nil, []byte("x,y"))
	var b bytes.Buffer
	enc, err := NewEncoder(CSV, &b, cols)
	require.NoError(t, err)
	require.NoError(t, enc.Encode(row))
	require.NoError(t, enc.Encode(row))
	require.NoError(t, enc.Close())
	header := make([]string, len(cols))
	texts := make([]string, len(row))
	for i := range cols {
		header[i] = cols[i].Name
		texts[i] = Text(row[i])
	}
	assert.Equal(t, stdCSV(t, header...)+stdCSV(t, texts...)+stdCSV(t, texts...), b.String())
}

func FuzzCSVField(f *testing.F) {
	for _, s := range csvFields {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := string(appendCSVField(nil, s)) + "\n"
		if want := stdCSV(t, s); got != want {
			t.Fatalf("field %q: got %q, want %q", s, got, want)
		}
	})
}
