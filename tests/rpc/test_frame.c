/* Unit tests for rpc/frame: the header layout, round trips of every frame type, frames
 * split at every byte, a stream fed in random chunks, and corruption - every single-bit
 * flip and random damage must be MICE_CORRUPT, never a crash or a wrong frame. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <stdio.h>

#include "base/crc32c.h"
#include "base/prng.h"
#include "rpc/frame.h"

static const rpc_frame_type all_types[] = {
#define X(name, value, text) name,
    RPC_FRAME_TYPE_MAP(X)
#undef X
};
enum { N_TYPES = sizeof all_types / sizeof all_types[0] };

static void fill_random(mice_prng *r, mice_buf *b, size_t n)
{
    buf_reset(b);
    prng_fill(r, buf_extend(b, n), n);
}

static void test_header_layout(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    frame_append(&b, RPC_FRAME_REQUEST, MICE_SLICE_LIT("abc"));
    assert_int_equal(b.n, RPC_FRAME_HEADER_BYTES + 3);
    assert_int_equal(mice_load_be32(b.p), 3);
    assert_int_equal(b.p[4], RPC_FRAME_REQUEST);
    assert_int_equal(b.p[5], RPC_FRAME_VERSION);
    assert_int_equal(b.p[6], 0);
    assert_int_equal(b.p[7], 0);
    assert_int_equal(mice_load_be32(b.p + 8), crc32c("abc", 3));
    assert_int_equal(mice_load_be32(b.p + 12), crc32c(b.p, 12));
    assert_memory_equal(b.p + RPC_FRAME_HEADER_BYTES, "abc", 3);
    assert_string_equal(frame_type_name(RPC_FRAME_REQUEST), "request");
    assert_string_equal(frame_type_name(0), "?");
    assert_false(frame_type_valid(0));
    assert_false(frame_type_valid(200));
    buf_deinit(&b);
}

static void test_round_trip_every_type(void **state)
{
    (void)state;
    mice_prng r;
    prng_seed(&r, 0x6672616d65);
    mice_buf body, wire;
    buf_init(&body);
    buf_init(&wire);
    for (int round = 0; round < 200; round++) {
        rpc_frame_type type = all_types[prng_below(&r, N_TYPES)];
        size_t n = round == 0 ? 0 : (size_t)prng_below(&r, 5000);
        fill_random(&r, &body, n);
        buf_reset(&wire);
        frame_append(&wire, type, buf_slice(&body));
        /* frame_begin/finish builds the same bytes */
        mice_buf wire2;
        buf_init(&wire2);
        size_t at = frame_begin(&wire2);
        buf_append_slice(&wire2, buf_slice(&body));
        frame_finish(&wire2, at, type);
        assert_int_equal(wire2.n, wire.n);
        assert_memory_equal(wire2.p, wire.p, wire.n);
        buf_deinit(&wire2);

        rpc_frame f;
        size_t used = 0;
        mice_err err;
        assert_int_equal(frame_parse(buf_slice(&wire), n, &f, &used, &err), MICE_OK);
        assert_int_equal(used, wire.n);
        assert_int_equal(f.type, type);
        assert_int_equal(f.body.n, n);
        if (n) assert_memory_equal(f.body.p, body.p, n);
        /* Every proper prefix is incomplete, and consumes nothing. */
        for (size_t cut = 0; cut < wire.n; cut += 1 + cut / 4) {
            used = 0;
            assert_int_equal(frame_parse(mice_slice_of(wire.p, cut), n, &f, &used, &err),
                             MICE_AGAIN);
            assert_int_equal(used, 0);
        }
    }
    buf_deinit(&body);
    buf_deinit(&wire);
}

static void test_length_limit_is_checked_from_the_header(void **state)
{
    (void)state;
    mice_buf wire;
    buf_init(&wire);
    uint8_t body[100];
    memset(body, 7, sizeof body);
    frame_append(&wire, RPC_FRAME_RAFT_BATCH, mice_slice_of(body, sizeof body));
    rpc_frame f;
    size_t used = 0;
    mice_err err;
    /* Only the header has arrived: a frame over the limit is refused before its body. */
    mice_slice header = mice_slice_of(wire.p, RPC_FRAME_HEADER_BYTES);
    assert_int_equal(frame_parse(header, 99, &f, &used, &err), MICE_CORRUPT);
    assert_non_null(strstr(err.msg, "exceeds the limit"));
    assert_int_equal(frame_parse(header, 100, &f, &used, &err), MICE_AGAIN);
    assert_int_equal(frame_parse(buf_slice(&wire), 100, &f, &used, &err), MICE_OK);
    buf_deinit(&wire);
}

