package bench

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
)

// CatalogName is the catalog of the server's profile.
const CatalogName = "bench"

// Profile returns a restsql profile (YAML) for the server. Catalog bench,
// schema api, tables:
//
//   - items: /items, paginated as the server is;
//   - item_lookup: the same list, with get: /items/{id} for reads by key
//     (one request per key);
//   - items_in: /items unpaginated, with = and IN (id=1,2,3) filters on id
//     (one request per batch of keys);
//   - groups: /groups, with an exact = filter on region;
//   - group_items: /groups/{gid}/items (gid is a required key: one request
//     per key).
func (s *Server) Profile() string {
	var b strings.Builder
	fmt.Fprintf(&b, "catalogs:\n  %s:\n    url: %q\n    schemas:\n      api:\n        tables:\n", CatalogName, s.url)
	table := func(name, url, pagination string, extra ...string) {
		fmt.Fprintf(&b, "          %s:\n            url: %q\n            rows: data\n", name, url)
		if pagination != "" {
			fmt.Fprintf(&b, "            pagination: %s\n", pagination)
		}
		for _, e := range extra {
			fmt.Fprintf(&b, "            %s\n", e)
		}
	}
	columns := func(first string, idFilters string) {
		b.WriteString("            columns:\n")
		if first != "" {
			fmt.Fprintf(&b, "              - %s\n", first)
		}
		for i, c := range s.cols {
			fmt.Fprintf(&b, "              - {name: %s, path: %q, type: %s", c.Name, c.Path, c.Kind.catalogType())
			if i == 0 {
				b.WriteString(", key: true")
				if idFilters != "" {
					b.WriteString(", filters: " + idFilters)
				}
			}
			b.WriteString("}\n")
		}
	}
	pg := s.paginationYAML()
	table("items", "/items", pg)
	columns("", "")
	table("item_lookup", "/items", pg, `get: {url: "/items/{id}", rows: ""}`)
	columns("", "")
	table("items_in", "/items", "")
	columns("", `{"=": {param: id, exact: true}, "IN": {param: id, join: ",", exact: true}}`)
	table("groups", "/groups", "")
	b.WriteString("            columns:\n" +
		"              - {name: gid, type: int, key: true}\n" +
		`              - {name: region, type: string, filters: {"=": {param: region, exact: true}}}` + "\n" +
		"              - {name: top, type: int}\n")
	table("group_items", "/groups/{gid}/items", "")
	columns("{name: gid, type: int}", "")
	return b.String()
}

func (s *Server) paginationYAML() string {
	size := s.cfg.PageSize
	total := ", totalPath: total"
	if s.cfg.NoTotal {
		total = ""
	}
	switch s.cfg.Pagination {
	case PageOffset:
		return fmt.Sprintf("{type: offset, offsetParam: offset, sizeParam: limit, pageSize: %d%s}", size, total)
	case PageCursor:
		return fmt.Sprintf("{type: cursor, cursorPath: next_cursor, cursorParam: cursor, sizeParam: limit, pageSize: %d}", size)
	case PageNextURL:
		return fmt.Sprintf("{type: nextURL, nextPath: next, sizeParam: limit, pageSize: %d}", size)
	}
	return fmt.Sprintf("{type: page, pageParam: page, sizeParam: per_page, pageSize: %d%s}", size, total)
}

// OpenDB opens a database/sql handle on the server through restsql, with
// the driver's defaults except MaxConcurrency (when positive): the profile
// is parsed with catalog.Parse and passed as Config.Catalogs.
func (s *Server) OpenDB(maxConcurrency int) (*sql.DB, error) {
	return s.OpenDBWith(maxConcurrency, nil)
}

// OpenDBWith is OpenDB with tweak applied to the restsql.Config (when
// not nil) before the connector is made.
func (s *Server) OpenDBWith(maxConcurrency int, tweak func(*restsql.Config)) (*sql.DB, error) {
	cfg, err := s.DriverConfig(maxConcurrency)
	if err != nil {
		return nil, err
	}
	if tweak != nil {
		tweak(cfg)
	}
	c, err := restsql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return sql.OpenDB(c), nil
}

// DriverConfig is the restsql.Config OpenDB opens: the server's profile
// parsed with catalog.Parse, the driver's defaults except MaxConcurrency
// (when positive).
func (s *Server) DriverConfig(maxConcurrency int) (*restsql.Config, error) {
	p, err := catalog.Parse([]byte(s.Profile()), "bench.yaml")
	if err != nil {
		return nil, fmt.Errorf("bench: profile: %w", err)
	}
	cat, _ := p.Catalog(CatalogName)
	cfg := restsql.NewConfig()
	cfg.Catalogs = []*catalog.Catalog{cat}
	if maxConcurrency > 0 {
		cfg.MaxConcurrency = maxConcurrency
	}
	return cfg, nil
}
