package profiles_test

var _ = register(apiCase{
	profile: "servicenow.yaml",
	dsn:     "User=admin;Password=password-example;PageSize=2",
	vars:    map[string]string{"ServiceNowInstance": "dev12345"},
	queries: []queryCase{
		{
			name: "encoded query with IN and ORDERBYDESC, offset pages to X-Total-Count",
			sql: "SELECT number, short_description, priority, sys_created_on FROM incident " +
				"WHERE active = true AND priority IN (1, 2) ORDER BY number DESC",
			rows: []string{
				"INC0010003|Email server down|1|2024-03-02T08:15:00Z",
				"INC0010002|Unable to connect to VPN|2|2024-03-01T17:40:12Z",
				"INC0000060|Unable to connect to email|1|2016-12-12T15:19:57Z",
			},
			requests: []string{
				"GET /api/now/table/incident?sysparm_display_value=false&sysparm_exclude_reference_link=true&sysparm_query=active=true^priorityIN1,2^ORDERBYDESCnumber&sysparm_fields=number,short_description,priority,sys_created_on&sysparm_offset=0&sysparm_limit=2",
				"GET /api/now/table/incident?sysparm_display_value=false&sysparm_exclude_reference_link=true&sysparm_query=active=true^priorityIN1,2^ORDERBYDESCnumber&sysparm_fields=number,short_description,priority,sys_created_on&sysparm_offset=2&sysparm_limit=2",
			},
		},
		{
			name: "incidents joined to their callers: category re-checked (ServiceNow matched Network too), the join sends sys_idIN",
			sql: "SELECT i.number, u.name, u.email FROM incident i JOIN sys_user u ON u.sys_id = i.caller_id " +
				"WHERE i.active = true AND i.category = 'network' ORDER BY i.number",
			rows: []string{
				"INC0010002|Joe Employee|employee@example.com",
			},
			requests: []string{
				"GET /api/now/table/incident?sysparm_display_value=false&sysparm_exclude_reference_link=true&sysparm_query=active=true^category=network&sysparm_fields=number,caller_id,category&sysparm_offset=0&sysparm_limit=2",
				"GET /api/now/table/sys_user?sysparm_display_value=false&sysparm_exclude_reference_link=true&sysparm_query=sys_idIN681ccaf9c0a8016400b98a06818d57c7&sysparm_fields=sys_id,name,email&sysparm_offset=0&sysparm_limit=2",
			},
		},
	},
})
