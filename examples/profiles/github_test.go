package profiles_test

var _ = register(apiCase{
	profile: "github.yaml",
	dsn:     "Token=ghp_example",
	queries: []queryCase{
		{
			name: "repos over two Link-header pages",
			sql:  "SELECT name, language, stargazers_count, private, created_at FROM repos WHERE org = 'octo-org' ORDER BY stargazers_count DESC",
			rows: []string{
				"Spoon-Knife|HTML|12600|false|2011-01-27T19:30:43Z",
				"Hello-World|Ruby|80|false|2011-01-26T19:01:12Z",
				"linguist|NULL|3|true|2012-03-06T23:06:50Z",
			},
			requests: []string{
				"GET /orgs/octo-org/repos?per_page=100",
				"GET /organizations/6811672/repos?per_page=100&page=2",
			},
		},
		{
			name: "issues: assignee and since pushed, sort by comments pushed",
			sql: "SELECT number, title, state, user_login, comments, labels FROM issues " +
				"WHERE owner = 'octocat' AND repo = 'Hello-World' AND assignee_login = 'octocat' AND updated > '2011-04-01T00:00:00Z' " +
				"ORDER BY comments DESC",
			rows: []string{
				`1347|Found a bug|open|octocat|3|["bug"]`,
				`1348|Typo in README|closed|hubot|1|["docs","bug"]`,
				`1350|Add a license|open|monalisa|0|[]`,
			},
			requests: []string{
				"GET /repos/octocat/Hello-World/issues?state=all&assignee=octocat&since=2011-04-01T00:00:00Z&sort=comments&direction=desc&per_page=100",
				"GET /repositories/1296269/issues?state=all&assignee=octocat&since=2011-04-01T00:00:00Z&sort=comments&direction=desc&per_page=100&page=2",
			},
		},
		{
			name: "issues joined to their comments",
			sql: "SELECT i.number, i.title, c.user_login, c.body FROM issues i JOIN issue_comments c ON c.issue_number = i.number " +
				"WHERE i.owner = 'octocat' AND i.repo = 'Hello-World' AND i.assignee_login = 'octocat' AND i.updated > '2011-04-01T00:00:00Z' " +
				"AND c.owner = 'octocat' AND c.repo = 'Hello-World' AND i.comments > 0 ORDER BY c.created_at",
			rows: []string{
				"1347|Found a bug|hubot|Me too",
				"1347|Found a bug|octocat|Fixed in #1348?",
				"1348|Typo in README|monalisa|Thanks!",
			},
			requests: []string{
				"GET /repos/octocat/Hello-World/issues?state=all&assignee=octocat&since=2011-04-01T00:00:00Z&per_page=100",
				"GET /repositories/1296269/issues?state=all&assignee=octocat&since=2011-04-01T00:00:00Z&per_page=100&page=2",
				"GET /repos/octocat/Hello-World/issues/1347/comments?per_page=100",
				"GET /repos/octocat/Hello-World/issues/1348/comments?per_page=100",
			},
		},
		{
			name: "ORDER BY created DESC pushed as GitHub's sort=created",
			sql: "SELECT number, created FROM issues WHERE owner = 'octocat' AND repo = 'Hello-World' AND assignee_login = 'octocat' " +
				"AND updated > '2011-04-01T00:00:00Z' ORDER BY created DESC",
			rows: []string{
				"1350|2011-06-02T09:00:00Z",
				"1348|2011-04-25T10:00:00Z",
				"1347|2011-04-22T13:33:48Z",
			},
			requests: []string{
				"GET /repos/octocat/Hello-World/issues?state=all&assignee=octocat&since=2011-04-01T00:00:00Z&sort=created&direction=desc&per_page=100",
			},
		},
		{
			name: "rate limited once (reset past), then answered",
			sql:  "SELECT number, title, head_ref, base_ref FROM pulls WHERE owner = 'octocat' AND repo = 'Hello-World' AND base_ref = 'master'",
			rows: []string{"1347|Amazing new feature|new-topic|master"},
			requests: []string{
				"GET /repos/octocat/Hello-World/pulls?state=all&base=master&per_page=100",
				"GET /repos/octocat/Hello-World/pulls?state=all&base=master&per_page=100",
			},
		},
		{
			name: "rate limited until 2100: an error, no wait",
			sql:  "SELECT sha FROM commits WHERE owner = 'octocat' AND repo = 'Hello-World' AND committer_date > '2011-04-01T00:00:00Z'",
			err:  "(rate limit: no request left until 2100-01-01T00:00:00Z) (not retried",
			requests: []string{
				"GET /repos/octocat/Hello-World/commits?since=2011-04-01T00:00:00Z&per_page=100",
			},
		},
	},
})
