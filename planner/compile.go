package planner

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/xwb1989/sqlparser"

	ex "github.com/restsql/restsql/executor"
)

// typed is a compiled expression with its static type ("" = unknown).
type typed struct {
	e   ex.Expr
	typ ex.Type
}

// aggCtx maps expressions above a GROUP BY to the aggregate's output slots.
type aggCtx struct {
	input     *compiler // compiles group keys and aggregate arguments
	groupKeys []string
	groupCols []*scopeCol
	groupTyps []ex.Type
	aggKeys   []string
	aggs      []ex.AggSpec
	aggTyps   []ex.Type
}

// compiler turns parser expressions into executor expressions.
type compiler struct {
	q   *query
	sc  *scope
	agg *aggCtx
	// noAgg names the clause when aggregates are not allowed (WHERE, ON).
	noAgg string
	// aliases, when set, lets an unqualified name that is no column refer
	// to a select-list alias (HAVING).
	aliases []selectItem
}

var aggregateNames = map[string]bool{"COUNT": true, "SUM": true, "AVG": true, "MIN": true, "MAX": true}

func isAggregate(e sqlparser.Expr) bool {
	f, ok := e.(*sqlparser.FuncExpr)
	return ok && f.Qualifier.IsEmpty() && aggregateNames[strings.ToUpper(f.Name.String())]
}

// hasAggregate reports whether e contains an aggregate call (outside subqueries).
func hasAggregate(node sqlparser.SQLNode) bool {
	found := false
	_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
		switch x := n.(type) {
		case *sqlparser.Subquery:
			return false, nil
		case sqlparser.Expr:
			if isAggregate(x) {
				found = true
				return false, nil
			}
		}
		return true, nil
	}, node)
	return found
}

func exprKey(e sqlparser.SQLNode) string { return strings.ToLower(sqlparser.String(e)) }

