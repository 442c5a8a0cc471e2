package profiles_test

var _ = register(apiCase{
	profile: "jira.yaml",
	dsn:     "User=jira@example.com;Password=api-token-example",
	vars:    map[string]string{"JiraSite": "your-site", "JiraProject": "PROJ"},
	queries: []queryCase{
		{
			name: "JQL with IN, = and ORDER BY, two nextPageToken pages, a custom field by its name",
			sql: "SELECT issue_key, summary, status, assignee, labels, created, `Story Points` FROM issues " +
				"WHERE status IN ('To Do', 'In Progress') AND issuetype = 'Bug' ORDER BY created DESC",
			rows: []string{
				`PROJ-24|Login fails on Safari|In Progress|Mia Krystof|["web"]|2024-02-01T09:30:00Z|5`,
				`PROJ-9|Typo on the "Pricing" page|To Do|NULL|[]|2024-01-15T14:00:00Z|NULL`,
				`PROJ-1|Crash on start|To Do|Mia Krystof|["crash","ios"]|2023-12-20T08:00:00Z|2.5`,
			},
			requests: []string{
				"GET /rest/api/3/field",
				jiraSearch,
				jiraSearch + "&nextPageToken=CAEaAggD",
			},
		},
		{
			name: "an issue's comments, sort pushed",
			sql:  "SELECT id, author, created FROM comments WHERE issue = 'PROJ-24' ORDER BY created",
			rows: []string{
				"10000|Mia Krystof|2024-02-01T10:00:00Z",
				"10001|Emma Richards|2024-02-02T11:00:00Z",
			},
			requests: []string{
				"GET /rest/api/3/issue/PROJ-24/comment?orderBy=+created&startAt=0&maxResults=100",
			},
		},
		{
			name: "projects by name: query pushed, isLast stops",
			sql:  "SELECT project_key, name, simplified FROM projects WHERE name LIKE '%plat%'",
			rows: []string{"PLAT|Platform|false", "WEB|Web platform|true"},
			requests: []string{
				"GET /rest/api/3/project/search?query=plat&startAt=0&maxResults=50",
			},
		},
		{
			name: "changelog: one row per changed field (each: items), the change's author by ^.",
			sql:  "SELECT change_id, author, field, from_string, to_string FROM changelog_items WHERE issue = 'PROJ-24' ORDER BY created, field",
			rows: []string{
				"10001|Mia Krystof|fields||label-1",
				"10002|Emma Richards|assignee|NULL|Mia Krystof",
				"10002|Emma Richards|status|To Do|In Progress",
			},
			requests: []string{
				"GET /rest/api/3/issue/PROJ-24/changelog?startAt=0&maxResults=100",
			},
		},
	},
})

const jiraSearch = "GET /rest/api/3/search/jql?fields=*navigable" +
	`&jql=project = PROJ AND status IN ("To Do", "In Progress") AND issuetype = "Bug" ORDER BY created desc&maxResults=100`
