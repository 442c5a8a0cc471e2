package server

import (
	"strconv"
	"strings"
)

// This file rewrites PostgreSQL constructs that restsql's MySQL-like
// dialect writes differently, on tokens, before translate renders them:
//
//   - CAST(x AS type) of a PostgreSQL type becomes (x)::type, which
//     translate writes as restsql's CAST;
//   - a || b is concatenation, CONCAT(a, b) (restsql's || is OR);
//   - a ~ b, ~*, !~, !~* are REGEXP_LIKE(a, b, 'c' or 'i');
//   - GREATEST and LEAST ignore NULLs, as PostgreSQL's do;
//   - LIMIT ALL, OFFSET without LIMIT, OFFSET before LIMIT, OFFSET n ROWS
//     and FETCH FIRST n ROWS ONLY become LIMIT n OFFSET m;
//   - ORDER BY x NULLS FIRST/LAST puts the NULLs where asked.

// maxLimit is the LIMIT of an OFFSET without one.
const maxLimit = "9223372036854775807"

// unit is one operand-sized piece of a token list at one nesting level:
// a token, a bracketed group ( … ) or [ … ], or CASE … END.
type unit []token

func (u unit) group() bool  { return len(u) > 1 && (u[0].is(tPunct, "(") || u[0].is(tPunct, "[")) }
func (u unit) isCase() bool { return len(u) > 1 && u[0].keyword("case") }

func synth(kind tokKind, text string) token {
	t := token{kind: kind, text: text}
	if kind == tIdent {
		t.val = strings.ToLower(text)
	}
	return t
}

// splitUnits splits toks into units; the inside of each group and of
// CASE … END is rewritten first.
func splitUnits(toks []token) []unit {
	var out []unit
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.is(tPunct, "(") || t.is(tPunct, "["):
			end := matchParen(toks, i)
			if end < 0 {
				// Unbalanced: leave the rest as it is.
				for _, r := range toks[i:] {
					out = append(out, unit{r})
				}
				return out
			}
			g := unit{t}
			g = append(g, rewritePG(toks[i+1:end])...)
			g = append(g, toks[end])
			out = append(out, g)
			i = end
		case t.keyword("case"):
			depth, end := 0, -1
			for j := i; j < len(toks) && end < 0; j++ {
				switch {
				case toks[j].is(tPunct, "(") || toks[j].is(tPunct, "["):
					if k := matchParen(toks, j); k > 0 {
						j = k
					}
				case toks[j].keyword("case"):
					depth++
				case toks[j].keyword("end"):
					depth--
					if depth == 0 {
						end = j
					}
				}
			}
			if end < 0 {
				out = append(out, unit{t})
				continue
			}
			c := unit{t}
			c = append(c, rewritePG(toks[i+1:end])...)
			c = append(c, toks[end])
			out = append(out, c)
			i = end
		default:
			out = append(out, unit{t})
		}
	}
	return out
}

func flatten(units []unit) []token {
	var out []token
	for _, u := range units {
		out = append(out, u...)
	}
	return out
}

// boundaryKeywords end an operand of || and ~.
var boundaryKeywords = map[string]bool{
	"and": true, "or": true, "not": true, "is": true, "in": true, "like": true, "ilike": true, "similar": true,
	"between": true, "select": true, "from": true, "where": true, "as": true, "when": true, "then": true, "else": true,
	"end": true, "on": true, "by": true, "having": true, "limit": true, "offset": true, "group": true, "order": true,
	"union": true, "except": true, "intersect": true, "join": true, "using": true, "distinct": true, "all": true,
	"any": true, "some": true, "escape": true, "asc": true, "desc": true, "nulls": true, "into": true, "values": true,
	"set": true, "returning": true, "with": true, "fetch": true, "first": true, "next": true, "rows": true, "row": true,
	"only": true, "over": true, "filter": true, "partition": true, "window": true, "for": true, "exists": true,
	"left": true, "right": true, "inner": true, "outer": true, "full": true, "cross": true, "natural": true,
	"lateral": true, "collate": true, "isnull": true, "notnull": true, "case": true, "last": true,
}

// chainOps are the operators rewritten into calls; they share
// PostgreSQL's precedence of "other operators", left to right.
var chainOps = map[string]bool{"||": true, "~": true, "~*": true, "!~": true, "!~*": true, "&": true, "|": true}

// operandOps continue an operand: they bind tighter than || and ~.
var operandOps = map[string]bool{"+": true, "-": true, "*": true, "/": true, "%": true, "^": true, "::": true}

// valueEnd reports whether a unit ends a value (so that an identifier
// after it starts something else: an alias).
func valueEnd(u unit) bool {
	if u.group() || u.isCase() {
		return true
	}
	switch t := u[0]; t.kind {
	case tQIdent, tString, tNumber, tParam:
		return true
	case tIdent:
		return !boundaryKeywords[t.val]
	}
	return false
}

// isBoundary reports whether units[i] ends an operand of || or ~.
func isBoundary(units []unit, i int) bool {
	u := units[i]
	if u.group() || u.isCase() {
		return false
	}
	t := u[0]
	switch t.kind {
	case tOp:
		return !operandOps[t.text] && !chainOps[t.text]
	case tPunct:
		return t.text != "."
	case tIdent:
		if inTypeName(units, i) {
			return false
		}
		if boundaryKeywords[t.val] {
			return true
		}
	}
	// A value right after another (not after . or an operator) starts a
	// new item: an alias, or a typed literal.
	if i > 0 && valueEnd(units[i-1]) && !(t.kind == tString && units[i-1][0].kind == tIdent) {
		return true
	}
	return false
}

// rewritePG applies the rewrites of this file to a token list (a
// statement, or the inside of a group).
func rewritePG(toks []token) []token {
	units := splitUnits(toks)
	units = rewriteCalls(units)
	units = rewriteArrays(units)
	units = rewriteChains(units)
	units = rewriteOrderNulls(units)
	units = rewriteLimit(units)
	return flatten(units)
}

// groupArgs splits a group's inside on top-level commas.
func groupArgs(g unit) [][]token {
	inner := []token(g[1 : len(g)-1])
	if len(inner) == 0 {
		return nil
	}
	return splitTop(inner)
}

// rewriteCalls rewrites CAST(x AS type) of a PostgreSQL type to
// (x)::type, and GREATEST/LEAST so that they ignore NULLs:
// GREATEST(COALESCE(a, a, b), COALESCE(b, a, b)) is NULL only when every
// argument is.
func rewriteCalls(units []unit) []unit {
	var out []unit
	for i := 0; i < len(units); i++ {
		u := units[i]
		if len(u) != 1 || u[0].kind != tIdent || i+1 >= len(units) || !units[i+1].group() || !units[i+1][0].is(tPunct, "(") ||
			i > 0 && units[i-1][0].is(tPunct, ".") {
			out = append(out, u)
			continue
		}
		g := units[i+1]
		switch u[0].val {
		case "cast":
			inner := []token(g[1 : len(g)-1])
			as := -1
			depth := 0
			for j, t := range inner {
				switch {
				case t.is(tPunct, "(") || t.is(tPunct, "["):
					depth++
				case t.is(tPunct, ")") || t.is(tPunct, "]"):
					depth--
				case depth == 0 && t.keyword("as"):
					as = j
				}
			}
			if as <= 0 {
				break
			}
			name, n := castTypeName(inner[as+1:])
			if _, ok := castTypes[name]; !ok || as+1+n != len(inner) {
				break
			}
			// (x)::type, spaced as CAST( was.
			open := synth(tPunct, "(")
			open.space = u[0].space
			rep := unit{open}
			rep = append(rep, inner[:as]...)
			rep = append(rep, synth(tPunct, ")"), synth(tOp, "::"))
			rep = append(rep, inner[as+1:]...)
			out = append(out, rep)
			i++
			continue
		case "greatest", "least":
			args := groupArgs(g)
			if len(args) < 2 {
				break
			}
			rep := unit{synth(tPunct, "(")}
			for k, a := range args {
				if k > 0 {
					rep = append(rep, synth(tPunct, ","))
				}
				co := synth(tIdent, "COALESCE")
				co.space = k > 0
				rep = append(rep, co, synth(tPunct, "("))
				rep = append(rep, spaced(a, false)...)
				for _, b := range args {
					rep = append(rep, synth(tPunct, ","))
					rep = append(rep, spaced(b, true)...)
				}
				rep = append(rep, synth(tPunct, ")"))
			}
			rep = append(rep, synth(tPunct, ")"))
			out = append(out, u, rep)
			i++
			continue
		}
		out = append(out, u)
	}
	return out
}

