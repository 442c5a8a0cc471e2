package server

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/executor"
)

// This file holds the functions PostgreSQL clients call in catalog
// queries, registered for the server's connectors only (pgExtension's
// Function): the driver's own SQL does not see them. Arrays are values in
// PostgreSQL's text form ('{a,b}', or int2vector's '1 2'); the translation
// writes x = ANY(a) as PG_ANY_EQ(x, a), a[i] as PG_ARRAY_ELEM(a, i),
// ARRAY[…] as PG_ARRAY(…) and x::regclass as PG_REGCLASS(x).

// pgFunctions are the functions that depend on neither the session nor the
// view, by upper-case name.
var pgFunctions = map[string]*executor.Func{
	"PG_ANY_EQ": {MinArgs: 2, MaxArgs: 2, Type: executor.TypeBool, Fn: func(a []any) (any, error) { return anyEqual(a[0], a[1]), nil }},
	"PG_ALL_NE": {MinArgs: 2, MaxArgs: 2, Type: executor.TypeBool, Fn: func(a []any) (any, error) { return negate(anyEqual(a[0], a[1])), nil }},
	"PG_ARRAY":  {MinArgs: 0, MaxArgs: -1, Type: executor.TypeString, NullAware: true, Fn: func(a []any) (any, error) { return formatArray(a), nil }},
	// a[i]: arrays count from 1, int2vector and oidvector from 0.
	"PG_ARRAY_ELEM": {MinArgs: 2, MaxArgs: 2, Type: executor.TypeAny, Fn: func(a []any) (any, error) {
		elems, ok := parseArray(a[0])
		i, iok := argInt(a[1])
		if isVector(a[0]) {
			i++
		}
		if !ok || !iok || i < 1 || i > int64(len(elems)) {
			return nil, nil
		}
		return elemValue(elems[i-1]), nil
	}},
	// The bounds of generate_series(a, b) as restsql_series has them.
	"PG_SERIES_LOW": {MinArgs: 1, MaxArgs: 1, Type: executor.TypeInt, Fn: func(a []any) (any, error) {
		n, ok := argInt(a[0])
		if !ok || n < 1 {
			return nil, sqlErrorf(codeFeatureNotSupported, "generate_series from %v is not supported (series start at 1 or more)", a[0])
		}
		return n, nil
	}},
	"PG_SERIES_HIGH": {MinArgs: 1, MaxArgs: 1, Type: executor.TypeInt, Fn: func(a []any) (any, error) {
		n, ok := argInt(a[0])
		if !ok || n > srfSeriesRows {
			return nil, sqlErrorf(codeFeatureNotSupported, "generate_series to %v is not supported (series end at %d or less)", a[0], srfSeriesRows)
		}
		return n, nil
	}},
	"PG_BITAND": {MinArgs: 2, MaxArgs: 2, Type: executor.TypeInt, Fn: func(a []any) (any, error) {
		x, ok1 := argInt(a[0])
		y, ok2 := argInt(a[1])
		if !ok1 || !ok2 {
			return nil, sqlErrorf("42804", "operator & needs integers, got %v and %v", a[0], a[1])
		}
		return x & y, nil
	}},
	"PG_BITOR": {MinArgs: 2, MaxArgs: 2, Type: executor.TypeInt, Fn: func(a []any) (any, error) {
		x, ok1 := argInt(a[0])
		y, ok2 := argInt(a[1])
		if !ok1 || !ok2 {
			return nil, sqlErrorf("42804", "operator | needs integers, got %v and %v", a[0], a[1])
		}
		return x | y, nil
	}},
	// The i-th element (from 1, whatever the array's lower bound).
	"PG_ARRAY_NTH": {MinArgs: 2, MaxArgs: 2, Type: executor.TypeAny, Fn: func(a []any) (any, error) {
		elems, ok := parseArray(a[0])
		i, iok := argInt(a[1])
		if !ok || !iok || i < 1 || i > int64(len(elems)) {
			return nil, nil
		}
		return elemValue(elems[i-1]), nil
	}},
	// The subscript of the i-th element: generate_subscripts(a, 1).
	"PG_SUBSCRIPT": {MinArgs: 2, MaxArgs: 2, Type: executor.TypeInt, Fn: func(a []any) (any, error) {
		i, _ := argInt(a[1])
		if isVector(a[0]) {
			return i - 1, nil
		}
		return i, nil
	}},
	// The number of rows a set-returning function gives for an array.
	"PG_SRF_LEN": {MinArgs: 1, MaxArgs: 1, Type: executor.TypeInt, NullAware: true, Fn: func(a []any) (any, error) {
		elems, ok := parseArray(a[0])
		if !ok {
			return int64(0), nil
		}
		if len(elems) > srfSeriesRows {
			return nil, sqlErrorf(codeFeatureNotSupported, "set-returning functions over arrays of more than %d elements are not supported", srfSeriesRows)
		}
		return int64(len(elems)), nil
	}},
	"ARRAY_LENGTH": {MinArgs: 2, MaxArgs: 2, Type: executor.TypeInt, Fn: arrayLength},
	"ARRAY_UPPER":  {MinArgs: 2, MaxArgs: 2, Type: executor.TypeInt, Fn: arrayLength},
	"CARDINALITY": {MinArgs: 1, MaxArgs: 1, Type: executor.TypeInt, Fn: func(a []any) (any, error) {
		elems, ok := parseArray(a[0])
		if !ok {
			return nil, nil
		}
		return int64(len(elems)), nil
	}},
	"ARRAY_TO_STRING": {MinArgs: 2, MaxArgs: 3, Type: executor.TypeString, Fn: func(a []any) (any, error) {
		elems, ok := parseArray(a[0])
		if !ok {
			return nil, nil
		}
		var out []string
		for _, e := range elems {
			if e == nil {
				if len(a) == 3 && a[2] != nil {
					out = append(out, executor.ToString(a[2]))
				}
				continue
			}
			out = append(out, *e)
		}
		return strings.Join(out, executor.ToString(a[1])), nil
	}},
	"FORMAT_TYPE": {MinArgs: 2, MaxArgs: 2, Type: executor.TypeString, NullAware: true, Fn: func(a []any) (any, error) {
		oid, ok := argInt(a[0])
		if !ok {
			return nil, nil
		}
		return formatType(oid), nil
	}},
	// A reg type is an OID that reads as a name: the column is text, a
	// value the OID (from a name) or the name (from an OID).
	"PG_REGTYPE": {MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, Fn: func(a []any) (any, error) {
		if oid, ok := a[0].(int64); ok {
			return regtypeName(oid), nil
		}
		name := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(executor.ToString(a[0]))), "pg_catalog.")
		if n, err := strconv.ParseInt(name, 10, 64); err == nil {
			return n, nil
		}
		for _, t := range pgTypes {
			if t.name == name || t.formatName == name {
				return int64(t.oid), nil
			}
			if t.arrayOID != 0 && (t.formatName+"[]" == name || "_"+t.name == name) {
				return int64(t.arrayOID), nil
			}
		}
		if oid, ok := pseudoTypes[name]; ok {
			return oid, nil
		}
		return nil, sqlErrorf(codeUndefinedObject, "type %q does not exist", name)
	}},
	"PG_GET_EXPR":                     {MinArgs: 2, MaxArgs: 3, Type: executor.TypeString, Fn: func(a []any) (any, error) { return executor.ToString(a[0]), nil }},
	"PG_GET_VIEWDEF":                  {MinArgs: 1, MaxArgs: 2, Type: executor.TypeString, NullAware: true, Fn: func([]any) (any, error) { return nil, nil }},
	"PG_GET_TRIGGERDEF":               {MinArgs: 1, MaxArgs: 2, Type: executor.TypeString, NullAware: true, Fn: func([]any) (any, error) { return nil, nil }},
	"PG_GET_FUNCTIONDEF":              {MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, NullAware: true, Fn: func([]any) (any, error) { return nil, nil }},
	"PG_GET_PARTKEYDEF":               {MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, NullAware: true, Fn: func([]any) (any, error) { return nil, nil }},
	"PG_GET_SERIAL_SEQUENCE":          {MinArgs: 2, MaxArgs: 2, Type: executor.TypeString, NullAware: true, Fn: func([]any) (any, error) { return nil, nil }},
	"PG_GET_STATISTICSOBJDEF_COLUMNS": {MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, NullAware: true, Fn: func([]any) (any, error) { return nil, nil }},
	"SHOBJ_DESCRIPTION":               {MinArgs: 2, MaxArgs: 2, Type: executor.TypeString, NullAware: true, Fn: func([]any) (any, error) { return nil, nil }},
	"HAS_TABLE_PRIVILEGE":             privilege(2, 3),
	"HAS_SCHEMA_PRIVILEGE":            privilege(2, 3),
	"HAS_DATABASE_PRIVILEGE":          privilege(2, 3),
	"HAS_COLUMN_PRIVILEGE":            privilege(3, 4),
	"HAS_FUNCTION_PRIVILEGE":          privilege(2, 3),
	"HAS_SEQUENCE_PRIVILEGE":          privilege(2, 3),
	"HAS_TYPE_PRIVILEGE":              privilege(2, 3),
	"PG_HAS_ROLE":                     privilege(2, 3),
	"PG_TYPE_IS_VISIBLE":              privilege(1, 1),
	"PG_RELATION_IS_PUBLISHABLE":      {MinArgs: 1, MaxArgs: 1, Type: executor.TypeBool, Fn: func([]any) (any, error) { return false, nil }},
	"PG_FUNCTION_IS_VISIBLE":          privilege(1, 1),
	"PG_ENCODING_TO_CHAR": {MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, Fn: func(a []any) (any, error) {
		switch n, _ := argInt(a[0]); n {
		case 6:
			return "UTF8", nil
		case 0:
			return "SQL_ASCII", nil
		}
		return "", nil
	}},
	"PG_CHAR_TO_ENCODING": {MinArgs: 1, MaxArgs: 1, Type: executor.TypeInt, Fn: func(a []any) (any, error) {
		if strings.EqualFold(executor.ToString(a[0]), "UTF8") {
			return int64(6), nil
		}
		return int64(-1), nil
	}},
	"PG_IS_IN_RECOVERY":      {Type: executor.TypeBool, Fn: func([]any) (any, error) { return false, nil }},
	"PG_RELATION_SIZE":       zeroSize(),
	"PG_TABLE_SIZE":          zeroSize(),
	"PG_TOTAL_RELATION_SIZE": zeroSize(),
	"PG_INDEXES_SIZE":        zeroSize(),
	"PG_DATABASE_SIZE":       zeroSize(),
	"PG_SIZE_PRETTY": {MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, Fn: func(a []any) (any, error) {
		n, _ := argInt(a[0])
		return strconv.FormatInt(n, 10) + " bytes", nil
	}},
	"JSON_BUILD_OBJECT": {MinArgs: 0, MaxArgs: -1, Type: executor.TypeString, NullAware: true, Fn: func(a []any) (any, error) {
		if len(a)%2 != 0 {
			return nil, sqlErrorf(codeInvalidParameter, "argument list must have even number of elements")
		}
		var b strings.Builder
		b.WriteByte('{')
		for i := 0; i < len(a); i += 2 {
			if i > 0 {
				b.WriteString(", ")
			}
			k, _ := json.Marshal(executor.ToString(a[i]))
			v, err := json.Marshal(a[i+1])
			if err != nil {
				return nil, err
			}
			b.Write(k)
			b.WriteString(" : ")
			b.Write(v)
		}
		b.WriteByte('}')
		return b.String(), nil
	}},
	// ARRAY(SELECT prefix || x FROM unnest(a) x).
	"PG_ARRAY_PREFIX": {MinArgs: 2, MaxArgs: 2, Type: executor.TypeString, NullAware: true, Fn: func(a []any) (any, error) {
		elems, _ := parseArray(a[0])
		vals := make([]any, len(elems))
		for i, e := range elems {
			if e != nil {
				vals[i] = executor.ToString(a[1]) + *e
			}
		}
		return formatArray(vals), nil
	}},
	// a || b of arrays: NULL only when both are.
	"PG_ARRAY_CAT": {MinArgs: 2, MaxArgs: 2, Type: executor.TypeString, NullAware: true, Fn: func(a []any) (any, error) {
		if a[0] == nil && a[1] == nil {
			return nil, nil
		}
		var vals []any
		for _, v := range a {
			elems, _ := parseArray(v)
			for _, e := range elems {
				vals = append(vals, elemValue(e))
			}
		}
		return formatArray(vals), nil
	}},
	"QUOTE_IDENT":      {MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, Fn: func(a []any) (any, error) { return quoteIdent(executor.ToString(a[0])), nil }},
	"INET_SERVER_ADDR": nullFunc(), "INET_CLIENT_ADDR": nullFunc(), "INET_SERVER_PORT": nullFunc(), "INET_CLIENT_PORT": nullFunc(),
}

