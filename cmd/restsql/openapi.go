package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"strings"

	flag "github.com/spf13/pflag"

	"github.com/restsql/restsql/openapi"
)

func runOpenAPI(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("openapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	catalogName := fs.String("catalog", "", "catalog name (default: from the document's info.title)")
	baseURL := fs.String("url", "", "base URL of the API (default: the document's first server)")
	var tags, paths listFlag
	fs.Var(&tags, "tag", "import only the operations with this tag (repeatable, or comma-separated)")
	fs.Var(&paths, "path", "import only the paths matching this glob: * within a segment, ** across (repeatable)")
	maxColumns := fs.Int("max-columns", openapi.DefaultMaxColumns, "at most this many columns per table: deeper nested objects become json columns (-1: no bound)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: restsql openapi [--catalog NAME] [--url BASE] [--tag TAG] [--path GLOB] [--max-columns N] spec.yaml > profile.yaml")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usagef("openapi needs one OpenAPI document (YAML or JSON; - reads standard input), e.g. restsql openapi spec.yaml > profile.yaml")
	}
	var doc []byte
	if pos[0] == "-" {
		doc, err = io.ReadAll(os.Stdin)
	} else {
		doc, err = os.ReadFile(pos[0])
	}
	if err != nil {
		return fmt.Errorf("openapi: %w", err)
	}
	// A large spec allocates several times its size while it is imported
	// and printed (Microsoft Graph's 20 MB spec: 5 GB), and the collector,
	// at its default pace, took a quarter of the time: it runs less often
	// here, under a soft memory limit that keeps the peak under 1 GB.
	// GOGC or GOMEMLIMIT in the environment keep their say.
	if os.Getenv("GOGC") == "" && os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(400))
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(openAPIMemoryLimit))
	}
	res, err := openapi.Generate(doc, openapi.Options{Catalog: *catalogName, URL: *baseURL, Tags: tags, Paths: paths, MaxColumns: *maxColumns})
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	if err := res.WriteYAML(w); err != nil {
		return err
	}
	return w.Flush()
}

// openAPIMemoryLimit is restsql openapi's soft memory limit (see
// runOpenAPI).
const openAPIMemoryLimit = 700 << 20

// listFlag is a repeatable flag whose values may also be comma-separated.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// Type implements pflag.Value.
func (l *listFlag) Type() string { return "strings" }
