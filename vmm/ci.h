/* A run judged for CI (README, "Running in CI"): --timeout, --expect,
 * --fail-on, --serial-log and --result, seen from the run loop.
 *
 *   ci_open()     before the machine is built: patterns, files, the tap
 *   ci_attach()   the consoles' taps into the built machine
 *   ci_start()    just before the vCPUs start: the timeout starts
 *   ci_pollfds()  / ci_service()   in the main loop
 *   ci_finish()   after the vCPUs stopped: the last console bytes, the
 *                 final status, the timeout screenshot, the result file
 *   ci_close()
 *
 * Console bytes are judged on the main thread; the vCPUs only copy them
 * into a ring (vmm/console_tap.h). A verdict the console reached counts
 * however the VM then ended, since the guest wrote those bytes first: a
 * --fail-on line gives 3, every --expect seen gives 0. Otherwise a timeout
 * gives 4, and a VM that ended with status 0 before every --expect was
 * seen gives 5; other endings keep their status. */
#ifndef LKVM_VMM_CI_H
#define LKVM_VMM_CI_H

#include <poll.h>
#include <stdbool.h>
#include <time.h>

#include "vmm/ci_match.h"
#include "vmm/ci_screen.h"
#include "vmm/console_tap.h"
#include "vmm/machine.h"
#include "vmm/options.h"
#include "vmm/serial_log.h"

#define CI_POLLFDS 3

struct ci {
	const struct run_options *o;
	bool judging; /* any CI option: a verdict, a log or a result is wanted */
	struct console_tap tap;
	struct ci_match match;
	struct ci_screen screen; /* --expect-screen */
	struct gpu *gpu;	 /* the machine's, once attached (NULL: none) */
	struct serial_log log;
	unsigned long long dropped_logged;
	int timer_fd; /* -1 without --timeout */
	struct timespec t0, wall0;
};

/* 0, or -1 after one line on stderr (exit status 2, nothing started). */
int ci_open(struct ci *ci, const struct run_options *o);
void ci_attach(struct ci *ci, struct machine *m);
int ci_start(struct ci *ci);
/* Fill CI_POLLFDS entries; then hand them back after poll(). */
void ci_pollfds(struct ci *ci, struct pollfd *p);
void ci_service(struct ci *ci, struct machine *m, const struct pollfd *p);
/* The run's exit status; writes --result. m is NULL if it was never built. */
int ci_finish(struct ci *ci, struct machine *m, int status, enum vm_stop_reason why);
void ci_close(struct ci *ci);

/* For ci_finish.c: the consoles' last bytes, judged, unfinished lines
 * included (the vCPUs have stopped); seconds since ci_open(). */
void ci_drain_last(struct ci *ci);
double ci_elapsed_s(const struct ci *ci);
/* Every --expect and every --expect-screen seen (and there was one). */
bool ci_expects_met(const struct ci *ci);

#endif
