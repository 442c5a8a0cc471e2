package profiles_test

const (
	sfOpportunities = "SELECT Id, Name, AccountId, StageName, Amount, Probability, CloseDate, IsClosed, IsWon, OwnerId, CreatedDate FROM Opportunity WHERE Id != null"
	sfAccounts      = "SELECT Id, Name, Type, Industry, BillingCountry, AnnualRevenue, NumberOfEmployees, OwnerId, CreatedDate FROM Account WHERE Id != null"
	sfToken         = "POST login.salesforce.com/services/oauth2/token grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer " +
		`claims={"aud":"https://login.salesforce.com","iss":"3MVG9example","sub":"admin@example.com"}`
)

var _ = register(apiCase{
	profile: "salesforce.yaml",
	dsn:     "User=admin@example.com",
	vars:    map[string]string{"ClientId": "3MVG9example", "SalesforceKey": testKeyPEM},
	tokens: map[string]string{
		"https://login.salesforce.com/services/oauth2/token": `{"access_token": "00DRO000000example!AQ4AQexample", "instance_url": "https://mydomain.my.salesforce.com",
			"id": "https://login.salesforce.com/id/00DRO000000exampleAA/005RO000000abcdYAA", "token_type": "Bearer", "scope": "api"}`,
	},
	showHost: true,
	offline:  "User=admin@example.com;AuthScheme=Bearer;Token=00DRO000000example",
	queries: []queryCase{
		{
			name: "JWT bearer token, instance_url base, SOQL with IN and a date, ORDER BY NULLS LAST, nextRecordsUrl",
			sql: "SELECT Name, StageName, Amount, CloseDate FROM opportunities " +
				"WHERE StageName IN ('Prospecting', 'Closed Won') AND CloseDate >= '2024-01-01' ORDER BY Amount DESC",
			rows: []string{
				"Edge Emergency Generator|Closed Won|75000|2024-03-15T00:00:00Z",
				"Burlington Textiles Weaving Plant Generator|Prospecting|35000|2024-06-30T00:00:00Z",
				"United Oil Refinery Generators|Prospecting|NULL|2024-09-01T00:00:00Z",
			},
			requests: []string{
				sfToken,
				"GET mydomain.my.salesforce.com/services/data/v62.0/query?q=" + sfOpportunities +
					" AND StageName IN ('Prospecting', 'Closed Won') AND CloseDate >= 2024-01-01 ORDER BY Amount DESC NULLS LAST",
				"GET mydomain.my.salesforce.com/services/data/v62.0/query/01gRO0000016PIAYA2-2",
			},
		},
		{
			name: "accounts joined to their open opportunities",
			sql: "SELECT a.Name, o.Name, o.Amount FROM accounts a JOIN opportunities o ON o.AccountId = a.Id " +
				"WHERE a.Industry IN ('Energy', 'Textiles') AND o.IsClosed = false ORDER BY a.Name",
			rows: []string{
				"Burlington Textiles Corp of America|Burlington Textiles Weaving Plant Generator|35000",
				"United Oil & Gas Corp.|United Oil Refinery Generators|NULL",
			},
			requests: []string{
				sfToken,
				"GET mydomain.my.salesforce.com/services/data/v62.0/query?q=" + sfAccounts + " AND Industry IN ('Energy', 'Textiles')",
				"GET mydomain.my.salesforce.com/services/data/v62.0/query?q=" + sfOpportunities + " AND IsClosed = false",
			},
		},
	},
})
