/*
 * keys.c - builders, spans and pretty-printing for the key space layout (see keys.h).
 */
#include "kv/keys.h"

#include "base/check.h"
#include "base/keyenc.h"

static void put_ns(mice_buf *out, uint8_t ns)
{
    buf_append_u8(out, ns);
}

void keys_sys_prefix(mice_buf *out, keys_sys_kind kind)
{
    put_ns(out, KEYS_NS_SYSTEM);
    keyenc_put_uvarint(out, (uint64_t)kind, KEYENC_ASC);
}

void keys_desc(mice_buf *out, uint64_t id)
{
    keys_sys_prefix(out, KEYS_SYS_DESC);
    keyenc_put_uvarint(out, id, KEYENC_ASC);
}

void keys_namespace_prefix(mice_buf *out, uint64_t parent_id)
{
    keys_sys_prefix(out, KEYS_SYS_NAMESPACE);
    keyenc_put_uvarint(out, parent_id, KEYENC_ASC);
}

void keys_namespace(mice_buf *out, uint64_t parent_id, mice_slice name)
{
    keys_namespace_prefix(out, parent_id);
    keyenc_put_text(out, name, KEYENC_ASC);
}

void keys_id_gen(mice_buf *out)
{
    keys_sys_prefix(out, KEYS_SYS_ID_GEN);
}

void keys_catalog_version(mice_buf *out)
{
    keys_sys_prefix(out, KEYS_SYS_CATALOG_VER);
}

void keys_setting(mice_buf *out, mice_slice name)
{
    keys_sys_prefix(out, KEYS_SYS_SETTINGS);
    keyenc_put_text(out, name, KEYENC_ASC);
}

void keys_user(mice_buf *out, mice_slice name)
{
    keys_sys_prefix(out, KEYS_SYS_USERS);
    keyenc_put_text(out, name, KEYENC_ASC);
}

void keys_gc_job(mice_buf *out, uint64_t table_id, uint64_t index_id)
{
    keys_sys_prefix(out, KEYS_SYS_GC_JOB);
    keyenc_put_uvarint(out, table_id, KEYENC_ASC);
    keyenc_put_uvarint(out, index_id, KEYENC_ASC);
}

void keys_node(mice_buf *out, uint64_t node_id)
{
    keys_sys_prefix(out, KEYS_SYS_NODE);
    keyenc_put_uvarint(out, node_id, KEYENC_ASC);
}

void keys_node_id_gen(mice_buf *out)
{
    keys_sys_prefix(out, KEYS_SYS_NODE_ID_GEN);
}

void keys_range_id_gen(mice_buf *out)
{
    keys_sys_prefix(out, KEYS_SYS_RANGE_ID_GEN);
}

void keys_sequence(mice_buf *out, uint64_t id)
{
    keys_sys_prefix(out, KEYS_SYS_SEQUENCE);
    keyenc_put_uvarint(out, id, KEYENC_ASC);
}

void keys_table_prefix(mice_buf *out, uint64_t table_id)
{
    put_ns(out, KEYS_NS_TABLE);
    keyenc_put_uvarint(out, table_id, KEYENC_ASC);
}

void keys_index_prefix(mice_buf *out, uint64_t table_id, uint64_t index_id)
{
    keys_table_prefix(out, table_id);
    keyenc_put_uvarint(out, index_id, KEYENC_ASC);
}

static mice_status table_id_of(mice_slice *in, mice_slice key, uint64_t *table_id)
{
    if (key.n < 1 || key.p[0] != KEYS_NS_TABLE) return MICE_CORRUPT;
    *in = (mice_slice){key.p + 1, key.n - 1};
    return keyenc_get_uvarint(in, KEYENC_ASC, table_id) ? MICE_CORRUPT : MICE_OK;
}

mice_status keys_decode_table_id(mice_slice key, uint64_t *table_id)
{
    mice_slice in;
    return table_id_of(&in, key, table_id);
}

mice_status keys_decode_index_key(mice_slice key, uint64_t *table_id, uint64_t *index_id,
                                  mice_slice *rest)
{
    mice_slice in;
    mice_status rc = table_id_of(&in, key, table_id);
    if (rc) return rc;
    rc = keyenc_get_uvarint(&in, KEYENC_ASC, index_id);
    if (rc) return MICE_CORRUPT;
    *rest = in;
    return MICE_OK;
}

void keys_kv(mice_buf *out, mice_slice user_key)
{
    put_ns(out, KEYS_NS_KV);
    buf_append_slice(out, user_key);
}

