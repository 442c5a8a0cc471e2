package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/restsql/restsql/openapi"
)

func runOpenAPI(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("openapi", flag.ContinueOnError)
	fs.SetOutput(stderr)
	catalogName := fs.String("catalog", "", "catalog name (default: from the document's info.title)")
	baseURL := fs.String("url", "", "base URL of the API (default: the document's first server)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: restsql openapi [--catalog NAME] [--url BASE] spec.yaml > profile.yaml")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("openapi needs one OpenAPI document (YAML or JSON; - reads standard input), e.g. restsql openapi spec.yaml > profile.yaml")
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
	res, err := openapi.Generate(doc, openapi.Options{Catalog: *catalogName, URL: *baseURL})
	if err != nil {
		return err
	}
	out, err := res.YAML()
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}
