package server

import (
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPostgresSQLFeatures runs PostgreSQL SQL that BI tools and dbt emit
// through pgx, in both protocols, and checks names and rows.
func TestPostgresSQLFeatures(t *testing.T) {
	e := startServer(t)
	conns := map[string]*pgx.Conn{"extended": e.connect(t, ""), "simple": e.connect(t, "default_query_exec_mode=simple_protocol")}
	tests := []struct {
		name string
		sql  string
		args []any
		cols []string
		rows [][]string
	}{
		{name: "WITH two CTEs and a join", sql: `WITH a AS (SELECT id, "userId" FROM posts WHERE "userId" IN ($1, 2)),
			b AS (SELECT "userId", count(*) AS n FROM a GROUP BY "userId")
			SELECT b."userId", b.n, max(a.id) AS top FROM b JOIN a ON a."userId" = b."userId" GROUP BY b."userId", b.n ORDER BY b."userId"`,
			args: []any{1}, cols: []string{"userId", "n", "top"}, rows: [][]string{{"1", "10", "10"}, {"2", "10", "20"}}},
		{name: "WITH column list", sql: `WITH u(uid, who) AS (SELECT id, username FROM users WHERE id <= $1) SELECT who, uid FROM u ORDER BY uid`,
			args: []any{2}, cols: []string{"who", "uid"}, rows: [][]string{{"ada", "1"}, {"aturing", "2"}}},
		{name: "dbt-style nested CTEs", sql: `with source as (select * from posts), renamed as (select id as post_id, "userId" as user_id from source) select count(*) from renamed where user_id = 3`,
			cols: []string{"count"}, rows: [][]string{{"10"}}},
		{name: "date_trunc and GROUP BY", sql: `SELECT date_trunc('quarter', "dueDate") AS q, count(*) FROM todos WHERE "dueDate" IS NOT NULL AND id <= $1 GROUP BY 1 ORDER BY 1`,
			args: []any{5}, cols: []string{"q", "count"}, rows: [][]string{{"2024-01-01T00:00:00Z", "2"}, {"2024-04-01T00:00:00Z", "2"}, {"2024-07-01T00:00:00Z", "1"}}},
		{name: "date_trunc's name", sql: `SELECT date_trunc('week', "dueDate") FROM todos WHERE id = 2`,
			cols: []string{"date_trunc"}, rows: [][]string{{"2024-03-11T00:00:00Z"}}},
		{name: "interval arithmetic", sql: `SELECT "dueDate" - INTERVAL '30 days' AS a, "dueDate" + interval '1 day 2 hours' AS b, "dueDate" + INTERVAL '1 month' AS c FROM todos WHERE id = 1`,
			cols: []string{"a", "b", "c"}, rows: [][]string{{"2024-01-08T10:00:00Z", "2024-02-08T12:00:00Z", "2024-03-07T10:00:00Z"}}},
		{name: "interval against now() in WHERE", sql: `SELECT count(*) FROM todos WHERE "dueDate" < now() - INTERVAL '1 hour' AND id <= 3 AND current_timestamp > now() - interval '1 day'`,
			cols: []string{"count"}, rows: [][]string{{"3"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for mode, c := range conns {
				cols, rows := pgxRows(t, c, tc.sql, tc.args...)
				assert.Equal(t, tc.cols, cols, mode)
				assert.Equal(t, tc.rows, rows, mode)
			}
		})
	}
}

func TestPostgresSQLFeatureErrors(t *testing.T) {
	e := startServer(t)
	c := e.connect(t, "")
	_, err := c.Exec(testCtx(t), "WITH RECURSIVE r AS (SELECT 1) SELECT * FROM r")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "WITH RECURSIVE is not supported")
	_, err = c.Exec(testCtx(t), "SELECT now() - INTERVAL '2 fortnights'")
	require.Error(t, err)
	assert.Equal(t, "22007", sqlState(err))
	_, err = c.Exec(testCtx(t), "SELECT date_trunc('fortnight', now())")
	require.Error(t, err)
	assert.Contains(t, err.Error(), `date_trunc unit "fortnight" is not supported`)
}

// TestInformationSchemaThroughPgx reads information_schema as dbt and BI
// tools do: PostgreSQL's type names, and every predicate, join and order
// honoured by restsql's planner.
func TestInformationSchemaThroughPgx(t *testing.T) {
	e := startServer(t)
	conns := map[string]*pgx.Conn{"extended": e.connect(t, ""), "simple": e.connect(t, "default_query_exec_mode=simple_protocol")}
	tests := []struct {
		name string
		sql  string
		args []any
		cols []string
		rows [][]string
	}{
		{name: "dbt columns query", sql: `select table_schema, table_name, column_name, data_type from information_schema.columns where table_schema = 'API' and table_name = 'todos' order by ordinal_position`,
			cols: []string{"table_schema", "table_name", "column_name", "data_type"},
			rows: [][]string{{"API", "todos", "id", "bigint"}, {"API", "todos", "userId", "bigint"}, {"API", "todos", "title", "text"}, {"API", "todos", "completed", "boolean"}, {"API", "todos", "dueDate", "timestamp with time zone"}}},
		{name: "udt_name, lengths, nullability", sql: `SELECT column_name, udt_name, character_maximum_length, is_nullable, ordinal_position FROM information_schema.columns c WHERE c.table_name = $1 ORDER BY 5`, args: []any{"todos"},
			cols: []string{"column_name", "udt_name", "character_maximum_length", "is_nullable", "ordinal_position"},
			rows: [][]string{{"id", "int8", "NULL", "NO", "1"}, {"userId", "int8", "NULL", "YES", "2"}, {"title", "text", "NULL", "YES", "3"}, {"completed", "bool", "NULL", "YES", "4"}, {"dueDate", "timestamptz", "NULL", "YES", "5"}}},
		{name: "schemata", sql: `SELECT catalog_name, schema_name FROM information_schema.schemata ORDER BY schema_name`,
			cols: []string{"catalog_name", "schema_name"},
			rows: [][]string{{"Demo", "API"}, {"Demo", "information_schema"}, {"Demo", "pg_catalog"}}},
		{name: "tables joined to columns, aggregated", sql: `SELECT t.table_name, t.table_type, count(*) AS n FROM information_schema.tables AS t JOIN information_schema.columns ON columns.table_name = t.table_name AND columns.table_schema = t.table_schema WHERE t.table_schema <> 'pg_catalog' AND t.table_name IN ('posts', 'todos') GROUP BY t.table_name, t.table_type ORDER BY 1`,
			cols: []string{"table_name", "table_type", "n"},
			rows: [][]string{{"posts", "BASE TABLE", "4"}, {"todos", "BASE TABLE", "5"}}},
		{name: "quoted names and LIMIT", sql: `SELECT "column_name" FROM "information_schema"."columns" WHERE "table_name" = 'posts' ORDER BY "ordinal_position" DESC LIMIT 1`,
			cols: []string{"column_name"}, rows: [][]string{{"body"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for mode, c := range conns {
				cols, rows := pgxRows(t, c, tc.sql, tc.args...)
				assert.Equal(t, tc.cols, cols, mode)
				assert.Equal(t, tc.rows, rows, mode)
			}
		})
	}
}

// TestPgcliCatalogQueries runs what pgcli asks on connect and for
// completion: the search path as rows, and column types as names.
func TestPgcliCatalogQueries(t *testing.T) {
	e := startServer(t)
	conns := map[string]*pgx.Conn{"extended": e.connect(t, ""), "simple": e.connect(t, "default_query_exec_mode=simple_protocol")}
	tests := []struct {
		name string
		sql  string
		args []any
		cols []string
		rows [][]string
	}{
		{name: "unnest(current_schemas(true))", sql: "SELECT * FROM unnest(current_schemas(true))",
			cols: []string{"unnest"}, rows: [][]string{{"pg_catalog"}, {"API"}}},
		{name: "unnest with an alias", sql: "SELECT * FROM unnest(current_schemas(false)) AS s",
			cols: []string{"s"}, rows: [][]string{{"API"}}},
		{name: "current_schemas(true)", sql: "SELECT current_schemas(true)",
			cols: []string{"current_schemas"}, rows: [][]string{{"{pg_catalog,API}"}}},
		{name: "atttypid::regtype::text", sql: "SELECT a.attname, a.atttypid::regtype::text AS type_name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid WHERE c.relname = 'todos' AND a.attnum > 0 ORDER BY a.attnum",
			cols: []string{"attname", "type_name"}, rows: [][]string{{"id", "bigint"}, {"userId", "bigint"}, {"title", "text"}, {"completed", "boolean"}, {"dueDate", "timestamp with time zone"}}},
		{name: "a literal OID as regtype", sql: "SELECT 25::regtype::text AS t, 1184::regtype AS u",
			cols: []string{"t", "u"}, rows: [][]string{{"text", "timestamp with time zone"}}},
		// What issue 16 found answered wrong: every predicate, join,
		// aggregate and LIMIT is now honoured.
		{name: "tables by relkind = ANY($1)", sql: "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = ANY($1) AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' ORDER BY 1",
			args: []any{"{r,p,f}"}, cols: []string{"relname"}, rows: [][]string{{"comments"}, {"comments_by_post"}, {"posts"}, {"posts_by_user"}, {"todos"}, {"users"}}},
		{name: "views by relkind = ANY($1)", sql: "SELECT c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = ANY($1) AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema'",
			args: []any{"{v,m}"}, cols: []string{"relname"}},
		{name: "user types (nspname <> pg_catalog)", sql: "SELECT n.nspname, t.typname FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname <> 'pg_catalog'",
			cols: []string{"nspname", "typname"}},
		{name: "count(*) FROM pg_class", sql: "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'API' GROUP BY c.relkind ORDER BY c.relkind",
			cols: []string{"count"}, rows: [][]string{{"6"}, {"6"}}}, // six primary-key indexes (i), six tables (r)
		{name: "LIMIT on pg_type", sql: "SELECT oid, typname FROM pg_type ORDER BY oid LIMIT 3",
			cols: []string{"oid", "typname"}, rows: [][]string{{"16", "bool"}, {"17", "bytea"}, {"18", "char"}}},
		{name: "one setting of pg_settings", sql: "SELECT setting FROM pg_settings WHERE name = 'max_index_keys'",
			cols: []string{"setting"}, rows: [][]string{{"32"}}},
		{name: "primary keys through pg_index", sql: "SELECT c.relname, a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = ANY(i.indkey) WHERE i.indisprimary AND c.relname IN ('posts', 'users') ORDER BY 1",
			cols: []string{"relname", "attname"}, rows: [][]string{{"posts", "id"}, {"users", "id"}}},
		{name: "information_schema key_column_usage", sql: "SELECT k.table_name, k.column_name, t.constraint_type FROM information_schema.key_column_usage k JOIN information_schema.table_constraints t USING (constraint_name) WHERE k.table_name = 'todos'",
			cols: []string{"table_name", "column_name", "constraint_type"}, rows: [][]string{{"todos", "id", "PRIMARY KEY"}}},
		{name: "a comma join with pg_roles", sql: "SELECT r.rolname, c.relname FROM pg_class c, pg_roles r WHERE c.relowner = r.oid AND c.relname = 'posts'",
			cols: []string{"rolname", "relname"}, rows: [][]string{{"tester", "posts"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for mode, c := range conns {
				cols, rows := pgxRows(t, c, tc.sql, tc.args...)
				assert.Equal(t, tc.cols, cols, mode)
				assert.Equal(t, tc.rows, rows, mode)
			}
		})
	}
}
