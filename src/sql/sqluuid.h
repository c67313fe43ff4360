/*
 * sqluuid.h - the uuid type: 16 bytes, PostgreSQL's text and binary forms.
 *
 * Text input accepts 32 hex digits in either case, optionally in braces, with a hyphen
 * allowed after any group of four digits ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
 * '{a0eebc999c0b4ef8bb6d6bb9bd380a11}', 'a0ee-bc99-9c0b-...'); output is the lowercase
 * 8-4-4-4-12 form. Binary is the 16 bytes. Comparison is bytewise (memcmp), as
 * PostgreSQL's uuid_cmp. Version 4 (random) uuids come from a caller's mice_prng.
 *
 * Owns: nothing. Thread safety: pure functions (the prng belongs to the caller).
 */
#ifndef MICE_SQL_SQLUUID_H
#define MICE_SQL_SQLUUID_H

#include <stdint.h>

#include "base/buf.h"
#include "base/prng.h"
#include "sql/sqlerr.h"

enum { SQL_UUID_BYTES = 16, SQL_UUID_TEXT_LEN = 36 };

typedef struct sql_uuid {
    uint8_t b[SQL_UUID_BYTES];
} sql_uuid;

/* 22P02 invalid input syntax for type uuid: "x". */
mice_status sqluuid_parse(mice_slice text, sql_uuid *out, sql_error *err);
void sqluuid_format(const sql_uuid *u, mice_buf *out);
/* 22P03 incorrect binary data format unless 16 bytes. */
mice_status sqluuid_recv(mice_slice bytes, sql_uuid *out, sql_error *err);
int sqluuid_cmp(const sql_uuid *a, const sql_uuid *b);
/* A random (version 4, variant RFC 4122) uuid. */
void sqluuid_random(mice_prng *prng, sql_uuid *out);

#endif
