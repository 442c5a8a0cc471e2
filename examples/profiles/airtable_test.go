package profiles_test

const atTasks = `GET /v0/appBTEdyCnoVwGcNm/Tasks?filterByFormula=AND({Status} = "In progress", {Estimate} > 2)&pageSize=100`

var _ = register(apiCase{
	profile: "airtable.yaml",
	dsn:     "Token=patExample",
	vars:    map[string]string{"AirtableBase": "appBTEdyCnoVwGcNm"},
	queries: []queryCase{
		{
			name: "filterByFormula from two filters, two offset pages",
			sql: "SELECT id, Name, Estimate, due_date, Assignee, Tags FROM tasks " +
				"WHERE Status = 'In progress' AND Estimate > 2 ORDER BY Estimate DESC",
			rows: []string{
				"recZ9aGq2bK1o5sXy|Plan Q4|8|2022-09-30T00:00:00Z|Grace|NULL",
				`rec3lbPRG4aVqkeOQ|Fix checkout|5.5|NULL|NULL|["web","urgent"]`,
				`rec560UJdUtocSouk|Write "launch" copy|3|2022-10-01T00:00:00Z|Ada|["marketing"]`,
			},
			requests: []string{
				atTasks,
				atTasks + "&offset=itrdP1KyrRgaGyvZm/rec3lbPRG4aVqkeOQ",
			},
		},
		{
			name: "one record by id",
			sql:  "SELECT Name, Status, created FROM tasks WHERE id = 'rec560UJdUtocSouk'",
			rows: []string{`Write "launch" copy|In progress|2022-09-12T21:03:48Z`},
			requests: []string{
				"GET /v0/appBTEdyCnoVwGcNm/Tasks/rec560UJdUtocSouk",
			},
		},
		{
			name: "a base's tables",
			sql:  "SELECT id, name, fields FROM base_tables WHERE base_id = 'appBTEdyCnoVwGcNm' ORDER BY name",
			rows: []string{
				`tblsgpDSJTCFCEJTa|People|[{"id":"fldPq3Nfpo2lVW1iq","name":"Name","type":"singleLineText"}]`,
				`tbltp8DGLhqbUmjK1|Tasks|[{"id":"fld1VnoyuotSTyxW1","name":"Name","type":"singleLineText"},{"id":"fldoaIqdn5szURHpw","name":"Status","type":"singleSelect"},` +
					`{"id":"fldEstimate00001","name":"Estimate","type":"number","options":{"precision":1}},` +
					`{"id":"fldDueDate000001","name":"Due date","type":"date","options":{"dateFormat":{"name":"iso","format":"YYYY-MM-DD"}}},` +
					`{"id":"fldTags000000001","name":"Tags","type":"multipleSelects"}]`,
			},
			requests: []string{
				"GET /v0/meta/bases/appBTEdyCnoVwGcNm/tables",
			},
		},
		{
			name: "columns from the base schema (columnsFrom), typed by the field type",
			sql:  "SELECT * FROM task_records WHERE Estimate < 2",
			rows: []string{"recDone0000000001|2022-09-01T08:00:00Z|Set up repo|Done|1|NULL|NULL"},
			requests: []string{
				"GET /v0/meta/bases/appBTEdyCnoVwGcNm/tables",
				"GET /v0/appBTEdyCnoVwGcNm/Tasks?pageSize=100",
			},
		},
	},
})
