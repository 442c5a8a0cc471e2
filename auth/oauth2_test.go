package auth

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// tokenServer is an OAuth2 token endpoint and an API that accepts the
// tokens it issued (until revoked). It counts token requests and records
// their forms.
type tokenServer struct {
	t      *testing.T
	tokens *httptest.Server
	api    *httptest.Server

	mu        sync.Mutex
	forms     []url.Values
	basic     []string // client id of the Basic header of each token request
	issued    int
	valid     map[string]bool
	refresh   string // the refresh token the server accepts
	expiresIn int
	apiAuth   []string
	// refuseRefresh makes refresh_token grants fail with invalid_grant.
	refuseRefresh bool
	// block, when set, holds token requests until the request ends.
	block bool
}

func newTokenServer(t *testing.T, expiresIn int) *tokenServer {
	t.Helper()
	ts := &tokenServer{t: t, valid: map[string]bool{}, refresh: "rt-0", expiresIn: expiresIn}
	ts.tokens = httptest.NewServer(http.HandlerFunc(ts.serveToken))
	ts.api = httptest.NewServer(http.HandlerFunc(ts.serveAPI))
	t.Cleanup(ts.api.Close)
	t.Cleanup(ts.tokens.Close)
	return ts
}

func (ts *tokenServer) serveToken(w http.ResponseWriter, r *http.Request) {
	if ts.block {
		<-r.Context().Done()
		return
	}
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.forms = append(ts.forms, r.PostForm)
	id, secret, _ := r.BasicAuth()
	ts.basic = append(ts.basic, id)
	fail := func(code int, e string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(code)
		_, _ = fmt.Fprintf(w, `{"error":%q,"error_description":"refused"}`, e)
	}
	switch r.PostForm.Get("grant_type") {
	case "client_credentials":
		if id != "client-1" || secret != "s3cret-client" {
			fail(http.StatusUnauthorized, "invalid_client")
			return
		}
	case "password":
		if r.PostForm.Get("username") != "ann" || r.PostForm.Get("password") != "ann-pw-123" {
			fail(http.StatusBadRequest, "invalid_grant")
			return
		}
	case "refresh_token":
		if ts.refuseRefresh || r.PostForm.Get("refresh_token") != ts.refresh {
			fail(http.StatusBadRequest, "invalid_grant")
			return
		}
	default:
		fail(http.StatusBadRequest, "unsupported_grant_type")
		return
	}
	ts.issued++
	tok := fmt.Sprintf("access-%d", ts.issued)
	ts.valid[tok] = true
	ts.refresh = fmt.Sprintf("rt-%d", ts.issued)
	resp := map[string]any{"access_token": tok, "token_type": "bearer", "refresh_token": ts.refresh}
	if ts.expiresIn > 0 {
		resp["expires_in"] = ts.expiresIn
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(resp)
}

func (ts *tokenServer) serveAPI(w http.ResponseWriter, r *http.Request) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	h := r.Header.Get("Authorization")
	ts.apiAuth = append(ts.apiAuth, h)
	if !ts.valid[strings.TrimPrefix(h, "Bearer ")] {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	_, _ = w.Write([]byte(`[]`))
}

func (ts *tokenServer) revokeAll() {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.valid = map[string]bool{}
}

func (ts *tokenServer) tokenRequests() []url.Values {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]url.Values(nil), ts.forms...)
}

func (ts *tokenServer) apiRequests() []string {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]string(nil), ts.apiAuth...)
}

func (ts *tokenServer) get(t *testing.T, a Authenticator) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, ts.api.URL+"/items", nil)
	require.NoError(t, err)
	resp, err := Do(nil, a, req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return resp.StatusCode
}

