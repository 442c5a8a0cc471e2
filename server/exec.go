package server

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/restsql/restsql/internal/errcode"
	"github.com/restsql/restsql/planner"
)

// stmtKind is what a prepared statement does.
type stmtKind int

const (
	kindEmpty    stmtKind = iota
	kindQuery             // rows from restsql (SELECT, EXPLAIN)
	kindExec              // INSERT, UPDATE, DELETE through restsql
	kindLocal             // rows the server computes: catalog queries, SHOW, version()
	kindCommand           // SET, DISCARD, …: a command tag
	kindBegin             // BEGIN, START TRANSACTION
	kindCommit            // COMMIT, END
	kindRollback          // ROLLBACK, ABORT
	kindDeclare           // DECLARE … CURSOR
	kindFetch             // FETCH, MOVE
	kindCopy              // COPY … TO STDOUT
)

// prepared is a parsed statement: a Parse message's, or one of a Query
// message's statements.
type prepared struct {
	name      string
	kind      stmtKind
	paramOIDs []uint32
	// tr is the restsql statement of kindQuery and kindExec.
	tr *translation
	// names are the PostgreSQL names of kindQuery's columns (see
	// pgColumnNames).
	names []string
	// local computes the rows of kindLocal.
	local func(ctx context.Context, params []any) (*memResult, error)
	// command runs kindCommand, kindBegin, kindCommit and kindRollback
	// and returns the command tag.
	command func() (string, error)
	// decl is the cursor kindDeclare opens; fetch what kindFetch reads.
	decl  *declareStmt
	fetch *fetchStmt
	// copy is what kindCopy copies out.
	copy *copyStmt

	described bool
	cols      []column // nil: no rows
}

// resultSet is the rows of an open portal.
type resultSet interface {
	columns() []column
	// next returns the next row, or io.EOF after the last.
	next() ([]any, error)
	close() error
}

// portal is a statement bound to its parameters, open or about to be.
type portal struct {
	name          string
	stmt          *prepared
	params        []any
	resultFormats []int16

	ctx    context.Context
	cancel context.CancelCauseFunc
	opened bool
	rs     resultSet
	cols   []column
	done   bool
	tag    string
}

func (pt *portal) close() {
	if pt.rs != nil {
		_ = pt.rs.close()
		pt.rs = nil
	}
	if pt.cancel != nil {
		pt.cancel(errSessionEnd)
	}
}

// checkFormats validates the result format codes against the columns.
func (pt *portal) checkFormats() error {
	n := len(pt.resultFormats)
	if n > 1 && n != len(pt.cols) {
		return sqlErrorf(codeProtocolViolation, "bind message has %d result formats but the query has %d columns", n, len(pt.cols))
	}
	for i, c := range pt.cols {
		switch f := formatAt(pt.resultFormats, i); {
		case f == 1 && !binaryCapable(c.oid):
			return sqlErrorf(codeFeatureNotSupported, "binary format is not supported for column %s of type %s", c.name, typeName(c.oid))
		case f != 0 && f != 1:
			return sqlErrorf(codeProtocolViolation, "unsupported format code %d", f)
		}
	}
	return nil
}

// args orders a portal's parameters for restsql's ? placeholders.
func (pt *portal) args() ([]any, error) {
	tr := pt.stmt.tr
	args := make([]any, len(tr.args))
	for i, n := range tr.args {
		if n > len(pt.params) {
			return nil, sqlErrorf("42P02", "there is no parameter $%d", n)
		}
		args[i] = pt.params[n-1]
	}
	return args, nil
}

// sqlResult is the rows of a restsql query.
type sqlResult struct {
	rows *sql.Rows
	cols []column
	vals []any
	ptrs []any
}

func newSQLResult(rows *sql.Rows) (*sqlResult, error) {
	types, err := rows.ColumnTypes()
	if err != nil {
		rows.Close()
		return nil, err
	}
	r := &sqlResult{rows: rows, cols: make([]column, len(types)), vals: make([]any, len(types)), ptrs: make([]any, len(types))}
	for i, t := range types {
		r.cols[i] = column{name: t.Name(), oid: oidForDatabaseType(t.DatabaseTypeName())}
		r.ptrs[i] = &r.vals[i]
	}
	return r, nil
}

