#ifndef LKVM_VMM_REGEX_COST_H
#define LKVM_VMM_REGEX_COST_H

#include <stdbool.h>

/* Items regcomp may lay out for one pattern (regex_cost.c). They bound its
 * memory (about 200 bytes each) and regexec's work per character of a
 * console line, which glibc does over sets of them on the main thread:
 * measured on this host, "ai" and 16 '+' (65,536 items) took 24 s to
 * fail against one 2000-character line; "ai" and 10 '+' (1026 items)
 * takes 8 ms against 8192 characters, a console line's cap. */
#define REGEX_MAX_COST 2048

/* True if an extended regular expression would make glibc's regcomp lay
 * out more than REGEX_MAX_COST items (repeats copy their operand), or has
 * a repeat right after a repeat (undefined in POSIX; exponential there). */
bool regex_too_costly(const char *pattern);

#endif
