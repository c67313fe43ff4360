/* Unit tests for sql/array: text input and output (PostgreSQL 15's array_in/array_out,
 * captured with "select 'x'::t[]"), binary send and receive, the vector types, order, casts, subscripts, and garbage
 * input that must fail cleanly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/prng.h"
#include "sql/array.h"
#include "sql/value_io.h"

static mice_arena *arena;

static int setup(void **state)
{
    (void)state;
    arena = arena_create(NULL, "test", 64u << 20);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_destroy(arena);
    return 0;
}

static sql_datum in(sql_type_id t, const char *text)
{
    sql_datum d;
    sql_error err;
    mice_status rc =
        value_from_text(sql_type_make(t, -1), mice_slice_str(text), NULL, arena, &d, &err);
    if (rc) fail_msg("'%s': %s", text, err.message);
    return d;
}

static const char *out(const sql_datum *d)
{
    static char buf[512];
    mice_buf b;
    buf_init(&b);
    assert_int_equal(value_to_text(d, NULL, &b, NULL), MICE_OK);
    snprintf(buf, sizeof buf, "%.*s", (int)b.n, (const char *)b.p);
    buf_deinit(&b);
    return buf;
}

static void test_text_round_trip(void **state)
{
    (void)state;
    struct {
        sql_type_id t;
        const char *input, *output;
    } cases[] = {
        {SQL_TYPE_INT4_ARRAY, "{1,2,3}", "{1,2,3}"},
        {SQL_TYPE_INT4_ARRAY, " { 1 , -2 ,NULL } ", "{1,-2,NULL}"},
        {SQL_TYPE_INT4_ARRAY, "{}", "{}"},
        {SQL_TYPE_TEXT_ARRAY, "{a,\"b c\",\"\",\"NULL\",null}", "{a,\"b c\",\"\",\"NULL\",NULL}"},
        {SQL_TYPE_TEXT_ARRAY, "{\"q\\\"uote\",back\\\\slash,\"{x}\",\"a,b\"}",
         "{\"q\\\"uote\",\"back\\\\slash\",\"{x}\",\"a,b\"}"},
        {SQL_TYPE_TEXT_ARRAY, "{  spaced out  }", "{\"spaced out\"}"},
        {SQL_TYPE_NAME_ARRAY, "{pg_catalog,public}", "{pg_catalog,public}"},
        {SQL_TYPE_OID_ARRAY, "{0}", "{0}"},
        {SQL_TYPE_BOOL_ARRAY, "{t,false,yes}", "{t,f,t}"},
        {SQL_TYPE_FLOAT8_ARRAY, "{1.5,NaN,-0}", "{1.5,NaN,-0}"},
        {SQL_TYPE_NUMERIC_ARRAY, "{1.50,-2,1e3}", "{1.50,-2,1000}"},
        {SQL_TYPE_CHAR_ARRAY, "{d,f,m}", "{d,f,m}"},
        {SQL_TYPE_INT2VECTOR, "1 2 3", "1 2 3"},
        {SQL_TYPE_INT2VECTOR, "", ""},
        {SQL_TYPE_OIDVECTOR, " 23  25 ", "23 25"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_datum d = in(cases[i].t, cases[i].input);
        assert_int_equal(d.type, cases[i].t);
        assert_string_equal(out(&d), cases[i].output);
        sql_datum again = in(cases[i].t, cases[i].output);
        assert_int_equal(datum_cmp(&d, &again, NULL), 0);
    }
}

static void test_malformed_literals(void **state)
{
    (void)state;
    struct {
        sql_type_id t;
        const char *input, *sqlstate, *message;
    } cases[] = {
        {SQL_TYPE_INT4_ARRAY, "1,2", "22P02", "malformed array literal: \"1,2\""},
        {SQL_TYPE_INT4_ARRAY, "{1,2", "22P02", "malformed array literal: \"{1,2\""},
        {SQL_TYPE_INT4_ARRAY, "{1,,2}", "22P02", "malformed array literal: \"{1,,2}\""},
        {SQL_TYPE_INT4_ARRAY, "{1} x", "22P02", "malformed array literal: \"{1} x\""},
        {SQL_TYPE_INT4_ARRAY, "{a}", "22P02", "invalid input syntax for type integer: \"a\""},
        {SQL_TYPE_INT4_ARRAY, "{{1},{2}}", "0A000", NULL},
        {SQL_TYPE_TEXT_ARRAY, "{\"open}", "22P02", "malformed array literal: \"{\"open}\""},
        {SQL_TYPE_INT2VECTOR, "1 x", "22P02", "invalid input syntax for type smallint: \"x\""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        sql_datum d;
        sql_error err;
        sqlerr_clear(&err);
        mice_status rc = value_from_text(sql_type_make(cases[i].t, -1),
                                         mice_slice_str(cases[i].input), NULL, arena, &d, &err);
        assert_int_not_equal(rc, MICE_OK);
        assert_string_equal(err.sqlstate, cases[i].sqlstate);
        if (cases[i].message) assert_string_equal(err.message, cases[i].message);
    }
}

static void test_order_and_access(void **state)
{
    (void)state;
    /* btree array_ops: element by element, then length; NULL elements sort last */
    const char *sorted[] = {"{}", "{1}", "{1,2}", "{1,NULL}", "{2}", "{NULL}"};
    for (size_t i = 0; i < 6; i++)
        for (size_t k = 0; k < 6; k++) {
            sql_datum a = in(SQL_TYPE_INT4_ARRAY, sorted[i]);
            sql_datum b = in(SQL_TYPE_INT8_ARRAY, sorted[k]);
            int c = datum_cmp(&a, &b, NULL);
            assert_int_equal(c < 0 ? -1 : c > 0, i < k ? -1 : i > k);
            if (i == k) assert_int_equal(datum_hash(&a), datum_hash(&a));
        }
    sql_datum a = in(SQL_TYPE_TEXT_ARRAY, "{x,NULL,z}");
    assert_int_equal(array_count(&a), 3);
    assert_int_equal(array_lbound(&a), 1);
    sql_datum e;
    array_get(&a, 1, arena, &e);
    assert_false(e.is_null);
    assert_memory_equal(e.v.s.p, "x", 1);
    array_get(&a, 2, arena, &e);
    assert_true(e.is_null);
    array_get(&a, 0, arena, &e);
    assert_true(e.is_null);
    array_get(&a, 4, arena, &e);
    assert_true(e.is_null);
    sql_datum v = in(SQL_TYPE_INT2VECTOR, "7 8");
    assert_int_equal(array_lbound(&v), 0);
    array_get(&v, 0, arena, &e);
    assert_int_equal(e.v.i, 7);
}

