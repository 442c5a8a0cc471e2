// Package catalog is restsql's model of a profile: the catalogs (API
// connections), schemas and tables (endpoints) that SQL names, with their
// columns, pushdown filters, pagination and auth settings.
//
// It loads profiles from YAML or JSON, validates them (every mistake names the
// file, the table and the field) and resolves ${Name} placeholders through a
// caller-supplied lookup. It imports none of restsql's other packages.
package catalog

// Profile is a loaded profile: a set of catalogs keyed by name.
type Profile struct {
	// Path is the file the profile came from ("" for profiles built in Go).
	Path string `yaml:"-" json:"-"`
	// Catalogs by name. Lookups through Profile.Catalog are case-insensitive.
	Catalogs map[string]*Catalog `yaml:"catalogs" json:"catalogs"`
}

// Catalog is one API connection: base URL, auth, headers, default
// pagination, and the schemas holding its tables.
type Catalog struct {
	// Name is filled in from the profile's map key.
	Name        string `yaml:"-" json:"-"`
	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	URL         string `yaml:"url" json:"url"`
	// Ping is the URL that db.Ping requests (with the catalog's auth and
	// headers) to check that the API answers: absolute, or a path under
	// URL. Without it, Ping checks that URL's host answers HTTP at all.
	Ping    string            `yaml:"ping,omitempty" json:"ping,omitempty"`
	Auth    *Auth             `yaml:"auth,omitempty" json:"auth,omitempty"`
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// Params are URL parameters sent with every request of the catalog.
	Params     map[string]string `yaml:"params,omitempty" json:"params,omitempty"`
	Pagination *Pagination       `yaml:"pagination,omitempty" json:"pagination,omitempty"`
	// ErrorWhen makes a successful (2xx) response whose body matches it an
	// error: APIs such as Slack answer 200 with {"ok": false, ...}.
	ErrorWhen *ErrorWhen `yaml:"errorWhen,omitempty" json:"errorWhen,omitempty"`
	// RateLimit names the response headers that tell the requests left and
	// when the window resets, so a request refused for the rate limit is
	// sent again after the reset.
	RateLimit *RateLimit         `yaml:"rateLimit,omitempty" json:"rateLimit,omitempty"`
	Schemas   map[string]*Schema `yaml:"schemas" json:"schemas"`
}

// ErrorWhen is a response rule: a 2xx response whose body holds Equals at
// Path is an error, whose text is the body's value at Message.
type ErrorWhen struct {
	// Path is the gjson path of the value to test.
	Path string `yaml:"path" json:"path"`
	// Equals is the JSON scalar (string, number or boolean) that marks a
	// failed response.
	Equals any `yaml:"equals" json:"equals"`
	// Message is the gjson path of the error text ("" = an excerpt of the body).
	Message string `yaml:"message,omitempty" json:"message,omitempty"`
}

// Reset time formats of RateLimit.
const (
	ResetUnix     = "unix"
	ResetSeconds  = "seconds"
	ResetHTTPDate = "http-date"
)

// RateLimit names the rate-limit headers of an API (GitHub:
// x-ratelimit-remaining and x-ratelimit-reset).
type RateLimit struct {
	// Remaining is the header with the requests left in the window.
	Remaining string `yaml:"remaining" json:"remaining"`
	// Reset is the header telling when the window resets.
	Reset string `yaml:"reset" json:"reset"`
	// ResetFormat is unix (epoch seconds, the default), seconds (seconds
	// from now) or http-date.
	ResetFormat string `yaml:"resetFormat,omitempty" json:"resetFormat,omitempty"`
}

// Schema groups tables inside a catalog.
type Schema struct {
	// Name is filled in from the catalog's map key.
	Name   string            `yaml:"-" json:"-"`
	Tables map[string]*Table `yaml:"tables" json:"tables"`
}

