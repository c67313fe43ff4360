/* Scratch databases for the txn tests. */
#include "txn/support/txn_test.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/check.h"
#include "base/tmpdir.h"
#include "kv/intent.h"
#include "storage/mvcc.h"

static void open_engine(tt_env *t)
{
    engine_config ec;
    mvcc_config_init(&ec, t->dir);
    mice_err err;
    if (engine_open(&ec, &t->e, &err)) {
        fprintf(stderr, "engine_open: %s\n", mice_err_msg(&err));
        mice_assert(false);
    }
    mice_assert(txn_db_create(t->e, t->env ? t->env : mice_env_real(), &t->cfg, &t->db, &err) ==
                MICE_OK);
}

void tt_open(tt_env *t, const char *tag, const txn_db_config *cfg)
{
    memset(t, 0, sizeof *t);
    if (cfg)
        t->cfg = *cfg;
    else
        txn_db_config_init(&t->cfg);
    t->dir = tt_tmpdir(tag);
    open_engine(t);
}

char *tt_tmpdir(const char *tag)
{
    char prefix[64], path[512];
    snprintf(prefix, sizeof prefix, "txn-%s", tag);
    mice_assert(mice_tmpdir_create(getenv("MICE_TEST_TMP"), prefix, path, sizeof path, NULL) ==
                MICE_OK);
    return mice_strdup(path);
}

void tt_close_keep(tt_env *t)
{
    txn_db_destroy(t->db);
    engine_close(t->e);
    t->db = NULL;
    t->e = NULL;
}

void tt_reopen(tt_env *t)
{
    open_engine(t);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void tt_close(tt_env *t)
{
    if (t->db) tt_close_keep(t);
    tt_rmtree_free(t->dir);
    t->dir = NULL;
}

void tt_rmtree_free(char *dir)
{
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

bool tt_get(txn *t, const char *key, char *out, size_t cap, mice_status *rc_out)
{
    mice_buf v;
    buf_init(&v);
    bool found = false;
    mice_err err;
    mice_status rc = txn_get(t, mice_slice_str(key), &v, &found, &err);
    if (rc_out) *rc_out = rc;
    snprintf(out, cap, "%.*s", found ? (int)v.n : 0, found ? (const char *)v.p : "");
    buf_deinit(&v);
    return found;
}

mice_status tt_put(txn *t, const char *key, const char *value)
{
    mice_err err;
    return txn_put(t, mice_slice_str(key), mice_slice_str(value), &err);
}

bool tt_db_get(txn_db *db, const char *key, char *out, size_t cap)
{
    mice_buf v;
    buf_init(&v);
    bool found = false;
    mice_err err;
    mice_assert(txn_db_get(db, mice_slice_str(key), &v, &found, &err) == MICE_OK);
    snprintf(out, cap, "%.*s", found ? (int)v.n : 0, found ? (const char *)v.p : "");
    buf_deinit(&v);
    return found;
}

size_t tt_count_intents(engine *e)
{
    engine_iter_opts o = {.cf = STORE_CF_LOCKS};
    engine_iter *it = NULL;
    mice_assert(engine_iter_create(e, &o, &it, NULL) == MICE_OK);
    size_t n = 0;
    for (engine_iter_first(it); engine_iter_valid(it); engine_iter_next(it))
        if (engine_iter_key(it).p[0] == INTENT_KEY_PREFIX) n++;
    engine_iter_destroy(it);
    return n;
}
