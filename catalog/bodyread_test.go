package catalog

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestBodyReadValid(t *testing.T) {
	p, err := Parse([]byte(`
catalogs:
  N:
    url: https://api.notion.com/v1
    pagination: {type: cursor, cursorPath: next_cursor, cursorParam: start_cursor}
    schemas:
      S:
        tables:
          pages:
            url: /databases/x/query
            body: {page_size: 100}
            rows: results
            pagination: {cursorBody: start_cursor}
            sort: {body: sorts.-1, value: '{"property": "{name}", "direction": "{dir}"}'}
            limit: {body: page_size}
            columns:
              - {name: id}
              - {name: Status, filters: {"=": {body: filter.and.-1, value: '{"property": "Status", "select": {"equals": {}}}'}}}
          issues:
            url: /graphql
            graphql: {query: "query { viewer { login } }", variables: {first: 10}}
            columns: [{name: login}]
`), "api.yaml")
	require.NoError(t, err)
	pages := p.Catalogs["N"].Schemas["S"].Tables["pages"]
	assert.Equal(t, MethodPost, pages.Method, "a body: makes the read a POST")
	assert.True(t, pages.BodyRead())
	eff := p.Catalogs["N"].EffectivePagination(pages)
	assert.Equal(t, "start_cursor", eff.CursorBody)
	assert.Empty(t, eff.CursorParam, "cursorBody replaces the catalog's cursorParam")
	b, err := pages.BodyTemplate()
	require.NoError(t, err)
	assert.JSONEq(t, `{"page_size": 100}`, string(b))
	gq := p.Catalogs["N"].Schemas["S"].Tables["issues"]
	assert.Equal(t, MethodPost, gq.Method)
	b, err = gq.BodyTemplate()
	require.NoError(t, err)
	assert.JSONEq(t, `{"query": "query { viewer { login } }", "variables": {"first": 10}}`, string(b))
}

func TestBodyReadErrors(t *testing.T) {
	_, err := Parse([]byte(`
catalogs:
  A:
    url: http://x
    schemas:
      S:
        tables:
          a:
            url: /a
            method: PUT
            columns: [{name: id, filters: {"=": {body: filter}}}]
          b:
            url: /b
            method: GET
            body: {x: 1}
            graphql: {query: ""}
            columns: [{name: id}]
          c:
            url: /c
            method: POST
            body: "[1, 2]"
            pagination: {type: cursor, cursorPath: next, cursorParam: c, cursorBody: c}
            sort: {body: "sorts[0]", param: s, value: "{column"}
            limit: {body: n, param: n}
            columns:
              - {name: id, filters: {"=": {body: "a.#", param: p, join: ",", value: "{\"x\": {}"}}}
          d:
            url: /d
            select: {body: properties, join: ","}
            sort: {body: sorts}
            limit: {body: n}
            pagination: {type: offset, cursorBody: c}
            columns: [{name: id}]
          e:
            url: /e
            columnsFrom: {url: "/fields/{id}", path: "fields.id", type: {path: "", map: {number: money}}}
            columns: [{name: id}]
`), "api.yaml")
	require.Error(t, err)
	want := []string{
		`catalog: profile api.yaml:10:13: catalog A: schema S: table a: method: unknown method "PUT" (want GET, or POST for a read with a body)`,
		`catalog: profile api.yaml:11:50: catalog A: schema S: table a: column id: filter =: body filter: the table reads without a body (set method: POST and body:, or graphql:)`,
		`catalog: profile api.yaml:16:13: catalog A: schema S: table b: graphql: query is empty (want the GraphQL query text)`,
		`catalog: profile api.yaml:16:13: catalog A: schema S: table b: body and graphql exclude each other (graphql sends {"query", "variables"})`,
		`catalog: profile api.yaml:14:13: catalog A: schema S: table b: method GET cannot send a graphql: query (want POST)`,
		`catalog: profile api.yaml:14:13: catalog A: schema S: table b: method GET cannot send a body: (want POST)`,
		`catalog: profile api.yaml:21:13: catalog A: schema S: table c: body: body is a list, want a JSON object`,
		`catalog: profile api.yaml:26:44: catalog A: schema S: table c: column id: filter =: body: path "a.#" cannot be written: "#" selects or transforms (a write needs plain keys such as a.b.c)`,
		`catalog: profile api.yaml:26:57: catalog A: schema S: table c: column id: filter =: param and body exclude each other (choose where the filter goes)`,
		`catalog: profile api.yaml:26:38: catalog A: schema S: table c: column id: filter =: repeat, join, quote and escape are for param: filters (a body filter's value is JSON: an IN list is a JSON array)`,
		`catalog: profile api.yaml:26:78: catalog A: schema S: table c: column id: filter =: value: "{\"x\": {}" is not JSON with {} for the value (e.g. '{"property": "Status", "select": {"equals": {}}}')`,
		`catalog: profile api.yaml:23:13: catalog A: schema S: table c: sort: body excludes param, order and append (write the direction with {dir} in value)`,
		`catalog: profile api.yaml:24:30: catalog A: schema S: table c: limit: param and body exclude each other`,
		`catalog: profile api.yaml:22:74: catalog A: schema S: table c: pagination: cursorParam and cursorBody exclude each other (cursorBody replaces cursorParam)`,
		`catalog: profile api.yaml:30:20: catalog A: schema S: table d: sort: body sorts: the table reads without a body (set method: POST and body:, or graphql:)`,
		`catalog: profile api.yaml:31:21: catalog A: schema S: table d: limit: body n: the table reads without a body (set method: POST and body:, or graphql:)`,
		`catalog: profile api.yaml:32:40: catalog A: schema S: table d: pagination: cursorBody is not used by type offset`,
		`catalog: profile api.yaml:29:22: catalog A: schema S: table d: select: body properties: the table reads without a body (set method: POST and body:, or graphql:)`,
		`catalog: profile api.yaml:36:27: catalog A: schema S: table e: columnsFrom: url: placeholder {id}: the metadata endpoint is read once for the table, so its url has no key placeholders`,
		`catalog: profile api.yaml:36:13: catalog A: schema S: table e: columnsFrom: name is empty (want the path of the column name in each metadata row, e.g. name)`,
		`catalog: profile api.yaml:36:48: catalog A: schema S: table e: columnsFrom: path: "fields.id" has no {x} (x is a path in the metadata row, e.g. "fields.{id}")`,
		`catalog: profile api.yaml:36:67: catalog A: schema S: table e: columnsFrom: type: path is empty (want the path of the type in each metadata row)`,
		`catalog: profile api.yaml:36:90: catalog A: schema S: table e: columnsFrom: type: map: number: unknown type "money" (want string, int, float, bool, datetime, json)`,
	}
	got := strings.Split(err.Error(), "\n")
	for _, w := range want {
		assert.Contains(t, got, w)
	}
}

func TestColumnsFromPath(t *testing.T) {
	assert.Equal(t, []string{"id", "schema.type"}, ColumnsFromPlaceholders("fields.{id}.{schema.type}"))
	assert.Equal(t, "fields.customfield_1", ColumnsFromPath("fields.{id}", func(x string) string { return map[string]string{"id": "customfield_1"}[x] }))
}
