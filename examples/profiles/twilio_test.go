package profiles_test

var _ = register(apiCase{
	profile: "twilio.yaml",
	dsn:     "User=ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX;Password=auth-token-example;PageSize=2",
	vars:    map[string]string{"AccountSid": "ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"},
	queries: []queryCase{
		{
			name: "messages of one day from one number: DateSent> and DateSent< as days, next_page_uri followed; the 25th that DateSent< includes is filtered out",
			sql: "SELECT sid, to_number, status, num_segments, price, date_sent FROM messages " +
				"WHERE from_number = '+15017122661' AND date_sent >= '2019-05-24' AND date_sent < '2019-05-25' ORDER BY date_sent",
			rows: []string{
				"SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX2|+15558675311|undelivered|1|NULL|2019-05-24T09:00:02Z",
				"SMXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX1|+15558675310|delivered|1|-0.0075|2019-05-24T17:44:50Z",
			},
			requests: []string{
				"GET /2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json?From=+15017122661&DateSent>=2019-05-24&DateSent<=2019-05-25&PageSize=2",
				"GET /2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Messages.json?DateSent>=2019-05-24&DateSent<=2019-05-25&From=+15017122661&PageSize=2&Page=1&PageToken=PASMa1b2c3",
			},
		},
		{
			name: "LIMIT 1 asks for a page of one and stops",
			sql:  "SELECT sid, duration, start_time FROM calls WHERE status = 'completed' AND start_time >= '2019-05-24' LIMIT 1",
			rows: []string{"CAXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX1|15|2019-05-28T08:00:00Z"},
			requests: []string{
				"GET /2010-04-01/Accounts/ACXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX/Calls.json?Status=completed&StartTime>=2019-05-24&PageSize=1",
			},
		},
	},
})
