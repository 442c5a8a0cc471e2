package server

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/executor"
	rsmeta "github.com/restsql/restsql/metadata"
)

// This file builds PostgreSQL's pg_catalog and information_schema as
// in-memory relations from the profile (what the server's view sees), and
// hands them to restsql through restsql.Extension (pgExtension), so that a
// client's catalog query runs through the same planner and executor as a
// query over API tables: every predicate, join, aggregate, ORDER BY and
// LIMIT is evaluated as written.
//
// OIDs: the system relations and types have PostgreSQL's; the view's
// schemas are numbered from 16384 (firstUserOID), then its tables, then
// the primary-key indexes of the tables that have key columns.

// firstUserOID is where PostgreSQL starts numbering user objects.
const firstUserOID = 16384

// Well-known OIDs.
const (
	oidNSCatalog    = 11
	oidNSInfoSchema = 13000
	oidRoleSession  = 10
	oidAMHeap       = 2
	oidAMBtree      = 403
	oidRelPgClass   = 1259
	oidRelPgType    = 1247
	oidRelPgAttr    = 1249
	oidRelPgProc    = 1255
	oidRelPgNS      = 2615
	oidRelPgConstr  = 2606
	oidCollDefault  = 100
	oidTablespace   = 1663
	oidDatabaseBase = 16300
)

// sessionKey is the context key of the session a statement runs for.
type sessionKey struct{}

// pgRelation is a relation of pg_class: an API table, its primary-key
// index, or a system relation.
type pgRelation struct {
	oid   int64
	ns    *pgNamespace
	name  string
	kind  string // r, i, v
	desc  string
	cols  []pgAttribute
	keys  []int64 // attnums of the primary key (tables)
	index *pgRelation
	table *pgRelation // of an index
}

type pgAttribute struct {
	name     string
	typ      pgType
	num      int64
	notNull  bool
	desc     string
	restType catalog.Type
}

type pgNamespace struct {
	oid  int64
	name string
}

// pgCatalog is the static part of a view's pg_catalog: everything but
// what depends on the session (settings, the user).
type pgCatalog struct {
	namespaces []*pgNamespace
	relations  []*pgRelation
	byOID      map[int64]*pgRelation
	// static holds the relations that do not depend on the session, by
	// lower-case name (pg_class, information_schema.tables).
	static map[string]*rsmeta.Table
	// infoSchema is the database's catalog name for information_schema
	// ("" for all).
	infoSchema string
}

