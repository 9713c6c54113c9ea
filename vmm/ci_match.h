/* The console judge for CI runs: guest console bytes in, a verdict out.
 *
 * Bytes arrive in reads of any size from two consoles (ttyS0, hvc0), each
 * assembled into its own lines. A completed line (ended by '\n'; a '\r'
 * before it and NUL bytes anywhere are dropped) is matched once, with POSIX
 * extended regular expressions: first against every --fail-on pattern, then
 * against the next --expect in order (a line satisfies at most one). So the
 * cost is linear in the console's length, and memory is bounded whatever
 * the guest prints: a line longer than CI_LINE_MAX is matched on its first
 * CI_LINE_MAX bytes and the rest of it is counted, not kept.
 *
 * The first verdict sticks: a --fail-on match, or the last --expect
 * matched. Lines keep flowing into the tail (the last CI_TAIL_LINES lines,
 * for the --result file) after it. */
#ifndef LKVM_VMM_CI_MATCH_H
#define LKVM_VMM_CI_MATCH_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CI_LINE_MAX	(8 * 1024)
#define CI_TAIL_LINES	50
#define CI_MAX_PATTERNS 32

enum ci_source { CI_TTYS0, CI_HVC0, CI_NR_SOURCES };

enum ci_verdict {
	CI_PENDING,
	CI_EXPECTS_MET, /* every --expect, in order */
	CI_FAIL_SEEN,	/* a --fail-on pattern */
};

struct ci_pattern {
	const char *text;
	regex_t re;
	/* A pattern with no ERE operator but a leading '^' and a trailing '$'
	 * (the usual "Kernel panic", "^login: ") is matched as that literal
	 * with memmem/memcmp instead of regexec: same answer, many times
	 * faster on a long console. */
	bool literal, at_start, at_end;
	const char *lit; /* into text */
	size_t lit_len;
	bool matched;
	double time_s; /* the caller's clock at the match */
	char *line;    /* the line that matched (malloc'ed, at most CI_LINE_MAX) */
};

/* A line being assembled. */
struct ci_line {
	char buf[CI_LINE_MAX + 1];
	size_t len;
	bool cut; /* longer than CI_LINE_MAX: the rest is not kept */
};

struct ci_match {
	struct ci_pattern expects[CI_MAX_PATTERNS], fail_ons[CI_MAX_PATTERNS];
	unsigned nr_expects, nr_fail_ons, next_expect;
	enum ci_verdict verdict;
	int fail_index; /* which --fail-on matched, -1 if none */
	struct ci_line pending[CI_NR_SOURCES];
	char (*tail)[CI_LINE_MAX + 1]; /* ring of CI_TAIL_LINES lines */
	unsigned tail_next, tail_count;
	unsigned long long lines, long_lines;
	unsigned long long attempts; /* regexec calls: lines x patterns at most */
	/* Sees every completed line after it was judged (`lkvm-gpu wait`). */
	void (*on_line)(void *ctx, const char *line);
	void *on_line_ctx;
};

/* One line in err (naming the bad pattern) and -1 if a pattern does not
 * compile, or memory runs out. */
int ci_match_init(struct ci_match *m, const char *const *expects, unsigned nr_expects,
		  const char *const *fail_ons, unsigned nr_fail_ons, char *err, size_t errlen);
void ci_match_destroy(struct ci_match *m);
/* Console bytes from src, read at time now_s. Returns the verdict so far. */
enum ci_verdict ci_match_feed(struct ci_match *m, enum ci_source src, const void *buf, size_t len,
			      double now_s);
/* The console is over: unfinished lines are judged and kept too. */
enum ci_verdict ci_match_finish(struct ci_match *m, double now_s);
/* The i-th of the kept last lines, oldest first; returns how many there are. */
unsigned ci_match_tail(const struct ci_match *m, unsigned i, const char **line);

/* Whether re compiles as --expect/--fail-on will compile it; -1 with one
 * line in err if not. */
int ci_pattern_check(const char *opt, const char *re, char *err, size_t errlen);

#endif
