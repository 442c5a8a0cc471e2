package main

import (
	"flag"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

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
		{[]string{"openapi", bad}, "Swagger 2.0"},
		{[]string{"openapi", "--nope", jsonPlaceholderSpec}, "flag provided but not defined"},
	}
	for _, tt := range tests {
		_, _, err := cmdOutput(t, "", tt.args...)
		require.Error(t, err, "%v", tt.args)
		assert.Contains(t, err.Error(), tt.want, "%v", tt.args)
	}
}
