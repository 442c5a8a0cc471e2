package restsql

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/planner"
)

// Partitioning splits a query into range partitions of one column, the way
// Spark's and Glue's JDBC readers split a table (partitionColumn,
// lowerBound, upperBound, numPartitions), so that the partitions can be
// read concurrently.
//
// The N partitions cover the whole query: the range from Lower to Upper is
// cut into N strides, the first partition also takes everything below its
// upper bound, and the NULLs unless NotNull is set ("C < b1 OR C IS NULL"),
// the last takes everything from its lower bound up ("C >= b"), and the
// others "C >= a AND C < b". Each predicate is added to the query's WHERE
// as a conjunct, so the planner pushes it to the API like any other filter
// the profile supports (on an int column whose API has only inclusive
// bounds, "C < b" is sent as "C <= b-1"). The first partition's "OR C IS
// NULL" is not pushable: its range is checked in the driver.
type Partitioning struct {
	// Column is the column to split on, as the query names it (id, p.id).
	// Its values must be numbers or datetimes.
	Column string
	// Lower and Upper are the bounds of the strides: int, int64 (or any
	// integer type), float64, time.Time, or a string holding one of these
	// (RFC 3339 or 2006-01-02 for a time). Outside them nothing is lost:
	// the first and last partitions are open-ended. PartitionQueries takes
	// nil bounds from MIN and MAX of the column.
	Lower, Upper any
	// N is the number of partitions. An integer range narrower than N
	// gives fewer partitions, one per value.
	N int
	// NotNull says the column is never NULL (a key column): the first
	// partition then has no "OR C IS NULL", so its range is pushed too.
	NotNull bool
	// AnsiQuotes reads "name" in the query and the Column as an identifier,
	// as a connection with the DSN's AnsiQuotes=true does. PartitionQueries
	// sets it from its database's connections.
	AnsiQuotes bool
}

// Partitions returns the n partition queries of query on column between
// lower and upper (see Partitioning; NULLs go to the first partition). It
// is Partitioning{Column: column, Lower: lower, Upper: upper, N: n}.Split(query).
//
// The query must be one SELECT without GROUP BY, aggregates, DISTINCT or
// LIMIT, which would mean something else per partition. Its ? placeholders
// are kept (written as :v1, :v2, …), so each partition query takes the
// query's arguments.
func Partitions(query, column string, lower, upper any, n int) ([]string, error) {
	return Partitioning{Column: column, Lower: lower, Upper: upper, N: n}.Split(query)
}

