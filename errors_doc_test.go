package restsql_test

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
)

// documentedErrors reads docs/reference.md's "Errors you may see": the
// sentinels of its first table and the "when" column of its table of
// messages.
func documentedErrors(t *testing.T) (sentinels, whens []string) {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join("docs", "reference.md"))
	require.NoError(t, err)
	_, sec, ok := strings.Cut(string(doc), "## 4. Errors you may see")
	require.True(t, ok, "docs/reference.md has its errors section")
	sec, _, _ = strings.Cut(sec, "\n## ")
	sentinel := regexp.MustCompile("^\\| `restsql\\.(Err[A-Za-z]+)` \\|")
	inMessages := false
	for _, line := range strings.Split(sec, "\n") {
		if m := sentinel.FindStringSubmatch(line); m != nil {
			sentinels = append(sentinels, m[1])
		}
		switch {
		case line == "| when | message |":
			inMessages = true
		case inMessages && strings.HasPrefix(line, "|---"):
		case inMessages && strings.HasPrefix(line, "| "):
			when, _, _ := strings.Cut(strings.TrimPrefix(line, "| "), " | ")
			whens = append(whens, when)
		case inMessages:
			inMessages = false
		}
	}
	require.NotEmpty(t, sentinels)
	require.NotEmpty(t, whens)
	return sentinels, whens
}

// TestDocumentedSentinels: the sentinels the reference lists are the
// root's, all of them.
func TestDocumentedSentinels(t *testing.T) {
	exported := map[string]error{
		"ErrNotSupported": restsql.ErrNotSupported, "ErrUnknownTable": restsql.ErrUnknownTable,
		"ErrUnknownColumn": restsql.ErrUnknownColumn, "ErrUnknownFunction": restsql.ErrUnknownFunction,
		"ErrAmbiguous": restsql.ErrAmbiguous, "ErrGrouping": restsql.ErrGrouping, "ErrSyntax": restsql.ErrSyntax,
		"ErrMissingKey": restsql.ErrMissingKey, "ErrTypeMismatch": restsql.ErrTypeMismatch,
		"ErrOutOfRange": restsql.ErrOutOfRange, "ErrHTTP": restsql.ErrHTTP, "ErrConfig": restsql.ErrConfig,
		"ErrInvalidSQL": restsql.ErrInvalidSQL, "ErrCardinality": restsql.ErrCardinality,
	}
	documented, _ := documentedErrors(t)
	var names []string
	for n, err := range exported {
		require.NotNil(t, err, n)
		names = append(names, n)
	}
	assert.ElementsMatch(t, names, documented, "docs/reference.md's sentinels are the root's")
}

// errorsAPI answers the requests of TestDocumentedErrors: rows, a
// refused write, a created row without an id, a cursor loop, failures, a
// hung response and a refused token.
func errorsAPI(t *testing.T) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.URL.Path == "/posts" && r.Method == http.MethodGet:
			io.WriteString(w, `[{"id":1,"title":"a","userId":1}]`)
		case r.URL.Path == "/posts" && r.Method == http.MethodPost:
			body, _ := io.ReadAll(r.Body)
			if !strings.Contains(string(body), `"title"`) {
				w.WriteHeader(http.StatusUnprocessableEntity)
				io.WriteString(w, `{"error":"title is required"}`)
				return
			}
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{}`)
		case r.URL.Path == "/loop":
			io.WriteString(w, `{"data":[{"id":1}],"next":"abc"}`)
		case r.URL.Path == "/missing":
			http.Error(w, `{"error":"no such thing"}`, http.StatusNotFound)
		case r.URL.Path == "/down":
			http.Error(w, `{"error":"down"}`, http.StatusServiceUnavailable)
		case r.URL.Path == "/slow":
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		case r.URL.Path == "/token":
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"error":"invalid_client"}`)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

