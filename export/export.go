// Package export writes the rows of a query to files in CSV, JSON Lines or
// Parquet, streaming: rows are encoded as they are read, so memory stays
// flat however large the result (Parquet holds one row group at a time).
//
// Files are written atomically: a temporary file in the target's directory
// is renamed over the target only when every row is written, and removed on
// any error, so a failed export never leaves a half-written file behind.
//
// Column types come from the result (sql.ColumnType.DatabaseTypeName, as
// the restsql driver reports it): Parquet columns are INT64, DOUBLE,
// BOOLEAN, TIMESTAMP (microseconds, UTC) or STRING (UTF-8; JSON columns
// too), all optional so that NULL is kept.
package export

import (
	"database/sql"
	"fmt"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/restsql/restsql/catalog"
)

// Format is an output format.
type Format string

// Formats.
const (
	// CSV is RFC 4180 CSV with a header row; NULL is an empty field.
	CSV Format = "csv"
	// JSONL is JSON Lines: one JSON object per row, keys in column order.
	JSONL Format = "jsonl"
	// Parquet is Apache Parquet with typed, optional columns.
	Parquet Format = "parquet"
	// JSON is one JSON array of the objects JSONL writes, one per line.
	JSON Format = "json"
)

// Formats lists the formats in the order help texts show them.
var Formats = []Format{CSV, JSONL, Parquet}

// ParseFormat reads a format name, case-insensitively ("ndjson" is JSONL).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "csv":
		return CSV, nil
	case "jsonl", "ndjson":
		return JSONL, nil
	case "parquet":
		return Parquet, nil
	case "json":
		return JSON, nil
	}
	return "", fmt.Errorf("export: unknown format %q (want csv, jsonl, json or parquet)", s)
}

// Ext is the file name extension of the format, with its dot.
func (f Format) Ext() string { return "." + string(f) }

// Type is a column type, as restsql names it.
type Type = catalog.Type

// Column types, as restsql names them.
const (
	TypeString   = catalog.TypeString
	TypeInt      = catalog.TypeInt
	TypeFloat    = catalog.TypeFloat
	TypeBool     = catalog.TypeBool
	TypeDatetime = catalog.TypeDatetime
	TypeJSON     = catalog.TypeJSON
)

// Column is one result column.
type Column struct {
	Name string
	// Type is string, int, float, bool, datetime or json; "" (unknown) is
	// written as text.
	Type Type
}

// ColumnsOf returns the names and types of a result's columns.
func ColumnsOf(rows *sql.Rows) ([]Column, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	cols := make([]Column, len(types))
	for i, t := range types {
		typ, _ := catalog.TypeOfSQLName(t.DatabaseTypeName())
		cols[i] = Column{Name: t.Name(), Type: typ}
	}
	return cols, nil
}

// Encoder writes rows in one format. Encode takes the values of one row
// (nil, int64, float64, bool, string, []byte or time.Time, as restsql
// returns them); Close writes what is buffered and the format's trailer but
// does not close the underlying writer. An Encoder is not safe for
// concurrent use.
type Encoder interface {
	Encode(row []any) error
	Close() error
}

// NewEncoder returns an Encoder of the format writing to w.
func NewEncoder(f Format, w io.Writer, cols []Column) (Encoder, error) {
	switch f {
	case CSV:
		return newCSV(w, cols)
	case JSONL:
		return newJSONL(w, cols), nil
	case Parquet:
		return newParquet(w, cols)
	case JSON:
		return newJSON(w, cols)
	}
	return nil, fmt.Errorf("export: unknown format %q (want csv, jsonl, json or parquet)", string(f))
}

// Flusher is an Encoder that can write what it buffers before Close (CSV,
// JSON Lines and JSON), so that a slow stream shows its rows as they come.
type Flusher interface {
	Flush() error
}

// uniqueNames makes column names unique for formats that key values by
// name: a repeated name gets a suffix, "id", "id_2", "id_3".
func uniqueNames(cols []Column) []string {
	names := make([]string, len(cols))
	seen := map[string]bool{}
	for i, c := range cols {
		name := c.Name
		if name == "" {
			name = "column" + strconv.Itoa(i+1)
		}
		base := name
		for k := 2; seen[name]; k++ {
			name = base + "_" + strconv.Itoa(k)
		}
		seen[name] = true
		names[i] = name
	}
	return names
}

// Synchronized returns an Encoder that serializes the calls to enc, so
// that several goroutines (the partitions of a read) can write one file.
// Each Encode writes one whole row.
func Synchronized(enc Encoder) Encoder { return &syncEncoder{enc: enc} }

type syncEncoder struct {
	mu  sync.Mutex
	enc Encoder
}

func (s *syncEncoder) Encode(row []any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enc.Encode(row)
}

func (s *syncEncoder) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.enc.Close()
}
