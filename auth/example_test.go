package auth_test

import (
	"fmt"
	"net/http"
	"os"

	"github.com/restsql/restsql/auth"
	"github.com/restsql/restsql/catalog"
)

func ExampleNew() {
	a, err := auth.New(&catalog.Auth{Scheme: "APIKey", Key: "${API_KEY}", Name: "api_key", In: "query"},
		func(s string) (string, error) { return os.Expand(s, func(string) string { return "k123" }), nil })
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest(http.MethodGet, "https://api.example.com/items?page=2", nil)
	if err := a.Authenticate(req); err != nil {
		panic(err)
	}
	fmt.Println(req.URL)
	fmt.Println(a) // never the key
	// Output:
	// https://api.example.com/items?page=2&api_key=k123
	// APIKey (query api_key)
}
