package catalog

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// profileWithTable returns a profile of one catalog A (url http://api.test),
// one schema S and one table t whose body is given (YAML, unindented).
func profileWithTable(body string) string {
	return "catalogs:\n  A:\n    url: http://api.test\n    schemas:\n      S:\n        tables:\n          t:\n" + indent(body, 12)
}

// profileWithCatalog returns a profile of one catalog A whose body is given
// (YAML, unindented) followed by one schema S with a table t of one column.
func profileWithCatalog(body string) string {
	return "catalogs:\n  A:\n" + indent(body, 4) +
		"    schemas:\n      S:\n        tables:\n          t:\n            url: /t\n            columns: [{name: id}]\n"
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pad + l
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestLoadDesignExample(t *testing.T) {
	y, err := Load("testdata/api.yaml")
	require.NoError(t, err)
	j, err := Load("testdata/api.json")
	require.NoError(t, err)
	assert.Equal(t, "testdata/api.yaml", y.Path)
	assert.Equal(t, "testdata/api.json", j.Path)
	j.Path = y.Path
	require.Equal(t, y, j, "the YAML and JSON forms load equal")

	c, ok := y.Catalog("API1")
	require.True(t, ok)
	assert.Equal(t, "API1", c.Name)
	assert.Equal(t, "http://127.0.0.1:3000", c.URL)
	assert.Equal(t, &Auth{Scheme: AuthBasic, User: "${User}", Password: "${Password}"}, c.Auth)
	assert.Equal(t, map[string]string{"Accept": "application/json"}, c.Headers)
	assert.Equal(t, &Pagination{Type: PagePage, PageParam: "_page", SizeParam: "_limit", PageSize: 50, Start: ptr(1)}, c.Pagination)

	s, ok := c.Schema("API")
	require.True(t, ok)
	assert.Equal(t, "API", s.Name)
	assert.Equal(t, []string{"comments_by_post", "posts"}, s.TableNames())

	posts, ok := s.Table("posts")
	require.True(t, ok)
	assert.Equal(t, "posts", posts.Name)
	assert.Equal(t, "API", posts.SchemaName)
	assert.Equal(t, "API1", posts.CatalogName)
	assert.Equal(t, "/posts", posts.URL)
	assert.Equal(t, []*Column{
		{Name: "id", Path: "id", Type: TypeInt, Key: true},
		{Name: "userId", Path: "userId", Type: TypeInt, Filters: map[string]*Filter{
			OpEq: {Param: "userId", Value: "{}"},
			OpIn: {Param: "userId", Value: "{}", Repeat: true},
		}},
		{Name: "title", Path: "title", Type: TypeString},
		{Name: "body", Path: "body", Type: TypeString},
		{Name: "authorCity", Path: "author.address.city", Type: TypeString},
	}, posts.Columns)
	assert.Equal(t, &Sort{Param: "_sort", Order: "_order"}, posts.Sort)
	assert.Equal(t, &Limit{Param: "_limit"}, posts.Limit)
	assert.Equal(t, &Write{Method: "POST", URL: "/posts"}, posts.Insert)
	assert.Equal(t, &Write{Method: "PATCH", URL: "/posts/{id}"}, posts.Update)
	assert.Equal(t, &Write{Method: "DELETE", URL: "/posts/{id}"}, posts.Delete)

	comments, ok := s.Table("comments_by_post")
	require.True(t, ok)
	assert.Equal(t, []*Column{{Name: "postId", Path: "postId", Type: TypeString, Implicit: true}}, comments.Columns)
	assert.Equal(t, Pagination{Type: PagePage, PageParam: "_page", SizeParam: "_limit", PageSize: 50, Start: ptr(1)},
		c.EffectivePagination(comments))
}

func TestLoadMissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.yaml"))
	require.Error(t, err)
	assert.ErrorIs(t, err, fs.ErrNotExist)
	assert.True(t, strings.HasPrefix(err.Error(), "catalog: read profile: open "), err.Error())
}

func TestLoadValidationErrorNamesFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "shop.yaml")
	require.NoError(t, os.WriteFile(path, []byte(profileWithTable("url: /t\ncolumns: [{name: total, type: money}]")), 0o600))
	_, err := Load(path)
	require.EqualError(t, err, "catalog: profile "+path+`:9:37: catalog A: schema S: table t: column total: unknown type "money" (want string, int, float, bool, datetime, json)`)
}

