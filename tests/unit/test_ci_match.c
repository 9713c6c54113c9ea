/* vmm/ci_match: lines assembled across reads, ordered --expect, --fail-on
 * first, bounded lines, the tail. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/ci_match.h"

static struct ci_match m;

static void setup(const char *const *expects, unsigned ne, const char *const *fail_ons, unsigned nf)
{
	char err[256];

	cr_assert_eq(ci_match_init(&m, expects, ne, fail_ons, nf, err, sizeof(err)), 0, "%s", err);
}

static enum ci_verdict feed(enum ci_source src, const char *s)
{
	return ci_match_feed(&m, src, s, strlen(s), 1.0);
}

#define EXPECTS(...) ((const char *const[]){__VA_ARGS__})

Test(ci_match, a_pattern_split_across_two_reads_matches_once_the_line_ends)
{
	setup(EXPECTS("login: ready$"), 1, NULL, 0);
	cr_expect_eq(feed(CI_TTYS0, "boot ok\nlog"), CI_PENDING);
	cr_expect_eq(feed(CI_TTYS0, "in: rea"), CI_PENDING);
	cr_expect_eq(feed(CI_TTYS0, "dy"), CI_PENDING, "matched before the line ended");
	cr_expect_eq(feed(CI_TTYS0, "\n"), CI_EXPECTS_MET);
	cr_expect_str_eq(m.expects[0].line, "login: ready");
	ci_match_destroy(&m);
}

Test(ci_match, crlf_endings_lose_the_cr_so_dollar_anchors_work)
{
	setup(EXPECTS("^done$"), 1, NULL, 0);
	cr_expect_eq(feed(CI_TTYS0, "done\r"), CI_PENDING);
	cr_expect_eq(feed(CI_TTYS0, "\n"), CI_EXPECTS_MET);
	ci_match_destroy(&m);
}

Test(ci_match, nul_bytes_are_ignored_like_a_terminal_does)
{
	setup(EXPECTS("^ab cd$"), 1, NULL, 0);
	cr_expect_eq(ci_match_feed(&m, CI_TTYS0, "\0a\0b \0\0cd\0\n", 11, 1.0), CI_EXPECTS_MET);
	ci_match_destroy(&m);
}

Test(ci_match, lines_of_the_two_consoles_are_assembled_separately)
{
	setup(EXPECTS("^serial line$", "^virtio line$"), 2, NULL, 0);
	feed(CI_TTYS0, "serial ");
	feed(CI_HVC0, "virtio ");
	feed(CI_TTYS0, "line\n");
	cr_expect_eq(feed(CI_HVC0, "line\n"), CI_EXPECTS_MET);
	ci_match_destroy(&m);
}

Test(ci_match, expects_are_met_in_order_only)
{
	setup(EXPECTS("first", "second"), 2, NULL, 0);
	cr_expect_eq(feed(CI_TTYS0, "second\n"), CI_PENDING, "second counted before first");
	cr_expect_eq(feed(CI_TTYS0, "first\n"), CI_PENDING);
	cr_expect_eq(m.next_expect, 1);
	cr_expect_eq(feed(CI_TTYS0, "second\n"), CI_EXPECTS_MET);
	ci_match_destroy(&m);
}

Test(ci_match, one_line_satisfies_one_expect)
{
	setup(EXPECTS("ready", "ready"), 2, NULL, 0);
	cr_expect_eq(feed(CI_TTYS0, "ready\n"), CI_PENDING);
	cr_expect_eq(feed(CI_TTYS0, "ready again\n"), CI_EXPECTS_MET);
	ci_match_destroy(&m);
}

Test(ci_match, match_times_come_from_the_caller)
{
	setup(EXPECTS("a", "b"), 2, NULL, 0);
	ci_match_feed(&m, CI_TTYS0, "a\n", 2, 1.5);
	ci_match_feed(&m, CI_TTYS0, "b\n", 2, 2.25);
	cr_expect_float_eq(m.expects[0].time_s, 1.5, 1e-9);
	cr_expect_float_eq(m.expects[1].time_s, 2.25, 1e-9);
	ci_match_destroy(&m);
}

Test(ci_match, fail_on_wins_over_a_later_expect_in_the_same_read)
{
	setup(EXPECTS("init reached", "all done"), 2, EXPECTS("Kernel panic"), 1);
	cr_expect_eq(feed(CI_TTYS0, "init reached\nKernel panic - not syncing\nall done\n"),
		     CI_FAIL_SEEN);
	cr_expect_eq(m.fail_index, 0);
	cr_expect_str_eq(m.fail_ons[0].line, "Kernel panic - not syncing");
	cr_expect_not(m.expects[1].matched, "an expect after the failure still counted");
	ci_match_destroy(&m);
}

Test(ci_match, fail_on_wins_on_the_line_that_meets_the_last_expect)
{
	setup(EXPECTS("done"), 1, EXPECTS("error"), 1);
	cr_expect_eq(feed(CI_TTYS0, "done with error\n"), CI_FAIL_SEEN);
	ci_match_destroy(&m);
}

Test(ci_match, the_first_verdict_sticks)
{
	setup(EXPECTS("done"), 1, EXPECTS("panic"), 1);
	cr_expect_eq(feed(CI_TTYS0, "done\n"), CI_EXPECTS_MET);
	cr_expect_eq(feed(CI_TTYS0, "panic\n"), CI_EXPECTS_MET);
	cr_expect_not(m.fail_ons[0].matched);
	ci_match_destroy(&m);
}

Test(ci_match, fail_on_alone_matches_any_line)
{
	setup(NULL, 0, EXPECTS("Call Trace", "BUG:"), 2);
	cr_expect_eq(feed(CI_TTYS0, "fine\nfine\n"), CI_PENDING);
	cr_expect_eq(feed(CI_HVC0, "[ 1.0] BUG: soft lockup\n"), CI_FAIL_SEEN);
	cr_expect_eq(m.fail_index, 1);
	ci_match_destroy(&m);
}

/* A 1 MiB line fed one byte at a time: linear work (a rescan per read
 * would take minutes), matched on its first CI_LINE_MAX bytes only. */
