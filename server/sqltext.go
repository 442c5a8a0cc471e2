package server

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// tokKind is the kind of a lexical token of PostgreSQL's SQL.
type tokKind int

const (
	tIdent  tokKind = iota // unquoted identifier or keyword
	tQIdent                // "quoted identifier"; val is the name
	tString                // string literal ('…', E'…', $$…$$); val is the value
	tNumber                // numeric literal
	tParam                 // $n; n is the number
	tOp                    // operator: = <> :: || ~ …
	tPunct                 // ( ) [ ] , ; .
)

// token is one token of a statement.
type token struct {
	kind tokKind
	text string // the source text
	val  string // tIdent: lower case; tQIdent, tString: the unescaped value
	n    int    // tParam: the parameter number
	pos  int    // byte offset in the source
	// space is set when whitespace or a comment precedes the token.
	space bool
}

func (t token) is(kind tokKind, val string) bool {
	switch t.kind {
	case tIdent:
		return kind == tIdent && t.val == val
	case tOp, tPunct:
		return t.kind == kind && t.text == val
	}
	return false
}

// keyword reports whether t is the unquoted keyword kw (lower case).
func (t token) keyword(kw string) bool { return t.kind == tIdent && t.val == kw }

// operatorChars are the characters PostgreSQL operators are made of.
const operatorChars = "+-*/<>=~!@#%^&|`?"

// lexSQL splits PostgreSQL SQL into tokens. Comments and whitespace are
// dropped (a token remembers whether any preceded it). It fails only on
// unterminated literals, quoted identifiers and comments.
//
// standardStrings is standard_conforming_strings: when it is off,
// backslashes are escapes in '…' literals too.
func lexSQL(src string, standardStrings bool) ([]token, error) {
	var toks []token
	space := false
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v':
			space = true
			i++
			continue
		case strings.HasPrefix(src[i:], "--"):
			nl := strings.IndexByte(src[i:], '\n')
			if nl < 0 {
				i = len(src)
			} else {
				i += nl + 1
			}
			space = true
			continue
		case strings.HasPrefix(src[i:], "/*"):
			// PostgreSQL's block comments nest.
			depth, j := 0, i
			for j < len(src) {
				if strings.HasPrefix(src[j:], "/*") {
					depth++
					j += 2
				} else if strings.HasPrefix(src[j:], "*/") {
					depth--
					j += 2
					if depth == 0 {
						break
					}
				} else {
					j++
				}
			}
			if depth != 0 {
				return nil, syntaxErrorAt(src, i, "unterminated /* comment")
			}
			i = j
			space = true
			continue
		}
		start := i
		tok := token{pos: start, space: space}
		space = false
		switch {
		case (c == 'E' || c == 'e') && i+1 < len(src) && src[i+1] == '\'':
			val, n, err := lexString(src, i+1, true)
			if err != nil {
				return nil, err
			}
			tok.kind, tok.val = tString, val
			i = n
		case c == '\'':
			val, n, err := lexString(src, i, !standardStrings)
			if err != nil {
				return nil, err
			}
			tok.kind, tok.val = tString, val
			i = n
		case c == '"':
			j := i + 1
			var b strings.Builder
			for {
				k := strings.IndexByte(src[j:], '"')
				if k < 0 {
					return nil, syntaxErrorAt(src, i, "unterminated quoted identifier")
				}
				b.WriteString(src[j : j+k])
				j += k + 1
				if j < len(src) && src[j] == '"' {
					b.WriteByte('"')
					j++
					continue
				}
				break
			}
			if b.Len() == 0 {
				return nil, syntaxErrorAt(src, i, "zero-length delimited identifier")
			}
			tok.kind, tok.val = tQIdent, b.String()
			i = j
		case c == '$' && i+1 < len(src) && isDigit(src[i+1]):
			j := i + 1
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			n, err := strconv.Atoi(src[i+1 : j])
			if err != nil || n < 1 || n > 65535 {
				return nil, syntaxErrorAt(src, i, "parameter number out of range")
			}
			tok.kind, tok.n = tParam, n
			i = j
		case c == '$':
			// A dollar-quoted string: $tag$ … $tag$.
			j := i + 1
			for j < len(src) && isIdentByte(src[j]) && !isDigit(src[j]) {
				j++
			}
			if j >= len(src) || src[j] != '$' {
				return nil, syntaxErrorAt(src, i, "syntax error at or near \"$\"")
			}
			delim := src[i : j+1]
			end := strings.Index(src[j+1:], delim)
			if end < 0 {
				return nil, syntaxErrorAt(src, i, "unterminated dollar-quoted string")
			}
			tok.kind, tok.val = tString, src[j+1:j+1+end]
			i = j + 1 + end + len(delim)
		case isDigit(c) || c == '.' && i+1 < len(src) && isDigit(src[i+1]):
			j := i
			for j < len(src) && isDigit(src[j]) {
				j++
			}
			if j < len(src) && src[j] == '.' && !(j+1 < len(src) && src[j+1] == '.') {
				j++
				for j < len(src) && isDigit(src[j]) {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && isDigit(src[k]) {
					for k < len(src) && isDigit(src[k]) {
						k++
					}
					j = k
				}
			}
			tok.kind = tNumber
			i = j
		case isIdentStart(src, i):
			j := i
			for j < len(src) {
				r, size := utf8.DecodeRuneInString(src[j:])
				if r == '_' || r == '$' || unicode.IsLetter(r) || unicode.IsDigit(r) {
					j += size
					continue
				}
				break
			}
			tok.kind = tIdent
			i = j
			tok.val = strings.ToLower(src[start:i])
		case strings.ContainsRune("()[],;.", rune(c)):
			tok.kind = tPunct
			i++
		case c == ':':
			tok.kind = tOp
			if i+1 < len(src) && src[i+1] == ':' {
				i += 2
			} else {
				i++
			}
		case strings.IndexByte(operatorChars, c) >= 0:
			j := i
			for j < len(src) && strings.IndexByte(operatorChars, src[j]) >= 0 {
				if strings.HasPrefix(src[j:], "--") || strings.HasPrefix(src[j:], "/*") {
					break
				}
				j++
			}
			// As in PostgreSQL, a multi-character operator does not end
			// in + or - unless it holds one of ~ ! @ # % ^ & | ` ?.
			for j-i > 1 && (src[j-1] == '+' || src[j-1] == '-') && !strings.ContainsAny(src[i:j-1], "~!@#%^&|`?") {
				j--
			}
			tok.kind = tOp
			i = j
		default:
			return nil, syntaxErrorAt(src, i, "syntax error at or near %q", string(c))
		}
		tok.text = src[start:i]
		toks = append(toks, tok)
	}
	return toks, nil
}