// goodProfiles are valid profiles, each with a check of what it loads to.
var goodProfiles = []struct {
	name  string
	data  string
	check func(t *testing.T, p *Profile)
}{
	{
		name: "defaults and canonical spellings",
		data: profileWithTable(`url: /items/{itemId}
columns:
  - {name: itemId, type: INT}
  - name: price
    type: Float
  - name: created
    type: DateTime
    format: UNIXMS
  - name: tags
    type: json
  - name: name
    filters:
      like: {param: q, quote: "'", escape: DOUBLE, like: Regex}
      "<>": {param: not_name}
      " in ": {param: names, join: ",", value: "in.({})"}
pagination: {type: OFFSET, pageSize: 10}
sort: {param: order, value: "{column}.{dir}", asc: "", join: ",", nulls: HIGH, columns: [ITEMID, price]}
select: {param: select, join: ","}
update: {method: patch, url: "/items/{itemId}"}
`),
		check: func(t *testing.T, p *Profile) {
			tb := p.Catalogs["A"].Schemas["S"].Tables["t"]
			assert.Equal(t, []*Column{
				{Name: "itemId", Path: "itemId", Type: TypeInt},
				{Name: "price", Path: "price", Type: TypeFloat},
				{Name: "created", Path: "created", Type: TypeDatetime, Format: "unixms"},
				{Name: "tags", Path: "tags", Type: TypeJSON},
				{Name: "name", Path: "name", Type: TypeString, Filters: map[string]*Filter{
					OpLike: {Param: "q", Value: "{}", Quote: "'", Escape: "double", Like: LikeRegex},
					OpNe:   {Param: "not_name", Value: "{}"},
					OpIn:   {Param: "names", Value: "in.({})", Join: ","},
				}},
			}, tb.Columns)
			assert.Equal(t, &Pagination{Type: PageOffset, PageSize: 10}, tb.Pagination)
			assert.Equal(t, "PATCH", tb.Update.Method)
			assert.Equal(t, &Sort{Param: "order", Value: "{column}.{dir}", Asc: ptr(""), Join: ",", Columns: []string{"itemId", "price"}, Nulls: NullsHigh}, tb.Sort)
		},
	},
	{
		name: "implicit columns from url and get url",
		data: profileWithTable(`url: /users/{userId}/posts
get: {url: "/users/{userId}/posts/{id}", rows: data}
columns: [{name: title}, {name: USERID, type: int}]
`),
		check: func(t *testing.T, p *Profile) {
			tb := p.Catalogs["A"].Schemas["S"].Tables["t"]
			assert.Equal(t, []*Column{
				{Name: "title", Path: "title", Type: TypeString},
				{Name: "USERID", Path: "USERID", Type: TypeInt},
				{Name: "id", Path: "id", Type: TypeString, Implicit: true},
			}, tb.Columns)
			assert.Equal(t, []string{"userId"}, Placeholders(tb.URL))
		},
	},
	{
		name: "catalog url may be empty when every table url is absolute",
		data: `catalogs:
  A:
    schemas:
      S:
        tables:
          t: {url: "https://api.test/t", columns: [{name: id}]}
          u: {url: "${Base}/u", columns: [{name: id}]}
`,
		check: func(t *testing.T, p *Profile) { assert.Empty(t, p.Catalogs["A"].URL) },
	},
	{
		name: "catalog url may be a placeholder",
		data: profileWithCatalog("url: ${BaseURL}\n"),
		check: func(t *testing.T, p *Profile) {
			assert.Equal(t, "${BaseURL}", p.Catalogs["A"].URL)
		},
	},
	{
		name: "every auth scheme",
		data: `catalogs:
  a: {url: "http://a", auth: {scheme: none}, schemas: {s: {tables: {t: {columns: [{name: id}]}}}}}
  b: {url: "http://b", auth: {scheme: BASIC, user: u}, schemas: {s: {tables: {t: {columns: [{name: id}]}}}}}
  c: {url: "http://c", auth: {scheme: digest}, schemas: {s: {tables: {t: {columns: [{name: id}]}}}}}
  d: {url: "http://d", auth: {scheme: bearer, token: "${T}"}, schemas: {s: {tables: {t: {columns: [{name: id}]}}}}}
  e: {url: "http://e", auth: {scheme: apikey, key: k, in: QUERY}, schemas: {s: {tables: {t: {columns: [{name: id}]}}}}}
  f: {url: "http://f", auth: {scheme: oauth2, grantType: Client_Credentials, scopes: [read, write]}, schemas: {s: {tables: {t: {columns: [{name: id}]}}}}}
`,
		check: func(t *testing.T, p *Profile) {
			var got []string
			for _, n := range p.CatalogNames() {
				got = append(got, p.Catalogs[n].Auth.Scheme)
			}
			assert.Equal(t, []string{"None", "Basic", "Digest", "Bearer", "APIKey", "OAuth2"}, got)
			assert.Equal(t, "query", p.Catalogs["e"].Auth.In)
			assert.Equal(t, "client_credentials", p.Catalogs["f"].Auth.GrantType)
			assert.Equal(t, []string{"read", "write"}, p.Catalogs["f"].Auth.Scopes)
		},
	},
	{
		name: "table pagination completes the catalog's",
		data: `catalogs:
  A:
    url: http://api.test
    pagination: {type: cursor, cursorPath: meta.next}
    schemas:
      S:
        tables:
          t:
            columns: [{name: id}]
            pagination: {cursorParam: after, pageSize: 20}
          u:
            columns: [{name: id}]
            pagination: {type: Cursor, cursorParam: cursor}
          v:
            columns: [{name: id}]
            pagination: {type: none}
`,
		check: func(t *testing.T, p *Profile) {
			c := p.Catalogs["A"]
			s := c.Schemas["S"]
			assert.Equal(t, Pagination{Type: PageCursor, CursorPath: "meta.next", CursorParam: "after", PageSize: 20}, c.EffectivePagination(s.Tables["t"]))
			assert.Equal(t, Pagination{Type: PageCursor, CursorPath: "meta.next", CursorParam: "cursor"}, c.EffectivePagination(s.Tables["u"]))
			assert.Equal(t, Pagination{Type: PageNone}, c.EffectivePagination(s.Tables["v"]))
		},
	},
	{
		name: "every pagination type",
		data: `catalogs:
  A:
    url: http://api.test
    schemas:
      S:
        tables:
          a: {columns: [{name: id}], pagination: {type: offset, offsetParam: skip, sizeParam: take, pageSize: 100, start: 0, totalHeader: X-Total-Count}}
          b: {columns: [{name: id}], pagination: {type: page, pageParam: p, sizeParam: n, pageSize: 25, start: 0, totalPath: total}}
          c: {columns: [{name: id}], pagination: {type: cursor, cursorPath: next, cursorParam: c, sizeParam: n, pageSize: 5, hasMorePath: more}}
          d: {columns: [{name: id}], pagination: {type: nexturl, nextPath: links.next, sizeParam: n, pageSize: 5}}
          e: {columns: [{name: id}], pagination: {type: LINKHEADER, sizeParam: per_page, pageSize: 100}}
          f: {columns: [{name: id}], pagination: {type: None}}
`,
		check: func(t *testing.T, p *Profile) {
			var got []string
			s := p.Catalogs["A"].Schemas["S"]
			for _, n := range s.TableNames() {
				got = append(got, s.Tables[n].Pagination.Type)
			}
			assert.Equal(t, []string{"offset", "page", "cursor", "nextURL", "linkHeader", "none"}, got)
		},
	},
	{
		name: "datetime layouts",
		data: profileWithTable(`columns:
  - {name: a, type: datetime}
  - {name: b, type: datetime, format: "2006-01-02 15:04:05.000Z07:00"}
  - {name: c, type: datetime, format: unix}
`),
		check: func(t *testing.T, p *Profile) {
			cols := p.Catalogs["A"].Schemas["S"].Tables["t"].Columns
			assert.Equal(t, "2006-01-02 15:04:05.000Z07:00", cols[1].Format)
			assert.Equal(t, "unix", cols[2].Format)
		},
	},
	{
		name: "secret placeholders and escapes are not url placeholders",
		data: profileWithTable(`url: "/a/${Tenant}/b/$${x}/{id}"
columns: [{name: id}]
`),
		check: func(t *testing.T, p *Profile) {
			tb := p.Catalogs["A"].Schemas["S"].Tables["t"]
			assert.Equal(t, []string{"x", "id"}, Placeholders(tb.URL))
			assert.Equal(t, []*Column{{Name: "id", Path: "id", Type: "string"}, {Name: "x", Path: "x", Type: "string", Implicit: true}}, tb.Columns)
		},
	},
	{
		name: "JSON with escaped slashes, surrogate pairs and a byte order mark",
		data: "\ufeff{\"catalogs\": {\"A\": {\"url\": \"https:\\/\\/api.test\\/v1\", \"description\": \"\\ud83d\\ude00 \\ud800x \\u00e9\\\\/\", " +
			"\"schemas\": {\"S\": {\"tables\": {\"t\": {\"columns\": [{\"name\": \"id\"}]}}}}}}}",
		check: func(t *testing.T, p *Profile) {
			assert.Equal(t, "https://api.test/v1", p.Catalogs["A"].URL)
			assert.Equal(t, "\U0001F600 \uFFFDx \u00e9\\/", p.Catalogs["A"].Description)
		},
	},
	{
		name: "comments, anchors and aliases",
		data: `# a profile
x-columns: &cols [{name: id, type: int}]
catalogs:
  A:
    url: http://api.test
    schemas:
      S:
        tables:
          t: {columns: *cols}
          u: {columns: *cols}
`,
		check: nil, // x-columns is an unknown field: see badProfiles
	},
}

