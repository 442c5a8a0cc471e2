package planner

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPartitionBoundsSQL(t *testing.T) {
	p, err := ParsePartition("SELECT p.id, p.title FROM Demo.API.posts p WHERE p.userId = ? ORDER BY p.id", "p.id", ParseOptions{})
	require.NoError(t, err)
	q, err := p.BoundsSQL()
	require.NoError(t, err)
	assert.Equal(t, "select min(p.id), max(p.id) from `Demo`.`API`.posts as p where p.userId = :v1", q)
	assert.Equal(t, "p.id", p.ColumnName())
}

func TestPartitionColumnTable(t *testing.T) {
	tests := []struct {
		query, col string
		table      []string
		ok         bool
	}{
		{"SELECT * FROM posts", "id", []string{"posts"}, true},
		{"SELECT * FROM Demo.API.posts", "id", []string{"Demo", "API", "posts"}, true},
		{"SELECT * FROM posts p JOIN users u ON p.userId = u.id", "u.id", []string{"users"}, true},
		{"SELECT * FROM posts p JOIN users u ON p.userId = u.id", "id", nil, false}, // which table?
		{"SELECT * FROM posts p LEFT JOIN users u ON p.userId = u.id", "u.id", nil, false},
		{"SELECT * FROM posts, users", "posts.id", nil, false},
		{"SELECT * FROM (SELECT id FROM posts) d", "d.id", nil, false},
		{"SELECT * FROM posts p", "q.id", nil, false},
	}
	for _, tt := range tests {
		p, err := ParsePartition(tt.query, tt.col, ParseOptions{})
		require.NoError(t, err, tt.query)
		table, _, ok := p.ColumnTable()
		assert.Equal(t, tt.ok, ok, "%s on %s", tt.query, tt.col)
		assert.Equal(t, tt.table, table, "%s on %s", tt.query, tt.col)
	}

	p, err := ParsePartition("SELECT * FROM API.posts", "ID", ParseOptions{})
	require.NoError(t, err)
	assert.True(t, p.MatchesColumn("Demo", "api", "POSTS", "id"))
	assert.False(t, p.MatchesColumn("Demo", "other", "posts", "id"))
	assert.False(t, p.MatchesColumn("Demo", "api", "posts", "userId"))
}

func TestParsedKind(t *testing.T) {
	for sql, want := range map[string]string{
		"INSERT INTO t (a) VALUES (1)": "INSERT",
		"UPDATE t SET a = 1":           "UPDATE",
		"DELETE FROM t":                "DELETE",
		"SELECT 1":                     "Select",
	} {
		p, err := Parse(sql)
		require.NoError(t, err, sql)
		assert.Equal(t, want, p.Kind(), sql)
	}
}
