package profiles_test

const (
	notionDB    = "897e5a76-ae52-4b48-9fdf-e71f5945d1af"
	notionQuery = `"filter":{"and":[{"property":"Status","select":{"equals":"Done"}},{"number":{"greater_than":6},"property":"Price"}]},` +
		`"page_size":100,"sorts":[{"direction":"descending","timestamp":"created_time"}]`
)

var _ = register(apiCase{
	profile: "notion.yaml",
	dsn:     "Token=secret_example",
	vars:    map[string]string{"NotionDatabase": notionDB},
	queries: []queryCase{
		{
			name: "users over two start_cursor pages",
			sql:  "SELECT id, type, name, email FROM users ORDER BY name",
			rows: []string{
				"d40e767c-d7af-4b18-a86d-55c61f1e39a4|person|Avocado Lovelace|avo@example.org",
				"9a3b5ae0-c6e6-482d-b0e1-ed315ee6dc57|bot|Doug Engelbot|NULL",
			},
			requests: []string{
				"GET /v1/users?page_size=100",
				"GET /v1/users?page_size=100&start_cursor=fe2cc560-036c-44cd-90e8-294d5a74cebc",
			},
		},
		{
			name: "a page's blocks and its comments' authors",
			sql: "SELECT b.type, b.text FROM block_children b WHERE b.block_id = '59833787-2cf9-4fdf-8782-e53db20768a5' " +
				"UNION ALL SELECT CONCAT('comment by ', u.name), c.text FROM comments c JOIN users u ON u.id = c.author_id " +
				"WHERE c.block_id = '59833787-2cf9-4fdf-8782-e53db20768a5'",
			rows: []string{
				`heading_2|["Lacinato kale"]`,
				`paragraph|["Lacinato kale is a variety of kale ","with a long tradition in Italian cuisine."]`,
				"child_page|NULL",
				"comment by Avocado Lovelace|Single comment",
			},
			requests: []string{
				"GET /v1/blocks/59833787-2cf9-4fdf-8782-e53db20768a5/children?page_size=100",
				"GET /v1/comments?block_id=59833787-2cf9-4fdf-8782-e53db20768a5&page_size=100",
				"GET /v1/users?page_size=100",
				"GET /v1/users?page_size=100&start_cursor=fe2cc560-036c-44cd-90e8-294d5a74cebc",
			},
		},
		{
			name: "a database queried by POST: filters in filter.and, sort in sorts, start_cursor in the body",
			sql: "SELECT Name, Price, Tags, last_ordered FROM database_pages " +
				"WHERE Status = 'Done' AND Price > 6 ORDER BY created_time DESC",
			rows: []string{
				`Tuscan kale|15|["Vegetables"]|2022-02-22T00:00:00Z`,
				`Olive oil|12.5|["Pantry","Oils"]|2022-03-10T08:30:00Z`,
				"Pecorino|8|[]|NULL",
			},
			requests: []string{
				"POST /v1/databases/" + notionDB + "/query {" + notionQuery + "}",
				"POST /v1/databases/" + notionDB + "/query {" + notionQuery + `,"start_cursor":"e6c6f5ff-c70e-4970-b04d-5c4dc0d3dd20"}`,
			},
		},
	},
})
