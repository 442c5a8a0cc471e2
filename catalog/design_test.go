package catalog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// DESIGN.md's example profile writes update: {method: PATCH, url:
// /posts/{id}}, which is not YAML (the {id} opens a nested flow mapping).
// It still loads: the loader quotes such URLs when the profile does not
// decode as written.
func TestDesignExampleLoads(t *testing.T) {
	p, err := Load("testdata/design_example.yaml")
	require.NoError(t, err)
	s, _ := p.Catalogs["API1"].Schema("API")
	posts, _ := s.Table("posts")
	assert.Equal(t, "/posts/{id}", posts.Update.URL)
	assert.Equal(t, "/posts/{id}", posts.Delete.URL)
	assert.Equal(t, "/posts", posts.Insert.URL)
}

func TestQuoteFlowURLs(t *testing.T) {
	tests := []struct{ in, want string }{
		{`update: {method: PATCH, url: /posts/{id}}`, `update: {method: PATCH, url: "/posts/{id}"}`},
		{`get: {url: /users/{userId}/posts/{id}, rows: data}`, `get: {url: "/users/{userId}/posts/{id}", rows: data}`},
		{`url: "/posts/{id}"`, `url: "/posts/{id}"`},
		{`url: /posts`, `url: /posts`},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, string(quoteFlowURLs([]byte(tt.in))), tt.in)
	}
	// A profile broken for another reason keeps its own error.
	_, err := Parse([]byte("catalogs:\n  A: {url: /x/{id}, schemas: [\n"), "broken.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "broken.yaml")
}
