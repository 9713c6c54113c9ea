#include "util/sandbox.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>
#include <unistd.h>

#include "util/log.h"

enum sandbox_mode sandbox_mode = SANDBOX_OFF;

/* The calling thread's role and name, for the SIGSYS line (read when the
 * filter goes on: the handler itself may call nothing unlisted). */
static __thread const char *thread_role = "none";
static __thread char thread_name[16] = "?";

static const char *const role_names[SANDBOX_ROLES] = {
    [SANDBOX_VCPU] = "vcpu",
    [SANDBOX_VIRTIO] = "virtio-worker",
    [SANDBOX_GPU] = "gpu-worker",
    [SANDBOX_MAIN] = "main",
};

const char *sandbox_role_name(enum sandbox_role role)
{
	return role < SANDBOX_ROLES ? role_names[role] : "?";
}

/* Async-signal-safe: decimal into buf, returns its length. */
static size_t fmt_uint(char *buf, unsigned long v)
{
	char tmp[24];
	size_t n = 0, len = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		buf[len++] = tmp[--n];
	return len;
}

/* Async-signal-safe: lower-case hex into buf, returns its length. */
static size_t fmt_hex(char *buf, unsigned long v)
{
	char tmp[16];
	size_t n = 0, len = 0;

	do {
		tmp[n++] = "0123456789abcdef"[v & 15];
		v >>= 4;
	} while (v);
	while (n)
		buf[len++] = tmp[--n];
	return len;
}

/* SANDBOX_TRAP: one line naming the call and the thread, then the whole
 * process ends as SECCOMP_RET_KILL_PROCESS would end it. */
static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	static const char head[] = "lkvm-gpu: sandbox: forbidden system call ";
	const char *name = thread_name;
	char line[160];
	size_t len = sizeof(head) - 1;

	(void)sig;
	memcpy(line, head, len);
	len += fmt_uint(line + len, (unsigned long)si->si_syscall);
	if (si->si_syscall == __NR_ioctl) { /* which request: the second argument */
		unsigned long req = (uint32_t)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RSI];

		memcpy(line + len, " (ioctl 0x", 10);
		len += 10;
		len += fmt_hex(line + len, req);
		line[len++] = ')';
	}
	memcpy(line + len, " on thread ", 11);
	len += 11;
	for (size_t i = 0; name[i] && len < sizeof(line) - 40; i++)
		line[len++] = name[i];
	memcpy(line + len, " (role ", 7);
	len += 7;
	for (size_t i = 0; thread_role[i] && len < sizeof(line) - 4; i++)
		line[len++] = thread_role[i];
	line[len++] = ')';
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0) {
	}
	syscall(SYS_exit_group, 128 + SIGSYS);
}

#define STMT(code, k)	      ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

/* ioctl's request number (args[1]; the kernel takes it as unsigned int,
 * so only its low 32 bits, which come first on x86-64). */
#define IOCTL_REQ  offsetof(struct seccomp_data, args[1])
#define KVMIO_TYPE 0xAEu

/* The ioctl rule: jumps over itself unless the call is ioctl, then allows
 * or denies by the request number. Instructions written at f + i. */
static size_t ioctl_rule(struct sock_filter *f, const struct sandbox_rules *r, uint32_t deny)
{
	size_t i = 0, k = r->n_ioctl;
	/* After the number check: k request checks, the type check (2) if
	 * open, deny, allow. */
	size_t len = 1 + k + (r->ioctl_rule == SANDBOX_IOCTL_NOT_KVM ? 2 : 0) + 2;

	f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_ioctl, 0, (uint8_t)len);
	f[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, IOCTL_REQ);
	for (size_t j = 0; j < k; j++) /* to the allow at the end */
		f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, r->ioctl[j], (uint8_t)(len - 3 - j), 0);
	if (r->ioctl_rule == SANDBOX_IOCTL_NOT_KVM) {
		f[i++] = STMT(BPF_ALU | BPF_AND | BPF_K, 0xff00u); /* _IOC_TYPE */
		f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, KVMIO_TYPE << 8, 0, 1);
	}
	f[i++] = STMT(BPF_RET | BPF_K, deny);
	f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	return i;
}

