package executor

import (
	"strings"
	"unicode/utf8"
)

// The functions whose SQL syntax is special: the planner's parser rewrites
// TRIM([BOTH|LEADING|TRAILING] r FROM s) to TRIM_BOTH(r, s) (and so on),
// and POSITION(sub IN s) to POSITION(sub, s).
func init() {
	trim := func(leading, trailing bool) *Func {
		return &Func{MinArgs: 2, MaxArgs: 2, Type: TypeString, Fn: func(a []any) (any, error) {
			return trimString(ToString(a[1]), ToString(a[0]), leading, trailing), nil
		}}
	}
	Funcs["TRIM_BOTH"] = trim(true, true)
	Funcs["TRIM_LEADING"] = trim(true, false)
	Funcs["TRIM_TRAILING"] = trim(false, true)
	Funcs["POSITION"] = &Func{MinArgs: 2, MaxArgs: 2, Type: TypeInt, Fn: func(a []any) (any, error) {
		return locate(ToString(a[0]), ToString(a[1]), 1), nil
	}}
	Funcs["LOCATE"] = &Func{MinArgs: 2, MaxArgs: 3, Type: TypeInt, Fn: func(a []any) (any, error) {
		from := int64(1)
		if len(a) == 3 {
			n, err := Convert(a[2], TypeInt)
			if err != nil {
				return nil, err
			}
			from = n.(int64)
		}
		return locate(ToString(a[0]), ToString(a[1]), from), nil
	}}
}

// trimString removes repeated occurrences of the whole string r from the
// start and/or the end of s, as MySQL's TRIM(… r FROM s) does (with one
// character, the standard's TRIM).
func trimString(s, r string, leading, trailing bool) string {
	if r == "" {
		return s
	}
	for leading && strings.HasPrefix(s, r) {
		s = s[len(r):]
	}
	for trailing && strings.HasSuffix(s, r) {
		s = s[:len(s)-len(r)]
	}
	return s
}

// locate is the 1-based character position of the first sub in s at or
// after character from, or 0: LOCATE(sub, s, from). The match is
// case-sensitive, as = is.
func locate(sub, s string, from int64) int64 {
	n := int64(utf8.RuneCountInString(s))
	if from < 1 || from > n+1 {
		return 0
	}
	// Byte offset of character from.
	off := 0
	for k := int64(1); k < from; k++ {
		_, size := utf8.DecodeRuneInString(s[off:])
		off += size
	}
	i := strings.Index(s[off:], sub)
	if i < 0 {
		return 0
	}
	return from + int64(utf8.RuneCountInString(s[off:off+i]))
}
