package restsql_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSystemTables(t *testing.T) {
	db, srv := openDemo(t)
	tests := []struct {
		sql  string
		want [][]string
	}{
		{"SELECT TableName, IsUpdateable, RequiredKeys FROM sys_tables WHERE TableName LIKE 'comments%' ORDER BY TableName",
			[][]string{{"comments", "true", "NULL"}, {"comments_by_post", "false", "postId"}}},
		{"SELECT ColumnName, DataTypeName, Ordinal, IsKey, IsRequiredKey, PushdownOperators, ExactOperators FROM sys_tablecolumns WHERE TableName = 'comments_by_post' AND ColumnName IN ('postId', 'id') ORDER BY Ordinal",
			[][]string{{"postId", "int", "1", "false", "true", "NULL", "NULL"}, {"id", "int", "2", "true", "false", "NULL", "NULL"}}},
		{"SELECT CatalogName, SchemaName FROM sys_schemas", [][]string{{"Demo", "API"}}},
		{"SELECT CatalogName, AuthScheme, Pagination FROM sys_catalogs", [][]string{{"Demo", "None", "page"}}},
		{"SELECT table_catalog, table_schema, table_name, table_type FROM information_schema.tables WHERE table_name = 'todos'",
			[][]string{{"Demo", "API", "todos", "BASE TABLE"}}},
		{"SELECT column_name, ordinal_position, data_type, is_nullable, column_key FROM information_schema.columns WHERE table_name = 'todos' ORDER BY ordinal_position",
			[][]string{{"id", "1", "BIGINT", "NO", "PRI"}, {"userId", "2", "BIGINT", "YES", ""}, {"title", "3", "VARCHAR", "YES", ""}, {"completed", "4", "BOOLEAN", "YES", ""}, {"dueDate", "5", "DATETIME", "YES", ""}}},
		{"SELECT t.TableName, COUNT(*) FROM sys_tables t JOIN sys_tablecolumns c ON c.TableName = t.TableName AND c.CatalogName = t.CatalogName WHERE c.IsKey GROUP BY t.TableName ORDER BY 1",
			[][]string{{"comments", "1"}, {"comments_by_post", "1"}, {"posts", "1"}, {"posts_by_user", "1"}, {"todos", "1"}, {"users", "1"}}},
		{"SELECT COUNT(*) FROM sys_sqlinfo WHERE Name = 'AGGREGATE_FUNCTIONS' AND Value LIKE '%COUNT%'", [][]string{{"1"}}},
	}
	for _, tt := range tests {
		t.Run(tt.sql, func(t *testing.T) {
			assert.Equal(t, tt.want, queryRows(t, db, tt.sql))
		})
	}
	assert.Empty(t, srv.Requests(), "system tables never call the API")
}

func TestExplainEstimatesRequests(t *testing.T) {
	db, srv := openDemo(t)
	tests := []struct{ sql, want string }{
		{"EXPLAIN SELECT id FROM posts LIMIT 45", "requests: at most 3"},
		{"EXPLAIN SELECT id FROM posts WHERE id = 4", "requests: at most 1"},
		{"EXPLAIN SELECT id FROM posts", "requests: one per page until the data ends"},
	}
	for _, tt := range tests {
		var details []string
		for _, r := range queryRows(t, db, tt.sql) {
			if r[2] == "Scan" {
				details = append(details, r[4])
			}
		}
		if assert.Len(t, details, 1, tt.sql) {
			assert.Contains(t, details[0], tt.want, tt.sql)
		}
	}
	assert.Empty(t, srv.Requests(), "EXPLAIN sends nothing")
}

// TestPGInformationSchemaThroughTheDriver reads the PostgreSQL-flavoured
// views restsql serve uses, through database/sql.
func TestPGInformationSchemaThroughTheDriver(t *testing.T) {
	db, srv := openDemo(t)
	got := queryRows(t, db, "SELECT c.column_name, c.data_type, c.udt_name, c.is_nullable FROM pg_information_schema.columns c JOIN pg_information_schema.tables t ON t.table_name = c.table_name WHERE t.table_name = 'posts' ORDER BY c.ordinal_position")
	assert.Equal(t, [][]string{{"id", "bigint", "int8", "NO"}, {"userId", "bigint", "int8", "YES"}, {"title", "text", "text", "YES"}, {"body", "text", "text", "YES"}}, got)
	own := queryRows(t, db, "SELECT data_type FROM information_schema.columns WHERE table_name = 'posts' AND column_name = 'title'")
	assert.Equal(t, [][]string{{"VARCHAR"}}, own)
	assert.Empty(t, srv.Requests())
}
