package restsql

import (
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/internal/errcode"
)

// Fixture modes (Config.FixtureMode).
const (
	// FixtureOff sends every request to the API.
	FixtureOff = "off"
	// FixtureRecord sends requests to the API and records the exchanges in
	// the Fixtures directory.
	FixtureRecord = "record"
	// FixtureReplay answers requests from the Fixtures directory only.
	FixtureReplay = "replay"
)

// Defaults of NewConfig.
const (
	defaultVerbosity      = 1
	defaultTimeout        = 60 * time.Second
	defaultMaxRetries     = 3
	defaultMaxConcurrency = 4
	defaultAPIKeyName     = "X-API-Key"
	defaultAPIKeyIn       = "header"
	defaultGrantType      = "client_credentials"
	defaultFixtureMode    = FixtureOff
	defaultCacheTTL       = 60 * time.Second
	defaultCacheMaxBytes  = 64 << 20
)

// Config is a connection's configuration: the DSN's properties and what a
// program can add in Go. A Config built in Go should start from NewConfig,
// which holds the defaults.
//
// String properties keep their ${Name} placeholders unresolved: FormatDSN
// writes them back as placeholders, and Expander resolves them where a value
// is used.
type Config struct {
	// Profile is the path of a YAML or JSON profile that defines catalogs
	// and tables (DSN: Profile).
	Profile string
	// DefaultCatalog is the catalog used for names without one; the DSN's
	// auth and URL apply to it (DSN: defaultCatalog; default: the profile's
	// only catalog).
	DefaultCatalog string
	// DefaultSchema is the schema for names without one (DSN: defaultSchema;
	// default: the catalog's only schema).
	DefaultSchema string
	// URL overrides the default catalog's base URL (DSN: URL).
	URL string
	// AuthScheme overrides the default catalog's auth: None, Basic, Digest,
	// Bearer, APIKey or OAuth2 ("" keeps the profile's) (DSN: AuthScheme).
	AuthScheme string
	// User and Password are the Basic and Digest credentials, and those of
	// the OAuth2 password grant (DSN: User, Password).
	User     string
	Password string
	// Token is the Bearer token (DSN: Token).
	Token string
	// APIKey is the API key value (DSN: APIKey).
	APIKey string
	// APIKeyName is the header or query parameter carrying the API key
	// (DSN: APIKeyName; default X-API-Key).
	APIKeyName string
	// APIKeyIn says where the API key goes: header or query (DSN: APIKeyIn;
	// default header).
	APIKeyIn string
	// OAuthClientID is the OAuth2 client id (DSN: OAuthClientId).
	OAuthClientID string
	// OAuthClientSecret is the OAuth2 client secret (DSN: OAuthClientSecret).
	OAuthClientSecret string
	// OAuthTokenURL is the OAuth2 token endpoint (DSN: OAuthTokenURL).
	OAuthTokenURL string
	// OAuthScopes are the OAuth2 scopes, comma or space separated, as given
	// (DSN: OAuthScopes).
	OAuthScopes string
	// OAuthRefreshToken is the refresh token of the refresh_token grant
	// (DSN: OAuthRefreshToken).
	OAuthRefreshToken string
	// OAuthGrantType is client_credentials, password or refresh_token (DSN:
	// OAuthGrantType; default client_credentials).
	OAuthGrantType string
	// SecretsFile is a JSON object of string values that resolves ${Name}
	// placeholders (DSN: SecretsFile).
	SecretsFile string
	// Logfile is STDOUT://, STDERR:// or a file path; "" logs nothing (DSN:
	// Logfile).
	Logfile string
	// Verbosity is the log detail, 1 to 5 (DSN: Verbosity; default 1).
	Verbosity int
	// Timeout bounds one HTTP request; 0 means none (DSN: Timeout, in
	// seconds, may be fractional; default 60 seconds).
	Timeout time.Duration
	// MaxRetries is the number of retries of an idempotent request on 429,
	// 5xx and network errors (DSN: MaxRetries; default 3).
	MaxRetries int
	// RateLimit is the requests per second per catalog; 0 means no limit
	// (DSN: RateLimit).
	RateLimit float64
	// MaxConcurrency bounds the HTTP requests in flight for one query (DSN:
	// MaxConcurrency; default 4).
	MaxConcurrency int
	// PageSize overrides the page size of every table, up to a table's
	// declared maxPageSize; 0 keeps the profile's (DSN: PageSize).
	PageSize int
	// MaxPages bounds the pages read for one table scan; 0 means no bound
	// (DSN: MaxPages).
	MaxPages int
	// SpeculativePages lets an offset or page walk whose end is unknown
	// (no total, no LIMIT) request up to this many pages ahead while pages
	// come back full; those past the end are dropped. 0 keeps such walks
	// sequential; -1 (NewConfig's default) asks for as many pages as a
	// walk with a known total (2 × MaxConcurrency − 1; none with
	// MaxConcurrency 1) (DSN: SpeculativePages).
	SpeculativePages int
	// Fixtures is the directory of recorded HTTP exchanges (DSN: Fixtures).
	Fixtures string
	// FixtureMode is record, replay or off (DSN: FixtureMode; default off).
	FixtureMode string
	// AllowUnfilteredWrites lets UPDATE and DELETE without a WHERE clause
	// run; they change every row of the table, and a REST API cannot roll
	// them back, so they are refused by default (DSN: SafeUpdates, its
	// opposite; default SafeUpdates=true, so false here). Any WHERE clause,
	// even WHERE TRUE, is an explicit choice and runs either way.
	AllowUnfilteredWrites bool
	// AnsiQuotes reads "name" in SQL as an identifier, as standard SQL and
	// PostgreSQL do, instead of as a string (MySQL); strings are then
	// written '…' (DSN: AnsiQuotes; default false).
	AnsiQuotes bool
	// Cache keeps GET responses for reuse: "memory", or the path of a
	// directory (created when missing, reused across runs); "" keeps
	// none (DSN: Cache). See the httpcache package for what is stored and
	// when it is reused.
	Cache string
	// CacheTTL is how long a cached response that states no freshness of
	// its own (no Cache-Control max-age, no Expires) is reused without
	// asking the API; a stale one with an ETag or Last-Modified is
	// revalidated with a conditional request (DSN: CacheTTL, in seconds;
	// default 60).
	CacheTTL time.Duration
	// CacheMaxBytes bounds the cache's bodies and header fields; the least
	// recently used responses go first (DSN: CacheMaxBytes; default 64 MiB).
	CacheMaxBytes int
	// QueryTimeout bounds one query from its start to its last row, every
	// request and retry included; 0 means none (DSN: QueryTimeout, in
	// seconds, may be fractional; default 0).
	QueryTimeout time.Duration
	// ColumnsTTL is how long the columns a table reads from its metadata
	// endpoint (columnsFrom:) are kept; 0 means for the connector's life
	// (DSN: ColumnsTTL, in seconds; default 0).
	ColumnsTTL time.Duration

	// deferred holds the DSN values of the number properties that were
	// written with ${Name} placeholders, by canonical name: they are
	// resolved and checked when a connector opens the Config.
	deferred map[string]string

	// HTTPClient sends the requests (not in the DSN). It wins over Transport.
	HTTPClient *http.Client
	// Transport sends the requests of a client the driver creates (not in
	// the DSN).
	Transport http.RoundTripper
	// Catalogs are catalogs defined in Go, used with or instead of the
	// profile's (not in the DSN). Each needs its Name.
	Catalogs []*catalog.Catalog
	// Lookup is a source of ${Name} values consulted after the DSN's
	// properties and before the SecretsFile (not in the DSN).
	Lookup func(name string) (string, bool)
	// Extension adds tables and scalar functions of a program's own to
	// the connector's SQL (not in the DSN); see Extension.
	Extension Extension
}

