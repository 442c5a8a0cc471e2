package profiles_test

const esEvents = `{"query":{"bool":{"filter":[{"terms":{"log.level":["error","warn"]}},` +
	`{"range":{"http.response.status_code":{"gte":500}}},{"range":{"@timestamp":{"gte":1714521600000}}}]}},` +
	`"sort":[{"@timestamp":"desc"}],"track_total_hits":true}`

const esLogs = `GET /logs-web/_search?track_total_hits=true&q=log.level:"error" AND @timestamp:>=1714521600000&sort=@timestamp:desc`

var _ = register(apiCase{
	profile: "elasticsearch.yaml",
	dsn:     "APIKey=VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==;PageSize=2",
	vars:    map[string]string{"ElasticURL": "https://my-deployment.es.us-east-1.aws.elastic.cloud", "ElasticIndex": "logs-web"},
	queries: []queryCase{
		{
			name: "Lucene q from two filters, sort pushed, from/size pages up to hits.total",
			sql: "SELECT _id, timestamp, service, status_code, message FROM logs " +
				"WHERE level = 'error' AND timestamp >= '2024-05-01' ORDER BY timestamp DESC",
			rows: []string{
				"kxWFcnMByiguvud1Z8vC|2024-05-02T10:15:00Z|checkout|502|upstream timed out",
				"a1b2c3d4e5f6g7h8i9j0|2024-05-02T09:00:00Z|search|NULL|index not found",
				"Zz9yX8wV7uT6sR5qP4oN|2024-05-01T23:59:59Z|checkout|500|panic: nil map",
			},
			requests: []string{
				esLogs + "&from=0&size=2",
				esLogs + "&from=2&size=2",
			},
		},
		{
			name: "cat indices as rows",
			sql:  "SELECT `index`, health, docs_count, store_size FROM indices WHERE docs_count > 0",
			rows: []string{"my-index-000001|yellow|1200|88370"},
			requests: []string{
				"GET /_cat/indices?bytes=b&format=json",
			},
		},
		{
			name: "query DSL in a POST body: terms and ranges in bool.filter, sort in the body, from/size pages",
			sql: "SELECT _id, level, status_code, message FROM events " +
				"WHERE level IN ('error', 'warn') AND status_code >= 500 AND timestamp >= '2024-05-01' ORDER BY timestamp DESC",
			rows: []string{
				"kxWFcnMByiguvud1Z8vC|error|502|upstream timed out",
				"Qm1nL2kJ3hG4fD5sA6pO|warn|503|slow shard",
				"Zz9yX8wV7uT6sR5qP4oN|error|500|panic: nil map",
			},
			requests: []string{
				"POST /logs-web/_search?from=0&size=2 " + esEvents,
				"POST /logs-web/_search?from=2&size=2 " + esEvents,
			},
		},
	},
})
