package server

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
)

// This file holds the view's table facts for parameter types (metadata)
// and the small evaluator of session SELECTs without FROM (SELECT
// version(), current_schema(), set_config(…), as drivers send on
// connect): a select list of session functions and literals. Catalog
// queries (pg_catalog, information_schema) are not answered here: they
// are restsql queries over the view's in-memory catalog relations
// (pgtables.go).

// metadata is what a view knows of its tables, loaded once from the
// system tables (the profile does not change while a server runs).
type metadata struct {
	// namespaces and tables are those of the view's default catalog, as
	// pg_namespace and pg_class list them.
	namespaces []*nsInfo
	tables     []*tableInfo
	// columnTypes maps a table name (lower case, of any catalog) to its
	// columns' OIDs by lower-case column name, for inferring parameter
	// types. A column name with two types is 0.
	columnTypes map[string]map[string]uint32
}

type nsInfo struct {
	oid  uint32
	name string
}

type tableInfo struct {
	oid         uint32
	ns          *nsInfo
	name        string
	description string
	columns     []columnInfo
}

type columnInfo struct {
	name        string
	typ         string // restsql type word
	oid         uint32
	ordinal     int64
	nullable    bool
	description string
}

// loadMetadata reads sys_tables and sys_tablecolumns through db.
// defaultCatalog names the catalog whose schemas and tables pg_catalog
// shows ("" for none).
func loadMetadata(ctx context.Context, db *sql.DB, defaultCatalog string) (*metadata, error) {
	m := &metadata{columnTypes: map[string]map[string]uint32{}}
	type key struct{ schema, table string }
	byKey := map[key]*tableInfo{}
	nsByName := map[string]*nsInfo{}

	rows, err := db.QueryContext(ctx, "SELECT CatalogName, SchemaName, TableName, Description FROM sys_tables ORDER BY CatalogName, SchemaName, TableName")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var cat, schema, table string
		var desc sql.NullString
		if err := rows.Scan(&cat, &schema, &table, &desc); err != nil {
			rows.Close()
			return nil, err
		}
		if !strings.EqualFold(cat, defaultCatalog) {
			continue
		}
		ns := nsByName[schema]
		if ns == nil {
			ns = &nsInfo{name: schema}
			nsByName[schema] = ns
			m.namespaces = append(m.namespaces, ns)
		}
		t := &tableInfo{ns: ns, name: table, description: desc.String}
		byKey[key{schema, table}] = t
		m.tables = append(m.tables, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	oid := uint32(firstUserOID)
	for _, ns := range m.namespaces {
		ns.oid = oid
		oid++
	}
	for _, t := range m.tables {
		t.oid = oid
		oid++
	}

	rows, err = db.QueryContext(ctx, "SELECT CatalogName, SchemaName, TableName, ColumnName, DataTypeName, Ordinal, IsNullable, Description FROM sys_tablecolumns ORDER BY CatalogName, SchemaName, TableName, Ordinal")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var cat, schema, table, col, typ string
		var ordinal int64
		var nullable bool
		var desc sql.NullString
		if err := rows.Scan(&cat, &schema, &table, &col, &typ, &ordinal, &nullable, &desc); err != nil {
			return nil, err
		}
		c := columnInfo{name: col, typ: typ, oid: oidForRestsqlType(typ), ordinal: ordinal, nullable: nullable, description: desc.String}
		tkey := strings.ToLower(table)
		if m.columnTypes[tkey] == nil {
			m.columnTypes[tkey] = map[string]uint32{}
		}
		ckey := strings.ToLower(col)
		if prev, seen := m.columnTypes[tkey][ckey]; seen && prev != c.oid {
			m.columnTypes[tkey][ckey] = 0
		} else {
			m.columnTypes[tkey][ckey] = c.oid
		}
		if strings.EqualFold(cat, defaultCatalog) {
			if t := byKey[key{schema, table}]; t != nil {
				t.columns = append(t.columns, c)
			}
		}
	}
	return m, rows.Err()
}

// column is a result column: its name and type.
type column struct {
	name string
	oid  uint32
}