const errorsProfile = `catalogs:
  API1:
    url: SRV
    schemas:
      API:
        tables:
          posts:
            url: /posts
            columns:
              - {name: id, type: int, key: true, readOnly: true}
              - {name: title, type: string}
              - {name: userId, type: int}
            insert: {method: POST, url: /posts}
            update: {method: PATCH, url: "/posts/{id}"}
          comments_by_post:
            url: /posts/{postId}/comments
            columns: [{name: postId, type: int}, {name: id, type: int}]
          loop:
            url: /loop
            rows: data
            pagination: {type: cursor, cursorPath: next, cursorParam: cursor}
            columns: [{name: id, type: int}]
          missing: {url: /missing, columns: [{name: id, type: int}]}
          down: {url: /down, columns: [{name: id, type: int}]}
          slow: {url: /slow, columns: [{name: id, type: int}]}
  Secret:
    url: SRV
    auth: {scheme: Basic, user: "${User}", password: x}
    schemas:
      S:
        tables:
          t: {url: /posts, columns: [{name: id, type: int}]}
  OAuth:
    url: SRV
    auth: {scheme: OAuth2, clientId: c, clientSecret: s, tokenURL: SRV/token}
    schemas:
      O:
        tables:
          t: {url: /posts, columns: [{name: id, type: int}]}
`

