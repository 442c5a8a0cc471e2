// MetaData calls the DatabaseMetaData methods a database browser (DBeaver,
// DataGrip, a BI tool) calls on the PostgreSQL JDBC driver, and prints
// each result set as text: the method, its column labels, then its rows
// (selected columns, in order), one per line. The test compares the
// output with a golden file.
//
// Usage:
//
//	java -cp postgresql.jar MetaData.java URL USER PASSWORD
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.Properties;

public class MetaData {
    public static void main(String[] args) throws Exception {
        Properties props = new Properties();
        props.setProperty("user", args[1]);
        if (!args[2].isEmpty()) {
            props.setProperty("password", args[2]);
        }
        props.setProperty("connectTimeout", "10");
        props.setProperty("socketTimeout", "60");
        try (Connection c = DriverManager.getConnection(args[0], props)) {
            DatabaseMetaData md = c.getMetaData();
            print("getCatalogs", md.getCatalogs(), "TABLE_CAT");
            print("getSchemas", md.getSchemas(), "TABLE_SCHEM", "TABLE_CATALOG");
            print("getSchemas(API%)", md.getSchemas(null, "API%"), "TABLE_SCHEM");
            print("getTableTypes", md.getTableTypes(), "TABLE_TYPE");
            print("getTables(TABLE)", md.getTables(null, null, "%", new String[] {"TABLE"}), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS");
            print("getTables(VIEW)", md.getTables(null, null, "%", new String[] {"VIEW"}), "TABLE_SCHEM", "TABLE_NAME");
            print("getTables(post%)", md.getTables(null, "API", "post%", null), "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE");
            print("getColumns(todos)", md.getColumns(null, "API", "todos", "%"), "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "NULLABLE", "REMARKS", "ORDINAL_POSITION", "IS_NULLABLE", "IS_AUTOINCREMENT");
            print("getColumns(posts,t%)", md.getColumns(null, null, "posts", "t%"), "TABLE_NAME", "COLUMN_NAME", "TYPE_NAME", "ORDINAL_POSITION");
            print("getPrimaryKeys(posts)", md.getPrimaryKeys(null, "API", "posts"), "TABLE_SCHEM", "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME");
            print("getPrimaryKeys(comments_by_post)", md.getPrimaryKeys(null, null, "comments_by_post"), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ");
            print("getImportedKeys(posts)", md.getImportedKeys(null, "API", "posts"), "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME");
            print("getExportedKeys(users)", md.getExportedKeys(null, "API", "users"), "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME");
            print("getIndexInfo(posts)", md.getIndexInfo(null, "API", "posts", false, true), "TABLE_NAME", "NON_UNIQUE", "INDEX_NAME", "TYPE", "ORDINAL_POSITION", "COLUMN_NAME", "ASC_OR_DESC");
            print("getTablePrivileges(posts)", md.getTablePrivileges(null, "API", "posts"), "TABLE_SCHEM", "TABLE_NAME", "GRANTOR", "GRANTEE", "PRIVILEGE", "IS_GRANTABLE");
            print("getTypeInfo", md.getTypeInfo(), "TYPE_NAME", "DATA_TYPE", "PRECISION", "NULLABLE", "CASE_SENSITIVE", "SEARCHABLE");
            print("getProcedures", md.getProcedures(null, "API", "%"), "PROCEDURE_NAME");
        }
        System.out.println("done");
    }

    static void print(String what, ResultSet rs, String... cols) throws Exception {
        System.out.println("== " + what);
        ResultSetMetaData m = rs.getMetaData();
        StringBuilder labels = new StringBuilder();
        for (int i = 1; i <= m.getColumnCount(); i++) {
            if (i > 1) {
                labels.append(",");
            }
            labels.append(m.getColumnLabel(i).toLowerCase());
        }
        System.out.println("columns: " + labels);
        int n = 0;
        while (rs.next()) {
            StringBuilder row = new StringBuilder();
            for (int i = 0; i < cols.length; i++) {
                if (i > 0) {
                    row.append(" | ");
                }
                Object v = rs.getObject(cols[i]);
                row.append(v == null ? "NULL" : v.toString());
            }
            System.out.println(row);
            n++;
        }
        System.out.println("(" + n + " rows)");
        rs.close();
    }
}
