/* `lkvm-gpu wait`: the VM's side (vmm/control_wait.c) over socketpairs, then
 * client and server over a real control socket. */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vmm/control.h"
#include "vmm/control_wait.h"
#include "vmm/exit_status.h"

static struct control_waits ws;
static const struct control_console no_console;

/* A waiter on one end of a socketpair; returns the client's end. */
static int add(const char *args, const struct control_console *con, long long now)
{
	int sv[2];

	cr_assert_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	control_wait_add(&ws, sv[0], args, con, now);
	return sv[1];
}

/* The reply, or "" while none came. */
static const char *answer(int fd)
{
	static char buf[2048];
	ssize_t n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = 0;
	return buf;
}

static void setup(void)
{
	memset(&ws, 0, sizeof(ws));
}

TestSuite(ci_wait, .init = setup, .fini = setup);

Test(ci_wait, a_later_line_that_matches_answers_with_it)
{
	int fd = add("0 ^login:", &no_console, 0);

	control_wait_line(&ws, "booting");
	cr_expect_str_eq(answer(fd), "");
	control_wait_line(&ws, "login: root");
	cr_expect_str_eq(answer(fd), "ok login: root\n");
	cr_expect_not(ws.w[0].used);
	close(fd);
}

static unsigned two_lines(void *ctx, unsigned i, const char **line)
{
	static const char *const lines[] = {"early", "L2: init reached"};

	*line = lines[i < 2 ? i : 1];
	return 2;
}

Test(ci_wait, lines_already_seen_count)
{
	struct control_console con = {.tail = two_lines};
	int fd = add("0 init reached", &con, 0);

	cr_expect_str_eq(answer(fd), "ok L2: init reached\n");
	cr_expect_not(ws.w[0].used, "answered at once, not kept");
	close(fd);
}

Test(ci_wait, the_deadline_answers_timeout)
{
	int fd = add("1500 never", &no_console, 1000);

	cr_expect_eq(control_wait_expire(&ws, 2000), 500);
	cr_expect_str_eq(answer(fd), "");
	cr_expect_eq(control_wait_expire(&ws, 2500), -1);
	cr_expect_str_eq(answer(fd), "timeout\n");
	close(fd);
}

Test(ci_wait, the_end_of_the_vm_answers_with_its_status)
{
	int a = add("0 never", &no_console, 0), b = add("0 nor this", &no_console, 0);

	control_wait_end(&ws, 3);
	cr_expect_str_eq(answer(a), "ended 3\n");
	cr_expect_str_eq(answer(b), "ended 3\n");
	close(a);
	close(b);
}

Test(ci_wait, bad_requests_and_too_many_clients_are_refused)
{
	int fds[CONTROL_MAX_WAITERS], fd;

	fd = add("x ok", &no_console, 0);
	cr_expect(strstr(answer(fd), "error: usage"), "%s", answer(fd));
	close(fd);
	fd = add("0 a(", &no_console, 0);
	cr_expect(strstr(answer(fd), "error: not a valid"), "%s", answer(fd));
	close(fd);
	for (int i = 0; i < CONTROL_MAX_WAITERS; i++)
		fds[i] = add("0 x", &no_console, 0);
	fd = add("0 x", &no_console, 0);
	cr_expect(strstr(answer(fd), "too many"), "%s", answer(fd));
	close(fd);
	control_wait_end(&ws, 0);
	for (int i = 0; i < CONTROL_MAX_WAITERS; i++)
		close(fds[i]);
}

Test(ci_wait, a_long_line_comes_back_cut_on_one_line)
{
	char line[5000];
	int fd = add("0 ^y", &no_console, 0);
	const char *got;

	memset(line, 'y', sizeof(line) - 1);
	line[sizeof(line) - 1] = 0;
	control_wait_line(&ws, line);
	got = answer(fd);
	cr_expect_eq(strlen(got), 3 + 1024 + 1);
	cr_expect_eq(strchr(got, '\n'), got + strlen(got) - 1);
	close(fd);
}

/* Client and server over a real socket: the client blocks in
 * control_cmd_wait() on its own thread while this thread serves. */
static struct control ctl;
static const char *wait_pattern;
static long long wait_ms;

static void *client(void *arg)
{
	int *status = arg;

	*status = control_cmd_wait("ci-wait-test", wait_pattern, wait_ms);
	return NULL;
}

static int serve_until_client_done(const char *line, long long timeout_ms)
{
	pthread_t t;
	int status = -1;

	wait_pattern = "^ready";
	wait_ms = timeout_ms;
	pthread_create(&t, NULL, client, &status);
	/* The client's one request, then the line (or the deadline). */
	for (int i = 0; i < 500 && !ctl.waits.w[0].used; i++) {
		control_serve(&ctl);
		usleep(10000);
	}
	cr_assert(ctl.waits.w[0].used, "the wait request never arrived");
	if (line)
		control_wait_line(&ctl.waits, line);
	for (int i = 0; i < 500 && ctl.waits.w[0].used; i++) {
		control_expire(&ctl);
		usleep(10000);
	}
	pthread_join(t, NULL);
	return status;
}

static void socket_setup(void)
{
	char dir[] = "/tmp/lkvm-wait-XXXXXX";

	cr_assert(mkdtemp(dir));
	setenv("LKVM_GPU_RUN_DIR", dir, 1);
	memset(&ctl, 0, sizeof(ctl));
	cr_assert_eq(control_open(&ctl, NULL, "ci-wait-test"), 0);
}

static void socket_teardown(void)
{
	char dir[256];

	snprintf(dir, sizeof(dir), "%s", getenv("LKVM_GPU_RUN_DIR"));
	control_close(&ctl);
	rmdir(dir);
}

Test(ci_wait_socket, the_client_gets_the_line_and_exits_0, .init = socket_setup,
     .fini = socket_teardown, .timeout = 30)
{
	cr_expect_eq(serve_until_client_done("ready to go", 0), EXIT_STATUS_OK);
}

Test(ci_wait_socket, a_timeout_is_status_4, .init = socket_setup, .fini = socket_teardown,
     .timeout = 30)
{
	cr_expect_eq(serve_until_client_done(NULL, 200), EXIT_STATUS_TIMEOUT);
}
