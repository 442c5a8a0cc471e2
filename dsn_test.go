package restsql

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// configWith returns NewConfig() changed by set.
func configWith(set func(c *Config)) *Config {
	c := NewConfig()
	set(c)
	return c
}

// dsnTests are valid and invalid DSNs; they also seed FuzzParseDSN.
var dsnTests = []struct {
	name string
	dsn  string
	want *Config // nil when err is set
	err  string
}{
	// Valid.
	{name: "empty", dsn: "", want: NewConfig()},
	{name: "empty segments", dsn: " ;;; ; ", want: NewConfig()},
	{name: "design example",
		dsn: "cdata:Connect:AuthScheme=Basic;User=${Username};Password=${Password};defaultCatalog=API1;Profile=api.yaml",
		want: configWith(func(c *Config) {
			c.AuthScheme, c.User, c.Password, c.DefaultCatalog, c.Profile = "Basic", "${Username}", "${Password}", "API1", "api.yaml"
		})},
	{name: "jdbc prefix", dsn: "jdbc:cdata:Connect:Profile=a.yaml", want: configWith(func(c *Config) { c.Profile = "a.yaml" })},
	{name: "prefixes ignore case", dsn: "  JDBC:CDATA:CONNECT:profile=a.yaml", want: configWith(func(c *Config) { c.Profile = "a.yaml" })},
	{name: "jdbc prefix alone", dsn: "jdbc:Profile=a.yaml;", want: configWith(func(c *Config) { c.Profile = "a.yaml" })},
	{name: "keys ignore case", dsn: "PROFILE=a;defaultcatalog=b;DEFAULTSCHEMA=c;url=http://h;oauthclientid=id",
		want: configWith(func(c *Config) {
			c.Profile, c.DefaultCatalog, c.DefaultSchema, c.URL, c.OAuthClientID = "a", "b", "c", "http://h", "id"
		})},
	{name: "space around keys and values", dsn: "  User = bob  ;\tPassword =  p w  ;\n", want: configWith(func(c *Config) { c.User, c.Password = "bob", "p w" })},
	{name: "single quotes", dsn: "Password='a;b=c''d'", want: configWith(func(c *Config) { c.Password = "a;b=c'd" })},
	{name: "double quotes", dsn: `Password="x""y;'z'" ; User=u`, want: configWith(func(c *Config) { c.Password, c.User = `x"y;'z'`, "u" })},
	{name: "quotes keep space", dsn: "User=' bob ';Token=\" t \"", want: configWith(func(c *Config) { c.User, c.Token = " bob ", " t " })},
	{name: "empty quotes", dsn: "User='';Token=\"\"", want: NewConfig()},
	{name: "braces", dsn: "URL={http://h/?a=1;b=2}", want: configWith(func(c *Config) { c.URL = "http://h/?a=1;b=2" })},
	{name: "nested braces", dsn: "Password={a{b;}c'} ;User=u", want: configWith(func(c *Config) { c.Password, c.User = "a{b;}c'", "u" })},
	{name: "quote inside an unquoted value", dsn: "User=o'brien;Token=a\"b", want: configWith(func(c *Config) { c.User, c.Token = "o'brien", `a"b` })},
	{name: "equals inside an unquoted value", dsn: "URL=http://h/?a=b&c=d", want: configWith(func(c *Config) { c.URL = "http://h/?a=b&c=d" })},
	{name: "empty values", dsn: "User=;Token=  ;APIKey=", want: NewConfig()},
	{name: "empty value at the end", dsn: "User=", want: NewConfig()},
	{name: "placeholders are kept", dsn: "Password=${PW};Token=$${literal};APIKey=a${K}b",
		want: configWith(func(c *Config) { c.Password, c.Token, c.APIKey = "${PW}", "$${literal}", "a${K}b" })},
	{name: "numbers", dsn: "Verbosity=5;Timeout=1.5;MaxRetries=0;RateLimit=2.5;MaxConcurrency=16;PageSize=100;MaxPages=10;SpeculativePages=3",
		want: configWith(func(c *Config) {
			c.Verbosity, c.Timeout, c.MaxRetries, c.RateLimit, c.MaxConcurrency, c.PageSize, c.MaxPages = 5, 1500*time.Millisecond, 0, 2.5, 16, 100, 10
			c.SpeculativePages = 3
		})},
	{name: "timeout zero", dsn: "Timeout=0", want: configWith(func(c *Config) { c.Timeout = 0 })},
	{name: "timeout with a sign", dsn: "Timeout=+2", want: configWith(func(c *Config) { c.Timeout = 2 * time.Second })},
	{name: "timeout fraction only", dsn: "Timeout=.25", want: configWith(func(c *Config) { c.Timeout = 250 * time.Millisecond })},
	{name: "timeout nanoseconds", dsn: "Timeout=0.000000001", want: configWith(func(c *Config) { c.Timeout = time.Nanosecond })},
	{name: "timeout below a nanosecond", dsn: "Timeout=0.0000000019", want: configWith(func(c *Config) { c.Timeout = time.Nanosecond })},
	{name: "timeout exponent", dsn: "Timeout=1e3", want: configWith(func(c *Config) { c.Timeout = 1000 * time.Second })},
	{name: "timeout maximum", dsn: "Timeout=9223372036.854775807", want: configWith(func(c *Config) { c.Timeout = math.MaxInt64 })},
	{name: "rate limit exponent", dsn: "RateLimit=1e-3", want: configWith(func(c *Config) { c.RateLimit = 0.001 })},
	{name: "rate limit negative zero", dsn: "RateLimit=-0", want: NewConfig()},
	{name: "numbers with a plus", dsn: "MaxRetries=+7", want: configWith(func(c *Config) { c.MaxRetries = 7 })},
	{name: "enumerations are canonical", dsn: "AuthScheme=oauth2;APIKeyIn=QUERY;OAuthGrantType=Refresh_Token;FixtureMode=REPLAY;Fixtures=testdata/fx",
		want: configWith(func(c *Config) {
			c.AuthScheme, c.APIKeyIn, c.OAuthGrantType, c.FixtureMode, c.Fixtures = "OAuth2", "query", "refresh_token", "replay", "testdata/fx"
		})},
	{name: "every auth scheme", dsn: "AuthScheme=apikey", want: configWith(func(c *Config) { c.AuthScheme = "APIKey" })},
	{name: "enumeration defaults when empty", dsn: "APIKeyName=;APIKeyIn=;OAuthGrantType=;FixtureMode=", want: NewConfig()},
	{name: "every string property",
		dsn: "Profile=p.yaml;defaultCatalog=C;defaultSchema=S;URL=http://u;AuthScheme=None;User=u;Password=p;Token=t;APIKey=k;" +
			"APIKeyName=X-Key;APIKeyIn=query;OAuthClientId=ci;OAuthClientSecret=cs;OAuthTokenURL=http://t/token;" +
			"OAuthScopes=read write,admin;OAuthRefreshToken=rt;OAuthGrantType=password;SecretsFile=s.json;Logfile=STDERR://;" +
			"Fixtures=fx;FixtureMode=record;Cache=memory",
		want: &Config{Profile: "p.yaml", DefaultCatalog: "C", DefaultSchema: "S", URL: "http://u", AuthScheme: "None",
			User: "u", Password: "p", Token: "t", APIKey: "k", APIKeyName: "X-Key", APIKeyIn: "query",
			OAuthClientID: "ci", OAuthClientSecret: "cs", OAuthTokenURL: "http://t/token", OAuthScopes: "read write,admin",
			OAuthRefreshToken: "rt", OAuthGrantType: "password", SecretsFile: "s.json", Logfile: "STDERR://", SpeculativePages: -1,
			Verbosity: 1, Timeout: time.Minute, MaxRetries: 3, MaxConcurrency: 4, Fixtures: "fx", FixtureMode: "record",
			Cache: "memory", CacheTTL: time.Minute, CacheMaxBytes: 64 << 20}},
	{name: "columns TTL", dsn: "ColumnsTTL=600", want: configWith(func(c *Config) { c.ColumnsTTL = 10 * time.Minute })},
	{name: "booleans", dsn: "SafeUpdates=false;AnsiQuotes=TRUE", want: configWith(func(c *Config) { c.AllowUnfilteredWrites, c.AnsiQuotes = true, true })},
	{name: "booleans in other words", dsn: "SafeUpdates=Off;AnsiQuotes=1", want: configWith(func(c *Config) { c.AllowUnfilteredWrites, c.AnsiQuotes = true, true })},
	{name: "boolean defaults spelled out", dsn: "SafeUpdates=yes;AnsiQuotes=no", want: NewConfig()},
	{name: "unicode space is trimmed", dsn: "\u00a0User\u2003=\u3000bob\u00a0", want: configWith(func(c *Config) { c.User = "bob" })},

	// Invalid.
	{name: "segment without equals", dsn: "User", err: `restsql: dsn: "User" has no "=" (want Key=Value)`},
	{name: "later segment without equals", dsn: "User=a; bob ;Token=t", err: `restsql: dsn: "bob" has no "=" (want Key=Value)`},
	{name: "text after a secret", dsn: "Password=a;b;User=x",
		err: `restsql: dsn: the text after the Password value has no "=" (quote a value that holds ";" with '…', "…" or {…})`},
	{name: "unknown key after a secret", dsn: "Token=abc;def=ghi",
		err: `restsql: dsn: unknown property after the Token value (quote a value that holds ";" with '…', "…" or {…})`},
	{name: "unknown key after a quoted secret", dsn: "Token='abc';def=ghi", err: `restsql: dsn: unknown property "def"`},
	{name: "missing key", dsn: "=x", err: `restsql: dsn: a property name is missing before "="`},
	{name: "unknown key", dsn: "Pasword=x", err: `restsql: dsn: unknown property "Pasword" (did you mean "Password"?)`},
	{name: "unknown key in another case", dsn: "timout=3", err: `restsql: dsn: unknown property "timout" (did you mean "Timeout"?)`},
	{name: "unknown key near a plural", dsn: "maxpage=3", err: `restsql: dsn: unknown property "maxpage" (did you mean "MaxPages"?)`},
	{name: "unknown key far from all", dsn: "Colour=blue", err: `restsql: dsn: unknown property "Colour"`},
	{name: "unsupported prefix", dsn: "cdata:Profile=x", err: `restsql: dsn: unknown property "cdata:Profile"`},
	{name: "duplicate key", dsn: "User=a;USER=b", err: `restsql: dsn: duplicate property User`},
	{name: "duplicate key with empty value", dsn: "apikeyname=;APIKEYNAME=y", err: `restsql: dsn: duplicate property APIKeyName`},
	{name: "unterminated single quote", dsn: "Password='abc", err: `restsql: dsn: Password: unterminated quoted value (missing ')`},
	{name: "unterminated double quote", dsn: `User="a""`, err: `restsql: dsn: User: unterminated quoted value (missing ")`},
	{name: "text after a quote", dsn: "Password='abc'x;", err: `restsql: dsn: Password: unexpected text after the quoted value (want ";")`},
	{name: "text after braces", dsn: "URL={a} b", err: `restsql: dsn: URL: unexpected text after the quoted value (want ";")`},
	{name: "unterminated braces", dsn: "URL={a{b}", err: `restsql: dsn: URL: unterminated {…} value (missing })`},
	{name: "unterminated quote after a secret", dsn: "Password=a;b='x",
		err: `restsql: dsn: the property after the Password value: unterminated quoted value (missing ')`},
	{name: "unterminated quote of an unknown key", dsn: "Nope='x", err: `restsql: dsn: "Nope": unterminated quoted value (missing ')`},
	{name: "timeout not a number", dsn: "Timeout=abc", err: `restsql: dsn: Timeout: invalid number "abc"`},
	{name: "timeout with a unit", dsn: "Timeout=30s", err: `restsql: dsn: Timeout: invalid number "30s"`},
	{name: "timeout negative", dsn: "Timeout=-1", err: `restsql: dsn: Timeout: -1 is out of range (want 0 to 9223372036 seconds)`},
	{name: "columns TTL negative", dsn: "ColumnsTTL=-5", err: `restsql: dsn: ColumnsTTL: -5 is out of range (want 0 to 9223372036 seconds)`},
	{name: "timeout too large", dsn: "Timeout=1e300", err: `restsql: dsn: Timeout: 1e300 is out of range (want 0 to 9223372036 seconds)`},
	{name: "timeout just too large", dsn: "Timeout=9223372036.854775808", err: `restsql: dsn: Timeout: 9223372036.854775808 is out of range (want 0 to 9223372036 seconds)`},
	{name: "timeout overflowing a float", dsn: "Timeout=1e999", err: `restsql: dsn: Timeout: 1e999 is out of range (want 0 to 9223372036 seconds)`},
	{name: "timeout NaN", dsn: "Timeout=NaN", err: `restsql: dsn: Timeout: invalid number "NaN"`},
	{name: "timeout infinite", dsn: "Timeout=inf", err: `restsql: dsn: Timeout: invalid number "inf"`},
	{name: "timeout empty", dsn: "Timeout=", err: `restsql: dsn: Timeout: invalid number ""`},
	{name: "verbosity zero", dsn: "Verbosity=0", err: `restsql: dsn: Verbosity: 0 is out of range (want 1 to 5)`},
	{name: "verbosity too high", dsn: "Verbosity=6", err: `restsql: dsn: Verbosity: 6 is out of range (want 1 to 5)`},
	{name: "verbosity fraction", dsn: "Verbosity=1.5", err: `restsql: dsn: Verbosity: invalid number "1.5"`},
	{name: "max retries negative", dsn: "MaxRetries=-1", err: `restsql: dsn: MaxRetries: -1 is out of range (want 0 or more)`},
	{name: "max concurrency zero", dsn: "MaxConcurrency=0", err: `restsql: dsn: MaxConcurrency: 0 is out of range (want 1 or more)`},
	{name: "page size overflow", dsn: "PageSize=99999999999999999999", err: `restsql: dsn: PageSize: 99999999999999999999 is out of range (want 0 or more)`},
	{name: "bad boolean", dsn: "SafeUpdates=maybe", err: `restsql: dsn: SafeUpdates: invalid value "maybe" (want true or false)`},
	{name: "empty boolean", dsn: "AnsiQuotes=", err: `restsql: dsn: AnsiQuotes: invalid value "" (want true or false)`},
	{name: "max pages not a number", dsn: "MaxPages=ten", err: `restsql: dsn: MaxPages: invalid number "ten"`},
	{name: "rate limit negative", dsn: "RateLimit=-0.5", err: `restsql: dsn: RateLimit: -0.5 is out of range (want 0 or more requests per second)`},
	{name: "rate limit not a number", dsn: "RateLimit=fast", err: `restsql: dsn: RateLimit: invalid number "fast"`},
	{name: "rate limit infinite", dsn: "RateLimit=+Inf", err: `restsql: dsn: RateLimit: invalid number "+Inf"`},
	{name: "unknown auth scheme", dsn: "AuthScheme=NTLM", err: `restsql: dsn: AuthScheme: unknown scheme "NTLM" (want None, Basic, Digest, Bearer, APIKey, OAuth2)`},
	{name: "unknown api key place", dsn: "APIKeyIn=body", err: `restsql: dsn: APIKeyIn: unknown value "body" (want header, query)`},
	{name: "unknown grant type", dsn: "OAuthGrantType=implicit", err: `restsql: dsn: OAuthGrantType: unknown value "implicit" (want client_credentials, password, refresh_token)`},
	{name: "unknown fixture mode", dsn: "FixtureMode=play", err: `restsql: dsn: FixtureMode: unknown value "play" (want record, replay, off)`},
	{name: "fixture mode without fixtures", dsn: "FixtureMode=record", err: `restsql: dsn: FixtureMode record needs Fixtures (the directory of recorded exchanges)`},
}

