package server

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5/pgproto3"
)

// codeBadCopyFormat is PostgreSQL's SQLSTATE for COPY data it cannot read.
const codeBadCopyFormat = "22P04"

// copyBatchRows is how many rows of COPY FROM go into one INSERT: the
// driver sends each row as its own request, so the batch bounds the
// memory COPY holds, not the requests.
const copyBatchRows = 100

// copyIn runs COPY table [(columns)] FROM STDIN: CopyInResponse, then the
// client's CopyData is read as it comes, cut into rows (text, CSV or
// binary, as PostgreSQL writes them), and the rows are inserted through
// restsql's INSERT, copyBatchRows at a time; COPY n once CopyDone has
// come and every row is in.
func (ss *session) copyIn(pt *portal) error {
	c := pt.stmt.copy
	table := tokensText(c.opts.table)
	cols, err := ss.describeStatement(c.query)
	if err != nil {
		se := toSQLError(context.Background(), err)
		se.Message = "COPY " + table + " FROM STDIN: the table's columns: " + se.Message
		return se
	}
	in := &copyReader{opts: &c.opts, ncols: len(cols), table: table}
	for _, col := range cols {
		in.names = append(in.names, col.name)
	}
	format := byte(0)
	if c.opts.binary {
		format = 1
	}
	codes := make([]uint16, len(cols))
	for i := range codes {
		codes[i] = uint16(format)
	}
	ss.send(&pgproto3.CopyInResponse{OverallFormat: format, ColumnFormatCodes: codes})
	if err := ss.flush(); err != nil {
		return fmt.Errorf("%w: %v", errSessionEnd, err)
	}
	var names []string
	for _, col := range cols {
		names = append(names, quoteName(col.name))
	}
	insert := "INSERT INTO " + table + " (" + strings.Join(names, ", ") + ") VALUES "
	var total int64
	var batch [][]any
	flushBatch := func() error {
		if len(batch) == 0 {
			return nil
		}
		n, err := ss.insertRows(insert, len(cols), batch)
		total += n
		batch = batch[:0]
		if err != nil {
			if total > 0 {
				return fmt.Errorf("%w (COPY %s: %d rows were inserted before this error; the API has no rollback)", err, table, total)
			}
			return err
		}
		return nil
	}
	loc := ss.settings.location
	addRow := func(fields [][]byte, line int64) error {
		row := make([]any, len(fields))
		for i, f := range fields {
			v, err := decodeParam(f, cols[i].oid, int16(format), loc)
			if err != nil {
				se := toSQLError(context.Background(), err)
				se.Detail = fmt.Sprintf("COPY %s, line %d, column %s: %q", table, line, cols[i].name, f)
				return se
			}
			row[i] = v
		}
		batch = append(batch, row)
		if len(batch) >= copyBatchRows {
			return flushBatch()
		}
		return nil
	}
	for {
		msg, err := ss.be.Receive()
		if err != nil {
			return fmt.Errorf("%w: %v", errSessionEnd, err)
		}
		switch m := msg.(type) {
		case *pgproto3.CopyData:
			if err := in.feed(m.Data, false, addRow); err != nil {
				return err
			}
		case *pgproto3.CopyDone:
			if err := in.feed(nil, true, addRow); err != nil {
				return err
			}
			if err := flushBatch(); err != nil {
				return err
			}
			ss.send(&pgproto3.CommandComplete{CommandTag: fmt.Appendf(nil, "COPY %d", total)})
			return nil
		case *pgproto3.CopyFail:
			if err := flushBatch(); err != nil {
				return err
			}
			return sqlErrorf(codeQueryCanceled, "COPY from stdin failed: %s", m.Message)
		case *pgproto3.Flush, *pgproto3.Sync:
			// Ignored during COPY, as PostgreSQL does.
		default:
			return fatalf(codeProtocolViolation, "unexpected message type %T during COPY from stdin", msg)
		}
	}
}

