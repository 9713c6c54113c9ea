#include "vmm/control.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "kvm/vm.h"
#include "util/json.h"
#include "util/log.h"
#include "vmm/exit_status.h"
#include "vmm/keymap.h"

#define CONTROL_TIMEOUT_MS 5000 /* the client's wait for a reply */
#define LINE_MAX_LEN	   CONTROL_LINE_MAX

/* epoll tags in the set behind listen_fd. */
#define TAG_SOCK  (-1)
#define TAG_TIMER (-2)

/* A socket directory must be ours (or root's, when we run as a user in a
 * directory root made for us) and writable by nobody else. */
static int check_dir(const char *dir, char *err, size_t errlen)
{
	struct stat st;

	if (lstat(dir, &st) < 0) {
		snprintf(err, errlen, "control socket directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "control socket directory %s is not a directory: refusing it",
			 dir);
		return -1;
	}
	if (st.st_uid != geteuid() && st.st_uid != 0) {
		snprintf(err, errlen,
			 "control socket directory %s belongs to uid %u, not to us (uid %u): "
			 "refusing it",
			 dir, (unsigned)st.st_uid, (unsigned)geteuid());
		return -1;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(err, errlen,
			 "control socket directory %s is writable by others (mode %03o): "
			 "refusing it",
			 dir, (unsigned)(st.st_mode & 0777));
		return -1;
	}
	return 0;
}

int control_dir(char *buf, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("LKVM_GPU_RUN_DIR");
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (env && *env)
		n = snprintf(buf, len, "%s", env);
	else if (xdg && *xdg)
		n = snprintf(buf, len, "%s/lkvm-gpu", xdg);
	else
		n = snprintf(buf, len, "/tmp/lkvm-gpu-%u", (unsigned)getuid());
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "control socket directory: path too long");
		return -1;
	}
	if (mkdir(buf, 0700) < 0 && errno != EEXIST) {
		snprintf(err, errlen, "control socket directory %s: %s", buf, strerror(errno));
		return -1;
	}
	return check_dir(buf, err, errlen);
}

static int sock_path(char *buf, size_t len, const char *name, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	int n;

	if (control_dir(dir, sizeof(dir), err, errlen))
		return -1;
	n = snprintf(buf, len, "%s/%s.sock", dir, name);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "control socket path for '%s' is too long", name);
		return -1;
	}
	return 0;
}

/* The other end is us or root: anyone else may not drive this VM, nor
 * answer for one. */
static bool peer_trusted(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len) < 0 || len != sizeof(cr))
		return false;
	return cr.uid == geteuid() || cr.uid == 0;
}

static int connect_to(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	if (strlen(path) >= sizeof(a.sun_path))
		return -1;
	strcpy(a.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || !peer_trusted(fd)) {
		close(fd);
		return -1;
	}
	return fd;
}

static int watch(struct control *c, int fd, int tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = (uint64_t)(uint32_t)tag};

	return epoll_ctl(c->listen_fd, EPOLL_CTL_ADD, fd, &ev);
}

int control_open(struct control *c, struct vm *vm, const char *name)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char err[PATH_MAX + 128];
	int fd;

	struct control_screenshot shot = c->shot;

	memset(c, 0, sizeof(*c));
	c->shot = shot;
	c->vm = vm;
	c->listen_fd = c->sock_fd = c->timer_fd = -1;
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++)
		c->clients[i].fd = -1;
	c->open = true;
	if (sock_path(c->path, sizeof(c->path), name, err, sizeof(err))) {
		log_error("%s", err);
		c->path[0] = 0;
		return -1;
	}
	/* A live VM of that name answers; a stale socket file does not. */
	fd = connect_to(c->path);
	if (fd >= 0) {
		close(fd);
		log_error("a VM named '%s' is already running (%s)", name, c->path);
		c->path[0] = 0;
		return -1;
	}
	unlink(c->path);
	strcpy(a.sun_path, c->path);
	c->sock_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	c->listen_fd = epoll_create1(EPOLL_CLOEXEC);
	c->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (c->sock_fd < 0 || c->listen_fd < 0 || c->timer_fd < 0 ||
	    bind(c->sock_fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(c->sock_fd, 4) < 0 ||
	    watch(c, c->sock_fd, TAG_SOCK) || watch(c, c->timer_fd, TAG_TIMER)) {
		log_error("control socket %s: %s", c->path, strerror(errno));
		control_close(c);
		return -1;
	}
	return 0;
}