func TestParseGood(t *testing.T) {
	for _, tc := range goodProfiles {
		if tc.check == nil {
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.data), "api.yaml")
			require.NoError(t, err)
			assert.Equal(t, "api.yaml", p.Path)
			tc.check(t, p)

			// Validate is idempotent.
			before := p.Clone()
			require.NoError(t, p.Validate())
			assert.Equal(t, before, p)
		})
	}
}

func TestParseAliases(t *testing.T) {
	p, err := Parse([]byte(`catalogs:
  A:
    url: http://api.test
    schemas:
      S:
        tables:
          t: {columns: &cols [{name: id, type: int}]}
          u: {columns: *cols}
`), "")
	require.NoError(t, err)
	assert.Equal(t, p.Catalogs["A"].Schemas["S"].Tables["t"].Columns, p.Catalogs["A"].Schemas["S"].Tables["u"].Columns)
}

// badProfiles are invalid profiles with the exact error each gives when
// parsed as api.yaml.
var badProfiles = []struct {
	name string
	data string
	err  string
}{
	{
		name: "unquoted != filter key (a YAML tag)",
		data: profileWithTable("columns: [{name: id, filters: {!=: {param: id_ne}}}]\n"),
		err:  `catalog: profile api.yaml: line 8: catalog A: schema S: table t: column id: filters: got !=:, want a string (YAML reads unquoted text that starts with "!" as a tag: quote it, "!=")`,
	},
	{
		name: "unquoted tag as a value",
		data: profileWithTable("columns: [{name: id, type: !int}]\n"),
		err:  `catalog: profile api.yaml: line 8: catalog A: schema S: table t: column id: type: got !int "", want a string (YAML reads unquoted text that starts with "!" as a tag: quote it, "!int")`,
	},
	{
		name: "empty file",
		data: "",
		err:  "catalog: profile api.yaml: no catalogs (want a catalogs: mapping with at least one catalog)",
	},
	{
		name: "empty catalogs",
		data: "catalogs: {}\n",
		err:  "catalog: profile api.yaml:1:1: no catalogs (want a catalogs: mapping with at least one catalog)",
	},
	{
		name: "syntax error",
		data: "catalogs:\n  A:\n    url: x\n  B: : 1\n",
		err:  "catalog: profile api.yaml: line 4: mapping values are not allowed in this context",
	},
	{
		name: "unknown top-level field",
		data: "catalog:\n  A: {}\n",
		err:  `catalog: profile api.yaml: line 1: unknown field "catalog" in profile (did you mean "catalogs"?)`,
	},
	{
		name: "unknown field in a table",
		data: profileWithTable("url: /t\ncolums: [{name: id}]\n"),
		err:  `catalog: profile api.yaml: line 9: catalog A: schema S: table t: unknown field "colums" (did you mean "columns"?)`,
	},
	{
		name: "unknown field without a suggestion",
		data: profileWithTable("url: /t\ncolumns: [{name: id}]\nzzzzzz: 1\n"),
		err:  `catalog: profile api.yaml: line 10: catalog A: schema S: table t: unknown field "zzzzzz"`,
	},
	{
		name: "unknown fields and wrong types are reported together",
		data: profileWithTable(`url: /t
columns:
  - {name: id, typ: int, key: maybe}
  - name: b
    filters: {IN: {parm: x}}
pagination: {type: page, pagesize: 3, pageSize: x}
auth: {scheme: Basic}
`),
		err: `catalog: profile api.yaml: line 10: catalog A: schema S: table t: column id: unknown field "typ" (did you mean "type"?)
catalog: profile api.yaml: line 10: catalog A: schema S: table t: column id: key: got string "maybe", want true or false
catalog: profile api.yaml: line 12: catalog A: schema S: table t: column b: filter IN: unknown field "parm" (did you mean "param"?)
catalog: profile api.yaml: line 13: catalog A: schema S: table t: pagination: unknown field "pagesize" (did you mean "pageSize"?)
catalog: profile api.yaml: line 13: catalog A: schema S: table t: pagination: pageSize: got string "x", want an integer
catalog: profile api.yaml: line 14: catalog A: schema S: table t: unknown field "auth"`,
	},
	{
		name: "unknown field in auth",
		data: profileWithCatalog("url: http://api.test\nauth: {sheme: Basic}\n"),
		err:  `catalog: profile api.yaml: line 4: catalog A: auth: unknown field "sheme" (did you mean "scheme"?)`,
	},
	{
		name: "unknown field in a write",
		data: profileWithTable("columns: [{name: id}]\ninsert: {method: POST, wrapp: data}\n"),
		err:  `catalog: profile api.yaml: line 9: catalog A: schema S: table t: insert: unknown field "wrapp" (did you mean "wrap"?)`,
	},
	{
		name: "wrong type for a collection",
		data: profileWithTable("columns: id\n"),
		err:  `catalog: profile api.yaml: line 8: catalog A: schema S: table t: columns: got string "id", want a list of columns`,
	},
	{
		name: "wrong type for a struct",
		data: profileWithCatalog("url: http://api.test\nauth: [Basic]\n"),
		err:  `catalog: profile api.yaml: line 4: catalog A: auth: got a list, want a mapping (auth)`,
	},
	{
		name: "wrong type for the whole profile",
		data: "- a\n",
		err:  `catalog: profile api.yaml: line 1: got a list, want a mapping (profile)`,
	},
	{
		name: "long values are cut by the decoder",
		data: profileWithTable("columns: [{name: id}]\npagination: {type: page, start: abcdefghijklmnop}\n"),
		err:  `catalog: profile api.yaml: line 9: catalog A: schema S: table t: pagination: start: got string "abcdefg...", want an integer`,
	},
	{
		name: "duplicate key",
		data: profileWithTable("url: /a\ncolumns: [{name: id}]\nurl: /b\n"),
		err:  `catalog: profile api.yaml: line 10: catalog A: schema S: table t: duplicate key "url" (first at line 8)`,
	},
	{
		name: "an unknown key given twice is a duplicate key",
		data: profileWithTable("columns: [{name: id}]\nzz: 1\nzz: 2\n"),
		err:  `catalog: profile api.yaml: line 10: catalog A: schema S: table t: duplicate key "zz" (first at line 9)`,
	},
	{
		name: "a block mapping where a number belongs starts where its first key does",
		data: profileWithTable("columns: [{name: id}]\npagination:\n  type: page\n  start:\n    size: 1\n"),
		err:  `catalog: profile api.yaml: line 12: catalog A: schema S: table t: pagination: start: got a mapping, want an integer`,
	},
	{
		name: "duplicate catalog",
		data: profileWithCatalog("url: http://api.test\n") + "  A: {url: http://b}\n",
		err:  `catalog: profile api.yaml: line 10: catalogs: duplicate key "A" (first at line 2)`,
	},
	{
		name: "anchors do not bypass unknown fields",
		data: goodProfiles[len(goodProfiles)-1].data,
		err:  `catalog: profile api.yaml: line 2: unknown field "x-columns" in profile`,
	},
	{
		name: "two documents",
		data: profileWithCatalog("url: http://api.test\n") + "---\ncatalogs: {}\n",
		err:  `catalog: profile api.yaml: line 10: a second YAML document (want one profile per file)`,
	},
	{
		name: "empty catalog, schema and table",
		data: "catalogs:\n  A:\n  B: {url: 'http://b', schemas: {S: }}\n  C: {url: 'http://c', schemas: {S: {tables: {t: }}}}\n  D: {url: 'http://d', schemas: {}}\n  E: {url: 'http://e', schemas: {S: {tables: {}}}}\n",
		err: `catalog: profile api.yaml:2:3: catalog A: empty (want url: and schemas:)
catalog: profile api.yaml:3:34: catalog B: schema S: empty (want tables:)
catalog: profile api.yaml:4:47: catalog C: schema S: table t: empty (want url: and columns:)
catalog: profile api.yaml:5:3: catalog D: no schemas (want a schemas: mapping with at least one schema)
catalog: profile api.yaml:6:34: catalog E: schema S: no tables (want a tables: mapping with at least one table)`,
	},
	{
		name: "names that differ only in case",
		data: `catalogs:
  a: {url: "http://a", schemas: {s: {tables: {t: {columns: [{name: id}]}, T: {columns: [{name: id}]}}}, S: {tables: {t: {columns: [{name: id}]}}}}}
  A: {url: "http://a", schemas: {s: {tables: {t: {columns: [{name: id}]}}}}}
`,
		err: `catalog: profile api.yaml:2:3: catalog A and catalog a differ only in case
catalog: profile api.yaml:2:34: catalog a: schema S and schema s differ only in case
catalog: profile api.yaml:2:47: catalog a: schema s: table T and table t differ only in case`,
	},
	{
		name: "catalog url",
		data: `catalogs:
  A: {schemas: {S: {tables: {t: {url: "https://x/t", columns: [{name: id}]}, u: {url: /u, columns: [{name: id}]}}}}}
  B: {url: "ftp://b", schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  C: {url: "/relative", schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  D: {url: "http://%zz", schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
`,
		err: `catalog: profile api.yaml:2:3: catalog A: url is empty but schema S table u has a relative url (set the catalog's url or make every table url absolute)
catalog: profile api.yaml:3:7: catalog B: url: "ftp://b" is not an absolute http or https URL
catalog: profile api.yaml:4:7: catalog C: url: "/relative" is not an absolute http or https URL
catalog: profile api.yaml:5:7: catalog D: url: "http://%zz" is not an absolute http or https URL`,
	},
	{
		name: "auth",
		data: `catalogs:
  A: {url: "http://a", auth: {scheme: Kerberos}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  B: {url: "http://b", auth: {key: k}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  C: {url: "http://c", auth: {scheme: APIKey, key: k, in: body}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  D: {url: "http://d", auth: {scheme: OAuth2, grantType: implicit}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  E: {url: "http://e", headers: {"": x}, params: {"": y}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
`,
		err: `catalog: profile api.yaml:2:31: catalog A: auth: unknown scheme "Kerberos" (want None, Basic, Digest, Bearer, APIKey, OAuth2)
catalog: profile api.yaml:3:24: catalog B: auth: scheme is empty (want None, Basic, Digest, Bearer, APIKey, OAuth2)
catalog: profile api.yaml:4:55: catalog C: auth: in: unknown place "body" (want header, query)
catalog: profile api.yaml:5:47: catalog D: auth: grantType: unknown grant type "implicit" (want client_credentials, password, refresh_token, jwt_bearer, github_app)
catalog: profile api.yaml:6:34: catalog E: headers: empty name
catalog: profile api.yaml:6:51: catalog E: params: empty name`,
	},
	{
		name: "columns",
		data: profileWithTable(`columns:
  - {name: total, type: money}
  - {type: int}
  -
  - {name: Total}
  - {name: n, type: int, format: unix}
  - {name: d, type: datetime, format: yyyy-MM-dd}
`),
		err: `catalog: profile api.yaml:9:31: catalog A: schema S: table t: column total: unknown type "money" (want string, int, float, bool, datetime, json)
catalog: profile api.yaml:10:17: catalog A: schema S: table t: column #2: name is empty
catalog: profile api.yaml:11:16: catalog A: schema S: table t: column #3: empty (want name:)
catalog: profile api.yaml:12:18: catalog A: schema S: table t: column Total: duplicate column name (column #1 is total)
catalog: profile api.yaml:13:38: catalog A: schema S: table t: column n: format is only for datetime columns (type is int)
catalog: profile api.yaml:14:43: catalog A: schema S: table t: column d: format "yyyy-MM-dd" is not a Go time layout (e.g. "2006-01-02 15:04:05"), unix or unixms`,
	},
	{
		name: "no columns",
		data: profileWithTable("url: /t\n"),
		err:  `catalog: profile api.yaml:7:11: catalog A: schema S: table t: no columns (want a columns: list with at least one column)`,
	},
	{
		name: "filters",
		data: profileWithTable(`columns:
  - name: a
    filters:
      "~": {param: a}
      "!=": {param: a}
      "<>": {param: b}
      "=": {value: "eq.{}"}
      ">": {param: a, value: "gt."}
      IN: {param: a, repeat: true, join: ","}
      LIKE: {param: a, repeat: true, join: "|", escape: double, like: glob}
      "<":
  - name: b
    filters:
      "=": {param: b, quote: "'", escape: sql, like: contains}
`),
		err: `catalog: profile api.yaml:13:19: catalog A: schema S: table t: column a: filter "<>": operator != is also given as "!="
catalog: profile api.yaml:11:19: catalog A: schema S: table t: column a: filter "~": unknown operator (want =, !=, <, <=, >, >=, IN, LIKE)
catalog: profile api.yaml:14:19: catalog A: schema S: table t: column a: filter =: param is empty
catalog: profile api.yaml:18:19: catalog A: schema S: table t: column a: filter <: empty (want param:)
catalog: profile api.yaml:15:35: catalog A: schema S: table t: column a: filter >: value "gt." has no {} for the value
catalog: profile api.yaml:16:19: catalog A: schema S: table t: column a: filter IN: repeat and join exclude each other (choose one)
catalog: profile api.yaml:17:36: catalog A: schema S: table t: column a: filter LIKE: repeat is only for IN
catalog: profile api.yaml:17:50: catalog A: schema S: table t: column a: filter LIKE: join is only for IN
catalog: profile api.yaml:17:77: catalog A: schema S: table t: column a: filter LIKE: unknown like "glob" (want regex, contains)
catalog: profile api.yaml:17:61: catalog A: schema S: table t: column a: filter LIKE: escape double needs a quote
catalog: profile api.yaml:21:60: catalog A: schema S: table t: column b: filter =: like is only for LIKE
catalog: profile api.yaml:21:47: catalog A: schema S: table t: column b: filter =: unknown escape "sql" (want double, backslash)`,
	},
	{
		name: "url placeholders",
		data: profileWithTable(`url: "/a/{user id}/{1x}/{}"
get: {url: "/a/{id"}
columns: [{name: id}]
`),
		err: `catalog: profile api.yaml:8:13: catalog A: schema S: table t: url: placeholder {user id} is not a valid name (want letters, digits and _, not starting with a digit)
catalog: profile api.yaml:8:13: catalog A: schema S: table t: url: placeholder {1x} is not a valid name (want letters, digits and _, not starting with a digit)
catalog: profile api.yaml:8:13: catalog A: schema S: table t: url: placeholder {} is not a valid name (want letters, digits and _, not starting with a digit)
catalog: profile api.yaml:9:19: catalog A: schema S: table t: get: url: unterminated { (missing })`,
	},
	{
		name: "get without url",
		data: profileWithTable("columns: [{name: id}]\nget: {rows: data}\n"),
		err:  `catalog: profile api.yaml:9:13: catalog A: schema S: table t: get: url is empty`,
	},
	{
		name: "catalog pagination",
		data: `catalogs:
  A: {url: "http://a", pagination: {pageSize: 3}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  B: {url: "http://b", pagination: {type: pages}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  C: {url: "http://c", pagination: {type: cursor, pageParam: p, pageSize: -1}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  D: {url: "http://d", pagination: {type: nextURL, start: -1}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  E: {url: "http://e", pagination: {type: none, pageSize: 10, totalPath: total}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  F: {url: "http://f", pagination: {type: page, start: -1, offsetParam: o}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
`,
		err: `catalog: profile api.yaml:2:24: catalog A: pagination: type is empty (want none, offset, page, cursor, nextURL, linkHeader)
catalog: profile api.yaml:3:37: catalog B: pagination: unknown type "pages" (want none, offset, page, cursor, nextURL, linkHeader)
catalog: profile api.yaml:4:51: catalog C: pagination: pageParam is not used by type cursor
catalog: profile api.yaml:4:65: catalog C: pagination: pageSize is negative (-1)
catalog: profile api.yaml:4:24: catalog C: pagination: type cursor needs cursorPath (the body path of the next cursor)
catalog: profile api.yaml:4:24: catalog C: pagination: type cursor needs cursorParam (the parameter that sends the cursor) or, for a read with a body, cursorBody
catalog: profile api.yaml:5:52: catalog D: pagination: start is not used by type nextURL
catalog: profile api.yaml:5:52: catalog D: pagination: start is negative (-1)
catalog: profile api.yaml:5:24: catalog D: pagination: type nextURL needs nextPath (the body path of the next page's URL)
catalog: profile api.yaml:6:49: catalog E: pagination: pageSize is not used by type none
catalog: profile api.yaml:6:63: catalog E: pagination: totalPath is not used by type none
catalog: profile api.yaml:7:60: catalog F: pagination: offsetParam is not used by type page
catalog: profile api.yaml:7:49: catalog F: pagination: start is negative (-1)`,
	},
	{
		name: "maxPageSize",
		data: `catalogs:
  A: {url: "http://a", pagination: {type: offset, maxPageSize: -5}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  B: {url: "http://b", pagination: {type: none, maxPageSize: 100}, schemas: {S: {tables: {t: {columns: [{name: id}]}}}}}
  C:
    url: http://c
    pagination: {type: page}
    schemas:
      S:
        tables:
          t:
            pagination: {maxPageSize: -1}
            columns: [{name: id}]
`,
		err: `catalog: profile api.yaml:2:24: catalog A: pagination: maxPageSize is negative (-5); want the API's documented cap on the page size, a positive number
catalog: profile api.yaml:3:49: catalog B: pagination: maxPageSize is not used by type none
catalog: profile api.yaml:11:13: catalog C: schema S: table t: pagination: maxPageSize is negative (-1); want the API's documented cap on the page size, a positive number`,
	},
	{
		name: "maxPageSize that is not a number",
		data: `catalogs:
  A:
    url: http://a
    pagination: {type: offset, maxPageSize: lots}
    schemas: {S: {tables: {t: {columns: [{name: id}]}}}}
`,
		err: `catalog: profile api.yaml: line 4: catalog A: pagination: maxPageSize: got string "lots", want an integer`,
	},
	{
		name: "table pagination",
		data: `catalogs:
  A:
    url: http://a
    pagination: {type: cursor, cursorPath: next}
    schemas:
      S:
        tables:
          a: {columns: [{name: id}], pagination: {pageSize: 10}}
          b: {columns: [{name: id}], pagination: {type: nextURL}}
          c: {columns: [{name: id}], pagination: {type: Cursor, cursorParam: c, pageParam: p}}
          d: {columns: [{name: id}], pagination: {type: bogus}}
  B:
    url: http://b
    schemas:
      S:
        tables:
          a: {columns: [{name: id}], pagination: {pageSize: 10}}
  C:
    url: http://c
    pagination: {type: cursor}
    schemas:
      S:
        tables:
          a: {columns: [{name: id}], pagination: {cursorParam: c}}
  D:
    url: http://d
    pagination: {type: nextURL}
    schemas:
      S:
        tables:
          a: {columns: [{name: id}], pagination: {nextPath: next}}
          b: {columns: [{name: id}]}
`,
		err: `catalog: profile api.yaml:8:38: catalog A: schema S: table a: pagination: type cursor needs cursorParam (the parameter that sends the cursor) or, for a read with a body, cursorBody
catalog: profile api.yaml:9:38: catalog A: schema S: table b: pagination: type nextURL needs nextPath (the body path of the next page's URL)
catalog: profile api.yaml:10:81: catalog A: schema S: table c: pagination: pageParam is not used by type cursor
catalog: profile api.yaml:11:51: catalog A: schema S: table d: pagination: unknown type "bogus" (want none, offset, page, cursor, nextURL, linkHeader)
catalog: profile api.yaml:17:38: catalog B: schema S: table a: pagination: type is empty and the catalog has no pagination to inherit (want none, offset, page, cursor, nextURL, linkHeader)
catalog: profile api.yaml:24:38: catalog C: schema S: table a: pagination: type cursor needs cursorPath (the body path of the next cursor)
catalog: profile api.yaml:27:5: catalog D: pagination: type nextURL needs nextPath (the body path of the next page's URL)`,
	},
	{
		name: "sort, limit, select, combine",
		data: profileWithTable(`columns: [{name: id}, {name: total}]
sort: {value: "{col}-{dir}", nulls: first, columns: [ID, totl, ""]}
limit: {}
select: {join: ","}
combine: {filter: "", "": " && "}
`),
		err: `catalog: profile api.yaml:12:13: catalog A: schema S: table t: combine: empty parameter name
catalog: profile api.yaml:12:23: catalog A: schema S: table t: combine: filter: separator is empty
catalog: profile api.yaml:9:13: catalog A: schema S: table t: sort: param is empty
catalog: profile api.yaml:9:70: catalog A: schema S: table t: sort: columns: "totl" is not a column of the table (did you mean total?)
catalog: profile api.yaml:9:76: catalog A: schema S: table t: sort: columns: entry #3 is empty
catalog: profile api.yaml:9:42: catalog A: schema S: table t: sort: unknown nulls "first" (want low, high)
catalog: profile api.yaml:9:20: catalog A: schema S: table t: sort: value: unknown placeholder {col} (want {column}, {name}, {dir})
catalog: profile api.yaml:9:20: catalog A: schema S: table t: sort: value: "{col}-{dir}" has no {column} or {name}
catalog: profile api.yaml:10:13: catalog A: schema S: table t: limit: param is empty
catalog: profile api.yaml:11:13: catalog A: schema S: table t: select: param is empty`,
	},
	{
		name: "writes",
		data: profileWithTable(`columns: [{name: id}]
headers: {"": x}
insert: {url: /t}
update: {method: GET, url: "/t/{id}/{rev}"}
delete: {method: delete, url: "/t/{id", headers: {"": y}}
`),
		err: `catalog: profile api.yaml:9:23: catalog A: schema S: table t: headers: empty name
catalog: profile api.yaml:10:13: catalog A: schema S: table t: insert: method is empty (want POST, PUT, PATCH, DELETE)
catalog: profile api.yaml:11:22: catalog A: schema S: table t: update: unknown method "GET" (want POST, PUT, PATCH, DELETE)
catalog: profile api.yaml:11:35: catalog A: schema S: table t: update: url: placeholder {rev} is not a column of the table
catalog: profile api.yaml:12:38: catalog A: schema S: table t: delete: url: unterminated { (missing })
catalog: profile api.yaml:12:63: catalog A: schema S: table t: delete: headers: empty name`,
	},
	{
		name: "response rules",
		data: profileWithCatalog(`url: http://api.test
errorWhen: {equals: [false]}
rateLimit: {resetFormat: epoch}
pagination: {type: page, stopPath: done, emptyPageStops: false}
`),
		err: `catalog: profile api.yaml:4:5: catalog A: errorWhen: path is empty (want the body path of the value that marks an error, e.g. ok)
catalog: profile api.yaml:4:17: catalog A: errorWhen: equals: got a list, want a string, number or boolean
catalog: profile api.yaml:5:5: catalog A: rateLimit: remaining is empty (want the header with the requests left, e.g. x-ratelimit-remaining)
catalog: profile api.yaml:5:5: catalog A: rateLimit: reset is empty (want the header telling when the window resets, e.g. x-ratelimit-reset)
catalog: profile api.yaml:5:17: catalog A: rateLimit: resetFormat: unknown format "epoch" (want unix, seconds, http-date)
catalog: profile api.yaml:6:46: catalog A: pagination: emptyPageStops is not used by type page (an empty page is a short page, which ends a page walk; use cursor, nextURL or linkHeader)`,
	},
	{
		name: "jwt auth",
		data: profileWithCatalog(`url: http://api.test
auth: {scheme: OAuth2, grantType: JWT_Bearer, tokenURL: "http://t", claims: {iss: [a], iat: 1}}
`),
		err: `catalog: profile api.yaml:4:5: catalog A: auth: privateKey is empty (grantType jwt_bearer signs its assertion with a PEM RSA private key, e.g. "${PrivateKey}")
catalog: profile api.yaml:4:92: catalog A: auth: claims: iat is set by the driver (iat is now, exp a few minutes later)
catalog: profile api.yaml:4:82: catalog A: auth: claims: iss: got a list, want a string, number or boolean`,
	},
	{
		name: "jwt fields on another grant",
		data: profileWithCatalog(`url: http://api.test
auth: {scheme: Bearer, token: x, privateKey: k, baseURLFrom: instance_url}
`),
		err: `catalog: profile api.yaml:4:53: catalog A: auth: baseURLFrom is used by scheme OAuth2 only
catalog: profile api.yaml:4:38: catalog A: auth: privateKey and claims are used by grantType jwt_bearer and github_app only`,
	},
	{
		name: "filter formats",
		data: profileWithTable(`columns:
  - {name: a, filters: {"=": {param: a, format: date}}}
  - {name: b, type: datetime, filters: {"=": {param: b, format: yyyy-MM-dd}, ">": {param: b, format: UNIX}}}
`),
		err: `catalog: profile api.yaml:9:53: catalog A: schema S: table t: column a: filter =: format is only for datetime columns (type is string)
catalog: profile api.yaml:10:69: catalog A: schema S: table t: column b: filter =: format "yyyy-MM-dd" is not a Go time layout (e.g. "2006-01-02 15:04"), unix, unixms, date or rfc1123z`,
	},
	{
		name: "query-language combine",
		data: profileWithTable(`columns: [{name: id}]
combine: {jql: {base: "project = X", sepp: " AND "}, q: {sep: " "}}
sort: {param: jql, order: dir, append: true}
`),
		err: `catalog: profile api.yaml: line 9: catalog A: schema S: table t: combine: jql: unknown field "sepp" (did you mean "sep"?)`,
	},
	{
		name: "sort append",
		data: profileWithTable(`columns: [{name: id}]
combine: {jql: {base: "project = X"}, q: {sep: " "}}
sort: {param: order, order: dir, append: true}
`),
		err: `catalog: profile api.yaml:9:23: catalog A: schema S: table t: combine: jql: separator is empty
catalog: profile api.yaml:10:46: catalog A: schema S: table t: sort: append: param order is not a combine: parameter (append adds the sort to a combined query-language parameter)
catalog: profile api.yaml:10:34: catalog A: schema S: table t: sort: append and order exclude each other (write the direction with {dir} in value)`,
	},
	{
		name: "errorWhen without equals",
		data: profileWithCatalog(`url: http://api.test
errorWhen: {path: ok}
pagination: {type: none, stopPath: done}
`),
		err: `catalog: profile api.yaml:4:5: catalog A: errorWhen: equals is missing (want the JSON scalar that marks an error, e.g. false)
catalog: profile api.yaml:5:30: catalog A: pagination: stopPath is not used by type none`,
	},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range badProfiles {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Parse([]byte(tc.data), "api.yaml")
			require.Nil(t, p)
			require.EqualError(t, err, tc.err)
		})
	}
}