func (c *compiler) compile(e sqlparser.Expr) (typed, error) {
	if cn, ok := e.(*sqlparser.ColName); ok && c.aliases != nil && cn.Qualifier.IsEmpty() {
		if it := c.alias(cn.Name.String()); it != nil {
			aliases := c.aliases
			c.aliases = nil // an alias's expression cannot name another alias
			t, err := c.compile(it.expr)
			c.aliases = aliases
			return t, err
		}
	}
	if c.agg != nil {
		if t, ok, err := c.aggRef(e); ok || err != nil {
			return t, err
		}
	}
	switch x := e.(type) {
	case *sqlparser.ParenExpr:
		return c.compile(x.Expr)
	case *sqlparser.AndExpr:
		l, r, err := c.pair(x.Left, x.Right)
		return typed{&ex.And{L: l.e, R: r.e}, ex.TypeBool}, err
	case *sqlparser.OrExpr:
		l, r, err := c.pair(x.Left, x.Right)
		return typed{&ex.Or{L: l.e, R: r.e}, ex.TypeBool}, err
	case *sqlparser.NotExpr:
		in, err := c.compile(x.Expr)
		return typed{&ex.Not{E: in.e}, ex.TypeBool}, err
	case *sqlparser.ComparisonExpr:
		return c.comparison(x)
	case *sqlparser.RangeCond:
		v, err := c.compile(x.Left)
		if err != nil {
			return typed{}, err
		}
		col := c.baseColumn(x.Left)
		from, err := c.operand(col, x.From)
		if err != nil {
			return typed{}, err
		}
		to, err := c.operand(col, x.To)
		if err != nil {
			return typed{}, err
		}
		var res ex.Expr = &ex.And{L: &ex.Cmp{Op: ">=", L: v.e, R: from.e}, R: &ex.Cmp{Op: "<=", L: v.e, R: to.e}}
		if x.Operator == sqlparser.NotBetweenStr {
			res = &ex.Not{E: res}
		}
		return typed{res, ex.TypeBool}, nil
	case *sqlparser.IsExpr:
		in, err := c.compile(x.Expr)
		if err != nil {
			return typed{}, err
		}
		switch x.Operator {
		case sqlparser.IsNullStr:
			return typed{&ex.IsNull{E: in.e}, ex.TypeBool}, nil
		case sqlparser.IsNotNullStr:
			return typed{&ex.IsNull{E: in.e, Negate: true}, ex.TypeBool}, nil
		case sqlparser.IsTrueStr:
			return typed{&ex.IsBool{E: in.e, Want: true}, ex.TypeBool}, nil
		case sqlparser.IsNotTrueStr:
			return typed{&ex.IsBool{E: in.e, Want: true, Negate: true}, ex.TypeBool}, nil
		case sqlparser.IsFalseStr:
			return typed{&ex.IsBool{E: in.e, Want: false}, ex.TypeBool}, nil
		case sqlparser.IsNotFalseStr:
			return typed{&ex.IsBool{E: in.e, Want: false, Negate: true}, ex.TypeBool}, nil
		}
	case *sqlparser.SQLVal:
		v, err := c.q.literal(x)
		if err != nil {
			return typed{}, err
		}
		return typed{&ex.Const{V: v}, ex.TypeOf(v)}, nil
	case *sqlparser.NullVal:
		return typed{&ex.Const{V: nil}, ex.TypeAny}, nil
	case sqlparser.BoolVal:
		return typed{&ex.Const{V: bool(x)}, ex.TypeBool}, nil
	case *sqlparser.ColName:
		col, err := c.sc.resolve(colQual(x), x.Name.String())
		if err != nil {
			return typed{}, err
		}
		if col.rel != nil && col.rel.used != nil {
			col.rel.used[col.colIdx] = true
		}
		return typed{&ex.Col{Idx: col.idx}, col.typ}, nil
	case *sqlparser.BinaryExpr:
		if iv, ok := x.Right.(*sqlparser.IntervalExpr); ok && (x.Operator == "+" || x.Operator == "-") {
			name := "DATE_ADD"
			if x.Operator == "-" {
				name = "DATE_SUB"
			}
			return c.interval(name, x.Left, iv)
		}
		if iv, ok := x.Left.(*sqlparser.IntervalExpr); ok && x.Operator == "+" {
			return c.interval("DATE_ADD", x.Right, iv)
		}
		l, r, err := c.pair(x.Left, x.Right)
		if err != nil {
			return typed{}, err
		}
		switch x.Operator {
		case "+", "-", "*":
			t := ex.TypeFloat
			if l.typ == ex.TypeInt && r.typ == ex.TypeInt {
				t = ex.TypeInt
			}
			return typed{&ex.Arith{Op: x.Operator, L: l.e, R: r.e}, t}, nil
		case "/":
			return typed{&ex.Arith{Op: "/", L: l.e, R: r.e}, ex.TypeFloat}, nil
		case sqlparser.IntDivStr:
			return typed{&ex.Arith{Op: "div", L: l.e, R: r.e}, ex.TypeInt}, nil
		case sqlparser.ModStr, "mod":
			t := ex.TypeFloat
			if l.typ == ex.TypeInt && r.typ == ex.TypeInt {
				t = ex.TypeInt
			}
			return typed{&ex.Arith{Op: "%", L: l.e, R: r.e}, t}, nil
		}
		return typed{}, notSupportedf("planner: operator %s is not supported", x.Operator)
	case *sqlparser.UnaryExpr:
		in, err := c.compile(x.Expr)
		if err != nil {
			return typed{}, err
		}
		switch x.Operator {
		case sqlparser.UMinusStr:
			return typed{&ex.Neg{E: in.e}, in.typ}, nil
		case sqlparser.UPlusStr:
			return in, nil
		case sqlparser.BangStr:
			return typed{&ex.Not{E: in.e}, ex.TypeBool}, nil
		}
		return typed{}, notSupportedf("planner: unary operator %s is not supported", x.Operator)
	case *sqlparser.CaseExpr:
		return c.caseExpr(x)
	case *sqlparser.ConvertExpr:
		in, err := c.compile(x.Expr)
		if err != nil {
			return typed{}, err
		}
		t, err := castType(x.Type)
		if err != nil {
			return typed{}, err
		}
		out, err := castModifiers(&ex.Cast{E: in.e, Type: t}, x.Type)
		return typed{out, t}, err
	case *sqlparser.SubstrExpr:
		args := []sqlparser.Expr{x.Name, x.From}
		if x.To != nil {
			args = append(args, x.To)
		}
		return c.call("SUBSTR", args)
	case *sqlparser.FuncExpr:
		return c.funcExpr(x)
	case *sqlparser.IntervalExpr:
		return typed{}, invalidf("planner: %s is supported only added to or subtracted from a datetime (d + INTERVAL 1 DAY, DATE_ADD(d, INTERVAL 1 DAY))", sqlparser.String(x))
	case *sqlparser.Subquery:
		return c.scalarSubquery(x)
	case *sqlparser.ExistsExpr:
		return c.exists(x)
	case sqlparser.ValTuple:
		return typed{}, invalidf("planner: a row value %s is only allowed after IN", sqlparser.String(x))
	}
	return typed{}, notSupportedf("planner: %s is not supported", describeNode(e))
}