// rewriteChains rewrites a || b into CONCAT(a, b) and a ~ b into
// REGEXP_LIKE(a, b, 'c'), left to right.
func rewriteChains(units []unit) []unit {
	var out []unit
	seg := 0 // where the operand being built starts in out
	for i := 0; i < len(units); i++ {
		u := units[i]
		if len(u) == 1 && u[0].kind == tOp && chainOps[u[0].text] {
			j := i + 1
			for j < len(units) && !isBoundary(units, j) && !(len(units[j]) == 1 && units[j][0].kind == tOp && chainOps[units[j][0].text]) {
				j++
			}
			left, right := flatten(out[seg:]), flatten(units[i+1:j])
			if len(left) == 0 || len(right) == 0 {
				// A prefix ~ (bitwise NOT) or a dangling operator: as it is.
				out = append(out, u)
				seg = len(out)
				continue
			}
			out = append(out[:seg], chainCall(u[0], left, right))
			i = j - 1
			continue
		}
		if isBoundary(units, i) {
			out = append(out, u)
			seg = len(out)
			continue
		}
		out = append(out, u)
	}
	return out
}

// chainCall is the call of op on left and right.
func chainCall(op token, left, right []token) unit {
	space := left[0].space
	left = append([]token(nil), left...)
	left[0].space = false
	right = append([]token(nil), right...)
	right[0].space = true
	name := "CONCAT"
	isArray := func(ts []token) bool {
		return len(ts) > 0 && ts[0].kind == tIdent && (ts[0].val == "pg_array_prefix" || ts[0].val == "pg_array")
	}
	switch op.text {
	case "||":
		if isArray(left) || isArray(right) {
			name = "PG_ARRAY_CAT"
		}
	case "&":
		name = "PG_BITAND"
	case "|":
		name = "PG_BITOR"
	default:
		name = "REGEXP_LIKE"
	}
	fn := synth(tIdent, name)
	fn.space = space
	var u unit
	if strings.HasPrefix(op.text, "!") {
		open := synth(tPunct, "(")
		open.space = space
		fn.space = false
		not := synth(tIdent, "NOT")
		u = append(u, open, not)
		fn.space = true
	}
	u = append(u, fn, synth(tPunct, "("))
	u = append(u, left...)
	u = append(u, synth(tPunct, ","))
	u = append(u, right...)
	if name == "REGEXP_LIKE" {
		// PostgreSQL's . matches a line break (n).
		flags := "cn"
		if strings.HasSuffix(op.text, "*") {
			flags = "in"
		}
		f := token{kind: tString, text: "'" + flags + "'", val: flags, space: true}
		u = append(u, synth(tPunct, ","), f)
	}
	u = append(u, synth(tPunct, ")"))
	if strings.HasPrefix(op.text, "!") {
		u = append(u, synth(tPunct, ")"))
	}
	return u
}

// clauseEnd finds the end of a clause's expression at units[i:]: the
// next top-level clause keyword of kws, or the end.
func clauseEnd(units []unit, i int, kws ...string) int {
	for ; i < len(units); i++ {
		if len(units[i]) == 1 && units[i][0].kind == tIdent {
			for _, kw := range kws {
				if units[i][0].val == kw {
					return i
				}
			}
		}
	}
	return len(units)
}

// rewriteLimit rewrites the LIMIT, OFFSET and FETCH clauses that end a
// query into LIMIT n [OFFSET m], in that order.
func rewriteLimit(units []unit) []unit {
	start := -1
	for i, u := range units {
		if len(u) == 1 && (u[0].keyword("limit") || u[0].keyword("offset") ||
			u[0].keyword("fetch") && i+1 < len(units) && (units[i+1][0].keyword("first") || units[i+1][0].keyword("next"))) {
			start = i
			break
		}
	}
	if start < 0 {
		return units
	}
	var limit, offset []token
	limitAll := false
	haveLimit := false
	i := start
	end := len(units)
	for i < end {
		u := units[i]
		switch {
		case u[0].keyword("limit") && !haveLimit:
			j := clauseEnd(units, i+1, "offset", "fetch", "for")
			haveLimit = true
			if j == i+2 && units[i+1][0].keyword("all") {
				limitAll = true
			} else {
				limit = flatten(units[i+1 : j])
			}
			i = j
		case u[0].keyword("offset") && offset == nil:
			j := clauseEnd(units, i+1, "limit", "fetch", "for", "row", "rows")
			offset = flatten(units[i+1 : j])
			if j < end && (units[j][0].keyword("row") || units[j][0].keyword("rows")) {
				j++
			}
			i = j
		case u[0].keyword("fetch") && !haveLimit && i+1 < end && (units[i+1][0].keyword("first") || units[i+1][0].keyword("next")):
			j := clauseEnd(units, i+2, "row", "rows")
			n := flatten(units[i+2 : j])
			if len(n) == 0 {
				n = []token{{kind: tNumber, text: "1"}}
			}
			// ROW[S] ONLY; WITH TIES is left for restsql to refuse.
			if j+1 < end && units[j+1][0].keyword("only") {
				haveLimit, limit = true, n
				i = j + 2
				continue
			}
			return units
		default:
			// Something else (FOR UPDATE, a second LIMIT): leave the
			// clauses as they are for restsql to judge.
			return units
		}
	}
	out := append([]unit(nil), units[:start]...)
	if len(limit) == 0 && !limitAll && len(offset) == 0 {
		return units
	}
	if len(limit) > 0 || len(offset) > 0 {
		kw := synth(tIdent, "LIMIT")
		kw.space = true
		out = append(out, unit{kw})
		if len(limit) == 0 {
			limit = []token{{kind: tNumber, text: maxLimit}}
		}
		limit = append([]token(nil), limit...)
		limit[0].space = true
		out = append(out, limit)
	}
	if len(offset) > 0 {
		kw := synth(tIdent, "OFFSET")
		kw.space = true
		offset = append([]token(nil), offset...)
		offset[0].space = true
		out = append(out, unit{kw}, offset)
	}
	return out
}

