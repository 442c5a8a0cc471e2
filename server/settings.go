package server

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
)

// setting is a run-time parameter: its canonical name, its default, and
// whether the server reports it with ParameterStatus.
type setting struct {
	name     string
	value    string
	reported bool
}

// defaultSettings are the parameters a session starts with. The reported
// ones are those PostgreSQL 15 reports.
func defaultSettings(user string) []setting {
	return []setting{
		{"application_name", "", true},
		{"client_encoding", "UTF8", true},
		{"DateStyle", "ISO, MDY", true},
		{"default_transaction_read_only", "off", true},
		{"in_hot_standby", "off", true},
		{"integer_datetimes", "on", true},
		{"IntervalStyle", "postgres", true},
		{"is_superuser", "off", true},
		{"server_encoding", "UTF8", true},
		{"server_version", serverVersion, true},
		{"session_authorization", user, true},
		{"standard_conforming_strings", "on", true},
		{"TimeZone", "UTC", true},
		{"server_version_num", serverVersionNum, false},
		{"extra_float_digits", "1", false},
		{"statement_timeout", "0", false},
		{"lock_timeout", "0", false},
		{"idle_in_transaction_session_timeout", "0", false},
		{"search_path", `"$user", public`, false},
		{"transaction_isolation", "read committed", false},
		{"default_transaction_isolation", "read committed", false},
		{"transaction_read_only", "off", false},
		{"lc_messages", "C", false},
		{"lc_monetary", "C", false},
		{"lc_numeric", "C", false},
		{"lc_time", "C", false},
		{"lc_collate", "C", false},
		{"lc_ctype", "C", false},
		{"max_identifier_length", "63", false},
		{"max_index_keys", "32", false},
		{"max_function_args", "100", false},
		{"block_size", "8192", false},
		{"bytea_output", "hex", false},
	}
}

// settings are a session's run-time parameters.
type settings struct {
	values   map[string]string // by lower-case name
	names    map[string]string // lower-case name → canonical name
	reports  map[string]bool
	defaults map[string]string

	location         *time.Location
	statementTimeout time.Duration
	standardStrings  bool
}

func newSettings(user string, startup map[string]string) *settings {
	st := &settings{values: map[string]string{}, names: map[string]string{}, reports: map[string]bool{}, defaults: map[string]string{}, location: time.UTC, standardStrings: true}
	for _, s := range defaultSettings(user) {
		k := strings.ToLower(s.name)
		st.values[k], st.names[k], st.reports[k], st.defaults[k] = s.value, s.name, s.reported, s.value
	}
	// Startup parameters other than user and database are settings; a
	// bad value is ignored, as a client cannot be told about it here.
	keys := make([]string, 0, len(startup))
	for k := range startup {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch strings.ToLower(k) {
		case "user", "database", "replication", "options", "client_encoding":
			continue
		}
		if strings.HasPrefix(k, "_pq_.") {
			continue
		}
		_ = st.set(k, startup[k])
	}
	return st
}

// set changes a parameter, checking the ones the server acts on.
func (st *settings) set(name, value string) error {
	k := strings.ToLower(name)
	switch k {
	case "timezone":
		loc, err := parseTimeZone(value)
		if err != nil {
			return sqlErrorf(codeInvalidParameter, "invalid value for parameter \"TimeZone\": %q", value)
		}
		st.location = loc
	case "statement_timeout":
		d, err := parseDurationSetting(value)
		if err != nil {
			return sqlErrorf(codeInvalidParameter, "invalid value for parameter \"statement_timeout\": %q", value)
		}
		st.statementTimeout = d
	case "standard_conforming_strings":
		b, ok := parseBool(value)
		if !ok {
			return sqlErrorf(codeInvalidParameter, "parameter \"standard_conforming_strings\" requires a Boolean value")
		}
		st.standardStrings = b
		value = map[bool]string{true: "on", false: "off"}[b]
	case "client_encoding":
		switch strings.ToUpper(strings.ReplaceAll(value, "-", "")) {
		case "UTF8", "UNICODE", "SQL_ASCII":
			value = "UTF8"
		default:
			return sqlErrorf(codeFeatureNotSupported, "client encoding %q is not supported: the server speaks UTF8", value)
		}
	case "server_version", "server_version_num", "server_encoding", "integer_datetimes", "is_superuser", "max_identifier_length", "max_index_keys", "max_function_args", "block_size", "lc_collate", "lc_ctype", "in_hot_standby":
		return sqlErrorf("55P02", "parameter %q cannot be changed", name)
	case "session_authorization", "role":
		if value != st.values["session_authorization"] {
			return sqlErrorf(codeInsufficientPriv, "permission denied to set %s", k)
		}
	}
	if _, known := st.names[k]; !known {
		st.names[k] = k
	}
	st.values[k] = value
	return nil
}

