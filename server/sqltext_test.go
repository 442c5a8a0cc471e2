package server

import (
	"context"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
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
		{name: "interval subtracted", in: "SELECT now() - INTERVAL '30 days'", want: "SELECT now() - INTERVAL 30 DAY"},
		{name: "interval of several parts", in: "SELECT d + interval '1 day 2 hours -5 minutes' FROM t", want: "SELECT d + INTERVAL 1 DAY + INTERVAL 2 HOUR - INTERVAL 5 MINUTE FROM t"},
		{name: "interval of several parts subtracted", in: "SELECT d - interval '1 year 2 mons' FROM t", want: "SELECT d - INTERVAL 1 YEAR - INTERVAL 2 MONTH FROM t"},
		{name: "negative interval subtracted", in: "SELECT d - interval '-1 week' FROM t", want: "SELECT d + INTERVAL 1 WEEK FROM t"},
		{name: "interval with a unit after it", in: "SELECT d + INTERVAL '30' DAY FROM t", want: "SELECT d + INTERVAL 30 DAY FROM t"},
		{name: "interval of a time", in: "SELECT d + INTERVAL '1 day 01:30' FROM t", want: "SELECT d + INTERVAL 1 DAY + INTERVAL 1 HOUR + INTERVAL 30 MINUTE FROM t"},
		{name: "interval units", in: "SELECT d + INTERVAL '1 h 2 min 3 s 4 ms 1 decade' FROM t", want: "SELECT d + INTERVAL 1 HOUR + INTERVAL 2 MINUTE + INTERVAL 3 SECOND + INTERVAL 4000 MICROSECOND + INTERVAL 10 YEAR FROM t"},
		{name: "interval without an operator", in: "SELECT INTERVAL '1 day' + d FROM t", want: "SELECT INTERVAL 1 DAY + d FROM t"},
		{name: "interval in WHERE", in: `SELECT id FROM t WHERE "dueDate" > now() - interval '7 days' AND x = $1`, want: "SELECT id FROM t WHERE `dueDate` > now() - INTERVAL 7 DAY AND x = ?", args: []int{1}},
		{name: "date_trunc passes", in: "SELECT date_trunc('month', d) FROM t", want: "SELECT date_trunc('month', d) FROM t"},
		{name: "cast of a column", in: "SELECT id::text FROM t", want: "SELECT CAST(id AS CHAR) FROM t"},
		{name: "cast of a qualified column", in: `SELECT t."id"::int8 FROM t`, want: "SELECT CAST(t.`id` AS SIGNED) FROM t"},
		{name: "cast of a parameter", in: "SELECT $1::bigint + 1", want: "SELECT CAST(? AS SIGNED) + 1", args: []int{1}},
		{name: "cast of a call", in: "SELECT count(*)::int FROM t", want: "SELECT CAST(count(*) AS SIGNED) FROM t"},
		{name: "cast of parentheses", in: "SELECT (a + b)::double precision FROM t", want: "SELECT CAST((a + b) AS DECIMAL) FROM t"},
		{name: "cast to timestamp with time zone", in: "SELECT '2024-01-01'::timestamp with time zone", want: "SELECT CAST('2024-01-01' AS DATETIME)"},
		{name: "cast of a literal", in: "SELECT 'x'::varchar(10), 1::pg_catalog.int4", want: "SELECT CAST('x' AS CHAR), CAST(1 AS SIGNED)"},
		{name: "CAST AS a PostgreSQL type", in: "SELECT CAST(id AS TEXT), CAST(a + 1 AS varchar(20)), CAST(x AS double precision) FROM t",
			want: "SELECT CAST((id) AS CHAR), CAST((a + 1) AS CHAR), CAST((x) AS DECIMAL) FROM t"},
		{name: "CAST of a parameter", in: "SELECT * FROM t WHERE id = CAST($1 AS bigint)", want: "SELECT * FROM t WHERE id = CAST((?) AS SIGNED)", args: []int{1}},
		{name: "CAST AS restsql's types is left alone", in: "SELECT CAST(id AS SIGNED), CAST(d AS DATETIME) FROM t", want: "SELECT CAST(id AS SIGNED), CAST(d AS DATETIME) FROM t"},
		{name: "nested CAST", in: "SELECT CAST(CAST(id AS text) AS integer) FROM t", want: "SELECT CAST((CAST((id) AS CHAR)) AS SIGNED) FROM t"},
		{name: "boolean cast", in: "SELECT $1::boolean",
			want: "SELECT (CASE WHEN (?) IS NULL THEN NULL WHEN LOWER(TRIM(CAST((?) AS CHAR))) IN ('t', 'tr', 'tru', 'true', 'y', 'ye', 'yes', 'on', '1') THEN 1 = 1 WHEN LOWER(TRIM(CAST((?) AS CHAR))) IN ('f', 'fa', 'fal', 'fals', 'false', 'n', 'no', 'of', 'off', '0') THEN 1 = 0 ELSE CAST((?) AS SIGNED) <> 0 END)",
			args: []int{1, 1, 1, 1}},
		{name: "concatenation", in: "SELECT 'a' || 'b', x || y || $1 FROM t", want: "SELECT CONCAT('a', 'b'), CONCAT(CONCAT(x, y), ?) FROM t", args: []int{1}},
		{name: "concatenation binds looser than +, tighter than =", in: "SELECT * FROM t WHERE a || b + 1 = 'x1' AND c", want: "SELECT * FROM t WHERE CONCAT(a, b + 1) = 'x1' AND c"},
		{name: "concatenation of calls, casts and CASE", in: "SELECT upper(a) || (b)::text || CASE WHEN c THEN 'y' ELSE 'n' END AS s FROM t",
			want: "SELECT CONCAT(CONCAT(upper(a), CAST((b) AS CHAR)), CASE WHEN c THEN 'y' ELSE 'n' END) AS s FROM t"},
		{name: "concatenation in a call and with an alias", in: "SELECT length(a || 'x') n, a || b ab FROM t", want: "SELECT length(CONCAT(a, 'x')) n, CONCAT(a, b) ab FROM t"},
		{name: "regular expressions", in: "SELECT * FROM t WHERE a ~ '^x' OR b ~* 'y' AND c !~ $1 AND d !~* 'z'",
			want: "SELECT * FROM t WHERE REGEXP_LIKE(a, '^x', 'cn') OR REGEXP_LIKE(b, 'y', 'in') AND (NOT REGEXP_LIKE(c, ?, 'cn')) AND (NOT REGEXP_LIKE(d, 'z', 'in'))", args: []int{1}},
		{name: "concatenation after a two-word type", in: "SELECT x::double precision || 'a', y::timestamp with time zone || 'b' FROM t",
			want: "SELECT CONCAT(CAST(x AS DECIMAL), 'a'), CONCAT(CAST(y AS DATETIME), 'b') FROM t"},
		{name: "concatenation of a typed literal", in: "SELECT DATE '2024-01-01' || 'x'", want: "SELECT CONCAT(DATE '2024-01-01', 'x')"},
		{name: "regular expression on a concatenation", in: "SELECT a || b ~ 'x' FROM t", want: "SELECT REGEXP_LIKE(CONCAT(a, b), 'x', 'cn') FROM t"},
		{name: "prefix ~ is left alone", in: "SELECT ~ 5", want: "SELECT ~ 5"},
		{name: "GREATEST and LEAST ignore NULLs", in: "SELECT GREATEST(a, $1), least(a, b, 3) FROM t",
			want: "SELECT GREATEST(COALESCE(a, a, ?), COALESCE(?, a, ?)), least(COALESCE(a, a, b, 3), COALESCE(b, a, b, 3), COALESCE(3, a, b, 3)) FROM t", args: []int{1, 1, 1}},
		{name: "OFFSET without LIMIT", in: "SELECT id FROM t ORDER BY id OFFSET 5", want: "SELECT id FROM t ORDER BY id LIMIT " + maxLimit + " OFFSET 5"},
		{name: "OFFSET before LIMIT", in: "SELECT id FROM t OFFSET $1 LIMIT $2", want: "SELECT id FROM t LIMIT ? OFFSET ?", args: []int{2, 1}},
		{name: "LIMIT ALL", in: "SELECT id FROM t LIMIT ALL", want: "SELECT id FROM t"},
		{name: "LIMIT ALL OFFSET", in: "SELECT id FROM t LIMIT ALL OFFSET 2", want: "SELECT id FROM t LIMIT " + maxLimit + " OFFSET 2"},
		{name: "FETCH FIRST", in: "SELECT id FROM t ORDER BY id FETCH FIRST 3 ROWS ONLY", want: "SELECT id FROM t ORDER BY id LIMIT 3"},
		{name: "OFFSET ROWS FETCH NEXT ROW ONLY", in: "SELECT id FROM t OFFSET 2 ROWS FETCH NEXT ROW ONLY", want: "SELECT id FROM t LIMIT 1 OFFSET 2"},
		{name: "LIMIT in a subquery", in: "SELECT * FROM (SELECT id FROM t OFFSET 1) s WHERE id IN (SELECT id FROM u FETCH FIRST 2 ROWS ONLY)",
			want: "SELECT * FROM (SELECT id FROM t LIMIT " + maxLimit + " OFFSET 1) s WHERE id IN (SELECT id FROM u LIMIT 2)"},
		{name: "plain LIMIT OFFSET", in: "SELECT id FROM t LIMIT 3 OFFSET 1", want: "SELECT id FROM t LIMIT 3 OFFSET 1"},
		{name: "NULLS as restsql sorts", in: "SELECT a FROM t ORDER BY a NULLS FIRST, b ASC NULLS FIRST, c DESC NULLS LAST", want: "SELECT a FROM t ORDER BY a, b ASC, c DESC"},
		{name: "NULLS LAST ascending", in: "SELECT a FROM t ORDER BY a NULLS LAST, b", want: "SELECT a FROM t ORDER BY (a) IS NULL, a, b"},
		{name: "NULLS FIRST descending", in: "SELECT a FROM t ORDER BY t.a DESC NULLS FIRST LIMIT 2", want: "SELECT a FROM t ORDER BY (t.a) IS NULL DESC, t.a DESC LIMIT 2"},
		{name: "NULLS of an ordinal and an alias", in: `SELECT a + 1 AS x, lower(b) FROM t ORDER BY 2 NULLS LAST, "x" DESC NULLS FIRST`,
			want: "SELECT a + 1 AS x, lower(b) FROM t ORDER BY (lower(b)) IS NULL, 2, (a + 1) IS NULL DESC, `x` DESC"},
		{name: "NULLS in a window", in: "SELECT row_number() OVER (ORDER BY a NULLS LAST) FROM t", want: "SELECT row_number() OVER (ORDER BY (a) IS NULL, a) FROM t"},
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
		{"SELECT a::inet FROM t", codeUndefinedObject, "inet"},
		{"SELECT a:: FROM t", codeSyntaxError, "::"},
		{"SELECT \\", codeSyntaxError, "syntax error"},
		{"SELECT d - INTERVAL '1.5 days' FROM t", codeInvalidDatetime, `invalid input syntax for type interval: "1.5 days"`},
		{"SELECT d - INTERVAL '3 fortnights' FROM t", codeInvalidDatetime, `unknown unit "fortnights"`},
		{"SELECT d - INTERVAL '' FROM t", codeInvalidDatetime, "empty"},
		{"SELECT d - INTERVAL '1:2:3:4' FROM t", codeInvalidDatetime, "hh:mm"},
		{"SELECT INTERVAL '1 day 1 hour' FROM t", codeFeatureNotSupported, "only after + or -"},
		{"SELECT d - INTERVAL '-9223372036854775808 days' FROM t", codeIntervalFieldOverflow, "out of range"},
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

func TestPgColumnNames(t *testing.T) {
	tests := []struct {
		sql  string
		want []string
	}{
		{`SELECT id, p."userId", count(*), sum(x), COUNT(DISTINCT a), id + 1, 1, 'a', $1 FROM t`,
			[]string{"", "", "count", "sum", "count", "?column?", "?column?", "?column?", "?column?"}},
		{`SELECT CAST(id AS text), id::text, "userId"::int8, 'x'::text, 1::integer, CAST(1 AS double precision), x::double precision, '1'::boolean FROM t`,
			[]string{"id", "id", "userId", "text", "int4", "float8", "x", "bool"}},
		{`SELECT count(*)::int, upper(name), pg_catalog.lower(n), (id), ((count(*))), -id FROM t`,
			[]string{"count", "upper", "lower", "id", "count", "?column?"}},
		{`SELECT a AS "Mixed", b AS Folded, c d, e "E", f::double precision g FROM t`,
			[]string{"Mixed", "folded", "d", "E", "g"}},
		{`SELECT CASE WHEN a = 1 THEN 'x' END, CASE WHEN a THEN 1 ELSE b END, CASE WHEN a THEN 1 ELSE 2 END FROM t`,
			[]string{"case", "b", "case"}},
		{`SELECT a IS NULL, a = b, NOT a, a || b, current_user, current_date, DATE '2024-01-01', EXISTS (SELECT 1), (SELECT max(id) FROM u), (SELECT id FROM u LIMIT 1) FROM t`,
			[]string{"?column?", "?column?", "?column?", "?column?", "current_user", "current_date", "date", "exists", "max", "id"}},
		{`SELECT coalesce(a, b), GREATEST(a, b), nullif(a, b), row_number() OVER (ORDER BY a) FROM t`,
			[]string{"coalesce", "greatest", "nullif", "row_number"}},
		{`WITH x AS (SELECT 1) SELECT count(*) FROM x`, []string{"count"}},
		{`SELECT DISTINCT ON (a) a, count(*) FROM t`, []string{"", "count"}},
		{`SELECT * FROM t`, nil},
		{`SELECT t.*, 1 FROM t`, nil},
		{`EXPLAIN SELECT 1`, nil},
		{`VALUES (1)`, nil},
	}
	for _, tc := range tests {
		t.Run(tc.sql, func(t *testing.T) {
			toks, err := lexSQL(tc.sql, true)
			require.NoError(t, err)
			require.Equal(t, tc.want, pgColumnNames(toks))
		})
	}
}

// TestPostgresDialectEndToEnd runs PostgreSQL's spellings through the
// server with pgx, in both protocols, and compares rows (in order) and
// column names with restsql's answer to its own spelling.
func TestPostgresDialectEndToEnd(t *testing.T) {
	e := startServer(t)
	extended := e.connect(t, "")
	simple := e.connect(t, "default_query_exec_mode=simple_protocol")
	tests := []struct {
		pg   string
		args []any
		lib  string
		cols []string
	}{
		{pg: `SELECT count(*), sum("userId"), max(id) + 1 FROM posts`, lib: "SELECT COUNT(*), SUM(userId), MAX(id) + 1 FROM posts",
			cols: []string{"count", "sum", "?column?"}},
		{pg: `SELECT id::text, CAST(id AS TEXT) AS t, CAST(id AS varchar(3)), 'a' || 'b' || id AS c, id + 1, upper(name) FROM users WHERE id <= 2 ORDER BY id`,
			lib:  "SELECT CAST(id AS CHAR), CAST(id AS CHAR), CAST(id AS CHAR), CONCAT('a', 'b', id), id + 1, UPPER(name) FROM users WHERE id <= 2 ORDER BY id",
			cols: []string{"id", "t", "id", "c", "?column?", "upper"}},
		{pg: `SELECT name || $1 AS n FROM users WHERE id = $2`, args: []any{"!", 3}, lib: "SELECT CONCAT(name, '!') FROM users WHERE id = 3", cols: []string{"n"}},
		{pg: `SELECT id FROM posts ORDER BY id OFFSET 97`, lib: "SELECT id FROM posts ORDER BY id LIMIT 100 OFFSET 97"},
		{pg: `SELECT id FROM posts WHERE id > 10 OFFSET 85`, lib: "SELECT id FROM posts WHERE id > 10 LIMIT 100 OFFSET 85"},
		{pg: `SELECT id FROM posts ORDER BY id DESC FETCH FIRST 2 ROWS ONLY`, lib: "SELECT id FROM posts ORDER BY id DESC LIMIT 2"},
		{pg: `SELECT id FROM posts ORDER BY id OFFSET 3 ROWS FETCH NEXT 2 ROWS ONLY`, lib: "SELECT id FROM posts ORDER BY id LIMIT 2 OFFSET 3"},
		{pg: `SELECT id FROM posts ORDER BY id LIMIT ALL OFFSET $1`, args: []any{98}, lib: "SELECT id FROM posts ORDER BY id LIMIT 2 OFFSET 98"},
		{pg: `SELECT id, "dueDate" FROM todos WHERE id <= 25 ORDER BY "dueDate" NULLS LAST, id`,
			lib: "SELECT id, dueDate FROM todos WHERE id <= 25 ORDER BY dueDate IS NULL, dueDate, id"},
		{pg: `SELECT id, "dueDate" AS d FROM todos WHERE id <= 25 ORDER BY d DESC NULLS FIRST, 1`,
			lib: "SELECT id, dueDate FROM todos WHERE id <= 25 ORDER BY dueDate IS NULL DESC, dueDate DESC, id"},
		{pg: `SELECT id, "dueDate" FROM todos WHERE id <= 25 ORDER BY "dueDate" DESC NULLS LAST, id`,
			lib: "SELECT id, dueDate FROM todos WHERE id <= 25 ORDER BY dueDate DESC, id"},
		{pg: `SELECT '1'::boolean, 'no'::boolean, 0::boolean, 5::boolean, NULL::boolean, ' TRUE '::bool, completed::boolean FROM todos WHERE id = 1`,
			lib:  "SELECT true, false, false, true, NULL, true, completed FROM todos WHERE id = 1",
			cols: []string{"bool", "bool", "bool", "bool", "bool", "bool", "completed"}},
		{pg: `SELECT id FROM users WHERE name ~ '^[A-E]' AND name !~ 'x' ORDER BY id`, lib: "SELECT id FROM users WHERE REGEXP_LIKE(name, '^[A-E]', 'c') AND NOT REGEXP_LIKE(name, 'x', 'c') ORDER BY id"},
		{pg: `SELECT id FROM users WHERE name ~* $1 ORDER BY id`, args: []any{"LOVE"}, lib: "SELECT id FROM users WHERE REGEXP_LIKE(name, 'love', 'i') ORDER BY id"},
		{pg: `SELECT id, GREATEST(id, NULL, 3) AS g, LEAST(id, 5) FROM users WHERE id IN (1, 9) ORDER BY id`,
			lib: "SELECT id, GREATEST(id, 3), LEAST(id, 5) FROM users WHERE id IN (1, 9) ORDER BY id", cols: []string{"id", "g", "least"}},
	}
	for _, tc := range tests {
		t.Run(tc.pg, func(t *testing.T) {
			want := libRows(t, e.lib, tc.lib)
			require.NotEmpty(t, want)
			for mode, c := range map[string]*pgx.Conn{"extended": extended, "simple": simple} {
				cols, got := pgxRows(t, c, tc.pg, tc.args...)
				require.Equal(t, want, got, "%s protocol", mode)
				if tc.cols != nil {
					require.Equal(t, tc.cols, cols, mode)
				}
			}
		})
	}
}
