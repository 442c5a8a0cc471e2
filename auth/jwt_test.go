package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

var (
	testKeyOnce sync.Once
	testKey     *rsa.PrivateKey
)

func rsaKey(t *testing.T) *rsa.PrivateKey {
	t.Helper()
	testKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		testKey = k
	})
	return testKey
}

func pkcs8PEM(t *testing.T, k any) string {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(k)
	require.NoError(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// salesforceToken is Salesforce's OAuth 2.0 JWT bearer flow token
// endpoint: it verifies the assertion's RS256 signature with the connected
// app's certificate (here the public key) and its claims, and answers
// without expires_in, with the org's instance_url.
type salesforceToken struct {
	t        *testing.T
	pub      *rsa.PublicKey
	now      func() time.Time
	instance string
	status   int // answer with this error status when set

	mu      sync.Mutex
	claims  []map[string]any
	headers []map[string]any
	issued  int
}

func (st *salesforceToken) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	fail := func(code, desc string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusBadRequest)
		_ = json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
	}
	if r.Method != http.MethodPost || r.URL.Path != "/services/oauth2/token" {
		http.NotFound(w, r)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/x-www-form-urlencoded" {
		fail("invalid_request", "content type "+ct)
		return
	}
	if err := r.ParseForm(); err != nil {
		fail("invalid_request", err.Error())
		return
	}
	if st.status != 0 {
		fail("invalid_grant", "user hasn't approved this consumer")
		return
	}
	if g := r.PostForm.Get("grant_type"); g != "urn:ietf:params:oauth:grant-type:jwt-bearer" {
		fail("unsupported_grant_type", g)
		return
	}
	parts := strings.Split(r.PostForm.Get("assertion"), ".")
	if len(parts) != 3 {
		fail("invalid_grant", "not a JWT")
		return
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		fail("invalid_grant", "signature encoding")
		return
	}
	sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	if err := rsa.VerifyPKCS1v15(st.pub, crypto.SHA256, sum[:], sig); err != nil {
		fail("invalid_grant", "invalid assertion signature")
		return
	}
	var header, claims map[string]any
	for i, dst := range []*map[string]any{&header, &claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		require.NoError(st.t, err)
		require.NoError(st.t, json.Unmarshal(raw, dst))
	}
	now := st.now().Unix()
	iat, exp := int64(claims["iat"].(float64)), int64(claims["exp"].(float64))
	if iat > now || exp <= now || exp > now+3*60 {
		fail("invalid_grant", "expired authorization code")
		return
	}
	st.mu.Lock()
	st.claims = append(st.claims, claims)
	st.headers = append(st.headers, header)
	st.issued++
	tok := "00Dxx0000001gPL!AR8AQ" + strings.Repeat("x", st.issued)
	st.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{
		"access_token": tok, "scope": "web openid api id", "instance_url": st.instance,
		"id": "https://login.salesforce.com/id/00Dxx0000001gPLEAY/005xx000001SwiUAAS", "token_type": "Bearer",
	})
}

func jwtAuth(tokenURL string) *catalog.Auth {
	return &catalog.Auth{Scheme: "OAuth2", GrantType: "jwt_bearer", TokenURL: tokenURL, PrivateKey: "${SalesforceKey}",
		Claims:      map[string]any{"iss": "${ClientId}", "sub": "user@example.com", "aud": "https://login.salesforce.com"},
		BaseURLFrom: "instance_url"}
}