// reset restores a parameter's default.
func (st *settings) reset(name string) error {
	k := strings.ToLower(name)
	def, ok := st.defaults[k]
	if !ok {
		delete(st.values, k)
		return nil
	}
	return st.set(k, def)
}

// get returns a parameter's value.
func (st *settings) get(name string) (string, string, bool) {
	k := strings.ToLower(name)
	v, ok := st.values[k]
	return st.names[k], v, ok
}

// reported lists the reported parameters, for the startup's
// ParameterStatus messages.
func (st *settings) reported() [][2]string {
	var out [][2]string
	for k, r := range st.reports {
		if r {
			out = append(out, [2]string{st.names[k], st.values[k]})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// all lists every parameter, sorted, for SHOW ALL and pg_settings.
func (st *settings) all() [][2]string {
	var out [][2]string
	for k, v := range st.values {
		out = append(out, [2]string{st.names[k], v})
	}
	sort.Slice(out, func(i, j int) bool { return strings.ToLower(out[i][0]) < strings.ToLower(out[j][0]) })
	return out
}

func parseTimeZone(v string) (*time.Location, error) {
	v = strings.TrimSpace(v)
	switch strings.ToLower(v) {
	case "utc", "gmt", "z", "zulu", "etc/utc", "universal", "":
		return time.UTC, nil
	case "localtime", "local":
		return time.Local, nil
	}
	if h, err := strconv.ParseFloat(v, 64); err == nil && h >= -15 && h <= 15 {
		// SET TIME ZONE -5: an offset in hours.
		return time.FixedZone(v, int(h*3600)), nil
	}
	return time.LoadLocation(v)
}

// parseDurationSetting reads a time setting: milliseconds, or a number
// with a unit (ms, s, min, h, d).
func parseDurationSetting(v string) (time.Duration, error) {
	v = strings.TrimSpace(strings.ToLower(v))
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return time.Duration(n) * time.Millisecond, nil
	}
	i := strings.IndexFunc(v, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i <= 0 {
		return 0, fmt.Errorf("bad duration %q", v)
	}
	n, err := strconv.ParseFloat(v[:i], 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad duration %q", v)
	}
	units := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "min": time.Minute, "h": time.Hour, "d": 24 * time.Hour}
	u, ok := units[strings.TrimSpace(v[i:])]
	if !ok {
		return 0, fmt.Errorf("bad unit in %q", v)
	}
	return time.Duration(n * float64(u)), nil
}

// settingValue renders the value tokens of SET as one string.
func settingValue(toks []token) string {
	var parts []string
	for _, part := range splitTop(toks) {
		var b strings.Builder
		for i, t := range part {
			if i > 0 && t.space {
				b.WriteByte(' ')
			}
			switch t.kind {
			case tString, tQIdent:
				b.WriteString(t.val)
			default:
				b.WriteString(t.text)
			}
		}
		parts = append(parts, b.String())
	}
	return strings.Join(parts, ", ")
}

// prepareCommand prepares SET, RESET, DISCARD and the other statements
// that only change the session.
func (ss *session) prepareCommand(p *prepared, kw string, toks []token) (*prepared, error) {
	p.kind = kindCommand
	rest := toks[1:]
	switch kw {
	case "set":
		if len(rest) > 0 && (rest[0].keyword("session") || rest[0].keyword("local")) {
			rest = rest[1:]
		}
		if len(rest) == 0 {
			return nil, sqlErrorf(codeSyntaxError, "syntax error at end of input")
		}
		var name, value string
		reset := false
		switch {
		case rest[0].keyword("transaction") || rest[0].keyword("characteristics") || rest[0].keyword("constraints"):
			p.command = func() (string, error) { return "SET", nil }
			return p, nil
		case rest[0].keyword("time") && len(rest) > 1 && rest[1].keyword("zone"):
			name, rest = "TimeZone", rest[2:]
		case rest[0].keyword("names"):
			name, rest = "client_encoding", rest[1:]
		case rest[0].keyword("role") || rest[0].keyword("session") && len(rest) > 1 && rest[1].keyword("authorization"):
			name = "session_authorization"
			if rest[0].keyword("role") {
				rest = rest[1:]
			} else {
				rest = rest[2:]
			}
		default:
			name, rest = rest[0].val, rest[1:]
			// A dotted custom parameter: restsql.x.
			for len(rest) >= 2 && rest[0].is(tPunct, ".") {
				name += "." + rest[1].val
				rest = rest[2:]
			}
			if len(rest) > 0 && (rest[0].keyword("to") || rest[0].is(tOp, "=")) {
				rest = rest[1:]
			}
		}
		if len(rest) == 0 {
			return nil, sqlErrorf(codeSyntaxError, "syntax error at end of input")
		}
		if len(rest) == 1 && (rest[0].keyword("default") || rest[0].keyword("local") && name == "TimeZone") {
			reset = true
		}
		value = settingValue(rest)
		p.command = func() (string, error) {
			var err error
			if reset {
				err = ss.settings.reset(name)
			} else {
				err = ss.settings.set(name, value)
			}
			if err != nil {
				return "", err
			}
			ss.reportSetting(name)
			return "SET", nil
		}
	case "reset":
		if len(rest) == 0 {
			return nil, sqlErrorf(codeSyntaxError, "syntax error at end of input")
		}
		all := rest[0].keyword("all")
		name := rest[0].val
		if rest[0].keyword("time") && len(rest) > 1 && rest[1].keyword("zone") {
			name = "TimeZone"
		}
		p.command = func() (string, error) {
			if all {
				for k := range ss.settings.defaults {
					_ = ss.settings.reset(k)
					ss.reportSetting(k)
				}
				return "RESET", nil
			}
			if err := ss.settings.reset(name); err != nil {
				return "", err
			}
			ss.reportSetting(name)
			return "RESET", nil
		}
	case "discard":
		p.command = func() (string, error) {
			if ss.txStatus != 'I' {
				return "", sqlErrorf(codeInvalidTxState, "DISCARD ALL cannot run inside a transaction block")
			}
			ss.closePortals()
			ss.closeCursors(func(*cursor) bool { return true })
			for name := range ss.stmts {
				if name != "" {
					delete(ss.stmts, name)
				}
			}
			return "DISCARD " + strings.ToUpper(settingValue(rest)), nil
		}
	case "deallocate":
		if len(rest) > 0 && rest[0].keyword("prepare") {
			rest = rest[1:]
		}
		if len(rest) == 0 {
			return nil, sqlErrorf(codeSyntaxError, "syntax error at end of input")
		}
		all, name := rest[0].keyword("all"), rest[0].val
		p.command = func() (string, error) {
			if all {
				for n := range ss.stmts {
					delete(ss.stmts, n)
				}
				return "DEALLOCATE ALL", nil
			}
			if _, ok := ss.stmts[name]; !ok {
				return "", sqlErrorf(codeUndefinedStatement, "prepared statement %q does not exist", name)
			}
			delete(ss.stmts, name)
			return "DEALLOCATE", nil
		}
	case "savepoint", "release", "listen", "unlisten", "notify":
		tag := strings.ToUpper(kw)
		p.command = func() (string, error) {
			if (kw == "savepoint" || kw == "release") && ss.txStatus == 'I' {
				return "", sqlErrorf("25P01", "%s can only be used in transaction blocks", tag)
			}
			return tag, nil
		}
	}
	return p, nil
}

// reportSetting sends ParameterStatus for a reported parameter.
func (ss *session) reportSetting(name string) {
	k := strings.ToLower(name)
	if ss.settings.reports[k] {
		ss.send(&pgproto3.ParameterStatus{Name: ss.settings.names[k], Value: ss.settings.values[k]})
	}
}

// prepareShow prepares SHOW name and SHOW ALL.
func (ss *session) prepareShow(p *prepared, toks []token) (*prepared, error) {
	var words []string
	for _, t := range toks[1:] {
		if t.kind == tIdent || t.kind == tQIdent {
			words = append(words, strings.ToLower(t.val))
		} else if t.is(tPunct, ".") {
			words = append(words, ".")
		}
	}
	name := strings.ReplaceAll(strings.Join(words, " "), " . ", ".")
	switch name {
	case "":
		return nil, sqlErrorf(codeSyntaxError, "syntax error at end of input")
	case "transaction isolation level":
		name = "transaction_isolation"
	case "time zone":
		name = "timezone"
	case "session authorization":
		name = "session_authorization"
	}
	p.kind = kindLocal
	p.local = func(context.Context, []any) (*memResult, error) {
		if name == "all" {
			res := &memResult{cols: []column{{"name", oidText}, {"setting", oidText}, {"description", oidText}}}
			for _, s := range ss.settings.all() {
				res.rows = append(res.rows, []any{s[0], s[1], ""})
			}
			return res, nil
		}
		canon, v, ok := ss.settings.get(name)
		if !ok {
			return nil, sqlErrorf(codeUndefinedObject, "unrecognized configuration parameter %q", name)
		}
		return &memResult{cols: []column{{canon, oidText}}, rows: [][]any{{v}}}, nil
	}
	return p, nil
}