func (c column) size() int16 {
	if t, ok := typeByOID(c.oid); ok {
		return t.size
	}
	return -1
}

// selectItem is one item of a select list.
type selectItem struct {
	expr  []token
	alias string // as PostgreSQL names the column
	// aliasKey is the alias in lower case, for looking it up in facts.
	aliasKey string
}

// matchParen returns the index of the token closing the parenthesis at
// toks[i], or -1.
func matchParen(toks []token, i int) int {
	depth := 0
	for j := i; j < len(toks); j++ {
		switch {
		case toks[j].is(tPunct, "(") || toks[j].is(tPunct, "["):
			depth++
		case toks[j].is(tPunct, ")") || toks[j].is(tPunct, "]"):
			depth--
			if depth == 0 {
				return j
			}
		}
	}
	return -1
}

// topLevel returns the index of the first top-level keyword of kws at or
// after start, or len(toks).
func topLevel(toks []token, start int, kws ...string) int {
	depth := 0
	for i := start; i < len(toks); i++ {
		t := toks[i]
		switch {
		case t.is(tPunct, "(") || t.is(tPunct, "["):
			depth++
		case t.is(tPunct, ")") || t.is(tPunct, "]"):
			depth--
		case depth == 0 && t.kind == tIdent:
			for _, kw := range kws {
				if t.val == kw {
					return i
				}
			}
		}
	}
	return len(toks)
}

// splitTop splits toks on top-level commas.
func splitTop(toks []token) [][]token {
	var out [][]token
	depth, start := 0, 0
	for i, t := range toks {
		switch {
		case t.is(tPunct, "(") || t.is(tPunct, "["):
			depth++
		case t.is(tPunct, ")") || t.is(tPunct, "]"):
			depth--
		case depth == 0 && t.is(tPunct, ","):
			out = append(out, toks[start:i])
			start = i + 1
		}
	}
	return append(out, toks[start:])
}

// aliasless lists the keywords that end an expression rather than name it.
var aliasless = map[string]bool{"end": true, "null": true, "true": true, "false": true, "current_user": true, "session_user": true, "user": true, "current_role": true, "current_catalog": true, "current_schema": true}

// parseSelectList reads a select list (the tokens between SELECT and FROM).
func parseSelectList(toks []token) []selectItem {
	if len(toks) > 0 && (toks[0].keyword("distinct") || toks[0].keyword("all")) {
		toks = toks[1:]
	}
	var items []selectItem
	for _, part := range splitTop(toks) {
		if len(part) == 0 {
			continue
		}
		it := selectItem{expr: part}
		n := len(part)
		switch {
		case n >= 3 && part[n-2].keyword("as") && (part[n-1].kind == tIdent || part[n-1].kind == tQIdent):
			it.expr, it.alias = part[:n-2], aliasName(part[n-1])
		case n >= 2 && (part[n-1].kind == tQIdent || part[n-1].kind == tIdent && !aliasless[part[n-1].val]) &&
			!part[n-2].is(tPunct, ".") && !part[n-2].is(tOp, "::") && part[n-2].kind != tOp && !part[n-2].keyword("case") &&
			!(part[n-2].kind == tIdent && (part[n-2].val == "as" || part[n-2].val == "else" || part[n-2].val == "then" || part[n-2].val == "when")):
			it.expr, it.alias = part[:n-1], aliasName(part[n-1])
		default:
			it.alias = defaultColumnName(part)
		}
		it.aliasKey = strings.ToLower(it.alias)
		items = append(items, it)
	}
	return items
}

// aliasName is the name an alias token gives a column: quoted as
// written, unquoted folded to lower case.
func aliasName(t token) string { return t.val }

// defaultColumnName is PostgreSQL's name for an unnamed item: a column's
// name, a function's name, or ?column?.
func defaultColumnName(expr []token) string {
	expr = stripCast(expr)
	if name, ok := colRef(expr); ok {
		return name
	}
	if fn, _, ok := funcCall(expr); ok {
		return fn
	}
	if len(expr) > 0 && expr[0].keyword("case") {
		return "case"
	}
	if len(expr) == 1 && expr[0].kind == tIdent && aliasless[expr[0].val] && expr[0].val != "null" && expr[0].val != "true" && expr[0].val != "false" {
		return expr[0].val
	}
	return "?column?"
}

