#include "vmm/regex_cost.h"

#include <stdlib.h>

/* glibc's regcomp builds a repeat by copying its operand: "(X)+" holds X
 * twice and "X{1,200}" 200 times, and copies of copies multiply, so a
 * short pattern ("(a+++...)", "((a{99}){99}){99}") can take gigabytes.
 * A pattern another process hands us (the control socket's `wait`) is
 * held to shapes whose copies stay small: no repeat of a repeat, at most
 * REGEX_MAX_GROUP_REPEATS repeated groups, bounds up to REGEX_MAX_BOUND,
 * at most REGEX_MAX_BOUNDED bounded repeats. What is inside a bracket
 * expression or after a backslash is a plain character. */
bool regex_too_costly(const char *p)
{
	unsigned group_repeats = 0, bounded = 0;
	bool after_repeat = false, after_group = false;

	for (size_t i = 0; p[i]; i++) {
		char c = p[i];

		if (c == '\\') {
			if (!p[i + 1])
				return false; /* regcomp refuses it */
			i++;
			after_repeat = after_group = false;
			continue;
		}
		if (c == '[') {
			/* A leading ']' (after an optional '^') is a member. */
			size_t j = i + 1;

			if (p[j] == '^')
				j++;
			if (p[j] == ']')
				j++;
			while (p[j] && p[j] != ']')
				j++;
			if (!p[j])
				return false; /* unterminated: regcomp refuses it */
			i = j;
			after_repeat = after_group = false;
			continue;
		}
		if (c == '*' || c == '+' || c == '?' || c == '{') {
			if (after_repeat)
				return true;
			if (after_group && ++group_repeats > REGEX_MAX_GROUP_REPEATS)
				return true;
			if (c == '{') {
				char *end;
				unsigned long lo = strtoul(p + i + 1, &end, 10), hi = lo;

				if (*end == ',')
					hi = end[1] == '}' ? REGEX_MAX_BOUND + 1
							   : strtoul(end + 1, &end, 10);
				if (lo > REGEX_MAX_BOUND || hi > REGEX_MAX_BOUND ||
				    ++bounded > REGEX_MAX_BOUNDED)
					return true;
				while (p[i + 1] && p[i] != '}')
					i++;
			}
			after_repeat = true;
			after_group = false;
			continue;
		}
		after_repeat = false;
		after_group = c == ')';
	}
	return false;
}
