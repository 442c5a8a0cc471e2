package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestQueryGolden runs the README's first command (and its variants)
// against the embedded demo API and compares the output with golden files.
func TestQueryGolden(t *testing.T) {
	tests := []struct {
		golden string
		args   []string
	}{
		{"readme_table.txt", []string{"query", "SELECT id, title FROM posts WHERE userId = 1 LIMIT 3"}},
		{"csv.txt", []string{"query", "--format", "csv", "SELECT id, name, phone FROM users WHERE id <= ? ORDER BY id", "4"}},
		{"json.txt", []string{"query", "--format", "json", "SELECT id, completed, dueDate FROM todos WHERE userId = 2 ORDER BY id LIMIT 3"}},
		{"aggregate.txt", []string{"query", "SELECT u.name, COUNT(*) AS posts FROM users u JOIN posts p ON p.userId = u.id WHERE u.id IN (1, 2) GROUP BY u.name ORDER BY u.name"}},
		{"empty_json.txt", []string{"query", "--format", "json", "SELECT id FROM posts WHERE id = 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			var out, errOut bytes.Buffer
			require.NoError(t, run(context.Background(), tt.args, &out, &errOut), errOut.String())
			path := filepath.Join("testdata", tt.golden)
			if *update {
				require.NoError(t, os.WriteFile(path, out.Bytes(), 0o644))
			}
			want, err := os.ReadFile(path)
			require.NoError(t, err)
			assert.Equal(t, string(want), out.String())
		})
	}
}

func TestQueryErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"query"}, "query needs a SQL statement"},
		{[]string{"query", "--format", "xml", "SELECT 1"}, `unknown --format "xml"`},
		{[]string{"query", "SELECT nope FROM posts"}, "unknown column nope"},
		{[]string{"query", "--dsn", "Pofile=x.yaml", "SELECT 1"}, `did you mean "Profile"`},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	}
	for _, tt := range tests {
		var out, errOut bytes.Buffer
		err := run(context.Background(), tt.args, &out, &errOut)
		require.Error(t, err, "%v", tt.args)
		assert.Contains(t, err.Error(), tt.want)
	}
}

func TestArgValue(t *testing.T) {
	assert.Equal(t, int64(4), argValue("4"))
	assert.Equal(t, 2.5, argValue("2.5"))
	assert.Equal(t, "abc", argValue("abc"))
	assert.Equal(t, "NaN", argValue("NaN"))
}

func TestQueryRunsWrites(t *testing.T) {
	var out, errOut bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"query", "INSERT INTO posts (userId, title, body) VALUES (1, 'hello', 'world')"}, &out, &errOut), errOut.String())
	assert.Equal(t, "1 row affected (last insert id 101)\n", out.String())
	assert.True(t, isWrite("  -- c\n update posts set title = 'x'"))
	assert.True(t, isWrite("/* x */DELETE FROM posts WHERE id = 1"))
	assert.False(t, isWrite("SELECT 'INSERT'"))
}
