/* X11 present benchmark: full-frame damage presented straight through the
 * display ops (no guest, no GPU) on the X server in DISPLAY, counting only
 * frames that reached the server: after each present we dispatch until the
 * display is not waiting for a free buffer (MIT-SHM: a ShmCompletion), and
 * the clock stops after a round trip, when the server has done them all.
 * Usage: x11_fps WIDTH HEIGHT SECONDS. Prints "x11_fps PATH FPS" where PATH
 * is shm or putimage (LKVM_X11_NO_SHM=1 forces the latter). */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "display/display.h"
#include "display/x11_priv.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	uint32_t w = argc > 1 ? (uint32_t)atoi(argv[1]) : 1920;
	uint32_t h = argc > 2 ? (uint32_t)atoi(argv[2]) : 1080;
	double secs = argc > 3 ? atof(argv[3]) : 3, t0, t;
	struct display_config cfg = {.outputs = 1, .width = w, .height = h, .title = "bench"};
	char err[256];
	struct display *d = display_x11_open(&cfg, err, sizeof(err));
	struct display_rect all = {0, 0, w, h};
	uint32_t *px[2];
	unsigned long frames = 0;

	if (!d) {
		fprintf(stderr, "x11_fps: %s\n", err);
		return 2;
	}
	struct x11 *x = to_x11(d);
	struct pollfd p = {.fd = d->ops->get_fd(d), .events = POLLIN};

	/* Two different pictures, alternated: every frame changes every
	 * pixel. */
	for (int k = 0; k < 2; k++) {
		px[k] = malloc((size_t)w * h * 4);
		if (!px[k])
			return 2;
		for (size_t i = 0; i < (size_t)w * h; i++)
			px[k][i] = (uint32_t)(i * 2654435761u) ^ (k ? 0xffffffu : 0);
	}
	/* The window is mapped before the clock starts. */
	for (int i = 0; i < 20; i++) {
		poll(&p, 1, 10);
		d->ops->dispatch(d);
	}
	t0 = now();
	do {
		struct display_frame f = {.format = PIXMAN_x8r8g8b8,
					  .width = w,
					  .height = h,
					  .stride = w * 4,
					  .data = px[frames & 1]};

		d->ops->present(d, 0, &f, &all);
		frames++;
		while (x->out[0].want_draw && !x->dead) {
			poll(&p, 1, 100);
			if (d->ops->dispatch(d) < 0)
				break;
		}
		t = now();
	} while (t - t0 < secs && !x->dead);
	free(xcb_get_input_focus_reply(x->c, xcb_get_input_focus(x->c), NULL));
	t = now();
	if (x->dead) {
		fprintf(stderr, "x11_fps: lost the X server\n");
		return 1;
	}
	printf("x11_fps %s %.1f\n", x->shm ? "shm" : "putimage", frames / (t - t0));
	d->ops->destroy(d);
	free(px[0]);
	free(px[1]);
	return 0;
}
