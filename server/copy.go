package server

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// copyStmt is a parsed COPY … TO STDOUT.
type copyStmt struct {
	query *prepared
	opts  copyOptions
}

// copyOptions are COPY's format options.
type copyOptions struct {
	csv        bool
	binary     bool
	header     bool
	delimiter  byte
	null       string
	quote      byte
	escape     byte
	forceAll   bool
	forceQuote []string // column names, lower case for unquoted names
	// from is set for COPY table FROM STDIN, into table (its tokens);
	// headerMatch for HEADER MATCH.
	from        bool
	table       []token
	headerMatch bool
}

// parseCopy parses COPY { table [(columns)] | (query) } TO STDOUT
// [[WITH] (option, …)] or the options of the older syntax ([BINARY]
// [DELIMITER [AS] 'c'] [NULL [AS] 's'] [CSV [HEADER] [QUOTE [AS] 'q']
// [ESCAPE [AS] 'e'] [FORCE QUOTE columns | *]]). It returns the query's
// tokens and the options.
func parseCopy(toks []token) ([]token, copyOptions, error) {
	opts := copyOptions{}
	var query []token
	i := 1
	switch {
	case i < len(toks) && toks[i].is(tPunct, "("):
		depth, j := 0, i
		for ; j < len(toks); j++ {
			if toks[j].is(tPunct, "(") {
				depth++
			} else if toks[j].is(tPunct, ")") {
				depth--
				if depth == 0 {
					break
				}
			}
		}
		if j >= len(toks) {
			return nil, opts, syntaxErrorNear(toks, len(toks))
		}
		query = toks[i+1 : j]
		if len(query) == 0 {
			return nil, opts, syntaxErrorNear(toks, j)
		}
		i = j + 1
	default:
		// A table, perhaps qualified, and perhaps its columns.
		start := i
		for i < len(toks) && (toks[i].kind == tIdent || toks[i].kind == tQIdent) {
			i++
			if i < len(toks) && toks[i].is(tPunct, ".") {
				i++
				continue
			}
			break
		}
		if i == start || toks[i-1].is(tPunct, ".") {
			return nil, opts, syntaxErrorNear(toks, i)
		}
		table := toks[start:i]
		opts.table = append([]token(nil), table...)
		cols := []token{{kind: tOp, text: "*", space: true}}
		if i < len(toks) && toks[i].is(tPunct, "(") {
			j := i + 1
			for j < len(toks) && !toks[j].is(tPunct, ")") {
				j++
			}
			if j >= len(toks) || j == i+1 {
				return nil, opts, syntaxErrorNear(toks, j)
			}
			cols = append([]token(nil), toks[i+1:j]...)
			cols[0].space = true
			i = j + 1
		}
		query = append(query, token{kind: tIdent, text: "SELECT", val: "select"})
		query = append(query, cols...)
		query = append(query, token{kind: tIdent, text: "FROM", val: "from", space: true})
		table = append([]token(nil), table...)
		table[0].space = true
		query = append(query, table...)
	}
	if i < len(toks) && toks[i].keyword("from") {
		if opts.table == nil {
			return nil, opts, sqlErrorf(codeFeatureNotSupported, "COPY FROM copies into a table, not a query")
		}
		opts.from = true
		i++
		if i >= len(toks) || !toks[i].keyword("stdin") {
			if i < len(toks) && (toks[i].kind == tString || toks[i].keyword("program")) {
				return nil, opts, sqlErrorf(codeFeatureNotSupported, "COPY from a file or a program of the server is not supported: use COPY … FROM STDIN (psql: \\copy … FROM 'file')")
			}
			return nil, opts, syntaxErrorNear(toks, i)
		}
	} else if i >= len(toks) || !toks[i].keyword("to") {
		return nil, opts, syntaxErrorNear(toks, i)
	} else {
		opts.table = nil
		i++
	}
	if !opts.from && (i >= len(toks) || !toks[i].keyword("stdout")) {
		if i < len(toks) && (toks[i].kind == tString || toks[i].keyword("program")) {
			return nil, opts, sqlErrorf(codeFeatureNotSupported, "COPY to a file or a program of the server is not supported: use COPY … TO STDOUT (psql: \\copy … TO 'file')")
		}
		return nil, opts, syntaxErrorNear(toks, i)
	}
	i++
	var err error
	if i < len(toks) && toks[i].keyword("with") {
		i++
	}
	set := map[string]bool{}
	option := func(name string) error {
		if set[name] {
			return sqlErrorf(codeSyntaxError, "conflicting or redundant options: %s", name)
		}
		set[name] = true
		return nil
	}
	// str reads a one-string option value at j.
	str := func(j int, name string) (string, int, error) {
		if j < len(toks) && toks[j].keyword("as") {
			j++
		}
		if j >= len(toks) || toks[j].kind != tString {
			return "", j, sqlErrorf(codeSyntaxError, "COPY %s needs a string", strings.ToUpper(name))
		}
		return toks[j].val, j + 1, nil
	}
	oneByte := func(s, name string) (byte, error) {
		if len(s) != 1 {
			return 0, sqlErrorf(codeFeatureNotSupported, "COPY %s must be a single one-byte character", name)
		}
		return s[0], nil
	}
	var delimiter, quote, escape *byte
	// stringOption reads the string value of option name at toks[j] (both
	// syntaxes spell these options the same way).
	stringOption := func(j int, name string) (int, error) {
		v, j, err := str(j, name)
		if err != nil {
			return j, err
		}
		switch name {
		case "null":
			opts.null = v
			set["null-given"] = true
		case "encoding":
			if e := strings.ToLower(strings.ReplaceAll(v, "-", "")); e != "utf8" && e != "unicode" {
				return j, sqlErrorf(codeFeatureNotSupported, "COPY encoding %q is not supported (UTF8 is)", v)
			}
		default:
			b, err := oneByte(v, name)
			if err != nil {
				return j, err
			}
			switch name {
			case "delimiter":
				delimiter = &b
			case "quote":
				quote = &b
			case "escape":
				escape = &b
			}
		}
		return j, nil
	}
	// columnList reads ( names ) or *.
	columnList := func(j int) (int, error) {
		if j < len(toks) && toks[j].is(tOp, "*") {
			opts.forceAll = true
			return j + 1, nil
		}
		paren := j < len(toks) && toks[j].is(tPunct, "(")
		if paren {
			j++
		}
		for j < len(toks) && (toks[j].kind == tIdent || toks[j].kind == tQIdent) {
			opts.forceQuote = append(opts.forceQuote, toks[j].val)
			j++
			if j < len(toks) && toks[j].is(tPunct, ",") {
				j++
				continue
			}
			break
		}
		if paren {
			if j >= len(toks) || !toks[j].is(tPunct, ")") {
				return j, syntaxErrorNear(toks, j)
			}
			j++
		}
		if len(opts.forceQuote) == 0 {
			return j, syntaxErrorNear(toks, j)
		}
		return j, nil
	}
	if i < len(toks) && toks[i].is(tPunct, "(") {
		// (option [value], …)
		i++
		for {
			if i >= len(toks) || toks[i].kind != tIdent {
				return nil, opts, syntaxErrorNear(toks, i)
			}
			name := toks[i].val
			i++
			if err := option(name); err != nil {
				return nil, opts, err
			}
			switch name {
			case "format":
				if i >= len(toks) || toks[i].kind != tIdent && toks[i].kind != tString {
					return nil, opts, syntaxErrorNear(toks, i)
				}
				switch f := strings.ToLower(toks[i].val); f {
				case "text":
				case "csv":
					opts.csv = true
				case "binary":
					opts.binary = true
				default:
					return nil, opts, sqlErrorf(codeInvalidParameter, "COPY format %q not recognized", f)
				}
				i++
			case "header":
				opts.header = true
				if i < len(toks) && (toks[i].kind == tIdent || toks[i].kind == tString || toks[i].kind == tNumber) {
					v := strings.ToLower(toks[i].val)
					if toks[i].kind == tNumber {
						v = toks[i].text
					}
					switch v {
					case "true", "on", "1":
					case "false", "off", "0":
						opts.header = false
					case "match":
						if !opts.from {
							return nil, opts, sqlErrorf(codeFeatureNotSupported, "cannot use \"match\" with HEADER in COPY TO")
						}
						opts.headerMatch = true
					default:
						return nil, opts, sqlErrorf(codeInvalidParameter, "header requires a Boolean value or \"match\"")
					}
					i++
				}
			case "delimiter", "null", "quote", "escape", "encoding":
				if i, err = stringOption(i, name); err != nil {
					return nil, opts, err
				}
			case "force_quote":
				if i, err = columnList(i); err != nil {
					return nil, opts, err
				}
			case "freeze", "force_not_null", "force_null", "default", "on_error", "log_verbosity":
				if opts.from {
					return nil, opts, sqlErrorf(codeFeatureNotSupported, "COPY %s is not supported by restsql", strings.ToUpper(name))
				}
				return nil, opts, sqlErrorf(codeFeatureNotSupported, "COPY %s is available only in COPY FROM", strings.ToUpper(name))
			default:
				return nil, opts, sqlErrorf(codeSyntaxError, "option %q not recognized", name)
			}
			if i < len(toks) && toks[i].is(tPunct, ",") {
				i++
				continue
			}
			if i+1 == len(toks) && toks[i].is(tPunct, ")") {
				break
			}
			return nil, opts, syntaxErrorNear(toks, i)
		}
	} else {
		// The older syntax.
		for i < len(toks) {
			t := toks[i]
			i++
			name := t.val
			if t.kind != tIdent {
				return nil, opts, syntaxErrorNear(toks, i-1)
			}
			switch name {
			case "binary":
				opts.binary = true
			case "csv":
				opts.csv = true
			case "header":
				opts.header = true
			case "delimiter", "null", "quote", "escape", "encoding":
				if i, err = stringOption(i, name); err != nil {
					return nil, opts, err
				}
			case "force":
				if i >= len(toks) || !toks[i].keyword("quote") {
					return nil, opts, syntaxErrorNear(toks, i)
				}
				if i, err = columnList(i + 1); err != nil {
					return nil, opts, err
				}
				set["force_quote"] = true
			default:
				return nil, opts, syntaxErrorNear(toks, i-1)
			}
		}
	}
	// Defaults and PostgreSQL's checks.
	if opts.from && set["force_quote"] {
		return nil, opts, sqlErrorf(codeFeatureNotSupported, "COPY FORCE_QUOTE cannot be used with COPY FROM")
	}
	if opts.binary {
		switch {
		case opts.csv:
			return nil, opts, sqlErrorf(codeSyntaxError, "conflicting or redundant options: FORMAT")
		case delimiter != nil, quote != nil, escape != nil, set["null-given"], opts.header, set["force_quote"]:
			return nil, opts, sqlErrorf(codeSyntaxError, "cannot specify DELIMITER, NULL, HEADER, QUOTE, ESCAPE or FORCE_QUOTE in BINARY mode")
		}
		return query, opts, nil
	}
	opts.delimiter = '\t'
	if opts.csv {
		opts.delimiter = ','
		opts.quote, opts.escape = '"', 0
	}
	if !set["null-given"] && !opts.csv {
		opts.null = `\N`
	}
	if delimiter != nil {
		opts.delimiter = *delimiter
	}
	if !opts.csv && (quote != nil || escape != nil || set["force_quote"]) {
		return nil, opts, sqlErrorf(codeFeatureNotSupported, "COPY QUOTE, ESCAPE and FORCE QUOTE are available only in CSV mode")
	}
	if quote != nil {
		opts.quote = *quote
	}
	if escape != nil {
		opts.escape = *escape
	}
	if opts.csv && opts.escape == 0 {
		opts.escape = opts.quote
	}
	switch d := opts.delimiter; {
	case d == '\n' || d == '\r':
		return nil, opts, sqlErrorf(codeInvalidParameter, "COPY delimiter cannot be newline or carriage return")
	case !opts.csv && (d == '\\' || d >= 'a' && d <= 'z' || d >= '0' && d <= '9' || d == '.'):
		return nil, opts, sqlErrorf(codeInvalidParameter, "COPY delimiter cannot be %q", string(d))
	case opts.csv && d == opts.quote:
		return nil, opts, sqlErrorf(codeInvalidParameter, "COPY delimiter and quote must be different")
	case strings.IndexByte(opts.null, d) >= 0:
		return nil, opts, sqlErrorf(codeInvalidParameter, "COPY delimiter character must not appear in the NULL specification")
	case strings.ContainsAny(opts.null, "\r\n"):
		return nil, opts, sqlErrorf(codeInvalidParameter, "COPY null representation cannot use newline or carriage return")
	case opts.csv && strings.IndexByte(opts.null, opts.quote) >= 0:
		return nil, opts, sqlErrorf(codeInvalidParameter, "CSV quote character must not appear in the NULL specification")
	}
	return query, opts, nil
}

