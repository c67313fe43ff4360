/* func_json.c - json_build_object, json_build_array, to_json (PostgreSQL's json.c; the JSON
 * forms of values are sqljson.h's). */
#include <string.h>

#include "base/buf.h"
#include "sql/func_int.h"
#include "sql/sqljson.h"

static mice_status json_out(func_ctx *c, mice_buf *b, sql_datum *o, sql_error *e)
{
    mice_status rc = func__bytes_out(c, SQL_TYPE_JSON, b->p, b->n, o, e);
    buf_deinit(b);
    return rc;
}

/* {"k" : v, ...}: keys are never NULL and print as strings. */
static mice_status f_build_object(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                  sql_error *e)
{
    if (n % 2) {
        sqlerr_set(e, MICE_INVALID, "22023", "argument list must have even number of elements");
        sqlerr_hint(e, "The arguments of json_build_object() must consist of alternating keys "
                       "and values.");
        return MICE_INVALID;
    }
    mice_buf b;
    buf_init(&b);
    buf_append_u8(&b, '{');
    mice_status rc = MICE_OK;
    for (int i = 0; !rc && i < n; i += 2) {
        if (a[i].is_null) {
            sqlerr_set(e, MICE_INVALID, "22023", "argument %d cannot be null", i + 1);
            sqlerr_hint(e, "Object keys should be text.");
            rc = MICE_INVALID;
            break;
        }
        if (i) buf_append_str(&b, ", ");
        mice_buf k;
        buf_init(&k);
        rc = sqljson_append_datum(&k, &a[i], c->vctx, e);
        mice_slice ks = buf_slice(&k);
        if (!rc && ks.n && ks.p[0] == '"')
            buf_append_slice(&b, ks);
        else if (!rc)
            sqljson_append_string(&b, ks);
        buf_deinit(&k);
        buf_append_str(&b, " : ");
        if (!rc) rc = sqljson_append_datum(&b, &a[i + 1], c->vctx, e);
    }
    buf_append_u8(&b, '}');
    if (rc) {
        buf_deinit(&b);
        return rc;
    }
    return json_out(c, &b, o, e);
}

static mice_status f_build_array(const sql_datum *a, int n, func_ctx *c, sql_datum *o,
                                 sql_error *e)
{
    mice_buf b;
    buf_init(&b);
    buf_append_u8(&b, '[');
    mice_status rc = MICE_OK;
    for (int i = 0; !rc && i < n; i++) {
        if (i) buf_append_str(&b, ", ");
        rc = sqljson_append_datum(&b, &a[i], c->vctx, e);
    }
    buf_append_u8(&b, ']');
    if (rc) {
        buf_deinit(&b);
        return rc;
    }
    return json_out(c, &b, o, e);
}

static mice_status f_to_json(const sql_datum *a, int n, func_ctx *c, sql_datum *o, sql_error *e)
{
    (void)n;
    mice_buf b;
    buf_init(&b);
    mice_status rc = sqljson_append_datum(&b, &a[0], c->vctx, e);
    if (rc) {
        buf_deinit(&b);
        return rc;
    }
    return json_out(c, &b, o, e);
}

#define R FUNC__ROW
#define V FUNC__VROW
#define T FUNC__T
#define S FUNC_STABLE
const func_desc func__json_table[] = {
    R("json_build_object", T(JSON), false, S, f_build_object, 0, 0),
    V("json_build_object", T(JSON), false, S, f_build_object, 1, FUNC_TYPE_ANY),
    R("json_build_array", T(JSON), false, S, f_build_array, 0, 0),
    V("json_build_array", T(JSON), false, S, f_build_array, 1, FUNC_TYPE_ANY),
    R("to_json", T(JSON), true, S, f_to_json, 1, FUNC_TYPE_ANY),
};
const int func__json_count = sizeof func__json_table / sizeof func__json_table[0];
