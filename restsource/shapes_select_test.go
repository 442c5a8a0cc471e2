package restsource

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSelectNamesTheEachArrayAlways: a query that reads only ^. columns
// (or counts rows) still needs the each: array, which says how many rows
// each order gives. Found by TestRandomShapes (seed 146): fields=id,total
// made every order one row under keepEmpty and none without it.
func TestSelectNamesTheEachArrayAlways(t *testing.T) {
	cat, tbl := loadTable(t, shopifyProfile, "Shopify", "Shopify", "order_lines")
	srv, rc := serve(t, shopifyOrders)
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, PageSize: 50})
	rows, _ := scanAll(t, s, Query{Limit: -1, Columns: []string{"order_id", "financial_status"}})
	// One row per line: order 3 has two, order 2 none.
	assert.Equal(t, [][]any{{int64(1), "paid"}, {int64(3), "paid"}, {int64(3), "paid"}, {int64(4), "refunded"}, {int64(5), "paid"}}, rows)
	require.Equal(t, 1, rc.count())
	assert.Equal(t, "id,financial_status,line_items", rc.all()[0].Query.Get("fields"))

	// No column at all (COUNT(*)): nothing is selected, the API answers
	// whole orders.
	srv, rc = serve(t, shopifyOrders)
	s = newSource(t, cat, tbl, Options{BaseURL: srv.URL, PageSize: 50})
	rows, _ = scanAll(t, s, Query{Limit: -1, Columns: []string{}})
	assert.Len(t, rows, 5)
	require.Equal(t, 1, rc.count())
	assert.False(t, rc.all()[0].Query.Has("fields"))
}

const jiraSubtasksProfile = `
catalogs:
  Jira:
    url: https://jira.test
    schemas:
      Jira:
        tables:
          subtasks:
            url: /search
            rows: issues
            each: fields.subtasks
            select: {param: fields, under: fields}
            columns:
              - {name: issue, path: ^.key}
              - {name: status, path: ^.fields.status}
              - {name: sub, path: key}
`

// jiraSubtasks answers issues whose fields are the ones the fields
// parameter names (status alone without it).
func jiraSubtasks(w http.ResponseWriter, r *http.Request) {
	want := []string{"status"}
	if f := r.URL.Query().Get("fields"); f != "" {
		want = strings.Split(f, ",")
	}
	all := []map[string]any{
		{"status": "open", "subtasks": []any{map[string]any{"key": "A-2"}, map[string]any{"key": "A-3"}}},
		{"status": "done", "subtasks": []any{map[string]any{"key": "B-2"}}},
	}
	var issues []any
	for i, f := range all {
		fields := map[string]any{}
		for _, n := range want {
			if v, ok := f[n]; ok {
				fields[n] = v
			}
		}
		issues = append(issues, map[string]any{"key": []string{"A-1", "B-1"}[i], "fields": fields})
	}
	writeJSON(w, map[string]any{"issues": issues})
}

// TestSelectUnderNamesTheEachArray: with select.under, the each: array
// below it is named too.
func TestSelectUnderNamesTheEachArray(t *testing.T) {
	cat, tbl := loadTable(t, jiraSubtasksProfile, "Jira", "Jira", "subtasks")
	srv, rc := serve(t, jiraSubtasks)
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	rows, _ := scanAll(t, s, Query{Limit: -1, Columns: []string{"issue", "status"}})
	assert.Equal(t, [][]any{{"A-1", "open"}, {"A-1", "open"}, {"B-1", "done"}}, rows)
	require.Equal(t, 1, rc.count())
	assert.Equal(t, "status,subtasks", rc.all()[0].Query.Get("fields"))
}
