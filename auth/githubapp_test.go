package auth

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// githubApp is GitHub's POST /app/installations/{installation_id}/access_tokens
// as its docs describe it: the request's bearer is a JWT signed RS256 with
// the app's private key, whose iss is the app's client ID (or app ID), iat
// at most 60 seconds in the future of the server's clock and exp at most
// ten minutes ahead; it answers 201 with the installation token and its
// expires_at (an hour on), or 401 with a message.
type githubApp struct {
	t      *testing.T
	pub    *rsa.PublicKey
	now    func() time.Time
	issuer string

	mu     sync.Mutex
	claims []map[string]any
	seen   []*http.Request
	issued int
}

func (g *githubApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(msg string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
	}
	g.mu.Lock()
	g.seen = append(g.seen, r.Clone(r.Context()))
	g.mu.Unlock()
	if r.Method != http.MethodPost || r.URL.Path != "/app/installations/42/access_tokens" {
		http.NotFound(w, r)
		return
	}
	jwt, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	parts := strings.Split(jwt, ".")
	if !ok || len(parts) != 3 {
		fail("A JSON web token could not be decoded")
		return
	}
	sig, _ := base64.RawURLEncoding.DecodeString(parts[2])
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if rsa.VerifyPKCS1v15(g.pub, crypto.SHA256, sum[:], sig) != nil {
		fail("A JSON web token could not be decoded")
		return
	}
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(g.t, err)
		require.NoError(g.t, json.Unmarshal(raw, dst))
	}
	now := g.now().Unix()
	iat, exp := int64(claims["iat"].(float64)), int64(claims["exp"].(float64))
	switch {
	case header["alg"] != "RS256":
		fail("'alg' must be RS256")
		return
	case claims["iss"] != g.issuer:
		fail("'Issuer' claim ('iss') must be an Integer or a Client ID")
		return
	case iat > now+60:
		fail("'Issued at' claim ('iat') must be an Integer representing a time in the past.")
		return
	case exp <= now || exp > now+600:
		fail("'Expiration time' claim ('exp') is too far in the future")
		return
	}
	g.mu.Lock()
	g.claims = append(g.claims, claims)
	g.issued++
	tok := "ghs_16C7e42F292c6912E7710c838347Ae178B4a" + strconv.Itoa(g.issued)
	g.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"token": tok, "expires_at": g.now().Add(time.Hour).UTC().Format(time.RFC3339),
		"permissions": map[string]string{"issues": "read", "contents": "read"}, "repository_selection": "all",
	})
}

