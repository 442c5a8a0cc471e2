package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

// codeBlock is a fenced block of a Markdown file and the text before it.
type codeBlock struct {
	lang, text, before string
}

func codeBlocks(t *testing.T, path string) []codeBlock {
	t.Helper()
	data, err := os.ReadFile(path)
	require.NoError(t, err)
	var blocks []codeBlock
	re := regexp.MustCompile("(?s)```(\\w*)\\n(.*?)```")
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(string(data), -1) {
		s := string(data)
		blocks = append(blocks, codeBlock{lang: s[m[2]:m[3]], text: s[m[4]:m[5]], before: s[last:m[0]]})
		last = m[1]
	}
	return blocks
}

// portRE matches the demo API's loopback address.
var portRE = regexp.MustCompile(`127\.0\.0\.1:\d+`)

// TestReferenceExamples runs the examples of docs/reference.md: the DSNs
// parse, the profiles load, the CLI sessions print what the page shows,
// and the listed errors are the driver's words.
func TestReferenceExamples(t *testing.T) {
	blocks := codeBlocks(t, "../../docs/reference.md")
	var dsns, profiles, sessions int
	for _, b := range blocks {
		switch {
		case strings.HasSuffix(strings.TrimSpace(b.before), "These DSNs all parse:"):
			for _, line := range strings.Split(strings.TrimSpace(b.text), "\n") {
				_, err := restsql.ParseDSN(line)
				assert.NoError(t, err, line)
				dsns++
			}
		case b.lang == "yaml":
			text := b.text
			if !strings.HasPrefix(text, "catalogs:") {
				// A table's fragment: put it in a catalog.
				text = "catalogs:\n  API1:\n    url: http://127.0.0.1:3000\n    schemas:\n      API:\n        tables:\n" + indent(text, "          ")
			}
			_, err := catalog.Parse([]byte(text), "reference.md")
			assert.NoError(t, err, text)
			profiles++
		case strings.HasPrefix(b.text, "$ restsql "):
			cmdline, want, _ := strings.Cut(b.text, "\n")
			args := shellWords(t, strings.TrimPrefix(cmdline, "$ restsql "))
			out, stderr, code := runCmd(t, context.Background(), args...)
			require.Equal(t, exitOK, code, stderr)
			assert.Equal(t, want, portRE.ReplaceAllString(out, "127.0.0.1:PORT"), cmdline)
			sessions++
		}
	}
	assert.Equal(t, 6, dsns)
	assert.Equal(t, 18, profiles)
	assert.Equal(t, 1, sessions)
}

// TestReferenceErrors checks the messages of the errors table against
// what the driver says for the same mistakes.
func TestReferenceErrors(t *testing.T) {
	data, err := os.ReadFile("../../docs/reference.md")
	require.NoError(t, err)
	doc := map[string]string{}
	for _, m := range regexp.MustCompile("(?m)^\\| ([^|\\n]+) \\| (`.+`) \\|$").FindAllStringSubmatch(string(data), -1) {
		msg := m[2]
		if strings.HasPrefix(msg, "``") && strings.HasSuffix(msg, "``") {
			// A message that holds a backtick: ``…``, or `` … ``.
			msg = strings.TrimSuffix(strings.TrimPrefix(msg[2:len(msg)-2], " "), " ")
		} else {
			msg = strings.TrimSuffix(strings.TrimPrefix(msg, "`"), "`")
		}
		doc[m[1]] = msg
	}
	twoCatalogs := "catalogs:\n  API1: {url: http://127.0.0.1:1, schemas: {API: {tables: {t: {url: /t, columns: [{name: id}]}}}}}\n  API2: {url: http://127.0.0.1:1, schemas: {API: {tables: {t: {url: /t, columns: [{name: id}]}}}}}\n"
	dir := t.TempDir()
	profile := dir + "/api.yaml"
	require.NoError(t, os.WriteFile(profile, []byte(twoCatalogs), 0o644))
	cases := map[string]func() error{
		"DSN typo": func() error { _, err := restsql.ParseDSN("Profil=api.yaml"); return err },
		"`;` inside an unquoted secret": func() error {
			_, err := restsql.ParseDSN("Password=hun;ter2")
			return err
		},
		"value out of range": func() error { _, err := restsql.ParseDSN("Verbosity=9"); return err },
		"unknown default catalog": func() error {
			_, err := openCfg("Profile=" + profile + ";defaultCatalog=API3")
			return err
		},
		"DSN URL without a scheme": func() error {
			_, err := openCfg("Profile=" + profile + ";defaultCatalog=API1;URL=localhost:3300")
			return err
		},
		"unquoted `!=` filter key": func() error {
			_, err := catalog.Parse([]byte("catalogs:\n  API1:\n    url: http://h\n    schemas:\n      API:\n        tables:\n          posts:\n            url: /posts\n            columns: [{name: id, filters: {!=: {param: id_ne}}}]\n"), "api.yaml")
			return err
		},
	}
	for when, f := range cases {
		want, ok := doc[when]
		if !assert.True(t, ok, "reference.md lists no error for %q", when) {
			continue
		}
		err := f()
		require.Error(t, err, when)
		assert.Equal(t, want, err.Error(), when)
	}
}

