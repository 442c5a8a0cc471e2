// Package restsqltest opens restsql in tests against recorded API
// responses, so that the tests run offline and give the same answers every
// time:
//
//	func TestReport(t *testing.T) {
//		db := restsqltest.Open(t, "Profile=api.yaml;Token=${API_TOKEN}")
//		rows, err := db.Query("SELECT id, title FROM posts WHERE userId = 1")
//		…
//	}
//
// By default the test replays the cassettes of testdata/fixtures/<TestName>
// (one per catalog, see package fixtures) and never touches the network.
// Run it once with RESTSQL_RECORD=1 to call the API and record them:
//
//	RESTSQL_RECORD=1 go test -run TestReport ./...
//
// Recordings hold no secrets: credentials and ${Name} values are scrubbed
// before anything is written, so the cassettes can be committed. While
// replaying, a ${Name} that nothing resolves (the CI has no API token)
// stands for the placeholder value "restsql-replay": the recorded answers
// do not depend on it.
package restsqltest

import (
	"database/sql"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/restsql/restsql"
)

// RecordEnv is the environment variable that makes Open record: a true
// value (1, t, true) records, anything else replays.
const RecordEnv = "RESTSQL_RECORD"

// ReplayValue is the value of a ${Name} placeholder that nothing resolves
// while replaying.
const ReplayValue = "restsql-replay"

// Recording reports whether RESTSQL_RECORD asks tests to record.
func Recording() bool {
	v, _ := strconv.ParseBool(strings.TrimSpace(os.Getenv(RecordEnv)))
	return v
}

// Option configures Open.
type Option func(*options)

type options struct {
	dir  string
	mode string
}

// WithDir sets the directory of the test's cassettes, instead of the DSN's
// Fixtures or testdata/fixtures/<TestName>.
func WithDir(dir string) Option { return func(o *options) { o.dir = dir } }

// WithMode forces restsql.FixtureRecord or restsql.FixtureReplay,
// whatever RESTSQL_RECORD says.
func WithMode(mode string) Option { return func(o *options) { o.mode = mode } }

// Dir is the default directory of a test's cassettes:
// testdata/fixtures/<TestName>, a subtest in a directory of its parent's.
func Dir(t testing.TB) string {
	parts := []string{"testdata", "fixtures"}
	for _, p := range strings.Split(t.Name(), "/") {
		parts = append(parts, safeName(p))
	}
	return filepath.Join(parts...)
}

// safeName keeps letters, digits, '.', '_' and '-' of a test name.
func safeName(s string) string {
	b := []byte(s)
	for i, c := range b {
		if !(c == '.' || c == '_' || c == '-' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
			b[i] = '_'
		}
	}
	if n := strings.Trim(string(b), "."); n == "" {
		return "_"
	}
	return string(b)
}

// Open opens the DSN for the test, recording or replaying (see the
// package documentation); the database is closed when the test ends. The
// DSN's Fixtures directory is used when it has one. An error fails the
// test.
func Open(t testing.TB, dsn string, opts ...Option) *sql.DB {
	t.Helper()
	cfg, err := restsql.ParseDSN(dsn)
	if err != nil {
		t.Fatalf("restsqltest: %v", err)
	}
	return OpenConfig(t, cfg, opts...)
}

// OpenConfig is Open for a Config built in Go; cfg is not changed.
func OpenConfig(t testing.TB, cfg *restsql.Config, opts ...Option) *sql.DB {
	t.Helper()
	o := options{dir: cfg.Fixtures, mode: restsql.FixtureReplay}
	if Recording() {
		o.mode = restsql.FixtureRecord
	}
	if o.dir == "" {
		o.dir = Dir(t)
	}
	for _, f := range opts {
		f(&o)
	}
	cfg = cfg.Clone()
	cfg.Fixtures, cfg.FixtureMode = o.dir, o.mode
	if o.mode == restsql.FixtureReplay {
		if _, err := os.Stat(o.dir); err != nil {
			t.Fatalf("restsqltest: no recordings for %s in %s: run the test once with %s=1 to record them from the API", t.Name(), o.dir, RecordEnv)
		}
		if err := replayValues(cfg); err != nil {
			t.Fatalf("restsqltest: %v", err)
		}
	}
	conn, err := restsql.NewConnector(cfg)
	if err != nil {
		t.Fatalf("restsqltest: %v", err)
	}
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

// replayValues makes every ${Name} that the Config's sources cannot
// resolve stand for ReplayValue: replay sends no credentials anywhere.
func replayValues(cfg *restsql.Config) error {
	probe, err := cfg.Clone().Expander()
	if err != nil && cfg.SecretsFile != "" {
		// The SecretsFile is not there (a CI without secrets): replay
		// needs none of its values.
		cfg.SecretsFile = ""
		probe, err = cfg.Clone().Expander()
	}
	if err != nil {
		return err
	}
	lookup := cfg.Lookup
	cfg.Lookup = func(name string) (string, bool) {
		if lookup != nil {
			if v, ok := lookup(name); ok {
				return v, true
			}
		}
		if _, err := probe("${" + name + "}"); err == nil {
			return "", false // the SecretsFile or the environment has it
		}
		return ReplayValue, true
	}
	return nil
}