// stripCast removes trailing casts (::type, ::pg_catalog.type[]) and a
// trailing COLLATE name from an expression.
func stripCast(expr []token) []token {
	for {
		n := len(expr)
		switch {
		case n >= 2 && expr[n-2].keyword("collate"):
			expr = expr[:n-2]
			continue
		case n >= 4 && expr[n-4].keyword("collate") && expr[n-2].is(tPunct, "."):
			expr = expr[:n-4]
			continue
		}
		// Walk back over a type name: ident (. ident)* [(…)] [[]].
		i := n - 1
		if i >= 1 && expr[i].is(tPunct, "]") && expr[i-1].is(tPunct, "[") {
			i -= 2
		}
		if i >= 0 && expr[i].is(tPunct, ")") {
			for i >= 0 && !expr[i].is(tPunct, "(") {
				i--
			}
			i--
		}
		for i >= 0 && (expr[i].kind == tIdent || expr[i].kind == tQIdent) {
			if i >= 1 && expr[i-1].is(tPunct, ".") {
				i -= 2
				continue
			}
			i--
			break
		}
		if i < 1 || i == n-1 || !expr[i].is(tOp, "::") {
			return expr
		}
		expr = expr[:i]
	}
}

// colRef reads a column reference (a, t.a, s.t.a) and returns the
// column's name.
func colRef(expr []token) (string, bool) {
	if len(expr) == 0 || len(expr)%2 == 0 {
		return "", false
	}
	for i, t := range expr {
		if i%2 == 1 {
			if !t.is(tPunct, ".") {
				return "", false
			}
			continue
		}
		if t.kind != tQIdent && (t.kind != tIdent || aliasless[t.val]) {
			return "", false
		}
	}
	return expr[len(expr)-1].val, true
}

// colRefParts reads a column reference and returns its qualifier (the
// part before the column, lower case; "" when unqualified) and its name.
func colRefParts(expr []token) (qual, name string, ok bool) {
	name, ok = colRef(expr)
	if !ok {
		return "", "", false
	}
	if len(expr) >= 3 {
		qual = strings.ToLower(expr[len(expr)-3].val)
	}
	return qual, strings.ToLower(name), true
}

// funcCall reads name(args) or schema.name(args) and returns the name
// (lower case) and the argument lists.
func funcCall(expr []token) (string, [][]token, bool) {
	i := 0
	if len(expr) >= 3 && expr[1].is(tPunct, ".") {
		i = 2
	}
	if len(expr) < i+3 || expr[i].kind != tIdent || !expr[i+1].is(tPunct, "(") {
		return "", nil, false
	}
	end := matchParen(expr, i+1)
	if end < 0 {
		return "", nil, false
	}
	// row_number() OVER (…) and similar window calls: the call is the
	// function; the rest is the window.
	if end != len(expr)-1 && !expr[end+1].keyword("over") {
		return "", nil, false
	}
	var args [][]token
	if end > i+2 {
		args = splitTop(expr[i+2 : end])
	}
	return expr[i].val, args, true
}

// literal reads a single-token literal (after stripping a cast).
func literal(expr []token) (any, bool) {
	expr = stripCast(expr)
	if len(expr) == 2 && expr[0].is(tOp, "-") && expr[1].kind == tNumber {
		v, ok := literal(expr[1:])
		switch x := v.(type) {
		case int64:
			return -x, ok
		case float64:
			return -x, ok
		}
		return nil, false
	}
	if len(expr) != 1 {
		return nil, false
	}
	t := expr[0]
	switch t.kind {
	case tString:
		return t.val, true
	case tNumber:
		if i, err := strconv.ParseInt(t.text, 10, 64); err == nil {
			return i, true
		}
		if f, err := strconv.ParseFloat(t.text, 64); err == nil {
			return f, true
		}
	case tIdent:
		switch t.val {
		case "null":
			return nil, true
		case "true":
			return true, true
		case "false":
			return false, true
		}
	}
	return nil, false
}