func (r *sqlResult) columns() []column { return r.cols }

func (r *sqlResult) next() ([]any, error) {
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return nil, err
		}
		return nil, io.EOF
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		return nil, err
	}
	return r.vals, nil
}

func (r *sqlResult) close() error { return r.rows.Close() }

// openPortal runs the portal's statement up to its first row: restsql
// plans it and reads the first page, so its columns are known.
func (ss *session) openPortal(pt *portal) error {
	if pt.opened {
		return nil
	}
	p := pt.stmt
	switch p.kind {
	case kindQuery:
		args, err := pt.args()
		if err != nil {
			return err
		}
		pt.ctx, pt.cancel = ss.statementContext()
		ss.setRunning(pt.cancel)
		defer ss.setRunning(nil)
		rs, err := queryDriver(pt.ctx, ss.view.db, p.tr.sql, args)
		if err != nil {
			return err
		}
		rs.cols = renameColumns(rs.cols, p.names)
		pt.rs = rs
	case kindLocal:
		pt.ctx, pt.cancel = ss.statementContext()
		res, err := p.local(pt.ctx, pt.params)
		if err != nil {
			return err
		}
		pt.rs = res
	default:
		pt.opened = true
		return nil
	}
	pt.opened = true
	pt.cols = pt.rs.columns()
	if p.described && len(p.cols) == len(pt.cols) {
		// The client decodes with the types it was told at Describe.
		pt.cols = p.cols
	}
	return nil
}

// runPortal executes a portal: up to maxRows rows (0: all), then
// CommandComplete, or PortalSuspended when rows may remain. In the simple
// protocol (simple) it first describes the rows, in text format.
func (ss *session) runPortal(pt *portal, maxRows int64, simple bool) error {
	p := pt.stmt
	switch p.kind {
	case kindEmpty:
		ss.send(&pgproto3.EmptyQueryResponse{})
		return nil
	case kindCommand, kindBegin, kindCommit, kindRollback:
		if !pt.done {
			tag, err := p.command()
			if err != nil {
				return err
			}
			pt.done, pt.tag = true, tag
		}
		ss.send(&pgproto3.CommandComplete{CommandTag: []byte(pt.tag)})
		return nil
	case kindExec:
		if !pt.done {
			tag, err := ss.exec(pt)
			if err != nil {
				return err
			}
			pt.done, pt.tag = true, tag
		}
		ss.send(&pgproto3.CommandComplete{CommandTag: []byte(pt.tag)})
		return nil
	case kindDeclare:
		if !pt.done {
			if err := ss.declare(p.decl, pt.params); err != nil {
				return err
			}
			pt.done, pt.tag = true, "DECLARE CURSOR"
		}
		ss.send(&pgproto3.CommandComplete{CommandTag: []byte(pt.tag)})
		return nil
	case kindFetch:
		return ss.fetch(pt, p.fetch, simple)
	case kindCopy:
		if pt.done {
			return sqlErrorf(codeObjectNotInPrereqs, "portal %q cannot be run again", pt.name)
		}
		pt.done = true
		return ss.copyOut(pt)
	}
	if err := ss.openPortal(pt); err != nil {
		return err
	}
	if simple {
		ss.sendRowDescription(pt.cols, nil)
	} else if err := pt.checkFormats(); err != nil {
		return err
	}
	if pt.done {
		ss.send(&pgproto3.CommandComplete{CommandTag: []byte("SELECT 0")})
		return nil
	}
	if pt.rs == nil {
		return sqlErrorf("55000", "portal %q cannot be run", pt.name)
	}
	formats := make([]int16, len(pt.cols))
	for i := range formats {
		formats[i] = formatAt(pt.resultFormats, i)
	}
	n, done, err := ss.streamRows(pt, formats, maxRows, false)
	if err != nil {
		return err
	}
	if done {
		pt.done = true
		_ = pt.rs.close()
		pt.rs = nil
		ss.send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "SELECT %d", n)})
		return nil
	}
	ss.send(&pgproto3.PortalSuspended{})
	return nil
}

