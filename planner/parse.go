package planner

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/internal/errcode"
)

// nameSep joins the parts of a three- or four-part name that the parser
// cannot read (catalog.schema.table) into one quoted identifier. It is a
// control character no profile name may contain.
const nameSep = "\x1f"

// Parsed is a parsed statement.
type Parsed struct {
	// SQL is the text as given.
	SQL string
	// Stmt is the parsed statement (the text after EXPLAIN for an EXPLAIN).
	Stmt sqlparser.Statement
	// Explain is set for EXPLAIN SELECT ….
	Explain bool
	// NumInput is the number of ? placeholders, or -1 when named
	// parameters are used (database/sql then does not check the count).
	NumInput int
}

// SyntaxError is a statement the parser cannot read. Pos is the byte
// offset in the original text.
type SyntaxError struct {
	SQL  string
	Pos  int
	Near string
	Msg  string
}

func (e *SyntaxError) Error() string {
	line, col := 1, 1
	for i, r := range e.SQL {
		if i >= e.Pos {
			break
		}
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	s := fmt.Sprintf("planner: %s at line %d column %d", e.Msg, line, col)
	if e.Near != "" {
		s += fmt.Sprintf(" near %q", e.Near)
	}
	return s
}

type edit struct{ origStart, origEnd, newStart, newEnd int }

// ParseOptions change how Parse reads a statement.
type ParseOptions struct {
	// AnsiQuotes reads "name" as an identifier, as standard SQL and
	// PostgreSQL do, instead of as a string (MySQL). Strings are then
	// written '…' only.
	AnsiQuotes bool
}

// Parse reads one SQL statement with the default options.
func Parse(sql string) (*Parsed, error) {
	return ParseWith(sql, ParseOptions{})
}

// ParseWith reads one SQL statement. Before the parser sees the text, a
// rewriter working on tokens (so string literals and comments are never
// touched) turns what the parser cannot read into what it can: names of
// three or four parts (catalog.schema.table[.column]) into one quoted
// name, SUBSTR/SUBSTRING, TRIM(… FROM …), POSITION(… IN …) and
// EXTRACT(unit FROM …) of any expression into plain function calls, the
// CAST types INTEGER, FLOAT, DOUBLE, REAL, NUMERIC, TEXT and VARCHAR into
// SIGNED, DECIMAL and CHAR, and with AnsiQuotes "name" into `name`. Errors
// point into the original text.
func ParseWith(sql string, o ParseOptions) (p *Parsed, err error) {
	defer func() {
		// The parser's tokenizer panics on some input (a MySQL comment
		// /*!…*/ shorter than its version number): a syntax error.
		if r := recover(); r != nil {
			p, err = nil, &SyntaxError{SQL: sql, Pos: 0, Msg: fmt.Sprintf("syntax error (the parser failed: %v)", r)}
		}
	}()
	text := sql
	offset := 0
	explain := false
	if rest, n, ok := stripExplain(sql); ok {
		text, offset, explain = rest, n, true
	}
	if strings.TrimSpace(text) == "" {
		return nil, &SyntaxError{SQL: sql, Pos: len(sql), Msg: "empty statement"}
	}
	var stmt sqlparser.Statement
	numInput := 0
	if isWith(text) {
		stmt, numInput, err = parseWith(sql, offset, text, o)
		if err != nil {
			return nil, err
		}
	} else {
		stmt, err = parsePiece(sql, offset, text, o)
		if err != nil {
			return nil, err
		}
		numInput = countArgs(stmt)
	}
	p = &Parsed{SQL: sql, Stmt: stmt, Explain: explain, NumInput: numInput}
	if explain {
		if _, ok := stmt.(sqlparser.SelectStatement); !ok {
			return nil, &SyntaxError{SQL: sql, Pos: offset, Msg: "EXPLAIN supports SELECT statements only"}
		}
	}
	return p, nil
}

// parsePiece parses text, which starts at byte offset in sql (the whole
// statement, for error positions), after the token rewrites.
func parsePiece(sql string, offset int, text string, o ParseOptions) (sqlparser.Statement, error) {
	rewritten, edits, err := rewrite(text, o)
	if err != nil {
		var pe *posError
		if errors.As(err, &pe) {
			se := &SyntaxError{SQL: sql, Pos: offset + pe.pos, Near: pe.near, Msg: pe.msg}
			if pe.code != errcode.None {
				return nil, errcode.With(pe.code, se)
			}
			return nil, se
		}
		return nil, &SyntaxError{SQL: sql, Pos: offset, Msg: err.Error()}
	}
	stmt, err := sqlparser.Parse(rewritten)
	if err != nil {
		if msg, pos, ok := unsupportedConstruct(text); ok {
			return nil, unsupportedSyntax(&SyntaxError{SQL: sql, Pos: offset + pos, Msg: msg})
		}
		return nil, syntaxError(sql, offset, rewritten, edits, err, o)
	}
	return stmt, nil
}

// posError is a rewriter error at a byte offset of the text it read.
type posError struct {
	pos  int
	near string
	msg  string
	// code, when set, is the error's kind beyond a syntax error (a
	// LIMIT out of range, a construct that is not supported).
	code errcode.Code
}

func (e *posError) Error() string { return e.msg }

// stripExplain removes a leading EXPLAIN keyword (after comments and space).
func stripExplain(sql string) (string, int, bool) {
	i := 0
	for i < len(sql) {
		switch {
		case unicode.IsSpace(rune(sql[i])):
			i++
		case strings.HasPrefix(sql[i:], "--"), strings.HasPrefix(sql[i:], "#"):
			nl := strings.IndexByte(sql[i:], '\n')
			if nl < 0 {
				return sql, 0, false
			}
			i += nl + 1
		case strings.HasPrefix(sql[i:], "/*"):
			end := strings.Index(sql[i+2:], "*/")
			if end < 0 {
				return sql, 0, false
			}
			i += end + 4
		default:
			const kw = "explain"
			if len(sql)-i > len(kw) && strings.EqualFold(sql[i:i+len(kw)], kw) && !isIdentByte(sql[i+len(kw)]) {
				n := i + len(kw)
				return sql[n:], n, true
			}
			return sql, 0, false
		}
	}
	return sql, 0, false
}

func isIdentByte(b byte) bool {
	return b == '_' || b == '$' || b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= 0x80
}

type token struct {
	typ        int
	val        string
	start, end int
	// dq is set for a "…" token read as an identifier (AnsiQuotes).
	dq bool
}

// scan splits sql into the parser's tokens with their byte ranges; it
// stops after a token the tokenizer cannot read.
func scan(sql string) []token {
	tk := sqlparser.NewStringTokenizer(sql)
	var toks []token
	prevEnd := 0
	for {
		typ, val := tk.Scan()
		if typ == 0 {
			break
		}
		end := tk.Position - 1
		if end > len(sql) {
			end = len(sql)
		}
		start := prevEnd
		for start < end && unicode.IsSpace(rune(sql[start])) {
			start++
		}
		toks = append(toks, token{typ: typ, val: string(val), start: start, end: end})
		prevEnd = end
		if typ == sqlparser.LEX_ERROR {
			break
		}
	}
	return toks
}

// repl replaces sql[start:end] with text.
type repl struct {
	start, end int
	text       string
}

// rewriter collects the replacements of one statement's tokens.
type rewriter struct {
	sql  string
	toks []token
	// used marks the tokens a replacement covers.
	used  []bool
	repls []repl
}

func (w *rewriter) replace(from, to int, text string) {
	for k := from; k <= to; k++ {
		w.used[k] = true
	}
	w.repls = append(w.repls, repl{start: w.toks[from].start, end: w.toks[to].end, text: text})
}

// is reports whether token k exists and has type typ.
func (w *rewriter) is(k, typ int) bool {
	return k >= 0 && k < len(w.toks) && w.toks[k].typ == typ
}

// word reports whether token k is the identifier or keyword word.
func (w *rewriter) word(k int, word string) bool {
	return k >= 0 && k < len(w.toks) && w.toks[k].typ != sqlparser.STRING && !w.toks[k].dq && strings.EqualFold(w.toks[k].val, word)
}

// call reports whether token k starts a call: a name (not after a dot)
// followed by "(".
func (w *rewriter) call(k int) bool {
	return !w.is(k-1, '.') && w.is(k+1, '(')
}

// inside lists the tokens at depth 1 of the parentheses opened at token
// open, and the index of the closing one (-1 when there is none).
func (w *rewriter) inside(open int) (top []int, closing int) {
	depth := 0
	for k := open; k < len(w.toks); k++ {
		switch w.toks[k].typ {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				return top, k
			}
		default:
			if depth == 1 {
				top = append(top, k)
			}
		}
	}
	return top, -1
}