// insertRows inserts rows with one INSERT … VALUES of the rows, through
// the session's translation and restsql's Exec.
func (ss *session) insertRows(insert string, ncols int, rows [][]any) (int64, error) {
	var b strings.Builder
	b.WriteString(insert)
	params := make([]any, 0, len(rows)*ncols)
	for r, row := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for i, v := range row {
			if i > 0 {
				b.WriteString(", ")
			}
			params = append(params, v)
			b.WriteString("$" + strconv.Itoa(len(params)))
		}
		b.WriteByte(')')
	}
	toks, err := lexSQL(b.String(), true)
	if err != nil {
		return 0, err
	}
	p, err := ss.prepare(toks, nil)
	if err != nil {
		return 0, err
	}
	if p.kind != kindExec {
		return 0, sqlErrorf(codeFeatureNotSupported, "COPY FROM: %s is not an INSERT restsql runs", insert)
	}
	pt := &portal{stmt: p, params: params}
	defer pt.close()
	tag, err := ss.exec(pt)
	if err != nil {
		return 0, toSQLError(pt.ctx, err)
	}
	f := strings.Fields(tag)
	return strconv.ParseInt(f[len(f)-1], 10, 64)
}

// quoteName quotes a name always, as PostgreSQL reads a quoted identifier.
func quoteName(s string) string {
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// tokensText writes tokens back as SQL text.
func tokensText(toks []token) string {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tQIdent:
			b.WriteString(quoteName(t.val))
		default:
			b.WriteString(t.text)
		}
	}
	return b.String()
}

// copyReader cuts COPY FROM data into rows as it comes, in whatever
// pieces the client sends it.
type copyReader struct {
	opts   *copyOptions
	ncols  int
	names  []string // the columns, for HEADER MATCH
	table  string
	buf    []byte
	line   int64 // the lines (rows) read
	header bool  // the header line or binary header is read
	ended  bool  // \. or the binary trailer was read
}

// feed adds data; final is set at CopyDone, when the rest is the last
// row. It calls row for each complete row.
func (r *copyReader) feed(data []byte, final bool, row func([][]byte, int64) error) error {
	r.buf = append(r.buf, data...)
	for !r.ended {
		var fields [][]byte
		var n int
		var err error
		switch {
		case r.opts.binary:
			fields, n, err = r.binaryRow(final)
		default:
			fields, n, err = r.textRow(final)
		}
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		r.buf = r.buf[n:]
		if fields == nil {
			continue // a header, or the end
		}
		if err := row(fields, r.line); err != nil {
			return err
		}
	}
	if r.ended {
		r.buf = r.buf[:0]
	}
	if final && !r.ended && r.opts.binary && len(r.buf) > 0 {
		// The data may end without the trailer, but not inside a tuple.
		return r.errorf("unexpected EOF in COPY data")
	}
	// Keep the memory of a long COPY bounded: drop what was read.
	if len(r.buf) == 0 {
		r.buf = nil
	}
	return nil
}

func (r *copyReader) errorf(format string, args ...any) *sqlError {
	e := sqlErrorf(codeBadCopyFormat, format, args...)
	e.Detail = fmt.Sprintf("COPY %s, line %d", r.table, r.line)
	return e
}