func describeNode(e sqlparser.SQLNode) string {
	name := fmt.Sprintf("%T", e)
	name = strings.TrimPrefix(strings.TrimPrefix(name, "*"), "sqlparser.")
	return fmt.Sprintf("%s (%s)", sqlparser.String(e), name)
}

func (c *compiler) pair(a, b sqlparser.Expr) (typed, typed, error) {
	l, err := c.compile(a)
	if err != nil {
		return typed{}, typed{}, err
	}
	r, err := c.compile(b)
	return l, r, err
}

func colQual(x *sqlparser.ColName) []string {
	return nameParts(x.Qualifier)
}

func (c *compiler) comparison(x *sqlparser.ComparisonExpr) (typed, error) {
	switch x.Operator {
	case sqlparser.InStr, sqlparser.NotInStr:
		l, err := c.compile(x.Left)
		if err != nil {
			return typed{}, err
		}
		neg := x.Operator == sqlparser.NotInStr
		switch r := x.Right.(type) {
		case sqlparser.ValTuple:
			col := c.baseColumn(x.Left)
			list := make([]ex.Expr, len(r))
			for i, it := range r {
				t, err := c.operand(col, it)
				if err != nil {
					return typed{}, err
				}
				list[i] = t.e
			}
			return typed{&ex.In{E: l.e, List: list, Negate: neg}, ex.TypeBool}, nil
		case *sqlparser.Subquery:
			load, err := c.q.subquery(r, c.sc, 1)
			if err != nil {
				return typed{}, err
			}
			return typed{&ex.InSet{E: l.e, Negate: neg, Load: func() ([]any, error) {
				rows, err := load()
				if err != nil {
					return nil, err
				}
				vals := make([]any, len(rows))
				for i, row := range rows {
					vals[i] = row[0]
				}
				return vals, nil
			}}, ex.TypeBool}, nil
		}
		return typed{}, invalidf("planner: IN needs a list or a subquery, got %s", sqlparser.String(x.Right))
	case sqlparser.LikeStr, sqlparser.NotLikeStr:
		l, r, err := c.pair(x.Left, x.Right)
		if err != nil {
			return typed{}, err
		}
		esc := '\\'
		if x.Escape != nil {
			e, err := c.compile(x.Escape)
			if err != nil {
				return typed{}, err
			}
			k, ok := e.e.(*ex.Const)
			s, isStr := k.V.(string)
			if !ok || !isStr || len([]rune(s)) != 1 {
				return typed{}, invalidf("planner: ESCAPE needs a single character")
			}
			esc = []rune(s)[0]
		}
		return typed{&ex.Like{E: l.e, Pattern: r.e, Escape: esc, Negate: x.Operator == sqlparser.NotLikeStr}, ex.TypeBool}, nil
	case "=", "!=", "<>", "<", "<=", ">", ">=", "<=>":
		// A literal or argument compared with a column takes the
		// column's type, or is an error (see columnValue).
		l, err := c.operand(c.baseColumn(x.Right), x.Left)
		if err != nil {
			return typed{}, err
		}
		r, err := c.operand(c.baseColumn(x.Left), x.Right)
		if err != nil {
			return typed{}, err
		}
		return typed{&ex.Cmp{Op: x.Operator, L: l.e, R: r.e}, ex.TypeBool}, nil
	}
	return typed{}, notSupportedf("planner: operator %s is not supported", strings.ToUpper(x.Operator))
}

