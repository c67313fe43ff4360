/* Unit tests for sql/datum: comparison, hashing, casts and arithmetic. Expected results
 * and error texts are PostgreSQL 15's (psql -Atc "select ..."), pasted as literals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <math.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/arena.h"
#include "base/prng.h"
#include "sql/value_io.h"

static mice_arena *arena;
static char out_text[1400];

static sql_datum val(sql_type_id t, const char *text)
{
    sql_datum d;
    sql_error err;
    if (value_from_text(sql_type_make(t, -1), mice_slice_str(text), NULL, arena, &d, &err))
        fail_msg("value %s: %s", text, err.message);
    return d;
}

static const char *show(mice_status rc, const sql_datum *d, const sql_error *err,
                        const sql_value_ctx *ctx)
{
    if (rc) {
        snprintf(out_text, sizeof out_text, "ERROR %s %s", err->sqlstate, err->message);
        return out_text;
    }
    if (d->is_null) return "NULL";
    mice_buf b;
    buf_init(&b);
    sql_error e2;
    assert_int_equal(value_to_text(d, ctx, &b, &e2), MICE_OK);
    snprintf(out_text, sizeof out_text, "%.*s", (int)b.n, (const char *)b.p);
    buf_deinit(&b);
    return out_text;
}

#define T(x) SQL_TYPE_##x

static void test_compare(void **state)
{
    (void)state;
    struct {
        sql_type_id ta;
        const char *a;
        sql_type_id tb;
        const char *b;
        int want;
    } cases[] = {
        {T(FLOAT8), "NaN", T(FLOAT8), "NaN", 0},
        {T(FLOAT8), "NaN", T(FLOAT8), "Infinity", 1},
        {T(FLOAT8), "-0", T(FLOAT8), "0", 0},
        {T(FLOAT4), "NaN", T(FLOAT8), "1e308", 1},
        {T(FLOAT4), "2.5", T(FLOAT8), "2.5", 0},
        {T(FLOAT4), "0.1", T(FLOAT8), "0.1", 1},
        {T(NUMERIC), "NaN", T(NUMERIC), "Infinity", 1},
        {T(NUMERIC), "1.0", T(NUMERIC), "1.00", 0},
        {T(INT4), "1", T(NUMERIC), "1.0", 0},
        {T(INT8), "-9223372036854775808", T(NUMERIC), "-9223372036854775808.5", 1},
        {T(INT4), "1", T(FLOAT8), "1.0", 0},
        {T(INT2), "5", T(INT8), "5", 0},
        {T(INT2), "-5", T(INT8), "5", -1},
        {T(TEXT), "a", T(TEXT), "B", 1}, /* collation "C": bytewise */
        {T(TEXT), "ab", T(TEXT), "abc", -1},
        {T(BPCHAR), "ab  ", T(TEXT), "ab", 0},
        {T(TEXT), "ab ", T(BPCHAR), "ab", 1},
        {T(BPCHAR), "ab  ", T(BPCHAR), "ab", 0},
        {T(VARCHAR), "x", T(TEXT), "x", 0},
        {T(BOOL), "f", T(BOOL), "t", -1},
        {T(DATE), "2024-01-05", T(TIMESTAMP), "2024-01-05 00:00", 0},
        {T(DATE), "2024-01-05", T(TIMESTAMP), "2024-01-05 00:00:01", -1},
        {T(DATE), "infinity", T(TIMESTAMP), "294276-12-31", 1},
        {T(TIMESTAMP), "2024-01-05 13:45", T(TIMESTAMPTZ), "2024-01-05 13:45+00", 0},
        {T(BYTEA), "\\x00", T(BYTEA), "\\x0000", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_datum a = val(cases[i].ta, cases[i].a), b = val(cases[i].tb, cases[i].b);
        assert_true(datum_types_comparable(a.type, b.type));
        int c = datum_cmp(&a, &b, NULL), r = datum_cmp(&b, &a, NULL);
        if (c != cases[i].want || r != -cases[i].want)
            fail_msg("case %zu: cmp(%s, %s) = %d/%d want %d", i, cases[i].a, cases[i].b, c, r,
                     cases[i].want);
    }
    sql_datum n = datum_null(T(INT4)), one = datum_int4(1);
    assert_true(datum_cmp(&n, &one, NULL) > 0); /* NULLS LAST */
    assert_true(datum_cmp(&one, &n, NULL) < 0);
    assert_int_equal(datum_cmp(&n, &n, NULL), 0);
    assert_false(datum_types_comparable(T(INT4), T(TEXT)));
    assert_false(datum_types_comparable(T(DATE), T(INT4)));
}

