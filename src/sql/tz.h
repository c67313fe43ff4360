/*
 * tz.h - time zones for timestamptz: UTC, fixed offsets and IANA zones from tzdata.
 *
 * A session's TimeZone is one of: "UTC"/"GMT"/"Z" (any case), a number of hours east of
 * Greenwich ("5.5", "-3", as PostgreSQL's SET TIME ZONE), a POSIX TZ string ("UTC+3",
 * "EST5EDT,M3.2.0,M11.1.0" - POSIX offsets count hours WEST, so "+05:30" is 5:30 behind
 * UTC, exactly as PostgreSQL shows), or an IANA name ("Europe/Paris") read from
 * <zoneinfo_dir>/<name> in TZif format (v2+ 64-bit section; times past the last
 * transition follow the file's POSIX footer rule). We parse the files ourselves: no
 * setenv("TZ")/localtime, which are process-global and not thread-safe.
 *
 * Offsets are seconds EAST of UTC (ISO sign: India is +19800).
 *
 * Owns: a sql_tz owns its transition tables (C heap); tz_destroy frees them.
 * Thread safety: a loaded zone is immutable and may be shared by any threads.
 */
#ifndef MICE_SQL_TZ_H
#define MICE_SQL_TZ_H

#include <stdbool.h>
#include <stdint.h>

#include "sql/sqlerr.h"

typedef struct sql_tz sql_tz;

#define SQL_TZ_DEFAULT_DIR "/usr/share/zoneinfo"

/* Errors: 22023 time zone "X" not recognized (unknown name, unreadable or corrupt file,
 * or no tzdata installed). zoneinfo_dir NULL means SQL_TZ_DEFAULT_DIR. */
mice_status tz_create(const char *name, const char *zoneinfo_dir, sql_tz **out, sql_error *err);
/* A fixed offset zone (seconds east), never fails. */
sql_tz *tz_create_fixed(int32_t offset_east_s);
void tz_destroy(sql_tz *tz);

/* The name the zone was created with. Borrowed: valid until tz_destroy. */
const char *tz_name(const sql_tz *tz);

/* Offset east of UTC in effect at a UTC instant (seconds since 1970-01-01). */
int32_t tz_offset_at_utc(const sql_tz *tz, int64_t utc_unix_s);
/* Offset for a local wall-clock time (seconds since 1970-01-01 as if UTC). In a
 * spring-forward gap the offset before the transition is used, in a fall-back overlap
 * the one after it - PostgreSQL's DetermineTimeZoneOffset rules. */
int32_t tz_offset_for_local(const sql_tz *tz, int64_t local_unix_s);

#endif
