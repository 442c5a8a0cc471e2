package auth

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// secrets is a tiny ${Name} resolver for the tests.
func secrets(m map[string]string) func(string) (string, error) {
	return func(s string) (string, error) {
		if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") {
			return s, nil
		}
		name := s[2 : len(s)-1]
		v, ok := m[name]
		if !ok {
			return "", fmt.Errorf("unresolved placeholder ${%s}", name)
		}
		return v, nil
	}
}

// seen is what a test server received.
type seen struct {
	header http.Header
	query  string
}

// checkingServer accepts a request only when check says so; it records
// every request.
func checkingServer(t *testing.T, check func(r *http.Request) bool) (*httptest.Server, *[]seen) {
	t.Helper()
	var got []seen
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, seen{header: r.Header.Clone(), query: r.URL.RawQuery})
		if !check(r) {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	return srv, &got
}

func do(t *testing.T, a Authenticator, rawURL string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	require.NoError(t, err)
	require.NoError(t, a.Authenticate(req))
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp
}

func TestSchemesAgainstServer(t *testing.T) {
	env := secrets(map[string]string{"User": "ann", "Password": "s3cret:x", "Token": "tok-123", "Key": "k&=y"})
	tests := []struct {
		name  string
		auth  *catalog.Auth
		check func(r *http.Request) bool
		query string // the raw query the server must see
	}{
		{
			name: "basic",
			auth: &catalog.Auth{Scheme: "Basic", User: "${User}", Password: "${Password}"},
			check: func(r *http.Request) bool {
				u, p, ok := r.BasicAuth()
				return ok && u == "ann" && p == "s3cret:x"
			},
		},
		{
			name: "basic lower-case scheme, empty password",
			auth: &catalog.Auth{Scheme: "basic", User: "ann"},
			check: func(r *http.Request) bool {
				u, p, ok := r.BasicAuth()
				return ok && u == "ann" && p == ""
			},
		},
		{
			name:  "bearer",
			auth:  &catalog.Auth{Scheme: "BEARER", Token: "${Token}"},
			check: func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer tok-123" },
		},
		{
			name: "api key default header",
			auth: &catalog.Auth{Scheme: "APIKey", Key: "${Key}"},
			check: func(r *http.Request) bool {
				return r.Header.Get("X-API-Key") == "k&=y" && r.Header.Get("Authorization") == ""
			},
		},
		{
			name:  "api key named header",
			auth:  &catalog.Auth{Scheme: "apikey", Key: "abc", Name: "x-token", In: "Header"},
			check: func(r *http.Request) bool { return r.Header.Get("X-Token") == "abc" },
		},
		{
			name:  "api key query",
			auth:  &catalog.Auth{Scheme: "APIKey", Key: "${Key}", Name: "api_key", In: "query"},
			check: func(r *http.Request) bool { return r.URL.Query().Get("api_key") == "k&=y" },
			query: "a=1&b=2&api_key=k%26%3Dy",
		},
		{
			name:  "api key query replaces an echoed key",
			auth:  &catalog.Auth{Scheme: "APIKey", Key: "abc", Name: "api_key", In: "QUERY"},
			check: func(r *http.Request) bool { return r.URL.Query()["api_key"][0] == "abc" },
			query: "a=1&b=2&api_key=abc",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.auth, env)
			require.NoError(t, err)
			srv, got := checkingServer(t, tt.check)
			rawURL := srv.URL + "/posts?a=1&b=2"
			if strings.Contains(tt.name, "echoed") {
				rawURL = srv.URL + "/posts?a=1&api_key=old&b=2&api_key=older"
			}
			resp := do(t, a, rawURL)
			assert.Equal(t, http.StatusOK, resp.StatusCode)
			require.Len(t, *got, 1)
			if tt.query != "" {
				assert.Equal(t, tt.query, (*got)[0].query)
			}
		})
	}
}

func TestWrongCredentialsAreRejected(t *testing.T) {
	srv, got := checkingServer(t, func(r *http.Request) bool {
		u, p, ok := r.BasicAuth()
		return ok && u == "ann" && p == "right"
	})
	a, err := New(&catalog.Auth{Scheme: "Basic", User: "ann", Password: "wrong"}, nil)
	require.NoError(t, err)
	assert.Equal(t, http.StatusUnauthorized, do(t, a, srv.URL).StatusCode)
	require.Len(t, *got, 1)
}

func TestNoneSendsNothing(t *testing.T) {
	for _, a := range []*catalog.Auth{nil, {}, {Scheme: "none"}, {Scheme: " None "}} {
		au, err := New(a, nil)
		require.NoError(t, err)
		srv, got := checkingServer(t, func(r *http.Request) bool {
			return r.Header.Get("Authorization") == "" && r.Header.Get("X-API-Key") == ""
		})
		assert.Equal(t, http.StatusOK, do(t, au, srv.URL+"/x?q=1").StatusCode)
		require.Len(t, *got, 1)
		assert.Equal(t, "q=1", (*got)[0].query)
	}
}

