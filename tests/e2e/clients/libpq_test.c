/*
 * libpq_test.c - libpq (Debian libpq-dev) unmodified against a server: the C side of
 * tests/e2e/clients/test_libpq.py.
 *
 * Usage: libpq_test CONNINFO. Runs DDL, PQexecParams inserts of every supported type with
 * text and with binary parameters (and NULLs), selects them back in text and in binary
 * result format, PQprepare/PQdescribePrepared/PQexecPrepared reuse, transactions with
 * COMMIT and ROLLBACK, and errors whose SQLSTATE comes from
 * PQresultErrorField(PG_DIAG_SQLSTATE). API-level expectations are checked here (exit 1
 * with a message on the first failure); the values themselves are printed, one line per
 * column ("row col fmt type value", binary values in hex), for the Python side to compare
 * with what PostgreSQL 15 prints (libpq_expected.txt). Exit 0 and "done" at the end.
 */
#include <arpa/inet.h>
#include <libpq-fe.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static PGconn *conn;

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "libpq_test: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    if (conn) PQfinish(conn);
    exit(1);
}

/* Run a command that must succeed with status want; returns the result to PQclear. */
static PGresult *must(PGresult *r, ExecStatusType want, const char *what)
{
    if (!r) die("%s: no result: %s", what, PQerrorMessage(conn));
    if (PQresultStatus(r) != want)
        die("%s: status %s, want %s: %s", what, PQresStatus(PQresultStatus(r)), PQresStatus(want),
            PQresultErrorMessage(r));
    return r;
}

static void exec_ok(const char *sql)
{
    PGresult *r = PQexec(conn, sql);
    if (PQresultStatus(r) != PGRES_COMMAND_OK && PQresultStatus(r) != PGRES_TUPLES_OK)
        die("%s: %s", sql, PQresultErrorMessage(r));
    PQclear(r);
}

/* Run sql (with optional text params) expecting an error with SQLSTATE want. */
static void expect_sqlstate(const char *sql, int n, const char *const *params, const char *want)
{
    PGresult *r = PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
    if (PQresultStatus(r) != PGRES_FATAL_ERROR)
        die("%s: status %s, want an error %s", sql, PQresStatus(PQresultStatus(r)), want);
    const char *got = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    if (!got || strcmp(got, want) != 0)
        die("%s: SQLSTATE %s, want %s (%s)", sql, got ? got : "(none)", want,
            PQresultErrorMessage(r));
    if (!PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) || !PQresultErrorField(r, PG_DIAG_SEVERITY))
        die("%s: no message or severity", sql);
    PQclear(r);
}

static const char *const COLS[] = {"i2", "i4", "i8", "f4", "f8", "num", "b",  "t",   "vc",  "c",
                                   "by", "d",  "tm", "ttz", "ts", "tstz", "iv", "u", "ai", "at"};
enum { NCOLS = sizeof COLS / sizeof COLS[0] };

static const char *const CREATE =
    "CREATE TABLE lq_types (id int PRIMARY KEY, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, "
    "num numeric(24,6), b bool, t text, vc varchar(10), c char(4), by bytea, d date, tm time, "
    "ttz timetz, ts timestamp, tstz timestamptz, iv interval, u uuid, ai int[], at text[])";

static const char *const INSERT =
    "INSERT INTO lq_types VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, "
    "$15, $16, $17, $18, $19, $20, $21)";

/* Row 1: every value as text, server-inferred parameter types. */
static const char *const ROW1[NCOLS] = {
    "-32768", "2147483647", "-9223372036854775808", "1.5", "3.141592653589793",
    "123456789012345678.123456", "true", "h\xc3\xa9llo 'q' \"dq\" \\ \xe6\x97\xa5", "varchar",
    "ab", "\\x00017f80ff", "2024-02-29", "23:59:59.999999", "12:34:56.789+05:30",
    "2024-01-02 03:04:05.123456", "2024-01-02 03:04:05.123456-08", "1 year 2 mons 3 days 04:05:06.000007",
    "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", "{1,NULL,-3}", "{a,\"b c\",NULL,\"\\\"q\\\"\",\"\"}"};

