package restsql

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/restsql/restsql/planner"
)

// Partitioning splits a query into range partitions of one column, the way
// Spark's and Glue's JDBC readers split a table (partitionColumn,
// lowerBound, upperBound, numPartitions), so that the partitions can be
// read concurrently.
//
// The N partitions cover the whole query: the range from Lower to Upper is
// cut into N strides, the first partition also takes everything below its
// upper bound, and the NULLs unless NotNull is set ("C < b1 OR C IS NULL"),
// the last takes everything from its lower bound up ("C >= b"), and the
// others "C >= a AND C < b". Each predicate is added to the query's WHERE
// as a conjunct, so the planner pushes it to the API like any other filter
// the profile supports (on an int column whose API has only inclusive
// bounds, "C < b" is sent as "C <= b-1"). The first partition's "OR C IS
// NULL" is not pushable: its range is checked in the driver.
type Partitioning struct {
	// Column is the column to split on, as the query names it (id, p.id).
	// Its values must be numbers or datetimes.
	Column string
	// Lower and Upper are the bounds of the strides: int, int64 (or any
	// integer type), float64, time.Time, or a string holding one of these
	// (RFC 3339 or 2006-01-02 for a time). Outside them nothing is lost:
	// the first and last partitions are open-ended. PartitionQueries takes
	// nil bounds from MIN and MAX of the column.
	Lower, Upper any
	// N is the number of partitions. An integer range narrower than N
	// gives fewer partitions, one per value.
	N int
	// NotNull says the column is never NULL (a key column): the first
	// partition then has no "OR C IS NULL", so its range is pushed too.
	NotNull bool
	// AnsiQuotes reads "name" in the query and the Column as an identifier,
	// as a connection with the DSN's AnsiQuotes=true does. PartitionQueries
	// sets it from its database's connections.
	AnsiQuotes bool
}

// Partitions returns the n partition queries of query on column between
// lower and upper (see Partitioning; NULLs go to the first partition). It
// is Partitioning{Column: column, Lower: lower, Upper: upper, N: n}.Split(query).
//
// The query must be one SELECT without GROUP BY, aggregates, DISTINCT or
// LIMIT, which would mean something else per partition. Its ? placeholders
// are kept (written as :v1, :v2, …), so each partition query takes the
// query's arguments.
func Partitions(query, column string, lower, upper any, n int) ([]string, error) {
	return Partitioning{Column: column, Lower: lower, Upper: upper, N: n}.Split(query)
}

// Split returns the partition queries of query (see Partitions). With one
// partition, or when Lower equals Upper, it is the query itself.
func (p Partitioning) Split(query string) ([]string, error) {
	if p.N < 1 {
		return nil, fmt.Errorf("restsql: partitions: want at least 1 partition, not %d", p.N)
	}
	pq, err := planner.ParsePartition(query, p.Column, planner.ParseOptions{AnsiQuotes: p.AnsiQuotes})
	if err != nil {
		return nil, err
	}
	if p.Lower == nil || p.Upper == nil {
		return nil, errors.New("restsql: partitions: Lower and Upper are needed (PartitionQueries takes them from MIN and MAX)")
	}
	return pq.Split(p.Lower, p.Upper, p.N, p.NotNull)
}

