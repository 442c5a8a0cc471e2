package difftest

import (
	"database/sql"
	"encoding/json"
	"io"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
)

// The random suite's own tests: the fake API has the quirks the suite
// promises, no profile declares more than the API does, and a profile
// that does (a lying profile) makes the suite fail, with a shrunk query.

// apiGet asks the fake API for one URL and returns the ids of the rows (or
// of the single object) and the body's next URL.
func apiGet(t *testing.T, api *fakeAPI, uri string) (status int, ids []int, next string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://shop.test"+uri, nil)
	require.NoError(t, err)
	resp, err := api.RoundTrip(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	if resp.StatusCode != http.StatusOK {
		return resp.StatusCode, nil, ""
	}
	var v any
	require.NoError(t, json.Unmarshal(body, &v), "%s", body)
	if m, ok := v.(map[string]any); ok {
		if d, ok := m["data"]; ok {
			v = d
			next, _ = m["next"].(string)
		} else {
			v = []any{m}
		}
	}
	for _, row := range v.([]any) {
		id, _ := row.(map[string]any)["id"].(float64)
		ids = append(ids, int(id))
	}
	return resp.StatusCode, ids, next
}

func TestFakeAPIQuirks(t *testing.T) {
	data := shopData()
	api := newFakeAPI(data)
	count := func(table string, keep func(map[string]any) bool) int {
		n := 0
		for _, r := range data[table].rows {
			if keep(r) {
				n++
			}
		}
		return n
	}

	// Page sizes are capped, and the next URL keeps the query string.
	_, ids, _ := apiGet(t, api, "/orders?limit=500&status=paid")
	assert.Len(t, ids, min(100, count("orders", func(r map[string]any) bool { return r["status"] == "paid" })))
	_, ids, next := apiGet(t, api, "/orders?limit=500")
	assert.Len(t, ids, 100)
	assert.Contains(t, next, "limit=500")
	assert.Contains(t, next, "cursor=100")
	_, ids, _ = apiGet(t, api, next)
	assert.Len(t, ids, 100)
	_, ids, _ = apiGet(t, api, "/products?offset=0&limit=500")
	assert.Len(t, ids, 10, "products pages are capped at 10")

	// The other paging styles: a Link header, a total, a cursor.
	req, _ := http.NewRequest(http.MethodGet, "http://shop.test/customers?limit=40", nil)
	resp, err := api.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, `</customers?cursor=15&limit=40>; rel="next"`, resp.Header.Get("Link"))
	req, _ = http.NewRequest(http.MethodGet, "http://shop.test/products?category=toys&limit=3", nil)
	resp, err = api.RoundTrip(req)
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, strconv.Itoa(count("products", func(r map[string]any) bool { return r["category"] == "toys" })), resp.Header.Get("X-Total-Count"))
	req, _ = http.NewRequest(http.MethodGet, "http://shop.test/reviews?size=100&after=c100", nil)
	resp, err = api.RoundTrip(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var page struct {
		Items []any
		Meta  struct{ Next any }
	}
	require.NoError(t, json.Unmarshal(body, &page))
	assert.Len(t, page.Items, 20, "the last page after row 100 of 120")
	assert.Nil(t, page.Meta.Next)

	// An empty value and an unknown parameter are no filter.
	_, all, _ := apiGet(t, api, "/customers?limit=500&cursor=0")
	_, ids, _ = apiGet(t, api, "/customers?tier=&bogus=1")
	assert.Equal(t, all, ids)
	// A comma list is IN.
	_, ids, _ = apiGet(t, api, "/customers?tier=gold,silver")
	assert.Len(t, ids, count("customers", func(r map[string]any) bool { return r["tier"] == "gold" || r["tier"] == "silver" }))
	// An operator the field does not take is ignored: score has no filter.
	_, ids, _ = apiGet(t, api, "/customers?score_gt=1000")
	assert.Equal(t, all, ids)
	// Name equality ignores case.
	_, ids, _ = apiGet(t, api, "/customers?name=ALICE&limit=100")
	assert.Len(t, ids, count("customers", func(r map[string]any) bool { s, _ := r["name"].(string); return strings.EqualFold(s, "alice") }))
	// A value that does not parse is a 400.
	status, _, _ := apiGet(t, api, "/orders?total_gt=cheap")
	assert.Equal(t, http.StatusBadRequest, status)

	// Sorting: one key, sortable fields only, API order otherwise.
	_, byID, _ := apiGet(t, api, "/customers?sort=id&order=desc&limit=15")
	for i := 1; i < len(byID); i++ {
		assert.Greater(t, byID[i-1], byID[i])
	}
	_, unsorted, _ := apiGet(t, api, "/customers?limit=15")
	_, ignored, _ := apiGet(t, api, "/customers?sort=tier&order=asc&limit=15")
	assert.Equal(t, unsorted, ignored, "tier is not sortable: API order")
	assert.NotEqual(t, byID, unsorted, "the API's own order is not the id order")
	_, multi, _ := apiGet(t, api, "/customers?sort=id,name&order=asc,desc&limit=15")
	_, one, _ := apiGet(t, api, "/customers?sort=id&order=asc&limit=15")
	assert.Equal(t, one, multi, "only the first sort key counts")

	// Parent URLs and lookups.
	_, ids, _ = apiGet(t, api, "/customers/3/orders")
	assert.Len(t, ids, count("orders", func(r map[string]any) bool { return r["customer_id"] == 3 }))
	_, ids, _ = apiGet(t, api, "/customers/7")
	assert.Equal(t, []int{7}, ids)
	status, _, _ = apiGet(t, api, "/products/NOPE")
	assert.Equal(t, http.StatusNotFound, status)
	assert.NotEmpty(t, api.requests())
}

