/* --expect-screen's cost, in process (no KVM): what one check costs the
 * GPU worker (gpu_capture of a 1280x800 frame over the 2D backend and the
 * headless display, the commands queued first included) and what it costs
 * the comparing thread (ci_screen_compare, matching and not, with and
 * without the diff image). Medians of N runs, printed one per line.
 *   build/bench-screen [N]        (make bench-screen; part of make bench) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "display/display.h"
#include "gpu/gpu.h"
#include "tests/unit/test_gpu_util.h"
#include "vmm/ci_screen_cmp.h"

#define W	 1280
#define H	 800
#define MEM_BASE 0x100000ull

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 50;
	size_t bytes = (size_t)W * H * 4;
	uint8_t *ram = calloc(1, bytes + (1 << 20)), req[4096];
	struct guest_mem gm;
	struct display_config dc = {.outputs = 1, .width = W, .height = H};
	char err[256];
	struct display *d = display_headless_open(&dc, err, sizeof(err));
	struct gpu_config cfg = {.outputs = 1, .width = W, .height = H, .display = d, .mem = &gm};
	struct gpu *g;
	struct gpu_mem_entry e = {.addr = MEM_BASE, .len = bytes};
	uint32_t *frame = malloc(bytes), *ref = malloc(bytes), *diff = malloc(bytes), fw, fh;
	double *t = calloc(n, sizeof(double));
	struct ci_screen_spec exact = {.path = "ref.png"},
			      tol = {.path = "ref.png", .tolerance = 8};
	struct ci_screen_cmp c;

	if (n < 1 || !ram || !d || !frame || !ref || !diff || !t) {
		fprintf(stderr, "bench-screen: setup failed %s\n", d ? "" : err);
		return 1;
	}
	guest_mem_init_flat(&gm, MEM_BASE, ram, bytes + (1 << 20));
	for (size_t i = 0; i < bytes; i++)
		ram[i] = (uint8_t)(i * 7 + (i >> 12));
	g = gpu_create(&cfg, err, sizeof(err));
	if (!g) {
		fprintf(stderr, "bench-screen: %s\n", err);
		return 1;
	}
	gpu_run_request(g, req, req_create_2d(req, 1, VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM, W, H));
	gpu_run_request(g, req, req_attach(req, 1, &e, 1));
	gpu_run_request(g, req, req_set_scanout(req, 0, 1, 0, 0, W, H));
	for (int i = 0; i < n; i++) {
		/* The guest changed the whole frame since the last check. */
		gpu_run_request(g, req, req_transfer(req, 1, 0, 0, W, H, 0));
		double t0 = now_ms();

		if (gpu_capture(g, 0, frame, W, H, &fw, &fh)) {
			fprintf(stderr, "bench-screen: capture failed\n");
			return 1;
		}
		t[i] = now_ms() - t0;
	}
	printf("gpu_capture %dx%d (on the worker, whole frame made current): %.3f ms\n", W, H,
	       median(t, n));
	memcpy(ref, frame, bytes);
	for (int i = 0; i < n; i++) {
		double t0 = now_ms();

		ci_screen_compare(&exact, frame, W, H, ref, W, H, NULL, &c);
		t[i] = now_ms() - t0;
	}
	printf("compare %dx%d, matching, exact: %.3f ms (%.0f Mpixel/s)\n", W, H, median(t, n),
	       W * H / median(t, n) / 1e3);
	ref[W * H / 2] ^= 0xff;
	for (int i = 0; i < n; i++) {
		double t0 = now_ms();

		ci_screen_compare(&tol, frame, W, H, ref, W, H, NULL, &c);
		t[i] = now_ms() - t0;
	}
	printf("compare %dx%d, one pixel off, tol=8: %.3f ms\n", W, H, median(t, n));
	for (int i = 0; i < n; i++) {
		double t0 = now_ms();

		ci_screen_compare(&tol, frame, W, H, ref, W, H, diff, &c);
		t[i] = now_ms() - t0;
	}
	printf("compare %dx%d with the diff image (once, at the end): %.3f ms\n", W, H,
	       median(t, n));
	gpu_destroy(g);
	display_destroy(d);
	free(ram);
	free(frame);
	free(ref);
	free(diff);
	free(t);
	return 0;
}
