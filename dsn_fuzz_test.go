package restsql

import (
	"reflect"
	"strings"
	"testing"
)

func FuzzParseDSN(f *testing.F) {
	for _, tc := range dsnTests {
		f.Add(tc.dsn)
	}
	for _, dsn := range secretDSNs {
		f.Add(dsn)
	}
	// Placeholders in number, boolean and enumeration properties are kept
	// for the connector to resolve.
	f.Add("Timeout=${T};MaxRetries=${R};QueryTimeout=${QT};SafeUpdates=${SAFE};AuthScheme=${S};FixtureMode=${M}")
	f.Add("Verbosity= ${V} ;RateLimit='${RATE}'")
	f.Fuzz(func(t *testing.T, dsn string) {
		cfg, err := ParseDSN(dsn)
		if err != nil {
			if cfg != nil {
				t.Fatalf("ParseDSN(%q) returned a Config and an error", dsn)
			}
			if !strings.HasPrefix(err.Error(), "restsql: dsn: ") {
				t.Fatalf("ParseDSN(%q): error without the package noun: %v", dsn, err)
			}
			return
		}
		formatted := cfg.FormatDSN()
		again, err := ParseDSN(formatted)
		if err != nil {
			t.Fatalf("ParseDSN(%q) = %+v; its FormatDSN %q does not parse: %v", dsn, cfg, formatted, err)
		}
		if !reflect.DeepEqual(cfg, again) {
			t.Fatalf("ParseDSN(%q) = %+v, but ParseDSN(FormatDSN) = %+v (DSN %q)", dsn, cfg, again, formatted)
		}
		if f2 := again.FormatDSN(); f2 != formatted {
			t.Fatalf("FormatDSN is not stable: %q, then %q", formatted, f2)
		}
		if cfg.SecretsFile == "" { // never read a file the fuzzer names
			if _, err := cfg.Clone().Expander(); err != nil {
				t.Fatalf("Expander without a SecretsFile failed: %v", err)
			}
		}
	})
}
