package planner

import (
	"cmp"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"time"

	"github.com/xwb1989/sqlparser"
)

// Partition is a query prepared for range partitioning on one column
// (the driver root's Partitioning holds the rules). It is the SQL rewriting
// only: the root runs the queries that fill in bounds and nullability.
type Partition struct {
	query string
	o     ParseOptions
	sel   *sqlparser.Select
	col   *sqlparser.ColName
}

// ParsePartition reads a query and the column to partition it on. The
// query must be one SELECT without GROUP BY, aggregates, DISTINCT or LIMIT,
// which would mean something else per partition; column is a column name
// as the query writes it (id, p.id); o says how to read both.
func ParsePartition(query, column string, o ParseOptions) (*Partition, error) {
	col, err := partitionColumn(column, o)
	if err != nil {
		return nil, err
	}
	sel, err := partitionSelect(query, o)
	if err != nil {
		return nil, err
	}
	return &Partition{query: query, o: o, sel: sel, col: col}, nil
}

// Split returns the partition queries: the range lower..upper cut into n
// strides, each stride's predicate added to the WHERE as a conjunct; the
// first also takes the NULLs unless notNull. With no cut (n is 1, or the
// bounds are equal) it is the query itself, as given.
func (p *Partition) Split(lower, upper any, n int, notNull bool) ([]string, error) {
	cuts, err := partitionCuts(lower, upper, n)
	if err != nil {
		return nil, err
	}
	if len(cuts) == 0 {
		return []string{p.query}, nil
	}
	col := p.col
	out := make([]string, 0, len(cuts)+1)
	for i := 0; i <= len(cuts); i++ {
		var conds []sqlparser.Expr
		if i > 0 {
			conds = append(conds, &sqlparser.ComparisonExpr{Operator: sqlparser.GreaterEqualStr, Left: col, Right: cuts[i-1]})
		}
		if i < len(cuts) {
			lt := sqlparser.Expr(&sqlparser.ComparisonExpr{Operator: sqlparser.LessThanStr, Left: col, Right: cuts[i]})
			if i == 0 && !notNull {
				lt = &sqlparser.ParenExpr{Expr: &sqlparser.OrExpr{Left: lt, Right: &sqlparser.IsExpr{Operator: sqlparser.IsNullStr, Expr: col}}}
			}
			conds = append(conds, lt)
		}
		pred := conds[0]
		if len(conds) == 2 {
			pred = &sqlparser.AndExpr{Left: conds[0], Right: conds[1]}
		}
		sel, _ := partitionSelect(p.query, p.o)
		if sel.Where == nil {
			sel.Where = sqlparser.NewWhere(sqlparser.WhereStr, pred)
		} else {
			sel.Where.Expr = &sqlparser.AndExpr{Left: &sqlparser.ParenExpr{Expr: sel.Where.Expr}, Right: pred}
		}
		q, err := partitionSQL(sel)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, nil
}

// BoundsSQL is SELECT MIN(column), MAX(column) with the query's FROM and
// WHERE, so that its filters are pushed as usual.
func (p *Partition) BoundsSQL() (string, error) {
	agg := func(name string) sqlparser.SelectExpr {
		return &sqlparser.AliasedExpr{Expr: &sqlparser.FuncExpr{Name: sqlparser.NewColIdent(name), Exprs: sqlparser.SelectExprs{&sqlparser.AliasedExpr{Expr: p.col}}}}
	}
	b := *p.sel
	b.SelectExprs = sqlparser.SelectExprs{agg("min"), agg("max")}
	b.OrderBy = nil
	return partitionSQL(&b)
}

// ColumnName is the partition column as SQL (p.id).
func (p *Partition) ColumnName() string { return sqlparser.String(p.col) }

// ColumnTable returns the table the partition column belongs to (its name
// parts as the query writes them, catalog and schema optional) and the
// column's name. ok is false at any doubt: a LEFT JOIN, a comma join, a
// derived table, a qualifier that names no table.
func (p *Partition) ColumnTable() (table []string, column string, ok bool) {
	sel, col := p.sel, p.col
	var tables []*sqlparser.AliasedTableExpr
	var walk func(t sqlparser.TableExpr) bool
	walk = func(t sqlparser.TableExpr) bool {
		switch x := t.(type) {
		case *sqlparser.AliasedTableExpr:
			if _, ok := x.Expr.(sqlparser.TableName); !ok {
				return false
			}
			tables = append(tables, x)
			return true
		case *sqlparser.JoinTableExpr:
			return x.Join == sqlparser.JoinStr && walk(x.LeftExpr) && walk(x.RightExpr)
		case *sqlparser.ParenTableExpr:
			for _, e := range x.Exprs {
				if !walk(e) {
					return false
				}
			}
			return true
		}
		return false
	}
	for _, t := range sel.From {
		if !walk(t) {
			return nil, "", false
		}
	}
	if len(sel.From) != 1 {
		return nil, "", false // a comma join: leave it
	}
	var target []string
	qual := col.Qualifier.Name.String()
	for _, t := range tables {
		name := t.Expr.(sqlparser.TableName)
		parts := partitionTableParts(name)
		alias := t.As.String()
		if alias == "" {
			alias = parts[len(parts)-1]
		}
		if qual == "" && len(tables) == 1 || qual != "" && strings.EqualFold(qual, alias) && col.Qualifier.Qualifier.IsEmpty() {
			target = parts
		}
	}
	if target == nil {
		return nil, "", false
	}
	return target, col.Name.String(), true
}

// MatchesColumn reports whether catalogName.schema.table.column (a row of
// sys_tablecolumns) is the partition column: the column's name and the
// table's parts as the query writes them, compared case-insensitively.
func (p *Partition) MatchesColumn(catalogName, schema, table, column string) bool {
	target, name, ok := p.ColumnTable()
	return ok && strings.EqualFold(column, name) && partitionSuffixFold([]string{catalogName, schema, table}, target)
}

// partitionColumn parses a column name (id, p.id, catalog.schema.table.id).
func partitionColumn(column string, o ParseOptions) (*sqlparser.ColName, error) {
	bad := invalidf("planner: partitions: %q is not a column name", column)
	if strings.TrimSpace(column) == "" || strings.ContainsAny(column, ";\x1f") {
		return nil, bad
	}
	p, err := ParseWith("SELECT "+column+" FROM dual", o)
	if err != nil {
		return nil, bad
	}
	sel, ok := p.Stmt.(*sqlparser.Select)
	if !ok || len(sel.SelectExprs) != 1 || len(sel.From) != 1 || sqlparser.String(sel.From) != "dual" || sel.Where != nil {
		return nil, bad
	}
	ae, ok := sel.SelectExprs[0].(*sqlparser.AliasedExpr)
	if !ok || !ae.As.IsEmpty() {
		return nil, bad
	}
	col, ok := ae.Expr.(*sqlparser.ColName)
	if !ok {
		return nil, bad
	}
	return col, nil
}

// partitionSelect parses a query that can be partitioned.
func partitionSelect(query string, o ParseOptions) (*sqlparser.Select, error) {
	if strings.Contains(query, "\x1f") {
		return nil, invalidf("planner: partitions: the query contains a control character (0x1f)")
	}
	p, err := ParseWith(query, o)
	if err != nil {
		return nil, err
	}
	sel, ok := p.Stmt.(*sqlparser.Select)
	switch {
	case p.Explain:
		return nil, notSupportedf("planner: partitions: cannot partition an EXPLAIN")
	case !ok:
		return nil, notSupportedf("planner: partitions: the query must be one SELECT (not a UNION or another statement)")
	case sel.Limit != nil:
		return nil, notSupportedf("planner: partitions: a query with LIMIT cannot be partitioned (each partition would apply it)")
	case len(sel.GroupBy) > 0 || sel.Having != nil || partitionHasAggregate(sel.SelectExprs):
		return nil, notSupportedf("planner: partitions: a query with GROUP BY or aggregates cannot be partitioned (each partition would aggregate apart)")
	case sel.Distinct != "":
		return nil, notSupportedf("planner: partitions: a SELECT DISTINCT cannot be partitioned (a value could repeat across partitions)")
	}
	return sel, nil
}

func partitionHasAggregate(n sqlparser.SQLNode) bool {
	found := false
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		switch x := node.(type) {
		case *sqlparser.FuncExpr:
			if x.IsAggregate() {
				found = true
				return false, nil
			}
		case *sqlparser.Subquery:
			return false, nil
		}
		return true, nil
	}, n)
	return found
}

