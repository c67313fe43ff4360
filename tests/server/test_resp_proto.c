/* Unit tests for server/resp_proto: multibulk and inline parsing (whole, byte by byte, and
 * with need_bytes), every protocol error text Redis 7 gives, and the reply encoders in
 * RESP2 and RESP3 checked byte for byte and with resp_reply_scan. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/prng.h"
#include "server/resp_proto.h"

#define S(lit) MICE_SLICE_LIT(lit)

static mice_status parse(resp_parser *p, const char *in, size_t n, size_t *consumed, mice_err *err)
{
    return resp_parse_command(p, mice_slice_of(in, n), consumed, err);
}

static void assert_args(const resp_parser *p, const char *const *want, size_t n)
{
    assert_int_equal(p->n_args, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(p->args[i].n, strlen(want[i]));
        assert_memory_equal(p->args[i].p, want[i], p->args[i].n);
    }
}

static void test_multibulk(void **state)
{
    (void)state;
    resp_parser p;
    resp_parser_init(&p, 0);
    const char in[] = "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n*1\r\n$4\r\nPING\r\n";
    size_t used = 0;
    mice_err err;
    assert_int_equal(parse(&p, in, sizeof in - 1, &used, &err), MICE_OK);
    const char *want[] = {"SET", "k", ""};
    assert_args(&p, want, 3);
    assert_int_equal(used, 26);
    assert_int_equal(parse(&p, in + used, sizeof in - 1 - used, &used, &err), MICE_OK);
    const char *ping[] = {"PING"};
    assert_args(&p, ping, 1);
    /* binary-safe: NUL and CRLF inside a bulk */
    const char bin[] = "*2\r\n$3\r\nGET\r\n$4\r\na\0\r\n\r\n";
    assert_int_equal(parse(&p, bin, sizeof bin - 1, &used, &err), MICE_OK);
    assert_int_equal(p.args[1].n, 4);
    assert_memory_equal(p.args[1].p, "a\0\r\n", 4);
    /* empty commands */
    assert_int_equal(parse(&p, "*0\r\n", 4, &used, &err), MICE_OK);
    assert_int_equal(p.n_args, 0);
    assert_int_equal(used, 4);
    assert_int_equal(parse(&p, "*-1\r\n", 5, &used, &err), MICE_OK);
    assert_int_equal(p.n_args, 0);
    resp_parser_deinit(&p);
}

/* Every prefix of a command is incomplete, need_bytes never overshoots, and the whole
 * command parses; this is how the server feeds reads of any size. */
static void test_incremental(void **state)
{
    (void)state;
    resp_parser p;
    resp_parser_init(&p, 0);
    const char in[] = "*3\r\n$3\r\nSET\r\n$5\r\nkey:1\r\n$11\r\nhello world\r\n";
    size_t n = sizeof in - 1, used = 0;
    mice_err err;
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(parse(&p, in, k, &used, &err), MICE_AGAIN);
        assert_true(p.need_bytes > k);
        assert_true(p.need_bytes <= n);
    }
    assert_int_equal(parse(&p, in, n, &used, &err), MICE_OK);
    assert_int_equal(used, n);
    /* a big bulk asks for all of its bytes at once */
    const char big[] = "*2\r\n$3\r\nSET\r\n$1000000\r\nab";
    assert_int_equal(parse(&p, big, sizeof big - 1, &used, &err), MICE_AGAIN);
    assert_int_equal(p.need_bytes, 13 + 10 + 1000000 + 2);
    resp_parser_deinit(&p);
}

static void test_inline(void **state)
{
    (void)state;
    resp_parser p;
    resp_parser_init(&p, 0);
    size_t used = 0;
    mice_err err;
    const char in[] = "  set  \"a b\\x41\\n\" 'it\\'s'  plain\r\nPING\n";
    assert_int_equal(parse(&p, in, sizeof in - 1, &used, &err), MICE_OK);
    const char *want[] = {"set", "a bA\n", "it's", "plain"};
    assert_args(&p, want, 4);
    assert_int_equal(parse(&p, in + used, sizeof in - 1 - used, &used, &err), MICE_OK);
    const char *ping[] = {"PING"};
    assert_args(&p, ping, 1);
    assert_int_equal(parse(&p, "\"\" ''\n", 6, &used, &err), MICE_OK); /* empty words */
    assert_int_equal(p.n_args, 2);
    assert_int_equal(p.args[0].n + p.args[1].n, 0);
    assert_int_equal(parse(&p, "\r\n", 2, &used, &err), MICE_OK);
    assert_int_equal(p.n_args, 0);
    assert_int_equal(parse(&p, "GET k", 5, &used, &err), MICE_AGAIN);
    assert_int_equal(p.need_bytes, 6);
    resp_parser_deinit(&p);
}