// NewConfig returns a Config holding every default.
func NewConfig() *Config {
	return &Config{
		Verbosity:      defaultVerbosity,
		Timeout:        defaultTimeout,
		MaxRetries:     defaultMaxRetries,
		MaxConcurrency: defaultMaxConcurrency,
		APIKeyName:     defaultAPIKeyName,
		APIKeyIn:       defaultAPIKeyIn,
		OAuthGrantType: defaultGrantType,
		FixtureMode:    defaultFixtureMode,
		CacheTTL:       defaultCacheTTL,
		CacheMaxBytes:  defaultCacheMaxBytes,
		// As many pages ahead as with a known total.
		SpeculativePages: -1,
	}
}

// Clone returns a copy of c that a connector can own: the Catalogs are deep
// copies; HTTPClient, Transport, Lookup and Extension are shared.
func (c *Config) Clone() *Config {
	cp := *c
	if c.deferred != nil {
		cp.deferred = make(map[string]string, len(c.deferred))
		for k, v := range c.deferred {
			cp.deferred[k] = v
		}
	}
	if c.Catalogs != nil {
		cp.Catalogs = make([]*catalog.Catalog, len(c.Catalogs))
		for i, cat := range c.Catalogs {
			cp.Catalogs[i] = cat.Clone()
		}
	}
	return &cp
}

