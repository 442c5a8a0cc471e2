package restsql

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/restsource"
)

// The secrets of the log test: each goes to an API, and each API echoes
// its secret back in a header and in a body, so that only redaction by
// value can keep it out of the log.
const (
	logBearer       = "bearer-tok-AAA111"
	logAPIKey       = "api-key-B&B=222" // needs escaping in a URL
	logBasicPw      = "basic-pw-CCC333"
	logClientSecret = "client-secret-DDD444"
)

// TestLogNeverShowsSecrets runs the same queries at every Verbosity, over
// four catalogs (Bearer, an API key in the query, Basic, OAuth2), each API
// failing once with a 503 that echoes its secret, and checks that each
// level logs what it should and that no secret, in any form, is in the log.
func TestLogNeverShowsSecrets(t *testing.T) {
	ignore := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, ignore) }) // runs last: after the servers close
	dir := t.TempDir()
	secretsFile := filepath.Join(dir, "secrets.json")
	require.NoError(t, os.WriteFile(secretsFile, []byte(fmt.Sprintf(
		`{"BearerToken":%q,"ApiKey":%q,"BasicPw":%q,"ClientSecret":%q}`, logBearer, logAPIKey, logBasicPw, logClientSecret)), 0o600))

	tokens := newTokenEndpoint(t, logClientSecret)
	echo := func(api *credAPI, secret func() string) {
		api.fail = func(w http.ResponseWriter, r *http.Request, n int) bool {
			w.Header().Set("X-Echo", secret())
			if n%2 == 1 { // each query's first request
				w.Header().Set("Retry-After", "0")
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprintf(w, `{"error":"busy","echo":%q}`, secret())
				return true
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `[{"id":1,"name":"one","note":%q}]`, secret())
			return true
		}
	}
	bearer := newCredAPI(t, func(r *http.Request) bool { return r.Header.Get("Authorization") == "Bearer "+logBearer })
	echo(bearer, func() string { return logBearer })
	keyed := newCredAPI(t, func(r *http.Request) bool { return r.URL.Query().Get("k") == logAPIKey })
	echo(keyed, func() string { return logAPIKey })
	basic := newCredAPI(t, func(r *http.Request) bool { u, p, ok := r.BasicAuth(); return ok && u == "ann" && p == logBasicPw })
	echo(basic, func() string { return logBasicPw })
	oauth := newCredAPI(t, func(r *http.Request) bool { return tokens.accepts(r.Header.Get("Authorization")) })
	echo(oauth, func() string {
		if tk := tokens.tokens(); len(tk) > 0 {
			return tk[len(tk)-1]
		}
		return ""
	})

	levels := []struct {
		verbosity int
		has       []string
		hasNot    []string
	}{
		{1, []string{"level=INFO msg=query ", `msg="query done"`}, []string{"level=REQUEST", "level=HEADERS", "level=BODY", "level=TRANSPORT"}},
		{2, []string{`level=REQUEST msg="restsource: request"`, `msg="restsource: retrying"`}, []string{"level=HEADERS", "level=BODY", "level=TRANSPORT"}},
		{3, []string{`level=HEADERS msg="restsource: request headers"`, "Authorization: ***"}, []string{"level=BODY", "level=TRANSPORT"}},
		{4, []string{`level=BODY msg="restsource: response body"`}, []string{"level=TRANSPORT"}},
		{5, []string{`level=TRANSPORT msg="restsource: transport"`}, nil},
	}
	for _, lv := range levels {
		t.Run(fmt.Sprintf("Verbosity=%d", lv.verbosity), func(t *testing.T) {
			logfile := filepath.Join(dir, fmt.Sprintf("v%d.log", lv.verbosity))
			dsn := fmt.Sprintf("SecretsFile=%s;Logfile=%s;Verbosity=%d;MaxRetries=2", secretsFile, logfile, lv.verbosity)
			cfg, err := ParseDSN(dsn)
			require.NoError(t, err)
			cfg.Catalogs = []*catalog.Catalog{
				itemsCatalog("B", bearer.URL, &catalog.Auth{Scheme: "Bearer", Token: "${BearerToken}"}),
				itemsCatalog("K", keyed.URL, &catalog.Auth{Scheme: "APIKey", Key: "${ApiKey}", Name: "k", In: "query"}),
				itemsCatalog("U", basic.URL, &catalog.Auth{Scheme: "Basic", User: "ann", Password: "${BasicPw}"}),
				itemsCatalog("O", oauth.URL, &catalog.Auth{Scheme: "OAuth2", ClientID: "cid", ClientSecret: "${ClientSecret}", TokenURL: tokens.URL + "/token"}),
			}
			db := openConfig(t, cfg, nil)
			for _, q := range []string{
				"SELECT id, name FROM B.S.items",
				"SELECT id, name FROM K.S.items",
				"SELECT id FROM U.S.items WHERE name <> '" + logBasicPw + "'",
				"SELECT id, name FROM O.S.items",
			} {
				ids, err := queryIDs(t, db, q)
				require.NoError(t, err, q)
				assert.Equal(t, []int64{1}, ids, q)
			}
			// A failing query is logged with its error, redacted too.
			_, err = queryIDs(t, db, "SELECT id FROM nope.S.items WHERE name = '"+logBearer+"'")
			require.Error(t, err)
			require.NoError(t, db.Close())

			data, err := os.ReadFile(logfile)
			require.NoError(t, err)
			log := string(data)
			for _, want := range lv.has {
				assert.Contains(t, log, want)
			}
			for _, not := range lv.hasNot {
				assert.NotContains(t, log, not)
			}
			assert.Contains(t, log, `msg="query failed"`)
			secrets := []string{logBearer, logAPIKey, logBasicPw, logClientSecret,
				base64.StdEncoding.EncodeToString([]byte("ann:" + logBasicPw))}
			secrets = append(secrets, tokens.tokens()...)
			for _, s := range secrets {
				for _, form := range []string{s, url.QueryEscape(s), url.PathEscape(s)} {
					assert.NotContains(t, log, form, "a secret in the log at Verbosity %d", lv.verbosity)
				}
			}
			assert.Contains(t, log, "***")
			assert.Contains(t, log, "requests=2 retries=1", "the summary counts the retry")
		})
	}
	// The servers got the credentials: each query was one 503 and one 200.
	for _, api := range []*credAPI{bearer, keyed, basic, oauth} {
		assert.Len(t, api.requests(), 2*len(levels))
	}
	assert.Len(t, tokens.tokens(), len(levels), "one token per connector")
}

