package server

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

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
	// pos is the cursor's position: 0 before the first row, k on row k,
	// one more than the rows after the last.
	pos int64
	// scroll is set on a SCROLL cursor, which keeps the rows it has read
	// (rows, at most Config.ScrollCursorRows) to move backward; eof once
	// the query's rows have ended (all of them are in rows).
	scroll bool
	rows   [][]any
	eof    bool
}

func (c *cursor) close() { c.pt.close() }

// declareStmt is a parsed DECLARE.
type declareStmt struct {
	name   string
	binary bool
	hold   bool
	scroll bool
	query  *prepared
}

// fetchDir is a FETCH's direction, as PostgreSQL reduces them: NEXT and
// FORWARD n are forward, PRIOR and BACKWARD n backward, FIRST and LAST
// absolute 1 and −1.
type fetchDir int

const (
	dirForward fetchDir = iota
	dirBackward
	dirAbsolute
	dirRelative
)

// fetchStmt is a parsed FETCH or MOVE.
type fetchStmt struct {
	name  string
	dir   fetchDir
	count int64 // rows (forward, backward) or the row (absolute, relative)
	all   bool  // FORWARD ALL, BACKWARD ALL
	move  bool
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
			d.scroll = true
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

// prepareFetch parses FETCH or MOVE [direction] [FROM | IN] name, with
// PostgreSQL's directions: NEXT, PRIOR, FIRST, LAST, ABSOLUTE n,
// RELATIVE n, n, ALL, FORWARD [n | ALL], BACKWARD [n | ALL].
func prepareFetch(p *prepared, toks []token) (*prepared, error) {
	f := &fetchStmt{count: 1, move: toks[0].keyword("move")}
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
		case t.keyword("prior"):
			f.dir = dirBackward
			i++
		case t.keyword("first"):
			f.dir = dirAbsolute
			i++
		case t.keyword("last"):
			f.dir, f.count = dirAbsolute, -1
			i++
		case t.keyword("all"):
			f.all = true
			i++
		case t.keyword("forward"), t.keyword("backward"):
			if t.keyword("backward") {
				f.dir = dirBackward
			}
			i++
			if i < len(toks) && toks[i].keyword("all") {
				f.all = true
				i++
			} else if n, j, ok := count(i); ok {
				f.count, i = n, j
			}
		case t.keyword("absolute"), t.keyword("relative"):
			f.dir = dirAbsolute
			if t.keyword("relative") {
				f.dir = dirRelative
			}
			n, j, ok := count(i + 1)
			if !ok {
				return nil, syntaxErrorNear(toks, i+1)
			}
			f.count, i = n, j
		default:
			if n, j, ok := count(i); ok {
				f.count, i = n, j
			}
		}
	}
	// A negative count turns the direction round, as in PostgreSQL.
	if (f.dir == dirForward || f.dir == dirBackward) && f.count < 0 {
		f.dir = dirForward + dirBackward - f.dir
		f.count = -f.count
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
	ss.cursors[d.name] = &cursor{name: d.name, pt: pt, binary: d.binary, hold: d.hold, scroll: d.scroll, committed: d.hold && ss.txStatus == 'I'}
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

// fetch runs FETCH or MOVE: it reads the rows the direction asks for,
// sending them (FETCH) or not (MOVE). In the simple protocol it first
// describes them, in binary for a BINARY cursor.
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
	}
	var n int64
	var err error
	if c.scroll {
		n, err = ss.fetchScroll(c, f, formats, simple)
	} else {
		n, err = ss.fetchForward(c, f, formats, simple)
	}
	if err != nil {
		var se *sqlError
		if errors.As(err, &se) && se.Code == codeObjectNotInPrereqs {
			return err // refused before a row was read
		}
		// A failed cursor cannot go on.
		err = toSQLError(c.pt.ctx, err)
		c.close()
		delete(ss.cursors, f.name)
		return err
	}
	verb := "FETCH"
	if f.move {
		verb = "MOVE"
	}
	ss.send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "%s %d", verb, n)})
	return nil
}

