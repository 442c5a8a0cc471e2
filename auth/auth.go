// Package auth applies a catalog's credentials to outgoing HTTP requests.
//
// New turns a profile's auth: block (catalog.Auth) into an Authenticator for
// one of the schemes None, Basic, Digest, Bearer, APIKey or OAuth2. ${Name}
// placeholders in the credential values are resolved once, by the caller's
// expand function, when the Authenticator is built. Errors name the scheme
// and the field that was wrong but never contain a credential's value, and
// an Authenticator's String method (used by %v) shows only its scheme.
//
// Digest and OAuth2 also implement Refresher: after a 401 they renew their
// credentials (Digest answers the server's challenge, OAuth2 fetches a new
// token) and the caller sends the request once more. Do is that loop for a
// single request.
//
// Deciding which requests get credentials (only those for the catalog's own
// host) is the caller's job: see restsource.
package auth

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/restsql/restsql/catalog"
)

// Scheme names accepted by New (matched case-insensitively).
const (
	SchemeNone   = "None"
	SchemeBasic  = "Basic"
	SchemeDigest = "Digest"
	SchemeBearer = "Bearer"
	SchemeAPIKey = "APIKey"
	SchemeOAuth2 = "OAuth2"
)

// DefaultAPIKeyName is the header or query parameter that carries an API
// key when the profile names none.
const DefaultAPIKeyName = "X-API-Key"

// API key locations.
const (
	InHeader = "header"
	InQuery  = "query"
)

// knownSchemes lists every scheme of the profile format, for error messages.
var knownSchemes = []string{SchemeNone, SchemeBasic, SchemeDigest, SchemeBearer, SchemeAPIKey, SchemeOAuth2}

// ErrUnsupportedScheme was returned by New for the schemes it could not
// apply yet.
//
// Deprecated: New supports every scheme of the profile format and never
// returns it; it is kept so that code testing for it still compiles.
var ErrUnsupportedScheme = errors.New("auth: scheme is not supported yet")

// Authenticator adds credentials to a request before it is sent.
//
// Implementations must be safe for concurrent use: one Authenticator serves
// every request of a catalog.
type Authenticator interface {
	// Authenticate sets the request's credentials (a header or a query
	// parameter). It is called once per request, for the catalog's host only.
	Authenticate(req *http.Request) error
}

// Refresher is an Authenticator whose credentials can be renewed when the
// server refuses them: Digest answers the server's challenge, OAuth2 drops
// the refused token so that the next Authenticate fetches a new one.
type Refresher interface {
	Authenticator
	// Refresh is called with the 401 response to a request that
	// Authenticate prepared (resp.Request); it reads the response's
	// headers, never its body. It reports whether the request is worth
	// sending once more, prepared by Authenticate again. Callers refresh at
	// most once per request, so wrong credentials end in the 401.
	Refresh(resp *http.Response) (retry bool, err error)
}

// Option configures what New builds.
type Option func(*options)

type options struct {
	client   *http.Client
	now      func() time.Time
	observer func(secret string)
}

// WithHTTPClient sets the client that OAuth2 uses for its token requests
// (default http.DefaultClient).
func WithHTTPClient(c *http.Client) Option { return func(o *options) { o.client = c } }

// WithClock sets the clock that OAuth2 uses to tell when a token expires
// (default time.Now), for tests.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithSecretObserver sets a function that is told every secret the
// Authenticator obtains while it runs (OAuth2 access and refresh tokens), so
// that a logger can redact them. It may be called from any goroutine.
func WithSecretObserver(f func(secret string)) Option { return func(o *options) { o.observer = f } }