static void put_be(char *p, uint64_t v, int n)
{
    for (int i = n - 1; i >= 0; i--, v >>= 8)
        p[i] = (char)(v & 0xff);
}

static void insert_rows(void)
{
    /* row 1: text parameters, no types given */
    const char *vals[NCOLS + 1];
    vals[0] = "1";
    for (int i = 0; i < NCOLS; i++)
        vals[i + 1] = ROW1[i];
    PGresult *r = must(PQexecParams(conn, INSERT, NCOLS + 1, NULL, vals, NULL, NULL, 0),
                       PGRES_COMMAND_OK, "insert text");
    if (strcmp(PQcmdStatus(r), "INSERT 0 1") || strcmp(PQcmdTuples(r), "1"))
        die("insert tag %s", PQcmdStatus(r));
    PQclear(r);

    /* row 2: all NULL */
    const char *nulls[NCOLS + 1] = {"2"};
    PQclear(must(PQexecParams(conn, INSERT, NCOLS + 1, NULL, nulls, NULL, NULL, 0),
                 PGRES_COMMAND_OK, "insert nulls"));

    /* row 3: binary parameters with declared types where the format is simple, text
     * (format 0) for the rest */
    Oid types[NCOLS + 1] = {23, 21, 23, 20, 700, 701, 0, 16, 25, 1043, 1042, 17, 1082, 0, 0,
                            1114, 1184, 0, 2950, 1007, 0};
    char id[4], i2[2], i4[4], i8[8], f4[4], f8[8], b[1] = {0}, d[4], ts[8], tstz[8], u[16];
    put_be(id, 3, 4);
    put_be(i2, (uint16_t)32767, 2);
    put_be(i4, (uint32_t)-2147483647 - 1, 4);
    put_be(i8, (uint64_t)INT64_MAX, 8);
    float f4v = -0.25f;
    uint32_t f4bits;
    memcpy(&f4bits, &f4v, 4);
    put_be(f4, f4bits, 4);
    double f8v = -1.5e300;
    uint64_t f8bits;
    memcpy(&f8bits, &f8v, 8);
    put_be(f8, f8bits, 8);
    put_be(d, (uint32_t)-730119, 4);                      /* 0001-01-01 */
    put_be(ts, (uint64_t)(-1000000LL), 8);                /* 1999-12-31 23:59:59 */
    put_be(tstz, (uint64_t)(166 * 86400LL + 43200LL) * 1000000ULL, 8); /* 2000-06-15 12:00Z */
    memset(u, 0, sizeof u);
    u[15] = 1;
    /* int4[] {7,NULL}: ndim 1, has nulls, elem 23, dim 2, lbound 1, len 4 + 7, -1 */
    char ai[32];
    put_be(ai, 1, 4);
    put_be(ai + 4, 1, 4);
    put_be(ai + 8, 23, 4);
    put_be(ai + 12, 2, 4);
    put_be(ai + 16, 1, 4);
    put_be(ai + 20, 4, 4);
    put_be(ai + 24, 7, 4);
    put_be(ai + 28, 0xffffffffu, 4);
    static const char by[] = {0, '\\', (char)0xff, 'x'};
    const char *v3[NCOLS + 1] = {id, i2, i4, i8, f4, f8, "-0.000001", b, "", "", "abcd", by, d,
                                 "00:00", "00:00+00", ts, tstz, "-1 days +00:00:01", u, ai, "{}"};
    int lens[NCOLS + 1] = {4, 2, 4, 8, 4, 8, 0, 1, 0, 0, 4, 4, 4, 0, 0, 8, 8, 0, 16, 32, 0};
    int fmts[NCOLS + 1] = {1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0};
    r = must(PQexecParams(conn, INSERT, NCOLS + 1, types, v3, lens, fmts, 0), PGRES_COMMAND_OK,
             "insert binary");
    PQclear(r);
}

