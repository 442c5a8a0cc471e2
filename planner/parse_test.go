package planner

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/xwb1989/sqlparser"
)

var parseCases = []struct {
	name     string
	sql      string
	want     string // sqlparser.String of the parsed statement, nameSep shown as "·"
	explain  bool
	numInput int
	err      string
	ansi     bool // ParseOptions.AnsiQuotes
}{
	{name: "one part", sql: "SELECT title FROM posts", want: "select title from posts"},
	{name: "two parts", sql: "SELECT title FROM API.posts", want: "select title from API.posts"},
	{name: "three parts", sql: "SELECT title, body FROM API1.API.posts WHERE userId = 5", want: "select title, body from `API1·API`.posts where userId = 5"},
	{name: "three-part column", sql: "SELECT API1.API.posts.title FROM API1.API.posts", want: "select `API1·API`.posts.title from `API1·API`.posts"},
	{name: "schema.table.column", sql: "SELECT API.posts.title FROM API.posts", want: "select `API·posts`.title from API.posts"},
	{name: "spaces around dots", sql: "SELECT x FROM a . b . c", want: "select x from `a·b`.c"},
	{name: "quoted parts", sql: "SELECT x FROM `my cat`.API.`order`", want: "select x from `my cat·API`.`order`"},
	{name: "string literal untouched", sql: "SELECT 'a.b.c' FROM t WHERE x = 'API1.API.posts'", want: "select 'a.b.c' from t where x = 'API1.API.posts'"},
	{name: "LIKE escapes keep their backslash", sql: `SELECT x FROM t WHERE a LIKE '%\_K\%' AND b = 'it\'s\n'`, want: `select x from t where a like '%\\_K\\%' and b = 'it\'s\n'`},
	{name: "comment untouched", sql: "SELECT x /* a.b.c */ FROM t", want: "select x from t"},
	{name: "join with aliases", sql: "SELECT p.id FROM c.s.posts p JOIN c.s.users u ON u.id = p.userId", want: "select p.id from `c·s`.posts as p join `c·s`.users as u on u.id = p.userId"},
	{name: "star of three parts", sql: "SELECT c.s.t.* FROM c.s.t", want: "select `c·s`.t.* from `c·s`.t"},
	{name: "placeholders", sql: "SELECT * FROM t WHERE a = ? AND b IN (?, ?) LIMIT ?", want: "select * from t where a = :v1 and b in (:v2, :v3) limit :v4", numInput: 4},
	{name: "named parameter", sql: "SELECT * FROM t WHERE a = :name", want: "select * from t where a = :name", numInput: -1},
	{name: "explain", sql: "EXPLAIN SELECT x FROM a.b.c", want: "select x from `a·b`.c", explain: true},
	{name: "explain lower case after comment", sql: "-- plan\nexplain select 1", want: "select 1 from dual", explain: true},
	{name: "explain of insert", sql: "EXPLAIN INSERT INTO t (a) VALUES (1)", err: "EXPLAIN supports SELECT statements only"},
	{name: "five parts", sql: "SELECT a.b.c.d.e FROM t", err: "has 5 parts"},
	{name: "empty", sql: "  ", err: "empty statement"},
	{name: "syntax error position", sql: "SELECT title FROM posts WHERE", err: "at line 1 column 30"},
	{name: "syntax error after rewrite maps back", sql: "SELECT title FROM API1.API.posts WHERE WHERE", err: `at line 1 column 40 near "WHERE"`},
	{name: "syntax error second line", sql: "SELECT title\nFROM posts\nWHERE id = = 3", err: "at line 3 column"},
	{name: "window functions are named", sql: "SELECT row_number() over () FROM t", err: "window functions (… OVER (…)) are not supported at line 1 column 21"},
	// WITH: each reference becomes a derived table.
	{name: "WITH", sql: "WITH x AS (SELECT 1) SELECT * FROM x", want: "select * from (select 1 from dual) as x"},
	{name: "WITH two CTEs, the second reading the first", sql: "with a as (select id, userId from posts where userId = ?), b AS (SELECT userId, count(*) AS n FROM a GROUP BY userId) SELECT * FROM b JOIN a ON a.userId = b.userId WHERE a.id > ?",
		want: "select * from (select userId, count(*) as n from (select id, userId from posts where userId = :v1) as a group by userId) as b join (select id, userId from posts where userId = :v1) as a on a.userId = b.userId where a.id > :v2", numInput: 2},
	{name: "WITH reference with an alias", sql: "WITH x AS (SELECT a FROM t) SELECT y.a FROM x AS y, x z", want: "select y.a from (select a from t) as y, (select a from t) as z"},
	{name: "WITH column list", sql: "WITH x(p, q) AS (SELECT a, b AS c FROM t ORDER BY c) SELECT p, q FROM x", want: "select p, q from (select a as p, b as q from t order by q asc) as x"},
	{name: "WITH column list of a UNION", sql: "WITH x(p) AS (SELECT a FROM t UNION SELECT b FROM u) SELECT p FROM x", want: "select p from (select a as p from t union select b from u) as x"},
	{name: "WITH column list of fewer names", sql: "WITH x(p) AS (SELECT a, b FROM t) SELECT * FROM x", want: "select * from (select a as p, b from t) as x"},
	{name: "WITH in a subquery of the main query", sql: "WITH x AS (SELECT a FROM t) SELECT 1 FROM u WHERE u.a IN (SELECT a FROM x)", want: "select 1 from u where u.a in (select a from (select a from t) as x)"},
	{name: "WITH qualified name is a table", sql: "WITH x AS (SELECT a FROM t) SELECT * FROM s.x", want: "select * from s.x"},
	{name: "WITH a CTE that reads a table of its own name", sql: "WITH posts AS (SELECT * FROM posts WHERE id < 3) SELECT * FROM posts", want: "select * from (select * from posts where id < 3) as posts"},
	{name: "WITH quoted names", sql: `WITH "my x"("A") AS (SELECT 1) SELECT "A" FROM "my x"`, want: "select A from (select 1 as A from dual) as `my x`", ansi: true},
	{name: "WITH materialized", sql: "WITH x AS NOT MATERIALIZED (SELECT 1) SELECT * FROM x", want: "select * from (select 1 from dual) as x"},
	{name: "WITH after a comment, under EXPLAIN", sql: "EXPLAIN /* c */ WITH x AS (SELECT 1) SELECT * FROM x", want: "select * from (select 1 from dual) as x", explain: true},
	{name: "WITH placeholder in an unused CTE counts", sql: "WITH x AS (SELECT ?), y AS (SELECT 1) SELECT * FROM y", want: "select * from (select 1 from dual) as y", numInput: 1},
	{name: "WITH RECURSIVE", sql: "WITH RECURSIVE x AS (SELECT 1) SELECT * FROM x", err: `WITH RECURSIVE is not supported (only non-recursive common table expressions are) at line 1 column 6 near "RECURSIVE"`},
	{name: "WITH syntax error in a CTE maps back", sql: "WITH x AS (SELECT a FROM t WHERE WHERE) SELECT * FROM x", err: `at line 1 column 34 near "WHERE"`},
	{name: "WITH syntax error in the main query maps back", sql: "WITH x AS (SELECT a FROM t)\nSELECT * FROM x WHERE WHERE", err: `at line 2 column 23 near "WHERE"`},
	{name: "WITH name twice", sql: "WITH x AS (SELECT 1), x AS (SELECT 2) SELECT * FROM x", err: `WITH query name "x" specified more than once at line 1 column 23`},
	{name: "WITH too many column names", sql: "WITH x(a, b) AS (SELECT 1) SELECT * FROM x", err: "WITH query x has 1 columns available but 2 columns specified at line 1 column 7"},
	{name: "WITH column list over *", sql: "WITH x(a) AS (SELECT * FROM t) SELECT * FROM x", err: "WITH x(…) names its columns, so its query must list them (not *)"},
	{name: "WITH without AS", sql: "WITH x (SELECT 1) SELECT 1", err: "at line 1 column 9"},
	{name: "WITH without a statement", sql: "WITH x AS (SELECT 1)", err: "WITH needs a statement after its queries"},
	{name: "WITH unclosed", sql: "WITH x AS (SELECT 1", err: "has no closing )"},
	{name: "WITH of an INSERT", sql: "WITH x AS (INSERT INTO t VALUES (1)) SELECT 1", err: "the query of WITH x must be a SELECT at line 1 column 12"},
	{name: "WITH in a subquery is named", sql: "SELECT * FROM (WITH x AS (SELECT 1) SELECT * FROM x) d", err: "WITH inside a subquery is not supported"},
	{name: "FULL JOIN is named", sql: "SELECT * FROM a FULL OUTER JOIN b ON a.x = b.x", err: "FULL OUTER JOIN is not supported"},
	{name: "EXCEPT is named", sql: "SELECT x FROM a EXCEPT SELECT x FROM b", err: "EXCEPT is not supported"},
	{name: "a short MySQL comment does not panic the tokenizer", sql: "/*!*/0", err: "syntax error (the parser failed: "},
	{name: "over as a column name is fine", sql: "SELECT over FROM t", want: "select over from t"},
	// SUBSTR and friends of any expression: the parser takes only a column.
	{name: "SUBSTR of an expression", sql: "SELECT SUBSTR(UPPER(name), 1, 2) FROM t", want: "select SUBSTR(UPPER(name), 1, 2) from t"},
	{name: "SUBSTR of a literal and a placeholder", sql: "SELECT SUBSTR('abc', 2), substring(?, 1, 1) FROM t", want: "select SUBSTR('abc', 2), substring(:v1, 1, 1) from t", numInput: 1},
	{name: "SUBSTRING FROM FOR of an expression", sql: "SELECT SUBSTRING(CONCAT(a, b) FROM 2 FOR 3) FROM t", want: "select SUBSTRING(CONCAT(a, b), 2, 3) from t"},
	{name: "SUBSTRING FROM without FOR", sql: "SELECT SUBSTRING(name FROM 2) FROM t", want: "select SUBSTRING(name, 2) from t"},
	{name: "SUBSTR around a subquery keeps its FROM", sql: "SELECT SUBSTR((SELECT name FROM u LIMIT 1) FROM 2) FROM t", want: "select SUBSTR((select name from u limit 1), 2) from t"},
	{name: "substr as a column name", sql: "SELECT t.substr FROM t", want: "select t.`substr` from t"},
	{name: "TRIM LEADING", sql: "SELECT TRIM(LEADING 'x' FROM UPPER(a)) FROM t", want: "select TRIM_LEADING('x', UPPER(a)) from t"},
	{name: "TRIM without a specification", sql: "SELECT trim('x' FROM a), TRIM(a) FROM t", want: "select TRIM_BOTH('x', a), TRIM(a) from t"},
	{name: "TRIM of spaces", sql: "SELECT TRIM(TRAILING FROM a) FROM t", want: "select TRIM_TRAILING(' ', a) from t"},
	{name: "POSITION IN", sql: "SELECT POSITION('a' IN LOWER(b)) FROM t WHERE c IN (1, 2)", want: "select POSITION('a', LOWER(b)) from t where c in (1, 2)"},
	{name: "EXTRACT", sql: "SELECT EXTRACT(year FROM d), EXTRACT(SECOND FROM NOW()) FROM t", want: "select EXTRACT_YEAR(d), EXTRACT_SECOND(NOW()) from t"},
	{name: "EXTRACT of an unknown unit", sql: "SELECT EXTRACT(WEEK FROM d) FROM t", err: `EXTRACT supports YEAR, MONTH, DAY, HOUR, MINUTE and SECOND at line 1 column 16 near "WEEK"`},
	{name: "CAST to SQLite and PostgreSQL types", sql: "SELECT CAST(a AS INTEGER), CAST(b AS TEXT), CAST(c AS VARCHAR(3)), CONVERT(d, DOUBLE), CAST(e AS NUMERIC(4, 1)), CAST(f AS SIGNED INTEGER) FROM t", want: "select convert(a, signed), convert(b, char), convert(c, char(3)), convert(d, decimal), convert(e, decimal(4, 1)), convert(f, signed) from t"},
	{name: "CAST to BOOLEAN", sql: "SELECT CAST(a AS BOOLEAN) FROM t", err: `CAST to BOOLEAN is not supported: compare instead (x <> 0) at line 1 column 18 near "BOOLEAN"`},
	{name: "CAST to FLOAT(p)", sql: "SELECT CAST(a AS FLOAT(10)) FROM t", err: "CAST to FLOAT(…) is not supported: use DECIMAL(m, d) or DECIMAL at line 1 column 18"},
	{name: "syntax error after a function rewrite maps back", sql: "SELECT SUBSTRING(UPPER(name) FROM 2 FOR 3) FROM t WHERE WHERE", err: `at line 1 column 57 near "WHERE"`},
	{name: "syntax error inside a rewritten call", sql: "SELECT SUBSTR(UPPER(name) FROM , 2) FROM t", err: "syntax error at line 1 column 33"},
	// One statement per query.
	{name: "two statements", sql: "SELECT 1; SELECT 2", err: `one statement per query: found a second statement at line 1 column 11 near "SELECT"`},
	{name: "two statements on two lines", sql: "SELECT 1;\n  DELETE FROM t", err: `found a second statement at line 2 column 3 near "DELETE"`},
	{name: "a trailing semicolon and comment", sql: "SELECT 1; -- done", want: "select 1 from dual"},
	{name: "a semicolon in a string", sql: "SELECT 'a; SELECT 2' FROM t", want: "select 'a; SELECT 2' from t"},
	// Non-ASCII names.
	{name: "non-ASCII name gets a hint", sql: "SELECT prénom FROM t", err: "syntax error (a name with non-ASCII letters needs backticks: `prénom`) at line 1 column 8 near \"prénom\""},
	{name: "non-ASCII name with AnsiQuotes", sql: "SELECT x FROM t WHERE größe > 1", err: "syntax error (a name with non-ASCII letters needs quotes: \"größe\" or `größe`) at line 1 column 23", ansi: true},
	{name: "non-ASCII name quoted", sql: "SELECT `prénom` FROM t", want: "select `prénom` from t"},
	{name: "non-ASCII in a string is no name", sql: "SELECT 'prénom' FROM t WHERE WHERE", err: `syntax error at line 1 column 30 near "WHERE"`},
	// LIMIT values out of range.
	{name: "LIMIT out of range", sql: "SELECT 1 LIMIT 99999999999999999999", err: `LIMIT 99999999999999999999 is out of range (at most 9223372036854775807) at line 1 column 16`},
	{name: "OFFSET out of range", sql: "SELECT 1 LIMIT 1 OFFSET 9223372036854775808", err: "OFFSET 9223372036854775808 is out of range"},
	{name: "LIMIT m, n out of range", sql: "SELECT 1 LIMIT 1, 99999999999999999999", err: "LIMIT 99999999999999999999 is out of range"},
	{name: "LIMIT at the maximum", sql: "SELECT 1 LIMIT 9223372036854775807", want: "select 1 from dual limit 9223372036854775807"},
	// AnsiQuotes: "name" is an identifier.
	{name: "double quotes are a string by default", sql: `SELECT "amount" FROM t`, want: "select 'amount' from t"},
	{name: "AnsiQuotes: double quotes name a column", sql: `SELECT "amount", 'text' FROM t WHERE "a b" = 'x'`, want: "select amount, 'text' from t where `a b` = 'x'", ansi: true},
	{name: "AnsiQuotes: doubled quote inside", sql: `SELECT "say ""hi""" FROM t`, want: "select `say \"hi\"` from t", ansi: true},
	{name: "AnsiQuotes: three-part name", sql: `SELECT "p"."title" FROM "API1"."API"."posts" AS "p"`, want: "select p.title from `API1·API`.posts as p", ansi: true},
	{name: "AnsiQuotes: backticks still work", sql: "SELECT `amount` FROM t", want: "select amount from t", ansi: true},
	{name: "AnsiQuotes: single-quoted strings untouched", sql: `SELECT 'it''s "x"' FROM t`, want: `select 'it\'s \"x\"' from t`, ansi: true},
}