static void expect_error(resp_parser *p, const char *in, size_t n, const char *text)
{
    size_t used = 0;
    mice_err err;
    mice_err_clear(&err);
    assert_int_equal(resp_parse_command(p, mice_slice_of(in, n), &used, &err), MICE_INVALID);
    assert_string_equal(mice_err_msg(&err), text);
    assert_int_equal(p->n_args, 0);
}

static void test_protocol_errors(void **state)
{
    (void)state;
    resp_parser p;
    resp_parser_init(&p, 1000); /* a small proto-max-bulk-len */
    expect_error(&p, "*x\r\n", 4, "Protocol error: invalid multibulk length");
    expect_error(&p, "*01\r\n", 5, "Protocol error: invalid multibulk length");
    expect_error(&p, "*99999999999\r\n", 14, "Protocol error: invalid multibulk length");
    expect_error(&p, "*1\r\nx3\r\n", 8, "Protocol error: expected '$', got 'x'");
    expect_error(&p, "*1\r\n$-1\r\n", 9, "Protocol error: invalid bulk length");
    expect_error(&p, "*1\r\n$1001\r\n", 11, "Protocol error: invalid bulk length");
    expect_error(&p, "*1\r\n$abc\r\n", 10, "Protocol error: invalid bulk length");
    expect_error(&p, "set \"a\"b\r\n", 10, "Protocol error: unbalanced quotes in request");
    expect_error(&p, "set \"abc\r\n", 10, "Protocol error: unbalanced quotes in request");
    static char big[RESP_INLINE_MAX_BYTES + 10];
    memset(big, 'a', sizeof big);
    expect_error(&p, big, sizeof big, "Protocol error: too big inline request");
    big[0] = '*';
    expect_error(&p, big, sizeof big, "Protocol error: too big mbulk count string");
    memcpy(big, "*1\r\n$", 5);
    expect_error(&p, big, sizeof big, "Protocol error: too big bulk count string");
    /* a bulk at the limit is fine */
    mice_buf b;
    buf_init(&b);
    buf_append_str(&b, "*1\r\n$1000\r\n");
    memset(buf_extend(&b, 1000), 'v', 1000);
    buf_append_str(&b, "\r\n");
    size_t used = 0;
    mice_err err;
    assert_int_equal(resp_parse_command(&p, buf_slice(&b), &used, &err), MICE_OK);
    assert_int_equal(p.args[0].n, 1000);
    buf_deinit(&b);
    resp_parser_deinit(&p);
}

static void expect_bytes(mice_buf *b, const char *want)
{
    assert_int_equal(b->n, strlen(want));
    assert_memory_equal(b->p, want, b->n);
    size_t len = 0;
    assert_int_equal(resp_reply_scan(buf_slice(b), &len), MICE_OK);
    assert_int_equal(len, b->n);
    for (size_t k = 0; k < b->n; k++)
        assert_int_equal(resp_reply_scan(mice_slice_of(b->p, k), &len), MICE_AGAIN);
    buf_reset(b);
}

