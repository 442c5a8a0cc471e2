package export

import (
	"io"
	"testing"
	"time"
)

// BenchmarkEncode: 200,000 rows of the bench scenario's shape (every
// seventh city NULL) through each encoder to io.Discard
// (go test -run '^$' -bench Encode -benchmem ./export).
func BenchmarkEncode(b *testing.B) {
	cols := []Column{{"id", TypeInt}, {"price", TypeFloat}, {"name", TypeString}, {"active", TypeBool},
		{"created", TypeDatetime}, {"city", TypeString}, {"qty", TypeInt}, {"note", TypeString}}
	ids := make([]any, 200_000)
	for i := range ids {
		ids[i] = int64(i) // boxed once, outside the loop
	}
	row := []any{nil, 2.5, "name-123", true, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "Berlin", int64(7), `a note, with "quotes"`}
	for _, f := range []Format{CSV, JSONL, Parquet} {
		b.Run(string(f), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				enc, err := NewEncoder(f, io.Discard, cols)
				if err != nil {
					b.Fatal(err)
				}
				for i, id := range ids {
					row[0] = id
					row[5] = "Berlin"
					if i%7 == 0 {
						row[5] = nil
					}
					if err := enc.Encode(row); err != nil {
						b.Fatal(err)
					}
				}
				if err := enc.Close(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