// facts is one row of facts about a catalog object, by lower-case
// column name or alias.
type facts map[string]any

// evalExpr evaluates the expressions catalog queries use; ok is false for
// an expression it does not know (its value is then NULL).
func evalExpr(expr []token, aliasKey string, f facts, sess sessionInfo) (any, bool) {
	fromAlias := func() (any, bool) {
		if aliasKey != "" {
			if v, ok := f[aliasKey]; ok {
				return v, true
			}
		}
		return nil, false
	}
	if v, ok := regtypeCast(expr, f, sess); ok {
		return v, true
	}
	if v, ok := literal(expr); ok {
		return v, true
	}
	bare := stripCast(expr)
	if _, name, ok := colRefParts(bare); ok {
		if v, ok := f[name]; ok {
			return v, true
		}
		if v, ok := fromAlias(); ok {
			return v, true
		}
		return nil, false
	}
	if len(bare) == 1 && bare[0].kind == tIdent {
		if v, ok := sess.function(bare[0].val, nil); ok {
			return v, true
		}
	}
	if fn, args, ok := funcCall(bare); ok {
		switch fn {
		case "format_type":
			return f["format_type"], true
		case "pg_get_userbyid":
			return sess.user(), true
		case "col_description", "obj_description", "shobj_description":
			return f["description"], true
		case "pg_get_expr", "pg_get_indexdef", "pg_get_constraintdef", "pg_get_viewdef", "pg_get_triggerdef":
			return nil, true
		case "pg_encoding_to_char":
			return "UTF8", true
		case "pg_table_is_visible", "pg_type_is_visible", "has_table_privilege", "has_schema_privilege", "has_database_privilege", "has_column_privilege", "pg_has_role":
			return true, true
		case "array_to_string":
			return "", true
		case "pg_size_pretty":
			return "0 bytes", true
		case "pg_relation_size", "pg_table_size", "pg_total_relation_size":
			return int64(0), true
		case "nullif":
			if len(args) == 2 {
				a, _ := evalExpr(args[0], "", f, sess)
				b, _ := evalExpr(args[1], "", f, sess)
				if a == b {
					return nil, true
				}
				return a, true
			}
		case "coalesce":
			for _, a := range args {
				if v, _ := evalExpr(a, "", f, sess); v != nil {
					return v, true
				}
			}
			return nil, true
		}
		var lits []any
		for _, a := range args {
			v, ok := evalExpr(a, "", f, sess)
			if !ok {
				return fromAlias()
			}
			lits = append(lits, v)
		}
		if v, ok := sess.function(fn, lits); ok {
			return v, true
		}
		// row_number() OVER (…) AS attnum and the like.
		return fromAlias()
	}
	if len(bare) > 0 && bare[0].keyword("case") {
		if v, ok := evalCase(bare, f, sess); ok {
			return v, true
		}
		if v, ok := fromAlias(); ok {
			return v, true
		}
		// A CASE on relkind that is not simple: the label of an ordinary
		// table.
		for i := 0; i+3 < len(bare); i++ {
			if bare[i].keyword("when") && bare[i+1].kind == tString && bare[i+1].val == "r" && bare[i+2].keyword("then") && bare[i+3].kind == tString {
				return bare[i+3].val, true
			}
		}
	}
	return nil, false
}