// PartitionQueries returns the partition queries of query as Split does,
// after filling in from db what p leaves open: nil bounds from
// SELECT MIN(column), MAX(column) with the query's FROM and WHERE (so its
// filters are pushed as usual), and NotNull when sys_tablecolumns says the
// column is not nullable (a key column of the one table, or of an inner
// join, it belongs to). When the column has no value at all, the only
// partition is the query itself. args are the query's arguments.
func PartitionQueries(ctx context.Context, db *sql.DB, query string, p Partitioning, args ...any) ([]string, error) {
	if p.N < 1 {
		return nil, fmt.Errorf("restsql: partitions: want at least 1 partition, not %d", p.N)
	}
	if !p.AnsiQuotes {
		p.AnsiQuotes = ansiQuotes(ctx, db)
	}
	pq, err := planner.ParsePartition(query, p.Column, planner.ParseOptions{AnsiQuotes: p.AnsiQuotes})
	if err != nil {
		return nil, err
	}
	if p.Lower == nil || p.Upper == nil {
		lo, hi, err := partitionBounds(ctx, db, pq, args)
		if err != nil {
			return nil, err
		}
		if lo == nil || hi == nil {
			return []string{query}, nil
		}
		if p.Lower == nil {
			p.Lower = lo
		}
		if p.Upper == nil {
			p.Upper = hi
		}
	}
	if !p.NotNull {
		p.NotNull = columnNotNull(ctx, db, pq)
	}
	return pq.Split(p.Lower, p.Upper, p.N, p.NotNull)
}

// QueryPartitions runs the partition queries concurrently, each with args,
// and calls fn with each one's rows, from one goroutine per partition
// (part is the query's index). The first error (of a query or of fn)
// cancels the others' context and is returned. fn must not keep rows; they
// are closed when it returns. Limit the concurrency with
// sql.DB.SetMaxOpenConns.
func QueryPartitions(ctx context.Context, db *sql.DB, queries []string, args []any, fn func(ctx context.Context, part int, rows *sql.Rows) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		once  sync.Once
		first error
	)
	for i, q := range queries {
		wg.Go(func() {
			err := queryPartition(ctx, db, q, args, func(rows *sql.Rows) error { return fn(ctx, i, rows) })
			if err != nil {
				once.Do(func() {
					first = fmt.Errorf("restsql: partition %d of %d: %w", i+1, len(queries), err)
					cancel()
				})
			}
		})
	}
	wg.Wait()
	return first
}

func queryPartition(ctx context.Context, db *sql.DB, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if err := fn(rows); err != nil {
		return err
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return rows.Close()
}

// ansiQuotes reports whether db is a restsql database whose connections
// read "name" as an identifier.
func ansiQuotes(ctx context.Context, db *sql.DB) bool {
	c, err := db.Conn(ctx)
	if err != nil {
		return false
	}
	defer c.Close()
	ansi := false
	_ = c.Raw(func(dc any) error {
		if rc, ok := dc.(*conn); ok {
			ansi = rc.c.cfg.AnsiQuotes
		}
		return nil
	})
	return ansi
}

// partitionBounds runs SELECT MIN(col), MAX(col) with the query's FROM and WHERE.
func partitionBounds(ctx context.Context, db *sql.DB, pq *planner.Partition, args []any) (lo, hi any, err error) {
	q, err := pq.BoundsSQL()
	if err != nil {
		return nil, nil, err
	}
	if err := db.QueryRowContext(ctx, q, args...).Scan(&lo, &hi); err != nil {
		return nil, nil, fmt.Errorf("restsql: partitions: bounds of %s: %w", pq.ColumnName(), err)
	}
	return lo, hi, nil
}

// columnNotNull reports whether sys_tablecolumns says the column is not
// nullable. Any doubt (a LEFT JOIN, an unknown table, a derived table, a
// failed lookup) is "nullable".
func columnNotNull(ctx context.Context, db *sql.DB, pq *planner.Partition) bool {
	if _, _, ok := pq.ColumnTable(); !ok {
		return false
	}
	rows, err := db.QueryContext(ctx, "SELECT CatalogName, SchemaName, TableName, ColumnName, IsNullable FROM sys_tablecolumns")
	if err != nil {
		return false
	}
	defer rows.Close()
	matched, notNull := 0, true
	for rows.Next() {
		var catName, schema, table, column sql.NullString
		var nullable sql.NullBool
		if err := rows.Scan(&catName, &schema, &table, &column, &nullable); err != nil {
			return false
		}
		if !pq.MatchesColumn(catName.String, schema.String, table.String, column.String) {
			continue
		}
		matched++
		notNull = notNull && nullable.Valid && !nullable.Bool
	}
	return rows.Err() == nil && matched > 0 && notNull
}