static void test_timestamptz_compare_uses_zone(void **state)
{
    (void)state;
    sql_value_ctx ctx = SQL_VALUE_CTX_DEFAULT;
    sql_tz *tz = NULL;
    sql_error err;
    assert_int_equal(tz_create("5.5", NULL, &tz, &err), MICE_OK);
    ctx.dt.tz = tz;
    sql_datum local = val(T(TIMESTAMP), "2024-01-05 13:45");
    sql_datum utc = val(T(TIMESTAMPTZ), "2024-01-05 08:15+00");
    assert_int_equal(datum_cmp(&local, &utc, &ctx), 0);
    assert_int_equal(datum_cmp(&utc, &local, &ctx), 0);
    assert_true(datum_cmp(&local, &utc, NULL) > 0);
    tz_destroy(tz);
}

static void test_hash_consistent_with_equality(void **state)
{
    (void)state;
    struct {
        sql_type_id ta;
        const char *a;
        sql_type_id tb;
        const char *b;
    } same[] = {
        {T(FLOAT8), "-0", T(FLOAT8), "0"},       {T(FLOAT8), "NaN", T(FLOAT8), "-NaN"},
        {T(FLOAT4), "1.5", T(FLOAT8), "1.5"},    {T(NUMERIC), "1.0", T(NUMERIC), "1.00"},
        {T(NUMERIC), "-0.0", T(NUMERIC), "0"},   {T(INT2), "7", T(INT8), "7"},
        {T(BPCHAR), "a  ", T(BPCHAR), "a"},      {T(BPCHAR), "a  ", T(TEXT), "a"},
        {T(TEXT), "x", T(VARCHAR), "x"},         {T(DATE), "2024-01-05", T(TIMESTAMP), "2024-01-05"},
    };
    for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
        sql_datum a = val(same[i].ta, same[i].a), b = val(same[i].tb, same[i].b);
        assert_int_equal(datum_cmp(&a, &b, NULL), 0);
        if (datum_hash(&a) != datum_hash(&b)) fail_msg("case %zu: hashes differ", i);
    }
    sql_datum a = val(T(INT4), "1"), b = val(T(INT4), "2");
    assert_true(datum_hash(&a) != datum_hash(&b));
    sql_datum n1 = datum_null(T(INT4)), n2 = datum_null(T(TEXT));
    assert_true(datum_hash(&n1) == datum_hash(&n2));
}

typedef struct cast_case {
    sql_type_id from;
    const char *in;
    sql_type_id to;
    int32_t typmod;
    sql_cast_context kind;
    const char *want;
} cast_case;

