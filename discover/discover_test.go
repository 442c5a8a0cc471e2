package discover

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
)

func TestFindRows(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		path    string
		rows    int
		single  bool
		wantErr string
	}{
		{name: "bare array", body: `[{"a":1},{"a":2}]`, path: "", rows: 2},
		{name: "data wrapper", body: `{"data":[{"a":1}],"meta":{}}`, path: "data", rows: 1},
		{name: "largest wins", body: `{"links":[{"a":1},{"a":2},{"a":3}],"data":[{"a":1}]}`, path: "links", rows: 3},
		{name: "tie goes to data", body: `{"included":[{"a":1}],"data":[{"a":2}]}`, path: "data", rows: 1},
		{name: "tie goes to items before others", body: `{"foo":[{"a":1}],"items":[{"a":2}]}`, path: "items", rows: 1},
		{name: "tie goes to the shallower", body: `{"x":{"y":[{"a":1}]},"z":[{"a":2}]}`, path: "z", rows: 1},
		{name: "tie goes to the first", body: `{"x":[{"a":1}],"z":[{"a":2}]}`, path: "x", rows: 1},
		{name: "nested wrappers", body: `{"response":{"data":{"items":[{"a":1},{"a":2}]}}}`, path: "response.data.items", rows: 2},
		{name: "arrays of scalars do not count", body: `{"ids":[1,2,3,4],"data":[{"a":1}]}`, path: "data", rows: 1},
		{name: "arrays inside rows are not rows", body: `{"data":[{"tags":[{"t":1},{"t":2},{"t":3}]}]}`, path: "data", rows: 1},
		{name: "escaped key", body: `{"a.b":[{"x":1}]}`, path: `a\.b`, rows: 1},
		{name: "single object", body: `{"id":1,"name":"x","tags":["a"]}`, path: "", rows: 1, single: true},
		{name: "empty body array", body: `[]`, wantErr: "the body is an empty array"},
		{name: "empty wrapper", body: `{"data":[],"total":0}`, wantErr: "the array at data is empty"},
		{name: "array of scalars", body: `[1,2]`, wantErr: "array of number"},
		{name: "scalar body", body: `"hello"`, wantErr: "the body is a string"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := findRows(gjson.Parse(tt.body))
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				require.ErrorIs(t, err, errNoRows)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.path, f.path())
			assert.Len(t, f.rows, tt.rows)
			assert.Equal(t, tt.single, f.single)
			if !tt.single && tt.path != "" {
				assert.True(t, gjson.Get(tt.body, tt.path).IsArray(), "the path finds the rows")
			}
		})
	}
}

