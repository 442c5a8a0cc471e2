package planner

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/xwb1989/sqlparser"
)

// This file reads WITH (non-recursive common table expressions), which
// the parser cannot: the statement is split into its CTE bodies and its
// main statement, each parsed on its own (errors point into the original
// text), and every reference to a CTE name in a FROM clause becomes a
// derived table holding a fresh copy of the CTE's query. A CTE
// referenced twice is therefore evaluated twice.

// cte is one common table expression of a WITH clause.
type cte struct {
	name string
	// cols is the column list of name(a, b) AS (…), or nil.
	cols []string
	// colsPos is the offset of the column list in the whole statement.
	colsPos int
	// text is the query's text, at offset in the whole statement.
	text   string
	offset int
	// base is the number of ? placeholders before the query.
	base int
	// visible are the CTEs defined before this one.
	visible map[string]*cte
}

// isWith reports whether text starts with the keyword WITH (after
// comments).
func isWith(text string) bool {
	for _, t := range scan(text) {
		if t.typ == sqlparser.COMMENT {
			continue
		}
		return t.typ != sqlparser.STRING && strings.EqualFold(t.val, "with")
	}
	return false
}

// parseWith parses WITH name [(cols)] AS (query), … statement; text starts
// at byte offset in sql. It returns the statement with the CTEs replaced
// by derived tables, and the number of ? placeholders.
func parseWith(sql string, offset int, text string, o ParseOptions) (sqlparser.Statement, int, error) {
	toks := scan(text)
	// Drop comments: positions stay in the tokens.
	k := 0
	for _, t := range toks {
		if t.typ != sqlparser.COMMENT {
			toks[k] = t
			k++
		}
	}
	toks = toks[:k]
	fail := func(i int, msg string, args ...any) error {
		pos, near := len(text), ""
		if i < len(toks) {
			pos, near = toks[i].start, text[toks[i].start:toks[i].end]
		}
		return &SyntaxError{SQL: sql, Pos: offset + pos, Near: near, Msg: fmt.Sprintf(msg, args...)}
	}
	name := func(i int) (string, bool) {
		if i >= len(toks) {
			return "", false
		}
		t := toks[i]
		switch {
		case t.typ == sqlparser.ID:
			return t.val, true
		case o.AnsiQuotes && t.typ == sqlparser.STRING && text[t.start] == '"':
			return t.val, true
		}
		return "", false
	}
	placeholders := func(before int) int {
		n := 0
		for _, t := range toks {
			if t.start < before && text[t.start:t.end] == "?" {
				n++
			}
		}
		return n
	}
	i := 1 // after WITH
	if i < len(toks) && strings.EqualFold(toks[i].val, "recursive") && toks[i].typ != sqlparser.STRING {
		err := fail(i, "WITH RECURSIVE is not supported (only non-recursive common table expressions are)")
		return nil, 0, unsupportedSyntax(err.(*SyntaxError))
	}
	ctes := map[string]*cte{}
	var order []*cte
	for {
		n, ok := name(i)
		if !ok {
			return nil, 0, fail(i, "syntax error: WITH needs a name for its query")
		}
		key := strings.ToLower(n)
		if ctes[key] != nil {
			return nil, 0, fail(i, "WITH query name %q specified more than once", n)
		}
		c := &cte{name: n, visible: map[string]*cte{}}
		for k, v := range ctes {
			c.visible[k] = v
		}
		i++
		if i < len(toks) && toks[i].typ == '(' {
			c.colsPos = offset + toks[i].start
			i++
			for {
				col, ok := name(i)
				if !ok {
					return nil, 0, fail(i, "syntax error: a column name in WITH %s(…)", n)
				}
				c.cols = append(c.cols, col)
				i++
				if i < len(toks) && toks[i].typ == ',' {
					i++
					continue
				}
				if i < len(toks) && toks[i].typ == ')' {
					i++
					break
				}
				return nil, 0, fail(i, "syntax error: expected , or ) in WITH %s(…)", n)
			}
		}
		if i >= len(toks) || toks[i].typ != sqlparser.AS {
			return nil, 0, fail(i, "syntax error: expected AS after WITH %s", n)
		}
		i++
		// PostgreSQL's AS [NOT] MATERIALIZED: a hint, ignored.
		if i < len(toks) && strings.EqualFold(toks[i].val, "not") && i+1 < len(toks) && strings.EqualFold(toks[i+1].val, "materialized") {
			i += 2
		} else if i < len(toks) && strings.EqualFold(toks[i].val, "materialized") {
			i++
		}
		if i >= len(toks) || toks[i].typ != '(' {
			return nil, 0, fail(i, "syntax error: expected ( after WITH %s AS", n)
		}
		open, closing, depth := i, -1, 0
		for j := open; j < len(toks) && closing < 0; j++ {
			switch toks[j].typ {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					closing = j
				}
			}
		}
		if closing < 0 {
			return nil, 0, fail(open, "syntax error: the query of WITH %s has no closing )", n)
		}
		start, end := toks[open].end, toks[closing].start
		if strings.TrimSpace(text[start:end]) == "" {
			return nil, 0, fail(closing, "syntax error: the query of WITH %s is empty", n)
		}
		c.text, c.offset, c.base = text[start:end], offset+start, placeholders(start)
		ctes[key] = c
		order = append(order, c)
		i = closing + 1
		if i < len(toks) && toks[i].typ == ',' {
			i++
			continue
		}
		break
	}
	if i >= len(toks) {
		return nil, 0, fail(i, "syntax error: WITH needs a statement after its queries")
	}
	numInput := 0
	named := false
	count := func(stmt sqlparser.Statement) {
		if n := countArgs(stmt); n < 0 {
			named = true
		} else {
			numInput = max(numInput, n)
		}
	}
	// Each CTE is built once here so that an error in one that is never
	// referenced is reported too.
	for _, c := range order {
		body, err := c.build(sql, o)
		if err != nil {
			return nil, 0, err
		}
		count(body)
	}
	mainStart := toks[i].start
	stmt, err := parsePiece(sql, offset+mainStart, text[mainStart:], o)
	if err != nil {
		return nil, 0, err
	}
	renumber(stmt, placeholders(mainStart))
	count(stmt)
	if err := substituteCTEs(stmt, ctes, sql, o); err != nil {
		return nil, 0, err
	}
	if named {
		numInput = -1
	}
	return stmt, numInput, nil
}