// prepareCopy prepares COPY … TO STDOUT: its query is prepared as any.
func (ss *session) prepareCopy(p *prepared, toks []token, oids []uint32) (*prepared, error) {
	query, opts, err := parseCopy(toks)
	if err != nil {
		return nil, err
	}
	if !query[0].keyword("select") && !query[0].keyword("values") && !query[0].keyword("with") && !query[0].is(tPunct, "(") {
		return nil, sqlErrorf(codeFeatureNotSupported, "COPY (%s …) is not supported: COPY copies out the rows of a SELECT or VALUES query", strings.ToUpper(query[0].text))
	}
	q, err := ss.prepare(query, oids)
	if err != nil {
		return nil, err
	}
	if q.kind != kindQuery && q.kind != kindLocal {
		return nil, sqlErrorf(codeFeatureNotSupported, "COPY copies out the rows of a SELECT or VALUES query")
	}
	if opts.from && q.kind != kindQuery {
		return nil, sqlErrorf(codeFeatureNotSupported, "COPY FROM copies into an API table, not into a system table")
	}
	p.kind, p.copy = kindCopy, &copyStmt{query: q, opts: opts}
	p.paramOIDs = q.paramOIDs
	return p, nil
}

// copyOut runs COPY … TO STDOUT: CopyOutResponse, a CopyData message per
// row (and the header), read from the API as they are sent, then
// CopyDone and COPY n.
func (ss *session) copyOut(pt *portal) error {
	c := pt.stmt.copy
	if c.opts.from {
		return ss.copyIn(pt)
	}
	q := &portal{name: pt.name, stmt: c.query, params: pt.params}
	if err := ss.openPortal(q); err != nil {
		se := toSQLError(q.ctx, err)
		q.close()
		return se
	}
	defer q.close()
	force := make([]bool, len(q.cols))
	for i, col := range q.cols {
		force[i] = c.opts.forceAll
		for _, name := range c.opts.forceQuote {
			if name == col.name || strings.EqualFold(name, col.name) && name == strings.ToLower(name) {
				force[i] = true
			}
		}
	}
	for _, name := range c.opts.forceQuote {
		found := false
		for _, col := range q.cols {
			found = found || strings.EqualFold(name, col.name)
		}
		if !found {
			return sqlErrorf(codeUndefinedColumn, "FORCE_QUOTE column %q is not referenced by COPY", name)
		}
	}
	if c.opts.binary {
		return ss.copyOutBinary(q)
	}
	ss.send(&pgproto3.CopyOutResponse{OverallFormat: 0, ColumnFormatCodes: make([]uint16, len(q.cols))})
	var line []byte
	if c.opts.header {
		for i, col := range q.cols {
			if i > 0 {
				line = append(line, c.opts.delimiter)
			}
			line = c.opts.appendValue(line, col.name, false, len(q.cols) == 1)
		}
		line = append(line, '\n')
		ss.send(&pgproto3.CopyData{Data: line})
		ss.pending += len(line)
	}
	ss.setRunning(q.cancel)
	defer ss.setRunning(nil)
	loc := ss.settings.location
	var n int64
	for {
		row, err := q.rs.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return toSQLError(q.ctx, err)
		}
		line = line[:0]
		for i, v := range row {
			if i > 0 {
				line = append(line, c.opts.delimiter)
			}
			if v == nil {
				line = append(line, c.opts.null...)
				continue
			}
			oid := oidText
			if i < len(q.cols) {
				oid = q.cols[i].oid
			}
			b, err := encodeValue(v, oid, 0, loc)
			if err != nil {
				return err
			}
			line = c.opts.appendValue(line, string(b), i < len(force) && force[i], len(row) == 1)
		}
		line = append(line, '\n')
		ss.send(&pgproto3.CopyData{Data: line})
		n++
		ss.pending += len(line) + 5
		if ss.pending >= flushBytes {
			if err := ss.flush(); err != nil {
				return fmt.Errorf("%w: %v", errSessionEnd, err)
			}
		}
	}
	ss.send(&pgproto3.CopyDone{})
	ss.send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "COPY %d", n)})
	return nil
}

