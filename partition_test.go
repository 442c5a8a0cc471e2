package restsql_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/demoapi"
)

func TestPartitionsSplit(t *testing.T) {
	jan := func(day int) time.Time { return time.Date(2024, 1, day, 0, 0, 0, 0, time.UTC) }
	tests := []struct {
		name         string
		query, col   string
		lower, upper any
		n            int
		notNull      bool
		want         []string
	}{
		{
			name: "ints, NULLs in the first", query: "SELECT id, title FROM posts", col: "id", lower: 1, upper: 100, n: 4,
			want: []string{
				"select id, title from posts where (id < 26 or id is null)",
				"select id, title from posts where id >= 26 and id < 51",
				"select id, title from posts where id >= 51 and id < 76",
				"select id, title from posts where id >= 76",
			},
		},
		{
			name: "not null", query: "SELECT * FROM posts WHERE userId = 3", col: "id", lower: int64(21), upper: int64(30), n: 2, notNull: true,
			want: []string{
				"select * from posts where (userId = 3) and id < 26",
				"select * from posts where (userId = 3) and id >= 26",
			},
		},
		{
			name:  "placeholders, OR, three-part names and ORDER BY are kept",
			query: "SELECT p.id, p.title FROM Demo.API.posts p WHERE p.userId = ? OR p.id > 90 ORDER BY p.id", col: "p.id", lower: "1", upper: "100", n: 3,
			want: []string{
				"select p.id, p.title from `Demo`.`API`.posts as p where (p.userId = :v1 or p.id > 90) and (p.id < 34 or p.id is null) order by p.id asc",
				"select p.id, p.title from `Demo`.`API`.posts as p where (p.userId = :v1 or p.id > 90) and p.id >= 34 and p.id < 67 order by p.id asc",
				"select p.id, p.title from `Demo`.`API`.posts as p where (p.userId = :v1 or p.id > 90) and p.id >= 67 order by p.id asc",
			},
		},
		{
			name: "times", query: "SELECT * FROM todos", col: "dueDate", lower: jan(1), upper: "2024-01-31", n: 3,
			want: []string{
				"select * from todos where (dueDate < '2024-01-11T00:00:00Z' or dueDate is null)",
				"select * from todos where dueDate >= '2024-01-11T00:00:00Z' and dueDate < '2024-01-21T00:00:00Z'",
				"select * from todos where dueDate >= '2024-01-21T00:00:00Z'",
			},
		},
		{
			name: "floats", query: "SELECT * FROM t", col: "x", lower: -1.5, upper: 2.5, n: 4,
			want: []string{
				"select * from t where (x < -0.5 or x is null)",
				"select * from t where x >= -0.5 and x < 0.5",
				"select * from t where x >= 0.5 and x < 1.5",
				"select * from t where x >= 1.5",
			},
		},
		{
			name: "large floats", query: "SELECT * FROM t", col: "x", lower: 0.0, upper: 1e22, n: 2, notNull: true,
			want: []string{"select * from t where x < 5e+21", "select * from t where x >= 5e+21"},
		},
		{
			name: "int and float bounds", query: "SELECT * FROM t", col: "x", lower: 0, upper: 1.0, n: 2, notNull: true,
			want: []string{"select * from t where x < 0.5", "select * from t where x >= 0.5"},
		},
		{
			name: "an int range narrower than n", query: "SELECT * FROM t", col: "x", lower: 1, upper: 3, n: 10, notNull: true,
			want: []string{"select * from t where x < 2", "select * from t where x >= 2 and x < 3", "select * from t where x >= 3"},
		},
		{
			name: "one partition", query: "SELECT * FROM t", col: "x", lower: 1, upper: 100, n: 1,
			want: []string{"SELECT * FROM t"},
		},
		{
			name: "equal bounds", query: "SELECT * FROM t", col: "x", lower: 5, upper: 5, n: 4,
			want: []string{"SELECT * FROM t"},
		},
		{
			name: "extreme ints", query: "SELECT * FROM t", col: "x", lower: int64(-1 << 63), upper: int64(1<<63 - 1), n: 2, notNull: true,
			want: []string{"select * from t where x < 0", "select * from t where x >= 0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := restsql.Partitioning{Column: tt.col, Lower: tt.lower, Upper: tt.upper, N: tt.n, NotNull: tt.notNull}
			got, err := p.Split(tt.query)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			if !tt.notNull {
				same, err := restsql.Partitions(tt.query, tt.col, tt.lower, tt.upper, tt.n)
				require.NoError(t, err)
				assert.Equal(t, got, same)
			}
		})
	}
}

