/* The X11 display against a real Xvfb started per test
 * (test_display_xvfb.h): pixels through MIT-SHM and through the forced
 * PutImage fallback compared exactly with GetImage of the window, Expose,
 * resize and close from the window manager's side, input injected with
 * xdotool compared with a model in evdev codes, and the server going
 * away. Expected values come from linux/input-event-codes.h and the
 * window's geometry, never from the display's code. */
#include <criterion/criterion.h>
#include <errno.h>
#include <linux/input-event-codes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "display/display.h"
#include "display/png.h"
#include "display/x11_priv.h"
#include "tests/unit/stderr_capture.h"
#include "tests/unit/test_display_xvfb.h"

#define FW 320
#define FH 240

/* ---- what the display reported ---- */

struct rec {
	char kind; /* k key, a abs, r rel, b button, w wheel, g grab */
	int a, b, c;
};
static struct rec recs[512];
static int nrec, resizes, closes;
static uint32_t resize_w, resize_h;

static void add(char kind, int a, int b, int c)
{
	if (nrec < (int)(sizeof(recs) / sizeof(recs[0])))
		recs[nrec++] = (struct rec){kind, a, b, c};
}
static void on_key(void *o, uint16_t code, bool down)
{
	add('k', code, down, 0);
}
static void on_abs(void *o, unsigned out, uint32_t x, uint32_t y)
{
	add('a', (int)out, (int)x, (int)y);
}
static void on_rel(void *o, int32_t dx, int32_t dy)
{
	add('r', dx, dy, 0);
}
static void on_button(void *o, uint16_t code, bool down)
{
	add('b', code, down, 0);
}
static void on_wheel(void *o, int32_t dy, int32_t dx)
{
	add('w', dy, dx, 0);
}
static void on_grab(void *o, bool g)
{
	add('g', g, 0, 0);
}
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

static void setup(void)
{
	nrec = resizes = closes = 0;
	start_xvfb();
}

TestSuite(display_x11, .init = setup, .fini = stop_xvfb, .timeout = 30);

static struct display *open_x11_size(uint32_t w, uint32_t h)
{
	struct display_config cfg = {.outputs = 1, .width = w, .height = h, .title = "test-vm"};
	char err[256];
	struct display *d = display_x11_open(&cfg, err, sizeof(err));

	cr_assert_not_null(d, "%s", err);
	display_set_events(d, &(struct display_events){
				  .resize = on_resize,
				  .close = on_close,
				  .input = {.key = on_key,
					    .pointer_abs = on_abs,
					    .pointer_rel = on_rel,
					    .button = on_button,
					    .wheel = on_wheel,
					    .grab = on_grab},
			      });
	return d;
}

static struct display *open_x11(void)
{
	return open_x11_size(FW, FH);
}

/* What the worker does: dispatch when the fd is readable, for ms. */
static void pump(struct display *d, int ms)
{
	struct pollfd p = {.fd = d->ops->get_fd(d), .events = POLLIN};

	for (int t = 0; t < ms; t += 10) {
		poll(&p, 1, 10);
		cr_assert_geq(d->ops->dispatch(d), 0);
	}
}

/* The server has processed every request d sent (another client's
 * request may otherwise overtake them). */
static void sync_display(struct display *d)
{
	struct x11 *x = to_x11(d);

	free(xcb_get_input_focus_reply(x->c, xcb_get_input_focus(x->c), NULL));
}

/* Until every request of d is processed: completions in, then a round
 * trip on its connection. */
static void settle(struct display *d)
{
	struct x11 *x = to_x11(d);

	for (int t = 0; t < 300; t++) {
		bool busy = false;

		for (int b = 0; b < X11_NBUF; b++)
			busy |= x->out[0].bufs[b].pending != 0;
		if (!busy)
			break;
		pump(d, 10);
	}
	free(xcb_get_input_focus_reply(x->c, xcb_get_input_focus(x->c), NULL));
	pump(d, 20);
}

static void wait_viewable(struct display *d)
{
	xcb_window_t win = to_x11(d)->out[0].win;

	for (int i = 0; i < 200; i++) {
		xcb_get_window_attributes_reply_t *a =
		    xcb_get_window_attributes_reply(tc, xcb_get_window_attributes(tc, win), NULL);
		bool ok = a && a->map_state == XCB_MAP_STATE_VIEWABLE;

		free(a);
		if (ok)
			return;
		pump(d, 10);
	}
	cr_assert_fail("the window was never mapped");
}

static uint32_t pattern(uint32_t x, uint32_t y, uint32_t gen)
{
	return (x * 5 + gen * 40) % 256 << 16 | (y * 3) % 256 << 8 | ((x ^ y) + gen * 7) % 256;
}

static uint32_t frame[FW * FH];
static struct display_frame fr = {
    .format = PIXMAN_x8r8g8b8, .width = FW, .height = FH, .stride = FW * 4, .data = frame};
static const struct display_rect all = {0, 0, FW, FH};

