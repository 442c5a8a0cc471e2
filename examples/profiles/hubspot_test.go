package profiles_test

const hsSearch = `"filterGroups":[{"filters":[` +
	`{"operator":"EQ","propertyName":"lifecyclestage","value":"customer"},{"operator":"GTE","propertyName":"createdate","value":"1569888000000"}]}],` +
	`"limit":100,"properties":["email","lastname","lifecyclestage","createdate"],"sorts":[{"direction":"DESCENDING","propertyName":"createdate"}]`

const hsContacts = "GET /crm/v3/objects/contacts?properties=email,firstname,lifecyclestage&limit=100"

var _ = register(apiCase{
	profile: "hubspot.yaml",
	dsn:     "Token=pat-na1-example",
	queries: []queryCase{
		{
			name: "contacts over two paging.next.after pages, properties= the needed ones",
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
				"GET /crm/v3/objects/deals?properties=dealname,amount,dealstage,pipeline,hubspot_owner_id&limit=100",
				"GET /crm/v3/owners?limit=100",
				"GET /crm/v3/pipelines/deals/default/stages",
			},
		},
		{
			name: "CRM search by POST: filters in filterGroups, the date as epoch ms, the needed properties, sort and after in the body",
			sql: "SELECT id, email, lastname, createdate FROM contact_search " +
				"WHERE lifecyclestage = 'customer' AND createdate >= '2019-10-01' ORDER BY createdate DESC",
			rows: []string{
				"601|sam@example.org|Lee|2020-01-15T08:00:00Z",
				"512|bcooper@biglytics.net|Cooper|2019-10-30T03:30:17Z",
				"488|ann@example.com|NULL|2019-10-02T12:00:00Z",
			},
			requests: []string{
				"POST /crm/v3/objects/contacts/search {" + hsSearch + "}",
				`POST /crm/v3/objects/contacts/search {"after":"2",` + hsSearch + "}",
			},
		},
	},
})
