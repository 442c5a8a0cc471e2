package server

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestFormatText(t *testing.T) {
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	ts := time.Date(2024, 2, 7, 10, 0, 0, 500000000, time.UTC)
	tests := []struct {
		v    any
		loc  *time.Location
		want string
	}{
		{int64(-42), nil, "-42"},
		{2.5, nil, "2.5"},
		{1e20, nil, "1e+20"},
		{math.Inf(1), nil, "Infinity"},
		{math.NaN(), nil, "NaN"},
		{true, nil, "t"},
		{false, nil, "f"},
		{"text", nil, "text"},
		{ts, nil, "2024-02-07 10:00:00.5+00"},
		{ts, paris, "2024-02-07 11:00:00.5+01"},
		{ts, time.FixedZone("x", 5*3600+30*60), "2024-02-07 15:30:00.5+05:30"},
	}
	for _, tc := range tests {
		require.Equal(t, tc.want, string(formatText(tc.v, tc.loc)), "%v", tc.v)
	}
	require.Nil(t, formatText(nil, nil))
}

func TestEncodeBinary(t *testing.T) {
	tests := []struct {
		v    any
		oid  uint32
		want []byte
	}{
		{int64(1), oidInt8, []byte{0, 0, 0, 0, 0, 0, 0, 1}},
		{2.0, oidInt8, []byte{0, 0, 0, 0, 0, 0, 0, 2}},
		{int64(-1), oidInt4, []byte{0xff, 0xff, 0xff, 0xff}},
		{int64(1), oidFloat8, []byte{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}},
		{true, oidBool, []byte{1}},
		{"x", oidText, []byte("x")},
		{`{"a":1}`, oidJSON, []byte(`{"a":1}`)},
		{time.Date(2000, 1, 1, 0, 0, 1, 0, time.UTC), oidTimestamptz, []byte{0, 0, 0, 0, 0, 0x0f, 0x42, 0x40}},
		// The conversions of package value, shared with export: []byte
		// reads as text (was refused), strings are trimmed.
		{[]byte("3"), oidInt8, []byte{0, 0, 0, 0, 0, 0, 0, 3}},
		{" 3 ", oidInt2, []byte{0, 3}},
		{[]byte("1"), oidFloat8, []byte{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}},
		{-9223372036854775808.0, oidInt8, []byte{0x80, 0, 0, 0, 0, 0, 0, 0}},
	}
	for _, tc := range tests {
		got, err := encodeValue(tc.v, tc.oid, 1, time.UTC)
		require.NoError(t, err, "%v", tc.v)
		require.Equal(t, tc.want, got, "%v", tc.v)
	}
	for _, bad := range []struct {
		v   any
		oid uint32
	}{{2.5, oidInt8}, {"x", oidFloat8}, {int64(1), oidBool}, {"2024", oidTimestamptz}, {int64(1), oidDate}, {int64(1 << 40), oidInt4}, {9223372036854775808.0, oidInt8}, {true, oidFloat8}, {[]byte("x"), oidInt8}} {
		_, err := encodeValue(bad.v, bad.oid, 1, time.UTC)
		require.Error(t, err, "%v as %d", bad.v, bad.oid)
	}
}