static const cast_case cast_cases[] = {
    {T(FLOAT8), "2.5", T(INT4), -1, 'e', "2"},
    {T(FLOAT8), "3.5", T(INT4), -1, 'e', "4"},
    {T(FLOAT8), "-2.5", T(INT4), -1, 'e', "-2"},
    {T(NUMERIC), "2.5", T(INT4), -1, 'e', "3"},
    {T(NUMERIC), "-2.5", T(INT4), -1, 'e', "-3"},
    {T(FLOAT4), "0.5", T(INT4), -1, 'e', "0"},
    {T(FLOAT4), "1.5", T(INT2), -1, 'e', "2"},
    {T(FLOAT8), "2.5", T(INT8), -1, 'e', "2"},
    {T(FLOAT8), "NaN", T(INT4), -1, 'e', "ERROR 22003 integer out of range"},
    {T(FLOAT8), "1e10", T(INT4), -1, 'e', "ERROR 22003 integer out of range"},
    {T(FLOAT8), "32767.5", T(INT2), -1, 'e', "ERROR 22003 smallint out of range"},
    {T(FLOAT8), "9.3e18", T(INT8), -1, 'e', "ERROR 22003 bigint out of range"},
    {T(INT4), "40000", T(INT2), -1, 'a', "ERROR 22003 smallint out of range"},
    {T(INT8), "99999999999", T(INT4), -1, 'a', "ERROR 22003 integer out of range"},
    {T(NUMERIC), "99999999999999999999", T(INT8), -1, 'a', "ERROR 22003 bigint out of range"},
    {T(NUMERIC), "NaN", T(INT4), -1, 'a', "ERROR 0A000 cannot convert NaN to integer"},
    {T(NUMERIC), "Infinity", T(INT2), -1, 'a', "ERROR 0A000 cannot convert infinity to smallint"},
    {T(FLOAT8), "1e300", T(FLOAT4), -1, 'a', "ERROR 22003 value out of range: overflow"},
    {T(FLOAT8), "1e-300", T(FLOAT4), -1, 'a', "ERROR 22003 value out of range: underflow"},
    {T(FLOAT4), "0.1", T(FLOAT8), -1, 'i', "0.10000000149011612"},
    {T(INT4), "123456789", T(FLOAT4), -1, 'i', "1.2345679e+08"},
    {T(INT8), "9007199254740993", T(FLOAT8), -1, 'i', "9.007199254740992e+15"},
    {T(INT4), "16777217", T(FLOAT4), -1, 'i', "1.6777216e+07"},
    {T(FLOAT8), "0.1", T(NUMERIC), -1, 'a', "0.1"},
    {T(FLOAT8), "0.3333333333333333", T(NUMERIC), -1, 'a', "0.333333333333333"},
    {T(FLOAT8), "1e20", T(NUMERIC), -1, 'a', "100000000000000000000"},
    {T(FLOAT4), "0.1", T(NUMERIC), -1, 'a', "0.1"},
    {T(FLOAT8), "Infinity", T(NUMERIC), -1, 'a', "Infinity"},
    {T(NUMERIC), "12345.678", T(NUMERIC), ((5 << 16) | 2) + 4, 'a', "ERROR 22003 numeric field overflow"},
    {T(NUMERIC), "0.5", T(NUMERIC), ((3 << 16) | 3) + 4, 'a', "0.500"},
    {T(INT4), "1", T(NUMERIC), ((3 << 16) | 3) + 4, 'a', "ERROR 22003 numeric field overflow"},
    {T(NUMERIC), "0.1", T(FLOAT8), -1, 'i', "0.1"},
    {T(INT4), "1", T(BOOL), -1, 'e', "t"},
    {T(INT4), "0", T(BOOL), -1, 'e', "f"},
    {T(BOOL), "t", T(INT4), -1, 'e', "1"},
    {T(BOOL), "t", T(INT8), -1, 'e', "ERROR 42846 cannot cast type boolean to bigint"},
    {T(INT8), "1", T(BOOL), -1, 'e', "ERROR 42846 cannot cast type bigint to boolean"},
    {T(DATE), "2024-01-05", T(INT4), -1, 'e', "ERROR 42846 cannot cast type date to integer"},
    {T(BOOL), "t", T(TEXT), -1, 'e', "true"},
    {T(BOOL), "f", T(VARCHAR), -1, 'e', "false"},
    {T(FLOAT8), "1.5", T(TEXT), -1, 'e', "1.5"},
    {T(TEXT), "abcd", T(VARCHAR), 3 + 4, 'e', "abc"},
    {T(TEXT), "abcd", T(VARCHAR), 3 + 4, 'a', "ERROR 22001 value too long for type character varying(3)"},
    {T(TEXT), "abc  ", T(VARCHAR), 3 + 4, 'a', "abc"},
    {T(TEXT), "abcd", T(BPCHAR), 3 + 4, 'e', "abc"},
    {T(TEXT), "a", T(BPCHAR), 3 + 4, 'a', "a  "},
    {T(TEXT), "abcd", T(BPCHAR), 3 + 4, 'a', "ERROR 22001 value too long for type character(3)"},
    {T(BPCHAR), "ab   ", T(TEXT), -1, 'i', "ab"},
    {T(BPCHAR), "ab   ", T(VARCHAR), -1, 'i', "ab"},
    {T(TEXT), "abc", T(INT4), -1, 'e', "ERROR 22P02 invalid input syntax for type integer: \"abc\""},
    {T(TEXT), " 42 ", T(INT8), -1, 'e', "42"},
    {T(TEXT), "yes", T(BOOL), -1, 'e', "t"},
    {T(TEXT), "abc", T(BYTEA), -1, 'e', "\\x616263"},
    {T(BYTEA), "\\x4142", T(TEXT), -1, 'a', "\\x4142"},
    {T(UNKNOWN), "2024-01-05", T(DATE), -1, 'i', "2024-01-05"},
    {T(TIMESTAMP), "2024-01-05 13:45", T(DATE), -1, 'a', "2024-01-05"},
    {T(DATE), "2024-01-05", T(TIMESTAMP), -1, 'i', "2024-01-05 00:00:00"},
    {T(DATE), "infinity", T(TIMESTAMP), -1, 'i', "infinity"},
    {T(DATE), "294277-01-01", T(TIMESTAMP), -1, 'i', "ERROR 22008 date out of range for timestamp"},
    {T(DATE), "2024-01-05", T(TIMESTAMPTZ), -1, 'i', "2024-01-05 00:00:00+00"},
    {T(TIMESTAMP), "2024-01-05 13:45:00.125", T(TIMESTAMP), 2, 'a', "2024-01-05 13:45:00.13"},
    {T(INT8), "4294967295", T(OID), -1, 'i', "4294967295"},
    {T(INT8), "4294967296", T(OID), -1, 'i', "ERROR 22003 OID out of range"},
    {T(INT4), "-1", T(OID), -1, 'i', "4294967295"},
};

