package planner

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/xwb1989/sqlparser"

	"github.com/restsql/restsql/catalog"
	ex "github.com/restsql/restsql/executor"
	"github.com/restsql/restsql/table"
)

// Exec plans and runs an INSERT, UPDATE or DELETE, and returns what the
// API accepted.
//
//   - INSERT … VALUES evaluates every row, INSERT … SELECT runs the SELECT
//     through the normal planner (pushdown included) and reads all of its
//     rows; then each row is encoded and sent with the table's insert:
//     endpoint. A row that cannot be encoded (a value that does not fit its
//     column, a NULL URL key) fails the statement before any request.
//   - UPDATE and DELETE send one request per key of the update: or delete:
//     URL. When the WHERE clause is only = or IN on those keys (and there
//     is no ORDER BY or LIMIT, the SET values are constants and the update
//     method is not PUT), the keys come from the WHERE and nothing is read.
//     Otherwise the rows are first read with SELECT <keys>, <SET
//     expressions>[, <whole row for PUT>] FROM t WHERE … [ORDER BY …]
//     [LIMIT …], planned like any query, all before the first write.
//
// The requests go through table.Writer.Run: at most MaxConcurrency
// at once, none after the first failure, none retried.
//
// Exec refuses UPDATE and DELETE without WHERE (see ExecWith).
func Exec(ctx context.Context, cat Catalog, p *Parsed, args []driver.NamedValue) (*table.WriteResult, error) {
	return ExecWith(ctx, cat, p, args, ExecOptions{})
}

// ExecOptions change what ExecWith allows.
type ExecOptions struct {
	// AllowUnfiltered lets UPDATE and DELETE without a WHERE clause run;
	// without it they fail with an *UnfilteredError before any request.
	AllowUnfiltered bool
}

// UnfilteredError is an UPDATE or DELETE without a WHERE clause, refused
// because it would change every row of the table and a REST API cannot
// roll that back.
type UnfilteredError struct {
	// Statement is UPDATE or DELETE; Table names the table.
	Statement, Table string
}

func (e *UnfilteredError) Error() string {
	return fmt.Sprintf("planner: %s without WHERE would change every row of %s, and a REST API cannot roll it back: add a WHERE clause (WHERE TRUE for every row)", e.Statement, e.Table)
}

// ExecWith is Exec with options.
func ExecWith(ctx context.Context, cat Catalog, p *Parsed, args []driver.NamedValue, o ExecOptions) (*table.WriteResult, error) {
	if p.Explain {
		return nil, notSupportedf("planner: EXPLAIN supports SELECT statements only")
	}
	q := &query{ctx: ctx, cat: cat, args: args, now: ex.Now(), exec: o}
	switch s := p.Stmt.(type) {
	case *sqlparser.Insert:
		return q.insert(s)
	case *sqlparser.Update:
		return q.update(s)
	case *sqlparser.Delete:
		return q.delete(s)
	case sqlparser.SelectStatement:
		return nil, notSupportedf("planner: SELECT returns rows: run it with Query, not Exec")
	}
	return nil, notSupportedf("planner: %s statements are not supported (restsql runs SELECT, INSERT, UPDATE and DELETE)", statementKind(p.Stmt))
}

// writeTarget resolves the table a write statement names.
func (q *query) writeTarget(stmt string, te sqlparser.TableExpr) (*relation, error) {
	a, ok := te.(*sqlparser.AliasedTableExpr)
	if !ok {
		return nil, notSupportedf("planner: %s of %s is not supported: name one table", stmt, sqlparser.String(te))
	}
	tn, ok := a.Expr.(sqlparser.TableName)
	if !ok {
		return nil, notSupportedf("planner: %s of %s is not supported: name one table", stmt, sqlparser.String(a.Expr))
	}
	parts := nameParts(tn)
	if st, _ := q.systemTable(parts); st != nil {
		return nil, notSupportedf("planner: %s: system table %s is read-only", stmt, strings.Join(parts, "."))
	}
	if len(a.Partitions) > 0 || a.Hints != nil {
		return nil, notSupportedf("planner: %s: index hints and partitions are not supported: %s", stmt, sqlparser.String(a))
	}
	n, err := q.tableExpr(a, nil)
	if err != nil {
		return nil, err
	}
	return n.rel, nil
}

