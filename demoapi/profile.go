package demoapi

import (
	"fmt"

	_ "embed"
	"github.com/restsql/restsql/catalog"
	"strings"
)

// URLPlaceholder is the placeholder the embedded profile uses for the
// catalog's base URL; the CLI resolves it from a property of that name.
const URLPlaceholder = "${DemoURL}"

// Names the embedded profile gives the demo API: its tables are
// Demo.API.users, Demo.API.posts and so on.
const (
	CatalogName = "Demo"
	SchemaName  = "API"
)

// urlLine is the catalog's url setting in profile.yaml.
const urlLine = `url: "` + URLPlaceholder + `"`

//go:embed profile.yaml
var profile []byte

// Profile returns the restsql profile (YAML) of the demo API: catalog Demo,
// schema API, tables users, posts, comments, todos, comments_by_post and
// posts_by_user. Its catalog URL is the placeholder ${DemoURL}.
func Profile() []byte {
	return append([]byte(nil), profile...)
}

// ProfileFor returns Profile with the catalog URL set to baseURL, such as
// the URL of a Running server.
func ProfileFor(baseURL string) []byte {
	// The placeholder sits in a double-quoted YAML scalar.
	quoted := strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(baseURL)
	return []byte(strings.Replace(string(profile), urlLine, `url: "`+quoted+`"`, 1))
}

// Catalog returns the demo profile's catalog (Demo, schema API) with its URL
// set to baseURL, parsed and validated, ready for restsql.Config.Catalogs.
func Catalog(baseURL string) (*catalog.Catalog, error) {
	p, err := catalog.Parse(ProfileFor(baseURL), "demoapi/profile.yaml")
	if err != nil {
		return nil, err
	}
	c, ok := p.Catalog(CatalogName)
	if !ok {
		return nil, fmt.Errorf("demoapi: the embedded profile has no catalog %s", CatalogName)
	}
	return c, nil
}
