/* A test case that cannot be undone in the test process (a seccomp
 * filter, a privilege drop) runs in a forked child: forked_run() gives the
 * child a pipe as stderr, runs fn(arg), exits with its return value, and
 * hands back the child's wait status and what it wrote (NUL-terminated,
 * cut at max - 1 bytes). fn may also end the child itself. */
#ifndef TESTS_UNIT_FORKED_H
#define TESTS_UNIT_FORKED_H

#include <criterion/criterion.h>
#include <stddef.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

static inline int forked_run(int (*fn)(void *arg), void *arg, char *err, size_t max)
{
	int p[2], status;
	ssize_t n;
	size_t got = 0;
	pid_t pid;

	cr_assert_eq(pipe(p), 0);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		dup2(p[1], STDERR_FILENO);
		close(p[0]);
		_exit(fn(arg));
	}
	close(p[1]);
	while (got + 1 < max && (n = read(p[0], err + got, max - 1 - got)) > 0)
		got += (size_t)n;
	err[got] = 0;
	close(p[0]);
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	return status;
}

#endif
