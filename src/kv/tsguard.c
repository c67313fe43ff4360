/* The persisted timestamp high-water mark (see tsguard.h). */
#include "kv/tsguard.h"

#include <pthread.h>
#include <stdlib.h>

#include "base/check.h"

static const char TS_GUARD_KEY[] = "kv/ts_high_water";

struct kv_ts_guard {
    engine *e;
    pthread_mutex_t mu; /* protects mark and serialises its writes */
    hlc_ts mark;
};

mice_status kv_ts_guard_create(engine *e, hlc *clock, kv_ts_guard **out, mice_err *err)
{
    *out = NULL;
    mice_buf v;
    buf_init(&v);
    bool found = false;
    mice_status rc =
        engine_get(e, STORE_CF_META, NULL, MICE_SLICE_LIT(TS_GUARD_KEY), &v, &found, err);
    if (rc == MICE_OK && found && v.n != HLC_TS_ENCODED_BYTES)
        rc = mice_err_setf(err, MICE_CORRUPT, "timestamp high-water mark of %zu bytes", v.n);
    if (rc) {
        buf_deinit(&v);
        return rc;
    }
    kv_ts_guard *g = mice_calloc(1, sizeof *g);
    g->e = e;
    pthread_mutex_init(&g->mu, NULL);
    if (found) {
        g->mark = hlc_ts_decode(v.p);
        hlc_forward(clock, g->mark);
    }
    buf_deinit(&v);
    *out = g;
    return MICE_OK;
}

void kv_ts_guard_destroy(kv_ts_guard *g)
{
    if (!g) return;
    pthread_mutex_destroy(&g->mu);
    free(g);
}

mice_status kv_ts_guard_admit(kv_ts_guard *g, hlc_ts ts, mice_err *err)
{
    mice_status rc = MICE_OK;
    pthread_mutex_lock(&g->mu);
    if (hlc_ts_cmp(ts, g->mark) >= 0) {
        hlc_ts mark = {ts.wall_ns + (uint64_t)KV_TS_GUARD_WINDOW_MS * MICE_NS_PER_MS, 0};
        uint8_t enc[HLC_TS_ENCODED_BYTES];
        hlc_ts_encode(mark, enc);
        engine_batch *b = engine_batch_create(g->e);
        engine_batch_put(b, STORE_CF_META, MICE_SLICE_LIT(TS_GUARD_KEY),
                         mice_slice_of(enc, sizeof enc));
        rc = engine_batch_commit(b, ENGINE_SYNC, err);
        if (rc == MICE_OK) g->mark = mark;
    }
    pthread_mutex_unlock(&g->mu);
    return rc;
}
