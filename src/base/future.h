/*
 * future.h - one-shot results handed from the thread that produces them to the thread
 * that waits for them.
 *
 * The pattern of the node (DESIGN.md, "One node at run time"): a worker running a
 * statement creates a future, hands it with its request to the io or raft thread, and
 * blocks in future_wait; that thread completes the future once the answer is in. Loop
 * threads never block: they ask for a callback instead (future_then), which runs on a
 * named loop thread.
 *
 * A future completes exactly once, with a value (future_complete) or an error
 * (future_fail: a mice_status and a message). A value may own memory: the completer
 * passes a drop function, and whoever ends up holding the value frees it - the waiter
 * that took it out, or the future itself if nobody did (a waiter that timed out and gave
 * up, a callback that did not take it).
 *
 * Owns: its value until taken. Lifetime: future_create returns a future with two
 * references, the completer's and the waiter's. future_complete/future_fail consume the
 * completer's; future_release (after waiting) or future_then consumes the waiter's. The
 * last one frees it, so a waiter may time out and release while the completer still
 * holds the future, and vice versa.
 * Thread safety: every function may be called from any thread, except that future_wait
 * with a non-zero timeout must not run on a loop thread (it would stall the loop; it is
 * asserted). Each reference is used by one thread at a time.
 * Invariants: completed at most once (a second completion is our bug: asserted); the
 * value is given out at most once; a then-callback runs exactly once.
 */
#ifndef MICE_BASE_FUTURE_H
#define MICE_BASE_FUTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/status.h"

typedef struct mice_future mice_future;
typedef struct ioloop ioloop;

typedef void (*future_drop_fn)(void *value);

/* Pending, with the completer's and the waiter's references. Never NULL. */
mice_future *future_create(void);

/* Completer: succeed with value (may be NULL). drop (may be NULL) frees a value nobody
 * took. Consumes the completer's reference. */
void future_complete(mice_future *f, void *value, future_drop_fn drop);
/* Completer: fail with code (not MICE_OK) and an optional message (err may be NULL; its
 * message is copied). Consumes the completer's reference. */
void future_fail(mice_future *f, mice_status code, const mice_err *err);
/* Completer: the same with a printf-style message. */
void future_failf(mice_future *f, mice_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define FUTURE_WAIT_FOREVER UINT64_MAX

/* Waiter: block until completed or timeout_ns passed (0 polls). Returns MICE_TIMEOUT if
 * still pending (the future stays usable: wait again or release it), else the completion
 * status; on failure err (may be NULL) gets the message. On MICE_OK, *value (value may be
 * NULL to leave it in the future) receives the value and its ownership. */
mice_status future_wait(mice_future *f, uint64_t timeout_ns, void **value, mice_err *err);
/* Waiter: true once completed. */
bool future_is_done(mice_future *f);
/* Waiter: drop the waiter's reference (after waiting, or to abandon the result). */
void future_release(mice_future *f);

/* Run on completion, instead of waiting. Consumes the waiter's reference: the future is
 * valid inside the callback and freed after it returns. Inside, future_wait(f, 0, ...)
 * reads the result. delivery is MICE_OK when the callback runs on loop's thread, as
 * asked. If loop had already stopped when the future completed, the callback runs on
 * the completing thread with delivery MICE_CLOSED: release what ctx holds, nothing else.
 * loop NULL: run on the completing thread (or here, if already complete), delivery OK. */
typedef void (*future_cb)(mice_future *f, mice_status delivery, void *ctx);
void future_then(mice_future *f, ioloop *loop, future_cb cb, void *ctx);

#endif
