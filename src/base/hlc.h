/*
 * hlc.h - hybrid logical clock: timestamps that follow wall time and respect causality.
 *
 * A timestamp is (wall_ns, logical). hlc_now() never returns a value <= one it returned
 * before, and never one below a timestamp passed to hlc_update() (a message received
 * from another node). When the physical clock stalls or runs behind, the logical counter
 * breaks ties. hlc_update() refuses timestamps further ahead of the local wall clock than
 * max_offset_ns (MICE_RANGE): a peer with a wild clock must not drag ours into the future.
 *
 * Owns: its state; time comes from the injected mice_env. Thread safety: hlc_now and
 * hlc_update are safe from any thread (internally serialised); the simulator uses one
 * thread.
 * Invariants: successive results of hlc_now are strictly increasing (hlc_ts_cmp > 0).
 */
#ifndef MICE_BASE_HLC_H
#define MICE_BASE_HLC_H

#include <stdbool.h>
#include <stdint.h>

#include "base/env.h"
#include "base/status.h"

typedef struct hlc_ts {
    uint64_t wall_ns;
    uint32_t logical;
} hlc_ts;

#define HLC_TS_ZERO ((hlc_ts){0, 0})
#define HLC_TS_MAX ((hlc_ts){UINT64_MAX, UINT32_MAX})

typedef struct hlc hlc;

hlc *hlc_create(const mice_env *env, uint64_t max_offset_ns);
void hlc_destroy(hlc *c);
hlc_ts hlc_now(hlc *c);
/* Merge a timestamp seen from elsewhere; MICE_RANGE if it is more than max_offset ahead
 * of our wall clock (the clock is left unchanged then). */
mice_status hlc_update(hlc *c, hlc_ts remote);
/* Advance the clock so later hlc_now() results are above ts (used after restarts with a
 * persisted high-water mark). */
void hlc_forward(hlc *c, hlc_ts ts);

int hlc_ts_cmp(hlc_ts a, hlc_ts b);
static inline bool hlc_ts_less(hlc_ts a, hlc_ts b)
{
    return hlc_ts_cmp(a, b) < 0;
}
static inline hlc_ts hlc_ts_max(hlc_ts a, hlc_ts b)
{
    return hlc_ts_less(a, b) ? b : a;
}
static inline bool hlc_ts_is_zero(hlc_ts t)
{
    return t.wall_ns == 0 && t.logical == 0;
}
/* The smallest timestamp greater than t. */
hlc_ts hlc_ts_next(hlc_ts t);
/* The largest timestamp smaller than t (t must not be zero). */
hlc_ts hlc_ts_prev(hlc_ts t);

enum { HLC_TS_ENCODED_BYTES = 12 };
/* Fixed-width big-endian encoding (wall then logical): memcmp order == timestamp order. */
void hlc_ts_encode(hlc_ts t, uint8_t out[HLC_TS_ENCODED_BYTES]);
hlc_ts hlc_ts_decode(const uint8_t in[HLC_TS_ENCODED_BYTES]);
/* "1700000000.000000123,4" into out, always NUL-terminated. HLC_TS_FORMAT_BYTES holds any
 * timestamp; a smaller buffer (32 is enough below wall_ns ~ 3e18 or logical ~ 1e9) truncates. */
enum { HLC_TS_FORMAT_BYTES = 33 };
void hlc_ts_format(hlc_ts t, char *out, unsigned out_bytes);

#endif
