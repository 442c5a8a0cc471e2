package restsource

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const jiraProfile = `
catalogs:
  Jira:
    url: https://your-domain.atlassian.net
    pagination: {type: offset, offsetParam: startAt, sizeParam: maxResults, pageSize: 2, totalPath: total}
    schemas:
      Jira:
        tables:
          issues:
            url: /rest/api/3/search
            rows: issues
            combine: {jql: {base: "project = ${Project}", sep: " AND "}}
            sort: {param: jql, value: " ORDER BY {column} {dir}", append: true, columns: [key, created]}
            columns:
              - {name: key, key: true, filters: {"=": {param: jql, value: "key = {}", quote: '"', escape: backslash}}}
              - name: status
                path: fields.status.name
                filters:
                  "=": {param: jql, value: "status = {}", quote: '"', escape: backslash}
                  "IN": {param: jql, value: "status IN ({})", join: ", ", quote: '"', escape: backslash}
              - {name: summary, path: fields.summary, filters: {"=": {param: jql, value: "summary ~ {}"}}}
              - {name: votes, path: fields.votes.votes, type: int, filters: {">": {param: jql, value: "votes > {}"}}}
              - {name: created, path: fields.created}
`

// jiraSearch is GET /rest/api/3/search as Jira Cloud documents it: jql,
// startAt and maxResults; the page object has startAt, maxResults, total
// and issues. It answers two issues in two pages whatever the jql (the
// test asserts the jql the driver wrote).
func jiraSearch(w http.ResponseWriter, r *http.Request) {
	issues := []map[string]any{
		{"id": "10001", "key": "PROJ-1", "fields": map[string]any{"summary": "Crash", "status": map[string]any{"name": "To Do"}, "votes": map[string]any{"votes": 3}, "created": "2024-01-05T10:00:00.000+0000"}},
		{"id": "10002", "key": "PROJ-2", "fields": map[string]any{"summary": "Typo", "status": map[string]any{"name": "In \"Progress\""}, "votes": map[string]any{"votes": 5}, "created": "2024-01-04T10:00:00.000+0000"}},
	}
	start, _ := strconv.Atoi(r.URL.Query().Get("startAt"))
	size, _ := strconv.Atoi(r.URL.Query().Get("maxResults"))
	if start > len(issues) {
		start = len(issues)
	}
	end := min(start+size, len(issues))
	writeJSON(w, map[string]any{"expand": "names,schema", "startAt": start, "maxResults": size, "total": len(issues), "issues": issues[start:end]})
}

func TestCombineJQL(t *testing.T) {
	cat, tbl := loadTable(t, jiraProfile, "Jira", "Jira", "issues")
	expand := func(s string) (string, error) {
		if s == "project = ${Project}" {
			return "project = PROJ", nil
		}
		return s, nil
	}

	t.Run("base alone", func(t *testing.T) {
		srv, rc := serve(t, jiraSearch)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Expand: expand})
		rows, _ := scanAll(t, s, Query{Limit: -1, Columns: []string{"key"}})
		assert.Equal(t, [][]any{{"PROJ-1"}, {"PROJ-2"}}, rows)
		reqs := rc.all()
		require.Len(t, reqs, 1)
		assert.Equal(t, "project = PROJ", reqs[0].Query.Get("jql"))
		assert.Equal(t, "0", reqs[0].Query.Get("startAt"))
	})

	t.Run("filters in WHERE order, sort appended", func(t *testing.T) {
		srv, rc := serve(t, jiraSearch)
		s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, Expand: expand})
		q := Query{Limit: -1, Columns: []string{"key"},
			Predicates: []Predicate{
				{Column: "status", Op: "IN", Values: []any{"To Do", `In "Progress"`}},
				{Column: "votes", Op: ">", Values: []any{int64(2)}},
				{Column: "summary", Op: "=", Values: []any{"x\" OR project = OTHER"}},
			},
			Sort: []SortKey{{Column: "key", Desc: true}}}
		p, err := s.Plan(q)
		require.NoError(t, err)
		assert.Equal(t, []Support{Inexact, Inexact, Unsupported}, p.Pushed)
		assert.Contains(t, p.Pushdown.Filters[2].Reason, "column summary: a string goes into the query-language parameter jql only with quote:")
		assert.True(t, p.SortPushed)
		rows, _ := scanAll(t, s, q)
		assert.Len(t, rows, 2)
		reqs := rc.all()
		require.Len(t, reqs, 1)
		assert.Equal(t, `project = PROJ AND status IN ("To Do", "In \"Progress\"") AND votes > 2 ORDER BY key desc`, reqs[0].Query.Get("jql"))
		assert.Len(t, reqs[0].Query["jql"], 1, "one jql parameter")
	})

	t.Run("sort without filters or base", func(t *testing.T) {
		srv, rc := serve(t, jiraSearch)
		c2, t2 := loadTable(t, jiraProfile, "Jira", "Jira", "issues")
		t2.Combine["jql"].Base = ""
		s := newSource(t, c2, t2, Options{BaseURL: srv.URL})
		_, _ = scanAll(t, s, Query{Limit: -1, Sort: []SortKey{{Column: "key"}}})
		assert.Equal(t, "ORDER BY key asc", rc.all()[0].Query.Get("jql"))
	})
}