// Auth holds a catalog's credentials. Any value may be a ${Name} placeholder.
type Auth struct {
	// Scheme is None, Basic, Digest, Bearer, APIKey or OAuth2 (case-insensitive).
	Scheme   string `yaml:"scheme" json:"scheme"`
	User     string `yaml:"user,omitempty" json:"user,omitempty"`
	Password string `yaml:"password,omitempty" json:"password,omitempty"`
	Token    string `yaml:"token,omitempty" json:"token,omitempty"`
	// Key, Name and In configure APIKey: the key value, the header or query
	// parameter name (default X-API-Key) and where it goes (header or query).
	Key          string   `yaml:"key,omitempty" json:"key,omitempty"`
	Name         string   `yaml:"name,omitempty" json:"name,omitempty"`
	In           string   `yaml:"in,omitempty" json:"in,omitempty"`
	ClientID     string   `yaml:"clientId,omitempty" json:"clientId,omitempty"`
	ClientSecret string   `yaml:"clientSecret,omitempty" json:"clientSecret,omitempty"`
	TokenURL     string   `yaml:"tokenURL,omitempty" json:"tokenURL,omitempty"`
	Scopes       []string `yaml:"scopes,omitempty" json:"scopes,omitempty"`
	RefreshToken string   `yaml:"refreshToken,omitempty" json:"refreshToken,omitempty"`
	GrantType    string   `yaml:"grantType,omitempty" json:"grantType,omitempty"`
	// PrivateKey is the PEM RSA key (PKCS#8, or PKCS#1) that signs the
	// assertion of the jwt_bearer grant.
	PrivateKey string `yaml:"privateKey,omitempty" json:"privateKey,omitempty"`
	// Claims are the jwt_bearer assertion's claims (iss, sub, aud, scope,
	// ...): strings (${Name} placeholders allowed), numbers or booleans.
	// The driver adds iat and exp.
	Claims map[string]any `yaml:"claims,omitempty" json:"claims,omitempty"`
	// BaseURLFrom names a field of the OAuth2 token response whose value
	// replaces the catalog's url (Salesforce's instance_url).
	BaseURLFrom string `yaml:"baseURLFrom,omitempty" json:"baseURLFrom,omitempty"`
}

// Pagination types.
const (
	PageNone       = "none"
	PageOffset     = "offset"
	PagePage       = "page"
	PageCursor     = "cursor"
	PageNextURL    = "nextURL"
	PageLinkHeader = "linkHeader"
)

// Pagination describes how a table's pages are walked. A table's pagination
// is merged over its catalog's: fields the table sets win; when the table
// names a different Type, the catalog's settings are not inherited.
type Pagination struct {
	Type        string `yaml:"type" json:"type"`
	OffsetParam string `yaml:"offsetParam,omitempty" json:"offsetParam,omitempty"`
	PageParam   string `yaml:"pageParam,omitempty" json:"pageParam,omitempty"`
	SizeParam   string `yaml:"sizeParam,omitempty" json:"sizeParam,omitempty"`
	PageSize    int    `yaml:"pageSize,omitempty" json:"pageSize,omitempty"`
	// MaxPageSize is the API's own cap on the page size, as its
	// documentation states it (0 = not declared). The size sent is at
	// most MaxPageSize (a larger pageSize or DSN PageSize is clamped to
	// it), and an offset or page walk then ends on the first short page.
	// Without it, a short first page is confirmed by one more request: an
	// API that caps the size below the one asked returns short pages
	// that are not its last.
	MaxPageSize int `yaml:"maxPageSize,omitempty" json:"maxPageSize,omitempty"`
	// Start is the first page number for type page (default 1) or the first
	// offset for type offset (default 0).
	Start       *int   `yaml:"start,omitempty" json:"start,omitempty"`
	CursorPath  string `yaml:"cursorPath,omitempty" json:"cursorPath,omitempty"`
	CursorParam string `yaml:"cursorParam,omitempty" json:"cursorParam,omitempty"`
	NextPath    string `yaml:"nextPath,omitempty" json:"nextPath,omitempty"`
	TotalPath   string `yaml:"totalPath,omitempty" json:"totalPath,omitempty"`
	TotalHeader string `yaml:"totalHeader,omitempty" json:"totalHeader,omitempty"`
	HasMorePath string `yaml:"hasMorePath,omitempty" json:"hasMorePath,omitempty"`
	// StopPath is a body path: the walk stops after the page where it
	// holds true.
	StopPath string `yaml:"stopPath,omitempty" json:"stopPath,omitempty"`
	// EmptyPageStops, when false, lets a walk go on past a page without
	// rows (cursor, nextURL and linkHeader only; nil = true).
	EmptyPageStops *bool `yaml:"emptyPageStops,omitempty" json:"emptyPageStops,omitempty"`
	// CursorBody, for a read with a body (type cursor), is the path in the
	// request body that carries the cursor, in place of CursorParam; the
	// first request has no cursor field at all.
	CursorBody string `yaml:"cursorBody,omitempty" json:"cursorBody,omitempty"`
}