Test(ci_match, a_one_mib_line_in_one_byte_reads_is_matched_on_its_start, .timeout = 20)
{
	size_t len = 1 << 20;
	char *line = malloc(len);

	memset(line, 'x', len);
	memcpy(line, "HEAD", 4);
	memcpy(line + len - 4, "TAIL", 4);
	setup(EXPECTS("^HEADx+$", "after"), 2, EXPECTS("TAIL"), 1);
	for (size_t i = 0; i < len; i++)
		ci_match_feed(&m, CI_TTYS0, line + i, 1, 1.0);
	cr_expect_eq(feed(CI_TTYS0, "\n"), CI_PENDING);
	cr_expect(m.expects[0].matched, "the line's start did not match");
	cr_expect_eq(strlen(m.expects[0].line), CI_LINE_MAX);
	cr_expect_not(m.fail_ons[0].matched, "bytes past the bound were matched");
	cr_expect_eq(m.long_lines, 1);
	cr_expect_eq(m.attempts, 2, "%llu regexec calls for one line and two patterns", m.attempts);
	cr_expect_eq(feed(CI_TTYS0, "after\n"), CI_EXPECTS_MET, "the next line is whole again");
	free(line);
	ci_match_destroy(&m);
}

Test(ci_match, finish_judges_and_keeps_an_unfinished_last_line)
{
	const char *line;

	setup(EXPECTS("login:"), 1, NULL, 0);
	cr_expect_eq(feed(CI_TTYS0, "welcome\nlogin: "), CI_PENDING);
	cr_expect_eq(ci_match_finish(&m, 2.0), CI_EXPECTS_MET);
	cr_expect_eq(ci_match_tail(&m, 1, &line), 2);
	cr_expect_str_eq(line, "login: ");
	ci_match_destroy(&m);
}

Test(ci_match, the_tail_keeps_the_last_50_lines_oldest_first)
{
	char buf[32];
	const char *line;

	setup(NULL, 0, NULL, 0);
	for (int i = 0; i < 120; i++) {
		snprintf(buf, sizeof(buf), "line %d\r\n", i);
		feed(i % 2 ? CI_HVC0 : CI_TTYS0, buf);
	}
	cr_expect_eq(ci_match_tail(&m, 0, &line), CI_TAIL_LINES);
	cr_expect_str_eq(line, "line 70");
	ci_match_tail(&m, CI_TAIL_LINES - 1, &line);
	cr_expect_str_eq(line, "line 119");
	cr_expect_eq(m.lines, 120);
	ci_match_destroy(&m);
}

Test(ci_match, a_bad_pattern_is_one_line_naming_it)
{
	char err[256];

	cr_expect_eq(ci_match_init(&m, EXPECTS("ok", "a(b"), 2, NULL, 0, err, sizeof(err)), -1);
	cr_expect(strstr(err, "--expect 'a(b'"), "%s", err);
	cr_expect_null(strchr(err, '\n'));
	cr_expect_eq(ci_pattern_check("--fail-on", "[z-a]", err, sizeof(err)), -1);
	cr_expect(strstr(err, "--fail-on '[z-a]'"), "%s", err);
	cr_expect_eq(ci_pattern_check("--fail-on", "Kernel panic|Oops", err, sizeof(err)), 0);
}

/* Literal patterns take a memmem/memcmp path instead of regexec: each
 * answer must be the one POSIX regexec gives for the same pattern and line
 * (the independent model), anchors included. */
