package restsource

import (
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
)

const stripeProfile = `
catalogs:
  Stripe:
    url: https://api.stripe.com/v1
    pagination: {type: cursor, cursorPath: "data.@reverse.0.id", cursorParam: starting_after, hasMorePath: has_more, sizeParam: limit, pageSize: 2}
    schemas:
      Stripe:
        tables:
          charges:
            url: /charges
            rows: data
            columns:
              - {name: id, key: true}
              - {name: amount, type: int}
              - name: created
                type: datetime
                format: unix
                filters:
                  ">=": {param: "created[gte]", format: unix, exact: true}
                  "<":  {param: "created[lt]", format: unix, exact: true}
`

// stripeCharges is GET /v1/charges as Stripe documents it: created[gte]
// and created[lt] take epoch seconds; a list object with has_more.
func stripeCharges(w http.ResponseWriter, r *http.Request) {
	all := []map[string]any{
		{"id": "ch_3", "object": "charge", "amount": 300, "created": 1704153600}, // 2024-01-02
		{"id": "ch_2", "object": "charge", "amount": 200, "created": 1704067200}, // 2024-01-01
		{"id": "ch_1", "object": "charge", "amount": 100, "created": 1703980800}, // 2023-12-31
	}
	q := r.URL.Query()
	bound := func(name string) (int64, bool) {
		v := q.Get(name)
		if v == "" {
			return 0, false
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			http.Error(w, `{"error":{"type":"invalid_request_error","message":"Invalid integer: `+v+`"}}`, http.StatusBadRequest)
			return 0, false
		}
		return n, true
	}
	gte, hasGte := bound("created[gte]")
	lt, hasLt := bound("created[lt]")
	data := []map[string]any{}
	for _, c := range all {
		created := int64(c["created"].(int))
		if (hasGte && created < gte) || (hasLt && created >= lt) {
			continue
		}
		data = append(data, c)
	}
	writeJSON(w, map[string]any{"object": "list", "url": "/v1/charges", "has_more": false, "data": data})
}

func TestFilterFormatStripe(t *testing.T) {
	srv, rc := serve(t, stripeCharges)
	cat, tbl := loadTable(t, stripeProfile, "Stripe", "Stripe", "charges")
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	jan1 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	q := Query{Limit: -1, Predicates: []Predicate{
		{Column: "created", Op: ">=", Values: []any{jan1}},
		{Column: "created", Op: "<", Values: []any{jan1.Add(24 * time.Hour)}},
	}}
	p, err := s.Plan(q)
	require.NoError(t, err)
	assert.Equal(t, []Support{Exact, Exact}, p.Pushed)
	rows, _ := scanAll(t, s, q)
	assert.Equal(t, [][]any{{"ch_2", int64(200), jan1}}, rows)
	require.Equal(t, 1, rc.count())
	assert.Equal(t, "1704067200", rc.all()[0].Query.Get("created[gte]"))
	assert.Equal(t, "1704153600", rc.all()[0].Query.Get("created[lt]"))

	// A fraction of a second is not sent as whole seconds.
	p, err = s.Plan(Query{Limit: -1, Predicates: []Predicate{{Column: "created", Op: ">=", Values: []any{jan1.Add(500 * time.Millisecond)}}}})
	require.NoError(t, err)
	assert.Equal(t, []Support{Unsupported}, p.Pushed)
	assert.Contains(t, p.Pushdown.Filters[0].Reason, "2024-01-01T00:00:00.5Z cannot be sent in the filter's format unix without changing the instant")
}

const twilioProfile = `
catalogs:
  Twilio:
    url: https://api.twilio.com/2010-04-01
    auth: {scheme: Basic, user: "${AccountSid}", password: "${AuthToken}"}
    pagination: {type: nextURL, nextPath: next_page_uri, sizeParam: PageSize, pageSize: 50}
    schemas:
      Twilio:
        tables:
          messages:
            url: /Accounts/AC123/Messages.json
            rows: messages
            columns:
              - {name: sid, key: true}
              - name: date_sent
                type: datetime
                format: rfc1123z
                filters:
                  "=":  {param: DateSent, format: date}
                  ">=": {param: "DateSent>", format: date}
                  "<=": {param: "DateSent<", format: "2006-01-02"}
`

