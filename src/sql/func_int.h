/*
 * func_int.h - shared internals of the func module (func*.c), not for other modules.
 *
 * Each func_<family>.c defines one static-storage table of func_desc rows, exported under
 * a func__ name, and uses the result helpers below (results are copied into ctx->arena;
 * a full arena is 53200 out of memory).
 */
#ifndef MICE_SQL_FUNC_INT_H
#define MICE_SQL_FUNC_INT_H

#include "sql/func.h"

#define FUNC__T(x) SQL_TYPE_##x
/* One fixed-arity row: name, result, strict, volatility, impl, declared argument types. */
#define FUNC__ROW(nm, rt, st, vol, impl, n, ...)                                                   \
    {                                                                                              \
        .name = nm, .nargs = n, .variadic = false, .args = {__VA_ARGS__}, .ret = rt, .strict = st, \
        .volatility = vol, .is_aggregate = false, .fn = impl                                       \
    }
#define FUNC__VROW(nm, rt, st, vol, impl, n, ...)                                                  \
    {                                                                                              \
        .name = nm, .nargs = n, .variadic = true, .args = {__VA_ARGS__}, .ret = rt, .strict = st,  \
        .volatility = vol, .is_aggregate = false, .fn = impl                                       \
    }

extern const func_desc func__string_table[];
extern const int func__string_count;
extern const func_desc func__math_table[];
extern const int func__math_count;
extern const func_desc func__time_table[];
extern const int func__time_count;
extern const func_desc func__bytes_table[];
extern const int func__bytes_count;
extern const func_desc func__like_table[];
extern const int func__like_count;
extern const func_desc func__tochar_table[];
extern const int func__tochar_count;
extern const func_desc func__misc_table[];
extern const int func__misc_count;
extern const func_desc func__array_table[];
extern const int func__array_count;
extern const func_desc func__catalog_table[];
extern const int func__catalog_count;
extern const func_desc func__interval_table[];
extern const int func__interval_count;
extern const func_desc func__bytea_table[];
extern const int func__bytea_count;
extern const func_desc func__regex_table[];
extern const int func__regex_count;
extern const func_desc func__json_table[];
extern const int func__json_count;

/* func_lookup over the union of the functions with these (normalized) names; errors
 * name names[0]. */
mice_status func__lookup_names(const char *const *names, int n_names, const sql_type_id *types,
                               int nargs, func_match *out, sql_error *err);

/* Text result: copies n bytes into the arena. */
mice_status func__text_out(func_ctx *ctx, const void *p, size_t n, sql_datum *out, sql_error *err);
mice_status func__bytes_out(func_ctx *ctx, sql_type_id type, const void *p, size_t n,
                            sql_datum *out, sql_error *err);
/* Text result from a buffer, which is then freed. */
mice_status func__text_from_buf(func_ctx *ctx, mice_buf *b, sql_datum *out, sql_error *err);
/* NUL-terminated arena copy of a string datum (NULL on a full arena). */
char *func__cstr(func_ctx *ctx, mice_slice s);
/* Numeric result from an int64 / double (float8_numeric rules). */
mice_status func__numeric_int(func_ctx *ctx, int64_t v, sql_datum *out, sql_error *err);
/* The session's time zone (NULL = UTC). */
const sql_tz *func__tz(const func_ctx *ctx);

#endif
