#include "vmm/serial_log.h"

#include <errno.h>
#include <string.h>

#include "util/log.h"

static const char *const source_names[CI_NR_SOURCES] = {"ttyS0", "hvc0"};

int serial_log_open(struct serial_log *l, const char *path, char *err, size_t errlen)
{
	memset(l, 0, sizeof(*l));
	l->last_src = -1;
	l->f = fopen(path, "we");
	if (!l->f) {
		snprintf(err, errlen, "--serial-log %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

static void prefix(struct serial_log *l, const char *who, const struct timespec *wall)
{
	struct tm tm;
	char when[32];

	gmtime_r(&wall->tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(l->f, "%s.%06ldZ %s| ", when, wall->tv_nsec / 1000, who);
}

/* A line of the other console is open: end it, it resumes later. */
static void switch_source(struct serial_log *l, int src)
{
	if (l->last_src >= 0 && l->last_src != src && l->mid_line[l->last_src]) {
		fputc('\n', l->f);
		l->mid_line[l->last_src] = false;
	}
	l->last_src = src;
}

static void flush(struct serial_log *l)
{
	if (fflush(l->f) == 0 && !ferror(l->f))
		return;
	log_error("--serial-log: write failed (%s): the log stops here", strerror(errno));
	l->failed = true;
}

void serial_log_write(struct serial_log *l, enum ci_source src, const void *buf, size_t len,
		      const struct timespec *wall)
{
	const char *p = buf;

	if (!l->f || l->failed || !len)
		return;
	switch_source(l, src);
	while (len) {
		const char *nl = memchr(p, '\n', len);
		size_t n = nl ? (size_t)(nl - p) + 1 : len;

		if (!l->mid_line[src])
			prefix(l, source_names[src], wall);
		fwrite(p, 1, n, l->f);
		l->mid_line[src] = !nl;
		p += n;
		len -= n;
	}
	flush(l);
}

void serial_log_note(struct serial_log *l, const char *text, const struct timespec *wall)
{
	if (!l->f || l->failed)
		return;
	switch_source(l, -1);
	prefix(l, "lkvm-gpu", wall);
	fprintf(l->f, "%s\n", text);
	flush(l);
}

void serial_log_close(struct serial_log *l)
{
	if (!l->f)
		return;
	switch_source(l, -1); /* end an unfinished last line */
	fclose(l->f);
	l->f = NULL;
}
