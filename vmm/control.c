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

#include "util/log.h"
#include "kvm/vm.h"

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

/* Read one line within one overall deadline: a client that trickles bytes
 * cannot stall the main thread for longer than CONTROL_TIMEOUT_MS. */
static int read_line(int fd, char *buf, size_t len)
{
	long long deadline = now_ms() + CONTROL_TIMEOUT_MS;
	size_t n = 0;

	while (n + 1 < len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		long long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&p, 1, (int)left) <= 0)
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

/* Send one request, print the reply's error if any. */
static int request(const char *name, const char *req)
{
	char path[PATH_MAX], line[LINE_MAX_LEN], out[LINE_MAX_LEN + 2];
	int fd, n;

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
	if (n < 0 || (size_t)n >= sizeof(out) || write(fd, out, n) != n ||
	    read_line(fd, line, sizeof(line))) {
		fprintf(stderr, "lkvm-gpu: VM '%s' did not answer\n", name);
		close(fd);
		return 1;
	}
	close(fd);
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

int control_cmd_list(void)
{
	char dir[PATH_MAX], path[PATH_MAX + 256];
	struct dirent *e;
	DIR *d;

	if (control_dir(dir, sizeof(dir)) || !(d = opendir(dir)))
		return 0; /* nothing running */
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		int fd;

		if (n < 6 || strcmp(e->d_name + n - 5, ".sock"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		fd = connect_to(path);
		if (fd < 0)
			continue; /* a VM that died without cleaning up */
		close(fd);
		printf("%.*s\n", (int)(n - 5), e->d_name);
	}
	closedir(d);
	return 0;
}