static void fill(uint32_t gen)
{
	for (uint32_t i = 0; i < FW * FH; i++)
		frame[i] = pattern(i % FW, i / FW, gen) | 0xff000000u;
}

/* got (0x00RRGGBB, w pixels a row) equals want (alpha or X byte ignored):
 * one assertion per image, naming the first pixel that differs. */
static void assert_pixels(const uint32_t *got, const uint32_t *want, uint32_t w, size_t n,
			  const char *what)
{
	size_t i = 0;

	while (i < n && got[i] == (want[i] & 0xffffff))
		i++;
	if (i < n)
		cr_assert_fail("%s: pixel (%zu,%zu) is 0x%06x, want 0x%06x", what, i % w, i / w,
			       got[i], want[i] & 0xffffff);
}

static void assert_window_shows(struct display *d, const uint32_t *want)
{
	uint32_t *px = window_pixels(to_x11(d)->out[0].win, FW, FH);

	assert_pixels(px, want, FW, (size_t)FW * FH, "the window");
	free(px);
}

/* Present, damage one rectangle at a time, and a change outside every
 * damage rectangle must not show. */
static void present_and_check(struct display *d)
{
	const struct display_rect rects[] = {
	    {10, 10, 50, 40}, {200, 60, 120, 50}, {0, 200, 320, 40}};

	wait_viewable(d);
	fill(0);
	d->ops->present(d, 0, &fr, &all);
	settle(d);
	assert_window_shows(d, frame);
	for (unsigned k = 0; k < 3; k++) {
		const struct display_rect *r = &rects[k];

		for (uint32_t y = r->y; y < r->y + r->h; y++)
			for (uint32_t x = r->x; x < r->x + r->w; x++)
				frame[y * FW + x] = pattern(x, y, k + 1);
		d->ops->present(d, 0, &fr, r);
		pump(d, 20);
	}
	settle(d);
	assert_window_shows(d, frame);
	/* Outside damage: only damage is copied. */
	frame[5 * FW + 300] = 0x123456;
	d->ops->present(d, 0, &fr, &rects[0]);
	settle(d);
	uint32_t *px = window_pixels(to_x11(d)->out[0].win, FW, FH);
	cr_assert_eq(px[5 * FW + 300], pattern(300, 5, 0));
	free(px);
}

Test(display_x11, shm_shows_frame_pixel_exact)
{
	require_xvfb();
	struct display *d = open_x11();

	cr_assert(to_x11(d)->shm, "Xvfb has MIT-SHM: the SHM path must be used");
	cr_assert_not(d->ops->lazy_present);
	present_and_check(d);
	d->ops->destroy(d);
}

/* A buffer the server may still be reading is never written: with no
 * dispatch (no completion read) the second present takes the other buffer
 * and the third waits; the completions then bring the window up to date. */
Test(display_x11, shm_buffer_reused_only_after_completion)
{
	require_xvfb();
	struct display *d = open_x11();
	struct x11_out *o = &to_x11(d)->out[0];

	wait_viewable(d);
	fill(0);
	d->ops->present(d, 0, &fr, &all);
	cr_assert_eq(o->shown, &o->bufs[0]);
	cr_assert_gt(o->bufs[0].pending, 0, "a put asks for its completion");
	fill(1);
	d->ops->present(d, 0, &fr, &all);
	cr_assert_eq(o->shown, &o->bufs[1]);
	fill(2);
	d->ops->present(d, 0, &fr, &all);
	cr_assert_eq(o->shown, &o->bufs[1], "both busy: nothing drawn");
	cr_assert(o->want_draw);
	/* Buffer 0 still holds generation 0. */
	cr_assert_eq(((uint32_t *)o->bufs[0].addr)[7 * FW + 9] & 0xffffff, pattern(9, 7, 0));
	settle(d);
	assert_window_shows(d, frame);
	d->ops->destroy(d);
}

/* The server refusing a segment late (an error on a ShmPutImage, as when
 * it cannot map what we attached) moves the display to PutImage, and the
 * window still shows every frame exactly. */
Test(display_x11, late_shm_error_switches_to_putimage)
{
	require_xvfb();
	struct display *d = open_x11();
	struct x11 *x = to_x11(d);

	wait_viewable(d);
	fill(0);
	d->ops->present(d, 0, &fr, &all);
	settle(d);
	cr_assert(x->shm);
	/* A put of a segment the server does not know: BadShmSeg. */
	xcb_shm_put_image(x->c, x->out[0].win, x->gc, FW, FH, 0, 0, 1, 1, 0, 0, 24,
			  XCB_IMAGE_FORMAT_Z_PIXMAP, 0, 0xdead, 0);
	xcb_flush(x->c);
	for (int i = 0; i < 300 && x->shm; i++)
		pump(d, 10);
	cr_assert_not(x->shm, "an MIT-SHM error moves the display to PutImage");
	cr_assert_eq(d->ops->frame_bytes(d, FW, FH), (uint64_t)FW * FH * 4);
	/* The switch kept the picture: an Expose repaints it. */
	xcb_clear_area(tc, 1, x->out[0].win, 0, 0, FW, FH);
	xcb_flush(tc);
	pump(d, 50);
	settle(d);
	assert_window_shows(d, frame);
	present_and_check(d);
	d->ops->destroy(d);
}

