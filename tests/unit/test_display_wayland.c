/* The Wayland display against a real weston (headless backend, pixman
 * renderer) started by the test in a private XDG_RUNTIME_DIR. Pixels are
 * checked through weston's own screenshooter (enabled by --debug) with the
 * desktop shell, which places the window somewhere: the check finds it.
 * The kiosk shell (which sizes toplevels to the output) drives the resize
 * test. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "display/display.h"
#include "display/png.h"
#include "display/wayland_priv.h"
#include "tests/unit/test_display_weston.h"

#define FW 200 /* frame size */
/* The desktop shell fades new windows in: wait that out. */
#define MAP_SETTLE_MS 300
#define FH	      120

static int resizes, closes;
static uint32_t resize_w, resize_h;

static void on_resize(void *opaque, unsigned output, uint32_t w, uint32_t h)
{
	resizes++;
	resize_w = w;
	resize_h = h;
}

static void on_close(void *opaque)
{
	closes++;
}

static void start_weston(void)
{
	start_weston_shell("--shell=desktop-shell.so");
	resizes = closes = 0;
}

static void start_kiosk(void)
{
	start_weston_shell("--shell=kiosk-shell.so");
	resizes = closes = 0;
}

TestSuite(display_wayland, .init = start_weston, .fini = stop_weston, .timeout = 30);

static struct display *open_wl(uint32_t w, uint32_t h)
{
	struct display_config cfg = {.outputs = 1, .width = w, .height = h, .title = "test-vm"};
	char err[256];
	struct display *d = display_wayland_open(&cfg, err, sizeof(err));

	cr_assert_not_null(d, "%s", err);
	display_set_events(d, &(struct display_events){.resize = on_resize, .close = on_close});
	return d;
}

/* What the worker does: dispatch while the fd is readable, for ms. */
static void pump(struct display *d, int ms)
{
	struct pollfd p = {.fd = d->ops->get_fd(d), .events = POLLIN};

	for (int t = 0; t < ms; t += 10)
		if (poll(&p, 1, 10) > 0)
			cr_assert_geq(d->ops->dispatch(d), 0);
}

static uint32_t pattern(uint32_t x, uint32_t y, uint32_t gen)
{
	return (x * 5 + gen * 40) % 256 << 16 | (y * 3) % 256 << 8 | ((x ^ y) + gen * 7) % 256;
}

/* The shell animates new windows: retry for up to 3 s until the whole
 * frame is on screen exactly. */
static void check_screen(struct display *d, const uint32_t *frame)
{
	for (int i = 0; i < 15; i++) {
		uint32_t *shot = compositor_shot();
		bool ok = weston_shows(shot, frame, FW, FH);

		free(shot);
		if (ok)
			return;
		pump(d, 200);
	}
	cr_assert_fail("frame never appeared exactly on screen");
}

Test(display_wayland, toplevel_shows_frame_pixel_exact)
{
	struct display *d = open_wl(FW, FH);
	static uint32_t frame[FW * FH];
	struct display_frame f = {
	    .format = PIXMAN_x8r8g8b8, .width = FW, .height = FH, .stride = FW * 4, .data = frame};
	struct display_rect all = {0, 0, FW, FH};

	for (uint32_t y = 0; y < FH; y++)
		for (uint32_t x = 0; x < FW; x++)
			frame[y * FW + x] = pattern(x, y, 0);
	pump(d, 50);
	d->ops->present(d, 0, &f, &all);
	pump(d, MAP_SETTLE_MS);
	check_screen(d, frame);
	cr_assert_eq(resizes, 0, "same size: no resize event");
	d->ops->destroy(d);
}

/* Before the guest's first frame the window is already there, black at
 * the configured size, as on X11: a compositor maps a surface only with a
 * buffer, and a window that is not mapped cannot be focused, typed into
 * or closed. Weston's own background is not black. */
Test(display_wayland, window_shows_black_before_the_first_frame)
{
	struct display *d = open_wl(FW, FH);
	static const uint32_t black[FW * FH];

	pump(d, MAP_SETTLE_MS);
	check_screen(d, black);
	d->ops->destroy(d);
}