// property is one DSN property: its canonical spelling and how it is read
// from and written to a Config.
type property struct {
	name string
	// text properties keep their ${Name} placeholders in their field;
	// the others (numbers) keep them aside in Config.deferred until open.
	text bool
	// secret properties' values are never shown, even in part, in an error.
	secret bool
	get    func(c *Config) string
	// set parses a DSN value; its errors lack the "restsql: dsn: Name: " prefix.
	set func(c *Config, v string) error
}

func stringProp(name string, secret bool, field func(c *Config) *string) property {
	return property{
		name:   name,
		text:   true,
		secret: secret,
		get:    func(c *Config) string { return *field(c) },
		set:    func(c *Config, v string) error { *field(c) = v; return nil },
	}
}

// boolProp is a true/false property; negate maps it to a field that means
// its opposite (SafeUpdates to AllowUnfilteredWrites).
func boolProp(name string, negate bool, field func(c *Config) *bool) property {
	return property{
		name: name,
		get:  func(c *Config) string { return strconv.FormatBool(*field(c) != negate) },
		set: func(c *Config, v string) error {
			b, ok := parseBool(v)
			if !ok {
				return fmt.Errorf("invalid value %q (want true or false)", v)
			}
			*field(c) = b != negate
			return nil
		},
	}
}

// parseBool reads true/false, yes/no, on/off and 1/0 in any case.
func parseBool(v string) (bool, bool) {
	switch strings.ToLower(v) {
	case "true", "yes", "on", "1":
		return true, true
	case "false", "no", "off", "0":
		return false, true
	}
	return false, false
}

// noMax is the upper bound of a number that has none.
const noMax = -1

func intProp(name string, lo, hi int64, field func(c *Config) *int) property {
	return property{
		name: name,
		get:  func(c *Config) string { return strconv.Itoa(*field(c)) },
		set: func(c *Config, v string) error {
			n, err := strconv.Atoi(v)
			switch {
			case errors.Is(err, strconv.ErrRange):
				return rangeError(v, lo, hi, "")
			case err != nil:
				return fmt.Errorf("invalid number %q", v)
			}
			if err := checkRange(n, lo, hi); err != nil {
				return err
			}
			*field(c) = n
			return nil
		},
	}
}

// checkRange checks that lo <= n <= hi (hi == noMax: no upper bound).
func checkRange(n int, lo, hi int64) error {
	if int64(n) < lo || hi != noMax && int64(n) > hi {
		return rangeError(strconv.Itoa(n), lo, hi, "")
	}
	return nil
}

// rangeError says that the number v is not within lo..hi.
func rangeError(v string, lo, hi int64, unit string) error {
	if unit != "" {
		unit = " " + unit
	}
	if hi == noMax {
		return fmt.Errorf("%s is out of range (want %d or more%s)", v, lo, unit)
	}
	return fmt.Errorf("%s is out of range (want %d to %d%s)", v, lo, hi, unit)
}

func fmtFloat(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }

