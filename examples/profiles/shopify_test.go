package profiles_test

var _ = register(apiCase{
	profile: "shopify.yaml",
	dsn:     "APIKey=shpat_example",
	vars:    map[string]string{"ShopifyStore": "jsmith"},
	queries: []queryCase{
		{
			name: "a vendor's products over two Link-header pages (page_info followed as given)",
			sql:  "SELECT id, title, status, created_at FROM products WHERE vendor = 'Burton' ORDER BY id",
			rows: []string{
				"632910392|IPod Nano - 8GB|active|2024-06-14T18:43:34Z",
				"921728736|IPod Touch 8GB|draft|2024-06-14T18:43:34Z",
				"1071559748|Burton Custom Freestyle 151|active|2024-06-14T18:50:12Z",
			},
			requests: []string{
				"GET /admin/api/2024-10/products.json?vendor=Burton&limit=250",
				"GET /admin/api/2024-10/products.json?limit=250&page_info=eyJsYXN0X2lkIjo2MzI5MTA0Mn0",
			},
		},
		{
			name: "paid orders since a date joined to their customers (one lookup each)",
			sql: "SELECT o.name, o.total_price, c.first_name, c.last_name, o.line_items FROM orders o JOIN customers c ON c.id = o.customer_id " +
				"WHERE o.financial_status = 'paid' AND o.created_at >= '2024-01-01T00:00:00Z'",
			rows: []string{
				`#1001|598.94|Bob|Norman|[{"id":466157049,"product_id":632910392,"title":"IPod Nano - 8GB","quantity":1,"price":"199.00"},{"id":518995019,"product_id":632910392,"title":"IPod Nano - 8GB","quantity":2,"price":"199.00"}]`,
			},
			requests: []string{
				"GET /admin/api/2024-10/orders.json?status=any&financial_status=paid&created_at_min=2024-01-01T00:00:00Z&limit=250",
				"GET /admin/api/2024-10/customers/207119551.json",
			},
		},
		{
			name: "one row per line item (each: line_items), the order's filters pushed",
			sql: "SELECT order_name, id, title, quantity, price FROM order_line_items " +
				"WHERE financial_status = 'paid' AND order_created_at >= '2024-01-01T00:00:00Z' ORDER BY quantity DESC",
			rows: []string{
				"#1001|518995019|IPod Nano - 8GB|2|199",
				"#1001|466157049|IPod Nano - 8GB|1|199",
			},
			requests: []string{
				"GET /admin/api/2024-10/orders.json?status=any&financial_status=paid&created_at_min=2024-01-01T00:00:00Z&limit=250",
			},
		},
	},
})
