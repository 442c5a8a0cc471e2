package catalog

import (
	"errors"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// fuzzPrefix is the start of an error about fuzz.yaml: its name, and for a
// validation error the line and column.
var fuzzPrefix = regexp.MustCompile(`^catalog: profile fuzz\.yaml(:[1-9][0-9]*:[1-9][0-9]*)?: `)

func FuzzParse(f *testing.F) {
	for _, tc := range goodProfiles {
		f.Add([]byte(tc.data))
	}
	for _, tc := range badProfiles {
		f.Add([]byte(tc.data))
	}
	for _, name := range []string{"testdata/api.yaml", "testdata/api.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "fuzz.yaml")
		if err != nil {
			if p != nil {
				t.Fatalf("Parse returned a profile and an error: %v", err)
			}
			if !fuzzPrefix.MatchString(err.Error()) {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		// A valid profile stays valid, unchanged, and clones equal.
		before := p.Clone()
		if err := p.Validate(); err != nil {
			t.Fatalf("a parsed profile does not validate again: %v", err)
		}
		if !reflect.DeepEqual(before, p) {
			t.Fatal("Validate changed a valid profile")
		}
		for _, cn := range p.CatalogNames() {
			c, ok := p.Catalog(cn)
			if !ok {
				t.Fatalf("catalog %q not found", cn)
			}
			for _, sn := range c.SchemaNames() {
				s, _ := c.Schema(sn)
				for _, tn := range s.TableNames() {
					tb, ok := s.Table(tn)
					if !ok {
						t.Fatalf("table %q not found", tn)
					}
					for _, ph := range Placeholders(tb.URL) {
						if col, _ := tb.Column(ph); col == nil {
							t.Fatalf("placeholder {%s} of table %s has no column", ph, tn)
						}
					}
					_ = c.EffectivePagination(tb)
				}
			}
		}
	})
}

func FuzzExpand(f *testing.F) {
	for _, tc := range expandTests {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		called := false
		got, err := Expand(s, func(name string) (string, bool) {
			called = true
			if name == "" {
				t.Fatal("lookup of an empty name")
			}
			for i := 0; i < len(name); i++ {
				if !isNameByte(name[i]) {
					t.Fatalf("lookup of an invalid name %q", name)
				}
			}
			if strings.HasPrefix(name, "x") {
				return "", false
			}
			return "<" + name + ">", true
		})
		if !HasPlaceholder(s) {
			if err != nil || called {
				t.Fatalf("no placeholder in %q, but err=%v called=%v", s, err, called)
			}
			if want := strings.ReplaceAll(s, "$$", "$"); got != want {
				t.Fatalf("Expand(%q) = %q", s, got)
			}
		}
		if err != nil {
			var ue *UnresolvedError
			if !errors.As(err, &ue) && !errors.Is(err, ErrPlaceholderSyntax) {
				t.Fatalf("unexpected error type %T: %v", err, err)
			}
			if got != "" {
				t.Fatalf("a result with an error: %q", got)
			}
		}
	})
}

func FuzzPlaceholders(f *testing.F) {
	for _, tc := range placeholderTests {
		f.Add(tc.in)
	}
	f.Fuzz(func(t *testing.T, s string) {
		seen := map[string]bool{}
		for _, name := range Placeholders(s) {
			if !isIdentifier(name) || seen[name] {
				t.Fatalf("Placeholders(%q): bad or repeated name %q", s, name)
			}
			seen[name] = true
			if !strings.Contains(s, "{"+name+"}") {
				t.Fatalf("Placeholders(%q): %q is not in the template", s, name)
			}
		}
	})
}
