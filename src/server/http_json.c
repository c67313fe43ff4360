/* JSON text for the HTTP APIs (see http_json.h). */
#include "server/http_json.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "server/scram.h"

enum {
    OID_BOOL = 16,
    OID_INT8 = 20,
    OID_INT2 = 21,
    OID_INT4 = 23,
    OID_OID = 26,
    OID_FLOAT4 = 700,
    OID_FLOAT8 = 701,
};

/* Length of the well-formed UTF-8 sequence at s[i], or 0. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    uint8_t c = p[0];
    if (c < 0x80) return 1;
    size_t len;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF)
        len = 2, cp = c & 0x1F;
    else if (c >= 0xE0 && c <= 0xEF)
        len = 3, cp = c & 0x0F;
    else if (c >= 0xF0 && c <= 0xF4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (n < len) return 0;
    for (size_t k = 1; k < len; k++) {
        if ((p[k] & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (p[k] & 0x3F);
    }
    if (len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) return 0;
    if (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) return 0;
    return len;
}

bool http_json_utf8_valid(mice_slice s)
{
    for (size_t i = 0; i < s.n;) {
        size_t len = utf8_seq(s.p + i, s.n - i);
        if (!len) return false;
        i += len;
    }
    return true;
}

void http_json_append_string(mice_buf *out, mice_slice s)
{
    static const char hex[] = "0123456789abcdef";
    buf_reserve(out, s.n + 2);
    buf_append_u8(out, '"');
    size_t run = 0; /* bytes copied verbatim since the last escape */
    for (size_t i = 0; i < s.n;) {
        uint8_t c = s.p[i];
        size_t len = c < 0x80 ? 1 : utf8_seq(s.p + i, s.n - i);
        bool plain = len > 1 || (len == 1 && c >= 0x20 && c != '"' && c != '\\');
        if (plain) {
            i += len;
            run += len;
            continue;
        }
        buf_append(out, s.p + i - run, run);
        run = 0;
        if (len == 0) {
            buf_append_str(out, "\xEF\xBF\xBD"); /* U+FFFD for a byte that is not UTF-8 */
        } else if (c == '"' || c == '\\') {
            buf_append_u8(out, '\\');
            buf_append_u8(out, c);
        } else if (c == '\n') {
            buf_append_str(out, "\\n");
        } else if (c == '\r') {
            buf_append_str(out, "\\r");
        } else if (c == '\t') {
            buf_append_str(out, "\\t");
        } else {
            char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            buf_append_str(out, esc);
        }
        i++;
    }
    buf_append(out, s.p + s.n - run, run);
    buf_append_u8(out, '"');
}

void http_json_append_bytes_field(mice_buf *out, const char *name, mice_slice bytes)
{
    bool text = http_json_utf8_valid(bytes);
    buf_append_u8(out, '"');
    buf_append_str(out, name);
    buf_append_str(out, text ? "\":" : "_b64\":");
    if (text) {
        http_json_append_string(out, bytes);
        return;
    }
    buf_append_u8(out, '"');
    scram_base64_encode(bytes.p, bytes.n, out);
    buf_append_u8(out, '"');
}

static size_t digits(mice_slice s, size_t i)
{
    size_t j = i;
    while (j < s.n && s.p[j] >= '0' && s.p[j] <= '9')
        j++;
    return j - i;
}

bool http_json_number_valid(mice_slice s)
{
    size_t i = 0;
    if (i < s.n && s.p[i] == '-') i++;
    size_t d = digits(s, i);
    if (d == 0 || (d > 1 && s.p[i] == '0')) return false;
    i += d;
    if (i < s.n && s.p[i] == '.') {
        d = digits(s, ++i);
        if (d == 0) return false;
        i += d;
    }
    if (i < s.n && (s.p[i] == 'e' || s.p[i] == 'E')) {
        i++;
        if (i < s.n && (s.p[i] == '+' || s.p[i] == '-')) i++;
        d = digits(s, i);
        if (d == 0) return false;
        i += d;
    }
    return i == s.n;
}

void http_json_append_pg_value(mice_buf *out, uint32_t type_oid, mice_slice text, bool is_null)
{
    if (is_null) {
        buf_append_str(out, "null");
        return;
    }
    switch (type_oid) {
    case OID_BOOL:
        if (text.n == 1 && (text.p[0] == 't' || text.p[0] == 'f')) {
            buf_append_str(out, text.p[0] == 't' ? "true" : "false");
            return;
        }
        break;
    case OID_INT2:
    case OID_INT4:
    case OID_INT8:
    case OID_OID:
    case OID_FLOAT4:
    case OID_FLOAT8:
        if (http_json_number_valid(text)) { /* NaN and the infinities are not */
            buf_append_slice(out, text);
            return;
        }
        break;
    default:
        break;
    }
    http_json_append_string(out, text);
}

void http_json_append_time(mice_buf *out, uint64_t wall_ns)
{
    time_t secs = (time_t)(wall_ns / 1000000000u);
    unsigned micros = (unsigned)(wall_ns % 1000000000u / 1000u);
    struct tm tm;
    gmtime_r(&secs, &tm);
    buf_printf(out, "\"%04d-%02d-%02dT%02d:%02d:%02d.%06uZ\"", tm.tm_year + 1900, tm.tm_mon + 1,
               tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, micros);
}

int http_json_status_for_sqlstate(const char *sqlstate)
{
    if (!sqlstate || strlen(sqlstate) != 5) return 500;
    if (!strncmp(sqlstate, "40", 2) || !strcmp(sqlstate, "55P03")) return 409;
    if (!strncmp(sqlstate, "28", 2) || !strcmp(sqlstate, "42501")) return 403;
    if (!strncmp(sqlstate, "53", 2) || !strncmp(sqlstate, "57P", 3)) return 503;
    if (!strncmp(sqlstate, "XX", 2) || !strncmp(sqlstate, "58", 2)) return 500;
    return 400;
}
