package server

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTranslate(t *testing.T) {
	tests := []struct {
		name, in, want string
		args           []int
		nonStandard    bool
	}{
		{name: "quoted identifiers", in: `SELECT "id","title" FROM "posts" WHERE "id" >= 1 AND "id" < 51`,
			want: "SELECT `id`,`title` FROM `posts` WHERE `id` >= 1 AND `id` < 51"},
		{name: "quoted identifier with quotes", in: `SELECT "a""b", "c` + "`" + `d" FROM t`, want: "SELECT `a\"b`, `c``d` FROM t"},
		{name: "qualified", in: `SELECT p."userId" FROM "Demo"."API"."posts" p`, want: "SELECT p.`userId` FROM `Demo`.`API`.`posts` p"},
		{name: "parameters", in: "SELECT * FROM t WHERE a = $2 AND b = $1 AND c = $2", want: "SELECT * FROM t WHERE a = ? AND b = ? AND c = ?", args: []int{2, 1, 2}},
		{name: "parameter-like text in a string", in: "SELECT '$1 \"x\"' FROM t WHERE a = $1", want: "SELECT '$1 \"x\"' FROM t WHERE a = ?", args: []int{1}},
		{name: "backslash in a standard string", in: `SELECT 'a\b'`, want: `SELECT 'a\\b'`},
		{name: "backslash without standard strings", in: `SELECT 'a\'b\\'`, want: `SELECT 'a''b\\'`, nonStandard: true},
		{name: "doubled quote", in: "SELECT 'it''s'", want: "SELECT 'it''s'"},
		{name: "E string", in: `SELECT E'a\tb\\c\'d'`, want: "SELECT 'a\tb\\\\c''d'"},
		{name: "dollar quoted", in: "SELECT $$it's \\ $1$$, $tag$x$tag$", want: `SELECT 'it''s \\ $1', 'x'`},
		{name: "comments dropped", in: "SELECT a -- note \"x\" $1\nFROM t /* a /* nested */ comment */ WHERE b = 1", want: "SELECT a FROM t WHERE b = 1"},
		{name: "ILIKE", in: "SELECT a FROM t WHERE a ILIKE 'x%' AND b NOT ILIKE 'y'", want: "SELECT a FROM t WHERE a LIKE 'x%' AND b NOT LIKE 'y'"},
		{name: "like operators", in: "SELECT a FROM t WHERE a ~~ 'x%' AND b !~~* 'y'", want: "SELECT a FROM t WHERE a LIKE 'x%' AND b NOT LIKE 'y'"},
		{name: "cast of a column", in: "SELECT id::text FROM t", want: "SELECT CAST(id AS CHAR) FROM t"},
		{name: "cast of a qualified column", in: `SELECT t."id"::int8 FROM t`, want: "SELECT CAST(t.`id` AS SIGNED) FROM t"},
		{name: "cast of a parameter", in: "SELECT $1::bigint + 1", want: "SELECT CAST(? AS SIGNED) + 1", args: []int{1}},
		{name: "cast of a call", in: "SELECT count(*)::int FROM t", want: "SELECT CAST(count(*) AS SIGNED) FROM t"},
		{name: "cast of parentheses", in: "SELECT (a + b)::double precision FROM t", want: "SELECT CAST((a + b) AS DECIMAL) FROM t"},
		{name: "cast to timestamp with time zone", in: "SELECT '2024-01-01'::timestamp with time zone", want: "SELECT CAST('2024-01-01' AS DATETIME)"},
		{name: "cast of a literal", in: "SELECT 'x'::varchar(10), 1::pg_catalog.bool", want: "SELECT CAST('x' AS CHAR), CAST(1 AS BOOLEAN)"},
		{name: "keyword before parentheses is not a call", in: "SELECT a FROM t WHERE(a)::int = 1", want: "SELECT a FROM t WHERE CAST((a) AS SIGNED) = 1"},
		{name: "numbers", in: "SELECT 1.5e3, .5, 2. FROM t", want: "SELECT 1.5e3, .5, 2. FROM t"},
		{name: "operators", in: "SELECT a<>b, a>=b, a!=b, -a FROM t", want: "SELECT a<>b, a>=b, a!=b, -a FROM t"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			toks, err := lexSQL(tc.in, !tc.nonStandard)
			require.NoError(t, err)
			tr, err := translate(toks)
			require.NoError(t, err)
			require.Equal(t, tc.want, tr.sql)
			require.Equal(t, tc.args, tr.args)
		})
	}
}

func TestTranslateErrors(t *testing.T) {
	tests := []struct{ in, code, msg string }{
		{"SELECT 'abc", codeSyntaxError, "unterminated quoted string"},
		{`SELECT "abc`, codeSyntaxError, "unterminated quoted identifier"},
		{`SELECT ""`, codeSyntaxError, "zero-length"},
		{"SELECT /* never closed", codeSyntaxError, "unterminated /* comment"},
		{"SELECT $$abc", codeSyntaxError, "unterminated dollar-quoted"},
		{"SELECT $0", codeSyntaxError, "parameter number"},
		{"SELECT a FROM t WHERE a = ?", codeSyntaxError, "$1, $2"},
		{"SELECT a::regclass FROM t", codeUndefinedObject, "regclass"},
		{"SELECT a:: FROM t", codeSyntaxError, "::"},
		{"SELECT \\", codeSyntaxError, "syntax error"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			toks, err := lexSQL(tc.in, true)
			if err == nil {
				_, err = translate(toks)
			}
			require.Error(t, err)
			se := toSQLError(context.Background(), err)
			require.Equal(t, tc.code, se.Code)
			require.Contains(t, se.Message, tc.msg)
		})
	}
}