static void test_casts(void **state)
{
    (void)state;
    assert_int_equal(sql_cast_lookup(SQL_TYPE_INT2VECTOR, SQL_TYPE_INT2_ARRAY), SQL_CAST_IMPLICIT);
    assert_int_equal(sql_cast_lookup(SQL_TYPE_INT4_ARRAY, SQL_TYPE_INT8_ARRAY), SQL_CAST_IMPLICIT);
    assert_int_equal(sql_cast_lookup(SQL_TYPE_INT8_ARRAY, SQL_TYPE_INT4_ARRAY),
                     SQL_CAST_ASSIGNMENT);
    assert_int_equal(sql_cast_lookup(SQL_TYPE_TEXT, SQL_TYPE_INT4_ARRAY), SQL_CAST_EXPLICIT);
    sql_datum v = in(SQL_TYPE_INT2VECTOR, "1 3"), c;
    sql_error err;
    assert_int_equal(datum_cast(&v, sql_type_make(SQL_TYPE_INT2_ARRAY, -1), SQL_CAST_IMPLICIT, NULL,
                                arena, &c, &err),
                     MICE_OK);
    assert_string_equal(out(&c), "{1,3}");
    assert_int_equal(array_lbound(&c), 0); /* int2vector's subscripts start at 0 */
    sql_datum big = in(SQL_TYPE_INT8_ARRAY, "{1,5000000000}");
    assert_int_not_equal(datum_cast(&big, sql_type_make(SQL_TYPE_INT4_ARRAY, -1),
                                    SQL_CAST_ASSIGNMENT, NULL, arena, &c, &err),
                         MICE_OK);
    assert_string_equal(err.sqlstate, "22003");
    sql_datum t = in(SQL_TYPE_TEXT_ARRAY, "{3,-4}");
    assert_int_equal(datum_cast(&t, sql_type_make(SQL_TYPE_INT4_ARRAY, -1), SQL_CAST_EXPLICIT, NULL,
                                arena, &c, &err),
                     MICE_OK);
    assert_string_equal(out(&c), "{3,-4}");
}

static void test_binary_send(void **state)
{
    (void)state;
    sql_datum a = in(SQL_TYPE_INT4_ARRAY, "{5,NULL}");
    mice_buf b;
    buf_init(&b);
    assert_int_equal(value_send(&a, &b, NULL), MICE_OK);
    /* ndim 1, has nulls, int4, dim 2, lbound 1, then 4-byte 5 and a NULL (-1) */
    static const uint8_t want[] = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 23, 0,    0,    0,    2,
                                   0, 0, 0, 1, 0, 0, 0, 4, 0, 0, 0, 5,  0xff, 0xff, 0xff, 0xff};
    assert_int_equal(b.n, sizeof want);
    assert_memory_equal(b.p, want, sizeof want);
    buf_deinit(&b);
}

