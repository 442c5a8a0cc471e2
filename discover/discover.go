// Package discover writes a restsql profile table from one live response of
// a REST API, as a hosted connector's table editor does from a sample: it
// finds the repeated element (the array of rows), infers the columns, their
// gjson paths and their types from a sample of rows, and detects the
// pagination style from the response's body and headers.
//
// Table fetches a URL and analyses the response; Infer analyses a response
// already at hand. Both return a Result, which turns into a catalog.Table
// (Result.Table), a whole one-catalog profile (Result.Profile), or YAML ready
// to paste into a profile (Result.YAML, Result.ProfileYAML).
//
// The rules, in short:
//
//   - Rows: the body itself when it is an array; otherwise the largest array
//     of objects reachable through object keys, preferring the well-known
//     wrappers data, items, results, records and value when sizes tie; a
//     body that is one object with no array of objects is one row.
//   - Columns: nested objects are flattened into a.b.c paths named in
//     lowerCamel (address.city is addressCity); arrays are json columns.
//     Types are int, float, bool, string, datetime (RFC 3339 strings, or
//     epoch seconds or milliseconds when the field's name says it is a time)
//     and json; nulls do not count, and mixed types widen (int and float to
//     float, anything with a string to string). A field named id (or else
//     _id, or else the row's only *Id or *_id field), present and unique in
//     every row scanned, is the key.
//   - Pagination: a Link header with rel="next" is linkHeader; a body field
//     holding the next page's URL is nextURL; a cursor or page-token field is
//     cursor; offset/limit fields or parameters are offset; page/per_page
//     fields or parameters, or a total (a body field or X-Total-Count) are
//     page. A total and a has-more flag become stop rules.
//
// Secrets never reach the output: credentials given in Options.Auth, and
// headers or URL parameters whose names look secret, are written as ${Name}
// placeholders (Token, User, Password, APIKey, or the header's name).
package discover

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/tidwall/gjson"

	"github.com/restsql/restsql/auth"
	"github.com/restsql/restsql/catalog"
)

// DefaultRowScanDepth is the number of rows examined when
// Options.RowScanDepth is 0.
const DefaultRowScanDepth = 100

// DefaultTimeout bounds the request of Table when the client has no timeout
// and the context no deadline.
const DefaultTimeout = 60 * time.Second

// maxBodyBytes is the largest response body read (the driver's limit).
const maxBodyBytes = 64 << 20

// DefaultSchema is the schema of a profile written by Result.Profile.
const DefaultSchema = "API"

// Options configure a discovery.
type Options struct {
	// Name is the table's name. The default is the URL's last path segment
	// that is not an id (users for /v1/users, /users.json or /users/),
	// else the rows' wrapper key, else "rows".
	Name string
	// Catalog is the catalog's name in Result.Profile. The default is made
	// from the URL's host (Example for api.example.com, Local for an IP
	// address or localhost).
	Catalog string
	// Header holds headers sent with the request (Accept: application/json
	// is sent unless Header sets Accept). They are written into the profile,
	// those with a secret-looking name as ${NAME} placeholders.
	Header http.Header
	// Auth holds the request's credentials, as a profile's auth: block with
	// the values themselves (None, Basic, Bearer or APIKey). The profile
	// gets the same scheme with placeholders: ${User} and ${Password},
	// ${Token}, ${APIKey} — the DSN properties of the same names fill them.
	Auth *catalog.Auth
	// RowScanDepth is the number of rows examined to infer the columns
	// (DefaultRowScanDepth when 0; every row when negative).
	RowScanDepth int
}

// Result is what a discovery found. Its exported fields may be edited
// before calling Table, Profile or the YAML methods.
type Result struct {
	// URL is the URL that was fetched.
	URL *url.URL
	// Status is the response's status line ("200 OK"), "" for Infer.
	Status string
	// Name is the table's name.
	Name string
	// Catalog is the catalog's name for Profile.
	Catalog string
	// Rows is the gjson path of the repeated element ("" = the body).
	Rows string
	// RowCount is the number of rows in the response; Scanned the number
	// of them examined to infer the columns.
	RowCount, Scanned int
	// Columns are the inferred columns, in the order their fields first
	// appear. A Path equal to the Name is left empty.
	Columns []*catalog.Column
	// Params are the URL's query parameters that pagination does not send.
	Params map[string]string
	// Headers are the headers to send, secrets as placeholders.
	Headers map[string]string
	// Auth is the auth block for the profile, with placeholders (nil: none).
	Auth *catalog.Auth
	// Pagination is the detected pagination ({type: none} when none).
	Pagination *catalog.Pagination
	// Notes explain what was found and chosen, one sentence each; the YAML
	// methods print them as comments.
	Notes []string
	// ColumnNotes are remarks on single columns (mixed types, always
	// null), by column name; the YAML methods print them after the column.
	ColumnNotes map[string]string
}