func TestParseWithoutPath(t *testing.T) {
	_, err := Parse([]byte(profileWithTable("colums: []\n")), "")
	require.EqualError(t, err, `catalog: line 8: catalog A: schema S: table t: unknown field "colums" (did you mean "columns"?)`)
	_, err = Parse([]byte(profileWithTable("columns: [{name: id, type: x}]\n")), "")
	require.EqualError(t, err, `catalog: line 8, column 34: catalog A: schema S: table t: column id: unknown type "x" (want string, int, float, bool, datetime, json)`)
}

func TestValidateProfileBuiltInGo(t *testing.T) {
	p := &Profile{Catalogs: map[string]*Catalog{
		"api": {URL: "https://api.test", Schemas: map[string]*Schema{
			"v1": {Tables: map[string]*Table{
				"users": {URL: "/orgs/{org}/users", Columns: []*Column{{Name: "id", Type: "INT", Key: true}}},
			}},
		}},
	}}
	require.NoError(t, p.Validate())
	users := p.Catalogs["api"].Schemas["v1"].Tables["users"]
	assert.Equal(t, "api", p.Catalogs["api"].Name)
	assert.Equal(t, "v1", p.Catalogs["api"].Schemas["v1"].Name)
	assert.Equal(t, "users", users.Name)
	assert.Equal(t, []*Column{
		{Name: "id", Path: "id", Type: TypeInt, Key: true},
		{Name: "org", Path: "org", Type: TypeString, Implicit: true},
	}, users.Columns)

	// Idempotent: no second implicit column.
	require.NoError(t, p.Validate())
	assert.Len(t, users.Columns, 2)

	var nilProfile *Profile
	require.EqualError(t, nilProfile.Validate(), "catalog: nil profile")
}