// evalCase evaluates CASE x WHEN v THEN r … [ELSE r] END and
// CASE WHEN a = v THEN r … [ELSE r] END (also <>), where every part is a
// column of the facts or a literal.
func evalCase(expr []token, f facts, sess sessionInfo) (any, bool) {
	if len(expr) < 2 || !expr[len(expr)-1].keyword("end") {
		return nil, false
	}
	body := expr[1 : len(expr)-1]
	// Split the body on its top-level WHEN, THEN and ELSE.
	var parts [][]token
	var words []string
	depth, start := 0, 0
	for i, t := range body {
		switch {
		case t.is(tPunct, "("):
			depth++
		case t.is(tPunct, ")"):
			depth--
		case depth == 0 && (t.keyword("when") || t.keyword("then") || t.keyword("else") || t.keyword("case")):
			if t.keyword("case") {
				return nil, false // nested CASE
			}
			parts = append(parts, body[start:i])
			words = append(words, t.val)
			start = i + 1
		}
	}
	parts = append(parts, body[start:])
	eval := func(toks []token) (any, bool) {
		if len(toks) == 0 {
			return nil, false
		}
		return evalExpr(toks, "", f, sess)
	}
	var operand any
	simple := len(parts[0]) > 0
	if simple {
		v, ok := eval(parts[0])
		if !ok {
			return nil, false
		}
		operand = v
	}
	for i := 0; i < len(words); i++ {
		switch words[i] {
		case "when":
			if i+1 >= len(words) || words[i+1] != "then" {
				return nil, false
			}
			var match bool
			cond := parts[i+1]
			if simple {
				v, ok := eval(cond)
				if !ok {
					return nil, false
				}
				match = fmt.Sprint(v) == fmt.Sprint(operand) && v != nil && operand != nil
			} else {
				k := -1
				for j, t := range cond {
					if t.is(tOp, "=") || t.is(tOp, "<>") || t.is(tOp, "!=") {
						k = j
						break
					}
				}
				if k <= 0 {
					return nil, false
				}
				a, ok1 := eval(cond[:k])
				b, ok2 := eval(cond[k+1:])
				if !ok1 || !ok2 {
					return nil, false
				}
				eq := a != nil && b != nil && fmt.Sprint(a) == fmt.Sprint(b)
				match = eq == (cond[k].text == "=") && a != nil && b != nil
			}
			if match {
				return eval(parts[i+2])
			}
			i++
		case "else":
			return eval(parts[i+1])
		}
	}
	return nil, true
}

// sessionInfo is what catalog queries need to know of the session.
type sessionInfo interface {
	user() string
	// function evaluates a session function (version(), current_schema,
	// current_setting('x'), …) with literal arguments.
	function(name string, args []any) (any, bool)
}

// memResult is a result computed by the server.
type memResult struct {
	cols []column
	rows [][]any
	pos  int
}

func (m *memResult) columns() []column { return m.cols }

func (m *memResult) next() ([]any, error) {
	if m.pos >= len(m.rows) {
		return nil, errEndOfRows
	}
	m.pos++
	return m.rows[m.pos-1], nil
}

func (m *memResult) close() error { return nil }

// regtypeCast evaluates x::regtype[::text] (pgcli's atttypid::regtype::text):
// the name of the type whose OID x is, as PostgreSQL writes a regtype
// (bigint, text, timestamp with time zone); an OID of no known type is
// its number. ok is false when expr has no ::regtype cast.
func regtypeCast(expr []token, f facts, sess sessionInfo) (any, bool) {
	depth, first, reg := 0, -1, -1
	var after []string
	for i, t := range expr {
		switch {
		case t.is(tPunct, "(") || t.is(tPunct, "["):
			depth++
		case t.is(tPunct, ")") || t.is(tPunct, "]"):
			depth--
		case depth == 0 && t.is(tOp, "::") && i+1 < len(expr) && expr[i+1].kind == tIdent:
			if first < 0 {
				first = i
			}
			switch {
			case expr[i+1].val == "regtype":
				reg = i
			case reg >= 0:
				after = append(after, expr[i+1].val)
			}
		}
	}
	if reg < 0 || reg != first {
		return nil, false
	}
	for _, a := range after {
		if a != "text" && a != "varchar" && a != "name" {
			return nil, false // ::regtype::oid and the like
		}
	}
	v, ok := evalExpr(expr[:reg], "", f, sess)
	if !ok {
		return nil, false
	}
	var oid int64
	switch x := v.(type) {
	case nil:
		return nil, true
	case int64:
		oid = x
	case uint32:
		oid = int64(x)
	default:
		return nil, false
	}
	for _, t := range pgTypes {
		if int64(t.oid) == oid {
			return t.formatName, true
		}
	}
	return strconv.FormatInt(oid, 10), true
}