func (c *compiler) caseExpr(x *sqlparser.CaseExpr) (typed, error) {
	out := &ex.Case{}
	if x.Expr != nil {
		op, err := c.compile(x.Expr)
		if err != nil {
			return typed{}, err
		}
		out.Operand = op.e
	}
	var typ ex.Type
	merge := func(t ex.Type) {
		switch {
		case t == "":
		case typ == "":
			typ = t
		case typ != t && (typ == ex.TypeInt || typ == ex.TypeFloat) && (t == ex.TypeInt || t == ex.TypeFloat):
			typ = ex.TypeFloat
		case typ != t:
			typ = ex.TypeString
		}
	}
	for _, w := range x.Whens {
		cond, then, err := c.pair(w.Cond, w.Val)
		if err != nil {
			return typed{}, err
		}
		merge(then.typ)
		out.Whens = append(out.Whens, ex.When{Cond: cond.e, Then: then.e})
	}
	if x.Else != nil {
		el, err := c.compile(x.Else)
		if err != nil {
			return typed{}, err
		}
		merge(el.typ)
		out.Else = el.e
	}
	return typed{out, typ}, nil
}

func castType(t *sqlparser.ConvertType) (ex.Type, error) {
	switch strings.ToLower(t.Type) {
	case "signed", "unsigned", "int", "integer", "bigint", "signed integer", "unsigned integer":
		return ex.TypeInt, nil
	case "char", "varchar", "text", "string", "nchar":
		return ex.TypeString, nil
	case "decimal", "float", "double", "real", "numeric":
		return ex.TypeFloat, nil
	case "datetime", "date", "timestamp":
		return ex.TypeDatetime, nil
	case "json":
		return ex.TypeJSON, nil
	case "bool", "boolean":
		return ex.TypeBool, nil
	}
	return "", notSupportedf("planner: CAST to %s is not supported (use SIGNED, UNSIGNED, CHAR, DECIMAL, DATETIME, DATE or JSON)", t.Type)
}

// castModifiers applies what a CAST type says beyond its type, as MySQL
// does: DATE drops the time of day, DECIMAL(m[,d]) rounds to d decimals (0
// when only m is given) and CHAR(n) keeps the first n characters. A bare
// DECIMAL is a float, unrounded.
func castModifiers(e ex.Expr, t *sqlparser.ConvertType) (ex.Expr, error) {
	size := func(v *sqlparser.SQLVal) (int64, error) {
		if v == nil {
			return 0, nil
		}
		n, err := strconv.ParseInt(string(v.Val), 10, 64)
		if err != nil || n < 0 {
			return 0, invalidf("planner: CAST to %s: bad size %s", sqlparser.String(t), v.Val)
		}
		return n, nil
	}
	call := func(name string, args ...ex.Expr) ex.Expr {
		fn := ex.Funcs[name].Fn
		return &ex.Call{Name: "CAST", Args: args, Fn: func(a []any) (any, error) {
			if a[0] == nil {
				return nil, nil
			}
			return fn(a)
		}}
	}
	switch strings.ToLower(t.Type) {
	case "date":
		return call("DATE", e), nil
	case "decimal":
		if t.Length == nil && t.Scale == nil {
			return e, nil
		}
		d, err := size(t.Scale)
		if err != nil {
			return nil, err
		}
		return call("ROUND", e, &ex.Const{V: d}), nil
	case "char", "nchar":
		if t.Length == nil {
			return e, nil
		}
		n, err := size(t.Length)
		if err != nil {
			return nil, err
		}
		return call("SUBSTR", e, &ex.Const{V: int64(1)}, &ex.Const{V: n}), nil
	}
	return e, nil
}