func TestParseDSN(t *testing.T) {
	for _, tc := range dsnTests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := ParseDSN(tc.dsn)
			if tc.err != "" {
				require.EqualError(t, err, tc.err)
				assert.Nil(t, cfg)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tc.want, cfg)

			// FormatDSN is the inverse of ParseDSN.
			again, err := ParseDSN(cfg.FormatDSN())
			require.NoError(t, err, cfg.FormatDSN())
			require.Equal(t, cfg, again, cfg.FormatDSN())
		})
	}
}

func TestFormatDSN(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  *Config
		want string
	}{
		{"defaults", NewConfig(), ""},
		{"design example", configWith(func(c *Config) {
			c.AuthScheme, c.User, c.Password, c.DefaultCatalog, c.Profile = "Basic", "${Username}", "${Password}", "API1", "api.yaml"
		}), "Profile=api.yaml;defaultCatalog=API1;AuthScheme=Basic;User=${Username};Password=${Password}"},
		{"quoting", configWith(func(c *Config) {
			c.User, c.Password, c.Token, c.APIKey, c.URL, c.Profile, c.Logfile = " x", "a;b", "'q", `"q"`, "{x}", "a=b", "x\n"
		}), `Profile=a=b;URL='{x}';User=' x';Password='a;b';Token='''q';APIKey='"q"';Logfile='x` + "\n'"},
		{"empty non-default values", configWith(func(c *Config) { c.APIKeyName, c.FixtureMode = "", "" }), "APIKeyName='';FixtureMode=''"},
		{"numbers", configWith(func(c *Config) {
			c.Verbosity, c.Timeout, c.MaxRetries, c.RateLimit, c.MaxConcurrency, c.PageSize, c.MaxPages = 3, 1500*time.Millisecond, 0, 0.25, 1, 50, 9
		}), "Verbosity=3;Timeout=1.5;MaxRetries=0;RateLimit=0.25;MaxConcurrency=1;PageSize=50;MaxPages=9"},
		{"booleans", configWith(func(c *Config) { c.AllowUnfilteredWrites, c.AnsiQuotes = true, true }), "SafeUpdates=false;AnsiQuotes=true"},
		{"timeout zero", configWith(func(c *Config) { c.Timeout = 0 }), "Timeout=0"},
		{"timeout nanoseconds", configWith(func(c *Config) { c.Timeout = time.Second + time.Nanosecond }), "Timeout=1.000000001"},
		{"programmatic fields are left out", configWith(func(c *Config) {
			c.HTTPClient, c.Transport = &http.Client{}, http.DefaultTransport
			c.Catalogs = []*catalog.Catalog{{Name: "x"}}
			c.Lookup = func(string) (string, bool) { return "", false }
		}), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.cfg.FormatDSN())
		})
	}
}

