package catalog

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestWriteSettings(t *testing.T) {
	p, err := Parse([]byte(profileWithTable(`url: /items
columns: [{name: id, type: int}, {name: name}]
insert: {method: post, url: /items, wrap: data.attributes, batch: {url: /items/bulk, rows: records, size: 50}}
update: {method: put, url: "/items/{id}"}
`)), "api.yaml")
	require.NoError(t, err)
	tbl, _ := p.Catalogs["A"].Schemas["S"].Table("t")
	assert.Equal(t, &Write{Method: "POST", URL: "/items", Wrap: "data.attributes", Batch: Batch{URL: "/items/bulk", Rows: "records", Size: 50}}, tbl.Insert)
	assert.Equal(t, &Write{Method: "PUT", URL: "/items/{id}"}, tbl.Update)
	assert.True(t, tbl.Update.Batch.IsZero())
	assert.False(t, tbl.Insert.Batch.IsZero())

	// A clone does not share the batch settings.
	cp := p.Clone()
	ctbl, _ := cp.Catalogs["A"].Schemas["S"].Table("t")
	ctbl.Insert.Batch.Size = 1
	assert.Equal(t, 50, tbl.Insert.Batch.Size)
}

func TestWriteSettingsErrors(t *testing.T) {
	_, err := Parse([]byte(profileWithTable(`url: /items
columns: [{name: id, type: int}]
insert: {method: POST, wrap: "data.*", batch: {url: "/bulk/{tenant}", rows: "a..b", size: -1}}
update: {method: PATCH, url: "/items/{id}", batch: {size: 10}}
delete: {method: DELETE, url: "/items/{id}", wrap: "x|y"}
`)), "api.yaml")
	require.Error(t, err)
	assert.Equal(t, `catalog: profile api.yaml:10:36: catalog A: schema S: table t: insert: wrap: path "data.*" cannot be written: "*" selects or transforms (a write needs plain keys such as a.b.c)
catalog: profile api.yaml:10:60: catalog A: schema S: table t: insert: batch: url: placeholder {tenant} is not a column of the table
catalog: profile api.yaml:10:83: catalog A: schema S: table t: insert: batch: rows: path "a..b" has an empty key
catalog: profile api.yaml:10:97: catalog A: schema S: table t: insert: batch: size: size -1 is negative (want 1 or more, or 0 for 100)
catalog: profile api.yaml:11:57: catalog A: schema S: table t: update: batch: batch is for insert only
catalog: profile api.yaml:12:58: catalog A: schema S: table t: delete: wrap: path "x|y" cannot be written: "|" selects or transforms (a write needs plain keys such as a.b.c)`, err.Error())

	_, err = Parse([]byte(profileWithTable(`url: /items
columns: [{name: id}]
insert: {method: POST, batch: {sise: 10}}
`)), "api.yaml")
	assert.EqualError(t, err, `catalog: profile api.yaml: line 10: catalog A: schema S: table t: insert: batch: unknown field "sise" (did you mean "size"?)`)
}

func TestCheckWritePath(t *testing.T) {
	for _, ok := range []string{"a", "a.b.c", "tags.0", `a\.b`, "x.:1", "snake_case.camelCase", "a-b"} {
		assert.NoError(t, CheckWritePath(ok), ok)
	}
	tests := map[string]string{
		"":         "path is empty",
		".a":       `path ".a" has an empty key`,
		"a.":       `path "a." has an empty key`,
		"a..b":     `path "a..b" has an empty key`,
		`a\`:       `path "a\\" ends with a lone \`,
		"tags.#":   `path "tags.#" cannot be written: "#" selects or transforms (a write needs plain keys such as a.b.c)`,
		"a.*":      `path "a.*" cannot be written: "*" selects or transforms`,
		"@this":    `path "@this" cannot be written`,
		"a|b":      `path "a|b" cannot be written`,
		`#(x=1).y`: `path "#(x=1).y" cannot be written`,
	}
	for path, want := range tests {
		err := CheckWritePath(path)
		require.Error(t, err, path)
		assert.Contains(t, err.Error(), want, path)
	}
}
