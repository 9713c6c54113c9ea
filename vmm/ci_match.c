#include "vmm/ci_match.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RE_FLAGS (REG_EXTENDED | REG_NOSUB)

static int compile(const char *opt, const char *text, regex_t *re, char *err, size_t errlen)
{
	char why[160];
	int r = regcomp(re, text, RE_FLAGS);

	if (r == 0)
		return 0;
	regerror(r, re, why, sizeof(why));
	snprintf(err, errlen, "%s '%s': not a valid extended regular expression: %s", opt, text,
		 why);
	return -1;
}

int ci_pattern_check(const char *opt, const char *re, char *err, size_t errlen)
{
	regex_t compiled;

	if (compile(opt, re, &compiled, err, errlen))
		return -1;
	regfree(&compiled);
	return 0;
}

/* Whether text is a literal between optional anchors (see ci_pattern). */
static void find_literal(struct ci_pattern *p)
{
	const char *t = p->text;
	size_t n = strlen(t);

	p->at_start = n && t[0] == '^';
	if (p->at_start) {
		t++;
		n--;
	}
	/* A '$' escaped as "\$" would have a backslash, which is refused below. */
	p->at_end = n && t[n - 1] == '$';
	if (p->at_end)
		n--;
	p->literal = strcspn(t, ".[]()*+?{}|^$\\") >= n;
	p->lit = t;
	p->lit_len = n;
}

static int compile_all(const char *opt, struct ci_pattern *p, const char *const *texts, unsigned n,
		       unsigned *done, char *err, size_t errlen)
{
	for (*done = 0; *done < n; (*done)++) {
		p[*done].text = texts[*done];
		if (compile(opt, texts[*done], &p[*done].re, err, errlen))
			return -1;
		find_literal(&p[*done]);
	}
	return 0;
}

int ci_match_init(struct ci_match *m, const char *const *expects, unsigned nr_expects,
		  const char *const *fail_ons, unsigned nr_fail_ons, char *err, size_t errlen)
{
	memset(m, 0, sizeof(*m));
	m->fail_index = -1;
	if (nr_expects > CI_MAX_PATTERNS || nr_fail_ons > CI_MAX_PATTERNS) {
		snprintf(err, errlen, "at most %d patterns of each kind", CI_MAX_PATTERNS);
		return -1;
	}
	m->tail = calloc(CI_TAIL_LINES, sizeof(*m->tail));
	if (!m->tail) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (compile_all("--expect", m->expects, expects, nr_expects, &m->nr_expects, err, errlen) ||
	    compile_all("--fail-on", m->fail_ons, fail_ons, nr_fail_ons, &m->nr_fail_ons, err,
			errlen)) {
		ci_match_destroy(m);
		return -1;
	}
	return 0;
}

static void free_patterns(struct ci_pattern *p, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		regfree(&p[i].re);
		free(p[i].line);
	}
}

void ci_match_destroy(struct ci_match *m)
{
	free_patterns(m->expects, m->nr_expects);
	free_patterns(m->fail_ons, m->nr_fail_ons);
	m->nr_expects = m->nr_fail_ons = 0;
	free(m->tail);
	m->tail = NULL;
}

static bool literal_matches(const struct ci_pattern *p, const char *line, size_t len)
{
	if (len < p->lit_len)
		return false;
	if (p->at_start && p->at_end)
		return len == p->lit_len && !memcmp(line, p->lit, len);
	if (p->at_start)
		return !memcmp(line, p->lit, p->lit_len);
	if (p->at_end)
		return !memcmp(line + len - p->lit_len, p->lit, p->lit_len);
	return memmem(line, len, p->lit, p->lit_len) != NULL;
}

static bool matches(struct ci_match *m, struct ci_pattern *p, const char *line, size_t len,
		    double now_s)
{
	m->attempts++;
	if (p->literal ? !literal_matches(p, line, len) : regexec(&p->re, line, 0, NULL, 0) != 0)
		return false;
	p->matched = true;
	p->time_s = now_s;
	p->line = strdup(line); /* NULL on no memory: the match still counts */
	return true;
}

/* A complete line: fail-on patterns first, so a line that matches both a
 * --fail-on and the last --expect fails. */
static void judge(struct ci_match *m, const char *line, size_t len, double now_s)
{
	if (m->verdict != CI_PENDING)
		return;
	for (unsigned i = 0; i < m->nr_fail_ons; i++) {
		if (matches(m, &m->fail_ons[i], line, len, now_s)) {
			m->fail_index = i;
			m->verdict = CI_FAIL_SEEN;
			return;
		}
	}
	if (m->next_expect < m->nr_expects &&
	    matches(m, &m->expects[m->next_expect], line, len, now_s) &&
	    ++m->next_expect == m->nr_expects)
		m->verdict = CI_EXPECTS_MET;
}

static void keep_in_tail(struct ci_match *m, const char *line, size_t len)
{
	memcpy(m->tail[m->tail_next], line, len + 1);
	m->tail_next = (m->tail_next + 1) % CI_TAIL_LINES;
	if (m->tail_count < CI_TAIL_LINES)
		m->tail_count++;
}

static void end_line(struct ci_match *m, struct ci_line *l, double now_s)
{
	if (l->len && l->buf[l->len - 1] == '\r' && !l->cut)
		l->len--; /* CRLF: the CR is part of the line ending */
	l->buf[l->len] = 0;
	m->lines++;
	m->long_lines += l->cut;
	judge(m, l->buf, l->len, now_s);
	keep_in_tail(m, l->buf, l->len);
	if (m->on_line)
		m->on_line(m->on_line_ctx, l->buf);
	l->len = 0;
	l->cut = false;
}