// Do sends req through client with a's credentials and, when the server
// answers 401 and a is a Refresher that asks for it, sends it once more with
// renewed credentials. A request with a body needs its GetBody for that
// second send (http.NewRequest sets it for in-memory bodies).
func Do(client *http.Client, a Authenticator, req *http.Request) (*http.Response, error) {
	if client == nil {
		client = http.DefaultClient
	}
	if a == nil {
		a = None{}
	}
	first := req.Clone(req.Context())
	if err := a.Authenticate(first); err != nil {
		return nil, err
	}
	resp, err := client.Do(first)
	if err != nil {
		return nil, err
	}
	r, ok := a.(Refresher)
	if resp.StatusCode != http.StatusUnauthorized || !ok || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
		return resp, nil
	}
	again, err := r.Refresh(resp)
	if err != nil {
		_ = resp.Body.Close()
		return nil, err
	}
	if !again {
		return resp, nil
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	_ = resp.Body.Close()
	second := req.Clone(req.Context())
	if req.GetBody != nil {
		if second.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	if err := a.Authenticate(second); err != nil {
		return nil, err
	}
	return client.Do(second)
}

// New builds the Authenticator for a catalog's auth settings. A nil a, or
// scheme None, gives an Authenticator that does nothing.
//
// expand resolves ${Name} placeholders in the credential values; nil means
// values are used as written. It is called here, once per value the scheme
// uses, so an unresolved placeholder is reported by New. Its error is wrapped
// with the scheme and the field name.
//
// An unknown scheme is an error that lists the known ones. opts configure
// OAuth2's token requests.
func New(a *catalog.Auth, expand func(string) (string, error), opts ...Option) (Authenticator, error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	if a == nil {
		return None{}, nil
	}
	if expand == nil {
		expand = func(s string) (string, error) { return s, nil }
	}
	scheme := strings.TrimSpace(a.Scheme)
	if scheme == "" {
		if hasValues(a) {
			return nil, fmt.Errorf("auth: no scheme given for the credentials (known schemes: %s)", strings.Join(knownSchemes, ", "))
		}
		return None{}, nil
	}
	field := func(name, value string) (string, error) {
		v, err := expand(value)
		if err != nil {
			return "", fmt.Errorf("auth: %s %s: %w", canonicalScheme(scheme), name, err)
		}
		return v, nil
	}
	switch {
	case strings.EqualFold(scheme, SchemeNone):
		return None{}, nil
	case strings.EqualFold(scheme, SchemeBasic), strings.EqualFold(scheme, SchemeDigest):
		name := canonicalScheme(scheme)
		user, err := field("user", a.User)
		if err != nil {
			return nil, err
		}
		if user == "" {
			return nil, fmt.Errorf("auth: %s: user is empty", name)
		}
		password, err := field("password", a.Password)
		if err != nil {
			return nil, err
		}
		if name == SchemeDigest {
			return &Digest{User: user, Password: password}, nil
		}
		return &Basic{User: user, Password: password}, nil
	case strings.EqualFold(scheme, SchemeBearer):
		token, err := field("token", a.Token)
		if err != nil {
			return nil, err
		}
		if token == "" {
			return nil, errors.New("auth: Bearer: token is empty")
		}
		return &Bearer{Token: token}, nil
	case strings.EqualFold(scheme, SchemeAPIKey):
		return newAPIKey(a, field)
	case strings.EqualFold(scheme, SchemeOAuth2):
		return newOAuth2(a, field, o)
	default:
		return nil, fmt.Errorf("auth: unknown scheme %q (known schemes: %s)", scheme, strings.Join(knownSchemes, ", "))
	}
}

func newAPIKey(a *catalog.Auth, field func(name, value string) (string, error)) (Authenticator, error) {
	key, err := field("key", a.Key)
	if err != nil {
		return nil, err
	}
	if key == "" {
		return nil, errors.New("auth: APIKey: key is empty")
	}
	name, err := field("name", a.Name)
	if err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = DefaultAPIKeyName
	}
	in, err := field("in", a.In)
	if err != nil {
		return nil, err
	}
	switch {
	case in == "" || strings.EqualFold(in, InHeader):
		if !validHeaderName(name) {
			return nil, fmt.Errorf("auth: APIKey: name %q is not a valid header name", name)
		}
		return &APIKey{Key: key, Name: http.CanonicalHeaderKey(name), In: InHeader}, nil
	case strings.EqualFold(in, InQuery):
		return &APIKey{Key: key, Name: name, In: InQuery}, nil
	default:
		return nil, fmt.Errorf("auth: APIKey: in %q is neither %s nor %s", in, InHeader, InQuery)
	}
}

