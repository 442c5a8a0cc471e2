import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Timestamp;
import java.sql.Types;

/**
 * ReadAll is the JDBC reader of restsql's serve benchmark (bench package,
 * scenario serve): it connects once, prepares the query once, prints
 * "ready", then runs the query for each line it reads on standard input
 * and answers with a line "ROWS OUT_OF_ORDER CHECK": every column is read
 * with the getter of its type (getLong, getDouble, getString, getBoolean,
 * getTimestamp), as an ETL job reads it; the first column is the id, which
 * must count up from 1.
 */
public class ReadAll {
    public static void main(String[] args) throws Exception {
        String url = args[0], query = args[1];
        try (Connection c = DriverManager.getConnection(url, "bench", "")) {
            PreparedStatement ps = c.prepareStatement(query);
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
            System.out.println("ready");
            System.out.flush();
            while (in.readLine() != null) {
                long n = 0, bad = 0, last = 0, check = 0;
                try (ResultSet rs = ps.executeQuery()) {
                    ResultSetMetaData md = rs.getMetaData();
                    int cols = md.getColumnCount();
                    int[] types = new int[cols + 1];
                    for (int i = 1; i <= cols; i++) {
                        types[i] = md.getColumnType(i);
                    }
                    while (rs.next()) {
                        n++;
                        for (int i = 1; i <= cols; i++) {
                            switch (types[i]) {
                                case Types.BIGINT:
                                case Types.INTEGER:
                                case Types.SMALLINT:
                                    check += rs.getLong(i);
                                    break;
                                case Types.DOUBLE:
                                case Types.REAL:
                                    check += (long) rs.getDouble(i);
                                    break;
                                case Types.BIT:
                                case Types.BOOLEAN:
                                    check += rs.getBoolean(i) ? 1 : 0;
                                    break;
                                case Types.TIMESTAMP:
                                case Types.TIMESTAMP_WITH_TIMEZONE:
                                    Timestamp t = rs.getTimestamp(i);
                                    check += t == null ? 0 : t.getTime() / 1000;
                                    break;
                                default:
                                    String s = rs.getString(i);
                                    check += s == null ? 0 : s.length();
                            }
                        }
                        long id = rs.getLong(1);
                        if (n > 1 && id != last + 1) {
                            bad++;
                        }
                        last = id;
                    }
                }
                System.out.println(n + " " + bad + " " + check);
                System.out.flush();
            }
        }
    }
}
