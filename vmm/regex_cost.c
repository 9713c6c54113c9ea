#include "vmm/regex_cost.h"

#include <stdint.h>
#include <stdlib.h>

/* glibc's regcomp builds a repeat by copying its operand: "X+" holds X
 * twice and "X{1,200}" 200 times, and copies of copies multiply, so a
 * short pattern ("(a+++...)", "((a{99}){99}){99}") can take gigabytes
 * (measured: a 4000-character group repeated 1024 times in all, 838 MB).
 * So a pattern is costed as regcomp would lay it out: each item counts
 * one, a group the sum of its items, and a repeat multiplies what it
 * repeats by the copies it needs; past REGEX_MAX_COST (regex_cost.h: the
 * items cost memory to compile and time to match) it is refused, and so
 * is a repeat right after a repeat. What is inside a bracket expression
 * or after a backslash is one plain item. */

#define MAX_DEPTH 64

/* Copies regcomp makes of the operand of the repeat at p (one of * + ? {),
 * and the repeat's length in *len. */
static uint64_t copies(const char *p, size_t *len)
{
	char *end;
	unsigned long lo, hi;

	*len = 1;
	if (*p == '*' || *p == '?')
		return 1;
	if (*p == '+')
		return 2;
	lo = strtoul(p + 1, &end, 10);
	if (end == p + 1)
		return REGEX_MAX_COST + 1; /* not an interval: not worth guessing */
	hi = lo;
	if (*end == ',')
		hi = end[1] == '}' ? lo + 1 : strtoul(end + 1, &end, 10);
	while (*end && *end != '}')
		end++;
	*len = (size_t)(end - p) + (*end == '}');
	return hi > REGEX_MAX_COST ? REGEX_MAX_COST + 1 : (hi ? hi : 1);
}

bool regex_too_costly(const char *p)
{
	uint64_t sum[MAX_DEPTH] = {0}, last = 0;
	unsigned depth = 0;
	bool after_repeat = false;

	for (size_t i = 0; p[i];) {
		char c = p[i];
		bool repeat = c == '*' || c == '+' || c == '?' || c == '{';

		/* A repeat right after a repeat ("a??", "a+*", "a{2}+"): POSIX
		 * leaves it undefined, and glibc's regcomp takes exponential time
		 * over it whatever the item count ("ai+", 40 '?' and 6 '+':
		 * minutes). */
		if (repeat && after_repeat)
			return true;
		if (repeat) {
			size_t len;
			uint64_t k = copies(p + i, &len);

			/* last, sum <= REGEX_MAX_COST and k <= REGEX_MAX_COST + 1:
			 * no product wraps 64 bits. */
			sum[depth] += last * (k - 1);
			last *= k;
			i += len;
		} else if (c == '(') {
			if (++depth == MAX_DEPTH)
				return true;
			sum[depth] = 0;
			last = 0;
			i++;
		} else if (c == ')' && depth > 0) {
			last = sum[depth--] + 1;
			sum[depth] += last;
			i++;
		} else if (c == '|') {
			last = 0;
			i++;
		} else {
			if (c == '[') {
				/* A leading ']' (after an optional '^') is a member. */
				size_t j = i + 1 + (p[i + 1] == '^');

				j += p[j] == ']';
				while (p[j] && p[j] != ']')
					j++;
				i = p[j] ? j : j - 1;
			} else if (c == '\\' && p[i + 1]) {
				i++;
			}
			last = 1;
			sum[depth] += 1;
			i++;
		}
		after_repeat = repeat;
		if (sum[depth] > REGEX_MAX_COST || last > REGEX_MAX_COST)
			return true;
	}
	return false;
}
