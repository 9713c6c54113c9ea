/* The control socket (issue 13, finding 5): whose directory it trusts, whose
 * connections it serves, and that no client can make the main loop wait:
 * control_serve is called the way the main loop does, when listen_fd is
 * readable, and must return at once. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "display/png.h"
#include "vmm/control.h"

#define NOBODY 65534

static char dir[64];
static char err[4200];
static struct control c;

static void setup(void)
{
	strcpy(dir, "/tmp/lkvm-ctl-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	setenv("LKVM_GPU_RUN_DIR", dir, 1);
	memset(&c, 0, sizeof(c));
	c.listen_fd = -1;
}

static void teardown(void)
{
	char cmd[128];

	control_close(&c);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(control, .init = setup, .fini = teardown, .timeout = 30);

static void expect_refused(const char *why)
{
	char buf[256];

	cr_assert_eq(control_dir(buf, sizeof(buf), err, sizeof(err)), -1, "accepted %s", dir);
	cr_assert_not_null(strstr(err, why), "'%s' lacks '%s'", err, why);
	cr_assert_null(strchr(err, '\n'), "one line: '%s'", err);
	cr_assert_eq(control_open(&c, NULL, "vm"), -1);
}

Test(control, own_private_directory_is_used_and_a_missing_one_made_private)
{
	char buf[256], sub[128];
	struct stat st;

	cr_assert_eq(control_dir(buf, sizeof(buf), err, sizeof(err)), 0, "%s", err);
	snprintf(sub, sizeof(sub), "%s/new", dir);
	setenv("LKVM_GPU_RUN_DIR", sub, 1);
	cr_assert_eq(control_dir(buf, sizeof(buf), err, sizeof(err)), 0, "%s", err);
	cr_assert_eq(stat(sub, &st), 0);
	cr_assert_eq(st.st_mode & 0777, 0700);
}

Test(control, directory_writable_by_others_is_refused)
{
	cr_assert_eq(chmod(dir, 0777), 0);
	expect_refused("writable by others");
	cr_assert_eq(chmod(dir, 0770), 0);
	expect_refused("writable by others");
}

Test(control, directory_of_another_user_is_refused)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to give the directory away");
	cr_assert_eq(chown(dir, NOBODY, NOBODY), 0);
	expect_refused("belongs to uid 65534");
}

Test(control, symlink_in_place_of_the_directory_is_refused)
{
	char link[128], target[128];

	snprintf(target, sizeof(target), "%s/elsewhere", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	cr_assert_eq(mkdir(target, 0700), 0);
	cr_assert_eq(symlink(target, link), 0);
	setenv("LKVM_GPU_RUN_DIR", link, 1);
	expect_refused("not a directory");
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

static int client(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	strcpy(a.sun_path, c.path);
	cr_assert_eq(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0, "%s", strerror(errno));
	return fd;
}

/* What the main loop does: wait for listen_fd, call control_serve, which
 * must not block; returns the longest control_serve took. */
static long long serve_for(int ms)
{
	long long end = now_ms() + ms, longest = 0;

	while (now_ms() < end) {
		struct pollfd p = {.fd = c.listen_fd, .events = POLLIN};
		long long t0;

		if (poll(&p, 1, 10) <= 0)
			continue;
		t0 = now_ms();
		control_serve(&c);
		if (now_ms() - t0 > longest)
			longest = now_ms() - t0;
	}
	return longest;
}

/* A reply line, waiting up to ms while serving. */
static bool reply_of(int fd, char *buf, size_t len, int ms)
{
	size_t n = 0;
	long long end = now_ms() + ms;

	while (now_ms() < end && n + 1 < len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t r;

		serve_for(5);
		if (poll(&p, 1, 0) <= 0)
			continue;
		r = read(fd, buf + n, 1);
		if (r <= 0)
			break;
		if (buf[n] == '\n') {
			buf[n] = 0;
			return true;
		}
		n++;
	}
	buf[n] = 0;
	return false;
}