bool keys_kv_user_key(mice_slice key, mice_slice *user_key)
{
    if (key.n < 1 || key.p[0] != KEYS_NS_KV) return false;
    *user_key = (mice_slice){key.p + 1, key.n - 1};
    return true;
}

void keys_prefix_span(mice_slice prefix, mice_buf *start, mice_buf *end)
{
    buf_append_slice(start, prefix);
    bool ok = keyenc_prefix_end(prefix, end);
    mice_assert(ok);
}

static void ns_span(uint8_t ns, mice_buf *start, mice_buf *end)
{
    buf_append_u8(start, ns);
    buf_append_u8(end, (uint8_t)(ns + 1));
}

void keys_system_span(mice_buf *start, mice_buf *end)
{
    ns_span(KEYS_NS_SYSTEM, start, end);
}

void keys_all_tables_span(mice_buf *start, mice_buf *end)
{
    ns_span(KEYS_NS_TABLE, start, end);
}

void keys_kv_span(mice_buf *start, mice_buf *end)
{
    ns_span(KEYS_NS_KV, start, end);
}

void keys_table_span(mice_buf *start, mice_buf *end, uint64_t table_id)
{
    mice_buf p;
    buf_init(&p);
    keys_table_prefix(&p, table_id);
    keys_prefix_span(buf_slice(&p), start, end);
    buf_deinit(&p);
}

void keys_index_span(mice_buf *start, mice_buf *end, uint64_t table_id, uint64_t index_id)
{
    mice_buf p;
    buf_init(&p);
    keys_index_prefix(&p, table_id, index_id);
    keys_prefix_span(buf_slice(&p), start, end);
    buf_deinit(&p);
}

/* --- pretty printing ----------------------------------------------------------------- */

static const char *const sys_kind_names[] = {
    [KEYS_SYS_DESC] = "desc",         [KEYS_SYS_NAMESPACE] = "ns",
    [KEYS_SYS_ID_GEN] = "idgen",      [KEYS_SYS_CATALOG_VER] = "catver",
    [KEYS_SYS_SETTINGS] = "settings", [KEYS_SYS_USERS] = "users",
    [KEYS_SYS_SEQUENCE] = "seq",      [KEYS_SYS_RANGE_DIR] = "range",
};

static void pretty_hex(mice_buf *out, mice_slice s)
{
    static const char hex[] = "0123456789abcdef";
    buf_append_str(out, "/?");
    for (size_t i = 0; i < s.n; i++) {
        buf_append_u8(out, (uint8_t)hex[s.p[i] >> 4]);
        buf_append_u8(out, (uint8_t)hex[s.p[i] & 15]);
    }
}

static void pretty_system(mice_slice rest, mice_buf *out)
{
    buf_append_str(out, "/sys");
    uint64_t kind = 0;
    mice_slice in = rest;
    if (keyenc_get_uvarint(&in, KEYENC_ASC, &kind) != MICE_OK) {
        pretty_hex(out, rest);
        return;
    }
    size_t n_names = sizeof sys_kind_names / sizeof sys_kind_names[0];
    if (kind < n_names && sys_kind_names[kind])
        buf_printf(out, "/%s", sys_kind_names[kind]);
    else
        buf_printf(out, "/kind%llu", (unsigned long long)kind);
    if (in.n > 0) keyenc_pretty(in, out);
}

static void pretty_kv(mice_slice user, mice_buf *out)
{
    buf_append_str(out, "/kv/\"");
    for (size_t i = 0; i < user.n; i++) {
        uint8_t c = user.p[i];
        if (c == '"' || c == '\\')
            buf_printf(out, "\\%c", c);
        else if (c >= 0x20 && c < 0x7f)
            buf_append_u8(out, c);
        else
            buf_printf(out, "\\x%02x", c);
    }
    buf_append_u8(out, '"');
}

void keys_pretty(mice_slice key, mice_buf *out)
{
    if (key.n == 0) {
        buf_append_str(out, "/Min");
        return;
    }
    mice_slice rest = {key.p + 1, key.n - 1};
    switch (key.p[0]) {
    case KEYS_NS_SYSTEM:
        pretty_system(rest, out);
        return;
    case KEYS_NS_TABLE:
        buf_append_str(out, "/t");
        if (rest.n > 0) keyenc_pretty(rest, out);
        return;
    case KEYS_NS_KV:
        pretty_kv(rest, out);
        return;
    default:
        pretty_hex(out, key);
        return;
    }
}
