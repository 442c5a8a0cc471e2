package main

import (
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"

	flag "github.com/spf13/pflag"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

func newTestFlagSet(headers *headerFlags) *flag.FlagSet {
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Bool("profile", false, "")
	fs.Var(headers, "header", "")
	return fs
}

const jsonPlaceholderSpec = "../../openapi/testdata/jsonplaceholder.yaml"

func TestOpenAPICommand(t *testing.T) {
	// The command prints what the openapi package's golden file holds.
	out, _, err := cmdOutput(t, "", "openapi", jsonPlaceholderSpec)
	require.NoError(t, err)
	want, err := os.ReadFile("../../openapi/testdata/jsonplaceholder.golden.yaml")
	require.NoError(t, err)
	assert.Equal(t, string(want), out)

	// With --url and --catalog, the profile queries the demo API.
	srv := httptest.NewServer(demoapi.New())
	defer srv.Close()
	var profileYAML string
	profileYAML, _, err = cmdOutput(t, "", "openapi", "--catalog", "JP", jsonPlaceholderSpec, "--url", srv.URL)
	require.NoError(t, err)
	profile := filepath.Join(t.TempDir(), "profile.yaml")
	require.NoError(t, os.WriteFile(profile, []byte(profileYAML), 0o600))
	out, _, err = cmdOutput(t, srv.URL, "query", "--dsn", "Profile="+profile, "SELECT p.id, u.username, p.title FROM JP.API.posts p JOIN users u ON u.id = p.userId WHERE p.userId IN (2, 3) ORDER BY p.id DESC LIMIT 4")
	require.NoError(t, err)
	checkGolden(t, "openapi_query.txt", out)
}

func TestOpenAPICommandErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(bad, []byte("swagger: '2.0'\n"), 0o600))
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"openapi"}, "openapi needs one OpenAPI document"},
		{[]string{"openapi", "a.yaml", "b.yaml"}, "openapi needs one OpenAPI document"},
		{[]string{"openapi", "does-not-exist.yaml"}, "openapi: open does-not-exist.yaml"},
		{[]string{"openapi", bad}, "openapi: the document has no paths"},
		{[]string{"openapi", "--nope", jsonPlaceholderSpec}, "unknown flag: --nope"},
	}
	for _, tt := range tests {
		_, _, err := cmdOutput(t, "", tt.args...)
		require.Error(t, err, "%v", tt.args)
		assert.Contains(t, err.Error(), tt.want, "%v", tt.args)
	}
}

func TestOpenAPICommandSelection(t *testing.T) {
	// --tag, --path and --max-columns reach the importer: only GitHub's
	// issues of a repository, nested objects as json columns.
	out, _, err := cmdOutput(t, "", "openapi", "--tag", "issues,pulls", "--path", "/repos/**", "--path", "/search/*", "--max-columns", "30", "../../openapi/testdata/real/github.json")
	require.NoError(t, err)
	p, err := catalog.Parse([]byte(out), "github.yaml")
	require.NoError(t, err)
	c, _ := p.Catalog(p.CatalogNames()[0])
	s, _ := c.Schema("API")
	assert.Equal(t, []string{"issues_by_repo", "pulls_by_repo"}, s.TableNames())
	issues, _ := s.Table("issues_by_repo")
	user := slices.IndexFunc(issues.Columns, func(c *catalog.Column) bool { return c.Name == "user" })
	require.GreaterOrEqual(t, user, 0)
	assert.Equal(t, catalog.TypeJSON, issues.Columns[user].Type)

	_, _, err = cmdOutput(t, "", "openapi", "--tag", "nope", "../../openapi/testdata/real/github.json")
	require.EqualError(t, err, "openapi: no table could be made: none of the 8 GET operations matches the tags and paths selected")
}