static void drop_client(struct control *c, struct control_client *cl)
{
	close(cl->fd); /* also leaves the epoll set */
	cl->fd = -1;
	cl->len = 0;
}

void control_close(struct control *c)
{
	if (!c->open)
		return;
	control_wait_end(&c->waits, -1); /* normally none left: run.c ends them */
	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++)
		if (c->clients[i].fd >= 0)
			drop_client(c, &c->clients[i]);
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	if (c->sock_fd >= 0)
		close(c->sock_fd);
	if (c->timer_fd >= 0)
		close(c->timer_fd);
	c->listen_fd = c->sock_fd = c->timer_fd = -1;
	if (c->path[0])
		unlink(c->path);
	c->path[0] = 0;
	c->open = false;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* Client side: read one line within one overall deadline (timeout_ms,
 * -1: none). */
static int read_line_within(int fd, char *buf, size_t len, long long timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = timeout_ms < 0 ? -1 : deadline - now_ms();
		ssize_t r;

		if (timeout_ms >= 0 && left <= 0)
			return -1;
		if (poll(&p, 1, left > 0x7fffffff ? 0x7fffffff : (int)left) <= 0)
			return -1;
		r = read(fd, buf + n, 1);
		if (r <= 0)
			return -1;
		if (buf[n] == '\n') {
			buf[n] = 0;
			return 0;
		}
		n++;
	}
	return -1;
}

/* One short line to a non-blocking socket: a client that does not read
 * loses its reply, it cannot make us wait. */
