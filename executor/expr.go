package executor

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"unicode/utf8"
)

// Expr is a compiled scalar expression evaluated against one row.
type Expr interface {
	Eval(row Row) (any, error)
}

// Col reads the value at a position of the input row.
type Col struct{ Idx int }

// Eval implements Expr.
func (c *Col) Eval(row Row) (any, error) { return row[c.Idx], nil }

// Const is a literal (or a bound argument).
type Const struct{ V any }

// Eval implements Expr.
func (c *Const) Eval(Row) (any, error) { return c.V, nil }

// Cmp is a comparison: = != < <= > >= and the NULL-safe <=>.
type Cmp struct {
	Op   string
	L, R Expr
}

// Eval implements Expr.
func (c *Cmp) Eval(row Row) (any, error) {
	l, err := c.L.Eval(row)
	if err != nil {
		return nil, err
	}
	r, err := c.R.Eval(row)
	if err != nil {
		return nil, err
	}
	if c.Op == "<=>" {
		if l == nil || r == nil {
			return l == nil && r == nil, nil
		}
		n, _ := Compare(l, r)
		return n == 0, nil
	}
	n, ok := Compare(l, r)
	if !ok {
		return nil, nil
	}
	return CmpResult(c.Op, n), nil
}

// CmpResult turns a three-way comparison into the result of operator op.
func CmpResult(op string, n int) bool {
	switch op {
	case "=":
		return n == 0
	case "!=", "<>":
		return n != 0
	case "<":
		return n < 0
	case "<=":
		return n <= 0
	case ">":
		return n > 0
	case ">=":
		return n >= 0
	}
	return false
}

// And is three-valued AND.
type And struct{ L, R Expr }

// Eval implements Expr.
func (a *And) Eval(row Row) (any, error) {
	l, err := a.L.Eval(row)
	if err != nil {
		return nil, err
	}
	lv, lk := Truth(l)
	if lk && !lv {
		return false, nil
	}
	r, err := a.R.Eval(row)
	if err != nil {
		return nil, err
	}
	rv, rk := Truth(r)
	if rk && !rv {
		return false, nil
	}
	if lk && rk {
		return true, nil
	}
	return nil, nil
}

// Or is three-valued OR.
type Or struct{ L, R Expr }

// Eval implements Expr.
func (o *Or) Eval(row Row) (any, error) {
	l, err := o.L.Eval(row)
	if err != nil {
		return nil, err
	}
	lv, lk := Truth(l)
	if lk && lv {
		return true, nil
	}
	r, err := o.R.Eval(row)
	if err != nil {
		return nil, err
	}
	rv, rk := Truth(r)
	if rk && rv {
		return true, nil
	}
	if lk && rk {
		return false, nil
	}
	return nil, nil
}

// Not is three-valued NOT.
type Not struct{ E Expr }

// Eval implements Expr.
func (n *Not) Eval(row Row) (any, error) {
	v, err := n.E.Eval(row)
	if err != nil {
		return nil, err
	}
	b, known := Truth(v)
	if !known {
		return nil, nil
	}
	return !b, nil
}

// IsNull is "E IS [NOT] NULL"; also IS [NOT] TRUE/FALSE via Want.
type IsNull struct {
	E      Expr
	Negate bool
}

// Eval implements Expr.
func (n *IsNull) Eval(row Row) (any, error) {
	v, err := n.E.Eval(row)
	if err != nil {
		return nil, err
	}
	return (v == nil) != n.Negate, nil
}

// IsBool is "E IS [NOT] TRUE|FALSE" (never NULL).
type IsBool struct {
	E      Expr
	Want   bool
	Negate bool
}

// Eval implements Expr.
func (n *IsBool) Eval(row Row) (any, error) {
	v, err := n.E.Eval(row)
	if err != nil {
		return nil, err
	}
	b, known := Truth(v)
	res := known && b == n.Want
	return res != n.Negate, nil
}

// In is "E [NOT] IN (list)" with SQL's NULL rules: NULL when E is NULL, or
// when no element matches and some element is NULL.
type In struct {
	E      Expr
	List   []Expr
	Negate bool
}

