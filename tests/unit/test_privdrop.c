/* util/privdrop: `--user`. Each drop runs in a forked child (it cannot be
 * undone). The expected ids come from id(1), not from the code under
 * test. Criterion runs as root here and in CI; elsewhere the drops SKIP. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/forked.h"
#include "util/privdrop.h"

#define PASSED 42

/* The first line of a shell command's output. */
static void sh_line(const char *cmd, char *out, size_t len)
{
	FILE *p = popen(cmd, "r");

	cr_assert_not_null(p);
	cr_assert_not_null(fgets(out, (int)len, p), "%s printed nothing", cmd);
	out[strcspn(out, "\n")] = 0;
	pclose(p);
}

static void need_root(void)
{
	if (geteuid() != 0)
		cr_skip_test("SKIP: dropping privileges needs root (uid %u)", (unsigned)geteuid());
}

static int (*drop_fn)(char *msg, size_t len);

static int drop_body(void *arg)
{
	char m[512] = "";
	int r;

	(void)arg;
	r = drop_fn(m, sizeof(m));
	fputs(m, stderr);
	return r;
}

/* Runs fn in a child; its exit status, and what it wrote to stderr. */
static int in_child(int (*fn)(char *msg, size_t len), char *msg, size_t len)
{
	int status;

	drop_fn = fn;
	status = forked_run(drop_body, NULL, msg, len);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char want_uid[32], want_gid[32], want_groups[256];

static int drop_to_nobody(char *m, size_t len)
{
	struct privdrop_user u;
	uid_t r, e, s;
	gid_t groups[64];
	char got[256] = "";
	int n;

	if (privdrop_resolve("nobody", &u, m, len) || privdrop_apply(&u, m, len))
		return 1;
	if (getresuid(&r, &e, &s) || (unsigned)r != strtoul(want_uid, NULL, 10) || r != e ||
	    e != s) {
		snprintf(m, len, "uids %u/%u/%u, id -u says %s", r, e, s, want_uid);
		return 2;
	}
	if (getgid() != strtoul(want_gid, NULL, 10) || getegid() != getgid()) {
		snprintf(m, len, "gid %u, id -g says %s", getgid(), want_gid);
		return 3;
	}
	n = getgroups(64, groups);
	for (int i = 0; i < n; i++)
		snprintf(got + strlen(got), sizeof(got) - strlen(got), "%s%u", i ? " " : "",
			 (unsigned)groups[i]);
	if (strcmp(got, want_groups)) {
		snprintf(m, len, "groups '%s', id -G says '%s'", got, want_groups);
		return 4;
	}
	if (setuid(0) != -1 || errno != EPERM || seteuid(0) != -1 || setgid(0) != -1) {
		snprintf(m, len, "root came back");
		return 5;
	}
	if (prctl(PR_GET_DUMPABLE) != 0) {
		snprintf(m, len, "still dumpable");
		return 6;
	}
	return PASSED;
}

Test(privdrop, root_drops_to_nobody_for_good)
{
	char msg[512];

	need_root();
	sh_line("id -u nobody", want_uid, sizeof(want_uid));
	sh_line("id -g nobody", want_gid, sizeof(want_gid));
	sh_line("id -G nobody", want_groups, sizeof(want_groups));
	cr_expect_eq(in_child(drop_to_nobody, msg, sizeof(msg)), PASSED, "%s", msg);
}

/* Another thread, made before the drop, must have dropped too: the
 * kernel keeps credentials per thread. */
static int pipe_fds[2];

static void *wait_on_pipe(void *arg)
{
	char c;

	if (read(pipe_fds[0], &c, 1) < 0) {
	}
	return arg;
}

static int thread_uid(pid_t tid, unsigned *uid)
{
	char path[64], line[256];
	FILE *f;
	int r = -1;

	snprintf(path, sizeof(path), "/proc/self/task/%d/status", (int)tid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "Uid:", 4) && sscanf(line + 4, "%u", uid) == 1)
			r = 0;
	fclose(f);
	return r;
}

static pid_t other_tid;

static void *report_tid(void *arg)
{
	other_tid = (pid_t)syscall(SYS_gettid);
	return wait_on_pipe(arg);
}

static int threads_drop_too(char *m, size_t len)
{
	struct privdrop_user u;
	pthread_t t;
	unsigned uid = 0;

	if (pipe(pipe_fds) || pthread_create(&t, NULL, report_tid, NULL))
		return 1;
	while (!__atomic_load_n(&other_tid, __ATOMIC_SEQ_CST))
		usleep(1000);
	if (privdrop_resolve("nobody", &u, m, len) || privdrop_apply(&u, m, len))
		return 2;
	if (thread_uid(other_tid, &uid) || uid != u.uid) {
		snprintf(m, len, "the other thread has uid %u", uid);
		return 3;
	}
	return PASSED;
}