// pseudoTypes are PostgreSQL's pseudo-types that catalog queries name
// ('trigger'::regtype), by name.
var pseudoTypes = map[string]int64{
	"record": 2249, "cstring": 2275, "any": 2276, "anyarray": 2277, "void": 2278, "trigger": 2279,
	"language_handler": 2280, "internal": 2281, "anyelement": 2283, "anynonarray": 2776, "anyenum": 3500,
	"event_trigger": 3838, "anyrange": 3831, "regclass": 2205, "regtype": 2206, "regproc": 24,
}

func privilege(minArgs, maxArgs int) *executor.Func {
	return &executor.Func{MinArgs: minArgs, MaxArgs: maxArgs, Type: executor.TypeBool, Fn: func([]any) (any, error) { return true, nil }}
}

func zeroSize() *executor.Func {
	return &executor.Func{MinArgs: 1, MaxArgs: 2, Type: executor.TypeInt, Fn: func([]any) (any, error) { return int64(0), nil }}
}

func nullFunc() *executor.Func {
	return &executor.Func{Type: executor.TypeString, NullAware: true, Fn: func([]any) (any, error) { return nil, nil }}
}

func negate(v any) any {
	if b, ok := v.(bool); ok {
		return !b
	}
	return v
}

func argInt(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case float64:
		return int64(x), x == float64(int64(x))
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case string:
		n, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return n, err == nil
	}
	return 0, false
}

