/*
 * sim_world.h - the state of one simulation run, shared by the files of the simulator
 * (raft_sim.c: the run and its phases; sim_node.c: driving one replica; sim_client.c: the
 * workload; sim_nemesis.c: the faults). Not a public interface: see raft_sim.h.
 */
#ifndef MICE_TESTS_SIM_SIM_WORLD_H
#define MICE_TESTS_SIM_SIM_WORLD_H

#include "base/buf.h"
#include "base/prng.h"
#include "raft/raft.h"
#include "sim/kvsm.h"
#include "sim/linz.h"
#include "sim/raft_sim.h"
#include "sim/raftcheck.h"
#include "sim/simdisk.h"
#include "sim/simnet.h"
#include "sim/simsched.h"

typedef enum {
    EV_DELIVER,        /* ptr: raft_msg *, arg: source node */
    EV_SYNCED,         /* node's outstanding Ready is durable; arg: disk epoch */
    EV_TICK,           /* arg: node incarnation */
    EV_CLIENT,         /* node field: client index; start its next operation */
    EV_CLIENT_TIMEOUT, /* node field: client index; arg: op id */
    EV_NEMESIS,
    EV_HEAL_NET,
    EV_RESTART,        /* node */
    EV_DISK_FAST,      /* node: its slow-disk period ends */
    EV_LIVENESS,       /* the safety phase ends */
    EV_CHURN,          /* node: strike it if it still leads term arg (leader churn) */
    EV_END,
} sim_event_kind;

typedef struct sim_pending {
    uint64_t op;      /* history id */
    bool is_read;
    bool have_index;  /* read: read index known (lease or read_state) */
    uint64_t index;
} sim_pending;

enum { SIM_PENDING_MAX = 64 };

typedef struct sim_node {
    int idx;
    bool up;
    uint64_t incarnation;
    raft *r;
    raft_memstorage *ms;
    bool syncing;          /* a Ready is outstanding, its fsync in flight */
    raft_ready rd;
    kvsm sm;
    raft_conf_state conf;  /* as of the applied index */
    uint64_t tick_ns;      /* this node's tick interval: the nominal one, skewed */
    sim_pending pending[SIM_PENDING_MAX];
    int n_pending;
    uint64_t lead_check_term, lead_check_upto;
    uint64_t led_term; /* newest term this node was seen leading */
    uint64_t applied_cmds;
    raft_role last_role;
    bool slow_disk;
} sim_node;

typedef struct sim_client {
    bool busy;
    uint64_t op;
    int node;
    bool follow_up;      /* next: read the key just written, elsewhere, at once */
    uint64_t follow_key;
} sim_client;

typedef struct sim_params {
    uint32_t election_ticks, heartbeat_ticks, drift_ticks;
    bool pre_vote, check_quorum, lease_reads;
    uint32_t max_inflight, max_entries;
    uint64_t tick_ns;
    uint32_t skew_ppm;          /* node tick rates differ by at most this */
    uint64_t op_timeout_ns;
    uint32_t nemesis_ppm;       /* how busy the nemesis is (per 1e6) */
    uint64_t net_delay_max_ns;
    uint32_t loss_ppm, dup_ppm, reorder_ppm;
    uint64_t fsync_max_ns;
    uint32_t keep_torn_ppm;
    uint32_t churn_ppm;         /* chance that a new leader is struck down soon after */
    uint32_t commit_strike_ppm; /* chance that a leader is cut off right after committing */
    uint64_t think_max_ns;
    int nemesis_mix;            /* which mix of faults (sim_nemesis.c) */
} sim_params;

typedef struct sim_world {
    sim_options opt;
    sim_params p;
    mice_prng prng;
    sim_sched sched;
    simnet net;
    simdisk disk;
    raftcheck *check;
    linz_history hist;
    uint64_t hist_clock;
    uint64_t *applied_t;     /* per op: history time of its first apply anywhere (0 = never) */
    int64_t *applied_result; /* per op: what that apply returned */
    size_t applied_cap;
    int n_nodes, n_voters0;
    sim_node node[SIM_NODES_MAX];
    int n_clients, n_keys;
    sim_client client[SIM_CLIENTS_MAX];
    int64_t next_value;
    bool liveness;
    bool stop;
    uint64_t last_leader;
    uint64_t liveness_start_ns;
    uint64_t liveness_write_ns; /* first write acknowledged after healing; 0 = none */
    sim_stats st;
    mice_buf *out;
} sim_world;

/* sim_node.c */
void node_start(sim_world *w, sim_node *n);
void node_crash(sim_world *w, sim_node *n);
void node_pump(sim_world *w, sim_node *n);
void node_on_synced(sim_world *w, sim_node *n, uint64_t epoch);
void node_on_tick(sim_world *w, sim_node *n, uint64_t incarnation);
void node_on_deliver(sim_world *w, raft_msg *m, int from);
void node_make_snapshot(sim_world *w, sim_node *n);
void *sim_msg_clone(const void *m);
void sim_msg_free(void *m);
sim_node *sim_leader(sim_world *w);

/* sim_client.c */
void client_on_start(sim_world *w, int c);
void client_on_timeout(sim_world *w, int c, uint64_t op);
void client_answer(sim_world *w, sim_node *n, uint64_t op, int64_t result);
void client_serve_reads(sim_world *w, sim_node *n);
void client_read_state(sim_world *w, sim_node *n, const raft_read_state *rs);

/* sim_nemesis.c */
void nemesis_on_tick(sim_world *w);
int nemesis_mix_count(void);
void nemesis_heal_all(sim_world *w);
void nemesis_heal_net(sim_world *w);
void nemesis_new_leader(sim_world *w, sim_node *n, uint64_t term);
void nemesis_on_churn(sim_world *w, int node, uint64_t term);
void nemesis_leader_committed(sim_world *w, sim_node *n);

/* raft_sim.c */
__attribute__((format(printf, 2, 3))) void sim_trace(sim_world *w, const char *fmt, ...);
uint64_t sim_hist_now(sim_world *w);

#endif
