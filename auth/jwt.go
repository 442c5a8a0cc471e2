package auth

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// GrantJWTBearer is the OAuth2 grant of RFC 7523: the driver signs a JWT
// with the profile's private key and claims and exchanges it at the token
// endpoint for an access token (Salesforce's JWT bearer flow, Google
// service accounts).
const GrantJWTBearer = "jwt_bearer"

// jwtBearerGrant is the grant_type value of RFC 7523 section 2.1.
const jwtBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// Lifetime of an assertion: iat is jwtSkew before now, for a server whose
// clock is a little behind, and exp jwtLifetime after iat. Salesforce
// wants exp within 3 minutes, GitHub within 10, Google within an hour.
const (
	jwtSkew     = 10 * time.Second
	jwtLifetime = 3 * time.Minute
)

// maxTokenResponse bounds the body of a token response that is read.
const maxTokenResponse = 1 << 20

// parseRSAKey reads a PEM RSA private key: PKCS#8 ("PRIVATE KEY") or
// PKCS#1 ("RSA PRIVATE KEY"). A key whose line breaks were written as \n
// (as in an environment variable or a JSON key file) is read too.
func parseRSAKey(s string) (*rsa.PrivateKey, error) {
	s = strings.TrimSpace(s)
	if !strings.Contains(s, "\n") && strings.Contains(s, `\n`) {
		s = strings.ReplaceAll(s, `\n`, "\n")
	}
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, errors.New("privateKey is not PEM (want -----BEGIN PRIVATE KEY----- …)")
	}
	switch block.Type {
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("privateKey: %w", err)
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("privateKey is a %T key, not RSA (the assertion is signed RS256)", k)
		}
		return rk, nil
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("privateKey: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("privateKey is a PEM %q block, not a PRIVATE KEY", block.Type)
}

// signJWT returns the compact RS256 JWT of claims plus iat and exp.
func signJWT(key *rsa.PrivateKey, claims map[string]any, now time.Time) (string, error) {
	iat := now.Add(-jwtSkew)
	return signJWTWindow(key, claims, iat, iat.Add(jwtLifetime))
}

// signJWTWindow returns the compact RS256 JWT of claims plus iat and exp.
func signJWTWindow(key *rsa.PrivateKey, claims map[string]any, iat, exp time.Time) (string, error) {
	payload := make(map[string]any, len(claims)+2)
	for k, v := range claims {
		payload[k] = v
	}
	payload["iat"] = iat.Unix()
	payload["exp"] = exp.Unix()
	header, err := json.Marshal(map[string]string{"alg": "RS256", "typ": "JWT"})
	if err != nil {
		return "", err
	}
	body, err := json.Marshal(payload)
	if err != nil {
		return "", fmt.Errorf("claims: %w", err)
	}
	signing := base64.RawURLEncoding.EncodeToString(header) + "." + base64.RawURLEncoding.EncodeToString(body)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// fetchJWT signs an assertion and exchanges it at the token endpoint
// (RFC 7523 section 2.1). A response without expires_in gives a token
// without expiry, kept until a 401.
func (o *OAuth2) fetchJWT(ctx context.Context) (*oauth2.Token, error) {
	assertion, err := signJWT(o.key, o.claims, o.opts.now())
	if err != nil {
		return nil, err
	}
	form := url.Values{"grant_type": {jwtBearerGrant}, "assertion": {assertion}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.conf.Endpoint.TokenURL, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, body, err := postToken(o.opts.client, req)
	if err != nil {
		return nil, err
	}
	var res struct {
		AccessToken      string          `json:"access_token"`
		TokenType        string          `json:"token_type"`
		ExpiresIn        json.RawMessage `json:"expires_in"`
		Error            string          `json:"error"`
		ErrorDescription string          `json:"error_description"`
	}
	jsonErr := json.Unmarshal(body, &res)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := "the token endpoint answered " + resp.Status
		if res.Error != "" {
			msg += ": " + res.Error
			if res.ErrorDescription != "" {
				msg += ": " + res.ErrorDescription
			}
		}
		return nil, errors.New(msg)
	}
	if jsonErr != nil {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		return nil, fmt.Errorf("the token response (%s) is not a JSON object: %v", ct, jsonErr)
	}
	tok := &oauth2.Token{AccessToken: res.AccessToken, TokenType: res.TokenType}
	if len(res.ExpiresIn) > 0 && string(res.ExpiresIn) != "null" {
		secs, err := strconv.ParseFloat(strings.Trim(string(res.ExpiresIn), `"`), 64)
		if err != nil || secs < 0 || secs > 1e9 {
			return nil, fmt.Errorf("the token response's expires_in %s is not a number of seconds", res.ExpiresIn)
		}
		if secs > 0 {
			// Dated with the real clock, as x/oauth2 does: token moves it
			// to the Authenticator's clock.
			tok.Expiry = time.Now().Add(time.Duration(secs * float64(time.Second)))
		}
	}
	raw := map[string]any{}
	_ = json.Unmarshal(body, &raw)
	return tok.WithExtra(raw), nil
}

// postToken sends a token request with client (http.DefaultClient when
// nil) and reads at most maxTokenResponse bytes of the answer, whose body
// it closes. A transport error comes without the URL, which the caller
// names redacted.
func postToken(client *http.Client, req *http.Request) (*http.Response, []byte, error) {
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxTokenResponse))
	if err != nil {
		return nil, nil, fmt.Errorf("reading the token response: %w", err)
	}
	return resp, body, nil
}