func TestCanonical(t *testing.T) {
	for in, want := range map[string]string{"=": "=", "<>": "!=", " != ": "!=", "in": "IN", "Like": "LIKE", ">=": ">="} {
		got, ok := CanonicalOperator(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"", "==", "~", "NOT IN"} {
		_, ok := CanonicalOperator(in)
		assert.False(t, ok, in)
	}
	for in, want := range map[string]string{"none": "None", "BASIC": "Basic", "apikey": "APIKey", "oauth2": "OAuth2"} {
		got, ok := CanonicalAuthScheme(in)
		assert.True(t, ok, in)
		assert.Equal(t, want, got, in)
	}
	_, ok := CanonicalAuthScheme("NTLM")
	assert.False(t, ok)
}

func TestNearest(t *testing.T) {
	cands := []string{"columns", "url", "pagination", "pageSize", "params"}
	for _, tc := range []struct {
		name, want string
	}{
		{"colums", "columns"},
		{"COLUMNS", "columns"},
		{"uri", "url"},
		{"pagesize", "pageSize"},
		{"paginaton", "pagination"},
		{"param", "params"},
		{"x", ""},
		{"totally", ""},
		{"", ""},
	} {
		got, ok := Nearest(tc.name, cands)
		assert.Equal(t, tc.want, got, tc.name)
		assert.Equal(t, tc.want != "", ok, tc.name)
	}
	assert.Equal(t, 3, levenshtein("kitten", "sitting"))
	assert.Equal(t, 0, levenshtein("", ""))
	assert.Equal(t, 4, levenshtein("", "abcd"))
}
