package restsql

import (
	"context"
	"database/sql/driver"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"golang.org/x/time/rate"

	"github.com/restsql/restsql/auth"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/fixtures"
	"github.com/restsql/restsql/httpcache"
	"github.com/restsql/restsql/internal/errcode"
	"github.com/restsql/restsql/planner"
	"github.com/restsql/restsql/restsource"
	"github.com/restsql/restsql/retry"
	"github.com/restsql/restsql/table"
)

// connector holds what all connections of one *sql.DB share: an immutable
// copy of the Config, the loaded profile, the HTTP client and the REST
// sources, which are created on first use.
type connector struct {
	cfg     *Config
	profile *catalog.Profile
	expand  func(string) (string, error)
	client  *http.Client
	logger  *slog.Logger
	logOut  io.Closer
	defCat  *catalog.Catalog
	// transport is the HTTP transport the connector made (nil when the
	// Config brought its own); Close closes its idle connections.
	transport *http.Transport
	// cache is the HTTP response cache (nil = DSN Cache not set); direct
	// is the client without it, for token requests.
	cache  *httpcache.Cache
	direct *http.Client
	// redactor learns the secret values the log must never show.
	redactor *redactor
	// clock, when set (tests), replaces the system clock of retries and
	// rate limits.
	clock retry.Clock
	// queries numbers the queries, for the log.
	queries atomic.Int64

	mu       sync.Mutex
	catalogs map[*catalog.Catalog]*catalogRuntime
	sources  map[*catalog.Table]*restsource.Source
	// columns holds the tables whose columnsFrom: was read (columns.go).
	columns columnsFrom
}

// catalogRuntime is a catalog's resolved base URL, its authenticator
// (which caches OAuth2 tokens) and its rate limiter (nil = no RateLimit),
// shared by all the connections of the connector.
type catalogRuntime struct {
	baseURL string
	auth    auth.Authenticator
	limiter *rate.Limiter
}

var _ driver.Connector = (*connector)(nil)

// NewConnector returns a connector for sql.OpenDB. It takes a copy of cfg,
// loads and validates the profile (and the Catalogs defined in Go) and
// applies the DSN's overrides to the default catalog. Its errors are
// ErrConfig (unless they have a kind of their own).
func NewConnector(cfg *Config) (driver.Connector, error) {
	c, err := newConnector(cfg)
	if err != nil {
		return nil, errcode.Wrap(errcode.Config, err)
	}
	return c, nil
}

func newConnector(cfg *Config) (*connector, error) {
	if cfg == nil {
		cfg = NewConfig()
	}
	cfg = cfg.Clone()
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	expand, err := cfg.Expander()
	if err != nil {
		return nil, err
	}
	if err := cfg.resolveAtOpen(expand); err != nil {
		return nil, err
	}
	profile := &catalog.Profile{Catalogs: map[string]*catalog.Catalog{}}
	if cfg.Profile != "" {
		path, err := expand(cfg.Profile)
		if err != nil {
			return nil, fmt.Errorf("restsql: dsn: Profile: %w", err)
		}
		p, err := catalog.Load(path)
		if err != nil {
			return nil, err
		}
		profile = p.Clone()
	}
	for _, c := range cfg.Catalogs {
		if c == nil {
			continue
		}
		name := c.Name
		if name == "" {
			return nil, fmt.Errorf("restsql: Config.Catalogs: a catalog has no Name")
		}
		if _, dup := profile.Catalog(name); dup {
			return nil, fmt.Errorf("restsql: Config.Catalogs: catalog %s is also defined in the profile", name)
		}
		cp := (&catalog.Profile{Catalogs: map[string]*catalog.Catalog{name: c}}).Clone()
		profile.Catalogs[name] = cp.Catalogs[name]
	}
	if len(profile.Catalogs) == 0 {
		return nil, fmt.Errorf("restsql: no catalogs: set Profile in the DSN or Config.Catalogs")
	}
	if err := profile.Validate(); err != nil {
		return nil, err
	}
	c := &connector{
		cfg:      cfg,
		profile:  profile,
		expand:   expand,
		catalogs: map[*catalog.Catalog]*catalogRuntime{},
		sources:  map[*catalog.Table]*restsource.Source{},
	}
	if c.defCat, err = c.defaultCatalog(); err != nil {
		return nil, err
	}
	if err := c.applyOverrides(); err != nil {
		return nil, err
	}
	switch {
	case cfg.HTTPClient != nil:
		c.client = cfg.HTTPClient
	case cfg.Transport != nil:
		c.client = &http.Client{Transport: cfg.Transport}
	default:
		c.transport = NewTransport(cfg, 1)
		c.client = &http.Client{Transport: c.transport}
	}
	if cfg.FixtureMode != FixtureOff {
		if c.client, err = c.withFixtures(c.client); err != nil {
			return nil, err
		}
	}
	c.direct = c.client
	if err := c.openCache(); err != nil {
		return nil, err
	}
	c.redactor = newRedactor()
	c.learnSecrets()
	if cfg.QueryTimeout > 0 {
		// Notes the requests in flight, for the QueryTimeout's error.
		base := c.client.Transport
		if base == nil {
			base = http.DefaultTransport
		}
		tracked := *c.client
		tracked.Transport = &trackingTransport{base: base, shown: fixtures.NewScrubber(nil, nil, nil).URL}
		c.client = &tracked
	}
	if c.logger, c.logOut, err = openLog(cfg.Logfile, cfg.Verbosity, c.redactor); err != nil {
		return nil, err
	}
	return c, nil
}