// castTypes maps CAST types the parser does not read to the ones it does.
var castTypes = map[int]string{
	sqlparser.INT: "SIGNED", sqlparser.INTEGER: "SIGNED", sqlparser.BIGINT: "SIGNED",
	sqlparser.REAL: "DECIMAL", sqlparser.DOUBLE: "DECIMAL", sqlparser.FLOAT_TYPE: "DECIMAL",
	sqlparser.NUMERIC: "DECIMAL", sqlparser.TEXT: "CHAR", sqlparser.VARCHAR: "CHAR",
}

// extractUnits are the EXTRACT units, each the function that computes it.
var extractUnits = []string{"YEAR", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"}

// rewrite applies the token rewrites ParseWith describes and returns the
// new text with the edits that map its positions back.
func rewrite(sql string, o ParseOptions) (string, []edit, error) {
	w := &rewriter{sql: sql, toks: scan(sql)}
	toks := w.toks
	w.used = make([]bool, len(toks))
	if o.AnsiQuotes {
		for i := range toks {
			if toks[i].typ == sqlparser.STRING && sql[toks[i].start] == '"' {
				toks[i].typ, toks[i].dq = sqlparser.ID, true
			}
		}
	}
	for i, t := range toks {
		if t.typ != ';' {
			continue
		}
		for _, u := range toks[i+1:] {
			if u.typ != ';' && u.typ != sqlparser.COMMENT {
				return "", nil, &posError{pos: u.start, near: sql[u.start:u.end], msg: "one statement per query: found a second statement"}
			}
		}
	}
	if err := w.functions(); err != nil {
		return "", nil, err
	}
	if err := w.names(); err != nil {
		return "", nil, err
	}
	for i, t := range toks {
		switch {
		case w.used[i]:
		case t.dq:
			w.replace(i, i, quoteIdent(t.val))
		case t.typ == sqlparser.STRING:
			// MySQL keeps the backslash of \% and \_ in a string literal,
			// so LIKE sees an escaped wildcard; the parser would drop it.
			raw := sql[t.start:t.end]
			if fixed := keepLikeEscapes(raw); fixed != raw {
				w.replace(i, i, fixed)
			}
		}
	}
	if len(w.repls) == 0 {
		return sql, nil, nil
	}
	sort.Slice(w.repls, func(a, b int) bool { return w.repls[a].start < w.repls[b].start })
	var b strings.Builder
	edits := make([]edit, 0, len(w.repls))
	last := 0
	for _, r := range w.repls {
		b.WriteString(sql[last:r.start])
		newStart := b.Len()
		b.WriteString(r.text)
		edits = append(edits, edit{origStart: r.start, origEnd: r.end, newStart: newStart, newEnd: b.Len()})
		last = r.end
	}
	b.WriteString(sql[last:])
	return b.String(), edits, nil
}

// functions rewrites the calls whose special syntax the parser restricts,
// and checks LIMIT and OFFSET numbers.
func (w *rewriter) functions() error {
	toks := w.toks
	for i, t := range toks {
		if w.used[i] {
			continue
		}
		switch {
		case (t.typ == sqlparser.SUBSTR || t.typ == sqlparser.SUBSTRING) && w.call(i):
			// The parser takes only a column as the string: call the
			// function by its quoted name instead, FROM and FOR as commas.
			top, closing := w.inside(i + 1)
			if closing < 0 {
				continue
			}
			w.replace(i, i, quoteIdent(w.sql[t.start:t.end]))
			for _, k := range top {
				if toks[k].typ == sqlparser.FROM || toks[k].typ == sqlparser.FOR {
					w.replace(k, k, ",")
				}
			}
		case t.typ == sqlparser.ID && strings.EqualFold(t.val, "trim") && w.call(i):
			// TRIM([BOTH|LEADING|TRAILING] [s] FROM x) is TRIM_BOTH(s, x).
			top, closing := w.inside(i + 1)
			from := -1
			for _, k := range top {
				if toks[k].typ == sqlparser.FROM {
					from = k
					break
				}
			}
			if closing < 0 || from < 0 {
				continue
			}
			spec, end := "BOTH", i+1
			for _, sp := range []string{"BOTH", "LEADING", "TRAILING"} {
				if w.word(i+2, sp) {
					spec, end = sp, i+2
				}
			}
			w.replace(i, end, "TRIM_"+spec+"(")
			if from == end+1 {
				w.replace(from, from, "' ',") // no string: spaces
			} else {
				w.replace(from, from, ",")
			}
		case t.typ == sqlparser.ID && strings.EqualFold(t.val, "position") && w.call(i):
			// POSITION(s IN x) is POSITION(s, x).
			top, closing := w.inside(i + 1)
			var in []int
			for _, k := range top {
				if toks[k].typ == sqlparser.IN {
					in = append(in, k)
				}
			}
			if closing >= 0 && len(in) == 1 {
				w.replace(in[0], in[0], ",")
			}
		case t.typ == sqlparser.ID && strings.EqualFold(t.val, "extract") && w.call(i) && w.is(i+3, sqlparser.FROM):
			// EXTRACT(YEAR FROM d) is EXTRACT_YEAR(d), YEAR(d) by another name.
			u := toks[i+2]
			unit := ""
			for _, x := range extractUnits {
				if w.word(i+2, x) {
					unit = x
				}
			}
			if unit == "" {
				return &posError{pos: u.start, near: w.sql[u.start:u.end], msg: "EXTRACT supports YEAR, MONTH, DAY, HOUR, MINUTE and SECOND", code: errcode.NotSupported}
			}
			w.replace(i, i+3, "EXTRACT_"+unit+"(")
		case t.typ == sqlparser.CAST || t.typ == sqlparser.CONVERT:
			if !w.is(i+1, '(') {
				continue
			}
			top, _ := w.inside(i + 1)
			sep := sqlparser.AS
			if t.typ == sqlparser.CONVERT {
				sep = ','
			}
			for n, k := range top {
				if toks[k].typ != sep || n+1 >= len(top) {
					continue
				}
				ty := top[n+1]
				tt := toks[ty]
				switch {
				case tt.typ == sqlparser.BOOL || tt.typ == sqlparser.BOOLEAN:
					return &posError{pos: tt.start, near: w.sql[tt.start:tt.end], msg: "CAST to BOOLEAN is not supported: compare instead (x <> 0)", code: errcode.NotSupported}
				case (tt.typ == sqlparser.REAL || tt.typ == sqlparser.DOUBLE || tt.typ == sqlparser.FLOAT_TYPE) && w.is(ty+1, '('):
					return &posError{pos: tt.start, near: w.sql[tt.start:tt.end], msg: "CAST to " + strings.ToUpper(tt.val) + "(…) is not supported: use DECIMAL(m, d) or DECIMAL", code: errcode.NotSupported}
				case castTypes[tt.typ] != "":
					w.replace(ty, ty, castTypes[tt.typ])
				}
				break
			}
		case t.typ == sqlparser.LIMIT || t.typ == sqlparser.OFFSET:
			what := strings.ToUpper(t.val)
			for k := i + 1; k < len(toks) && toks[k].typ == sqlparser.INTEGRAL; k += 2 {
				if _, err := strconv.ParseInt(toks[k].val, 10, 64); err != nil {
					return &posError{pos: toks[k].start, near: toks[k].val, msg: fmt.Sprintf("%s %s is out of range (at most %d)", what, toks[k].val, int64(math.MaxInt64)), code: errcode.OutOfRange}
				}
				if t.typ != sqlparser.LIMIT || !w.is(k+1, ',') {
					break
				}
			}
		}
	}
	return nil
}

// exprName is the column name of a select expression without an alias:
// its text, with the calls the rewriter changed written back in their SQL
// form (TRIM(LEADING 'x' FROM s), POSITION(a IN b), EXTRACT(YEAR FROM d)).
func exprName(e sqlparser.Expr) string {
	buf := sqlparser.NewTrackedBuffer(formatRewritten)
	buf.Myprintf("%v", e)
	return buf.String()
}

func formatRewritten(buf *sqlparser.TrackedBuffer, node sqlparser.SQLNode) {
	f, ok := node.(*sqlparser.FuncExpr)
	if !ok || !f.Qualifier.IsEmpty() || f.Distinct || len(f.Exprs) == 0 {
		node.Format(buf)
		return
	}
	name := strings.ToUpper(f.Name.String())
	switch {
	case len(f.Exprs) == 2 && (name == "TRIM_BOTH" || name == "TRIM_LEADING" || name == "TRIM_TRAILING"):
		buf.Myprintf("TRIM(%s %v FROM %v)", strings.TrimPrefix(name, "TRIM_"), f.Exprs[0], f.Exprs[1])
	case len(f.Exprs) == 2 && name == "POSITION":
		buf.Myprintf("POSITION(%v IN %v)", f.Exprs[0], f.Exprs[1])
	case len(f.Exprs) == 1 && extractUnit(name) != "":
		buf.Myprintf("EXTRACT(%s FROM %v)", extractUnit(name), f.Exprs[0])
	default:
		node.Format(buf)
	}
}

// extractUnit is the unit of an EXTRACT_<unit> function name, or "".
func extractUnit(name string) string {
	unit, ok := strings.CutPrefix(strings.ToUpper(name), "EXTRACT_")
	if ok && slices.Contains(extractUnits, unit) {
		return unit
	}
	return ""
}

// names turns a.b.c into `a<sep>b`.c and a.b.c.d into `a<sep>b`.c.d.
func (w *rewriter) names() error {
	toks := w.toks
	for i := 0; i < len(toks); i++ {
		if toks[i].typ != sqlparser.ID || w.used[i] || (i > 0 && toks[i-1].typ == '.') {
			continue
		}
		// Collect ID (. ID)* chain.
		j := i
		parts := []string{toks[i].val}
		for j+2 < len(toks) && toks[j+1].typ == '.' && toks[j+2].typ == sqlparser.ID && !w.used[j+2] {
			parts = append(parts, toks[j+2].val)
			j += 2
		}
		if len(parts) < 3 {
			i = j
			continue
		}
		if len(parts) > 4 {
			return &posError{pos: toks[i].start, msg: fmt.Sprintf("name %s has %d parts (at most catalog.schema.table.column)", strings.Join(parts, "."), len(parts))}
		}
		for _, p := range parts {
			if strings.Contains(p, nameSep) {
				return &posError{pos: toks[i].start, msg: fmt.Sprintf("name %q contains a control character", p)}
			}
		}
		var b strings.Builder
		b.WriteString(quoteIdent(parts[0] + nameSep + parts[1]))
		for _, p := range parts[2:] {
			b.WriteByte('.')
			b.WriteString(quoteIdent(p))
		}
		w.replace(i, j, b.String())
		i = j
	}
	return nil
}

func quoteIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

var posRE = regexp.MustCompile(`^(.*) at position (\d+)(?: near '(.*)')?$`)

// syntaxError maps a parser error's position back to the original text.
func syntaxError(orig string, offset int, rewritten string, edits []edit, err error, o ParseOptions) error {
	m := posRE.FindStringSubmatch(err.Error())
	if m == nil {
		return &SyntaxError{SQL: orig, Pos: offset, Msg: err.Error()}
	}
	pos, _ := strconv.Atoi(m[2])
	// The parser reports the position after the offending token.
	near := m[3]
	p := pos - 1
	if near != "" {
		if k := strings.LastIndex(strings.ToLower(rewritten[:min(pos, len(rewritten))]), strings.ToLower(near)); k >= 0 {
			p = k
		}
	}
	p = max(mapBack(p, edits), 0)
	at := offset + p
	// Show the token as the user wrote it (the parser lower-cases keywords).
	if at+len(near) <= len(orig) && strings.EqualFold(orig[at:at+len(near)], near) {
		near = orig[at : at+len(near)]
	}
	msg := m[1]
	if start, end, ok := nonASCIIName(orig, at); ok {
		// The parser reads only ASCII letters in a bare name.
		word := orig[start:end]
		hint := fmt.Sprintf("backticks: `%s`", strings.ReplaceAll(word, "`", "``"))
		if o.AnsiQuotes {
			hint = fmt.Sprintf("quotes: \"%s\" or `%s`", strings.ReplaceAll(word, `"`, `""`), strings.ReplaceAll(word, "`", "``"))
		}
		return &SyntaxError{SQL: orig, Pos: start, Near: word, Msg: fmt.Sprintf("%s (a name with non-ASCII letters needs %s)", msg, hint)}
	}
	return &SyntaxError{SQL: orig, Pos: min(at, len(orig)), Near: near, Msg: msg}
}

// nonASCIIName finds a bare word holding a non-ASCII byte within a few
// bytes of at (where the parser stopped), outside quotes.
func nonASCIIName(sql string, at int) (start, end int, ok bool) {
	for k := max(at-4, 0); k < min(at+4, len(sql)); k++ {
		if sql[k] < 0x80 {
			continue
		}
		start, end = k, k
		for start > 0 && isIdentByte(sql[start-1]) {
			start--
		}
		for end < len(sql) && isIdentByte(sql[end]) {
			end++
		}
		for _, t := range scan(sql) {
			if t.start <= k && k < t.end && strings.ContainsRune("`'\"", rune(sql[t.start])) {
				return 0, 0, false // quoted
			}
		}
		return start, end, true
	}
	return 0, 0, false
}

func mapBack(p int, edits []edit) int {
	delta := 0
	for _, e := range edits {
		if p < e.newStart {
			break
		}
		if p < e.newEnd {
			return e.origStart
		}
		delta = e.origEnd - e.newEnd
	}
	return p + delta
}

// countArgs counts ? placeholders (:v1, :v2, …); a named :param makes the
// count unknown (-1).
func countArgs(stmt sqlparser.Statement) int {
	n := 0
	named := false
	_ = sqlparser.Walk(func(node sqlparser.SQLNode) (bool, error) {
		if v, ok := node.(*sqlparser.SQLVal); ok && v.Type == sqlparser.ValArg {
			name := string(v.Val[1:])
			if k, ok := positional(name); ok {
				n = max(n, k)
			} else {
				named = true
			}
		}
		return true, nil
	}, stmt)
	if named {
		return -1
	}
	return n
}

// positional reports whether a placeholder name is the parser's name for
// the k-th ? (v1, v2, …).
func positional(name string) (int, bool) {
	if len(name) < 2 || name[0] != 'v' {
		return 0, false
	}
	k, err := strconv.Atoi(name[1:])
	return k, err == nil && k > 0
}

// nameParts splits a (possibly rewritten) table name into its parts.
func nameParts(t sqlparser.TableName) []string {
	var parts []string
	if !t.Qualifier.IsEmpty() {
		parts = append(parts, strings.Split(t.Qualifier.String(), nameSep)...)
	}
	if !t.Name.IsEmpty() {
		parts = append(parts, strings.Split(t.Name.String(), nameSep)...)
	}
	return parts
}

// unsupportedConstruct names a construct restsql knowingly does not
// support, so a statement using it gets that message instead of a bare
// syntax error: WITH in a subquery, window functions, FULL joins, INTERSECT/EXCEPT.
func unsupportedConstruct(sql string) (string, int, bool) {
	tk := sqlparser.NewStringTokenizer(sql)
	var prev string
	for {
		typ, val := tk.Scan()
		if typ == 0 || typ == sqlparser.LEX_ERROR {
			return "", 0, false
		}
		if typ == sqlparser.STRING {
			prev = "'"
			continue // a literal, or a "name" with AnsiQuotes
		}
		word := strings.ToLower(string(val))
		pos := max(tk.Position-1-len(val), 0)
		switch {
		case word == "with" && prev == "(":
			return "WITH inside a subquery is not supported: put the common table expressions at the start of the statement", pos, true
		case word == "over" && prev == ")":
			return "window functions (… OVER (…)) are not supported", pos, true
		case word == "full" || (word == "outer" && prev == "full"):
			return "FULL OUTER JOIN is not supported (use LEFT JOIN)", pos, true
		case word == "intersect" || word == "except":
			return strings.ToUpper(word) + " is not supported (use IN or NOT IN with a subquery)", pos, true
		}
		if typ != sqlparser.COMMENT {
			prev = word
			if typ == ')' || typ == '(' {
				prev = string(rune(typ))
			}
		}
	}
}

// keepLikeEscapes doubles the backslash of \% and \_ inside a quoted
// literal, so the parser's unescaping leaves \% and \_ as MySQL does.
func keepLikeEscapes(raw string) string {
	if !strings.Contains(raw, `\`) {
		return raw
	}
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if raw[i] == '\\' && i+1 < len(raw) {
			if raw[i+1] == '%' || raw[i+1] == '_' {
				b.WriteString(`\\`)
				b.WriteByte(raw[i+1])
			} else {
				b.WriteByte(raw[i])
				b.WriteByte(raw[i+1])
			}
			i++
			continue
		}
		b.WriteByte(raw[i])
	}
	return b.String()
}
