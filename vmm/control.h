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

struct control {
	int listen_fd;
	char path[108];
	struct vm *vm;
	struct control_screenshot shot;
	struct control_waits waits;	/* `lkvm-gpu wait` clients */
	struct control_console console; /* the lines they may match already */
};

/* Directory of the sockets: $LKVM_GPU_RUN_DIR, else $XDG_RUNTIME_DIR/lkvm-gpu,
 * else /tmp/lkvm-gpu-UID. Created if missing. */
int control_dir(char *buf, size_t len);
int control_open(struct control *c, struct vm *vm, const char *name);
/* Accept and serve one client (call when listen_fd is readable). A `wait`
 * client stays connected in c->waits. */
void control_serve(struct control *c);
/* Answer the `wait` clients whose time is up; ms until the next deadline,
 * -1 if none. */
int control_expire(struct control *c);
void control_close(struct control *c);

/* Client side: the commands. Return the process exit status. */
int control_cmd_list(bool json);
int control_cmd_stop(const char *name);
int control_cmd_screenshot(const char *name, const char *file);
/* Until a console line matches regex (0), timeout_ms passes (4, 0: never),
 * or the VM ends (1). Prints the line. */
int control_cmd_wait(const char *name, const char *regex, long long timeout_ms);

#endif