// defaultCatalog picks defaultCatalog, or the profile's only catalog.
func (c *connector) defaultCatalog() (*catalog.Catalog, error) {
	names := c.profile.CatalogNames()
	if c.cfg.DefaultCatalog != "" {
		cat, ok := c.profile.Catalog(c.cfg.DefaultCatalog)
		if !ok {
			return nil, fmt.Errorf("restsql: dsn: defaultCatalog: no catalog %q in the profile (have %s)", c.cfg.DefaultCatalog, strings.Join(names, ", "))
		}
		return cat, nil
	}
	if len(names) == 1 {
		cat, _ := c.profile.Catalog(names[0])
		return cat, nil
	}
	return nil, nil
}

// applyOverrides applies the DSN's URL and auth properties to the default catalog.
func (c *connector) applyOverrides() error {
	cfg := c.cfg
	cat := c.defCat
	if cat == nil {
		if cfg.URL != "" || cfg.AuthScheme != "" {
			return fmt.Errorf("restsql: dsn: URL and AuthScheme apply to the default catalog: set defaultCatalog (have %s)", strings.Join(c.profile.CatalogNames(), ", "))
		}
		return nil
	}
	if cfg.URL != "" {
		resolved, err := c.expand(cfg.URL)
		if err != nil {
			return fmt.Errorf("restsql: dsn: URL: %w", err)
		}
		if err := checkBaseURL(cfg.URL, resolved); err != nil {
			return err
		}
		cat.URL = cfg.URL
	}
	if cfg.AuthScheme != "" {
		a := &catalog.Auth{Scheme: cfg.AuthScheme}
		switch strings.ToLower(cfg.AuthScheme) {
		case "basic", "digest":
			a.User, a.Password = cfg.User, cfg.Password
		case "bearer":
			a.Token = cfg.Token
		case "apikey":
			a.Key, a.Name, a.In = cfg.APIKey, cfg.APIKeyName, cfg.APIKeyIn
		case "oauth2":
			a.ClientID, a.ClientSecret, a.TokenURL = cfg.OAuthClientID, cfg.OAuthClientSecret, cfg.OAuthTokenURL
			a.RefreshToken, a.GrantType = cfg.OAuthRefreshToken, cfg.OAuthGrantType
			a.User, a.Password = cfg.User, cfg.Password
			if s := strings.TrimSpace(cfg.OAuthScopes); s != "" {
				a.Scopes = strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' })
			}
		}
		cat.Auth = a
	}
	return nil
}

// Connect implements driver.Connector.
func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &conn{c: c}, nil
}

