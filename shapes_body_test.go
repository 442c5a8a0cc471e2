package restsql_test

import (
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tidwall/gjson"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
)

// seen records the requests a fake API received: "METHOD path?query body".
type seen struct {
	mu   sync.Mutex
	reqs []string
}

func (s *seen) add(r *http.Request) string {
	b, _ := io.ReadAll(r.Body)
	line := r.Method + " " + r.URL.RequestURI()
	if len(b) > 0 {
		line += " " + string(b)
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, line)
	s.mu.Unlock()
	return string(b)
}

func (s *seen) count(prefix string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, r := range s.reqs {
		if strings.HasPrefix(r, prefix) {
			n++
		}
	}
	return n
}

func (s *seen) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.reqs...)
}

// openShapes opens a DB on a profile with a Config the test may adjust.
func openShapes(t *testing.T, yaml string, adjust func(*restsql.Config)) *sql.DB {
	t.Helper()
	p, err := catalog.Parse([]byte(yaml), "shapes.yaml")
	require.NoError(t, err)
	cfg := restsql.NewConfig()
	for _, n := range p.CatalogNames() {
		c, _ := p.Catalog(n)
		cfg.Catalogs = append(cfg.Catalogs, c)
	}
	if adjust != nil {
		adjust(cfg)
	}
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	db := sql.OpenDB(conn)
	t.Cleanup(func() { db.Close() })
	return db
}

// queryStrings reads every row of a query as strings (NULL as "NULL").
func queryStrings(t *testing.T, db *sql.DB, q string, args ...any) [][]string {
	t.Helper()
	rows, err := db.Query(q, args...)
	require.NoError(t, err, q)
	defer rows.Close()
	cols, err := rows.Columns()
	require.NoError(t, err)
	var out [][]string
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		require.NoError(t, rows.Scan(ptrs...))
		row := make([]string, len(cols))
		for i, v := range vals {
			row[i] = "NULL"
			if v.Valid {
				row[i] = v.String
			}
		}
		out = append(out, row)
	}
	require.NoError(t, rows.Err())
	return out
}

// jiraAPI answers GET /rest/api/3/field (every field, system and custom,
// as Jira Cloud documents it: id, name, custom, schema.type) and GET
// /rest/api/3/search (issues with their fields by id). With failFields
// set, /field answers 403 as Jira does without the permission.
type jiraAPI struct {
	seen
	failFields bool
}

