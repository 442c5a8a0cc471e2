package pagination

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var linkHeaderTests = []struct {
	name   string
	values []string
	want   []Link
	next   string
}{
	{
		name:   "github style",
		values: []string{`<https://api.github.com/user/repos?page=3&per_page=100>; rel="next", <https://api.github.com/user/repos?page=50&per_page=100>; rel="last"`},
		want: []Link{
			{URL: "https://api.github.com/user/repos?page=3&per_page=100", Rel: []string{"next"}, Params: map[string]string{"rel": "next"}},
			{URL: "https://api.github.com/user/repos?page=50&per_page=100", Rel: []string{"last"}, Params: map[string]string{"rel": "last"}},
		},
		next: "https://api.github.com/user/repos?page=3&per_page=100",
	},
	{
		name:   "several rels, params in any order, unquoted",
		values: []string{`</b>; title="x, y; z"; REL="Last NEXT", </a>;rel=prev`},
		want: []Link{
			{URL: "/b", Rel: []string{"last", "next"}, Params: map[string]string{"title": "x, y; z", "rel": "Last NEXT"}},
			{URL: "/a", Rel: []string{"prev"}, Params: map[string]string{"rel": "prev"}},
		},
		next: "/b",
	},
	{
		name:   "several fields",
		values: []string{`</p1>; rel="prev"`, `</p3>; rel="next"`},
		want: []Link{
			{URL: "/p1", Rel: []string{"prev"}, Params: map[string]string{"rel": "prev"}},
			{URL: "/p3", Rel: []string{"next"}, Params: map[string]string{"rel": "next"}},
		},
		next: "/p3",
	},
	{
		name:   "comma inside the target, escaped quote, first rel wins",
		values: []string{` <http://x/a,b?c=1> ; rel = "ne\"xt" ; rel=next ; anchor, <http://x/n>; rel=next`},
		want: []Link{
			{URL: "http://x/a,b?c=1", Rel: []string{`ne"xt`}, Params: map[string]string{"rel": `ne"xt`, "anchor": ""}},
			{URL: "http://x/n", Rel: []string{"next"}, Params: map[string]string{"rel": "next"}},
		},
		next: "http://x/n",
	},
	{
		name:   "malformed link-values are skipped",
		values: []string{`garbage "q,uoted" <x>, <http://ok>; rel=next junk, </y>; rel="next"`, `<unterminated; rel=next`},
		want: []Link{
			{URL: "/y", Rel: []string{"next"}, Params: map[string]string{"rel": "next"}},
		},
		next: "/y",
	},
	{
		name:   "no rel",
		values: []string{`</a>`, `</b>; type="text/html"`, ``, `,,`},
		want: []Link{
			{URL: "/a"},
			{URL: "/b", Params: map[string]string{"type": "text/html"}},
		},
	},
	{
		name:   "empty target is never next",
		values: []string{`<>; rel=next`},
		want:   []Link{{URL: "", Rel: []string{"next"}, Params: map[string]string{"rel": "next"}}},
	},
	{
		name:   "unterminated quote",
		values: []string{`</a>; rel="next`},
		want:   []Link{{URL: "/a", Rel: []string{"next"}, Params: map[string]string{"rel": "next"}}},
		next:   "/a",
	},
}

func TestParseLinkHeader(t *testing.T) {
	for _, tt := range linkHeaderTests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, ParseLinkHeader(tt.values))
			h := http.Header{}
			for _, v := range tt.values {
				h.Add("Link", v)
			}
			next, ok := NextLink(h)
			assert.Equal(t, tt.next != "", ok)
			assert.Equal(t, tt.next, next)
		})
	}
}

func TestLinkHasRel(t *testing.T) {
	l := Link{Rel: []string{"prev", "next"}}
	assert.True(t, l.HasRel("NEXT"))
	assert.False(t, l.HasRel("last"))
}

func FuzzLinkHeader(f *testing.F) {
	for _, tt := range linkHeaderTests {
		f.Add(strings.Join(tt.values, "\x00"))
	}
	f.Fuzz(func(t *testing.T, s string) {
		values := strings.Split(s, "\x00")
		links := ParseLinkHeader(values)
		for _, l := range links {
			require.NotContains(t, l.URL, ">", "a target ends at the first >")
			for _, r := range l.Rel {
				require.NotEmpty(t, r)
				require.Equal(t, strings.ToLower(r), r)
				require.NotContains(t, r, " ")
			}
			for name := range l.Params {
				require.NotEmpty(t, name)
				require.Equal(t, strings.ToLower(name), name)
			}
			if len(l.Rel) > 0 {
				require.Contains(t, l.Params, "rel")
			}
		}
		h := http.Header{"Link": values}
		if next, ok := NextLink(h); ok {
			require.NotEmpty(t, next)
		}
	})
}