func (q *query) insert(ins *sqlparser.Insert) (*table.WriteResult, error) {
	switch {
	case ins.Action == sqlparser.ReplaceStr:
		return nil, notSupportedf("planner: REPLACE is not supported: REST APIs have no upsert; use INSERT or UPDATE")
	case ins.Ignore != "":
		return nil, notSupportedf("planner: INSERT IGNORE is not supported")
	case len(ins.OnDup) > 0:
		return nil, notSupportedf("planner: INSERT … ON DUPLICATE KEY UPDATE is not supported: REST APIs have no upsert; use INSERT or UPDATE")
	case len(ins.Partitions) > 0:
		return nil, notSupportedf("planner: INSERT: partitions are not supported")
	}
	r, err := q.writeTarget("INSERT", &sqlparser.AliasedTableExpr{Expr: ins.Table})
	if err != nil {
		return nil, err
	}
	var names []string
	if len(ins.Columns) > 0 {
		for _, c := range ins.Columns {
			names = append(names, c.String())
		}
	} else {
		cols, err := writableColumns(r)
		if err != nil {
			return nil, err
		}
		for _, c := range cols {
			names = append(names, c.Name)
		}
	}
	w, err := newWriter(r, table.WriteInsert, names)
	if err != nil {
		return nil, err
	}
	cols := w.Columns()
	keyIdx := make([]int, len(w.KeyColumns()))
	for k, kc := range w.KeyColumns() {
		keyIdx[k] = -1
		for i, c := range cols {
			if c == kc {
				keyIdx[k] = i
			}
		}
		if keyIdx[k] < 0 {
			return nil, missingKeyf("planner: INSERT into %s must set column %s: the insert url %s needs it", r.display, kc.Name, w.Target())
		}
	}

	var rows [][]any
	switch src := ins.Rows.(type) {
	case sqlparser.Values:
		comp := &compiler{q: q, sc: &scope{}, noAgg: "VALUES"}
		for n, tuple := range src {
			if len(tuple) != len(cols) {
				return nil, invalidf("planner: INSERT into %s names %d columns (%s) but row %d has %d values", r.display, len(cols), columnList(cols), n+1, len(tuple))
			}
			row := make([]any, len(tuple))
			for i, e := range tuple {
				if _, ok := e.(*sqlparser.Default); ok {
					row[i] = table.Omit
					continue
				}
				v, err := comp.eval(e)
				if err != nil {
					return nil, fmt.Errorf("planner: INSERT into %s, row %d, column %s: %w", r.display, n+1, cols[i].Name, err)
				}
				row[i] = v
			}
			rows = append(rows, row)
		}
	case sqlparser.SelectStatement:
		plan, err := q.planStatement(src, nil)
		if err != nil {
			return nil, err
		}
		if len(plan.cols) != len(cols) {
			return nil, invalidf("planner: INSERT into %s names %d columns (%s) but its SELECT returns %d", r.display, len(cols), columnList(cols), len(plan.cols))
		}
		if rows, err = q.readAll(plan); err != nil {
			return nil, err
		}
	default:
		return nil, notSupportedf("planner: INSERT rows %s are not supported", sqlparser.String(ins.Rows))
	}

	changes := make([]table.Change, 0, len(rows))
	for _, row := range rows {
		ch := table.Change{Keys: make([]any, len(keyIdx)), Values: make([]any, len(cols))}
		for i, v := range row {
			ch.Values[i] = writeValue(cols[i], v)
		}
		for k, i := range keyIdx {
			ch.Keys[k] = ch.Values[i]
		}
		changes = append(changes, ch)
	}
	return w.Write(q.ctx, changes)
}

