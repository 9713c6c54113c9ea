/* The console judge's throughput against grep -E on the same log, in the
 * same run (issue 12's target: at least grep's speed). A log of MIB MiB of
 * kernel-like lines is written to a temporary file; ci_match then eats it in
 * 64 KiB reads with a CI run's usual patterns (two --fail-on, one --expect
 * that never matches, so every line is tried against all three), and
 * `grep -E -c` with the same three patterns reads the file. Best of N runs
 * each, printed as MB/s and the ratio.
 *   build/bench-match [MIB] [N]     (make bench-match; part of make bench) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vmm/ci_match.h"

static const char *const fail_ons[] = {"Kernel panic", "Call Trace"};
static const char *const expects[] = {"^login: ready$"};

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* size bytes of lines shaped like a booting kernel's console. */
static char *make_log(size_t size)
{
	static const char *const words[] = {"virtio",  "pci",  "0000:00:03.0", "enabling",
					    "device",  "irq",  "memory",       "scsi",
					    "random:", "crng", "init",	       "done"};
	char *log = malloc(size);
	size_t at = 0;
	unsigned long n = 0;

	if (!log)
		return NULL;
	while (at < size) {
		char line[160];
		int len = snprintf(line, sizeof(line), "[%5lu.%06lu] %s %s: %s %lu %s\n", n / 1000,
				   (n * 7919) % 1000000, words[n % 12], words[(n / 12) % 12],
				   words[(n / 144) % 12], n * 31, "ok");

		if ((size_t)len > size - at)
			len = (int)(size - at);
		memcpy(log + at, line, (size_t)len);
		at += (size_t)len;
		n++;
	}
	log[size - 1] = '\n';
	return log;
}

static double judge_once(const char *log, size_t size)
{
	struct ci_match m;
	char err[256];
	double t0, t1;

	if (ci_match_init(&m, expects, 1, fail_ons, 2, err, sizeof(err))) {
		fprintf(stderr, "bench-match: %s\n", err);
		exit(1);
	}
	t0 = now_s();
	for (size_t off = 0; off < size; off += 65536) {
		size_t n = size - off < 65536 ? size - off : 65536;

		if (ci_match_feed(&m, CI_TTYS0, log + off, n, 0) != CI_PENDING) {
			fprintf(stderr, "bench-match: a pattern matched the generated log\n");
			exit(1);
		}
	}
	ci_match_finish(&m, 0);
	t1 = now_s();
	ci_match_destroy(&m);
	return t1 - t0;
}

static double grep_once(const char *path)
{
	char cmd[512];
	double t0, t1;

	snprintf(cmd, sizeof(cmd),
		 "grep -E -c -e 'Kernel panic' -e 'Call Trace' -e '^login: ready$' %s >/dev/null",
		 path);
	t0 = now_s();
	/* grep -c exits 1 when nothing matched: that is what we want. */
	if (system(cmd) == -1) {
		perror("bench-match: grep");
		exit(1);
	}
	t1 = now_s();
	return t1 - t0;
}

int main(int argc, char **argv)
{
	size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 100;
	int runs = argc > 2 ? atoi(argv[2]) : 3;
	size_t size = mib << 20;
	char path[] = "/tmp/lkvm-bench-match-XXXXXX";
	double best_judge = 1e9, best_grep = 1e9;
	char *log;
	FILE *f;
	int fd;

	if (mib == 0 || runs < 1 || !(log = make_log(size)))
		return 1;
	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "w")) || fwrite(log, 1, size, f) != size || fclose(f)) {
		perror("bench-match: temporary log");
		return 1;
	}
	for (int i = 0; i < runs; i++) {
		double j = judge_once(log, size), g = grep_once(path);

		best_judge = j < best_judge ? j : best_judge;
		best_grep = g < best_grep ? g : best_grep;
	}
	unlink(path);
	free(log);
	printf("console judge: %zu MiB, 3 patterns, best of %d\n", mib, runs);
	printf("  ci_match  %8.1f MB/s\n", size / best_judge / 1e6);
	printf("  grep -E   %8.1f MB/s (reading the file from the page cache)\n",
	       size / best_grep / 1e6);
	printf("  ratio     %8.2fx grep (target >= 1.0x)\n", best_grep / best_judge);
	return 0;
}
