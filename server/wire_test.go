package server

import (
	"bufio"
	"encoding/binary"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"
)

// TestTimestampGolden checks the timestamp with and without time zone
// and date formatters against what PostgreSQL 15 writes for the same
// instants in the same TimeZone (testdata/timestamps.golden: fractional
// seconds trimmed, offsets with minutes and seconds, LMT, DST changes,
// BC years, years past 9999).
func TestTimestampGolden(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "timestamps.golden"))
	require.NoError(t, err)
	defer f.Close()
	locs := map[string]*time.Location{}
	n := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, "\t")
		require.Len(t, fields, 5, line)
		loc := locs[fields[0]]
		if loc == nil {
			loc, err = time.LoadLocation(fields[0])
			require.NoError(t, err)
			locs[fields[0]] = loc
		}
		us, err := strconv.ParseInt(fields[1], 10, 64)
		require.NoError(t, err)
		ts := time.UnixMicro(us)
		require.Equal(t, fields[2], string(appendTimestamptz(nil, ts, loc)), "timestamptz %s in %s", fields[1], fields[0])
		require.Equal(t, fields[3], string(appendTimestamp(nil, ts.In(loc))), "timestamp %s in %s", fields[1], fields[0])
		require.Equal(t, fields[4], string(appendDate(nil, ts.In(loc))), "date %s in %s", fields[1], fields[0])
		// The same through the column types' text and binary encoders.
		got, err := encodeValue(ts, oidTimestamptz, 0, loc)
		require.NoError(t, err)
		require.Equal(t, fields[2], string(got))
		got, err = encodeValue(ts, oidTimestamptz, 1, loc)
		require.NoError(t, err)
		require.Equal(t, us-pgEpoch.UnixMicro(), int64(binary.BigEndian.Uint64(got)), "binary timestamptz %s", fields[1])
		got, err = encodeValue(ts.In(loc), oidDate, 1, loc)
		require.NoError(t, err)
		date, err := decodeBinaryParam(got, oidDate)
		require.NoError(t, err)
		y, m, d := ts.In(loc).Date()
		require.Equal(t, time.Date(y, m, d, 0, 0, 0, 0, time.UTC), date, "binary date %s in %s", fields[1], fields[0])
		n++
	}
	require.NoError(t, sc.Err())
	require.Greater(t, n, 300)
}

func TestAppendTextTypes(t *testing.T) {
	tests := []struct {
		v    any
		oid  uint32
		want string
	}{
		{int64(math.MinInt64), oidInt8, "-9223372036854775808"},
		{7, oidInt8, "7"},
		{0.1, oidFloat8, "0.1"},
		{-1.5e-7, oidFloat8, "-1.5e-07"},
		{math.Inf(-1), oidFloat8, "-Infinity"},
		{math.MaxFloat64, oidFloat8, "1.7976931348623157e+308"},
		{true, oidBool, "t"},
		{"", oidText, ""},
		{[]byte("ab"), oidText, "ab"},
		{[]byte{0xde, 0xad}, oidBytea, `\xdead`},
		{struct{ A int }{1}, oidText, "{1}"},
		{time.Date(2024, 2, 7, 10, 0, 0, 999, time.UTC), oidTimestamptz, "2024-02-07 10:00:00+00"},
		{time.Date(2024, 2, 7, 10, 0, 0, 1999, time.FixedZone("", -3600)), oidTimestamp, "2024-02-07 10:00:00.000001"},
		{time.Date(2024, 2, 7, 23, 0, 0, 0, time.FixedZone("", -3600)), oidDate, "2024-02-07"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, string(appendText([]byte("x"), tc.v, tc.oid, time.UTC))[1:], "%v", tc.v)
	}
}

