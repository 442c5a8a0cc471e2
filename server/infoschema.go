package server

import (
	rsmeta "github.com/restsql/restsql/metadata"
)

// pgInfoViews are the information_schema views restsql serve answers
// through restsql, from its PostgreSQL-flavoured views (PostgreSQL's type
// names and columns), with the column naming their catalog.
var pgInfoViews = map[string]string{"tables": "table_catalog", "columns": "table_catalog", "schemata": "catalog_name"}

// notAlias are the words that may follow a table name without being its
// alias.
var notAlias = map[string]bool{
	"where": true, "join": true, "inner": true, "left": true, "right": true, "full": true, "cross": true,
	"natural": true, "on": true, "using": true, "order": true, "group": true, "having": true, "limit": true,
	"offset": true, "union": true, "intersect": true, "except": true, "fetch": true, "for": true, "window": true,
}

// pgInformationSchema replaces each information_schema.tables, columns
// and schemata in a FROM clause by a derived table of restsql's
// PostgreSQL-flavoured view, restricted to the database's catalog (when
// there is one) as PostgreSQL's information_schema shows only the
// current database:
//
//	FROM information_schema.columns c
//	FROM (SELECT * FROM pg_information_schema.columns WHERE table_catalog = 'Demo') c
//
// A reference without an alias gets the view's name as its alias.
func pgInformationSchema(toks []token, catalog string) []token {
	var out []token
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		view := ""
		if i+2 < len(toks) && (t.kind == tIdent || t.kind == tQIdent) && t.val == "information_schema" && toks[i+1].is(tPunct, ".") &&
			(toks[i+2].kind == tIdent || toks[i+2].kind == tQIdent) && pgInfoViews[toks[i+2].val] != "" &&
			i > 0 && (toks[i-1].keyword("from") || toks[i-1].keyword("join") || toks[i-1].is(tPunct, ",")) &&
			!(i+3 < len(toks) && toks[i+3].is(tPunct, ".")) {
			view = toks[i+2].val
		}
		if view == "" {
			out = append(out, t)
			continue
		}
		word := func(text string) token { w := synth(tIdent, text); w.space = true; return w }
		open := synth(tPunct, "(")
		open.space = t.space
		out = append(out, open, synth(tIdent, "SELECT"), synth(tOp, "*"), word("FROM"), word(rsmeta.PGInfoSchema),
			synth(tPunct, "."), synth(tIdent, view))
		out[len(out)-5].space = true // *
		if catalog != "" {
			lit := token{kind: tString, val: catalog, text: "'" + catalog + "'", space: true}
			eq := synth(tOp, "=")
			eq.space = true
			out = append(out, word("WHERE"), word(pgInfoViews[view]), eq, lit)
		}
		out = append(out, synth(tPunct, ")"))
		i += 2
		next := token{}
		if i+1 < len(toks) {
			next = toks[i+1]
		}
		hasAlias := next.keyword("as") || next.kind == tQIdent || next.kind == tIdent && !notAlias[next.val]
		if !hasAlias {
			out = append(out, word("AS"), word(view))
		}
	}
	return out
}
