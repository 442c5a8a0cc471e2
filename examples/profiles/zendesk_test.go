package profiles_test

var _ = register(apiCase{
	profile: "zendesk.yaml",
	dsn:     "User=agent@example.com;Password=api-token-example",
	vars:    map[string]string{"ZendeskSubdomain": "example"},
	queries: []queryCase{
		{
			name: "tickets newest first (sorted in the driver), two cursor pages by links.next",
			sql:  "SELECT id, subject, status, priority, updated_at FROM tickets ORDER BY updated_at DESC",
			rows: []string{
				"35436|Help, my printer is on fire!|open|high|2011-05-05T10:38:52Z",
				"35437|Printer still smoking|pending|normal|2011-05-04T08:00:00Z",
				"35438|Toner order|solved|NULL|2011-04-02T08:00:00Z",
			},
			requests: []string{
				"GET /api/v2/tickets.json?page[size]=100",
				"GET /api/v2/tickets.json?page[after]=xxx&page[size]=100",
			},
		},
		{
			name: "search with status pushed into query, joined to the requesters",
			sql: "SELECT t.id, t.priority, u.name FROM ticket_search t JOIN users u ON u.id = t.requester_id " +
				"WHERE t.status = 'open' ORDER BY t.id",
			rows: []string{
				"35436|high|Roger Wilco",
				"35440|urgent|Johnny Agent",
			},
			requests: []string{
				`GET /api/v2/search.json?query=type:ticket status:"open"&per_page=100`,
				"GET /api/v2/users.json?page[size]=100",
			},
		},
		{
			name: "incremental export: an empty page mid-stream, end_of_stream stops",
			sql:  "SELECT id, subject, status FROM ticket_export WHERE start_time = 1332034771",
			rows: []string{
				"35436|Help, my printer is on fire!|open",
				"35438|Toner order|solved",
			},
			requests: []string{
				"GET /api/v2/incremental/tickets/cursor.json?start_time=1332034771&per_page=1000",
				"GET /api/v2/incremental/tickets/cursor.json?cursor=MTU3NjYxMzUzOS4wfHw0NTF8",
				"GET /api/v2/incremental/tickets/cursor.json?cursor=MTU3NjYxMzUzOS4wfHw0NjF8",
			},
		},
	},
})
