/* libFuzzer: the control socket's server (vmm/control.c, control_wait.c)
 * over a real UNIX socket in a temporary directory, as `lkvm-gpu stop`,
 * `screenshot`, `type` and `wait` reach it.
 *
 * Input: a chunk size byte, then up to CONTROL_MAX_CLIENTS + 2 client
 * sessions separated by NUL bytes. All clients connect at once (so the
 * table fills and "busy" answers), then send their bytes in chunks of
 * that size, in turn, with the server serving between chunks; then they
 * read what came back and hang up, and a few console lines reach the
 * `wait` clients. Afterwards every client slot and waiter must be free
 * and no fd left open (checked below), whatever was sent. `type` goes
 * through the real keymap parser; screenshots and stop are stubs.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "kvm/vm.h"
#include "vmm/control.h"
#include "vmm/keymap.h"

#define SESSIONS (CONTROL_MAX_CLIENTS + 2)

static struct control ctl;
static int stops;

void vm_request_stop(struct vm *vm, int status, enum vm_stop_reason why)
{
	stops++;
}

static int take_shot(void *ctx, const char *path, char *err, size_t errlen)
{
	if (!path[0] || strchr(path, '!')) {
		snprintf(err, errlen, "screenshot %s: refused", path);
		return -1;
	}
	return 0;
}

/* As vmm/input.c does: the text must spell keys. */
static int type_text(void *ctx, const char *text, char *err, size_t errlen)
{
	struct key_action *a = NULL;
	size_t n = 0;
	int r = keymap_parse(text, &a, &n, err, errlen);

	free(a);
	return r;
}

static const char *const console[] = {"Linux version 6.1", "", "login: ", "PASS all"};

static unsigned tail(void *ctx, unsigned i, const char **line)
{
	if (i < 4)
		*line = console[i];
	return 4;
}

static int lowest_free_fd(void)
{
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

	close(fd);
	return fd;
}

static void setup(void)
{
	static char dir[] = "/tmp/fuzz-control-XXXXXX";

	signal(SIGPIPE, SIG_IGN); /* as vmm/run.c: a client may hang up first */
	if (!mkdtemp(dir) || setenv("LKVM_GPU_RUN_DIR", dir, 1))
		abort();
	ctl.shot = (struct control_screenshot){take_shot, NULL};
	if (control_open(&ctl, NULL, "fuzz"))
		abort();
	ctl.type = (struct control_typist){type_text, NULL};
	ctl.console = (struct control_console){tail, NULL};
}

/* As the main loop does: serve while the control fd polls readable. A
 * few rounds drain any state; more would be a busy loop. */
static void serve_while_ready(void)
{
	struct pollfd p = {.fd = ctl.listen_fd, .events = POLLIN};
	unsigned rounds = 0;

	while (poll(&p, 1, 0) == 1) {
		if (++rounds > 4 * SESSIONS)
			abort(); /* readable for ever */
		control_serve(&ctl);
	}
}

static int connect_client(void)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", ctl.path);
	if (fd < 0)
		abort();
	if (connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		close(fd); /* the backlog is full: that client never got in */
		return -1;
	}
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *start[SESSIONS];
	size_t len[SESSIONS], sent[SESSIONS] = {0};
	int fd[SESSIONS], base;
	unsigned n = 0;
	size_t chunk;
	char buf[8192];
	bool more = true;

	if (size < 1)
		return 0;
	/* Bounded repeats ("(a{1,200}){1,200}") too: vmm/regex_cost.c keeps
	 * what regcomp lays out small, and libFuzzer's 2 GiB limit checks it. */
	if (!ctl.open)
		setup();
	base = lowest_free_fd();
	chunk = data[0] + 1u;
	for (const uint8_t *p = data + 1, *end = data + size; n < SESSIONS && p <= end; n++) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));

		start[n] = p;
		len[n] = nul ? (size_t)(nul - p) : (size_t)(end - p);
		p += len[n] + 1;
	}
	for (unsigned i = 0; i < n; i++) {
		fd[i] = connect_client();
		if (i % 3 == 2)
			control_serve(&ctl); /* the main loop wakes now and then */
	}
	while (more) {
		more = false;
		for (unsigned i = 0; i < n; i++) {
			size_t k = len[i] - sent[i] < chunk ? len[i] - sent[i] : chunk;
			ssize_t w =
			    k && fd[i] >= 0 ? send(fd[i], start[i] + sent[i], k, MSG_NOSIGNAL) : 0;

			sent[i] += w > 0 ? (size_t)w : k; /* a dropped client takes nothing */
			more |= sent[i] < len[i];
		}
		serve_while_ready();
	}
	for (unsigned i = 0; i < n; i++) {
		if (fd[i] < 0)
			continue;
		while (read(fd[i], buf, sizeof(buf)) > 0) {
		}
		close(fd[i]);
	}
	control_wait_line(&ctl.waits, "DONE 42"); /* a line after the tail */
	control_expire(&ctl);
	control_wait_end(&ctl.waits, 0);
	serve_while_ready(); /* sees the hang-ups */
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (ctl.clients[i].fd >= 0)
			abort(); /* a client outlived its connection */
	for (unsigned i = 0; i < CONTROL_MAX_WAITERS; i++)
		if (ctl.waits.w[i].used)
			abort();
	if (lowest_free_fd() != base)
		abort(); /* an fd leaked */
	return 0;
}