func TestParse(t *testing.T) {
	for _, tt := range parseCases {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParseWith(tt.sql, ParseOptions{AnsiQuotes: tt.ansi})
			if tt.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.err)
				return
			}
			require.NoError(t, err)
			got := strings.ReplaceAll(sqlparser.String(p.Stmt), nameSep, "·")
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.explain, p.Explain)
			assert.Equal(t, tt.numInput, p.NumInput)
		})
	}
}

func TestNameParts(t *testing.T) {
	p, err := Parse("SELECT 1 FROM API1.API.posts")
	require.NoError(t, err)
	te := p.Stmt.(*sqlparser.Select).From[0].(*sqlparser.AliasedTableExpr)
	assert.Equal(t, []string{"API1", "API", "posts"}, nameParts(te.Expr.(sqlparser.TableName)))
}

func FuzzParse(f *testing.F) {
	for _, tt := range parseCases {
		f.Add(tt.sql)
	}
	f.Fuzz(func(t *testing.T, sql string) {
		for _, ansi := range []bool{false, true} {
			fuzzParse(t, sql, ParseOptions{AnsiQuotes: ansi})
		}
	})
}

// fuzzParse checks that Parse returns a statement or an error whose
// position is in the text.
func fuzzParse(t *testing.T, sql string, o ParseOptions) {
	{
		p, err := ParseWith(sql, o)
		if err != nil {
			var se *SyntaxError
			if errorsAs(err, &se) {
				require.GreaterOrEqual(t, se.Pos, 0)
				require.LessOrEqual(t, se.Pos, len(sql))
				_ = se.Error()
			}
			return
		}
		require.NotNil(t, p.Stmt)
	}
}

func errorsAs(err error, target **SyntaxError) bool {
	se, ok := err.(*SyntaxError)
	if ok {
		*target = se
	}
	return ok
}

func TestSplitWith(t *testing.T) {
	for _, tt := range []struct{ sql, with, main string }{
		{"WITH a AS (SELECT 1) SELECT * FROM a", "WITH a AS (SELECT 1) ", "SELECT * FROM a"},
		{"/* c */ with a(x, y) AS (SELECT 1, 2), b AS (SELECT (1)) SELECT x FROM a, b", "/* c */ with a(x, y) AS (SELECT 1, 2), b AS (SELECT (1)) ", "SELECT x FROM a, b"},
		{"WITH `a b` AS (SELECT ')') (SELECT 1)", "WITH `a b` AS (SELECT ')') ", "(SELECT 1)"},
		{"SELECT 1", "", ""},
		{"WITH a AS (SELECT 1", "", ""},
	} {
		with, main, ok := SplitWith(tt.sql)
		assert.Equal(t, tt.with != "", ok, tt.sql)
		assert.Equal(t, tt.with, with, tt.sql)
		assert.Equal(t, tt.main, main, tt.sql)
	}
}