func TestJWTBearerSalesforce(t *testing.T) {
	key := rsaKey(t)
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	clock := func() time.Time { return now }
	st := &salesforceToken{t: t, pub: &key.PublicKey, now: clock, instance: "https://na85.salesforce.com"}
	srv := httptest.NewServer(st)
	defer srv.Close()
	vars := map[string]string{"SalesforceKey": pkcs8PEM(t, key), "ClientId": "3MVG9lKcPoNINVB"}
	expand := func(s string) (string, error) {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "${"+k+"}", v)
		}
		return s, nil
	}
	a, err := New(jwtAuth(srv.URL+"/services/oauth2/token"), expand, WithClock(clock), WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	assert.Equal(t, "OAuth2 (jwt_bearer)", a.(*OAuth2).String())

	req := httptest.NewRequest(http.MethodGet, "https://na85.salesforce.com/services/data/v59.0/query", nil)
	require.NoError(t, a.Authenticate(req))
	assert.Equal(t, "Bearer 00Dxx0000001gPL!AR8AQx", req.Header.Get("Authorization"))

	require.Len(t, st.claims, 1)
	assert.Equal(t, map[string]any{"alg": "RS256", "typ": "JWT"}, st.headers[0])
	c := st.claims[0]
	assert.Equal(t, "3MVG9lKcPoNINVB", c["iss"])
	assert.Equal(t, "user@example.com", c["sub"])
	assert.Equal(t, "https://login.salesforce.com", c["aud"])
	assert.Equal(t, float64(now.Add(-10*time.Second).Unix()), c["iat"])
	assert.Equal(t, float64(now.Add(-10*time.Second+3*time.Minute).Unix()), c["exp"])
	assert.Len(t, c, 5)

	base, err := a.(BaseURLer).BaseURL(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "https://na85.salesforce.com", base.String())

	// No expires_in: the token is kept, hours later too, until a 401.
	now = now.Add(10 * time.Hour)
	req2 := httptest.NewRequest(http.MethodGet, "https://na85.salesforce.com/x", nil)
	require.NoError(t, a.Authenticate(req2))
	assert.Equal(t, req.Header.Get("Authorization"), req2.Header.Get("Authorization"))
	assert.Equal(t, 1, st.issued)

	again, err := a.(Refresher).Refresh(&http.Response{StatusCode: http.StatusUnauthorized, Request: req2})
	require.NoError(t, err)
	assert.True(t, again)
	req3 := httptest.NewRequest(http.MethodGet, "https://na85.salesforce.com/x", nil)
	require.NoError(t, a.Authenticate(req3))
	assert.Equal(t, "Bearer 00Dxx0000001gPL!AR8AQxx", req3.Header.Get("Authorization"))
	require.Len(t, st.claims, 2)
	assert.Equal(t, float64(now.Add(-10*time.Second).Unix()), st.claims[1]["iat"], "a new assertion for each token request")
}

