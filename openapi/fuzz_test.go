package openapi

import (
	"strings"
	"testing"

	"github.com/restsql/restsql/catalog"
)

// FuzzImport feeds arbitrary documents to Generate: it must not panic,
// every error must name the package, and whatever it imports must print as
// YAML that loads as the same valid profile.
//
// Its seeds are small documents (the test specs are the golden tests'),
// so that an iteration is cheap and the fuzzer gets through many:
//
//	go test -run '^$' -fuzz FuzzImport -fuzztime 30s ./openapi/
func FuzzImport(f *testing.F) {
	for _, doc := range []string{
		string(spec(listOf("/a/{b}/c", "type: object\nproperties:\n  'x.y': {type: string}\n  '@z': {type: [integer, 'null']}\n", "- {name: 'x.y', in: query, schema: {type: string}}"))),
		string(spec(listOf("/things", "type: object\nproperties:\n  id: {type: integer}\n  at: {type: string, format: date-time}\n", "- {name: page, in: query, schema: {type: integer}}\n- {name: per_page, in: query, schema: {type: integer, maximum: 100}}\n- {name: sort, in: query, schema: {type: string, enum: [id, -id]}}\n- {name: q, in: query, required: true, schema: {type: string}}") +
			"/things/{thingId}:\n  get:\n    responses: {'200': {description: d, content: {application/json: {schema: {type: object, properties: {id: {type: integer}}}}}}}\n  patch:\n    responses: {'200': {description: d}}\n")),
		"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths:\n  /x:\n    get:\n      responses: {'200': {description: d, content: {application/json: {schema: {$ref: '#/components/schemas/A'}}}}}\ncomponents:\n  schemas:\n    A: {type: object, properties: {a: {$ref: '#/components/schemas/A'}, l: {type: array, items: {$ref: '#/components/schemas/A'}}}}\n",
		`{"openapi": "3.0.0", "info": {"title": "j", "version": "1"}, "paths": {"/v1/c": {"get": {"parameters": [{"name": "starting_after", "in": "query", "schema": {"type": "string"}}], "responses": {"200": {"description": "d", "content": {"application/json": {"schema": {"type": "object", "properties": {"object": {"type": "string"}, "has_more": {"type": "boolean"}, "data": {"type": "array", "items": {"allOf": [{"type": "object", "properties": {"id": {"type": "string"}}}]}}}}}}}}}}}}`,
		`{"swagger": "2.0", "info": {"title": "s", "version": "1"}, "host": "h.example", "basePath": "/v1", "paths": {"/Calls.json": {"get": {"produces": ["application/json"], "responses": {"200": {"description": "d", "schema": {"type": "object", "properties": {"calls": {"type": "array", "items": {"type": "object", "properties": {"sid": {"type": "string"}}}}, "next_page_uri": {"type": "string"}}}}}}}, "/Calls/{Sid}.json": {"get": {"parameters": [{"name": "Sid", "in": "path", "required": true, "type": "string"}], "responses": {"200": {"description": "d", "schema": {"type": "object", "properties": {"sid": {"type": "string"}}}}}}}}}`,
		"swagger: '2.0'\n",
		"{}",
	} {
		f.Add(doc)
	}
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