// build parses the CTE's query afresh (a new copy for each reference),
// with the CTEs before it substituted and its column list applied.
func (c *cte) build(sql string, o ParseOptions) (sqlparser.SelectStatement, error) {
	stmt, err := parsePiece(sql, c.offset, c.text, o)
	if err != nil {
		return nil, err
	}
	sel, ok := stmt.(sqlparser.SelectStatement)
	if !ok {
		return nil, &SyntaxError{SQL: sql, Pos: c.offset, Msg: fmt.Sprintf("the query of WITH %s must be a SELECT", c.name)}
	}
	renumber(sel, c.base)
	if err := substituteCTEs(sel, c.visible, sql, o); err != nil {
		return nil, err
	}
	if c.cols != nil {
		if err := renameColumns(sel, c, sql); err != nil {
			return nil, err
		}
	}
	return sel, nil
}

// substituteCTEs replaces each table reference to a CTE (an unqualified
// name) by a derived table of its query, aliased by the CTE's name unless
// the reference has its own alias.
func substituteCTEs(stmt sqlparser.SQLNode, ctes map[string]*cte, sql string, o ParseOptions) error {
	if len(ctes) == 0 {
		return nil
	}
	return sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		ate, ok := node.(*sqlparser.AliasedTableExpr)
		if !ok {
			return true, nil
		}
		tn, ok := ate.Expr.(sqlparser.TableName)
		if !ok || !tn.Qualifier.IsEmpty() {
			return true, nil
		}
		c := ctes[strings.ToLower(tn.Name.String())]
		if c == nil {
			return true, nil
		}
		body, err := c.build(sql, o)
		if err != nil {
			return false, err
		}
		ate.Expr = &sqlparser.Subquery{Select: body}
		if ate.As.IsEmpty() {
			ate.As = sqlparser.NewTableIdent(tn.Name.String())
		}
		// The body is complete: do not walk into it.
		return false, nil
	}, stmt)
}