// Split returns the partition queries of query (see Partitions). With one
// partition, or when Lower equals Upper, it is the query itself.
func (p Partitioning) Split(query string) ([]string, error) {
	if p.N < 1 {
		return nil, fmt.Errorf("restsql: partitions: want at least 1 partition, not %d", p.N)
	}
	o := planner.ParseOptions{AnsiQuotes: p.AnsiQuotes}
	col, err := partitionColumn(p.Column, o)
	if err != nil {
		return nil, err
	}
	if _, err := partitionSelect(query, o); err != nil {
		return nil, err
	}
	if p.Lower == nil || p.Upper == nil {
		return nil, errors.New("restsql: partitions: Lower and Upper are needed (PartitionQueries takes them from MIN and MAX)")
	}
	cuts, err := partitionCuts(p.Lower, p.Upper, p.N)
	if err != nil {
		return nil, err
	}
	if len(cuts) == 0 {
		return []string{query}, nil
	}
	out := make([]string, 0, len(cuts)+1)
	for i := 0; i <= len(cuts); i++ {
		var conds []sqlparser.Expr
		if i > 0 {
			conds = append(conds, &sqlparser.ComparisonExpr{Operator: sqlparser.GreaterEqualStr, Left: col, Right: cuts[i-1]})
		}
		if i < len(cuts) {
			lt := sqlparser.Expr(&sqlparser.ComparisonExpr{Operator: sqlparser.LessThanStr, Left: col, Right: cuts[i]})
			if i == 0 && !p.NotNull {
				lt = &sqlparser.ParenExpr{Expr: &sqlparser.OrExpr{Left: lt, Right: &sqlparser.IsExpr{Operator: sqlparser.IsNullStr, Expr: col}}}
			}
			conds = append(conds, lt)
		}
		pred := conds[0]
		if len(conds) == 2 {
			pred = &sqlparser.AndExpr{Left: conds[0], Right: conds[1]}
		}
		sel, _ := partitionSelect(query, o)
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

// PartitionQueries returns the partition queries of query as Split does,
// after filling in from db what p leaves open: nil bounds from
// SELECT MIN(column), MAX(column) with the query's FROM and WHERE (so its
// filters are pushed as usual), and NotNull when sys_tablecolumns says the
// column is not nullable (a key column of the one table, or of an inner
// join, it belongs to). When the column has no value at all, the only
// partition is the query itself. args are the query's arguments.
func PartitionQueries(ctx context.Context, db *sql.DB, query string, p Partitioning, args ...any) ([]string, error) {
	if p.N < 1 {
		return nil, fmt.Errorf("restsql: partitions: want at least 1 partition, not %d", p.N)
	}
	if !p.AnsiQuotes {
		p.AnsiQuotes = ansiQuotes(ctx, db)
	}
	o := planner.ParseOptions{AnsiQuotes: p.AnsiQuotes}
	col, err := partitionColumn(p.Column, o)
	if err != nil {
		return nil, err
	}
	sel, err := partitionSelect(query, o)
	if err != nil {
		return nil, err
	}
	if p.Lower == nil || p.Upper == nil {
		lo, hi, err := partitionBounds(ctx, db, sel, col, args)
		if err != nil {
			return nil, err
		}
		if lo == nil || hi == nil {
			return []string{query}, nil
		}
		if p.Lower == nil {
			p.Lower = lo
		}
		if p.Upper == nil {
			p.Upper = hi
		}
	}
	if !p.NotNull {
		p.NotNull = columnNotNull(ctx, db, sel, col)
	}
	return p.Split(query)
}

// QueryPartitions runs the partition queries concurrently, each with args,
// and calls fn with each one's rows, from one goroutine per partition
// (part is the query's index). The first error (of a query or of fn)
// cancels the others' context and is returned. fn must not keep rows; they
// are closed when it returns. Limit the concurrency with
// sql.DB.SetMaxOpenConns.
func QueryPartitions(ctx context.Context, db *sql.DB, queries []string, args []any, fn func(ctx context.Context, part int, rows *sql.Rows) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for i, q := range queries {
		wg.Go(func() {
			err := queryPartition(ctx, db, q, args, func(rows *sql.Rows) error { return fn(ctx, i, rows) })
			if err != nil {
				once.Do(func() {
					first = fmt.Errorf("restsql: partition %d of %d: %w", i+1, len(queries), err)
					cancel()
				})
			}
		})
	}
	wg.Wait()
	return first
}

func queryPartition(ctx context.Context, db *sql.DB, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := fn(rows); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// ansiQuotes reports whether db is a restsql database whose connections
// read "name" as an identifier.
func ansiQuotes(ctx context.Context, db *sql.DB) bool {
	c, err := db.Conn(ctx)
	if err != nil {
		return false
	}
	defer c.Close()
	ansi := false
	_ = c.Raw(func(dc any) error {
		if rc, ok := dc.(*conn); ok {
			ansi = rc.c.cfg.AnsiQuotes
		}
		return nil
	})
	return ansi
}

// partitionColumn parses a column name (id, p.id, catalog.schema.table.id).
func partitionColumn(column string, o planner.ParseOptions) (*sqlparser.ColName, error) {
	bad := fmt.Errorf("restsql: partitions: %q is not a column name", column)
	if strings.TrimSpace(column) == "" || strings.ContainsAny(column, ";\x1f") {
		return nil, bad
	}
	p, err := planner.ParseWith("SELECT "+column+" FROM dual", o)
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
func partitionSelect(query string, o planner.ParseOptions) (*sqlparser.Select, error) {
	if strings.Contains(query, "\x1f") {
		return nil, errors.New("restsql: partitions: the query contains a control character (0x1f)")
	}
	p, err := planner.ParseWith(query, o)
	if err != nil {
		return nil, err
	}
	sel, ok := p.Stmt.(*sqlparser.Select)
	switch {
	case p.Explain:
		return nil, errors.New("restsql: partitions: cannot partition an EXPLAIN")
	case !ok:
		return nil, errors.New("restsql: partitions: the query must be one SELECT (not a UNION or another statement)")
	case sel.Limit != nil:
		return nil, errors.New("restsql: partitions: a query with LIMIT cannot be partitioned (each partition would apply it)")
	case len(sel.GroupBy) > 0 || sel.Having != nil || partitionHasAggregate(sel.SelectExprs):
		return nil, errors.New("restsql: partitions: a query with GROUP BY or aggregates cannot be partitioned (each partition would aggregate apart)")
	case sel.Distinct != "":
		return nil, errors.New("restsql: partitions: a SELECT DISTINCT cannot be partitioned (a value could repeat across partitions)")
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

// partitionSQL prints a statement parsed by planner.Parse back to SQL that
// it reads again: three- and four-part names, which Parse rewrites to a
// quoted name holding the 0x1f separator, are written back as `a`.`b`.
func partitionSQL(stmt sqlparser.SQLNode) (string, error) {
	q := strings.ReplaceAll(sqlparser.String(stmt), "\x1f", "`.`")
	if _, err := planner.Parse(q); err != nil {
		return "", fmt.Errorf("restsql: partitions: the rewritten query does not parse (%v): %s", err, q)
	}
	return q, nil
}

// partitionBounds runs SELECT MIN(col), MAX(col) with the query's FROM and WHERE.
func partitionBounds(ctx context.Context, db *sql.DB, sel *sqlparser.Select, col *sqlparser.ColName, args []any) (lo, hi any, err error) {
	agg := func(name string) sqlparser.SelectExpr {
		return &sqlparser.AliasedExpr{Expr: &sqlparser.FuncExpr{Name: sqlparser.NewColIdent(name), Exprs: sqlparser.SelectExprs{&sqlparser.AliasedExpr{Expr: col}}}}
	}
	b := *sel
	b.SelectExprs = sqlparser.SelectExprs{agg("min"), agg("max")}
	b.OrderBy = nil
	q, err := partitionSQL(&b)
	if err != nil {
		return nil, nil, err
	}
	if err := db.QueryRowContext(ctx, q, args...).Scan(&lo, &hi); err != nil {
		return nil, nil, fmt.Errorf("restsql: partitions: bounds of %s: %w", sqlparser.String(col), err)
	}
	return lo, hi, nil
}

// columnNotNull reports whether sys_tablecolumns says the column is not
// nullable. Any doubt (a LEFT JOIN, an unknown table, a derived table, a
// failed lookup) is "nullable".
func columnNotNull(ctx context.Context, db *sql.DB, sel *sqlparser.Select, col *sqlparser.ColName) bool {
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
			return false
		}
	}
	if len(sel.From) != 1 {
		return false // a comma join: leave it
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
		return false
	}
	rows, err := db.QueryContext(ctx, "SELECT CatalogName, SchemaName, TableName, ColumnName, IsNullable FROM sys_tablecolumns")
	if err != nil {
		return false
	}
	defer rows.Close()
	matched, notNull := 0, true
	for rows.Next() {
		var catName, schema, table, column sql.NullString
		var nullable sql.NullBool
		if err := rows.Scan(&catName, &schema, &table, &column, &nullable); err != nil {
			return false
		}
		have := []string{catName.String, schema.String, table.String}
		if !strings.EqualFold(column.String, col.Name.String()) || !partitionSuffixFold(have, target) {
			continue
		}
		matched++
		notNull = notNull && nullable.Valid && !nullable.Bool
	}
	return rows.Err() == nil && matched > 0 && notNull
}

// partitionTableParts splits a table name parsed by planner.Parse into its parts.
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
		return nil, fmt.Errorf("restsql: partitions: lower bound: %w", err)
	}
	hi, err := partitionBoundValue(upper)
	if err != nil {
		return nil, fmt.Errorf("restsql: partitions: upper bound: %w", err)
	}
	lo, hi = partitionUnifyBounds(lo, hi)
	if lo.kind != hi.kind {
		return nil, fmt.Errorf("restsql: partitions: the bounds %v and %v are not of one type", lower, upper)
	}
	if lo.cmp(hi) > 0 {
		return nil, fmt.Errorf("restsql: partitions: the lower bound %v is above the upper bound %v", lower, upper)
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
