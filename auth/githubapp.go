package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// GrantGitHubApp is a GitHub App's installation access token: the driver
// signs a JWT (RS256, the app's client ID or app ID as issuer, at most ten
// minutes long) with the app's private key, sends it as the bearer of a
// POST to tokenURL (https://api.github.com/app/installations/{id}/access_tokens)
// and uses the token of the answer, until its expires_at, as
// "Authorization: Bearer <token>".
const GrantGitHubApp = "github_app"

// The GitHub App JWT's window, as GitHub's docs advise: iat a minute in
// the past against clock drift, exp at most ten minutes ahead (nine here,
// for a server whose clock is a little ahead).
const (
	githubJWTBack  = 60 * time.Second
	githubJWTAhead = 9 * time.Minute
)

// fetchGitHubApp signs the app's JWT and exchanges it for an installation
// token.
func (o *OAuth2) fetchGitHubApp(ctx context.Context) (*oauth2.Token, error) {
	now := o.opts.now()
	claims := make(map[string]any, len(o.claims)+3)
	for k, v := range o.claims {
		claims[k] = v
	}
	claims["iss"] = o.conf.ClientID
	jwt, err := signJWTWindow(o.key, claims, now.Add(-githubJWTBack), now.Add(githubJWTAhead))
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.conf.Endpoint.TokenURL, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+jwt)
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, body, err := postToken(o.opts.client, req)
	if err != nil {
		return nil, err
	}
	var res struct {
		Token     string `json:"token"`
		ExpiresAt string `json:"expires_at"`
		Message   string `json:"message"`
	}
	jsonErr := json.Unmarshal(body, &res)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		msg := "the token endpoint answered " + resp.Status
		if res.Message != "" {
			msg += ": " + res.Message
		}
		return nil, errors.New(msg)
	}
	if jsonErr != nil {
		return nil, fmt.Errorf("the token response is not a JSON object: %v", jsonErr)
	}
	tok := &oauth2.Token{AccessToken: res.Token, TokenType: "Bearer"}
	if s := strings.TrimSpace(res.ExpiresAt); s != "" {
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, fmt.Errorf("the token response's expires_at %q is not an RFC 3339 time", s)
		}
		// Dated with the real clock, as the other grants' tokens are:
		// token moves it to the Authenticator's clock.
		tok.Expiry = time.Now().Add(at.Sub(now))
	}
	return tok, nil
}