func TestJWTBearerErrors(t *testing.T) {
	key := rsaKey(t)
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	clock := func() time.Time { return now }
	st := &salesforceToken{t: t, pub: &key.PublicKey, now: clock, instance: "https://na85.salesforce.com"}
	srv := httptest.NewServer(st)
	defer srv.Close()
	tokenURL := srv.URL + "/services/oauth2/token"
	good := pkcs8PEM(t, key)

	t.Run("keys", func(t *testing.T) {
		ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		require.NoError(t, err)
		pkcs1 := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
		for _, k := range []string{good, pkcs1, strings.ReplaceAll(strings.TrimSpace(good), "\n", `\n`)} {
			a := jwtAuth(tokenURL)
			a.PrivateKey = k
			o, err := New(a, nil, WithClock(clock), WithHTTPClient(srv.Client()))
			require.NoError(t, err)
			require.NoError(t, o.Authenticate(httptest.NewRequest(http.MethodGet, "https://na85.salesforce.com/", nil)))
		}
		for k, want := range map[string]string{
			"":              "auth: OAuth2: privateKey is empty",
			"not a key":     "auth: OAuth2: privateKey is not PEM",
			pkcs8PEM(t, ec): "auth: OAuth2: privateKey is a *ecdsa.PrivateKey key, not RSA",
			strings.Replace(good, "PRIVATE KEY", "CERTIFICATE", 2): `auth: OAuth2: privateKey is a PEM "CERTIFICATE" block, not a PRIVATE KEY`,
		} {
			a := jwtAuth(tokenURL)
			a.PrivateKey = k
			_, err := New(a, nil)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
			assert.NotContains(t, err.Error(), "MII", "the key is never shown")
		}
	})

	t.Run("refused", func(t *testing.T) {
		refusing := &salesforceToken{t: t, pub: &key.PublicKey, now: clock, status: http.StatusBadRequest}
		srv := httptest.NewServer(refusing)
		defer srv.Close()
		a := jwtAuth(srv.URL + "/services/oauth2/token")
		a.PrivateKey = good
		o, err := New(a, nil, WithClock(clock))
		require.NoError(t, err)
		err = o.Authenticate(httptest.NewRequest(http.MethodGet, "https://na85.salesforce.com/", nil))
		require.Error(t, err)
		assert.Equal(t, "auth: OAuth2: jwt_bearer token request to "+srv.URL+"/services/oauth2/token: the token endpoint answered 400 Bad Request: invalid_grant: user hasn't approved this consumer", err.Error())
	})

	t.Run("wrong key", func(t *testing.T) {
		other, err := rsa.GenerateKey(rand.Reader, 2048)
		require.NoError(t, err)
		a := jwtAuth(tokenURL)
		a.PrivateKey = pkcs8PEM(t, other)
		o, err := New(a, nil, WithClock(clock))
		require.NoError(t, err)
		err = o.Authenticate(httptest.NewRequest(http.MethodGet, "https://na85.salesforce.com/", nil))
		require.Error(t, err)
		assert.Contains(t, err.Error(), "invalid_grant: invalid assertion signature")
	})

	t.Run("no instance_url", func(t *testing.T) {
		st.instance = ""
		defer func() { st.instance = "https://na85.salesforce.com" }()
		a := jwtAuth(tokenURL)
		a.PrivateKey = good
		o, err := New(a, nil, WithClock(clock))
		require.NoError(t, err)
		_, err = o.(BaseURLer).BaseURL(context.Background())
		require.Error(t, err)
		assert.Contains(t, err.Error(), "the token response has no instance_url (baseURLFrom) string")
	})

	t.Run("claims set by the driver", func(t *testing.T) {
		a := jwtAuth(tokenURL)
		a.PrivateKey = good
		a.Claims["exp"] = 1
		_, err := New(a, nil)
		require.EqualError(t, err, "auth: OAuth2: claims: exp is set by the driver")
	})
}

func TestJWTBearerExpiresIn(t *testing.T) {
	key := rsaKey(t)
	now := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	issued := 0
	// A Google-style token endpoint: expires_in 3600.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		issued++
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"access_token":"ya29.c.b0` + strings.Repeat("x", issued) + `","expires_in":3600,"token_type":"Bearer"}`))
	}))
	defer srv.Close()
	a := &catalog.Auth{Scheme: "OAuth2", GrantType: "jwt_bearer", TokenURL: srv.URL, PrivateKey: pkcs8PEM(t, key),
		Claims: map[string]any{"iss": "sa@project.iam.gserviceaccount.com", "scope": "https://www.googleapis.com/auth/spreadsheets.readonly", "aud": "https://oauth2.googleapis.com/token"}}
	o, err := New(a, nil, WithClock(func() time.Time { return now }))
	require.NoError(t, err)
	send := func() string {
		req := httptest.NewRequest(http.MethodGet, "https://sheets.googleapis.com/v4/spreadsheets/x", nil)
		require.NoError(t, o.Authenticate(req))
		return req.Header.Get("Authorization")
	}
	assert.Equal(t, "Bearer ya29.c.b0x", send())
	now = now.Add(30 * time.Minute)
	assert.Equal(t, "Bearer ya29.c.b0x", send())
	now = now.Add(31 * time.Minute)
	assert.Equal(t, "Bearer ya29.c.b0xx", send(), "renewed once expired")
	base, err := o.(BaseURLer).BaseURL(context.Background())
	require.NoError(t, err)
	assert.Nil(t, base, "no baseURLFrom: the catalog's url")
}
