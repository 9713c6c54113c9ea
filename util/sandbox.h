/* seccomp-BPF allowlists per thread role (README, "Sandbox").
 *
 * Each long-lived thread calls sandbox_enter() with its role once its setup
 * is done; from then on a system call outside the role's list ends the
 * process. Filters are per thread and inherited: a thread created later
 * gets its creator's filter (and may add its own, which narrows it). So:
 *   - vCPU threads create the virtio workers (DRIVER_OK is a guest write):
 *     the vCPU list carries what those workers need (block I/O, epoll);
 *   - the GPU worker enters after its backend started (EGL, the render
 *     node, Mesa's dlopen), and Mesa's llvmpipe threads made afterwards
 *     (a guest's 3D context) inherit the GPU list;
 *   - the main thread enters last, before its loop; the vCPU threads and
 *     the GPU worker it made earlier keep their own lists.
 * Lists: util/sandbox_lists.c, each entry with who needs it; ioctl is
 * further held to the request numbers each role makes (the GPU worker's
 * are open-ended: any but KVM's own outside its short list). */
#ifndef LKVM_SANDBOX_H
#define LKVM_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum sandbox_role {
	SANDBOX_VCPU,	/* a vCPU thread (and the virtio workers it starts) */
	SANDBOX_VIRTIO, /* a virtio device worker (blk, rng, console) */
	SANDBOX_GPU,	/* the GPU worker, its renderer and Mesa's threads */
	SANDBOX_MAIN,	/* the main loop: signals, control socket, stdout, teardown */
	SANDBOX_ROLES
};

enum sandbox_mode {
	SANDBOX_OFF,  /* --no-sandbox: no filter */
	SANDBOX_KILL, /* a forbidden call kills the process (SECCOMP_RET_KILL_PROCESS) */
	SANDBOX_TRAP, /* --debug: SIGSYS names the call and the thread, then the process ends */
};

/* Set once before the first thread enters (vmm/ decides from the options). */
extern enum sandbox_mode sandbox_mode;

/* Install role's filter on the calling thread (and PR_SET_NO_NEW_PRIVS).
 * 0, or -errno after a log line; a no-op with SANDBOX_OFF. */
int sandbox_enter(enum sandbox_role role);

const char *sandbox_role_name(enum sandbox_role role);

/* Which ioctl requests a role may make, when ioctl is on its list. */
enum sandbox_ioctl {
	SANDBOX_IOCTL_LISTED,  /* exactly those in ioctl[0..n_ioctl) */
	SANDBOX_IOCTL_NOT_KVM, /* those, and any whose type is not KVM's (0xAE) */
	SANDBOX_IOCTL_ANY,     /* any (sandbox_install: tests) */
};

struct sandbox_rules {
	const int *nr; /* the system calls allowed */
	size_t n;
	enum sandbox_ioctl ioctl_rule;
	const uint32_t *ioctl; /* request numbers (the kernel reads 32 bits) */
	size_t n_ioctl;
};

/* The role's rules (util/sandbox_lists.c). */
const struct sandbox_rules *sandbox_rules(enum sandbox_role role);

/* Install a filter allowing exactly what r allows (plus clone for threads
 * only); for tests and sandbox_enter. 0 or -errno. */
int sandbox_install_rules(const struct sandbox_rules *r, enum sandbox_mode mode);

/* The same for nr[0..n), any ioctl request if ioctl is listed (tests). */
int sandbox_install(const int *nr, size_t n, enum sandbox_mode mode);

#endif