// properties lists the DSN's properties in the order FormatDSN writes them.
var properties = []property{
	stringProp("Profile", false, func(c *Config) *string { return &c.Profile }),
	stringProp("defaultCatalog", false, func(c *Config) *string { return &c.DefaultCatalog }),
	stringProp("defaultSchema", false, func(c *Config) *string { return &c.DefaultSchema }),
	stringProp("URL", false, func(c *Config) *string { return &c.URL }),
	stringProp("AuthScheme", false, func(c *Config) *string { return &c.AuthScheme }),
	stringProp("User", false, func(c *Config) *string { return &c.User }),
	stringProp("Password", true, func(c *Config) *string { return &c.Password }),
	stringProp("Token", true, func(c *Config) *string { return &c.Token }),
	stringProp("APIKey", true, func(c *Config) *string { return &c.APIKey }),
	stringProp("APIKeyName", false, func(c *Config) *string { return &c.APIKeyName }),
	stringProp("APIKeyIn", false, func(c *Config) *string { return &c.APIKeyIn }),
	stringProp("OAuthClientId", false, func(c *Config) *string { return &c.OAuthClientID }),
	stringProp("OAuthClientSecret", true, func(c *Config) *string { return &c.OAuthClientSecret }),
	stringProp("OAuthTokenURL", false, func(c *Config) *string { return &c.OAuthTokenURL }),
	stringProp("OAuthScopes", false, func(c *Config) *string { return &c.OAuthScopes }),
	stringProp("OAuthRefreshToken", true, func(c *Config) *string { return &c.OAuthRefreshToken }),
	stringProp("OAuthGrantType", false, func(c *Config) *string { return &c.OAuthGrantType }),
	stringProp("SecretsFile", false, func(c *Config) *string { return &c.SecretsFile }),
	stringProp("Logfile", false, func(c *Config) *string { return &c.Logfile }),
	intProp("Verbosity", 1, 5, func(c *Config) *int { return &c.Verbosity }),
	secondsProp("Timeout", func(c *Config) *time.Duration { return &c.Timeout }),
	intProp("MaxRetries", 0, noMax, func(c *Config) *int { return &c.MaxRetries }),
	{
		name: "RateLimit",
		get:  func(c *Config) string { return fmtFloat(c.RateLimit) },
		set: func(c *Config, v string) error {
			f, err := strconv.ParseFloat(v, 64)
			switch {
			case err != nil && !errors.Is(err, strconv.ErrRange), math.IsNaN(f), math.IsInf(f, 0) && err == nil:
				return fmt.Errorf("invalid number %q", v)
			case err != nil, f < 0:
				return rangeError(v, 0, noMax, "requests per second")
			}
			if f == 0 {
				f = 0 // not -0
			}
			c.RateLimit = f
			return nil
		},
	},
	intProp("MaxConcurrency", 1, noMax, func(c *Config) *int { return &c.MaxConcurrency }),
	intProp("PageSize", 0, noMax, func(c *Config) *int { return &c.PageSize }),
	intProp("MaxPages", 0, noMax, func(c *Config) *int { return &c.MaxPages }),
	intProp("SpeculativePages", -1, noMax, func(c *Config) *int { return &c.SpeculativePages }),
	stringProp("Fixtures", false, func(c *Config) *string { return &c.Fixtures }),
	stringProp("FixtureMode", false, func(c *Config) *string { return &c.FixtureMode }),
	boolProp("SafeUpdates", true, func(c *Config) *bool { return &c.AllowUnfilteredWrites }),
	boolProp("AnsiQuotes", false, func(c *Config) *bool { return &c.AnsiQuotes }),
	stringProp("Cache", false, func(c *Config) *string { return &c.Cache }),
	secondsProp("CacheTTL", func(c *Config) *time.Duration { return &c.CacheTTL }),
	intProp("CacheMaxBytes", 1, noMax, func(c *Config) *int { return &c.CacheMaxBytes }),
	secondsProp("QueryTimeout", func(c *Config) *time.Duration { return &c.QueryTimeout }),
	secondsProp("ColumnsTTL", func(c *Config) *time.Duration { return &c.ColumnsTTL }),
}

// secondsProp is a duration written as a number of seconds.
func secondsProp(name string, field func(c *Config) *time.Duration) property {
	return property{
		name: name,
		get:  func(c *Config) string { return formatSeconds(*field(c)) },
		set: func(c *Config, v string) error {
			d, err := parseSeconds(v)
			if err != nil {
				return err
			}
			*field(c) = d
			return nil
		},
	}
}

// value is the DSN text of p in c: its field's value, or the placeholder
// text of a number property whose value is deferred.
func (p *property) value(c *Config) string {
	if raw, ok := c.deferred[p.name]; ok {
		return raw
	}
	return p.get(c)
}

// propertyIndex maps a lower-case property name to its property.
var propertyIndex = func() map[string]*property {
	m := make(map[string]*property, len(properties))
	for i := range properties {
		m[strings.ToLower(properties[i].name)] = &properties[i]
	}
	return m
}()