// streamRows sends up to maxRows rows (0: all) of an open portal as
// DataRows in formats (skip: reads them without sending them, for MOVE),
// flushing as the buffer fills, and reports how many it read and whether
// the rows ended.
func (ss *session) streamRows(pt *portal, formats []int16, maxRows int64, skip bool) (int64, bool, error) {
	ss.setRunning(pt.cancel)
	defer ss.setRunning(nil)
	enc := newRowEncoder(pt.cols, formats, ss.settings.location)
	if !skip {
		// The messages sent before the rows go first: the Backend's
		// buffer moves into the session's, where the rows are appended.
		if err := ss.be.Flush(); err != nil {
			return 0, false, fmt.Errorf("%w: %v", errSessionEnd, err)
		}
	}
	var n int64
	done := false
	loop := func() error {
		for maxRows <= 0 || n < maxRows {
			row, err := pt.rs.next()
			if errors.Is(err, io.EOF) {
				done = true
				return nil
			}
			if err != nil {
				return err
			}
			n++
			if skip {
				continue
			}
			before := len(ss.out.buf)
			if ss.out.buf, err = enc.appendRow(ss.out.buf, row); err != nil {
				return err
			}
			ss.pending += len(ss.out.buf) - before
			if ss.pending >= flushBytes {
				if err := ss.flush(); err != nil {
					return fmt.Errorf("%w: %v", errSessionEnd, err)
				}
				if err := ctxErr(pt.ctx); err != nil {
					// Cancelled (CancelRequest, statement_timeout, the
					// client gone) while the rows come from a page
					// already read.
					return err
				}
			}
		}
		return nil
	}
	var err error
	if lr, ok := pt.rs.(lockedResult); ok {
		err = lr.within(loop)
	} else {
		err = loop()
	}
	return n, done && err == nil, err
}

// exec runs an INSERT, UPDATE or DELETE and returns its command tag.
func (ss *session) exec(pt *portal) (string, error) {
	args, err := pt.args()
	if err != nil {
		return "", err
	}
	pt.ctx, pt.cancel = ss.statementContext()
	ss.setRunning(pt.cancel)
	defer ss.setRunning(nil)
	res, err := ss.view.db.ExecContext(pt.ctx, pt.stmt.tr.sql, args...)
	if err != nil {
		return "", err
	}
	n, err := res.RowsAffected()
	if err != nil {
		n = 0
	}
	verb := strings.ToUpper(strings.Fields(pt.stmt.tr.sql)[0])
	if verb == "INSERT" {
		return fmt.Sprintf("INSERT 0 %d", n), nil
	}
	return fmt.Sprintf("%s %d", verb, n), nil
}

// describeStatement returns the columns of a prepared statement's rows
// (nil for none) without running it against the API: restsql plans the
// query wrapped in SELECT * FROM (…) LIMIT 0, which reads no page.
func (ss *session) describeStatement(p *prepared) ([]column, error) {
	if p.kind == kindFetch {
		// A FETCH returns the columns of its cursor as it is now.
		return ss.fetchColumns(p.fetch), nil
	}
	if p.described {
		return p.cols, nil
	}
	var cols []column
	switch p.kind {
	case kindQuery:
		var err error
		if cols, err = ss.probe(p); err != nil {
			return nil, err
		}
		cols = renameColumns(cols, p.names)
	case kindLocal:
		ctx, cancel := ss.statementContext()
		res, err := p.local(ctx, make([]any, len(p.paramOIDs)))
		cancel(errSessionEnd)
		if err != nil {
			return nil, err
		}
		cols = res.cols
	}
	p.described, p.cols = true, cols
	return cols, nil
}