// renameColumns gives the first len(c.cols) result columns of a CTE's
// query the names of its column list (of the first SELECT of a UNION).
func renameColumns(sel sqlparser.SelectStatement, c *cte, sql string) error {
	switch s := sel.(type) {
	case *sqlparser.Union:
		return renameColumns(s.Left, c, sql)
	case *sqlparser.ParenSelect:
		return renameColumns(s.Select, c, sql)
	case *sqlparser.Select:
		if len(c.cols) > len(s.SelectExprs) {
			return &SyntaxError{SQL: sql, Pos: c.colsPos, Msg: fmt.Sprintf("WITH query %s has %d columns available but %d columns specified", c.name, len(s.SelectExprs), len(c.cols))}
		}
		for k, col := range c.cols {
			ae, ok := s.SelectExprs[k].(*sqlparser.AliasedExpr)
			if !ok {
				return &SyntaxError{SQL: sql, Pos: c.colsPos, Msg: fmt.Sprintf("WITH %s(…) names its columns, so its query must list them (not *)", c.name)}
			}
			old := ae.As
			ae.As = sqlparser.NewColIdent(col)
			if !old.IsEmpty() && !old.Equal(ae.As) {
				renameAlias(s, old, ae.As)
			}
		}
		return nil
	}
	return &SyntaxError{SQL: sql, Pos: c.offset, Msg: fmt.Sprintf("the query of WITH %s must be a SELECT", c.name)}
}

// renameAlias makes GROUP BY, HAVING and ORDER BY of s that name a select
// alias old name it by its new name.
func renameAlias(s *sqlparser.Select, old, new sqlparser.ColIdent) {
	rename := func(node sqlparser.SQLNode) (bool, error) {
		if cn, ok := node.(*sqlparser.ColName); ok && cn.Qualifier.IsEmpty() && cn.Name.Equal(old) {
			cn.Name = new
		}
		if _, ok := node.(*sqlparser.Subquery); ok {
			return false, nil
		}
		return true, nil
	}
	var nodes []sqlparser.SQLNode
	nodes = append(nodes, s.GroupBy, s.OrderBy)
	if s.Having != nil {
		nodes = append(nodes, s.Having)
	}
	for _, n := range nodes {
		_ = sqlparser.Walk(rename, n)
	}
}

// renumber shifts the parser's names of ? placeholders (:v1, :v2, …) in a
// piece parsed on its own by the number of ? before it.
func renumber(stmt sqlparser.SQLNode, base int) {
	if base == 0 {
		return
	}
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		if v, ok := node.(*sqlparser.SQLVal); ok && v.Type == sqlparser.ValArg {
			if k, ok := positional(string(v.Val[1:])); ok {
				v.Val = []byte(":v" + strconv.Itoa(k+base))
			}
		}
		return true, nil
	}, stmt)
}

// SplitWith splits a statement that starts with WITH into its WITH
// clause and its main statement (so a caller can wrap the main statement,
// as in WITH … SELECT * FROM (main) AS d). ok is false when the statement
// does not start with WITH or its WITH clause cannot be read.
func SplitWith(sql string) (with, main string, ok bool) {
	if !isWith(sql) {
		return "", "", false
	}
	var toks []token
	for _, t := range scan(sql) {
		if t.typ != sqlparser.COMMENT {
			toks = append(toks, t)
		}
	}
	depth := 0
	for i := 1; i < len(toks); i++ {
		switch toks[i].typ {
		case '(':
			depth++
		case ')':
			depth--
			if depth != 0 || i+1 >= len(toks) {
				continue
			}
			if next := toks[i+1]; next.typ != ',' && next.typ != sqlparser.AS {
				return sql[:next.start], sql[next.start:], true
			}
		case sqlparser.LEX_ERROR:
			return "", "", false
		}
	}
	return "", "", false
}
