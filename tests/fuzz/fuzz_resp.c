// layer: server
/*
 * fuzz_resp.c - the RESP command parser must never crash, never read past its input and
 * agree with itself.
 *
 * The input is parsed as a client's byte stream twice: whole, and fed in pieces the way
 * respserver feeds it (growing the window only to what need_bytes asks for, then by a
 * few bytes). Both must produce the same commands and end the same way (a protocol error
 * whose text starts with "Protocol error: ", or input left incomplete). Every command,
 * encoded again as a multibulk, must parse back to the same arguments in one call. The
 * input is also measured as a reply with resp_reply_scan, which must stay in bounds.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/buf.h"
#include "base/check.h"
#include "server/resp_proto.h"

enum { FUZZ_MAX_BULK_BYTES = 1 << 16, FUZZ_COMMANDS_MAX = 4096 };

/* Commands as one buffer of (argc, then len + bytes per argument). */
typedef struct run_result {
    mice_buf cmds;
    size_t n_cmds;
    mice_status end; /* MICE_AGAIN (input ran out) or MICE_INVALID */
    size_t consumed;
} run_result;

static void record(run_result *r, const resp_parser *p)
{
    buf_append_be32(&r->cmds, (uint32_t)p->n_args);
    for (size_t i = 0; i < p->n_args; i++) {
        buf_append_be32(&r->cmds, (uint32_t)p->args[i].n);
        buf_append_slice(&r->cmds, p->args[i]);
    }
    r->n_cmds++;
}

static void check_reencode(const resp_parser *p)
{
    if (p->n_args == 0) return;
    mice_buf enc;
    buf_init(&enc);
    resp_put_command(&enc, p->args, p->n_args);
    resp_parser again;
    resp_parser_init(&again, FUZZ_MAX_BULK_BYTES);
    size_t used = 0;
    mice_err err;
    mice_assert(resp_parse_command(&again, buf_slice(&enc), &used, &err) == MICE_OK);
    mice_assert(used == enc.n);
    mice_assert(again.n_args == p->n_args);
    for (size_t i = 0; i < p->n_args; i++)
        mice_assert(mice_slice_eq(again.args[i], p->args[i]));
    resp_parser_deinit(&again);
    buf_deinit(&enc);
}

/* step 0: the whole input at once; else windows growing by need_bytes then step bytes. */
static void run(mice_slice in, size_t step, run_result *r)
{
    resp_parser p;
    resp_parser_init(&p, FUZZ_MAX_BULK_BYTES);
    size_t pos = 0, avail = step ? 0 : in.n;
    r->end = MICE_AGAIN;
    while (r->n_cmds < FUZZ_COMMANDS_MAX) {
        size_t used = 0;
        mice_err err;
        mice_status rc = resp_parse_command(&p, mice_slice_of(in.p + pos, avail), &used, &err);
        if (rc == MICE_OK) {
            mice_assert(used > 0 && used <= avail);
            record(r, &p);
            check_reencode(&p);
            pos += used;
            avail -= used;
            continue;
        }
        if (rc == MICE_INVALID) {
            mice_assert(strncmp(mice_err_msg(&err), "Protocol error: ", 16) == 0);
            r->end = rc;
            break;
        }
        mice_assert(rc == MICE_AGAIN);
        mice_assert(p.need_bytes > avail);
        if (pos + avail == in.n) break;
        size_t want = p.need_bytes + (step ? step - 1 : 0);
        avail = want > in.n - pos ? in.n - pos : want;
    }
    r->consumed = pos;
    resp_parser_deinit(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    mice_slice in = mice_slice_of(data, size);
    run_result whole = {0}, pieces = {0};
    buf_init(&whole.cmds);
    buf_init(&pieces.cmds);
    run(in, 0, &whole);
    run(in, 1 + (size ? data[0] % 7 : 0), &pieces);
    if (whole.n_cmds < FUZZ_COMMANDS_MAX && pieces.n_cmds < FUZZ_COMMANDS_MAX) {
        mice_assert(whole.n_cmds == pieces.n_cmds);
        mice_assert(whole.end == pieces.end);
        mice_assert(whole.consumed == pieces.consumed);
        mice_assert(mice_slice_eq(buf_slice(&whole.cmds), buf_slice(&pieces.cmds)));
    }
    buf_deinit(&whole.cmds);
    buf_deinit(&pieces.cmds);
    size_t len = 0;
    if (resp_reply_scan(in, &len) == MICE_OK) mice_assert(len > 0 && len <= size);
    return 0;
}
