package server

import (
	"context"
	"database/sql"
	"strings"
)

// This file holds the view's table facts for parameter types (metadata)
// and the token helpers the translation uses to read select lists.
// Nothing here answers a query: catalog queries (pg_catalog,
// information_schema) and session functions (version(), current_schema(),
// set_config(…)) are restsql queries over the view's in-memory catalog
// relations and functions (pgtables.go, pgfuncs.go).

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
