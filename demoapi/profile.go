package demoapi

import (
	_ "embed"
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
