#ifndef LKVM_VMM_REGEX_COST_H
#define LKVM_VMM_REGEX_COST_H

#include <stdbool.h>

#define REGEX_MAX_GROUP_REPEATS 4  /* "(...)+" and the like: each may double */
#define REGEX_MAX_BOUND		16 /* n and m of {n}, {n,m}; {n,} counts as past it */
#define REGEX_MAX_BOUNDED	2  /* {...} repeats in one pattern */

/* True if an extended regular expression could make regcomp build a huge
 * automaton (regex_cost.c says which shapes pass). */
bool regex_too_costly(const char *pattern);

#endif
