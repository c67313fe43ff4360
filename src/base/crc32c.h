/*
 * crc32c.h - CRC-32C (Castagnoli), the checksum of RPC frames and on-disk records.
 *
 * Uses the SSE4.2 crc32 instruction when the CPU has it, a table otherwise; both give the
 * same answer (tested). crc32c_extend continues a running checksum over more bytes.
 *
 * Owns: nothing. Thread safety: pure functions (the table is built once, thread-safely).
 */
#ifndef MICE_BASE_CRC32C_H
#define MICE_BASE_CRC32C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

uint32_t crc32c(const void *p, size_t n);
uint32_t crc32c_extend(uint32_t crc, const void *p, size_t n);
/* The portable table implementation, exposed so tests can compare it with the fast one. */
uint32_t crc32c_extend_portable(uint32_t crc, const void *p, size_t n);
/* True when crc32c/crc32c_extend use the CPU's crc32 instruction (SSE4.2). */
bool crc32c_hw_available(void);

#endif
