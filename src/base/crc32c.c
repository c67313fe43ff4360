/*
 * crc32c.c - CRC-32C: the SSE4.2 crc32 instruction when the CPU has it, else slicing-by-8.
 *
 * Both paths compute the reflected CRC with polynomial 0x82F63B78, initial value and final
 * XOR 0xFFFFFFFF, so crc32c_extend(crc32c(a), b) == crc32c(a || b). Which path runs is
 * decided once, on first use, under pthread_once together with building the tables.
 */
#include "base/crc32c.h"

#include <pthread.h>
#include <string.h>

enum { CRC32C_SLICES = 8, CRC32C_TABLE_SIZE = 256 };
static const uint32_t CRC32C_POLY_REFLECTED = 0x82f63b78u;

static uint32_t crc_table[CRC32C_SLICES][CRC32C_TABLE_SIZE];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;
static bool crc_hw;

static uint32_t load_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void crc_init(void)
{
    for (uint32_t i = 0; i < CRC32C_TABLE_SIZE; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = (c >> 1) ^ (CRC32C_POLY_REFLECTED & (0u - (c & 1)));
        crc_table[0][i] = c;
    }
    /* table[s][i]: the CRC of byte i followed by s zero bytes. */
    for (uint32_t i = 0; i < CRC32C_TABLE_SIZE; i++)
        for (int s = 1; s < CRC32C_SLICES; s++) {
            uint32_t prev = crc_table[s - 1][i];
            crc_table[s][i] = (prev >> 8) ^ crc_table[0][prev & 0xff];
        }
#if defined(__x86_64__)
    __builtin_cpu_init();
    crc_hw = __builtin_cpu_supports("sse4.2");
#endif
}

uint32_t crc32c_extend_portable(uint32_t crc, const void *data, size_t n)
{
    pthread_once(&crc_once, crc_init);
    const uint8_t *p = data;
    uint32_t c = ~crc;
    while (n >= CRC32C_SLICES) {
        uint32_t lo = c ^ load_le32(p), hi = load_le32(p + 4);
        c = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
            crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^ crc_table[3][hi & 0xff] ^
            crc_table[2][(hi >> 8) & 0xff] ^ crc_table[1][(hi >> 16) & 0xff] ^
            crc_table[0][hi >> 24];
        p += CRC32C_SLICES;
        n -= CRC32C_SLICES;
    }
    while (n--)
        c = (c >> 8) ^ crc_table[0][(c ^ *p++) & 0xff];
    return ~c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) static uint32_t crc32c_extend_sse42(uint32_t crc,
                                                                      const void *data, size_t n)
{
    const uint8_t *p = data;
    uint64_t c = (uint32_t)~crc;
    while (n >= sizeof(uint64_t)) {
        uint64_t word;
        memcpy(&word, p, sizeof word); /* unaligned load; x86 is little-endian */
        c = __builtin_ia32_crc32di(c, word);
        p += sizeof word;
        n -= sizeof word;
    }
    uint32_t c32 = (uint32_t)c;
    while (n--)
        c32 = __builtin_ia32_crc32qi(c32, *p++);
    return ~c32;
}
#endif

bool crc32c_hw_available(void)
{
    pthread_once(&crc_once, crc_init);
    return crc_hw;
}

uint32_t crc32c_extend(uint32_t crc, const void *data, size_t n)
{
#if defined(__x86_64__)
    if (crc32c_hw_available()) return crc32c_extend_sse42(crc, data, n);
#endif
    return crc32c_extend_portable(crc, data, n);
}

uint32_t crc32c(const void *data, size_t n)
{
    return crc32c_extend(0, data, n);
}
