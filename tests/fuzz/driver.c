/*
 * driver.c - replays a fuzz target without libFuzzer, so every build tests it.
 *
 * Usage: fuzz_X_replay [corpus dir or files...]. Runs every file given (recursing one
 * directory level), then MICE_FUZZ_ITERATIONS (default 20000) inputs from a seeded PRNG:
 * random bytes and mutations of the corpus files. Any crash or sanitizer report fails the
 * ctest entry; the seed is printed so a failure reproduces.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/buf.h"
#include "base/check.h"
#include "base/prng.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { CORPUS_MAX_FILES = 4096, RANDOM_INPUT_MAX_BYTES = 4096, DEFAULT_ITERATIONS = 20000 };

static mice_buf corpus[CORPUS_MAX_FILES];
static size_t corpus_count;

static void load_file(const char *path)
{
    if (corpus_count >= CORPUS_MAX_FILES) return;
    FILE *f = fopen(path, "rb");
    if (!f) return;
    mice_buf *b = &corpus[corpus_count++];
    buf_init(b);
    uint8_t chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) buf_append(b, chunk, got);
    fclose(f);
    LLVMFuzzerTestOneInput(b->p ? b->p : (const uint8_t *)"", b->n);
}

static void load_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return;
    if (!S_ISDIR(st.st_mode)) {
        load_file(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) return;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, e->d_name);
        load_file(full);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) load_path(argv[i]);
    const char *it_env = getenv("MICE_FUZZ_ITERATIONS");
    long iterations = it_env ? atol(it_env) : DEFAULT_ITERATIONS;
    const char *seed_env = getenv("MICE_FUZZ_SEED");
    uint64_t seed = seed_env ? strtoull(seed_env, NULL, 10) : 1;
    printf("replayed %zu corpus files; %ld random inputs, seed %llu\n", corpus_count, iterations,
           (unsigned long long)seed);
    fflush(stdout);
    mice_prng r;
    prng_seed(&r, seed);
    uint8_t *in = mice_malloc(RANDOM_INPUT_MAX_BYTES);
    for (long i = 0; i < iterations; i++) {
        size_t n;
        if (corpus_count && prng_chance(&r, 3, 4)) {
            const mice_buf *src = &corpus[prng_below(&r, corpus_count)];
            n = src->n < RANDOM_INPUT_MAX_BYTES ? src->n : RANDOM_INPUT_MAX_BYTES;
            if (n) memcpy(in, src->p, n);
            size_t flips = 1 + prng_below(&r, 4);
            for (size_t k = 0; k < flips && n; k++) in[prng_below(&r, n)] = (uint8_t)prng_next(&r);
            if (n && prng_chance(&r, 1, 4)) n = prng_below(&r, n + 1); /* truncate */
        } else {
            n = prng_below(&r, 64) == 0 ? prng_below(&r, RANDOM_INPUT_MAX_BYTES)
                                        : prng_below(&r, 64);
            prng_fill(&r, in, n);
        }
        LLVMFuzzerTestOneInput(in, n);
    }
    free(in);
    for (size_t i = 0; i < corpus_count; i++) buf_deinit(&corpus[i]);
    printf("ok\n");
    return 0;
}
