// Package metadata answers restsql's system tables — sys_catalogs,
// sys_schemas, sys_tables, sys_tablecolumns, sys_sqlinfo and the
// information_schema.tables / columns views — from a loaded profile, so a
// tool connected through database/sql can list what is there.
package metadata

import (
	"sort"
	"strings"

	"github.com/restsql/restsql/catalog"
)

// Column is one column of a system table.
type Column struct {
	Name string
	// Type is a restsql column type: string, int or bool.
	Type catalog.Type
}

// Table is a system table's columns and rows. Values are nil, string,
// int64 or bool.
type Table struct {
	Name    string
	Columns []Column
	Rows    [][]any
}

// Names lists the system tables, as SQL names them.
func Names() []string {
	return []string{"sys_catalogs", "sys_schemas", "sys_tables", "sys_tablecolumns", "sys_sqlinfo", "information_schema.tables", "information_schema.columns"}
}

// Lookup returns the system table a name of one or two parts refers to
// (sys_tables, information_schema.tables; case-insensitive), or false.
func Lookup(p *catalog.Profile, parts []string) (*Table, bool) {
	name := strings.ToLower(strings.Join(parts, "."))
	switch name {
	case "sys_catalogs":
		return sysCatalogs(p), true
	case "sys_schemas":
		return sysSchemas(p), true
	case "sys_tables":
		return sysTables(p), true
	case "sys_tablecolumns":
		return sysTableColumns(p), true
	case "sys_sqlinfo":
		return sysSQLInfo(), true
	case "information_schema.tables":
		return infoTables(p), true
	case "information_schema.columns":
		return infoColumns(p), true
	}
	return nil, false
}