// Driver implements driver.Connector.
func (c *connector) Driver() driver.Driver { return Driver{} }

// Close implements io.Closer: sql.DB.Close calls it. It closes the idle
// connections of the transport the connector made, and the Logfile.
func (c *connector) Close() error {
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
	if c.logOut != nil {
		return c.logOut.Close()
	}
	return nil
}

// runtime resolves a catalog's base URL and credentials on first use, so a
// placeholder of a catalog that a program never queries needs no value.
func (c *connector) runtime(cat *catalog.Catalog) (*catalogRuntime, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if rt := c.catalogs[cat]; rt != nil {
		return rt, nil
	}
	base, err := c.expand(cat.URL)
	if err != nil {
		return nil, fmt.Errorf("restsql: catalog %s: url: %w", cat.Name, err)
	}
	if _, q, ok := strings.Cut(cat.URL, "?"); ok {
		// A placeholder in the base URL's query is a key: never log it. (One
		// in its host or path is not a secret: the log shows it.)
		c.learnPlaceholders(q)
	}
	a, err := auth.New(cat.Auth, c.expandSecret, auth.WithHTTPClient(c.direct), auth.WithSecretObserver(c.redactor.add))
	if err != nil {
		return nil, fmt.Errorf("restsql: catalog %s: %w", cat.Name, err)
	}
	rt := &catalogRuntime{baseURL: base, auth: a}
	if c.cfg.RateLimit > 0 {
		// Burst 1: requests are spaced evenly, never sent in a burst.
		rt.limiter = rate.NewLimiter(rate.Limit(c.cfg.RateLimit), 1)
	}
	c.catalogs[cat] = rt
	return rt, nil
}

// source returns the (cached) REST source of a table. A source is made
// when its table is first used: a mistake in its profile or a placeholder
// without a value is ErrConfig then.
func (c *connector) source(cat *catalog.Catalog, t *catalog.Table) (*restsource.Source, error) {
	s, err := c.newSource(cat, t)
	if err != nil {
		return nil, errcode.Wrap(errcode.Config, err)
	}
	return s, nil
}

func (c *connector) newSource(cat *catalog.Catalog, t *catalog.Table) (*restsource.Source, error) {
	rt, err := c.runtime(cat)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s := c.sources[t]; s != nil {
		return s, nil
	}
	s, err := restsource.New(cat, t, restsource.Options{
		Client:         c.client,
		BaseURL:        rt.baseURL,
		Auth:           rt.auth,
		Expand:         c.expandSecret,
		PageSize:       c.cfg.PageSize,
		MaxPages:       c.cfg.MaxPages,
		Speculative:    c.speculative(),
		MaxConcurrency: c.cfg.MaxConcurrency,
		Timeout:        c.cfg.Timeout,
		MaxRetries:     c.cfg.MaxRetries,
		Limiter:        rt.limiter,
		Clock:          c.clock,
		Logger:         c.logger,
		CacheTags:      c.cache != nil,
	})
	if err != nil {
		return nil, err
	}
	c.sources[t] = s
	return s, nil
}

// Profile implements planner.ProfileCatalog: the system tables describe it.
func (c *connector) Profile() *catalog.Profile { return c.profile }

// catalogView is the connector as the planner sees it (a
// planner.Catalog): names resolve to tables through source (the
// connector's REST sources, Source), and the connector's profile and
// system tables (planner.ProfileCatalog, planner.SystemTables) come with
// it. A view of one query may resolve names its own way (with its
// context) by its own source.
type catalogView struct {
	*connector
	source func(parts []string) (*restsource.Source, error)
}

// view is the planner's catalog of the connector.
func (c *connector) view() catalogView { return catalogView{connector: c, source: c.Source} }

// Table implements planner.Catalog: the REST source the view resolves.
func (v catalogView) Table(parts []string) (table.Table, error) {
	s, err := v.source(parts)
	if err != nil {
		return nil, err
	}
	return s, nil
}

