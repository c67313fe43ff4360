/* Batches of Raft messages (see transport.h). */
#include "kv/transport.h"

#include <stdlib.h>

#include "base/check.h"

kv_raft_batch *kv_raft_batch_create(uint64_t range_id, uint64_t from_node, uint64_t to_node)
{
    kv_raft_batch *b = mice_calloc(1, sizeof *b);
    b->range_id = range_id;
    b->from_node = from_node;
    b->to_node = to_node;
    return b;
}

void kv_raft_batch_add(kv_raft_batch *b, raft_msg *m)
{
    b->msgs = mice_realloc(b->msgs, (b->n_msgs + 1) * sizeof *b->msgs);
    raft_msg_init(&b->msgs[b->n_msgs]);
    raft_msg_move(&b->msgs[b->n_msgs], m);
    b->n_msgs++;
}

void kv_raft_batch_free(kv_raft_batch *b)
{
    if (!b) return;
    for (size_t i = 0; i < b->n_msgs; i++)
        raft_msg_deinit(&b->msgs[i]);
    free(b->msgs);
    free(b);
}
