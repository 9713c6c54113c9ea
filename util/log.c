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

#define GUEST_ERROR_BURST 10 /* lines per second */

void log_guest_error(const char *fmt, ...)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static time_t window;
	static unsigned printed, dropped;
	struct timespec now;
	bool print;
	unsigned was_dropped = 0;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&lock);
	if (now.tv_sec != window) {
		window = now.tv_sec;
		was_dropped = dropped;
		printed = 0;
		dropped = 0;
	}
	print = printed < GUEST_ERROR_BURST;
	if (print)
		printed++;
	else
		dropped++;
	pthread_mutex_unlock(&lock);

	if (was_dropped)
		log_info("guest error: %u more messages suppressed", was_dropped);
	if (!print)
		return;
	va_start(ap, fmt);
	vlog("guest error: ", fmt, ap);
	va_end(ap);
}