// rewriteOrderNulls rewrites ORDER BY items with NULLS FIRST or NULLS
// LAST. restsql sorts NULLs first ascending and last descending: where
// that is what is asked the words are dropped, otherwise a key (x) IS
// NULL [DESC] goes before the item. An ordinal or an alias of the select
// list stands for its expression in that key.
func rewriteOrderNulls(units []unit) []unit {
	ob := -1
	for i := 0; i+1 < len(units); i++ {
		if units[i][0].keyword("order") && len(units[i]) == 1 && units[i+1][0].keyword("by") {
			ob = i
		}
	}
	if ob < 0 {
		return units
	}
	end := clauseEnd(units, ob+2, "limit", "offset", "fetch", "for")
	hasNulls := false
	for _, u := range units[ob+2 : end] {
		if len(u) == 1 && u[0].keyword("nulls") {
			hasNulls = true
		}
	}
	if !hasNulls {
		return units
	}
	// The select list, for ordinals and aliases.
	var items []selectItem
	if sel := clauseEnd(units, 0, "select"); sel < ob {
		first := sel + 1
		from := clauseEnd(units, first, "from", "where", "group", "having", "window", "order", "union", "intersect", "except")
		items = parseSelectList(flatten(units[first:from]))
	}
	var list [][]unit
	cur := []unit{}
	for _, u := range units[ob+2 : end] {
		if len(u) == 1 && u[0].is(tPunct, ",") {
			list = append(list, cur)
			cur = []unit{}
			continue
		}
		cur = append(cur, u)
	}
	list = append(list, cur)
	out := append([]unit(nil), units[:ob+2]...)
	for k, item := range list {
		if k > 0 {
			out = append(out, unit{synth(tPunct, ",")})
		}
		n := len(item)
		if n >= 3 && item[n-2][0].keyword("nulls") && (item[n-1][0].keyword("first") || item[n-1][0].keyword("last")) {
			nullsFirst := item[n-1][0].keyword("first")
			item = item[:n-2]
			desc := len(item) > 0 && item[len(item)-1][0].keyword("desc")
			expr := item
			if len(expr) > 0 && (expr[len(expr)-1][0].keyword("desc") || expr[len(expr)-1][0].keyword("asc")) {
				expr = expr[:len(expr)-1]
			}
			if nullsFirst == desc && len(expr) > 0 {
				key := flatten(expr)
				if len(key) == 1 {
					for idx, it := range items {
						if key[0].kind == tNumber && key[0].text == strconv.Itoa(idx+1) ||
							(key[0].kind == tIdent || key[0].kind == tQIdent) && it.alias == key[0].val && len(it.expr) > 0 && !(len(it.expr) == 1 && it.expr[0].val == key[0].val) {
							key = it.expr
							break
						}
					}
				}
				open := synth(tPunct, "(")
				open.space = true
				ku := unit{open}
				ku = append(ku, key...)
				ku[1].space = false
				is := synth(tIdent, "IS")
				is.space = true
				null := synth(tIdent, "NULL")
				null.space = true
				ku = append(ku, synth(tPunct, ")"), is, null)
				if desc {
					d := synth(tIdent, "DESC")
					d.space = true
					ku = append(ku, d)
				}
				out = append(out, ku, unit{synth(tPunct, ",")})
			}
		}
		out = append(out, item...)
	}
	return append(out, units[end:]...)
}

// spaced is a copy of toks whose first token is preceded by a space or
// not.
func spaced(toks []token, space bool) []token {
	out := append([]token(nil), toks...)
	if len(out) > 0 {
		out[0].space = space
	}
	return out
}

// inTypeName reports whether units[i] is a later word of a type name
// after :: (double precision, timestamp with time zone).
func inTypeName(units []unit, i int) bool {
	j := i
	for j > 0 && len(units[j-1]) == 1 && units[j-1][0].kind == tIdent {
		j--
	}
	if j == i || j == 0 || !units[j-1][0].is(tOp, "::") {
		return false
	}
	k := j
	for k < len(units) && len(units[k]) == 1 && units[k][0].kind == tIdent {
		k++
	}
	_, n := castTypeName(flatten(units[j:k]))
	return i < j+n
}

// arrayOfUnnest reads SELECT e FROM [pg_catalog.]unnest(a) [AS] x, with e
// x or 'prefix' || x, and returns a and the prefix.
func arrayOfUnnest(sub []token) ([]token, string, bool) {
	from := topLevel(sub, 1, "from")
	if from >= len(sub) {
		return nil, "", false
	}
	j := from + 1
	if j+2 < len(sub) && sub[j].keyword("pg_catalog") && sub[j+1].is(tPunct, ".") {
		j += 2
	}
	if j+1 >= len(sub) || !sub[j].keyword("unnest") || !sub[j+1].is(tPunct, "(") {
		return nil, "", false
	}
	end := matchParen(sub, j+1)
	if end < 0 {
		return nil, "", false
	}
	arr := sub[j+2 : end]
	rest := sub[end+1:]
	if len(rest) > 0 && rest[0].keyword("as") {
		rest = rest[1:]
	}
	if len(rest) != 1 || rest[0].kind != tIdent {
		return nil, "", false
	}
	x := rest[0].val
	e := sub[1:from]
	switch {
	case len(e) == 1 && e[0].kind == tIdent && e[0].val == x:
		return arr, "", true
	case len(e) == 3 && e[0].kind == tString && e[1].is(tOp, "||") && e[2].kind == tIdent && e[2].val == x:
		return arr, e[0].val, true
	}
	return nil, "", false
}

// sessionValueWords are PostgreSQL's SQL value functions written without
// parentheses; restsql calls them as functions.
var sessionValueWords = map[string]bool{"current_user": true, "session_user": true, "current_role": true, "current_catalog": true, "current_schema": true}

// byteWiseCollations are the collations restsql's byte-wise string
// comparison honours.
var byteWiseCollations = map[string]bool{"default": true, "c": true, "posix": true, "ucs_basic": true}

