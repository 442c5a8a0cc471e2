package auth_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
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

// Do sends a request with Digest credentials: the first attempt gets the
// server's challenge in a 401, and the request goes again with the answer.
func ExampleDo() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") == "" {
			w.Header().Set("WWW-Authenticate", `Digest realm="api", nonce="abc", qop="auth"`)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		fmt.Fprintln(w, `[{"id":1}]`)
	}))
	defer srv.Close()
	a, err := auth.New(&catalog.Auth{Scheme: "Digest", User: "ann", Password: "${PW}"},
		func(s string) (string, error) { return os.Expand(s, func(string) string { return "s3cret" }), nil })
	if err != nil {
		panic(err)
	}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/items", nil)
	resp, err := auth.Do(nil, a, req)
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Print(resp.StatusCode, " ", string(body))
	// Output: 200 [{"id":1}]
}
