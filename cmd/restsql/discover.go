package main

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	flag "github.com/spf13/pflag"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/discover"
)

// headerFlags collects repeated --header 'Name: value' flags.
type headerFlags struct{ h http.Header }

func (f *headerFlags) String() string { return "" }

// Type implements pflag.Value.
func (f *headerFlags) Type() string { return "'Name: value'" }

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
// flags. Its errors are usage errors.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	if err := parseFlags(fs, args); err != nil {
		return nil, err
	}
	return fs.Args(), nil
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
		return usagef("discover needs one URL, e.g. restsql discover https://api.example.com/v1/users")
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
	wait := newWaitLine(stderr, "discover: GET "+redactError(errors.New(pos[0]), secretsOf(opts.Auth)).Error())
	res, err := discover.Table(ctx, client, pos[0], opts)
	wait.stop()
	if err != nil {
		// An API may echo the credentials in its error body, as the
		// driver's errors do not show them, neither does discover.
		return redactError(err, secretsOf(opts.Auth))
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

// secretsOf lists the values of an auth that no output may show: the
// token, password and key as given, and the Basic header's encoding.
func secretsOf(a *catalog.Auth) []string {
	if a == nil {
		return nil
	}
	var s []string
	for _, v := range []string{a.Token, a.Password, a.Key} {
		if v != "" {
			s = append(s, v, url.QueryEscape(v))
		}
	}
	if a.User != "" || a.Password != "" {
		s = append(s, base64.StdEncoding.EncodeToString([]byte(a.User+":"+a.Password)))
	}
	return s
}

// minRedacted is the shortest secret redacted by value: a shorter one
// would hide ordinary text.
const minRedacted = 4

// redactError replaces every secret value in err's message with ***.
func redactError(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	red := msg
	// Longest first, so a secret that contains another is hidden whole.
	sort.Slice(secrets, func(i, j int) bool { return len(secrets[i]) > len(secrets[j]) })
	for _, s := range secrets {
		if len(s) >= minRedacted {
			red = strings.ReplaceAll(red, s, "***")
		}
	}
	if red == msg {
		return err
	}
	return &redactedError{msg: red, cause: err}
}

// redactedError is an error whose message hides secrets; errors.Is and
// errors.As still see the cause.
type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }
func (e *redactedError) Unwrap() error { return e.cause }
