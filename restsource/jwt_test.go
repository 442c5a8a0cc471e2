package restsource

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/auth"
)

const salesforceProfile = `
catalogs:
  Salesforce:
    url: http://login.salesforce.test
    auth:
      scheme: OAuth2
      grantType: jwt_bearer
      tokenURL: "${TokenURL}"
      privateKey: "${SalesforceKey}"
      claims: {iss: "${ClientId}", sub: user@example.com, aud: "https://login.salesforce.com"}
      baseURLFrom: instance_url
    pagination: {type: nextURL, nextPath: nextRecordsUrl, stopPath: done}
    schemas:
      Sales:
        tables:
          accounts:
            url: /services/data/v59.0/query
            params: {q: "SELECT Id, Name FROM Account"}
            rows: records
            columns:
              - {name: Id, key: true}
              - {name: Name}
`

// salesforceOrg is a token endpoint that issues tokens (without
// expires_in) naming the org's instance_url, and the instance's query API:
// it accepts the latest token only, and answers a query in pages linked by
// a relative nextRecordsUrl, with done on the last.
type salesforceOrg struct {
	token, instance *httptest.Server
	mu              sync.Mutex
	issued          int
	valid           string
	seen            []string // "Authorization path?query" of each instance request
}

func newSalesforceOrg(t *testing.T) *salesforceOrg {
	o := &salesforceOrg{}
	o.instance = httptest.NewServer(http.HandlerFunc(o.serveInstance))
	o.token = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		require.NoError(t, r.ParseForm())
		if r.Method != http.MethodPost || r.PostForm.Get("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || strings.Count(r.PostForm.Get("assertion"), ".") != 2 {
			http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
			return
		}
		o.mu.Lock()
		o.issued++
		o.valid = "00Dtoken" + strings.Repeat("x", o.issued)
		tok := o.valid
		o.mu.Unlock()
		writeJSON(w, map[string]string{"access_token": tok, "instance_url": o.instance.URL, "token_type": "Bearer", "scope": "api"})
	}))
	t.Cleanup(o.instance.Close)
	t.Cleanup(o.token.Close)
	return o
}

func (o *salesforceOrg) serveInstance(w http.ResponseWriter, r *http.Request) {
	o.mu.Lock()
	o.seen = append(o.seen, r.Header.Get("Authorization")+" "+r.URL.RequestURI())
	ok := r.Header.Get("Authorization") == "Bearer "+o.valid
	o.mu.Unlock()
	if !ok {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`))
		return
	}
	switch r.URL.Path {
	case "/services/data/v59.0/query":
		if r.URL.Query().Get("q") != "SELECT Id, Name FROM Account" {
			http.Error(w, `[{"errorCode":"MALFORMED_QUERY"}]`, http.StatusBadRequest)
			return
		}
		writeJSON(w, map[string]any{"totalSize": 3, "done": false, "nextRecordsUrl": "/services/data/v59.0/query/01gD0000002HU6KIAW-2",
			"records": []map[string]any{{"attributes": map[string]string{"type": "Account"}, "Id": "001A", "Name": "Acme"}, {"Id": "001B", "Name": "Globex"}}})
	case "/services/data/v59.0/query/01gD0000002HU6KIAW-2":
		writeJSON(w, map[string]any{"totalSize": 3, "done": true, "nextRecordsUrl": "/services/data/v59.0/query/01gD0000002HU6KIAW-4",
			"records": []map[string]any{{"Id": "001C", "Name": "Initech"}}})
	default:
		http.NotFound(w, r)
	}
}

func TestJWTBearerBaseURLFrom(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	require.NoError(t, err)
	der, err := x509.MarshalPKCS8PrivateKey(key)
	require.NoError(t, err)
	org := newSalesforceOrg(t)
	vars := map[string]string{"TokenURL": org.token.URL + "/services/oauth2/token", "ClientId": "3MVG9",
		"SalesforceKey": string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))}
	expand := func(s string) (string, error) {
		for k, v := range vars {
			s = strings.ReplaceAll(s, "${"+k+"}", v)
		}
		return s, nil
	}
	cat, tbl := loadTable(t, salesforceProfile, "Salesforce", "Sales", "accounts")
	a, err := auth.New(cat.Auth, expand)
	require.NoError(t, err)
	s := newSource(t, cat, tbl, Options{Auth: a, Expand: expand})

	rows, _ := scanAll(t, s, Query{Limit: -1})
	assert.Equal(t, [][]any{{"001A", "Acme"}, {"001B", "Globex"}, {"001C", "Initech"}}, rows)
	assert.Equal(t, []string{
		"Bearer 00Dtokenx /services/data/v59.0/query?q=SELECT+Id%2C+Name+FROM+Account",
		"Bearer 00Dtokenx /services/data/v59.0/query/01gD0000002HU6KIAW-2",
	}, org.seen, "every request goes to instance_url, with the token; done stops the walk")

	// The session expires: the 401 gets a new token, and the request is
	// sent again once.
	org.mu.Lock()
	org.valid, org.seen = "revoked", nil
	org.mu.Unlock()
	rows, _ = scanAll(t, s, Query{Limit: -1})
	assert.Len(t, rows, 3)
	assert.Equal(t, []string{
		"Bearer 00Dtokenx /services/data/v59.0/query?q=SELECT+Id%2C+Name+FROM+Account",
		"Bearer 00Dtokenxx /services/data/v59.0/query?q=SELECT+Id%2C+Name+FROM+Account",
		"Bearer 00Dtokenxx /services/data/v59.0/query/01gD0000002HU6KIAW-2",
	}, org.seen)
	assert.Equal(t, 2, org.issued)
}

func TestRebase(t *testing.T) {
	s := &Source{base: mustURL(t, "https://login.example.com/api"), secrets: newSecretNames()}
	s.opts.Auth = fixedBase{mustURL(t, "https://eu7.example.com/v2")}
	for in, want := range map[string]string{
		"https://login.example.com/api/q?x=1": "https://eu7.example.com/v2/q?x=1",
		"https://login.example.com/api":       "https://eu7.example.com/v2",
		"https://login.example.com/api/a%2Fb": "https://eu7.example.com/v2/a%2Fb",
		"https://login.example.com/apix":      "https://login.example.com/apix",
		"https://other.example.com/api/q":     "https://other.example.com/api/q",
		"http://login.example.com/api/q":      "http://login.example.com/api/q",
	} {
		got, err := s.rebase(t.Context(), mustURL(t, in))
		require.NoError(t, err)
		assert.Equal(t, want, got.String(), in)
	}
	assert.True(t, s.credentialHost(mustURL(t, "https://eu7.example.com/x")))
	assert.False(t, s.credentialHost(mustURL(t, "http://eu7.example.com/x")), "never downgraded")

	s.opts.Auth = fixedBase{mustURL(t, "http://eu7.example.com")}
	_, err := s.rebase(t.Context(), mustURL(t, "https://login.example.com/api/q"))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "is not https")
}

type fixedBase struct{ u *url.URL }

func (f fixedBase) Authenticate(*http.Request) error { return nil }

func (f fixedBase) BaseURL(context.Context) (*url.URL, error) { return f.u, nil }
