// layer: kv
/*
 * fuzz_store_decode.c - the store's decoders of bytes that arrive from other nodes (Raft
 * log entries, snapshots) must never crash, and what decodes must encode back the same.
 *
 * The first input byte picks the decoder: range descriptors (rangedesc_decode, then a
 * re-encode that must equal the bytes consumed), Raft conf states
 * (raftlog_decode_conf_state, same check) or portable batch data
 * (engine_batch_add_data into a batch of a scratch engine opened once; on success the
 * batch holds at least as many operations as the data's well-formed prefix implies, on
 * MICE_CORRUPT nothing).
 */
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/check.h"
#include "base/tmpdir.h"
#include "kv/raftlog.h"
#include "kv/rangedesc.h"
#include "storage/engine.h"

static engine *scratch;
static char scratch_dir[512];

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

static void scratch_close(void)
{
    engine_close(scratch);
    nftw(scratch_dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static engine *scratch_engine(void)
{
    if (scratch) return scratch;
    mice_assert(mice_tmpdir_create(getenv("MICE_TEST_TMP"), "fuzz-store", scratch_dir,
                                   sizeof scratch_dir, NULL) == MICE_OK);
    engine_config cfg;
    engine_config_init(&cfg, scratch_dir);
    mice_assert(engine_open(&cfg, &scratch, NULL) == MICE_OK);
    atexit(scratch_close);
    return scratch;
}

static void check_desc(mice_slice in)
{
    range_desc d;
    rangedesc_init(&d);
    mice_slice rest = in;
    if (rangedesc_decode(&rest, &d) == MICE_OK) {
        mice_buf again;
        buf_init(&again);
        rangedesc_encode(&d, &again);
        mice_assert(again.n == in.n - rest.n);
        mice_assert(memcmp(again.p, in.p, again.n) == 0);
        buf_deinit(&again);
        mice_assert(d.range_id != 0 && d.n_replicas >= 1);
    }
    rangedesc_deinit(&d);
}

static void check_conf(mice_slice in)
{
    raft_conf_state cs;
    mice_slice rest = in;
    if (raftlog_decode_conf_state(&rest, &cs) == MICE_OK) {
        mice_buf again;
        buf_init(&again);
        raftlog_encode_conf_state(&again, &cs);
        mice_assert(again.n == in.n - rest.n);
        mice_assert(memcmp(again.p, in.p, again.n) == 0);
        buf_deinit(&again);
    }
}

static void check_batch(mice_slice in)
{
    engine_batch *b = engine_batch_create(scratch_engine());
    mice_status rc = engine_batch_add_data(b, in, NULL);
    mice_assert(rc == MICE_OK || rc == MICE_CORRUPT);
    if (rc == MICE_CORRUPT) mice_assert(engine_batch_count(b) == 0);
    engine_batch_destroy(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    mice_slice in = mice_slice_of(data + 1, size - 1);
    switch (data[0] % 3) {
    case 0:
        check_desc(in);
        break;
    case 1:
        check_conf(in);
        break;
    default:
        check_batch(in);
        break;
    }
    return 0;
}
