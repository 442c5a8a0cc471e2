package restsql_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestKeyLookupOfAnAPIThatIgnoresCase: an API that matches keys ignoring
// case (GitHub's /users/{login}) answers /users/OctoCat with octocat's
// row. That is no row of login = 'OctoCat' (SQL's = is case-sensitive),
// and IN ('octocat', 'OCTOCAT') would read it twice: a row whose key is
// not the one its URL asked for is dropped, before a LIMIT counts it.
func TestKeyLookupOfAnAPIThatIgnoresCase(t *testing.T) {
	users := []map[string]any{{"login": "octocat", "id": 1}, {"login": "hubot", "id": 2}}
	var mu sync.Mutex
	var seen []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.URL.Path)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		login, ok := strings.CutPrefix(r.URL.Path, "/users/")
		if !ok {
			_ = json.NewEncoder(w).Encode(users)
			return
		}
		login, orgRepos := strings.CutSuffix(login, "/repos")
		for _, u := range users {
			if strings.EqualFold(u["login"].(string), login) {
				if orgRepos {
					_ = json.NewEncoder(w).Encode([]map[string]any{{"name": "r-" + u["login"].(string), "owner": u["login"]}})
				} else {
					_ = json.NewEncoder(w).Encode(u)
				}
				return
			}
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = fmt.Fprint(w, "{}")
	}))
	t.Cleanup(srv.Close)
	db := openProfile(t, fmt.Sprintf(`
catalogs:
  C:
    url: %s
    schemas:
      S:
        tables:
          users:
            url: /users
            get: {url: "/users/{login}"}
            columns:
              - {name: login, key: true}
              - {name: id, type: int}
          repos:
            url: "/users/{owner}/repos"
            columns:
              - {name: name, key: true}
              - {name: owner}
`, srv.URL))
	tests := []struct {
		sql      string
		rows     [][]string
		requests []string
	}{
		{"SELECT login, id FROM users WHERE login = 'OctoCat'", nil, []string{"/users/OctoCat"}},
		{"SELECT login, id FROM users WHERE login = 'octocat'", [][]string{{"octocat", "1"}}, []string{"/users/octocat"}},
		{"SELECT login FROM users WHERE login IN ('octocat', 'OCTOCAT', 'hubot') LIMIT 2", [][]string{{"octocat"}, {"hubot"}},
			[]string{"/users/octocat", "/users/OCTOCAT", "/users/hubot"}},
		{"SELECT name, owner FROM repos WHERE owner IN ('Hubot', 'hubot')", [][]string{{"r-hubot", "hubot"}},
			[]string{"/users/Hubot/repos", "/users/hubot/repos"}},
		// The key column is read even when the query does not ask for it.
		{"SELECT id FROM users WHERE login IN ('octocat', 'OCTOCAT')", [][]string{{"1"}}, []string{"/users/octocat", "/users/OCTOCAT"}},
		{"SELECT name FROM repos WHERE owner IN ('Hubot', 'hubot')", [][]string{{"r-hubot"}}, []string{"/users/Hubot/repos", "/users/hubot/repos"}},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			mu.Lock()
			seen = nil
			mu.Unlock()
			assert.Equal(t, tt.rows, queryRows(t, db, tt.sql))
			mu.Lock()
			defer mu.Unlock()
			assert.ElementsMatch(t, tt.requests, seen)
		})
	}
}
