package openapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"
)

// version is a document's version fields.
type version struct {
	OpenAPI string `json:"openapi" yaml:"openapi"`
	Swagger string `json:"swagger" yaml:"swagger"`
}

// readVersion reads a document's openapi or swagger field and refuses a
// document that has neither 3.x nor 2.0.
func readVersion(data []byte) (version, error) {
	var v version
	var err error
	if isJSON(data) {
		err = json.Unmarshal(data, &v)
	}
	if !isJSON(data) || err != nil {
		var raw map[string]any
		if yerr := yaml.Unmarshal(data, &raw); yerr != nil {
			if err != nil {
				return v, fmt.Errorf("openapi: the document is neither JSON (%v) nor YAML (%v)", err, yerr)
			}
			return v, fmt.Errorf("openapi: the document is not YAML: %w", yerr)
		}
		v.OpenAPI, v.Swagger = scalarString(raw["openapi"]), scalarString(raw["swagger"])
	}
	switch {
	case v.OpenAPI == "3" || strings.HasPrefix(v.OpenAPI, "3."):
		return v, nil
	case v.Swagger == "2.0" || v.Swagger == "2":
		return v, nil
	case v.OpenAPI == "" && v.Swagger == "":
		return v, errors.New(`openapi: the document has no version: want openapi: 3.x (OpenAPI 3) or swagger: "2.0" (Swagger 2.0) at the top`)
	case v.Swagger != "":
		return v, fmt.Errorf(`openapi: swagger version %q is not supported: want "2.0", or an OpenAPI 3 document`, v.Swagger)
	}
	return v, fmt.Errorf("openapi: openapi version %q is not supported: want 3.x, or a Swagger 2.0 document", v.OpenAPI)
}

func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case int:
		return strconv.Itoa(v)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// loadSwagger2 converts a Swagger 2.0 document (JSON or YAML) to OpenAPI 3
// in process with kin-openapi's openapi2conv.
func loadSwagger2(loader *openapi3.Loader, data []byte) (*openapi3.T, error) {
	if !isJSON(data) {
		js, err := yamlToJSON(data)
		if err != nil {
			return nil, fmt.Errorf("openapi: Swagger 2.0: %w", err)
		}
		data = js
	}
	var doc2 openapi2.T
	if err := json.Unmarshal(data, &doc2); err != nil {
		return nil, fmt.Errorf("openapi: Swagger 2.0: %w", err)
	}
	doc, err := openapi2conv.ToV3(&doc2)
	if err != nil {
		return nil, fmt.Errorf("openapi: Swagger 2.0 conversion: %w", err)
	}
	if err := loader.ResolveRefsIn(doc, nil); err != nil {
		return nil, fmt.Errorf("openapi: Swagger 2.0: %w", err)
	}
	if ko, err := readKeyOrder(data); err == nil {
		ko.apply(doc)
	}
	if doc.Paths == nil || doc.Paths.Len() == 0 {
		return nil, errors.New("openapi: the document has no paths")
	}
	return doc, nil
}

// yamlToJSON rewrites a YAML document as JSON, keeping its key order.
func yamlToJSON(data []byte) ([]byte, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, err
	}
	w := &jsonWriter{limit: 16*len(data) + 1<<20}
	if err := w.write(&n, "", 0); err != nil {
		return nil, err
	}
	return w.b.Bytes(), nil
}

// jsonWriter writes YAML nodes as JSON, up to limit bytes (aliases could
// make a small document huge).
type jsonWriter struct {
	b     bytes.Buffer
	limit int
}

// write writes n, the value of key (for version fields, written as
// strings even when unquoted: swagger: 2.0).
func (w *jsonWriter) write(n *yaml.Node, key string, depth int) error {
	b := &w.b
	if depth > 500 {
		return errors.New("the document nests too deeply")
	}
	if b.Len() > w.limit {
		return errors.New("the document expands too much (YAML aliases)")
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			b.WriteString("null")
			return nil
		}
		return w.write(n.Content[0], "", depth+1)
	case yaml.AliasNode:
		return w.write(n.Alias, key, depth+1)
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			b.Write(k)
			b.WriteByte(':')
			if err := w.write(n.Content[i+1], n.Content[i].Value, depth+1); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := w.write(c, "", depth+1); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return err
		}
		if key == "swagger" || key == "version" || key == "openapi" {
			v = n.Value
		}
		switch v.(type) {
		case string, bool, int, int64, uint64, float64, nil:
		default:
			v = n.Value // timestamps and other tags: their text
		}
		js, err := json.Marshal(v)
		if err != nil {
			js, _ = json.Marshal(n.Value)
		}
		b.Write(js)
	default:
		b.WriteString("null")
	}
	return nil
}
