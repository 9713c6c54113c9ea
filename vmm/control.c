#include "vmm/control.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "kvm/vm.h"
#include "util/json.h"
#include "util/log.h"
#include "vmm/exit_status.h"

#define CONTROL_TIMEOUT_MS 5000
#define LINE_MAX_LEN	   (PATH_MAX + 32)

int control_dir(char *buf, size_t len)
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
	if (n < 0 || (size_t)n >= len)
		return -1;
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

static int sock_path(char *buf, size_t len, const char *name)
{
	char dir[PATH_MAX];
	int n;

	if (control_dir(dir, sizeof(dir)))
		return -1;
	n = snprintf(buf, len, "%s/%s.sock", dir, name);
	return n < 0 || (size_t)n >= len ? -1 : 0;
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
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

int control_open(struct control *c, struct vm *vm, const char *name)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd;

	c->vm = vm;
	c->listen_fd = -1;
	if (sock_path(c->path, sizeof(c->path), name)) {
		log_error("control socket: path for '%s' too long or directory not writable", name);
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
	c->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->listen_fd < 0 || bind(c->listen_fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(c->listen_fd, 4) < 0) {
		log_error("control socket %s: %s", c->path, strerror(errno));
		control_close(c);
		return -1;
	}
	return 0;
}

void control_close(struct control *c)
{
	control_wait_end(&c->waits, -1); /* normally none left: run.c ends them */
	if (c->listen_fd >= 0)
		close(c->listen_fd);
	c->listen_fd = -1;
	if (c->path[0])
		unlink(c->path);
	c->path[0] = 0;
}

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000LL + t.tv_nsec / 1000000;
}

/* Read one line within one overall deadline (timeout_ms, -1: none): a
 * client that trickles bytes cannot stall the main thread for long. */
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

static int read_line(int fd, char *buf, size_t len)
{
	return read_line_within(fd, buf, len, CONTROL_TIMEOUT_MS);
}

static void reply(int fd, const char *text)
{
	char line[LINE_MAX_LEN];
	int n = snprintf(line, sizeof(line), "%s\n", text);

	if (n > 0 && write(fd, line, (size_t)n) < 0) {
		/* The client went away; nothing to do. */
	}
}

void control_serve(struct control *c)
{
	char line[LINE_MAX_LEN], err[256], msg[300];
	int fd = accept4(c->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (read_line(fd, line, sizeof(line))) {
		close(fd);
		return;
	}
	if (!strncmp(line, "wait ", 5)) {
		control_wait_add(&c->waits, fd, line + 5, &c->console, now_ms());
		return; /* the fd is the waiter's now */
	}
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
	} else {
		reply(fd, "error: unknown request");
	}
	close(fd);
}

int control_expire(struct control *c)
{
	return control_wait_expire(&c->waits, now_ms());
}

/* Send one request and read its one-line reply within timeout_ms (-1:
 * none). 0, or the exit status after one line on stderr. */
static int exchange(const char *name, const char *req, char *line, size_t len, long long timeout_ms)
{
	char path[PATH_MAX], out[LINE_MAX_LEN + 2];
	int fd, n, bad;

	if (sock_path(path, sizeof(path), name)) {
		fprintf(stderr, "lkvm-gpu: no control directory\n");
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
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct json_writer w;
	struct dirent *e;
	DIR *d;

	json_init(&w, stdout);
	if (json)
		json_array_begin(&w);
	if (!control_dir(dir, sizeof(dir)) && (d = opendir(dir))) {
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