func (j *jiraAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	j.add(r)
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/rest/api/3/field":
		if j.failFields {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"errorMessages":["You do not have permission to view fields."]}`)
			return
		}
		fmt.Fprint(w, `[
			{"id": "summary", "key": "summary", "name": "Summary", "custom": false, "schema": {"type": "string", "system": "summary"}},
			{"id": "customfield_10016", "key": "customfield_10016", "name": "Story Points", "custom": true, "schema": {"type": "number", "custom": "com.atlassian.jira.plugin.system.customfieldtypes:float"}},
			{"id": "customfield_10015", "key": "customfield_10015", "name": "Start date", "custom": true, "schema": {"type": "date"}},
			{"id": "customfield_10020", "key": "customfield_10020", "name": "Team", "custom": true, "schema": {"type": "team"}},
			{"id": "customfield_10030", "key": "customfield_10030", "name": "SUMMARY", "custom": true, "schema": {"type": "string"}}
		]`)
	case "/rest/api/3/search":
		fmt.Fprint(w, `{"startAt": 0, "maxResults": 50, "total": 3, "issues": [
			{"id": "1", "key": "P-1", "fields": {"summary": "One", "customfield_10016": 5, "customfield_10015": "2024-03-01", "customfield_10020": "Blue"}},
			{"id": "2", "key": "P-2", "fields": {"summary": "Two", "customfield_10016": 2.5, "customfield_10015": null}},
			{"id": "3", "key": "P-3", "fields": {"summary": "Three"}}
		]}`)
	default:
		http.NotFound(w, r)
	}
}

const jiraColumnsProfile = `
catalogs:
  Jira:
    url: %s
    schemas:
      Jira:
        tables:
          issues:
            url: /rest/api/3/search
            rows: issues
            columnsFrom:
              url: /rest/api/3/field
              rows: "#(custom==true)#"
              name: name
              path: fields.{id}
              type: {path: schema.type, map: {number: float, datetime: datetime}}
            columns:
              - {name: issue, path: key, key: true}
              - {name: summary, path: fields.summary}
`

func TestColumnsFromJira(t *testing.T) {
	api := &jiraAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	db := openShapes(t, fmt.Sprintf(jiraColumnsProfile, srv.URL), nil)

	got := queryStrings(t, db, "SELECT issue, `Story Points`, `Start date`, Team FROM issues WHERE `Story Points` > 3")
	assert.Equal(t, [][]string{{"P-1", "5", "2024-03-01", "Blue"}}, got)
	got = queryStrings(t, db, "SELECT issue FROM issues WHERE `Story Points` IS NULL")
	assert.Equal(t, [][]string{{"P-3"}}, got)
	assert.Equal(t, 1, api.count("GET /rest/api/3/field"), "the fields are read once per connector")
	assert.Equal(t, 2, api.count("GET /rest/api/3/search"))

	cols := queryStrings(t, db, "SELECT ColumnName, DataTypeName FROM sys_tablecolumns WHERE TableName = 'issues' ORDER BY Ordinal")
	assert.Equal(t, [][]string{{"issue", "string"}, {"summary", "string"}, {"Story Points", "float"}, {"Start date", "string"}, {"Team", "string"}}, cols,
		"declared columns first; a field named like a declared column (SUMMARY) is left out; an unmapped type is a string")
	info := queryStrings(t, db, "SELECT column_name FROM information_schema.columns WHERE table_name = 'issues' AND column_name = 'Story Points'")
	assert.Equal(t, [][]string{{"Story Points"}}, info)
	assert.Equal(t, 1, api.count("GET /rest/api/3/field"))

	// EXPLAIN names the metadata request, which it does not send again.
	plan := queryStrings(t, db, "EXPLAIN SELECT issue FROM issues")
	var details []string
	for _, row := range plan {
		details = append(details, row[len(row)-1])
	}
	assert.Contains(t, strings.Join(details, "\n"), "columnsFrom: GET "+srv.URL+"/rest/api/3/field (the table's columns, read at its first use)")
	assert.Equal(t, 1, api.count("GET /rest/api/3/field"))
	assert.Equal(t, 2, api.count("GET /rest/api/3/search"), "EXPLAIN sends nothing")
}

func TestColumnsFromErrors(t *testing.T) {
	api := &jiraAPI{failFields: true}
	srv := httptest.NewServer(api)
	defer srv.Close()
	db := openShapes(t, fmt.Sprintf(jiraColumnsProfile, srv.URL), nil)
	for _, q := range []string{"SELECT issue FROM issues", "SELECT * FROM sys_tablecolumns"} {
		_, err := db.Query(q)
		require.Error(t, err, q)
		assert.Contains(t, err.Error(), "table Jira.Jira.issues: columnsFrom: restsource: GET "+srv.URL+"/rest/api/3/field: 403 Forbidden", q)
		assert.Contains(t, err.Error(), "You do not have permission to view fields.", q)
	}
	assert.Equal(t, 0, api.count("GET /rest/api/3/search"))
	assert.Equal(t, 2, api.count("GET /rest/api/3/field"), "a failed read is not kept")
	// sys_tables does not need the columns.
	assert.NotEmpty(t, queryStrings(t, db, "SELECT TableName FROM sys_tables"))
}

func TestColumnsFromTTL(t *testing.T) {
	api := &jiraAPI{}
	srv := httptest.NewServer(api)
	defer srv.Close()
	db := openShapes(t, fmt.Sprintf(jiraColumnsProfile, srv.URL), func(c *restsql.Config) { c.ColumnsTTL = time.Nanosecond })
	queryStrings(t, db, "SELECT issue FROM issues")
	queryStrings(t, db, "SELECT issue FROM issues")
	assert.Equal(t, 2, api.count("GET /rest/api/3/field"), "with ColumnsTTL the fields are read again once it has passed")
}

// airtableAPI answers GET /v0/meta/bases/{base}/tables (the base schema:
// tables with their fields: id, name, type) and GET /v0/{base}/{table}
// (records with fields by name; Airtable leaves out empty fields and
// unchecked checkboxes).
func airtableAPI(s *seen) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s.add(r)
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/v0/meta/bases/appX/tables":
			fmt.Fprint(w, `{"tables": [
				{"id": "tbl1", "name": "Projects", "primaryFieldId": "fldA", "fields": [{"id": "fldA", "name": "Title", "type": "singleLineText"}]},
				{"id": "tbl2", "name": "Tasks", "primaryFieldId": "fldB", "fields": [
					{"id": "fldB", "name": "Name", "type": "singleLineText"},
					{"id": "fldC", "name": "Estimate (h)", "type": "number", "options": {"precision": 1}},
					{"id": "fldD", "name": "Done", "type": "checkbox"},
					{"id": "fldE", "name": "Due", "type": "date"}]}]}`)
		case "/v0/appX/Tasks":
			fmt.Fprint(w, `{"records": [
				{"id": "rec1", "createdTime": "2024-01-01T00:00:00.000Z", "fields": {"Name": "Draft", "Estimate (h)": 2.5, "Done": true, "Due": "2024-02-01"}},
				{"id": "rec2", "createdTime": "2024-01-02T00:00:00.000Z", "fields": {"Name": "Ship"}}]}`)
		default:
			http.NotFound(w, r)
		}
	}
}

func TestColumnsFromAirtable(t *testing.T) {
	s := &seen{}
	srv := httptest.NewServer(airtableAPI(s))
	defer srv.Close()
	db := openShapes(t, fmt.Sprintf(`
catalogs:
  Airtable:
    url: %s/v0
    schemas:
      Base:
        tables:
          Tasks:
            url: /appX/Tasks
            rows: records
            columnsFrom:
              url: /meta/bases/appX/tables
              rows: 'tables.#(name=="Tasks").fields'
              name: name
              path: fields.{name}
              type: {path: type, map: {number: float, checkbox: bool}}
            columns:
              - {name: id, key: true}
`, srv.URL), nil)
	got := queryStrings(t, db, "SELECT id, Name, `Estimate (h)`, Done, Due FROM Tasks ORDER BY id")
	assert.Equal(t, [][]string{{"rec1", "Draft", "2.5", "true", "2024-02-01"}, {"rec2", "Ship", "NULL", "NULL", "NULL"}}, got)
	assert.Equal(t, []string{"GET /v0/meta/bases/appX/tables", "GET /v0/appX/Tasks"}, s.all())
}

// hubspotAPI answers GET /crm/v3/properties/contacts (the property
// definitions: name, label, type) and POST /crm/v3/objects/contacts/search
// (filterGroups with EQ and GT, limit, after).
func hubspotAPI(s *seen) http.HandlerFunc {
	type contact struct {
		id, email string
		score     int
	}
	all := []contact{{"1", "ann@example.com", 10}, {"2", "bob@example.com", 40}, {"3", "cy@example.com", 70}}
	return func(w http.ResponseWriter, r *http.Request) {
		body := s.add(r)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == http.MethodGet && r.URL.Path == "/crm/v3/properties/contacts":
			fmt.Fprint(w, `{"results": [
				{"name": "email", "label": "Email", "type": "string", "fieldType": "text"},
				{"name": "hs_lead_score", "label": "Lead score", "type": "number", "fieldType": "number"},
				{"name": "lastmodifieddate", "label": "Last modified", "type": "datetime", "fieldType": "date"}]}`)
		case r.Method == http.MethodPost && r.URL.Path == "/crm/v3/objects/contacts/search":
			req := gjson.Parse(body)
			var rows []contact
			for _, c := range all {
				ok := true
				for _, f := range req.Get("filterGroups.0.filters").Array() {
					switch f.Get("operator").String() {
					case "GT":
						ok = ok && float64(c.score) > f.Get("value").Float()
					case "EQ":
						ok = ok && c.email == f.Get("value").String()
					}
				}
				if ok {
					rows = append(rows, c)
				}
			}
			after, _ := strconv.Atoi(req.Get("after").String())
			end := min(after+int(req.Get("limit").Int()), len(rows))
			var res []string
			for _, c := range rows[min(after, len(rows)):end] {
				res = append(res, fmt.Sprintf(`{"id": %q, "properties": {"email": %q, "hs_lead_score": "%d", "lastmodifieddate": "2024-05-01T10:00:00.000Z"}}`, c.id, c.email, c.score))
			}
			paging := ""
			if end < len(rows) {
				paging = fmt.Sprintf(`, "paging": {"next": {"after": "%d"}}`, end)
			}
			fmt.Fprintf(w, `{"total": %d, "results": [%s]%s}`, len(rows), strings.Join(res, ","), paging)
		default:
			http.NotFound(w, r)
		}
	}
}

const hubspotSearchProfile = `
catalogs:
  HubSpot:
    url: %s
    schemas:
      CRM:
        tables:
          contacts:
            url: /crm/v3/objects/contacts/search
            body: {limit: 10, properties: [email, hs_lead_score]}
            rows: results
            pagination: {type: cursor, cursorPath: paging.next.after, cursorBody: after}
            columns:
              - {name: id, key: true}
              - name: score
                path: properties.hs_lead_score
                type: int
                filters: {">": {body: filterGroups.0.filters.-1, value: '{"propertyName": "hs_lead_score", "operator": "GT", "value": "{}"}', exact: true}}
`

// TestBodyReadCache: with Cache set, a repeated read with a body is
// answered from the cache, and a read with another body is not.
func TestBodyReadCache(t *testing.T) {
	s := &seen{}
	srv := httptest.NewServer(hubspotAPI(s))
	defer srv.Close()
	db := openShapes(t, fmt.Sprintf(hubspotSearchProfile, srv.URL), func(c *restsql.Config) { c.Cache = "memory" })
	q := "SELECT id FROM contacts WHERE score > ?"
	assert.Equal(t, [][]string{{"2"}, {"3"}}, queryStrings(t, db, q, 20))
	assert.Equal(t, [][]string{{"3"}}, queryStrings(t, db, q, 50), "another body is sent, not answered with the first one's rows")
	assert.Equal(t, [][]string{{"2"}, {"3"}}, queryStrings(t, db, q, 20))
	assert.Equal(t, 2, s.count("POST "), "the repeated body came from the cache")
	assert.Equal(t, [][]string{{"HubSpot.CRM.contacts"}, {"HubSpot.CRM.contacts"}}, queryStrings(t, db, "SELECT table_name FROM sys_cache"))
}

// TestHubSpotSearchSQL runs a body read and columnsFrom together through
// SQL: the properties endpoint gives the columns, the search endpoint the
// rows, with the WHERE written into filterGroups and the cursor into after.
func TestHubSpotSearchSQL(t *testing.T) {
	s := &seen{}
	srv := httptest.NewServer(hubspotAPI(s))
	defer srv.Close()
	db := openShapes(t, fmt.Sprintf(`
catalogs:
  HubSpot:
    url: %s
    schemas:
      CRM:
        tables:
          contacts:
            url: /crm/v3/objects/contacts/search
            method: POST
            body: {limit: 1, properties: [email, hs_lead_score]}
            rows: results
            pagination: {type: cursor, cursorPath: paging.next.after, cursorBody: after}
            columnsFrom:
              url: /crm/v3/properties/contacts
              rows: results
              name: name
              path: properties.{name}
              type: {path: type, map: {number: int, datetime: datetime}}
            columns:
              - {name: id, key: true}
              - name: score
                path: properties.hs_lead_score
                type: int
                filters: {">": {body: filterGroups.0.filters.-1, value: '{"propertyName": "hs_lead_score", "operator": "GT", "value": "{}"}', exact: true}}
`, srv.URL), nil)

	got := queryStrings(t, db, "SELECT id, email, hs_lead_score FROM contacts WHERE score > 20 ORDER BY id")
	assert.Equal(t, [][]string{{"2", "bob@example.com", "40"}, {"3", "cy@example.com", "70"}}, got)
	reqs := s.all()
	require.Len(t, reqs, 3)
	assert.Equal(t, "GET /crm/v3/properties/contacts", reqs[0])
	assert.Equal(t, `POST /crm/v3/objects/contacts/search {"limit":1,"properties":["email","hs_lead_score"],"filterGroups":[{"filters":[{"propertyName": "hs_lead_score", "operator": "GT", "value": "20"}]}]}`, reqs[1])
	assert.Equal(t, `POST /crm/v3/objects/contacts/search {"limit":1,"properties":["email","hs_lead_score"],"filterGroups":[{"filters":[{"propertyName": "hs_lead_score", "operator": "GT", "value": "20"}]}],"after":"1"}`, reqs[2])

	plan := queryStrings(t, db, "EXPLAIN SELECT id FROM contacts WHERE score > 20")
	var details []string
	for _, row := range plan {
		details = append(details, row[len(row)-1])
	}
	assert.Contains(t, strings.Join(details, "\n"), `POST `+srv.URL+`/crm/v3/objects/contacts/search {"limit":1,"properties":["email","hs_lead_score"],"filterGroups":[{"filters":[{"propertyName": "hs_lead_score", "operator": "GT", "value": "20"}]}]}`)
}