// partitionSQL prints a statement parsed by Parse back to SQL that
// it reads again: three- and four-part names, which Parse rewrites to a
// quoted name holding the 0x1f separator, are written back as `a`.`b`.
func partitionSQL(stmt sqlparser.SQLNode) (string, error) {
	q := strings.ReplaceAll(sqlparser.String(stmt), "\x1f", "`.`")
	if _, err := Parse(q); err != nil {
		return "", fmt.Errorf("planner: partitions: the rewritten query does not parse (%v): %s", err, q)
	}
	return q, nil
}

// partitionTableParts splits a table name parsed by Parse into its parts.
func partitionTableParts(t sqlparser.TableName) []string {
	var parts []string
	if !t.Qualifier.IsEmpty() {
		parts = append(parts, strings.Split(t.Qualifier.String(), "\x1f")...)
	}
	return append(parts, strings.Split(t.Name.String(), "\x1f")...)
}

// partitionSuffixFold reports whether want is a case-insensitive suffix of have.
func partitionSuffixFold(have, want []string) bool {
	if len(want) > len(have) {
		return false
	}
	off := len(have) - len(want)
	for i, w := range want {
		if !strings.EqualFold(have[off+i], w) {
			return false
		}
	}
	return true
}

// partitionCuts returns the n-1 points that cut lower..upper into n strides,
// as SQL literals, without repeats (so fewer for a narrow integer range).
func partitionCuts(lower, upper any, n int) ([]sqlparser.Expr, error) {
	lo, err := partitionBoundValue(lower)
	if err != nil {
		return nil, fmt.Errorf("planner: partitions: lower bound: %w", err)
	}
	hi, err := partitionBoundValue(upper)
	if err != nil {
		return nil, fmt.Errorf("planner: partitions: upper bound: %w", err)
	}
	lo, hi = partitionUnifyBounds(lo, hi)
	if lo.kind != hi.kind {
		return nil, typeMismatchf("planner: partitions: the bounds %v and %v are not of one type", lower, upper)
	}
	if lo.cmp(hi) > 0 {
		return nil, invalidf("planner: partitions: the lower bound %v is above the upper bound %v", lower, upper)
	}
	var cuts []sqlparser.Expr
	prev := lo
	for i := 1; i < n; i++ {
		c := lo.cut(hi, i, n)
		if c.cmp(prev) <= 0 {
			continue // a narrow range: this stride is empty
		}
		prev = c
		cuts = append(cuts, c.literal())
	}
	return cuts, nil
}

