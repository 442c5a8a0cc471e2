package executor

import (
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
)

func init() {
	Funcs["GREATEST"] = &Func{MinArgs: 2, MaxArgs: -1, Fn: func(a []any) (any, error) { return extreme(a, 1) }}
	Funcs["LEAST"] = &Func{MinArgs: 2, MaxArgs: -1, Fn: func(a []any) (any, error) { return extreme(a, -1) }}
	Funcs["REGEXP_LIKE"] = &Func{MinArgs: 2, MaxArgs: 3, Type: TypeBool, Fn: regexpLike}
}

// extreme is GREATEST (sign 1) or LEAST (-1) of values that are not NULL
// (the function is NULL-propagating, as MySQL's).
func extreme(a []any, sign int) (any, error) {
	best := a[0]
	for _, v := range a[1:] {
		c, ok := Compare(v, best)
		if !ok {
			return nil, nil
		}
		if c*sign > 0 {
			best = v
		}
	}
	return best, nil
}

// regexps caches compiled patterns by flags and pattern; it is emptied
// when it holds too many.
var (
	regexps     sync.Map
	regexpCount atomic.Int64
)

const maxCachedRegexps = 1024

// regexpLike is REGEXP_LIKE(s, pattern [, flags]): whether the regular
// expression (Go's RE2 syntax) matches somewhere in s. Flags, as MySQL's:
// c case-sensitive, i case-insensitive (the default, as restsql's LIKE), m
// multi-line (^ and $ at line breaks), n . matches a line break.
func regexpLike(a []any) (any, error) {
	s, pattern := ToString(a[0]), ToString(a[1])
	flags := ""
	if len(a) > 2 {
		flags = ToString(a[2])
	}
	key := flags + "\x00" + pattern
	if re, ok := regexps.Load(key); ok {
		return re.(*regexp.Regexp).MatchString(s), nil
	}
	ci, multi, dotNL := true, false, false
	for _, f := range flags {
		switch f {
		case 'c':
			ci = false
		case 'i':
			ci = true
		case 'm':
			multi = true
		case 'n':
			dotNL = true
		default:
			return nil, invalidSQLf("REGEXP_LIKE: unknown match flag %q (want c, i, m or n)", f)
		}
	}
	var prefix strings.Builder
	if ci || multi || dotNL {
		prefix.WriteString("(?")
		if ci {
			prefix.WriteByte('i')
		}
		if multi {
			prefix.WriteByte('m')
		}
		if dotNL {
			prefix.WriteByte('s')
		}
		prefix.WriteByte(')')
	}
	re, err := regexp.Compile(prefix.String() + pattern)
	if err != nil {
		return nil, invalidSQLf("REGEXP_LIKE: invalid regular expression %q: %v", pattern, err)
	}
	if regexpCount.Add(1) > maxCachedRegexps {
		regexps.Clear()
		regexpCount.Store(0)
	}
	regexps.Store(key, re)
	return re.MatchString(s), nil
}