func (q *query) update(upd *sqlparser.Update) (*table.WriteResult, error) {
	if len(upd.TableExprs) != 1 {
		return nil, notSupportedf("planner: UPDATE of several tables is not supported: %s", sqlparser.String(upd.TableExprs))
	}
	r, err := q.writeTarget("UPDATE", upd.TableExprs[0])
	if err != nil {
		return nil, err
	}
	if upd.Where == nil && !q.exec.AllowUnfiltered {
		return nil, &UnfilteredError{Statement: "UPDATE", Table: r.display}
	}
	names := make([]string, len(upd.Exprs))
	exprs := make([]sqlparser.Expr, len(upd.Exprs))
	for i, ue := range upd.Exprs {
		if !r.matches(colQual(ue.Name)) {
			return nil, invalidf("planner: UPDATE %s: SET %s names another table", r.display, sqlparser.String(ue.Name))
		}
		if _, ok := ue.Expr.(*sqlparser.Default); ok {
			return nil, notSupportedf("planner: UPDATE %s: SET %s = DEFAULT is not supported", r.display, ue.Name.Name.String())
		}
		names[i], exprs[i] = ue.Name.Name.String(), ue.Expr
	}
	w, err := newWriter(r, table.WriteUpdate, names)
	if err != nil {
		return nil, err
	}
	put := w.ReplacesRow()
	var body []*catalog.Column // the whole row, for PUT
	setAt := map[*catalog.Column]int{}
	for i, c := range w.Columns() {
		setAt[c] = i
	}
	if put {
		if body, err = writableColumns(r); err != nil {
			return nil, err
		}
		full := make([]string, len(body))
		for i, c := range body {
			full[i] = c.Name
		}
		if w, err = newWriter(r, table.WriteUpdate, full); err != nil {
			return nil, err
		}
	}
	keys := w.KeyColumns()

	var changes []table.Change
	var keyVals [][]any
	fast := !put && len(upd.OrderBy) == 0 && upd.Limit == nil && !mentionsColumns(exprs)
	if fast {
		keyVals, fast = q.keyBindings(upd.Where, r, keys)
	}
	if fast {
		comp := &compiler{q: q, sc: &scope{}, noAgg: "SET"}
		vals := make([]any, len(exprs))
		for i, e := range exprs {
			v, err := comp.eval(e)
			if err != nil {
				return nil, fmt.Errorf("planner: UPDATE %s: SET %s: %w", r.display, names[i], err)
			}
			vals[i] = writeValue(w.Columns()[i], v)
		}
		for _, k := range keyVals {
			changes = append(changes, table.Change{Keys: k, Values: vals})
		}
	} else {
		sel := make(sqlparser.SelectExprs, 0, len(keys)+len(exprs)+len(body))
		for _, k := range keys {
			sel = append(sel, columnExpr(k))
		}
		for _, e := range exprs {
			sel = append(sel, &sqlparser.AliasedExpr{Expr: e})
		}
		for _, c := range body {
			sel = append(sel, columnExpr(c))
		}
		rows, err := q.readKeys(upd.TableExprs, sel, upd.Where, upd.OrderBy, upd.Limit)
		if err != nil {
			return nil, err
		}
		nk, ns := len(keys), len(exprs)
		setCols := make([]*catalog.Column, ns)
		for c, i := range setAt {
			setCols[i] = c
		}
		for _, row := range rows {
			ch := table.Change{Keys: row[:nk]}
			if !put {
				ch.Values = make([]any, ns)
				for i := range ns {
					ch.Values[i] = writeValue(setCols[i], row[nk+i])
				}
			} else {
				ch.Values = make([]any, len(body))
				for j := range body {
					v := row[nk+ns+j]
					if v == nil {
						v = table.Omit // unchanged and NULL: left out, as it was
					}
					ch.Values[j] = v
				}
				for j, c := range body {
					for sc, i := range setAt {
						if strings.EqualFold(sc.Name, c.Name) {
							ch.Values[j] = writeValue(c, row[nk+i])
						}
					}
				}
			}
			changes = append(changes, ch)
		}
	}
	return q.runChanges(w, changes)
}

func (q *query) delete(del *sqlparser.Delete) (*table.WriteResult, error) {
	switch {
	case len(del.Targets) > 0:
		return nil, notSupportedf("planner: DELETE %s FROM … (several tables) is not supported: DELETE FROM one table", sqlparser.String(del.Targets))
	case len(del.TableExprs) != 1:
		return nil, notSupportedf("planner: DELETE from several tables is not supported: %s", sqlparser.String(del.TableExprs))
	case len(del.Partitions) > 0:
		return nil, notSupportedf("planner: DELETE: partitions are not supported")
	}
	r, err := q.writeTarget("DELETE", del.TableExprs[0])
	if err != nil {
		return nil, err
	}
	if del.Where == nil && !q.exec.AllowUnfiltered {
		return nil, &UnfilteredError{Statement: "DELETE", Table: r.display}
	}
	w, err := newWriter(r, table.WriteDelete, nil)
	if err != nil {
		return nil, err
	}
	keys := w.KeyColumns()
	var changes []table.Change
	var keyVals [][]any
	fast := len(del.OrderBy) == 0 && del.Limit == nil
	if fast {
		keyVals, fast = q.keyBindings(del.Where, r, keys)
	}
	if fast {
		for _, k := range keyVals {
			changes = append(changes, table.Change{Keys: k})
		}
	} else {
		sel := make(sqlparser.SelectExprs, 0, len(keys))
		for _, k := range keys {
			sel = append(sel, columnExpr(k))
		}
		rows, err := q.readKeys(del.TableExprs, sel, del.Where, del.OrderBy, del.Limit)
		if err != nil {
			return nil, err
		}
		for _, row := range rows {
			changes = append(changes, table.Change{Keys: row})
		}
	}
	return q.runChanges(w, changes)
}

// runChanges encodes every row, then sends them.
func (q *query) runChanges(w table.Writer, changes []table.Change) (*table.WriteResult, error) {
	return w.Write(q.ctx, changes)
}

