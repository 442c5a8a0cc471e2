package executor

import (
	"errors"
	"math"
	"strings"
	"time"
	"unicode/utf8"
)

// Func describes a scalar function: its arity and result type.
type Func struct {
	MinArgs, MaxArgs int // MaxArgs -1 = variadic
	// Type is the result type (TypeAny = depends on the arguments).
	Type Type
	// Fn computes the result from evaluated arguments. Functions are
	// NULL-propagating unless NullAware.
	Fn        func(args []any) (any, error)
	NullAware bool
	// Lazy functions evaluate their own arguments (COALESCE, IF).
	Lazy func(row Row, args []Expr) (any, error)
}

// Funcs is the scalar function library, keyed by upper-case name.
var Funcs = map[string]*Func{}

func init() {
	str1 := func(f func(string) string) *Func {
		return &Func{MinArgs: 1, MaxArgs: 1, Type: TypeString, Fn: func(a []any) (any, error) {
			if s, ok := a[0].(string); ok {
				if out := f(s); out != s {
					return out, nil
				}
				return a[0], nil // unchanged: the argument, without boxing a copy
			}
			return f(ToString(a[0])), nil
		}}
	}
	Funcs["UPPER"] = str1(strings.ToUpper)
	Funcs["UCASE"] = Funcs["UPPER"]
	Funcs["LOWER"] = str1(strings.ToLower)
	Funcs["LCASE"] = Funcs["LOWER"]
	Funcs["TRIM"] = str1(func(s string) string { return strings.Trim(s, " ") })
	Funcs["LTRIM"] = str1(func(s string) string { return strings.TrimLeft(s, " ") })
	Funcs["RTRIM"] = str1(func(s string) string { return strings.TrimRight(s, " ") })
	Funcs["LENGTH"] = &Func{MinArgs: 1, MaxArgs: 1, Type: TypeInt, Fn: func(a []any) (any, error) {
		return int64(utf8.RuneCountInString(ToString(a[0]))), nil
	}}
	Funcs["CHAR_LENGTH"] = Funcs["LENGTH"]
	Funcs["CHARACTER_LENGTH"] = Funcs["LENGTH"]
	Funcs["SUBSTR"] = &Func{MinArgs: 2, MaxArgs: 3, Type: TypeString, Fn: substr}
	Funcs["SUBSTRING"] = Funcs["SUBSTR"]
	Funcs["CONCAT"] = &Func{MinArgs: 1, MaxArgs: -1, Type: TypeString, Fn: func(a []any) (any, error) {
		var b strings.Builder
		for _, v := range a {
			b.WriteString(ToString(v))
		}
		return b.String(), nil
	}}
	Funcs["REPLACE"] = &Func{MinArgs: 3, MaxArgs: 3, Type: TypeString, Fn: func(a []any) (any, error) {
		from := ToString(a[1])
		if from == "" { // nothing to replace (MySQL, SQLite), not between every character
			return ToString(a[0]), nil
		}
		return strings.ReplaceAll(ToString(a[0]), from, ToString(a[2])), nil
	}}
	Funcs["ABS"] = &Func{MinArgs: 1, MaxArgs: 1, Fn: func(a []any) (any, error) {
		switch x := a[0].(type) {
		case int64:
			if x == math.MinInt64 {
				return nil, ErrOverflow
			}
			if x < 0 {
				return -x, nil
			}
			return x, nil
		}
		f, err := numArg(a[0])
		return math.Abs(f), err
	}}
	Funcs["ROUND"] = &Func{MinArgs: 1, MaxArgs: 2, Fn: round}
	Funcs["FLOOR"] = &Func{MinArgs: 1, MaxArgs: 1, Fn: intFunc(math.Floor)}
	Funcs["CEIL"] = &Func{MinArgs: 1, MaxArgs: 1, Fn: intFunc(math.Ceil)}
	Funcs["CEILING"] = Funcs["CEIL"]
	Funcs["MOD"] = &Func{MinArgs: 2, MaxArgs: 2, Fn: func(a []any) (any, error) { return Arithmetic("%", a[0], a[1]) }}
	Funcs["POWER"] = &Func{MinArgs: 2, MaxArgs: 2, Type: TypeFloat, Fn: func(a []any) (any, error) {
		x, err := numArg(a[0])
		if err != nil {
			return nil, err
		}
		y, err := numArg(a[1])
		return math.Pow(x, y), err
	}}
	Funcs["POW"] = Funcs["POWER"]
	Funcs["SQRT"] = &Func{MinArgs: 1, MaxArgs: 1, Type: TypeFloat, Fn: func(a []any) (any, error) {
		x, err := numArg(a[0])
		if err != nil || x < 0 {
			return nil, err
		}
		return math.Sqrt(x), nil
	}}
	Funcs["DATE"] = &Func{MinArgs: 1, MaxArgs: 1, Type: TypeDatetime, Fn: func(a []any) (any, error) {
		t, err := timeArg(a[0])
		if err != nil {
			return nil, err
		}
		y, m, d := t.Date()
		return time.Date(y, m, d, 0, 0, 0, 0, t.Location()), nil
	}}
	part := func(f func(time.Time) int) *Func {
		return &Func{MinArgs: 1, MaxArgs: 1, Type: TypeInt, Fn: func(a []any) (any, error) {
			t, err := timeArg(a[0])
			if err != nil {
				return nil, err
			}
			return int64(f(t)), nil
		}}
	}
	Funcs["YEAR"] = part(time.Time.Year)
	Funcs["MONTH"] = part(func(t time.Time) int { return int(t.Month()) })
	Funcs["DAY"] = part(time.Time.Day)
	Funcs["DAYOFMONTH"] = Funcs["DAY"]
	Funcs["HOUR"] = part(time.Time.Hour)
	Funcs["MINUTE"] = part(time.Time.Minute)
	Funcs["SECOND"] = part(time.Time.Second)
	Funcs["COALESCE"] = &Func{MinArgs: 1, MaxArgs: -1, Lazy: func(row Row, args []Expr) (any, error) {
		for _, e := range args {
			v, err := e.Eval(row)
			if err != nil || v != nil {
				return v, err
			}
		}
		return nil, nil
	}}
	Funcs["IFNULL"] = &Func{MinArgs: 2, MaxArgs: 2, Lazy: Funcs["COALESCE"].Lazy}
	Funcs["NULLIF"] = &Func{MinArgs: 2, MaxArgs: 2, NullAware: true, Fn: func(a []any) (any, error) {
		if n, ok := Compare(a[0], a[1]); ok && n == 0 {
			return nil, nil
		}
		return a[0], nil
	}}
	Funcs["IF"] = &Func{MinArgs: 3, MaxArgs: 3, Lazy: func(row Row, args []Expr) (any, error) {
		c, err := args[0].Eval(row)
		if err != nil {
			return nil, err
		}
		if b, known := Truth(c); known && b {
			return args[1].Eval(row)
		}
		return args[2].Eval(row)
	}}
}