/* disable while both buffers are in flight: the frame that waited for a
 * buffer is drawn before the GPU frees it, so the window and a later
 * screenshot show it, not the one before. */
Test(display_x11, disable_draws_the_frame_that_waited)
{
	require_xvfb();
	struct display *d = open_x11();
	struct x11_out *o = &to_x11(d)->out[0];
	char path[] = "/tmp/lkvm-x11-shot-XXXXXX";
	static uint32_t want[FW * FH];
	uint32_t *px, w, h;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	wait_viewable(d);
	for (uint32_t gen = 0; gen < 3; gen++) {
		fill(gen);
		d->ops->present(d, 0, &fr, &all);
	}
	cr_assert(o->want_draw, "both buffers busy: the third frame waits");
	memcpy(want, frame, sizeof(want));
	d->ops->disable(d, 0);
	fill(7); /* the GPU reuses the memory */
	/* The completions of the puts the round trip proved done are
	 * counted off, not taken for the new put's. */
	cr_assert_gt(o->bufs[0].stale_completions + o->bufs[1].stale_completions, 0);
	settle(d);
	for (int i = 0; i < 50 && o->bufs[0].stale_completions + o->bufs[1].stale_completions; i++)
		pump(d, 10);
	for (int b = 0; b < X11_NBUF; b++) {
		cr_assert_eq(o->bufs[b].stale_completions, 0, "every completion arrived");
		cr_assert_eq(o->bufs[b].pending, 0);
	}
	assert_window_shows(d, want);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &px, &w, &h), 0);
	unlink(path);
	assert_pixels(px, want, FW, (size_t)FW * FH, "screenshot");
	free(px);
	/* The counted-off completions left the buffers usable. */
	fill(4);
	d->ops->present(d, 0, &fr, &all);
	settle(d);
	assert_window_shows(d, frame);
	d->ops->destroy(d);
}

Test(display_x11, forced_putimage_fallback_pixel_exact)
{
	require_xvfb();
	setenv(X11_NO_SHM_ENV, "1", 1);
	struct display *d = open_x11();

	cr_assert_not(to_x11(d)->shm, "LKVM_X11_NO_SHM=1 forces PutImage");
	present_and_check(d);
	d->ops->destroy(d);
}

/* A frame bigger than the largest request (16 MiB with BIG-REQUESTS):
 * 2100 x 2100 x 4 = 17.6 MB must go in bands, or xcb closes the
 * connection. */
#define BW 2100
#define BH 2100

static void start_big_screen(void)
{
	nrec = resizes = closes = 0;
	xvfb_screen = "2112x2112x24";
	start_xvfb();
}

TestSuite(display_x11_bands, .init = start_big_screen, .fini = stop_xvfb, .timeout = 60);

Test(display_x11_bands, putimage_in_bands_under_the_request_limit)
{
	require_xvfb();
	setenv(X11_NO_SHM_ENV, "1", 1);
	struct display *d = open_x11_size(BW, BH);
	struct x11 *x = to_x11(d);
	uint32_t *big = malloc((size_t)BW * BH * 4), *px;
	struct display_frame f = {
	    .format = PIXMAN_x8r8g8b8, .width = BW, .height = BH, .stride = BW * 4, .data = big};

	cr_assert_lt(x->max_request_bytes, (uint64_t)BW * BH * 4, "the frame needs bands");
	for (uint32_t i = 0; i < BW * BH; i++)
		big[i] = pattern(i % BW, i / BW, 2);
	wait_viewable(d);
	d->ops->present(d, 0, &f, &(struct display_rect){0, 0, BW, BH});
	settle(d);
	cr_assert_eq(xcb_connection_has_error(x->c), 0, "a request over the limit");
	px = window_pixels(x->out[0].win, BW, BH);
	assert_pixels(px, big, BW, (size_t)BW * BH, "the 2100x2100 window");
	free(px);
	free(big);
	d->ops->destroy(d);
}

Test(display_x11_bands, band_rows_fit_the_limit)
{
	/* PutImage is 24 bytes + 4 more with BIG-REQUESTS, then the rows. */
	static const struct {
		uint64_t max;
		uint32_t w;
	} cases[] = {{262140, 320}, {262140, 1920}, {16777212, 1920}, {262140, 32767}, {100, 8}};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t n = x11_band_rows(cases[i].max, cases[i].w);
		uint64_t row = (uint64_t)cases[i].w * 4;

		cr_assert_gt(n, 0, "case %u", i);
		cr_assert_leq(28 + n * row, cases[i].max, "case %u: %u rows too many", i, n);
		/* and not wastefully few: a row more would pass 32 bytes of
		 * header room */
		cr_assert_gt(32 + (n + 1) * row, cases[i].max, "case %u: %u rows too few", i, n);
	}
	cr_assert_eq(x11_band_rows(30, 8), 0);
}