int sandbox_install_rules(const struct sandbox_rules *r, enum sandbox_mode mode)
{
	uint32_t deny = mode == SANDBOX_TRAP ? SECCOMP_RET_TRAP : SECCOMP_RET_KILL_PROCESS;
	const int *nr = r->nr;
	size_t n = r->n, max = 32 + 2 * n + r->n_ioctl, i = 0;
	struct sock_filter *f;
	struct sock_fprog prog;
	bool ioctl_listed = false;
	int ret = 0;

	for (size_t k = 0; k < n; k++)
		ioctl_listed |= nr[k] == __NR_ioctl;
	/* The jumps over the ioctl rule are 8 bits wide. */
	if (r->n_ioctl > 200)
		return -E2BIG;
	f = calloc(max, sizeof(*f));
	if (!f)
		return -ENOMEM;
	/* Another ABI (i386 through int 0x80, x32) has other numbers: deny. */
	f[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[i++] = STMT(BPF_RET | BPF_K, deny);
	f[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	f[i++] = JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, 0, 1); /* __X32_SYSCALL_BIT */
	f[i++] = STMT(BPF_RET | BPF_K, deny);
	/* clone3 hides its flags in memory a filter cannot read: ENOSYS makes
	 * glibc fall back to clone, whose flags it can. */
	f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone3, 0, 1);
	f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS);
	/* clone: threads only (CLONE_THREAD), never a new process. */
	f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_clone, 0, 4);
	f[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
	f[i++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, CLONE_THREAD, 1, 0);
	f[i++] = STMT(BPF_RET | BPF_K, deny);
	f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	/* socket, where listed: AF_UNIX only (glibc's NSS asks nscd). */
	for (size_t k = 0; k < n; k++) {
		if (nr[k] != __NR_socket)
			continue;
		f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_socket, 0, 4);
		f[i++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[0]));
		f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, AF_UNIX, 1, 0);
		f[i++] = STMT(BPF_RET | BPF_K, deny);
		f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
		break;
	}
	/* ioctl, where listed: by request number. */
	if (ioctl_listed && r->ioctl_rule != SANDBOX_IOCTL_ANY)
		i += ioctl_rule(f + i, r, deny);
	/* Any other call: A still holds its number. */
	for (size_t k = 0; k < n; k++) {
		if (nr[k] == __NR_socket)
			continue;
		f[i++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)nr[k], 0, 1);
		f[i++] = STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	}
	f[i++] = STMT(BPF_RET | BPF_K, deny);
	prog = (struct sock_fprog){.len = (unsigned short)i, .filter = f};
	prctl(PR_GET_NAME, thread_name);
	thread_name[sizeof(thread_name) - 1] = 0;
	if (mode == SANDBOX_TRAP) {
		struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
		sigset_t set;

		sigaction(SIGSYS, &sa, NULL);
		sigemptyset(&set);
		sigaddset(&set, SIGSYS);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
	    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog))
		ret = -errno;
	free(f);
	return ret;
}

int sandbox_install(const int *nr, size_t n, enum sandbox_mode mode)
{
	struct sandbox_rules r = {.nr = nr, .n = n, .ioctl_rule = SANDBOX_IOCTL_ANY};

	return sandbox_install_rules(&r, mode);
}

int sandbox_enter(enum sandbox_role role)
{
	int r;

	if (sandbox_mode == SANDBOX_OFF)
		return 0;
	r = sandbox_install_rules(sandbox_rules(role), sandbox_mode);
	if (r) {
		log_error("sandbox: cannot filter the %s thread: %s (--no-sandbox runs without)",
			  sandbox_role_name(role), strerror(-r));
		return r;
	}
	thread_role = sandbox_role_name(role);
	return 0;
}