/* Append bytes up to the next newline; returns how many were consumed,
 * the newline included (then the line is complete). */
static size_t take_line_part(struct ci_line *l, const char *p, size_t len, bool *complete)
{
	const char *nl = memchr(p, '\n', len);
	size_t part = nl ? (size_t)(nl - p) : len;

	if (!memchr(p, 0, part)) {
		/* The usual case: no NUL, copied at once up to the cap. */
		size_t room = CI_LINE_MAX - l->len, n = part < room ? part : room;

		memcpy(l->buf + l->len, p, n);
		l->len += n;
		l->cut |= n < part;
	} else {
		for (size_t i = 0; i < part; i++) {
			if (p[i] == 0)
				continue; /* a terminal shows nothing for NUL, nor do we */
			if (l->len < CI_LINE_MAX)
				l->buf[l->len++] = p[i];
			else
				l->cut = true;
		}
	}
	*complete = nl != NULL;
	return nl ? part + 1 : part;
}

/* Whether whole reads may be judged at once: nobody watches each line
 * (`wait`, --type-after) and every pattern still to try is a literal. */
static bool bulk_allowed(const struct ci_match *m)
{
	if (m->on_line)
		return false;
	if (m->verdict != CI_PENDING)
		return true;
	for (unsigned i = 0; i < m->nr_fail_ons; i++)
		if (!m->fail_ons[i].literal)
			return false;
	return m->next_expect >= m->nr_expects || m->expects[m->next_expect].literal;
}

/* Whether any pattern still to try has its literal somewhere in p..len. A
 * line matches a literal pattern only if the literal is inside it, so none
 * there means no line of the read matches. */
static bool any_literal_in(const struct ci_match *m, const char *p, size_t len)
{
	for (unsigned i = 0; i < m->nr_fail_ons; i++)
		if (memmem(p, len, m->fail_ons[i].lit, m->fail_ons[i].lit_len))
			return true;
	if (m->next_expect < m->nr_expects) {
		const struct ci_pattern *e = &m->expects[m->next_expect];

		if (memmem(p, len, e->lit, e->lit_len))
			return true;
	}
	return false;
}

/* Complete lines p..len (ending in '\n', no NUL) that no pattern can
 * match: counted, and the last CI_TAIL_LINES kept, as end_line would. */
static void bulk_lines(struct ci_match *m, const char *p, size_t len)
{
	const char *start[CI_TAIL_LINES];
	size_t llen[CI_TAIL_LINES];
	unsigned n = 0;

	for (const char *end = p + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t raw = (size_t)(nl - p);

		m->lines++;
		m->long_lines += raw > CI_LINE_MAX;
		start[n % CI_TAIL_LINES] = p;
		llen[n % CI_TAIL_LINES] = raw;
		n++;
		p = nl + 1;
	}
	for (unsigned i = n > CI_TAIL_LINES ? n - CI_TAIL_LINES : 0; i < n; i++) {
		size_t raw = llen[i % CI_TAIL_LINES], keep = raw > CI_LINE_MAX ? CI_LINE_MAX : raw;
		char *slot = m->tail[m->tail_next];

		if (raw <= CI_LINE_MAX && keep && start[i % CI_TAIL_LINES][keep - 1] == '\r')
			keep--;
		memcpy(slot, start[i % CI_TAIL_LINES], keep);
		slot[keep] = 0;
		m->tail_next = (m->tail_next + 1) % CI_TAIL_LINES;
		if (m->tail_count < CI_TAIL_LINES)
			m->tail_count++;
	}
}

enum ci_verdict ci_match_feed(struct ci_match *m, enum ci_source src, const void *buf, size_t len,
			      double now_s)
{
	struct ci_line *l = &m->pending[src];
	const char *p = buf;
	bool bulk_tried = false;

	while (len) {
		bool complete;
		size_t n;

		/* Once per read, at a line start: the complete lines of the
		 * read at once when no pattern can match any of them (a
		 * console's usual case), else line by line below. */
		if (!bulk_tried && l->len == 0 && !l->cut) {
			const char *last = memrchr(p, '\n', len);
			size_t span = last ? (size_t)(last - p) + 1 : 0;

			bulk_tried = true;
			if (span && bulk_allowed(m) && !memchr(p, 0, span) &&
			    !any_literal_in(m, p, span)) {
				bulk_lines(m, p, span);
				p += span;
				len -= span;
				continue;
			}
		}
		n = take_line_part(l, p, len, &complete);

		if (complete)
			end_line(m, l, now_s);
		p += n;
		len -= n;
	}
	return m->verdict;
}

enum ci_verdict ci_match_finish(struct ci_match *m, double now_s)
{
	for (unsigned s = 0; s < CI_NR_SOURCES; s++)
		if (m->pending[s].len || m->pending[s].cut)
			end_line(m, &m->pending[s], now_s);
	return m->verdict;
}

unsigned ci_match_tail(const struct ci_match *m, unsigned i, const char **line)
{
	unsigned oldest = (m->tail_next + CI_TAIL_LINES - m->tail_count) % CI_TAIL_LINES;

	if (i < m->tail_count)
		*line = m->tail[(oldest + i) % CI_TAIL_LINES];
	return m->tail_count;
}
