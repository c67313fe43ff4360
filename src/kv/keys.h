/*
 * keys.h - the layout of the cluster's one ordered key space, in one place.
 *
 * Every key starts with a namespace byte, so the namespaces sort in this order:
 *   0x02 system   /sys/<kind>/...   catalog descriptors, name entries, id generator,
 *                                   catalog version, settings, users, sequence counters,
 *                                   (later) the range directory
 *   0x04 tables   /t/<table id>/<index id>/<index columns>[/<primary key columns>]
 *   0x06 kv       /kv/<user key>    the Redis/HTTP namespace; the user key's raw bytes
 *                                   follow the prefix, so user keys sort by their bytes
 * Literal strings ("/sys", "/t", "/kv") would not sort like that ("/kv" < "/sys"), hence
 * the bytes. 0x00, 0xFF and the odd bytes are free: bounds and later namespaces fit in
 * the gaps. After the namespace byte, system and table keys are keyenc values: a system
 * key is keyenc uvarint(kind) + the kind's fields; a table key is keyenc uvarint(table
 * id) + uvarint(index id) + the index columns. keyenc's uvarint is self-delimiting, so
 * the span of table 5 never contains a key of table 50 or 500.
 *
 * Spans are [start, end): end is the smallest key above every key with the prefix
 * (keyenc_prefix_end), so nested spans (system < tables < kv; index inside table) hold.
 *
 * Owns: nothing; builders append to a caller's mice_buf. Thread safety: pure functions.
 * Decoders never trust their input: malformed keys give MICE_CORRUPT.
 */
#ifndef MICE_KV_KEYS_H
#define MICE_KV_KEYS_H

#include <stdbool.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"

enum {
    KEYS_NS_SYSTEM = 0x02,
    KEYS_NS_TABLE = 0x04,
    KEYS_NS_KV = 0x06,
};

/* The kinds of system keys (the first value after the system byte). Stable on disk. */
typedef enum keys_sys_kind {
    KEYS_SYS_DESC = 1,        /* /sys/desc/<id>: a catalog descriptor */
    KEYS_SYS_NAMESPACE = 2,   /* /sys/ns/<parent id>/<name>: name -> id */
    KEYS_SYS_ID_GEN = 3,      /* /sys/idgen: the next descriptor id */
    KEYS_SYS_CATALOG_VER = 4, /* /sys/catver: bumped by every DDL */
    KEYS_SYS_SETTINGS = 5,    /* /sys/settings/<name> */
    KEYS_SYS_USERS = 6,       /* /sys/users/<name>: a role record */
    KEYS_SYS_SEQUENCE = 7,    /* /sys/seq/<id>: a sequence's counter */
    KEYS_SYS_RANGE_DIR = 8,   /* /sys/range/...: reserved for the range directory */
    KEYS_SYS_GC_JOB = 9,      /* /sys/gc/<table id>/<index id>: a span to clear (0: table) */
    KEYS_SYS_NODE = 10,       /* /sys/node/<node id>: a cluster member's record (addresses) */
    KEYS_SYS_NODE_ID_GEN = 11, /* /sys/nodeidgen: the last node id handed to a joining node */
    KEYS_SYS_RANGE_ID_GEN = 12, /* /sys/rangeidgen: the last range id a split allocated */
} keys_sys_kind;

/* --- system keys -------------------------------------------------------------------- */

void keys_sys_prefix(mice_buf *out, keys_sys_kind kind); /* /sys/<kind> */
void keys_desc(mice_buf *out, uint64_t id);
void keys_namespace(mice_buf *out, uint64_t parent_id, mice_slice name);
void keys_namespace_prefix(mice_buf *out, uint64_t parent_id); /* every name under parent */
void keys_id_gen(mice_buf *out);
void keys_catalog_version(mice_buf *out);
void keys_setting(mice_buf *out, mice_slice name);
void keys_user(mice_buf *out, mice_slice name);
void keys_sequence(mice_buf *out, uint64_t id);
void keys_gc_job(mice_buf *out, uint64_t table_id, uint64_t index_id);
void keys_node(mice_buf *out, uint64_t node_id);
void keys_node_id_gen(mice_buf *out);
void keys_range_id_gen(mice_buf *out);

/* --- table keys ------------------------------------------------------------------------ */

void keys_table_prefix(mice_buf *out, uint64_t table_id);
void keys_index_prefix(mice_buf *out, uint64_t table_id, uint64_t index_id);
/* Split a table key into its table id, index id and the rest (the index columns,
 * borrowed from key). MICE_CORRUPT when key is not a table key. */
mice_status keys_decode_index_key(mice_slice key, uint64_t *table_id, uint64_t *index_id,
                                  mice_slice *rest);
/* The table id a table key (or a table's prefix, /t/<id>) starts with; MICE_CORRUPT when
 * key is not one. */
mice_status keys_decode_table_id(mice_slice key, uint64_t *table_id);

/* --- the KV namespace ------------------------------------------------------------------- */

void keys_kv(mice_buf *out, mice_slice user_key);
/* The user key inside a KV key (borrowed from key); false when key is not a KV key. */
bool keys_kv_user_key(mice_slice key, mice_slice *user_key);

/* --- spans: start and end appended to two buffers --------------------------------------- */

void keys_system_span(mice_buf *start, mice_buf *end);
void keys_all_tables_span(mice_buf *start, mice_buf *end);
void keys_kv_span(mice_buf *start, mice_buf *end);
void keys_table_span(mice_buf *start, mice_buf *end, uint64_t table_id);
void keys_index_span(mice_buf *start, mice_buf *end, uint64_t table_id, uint64_t index_id);
/* Any prefix -> [prefix, prefix end); the prefix must have a finite end (non-empty and
 * not all 0xFF), which every builder above guarantees. */
void keys_prefix_span(mice_slice prefix, mice_buf *start, mice_buf *end);

/* Human-readable key for logs: /sys/desc/52, /sys/ns/50/"public", /t/52/1/42/"bob",
 * /kv/"user:1". Unknown bytes print as /?<hex>. Appends to out. */
void keys_pretty(mice_slice key, mice_buf *out);

#endif