static void start_without_shm(void)
{
	static const char *const extra[] = {"-extension", "MIT-SHM", NULL};

	nrec = resizes = closes = 0;
	start_xvfb_args(extra);
}

TestSuite(display_x11_noshm, .init = start_without_shm, .fini = stop_xvfb, .timeout = 30);

/* A server without MIT-SHM (as a remote one is): PutImage, by itself. */
Test(display_x11_noshm, server_without_shm_falls_back_to_putimage)
{
	require_xvfb();
	struct display *d = open_x11();

	cr_assert_not(to_x11(d)->shm);
	present_and_check(d);
	d->ops->destroy(d);
}

/* A remote server (reached over TCP) cannot take our memfd: the attach
 * probe at open fails and the display uses PutImage by itself. */
static void start_tcp(void)
{
	static const char *const extra[] = {"-listen", "tcp", "-ac", NULL};

	nrec = resizes = closes = 0;
	start_xvfb_args(extra);
}

TestSuite(display_x11_tcp, .init = start_tcp, .fini = stop_xvfb, .timeout = 30);

Test(display_x11_tcp, remote_server_falls_back_to_putimage)
{
	require_xvfb();
	char tcp[64];

	snprintf(tcp, sizeof(tcp), "127.0.0.1%s", xvfb_display);
	setenv("DISPLAY", tcp, 1);
	struct display *d = open_x11();

	cr_assert_not(to_x11(d)->shm, "no shared memory over TCP");
	present_and_check(d);
	d->ops->destroy(d);
}

/* Without RENDER the guest's cursor cannot become the window's: it is
 * still kept for screenshots, and nothing fails. */
static void start_without_render(void)
{
	static const char *const extra[] = {"-extension", "RENDER", NULL};

	nrec = resizes = closes = 0;
	start_xvfb_args(extra);
}

TestSuite(display_x11_norender, .init = start_without_render, .fini = stop_xvfb, .timeout = 30);

Test(display_x11_norender, guest_cursor_without_render_is_harmless)
{
	require_xvfb();
	struct display *d = open_x11();
	static uint32_t cur[DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM];

	cr_assert_eq(to_x11(d)->argb_format, 0);
	wait_viewable(d);
	fill(0);
	d->ops->present(d, 0, &fr, &all);
	d->ops->set_cursor(d, 0, cur, 70, -5); /* hot spot off the image too */
	d->ops->set_cursor(d, 0, NULL, 0, 0);
	d->ops->set_cursor(d, 0, cur, 1, 1);
	settle(d);
	cr_assert_eq(to_x11(d)->x_errors, 0);
	assert_window_shows(d, frame);
	d->ops->destroy(d);
}

Test(display_x11, expose_redraws_both_paths)
{
	require_xvfb();
	for (int fallback = 0; fallback < 2; fallback++) {
		if (fallback)
			setenv(X11_NO_SHM_ENV, "1", 1);
		struct display *d = open_x11();
		xcb_window_t win = to_x11(d)->out[0].win;

		wait_viewable(d);
		fill(3);
		d->ops->present(d, 0, &fr, &all);
		settle(d);
		/* Another client clears the window (the server paints the
		 * black background) and the display gets an Expose. */
		xcb_clear_area(tc, 1, win, 0, 0, FW, FH);
		free(xcb_get_input_focus_reply(tc, xcb_get_input_focus(tc), NULL));
		pump(d, 50);
		settle(d);
		assert_window_shows(d, frame);
		d->ops->destroy(d);
	}
}

Test(display_x11, title_is_the_vm_name)
{
	require_xvfb();
	struct display *d = open_x11();
	char t[256];

	sync_display(d);
	window_title(to_x11(d)->out[0].win, t, sizeof(t));
	cr_assert_str_eq(t, "test-vm");
	d->ops->destroy(d);
}

static int count_abs_on(int out);

/* A window per output, each titled with the VM's name and its number;
 * each output's frame lands in its own window, and the pointer over the
 * second window is reported for output 1. */
