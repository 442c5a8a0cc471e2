package auth

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/icholy/digest"
)

// Digest sends HTTP Digest credentials (RFC 7616), computed with
// github.com/icholy/digest.
//
// The first request goes without credentials; its 401 carries the
// server's challenge, which Refresh keeps, and every later request answers
// it with the next nonce count. A 401 to an answered challenge (a stale or
// rotated nonce) takes the new challenge. Digest computes the header for
// each request rather than wrapping the transport, so the credentials go
// only where the caller sends them.
type Digest struct {
	User     string
	Password string

	mu   sync.Mutex
	chal *digest.Challenge
	// count is the nonce count of chal's last answer.
	count int
}

// Authenticate implements Authenticator: it answers the last challenge,
// or sends nothing before the first one.
func (d *Digest) Authenticate(req *http.Request) error {
	d.mu.Lock()
	chal := d.chal
	if chal == nil {
		d.mu.Unlock()
		return nil
	}
	d.count++
	count := d.count
	d.mu.Unlock()
	cred, err := digest.Digest(chal, digest.Options{
		Method:   req.Method,
		URI:      req.URL.RequestURI(),
		GetBody:  req.GetBody,
		Count:    count,
		Username: d.User,
		Password: d.Password,
	})
	if err != nil {
		return fmt.Errorf("auth: Digest: %w", err)
	}
	req.Header.Set("Authorization", cred.String())
	return nil
}

// Refresh implements Refresher: it keeps the challenge of a 401's
// WWW-Authenticate header. A 401 without a Digest challenge that Digest can
// answer is an error that shows the schemes the server asked for.
func (d *Digest) Refresh(resp *http.Response) (bool, error) {
	chal, err := digest.FindChallenge(resp.Header)
	if err != nil {
		offered := resp.Header.Values("WWW-Authenticate")
		if errors.Is(err, digest.ErrNoChallenge) {
			if len(offered) == 0 {
				return false, errors.New("auth: Digest: the server answered 401 without a WWW-Authenticate challenge")
			}
			return false, fmt.Errorf("auth: Digest: the server's 401 asks for %s, not a Digest challenge this client can answer", schemesOf(offered))
		}
		return false, fmt.Errorf("auth: Digest: the server's challenge: %w", err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.chal, d.count = chal, 0
	return true, nil
}

// schemesOf lists the auth schemes of WWW-Authenticate values (their first
// words: never a parameter, which may hold a nonce).
func schemesOf(values []string) string {
	var out []string
	for _, v := range values {
		scheme, _, _ := cutSpace(v)
		if scheme != "" {
			out = append(out, scheme)
		}
	}
	if len(out) == 0 {
		return "no scheme"
	}
	return fmt.Sprintf("%q", out)
}

func cutSpace(s string) (string, string, bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' || s[i] == '\t' || s[i] == ',' {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// String returns the scheme name and never the credentials.
func (d *Digest) String() string { return SchemeDigest }

// GoString keeps %#v from printing the credentials.
func (d *Digest) GoString() string { return "&auth.Digest{…}" }
