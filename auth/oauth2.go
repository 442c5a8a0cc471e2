package auth

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/restsql/restsql/catalog"
)

// OAuth2 grant types.
const (
	GrantClientCredentials = "client_credentials"
	GrantPassword          = "password"
	GrantRefreshToken      = "refresh_token"
)

// expiryMargin is how long before its expiry a token is renewed, so that it
// does not expire in flight (at most half its lifetime, for short-lived
// tokens).
const expiryMargin = 10 * time.Second

// OAuth2 sends "Authorization: Bearer <access token>" with a token it gets
// from the token endpoint through golang.org/x/oauth2: the client
// credentials grant, the resource owner password grant, or the refresh
// token grant.
//
// The token is cached by the OAuth2 value (the driver builds one per
// catalog and connector) and shared by all its requests: one token request
// serves them all, also when many start at once. It is renewed shortly
// before it expires, and after a 401 that refused it (Refresh). The refresh
// token grant keeps the refresh token the server rotates to; the password
// grant uses the refresh token it was given, if any, before asking with the
// password again. Token requests use the context of the request that needs
// the token, so cancelling a query stops them.
type OAuth2 struct {
	grant    string
	cc       *clientcredentials.Config
	conf     *oauth2.Config
	user     string
	password string
	tokenURL string // redacted, for messages
	opts     options

	// lock is held (a token in the channel) while the token is read or
	// fetched; a channel rather than a mutex so that waiting for it stops
	// with the context.
	lock chan struct{}
	// tok is the cached token (nil = none); refresh is the refresh token
	// to use next.
	tok     *oauth2.Token
	refresh string
	// life is tok's lifetime when it was fetched (0 = it does not expire).
	life time.Duration

	// key and claims sign the jwt_bearer grant's assertion.
	key    *rsa.PrivateKey
	claims map[string]any
	// baseFrom is the token response field naming the API's base URL
	// (baseURLFrom; "" = none); base is its value for tok.
	baseFrom string
	base     *url.URL
}

func newOAuth2(a *catalog.Auth, field func(name, value string) (string, error), o options) (Authenticator, error) {
	get := func(name, value string) (string, error) {
		v, err := field(name, value)
		return strings.TrimSpace(v), err
	}
	clientID, err := get("clientId", a.ClientID)
	if err != nil {
		return nil, err
	}
	clientSecret, err := field("clientSecret", a.ClientSecret)
	if err != nil {
		return nil, err
	}
	tokenURL, err := get("tokenURL", a.TokenURL)
	if err != nil {
		return nil, err
	}
	if tokenURL == "" {
		return nil, errors.New("auth: OAuth2: tokenURL is empty")
	}
	u, err := url.Parse(tokenURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, errors.New("auth: OAuth2: tokenURL is not an absolute http or https URL")
	}
	var scopes []string
	for _, s := range a.Scopes {
		v, err := get("scopes", s)
		if err != nil {
			return nil, err
		}
		if v != "" {
			scopes = append(scopes, v)
		}
	}
	grant, err := get("grantType", a.GrantType)
	if err != nil {
		return nil, err
	}
	if grant == "" {
		grant = GrantClientCredentials
	}
	grant = strings.ToLower(grant)
	o2 := &OAuth2{grant: grant, tokenURL: redactedURL(u), opts: o, lock: make(chan struct{}, 1)}
	if o2.opts.now == nil {
		o2.opts.now = time.Now
	}
	o2.conf = &oauth2.Config{ClientID: clientID, ClientSecret: clientSecret, Scopes: scopes, Endpoint: oauth2.Endpoint{TokenURL: tokenURL}}
	switch grant {
	case GrantClientCredentials:
		if clientID == "" {
			return nil, errors.New("auth: OAuth2: clientId is empty (the client_credentials grant needs it)")
		}
		o2.cc = &clientcredentials.Config{ClientID: clientID, ClientSecret: clientSecret, TokenURL: tokenURL, Scopes: scopes}
	case GrantPassword:
		if o2.user, err = get("user", a.User); err != nil {
			return nil, err
		}
		if o2.user == "" {
			return nil, errors.New("auth: OAuth2: user is empty (the password grant needs it)")
		}
		if o2.password, err = field("password", a.Password); err != nil {
			return nil, err
		}
		if o2.refresh, err = get("refreshToken", a.RefreshToken); err != nil {
			return nil, err
		}
	case GrantRefreshToken:
		if o2.refresh, err = get("refreshToken", a.RefreshToken); err != nil {
			return nil, err
		}
		if o2.refresh == "" {
			return nil, errors.New("auth: OAuth2: refreshToken is empty (the refresh_token grant needs it)")
		}
	case GrantJWTBearer, GrantGitHubApp:
		if grant == GrantGitHubApp && clientID == "" {
			return nil, errors.New("auth: OAuth2: clientId is empty (the github_app grant signs its JWT with the app's client ID or app ID as issuer)")
		}
		pemKey, err := field("privateKey", a.PrivateKey)
		if err != nil {
			return nil, err
		}
		if strings.TrimSpace(pemKey) == "" {
			return nil, fmt.Errorf("auth: OAuth2: privateKey is empty (the %s grant signs its JWT with it)", grant)
		}
		if o2.key, err = parseRSAKey(pemKey); err != nil {
			return nil, fmt.Errorf("auth: OAuth2: %w", err)
		}
		o2.claims = make(map[string]any, len(a.Claims))
		for k, v := range a.Claims {
			if k == "iat" || k == "exp" || (k == "iss" && grant == GrantGitHubApp) {
				return nil, fmt.Errorf("auth: OAuth2: claims: %s is set by the driver", k)
			}
			if sv, ok := v.(string); ok {
				if v, err = field("claims "+k, sv); err != nil {
					return nil, err
				}
			}
			o2.claims[k] = v
		}
	default:
		return nil, fmt.Errorf("auth: OAuth2: grantType %q is none of %s, %s, %s, %s, %s", grant, GrantClientCredentials, GrantPassword, GrantRefreshToken, GrantJWTBearer, GrantGitHubApp)
	}
	if o2.baseFrom, err = get("baseURLFrom", a.BaseURLFrom); err != nil {
		return nil, err
	}
	o2.observe(clientSecret, o2.password, o2.refresh)
	return o2, nil
}