static void test_casts(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cast_cases / sizeof cast_cases[0]; i++) {
        const cast_case *c = &cast_cases[i];
        sql_datum in = val(c->from, c->in), out;
        sql_error err;
        mice_status rc = datum_cast(&in, sql_type_make(c->to, c->typmod), c->kind, NULL, arena, &out,
                                    &err);
        const char *got = show(rc, &out, &err, NULL);
        if (strcmp(got, c->want) != 0)
            fail_msg("case %zu: %s -> %u: got '%s' want '%s'", i, c->in, (unsigned)c->to, got, c->want);
        if (!rc) assert_int_equal(out.type, c->to);
    }
    sql_datum n = datum_null(T(INT4)), out;
    sql_error err;
    assert_int_equal(datum_cast(&n, sql_type_make(T(TEXT), -1), 'e', NULL, arena, &out, &err), 0);
    assert_true(out.is_null);
    assert_int_equal(out.type, T(TEXT));
}

static void test_casts_with_zone(void **state)
{
    (void)state;
    if (access(SQL_TZ_DEFAULT_DIR "/Asia/Kolkata", R_OK) != 0) skip();
    sql_value_ctx ctx = SQL_VALUE_CTX_DEFAULT;
    sql_tz *tz = NULL;
    sql_error err;
    assert_int_equal(tz_create("Asia/Kolkata", NULL, &tz, &err), MICE_OK);
    ctx.dt.tz = tz;
    struct {
        sql_type_id from;
        const char *in;
        sql_type_id to;
        const char *want;
    } cases[] = {
        {T(TIMESTAMP), "2024-01-05 13:45", T(TIMESTAMPTZ), "2024-01-05 13:45:00+05:30"},
        {T(TIMESTAMPTZ), "2024-01-05 13:45+00", T(TIMESTAMP), "2024-01-05 19:15:00"},
        {T(TIMESTAMPTZ), "2024-01-05 23:45+00", T(DATE), "2024-01-06"},
        {T(TIMESTAMPTZ), "2024-01-05 23:45+00", T(TEXT), "2024-01-06 05:15:00+05:30"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_datum in, out;
        assert_int_equal(value_from_text(sql_type_make(cases[i].from, -1),
                                         mice_slice_str(cases[i].in), &ctx, arena, &in, &err), 0);
        mice_status rc = datum_cast(&in, sql_type_make(cases[i].to, -1), 'e', &ctx, arena, &out, &err);
        assert_string_equal(show(rc, &out, &err, &ctx), cases[i].want);
    }
    tz_destroy(tz);
}

static void test_numeric_to_float_overflow_text(void **state)
{
    (void)state;
    sql_datum in = val(T(NUMERIC), "1e400"), out;
    sql_error err;
    assert_int_equal(datum_cast(&in, sql_type_make(T(FLOAT4), -1), 'i', NULL, arena, &out, &err),
                     MICE_RANGE);
    char want[512] = "\"1";
    for (int i = 0; i < 400; i++) strcat(want, "0");
    strcat(want, "\" is out of range for type real");
    assert_string_equal(err.message, want);
    assert_string_equal(err.sqlstate, "22003");
}

typedef struct arith_case {
    sql_type_id ta;
    const char *a;
    sql_arith_op op;
    sql_type_id tb;
    const char *b;
    sql_type_id rt;
    const char *want;
} arith_case;

static const arith_case arith_cases[] = {
    {T(INT4), "2147483647", SQL_OP_ADD, T(INT4), "1", T(INT4), "ERROR 22003 integer out of range"},
    {T(INT2), "32767", SQL_OP_ADD, T(INT2), "1", T(INT2), "ERROR 22003 smallint out of range"},
    {T(INT8), "9223372036854775807", SQL_OP_ADD, T(INT8), "1", T(INT8), "ERROR 22003 bigint out of range"},
    {T(INT4), "-2147483648", SQL_OP_DIV, T(INT4), "-1", T(INT4), "ERROR 22003 integer out of range"},
    {T(INT4), "-2147483648", SQL_OP_MUL, T(INT4), "-1", T(INT4), "ERROR 22003 integer out of range"},
    {T(INT8), "-9223372036854775808", SQL_OP_MOD, T(INT8), "-1", T(INT8), "0"},
    {T(INT4), "-2147483648", SQL_OP_MOD, T(INT4), "-1", T(INT4), "0"},
    {T(INT4), "7", SQL_OP_MOD, T(INT4), "-3", T(INT4), "1"},
    {T(INT4), "-7", SQL_OP_MOD, T(INT4), "3", T(INT4), "-1"},
    {T(INT4), "-7", SQL_OP_DIV, T(INT4), "2", T(INT4), "-3"},
    {T(INT4), "1", SQL_OP_DIV, T(INT4), "0", T(INT4), "ERROR 22012 division by zero"},
    {T(INT2), "1", SQL_OP_DIV, T(INT2), "0", T(INT2), "ERROR 22012 division by zero"},
    {T(INT4), "5", SQL_OP_MOD, T(INT4), "0", T(INT4), "ERROR 22012 division by zero"},
    {T(INT2), "1", SQL_OP_ADD, T(INT4), "2", T(INT4), "3"},
    {T(INT2), "1", SQL_OP_ADD, T(INT2), "2", T(INT2), "3"},
    {T(INT4), "1", SQL_OP_ADD, T(INT8), "2", T(INT8), "3"},
    {T(FLOAT4), "1.5", SQL_OP_ADD, T(INT4), "1", T(FLOAT8), "2.5"},
    {T(FLOAT4), "1.5", SQL_OP_ADD, T(FLOAT8), "1", T(FLOAT8), "2.5"},
    {T(FLOAT4), "0.1", SQL_OP_ADD, T(FLOAT4), "0.2", T(FLOAT4), "0.3"},
    {T(NUMERIC), "1.5", SQL_OP_ADD, T(FLOAT4), "1.5", T(FLOAT8), "3"},
    {T(INT8), "1", SQL_OP_ADD, T(NUMERIC), "1.5", T(NUMERIC), "2.5"},
    {T(NUMERIC), "1", SQL_OP_DIV, T(INT4), "3", T(NUMERIC), "0.33333333333333333333"},
    {T(NUMERIC), "1.0", SQL_OP_DIV, T(INT4), "0", T(NUMERIC), "ERROR 22012 division by zero"},
    {T(FLOAT8), "1", SQL_OP_DIV, T(FLOAT8), "0", T(FLOAT8), "ERROR 22012 division by zero"},
    {T(FLOAT4), "1", SQL_OP_DIV, T(FLOAT4), "0", T(FLOAT4), "ERROR 22012 division by zero"},
    {T(FLOAT8), "NaN", SQL_OP_DIV, T(FLOAT8), "0", T(FLOAT8), "NaN"},
    {T(FLOAT8), "1e308", SQL_OP_MUL, T(FLOAT8), "10", T(FLOAT8), "ERROR 22003 value out of range: overflow"},
    {T(FLOAT8), "1e308", SQL_OP_ADD, T(FLOAT8), "1e308", T(FLOAT8), "ERROR 22003 value out of range: overflow"},
    {T(FLOAT8), "1e-308", SQL_OP_MUL, T(FLOAT8), "1e-308", T(FLOAT8), "ERROR 22003 value out of range: underflow"},
    {T(FLOAT4), "1e38", SQL_OP_MUL, T(FLOAT4), "10", T(FLOAT4), "ERROR 22003 value out of range: overflow"},
    {T(FLOAT4), "1e-38", SQL_OP_MUL, T(FLOAT4), "1e-10", T(FLOAT4), "ERROR 22003 value out of range: underflow"},
    {T(FLOAT8), "Infinity", SQL_OP_ADD, T(FLOAT8), "1", T(FLOAT8), "Infinity"},
    {T(FLOAT8), "Infinity", SQL_OP_SUB, T(FLOAT8), "Infinity", T(FLOAT8), "NaN"},
    {T(FLOAT8), "Infinity", SQL_OP_MUL, T(FLOAT8), "0", T(FLOAT8), "NaN"},
    {T(FLOAT8), "0", SQL_OP_DIV, T(FLOAT8), "Infinity", T(FLOAT8), "0"},
    {T(FLOAT8), "5.5", SQL_OP_MOD, T(FLOAT8), "2", T(INVALID),
     "ERROR 42883 operator does not exist: double precision % double precision"},
    {T(DATE), "2024-01-05", SQL_OP_ADD, T(INT4), "30", T(DATE), "2024-02-04"},
    {T(INT4), "30", SQL_OP_ADD, T(DATE), "2024-01-05", T(DATE), "2024-02-04"},
    {T(DATE), "2024-01-05", SQL_OP_SUB, T(DATE), "2023-01-05", T(INT4), "365"},
    {T(DATE), "2024-01-05", SQL_OP_SUB, T(INT4), "5", T(DATE), "2023-12-31"},
    {T(DATE), "infinity", SQL_OP_ADD, T(INT4), "1", T(DATE), "infinity"},
    {T(DATE), "infinity", SQL_OP_SUB, T(DATE), "2024-01-01", T(INT4),
     "ERROR 22008 cannot subtract infinite dates"},
    {T(DATE), "5874897-12-31", SQL_OP_ADD, T(INT4), "1", T(DATE), "ERROR 22008 date out of range"},
    {T(DATE), "2024-01-05", SQL_OP_ADD, T(INT8), "1", T(INVALID),
     "ERROR 42883 operator does not exist: date + bigint"},
};

static void test_arithmetic(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof arith_cases / sizeof arith_cases[0]; i++) {
        const arith_case *c = &arith_cases[i];
        sql_datum a = val(c->ta, c->a), b = val(c->tb, c->b), out;
        sql_error err;
        sql_type_id rt = T(INVALID);
        bool exists = sql_arith_result_type(c->op, c->ta, c->tb, &rt);
        assert_int_equal(exists, c->rt != T(INVALID));
        if (exists) assert_int_equal(rt, c->rt);
        mice_status rc = datum_arith(c->op, &a, &b, arena, &out, &err);
        const char *got = show(rc, &out, &err, NULL);
        if (strcmp(got, c->want) != 0)
            fail_msg("case %zu: %s op %s: got '%s' want '%s'", i, c->a, c->b, got, c->want);
        if (!rc) assert_int_equal(out.type, c->rt);
        if (!exists)
            assert_string_equal(err.hint, "No operator matches the given name and argument types. "
                                          "You might need to add explicit type casts.");
    }
    sql_datum n = datum_null(T(INT4)), one = datum_int4(1), out;
    sql_error err;
    assert_int_equal(datum_arith(SQL_OP_ADD, &n, &one, arena, &out, &err), MICE_OK);
    assert_true(out.is_null);
    assert_int_equal(out.type, T(INT4));
    sql_datum m = val(T(INT2), "-32768");
    assert_int_equal(datum_negate(&m, arena, &out, &err), MICE_RANGE);
    assert_string_equal(err.message, "smallint out of range");
    m = val(T(NUMERIC), "1.50");
    assert_int_equal(datum_negate(&m, arena, &out, &err), MICE_OK);
    assert_string_equal(show(0, &out, &err, NULL), "-1.50");
}

