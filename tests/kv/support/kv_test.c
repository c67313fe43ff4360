/* Scratch engines for the kv tests. */
#include "kv/support/kv_test.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/check.h"
#include "base/tmpdir.h"
#include "storage/mvcc.h"

engine *kt_open(const char *tag, char **dir_out)
{
    char prefix[64], path[512];
    snprintf(prefix, sizeof prefix, "kv-%s", tag);
    mice_assert(mice_tmpdir_create(getenv("MICE_TEST_TMP"), prefix, path, sizeof path, NULL) ==
                MICE_OK);
    engine_config cfg;
    mvcc_config_init(&cfg, path);
    engine *e = NULL;
    mice_assert(engine_open(&cfg, &e, NULL) == MICE_OK);
    *dir_out = mice_strdup(path);
    return e;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void kt_close(engine *e, char *dir)
{
    engine_close(e);
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}