static void reply(int fd, const char *text)
{
	char line[LINE_MAX_LEN];
	int n = snprintf(line, sizeof(line), "%s\n", text);

	if (n > 0 && send(fd, line, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
		/* The client went away or does not read; nothing to do. */
	}
}

static void handle_request(struct control *c, int fd, const char *line)
{
	char err[PATH_MAX + 128], msg[PATH_MAX + 160];

	if (!strcmp(line, "ping")) {
		reply(fd, "ok");
	} else if (!strcmp(line, "stop")) {
		log_info("stop requested through the control socket");
		reply(fd, "ok");
		vm_request_stop(c->vm, 0, VM_STOP_HOST);
	} else if (!strncmp(line, "screenshot ", 11)) {
		if (!c->shot.take) {
			reply(fd, "error: this VM has no GPU (run it with --gpu)");
		} else if (c->shot.take(c->shot.ctx, line + 11, err, sizeof(err))) {
			snprintf(msg, sizeof(msg), "error: %s", err);
			reply(fd, msg);
		} else {
			reply(fd, "ok");
		}
	} else if (!strncmp(line, "type ", 5)) {
		if (!c->type.add) {
			reply(fd, "error: this VM has no keyboard (run it with --input)");
		} else if (c->type.add(c->type.ctx, line + 5, err, sizeof(err))) {
			snprintf(msg, sizeof(msg), "error: %s", err);
			reply(fd, msg);
		} else {
			reply(fd, "ok");
		}
	} else {
		reply(fd, "error: unknown request");
	}
}

static void accept_clients(struct control *c)
{
	int fd;

	while ((fd = accept4(c->sock_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) {
		struct control_client *cl = NULL;

		if (!peer_trusted(fd)) {
			reply(fd, "error: permission denied (another user)");
			close(fd);
			continue;
		}
		for (unsigned i = 0; i < CONTROL_MAX_CLIENTS && !cl; i++)
			if (c->clients[i].fd < 0)
				cl = &c->clients[i];
		if (!cl || watch(c, fd, (int)(cl - c->clients))) {
			reply(fd, "error: busy");
			close(fd);
			continue;
		}
		cl->fd = fd;
		cl->len = 0;
		cl->deadline_ms = now_ms() + CONTROL_IDLE_MS;
	}
}

/* Take what the client sent; serve it once the line is complete. */
static void client_readable(struct control *c, struct control_client *cl)
{
	ssize_t r = read(cl->fd, cl->line + cl->len, sizeof(cl->line) - 1 - cl->len);
	char *nl;

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) {
		drop_client(c, cl);
		return;
	}
	cl->len += (size_t)r;
	cl->line[cl->len] = 0;
	nl = memchr(cl->line, '\n', cl->len);
	if (nl) {
		*nl = 0;
		if (!strncmp(cl->line, "wait ", 5)) {
			/* The fd is the waiter's now: out of our set and table. */
			epoll_ctl(c->listen_fd, EPOLL_CTL_DEL, cl->fd, NULL);
			control_wait_add(&c->waits, cl->fd, cl->line + 5, &c->console, now_ms());
			cl->fd = -1;
			cl->len = 0;
			return;
		}
		handle_request(c, cl->fd, cl->line);
		drop_client(c, cl);
	} else if (cl->len + 1 >= sizeof(cl->line)) {
		reply(cl->fd, "error: request too long");
		drop_client(c, cl);
	}
}

/* Drop clients past their deadline; arm the timer for the next one. */
static void expire_clients(struct control *c)
{
	long long now = now_ms(), next = 0;
	struct itimerspec its = {0};

	for (unsigned i = 0; i < CONTROL_MAX_CLIENTS; i++) {
		struct control_client *cl = &c->clients[i];

		if (cl->fd < 0)
			continue;
		if (cl->deadline_ms <= now) {
			reply(cl->fd, "error: timed out");
			drop_client(c, cl);
		} else if (!next || cl->deadline_ms < next) {
			next = cl->deadline_ms;
		}
	}
	if (next) {
		its.it_value.tv_sec = (next - now) / 1000;
		its.it_value.tv_nsec = (next - now) % 1000 * 1000000;
	}
	timerfd_settime(c->timer_fd, 0, &its, NULL);
}

void control_serve(struct control *c)
{
	struct epoll_event ev[CONTROL_MAX_CLIENTS + 2];
	int n = epoll_wait(c->listen_fd, ev, CONTROL_MAX_CLIENTS + 2, 0);
	uint64_t ticks;

	for (int i = 0; i < n; i++) {
		int tag = (int)(uint32_t)ev[i].data.u64;

		if (tag == TAG_SOCK)
			accept_clients(c);
		else if (tag == TAG_TIMER)
			(void)!read(c->timer_fd, &ticks, sizeof(ticks));
		else if (c->clients[tag].fd >= 0)
			client_readable(c, &c->clients[tag]);
	}
	expire_clients(c);
}

int control_expire(struct control *c)
{
	return control_wait_expire(&c->waits, now_ms());
}

/* Send one request and read its one-line reply within timeout_ms (-1:
 * none). 0, or the exit status after one line on stderr. */
static int exchange(const char *name, const char *req, char *line, size_t len, long long timeout_ms)
{
	char path[PATH_MAX], out[LINE_MAX_LEN + 2], err[PATH_MAX + 128];
	int fd, n, bad;

	if (sock_path(path, sizeof(path), name, err, sizeof(err))) {
		fprintf(stderr, "lkvm-gpu: %s\n", err);
		return 2;
	}
	fd = connect_to(path);
	if (fd < 0) {
		fprintf(stderr, "lkvm-gpu: no running VM named '%s'\n", name);
		return 1;
	}
	n = snprintf(out, sizeof(out), "%s\n", req);
	bad = n < 0 || (size_t)n >= sizeof(out) || write(fd, out, n) != n ||
	      read_line_within(fd, line, len, timeout_ms);
	close(fd);
	if (bad) {
		fprintf(stderr, "lkvm-gpu: VM '%s' did not answer\n", name);
		return 1;
	}
	return 0;
}

/* Send one request, print the reply's error if any. */
static int request(const char *name, const char *req)
{
	char line[LINE_MAX_LEN];
	int r = exchange(name, req, line, sizeof(line), CONTROL_TIMEOUT_MS);

	if (r)
		return r;
	if (strcmp(line, "ok")) {
		fprintf(stderr, "lkvm-gpu: %s: %s\n", name, line);
		return 1;
	}
	return 0;
}

int control_cmd_stop(const char *name)
{
	return request(name, "stop");
}

int control_cmd_screenshot(const char *name, const char *file)
{
	char abs[PATH_MAX], req[PATH_MAX + 16];

	/* The VM resolves paths against its own cwd: send an absolute one. */
	if (file[0] == '/') {
		snprintf(abs, sizeof(abs), "%s", file);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(abs, sizeof(abs), "%s/%s", cwd, file) >= (int)sizeof(abs)) {
			fprintf(stderr, "lkvm-gpu: path too long\n");
			return 2;
		}
	}
	snprintf(req, sizeof(req), "screenshot %s", abs);
	return request(name, req);
}

/* The text goes on one request line: newlines and tabs travel spelled
 * (<ret>, <tab>), which types the same keys. */
int control_cmd_type(const char *name, const char *text)
{
	char req[LINE_MAX_LEN], err[512];
	struct key_action *acts;
	size_t n, len = 5;

	if (keymap_parse(text, &acts, &n, err, sizeof(err))) {
		fprintf(stderr, "lkvm-gpu: type: %s\n", err);
		return EXIT_STATUS_USAGE;
	}
	free(acts);
	memcpy(req, "type ", 5);
	for (const char *p = text; *p; p++) {
		const char *piece = *p == '\n' ? "<ret>" : *p == '\t' ? "<tab>" : NULL;
		size_t plen = piece ? 5 : 1;

		if (len + plen >= sizeof(req)) {
			fprintf(stderr, "lkvm-gpu: type: the text is too long\n");
			return EXIT_STATUS_USAGE;
		}
		memcpy(req + len, piece ? piece : p, plen);
		len += plen;
	}
	req[len] = 0;
	return request(name, req);
}

/* The pid of the VM at the other end of a connected socket, or -1. */
static int peer_pid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return -1;
	return cred.pid;
}