// TestDocumentedErrors makes every error of docs/reference.md's table of
// messages and checks the sentinels errors.Is finds from the root: a
// documented error without a case here fails the test.
func TestDocumentedErrors(t *testing.T) {
	srv := errorsAPI(t)
	dir := t.TempDir()
	writeProfile := func(t *testing.T, name, text string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(strings.ReplaceAll(text, "SRV", srv.URL)), 0o600))
		return path
	}
	good := writeProfile(t, "api.yaml", errorsProfile)
	// open opens the DSN (ParseDSN, then NewConnector), with tweaks to
	// the parsed Config.
	open := func(t *testing.T, dsn string, tweak ...func(*restsql.Config)) (*sql.DB, error) {
		cfg, err := restsql.ParseDSN(dsn)
		if err != nil {
			return nil, err
		}
		for _, f := range tweak {
			f(cfg)
		}
		conn, err := restsql.NewConnector(cfg)
		if err != nil {
			return nil, err
		}
		db := sql.OpenDB(conn)
		t.Cleanup(func() { db.Close() })
		return db, nil
	}
	// run opens the good profile and runs one statement to its end.
	run := func(t *testing.T, sqlText string, tweak ...func(*restsql.Config)) error {
		db, err := open(t, "Profile="+good+";defaultCatalog=API1", tweak...)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(sqlText, "SELECT") {
			_, err := db.ExecContext(context.Background(), sqlText)
			return err
		}
		rows, err := db.QueryContext(context.Background(), sqlText)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
		}
		return rows.Err()
	}
	profileWith := func(t *testing.T, old, new string) string {
		require.Contains(t, errorsProfile, old)
		return writeProfile(t, strings.ReplaceAll(t.Name(), "/", "_")+".yaml", strings.Replace(errorsProfile, old, new, 1))
	}
	closedPort := func(t *testing.T) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		return "http://" + addr
	}
	noRetries := func(c *restsql.Config) { c.MaxRetries = 0 }

	cases := map[string]struct {
		err func(t *testing.T) error
		// is are the sentinels (or standard errors) errors.Is finds.
		is []error
		// says is a part of the documented message.
		says string
	}{
		"DSN typo": {func(t *testing.T) error { _, err := open(t, "Profil=x"); return err },
			[]error{restsql.ErrConfig}, `restsql: dsn: unknown property "Profil" (did you mean "Profile"?)`},
		"`;` inside an unquoted secret": {func(t *testing.T) error { _, err := open(t, "Password=a;b;Profile=x"); return err },
			[]error{restsql.ErrConfig}, `the text after the Password value has no "="`},
		"value out of range": {func(t *testing.T) error { _, err := open(t, "Verbosity=9"); return err },
			[]error{restsql.ErrConfig}, "restsql: dsn: Verbosity: 9 is out of range (want 1 to 5)"},
		"unknown default catalog": {func(t *testing.T) error { _, err := open(t, "Profile="+good+";defaultCatalog=API3"); return err },
			[]error{restsql.ErrConfig}, `restsql: dsn: defaultCatalog: no catalog "API3" in the profile`},
		"profile typo": {func(t *testing.T) error {
			_, err := open(t, "Profile="+profileWith(t, "columns: [{name: postId", "colums: [{name: postId"))
			return err
		}, []error{restsql.ErrConfig}, `unknown field "colums" (did you mean "columns"?)`},
		"profile validation": {func(t *testing.T) error {
			_, err := open(t, "Profile="+profileWith(t, "{name: userId, type: int}", "{name: userId, type: integer}"))
			return err
		}, []error{restsql.ErrConfig}, `column userId: unknown type "integer"`},
		"unquoted `!=` filter key": {func(t *testing.T) error {
			_, err := open(t, "Profile="+profileWith(t, "{name: userId, type: int}", "{name: userId, type: int, filters: {!=: {param: u}}}"))
			return err
		}, []error{restsql.ErrConfig}, `quote it, "!="`},
		"DSN URL without a scheme": {func(t *testing.T) error {
			_, err := open(t, "Profile="+good+";defaultCatalog=API1;URL=localhost:3300")
			return err
		},
			[]error{restsql.ErrConfig}, `restsql: dsn: URL: "localhost:3300" has no scheme and host`},
		"API down at `db.Ping()`": {func(t *testing.T) error {
			db, err := open(t, "Profile="+good+";defaultCatalog=API1;URL="+closedPort(t))
			require.NoError(t, err)
			return db.Ping()
		}, []error{restsql.ErrHTTP}, "restsql: ping: catalog API1: HEAD http://127.0.0.1:"},
		"missing secret": {func(t *testing.T) error { return run(t, "SELECT * FROM Secret.S.t") },
			[]error{restsql.ErrConfig}, "restsql: catalog Secret: auth: Basic user: unresolved placeholder ${User}"},
		"unknown table": {func(t *testing.T) error { return run(t, "SELECT * FROM post") },
			[]error{restsql.ErrUnknownTable}, `restsql: unknown table post: no table "post" in catalog API1 (did you mean posts?)`},
		"a literal not of the column's type": {func(t *testing.T) error { return run(t, "SELECT * FROM posts WHERE id = 'abc'") },
			[]error{restsql.ErrTypeMismatch}, `planner: invalid input syntax for type int: "abc" (column id)`},
		"required key not bound": {func(t *testing.T) error { return run(t, "SELECT * FROM comments_by_post") },
			[]error{restsql.ErrMissingKey}, "restsource: table API1.API.comments_by_post requires column postId: add WHERE postId = <value>"},
		"API error (status ≥ 400; about 512 bytes of the body)": {func(t *testing.T) error { return run(t, "SELECT * FROM missing") },
			[]error{restsql.ErrHTTP}, `404 Not Found: {"error":"no such thing"}`},
		"pagination loop": {func(t *testing.T) error { return run(t, "SELECT * FROM loop") },
			[]error{restsql.ErrHTTP}, `pagination: cursor: page 2 returned a repeated cursor "abc"`},
		"write to a table without the mapping": {func(t *testing.T) error { return run(t, "INSERT INTO comments_by_post (postId, id) VALUES (1, 1)") },
			[]error{restsql.ErrNotSupported}, "restsql: not supported: restsource: table API1.API.comments_by_post is not writable by INSERT"},
		"read-only column": {func(t *testing.T) error { return run(t, "UPDATE posts SET id = 2 WHERE id = 1") },
			[]error{restsql.ErrNotSupported}, "restsource: table API1.API.posts: UPDATE: column id is read-only (readOnly: true in the profile)"},
		"unknown column in INSERT or SET": {func(t *testing.T) error { return run(t, "INSERT INTO posts (titel) VALUES ('x')") },
			[]error{restsql.ErrUnknownColumn}, `restsource: table API1.API.posts: INSERT: unknown column "titel" (did you mean title?)`},
		"value that does not fit": {func(t *testing.T) error {
			return run(t, "INSERT INTO posts (title, userId) VALUES ('a', 1), ('b', 'abc')")
		},
			[]error{restsql.ErrTypeMismatch}, `restsource: table API1.API.posts: INSERT row 2: column userId (int): value "abc" does not fit`},
		"API refuses a write": {func(t *testing.T) error { return run(t, "INSERT INTO posts (userId) VALUES (1)") },
			[]error{restsql.ErrHTTP}, `restsource: table API1.API.posts: INSERT failed: restsource: POST ` + srv.URL + `/posts: 422 Unprocessable Entity: {"error":"title is required"}`},
		"no created id": {func(t *testing.T) error {
			db, err := open(t, "Profile="+good+";defaultCatalog=API1")
			require.NoError(t, err)
			res, err := db.Exec("INSERT INTO posts (title) VALUES ('x')")
			require.NoError(t, err)
			_, err = res.LastInsertId()
			return err
		}, []error{restsql.ErrHTTP}, "restsource: table API1.API.posts: LastInsertId: the response to POST " + srv.URL + "/posts carries no id (column id)"},
		"OAuth2 token refused": {func(t *testing.T) error { return run(t, "SELECT * FROM OAuth.O.t", noRetries) },
			[]error{restsql.ErrHTTP}, "auth: OAuth2: client_credentials token request to " + srv.URL + "/token: the token endpoint answered 401 Unauthorized: invalid_client"},
		"retries used up": {func(t *testing.T) error {
			return run(t, "SELECT * FROM down", func(c *restsql.Config) { c.MaxRetries = 1 })
		}, []error{restsql.ErrHTTP}, "(gave up after 2 attempts)"},
		"`UPDATE`/`DELETE` without `WHERE`": {func(t *testing.T) error { return run(t, "UPDATE posts SET title = 'x'") },
			[]error{restsql.ErrNotSupported}, "restsql: planner: UPDATE without WHERE would change every row of API1.API.posts"},
		"two statements": {func(t *testing.T) error { return run(t, "SELECT 1; SELECT 2") },
			[]error{restsql.ErrSyntax}, `planner: one statement per query: found a second statement at line 1 column 11 near "SELECT"`},
		"non-ASCII name without quotes": {func(t *testing.T) error { return run(t, "SELECT prénom FROM posts") },
			[]error{restsql.ErrSyntax}, "planner: syntax error (a name with non-ASCII letters needs backticks: `prénom`) at line 1 column 8"},
		"LIMIT beyond int64": {func(t *testing.T) error { return run(t, "SELECT * FROM posts LIMIT 99999999999999999999") },
			[]error{restsql.ErrOutOfRange, restsql.ErrSyntax}, "planner: LIMIT 99999999999999999999 is out of range (at most 9223372036854775807) at line 1 column 27"},
		"request too slow (sent twice, see `Timeout`)": {func(t *testing.T) error {
			return run(t, "SELECT * FROM slow", func(c *restsql.Config) { c.Timeout = 50 * time.Millisecond })
		}, []error{restsql.ErrHTTP, context.DeadlineExceeded}, "restsource: GET " + srv.URL + "/slow: no complete response within the 50ms Timeout (gave up after 2 attempts)"},
		"query too slow": {func(t *testing.T) error {
			return run(t, "SELECT * FROM slow", func(c *restsql.Config) { c.QueryTimeout = 100 * time.Millisecond })
		}, []error{context.DeadlineExceeded}, "restsql: the query did not finish within its QueryTimeout of 100ms (waiting for GET " + srv.URL + "/slow)"},
	}

	all := []error{restsql.ErrNotSupported, restsql.ErrUnknownTable, restsql.ErrUnknownColumn, restsql.ErrUnknownFunction,
		restsql.ErrAmbiguous, restsql.ErrGrouping, restsql.ErrSyntax, restsql.ErrMissingKey, restsql.ErrTypeMismatch,
		restsql.ErrOutOfRange, restsql.ErrHTTP, restsql.ErrConfig, restsql.ErrInvalidSQL, restsql.ErrCardinality,
		context.DeadlineExceeded}
	_, whens := documentedErrors(t)
	for _, when := range whens {
		t.Run(when, func(t *testing.T) {
			tc, ok := cases[when]
			require.True(t, ok, "docs/reference.md documents the error %q: add a case", when)
			err := tc.err(t)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.says)
			for _, s := range all {
				want := false
				for _, w := range tc.is {
					want = want || w == s
				}
				assert.Equal(t, want, errors.Is(err, s), "errors.Is(%v, %v)", err, s)
			}
		})
	}
	for when := range cases {
		assert.Contains(t, whens, when, "a case for an error the reference does not list")
	}
}
