package server

import "strings"

// pgTypeNames are the names PostgreSQL gives the types of casts, as its
// grammar normalises them (the last part of the TypeCast's name).
var pgTypeNames = map[string]string{
	"int": "int4", "integer": "int4", "int4": "int4", "smallint": "int2", "int2": "int2", "bigint": "int8", "int8": "int8",
	"real": "float4", "float4": "float4", "float": "float8", "double precision": "float8", "float8": "float8",
	"numeric": "numeric", "decimal": "numeric", "boolean": "bool", "bool": "bool",
	"varchar": "varchar", "character varying": "varchar", "char": "bpchar", "character": "bpchar", "bpchar": "bpchar",
	"timestamp": "timestamp", "timestamp without time zone": "timestamp",
	"timestamptz": "timestamptz", "timestamp with time zone": "timestamptz",
}

// sqlValueFunctions are the keywords PostgreSQL reads as functions,
// named after themselves.
var sqlValueFunctions = map[string]bool{
	"current_date": true, "current_time": true, "current_timestamp": true, "localtime": true, "localtimestamp": true,
	"current_role": true, "current_user": true, "user": true, "session_user": true, "current_catalog": true,
	"current_schema": true,
}

// pgColumnNames names the columns of a SELECT as PostgreSQL does
// (FigureColname): an alias, a column's name, a function's name, the
// type of a cast of a constant, "case", or ?column?. A name is "" where
// restsql's name is the right one (a plain column reference, whose name
// restsql writes as the column is named). It returns nil when the columns
// cannot be matched to the select list (a *, or not a SELECT).
func pgColumnNames(toks []token) []string {
	i := 0
	if len(toks) > 0 && toks[0].keyword("with") {
		// WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (…), …
		i = 1
		if i < len(toks) && toks[i].keyword("recursive") {
			i++
		}
		for {
			if i >= len(toks) {
				return nil
			}
			i++ // the name
			if i < len(toks) && toks[i].is(tPunct, "(") {
				if i = matchParen(toks, i); i < 0 {
					return nil
				}
				i++
			}
			for i < len(toks) && (toks[i].keyword("as") || toks[i].keyword("not") || toks[i].keyword("materialized")) {
				i++
			}
			if i >= len(toks) || !toks[i].is(tPunct, "(") {
				return nil
			}
			if i = matchParen(toks, i); i < 0 {
				return nil
			}
			i++
			if i < len(toks) && toks[i].is(tPunct, ",") {
				i++
				continue
			}
			break
		}
	}
	if i >= len(toks) || !toks[i].keyword("select") {
		return nil
	}
	i++
	if i < len(toks) && toks[i].keyword("distinct") {
		i++
		if i+1 < len(toks) && toks[i].keyword("on") && toks[i+1].is(tPunct, "(") {
			if i = matchParen(toks, i+1); i < 0 {
				return nil
			}
			i++
		}
	} else if i < len(toks) && toks[i].keyword("all") {
		i++
	}
	end := topLevel(toks, i, "from", "into", "where", "group", "having", "window", "order", "limit", "offset", "fetch", "union", "intersect", "except", "for")
	if end <= i {
		return nil
	}
	var names []string
	for _, item := range splitTop(toks[i:end]) {
		n := len(item)
		switch {
		case n == 0:
			return nil
		case item[n-1].is(tOp, "*"):
			return nil
		case n >= 2 && item[n-2].keyword("as") && (item[n-1].kind == tIdent || item[n-1].kind == tQIdent):
			names = append(names, item[n-1].val)
			continue
		case n >= 2 && (item[n-1].kind == tQIdent || item[n-1].kind == tIdent && !boundaryKeywords[item[n-1].val] && !aliasless[item[n-1].val]) &&
			endsValue(item[n-2]) && !typeWord(item, n-1):
			// A bare alias.
			names = append(names, item[n-1].val)
			continue
		}
		if _, ok := colRef(item); ok && !sqlValueFunctions[item[n-1].val] {
			names = append(names, "")
			continue
		}
		name, _ := figureColname(item)
		names = append(names, name)
	}
	return names
}

// endsValue reports whether t can end an expression (so that an
// identifier after it is an alias).
func endsValue(t token) bool {
	switch t.kind {
	case tQIdent, tString, tNumber, tParam:
		return true
	case tIdent:
		return !boundaryKeywords[t.val] || t.val == "end"
	case tPunct:
		return t.text == ")" || t.text == "]"
	}
	return false
}