// TestProfilesDeclareNoMoreThanAPI checks the profile variants against the
// API's description: a declaration the API does not honour would be a
// profile bug, and the suite would blame the driver for it.
func TestProfilesDeclareNoMoreThanAPI(t *testing.T) {
	data := shopData()
	full := shopCatalog(data, "http://x", variantFull)
	less := shopCatalog(data, "http://x", variantLess)
	plain := shopCatalog(data, "http://x", variantPlain)
	suffix := map[string]string{"=": "", "IN": "", "!=": "ne", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "LIKE": "like"}
	for _, st := range shopTables {
		at := data[st.api]
		for _, cat := range []*catalog.Catalog{full, less, plain} {
			tab := cat.Schemas["API"].Tables[st.name]
			for _, c := range tab.Columns {
				for op, f := range c.Filters {
					assert.Contains(t, at.ops[suffix[op]], c.Name, "%s %s.%s %s", cat.Headers["X-Variant"], st.name, c.Name, op)
					want := c.Name
					if suffix[op] != "" {
						want += "_" + suffix[op]
					}
					assert.Equal(t, want, f.Param)
					if f.Exact {
						assert.False(t, has(at.foldEq, c.Name) && suffix[op] == "", "an exact filter on %s, whose equality ignores case", c.Name)
						assert.NotEqual(t, "LIKE", op, "an exact LIKE")
					}
					if op == "IN" {
						assert.Equal(t, ",", f.Join)
					}
					assert.False(t, f.Repeat, "the API ANDs repeated parameters")
				}
			}
			if tab.Sort != nil {
				assert.Empty(t, tab.Sort.Join, "the API sorts by one key")
				assert.Subset(t, at.sortable, tab.Sort.Columns)
				assert.NotEmpty(t, tab.Sort.Columns, "no columns means every column")
			}
			if p := tab.Pagination; p.Type == catalog.PageOffset || p.Type == catalog.PagePage {
				if p.MaxPageSize > 0 {
					assert.LessOrEqual(t, p.MaxPageSize, at.maxPage, "a short page ends an offset or page walk under maxPageSize")
				}
			}
		}
		fullTab, lessTab := full.Schemas["API"].Tables[st.name], less.Schemas["API"].Tables[st.name]
		assert.Subset(t, declared(fullTab, false), declared(lessTab, false), "less declares a subset of full")
		assert.Subset(t, declared(fullTab, true), declared(lessTab, true), "less's exact filters are exact in full")
		assert.Empty(t, declared(plain.Schemas["API"].Tables[st.name], false))
		assert.Nil(t, plain.Schemas["API"].Tables[st.name].Get)
	}
	assert.NotEqual(t, declared(full.Schemas["API"].Tables["orders"], true), declared(less.Schemas["API"].Tables["orders"], true))
}