func TestFormatSeconds(t *testing.T) {
	for d, want := range map[time.Duration]string{
		0:                        "0",
		time.Second:              "1",
		90 * time.Second:         "90",
		1500 * time.Millisecond:  "1.5",
		time.Nanosecond:          "0.000000001",
		-1500 * time.Millisecond: "-1.5",
		math.MaxInt64:            "9223372036.854775807",
		math.MinInt64:            "-9223372036.854775808",
	} {
		assert.Equal(t, want, formatSeconds(d), d)
		if d >= 0 {
			got, err := parseSeconds(want)
			require.NoError(t, err)
			assert.Equal(t, d, got)
		}
	}
}

func TestNormalizeProgrammaticConfig(t *testing.T) {
	c := &Config{AuthScheme: "bearer"}
	require.NoError(t, c.normalize())
	want := NewConfig()
	want.AuthScheme = "Bearer"
	want.Timeout, want.MaxRetries, want.SpeculativePages, want.CacheTTL = 0, 0, 0, 0 // zero means none for these
	assert.Equal(t, want, c)

	for _, tc := range []struct {
		set func(c *Config)
		err string
	}{
		{func(c *Config) { c.Verbosity = 9 }, "restsql: dsn: Verbosity: 9 is out of range (want 1 to 5)"},
		{func(c *Config) { c.Verbosity = -1 }, "restsql: dsn: Verbosity: -1 is out of range (want 1 to 5)"},
		{func(c *Config) { c.MaxConcurrency = -2 }, "restsql: dsn: MaxConcurrency: -2 is out of range (want 1 or more)"},
		{func(c *Config) { c.MaxRetries = -1 }, "restsql: dsn: MaxRetries: -1 is out of range (want 0 or more)"},
		{func(c *Config) { c.PageSize = -1 }, "restsql: dsn: PageSize: -1 is out of range (want 0 or more)"},
		{func(c *Config) { c.MaxPages = -1 }, "restsql: dsn: MaxPages: -1 is out of range (want 0 or more)"},
		{func(c *Config) { c.Timeout = -time.Second }, "restsql: dsn: Timeout: -1 is out of range (want 0 to 9223372036 seconds)"},
		{func(c *Config) { c.RateLimit = math.NaN() }, "restsql: dsn: RateLimit: NaN is out of range (want 0 or more requests per second)"},
		{func(c *Config) { c.RateLimit = -1 }, "restsql: dsn: RateLimit: -1 is out of range (want 0 or more requests per second)"},
		{func(c *Config) { c.AuthScheme = "Magic" }, `restsql: dsn: AuthScheme: unknown scheme "Magic" (want None, Basic, Digest, Bearer, APIKey, OAuth2)`},
		{func(c *Config) { c.FixtureMode = "Replay" }, "restsql: dsn: FixtureMode replay needs Fixtures (the directory of recorded exchanges)"},
	} {
		c := NewConfig()
		tc.set(c)
		assert.EqualError(t, c.normalize(), tc.err)
	}
}