func TestPartitionsErrors(t *testing.T) {
	tests := []struct {
		query, col   string
		lower, upper any
		n            int
		want         string
	}{
		{"SELECT * FROM posts LIMIT 5", "id", 1, 9, 2, "LIMIT cannot be partitioned"},
		{"SELECT userId, COUNT(*) FROM posts GROUP BY userId", "userId", 1, 9, 2, "GROUP BY or aggregates"},
		{"SELECT MAX(id) FROM posts", "id", 1, 9, 2, "GROUP BY or aggregates"},
		{"SELECT DISTINCT userId FROM posts", "userId", 1, 9, 2, "DISTINCT cannot be partitioned"},
		{"SELECT id FROM posts UNION SELECT id FROM users", "id", 1, 9, 2, "one SELECT"},
		{"EXPLAIN SELECT id FROM posts", "id", 1, 9, 2, "EXPLAIN"},
		{"DELETE FROM posts", "id", 1, 9, 2, "one SELECT"},
		{"SELEC id FROM posts", "id", 1, 9, 2, "syntax error"},
		{"SELECT * FROM posts", "id; DROP", 1, 9, 2, `"id; DROP" is not a column name`},
		{"SELECT * FROM posts", "id + 1", 1, 9, 2, "is not a column name"},
		{"SELECT * FROM posts", "id AS x", 1, 9, 2, "is not a column name"},
		{"SELECT * FROM posts", "", 1, 9, 2, "is not a column name"},
		{"SELECT * FROM posts", "id", 1, 9, 0, "at least 1 partition"},
		{"SELECT * FROM posts", "id", 9, 1, 2, "lower bound 9 is above the upper bound 1"},
		{"SELECT * FROM posts", "id", 1, time.Now(), 2, "not of one type"},
		{"SELECT * FROM posts", "id", "a", "z", 2, `"a" is not a number or a time`},
		{"SELECT * FROM posts", "id", nil, 9, 2, "Lower and Upper are needed"},
	}
	for _, tt := range tests {
		_, err := restsql.Partitions(tt.query, tt.col, tt.lower, tt.upper, tt.n)
		require.Error(t, err, tt.query)
		assert.Contains(t, err.Error(), tt.want, tt.query)
	}
}

// partitionDemo opens restsql on a fresh demo API.
func partitionDemo(t *testing.T) (*sql.DB, *demoapi.Running) {
	t.Helper()
	return openDemo(t)
}

// scanStrings prints every row of rows ("NULL" for NULL).
func scanStrings(rows *sql.Rows) ([]string, error) {
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		cells := make([]string, len(vals))
		for i, v := range vals {
			switch x := v.(type) {
			case nil:
				cells[i] = "NULL"
			case time.Time:
				cells[i] = x.UTC().Format(time.RFC3339Nano)
			default:
				cells[i] = fmt.Sprint(x)
			}
		}
		out = append(out, strings.Join(cells, "|"))
	}
	return out, rows.Err()
}

// readPartitions runs the partition queries and returns each one's rows.
func readPartitions(t *testing.T, db *sql.DB, queries []string, args ...any) [][]string {
	t.Helper()
	parts := make([][]string, len(queries))
	var mu sync.Mutex
	err := restsql.QueryPartitions(context.Background(), db, queries, args, func(ctx context.Context, part int, rows *sql.Rows) error {
		got, err := scanStrings(rows)
		mu.Lock()
		parts[part] = got
		mu.Unlock()
		return err
	})
	require.NoError(t, err)
	return parts
}