// systemRelations are the relation schemas of pg_catalog and
// information_schema: name, then its columns as name:type (type is a
// restsql type: s string, i int, f float, b bool).
var systemRelations = []struct {
	name string
	oid  int64
	cols string
}{
	{"pg_namespace", oidRelPgNS, "oid:i nspname:s nspowner:i nspacl:s"},
	{"pg_class", oidRelPgClass, "oid:i relname:s relnamespace:i reltype:i reloftype:i relowner:i relam:i relfilenode:i reltablespace:i relpages:i reltuples:f relallvisible:i reltoastrelid:i relhasindex:b relisshared:b relpersistence:s relkind:s relnatts:i relchecks:i relhasrules:b relhastriggers:b relhassubclass:b relrowsecurity:b relforcerowsecurity:b relispopulated:b relreplident:s relispartition:b relrewrite:i relfrozenxid:i relminmxid:i relacl:s reloptions:s relpartbound:s relhasoids:b"},
	{"pg_attribute", oidRelPgAttr, "attrelid:i attname:s atttypid:i attstattarget:i attlen:i attnum:i attndims:i attcacheoff:i atttypmod:i attbyval:b attalign:s attstorage:s attcompression:s attnotnull:b atthasdef:b atthasmissing:b attidentity:s attgenerated:s attisdropped:b attislocal:b attinhcount:i attcollation:i attacl:s attoptions:s attfdwoptions:s attmissingval:s"},
	{"pg_type", oidRelPgType, "oid:i typname:s typnamespace:i typowner:i typlen:i typbyval:b typtype:s typcategory:s typispreferred:b typisdefined:b typdelim:s typrelid:i typsubscript:s typelem:i typarray:i typinput:s typoutput:s typreceive:s typsend:s typmodin:s typmodout:s typanalyze:s typalign:s typstorage:s typnotnull:b typbasetype:i typtypmod:i typndims:i typcollation:i typdefaultbin:s typdefault:s typacl:s"},
	{"pg_index", 2610, "indexrelid:i indrelid:i indnatts:i indnkeyatts:i indisunique:b indnullsnotdistinct:b indisprimary:b indisexclusion:b indimmediate:b indisclustered:b indisvalid:b indcheckxmin:b indisready:b indislive:b indisreplident:b indkey:s indcollation:s indclass:s indoption:s indexprs:s indpred:s"},
	{"pg_constraint", oidRelPgConstr, "oid:i conname:s connamespace:i contype:s condeferrable:b condeferred:b convalidated:b conrelid:i contypid:i conindid:i conparentid:i confrelid:i confupdtype:s confdeltype:s confmatchtype:s conislocal:b coninhcount:i connoinherit:b conkey:s confkey:s conpfeqop:s conppeqop:s conffeqop:s confdelsetcols:s conexclop:s conbin:s"},
	{"pg_description", 2609, "objoid:i classoid:i objsubid:i description:s"},
	{"pg_shdescription", 2396, "objoid:i classoid:i description:s"},
	{"pg_settings", 12000, "name:s setting:s unit:s category:s short_desc:s extra_desc:s context:s vartype:s source:s min_val:s max_val:s enumvals:s boot_val:s reset_val:s sourcefile:s sourceline:i pending_restart:b"},
	{"pg_roles", 12001, "rolname:s rolsuper:b rolinherit:b rolcreaterole:b rolcreatedb:b rolcanlogin:b rolreplication:b rolconnlimit:i rolpassword:s rolvaliduntil:s rolbypassrls:b rolconfig:s oid:i"},
	{"pg_user", 12002, "usename:s usesysid:i usecreatedb:b usesuper:b userepl:b usebypassrls:b passwd:s valuntil:s useconfig:s"},
	{"pg_authid", 1260, "oid:i rolname:s rolsuper:b rolinherit:b rolcreaterole:b rolcreatedb:b rolcanlogin:b rolreplication:b rolbypassrls:b rolconnlimit:i rolpassword:s rolvaliduntil:s"},
	{"pg_auth_members", 1261, "oid:i roleid:i member:i grantor:i admin_option:b"},
	{"pg_database", 1262, "oid:i datname:s datdba:i encoding:i datlocprovider:s datistemplate:b datallowconn:b datconnlimit:i datfrozenxid:i datminmxid:i dattablespace:i datcollate:s datctype:s daticulocale:s daticurules:s datcollversion:s datacl:s"},
	{"pg_proc", oidRelPgProc, "oid:i proname:s pronamespace:i proowner:i prolang:i procost:f prorows:f provariadic:i prosupport:s prokind:s prosecdef:b proleakproof:b proisstrict:b proretset:b provolatile:s proparallel:s pronargs:i pronargdefaults:i prorettype:i proargtypes:s proallargtypes:s proargmodes:s proargnames:s proargdefaults:s protrftypes:s prosrc:s probin:s prosqlbody:s proconfig:s proacl:s"},
	{"pg_am", 2601, "oid:i amname:s amhandler:s amtype:s"},
	{"pg_range", 3541, "rngtypid:i rngsubtype:i rngmultitypid:i rngcollation:i rngsubopc:i rngcanonical:s rngsubdiff:s"},
	{"pg_inherits", 2611, "inhrelid:i inhparent:i inhseqno:i inhdetachpending:b"},
	{"pg_attrdef", 2604, "oid:i adrelid:i adnum:i adbin:s"},
	{"pg_tablespace", 1213, "oid:i spcname:s spcowner:i spcacl:s spcoptions:s"},
	{"pg_collation", 3456, "oid:i collname:s collnamespace:i collowner:i collprovider:s collisdeterministic:b collencoding:i collcollate:s collctype:s colliculocale:s collicurules:s collversion:s"},
	{"pg_enum", 3501, "oid:i enumtypid:i enumsortorder:f enumlabel:s"},
	{"pg_trigger", 2620, "oid:i tgrelid:i tgparentid:i tgname:s tgfoid:i tgtype:i tgenabled:s tgisinternal:b tgconstrrelid:i tgconstrindid:i tgconstraint:i tgdeferrable:b tginitdeferred:b tgnargs:i tgattr:s tgargs:s tgqual:s tgoldtable:s tgnewtable:s"},
	{"pg_rewrite", 2618, "oid:i rulename:s ev_class:i ev_type:s ev_enabled:s is_instead:b ev_qual:s ev_action:s"},
	{"pg_policy", 3256, "oid:i polname:s polrelid:i polcmd:s polpermissive:b polroles:s polqual:s polwithcheck:s"},
	{"pg_depend", 2608, "classid:i objid:i objsubid:i refclassid:i refobjid:i refobjsubid:i deptype:s"},
	{"pg_sequence", 2224, "seqrelid:i seqtypid:i seqstart:i seqincrement:i seqmax:i seqmin:i seqcache:i seqcycle:b"},
	{"pg_extension", 3079, "oid:i extname:s extowner:i extnamespace:i extrelocatable:b extversion:s extconfig:s extcondition:s"},
	{"pg_foreign_table", 3118, "ftrelid:i ftserver:i ftoptions:s"},
	{"pg_partitioned_table", 3350, "partrelid:i partstrat:s partnatts:i partdefid:i partattrs:s partclass:s partcollation:s partexprs:s"},
	{"pg_statistic_ext", 3381, "oid:i stxrelid:i stxname:s stxnamespace:i stxowner:i stxstattarget:i stxkeys:s stxkind:s stxexprs:s"},
	{"pg_publication", 6104, "oid:i pubname:s pubowner:i puballtables:b pubinsert:b pubupdate:b pubdelete:b pubtruncate:b pubviaroot:b"},
	{"pg_publication_rel", 6106, "oid:i prpubid:i prrelid:i prqual:s prattrs:s"},
	{"pg_publication_namespace", 6237, "oid:i pnpubid:i pnnspid:i"},
	{"pg_subscription", 6100, "oid:i subdbid:i subname:s subowner:i subenabled:b"},
	{"pg_event_trigger", 3466, "oid:i evtname:s evtevent:s evtowner:i evtfoid:i evtenabled:s evttags:s"},
	{"pg_opclass", 2616, "oid:i opcmethod:i opcname:s opcnamespace:i opcowner:i opcfamily:i opcintype:i opcdefault:b opckeytype:i"},
	{"pg_operator", 2617, "oid:i oprname:s oprnamespace:i oprowner:i oprkind:s oprcanmerge:b oprcanhash:b oprleft:i oprright:i oprresult:i oprcom:i oprnegate:i oprcode:s oprrest:s oprjoin:s"},
	{"pg_cast", 2605, "oid:i castsource:i casttarget:i castfunc:i castcontext:s castmethod:s"},
	{"pg_language", 2612, "oid:i lanname:s lanowner:i lanispl:b lanpltrusted:b lanplcallfoid:i laninline:i lanvalidator:i lanacl:s"},
	{"pg_views", 12010, "schemaname:s viewname:s viewowner:s definition:s"},
	{"pg_matviews", 12011, "schemaname:s matviewname:s matviewowner:s tablespace:s hasindexes:b ispopulated:b definition:s"},
	{"pg_tables", 12012, "schemaname:s tablename:s tableowner:s tablespace:s hasindexes:b hasrules:b hastriggers:b rowsecurity:b"},
	{"pg_indexes", 12013, "schemaname:s tablename:s indexname:s tablespace:s indexdef:s"},
	{"pg_stat_activity", 12020, "datid:i datname:s pid:i usesysid:i usename:s application_name:s client_addr:s client_port:i state:s query:s"},
	{"information_schema.tables", 13100, ""},
	{"information_schema.columns", 13101, ""},
	{"information_schema.schemata", 13102, ""},
	{"information_schema.table_constraints", 13103, "constraint_catalog:s constraint_schema:s constraint_name:s table_catalog:s table_schema:s table_name:s constraint_type:s is_deferrable:s initially_deferred:s enforced:s nulls_distinct:s"},
	{"information_schema.key_column_usage", 13104, "constraint_catalog:s constraint_schema:s constraint_name:s table_catalog:s table_schema:s table_name:s column_name:s ordinal_position:i position_in_unique_constraint:i"},
	{"information_schema.views", 13105, "table_catalog:s table_schema:s table_name:s view_definition:s check_option:s is_updatable:s is_insertable_into:s is_trigger_updatable:s is_trigger_deletable:s is_trigger_insertable_into:s"},
	{"information_schema.referential_constraints", 13106, "constraint_catalog:s constraint_schema:s constraint_name:s unique_constraint_catalog:s unique_constraint_schema:s unique_constraint_name:s match_option:s update_rule:s delete_rule:s"},
	{"information_schema.constraint_column_usage", 13107, "table_catalog:s table_schema:s table_name:s column_name:s constraint_catalog:s constraint_schema:s constraint_name:s"},
	{"information_schema.routines", 13108, "specific_catalog:s specific_schema:s specific_name:s routine_catalog:s routine_schema:s routine_name:s routine_type:s data_type:s"},
	{"information_schema.sequences", 13109, "sequence_catalog:s sequence_schema:s sequence_name:s data_type:s"},
}

