/* util/sandbox: the seccomp filters, each in a forked child (a filter
 * cannot be removed). Allowed calls go through; a forbidden one ends the
 * whole process with SIGSYS (SECCOMP_RET_KILL_PROCESS), or with the
 * --debug line and status 128 + SIGSYS (SECCOMP_RET_TRAP). Numbers are
 * the x86-64 ABI's, written out (not taken from the lists under test). */
#include <criterion/criterion.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/forked.h"
#include "util/sandbox.h"

#define NR_WRITE      1
#define NR_GETPID     39
#define NR_SOCKET     41
#define NR_EXIT	      60
#define NR_GETPPID    110
#define NR_EXIT_GROUP 231

#define ALLOWED_OK 42 /* the child's status when every allowed call worked */

static void (*child_fn)(void);

static int child_body(void *arg)
{
	(void)arg;
	child_fn();
	return ALLOWED_OK;
}

/* Runs fn in a child with stderr into a pipe; returns its wait status and
 * what it wrote (NUL-terminated). */
static int run_child(void (*fn)(void), char *err, size_t max)
{
	child_fn = fn;
	return forked_run(child_body, NULL, err, max);
}

static const int tiny[] = {NR_WRITE, NR_GETPID, NR_EXIT, NR_EXIT_GROUP};

static void tiny_then_getppid(void)
{
	if (sandbox_install(tiny, 4, SANDBOX_KILL))
		_exit(1);
	if (syscall(NR_GETPID) != getpid())
		_exit(2);
	syscall(NR_GETPPID); /* not listed */
	_exit(3);
}

static void tiny_allowed_only(void)
{
	if (sandbox_install(tiny, 4, SANDBOX_KILL))
		_exit(1);
	syscall(NR_GETPID);
	/* Not _exit(): ASan's runs a leak check first, off this list. */
	syscall(NR_EXIT_GROUP, ALLOWED_OK);
}

Test(sandbox, a_listed_call_runs_an_unlisted_one_kills_the_process)
{
	char err[256];
	int st = run_child(tiny_allowed_only, err, sizeof(err));

	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == ALLOWED_OK, "status 0x%x", st);
	st = run_child(tiny_then_getppid, err, sizeof(err));
	cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "status 0x%x", st);
}

static void tiny_trap_getppid(void)
{
	if (sandbox_install(tiny, 4, SANDBOX_TRAP))
		_exit(1);
	syscall(NR_GETPPID);
	_exit(3);
}

Test(sandbox, debug_mode_names_the_call_then_ends_the_process)
{
	char err[512];
	int st = run_child(tiny_trap_getppid, err, sizeof(err));

	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 128 + SIGSYS, "status 0x%x", st);
	cr_expect(strstr(err, "forbidden system call 110 on thread "), "stderr: %s", err);
}

/* Each role, entered as lkvm-gpu's threads do. */
static enum sandbox_role role;

static void *thread_body(void *arg)
{
	return arg;
}

static void role_allowed(void)
{
	pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	char *p;
	int fds[2];

	sandbox_mode = SANDBOX_KILL;
	if (pipe(fds)) /* before: pipe2 is not on every list */
		_exit(1);
	if (sandbox_enter(role))
		_exit(1);
	pthread_mutex_lock(&m);
	pthread_mutex_unlock(&m);
	p = malloc(8 << 20); /* mmap */
	if (!p)
		_exit(2);
	memset(p, 1, 8 << 20);
	free(p);
	if (write(fds[1], "x", 1) != 1 || read(fds[0], &p, 1) != 1)
		_exit(3);
	fprintf(stderr, "logging works\n");
	if (role == SANDBOX_VCPU || role == SANDBOX_GPU) { /* the roles that start threads */
		pthread_t t;

		if (pthread_create(&t, NULL, thread_body, NULL) || pthread_join(t, NULL))
			_exit(4);
	}
}

static void role_execve(void)
{
	char *argv[] = {"/bin/true", NULL};

	sandbox_mode = SANDBOX_KILL;
	if (sandbox_enter(role))
		_exit(1);
	execv("/bin/true", argv);
	_exit(3);
}

static void role_socket(void)
{
	sandbox_mode = SANDBOX_KILL;
	if (sandbox_enter(role))
		_exit(1);
	syscall(NR_SOCKET, AF_INET, SOCK_STREAM, 0);
	_exit(3);
}

static void role_fork(void)
{
	pid_t pid;

	sandbox_mode = SANDBOX_KILL;
	if (sandbox_enter(role))
		_exit(1);
	pid = fork(); /* clone without CLONE_THREAD */
	if (pid == 0)
		_exit(0);
	_exit(3);
}

static void check_role(enum sandbox_role r)
{
	char err[512];
	int st;

	role = r;
	st = run_child(role_allowed, err, sizeof(err));
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == ALLOWED_OK, "%s: allowed calls: status 0x%x",
		  sandbox_role_name(r), st);
	cr_expect(strstr(err, "logging works"), "%s", sandbox_role_name(r));
	st = run_child(role_execve, err, sizeof(err));
	cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "%s: execve: status 0x%x",
		  sandbox_role_name(r), st);
	st = run_child(role_socket, err, sizeof(err));
	cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "%s: socket: status 0x%x",
		  sandbox_role_name(r), st);
	st = run_child(role_fork, err, sizeof(err));
	cr_expect(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "%s: fork: status 0x%x",
		  sandbox_role_name(r), st);
}

Test(sandbox, vcpu_role)
{
	check_role(SANDBOX_VCPU);
}

Test(sandbox, virtio_worker_role)
{
	check_role(SANDBOX_VIRTIO);
}

Test(sandbox, gpu_worker_role)
{
	check_role(SANDBOX_GPU);
}

Test(sandbox, main_role)
{
	check_role(SANDBOX_MAIN);
}

static void off_then_getppid(void)
{
	sandbox_mode = SANDBOX_OFF;
	if (sandbox_enter(SANDBOX_VCPU))
		_exit(1);
	syscall(NR_GETPPID);
	syscall(NR_SOCKET, AF_INET, SOCK_STREAM, 0);
}

Test(sandbox, no_sandbox_installs_nothing)
{
	char err[64];
	int st = run_child(off_then_getppid, err, sizeof(err));

	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == ALLOWED_OK, "status 0x%x", st);
}