// TestBinaryTimestampRange: a binary timestamp is int64 microseconds from
// 2000, also for instants more than 292 years away (a time.Duration's
// range), and an error past int64.
func TestBinaryTimestampRange(t *testing.T) {
	for _, ts := range []time.Time{
		time.Date(1500, 3, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2500, 3, 1, 12, 0, 0, 1000, time.UTC),
		time.Date(-4712, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		b, err := encodeValue(ts, oidTimestamptz, 1, time.UTC)
		require.NoError(t, err)
		require.Equal(t, ts.UnixMicro()-pgEpoch.UnixMicro(), int64(binary.BigEndian.Uint64(b)), "%v", ts)
	}
	_, err := encodeValue(time.Date(300000, 1, 1, 0, 0, 0, 0, time.UTC), oidTimestamptz, 1, time.UTC)
	require.Error(t, err)
	var se *sqlError
	require.ErrorAs(t, err, &se)
	require.Equal(t, codeDatetimeOverflow, se.Code)
	_, err = encodeValue(time.Date(300000000, 1, 1, 0, 0, 0, 0, time.UTC), oidDate, 1, time.UTC)
	require.Error(t, err)
}

// TestAppendRow checks DataRow messages as pgproto3 decodes them: values
// in their formats, NULLs, the lengths, and a row with a bad value left
// out whole.
func TestAppendRow(t *testing.T) {
	ts := time.Date(2024, 2, 7, 10, 0, 0, 500_000_000, time.UTC)
	cols := []column{{name: "a", oid: oidInt8}, {name: "b", oid: oidFloat8}, {name: "c", oid: oidText}, {name: "d", oid: oidBool},
		{name: "e", oid: oidTimestamptz}, {name: "f", oid: oidInt4}, {name: "g", oid: oidText}}
	for _, formats := range [][]int16{nil, {1}, {0, 1, 0, 1, 1, 1, 1}} {
		enc := newRowEncoder(cols, formats, time.UTC)
		rows := [][]any{
			{int64(1), 2.5, "x", true, ts, int64(-3), []byte(nil)},
			{nil, nil, "", false, nil, nil, nil},
			{int64(math.MaxInt64), math.Inf(1), strings.Repeat("é", 1000), true, ts.Add(time.Hour), int64(math.MaxInt32), []byte("z")},
		}
		buf := []byte("prefix")
		var err error
		for _, row := range rows {
			buf, err = enc.appendRow(buf, row)
			require.NoError(t, err)
		}
		require.Equal(t, "prefix", string(buf[:6]))
		rest := buf[6:]
		for _, row := range rows {
			require.Equal(t, byte('D'), rest[0])
			size := int(binary.BigEndian.Uint32(rest[1:]))
			var dr pgproto3.DataRow
			require.NoError(t, dr.Decode(rest[5:1+size]))
			require.Len(t, dr.Values, len(row))
			for i, v := range row {
				want, err := encodeValue(v, cols[i].oid, formatAt(formats, i), time.UTC)
				require.NoError(t, err)
				require.Equal(t, want, dr.Values[i], "formats %v column %d", formats, i)
			}
			rest = rest[1+size:]
		}
		require.Empty(t, rest)
		// A value the column's binary format cannot carry: the row is
		// left out, the rows before it stay.
		if formatAt(formats, 5) == 1 {
			before := len(buf)
			out, err := enc.appendRow(buf, []any{int64(1), 1.0, "x", true, ts, int64(math.MaxInt32 + 1), nil})
			require.Error(t, err)
			require.Equal(t, before, len(out))
		}
	}
}

// FuzzEncodeMatchesOld compares the in-place encoders with the
// implementation they replace (oldEncodeValue, kept in
// types_old_test.go): the same bytes for every value, type and format,
// within the old one's range (years 1 to 9999; binary timestamps within
// 292 years of 2000, where its time.Duration arithmetic was exact).
func FuzzEncodeMatchesOld(f *testing.F) {
	f.Add(int64(1707300000), int64(500000000), int32(0), int64(42), 2.5, "x", true, uint8(0))
	f.Add(int64(-2208988800), int64(123456789), int32(1172), int64(-1), 1e21, "", false, uint8(3))
	f.Add(int64(253402300799), int64(999999999), int32(-12600), int64(math.MinInt64), math.NaN(), "é\x00", true, uint8(7))
	zones := []*time.Location{time.UTC, mustLoad(f, "Europe/Paris"), mustLoad(f, "Asia/Kolkata"), mustLoad(f, "America/St_Johns"), mustLoad(f, "Europe/Amsterdam")}
	oids := []uint32{oidInt8, oidInt4, oidInt2, oidFloat8, oidFloat4, oidBool, oidText, oidTimestamptz, oidJSON, oidVarchar}
	f.Fuzz(func(t *testing.T, sec, nsec int64, off int32, i int64, fl float64, s string, b bool, pick uint8) {
		sec = sec % (253402300800 - -62135596800)
		if sec < 0 {
			sec = -sec
		}
		sec += -62135596800 + 86400 // 0001-01-02 … 9999-12-31 in UTC
		if sec > 253402300799-86400 {
			sec = 253402300799 - 86400
		}
		nsec = (nsec%1e9 + 1e9) % 1e9
		var loc *time.Location
		if off%2 == 0 {
			loc = zones[int(uint32(off)/2)%len(zones)]
		} else {
			loc = time.FixedZone("", int(off%(14*3600)))
		}
		ts := time.Unix(sec, nsec)
		values := []any{nil, i, int(i), fl, s, []byte(s), b, ts, ts.In(loc), []byte(nil)}
		for _, v := range values {
			for _, oid := range oids {
				for _, format := range []int16{0, 1} {
					if format == 1 && (oid == oidTimestamptz) {
						if d := ts.Sub(pgEpoch); d == math.MaxInt64 || d == math.MinInt64 {
							continue
						}
					}
					want, wantErr := oldEncodeValue(v, oid, format, loc)
					got, err := encodeValue(v, oid, format, loc)
					if (err != nil) != (wantErr != nil) {
						t.Fatalf("%#v as %d format %d: error %v, the old one's %v", v, oid, format, err, wantErr)
					}
					if err == nil && (string(got) != string(want) || (got == nil) != (want == nil)) {
						t.Fatalf("%#v as %d format %d in %v: %q, the old one wrote %q", v, oid, format, loc, got, want)
					}
					enc := rowEncoder{oids: []uint32{oid}, formats: []int16{format}, loc: loc}
					row, err := enc.appendRow(nil, []any{v})
					if err == nil {
						var dr pgproto3.DataRow
						if err := dr.Decode(row[5:]); err != nil || string(dr.Values[0]) != string(want) || (dr.Values[0] == nil) != (want == nil) {
							t.Fatalf("%#v as %d format %d: DataRow %q (%v), want %q", v, oid, format, row, err, want)
						}
					}
				}
			}
		}
	})
}

func mustLoad(f *testing.F, name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		f.Fatal(err)
	}
	return loc
}