/* A header with a correct header checksum but a bad field. */
static void forge_header(uint8_t *h, uint32_t len, uint8_t type, uint8_t version, uint8_t res)
{
    mice_store_be32(h, len);
    h[4] = type;
    h[5] = version;
    h[6] = res;
    h[7] = 0;
    mice_store_be32(h + 8, crc32c("", 0));
    mice_store_be32(h + 12, crc32c(h, 12));
}

static void test_bad_fields_under_a_good_checksum(void **state)
{
    (void)state;
    uint8_t h[RPC_FRAME_HEADER_BYTES];
    rpc_frame f;
    size_t used;
    mice_err err;
    forge_header(h, 0, RPC_FRAME_HELLO, RPC_FRAME_VERSION, 0);
    assert_int_equal(frame_parse(mice_slice_of(h, sizeof h), 10, &f, &used, &err), MICE_OK);
    forge_header(h, 0, 99, RPC_FRAME_VERSION, 0);
    assert_int_equal(frame_parse(mice_slice_of(h, sizeof h), 10, &f, &used, &err), MICE_CORRUPT);
    assert_non_null(strstr(err.msg, "unknown frame type 99"));
    forge_header(h, 0, RPC_FRAME_HELLO, 2, 0);
    assert_int_equal(frame_parse(mice_slice_of(h, sizeof h), 10, &f, &used, &err), MICE_CORRUPT);
    assert_non_null(strstr(err.msg, "version"));
    forge_header(h, 0, RPC_FRAME_HELLO, RPC_FRAME_VERSION, 1);
    assert_int_equal(frame_parse(mice_slice_of(h, sizeof h), 10, &f, &used, &err), MICE_CORRUPT);
    assert_non_null(strstr(err.msg, "reserved"));
}

static void test_every_single_bit_flip_is_caught(void **state)
{
    (void)state;
    mice_buf wire;
    buf_init(&wire);
    frame_append(&wire, RPC_FRAME_HEARTBEAT, MICE_SLICE_LIT("coalesced heartbeats"));
    for (size_t bit = 0; bit < wire.n * 8; bit++) {
        wire.p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
        rpc_frame f;
        size_t used = 0;
        mice_err err;
        mice_status rc =
            frame_parse(buf_slice(&wire), RPC_FRAME_BYTES_MAX_DEFAULT, &f, &used, &err);
        if (rc != MICE_CORRUPT) fail_msg("bit %zu flipped: status %s", bit, mice_status_name(rc));
        wire.p[bit / 8] ^= (uint8_t)(1u << (bit % 8));
    }
    buf_deinit(&wire);
}

static void test_random_corruption_never_yields_a_frame(void **state)
{
    (void)state;
    const uint64_t seed = 0xc0bb1ed;
    mice_prng r;
    prng_seed(&r, seed);
    mice_buf wire, body;
    buf_init(&wire);
    buf_init(&body);
    for (int round = 0; round < 20000; round++) {
        fill_random(&r, &body, (size_t)prng_below(&r, 300));
        buf_reset(&wire);
        frame_append(&wire, all_types[prng_below(&r, N_TYPES)], buf_slice(&body));
        size_t hits = 1 + (size_t)prng_below(&r, 6);
        bool changed = false;
        for (size_t i = 0; i < hits; i++) {
            size_t at = (size_t)prng_below(&r, wire.n);
            uint8_t v = (uint8_t)prng_next(&r);
            changed |= wire.p[at] != v;
            wire.p[at] = v;
        }
        if (!changed) continue;
        /* Damage anywhere, then the stream possibly cut short: never OK. */
        size_t n = prng_chance(&r, 1, 4) ? (size_t)prng_below(&r, wire.n + 1) : wire.n;
        rpc_frame f;
        size_t used = 0;
        mice_err err;
        mice_status rc = frame_parse(mice_slice_of(wire.p, n), 1 << 20, &f, &used, &err);
        if (rc == MICE_OK)
            fail_msg("seed %llu round %d: damaged frame parsed", (unsigned long long)seed, round);
        assert_true(rc == MICE_CORRUPT || rc == MICE_AGAIN);
        assert_int_equal(used, 0);
    }
    buf_deinit(&wire);
    buf_deinit(&body);
}

