/* util/sandbox: ioctl held to each role's request numbers, each case in a
 * forked child (a filter cannot be removed). The filter looks at the
 * request before the kernel looks at the fd, so fd -1 shows the verdict:
 * an allowed request fails with EBADF, a forbidden one ends the process.
 * Request numbers are written out from the kernel's _IO/_IOR/_IOW
 * encoding (dir << 30 | size << 16 | type << 8 | nr), not taken from the
 * lists under test. */
#include <criterion/criterion.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/forked.h"
#include "util/sandbox.h"

#define NR_IOCTL 16

#define REQ_KVM_RUN	     0xAE80u	 /* _IO(0xAE, 0x80) */
#define REQ_KVM_CREATE_VCPU  0xAE41u	 /* _IO(0xAE, 0x41) */
#define REQ_KVM_IRQ_LINE     0x4008AE61u /* _IOW(0xAE, 0x61, 8 bytes) */
#define REQ_KVM_SET_USER_MEM 0x4020AE46u /* _IOW(0xAE, 0x46, 32 bytes) */
#define REQ_TCGETS	     0x5401u
#define REQ_TCSETS	     0x5402u
#define REQ_DRM_VERSION	     0xC0406400u /* _IOWR('d', 0x00, 64 bytes) */

#define PASSED 42

static enum sandbox_role role;
static enum sandbox_mode mode;
static uint64_t request;

/* The child: enter the role, make the ioctl; PASSED if it came back. */
static void child(void)
{
	long r;

	sandbox_mode = mode;
	if (sandbox_enter(role))
		_exit(1);
	r = syscall(NR_IOCTL, -1, (unsigned long)request, 0);
	if (r != -1 || errno != EBADF)
		_exit(2);
	syscall(SYS_exit_group, PASSED); /* not _exit(): ASan's leak check is off the lists */
}

static int child_body(void *arg)
{
	(void)arg;
	child();
	return 3; /* child() ends the process itself */
}

static int run(enum sandbox_role r, uint64_t req, enum sandbox_mode m, char *err, size_t max)
{
	role = r;
	request = req;
	mode = m;
	return forked_run(child_body, NULL, err, max);
}

static void allowed(enum sandbox_role r, uint64_t req)
{
	char err[256];
	int st = run(r, req, SANDBOX_KILL, err, sizeof(err));

	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == PASSED, "%s: ioctl %#llx: status 0x%x %s",
		  sandbox_role_name(r), (unsigned long long)req, st, err);
}

static void killed(enum sandbox_role r, uint64_t req)
{
	char err[256];
	int st = run(r, req, SANDBOX_KILL, err, sizeof(err));

	cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "%s: ioctl %#llx: status 0x%x",
		  sandbox_role_name(r), (unsigned long long)req, st);
}

Test(sandbox_ioctl, vcpu_runs_and_raises_interrupts_but_makes_no_vcpu_or_drm_call)
{
	allowed(SANDBOX_VCPU, REQ_KVM_RUN);
	allowed(SANDBOX_VCPU, REQ_KVM_IRQ_LINE);
	allowed(SANDBOX_VCPU, REQ_TCGETS);
	killed(SANDBOX_VCPU, REQ_KVM_CREATE_VCPU);
	killed(SANDBOX_VCPU, REQ_KVM_SET_USER_MEM);
	killed(SANDBOX_VCPU, REQ_DRM_VERSION);
}

Test(sandbox_ioctl, virtio_worker_raises_interrupts_only)
{
	allowed(SANDBOX_VIRTIO, REQ_KVM_IRQ_LINE);
	killed(SANDBOX_VIRTIO, REQ_KVM_RUN);
	killed(SANDBOX_VIRTIO, REQ_TCSETS);
}

Test(sandbox_ioctl, gpu_worker_any_drm_call_but_kvm_only_interrupts)
{
	allowed(SANDBOX_GPU, REQ_DRM_VERSION);
	allowed(SANDBOX_GPU, REQ_KVM_IRQ_LINE);
	killed(SANDBOX_GPU, REQ_KVM_RUN);
	killed(SANDBOX_GPU, REQ_KVM_SET_USER_MEM);
}

Test(sandbox_ioctl, main_sets_the_terminal_but_runs_no_vcpu)
{
	allowed(SANDBOX_MAIN, REQ_TCSETS);
	allowed(SANDBOX_MAIN, REQ_KVM_IRQ_LINE);
	killed(SANDBOX_MAIN, REQ_KVM_RUN);
	killed(SANDBOX_MAIN, REQ_DRM_VERSION);
}

/* The kernel reads the request as a 32-bit unsigned int: high bits must
 * neither hide a forbidden request nor spoil an allowed one. */
Test(sandbox_ioctl, only_the_low_32_bits_count_as_the_kernel_reads_them)
{
	killed(SANDBOX_VIRTIO, 0xFFFFFFFF00000000ull | REQ_KVM_RUN);
	allowed(SANDBOX_VCPU, 0x100000000ull | REQ_KVM_RUN);
}

Test(sandbox_ioctl, debug_mode_names_ioctl_the_request_and_the_thread)
{
	char err[512];
	int st = run(SANDBOX_VCPU, REQ_KVM_CREATE_VCPU, SANDBOX_TRAP, err, sizeof(err));

	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGSYS, "status 0x%x", st);
	cr_expect(strstr(err, "lkvm-gpu: sandbox: forbidden system call 16 (ioctl 0xae41) on "
			      "thread "),
		  "stderr: %s", err);
	cr_expect(strstr(err, "(role vcpu)\n"), "stderr: %s", err);
	cr_expect(strchr(err, '\n') == err + strlen(err) - 1, "one line: %s", err);
}
