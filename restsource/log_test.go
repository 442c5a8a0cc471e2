package restsource

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/auth"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/retry/retrytest"
)

// Each level adds its lines; no level shows a credential, whether it is
// sent in a header, a query parameter, or comes back in a header or body.
func TestLogLevels(t *testing.T) {
	const (
		bearer = "bearer-secret-123"
		key    = "query-key-456"
		cookie = "session-cookie-789"
		echoed = "echoed-token-000"
	)
	handler := func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		w.Header().Set("Set-Cookie", "sid="+cookie)
		w.Header().Set("X-Request-Id", "req-1")
		if page == 1 && attempt == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return true
		}
		if page == 3 {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`[{"id":21,"name":"x","access_token":"` + echoed + `"}]`))
			return true
		}
		return false
	}
	tests := []struct {
		level slog.Level
		msgs  []string
	}{
		{slog.LevelInfo, nil},
		{LevelRequests, []string{"restsource: request", "restsource: retrying"}},
		{LevelHeaders, []string{"restsource: request", "restsource: retrying", "restsource: request headers", "restsource: response headers"}},
		{LevelBodies, []string{"restsource: request", "restsource: retrying", "restsource: request headers", "restsource: response headers", "restsource: response body"}},
		{LevelTransport, []string{"restsource: request", "restsource: retrying", "restsource: request headers", "restsource: response headers", "restsource: response body", "restsource: transport"}},
	}
	for _, tt := range tests {
		t.Run(tt.level.String(), func(t *testing.T) {
			srv := newFaultServer(t, handler)
			var buf syncBuffer
			logger := slog.New(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: tt.level}))
			s := itemsSource(t, srv.URL, Options{Auth: &auth.Bearer{Token: bearer}, MaxRetries: 1, Clock: retrytest.NewClock(faultEpoch), Logger: logger,
				Expand: func(v string) (string, error) { return strings.ReplaceAll(v, "${KEY}", key), nil }},
				func(c *catalog.Catalog, _ *catalog.Table) { c.Params = map[string]string{"k": "${KEY}"} })
			_, err := scanIDs(t, s)
			require.NoError(t, err)
			out := buf.String()
			for _, secret := range []string{bearer, key, cookie, echoed} {
				assert.NotContains(t, out, secret)
			}
			msgs := map[string]bool{}
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				if line == "" {
					continue
				}
				var e map[string]any
				require.NoError(t, json.Unmarshal([]byte(line), &e), line)
				msgs[e["msg"].(string)] = true
			}
			var got []string
			for m := range msgs {
				got = append(got, m)
			}
			assert.ElementsMatch(t, tt.msgs, got)
			if tt.level <= LevelHeaders {
				assert.Contains(t, out, `Authorization: ***`)
				assert.Contains(t, out, `Set-Cookie: ***`)
				assert.Contains(t, out, `X-Request-Id: req-1`)
				assert.Contains(t, out, `k=***`)
			}
			if tt.level <= LevelBodies {
				assert.Contains(t, out, `\"access_token\":\"***\"`)
			}
		})
	}
}

func TestRedactText(t *testing.T) {
	for in, want := range map[string]string{
		`{"token": "abc", "name": "x"}`:          `{"token": "***", "name": "x"}`,
		`{"Access_Token":"a\"b","id":1}`:         `{"Access_Token":"***","id":1}`,
		`grant_type=password&password=hunter2`:   `grant_type=password&password=***`,
		`see https://x/cb?api_key=k1&page=2 now`: `see https://x/cb?api_key=***&page=2 now`,
		`{"tokens": 3}`:                          `{"tokens": 3}`,
	} {
		assert.Equal(t, want, redactText(in), in)
	}
}

func TestTally(t *testing.T) {
	srv := newFaultServer(t, func(w http.ResponseWriter, r *http.Request, page, attempt int) bool {
		if page == 2 && attempt == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return true
		}
		return false
	})
	s := itemsSource(t, srv.URL, Options{MaxRetries: 2, Clock: retrytest.NewClock(faultEpoch)})
	p, err := s.Plan(Query{Limit: -1})
	require.NoError(t, err)
	var tally Tally
	rows, err := s.Scan(WithTally(t.Context(), &tally), p)
	require.NoError(t, err)
	got := collect(t, rows, 2)
	require.NoError(t, rows.Close())
	assert.Len(t, got, faultItems)
	assert.Equal(t, int64(4), tally.Requests())
	assert.Equal(t, int64(1), tally.Retries())
	assert.Equal(t, int64(len(itemsPage(1, 10))+len(itemsPage(2, 10))+len(itemsPage(3, 10))), tally.Bytes())
	assert.Equal(t, int64(4), rows.Stats().Requests)
}