func arrayLength(a []any) (any, error) {
	elems, ok := parseArray(a[0])
	if d, _ := argInt(a[1]); !ok || d != 1 || len(elems) == 0 {
		return nil, nil
	}
	return int64(len(elems)), nil
}

// parseArray reads an array in PostgreSQL's text form ({a,"b c",NULL})
// or an int2vector/oidvector (1 2 3). A NULL element is nil.
func parseArray(v any) ([]*string, bool) {
	if v == nil {
		return nil, false
	}
	s := strings.TrimSpace(executor.ToString(v))
	if !strings.HasPrefix(s, "{") {
		var out []*string
		for _, f := range strings.Fields(s) {
			out = append(out, &f)
		}
		return out, true
	}
	if !strings.HasSuffix(s, "}") {
		return nil, false
	}
	s = s[1 : len(s)-1]
	var out []*string
	if strings.TrimSpace(s) == "" {
		return out, true
	}
	var b strings.Builder
	quoted, inQuote := false, false
	flush := func() {
		e := b.String()
		if !quoted {
			e = strings.TrimSpace(e)
			if strings.EqualFold(e, "NULL") {
				out = append(out, nil)
				b.Reset()
				return
			}
		}
		out = append(out, &e)
		b.Reset()
		quoted = false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteByte(s[i])
		case c == '"':
			inQuote = !inQuote
			quoted = true
		case c == ',' && !inQuote:
			flush()
		default:
			b.WriteByte(c)
		}
	}
	flush()
	return out, true
}

