/* The freestanding C library subset the probe needs (gcc may also emit calls
 * to memcpy/memset/memmove/memcmp on its own). */
#ifndef PROBE_LIB_STRING_H
#define PROBE_LIB_STRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);

/* Copy at most dstlen-1 bytes and always terminate; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t dstlen);

/* Parse a decimal or 0x-prefixed unsigned number spanning exactly [s, s+len).
 * False on an empty string, a stray character or overflow. */
bool parse_u64(const char *s, size_t len, uint64_t *out);

#endif
