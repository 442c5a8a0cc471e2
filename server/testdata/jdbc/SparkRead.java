// SparkRead reads one table through the PostgreSQL JDBC driver the way
// Spark's JDBC data source does, and checks that the partitions add up to
// the whole table:
//
//  1. DatabaseMetaData.getTables and getColumns find the table and its
//     columns (what a catalog browser, Glue crawler or Spark SQL's
//     "SHOW TABLES"/"DESCRIBE" see);
//  2. the schema probe SELECT * FROM table WHERE 1=0 returns the same
//     columns, with their JDBC types, and no rows;
//  3. a prepared statement binds a parameter as JDBC does (setLong);
//  4. numPartitions queries run in parallel, each on its own connection in
//     a read-only transaction with a fetch size (so the driver reads through
//     a portal, fetchSize rows at a time), with the WHERE clauses Spark
//     generates from partitionColumn, lowerBound and upperBound;
//  5. the union of the partitions equals SELECT * of the whole table.
//
// Usage:
//
//	java -cp postgresql.jar SparkRead.java URL USER PASSWORD TABLE COLUMN LOWER UPPER PARTITIONS FETCHSIZE
//
// It prints what it did and "OK" and exits 0, or prints the mismatch and
// exits 1.
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

public class SparkRead {
    public static void main(String[] args) throws Exception {
        if (args.length != 9) {
            System.err.println("usage: SparkRead URL USER PASSWORD TABLE COLUMN LOWER UPPER PARTITIONS FETCHSIZE");
            System.exit(2);
        }
        String url = args[0];
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        if (!args[2].isEmpty()) {
            props.setProperty("password", args[2]);
        }
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        String table = args[3];
        String column = args[4];
        long lower = Long.parseLong(args[5]);
        long upper = Long.parseLong(args[6]);
        int partitions = Integer.parseInt(args[7]);
        int fetchSize = Integer.parseInt(args[8]);

        List<String> columns = new ArrayList<>();
        List<Integer> types = new ArrayList<>();
        try (Connection conn = DriverManager.getConnection(url, props)) {
            DatabaseMetaData md = conn.getMetaData();
            System.out.println("server: " + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion());

            // 1. getTables / getColumns.
            String schema = null;
            try (ResultSet rs = md.getTables(null, null, table, new String[] {"TABLE"})) {
                while (rs.next()) {
                    if (rs.getString("TABLE_NAME").equals(table)) {
                        schema = rs.getString("TABLE_SCHEM");
                    }
                }
            }
            check(schema != null, "getTables did not list " + table);
            System.out.println("getTables: " + schema + "." + table);
            try (ResultSet rs = md.getColumns(null, schema, table, null)) {
                while (rs.next()) {
                    columns.add(rs.getString("COLUMN_NAME"));
                    types.add(rs.getInt("DATA_TYPE"));
                    check(rs.getInt("ORDINAL_POSITION") == columns.size(), "getColumns: ORDINAL_POSITION out of order");
                }
            }
            check(!columns.isEmpty(), "getColumns listed no columns of " + table);
            System.out.println("getColumns: " + columns + " types " + types);
            int part = columns.indexOf(column);
            check(part >= 0, "getColumns did not list " + column);
            check(types.get(part) == Types.BIGINT, column + " is not BIGINT but JDBC type " + types.get(part));

            // 2. The schema probe.
            try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM " + quote(table) + " WHERE 1=0");
                    ResultSet rs = ps.executeQuery()) {
                ResultSetMetaData rmd = rs.getMetaData();
                check(rmd.getColumnCount() == columns.size(), "probe has " + rmd.getColumnCount() + " columns, getColumns " + columns.size());
                for (int i = 0; i < columns.size(); i++) {
                    check(rmd.getColumnName(i + 1).equals(columns.get(i)), "probe column " + (i + 1) + " is " + rmd.getColumnName(i + 1));
                    check(rmd.getColumnType(i + 1) == types.get(i), "probe column " + columns.get(i) + " has JDBC type " + rmd.getColumnType(i + 1) + ", getColumns " + types.get(i));
                }
                check(!rs.next(), "the WHERE 1=0 probe returned a row");
            }
            System.out.println("probe: " + columns.size() + " columns, no rows");

            // 3. A parameter bound as JDBC binds it.
            try (PreparedStatement ps = conn.prepareStatement("SELECT " + quote(column) + " FROM " + quote(table) + " WHERE " + quote(column) + " = ?")) {
                ps.setLong(1, lower);
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next(), "no row with " + column + " = " + lower);
                    check(rs.getLong(1) == lower, "the row with " + column + " = " + lower + " has " + rs.getLong(1));
                    check(!rs.next(), "several rows with " + column + " = " + lower);
                }
            }
            System.out.println("parameter: " + column + " = " + lower + " found");
        }

        // 4. The partitions, in parallel.
        String select = "SELECT " + String.join(",", columns.stream().map(SparkRead::quote).toList()) + " FROM " + quote(table);
        List<String> where = partitionWhere(quote(column), lower, upper, partitions);
        ExecutorService pool = Executors.newFixedThreadPool(partitions);
        List<Future<List<String>>> futures = new ArrayList<>();
        for (String w : where) {
            futures.add(pool.submit(() -> read(url, props, select + " WHERE " + w, fetchSize)));
        }
        List<String> union = new ArrayList<>();
        for (int i = 0; i < futures.size(); i++) {
            List<String> rows = futures.get(i).get(60, TimeUnit.SECONDS);
            System.out.println("partition " + (i + 1) + " (" + where.get(i) + "): " + rows.size() + " rows");
            union.addAll(rows);
        }
        pool.shutdown();

        // 5. The whole table, in one query.
        List<String> whole = read(url, props, select, 0);
        Collections.sort(union);
        Collections.sort(whole);
        check(!whole.isEmpty(), "the table is empty");
        check(union.equals(whole), "the partitions hold " + union.size() + " rows, the table " + whole.size() + ", or their rows differ");
        System.out.println("OK: " + partitions + " partitions hold the table's " + whole.size() + " rows");
    }

    // partitionWhere is Spark's JDBCRelation.columnPartition for a numeric
    // column: the first partition also takes NULLs and everything below,
    // the last everything above.
    static List<String> partitionWhere(String column, long lower, long upper, int n) {
        long stride = upper / n - lower / n;
        List<String> out = new ArrayList<>();
        long current = lower;
        for (int i = 0; i < n; i++) {
            String lo = i == 0 ? null : column + " >= " + current;
            current += stride;
            String hi = i == n - 1 ? null : column + " < " + current;
            if (lo == null) {
                out.add(hi + " or " + column + " is null");
            } else if (hi == null) {
                out.add(lo);
            } else {
                out.add(lo + " AND " + hi);
            }
        }
        return out;
    }

    // read runs a query as a Spark task does: its own connection, a
    // transaction (so the fetch size reads through a portal) and every
    // value read as a string.
    static List<String> read(String url, Properties props, String sql, int fetchSize) throws SQLException {
        List<String> rows = new ArrayList<>();
        try (Connection conn = DriverManager.getConnection(url, props)) {
            if (fetchSize > 0) {
                conn.setAutoCommit(false);
            }
            conn.setReadOnly(true);
            try (PreparedStatement ps = conn.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY)) {
                ps.setFetchSize(fetchSize);
                ps.setQueryTimeout(60);
                try (ResultSet rs = ps.executeQuery()) {
                    int n = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        StringBuilder sb = new StringBuilder();
                        for (int i = 1; i <= n; i++) {
                            if (i > 1) {
                                sb.append('\u0001');
                            }
                            sb.append(rs.getString(i));
                        }
                        rows.add(sb.toString());
                    }
                }
            }
            if (fetchSize > 0) {
                conn.commit();
            }
        }
        return rows;
    }

    static String quote(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    static void check(boolean ok, String msg) {
        if (!ok) {
            System.err.println("FAIL: " + msg);
            System.exit(1);
        }
    }
}
