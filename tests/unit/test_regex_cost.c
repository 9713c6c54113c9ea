/* The control socket's `wait` patterns: shapes that make glibc's regcomp
 * copy its operands without bound are refused, the usual ones pass. The
 * costly cases are ones that took regcomp past 2 GiB (the fuzz_control
 * campaign's out-of-memory input) or are the same construction. */
#include <criterion/criterion.h>

#include "vmm/regex_cost.h"

Test(regex_cost, everyday_patterns_pass)
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
	};

	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		cr_assert_not(regex_too_costly(ok[i]), "%s", ok[i]);
}

Test(regex_cost, copies_of_copies_are_refused)
{
	static const char *const costly[] = {
	    "(aiASS+++++++++++++++++++++++++++++++++++++++++++++)", /* the fuzzer's */
	    "a++",
	    "a*?",
	    "a{2}{2}",
	    "(((((a+)+)+)+)+)+", /* 5 repeated groups */
	    "a{1,200}",
	    "a{17}",
	    "a{2,}",
	    "a{2}b{2}c{2}", /* 3 bounded repeats */
	};

	for (unsigned i = 0; i < sizeof(costly) / sizeof(costly[0]); i++)
		cr_assert(regex_too_costly(costly[i]), "%s", costly[i]);
}
