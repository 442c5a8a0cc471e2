package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/getkin/kin-openapi/openapi3"
)

// A JSON document is decoded with encoding/json rather than kin-openapi's
// YAML path, which keeps every node's position and takes ten times the
// memory of the document (Microsoft Graph's 20 MB spec took 2 GB). The
// document order that positions gave (of paths, and of each schema's
// properties) comes from keyOrder, read from the JSON's tokens, and is
// written into the loaded document as origins.

// isJSON reports whether a document is JSON: its first non-space byte is {.
func isJSON(data []byte) bool {
	data = bytes.TrimLeft(data, " \t\r\n\ufeff")
	return len(data) > 0 && data[0] == '{'
}

// keyOrder holds the key order of a JSON document's objects: the top-level
// paths object's keys, and for each "properties" object its keys, found by
// their set (sorted and joined with NUL).
type keyOrder struct {
	paths      []string
	properties map[string][]string
}

// readKeyOrder reads the key order of a JSON document.
func readKeyOrder(data []byte) (*keyOrder, error) {
	ko := &keyOrder{properties: map[string][]string{}}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	// stack holds, for each open object, its key in the parent (or "" in
	// an array) and the keys read so far.
	type frame struct {
		key    string
		object bool
		keys   []string
		// expectKey is set when the next string is a key.
		expectKey bool
	}
	var stack []*frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return ko, nil
		}
		if err != nil {
			return nil, err
		}
		var top *frame
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		// The key this value sits under, when the value is an object's.
		parentKey := ""
		if top != nil && top.object && !top.expectKey && len(top.keys) > 0 {
			parentKey = top.keys[len(top.keys)-1]
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{', '[':
				if top != nil && top.object {
					top.expectKey = true
				}
				stack = append(stack, &frame{key: parentKey, object: t == '{', expectKey: t == '{'})
			case '}', ']':
				f := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if f.object {
					switch {
					case f.key == "paths" && len(stack) == 1:
						ko.paths = f.keys
					case f.key == "properties" && len(f.keys) > 0:
						sig := signature(f.keys)
						if _, ok := ko.properties[sig]; !ok {
							ko.properties[sig] = f.keys
						}
					}
				}
			}
		default:
			if top != nil && top.object {
				if top.expectKey {
					s, _ := t.(string)
					top.keys = append(top.keys, s)
					top.expectKey = false
				} else {
					top.expectKey = true
				}
			}
		}
	}
}

func signature(keys []string) string {
	s := slices.Clone(keys)
	slices.Sort(s)
	return strings.Join(s, "\x00")
}

// loadJSON decodes a JSON document and resolves its references, then
// writes the document order into origins (see keyOrder).
func loadJSON(loader *openapi3.Loader, data []byte) (*openapi3.T, error) {
	// The key order is read while the document is decoded.
	var ko *keyOrder
	var koErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer recoverAs(&koErr)
		ko, koErr = readKeyOrder(data)
	}()
	doc, err := decodeJSON(data)
	<-done
	if err != nil {
		return nil, err
	}
	if koErr != nil {
		return nil, koErr
	}
	if err := loader.ResolveRefsIn(doc, nil); err != nil {
		return nil, err
	}
	ko.apply(doc)
	return doc, nil
}

