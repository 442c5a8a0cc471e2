// Package metadata answers restsql's system tables — sys_catalogs,
// sys_schemas, sys_tables, sys_tablecolumns, sys_sqlinfo and the
// information_schema.tables / columns views — from a loaded profile, so a
// tool connected through database/sql can list what is there. A Table is
// planned and queried as any other table (Table.Memory: a table.Memory),
// with every predicate, join and sort SQL has.
package metadata

import (
	"fmt"
	"sort"
	"strings"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/table"
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
	case PGInfoSchema + ".tables":
		return pgInfoTables(p), true
	case PGInfoSchema + ".columns":
		return pgInfoColumns(p), true
	case PGInfoSchema + ".schemata":
		return pgInfoSchemata(p), true
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
		"SUPPORTS_CTE":           "WITH (non-recursive; each reference reads the CTE again)",
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

// PGInfoSchema is the schema of the PostgreSQL-flavoured information_schema
// views (tables, columns, schemata) that restsql serve answers
// information_schema with: PostgreSQL's type names and columns, where the
// driver's own information_schema has MySQL's.
const PGInfoSchema = "pg_information_schema"

// PGTypes maps restsql column types to PostgreSQL's data_type and
// udt_name, as information_schema.columns of restsql serve reports them.
var PGTypes = map[catalog.Type]struct{ DataType, UDTName string }{
	catalog.TypeString: {"text", "text"}, catalog.TypeInt: {"bigint", "int8"}, catalog.TypeFloat: {"double precision", "float8"},
	catalog.TypeBool: {"boolean", "bool"}, catalog.TypeDatetime: {"timestamp with time zone", "timestamptz"}, catalog.TypeJSON: {"json", "json"},
}

func yesNo(b bool) string {
	if b {
		return "YES"
	}
	return "NO"
}

func pgInfoTables(p *catalog.Profile) *Table {
	t := &Table{Name: "information_schema.tables", Columns: []Column{
		{"table_catalog", "string"}, {"table_schema", "string"}, {"table_name", "string"}, {"table_type", "string"},
		{"self_referencing_column_name", "string"}, {"reference_generation", "string"},
		{"user_defined_type_catalog", "string"}, {"user_defined_type_schema", "string"}, {"user_defined_type_name", "string"},
		{"is_insertable_into", "string"}, {"is_typed", "string"}, {"commit_action", "string"},
	}}
	each(p, func(c *catalog.Catalog, s *catalog.Schema, tb *catalog.Table) {
		t.Rows = append(t.Rows, []any{c.Name, s.Name, tb.Name, "BASE TABLE", nil, nil, nil, nil, nil, yesNo(tb.Insert != nil), "NO", nil})
	})
	return t
}

func pgInfoColumns(p *catalog.Profile) *Table {
	t := &Table{Name: "information_schema.columns", Columns: []Column{
		{"table_catalog", "string"}, {"table_schema", "string"}, {"table_name", "string"}, {"column_name", "string"},
		{"ordinal_position", "int"}, {"column_default", "string"}, {"is_nullable", "string"}, {"data_type", "string"},
		{"character_maximum_length", "int"}, {"character_octet_length", "int"},
		{"numeric_precision", "int"}, {"numeric_precision_radix", "int"}, {"numeric_scale", "int"}, {"datetime_precision", "int"},
		{"udt_catalog", "string"}, {"udt_schema", "string"}, {"udt_name", "string"},
		{"is_identity", "string"}, {"is_generated", "string"}, {"is_updatable", "string"},
	}}
	each(p, func(c *catalog.Catalog, s *catalog.Schema, tb *catalog.Table) {
		for i, col := range tb.Columns {
			typ := columnType(col)
			pt := PGTypes[typ]
			var prec, radix, scale, dtPrec any
			switch typ {
			case catalog.TypeInt:
				prec, radix, scale = int64(64), int64(2), int64(0)
			case catalog.TypeFloat:
				prec, radix = int64(53), int64(2)
			case catalog.TypeDatetime:
				dtPrec = int64(6)
			}
			updatable := tb.Update != nil && !col.ReadOnly
			t.Rows = append(t.Rows, []any{c.Name, s.Name, tb.Name, col.Name, int64(i + 1), nil,
				yesNo(!col.Key && !isRequired(tb, col)), pt.DataType, nil, nil, prec, radix, scale, dtPrec,
				c.Name, "pg_catalog", pt.UDTName, "NO", "NEVER", yesNo(updatable)})
		}
	})
	return t
}

func pgInfoSchemata(p *catalog.Profile) *Table {
	t := &Table{Name: "information_schema.schemata", Columns: []Column{
		{"catalog_name", "string"}, {"schema_name", "string"}, {"schema_owner", "string"},
		{"default_character_set_catalog", "string"}, {"default_character_set_schema", "string"},
		{"default_character_set_name", "string"}, {"sql_path", "string"},
	}}
	for _, cn := range p.CatalogNames() {
		c, _ := p.Catalog(cn)
		names := append([]string(nil), c.SchemaNames()...)
		// PostgreSQL lists its system schemas too.
		names = append(names, "information_schema", "pg_catalog")
		for _, sn := range names {
			t.Rows = append(t.Rows, []any{c.Name, sn, "restsql", nil, nil, nil, nil})
		}
	}
	return t
}

// Memory returns the system table as a table the planner plans against
// like any other: its name is the table's last part ("columns" of
// information_schema.columns, in schema information_schema), its rows
// are Rows, and SQL filters and sorts them in the driver.
func (t *Table) Memory() (*table.Memory, error) {
	def := &catalog.Table{Name: t.Name}
	if i := strings.LastIndexByte(t.Name, '.'); i >= 0 {
		def.SchemaName, def.Name = t.Name[:i], t.Name[i+1:]
	}
	for _, c := range t.Columns {
		def.Columns = append(def.Columns, &catalog.Column{Name: c.Name, Type: c.Type})
	}
	m, err := table.NewMemory(def, t.Rows)
	if err != nil {
		return nil, fmt.Errorf("metadata: system table %s: %w", t.Name, err)
	}
	return m, nil
}