/* Wayland reads pixels when presented: the GPU must make them current
 * first (headless may wait for a screenshot). */
Test(display_wayland, is_not_lazy)
{
	struct display *d = open_wl(FW, FH);

	cr_assert_not(d->ops->lazy_present);
	d->ops->destroy(d);
}

Test(display_wayland, damaged_rects_only_and_double_buffering)
{
	struct display *d = open_wl(FW, FH);
	static uint32_t frame[FW * FH];
	struct display_frame f = {
	    .format = PIXMAN_x8r8g8b8, .width = FW, .height = FH, .stride = FW * 4, .data = frame};
	struct display_rect all = {0, 0, FW, FH};
	struct display_rect rects[] = {{10, 10, 50, 40}, {120, 60, 80, 50}, {0, 100, 200, 20}};
	int ox, oy;

	for (uint32_t i = 0; i < FW * FH; i++)
		frame[i] = pattern(i % FW, i / FW, 0);
	pump(d, 50);
	d->ops->present(d, 0, &f, &all);
	pump(d, MAP_SETTLE_MS);
	/* Change one rectangle at a time, telling the display only that. */
	for (unsigned k = 0; k < 3; k++) {
		struct display_rect *r = &rects[k];

		for (uint32_t y = r->y; y < r->y + r->h; y++)
			for (uint32_t x = r->x; x < r->x + r->w; x++)
				frame[y * FW + x] = pattern(x, y, k + 1);
		d->ops->present(d, 0, &f, r);
		pump(d, 60);
	}
	check_screen(d, frame);
	/* Pixels outside every damage rect that we change now must NOT show:
	 * proof that only damage is copied. */
	frame[5 * FW + 190] = 0x123456;
	d->ops->present(d, 0, &f, &rects[0]);
	pump(d, 100);
	uint32_t *shot = compositor_shot();
	cr_assert(weston_find_frame(shot, frame, FW, FH, &ox, &oy));
	cr_assert_eq(shot[(oy + 5) * OUT_W + ox + 190], pattern(190, 5, 0));
	free(shot);
	d->ops->destroy(d);
}

/* Scattered damage while the compositor holds both buffers: each buffer's
 * stale region must stay within 16 rectangles (past that it becomes its
 * bounding box), or the next draw's blits and damage requests grow with
 * every flush; and the collapsed region must still bring the window up to
 * date. The bound is read from the buffers' stale regions
 * (wayland_priv.h), which are exactly what the next draw blits and
 * damages, one request per rectangle. */
#define STALE_BOUND 16

Test(display_wayland, many_scattered_damages_while_buffers_busy)
{
	struct display *d = open_wl(FW, FH);
	struct wl_out *o = &to_wl(d)->out[0];
	static uint32_t frame[FW * FH];
	struct display_frame f = {
	    .format = PIXMAN_x8r8g8b8, .width = FW, .height = FH, .stride = FW * 4, .data = frame};
	struct display_rect all = {0, 0, FW, FH};

	for (uint32_t i = 0; i < FW * FH; i++)
		frame[i] = pattern(i % FW, i / FW, 0);
	pump(d, 50);
	d->ops->present(d, 0, &f, &all);
	pump(d, MAP_SETTLE_MS);
	/* No dispatch in between: no release is read, so after at most two
	 * draws every present only adds to the stale regions. */
	for (uint32_t k = 0; k < 200; k++) {
		uint32_t x = (k * 37) % FW, y = (k * 53) % FH;
		struct display_rect r = {x, y, 1, 1};

		frame[y * FW + x] = pattern(x, y, k + 1);
		d->ops->present(d, 0, &f, &r);
	}
	/* Both buffers are busy now (the first present of the loop drew the
	 * free one), so both hold most of the 200 scattered pixels. */
	for (int b = 0; b < NBUF; b++) {
		int n = pixman_region32_n_rects(&o->bufs[b].stale);

		cr_assert(o->bufs[b].busy, "buffer %d should be held by the compositor", b);
		cr_assert_gt(n, 0, "buffer %d lacks the scattered damage", b);
		cr_assert_leq(n, STALE_BOUND, "buffer %d: %d stale rectangles (bound %d)", b, n,
			      STALE_BOUND);
	}
	pump(d, 100);
	check_screen(d, frame);
	d->ops->destroy(d);
}

