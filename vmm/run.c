/* `lkvm-gpu run`: build the machine, run it until something asks it to
 * stop, tear it down. The main thread owns the terminal, the signals (a
 * signalfd) and the control socket; the vCPUs run on their own threads. */
#include "vmm/run.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "util/fd_close.h"
#include "util/log.h"
#include "util/sandbox.h"
#include "virtio/console.h"
#include "vmm/ci.h"
#include "vmm/exit_status.h"
#include "vmm/input.h"
#include "vmm/machine.h"
#include "vmm/term.h"

static void noop_handler(int sig)
{
	(void)sig;
}

/* SIGINT/SIGTERM/SIGHUP are read through a signalfd by the main thread;
 * every thread created later inherits the blocked mask, so this runs before
 * the machine is built. SIGUSR1 only kicks vCPUs out of KVM_RUN. Returns
 * the signalfd or -1. */
static int setup_signals(void)
{
	struct sigaction sa = {.sa_handler = noop_handler};
	sigset_t set;

	signal(SIGPIPE, SIG_IGN);
	sigaction(SIGUSR1, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL))
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void handle_signal(struct machine *m, int signal_fd)
{
	struct signalfd_siginfo si;

	if (read(signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	log_info("received signal %u, shutting down", si.ssi_signo);
	vm_request_stop(&m->vm, 128 + si.ssi_signo, VM_STOP_SIGNAL);
}

/* Returns false once stdin is finished (EOF or error). */
static bool handle_stdin(struct machine *m, bool interactive, struct term_escape *esc)
{
	uint8_t in[256], out[2 * sizeof(in) + 1];
	unsigned space = serial_input_space(&m->serial);
	size_t n, want = space < sizeof(in) ? space : sizeof(in);
	ssize_t got;
	bool quit = false;

	if (want == 0)
		return true;
	got = read(STDIN_FILENO, in, want);
	if (got < 0)
		return errno == EINTR || errno == EAGAIN;
	if (got == 0)
		return false;
	if (interactive) {
		n = term_escape_filter(esc, in, got, out, &quit);
		if (quit) {
			log_info("Ctrl-A x: stopping the VM");
			vm_request_stop(&m->vm, 0, VM_STOP_HOST);
		}
	} else {
		memcpy(out, in, got);
		n = got;
	}
	serial_input(&m->serial, out, n);
	if (m->vcon)
		virtio_console_feed(m->vcon, out, n);
	return true;
}

/* How long the last console output may wait for stdout once the VM has
 * stopped: a reader that is only slow gets it, one that is gone does not
 * hold the exit (or a `stop`) for long. */
#define FINAL_FLUSH_MS 1000

/* Every wait is this poll(): no device lock and no write to stdout ever
 * blocks the main thread, so signals, the control socket and stop are
 * served however the guest prints (console output: vmm/console_out.h). */
static void main_loop(struct machine *m, struct ci *ci, int signal_fd, bool interactive)
{
	struct term_escape esc = {0};
	bool stdin_open = true;

	while (!vm_stopping(&m->vm)) {
		struct pollfd p[5 + CI_POLLFDS] = {
		    {.fd = m->vm.stop_fd, .events = POLLIN},
		    {.fd = signal_fd, .events = POLLIN},
		    {.fd = m->control.listen_fd, .events = POLLIN},
		    {.fd = -1, .events = POLLIN},
		};
		/* Stop reading stdin while the UART FIFO is full; re-check soon. */
		bool room = serial_input_space(&m->serial) > 0;
		int wake_ms = control_expire(&m->control); /* `wait` deadlines */
		int type_ms = vm_input_service(m->input);  /* typed text, paced */

		if (stdin_open && room)
			p[3].fd = STDIN_FILENO;
		console_out_pollfd(&m->out, &p[4]);
		ci_pollfds(ci, &p[5]);
		if (!room && (wake_ms < 0 || wake_ms > 20))
			wake_ms = 20;
		if (type_ms >= 0 && (wake_ms < 0 || wake_ms > type_ms))
			wake_ms = type_ms;
		if (poll(p, 5 + CI_POLLFDS, wake_ms) < 0 && errno != EINTR)
			break;
		console_out_service(&m->out, &p[4]);
		ci_service(ci, m, &p[5]);
		if (p[1].revents & POLLIN)
			handle_signal(m, signal_fd);
		if (p[2].revents & POLLIN)
			control_serve(&m->control);
		if (p[3].revents & (POLLIN | POLLHUP | POLLERR))
			stdin_open = handle_stdin(m, interactive, &esc);
		if (p[3].revents & POLLNVAL)
			stdin_open = false;
	}
}

/* The exit screenshot is taken once the vCPUs stopped: the last frame. */
static void exit_screenshot(struct machine *m, const char *path)
{
	char err[512];

	if (!m->display || !path)
		return;
	if (machine_screenshot(m, path, err, sizeof(err)))
		log_error("--screenshot %s: %s", path, err);
}

/* Before anything is opened: what a parent leaked (util/fd_close.h). */
static int close_inherited_fds(const struct run_options *o)
{
	int keep[FD_KEEP_MAX];
	size_t n = fd_keep_asked(o->argv, o->argc, getenv("WAYLAND_SOCKET"), keep, FD_KEEP_MAX);
	int r = fd_close_stray(keep, n);

	if (r)
		log_error("cannot close inherited file descriptors: %s", strerror(-r));
	return r;
}

int run_vm(const struct run_options *o)
{
	struct machine m;
	struct ci *ci = calloc(1, sizeof(*ci));
	int status = EXIT_STATUS_USAGE;
	bool interactive;
	int signal_fd;

	log_debug_enabled = o->debug;
	if (close_inherited_fds(o)) {
		free(ci);
		return EXIT_STATUS_USAGE;
	}
	/* Before any thread starts: each enters its role's filter. */
	sandbox_mode = o->no_sandbox ? SANDBOX_OFF : o->debug ? SANDBOX_TRAP : SANDBOX_KILL;
	signal_fd = setup_signals();
	if (signal_fd < 0 || !ci) {
		free(ci);
		return EXIT_STATUS_USAGE;
	}
	/* The CI files fail before anything is built. */
	if (ci_open(ci, o))
		goto out_ci;
	if (machine_build(&m, o)) {
		status = ci_finish(ci, NULL, EXIT_STATUS_USAGE, VM_STOP_SETUP_ERROR);
		goto out;
	}
	ci_attach(ci, &m);
	interactive = term_raw_enable();
	if (ci_start(ci) || machine_start(&m) || sandbox_enter(SANDBOX_MAIN))
		vm_request_stop(&m.vm, EXIT_STATUS_USAGE, VM_STOP_SETUP_ERROR);
	main_loop(&m, ci, signal_fd, interactive);
	machine_stop(&m);
	console_out_flush(&m.out, FINAL_FLUSH_MS);
	exit_screenshot(&m, o->screenshot);
	status = ci_finish(ci, &m, m.vm.exit_status, m.vm.stop_reason);
	control_wait_end(&m.control.waits, status);
out:
	machine_teardown(&m);
out_ci:
	ci_close(ci);
	free(ci);
	term_raw_restore();
	close(signal_fd);
	return status;
}
