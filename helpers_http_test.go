package restsql

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/retry"
)

// seenRequest is what a test API saw.
type seenRequest struct {
	Path   string
	Query  string
	Header http.Header
}

// credAPI is a test API of /items that answers only requests whose
// credentials check accepts (401 otherwise) and records every request.
// Before its items it may fail: fail returns true when it has answered.
type credAPI struct {
	*httptest.Server
	mu    sync.Mutex
	seen  []seenRequest
	check func(r *http.Request) bool
	fail  func(w http.ResponseWriter, r *http.Request, n int) bool
	// items is the JSON the API answers with.
	items string
}

func newCredAPI(t *testing.T, check func(r *http.Request) bool) *credAPI {
	t.Helper()
	a := &credAPI{check: check, items: `[{"id":1,"name":"one"},{"id":2,"name":"two"}]`}
	a.Server = httptest.NewServer(http.HandlerFunc(a.serve))
	t.Cleanup(a.Close)
	return a
}

func (a *credAPI) serve(w http.ResponseWriter, r *http.Request) {
	a.mu.Lock()
	a.seen = append(a.seen, seenRequest{Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header.Clone()})
	n := len(a.seen)
	a.mu.Unlock()
	if a.check != nil && !a.check(r) {
		w.Header().Set("WWW-Authenticate", `Bearer realm="api"`)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if a.fail != nil && a.fail(w, r, n) {
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(a.items))
}

func (a *credAPI) requests() []seenRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return append([]seenRequest(nil), a.seen...)
}

// itemsCatalog is a catalog named name on url with one schema S and one
// table items (id, name), no pagination.
func itemsCatalog(name, url string, a *catalog.Auth) *catalog.Catalog {
	return &catalog.Catalog{
		Name: name, URL: url, Auth: a,
		Schemas: map[string]*catalog.Schema{"S": {Tables: map[string]*catalog.Table{
			"items": {URL: "/items", Columns: []*catalog.Column{{Name: "id", Type: "int", Key: true}, {Name: "name"}}},
		}}},
	}
}

// openConfig opens a DB on cfg; clk, when set, replaces the clock of
// retries and rate limits.
func openConfig(t *testing.T, cfg *Config, clk retry.Clock) *sql.DB {
	t.Helper()
	c, err := NewConnector(cfg)
	require.NoError(t, err)
	c.(*connector).clock = clk
	db := sql.OpenDB(c)
	t.Cleanup(func() { _ = db.Close() })
	return db
}

// queryIDs runs a query of ids and returns them, or the error.
func queryIDs(t *testing.T, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, query string, args ...any) ([]int64, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []int64
	for rows.Next() {
		var id int64
		var rest []any
		cols, _ := rows.Columns()
		dest := []any{&id}
		for range cols[1:] {
			rest = append(rest, new(any))
		}
		dest = append(dest, rest...)
		if err := rows.Scan(dest...); err != nil {
			return ids, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// tokenEndpoint is an OAuth2 client-credentials token endpoint for client
// "cid" with secret secret; it counts the tokens it issues.
type tokenEndpoint struct {
	*httptest.Server
	mu     sync.Mutex
	issued []string
}

func newTokenEndpoint(t *testing.T, secret string) *tokenEndpoint {
	t.Helper()
	te := &tokenEndpoint{}
	te.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, s, ok := r.BasicAuth(); !ok || id != "cid" || s != secret {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":"invalid_client"}`))
			return
		}
		te.mu.Lock()
		tok := fmt.Sprintf("oauth-access-%d-zyx", len(te.issued)+1)
		te.issued = append(te.issued, tok)
		te.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"access_token": tok, "token_type": "Bearer", "expires_in": 3600})
	}))
	t.Cleanup(te.Close)
	return te
}

func (te *tokenEndpoint) tokens() []string {
	te.mu.Lock()
	defer te.mu.Unlock()
	return append([]string(nil), te.issued...)
}

// accepts reports whether an Authorization header carries the latest token.
func (te *tokenEndpoint) accepts(header string) bool {
	te.mu.Lock()
	defer te.mu.Unlock()
	return len(te.issued) > 0 && header == "Bearer "+te.issued[len(te.issued)-1]
}