// probe finds a query's columns with LIMIT 0. Parameters of unknown type
// are NULL; when that leaves a required key column unbound, the probe is
// tried again with 0 for them.
func (ss *session) probe(p *prepared) ([]column, error) {
	query := "SELECT * FROM (" + p.tr.sql + ") AS restsql_describe LIMIT 0"
	if with, main, ok := planner.SplitWith(p.tr.sql); ok {
		// WITH stays in front: restsql reads it only there.
		query = with + " SELECT * FROM (" + main + ") AS restsql_describe LIMIT 0"
	}
	if strings.EqualFold(strings.Fields(p.tr.sql)[0], "EXPLAIN") {
		// EXPLAIN reads no page.
		query = p.tr.sql
	}
	run := func(unknown any) (cols []column, missingKey bool, err error) {
		args := make([]any, len(p.tr.args))
		for i, n := range p.tr.args {
			args[i] = zeroValue(p.paramOIDs[n-1], unknown)
		}
		ctx, cancel := ss.statementContext()
		defer cancel(errSessionEnd)
		ss.setRunning(cancel)
		defer ss.setRunning(nil)
		rows, err := ss.view.db.QueryContext(ctx, query, args...)
		if err != nil {
			return nil, errcode.Of(err) == errcode.MissingKey, toSQLError(ctx, err)
		}
		defer rows.Close()
		rs, err := newSQLResult(rows)
		if err != nil {
			return nil, false, toSQLError(ctx, err)
		}
		return rs.cols, false, nil
	}
	cols, missingKey, err := run(nil)
	if missingKey {
		cols, _, err = run(int64(0))
	}
	return cols, err
}

// zeroValue is a placeholder value of a parameter type for probes.
func zeroValue(oid uint32, unknown any) any {
	switch oid {
	case oidInt8, oidInt4, oidInt2, oidOID:
		return int64(0)
	case oidFloat8, oidFloat4, oidNumeric:
		return float64(0)
	case oidBool:
		return false
	case oidTimestamptz, oidTimestamp, oidDate:
		return pgEpoch
	case oidText, oidVarchar, oidBPChar, oidName, oidJSON, oidJSONB:
		return ""
	}
	return unknown
}

// reservedWords are keywords that are never column names, for parameter
// type inference.
var reservedWords = map[string]bool{
	"and": true, "or": true, "not": true, "select": true, "where": true, "from": true, "on": true, "when": true,
	"then": true, "else": true, "case": true, "in": true, "is": true, "null": true, "true": true, "false": true,
	"like": true, "between": true, "limit": true, "offset": true, "set": true, "values": true, "having": true, "by": true,
}

func isColumnToken(t token) bool {
	return t.kind == tQIdent || t.kind == tIdent && !reservedWords[t.val]
}

func isComparison(t token) bool {
	if t.kind == tOp {
		switch t.text {
		case "=", "<>", "!=", "<", "<=", ">", ">=", "~~", "~~*":
			return true
		}
	}
	return t.keyword("like") || t.keyword("ilike")
}