/* Integer arithmetic overflows exactly when the compiler's checked builtins say so. */
static void test_int_overflow_property(void **state)
{
    (void)state;
    uint64_t seed = 99;
    mice_prng rng;
    prng_seed(&rng, seed);
    const sql_type_id types[] = {T(INT2), T(INT4), T(INT8)};
    for (int i = 0; i < 300000; i++) {
        sql_type_id t = types[i % 3];
        int64_t a, b, want = 0;
        bool of;
        int shift = (int)prng_below(&rng, 64);
        a = (int64_t)prng_next(&rng) >> shift;
        b = (int64_t)prng_next(&rng) >> (int)prng_below(&rng, 64);
        if (t == T(INT2)) a = (int16_t)a, b = (int16_t)b;
        if (t == T(INT4)) a = (int32_t)a, b = (int32_t)b;
        sql_arith_op op = (sql_arith_op)prng_below(&rng, 3);
        if (t == T(INT8)) {
            of = op == SQL_OP_ADD   ? __builtin_add_overflow(a, b, &want)
                 : op == SQL_OP_SUB ? __builtin_sub_overflow(a, b, &want)
                                    : __builtin_mul_overflow(a, b, &want);
        } else if (t == T(INT4)) {
            int32_t r;
            of = op == SQL_OP_ADD   ? __builtin_add_overflow((int32_t)a, (int32_t)b, &r)
                 : op == SQL_OP_SUB ? __builtin_sub_overflow((int32_t)a, (int32_t)b, &r)
                                    : __builtin_mul_overflow((int32_t)a, (int32_t)b, &r);
            want = r;
        } else {
            int16_t r;
            of = op == SQL_OP_ADD   ? __builtin_add_overflow((int16_t)a, (int16_t)b, &r)
                 : op == SQL_OP_SUB ? __builtin_sub_overflow((int16_t)a, (int16_t)b, &r)
                                    : __builtin_mul_overflow((int16_t)a, (int16_t)b, &r);
            want = r;
        }
        sql_datum x = {.type = t, .v.i = a}, y = {.type = t, .v.i = b}, out;
        sql_error err;
        mice_status rc = datum_arith(op, &x, &y, arena, &out, &err);
        if (of != (rc == MICE_RANGE) || (!of && out.v.i != want))
            fail_msg("seed %llu: %lld op%d %lld type %u: rc %d", (unsigned long long)seed,
                     (long long)a, (int)op, (long long)b, (unsigned)t, (int)rc);
        if (of) assert_string_equal(err.sqlstate, "22003");
    }
}

