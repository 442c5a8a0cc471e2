package discover_test

import (
	"fmt"
	"net/http"

	"github.com/restsql/restsql/discover"
)

// Infer analyses a response already at hand; Table fetches one first.
func ExampleInfer() {
	body := []byte(`{
	  "data": [
	    {"id": 1, "name": "Ann", "address": {"city": "Oslo"}, "tags": ["a"], "created_at": 1700000000},
	    {"id": 2, "name": "Bob", "address": {"city": "Rome"}, "tags": [], "created_at": 1700000100}
	  ],
	  "meta": {"next_cursor": "eyJpZCI6Mn0"}
	}`)
	res, err := discover.Infer(body, http.Header{}, "https://api.example.com/v1/users?limit=2", discover.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Print(string(res.YAML()))
	// Output:
	// # Discovered by restsql from GET https://api.example.com/v1/users?limit=2
	// # 2 rows (at data); columns inferred from 2 of them.
	// # Pagination: cursor, from the body's meta.next_cursor; the parameter that sends
	// #   it back, cursor, is a guess: check the API's documentation.
	// users:
	//   url: https://api.example.com/v1/users
	//   rows: data
	//   columns:
	//     - {name: id, type: int, key: true}
	//     - {name: name, type: string}
	//     - {name: addressCity, path: address.city, type: string}
	//     - {name: tags, type: json}
	//     - {name: created_at, type: datetime, format: unix}
	//   pagination: {type: cursor, sizeParam: limit, pageSize: 2, cursorPath: meta.next_cursor, cursorParam: cursor}
}
