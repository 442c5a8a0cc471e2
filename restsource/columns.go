package restsource

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/pagination"
)

// DiscoverColumns reads the metadata endpoint of the table's columnsFrom:
// setting (Airtable's fields, Jira's /rest/api/3/field, HubSpot's
// properties) with the Source's options: the catalog's base URL,
// credentials, headers, retries and response rules. It returns the
// columns the endpoint lists,
// in its order: the name at columnsFrom.name, the path filled from
// columnsFrom.path ({x} is the metadata row's value at x, escaped for a
// path), the type mapped through columnsFrom.type (string when missing).
// A metadata row without a name, or whose name is a declared column or an
// earlier row's (case-insensitively), adds no column. Errors name the
// table and the URL.
func (s *Source) DiscoverColumns(ctx context.Context) ([]*catalog.Column, error) {
	t, name := s.t, s.name
	if t.ColumnsFrom == nil {
		return nil, fmt.Errorf("restsource: table %s has no columnsFrom", name)
	}
	cf := t.ColumnsFrom
	ms, u, err := s.columnsFromSource()
	if err != nil {
		return nil, err
	}
	resp, err := ms.fetch(ctx, u, func() {})
	if err != nil {
		return nil, fmt.Errorf("restsource: table %s: columnsFrom: %w", name, err)
	}
	body := strings.Clone(resp.body)
	resp.release(nil)
	where := fmt.Sprintf("restsource: table %s: columnsFrom GET %s", name, ms.redact(u))
	if !gjson.Valid(body) {
		return nil, fmt.Errorf("%s: the response is not JSON: %s", where, excerptOf(body))
	}
	rows := gjson.Parse(body)
	if cf.Rows != "" {
		rows = rows.Get(cf.Rows)
	}
	if !rows.IsArray() {
		return nil, fmt.Errorf("%s: rows %q holds a %s, not an array of fields: %s", where, cf.Rows, pagination.JSONType(rows), excerptOf(body))
	}
	seen := map[string]bool{}
	for _, c := range t.Columns {
		if c != nil {
			seen[strings.ToLower(c.Name)] = true
		}
	}
	pathTmpl := cf.Path
	if pathTmpl == "" {
		pathTmpl = "{" + cf.Name + "}"
	}
	var out []*catalog.Column
	for _, row := range rows.Array() {
		n := row.Get(cf.Name)
		if n.Type != gjson.String || strings.TrimSpace(n.Str) == "" || seen[strings.ToLower(n.Str)] {
			continue
		}
		seen[strings.ToLower(n.Str)] = true
		col := &catalog.Column{
			Name: n.Str,
			Path: catalog.ColumnsFromPath(pathTmpl, func(x string) string { return escapePath(row.Get(x).String()) }),
			Type: catalog.TypeString, ReadOnly: true,
			Description: "from columnsFrom " + cf.URL,
		}
		if ty := cf.Type; ty != nil {
			col.Type = mapType(ty.Map, row.Get(ty.Path).String())
		}
		out = append(out, col)
	}
	return out, nil
}

// mapType looks a metadata type up in a columnsFrom type map, exactly and
// then case-insensitively; a type the map lacks is a string.
func mapType(m map[string]catalog.Type, v string) catalog.Type {
	if t, ok := m[v]; ok {
		return t
	}
	for k, t := range m {
		if strings.EqualFold(k, v) {
			return t
		}
	}
	return catalog.TypeString
}

// escapePath escapes a key for a gjson path, so that a field name or id
// with a dot or a wildcard reads that one key.
func escapePath(key string) string {
	var b strings.Builder
	for i := 0; i < len(key); i++ {
		if strings.IndexByte(`.*?|#@\!=<>%`, key[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(key[i])
	}
	return b.String()
}

// columnsFromSource is the source that reads the table's columnsFrom:
// endpoint (the catalog's base URL, credentials and headers, no
// pagination) and the endpoint's URL.
func (s *Source) columnsFromSource() (*Source, *url.URL, error) {
	cat, t, name := s.cat, s.t, s.name
	cf := t.ColumnsFrom
	meta := &catalog.Table{
		Name: t.Name, SchemaName: t.SchemaName, CatalogName: t.CatalogName,
		URL: cf.URL, Rows: cf.Rows, Headers: t.Headers,
		Columns:    []*catalog.Column{{Name: "name", Path: cf.Name, Type: catalog.TypeString}},
		Pagination: &catalog.Pagination{Type: catalog.PageNone},
	}
	ms, err := New(cat, meta, s.opts)
	if err != nil {
		return nil, nil, fmt.Errorf("restsource: table %s: columnsFrom: %w", name, err)
	}
	u, err := buildURL(ms.list, nil)
	if err != nil {
		return nil, nil, fmt.Errorf("restsource: table %s: columnsFrom url %q: %w", name, cf.URL, err)
	}
	return ms, u, nil
}

// ColumnsFromRequest describes, for EXPLAIN, the request that reads the
// columns of the table's columnsFrom: endpoint, such as
// "GET https://x.atlassian.net/rest/api/3/field" (secret query values
// shown as "***"); it is "" for a table without columnsFrom:. The
// endpoint is read at the table's first use, not by every scan.
func (p *Plan) ColumnsFromRequest() string {
	if p.src.t.ColumnsFrom == nil {
		return ""
	}
	ms, u, err := p.src.columnsFromSource()
	if err != nil {
		return ""
	}
	return "GET " + ms.redact(u)
}
