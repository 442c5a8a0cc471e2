package server

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// SQLSTATEs of cursors.
const (
	codeNoActiveTx         = "25P01"
	codeObjectNotInPrereqs = "55000"
)

// cursor is a SQL cursor (DECLARE … CURSOR): a portal of its own, open
// from DECLARE to CLOSE, whose rows are read from the API as FETCH asks
// for them, never all at once.
type cursor struct {
	name   string
	pt     *portal
	binary bool
	hold   bool
	// committed is set on a WITH HOLD cursor once the transaction that
	// declared it has committed (at once outside a transaction): ROLLBACK
	// no longer closes it.
	committed bool
	// pos is the cursor's position: the number of rows read (the current
	// row), one more than the rows when they have ended.
	pos int64
}

func (c *cursor) close() { c.pt.close() }

// declareStmt is a parsed DECLARE.
type declareStmt struct {
	name   string
	binary bool
	hold   bool
	query  *prepared
}

// fetchStmt is a parsed FETCH or MOVE.
type fetchStmt struct {
	name  string
	count int64 // rows to read; all when all is set
	all   bool
	move  bool
	// skip is the rows to pass over first (RELATIVE n); absolute, when
	// set, the row to read (ABSOLUTE n).
	skip, absolute int64
}

// cursorName reads a cursor name: an identifier or a quoted one.
func cursorName(toks []token, i int) (string, bool) {
	if i >= len(toks) {
		return "", false
	}
	switch t := toks[i]; t.kind {
	case tIdent, tQIdent:
		return t.val, true
	}
	return "", false
}

func syntaxErrorNear(toks []token, i int) *sqlError {
	if i >= len(toks) {
		return sqlErrorf(codeSyntaxError, "syntax error at end of input")
	}
	e := sqlErrorf(codeSyntaxError, "syntax error at or near %q", toks[i].text)
	e.Position = int32(toks[i].pos + 1)
	return e
}

// prepareDeclare parses DECLARE name [BINARY] [ASENSITIVE | INSENSITIVE]
// [NO SCROLL] CURSOR [WITH HOLD | WITHOUT HOLD] FOR query, and prepares
// its query.
func (ss *session) prepareDeclare(p *prepared, toks []token, oids []uint32) (*prepared, error) {
	d := &declareStmt{}
	name, ok := cursorName(toks, 1)
	if !ok {
		return nil, syntaxErrorNear(toks, 1)
	}
	d.name = name
	i := 2
options:
	for i < len(toks) {
		switch t := toks[i]; {
		case t.keyword("binary"):
			d.binary = true
		case t.keyword("asensitive"), t.keyword("insensitive"):
			// restsql's rows are a snapshot of what the API answered.
		case t.keyword("no") && i+1 < len(toks) && toks[i+1].keyword("scroll"):
			i++
		case t.keyword("scroll"):
			return nil, sqlErrorf(codeFeatureNotSupported, "SCROLL cursors are not supported: restsql reads a cursor's rows forward, as the API sends them (declare it without SCROLL)")
		default:
			break options
		}
		i++
	}
	if i >= len(toks) || !toks[i].keyword("cursor") {
		return nil, syntaxErrorNear(toks, i)
	}
	i++
	switch {
	case i+1 < len(toks) && toks[i].keyword("with") && toks[i+1].keyword("hold"):
		d.hold = true
		i += 2
	case i+1 < len(toks) && toks[i].keyword("without") && toks[i+1].keyword("hold"):
		i += 2
	}
	if i >= len(toks) || !toks[i].keyword("for") {
		return nil, syntaxErrorNear(toks, i)
	}
	i++
	if i >= len(toks) || !(toks[i].keyword("select") || toks[i].keyword("values") || toks[i].keyword("with") || toks[i].is(tPunct, "(")) {
		return nil, sqlErrorf(codeSyntaxError, "DECLARE CURSOR must be followed by a SELECT or VALUES query")
	}
	q, err := ss.prepare(toks[i:], oids)
	if err != nil {
		return nil, err
	}
	if q.kind != kindQuery && q.kind != kindLocal {
		return nil, sqlErrorf(codeSyntaxError, "DECLARE CURSOR must be followed by a SELECT or VALUES query")
	}
	d.query = q
	p.kind, p.decl = kindDeclare, d
	// The query's parameters are the statement's: the same $n.
	p.paramOIDs = q.paramOIDs
	return p, nil
}