func str(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// each visits every table in catalog, schema, table name order.
func each(p *catalog.Profile, f func(c *catalog.Catalog, s *catalog.Schema, t *catalog.Table)) {
	for _, cn := range p.CatalogNames() {
		c, _ := p.Catalog(cn)
		for _, sn := range c.SchemaNames() {
			s, _ := c.Schema(sn)
			for _, tn := range s.TableNames() {
				t, _ := s.Table(tn)
				f(c, s, t)
			}
		}
	}
}

func sysCatalogs(p *catalog.Profile) *Table {
	t := &Table{Name: "sys_catalogs", Columns: []Column{{"CatalogName", catalog.TypeString}, {"Description", catalog.TypeString}, {"AuthScheme", catalog.TypeString}, {"Pagination", catalog.TypeString}}}
	for _, cn := range p.CatalogNames() {
		c, _ := p.Catalog(cn)
		auth := "None"
		if c.Auth != nil && c.Auth.Scheme != "" {
			auth = c.Auth.Scheme
		}
		pag := catalog.PageNone
		if c.Pagination != nil && c.Pagination.Type != "" {
			pag = c.Pagination.Type
		}
		t.Rows = append(t.Rows, []any{c.Name, str(c.Description), auth, pag})
	}
	return t
}

func sysSchemas(p *catalog.Profile) *Table {
	t := &Table{Name: "sys_schemas", Columns: []Column{{"CatalogName", catalog.TypeString}, {"SchemaName", catalog.TypeString}}}
	for _, cn := range p.CatalogNames() {
		c, _ := p.Catalog(cn)
		for _, sn := range c.SchemaNames() {
			s, _ := c.Schema(sn)
			t.Rows = append(t.Rows, []any{c.Name, s.Name})
		}
	}
	return t
}

func sysTables(p *catalog.Profile) *Table {
	t := &Table{Name: "sys_tables", Columns: []Column{
		{"CatalogName", catalog.TypeString}, {"SchemaName", catalog.TypeString}, {"TableName", catalog.TypeString}, {"TableType", catalog.TypeString},
		{"Description", catalog.TypeString}, {"IsUpdateable", catalog.TypeBool}, {"RequiredKeys", catalog.TypeString}, {"URL", catalog.TypeString},
	}}
	each(p, func(c *catalog.Catalog, s *catalog.Schema, tb *catalog.Table) {
		updatable := tb.Insert != nil || tb.Update != nil || tb.Delete != nil
		t.Rows = append(t.Rows, []any{c.Name, s.Name, tb.Name, "TABLE", str(tb.Description), updatable,
			str(strings.Join(catalog.Placeholders(tb.URL), ",")), tb.URL})
	})
	return t
}

// operators lists the SQL operators a column's filters push, in a fixed order.
func operators(col *catalog.Column) string {
	var ops []string
	for _, op := range []string{"=", "!=", "<", "<=", ">", ">=", "IN", "LIKE"} {
		for k := range col.Filters {
			if strings.EqualFold(k, op) {
				ops = append(ops, op)
				break
			}
		}
	}
	return strings.Join(ops, ",")
}

func exactOperators(col *catalog.Column) string {
	var ops []string
	for _, op := range []string{"=", "!=", "<", "<=", ">", ">=", "IN", "LIKE"} {
		for k, f := range col.Filters {
			if strings.EqualFold(k, op) && f != nil && f.Exact {
				ops = append(ops, op)
				break
			}
		}
	}
	return strings.Join(ops, ",")
}

func isRequired(tb *catalog.Table, col *catalog.Column) bool {
	for _, n := range catalog.Placeholders(tb.URL) {
		if strings.EqualFold(n, col.Name) {
			return true
		}
	}
	return false
}

func columnType(col *catalog.Column) catalog.Type {
	if col.Type == "" {
		return catalog.TypeString
	}
	return col.Type
}

func sysTableColumns(p *catalog.Profile) *Table {
	t := &Table{Name: "sys_tablecolumns", Columns: []Column{
		{"CatalogName", catalog.TypeString}, {"SchemaName", catalog.TypeString}, {"TableName", catalog.TypeString}, {"ColumnName", catalog.TypeString},
		{"DataTypeName", catalog.TypeString}, {"Ordinal", catalog.TypeInt}, {"IsKey", catalog.TypeBool}, {"IsNullable", catalog.TypeBool}, {"IsReadOnly", catalog.TypeBool},
		{"IsRequiredKey", catalog.TypeBool}, {"Path", catalog.TypeString}, {"PushdownOperators", catalog.TypeString}, {"ExactOperators", catalog.TypeString},
		{"Description", catalog.TypeString},
	}}
	each(p, func(c *catalog.Catalog, s *catalog.Schema, tb *catalog.Table) {
		for i, col := range tb.Columns {
			t.Rows = append(t.Rows, []any{c.Name, s.Name, tb.Name, col.Name, string(columnType(col)), int64(i + 1),
				col.Key, !col.Key && !isRequired(tb, col), col.ReadOnly, isRequired(tb, col), str(col.Path),
				str(operators(col)), str(exactOperators(col)), str(col.Description)})
		}
	})
	return t
}

func infoTables(p *catalog.Profile) *Table {
	t := &Table{Name: "information_schema.tables", Columns: []Column{
		{"table_catalog", catalog.TypeString}, {"table_schema", catalog.TypeString}, {"table_name", catalog.TypeString}, {"table_type", catalog.TypeString},
	}}
	each(p, func(c *catalog.Catalog, s *catalog.Schema, tb *catalog.Table) {
		t.Rows = append(t.Rows, []any{c.Name, s.Name, tb.Name, "BASE TABLE"})
	})
	return t
}

func infoColumns(p *catalog.Profile) *Table {
	t := &Table{Name: "information_schema.columns", Columns: []Column{
		{"table_catalog", catalog.TypeString}, {"table_schema", catalog.TypeString}, {"table_name", catalog.TypeString}, {"column_name", catalog.TypeString},
		{"ordinal_position", catalog.TypeInt}, {"data_type", catalog.TypeString}, {"is_nullable", catalog.TypeString}, {"column_key", catalog.TypeString},
	}}
	each(p, func(c *catalog.Catalog, s *catalog.Schema, tb *catalog.Table) {
		for i, col := range tb.Columns {
			nullable, key := "YES", ""
			if col.Key || isRequired(tb, col) {
				nullable = "NO"
			}
			if col.Key {
				key = "PRI"
			}
			t.Rows = append(t.Rows, []any{c.Name, s.Name, tb.Name, col.Name, int64(i + 1), columnType(col).SQLName(), nullable, key})
		}
	})
	return t
}

func sysSQLInfo() *Table {
	t := &Table{Name: "sys_sqlinfo", Columns: []Column{{"Name", catalog.TypeString}, {"Value", catalog.TypeString}}}
	info := map[string]string{
		"DIALECT":                "MySQL-like (github.com/xwb1989/sqlparser) with catalog.schema.table names",
		"SUPPORTED_OPERATORS":    "=,!=,<>,<,<=,>,>=,<=>,IN,NOT IN,BETWEEN,LIKE,NOT LIKE,IS NULL,IS NOT NULL,AND,OR,NOT,+,-,*,/,DIV,%",
		"AGGREGATE_FUNCTIONS":    "COUNT,SUM,AVG,MIN,MAX",
		"JOIN_TYPES":             "INNER,LEFT,CROSS",
		"SUPPORTS_SUBQUERIES":    "IN,NOT IN,EXISTS,SCALAR,DERIVED TABLE",
		"SUPPORTS_UNION":         "UNION,UNION ALL",
		"SUPPORTS_TRANSACTIONS":  "READ ONLY",
		"NULL_ORDERING":          "NULLS FIRST ascending, NULLS LAST descending",
		"IDENTIFIER_CASE":        "case-insensitive",
		"STRING_FUNCTIONS":       "UPPER,LOWER,LENGTH,SUBSTR,CONCAT,REPLACE,TRIM,LTRIM,RTRIM",
		"NUMERIC_FUNCTIONS":      "ROUND,ABS,FLOOR,CEIL,MOD,POWER,SQRT",
		"DATETIME_FUNCTIONS":     "NOW,CURDATE,DATE,YEAR,MONTH,DAY,HOUR,MINUTE,SECOND,EXTRACT,DATE_TRUNC,DATE_ADD,DATE_SUB",
		"SYSTEM_TABLES":          strings.Join(Names(), ","),
		"EXPLAIN":                "EXPLAIN SELECT",
		"PARAMETER_PLACEHOLDERS": "?,:name",
	}
	keys := make([]string, 0, len(info))
	for k := range info {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Rows = append(t.Rows, []any{k, info[k]})
	}
	return t
}