// rewriteCatalogTokens rewrites, on tokens, what catalog queries write in
// PostgreSQL's own way:
//
//   - pg_catalog.f(…) is f(…) (restsql has no schema-qualified functions);
//   - OPERATOR(pg_catalog.~) is ~;
//   - COLLATE "C" (also default, POSIX, ucs_basic) is dropped: restsql
//     compares strings byte-wise, as the C collation does;
//   - current_user, session_user, current_role, current_catalog and
//     current_schema without parentheses are calls;
//   - row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) of
//     pg_attribute a is a.attnum, when the query's WHERE keeps every
//     column of a relation (see attnumWindow).
func rewriteCatalogTokens(toks []token) []token {
	var out []token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.keyword("pg_catalog") && i+3 < len(toks) && toks[i+1].is(tPunct, ".") && toks[i+2].kind == tIdent && toks[i+3].is(tPunct, "(") &&
			!(i > 0 && toks[i-1].is(tPunct, ".")):
			n := toks[i+2]
			n.space = t.space
			out = append(out, n)
			i += 2
			continue
		case t.keyword("operator") && i+1 < len(toks) && toks[i+1].is(tPunct, "("):
			end := matchParen(toks, i+1)
			if end > i+2 && toks[end-1].kind == tOp {
				op := toks[end-1]
				op.space = t.space
				out = append(out, op)
				i = end
				continue
			}
		case t.keyword("collate") && i+1 < len(toks) && (toks[i+1].kind == tIdent || toks[i+1].kind == tQIdent):
			j := i + 1
			for j+2 < len(toks) && toks[j+1].is(tPunct, ".") && (toks[j+2].kind == tIdent || toks[j+2].kind == tQIdent) {
				j += 2
			}
			if byteWiseCollations[strings.ToLower(toks[j].val)] {
				i = j
				continue
			}
		case t.kind == tIdent && sessionValueWords[t.val] && !(i+1 < len(toks) && toks[i+1].is(tPunct, "(")) && !(i > 0 && toks[i-1].is(tPunct, ".")) &&
			!(i+1 < len(toks) && toks[i+1].is(tPunct, ".")):
			out = append(out, t, synth(tPunct, "("), synth(tPunct, ")"))
			continue
		case t.keyword("array") && i+2 < len(toks) && toks[i+1].is(tPunct, "(") && toks[i+2].keyword("select"):
			// ARRAY(SELECT 'p' || x FROM unnest(a) x): the elements of a,
			// each with a prefix (psql's \d+ asks so for TOAST options).
			end := matchParen(toks, i+1)
			if end < 0 {
				break
			}
			if arr, pre, ok := arrayOfUnnest(toks[i+2 : end]); ok {
				fn := synth(tIdent, "PG_ARRAY_PREFIX")
				fn.space = t.space
				lit := token{kind: tString, text: quoteString(pre), val: pre, space: true}
				out = append(out, fn, synth(tPunct, "("))
				out = append(out, spaced(arr, false)...)
				out = append(out, synth(tPunct, ","), lit, synth(tPunct, ")"))
				i = end
				continue
			}
		case t.keyword("row_number") && i+3 < len(toks) && toks[i+1].is(tPunct, "(") && toks[i+2].is(tPunct, ")") && toks[i+3].keyword("over"):
			if col, n, ok := attnumWindow(toks, i); ok {
				col[0].space = t.space
				out = append(out, col...)
				i += n - 1
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// attnumWindow reads row_number() OVER (PARTITION BY q.attrelid ORDER BY
// q.attnum) at toks[i] and returns q.attnum and the window's length in
// tokens. The rewrite is exact because pg_attribute numbers each
// relation's columns 1, 2, … with no gaps and no dropped columns: it is
// made only when the WHERE clause of the query around it filters q's rows
// by nothing but q.attnum > 0, NOT q.attisdropped and joins on
// q.attrelid, so that every column of a relation is kept.
func attnumWindow(toks []token, i int) ([]token, int, bool) {
	open := i + 4
	if open >= len(toks) || !toks[open].is(tPunct, "(") {
		return nil, 0, false
	}
	end := matchParen(toks, open)
	if end < 0 {
		return nil, 0, false
	}
	w := toks[open+1 : end]
	// PARTITION BY q . attrelid ORDER BY q . attnum
	if len(w) != 10 || !w[0].keyword("partition") || !w[1].keyword("by") || !w[3].is(tPunct, ".") || !w[4].keyword("attrelid") ||
		!w[5].keyword("order") || !w[6].keyword("by") || !w[8].is(tPunct, ".") || !w[9].keyword("attnum") || w[2].val != w[7].val {
		return nil, 0, false
	}
	q := w[2].val
	// The query around: from the enclosing ( or the start to its end.
	start, depth := 0, 0
	for j := i - 1; j >= 0; j-- {
		if toks[j].is(tPunct, ")") {
			depth++
		} else if toks[j].is(tPunct, "(") {
			if depth == 0 {
				start = j + 1
				break
			}
			depth--
		}
	}
	stop := len(toks)
	if start > 0 {
		stop = matchParen(toks, start-1)
		if stop < 0 {
			return nil, 0, false
		}
	}
	where := topLevel(toks[:stop], end+1, "where")
	for j := where; j+2 < stop; j++ {
		if toks[j].val != q || toks[j].kind != tIdent && toks[j].kind != tQIdent || !toks[j+1].is(tPunct, ".") {
			continue
		}
		col := toks[j+2].val
		switch {
		case col == "attrelid" || col == "attisdropped" && j > 0 && toks[j-1].keyword("not"):
		case col == "attnum" && j+4 < len(toks) && toks[j+3].is(tOp, ">") && toks[j+4].kind == tNumber && toks[j+4].text == "0":
		default:
			return nil, 0, false
		}
	}
	return []token{w[7], w[8], w[9]}, end - i + 1, true
}

// rewriteArrays rewrites PostgreSQL's array syntax into the catalog
// functions (pgfuncs.go): ARRAY[a, b] is PG_ARRAY(a, b), x[i] is
// PG_ARRAY_ELEM(x, i), x = ANY(a) is PG_ANY_EQ(x, a) and x <> ALL(a) is
// PG_ALL_NE(x, a) (a subquery in ANY or ALL is left as it is).
func rewriteArrays(units []unit) []unit {
	var out []unit
	seg := 0
	call := func(name string, space bool, args ...[]token) unit {
		fn := synth(tIdent, name)
		fn.space = space
		u := unit{fn, synth(tPunct, "(")}
		for k, a := range args {
			if k > 0 {
				u = append(u, synth(tPunct, ","))
			}
			u = append(u, spaced(a, k > 0)...)
		}
		return append(u, synth(tPunct, ")"))
	}
	for i := 0; i < len(units); i++ {
		u := units[i]
		switch {
		case len(u) == 1 && u[0].keyword("array") && i+1 < len(units) && units[i+1].group() && units[i+1][0].is(tPunct, "["):
			var args [][]token
			args = append(args, groupArgs(units[i+1])...)
			out = append(out, call("PG_ARRAY", u[0].space, args...))
			i++
			continue
		case u.group() && u[0].is(tPunct, "[") && len(out) > seg && len(u) > 2:
			left := flatten(out[seg:])
			out = append(out[:seg], call("PG_ARRAY_ELEM", left[0].space, left, []token(u[1:len(u)-1])))
			continue
		case len(u) == 1 && u[0].kind == tOp && (u[0].text == "=" || u[0].text == "<>" || u[0].text == "!=") && i+2 < len(units) &&
			len(units[i+1]) == 1 && (units[i+1][0].keyword("any") || units[i+1][0].keyword("some") || units[i+1][0].keyword("all")) &&
			units[i+2].group() && units[i+2][0].is(tPunct, "(") && len(units[i+2]) > 2 && !units[i+2][1].keyword("select") && len(out) > seg:
			name := ""
			switch {
			case u[0].text == "=" && !units[i+1][0].keyword("all"):
				name = "PG_ANY_EQ"
			case u[0].text != "=" && units[i+1][0].keyword("all"):
				name = "PG_ALL_NE"
			}
			if name != "" {
				left := flatten(out[seg:])
				out = append(out[:seg], call(name, left[0].space, left, []token(units[i+2][1:len(units[i+2])-1])))
				i += 2
				continue
			}
		}
		if isBoundary(units, i) {
			out = append(out, u)
			seg = len(out)
			continue
		}
		out = append(out, u)
	}
	return out
}

// srfSeriesRows is the number of rows of pg_catalog.restsql_series, the
// ordinals a set-returning function's rewrite joins with: the longest
// array the rewrite expands (PG_SRF_LEN refuses longer ones).
const srfSeriesRows = 1024

// rewriteSRF rewrites the set-returning functions catalog queries call in
// a select list over one array E — unnest(E), generate_subscripts(E, 1)
// and information_schema._pg_expandarray(E) with its fields .x and .n —
// into a join with pg_catalog.restsql_series (ordinals 1 to 1024), which
// restsql can run:
//
//	SELECT unnest(ix.indkey) attnum, generate_subscripts(ix.indkey, 1) ord FROM pg_index ix WHERE w
//	SELECT PG_ARRAY_NTH(ix.indkey, srf.i) attnum, PG_SUBSCRIPT(ix.indkey, srf.i) ord
//	  FROM pg_index ix, pg_catalog.restsql_series srf WHERE (w) AND srf.i <= PG_SRF_LEN(ix.indkey)
//
// A row of E's table gives one row per element, as PostgreSQL's
// set-returning functions in a select list do; a NULL or empty array gives
// none. A _pg_expandarray(E) record (named by an alias, as the JDBC
// driver's getPrimaryKeys does) is its element x, and (alias.col).x reads
// it. A select list with set-returning calls over two different arrays is
// left as it is (restsql then refuses it).
func rewriteSRF(toks []token) []token {
	// The aliases of _pg_expandarray records, in the whole statement.
	records := map[string]bool{}
	for i := 0; i+3 < len(toks); i++ {
		if !toks[i].keyword("information_schema") || !toks[i+1].is(tPunct, ".") || !toks[i+2].keyword("_pg_expandarray") || !toks[i+3].is(tPunct, "(") {
			continue
		}
		end := matchParen(toks, i+3)
		if end < 0 || i > 0 && toks[i-1].is(tPunct, "(") && end+1 < len(toks) && toks[end+1].is(tPunct, ")") {
			continue
		}
		j := end + 1
		if j < len(toks) && toks[j].keyword("as") {
			j++
		}
		if j < len(toks) && (toks[j].kind == tIdent || toks[j].kind == tQIdent) {
			records[strings.ToLower(toks[j].val)] = true
		}
	}
	return srfLevel(toks, records)
}

func srfLevel(toks []token, records map[string]bool) []token {
	// Inner groups first.
	var out []token
	for i := 0; i < len(toks); i++ {
		if toks[i].is(tPunct, "(") {
			end := matchParen(toks, i)
			if end > i {
				out = append(out, toks[i])
				out = append(out, srfLevel(toks[i+1:end], records)...)
				out = append(out, toks[end])
				i = end
				continue
			}
		}
		out = append(out, toks[i])
	}
	toks = out
	if len(toks) == 0 || !toks[0].keyword("select") {
		return fieldAccess(toks, records)
	}
	from := topLevel(toks, 1, "from")
	if from == len(toks) {
		return toks
	}
	// Find the SRF calls of the select list and their array.
	var array []token
	same := true
	type call struct {
		start, end int // toks[start:end] is replaced
		kind       string
	}
	var calls []call
	for i := 1; i < from; i++ {
		t := toks[i]
		var c call
		switch {
		case (t.keyword("unnest") || t.keyword("generate_subscripts")) && i+1 < from && toks[i+1].is(tPunct, "(") && !(i > 0 && toks[i-1].is(tPunct, ".")):
			end := matchParen(toks, i+1)
			if end < 0 {
				return toks
			}
			args := splitTop(toks[i+2 : end])
			if t.keyword("unnest") && len(args) != 1 || t.keyword("generate_subscripts") && (len(args) != 2 || len(args[1]) != 1 || args[1][0].text != "1") {
				return toks
			}
			c = call{i, end + 1, t.val}
			if !sameTokens(array, args[0]) {
				same = same && array == nil
				array = args[0]
			}
		case t.keyword("information_schema") && i+3 < from && toks[i+1].is(tPunct, ".") && toks[i+2].keyword("_pg_expandarray") && toks[i+3].is(tPunct, "("):
			end := matchParen(toks, i+3)
			if end < 0 {
				return toks
			}
			arg := toks[i+4 : end]
			if !sameTokens(array, arg) {
				same = same && array == nil
				array = arg
			}
			c = call{i, end + 1, "record"}
			// (…).n or (…).x
			if i > 0 && toks[i-1].is(tPunct, "(") && end+3 < from && toks[end+1].is(tPunct, ")") && toks[end+2].is(tPunct, ".") {
				c = call{i - 1, end + 4, "field-" + toks[end+3].val}
			}
		default:
			continue
		}
		calls = append(calls, c)
		i = c.end - 1
	}
	if len(calls) == 0 || !same {
		return fieldAccess(toks, records)
	}
	toks = fieldAccess(toks, records)
	word := func(s string, space bool) token { t := synth(tIdent, s); t.space = space; return t }
	fn := func(name string, space bool) []token {
		r := []token{word(name, space), synth(tPunct, "(")}
		r = append(r, spaced(array, false)...)
		r = append(r, synth(tPunct, ","), word("srf", true), synth(tPunct, "."), word("i", false), synth(tPunct, ")"))
		return r
	}
	var res []token
	prev := 0
	for _, c := range calls {
		res = append(res, toks[prev:c.start]...)
		sp := toks[c.start].space
		switch c.kind {
		case "generate_subscripts":
			res = append(res, fn("PG_SUBSCRIPT", sp)...)
		case "field-n":
			res = append(res, word("srf", sp), synth(tPunct, "."), word("i", false))
		default: // unnest, the record, its x
			res = append(res, fn("PG_ARRAY_NTH", sp)...)
		}
		prev = c.end
	}
	where := topLevel(toks, from, "where", "group", "having", "order", "limit", "offset", "union", "intersect", "except", "fetch", "for")
	res = append(res, toks[prev:where]...)
	res = append(res, synth(tPunct, ","), word("pg_catalog", true), synth(tPunct, "."), word("restsql_series", false), word("srf", true))
	cond := []token{word("srf", true), synth(tPunct, "."), word("i", false), synth(tOp, "<="), word("PG_SRF_LEN", true), synth(tPunct, "(")}
	cond[3].space = true
	cond = append(cond, spaced(array, false)...)
	cond = append(cond, synth(tPunct, ")"))
	if where < len(toks) && toks[where].keyword("where") {
		end := topLevel(toks, where+1, "group", "having", "order", "limit", "offset", "union", "intersect", "except", "fetch", "for")
		res = append(res, toks[where], synth(tPunct, "("))
		res[len(res)-1].space = true
		res = append(res, spaced(toks[where+1:end], false)...)
		res = append(res, synth(tPunct, ")"), word("AND", true))
		res = append(res, cond...)
		res = append(res, toks[end:]...)
	} else {
		res = append(res, word("WHERE", true))
		res = append(res, cond...)
		res = append(res, toks[where:]...)
	}
	return res
}

// fieldAccess rewrites (q.col).x, of a column that holds a
// _pg_expandarray record (records), as q.col: the record is its element.
func fieldAccess(toks []token, records map[string]bool) []token {
	var out []token
	for i := 0; i < len(toks); i++ {
		if toks[i].is(tPunct, "(") && i+6 < len(toks) && (toks[i+1].kind == tIdent || toks[i+1].kind == tQIdent) && toks[i+2].is(tPunct, ".") &&
			(toks[i+3].kind == tIdent || toks[i+3].kind == tQIdent) && toks[i+4].is(tPunct, ")") && toks[i+5].is(tPunct, ".") && toks[i+6].keyword("x") &&
			records[strings.ToLower(toks[i+3].val)] {
			q, c := toks[i+1], toks[i+3]
			q.space = toks[i].space
			out = append(out, q, toks[i+2], c)
			i += 6
			continue
		}
		out = append(out, toks[i])
	}
	return out
}

func sameTokens(a, b []token) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].kind != b[i].kind || a[i].text != b[i].text {
			return false
		}
	}
	return true
}

