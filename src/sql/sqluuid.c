/* sqluuid.c - the uuid type (see sqluuid.h). */
#include "sql/sqluuid.h"

#include <ctype.h>
#include <string.h>

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

mice_status sqluuid_parse(mice_slice text, sql_uuid *out, sql_error *err)
{
    const uint8_t *p = text.p, *end = text.p + text.n;
    bool braces = p < end && *p == '{';
    if (braces) p++;
    for (int i = 0; i < SQL_UUID_BYTES; i++) {
        if (end - p < 2) goto bad;
        int hi = hexval(p[0]), lo = hexval(p[1]);
        if (hi < 0 || lo < 0) goto bad;
        out->b[i] = (uint8_t)(hi << 4 | lo);
        p += 2;
        if (p < end && *p == '-' && i % 2 == 1 && i < SQL_UUID_BYTES - 1) p++;
    }
    if (braces) {
        if (p == end || *p != '}') goto bad;
        p++;
    }
    if (p != end) goto bad;
    return MICE_OK;
bad:
    return sqlerr_invalid_input(err, "uuid", (const char *)text.p, text.n);
}

void sqluuid_format(const sql_uuid *u, mice_buf *out)
{
    static const char hex[] = "0123456789abcdef";
    char s[SQL_UUID_TEXT_LEN];
    int k = 0;
    for (int i = 0; i < SQL_UUID_BYTES; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s[k++] = '-';
        s[k++] = hex[u->b[i] >> 4];
        s[k++] = hex[u->b[i] & 15];
    }
    buf_append(out, s, sizeof s);
}

mice_status sqluuid_recv(mice_slice bytes, sql_uuid *out, sql_error *err)
{
    if (bytes.n != SQL_UUID_BYTES)
        return sqlerr_set(err, MICE_INVALID, SQLSTATE_INVALID_BINARY_REPRESENTATION,
                          "incorrect binary data format");
    memcpy(out->b, bytes.p, SQL_UUID_BYTES);
    return MICE_OK;
}

int sqluuid_cmp(const sql_uuid *a, const sql_uuid *b)
{
    int c = memcmp(a->b, b->b, SQL_UUID_BYTES);
    return c < 0 ? -1 : c > 0;
}

void sqluuid_random(mice_prng *prng, sql_uuid *out)
{
    prng_fill(prng, out->b, SQL_UUID_BYTES);
    out->b[6] = (uint8_t)((out->b[6] & 0x0f) | 0x40); /* version 4 */
    out->b[8] = (uint8_t)((out->b[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}
