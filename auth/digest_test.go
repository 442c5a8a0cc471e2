package auth

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/icholy/digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

// digestServer checks Digest credentials (RFC 7616) against user ann and
// password pw. It hands out a new nonce (stale=true) every rotate answered
// requests when rotate > 0, and records the Authorization header of every
// request.
type digestServer struct {
	*httptest.Server
	algorithm string
	rotate    int

	mu      sync.Mutex
	nonce   int
	used    int
	headers []string
}

func newDigestServer(t *testing.T, algorithm string, rotate int) *digestServer {
	t.Helper()
	ds := &digestServer{algorithm: algorithm, rotate: rotate, nonce: 1}
	ds.Server = httptest.NewServer(http.HandlerFunc(ds.serve))
	t.Cleanup(ds.Close)
	return ds
}

func (ds *digestServer) challenge(stale bool) *digest.Challenge {
	return &digest.Challenge{Realm: "api", Nonce: fmt.Sprintf("nonce-%d", ds.nonce), Opaque: "op", Algorithm: ds.algorithm, QOP: []string{"auth"}, Stale: stale}
}

func (ds *digestServer) serve(w http.ResponseWriter, r *http.Request) {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	h := r.Header.Get("Authorization")
	ds.headers = append(ds.headers, h)
	refuse := func(stale bool) {
		w.Header().Add("WWW-Authenticate", `Basic realm="api"`)
		w.Header().Add("WWW-Authenticate", ds.challenge(stale).String())
		w.WriteHeader(http.StatusUnauthorized)
	}
	if h == "" {
		refuse(false)
		return
	}
	cred, err := digest.ParseCredentials(h)
	if err != nil || cred.Username != "ann" || cred.URI != r.URL.RequestURI() || cred.Realm != "api" || cred.Opaque != "op" {
		refuse(false)
		return
	}
	if cred.Nonce != ds.challenge(false).Nonce {
		refuse(true)
		return
	}
	want, err := digest.Digest(ds.challenge(false), digest.Options{
		Method: r.Method, URI: cred.URI, Count: cred.Nc, Cnonce: cred.Cnonce, Username: "ann", Password: "pw",
	})
	if err != nil || want.Response != cred.Response {
		refuse(false)
		return
	}
	ds.used++
	if ds.rotate > 0 && ds.used%ds.rotate == 0 {
		ds.nonce++
	}
	_, _ = w.Write([]byte(`[]`))
}

func (ds *digestServer) seen() []string {
	ds.mu.Lock()
	defer ds.mu.Unlock()
	return append([]string(nil), ds.headers...)
}

func TestDigest(t *testing.T) {
	tests := []struct {
		name      string
		algorithm string
		rotate    int
		password  string
		requests  int
		statuses  []int
		sent      int // requests the server received
	}{
		{name: "md5, challenge cached", algorithm: "MD5", password: "pw", requests: 3, statuses: []int{200, 200, 200}, sent: 4},
		{name: "sha-256", algorithm: "SHA-256", password: "pw", requests: 2, statuses: []int{200, 200}, sent: 3},
		{name: "stale nonce is renewed", algorithm: "MD5", rotate: 2, password: "pw", requests: 4, statuses: []int{200, 200, 200, 200}, sent: 6},
		{name: "wrong password ends in the 401", algorithm: "MD5", password: "nope", requests: 2, statuses: []int{401, 401}, sent: 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newDigestServer(t, tt.algorithm, tt.rotate)
			a, err := New(&catalog.Auth{Scheme: "Digest", User: "ann", Password: "${P}"}, secrets(map[string]string{"P": tt.password}))
			require.NoError(t, err)
			var statuses []int
			for i := range tt.requests {
				req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/posts?page=%d", srv.URL, i+1), nil)
				require.NoError(t, err)
				resp, err := Do(nil, a, req)
				require.NoError(t, err)
				require.NoError(t, resp.Body.Close())
				statuses = append(statuses, resp.StatusCode)
			}
			assert.Equal(t, tt.statuses, statuses)
			seen := srv.seen()
			assert.Len(t, seen, tt.sent)
			assert.Empty(t, seen[0], "the first request has no challenge to answer")
			for _, h := range seen {
				assert.NotContains(t, h, tt.password)
			}
		})
	}
}