Test(display_x11, a_window_per_output)
{
	require_xvfb();
	struct display_config cfg = {.outputs = 2, .width = FW, .height = FH, .title = "test-vm"};
	char err[256], t[256];
	struct display *d = display_x11_open(&cfg, err, sizeof(err));
	struct x11 *x;

	cr_assert_not_null(d, "%s", err);
	display_set_events(d, &(struct display_events){.input = {.pointer_abs = on_abs}});
	x = to_x11(d);
	cr_assert_neq(x->out[0].win, x->out[1].win);
	sync_display(d);
	window_title(x->out[0].win, t, sizeof(t));
	cr_assert_str_eq(t, "test-vm (output 0)");
	window_title(x->out[1].win, t, sizeof(t));
	cr_assert_str_eq(t, "test-vm (output 1)");
	wait_viewable(d);
	/* Both windows sit at the root's origin: move output 1 aside. */
	xcb_configure_window(tc, x->out[1].win, XCB_CONFIG_WINDOW_X, (uint32_t[]){400});
	xcb_flush(tc);
	fill(5);
	d->ops->present(d, 1, &fr, &all);
	settle(d);
	uint32_t *px = window_pixels(x->out[1].win, FW, FH);
	assert_pixels(px, frame, FW, (size_t)FW * FH, "output 1's window");
	free(px);
	xdo("mousemove --window %u --sync 30 40", x->out[1].win);
	for (int i = 0; i < 300 && !count_abs_on(1); i++)
		pump(d, 10);
	cr_assert(count_abs_on(1) > 0, "motion over output 1's window");
	d->ops->destroy(d);
}

Test(display_x11, windowsize_becomes_a_resize_event)
{
	require_xvfb();
	struct display *d = open_x11();

	wait_viewable(d);
	pump(d, 50);
	cr_assert_eq(resizes, 0, "the window has the size asked for: no resize");
	xdo("windowsize %u 400 300", to_x11(d)->out[0].win);
	for (int i = 0; i < 300 && !resizes; i++)
		pump(d, 10);
	cr_assert_eq(resizes, 1);
	cr_assert_eq(resize_w, 400);
	cr_assert_eq(resize_h, 300);
	d->ops->destroy(d);
}

Test(display_x11, wm_delete_window_becomes_close)
{
	require_xvfb();
	struct display *d = open_x11();
	struct x11 *x = to_x11(d);
	xcb_client_message_event_t ev = {.response_type = XCB_CLIENT_MESSAGE,
					 .format = 32,
					 .window = x->out[0].win,
					 .type = x->wm_protocols};

	wait_viewable(d);
	pump(d, 20);
	cr_assert_eq(closes, 0);
	/* What a window manager sends when the user closes the window. */
	ev.data.data32[0] = x->wm_delete_window;
	ev.data.data32[1] = XCB_CURRENT_TIME;
	xcb_send_event(tc, 0, x->out[0].win, XCB_EVENT_MASK_NO_EVENT, (const char *)&ev);
	xcb_flush(tc);
	for (int i = 0; i < 300 && !closes; i++)
		pump(d, 10);
	cr_assert_eq(closes, 1);
	d->ops->destroy(d);
}

/* ---- input ---- */

static int count(char kind)
{
	int n = 0;

	for (int i = 0; i < nrec; i++)
		n += recs[i].kind == kind;
	return n;
}

/* The records of one kind, in order, as "a,b,c;" text. */
static void only(char kind, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = 0;
	for (int i = 0; i < nrec && n < len; i++)
		if (recs[i].kind == kind)
			n += snprintf(buf + n, len - n, "%d,%d,%d;", recs[i].a, recs[i].b,
				      recs[i].c);
}

static int count_abs_on(int out)
{
	int n = 0;

	for (int i = 0; i < nrec; i++)
		n += recs[i].kind == 'a' && recs[i].a == out;
	return n;
}

static struct display *open_focused(void)
{
	struct display *d = open_x11();

	wait_viewable(d);
	xdo("windowfocus --sync %u", to_x11(d)->out[0].win);
	pump(d, 50);
	nrec = 0;
	return d;
}

static void pump_until(struct display *d, char kind, int n)
{
	for (int i = 0; i < 200 && count(kind) < n; i++)
		pump(d, 10);
	pump(d, 30);
}

Test(display_x11, keys_arrive_as_evdev_codes)
{
	require_xvfb();
	struct display *d = open_focused();
	char got[512], want[512];

	cr_assert(to_x11(d)->evdev_keys, "Xvfb's keycodes are evdev");
	cr_assert(x11_pageup_at_112(to_x11(d)), "the check without XKB agrees");
	xdo("key a Return ctrl+c");
	pump_until(d, 'k', 8);
	/* xdotool releases a chord's keys in the order it pressed them. */
	snprintf(want, sizeof(want), "%d,1,0;%d,0,0;%d,1,0;%d,0,0;%d,1,0;%d,1,0;%d,0,0;%d,0,0;",
		 KEY_A, KEY_A, KEY_ENTER, KEY_ENTER, KEY_LEFTCTRL, KEY_C, KEY_LEFTCTRL, KEY_C);
	only('k', got, sizeof(got));
	cr_assert_str_eq(got, want);
	d->ops->destroy(d);
}

Test(display_x11, held_key_repeats_once_down)
{
	require_xvfb();
	struct display *d = open_focused();
	char got[512], want[512];

	/* The server autorepeats a held key (every 40 ms after 660 ms): the
	 * guest repeats by itself, so one press, one release. */
	xdo("keydown b sleep 1 keyup b");
	pump_until(d, 'k', 2);
	snprintf(want, sizeof(want), "%d,1,0;%d,0,0;", KEY_B, KEY_B);
	only('k', got, sizeof(got));
	cr_assert_str_eq(got, want);
	d->ops->destroy(d);
}

