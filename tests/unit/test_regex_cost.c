/* The control socket's `wait` patterns: a pattern whose repeats would make
 * glibc's regcomp lay out more than REGEX_MAX_COST items is refused, and
 * what passes compiles in little memory. The refused ones are shapes
 * measured on this host (peak RSS of regcomp alone): the fuzz_control
 * campaign's input passed 2 GiB, "((((L){16}){16})+)+" with L 4000
 * characters took 838 MB, "(((L){99}){99}){99}" with L 100 characters
 * 19.8 GB; the accepted 4000-character "(L){16}" took 14 MB. The cap is
 * lower still because the items also cost regexec time on every console
 * line: fuzz_control's later inputs ("ai" and 16 '+', 65,536 items) took
 * 24-45 s to match one line. */
#include <criterion/criterion.h>
#include <malloc.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

#include "vmm/regex_cost.h"

static char *wrap(const char *pre, unsigned n, const char *post)
{
	static char buf[8192];
	size_t k = strlen(pre);

	cr_assert_lt(k + n + strlen(post), sizeof(buf));
	memcpy(buf, pre, k);
	memset(buf + k, 'a', n);
	strcpy(buf + k + n, post);
	return buf;
}

/* Heap bytes regcomp holds for p (0 where the allocator does not say,
 * as under ASan). */
static size_t compiled_bytes(const char *p)
{
	struct mallinfo2 before = mallinfo2(), after;
	regex_t re;

	cr_assert_eq(regcomp(&re, p, REG_EXTENDED | REG_NOSUB), 0, "%s", p);
	after = mallinfo2();
	regfree(&re);
	return (after.uordblks + after.hblkhd) - (before.uordblks + before.hblkhd);
}

Test(regex_cost, everyday_and_bounded_patterns_pass_and_compile_small)
{
	static const char *const ok[] = {
	    "login: ",
	    "^PROBE: (PASS|FAIL) [a-z_]+",
	    "input_ready=3",
	    "Kernel panic",
	    "a+b*c?d+",
	    "(ab)+x",
	    "[+*?{]+",
	    "\\+\\+\\+",
	    "x{3}",
	    "(a|b){2,4}",
	    "[]+]*",
	    "[^]{]+",
	    "((a)+(b)+(c)*)?",
	    "",
	    "a{1,200}",
	    "(a+)+",
	    "((a?)?)*",
	};

	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		cr_assert_not(regex_too_costly(ok[i]), "%s", ok[i]);
		cr_assert_lt(compiled_bytes(ok[i]), 32u << 20, "%s", ok[i]);
	}
	const char *big = wrap("(", 120, "){16}");
	cr_assert_not(regex_too_costly(big));
	cr_assert_lt(compiled_bytes(big), 32u << 20);
}

/* POSIX leaves a repeat right after a repeat undefined, and glibc's
 * regcomp takes exponential time over runs of them however few items
 * they copy (fuzz_control's timeouts; measured here: "ai+", 40 '?' and
 * 6 '+' ran over 100 s). The same nesting written with groups compiles at
 * once and passes above. */
Test(regex_cost, a_repeat_right_after_a_repeat_is_refused)
{
	static const char *const bad[] = {"a++", "a??", "a*+", "a+*", "a{2}+", "a?{2}", "(a)++"};
	char p[64] = "ai+";

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert(regex_too_costly(bad[i]), "%s", bad[i]);
	memset(p + 3, '?', 40);
	strcpy(p + 43, "++++++");
	cr_assert(regex_too_costly(p), "%s", p);
	cr_assert_not(regex_too_costly("a\\+\\+"), "escaped: plain characters");
	cr_assert_not(regex_too_costly("[+*?]+"), "in a bracket: plain characters");
}

Test(regex_cost, copies_of_copies_are_refused)
{
	cr_assert(regex_too_costly("(aiASS+++++++++++++++++++++++++++++++++++++++++++)"));
	cr_assert(regex_too_costly(wrap("((((", 4000, "){16}){16})+)+")));
	cr_assert(regex_too_costly(wrap("(((", 100, "){99}){99}){99}")));
	cr_assert(regex_too_costly(wrap("", 8, "{65537}")));
	cr_assert(regex_too_costly("ai++++++++++++++++"), "65,536 items: 24 s per line");
	cr_assert(regex_too_costly(wrap("(", 4000, "){16}")), "64,016 items");
	cr_assert_not(regex_too_costly("(((((((((ai)+)+)+)+)+)+)+)+)+"),
		      "nine repeated groups: under 1 ms against an 8 KB line");
	cr_assert(regex_too_costly(
	    wrap("((((((((((((((((((", 1, ")+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+)+")));
	cr_assert(regex_too_costly("a{x}"), "not an interval: refused rather than guessed");
}
