#include "util/fd_close.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A decimal fd number at s, ending at a non-digit; -1 if none. */
static int fd_number(const char *s)
{
	long v = 0;
	int i = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > INT_MAX)
			return -1;
	}
	return i ? (int)v : -1;
}

static void add_keep(int fd, int *keep, size_t *n, size_t max)
{
	if (fd <= 2 || *n == max)
		return;
	for (size_t i = 0; i < *n; i++)
		if (keep[i] == fd)
			return;
	keep[(*n)++] = fd;
}

/* Every place in arg that names one of our fds ("/dev/fd/N", anywhere:
 * also inside --expect-screen REF,tol=N or an --option=VALUE). */
static void scan_arg(const char *arg, int *keep, size_t *n, size_t max)
{
	char self[32];
	const char *prefixes[3] = {"/dev/fd/", "/proc/self/fd/", self};

	snprintf(self, sizeof(self), "/proc/%d/fd/", (int)getpid());
	for (int p = 0; p < 3; p++) {
		size_t len = strlen(prefixes[p]);

		for (const char *s = strstr(arg, prefixes[p]); s; s = strstr(s + 1, prefixes[p]))
			add_keep(fd_number(s + len), keep, n, max);
	}
}

size_t fd_keep_asked(char *const *argv, int argc, const char *wayland_socket, int *keep, size_t max)
{
	size_t n = 0;

	for (int i = 0; i < argc; i++)
		if (argv[i])
			scan_arg(argv[i], keep, &n, max);
	if (wayland_socket)
		add_keep(fd_number(wayland_socket), keep, &n, max);
	return n;
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static bool kept(int fd, const int *keep, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

int fd_close_stray_proc(const int *keep, size_t n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int *doomed = NULL;
	size_t nd = 0, cap = 0;

	if (!d)
		return -errno;
	/* Gather first: closing while reading the directory skips entries. */
	while ((e = readdir(d))) {
		int fd = fd_number(e->d_name);

		if (fd <= 2 || fd == dirfd(d) || kept(fd, keep, n))
			continue;
		if (nd == cap) {
			int *more = realloc(doomed, (cap = cap ? 2 * cap : 64) * sizeof(*more));

			if (!more) {
				free(doomed);
				closedir(d);
				return -ENOMEM;
			}
			doomed = more;
		}
		doomed[nd++] = fd;
	}
	closedir(d);
	for (size_t i = 0; i < nd; i++)
		close(doomed[i]);
	free(doomed);
	return 0;
}

int fd_close_stray(const int *keep, size_t n)
{
	int sorted[FD_KEEP_MAX];
	unsigned from = 3;

	if (n > FD_KEEP_MAX)
		return -EINVAL;
	if (n) {
		memcpy(sorted, keep, n * sizeof(*keep));
		qsort(sorted, n, sizeof(*sorted), cmp_int);
	}
	for (size_t i = 0; i <= n; i++) {
		unsigned to = i < n ? (unsigned)sorted[i] : ~0u; /* up to the next kept one */

		if (i < n && (sorted[i] < 3 || (unsigned)sorted[i] < from))
			continue; /* 0-2, or a duplicate */
		if (to > from && syscall(SYS_close_range, from, i < n ? to - 1 : to, 0)) {
			if (errno == ENOSYS)
				return fd_close_stray_proc(keep, n);
			return -errno;
		}
		if (i < n)
			from = to + 1;
	}
	return 0;
}