// Eval implements Expr.
func (in *In) Eval(row Row) (any, error) {
	v, err := in.E.Eval(row)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return nil, nil
	}
	sawNull := false
	for _, e := range in.List {
		x, err := e.Eval(row)
		if err != nil {
			return nil, err
		}
		if x == nil {
			sawNull = true
			continue
		}
		if n, _ := Compare(v, x); n == 0 {
			return !in.Negate, nil
		}
	}
	if sawNull {
		return nil, nil
	}
	return in.Negate, nil
}

// InSet is "E [NOT] IN (subquery)": the set is computed once, on first use,
// by Load.
type InSet struct {
	E      Expr
	Negate bool
	Load   func() ([]any, error)

	once sync.Once
	err  error
	// set holds the non-NULL values by MatchKey.
	set     map[any][]any
	hasNull bool
}

// Eval implements Expr.
func (in *InSet) Eval(row Row) (any, error) {
	in.once.Do(func() {
		vals, err := in.Load()
		if err != nil {
			in.err = err
			return
		}
		in.set = make(map[any][]any, len(vals))
	next:
		for _, v := range vals {
			if v == nil {
				in.hasNull = true
				continue
			}
			k := MatchKey(v)
			for _, x := range in.set[k] {
				if Key(x) == Key(v) {
					continue next // a duplicate
				}
			}
			in.set[k] = append(in.set[k], v)
		}
	})
	if in.err != nil {
		return nil, in.err
	}
	v, err := in.E.Eval(row)
	if err != nil {
		return nil, err
	}
	if v == nil {
		if len(in.set) == 0 && !in.hasNull {
			return in.Negate, nil // x IN (empty) is false even for NULL x
		}
		return nil, nil
	}
	found := false
	for _, x := range in.set[MatchKey(v)] {
		if n, _ := Compare(v, x); n == 0 {
			found = true
			break
		}
	}
	if found {
		return !in.Negate, nil
	}
	if in.hasNull {
		return nil, nil
	}
	return in.Negate, nil
}

// Scalar is a scalar subquery: its single value, computed once.
type Scalar struct {
	Load func() (any, error)

	once sync.Once
	v    any
	err  error
}

// Eval implements Expr.
func (s *Scalar) Eval(Row) (any, error) {
	s.once.Do(func() { s.v, s.err = s.Load() })
	return s.v, s.err
}

// Like is "E [NOT] LIKE pattern [ESCAPE c]". Matching is case-insensitive,
// as in MySQL's default collations and SQLite.
type Like struct {
	E, Pattern Expr
	Escape     rune
	Negate     bool

	// last is the most recent pattern with its compiled form: a constant
	// pattern compiles once.
	last atomic.Pointer[likeCache]
}

// likeCache is a LIKE pattern compiled: to a regular expression, or, for
// the common shapes 'abc', 'abc%', '%abc' and '%abc%' (an ASCII literal of
// letters other than k and s, whose case partners are all ASCII), to a
// comparison of bytes up to ASCII case that answers as the regexp would.
type likeCache struct {
	pattern string
	re      *regexp.Regexp // nil when lit decides
	// lit is the literal in lower case; anyHead and anyTail say whether
	// a % leads or follows it.
	lit              string
	anyHead, anyTail bool
}

func newLikeCache(pattern string, escape rune) *likeCache {
	lc := &likeCache{pattern: pattern}
	var lit string
	lit, lc.anyHead = strings.CutPrefix(pattern, "%")
	lit, lc.anyTail = strings.CutSuffix(lit, "%")
	ok := escape != '%' && escape != '_'
	for i := 0; ok && i < len(lit); i++ {
		switch b := lit[i]; {
		case b >= utf8.RuneSelf, b == '%', b == '_', rune(b) == escape,
			b == 'k', b == 'K', b == 's', b == 'S': // K and S also fold with U+212A and U+017F
			ok = false
		}
	}
	if !ok {
		lc.re = LikeRegexp(pattern, escape)
		return lc
	}
	lc.lit = asciiLower(lit)
	return lc
}