// inFromClause reports whether toks[i] is in a FROM clause: the nearest
// clause keyword before it at its nesting level is FROM.
func inFromClause(toks []token, i int) bool {
	depth := 0
	for j := i - 1; j >= 0; j-- {
		t := toks[j]
		switch {
		case t.is(tPunct, ")"):
			depth++
		case t.is(tPunct, "("):
			if depth == 0 {
				return false
			}
			depth--
		case depth == 0 && t.kind == tIdent:
			switch t.val {
			case "from":
				return true
			case "select", "where", "group", "having", "order", "limit", "offset", "on", "using", "returning", "set", "values":
				return false
			}
		}
	}
	return false
}

// rewriteTableFunctions rewrites the table functions catalog queries call
// in FROM into derived tables over pg_catalog.restsql_series:
//
//	FROM generate_series(a, b) [AS] s(n)
//	FROM (SELECT srf.i AS n FROM pg_catalog.restsql_series srf WHERE srf.i >= PG_SERIES_LOW(a) AND srf.i <= PG_SERIES_HIGH(b)) AS s
//	FROM unnest(E) [AS] u(x)
//	FROM (SELECT PG_ARRAY_NTH(E, srf.i) AS x FROM pg_catalog.restsql_series srf WHERE srf.i <= PG_SRF_LEN(E)) AS u
//
// The column is named as PostgreSQL names it (the function's name, or
// the alias's column list). PG_SERIES_LOW and PG_SERIES_HIGH refuse a
// series that does not fit in 1 to 1024.
func rewriteTableFunctions(toks []token) []token {
	var out []token
	word := func(s string, space bool) token { t := synth(tIdent, s); t.space = space; return t }
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if !(t.keyword("generate_series") || t.keyword("unnest")) || i == 0 || i+1 >= len(toks) || !toks[i+1].is(tPunct, "(") ||
			!(toks[i-1].keyword("from") || toks[i-1].keyword("join") || toks[i-1].is(tPunct, ",") && inFromClause(toks, i-1)) {
			out = append(out, t)
			continue
		}
		end := matchParen(toks, i+1)
		if end < 0 {
			out = append(out, t)
			continue
		}
		args := splitTop(toks[i+2 : end])
		if t.keyword("generate_series") && len(args) != 2 || t.keyword("unnest") && len(args) != 1 {
			out = append(out, t)
			continue
		}
		j := end + 1
		alias, col := t.val, t.val
		if j < len(toks) && toks[j].keyword("as") {
			j++
		}
		if j < len(toks) && (toks[j].kind == tQIdent || toks[j].kind == tIdent && !notAlias[toks[j].val] && !boundaryKeywords[toks[j].val]) {
			alias, col = toks[j].val, toks[j].val
			if toks[j].kind == tQIdent {
				alias = `"` + alias + `"`
			}
			j++
			if j+2 < len(toks) && toks[j].is(tPunct, "(") && (toks[j+1].kind == tIdent || toks[j+1].kind == tQIdent) && toks[j+2].is(tPunct, ")") {
				col = toks[j+1].val
				j += 3
			}
		}
		rep := []token{synth(tPunct, "("), word("SELECT", false)}
		rep[0].space = t.space
		if t.keyword("unnest") {
			rep = append(rep, word("PG_ARRAY_NTH", true), synth(tPunct, "("))
			rep = append(rep, spaced(args[0], false)...)
			rep = append(rep, synth(tPunct, ","), word("srf", true), synth(tPunct, "."), word("i", false), synth(tPunct, ")"))
		} else {
			rep = append(rep, word("srf", true), synth(tPunct, "."), word("i", false))
		}
		q := token{kind: tQIdent, text: `"` + col + `"`, val: col, space: true}
		rep = append(rep, word("AS", true), q, word("FROM", true), word("pg_catalog", true), synth(tPunct, "."), word("restsql_series", false),
			word("srf", true), word("WHERE", true))
		bound := func(fn, op string, arg []token) {
			o := synth(tOp, op)
			o.space = true
			rep = append(rep, word("srf", true), synth(tPunct, "."), word("i", false), o, word(fn, true), synth(tPunct, "("))
			rep = append(rep, spaced(arg, false)...)
			rep = append(rep, synth(tPunct, ")"))
		}
		if t.keyword("unnest") {
			bound("PG_SRF_LEN", "<=", args[0])
		} else {
			bound("PG_SERIES_LOW", ">=", args[0])
			rep = append(rep, word("AND", true))
			bound("PG_SERIES_HIGH", "<=", args[1])
		}
		a := synth(tIdent, alias)
		if strings.HasPrefix(alias, `"`) {
			a = token{kind: tQIdent, text: alias, val: strings.Trim(alias, `"`)}
		}
		a.space = true
		rep = append(rep, synth(tPunct, ")"), word("AS", true), a)
		out = append(out, rep...)
		i = j - 1
	}
	return out
}

