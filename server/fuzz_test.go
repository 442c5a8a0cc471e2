package server

import (
	"testing"
	"time"
)

// FuzzSQLText feeds any text to the lexer, the statement splitter, the
// translator, the schema probe: none may
// panic, and a translation has a ? for each $n it records.
func FuzzSQLText(f *testing.F) {
	for _, seed := range []string{
		`SELECT "id","title" FROM "posts" WHERE "id" >= $1 AND "id" < $2`,
		"SELECT $$a$$, E'\\t', 'it''s', x::int8, (a+b)::double precision FROM t -- c\n/* d */",
		"SELECT * FROM (SELECT n.nspname, c.relname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname LIKE 'p%') c WHERE true ORDER BY 1",
		"SELECT CASE c.relkind WHEN 'r' THEN 'table' END, pg_catalog.format_type(a.atttypid, a.atttypmod) FROM pg_catalog.pg_attribute a WHERE a.attrelid = '16387'",
		"SELECT * FROM posts WHERE 1=0; SET x TO 'y'; SHOW ALL",
		"SELECT a::pg_catalog.regtype::text[], OPERATOR(pg_catalog.~) FROM",
		"SELECT a || b ~* $1, CAST(x AS text) AS \"X\", GREATEST(a, NULL), count(*) FILTER (WHERE a) FROM t ORDER BY 2 DESC NULLS FIRST OFFSET 1 ROWS FETCH FIRST 2 ROWS ONLY",
		"WITH w AS (SELECT 1) SELECT CASE WHEN a THEN b ELSE c END, (SELECT max(x) FROM u LIMIT ALL), $1::boolean FROM w",
		"SELECT d - INTERVAL '1 day 02:30 -3 mons', date_trunc('week', d) + interval '30' day FROM t WHERE d > now() - interval '7 days'",
		"SELECT c.column_name, a.atttypid::regtype::text FROM information_schema.columns c, information_schema.schemata JOIN pg_attribute a ON true",
		"SELECT r.k, (r.keys).x, (information_schema._pg_expandarray(i.indkey)).n, unnest(i.indkey) u, generate_subscripts(i.indkey, 1) FROM pg_index i WHERE x = ANY($1) AND i.indkey[0] <> ALL(ARRAY[1, 2])",
		"SELECT (SELECT d.adbin FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum), EXISTS(SELECT 1 FROM pg_type t WHERE t.oid = a.atttypid) FROM pg_attribute a",
		"SELECT row_number() OVER (PARTITION BY a.attrelid ORDER BY a.attnum) FROM pg_attribute a WHERE a.attnum > 0 AND NOT a.attisdropped",
		"SELECT array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), o || array(select 1) FROM pg_policy p, generate_series(1, 3) s(n), unnest(a) WHERE p.x IN (SELECT 1) UNION SELECT 1 FROM pg_constraint c WHERE c.contype = 'f'",
	} {
		f.Add(seed)
	}
	meta := &metadata{columnTypes: map[string]map[string]uint32{"posts": {"id": oidInt8}}}
	ns := &nsInfo{oid: firstUserOID, name: "API"}
	meta.namespaces = []*nsInfo{ns}
	meta.tables = []*tableInfo{{oid: firstUserOID + 1, ns: ns, name: "posts", columns: []columnInfo{{name: "id", typ: "int", oid: oidInt8, ordinal: 1}}}}
	f.Fuzz(func(t *testing.T, text string) {
		toks, err := lexSQL(text, true)
		if err != nil {
			return
		}
		for _, st := range splitStatements(toks) {
			if probe, ok := schemaProbe(st); ok {
				st = probe
			}
			pgColumnNames(st)
			tr, err := translate(st)
			if err == nil {
				n := 0
				for i := 0; i < len(tr.sql); i++ {
					if tr.sql[i] == '?' {
						n++
					}
				}
				if n < len(tr.args) {
					t.Fatalf("%q: %d placeholders for %d parameters", tr.sql, n, len(tr.args))
				}
				inferParamTypes(st, tr, meta)
			}
		}
	})
}

// FuzzSCRAM feeds any client messages to the SCRAM server.
func FuzzSCRAM(f *testing.F) {
	f.Add("SCRAM-SHA-256", "n,,n=user,r=abc", "c=biws,r=abc,p=AAAA")
	f.Add("SCRAM-SHA-256-PLUS", "p=tls-server-end-point,,n=,r=x", "c=cD10bHMtc2VydmVyLWVuZC1wb2ludCws,r=x,p=")
	v, err := verifierFor("pw", []byte("salt"), 1)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, mechanism, first, final string) {
		sc := &scramServer{verifier: v, cbData: []byte("cert hash")}
		if _, err := sc.first(mechanism, []byte(first)); err != nil {
			return
		}
		_, _, _ = sc.final([]byte(final))
	})
}

// FuzzDecodeParam feeds any bytes to the parameter decoder.
func FuzzDecodeParam(f *testing.F) {
	f.Add([]byte("42"), uint32(oidInt8), int16(0))
	f.Add([]byte{0, 0, 0, 1}, uint32(oidDate), int16(1))
	f.Add([]byte("2024-01-01 00:00:00+01"), uint32(oidTimestamptz), int16(0))
	f.Fuzz(func(t *testing.T, data []byte, oid uint32, format int16) {
		_, _ = decodeParam(data, oid, format&1, time.UTC)
	})
}
