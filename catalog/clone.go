package catalog

import (
	"maps"
	"slices"
)

func ptr[T any](v T) *T { return &v }

// Clone returns a deep copy of p that shares no memory with it, so a
// connector can own an immutable copy. Clone of nil is nil.
func (p *Profile) Clone() *Profile {
	if p == nil {
		return nil
	}
	cp := &Profile{Path: p.Path}
	if p.Catalogs != nil {
		cp.Catalogs = make(map[string]*Catalog, len(p.Catalogs))
		for k, c := range p.Catalogs {
			cp.Catalogs[k] = c.Clone()
		}
	}
	return cp
}

// Clone returns a deep copy of c that shares no memory with it. Clone of nil
// is nil.
func (c *Catalog) Clone() *Catalog {
	if c == nil {
		return nil
	}
	cp := *c
	if c.Auth != nil {
		a := *c.Auth
		a.Scopes = slices.Clone(c.Auth.Scopes)
		a.Claims = maps.Clone(c.Auth.Claims)
		cp.Auth = &a
	}
	cp.Headers = maps.Clone(c.Headers)
	cp.Params = maps.Clone(c.Params)
	cp.Pagination = c.Pagination.clonePtr()
	if c.ErrorWhen != nil {
		e := *c.ErrorWhen
		cp.ErrorWhen = &e
	}
	if c.RateLimit != nil {
		r := *c.RateLimit
		cp.RateLimit = &r
	}
	if c.Schemas != nil {
		cp.Schemas = make(map[string]*Schema, len(c.Schemas))
		for k, s := range c.Schemas {
			cp.Schemas[k] = s.clone()
		}
	}
	return &cp
}

func (s *Schema) clone() *Schema {
	if s == nil {
		return nil
	}
	cp := *s
	if s.Tables != nil {
		cp.Tables = make(map[string]*Table, len(s.Tables))
		for k, t := range s.Tables {
			cp.Tables[k] = t.clone()
		}
	}
	return &cp
}

func (t *Table) clone() *Table {
	if t == nil {
		return nil
	}
	cp := *t
	cp.Params = maps.Clone(t.Params)
	cp.Headers = maps.Clone(t.Headers)
	if t.Combine != nil {
		cp.Combine = make(map[string]*Combine, len(t.Combine))
		for k, c := range t.Combine {
			if c != nil {
				cc := *c
				c = &cc
			}
			cp.Combine[k] = c
		}
	}
	if t.Columns != nil {
		cp.Columns = make([]*Column, len(t.Columns))
		for i, c := range t.Columns {
			cp.Columns[i] = c.clone()
		}
	}
	cp.Pagination = t.Pagination.clonePtr()
	if t.Sort != nil {
		s := *t.Sort
		if s.Asc != nil {
			s.Asc = ptr(*s.Asc)
		}
		if s.Desc != nil {
			s.Desc = ptr(*s.Desc)
		}
		s.Columns = slices.Clone(s.Columns)
		cp.Sort = &s
	}
	if t.Limit != nil {
		l := *t.Limit
		cp.Limit = &l
	}
	if t.Select != nil {
		s := *t.Select
		cp.Select = &s
	}
	if t.Get != nil {
		g := *t.Get
		g.Params = maps.Clone(t.Get.Params)
		cp.Get = &g
	}
	cp.Insert = t.Insert.clone()
	cp.Update = t.Update.clone()
	cp.Delete = t.Delete.clone()
	t.cloneBodyRead(&cp)
	return &cp
}

func (c *Column) clone() *Column {
	if c == nil {
		return nil
	}
	cp := *c
	cp.Formats = slices.Clone(c.Formats)
	if c.Filters != nil {
		cp.Filters = make(map[string]*Filter, len(c.Filters))
		for op, f := range c.Filters {
			if f != nil {
				fc := *f
				f = &fc
			}
			cp.Filters[op] = f
		}
	}
	return &cp
}

func (w *Write) clone() *Write {
	if w == nil {
		return nil
	}
	cp := *w
	cp.Headers = maps.Clone(w.Headers)
	return &cp
}

// clone returns a copy of p that shares no memory with it.
func (p *Pagination) clone() Pagination {
	cp := *p
	if p.Start != nil {
		cp.Start = ptr(*p.Start)
	}
	if p.EmptyPageStops != nil {
		cp.EmptyPageStops = ptr(*p.EmptyPageStops)
	}
	return cp
}

func (p *Pagination) clonePtr() *Pagination {
	if p == nil {
		return nil
	}
	cp := p.clone()
	return &cp
}