func TestColumnTypes(t *testing.T) {
	tests := []struct {
		name   string
		values []string // one field's value in successive rows
		typ    string
		format string
		note   string
	}{
		{name: "count", values: []string{`1`, `2`, `-3`}, typ: "int"},
		{name: "price", values: []string{`1`, `2.5`}, typ: "float"},
		{name: "big", values: []string{`1`, `99999999999999999999`}, typ: "float"},
		{name: "exp", values: []string{`1e3`}, typ: "float"},
		{name: "ok", values: []string{`true`, `false`, `null`}, typ: "bool"},
		{name: "title", values: []string{`"a"`, `null`}, typ: "string"},
		{name: "when", values: []string{`"2024-01-02T03:04:05Z"`, `"2024-01-02T03:04:05.123+02:00"`}, typ: "datetime"},
		{name: "day", values: []string{`"2024-01-02"`}, typ: "string"},
		{name: "when", values: []string{`"2024-01-02T03:04:05Z"`, `"soon"`}, typ: "string", note: "RFC 3339 times mixed with other strings"},
		{name: "code", values: []string{`1`, `"x"`}, typ: "string", note: "mixed int, string"},
		{name: "flag", values: []string{`true`, `1`}, typ: "string", note: "mixed int, bool"},
		{name: "tags", values: []string{`["a"]`, `[]`}, typ: "json"},
		{name: "extra", values: []string{`{}`, `{}`}, typ: "json"},
		{name: "blob", values: []string{`{"a":1}`, `"x"`}, typ: "json", note: "mixed string, object"},
		{name: "gone", values: []string{`null`, `null`}, typ: "string", note: "null in every row scanned (2): type unknown"},
		{name: "created_at", values: []string{`1700000000`, `1700000001.5`}, typ: "datetime", format: "unix"},
		{name: "updatedAt", values: []string{`1700000000000`}, typ: "datetime", format: "unixms"},
		{name: "timestamp", values: []string{`5`}, typ: "int"},
		{name: "expires", values: []string{`1700000000`, `0`}, typ: "int"},
		{name: "population", values: []string{`1700000000`}, typ: "int"},
		{name: "lastModifiedTime", values: []string{`1700000000`}, typ: "datetime", format: "unix"},
	}
	for _, tt := range tests {
		t.Run(tt.name+" "+strings.Join(tt.values, ","), func(t *testing.T) {
			var rows []gjson.Result
			for _, v := range tt.values {
				rows = append(rows, gjson.Parse(`{"`+tt.name+`":`+v+`}`))
			}
			cols, notes := inferColumns(rows)
			require.Len(t, cols, 1)
			assert.Equal(t, tt.typ, string(cols[0].Type))
			assert.Equal(t, tt.format, cols[0].Format)
			assert.Equal(t, tt.note, notes[cols[0].Name])
		})
	}
}

func TestColumnsFlattenAndName(t *testing.T) {
	rows := []gjson.Result{
		gjson.Parse(`{"id":1,"billing_address":{"zip_code":"1","geo":{"lat":1.5}},"first-name":"a","@odata.etag":"e","2fa":true,"ID":9,"m":{"1":"a","2":"b"},"deep":{"a":{"b":{"c":{"d":{"e":1}}}}}}`),
		gjson.Parse(`{"id":2,"billing_address":null,"Id2":3,"manager":{"name":"x"}}`),
		gjson.Parse(`{"id":3,"manager":"none"}`),
	}
	cols, _ := inferColumns(rows)
	var got []string
	for _, c := range cols {
		got = append(got, c.Name+"="+c.Path+":"+string(c.Type))
	}
	assert.Equal(t, []string{
		"id=:int",
		"billingAddressZipCode=billing_address.zip_code:string",
		"billingAddressGeoLat=billing_address.geo.lat:float",
		"firstName=first-name:string",
		`odataEtag=\@odata\.etag:string`,
		"_2fa=2fa:bool",
		"ID_2=ID:int",
		"m=:json",
		"deepABCD=deep.a.b.c.d:json",
		"Id2=:int",
		"manager=:json",
	}, got)
	for _, c := range cols {
		if c.Path != "" {
			assert.True(t, gjson.Get(rows[0].Raw, c.Path).Exists() || gjson.Get(rows[1].Raw, c.Path).Exists(), "path %s", c.Path)
		}
	}
}

func TestKeyColumn(t *testing.T) {
	tests := []struct {
		name string
		rows []string
		key  string
	}{
		{name: "id", rows: []string{`{"userId":1,"id":1}`, `{"userId":1,"id":2}`}, key: "id"},
		{name: "ID any case", rows: []string{`{"ID":"a"}`, `{"ID":"b"}`}, key: "ID"},
		{name: "_id", rows: []string{`{"_id":"a","ownerId":1}`, `{"_id":"b","ownerId":2}`}, key: "_id"},
		{name: "sole suffixed", rows: []string{`{"orderId":1,"name":"a"}`, `{"orderId":2,"name":"b"}`}, key: "orderId"},
		{name: "sole snake", rows: []string{`{"order_id":1}`, `{"order_id":2}`}, key: "order_id"},
		{name: "two suffixed", rows: []string{`{"orderId":1,"userId":1}`, `{"orderId":2,"userId":1}`}},
		{name: "repeated id", rows: []string{`{"id":1}`, `{"id":1}`}},
		{name: "null id", rows: []string{`{"id":1}`, `{"id":null}`}},
		{name: "missing id", rows: []string{`{"id":1}`, `{"x":2}`}},
		{name: "float id", rows: []string{`{"id":1.5}`, `{"id":2.5}`}},
		{name: "bad id blocks suffixed", rows: []string{`{"id":1,"orderId":1}`, `{"id":1,"orderId":2}`}},
		{name: "string and number ids collide", rows: []string{`{"id":1}`, `{"id":"1"}`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var rows []gjson.Result
			for _, r := range tt.rows {
				rows = append(rows, gjson.Parse(r))
			}
			cols, _ := inferColumns(rows)
			var keys []string
			for _, c := range cols {
				if c.Key {
					keys = append(keys, c.Name)
				}
			}
			if tt.key == "" {
				assert.Empty(t, keys)
			} else {
				assert.Equal(t, []string{tt.key}, keys)
			}
		})
	}
}

