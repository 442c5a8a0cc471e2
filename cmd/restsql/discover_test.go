package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// itemsAPI is a paginated API behind a Bearer token: seven items in pages
// of per_page, wrapped in data with meta.page/per_page/total.
func itemsAPI(t *testing.T) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer tok" {
			http.Error(w, `{"error":"unauthorized"}`, http.StatusUnauthorized)
			return
		}
		if r.URL.Path != "/v1/items" {
			http.NotFound(w, r)
			return
		}
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
		page, per = max(page, 1), max(per, 1)
		var rows []string
		for id := (page-1)*per + 1; id <= min(page*per, 7); id++ {
			rows = append(rows, fmt.Sprintf(`{"id":%d,"name":"item %d","size":{"w":%d,"h":2.5},"tags":["x"]}`, id, id, id*10))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"data":[%s],"meta":{"page":%d,"per_page":%d,"total":7}}`, strings.Join(rows, ","), page, per)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// cmdOutput runs the CLI and returns stdout with the server's address
// replaced by 127.0.0.1:PORT.
func cmdOutput(t *testing.T, srvURL string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, &out, &errOut)
	if srvURL == "" {
		return out.String(), errOut.String(), err
	}
	host := strings.TrimPrefix(srvURL, "http://")
	return strings.ReplaceAll(out.String(), host, "127.0.0.1:PORT"), strings.ReplaceAll(errOut.String(), host, "127.0.0.1:PORT"), err
}

func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err)
	assert.Equal(t, string(want), got)
}

func TestDiscoverCommand(t *testing.T) {
	srv := itemsAPI(t)
	u := srv.URL + "/v1/items?page=1&per_page=3"

	out, _, err := cmdOutput(t, srv.URL, "discover", "--auth-bearer", "tok", u, "--name", "things")
	require.NoError(t, err)
	checkGolden(t, "discover_table.yaml", out)

	out, stderr, err := cmdOutput(t, srv.URL, "discover", "--header", "Accept: application/json", "--auth-bearer", "tok", "--profile", u)
	require.NoError(t, err)
	checkGolden(t, "discover_profile.yaml", out)
	assert.Contains(t, stderr, "query it with: restsql query --dsn 'Profile=profile.yaml;Token=…'")
	assert.NotContains(t, out, "tok\n")

	// The profile queries the API, every page.
	profile := filepath.Join(t.TempDir(), "profile.yaml")
	out, _, err = cmdOutput(t, srv.URL, "discover", "--auth-bearer", "tok", "--profile", u)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(profile, []byte(strings.ReplaceAll(out, "127.0.0.1:PORT", strings.TrimPrefix(srv.URL, "http://"))), 0o600))
	out, _, err = cmdOutput(t, srv.URL, "query", "--dsn", "Profile="+profile+";Token=tok", "SELECT id, name, sizeW, sizeH, tags FROM items WHERE id >= 3 ORDER BY id DESC")
	require.NoError(t, err)
	checkGolden(t, "discover_query.txt", out)
}

func TestDiscoverCommandErrors(t *testing.T) {
	srv := itemsAPI(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"discover"}, "discover needs one URL"},
		{[]string{"discover", "http://a", "http://b"}, "discover needs one URL"},
		{[]string{"discover", "--header", "nocolon", srv.URL}, `want 'Name: value', got "nocolon"`},
		{[]string{"discover", "--auth-bearer", "a", "--api-key", "k=v", srv.URL}, "give only one of"},
		{[]string{"discover", "--auth-basic", "nouser", srv.URL}, "--auth-basic wants USER:PASS"},
		{[]string{"discover", "--api-key", "novalue", srv.URL}, "--api-key wants NAME=VALUE"},
		{[]string{"discover", "--api-key", "k=v", "--api-key-in", "cookie", srv.URL}, "--api-key-in: want header or query"},
		{[]string{"discover", "--rows", "0", srv.URL}, "--rows must be positive"},
		{[]string{"discover", srv.URL + "/v1/items"}, "401 Unauthorized"},
		{[]string{"discover", "--auth-bearer", "tok", srv.URL + "/nothing"}, "404 Not Found"},
		{[]string{"discover", "not a url"}, "not an absolute http or https URL"},
	}
	for _, tt := range tests {
		_, _, err := cmdOutput(t, srv.URL, tt.args...)
		require.Error(t, err, "%v", tt.args)
		assert.Contains(t, err.Error(), tt.want, "%v", tt.args)
	}
}

func TestParseInterspersed(t *testing.T) {
	var headers headerFlags
	for _, tt := range []struct {
		args []string
		pos  []string
	}{
		{[]string{"a", "--profile", "b"}, []string{"a", "b"}},
		{[]string{"--profile", "a"}, []string{"a"}},
		{[]string{"a", "--", "--profile"}, []string{"a", "--profile"}},
		{[]string{"--header", "X: 1", "a", "--header=Y: 2"}, []string{"a"}},
	} {
		fs := newTestFlagSet(&headers)
		pos, err := parseInterspersed(fs, tt.args)
		require.NoError(t, err)
		assert.Equal(t, tt.pos, pos, "%v", tt.args)
	}
	assert.Equal(t, "2", headers.h.Get("Y"))
}