static void test_cast_lookup(void **state)
{
    (void)state;
    assert_int_equal(sql_cast_lookup(T(INT4), T(INT8)), SQL_CAST_IMPLICIT);
    assert_int_equal(sql_cast_lookup(T(INT8), T(INT4)), SQL_CAST_ASSIGNMENT);
    assert_int_equal(sql_cast_lookup(T(INT4), T(NUMERIC)), SQL_CAST_IMPLICIT);
    assert_int_equal(sql_cast_lookup(T(NUMERIC), T(FLOAT8)), SQL_CAST_IMPLICIT);
    assert_int_equal(sql_cast_lookup(T(FLOAT8), T(NUMERIC)), SQL_CAST_ASSIGNMENT);
    assert_int_equal(sql_cast_lookup(T(FLOAT8), T(INT4)), SQL_CAST_ASSIGNMENT);
    assert_int_equal(sql_cast_lookup(T(TEXT), T(VARCHAR)), SQL_CAST_IMPLICIT);
    assert_int_equal(sql_cast_lookup(T(INT4), T(TEXT)), SQL_CAST_ASSIGNMENT);
    assert_int_equal(sql_cast_lookup(T(TEXT), T(INT4)), SQL_CAST_EXPLICIT);
    assert_int_equal(sql_cast_lookup(T(UNKNOWN), T(DATE)), SQL_CAST_IMPLICIT);
    assert_int_equal(sql_cast_lookup(T(INT4), T(BOOL)), SQL_CAST_EXPLICIT);
    assert_int_equal(sql_cast_lookup(T(INT8), T(BOOL)), SQL_CAST_NONE);
    assert_int_equal(sql_cast_lookup(T(DATE), T(TIMESTAMPTZ)), SQL_CAST_IMPLICIT);
    assert_int_equal(sql_cast_lookup(T(TIMESTAMPTZ), T(TIMESTAMP)), SQL_CAST_ASSIGNMENT);
    assert_int_equal(sql_cast_lookup(T(DATE), T(INT4)), SQL_CAST_NONE);
}

static void test_utf8_char_count(void **state)
{
    (void)state;
    assert_int_equal(sql_utf8_char_count(mice_slice_str("caf\xc3\xa9")), 4);
    assert_int_equal(sql_utf8_char_count(mice_slice_str("\xf0\x9f\x90\xad")), 1);
    assert_int_equal(sql_utf8_char_count(mice_slice_str("")), 0);
}

int main(void)
{
    arena = arena_create(NULL, "test", 0);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compare),
        cmocka_unit_test(test_timestamptz_compare_uses_zone),
        cmocka_unit_test(test_hash_consistent_with_equality),
        cmocka_unit_test(test_casts),
        cmocka_unit_test(test_casts_with_zone),
        cmocka_unit_test(test_numeric_to_float_overflow_text),
        cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_int_overflow_property),
        cmocka_unit_test(test_cast_lookup),
        cmocka_unit_test(test_utf8_char_count),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    arena_destroy(arena);
    return rc;
}