// Table is one endpoint.
type Table struct {
	// Name and Schema/Catalog names are filled in by the loader.
	Name        string `yaml:"-" json:"-"`
	SchemaName  string `yaml:"-" json:"-"`
	CatalogName string `yaml:"-" json:"-"`

	Description string `yaml:"description,omitempty" json:"description,omitempty"`
	// URL is the Request URL, relative to the catalog's URL (or absolute).
	// {name} placeholders make name a required key column.
	URL     string            `yaml:"url" json:"url"`
	Params  map[string]string `yaml:"params,omitempty" json:"params,omitempty"`
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// Rows is the gjson path of the repeated element ("" = the body is the array).
	Rows string `yaml:"rows,omitempty" json:"rows,omitempty"`
	// Each makes the table's rows the elements of an array inside each
	// row found at Rows (a gjson path in that row: Stripe's lines.data,
	// Shopify's line_items); a column whose path starts with ^. reads the
	// enclosing row. Levels of nested arrays are separated by .#.
	// (line_items.#.tax_lines; ^.^. reads the row). See ParentLevels.
	Each string `yaml:"each,omitempty" json:"each,omitempty"`
	// KeepEmpty, with Each, gives a row whose array is empty or missing
	// one row, its element columns NULL (default: no row).
	KeepEmpty bool `yaml:"keepEmpty,omitempty" json:"keepEmpty,omitempty"`
	// Header is "first" when the rows are arrays and the first array of
	// the first page holds the column names (Google Sheets' values): a
	// column's path is then a header cell's text.
	Header  string    `yaml:"header,omitempty" json:"header,omitempty"`
	Columns []*Column `yaml:"columns" json:"columns"`
	// Strict makes a value that does not fit its column type an error instead of NULL.
	Strict bool `yaml:"strict,omitempty" json:"strict,omitempty"`
	// Combine maps a parameter name to the rule that joins several pushed
	// filters using that parameter into one value: a separator, or a
	// query-language clause (base, sep, prefix, suffix).
	Combine    map[string]*Combine `yaml:"combine,omitempty" json:"combine,omitempty"`
	Pagination *Pagination         `yaml:"pagination,omitempty" json:"pagination,omitempty"`
	Sort       *Sort               `yaml:"sort,omitempty" json:"sort,omitempty"`
	Limit      *Limit              `yaml:"limit,omitempty" json:"limit,omitempty"`
	Select     *Select             `yaml:"select,omitempty" json:"select,omitempty"`
	Get        *Get                `yaml:"get,omitempty" json:"get,omitempty"`
	Insert     *Write              `yaml:"insert,omitempty" json:"insert,omitempty"`
	Update     *Write              `yaml:"update,omitempty" json:"update,omitempty"`
	Delete     *Write              `yaml:"delete,omitempty" json:"delete,omitempty"`
	// Method is the read's HTTP method: GET (the default) or POST, for
	// APIs that read with a request body (search endpoints, GraphQL).
	Method string `yaml:"method,omitempty" json:"method,omitempty"`
	// Body is the JSON body of a POST read: a mapping (or a string of
	// JSON) whose string values may hold ${Name} placeholders. Filters,
	// sort, limit and cursor with a body: path are written into it.
	Body any `yaml:"body,omitempty" json:"body,omitempty"`
	// GraphQL makes the read a GraphQL query: the body is {"query": ...,
	// "variables": ...}.
	GraphQL *GraphQL `yaml:"graphql,omitempty" json:"graphql,omitempty"`
	// ColumnsFrom reads more columns from a metadata endpoint.
	ColumnsFrom *ColumnsFrom `yaml:"columnsFrom,omitempty" json:"columnsFrom,omitempty"`
}

