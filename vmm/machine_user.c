/* `--user`: the machine's step that gives up root (util/privdrop.h).
 *
 * The user is looked up first of all, while the user database is at hand
 * and before anything is built; the drop comes once every privileged open
 * is done (/dev/kvm, the disks, the control socket, the display's
 * connection) and before the GPU worker, the vCPUs and the virtio workers
 * exist: no thread is under a seccomp filter yet, so glibc's setuid
 * reaches every thread (the PIT helper at most) and the filters need no
 * set*id call at all. What the VMM writes later is written as the user:
 * the --result and --screenshot paths are checked for it here. */
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/log.h"
#include "vmm/ci_result.h"
#include "vmm/machine_parts.h"

int machine_user_resolve(struct machine *m, const struct run_options *o)
{
	char err[256];

	if (!o->user)
		return 0;
	if (geteuid() != 0) {
		log_error("--user %s: only root can become another user (lkvm-gpu runs as uid %u)",
			  o->user, (unsigned)geteuid());
		return -1;
	}
	if (privdrop_resolve(o->user, &m->user, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

/* Can the user (now our real uid) create or overwrite path? */
static int writable(const char *path)
{
	char dir[PATH_MAX];

	if (access(path, F_OK) == 0)
		return access(path, W_OK);
	if (snprintf(dir, sizeof(dir), "%s", path) >= (int)sizeof(dir))
		return -1;
	return access(dirname(dir), W_OK | X_OK);
}

int machine_user_drop(struct machine *m, const struct run_options *o)
{
	char err[512];

	if (!o->user)
		return 0;
	if (privdrop_apply(&m->user, err, sizeof(err))) {
		log_error("--user %s: cannot drop to it: %s: not running", o->user, err);
		return -1;
	}
	log_debug("--user: now uid %u gid %u with %d supplementary groups", (unsigned)m->user.uid,
		  (unsigned)m->user.gid, m->user.nr_groups);
	if (o->result && ci_result_check_path(o->result, err, sizeof(err))) {
		log_error("%s (as user %s)", err, m->user.name);
		return -1;
	}
	if (o->screenshot && writable(o->screenshot)) {
		log_error("--screenshot %s: user %s cannot write it: %s", o->screenshot,
			  m->user.name, strerror(errno));
		return -1;
	}
	return 0;
}
