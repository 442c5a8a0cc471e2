package server

import (
	"strconv"
	"strings"
)

// codeIntervalFieldOverflow is PostgreSQL's SQLSTATE for an interval out
// of range.
const codeIntervalFieldOverflow = "22015"

// pgIntervalUnits maps PostgreSQL's interval unit words to a restsql
// INTERVAL unit and a multiplier.
var pgIntervalUnits = map[string]struct {
	unit string
	mult int64
}{
	"microsecond": {"MICROSECOND", 1}, "microseconds": {"MICROSECOND", 1}, "us": {"MICROSECOND", 1}, "usec": {"MICROSECOND", 1}, "usecs": {"MICROSECOND", 1},
	"millisecond": {"MICROSECOND", 1000}, "milliseconds": {"MICROSECOND", 1000}, "ms": {"MICROSECOND", 1000}, "msec": {"MICROSECOND", 1000}, "msecs": {"MICROSECOND", 1000},
	"second": {"SECOND", 1}, "seconds": {"SECOND", 1}, "s": {"SECOND", 1}, "sec": {"SECOND", 1}, "secs": {"SECOND", 1},
	"minute": {"MINUTE", 1}, "minutes": {"MINUTE", 1}, "m": {"MINUTE", 1}, "min": {"MINUTE", 1}, "mins": {"MINUTE", 1},
	"hour": {"HOUR", 1}, "hours": {"HOUR", 1}, "h": {"HOUR", 1}, "hr": {"HOUR", 1}, "hrs": {"HOUR", 1},
	"day": {"DAY", 1}, "days": {"DAY", 1}, "d": {"DAY", 1},
	"week": {"WEEK", 1}, "weeks": {"WEEK", 1}, "w": {"WEEK", 1},
	"month": {"MONTH", 1}, "months": {"MONTH", 1}, "mon": {"MONTH", 1}, "mons": {"MONTH", 1},
	"year": {"YEAR", 1}, "years": {"YEAR", 1}, "y": {"YEAR", 1}, "yr": {"YEAR", 1}, "yrs": {"YEAR", 1},
	"decade": {"YEAR", 10}, "decades": {"YEAR", 10}, "century": {"YEAR", 100}, "centuries": {"YEAR", 100},
	"millennium": {"YEAR", 1000}, "millennia": {"YEAR", 1000}, "millenniums": {"YEAR", 1000},
}

// intervalPart is one n unit of an interval.
type intervalPart struct {
	n    int64
	unit string
}

// parseInterval reads PostgreSQL's interval text ('30 days', '1 day 2
// hours', '-1 week', '01:30:00', '1 day 02:00') into parts; unit is the
// unit written after the literal (INTERVAL '30' DAY), or "". Amounts are
// whole numbers.
func parseInterval(text, unit string) ([]intervalPart, error) {
	bad := func(why string) error {
		return sqlErrorf(codeInvalidDatetime, "invalid input syntax for type interval: %q (%s)", text, why)
	}
	fields := strings.Fields(strings.ToLower(text))
	if len(fields) == 0 {
		return nil, bad("empty")
	}
	var parts []intervalPart
	for k := 0; k < len(fields); k++ {
		f := fields[k]
		if strings.Contains(f, ":") {
			neg := strings.HasPrefix(f, "-")
			hms := strings.Split(strings.TrimLeft(f, "+-"), ":")
			if len(hms) < 2 || len(hms) > 3 {
				return nil, bad("a time is hh:mm[:ss]")
			}
			for j, u := range []string{"HOUR", "MINUTE", "SECOND"}[:len(hms)] {
				n, err := strconv.ParseInt(hms[j], 10, 64)
				if err != nil || n < 0 {
					return nil, bad("a time is hh:mm[:ss] of whole numbers")
				}
				if neg {
					n = -n
				}
				parts = append(parts, intervalPart{n, u})
			}
			continue
		}
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return nil, bad("restsql reads whole numbers followed by a unit")
		}
		u := ""
		switch {
		case k+1 < len(fields):
			u = fields[k+1]
			k++
		case unit != "":
			u = unit
		default:
			u = "second" // PostgreSQL reads a bare number as seconds
		}
		m, ok := pgIntervalUnits[u]
		if !ok {
			return nil, bad("unknown unit " + strconv.Quote(u))
		}
		parts = append(parts, intervalPart{n * m.mult, m.unit})
	}
	return parts, nil
}

// intervalUnitWords are the units that may follow an interval literal
// (INTERVAL '30' DAY).
var intervalUnitWords = map[string]bool{"year": true, "month": true, "day": true, "hour": true, "minute": true, "second": true}

// renderInterval writes INTERVAL 'text' [unit] in restsql's dialect,
// after the operator op ("+", "-" or "" when there is none): each part is
// INTERVAL n UNIT, and an operator goes between parts, since restsql adds
// one unit at a time. It returns the operator to write before the first
// part, and the text.
func renderInterval(parts []intervalPart, op string) (string, string, error) {
	outer := int64(1)
	if op == "-" {
		outer = -1
	}
	if op == "" && (len(parts) > 1 || parts[0].n < 0) {
		return "", "", sqlErrorf(codeFeatureNotSupported, "an interval of several parts or a negative amount is supported only after + or - (ts - INTERVAL '1 day 2 hours')")
	}
	var b strings.Builder
	first := op
	for k, p := range parts {
		e := outer * p.n
		sign, abs := "+", e
		if e < 0 {
			sign, abs = "-", -e
		}
		if abs < 0 { // MinInt64
			return "", "", sqlErrorf(codeIntervalFieldOverflow, "interval out of range")
		}
		if k == 0 {
			if op != "" {
				first = sign
			}
		} else {
			b.WriteString(" " + sign + " ")
		}
		b.WriteString("INTERVAL " + strconv.FormatInt(abs, 10) + " " + p.unit)
	}
	return first, b.String(), nil
}