type partitionBoundKind int

const (
	boundInt partitionBoundKind = iota
	boundFloat
	boundTime
)

// partitionBound is a partition bound: an integer (int, or a time in nanoseconds
// since the epoch) or a float.
type partitionBound struct {
	kind partitionBoundKind
	i    *big.Int
	f    float64
	loc  *time.Location
}

func partitionBoundValue(v any) (partitionBound, error) {
	switch x := v.(type) {
	case int:
		return partitionBound{kind: boundInt, i: big.NewInt(int64(x))}, nil
	case int8:
		return partitionBound{kind: boundInt, i: big.NewInt(int64(x))}, nil
	case int16:
		return partitionBound{kind: boundInt, i: big.NewInt(int64(x))}, nil
	case int32:
		return partitionBound{kind: boundInt, i: big.NewInt(int64(x))}, nil
	case int64:
		return partitionBound{kind: boundInt, i: big.NewInt(x)}, nil
	case uint:
		return partitionBound{kind: boundInt, i: new(big.Int).SetUint64(uint64(x))}, nil
	case uint8:
		return partitionBound{kind: boundInt, i: big.NewInt(int64(x))}, nil
	case uint16:
		return partitionBound{kind: boundInt, i: big.NewInt(int64(x))}, nil
	case uint32:
		return partitionBound{kind: boundInt, i: big.NewInt(int64(x))}, nil
	case uint64:
		return partitionBound{kind: boundInt, i: new(big.Int).SetUint64(x)}, nil
	case float32:
		return partitionBoundValue(float64(x))
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return partitionBound{}, fmt.Errorf("%v is not a finite number", x)
		}
		return partitionBound{kind: boundFloat, f: x}, nil
	case time.Time:
		ns := new(big.Int).Mul(big.NewInt(x.Unix()), big.NewInt(int64(time.Second)))
		return partitionBound{kind: boundTime, i: ns.Add(ns, big.NewInt(int64(x.Nanosecond()))), loc: x.Location()}, nil
	case []byte:
		return partitionBoundValue(string(x))
	case string:
		s := strings.TrimSpace(x)
		if i, ok := new(big.Int).SetString(s, 10); ok {
			return partitionBound{kind: boundInt, i: i}, nil
		}
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return partitionBoundValue(f)
		}
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", time.DateOnly} {
			if t, err := time.Parse(layout, s); err == nil {
				return partitionBoundValue(t)
			}
		}
		return partitionBound{}, fmt.Errorf("%q is not a number or a time (RFC 3339 or 2006-01-02)", x)
	case nil:
		return partitionBound{}, errors.New("no value")
	}
	return partitionBound{}, fmt.Errorf("%v (%T) is not a number or a time", v, v)
}

