#include "vmm/control_wait.h"
#include "vmm/regex_cost.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The matched line travels back on one reply line; longer ones are cut. */
#define REPLY_LINE_MAX 1024

static void reply_and_close(int fd, const char *what, const char *line)
{
	char buf[REPLY_LINE_MAX + 64];
	int n = snprintf(buf, sizeof(buf), "%s%s%.*s\n", what, line ? " " : "", REPLY_LINE_MAX,
			 line ? line : "");

	if (n > 0 && write(fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1) < 0) {
		/* The client went away: nothing to tell. */
	}
	close(fd);
}

static void finish(struct control_waiter *w, const char *what, const char *line)
{
	reply_and_close(w->fd, what, line);
	regfree(&w->re);
	w->used = false;
}

/* "MS REGEX" -> deadline and compiled pattern; -1 with a reply written. */
static int parse(struct control_waiter *w, int fd, const char *args, long long now_ms)
{
	char *end;
	long long ms;

	errno = 0;
	ms = strtoll(args, &end, 10);
	if (errno || end == args || *end != ' ' || ms < 0 || !end[1]) {
		reply_and_close(fd, "error: usage: wait MS REGEX", NULL);
		return -1;
	}
	if (regex_too_costly(end + 1)) {
		reply_and_close(
		    fd,
		    "error: the pattern repeats too much (a repeat right after a repeat, or "
		    "more than 2048 items once its repeats are copied out)",
		    NULL);
		return -1;
	}
	if (regcomp(&w->re, end + 1, REG_EXTENDED | REG_NOSUB)) {
		reply_and_close(fd, "error: not a valid extended regular expression", NULL);
		return -1;
	}
	w->deadline_ms = ms ? now_ms + ms : 0;
	w->fd = fd;
	w->used = true;
	return 0;
}

void control_wait_add(struct control_waits *ws, int fd, const char *args,
		      const struct control_console *con, long long now_ms)
{
	struct control_waiter *w = NULL;
	const char *line;
	unsigned n;

	for (unsigned i = 0; i < CONTROL_MAX_WAITERS && !w; i++)
		if (!ws->w[i].used)
			w = &ws->w[i];
	if (!w) {
		reply_and_close(fd, "error: too many clients waiting", NULL);
		return;
	}
	if (parse(w, fd, args, now_ms))
		return;
	n = con->tail ? con->tail(con->ctx, 0, &line) : 0;
	for (unsigned i = 0; i < n; i++) {
		con->tail(con->ctx, i, &line);
		if (regexec(&w->re, line, 0, NULL, 0) == 0) {
			finish(w, "ok", line);
			return;
		}
	}
}

void control_wait_line(struct control_waits *ws, const char *line)
{
	for (unsigned i = 0; i < CONTROL_MAX_WAITERS; i++)
		if (ws->w[i].used && regexec(&ws->w[i].re, line, 0, NULL, 0) == 0)
			finish(&ws->w[i], "ok", line);
}

int control_wait_expire(struct control_waits *ws, long long now_ms)
{
	long long next = -1;

	for (unsigned i = 0; i < CONTROL_MAX_WAITERS; i++) {
		struct control_waiter *w = &ws->w[i];

		if (!w->used || !w->deadline_ms)
			continue;
		if (w->deadline_ms <= now_ms)
			finish(w, "timeout", NULL);
		else if (next < 0 || w->deadline_ms - now_ms < next)
			next = w->deadline_ms - now_ms;
	}
	return next > 0x7fffffff ? 0x7fffffff : (int)next;
}

void control_wait_end(struct control_waits *ws, int status)
{
	char what[32];

	snprintf(what, sizeof(what), "ended %d", status);
	for (unsigned i = 0; i < CONTROL_MAX_WAITERS; i++)
		if (ws->w[i].used)
			finish(&ws->w[i], what, NULL);
}