static void test_encoders(void **state)
{
    (void)state;
    mice_buf b;
    buf_init(&b);
    resp_put_simple(&b, "OK");
    expect_bytes(&b, "+OK\r\n");
    resp_put_error(&b, "ERR bad\r\nthing");
    expect_bytes(&b, "-ERR bad  thing\r\n");
    resp_put_errorf(&b, "ERR unknown command '%s'", "x");
    expect_bytes(&b, "-ERR unknown command 'x'\r\n");
    resp_put_int(&b, -42);
    expect_bytes(&b, ":-42\r\n");
    resp_put_bulk(&b, S("a\r\nb"));
    expect_bytes(&b, "$4\r\na\r\nb\r\n");
    resp_put_null(&b, 2);
    expect_bytes(&b, "$-1\r\n");
    resp_put_null(&b, 3);
    expect_bytes(&b, "_\r\n");
    resp_put_null_array(&b, 2);
    expect_bytes(&b, "*-1\r\n");
    resp_put_map(&b, 3, 1);
    resp_put_bulk_str(&b, "k");
    resp_put_int(&b, 1);
    expect_bytes(&b, "%1\r\n$1\r\nk\r\n:1\r\n");
    resp_put_map(&b, 2, 1);
    resp_put_bulk_str(&b, "k");
    resp_put_int(&b, 1);
    expect_bytes(&b, "*2\r\n$1\r\nk\r\n:1\r\n");
    resp_put_set(&b, 3, 0);
    expect_bytes(&b, "~0\r\n");
    resp_put_bool(&b, 3, true);
    expect_bytes(&b, "#t\r\n");
    resp_put_bool(&b, 2, false);
    expect_bytes(&b, ":0\r\n");
    resp_put_verbatim(&b, 3, "txt", S("hi"));
    expect_bytes(&b, "=6\r\ntxt:hi\r\n");
    resp_put_verbatim(&b, 2, "txt", S("hi"));
    expect_bytes(&b, "$2\r\nhi\r\n");
    mice_slice args[] = {S("GET"), S("k")};
    resp_put_command(&b, args, 2);
    expect_bytes(&b, "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
    size_t len;
    assert_int_equal(resp_reply_scan(S("?x\r\n"), &len), MICE_INVALID);
    assert_int_equal(resp_reply_scan(S("$2\r\nabcd\r\n"), &len), MICE_INVALID);
    buf_deinit(&b);
}

/* Random commands encoded as multibulk parse back to themselves, fed in random pieces. */
static void test_random_round_trip(void **state)
{
    (void)state;
    mice_prng rng;
    prng_seed(&rng, 20240601);
    resp_parser p;
    resp_parser_init(&p, 0);
    mice_buf stream, args_bytes;
    buf_init(&stream);
    buf_init(&args_bytes);
    enum { CMDS = 200 };
    size_t n_args[CMDS];
    for (int c = 0; c < CMDS; c++) {
        n_args[c] = 1 + prng_next(&rng) % 5;
        mice_slice a[5];
        size_t start = args_bytes.n;
        size_t lens[5];
        for (size_t i = 0; i < n_args[c]; i++) {
            lens[i] = prng_next(&rng) % 40;
            uint8_t *d = buf_extend(&args_bytes, lens[i]);
            for (size_t j = 0; j < lens[i]; j++)
                d[j] = (uint8_t)prng_next(&rng);
        }
        size_t off = start;
        for (size_t i = 0; i < n_args[c]; i++) {
            a[i] = mice_slice_of(args_bytes.p + off, lens[i]);
            off += lens[i];
        }
        resp_put_command(&stream, a, n_args[c]);
    }
    size_t pos = 0, off = 0, avail = 0;
    for (int c = 0; c < CMDS;) {
        size_t used = 0;
        mice_err err;
        mice_status rc = resp_parse_command(&p, mice_slice_of(stream.p + pos, avail), &used, &err);
        if (rc == MICE_AGAIN) {
            assert_true(pos + avail < stream.n);
            avail += 1 + prng_next(&rng) % 64;
            if (pos + avail > stream.n) avail = stream.n - pos;
            continue;
        }
        assert_int_equal(rc, MICE_OK);
        assert_int_equal(p.n_args, n_args[c]);
        for (size_t i = 0; i < p.n_args; i++) {
            assert_memory_equal(p.args[i].p, args_bytes.p + off, p.args[i].n);
            off += p.args[i].n;
        }
        pos += used;
        avail -= used;
        c++;
    }
    assert_int_equal(pos, stream.n);
    assert_int_equal(off, args_bytes.n);
    buf_deinit(&stream);
    buf_deinit(&args_bytes);
    resp_parser_deinit(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_multibulk), cmocka_unit_test(test_incremental),
        cmocka_unit_test(test_inline),    cmocka_unit_test(test_protocol_errors),
        cmocka_unit_test(test_encoders),  cmocka_unit_test(test_random_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
