package openapi

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// spec wraps paths (and optional components) in a minimal document.
func spec(paths string, components ...string) []byte {
	doc := "openapi: 3.0.3\ninfo: {title: Test API, version: '1'}\nservers: [{url: 'https://api.example.com'}]\npaths:\n" + indent(paths, 2)
	if len(components) > 0 {
		doc += "components:\n" + indent(components[0], 2)
	}
	return []byte(doc)
}

func indent(s string, n int) string {
	pad := strings.Repeat(" ", n)
	lines := strings.Split(strings.Trim(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = pad + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// listOf is a GET collection path returning an array of the given item
// schema, with the given parameters (a YAML list, or "").
func listOf(path, item, params string) string {
	s := path + ":\n  get:\n"
	if params != "" {
		s += "    parameters:\n" + indent(params, 6)
	}
	s += "    responses:\n      '200':\n        description: ok\n        content:\n          application/json:\n            schema:\n              type: array\n              items:\n" + indent(item, 16)
	return s
}

func table(t *testing.T, p *catalog.Profile, name string) *catalog.Table {
	t.Helper()
	for _, cn := range p.CatalogNames() {
		c, _ := p.Catalog(cn)
		s, _ := c.Schema(DefaultSchema)
		if tb, ok := s.Table(name); ok {
			return tb
		}
	}
	t.Fatalf("no table %s", name)
	return nil
}

func TestColumnTypes(t *testing.T) {
	item := `type: object
properties:
  id: {type: integer}
  n: {type: number}
  ok: {type: boolean}
  s: {type: string}
  at: {type: string, format: date-time}
  day: {type: string, format: date}
  tags: {type: array, items: {type: string}}
  free: {type: object, additionalProperties: true}
  any: {}
  maybe: {type: [integer, "null"]}
  either: {type: [integer, number]}
  mixed: {type: [integer, string]}
  enumOnly: {enum: [a, b]}
  ro: {type: string, readOnly: true, description: "Set by\n the server."}
  deep: {type: object, properties: {a: {type: object, properties: {b: {type: object, properties: {c: {type: object, properties: {d: {type: integer}}}}}}}}}
`
	p, err := Import(spec(listOf("/things", item, "")), Options{})
	require.NoError(t, err)
	var got []string
	for _, c := range table(t, p, "things").Columns {
		s := c.Name + ":" + string(c.Type)
		if c.Format != "" {
			s += "(" + c.Format + ")"
		}
		if c.Path != c.Name {
			s += "@" + c.Path
		}
		if c.Key {
			s += " key"
		}
		if c.ReadOnly {
			s += " ro"
		}
		got = append(got, s)
	}
	assert.Equal(t, []string{
		"id:int key", "n:float", "ok:bool", "s:string", "at:datetime", "day:datetime(2006-01-02)",
		"tags:json", "free:json", "any:json", "maybe:int", "either:float", "mixed:string", "enumOnly:string",
		"ro:string ro", "deepABC:json@deep.a.b.c",
	}, got)
	assert.Equal(t, "Set by the server.", table(t, p, "things").Columns[13].Description)
}

func TestAllOfOneOfRefs(t *testing.T) {
	doc := spec(listOf("/pets", "$ref: '#/components/schemas/Pet'", ""), `schemas:
  Base:
    type: object
    properties:
      id: {type: integer}
      name: {type: string}
  Pet:
    allOf:
      - $ref: '#/components/schemas/Base'
      - type: object
        properties:
          kind: {type: string}
          owner: {$ref: '#/components/schemas/Owner'}
      - oneOf:
          - {type: object, properties: {bark: {type: boolean}}}
          - {type: object, properties: {meow: {type: boolean}, name: {type: integer}}}
  Owner:
    type: object
    properties:
      name: {type: string}
      address: {type: object, properties: {city: {type: string}}}
`)
	p, err := Import(doc, Options{})
	require.NoError(t, err)
	var names []string
	for _, c := range table(t, p, "pets").Columns {
		names = append(names, c.Name+":"+c.Path+":"+string(c.Type))
	}
	assert.Equal(t, []string{"id:id:int", "name:name:string", "kind:kind:string", "ownerName:owner.name:string",
		"ownerAddressCity:owner.address.city:string", "bark:bark:bool", "meow:meow:bool"}, names)
}

func TestQueryParameters(t *testing.T) {
	item := `type: object
properties:
  id: {type: integer}
  name: {type: string}
  price: {type: number}
  created_at: {type: string, format: date-time}
  updated_at: {type: string, format: date-time}
  active: {type: boolean}
  owner: {type: object, properties: {id: {type: integer}}}
`
	params := `- {name: id, in: query, schema: {type: array, items: {type: integer}}, x-restsql-exact: true}
- {name: name, in: query, schema: {type: array, items: {type: string}}, explode: false}
- {name: price_gte, in: query, schema: {type: number}}
- {name: maxPrice, in: query, schema: {type: number}}
- {name: 'price[lt]', in: query, schema: {type: number}}
- {name: createdAfter, in: query, schema: {type: string}}
- {name: created_before, in: query, schema: {type: string}}
- {name: since, in: query, schema: {type: string}}
- {name: name_like, in: query, schema: {type: string}}
- {name: id_ne, in: query, schema: {type: integer}}
- {name: active_gte, in: query, schema: {type: boolean}}
- {name: owner_id, in: query, schema: {type: integer}}
- {name: q, in: query, schema: {type: string}}
- {name: api_version, in: query, required: true, schema: {type: string, default: "2024-01"}}
- {name: region, in: query, required: true, schema: {type: string, enum: [eu]}}
- {name: tenant, in: query, required: true, schema: {type: string}}
- {name: since_day, in: query, required: true, example: 20, schema: {type: integer}}
- {name: X-Trace, in: header, schema: {type: string}}
- {name: X-Tenant-Key, in: header, required: true, schema: {type: string}}
- {name: X-Version, in: header, required: true, schema: {type: string, default: v2}}
`
	res, err := Generate(spec(listOf("/items", item, params)), Options{})
	require.NoError(t, err)
	tb := res.Profile.Catalogs["TestAPI"].Schemas[DefaultSchema].Tables["items"]
	filters := map[string]map[string]catalog.Filter{}
	for _, c := range tb.Columns {
		for op, f := range c.Filters {
			if filters[c.Name] == nil {
				filters[c.Name] = map[string]catalog.Filter{}
			}
			filters[c.Name][op] = *f
		}
	}
	assert.Equal(t, map[string]map[string]catalog.Filter{
		"id": {
			"=":  {Param: "id", Exact: true},
			"IN": {Param: "id", Repeat: true, Exact: true},
			"!=": {Param: "id_ne"},
		},
		"name": {
			"=":    {Param: "name"},
			"IN":   {Param: "name", Join: ","},
			"LIKE": {Param: "name_like", Like: "regex"},
		},
		"price":      {">=": {Param: "price_gte"}, "<=": {Param: "maxPrice"}, "<": {Param: "price[lt]"}},
		"created_at": {">": {Param: "createdAfter"}, "<": {Param: "created_before"}},
		"updated_at": {">=": {Param: "since"}},
		"ownerId":    {"=": {Param: "owner_id"}},
	}, filters)
	assert.Equal(t, map[string]string{"api_version": "2024-01", "region": "eu", "since_day": "20"}, tb.Params)
	assert.Equal(t, "/items?tenant={tenant}", tb.URL)
	assert.Equal(t, map[string]string{"X-Tenant-Key": "${X_Tenant_Key}", "X-Version": "v2"}, tb.Headers)
	notes := strings.Join(res.Comments.Tables[tb], "\n")
	assert.Contains(t, notes, "The required query parameter tenant is the required key column tenant: WHERE tenant = ... sends it.")
	assert.Contains(t, notes, "The required query parameter since_day is sent as 20 (its example).")
	assert.Contains(t, strings.Join(res.Comments.Head, "\n"), "Required headers, their ${} placeholders filled from a SecretsFile or the environment: X-Tenant-Key (${X_Tenant_Key}).")
	assert.Contains(t, notes, "Query parameters not used: active_gte, q.")
	assert.Contains(t, notes, "Header parameters not sent (add them under headers: if needed): X-Trace.")
}

func TestPaginationAndSort(t *testing.T) {
	item := "type: object\nproperties:\n  id: {type: integer}\n  name: {type: string}\n"
	wrapped := func(path, params, extra string) string {
		return path + ":\n  get:\n    parameters:\n" + indent(params, 6) + `    responses:
      '200':
        description: ok
        content:
          application/json:
            schema:
              type: object
              properties:
                items: {type: array, items: {type: object, properties: {id: {type: integer}}}}
` + indent(extra, 16)
	}
	tests := []struct {
		name  string
		paths string
		want  *catalog.Pagination
		sort  *catalog.Sort
		limit *catalog.Limit
	}{
		{
			name:  "page with total header",
			paths: listOf("/t", item, "- {name: page, in: query, schema: {type: integer, minimum: 0}}\n- {name: size, in: query, schema: {type: integer, maximum: 200}}"),
			want:  &catalog.Pagination{Type: "page", PageParam: "page", SizeParam: "size", PageSize: 200, MaxPageSize: 200, Start: new(int)},
		},
		{
			name:  "offset",
			paths: listOf("/t", item, "- {name: skip, in: query, schema: {type: integer}}\n- {name: take, in: query, schema: {type: integer, default: 30}}"),
			want:  &catalog.Pagination{Type: "offset", OffsetParam: "skip", SizeParam: "take", PageSize: 30},
		},
		{
			name:  "starting_after: the last row's id",
			paths: wrapped("/t", "- {name: starting_after, in: query, schema: {type: string}}\n- {name: limit, in: query, schema: {type: integer, maximum: 100}}", "has_more: {type: boolean}\nobject: {type: string}"),
			want:  &catalog.Pagination{Type: "cursor", CursorParam: "starting_after", CursorPath: "items.@reverse.0.id", SizeParam: "limit", PageSize: 100, HasMorePath: "has_more"},
		},
		{
			name:  "starting_after without an id in the rows: no pagination",
			paths: strings.Replace(wrapped("/t", "- {name: starting_after, in: query, schema: {type: string}}\n- {name: limit, in: query, schema: {type: integer}}", "has_more: {type: boolean}"), "id: {type: integer}", "name: {type: string}", 1),
			limit: &catalog.Limit{Param: "limit"},
		},
		{
			name:  "Link header with before/after cursors",
			paths: strings.Replace(listOf("/t", item, "- {name: before, in: query, schema: {type: string}}\n- {name: after, in: query, schema: {type: string}}\n- {name: per_page, in: query, schema: {type: integer, maximum: 100, default: 30}}"), "description: ok", "description: ok\n        headers: {Link: {schema: {type: string}}}", 1),
			want:  &catalog.Pagination{Type: "linkHeader", SizeParam: "per_page", PageSize: 100},
		},
		{
			name:  "cursor",
			paths: wrapped("/t", "- {name: after, in: query, schema: {type: string}}", "pageInfo: {type: object, properties: {endCursor: {type: string}, hasNextPage: {type: boolean}}}"),
			want:  &catalog.Pagination{Type: "cursor", CursorParam: "after", CursorPath: "pageInfo.endCursor", HasMorePath: "pageInfo.hasNextPage"},
		},
		{
			name:  "next URL with total",
			paths: wrapped("/t", "- {name: page, in: query, schema: {type: integer}}", "links: {type: object, properties: {next: {type: object, properties: {href: {type: string, format: uri}}}}}\ntotal_count: {type: integer}"),
			want:  &catalog.Pagination{Type: "nextURL", NextPath: "links.next.href", TotalPath: "total_count"},
		},
		{
			name:  "cursor parameter without a cursor field",
			paths: listOf("/t", item, "- {name: cursor, in: query, schema: {type: string}}\n- {name: limit, in: query, schema: {type: integer}}"),
			limit: &catalog.Limit{Param: "limit"},
		},
		{
			name:  "sort with a minus for descending",
			paths: listOf("/t", item, "- {name: sort, in: query, schema: {type: string, enum: [id, -id, name, -name]}}"),
			sort:  &catalog.Sort{Param: "sort", Value: "{dir}{column}", Asc: new(string), Desc: ptr("-"), Columns: []string{"id"}},
		},
		{
			// name may be NULL (not required): only id is pushed.
			name:  "sort by listed columns",
			paths: listOf("/t", item, "- {name: sort, in: query, schema: {type: string, enum: [name, -name, id, -id]}}"),
			sort:  &catalog.Sort{Param: "sort", Value: "{dir}{column}", Asc: new(string), Desc: ptr("-"), Columns: []string{"id"}},
		},
		{
			name:  "sort by required columns, direction words",
			paths: listOf("/t", "type: object\nrequired: [id, name, at]\nproperties:\n  id: {type: integer}\n  name: {type: string}\n  at: {type: string, nullable: true}\n  n: {type: integer}", "- {name: sort, in: query, schema: {type: string, enum: [name, at, n, created]}}\n- {name: direction, in: query, schema: {type: string, enum: [ASC, DESC]}}"),
			sort:  &catalog.Sort{Param: "sort", Order: "direction", Asc: ptr("ASC"), Desc: ptr("DESC"), Columns: []string{"name"}},
		},
		{
			name:  "sort that cannot sort by a never-NULL column",
			paths: listOf("/t", item, "- {name: sort, in: query, schema: {type: string, enum: [name, -name]}}"),
		},
		{
			name:  "order that is not asc and desc",
			paths: listOf("/t", item, "- {name: sort, in: query, schema: {type: string}}\n- {name: order, in: query, schema: {type: string, enum: [newest, oldest]}}"),
		},
		{
			// An array sent repeated (explode, the default): one key.
			name:  "sort_by and order",
			paths: listOf("/t", item, "- {name: sort_by, in: query, schema: {type: array, items: {type: string}}}\n- {name: order, in: query, schema: {type: string, enum: [asc, desc]}}"),
			sort:  &catalog.Sort{Param: "sort_by", Order: "order", Nulls: "high"},
		},
		{
			name:  "sort_by comma-separated",
			paths: listOf("/t", item, "- {name: sort_by, in: query, explode: false, schema: {type: array, items: {type: string}}}\n- {name: order, in: query, schema: {type: string, enum: [asc, desc]}}"),
			sort:  &catalog.Sort{Param: "sort_by", Order: "order", Join: ",", Nulls: "high"},
		},
		{
			name:  "sort without a direction",
			paths: listOf("/t", item, "- {name: sort, in: query, schema: {type: string}}"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Generate(spec(tt.paths), Options{})
			require.NoError(t, err)
			tb := res.Profile.Catalogs["TestAPI"].Schemas[DefaultSchema].Tables["t"]
			assert.Equal(t, tt.want, tb.Pagination)
			assert.Equal(t, tt.sort, tb.Sort)
			assert.Equal(t, tt.limit, tb.Limit)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestTablesLookupsAndWrites(t *testing.T) {
	user := "type: object\nproperties:\n  id: {type: integer}\n  name: {type: string}\n"
	post := "type: object\nproperties:\n  id: {type: integer}\n  userId: {type: integer}\n"
	paths := listOf("/v1/users", user, "") + listOf("/v1/users/{user-id}/posts", post, "- {name: user-id, in: path, required: true, schema: {type: integer}}") +
		listOf("/v1/orgs/{org}/repos", "type: object\nproperties:\n  name: {type: string}\n", "") + `/v1/users/{userId}:
  get:
    responses:
      '200': {description: ok, content: {application/json: {schema: {type: object, properties: {data: {type: object, properties: {id: {type: integer}}}}}}}}
  put:
    requestBody: {content: {application/json: {schema: {type: object, properties: {user: {type: object}}}}}}
    responses: {'200': {description: ok}}
  delete:
    responses: {'204': {description: gone}}
/v1/users/{userId}/posts/{postId}:
  delete:
    responses: {'204': {description: gone}}
/v1/orgs/{org}/repos/{name}:
  patch:
    responses: {'200': {description: ok}}
/v1/me:
  get:
    responses:
      '200': {description: ok, content: {application/json: {schema: {type: object, properties: {login: {type: string}}}}}}
/v1/numbers:
  get:
    responses:
      '200': {description: ok, content: {application/json: {schema: {type: array, items: {type: integer}}}}}
/v1/text:
  get:
    responses:
      '200': {description: ok, content: {text/plain: {schema: {type: string}}}}
`
	res, err := Generate(spec(paths), Options{})
	require.NoError(t, err)
	tables := res.Profile.Catalogs["TestAPI"].Schemas[DefaultSchema].Tables
	assert.ElementsMatch(t, []string{"users", "posts_by_user_id", "repos_by_org", "me"}, keys(tables))

	users := tables["users"]
	assert.Equal(t, &catalog.Get{URL: "/v1/users/{id}", Rows: "data"}, users.Get)
	assert.Equal(t, &catalog.Write{Method: "PUT", URL: "/v1/users/{id}", Wrap: "user"}, users.Update)
	assert.Equal(t, &catalog.Write{Method: "DELETE", URL: "/v1/users/{id}"}, users.Delete)

	posts := tables["posts_by_user_id"]
	// {user-id} is the rows' userId (the same name but for case and
	// separators, the same type): no column of its own.
	assert.Equal(t, "/v1/users/{userId}/posts", posts.URL)
	assert.Equal(t, []string{"id", "userId"}, []string{posts.Columns[0].Name, posts.Columns[1].Name})
	assert.Len(t, posts.Columns, 2)
	assert.Nil(t, posts.Delete, "{userId} of the delete path is not a column of posts_by_user_id")

	repos := tables["repos_by_org"]
	assert.Equal(t, &catalog.Write{Method: "PATCH", URL: "/v1/orgs/{org}/repos/{name}"}, repos.Update)
	assert.Equal(t, catalog.TypeString, repos.Columns[0].Type)

	head := strings.Join(res.Comments.Head, "\n")
	assert.Contains(t, head, "GET /v1/numbers returns an array of integer, not of objects: skipped.")
	assert.Contains(t, head, "GET /v1/text returns text/plain, not JSON: skipped.")
	assert.Equal(t, &catalog.Pagination{Type: "none"}, tables["me"].Pagination)
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestAuth(t *testing.T) {
	tests := []struct {
		name   string
		scheme string
		want   *catalog.Auth
		note   string
	}{
		{"basic", "{type: http, scheme: basic}", &catalog.Auth{Scheme: "Basic", User: "${User}", Password: "${Password}"}, ""},
		{"bearer", "{type: http, scheme: Bearer}", &catalog.Auth{Scheme: "Bearer", Token: "${Token}"}, ""},
		{"digest", "{type: http, scheme: digest}", &catalog.Auth{Scheme: "Digest", User: "${User}", Password: "${Password}"}, ""},
		{"api key in query", "{type: apiKey, in: query, name: api_key}", &catalog.Auth{Scheme: "APIKey", Key: "${APIKey}", Name: "api_key", In: "query"}, ""},
		{"api key in a cookie", "{type: apiKey, in: cookie, name: sid}", nil, "No supported security scheme (s (an API key in cookie is not supported))"},
		{"oauth2 client credentials", "{type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://a/token', scopes: {b: B, a: A}}}}",
			&catalog.Auth{Scheme: "OAuth2", ClientID: "${OAuthClientId}", ClientSecret: "${OAuthClientSecret}", TokenURL: "https://a/token", Scopes: []string{"a", "b"}, GrantType: "client_credentials"}, ""},
		{"oauth2 password", "{type: oauth2, flows: {password: {tokenUrl: 'https://a/token', scopes: {}}}}",
			&catalog.Auth{Scheme: "OAuth2", ClientID: "${OAuthClientId}", ClientSecret: "${OAuthClientSecret}", User: "${User}", Password: "${Password}", TokenURL: "https://a/token", GrantType: "password"}, ""},
		{"oauth2 authorization code", "{type: oauth2, flows: {authorizationCode: {authorizationUrl: 'https://a/auth', tokenUrl: 'https://a/token', scopes: {}}}}",
			&catalog.Auth{Scheme: "OAuth2", ClientID: "${OAuthClientId}", ClientSecret: "${OAuthClientSecret}", RefreshToken: "${OAuthRefreshToken}", TokenURL: "https://a/token", GrantType: "refresh_token"}, ""},
		{"oauth2 implicit", "{type: oauth2, flows: {implicit: {authorizationUrl: 'https://a/auth', scopes: {}}}}", nil, "implicit oauth2 flow"},
		{"openid connect", "{type: openIdConnect, openIdConnectUrl: 'https://a/.well-known'}", nil, "openIdConnect is not supported"},
	}
	item := "type: object\nproperties:\n  id: {type: integer}\n"
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc := spec(listOf("/t", item, ""), "securitySchemes:\n  s: "+tt.scheme+"\n")
			doc = append([]byte("security: [{s: []}]\n"), doc...)
			res, err := Generate(doc, Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, res.Profile.Catalogs["TestAPI"].Auth)
			if tt.note != "" {
				assert.Contains(t, strings.Join(res.Comments.Head, "\n"), tt.note)
			}
		})
	}
	// Security on an operation only.
	doc := spec("/t:\n  get:\n    security: [{k: []}]\n    responses: {'200': {description: ok, content: {application/json: {schema: {type: array, items: {type: object, properties: {id: {type: integer}}}}}}}}\n",
		"securitySchemes:\n  k: {type: apiKey, in: header, name: X-Key}\n")
	p, err := Import(doc, Options{})
	require.NoError(t, err)
	c, _ := p.Catalog("TestAPI")
	assert.Equal(t, &catalog.Auth{Scheme: "APIKey", Key: "${APIKey}", Name: "X-Key", In: "header"}, c.Auth)
}

func TestServersAndNames(t *testing.T) {
	list := listOf("/t", "type: object\nproperties:\n  id: {type: integer}\n", "")
	base := "info: {title: '2nd  shop!', version: '1'}\npaths:\n" + indent(list, 2)
	tests := []struct {
		name, servers string
		opts          Options
		url, catalog  string
	}{
		{"absolute", "servers: [{url: 'https://x.test/api/'}]\n", Options{}, "https://x.test/api", "API2ndShop"},
		{"variables", "servers: [{url: '{scheme}://{host}/v1', variables: {scheme: {default: https}, host: {default: h.test}}}]\n", Options{}, "https://h.test/v1", "API2ndShop"},
		{"relative", "servers: [{url: /api/v3}]\n", Options{}, "${BaseURL}/api/v3", "API2ndShop"},
		{"none", "", Options{}, "${BaseURL}", "API2ndShop"},
		{"not http", "servers: [{url: 'ftp://x'}]\n", Options{}, "${BaseURL}", "API2ndShop"},
		{"override", "servers: [{url: 'https://x.test'}]\n", Options{URL: "http://127.0.0.1:3000/", Catalog: "Shop"}, "http://127.0.0.1:3000", "Shop"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Import([]byte("openapi: 3.0.0\n"+tt.servers+base), tt.opts)
			require.NoError(t, err)
			c, ok := p.Catalog(tt.catalog)
			require.True(t, ok, p.CatalogNames())
			assert.Equal(t, tt.url, c.URL)
		})
	}
}

func TestImportErrors(t *testing.T) {
	tests := []struct {
		name, doc, want string
	}{
		{"not YAML", "{", "openapi: "},
		{"swagger 2", "swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", "openapi: the document has no paths"},
		{"no paths", "openapi: 3.0.0\ninfo: {title: x, version: '1'}\npaths: {}\n", "the document has no paths"},
		{"no GET", string(spec("/t:\n  post:\n    responses: {'201': {description: ok}}\n")), "openapi: no table could be made: the document has no GET operation (1 other operations)"},
		{"no tables", string(spec("/t:\n  get:\n    responses: {'201': {description: ok}}\n/u:\n  get:\n    responses: {'200': {description: ok, content: {text/csv: {}}}}\n/v:\n  get:\n    responses: {'404': {description: no}}\n")),
			"openapi: no table could be made: no GET endpoint returns JSON objects\n  GET /t documents no response content: skipped.\n  GET /u returns text/csv, not JSON: skipped.\n  GET /v has no success (2xx or default) response: skipped."},
		{"external ref", string(spec(listOf("/t", "$ref: 'other.yaml#/Thing'", ""))), "openapi: "},
		{"JSON path item not an object", `{"openapi": "3.0.0", "info": {"title": "x", "version": "1"}, "paths": {"/a": 5}}`, "openapi: "},
		{"JSON paths not an object", `{"openapi": "3.0.0", "info": {"title": "x", "version": "1"}, "paths": [1]}`, "openapi: "},
		{"JSON openapi not a string", `{"openapi": 3, "info": {"title": "x", "version": "1"}, "paths": {}}`, "openapi: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Import([]byte(tt.doc), Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestNames(t *testing.T) {
	for path, want := range map[string]string{
		"/users": "users", "/api/v2/users/": "users", "/users/{userId}/posts": "posts_by_user",
		"/users/{id}": "users_by_id", "/orgs/{org_id}/members": "members_by_org", "/": "root",
		"/v1/user-groups": "user_groups", "/a/{x}/b/{y}": "b_by_y",
		"/past_webinars/{WebinarUUID}/absentees": "absentees_by_WebinarUUID", "/users/{userID}/groups": "groups_by_user",
		"/2010-04-01/Accounts/{AccountSid}/Calls.json": "Calls_by_AccountSid",
	} {
		assert.Equal(t, want, tableName(path), path)
	}
	parent, param, ok := itemPath("/users/{id}")
	assert.True(t, ok)
	assert.Equal(t, "/users", parent)
	assert.Equal(t, "id", param)
	_, _, ok = itemPath("/users/{id}/posts")
	assert.False(t, ok)
	parent, param, ok = itemPath("/Accounts/{AccountSid}/Calls/{Sid}.json")
	assert.True(t, ok)
	assert.Equal(t, "/Accounts/{AccountSid}/Calls.json", parent)
	assert.Equal(t, "Sid", param)
	assert.Equal(t, "teams", previousLiteral("/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}"))
	assert.Equal(t, "/a/{key}/b/{c_d}", urlTemplate("/a/{x}/b/{c-d}", "x", "key", nil))
}

func TestRecursiveSchemas(t *testing.T) {
	doc := spec(listOf("/nodes", "$ref: '#/components/schemas/Node'", ""), `schemas:
  Node:
    allOf: [{$ref: '#/components/schemas/Node'}, {$ref: '#/components/schemas/Node'}, {$ref: '#/components/schemas/Node'}]
    type: object
    properties:
      id: {type: integer}
      parent: {$ref: '#/components/schemas/Node'}
      meta: {type: object, properties: {owner: {$ref: '#/components/schemas/Node'}, note: {type: string}}}
      children: {type: array, items: {$ref: '#/components/schemas/Node'}}
`)
	p, err := Import(doc, Options{})
	require.NoError(t, err)
	var got []string
	for _, c := range table(t, p, "nodes").Columns {
		got = append(got, c.Name+":"+string(c.Type))
	}
	assert.Equal(t, []string{"id:int", "parent:json", "metaOwner:json", "metaNote:string", "children:json"}, got)
}

func TestArrayParamNamedLikeJSONColumn(t *testing.T) {
	// GitHub's GET /orgs/{org}/migrations: the array query parameter
	// exclude is named like the json column exclude. It cannot filter a
	// json column, so it is left out, and noted.
	item := "type: object\nproperties:\n  id: {type: integer}\n  exclude: {type: array, items: {type: string}}\n"
	params := "- {name: exclude, in: query, schema: {type: array, items: {type: string, enum: [repositories]}}}"
	res, err := Generate(spec(listOf("/orgs/{org}/migrations", item, params)), Options{})
	require.NoError(t, err)
	tb := table(t, res.Checked, "migrations_by_org")
	for _, c := range tb.Columns {
		assert.Empty(t, c.Filters, "column %s", c.Name)
	}
	var notes []string
	for _, n := range res.Comments.Tables {
		notes = append(notes, n...)
	}
	assert.Contains(t, strings.Join(notes, "\n"), "Query parameters not used: exclude")
}

func TestTableNamesDifferingInCase(t *testing.T) {
	item := "type: object\nproperties:\n  id: {type: integer}\n"
	res, err := Generate(spec(listOf("/Users", item, "")+listOf("/users", item, "")+listOf("/v2/USERS", item, "")), Options{})
	require.NoError(t, err)
	out, err := res.YAML()
	require.NoError(t, err)
	p, err := catalog.Parse(out, "case.yaml")
	require.NoError(t, err)
	require.NoError(t, p.Validate())
	assert.ElementsMatch(t, []string{"Users", "users_2", "USERS_3"}, keys(res.Profile.Catalogs["TestAPI"].Schemas[DefaultSchema].Tables))
}

func TestRowsDetection(t *testing.T) {
	// get returns a GET path whose 200 response has the given schema and
	// the given query parameters.
	get := func(path, schema, params string) string {
		s := path + ":\n  get:\n"
		if params != "" {
			s += "    parameters:\n" + indent(params, 6)
		}
		return s + "    responses:\n      '200':\n        description: ok\n        content:\n          application/json:\n            schema:\n" + indent(schema, 14)
	}
	item := "{type: object, properties: {id: {type: string}, name: {type: string}}}"
	tests := []struct {
		name, schema, params string
		rows                 string // "-" for one row (not a collection)
	}{
		{"array", "type: array\nitems: " + item, "", ""},
		{"resource with a nested array", "type: object\nproperties:\n  id: {type: integer}\n  full_name: {type: string}\n  reviewers:\n    type: array\n    items: {type: object, properties: {login: {type: string}}}", "", "-"},
		{"resource with a nested paging object", "type: object\nproperties:\n  id: {type: string}\n  tracks:\n    type: object\n    properties:\n      items: {type: array, items: {type: object, properties: {id: {type: string}}}}\n      next: {type: string}\n      total: {type: integer}", "", "-"},
		{"stripe list", "type: object\nproperties:\n  object: {type: string, enum: [list]}\n  data:\n    type: array\n    items: " + item + "\n  has_more: {type: boolean}\n  url: {type: string}", "", "data"},
		{"envelope", "type: object\nproperties:\n  status: {type: string}\n  data:\n    type: object\n    properties:\n      total: {type: integer}\n      results:\n        type: array\n        items: " + item, "", "data.results"},
		{"lone array property", "type: object\nproperties:\n  albums:\n    type: array\n    items: " + item, "", "albums"},
		{"scalar beside the rows, no pagination", "type: object\nproperties:\n  label: {type: string}\n  items:\n    type: array\n    items: " + item, "", "-"},
		{"scalar beside the rows, paginated", "type: object\nproperties:\n  incomplete_results: {type: boolean}\n  items:\n    type: array\n    items: " + item, "- {name: page, in: query, schema: {type: integer}}", "items"},
		{"two arrays", "type: object\nproperties:\n  users:\n    type: array\n    items: " + item + "\n  groups:\n    type: array\n    items: " + item, "", "-"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Generate(spec(get("/things", tt.schema, tt.params)), Options{})
			require.NoError(t, err)
			tb := table(t, res.Checked, "things")
			if tt.rows == "-" {
				assert.Equal(t, catalog.PageNone, tb.Pagination.Type)
				assert.Empty(t, tb.Rows)
				assert.Contains(t, res.Comments.Tables[res.Profile.Catalogs["TestAPI"].Schemas[DefaultSchema].Tables["things"]], "GET /things, which returns one object: one row.")
				return
			}
			assert.Equal(t, tt.rows, tb.Rows)
		})
	}
}

func TestSelectionAndMaxColumns(t *testing.T) {
	item := "type: object\nproperties:\n  id: {type: integer}\n  a: {type: object, properties: {b: {type: object, properties: {c: {type: string}, d: {type: string}}}, e: {type: string}}}\n  f: {type: string}\n"
	tagged := func(path, tag string) string {
		return strings.Replace(listOf(path, item, ""), "  get:\n", "  get:\n    tags: ["+tag+"]\n", 1)
	}
	doc := spec(tagged("/repos/{owner}/{repo}/issues", "Issues") + tagged("/repos/{owner}/{repo}/pulls", "pulls") + tagged("/users", "users") + tagged("/users/{u}/repos/{r}/issues", "issues"))
	tableNames := func(opts Options) []string {
		p, err := Import(doc, opts)
		require.NoError(t, err)
		return keys(p.Catalogs["TestAPI"].Schemas[DefaultSchema].Tables)
	}
	assert.ElementsMatch(t, []string{"issues_by_repo", "pulls_by_repo", "users", "issues_by_r"}, tableNames(Options{}))
	assert.ElementsMatch(t, []string{"issues_by_repo", "issues_by_r"}, tableNames(Options{Tags: []string{"issues"}}))
	assert.ElementsMatch(t, []string{"issues_by_repo", "pulls_by_repo"}, tableNames(Options{Paths: []string{"/repos/*/*/*"}}))
	assert.ElementsMatch(t, []string{"issues_by_repo", "issues_by_r", "users"}, tableNames(Options{Paths: []string{"/**/issues", "/users"}}))
	assert.ElementsMatch(t, []string{"pulls_by_repo"}, tableNames(Options{Paths: []string{"/repos/**"}, Tags: []string{"PULLS"}}))
	_, err := Import(doc, Options{Tags: []string{"nope"}})
	require.EqualError(t, err, "openapi: no table could be made: none of the 4 GET operations matches the tags and paths selected")

	cols := func(max int) []string {
		p, err := Import(doc, Options{MaxColumns: max, Paths: []string{"/users"}})
		require.NoError(t, err)
		var out []string
		for _, c := range table(t, p, "users").Columns {
			out = append(out, c.Name+":"+c.Path+":"+string(c.Type))
		}
		return out
	}
	all := []string{"id:id:int", "aBC:a.b.c:string", "aBD:a.b.d:string", "aE:a.e:string", "f:f:string"}
	assert.Equal(t, all, cols(0))
	assert.Equal(t, all, cols(-1))
	assert.Equal(t, all, cols(5))
	assert.Equal(t, []string{"id:id:int", "aB:a.b:json", "aE:a.e:string", "f:f:string"}, cols(4))
	assert.Equal(t, []string{"id:id:int", "a:a:json", "f:f:string"}, cols(3))
	assert.Equal(t, []string{"id:id:int", "a:a:json", "f:f:string"}, cols(1))
}

func TestKeysFromPath(t *testing.T) {
	// item returns an item path with GET (one object) and PATCH, whose
	// path parameter has the given type.
	item := func(path, param, typ, schema string) string {
		resp := "    responses:\n      '200':\n        description: ok\n        content:\n          application/json:\n            schema: " + schema + "\n"
		return path + ":\n  parameters:\n    - {name: " + param + ", in: path, required: true, schema: {type: " + typ + "}}\n  get:\n" + resp + "  patch:\n" + resp
	}
	issue := "{type: object, properties: {id: {type: integer}, number: {type: integer}, title: {type: string}}}"
	customer := "{type: object, properties: {id: {type: string}, email: {type: string}}}"
	repo := "{type: object, properties: {id: {type: integer}, name: {type: string}}}"
	doc := spec(listOf("/repos/{owner}/{repo}/issues", issue, "") + item("/repos/{owner}/{repo}/issues/{issue_number}", "issue_number", "integer", issue) +
		listOf("/customers", customer, "") + item("/customers/{customer}", "customer", "string", customer) +
		listOf("/repos", repo, "") + item("/repos/{repo}", "repo", "string", repo) +
		listOf("/pets", repo, "") + item("/pets/{petId}", "petId", "integer", repo) +
		listOf("/things", repo, "") + item("/things/{slug}", "slug", "string", repo))
	p, err := Import(doc, Options{})
	require.NoError(t, err)

	issues := table(t, p, "issues_by_repo")
	require.NotNil(t, issues.Get)
	assert.Equal(t, "/repos/{owner}/{repo}/issues/{number}", issues.Get.URL)
	assert.Equal(t, "/repos/{owner}/{repo}/issues/{number}", issues.Update.URL)

	customers := table(t, p, "customers")
	require.NotNil(t, customers.Get)
	assert.Equal(t, "/customers/{id}", customers.Get.URL)
	assert.Equal(t, "/customers/{id}", customers.Update.URL)

	pets := table(t, p, "pets")
	require.NotNil(t, pets.Get)
	assert.Equal(t, "/pets/{id}", pets.Get.URL)

	// {repo} is a name (a string), the id an integer: no lookup; the item
	// path is a table of its own, written through the same placeholder.
	assert.Nil(t, table(t, p, "repos").Get)
	assert.Nil(t, table(t, p, "repos").Update)
	byRepo := table(t, p, "repos_by_repo")
	assert.Equal(t, "/repos/{repo}", byRepo.URL)
	assert.Equal(t, "/repos/{repo}", byRepo.Update.URL)
	assert.Nil(t, table(t, p, "things").Get)
	assert.Equal(t, "/things/{slug}", table(t, p, "things_by_slug").Update.URL)
}

const swagger2YAML = `swagger: 2.0
info: {title: Pet Store, version: 1.0.0}
host: petstore.example.com
basePath: /v2
schemes: [https]
securityDefinitions:
  key: {type: apiKey, name: X-API-Key, in: header}
security: [{key: []}]
paths:
  /pets:
    get:
      parameters:
        - {name: status, in: query, type: string, enum: [available, sold]}
        - {name: limit, in: query, type: integer, maximum: 100}
      responses:
        200:
          description: ok
          schema: {type: array, items: {$ref: '#/definitions/Pet'}}
    post:
      parameters: [{name: body, in: body, schema: {$ref: '#/definitions/Pet'}}]
      responses: {201: {description: created}}
  /pets/{petId}:
    get:
      parameters: [{name: petId, in: path, required: true, type: integer}]
      responses: {200: {description: ok, schema: {$ref: '#/definitions/Pet'}}}
    delete:
      parameters: [{name: petId, in: path, required: true, type: integer}]
      responses: {204: {description: gone}}
definitions:
  Pet:
    type: object
    properties:
      name: {type: string}
      id: {type: integer}
      status: {type: string}
      born: {type: string, format: date}
`

func TestSwagger2(t *testing.T) {
	// YAML, pretty JSON and compact JSON import alike, in document order.
	compact, err := yamlToJSON([]byte(swagger2YAML))
	require.NoError(t, err)
	var pretty bytes.Buffer
	require.NoError(t, json.Indent(&pretty, compact, "", "  "))
	assert.Contains(t, string(compact), `{"swagger":"2.0","info":{"title":"Pet Store"`)
	for name, doc := range map[string][]byte{"yaml": []byte(swagger2YAML), "json": pretty.Bytes(), "compact json": compact} {
		t.Run(name, func(t *testing.T) {
			p, err := Import(doc, Options{})
			require.NoError(t, err)
			c, _ := p.Catalog("PetStore")
			require.NotNil(t, c)
			assert.Equal(t, "https://petstore.example.com/v2", c.URL)
			assert.Equal(t, &catalog.Auth{Scheme: catalog.AuthAPIKey, Key: "${APIKey}", Name: "X-API-Key", In: "header"}, c.Auth)
			pets := table(t, p, "pets")
			var cols []string
			for _, col := range pets.Columns {
				cols = append(cols, col.Name+":"+string(col.Type))
			}
			assert.Equal(t, []string{"name:string", "id:int", "status:string", "born:datetime"}, cols)
			require.NotNil(t, pets.Get)
			assert.Equal(t, "/pets/{id}", pets.Get.URL)
			assert.Equal(t, "/pets/{id}", pets.Delete.URL)
			assert.Equal(t, "/pets", pets.Insert.URL)
		})
	}
}

func TestVersionErrors(t *testing.T) {
	tests := []struct{ doc, want string }{
		{`{"swagger":"1.2","paths":{}}`, `openapi: swagger version "1.2" is not supported: want "2.0", or an OpenAPI 3 document`},
		{`{"openapi":"4.0.0","paths":{}}`, `openapi: openapi version "4.0.0" is not supported: want 3.x, or a Swagger 2.0 document`},
		{`{"info":{}}`, `openapi: the document has no version: want openapi: 3.x (OpenAPI 3) or swagger: "2.0" (Swagger 2.0) at the top`},
		{"openapi: 2.5\n", `openapi: openapi version "2.5" is not supported: want 3.x, or a Swagger 2.0 document`},
		{"swagger: '2.0'\ninfo: {title: x, version: '1'}\npaths: {}\n", "openapi: the document has no paths"},
	}
	for _, tt := range tests {
		_, err := Import([]byte(tt.doc), Options{})
		require.Error(t, err, tt.doc)
		assert.Equal(t, tt.want, err.Error(), tt.doc)
	}
}

func TestItemPathWithoutWrites(t *testing.T) {
	// beezup.com: an item path with only a POST beside a collection.
	item := "type: object\nproperties:\n  id: {type: integer}\n"
	doc := spec(listOf("/things", item, "") + "/things/{id}:\n  post:\n    responses: {'204': {description: ok}}\n")
	p, err := Import(doc, Options{})
	require.NoError(t, err)
	assert.Nil(t, table(t, p, "things").Update)
}

func TestJSONPathsDecodedApart(t *testing.T) {
	// A JSON document's path items are decoded one by one: the same
	// document as YAML gives the same profile, x- keys of paths are no
	// paths, and document order is kept.
	doc := `{"openapi": "3.0.3", "info": {"title": "T", "version": "1"}, "servers": [{"url": "https://api.example.com"}],
	  "paths": {"x-note": {"a": 1},
	    "/zebras": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Z"}}}}}}}},
	    "/apples": {"get": {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Z"}}}}}}}}},
	  "components": {"schemas": {"Z": {"type": "object", "properties": {"zz": {"type": "string"}, "id": {"type": "integer"}}}}}}`
	res, err := Generate([]byte(doc), Options{})
	require.NoError(t, err)
	out, err := res.YAML()
	require.NoError(t, err)
	// The YAML loader (a comment first: no longer JSON) reads positions:
	// the same profile.
	fromYAML, err := Generate([]byte("# YAML\n"+doc), Options{})
	require.NoError(t, err)
	want, err := fromYAML.YAML()
	require.NoError(t, err)
	assert.Equal(t, string(want), string(out))
	assert.ElementsMatch(t, []string{"apples", "zebras"}, keys(res.Checked.Catalogs["T"].Schemas[DefaultSchema].Tables))
	assert.Less(t, strings.Index(string(out), "name: zz"), strings.Index(string(out), "name: id"), "property order")
}

func TestRequiredCursorIsAKeyColumn(t *testing.T) {
	// Drive's GET /changes needs a pageToken from elsewhere on every
	// request: a required key column, not a cursor the walk leaves out of
	// its first request.
	paths := `/changes:
  get:
    parameters:
      - {name: pageToken, in: query, required: true, schema: {type: string}}
      - {name: pageSize, in: query, schema: {type: integer, maximum: 1000}}
    responses:
      '200':
        description: ok
        content:
          application/json:
            schema:
              type: object
              properties:
                kind: {type: string}
                nextPageToken: {type: string}
                changes: {type: array, items: {type: object, properties: {fileId: {type: string}}}}
`
	res, err := Generate(spec(paths), Options{})
	require.NoError(t, err)
	tb := res.Checked.Catalogs["TestAPI"].Schemas[DefaultSchema].Tables["changes"]
	assert.Equal(t, "/changes?pageToken={pageToken}", tb.URL)
	assert.Equal(t, "changes", tb.Rows)
	assert.Nil(t, tb.Pagination, "no pagination")
	assert.Equal(t, &catalog.Limit{Param: "pageSize"}, tb.Limit)
	c, _ := tb.Column("pageToken")
	require.NotNil(t, c)
	assert.Equal(t, catalog.TypeString, c.Type)
}

func TestNamesShortestPathFirst(t *testing.T) {
	// GitHub's team repository comes first in the document, but
	// repos_by_repo is the repository: shorter paths are named first, and
	// a longer path's clash takes its previous segment.
	one := func(path string) string {
		return path + ":\n  get:\n    responses:\n      '200': {description: ok, content: {application/json: {schema: {" +
			"type: object, properties: {id: {type: integer}, full_name: {type: string}}}}}}\n"
	}
	paths := one("/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}") + one("/repos/{owner}/{repo}") + one("/user/repos/{owner}/{repo}") + one("/x/teams/repos/{owner}/{repo}")
	res, err := Generate(spec(paths), Options{})
	require.NoError(t, err)
	tables := res.Checked.Catalogs["TestAPI"].Schemas[DefaultSchema].Tables
	assert.Equal(t, "/repos/{owner}/{repo}", tables["repos_by_repo"].URL)
	assert.Equal(t, "/user/repos/{owner}/{repo}", tables["user_repos_by_repo"].URL)
	// The shorter of the two team paths takes teams_repos_by_repo.
	assert.Equal(t, "/x/teams/repos/{owner}/{repo}", tables["teams_repos_by_repo"].URL)
	assert.Equal(t, "/orgs/{org}/teams/{team_slug}/repos/{owner}/{repo}", tables["repos_by_repo_2"].URL, "teams_repos_by_repo is taken")
}