func (c *compiler) funcExpr(x *sqlparser.FuncExpr) (typed, error) {
	name := strings.ToUpper(x.Name.String())
	if !x.Qualifier.IsEmpty() {
		return typed{}, notSupportedf("planner: function %s.%s is not supported", x.Qualifier.String(), x.Name.String())
	}
	if aggregateNames[name] {
		if c.noAgg != "" {
			return typed{}, groupingf("planner: aggregate %s is not allowed in %s", sqlparser.String(x), c.noAgg)
		}
		return typed{}, groupingf("planner: aggregate %s is not allowed here", sqlparser.String(x))
	}
	if x.Distinct {
		return typed{}, invalidf("planner: DISTINCT is only allowed in aggregates, not in %s", name)
	}
	args := make([]sqlparser.Expr, 0, len(x.Exprs))
	for _, se := range x.Exprs {
		ae, ok := se.(*sqlparser.AliasedExpr)
		if !ok {
			return typed{}, notSupportedf("planner: %s(*) is not supported", name)
		}
		args = append(args, ae.Expr)
	}
	switch name {
	case "NOW", "CURRENT_TIMESTAMP", "SYSDATE", "UTC_TIMESTAMP":
		if len(args) != 0 {
			return typed{}, invalidf("planner: %s takes no arguments", name)
		}
		return typed{&ex.Const{V: c.q.now}, ex.TypeDatetime}, nil
	case "CURDATE", "CURRENT_DATE", "UTC_DATE":
		y, m, d := c.q.now.Date()
		return typed{&ex.Const{V: time.Date(y, m, d, 0, 0, 0, 0, c.q.now.Location())}, ex.TypeDatetime}, nil
	}
	if unit := extractUnit(name); unit != "" {
		name = unit // EXTRACT(YEAR FROM d), rewritten by Parse
	}
	if name == "DATE_ADD" || name == "DATE_SUB" || name == "ADDDATE" || name == "SUBDATE" {
		iv, ok := (*sqlparser.IntervalExpr)(nil), len(args) == 2
		if ok {
			iv, ok = args[1].(*sqlparser.IntervalExpr)
		}
		if !ok {
			return typed{}, invalidf("planner: %s takes a datetime and an INTERVAL n unit", name)
		}
		if name == "ADDDATE" {
			name = "DATE_ADD"
		} else if name == "SUBDATE" {
			name = "DATE_SUB"
		}
		return c.interval(name, args[0], iv)
	}
	return c.call(name, args)
}

// interval compiles d ± INTERVAL n unit as DATE_ADD or DATE_SUB(d, n, unit).
func (c *compiler) interval(name string, d sqlparser.Expr, iv *sqlparser.IntervalExpr) (typed, error) {
	unit := strings.ToUpper(iv.Unit)
	if !slices.Contains(ex.IntervalUnits, unit) {
		return typed{}, notSupportedf("planner: INTERVAL unit %s is not supported (%s are)", iv.Unit, strings.Join(ex.IntervalUnits, ", "))
	}
	return c.call(name, []sqlparser.Expr{d, iv.Expr, sqlparser.NewStrVal([]byte(unit))})
}

func (c *compiler) call(name string, args []sqlparser.Expr) (typed, error) {
	f := c.q.function(name)
	if f == nil {
		return typed{}, unknownFunctionf("planner: unknown function %s", name)
	}
	if len(args) < f.MinArgs || (f.MaxArgs >= 0 && len(args) > f.MaxArgs) {
		want := strconv.Itoa(f.MinArgs)
		switch {
		case f.MaxArgs < 0:
			want += " or more"
		case f.MaxArgs != f.MinArgs:
			want += " to " + strconv.Itoa(f.MaxArgs)
		}
		return typed{}, invalidf("planner: %s takes %s arguments, got %d", name, want, len(args))
	}
	cargs := make([]ex.Expr, len(args))
	typ := f.Type
	for i, a := range args {
		t, err := c.compile(a)
		if err != nil {
			return typed{}, err
		}
		cargs[i] = t.e
		if f.Type == "" && typ == "" {
			typ = t.typ
		}
	}
	if f.Lazy != nil {
		return typed{&ex.Lazy{Name: name, Fn: f.Lazy, Args: cargs}, typ}, nil
	}
	fn := f.Fn
	if !f.NullAware {
		inner := fn
		fn = func(a []any) (any, error) {
			for _, v := range a {
				if v == nil {
					return nil, nil
				}
			}
			return inner(a)
		}
	}
	return typed{&ex.Call{Name: name, Fn: fn, Args: cargs}, typ}, nil
}

