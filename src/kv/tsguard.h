/*
 * tsguard.h - keeps commit timestamps above everything used before a restart.
 *
 * A commit timestamp comes from the node's HLC, which follows the wall clock. If the wall
 * clock steps back while the process is down, a restarted node could hand out snapshots
 * below versions it committed before the crash, and those commits would vanish from new
 * snapshots. The guard persists a HIGH-WATER mark in STORE_CF_META ahead of use: before a
 * commit timestamp at or above the mark is used, the mark is raised to that timestamp plus
 * a window (one synced write per window, not per commit); at start-up the clock is
 * forwarded past the stored mark. This is the TSO's "high-water mark persisted ahead of
 * use" from DESIGN.md, in its single-node form: the TSO of range 1 replaces it.
 *
 * One guard per store (engine), shared by every replica on it.
 * Owns: its state; borrows the engine and clock, which must outlive it.
 * Thread safety: any thread; one mutex serialises raising the mark (and its fsync).
 * Invariant: every timestamp admitted so far is below the mark on disk.
 */
#ifndef MICE_KV_TSGUARD_H
#define MICE_KV_TSGUARD_H

#include "base/hlc.h"
#include "base/status.h"
#include "storage/engine.h"

enum { KV_TS_GUARD_WINDOW_MS = 1000 };

typedef struct kv_ts_guard kv_ts_guard;

/* Read the stored mark and forward the clock past it. MICE_CORRUPT on a bad mark. */
mice_status kv_ts_guard_create(engine *e, hlc *clock, kv_ts_guard **out, mice_err *err);
void kv_ts_guard_destroy(kv_ts_guard *g); /* NULL is ignored */
/* Make sure ts is below the stored mark (raising and syncing it when needed). */
mice_status kv_ts_guard_admit(kv_ts_guard *g, hlc_ts ts, mice_err *err);

#endif
