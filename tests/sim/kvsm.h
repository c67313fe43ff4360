/*
 * kvsm.h - the replicated state machine of the simulation: a small map of int64 registers.
 *
 * A command (one Raft entry's data) is a write or a compare-and-set of one key, tagged
 * with the client operation it serves so the proposing node can answer the client when
 * it applies the entry. Reads do not go through the log (ReadIndex / lease reads read the
 * local map once it has applied far enough). Snapshots are the whole map plus the applied
 * index and the session table, serialised to bytes.
 *
 * Owns: its fixed array. Thread safety: one thread.
 * Invariants: keys are below KVSM_KEYS_MAX; 0 means absent.
 */
#ifndef MICE_TESTS_SIM_KVSM_H
#define MICE_TESTS_SIM_KVSM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/status.h"

enum { KVSM_KEYS_MAX = 16, KVSM_CLIENTS_MAX = 16 };

typedef enum { KVSM_CMD_WRITE = 1, KVSM_CMD_CAS = 2, KVSM_CMD_NOOP = 3 } kvsm_cmd_kind;

typedef struct kvsm_cmd {
    kvsm_cmd_kind kind;
    uint32_t client;
    uint64_t op_id; /* the client's operation (index into the history) */
    uint64_t key;
    int64_t value;
    int64_t expect;
} kvsm_cmd;

typedef struct kvsm {
    int64_t value[KVSM_KEYS_MAX];
    uint64_t last_op[KVSM_CLIENTS_MAX]; /* session table: a client's newest applied op + 1 */
    uint64_t applied_index;
    uint64_t applied_term;
} kvsm;

void kvsm_encode(const kvsm_cmd *c, mice_buf *out);
/* MICE_CORRUPT on bytes that are not a command. */
mice_status kvsm_decode(mice_slice data, kvsm_cmd *out);
/* Applies; returns 1 if the command took effect (write, or CAS that swapped), else 0;
 * -1 for a duplicate (an op the client's session already applied: a proposal the network
 * duplicated is applied once). */
int64_t kvsm_apply(kvsm *m, const kvsm_cmd *c);
void kvsm_snapshot(const kvsm *m, mice_buf *out);
mice_status kvsm_restore(kvsm *m, mice_slice data);
uint64_t kvsm_hash_bytes(uint64_t h, const void *p, size_t n);

#endif