func (c *compiler) scalarSubquery(x *sqlparser.Subquery) (typed, error) {
	load, err := c.q.subquery(x, c.sc, 1)
	if err != nil {
		return typed{}, err
	}
	return typed{&ex.Scalar{Load: func() (any, error) {
		rows, err := load()
		if err != nil {
			return nil, err
		}
		switch len(rows) {
		case 0:
			return nil, nil
		case 1:
			return rows[0][0], nil
		}
		return nil, cardinalityf("planner: scalar subquery %s returned %d rows", sqlparser.String(x), len(rows))
	}}, ex.TypeAny}, nil
}

func (c *compiler) exists(x *sqlparser.ExistsExpr) (typed, error) {
	load, err := c.q.subquery(x.Subquery, c.sc, -1)
	if err != nil {
		return typed{}, err
	}
	return typed{&ex.Scalar{Load: func() (any, error) {
		rows, err := load()
		if err != nil {
			return nil, err
		}
		return len(rows) > 0, nil
	}}, ex.TypeBool}, nil
}

// aggRef maps an expression above GROUP BY to a group key or aggregate slot.
func (c *compiler) aggRef(e sqlparser.Expr) (typed, bool, error) {
	a := c.agg
	if f, ok := e.(*sqlparser.FuncExpr); ok && isAggregate(f) {
		key := exprKey(f)
		for j, k := range a.aggKeys {
			if k == key {
				return typed{&ex.Col{Idx: len(a.groupKeys) + j}, a.aggTyps[j]}, true, nil
			}
		}
		spec, typ, err := a.input.aggSpec(f)
		if err != nil {
			return typed{}, true, err
		}
		a.aggKeys = append(a.aggKeys, key)
		a.aggs = append(a.aggs, spec)
		a.aggTyps = append(a.aggTyps, typ)
		return typed{&ex.Col{Idx: len(a.groupKeys) + len(a.aggs) - 1}, typ}, true, nil
	}
	key := exprKey(e)
	for i, k := range a.groupKeys {
		if k == key {
			return typed{&ex.Col{Idx: i}, a.groupTyps[i]}, true, nil
		}
	}
	if cn, ok := e.(*sqlparser.ColName); ok {
		col, err := a.input.sc.resolve(colQual(cn), cn.Name.String())
		if err != nil {
			return typed{}, true, err
		}
		for i, g := range a.groupCols {
			if g == col {
				return typed{&ex.Col{Idx: i}, a.groupTyps[i]}, true, nil
			}
		}
		return typed{}, true, groupingf("planner: column %s must appear in GROUP BY or be used in an aggregate", sqlparser.String(cn))
	}
	return typed{}, false, nil
}

// aggSpec compiles one aggregate call's argument against the input scope.
func (c *compiler) aggSpec(f *sqlparser.FuncExpr) (ex.AggSpec, ex.Type, error) {
	name := strings.ToUpper(f.Name.String())
	spec := ex.AggSpec{Func: name, Distinct: f.Distinct}
	if len(f.Exprs) != 1 {
		return spec, "", invalidf("planner: %s takes one argument", sqlparser.String(f))
	}
	switch a := f.Exprs[0].(type) {
	case *sqlparser.StarExpr:
		if name != "COUNT" || f.Distinct || !a.TableName.IsEmpty() {
			return spec, "", notSupportedf("planner: %s is not supported", sqlparser.String(f))
		}
		return spec, ex.TypeInt, nil
	case *sqlparser.AliasedExpr:
		if hasAggregate(a.Expr) {
			return spec, "", groupingf("planner: aggregates cannot be nested: %s", sqlparser.String(f))
		}
		inner := *c
		inner.noAgg = "an aggregate's argument"
		t, err := inner.compile(a.Expr)
		if err != nil {
			return spec, "", err
		}
		spec.Arg = t.e
		return spec, ex.AggregateType(name, t.typ), nil
	}
	return spec, "", notSupportedf("planner: %s is not supported", sqlparser.String(f))
}

// alias returns the select item an unqualified name refers to when it is
// an alias and not a column of the input (a column wins, as in MySQL).
func (c *compiler) alias(name string) *selectItem {
	in := c.sc
	if c.agg != nil {
		in = c.agg.input.sc
	}
	if in != nil {
		if _, err := in.resolve(nil, name); err == nil {
			return nil
		}
	}
	for i := range c.aliases {
		it := &c.aliases[i]
		if it.alias && it.expr != nil && strings.EqualFold(it.name, name) {
			return it
		}
	}
	return nil
}