// uniqueKeys are the unique keys of the catalog relations, for
// decorrelate: a lookup on one finds at most one row.
var uniqueKeys = map[string][][]string{
	"pg_class": {{"oid"}}, "pg_type": {{"oid"}}, "pg_namespace": {{"oid"}, {"nspname"}}, "pg_proc": {{"oid"}},
	"pg_constraint": {{"oid"}}, "pg_am": {{"oid"}}, "pg_collation": {{"oid"}}, "pg_database": {{"oid"}},
	"pg_roles": {{"oid"}}, "pg_authid": {{"oid"}}, "pg_tablespace": {{"oid"}}, "pg_index": {{"indexrelid"}},
	"pg_attrdef": {{"oid"}, {"adrelid", "adnum"}}, "pg_attribute": {{"attrelid", "attnum"}, {"attrelid", "attname"}},
	"pg_description": {{"objoid", "classoid", "objsubid"}}, "pg_inherits": {{"inhrelid", "inhseqno"}},
	"pg_trigger": {{"oid"}}, "pg_sequence": {{"seqrelid"}}, "pg_policy": {{"oid"}}, "pg_statistic_ext": {{"oid"}}, "pg_publication": {{"oid"}},
}

// decorrelate rewrites a correlated scalar subquery that looks rows up
// by a unique key of catalog relations, as psql's \d and the JDBC
// driver's getTypeInfo write them, into LEFT JOINs of the query around
// it, which restsql can run:
//
//	SELECT …, (SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_catalog.pg_attrdef d
//	           WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef) … FROM pg_attribute a WHERE …
//	SELECT …, (CASE WHEN rsq1.adrelid IS NOT NULL AND (a.atthasdef) THEN pg_get_expr(rsq1.adbin, rsq1.adrelid) END) …
//	  FROM pg_attribute a LEFT JOIN pg_catalog.pg_attrdef rsq1 ON rsq1.adrelid = a.attrelid AND rsq1.adnum = a.attnum WHERE …
//
// It is exact: each relation of the subquery is matched on a whole
// unique key (uniqueKeys) by values of the outer row, so the subquery has
// at most one row, which the CASE keeps when the subquery's other
// conditions hold. Subqueries of any other shape, and queries whose FROM
// has a comma, are left as they are (restsql refuses correlated
// subqueries).
func decorrelate(toks []token) []token {
	n := 0
	return decorrelateLevel(toks, &n)
}

func decorrelateLevel(toks []token, n *int) []token {
	var out []token
	for i := 0; i < len(toks); i++ {
		if toks[i].is(tPunct, "(") {
			if end := matchParen(toks, i); end > i {
				out = append(out, toks[i])
				out = append(out, decorrelateLevel(toks[i+1:end], n)...)
				out = append(out, toks[end])
				i = end
				continue
			}
		}
		out = append(out, toks[i])
	}
	toks = out
	if len(toks) == 0 || !toks[0].keyword("select") {
		return toks
	}
	from := topLevel(toks, 1, "from")
	if from == len(toks) {
		return toks
	}
	fromEnd := topLevel(toks, from+1, "where", "group", "having", "order", "limit", "offset", "union", "intersect", "except", "fetch", "for", "window")
	if len(splitTop(toks[from+1:fromEnd])) != 1 {
		return toks
	}
	var joins []token
	rewrite := func(part []token, skip bool) []token {
		var res []token
		for i := 0; i < len(part); i++ {
			if !skip && part[i].is(tPunct, "(") && i+1 < len(part) && part[i+1].keyword("select") {
				end := matchParen(part, i)
				if end < 0 {
					res = append(res, part[i:]...)
					break
				}
				prev := token{}
				if i > 0 {
					prev = part[i-1]
				}
				exists := prev.keyword("exists")
				if !(prev.keyword("in") || prev.keyword("any") || prev.keyword("some") || prev.keyword("all") || prev.keyword("array")) {
					if rep, join, ok := lookupSubquery(part[i+1:end], n, exists); ok {
						if exists {
							res = res[:len(res)-1] // EXISTS
							rep[0].space = prev.space
						} else {
							rep[0].space = part[i].space
						}
						res = append(res, rep...)
						joins = append(joins, join...)
						i = end
						continue
					}
				}
			}
			res = append(res, part[i])
		}
		return res
	}
	head := rewrite(toks[:from], false)
	mid := rewrite(toks[from:fromEnd], true)
	tail := rewrite(toks[fromEnd:], false)
	out = append(append(head, mid...), joins...)
	return append(out, tail...)
}