// parseSeconds reads a non-negative number of seconds, exactly when it is
// written as a plain decimal ("1.5"), and to the nearest nanosecond in any
// other form strconv.ParseFloat reads ("1e3").
func parseSeconds(v string) (time.Duration, error) {
	tooLarge := rangeError(v, 0, maxTimeoutSeconds, "seconds")
	f, err := strconv.ParseFloat(v, 64)
	switch {
	case err != nil && !errors.Is(err, strconv.ErrRange), math.IsNaN(f), math.IsInf(f, 0) && err == nil:
		return 0, fmt.Errorf("invalid number %q", v)
	case err != nil, f < 0, f > float64(maxTimeoutSeconds)+1:
		return 0, tooLarge
	}
	if f > 0 && f < 1e-9 {
		// Rounded to 0 it would mean "no limit", the opposite of what was asked.
		return 0, fmt.Errorf("%q is less than a nanosecond", v)
	}
	intPart, frac, _ := strings.Cut(strings.TrimPrefix(v, "+"), ".")
	if !allDigits(intPart) || !allDigits(frac) {
		ns := math.Round(f * float64(time.Second))
		if ns >= math.MaxInt64 {
			return 0, tooLarge
		}
		return time.Duration(ns), nil
	}
	// A plain decimal: exact to the nanosecond (further digits are dropped).
	sec, err := strconv.ParseInt("0"+intPart, 10, 64)
	if err != nil || sec > maxTimeoutSeconds {
		return 0, tooLarge
	}
	ns, _ := strconv.ParseInt((frac + "000000000")[:9], 10, 64)
	if sec == maxTimeoutSeconds && ns > math.MaxInt64%int64(time.Second) {
		return 0, tooLarge
	}
	return time.Duration(sec)*time.Second + time.Duration(ns), nil
}

// maxTimeoutSeconds is the whole number of seconds a time.Duration holds.
const maxTimeoutSeconds = math.MaxInt64 / int64(time.Second)

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// formatSeconds writes d as a decimal number of seconds, exactly.
func formatSeconds(d time.Duration) string {
	sign := ""
	if d < 0 {
		if d == math.MinInt64 {
			return "-9223372036.854775808"
		}
		sign, d = "-", -d
	}
	s := sign + strconv.FormatInt(int64(d/time.Second), 10)
	if ns := d % time.Second; ns != 0 {
		s += "." + strings.TrimRight(fmt.Sprintf("%09d", ns), "0")
	}
	return s
}

// ParseDSN parses a DSN of the form
//
//	[jdbc:][cdata:Connect:]Key=Value;Key=Value;...
//
// into a Config that starts from NewConfig. Keys are case-insensitive. A
// value runs to the next ';' (surrounding space trimmed), or is quoted with
// '…' or "…" (a doubled quote stands for itself) or {…} (which may hold ';',
// '=' and balanced braces). Empty segments are allowed. A segment without
// '=', a duplicate or unknown key, a bad number or an unknown enumeration
// value is an error; no error shows the value of Password, Token, APIKey,
// OAuthClientSecret or OAuthRefreshToken. ${Name} placeholders are kept as
// they are (see Config.Expander). Its errors are ErrConfig.
func ParseDSN(dsn string) (*Config, error) {
	cfg, err := parseDSN(dsn)
	if err != nil {
		return nil, errcode.Wrap(errcode.Config, err)
	}
	return cfg, nil
}

