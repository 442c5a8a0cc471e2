package openapi

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"sync"

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
// spec with thousands of tables is never printed in one piece. Batches are
// printed on up to GOMAXPROCS goroutines (a few batches ahead of the
// writer) and written in order. It does not change r.Profile.
func (r *Result) WriteYAML(w io.Writer) error {
	cat, catName, schemaName, schema, ok := r.single()
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
	// printBatch prints batch i: the whole profile with only the batch's
	// tables, cut to its tables after the first batch.
	printBatch := func(i int) ([]byte, error) {
		start := i * streamBatch
		batch := map[string]*catalog.Table{}
		for _, n := range names[start:min(start+streamBatch, len(names))] {
			batch[n] = schema.Tables[n]
		}
		s := *schema
		s.Tables = batch
		c := *cat
		c.Schemas = map[string]*catalog.Schema{schemaName: &s}
		p := *r.Profile
		p.Catalogs = map[string]*catalog.Catalog{catName: &c}
		comments := *r.Comments
		if start > 0 {
			comments.Head = nil
		}
		out, err := discover.MarshalProfile(&p, &comments)
		if err != nil {
			return nil, err
		}
		if start > 0 {
			// Only the tables, after the schema's "tables:" line, and
			// the blank line that separates them from the ones before.
			i := bytes.Index(out, []byte(tablesLine))
			if i < 0 {
				return nil, fmt.Errorf("openapi: print the profile: no tables: line in a batch")
			}
			out = append([]byte("\n"), out[i+len(tablesLine):]...)
		}
		return out, nil
	}
	batches := max(1, (len(names)+streamBatch-1)/streamBatch)
	workers := min(runtime.GOMAXPROCS(0), batches)
	if workers <= 1 {
		for i := range batches {
			out, err := printBatch(i)
			if err != nil {
				return err
			}
			if _, err := w.Write(out); err != nil {
				return err
			}
		}
		return nil
	}
	// Batch i's result arrives on results[i]; the semaphore keeps at most
	// 2*workers batches printed and not yet written.
	type result struct {
		out []byte
		err error
	}
	results := make([]chan result, batches)
	for i := range results {
		results[i] = make(chan result, 1)
	}
	ahead := make(chan struct{}, 2*workers)
	next := make(chan int)
	done := make(chan struct{})
	var wg sync.WaitGroup
	defer func() {
		close(done)
		wg.Wait()
	}()
	wg.Add(workers + 1)
	go func() {
		defer wg.Done()
		defer close(next)
		for i := range batches {
			select {
			case ahead <- struct{}{}:
			case <-done:
				return
			}
			select {
			case next <- i:
			case <-done:
				return
			}
		}
	}()
	for range workers {
		go func() {
			defer wg.Done()
			for i := range next {
				out, err := printBatch(i)
				results[i] <- result{out, err}
			}
		}()
	}
	for i := range batches {
		res := <-results[i]
		<-ahead
		if res.err != nil {
			return res.err
		}
		if _, err := w.Write(res.out); err != nil {
			return err
		}
	}
	return nil
}

// single returns the profile's one catalog and its one schema, with their
// names: the shape Generate makes, the only one WriteYAML streams.
func (r *Result) single() (cat *catalog.Catalog, catName, schemaName string, schema *catalog.Schema, ok bool) {
	if r.Profile == nil || len(r.Profile.Catalogs) != 1 {
		return nil, "", "", nil, false
	}
	for cn, c := range r.Profile.Catalogs {
		if c == nil || len(c.Schemas) != 1 {
			return nil, "", "", nil, false
		}
		for sn, s := range c.Schemas {
			if s != nil && len(s.Tables) > 0 {
				return c, cn, sn, s, true
			}
		}
	}
	return nil, "", "", nil, false
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