// Column is one column of a table.
type Column struct {
	Name string `yaml:"name" json:"name"`
	// Path is the gjson path inside one row (default: Name).
	Path string `yaml:"path,omitempty" json:"path,omitempty"`
	// Type is one of string, int, float, bool, datetime, json (default string).
	Type Type `yaml:"type,omitempty" json:"type,omitempty"`
	// Format is a datetime column's Go time layout, or unix / unixms.
	// A profile may give a list of formats (format: [layout1, layout2]):
	// Format is then the first, which writes values, and Formats all of
	// them, tried in order when a value is read.
	Format string `yaml:"format,omitempty" json:"format,omitempty"`
	// Formats is the list form of format (nil for a single format).
	Formats     []string `yaml:"-" json:"-"`
	Key         bool     `yaml:"key,omitempty" json:"key,omitempty"`
	ReadOnly    bool     `yaml:"readOnly,omitempty" json:"readOnly,omitempty"`
	Description string   `yaml:"description,omitempty" json:"description,omitempty"`
	// Filters maps a SQL operator (=, !=, <, <=, >, >=, IN, LIKE) to the
	// request part that pushes it to the API.
	Filters map[string]*Filter `yaml:"filters,omitempty" json:"filters,omitempty"`
	// Implicit is set by the loader for a URL placeholder that the profile
	// does not declare as a column.
	Implicit bool `yaml:"-" json:"-"`
}

// Filter pushes one operator on one column into a URL parameter, or into
// the request body of a read with a body.
type Filter struct {
	Param string `yaml:"param" json:"param"`
	// Body, in place of Param, is the path in the request body where the
	// filter's Value goes: Value is then a JSON template where {} is the
	// value as JSON ("{}" inside quotes: as text), and a path ending in
	// .-1 appends to an array (so several filters are all sent).
	Body string `yaml:"body,omitempty" json:"body,omitempty"`
	// Value is a template where {} is the value (default "{}").
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
	// Repeat sends an IN list as a repeated parameter (?id=1&id=2).
	Repeat bool `yaml:"repeat,omitempty" json:"repeat,omitempty"`
	// Join sends an IN list as one value joined by this separator.
	Join string `yaml:"join,omitempty" json:"join,omitempty"`
	// Quote wraps string values in this quote; Escape (double or backslash)
	// says how a quote inside the value is escaped.
	Quote  string `yaml:"quote,omitempty" json:"quote,omitempty"`
	Escape string `yaml:"escape,omitempty" json:"escape,omitempty"`
	// Exact says the API applies the predicate exactly, so the driver does
	// not re-check it.
	Exact bool `yaml:"exact,omitempty" json:"exact,omitempty"`
	// Like says how a LIKE pattern is sent (for the LIKE operator only):
	// "" sends the SQL pattern as it is; "regex" sends an anchored regular
	// expression (% → .*, _ → ., metacharacters escaped), for APIs such as
	// json-server's field_like; "contains" sends the text between % signs of
	// a '%text%' pattern and is not pushed for other patterns.
	Like string `yaml:"like,omitempty" json:"like,omitempty"`
	// Format writes a datetime value for this filter, before Value's
	// template: a Go time layout, unix, unixms, date (2006-01-02) or
	// rfc1123z, in UTC ("" = the column's format).
	Format string `yaml:"format,omitempty" json:"format,omitempty"`
}

// LIKE conversions.
const (
	LikeAsIs     = ""
	LikeRegex    = "regex"
	LikeContains = "contains"
)

// Combine joins the pushed filters that use one parameter into one value.
// A profile writes it as a separator (combine: {filter: " && "}) or as a
// query-language clause (combine: {jql: {base: "project = X", sep: " AND "}}):
// the parameter is Prefix + (Base and the filters in WHERE order, joined by
// Sep) + Suffix, sent also without filters when Base is set.
type Combine struct {
	Sep string `yaml:"sep,omitempty" json:"sep,omitempty"`
	// Base is the clause always sent (${Name} placeholders allowed).
	Base   string `yaml:"base,omitempty" json:"base,omitempty"`
	Prefix string `yaml:"prefix,omitempty" json:"prefix,omitempty"`
	Suffix string `yaml:"suffix,omitempty" json:"suffix,omitempty"`
}

// Language reports whether the rule writes a query language (a base, a
// prefix or a suffix): string values then go only quoted (Filter.Quote).
func (c *Combine) Language() bool {
	return c != nil && (c.Base != "" || c.Prefix != "" || c.Suffix != "")
}

