package restsql

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/icholy/digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/retry/retrytest"
)

// verifyNoLeaks fails t when a goroutine started during the test outlives
// it (checked after every cleanup, servers included).
func verifyNoLeaks(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) })
}

// Every auth scheme set in the DSN, against an API that checks the
// credentials: the rows come back and the API saw what it should.
func TestDSNAuthSchemes(t *testing.T) {
	verifyNoLeaks(t)
	tokens := newTokenEndpoint(t, "csecret-123")
	var pwMu sync.Mutex
	var pwForms []url.Values
	passwordTokens := newCredAPI(t, nil)
	passwordTokens.fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
		_ = r.ParseForm()
		pwMu.Lock()
		pwForms = append(pwForms, r.PostForm)
		pwMu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.PostForm.Get("grant_type") == "password" && r.PostForm.Get("username") == "ann" && r.PostForm.Get("password") == "ann-pw-9":
			_, _ = w.Write([]byte(`{"access_token":"pw-access","token_type":"bearer"}`))
		case r.PostForm.Get("grant_type") == "refresh_token" && r.PostForm.Get("refresh_token") == "rt-9":
			_, _ = w.Write([]byte(`{"access_token":"rt-access","token_type":"bearer"}`))
		default:
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"invalid_grant"}`))
		}
		return true
	}
	digestCheck := func(r *http.Request) bool {
		cred, err := digest.ParseCredentials(r.Header.Get("Authorization"))
		if err != nil || cred.Username != "ann" {
			return false
		}
		want, err := digest.Digest(&digest.Challenge{Realm: "api", Nonce: "n-1", QOP: []string{"auth"}},
			digest.Options{Method: r.Method, URI: cred.URI, Count: cred.Nc, Cnonce: cred.Cnonce, Username: "ann", Password: "dig-pw-7"})
		return err == nil && want.Response == cred.Response
	}
	tests := []struct {
		name  string
		dsn   string
		check func(r *http.Request) bool
		// requests is what the API sees for one query.
		requests int
	}{
		{"basic", "AuthScheme=Basic;User=ann;Password=${Pw}", func(r *http.Request) bool {
			u, p, ok := r.BasicAuth()
			return ok && u == "ann" && p == "basic-pw-5"
		}, 1},
		{"digest", "AuthScheme=Digest;User=ann;Password=dig-pw-7", digestCheck, 2},
		{"bearer", "AuthScheme=Bearer;Token=${Tok}", func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer tok-5" }, 1},
		{"api key header", "AuthScheme=APIKey;APIKey=key-5", func(r *http.Request) bool {
			return r.Header.Get("X-API-Key") == "key-5" && r.URL.RawQuery == ""
		}, 1},
		{"api key query", "AuthScheme=APIKey;APIKey=key-5;APIKeyName=api_key;APIKeyIn=query", func(r *http.Request) bool {
			return r.URL.Query().Get("api_key") == "key-5" && r.Header.Get("X-API-Key") == ""
		}, 1},
		{"oauth2 client credentials", "AuthScheme=OAuth2;OAuthClientId=cid;OAuthClientSecret=${CS};OAuthTokenURL=" + tokens.URL + "/token;OAuthScopes=read", func(r *http.Request) bool {
			return tokens.accepts(r.Header.Get("Authorization"))
		}, 1},
		{"oauth2 password", "AuthScheme=OAuth2;OAuthGrantType=password;User=ann;Password=ann-pw-9;OAuthTokenURL=" + passwordTokens.URL, func(r *http.Request) bool {
			return r.Header.Get("Authorization") == "Bearer pw-access"
		}, 1},
		{"oauth2 refresh token", "AuthScheme=OAuth2;OAuthGrantType=refresh_token;OAuthRefreshToken=rt-9;OAuthTokenURL=" + passwordTokens.URL, func(r *http.Request) bool {
			return r.Header.Get("Authorization") == "Bearer rt-access"
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := newCredAPI(t, func(r *http.Request) bool {
				if tt.name == "digest" && !strings.HasPrefix(r.Header.Get("Authorization"), "Digest ") {
					return false
				}
				return tt.check(r)
			})
			if tt.name == "digest" {
				api.check = nil
				api.fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
					if digestCheck(r) {
						return false
					}
					w.Header().Set("WWW-Authenticate", `Digest realm="api", nonce="n-1", qop="auth"`)
					w.WriteHeader(http.StatusUnauthorized)
					return true
				}
			}
			cfg, err := ParseDSN(tt.dsn + ";defaultCatalog=API;URL=" + api.URL)
			require.NoError(t, err)
			cfg.Lookup = func(name string) (string, bool) {
				v, ok := map[string]string{"Pw": "basic-pw-5", "Tok": "tok-5", "CS": "csecret-123"}[name]
				return v, ok
			}
			cfg.Catalogs = []*catalog.Catalog{itemsCatalog("API", "http://placeholder.invalid", nil)}
			db := openConfig(t, cfg, retrytest.NewClock(time.Now()))
			for range 2 {
				ids, err := queryIDs(t, db, "SELECT id, name FROM items")
				require.NoError(t, err)
				assert.Equal(t, []int64{1, 2}, ids)
			}
			reqs := api.requests()
			// The second query reuses the Digest challenge and the OAuth2 token.
			assert.Len(t, reqs, tt.requests+1)
			last := reqs[len(reqs)-1]
			r := &http.Request{Method: http.MethodGet, Header: last.Header, URL: &url.URL{Path: last.Path, RawQuery: last.Query}}
			assert.True(t, tt.check(r), "the API saw the credentials")
		})
	}
	assert.Len(t, tokens.tokens(), 1, "client credentials: one token for both queries")
	pwMu.Lock()
	assert.Len(t, pwForms, 2, "password and refresh token grants: one token each")
	pwMu.Unlock()
}

// One OAuth2 token serves every connection of a connector.
func TestOAuth2TokenSharedByConnections(t *testing.T) {
	verifyNoLeaks(t)
	tokens := newTokenEndpoint(t, "s-1")
	api := newCredAPI(t, func(r *http.Request) bool { return tokens.accepts(r.Header.Get("Authorization")) })
	cfg, err := ParseDSN("defaultCatalog=API;AuthScheme=OAuth2;OAuthClientId=cid;OAuthClientSecret=s-1;OAuthTokenURL=" + tokens.URL + ";URL=" + api.URL)
	require.NoError(t, err)
	cfg.Catalogs = []*catalog.Catalog{itemsCatalog("API", "http://placeholder.invalid", nil)}
	db := openConfig(t, cfg, nil)
	ctx := context.Background()
	for range 3 {
		c, err := db.Conn(ctx)
		require.NoError(t, err)
		ids, err := queryIDs(t, c, "SELECT id FROM items")
		require.NoError(t, err)
		assert.Equal(t, []int64{1, 2}, ids)
		defer c.Close()
	}
	assert.Len(t, tokens.tokens(), 1)
	assert.Len(t, api.requests(), 3)
}

// MaxRetries from the DSN: its default (3), a value, and 0.
func TestDSNMaxRetries(t *testing.T) {
	verifyNoLeaks(t)
	tests := []struct {
		dsn      string
		failures int
		requests int
		err      string
	}{
		{dsn: "", failures: 3, requests: 4},
		{dsn: "", failures: 9, requests: 4, err: "503 Service Unavailable (gave up after 4 attempts)"},
		{dsn: "MaxRetries=1", failures: 1, requests: 2},
		{dsn: "MaxRetries=1", failures: 2, requests: 2, err: "503 Service Unavailable (gave up after 2 attempts)"},
		{dsn: "MaxRetries=0", failures: 1, requests: 1, err: "503 Service Unavailable"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s failures=%d", tt.dsn, tt.failures), func(t *testing.T) {
			api := newCredAPI(t, nil)
			api.fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
				if n <= tt.failures {
					w.WriteHeader(http.StatusServiceUnavailable)
					return true
				}
				return false
			}
			cfg, err := ParseDSN(tt.dsn)
			require.NoError(t, err)
			cfg.Catalogs = []*catalog.Catalog{itemsCatalog("API", api.URL, nil)}
			clk := retrytest.NewClock(time.Now())
			db := openConfig(t, cfg, clk)
			ids, err := queryIDs(t, db, "SELECT id FROM items")
			if tt.err != "" {
				require.Error(t, err)
				assert.Equal(t, "restsource: GET "+api.URL+"/items: "+tt.err, err.Error())
			} else {
				require.NoError(t, err)
				assert.Equal(t, []int64{1, 2}, ids)
			}
			assert.Len(t, api.requests(), tt.requests)
			assert.Len(t, clk.Sleeps(), tt.requests-1)
		})
	}
}

// RateLimit: one limiter per catalog, shared by all the connections of a
// connector; another catalog has its own.
func TestDSNRateLimitSharedByConnections(t *testing.T) {
	verifyNoLeaks(t)
	a := newCredAPI(t, nil)
	b := newCredAPI(t, nil)
	cfg, err := ParseDSN("RateLimit=4")
	require.NoError(t, err)
	cfg.Catalogs = []*catalog.Catalog{itemsCatalog("A", a.URL, nil), itemsCatalog("B", b.URL, nil)}
	clk := retrytest.NewClock(time.Now())
	db := openConfig(t, cfg, clk)
	ctx := context.Background()
	for range 3 {
		c, err := db.Conn(ctx)
		require.NoError(t, err)
		_, err = queryIDs(t, c, "SELECT id FROM A.S.items")
		require.NoError(t, err)
		require.NoError(t, c.Close())
	}
	_, err = queryIDs(t, db, "SELECT id FROM B.S.items")
	require.NoError(t, err)
	// A: three requests a quarter second apart; B's first goes at once.
	assert.Equal(t, []time.Duration{250 * time.Millisecond, 250 * time.Millisecond}, clk.Sleeps())
	assert.Len(t, a.requests(), 3)
	assert.Len(t, b.requests(), 1)
}

// Closing the DB closes the idle connections of the transport the
// connector made: no goroutine of the client, nor of the server's side of
// the connection, is left while the server still runs.
func TestCloseReleasesConnections(t *testing.T) {
	api := newCredAPI(t, nil)
	ignore := goleak.IgnoreCurrent()
	cfg := NewConfig()
	cfg.Catalogs = []*catalog.Catalog{itemsCatalog("API", api.URL, nil)}
	c, err := NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(c)
	_, err = queryIDs(t, db, "SELECT id FROM items")
	require.NoError(t, err)
	require.NoError(t, db.Close())
	goleak.VerifyNone(t, ignore)
}

// Cancelling a query while a retry waits for a long Retry-After (real
// clock) returns at once with the context's error, and leaves nothing
// running.
func TestCancelDuringRetryWait(t *testing.T) {
	verifyNoLeaks(t)
	seen := make(chan struct{}, 4)
	api := newCredAPI(t, nil)
	api.fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
		w.Header().Set("Retry-After", "100")
		w.WriteHeader(http.StatusServiceUnavailable)
		seen <- struct{}{}
		return true
	}
	cfg := NewConfig()
	cfg.Catalogs = []*catalog.Catalog{itemsCatalog("API", api.URL, nil)}
	db := openConfig(t, cfg, nil)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := db.QueryContext(ctx, "SELECT id FROM items")
		done <- err
	}()
	<-seen
	cancel()
	select {
	case err := <-done:
		require.ErrorIs(t, err, context.Canceled)
	case <-time.After(10 * time.Second):
		t.Fatal("the query did not stop")
	}
	assert.Len(t, api.requests(), 1)
}