Test(display_x11, focus_out_releases_held_keys)
{
	require_xvfb();
	struct display *d = open_focused();
	char got[512], want[512];

	xdo("keydown shift keydown a");
	pump_until(d, 'k', 2);
	/* Another window takes the focus: the guest must not keep shift and
	 * a down. */
	xcb_set_input_focus(tc, XCB_INPUT_FOCUS_NONE, XCB_NONE, XCB_CURRENT_TIME);
	xcb_flush(tc);
	pump_until(d, 'k', 4);
	xdo("keyup a keyup shift");
	pump(d, 100);
	only('k', got, sizeof(got));
	snprintf(want, sizeof(want), "%d,1,0;%d,1,0;", KEY_LEFTSHIFT, KEY_A);
	cr_assert_eq(strncmp(got, want, strlen(want)), 0, "got %s", got);
	/* Both released, in any order, and nothing after. */
	cr_assert_eq(count('k'), 4, "got %s", got);
	int released = 0;
	for (int i = 2; i < nrec; i++)
		if (recs[i].kind == 'k' && recs[i].b == 0)
			released |= recs[i].a == KEY_A ? 1 : recs[i].a == KEY_LEFTSHIFT ? 2 : 4;
	cr_assert_eq(released, 3, "got %s", got);
	d->ops->destroy(d);
}

/* The tablet's coordinate for pixel v of a size-pixel axis, from the
 * guest's side: the smallest value libinput maps back to v (pixel = value
 * * size / 32768), found by search. */
static int model_abs(int v, int size)
{
	int a = 0;

	while ((int64_t)a * size / 32768 < v)
		a++;
	return a;
}

Test(display_x11, pointer_moves_scale_to_the_frame)
{
	require_xvfb();
	struct display *d = open_focused();
	xcb_window_t win = to_x11(d)->out[0].win;
	static const int pts[][2] = {{100, 50}, {0, 0}, {FW - 1, FH - 1}, {17, 203}};

	fill(0);
	d->ops->present(d, 0, &fr, &all);
	settle(d);
	for (unsigned i = 0; i < 4; i++) {
		nrec = 0;
		int want_x = model_abs(pts[i][0], FW), want_y = model_abs(pts[i][1], FH);

		xdo("mousemove --window %u --sync %d %d", win, pts[i][0], pts[i][1]);
		/* Until this point's motion is the latest one reported. */
		for (int k = 0; k < 300; k++) {
			if (nrec && recs[nrec - 1].kind == 'a' && recs[nrec - 1].b == want_x &&
			    recs[nrec - 1].c == want_y)
				break;
			pump(d, 10);
		}
		cr_assert_geq(count('a'), 1, "point %u: no motion", i);
		struct rec *r = &recs[nrec - 1];
		cr_assert_eq(r->kind, 'a');
		cr_assert_eq(r->a, 0);
		cr_assert_eq(r->b, want_x, "point %u x", i);
		cr_assert_eq(r->c, want_y, "point %u y", i);
	}
	d->ops->destroy(d);
}

Test(display_x11, buttons_and_wheel)
{
	require_xvfb();
	struct display *d = open_focused();
	char got[512], want[512];

	xdo("mousemove --window %u --sync 20 20", to_x11(d)->out[0].win);
	pump(d, 50);
	nrec = 0;
	xdo("click 1 click 2 click 3 click 4 click 5 click 6 click 7");
	pump_until(d, 'w', 4);
	only('b', got, sizeof(got));
	snprintf(want, sizeof(want), "%d,1,0;%d,0,0;%d,1,0;%d,0,0;%d,1,0;%d,0,0;", BTN_LEFT,
		 BTN_LEFT, BTN_MIDDLE, BTN_MIDDLE, BTN_RIGHT, BTN_RIGHT);
	cr_assert_str_eq(got, want);
	/* 4 up (away: +1), 5 down, 6 left (-1), 7 right: (dy, dx). */
	only('w', got, sizeof(got));
	cr_assert_str_eq(got, "1,0,0;-1,0,0;0,-1,0;0,1,0;");
	d->ops->destroy(d);
}

static void assert_pointer_at(struct display *d, xcb_window_t win, int x, int y, const char *what)
{
	int px = -1, py = -1;

	for (int i = 0; i < 100 && !(px == x && py == y); i++) {
		xcb_query_pointer_reply_t *p =
		    xcb_query_pointer_reply(tc, xcb_query_pointer(tc, win), NULL);

		cr_assert_not_null(p);
		px = p->win_x;
		py = p->win_y;
		free(p);
		if (!(px == x && py == y))
			pump(d, 10);
	}
	cr_assert(px == x && py == y, "%s: pointer at %d,%d, not %d,%d", what, px, py, x, y);
}

