package catalog

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseShapes(t *testing.T) {
	p, err := Parse([]byte(profileWithTable(`url: /orders
rows: orders
each: line_items
keepEmpty: true
select: {param: fields, under: properties}
columns:
  - {name: order_id, path: ^.id, type: int, filters: {"=": {param: ids}}}
  - {name: sku}
  - {name: at, type: datetime, format: ["2006-01-02", RFC1123Z, UNIX]}
  - {name: one, type: datetime, format: [unixms]}
`)), "api.yaml")
	require.NoError(t, err)
	tb := p.Catalogs["A"].Schemas["S"].Tables["t"]
	assert.Equal(t, "line_items", tb.Each)
	assert.True(t, tb.KeepEmpty)
	assert.Equal(t, "properties", tb.Select.Under)
	at := tb.Columns[2]
	assert.Equal(t, "2006-01-02", at.Format)
	assert.Equal(t, []string{"2006-01-02", time.RFC1123Z, "unix"}, at.Formats)
	one := tb.Columns[3]
	assert.Equal(t, "unixms", one.Format)
	assert.Nil(t, one.Formats, "a list of one format is that format")
	rest, ok := ParentPath(tb.Columns[0].Path)
	assert.True(t, ok)
	assert.Equal(t, "id", rest)
	require.NoError(t, p.Validate(), "Validate is idempotent")
	assert.Equal(t, []string{"2006-01-02", time.RFC1123Z, "unix"}, at.Formats)

	cp := p.Clone()
	cp.Catalogs["A"].Schemas["S"].Tables["t"].Columns[2].Formats[0] = "x"
	assert.Equal(t, "2006-01-02", at.Formats[0], "Clone copies the format list")

	h, err := Parse([]byte(profileWithTable(`url: /values
rows: values
header: FIRST
columns: [{name: email, path: Email}]
`)), "api.yaml")
	require.NoError(t, err)
	assert.Equal(t, HeaderFirst, h.Catalogs["A"].Schemas["S"].Tables["t"].Header)
}

func TestParseShapeErrors(t *testing.T) {
	for _, tc := range []struct{ name, data, err string }{
		{
			name: "parent path without each",
			data: profileWithTable(`url: /t
keepEmpty: true
columns: [{name: a, path: ^.id}, {name: b, path: "^."}, {name: c, path: ^.^.id}]
`),
			err: `catalog: profile api.yaml:9:13: catalog A: schema S: table t: keepEmpty: keepEmpty is used with each: only
catalog: profile api.yaml:10:33: catalog A: schema S: table t: column a: path "^.id" reads the enclosing row (^.), which only a table with each: has
catalog: profile api.yaml:10:56: catalog A: schema S: table t: column b: path "^." reads the enclosing row (^.), which only a table with each: has
catalog: profile api.yaml:10:79: catalog A: schema S: table t: column c: path "^.^.id" reads the enclosing row (^.), which only a table with each: has`,
		},
		{
			name: "nested parent path",
			data: profileWithTable(`url: /t
each: "^.x"
columns: [{name: b, path: "^."}, {name: c, path: ^.^.id}]
`),
			err: `catalog: profile api.yaml:9:13: catalog A: schema S: table t: each: path "^.x" starts with ^. (each: is a path inside each row)
catalog: profile api.yaml:10:33: catalog A: schema S: table t: column b: path "^." names no field of the enclosing row
catalog: profile api.yaml:10:56: catalog A: schema S: table t: column c: path "^.^.id" goes up 2 rows, but each: ^.x has 1 level(s)`,
		},
		{
			name: "nested each",
			data: profileWithTable(`url: /t
each: "a.#..#.b"
columns: [{name: c, path: ^.^.^.^.id}]
`),
			err: `catalog: profile api.yaml:9:13: catalog A: schema S: table t: each: path "a.#..#.b" has an empty level (levels are separated by .#.)
catalog: profile api.yaml:10:33: catalog A: schema S: table t: column c: path "^.^.^.^.id" goes up 4 rows, but each: a.#..#.b has 3 level(s)`,
		},
		{
			name: "header",
			data: profileWithTable(`url: /t
header: second
each: x
select: {param: f, under: "a[0]"}
delete: {method: DELETE, url: "/t/{a}"}
columns: [{name: a}]
`),
			err: `catalog: profile api.yaml:9:13: catalog A: schema S: table t: header: unknown header "second" (want first)
catalog: profile api.yaml:9:13: catalog A: schema S: table t: header: header and each exclude each other
catalog: profile api.yaml:12:13: catalog A: schema S: table t: delete: a table with each: or header: is read only
catalog: profile api.yaml:11:32: catalog A: schema S: table t: select: under: "a[0]" is not a plain path (keys separated by dots)
catalog: profile api.yaml:11:13: catalog A: schema S: table t: select: a header: first table's columns are cells, not fields a select can name`,
		},
		{
			name: "format lists",
			data: profileWithTable(`url: /t
columns:
  - {name: a, type: datetime, format: []}
  - {name: b, type: datetime, format: [unix, "", yyyy-MM-dd]}
  - {name: c, format: [unix, unixms]}
  - {name: d, type: datetime, format: [dd.MM.yyyy, unix]}
`),
			err: `catalog: profile api.yaml:10:43: catalog A: schema S: table t: column a: format list is empty (want at least one format)
catalog: profile api.yaml:11:43: catalog A: schema S: table t: column b: format #2 is empty
catalog: profile api.yaml:11:43: catalog A: schema S: table t: column b: format #3 "yyyy-MM-dd" is not a Go time layout (e.g. "2006-01-02 15:04:05"), unix, unixms or rfc1123z
catalog: profile api.yaml:12:27: catalog A: schema S: table t: column c: format is only for datetime columns (type is string)
catalog: profile api.yaml:13:43: catalog A: schema S: table t: column d: format "dd.MM.yyyy" is not a Go time layout (e.g. "2006-01-02 15:04:05"), unix or unixms`,
		},
		{
			name: "format list of a mapping",
			data: profileWithTable(`url: /t
columns:
  - {name: a, type: datetime, format: [{x: 1}]}
`),
			err: `catalog: profile api.yaml: line 10: catalog A: schema S: table t: column a: format: got a mapping, want a string`,
		},
		{
			name: "github app",
			data: profileWithCatalog(`url: http://api.test
auth: {scheme: OAuth2, grantType: GitHub_App, claims: {iss: x}}
`),
			err: `catalog: profile api.yaml:4:5: catalog A: auth: privateKey is empty (grantType github_app signs its JWT with a PEM RSA private key, e.g. "${PrivateKey}")
catalog: profile api.yaml:4:5: catalog A: auth: clientId is empty (grantType github_app: the GitHub App's client ID or app ID, the JWT's issuer)
catalog: profile api.yaml:4:5: catalog A: auth: tokenURL is empty (grantType github_app: e.g. https://api.github.com/app/installations/${InstallationID}/access_tokens)
catalog: profile api.yaml:4:60: catalog A: auth: claims: iss is set by the driver from clientId (grantType github_app)`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.data), "api.yaml")
			require.Nil(t, p)
			require.EqualError(t, err, tc.err)
		})
	}
}
