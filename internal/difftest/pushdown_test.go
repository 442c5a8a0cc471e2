package difftest

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// pushCase asks one question twice: pushed lets the planner send a
// predicate (or sort, or limit) to the API; plain hides it behind an
// expression the planner cannot push (id + 0, CONCAT(x, ”)), so the
// driver does all the work. Both must give SQLite's answer and the same
// rows, and the pushed form must carry the pushed parameter and make the
// requests the case says.
type pushCase struct {
	name          string
	pushed, plain string
	// table is the path prefix whose requests are counted (/posts also
	// counts /posts/7).
	table string
	// wantPushed and wantPlain are the request counts to table (0 = not
	// checked). With only wantPlain set, pushed must make fewer requests;
	// with neither (the inner table of a join, whose requests depend on the
	// join strategy), no more.
	wantPushed, wantPlain int
	// param is a query parameter (name=value) every pushed request to
	// table carries; path, when set, is a path every one of them has.
	param, path string
	// notParam is a query parameter no pushed request to table carries.
	notParam string
}

var pushCases = []pushCase{
	{
		name:   "equality on a filter column",
		pushed: "SELECT id, title FROM posts WHERE userId = 3",
		plain:  "SELECT id, title FROM posts WHERE userId + 0 = 3",
		table:  "/posts", wantPushed: 1, wantPlain: 5, param: "userId=3",
	},
	{
		name:   "IN list as a repeated parameter",
		pushed: "SELECT id, email FROM comments WHERE postId IN (3, 4)",
		plain:  "SELECT id, email FROM comments WHERE postId + 0 IN (3, 4)",
		table:  "/comments", wantPushed: 1, wantPlain: 25, param: "postId=4",
	},
	{
		name:   "range as _gte and _lte",
		pushed: "SELECT id FROM comments WHERE postId BETWEEN 10 AND 13",
		plain:  "SELECT id FROM comments WHERE postId + 0 BETWEEN 10 AND 13",
		table:  "/comments", wantPushed: 1, wantPlain: 25, param: "postId_gte=10",
	},
	{
		name:   "loose LIKE: pushed as a regular expression, re-checked by the driver",
		pushed: "SELECT id, title FROM posts WHERE title LIKE '%dolor%'",
		plain:  "SELECT id, title FROM posts WHERE CONCAT(title, '') LIKE '%dolor%'",
		table:  "/posts", wantPlain: 5, param: "title_like=dolor",
	},
	{
		name:   "nested path filter",
		pushed: "SELECT name FROM users WHERE addressCity IN ('Boston', 'Stanford')",
		plain:  "SELECT name FROM users WHERE CONCAT(addressCity, '') IN ('Boston', 'Stanford')",
		table:  "/users", wantPushed: 1, wantPlain: 1, param: "address.city=Stanford",
	},
	{
		name:   "sort and limit pushed",
		pushed: "SELECT id, title FROM posts ORDER BY id DESC LIMIT 5",
		plain:  "SELECT id, title FROM posts ORDER BY id + 0 DESC LIMIT 5",
		table:  "/posts", wantPushed: 1, wantPlain: 5, param: "_limit=5",
	},
	{
		name:   "sort pushed; the limit is not pushed past a residual filter, but the scan stops early",
		pushed: "SELECT id FROM comments WHERE postId >= 50 AND email LIKE '%a%' ORDER BY id LIMIT 5",
		plain:  "SELECT id FROM comments WHERE postId + 0 >= 50 AND CONCAT(email, '') LIKE '%a%' ORDER BY id + 0 LIMIT 5",
		table:  "/comments", wantPushed: 1, wantPlain: 25, param: "_sort=id", notParam: "_limit=5",
	},
	{
		name:   "key equality through get:",
		pushed: "SELECT * FROM todos WHERE id = 10",
		plain:  "SELECT * FROM todos WHERE id + 0 = 10",
		table:  "/todos", wantPushed: 1, wantPlain: 10, path: "/todos/10",
	},
	{
		name:   "WHERE conjunct below a join, on the outer table",
		pushed: "SELECT u.name, p.title FROM users u JOIN posts p ON p.userId = u.id WHERE u.addressCity = 'Boston' AND p.id % 3 = 0",
		plain:  "SELECT u.name, p.title FROM users u JOIN posts p ON p.userId = u.id WHERE CONCAT(u.addressCity, '') = 'Boston' AND p.id % 3 = 0",
		table:  "/users", wantPushed: 1, wantPlain: 1, param: "address.city=Boston",
	},
	{
		name:   "WHERE conjunct below a join, on the inner table",
		pushed: "SELECT u.name, p.id FROM users u JOIN posts p ON p.userId = u.id WHERE p.userId = 4",
		plain:  "SELECT u.name, p.id FROM users u JOIN posts p ON p.userId = u.id WHERE p.userId + 0 = 4",
		table:  "/posts", param: "userId=4",
	},
	{
		name:   "ON conjunct of a LEFT JOIN on its inner table",
		pushed: "SELECT u.id, t.id FROM users u LEFT JOIN todos t ON t.userId = u.id AND t.completed = true",
		plain:  "SELECT u.id, t.id FROM users u LEFT JOIN todos t ON t.userId = u.id AND NOT NOT t.completed",
		table:  "/todos", param: "completed=true",
	},
	{
		name:   "three tables, one pushed predicate each",
		pushed: "SELECT u.username, p.id, c.id FROM users u JOIN posts p ON p.userId = u.id JOIN comments c ON c.postId = p.id WHERE u.username = 'ken' AND p.id >= 75 AND c.email LIKE '%jewel%'",
		plain:  "SELECT u.username, p.id, c.id FROM users u JOIN posts p ON p.userId = u.id JOIN comments c ON c.postId = p.id WHERE CONCAT(u.username, '') = 'ken' AND p.id + 0 >= 75 AND CONCAT(c.email, '') LIKE '%jewel%'",
		table:  "/comments", param: "email_like=jewel",
	},
}

