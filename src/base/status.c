#include "base/status.h"

#include <stdio.h>
#include <string.h>

static const char *const status_text[] = {
#define X(code, text) [code] = text,
    MICE_STATUS_MAP(X)
#undef X
};

static const char *const status_names[] = {
#define X(code, text) [code] = #code,
    MICE_STATUS_MAP(X)
#undef X
};

const char *mice_status_str(mice_status s)
{
    if ((unsigned)s >= MICE_STATUS_COUNT) return "unknown status";
    return status_text[s];
}

const char *mice_status_name(mice_status s)
{
    if ((unsigned)s >= MICE_STATUS_COUNT) return "MICE_UNKNOWN";
    return status_names[s];
}

void mice_err_clear(mice_err *e)
{
    if (!e) return;
    e->code = MICE_OK;
    e->msg[0] = '\0';
}

mice_status mice_err_vsetf(mice_err *e, mice_status code, const char *fmt, va_list ap)
{
    if (!e) return code;
    e->code = code;
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    return code;
}

mice_status mice_err_setf(mice_err *e, mice_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    mice_err_vsetf(e, code, fmt, ap);
    va_end(ap);
    return code;
}

const char *mice_err_msg(const mice_err *e)
{
    if (!e) return "";
    if (e->msg[0]) return e->msg;
    return mice_status_str(e->code);
}
