package export_test

import (
	"os"
	"time"

	"github.com/restsql/restsql/export"
)

// An Encoder writes rows as they come; here JSON Lines to stdout. For a
// file, export.WriteFile writes a *sql.Rows atomically.
func ExampleNewEncoder() {
	cols := []export.Column{{Name: "id", Type: export.TypeInt}, {Name: "due", Type: export.TypeDatetime}, {Name: "tags", Type: export.TypeJSON}}
	enc, err := export.NewEncoder(export.JSONL, os.Stdout, cols)
	if err != nil {
		panic(err)
	}
	_ = enc.Encode([]any{int64(1), time.Date(2024, 3, 1, 9, 30, 0, 0, time.UTC), `["a", "b"]`})
	_ = enc.Encode([]any{int64(2), nil, nil})
	if err := enc.Close(); err != nil {
		panic(err)
	}
	// Output:
	// {"id":1,"due":"2024-03-01T09:30:00Z","tags":["a","b"]}
	// {"id":2,"due":null,"tags":null}
}