func TestConfigClone(t *testing.T) {
	lookups := 0
	c := configWith(func(c *Config) {
		c.User = "u"
		c.HTTPClient = &http.Client{}
		c.Catalogs = []*catalog.Catalog{{Name: "A", URL: "http://a", Headers: map[string]string{"h": "v"}}, nil}
		c.Lookup = func(string) (string, bool) { lookups++; return "", false }
	})
	cp := c.Clone()
	require.Equal(t, c.FormatDSN(), cp.FormatDSN())
	assert.Same(t, c.HTTPClient, cp.HTTPClient)
	require.Len(t, cp.Catalogs, 2)
	assert.Equal(t, c.Catalogs[0], cp.Catalogs[0])
	assert.NotSame(t, c.Catalogs[0], cp.Catalogs[0])
	assert.Nil(t, cp.Catalogs[1])
	cp.Catalogs[0].Headers["h"] = "changed"
	cp.User = "changed"
	assert.Equal(t, "v", c.Catalogs[0].Headers["h"])
	assert.Equal(t, "u", c.User)
	cp.Lookup("x")
	assert.Equal(t, 1, lookups)
}

func TestPropertiesTable(t *testing.T) {
	// Every DSN property has its own field, and the table covers every
	// field of Config but the programmatic ones.
	c := NewConfig()
	for _, p := range properties {
		before := c.FormatDSN()
		v := "1"
		switch p.name {
		case "Verbosity":
			v = "2"
		case "AuthScheme":
			v = "Digest"
		case "APIKeyIn":
			v = "query"
		case "OAuthGrantType":
			v = "password"
		case "FixtureMode":
			v = "replay"
		case "MaxRetries", "MaxConcurrency":
			v = "7"
		case "SafeUpdates":
			v = "false"
		case "AnsiQuotes":
			v = "true"
		}
		require.NoError(t, p.set(c, v), p.name)
		assert.NotEqual(t, before, c.FormatDSN(), "%s sets no field of its own", p.name)
		assert.Equal(t, v, p.get(c), p.name)
		assert.Same(t, propertyIndex[strings.ToLower(p.name)], &properties[slicesIndex(p.name)])
	}
	assert.Len(t, properties, 36)
}

