package restsource

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/httpcache"
)

// TestMemoBodyReads: a POST read (Elasticsearch's _search) through a
// response cache keeps its pages' rows beside each stored answer: a
// repeated query answers from them, with the rows of the uncached read;
// another query (another body) never gets them.
func TestMemoBodyReads(t *testing.T) {
	cat, tbl := loadTable(t, elasticProfile, "ES", "logs", "events")
	srv, bs := serveBody(t, elasticSearch)
	cache, err := httpcache.New(httpcache.Options{TTL: time.Hour})
	require.NoError(t, err)
	cached := newSource(t, cat, tbl, Options{BaseURL: srv.URL, CacheTags: true,
		Client: &http.Client{Transport: cache.Transport(nil)}})
	plain := newSource(t, cat, tbl, Options{BaseURL: srv.URL})
	queries := []Query{
		{Limit: -1, Columns: []string{"id", "bytes", "status"}},
		{Limit: -1, Columns: []string{"bytes", "id"}},
		{Limit: -1, Columns: []string{"id", "bytes"}, Predicates: []Predicate{{Column: "status", Op: "=", Values: []any{int64(200)}}}},
	}
	for _, q := range queries {
		want, _ := scanAll(t, plain, q)
		first, st := scanAll(t, cached, q)
		assert.Equal(t, want, first)
		sent, hits := len(bs.all()), cache.Stats().MemoHits
		again, _ := scanAll(t, cached, q)
		assert.Equal(t, want, again)
		assert.Equal(t, sent, len(bs.all()), "the repeated query sent nothing (%v)", q.Columns)
		assert.Equal(t, st.Requests, cache.Stats().MemoHits-hits, "each page of the repeat came from the kept rows (%v)", q.Columns)
	}
}
