package catalog

import (
	"slices"
	"strings"
)

// lookupFold returns m[name], or else the value of the first key (in sorted
// order) equal to name under Unicode case folding.
func lookupFold[V any](m map[string]V, name string) (V, bool) {
	if v, ok := m[name]; ok {
		return v, true
	}
	var found V
	ok := false
	best := ""
	for k, v := range m {
		if strings.EqualFold(k, name) && (!ok || k < best) {
			found, best, ok = v, k, true
		}
	}
	return found, ok
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Catalog returns the catalog called name. The match is case-insensitive; an
// exact match is preferred.
func (p *Profile) Catalog(name string) (*Catalog, bool) {
	if p == nil {
		return nil, false
	}
	c, ok := lookupFold(p.Catalogs, name)
	return c, ok && c != nil
}

// CatalogNames returns the names of the profile's catalogs, sorted.
func (p *Profile) CatalogNames() []string {
	if p == nil {
		return nil
	}
	return sortedKeys(p.Catalogs)
}

// Schema returns the schema called name. The match is case-insensitive; an
// exact match is preferred.
func (c *Catalog) Schema(name string) (*Schema, bool) {
	if c == nil {
		return nil, false
	}
	s, ok := lookupFold(c.Schemas, name)
	return s, ok && s != nil
}

// SchemaNames returns the names of the catalog's schemas, sorted.
func (c *Catalog) SchemaNames() []string {
	if c == nil {
		return nil
	}
	return sortedKeys(c.Schemas)
}

// Table returns the table called name. The match is case-insensitive; an
// exact match is preferred.
func (s *Schema) Table(name string) (*Table, bool) {
	if s == nil {
		return nil, false
	}
	t, ok := lookupFold(s.Tables, name)
	return t, ok && t != nil
}

// TableNames returns the names of the schema's tables, sorted.
func (s *Schema) TableNames() []string {
	if s == nil {
		return nil
	}
	return sortedKeys(s.Tables)
}

// Column returns the column called name and its index in t.Columns, or nil
// and -1. The match is case-insensitive; an exact match is preferred.
func (t *Table) Column(name string) (*Column, int) {
	if t == nil {
		return nil, -1
	}
	fold := -1
	for i, c := range t.Columns {
		if c == nil {
			continue
		}
		if c.Name == name {
			return c, i
		}
		if fold < 0 && strings.EqualFold(c.Name, name) {
			fold = i
		}
	}
	if fold < 0 {
		return nil, -1
	}
	return t.Columns[fold], fold
}

// KeyColumns returns the columns marked key: true, in table order. The
// required key columns of a URL template are Placeholders(t.URL).
func (t *Table) KeyColumns() []*Column {
	if t == nil {
		return nil
	}
	var keys []*Column
	for _, c := range t.Columns {
		if c != nil && c.Key {
			keys = append(keys, c)
		}
	}
	return keys
}

// EffectivePagination returns the pagination of table t: t's pagination
// merged over the catalog's. When t names a Type different from the
// catalog's, the catalog's settings are not inherited; otherwise every field
// t sets wins. With neither set (or an empty Type) the Type is "none". The
// result shares no memory with c or t. c may be nil (no catalog default) and
// so may t (the catalog's pagination).
func (c *Catalog) EffectivePagination(t *Table) Pagination {
	var base, over *Pagination
	if c != nil {
		base = c.Pagination
	}
	if t != nil {
		over = t.Pagination
	}
	var p Pagination
	switch {
	case base == nil && over == nil:
	case over == nil:
		p = base.clone()
	case base == nil || over.Type != "" && !strings.EqualFold(over.Type, base.Type):
		p = over.clone()
	default:
		p = base.clone()
		mergePagination(&p, over)
	}
	if p.Type == "" {
		p.Type = PageNone
	}
	return p
}

// mergePagination copies every field that o sets into p.
func mergePagination(p *Pagination, o *Pagination) {
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&p.Type, o.Type)
	set(&p.OffsetParam, o.OffsetParam)
	set(&p.PageParam, o.PageParam)
	set(&p.SizeParam, o.SizeParam)
	if o.PageSize != 0 {
		p.PageSize = o.PageSize
	}
	if o.MaxPageSize != 0 {
		p.MaxPageSize = o.MaxPageSize
	}
	if o.Start != nil {
		p.Start = ptr(*o.Start)
	}
	set(&p.CursorPath, o.CursorPath)
	set(&p.CursorParam, o.CursorParam)
	if o.CursorBody != "" || o.CursorParam != "" {
		// One replaces the other: the cursor goes in the body or the URL.
		p.CursorBody, p.CursorParam = o.CursorBody, o.CursorParam
	}
	set(&p.NextPath, o.NextPath)
	set(&p.TotalPath, o.TotalPath)
	set(&p.TotalHeader, o.TotalHeader)
	set(&p.HasMorePath, o.HasMorePath)
	set(&p.StopPath, o.StopPath)
	if o.EmptyPageStops != nil {
		p.EmptyPageStops = ptr(*o.EmptyPageStops)
	}
}