func slicesIndex(name string) int {
	for i, p := range properties {
		if p.name == name {
			return i
		}
	}
	return -1
}

// secretDSNs hold the secret "hunter2" (or its halves "hun" and "ter2") in a
// secret property, with a mistake after it.
var secretDSNs = []string{
	"Password=hunter2;Timeout=x",
	"Password=hun;ter2;User=x",
	"Password=hun;ter2=x",
	"Token=hun;ter2",
	"Token=hunter2;AuthScheme=x",
	"APIKey='hunter2",
	"APIKey='hunter2' x",
	"OAuthClientSecret={hunter2",
	"OAuthClientSecret={hun}ter2",
	"OAuthRefreshToken=hunter2;OAuthRefreshToken=hunter2",
	"Password=\"hunter2",
	"Password=hunter2;Pasword=hunter2",
	"Password=hunter2;=hunter2",
	"Password=hun;ter2='x",
	"Password=hun;ter2={x",
	"Password=hun;ter2='x'y",
}

func TestDSNErrorsHoldNoSecret(t *testing.T) {
	for _, dsn := range secretDSNs {
		_, err := ParseDSN(dsn)
		require.Error(t, err, dsn)
		for _, s := range []string{"hunter2", "hun", "ter2"} {
			assert.NotContains(t, err.Error(), s, dsn)
		}
	}
}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