// prepareFetch parses FETCH or MOVE [direction] [FROM | IN] name, for the
// directions that read forward: NEXT, FORWARD, ALL, FORWARD ALL, a count,
// FORWARD count.
func prepareFetch(p *prepared, toks []token) (*prepared, error) {
	f := &fetchStmt{count: 1, move: toks[0].keyword("move")}
	verb := "FETCH"
	if f.move {
		verb = "MOVE"
	}
	backward := func() error {
		e := sqlErrorf(codeObjectNotInPrereqs, "cursor can only scan forward")
		e.Hint = "restsql's cursors read forward only: " + verb + " NEXT, FORWARD n or ALL."
		return e
	}
	// count reads a signed integer at i.
	count := func(i int) (int64, int, bool) {
		sign := int64(1)
		if i < len(toks) && (toks[i].is(tOp, "-") || toks[i].is(tOp, "+")) {
			if toks[i].text == "-" {
				sign = -1
			}
			i++
		}
		if i >= len(toks) || toks[i].kind != tNumber {
			return 0, i, false
		}
		n, err := strconv.ParseInt(toks[i].text, 10, 64)
		if err != nil {
			return 0, i, false
		}
		return sign * n, i + 1, true
	}
	i := 1
	if i < len(toks) {
		switch t := toks[i]; {
		case t.keyword("next"):
			i++
		case t.keyword("all"):
			f.all = true
			i++
		case t.keyword("forward"):
			i++
			if i < len(toks) && toks[i].keyword("all") {
				f.all = true
				i++
			} else if n, j, ok := count(i); ok {
				f.count, i = n, j
			}
		case t.keyword("prior"), t.keyword("backward"), t.keyword("first"):
			return nil, backward()
		case t.keyword("absolute"), t.keyword("relative"):
			n, j, ok := count(i + 1)
			if !ok {
				return nil, syntaxErrorNear(toks, i+1)
			}
			switch {
			case n < 0:
				if t.keyword("relative") {
					return nil, backward()
				}
				return nil, sqlErrorf(codeFeatureNotSupported, "%s ABSOLUTE with a negative count (from the end) is not supported: restsql's cursors read forward only", verb)
			case n == 0:
				return nil, sqlErrorf(codeFeatureNotSupported, "%s %s 0 is not supported: restsql's cursors read forward only", verb, strings.ToUpper(t.val))
			case t.keyword("relative"):
				f.skip = n - 1
			default:
				f.absolute = n
			}
			i = j
		case t.keyword("last"):
			return nil, sqlErrorf(codeFeatureNotSupported, "%s LAST is not supported: restsql's cursors read forward only (%s NEXT, FORWARD n, ALL, RELATIVE n or ABSOLUTE n)", verb, verb)
		default:
			if n, j, ok := count(i); ok {
				f.count, i = n, j
			}
		}
	}
	switch {
	case f.all:
	case f.count < 0:
		return nil, backward()
	case f.count == 0:
		return nil, sqlErrorf(codeFeatureNotSupported, "%s 0 (the current row again) is not supported: restsql's cursors read forward only", verb)
	}
	if i < len(toks) && (toks[i].keyword("from") || toks[i].keyword("in")) {
		i++
	}
	name, ok := cursorName(toks, i)
	if !ok || i+1 != len(toks) {
		if ok {
			i++
		}
		return nil, syntaxErrorNear(toks, i)
	}
	f.name = name
	p.kind, p.fetch = kindFetch, f
	return p, nil
}

// prepareClose parses CLOSE name | ALL.
func (ss *session) prepareClose(p *prepared, toks []token) (*prepared, error) {
	p.kind = kindCommand
	if len(toks) == 2 && toks[1].keyword("all") {
		p.command = func() (string, error) {
			ss.closeCursors(func(*cursor) bool { return true })
			return "CLOSE CURSOR", nil
		}
		return p, nil
	}
	name, ok := cursorName(toks, 1)
	if !ok || len(toks) != 2 {
		return nil, syntaxErrorNear(toks, min(len(toks), 2))
	}
	p.command = func() (string, error) {
		c := ss.cursors[name]
		if c == nil {
			return "", sqlErrorf(codeUndefinedCursor, "cursor %q does not exist", name)
		}
		c.close()
		delete(ss.cursors, name)
		return "CLOSE CURSOR", nil
	}
	return p, nil
}

// declare opens a cursor: its query runs up to its first page, so that
// its columns are known and its errors are DECLARE's.
func (ss *session) declare(d *declareStmt, params []any) error {
	if !d.hold && ss.txStatus == 'I' {
		return sqlErrorf(codeNoActiveTx, "DECLARE CURSOR can only be used in transaction blocks")
	}
	if _, exists := ss.portals[d.name]; exists || ss.cursors[d.name] != nil {
		return sqlErrorf(codeDuplicateCursor, "cursor %q already exists", d.name)
	}
	pt := &portal{name: d.name, stmt: d.query, params: params}
	if err := ss.openPortal(pt); err != nil {
		se := toSQLError(pt.ctx, err)
		pt.close()
		return se
	}
	ss.cursors[d.name] = &cursor{name: d.name, pt: pt, binary: d.binary, hold: d.hold, committed: d.hold && ss.txStatus == 'I'}
	return nil
}

