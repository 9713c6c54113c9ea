/* util/fd_close: the fds a parent leaked are closed, the ones asked for
 * kept. Each closing runs in a forked child: Criterion's own fds (its
 * pipes to the runner) are above 2 too. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/fd_close.h"

#define PASSED 42

static const int leaked[] = {3, 5, 8, 100, 1000};
static const int kept[] = {9, 7, 999};

static bool is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int (*closer)(const int *keep, size_t n);

static int child(void)
{
	int first = open("/dev/null", O_RDONLY);
	/* Above the numbers used here (the lowest free one may be kept[i]). */
	int null = first < 0 ? -1 : fcntl(first, F_DUPFD, 2000);

	if (null < 0)
		return 1;
	close(first);
	for (size_t i = 0; i < sizeof(leaked) / sizeof(leaked[0]); i++)
		if (dup2(null, leaked[i]) < 0)
			return 2;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (dup2(null, kept[i]) < 0)
			return 3;
	if (closer(kept, 3))
		return 4;
	for (int fd = 0; fd <= 2; fd++)
		if (!is_open(fd))
			return 5;
	for (size_t i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (!is_open(kept[i]))
			return 6;
	for (size_t i = 0; i < sizeof(leaked) / sizeof(leaked[0]); i++)
		if (is_open(leaked[i]))
			return 7;
	if (is_open(null))
		return 8;
	return PASSED;
}

static int run(int (*fn)(const int *keep, size_t n))
{
	int status;
	pid_t pid;

	closer = fn;
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(child());
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Child status: 5 stdio closed, 6 a kept fd closed, 7 a leaked one open. */
Test(fd_close, leaked_fds_close_the_asked_ones_stay)
{
	int st = run(fd_close_stray);

	cr_expect_eq(st, PASSED, "child status %d", st);
}

Test(fd_close, the_proc_walk_does_the_same)
{
	int st = run(fd_close_stray_proc);

	cr_expect_eq(st, PASSED, "child status %d", st);
}

static int nothing_kept(void)
{
	int fd = dup(1);

	if (fd < 3 || fd_close_stray(NULL, 0) || is_open(fd) || !is_open(2))
		return 1;
	return PASSED;
}

Test(fd_close, with_nothing_kept_only_stdio_stays)
{
	int status;
	pid_t pid = fork();

	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(nothing_kept());
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == PASSED, "status 0x%x", status);
}

static bool has(const int *keep, size_t n, int fd)
{
	for (size_t i = 0; i < n; i++)
		if (keep[i] == fd)
			return true;
	return false;
}

Test(fd_close, asked_fds_come_from_paths_in_arguments_and_wayland_socket)
{
	char self[64], other[64];
	int keep[FD_KEEP_MAX];
	size_t n;

	snprintf(self, sizeof(self), "--serial-log=/proc/%d/fd/12", (int)getpid());
	snprintf(other, sizeof(other), "/proc/%d/fd/13", (int)getpid() + 1);
	char *argv[] = {"run",
			"--serial-log",
			"/dev/fd/63",
			"--expect-screen",
			"/proc/self/fd/7,tol=3",
			self,
			other,
			"-d",
			"/dev/fd/2",
			"/dev/fd/x",
			"--expect",
			"/dev/fd/63 again",
			NULL};

	n = fd_keep_asked(argv, 12, "21", keep, FD_KEEP_MAX);
	cr_expect_eq(n, 4, "%zu kept", n);
	cr_expect(has(keep, n, 63));
	cr_expect(has(keep, n, 7));
	cr_expect(has(keep, n, 12));
	cr_expect(has(keep, n, 21));
	cr_expect(!has(keep, n, 13), "another process's fd");
	cr_expect(!has(keep, n, 2));
	n = fd_keep_asked(argv, 1, "not-a-number", keep, FD_KEEP_MAX);
	cr_expect_eq(n, 0);
}
