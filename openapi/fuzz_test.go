package openapi

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/restsql/restsql/catalog"
)

// FuzzImport feeds arbitrary documents to Generate: it must not panic,
// every error must name the package, and whatever it imports must print as
// YAML that loads as the same valid profile.
func FuzzImport(f *testing.F) {
	for _, name := range []string{"jsonplaceholder.yaml", "helpdesk.yaml", "inventory.json"} {
		doc, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(string(doc))
	}
	f.Add(string(spec(listOf("/a/{b}/c", "type: object\nproperties:\n  'x.y': {type: string}\n  '@z': {type: [integer, 'null']}\n", "- {name: 'x.y', in: query, schema: {type: string}}"))))
	f.Add("openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses: {'200': {description: d, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}\ncomponents:\n  schemas:\n    A: {type: object, properties: {a: {$ref: '#/components/schemas/A'}, l: {type: array, items: {$ref: '#/components/schemas/A'}}}}\n")
	f.Add("swagger: '2.0'\n")
	f.Add("{}")
	f.Fuzz(func(t *testing.T, doc string) {
		res, err := Generate([]byte(doc), Options{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "openapi: ") {
				t.Fatalf("error without the package's prefix: %v", err)
			}
			return
		}
		out, err := res.YAML()
		if err != nil {
			t.Fatalf("YAML: %v", err)
		}
		if _, err := catalog.Parse(out, "fuzz.yaml"); err != nil {
			t.Fatalf("the imported profile does not load: %v\n%s", err, out)
		}
	})
}

// FuzzFragments wraps fragments in a document, so the fuzzer mutates a
// response schema, a GET's parameters and an item path rather than YAML
// syntax: the same checks as FuzzImport.
func FuzzFragments(f *testing.F) {
	f.Add("/orgs/{org}/migrations", "type: object\nproperties:\n  id: {type: integer}\n  exclude: {type: array, items: {type: string}}\n", "- {name: exclude, in: query, schema: {type: array, items: {type: string}}}")
	f.Add("/a/{b}/c", "type: object\nproperties:\n  'x.y': {type: string}\n  '@z': {type: [integer, 'null']}\n", "- {name: 'x.y', in: query, schema: {type: string}}")
	f.Add("/things", "type: object\nproperties:\n  id: {type: string}\n  at: {type: string, format: date-time}\n", "- {name: since, in: query, schema: {type: string, format: date-time}}\n- {name: page, in: query, schema: {type: integer}}\n- {name: sort, in: query, schema: {type: string, enum: [id, -id]}}")
	f.Add("/Users", "type: object\nproperties:\n  id: {type: integer}\n", "- {name: id, in: query, required: true, schema: {type: array, items: {type: integer}}, explode: false}")
	f.Fuzz(func(t *testing.T, path, item, params string) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(path, "\n:'\"#") {
			return
		}
		doc := spec(listOf(path, item, params) + listOf(path+"/{id}", item, ""))
		res, err := Generate(doc, Options{})
		if err != nil {
			if !strings.HasPrefix(err.Error(), "openapi: ") {
				t.Fatalf("error without the package's prefix: %v", err)
			}
			return
		}
		out, err := res.YAML()
		if err != nil {
			t.Fatalf("YAML: %v", err)
		}
		if _, err := catalog.Parse(out, "fuzz.yaml"); err != nil {
			t.Fatalf("the imported profile does not load: %v\n%s", err, out)
		}
	})
}
