package restsource

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/internal/rowscan"
)

// TestDropOtherKeys: the rows of a key's page whose key column holds
// another key are dropped, NULL keys are kept (they are filled), the rows
// from a bad one on are kept and the bad row's index follows.
func TestDropOtherKeys(t *testing.T) {
	day := time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)
	fills := []fill{{idx: 0, value: "octocat"}, {idx: 2, value: int64(3)}}
	pg := rowscan.Page{N: 6, Bad: 5, Vals: []any{
		"octocat", "a", int64(3),
		"OctoCat", "b", int64(3), // another spelling: dropped
		nil, "c", int64(3), // missing: filled later
		"octocat", "d", float64(3),
		"octocat", "e", int64(4), // another number: dropped
		"OCTOCAT", "f", int64(3), // the bad row: not judged
	}}
	dropOtherKeys(&pg, fills, 3)
	assert.Equal(t, 4, pg.N)
	assert.Equal(t, 3, pg.Bad)
	assert.Equal(t, []any{
		"octocat", "a", int64(3),
		nil, "c", int64(3),
		"octocat", "d", float64(3),
		"OCTOCAT", "f", int64(3),
	}, pg.Vals)

	for _, tt := range []struct {
		v, key any
		other  bool
	}{
		{"a", "a", false}, {"a", "A", true}, {int64(1), float64(1), false}, {float64(1.5), int64(1), true},
		{true, true, false}, {false, true, true}, {day, day.In(time.FixedZone("", 3600)), false}, {day, day.Add(time.Second), true},
		{"1", int64(1), false}, // not judged across types
	} {
		assert.Equal(t, tt.other, otherKey(tt.v, tt.key), "%v vs key %v", tt.v, tt.key)
	}
}

// TestKeyColumnIsReadForTheCheck: a placeholder's column that the query
// does not name is still read (and asked for through select:), so that a
// row of another key can be told; Columns stays the query's.
func TestKeyColumnIsReadForTheCheck(t *testing.T) {
	tbl := &catalog.Table{Name: "repos", URL: "/users/{owner}/repos", Select: &catalog.Select{Param: "fields", Join: ","},
		Columns: []*catalog.Column{{Name: "name", Type: catalog.TypeString}, {Name: "owner", Type: catalog.TypeString}}}
	cat := &catalog.Catalog{Name: "C", URL: "http://api.test"}
	s := newSource(t, cat, tbl, Options{})
	p, err := s.Plan(Query{Limit: -1, Columns: []string{"name"}, Predicates: []Predicate{{Column: "owner", Op: "=", Values: []any{"Hubot"}}}})
	require.NoError(t, err)
	assert.Equal(t, []string{"GET http://api.test/users/Hubot/repos?fields=name%2Cowner"}, p.Requests())
	require.Len(t, p.Columns(), 1)
	assert.Equal(t, "name", p.Columns()[0].Name)
}