// inferParamTypes gives $n the type of the column it is compared with
// (col = $1, $1 < col, col IN ($1, $2), col BETWEEN $1 AND $2, col LIKE
// $1), int8 after LIMIT and OFFSET, or the type of a $n::type cast. The
// column is looked up among the columns of the tables the statement
// names; a name with two types there gives no type.
func inferParamTypes(toks []token, tr *translation, meta *metadata) map[int]uint32 {
	out := map[int]uint32{}
	for n, oid := range tr.casts {
		out[n] = oid
	}
	var tables []map[string]uint32
	if meta != nil {
		seen := map[string]bool{}
		for _, t := range toks {
			if t.kind == tIdent || t.kind == tQIdent {
				name := strings.ToLower(t.val)
				if m := meta.columnTypes[name]; m != nil && !seen[name] {
					seen[name] = true
					tables = append(tables, m)
				}
			}
		}
	}
	lookup := func(t token) uint32 {
		name := strings.ToLower(t.val)
		var oid uint32
		found := false
		for _, m := range tables {
			if o, ok := m[name]; ok {
				if found && o != oid {
					return 0
				}
				oid, found = o, true
			}
		}
		return oid
	}
	for i, t := range toks {
		if t.kind != tParam || out[t.n] != 0 {
			continue
		}
		var oid uint32
		switch {
		case i >= 1 && (toks[i-1].keyword("limit") || toks[i-1].keyword("offset")):
			oid = oidInt8
		case i >= 2 && isComparison(toks[i-1]) && isColumnToken(toks[i-2]):
			oid = lookup(toks[i-2])
		case i+2 < len(toks) && isComparison(toks[i+1]) && isColumnToken(toks[i+2]):
			j := i + 2
			for j+2 < len(toks) && toks[j+1].is(tPunct, ".") && isColumnToken(toks[j+2]) {
				j += 2
			}
			oid = lookup(toks[j])
		case i >= 2 && toks[i-1].keyword("between") && isColumnToken(toks[i-2]):
			oid = lookup(toks[i-2])
		case i >= 3 && toks[i-1].keyword("between") && toks[i-2].keyword("not") && isColumnToken(toks[i-3]):
			oid = lookup(toks[i-3])
		case i >= 4 && toks[i-1].keyword("and") && toks[i-3].keyword("between"):
			if isColumnToken(toks[i-4]) {
				oid = lookup(toks[i-4])
			} else if i >= 5 && toks[i-4].keyword("not") && isColumnToken(toks[i-5]) {
				oid = lookup(toks[i-5])
			}
		default:
			// An IN list: walk back over values and commas to "(" IN.
			j := i - 1
			for j >= 1 && toks[j].is(tPunct, ",") && (toks[j-1].kind == tParam || toks[j-1].kind == tNumber || toks[j-1].kind == tString) {
				j -= 2
			}
			if j >= 2 && toks[j].is(tPunct, "(") && toks[j-1].keyword("in") {
				k := j - 2
				if k >= 1 && toks[k].keyword("not") {
					k--
				}
				if k >= 0 && isColumnToken(toks[k]) {
					oid = lookup(toks[k])
				}
			}
		}
		if oid != 0 {
			out[t.n] = oid
		}
	}
	return out
}

// unsupportedStatements are PostgreSQL statements restsql has no
// counterpart for.
var unsupportedStatements = map[string]bool{
	"create": true, "drop": true, "alter": true, "prepare": true, "execute": true,
	"grant": true, "revoke": true, "truncate": true, "vacuum": true, "analyze": true,
	"lock": true, "comment": true, "call": true, "do": true, "reindex": true, "cluster": true, "refresh": true,
	"security": true, "import": true, "load": true, "merge": true, "checkpoint": true, "reassign": true,
}

