#include "vmm/ci_screen.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "display/png.h"
#include "gpu/gpu.h"
#include "util/eventfd.h"
#include "util/log.h"

static int load(struct ci_screen_expect *e, unsigned nr_outputs, uint32_t out_w, uint32_t out_h,
		char *err, size_t errlen)
{
	char why[256];

	if (nr_outputs == 0) {
		snprintf(err, errlen, "--expect-screen needs --gpu");
		return -1;
	}
	if (e->spec.output >= nr_outputs) {
		snprintf(err, errlen, "--expect-screen %s: output=%u, but the GPU has %u output%s",
			 e->spec.path, e->spec.output, nr_outputs, nr_outputs == 1 ? "" : "s");
		return -1;
	}
	if (png_read_xrgb_err(e->spec.path, &e->ref, &e->ref_w, &e->ref_h, why, sizeof(why))) {
		snprintf(err, errlen, "--expect-screen %s: cannot read the reference: %s",
			 e->spec.path, why);
		return -1;
	}
	return ci_screen_check_size(&e->spec, e->ref_w, e->ref_h, out_w, out_h, err, errlen);
}

int ci_screen_open(struct ci_screen *s, const char *const *args, unsigned n, unsigned nr_outputs,
		   uint32_t out_w, uint32_t out_h, char *err, size_t errlen)
{
	memset(s, 0, sizeof(*s));
	s->stop_fd = s->done_fd = -1;
	if (n == 0)
		return 0;
	if (n > CI_MAX_SCREENS) {
		snprintf(err, errlen, "--expect-screen: at most %d references", CI_MAX_SCREENS);
		return -1;
	}
	for (unsigned i = 0; i < n; i++) {
		s->n = i + 1; /* what close must free */
		if (ci_screen_spec_parse(args[i], &s->e[i].spec, err, errlen) ||
		    load(&s->e[i], nr_outputs, out_w, out_h, err, errlen))
			return -1;
	}
	s->out_w = out_w;
	s->out_h = out_h;
	s->frame = malloc((size_t)out_w * out_h * 4);
	s->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	s->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!s->frame || s->stop_fd < 0 || s->done_fd < 0) {
		snprintf(err, errlen, "--expect-screen: %s", strerror(errno ? errno : ENOMEM));
		return -1;
	}
	return 0;
}

static double elapsed_s(const struct ci_screen *s)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - s->t0.tv_sec) + (t.tv_nsec - s->t0.tv_nsec) / 1e9;
}

static unsigned next(const struct ci_screen *s)
{
	return __atomic_load_n(&s->next, __ATOMIC_ACQUIRE);
}

/* Compare the current frame with the references in turn: true while one
 * matched (the next one is then compared with a fresh frame at once). */
static bool check_next(struct ci_screen *s)
{
	unsigned i = next(s);
	struct ci_screen_expect *e;
	int ret;

	if (i >= s->n)
		return false;
	e = &s->e[i];
	ret = gpu_capture(s->gpu, e->spec.output, s->frame, s->out_w, s->out_h, &e->frame_w,
			  &e->frame_h);
	e->checks++;
	if (ret)
		return false; /* nothing shown yet, or another size: no match */
	e->compared = true;
	if (!ci_screen_compare(&e->spec, s->frame, s->out_w, s->out_h, e->ref, e->ref_w, e->ref_h,
			       NULL, &e->last))
		return false;
	e->matched = true;
	e->time_s = elapsed_s(s);
	__atomic_store_n(&s->next, i + 1, __ATOMIC_RELEASE);
	return true;
}

static void *screen_main(void *arg)
{
	struct ci_screen *s = arg;
	struct pollfd p = {.fd = s->stop_fd, .events = POLLIN};

	for (;;) {
		while (check_next(s))
			;
		if (next(s) == s->n) {
			efd_signal(s->done_fd, "expect-screen");
			return NULL;
		}
		/* A modest pace: a copy and a compare per interval, no more. */
		if (poll(&p, 1, CI_SCREEN_INTERVAL_MS) > 0)
			return NULL;
	}
}