// partitionUnifyBounds makes an int and a float bound both floats.
func partitionUnifyBounds(a, b partitionBound) (partitionBound, partitionBound) {
	toFloat := func(x partitionBound) partitionBound {
		f, _ := new(big.Float).SetInt(x.i).Float64()
		return partitionBound{kind: boundFloat, f: f}
	}
	switch {
	case a.kind == boundInt && b.kind == boundFloat:
		a = toFloat(a)
	case a.kind == boundFloat && b.kind == boundInt:
		b = toFloat(b)
	}
	return a, b
}

func (b partitionBound) cmp(o partitionBound) int {
	if b.kind == boundFloat {
		return cmp.Compare(b.f, o.f)
	}
	return b.i.Cmp(o.i)
}

// cut returns the i-th of the n-1 points that cut the range from b to
// hi. Integers cut the hi-b+1 values the range holds, so that the strides
// are even; times and floats cut the interval.
func (b partitionBound) cut(hi partitionBound, i, n int) partitionBound {
	if b.kind == boundFloat {
		return partitionBound{kind: boundFloat, f: b.f + (hi.f-b.f)*float64(i)/float64(n)}
	}
	span := new(big.Int).Sub(hi.i, b.i)
	if b.kind == boundInt {
		span.Add(span, big.NewInt(1))
	}
	v := span.Mul(span, big.NewInt(int64(i)))
	v.Quo(v, big.NewInt(int64(n)))
	return partitionBound{kind: b.kind, i: v.Add(v, b.i), loc: b.loc}
}

// literal writes the bound as a SQL literal: a number, or a time as an
// RFC 3339 string in the lower bound's time zone.
func (b partitionBound) literal() sqlparser.Expr {
	switch b.kind {
	case boundFloat:
		s := strconv.FormatFloat(b.f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".eE") {
			s += ".0"
		}
		return sqlparser.NewFloatVal([]byte(s))
	case boundTime:
		sec, ns := new(big.Int).QuoRem(b.i, big.NewInt(int64(time.Second)), new(big.Int))
		if ns.Sign() < 0 {
			sec.Sub(sec, big.NewInt(1))
			ns.Add(ns, big.NewInt(int64(time.Second)))
		}
		return sqlparser.NewStrVal([]byte(time.Unix(sec.Int64(), ns.Int64()).In(b.loc).Format(time.RFC3339Nano)))
	}
	return sqlparser.NewIntVal([]byte(b.i.String()))
}
