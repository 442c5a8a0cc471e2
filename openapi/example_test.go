package openapi_test

import (
	"fmt"

	"github.com/restsql/restsql/openapi"
)

func ExampleGenerate() {
	doc := []byte(`
openapi: 3.0.3
info: {title: Pet Store, version: "1"}
servers: [{url: "https://pets.example.com/v1"}]
security: [{key: []}]
paths:
  /pets:
    get:
      parameters:
        - {name: species, in: query, schema: {type: string}}
        - {name: page, in: query, schema: {type: integer}}
        - {name: per_page, in: query, schema: {type: integer, default: 20}}
      responses:
        "200":
          description: A page of pets.
          content:
            application/json:
              schema:
                type: object
                properties:
                  data: {type: array, items: {$ref: "#/components/schemas/Pet"}}
                  total: {type: integer}
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-API-Key}
  schemas:
    Pet:
      type: object
      properties:
        id: {type: integer}
        name: {type: string}
        species: {type: string}
        born: {type: string, format: date-time}
        owner: {type: object, properties: {name: {type: string}}}
`)
	res, err := openapi.Generate(doc, openapi.Options{Catalog: "Pets"})
	if err != nil {
		panic(err)
	}
	out, err := res.YAML()
	if err != nil {
		panic(err)
	}
	fmt.Print(string(out))
	// Output:
	// # restsql profile imported from Pet Store 1 (OpenAPI 3.0.3).
	// # Auth: security scheme key; the placeholders are filled from the DSN's
	// #   properties of the same names, a SecretsFile or the environment.
	// catalogs:
	//   Pets:
	//     description: Pet Store
	//     url: https://pets.example.com/v1
	//     auth: {scheme: APIKey, key: "${APIKey}", name: X-API-Key, in: header}
	//     headers: {Accept: application/json}
	//     schemas:
	//       API:
	//         tables:
	//           # GET /pets.
	//           # Pagination: page, with page and pages of 20 (per_page).
	//           pets:
	//             url: /pets
	//             rows: data
	//             columns:
	//               - {name: id, type: int, key: true}
	//               - {name: name, type: string}
	//               - name: species
	//                 type: string
	//                 filters:
	//                   "=": {param: species}
	//               - {name: born, type: datetime}
	//               - {name: ownerName, path: owner.name, type: string}
	//             pagination: {type: page, pageParam: page, sizeParam: per_page, pageSize: 20, totalPath: total}
}