func TestDetectPagination(t *testing.T) {
	rows3 := `[{"id":1},{"id":2},{"id":3}]`
	tests := []struct {
		name   string
		body   string
		header http.Header
		url    string
		want   catalog.Pagination
		params map[string]string
	}{
		{name: "link header", body: rows3, header: http.Header{"Link": {`<https://x/a?page=2>; rel="next"`}}, url: "https://x/a?per_page=3&q=z",
			want: catalog.Pagination{Type: "linkHeader", SizeParam: "per_page", PageSize: 3}, params: map[string]string{"q": "z"}},
		{name: "link header and page parameter", body: rows3, header: http.Header{"Link": {`<https://x/a?page=2>; rel="next"`}, "X-Total-Count": {"9"}}, url: "https://x/a?page=1&per_page=3",
			want: catalog.Pagination{Type: "page", PageParam: "page", SizeParam: "per_page", PageSize: 3, TotalHeader: "X-Total-Count"}},
		{name: "link header and offset parameter", body: rows3, header: http.Header{"Link": {`<https://x/a?offset=3>; rel="next"`}}, url: "https://x/a?offset=0",
			want: catalog.Pagination{Type: "offset", OffsetParam: "offset"}},
		{name: "link header last page", body: rows3, header: http.Header{"Link": {`<https://x/a?page=1>; rel="first"`}}, url: "https://x/a",
			want: catalog.Pagination{Type: "linkHeader"}},
		{name: "next url", body: `{"data":` + rows3 + `,"links":{"next":"/a?page=2"}}`, url: "https://x/a",
			want: catalog.Pagination{Type: "nextURL", NextPath: "links.next"}},
		{name: "next href", body: `{"items":` + rows3 + `,"_links":{"self":{"href":"/a"},"next":{"href":"/a?p=2"}}}`, url: "https://x/a",
			want: catalog.Pagination{Type: "nextURL", NextPath: "_links.next.href"}},
		{name: "null next_page_url", body: `{"data":` + rows3 + `,"next_page_url":null,"total":3,"current_page":1}`, url: "https://x/a",
			want: catalog.Pagination{Type: "nextURL", NextPath: "next_page_url", TotalPath: "total"}},
		{name: "next token is a cursor", body: `{"data":` + rows3 + `,"next":"abc"}`, url: "https://x/a",
			want: catalog.Pagination{Type: "cursor", CursorPath: "next", CursorParam: "cursor"}},
		{name: "cursor param from URL", body: `{"data":` + rows3 + `,"meta":{"next_cursor":"abc"}}`, url: "https://x/a?starting_after=&limit=3",
			want: catalog.Pagination{Type: "cursor", CursorPath: "meta.next_cursor", CursorParam: "starting_after", SizeParam: "limit", PageSize: 3}},
		{name: "snake page token", body: `{"data":` + rows3 + `,"next_page_token":"t"}`, url: "https://x/a",
			want: catalog.Pagination{Type: "cursor", CursorPath: "next_page_token", CursorParam: "page_token"}},
		{name: "null cursor", body: `{"data":` + rows3 + `,"cursor":null}`, url: "https://x/a",
			want: catalog.Pagination{Type: "cursor", CursorPath: "cursor", CursorParam: "cursor"}},
		{name: "offset from URL", body: rows3, url: "https://x/a?skip=0&take=3",
			want: catalog.Pagination{Type: "offset", OffsetParam: "skip", SizeParam: "take", PageSize: 3}},
		{name: "offset from body", body: `{"results":` + rows3 + `,"offset":0,"limit":3,"total":10}`, url: "https://x/a",
			want: catalog.Pagination{Type: "offset", OffsetParam: "offset", SizeParam: "limit", PageSize: 3, TotalPath: "total"}},
		{name: "page from body", body: `{"data":` + rows3 + `,"current_page":1,"per_page":3,"total":9,"last_page":3}`, url: "https://x/a",
			want: catalog.Pagination{Type: "page", PageParam: "page", SizeParam: "per_page", PageSize: 3, TotalPath: "total"}},
		{name: "page zero", body: rows3, url: "https://x/a?page=0&size=3",
			want: catalog.Pagination{Type: "page", PageParam: "page", SizeParam: "size", PageSize: 3, Start: new(int)}},
		{name: "total header alone", body: rows3, header: http.Header{"X-Total-Count": {"30"}}, url: "https://x/a",
			want: catalog.Pagination{Type: "page", PageParam: "page", TotalHeader: "X-Total-Count"}},
		{name: "total below rows ignored", body: `{"data":` + rows3 + `,"total":2}`, url: "https://x/a",
			want: catalog.Pagination{Type: "none"}},
		{name: "page count is not a total", body: `{"data":` + rows3 + `,"count":3,"next":"https://x/a?page=2"}`, url: "https://x/a",
			want: catalog.Pagination{Type: "nextURL", NextPath: "next"}},
		{name: "has more with page param", body: `{"data":` + rows3 + `,"has_more":true}`, url: "https://x/a?page=1",
			want: catalog.Pagination{Type: "page", PageParam: "page", HasMorePath: "has_more"}},
		{name: "has more alone", body: `{"data":` + rows3 + `,"hasMore":true}`, url: "https://x/a",
			want: catalog.Pagination{Type: "none"}},
		{name: "nothing", body: rows3, url: "https://x/a?sort=name",
			want: catalog.Pagination{Type: "none"}, params: map[string]string{"sort": "name"}},
		{name: "secret param", body: rows3, url: "https://x/a?api_key=k1",
			want: catalog.Pagination{Type: "none"}, params: map[string]string{"api_key": "${API_KEY}"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Infer([]byte(tt.body), tt.header, tt.url, Options{})
			require.NoError(t, err)
			assert.Equal(t, tt.want, *r.Pagination)
			if tt.params == nil {
				tt.params = map[string]string{}
			}
			assert.Equal(t, tt.params, r.Params)
			_, err = catalog.Parse(r.ProfileYAML(), "")
			require.NoError(t, err)
		})
	}
}