// lookupSubquery rewrites the inside of one scalar subquery (see
// decorrelate): the expression that replaces it and the joins that go
// into the FROM around it.
//
// With exists, the subquery is EXISTS's, and its replacement is true
// when the row is there and false when not.
func lookupSubquery(sub []token, n *int, exists bool) ([]token, []token, bool) {
	from := topLevel(sub, 1, "from")
	where := topLevel(sub, from+1, "where")
	if from >= len(sub) || where >= len(sub) || topLevel(sub, 1, "group", "having", "order", "limit", "offset", "union", "intersect", "except", "fetch", "for", "window", "distinct", "all") < len(sub) {
		return nil, nil, false
	}
	expr := sub[1:from]
	if !exists && (len(splitTop(expr)) != 1 || len(expr) == 0) {
		return nil, nil, false
	}
	type rel struct {
		name, alias, fresh string
	}
	var rels []*rel
	// FROM r1 a1 [JOIN r2 a2 ON cond]…: an inner join's ON is a condition
	// like the WHERE's.
	var onConds []token
	var fromParts [][]token
	for _, part := range splitTop(sub[from+1 : where]) {
		start := 0
		for j := 0; j <= len(part); j++ {
			if j < len(part) && !part[j].keyword("join") && !part[j].keyword("on") {
				if part[j].keyword("left") || part[j].keyword("right") || part[j].keyword("full") || part[j].keyword("cross") || part[j].keyword("natural") || part[j].keyword("using") {
					return nil, nil, false
				}
				continue
			}
			seg := part[start:j]
			if len(seg) > 0 && seg[len(seg)-1].keyword("inner") {
				seg = seg[:len(seg)-1]
			}
			if start > 0 && part[start-1].keyword("on") {
				if len(onConds) > 0 {
					onConds = append(onConds, synth(tIdent, "and"))
				}
				onConds = append(onConds, seg...)
			} else {
				fromParts = append(fromParts, seg)
			}
			start = j + 1
		}
	}
	for _, part := range fromParts {
		j := 0
		if len(part) >= 3 && part[0].keyword("pg_catalog") && part[1].is(tPunct, ".") {
			j = 2
		}
		if len(part) != j+2 && !(len(part) == j+3 && part[j+1].keyword("as")) {
			return nil, nil, false
		}
		name, alias := part[j].val, part[len(part)-1]
		if part[j].kind != tIdent || alias.kind != tIdent || uniqueKeys[name] == nil {
			return nil, nil, false
		}
		*n++
		rels = append(rels, &rel{name: name, alias: alias.val, fresh: "rsq" + strconv.Itoa(*n)})
	}
	aliases := map[string]*rel{}
	for _, r := range rels {
		aliases[r.alias] = r
	}
	// The conditions, split on top-level AND.
	var conds [][]token
	all := append(append([]token{}, onConds...), synth(tIdent, "and"))
	if len(onConds) == 0 {
		all = nil
	}
	all = append(all, sub[where+1:]...)
	start, depth := 0, 0
	for j := 0; j <= len(all); j++ {
		if j < len(all) {
			t := all[j]
			switch {
			case t.is(tPunct, "("):
				depth++
			case t.is(tPunct, ")"):
				depth--
			case t.keyword("between") || t.keyword("or") && depth == 0:
				return nil, nil, false
			}
			if !(depth == 0 && t.keyword("and")) {
				continue
			}
		}
		conds = append(conds, all[start:j])
		start = j + 1
	}
	// mentions reports which inner aliases a token list names (alias .).
	mentions := func(ts []token) map[string]bool {
		m := map[string]bool{}
		for j := 0; j+1 < len(ts); j++ {
			if ts[j].kind == tIdent && aliases[ts[j].val] != nil && ts[j+1].is(tPunct, ".") && !(j > 0 && ts[j-1].is(tPunct, ".")) {
				m[ts[j].val] = true
			}
		}
		return m
	}
	// Every column in the subquery must be qualified: an unqualified name
	// could mean a column of either query.
	for j, t := range sub {
		if t.kind == tQIdent || t.kind == tIdent && !reservedWords[t.val] && !boundaryKeywords[t.val] {
			qualified := j > 0 && (sub[j-1].is(tPunct, ".") || sub[j-1].is(tOp, "::")) || j+1 < len(sub) && (sub[j+1].is(tPunct, ".") || sub[j+1].is(tPunct, "("))
			if !qualified && !(j >= from && j < where) {
				return nil, nil, false
			}
		}
	}
	// keyed lists, for each inner alias and column, the values an
	// equality gives it (of the outer row, or of other inner relations).
	// Every condition stays a guard of the CASE too: the ones a join
	// enforces are then checked twice, which is harmless.
	keyed := map[string]map[string][][]token{}
	guards := conds
	for _, c := range conds {
		eq := indexOp(c, "=")
		if eq <= 0 {
			continue
		}
		l, r := c[:eq], c[eq+1:]
		for _, side := range [][2][]token{{l, r}, {r, l}} {
			in, other := side[0], side[1]
			if len(in) == 3 && in[0].kind == tIdent && aliases[in[0].val] != nil && in[1].is(tPunct, ".") && !mentions(other)[in[0].val] {
				if keyed[in[0].val] == nil {
					keyed[in[0].val] = map[string][][]token{}
				}
				keyed[in[0].val][in[2].val] = append(keyed[in[0].val][in[2].val], other)
			}
		}
	}
	word := func(s string, space bool) token { t := synth(tIdent, s); t.space = space; return t }
	rename := func(ts []token) []token {
		out := make([]token, len(ts))
		copy(out, ts)
		for j := 0; j+1 < len(out); j++ {
			if out[j].kind == tIdent && aliases[out[j].val] != nil && out[j+1].is(tPunct, ".") && !(j > 0 && out[j-1].is(tPunct, ".")) {
				sp := out[j].space
				out[j] = word(aliases[out[j].val].fresh, sp)
			}
		}
		return out
	}
	var joins, repl []token
	repl = append(repl, synth(tPunct, "("), word("CASE", false), word("WHEN", true))
	first := true
	and := func() {
		if !first {
			repl = append(repl, word("AND", true))
		}
		first = false
	}
	emitted := map[string]bool{}
	// keyOf returns a unique key of r that equalities give values to from
	// the outer row and the relations already joined, and those values.
	keyOf := func(r *rel) ([]string, [][]token) {
		for _, k := range uniqueKeys[r.name] {
			var vals [][]token
			for _, col := range k {
				for _, v := range keyed[r.alias][col] {
					ok := true
					for m := range mentions(v) {
						if !emitted[m] {
							ok = false
						}
					}
					if ok {
						vals = append(vals, v)
						break
					}
				}
			}
			if len(vals) == len(k) {
				return k, vals
			}
		}
		return nil, nil
	}
	var order []*rel
	for len(order) < len(rels) {
		progress := false
		for _, r := range rels {
			if k, _ := keyOf(r); !emitted[r.alias] && k != nil {
				order = append(order, r)
				emitted[r.alias] = true
				progress = true
			}
		}
		if !progress {
			return nil, nil, false
		}
	}
	emitted = map[string]bool{}
	for _, r := range order {
		key, vals := keyOf(r)
		emitted[r.alias] = true
		joins = append(joins, word("LEFT", true), word("JOIN", true), word("pg_catalog", true), synth(tPunct, "."), word(r.name, false), word(r.fresh, true), word("ON", true))
		for ki, col := range key {
			if ki > 0 {
				joins = append(joins, word("AND", true))
			}
			eq := synth(tOp, "=")
			eq.space = true
			joins = append(joins, word(r.fresh, true), synth(tPunct, "."), word(col, false), eq)
			joins = append(joins, spaced(rename(vals[ki]), true)...)
		}
		and()
		repl = append(repl, word(r.fresh, true), synth(tPunct, "."), word(key[0], false), word("IS", true), word("NOT", true), word("NULL", true))
	}
	for _, g := range guards {
		and()
		open := synth(tPunct, "(")
		open.space = true
		repl = append(repl, open)
		repl = append(repl, spaced(rename(g), false)...)
		repl = append(repl, synth(tPunct, ")"))
	}
	repl = append(repl, word("THEN", true))
	if exists {
		repl = append(repl, word("TRUE", true), word("ELSE", true), word("FALSE", true))
	} else {
		repl = append(repl, spaced(rename(expr), true)...)
	}
	repl = append(repl, word("END", true), synth(tPunct, ")"))
	return repl, joins, true
}