// BenchmarkDataRow encodes the bench package's 8-column row (int8,
// float8, text, bool, timestamptz, text, int8, text) in pgx's formats:
// "old" as the server did before (oldEncodeValue per value, a [][]byte
// per row, pgproto3's DataRow.Encode), "new" appended in place.
func BenchmarkDataRow(b *testing.B) {
	cols := []column{{oid: oidInt8}, {oid: oidFloat8}, {oid: oidText}, {oid: oidBool}, {oid: oidTimestamptz}, {oid: oidText}, {oid: oidInt8}, {oid: oidText}}
	row := []any{int64(123456), 9876.54, "item-123456", true, time.Date(2024, 3, 9, 12, 34, 56, 0, time.UTC), "Zürich", int64(28), "ships in two days"}
	for _, text := range []bool{true, false} {
		formats := []int16{1, 1, 0, 1, 1, 0, 1, 0}
		name := "binary"
		if text {
			formats, name = nil, "text"
		}
		b.Run("old/"+name, func(b *testing.B) {
			b.ReportAllocs()
			var buf []byte
			for b.Loop() {
				values := make([][]byte, len(row))
				for i, v := range row {
					values[i], _ = oldEncodeValue(v, cols[i].oid, formatAt(formats, i), time.UTC)
				}
				buf, _ = (&pgproto3.DataRow{Values: values}).Encode(buf[:0])
			}
		})
		b.Run("new/"+name, func(b *testing.B) {
			b.ReportAllocs()
			enc := newRowEncoder(cols, formats, time.UTC)
			var buf []byte
			for b.Loop() {
				buf, _ = enc.appendRow(buf[:0], row)
			}
		})
	}
}
