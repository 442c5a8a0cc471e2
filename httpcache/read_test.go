package httpcache

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// post sends a POST with body, marked as a read when read is set, and
// returns the response body.
func post(t *testing.T, cl *http.Client, u, body string, read bool) string {
	t.Helper()
	ctx := WithTag(context.Background(), "api.s.t")
	if read {
		ctx = WithRead(ctx)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, strings.NewReader(body))
	require.NoError(t, err)
	resp, err := cl.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return string(b)
}

// TestPostRead: a POST marked WithRead is stored under a key that holds its
// body: the same body is answered from the cache, another body is sent,
// and neither drops the table's entries. An unmarked POST is a write.
func TestPostRead(t *testing.T) {
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Cache-Control", "max-age=60")
		_, _ = io.WriteString(w, "answer to "+string(b))
	})
	c, _, cl := newTestCache(t, Options{})
	u := o.URL + "/v1/databases/d/query"

	assert.Equal(t, `answer to {"filter":1}`, post(t, cl, u, `{"filter":1}`, true))
	assert.Equal(t, `answer to {"filter":2}`, post(t, cl, u, `{"filter":2}`, true), "another body is not answered with the first one's response")
	assert.Equal(t, `answer to {"filter":1}`, post(t, cl, u, `{"filter":1}`, true))
	assert.Len(t, o.requests(), 2, "the repeated body came from the cache")
	assert.EqualValues(t, 1, c.Stats().Hits)
	assert.Equal(t, 2, c.Stats().Entries)

	// A write (a POST not marked as a read) to the URL drops both.
	assert.Equal(t, `answer to {"create":1}`, post(t, cl, u, `{"create":1}`, false))
	assert.Equal(t, 0, c.Stats().Entries)
	assert.Equal(t, `answer to {"filter":1}`, post(t, cl, u, `{"filter":1}`, true))
	assert.Len(t, o.requests(), 4)
}

// TestPostReadRevalidated: a stale POST read with an ETag is revalidated
// with its body; a 304 answers it from the cache.
func TestPostReadRevalidated(t *testing.T) {
	var bodies []string
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		if r.Header.Get("If-None-Match") == `"v1"` {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		w.Header().Set("ETag", `"v1"`)
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = io.WriteString(w, "rows for "+string(b))
	})
	c, _, cl := newTestCache(t, Options{})
	assert.Equal(t, `rows for {"q":1}`, post(t, cl, o.URL+"/search", `{"q":1}`, true))
	assert.Equal(t, `rows for {"q":1}`, post(t, cl, o.URL+"/search", `{"q":1}`, true))
	assert.Equal(t, []string{`{"q":1}`, `{"q":1}`}, bodies, "the conditional request carries the body")
	assert.EqualValues(t, 1, c.Stats().Revalidations)
}
