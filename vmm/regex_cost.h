#ifndef LKVM_VMM_REGEX_COST_H
#define LKVM_VMM_REGEX_COST_H

#include <stdbool.h>

/* Items regcomp may lay out for one pattern (regex_cost.c): at about 200
 * bytes each, some 13 MB. */
#define REGEX_MAX_COST 65536

/* True if an extended regular expression would make glibc's regcomp lay
 * out more than REGEX_MAX_COST items (repeats copy their operand). */
bool regex_too_costly(const char *pattern);

#endif