// errNoScroll is PostgreSQL's error for a backward move of a cursor
// declared without SCROLL.
func errNoScroll() error {
	e := sqlErrorf(codeObjectNotInPrereqs, "cursor can only scan forward")
	e.Hint = "Declare it with SCROLL option to enable backward scan."
	return e
}

// onRow reports whether the cursor is on a row (not before the first or
// after the last).
func (c *cursor) onRow() bool {
	return c.pos >= 1 && !(c.pt.done && c.pos > c.read())
}

// read is the rows a cursor has read from its query.
func (c *cursor) read() int64 {
	if c.scroll {
		return int64(len(c.rows))
	}
	if c.pt.done {
		return c.pos - 1
	}
	return c.pos
}

// fetchForward runs FETCH or MOVE on a cursor without SCROLL: its rows
// stream from the API and are not kept, so only the directions that
// read forward work; the others are PostgreSQL's error (55000), as
// PostgreSQL decides it (DoPortalRunFetch).
func (ss *session) fetchForward(c *cursor, f *fetchStmt, formats []int16, simple bool) (int64, error) {
	describe := func() {
		if simple && !f.move {
			ss.sendRowDescription(c.pt.cols, formats)
		}
	}
	// skip is the rows to pass over, then limit rows are read (0: all).
	var skip, limit int64
	switch f.dir {
	case dirBackward:
		if f.count == 0 {
			// The current row again: PostgreSQL backs up one row.
			if f.move {
				describe()
				return boolCount(c.onRow()), nil
			}
			return 0, errNoScroll()
		}
		if f.all && f.move && c.pos == 0 {
			describe()
			return 0, nil // MOVE BACKWARD ALL at the start rewinds nothing
		}
		return 0, errNoScroll()
	case dirAbsolute:
		switch {
		case f.count < 0:
			return 0, errNoScroll()
		case f.count == 0:
			if c.pos != 0 {
				return 0, errNoScroll()
			}
			describe()
			return 0, nil
		case f.count <= c.pos:
			return 0, errNoScroll()
		}
		skip, limit = f.count-c.pos-1, 1
	case dirRelative:
		switch {
		case f.count < 0:
			return 0, errNoScroll()
		case f.count == 0:
			if c.onRow() && !f.move {
				return 0, errNoScroll()
			}
			describe()
			return boolCount(c.onRow()), nil
		}
		skip, limit = f.count-1, 1
	default:
		switch {
		case f.all:
		case f.count == 0:
			if c.onRow() && !f.move {
				return 0, errNoScroll()
			}
			describe()
			return boolCount(c.onRow()), nil
		default:
			limit = f.count
		}
	}
	describe()
	if c.pt.done {
		return 0, nil
	}
	var n int64
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
		c.pt.done = true
		_ = c.pt.rs.close()
		c.pt.rs = nil
	}
	return n, err
}

