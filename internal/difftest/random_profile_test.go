package difftest

import (
	"math/rand/v2"
	"sort"
	"strings"

	"github.com/restsql/restsql/catalog"
)

// The random suite's profiles are derived from the fake API's own
// description (random_api_test.go), so that no profile can declare more
// than the API does:
//
//   - full declares exactly what the API does: every filter parameter, the
//     one-key sort on the sortable fields (no sort join: the API sorts by
//     one key), the limit, the field selection and the lookups.
//   - less declares a seeded subset of that: some filters, exact marks,
//     the sort, the limit, the selection or the lookup left out (an IN
//     filter goes only with its = filter: its join: "," is what says that
//     the API splits a comma list, also in an = value).
//   - plain declares no pushdown at all: no filter, sort, limit, select or
//     get, only what is not optional (the URLs with their {key}
//     placeholders and the pagination). It is restsql with pushdown off,
//     with no switch in the product.

// The profile variants, also sent as the X-Variant header.
const (
	variantFull  = "full"
	variantLess  = "less"
	variantPlain = "plain"
)

// shopTable is one SQL table over the fake API.
type shopTable struct {
	name string // SQL name
	api  string // the apiTable it reads
	url  string
	// key is the column that identifies a row (the unique key ORDER BY
	// ends in).
	key string
	// required is the {placeholder} column of url ("" for none).
	required string
	get      string // the get: lookup URL ("" for none)
	// link: page by the Link header instead of the body's next URL.
	link bool
}

var shopTables = []shopTable{
	{name: "customers", api: "customers", url: "/customers", key: "id", get: "/customers/{id}"},
	{name: "orders", api: "orders", url: "/orders", key: "id", get: "/orders/{id}"},
	{name: "products", api: "products", url: "/products", key: "id", get: "/products/{sku}"},
	{name: "stock", api: "stock", url: "/stock", key: "id"},
	{name: "customer_orders", api: "orders", url: "/customers/{customer_id}/orders", key: "id", required: "customer_id"},
	{name: "product_stock", api: "stock", url: "/products/{sku}/stock", key: "id", required: "sku"},
	{name: "reviews", api: "reviews", url: "/reviews", key: "id"},
	// clients are the customers again, paged by the Link header.
	{name: "clients", api: "customers", url: "/customers", key: "id", link: true},
}

// opFilters maps the API's operator suffixes to SQL operators.
var opFilters = []struct{ suffix, op string }{
	{"", "="}, {"ne", "!="}, {"gt", ">"}, {"gte", ">="}, {"lt", "<"}, {"lte", "<="}, {"like", "LIKE"},
}