func TestExpanderOrder(t *testing.T) {
	secrets := writeFile(t, "secrets.json", `{
		"Password": "file-pw",
		"Username": "file-user",
		"InFileAndEnv": "file",
		"InLookupAndFile": "file",
		"Port": 5432,
		"Debug": true,
		"Unicode": "\u00e9\ud83d\ude00"
	}`)
	t.Setenv("RESTSQL_TEST_ONLY_ENV", "env")
	t.Setenv("InFileAndEnv", "env")
	t.Setenv("Password", "env-pw")
	cfg := configWith(func(c *Config) {
		c.User = "${Username}"
		c.Password = "${Password}"
		c.Token = "Bearer ${User}"
		c.URL = "http://h/$$x"
		c.SecretsFile = secrets
		c.Lookup = func(name string) (string, bool) {
			switch name {
			case "Username":
				return "lookup-user", true
			case "InLookupAndFile":
				return "lookup", true
			}
			return "", false
		}
	})
	expand, err := cfg.Expander()
	require.NoError(t, err)
	for in, want := range map[string]string{
		"${User}":                  "lookup-user",        // property, then Lookup
		"${user}":                  "lookup-user",        // properties ignore case
		"${Password}":              "file-pw",            // a property skips itself: Lookup, then the file
		"${Token}":                 "Bearer lookup-user", // a property's value is expanded
		"${InLookupAndFile}":       "lookup",
		"${InFileAndEnv}":          "file",
		"${RESTSQL_TEST_ONLY_ENV}": "env",
		"${Port}:${Debug}":         "5432:true",
		"${Unicode}":               "é😀",
		"${URL}":                   "http://h/$x",
		"${APIKeyName}":            "X-API-Key", // defaults are properties too
		"${Timeout}":               "60",
		"a$$b":                     "a$b",
		"no placeholder":           "no placeholder",
	} {
		got, err := expand(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}

	// The function does not see later changes to the Config.
	cfg.User = "changed"
	got, err := expand("${User}")
	require.NoError(t, err)
	assert.Equal(t, "lookup-user", got)

	got, err = cfg.Resolved("${User}")
	require.NoError(t, err)
	assert.Equal(t, "changed", got)
}

func TestExpanderErrors(t *testing.T) {
	t.Setenv("RESTSQL_TEST_SECRET", "hunter2")
	cfg := configWith(func(c *Config) {
		c.Password = "hunter2${Missing}"
		c.Token = "${APIKey}"
		c.APIKey = "${Token}"
	})
	expand, err := cfg.Expander()
	require.NoError(t, err)

	for _, tc := range []struct {
		in, err, name string
	}{
		{"${Nope}", "unresolved placeholder ${Nope}", "Nope"},
		{"${RESTSQL_TEST_SECRET}${Nope}", "unresolved placeholder ${Nope}", "Nope"},
		{"x${Password}", "DSN property Password: unresolved placeholder ${Missing}", "Missing"},
		{"${Token}", "DSN property Token: DSN property APIKey: unresolved placeholder ${Token}", "Token"},
		{"hunter2${", "invalid placeholder at offset 7: unterminated ${ (missing })", ""},
	} {
		_, err := expand(tc.in)
		require.EqualError(t, err, tc.err, tc.in)
		assert.NotContains(t, err.Error(), "hunter2")
		var ue *catalog.UnresolvedError
		if tc.name != "" {
			require.ErrorAs(t, err, &ue)
			assert.Equal(t, tc.name, ue.Name)
		} else {
			assert.ErrorIs(t, err, catalog.ErrPlaceholderSyntax)
		}
	}
}

func TestExpanderSecretsFile(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s.json"), []byte(`{"K": "v"}`), 0o600))
	t.Setenv("RESTSQL_TEST_DIR", dir)
	got, err := (&Config{SecretsFile: "${RESTSQL_TEST_DIR}/s.json"}).Resolved("${K}")
	require.NoError(t, err)
	assert.Equal(t, "v", got)

	_, err = (&Config{SecretsFile: "${RESTSQL_TEST_NO_DIR}/s.json"}).Expander()
	require.EqualError(t, err, "restsql: dsn: SecretsFile: unresolved placeholder ${RESTSQL_TEST_NO_DIR}")

	_, err = (&Config{SecretsFile: "${SecretsFile}"}).Expander()
	require.EqualError(t, err, "restsql: dsn: SecretsFile: unresolved placeholder ${SecretsFile}")

	missing := filepath.Join(dir, "nope.json")
	_, err = (&Config{SecretsFile: missing}).Expander()
	require.EqualError(t, err, "restsql: dsn: SecretsFile: open "+missing+": no such file or directory")
	require.ErrorIs(t, err, fs.ErrNotExist)

	for _, tc := range []struct {
		content, err string
	}{
		{`{"Password": hunter2}`, "not valid JSON (at byte 14)"},
		{`{"Password": "hunter2"`, "not valid JSON (at byte 22)"},
		{" \n", "file is empty (want a JSON object of string values)"},
		{`["hunter2"]`, "want a JSON object of string values, not an array"},
		{`"hunter2"`, "want a JSON object of string values, not a string"},
		{`null`, "want a JSON object of string values, not null"},
		{`{"db": {"password": "hunter2"}}`, `key "db": want a string, not an object`},
		{`{"a": "x", "db": ["hunter2"]}`, `key "db": want a string, not an array`},
		{`{"db": null}`, `key "db": want a string, not null`},
	} {
		path := writeFile(t, "secrets.json", tc.content)
		_, err := (&Config{SecretsFile: path}).Expander()
		require.EqualError(t, err, "restsql: dsn: SecretsFile "+path+": "+tc.err, tc.content)
		assert.NotContains(t, err.Error(), "hunter2")
	}

	big := writeFile(t, "big.json", `{"a": "`+strings.Repeat("x", maxSecretsFileSize)+`"}`)
	_, err = (&Config{SecretsFile: big}).Expander()
	require.EqualError(t, err, "restsql: dsn: SecretsFile "+big+": file is larger than 16 MiB")
}

func TestExpanderLookupBeforeFile(t *testing.T) {
	path := writeFile(t, "s.json", `{"A": "file"}`)
	calls := 0
	cfg := &Config{SecretsFile: path, Lookup: func(name string) (string, bool) {
		calls++
		return "lookup-" + name, name == "A"
	}}
	got, err := cfg.Resolved("${A}")
	require.NoError(t, err)
	assert.Equal(t, "lookup-A", got)
	assert.Equal(t, 1, calls)

	_, err = cfg.Resolved("${B}")
	var ue *catalog.UnresolvedError
	require.True(t, errors.As(err, &ue))
	assert.Equal(t, "B", ue.Name)
}

func ExampleParseDSN() {
	cfg, err := ParseDSN("cdata:Connect:AuthScheme=basic;User=${Username};Password=${Password};Timeout=2.5;Profile=api.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(cfg.AuthScheme, cfg.User, cfg.Timeout)
	fmt.Println(cfg.FormatDSN())
	// Output:
	// Basic ${Username} 2.5s
	// Profile=api.yaml;AuthScheme=Basic;User=${Username};Password=${Password};Timeout=2.5
}

func ExampleParseDSN_error() {
	_, err := ParseDSN("Profile=api.yaml;Pasword=x")
	fmt.Println(err)
	// Output:
	// restsql: dsn: unknown property "Pasword" (did you mean "Password"?)
}

func ExampleConfig_Resolved() {
	cfg := NewConfig()
	cfg.Token = "${ApiToken}"
	cfg.Lookup = func(name string) (string, bool) {
		if name == "ApiToken" {
			return "t0k3n", true
		}
		return "", false
	}
	v, err := cfg.Resolved("Bearer ${Token}")
	fmt.Println(v, err)
	// Output:
	// Bearer t0k3n <nil>
}

func TestTimeoutBelowANanosecondIsRefused(t *testing.T) {
	for _, v := range []string{"1e-10", "0.0000000001"} {
		_, err := ParseDSN("Timeout=" + v)
		require.Error(t, err, v)
		assert.Contains(t, err.Error(), "less than a nanosecond")
	}
	cfg, err := ParseDSN("Timeout=0.000000001")
	require.NoError(t, err)
	assert.Equal(t, time.Nanosecond, cfg.Timeout)
}

// SpeculativePages defaults to 2 × MaxConcurrency − 1 (none with
// MaxConcurrency 1); 0 turns it off.
func TestSpeculativePagesDefault(t *testing.T) {
	for _, tc := range []struct {
		dsn  string
		want int
	}{
		{"", 7},
		{"MaxConcurrency=8", 15},
		{"MaxConcurrency=1", 0},
		{"SpeculativePages=0", 0},
		{"SpeculativePages=2;MaxConcurrency=8", 2},
		{"SpeculativePages=-1;MaxConcurrency=6", 11},
	} {
		cfg, err := ParseDSN(tc.dsn)
		require.NoError(t, err, tc.dsn)
		cfg.Catalogs = []*catalog.Catalog{{Name: "C", URL: "http://127.0.0.1:1", Schemas: map[string]*catalog.Schema{
			"S": {Name: "S", Tables: map[string]*catalog.Table{"t": {Name: "t", URL: "/t", Columns: []*catalog.Column{{Name: "a"}}}}}}}}
		c, err := NewConnector(cfg)
		require.NoError(t, err, tc.dsn)
		assert.Equal(t, tc.want, c.(*connector).speculative(), tc.dsn)
	}
	_, err := ParseDSN("SpeculativePages=-2")
	require.EqualError(t, err, "restsql: dsn: SpeculativePages: -2 is out of range (want -1 or more)")
}
