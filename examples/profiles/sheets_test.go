package profiles_test

const gsToken = "POST oauth2.googleapis.com/token grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer " +
	`claims={"aud":"https://oauth2.googleapis.com/token","iss":"reader@project-id.iam.gserviceaccount.com","scope":"https://www.googleapis.com/auth/spreadsheets.readonly"}`

var _ = register(apiCase{
	profile: "sheets.yaml",
	vars:    map[string]string{"GoogleClientEmail": "reader@project-id.iam.gserviceaccount.com", "GoogleKey": testKeyPEM},
	tokens: map[string]string{
		"https://oauth2.googleapis.com/token": `{"access_token": "ya29.c.example", "expires_in": 3599, "token_type": "Bearer"}`,
	},
	showHost: true,
	offline:  "AuthScheme=Bearer;Token=ya29.example",
	queries: []queryCase{
		{
			name: "a range's rows by position, filtered in the driver",
			sql: "SELECT a AS name, d AS home_state, f AS activity FROM cells " +
				"WHERE spreadsheet_id = '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms' AND a1_range = 'Class Data!A2:F' AND b = 'Female'",
			rows: []string{
				"Alexandra|CA|NULL",
				"Anna|NC|Basketball",
				"Becky|SD|Baseball",
			},
			requests: []string{
				gsToken,
				"GET sheets.googleapis.com/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Class%20Data%21A2:F?dateTimeRenderOption=FORMATTED_STRING&majorDimension=ROWS&valueRenderOption=UNFORMATTED_VALUE",
			},
		},
		{
			name: "the tabs of a spreadsheet",
			sql:  "SELECT sheet_id, title, row_count FROM sheets WHERE spreadsheet_id = '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms' ORDER BY `index`",
			rows: []string{"0|Class Data|31", "1839213748|Summary|1000"},
			requests: []string{
				gsToken,
				"GET sheets.googleapis.com/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms?fields=sheets.properties",
			},
		},
		{
			name: "a range whose header row names the columns (header: first)",
			sql: "SELECT student_name, home_state, activity FROM sheet_rows " +
				"WHERE spreadsheet_id = '1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms' AND a1_range = 'Class Data!A1:F' AND home_state = 'SD' ORDER BY student_name",
			rows: []string{"Andrew|SD|Lacrosse", "Becky|SD|Baseball"},
			requests: []string{
				gsToken,
				"GET sheets.googleapis.com/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Class%20Data%21A1:F?dateTimeRenderOption=FORMATTED_STRING&majorDimension=ROWS&valueRenderOption=UNFORMATTED_VALUE",
			},
		},
	},
})
