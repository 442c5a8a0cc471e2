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
	{name: "WITH is named", sql: "WITH x AS (SELECT 1) SELECT * FROM x", err: "WITH (common table expressions) is not supported"},
	{name: "FULL JOIN is named", sql: "SELECT * FROM a FULL OUTER JOIN b ON a.x = b.x", err: "FULL OUTER JOIN is not supported"},
	{name: "EXCEPT is named", sql: "SELECT x FROM a EXCEPT SELECT x FROM b", err: "EXCEPT is not supported"},
	{name: "over as a column name is fine", sql: "SELECT over FROM t", want: "select over from t"},
}

func TestParse(t *testing.T) {
	for _, tt := range parseCases {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Parse(tt.sql)
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
		p, err := Parse(sql)
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
	})
}

func errorsAs(err error, target **SyntaxError) bool {
	se, ok := err.(*SyntaxError)
	if ok {
		*target = se
	}
	return ok
}
