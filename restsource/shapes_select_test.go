package restsource

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSelectNamesTheEachArrayAlways: a query that reads only ^. columns
// (or counts rows) still needs the each: array, which says how many rows
// each order gives. Found by TestRandomShapes (seed 146): fields=id,total
// made every order one row under keepEmpty and none without it.
func TestSelectNamesTheEachArrayAlways(t *testing.T) {
	cat, tbl := loadTable(t, shopifyProfile, "Shopify", "Shopify", "order_lines")
	srv, rc := serve(t, shopifyOrders)
	s := newSource(t, cat, tbl, Options{BaseURL: srv.URL, PageSize: 50})
	rows, _ := scanAll(t, s, Query{Limit: -1, Columns: []string{"order_id", "financial_status"}})
	// One row per line: order 3 has two, order 2 none.
	assert.Equal(t, [][]any{{int64(1), "paid"}, {int64(3), "paid"}, {int64(3), "paid"}, {int64(4), "refunded"}, {int64(5), "paid"}}, rows)
	require.Equal(t, 1, rc.count())
	assert.Equal(t, "id,financial_status,line_items", rc.all()[0].Query.Get("fields"))

	// No column at all (COUNT(*)): nothing is selected, the API answers
	// whole orders.
	srv, rc = serve(t, shopifyOrders)
	s = newSource(t, cat, tbl, Options{BaseURL: srv.URL, PageSize: 50})
	rows, _ = scanAll(t, s, Query{Limit: -1, Columns: []string{}})
	assert.Len(t, rows, 5)
	require.Equal(t, 1, rc.count())
	assert.False(t, rc.all()[0].Query.Has("fields"))
}
