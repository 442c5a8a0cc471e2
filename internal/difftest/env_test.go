package difftest

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite" // the reference engine

	"github.com/restsql/restsql"
	"github.com/restsql/restsql/catalog"
	"github.com/restsql/restsql/demoapi"
)

// env is one restsql database over a running demo API, and two SQLite
// databases holding the same data: lite answers the reference query, and
// liteRev, whose tables hold their rows in the opposite order (so every
// scan, join and sort sees them reversed), runs it again to catch queries
// whose answer depends on an order SQL does not fix. The SQLite databases
// are shared by every env of the test binary; they are only read.
type env struct {
	rs      *sql.DB
	srv     *demoapi.Running
	lite    *sql.DB
	liteRev *sql.DB
}

// sqliteDBs are the two SQLite databases, loaded once (loading is slow
// under -race, where modernc.org/sqlite's pointer checks dominate).
var sqliteDBs struct {
	once          sync.Once
	lite, liteRev *sql.DB
	err           error
}

func TestMain(m *testing.M) {
	flag.Parse()
	code := m.Run()
	if sqliteDBs.lite != nil {
		_ = sqliteDBs.lite.Close()
		_ = sqliteDBs.liteRev.Close()
	}
	os.Exit(code)
}

// loadSQLite returns the shared SQLite databases, loading them on first use
// from the demo data set and profile.
func loadSQLite(t testing.TB) (lite, liteRev *sql.DB) {
	t.Helper()
	sqliteDBs.once.Do(func() {
		prof, err := catalog.Parse(demoapi.ProfileFor("http://127.0.0.1:1"), "demo.yaml")
		if err != nil {
			sqliteDBs.err = err
			return
		}
		data := demoapi.New().DB()
		if sqliteDBs.lite, err = openSQLite(prof, data, false); err != nil {
			sqliteDBs.err = err
			return
		}
		sqliteDBs.liteRev, sqliteDBs.err = openSQLite(prof, data, true)
	})
	require.NoError(t, sqliteDBs.err, "loading SQLite")
	return sqliteDBs.lite, sqliteDBs.liteRev
}

// newEnv starts the demo API and opens restsql on it, beside the shared
// SQLite databases.
func newEnv(t testing.TB) *env {
	t.Helper()
	srv, err := demoapi.Start()
	require.NoError(t, err)
	t.Cleanup(func() { _ = srv.Close() })
	prof, err := catalog.Parse(demoapi.ProfileFor(srv.URL), "demo.yaml")
	require.NoError(t, err)
	cfg := restsql.NewConfig()
	// The demo API gzips large pages for a client that accepts it; here
	// compression would only cost time (most of the suite's, under -race).
	transport := &http.Transport{DisableCompression: true}
	t.Cleanup(transport.CloseIdleConnections)
	cfg.Transport = transport
	for _, n := range prof.CatalogNames() {
		c, _ := prof.Catalog(n)
		cfg.Catalogs = append(cfg.Catalogs, c)
	}
	conn, err := restsql.NewConnector(cfg)
	require.NoError(t, err)
	rs := sql.OpenDB(conn)
	t.Cleanup(func() { _ = rs.Close() })

	lite, liteRev := loadSQLite(t)
	return &env{rs: rs, srv: srv, lite: lite, liteRev: liteRev}
}

// openSQLite creates an in-memory SQLite database with one table per table
// of the profile, filled from the demo data set (in reverse with reverse).
func openSQLite(prof *catalog.Profile, data map[string][]map[string]any, reverse bool) (*sql.DB, error) {
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		return nil, err
	}
	// One connection: every connection to ":memory:" is a database of its own.
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	ctx := context.Background()
	for _, table := range profileTables(prof) {
		rows, ok := data[collectionOf(table)]
		if !ok {
			err = fmt.Errorf("table %s: no demo collection %q", table.Name, collectionOf(table))
		} else if err = createTable(ctx, db, table, rows, reverse); err != nil {
			err = fmt.Errorf("table %s: %w", table.Name, err)
		}
		if err != nil {
			_ = db.Close()
			return nil, err
		}
	}
	return db, nil
}