// prepare turns a statement's tokens into a prepared statement. oids are
// the parameter types the client gave (0 for unspecified).
func (ss *session) prepare(toks []token, oids []uint32) (*prepared, error) {
	p := &prepared{paramOIDs: make([]uint32, maxParam(toks))}
	for i := range p.paramOIDs {
		if i < len(oids) {
			p.paramOIDs[i] = oids[i]
		}
	}
	if len(toks) == 0 {
		p.kind = kindEmpty
		return p, nil
	}
	kw := ""
	if toks[0].kind == tIdent {
		kw = toks[0].val
	}
	switch {
	case kw == "select":
		if probe, ok := schemaProbe(toks); ok {
			toks = probe
		}
		return ss.prepareRestsql(p, kindQuery, toks)
	case kw == "with" || kw == "explain" || kw == "values" || kw == "" && toks[0].is(tPunct, "("):
		return ss.prepareRestsql(p, kindQuery, toks)
	case kw == "insert" || kw == "update" || kw == "delete":
		return ss.prepareRestsql(p, kindExec, toks)
	case kw == "show":
		return ss.prepareShow(p, toks)
	case kw == "declare":
		return ss.prepareDeclare(p, toks, oids)
	case kw == "fetch" || kw == "move":
		return prepareFetch(p, toks)
	case kw == "close":
		return ss.prepareClose(p, toks)
	case kw == "copy":
		return ss.prepareCopy(p, toks, oids)
	case kw == "set" || kw == "reset" || kw == "discard" || kw == "deallocate" ||
		kw == "listen" || kw == "unlisten" || kw == "notify" || kw == "savepoint" || kw == "release":
		return ss.prepareCommand(p, kw, toks)
	case kw == "begin" || kw == "start":
		p.kind = kindBegin
		tag := "BEGIN"
		if kw == "start" {
			tag = "START TRANSACTION"
		}
		p.command = func() (string, error) {
			if ss.txStatus != 'I' {
				ss.send(&pgproto3.NoticeResponse{Severity: "WARNING", SeverityUnlocalized: "WARNING", Code: "25001", Message: "there is already a transaction in progress"})
			}
			ss.txStatus = 'T'
			return tag, nil
		}
		return p, nil
	case kw == "commit" || kw == "end":
		p.kind = kindCommit
		p.command = func() (string, error) {
			tag := "COMMIT"
			switch ss.txStatus {
			case 'E':
				tag = "ROLLBACK"
			case 'I':
				ss.send(&pgproto3.NoticeResponse{Severity: "WARNING", SeverityUnlocalized: "WARNING", Code: "25P01", Message: "there is no transaction in progress"})
			}
			ss.endTransaction(ss.txStatus == 'T')
			ss.txStatus = 'I'
			ss.closePortals()
			return tag, nil
		}
		return p, nil
	case kw == "rollback" || kw == "abort":
		p.kind = kindRollback
		toSavepoint := false
		for _, t := range toks[1:] {
			if t.keyword("to") {
				toSavepoint = true
			}
		}
		p.command = func() (string, error) {
			if toSavepoint {
				if ss.txStatus == 'I' {
					return "", sqlErrorf("25P01", "ROLLBACK TO SAVEPOINT can only be used in transaction blocks")
				}
				ss.txStatus = 'T'
				return "ROLLBACK", nil
			}
			if ss.txStatus == 'I' {
				ss.send(&pgproto3.NoticeResponse{Severity: "WARNING", SeverityUnlocalized: "WARNING", Code: "25P01", Message: "there is no transaction in progress"})
			}
			ss.endTransaction(false)
			ss.txStatus = 'I'
			ss.closePortals()
			return "ROLLBACK", nil
		}
		return p, nil
	case unsupportedStatements[kw]:
		return nil, sqlErrorf(codeFeatureNotSupported, "%s statements are not supported: restsql serves REST API tables for SELECT, EXPLAIN, INSERT, UPDATE and DELETE", strings.ToUpper(kw))
	}
	return ss.prepareRestsql(p, kindQuery, toks)
}

// prepareRestsql translates a statement for restsql and gives its
// parameters the types of the columns they are compared with.
func (ss *session) prepareRestsql(p *prepared, kind stmtKind, toks []token) (*prepared, error) {
	tr, err := translate(toks)
	if err != nil {
		return nil, err
	}
	p.kind, p.tr = kind, tr
	if kind == kindQuery {
		p.names = pgColumnNames(toks)
	}
	ctx, cancel := context.WithTimeout(ss.baseCtx, 30*time.Second)
	defer cancel()
	// restsql parses a statement when it is prepared (and plans it when
	// it runs): a syntax error is reported now, against the statement
	// itself, as PostgreSQL reports it at Parse.
	st, err := ss.view.db.PrepareContext(ctx, tr.sql)
	if err != nil {
		return nil, err
	}
	st.Close()
	if len(p.paramOIDs) > 0 {
		var meta *metadata
		meta, err = ss.view.metadata(ctx)
		if err != nil {
			ss.srv.logger.Debug("restsql serve: no metadata for parameter types", "err", err)
		}
		for n, oid := range inferParamTypes(toks, tr, meta) {
			if n <= len(p.paramOIDs) && p.paramOIDs[n-1] == 0 {
				p.paramOIDs[n-1] = oid
			}
		}
	}
	return p, nil
}