static void print_result(const char *label, PGresult *r)
{
    for (int row = 0; row < PQntuples(r); row++) {
        for (int c = 0; c < PQnfields(r); c++) {
            printf("%s %s %s fmt=%d oid=%u ", label, PQgetvalue(r, row, 0), PQfname(r, c),
                   PQfformat(r, c), PQftype(r, c));
            if (PQgetisnull(r, row, c)) {
                printf("NULL\n");
            } else if (PQfformat(r, c) == 1) {
                const unsigned char *p = (const unsigned char *)PQgetvalue(r, row, c);
                for (int i = 0; i < PQgetlength(r, row, c); i++)
                    printf("%02x", p[i]);
                printf("\n");
            } else {
                printf("%s\n", PQgetvalue(r, row, c));
            }
        }
    }
}

static void select_rows(void)
{
    char sql[512];
    int n = snprintf(sql, sizeof sql, "SELECT id");
    for (int i = 0; i < NCOLS; i++)
        n += snprintf(sql + n, sizeof sql - (size_t)n, ", %s", COLS[i]);
    snprintf(sql + n, sizeof sql - (size_t)n, " FROM lq_types WHERE id = $1");
    for (int fmt = 0; fmt < 2; fmt++) {
        for (int id = 1; id <= 3; id++) {
            char ids[4];
            snprintf(ids, sizeof ids, "%d", id);
            const char *p[1] = {ids};
            PGresult *r = must(PQexecParams(conn, sql, 1, NULL, p, NULL, NULL, fmt),
                               PGRES_TUPLES_OK, "select");
            if (PQntuples(r) != 1 || PQnfields(r) != NCOLS + 1)
                die("select id %d: %d rows %d fields", id, PQntuples(r), PQnfields(r));
            if (fmt == 1 && (PQgetlength(r, 0, 0) != 4 ||
                             ntohl(*(const uint32_t *)(const void *)PQgetvalue(r, 0, 0)) !=
                                 (uint32_t)id))
                die("binary id");
            print_result(fmt ? "bin" : "text", r);
            PQclear(r);
        }
    }
}

static void prepared(void)
{
    PGresult *r = must(PQprepare(conn, "lq_sel", "SELECT i8, t, ai FROM lq_types WHERE id = $1",
                                 1, NULL),
                       PGRES_COMMAND_OK, "prepare");
    PQclear(r);
    r = must(PQdescribePrepared(conn, "lq_sel"), PGRES_COMMAND_OK, "describe");
    if (PQnparams(r) != 1 || PQparamtype(r, 0) != 23 || PQnfields(r) != 3 ||
        PQftype(r, 0) != 20 || PQftype(r, 1) != 25 || PQftype(r, 2) != 1007)
        die("describe: %d params (type %u), %d fields", PQnparams(r), PQparamtype(r, 0),
            PQnfields(r));
    PQclear(r);
    for (int round = 0; round < 3; round++) {
        for (int id = 1; id <= 3; id++) {
            char ids[4];
            snprintf(ids, sizeof ids, "%d", id);
            const char *p[1] = {ids};
            r = must(PQexecPrepared(conn, "lq_sel", 1, p, NULL, NULL, round % 2),
                     PGRES_TUPLES_OK, "exec prepared");
            if (PQntuples(r) != 1) die("prepared id %d: %d rows", id, PQntuples(r));
            if (round == 0) {
                printf("prep %d i8=%s t=%s ai=%s\n", id,
                       PQgetisnull(r, 0, 0) ? "NULL" : PQgetvalue(r, 0, 0),
                       PQgetisnull(r, 0, 1) ? "NULL" : PQgetvalue(r, 0, 1),
                       PQgetisnull(r, 0, 2) ? "NULL" : PQgetvalue(r, 0, 2));
            }
            PQclear(r);
        }
    }
    /* a second prepare of the same name is 42P05; after DEALLOCATE it is gone (26000) */
    r = PQprepare(conn, "lq_sel", "SELECT 1", 0, NULL);
    if (strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE) ?: "", "42P05")) die("duplicate prepare");
    PQclear(r);
    exec_ok("DEALLOCATE lq_sel");
    r = PQexecPrepared(conn, "lq_sel", 0, NULL, NULL, NULL, 0);
    if (strcmp(PQresultErrorField(r, PG_DIAG_SQLSTATE) ?: "", "26000")) die("deallocated");
    PQclear(r);
}