// decodeJSON decodes a JSON document as openapi3.T's UnmarshalJSON does,
// but its paths apart, each path item on its own and up to GOMAXPROCS at
// once: kin-openapi decodes the whole paths object into generic maps and
// prints it again before it decodes the path items, which took a third of
// Microsoft Graph's import.
func decodeJSON(data []byte) (*openapi3.T, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, err
	}
	rawPaths, hasPaths := top["paths"]
	delete(top, "paths")
	rest, err := json.Marshal(top)
	if err != nil {
		return nil, err
	}
	doc := &openapi3.T{}
	if err := json.Unmarshal(rest, doc); err != nil {
		return nil, err
	}
	if !hasPaths || bytes.Equal(bytes.TrimSpace(rawPaths), []byte("null")) {
		return doc, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(rawPaths, &raw); err != nil {
		return nil, fmt.Errorf("paths: %w", err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	items := make([]*openapi3.PathItem, len(keys))
	errs := make([]error, len(keys))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(keys)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(keys) {
					return
				}
				if strings.HasPrefix(keys[i], "x-") {
					continue
				}
				items[i], errs[i] = decodePathItem(keys[i], raw[keys[i]])
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	doc.Paths = openapi3.NewPathsWithCapacity(len(keys))
	for i, k := range keys {
		if items[i] != nil {
			doc.Paths.Set(k, items[i])
		}
	}
	return doc, nil
}

// decodePathItem decodes one path item; a panic of the decoder is an
// error (it runs on a goroutine of its own, out of load's reach).
func decodePathItem(key string, raw []byte) (item *openapi3.PathItem, err error) {
	defer recoverAs(&err)
	item = &openapi3.PathItem{}
	if err := json.Unmarshal(raw, item); err != nil {
		return nil, fmt.Errorf("paths: %s: %w", key, err)
	}
	return item, nil
}

// recoverAs turns a panic into *err, as load does for the reader.
func recoverAs(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("the document could not be read: %v", r)
	}
}

// apply sets the origins properties and orderedPaths sort by.
func (ko *keyOrder) apply(doc *openapi3.T) {
	at := func(i int) *openapi3.Origin {
		return &openapi3.Origin{Key: &openapi3.Location{Line: i + 1, Column: 1}}
	}
	if doc.Paths != nil {
		for i, p := range ko.paths {
			if item := doc.Paths.Value(p); item != nil && item.Origin == nil {
				item.Origin = at(i)
			}
		}
	}
	seen := map[*openapi3.Schema]bool{}
	var schema func(ref *openapi3.SchemaRef)
	schema = func(ref *openapi3.SchemaRef) {
		if ref == nil || ref.Value == nil || seen[ref.Value] {
			return
		}
		s := ref.Value
		seen[s] = true
		if len(s.Properties) > 0 {
			keys := make([]string, 0, len(s.Properties))
			for k := range s.Properties {
				keys = append(keys, k)
			}
			for i, k := range ko.properties[signature(keys)] {
				if p := s.Properties[k]; p != nil && p.Origin == nil {
					p.Origin = at(i)
				}
			}
			for _, p := range s.Properties {
				schema(p)
			}
		}
		schema(s.Items)
		schema(s.Not)
		schema(s.AdditionalProperties.Schema)
		for _, group := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, part := range group {
				schema(part)
			}
		}
	}
	content := func(c openapi3.Content) {
		for _, mt := range c {
			if mt != nil {
				schema(mt.Schema)
			}
		}
	}
	param := func(p *openapi3.ParameterRef) {
		if p != nil && p.Value != nil {
			schema(p.Value.Schema)
			content(p.Value.Content)
		}
	}
	response := func(r *openapi3.ResponseRef) {
		if r != nil && r.Value != nil {
			content(r.Value.Content)
			for _, h := range r.Value.Headers {
				if h != nil && h.Value != nil {
					schema(h.Value.Schema)
				}
			}
		}
	}
	if c := doc.Components; c != nil {
		for _, s := range c.Schemas {
			schema(s)
		}
		for _, p := range c.Parameters {
			param(p)
		}
		for _, r := range c.Responses {
			response(r)
		}
		for _, b := range c.RequestBodies {
			if b != nil && b.Value != nil {
				content(b.Value.Content)
			}
		}
	}
	if doc.Paths == nil {
		return
	}
	for _, item := range doc.Paths.Map() {
		if item == nil {
			continue
		}
		for _, p := range item.Parameters {
			param(p)
		}
		for _, op := range item.Operations() {
			for _, p := range op.Parameters {
				param(p)
			}
			if op.RequestBody != nil && op.RequestBody.Value != nil {
				content(op.RequestBody.Value.Content)
			}
			if op.Responses != nil {
				for _, r := range op.Responses.Map() {
					response(r)
				}
			}
		}
	}
}
