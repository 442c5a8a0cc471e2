package planner

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/catalog"
	ex "github.com/restsql/restsql/executor"
)

// SQLSTATE codes of a ValueError.
const (
	// CodeInvalidText is PostgreSQL's invalid_text_representation: a
	// string that is not a value of the type ('abc' for an int).
	CodeInvalidText = "22P02"
	// CodeDatatypeMismatch is PostgreSQL's datatype_mismatch: a value of
	// another kind (a number for a datetime).
	CodeDatatypeMismatch = "42804"
)

// ValueError is a literal or an argument compared with a column that does
// not convert to the column's type: WHERE id = 'abc' on an int column,
// WHERE closeDate > 'yesterday' on a datetime column. Such a comparison is
// refused rather than answered with no rows.
type ValueError struct {
	// Column and Type are the column compared with and its type.
	Column string
	Type   ex.Type
	// Value is the literal's or argument's value.
	Value any
	// Code is the SQLSTATE: CodeInvalidText or CodeDatatypeMismatch.
	Code string
}

// Error says, in PostgreSQL's words, what did not convert.
func (e *ValueError) Error() string {
	if s, ok := e.Value.(string); ok {
		return fmt.Sprintf("planner: invalid input syntax for type %s: %q (column %s)", e.Type, s, e.Column)
	}
	return fmt.Sprintf("planner: column %s is %s but is compared with %s, a value of type %s", e.Column, e.Type, ex.ToString(e.Value), ex.TypeOf(e.Value))
}

// SQLState returns the error's SQLSTATE code.
func (e *ValueError) SQLState() string { return e.Code }

// columnValue converts a literal or argument compared with column c to the
// column's type, so the driver compares like with like and the API is sent
// the same value: '42' is 42 for an int column, '2024-01-02' a datetime for
// a datetime column, 'yes' true for a bool column. A value that has no such
// form is a *ValueError. Numbers stay numbers for int, float and bool
// columns (42.5 for an int column compares numerically and matches
// nothing); string and json columns take any value as it is.
func columnValue(c *catalog.Column, v any) (any, error) {
	if v == nil {
		return nil, nil
	}
	typ := sourceColumnType(c)
	bad := func(code string) error { return &ValueError{Column: c.Name, Type: typ, Value: v, Code: code} }
	switch typ {
	case ex.TypeInt, ex.TypeFloat:
		switch x := v.(type) {
		case string:
			s := strings.TrimSpace(x)
			if !ex.IsDecimal(s) {
				return nil, bad(CodeInvalidText)
			}
			if typ == ex.TypeInt {
				if n, err := strconv.ParseInt(s, 10, 64); err == nil {
					return n, nil
				}
			}
			f, err := strconv.ParseFloat(s, 64)
			if err != nil {
				return nil, bad(CodeInvalidText)
			}
			return f, nil
		case time.Time:
			return nil, bad(CodeDatatypeMismatch)
		}
	case ex.TypeBool:
		switch x := v.(type) {
		case string:
			b, err := ex.Convert(x, ex.TypeBool)
			if err != nil {
				return nil, bad(CodeInvalidText)
			}
			return b, nil
		case time.Time:
			return nil, bad(CodeDatatypeMismatch)
		}
	case ex.TypeDatetime:
		switch x := v.(type) {
		case string:
			t, ok := ex.ParseTime(x)
			if !ok {
				return nil, bad(CodeInvalidText)
			}
			return t, nil
		case time.Time:
			return x, nil
		default:
			return nil, bad(CodeDatatypeMismatch)
		}
	}
	return v, nil
}

// matchesNothing reports whether no value of column c equals v under the
// driver's comparison: a fraction for an int column, a number other than 0
// and 1 for a bool column. Such a value is dropped from an = or IN on the
// column (so it does not keep a required key from binding).
func matchesNothing(c *catalog.Column, v any) bool {
	switch sourceColumnType(c) {
	case ex.TypeInt:
		f, ok := v.(float64)
		return ok && f != math.Trunc(f) && !math.IsInf(f, 0)
	case ex.TypeBool:
		switch x := v.(type) {
		case int64:
			return x != 0 && x != 1
		case float64:
			return x != 0 && x != 1
		}
	}
	return false
}

// columnLiteral evaluates the constant side of a comparison with column c:
// a literal or argument is converted to the column's type (see
// columnValue); any other constant expression is evaluated as it is.
func (q *query) columnLiteral(c *catalog.Column, e sqlparser.Expr) (any, error) {
	e = unparen(e)
	if v, ok := e.(*sqlparser.SQLVal); ok {
		val, err := q.literal(v)
		if err != nil {
			return nil, err
		}
		return columnValue(c, val)
	}
	return q.constant(e)
}

func unparen(e sqlparser.Expr) sqlparser.Expr {
	for {
		p, ok := e.(*sqlparser.ParenExpr)
		if !ok {
			return e
		}
		e = p.Expr
	}
}

// baseColumn returns the catalog column e names directly (through
// parentheses) when it is a column of a base table, else nil.
func (c *compiler) baseColumn(e sqlparser.Expr) *catalog.Column {
	cn, ok := unparen(e).(*sqlparser.ColName)
	if !ok || c.agg != nil || c.sc == nil {
		return nil
	}
	col, err := c.sc.resolve(colQual(cn), cn.Name.String())
	if err != nil || col.rel == nil || col.rel.table == nil || col.colIdx < 0 || col.colIdx >= len(col.rel.table.Columns) {
		return nil
	}
	return col.rel.table.Columns[col.colIdx]
}

// operand compiles the other side of a comparison with column col: a
// literal or argument there is converted to the column's type (see
// columnValue), anything else is compiled as it is.
func (c *compiler) operand(col *catalog.Column, e sqlparser.Expr) (typed, error) {
	if col != nil {
		if v, ok := unparen(e).(*sqlparser.SQLVal); ok {
			val, err := c.q.literal(v)
			if err != nil {
				return typed{}, err
			}
			conv, err := columnValue(col, val)
			if err != nil {
				return typed{}, err
			}
			return typed{&ex.Const{V: conv}, ex.TypeOf(conv)}, nil
		}
	}
	return c.compile(e)
}