// shopCatalog builds the catalog of one profile variant over the API at
// base. The less variant drops declarations by a fixed seed.
func shopCatalog(api map[string]*apiTable, base, variant string) *catalog.Catalog {
	r := rand.New(rand.NewPCG(77, 99))
	drop := func(p float64) bool { return variant == variantLess && r.Float64() < p }
	tables := map[string]*catalog.Table{}
	for _, st := range shopTables {
		at := api[st.api]
		t := &catalog.Table{URL: st.url}
		switch at.paging {
		case "next":
			t.Rows = "data"
			t.Pagination = &catalog.Pagination{Type: catalog.PageNextURL, NextPath: "next", SizeParam: "limit", PageSize: 500}
			if st.link {
				t.Pagination = &catalog.Pagination{Type: catalog.PageLinkHeader, SizeParam: "limit", PageSize: 40}
			}
		case "cursor":
			t.Rows = "items"
			t.Pagination = &catalog.Pagination{Type: catalog.PageCursor, CursorPath: "meta.next", CursorParam: "after", SizeParam: "size", PageSize: 100}
		case "offset":
			t.Pagination = &catalog.Pagination{Type: catalog.PageOffset, OffsetParam: "offset", SizeParam: "limit"}
			if variant != variantPlain && !drop(0.5) {
				t.Pagination.TotalHeader = "X-Total-Count"
			}
		case "page":
			t.Pagination = &catalog.Pagination{Type: catalog.PagePage, PageParam: "page", SizeParam: "per_page"}
		}
		if p := t.Pagination; p.Type == catalog.PageOffset || p.Type == catalog.PagePage {
			// The page size asked exceeds the API's cap: the API
			// returns short pages that are not its last. full
			// declares the cap (maxPageSize: the size is clamped to it
			// and a short page is trusted); plain, and less by a seed,
			// do not (the driver confirms a short first page and learns
			// the API's page size); less may also ask for the cap
			// without declaring it.
			p.PageSize = 50
			switch {
			case variant == variantFull:
				p.MaxPageSize = at.maxPage
			case variant == variantLess && drop(0.5):
				p.PageSize = at.maxPage
			}
		}
		for _, f := range at.fields {
			c := &catalog.Column{Name: f.name, Type: sqlType(f.typ), Key: f.name == st.key}
			switch f.typ {
			case "unix":
				c.Format = "unix"
			case "stamp":
				c.Format = stampLayout
			}
			if p, ok := at.nested[f.name]; ok {
				c.Path = p + "." + f.name
			}
			if variant != variantPlain && f.name != st.required {
				c.Filters = map[string]*catalog.Filter{}
				for _, o := range opFilters {
					if !has(at.ops[o.suffix], f.name) || drop(0.25) {
						continue
					}
					param := f.name
					if o.suffix != "" {
						param += "_" + o.suffix
					}
					exact := o.suffix != "like" && !(o.suffix == "" && has(at.foldEq, f.name)) && !drop(0.2)
					flt := &catalog.Filter{Param: param, Exact: exact}
					if o.suffix == "like" {
						flt.Like = catalog.LikeContains
					}
					c.Filters[o.op] = flt
					// The IN filter's join is how a profile says that the
					// API splits a comma list: the less profile keeps it
					// with the = filter, or the driver could not know
					// that ?tier=gold,silver is no equality.
					if o.suffix == "" {
						in := *flt
						in.Join = ","
						c.Filters["IN"] = &in
					}
				}
				if len(c.Filters) == 0 {
					c.Filters = nil
				}
			}
			t.Columns = append(t.Columns, c)
		}
		if variant != variantPlain {
			if !drop(0.4) {
				t.Sort = &catalog.Sort{Param: "sort", Order: "order", Columns: append([]string(nil), at.sortable...)}
			}
			if (at.paging == "next" || at.paging == "offset") && !drop(0.4) {
				t.Limit = &catalog.Limit{Param: "limit"}
			}
			if !drop(0.5) {
				t.Select = &catalog.Select{Param: "fields", Join: ","}
			}
			if st.get != "" && !drop(0.4) {
				t.Get = &catalog.Get{URL: st.get}
			}
		}
		tables[st.name] = t
	}
	return &catalog.Catalog{
		Name:    "Shop",
		URL:     base,
		Headers: map[string]string{"X-Variant": variant},
		Schemas: map[string]*catalog.Schema{"API": {Tables: tables}},
	}
}

// sqlType is the column type of an API field type.
func sqlType(typ string) catalog.Type {
	if typ == "unix" || typ == "stamp" {
		return catalog.TypeDatetime
	}
	return catalog.Type(typ)
}

// declared lists a table's pushdown declarations (the exact filters too
// with exact), for the suite's own test that no profile declares more than
// the API does.
func declared(t *catalog.Table, exact bool) []string {
	var out []string
	for _, c := range t.Columns {
		for op, f := range c.Filters {
			s := c.Name + " " + op + " " + f.Param
			if exact && f.Exact {
				s += " exact"
			}
			if !exact || f.Exact {
				out = append(out, s)
			}
		}
	}
	if t.Sort != nil {
		out = append(out, "sort "+strings.Join(t.Sort.Columns, ","))
	}
	sort.Strings(out)
	return out
}