Test(display_x11, ctrl_alt_g_grabs_and_moves_relatively)
{
	require_xvfb();
	struct display *d = open_focused();
	struct x11 *x = to_x11(d);
	xcb_window_t win = x->out[0].win;
	char t[256];

	xdo("mousemove --window %u --sync 10 10", win);
	pump(d, 50);
	nrec = 0;
	xdo("key ctrl+alt+g");
	pump_until(d, 'g', 1);
	cr_assert_eq(count('g'), 1);
	sync_display(d);
	window_title(win, t, sizeof(t));
	cr_assert(strstr(t, "test-vm") && strstr(t, "grabbed"), "title: %s", t);
	pump(d, 50);
	assert_pointer_at(d, win, FW / 2, FH / 2, "grabbing warps to the centre");
	/* No G reached the guest; Ctrl and Alt went down and came back up. */
	for (int i = 0; i < nrec; i++)
		cr_assert(!(recs[i].kind == 'k' && recs[i].a == KEY_G));
	/* Centre of the window; then 15 right and 7 up of it. */
	pump(d, 50);
	nrec = 0;
	/* No --sync: the display warps the pointer straight back, and
	 * xdotool would wait for it to stay put. */
	xdo("mousemove --window %u %d %d", win, FW / 2 + 15, FH / 2 - 7);
	pump_until(d, 'r', 1);
	cr_assert_eq(count('r'), 1);
	cr_assert_eq(count('a'), 0, "no absolute motion while grabbed");
	for (int i = 0; i < nrec; i++)
		if (recs[i].kind == 'r') {
			cr_assert_eq(recs[i].a, 15);
			cr_assert_eq(recs[i].b, -7);
		}
	assert_pointer_at(d, win, FW / 2, FH / 2, "each motion warps back to the centre");
	nrec = 0;
	xdo("key ctrl+alt+g");
	pump_until(d, 'g', 1);
	cr_assert_eq(count('g'), 1);
	for (int i = 0; i < nrec; i++)
		if (recs[i].kind == 'g')
			cr_assert_eq(recs[i].a, 0, "released");
	sync_display(d);
	window_title(win, t, sizeof(t));
	cr_assert_str_eq(t, "test-vm");
	d->ops->destroy(d);
}

/* A server whose keycodes are not evdev's (the old xfree86 set): keys
 * would reach the guest as the wrong keys, so none do, and one line says
 * why. */
Test(display_x11, non_evdev_keymap_is_refused_with_one_line)
{
	require_xvfb();
	char cmd[256];

	snprintf(cmd, sizeof(cmd),
		 "setxkbmap -display %s -keycodes xfree86 -print | xkbcomp -w0 - %s 2>/dev/null",
		 xvfb_display, xvfb_display);
	if (!have_tool("setxkbmap") || !have_tool("xkbcomp")) {
		fprintf(stderr, "SKIP: setxkbmap/xkbcomp missing (x11-xkb-utils)\n");
		cr_skip_test("SKIP: setxkbmap/xkbcomp missing (x11-xkb-utils)");
	}
	cr_assert_eq(system(cmd), 0);
	stderr_capture_begin();
	struct display *d = open_x11();

	cr_assert_eq(stderr_capture_count("keycodes"), 1, "one line about the keymap");
	cr_assert_eq(stderr_capture_count("xfree86"), 1, "naming it");
	cr_assert_not(to_x11(d)->evdev_keys);
	cr_assert_not(x11_pageup_at_112(to_x11(d)), "the check without XKB agrees");
	wait_viewable(d);
	xdo("windowfocus --sync %u", to_x11(d)->out[0].win);
	pump(d, 30);
	nrec = 0;
	xdo("key a");
	pump(d, 150);
	cr_assert_eq(count('k'), 0);
	d->ops->destroy(d);
}

/* ---- robustness ---- */

Test(display_x11, frame_bytes_are_what_each_path_keeps)
{
	require_xvfb();
	struct display *d = open_x11();

	cr_assert_eq(d->ops->frame_bytes(d, 1920, 1080), 2ull * 1920 * 1080 * 4);
	/* 64-bit: past 4 GiB. */
	cr_assert_eq(d->ops->frame_bytes(d, 32767, 32767), 2ull * 32767 * 32767 * 4);
	cr_assert_eq(d->ops->frame_bytes(d, 65535, 65535), 2ull * 65535 * 65535 * 4);
	d->ops->destroy(d);
	setenv(X11_NO_SHM_ENV, "1", 1);
	d = open_x11();
	cr_assert_eq(d->ops->frame_bytes(d, 1920, 1080), 1ull * 1920 * 1080 * 4);
	d->ops->destroy(d);
}

