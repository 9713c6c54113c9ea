/* A small printf-style formatter: %s %c %d %i %u %x %X %p %%, flags '0' and
 * '-', a field width, a precision for %s (".N" or ".*"), length modifiers
 * l, ll, z. Output is always NUL-terminated and truncated to fit. */
#ifndef PROBE_LIB_FMT_H
#define PROBE_LIB_FMT_H

#include <stdarg.h>
#include <stddef.h>

/* Returns the number of characters written, excluding the NUL. */
size_t fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
size_t fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