// lexString reads a '…' literal starting at the quote at i. With escapes
// (E'…'), backslash sequences are read as PostgreSQL does.
func lexString(src string, i int, escapes bool) (string, int, error) {
	var b strings.Builder
	j := i + 1
	for j < len(src) {
		c := src[j]
		switch {
		case c == '\'':
			if j+1 < len(src) && src[j+1] == '\'' {
				b.WriteByte('\'')
				j += 2
				continue
			}
			return b.String(), j + 1, nil
		case c == '\\' && escapes && j+1 < len(src):
			j++
			switch e := src[j]; e {
			case 'b':
				b.WriteByte('\b')
			case 'f':
				b.WriteByte('\f')
			case 'n':
				b.WriteByte('\n')
			case 'r':
				b.WriteByte('\r')
			case 't':
				b.WriteByte('\t')
			default:
				b.WriteByte(e)
			}
			j++
		default:
			b.WriteByte(c)
			j++
		}
	}
	return "", 0, syntaxErrorAt(src, i, "unterminated quoted string")
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func isIdentStart(src string, i int) bool {
	r, _ := utf8.DecodeRuneInString(src[i:])
	return r == '_' || unicode.IsLetter(r)
}

func syntaxErrorAt(src string, pos int, format string, args ...any) *sqlError {
	e := sqlErrorf(codeSyntaxError, format, args...)
	e.Position = int32(utf8.RuneCountInString(src[:pos]) + 1)
	return e
}

// splitStatements splits tokens on top-level semicolons; empty statements
// are kept out.
func splitStatements(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.is(tPunct, "(") || t.is(tPunct, "["):
			depth++
		case t.is(tPunct, ")") || t.is(tPunct, "]"):
			depth--
		case t.is(tPunct, ";") && depth <= 0:
			if i > start {
				out = append(out, toks[start:i])
			}
			start = i + 1
		}
	}
	if start < len(toks) {
		out = append(out, toks[start:])
	}
	return out
}