func boolCount(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// codeProgramLimitExceeded is PostgreSQL's SQLSTATE for a limit of the
// implementation.
const codeProgramLimitExceeded = "54000"

// has reports whether a SCROLL cursor's query has a row k, reading rows
// from the API up to it (and keeping them) as needed.
func (ss *session) has(c *cursor, k int64) (bool, error) {
	if k <= int64(len(c.rows)) {
		return k >= 1, nil
	}
	if c.eof || c.pt.done || c.pt.rs == nil {
		c.eof = true
		return false, nil
	}
	ss.setRunning(c.pt.cancel)
	defer ss.setRunning(nil)
	limit := ss.srv.cfg.ScrollCursorRows
	for int64(len(c.rows)) < k {
		row, err := c.pt.rs.next()
		if errors.Is(err, io.EOF) {
			c.eof = true
			_ = c.pt.rs.close()
			c.pt.rs = nil
			return false, nil
		}
		if err != nil {
			return false, err
		}
		if len(c.rows) >= limit {
			return false, sqlErrorf(codeProgramLimitExceeded, "SCROLL cursor %q would keep more than %d rows, the server's limit (Config.ScrollCursorRows)", c.name, limit)
		}
		c.rows = append(c.rows, slices.Clone(row))
	}
	return true, nil
}

// fetchScroll runs FETCH or MOVE on a SCROLL cursor, as PostgreSQL's
// DoPortalRunFetch does: it reads rows from the API as far as the
// direction goes and keeps them, so that it can move backward.
func (ss *session) fetchScroll(c *cursor, f *fetchStmt, formats []int16, simple bool) (int64, error) {
	// end is the position after the last row, once it is known.
	end := func() int64 { return int64(len(c.rows)) + 1 }
	var out []int64 // the rows to send, in order
	switch f.dir {
	case dirForward, dirBackward:
		if f.count == 0 && !f.all {
			if c.pos >= 1 && c.pos <= int64(len(c.rows)) {
				out = append(out, c.pos)
			}
			break
		}
		for k := int64(0); f.all || k < f.count; k++ {
			if f.dir == dirBackward {
				if c.pos <= 1 {
					c.pos = 0
					break
				}
				c.pos--
				out = append(out, c.pos)
				continue
			}
			ok, err := ss.has(c, c.pos+1)
			if err != nil {
				return 0, err
			}
			if !ok {
				c.pos = end()
				break
			}
			c.pos++
			out = append(out, c.pos)
		}
	case dirAbsolute, dirRelative:
		target := f.count
		if f.dir == dirRelative {
			target = c.pos + f.count
			if f.count == 0 {
				if c.pos >= 1 && c.pos <= int64(len(c.rows)) {
					out = append(out, c.pos)
				}
				break
			}
		} else if f.count < 0 {
			// From the end: every row is read.
			if _, err := ss.has(c, math.MaxInt64); err != nil {
				return 0, err
			}
			target = end() + f.count
		}
		if target < 1 {
			c.pos = 0
			break
		}
		ok, err := ss.has(c, target)
		if err != nil {
			return 0, err
		}
		if !ok {
			c.pos = end()
			break
		}
		c.pos = target
		out = append(out, target)
	}
	if f.move {
		return int64(len(out)), nil
	}
	if simple {
		ss.sendRowDescription(c.pt.cols, formats)
	}
	return ss.sendKept(c, formats, out)
}

// sendKept sends rows a SCROLL cursor keeps, by their numbers.
func (ss *session) sendKept(c *cursor, formats []int16, nums []int64) (int64, error) {
	rows := make([][]any, len(nums))
	for i, k := range nums {
		rows[i] = c.rows[k-1]
	}
	saved := c.pt.rs
	c.pt.rs = &keptRows{rows: rows}
	defer func() { c.pt.rs = saved }()
	n, _, err := ss.streamRows(c.pt, formats, 0, false)
	return n, err
}

// keptRows replays rows a SCROLL cursor keeps.
type keptRows struct{ rows [][]any }

func (k *keptRows) columns() []column { return nil }

func (k *keptRows) next() ([]any, error) {
	if len(k.rows) == 0 {
		return nil, io.EOF
	}
	r := k.rows[0]
	k.rows = k.rows[1:]
	return r, nil
}

func (k *keptRows) close() error { return nil }

// executeCursor runs a SQL cursor as the portal it is (Execute with its
// name): up to maxRows rows (0: all) in its format, then PortalSuspended,
// or SELECT n once its rows have ended.
func (ss *session) executeCursor(c *cursor, maxRows int64) error {
	var formats []int16
	if c.binary {
		formats = []int16{1}
	}
	if c.scroll {
		n, err := ss.fetchScroll(c, &fetchStmt{count: maxRows, all: maxRows <= 0}, formats, false)
		if err != nil {
			se := toSQLError(c.pt.ctx, err)
			c.close()
			delete(ss.cursors, c.name)
			return se
		}
		if !c.eof || c.pos <= int64(len(c.rows)) {
			ss.send(&pgproto3.PortalSuspended{})
			return nil
		}
		ss.send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "SELECT %d", n)})
		return nil
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
