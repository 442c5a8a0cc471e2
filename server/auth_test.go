package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
)

// TestSCRAMVector runs the exchange of RFC 7677, section 3.
func TestSCRAMVector(t *testing.T) {
	salt, err := base64.StdEncoding.DecodeString("W22ZaJ0SNY7soEsUEjb6gQ==")
	require.NoError(t, err)
	v, err := verifierFor("pencil", salt, 4096)
	require.NoError(t, err)
	sc := &scramServer{verifier: v}
	_, err = sc.first("SCRAM-SHA-256", []byte("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
	require.NoError(t, err)
	// The vector's server nonce instead of a random one.
	sc.nonce = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"
	sc.serverFirst = "r=" + sc.nonce + ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
	reply, ok, err := sc.final([]byte("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", string(reply))

	_, ok, err = sc.final([]byte("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=AAAAZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
	require.NoError(t, err)
	require.False(t, ok)
}

func TestSCRAMRejects(t *testing.T) {
	v, err := newVerifier("pw", 4096)
	require.NoError(t, err)
	tests := []struct {
		name, mechanism, first string
		cbData                 []byte
	}{
		{"unknown mechanism", "SCRAM-SHA-1", "n,,n=,r=abc", nil},
		{"PLUS without TLS", "SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=abc", nil},
		{"binding downgraded", "SCRAM-SHA-256", "y,,n=,r=abc", []byte{1}},
		{"binding without PLUS", "SCRAM-SHA-256", "p=tls-server-end-point,,n=,r=abc", []byte{1}},
		{"authzid", "SCRAM-SHA-256", "n,a=other,n=,r=abc", nil},
		{"no nonce", "SCRAM-SHA-256", "n,,n=", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sc := &scramServer{verifier: v, cbData: tc.cbData}
			_, err := sc.first(tc.mechanism, []byte(tc.first))
			require.Error(t, err)
		})
	}
}

func TestParseUsers(t *testing.T) {
	verifier, err := HashPassword("secret")
	require.NoError(t, err)
	env := map[string]string{"ETL_PASSWORD": "from-env"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	u, err := ParseUsers([]byte(`
users:
  alice:
    password: "`+verifier+`"
    catalogs: [Demo]
  etl:
    password: ${ETL_PASSWORD}
`), lookup)
	require.NoError(t, err)
	require.Equal(t, []string{"alice", "etl"}, u.Names())
	alice, ok := u.Lookup("alice")
	require.True(t, ok)
	require.Equal(t, []string{"Demo"}, alice.Catalogs)
	require.True(t, alice.verifier.checkPassword("secret"))
	require.False(t, alice.verifier.checkPassword("Secret"))
	etl, _ := u.Lookup("etl")
	require.True(t, etl.verifier.checkPassword("from-env"))
	_, ok = u.Lookup("bob")
	require.False(t, ok)

	tests := []struct{ name, yaml, err string }{
		{"no users", "users: {}", "no users"},
		{"unknown field", "users: {a: {pasword: x}}", "pasword"},
		{"no password", "users: {a: {catalogs: [x]}}", "no password"},
		{"unresolved", "users: {a: {password: '${NOPE}'}}", "${NOPE}"},
		{"bad verifier", "users: {a: {password: 'SCRAM-SHA-256$x:y$z'}}", "not a SCRAM-SHA-256 verifier"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseUsers([]byte(tc.yaml), lookup)
			require.ErrorContains(t, err, tc.err)
		})
	}
}

func TestLoadUsers(t *testing.T) {
	path := filepath.Join(t.TempDir(), "users.yaml")
	require.NoError(t, os.WriteFile(path, []byte("users: {a: {password: pw}}"), 0o600))
	u, err := LoadUsers(path)
	require.NoError(t, err)
	require.Equal(t, []string{"a"}, u.Names())
	_, err = LoadUsers(filepath.Join(t.TempDir(), "none.yaml"))
	require.ErrorContains(t, err, "users file")
}

// testCertificate makes a self-signed certificate for 127.0.0.1.
func testCertificate(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "restsql test"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	require.NoError(t, err)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func testUsers(t *testing.T) *Users {
	t.Helper()
	u, err := ParseUsers([]byte(`
users:
  alice:
    password: wonderland
  bob:
    password: builder
    catalogs: [slow]
`), func(string) (string, bool) { return "", false })
	require.NoError(t, err)
	return u
}

// TestAuthentication connects as users of a users file with SCRAM, over
// plain TCP and over TLS (with channel binding), and with a cleartext
// password over TLS.
func TestAuthentication(t *testing.T) {
	cert := testCertificate(t)
	scram := startServer(t, func(c *Config) {
		c.Users = testUsers(t)
		c.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	})
	password := startServer(t, func(c *Config) {
		c.Users = testUsers(t)
		c.AuthMethod = AuthPassword
		c.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	})
	tlsOnly := startServer(t, func(c *Config) {
		c.Users = testUsers(t)
		c.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
		c.RequireTLS = true
	})
	tests := []struct {
		name string
		env  *testEnv
		conn string
		code string // "" when the connection succeeds
	}{
		{"SCRAM", scram, "user=alice password=wonderland sslmode=disable", ""},
		{"SCRAM over TLS with channel binding", scram, "user=alice password=wonderland sslmode=require channel_binding=require", ""},
		{"wrong password", scram, "user=alice password=wonder sslmode=disable", codeInvalidPassword},
		{"unknown user", scram, "user=mallory password=wonderland sslmode=disable", codeInvalidPassword},
		{"cleartext over TLS", password, "user=alice password=wonderland sslmode=require", ""},
		{"cleartext refused without TLS", password, "user=alice password=wonderland sslmode=disable", codeInvalidAuthorization},
		{"cleartext wrong password", password, "user=alice password=x sslmode=require", codeInvalidPassword},
		{"TLS required", tlsOnly, "user=alice password=wonderland sslmode=disable", codeInvalidAuthorization},
		{"TLS given", tlsOnly, "user=alice password=wonderland sslmode=require", ""},
		{"catalog not allowed", scram, "user=bob password=builder dbname=Demo sslmode=disable", codeInsufficientPriv},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := pgx.Connect(testCtx(t), tc.env.connString(tc.conn))
			if tc.code != "" {
				require.Equal(t, tc.code, sqlState(err), "%v", err)
				return
			}
			require.NoError(t, err)
			defer c.Close(testCtx(t))
			var user string
			require.NoError(t, c.QueryRow(testCtx(t), "SELECT current_user").Scan(&user))
			require.Equal(t, "alice", user)
		})
	}

	t.Run("catalogs of a user", func(t *testing.T) {
		bob, err := pgx.Connect(testCtx(t), scram.connString("user=bob password=builder sslmode=disable"))
		require.NoError(t, err)
		defer bob.Close(testCtx(t))
		_, rows := pgxRows(t, bob, `SELECT "CatalogName" FROM sys_catalogs`)
		require.Equal(t, [][]string{{"Slow"}}, rows)
		_, err = bob.Exec(testCtx(t), `SELECT id FROM "Demo"."API".posts`)
		require.Equal(t, codeUndefinedTable, sqlState(err), "%v", err)
		_, rows = pgxRows(t, bob, `SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')`)
		require.Equal(t, [][]string{{"slow_posts"}}, rows)
	})
}

func TestNewChecksConfig(t *testing.T) {
	e := startServer(t)
	base := e.srv.cfg.Driver
	tests := []struct {
		name string
		cfg  Config
		err  string
	}{
		{"no driver", Config{}, "Driver is required"},
		{"password without TLS", Config{Driver: base, AuthMethod: AuthPassword}, "needs TLS"},
		{"unknown method", Config{Driver: base, AuthMethod: "md5"}, "unknown auth method"},
		{"TLS required without TLS", Config{Driver: base, RequireTLS: true}, "RequireTLS"},
		{"unknown catalog", Config{Driver: base, Users: func() *Users {
			u, _ := ParseUsers([]byte("users: {a: {password: x, catalogs: [Nope]}}"), nil)
			return u
		}()}, `no catalog "Nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := New(tc.cfg)
			require.ErrorContains(t, err, tc.err)
		})
	}
}

// TestRestrict limits a DSN's profile to some catalogs: the DSN's URL and
// default catalog stay with the default catalog, and go when it goes.
func TestRestrict(t *testing.T) {
	profile := filepath.Join(t.TempDir(), "two.yaml")
	require.NoError(t, os.WriteFile(profile, []byte(`
catalogs:
  A:
    url: http://127.0.0.1:9/a
    schemas: {S: {tables: {t: {url: /t, columns: [{name: id, type: int}]}}}}
  B:
    url: http://127.0.0.1:9/b
    schemas: {S: {tables: {u: {url: /u, columns: [{name: id, type: int}]}}}}
`), 0o600))
	base, err := restsql.ParseDSN("Profile=" + profile + ";defaultCatalog=A;URL=http://127.0.0.1:8/override")
	require.NoError(t, err)
	tests := []struct {
		keep           []string
		catalogs       []string
		defaultCatalog string
		url            string
	}{
		{[]string{"a"}, []string{"A"}, "A", "http://127.0.0.1:8/override"},
		{[]string{"B"}, []string{"B"}, "", ""},
		{[]string{"A", "B"}, []string{"A", "B"}, "A", "http://127.0.0.1:8/override"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.keep, ","), func(t *testing.T) {
			cfg, err := restrict(base, "A", tc.keep)
			require.NoError(t, err)
			var names []string
			for _, c := range cfg.Catalogs {
				names = append(names, c.Name)
			}
			require.Equal(t, tc.catalogs, names)
			require.Empty(t, cfg.Profile)
			require.Equal(t, tc.defaultCatalog, cfg.DefaultCatalog)
			require.Equal(t, tc.url, cfg.URL)
			_, err = restsql.NewConnector(cfg)
			require.NoError(t, err)
		})
	}
	_, err = restrict(base, "A", []string{"C"})
	require.ErrorContains(t, err, "no catalog C")
}
