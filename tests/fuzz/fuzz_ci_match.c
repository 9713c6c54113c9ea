/* libFuzzer: the CI console judge (vmm/ci_match.c) against a model.
 *
 * Input: a counts byte (0-3 --expect, 0-2 --fail-on), a read-size byte,
 * then the patterns, each ended by '\n' (at most 12 bytes: the fuzzer is
 * after our code, not glibc's regex engine), then the console bytes, fed
 * in reads of that size, alternating ttyS0 and hvc0 when the size byte
 * is odd. The judge runs free to take whole reads at once (its fast
 * path) or, when the counts byte's top bit is set, line by line (on_line
 * set: one judge per input, each allocation of its tail is an mmap), and
 * must agree with a plain model written from ci_match.h's contract: lines per
 * console, NULs dropped, a CR before the newline dropped, at most
 * CI_LINE_MAX bytes kept, each line tried with regexec against every
 * --fail-on and then the next --expect. Verdict, which pattern failed,
 * how many expects matched, line counts and the kept tail must be equal.
 */
#include <sanitizer/asan_interface.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/ci_match.h"

/* ci_match_init's tail (410 KB) is beyond ASan's small-chunk sizes: each
 * input would mmap and munmap it, some 300 inputs a second here. Linked
 * with --wrap=calloc,free, that one allocation comes from this pool
 * instead, kept poisoned while free and followed by a poisoned redzone,
 * so overflows and use after destroy are still caught. */
#define TAIL_BYTES (CI_TAIL_LINES * (size_t)(CI_LINE_MAX + 1))
#define REDZONE	   4096
static uint8_t pool[TAIL_BYTES + REDZONE] __attribute__((aligned(64)));
static bool pool_used;

void *__real_calloc(size_t n, size_t size);
void __real_free(void *p);

void *__wrap_calloc(size_t n, size_t size)
{
	if (n * size != TAIL_BYTES || pool_used)
		return __real_calloc(n, size);
	pool_used = true;
	ASAN_UNPOISON_MEMORY_REGION(pool, TAIL_BYTES);
	memset(pool, 0, TAIL_BYTES);
	return pool;
}

void __wrap_free(void *p)
{
	if (p != pool) {
		__real_free(p);
		return;
	}
	if (!pool_used)
		abort(); /* double free */
	pool_used = false;
	ASAN_POISON_MEMORY_REGION(pool, sizeof(pool));
}

#define MAX_PAT_LEN 12

struct model {
	regex_t exp[3], fail[2];
	unsigned ne, nf, next;
	enum ci_verdict verdict;
	int fail_index;
	char line[CI_NR_SOURCES][CI_LINE_MAX + 1];
	size_t len[CI_NR_SOURCES], raw[CI_NR_SOURCES]; /* kept bytes, all bytes */
	char tail[CI_TAIL_LINES][CI_LINE_MAX + 1];
	unsigned tail_count, tail_total; /* lines kept, lines ever */
	unsigned long long lines, long_lines;
};

static struct model md;
static struct ci_match m;

static void model_end_line(unsigned s)
{
	size_t n = md.len[s];

	/* The CR of a CRLF goes, unless the line was cut before it. */
	if (md.raw[s] <= CI_LINE_MAX && n && md.line[s][n - 1] == '\r')
		n--;
	md.line[s][n] = 0;
	md.lines++;
	md.long_lines += md.raw[s] > CI_LINE_MAX;
	if (md.verdict == CI_PENDING) {
		for (unsigned i = 0; i < md.nf && md.verdict == CI_PENDING; i++) {
			if (regexec(&md.fail[i], md.line[s], 0, NULL, 0) == 0) {
				md.verdict = CI_FAIL_SEEN;
				md.fail_index = (int)i;
			}
		}
		if (md.verdict == CI_PENDING && md.next < md.ne &&
		    regexec(&md.exp[md.next], md.line[s], 0, NULL, 0) == 0 && ++md.next == md.ne)
			md.verdict = CI_EXPECTS_MET;
	}
	memcpy(md.tail[md.tail_total++ % CI_TAIL_LINES], md.line[s], n + 1);
	if (md.tail_count < CI_TAIL_LINES)
		md.tail_count++;
	md.len[s] = md.raw[s] = 0;
}

