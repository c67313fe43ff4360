// layer: server
/*
 * fuzz_pgwire.c - arbitrary client bytes into the PostgreSQL protocol layer.
 *
 * The input is a raw client->server byte stream (the corpus holds real psql/pgbench
 * captures), so a seed is exactly what a socket would deliver. Three passes:
 *   1. the framer and decoder alone, fed in chunk sizes derived from the input, every
 *      frame decoded (a 'p' frame under all three authentication states);
 *   2. a whole pgw_conn in trusted mode with a minimal in-file session that answers
 *      every request at once (rows, errors, COPY in/out, portal suspension);
 *   3. the same bytes against SCRAM authentication.
 * Must never crash, leak, hang or trip an assertion.
 */
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/buf.h"
#include "server/pgw_conn.h"
#include "server/pgw_msg.h"
#include "server/scram.h"

enum { CHUNK_MAX_BYTES = 64 };

/* Chunk sizes from a tiny xorshift seeded by the input (no libc randomness). */
static uint64_t next_chunk_seed(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static uint64_t seed_of(const uint8_t *data, size_t size)
{
    uint64_t s = 0x9e3779b97f4a7c15ull ^ size;
    for (size_t i = 0; i < size && i < 16; i++)
        s = s * 131 + data[i];
    return s ? s : 1;
}

static void framer_pass(const uint8_t *data, size_t size)
{
    pgw_framer f;
    pgw_framer_init(&f, 1 << 16);
    mice_arena *a = arena_create(NULL, "fuzz", 1 << 20);
    uint64_t s = seed_of(data, size);
    size_t off = 0;
    bool failed = false;
    while (off < size && !failed) {
        size_t chunk = 1 + next_chunk_seed(&s) % CHUNK_MAX_BYTES;
        if (chunk > size - off) chunk = size - off;
        pgw_framer_feed(&f, data + off, chunk);
        off += chunk;
        pgw_frame fr;
        mice_status rc;
        while ((rc = pgw_framer_next(&f, &fr, NULL)) == MICE_OK) {
            pgw_fe_msg m;
            for (int expect = 0; expect < 3; expect++) {
                arena_reset(a);
                rc = pgw_decode(&fr, (pgw_auth_expect)expect, a, &m, NULL);
                if (fr.type != 'p') break;
            }
            if (rc == MICE_OK && fr.type == 0 && m.kind == PGW_FE_STARTUP)
                pgw_framer_set_startup(&f, false);
        }
        failed = rc != MICE_AGAIN;
    }
    pgw_framer_deinit(&f);
    arena_destroy(a);
}

/* ---------------------------------------------------------------- minimal session */

typedef struct fuzz_session {
    const scram_verifier *verifier;
    unsigned counter;
} fuzz_session;

static const pgw_field fuzz_field = {.name = "c", .type_oid = 23, .typlen = 4, .typmod = -1};

static void fz_error(pgw_conn *c)
{
    pgw_error e = {.severity = "ERROR", .sqlstate = "42601", .message = "e", .position = 1};
    pgw_conn_error(c, &e);
}

static void fz_lookup(void *ctx, pgw_conn *c, const char *user)
{
    fuzz_session *fs = ctx;
    pgw_conn_provide_verifier(c, strcmp(user, "alice") == 0 ? fs->verifier : NULL);
}

static void fz_start(void *ctx, pgw_conn *c, const pgw_startup_info *info)
{
    (void)ctx;
    if (strcmp(info->database, "nodb") == 0)
        fz_error(c);
    else
        pgw_conn_parameter_status(c, "mice", info->user);
    pgw_conn_done(c);
}

static void fz_query(void *ctx, pgw_conn *c, const char *sql, size_t len)
{
    (void)ctx;
    pgw_value v = {.data = mice_slice_of(sql, len < 8 ? len : 8)};
    char first = len ? sql[0] : 0;
    if (first == 'c') {
        pgw_conn_copy_in(c, 0, NULL, 0);
        return; /* done with CopyDone / CopyFail */
    }
    if (first == 'o') {
        pgw_conn_copy_out(c, 0, NULL, 0);
        pgw_conn_copy_data(c, v.data);
        pgw_conn_copy_done(c);
        pgw_conn_command_complete(c, "COPY 1");
    } else if (first == 'e') {
        fz_error(c);
    } else if (first == 'n') {
        pgw_error n = {.severity = "NOTICE", .sqlstate = "00000", .message = "n"};
        pgw_conn_notice(c, &n);
        pgw_conn_parameter_status(c, "application_name", "x");
        pgw_conn_command_complete(c, "SET");
    } else if (len == 0) {
        pgw_conn_empty_query(c);
    } else {
        pgw_conn_row_description(c, &fuzz_field, 1);
        pgw_conn_data_row(c, &v, 1);
        pgw_conn_command_complete(c, "SELECT 1");
    }
    pgw_conn_done(c);
}

static void fz_parse(void *ctx, pgw_conn *c, const pgw_parse_msg *m)
{
    (void)ctx;
    if (m->query_len && m->query[0] == 'e') fz_error(c);
    pgw_conn_done(c);
}

static void fz_bind(void *ctx, pgw_conn *c, const pgw_bind_msg *m)
{
    (void)ctx;
    int16_t format;
    mice_err err;
    for (size_t i = 0; i < m->n_params; i++)
        (void)pgw_bind_param_format(m, i);
    if (pgw_bind_result_format(m, 1, 0, &format, &err)) fz_error(c);
    pgw_conn_done(c);
}

static void fz_describe(void *ctx, pgw_conn *c, char kind, const char *name)
{
    (void)ctx;
    pgw_oid_t types[1] = {23};
    if (name[0] == 'e')
        fz_error(c);
    else if (kind == 'S')
        pgw_conn_parameter_description(c, types, 1);
    if (name[0] != 'e') pgw_conn_row_description(c, &fuzz_field, 1);
    pgw_conn_done(c);
}

static void fz_execute(void *ctx, pgw_conn *c, const char *portal, int32_t max_rows)
{
    fuzz_session *fs = ctx;
    if (portal[0] == 'c') {
        pgw_conn_copy_in(c, 1, NULL, 0);
        return;
    }
    pgw_value v = {.data = MICE_SLICE_LIT("1"), .is_null = (fs->counter++ & 1) != 0};
    int rows = max_rows > 0 && max_rows < 3 ? max_rows : 3;
    for (int i = 0; i < rows; i++)
        pgw_conn_data_row(c, &v, 1);
    if (max_rows > 0 && max_rows < 3)
        pgw_conn_portal_suspended(c);
    else
        pgw_conn_command_complete(c, "SELECT 3");
    pgw_conn_done(c);
}

static void fz_close(void *ctx, pgw_conn *c, char kind, const char *name)
{
    (void)ctx, (void)kind, (void)name;
    pgw_conn_done(c);
}

static void fz_sync(void *ctx, pgw_conn *c, bool after_error)
{
    (void)ctx;
    (void)after_error;
    pgw_conn_done(c);
}

static void fz_copy_data(void *ctx, pgw_conn *c, mice_slice data)
{
    (void)ctx;
    if (data.n && data.p[0] == 'e') {
        fz_error(c);
        pgw_conn_done(c);
    }
}

static void fz_copy_done(void *ctx, pgw_conn *c)
{
    (void)ctx;
    pgw_conn_command_complete(c, "COPY 0");
    pgw_conn_done(c);
}

static void fz_copy_fail(void *ctx, pgw_conn *c, const char *message)
{
    (void)ctx, (void)message;
    fz_error(c);
    pgw_conn_done(c);
}

static char fz_txn_status(void *ctx)
{
    fuzz_session *fs = ctx;
    return "ITE"[fs->counter++ % 3];
}

static const pgw_session_vtab fuzz_vtab = {
    .lookup_verifier = fz_lookup,
    .start = fz_start,
    .query = fz_query,
    .parse = fz_parse,
    .bind = fz_bind,
    .describe = fz_describe,
    .execute = fz_execute,
    .close = fz_close,
    .sync = fz_sync,
    .copy_data = fz_copy_data,
    .copy_done = fz_copy_done,
    .copy_fail = fz_copy_fail,
    .txn_status = fz_txn_status,
};

static void conn_pass(const uint8_t *data, size_t size, bool insecure)
{
    static scram_verifier verifier;
    static bool have_verifier;
    if (!have_verifier) {
        /* Few iterations: the fuzzer should spend its time in the protocol, not PBKDF2. */
        scram_verifier_make("pencil", MICE_SLICE_LIT("salt"), 2, &verifier, NULL);
        have_verifier = true;
    }
    fuzz_session fs = {.verifier = &verifier};
    pgw_conn_config cfg = {.backend_pid = 1,
                           .secret_key = 2,
                           .insecure = insecure,
                           .peer_is_loopback = true,
                           .max_msg_bytes = 1 << 16,
                           .scram_nonce = MICE_SLICE_LIT("fuzznonce")};
    pgw_conn *c = pgw_conn_create(&cfg, &fuzz_vtab, &fs);
    mice_buf out;
    buf_init(&out);
    uint64_t s = seed_of(data, size) * 7 + 1;
    size_t off = 0;
    while (off < size && !pgw_conn_closing(c)) {
        size_t chunk = 1 + next_chunk_seed(&s) % CHUNK_MAX_BYTES;
        if (chunk > size - off) chunk = size - off;
        pgw_conn_recv(c, data + off, chunk);
        off += chunk;
        pgw_conn_take_output(c, &out);
        buf_reset(&out);
    }
    int32_t pid, key;
    (void)pgw_conn_take_cancel(c, &pid, &key);
    (void)pgw_conn_close_reason(c);
    buf_deinit(&out);
    pgw_conn_destroy(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    framer_pass(data, size);
    conn_pass(data, size, true);
    conn_pass(data, size, false);
    return 0;
}
