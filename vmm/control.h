/* The control socket: a running VM listens on a UNIX socket named after it,
 * so `lkvm-gpu list`, `lkvm-gpu stop NAME` and `lkvm-gpu screenshot NAME
 * FILE.png` can reach it (kvmtool-style). One text line per request, one
 * reply line: "ok" or "error: why". Served by the main thread. */
#ifndef LKVM_CONTROL_H
#define LKVM_CONTROL_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/control_wait.h"

struct vm;

/* Screenshot provider (the GPU's display); NULL when there is no GPU. */
struct control_screenshot {
	int (*take)(void *ctx, const char *path, char *err, size_t errlen);
	void *ctx;
};

/* Typed text for the guest's keyboard (vmm/input.c); NULL without input
 * devices. add() queues text in keymap spelling: 0, or -1 with err. */
struct control_typist {
	int (*add)(void *ctx, const char *text, char *err, size_t errlen);
	void *ctx;
};

/* Clients are served a byte at a time as they arrive, never waited for:
 * one that says nothing is dropped after CONTROL_IDLE_MS, and at most
 * CONTROL_MAX_CLIENTS are connected at once. */
#define CONTROL_MAX_CLIENTS 8
#define CONTROL_IDLE_MS	    2000
#define CONTROL_LINE_MAX    (4096 + 32) /* PATH_MAX and a verb */

struct control_client {
	int fd; /* -1: free slot */
	long long deadline_ms;
	size_t len;
	char line[CONTROL_LINE_MAX];
};

struct control {
	/* What the main loop polls for POLLIN: an epoll set over the socket,
	 * its clients and their idle timer (named for the socket it stands
	 * for; -1 before control_open). */
	int listen_fd;
	int sock_fd, timer_fd;
	bool open;
	char path[108];
	struct vm *vm;
	struct control_screenshot shot;
	struct control_typist type;
	struct control_client clients[CONTROL_MAX_CLIENTS];
	struct control_waits waits;	/* `lkvm-gpu wait` clients, out of the table */
	struct control_console console; /* the lines they may match already */
};

/* Directory of the sockets: $LKVM_GPU_RUN_DIR, else $XDG_RUNTIME_DIR/lkvm-gpu,
 * else /tmp/lkvm-gpu-UID. Created (0700) if missing; an existing one must
 * be a directory of ours (or root's), not writable by group or others, or
 * another local user could put their own socket in it. -1 with one line in
 * err otherwise. */
int control_dir(char *buf, size_t len, char *err, size_t errlen);
int control_open(struct control *c, struct vm *vm, const char *name);
/* Serve what is ready (call when listen_fd is readable): new clients,
 * their bytes, their requests once a line is complete, idle timeouts.
 * Never blocks. */
void control_serve(struct control *c);
/* Answer the `wait` clients whose time is up; ms until the next deadline,
 * -1 if none. */
int control_expire(struct control *c);
void control_close(struct control *c);

/* Client side: the commands. Return the process exit status. */
int control_cmd_list(bool json);
int control_cmd_stop(const char *name);
int control_cmd_screenshot(const char *name, const char *file);
/* Type text (keymap spelling, checked here first: 2 if bad) into the VM's
 * keyboard; 0 once the VM queued it. */
int control_cmd_type(const char *name, const char *text);
/* Until a console line matches regex (0), timeout_ms passes (4, 0: never),
 * or the VM ends (1). Prints the line. */
int control_cmd_wait(const char *name, const char *regex, long long timeout_ms);

#endif
