package pagination_test

import (
	"fmt"
	"net/http"

	"github.com/restsql/restsql/pagination"
)

func ExampleNextLink() {
	h := http.Header{}
	h.Add("Link", `<https://api.example.com/items?page=3>; rel="next", <https://api.example.com/items?page=9>; rel="last"`)
	next, ok := pagination.NextLink(h)
	fmt.Println(next, ok)
	// Output: https://api.example.com/items?page=3 true
}