// appendValue appends a value that is not NULL, escaped as the format
// asks: in text, backslash escapes for the backslash, the delimiter and
// control characters; in CSV, quoted when it holds the delimiter, the
// quote, a line break, or reads as the NULL string (or as \. alone in a
// one-column row), or when forced.
func (o *copyOptions) appendValue(dst []byte, v string, force, single bool) []byte {
	if !o.csv {
		for i := 0; i < len(v); i++ {
			c := v[i]
			switch {
			case c == '\\':
				dst = append(dst, '\\', '\\')
			case c == '\b':
				dst = append(dst, '\\', 'b')
			case c == '\f':
				dst = append(dst, '\\', 'f')
			case c == '\n':
				dst = append(dst, '\\', 'n')
			case c == '\r':
				dst = append(dst, '\\', 'r')
			case c == '\t':
				dst = append(dst, '\\', 't')
			case c == '\v':
				dst = append(dst, '\\', 'v')
			case c == o.delimiter:
				dst = append(dst, '\\', c)
			default:
				dst = append(dst, c)
			}
		}
		return dst
	}
	quote := force || v == o.null || single && v == `\.`
	for i := 0; i < len(v) && !quote; i++ {
		c := v[i]
		quote = c == o.delimiter || c == o.quote || c == '\n' || c == '\r'
	}
	if !quote {
		return append(dst, v...)
	}
	dst = append(dst, o.quote)
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == o.quote || c == o.escape {
			dst = append(dst, o.escape)
		}
		dst = append(dst, c)
	}
	return append(dst, o.quote)
}