func TestSplitStatements(t *testing.T) {
	toks, err := lexSQL("SET a = 1; SELECT ';' FROM t WHERE (a = 1;) ;; -- end;\n SHOW x;", true)
	require.NoError(t, err)
	var got []string
	for _, st := range splitStatements(toks) {
		var words []string
		for _, t := range st {
			words = append(words, t.text)
		}
		got = append(got, strings.Join(words, " "))
	}
	require.Equal(t, []string{"SET a = 1", "SELECT ';' FROM t WHERE ( a = 1 ; )", "SHOW x"}, got)
}

func TestSchemaProbe(t *testing.T) {
	tests := []struct{ in, want string }{
		{`SELECT * FROM "posts" WHERE 1=0`, "SELECT * FROM `posts` LIMIT 0"},
		{`SELECT * FROM (SELECT "id" FROM "posts" WHERE "id" > 3) spark_gen WHERE 1 = 0`, "SELECT * FROM (SELECT `id` FROM `posts` WHERE `id` > 3) spark_gen LIMIT 0"},
		{"SELECT * FROM posts WHERE false", "SELECT * FROM posts LIMIT 0"},
		{"SELECT * FROM posts p JOIN users u ON u.id = p.userId WHERE 1=2", "SELECT * FROM posts p JOIN users u ON u.id = p.userId LIMIT 0"},
		// Not probes: the WHERE is not alone, or LIMIT 0 would differ.
		{"SELECT * FROM posts WHERE 1=1", ""},
		{"SELECT * FROM posts WHERE id = 1 AND 1=0", ""},
		{"SELECT COUNT(*) FROM posts WHERE 1=0", ""},
		{"SELECT * FROM posts UNION SELECT * FROM posts WHERE 1=0", ""},
		{"SELECT * FROM posts WHERE 1.0=0", ""},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			toks, err := lexSQL(tc.in, true)
			require.NoError(t, err)
			probe, ok := schemaProbe(toks)
			require.Equal(t, tc.want != "", ok)
			if ok {
				tr, err := translate(probe)
				require.NoError(t, err)
				require.Equal(t, tc.want, tr.sql)
			}
		})
	}
}

func TestInferParamTypes(t *testing.T) {
	meta := &metadata{columnTypes: map[string]map[string]uint32{
		"posts": {"id": oidInt8, "title": oidText, "userid": oidInt8, "score": oidFloat8},
		"todos": {"id": oidInt8, "completed": oidBool, "duedate": oidTimestamptz, "title": oidText},
		"other": {"title": oidInt8},
	}}
	tests := []struct {
		sql  string
		want map[int]uint32
	}{
		{`SELECT * FROM posts WHERE id = $1 AND "title" LIKE $2`, map[int]uint32{1: oidInt8, 2: oidText}},
		{`SELECT * FROM posts p WHERE $1 < p.score AND p."userId" IN ($2, 3, $3)`, map[int]uint32{1: oidFloat8, 2: oidInt8, 3: oidInt8}},
		{`SELECT * FROM todos WHERE "dueDate" BETWEEN $1 AND $2 AND completed <> $3 LIMIT $4 OFFSET $5`, map[int]uint32{1: oidTimestamptz, 2: oidTimestamptz, 3: oidBool, 4: oidInt8, 5: oidInt8}},
		{`SELECT * FROM posts WHERE id NOT IN ($1) AND id NOT BETWEEN $2 AND $3`, map[int]uint32{1: oidInt8, 2: oidInt8, 3: oidInt8}},
		{`SELECT * FROM posts JOIN other ON true WHERE title = $1`, map[int]uint32{}},
		{`SELECT $1::text, id + $2 FROM posts`, map[int]uint32{1: oidText}},
		{`SELECT * FROM nosuch WHERE id = $1`, map[int]uint32{}},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			toks, err := lexSQL(tc.sql, true)
			require.NoError(t, err)
			tr, err := translate(toks)
			require.NoError(t, err)
			require.Equal(t, tc.want, inferParamTypes(toks, tr, meta))
		})
	}
}

func TestParseSelectList(t *testing.T) {
	toks, err := lexSQL(`SELECT n.nspname AS "Schema", c.relname, NULL AS TABLE_CAT, '' as x, count(*) cnt, pg_catalog.format_type(a.atttypid, a.atttypmod), CASE WHEN true THEN 1 END, 1 + 2, current_user FROM t`, true)
	require.NoError(t, err)
	from := topLevel(toks, 1, "from")
	var names []string
	for _, it := range parseSelectList(toks[1:from]) {
		names = append(names, it.alias)
	}
	require.Equal(t, []string{"Schema", "relname", "table_cat", "x", "cnt", "format_type", "case", "?column?", "current_user"}, names)
}
