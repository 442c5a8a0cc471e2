package openapi_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/openapi"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// specs are the documents written for the tests: a JSONPlaceholder-like
// API (json-server conventions), a cursor-paginated API (OpenAPI 3.1) and
// an API-key protected API (JSON); and parts of real specs (cut by
// testdata/real/subset.py): GitHub's repositories, issues, pulls and
// search, Spotify's albums, Stripe's customers and Twilio's calls (its
// paths end in .json).
var specs = []string{"jsonplaceholder.yaml", "helpdesk.yaml", "inventory.json", "real/github.json", "real/spotify.json", "real/stripe.json", "real/twilio.json"}

func TestGolden(t *testing.T) {
	for _, spec := range specs {
		t.Run(spec, func(t *testing.T) {
			doc, err := os.ReadFile(filepath.Join("testdata", spec))
			require.NoError(t, err)
			res, err := openapi.Generate(doc, openapi.Options{})
			require.NoError(t, err)
			out, err := res.YAML()
			require.NoError(t, err)

			golden := filepath.Join("testdata", strings.TrimSuffix(spec, filepath.Ext(spec))+".golden.yaml")
			if *update {
				require.NoError(t, os.WriteFile(golden, out, 0o644))
			}
			want, err := os.ReadFile(golden)
			require.NoError(t, err)
			assert.Equal(t, string(want), string(out))

			// The YAML loads, validates, and says what Import returns.
			p, err := catalog.Parse(out, golden)
			require.NoError(t, err)
			require.NoError(t, p.Validate())
			imported, err := openapi.Import(doc, openapi.Options{})
			require.NoError(t, err)
			require.Equal(t, imported.CatalogNames(), p.CatalogNames())
			for _, name := range p.CatalogNames() {
				got, _ := p.Catalog(name)
				exp, _ := imported.Catalog(name)
				assert.Equal(t, exp.URL, got.URL)
				assert.Equal(t, exp.Auth, got.Auth)
				assert.Equal(t, exp.Pagination, got.Pagination)
				for _, sn := range exp.SchemaNames() {
					es, _ := exp.Schema(sn)
					gs, ok := got.Schema(sn)
					require.True(t, ok)
					require.Equal(t, es.TableNames(), gs.TableNames())
					for _, tn := range es.TableNames() {
						et, _ := es.Table(tn)
						gt, _ := gs.Table(tn)
						et.CatalogName, et.SchemaName = gt.CatalogName, gt.SchemaName
						assert.Equal(t, et, gt, "table %s", tn)
					}
				}
			}
		})
	}
}

// TestRealSpecRows checks the rows of the tables of real specs: a single
// resource is one row (never its nested arrays), a list wrapper's array is
// the rows.
func TestRealSpecRows(t *testing.T) {
	tests := []struct {
		spec, table, rows string
	}{
		{"real/github.json", "repos_by_repo", ""},
		{"real/github.json", "issues_by_repo", ""},
		{"real/github.json", "pulls_by_repo", ""},
		{"real/github.json", "issues", "items"},
		{"real/github.json", "repos", ""},
		{"real/spotify.json", "albums", "albums"},
		{"real/spotify.json", "tracks_by_id", "items"},
		{"real/stripe.json", "customers", "data"},
		{"real/twilio.json", "Calls_by_AccountSid", "calls"},
	}
	for _, tt := range tests {
		doc, err := os.ReadFile(filepath.Join("testdata", tt.spec))
		require.NoError(t, err)
		p, err := openapi.Import(doc, openapi.Options{})
		require.NoError(t, err)
		names := p.CatalogNames()
		require.Len(t, names, 1)
		c, _ := p.Catalog(names[0])
		s, _ := c.Schema(openapi.DefaultSchema)
		tb, ok := s.Table(tt.table)
		require.True(t, ok, "%s: no table %s in %v", tt.spec, tt.table, s.TableNames())
		assert.Equal(t, tt.rows, tb.Rows, "%s %s", tt.spec, tt.table)
	}
}