func TestNames(t *testing.T) {
	for host, want := range map[string]string{
		"api.example.com": "Example", "www.github.com": "Github", "jsonplaceholder.typicode.com": "Jsonplaceholder",
		"127.0.0.1": "Local", "::1": "Local", "localhost": "Local", "api": "Api", "my-api.io": "My_api",
	} {
		assert.Equal(t, want, catalogName(host), host)
	}
	for path, want := range map[string]string{
		"/v1/users": "users", "/users/": "users", "/users.json": "users", "/users/42/posts": "posts",
		"/items/550e8400-e29b-41d4-a716-446655440000": "items", "/v2": "rows", "/": "rows", "/user-groups": "user_groups",
	} {
		u, _ := url.Parse("https://x" + path)
		assert.Equal(t, want, tableName(u, &found{}), path)
	}
	u, _ := url.Parse("https://x/api/v1")
	assert.Equal(t, "members", tableName(u, &found{keys: []string{"members"}}))
	assert.Equal(t, "X_API_KEY", placeholderName("X-Api-Key"))
	assert.True(t, isSecretName("X-Api-Key"))
	assert.True(t, isSecretName("access_token"))
	assert.False(t, isSecretName("Accept"))
	assert.True(t, timeName("created_at"))
	assert.True(t, timeName("updatedAt"))
	assert.False(t, timeName("lat"))
	assert.False(t, timeName("status"))
}

