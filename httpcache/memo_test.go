package httpcache

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// getMemo sends a GET with the header fields in hdr and returns the body
// and the Memo the cache handed to the request's slot.
func getMemo(t *testing.T, cl *http.Client, u string, hdr ...string) (string, *Memo) {
	t.Helper()
	slot := new(MemoSlot)
	req, err := http.NewRequestWithContext(WithMemoSlot(context.Background(), slot), http.MethodGet, u, nil)
	require.NoError(t, err)
	for _, h := range hdr {
		k, v, _ := strings.Cut(h, ": ")
		req.Header.Add(k, v)
	}
	resp, err := cl.Do(req)
	require.NoError(t, err)
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	return string(b), slot.Memo()
}

// versioned answers with a body and ETag of its version (and of the
// request's Authorization), 304 to a matching If-None-Match; no-cache, so
// every use is revalidated.
func versioned(version *atomic.Int64) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		tag := fmt.Sprintf(`"v%d-%s"`, version.Load(), r.Header.Get("Authorization"))
		w.Header().Set("ETag", tag)
		w.Header().Set("Cache-Control", "no-cache")
		if r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, `{"version":%d,"who":%q}`, version.Load(), r.Header.Get("Authorization"))
	}
}

// TestMemoFollowsTheBody: a value kept beside a stored body is found again
// when the same body answers (a 304), never after a 200 replaced it, a
// write dropped it, or for another credential's entry or another name.
func TestMemoFollowsTheBody(t *testing.T) {
	var version atomic.Int64
	version.Store(1)
	o := newOrigin(t, versioned(&version))
	c, _, cl := newTestCache(t, Options{})
	u := o.URL + "/items"

	body1, m1 := getMemo(t, cl, u)
	require.NotNil(t, m1, "a stored response hands its Memo once its body is read")
	require.True(t, m1.Put("rows", "rows of "+body1, 100))
	v, ok := m1.Get("rows")
	require.True(t, ok)
	assert.Equal(t, "rows of "+body1, v)

	body2, m2 := getMemo(t, cl, u)
	require.Equal(t, body1, body2)
	require.NotNil(t, m2, "a revalidated entry hands its Memo")
	v, ok = m2.Get("rows")
	assert.True(t, ok, "a 304 keeps the body and its values")
	assert.Equal(t, "rows of "+body1, v)
	_, ok = m2.Get("other rows")
	assert.False(t, ok, "another name is another value")
	assert.Equal(t, []string{"", `"v1-"`}, inm(o.requests()))

	version.Store(2)
	body3, m3 := getMemo(t, cl, u)
	require.NotEqual(t, body1, body3)
	require.NotNil(t, m3)
	_, ok = m3.Get("rows")
	assert.False(t, ok, "a 200 with a new body: the old body's values are gone")
	_, ok = m1.Get("rows")
	assert.False(t, ok, "an old Memo finds nothing once its entry is replaced")
	assert.False(t, m1.Put("rows", "late rows of "+body1, 10), "an old Memo keeps nothing")
	_, ok = m3.Get("rows")
	assert.False(t, ok, "the late Put of the old body did not land on the new one")
	require.True(t, m3.Put("rows", "rows of "+body3, 100))

	// Another credential: its own entry, without this one's values.
	bodyB, mB := getMemo(t, cl, u, "Authorization: Bearer b")
	assert.Contains(t, bodyB, "Bearer b")
	require.NotNil(t, mB)
	_, ok = mB.Get("rows")
	assert.False(t, ok, "never another credential's values")

	// A write to the URL drops the entry and its values.
	req, err := http.NewRequest(http.MethodPost, u, strings.NewReader("{}"))
	require.NoError(t, err)
	resp, err := cl.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	_, ok = m3.Get("rows")
	assert.False(t, ok, "a write dropped the entry and its values")
	st := c.Stats()
	assert.Equal(t, int64(2), st.MemoHits)
	assert.Zero(t, st.MemoBytes, "only token b's entry is left, without values")
}

// inm lists the If-None-Match of each request.
func inm(reqs []*http.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, r.Header.Get("If-None-Match"))
	}
	return out
}

// TestMemoBytes: values count against MaxBytes; one that does not fit is
// not kept (it never pushes an entry out), and storing a response drops
// values before entries.
func TestMemoBytes(t *testing.T) {
	body := strings.Repeat("x", 1000)
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=60")
		fmt.Fprint(w, body)
	})
	c, _, cl := newTestCache(t, Options{MaxBytes: 4000})
	_, m1 := getMemo(t, cl, o.URL+"/a")
	require.NotNil(t, m1)
	_, m2 := getMemo(t, cl, o.URL+"/b")
	require.NotNil(t, m2)
	before := c.Stats()
	assert.Equal(t, 2, before.Entries)
	assert.False(t, m1.Put("big", "v", 3000), "does not fit beside the two entries")
	assert.Equal(t, before.Bytes, c.Stats().Bytes)
	require.True(t, m1.Put("small", "v", 1200))
	st := c.Stats()
	assert.Equal(t, before.Bytes+st.MemoBytes, st.Bytes)
	assert.Positive(t, st.MemoBytes)

	// A third entry needs the room the value takes: the value goes, the
	// entries stay.
	_, m3 := getMemo(t, cl, o.URL+"/c")
	require.NotNil(t, m3)
	st = c.Stats()
	assert.Equal(t, 3, st.Entries)
	assert.Zero(t, st.MemoBytes)
	assert.Zero(t, st.Evictions)
	_, ok := m1.Get("small")
	assert.False(t, ok)
	assert.LessOrEqual(t, st.Bytes, int64(4000))
}

// TestMemoDirectory: in a directory shared by two caches, a body another
// cache replaced in its file never answers with the values of the body
// this cache stored.
func TestMemoDirectory(t *testing.T) {
	var version atomic.Int64
	version.Store(1)
	o := newOrigin(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "max-age=3600")
		fmt.Fprintf(w, `{"version":%d}`, version.Load())
	})
	dir := t.TempDir()
	_, _, clA := newTestCache(t, Options{Dir: dir})
	body1, mA := getMemo(t, clA, o.URL+"/items")
	require.NotNil(t, mA)
	require.True(t, mA.Put("rows", "rows of "+body1, 10))

	version.Store(2)
	_, _, clB := newTestCache(t, Options{Dir: dir})
	bodyB, _ := getMemo(t, clB, o.URL+"/items", "Cache-Control: no-cache")
	require.Contains(t, bodyB, `"version":2`)

	// Cache A's entry is fresh; its file now holds cache B's body.
	bodyA, mA2 := getMemo(t, clA, o.URL+"/items")
	require.NotNil(t, mA2)
	assert.Equal(t, bodyB, bodyA)
	_, ok := mA2.Get("rows")
	assert.False(t, ok, "the file changed: the values of the old body are not found")
}