func TestGitHubAppInstallationToken(t *testing.T) {
	key := rsaKey(t)
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	clock := func() time.Time { return now }
	gh := &githubApp{t: t, pub: &key.PublicKey, now: clock, issuer: "Iv23liABCDEF"}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	vars := map[string]string{"AppKey": pkcs8PEM(t, key), "AppClientID": "Iv23liABCDEF", "InstallationID": "42"}
	expand := func(s string) (string, error) {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "${"+k+"}", v)
		}
		return s, nil
	}
	a := &catalog.Auth{Scheme: "OAuth2", GrantType: "github_app", ClientID: "${AppClientID}", PrivateKey: "${AppKey}",
		TokenURL: srv.URL + "/app/installations/${InstallationID}/access_tokens"}
	o, err := New(a, expand, WithClock(clock), WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	assert.Equal(t, "OAuth2 (github_app)", o.(*OAuth2).String())
	send := func() string {
		req := httptest.NewRequest(http.MethodGet, "https://api.github.com/repos/o/r/issues", nil)
		require.NoError(t, o.Authenticate(req))
		return req.Header.Get("Authorization")
	}

	assert.Equal(t, "Bearer ghs_16C7e42F292c6912E7710c838347Ae178B4a1", send())
	require.Len(t, gh.seen, 1)
	ex := gh.seen[0]
	assert.Equal(t, http.MethodPost, ex.Method)
	assert.Equal(t, "application/vnd.github+json", ex.Header.Get("Accept"))
	assert.Equal(t, "2022-11-28", ex.Header.Get("X-GitHub-Api-Version"))
	c := gh.claims[0]
	assert.Equal(t, map[string]any{"iss": "Iv23liABCDEF", "iat": float64(now.Add(-time.Minute).Unix()), "exp": float64(now.Add(9 * time.Minute).Unix())}, c)

	// Cached until it nears its expires_at, then exchanged again with a
	// new JWT.
	now = now.Add(59 * time.Minute)
	assert.Equal(t, "Bearer ghs_16C7e42F292c6912E7710c838347Ae178B4a1", send())
	assert.Equal(t, 1, gh.issued)
	now = now.Add(55 * time.Second)
	assert.Equal(t, "Bearer ghs_16C7e42F292c6912E7710c838347Ae178B4a2", send(), "renewed within the margin before expires_at")
	require.Len(t, gh.claims, 2)
	assert.Equal(t, float64(now.Add(-time.Minute).Unix()), gh.claims[1]["iat"])

	// A 401 with the token drops it.
	req := httptest.NewRequest(http.MethodGet, "https://api.github.com/x", nil)
	require.NoError(t, o.Authenticate(req))
	again, err := o.(Refresher).Refresh(&http.Response{StatusCode: http.StatusUnauthorized, Request: req})
	require.NoError(t, err)
	assert.True(t, again)
	assert.Equal(t, "Bearer ghs_16C7e42F292c6912E7710c838347Ae178B4a3", send())
}

func TestGitHubAppErrors(t *testing.T) {
	key := rsaKey(t)
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	clock := func() time.Time { return now }
	gh := &githubApp{t: t, pub: &key.PublicKey, now: clock, issuer: "12345"}
	srv := httptest.NewServer(gh)
	defer srv.Close()
	app := func() *catalog.Auth {
		return &catalog.Auth{Scheme: "OAuth2", GrantType: "github_app", ClientID: "12345", PrivateKey: pkcs8PEM(t, key),
			TokenURL: srv.URL + "/app/installations/42/access_tokens"}
	}

	wrong := app()
	wrong.ClientID = "999"
	o, err := New(wrong, nil, WithClock(clock))
	require.NoError(t, err)
	err = o.Authenticate(httptest.NewRequest(http.MethodGet, "https://api.github.com/", nil))
	require.EqualError(t, err, "auth: OAuth2: github_app token request to "+srv.URL+"/app/installations/42/access_tokens: the token endpoint answered 401 Unauthorized: 'Issuer' claim ('iss') must be an Integer or a Client ID")

	other, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	bad := app()
	bad.PrivateKey = pkcs8PEM(t, other)
	o, err = New(bad, nil, WithClock(clock))
	require.NoError(t, err)
	err = o.Authenticate(httptest.NewRequest(http.MethodGet, "https://api.github.com/", nil))
	require.ErrorContains(t, err, "401 Unauthorized: A JSON web token could not be decoded")

	noID := app()
	noID.ClientID = ""
	_, err = New(noID, nil)
	require.EqualError(t, err, "auth: OAuth2: clientId is empty (the github_app grant signs its JWT with the app's client ID or app ID as issuer)")
	iss := app()
	iss.Claims = map[string]any{"iss": "x"}
	_, err = New(iss, nil)
	require.EqualError(t, err, "auth: OAuth2: claims: iss is set by the driver")

	// An installation token is only for its installation: a 404 (another
	// app's installation) says so.
	missing := app()
	missing.TokenURL = srv.URL + "/app/installations/7/access_tokens"
	o, err = New(missing, nil, WithClock(clock))
	require.NoError(t, err)
	err = o.Authenticate(httptest.NewRequest(http.MethodGet, "https://api.github.com/", nil))
	require.ErrorContains(t, err, "the token endpoint answered 404 Not Found")
}