func TestNewErrors(t *testing.T) {
	env := secrets(map[string]string{"Secret": "hunter2"})
	tests := []struct {
		name string
		auth *catalog.Auth
		want string
	}{
		{name: "digest unresolved password", auth: &catalog.Auth{Scheme: "Digest", User: "u", Password: "${Missing}"}, want: "auth: Digest password: unresolved placeholder ${Missing}"},
		{name: "digest empty user", auth: &catalog.Auth{Scheme: "digest", Password: "${Secret}"}, want: "auth: Digest: user is empty"},
		{name: "oauth2 no token url", auth: &catalog.Auth{Scheme: "oauth2", ClientID: "x", ClientSecret: "${Secret}"}, want: "auth: OAuth2: tokenURL is empty"},
		{name: "oauth2 relative token url", auth: &catalog.Auth{Scheme: "OAuth2", ClientID: "x", TokenURL: "/token?k=${Secret}"}, want: "auth: OAuth2: tokenURL is not an absolute http or https URL"},
		{name: "oauth2 no client id", auth: &catalog.Auth{Scheme: "OAuth2", TokenURL: "https://a/token"}, want: "auth: OAuth2: clientId is empty (the client_credentials grant needs it)"},
		{name: "oauth2 unresolved secret", auth: &catalog.Auth{Scheme: "OAuth2", ClientID: "x", ClientSecret: "${Nope}", TokenURL: "https://a/token"}, want: "auth: OAuth2 clientSecret: unresolved placeholder ${Nope}"},
		{name: "oauth2 password grant without user", auth: &catalog.Auth{Scheme: "OAuth2", GrantType: "password", TokenURL: "https://a/token", Password: "${Secret}"}, want: "auth: OAuth2: user is empty (the password grant needs it)"},
		{name: "oauth2 refresh grant without token", auth: &catalog.Auth{Scheme: "OAuth2", GrantType: "refresh_token", TokenURL: "https://a/token"}, want: "auth: OAuth2: refreshToken is empty (the refresh_token grant needs it)"},
		{name: "oauth2 unknown grant", auth: &catalog.Auth{Scheme: "OAuth2", GrantType: "implicit", TokenURL: "https://a/token"}, want: `auth: OAuth2: grantType "implicit" is none of client_credentials, password, refresh_token, jwt_bearer, github_app`},
		{name: "unknown", auth: &catalog.Auth{Scheme: "Kerberos"}, want: `auth: unknown scheme "Kerberos" (known schemes: None, Basic, Digest, Bearer, APIKey, OAuth2)`},
		{name: "no scheme with values", auth: &catalog.Auth{Token: "${Secret}"}, want: "auth: no scheme given for the credentials (known schemes: None, Basic, Digest, Bearer, APIKey, OAuth2)"},
		{name: "basic unresolved password", auth: &catalog.Auth{Scheme: "Basic", User: "u", Password: "${Missing}"}, want: "auth: Basic password: unresolved placeholder ${Missing}"},
		{name: "basic unresolved user", auth: &catalog.Auth{Scheme: "basic", User: "${Nope}"}, want: "auth: Basic user: unresolved placeholder ${Nope}"},
		{name: "basic empty user", auth: &catalog.Auth{Scheme: "Basic", Password: "${Secret}"}, want: "auth: Basic: user is empty"},
		{name: "bearer empty", auth: &catalog.Auth{Scheme: "Bearer"}, want: "auth: Bearer: token is empty"},
		{name: "bearer unresolved", auth: &catalog.Auth{Scheme: "Bearer", Token: "${Tok}"}, want: "auth: Bearer token: unresolved placeholder ${Tok}"},
		{name: "apikey empty", auth: &catalog.Auth{Scheme: "APIKey", Name: "k"}, want: "auth: APIKey: key is empty"},
		{name: "apikey bad in", auth: &catalog.Auth{Scheme: "APIKey", Key: "${Secret}", In: "cookie"}, want: `auth: APIKey: in "cookie" is neither header nor query`},
		{name: "apikey bad header name", auth: &catalog.Auth{Scheme: "APIKey", Key: "${Secret}", Name: "X Key"}, want: `auth: APIKey: name "X Key" is not a valid header name`},
		{name: "apikey unresolved key", auth: &catalog.Auth{Scheme: "APIKey", Key: "${K}"}, want: "auth: APIKey key: unresolved placeholder ${K}"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := New(tt.auth, env)
			require.Error(t, err)
			assert.Nil(t, a)
			assert.Equal(t, tt.want, err.Error())
			assert.NotContains(t, err.Error(), "hunter2")
		})
	}
}

func TestExpandErrorIsWrapped(t *testing.T) {
	cause := errors.New("secrets file unreadable")
	_, err := New(&catalog.Auth{Scheme: "Bearer", Token: "${T}"}, func(string) (string, error) { return "", cause })
	require.ErrorIs(t, err, cause)
}

func TestFormattingNeverShowsSecrets(t *testing.T) {
	for _, a := range []*catalog.Auth{
		{Scheme: "Basic", User: "ann", Password: "hunter2"},
		{Scheme: "Bearer", Token: "hunter2"},
		{Scheme: "APIKey", Key: "hunter2", Name: "key", In: "query"},
		{Scheme: "Digest", User: "ann", Password: "hunter2"},
		{Scheme: "OAuth2", ClientID: "c", ClientSecret: "hunter2", TokenURL: "https://a/token"},
		{Scheme: "OAuth2", GrantType: "refresh_token", RefreshToken: "hunter2", TokenURL: "https://a/token"},
	} {
		au, err := New(a, nil)
		require.NoError(t, err)
		for _, verb := range []string{"%v", "%+v", "%s", "%#v"} {
			assert.NotContains(t, fmt.Sprintf(verb, au), "hunter2", verb)
		}
	}
}

func TestSetQueryParam(t *testing.T) {
	tests := []struct{ raw, want string }{
		{"", "k=v%20w"},
		{"a=1", "a=1&k=v%20w"},
		{"k=old", "k=v%20w"},
		{"a=1&k=old&b=2&k", "a=1&b=2&k=v%20w"},
		{"a=1&&b", "a=1&b&k=v%20w"},
		{"%zz=1", "%zz=1&k=v%20w"},
	}
	for _, tt := range tests {
		got := setQueryParam(tt.raw, "k", "v w")
		assert.Equal(t, strings.ReplaceAll(tt.want, "%20", "+"), got, tt.raw)
	}
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }
