package catalog

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// positionCases are invalid profiles, each breaking one validation rule on
// the line marked "# <-". The error must name that line and the column
// where at starts on it: the expected position comes from the document,
// not from the decoder.
var positionCases = []struct {
	name string
	data string
	at   string // the text on the marked line that the column points at
	err  string // the message after the position
}{
	{
		name: "unknown column type",
		data: profileWithTable("url: /orders\ncolumns:\n  - name: id\n  - name: total\n    type: money # <-\n"),
		at:   "type",
		err:  `catalog A: schema S: table t: column total: unknown type "money" (want string, int, float, bool, datetime, json)`,
	},
	{
		name: "unknown filter operator",
		data: profileWithTable("url: /t\ncolumns:\n  - name: id\n    filters:\n      '~': {param: id} # <-\n"),
		at:   "'~'",
		err:  `catalog A: schema S: table t: column id: filter "~": unknown operator (want =, !=, <, <=, >, >=, IN, LIKE)`,
	},
	{
		name: "filter field only for IN",
		data: profileWithTable("url: /t\ncolumns:\n  - name: id\n    filters:\n      '=':\n        param: id\n        repeat: true # <-\n"),
		at:   "repeat",
		err:  `catalog A: schema S: table t: column id: filter =: repeat is only for IN`,
	},
	{
		name: "filter without param",
		data: profileWithTable("url: /t\ncolumns:\n  - name: id\n    filters:\n      IN: {join: ','} # <-\n"),
		at:   "IN",
		err:  `catalog A: schema S: table t: column id: filter IN: param is empty`,
	},
	{
		name: "missing get url",
		data: profileWithTable("url: /t\nget: {params: {a: b}} # <-\ncolumns: [{name: id}]\n"),
		at:   "get",
		err:  `catalog A: schema S: table t: get: url is empty`,
	},
	{
		name: "bad catalog url",
		data: "catalogs:\n  A:\n    url: ftp://api.test # <-\n    schemas: {S: {tables: {t: {columns: [{name: id}]}}}}\n",
		at:   "url",
		err:  `catalog A: url: "ftp://api.test" is not an absolute http or https URL`,
	},
	{
		name: "unknown pagination type",
		data: profileWithTable("url: /t\ncolumns: [{name: id}]\npagination:\n  type: pages # <-\n"),
		at:   "type",
		err:  `catalog A: schema S: table t: pagination: unknown type "pages" (want none, offset, page, cursor, nextURL, linkHeader)`,
	},
	{
		name: "pagination setting not used by its type",
		data: profileWithTable("url: /t\ncolumns: [{name: id}]\npagination:\n  type: offset\n  offsetParam: offset\n  pageParam: page # <-\n"),
		at:   "pageParam",
		err:  `catalog A: schema S: table t: pagination: pageParam is not used by type offset`,
	},
	{
		name: "pagination setting missing",
		data: profileWithTable("url: /t\ncolumns: [{name: id}]\npagination: # <-\n  type: nextURL\n"),
		at:   "pagination",
		err:  `catalog A: schema S: table t: pagination: type nextURL needs nextPath (the body path of the next page's URL)`,
	},
	{
		name: "catalog pagination",
		data: profileWithCatalog("url: http://api.test\npagination: {type: page, start: -1} # <-\n"),
		at:   "start",
		err:  `catalog A: pagination: start is negative (-1)`,
	},
	{
		name: "each",
		data: profileWithTable("url: /t\neach: ^.items # <-\ncolumns: [{name: id}]\n"),
		at:   "each",
		err:  `catalog A: schema S: table t: each: path "^.items" starts with ^. (each: is a path inside each row)`,
	},
	{
		name: "enclosing row without each",
		data: profileWithTable("url: /t\ncolumns:\n  - name: id\n    path: ^.id # <-\n"),
		at:   "path",
		err:  `catalog A: schema S: table t: column id: path "^.id" reads the enclosing row (^.), which only a table with each: has`,
	},
	{
		name: "header",
		data: profileWithTable("url: /t\nheader: last # <-\ncolumns: [{name: id}]\n"),
		at:   "header",
		err:  `catalog A: schema S: table t: header: unknown header "last" (want first)`,
	},
	{
		name: "body",
		data: profileWithTable("url: /t\nmethod: POST\nbody: [1] # <-\ncolumns: [{name: id}]\n"),
		at:   "body",
		err:  `catalog A: schema S: table t: body: body is a list, want a mapping (the JSON object sent)`,
	},
	{
		name: "graphql",
		data: profileWithTable("url: /t\nmethod: POST\ngraphql: # <-\n  query: ''\ncolumns: [{name: id}]\n"),
		at:   "graphql",
		err:  `catalog A: schema S: table t: graphql: query is empty (want the GraphQL query text)`,
	},
	{
		name: "graphql with GET",
		data: profileWithTable("url: /t\nmethod: GET # <-\ngraphql: {query: '{ x }'}\ncolumns: [{name: id}]\n"),
		at:   "method",
		err:  `catalog A: schema S: table t: method GET cannot send a graphql: query (want POST)`,
	},
	{
		name: "columnsFrom",
		data: profileWithTable("url: /t\ncolumns: [{name: id}]\ncolumnsFrom:\n  url: /fields\n  name: name\n  path: fields.id # <-\n"),
		at:   "path",
		err:  `catalog A: schema S: table t: columnsFrom: path: "fields.id" has no {x} (x is a path in the metadata row, e.g. "fields.{id}")`,
	},
	{
		name: "auth scheme",
		data: profileWithCatalog("url: http://api.test\nauth:\n  scheme: Kerberos # <-\n"),
		at:   "scheme",
		err:  `catalog A: auth: unknown scheme "Kerberos" (want None, Basic, Digest, Bearer, APIKey, OAuth2)`,
	},
	{
		name: "auth claims",
		data: profileWithCatalog("url: http://api.test\nauth:\n  scheme: OAuth2\n  grantType: jwt_bearer\n  privateKey: k\n  claims:\n    exp: 1 # <-\n"),
		at:   "exp",
		err:  `catalog A: auth: claims: exp is set by the driver (iat is now, exp a few minutes later)`,
	},
	{
		name: "rateLimit",
		data: profileWithCatalog("url: http://api.test\nrateLimit: {remaining: r, reset: s, resetFormat: iso} # <-\n"),
		at:   "resetFormat",
		err:  `catalog A: rateLimit: resetFormat: unknown format "iso" (want unix, seconds, http-date)`,
	},
	{
		name: "errorWhen",
		data: profileWithCatalog("url: http://api.test\nerrorWhen: {path: ok, equals: [1]} # <-\n"),
		at:   "equals",
		err:  `catalog A: errorWhen: equals: got a list, want a string, number or boolean`,
	},
	{
		name: "sort column",
		data: profileWithTable("url: /t\ncolumns: [{name: id}, {name: name}]\nsort: {param: order, columns: [id, nme]} # <-\n"),
		at:   "nme",
		err:  `catalog A: schema S: table t: sort: columns: "nme" is not a column of the table (did you mean name?)`,
	},
	{
		name: "combine",
		data: profileWithTable("url: /t\ncolumns: [{name: id}]\ncombine:\n  jql: {base: x} # <-\n"),
		at:   "jql",
		err:  `catalog A: schema S: table t: combine: jql: separator is empty`,
	},
	{
		name: "write method",
		data: profileWithTable("url: /t\ncolumns: [{name: id}]\nupdate:\n  method: GET # <-\n  url: /t/{id}\n"),
		at:   "method",
		err:  `catalog A: schema S: table t: update: unknown method "GET" (want POST, PUT, PATCH, DELETE)`,
	},
	{
		name: "write url placeholder",
		data: profileWithTable("url: /t\ncolumns: [{name: id}]\ndelete: {method: DELETE, url: '/t/{rev}'} # <-\n"),
		at:   "url",
		err:  `catalog A: schema S: table t: delete: url: placeholder {rev} is not a column of the table`,
	},
	{
		name: "datetime format",
		data: profileWithTable("url: /t\ncolumns:\n  - name: at\n    type: datetime\n    format: yyyy-MM-dd # <-\n"),
		at:   "format",
		err:  `catalog A: schema S: table t: column at: format "yyyy-MM-dd" is not a Go time layout (e.g. "2006-01-02 15:04:05"), unix or unixms`,
	},
	{
		name: "duplicate column",
		data: profileWithTable("url: /t\ncolumns:\n  - name: id\n  - name: ID # <-\n"),
		at:   "name",
		err:  `catalog A: schema S: table t: column ID: duplicate column name (column #1 is id)`,
	},
	{
		name: "duplicate column, same spelling",
		data: profileWithTable("url: /t\ncolumns:\n  - name: id\n    type: int\n  - name: id # <-\n"),
		at:   "name",
		err:  `catalog A: schema S: table t: column id: duplicate column name (column #1 is id)`,
	},
	{
		name: "table names that differ only in case",
		data: "catalogs:\n  A:\n    url: http://api.test\n    schemas:\n      S:\n        tables:\n          T: {columns: [{name: id}]}\n          t: {columns: [{name: id}]} # <-\n",
		at:   "t:",
		err:  `catalog A: schema S: table T and table t differ only in case`,
	},
	{
		name: "empty table",
		data: "catalogs:\n  A:\n    url: http://api.test\n    schemas:\n      S:\n        tables:\n          t: # <-\n",
		at:   "t:",
		err:  `catalog A: schema S: table t: empty (want url: and columns:)`,
	},
	{
		name: "flow url quoted on the second try keeps its line",
		data: profileWithTable("url: /t\ncolumns: [{name: id}]\nupdate: {method: PUT, url: /t/{rev}} # <-\n"),
		at:   "url",
		err:  `catalog A: schema S: table t: update: url: placeholder {rev} is not a column of the table`,
	},
}

func TestValidationErrorPositions(t *testing.T) {
	for _, tc := range positionCases {
		t.Run(tc.name, func(t *testing.T) {
			line, col := 0, 0
			for i, l := range strings.Split(tc.data, "\n") {
				if strings.HasSuffix(l, "# <-") {
					require.Zero(t, line, "two marked lines")
					line, col = i+1, strings.Index(l, tc.at)+1
				}
			}
			require.NotZero(t, line, "no marked line")
			require.NotZero(t, col, "%q is not on the marked line", tc.at)

			_, err := Parse([]byte(tc.data), "shop.yaml")
			require.EqualError(t, err, "catalog: profile shop.yaml:"+strconv.Itoa(line)+":"+strconv.Itoa(col)+": "+tc.err)

			var pe *ProfileError
			require.True(t, errors.As(err, &pe), "%T is not a *ProfileError", err)
			assert.Equal(t, "shop.yaml", pe.Path)
			assert.Equal(t, line, pe.Line)
			assert.Equal(t, col, pe.Column)
		})
	}
}

func TestValidationErrorPositionFromJSON(t *testing.T) {
	data := `{
  "catalogs": {
    "A": {
      "url": "http://api.test",
      "schemas": {"S": {"tables": {"t": {
        "columns": [
          {"name": "id"},
          {"name": "total", "type": "money"}
        ]
      }}}}
    }
  }
}`
	_, err := Parse([]byte(data), "shop.json")
	require.EqualError(t, err, `catalog: profile shop.json:8:29: catalog A: schema S: table t: column total: unknown type "money" (want string, int, float, bool, datetime, json)`)
}

func TestValidationErrorWithoutPositions(t *testing.T) {
	// A profile built in Go has no document: the error names no line.
	p := &Profile{Path: "go", Catalogs: map[string]*Catalog{"A": {URL: "http://a", Schemas: map[string]*Schema{
		"S": {Tables: map[string]*Table{"t": {Columns: []*Column{{Name: "id", Type: "money"}}}}},
	}}}}
	err := p.Validate()
	require.EqualError(t, err, `catalog: profile go: catalog A: schema S: table t: column id: unknown type "money" (want string, int, float, bool, datetime, json)`)
	var pe *ProfileError
	require.True(t, errors.As(err, &pe))
	assert.Zero(t, pe.Line)
	assert.Equal(t, []string{"catalog A", "schema S", "table t", "column id"}, pe.Where)
	assert.Equal(t, `unknown type "money" (want string, int, float, bool, datetime, json)`, pe.Message)
}