Test(display_wayland_kiosk, compositor_size_becomes_resize_event, .init = start_kiosk,
     .fini = stop_weston, .timeout = 30)
{
	struct display *d = open_wl(256, 160);

	/* Kiosk shell makes the toplevel fullscreen: the output's size. */
	pump(d, 100);
	cr_assert_eq(resizes, 1);
	cr_assert_eq(resize_w, OUT_W);
	cr_assert_eq(resize_h, OUT_H);
	d->ops->destroy(d);
}

Test(display_wayland, screenshot_of_own_buffer)
{
	struct display *d = open_wl(FW, FH);
	static uint32_t frame[FW * FH];
	struct display_frame f = {
	    .format = PIXMAN_x8r8g8b8, .width = FW, .height = FH, .stride = FW * 4, .data = frame};
	struct display_rect all = {0, 0, FW, FH};
	char path[128];
	uint32_t *px, w, h;

	for (uint32_t i = 0; i < FW * FH; i++)
		frame[i] = pattern(i % FW, i / FW, 3);
	pump(d, 50);
	d->ops->present(d, 0, &f, &all);
	pump(d, 50);
	d->ops->disable(d, 0);
	memset(frame, 0, sizeof(frame));
	snprintf(path, sizeof(path), "%s/own.png", dir);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &px, &w, &h), 0);
	cr_assert_eq(w, FW);
	cr_assert_eq(px[77 * FW + 99], pattern(99, 77, 3));
	free(px);
	d->ops->destroy(d);
}

/* The window leaves the cursor to the host pointer, but a screenshot is
 * the guest's screen: cursor composed at pointer - hotspot, as headless
 * does (the integration test compares it with the probe's CRC). */
Test(display_wayland, screenshot_composes_guest_cursor)
{
	struct display *d = open_wl(FW, FH);
	static uint32_t frame[FW * FH], cur[64 * 64];
	struct display_frame f = {
	    .format = PIXMAN_x8r8g8b8, .width = FW, .height = FH, .stride = FW * 4, .data = frame};
	struct display_rect all = {0, 0, FW, FH};
	char path[128];
	uint32_t *px, w, h;

	for (uint32_t i = 0; i < FW * FH; i++)
		frame[i] = pattern(i % FW, i / FW, 1);
	cur[0] = 0xffff0000;
	cur[64 * 5 + 6] = 0xff00ff00;
	pump(d, 50);
	d->ops->present(d, 0, &f, &all);
	d->ops->set_cursor(d, 0, cur, 2, 3);
	d->ops->move_cursor(d, 0, 40, 30);
	snprintf(path, sizeof(path), "%s/cursor.png", dir);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &px, &w, &h), 0);
	cr_assert_eq(px[27 * FW + 38], 0xff0000, "cursor (0,0) at pointer - hot: %06x",
		     px[27 * FW + 38]);
	cr_assert_eq(px[32 * FW + 44], 0x00ff00);
	cr_assert_eq(px[27 * FW + 39], pattern(39, 27, 1), "transparent cursor pixel");
	free(px);
	/* Still there from the kept buffer after the frame goes away. */
	d->ops->disable(d, 0);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &px, &w, &h), 0);
	cr_assert_eq(px[27 * FW + 38], 0xff0000);
	free(px);
	/* Hidden: the frame alone. */
	d->ops->set_cursor(d, 0, NULL, 0, 0);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &px, &w, &h), 0);
	cr_assert_eq(px[27 * FW + 38], pattern(38, 27, 1));
	free(px);
	d->ops->destroy(d);
}

Test(display_wayland, compositor_exit_reports_close)
{
	struct display *d = open_wl(FW, FH);
	struct pollfd p = {.fd = d->ops->get_fd(d), .events = POLLIN};
	int r = 0;

	kill(weston, SIGTERM);
	waitpid(weston, NULL, 0);
	weston = -1;
	for (int i = 0; i < 100 && r >= 0; i++)
		if (poll(&p, 1, 20) > 0)
			r = d->ops->dispatch(d);
	cr_assert_lt(r, 0);
	cr_assert_eq(closes, 1);
	d->ops->destroy(d);
}