// fetchColumns are the columns a FETCH returns: its cursor's, or nil
// (no rows) for MOVE or a cursor that does not exist (yet).
func (ss *session) fetchColumns(f *fetchStmt) []column {
	if c := ss.cursors[f.name]; c != nil && !f.move {
		return c.pt.cols
	}
	return nil
}

// fetch runs FETCH or MOVE: it reads up to the count of rows from the
// cursor, sending them (FETCH) or not (MOVE). In the simple protocol it
// first describes them, in binary for a BINARY cursor.
func (ss *session) fetch(pt *portal, f *fetchStmt, simple bool) error {
	c := ss.cursors[f.name]
	if c == nil {
		return sqlErrorf(codeUndefinedCursor, "cursor %q does not exist", f.name)
	}
	var formats []int16
	if !f.move {
		formats = pt.resultFormats
		if simple {
			formats = nil
			if c.binary {
				formats = []int16{1}
			}
		}
		probe := &portal{cols: c.pt.cols, resultFormats: formats}
		if err := probe.checkFormats(); err != nil {
			return err
		}
		if simple {
			ss.sendRowDescription(c.pt.cols, formats)
		}
	}
	var n int64
	skip := f.skip
	if f.absolute > 0 {
		switch {
		case f.absolute == c.pos:
			return sqlErrorf(codeFeatureNotSupported, "ABSOLUTE %d is the current row again, which restsql's cursors cannot read twice", f.absolute)
		case f.absolute < c.pos:
			e := sqlErrorf(codeObjectNotInPrereqs, "cursor can only scan forward")
			e.Hint = fmt.Sprintf("the cursor is at row %d; restsql's cursors read forward only", c.pos)
			return e
		}
		skip = f.absolute - c.pos - 1
	}
	if !c.pt.done {
		limit := f.count
		if f.all {
			limit = 0
		}
		var done bool
		var err error
		if skip > 0 {
			var skipped int64
			skipped, done, err = ss.streamRows(c.pt, nil, skip, true)
			c.pos += skipped
		}
		if err == nil && !done {
			n, done, err = ss.streamRows(c.pt, formats, limit, f.move)
			c.pos += n
		}
		if done {
			c.pos++
		}
		if err != nil {
			// A failed cursor cannot go on.
			se := toSQLError(c.pt.ctx, err)
			c.close()
			delete(ss.cursors, f.name)
			return se
		}
		if done {
			c.pt.done = true
			_ = c.pt.rs.close()
			c.pt.rs = nil
		}
	}
	verb := "FETCH"
	if f.move {
		verb = "MOVE"
	}
	ss.send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "%s %d", verb, n)})
	return nil
}

// executeCursor runs a SQL cursor as the portal it is (Execute with its
// name): up to maxRows rows (0: all) in its format, then PortalSuspended,
// or SELECT n once its rows have ended.
func (ss *session) executeCursor(c *cursor, maxRows int64) error {
	var formats []int16
	if c.binary {
		formats = []int16{1}
	}
	var n int64
	done := c.pt.done
	if !done {
		var err error
		n, done, err = ss.streamRows(c.pt, formats, maxRows, false)
		c.pos += n
		if err != nil {
			se := toSQLError(c.pt.ctx, err)
			c.close()
			delete(ss.cursors, c.name)
			return se
		}
		if done {
			c.pos++
			c.pt.done = true
			_ = c.pt.rs.close()
			c.pt.rs = nil
		}
	}
	if !done {
		ss.send(&pgproto3.PortalSuspended{})
		return nil
	}
	ss.send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "SELECT %d", n)})
	return nil
}

// closeCursors closes the cursors that drop says to.
func (ss *session) closeCursors(drop func(*cursor) bool) {
	for name, c := range ss.cursors {
		if drop(c) {
			c.close()
			delete(ss.cursors, name)
		}
	}
}

// endTransaction closes the cursors a transaction's end closes: COMMIT
// keeps the WITH HOLD ones, ROLLBACK those of committed transactions.
func (ss *session) endTransaction(commit bool) {
	ss.closeCursors(func(c *cursor) bool {
		if c.hold && (commit || c.committed) {
			c.committed = true
			return false
		}
		return true
	})
}