// sessionRelations are built for each statement from the session.
var sessionRelations = map[string]bool{"pg_settings": true, "pg_roles": true, "pg_user": true, "pg_authid": true, "pg_stat_activity": true}

// relColumns parses a systemRelations column list.
func relColumns(spec string) []rsmeta.Column {
	var cols []rsmeta.Column
	for _, f := range strings.Fields(spec) {
		name, t, _ := strings.Cut(f, ":")
		typ := map[string]catalog.Type{"s": catalog.TypeString, "i": catalog.TypeInt, "f": catalog.TypeFloat, "b": catalog.TypeBool}[t]
		cols = append(cols, rsmeta.Column{Name: name, Type: typ})
	}
	return cols
}

// nilIfEmpty is NULL for "".
func nilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// restTypeOID maps a profile column type to the PostgreSQL type it is
// served as.
func restTypeOID(t catalog.Type) uint32 {
	if t == "" {
		t = catalog.TypeString
	}
	return oidForType(t)
}

// buildPGCatalog builds a view's pg_catalog from its profile. defaultCat
// names the catalog whose schemas and tables pg_catalog shows ("" for
// none); infoCat the catalog information_schema shows ("" for all).
func buildPGCatalog(p *catalog.Profile, defaultCat string) *pgCatalog {
	pc := &pgCatalog{byOID: map[int64]*pgRelation{}, static: map[string]*rsmeta.Table{}, infoSchema: defaultCat}
	nsCatalog := &pgNamespace{oid: oidNSCatalog, name: "pg_catalog"}
	nsInfo := &pgNamespace{oid: oidNSInfoSchema, name: "information_schema"}
	pc.namespaces = []*pgNamespace{nsCatalog, nsInfo}
	oid := int64(firstUserOID)
	var cat *catalog.Catalog
	if p != nil && defaultCat != "" {
		for _, n := range p.CatalogNames() {
			if strings.EqualFold(n, defaultCat) {
				cat, _ = p.Catalog(n)
			}
		}
	}
	var userNS []*pgNamespace
	var schemas []*catalog.Schema
	if cat != nil {
		for _, sn := range cat.SchemaNames() {
			s, _ := cat.Schema(sn)
			ns := &pgNamespace{oid: oid, name: sn}
			oid++
			userNS = append(userNS, ns)
			schemas = append(schemas, s)
		}
	}
	pc.namespaces = append(pc.namespaces, userNS...)
	var tables []*pgRelation
	for i, s := range schemas {
		for _, tn := range s.TableNames() {
			t, _ := s.Table(tn)
			rel := &pgRelation{oid: oid, ns: userNS[i], name: tn, kind: "r", desc: t.Description}
			oid++
			for j, c := range t.Columns {
				typ, _ := typeByOID(restTypeOID(c.Type))
				a := pgAttribute{name: c.Name, typ: typ, num: int64(j + 1), notNull: c.Key || isRequiredColumn(t, c), desc: c.Description, restType: c.Type}
				rel.cols = append(rel.cols, a)
				if c.Key {
					rel.keys = append(rel.keys, a.num)
				}
			}
			tables = append(tables, rel)
		}
	}
	for _, t := range tables {
		if len(t.keys) == 0 {
			continue
		}
		idx := &pgRelation{oid: oid, ns: t.ns, name: t.name + "_pkey", kind: "i", table: t}
		oid++
		for _, k := range t.keys {
			a := t.cols[k-1]
			a.num = int64(len(idx.cols) + 1)
			idx.cols = append(idx.cols, a)
		}
		t.index = idx
	}
	// System relations, with their columns.
	sysOID := map[string]int64{}
	for _, sr := range systemRelations {
		ns, name, kind := nsCatalog, sr.name, "r"
		if rest, ok := strings.CutPrefix(sr.name, "information_schema."); ok {
			ns, name, kind = nsInfo, rest, "v"
		} else if strings.HasPrefix(sr.name, "pg_") && sr.oid >= 12000 && sr.oid < 13000 {
			kind = "v"
		}
		cols := relColumns(sr.cols)
		if sr.cols == "" {
			mt, _ := rsmeta.Lookup(p, []string{rsmeta.PGInfoSchema, name})
			if mt != nil {
				cols = mt.Columns
			}
		}
		rel := &pgRelation{oid: sr.oid, ns: ns, name: name, kind: kind}
		for j, c := range cols {
			typ, _ := typeByOID(restTypeOID(c.Type))
			rel.cols = append(rel.cols, pgAttribute{name: c.Name, typ: typ, num: int64(j + 1), restType: c.Type})
		}
		pc.relations = append(pc.relations, rel)
		sysOID[sr.name] = sr.oid
	}
	pc.relations = append(pc.relations, tables...)
	for _, t := range tables {
		if t.index != nil {
			pc.relations = append(pc.relations, t.index)
		}
	}
	for _, r := range pc.relations {
		pc.byOID[r.oid] = r
	}
	pc.buildStatic(p)
	return pc
}