// maxParam is the highest $n of a statement: the number of parameters
// PostgreSQL gives it.
func maxParam(toks []token) int {
	n := 0
	for _, t := range toks {
		if t.kind == tParam && t.n > n {
			n = t.n
		}
	}
	return n
}

// translation is a statement rewritten in restsql's dialect.
type translation struct {
	sql string
	// args lists, for each ? of sql in order, the number of the $n
	// parameter it stands for.
	args []int
	// casts maps a parameter number to the OID of a $n::type cast.
	casts map[int]uint32
}

// castTypes maps PostgreSQL type names (lower case, as they follow ::)
// to the CAST target restsql reads and the OID of the type.
var castTypes = map[string]struct {
	target string
	oid    uint32
	// fn, when set, is the catalog function (pgfuncs.go) the cast is.
	fn string
}{
	"oid": {"SIGNED", oidInt8, ""}, "regclass": {"", oidText, "PG_REGCLASS"}, "regtype": {"", oidText, "PG_REGTYPE"},
	"regproc": {"", oidText, "PG_REGPROC"}, "regprocedure": {"", oidText, "PG_REGPROC"}, "regnamespace": {"", oidText, "PG_REGNAMESPACE"},
	// Arrays are values in PostgreSQL's text form: a cast to an array type
	// keeps the value.
	"text[]": {"", oidText, ""}, "name[]": {"", oidText, ""}, "oid[]": {"", oidText, ""}, "int2[]": {"", oidText, ""},
	"int4[]": {"", oidText, ""}, "int8[]": {"", oidText, ""}, "char[]": {"", oidText, ""}, "regtype[]": {"", oidText, ""},
	"varchar[]": {"", oidText, ""}, "int2vector": {"", oidText, ""}, "oidvector": {"", oidText, ""},
	"int": {"SIGNED", oidInt8, ""}, "int2": {"SIGNED", oidInt8, ""}, "int4": {"SIGNED", oidInt8, ""}, "int8": {"SIGNED", oidInt8, ""},
	"integer": {"SIGNED", oidInt8, ""}, "smallint": {"SIGNED", oidInt8, ""}, "bigint": {"SIGNED", oidInt8, ""},
	"float4": {"DECIMAL", oidFloat8, ""}, "float8": {"DECIMAL", oidFloat8, ""}, "real": {"DECIMAL", oidFloat8, ""},
	"double precision": {"DECIMAL", oidFloat8, ""}, "numeric": {"DECIMAL", oidFloat8, ""}, "decimal": {"DECIMAL", oidFloat8, ""}, "float": {"DECIMAL", oidFloat8, ""},
	"text": {"CHAR", oidText, ""}, "varchar": {"CHAR", oidText, ""}, "character varying": {"CHAR", oidText, ""}, "char": {"CHAR", oidText, ""},
	"character": {"CHAR", oidText, ""}, "bpchar": {"CHAR", oidText, ""}, "name": {"CHAR", oidText, ""},
	"bool": {"BOOLEAN", oidBool, ""}, "boolean": {"BOOLEAN", oidBool, ""},
	"timestamp": {"DATETIME", oidTimestamptz, ""}, "timestamptz": {"DATETIME", oidTimestamptz, ""},
	"timestamp with time zone": {"DATETIME", oidTimestamptz, ""}, "timestamp without time zone": {"DATETIME", oidTimestamptz, ""},
	"date": {"DATE", oidDate, ""},
	"json": {"JSON", oidJSON, ""}, "jsonb": {"JSON", oidJSON, ""},
}

