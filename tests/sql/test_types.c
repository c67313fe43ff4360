/* Unit tests for sql/types: OIDs, format_type names, typmods and type-name parsing.
 * Expected names and messages are PostgreSQL 15's (format_type(), "select null::t"). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "sql/types.h"

static const char *fmt(sql_type_id id, int32_t typmod)
{
    static char buf[SQL_TYPE_NAME_MAX];
    sql_type_format(sql_type_make(id, typmod), buf, sizeof buf);
    return buf;
}

static void test_oids_and_info(void **state)
{
    (void)state;
    struct {
        sql_type_id id;
        unsigned oid;
        int len;
        const char *typname;
    } cases[] = {
        {SQL_TYPE_BOOL, 16, 1, "bool"},          {SQL_TYPE_BYTEA, 17, -1, "bytea"},
        {SQL_TYPE_INT8, 20, 8, "int8"},          {SQL_TYPE_INT2, 21, 2, "int2"},
        {SQL_TYPE_INT4, 23, 4, "int4"},          {SQL_TYPE_TEXT, 25, -1, "text"},
        {SQL_TYPE_OID, 26, 4, "oid"},            {SQL_TYPE_FLOAT4, 700, 4, "float4"},
        {SQL_TYPE_FLOAT8, 701, 8, "float8"},     {SQL_TYPE_UNKNOWN, 705, -2, "unknown"},
        {SQL_TYPE_BPCHAR, 1042, -1, "bpchar"},   {SQL_TYPE_VARCHAR, 1043, -1, "varchar"},
        {SQL_TYPE_DATE, 1082, 4, "date"},        {SQL_TYPE_TIME, 1083, 8, "time"},
        {SQL_TYPE_TIMESTAMP, 1114, 8, "timestamp"}, {SQL_TYPE_TIMESTAMPTZ, 1184, 8, "timestamptz"},
        {SQL_TYPE_INTERVAL, 1186, 16, "interval"}, {SQL_TYPE_NUMERIC, 1700, -1, "numeric"},
        {SQL_TYPE_UUID, 2950, 16, "uuid"},       {SQL_TYPE_JSONB, 3802, -1, "jsonb"},
        {SQL_TYPE_INT4_ARRAY, 1007, -1, "_int4"}, {SQL_TYPE_TEXT_ARRAY, 1009, -1, "_text"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal((unsigned)cases[i].id, cases[i].oid);
        const sql_type_info *ti = sql_type_info_of(cases[i].id);
        assert_non_null(ti);
        assert_int_equal(ti->typlen, cases[i].len);
        assert_string_equal(ti->typname, cases[i].typname);
        assert_int_equal(sql_type_from_oid(cases[i].oid), cases[i].id);
    }
    assert_int_equal(sql_type_info_of(SQL_TYPE_INT4)->array, SQL_TYPE_INT4_ARRAY);
    assert_int_equal(sql_type_info_of(SQL_TYPE_INT4_ARRAY)->elem, SQL_TYPE_INT4);
    assert_int_equal(sql_type_from_oid(12345), SQL_TYPE_INVALID);
    assert_null(sql_type_info_of((sql_type_id)99999));
}

static void test_format_type(void **state)
{
    (void)state;
    assert_string_equal(fmt(SQL_TYPE_BPCHAR, -1), "bpchar");
    assert_string_equal(fmt(SQL_TYPE_BPCHAR, 5), "character(1)");
    assert_string_equal(fmt(SQL_TYPE_VARCHAR, -1), "character varying");
    assert_string_equal(fmt(SQL_TYPE_VARCHAR, 14), "character varying(10)");
    assert_string_equal(fmt(SQL_TYPE_NUMERIC, (10 << 16 | 2) + 4), "numeric(10,2)");
    assert_string_equal(fmt(SQL_TYPE_NUMERIC, -1), "numeric");
    assert_string_equal(fmt(SQL_TYPE_NUMERIC, (5 << 16 | (-2 & 2047)) + 4), "numeric(5,-2)");
    assert_string_equal(fmt(SQL_TYPE_NUMERIC, (5 << 16) + 4), "numeric(5,0)");
    assert_string_equal(fmt(SQL_TYPE_TIMESTAMP, 3), "timestamp(3) without time zone");
    assert_string_equal(fmt(SQL_TYPE_TIMESTAMPTZ, -1), "timestamp with time zone");
    assert_string_equal(fmt(SQL_TYPE_TIMESTAMPTZ, 0), "timestamp(0) with time zone");
    assert_string_equal(fmt(SQL_TYPE_TIME, -1), "time without time zone");
    assert_string_equal(fmt(SQL_TYPE_INT4_ARRAY, -1), "integer[]");
    assert_string_equal(fmt(SQL_TYPE_VARCHAR_ARRAY, 14), "character varying(10)[]");
    assert_string_equal(fmt(SQL_TYPE_UNKNOWN, -1), "unknown");
    assert_string_equal(fmt(SQL_TYPE_OID, -1), "oid");
    assert_string_equal(fmt(SQL_TYPE_INTERVAL, -1), "interval");
    assert_string_equal(fmt(SQL_TYPE_JSONB, -1), "jsonb");
    assert_string_equal(fmt(SQL_TYPE_UUID, -1), "uuid");
    assert_string_equal(fmt(SQL_TYPE_INT4, -1), "integer");
    assert_string_equal(fmt(SQL_TYPE_INT2, -1), "smallint");
    assert_string_equal(fmt(SQL_TYPE_INT8, -1), "bigint");
    assert_string_equal(fmt(SQL_TYPE_FLOAT4, -1), "real");
    assert_string_equal(fmt(SQL_TYPE_FLOAT8, -1), "double precision");
    assert_string_equal(fmt(SQL_TYPE_BOOL, -1), "boolean");
}

static void test_typmods(void **state)
{
    (void)state;
    assert_int_equal(sql_typmod_varchar(10), 14);
    int32_t tm = sql_typmod_numeric(10, 2);
    assert_int_equal(tm, (10 << 16 | 2) + 4);
    assert_int_equal(sql_typmod_numeric_precision(tm), 10);
    assert_int_equal(sql_typmod_numeric_scale(tm), 2);
    tm = sql_typmod_numeric(5, -2);
    assert_int_equal(sql_typmod_numeric_scale(tm), -2);
    assert_int_equal(sql_typmod_numeric_precision(tm), 5);
    assert_int_equal(sql_typmod_char_length(14), 10);
    assert_int_equal(sql_typmod_char_length(-1), -1);
}

static sql_type parse_ok(const char *name, const int32_t *mods, int n)
{
    sql_type t;
    sql_error err;
    if (sql_type_parse(name, mods, n, &t, &err)) fail_msg("%s: %s", name, err.message);
    return t;
}

static void test_parse_names(void **state)
{
    (void)state;
    struct {
        const char *name;
        int32_t mods[2];
        int nmods;
        sql_type_id id;
        int32_t typmod;
    } cases[] = {
        {"int", {0}, 0, SQL_TYPE_INT4, -1},
        {"int4", {0}, 0, SQL_TYPE_INT4, -1},
        {"integer", {0}, 0, SQL_TYPE_INT4, -1},
        {"pg_catalog.int4", {0}, 0, SQL_TYPE_INT4, -1},
        {"bigint", {0}, 0, SQL_TYPE_INT8, -1},
        {"smallint", {0}, 0, SQL_TYPE_INT2, -1},
        {"double precision", {0}, 0, SQL_TYPE_FLOAT8, -1},
        {"float", {0}, 0, SQL_TYPE_FLOAT8, -1},
        {"float", {24}, 1, SQL_TYPE_FLOAT4, -1},
        {"float", {25}, 1, SQL_TYPE_FLOAT8, -1},
        {"float", {1}, 1, SQL_TYPE_FLOAT4, -1},
        {"real", {0}, 0, SQL_TYPE_FLOAT4, -1},
        {"decimal", {3}, 1, SQL_TYPE_NUMERIC, (3 << 16) + 4},
        {"numeric", {10, 2}, 2, SQL_TYPE_NUMERIC, (10 << 16 | 2) + 4},
        {"numeric", {0}, 0, SQL_TYPE_NUMERIC, -1},
        {"character varying", {10}, 1, SQL_TYPE_VARCHAR, 14},
        {"varchar", {0}, 0, SQL_TYPE_VARCHAR, -1},
        {"char", {0}, 0, SQL_TYPE_BPCHAR, 5},
        {"character", {3}, 1, SQL_TYPE_BPCHAR, 7},
        {"bpchar", {0}, 0, SQL_TYPE_BPCHAR, -1},
        {"timestamp with time zone", {0}, 0, SQL_TYPE_TIMESTAMPTZ, -1},
        {"timestamptz", {3}, 1, SQL_TYPE_TIMESTAMPTZ, 3},
        {"timestamp", {7}, 1, SQL_TYPE_TIMESTAMP, 6},
        {"timestamp without time zone", {0}, 0, SQL_TYPE_TIMESTAMP, -1},
        {"boolean", {0}, 0, SQL_TYPE_BOOL, -1},
        {"text", {0}, 0, SQL_TYPE_TEXT, -1},
        {"bytea", {0}, 0, SQL_TYPE_BYTEA, -1},
        {"date", {0}, 0, SQL_TYPE_DATE, -1},
        {"int[]", {0}, 0, SQL_TYPE_INT4_ARRAY, -1},
        {"_text", {0}, 0, SQL_TYPE_TEXT_ARRAY, -1},
        {"varchar[]", {10}, 1, SQL_TYPE_VARCHAR_ARRAY, 14},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_type t = parse_ok(cases[i].name, cases[i].mods, cases[i].nmods);
        if (t.id != cases[i].id || t.typmod != cases[i].typmod)
            fail_msg("%s: got %u/%d", cases[i].name, (unsigned)t.id, t.typmod);
    }
}

static void test_parse_errors(void **state)
{
    (void)state;
    struct {
        const char *name;
        int32_t mods[3];
        int nmods;
        const char *sqlstate, *msg;
    } cases[] = {
        {"varchar", {0}, 1, "22023", "length for type varchar must be at least 1"},
        {"varchar", {10485761}, 1, "22023", "length for type varchar cannot exceed 10485760"},
        {"char", {0}, 1, "22023", "length for type char must be at least 1"},
        {"numeric", {0}, 1, "22023", "NUMERIC precision 0 must be between 1 and 1000"},
        {"numeric", {1001}, 1, "22023", "NUMERIC precision 1001 must be between 1 and 1000"},
        {"numeric", {5, 1001}, 2, "22023", "NUMERIC scale 1001 must be between -1000 and 1000"},
        {"numeric", {5, -1001}, 2, "22023", "NUMERIC scale -1001 must be between -1000 and 1000"},
        {"numeric", {1, 2, 3}, 3, "22023", "invalid NUMERIC type modifier"},
        {"float", {0}, 1, "22023", "precision for type float must be at least 1 bit"},
        {"float", {54}, 1, "22023", "precision for type float must be less than 54 bits"},
        {"text", {3}, 1, "42601", "type modifier is not allowed for type \"text\""},
        {"serial", {0}, 0, "42704", "type \"serial\" does not exist"},
        {"foo", {0}, 0, "42704", "type \"foo\" does not exist"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_type t;
        sql_error err;
        assert_int_not_equal(sql_type_parse(cases[i].name, cases[i].mods, cases[i].nmods, &t, &err),
                             MICE_OK);
        assert_string_equal(err.sqlstate, cases[i].sqlstate);
        assert_string_equal(err.message, cases[i].msg);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oids_and_info), cmocka_unit_test(test_format_type),
        cmocka_unit_test(test_typmods),       cmocka_unit_test(test_parse_names),
        cmocka_unit_test(test_parse_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