static void test_decoder_over_random_chunks(void **state)
{
    (void)state;
    const uint64_t seed = 42;
    mice_prng r;
    prng_seed(&r, seed);
    enum { FRAMES = 500 };
    mice_buf stream, body;
    buf_init(&stream);
    buf_init(&body);
    rpc_frame_type types[FRAMES];
    size_t sizes[FRAMES];
    for (int i = 0; i < FRAMES; i++) {
        types[i] = all_types[prng_below(&r, N_TYPES)];
        sizes[i] = (size_t)prng_below(&r, i % 50 == 0 ? 200000 : 2000);
        buf_reset(&body);
        uint8_t *p = buf_extend(&body, sizes[i]);
        for (size_t j = 0; j < sizes[i]; j++)
            p[j] = (uint8_t)(i + j);
        frame_append(&stream, types[i], buf_slice(&body));
    }
    frame_decoder d;
    frame_decoder_init(&d, 1 << 20);
    int got = 0;
    size_t off = 0;
    while (off < stream.n) {
        size_t chunk = 1 + (size_t)prng_below(&r, prng_chance(&r, 1, 2) ? 64 : 70000);
        if (chunk > stream.n - off) chunk = stream.n - off;
        frame_decoder_feed(&d, mice_slice_of(stream.p + off, chunk));
        off += chunk;
        rpc_frame f;
        mice_err err;
        mice_status rc;
        while ((rc = frame_decoder_next(&d, &f, &err)) == MICE_OK) {
            assert_true(got < FRAMES);
            assert_int_equal(f.type, types[got]);
            assert_int_equal(f.body.n, sizes[got]);
            for (size_t j = 0; j < f.body.n; j++) {
                if (f.body.p[j] != (uint8_t)(got + j)) fail_msg("frame %d byte %zu", got, j);
            }
            got++;
        }
        assert_int_equal(rc, MICE_AGAIN);
    }
    assert_int_equal(got, FRAMES);
    assert_int_equal(frame_decoder_buffered(&d), 0);
    frame_decoder_deinit(&d);
    buf_deinit(&stream);
    buf_deinit(&body);
}

static void test_decoder_failure_is_sticky(void **state)
{
    (void)state;
    mice_buf wire;
    buf_init(&wire);
    frame_append(&wire, RPC_FRAME_HELLO, MICE_SLICE_LIT("one"));
    frame_append(&wire, RPC_FRAME_HELLO, MICE_SLICE_LIT("two"));
    wire.p[wire.n - 1] ^= 1; /* the second frame's body */
    frame_decoder d;
    frame_decoder_init(&d, 100);
    frame_decoder_feed(&d, buf_slice(&wire));
    rpc_frame f;
    mice_err err;
    assert_int_equal(frame_decoder_next(&d, &f, &err), MICE_OK);
    assert_int_equal(frame_decoder_next(&d, &f, &err), MICE_CORRUPT);
    assert_non_null(strstr(err.msg, "checksum"));
    /* Good bytes after a break do not resync a stream that lost its framing. */
    buf_reset(&wire);
    frame_append(&wire, RPC_FRAME_HELLO, MICE_SLICE_LIT("three"));
    frame_decoder_feed(&d, buf_slice(&wire));
    assert_int_equal(frame_decoder_next(&d, &f, &err), MICE_CORRUPT);
    frame_decoder_deinit(&d);
    buf_deinit(&wire);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_layout),
        cmocka_unit_test(test_round_trip_every_type),
        cmocka_unit_test(test_length_limit_is_checked_from_the_header),
        cmocka_unit_test(test_bad_fields_under_a_good_checksum),
        cmocka_unit_test(test_every_single_bit_flip_is_caught),
        cmocka_unit_test(test_random_corruption_never_yields_a_frame),
        cmocka_unit_test(test_decoder_over_random_chunks),
        cmocka_unit_test(test_decoder_failure_is_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