// match reports whether s matches the pattern.
func (lc *likeCache) match(s string) bool {
	if lc.re != nil {
		return lc.re.MatchString(s)
	}
	n := len(lc.lit)
	switch {
	case lc.anyHead && lc.anyTail:
		for i := 0; i+n <= len(s); i++ {
			if equalASCIIFold(s[i:i+n], lc.lit) {
				return true
			}
		}
		return false
	case lc.anyHead:
		return len(s) >= n && equalASCIIFold(s[len(s)-n:], lc.lit)
	case lc.anyTail:
		return len(s) >= n && equalASCIIFold(s[:n], lc.lit)
	}
	return len(s) == n && equalASCIIFold(s, lc.lit)
}

// asciiLower lower-cases the ASCII letters of s.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// equalASCIIFold reports whether s equals lower, a lower-case string, up to
// the case of ASCII letters. Both are as long.
func equalASCIIFold(s, lower string) bool {
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

// Eval implements Expr.
func (l *Like) Eval(row Row) (any, error) {
	v, err := l.E.Eval(row)
	if err != nil {
		return nil, err
	}
	p, err := l.Pattern.Eval(row)
	if err != nil {
		return nil, err
	}
	if v == nil || p == nil {
		return nil, nil
	}
	ps := ToString(p)
	lc := l.last.Load()
	if lc == nil || lc.pattern != ps {
		lc = newLikeCache(ps, l.Escape)
		l.last.Store(lc)
	}
	return lc.match(ToString(v)) != l.Negate, nil
}

// LikeRegexp compiles a LIKE pattern (% and _, with an escape character) to
// an anchored, case-insensitive regular expression.
func LikeRegexp(pattern string, escape rune) *regexp.Regexp {
	var b strings.Builder
	b.WriteString(`(?is)^`)
	esc := false
	for _, r := range pattern {
		switch {
		case esc:
			b.WriteString(regexp.QuoteMeta(string(r)))
			esc = false
		case escape != 0 && r == escape:
			esc = true
		case r == '%':
			b.WriteString(`.*`)
		case r == '_':
			b.WriteString(`.`)
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	if esc {
		b.WriteString(regexp.QuoteMeta(string(escape)))
	}
	b.WriteString(`$`)
	return regexp.MustCompile(b.String())
}

// Arith is binary arithmetic: + - * / DIV % (MOD). Integer + - * and DIV
// stay integers (overflow is an error); / always gives a float, as in MySQL;
// division by zero is NULL, as in MySQL and SQLite.
type Arith struct {
	Op   string
	L, R Expr
}

// ErrOverflow is returned when integer arithmetic overflows int64.
var ErrOverflow = outOfRangef("executor: integer overflow")

// Eval implements Expr.
func (a *Arith) Eval(row Row) (any, error) {
	l, err := a.L.Eval(row)
	if err != nil {
		return nil, err
	}
	r, err := a.R.Eval(row)
	if err != nil {
		return nil, err
	}
	return Arithmetic(a.Op, l, r)
}

// Arithmetic applies one arithmetic operator to two values.
func Arithmetic(op string, l, r any) (any, error) {
	if l == nil || r == nil {
		return nil, nil
	}
	li, lInt := l.(int64)
	ri, rInt := r.(int64)
	if lInt && rInt {
		switch op {
		case "+":
			s := li + ri
			if (s > li) != (ri > 0) {
				return nil, ErrOverflow
			}
			return s, nil
		case "-":
			s := li - ri
			if (s < li) != (ri > 0) {
				return nil, ErrOverflow
			}
			return s, nil
		case "*":
			if li == 0 || ri == 0 {
				return int64(0), nil
			}
			p := li * ri
			if p/ri != li || (li == -1 && ri == math.MinInt64) || (ri == -1 && li == math.MinInt64) {
				return nil, ErrOverflow
			}
			return p, nil
		case "div":
			if ri == 0 {
				return nil, nil
			}
			return li / ri, nil
		case "%":
			if ri == 0 {
				return nil, nil
			}
			return li % ri, nil
		}
	}
	lf, lok := asFloat(l)
	rf, rok := asFloat(r)
	if !lok || !rok {
		return nil, typeMismatchf("executor: cannot apply %s to %s and %s", op, describe(l), describe(r))
	}
	switch op {
	case "+":
		return lf + rf, nil
	case "-":
		return lf - rf, nil
	case "*":
		return lf * rf, nil
	case "/":
		if rf == 0 {
			return nil, nil
		}
		return lf / rf, nil
	case "div":
		if rf == 0 {
			return nil, nil
		}
		return int64(math.Trunc(lf / rf)), nil
	case "%":
		if rf == 0 {
			return nil, nil
		}
		return math.Mod(lf, rf), nil
	}
	return nil, notSupportedf("executor: unknown operator %s", op)
}

func describe(v any) string {
	if s, ok := v.(string); ok {
		if len(s) > 20 {
			s = s[:20] + "…"
		}
		return fmt.Sprintf("string %q", s)
	}
	return fmt.Sprintf("%s %v", TypeOf(v), v)
}

// Neg is unary minus.
type Neg struct{ E Expr }

// Eval implements Expr.
func (n *Neg) Eval(row Row) (any, error) {
	v, err := n.E.Eval(row)
	if err != nil || v == nil {
		return nil, err
	}
	switch x := v.(type) {
	case int64:
		if x == math.MinInt64 {
			return nil, ErrOverflow
		}
		return -x, nil
	case float64:
		return -x, nil
	}
	if f, ok := asFloat(v); ok {
		return -f, nil
	}
	return nil, typeMismatchf("executor: cannot negate %s", describe(v))
}

// When is one WHEN … THEN … arm of a CASE.
type When struct{ Cond, Then Expr }

// Case is CASE [operand] WHEN … THEN … [ELSE …] END.
type Case struct {
	Operand Expr // nil for the searched form
	Whens   []When
	Else    Expr // nil = NULL
}

// Eval implements Expr.
func (c *Case) Eval(row Row) (any, error) {
	var op any
	if c.Operand != nil {
		v, err := c.Operand.Eval(row)
		if err != nil {
			return nil, err
		}
		op = v
	}
	for _, w := range c.Whens {
		cv, err := w.Cond.Eval(row)
		if err != nil {
			return nil, err
		}
		var hit bool
		if c.Operand != nil {
			n, ok := Compare(op, cv)
			hit = ok && n == 0
		} else {
			b, known := Truth(cv)
			hit = known && b
		}
		if hit {
			return w.Then.Eval(row)
		}
	}
	if c.Else == nil {
		return nil, nil
	}
	return c.Else.Eval(row)
}

// Cast is CAST(E AS type).
type Cast struct {
	E    Expr
	Type Type
}

// Eval implements Expr.
func (c *Cast) Eval(row Row) (any, error) {
	v, err := c.E.Eval(row)
	if err != nil {
		return nil, err
	}
	out, err := Convert(v, c.Type)
	if err != nil {
		return nil, fmt.Errorf("executor: CAST: %w", err)
	}
	return out, nil
}

// Call is a scalar function call.
type Call struct {
	Name string
	// Fn computes the result. It must not keep args after it returns:
	// Eval passes the same slice again on the next row.
	Fn   func(args []any) (any, error)
	Args []Expr

	// spare is the argument slice Eval reuses from row to row. Eval takes
	// it with Swap and puts it back when done, so concurrent Evals never
	// share one (the loser of a race allocates its own).
	spare atomic.Pointer[[]any]
}

// Eval implements Expr.
func (c *Call) Eval(row Row) (any, error) {
	p := c.spare.Swap(nil)
	if p == nil || len(*p) != len(c.Args) {
		args := make([]any, len(c.Args))
		p = &args
	}
	args := *p
	defer func() {
		clear(args) // hold no values of this row
		c.spare.Store(p)
	}()
	for i, a := range c.Args {
		v, err := a.Eval(row)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	v, err := c.Fn(args)
	if err != nil {
		return nil, fmt.Errorf("executor: %s: %w", c.Name, err)
	}
	return v, nil
}

// Lazy is evaluated with all its arguments unevaluated (COALESCE, IF).
type Lazy struct {
	Name string
	Fn   func(row Row, args []Expr) (any, error)
	Args []Expr
}

// Eval implements Expr.
func (l *Lazy) Eval(row Row) (any, error) { return l.Fn(row, l.Args) }
