package restsource

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/restsql/restsql/catalog"
)

// sameInstant reports whether str, a datetime value v written in the
// column's layout (formatFor), reads back as the same instant; why says
// why not. A layout without seconds, fractions or a time of day would
// send another instant (10:00:00.5 as 10:00:00, 10:00 as the day), and an
// exact filter would then keep or lose the rows in between.
func sameInstant(c *catalog.Column, v any, str string) (why string, ok bool) {
	t, isTime := v.(time.Time)
	if !isTime || columnType(c) != catalog.TypeDatetime {
		return "", true
	}
	switch f := strings.TrimSpace(c.Format); strings.ToLower(f) {
	case "", formatUnix, formatUnixMs:
		return "", true
	default:
		back, err := time.Parse(f, str)
		if err != nil || !back.Equal(t) {
			return fmt.Sprintf("%s cannot be sent in the column's format %s without changing the instant", t.Format(time.RFC3339Nano), f), false
		}
	}
	return "", true
}

// filterTime writes a datetime predicate value in a filter's format
// (catalog.Filter.Format): a Go layout, unix, unixms, date or rfc1123z, in
// UTC. A value the format cannot carry exactly (a time of day under date,
// a fraction of a second under unix) is refused with the reason: the API
// would compare another instant, so the predicate stays in the driver.
func filterTime(c *catalog.Column, format string, v any) (string, string, bool) {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case string:
		var ok bool
		if t, ok = parseDatetimeText(c, x); !ok {
			if t, ok = parseDateOnly(x); !ok {
				return "", fmt.Sprintf("%q is not a datetime for the filter's format %s", x, format), false
			}
		}
	default:
		return "", fmt.Sprintf("%v is not a datetime for the filter's format %s", v, format), false
	}
	t = t.UTC()
	var s string
	var back time.Time
	var err error
	switch strings.ToLower(format) {
	case catalog.FormatUnix:
		s = strconv.FormatInt(t.Unix(), 10)
		back = time.Unix(t.Unix(), 0)
	case catalog.FormatUnixMs:
		s = strconv.FormatInt(t.UnixMilli(), 10)
		back = time.UnixMilli(t.UnixMilli())
	case catalog.FormatDate:
		s = t.Format(time.DateOnly)
		back, err = time.Parse(time.DateOnly, s)
	case catalog.FormatRFC1123Z:
		s = t.Format(time.RFC1123Z)
		back, err = time.Parse(time.RFC1123Z, s)
	default:
		s = t.Format(format)
		back, err = time.Parse(format, s)
	}
	if err != nil || !back.Equal(t) {
		return "", fmt.Sprintf("%s cannot be sent in the filter's format %s without changing the instant", t.Format(time.RFC3339Nano), format), false
	}
	return s, "", true
}

// parseDateOnly reads 2006-01-02 and 2006-01-02 15:04:05 as UTC.
func parseDateOnly(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.DateOnly, time.DateTime} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