// clock is a settable clock for token expiry.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestOAuth2Grants(t *testing.T) {
	env := secrets(map[string]string{"Secret": "s3cret-client", "Pw": "ann-pw-123", "RT": "rt-0"})
	tests := []struct {
		name string
		auth func(tokenURL string) *catalog.Auth
		// form checks the first token request.
		form url.Values
		// basic is the client id of the first token request's Basic header.
		basic string
		// refreshGrant is the grant_type of the request after expiry.
		refreshGrant string
	}{
		{
			name: "client credentials",
			auth: func(u string) *catalog.Auth {
				return &catalog.Auth{Scheme: "OAuth2", ClientID: "client-1", ClientSecret: "${Secret}", TokenURL: u, Scopes: []string{"read", "write"}}
			},
			form:         url.Values{"grant_type": {"client_credentials"}, "scope": {"read write"}},
			basic:        "client-1",
			refreshGrant: "client_credentials",
		},
		{
			name: "password",
			auth: func(u string) *catalog.Auth {
				return &catalog.Auth{Scheme: "OAuth2", GrantType: "password", ClientID: "client-1", ClientSecret: "${Secret}", User: "ann", Password: "${Pw}", TokenURL: u}
			},
			form:         url.Values{"grant_type": {"password"}, "username": {"ann"}, "password": {"ann-pw-123"}},
			basic:        "client-1",
			refreshGrant: "refresh_token",
		},
		{
			name: "refresh token",
			auth: func(u string) *catalog.Auth {
				return &catalog.Auth{Scheme: "OAuth2", GrantType: "Refresh_Token", ClientID: "client-1", RefreshToken: "${RT}", TokenURL: u}
			},
			form:         url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"rt-0"}},
			basic:        "client-1",
			refreshGrant: "refresh_token",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ts := newTokenServer(t, 3600)
			clk := &clock{now: time.Now()}
			var observed []string
			var mu sync.Mutex
			a, err := New(tt.auth(ts.tokens.URL+"/oauth/token"), env, WithClock(clk.Now), WithSecretObserver(func(s string) {
				mu.Lock()
				observed = append(observed, s)
				mu.Unlock()
			}))
			require.NoError(t, err)

			// Cached: five requests, one token request.
			for range 5 {
				assert.Equal(t, http.StatusOK, ts.get(t, a))
			}
			forms := ts.tokenRequests()
			require.Len(t, forms, 1)
			for k, v := range tt.form {
				assert.Equal(t, v, forms[0][k], k)
			}
			assert.Equal(t, tt.basic, ts.basic[0])
			assert.Equal(t, []string{"Bearer access-1", "Bearer access-1", "Bearer access-1", "Bearer access-1", "Bearer access-1"}, ts.apiRequests())

			// Expiry: renewed once, within the margin before it expires.
			clk.advance(3600*time.Second - 5*time.Second)
			for range 3 {
				assert.Equal(t, http.StatusOK, ts.get(t, a))
			}
			forms = ts.tokenRequests()
			require.Len(t, forms, 2)
			assert.Equal(t, tt.refreshGrant, forms[1].Get("grant_type"))
			if tt.refreshGrant == "refresh_token" {
				assert.Equal(t, "rt-1", forms[1].Get("refresh_token"), "the rotated refresh token")
			}

			// A 401: the token is renewed once and the request sent again.
			ts.revokeAll()
			assert.Equal(t, http.StatusOK, ts.get(t, a))
			require.Len(t, ts.tokenRequests(), 3)
			api := ts.apiRequests()
			assert.Equal(t, []string{"Bearer access-2", "Bearer access-3"}, api[len(api)-2:])

			mu.Lock()
			assert.Contains(t, observed, "access-1")
			assert.Contains(t, observed, "access-3")
			mu.Unlock()
		})
	}
}

// Many requests at once share one token request.
func TestOAuth2ConcurrentRequestsShareOneToken(t *testing.T) {
	ts := newTokenServer(t, 0)
	a, err := New(&catalog.Auth{Scheme: "OAuth2", ClientID: "client-1", ClientSecret: "s3cret-client", TokenURL: ts.tokens.URL}, nil)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			req, _ := http.NewRequest(http.MethodGet, ts.api.URL, nil)
			assert.NoError(t, a.Authenticate(req))
			assert.Equal(t, "Bearer access-1", req.Header.Get("Authorization"))
		})
	}
	wg.Wait()
	assert.Len(t, ts.tokenRequests(), 1)
}

