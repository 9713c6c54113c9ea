#include "vmm/ci.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "util/eventfd.h"
#include "util/log.h"
#include "virtio/console.h"
#include "vmm/ci_result.h"
#include "vmm/exit_status.h"
#include "vmm/input.h"

_Static_assert(OPT_MAX_PATTERNS == CI_MAX_PATTERNS, "options and matcher agree on the bound");

double ci_elapsed_s(const struct ci *ci)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - ci->t0.tv_sec) + (t.tv_nsec - ci->t0.tv_nsec) / 1e9;
}

static int open_files(struct ci *ci, const struct run_options *o)
{
	char err[PATH_MAX + 128];

	if (o->result && ci_result_check_path(o->result, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	if (o->serial_log && serial_log_open(&ci->log, o->serial_log, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

int ci_open(struct ci *ci, const struct run_options *o)
{
	char err[512];

	memset(ci, 0, sizeof(*ci));
	ci->screen.stop_fd = ci->screen.done_fd = -1;
	ci->o = o;
	ci->tap.fd = ci->timer_fd = -1;
	ci->log.last_src = -1;
	clock_gettime(CLOCK_MONOTONIC, &ci->t0);
	clock_gettime(CLOCK_REALTIME, &ci->wall0);
	/* The consoles are always tapped: `lkvm-gpu wait` may ask any VM. */
	ci->judging = o->nr_expects || o->nr_fail_ons || o->serial_log || o->result ||
		      o->timeout_ms || o->nr_expect_screens;
	if (ci_match_init(&ci->match, o->expects, o->nr_expects, o->fail_ons, o->nr_fail_ons, err,
			  sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	if (ci_screen_open(&ci->screen, o->expect_screens, o->nr_expect_screens,
			   o->gpu ? o->gpu_outputs : 0, o->width, o->height, err, sizeof(err))) {
		log_error("%s", err);
		return -1;
	}
	if (open_files(ci, o) || console_tap_init(&ci->tap))
		return -1;
	if (o->timeout_ms) {
		ci->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (ci->timer_fd < 0) {
			log_error("--timeout: timerfd: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* A completed console line, for the control socket's waiting clients and
 * the typist's --type-after patterns. */
static void line_to_waiters(void *ctx, const char *line)
{
	struct machine *m = ctx;

	control_wait_line(&m->control.waits, line);
	vm_input_console_line(m->input, line);
}

static unsigned tail_for_waiters(void *ctx, unsigned i, const char **line)
{
	return ci_match_tail(ctx, i, line);
}

void ci_attach(struct ci *ci, struct machine *m)
{
	ci->match.on_line = line_to_waiters;
	ci->match.on_line_ctx = m;
	m->control.console = (struct control_console){.tail = tail_for_waiters, .ctx = &ci->match};
	ci->gpu = m->gpu;
	serial_set_tap(&m->serial, console_tap_sink(&ci->tap, CI_TTYS0));
	if (m->vcon)
		virtio_console_set_tap(m->vcon, console_tap_sink(&ci->tap, CI_HVC0));
}

int ci_start(struct ci *ci)
{
	uint64_t ms = ci->o->timeout_ms;
	struct itimerspec t = {.it_value = {.tv_sec = ms / 1000, .tv_nsec = ms % 1000 * 1000000}};

	if (ci->screen.n && (!ci->gpu || ci_screen_start(&ci->screen, ci->gpu, &ci->t0))) {
		log_error("--expect-screen: cannot start comparing: %s",
			  ci->gpu ? strerror(errno) : "no GPU");
		return -1;
	}
	if (ci->timer_fd < 0 || timerfd_settime(ci->timer_fd, 0, &t, NULL) == 0)
		return 0;
	log_error("--timeout: cannot arm the timer: %s", strerror(errno));
	return -1;
}

void ci_pollfds(struct ci *ci, struct pollfd *p)
{
	p[0] = (struct pollfd){.fd = ci->tap.fd, .events = POLLIN};
	p[1] = (struct pollfd){.fd = ci->timer_fd, .events = POLLIN};
	p[2] = (struct pollfd){.fd = ci_screen_done_fd(&ci->screen), .events = POLLIN};
}

bool ci_expects_met(const struct ci *ci)
{
	const struct ci_match *m = &ci->match;

	return (m->nr_expects || ci->screen.n) &&
	       (m->nr_expects == 0 || m->verdict == CI_EXPECTS_MET) &&
	       ci_screen_all_met(&ci->screen);
}

/* A new count of bytes the rings dropped goes into the log once. */
static void note_drops(struct ci *ci, const struct timespec *wall)
{
	unsigned long long dropped = console_tap_dropped(&ci->tap);
	char note[128];

	if (dropped == ci->dropped_logged)
		return;
	snprintf(note, sizeof(note), "%llu console bytes dropped so far (the runner fell behind)",
		 dropped);
	serial_log_note(&ci->log, note, wall);
	ci->dropped_logged = dropped;
}

/* Everything the consoles wrote so far, into the log and the matcher. */
static enum ci_verdict drain(struct ci *ci)
{
	char buf[4096];
	struct timespec wall;

	clock_gettime(CLOCK_REALTIME, &wall);
	console_tap_rearm(&ci->tap);
	for (unsigned s = 0; s < CI_NR_SOURCES; s++) {
		size_t n;

		while ((n = console_tap_pop(&ci->tap, s, buf, sizeof(buf)))) {
			serial_log_write(&ci->log, s, buf, n, &wall);
			ci_match_feed(&ci->match, s, buf, n, ci_elapsed_s(ci));
		}
	}
	note_drops(ci, &wall);
	return ci->match.verdict;
}

void ci_drain_last(struct ci *ci)
{
	drain(ci);
	ci_match_finish(&ci->match, ci_elapsed_s(ci));
}

void ci_service(struct ci *ci, struct machine *m, const struct pollfd *p)
{
	uint64_t expirations;

	if ((p[0].revents | p[2].revents) & POLLIN) {
		/* The console or the screen moved on: the verdict may be in. */
		enum ci_verdict v = drain(ci);

		vm_input_console_partial(m->input, &ci->match); /* a prompt, no newline yet */
		if (v == CI_FAIL_SEEN)
			vm_request_stop(&m->vm, EXIT_STATUS_FAIL_ON, VM_STOP_RUNNER);
		else if (ci_expects_met(ci))
			vm_request_stop(&m->vm, EXIT_STATUS_OK, VM_STOP_RUNNER);
		if (p[2].revents & POLLIN)
			efd_drain(p[2].fd, "expect-screen");
	}
	if ((p[1].revents & POLLIN) &&
	    read(ci->timer_fd, &expirations, sizeof(expirations)) == sizeof(expirations))
		vm_request_stop(&m->vm, EXIT_STATUS_TIMEOUT, VM_STOP_RUNNER);
}

void ci_close(struct ci *ci)
{
	if (ci->match.tail)
		ci_match_destroy(&ci->match);
	ci_screen_close(&ci->screen);
	serial_log_close(&ci->log);
	if (ci->tap.fd >= 0)
		console_tap_destroy(&ci->tap);
	if (ci->timer_fd >= 0)
		close(ci->timer_fd);
	ci->timer_fd = -1;
}
