package restsql

import (
	"net/http"
	"slices"
	"strings"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/fixtures"
)

// withFixtures returns client with its transport wrapped by the recorder
// or replayer of Config.FixtureMode (DSN: Fixtures, FixtureMode): one
// cassette per catalog in the Fixtures directory, requests routed by the
// catalog's base URL. The client itself is not changed.
func (c *connector) withFixtures(client *http.Client) (*http.Client, error) {
	opts := fixtures.Options{Dir: c.cfg.Fixtures, Mode: c.cfg.FixtureMode, Transport: client.Transport}
	for _, name := range c.profile.CatalogNames() {
		cat, _ := c.profile.Catalog(name)
		fc := fixtures.Catalog{Name: cat.Name}
		// A URL that does not resolve now would not resolve for a query
		// either: that catalog's requests fail before they are sent.
		if u, err := c.expand(cat.URL); err == nil {
			fc.URLs = append(fc.URLs, u)
		}
		if cat.Auth != nil && cat.Auth.TokenURL != "" {
			if u, err := c.expand(cat.Auth.TokenURL); err == nil {
				fc.URLs = append(fc.URLs, u)
			}
		}
		opts.Catalogs = append(opts.Catalogs, fc)
	}
	if c.defCat != nil {
		opts.Default = c.defCat.Name
	}
	opts.Secrets, opts.SecretHeaders, opts.SecretParams = c.fixtureSecrets()
	t, err := fixtures.New(opts)
	if err != nil {
		return nil, err
	}
	wrapped := *client
	wrapped.Transport = t
	return &wrapped, nil
}

// fixtureSecrets lists what a recording must not contain: the resolved
// values of the DSN's secret properties, of every catalog's credentials,
// of every ${Name} in headers and URL parameters, and every value of the
// SecretsFile; and the headers and parameters that carry them. Values that
// do not resolve are skipped: they cannot be sent either.
func (c *connector) fixtureSecrets() (values, headers, params []string) {
	add := func(raw string) {
		if raw == "" {
			return
		}
		if v, err := c.expand(raw); err == nil && v != "" {
			values = append(values, v)
		}
		// Each placeholder's own value, as a header may hold "Bearer ${T}".
		for _, name := range fixturePlaceholderNames(raw) {
			if v, err := c.expand("${" + name + "}"); err == nil && v != "" {
				values = append(values, v)
			}
		}
	}
	cfg := c.cfg
	for _, v := range []string{cfg.Password, cfg.Token, cfg.APIKey, cfg.OAuthClientSecret, cfg.OAuthRefreshToken} {
		add(v)
	}
	placeholders := func(m map[string]string, names *[]string) {
		for k, v := range m {
			if catalog.HasPlaceholder(v) {
				*names = append(*names, k)
				add(v)
			}
		}
	}
	for _, name := range c.profile.CatalogNames() {
		cat, _ := c.profile.Catalog(name)
		if a := cat.Auth; a != nil {
			for _, v := range []string{a.Password, a.Token, a.Key, a.ClientSecret, a.RefreshToken} {
				add(v)
			}
			if strings.EqualFold(a.Scheme, "APIKey") {
				name := a.Name
				if name == "" {
					name = defaultAPIKeyName
				}
				if strings.EqualFold(a.In, "query") {
					params = append(params, name)
				} else {
					headers = append(headers, name)
				}
			}
		}
		placeholders(cat.Headers, &headers)
		placeholders(cat.Params, &params)
		for _, sn := range cat.SchemaNames() {
			s, _ := cat.Schema(sn)
			for _, tn := range s.TableNames() {
				t, _ := s.Table(tn)
				placeholders(t.Headers, &headers)
				placeholders(t.Params, &params)
				if t.Get != nil {
					placeholders(t.Get.Params, &params)
				}
				for _, w := range []*catalog.Write{t.Insert, t.Update, t.Delete} {
					if w != nil {
						placeholders(w.Headers, &headers)
					}
				}
			}
		}
	}
	if cfg.SecretsFile != "" {
		if path, err := c.expand(cfg.SecretsFile); err == nil {
			if file, err := readSecretsFile(path); err == nil {
				for _, v := range file {
					values = append(values, v)
				}
			}
		}
	}
	slices.Sort(values)
	return slices.Compact(values), headers, params
}

// fixturePlaceholderNames returns the names of the ${Name} placeholders of s.
func fixturePlaceholderNames(s string) []string {
	var names []string
	_, _ = catalog.Expand(s, func(name string) (string, bool) {
		names = append(names, name)
		return "", true
	})
	return names
}