func parseDSN(dsn string) (*Config, error) {
	cfg := NewConfig()
	seen := make(map[*property]bool)
	sc := dsnScanner{s: stripDSNPrefix(dsn)}
	for {
		key, value, ok, err := sc.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		p := propertyIndex[strings.ToLower(key)]
		if p == nil {
			if sc.afterOpenSecret != "" {
				return nil, fmt.Errorf("restsql: dsn: unknown property after the %s value (quote a value that holds \";\" with '…', \"…\" or {…})", sc.afterOpenSecret)
			}
			return nil, unknownPropertyError(key)
		}
		if seen[p] {
			return nil, fmt.Errorf("restsql: dsn: duplicate property %s", p.name)
		}
		seen[p] = true
		if !p.text && catalog.HasPlaceholder(value) {
			// Resolved when a connector opens the Config (resolveAtOpen).
			if cfg.deferred == nil {
				cfg.deferred = map[string]string{}
			}
			cfg.deferred[p.name] = value
		} else if err := p.set(cfg, value); err != nil {
			return nil, fmt.Errorf("restsql: dsn: %s: %w", p.name, err)
		}
		sc.afterOpenSecret = ""
		if p.secret && sc.lastUnquoted {
			sc.afterOpenSecret = p.name
		}
	}
	if err := cfg.normalize(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// unknownPropertyError names an unknown key and the nearest known one.
func unknownPropertyError(key string) error {
	names := make([]string, len(properties))
	for i, p := range properties {
		names[i] = p.name
	}
	if s, ok := catalog.Nearest(key, names); ok {
		return fmt.Errorf("restsql: dsn: unknown property %q (did you mean %q?)", key, s)
	}
	return fmt.Errorf("restsql: dsn: unknown property %q", key)
}

// stripDSNPrefix removes the optional "jdbc:" and "cdata:Connect:" prefixes.
func stripDSNPrefix(dsn string) string {
	s := strings.TrimLeftFunc(dsn, unicode.IsSpace)
	for _, prefix := range []string{"jdbc:", "cdata:connect:"} {
		if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
			s = s[len(prefix):]
		}
	}
	return s
}

// dsnScanner reads the Key=Value segments of a DSN.
type dsnScanner struct {
	s string
	i int
	// lastUnquoted is set when the last value read was not quoted.
	lastUnquoted bool
	// afterOpenSecret names the secret property whose unquoted value came
	// just before: text that follows it may be part of the secret, so
	// errors about it do not quote it.
	afterOpenSecret string
}

func (sc *dsnScanner) skipSpace() {
	for sc.i < len(sc.s) {
		r, n := rune(sc.s[sc.i]), 1
		if r >= 0x80 {
			r, n = utf8.DecodeRuneInString(sc.s[sc.i:])
		}
		if !unicode.IsSpace(r) {
			return
		}
		sc.i += n
	}
}

// next returns the next key and value; ok is false at the end of the DSN.
func (sc *dsnScanner) next() (key, value string, ok bool, err error) {
	for {
		sc.skipSpace()
		if sc.i >= len(sc.s) {
			return "", "", false, nil
		}
		if sc.s[sc.i] != ';' {
			break
		}
		sc.i++ // an empty segment
	}
	start := sc.i
	end := strings.IndexAny(sc.s[start:], "=;")
	if end < 0 || sc.s[start+end] == ';' {
		segment := sc.s[start:]
		if end >= 0 {
			segment = segment[:end]
		}
		if sc.afterOpenSecret != "" {
			return "", "", false, fmt.Errorf("restsql: dsn: the text after the %s value has no \"=\" (quote a value that holds \";\" with '…', \"…\" or {…})", sc.afterOpenSecret)
		}
		return "", "", false, fmt.Errorf("restsql: dsn: %q has no \"=\" (want Key=Value)", strings.TrimSpace(segment))
	}
	key = strings.TrimSpace(sc.s[start : start+end])
	if key == "" {
		return "", "", false, errors.New(`restsql: dsn: a property name is missing before "="`)
	}
	sc.i = start + end + 1
	sc.skipSpace()
	if sc.i >= len(sc.s) {
		sc.lastUnquoted = true
		return key, "", true, nil
	}
	switch c := sc.s[sc.i]; c {
	case '\'', '"':
		value, err = sc.quoted(key, c)
	case '{':
		value, err = sc.braced(key)
	default:
		end := strings.IndexByte(sc.s[sc.i:], ';')
		if end < 0 {
			end = len(sc.s) - sc.i
		}
		value = strings.TrimSpace(sc.s[sc.i : sc.i+end])
		sc.i += end
		sc.lastUnquoted = true
		return key, value, true, nil
	}
	if err != nil {
		return "", "", false, err
	}
	sc.lastUnquoted = false
	sc.skipSpace()
	if sc.i < len(sc.s) && sc.s[sc.i] != ';' {
		return "", "", false, fmt.Errorf("restsql: dsn: %s: unexpected text after the quoted value (want \";\")", sc.keyLabel(key))
	}
	return key, value, true, nil
}

// quoted reads a value in quotes q; a doubled quote stands for itself.
func (sc *dsnScanner) quoted(key string, q byte) (string, error) {
	var b strings.Builder
	i := sc.i + 1
	for {
		j := strings.IndexByte(sc.s[i:], q)
		if j < 0 {
			return "", fmt.Errorf("restsql: dsn: %s: unterminated quoted value (missing %c)", sc.keyLabel(key), q)
		}
		b.WriteString(sc.s[i : i+j])
		i += j + 1
		if i < len(sc.s) && sc.s[i] == q {
			b.WriteByte(q)
			i++
			continue
		}
		sc.i = i
		return b.String(), nil
	}
}

// braced reads a value in braces, which may nest.
func (sc *dsnScanner) braced(key string) (string, error) {
	depth := 0
	for i := sc.i; i < len(sc.s); i++ {
		switch sc.s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				v := sc.s[sc.i+1 : i]
				sc.i = i + 1
				return v, nil
			}
		}
	}
	return "", fmt.Errorf("restsql: dsn: %s: unterminated {…} value (missing })", sc.keyLabel(key))
}

