/* Scratch directories for the storage tests. */
#include "storage/support/storage_test.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/check.h"
#include "base/tmpdir.h"

char *st_tmpdir(const char *tag)
{
    char prefix[64], path[ST_PATH_MAX];
    snprintf(prefix, sizeof prefix, "storage-%s", tag);
    mice_assert(mice_tmpdir_create(getenv("MICE_TEST_TMP"), prefix, path, sizeof path, NULL) ==
                MICE_OK);
    return mice_strdup(path);
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void st_rmtree_free(char *dir)
{
    if (!dir) return;
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

void st_path(char *out, size_t out_n, const char *dir, const char *name)
{
    snprintf(out, out_n, "%s/%s", dir, name);
}

/* ThreadSanitizer reads extra suppressions from this hook in TSan builds (ignored
 * otherwise). RocksDB hands libzstd contexts between its compaction threads with
 * synchronisation TSan cannot see, because neither library is built with TSan; the
 * project's tests/tsan.supp covers librocksdb.so, this covers the libzstd frames below it.
 * Our own code is never suppressed. */
const char *__tsan_default_suppressions(void);
const char *__tsan_default_suppressions(void)
{
    return "race:libzstd.so\n";
}
