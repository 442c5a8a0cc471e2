package discover

import (
	"net/http"
	"strings"
	"testing"

	"github.com/restsql/restsql/catalog"
)

// FuzzInfer feeds arbitrary bodies, Link headers and URL queries to Infer:
// it must not panic, and whatever it infers must load as a profile, both as
// a whole profile and as a table pasted into one.
func FuzzInfer(f *testing.F) {
	seeds := []struct{ body, link, query string }{
		{`[{"id":1,"a":{"b":2}}]`, "", ""},
		{`{"data":[{"id":1}],"meta":{"page":1,"per_page":1,"total":5}}`, "", "page=1"},
		{`{"items":[{"x":"2024-01-01T00:00:00Z"}],"next_cursor":"c"}`, "", "limit=1"},
		{`{"results":[{"id":"a"}],"next":"/x?page=2","count":9}`, "", ""},
		{`[{"id":1}]`, `<https://api.example.com/x?page=2>; rel="next"`, "per_page=1"},
		{`{"value":[{"@odata.etag":"e","ID":1}],"@odata.nextLink":"https://api.example.com/x?$skip=1"}`, "", "$top=1"},
		{`{"a.b":{"c|d":[{"#":1,"*":2,"?":3,"":4,"é":5}]}}`, "", "=x&api_key=1"},
		{`{"id":1,"created_at":1700000000,"m":{"1":1}}`, "", ""},
		{`{"data":{"users":{"nodes":[{"id":1}],"pageInfo":{"hasNextPage":true,"endCursor":"x"}}}}`, "", "first=1"},
		// Found by fuzzing: invalid UTF-8 and control characters, which
		// YAML cannot hold raw.
		{`[{"0":{}}]`, "", "\xa2"},
		{`{"\u007f":{"totAl":1},"x":[{"0":1}]}`, "", "0"},
	}
	for _, s := range seeds {
		f.Add(s.body, s.link, s.query)
	}
	f.Fuzz(func(t *testing.T, body, link, query string) {
		h := http.Header{}
		if link != "" {
			h.Set("Link", link)
		}
		r, err := Infer([]byte(body), h, "https://api.example.com/v1/things?"+query, Options{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "discover: ") {
				t.Fatalf("error without the package's prefix: %v", err)
			}
			return
		}
		if _, err := catalog.Parse(r.ProfileYAML(), "fuzz.yaml"); err != nil {
			t.Fatalf("the discovered profile does not load: %v\n%s", err, r.ProfileYAML())
		}
		var pasted strings.Builder
		pasted.WriteString("catalogs:\n  C:\n    schemas:\n      S:\n        tables:\n")
		for _, l := range strings.Split(strings.TrimRight(string(r.YAML()), "\n"), "\n") {
			pasted.WriteString("          " + l + "\n")
		}
		if _, err := catalog.Parse([]byte(pasted.String()), "pasted.yaml"); err != nil {
			t.Fatalf("the discovered table does not paste: %v\n%s", err, pasted.String())
		}
	})
}
