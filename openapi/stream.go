package openapi

import (
	"bytes"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/discover"
)

// streamBatch is how many tables WriteYAML prints at once.
var streamBatch = 64

// tablesLine is the line of the schema's tables: key in a printed profile
// (catalogs: > name: > schemas: > API: > tables:).
const tablesLine = "\n        tables:\n"

// WriteYAML writes what YAML returns, a batch of tables at a time, so a
// spec with thousands of tables is never printed in one piece. It swaps
// the tables of r.Profile's schema while it runs (and puts them back):
// do not read r.Profile meanwhile.
func (r *Result) WriteYAML(w io.Writer) error {
	schema, ok := r.single()
	if !ok {
		out, err := r.YAML()
		if err != nil {
			return err
		}
		_, err = w.Write(out)
		return err
	}
	names, err := yamlKeyOrder(schema.Tables)
	if err != nil {
		return err
	}
	tables := schema.Tables
	defer func() { schema.Tables = tables }()
	for start := 0; start == 0 || start < len(names); start += streamBatch {
		batch := map[string]*catalog.Table{}
		for _, n := range names[start:min(start+streamBatch, len(names))] {
			batch[n] = tables[n]
		}
		schema.Tables = batch
		comments := *r.Comments
		if start > 0 {
			comments.Head = nil
		}
		out, err := discover.MarshalProfile(r.Profile, &comments)
		if err != nil {
			return err
		}
		if start > 0 {
			// Only the tables, after the schema's "tables:" line, and
			// the blank line that separates them from the ones before.
			i := bytes.Index(out, []byte(tablesLine))
			if i < 0 {
				return fmt.Errorf("openapi: print the profile: no tables: line in a batch")
			}
			out = append([]byte("\n"), out[i+len(tablesLine):]...)
		}
		if _, err := w.Write(out); err != nil {
			return err
		}
	}
	return nil
}

// single returns the profile's one catalog and its one schema, the shape
// Generate makes; WriteYAML streams only that shape.
func (r *Result) single() (*catalog.Schema, bool) {
	if r.Profile == nil || len(r.Profile.Catalogs) != 1 {
		return nil, false
	}
	for _, c := range r.Profile.Catalogs {
		if c == nil || len(c.Schemas) != 1 {
			return nil, false
		}
		for _, s := range c.Schemas {
			if s != nil && len(s.Tables) > 0 {
				return s, true
			}
		}
	}
	return nil, false
}

// yamlKeyOrder returns a map's keys in the order the YAML encoder prints
// them.
func yamlKeyOrder(m map[string]*catalog.Table) ([]string, error) {
	keys := make(map[string]int, len(m))
	for k := range m {
		keys[k] = 0
	}
	var n yaml.Node
	if err := n.Encode(keys); err != nil {
		return nil, fmt.Errorf("openapi: print the profile: %w", err)
	}
	out := make([]string, 0, len(m))
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, n.Content[i].Value)
	}
	return out, nil
}