// Table fetches rawURL with a GET request and infers a table from the
// response (see Infer). client nil means http.DefaultClient; the request is
// bounded by DefaultTimeout unless the context or the client already has a
// deadline. A status of 400 or more, a body that is not JSON, or one over
// 64 MiB is an error.
func Table(ctx context.Context, client *http.Client, rawURL string, opts Options) (*Result, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if client == nil {
		client = http.DefaultClient
	}
	if _, ok := ctx.Deadline(); !ok && client.Timeout == 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("discover: %w", err)
	}
	for name, values := range opts.Header {
		for _, v := range values {
			req.Header.Add(name, v)
		}
	}
	if req.Header.Get("Accept") == "" {
		req.Header.Set("Accept", "application/json")
	}
	authn, err := auth.New(opts.Auth, nil)
	if err != nil {
		return nil, fmt.Errorf("discover: %w", err)
	}
	if err := authn.Authenticate(req); err != nil {
		return nil, fmt.Errorf("discover: %w", err)
	}
	display := "GET " + displayURL(u)
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discover: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("discover: %s: reading the body: %w", display, err)
	}
	if len(body) > maxBodyBytes {
		return nil, fmt.Errorf("discover: %s: the body is over %d MiB", display, maxBodyBytes>>20)
	}
	if resp.StatusCode >= 400 {
		return nil, fmt.Errorf("discover: %s: %s: %s", display, resp.Status, excerpt(body))
	}
	if !gjson.ValidBytes(body) {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if ct == "" {
			ct = "none"
		}
		return nil, fmt.Errorf("discover: %s: the response is not JSON (Content-Type %s): %s", display, ct, excerpt(body))
	}
	res, err := infer(body, resp.Header, u, opts)
	if err != nil {
		return nil, fmt.Errorf("discover: %s: %w", display, err)
	}
	res.Status = resp.Status
	return res, nil
}

// Infer infers a table from a response already at hand: its body, headers
// (for the Link and total headers; nil means none) and the URL that
// answered it (for the table's name and url, and the pagination parameters
// it carries). Options.Header and Options.Auth are only written into the
// profile. The body must be JSON.
func Infer(body []byte, header http.Header, rawURL string, opts Options) (*Result, error) {
	u, err := parseURL(rawURL)
	if err != nil {
		return nil, err
	}
	if !gjson.ValidBytes(body) {
		return nil, fmt.Errorf("discover: the response is not JSON: %s", excerpt(body))
	}
	res, err := infer(body, header, u, opts)
	if err != nil {
		return nil, fmt.Errorf("discover: %s: %w", displayURL(u), err)
	}
	return res, nil
}

// parseURL reads an absolute http or https URL.
func parseURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimSpace(rawURL))
	if err != nil {
		return nil, fmt.Errorf("discover: %w", err)
	}
	if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("discover: %q is not an absolute http or https URL", rawURL)
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// errNoRows is returned when a response holds nothing to make rows of.
var errNoRows = errors.New("no rows")

