/* func_array.c - array functions (array.h): array_to_string, array_length, array_upper,
 * array_lower, array_ndims, cardinality, array_position, string_to_array. (The regular
 * expression operators psql sends live in func_regex.c.) */
#include <stdio.h>
#include <string.h>

#include "sql/array.h"
#include "sql/func_int.h"
#include "sql/value_io.h"

#define SQLSTATE_INVALID_REGULAR_EXPRESSION "2201B"

static mice_status f_array_to_string(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                     sql_error *e)
{
    if (a[0].is_null || a[1].is_null) {
        *o = datum_null(SQL_TYPE_TEXT);
        return MICE_OK;
    }
    mice_buf b;
    buf_init(&b);
    array_iter it;
    array_iter_init(&it, &a[0]);
    sql_datum x;
    bool first = true;
    mice_status rc = MICE_OK;
    while (rc == MICE_OK && array_iter_next(&it, c->arena, &x)) {
        if (x.is_null && (n < 3 || a[2].is_null)) continue;
        if (!first) buf_append_slice(&b, a[1].v.s);
        first = false;
        if (x.is_null)
            buf_append_slice(&b, a[2].v.s);
        else
            rc = value_to_text(&x, c->vctx, &b, e);
    }
    if (rc) {
        buf_deinit(&b);
        return rc;
    }
    return func__text_from_buf(c, &b, o, e);
}

/* One-dimensional arrays: dimension 1 only; NULL for empty arrays, as PostgreSQL. */
static bool dim_ok(const sql_datum *a, const sql_datum *dim)
{
    return dim->v.i == 1 && array_count(a) > 0;
}

static mice_status f_array_length(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                  sql_error *e)
{
    (void)n, (void)c, (void)e;
    *o = dim_ok(&a[0], &a[1]) ? datum_int4((int32_t)array_count(&a[0])) : datum_null(SQL_TYPE_INT4);
    return MICE_OK;
}

static mice_status f_array_lower(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c, (void)e;
    *o = dim_ok(&a[0], &a[1]) ? datum_int4(array_lbound(&a[0])) : datum_null(SQL_TYPE_INT4);
    return MICE_OK;
}

static mice_status f_array_upper(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c, (void)e;
    *o = dim_ok(&a[0], &a[1]) ? datum_int4(array_lbound(&a[0]) + (int32_t)array_count(&a[0]) - 1)
                              : datum_null(SQL_TYPE_INT4);
    return MICE_OK;
}

static mice_status f_array_ndims(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c, (void)e;
    *o = array_count(&a[0]) ? datum_int4(1) : datum_null(SQL_TYPE_INT4);
    return MICE_OK;
}

static mice_status f_cardinality(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n, (void)c, (void)e;
    *o = datum_int4((int32_t)array_count(&a[0]));
    return MICE_OK;
}

/* array_position(a, x [, start]): the first subscript where a[i] IS NOT DISTINCT FROM x. */
static mice_status f_array_position(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                    sql_error *e)
{
    *o = datum_null(SQL_TYPE_INT4);
    if (a[0].is_null) return MICE_OK;
    sql_datum x = a[1];
    sql_type_id elem = array_elem(&a[0]);
    if (!x.is_null && !datum_types_comparable(x.type, elem)) {
        mice_status rc =
            datum_cast(&a[1], sql_type_make(elem, -1), SQL_CAST_IMPLICIT, c->vctx, c->arena, &x, e);
        if (rc) return rc;
    }
    int64_t start = n > 2 && !a[2].is_null ? a[2].v.i : array_lbound(&a[0]);
    array_iter it;
    array_iter_init(&it, &a[0]);
    sql_datum v;
    for (int64_t i = array_lbound(&a[0]); array_iter_next(&it, c->arena, &v); i++) {
        if (i < start) continue;
        bool same =
            v.is_null || x.is_null ? v.is_null == x.is_null : datum_cmp(&v, &x, c->vctx) == 0;
        if (same) {
            *o = datum_int4((int32_t)i);
            return MICE_OK;
        }
    }
    return MICE_OK;
}

static mice_status f_string_to_array(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                     sql_error *e)
{
    if (a[0].is_null) {
        *o = datum_null(SQL_TYPE_TEXT_ARRAY);
        return MICE_OK;
    }
    mice_slice s = a[0].v.s;
    mice_slice sep = a[1].is_null ? (mice_slice){0} : a[1].v.s;
    uint32_t cap = (uint32_t)s.n + 1, k = 0;
    sql_datum *v = ARENA_NEW_ARRAY(c->arena, sql_datum, cap);
    if (!v) return sqlerr_nomem(e);
    if (s.n) {
        size_t i = 0;
        while (i <= s.n) {
            size_t j = i;
            if (a[1].is_null) {
                j = i < s.n ? i + 1 : i; /* NULL separator: one character per element (bytes) */
            } else if (sep.n == 0) {
                j = s.n;
            } else {
                while (j + sep.n <= s.n && memcmp(s.p + j, sep.p, sep.n))
                    j++;
                if (j + sep.n > s.n) j = s.n;
            }
            sql_datum d = datum_text(mice_slice_of(s.p + i, j - i));
            if (n > 2 && !a[2].is_null && mice_slice_cmp(d.v.s, a[2].v.s) == 0)
                d = datum_null(SQL_TYPE_TEXT);
            v[k++] = d;
            if (j >= s.n) break;
            i = a[1].is_null ? j : j + sep.n;
            if (a[1].is_null && i >= s.n) break;
        }
    }
    return array_build(SQL_TYPE_TEXT_ARRAY, v, k, 1, c->arena, o, e);
}

#define R FUNC__ROW
#define T FUNC__T
#define I FUNC_IMMUTABLE
#define ARR FUNC_TYPE_ANYARRAY
const func_desc func__array_table[] = {
    R("array_to_string", T(TEXT), false, I, f_array_to_string, 2, ARR, T(TEXT)),
    R("array_to_string", T(TEXT), false, I, f_array_to_string, 3, ARR, T(TEXT), T(TEXT)),
    R("array_length", T(INT4), true, I, f_array_length, 2, ARR, T(INT4)),
    R("array_lower", T(INT4), true, I, f_array_lower, 2, ARR, T(INT4)),
    R("array_upper", T(INT4), true, I, f_array_upper, 2, ARR, T(INT4)),
    R("array_ndims", T(INT4), true, I, f_array_ndims, 1, ARR),
    R("cardinality", T(INT4), true, I, f_cardinality, 1, ARR),
    R("array_position", T(INT4), false, I, f_array_position, 2, ARR, FUNC_TYPE_ANY),
    R("array_position", T(INT4), false, I, f_array_position, 3, ARR, FUNC_TYPE_ANY, T(INT4)),
    R("string_to_array", T(TEXT_ARRAY), false, I, f_string_to_array, 2, T(TEXT), T(TEXT)),
    R("string_to_array", T(TEXT_ARRAY), false, I, f_string_to_array, 3, T(TEXT), T(TEXT), T(TEXT)),
};
const int func__array_count = sizeof func__array_table / sizeof func__array_table[0];