func TestTableRequest(t *testing.T) {
	var got *http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(context.Background())
		switch r.URL.Path {
		case "/missing":
			http.Error(w, `{"error":"no such thing"}`, http.StatusNotFound)
		case "/html":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			_, _ = w.Write([]byte("<html>hello</html>"))
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[{"id":1,"name":"a"},{"id":2,"name":"b"},{"id":3,"name":"c","extra":1}]`))
		}
	}))
	defer srv.Close()
	ctx := context.Background()

	t.Run("basic auth and headers", func(t *testing.T) {
		r, err := Table(ctx, srv.Client(), srv.URL+"/things", Options{
			Auth:   &catalog.Auth{Scheme: "basic", User: "ann", Password: "pw"},
			Header: http.Header{"X-Trace": {"1"}, "X-Session-Id": {"s1"}},
		})
		require.NoError(t, err)
		assert.Equal(t, "Basic "+base64.StdEncoding.EncodeToString([]byte("ann:pw")), got.Header.Get("Authorization"))
		assert.Equal(t, "application/json", got.Header.Get("Accept"))
		assert.Equal(t, "1", got.Header.Get("X-Trace"))
		assert.Equal(t, &catalog.Auth{Scheme: "Basic", User: "${User}", Password: "${Password}"}, r.Auth)
		assert.Equal(t, map[string]string{"X-Trace": "1", "X-Session-Id": "${X_SESSION_ID}"}, r.Headers)
		assert.Equal(t, "Local", r.Catalog)
		assert.Equal(t, "things", r.Name)
		assert.Equal(t, "200 OK", r.Status)
		assert.NotContains(t, string(r.ProfileYAML()), "pw")
		assert.NotContains(t, string(r.YAML()), "s1")
	})
	t.Run("authorization header becomes auth", func(t *testing.T) {
		r, err := Table(ctx, srv.Client(), srv.URL+"/things", Options{Header: http.Header{"Authorization": {"Bearer tok"}, "Accept": {"application/vnd.x+json"}}})
		require.NoError(t, err)
		assert.Equal(t, "Bearer tok", got.Header.Get("Authorization"))
		assert.Equal(t, "application/vnd.x+json", got.Header.Get("Accept"))
		assert.Equal(t, &catalog.Auth{Scheme: "Bearer", Token: "${Token}"}, r.Auth)
		assert.Equal(t, map[string]string{"Accept": "application/vnd.x+json"}, r.Headers)
	})
	t.Run("api key in query", func(t *testing.T) {
		r, err := Table(ctx, srv.Client(), srv.URL+"/things?q=1", Options{Auth: &catalog.Auth{Scheme: "APIKey", Key: "k1", Name: "key", In: "query"}})
		require.NoError(t, err)
		assert.Equal(t, "k1", got.URL.Query().Get("key"))
		assert.Equal(t, map[string]string{"q": "1"}, r.Params)
		assert.Equal(t, &catalog.Auth{Scheme: "APIKey", Key: "${APIKey}", Name: "key", In: "query"}, r.Auth)
	})
	t.Run("row scan depth", func(t *testing.T) {
		r, err := Table(ctx, srv.Client(), srv.URL+"/things", Options{RowScanDepth: 2, Name: "t", Catalog: "C"})
		require.NoError(t, err)
		assert.Len(t, r.Columns, 2, "extra is in row 3 only")
		assert.Equal(t, 3, r.RowCount)
		assert.Equal(t, 2, r.Scanned)
		assert.Equal(t, "t", r.Name)
		assert.Equal(t, "C", r.Catalog)
		r, err = Table(ctx, srv.Client(), srv.URL+"/things", Options{RowScanDepth: -1})
		require.NoError(t, err)
		assert.Len(t, r.Columns, 3)
	})
	errorTests := []struct {
		url  string
		opts Options
		want string
	}{
		{url: srv.URL + "/missing", want: `discover: GET ` + srv.URL + `/missing: 404 Not Found: {"error":"no such thing"}`},
		{url: srv.URL + "/html", want: "the response is not JSON (Content-Type text/html): <html>hello</html>"},
		{url: "ftp://x/y", want: `"ftp://x/y" is not an absolute http or https URL`},
		{url: "/relative", want: "not an absolute http or https URL"},
		{url: srv.URL + "/things?token=abc", opts: Options{Auth: &catalog.Auth{Scheme: "Bearer"}}, want: "auth: Bearer: token is empty"},
	}
	for _, tt := range errorTests {
		_, err := Table(ctx, srv.Client(), tt.url, tt.opts)
		require.Error(t, err, tt.url)
		assert.Contains(t, err.Error(), tt.want)
	}
	ctx2, cancel := context.WithCancel(ctx)
	cancel()
	_, err := Table(ctx2, nil, srv.URL+"/things", Options{})
	require.ErrorIs(t, err, context.Canceled)
}

func TestDisplayURLRedacts(t *testing.T) {
	u, _ := url.Parse("https://ann:pw@x/a?api_key=sekret&q=1")
	s := displayURL(u)
	assert.NotContains(t, s, "sekret")
	assert.NotContains(t, s, "pw")
	assert.Contains(t, s, "q=1")
	r, err := Infer([]byte(`[{"id":1}]`), nil, u.String(), Options{})
	require.NoError(t, err)
	assert.NotContains(t, string(r.YAML()), "sekret")
	assert.NotContains(t, string(r.ProfileYAML()), "sekret")
}

func TestInferErrors(t *testing.T) {
	_, err := Infer([]byte(`{"a":`), nil, "https://x/a", Options{})
	assert.ErrorContains(t, err, "not JSON")
	_, err = Infer([]byte(`[{}]`), nil, "https://x/a", Options{})
	assert.ErrorContains(t, err, "the rows at the body have no fields")
	_, err = Infer([]byte(`{"data":[]}`), nil, "https://x/a", Options{})
	assert.ErrorContains(t, err, "discover: https://x/a: no rows: the array at data is empty")
}

func TestMarshalProfileComments(t *testing.T) {
	col := &catalog.Column{Name: "userId", Type: "int", Filters: map[string]*catalog.Filter{"=": {Param: "userId"}, "IN": {Param: "userId", Repeat: true}}}
	tbl := &catalog.Table{URL: "/users/{id}/posts", Columns: []*catalog.Column{{Name: "id", Type: "int", Key: true}, col},
		Get: &catalog.Get{URL: "/posts/{id}"}}
	other := &catalog.Table{URL: "/x", Columns: []*catalog.Column{{Name: "a"}}}
	p := &catalog.Profile{Catalogs: map[string]*catalog.Catalog{"C": {URL: "${BaseURL}", Schemas: map[string]*catalog.Schema{"API": {Tables: map[string]*catalog.Table{"posts": tbl, "x": other}}}}}}
	out, err := MarshalProfile(p, &Comments{Head: []string{"head"}, Tables: map[*catalog.Table][]string{tbl: {"about posts"}, other: {"about x"}}, Columns: map[*catalog.Column]string{col: "a note"}})
	require.NoError(t, err)
	assert.Equal(t, `# head
catalogs:
  C:
    url: "${BaseURL}"
    schemas:
      API:
        tables:
          # about posts
          posts:
            url: "/users/{id}/posts"
            columns:
              - {name: id, type: int, key: true}
              - name: userId # a note
                type: int
                filters:
                  "=": {param: userId}
                  "IN": {param: userId, repeat: true}
            get: {url: "/posts/{id}"}

          # about x
          x:
            url: /x
            columns:
              - {name: a}
`, string(out))
	_, err = catalog.Parse(out, "")
	require.NoError(t, err)
}