// indexOp finds a top-level operator in ts (-1 for none).
func indexOp(ts []token, op string) int {
	depth := 0
	for i, t := range ts {
		switch {
		case t.is(tPunct, "("):
			depth++
		case t.is(tPunct, ")"):
			depth--
		case depth == 0 && t.is(tOp, op):
			return i
		}
	}
	return -1
}

// notAlias are the words that may follow a table name without being its
// alias.
var notAlias = map[string]bool{
	"where": true, "join": true, "inner": true, "left": true, "right": true, "full": true, "cross": true,
	"natural": true, "on": true, "using": true, "order": true, "group": true, "having": true, "limit": true,
	"offset": true, "union": true, "intersect": true, "except": true, "fetch": true, "for": true, "window": true,
}

// alwaysEmpty are the catalog relations that never have rows in restsql
// serve (it has no policies, triggers, rules, inheritance, defaults,
// sequences, extensions, …).
var alwaysEmpty = map[string]bool{
	"pg_policy": true, "pg_trigger": true, "pg_rewrite": true, "pg_inherits": true, "pg_attrdef": true, "pg_enum": true,
	"pg_range": true, "pg_depend": true, "pg_sequence": true, "pg_extension": true, "pg_foreign_table": true,
	"pg_partitioned_table": true, "pg_statistic_ext": true, "pg_publication": true, "pg_publication_rel": true,
	"pg_publication_namespace": true, "pg_subscription": true, "pg_event_trigger": true, "pg_opclass": true,
	"pg_operator": true, "pg_cast": true, "pg_auth_members": true, "pg_shdescription": true, "pg_views": true,
	"pg_matviews": true,
}

// neverValues are the values catalog columns never have in restsql serve
// (column=value by relation): it has no foreign keys, unique or check
// constraints.
var neverValues = map[string]map[string]bool{
	"pg_constraint": {"contype=f": true, "contype=u": true, "contype=c": true, "contype=x": true, "contype=t": true},
}

// aggregateWords are the aggregate functions, which give a row even over
// no rows.
var aggregateWords = map[string]bool{"count": true, "sum": true, "avg": true, "min": true, "max": true, "array_agg": true,
	"string_agg": true, "bool_and": true, "bool_or": true, "every": true, "json_agg": true, "jsonb_agg": true, "json_object_agg": true}

// pruneEmpty rewrites a SELECT whose FROM inner-joins a relation that is
// always empty (alwaysEmpty) and that does not aggregate: its rows are
// none whatever its select list and WHERE say, so the subqueries there
// (ARRAY(SELECT …), correlated scalar subqueries, EXISTS, IN (SELECT …),
// which restsql cannot all run) are replaced by NULL, which restsql can.
// psql's \d asks pg_policy so for every table.
func pruneEmpty(toks []token) []token {
	// Each branch of a UNION, INTERSECT or EXCEPT on its own.
	if cut := topLevel(toks, 1, "union", "intersect", "except"); cut < len(toks) {
		next := cut + 1
		if next < len(toks) && (toks[next].keyword("all") || toks[next].keyword("distinct")) {
			next++
		}
		out := append(pruneEmpty(toks[:cut]), toks[cut:next]...)
		return append(out, pruneEmpty(toks[next:])...)
	}
	if len(toks) == 0 || !toks[0].keyword("select") {
		return toks
	}
	from := topLevel(toks, 1, "from")
	if from == len(toks) || topLevel(toks, 1, "group", "having", "window") < len(toks) {
		return toks
	}
	for i := 1; i+1 < from; i++ {
		if toks[i].is(tPunct, "(") && toks[i+1].keyword("select") {
			// A subquery's aggregates are its own.
			if end := matchParen(toks, i); end > i {
				i = end
			}
			continue
		}
		if toks[i].kind == tIdent && aggregateWords[toks[i].val] && toks[i+1].is(tPunct, "(") {
			return toks
		}
	}
	fromEnd := topLevel(toks, from+1, "where", "order", "limit", "offset", "fetch", "for")
	empty := false
	filtered := map[string]string{} // alias → relation with neverValues
	for _, part := range splitTop(toks[from+1 : fromEnd]) {
		inner := true // the next relation is inner-joined
		for j := 0; j < len(part); j++ {
			t := part[j]
			switch {
			case t.keyword("right") || t.keyword("full"):
				return toks
			case t.keyword("left"):
				inner = false
			case t.is(tPunct, "("):
				if end := matchParen(part, j); end > j {
					j = end
				}
				inner = false
			case t.kind == tIdent && (j == 0 || part[j-1].keyword("join") || part[j-1].is(tPunct, ".") && j >= 2 && part[j-2].keyword("pg_catalog")):
				if j+1 < len(part) && part[j+1].is(tPunct, ".") {
					continue
				}
				if inner && alwaysEmpty[t.val] {
					empty = true
				}
				if inner && neverValues[t.val] != nil {
					alias := t.val
					if k := j + 1; k < len(part) && part[k].keyword("as") && k+1 < len(part) {
						alias = part[k+1].val
					} else if k < len(part) && part[k].kind == tIdent && !notAlias[part[k].val] && !boundaryKeywords[part[k].val] {
						alias = part[k].val
					}
					filtered[alias] = t.val
				}
				inner = true
			}
		}
	}
	// WHERE alias.col = 'v' (a top-level conjunct) with a value col never
	// has in restsql serve: no rows either.
	if fromEnd < len(toks) && toks[fromEnd].keyword("where") {
		end := topLevel(toks, fromEnd+1, "order", "limit", "offset", "fetch", "for")
		w := toks[fromEnd+1 : end]
		for j := 0; j+4 < len(w); j++ {
			if (j == 0 || w[j-1].keyword("and")) && w[j].kind == tIdent && w[j+1].is(tPunct, ".") && w[j+3].is(tOp, "=") && w[j+4].kind == tString &&
				(j+5 == len(w) || w[j+5].keyword("and")) {
				if rel := filtered[w[j].val]; rel != "" && neverValues[rel][w[j+2].val+"="+w[j+4].val] {
					empty = true
				}
			}
		}
	}
	if !empty {
		return toks
	}
	null := func(space bool) token { t := synth(tIdent, "NULL"); t.space = space; return t }
	var out []token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if i > from && i < fromEnd {
			out = append(out, t)
			continue
		}
		// word ( SELECT … ) with word ARRAY, EXISTS or IN, or ( SELECT … ).
		g := i
		if (t.keyword("array") || t.keyword("exists") || t.keyword("in")) && i+1 < len(toks) {
			g = i + 1
		}
		if toks[g].is(tPunct, "(") && g+1 < len(toks) && toks[g+1].keyword("select") {
			end := matchParen(toks, g)
			if end > g {
				if t.keyword("in") && g != i {
					eq := synth(tOp, "=")
					eq.space = t.space
					out = append(out, eq, null(true))
				} else {
					out = append(out, null(t.space))
				}
				i = end
				continue
			}
		}
		out = append(out, t)
	}
	return out
}
