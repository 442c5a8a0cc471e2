package planner

import (
	"fmt"
	"sort"
	"strings"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/table"
)

// relation is one table (or derived table) in a FROM clause.
type relation struct {
	// alias, when given, is the only name the relation answers to.
	alias string
	// parts are the catalog, schema and table names of a base table.
	parts []string
	// display is the name used in messages and EXPLAIN.
	display string
	src     table.Table
	table   *catalog.Table
	// offset is the position of the relation's first column in the joined row.
	offset int
	cols   []scopeCol
	// used marks the columns the query reads (base tables).
	used []bool
	// nullable is set for the inner side of a LEFT JOIN.
	nullable bool
	// conjuncts are the WHERE/ON conjuncts that name only this relation.
	conjuncts []conj
	scan      *scanPlan
	// lookup is set when a lookup join reads this relation by key.
	lookup  *lookupPlan
	derived *planned
	leaf    *planned
}

// scopeCol is a column visible to expressions.
type scopeCol struct {
	rel  *relation
	name string
	typ  catalog.Type
	// idx is the column's position in the rows the scope describes.
	idx int
	// colIdx is the column's index in its relation.
	colIdx int
	// merged, when set, is the column of the left side of a JOIN … USING
	// (or NATURAL JOIN) that this right-side column was merged into:
	// where both are visible, an unqualified name and * mean that one.
	merged *scopeCol
}

// hiddenBy reports whether c is a USING column merged into a column that
// is among list.
func (c *scopeCol) hiddenBy(list []*scopeCol) bool {
	if c.merged == nil {
		return false
	}
	for _, o := range list {
		if o.rel == c.merged.rel && o.colIdx == c.merged.colIdx {
			return true
		}
	}
	return false
}

// scope lists the columns of the rows an expression is evaluated against.
type scope struct {
	cols   []scopeCol
	rels   []*relation
	parent *scope // the enclosing query, for a clearer error on correlation
}

func (r *relation) matches(qual []string) bool {
	if len(qual) == 0 {
		return true
	}
	if r.alias != "" {
		return len(qual) == 1 && strings.EqualFold(qual[0], r.alias)
	}
	if len(qual) > len(r.parts) {
		return false
	}
	off := len(r.parts) - len(qual)
	for i, q := range qual {
		if !strings.EqualFold(q, r.parts[off+i]) {
			return false
		}
	}
	return true
}

// resolve finds a column by optional qualifier and name.
func (s *scope) resolve(qual []string, name string) (*scopeCol, error) {
	var found []*scopeCol
	qualKnown := len(qual) == 0
	for i := range s.cols {
		c := &s.cols[i]
		if c.rel != nil && !c.rel.matches(qual) {
			continue
		}
		if c.rel == nil && len(qual) > 0 {
			continue
		}
		qualKnown = true
		if strings.EqualFold(c.name, name) {
			found = append(found, c)
		}
	}
	if len(qual) == 0 && len(found) > 1 {
		// A column merged by JOIN … USING answers to its unqualified name
		// once: as the left side's column.
		kept := found[:0:0]
		for _, c := range found {
			if !c.hiddenBy(found) {
				kept = append(kept, c)
			}
		}
		found = kept
	}
	full := name
	if len(qual) > 0 {
		full = strings.Join(qual, ".") + "." + name
	}
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		if s.parent != nil {
			if _, err := s.parent.resolve(qual, name); err == nil {
				return nil, notSupportedf("planner: column %s refers to the enclosing query: correlated subqueries are not supported", full)
			}
		}
		if !qualKnown {
			return nil, unknownTablef("planner: unknown table %s in column %s", strings.Join(qual, "."), full)
		}
		msg := fmt.Sprintf("planner: unknown column %s", full)
		if sug := s.suggest(qual, name); sug != "" {
			msg += fmt.Sprintf(" (did you mean %s?)", sug)
		}
		return nil, unknownColumnf("%s", msg)
	}
	var names []string
	for _, c := range found {
		if c.rel != nil {
			names = append(names, c.rel.display+"."+c.name)
		}
	}
	sort.Strings(names)
	return nil, ambiguousf("planner: column %s is ambiguous (%s): qualify it with a table name or alias", full, strings.Join(names, ", "))
}

func (s *scope) suggest(qual []string, name string) string {
	var names []string
	for _, c := range s.cols {
		if c.rel == nil || c.rel.matches(qual) {
			names = append(names, c.name)
		}
	}
	best, _ := catalog.Nearest(name, names)
	return best
}
