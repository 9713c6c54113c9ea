#include "util/log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

bool log_debug_enabled;

static void vlog(const char *prefix, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	/* One fprintf per line so lines from threads do not interleave. The
	 * terminal may be in raw mode, hence \r\n. */
	fprintf(stderr, "lkvm-gpu: %s%s\r\n", prefix, line);
}

void log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("error: ", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("warning: ", fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog("", fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_debug_enabled)
		return;
	va_start(ap, fmt);
	vlog("debug: ", fmt, ap);
	va_end(ap);
}

/* A budget of lines per second for what a guest can cause at will. Each
 * kind of line has its own, so a flood of one never hides the other. */
struct rate_limit {
	pthread_mutex_t lock;
	time_t window;
	unsigned printed, dropped;
};

#define RATE_LIMIT_BURST 10 /* lines per second */

/* Whether one more line may be printed now; *was_dropped: how many the
 * window that just ended suppressed (to be said once). */
static bool rate_limit_pass(struct rate_limit *rl, unsigned *was_dropped)
{
	struct timespec now;
	bool print;

	*was_dropped = 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&rl->lock);
	if (now.tv_sec != rl->window) {
		rl->window = now.tv_sec;
		*was_dropped = rl->dropped;
		rl->printed = 0;
		rl->dropped = 0;
	}
	print = rl->printed < RATE_LIMIT_BURST;
	if (print)
		rl->printed++;
	else
		rl->dropped++;
	pthread_mutex_unlock(&rl->lock);
	return print;
}

/* vlog through rl: what (plural) names the lines in the summary of those
 * suppressed. */
static void vlog_limited(struct rate_limit *rl, const char *prefix, const char *what,
			 const char *fmt, va_list ap)
{
	unsigned was_dropped;
	bool print = rate_limit_pass(rl, &was_dropped);

	if (was_dropped)
		log_info("%s%u more %s suppressed", prefix, was_dropped, what);
	if (print)
		vlog(prefix, fmt, ap);
}

void log_guest_error(const char *fmt, ...)
{
	static struct rate_limit rl = {.lock = PTHREAD_MUTEX_INITIALIZER};
	va_list ap;

	va_start(ap, fmt);
	vlog_limited(&rl, "guest error: ", "messages", fmt, ap);
	va_end(ap);
}

void log_guest_debug(const char *fmt, ...)
{
	static struct rate_limit rl = {.lock = PTHREAD_MUTEX_INITIALIZER};
	va_list ap;

	if (!log_debug_enabled)
		return;
	va_start(ap, fmt);
	vlog_limited(&rl, "debug: ", "guest-caused debug lines", fmt, ap);
	va_end(ap);
}