func TestLevelFor(t *testing.T) {
	for v, want := range map[int]slog.Level{1: slog.LevelInfo, 2: restsource.LevelRequests, 3: restsource.LevelHeaders, 4: restsource.LevelBodies, 5: restsource.LevelTransport} {
		assert.Equal(t, want, levelFor(v), "Verbosity %d", v)
	}
}

func TestRedactor(t *testing.T) {
	r := newRedactor()
	r.add("")
	r.add("ab") // too short to redact by value
	r.add("s3cret")
	r.add("s3cret-longer")
	r.add(`a"b/c d&e`)
	for in, want := range map[string]string{
		"x s3cret y":                       "x *** y",
		"s3cret-longer":                    "***",
		"ab":                               "ab",
		`url?p=a%22b%2Fc+d%26e`:            "url?p=***",
		`path/a%22b%2Fc%20d&e`:             "path/***",
		`{"v":"a\"b/c d\u0026e"}`:          `{"v":"***"}`,
		"nothing to hide":                  "nothing to hide",
		"s3crets3cret":                     "******",
		`{"v":"a\"b/c d&e", "w":"s3cret"}`: `{"v":"***", "w":"***"}`,
	} {
		assert.Equal(t, want, r.redact(in), in)
	}
	var nilRed *redactor
	nilRed.add("x")
	assert.Equal(t, "x", nilRed.redact("x"))
}

// The handler redacts strings, errors, groups and values added with With;
// numbers stay numbers.
func TestRedactingHandler(t *testing.T) {
	var buf bytes.Buffer
	r := newRedactor()
	r.add("hunter2")
	l := newLogger(&buf, 5, r).With("with", "w-hunter2")
	l.Info("msg hunter2", "s", "hunter2", "err", errors.New("bad hunter2"), slog.Group("g", "inner", "hunter2"), "n", 42, "d", time.Second)
	l.Log(t.Context(), restsource.LevelTransport, "detail")
	out := buf.String()
	assert.NotContains(t, out, "hunter2")
	assert.Contains(t, out, `msg="msg ***" with=w-*** s=*** err="bad ***" g.inner=*** n=42 d=1s`)
	assert.Contains(t, out, "level=TRANSPORT msg=detail")
}

func TestOpenLog(t *testing.T) {
	l, c, err := openLog("", 1, newRedactor())
	require.NoError(t, err)
	assert.Nil(t, l)
	assert.Nil(t, c)
	for _, p := range []string{"STDOUT://", "stderr://"} {
		l, c, err := openLog(p, 2, newRedactor())
		require.NoError(t, err)
		assert.NotNil(t, l)
		assert.Nil(t, c)
	}
	_, _, err = openLog(filepath.Join(t.TempDir(), "no", "such", "dir", "x.log"), 1, newRedactor())
	require.ErrorContains(t, err, "restsql: dsn: Logfile: ")
	path := filepath.Join(t.TempDir(), "x.log")
	l, c, err = openLog(path, 1, newRedactor())
	require.NoError(t, err)
	l.Info("hello")
	require.NoError(t, c.Close())
	fi, err := os.Stat(path)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	data, _ := os.ReadFile(path)
	assert.True(t, strings.Contains(string(data), "msg=hello"))
}