// translate rewrites a statement for restsql's MySQL-like parser, on
// tokens, so that string literals are never touched by mistake:
//
//   - "quoted" identifiers become `quoted` ones;
//   - $n parameters become ?, in order of appearance (args records which);
//   - string literals are written with backslashes doubled (restsql reads
//     backslash escapes, PostgreSQL's standard strings have none);
//   - x::type becomes CAST(x AS type) for a single-token or parenthesised x;
//   - ILIKE and ~~* become LIKE (restsql's LIKE ignores case already);
//   - INTERVAL '1 day 2 hours' after + or - becomes INTERVAL 1 DAY + INTERVAL 2 HOUR;
//   - comments are dropped.
func translate(toks []token) (*translation, error) {
	toks = rewritePG(decorrelate(rewriteSRF(rewriteTableFunctions(pruneEmpty(rewriteCatalogTokens(toks))))))
	tr := &translation{}
	var out []string  // rendered tokens
	var spaces []bool // whether a space precedes out[i]
	// operandStart[i] is the index in out where the operand ending at
	// out[i] begins, for casts.
	var operandStart []int
	depthStack := []int{}
	emit := func(s string, space bool, opStart int) {
		out = append(out, s)
		spaces = append(spaces, space)
		operandStart = append(operandStart, opStart)
	}
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		switch t.kind {
		case tQIdent:
			start := len(out)
			if k := len(out) - 1; k >= 0 && out[k] == "." && k >= 1 {
				start = operandStart[k-1]
			}
			emit("`"+strings.ReplaceAll(t.val, "`", "``")+"`", t.space, start)
		case tIdent:
			switch t.val {
			case "ilike":
				emit("LIKE", t.space, len(out))
				continue
			case "interval":
				if i+1 < len(toks) && toks[i+1].kind == tString {
					// INTERVAL '1 day 2 hours' [unit]
					unit, n := "", 1
					if i+2 < len(toks) && toks[i+2].kind == tIdent && intervalUnitWords[toks[i+2].val] {
						unit, n = toks[i+2].val, 2
					}
					parts, err := parseInterval(toks[i+1].val, unit)
					if err != nil {
						return nil, err
					}
					op := ""
					if k := len(out) - 1; k >= 0 && (out[k] == "+" || out[k] == "-") {
						op = out[k]
					}
					first, text, err := renderInterval(parts, op)
					if err != nil {
						return nil, err
					}
					if op != "" {
						out[len(out)-1] = first
					}
					emit(text, t.space, len(out))
					i += n
					continue
				}
			}
			start := len(out)
			if k := len(out) - 1; k >= 0 && out[k] == "." && k >= 1 {
				start = operandStart[k-1]
			}
			if mysqlReserved[t.val] && i > 0 && toks[i-1].keyword("as") {
				// An alias PostgreSQL allows and restsql's parser reserves
				// (AS default, AS key).
				emit("`"+t.text+"`", t.space, start)
				continue
			}
			emit(t.text, t.space, start)
		case tString:
			emit(quoteString(t.val), t.space, len(out))
		case tParam:
			tr.args = append(tr.args, t.n)
			emit("?", t.space, len(out))
		case tNumber:
			emit(t.text, t.space, len(out))
		case tPunct:
			switch t.text {
			case "(":
				depthStack = append(depthStack, len(out))
				emit("(", t.space, len(out))
			case ")":
				open := len(out)
				if n := len(depthStack); n > 0 {
					open = depthStack[n-1]
					depthStack = depthStack[:n-1]
					// A function call's operand starts at its name.
					if open > 0 && isWordToken(out[open-1]) && !notFunction[strings.ToLower(out[open-1])] {
						open = operandStart[open-1]
					}
				}
				emit(")", t.space, open)
			case ".":
				emit(".", t.space, len(out))
			default:
				emit(t.text, t.space, len(out))
			}
		case tOp:
			switch t.text {
			case "::":
				name, n := castTypeName(toks[i+1:])
				if n == 0 || len(out) == 0 {
					return nil, sqlErrorf(codeSyntaxError, "syntax error at or near \"::\"")
				}
				ct, ok := castTypes[name]
				if !ok {
					return nil, sqlErrorf(codeUndefinedObject, "type %q is not supported by restsql (casts to integer, numeric, text, boolean, timestamp, date and json types are)", name)
				}
				start := operandStart[len(out)-1]
				prev := toks[i-1]
				if i >= 3 && prev.is(tPunct, ")") && toks[i-2].kind == tParam && toks[i-3].is(tPunct, "(") {
					prev = toks[i-2] // CAST($1 AS type), rewritten to ($1)::type
				}
				if prev.kind == tParam {
					if tr.casts == nil {
						tr.casts = map[int]uint32{}
					}
					tr.casts[prev.n] = ct.oid
				}
				operand := render(out[start:], spaces[start:])
				sp := spaces[start] || start > 0 && isWordToken(out[start-1])
				params := 0
				for _, o := range out[start:] {
					if o == "?" {
						params++
					}
				}
				out, spaces, operandStart = out[:start], spaces[:start], operandStart[:start]
				if ct.target == "BOOLEAN" {
					// restsql has no CAST to BOOLEAN: PostgreSQL's reading
					// of text as a boolean, and of a number (not 0).
					emit(boolCast(operand), sp, start)
					// The operand is written four times, with its
					// parameters.
					opArgs := append([]int(nil), tr.args[len(tr.args)-params:]...)
					tr.args = tr.args[:len(tr.args)-params]
					for range 4 {
						tr.args = append(tr.args, opArgs...)
					}
				} else if ct.fn != "" {
					emit(ct.fn+"("+operand+")", sp, start)
				} else if ct.target == "" {
					emit(operand, sp, start)
				} else {
					emit("CAST("+operand+" AS "+ct.target+")", sp, start)
				}
				i += n
			case "~~*", "~~":
				emit("LIKE", t.space, len(out))
			case "!~~*", "!~~":
				emit("NOT LIKE", t.space, len(out))
			case "?":
				return nil, sqlErrorf(codeSyntaxError, "syntax error at or near \"?\": parameters are written $1, $2, …")
			default:
				emit(t.text, t.space, len(out))
			}
		}
	}
	tr.sql = render(out, spaces)
	return tr, nil
}

