package restsql_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/restsql/restsql"

// layers ranks every package of the module (paths relative to the module
// root, "" for the driver root): imports flow from a lower rank to a
// higher one, never back up or sideways. README.md's layout table
// describes the same rooms; a new package needs a rank here.
var layers = map[string]int{
	// Programs.
	"cmd/restsql": 0, "bench/cmd/restsql-bench": 0,
	"examples/etl": 0, "examples/query": 0, "examples/fixtures": 0,
	// Front ends and harnesses over the driver.
	"server": 1, "bench": 1, "restsqltest": 1, "openapi": 1,
	// The driver.
	"": 2,
	// High-water marks: the driver and the command line use them.
	"incremental": 3,
	// SQL: the planner plans, the executor runs operators.
	"planner":  4,
	"executor": 5,
	// Sources of rows, and profile tools beside them.
	"restsource": 6, "metadata": 6, "discover": 6,
	"internal/rowscan": 7, "export": 7, "demoapi": 7,
	// The table contract the planner plans against; sources implement it.
	"table": 7,
	// What sources use.
	"pagination": 8, "auth": 8, "retry/retrytest": 8,
	"retry": 9, "catalog": 9, "internal/value": 9, "httpcache": 9,
	"fixtures": 9, "internal/jsonserver": 9, "internal/difftest": 9,
	// The error codes every layer sets and reads.
	"internal/errcode": 10,
}

// forbidden are imports the layout rules out even where the ranks allow
// them: planner and executor plan against tables, not the REST source;
// the server maps errors by code, not by restsource's types; the driver
// root leaves SQL text to the planner.
var forbidden = [][2]string{
	{"planner", module + "/restsource"},
	{"executor", module + "/restsource"},
	{"server", module + "/restsource"},
	{"", "github.com/xwb1989/sqlparser"},
}

// knownExceptions are the forbidden imports that still exist, each until
// the work that removes it lands. The test fails when one is gone, so
// that it is dropped from this list.
var knownExceptions = [][2]string{}

// imports returns, by package (relative path), the packages its non-test
// files import, read with go/parser.
func imports(t *testing.T, withTests bool) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	err := filepath.WalkDir(".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := d.Name()
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || name == "testdata" || name == "node_modules") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(name, ".go") || (!withTests && strings.HasSuffix(name, "_test.go")) {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), p, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		pkg := filepath.ToSlash(filepath.Dir(p))
		if pkg == "." {
			pkg = ""
		}
		if _, ok := out[pkg]; !ok {
			out[pkg] = nil
		}
		for _, im := range f.Imports {
			ip, err := strconv.Unquote(im.Path.Value)
			if err != nil {
				return err
			}
			if !slices.Contains(out[pkg], ip) {
				out[pkg] = append(out[pkg], ip)
			}
		}
		return nil
	})
	require.NoError(t, err)
	return out
}

func rel(importPath string) (string, bool) {
	if importPath == module {
		return "", true
	}
	r, ok := strings.CutPrefix(importPath, module+"/")
	return r, ok
}

func TestLayout(t *testing.T) {
	_, err := os.Stat("go.mod")
	require.NoError(t, err, "the test runs from the module root")
	pkgs := imports(t, false)
	require.Contains(t, pkgs, "planner", "the walk found the module's packages")

	for pkg, ims := range pkgs {
		rank, ok := layers[pkg]
		if !assert.True(t, ok, "package %q has no rank in layers (layout_test.go) nor a row in README.md's layout table", pkg) {
			continue
		}
		for _, ip := range ims {
			dep, ours := rel(ip)
			if !ours {
				continue
			}
			depRank, ok := layers[dep]
			if !ok {
				continue // reported as its own package
			}
			assert.Less(t, rank, depRank, "%s (rank %d) imports %s (rank %d): imports flow down the layers", path.Join(module, pkg), rank, ip, depRank)
		}
	}
	assert.Empty(t, ourImports(pkgs["catalog"]), "catalog, the profile model, imports no other package of the module")
	assert.Subset(t, []string{module + "/catalog", module + "/internal/errcode", module + "/internal/value"}, ourImports(pkgs["table"]),
		"table, the contract every table implements, imports only the profile model, the error codes and the value conversions")

	present := map[[2]string]bool{}
	for _, f := range forbidden {
		if slices.Contains(pkgs[f[0]], f[1]) {
			present[f] = true
		}
	}
	for _, f := range forbidden {
		if slices.Contains(knownExceptions, f) {
			assert.True(t, present[f], "%q no longer imports %s: drop it from knownExceptions", f[0], f[1])
			continue
		}
		assert.False(t, present[f], "%q imports %s", f[0], f[1])
	}
}

// TestRootImportsNoSQLParser: not even the driver root's tests parse SQL
// themselves.
func TestRootImportsNoSQLParser(t *testing.T) {
	assert.NotContains(t, imports(t, true)[""], "github.com/xwb1989/sqlparser")
}

func ourImports(ims []string) []string {
	var out []string
	for _, ip := range ims {
		if _, ok := rel(ip); ok {
			out = append(out, ip)
		}
	}
	return out
}