// typeWord reports whether item[i] is part of a multi-word type name
// after :: (double precision, character varying, … time zone).
func typeWord(item []token, i int) bool {
	for j := i; j > 0; j-- {
		if item[j-1].is(tOp, "::") {
			name, n := castTypeName(item[j:])
			return n == len(item)-j && strings.Contains(name, " ")
		}
		if item[j-1].kind != tIdent {
			return false
		}
	}
	return false
}

// figureColname is PostgreSQL's FigureColnameInternal on tokens: the name
// and its strength (2 a column or function, 1 a type or "case", 0 none).
func figureColname(expr []token) (string, int) {
	n := len(expr)
	if n == 0 {
		return "?column?", 0
	}
	// ( expr ), or a scalar subquery.
	if expr[0].is(tPunct, "(") && matchParen(expr, 0) == n-1 {
		inner := expr[1 : n-1]
		if len(inner) > 0 && (inner[0].keyword("select") || inner[0].keyword("with")) {
			names := pgColumnNames(inner)
			if len(names) == 0 {
				return "?column?", 0
			}
			if names[0] != "" {
				return names[0], 2
			}
			// A column reference: its name.
			from := topLevel(inner, 1, "from", "where", "group", "having", "order", "limit", "union")
			items := splitTop(inner[1:from])
			if name, ok := colRef(items[0]); ok {
				return name, 2
			}
			return "?column?", 0
		}
		return figureColname(inner)
	}
	if expr[0].keyword("exists") && n >= 2 && expr[1].is(tPunct, "(") && matchParen(expr, 1) == n-1 {
		return "exists", 2
	}
	// A trailing cast: x::type, at the top level, with nothing but casts
	// after the primary.
	depth := 0
	cast := -1
	for i, t := range expr {
		switch {
		case t.is(tPunct, "(") || t.is(tPunct, "[") || t.keyword("case"):
			depth++
		case t.is(tPunct, ")") || t.is(tPunct, "]") || t.keyword("end"):
			depth--
		case depth == 0 && t.is(tOp, "::"):
			cast = i
		case depth == 0 && (t.kind == tOp || t.kind == tIdent && boundaryKeywords[t.val] && t.val != "over" && t.val != "filter"):
			// An operator, IS, IN, AND, …: an expression without a name.
			return "?column?", 0
		}
	}
	if cast > 0 {
		name, n := castTypeName(expr[cast+1:])
		if n == 0 || cast+1+n != len(expr) {
			return "?column?", 0
		}
		if inner, s := figureColname(expr[:cast]); s > 1 {
			return inner, s
		}
		return pgTypeName(name), 1
	}
	if name, ok := colRef(expr); ok {
		return name, 2
	}
	if n == 1 && expr[0].kind == tIdent && sqlValueFunctions[expr[0].val] {
		return expr[0].val, 2
	}
	// A typed literal: DATE '2024-01-01', INTERVAL '1 day'.
	if n == 2 && expr[0].kind == tIdent && expr[1].kind == tString {
		return pgTypeName(expr[0].val), 1
	}
	if expr[0].keyword("case") {
		// The name of its ELSE, when that has one; otherwise "case".
		d, els := 0, -1
		for i, t := range expr {
			switch {
			case t.keyword("case"):
				d++
			case t.keyword("end"):
				d--
			case d == 1 && t.keyword("else"):
				els = i
			}
		}
		if els > 0 && expr[n-1].keyword("end") {
			if name, s := figureColname(expr[els+1 : n-1]); s > 1 {
				return name, s
			}
		}
		return "case", 1
	}
	if expr[0].keyword("array") {
		return "array", 2
	}
	if fn, _, ok := funcCall(expr); ok {
		switch fn {
		case "cast":
			// CAST(x AS type)
			inner := expr[2 : n-1]
			as := topLevel(inner, 0, "as")
			if as >= len(inner) {
				return "?column?", 0
			}
			if name, s := figureColname(inner[:as]); s > 1 {
				return name, s
			}
			name, _ := castTypeName(inner[as+1:])
			return pgTypeName(name), 1
		}
		return fn, 2
	}
	return "?column?", 0
}

// pgTypeName is the name of a cast's type as PostgreSQL writes it.
func pgTypeName(name string) string {
	name = strings.TrimSuffix(name, "[]")
	if n, ok := pgTypeNames[name]; ok {
		return n
	}
	return name
}

// renameColumns returns cols with the names PostgreSQL gives them, where
// names has one ("" keeps restsql's).
func renameColumns(cols []column, names []string) []column {
	if len(names) != len(cols) {
		return cols
	}
	out := append([]column(nil), cols...)
	for i, n := range names {
		if n != "" {
			out[i].name = n
		}
	}
	return out
}
