package server

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCatalogRewrites checks the translation of the PostgreSQL syntax
// catalog queries use into SQL restsql runs (pgdialect.go), and that
// shapes the rewrites cannot make exact are left as they are.
func TestCatalogRewrites(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"schema-qualified function", "SELECT pg_catalog.format_type(a, b) FROM t",
			"SELECT format_type(a, b) FROM t"},
		{"OPERATOR and COLLATE", "SELECT 1 FROM t WHERE c OPERATOR(pg_catalog.~) '^x$' COLLATE pg_catalog.default",
			"SELECT 1 FROM t WHERE REGEXP_LIKE(c, '^x$', 'cn')"},
		{"a collation restsql does not have stays", "SELECT 1 FROM t ORDER BY c COLLATE \"de_DE\"",
			"SELECT 1 FROM t ORDER BY c COLLATE `de_DE`"},
		{"= ANY and <> ALL", "SELECT 1 FROM t WHERE c.relkind = ANY($1) AND x <> ALL(ARRAY['a', 'b'])",
			"SELECT 1 FROM t WHERE PG_ANY_EQ(c.relkind, ?) AND PG_ALL_NE(x, PG_ARRAY('a', 'b'))"},
		{"ANY of a subquery stays", "SELECT 1 FROM t WHERE x = ANY(SELECT y FROM u)",
			"SELECT 1 FROM t WHERE x = ANY(SELECT y FROM u)"},
		{"subscript", "SELECT (current_schemas(true))[1]",
			"SELECT PG_ARRAY_ELEM((current_schemas(true)), 1)"},
		{"casts to reg types", "SELECT a.atttypid::regtype::text, 'pg_class'::regclass, x::oid FROM t",
			"SELECT CAST(PG_REGTYPE(a.atttypid) AS CHAR), PG_REGCLASS('pg_class'), CAST(x AS SIGNED) FROM t"},
		{"bare session functions", "SELECT current_user, current_schema, t.current_user FROM t",
			"SELECT current_user(), current_schema(), t.current_user FROM t"},
		{"an alias restsql reserves", "SELECT a AS default, b AS key FROM t",
			"SELECT a AS `default`, b AS `key` FROM t"},
		{"set-returning functions in a select list",
			"SELECT unnest(ix.indkey) attnum, generate_subscripts(ix.indkey, 1) ord FROM pg_index ix WHERE ix.indisprimary",
			"SELECT PG_ARRAY_NTH(ix.indkey, srf.i) attnum, PG_SUBSCRIPT(ix.indkey, srf.i) ord FROM pg_index ix, pg_catalog.restsql_series srf WHERE (ix.indisprimary) AND srf.i <= PG_SRF_LEN(ix.indkey)"},
		{"set-returning functions over two arrays stay",
			"SELECT unnest(a), unnest(b) FROM t",
			"SELECT unnest(a), unnest(b) FROM t"},
		{"_pg_expandarray and its fields",
			"SELECT (r.keys).x FROM (SELECT (information_schema._pg_expandarray(i.indkey)).n AS n, information_schema._pg_expandarray(i.indkey) AS keys FROM pg_index i) r",
			"SELECT r.keys FROM (SELECT srf.i AS n, PG_ARRAY_NTH(i.indkey, srf.i) AS `keys` FROM pg_index i, pg_catalog.restsql_series srf WHERE srf.i <= PG_SRF_LEN(i.indkey)) r"},
		{"table functions in FROM",
			"SELECT * FROM unnest(current_schemas(true)) AS s, generate_series(1, 3) g(n)",
			"SELECT * FROM (SELECT PG_ARRAY_NTH(current_schemas(true), srf.i) AS `s` FROM pg_catalog.restsql_series srf WHERE srf.i <= PG_SRF_LEN(current_schemas(true))) AS s, (SELECT srf.i AS `n` FROM pg_catalog.restsql_series srf WHERE srf.i >= PG_SERIES_LOW(1) AND srf.i <= PG_SERIES_HIGH(3)) AS g"},
		{"row_number over pg_attribute",
			"SELECT row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) AS attnum FROM pg_attribute a JOIN pg_class c ON a.attrelid = c.oid WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relname = 'x'",
			"SELECT a.attnum AS attnum FROM pg_attribute a JOIN pg_class c ON a.attrelid = c.oid WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relname = 'x'"},
		{"row_number when WHERE drops columns stays",
			"SELECT row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) FROM pg_attribute a WHERE a.attname <> 'id'",
			"SELECT row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) FROM pg_attribute a WHERE a.attname <> 'id'"},
		{"a unique-key lookup subquery",
			"SELECT (SELECT d.adbin FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef) FROM pg_attribute a WHERE a.attnum > 0",
			"SELECT (CASE WHEN rsq1.adrelid IS NOT NULL AND (rsq1.adrelid = a.attrelid) AND (rsq1.adnum = a.attnum) AND (a.atthasdef) THEN rsq1.adbin END) FROM pg_attribute a LEFT JOIN pg_catalog.pg_attrdef rsq1 ON rsq1.adrelid = a.attrelid AND rsq1.adnum = a.attnum WHERE a.attnum > 0"},
		{"EXISTS of a unique-key lookup",
			"SELECT 1 FROM pg_type t WHERE NOT EXISTS(SELECT 1 FROM pg_type el WHERE el.oid = t.typelem)",
			"SELECT 1 FROM pg_type t LEFT JOIN pg_catalog.pg_type rsq1 ON rsq1.oid = t.typelem WHERE NOT (CASE WHEN rsq1.oid IS NOT NULL AND (rsq1.oid = t.typelem) THEN TRUE ELSE FALSE END)"},
		{"a lookup by a column that is no key stays",
			"SELECT (SELECT c.relname FROM pg_class c WHERE c.relnamespace = n.oid) FROM pg_namespace n",
			"SELECT (SELECT c.relname FROM pg_class c WHERE c.relnamespace = n.oid) FROM pg_namespace n"},
		{"subqueries over an always-empty relation",
			"SELECT p.polname, array(select rolname from pg_roles where oid = any(p.polroles)) FROM pg_policy p WHERE p.polrelid = 1",
			"SELECT p.polname, NULL FROM pg_policy p WHERE p.polrelid = 1"},
		{"an aggregate over an always-empty relation stays",
			"SELECT count(*), (SELECT 1 FROM t) FROM pg_policy p",
			"SELECT count(*), (SELECT 1 FROM t) FROM pg_policy p"},
		{"a LEFT JOIN of an always-empty relation stays",
			"SELECT (SELECT x FROM u WHERE u.a = c.a) FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid",
			"SELECT (SELECT x FROM u WHERE u.a = c.a) FROM pg_class c LEFT JOIN pg_policy p ON p.polrelid = c.oid"},
		{"ARRAY of prefixed elements, and array ||",
			"SELECT array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', ') FROM pg_class c",
			"SELECT array_to_string(PG_ARRAY_CAT(c.reloptions, PG_ARRAY_PREFIX(tc.reloptions, 'toast.')), ', ') FROM pg_class c"},
		{"& on integers", "SELECT a & 1 FROM t", "SELECT PG_BITAND(a, 1) FROM t"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			toks, err := lexSQL(tt.in, true)
			require.NoError(t, err)
			tr, err := translate(toks)
			require.NoError(t, err)
			assert.Equal(t, tt.want, tr.sql)
		})
	}
}