static long count_rows(void)
{
    PGresult *r = must(PQexec(conn, "SELECT count(*) FROM lq_tx"), PGRES_TUPLES_OK, "count");
    long n = atol(PQgetvalue(r, 0, 0));
    PQclear(r);
    return n;
}

static void transactions(void)
{
    exec_ok("DROP TABLE IF EXISTS lq_tx");
    exec_ok("CREATE TABLE lq_tx (k int PRIMARY KEY, v text)");
    exec_ok("BEGIN");
    if (PQtransactionStatus(conn) != PQTRANS_INTRANS) die("not in transaction");
    const char *p[2] = {"1", "rolled back"};
    PQclear(must(PQexecParams(conn, "INSERT INTO lq_tx VALUES ($1, $2)", 2, NULL, p, NULL, NULL, 0),
                 PGRES_COMMAND_OK, "tx insert"));
    exec_ok("ROLLBACK");
    if (count_rows() != 0) die("rollback kept the row");
    exec_ok("BEGIN");
    p[0] = "2", p[1] = "committed";
    PQclear(must(PQexecParams(conn, "INSERT INTO lq_tx VALUES ($1, $2)", 2, NULL, p, NULL, NULL, 0),
                 PGRES_COMMAND_OK, "tx insert"));
    exec_ok("COMMIT");
    if (count_rows() != 1) die("commit lost the row");
    /* an error aborts the transaction until ROLLBACK */
    exec_ok("BEGIN");
    expect_sqlstate("INSERT INTO lq_tx VALUES ($1, 'dup')", 1, (const char *const[]){"2"}, "23505");
    if (PQtransactionStatus(conn) != PQTRANS_INERROR) die("not in failed transaction");
    expect_sqlstate("SELECT 1", 0, NULL, "25P02");
    exec_ok("ROLLBACK");
    if (PQtransactionStatus(conn) != PQTRANS_IDLE) die("not idle after rollback");
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: libpq_test CONNINFO\n");
        return 2;
    }
    conn = PQconnectdb(argv[1]);
    if (PQstatus(conn) != CONNECTION_OK) die("connect: %s", PQerrorMessage(conn));
    if (PQserverVersion(conn) < 150000) die("server_version %d", PQserverVersion(conn));
    const char *enc = PQparameterStatus(conn, "client_encoding");
    if (!enc || strcmp(enc, "UTF8")) die("client_encoding %s", enc ? enc : "(none)");
    exec_ok("SET TimeZone = 'UTC'");
    exec_ok("DROP TABLE IF EXISTS lq_types");
    exec_ok(CREATE);
    insert_rows();
    select_rows();
    prepared();
    transactions();
    expect_sqlstate("INSERT INTO lq_types (id) VALUES ($1)", 1, (const char *const[]){"1"},
                    "23505");
    expect_sqlstate("SELECT 1 / (id - id) FROM lq_types", 0, NULL, "22012");
    expect_sqlstate("SELECT * FROM lq_no_such_table", 0, NULL, "42P01");
    expect_sqlstate("SELECT $1::int4", 1, (const char *const[]){"x"}, "22P02");
    PQfinish(conn);
    printf("done\n");
    return 0;
}