// boolCast is x::boolean in restsql's dialect: PostgreSQL's words for
// true and false (and their prefixes), and a number as true unless 0.
func boolCast(x string) string {
	text := "LOWER(TRIM(CAST((" + x + ") AS CHAR)))"
	return "(CASE WHEN (" + x + ") IS NULL THEN NULL" +
		" WHEN " + text + " IN ('t', 'tr', 'tru', 'true', 'y', 'ye', 'yes', 'on', '1') THEN 1 = 1" +
		" WHEN " + text + " IN ('f', 'fa', 'fal', 'fals', 'false', 'n', 'no', 'of', 'off', '0') THEN 1 = 0" +
		" ELSE CAST((" + x + ") AS SIGNED) <> 0 END)"
}

// notFunction lists the keywords that may stand before "(" without
// naming a function.
var notFunction = map[string]bool{
	"where": true, "in": true, "and": true, "or": true, "not": true, "select": true, "from": true, "on": true,
	"when": true, "then": true, "else": true, "exists": true, "any": true, "all": true, "values": true, "as": true,
	"join": true, "by": true, "having": true, "between": true, "like": true, "is": true, "case": true, "using": true,
	"distinct": true, "limit": true, "offset": true, "return": true, "nulls": true,
}

// isWordToken reports whether a rendered token is an identifier (a
// function name before "(").
func isWordToken(s string) bool {
	if s == "" {
		return false
	}
	if s[0] == '`' {
		return true
	}
	return isIdentStart(s, 0)
}

// render joins rendered tokens, with a space where the source had one.
func render(out []string, spaces []bool) string {
	var b strings.Builder
	for i, s := range out {
		if i > 0 && spaces[i] {
			b.WriteByte(' ')
		}
		b.WriteString(s)
	}
	return b.String()
}