// textRow reads one text or CSV row from the buffer: its fields and the
// bytes it took (0 when the row is not complete yet).
func (r *copyReader) textRow(final bool) ([][]byte, int, error) {
	if len(r.buf) == 0 {
		return nil, 0, nil
	}
	end, next := -1, 0
	if r.opts.csv {
		in := false
		for i := 0; i < len(r.buf); i++ {
			switch ch := r.buf[i]; {
			case in && ch == r.opts.escape && r.opts.escape != r.opts.quote && i+1 < len(r.buf) && (r.buf[i+1] == r.opts.quote || r.buf[i+1] == r.opts.escape):
				i++
			case ch == r.opts.quote:
				in = !in
			case !in && ch == '\n':
				end, next = i, i+1
			}
			if end >= 0 {
				break
			}
		}
	} else {
		// A backslash escapes the next byte, a line break too.
		for i := 0; i < len(r.buf); i++ {
			if r.buf[i] == '\\' {
				i++
			} else if r.buf[i] == '\n' {
				end, next = i, i+1
				break
			}
		}
	}
	if end < 0 {
		if !final {
			return nil, 0, nil
		}
		end, next = len(r.buf), len(r.buf)
	}
	line := r.buf[:end]
	if len(line) > 0 && line[len(line)-1] == '\r' {
		line = line[:len(line)-1]
	}
	r.line++
	if string(line) == `\.` {
		r.ended = true
		return nil, next, nil
	}
	var fields [][]byte
	var err error
	if r.opts.csv {
		fields, err = r.csvFields(line)
	} else {
		fields, err = r.textFields(line)
	}
	if err != nil {
		return nil, 0, err
	}
	if !r.header && r.opts.header {
		r.header = true
		if r.opts.headerMatch {
			if err := r.matchHeader(fields); err != nil {
				return nil, 0, err
			}
		}
		return nil, next, nil
	}
	if len(fields) > r.ncols {
		return nil, 0, r.errorf("extra data after last expected column")
	}
	if len(fields) < r.ncols {
		return nil, 0, r.errorf("missing data for column %d of %d", len(fields)+1, r.ncols)
	}
	return fields, next, nil
}

// matchHeader checks HEADER MATCH: the header names the columns, in
// order, as PostgreSQL checks it.
func (r *copyReader) matchHeader(fields [][]byte) error {
	if len(fields) != len(r.names) {
		return r.errorf("wrong number of fields in header line: got %d, expected %d", len(fields), len(r.names))
	}
	for i, f := range fields {
		if f == nil {
			return r.errorf("column name mismatch in header line field %d: got null value (%q), expected %q", i+1, r.opts.null, r.names[i])
		}
		if string(f) != r.names[i] {
			return r.errorf("column name mismatch in header line field %d: got %q, expected %q", i+1, f, r.names[i])
		}
	}
	return nil
}

// textFields splits a text-format line: fields between delimiters,
// backslash escapes, and the NULL string (\N) compared before escapes.
func (r *copyReader) textFields(line []byte) ([][]byte, error) {
	var fields [][]byte
	start := 0
	for i := 0; i <= len(line); i++ {
		if i < len(line) && line[i] == '\\' {
			i++
			continue
		}
		if i < len(line) && line[i] != r.opts.delimiter {
			continue
		}
		raw := line[start:min(i, len(line))]
		start = i + 1
		if string(raw) == r.opts.null {
			fields = append(fields, nil)
			continue
		}
		v, err := r.unescape(raw)
		if err != nil {
			return nil, err
		}
		fields = append(fields, v)
	}
	return fields, nil
}