// isRequiredColumn reports whether a column is a placeholder of its
// table's URL (a value every read needs).
func isRequiredColumn(t *catalog.Table, c *catalog.Column) bool {
	for _, n := range catalog.Placeholders(t.URL) {
		if strings.EqualFold(n, c.Name) {
			return true
		}
	}
	return false
}

// relationSchema returns the empty table of a system relation.
func relationSchema(name string) *rsmeta.Table {
	for _, sr := range systemRelations {
		if sr.name == name {
			return &rsmeta.Table{Name: name, Columns: relColumns(sr.cols)}
		}
	}
	return nil
}

// keyNames lists a table's primary-key column names.
func (r *pgRelation) keyNames() []string {
	var out []string
	for _, k := range r.keys {
		out = append(out, r.cols[k-1].name)
	}
	return out
}

func (pc *pgCatalog) buildStatic(p *catalog.Profile) {
	add := func(name string, rows ...[]any) {
		t := relationSchema(name)
		t.Rows = append(t.Rows, rows...)
		pc.static[name] = t
	}
	for _, sr := range systemRelations {
		if sr.cols != "" && !sessionRelations[sr.name] {
			add(sr.name)
		}
	}
	t := pc.static["pg_namespace"]
	for _, ns := range pc.namespaces {
		t.Rows = append(t.Rows, []any{ns.oid, ns.name, int64(oidRoleSession), nil})
	}
	t = pc.static["pg_class"]
	for _, r := range pc.relations {
		am := int64(oidAMHeap)
		switch r.kind {
		case "i":
			am = oidAMBtree
		case "v":
			am = 0
		}
		t.Rows = append(t.Rows, []any{r.oid, r.name, r.ns.oid, int64(0), int64(0), int64(oidRoleSession), am, int64(0), int64(0),
			int64(0), float64(-1), int64(0), int64(0), r.index != nil, false, "p", r.kind, int64(len(r.cols)), int64(0), false, false,
			false, false, false, true, "d", false, int64(0), int64(0), int64(0), nil, nil, nil, false})
	}
	t = pc.static["pg_attribute"]
	for _, r := range pc.relations {
		for _, a := range r.cols {
			storage, align := "x", "i"
			if a.typ.size > 0 {
				storage = "p"
				align = map[int16]string{1: "c", 2: "s", 4: "i", 8: "d"}[a.typ.size]
			}
			var coll int64
			if a.typ.oid == oidText {
				coll = oidCollDefault
			}
			t.Rows = append(t.Rows, []any{r.oid, a.name, int64(a.typ.oid), int64(-1), int64(a.typ.size), a.num, int64(0), int64(-1), int64(-1),
				a.typ.size > 0 && a.typ.size <= 8, align, storage, "", a.notNull, false, false, "", "", false, true, int64(0), coll, nil, nil, nil, nil})
		}
	}
	t = pc.static["pg_type"]
	for _, ty := range pgTypes {
		t.Rows = append(t.Rows, typeRow(ty, false))
		if ty.arrayOID != 0 {
			t.Rows = append(t.Rows, typeRow(ty, true))
		}
	}
	t = pc.static["pg_index"]
	for _, r := range pc.relations {
		if r.index == nil {
			continue
		}
		n := int64(len(r.keys))
		var key, zeros []string
		for _, k := range r.keys {
			key = append(key, strconv.FormatInt(k, 10))
			zeros = append(zeros, "0")
		}
		t.Rows = append(t.Rows, []any{r.index.oid, r.oid, n, n, true, false, true, false, true, false, true, false, true, true, false,
			strings.Join(key, " "), strings.Join(zeros, " "), strings.Join(zeros, " "), strings.Join(zeros, " "), nil, nil})
	}
	t = pc.static["pg_constraint"]
	for _, r := range pc.relations {
		if r.index == nil {
			continue
		}
		var key []string
		for _, k := range r.keys {
			key = append(key, strconv.FormatInt(k, 10))
		}
		t.Rows = append(t.Rows, []any{r.index.oid + 100000, r.index.name, r.ns.oid, "p", false, false, true, r.oid, int64(0), r.index.oid, int64(0), int64(0),
			" ", " ", " ", true, int64(0), true, "{" + strings.Join(key, ",") + "}", nil, nil, nil, nil, nil, nil, nil})
	}
	t = pc.static["pg_description"]
	for _, r := range pc.relations {
		if r.desc != "" {
			t.Rows = append(t.Rows, []any{r.oid, int64(oidRelPgClass), int64(0), r.desc})
		}
		if r.kind != "r" || r.ns.oid < firstUserOID {
			continue
		}
		for _, a := range r.cols {
			if a.desc != "" {
				t.Rows = append(t.Rows, []any{r.oid, int64(oidRelPgClass), a.num, a.desc})
			}
		}
	}
	pc.static["pg_proc"].Rows = procRows()
	pc.static["pg_am"].Rows = [][]any{{int64(oidAMHeap), "heap", "heap_tableam_handler", "t"}, {int64(oidAMBtree), "btree", "bthandler", "i"}, {int64(405), "hash", "hashhandler", "i"}}
	pc.static["pg_tablespace"].Rows = [][]any{{int64(oidTablespace), "pg_default", int64(oidRoleSession), nil, nil}, {int64(1664), "pg_global", int64(oidRoleSession), nil, nil}}
	pc.static["pg_collation"].Rows = [][]any{
		{int64(oidCollDefault), "default", int64(oidNSCatalog), int64(oidRoleSession), "d", true, int64(-1), nil, nil, nil, nil, nil},
		{int64(950), "C", int64(oidNSCatalog), int64(oidRoleSession), "c", true, int64(-1), "C", "C", nil, nil, nil},
		{int64(951), "POSIX", int64(oidNSCatalog), int64(oidRoleSession), "c", true, int64(-1), "POSIX", "POSIX", nil, nil, nil},
	}
	pc.static["pg_language"].Rows = [][]any{{int64(12), "internal", int64(oidRoleSession), false, false, int64(0), int64(0), int64(0), nil}}
	t = pc.static["pg_tables"]
	for _, r := range pc.relations {
		if r.kind == "r" && r.ns.oid >= firstUserOID {
			t.Rows = append(t.Rows, []any{r.ns.name, r.name, "restsql", nil, r.index != nil, false, false, false})
		}
	}
	t = pc.static["pg_indexes"]
	for _, r := range pc.relations {
		if r.index != nil {
			t.Rows = append(t.Rows, []any{r.ns.name, r.name, r.index.name, nil, pc.indexDef(r.index.oid, 0)})
		}
	}
	// information_schema: the profile's PostgreSQL-flavoured views, of the
	// database's catalog, and the primary keys as constraints.
	for _, v := range []string{"tables", "columns", "schemata"} {
		mt, _ := rsmeta.Lookup(p, []string{rsmeta.PGInfoSchema, v})
		out := &rsmeta.Table{Name: "information_schema." + v, Columns: mt.Columns}
		for _, row := range mt.Rows {
			if pc.infoSchema == "" || strings.EqualFold(row[0].(string), pc.infoSchema) {
				out.Rows = append(out.Rows, row)
			}
		}
		pc.static["information_schema."+v] = out
	}
	catName := nilIfEmpty(pc.infoSchema)
	tc, kcu, ccu := pc.static["information_schema.table_constraints"], pc.static["information_schema.key_column_usage"], pc.static["information_schema.constraint_column_usage"]
	for _, r := range pc.relations {
		if r.index == nil {
			continue
		}
		tc.Rows = append(tc.Rows, []any{catName, r.ns.name, r.index.name, catName, r.ns.name, r.name, "PRIMARY KEY", "NO", "NO", "YES", nil})
		for i, k := range r.keys {
			kcu.Rows = append(kcu.Rows, []any{catName, r.ns.name, r.index.name, catName, r.ns.name, r.name, r.cols[k-1].name, int64(i + 1), nil})
			ccu.Rows = append(ccu.Rows, []any{catName, r.ns.name, r.name, r.cols[k-1].name, catName, r.ns.name, r.index.name})
		}
	}
}

