package executor

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Date arithmetic and truncation. Both work in UTC: a value with another
// offset is converted to UTC first, and the result is in UTC (restsql
// has no session time zone; PostgreSQL's server default is UTC too).

// TruncUnits are the units DATE_TRUNC takes, smallest first.
var TruncUnits = []string{"second", "minute", "hour", "day", "week", "month", "quarter", "year"}

// IntervalUnits are the units of INTERVAL n unit, as MySQL names them.
var IntervalUnits = []string{"MICROSECOND", "SECOND", "MINUTE", "HOUR", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"}

// Trunc truncates t (in UTC) to the start of its unit: PostgreSQL's
// date_trunc. A week starts on Monday (ISO 8601), as in PostgreSQL.
func Trunc(unit string, t time.Time) (time.Time, error) {
	t = t.UTC()
	y, mo, d := t.Date()
	switch strings.ToLower(strings.TrimSpace(unit)) {
	case "second", "seconds":
		return t.Truncate(time.Second), nil
	case "minute", "minutes":
		return time.Date(y, mo, d, t.Hour(), t.Minute(), 0, 0, time.UTC), nil
	case "hour", "hours":
		return time.Date(y, mo, d, t.Hour(), 0, 0, 0, time.UTC), nil
	case "day", "days":
		return time.Date(y, mo, d, 0, 0, 0, 0, time.UTC), nil
	case "week", "weeks":
		back := (int(t.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, mo, d-back, 0, 0, 0, 0, time.UTC), nil
	case "month", "months":
		return time.Date(y, mo, 1, 0, 0, 0, 0, time.UTC), nil
	case "quarter", "quarters":
		return time.Date(y, mo-(mo-1)%3, 1, 0, 0, 0, 0, time.UTC), nil
	case "year", "years":
		return time.Date(y, 1, 1, 0, 0, 0, 0, time.UTC), nil
	}
	return time.Time{}, notSupportedf("date_trunc unit %q is not supported (%s are)", unit, strings.Join(TruncUnits, ", "))
}

// AddInterval adds n units to t (in UTC). Months, quarters and years keep
// the day of the month, clamped to the month's last day (Jan 31 + 1 month
// is Feb 28 or 29), as PostgreSQL and MySQL do.
func AddInterval(t time.Time, n int64, unit string) (time.Time, error) {
	t = t.UTC()
	dur := func(d time.Duration) (time.Time, error) {
		if n > math.MaxInt64/int64(d) || n < math.MinInt64/int64(d) {
			return time.Time{}, outOfRangef("interval %d %s is out of range", n, unit)
		}
		return t.Add(time.Duration(n) * d), nil
	}
	// months adds n units of per months; n is checked before it is
	// multiplied, so a huge n is out of range rather than wrapped around.
	months := func(per int64) (time.Time, error) {
		if n > 120000/per || n < -120000/per {
			return time.Time{}, outOfRangef("interval %d %s is out of range", n, unit)
		}
		m := n * per
		y, mo, d := t.Date()
		first := time.Date(y, mo+time.Month(m), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
		last := time.Date(first.Year(), first.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day()
		return first.AddDate(0, 0, min(d, last)-1), nil
	}
	switch strings.ToUpper(unit) {
	case "MICROSECOND":
		return dur(time.Microsecond)
	case "SECOND":
		return dur(time.Second)
	case "MINUTE":
		return dur(time.Minute)
	case "HOUR":
		return dur(time.Hour)
	case "DAY":
		if n > 3650000 || n < -3650000 {
			return time.Time{}, outOfRangef("interval %d %s is out of range", n, unit)
		}
		return t.AddDate(0, 0, int(n)), nil
	case "WEEK":
		if n > 520000 || n < -520000 {
			return time.Time{}, outOfRangef("interval %d %s is out of range", n, unit)
		}
		return t.AddDate(0, 0, 7*int(n)), nil
	case "MONTH":
		return months(1)
	case "QUARTER":
		return months(3)
	case "YEAR":
		return months(12)
	}
	return time.Time{}, notSupportedf("interval unit %s is not supported (%s are)", unit, strings.Join(IntervalUnits, ", "))
}

// intervalAmount reads the n of INTERVAL n unit: an integer, or a string
// holding one (INTERVAL '30' DAY).
func intervalAmount(v any) (int64, error) {
	switch x := v.(type) {
	case int64:
		return x, nil
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1e15 {
			return int64(x), nil
		}
	case string:
		if n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64); err == nil {
			return n, nil
		}
	}
	return 0, typeMismatchf("an INTERVAL amount must be a whole number, got %s", describe(v))
}

func init() {
	Funcs["DATE_TRUNC"] = &Func{MinArgs: 2, MaxArgs: 2, Type: TypeDatetime, Fn: func(a []any) (any, error) {
		unit, ok := a[0].(string)
		if !ok {
			return nil, typeMismatchf("date_trunc wants a unit name ('day', 'month', …) first, got %s", describe(a[0]))
		}
		t, err := timeArg(a[1])
		if err != nil {
			return nil, err
		}
		return Trunc(unit, t)
	}}
	// DATE_ADD(t, n, unit) and DATE_SUB(t, n, unit) are what the planner
	// makes of DATE_ADD(t, INTERVAL n unit), t + INTERVAL n unit and
	// t - INTERVAL n unit.
	addSub := func(sign int64) *Func {
		return &Func{MinArgs: 3, MaxArgs: 3, Type: TypeDatetime, Fn: func(a []any) (any, error) {
			t, err := timeArg(a[0])
			if err != nil {
				return nil, err
			}
			n, err := intervalAmount(a[1])
			if err != nil {
				return nil, err
			}
			unit, _ := a[2].(string)
			if n == math.MinInt64 {
				return nil, outOfRangef("interval %d %s is out of range", n, unit)
			}
			return AddInterval(t, sign*n, unit)
		}}
	}
	Funcs["DATE_ADD"] = addSub(1)
	Funcs["DATE_SUB"] = addSub(-1)
}
