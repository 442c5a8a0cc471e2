package restsql_test

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/planner"
	"github.com/restsql/restsql/restsource"
)

// TestErrorsIs: every documented kind of error matches its sentinel with
// errors.Is from the root, whichever package made it, and no other.
func TestErrorsIs(t *testing.T) {
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"down"}`, http.StatusServiceUnavailable)
	}))
	t.Cleanup(broken.Close)
	p, err := catalog.Parse([]byte(`catalogs:
  Broken:
    url: `+broken.URL+`
    schemas:
      B:
        tables:
          down: {url: /down, columns: [{name: id, type: int}]}
  Secret:
    url: `+broken.URL+`
    auth: {scheme: Basic, user: "${NoSuchUser}", password: x}
    schemas:
      S:
        tables:
          t: {url: /t, columns: [{name: id, type: int}]}
  Bad:
    url: `+broken.URL+`
    schemas:
      B:
        tables:
          t: {url: /t, get: {url: /t/x}, columns: [{name: id, type: int}]}
`), "broken.yaml")
	require.NoError(t, err)
	db, _ := openDemo(t, func(c *restsql.Config) {
		c.Catalogs = append(c.Catalogs, p.Catalogs["Broken"], p.Catalogs["Secret"], p.Catalogs["Bad"])
		c.MaxRetries = 0
	})

	sentinels := []error{
		restsql.ErrNotSupported, restsql.ErrUnknownTable, restsql.ErrUnknownColumn,
		restsql.ErrUnknownFunction, restsql.ErrAmbiguous, restsql.ErrMissingKey,
		restsql.ErrTypeMismatch, restsql.ErrOutOfRange, restsql.ErrGrouping,
		restsql.ErrSyntax, restsql.ErrHTTP, restsql.ErrConfig, restsql.ErrInvalidSQL,
		restsql.ErrCardinality,
	}
	tests := []struct {
		name, sql string
		want      []error // the sentinels err matches; no other
	}{
		{"unknown table", "SELECT * FROM Demo.API.nosuch", []error{restsql.ErrUnknownTable}},
		{"unknown column", "SELECT nosuch FROM Demo.API.posts", []error{restsql.ErrUnknownColumn}},
		{"unknown qualifier", "SELECT x.id FROM Demo.API.posts", []error{restsql.ErrUnknownTable}},
		{"ambiguous", "SELECT id FROM Demo.API.posts p JOIN Demo.API.users u ON p.userId = u.id", []error{restsql.ErrAmbiguous}},
		{"unknown function", "SELECT nosuchfn(id) FROM Demo.API.posts", []error{restsql.ErrUnknownFunction}},
		{"grouping", "SELECT title, COUNT(*) FROM Demo.API.posts GROUP BY userId", []error{restsql.ErrGrouping}},
		{"syntax", "SELEC 1", []error{restsql.ErrSyntax}},
		{"unsupported construct", "SELECT p.id FROM Demo.API.posts p FULL JOIN Demo.API.users u ON true", []error{restsql.ErrNotSupported, restsql.ErrSyntax}},
		{"missing key", "SELECT * FROM Demo.API.comments_by_post", []error{restsql.ErrMissingKey}},
		{"HTTP error", "SELECT * FROM Broken.B.down", []error{restsql.ErrHTTP}},
		{"literal of another type", "SELECT * FROM Demo.API.posts WHERE id = 'abc'", []error{restsql.ErrTypeMismatch}},
		{"unknown column in INSERT", "INSERT INTO Demo.API.posts (titel) VALUES ('x')", []error{restsql.ErrUnknownColumn}},
		{"value that does not fit in INSERT", "INSERT INTO Demo.API.posts (title, userId) VALUES ('x', 'abc')", []error{restsql.ErrTypeMismatch}},
		{"USING a column twice", "SELECT * FROM Demo.API.posts p JOIN Demo.API.users u USING (id, id)", []error{restsql.ErrInvalidSQL}},
		{"star without FROM", "SELECT *", []error{restsql.ErrInvalidSQL}},
		{"UNION of different widths", "SELECT 1 UNION SELECT 1, 2", []error{restsql.ErrInvalidSQL}},
		{"ORDER BY position", "SELECT id FROM Demo.API.posts ORDER BY 2", []error{restsql.ErrInvalidSQL}},
		{"negative LIMIT argument", "SELECT id FROM Demo.API.posts LIMIT ?", []error{restsql.ErrInvalidSQL}},
		{"wrong number of arguments", "SELECT id FROM Demo.API.posts WHERE id = ?", []error{restsql.ErrInvalidSQL}},
		{"aggregate in WHERE", "SELECT id FROM Demo.API.posts WHERE COUNT(*) > 1", []error{restsql.ErrGrouping}},
		{"scalar subquery of several rows", "SELECT (SELECT id FROM Demo.API.users)", []error{restsql.ErrCardinality}},
		{"missing secret", "SELECT * FROM Secret.S.t", []error{restsql.ErrConfig}},
		{"profile mistake found when the table is first used", "SELECT * FROM Bad.B.t", []error{restsql.ErrConfig}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rows *sql.Rows
			var err error
			var args []any
			if strings.HasSuffix(tt.sql, "?") {
				args = nil // database/sql checks no count: the planner does
				if strings.Contains(tt.sql, "LIMIT") {
					args = []any{-1}
				}
			}
			if strings.HasPrefix(tt.sql, "INSERT") {
				_, err = db.ExecContext(context.Background(), tt.sql, args...)
			} else {
				rows, err = db.QueryContext(context.Background(), tt.sql, args...)
			}
			if err == nil && rows != nil {
				for rows.Next() {
				}
				err = rows.Err()
				rows.Close()
			}
			require.Error(t, err, tt.sql)
			for _, s := range sentinels {
				want := false
				for _, w := range tt.want {
					want = want || w == s
				}
				assert.Equal(t, want, errors.Is(err, s), "errors.Is(%v, %v)", err, s)
			}
		})
	}

	_, err = db.QueryContext(context.Background(), "SELECT * FROM Demo.API.comments_by_post")
	var mk *restsource.MissingKeyError
	require.True(t, errors.As(err, &mk), "errors.As still finds the error type")
	assert.Equal(t, "postId", mk.Column)
	_, err = db.QueryContext(context.Background(), "SELEC 1")
	var se *planner.SyntaxError
	require.True(t, errors.As(err, &se))
	_, err = db.QueryContext(context.Background(), "SELECT * FROM Broken.B.down")
	var he *restsource.HTTPError
	require.True(t, errors.As(err, &he))
	assert.Equal(t, http.StatusServiceUnavailable, he.StatusCode)
}