// typeRow is a pg_type row of a type, or of its array type.
func typeRow(ty pgType, array bool) []any {
	oid, name, size, elem, arr, cat := int64(ty.oid), ty.name, int64(ty.size), int64(0), int64(ty.arrayOID), typeCategory(ty.oid)
	in, out := ty.name+"in", ty.name+"out"
	if array {
		oid, name, size, elem, arr, cat = int64(ty.arrayOID), "_"+ty.name, -1, int64(ty.oid), 0, "A"
		in, out = "array_in", "array_out"
	}
	align, storage := "i", "x"
	if size > 0 {
		storage = "p"
		align = map[int64]string{1: "c", 2: "s", 4: "i", 8: "d", 64: "c"}[size]
	}
	typtype := "b"
	if ty.oid == oidUnknown && !array {
		typtype = "p"
	}
	var coll int64
	if ty.oid == oidText || ty.oid == oidVarchar || ty.oid == oidBPChar {
		coll = oidCollDefault
	}
	return []any{oid, name, int64(oidNSCatalog), int64(oidRoleSession), size, size > 0 && size <= 8, typtype, cat, false, true, ",", int64(0), nil,
		elem, arr, in, out, strings.TrimSuffix(in, "in") + "recv", strings.TrimSuffix(out, "out") + "send", "-", "-", "-", align, storage, false,
		int64(0), int64(-1), int64(0), coll, nil, nil, nil}
}