func TestFilterFormatTwilio(t *testing.T) {
	srv, rc := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, map[string]any{"messages": []map[string]any{
			{"sid": "SM1", "date_sent": "Fri, 24 May 2019 17:44:46 +0000"},
		}, "next_page_uri": nil, "page": 0, "page_size": 50})
	})
	cat, tbl := loadTable(t, twilioProfile, "Twilio", "Twilio", "messages")
	assert.Equal(t, time.RFC1123Z, tbl.Columns[1].Format, "rfc1123z is read as Go's RFC1123Z layout")
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	may24 := time.Date(2019, 5, 24, 0, 0, 0, 0, time.UTC)
	q := Query{Limit: -1, Predicates: []Predicate{
		{Column: "date_sent", Op: ">=", Values: []any{may24}},
		{Column: "date_sent", Op: "<=", Values: []any{"2019-05-25"}},
	}}
	rows, _ := scanAll(t, s, q)
	require.Len(t, rows, 1)
	assert.Equal(t, "SM1", rows[0][0])
	assert.True(t, time.Date(2019, 5, 24, 17, 44, 46, 0, time.UTC).Equal(rows[0][1].(time.Time)), "%v", rows[0][1])
	require.Equal(t, 1, rc.count())
	assert.Equal(t, "DateSent%3E=2019-05-24&DateSent%3C=2019-05-25&PageSize=50", rc.all()[0].Raw)

	// A time of day is not cut to its date: the API would compare another instant.
	p, err := s.Plan(Query{Limit: -1, Predicates: []Predicate{{Column: "date_sent", Op: ">=", Values: []any{may24.Add(time.Hour)}}}})
	require.NoError(t, err)
	assert.Equal(t, []Support{Unsupported}, p.Pushed)
	assert.Contains(t, p.Pushdown.Filters[0].Reason, "cannot be sent in the filter's format date")
	// Another zone is written in UTC.
	p, err = s.Plan(Query{Limit: -1, Predicates: []Predicate{{Column: "date_sent", Op: "=", Values: []any{time.Date(2019, 5, 24, 2, 0, 0, 0, time.FixedZone("", 2*3600))}}}})
	require.NoError(t, err)
	assert.Equal(t, []Support{Inexact}, p.Pushed)
	assert.Contains(t, p.Requests()[0], "DateSent=2019-05-24&")
}

func TestFilterTime(t *testing.T) {
	col := &catalog.Column{Name: "d", Type: catalog.TypeDatetime}
	ts := time.Date(2024, 3, 9, 14, 5, 6, 0, time.UTC)
	tests := []struct {
		format string
		v      any
		want   string
		ok     bool
	}{
		{"unix", ts, "1709993106", true},
		{"unixms", ts.Add(7 * time.Millisecond), "1709993106007", true},
		{"unixms", ts.Add(7 * time.Microsecond), "", false},
		{"date", ts.Truncate(24 * time.Hour), "2024-03-09", true},
		{"date", ts, "", false},
		{"rfc1123z", ts, "Sat, 09 Mar 2024 14:05:06 +0000", true},
		{"rfc1123z", ts.Add(time.Millisecond), "", false},
		{"2006/01/02 15:04", ts.Truncate(time.Minute), "2024/03/09 14:05", true},
		{"2006/01/02 15:04", ts, "", false},
		{"unix", "2024-03-09T14:05:06Z", "1709993106", true},
		{"unix", "2024-03-09", "1709942400", true},
		{"unix", "soon", "", false},
		{"unix", int64(5), "", false},
	}
	for _, tt := range tests {
		got, why, ok := filterTime(col, tt.format, tt.v)
		assert.Equal(t, tt.ok, ok, "%s %v: %s", tt.format, tt.v, why)
		assert.Equal(t, tt.want, got, "%s %v", tt.format, tt.v)
	}
}
