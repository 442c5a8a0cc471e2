package restsql

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/restsql/restsql/internal/errcode"
)

// pingBodyExcerpt bounds the part of a failed ping's body an error shows.
const pingBodyExcerpt = 200

// ping checks that the default catalog's API answers (db.Ping). With the
// catalog's ping URL it sends GET to it, with the catalog's auth and
// headers, and wants a status below 400; without one it sends HEAD to the
// base URL, unauthenticated, and takes any HTTP answer. Without a default
// catalog, or in FixtureMode=replay (nothing to reach), it checks nothing.
func (c *connector) ping(ctx context.Context) error {
	cat := c.defCat
	if cat == nil || c.cfg.FixtureMode == FixtureReplay {
		return nil
	}
	rt, err := c.runtime(cat)
	if err != nil {
		return errcode.Wrap(errcode.Config, c.redactError(err))
	}
	if c.cfg.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.cfg.Timeout)
		defer cancel()
	}
	method, target := http.MethodHead, rt.baseURL
	if cat.Ping != "" {
		p, err := c.expandSecret(cat.Ping)
		if err != nil {
			return errcode.Errorf(errcode.Config, "restsql: ping: catalog %s: ping: %w", cat.Name, err)
		}
		method, target = http.MethodGet, pingURL(rt.baseURL, p)
	}
	req, err := http.NewRequestWithContext(ctx, method, target, nil)
	if err != nil {
		return c.redactError(fmt.Errorf("restsql: ping: catalog %s: %w", cat.Name, err))
	}
	if cat.Ping != "" {
		for k, v := range cat.Headers {
			ev, err := c.expandSecret(v)
			if err != nil {
				return errcode.Errorf(errcode.Config, "restsql: ping: catalog %s: header %s: %w", cat.Name, k, err)
			}
			req.Header.Set(k, ev)
		}
		if err := rt.auth.Authenticate(req); err != nil {
			return c.redactError(fmt.Errorf("restsql: ping: catalog %s: %w", cat.Name, err))
		}
	}
	shown := method + " " + redactURL(target)
	resp, err := c.client.Do(req)
	if err != nil {
		return errcode.Wrap(errcode.HTTP, c.redactError(fmt.Errorf("restsql: ping: catalog %s: %s: %w", cat.Name, shown, err)))
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, pingBodyExcerpt+1))
	if cat.Ping != "" && resp.StatusCode >= 400 {
		excerpt := strings.TrimSpace(string(body))
		if len(excerpt) > pingBodyExcerpt {
			excerpt = excerpt[:pingBodyExcerpt]
			for !utf8.ValidString(excerpt) {
				excerpt = excerpt[:len(excerpt)-1]
			}
			excerpt += "…"
		}
		return errcode.Wrap(errcode.HTTP, c.redactError(fmt.Errorf("restsql: ping: catalog %s: %s: HTTP %s: %s", cat.Name, shown, resp.Status, excerpt)))
	}
	return nil
}

// pingURL resolves a catalog's ping value: an absolute URL as it is, else
// a path under the base URL.
func pingURL(base, p string) string {
	if u, err := url.Parse(p); err == nil && u.Scheme != "" && u.Host != "" {
		return p
	}
	b, q, _ := strings.Cut(base, "?")
	out := strings.TrimRight(b, "/") + "/" + strings.TrimLeft(p, "/")
	if q != "" && !strings.Contains(p, "?") {
		out += "?" + q
	}
	return out
}

// redactURL hides a URL's user info and query values in an error.
func redactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	u.User = nil
	if u.RawQuery != "" {
		q := u.Query()
		for k := range q {
			q[k] = []string{"***"}
		}
		u.RawQuery = strings.ReplaceAll(q.Encode(), "%2A", "*")
	}
	return u.String()
}

// checkBaseURL checks that the DSN's URL (resolved) is an http or https URL
// with a host. Its error names the DSN property and shows the value as
// written in the DSN (placeholders unresolved).
func checkBaseURL(raw, resolved string) error {
	u, err := url.Parse(resolved)
	hint := ""
	if !strings.Contains(resolved, "://") {
		hint = fmt.Sprintf(" (want a scheme and a host: http://%s?)", strings.TrimLeft(raw, "/"))
	}
	switch {
	case err != nil:
		return fmt.Errorf("restsql: dsn: URL: %q is not a URL%s", raw, hint)
	case u.Scheme == "" || u.Host == "" || u.Opaque != "":
		if hint == "" {
			hint = " (want http://host[:port][/path])"
		}
		return fmt.Errorf("restsql: dsn: URL: %q has no scheme and host%s", raw, hint)
	case !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https"):
		return fmt.Errorf("restsql: dsn: URL: %q: scheme %q is not http or https", raw, u.Scheme)
	}
	return nil
}