// TestRandomSuiteCatchesLyingProfiles gives the suite profiles that
// declare more than the API does; it must see the wrong answers and shrink
// the query.
func TestRandomSuiteCatchesLyingProfiles(t *testing.T) {
	data := shopData()
	e := newREnv(t, data)
	lie := func(change func(tabs map[string]*catalog.Table)) *sql.DB {
		cat := shopCatalog(data, "http://shop.test", variantFull)
		change(cat.Schemas["API"].Tables)
		cfg := restsql.NewConfig()
		cfg.Transport = e.api
		cfg.Catalogs = []*catalog.Catalog{cat}
		conn, err := restsql.NewConnector(cfg)
		require.NoError(t, err)
		db := sql.OpenDB(conn)
		t.Cleanup(func() { _ = db.Close() })
		return db
	}
	col := func(tab *catalog.Table, name string) *catalog.Column {
		for _, c := range tab.Columns {
			if c.Name == name {
				return c
			}
		}
		t.Fatalf("no column %s", name)
		return nil
	}
	tests := []struct {
		name   string
		change func(map[string]*catalog.Table)
		q      *rquery
		want   string // the minimised query
	}{
		{
			name: "exact equality on a field the API matches ignoring case",
			change: func(tabs map[string]*catalog.Table) {
				col(tabs["customers"], "name").Filters["="].Exact = true
			},
			q: &rquery{
				items: []text{same("id"), same("city")}, from: []fitem{{sql: same("customers"), alias: "customers", keep: true}},
				where: []*pnode{leaf(same("id > 0")), leaf(same("name = 'alice'"))},
				order: []okey{{t: same("id"), key: "id"}}, keys: []string{"id"}, limit: 30,
			},
			want: "SELECT id FROM customers WHERE name = 'alice'",
		},
		{
			name: "a maxPageSize above the API's cap ends an offset walk early",
			change: func(tabs map[string]*catalog.Table) {
				tabs["products"].Pagination.PageSize = 50
				tabs["products"].Pagination.MaxPageSize = 50
				// (With X-Total-Count the total would still see the
				// rows left after a short page.)
				tabs["products"].Pagination.TotalHeader = ""
			},
			q: &rquery{
				items: []text{same("p.sku"), same("s.qty")},
				from: []fitem{{sql: same("products p"), alias: "p", keep: true},
					{sql: same("stock s"), alias: "s", kind: "LEFT JOIN", on: []*pnode{leaf(same("s.sku = p.sku"))}}},
				where: []*pnode{leaf(same("p.price IS NOT NULL OR p.price IS NULL"))},
				limit: -1,
			},
			want: "SELECT p.sku FROM products p",
		},
		{
			name: "an exact filter the API does not have",
			change: func(tabs map[string]*catalog.Table) {
				col(tabs["stock"], "qty").Filters[">="] = &catalog.Filter{Param: "qty_gte", Exact: true}
			},
			q: &rquery{
				items: []text{same("id")}, from: []fitem{{sql: same("stock"), alias: "stock", keep: true}},
				where: []*pnode{{op: "and", kids: []*pnode{leaf(same("qty >= 30")), leaf(same("id > 3"))}}},
				limit: -1,
			},
			want: "SELECT id FROM stock WHERE qty >= 30",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			saved := e.dbs[variantFull]
			e.dbs[variantFull] = lie(tc.change)
			defer func() { e.dbs[variantFull] = saved }()
			tc.q.classes = map[string]bool{}
			m, err := e.check(tc.q)
			require.NoError(t, err)
			require.NotNil(t, m, "the lie went unseen")
			assert.Equal(t, "pushdown", m.kind)
			assert.Equal(t, "full vs plain", m.against)
			sq, sm := e.shrink(tc.q, m)
			got, _ := sq.render()
			assert.Equal(t, tc.want, got.rs)
			report := e.report(tc.q, sq, sm)
			assert.Contains(t, report, "minimised: "+tc.want)
			assert.Contains(t, report, "full /", "the report lists the requests")
		})
	}
}

// TestRandomQueriesAreSeeded checks that a seed alone rebuilds its query
// (a failure names only the seed) and that seeds differ.
func TestRandomQueriesAreSeeded(t *testing.T) {
	data := shopData()
	lite, err := openShopSQLite(data)
	require.NoError(t, err)
	defer lite.Close()
	m, err := loadGModel(t.Context(), lite, data)
	require.NoError(t, err)
	texts := map[string]bool{}
	for seed := uint64(1); seed <= 50; seed++ {
		a, argsA := newRGen(m, seed, nil).query(seed).render()
		b, argsB := newRGen(m, seed, nil).query(seed).render()
		assert.Equal(t, a, b, "seed %d", seed)
		assert.Equal(t, argsA, argsB, "seed %d", seed)
		texts[a.rs] = true
	}
	assert.Greater(t, len(texts), 45, "distinct queries from 50 seeds")
}

// TestRandomQueriesAvoidDialectDifferences pins the generator to questions
// both engines answer alike: the constructs of differences_test.go, where
// restsql (MySQL) and SQLite differ by design, are never generated in a
// form that would show the difference.
func TestRandomQueriesAvoidDialectDifferences(t *testing.T) {
	data := shopData()
	lite, err := openShopSQLite(data)
	require.NoError(t, err)
	defer lite.Close()
	m, err := loadGModel(t.Context(), lite, data)
	require.NoError(t, err)
	forbidden := []struct {
		re, why string
	}{
		{`[^|]\|\|[^|]`, "|| is OR in restsql and concatenation in SQLite"},
		{` / `, "/ of integers divides exactly in restsql only (DIV and * 1.0 / are spelled per dialect)"},
		{`CONCAT\((?:[^C]|C[^O])`, "CONCAT skips NULLs in SQLite only: wrap each argument in COALESCE"},
		{`SUBSTR\([^)]*, (?:0|-\d+)[,)]`, "SUBSTR from 0 or a negative position"},
		{`SUBSTR\([^)]*, \d+, -`, "SUBSTR with a negative length"},
		{`ROUND\(`, "ROUND of a float at a half, and to negative digits"},
		{`CAST\(`, "CAST of a string that is not a number"},
		{`[-+*%] '|' [-+*%]`, "arithmetic on a string"},
	}
	res := make([]*regexp.Regexp, len(forbidden))
	for i, f := range forbidden {
		res[i] = regexp.MustCompile(f.re)
	}
	for seed := uint64(1); seed <= 3000; seed++ {
		q, _ := newRGen(m, seed, nil).query(seed).render()
		for i, re := range res {
			assert.False(t, re.MatchString(q.rs), "seed %d: %s\n%s", seed, forbidden[i].why, q.rs)
		}
		if q.lite != q.rs {
			assert.NotContains(t, q.lite, "DIV", "seed %d: SQLite has no DIV", seed)
		}
	}
}