// redactedURL is u without its user info and query values, for messages.
func redactedURL(u *url.URL) string {
	c := *u
	c.User = nil
	if c.RawQuery != "" {
		c.RawQuery = "…"
	}
	c.Fragment, c.RawFragment = "", ""
	return c.String()
}

// Authenticate implements Authenticator: it sets the cached token, fetching
// one first when there is none or it is about to expire.
func (o *OAuth2) Authenticate(req *http.Request) error {
	tok, err := o.token(req.Context())
	if err != nil {
		return err
	}
	tok.SetAuthHeader(req)
	return nil
}

// Refresh implements Refresher: it drops the cached token when it is the
// one the server refused, so that the next Authenticate fetches another.
// When the token was already replaced (another request got its 401 first)
// it keeps the new one. It always asks for one more try.
func (o *OAuth2) Refresh(resp *http.Response) (bool, error) {
	ctx := context.Background()
	var used string
	if resp.Request != nil {
		ctx = resp.Request.Context()
		used = resp.Request.Header.Get("Authorization")
	}
	if err := o.acquire(ctx); err != nil {
		return false, err
	}
	defer o.release()
	if o.tok != nil && (used == "" || strings.HasSuffix(used, " "+o.tok.AccessToken)) {
		o.tok = nil
	}
	return true, nil
}