Test(control, idle_client_stalls_nobody_and_times_out)
{
	char line[128];
	int idle, other;
	long long longest, t0;

	cr_assert_eq(control_open(&c, NULL, "vm"), 0);
	idle = client();
	longest = serve_for(300);
	cr_assert_lt(longest, 100, "control_serve waited %lld ms for an idle client", longest);
	other = client();
	cr_assert_eq(write(other, "ping\n", 5), 5);
	cr_assert(reply_of(other, line, sizeof(line), 1000), "no reply while a client idles");
	cr_assert_str_eq(line, "ok");
	close(other);
	/* The idle one is dropped after CONTROL_IDLE_MS (its documented
	 * bound), well within 3 x that. */
	t0 = now_ms();
	cr_assert(reply_of(idle, line, sizeof(line), 3 * CONTROL_IDLE_MS), "idle client kept");
	cr_assert_str_eq(line, "error: timed out");
	cr_assert_geq(now_ms() - t0 + 300, CONTROL_IDLE_MS - 100);
	close(idle);
}

Test(control, trickling_client_stalls_nobody)
{
	char line[128];
	int slow, other;

	cr_assert_eq(control_open(&c, NULL, "vm"), 0);
	slow = client();
	cr_assert_eq(write(slow, "pi", 2), 2);
	cr_assert_lt(serve_for(200), 100);
	other = client();
	cr_assert_eq(write(other, "ping\n", 5), 5);
	cr_assert(reply_of(other, line, sizeof(line), 1000));
	cr_assert_str_eq(line, "ok");
	cr_assert_eq(write(slow, "ng\n", 3), 3);
	cr_assert(reply_of(slow, line, sizeof(line), 1000));
	cr_assert_str_eq(line, "ok");
	close(slow);
	close(other);
}

/* Another local user who can reach the socket still may not use it
 * (SO_PEERCRED: only our uid or root). */
Test(control, peer_of_another_user_is_refused)
{
	char line[128];
	int status, fds[2];
	pid_t pid;

	if (geteuid() != 0)
		cr_skip_test("needs root to become another user");
	cr_assert_eq(control_open(&c, NULL, "vm"), 0);
	cr_assert_eq(chmod(dir, 0711), 0);
	cr_assert_eq(chmod(c.path, 0777), 0);
	cr_assert_eq(pipe(fds), 0);
	pid = fork();
	if (pid == 0) {
		struct sockaddr_un a = {.sun_family = AF_UNIX};
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);
		char buf[128] = "";
		ssize_t n;

		strcpy(a.sun_path, c.path);
		if (setgid(NOBODY) || setuid(NOBODY) ||
		    connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0)
			_exit(3);
		/* The VM may have answered and closed already. */
		(void)!send(fd, "ping\n", 5, MSG_NOSIGNAL);
		n = read(fd, buf, sizeof(buf) - 1);
		if (n > 0 && write(fds[1], buf, (size_t)n) < 0)
			_exit(5);
		_exit(0);
	}
	close(fds[1]);
	cr_assert(reply_of(fds[0], line, sizeof(line), 3000), "no answer: '%s'", line);
	waitpid(pid, &status, 0);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	cr_assert_str_eq(line, "error: permission denied (another user)");
	close(fds[0]);
}

/* A screenshot into a FIFO would block the writer until someone reads it
 * (and the main loop waits for the screenshot): refused at once, reader or
 * not. The writer is display/png.c, as in the VMM. */
static int take_png(void *ctx, const char *path, char *e, size_t elen)
{
	static const uint32_t px[4] = {0x00ff0000, 0x0000ff00, 0x000000ff, 0x00ffffff};
	int r = png_write_xrgb(path, px, 2, 2, 8);

	if (r)
		snprintf(e, elen, "%s: %s", path, strerror(-r));
	return r;
}

Test(control, screenshot_into_a_fifo_is_refused_at_once)
{
	char fifo[128], req[160], line[300];
	int cl, rd;

	cr_assert_eq(control_open(&c, NULL, "vm"), 0);
	c.shot.take = take_png;
	snprintf(fifo, sizeof(fifo), "%s/fifo.png", dir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	snprintf(req, sizeof(req), "screenshot %s\n", fifo);
	for (int with_reader = 0; with_reader < 2; with_reader++) {
		rd = with_reader ? open(fifo, O_RDONLY | O_NONBLOCK) : -1;
		cl = client();
		cr_assert_eq(write(cl, req, strlen(req)), (ssize_t)strlen(req));
		cr_assert(reply_of(cl, line, sizeof(line), 2000), "no reply (reader: %d)",
			  with_reader);
		cr_assert_not_null(strstr(line, "error: "), "'%s'", line);
		if (rd >= 0) {
			char b;

			cr_assert_leq(read(rd, &b, 1), 0, "bytes went into the FIFO");
			close(rd);
		}
		close(cl);
	}
}