// infer does the work of Infer and Table on valid JSON.
func infer(body []byte, header http.Header, u *url.URL, opts Options) (*Result, error) {
	if header == nil {
		header = http.Header{}
	}
	root := gjson.ParseBytes(body)
	found, err := findRows(root)
	if err != nil {
		return nil, err
	}
	depth := opts.RowScanDepth
	if depth == 0 {
		depth = DefaultRowScanDepth
	}
	sample := found.rows
	if depth > 0 && len(sample) > depth {
		sample = sample[:depth]
	}
	res := &Result{
		URL:         u,
		Rows:        found.path(),
		RowCount:    len(found.rows),
		Scanned:     len(sample),
		ColumnNotes: map[string]string{},
	}
	res.Notes = append(res.Notes, found.describe(len(sample)))
	cols, notes := inferColumns(sample)
	if len(cols) == 0 {
		return nil, fmt.Errorf("%w: the rows at %s have no fields to make columns of", errNoRows, found.where())
	}
	res.Columns = cols
	res.ColumnNotes = notes

	query := u.Query()
	pag, used, pnotes := detectPagination(root, found, header, query)
	res.Pagination = pag
	res.Notes = append(res.Notes, pnotes...)
	res.Params = map[string]string{}
	secretParams := false
	for name, values := range query {
		if used[name] || len(values) == 0 || name == "" {
			continue
		}
		if isSecretName(name) {
			res.Params[name] = "${" + placeholderName(name) + "}"
			secretParams = true
			continue
		}
		res.Params[name] = values[0]
		if len(values) > 1 {
			res.Notes = append(res.Notes, fmt.Sprintf("The URL parameter %s is repeated; only its first value is kept.", name))
		}
	}
	if secretParams {
		res.Notes = append(res.Notes, "URL parameters that look secret are written as ${…} placeholders.")
	}

	res.Headers, res.Auth = profileCredentials(opts.Header, opts.Auth)
	res.Name = opts.Name
	if res.Name == "" {
		res.Name = tableName(u, found)
	}
	res.Catalog = opts.Catalog
	if res.Catalog == "" {
		res.Catalog = catalogName(u.Hostname())
	}
	return res, nil
}

// profileCredentials returns the headers and auth block to write into a
// profile: secret-looking headers become placeholders, and an Authorization
// header with a Bearer or Basic value becomes an auth block when auth is
// nil.
func profileCredentials(h http.Header, a *catalog.Auth) (map[string]string, *catalog.Auth) {
	headers := map[string]string{}
	for name, values := range h {
		if len(values) == 0 {
			continue
		}
		canon := http.CanonicalHeaderKey(name)
		if canon == "Authorization" && a == nil {
			scheme, _, _ := strings.Cut(strings.TrimSpace(values[0]), " ")
			switch {
			case strings.EqualFold(scheme, catalog.AuthBearer):
				a = &catalog.Auth{Scheme: catalog.AuthBearer}
				continue
			case strings.EqualFold(scheme, catalog.AuthBasic):
				a = &catalog.Auth{Scheme: catalog.AuthBasic}
				continue
			}
		}
		if isSecretName(canon) {
			headers[canon] = "${" + placeholderName(canon) + "}"
		} else {
			headers[canon] = values[0]
		}
	}
	if a == nil {
		return headers, nil
	}
	scheme, ok := catalog.CanonicalAuthScheme(strings.TrimSpace(a.Scheme))
	if !ok {
		scheme = a.Scheme
	}
	out := &catalog.Auth{Scheme: scheme}
	switch scheme {
	case catalog.AuthNone:
		return headers, nil
	case catalog.AuthBasic, catalog.AuthDigest:
		out.User, out.Password = "${User}", "${Password}"
	case catalog.AuthBearer:
		out.Token = "${Token}"
	case catalog.AuthAPIKey:
		out.Key, out.Name, out.In = "${APIKey}", a.Name, a.In
	case catalog.AuthOAuth2:
		out.ClientID, out.ClientSecret = "${OAuthClientId}", "${OAuthClientSecret}"
		out.TokenURL, out.Scopes, out.GrantType = a.TokenURL, a.Scopes, a.GrantType
	}
	return headers, out
}

// isSecretName reports whether a header or parameter name looks like it
// carries a credential.
func isSecretName(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "authorization", "proxy-authorization", "cookie":
		return true
	}
	for _, w := range []string{"key", "token", "secret", "password", "passwd", "signature", "session", "auth", "credential"} {
		if strings.Contains(n, w) {
			return true
		}
	}
	return false
}

// placeholderName turns a header or parameter name into a ${} placeholder
// name an environment variable can hold: X-Api-Key is X_API_KEY.
func placeholderName(name string) string {
	var b strings.Builder
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	s := b.String()
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = "_" + s
	}
	return s
}

// displayURL is u for messages and comments: without a password, and with
// the values of secret-looking query parameters replaced by REDACTED.
func displayURL(u *url.URL) string {
	cp := *u
	if cp.RawQuery != "" {
		q := cp.Query()
		redacted := false
		for name := range q {
			if isSecretName(name) {
				q[name] = []string{"REDACTED"}
				redacted = true
			}
		}
		if redacted {
			cp.RawQuery = q.Encode()
		}
	}
	return cp.Redacted()
}

// excerpt returns about 200 bytes of a body for an error message.
func excerpt(body []byte) string {
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		cut := 200
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	if s == "" {
		return "(empty body)"
	}
	return s
}
