// pgjdbc (Debian libpostgresql-jdbc-java) against a PostgreSQL-compatible server: connect,
// DDL, every supported type bound as a parameter and read back exactly (NULLs too), commit
// and rollback, SQLSTATEs surfaced as SQLException.getSQLState(), and server-side prepared
// statements reused (prepareThreshold=1). Usage: java -cp postgresql.jar:. DriverTest URL
// Prints "ok <check>" per check; the first failure throws and exits non-zero.
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Objects;
import java.util.UUID;

import org.postgresql.PGConnection;
import org.postgresql.PGStatement;
import org.postgresql.util.PGInterval;

public final class DriverTest {
    private static void check(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError(what);
        }
    }

    private static void eq(Object want, Object got, String what) {
        boolean same = (want instanceof byte[] && got instanceof byte[])
                ? Arrays.equals((byte[]) want, (byte[]) got)
                : (want instanceof Object[] && got instanceof Object[])
                ? Arrays.equals((Object[]) want, (Object[]) got)
                : Objects.equals(want, got);
        if (!same) {
            throw new AssertionError(what + ": want " + show(want) + " got " + show(got)
                    + (got == null ? "" : " (" + got.getClass().getName() + ")"));
        }
    }

    private static String show(Object o) {
        if (o instanceof byte[]) {
            return Arrays.toString((byte[]) o);
        }
        if (o instanceof Object[]) {
            return Arrays.toString((Object[]) o);
        }
        return String.valueOf(o);
    }

    private static void ok(String what) {
        System.out.println("ok " + what);
    }

    private static final String COLS = "i2, i4, i8, f4, f8, num, b, t, vc, by, d, tm, ts, tstz, iv, u, ia, ta";

    // One row of values, in COLS order; null entries test NULL round trips.
    private static final class Row {
        Short i2; Integer i4; Long i8; Float f4; Double f8; BigDecimal num; Boolean b;
        String t; String vc; byte[] by; LocalDate d; LocalTime tm; LocalDateTime ts;
        OffsetDateTime tstz; PGInterval iv; UUID u; Integer[] ia; String[] ta;
    }

    private static Row rowA() throws SQLException {
        Row r = new Row();
        r.i2 = Short.MIN_VALUE;
        r.i4 = Integer.MAX_VALUE;
        r.i8 = Long.MIN_VALUE;
        r.f4 = 3.4028235e38f;
        r.f8 = 0.1 + 0.2;
        r.num = new BigDecimal("-12345678901234567890.000123456789");
        r.b = true;
        r.t = "héllo, wörld ✓ 'quoted' \"dq\" \\ back\ttab\nnewline";
        r.vc = "varchar value";
        r.by = new byte[] {0, 1, 2, (byte) 0xff, (byte) 0x80, 92, 39};
        r.d = LocalDate.of(2024, 2, 29);
        r.tm = LocalTime.of(23, 59, 58, 123456000);
        r.ts = LocalDateTime.of(1999, 12, 31, 23, 59, 59, 999999000);
        r.tstz = OffsetDateTime.of(2021, 6, 15, 10, 20, 30, 500000000, ZoneOffset.UTC);
        r.iv = new PGInterval(1, 2, 3, 4, 5, 6.789);
        r.u = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        r.ia = new Integer[] {1, -2, null, 2147483647};
        r.ta = new String[] {"a", "b c", null, "", "q\"uote,comma{}"};
        return r;
    }

    private static Row rowB() throws SQLException {
        Row r = new Row();
        r.i2 = (short) 0;
        r.i4 = -1;
        r.i8 = 9007199254740993L;
        r.f4 = -1.5e-10f;
        r.f8 = Double.NEGATIVE_INFINITY;
        r.num = new BigDecimal("0.5");
        r.b = false;
        r.t = "";
        r.vc = "";
        r.by = new byte[0];
        r.d = LocalDate.of(1, 1, 1);
        r.tm = LocalTime.MIDNIGHT;
        r.ts = LocalDateTime.of(2262, 4, 11, 23, 47, 16);
        r.tstz = OffsetDateTime.of(1970, 1, 1, 0, 0, 0, 1000, ZoneOffset.UTC);
        r.iv = new PGInterval(0, 0, -3, 0, 0, 0);
        r.u = UUID.fromString("00000000-0000-0000-0000-000000000000");
        r.ia = new Integer[] {};
        r.ta = new String[] {"only"};
        return r;
    }

    private static void bind(Connection c, PreparedStatement ps, int id, Row r) throws SQLException {
        int k = 1;
        ps.setInt(k++, id);
        if (r.i2 == null) ps.setNull(k++, Types.SMALLINT); else ps.setShort(k++, r.i2);
        if (r.i4 == null) ps.setNull(k++, Types.INTEGER); else ps.setInt(k++, r.i4);
        if (r.i8 == null) ps.setNull(k++, Types.BIGINT); else ps.setLong(k++, r.i8);
        if (r.f4 == null) ps.setNull(k++, Types.REAL); else ps.setFloat(k++, r.f4);
        if (r.f8 == null) ps.setNull(k++, Types.DOUBLE); else ps.setDouble(k++, r.f8);
        ps.setBigDecimal(k++, r.num);
        if (r.b == null) ps.setNull(k++, Types.BOOLEAN); else ps.setBoolean(k++, r.b);
        ps.setString(k++, r.t);
        ps.setString(k++, r.vc);
        ps.setBytes(k++, r.by);
        ps.setObject(k++, r.d);
        ps.setObject(k++, r.tm);
        ps.setObject(k++, r.ts);
        ps.setObject(k++, r.tstz);
        ps.setObject(k++, r.iv);
        ps.setObject(k++, r.u);
        ps.setArray(k++, r.ia == null ? null : c.createArrayOf("int4", r.ia));
        ps.setArray(k++, r.ta == null ? null : c.createArrayOf("text", r.ta));
    }

    private static Object[] arr(ResultSet rs, int col) throws SQLException {
        Array a = rs.getArray(col);
        return a == null ? null : (Object[]) a.getArray();
    }

    private static void verify(ResultSet rs, Row r, String tag) throws SQLException {
        int k = 1;
        eq(r.i2, rs.getObject(k++) == null ? null : rs.getShort(k - 1), tag + " int2");
        eq(r.i4, rs.getObject(k++, Integer.class), tag + " int4");
        eq(r.i8, rs.getObject(k++, Long.class), tag + " int8");
        eq(r.f4, rs.getObject(k++, Float.class), tag + " float4");
        eq(r.f8, rs.getObject(k++, Double.class), tag + " float8");
        eq(r.num, rs.getBigDecimal(k++), tag + " numeric");
        eq(r.b, rs.getObject(k++, Boolean.class), tag + " bool");
        eq(r.t, rs.getString(k++), tag + " text");
        eq(r.vc, rs.getString(k++), tag + " varchar");
        eq(r.by, rs.getBytes(k++), tag + " bytea");
        eq(r.d, rs.getObject(k++, LocalDate.class), tag + " date");
        eq(r.tm, rs.getObject(k++, LocalTime.class), tag + " time");
        eq(r.ts, rs.getObject(k++, LocalDateTime.class), tag + " timestamp");
        OffsetDateTime tz = rs.getObject(k++, OffsetDateTime.class);
        eq(r.tstz == null ? null : r.tstz.toInstant(), tz == null ? null : tz.toInstant(),
           tag + " timestamptz");
        eq(r.iv, rs.getObject(k++), tag + " interval");
        eq(r.u, rs.getObject(k++), tag + " uuid");
        eq(r.ia, arr(rs, k++), tag + " int4[]");
        eq(r.ta, arr(rs, k++), tag + " text[]");
    }

    private static String sqlState(Statement s, String sql) {
        try {
            s.execute(sql);
        } catch (SQLException e) {
            return e.getSQLState();
        }
        throw new AssertionError("no error from " + sql);
    }

    private static String sqlState(PreparedStatement ps) {
        try {
            ps.execute();
        } catch (SQLException e) {
            return e.getSQLState();
        }
        throw new AssertionError("no error from " + ps);
    }

    public static void main(String[] args) throws Exception {
        String url = args[0];
        try (Connection c = DriverManager.getConnection(url)) {
            check(c.isValid(5), "connection valid");
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select 1 + 1")) {
                check(rs.next() && rs.getInt(1) == 2, "select 1 + 1");
            }
            check(c.unwrap(PGConnection.class).getPrepareThreshold() == 1, "prepareThreshold=1");
            ok("connect " + c.getMetaData().getDatabaseProductName() + " "
               + c.getMetaData().getDatabaseProductVersion());

            try (Statement s = c.createStatement()) {
                s.execute("drop table if exists jt");
                s.execute("create table jt (id int primary key, i2 smallint, i4 integer, "
                          + "i8 bigint, f4 real, f8 double precision, num numeric, b boolean, "
                          + "t text, vc varchar(40), by bytea, d date, tm time, ts timestamp, "
                          + "tstz timestamptz, iv interval, u uuid, ia int4[], ta text[])");
            }
            ok("ddl");

            Row a = rowA();
            Row b = rowB();
            Row n = new Row();
            String ins = "insert into jt (id, " + COLS + ") values "
                         + "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
            try (PreparedStatement ps = c.prepareStatement(ins)) {
                bind(c, ps, 1, a);
                check(ps.executeUpdate() == 1, "insert row 1");
                bind(c, ps, 2, b);
                check(ps.executeUpdate() == 1, "insert row 2");
                bind(c, ps, 3, n);
                check(ps.executeUpdate() == 1, "insert row 3 (nulls)");
                check(ps.unwrap(PGStatement.class).isUseServerPrepare(),
                      "insert is a server-side prepared statement");
            }
            try (PreparedStatement ps = c.prepareStatement("select " + COLS + " from jt where id = ?")) {
                Row[] want = {a, b, n};
                for (int round = 0; round < 2; round++) {
                    for (int id = 1; id <= 3; id++) {
                        ps.setInt(1, id);
                        try (ResultSet rs = ps.executeQuery()) {
                            check(rs.next(), "row " + id);
                            verify(rs, want[id - 1], "row " + id + " round " + round);
                            check(!rs.next(), "one row " + id);
                        }
                    }
                }
                check(ps.unwrap(PGStatement.class).isUseServerPrepare(),
                      "select is a server-side prepared statement");
            }
            ok("types round trip (params and results, text and binary)");

            // the same values as parameters compared on the server side
            try (PreparedStatement ps = c.prepareStatement(
                    "select count(*) from jt where i8 = ? and num = ? and t = ? and by = ? "
                    + "and ts = ? and tstz = ? and u = ? and iv = ?")) {
                bind1(ps, a);
                try (ResultSet rs = ps.executeQuery()) {
                    check(rs.next() && rs.getLong(1) == 1, "parameters compared in WHERE");
                }
            }
            ok("parameters in WHERE");

            // transactions
            c.setAutoCommit(false);
            try (PreparedStatement ps = c.prepareStatement("insert into jt (id, t) values (?, ?)")) {
                ps.setInt(1, 10);
                ps.setString(2, "committed");
                ps.executeUpdate();
                c.commit();
                ps.setInt(1, 11);
                ps.setString(2, "rolled back");
                ps.executeUpdate();
                c.rollback();
            }
            c.setAutoCommit(true);
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("select id, t from jt where id >= 10 order by id")) {
                check(rs.next() && rs.getInt(1) == 10 && rs.getString(2).equals("committed"),
                      "committed row");
                check(!rs.next(), "rolled-back row absent");
            }
            ok("commit and rollback");

            // errors and their SQLSTATEs
            try (Statement s = c.createStatement();
                 PreparedStatement dup = c.prepareStatement("insert into jt (id) values (?)");
                 PreparedStatement div = c.prepareStatement("select 1 / ?")) {
                dup.setInt(1, 1);
                eq("23505", sqlState(dup), "duplicate key");
                div.setInt(1, 0);
                eq("22012", sqlState(div), "division by zero");
                eq("42P01", sqlState(s, "select * from no_such_table"), "undefined table");
                eq("42601", sqlState(s, "selec 1"), "syntax error");
                c.setAutoCommit(false);
                eq("23505", sqlState(dup), "duplicate key in a transaction");
                eq("25P02", sqlState(s, "select 1"), "statement after an error in a transaction");
                c.rollback();
                c.setAutoCommit(true);
                try (ResultSet rs = s.executeQuery("select count(*) from jt")) {
                    check(rs.next() && rs.getLong(1) == 4, "rows after the errors");
                }
            }
            ok("errors carry SQLSTATE");

            // server-side prepared statement reused many times, with a batch
            try (PreparedStatement ps = c.prepareStatement("insert into jt (id, i8, t) values (?, ?, ?)")) {
                for (int i = 100; i < 150; i++) {
                    ps.setInt(1, i);
                    ps.setLong(2, (long) i * i);
                    ps.setString(3, "batch " + i);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                check(counts.length == 50, "batch size");
                for (int cnt : counts) {
                    check(cnt == 1, "batch count " + cnt);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("select i8, t from jt where id = ?")) {
                for (int i = 100; i < 150; i++) {
                    ps.setInt(1, i);
                    try (ResultSet rs = ps.executeQuery()) {
                        check(rs.next() && rs.getLong(1) == (long) i * i
                              && rs.getString(2).equals("batch " + i), "batch row " + i);
                    }
                }
                check(ps.unwrap(PGStatement.class).isUseServerPrepare(), "server-side prepare reused");
            }
            ok("prepared statement reuse and batch");

            // metadata (DatabaseMetaData.getColumns needs window functions, getPrimaryKeys and
            // getIndexInfo information_schema._pg_expandarray: not yet)
            try (ResultSet rs = c.getMetaData().getTables(null, "public", "jt", new String[] {"TABLE"})) {
                check(rs.next() && rs.getString("TABLE_NAME").equals("jt"), "getTables finds jt");
                check(!rs.next(), "getTables: one table");
            }
            try (ResultSet rs = c.getMetaData().getImportedKeys(null, "public", "jt")) {
                check(!rs.next(), "getImportedKeys: no foreign keys");
            }
            try (PreparedStatement ps = c.prepareStatement("select id, t from jt where id = ?")) {
                eq("int4", ps.getMetaData() == null ? null : ps.getMetaData().getColumnTypeName(1),
                   "ResultSetMetaData type of id");
                eq(Integer.valueOf(Types.INTEGER), ps.getParameterMetaData().getParameterType(1),
                   "ParameterMetaData type of $1");
            }
            ok("metadata");

            try (Statement s = c.createStatement()) {
                s.execute("drop table jt");
            }
            ok("drop");
        }
    }

    private static void bind1(PreparedStatement ps, Row r) throws SQLException {
        ps.setLong(1, r.i8);
        ps.setBigDecimal(2, r.num);
        ps.setString(3, r.t);
        ps.setBytes(4, r.by);
        ps.setObject(5, r.ts);
        ps.setObject(6, r.tstz);
        ps.setObject(7, r.u);
        ps.setObject(8, r.iv);
    }
}