// typeCategory is pg_type.typcategory.
func typeCategory(oid uint32) string {
	switch oid {
	case oidBool:
		return "B"
	case oidInt2, oidInt4, oidInt8, oidFloat4, oidFloat8, oidNumeric, oidOID:
		return "N"
	case oidText, oidVarchar, oidBPChar, oidName, oidChar:
		return "S"
	case oidDate, oidTimestamp, oidTimestamptz:
		return "D"
	case oidUnknown:
		return "X"
	}
	return "U"
}

// pgFunctionOIDs numbers pg_proc's rows, in name order, from 9000.
func procRows() [][]any {
	names := map[string]*executor.Func{}
	for n, f := range executor.Funcs {
		names[strings.ToLower(n)] = f
	}
	for n, f := range pgFunctions {
		names[strings.ToLower(n)] = f
	}
	var sorted []string
	for n := range names {
		if !strings.HasPrefix(n, "pg_any") && !strings.HasPrefix(n, "pg_array_") && !strings.HasPrefix(n, "pg_reg") {
			sorted = append(sorted, n)
		}
	}
	sorted = append(sorted, "count", "sum", "avg", "min", "max")
	sort.Strings(sorted)
	var rows [][]any
	for i, n := range sorted {
		kind, ret, nargs := "f", int64(oidText), int64(0)
		if f := names[n]; f != nil {
			nargs = int64(f.MinArgs)
			ret = int64(oidForType(catalog.Type(f.Type)))
		} else {
			kind, nargs, ret = "a", 1, int64(oidNumeric)
		}
		rows = append(rows, []any{int64(9000 + i), n, int64(oidNSCatalog), int64(oidRoleSession), int64(12), float64(1), float64(0), int64(0), "-",
			kind, false, false, true, false, "s", "s", nargs, int64(0), ret, "", nil, nil, nil, nil, nil, n, nil, nil, nil, nil})
	}
	return rows
}