/* array_recv reads what array_send writes (and what psycopg 3 and asyncpg send), and
 * refuses what PostgreSQL's array_recv refuses with its SQLSTATEs. */
static void test_binary_recv(void **state)
{
    (void)state;
    static const char *const lits[][2] = {
        {"int4", "{5,NULL,-7}"}, {"text", "{a,\"b c\",NULL,\"\"}"}, {"int8", "{}"},
        {"numeric", "{1.50,-2,NULL}"}, {"bool", "{t,f}"}, {"date", "{2024-02-29}"}};
    static const sql_type_id types[] = {SQL_TYPE_INT4_ARRAY, SQL_TYPE_TEXT_ARRAY, SQL_TYPE_INT8_ARRAY,
                                        SQL_TYPE_NUMERIC_ARRAY, SQL_TYPE_BOOL_ARRAY,
                                        SQL_TYPE_DATE_ARRAY};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        sql_datum a = in(types[i], lits[i][1]), back;
        mice_buf b;
        buf_init(&b);
        assert_int_equal(value_send(&a, &b, NULL), MICE_OK);
        sql_error err;
        mice_status rc =
            value_recv(sql_type_make(types[i], -1), buf_slice(&b), NULL, arena, &back, &err);
        if (rc) fail_msg("%s[]: %s", lits[i][0], err.message);
        assert_int_equal(back.type, types[i]);
        assert_string_equal(out(&back), lits[i][1]);
        /* one byte more or less is a bad format */
        buf_append_u8(&b, 0);
        assert_int_equal(value_recv(sql_type_make(types[i], -1), buf_slice(&b), NULL, arena, &back,
                                    &err), MICE_INVALID);
        assert_string_equal(err.sqlstate, "22P03");
        b.n -= 2;
        assert_int_equal(value_recv(sql_type_make(types[i], -1), buf_slice(&b), NULL, arena, &back,
                                    &err), MICE_INVALID);
        buf_deinit(&b);
    }
    /* element type of another array type: 42804; two dimensions: 0A000; flags: 22P03 */
    static const uint8_t int8elem[] = {0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t twodim[] = {0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 23, 0, 0, 0, 0, 0, 0, 0, 1,
                                     0, 0, 0, 0, 0, 0, 0, 1};
    static const uint8_t flags[] = {0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 23};
    sql_datum d;
    sql_error err;
    sql_type t = sql_type_make(SQL_TYPE_INT4_ARRAY, -1);
    value_recv(t, mice_slice_of(int8elem, sizeof int8elem), NULL, arena, &d, &err);
    assert_string_equal(err.sqlstate, "42804");
    value_recv(t, mice_slice_of(twodim, sizeof twodim), NULL, arena, &d, &err);
    assert_string_equal(err.sqlstate, "0A000");
    value_recv(t, mice_slice_of(flags, sizeof flags), NULL, arena, &d, &err);
    assert_string_equal(err.sqlstate, "22P03");
    /* ndim 0 is the empty array */
    static const uint8_t empty[] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 23};
    assert_int_equal(value_recv(t, mice_slice_of(empty, sizeof empty), NULL, arena, &d, &err),
                     MICE_OK);
    assert_string_equal(out(&d), "{}");
}

/* Not-an-array bytes (a badly typed argument) read as empty, never crash. */
static void test_garbage_is_safe(void **state)
{
    (void)state;
    mice_prng r;
    prng_seed(&r, 4242);
    uint8_t bytes[64];
    for (int round = 0; round < 2000; round++) {
        size_t n = prng_below(&r, sizeof bytes);
        for (size_t i = 0; i < n; i++)
            bytes[i] = (uint8_t)prng_below(&r, 256);
        sql_datum d = datum_bytes(SQL_TYPE_TEXT_ARRAY, mice_slice_of(bytes, n));
        d.type = round % 2 ? SQL_TYPE_TEXT_ARRAY : SQL_TYPE_NUMERIC_ARRAY;
        array_iter it;
        array_iter_init(&it, &d);
        sql_datum e;
        for (int k = 0; k < 100 && array_iter_next(&it, arena, &e); k++) {
        }
        mice_buf b;
        buf_init(&b);
        (void)array_to_text(&d, NULL, &b, NULL);
        buf_deinit(&b);
        sql_datum text = datum_text(mice_slice_of(bytes, n));
        assert_int_equal(array_count(&text), 0);
        arena_reset(arena);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_round_trip),  cmocka_unit_test(test_malformed_literals),
        cmocka_unit_test(test_order_and_access), cmocka_unit_test(test_casts),
        cmocka_unit_test(test_binary_send),      cmocka_unit_test(test_garbage_is_safe),
        cmocka_unit_test(test_binary_recv),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
