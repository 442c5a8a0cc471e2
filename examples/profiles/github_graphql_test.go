package profiles_test

import (
	"encoding/json"
	"os"
	"strings"

	"go.yaml.in/yaml/v4"
)

// gqlRequest is the request line of a GraphQL read of table, with these
// variables: the query text is the profile's.
func gqlRequest(table string, variables map[string]any) string {
	var p struct {
		Catalogs map[string]struct {
			Schemas map[string]struct {
				Tables map[string]struct {
					GraphQL struct {
						Query string `yaml:"query"`
					} `yaml:"graphql"`
				} `yaml:"tables"`
			} `yaml:"schemas"`
		} `yaml:"catalogs"`
	}
	data, err := os.ReadFile("github_graphql.yaml")
	if err != nil {
		panic(err)
	}
	if err := yaml.Unmarshal(data, &p); err != nil {
		panic(err)
	}
	body, err := json.Marshal(map[string]any{
		"query":     p.Catalogs["GitHubGraphQL"].Schemas["GraphQL"].Tables[table].GraphQL.Query,
		"variables": variables,
	})
	if err != nil {
		panic(err)
	}
	return "POST /graphql " + strings.TrimSpace(string(body))
}

var _ = register(apiCase{
	profile: "github_graphql.yaml",
	dsn:     "Token=ghp_example",
	vars:    map[string]string{"Owner": "octocat", "Repo": "Hello-World", "Org": "octo-org"},
	queries: []queryCase{
		{
			name: "open issues: the states variable, two pages by endCursor in variables.after",
			sql:  "SELECT number, title, author, comments, labels FROM issues WHERE state = 'OPEN' ORDER BY number",
			rows: []string{
				"12|Ghost issue|NULL|1|[\"question\",\"help wanted\"]",
				"1347|Found a bug|octocat|3|[\"bug\"]",
				"1350|Add a license|monalisa|0|[]",
			},
			requests: []string{
				gqlRequest("issues", map[string]any{"owner": "octocat", "name": "Hello-World", "states": []string{"OPEN"}}),
				gqlRequest("issues", map[string]any{"owner": "octocat", "name": "Hello-World", "states": []string{"OPEN"}, "after": "Y3Vyc29yOnYyOpHOAAABLA=="}),
			},
		},
		{
			name: "merged pull requests into main: two variables",
			sql:  "SELECT number, title, author, additions, merged_at FROM pull_requests WHERE state = 'MERGED' AND base_ref = 'main'",
			rows: []string{
				"1347|Amazing new feature|octocat|100|2011-01-27T10:00:00Z",
				"1349|Fix typo|hubot|1|2011-02-01T09:30:00Z",
			},
			requests: []string{
				gqlRequest("pull_requests", map[string]any{"owner": "octocat", "name": "Hello-World", "states": []string{"MERGED"}, "baseRefName": "main"}),
			},
		},
		{
			name: "an organization's repositories",
			sql:  "SELECT name, stars, language, is_archived FROM repositories ORDER BY stars DESC",
			rows: []string{"Hello-World|80|Ruby|false", "linguist|3|NULL|true"},
			requests: []string{
				gqlRequest("repositories", map[string]any{"org": "octo-org"}),
			},
		},
		{
			name: "an errors array with status 200 is an error",
			sql:  "SELECT number FROM issues WHERE state = 'WONTFIX'",
			err:  `the GraphQL API reports 1 error(s): Variable $states of type [IssueState!] was provided invalid value`,
			requests: []string{
				gqlRequest("issues", map[string]any{"owner": "octocat", "name": "Hello-World", "states": []string{"WONTFIX"}}),
			},
		},
	},
})
