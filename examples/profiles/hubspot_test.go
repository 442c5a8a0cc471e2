package profiles_test

const hsContacts = "GET /crm/v3/objects/contacts?properties=email,firstname,lastname,lifecyclestage,hubspot_owner_id,createdate,lastmodifieddate&limit=100"

var _ = register(apiCase{
	profile: "hubspot.yaml",
	dsn:     "Token=pat-na1-example",
	queries: []queryCase{
		{
			name: "contacts over two paging.next.after pages",
			sql:  "SELECT id, email, firstname, lifecyclestage, createdAt FROM contacts WHERE lifecyclestage = 'customer' ORDER BY createdAt",
			rows: []string{
				"512|bcooper@biglytics.net|Bryan|customer|2019-10-30T03:30:17Z",
				"601|sam@example.org|Sam|customer|2020-01-15T08:00:00Z",
			},
			requests: []string{
				hsContacts,
				hsContacts + "&after=514",
			},
		},
		{
			name: "deals joined to their owners and their pipeline's stages",
			sql: "SELECT d.dealname, d.amount, o.email, s.label, s.probability FROM deals d " +
				"JOIN owners o ON o.id = d.hubspot_owner_id JOIN deal_stages s ON s.id = d.dealstage AND s.pipeline = d.pipeline " +
				"WHERE s.pipeline = 'default' ORDER BY d.id",
			rows: []string{
				"Biglytics renewal|1500|sales.rep@example.com|Contract Sent|0.9",
				"Pilot|NULL|second.rep@example.com|Appointment Scheduled|0.2",
			},
			requests: []string{
				"GET /crm/v3/objects/deals?properties=dealname,amount,dealstage,pipeline,closedate,hubspot_owner_id&limit=100",
				"GET /crm/v3/owners?limit=100",
				"GET /crm/v3/pipelines/deals/default/stages",
			},
		},
	},
})