Test(ci_match, literal_fast_path_answers_as_regexec_does)
{
	static const char *const pats[] = {"Kernel panic", "^login: ", "done$", "^exact$", "^", "$",
					   "^$",	   "a.c",      "x\\$",	"ab|cd"};
	static const char *const lines[] = {"",
					    "Kernel panic - not syncing",
					    "kernel panic",
					    "login: ",
					    " login: ",
					    "all done",
					    "done!",
					    "exact",
					    "exact ",
					    "abc",
					    "x$",
					    "cd"};

	for (unsigned i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		regex_t re;

		cr_assert_eq(regcomp(&re, pats[i], REG_EXTENDED | REG_NOSUB), 0);
		for (unsigned j = 0; j < sizeof(lines) / sizeof(lines[0]); j++) {
			struct ci_match m;
			char err[128], buf[64];
			bool want = regexec(&re, lines[j], 0, NULL, 0) == 0;
			int n = snprintf(buf, sizeof(buf), "%s\n", lines[j]);

			cr_assert_eq(ci_match_init(&m, NULL, 0, &pats[i], 1, err, sizeof(err)), 0);
			ci_match_feed(&m, CI_TTYS0, buf, (size_t)n, 0);
			cr_assert_eq(m.verdict == CI_FAIL_SEEN, want,
				     "pattern '%s', line '%s': want %d", pats[i], lines[j], want);
			ci_match_destroy(&m);
		}
		regfree(&re);
	}
}

static void ignore_line(void *ctx, const char *line)
{
}

/* Feed log in reads of step bytes; with_watcher set makes every line go
 * through the line-by-line path (a watcher sees each line). */
static void feed_log(struct ci_match *m, const char *log, size_t len, size_t step,
		     bool with_watcher, const char *const *fail, unsigned nfail,
		     const char *const *exp, unsigned nexp)
{
	char err[128];

	cr_assert_eq(ci_match_init(m, exp, nexp, fail, nfail, err, sizeof(err)), 0);
	if (with_watcher)
		m->on_line = ignore_line;
	for (size_t off = 0; off < len; off += step)
		ci_match_feed(m, CI_TTYS0, log + off, len - off < step ? len - off : step, 0);
}

/* Reads judged at once (no pattern's literal in them) must end exactly as
 * line by line does: the same line and long-line counts, the same 50-line
 * tail (CRs and overlong lines cut the same way), the same verdict, over
 * read sizes that split lines anywhere. */
Test(ci_match, whole_reads_end_as_line_by_line_does)
{
	static const char *const fail[] = {"Kernel panic", "Call Trace"};
	static const char *const exp[] = {"^login: ", "done$"};
	/* Never met: the verdict waits for the appended Call Trace. */
	static const char *const exp_unmet[] = {"^login: ", "nothing here$"};
	static const size_t steps[] = {1, 7, 100, 4096, 65536, 1 << 20};
	size_t cap = 3 << 20, len = 0;
	char *log = malloc(cap);

	cr_assert_not_null(log);
	for (unsigned i = 0; len + 20000 < cap; i++) {
		if (i % 997 == 0) { /* lines around the cap: MAX-1 .. MAX+2 bytes */
			memset(log + len, 'x', CI_LINE_MAX - 1 + i % 4);
			len += CI_LINE_MAX - 1 + i % 4;
			log[len++] = '\n';
		} else {
			len += (size_t)sprintf(log + len, "[%u] line %u%s\n", i, i * 7,
					       i % 5 == 0 ? "\r" : "");
		}
		if (i == 20000)
			len += (size_t)sprintf(log + len, "login: root\n");
		if (i == 30000)
			len += (size_t)sprintf(log + len, "all done\n");
	}
	for (unsigned s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
		for (int with_fail = 0; with_fail < 2; with_fail++) {
			struct ci_match a, b;
			size_t n = len;

			if (with_fail)
				n += (size_t)sprintf(log + len, "Call Trace:\n[1] tail\n");
			feed_log(&a, log, n, steps[s], false, fail, 2, with_fail ? exp_unmet : exp,
				 2);
			feed_log(&b, log, n, steps[s], true, fail, 2, with_fail ? exp_unmet : exp,
				 2);
			cr_assert_eq(a.lines, b.lines, "step %zu", steps[s]);
			cr_assert_eq(a.long_lines, b.long_lines, "step %zu", steps[s]);
			cr_assert_eq(a.verdict, b.verdict, "step %zu", steps[s]);
			cr_assert_eq(a.verdict, with_fail ? CI_FAIL_SEEN : CI_EXPECTS_MET);
			cr_assert_eq(a.next_expect, b.next_expect);
			cr_assert_eq(a.tail_count, b.tail_count);
			for (unsigned i = 0; i < a.tail_count; i++) {
				const char *la, *lb;

				ci_match_tail(&a, i, &la);
				ci_match_tail(&b, i, &lb);
				cr_assert_str_eq(la, lb, "step %zu, tail line %u", steps[s], i);
			}
			ci_match_destroy(&a);
			ci_match_destroy(&b);
		}
	}
	free(log);
}