int ci_screen_start(struct ci_screen *s, struct gpu *gpu, const struct timespec *t0)
{
	int ret;

	if (s->n == 0)
		return 0;
	s->gpu = gpu;
	s->t0 = *t0;
	ret = pthread_create(&s->thread, NULL, screen_main, s);
	if (ret) {
		errno = ret;
		return -1;
	}
	pthread_setname_np(s->thread, "expect-screen");
	s->started = true;
	return 0;
}

int ci_screen_done_fd(const struct ci_screen *s)
{
	return s->done_fd;
}

bool ci_screen_all_met(const struct ci_screen *s)
{
	return next(s) == s->n;
}

static void stop_thread(struct ci_screen *s)
{
	if (!s->started)
		return;
	efd_signal(s->stop_fd, "expect-screen");
	pthread_join(s->thread, NULL);
	s->started = false;
}

void ci_screen_finish(struct ci_screen *s)
{
	if (!s->gpu)
		return; /* never started: no machine */
	stop_thread(s);
	while (check_next(s))
		;
}

/* STEM-expect-screen-I.png, or STEM-expect-screen-I-diff.png. */
static char *evidence_path(const char *stem, unsigned i, const char *tail)
{
	char *p;

	return asprintf(&p, "%s-expect-screen-%u%s.png", stem, i, tail) < 0 ? NULL : p;
}

static void write_png(char **keep, char *path, const uint32_t *px, uint32_t w, uint32_t h)
{
	int ret;

	if (!path)
		return;
	ret = png_write_xrgb(path, px, w, h, w * 4);
	if (ret) {
		log_error("--expect-screen: %s: %s", path, strerror(-ret));
		free(path);
		return;
	}
	*keep = path;
}

void ci_screen_evidence(struct ci_screen *s, const char *stem)
{
	unsigned i = next(s);
	struct ci_screen_expect *e;
	uint32_t *diff;

	if (i >= s->n)
		return;
	e = &s->e[i];
	if (!e->compared) {
		if (e->frame_w)
			log_info(
			    "--expect-screen %s: never matched: output %u showed %ux%u frames, "
			    "the reference is for %ux%u",
			    e->spec.path, e->spec.output, e->frame_w, e->frame_h, s->out_w,
			    s->out_h);
		else
			log_info("--expect-screen %s: never matched: output %u showed nothing",
				 e->spec.path, e->spec.output);
		return;
	}
	log_info("--expect-screen %s: never matched: at the last of %llu checks %llu of %llu "
		 "pixels differed (by up to %u, tolerance %u), the first at (%u,%u)",
		 e->spec.path, e->checks, (unsigned long long)e->last.mismatched,
		 (unsigned long long)e->last.compared, e->last.max_delta, e->spec.tolerance,
		 e->last.first_x, e->last.first_y);
	if (!stem)
		return;
	diff = malloc((size_t)s->out_w * s->out_h * 4);
	if (!diff)
		return;
	/* The frame compared last is still in s->frame: its diff again. */
	ci_screen_compare(&e->spec, s->frame, s->out_w, s->out_h, e->ref, e->ref_w, e->ref_h, diff,
			  &e->last);
	write_png(&e->frame_path, evidence_path(stem, i, ""), s->frame, s->out_w, s->out_h);
	write_png(&e->diff_path, evidence_path(stem, i, "-diff"), diff, s->out_w, s->out_h);
	free(diff);
}

void ci_screen_close(struct ci_screen *s)
{
	stop_thread(s); /* the GPU may be gone: no last look */
	for (unsigned i = 0; i < s->n; i++) {
		free(s->e[i].ref);
		free(s->e[i].frame_path);
		free(s->e[i].diff_path);
	}
	free(s->frame);
	if (s->stop_fd >= 0)
		close(s->stop_fd);
	if (s->done_fd >= 0)
		close(s->done_fd);
	memset(s, 0, sizeof(*s));
	s->stop_fd = s->done_fd = -1;
}
