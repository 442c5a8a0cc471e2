package profiles_test

var _ = register(apiCase{
	profile: "stripe.yaml",
	dsn:     "Token=sk_test_example",
	queries: []queryCase{
		{
			name: "customers created in April 2023, two cursor pages",
			sql: "SELECT id, email, name, balance, created FROM customers " +
				"WHERE created >= '2023-04-01' AND created < '2023-05-01' ORDER BY created",
			rows: []string{
				"cus_NffrFeUfNV2Hia|sam@example.com|NULL|0|2023-04-07T18:59:53Z",
				"cus_NffrGmX4Oy1hCq|pat@example.com|Pat Lee|-500|2023-04-07T20:40:00Z",
				"cus_NffrFeUfNV2Hib|jennyrosen@example.com|Jenny Rosen|0|2023-04-09T00:26:40Z",
			},
			requests: []string{
				"GET /v1/customers?created[gte]=1680307200&created[lt]=1682899200&limit=100",
				"GET /v1/customers?created[gte]=1680307200&created[lt]=1682899200&limit=100&starting_after=cus_NffrGmX4Oy1hCq",
			},
		},
		{
			name: "a customer's paid invoices joined to their lines",
			sql: "SELECT i.number, l.description, l.amount, l.period_start FROM invoices i JOIN invoice_lines l ON l.invoice = i.id " +
				"WHERE i.customer = 'cus_NffrFeUfNV2Hib' AND i.status = 'paid' ORDER BY i.number, l.amount DESC",
			rows: []string{
				"A1B2C3D4-0001|1 × Silver (at $10.00 / month)|1000|2023-03-05T21:41:07Z",
				"A1B2C3D4-0002|1 × Gold Special (at $20.00 / month)|2000|2023-04-04T21:41:07Z",
				"A1B2C3D4-0002|Setup fee|500|2023-04-04T21:41:07Z",
			},
			requests: []string{
				"GET /v1/invoices?customer=cus_NffrFeUfNV2Hib&status=paid&limit=100",
				"GET /v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv/lines?limit=100",
				"GET /v1/invoices/in_1MtHbELkdIwHu7ixl4OzzPMv/lines?limit=100&starting_after=il_1MtHbELkdIwHu7ixlineA02",
				"GET /v1/invoices/in_1MtHbELkdIwHu7ixFirst01/lines?limit=100",
			},
		},
		{
			name: "search query language: name:'…' AND created>=…, pages by next_page",
			sql:  "SELECT id, email, metadata FROM customer_search WHERE name = 'Jenny Rosen' AND created >= '2023-04-01' ORDER BY created",
			rows: []string{
				"cus_Nffr0ldJennyB|jenny.rosen@example.org|{}",
				`cus_NffrFeUfNV2Hib|jennyrosen@example.com|{"order_id":"6735"}`,
			},
			requests: []string{
				"GET /v1/customers/search?query=name:'Jenny Rosen' AND created>=1680307200&limit=100",
				"GET /v1/customers/search?query=name:'Jenny Rosen' AND created>=1680307200&limit=100&page=WzE2ODA4OTM5OTNd",
			},
		},
		{
			name: "LIMIT 1 asks for one object",
			sql:  "SELECT id, amount, status, paid FROM charges WHERE customer = 'cus_NffrFeUfNV2Hib' LIMIT 1",
			rows: []string{"ch_3MmlLrLkdIwHu7ix0snN0B15|1099|succeeded|true"},
			requests: []string{
				"GET /v1/charges?customer=cus_NffrFeUfNV2Hib&limit=1",
			},
		},
		{
			name: "canceled subscriptions: read with status=all, the status filtered in the driver",
			sql:  "SELECT id, status, price FROM subscriptions WHERE customer = 'cus_NffrFeUfNV2Hib' AND status = 'canceled'",
			rows: []string{"sub_1MoldCanceled0001|canceled|price_1Old"},
			requests: []string{
				"GET /v1/subscriptions?status=all&customer=cus_NffrFeUfNV2Hib&limit=100",
			},
		},
		{
			name: "a missing invoice is Stripe's 404",
			sql:  "SELECT id FROM invoice_lines WHERE invoice = 'in_missing'",
			err:  `404 Not Found: {"error": {"code": "resource_missing"`,
			requests: []string{
				"GET /v1/invoices/in_missing/lines?limit=100",
			},
		},
	},
})