func (o *OAuth2) acquire(ctx context.Context) error {
	select {
	case o.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (o *OAuth2) release() { <-o.lock }

// token returns the cached token or fetches a new one.
func (o *OAuth2) token(ctx context.Context) (*oauth2.Token, error) {
	if err := o.acquire(ctx); err != nil {
		return nil, err
	}
	defer o.release()
	if o.valid(o.tok) {
		return o.tok, nil
	}
	start, realStart := o.opts.now(), time.Now()
	tok, err := o.fetch(ctx)
	if err != nil {
		return nil, fmt.Errorf("auth: OAuth2: %s token request to %s: %w", o.grant, o.tokenURL, describe(err))
	}
	if tok.AccessToken == "" {
		return nil, fmt.Errorf("auth: OAuth2: %s token request to %s: the response has no access_token", o.grant, o.tokenURL)
	}
	o.life = 0
	if !tok.Expiry.IsZero() {
		// x/oauth2 dates the expiry with the real clock: move it to ours.
		o.life = tok.Expiry.Sub(realStart)
		c := *tok
		c.Expiry = start.Add(o.life)
		tok = &c
	}
	if o.baseFrom != "" {
		b, err := o.baseOf(tok)
		if err != nil {
			return nil, fmt.Errorf("auth: OAuth2: %s token request to %s: %w", o.grant, o.tokenURL, err)
		}
		o.base = b
	}
	o.observe(tok.AccessToken, tok.RefreshToken)
	if tok.RefreshToken != "" {
		o.refresh = tok.RefreshToken
	}
	o.tok = tok
	return tok, nil
}

// valid reports whether tok can be sent: it has an access token that does
// not expire within the margin.
func (o *OAuth2) valid(tok *oauth2.Token) bool {
	if tok == nil || tok.AccessToken == "" {
		return false
	}
	if tok.Expiry.IsZero() {
		return true
	}
	margin := min(expiryMargin, o.life/2)
	return o.opts.now().Add(margin).Before(tok.Expiry)
}

// fetch asks the token endpoint for a token with the grant.
func (o *OAuth2) fetch(ctx context.Context) (*oauth2.Token, error) {
	if o.opts.client != nil {
		ctx = context.WithValue(ctx, oauth2.HTTPClient, o.opts.client)
	}
	switch o.grant {
	case GrantClientCredentials:
		return o.cc.Token(ctx)
	case GrantPassword:
		if o.refresh != "" {
			if tok, err := o.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: o.refresh}).Token(); err == nil {
				return tok, nil
			}
			if err := context.Cause(ctx); err != nil {
				return nil, err
			}
			o.refresh = "" // refused: ask with the password
		}
		return o.conf.PasswordCredentialsToken(ctx, o.user, o.password)
	case GrantJWTBearer:
		return o.fetchJWT(ctx)
	case GrantGitHubApp:
		return o.fetchGitHubApp(ctx)
	default: // GrantRefreshToken
		return o.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: o.refresh}).Token()
	}
}

// BaseURLer is implemented by an Authenticator whose credentials name the
// API's base URL (OAuth2's baseURLFrom: Salesforce's instance_url).
type BaseURLer interface {
	// BaseURL returns the base URL that replaces the catalog's url, getting
	// credentials first when it has none; nil means the catalog's url.
	BaseURL(ctx context.Context) (*url.URL, error)
}

// BaseURL implements BaseURLer: the baseURLFrom field of the current
// token's response (nil without baseURLFrom).
func (o *OAuth2) BaseURL(ctx context.Context) (*url.URL, error) {
	if o.baseFrom == "" {
		return nil, nil
	}
	if _, err := o.token(ctx); err != nil {
		return nil, err
	}
	if err := o.acquire(ctx); err != nil {
		return nil, err
	}
	defer o.release()
	if o.base == nil {
		return nil, nil
	}
	b := *o.base
	return &b, nil
}

// baseOf reads the baseURLFrom field of a token response: an absolute
// http or https URL.
func (o *OAuth2) baseOf(tok *oauth2.Token) (*url.URL, error) {
	v, _ := tok.Extra(o.baseFrom).(string)
	if strings.TrimSpace(v) == "" {
		return nil, fmt.Errorf("the token response has no %s (baseURLFrom) string", o.baseFrom)
	}
	u, err := url.Parse(strings.TrimSpace(v))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil {
		return nil, fmt.Errorf("the token response's %s (baseURLFrom) %q is not an absolute http or https URL", o.baseFrom, v)
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	return u, nil
}

// describe turns a token endpoint's error into a message without the
// response body (which may echo what was sent).
func describe(err error) error {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return err
	}
	msg := "the token endpoint answered"
	if re.Response != nil {
		msg += " " + re.Response.Status
	}
	if re.ErrorCode != "" {
		msg += ": " + re.ErrorCode
		if re.ErrorDescription != "" {
			msg += ": " + re.ErrorDescription
		}
	}
	return errors.New(msg)
}

// observe tells the observer the non-empty secrets.
func (o *OAuth2) observe(secrets ...string) {
	if o.opts.observer == nil {
		return
	}
	for _, s := range secrets {
		if s != "" {
			o.opts.observer(s)
		}
	}
}

// String returns the scheme and grant, never a secret.
func (o *OAuth2) String() string { return SchemeOAuth2 + " (" + o.grant + ")" }

// GoString keeps %#v from printing the secrets.
func (o *OAuth2) GoString() string { return fmt.Sprintf("&auth.OAuth2{grant: %q, …}", o.grant) }