// Sort pushes ORDER BY into URL parameters, or into the request body.
type Sort struct {
	Param string `yaml:"param" json:"param"`
	// Body, in place of Param, is the path in the request body where each
	// sort key's Value (a JSON template) goes; a path ending in .-1
	// appends each key to an array.
	Body string `yaml:"body,omitempty" json:"body,omitempty"`
	// Order is the parameter carrying the direction (json-server's _order).
	Order string `yaml:"order,omitempty" json:"order,omitempty"`
	// Value is a template with {column} and {dir} (default "{column}").
	Value string `yaml:"value,omitempty" json:"value,omitempty"`
	// Asc and Desc are the words for {dir} (default asc, desc).
	Asc  *string `yaml:"asc,omitempty" json:"asc,omitempty"`
	Desc *string `yaml:"desc,omitempty" json:"desc,omitempty"`
	// Join joins several sort keys into one value; without it only a single
	// sort key is pushed.
	Join string `yaml:"join,omitempty" json:"join,omitempty"`
	// Columns names the columns the API can sort by; ORDER BY on any other
	// column is done in the driver. Empty means every column.
	Columns []string `yaml:"columns,omitempty" json:"columns,omitempty"`
	// Append adds the rendered sort at the end of the parameter's value
	// (a query language's " ORDER BY {column} {dir}") instead of setting it.
	Append bool `yaml:"append,omitempty" json:"append,omitempty"`
	// Nulls says where the API puts NULL and missing values: "low" (before
	// every value ascending, after every value descending — restsql's own
	// order, the default) or "high" (after every value ascending, as
	// json-server does). With "high", only ORDER BY on key columns (which
	// are never NULL) is pushed, so a pushed sort and a driver sort agree.
	Nulls string `yaml:"nulls,omitempty" json:"nulls,omitempty"`
}

// NULL sort orders.
const (
	NullsLow  = "low"
	NullsHigh = "high"
)

// Limit pushes LIMIT into a URL parameter, or into the request body.
type Limit struct {
	Param string `yaml:"param" json:"param"`
	// Body, in place of Param, is the path in the request body where the
	// limit goes, as a number.
	Body string `yaml:"body,omitempty" json:"body,omitempty"`
}

// Select pushes the needed column list into a URL parameter.
type Select struct {
	Param string `yaml:"param" json:"param"`
	Join  string `yaml:"join,omitempty" json:"join,omitempty"`
	// Under sends only the columns whose path is below this object,
	// without its prefix (HubSpot's properties=a,b for properties.a and
	// properties.b; Jira's fields=): see docs/reference.md.
	Under string `yaml:"under,omitempty" json:"under,omitempty"`
	// Body, in place of Param, is the path in the request body of a read
	// with a body where the names go, as a JSON array of strings
	// (HubSpot search's properties).
	Body string `yaml:"body,omitempty" json:"body,omitempty"`
}

// Get is a lookup endpoint used instead of the list when every placeholder
// of its URL is bound.
type Get struct {
	URL    string            `yaml:"url" json:"url"`
	Rows   string            `yaml:"rows,omitempty" json:"rows,omitempty"`
	Params map[string]string `yaml:"params,omitempty" json:"params,omitempty"`
}

// Write maps INSERT, UPDATE or DELETE onto HTTP requests: one request per
// row, to URL with its {name} placeholders filled from the row's columns,
// with a JSON body built from the columns' paths (none for DELETE).
type Write struct {
	// Method is POST, PUT, PATCH or DELETE. For update, PATCH sends only
	// the SET columns and PUT the whole row.
	Method string `yaml:"method" json:"method"`
	// URL is relative to the catalog's URL (or absolute); "" is the
	// table's url.
	URL     string            `yaml:"url" json:"url"`
	Headers map[string]string `yaml:"headers,omitempty" json:"headers,omitempty"`
	// Wrap is a path the row object is placed under ({"data": {...}}).
	Wrap string `yaml:"wrap,omitempty" json:"wrap,omitempty"`
	// Batch, for insert only, sends many rows per request. It is on when
	// any of its fields is set.
	Batch Batch `yaml:"batch,omitempty" json:"batch,omitzero"`
}

// Batch is an insert endpoint that takes many rows in one request: the
// rows' objects go into a JSON array at path Rows ("" = the body is the
// array), at most Size rows per request.
type Batch struct {
	// URL is the batch endpoint ("" = the insert's url).
	URL string `yaml:"url,omitempty" json:"url,omitempty"`
	// Rows is the path of the array in the request body ("" = the body is
	// the array); a response's created rows are read from the same path.
	Rows string `yaml:"rows,omitempty" json:"rows,omitempty"`
	// Size is the most rows one request carries (0 = DefaultBatchSize).
	Size int `yaml:"size,omitempty" json:"size,omitempty"`
}

// DefaultBatchSize is the rows per request of a batch insert that sets no size.
const DefaultBatchSize = 100

// IsZero reports whether no batch endpoint is configured.
func (b Batch) IsZero() bool { return b == Batch{} }
