/* Reading `key=value` words from a kernel-style command line (words split by
 * spaces; no quoting: the probe's own options never need it). */
#ifndef PROBE_LIB_CMDLINE_H
#define PROBE_LIB_CMDLINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The value of the last `key=...` word, not NUL-terminated: *len bytes at the
 * returned pointer. NULL if the key is absent. */
const char *cmdline_find(const char *cmdline, const char *key, size_t *len);

/* The value as a number; false if absent. *bad is set if present but not a
 * number. */
bool cmdline_u64(const char *cmdline, const char *key, uint64_t *out, bool *bad);

/* Is `item` one of the comma-separated entries of list[0..len)? */
bool list_contains(const char *list, size_t len, const char *item);

#endif