// quoteString writes a string literal for restsql, which reads backslash
// escapes in '…'.
func quoteString(v string) string {
	v = strings.ReplaceAll(v, `\`, `\\`)
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// mysqlReserved are words restsql's parser reserves that PostgreSQL
// allows as a column alias; translate quotes them after AS.
var mysqlReserved = map[string]bool{
	"default": true, "key": true, "keys": true, "index": true, "interval": true, "range": true, "check": true,
	"column": true, "database": true, "databases": true, "describe": true, "div": true, "dual": true, "force": true,
	"fulltext": true, "ignore": true, "lines": true, "load": true, "lock": true, "long": true, "match": true, "mod": true,
	"option": true, "primary": true, "read": true, "references": true, "regexp": true, "rename": true, "replace": true,
	"rlike": true, "schema": true, "schemas": true, "separator": true, "show": true, "spatial": true, "status": true,
	"straight_join": true, "unique": true, "unsigned": true, "use": true, "write": true, "xor": true, "zerofill": true,
	"condition": true, "trigger": true, "procedure": true, "function": true, "escape": true, "modify": true,
}

// castTypeName reads the type name after ::, lower case and with
// multi-word names joined by one space; it returns how many tokens it
// used. A length or precision in parentheses and [] are skipped.
func castTypeName(toks []token) (string, int) {
	if len(toks) == 0 || (toks[0].kind != tIdent && toks[0].kind != tQIdent) || toks[0].kind == tIdent && (reservedWords[toks[0].val] || notFunction[toks[0].val]) {
		return "", 0
	}
	name := toks[0].val
	n := 1
	// pg_catalog.int8
	if name == "pg_catalog" && len(toks) > 2 && toks[1].is(tPunct, ".") && toks[2].kind == tIdent {
		name, n = toks[2].val, 3
	}
	multi := map[string][]string{
		"double":    {"precision"},
		"character": {"varying"},
		"timestamp": {"with", "without"},
	}
	if next, ok := multi[name]; ok && n < len(toks) && toks[n].kind == tIdent {
		for _, w := range next {
			if toks[n].val == w {
				name += " " + w
				n++
				if w == "with" || w == "without" {
					// … time zone
					if n+1 < len(toks) && toks[n].keyword("time") && toks[n+1].keyword("zone") {
						name += " time zone"
						n += 2
					}
				}
				break
			}
		}
	}
	if n < len(toks) && toks[n].is(tPunct, "(") {
		for n < len(toks) && !toks[n].is(tPunct, ")") {
			n++
		}
		n++
	}
	if n+1 < len(toks) && toks[n].is(tPunct, "[") && toks[n+1].is(tPunct, "]") {
		return name + "[]", n + 2
	}
	return name, n
}

// schemaProbe recognises a schema probe, SELECT * FROM … WHERE 1=0 (as
// Spark's JDBC reader sends it), and returns the statement with the
// WHERE clause replaced by LIMIT 0, which gives the same columns and no
// rows without a request to the API.
func schemaProbe(toks []token) ([]token, bool) {
	n := len(toks)
	if n < 6 || !toks[0].keyword("select") || !toks[1].is(tOp, "*") || !toks[2].keyword("from") {
		return nil, false
	}
	// The tail: WHERE <a> = <b> with a and b different integer
	// literals, or WHERE false.
	var where int
	switch {
	case n >= 4 && toks[n-2].keyword("where") && toks[n-1].keyword("false"):
		where = n - 2
	case n >= 8 && toks[n-4].keyword("where") && toks[n-3].kind == tNumber && toks[n-2].is(tOp, "=") && toks[n-1].kind == tNumber &&
		toks[n-3].text != toks[n-1].text && !strings.ContainsAny(toks[n-3].text+toks[n-1].text, ".eE"):
		where = n - 4
	default:
		return nil, false
	}
	// The WHERE must be the statement's own: at depth 0, and with no
	// other top-level clause in the statement that LIMIT 0 could change
	// (another WHERE, GROUP BY, UNION, LIMIT).
	depth := 0
	for i, t := range toks[:where] {
		switch {
		case t.is(tPunct, "("):
			depth++
		case t.is(tPunct, ")"):
			depth--
		case depth == 0 && i > 2 && t.kind == tIdent:
			switch t.val {
			case "where", "group", "having", "union", "intersect", "except", "limit", "order", "offset", "fetch":
				return nil, false
			}
		}
	}
	if depth != 0 {
		return nil, false
	}
	out := append([]token{}, toks[:where]...)
	out = append(out,
		token{kind: tIdent, text: "LIMIT", val: "limit", space: true},
		token{kind: tNumber, text: "0", space: true})
	return out, true
}