// A token without expires_in never expires: only a 401 renews it.
func TestOAuth2NoExpiry(t *testing.T) {
	ts := newTokenServer(t, 0)
	clk := &clock{now: time.Now()}
	a, err := New(&catalog.Auth{Scheme: "OAuth2", ClientID: "client-1", ClientSecret: "s3cret-client", TokenURL: ts.tokens.URL}, nil, WithClock(clk.Now))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, ts.get(t, a))
	clk.advance(1000 * time.Hour)
	assert.Equal(t, http.StatusOK, ts.get(t, a))
	assert.Len(t, ts.tokenRequests(), 1)
}

// A 401 that a new token does not fix ends in the 401, after one renewal.
func TestOAuth2RefusedTwice(t *testing.T) {
	ts := newTokenServer(t, 0)
	a, err := New(&catalog.Auth{Scheme: "OAuth2", ClientID: "client-1", ClientSecret: "s3cret-client", TokenURL: ts.tokens.URL}, nil)
	require.NoError(t, err)
	refuser := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusUnauthorized) }))
	defer refuser.Close()
	req, _ := http.NewRequest(http.MethodGet, refuser.URL, nil)
	resp, err := Do(nil, a, req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.Len(t, ts.tokenRequests(), 2)
}

// The password grant falls back to the password when the refresh token is
// refused.
func TestOAuth2PasswordFallsBackWhenRefreshIsRefused(t *testing.T) {
	ts := newTokenServer(t, 60)
	clk := &clock{now: time.Now()}
	a, err := New(&catalog.Auth{Scheme: "OAuth2", GrantType: "password", User: "ann", Password: "ann-pw-123", TokenURL: ts.tokens.URL}, nil, WithClock(clk.Now))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, ts.get(t, a))
	ts.mu.Lock()
	ts.refuseRefresh = true
	ts.mu.Unlock()
	clk.advance(time.Hour)
	assert.Equal(t, http.StatusOK, ts.get(t, a))
	var grants []string
	for _, f := range ts.tokenRequests() {
		grants = append(grants, f.Get("grant_type"))
	}
	assert.Equal(t, []string{"password", "refresh_token", "password"}, grants)
}

func TestOAuth2Errors(t *testing.T) {
	ts := newTokenServer(t, 0)
	a, err := New(&catalog.Auth{Scheme: "OAuth2", ClientID: "client-1", ClientSecret: "wrong-secret-value", TokenURL: ts.tokens.URL + "/token?tenant=x"}, nil)
	require.NoError(t, err)
	req, _ := http.NewRequest(http.MethodGet, ts.api.URL, nil)
	err = a.Authenticate(req)
	require.Error(t, err)
	assert.Equal(t, fmt.Sprintf("auth: OAuth2: client_credentials token request to %s/token?…: the token endpoint answered 401 Unauthorized: invalid_client: refused", ts.tokens.URL), err.Error())
	assert.NotContains(t, err.Error(), "wrong-secret-value")
	assert.Empty(t, req.Header.Get("Authorization"))

	// An endpoint that answers without a token.
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"token_type":"bearer"}`))
	}))
	defer empty.Close()
	a, err = New(&catalog.Auth{Scheme: "OAuth2", ClientID: "c", TokenURL: empty.URL}, nil)
	require.NoError(t, err)
	require.Error(t, a.Authenticate(req))
}

// Cancelling the request's context stops a token request that hangs, and
// the next request can still get a token.
func TestOAuth2TokenRequestStopsWithTheContext(t *testing.T) {
	ts := newTokenServer(t, 0)
	ts.block = true
	a, err := New(&catalog.Auth{Scheme: "OAuth2", ClientID: "client-1", ClientSecret: "s3cret-client", TokenURL: ts.tokens.URL}, nil)
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 2)
	for range 2 { // one fetches, one waits for the lock
		go func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.api.URL, nil)
			done <- a.Authenticate(req)
		}()
	}
	cancel()
	for range 2 {
		select {
		case err := <-done:
			require.ErrorIs(t, err, context.Canceled)
		case <-time.After(10 * time.Second):
			t.Fatal("Authenticate did not stop with its context")
		}
	}
}