// keyLabel names a key in an error: a known key in its canonical spelling,
// an unknown one quoted, unless it may be part of a secret.
func (sc *dsnScanner) keyLabel(key string) string {
	if p := propertyIndex[strings.ToLower(key)]; p != nil {
		return p.name
	}
	if sc.afterOpenSecret != "" {
		return "the property after the " + sc.afterOpenSecret + " value"
	}
	return fmt.Sprintf("%q", key)
}

// normalize fills in the defaults a Config built in Go may lack (a zero
// Verbosity, MaxConcurrency, APIKeyName, APIKeyIn, OAuthGrantType or
// FixtureMode), rewrites the enumerations in their canonical spelling and
// checks the values' ranges.
func (c *Config) normalize() error {
	if c.Verbosity == 0 {
		c.Verbosity = defaultVerbosity
	}
	if c.MaxConcurrency == 0 {
		c.MaxConcurrency = defaultMaxConcurrency
	}
	if c.CacheMaxBytes == 0 {
		c.CacheMaxBytes = defaultCacheMaxBytes
	}
	if c.APIKeyName == "" {
		c.APIKeyName = defaultAPIKeyName
	}
	if c.APIKeyIn == "" {
		c.APIKeyIn = defaultAPIKeyIn
	}
	if c.OAuthGrantType == "" {
		c.OAuthGrantType = defaultGrantType
	}
	if c.FixtureMode == "" {
		c.FixtureMode = defaultFixtureMode
	}
	enums := []struct {
		name  string
		field *string
		want  []string
	}{
		{"APIKeyIn", &c.APIKeyIn, []string{"header", "query"}},
		{"OAuthGrantType", &c.OAuthGrantType, []string{"client_credentials", "password", "refresh_token"}},
		{"FixtureMode", &c.FixtureMode, []string{FixtureRecord, FixtureReplay, FixtureOff}},
	}
	if c.AuthScheme != "" && !catalog.HasPlaceholder(c.AuthScheme) {
		s, ok := catalog.CanonicalAuthScheme(c.AuthScheme)
		if !ok {
			return fmt.Errorf("restsql: dsn: AuthScheme: unknown scheme %q (want None, Basic, Digest, Bearer, APIKey, OAuth2)", c.AuthScheme)
		}
		c.AuthScheme = s
	}
	for _, e := range enums {
		if catalog.HasPlaceholder(*e.field) {
			continue // checked once resolved, at open
		}
		v, ok := oneOf(*e.field, e.want)
		if !ok {
			return fmt.Errorf("restsql: dsn: %s: unknown value %q (want %s)", e.name, *e.field, strings.Join(e.want, ", "))
		}
		*e.field = v
	}
	ints := []struct {
		name   string
		v      int
		lo, hi int64
	}{
		{"Verbosity", c.Verbosity, 1, 5},
		{"MaxRetries", c.MaxRetries, 0, noMax},
		{"MaxConcurrency", c.MaxConcurrency, 1, noMax},
		{"PageSize", c.PageSize, 0, noMax},
		{"MaxPages", c.MaxPages, 0, noMax},
		{"SpeculativePages", c.SpeculativePages, -1, noMax},
		{"CacheMaxBytes", c.CacheMaxBytes, 1, noMax},
	}
	for _, n := range ints {
		if err := checkRange(n.v, n.lo, n.hi); err != nil {
			return fmt.Errorf("restsql: dsn: %s: %w", n.name, err)
		}
	}
	if c.CacheTTL < 0 {
		return fmt.Errorf("restsql: dsn: CacheTTL: %w", rangeError(formatSeconds(c.CacheTTL), 0, maxTimeoutSeconds, "seconds"))
	}
	if c.Timeout < 0 {
		return fmt.Errorf("restsql: dsn: Timeout: %w", rangeError(formatSeconds(c.Timeout), 0, maxTimeoutSeconds, "seconds"))
	}
	if c.ColumnsTTL < 0 {
		return fmt.Errorf("restsql: dsn: ColumnsTTL: %w", rangeError(formatSeconds(c.ColumnsTTL), 0, maxTimeoutSeconds, "seconds"))
	}
	if c.QueryTimeout < 0 {
		return fmt.Errorf("restsql: dsn: QueryTimeout: %w", rangeError(formatSeconds(c.QueryTimeout), 0, maxTimeoutSeconds, "seconds"))
	}
	if c.RateLimit < 0 || math.IsNaN(c.RateLimit) || math.IsInf(c.RateLimit, 0) {
		return fmt.Errorf("restsql: dsn: RateLimit: %w", rangeError(fmtFloat(c.RateLimit), 0, noMax, "requests per second"))
	}
	if c.FixtureMode != FixtureOff && c.Fixtures == "" && !catalog.HasPlaceholder(c.FixtureMode) {
		return fmt.Errorf("restsql: dsn: FixtureMode %s needs Fixtures (the directory of recorded exchanges)", c.FixtureMode)
	}
	return nil
}

