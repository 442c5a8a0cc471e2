package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The shell reads statements from a non-terminal input: statements over
// several lines, several on a line, dot commands, modes.
func TestShellFromStandardInput(t *testing.T) {
	stdin = strings.NewReader(`SELECT id,
  title FROM posts
  WHERE id = 1; SELECT NULL AS n;
.mode csv
SELECT 'a;b' AS s -- a ; in a comment
;
.null NULL
.mode line
SELECT NULL AS n;
.explain on
SELECT id FROM posts WHERE userId = 1 LIMIT 2;
.explain off
.bogus
.mode xml
SELECT nope FROM posts;
.quit
SELECT 'not run' AS x;
`)
	defer func() { stdin = os.Stdin }()
	out, stderr, code := runCmd(t, context.Background(), "shell")
	require.Equal(t, exitOK, code, stderr)
	assert.Equal(t, `id | title
---+------------------------------
 1 | veniam exercitation veniam et
(1 row)
n
-
∅
(1 row)
s
a;b
n = NULL
`, out[:strings.Index(out, "      id = 1")])
	assert.Contains(t, out, "operator = Request\n  target = Demo.API.posts\n  detail = GET http://127.0.0.1:")
	assert.NotContains(t, out, "not run")
	assert.Equal(t, `error: unknown command .bogus (.help lists them)
error: .mode wants one of table, csv, json, jsonl, line
error: planner: unknown column nope`, strings.TrimSpace(stderr)[:strings.Index(strings.TrimSpace(stderr), "nope")+4])
}

func TestSplitStatements(t *testing.T) {
	for _, tc := range []struct {
		in    string
		stmts []string
		rest  string
	}{
		{"SELECT 1", nil, "SELECT 1"},
		{"SELECT 1;", []string{"SELECT 1"}, ""},
		{"SELECT 1; SELECT 2;  ", []string{"SELECT 1", "SELECT 2"}, "  "},
		{"SELECT ';' AS a; SELECT \"x;\" AS b", []string{"SELECT ';' AS a"}, " SELECT \"x;\" AS b"},
		{"SELECT 1 -- ;\n;", []string{"SELECT 1 -- ;"}, ""},
		{"SELECT /* ; */ 1;", []string{"SELECT /* ; */ 1"}, ""},
		{";;", nil, ""},
	} {
		stmts, rest := splitStatements(tc.in)
		assert.Equal(t, tc.stmts, stmts, tc.in)
		assert.Equal(t, tc.rest, rest, tc.in)
	}
}

func TestShellCompletion(t *testing.T) {
	tables := []string{"posts", "posts_by_user", "todos"}
	columns := []string{"id", "title", "userId"}
	words := func(before string) []string {
		cands, n := complete(before, tables, columns)
		var out []string
		for _, c := range cands {
			out = append(out, before[len(before)-n:]+string(c))
		}
		return out
	}
	assert.Equal(t, []string{"title", "todos"}, words("SELECT t"))
	assert.Equal(t, []string{"posts", "posts_by_user"}, words("SELECT title FROM po"))
	assert.Equal(t, []string{"todos"}, words("SELECT * FROM t"), "after FROM: tables only")
	assert.Equal(t, []string{"userId", "users"}[:1], words("SELECT p.u")[:1])
	assert.Equal(t, []string{"select"}, words("sel"), "a keyword in the case typed")
	assert.Equal(t, []string{".schema"}, words(".sc"))
	assert.Equal(t, []string{"todos"}, words(".schema to"))
	assert.Empty(t, words("SELECT zz"))
}