// isVector reports whether an array value is an int2vector or oidvector
// (1 2 3), whose subscripts start at 0.
func isVector(v any) bool {
	s, ok := v.(string)
	return ok && !strings.HasPrefix(strings.TrimSpace(s), "{")
}

// elemValue is an array element as a value: an integer when it reads as
// one (oid and int2 arrays), else text.
func elemValue(e *string) any {
	if e == nil {
		return nil
	}
	if n, err := strconv.ParseInt(*e, 10, 64); err == nil {
		return n
	}
	return *e
}

// formatArray writes values as a PostgreSQL array literal.
func formatArray(vals []any) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		if v == nil {
			b.WriteString("NULL")
			continue
		}
		s := executor.ToString(v)
		if s == "" || strings.EqualFold(s, "NULL") || strings.ContainsAny(s, `{},"\ `) {
			s = `"` + strings.ReplaceAll(strings.ReplaceAll(s, `\`, `\\`), `"`, `\"`) + `"`
		}
		b.WriteString(s)
	}
	b.WriteByte('}')
	return b.String()
}

// anyEqual is x = ANY(array): true when an element equals x, NULL when
// none does and an element is NULL (or x is NULL), else false.
func anyEqual(x, arr any) any {
	elems, ok := parseArray(arr)
	if !ok || x == nil {
		return nil
	}
	sawNull := false
	for _, e := range elems {
		if e == nil {
			sawNull = true
			continue
		}
		if c, ok := executor.Compare(x, elemValue(e)); ok && c == 0 {
			return true
		}
	}
	if sawNull {
		return nil
	}
	return false
}

// formatType is format_type(oid, typmod).
func formatType(oid int64) string {
	for _, t := range pgTypes {
		if int64(t.oid) == oid {
			return t.formatName
		}
		if t.arrayOID != 0 && int64(t.arrayOID) == oid {
			return t.formatName + "[]"
		}
	}
	return "???"
}

// regtypeName is an OID written as a regtype: the type's name, or the
// number when no type has it.
func regtypeName(oid int64) string {
	if s := formatType(oid); s != "???" {
		return s
	}
	return strconv.FormatInt(oid, 10)
}

// Function implements restsql.Extension: the catalog functions, with
// those that answer for the session or the view bound to ctx's session.
func (e *pgExtension) Function(ctx context.Context, p *catalog.Profile, name string) (*executor.Func, bool) {
	if f, ok := pgFunctions[name]; ok {
		return f, true
	}
	e.catalog(p)
	ss, _ := ctx.Value(sessionKey{}).(*session)
	user, database := "", ""
	if ss != nil {
		user, database = ss.userName, ss.database
	}
	str := func(v func() any) *executor.Func {
		return &executor.Func{Type: executor.TypeString, NullAware: true, Fn: func([]any) (any, error) { return v(), nil }}
	}
	pc := func() *pgCatalog { return e.pc }
	switch name {
	case "VERSION":
		return str(func() any { return versionString() }), true
	case "CURRENT_DATABASE", "CURRENT_CATALOG":
		return str(func() any { return database }), true
	case "CURRENT_USER", "SESSION_USER", "CURRENT_ROLE", "GETPGUSERNAME", "USER":
		return str(func() any { return user }), true
	case "CURRENT_SCHEMA":
		return str(func() any {
			if s := e.schemas(); len(s) > 0 {
				return s[0]
			}
			return nil
		}), true
	case "CURRENT_SCHEMAS":
		return &executor.Func{MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, Fn: func(a []any) (any, error) {
			var vals []any
			if b, _ := a[0].(bool); b || a[0] == int64(1) {
				vals = append(vals, "pg_catalog")
			}
			for _, s := range e.schemas() {
				vals = append(vals, s)
			}
			return formatArray(vals), nil
		}}, true
	case "CURRENT_SETTING":
		return &executor.Func{MinArgs: 1, MaxArgs: 2, Type: executor.TypeString, Fn: func(a []any) (any, error) {
			if ss == nil {
				return nil, nil
			}
			if _, v, ok := ss.settings.get(executor.ToString(a[0])); ok {
				return v, nil
			}
			if len(a) == 2 && a[1] == true {
				return nil, nil
			}
			return nil, sqlErrorf(codeUndefinedObject, "unrecognized configuration parameter %q", executor.ToString(a[0]))
		}}, true
	case "SET_CONFIG":
		return &executor.Func{MinArgs: 3, MaxArgs: 3, Type: executor.TypeString, Fn: func(a []any) (any, error) {
			if ss == nil {
				return nil, nil
			}
			name, value := executor.ToString(a[0]), executor.ToString(a[1])
			if err := ss.settings.set(name, value); err != nil {
				return nil, err
			}
			ss.reportSetting(name)
			return value, nil
		}}, true
	case "PG_POSTMASTER_START_TIME":
		return &executor.Func{Type: executor.TypeDatetime, Fn: func([]any) (any, error) { return e.srv.started, nil }}, true
	case "PG_BACKEND_PID":
		return &executor.Func{Type: executor.TypeInt, Fn: func([]any) (any, error) {
			if ss == nil {
				return nil, nil
			}
			return int64(ss.pid), nil
		}}, true
	case "PG_GET_USERBYID":
		return &executor.Func{MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, Fn: func(a []any) (any, error) {
			if n, _ := argInt(a[0]); n == oidRoleSession {
				return user, nil
			}
			return fmt.Sprintf("unknown (OID=%s)", executor.ToString(a[0])), nil
		}}, true
	case "PG_TABLE_IS_VISIBLE":
		return &executor.Func{MinArgs: 1, MaxArgs: 1, Type: executor.TypeBool, Fn: func(a []any) (any, error) {
			n, _ := argInt(a[0])
			r := pc().byOID[n]
			return r != nil && r.ns.oid != oidNSInfoSchema, nil
		}}, true
	case "PG_GET_INDEXDEF":
		return &executor.Func{MinArgs: 1, MaxArgs: 3, Type: executor.TypeString, Fn: func(a []any) (any, error) {
			oid, _ := argInt(a[0])
			var col int64
			if len(a) > 1 {
				col, _ = argInt(a[1])
			}
			return pc().indexDef(oid, col), nil
		}}, true
	case "PG_GET_CONSTRAINTDEF":
		return &executor.Func{MinArgs: 1, MaxArgs: 2, Type: executor.TypeString, Fn: func(a []any) (any, error) {
			oid, _ := argInt(a[0])
			return pc().constraintDef(oid), nil
		}}, true
	case "OBJ_DESCRIPTION":
		return &executor.Func{MinArgs: 1, MaxArgs: 2, Type: executor.TypeString, Fn: func(a []any) (any, error) {
			oid, _ := argInt(a[0])
			if len(a) == 2 && !strings.EqualFold(executor.ToString(a[1]), "pg_class") {
				return nil, nil
			}
			if r := pc().byOID[oid]; r != nil {
				return nilIfEmpty(r.desc), nil
			}
			return nil, nil
		}}, true
	case "COL_DESCRIPTION":
		return &executor.Func{MinArgs: 2, MaxArgs: 2, Type: executor.TypeString, Fn: func(a []any) (any, error) {
			oid, _ := argInt(a[0])
			num, _ := argInt(a[1])
			if r := pc().byOID[oid]; r != nil && num >= 1 && num <= int64(len(r.cols)) {
				return nilIfEmpty(r.cols[num-1].desc), nil
			}
			return nil, nil
		}}, true
	case "PG_REGCLASS", "TO_REGCLASS":
		return &executor.Func{MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, Fn: func(a []any) (any, error) {
			if oid, ok := a[0].(int64); ok && name == "PG_REGCLASS" {
				if r := pc().byOID[oid]; r != nil {
					if r.ns.oid >= firstUserOID || r.ns.oid == oidNSCatalog {
						return r.name, nil
					}
					return r.ns.name + "." + r.name, nil
				}
				return strconv.FormatInt(oid, 10), nil
			}
			s := strings.TrimSpace(executor.ToString(a[0]))
			if n, err := strconv.ParseInt(s, 10, 64); err == nil {
				return n, nil
			}
			if oid, ok := pc().lookupRelation(s); ok {
				return oid, nil
			}
			if name == "TO_REGCLASS" {
				return nil, nil
			}
			return nil, sqlErrorf("42P01", "relation %q does not exist", s)
		}}, true
	case "PG_REGNAMESPACE":
		return &executor.Func{MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, Fn: func(a []any) (any, error) {
			if oid, ok := a[0].(int64); ok {
				for _, ns := range pc().namespaces {
					if ns.oid == oid {
						return ns.name, nil
					}
				}
				return strconv.FormatInt(oid, 10), nil
			}
			s := executor.ToString(a[0])
			for _, ns := range pc().namespaces {
				if ns.name == s || strings.EqualFold(ns.name, s) {
					return ns.oid, nil
				}
			}
			return nil, sqlErrorf("3F000", "schema %q does not exist", s)
		}}, true
	case "PG_REGPROC":
		// A regproc is the function's name here, as pg_type's typinput
		// and typoutput hold it.
		return &executor.Func{MinArgs: 1, MaxArgs: 1, Type: executor.TypeString, Fn: func(a []any) (any, error) {
			if oid, ok := a[0].(int64); ok {
				if oid == 0 {
					return "-", nil
				}
				for _, r := range procRows() {
					if r[0] == oid {
						return r[1], nil
					}
				}
				return strconv.FormatInt(oid, 10), nil
			}
			return strings.TrimPrefix(strings.ToLower(executor.ToString(a[0])), "pg_catalog."), nil
		}}, true
	}
	return nil, false
}

// schemas lists the view's schemas, in search-path order.
func (e *pgExtension) schemas() []string {
	var out []string
	if e.pc == nil {
		return nil
	}
	for _, ns := range e.pc.namespaces {
		if ns.oid >= firstUserOID {
			out = append(out, ns.name)
		}
	}
	return out
}

// lookupRelation finds a relation by name as ::regclass does: schema.name,
// or a name on the search path (the view's schemas, then pg_catalog).
func (pc *pgCatalog) lookupRelation(s string) (int64, bool) {
	schema, name := "", s
	if i := strings.LastIndexByte(s, '.'); i > 0 {
		schema, name = strings.Trim(s[:i], `"`), s[i+1:]
	}
	name = strings.Trim(name, `"`)
	var found *pgRelation
	for _, r := range pc.relations {
		if !strings.EqualFold(r.name, name) || schema != "" && !strings.EqualFold(r.ns.name, schema) {
			continue
		}
		if schema == "" && r.ns.oid == oidNSInfoSchema {
			continue
		}
		if found == nil || found.ns.oid < firstUserOID && r.ns.oid >= firstUserOID {
			found = r
		}
	}
	if found == nil {
		return 0, false
	}
	return found.oid, true
}

// versionString is version()'s answer.
func versionString() string {
	return fmt.Sprintf("PostgreSQL %s (restsql) on %s-%s, compiled by %s, 64-bit", serverVersion, runtime.GOARCH, runtime.GOOS, runtime.Version())
}