// oneOf returns the element of list equal to s under case folding.
func oneOf(s string, list []string) (string, bool) {
	for _, v := range list {
		if strings.EqualFold(s, v) {
			return v, true
		}
	}
	return "", false
}

// defaultValues are the DSN values of NewConfig, which FormatDSN leaves out.
var defaultValues = func() map[string]string {
	d := NewConfig()
	m := make(map[string]string, len(properties))
	for _, p := range properties {
		m[p.name] = p.get(d)
	}
	return m
}()

// FormatDSN returns the DSN of c, which ParseDSN reads back to an equal
// Config: the properties whose values differ from NewConfig's, in canonical
// spelling and order, quoted where needed. ${Name} placeholders are written
// as they are; the fields that are not in the DSN (HTTPClient, Transport,
// Catalogs, Lookup, Extension) are left out.
func (c *Config) FormatDSN() string {
	var b strings.Builder
	for _, p := range properties {
		v := p.value(c)
		if v == defaultValues[p.name] {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(';')
		}
		b.WriteString(p.name)
		b.WriteByte('=')
		b.WriteString(quoteDSNValue(v))
	}
	return b.String()
}

// quoteDSNValue quotes v with '…' when ParseDSN would not read it back as it is.
func quoteDSNValue(v string) string {
	if v != "" && !strings.Contains(v, ";") && strings.TrimSpace(v) == v && !strings.ContainsAny(v[:1], `'"{`) {
		return v
	}
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// openTimeResolved are the text properties whose ${Name} placeholders a
// connector resolves when it opens: nothing resolves them later. The
// credentials, URL and Profile are resolved where they are used.
var openTimeResolved = []string{"defaultCatalog", "defaultSchema", "AuthScheme", "APIKeyIn", "OAuthGrantType", "Logfile", "Fixtures", "FixtureMode", "Cache"}

// resolveAtOpen resolves the placeholders of the properties nothing
// resolves later (openTimeResolved) and of the deferred number properties,
// sets them, and checks the result (normalize). Its errors name the DSN
// property.
func (c *Config) resolveAtOpen(expand func(string) (string, error)) error {
	for _, name := range openTimeResolved {
		p := propertyIndex[strings.ToLower(name)]
		raw := p.get(c)
		if !catalog.HasPlaceholder(raw) {
			continue
		}
		v, err := expand(raw)
		if err != nil {
			return fmt.Errorf("restsql: dsn: %s: %w", p.name, err)
		}
		if err := p.set(c, v); err != nil {
			return fmt.Errorf("restsql: dsn: %s: %w", p.name, err)
		}
	}
	for _, p := range properties {
		raw, ok := c.deferred[p.name]
		if !ok {
			continue
		}
		v, err := expand(raw)
		if err != nil {
			return fmt.Errorf("restsql: dsn: %s: %w", p.name, err)
		}
		if err := p.set(c, strings.TrimSpace(v)); err != nil {
			return fmt.Errorf("restsql: dsn: %s (%s): %w", p.name, raw, err)
		}
	}
	c.deferred = nil
	return c.normalize()
}