static void model_feed(unsigned s, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (p[i] == '\n') {
			model_end_line(s);
		} else if (p[i]) {
			if (md.len[s] < CI_LINE_MAX)
				md.line[s][md.len[s]++] = (char)p[i];
			md.raw[s]++;
		}
	}
}

static void on_line(void *ctx, const char *line)
{
}

static void same(const struct ci_match *m)
{
	unsigned n;

	if (m->verdict != md.verdict || m->fail_index != md.fail_index ||
	    m->next_expect != md.next || m->lines != md.lines || m->long_lines != md.long_lines)
		abort();
	n = ci_match_tail(m, 0, &(const char *){NULL});
	if (n != md.tail_count)
		abort();
	for (unsigned i = 0; i < n; i++) {
		const char *line;

		ci_match_tail(m, i, &line);
		if (strcmp(line, md.tail[(md.tail_total - n + i) % CI_TAIL_LINES]))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char pats[5][MAX_PAT_LEN + 1], err[512];
	const char *exp[3], *fail[2];
	unsigned ne, nf, np = 0;
	size_t off = 2, step;
	int r;

	if (size < 2)
		return 0;
	ASAN_POISON_MEMORY_REGION(pool + TAIL_BYTES, REDZONE);
	ne = data[0] % 4;
	nf = data[0] / 4 % 3;
	step = data[1] / 2 + 1;
	while (np < ne + nf) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len = nl ? (size_t)(nl - data - off) : size - off;

		if (len > MAX_PAT_LEN || memchr(data + off, 0, len))
			return 0;
		memcpy(pats[np], data + off, len);
		pats[np][len] = 0;
		np++;
		off += len + (nl != NULL);
	}
	for (unsigned i = 0; i < ne; i++)
		exp[i] = pats[i];
	for (unsigned i = 0; i < nf; i++)
		fail[i] = pats[ne + i];
	r = ci_match_init(&m, exp, ne, fail, nf, err, sizeof(err));
	if (r) {
		bool bad = false; /* refused: then regcomp refuses one of them too */

		for (unsigned i = 0; i < np; i++)
			bad |= regcomp(&md.exp[0], pats[i], REG_EXTENDED | REG_NOSUB) != 0 ||
			       (regfree(&md.exp[0]), false);
		if (!bad)
			abort();
		return 0;
	}
	if (data[0] & 0x80)
		m.on_line = on_line;

	/* Not the big line buffers: only what says how much of them counts. */
	md.next = md.tail_count = md.tail_total = 0;
	md.len[0] = md.len[1] = md.raw[0] = md.raw[1] = 0;
	md.lines = md.long_lines = 0;
	md.verdict = CI_PENDING;
	md.fail_index = -1;
	md.ne = ne;
	md.nf = nf;
	for (unsigned i = 0; i < ne; i++)
		if (regcomp(&md.exp[i], exp[i], REG_EXTENDED | REG_NOSUB))
			abort();
	for (unsigned i = 0; i < nf; i++)
		if (regcomp(&md.fail[i], fail[i], REG_EXTENDED | REG_NOSUB))
			abort();

	for (unsigned k = 0; off < size; k++) {
		size_t n = size - off < step ? size - off : step;
		unsigned s = data[1] & 1 ? k % 2 : 0;

		ci_match_feed(&m, (enum ci_source)s, data + off, n, k);
		model_feed(s, data + off, n);
		off += n;
	}
	same(&m);
	ci_match_finish(&m, 0);
	for (unsigned s = 0; s < CI_NR_SOURCES; s++)
		if (md.len[s] || md.raw[s])
			model_end_line(s);
	same(&m);
	ci_match_destroy(&m);
	for (unsigned i = 0; i < ne; i++)
		regfree(&md.exp[i]);
	for (unsigned i = 0; i < nf; i++)
		regfree(&md.fail[i]);
	return 0;
}
