/* --expect-screen at run time: the reference images, read and checked
 * before the VM boots, and a thread that compares the expected output with
 * the next reference every CI_SCREEN_INTERVAL_MS, in order.
 *
 * The thread asks the GPU for a copy of the frame (gpu_capture: the GPU
 * worker copies, a vCPU never waits) and compares it here, off the worker.
 * When the last reference has matched it signals done_fd, which the main
 * loop polls. At the end, a reference that never matched leaves the last
 * frame compared with it and a diff image (vmm/ci_screen_cmp.h). */
#ifndef LKVM_VMM_CI_SCREEN_H
#define LKVM_VMM_CI_SCREEN_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "vmm/ci_screen_cmp.h"
#include "vmm/ci_screen_spec.h"

#define CI_SCREEN_INTERVAL_MS 200

struct gpu;

struct ci_screen_expect {
	struct ci_screen_spec spec;
	uint32_t *ref, ref_w, ref_h;
	/* The outcome (written by the thread; read once it was joined). */
	bool matched;
	double time_s;		      /* seconds from the run's start to the match */
	unsigned long long checks;    /* frames captured for it */
	bool compared;		      /* a frame of the output's size was compared */
	struct ci_screen_cmp last;    /* the last comparison */
	uint32_t frame_w, frame_h;    /* the last frame's size; 0: nothing shown */
	char *frame_path, *diff_path; /* evidence kept at the end, or NULL */
};

struct ci_screen {
	struct ci_screen_expect e[CI_MAX_SCREENS];
	unsigned n;
	unsigned next; /* the reference being waited for; n: all matched */
	struct gpu *gpu;
	uint32_t out_w, out_h;
	uint32_t *frame; /* out_w x out_h: the last frame compared with e[next] */
	struct timespec t0;
	int stop_fd, done_fd;
	pthread_t thread;
	bool started;
};

/* Parse every argument, read the references, check their sizes against
 * outputs of out_w x out_h (nr_outputs of them; 0: no GPU). 0, or -1 with
 * one line in err. With n == 0 nothing is made. */
int ci_screen_open(struct ci_screen *s, const char *const *args, unsigned n, unsigned nr_outputs,
		   uint32_t out_w, uint32_t out_h, char *err, size_t errlen);
/* Start comparing (the clock of time_s starts at t0). 0 or -1 (errno). */
int ci_screen_start(struct ci_screen *s, struct gpu *gpu, const struct timespec *t0);
/* Readable once every reference matched; -1 without --expect-screen. */
int ci_screen_done_fd(const struct ci_screen *s);
bool ci_screen_all_met(const struct ci_screen *s);
/* Stop the thread, then compare once more (the VM has stopped: its last
 * frame counts, as the console's last line does). */
void ci_screen_finish(struct ci_screen *s);
/* For the first reference that did not match: write the last frame and
 * its diff as STEM-expect-screen-I.png and STEM-expect-screen-I-diff.png
 * (I: its index). Logs a line either way. */
void ci_screen_evidence(struct ci_screen *s, const char *stem);
void ci_screen_close(struct ci_screen *s);

#endif
