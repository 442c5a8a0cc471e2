package profiles_test

var _ = register(apiCase{
	profile: "slack.yaml",
	dsn:     "Token=xoxb-example",
	queries: []queryCase{
		{
			name: "channels over two cursor pages",
			sql:  "SELECT id, name, is_private, is_archived, num_members FROM channels ORDER BY name",
			rows: []string{
				"G0AKFJBEU|finance|true|true|2",
				"C012AB3CD|general|false|false|4",
				"C061EG9T2|random|false|false|4",
			},
			requests: []string{
				"GET /api/conversations.list?exclude_archived=false&types=public_channel,private_channel&limit=200",
				"GET /api/conversations.list?exclude_archived=false&types=public_channel,private_channel&limit=200&cursor=dGVhbTpDMDYxRkE1UEI=",
			},
		},
		{
			name: "a channel's messages since a day, joined to their authors",
			sql: "SELECT m.ts, u.real_name, m.text, m.reply_count FROM messages m JOIN users u ON u.id = m.user " +
				"WHERE m.channel = 'C012AB3CD' AND m.sent_at > '2017-11-30' AND m.subtype IS NULL ORDER BY m.ts",
			rows: []string{
				"1512085950.000216|Glinda Southgood|What, you want to smell my shoes better?|2",
				"1512104434.000490|Egon Spengler|I find you punny and would like to smell your nose letter|NULL",
			},
			requests: []string{
				"GET /api/conversations.history?channel=C012AB3CD&oldest=1512000000&limit=200",
				"GET /api/conversations.history?channel=C012AB3CD&oldest=1512000000&limit=200&cursor=bmV4dF90czoxNTEyMDg1ODYxMDAwNTQz",
				"GET /api/users.list?limit=200",
			},
		},
		{
			name: "a thread's replies (channel and ts in the query string), the parent left out",
			sql: "SELECT ts, user, text FROM replies WHERE channel = 'C012AB3CD' AND thread_ts = '1512085950.000216' " +
				"AND ts <> thread_ts ORDER BY ts",
			rows: []string{
				"1512085950.000500|U012AB3CDE|island",
				"1512085950.000600|U061F7AUR|one island",
			},
			requests: []string{
				"GET /api/conversations.replies?channel=C012AB3CD&ts=1512085950.000216&limit=200",
			},
		},
		{
			name: "ok: false is an error",
			sql:  "SELECT ts, text FROM messages WHERE channel = 'C0NOPE'",
			err:  "the API reports an error (errorWhen: ok is false): channel_not_found",
			requests: []string{
				"GET /api/conversations.history?channel=C0NOPE&limit=200",
			},
		},
	},
})
