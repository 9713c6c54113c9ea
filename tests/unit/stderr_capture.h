/* Tests of what lkvm-gpu writes to stderr: point fd 2 at a temporary file
 * for the rest of the test (Criterion runs each test in its own process),
 * then count lines. */
#ifndef TESTS_STDERR_CAPTURE_H
#define TESTS_STDERR_CAPTURE_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static FILE *stderr_capture_file;

static inline void stderr_capture_begin(void)
{
	stderr_capture_file = tmpfile();
	cr_assert_not_null(stderr_capture_file);
	fflush(stderr);
	cr_assert_geq(dup2(fileno(stderr_capture_file), STDERR_FILENO), 0);
}

/* Lines written since stderr_capture_begin that contain needle. */
static inline unsigned stderr_capture_count(const char *needle)
{
	char line[1024];
	unsigned n = 0;

	fflush(stderr);
	rewind(stderr_capture_file);
	while (fgets(line, sizeof(line), stderr_capture_file))
		n += strstr(line, needle) != NULL;
	return n;
}

/* Whole seconds of CLOCK_MONOTONIC: rate limits count lines per second. */
static inline long monotonic_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long)t.tv_sec;
}

#endif
