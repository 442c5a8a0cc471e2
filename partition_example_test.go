package restsql_test

import (
	"fmt"

	"github.com/restsql/restsql"
)

// Partitions splits a query the way Spark's JDBC reader splits a table:
// the first partition also takes the NULLs and everything below, the last
// everything above. Each predicate joins the query's own WHERE, so it is
// pushed to the API with it.
func ExamplePartitions() {
	queries, err := restsql.Partitions("SELECT id, title FROM posts WHERE userId = ?", "id", 1, 100, 3)
	if err != nil {
		panic(err)
	}
	for _, q := range queries {
		fmt.Println(q)
	}
	// Output:
	// select id, title from posts where (userId = :v1) and (id < 34 or id is null)
	// select id, title from posts where (userId = :v1) and id >= 34 and id < 67
	// select id, title from posts where (userId = :v1) and id >= 67
}