Test(display_x11, frames_larger_than_x_allows_are_refused)
{
	require_xvfb();
	struct display *d = open_x11();
	struct display_frame big = fr;

	big.width = 40000; /* wider than any X window; data never read */
	big.stride = 40000 * 4;
	d->ops->present(d, 0, &big, &(struct display_rect){0, 0, 40000, 1});
	cr_assert_eq(to_x11(d)->out[0].width, 0, "nothing allocated");
	pump(d, 20);
	d->ops->destroy(d);
}

Test(display_x11, x_errors_are_logged_not_fatal)
{
	require_xvfb();
	struct display *d = open_x11();
	struct x11 *x = to_x11(d);

	/* A request that fails: BadPixmap arrives as an event. */
	xcb_free_pixmap(x->c, 0x1234);
	xcb_free_pixmap(x->c, 0x1235);
	xcb_flush(x->c);
	for (int i = 0; i < 300 && x->x_errors < 2; i++)
		pump(d, 10);
	cr_assert_eq(x->x_errors, 2);
	cr_assert_eq(xcb_connection_has_error(x->c), 0);
	d->ops->destroy(d);
}

Test(display_x11, server_gone_stops_dispatch_and_closes)
{
	require_xvfb();
	struct display *d = open_x11();
	struct pollfd p = {.fd = d->ops->get_fd(d), .events = POLLIN};
	int r = 0;

	wait_viewable(d);
	fill(0);
	d->ops->present(d, 0, &fr, &all);
	pump(d, 20);
	kill(xvfb, SIGKILL);
	waitpid(xvfb, NULL, 0);
	xvfb = -1;
	for (int i = 0; i < 300 && !closes; i++) {
		poll(&p, 1, 10);
		r = d->ops->dispatch(d);
	}
	/* The dispatch that finds the connection dead says so at once. */
	cr_assert_lt(r, 0, "a dead connection: dispatch < 0");
	cr_assert_eq(closes, 1, "like closing the window");
	/* The ops stay safe afterwards. */
	d->ops->present(d, 0, &fr, &all);
	cr_assert_lt(d->ops->dispatch(d), 0);
	d->ops->destroy(d);
}

Test(display_x11, screenshot_is_the_frame_with_the_cursor)
{
	require_xvfb();
	struct display *d = open_x11();
	static uint32_t cur[DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM];
	char path[] = "/tmp/lkvm-x11-shot-XXXXXX";
	uint32_t *px, w, h;
	int fd = mkstemp(path);

	cr_assert_geq(fd, 0);
	close(fd);
	fill(1);
	for (int i = 0; i < DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM; i++)
		cur[i] = 0xff00ff00; /* opaque green */
	d->ops->present(d, 0, &fr, &all);
	d->ops->set_cursor(d, 0, cur, 2, 3);
	d->ops->move_cursor(d, 0, 100, 100);
	settle(d);
	/* The RENDER cursor was made without an X error. */
	cr_assert_neq(to_x11(d)->argb_format, 0, "Xvfb has RENDER");
	cr_assert_eq(to_x11(d)->x_errors, 0);
	d->ops->disable(d, 0);
	cr_assert_eq(d->ops->screenshot(d, 0, path), 0);
	cr_assert_eq(png_read_xrgb(path, &px, &w, &h), 0);
	unlink(path);
	cr_assert_eq(w, FW);
	cr_assert_eq(h, FH);
	for (uint32_t y = 0; y < FH; y++)
		for (uint32_t x = 0; x < FW; x++) {
			bool in = x >= 98 && x < 98 + 64 && y >= 97 && y < 97 + 64;
			uint32_t want = in ? 0x00ff00 : pattern(x, y, 1);

			cr_assert_eq(px[y * FW + x], want, "(%u,%u)", x, y);
		}
	free(px);
	d->ops->destroy(d);
}

/* ---- choosing the display ---- */

static void nothing(void)
{
	nrec = 0;
}
TestSuite(display_x11_open, .init = nothing, .timeout = 10);

Test(display_x11_open, display_unset_is_a_clear_error_or_the_next_mode)
{
	struct display_config cfg = {.outputs = 1, .width = 64, .height = 48, .title = "t"};
	char err[256] = "";
	struct display *d;

	unsetenv("DISPLAY");
	cr_assert_null(display_open("x11", &cfg, err, sizeof(err)));
	cr_assert(strstr(err, "x11") && strstr(err, "DISPLAY"), "%s", err);
	d = display_open("x11,headless", &cfg, err, sizeof(err));
	cr_assert_not_null(d, "%s", err);
	cr_assert_str_eq(d->ops->name, "headless");
	display_destroy(d);
	cr_assert(display_mode_known("x11"));
}

Test(display_x11_open, no_server_is_a_clear_error)
{
	struct display_config cfg = {.outputs = 1, .width = 64, .height = 48, .title = "t"};
	char err[256] = "";

	setenv("DISPLAY", ":247", 1); /* nobody listens there */
	cr_assert_null(display_open("x11", &cfg, err, sizeof(err)));
	cr_assert(strstr(err, "cannot connect") && strstr(err, ":247"), "%s", err);
}
