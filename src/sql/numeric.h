/*
 * numeric.h - arbitrary precision decimals with PostgreSQL's numeric semantics.
 *
 * A value is sign + weight + dscale + base-10000 digits, exactly PostgreSQL's NumericVar:
 * value = sum(digits[i] * 10000^(weight - i)); dscale is the number of decimal digits
 * shown after the point (it survives arithmetic: 1.10 + 1 = 2.10). Besides finite
 * values there are NaN, Infinity and -Infinity (PostgreSQL 14+). Results follow
 * PostgreSQL: add/sub keep max(dscale), mul is exact (dscale1 + dscale2), div picks its
 * scale with select_div_scale (at least 16 significant digits) and rounds half away from
 * zero, mod truncates. NaN equals NaN and sorts above everything (then Infinity, then
 * finite values, then -Infinity). Text and binary formats are PostgreSQL's byte for byte
 * (binary: int16 ndigits, int16 weight, uint16 sign, uint16 dscale, int16 digits).
 *
 * Owns: nothing. Values are immutable once made; results are allocated in the caller's
 * arena (intermediates use the C heap and are freed before return). A full arena is
 * 53200 "out of memory". Thread safety: pure functions.
 * Invariants of made values: no leading or trailing zero digits; zero has ndigits 0,
 * weight 0 and a positive sign; weight fits int16 and dscale <= SQL_NUMERIC_DSCALE_MAX.
 */
#ifndef MICE_SQL_NUMERIC_H
#define MICE_SQL_NUMERIC_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/buf.h"
#include "sql/sqlerr.h"

enum {
    SQL_NUMERIC_POS = 0x0000,
    SQL_NUMERIC_NEG = 0x4000,
    SQL_NUMERIC_NAN = 0xC000,
    SQL_NUMERIC_PINF = 0xD000,
    SQL_NUMERIC_NINF = 0xF000,
    SQL_NUMERIC_NBASE = 10000,
    SQL_NUMERIC_DEC_DIGITS = 4,
    SQL_NUMERIC_DSCALE_MAX = 0x3FFF,
    SQL_NUMERIC_WEIGHT_MAX = 0x7FFF,
    SQL_NUMERIC_WEIGHT_MIN = -0x8000,
    SQL_NUMERIC_DISPLAY_SCALE_MAX = 1000,
    SQL_NUMERIC_MIN_SIG_DIGITS = 16,
};

typedef struct sql_numeric {
    uint16_t sign;    /* SQL_NUMERIC_POS, _NEG, _NAN, _PINF, _NINF */
    uint16_t dscale;  /* display scale */
    int32_t weight;   /* weight of digits[0] in base 10000 */
    int32_t ndigits;
    int16_t digits[]; /* 0..9999, most significant first */
} sql_numeric;

bool numeric_is_nan(const sql_numeric *n);
bool numeric_is_inf(const sql_numeric *n); /* either infinity */
bool numeric_is_special(const sql_numeric *n);
/* -1, 0, 1 (NaN gives 0 - check it first). */
int numeric_sign(const sql_numeric *n);

/* Text input: surrounding whitespace, sign, digits with one '.', exponent, and
 * NaN/Infinity/inf in any case. Errors: 22P02 invalid input syntax for type numeric:
 * "<text>"; 22003 value overflows numeric format. */
mice_status numeric_parse(mice_slice text, mice_arena *arena, const sql_numeric **out,
                          sql_error *err);
/* PostgreSQL's numeric_out: "-12.50", "0.000", "NaN", "Infinity", "-Infinity". */
void numeric_format(const sql_numeric *n, mice_buf *out);

/* Apply a numeric(p,s) typmod (-1: none): round to s, then 22003 "numeric field overflow"
 * with PostgreSQL's detail if the value needs more than p - s integer digits (and for
 * infinities). */
mice_status numeric_apply_typmod(const sql_numeric *n, int32_t typmod, mice_arena *arena,
                                 const sql_numeric **out, sql_error *err);

mice_status numeric_add(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                        const sql_numeric **out, sql_error *err);
mice_status numeric_sub(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                        const sql_numeric **out, sql_error *err);
mice_status numeric_mul(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                        const sql_numeric **out, sql_error *err);
/* 22012 division by zero. */
mice_status numeric_div(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                        const sql_numeric **out, sql_error *err);
/* Truncating integer division (div() in SQL). */
mice_status numeric_div_trunc(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                              const sql_numeric **out, sql_error *err);
mice_status numeric_mod(const sql_numeric *a, const sql_numeric *b, mice_arena *arena,
                        const sql_numeric **out, sql_error *err);
mice_status numeric_neg(const sql_numeric *a, mice_arena *arena, const sql_numeric **out,
                        sql_error *err);
mice_status numeric_abs(const sql_numeric *a, mice_arena *arena, const sql_numeric **out,
                        sql_error *err);
/* round(x, scale) half away from zero / trunc(x, scale); scale may be negative. */
mice_status numeric_round(const sql_numeric *a, int32_t scale, mice_arena *arena,
                          const sql_numeric **out, sql_error *err);
mice_status numeric_trunc(const sql_numeric *a, int32_t scale, mice_arena *arena,
                          const sql_numeric **out, sql_error *err);
mice_status numeric_ceil(const sql_numeric *a, mice_arena *arena, const sql_numeric **out,
                         sql_error *err);
mice_status numeric_floor(const sql_numeric *a, mice_arena *arena, const sql_numeric **out,
                          sql_error *err);

/* sqrt() with PostgreSQL's result scale (at least 16 significant digits, at least the
 * input's dscale), correctly rounded. 2201F cannot take square root of a negative
 * number. */
mice_status numeric_sqrt(const sql_numeric *a, mice_arena *arena, const sql_numeric **out,
                         sql_error *err);

int numeric_cmp(const sql_numeric *a, const sql_numeric *b);
/* Equal values hash equal whatever their dscale (1.0 and 1.00). */
uint64_t numeric_hash(const sql_numeric *n);

mice_status numeric_from_int64(int64_t v, mice_arena *arena, const sql_numeric **out,
                               sql_error *err);
/* As PostgreSQL's float8_numeric / float4_numeric: the value printed with %.{digits}g
 * (15 for float8, 6 for float4) and parsed; NaN and infinities map to themselves. */
mice_status numeric_from_double(double v, int digits, mice_arena *arena,
                                const sql_numeric **out, sql_error *err);
/* Round half away from zero to an integer of `bits` (16, 32, 64). Errors with
 * PostgreSQL's texts: 22003 "smallint/integer/bigint out of range"; 0A000 "cannot
 * convert NaN to integer", "cannot convert infinity to bigint"... */
mice_status numeric_to_int(const sql_numeric *n, int bits, int64_t *out, sql_error *err);
/* Through text and strtod, as PostgreSQL; 22003 when out of range for the target
 * (`"<digits>" is out of range for type double precision` / `real`). */
mice_status numeric_to_double(const sql_numeric *n, bool to_float4, double *out, sql_error *err);

void numeric_send(const sql_numeric *n, mice_buf *out);
/* 22P03 invalid sign/scale/digit in external "numeric" value; 08P01 insufficient data
 * left in message; the typmod (-1 none) is applied as numeric_recv does. */
mice_status numeric_recv(mice_slice bytes, int32_t typmod, mice_arena *arena,
                         const sql_numeric **out, sql_error *err);

#endif