func TestPartitionedReadEqualsTheWholeQuery(t *testing.T) {
	db, srv := partitionDemo(t)
	ctx := context.Background()
	tests := []struct {
		name  string
		query string
		args  []any
		p     restsql.Partitioning
		// pushed lists each partition's id_gte/id_lte parameters (when the
		// column is id), "" where there is none.
		pushed [][2]string
	}{
		{
			name: "key column: every range pushed", query: "SELECT id, userId, title FROM posts WHERE userId <= ?", args: []any{7},
			p:      restsql.Partitioning{Column: "id", N: 4},
			pushed: [][2]string{{"", "17"}, {"18", "35"}, {"36", "52"}, {"53", ""}}, // ids 1 to 70
		},
		{
			name: "given bounds, open ends", query: "SELECT id, title FROM posts", p: restsql.Partitioning{Column: "id", Lower: 40, Upper: 59, N: 2},
			pushed: [][2]string{{"", "49"}, {"50", ""}},
		},
		{
			name: "nullable column: NULLs in the first", query: "SELECT id, dueDate, completed FROM todos WHERE userId IN (1, 2, 3)",
			p: restsql.Partitioning{Column: "dueDate", N: 3},
		},
		{
			name: "a join, qualified column", query: "SELECT p.id, u.name FROM posts p JOIN users u ON u.id = p.userId WHERE u.id <= 4",
			p: restsql.Partitioning{Column: "p.id", N: 3},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, err := db.QueryContext(ctx, tt.query, tt.args...)
			require.NoError(t, err)
			whole, err := scanStrings(rows)
			require.NoError(t, err)
			require.NoError(t, rows.Close())
			require.NotEmpty(t, whole)

			queries, err := restsql.PartitionQueries(ctx, db, tt.query, tt.p, tt.args...)
			require.NoError(t, err)
			require.Len(t, queries, tt.p.N)
			srv.ResetRequests()
			parts := readPartitions(t, db, queries, tt.args...)
			var merged []string
			for _, p := range parts {
				merged = append(merged, p...)
			}
			sort.Strings(whole)
			sort.Strings(merged)
			assert.Equal(t, whole, merged, "the partitions hold the query's rows, once each")

			if tt.pushed == nil {
				return
			}
			// Each partition's requests carry its range.
			var got [][2]string
			for _, r := range srv.Requests() {
				got = append(got, [2]string{r.Query.Get("id_gte"), r.Query.Get("id_lte")})
				if len(tt.args) > 0 {
					assert.Equal(t, "7", r.Query.Get("userId_lte"), "the query's own filter is pushed too")
				}
			}
			slices.SortFunc(got, func(a, b [2]string) int { return strings.Compare(a[0]+"/"+a[1], b[0]+"/"+b[1]) })
			want := slices.Clone(tt.pushed)
			slices.SortFunc(want, func(a, b [2]string) int { return strings.Compare(a[0]+"/"+a[1], b[0]+"/"+b[1]) })
			assert.Equal(t, want, slices.Compact(got))
		})
	}
}

func TestPartitionQueriesWithoutValues(t *testing.T) {
	db, _ := partitionDemo(t)
	q := "SELECT id FROM posts WHERE userId = 99"
	queries, err := restsql.PartitionQueries(context.Background(), db, q, restsql.Partitioning{Column: "id", N: 4})
	require.NoError(t, err)
	assert.Equal(t, []string{q}, queries)
}

func TestQueryPartitionsStopsAtTheFirstError(t *testing.T) {
	db, _ := partitionDemo(t)
	queries := []string{"SELECT id FROM posts WHERE id < 50", "SELECT nope FROM posts WHERE id >= 50"}
	err := restsql.QueryPartitions(context.Background(), db, queries, nil, func(ctx context.Context, part int, rows *sql.Rows) error {
		_, err := scanStrings(rows)
		return err
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "partition 2 of 2")
	assert.Contains(t, err.Error(), "nope")

	err = restsql.QueryPartitions(context.Background(), db, queries[:1], nil, func(ctx context.Context, part int, rows *sql.Rows) error {
		return fmt.Errorf("disk full")
	})
	assert.ErrorContains(t, err, "partition 1 of 1: disk full")
}