// indexDef is pg_get_indexdef(oid, col): the CREATE INDEX statement of a
// primary-key index, or the name of its col-th column.
func (pc *pgCatalog) indexDef(oid, col int64) any {
	r := pc.byOID[oid]
	if r == nil || r.kind != "i" {
		return nil
	}
	if col > 0 {
		if col > int64(len(r.cols)) {
			return ""
		}
		return quoteIdent(r.cols[col-1].name)
	}
	var cols []string
	for _, n := range r.table.keyNames() {
		cols = append(cols, quoteIdent(n))
	}
	return "CREATE UNIQUE INDEX " + quoteIdent(r.name) + " ON " + quoteIdent(r.ns.name) + "." + quoteIdent(r.table.name) + " USING btree (" + strings.Join(cols, ", ") + ")"
}

// constraintDef is pg_get_constraintdef(oid).
func (pc *pgCatalog) constraintDef(oid int64) any {
	r := pc.byOID[oid-100000]
	if r == nil || r.kind != "i" {
		return nil
	}
	var cols []string
	for _, n := range r.table.keyNames() {
		cols = append(cols, quoteIdent(n))
	}
	return "PRIMARY KEY (" + strings.Join(cols, ", ") + ")"
}

// quoteIdent quotes a name as PostgreSQL's quote_ident does.
func quoteIdent(s string) string {
	plain := s != ""
	for i, c := range s {
		if !(c >= 'a' && c <= 'z' || c == '_' || i > 0 && c >= '0' && c <= '9') {
			plain = false
		}
	}
	if plain && !reservedWords[s] {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// seriesTable is pg_catalog.restsql_series, the ordinals 1 to
// srfSeriesRows that rewriteSRF joins with.
var seriesTable = func() *rsmeta.Table {
	t := &rsmeta.Table{Name: "restsql_series", Columns: []rsmeta.Column{{Name: "i", Type: catalog.TypeInt}}}
	for i := 1; i <= srfSeriesRows; i++ {
		t.Rows = append(t.Rows, []any{int64(i)})
	}
	return t
}()

// pgExtension is restsql.Extension for a view: pg_catalog and
// information_schema as tables, and the catalog functions.
type pgExtension struct {
	srv  *Server
	view *view

	once sync.Once
	pc   *pgCatalog
}

func (e *pgExtension) catalog(p *catalog.Profile) *pgCatalog {
	e.once.Do(func() {
		e.pc = buildPGCatalog(p, e.view.defaultCatalog)
		e.pc.static["pg_database"].Rows = e.databaseRows()
	})
	return e.pc
}

// relationName is the system relation a name of one or two parts refers
// to ("" for none): pg_class, pg_catalog.pg_class,
// information_schema.tables.
func relationName(parts []string) string {
	switch len(parts) {
	case 1:
		n := strings.ToLower(parts[0])
		if strings.HasPrefix(n, "pg_") {
			return n
		}
	case 2:
		s, n := strings.ToLower(parts[0]), strings.ToLower(parts[1])
		switch s {
		case "pg_catalog":
			return n
		case "information_schema":
			return s + "." + n
		}
	}
	return ""
}

// Table implements restsql.Extension.
func (e *pgExtension) Table(ctx context.Context, p *catalog.Profile, parts []string) (*rsmeta.Table, bool) {
	name := relationName(parts)
	if name == "" {
		return nil, false
	}
	pc := e.catalog(p)
	if t, ok := pc.static[name]; ok {
		return t, true
	}
	if name == "restsql_series" {
		return seriesTable, true
	}
	if !sessionRelations[name] {
		return nil, false
	}
	ss, _ := ctx.Value(sessionKey{}).(*session)
	t := relationSchema(name)
	user := ""
	if ss != nil {
		user = ss.userName
	}
	switch name {
	case "pg_settings":
		if ss != nil {
			for _, s := range ss.settings.all() {
				t.Rows = append(t.Rows, []any{s[0], s[1], nil, "", "", nil, "user", "string", "default", nil, nil, nil, s[1], s[1], nil, nil, false})
			}
		}
	case "pg_roles":
		t.Rows = append(t.Rows, []any{user, false, true, false, false, true, false, int64(-1), "********", nil, false, nil, int64(oidRoleSession)})
	case "pg_user":
		t.Rows = append(t.Rows, []any{user, int64(oidRoleSession), false, false, false, false, "********", nil, nil})
	case "pg_authid":
		t.Rows = append(t.Rows, []any{int64(oidRoleSession), user, false, true, false, false, true, false, false, int64(-1), nil, nil})
	case "pg_stat_activity":
		if ss != nil {
			t.Rows = append(t.Rows, []any{int64(0), ss.database, int64(ss.pid), int64(oidRoleSession), user, nil, nil, nil, "active", nil})
		}
	}
	return t, true
}

// databaseRows are pg_database's rows for a view.
func (e *pgExtension) databaseRows() [][]any {
	var rows [][]any
	for i, d := range e.srv.databases(e.view) {
		rows = append(rows, []any{int64(oidDatabaseBase + i), d, int64(oidRoleSession), int64(6), "c", false, true, int64(-1), int64(0), int64(0),
			int64(oidTablespace), "C", "C", nil, nil, nil, nil})
	}
	return rows
}