func TestPushdownDoesNotChangeAnswers(t *testing.T) {
	e := newEnv(t)
	for _, c := range pushCases {
		t.Run(c.name, func(t *testing.T) {
			// Both forms give SQLite's answer.
			for _, q := range []string{c.pushed, c.plain} {
				msg, _ := e.diff(diffCase{rs: q})
				require.Empty(t, msg)
			}
			pushedRows, pushedReqs := e.requests(t, c.pushed, c.table)
			plainRows, plainReqs := e.requests(t, c.plain, c.table)
			ord, err := ordered(c.pushed)
			require.NoError(t, err)
			assert.True(t, sameRows(pushedRows, plainRows, ord), "pushed and plain answers differ\npushed:\n%splain:\n%s", formatRows(pushedRows), formatRows(plainRows))

			if c.wantPushed > 0 {
				assert.Len(t, pushedReqs, c.wantPushed, "requests to %s for %s", c.table, c.pushed)
			}
			if c.wantPlain > 0 {
				assert.Len(t, plainReqs, c.wantPlain, "requests to %s for %s", c.table, c.plain)
			}
			switch {
			case c.wantPushed == 0 && c.wantPlain == 0:
				// An inner table: a lookup join may read it with few
				// requests either way.
				assert.LessOrEqual(t, len(pushedReqs), len(plainReqs), "pushdown should not add requests to %s\npushed: %q\nplain: %q", c.table, pushedReqs, plainReqs)
			case c.wantPushed == 0:
				assert.Less(t, len(pushedReqs), len(plainReqs), "pushdown should save requests to %s\npushed: %q\nplain: %q", c.table, pushedReqs, plainReqs)
			}
			require.NotEmpty(t, pushedReqs)
			for _, r := range pushedReqs {
				if c.param != "" {
					assert.Contains(t, "&"+r+"&", "&"+c.param+"&", "a request of %s", c.pushed)
				}
				if c.notParam != "" {
					assert.NotContains(t, "&"+r+"&", "&"+c.notParam+"&", "a request of %s", c.pushed)
				}
				if c.path != "" {
					assert.True(t, strings.HasPrefix(r, c.path+"?") || r == c.path, "request %s of %s, want path %s", r, c.pushed, c.path)
				}
			}
			for _, r := range plainReqs {
				if c.param != "" && !strings.HasPrefix(c.param, "_") {
					assert.NotContains(t, "&"+r+"&", "&"+c.param+"&", "the plain form must not push: %s", c.plain)
				}
			}
		})
	}
}

// requests runs q and returns its rows and the requests it made whose
// path starts with prefix, each as "path?decoded query" (the query
// parameters sorted, & before every one), in the order they were made.
func (e *env) requests(t *testing.T, q, prefix string) ([][]any, []string) {
	t.Helper()
	e.srv.ResetRequests()
	res, err := runQuery(e.rs, q)
	require.NoError(t, err, q)
	var out []string
	for _, r := range e.srv.Requests() {
		if r.Path != prefix && !strings.HasPrefix(r.Path, prefix+"/") {
			continue
		}
		s := r.Path
		if enc := r.Query.Encode(); enc != "" {
			dec := strings.NewReplacer("%2C", ",", "%2F", "/").Replace(enc)
			s += "?&" + dec
		}
		out = append(out, s)
	}
	return res.rows, out
}