func TestDigestNoChallenge(t *testing.T) {
	for _, tt := range []struct {
		name   string
		header []string
		want   string
	}{
		{"no header", nil, "auth: Digest: the server answered 401 without a WWW-Authenticate challenge"},
		{"basic only", []string{`Basic realm="x"`, `Bearer realm="y", error="invalid_token"`}, `auth: Digest: the server's 401 asks for ["Basic" "Bearer"], not a Digest challenge this client can answer`},
		{"unknown algorithm", []string{`Digest realm="x", nonce="n", algorithm=MD4`}, `auth: Digest: the server's 401 asks for ["Digest"], not a Digest challenge this client can answer`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for _, h := range tt.header {
					w.Header().Add("WWW-Authenticate", h)
				}
				w.WriteHeader(http.StatusUnauthorized)
			}))
			defer srv.Close()
			a, err := New(&catalog.Auth{Scheme: "Digest", User: "ann", Password: "pw"}, nil)
			require.NoError(t, err)
			req, err := http.NewRequest(http.MethodGet, srv.URL, nil)
			require.NoError(t, err)
			resp, err := Do(nil, a, req)
			require.EqualError(t, err, tt.want)
			assert.Nil(t, resp)
		})
	}
}

// Do resends a request with a body through GetBody.
func TestDoResendsTheBody(t *testing.T) {
	srv := newDigestServer(t, "MD5", 0)
	var bodies []string
	var mu sync.Mutex
	wrapped := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 64)
		n, _ := r.Body.Read(b)
		mu.Lock()
		bodies = append(bodies, string(b[:n]))
		mu.Unlock()
		srv.serve(w, r)
	}))
	defer wrapped.Close()
	a, err := New(&catalog.Auth{Scheme: "Digest", User: "ann", Password: "pw"}, nil)
	require.NoError(t, err)
	req, err := http.NewRequest(http.MethodPost, wrapped.URL+"/posts", stringsReader(`{"a":1}`))
	require.NoError(t, err)
	resp, err := Do(nil, a, req)
	require.NoError(t, err)
	require.NoError(t, resp.Body.Close())
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, []string{`{"a":1}`, `{"a":1}`}, bodies)
}

// FuzzDigestChallenge: any WWW-Authenticate value is either refused with an
// error or answered, without a panic, and the answer never holds the
// password.
func FuzzDigestChallenge(f *testing.F) {
	for _, s := range []string{
		`Digest realm="api", nonce="n1", qop="auth", algorithm=MD5`,
		`Digest realm="a", nonce="n", qop="auth-int", algorithm=SHA-256, opaque="o", userhash=true`,
		`Digest realm="a", nonce="n", algorithm=SHA-512-256, domain="/a /b", stale=TRUE, charset=UTF-8`,
		`Digest realm="unterminated`, `Digest ,,,`, `Digest realm=a\"b`, `Basic realm="x"`, `Digest`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, challenge string) {
		d := &Digest{User: "ann", Password: "fuzz-pw-secret"}
		resp := &http.Response{StatusCode: http.StatusUnauthorized, Header: http.Header{"Www-Authenticate": {challenge}}}
		again, err := d.Refresh(resp)
		if err != nil || !again {
			return
		}
		req, _ := http.NewRequest(http.MethodGet, "http://api.test/items?page=1", nil)
		if err := d.Authenticate(req); err != nil {
			return
		}
		if h := req.Header.Get("Authorization"); !strings.HasPrefix(h, "Digest ") || strings.Contains(h, "fuzz-pw-secret") {
			t.Fatalf("Authorization %q", h)
		}
	})
}
