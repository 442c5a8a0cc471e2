package planner

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/xwb1989/sqlparser"
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

// Parse reads one SQL statement. Names of three or four parts
// (catalog.schema.table[.column]) are rewritten on tokens before the
// parser sees them, so string literals and comments are never touched.
func Parse(sql string) (*Parsed, error) {
	text := sql
	offset := 0
	explain := false
	if rest, n, ok := stripExplain(sql); ok {
		text, offset, explain = rest, n, true
	}
	if strings.TrimSpace(text) == "" {
		return nil, &SyntaxError{SQL: sql, Pos: len(sql), Msg: "empty statement"}
	}
	rewritten, edits, err := rewriteNames(text)
	if err != nil {
		return nil, &SyntaxError{SQL: sql, Pos: offset, Msg: err.Error()}
	}
	stmt, err := sqlparser.Parse(rewritten)
	if err != nil {
		if msg, pos, ok := unsupportedConstruct(text); ok {
			return nil, &SyntaxError{SQL: sql, Pos: offset + pos, Msg: msg}
		}
		return nil, syntaxError(sql, offset, rewritten, edits, err)
	}
	p := &Parsed{SQL: sql, Stmt: stmt, Explain: explain}
	p.NumInput = countArgs(stmt)
	if explain {
		if _, ok := stmt.(sqlparser.SelectStatement); !ok {
			return nil, &SyntaxError{SQL: sql, Pos: offset, Msg: "EXPLAIN supports SELECT statements only"}
		}
	}
	return p, nil
}

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
}

// rewriteNames turns a.b.c into `a<sep>b`.c and a.b.c.d into `a<sep>b`.c.d.
func rewriteNames(sql string) (string, []edit, error) {
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
	var b strings.Builder
	var edits []edit
	last := 0
	for i := 0; i < len(toks); i++ {
		if toks[i].typ == sqlparser.STRING {
			// MySQL keeps the backslash of \% and \_ in a string literal,
			// so LIKE sees an escaped wildcard; the parser would drop it.
			raw := sql[toks[i].start:toks[i].end]
			if fixed := keepLikeEscapes(raw); fixed != raw {
				b.WriteString(sql[last:toks[i].start])
				newStart := b.Len()
				b.WriteString(fixed)
				edits = append(edits, edit{origStart: toks[i].start, origEnd: toks[i].end, newStart: newStart, newEnd: b.Len()})
				last = toks[i].end
			}
			continue
		}
		if toks[i].typ != sqlparser.ID || (i > 0 && toks[i-1].typ == '.') {
			continue
		}
		// Collect ID (. ID)* chain.
		j := i
		parts := []string{toks[i].val}
		for j+2 < len(toks) && toks[j+1].typ == '.' && toks[j+2].typ == sqlparser.ID {
			parts = append(parts, toks[j+2].val)
			j += 2
		}
		if len(parts) < 3 {
			i = j
			continue
		}
		if len(parts) > 4 {
			return "", nil, fmt.Errorf("name %s has %d parts (at most catalog.schema.table.column)", strings.Join(parts, "."), len(parts))
		}
		for _, p := range parts {
			if strings.Contains(p, nameSep) {
				return "", nil, fmt.Errorf("name %q contains a control character", p)
			}
		}
		b.WriteString(sql[last:toks[i].start])
		newStart := b.Len()
		b.WriteString(quoteIdent(parts[0] + nameSep + parts[1]))
		for _, p := range parts[2:] {
			b.WriteByte('.')
			b.WriteString(quoteIdent(p))
		}
		edits = append(edits, edit{origStart: toks[i].start, origEnd: toks[j].end, newStart: newStart, newEnd: b.Len()})
		last = toks[j].end
		i = j
	}
	if len(edits) == 0 {
		return sql, nil, nil
	}
	b.WriteString(sql[last:])
	return b.String(), edits, nil
}

func quoteIdent(s string) string {
	return "`" + strings.ReplaceAll(s, "`", "``") + "`"
}

var posRE = regexp.MustCompile(`^(.*) at position (\d+)(?: near '(.*)')?$`)

// syntaxError maps a parser error's position back to the original text.
func syntaxError(orig string, offset int, rewritten string, edits []edit, err error) error {
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
	return &SyntaxError{SQL: orig, Pos: min(at, len(orig)), Near: near, Msg: m[1]}
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
// syntax error: WITH, window functions, RIGHT/FULL/NATURAL joins,
// INTERSECT/EXCEPT.
func unsupportedConstruct(sql string) (string, int, bool) {
	tk := sqlparser.NewStringTokenizer(sql)
	var prev string
	first := true
	for {
		typ, val := tk.Scan()
		if typ == 0 || typ == sqlparser.LEX_ERROR {
			return "", 0, false
		}
		word := strings.ToLower(string(val))
		pos := max(tk.Position-1-len(val), 0)
		switch {
		case first && word == "with":
			return "WITH (common table expressions) is not supported: use a derived table, FROM (SELECT …) AS name", pos, true
		case word == "over" && prev == ")":
			return "window functions (… OVER (…)) are not supported", pos, true
		case word == "full" || (word == "outer" && prev == "full"):
			return "FULL OUTER JOIN is not supported (use LEFT JOIN)", pos, true
		case word == "extract" && prev != ".":
			return "EXTRACT is not supported: use YEAR(d), MONTH(d), DAY(d), HOUR(d), MINUTE(d) or SECOND(d)", pos, true
		case word == "intersect" || word == "except":
			return strings.ToUpper(word) + " is not supported (use IN or NOT IN with a subquery)", pos, true
		}
		if typ != sqlparser.COMMENT {
			first = false
			prev = word
			if typ == ')' {
				prev = ")"
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
