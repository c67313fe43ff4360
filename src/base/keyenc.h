/*
 * keyenc.h - order-preserving key encoding: memcmp order of the bytes == value order.
 *
 * Every SQL row and index key, every system key, is a concatenation of encoded values, so
 * RocksDB's bytewise order is SQL order and a prefix of columns is a prefix of bytes.
 * Each value starts with a one-byte tag, so keys are self-describing and a decoder can
 * walk a composite key without a schema (keyenc_peek / keyenc_skip).
 *
 * Ascending encodings:
 *   NULL       KEYENC_NULL                         (sorts before every non-NULL value)
 *   bool       KEYENC_FALSE | KEYENC_TRUE
 *   int64      KEYENC_INT   + 8 bytes big-endian with the sign bit flipped
 *   float64    KEYENC_FLOAT + 8 bytes: IEEE bits, sign bit flipped for >= 0, all bits
 *              flipped for < 0. -0.0 is stored as +0.0 (SQL says they are equal) and every
 *              NaN as one canonical NaN that sorts after +Infinity (PostgreSQL's order).
 *   text       KEYENC_TEXT  + bytes with 0x00 escaped as 0x00 0xFF, then 0x00 0x01
 *   bytea      KEYENC_BYTES + the same escaping and terminator
 *   timestamp  KEYENC_TIME  + int64 microseconds, as for int64
 *   uvarint    KEYENC_UVARINT_0 + n (n = 0..8 bytes of the value, big-endian, no leading
 *              zero bytes): compact ids (table, index) that still sort numerically.
 * Descending: the ascending encoding with every byte inverted (tag included), so a
 * forward scan over a DESC column yields values largest first and NULL last.
 *
 * Owns: nothing; encoders append to a caller's mice_buf, decoders read from a caller's
 * slice and advance it. Thread safety: pure functions.
 * Invariants: for values a, b of one type and direction: a < b <=> memcmp(enc a, enc b) < 0;
 * decode(encode(v)) == v (with the float normalisations above). Decoders never trust
 * their input: malformed bytes give MICE_CORRUPT, never a crash.
 */
#ifndef MICE_BASE_KEYENC_H
#define MICE_BASE_KEYENC_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"

typedef enum keyenc_tag {
    KEYENC_NULL = 0x00,
    KEYENC_FALSE = 0x10,
    KEYENC_TRUE = 0x11,
    KEYENC_UVARINT_0 = 0x20, /* 0x20..0x28: 0..8 value bytes follow */
    KEYENC_INT = 0x30,
    KEYENC_FLOAT = 0x40,
    KEYENC_TIME = 0x50,
    KEYENC_TEXT = 0x60,
    KEYENC_BYTES = 0x70,
} keyenc_tag;

typedef enum keyenc_dir { KEYENC_ASC = 0, KEYENC_DESC = 1 } keyenc_dir;

/* The kind of value at the front of an encoded key (direction-independent). */
typedef enum keyenc_kind {
    KEYENC_KIND_NULL,
    KEYENC_KIND_BOOL,
    KEYENC_KIND_UVARINT,
    KEYENC_KIND_INT,
    KEYENC_KIND_FLOAT,
    KEYENC_KIND_TIME,
    KEYENC_KIND_TEXT,
    KEYENC_KIND_BYTES,
} keyenc_kind;

void keyenc_put_null(mice_buf *b, keyenc_dir dir);
void keyenc_put_bool(mice_buf *b, bool v, keyenc_dir dir);
void keyenc_put_uvarint(mice_buf *b, uint64_t v, keyenc_dir dir);
void keyenc_put_int64(mice_buf *b, int64_t v, keyenc_dir dir);
void keyenc_put_float64(mice_buf *b, double v, keyenc_dir dir);
void keyenc_put_timestamp(mice_buf *b, int64_t micros, keyenc_dir dir);
void keyenc_put_text(mice_buf *b, mice_slice v, keyenc_dir dir);
void keyenc_put_bytes(mice_buf *b, mice_slice v, keyenc_dir dir);

/* Kind and direction of the value at the front of in; MICE_CORRUPT on an unknown tag,
 * MICE_NOTFOUND on empty input. Does not consume. */
mice_status keyenc_peek(mice_slice in, keyenc_kind *kind, keyenc_dir *dir);

/* Decoders consume one value of the named kind and direction from the front of *in.
 * A NULL where a value was expected is reported with *is_null (when is_null is not NULL;
 * otherwise it is MICE_CORRUPT). Wrong tag, truncation or bad escapes: MICE_CORRUPT, and so
 * are non-canonical bytes the encoders never write (a uvarint with a leading zero byte, -0.0,
 * a NaN other than the canonical one). On any error *in is left unchanged. */
mice_status keyenc_get_null(mice_slice *in, keyenc_dir dir);
mice_status keyenc_get_bool(mice_slice *in, keyenc_dir dir, bool *v, bool *is_null);
mice_status keyenc_get_uvarint(mice_slice *in, keyenc_dir dir, uint64_t *v);
mice_status keyenc_get_int64(mice_slice *in, keyenc_dir dir, int64_t *v, bool *is_null);
mice_status keyenc_get_float64(mice_slice *in, keyenc_dir dir, double *v, bool *is_null);
mice_status keyenc_get_timestamp(mice_slice *in, keyenc_dir dir, int64_t *micros, bool *is_null);
/* Text and bytes are unescaped into out (appended); out is untouched for NULL and on error. */
mice_status keyenc_get_text(mice_slice *in, keyenc_dir dir, mice_buf *out, bool *is_null);
mice_status keyenc_get_bytes(mice_slice *in, keyenc_dir dir, mice_buf *out, bool *is_null);

/* Consume one value of any kind and direction, validating it as the decoders do;
 * MICE_CORRUPT on empty input. */
mice_status keyenc_skip(mice_slice *in);

/* The smallest key greater than every key with the given prefix (for scan end bounds),
 * appended to out; false (out untouched) when no such key exists (prefix empty or all 0xFF,
 * e.g. a lone descending NULL). */
bool keyenc_prefix_end(mice_slice prefix, mice_buf *out);

/* Human-readable rendering of an encoded key, e.g. /1/42/"bob"/NULL, appended to out.
 * Text is quoted with C escapes, bytes as '\x0aff', timestamps in UTC as
 * 2023-11-14 22:13:20.123456, floats with Infinity/NaN spelled out; descending values print
 * like ascending ones.
 * The empty key is "/". An undecodable tail is shown as "/?" + hex. For logs and EXPLAIN. */
void keyenc_pretty(mice_slice key, mice_buf *out);

#endif