// openCfg opens a connector on a DSN.
func openCfg(dsn string) (any, error) {
	cfg, err := restsql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	return restsql.NewConnector(cfg)
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n") + "\n"
}

// shellWords splits a command line of plain words and "double-quoted"
// words (no escapes but \$).
func shellWords(t *testing.T, s string) []string {
	t.Helper()
	var words []string
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] == '"' {
			end := strings.IndexByte(s[1:], '"')
			require.GreaterOrEqual(t, end, 0, "unterminated quote in %q", s)
			w, err := strconv.Unquote(`"` + strings.ReplaceAll(s[1:end+1], `\$`, `$`) + `"`)
			require.NoError(t, err)
			words = append(words, w)
			s = s[end+2:]
			continue
		}
		w, rest, _ := strings.Cut(s, " ")
		words = append(words, w)
		s = rest
	}
	return words
}

// TestTutorial runs docs/tutorial.md: its profiles load, and the last one,
// pointed at the demo API, answers the shell session it shows.
func TestTutorial(t *testing.T) {
	blocks := codeBlocks(t, "../../docs/tutorial.md")
	var last, session string
	for _, b := range blocks {
		switch {
		case b.lang == "yaml" && strings.HasPrefix(b.text, "catalogs:"):
			_, err := catalog.Parse([]byte(b.text), "tutorial.md")
			require.NoError(t, err, b.text)
			last = b.text
		case strings.HasPrefix(b.text, "restsql> "):
			session = b.text
		}
	}
	require.NotEmpty(t, last)
	require.NotEmpty(t, session)
	srv, err := demoapi.Start()
	require.NoError(t, err)
	defer srv.Close()
	profile := filepath.Join(t.TempDir(), "api.yaml")
	require.NoError(t, os.WriteFile(profile, []byte(strings.ReplaceAll(last, "http://127.0.0.1:3000", srv.URL)), 0o644))
	stdin = strings.NewReader(strings.ReplaceAll(session, "restsql> ", ""))
	defer func() { stdin = os.Stdin }()
	out, stderr, code := runCmd(t, context.Background(), "shell", "--dsn", "Profile="+profile)
	require.Equal(t, exitOK, code)
	assert.Empty(t, stderr)
	for _, want := range []string{
		"Blog    | API         | comments_by_post", // .tables
		"userId      | int ",                       // \d posts
		"Ada Lovelace | 10",                        // the join
		"Hayden_Garfield@sydney.example",           // the required key
		"GET " + srv.URL + "/posts/7",              // get: by key
	} {
		assert.Contains(t, out, want)
	}
	// The tutorial's EXPLAIN line is what the driver plans.
	for _, b := range blocks {
		if strings.Contains(b.text, "| Request  |") {
			out, _, code := runCmd(t, context.Background(), "query", "--dsn", "Profile="+profile, "EXPLAIN SELECT id, title FROM posts WHERE userId = 1 ORDER BY id DESC LIMIT 3")
			require.Equal(t, exitOK, code)
			assert.Contains(t, out, strings.ReplaceAll(strings.TrimSpace(b.text), "http://127.0.0.1:3000", srv.URL))
		}
	}
}