// canonicalScheme returns the profile spelling of a known scheme, or s.
func canonicalScheme(s string) string {
	for _, k := range knownSchemes {
		if strings.EqualFold(k, s) {
			return k
		}
	}
	return s
}

func hasValues(a *catalog.Auth) bool {
	return a.User != "" || a.Password != "" || a.Token != "" || a.Key != "" || a.Name != "" ||
		a.In != "" || a.ClientID != "" || a.ClientSecret != "" || a.TokenURL != "" ||
		len(a.Scopes) > 0 || a.RefreshToken != "" || a.GrantType != ""
}

// validHeaderName reports whether s is an RFC 9110 token.
func validHeaderName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// None sends no credentials.
type None struct{}

// Authenticate implements Authenticator; it leaves req unchanged.
func (None) Authenticate(*http.Request) error { return nil }

// String returns the scheme name.
func (None) String() string { return SchemeNone }

// Basic sends HTTP Basic credentials (RFC 7617) in the Authorization header.
type Basic struct {
	User     string
	Password string
}

// Authenticate implements Authenticator.
func (b *Basic) Authenticate(req *http.Request) error {
	req.SetBasicAuth(b.User, b.Password)
	return nil
}

// String returns the scheme name and never the credentials.
func (b *Basic) String() string { return SchemeBasic }

// GoString keeps %#v from printing the credentials.
func (b *Basic) GoString() string { return "&auth.Basic{…}" }

// Bearer sends "Authorization: Bearer <token>" (RFC 6750).
type Bearer struct {
	Token string
}

// Authenticate implements Authenticator.
func (b *Bearer) Authenticate(req *http.Request) error {
	req.Header.Set("Authorization", "Bearer "+b.Token)
	return nil
}

// String returns the scheme name and never the token.
func (b *Bearer) String() string { return SchemeBearer }

// GoString keeps %#v from printing the token.
func (b *Bearer) GoString() string { return "&auth.Bearer{…}" }

// APIKey sends a key in a header or a query parameter.
type APIKey struct {
	Key string
	// Name is the header or query parameter name.
	Name string
	// In is InHeader or InQuery.
	In string
}

// Authenticate implements Authenticator. A query key replaces any value of
// the same parameter already in the URL; other parameters keep their order.
func (k *APIKey) Authenticate(req *http.Request) error {
	if k.In != InQuery {
		req.Header.Set(k.Name, k.Key)
		return nil
	}
	if req.URL == nil {
		return errors.New("auth: APIKey: request has no URL")
	}
	u := *req.URL
	u.RawQuery = setQueryParam(u.RawQuery, k.Name, k.Key)
	req.URL = &u
	return nil
}

// String returns the scheme and where the key goes, never the key.
func (k *APIKey) String() string { return SchemeAPIKey + " (" + k.In + " " + k.Name + ")" }

// GoString keeps %#v from printing the key.
func (k *APIKey) GoString() string {
	return fmt.Sprintf("&auth.APIKey{Name: %q, In: %q, Key: …}", k.Name, k.In)
}

// setQueryParam drops every name=… pair from a raw query and appends
// name=value, leaving the other pairs exactly as they were.
func setQueryParam(rawQuery, name, value string) string {
	var b strings.Builder
	for _, part := range strings.Split(rawQuery, "&") {
		if part == "" {
			continue
		}
		k, _, _ := strings.Cut(part, "=")
		if uk, err := url.QueryUnescape(k); err == nil && uk == name {
			continue
		}
		b.WriteString(part)
		b.WriteByte('&')
	}
	b.WriteString(url.QueryEscape(name))
	b.WriteByte('=')
	b.WriteString(url.QueryEscape(value))
	return b.String()
}

var (
	_ Authenticator = None{}
	_ Refresher     = (*Digest)(nil)
	_ Refresher     = (*OAuth2)(nil)
	_ Authenticator = (*Basic)(nil)
	_ Authenticator = (*Bearer)(nil)
	_ Authenticator = (*APIKey)(nil)
)
