package executor

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDateFunctions(t *testing.T) {
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		require.NoError(t, err)
		return v
	}
	base := ts("2024-05-15T13:47:21.5Z") // a Wednesday
	tests := []struct {
		fn   string
		args []any
		want any
		err  string
	}{
		{fn: "DATE_TRUNC", args: []any{"second", base}, want: ts("2024-05-15T13:47:21Z")},
		{fn: "DATE_TRUNC", args: []any{"minute", base}, want: ts("2024-05-15T13:47:00Z")},
		{fn: "DATE_TRUNC", args: []any{"HOUR", base}, want: ts("2024-05-15T13:00:00Z")},
		{fn: "DATE_TRUNC", args: []any{"day", base}, want: ts("2024-05-15T00:00:00Z")},
		{fn: "DATE_TRUNC", args: []any{"week", base}, want: ts("2024-05-13T00:00:00Z")},
		{fn: "DATE_TRUNC", args: []any{"week", ts("2024-05-13T00:00:00Z")}, want: ts("2024-05-13T00:00:00Z")},
		{fn: "DATE_TRUNC", args: []any{"week", ts("2024-03-03T10:00:00Z")}, want: ts("2024-02-26T00:00:00Z")}, // a Sunday: back across the month
		{fn: "DATE_TRUNC", args: []any{"month", base}, want: ts("2024-05-01T00:00:00Z")},
		{fn: "DATE_TRUNC", args: []any{"quarter", base}, want: ts("2024-04-01T00:00:00Z")},
		{fn: "DATE_TRUNC", args: []any{"quarter", ts("2024-12-31T23:59:59Z")}, want: ts("2024-10-01T00:00:00Z")},
		{fn: "DATE_TRUNC", args: []any{"year", base}, want: ts("2024-01-01T00:00:00Z")},
		// Another offset is read in UTC: 00:30+02:00 is the previous day.
		{fn: "DATE_TRUNC", args: []any{"day", ts("2024-05-15T00:30:00+02:00")}, want: ts("2024-05-14T00:00:00Z")},
		{fn: "DATE_TRUNC", args: []any{"day", "2024-05-15 13:00:00"}, want: ts("2024-05-15T00:00:00Z")},
		{fn: "DATE_TRUNC", args: []any{"fortnight", base}, err: `date_trunc unit "fortnight" is not supported`},
		{fn: "DATE_TRUNC", args: []any{int64(1), base}, err: "date_trunc wants a unit name"},
		{fn: "DATE_TRUNC", args: []any{"day", "soon"}, err: "want a datetime"},
		{fn: "DATE_ADD", args: []any{base, int64(30), "DAY"}, want: ts("2024-06-14T13:47:21.5Z")},
		{fn: "DATE_SUB", args: []any{base, int64(30), "DAY"}, want: ts("2024-04-15T13:47:21.5Z")},
		{fn: "DATE_ADD", args: []any{base, "2", "HOUR"}, want: ts("2024-05-15T15:47:21.5Z")},
		{fn: "DATE_ADD", args: []any{base, int64(-90), "MINUTE"}, want: ts("2024-05-15T12:17:21.5Z")},
		{fn: "DATE_ADD", args: []any{base, int64(1), "SECOND"}, want: ts("2024-05-15T13:47:22.5Z")},
		{fn: "DATE_ADD", args: []any{base, int64(500000), "MICROSECOND"}, want: ts("2024-05-15T13:47:22Z")},
		{fn: "DATE_ADD", args: []any{base, int64(2), "WEEK"}, want: ts("2024-05-29T13:47:21.5Z")},
		{fn: "DATE_ADD", args: []any{ts("2024-01-31T10:00:00Z"), int64(1), "MONTH"}, want: ts("2024-02-29T10:00:00Z")},
		{fn: "DATE_ADD", args: []any{ts("2023-01-31T10:00:00Z"), int64(1), "MONTH"}, want: ts("2023-02-28T10:00:00Z")},
		{fn: "DATE_SUB", args: []any{ts("2024-03-31T00:00:00Z"), int64(1), "MONTH"}, want: ts("2024-02-29T00:00:00Z")},
		{fn: "DATE_ADD", args: []any{ts("2024-02-29T00:00:00Z"), int64(1), "YEAR"}, want: ts("2025-02-28T00:00:00Z")},
		{fn: "DATE_ADD", args: []any{ts("2024-11-30T00:00:00Z"), int64(1), "QUARTER"}, want: ts("2025-02-28T00:00:00Z")},
		{fn: "DATE_ADD", args: []any{ts("2024-05-15T01:00:00+02:00"), int64(1), "DAY"}, want: ts("2024-05-15T23:00:00Z")},
		{fn: "DATE_ADD", args: []any{base, 1.5, "DAY"}, err: "an INTERVAL amount must be a whole number"},
		{fn: "DATE_ADD", args: []any{base, int64(1) << 62, "HOUR"}, err: "out of range"},
		{fn: "DATE_SUB", args: []any{base, int64(-1) << 63, "DAY"}, err: "out of range"},
		{fn: "DATE_ADD", args: []any{base, int64(1) << 40, "YEAR"}, err: "out of range"},
		{fn: "DATE_ADD", args: []any{base, int64(1), "FORTNIGHT"}, err: "interval unit FORTNIGHT is not supported"},
	}
	for _, tt := range tests {
		got, err := Funcs[tt.fn].Fn(tt.args)
		if tt.err != "" {
			require.Error(t, err, "%s%v", tt.fn, tt.args)
			assert.Contains(t, err.Error(), tt.err)
			continue
		}
		require.NoError(t, err, "%s%v", tt.fn, tt.args)
		assert.Equal(t, tt.want, got, "%s%v", tt.fn, tt.args)
	}
}