// unescape reads the backslash escapes of a text-format field.
func (r *copyReader) unescape(raw []byte) ([]byte, error) {
	if bytes.IndexByte(raw, '\\') < 0 {
		return append([]byte{}, raw...), nil
	}
	out := make([]byte, 0, len(raw))
	for i := 0; i < len(raw); i++ {
		ch := raw[i]
		if ch != '\\' {
			out = append(out, ch)
			continue
		}
		i++
		if i >= len(raw) {
			return nil, r.errorf("a backslash ends the data: escape it as \\\\")
		}
		switch c := raw[i]; c {
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'v':
			out = append(out, '\v')
		case 'x':
			j := i + 1
			for j < len(raw) && j < i+3 && isHex(raw[j]) {
				j++
			}
			if j == i+1 {
				out = append(out, 'x')
				continue
			}
			n, _ := strconv.ParseUint(string(raw[i+1:j]), 16, 8)
			out = append(out, byte(n))
			i = j - 1
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(raw) && j < i+3 && raw[j] >= '0' && raw[j] <= '7' {
				j++
			}
			n, _ := strconv.ParseUint(string(raw[i:j]), 8, 16)
			out = append(out, byte(n))
			i = j - 1
		default:
			out = append(out, c)
		}
	}
	return out, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// csvFields splits a CSV line (which may hold quoted line breaks): a
// field is NULL when it is unquoted and reads as the NULL string.
func (r *copyReader) csvFields(line []byte) ([][]byte, error) {
	o := r.opts
	var fields [][]byte
	i := 0
	for {
		var v []byte
		quoted := false
		start := i
		for i < len(line) && line[i] != o.delimiter {
			if line[i] != o.quote {
				v = append(v, line[i])
				i++
				continue
			}
			quoted = true
			i++
			for {
				if i >= len(line) {
					return nil, r.errorf("unterminated CSV quoted field")
				}
				ch := line[i]
				if ch == o.escape && i+1 < len(line) && (line[i+1] == o.quote || line[i+1] == o.escape) && (o.escape != o.quote || line[i+1] == o.quote) {
					v = append(v, line[i+1])
					i += 2
					continue
				}
				if ch == o.quote {
					i++
					break
				}
				v = append(v, ch)
				i++
			}
		}
		if !quoted && string(line[start:i]) == o.null {
			fields = append(fields, nil)
		} else {
			if v == nil {
				v = []byte{}
			}
			fields = append(fields, v)
		}
		if i >= len(line) {
			return fields, nil
		}
		i++ // the delimiter
	}
}

// binaryCopySignature starts PostgreSQL's binary COPY format.
var binaryCopySignature = []byte("PGCOPY\n\xff\r\n\x00")

// binaryRow reads one tuple of the binary format: a 16-bit field count
// (−1 ends the data), then each field's 32-bit length (−1 for NULL) and
// bytes.
func (r *copyReader) binaryRow(final bool) ([][]byte, int, error) {
	b := r.buf
	if !r.header {
		if len(b) < len(binaryCopySignature)+8 {
			if final && len(b) > 0 {
				return nil, 0, r.errorf("COPY file signature not recognized")
			}
			return nil, 0, nil
		}
		if !bytes.Equal(b[:len(binaryCopySignature)], binaryCopySignature) {
			return nil, 0, r.errorf("COPY file signature not recognized")
		}
		flags := binary.BigEndian.Uint32(b[11:])
		switch {
		case flags&0xffff != 0:
			return nil, 0, r.errorf("unrecognized critical flags in COPY file header")
		case flags&(1<<16) != 0:
			return nil, 0, r.errorf("COPY binary data with OIDs is not supported")
		}
		ext := int(binary.BigEndian.Uint32(b[15:]))
		if len(b) < 19+ext {
			return nil, 0, nil
		}
		r.header = true
		return nil, 19 + ext, nil
	}
	if len(b) < 2 {
		return nil, 0, nil
	}
	count := int16(binary.BigEndian.Uint16(b))
	if count == -1 {
		r.ended = true
		return nil, 2, nil
	}
	r.line++
	if int(count) != r.ncols {
		return nil, 0, r.errorf("row field count is %d, expected %d", count, r.ncols)
	}
	at := 2
	fields := make([][]byte, count)
	for i := range fields {
		if len(b) < at+4 {
			r.line--
			return nil, 0, nil
		}
		n := int32(binary.BigEndian.Uint32(b[at:]))
		at += 4
		if n == -1 {
			continue
		}
		if n < 0 {
			return nil, 0, r.errorf("invalid field size")
		}
		if len(b) < at+int(n) {
			r.line--
			return nil, 0, nil
		}
		fields[i] = append([]byte{}, b[at:at+int(n)]...)
		at += int(n)
	}
	return fields, at, nil
}