var (
	_ planner.Catalog        = catalogView{}
	_ planner.ProfileCatalog = catalogView{}
	_ planner.SystemTables   = catalogView{}
	_ planner.ColumnsProfile = catalogView{}
)

// Source resolves table, schema.table or catalog.schema.table against the
// profile and the DSN's defaults to the REST source that reads it.
func (c *connector) Source(parts []string) (*restsource.Source, error) {
	return c.sourceContext(context.Background(), parts)
}

func (c *connector) lookup(parts []string) (*catalog.Catalog, *catalog.Table, error) {
	full := strings.Join(parts, ".")
	var cat *catalog.Catalog
	var schemaName, tableName string
	switch len(parts) {
	case 1:
		tableName = parts[0]
	case 2:
		schemaName, tableName = parts[0], parts[1]
	case 3:
		var ok bool
		if cat, ok = c.profile.Catalog(parts[0]); !ok {
			return nil, nil, fmt.Errorf("%w %s: no catalog %q (have %s)", ErrUnknownTable, full, parts[0], strings.Join(c.profile.CatalogNames(), ", "))
		}
		schemaName, tableName = parts[1], parts[2]
	default:
		return nil, nil, fmt.Errorf("%w %s: a table name has one to three parts", ErrUnknownTable, full)
	}
	if cat == nil {
		cat = c.defCat
		if cat == nil {
			return nil, nil, fmt.Errorf("%w %s: the profile has several catalogs (%s): name the catalog (catalog.schema.table) or set defaultCatalog", ErrUnknownTable, full, strings.Join(c.profile.CatalogNames(), ", "))
		}
	}
	if schemaName == "" && c.cfg.DefaultSchema != "" && cat == c.defCat {
		schemaName = c.cfg.DefaultSchema
	}
	var schemas []*catalog.Schema
	if schemaName != "" {
		s, ok := cat.Schema(schemaName)
		if !ok {
			return nil, nil, fmt.Errorf("%w %s: catalog %s has no schema %q (have %s)", ErrUnknownTable, full, cat.Name, schemaName, strings.Join(cat.SchemaNames(), ", "))
		}
		schemas = []*catalog.Schema{s}
	} else {
		for _, n := range cat.SchemaNames() {
			s, _ := cat.Schema(n)
			schemas = append(schemas, s)
		}
	}
	var found []*catalog.Table
	var all []string
	for _, s := range schemas {
		if t, ok := s.Table(tableName); ok {
			found = append(found, t)
		}
		all = append(all, s.TableNames()...)
	}
	switch len(found) {
	case 1:
		return cat, found[0], nil
	case 0:
		msg := fmt.Sprintf("%s: no table %q in catalog %s", full, tableName, cat.Name)
		if schemaName != "" {
			msg = fmt.Sprintf("%s: no table %q in %s.%s", full, tableName, cat.Name, schemas[0].Name)
		}
		if s, ok := catalog.Nearest(tableName, all); ok {
			msg += fmt.Sprintf(" (did you mean %s?)", s)
		} else if len(all) > 0 {
			sort.Strings(all)
			msg += fmt.Sprintf(" (have %s)", strings.Join(all, ", "))
		}
		return nil, nil, fmt.Errorf("%w %s", ErrUnknownTable, msg)
	}
	var names []string
	for _, t := range found {
		names = append(names, t.SchemaName+"."+t.Name)
	}
	return nil, nil, fmt.Errorf("%w %s: the name is in several schemas of %s (%s): qualify it", ErrUnknownTable, full, cat.Name, strings.Join(names, ", "))
}

// speculative is the SpeculativePages in effect. -1 asks for as many pages
// as a walk with a known total does (two windows of MaxConcurrency); since
// only MaxConcurrency requests are in flight, at most MaxConcurrency − 1
// are sent past the end. With MaxConcurrency 1 the walk stays sequential.
func (c *connector) speculative() int {
	if c.cfg.SpeculativePages >= 0 {
		return c.cfg.SpeculativePages
	}
	if c.cfg.MaxConcurrency <= 1 {
		return 0
	}
	return 2*c.cfg.MaxConcurrency - 1
}