static void list_entry(struct json_writer *w, const char *name, size_t name_len, const char *path,
		       int pid)
{
	if (!w) {
		printf("%.*s\n", (int)name_len, name);
		return;
	}
	json_object_begin(w);
	json_key(w, "name");
	json_string_bytes(w, name, name_len);
	json_key(w, "pid");
	json_int(w, pid);
	json_key(w, "socket");
	json_string(w, path);
	json_object_end(w);
}

int control_cmd_list(bool json)
{
	char dir[PATH_MAX], path[PATH_MAX + 256], err[PATH_MAX + 128];
	struct json_writer w;
	struct dirent *e;
	DIR *d;

	if (control_dir(dir, sizeof(dir), err, sizeof(err))) {
		fprintf(stderr, "lkvm-gpu: %s\n", err);
		return 2;
	}
	json_init(&w, stdout);
	if (json)
		json_array_begin(&w);
	if ((d = opendir(dir))) {
		while ((e = readdir(d))) {
			size_t n = strlen(e->d_name);
			int fd, pid;

			if (n < 6 || strcmp(e->d_name + n - 5, ".sock"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			fd = connect_to(path);
			if (fd < 0)
				continue; /* a VM that died without cleaning up */
			pid = peer_pid(fd);
			close(fd);
			list_entry(json ? &w : NULL, e->d_name, n - 5, path, pid);
		}
		closedir(d);
	}
	if (json) {
		json_array_end(&w);
		putchar('\n');
	}
	return 0;
}

int control_cmd_wait(const char *name, const char *regex, long long timeout_ms)
{
	char req[LINE_MAX_LEN], line[LINE_MAX_LEN];
	int r, n = snprintf(req, sizeof(req), "wait %lld %s", timeout_ms, regex);

	if (n < 0 || (size_t)n >= sizeof(req) || strchr(regex, '\n')) {
		fprintf(stderr, "lkvm-gpu: wait: the pattern is too long or has a newline\n");
		return EXIT_STATUS_USAGE;
	}
	/* The VM keeps the deadline; ours only guards against a VM that hangs. */
	r = exchange(name, req, line, sizeof(line), timeout_ms ? timeout_ms + 10000 : -1);
	if (r)
		return r;
	if (!strncmp(line, "ok", 2) && (!line[2] || line[2] == ' ')) {
		printf("%s\n", line[2] ? line + 3 : "");
		return EXIT_STATUS_OK;
	}
	if (!strcmp(line, "timeout")) {
		fprintf(stderr, "lkvm-gpu: wait: no line of '%s' matched '%s' in time\n", name,
			regex);
		return EXIT_STATUS_TIMEOUT;
	}
	if (!strncmp(line, "ended ", 6))
		fprintf(stderr, "lkvm-gpu: wait: VM '%s' ended (exit status %s) first\n", name,
			line + 6);
	else
		fprintf(stderr, "lkvm-gpu: %s: %s\n", name, line);
	return 1;
}
