package table_test

import (
	"context"
	"fmt"
	"io"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/table"
)

// A table in memory that applies "id IN" itself, as an API would: its
// answer to the planner's question, and a scan of the plan.
func ExampleMemory() {
	def := &catalog.Table{Name: "items", Columns: []*catalog.Column{
		{Name: "id", Type: catalog.TypeInt}, {Name: "name", Type: catalog.TypeString},
	}}
	m, err := table.NewMemory(def, [][]any{{int64(1), "apple"}, {int64(2), "banana"}, {int64(3), "cherry"}})
	if err != nil {
		panic(err)
	}
	m.Filters = map[string]table.Support{"id IN": table.Exact}

	q := table.Query{
		Predicates: []table.Predicate{
			{Column: "id", Op: "IN", Values: []any{int64(1), int64(3)}},
			{Column: "name", Op: "LIKE", Values: []any{"%e%"}},
		},
		Limit:   -1,
		Columns: []string{"name"},
	}
	d, _ := m.Supports(q)
	for i, f := range d.Filters {
		fmt.Printf("%s %s: %s", q.Predicates[i].Column, q.Predicates[i].Op, f.Support)
		if f.Reason != "" {
			fmt.Printf(" (%s)", f.Reason)
		}
		fmt.Println()
	}

	p, _ := m.PlanScan(q)
	rows, _ := p.Open(context.Background())
	defer rows.Close()
	row := make([]any, len(p.Columns()))
	for rows.Next(row) != io.EOF {
		fmt.Println(row[0])
	}
	// Output:
	// id IN: exact
	// name LIKE: unsupported (column name: the table does not apply LIKE)
	// apple
	// cherry
}
