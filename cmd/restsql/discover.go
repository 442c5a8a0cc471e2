package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/discover"
)

// headerFlags collects repeated --header 'Name: value' flags.
type headerFlags struct{ h http.Header }

func (f *headerFlags) String() string { return "" }

func (f *headerFlags) Set(s string) error {
	name, value, ok := strings.Cut(s, ":")
	name = strings.TrimSpace(name)
	if !ok || name == "" || strings.ContainsAny(name, " \t") {
		return fmt.Errorf("want 'Name: value', got %q", s)
	}
	if f.h == nil {
		f.h = http.Header{}
	}
	f.h.Add(name, strings.TrimSpace(value))
	return nil
}

// parseInterspersed parses flags that may come before or after the
// positional arguments, and returns the positional arguments. "--" ends the
// flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

func runDiscover(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("discover", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var headers headerFlags
	fs.Var(&headers, "header", "request header 'Name: value' (repeatable)")
	bearer := fs.String("auth-bearer", "", "Bearer token to send")
	basic := fs.String("auth-basic", "", "Basic credentials USER:PASS to send")
	apiKey := fs.String("api-key", "", "API key NAME=VALUE to send (a header unless --api-key-in query)")
	apiKeyIn := fs.String("api-key-in", "header", "where --api-key goes: header or query")
	name := fs.String("name", "", "table name (default: from the URL's path)")
	catalogName := fs.String("catalog", "", "catalog name with --profile (default: from the URL's host)")
	profile := fs.Bool("profile", false, "print a whole profile (catalog, schema API, table) instead of one table")
	rows := fs.Int("rows", discover.DefaultRowScanDepth, "rows examined to infer the columns (RowScanDepth)")
	timeout := fs.Duration("timeout", discover.DefaultTimeout, "time limit of the request")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: restsql discover [--header 'K: V']... [--auth-bearer TOKEN | --auth-basic USER:PASS | --api-key NAME=VALUE] [--name TABLE] [--profile] URL")
		fs.PrintDefaults()
	}
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return errors.New("discover needs one URL, e.g. restsql discover https://api.example.com/v1/users")
	}
	opts := discover.Options{Name: *name, Catalog: *catalogName, Header: headers.h, RowScanDepth: *rows}
	if *rows <= 0 {
		return fmt.Errorf("--rows must be positive, got %d", *rows)
	}
	set := 0
	if *bearer != "" {
		set++
		opts.Auth = &catalog.Auth{Scheme: catalog.AuthBearer, Token: *bearer}
	}
	if *basic != "" {
		set++
		user, pass, ok := strings.Cut(*basic, ":")
		if !ok || user == "" {
			return errors.New("--auth-basic wants USER:PASS")
		}
		opts.Auth = &catalog.Auth{Scheme: catalog.AuthBasic, User: user, Password: pass}
	}
	if *apiKey != "" {
		set++
		keyName, value, ok := strings.Cut(*apiKey, "=")
		if !ok || keyName == "" || value == "" {
			return errors.New("--api-key wants NAME=VALUE, e.g. --api-key X-API-Key=abc123")
		}
		in := strings.ToLower(*apiKeyIn)
		if in != "header" && in != "query" {
			return fmt.Errorf("--api-key-in: want header or query, got %q", *apiKeyIn)
		}
		opts.Auth = &catalog.Auth{Scheme: catalog.AuthAPIKey, Key: value, Name: keyName, In: in}
	}
	if set > 1 {
		return errors.New("give only one of --auth-bearer, --auth-basic and --api-key")
	}
	client := &http.Client{Timeout: *timeout}
	res, err := discover.Table(ctx, client, pos[0], opts)
	if err != nil {
		return err
	}
	out := res.YAML()
	if *profile {
		out = res.ProfileYAML()
	}
	_, err = stdout.Write(out)
	if err == nil && *profile {
		fmt.Fprintf(stderr, "query it with: restsql query --dsn 'Profile=profile.yaml%s' \"SELECT * FROM %s LIMIT 10\"\n", dsnCredentials(res.Auth), res.Name)
	}
	return err
}

// dsnCredentials is the part of a DSN that fills a discovered profile's
// auth placeholders, for the hint printed after a profile.
func dsnCredentials(a *catalog.Auth) string {
	if a == nil {
		return ""
	}
	switch a.Scheme {
	case catalog.AuthBasic, catalog.AuthDigest:
		return ";User=…;Password=…"
	case catalog.AuthBearer:
		return ";Token=…"
	case catalog.AuthAPIKey:
		return ";APIKey=…"
	}
	return ""
}