Test(privdrop, a_thread_made_before_drops_with_the_process)
{
	char msg[512];

	need_root();
	cr_expect_eq(in_child(threads_drop_too, msg, sizeof(msg)), PASSED, "%s", msg);
}

/* A drop that skipped a thread (a raw setresuid changes only the calling
 * thread) must be refused. */
static int one_thread_left_root(char *m, size_t len)
{
	struct privdrop_user u;
	pthread_t t;
	char err[256];

	if (pipe(pipe_fds) || pthread_create(&t, NULL, wait_on_pipe, NULL))
		return 1;
	if (privdrop_resolve("nobody", &u, m, len))
		return 2;
	if (syscall(SYS_setgroups, u.nr_groups, u.groups) ||
	    syscall(SYS_setresgid, u.gid, u.gid, u.gid) ||
	    syscall(SYS_setresuid, u.uid, u.uid, u.uid))
		return 3;
	if (privdrop_verify(&u, err, sizeof(err)) == 0) {
		snprintf(m, len, "verify passed with a thread still root");
		return 4;
	}
	snprintf(m, len, "%s", err);
	return PASSED;
}

Test(privdrop, verify_refuses_a_thread_that_kept_root)
{
	char msg[512];
	int st;

	need_root();
	st = in_child(one_thread_left_root, msg, sizeof(msg));
	cr_expect_eq(st, PASSED, "child status %d: %s", st, msg);
	cr_expect(strstr(msg, "still has uid 0"), "%s", msg);
}

static int not_root_is_refused(char *m, size_t len)
{
	struct privdrop_user u;

	if (privdrop_resolve("nobody", &u, m, len) || setresuid(u.uid, u.uid, u.uid))
		return 1;
	if (privdrop_apply(&u, m, len) == 0)
		return 2;
	return PASSED;
}

Test(privdrop, apply_without_root_is_refused_in_one_line)
{
	char msg[512];

	need_root();
	cr_expect_eq(in_child(not_root_is_refused, msg, sizeof(msg)), PASSED, "%s", msg);
	cr_expect(strstr(msg, "--user needs lkvm-gpu to start as root"), "%s", msg);
}

/* Looking up: no root needed. */
Test(privdrop, resolve_names_uids_and_refusals)
{
	struct privdrop_user u;
	char err[256], uid[32], gid[32];

	sh_line("id -u nobody", uid, sizeof(uid));
	sh_line("id -g nobody", gid, sizeof(gid));
	cr_assert_eq(privdrop_resolve("nobody", &u, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(u.uid, strtoul(uid, NULL, 10));
	cr_expect_eq(u.gid, strtoul(gid, NULL, 10));
	cr_expect_str_eq(u.name, "nobody");
	/* The same user by number, and with another group. */
	cr_assert_eq(privdrop_resolve(uid, &u, err, sizeof(err)), 0, "%s", err);
	cr_expect_str_eq(u.name, "nobody");
	/* An unknown UID with its group: no supplementary groups. */
	cr_assert_eq(privdrop_resolve("4000000000:4000000001", &u, err, sizeof(err)), 0, "%s", err);
	cr_expect_eq(u.uid, 4000000000u);
	cr_expect_eq(u.gid, 4000000001u);
	cr_expect_eq(u.nr_groups, 0);

	cr_expect_eq(privdrop_resolve("no-such-user-here", &u, err, sizeof(err)), -1);
	cr_expect(strstr(err, "no such user"), "%s", err);
	cr_expect_eq(privdrop_resolve("root", &u, err, sizeof(err)), -1);
	cr_expect_eq(privdrop_resolve("0:100", &u, err, sizeof(err)), -1);
	cr_expect_eq(privdrop_resolve("nobody:0", &u, err, sizeof(err)), -1);
	cr_expect(strstr(err, "gid 0"), "%s", err);
	cr_expect_eq(privdrop_resolve("4000000000", &u, err, sizeof(err)), -1);
	cr_expect(strstr(err, "no passwd entry"), "%s", err);
	cr_expect_eq(privdrop_resolve("nobody:x", &u, err, sizeof(err)), -1);
	cr_expect_eq(privdrop_resolve("4294967295:1", &u, err, sizeof(err)), -1); /* (uid_t)-1 */
	cr_expect_eq(privdrop_resolve("", &u, err, sizeof(err)), -1);
}
