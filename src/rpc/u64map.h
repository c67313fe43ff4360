/*
 * u64map.h - a hash map from non-zero 64-bit ids to pointers (node id -> peer, call id ->
 * pending call) for the transport's io thread.
 *
 * Open addressing with linear probing and backward-shift deletion (no tombstones, so a
 * map that sees millions of short-lived calls never degrades). Keys are mixed with a
 * 64-bit finalizer, so sequential ids spread over the table.
 *
 * Owns: its slot table, not the values. Thread safety: a map belongs to one thread.
 * Invariants: at most half the slots are used; key 0 never stored (it marks a free slot);
 * a key is present at most once.
 */
#ifndef MICE_RPC_U64MAP_H
#define MICE_RPC_U64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct u64map_slot {
    uint64_t key; /* 0: free */
    void *value;
} u64map_slot;

typedef struct u64map {
    u64map_slot *slots;
    size_t cap; /* 0 or a power of two */
    size_t n;
} u64map;

void u64map_init(u64map *m);
void u64map_deinit(u64map *m);
/* The value for key, or NULL. */
void *u64map_get(const u64map *m, uint64_t key);
/* Insert or replace; key != 0 (asserted), value != NULL (asserted). */
void u64map_put(u64map *m, uint64_t key, void *value);
/* Remove key; returns its value, or NULL if absent. */
void *u64map_del(u64map *m, uint64_t key);
size_t u64map_count(const u64map *m);
/* Iterate: start with *pos = 0; true and the next entry while any remain. The map must not
 * change during an iteration (collect keys first to delete while walking). */
bool u64map_next(const u64map *m, size_t *pos, uint64_t *key, void **value);

#endif