func TestDecodeParam(t *testing.T) {
	ts := time.Date(2024, 3, 1, 12, 30, 0, 0, time.UTC)
	tests := []struct {
		name   string
		data   []byte
		oid    uint32
		format int16
		want   any
	}{
		{"NULL", nil, oidInt8, 0, nil},
		{"int8 text", []byte("42"), oidInt8, 0, int64(42)},
		{"int4 binary", []byte{0xff, 0xff, 0xff, 0xfe}, oidInt4, 1, int64(-2)},
		{"int8 binary", []byte{0, 0, 0, 0, 0, 0, 1, 0}, oidInt8, 1, int64(256)},
		{"float8 text", []byte("2.5"), oidFloat8, 0, 2.5},
		{"numeric text", []byte("1.25"), oidNumeric, 0, 1.25},
		{"float8 binary", []byte{0x3f, 0xf0, 0, 0, 0, 0, 0, 0}, oidFloat8, 1, 1.0},
		{"bool text", []byte("on"), oidBool, 0, true},
		{"bool binary", []byte{0}, oidBool, 1, false},
		{"text", []byte("0042"), oidText, 0, "0042"},
		{"varchar binary", []byte("abc"), oidVarchar, 1, "abc"},
		{"timestamptz text", []byte("2024-03-01 13:30:00+01"), oidTimestamptz, 0, ts},
		{"timestamp text", []byte("2024-03-01 12:30:00"), oidTimestamp, 0, ts},
		{"timestamptz binary", []byte{0, 0, 0, 0, 0, 0x0f, 0x42, 0x40}, oidTimestamptz, 1, time.Date(2000, 1, 1, 0, 0, 1, 0, time.UTC)},
		{"date binary", []byte{0, 0, 0, 1}, oidDate, 1, time.Date(2000, 1, 2, 0, 0, 0, 0, time.UTC)},
		{"unspecified integer", []byte("17"), oidUnspecified, 0, int64(17)},
		{"unspecified leading zero", []byte("007"), oidUnspecified, 0, "007"},
		{"unspecified text", []byte("abc"), oidUnspecified, 0, "abc"},
		{"unspecified binary", []byte("abc"), oidUnspecified, 1, "abc"},
		{"jsonb binary", []byte("\x01{}"), oidJSONB, 1, "{}"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := decodeParam(tc.data, tc.oid, tc.format, time.UTC)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	for _, bad := range []struct {
		name   string
		data   []byte
		oid    uint32
		format int16
		code   string
	}{
		{"int text", []byte("x"), oidInt8, 0, codeInvalidText},
		{"float text", []byte("x"), oidFloat8, 0, codeInvalidText},
		{"bool text", []byte("maybe"), oidBool, 0, codeInvalidText},
		{"timestamp text", []byte("yesterday"), oidTimestamptz, 0, codeInvalidDatetime},
		{"int8 binary length", []byte{1}, oidInt8, 1, codeInvalidBinary},
		{"numeric binary", []byte{0, 0}, oidNumeric, 1, codeFeatureNotSupported},
	} {
		t.Run(bad.name, func(t *testing.T) {
			_, err := decodeParam(bad.data, bad.oid, bad.format, time.UTC)
			require.Equal(t, bad.code, toSQLError(context.Background(), err).Code)
		})
	}
}

func TestSettingValues(t *testing.T) {
	for in, want := range map[string]time.Duration{"0": 0, "1500": 1500 * time.Millisecond, "5s": 5 * time.Second, "2min": 2 * time.Minute, "1.5h": 90 * time.Minute, "100 ms": 100 * time.Millisecond} {
		got, err := parseDurationSetting(in)
		require.NoError(t, err, in)
		require.Equal(t, want, got, in)
	}
	for _, bad := range []string{"-1", "soon", "5 parsecs"} {
		_, err := parseDurationSetting(bad)
		require.Error(t, err, bad)
	}
	loc, err := parseTimeZone("-5")
	require.NoError(t, err)
	_, off := time.Date(2024, 1, 1, 0, 0, 0, 0, loc).Zone()
	require.Equal(t, -5*3600, off)

	st := newSettings("u", map[string]string{"TimeZone": "Europe/Paris", "application_name": "app", "user": "u", "extra_float_digits": "3"})
	require.Equal(t, "Europe/Paris", st.location.String())
	_, v, ok := st.get("APPLICATION_NAME")
	require.True(t, ok)
	require.Equal(t, "app", v)
	require.Error(t, st.set("server_version", "16"))
	require.Error(t, st.set("client_encoding", "LATIN1"))
	require.NoError(t, st.set("client_encoding", "unicode"))
	require.NoError(t, st.reset("TimeZone"))
	require.Equal(t, time.UTC, st.location)
}