// binaryCopyHeader starts COPY's binary format: the signature, no flags,
// no header extension.
var binaryCopyHeader = []byte("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00")

// copyOutBinary copies q's rows out in COPY's binary format: each row is
// its field count and, per field, its length (-1 for NULL) and its value
// in binary format; a count of -1 ends the data.
func (ss *session) copyOutBinary(q *portal) error {
	formats := make([]uint16, len(q.cols))
	for i, col := range q.cols {
		if !binaryCapable(col.oid) {
			return sqlErrorf(codeFeatureNotSupported, "binary format is not supported for column %s of type %s", col.name, typeName(col.oid))
		}
		formats[i] = 1
	}
	ss.send(&pgproto3.CopyOutResponse{OverallFormat: 1, ColumnFormatCodes: formats})
	ss.send(&pgproto3.CopyData{Data: binaryCopyHeader})
	ss.setRunning(q.cancel)
	defer ss.setRunning(nil)
	loc := ss.settings.location
	var n int64
	var line []byte
	for {
		row, err := q.rs.next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return toSQLError(q.ctx, err)
		}
		line = binary.BigEndian.AppendUint16(line[:0], uint16(len(row)))
		for i, v := range row {
			if v == nil {
				line = binary.BigEndian.AppendUint32(line, 0xffffffff)
				continue
			}
			oid := oidText
			if i < len(q.cols) {
				oid = q.cols[i].oid
			}
			b, err := encodeValue(v, oid, 1, loc)
			if err != nil {
				return err
			}
			line = binary.BigEndian.AppendUint32(line, uint32(len(b)))
			line = append(line, b...)
		}
		ss.send(&pgproto3.CopyData{Data: line})
		n++
		ss.pending += len(line) + 5
		if ss.pending >= flushBytes {
			if err := ss.flush(); err != nil {
				return fmt.Errorf("%w: %v", errSessionEnd, err)
			}
		}
	}
	ss.send(&pgproto3.CopyData{Data: []byte{0xff, 0xff}})
	ss.send(&pgproto3.CopyDone{})
	ss.send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "COPY %d", n)})
	return nil
}