func numArg(v any) (float64, error) {
	f, ok := asFloat(v)
	if !ok {
		return 0, typeMismatchf("want a number, got %s", describe(v))
	}
	return f, nil
}

func timeArg(v any) (time.Time, error) {
	switch x := v.(type) {
	case time.Time:
		return x, nil
	case string:
		if t, ok := ParseTime(x); ok {
			return t, nil
		}
	}
	return time.Time{}, typeMismatchf("want a datetime, got %s", describe(v))
}

func intFunc(f func(float64) float64) func([]any) (any, error) {
	return func(a []any) (any, error) {
		if i, ok := a[0].(int64); ok {
			return i, nil
		}
		x, err := numArg(a[0])
		if err != nil {
			return nil, err
		}
		r := f(x)
		if r > math.MaxInt64 || r < math.MinInt64 || math.IsNaN(r) {
			return r, nil
		}
		return int64(r), nil
	}
}

func round(a []any) (any, error) {
	digits := int64(0)
	if len(a) == 2 {
		d, err := Convert(a[1], TypeInt)
		if err != nil {
			return nil, err
		}
		digits = d.(int64)
	}
	if i, ok := a[0].(int64); ok && digits >= 0 {
		return i, nil
	}
	x, err := numArg(a[0])
	if err != nil {
		return nil, err
	}
	if digits > 15 {
		return x, nil
	}
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p, nil
}

// substr is SUBSTR(s, start[, length]) with 1-based start; a negative start
// counts from the end, as in MySQL and SQLite. A start of 0 or before the
// first character gives the empty string, as in MySQL (SQLite clips
// instead).
func substr(a []any) (any, error) {
	s := []rune(ToString(a[0]))
	st, err := Convert(a[1], TypeInt)
	if err != nil {
		return nil, err
	}
	start := st.(int64)
	n := int64(len(s))
	var from int64
	switch {
	case start > 0:
		from = start - 1
	case start < 0:
		// A start before the first character is out of range, as in
		// MySQL: SUBSTR('abc', -5) is empty.
		from = n + start
		if from < 0 {
			return "", nil
		}
	default:
		return "", nil
	}
	if from >= n {
		return "", nil
	}
	to := n
	if len(a) == 3 {
		l, err := Convert(a[2], TypeInt)
		if err != nil {
			return nil, err
		}
		if l.(int64) <= 0 {
			return "", nil
		}
		if from+l.(int64) < to {
			to = from + l.(int64)
		}
	}
	return string(s[from:to]), nil
}

// ErrArity reports a call with the wrong number of arguments.
var ErrArity = errors.New("wrong number of arguments")