// profileTables lists every table of the profile.
func profileTables(prof *catalog.Profile) []*catalog.Table {
	var out []*catalog.Table
	for _, cn := range prof.CatalogNames() {
		c, _ := prof.Catalog(cn)
		for _, sn := range c.SchemaNames() {
			s, _ := c.Schema(sn)
			for _, tn := range s.TableNames() {
				tab, _ := s.Table(tn)
				out = append(out, tab)
			}
		}
	}
	return out
}

// collectionOf names the demo collection a table reads: the last segment of
// its URL (/posts/{postId}/comments reads comments, all of which have a
// postId, so the SQLite table holds every comment).
func collectionOf(t *catalog.Table) string {
	return path.Base(t.URL)
}

var sqliteTypes = map[catalog.Type]string{
	catalog.TypeString:   "TEXT",
	catalog.TypeInt:      "INTEGER",
	catalog.TypeFloat:    "REAL",
	catalog.TypeBool:     "INTEGER", // 0 and 1
	catalog.TypeDatetime: "TEXT",    // RFC 3339 in UTC
	catalog.TypeJSON:     "TEXT",
}

func columnType(c *catalog.Column) catalog.Type {
	if c.Type == "" {
		return catalog.TypeString
	}
	return c.Type
}

// createTable creates and fills one table, inserting the rows in their
// order or in reverse.
func createTable(ctx context.Context, db *sql.DB, t *catalog.Table, rows []map[string]any, reverse bool) error {
	defs := make([]string, len(t.Columns))
	marks := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		defs[i] = fmt.Sprintf("%q %s", c.Name, sqliteTypes[columnType(c)])
		marks[i] = "?"
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf("CREATE TABLE %q (%s)", t.Name, strings.Join(defs, ", "))); err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	insert, err := tx.PrepareContext(ctx, fmt.Sprintf("INSERT INTO %q VALUES (%s)", t.Name, strings.Join(marks, ", ")))
	if err != nil {
		return err
	}
	defer insert.Close()
	for i := range rows {
		r := rows[i]
		if reverse {
			r = rows[len(rows)-1-i]
		}
		vals := make([]any, len(t.Columns))
		for i, c := range t.Columns {
			p := c.Path
			if p == "" {
				p = c.Name
			}
			v, err := sqliteValue(lookupPath(r, p), columnType(c))
			if err != nil {
				return fmt.Errorf("row %v column %s: %w", r["id"], c.Name, err)
			}
			vals[i] = v
		}
		if _, err := insert.ExecContext(ctx, vals...); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// lookupPath follows a dotted path (address.geo.lat) through nested objects;
// a missing field is nil, as a JSON null.
func lookupPath(row map[string]any, p string) any {
	var cur any = row
	for _, seg := range strings.Split(p, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[seg]
	}
	return cur
}

// sqliteValue converts a demo value to what SQLite stores for a column type.
func sqliteValue(v any, typ catalog.Type) (any, error) {
	if v == nil {
		return nil, nil
	}
	switch typ {
	case catalog.TypeInt:
		switch x := v.(type) {
		case int:
			return int64(x), nil
		case float64:
			return int64(x), nil
		}
	case catalog.TypeFloat:
		switch x := v.(type) {
		case int:
			return float64(x), nil
		case float64:
			return x, nil
		}
	case catalog.TypeBool:
		if b, ok := v.(bool); ok {
			if b {
				return int64(1), nil
			}
			return int64(0), nil
		}
	case catalog.TypeDatetime:
		if s, ok := v.(string); ok {
			tm, err := time.Parse(time.RFC3339Nano, s)
			if err != nil {
				return nil, err
			}
			return tm.UTC().Format(time.RFC3339Nano), nil
		}
	case catalog.TypeString:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case catalog.TypeJSON:
		b, err := json.Marshal(v)
		return string(b), err
	}
	return nil, fmt.Errorf("value %#v does not fit type %s", v, typ)
}