Test(display_wayland, no_compositor_falls_back_to_next_mode)
{
	struct display_config cfg = {.outputs = 1, .width = 64, .height = 48};
	char err[256];
	struct display *d;

	setenv("WAYLAND_DISPLAY", "no-such-socket", 1);
	cr_assert_null(display_wayland_open(&cfg, err, sizeof(err)));
	cr_assert(strstr(err, "compositor"), "%s", err);
	d = display_open("wayland,headless", &cfg, err, sizeof(err));
	cr_assert_not_null(d);
	cr_assert_str_eq(d->ops->name, "headless");
	display_destroy(d);
	cr_assert_null(display_open("wayland", &cfg, err, sizeof(err)));
}

/* Issue 13, finding 7: wl_shm takes the pool size, offsets and strides as
 * int32 (wayland.xml), and an output's pool holds NBUF (2) buffers of
 * w x h x 4 bytes. The biggest resource (16384 x 16384, 1 GiB with a big
 * --gpu-mem) needs a 2 GiB pool: one byte more than INT32_MAX. */
Test(wayland_shm_layout, sizes_the_protocol_cannot_carry_are_refused)
{
	struct wl_shm_layout l;

	cr_assert_eq(wayland_shm_layout(1280, 800, &l), 0);
	cr_assert_eq(l.stride, 5120);
	cr_assert_eq(l.one, 4096000);
	cr_assert_eq(l.pool, 8192000);
	cr_assert_eq(wayland_shm_layout(16384, 16383, &l), 0);
	cr_assert_eq(l.pool, 2147352576); /* 2^31 - 2^17 */
	cr_assert_eq(wayland_shm_layout(16384, 16384, &l), -EOVERFLOW);
	cr_assert_eq(wayland_shm_layout(1u << 29, 1, &l), -EOVERFLOW); /* stride 2^31 */
	cr_assert_eq(wayland_shm_layout(UINT32_MAX, UINT32_MAX, &l), -EOVERFLOW);
	cr_assert_eq(wayland_shm_layout(0, 10, &l), -EOVERFLOW);
}

/* The same against weston: a frame too big for wl_shm is not shown (no
 * protocol error kills the connection), and the next one is. Its pixels
 * are never read: an untouched 1 GiB reservation stands in for them. */
Test(display_wayland, frame_too_big_for_wl_shm_is_refused_and_the_next_shown)
{
	struct display *d = open_wl(FW, FH);
	const uint32_t big = 16384;
	void *huge = mmap(NULL, (size_t)big * big * 4, PROT_READ,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	struct display_frame f = {.format = PIXMAN_x8r8g8b8,
				  .width = big,
				  .height = big,
				  .stride = big * 4,
				  .data = huge};
	struct display_rect all = {0, 0, big, big};
	static uint32_t frame[FW * FH];
	char path[128];
	uint32_t *px, w, h;

	cr_assert_neq(huge, MAP_FAILED);
	pump(d, 50);
	d->ops->present(d, 0, &f, &all);
	pump(d, 200);
	munmap(huge, (size_t)big * big * 4);
	for (uint32_t i = 0; i < FW * FH; i++)
		frame[i] = pattern(i % FW, i / FW, 5);
	f = (struct display_frame){
	    .format = PIXMAN_x8r8g8b8, .width = FW, .height = FH, .stride = FW * 4, .data = frame};
	all = (struct display_rect){0, 0, FW, FH};
	d->ops->present(d, 0, &f, &all);
	pump(d, MAP_SETTLE_MS);
	cr_assert_eq(closes, 0, "the connection survived");
	check_screen(d, frame);
	snprintf(path, sizeof(path), "%s/after-big.png", dir);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &px, &w, &h), 0);
	cr_assert_eq(w, FW);
	free(px);
	d->ops->destroy(d);
}