// newWriter prepares a write of the kind on r's table, when it is writable.
func newWriter(r *relation, kind table.WriteKind, columns []string) (table.Writer, error) {
	wt, ok := r.src.(table.Writable)
	if !ok {
		return nil, notSupportedf("planner: table %s is read-only: %s is not supported", r.display, kind)
	}
	return wt.NewWriter(kind, columns)
}

// writableColumns are the columns a write of r's table may set.
func writableColumns(r *relation) ([]*catalog.Column, error) {
	wt, ok := r.src.(table.Writable)
	if !ok {
		return nil, notSupportedf("planner: table %s is read-only", r.display)
	}
	return wt.WritableColumns(), nil
}

// keyBindings returns the key values a WHERE clause gives the write URL's
// key columns, one []any per request (the product of the IN lists, the
// last key varying fastest), when every conjunct is an = or IN on one of
// them and each is bound once. ok is false otherwise: the rows must be read.
func (q *query) keyBindings(where *sqlparser.Where, r *relation, keys []*catalog.Column) ([][]any, bool) {
	if where == nil || len(keys) == 0 {
		return nil, false
	}
	bound := make([][]any, len(keys))
	for _, c := range splitAnd(where.Expr, nil) {
		preds, err := q.pushable(c, r)
		if err != nil || len(preds) != 1 || (preds[0].Op != "=" && preds[0].Op != "IN") || len(preds[0].Values) == 0 {
			return nil, false
		}
		k := -1
		for i, kc := range keys {
			if strings.EqualFold(kc.Name, preds[0].Column) {
				k = i
			}
		}
		if k < 0 || bound[k] != nil {
			return nil, false
		}
		bound[k] = preds[0].Values
	}
	n := 1
	for _, vs := range bound {
		if vs == nil {
			return nil, false
		}
		n *= len(vs)
		if n > table.MaxRequests {
			return nil, false
		}
	}
	out := make([][]any, 0, n)
	idx := make([]int, len(keys))
	for {
		combo := make([]any, len(keys))
		for k := range keys {
			combo[k] = bound[k][idx[k]]
		}
		out = append(out, combo)
		k := len(idx) - 1
		for ; k >= 0; k-- {
			idx[k]++
			if idx[k] < len(bound[k]) {
				break
			}
			idx[k] = 0
		}
		if k < 0 {
			return out, true
		}
	}
}

// readKeys runs SELECT <sel> FROM <from> WHERE … ORDER BY … LIMIT … and
// returns all of its rows.
func (q *query) readKeys(from sqlparser.TableExprs, sel sqlparser.SelectExprs, where *sqlparser.Where, order sqlparser.OrderBy, limit *sqlparser.Limit) ([][]any, error) {
	plan, err := q.planStatement(&sqlparser.Select{SelectExprs: sel, From: from, Where: where, OrderBy: order, Limit: limit}, nil)
	if err != nil {
		return nil, err
	}
	return q.readAll(plan)
}

// readAll opens a planned SELECT and reads every row: a write reads all
// that it will change before it changes anything, so its own writes never
// move the pages it reads.
func (q *query) readAll(plan *planned) ([][]any, error) {
	it, err := plan.node.Open(q.ctx)
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var rows [][]any
	for {
		row, err := it.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		rows = append(rows, append([]any(nil), row[:len(plan.cols)]...))
	}
	return rows, it.Close()
}

// eval evaluates an expression that names no column (VALUES, a constant SET).
func (c *compiler) eval(e sqlparser.Expr) (any, error) {
	t, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	return t.e.Eval(nil)
}

// mentionsColumns reports whether an expression names a column of the
// statement's table (outside subqueries).
func mentionsColumns(exprs []sqlparser.Expr) bool {
	found := false
	for _, e := range exprs {
		_ = sqlparser.Walk(func(n sqlparser.SQLNode) (bool, error) {
			switch n.(type) {
			case *sqlparser.Subquery:
				return false, nil
			case *sqlparser.ColName:
				found = true
				return false, nil
			}
			return true, nil
		}, e)
	}
	return found
}

func columnExpr(c *catalog.Column) *sqlparser.AliasedExpr {
	return &sqlparser.AliasedExpr{Expr: &sqlparser.ColName{Name: sqlparser.NewColIdent(c.Name)}}
}

func columnList(cols []*catalog.Column) string {
	names := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

// writeValue prepares a SQL value for a column: a string for a datetime
// column is read in the SQL spellings (RFC 3339, 'YYYY-MM-DD HH:MM:SS',
// 'YYYY-MM-DD'); restsource encodes the rest.
func writeValue(c *catalog.Column, v any) any {
	if s, ok := v.(string); ok && sourceColumnType(c) == ex.TypeDatetime {
		if t, ok := ex.ParseTime(s); ok {
			return t
		}
	}
	return v
}
