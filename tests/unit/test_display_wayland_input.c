/* Wayland input against a real weston: weston's x11 backend on a private
 * Xvfb (its headless backend has no seat), X input injected into weston's
 * window with xdotool, and the display_input calls the Wayland display
 * makes recorded here. Expected key and button codes are the evdev codes
 * of linux/input-event-codes.h; expected positions come from where the
 * window is on weston's output (found in weston's screenshot) and the
 * guest's own mapping back (libinput: pixel = abs * size / 32768). */
#include <criterion/criterion.h>
#include <linux/input-event-codes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>

#include "display/display.h"
#include "display/wayland_priv.h"
#include "tests/unit/stderr_capture.h"
#include "tests/unit/test_display_weston.h"

#define FW 200
#define FH 120

enum ev_kind { R_KEY, R_ABS, R_REL, R_BTN, R_WHEEL, R_GRAB, R_RESIZE };

struct rec {
	enum ev_kind kind;
	int32_t a, b, c;
};

static struct rec evs[4096];
static unsigned nev;

static void push(enum ev_kind k, int32_t a, int32_t b, int32_t c)
{
	if (nev < sizeof(evs) / sizeof(evs[0]))
		evs[nev++] = (struct rec){k, a, b, c};
}

static void on_key(void *o, uint16_t code, bool down)
{
	push(R_KEY, code, down, 0);
}

static void on_abs(void *o, unsigned out, uint32_t x, uint32_t y)
{
	push(R_ABS, (int32_t)x, (int32_t)y, (int32_t)out);
}

static void on_rel(void *o, int32_t dx, int32_t dy)
{
	push(R_REL, dx, dy, 0);
}

static void on_button(void *o, uint16_t code, bool down)
{
	push(R_BTN, code, down, 0);
}

static void on_wheel(void *o, int32_t dy, int32_t dx)
{
	push(R_WHEEL, dy, dx, 0);
}

static void on_grab(void *o, bool g)
{
	push(R_GRAB, g, 0, 0);
}

static void on_resize(void *o, unsigned out, uint32_t w, uint32_t h)
{
	push(R_RESIZE, (int32_t)w, (int32_t)h, (int32_t)out);
}

static bool skipped;

static void start(void)
{
	const char *missing = weston_x11_missing();

	skipped = missing != NULL;
	if (skipped) {
		fprintf(stderr, "SKIP: Wayland input tests need %s (Xvfb, weston, xdotool)\n",
			missing);
		return;
	}
	start_weston_x11("--shell=desktop-shell.so");
	nev = 0;
}

static void stop(void)
{
	if (!skipped)
		stop_weston();
}

TestSuite(display_wayland_input, .init = start, .fini = stop, .timeout = 40);

static void pump(struct display *d, int ms)
{
	struct pollfd p = {.fd = d->ops->get_fd(d), .events = POLLIN};

	for (int t = 0; t < ms; t += 10)
		if (poll(&p, 1, 10) > 0)
			cr_assert_geq(d->ops->dispatch(d), 0);
}

static uint32_t frame[FW * FH];

static struct display *open_shown(const char *title, int *ox, int *oy)
{
	struct display_config cfg = {.outputs = 1, .width = FW, .height = FH, .title = title};
	struct display_frame f = {
	    .format = PIXMAN_x8r8g8b8, .width = FW, .height = FH, .stride = FW * 4, .data = frame};
	struct display_rect all = {0, 0, FW, FH};
	char err[256];
	struct display *d = display_wayland_open(&cfg, err, sizeof(err));

	cr_assert_not_null(d, "%s", err);
	display_set_events(d, &(struct display_events){
				  .resize = on_resize,
				  .input = {.key = on_key,
					    .pointer_abs = on_abs,
					    .pointer_rel = on_rel,
					    .button = on_button,
					    .wheel = on_wheel,
					    .grab = on_grab},
			      });
	/* A pattern no other pixel of weston's output has. */
	for (uint32_t y = 0; y < FH; y++)
		for (uint32_t x = 0; x < FW; x++)
			frame[y * FW + x] = (x * 7 + 13) % 256 << 16 | (y * 5 + 3) % 256 << 8 |
					    ((x ^ y) * 3 + 1) % 256;
	pump(d, 50);
	d->ops->present(d, 0, &f, &all);
	pump(d, 300);
	for (int i = 0; i < 20; i++) {
		uint32_t *shot = compositor_shot();
		bool ok = weston_find_frame(shot, frame, FW, FH, ox, oy);

		free(shot);
		if (ok)
			return d;
		pump(d, 150);
	}
	cr_assert_fail("the window never appeared");
	return NULL;
}

/* Dispatch until at least n events are recorded (or 5 s passed), then a
 * little longer for any that should not come. */
static void pump_until(struct display *d, unsigned n)
{
	for (int i = 0; i < 50 && nev < n; i++)
		pump(d, 100);
	pump(d, 100);
}

/* Move X's pointer to frame pixel (x, y) of the window at (ox, oy). */
static void move_to(unsigned long win, int ox, int oy, int x, int y)
{
	char a[128];

	snprintf(a, sizeof(a), "mousemove --window %lu %d %d", win, ox + x, oy + y);
	xdo(a);
}

static bool released(uint16_t button)
{
	for (unsigned i = 0; i < nev; i++)
		if (evs[i].kind == R_BTN && evs[i].a == button && !evs[i].b)
			return true;
	return false;
}

/* The pointer over the window and the window focused (a click), then an
 * empty record. */
static struct display *ready(unsigned long *win, int *ox, int *oy)
{
	struct display *d = open_shown("input-vm", ox, oy);

	*win = weston_x_window();
	/* Into weston's window from outside it (Xvfb starts with the pointer
	 * inside), then a click; once more if weston missed it. */
	for (int tries = 0; tries < 3 && !released(BTN_LEFT); tries++) {
		xdo("mousemove 1000 700");
		move_to(*win, *ox, *oy, FW / 2, FH / 2);
		xdo("click 1");
		/* Wait for the click's release, so that nothing of it is left
		 * to come into the test's record. */
		for (int i = 0; i < 30 && !released(BTN_LEFT); i++)
			pump(d, 100);
	}
	cr_assert(released(BTN_LEFT), "the focusing click (%u events)", nev);
	pump(d, 100);
	nev = 0;
	return d;
}

/* The guest's view of an absolute value on an axis of size pixels. */
static uint32_t guest_pixel(uint32_t abs, uint32_t size)
{
	return (uint32_t)((uint64_t)abs * size / 32768);
}

static void expect(unsigned i, enum ev_kind k, int32_t a, int32_t b)
{
	if (getenv("LKVM_DUMP_EVENTS"))
		for (unsigned j = 0; j < nev && i == 0; j++)
			fprintf(stderr, "ev %u: %d %d %d %d\n", j, evs[j].kind, evs[j].a, evs[j].b,
				evs[j].c);
	cr_assert_lt(i, nev, "event %u missing (%u recorded)", i, nev);
	cr_assert(evs[i].kind == k && evs[i].a == a && evs[i].b == b,
		  "event %u: got kind %d (%d, %d), want kind %d (%d, %d)", i, evs[i].kind, evs[i].a,
		  evs[i].b, k, a, b);
}

static unsigned count(enum ev_kind k)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nev; i++)
		n += evs[i].kind == k;
	return n;
}

/* The pointer over each frame pixel of pts: the guest maps the tablet's
 * value back to that pixel, on output 0. */
static void expect_points(struct display *d, unsigned long win, int ox, int oy, const int (*pts)[2],
			  unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		nev = 0;
		move_to(win, ox, oy, pts[i][0], pts[i][1]);
		pump_until(d, 1);
		cr_assert_geq(nev, 1, "no motion for point %u", i);
		cr_assert_eq(evs[nev - 1].kind, R_ABS);
		cr_assert_eq(evs[nev - 1].c, 0, "output 0");
		cr_assert_eq(guest_pixel(evs[nev - 1].a, FW), (uint32_t)pts[i][0], "x %d -> abs %d",
			     pts[i][0], evs[nev - 1].a);
		cr_assert_eq(guest_pixel(evs[nev - 1].b, FH), (uint32_t)pts[i][1], "y %d -> abs %d",
			     pts[i][1], evs[nev - 1].b);
		cr_assert_leq(evs[nev - 1].a, DISPLAY_INPUT_ABS_MAX);
	}
}

Test(display_wayland_input, keys_arrive_as_evdev_codes)
{
	unsigned long win;
	int ox, oy;
	struct display *d;

	if (skipped)
		cr_skip_test("Xvfb, weston or xdotool missing");
	d = ready(&win, &ox, &oy);
	xdo("key a");
	xdo("keydown shift keydown z keyup z keyup shift");
	xdo("key Return");
	pump_until(d, 8);
	expect(0, R_KEY, KEY_A, 1);
	expect(1, R_KEY, KEY_A, 0);
	expect(2, R_KEY, KEY_LEFTSHIFT, 1);
	expect(3, R_KEY, KEY_Z, 1);
	expect(4, R_KEY, KEY_Z, 0);
	expect(5, R_KEY, KEY_LEFTSHIFT, 0);
	expect(6, R_KEY, KEY_ENTER, 1);
	expect(7, R_KEY, KEY_ENTER, 0);
	cr_assert_eq(nev, 8);
	d->ops->destroy(d);
}

Test(display_wayland_input, pointer_position_maps_to_the_frame_pixel)
{
	static const int pts[][2] = {{0, 0}, {50, 30}, {FW - 1, FH - 1}, {123, 7}, {1, FH / 2}};
	unsigned long win;
	int ox, oy;
	struct display *d;

	if (skipped)
		cr_skip_test("Xvfb, weston or xdotool missing");
	d = ready(&win, &ox, &oy);
	expect_points(d, win, ox, oy, pts, sizeof(pts) / sizeof(pts[0]));
	d->ops->destroy(d);
}

Test(display_wayland_input, buttons_and_wheel_steps)
{
	unsigned long win;
	int ox, oy;
	struct display *d;

	if (skipped)
		cr_skip_test("Xvfb, weston or xdotool missing");
	d = ready(&win, &ox, &oy);
	/* X buttons: 1 left, 2 middle, 3 right; 4/5 wheel up/down, 6/7
	 * wheel left/right. */
	xdo("click 1 click 3 click 2");
	xdo("click 4 click 4 click 5 click 6 click 7");
	pump_until(d, 11);
	expect(0, R_BTN, BTN_LEFT, 1);
	expect(1, R_BTN, BTN_LEFT, 0);
	expect(2, R_BTN, BTN_RIGHT, 1);
	expect(3, R_BTN, BTN_RIGHT, 0);
	expect(4, R_BTN, BTN_MIDDLE, 1);
	expect(5, R_BTN, BTN_MIDDLE, 0);
	/* REL_WHEEL > 0 is away from the user (X's button 4, up). */
	expect(6, R_WHEEL, 1, 0);
	expect(7, R_WHEEL, 1, 0);
	expect(8, R_WHEEL, -1, 0);
	expect(9, R_WHEEL, 0, -1);
	expect(10, R_WHEEL, 0, 1);
	cr_assert_eq(nev, 11);
	d->ops->destroy(d);
}

/* A key held when another window takes the focus is released for the
 * guest; its later real release is not sent twice. */
Test(display_wayland_input, focus_loss_releases_held_keys)
{
	unsigned long win;
	int ox, oy, ox2, oy2;
	struct display *d, *other;

	if (skipped)
		cr_skip_test("Xvfb, weston or xdotool missing");
	d = ready(&win, &ox, &oy);
	xdo("keydown a keydown b");
	pump_until(d, 2);
	expect(0, R_KEY, KEY_A, 1);
	expect(1, R_KEY, KEY_B, 1);
	cr_assert_eq(nev, 2);
	/* A new toplevel is activated by the desktop shell: ours loses the
	 * keyboard. */
	other = open_shown("other-vm", &ox2, &oy2);
	pump_until(d, 4);
	cr_assert_eq(nev, 4, "both keys released (%u events)", nev);
	cr_assert_eq(evs[2].kind, R_KEY);
	cr_assert_eq(evs[3].kind, R_KEY);
	cr_assert_eq(evs[2].b | evs[3].b, 0, "releases");
	cr_assert_eq(evs[2].a + evs[3].a, KEY_A + KEY_B);
	cr_assert_neq(evs[2].a, evs[3].a);
	xdo("keyup a keyup b");
	pump(d, 200);
	pump(other, 50);
	cr_assert_eq(count(R_KEY), 4, "no second release");
	other->ops->destroy(other);
	d->ops->destroy(d);
}

static unsigned count_key(uint16_t code)
{
	unsigned n = 0;

	for (unsigned i = 0; i < nev; i++)
		n += evs[i].kind == R_KEY && evs[i].a == code;
	return n;
}

static int find(enum ev_kind k, int32_t a)
{
	for (unsigned i = 0; i < nev; i++)
		if (evs[i].kind == k && evs[i].a == a)
			return (int)i;
	return -1;
}

/* Ctrl+Alt+G locks the pointer: motion arrives as unaccelerated relative
 * deltas, the title says so, G never reaches the guest; the same keys
 * release it and absolute motion comes back. */
Test(display_wayland_input, grab_hotkey_switches_to_relative_motion)
{
	struct wayland *w;
	unsigned long win;
	int ox, oy, dx = 0, dy = 0;
	struct display *d;

	if (skipped)
		cr_skip_test("Xvfb, weston or xdotool missing");
	d = ready(&win, &ox, &oy);
	w = to_wl(d);
	cr_assert_str_eq(w->out[0].title, "input-vm");
	xdo("key ctrl+alt+g");
	pump_until(d, 5);
	cr_assert_eq(count(R_GRAB), 1);
	cr_assert_eq(evs[find(R_GRAB, 1)].kind, R_GRAB, "grabbed");
	cr_assert_eq(count_key(KEY_G), 0, "the hotkey's G stays out of the guest");
	cr_assert_eq(count_key(KEY_LEFTCTRL), 2);
	cr_assert_eq(count_key(KEY_LEFTALT), 2);
	cr_assert_str_eq(w->out[0].title, "input-vm - grabbed, Ctrl+Alt+G releases");
	pump(d, 300); /* the lock takes hold */
	nev = 0;
	xdo("mousemove_relative -- 15 -9");
	xdo("mousemove_relative -- -4 6");
	pump_until(d, 2);
	for (unsigned i = 0; i < nev; i++) {
		cr_assert_eq(evs[i].kind, R_REL, "only relative motion while grabbed (%d)",
			     evs[i].kind);
		dx += evs[i].a;
		dy += evs[i].b;
	}
	cr_assert_eq(dx, 11);
	cr_assert_eq(dy, -3);
	xdo("click 1");
	pump_until(d, nev + 2);
	cr_assert_geq(find(R_BTN, BTN_LEFT), 0, "buttons still come while grabbed");
	nev = 0;
	xdo("key ctrl+alt+g");
	pump_until(d, 5);
	cr_assert_geq(find(R_GRAB, 0), 0, "released");
	cr_assert_eq(count_key(KEY_G), 0);
	cr_assert_str_eq(w->out[0].title, "input-vm");
	nev = 0;
	move_to(win, ox, oy, 20, 20);
	pump_until(d, 1);
	cr_assert_geq(find(R_ABS, evs[0].a), 0, "absolute motion again");
	cr_assert_eq(count(R_REL), 0);
	d->ops->destroy(d);
}

/* Without pointer constraints the grab is refused with one line. */
Test(display_wayland_input, grab_refused_without_pointer_constraints)
{
	struct wayland *w;
	unsigned long win;
	int ox, oy;
	struct display *d;

	if (skipped)
		cr_skip_test("Xvfb, weston or xdotool missing");
	d = ready(&win, &ox, &oy);
	w = to_wl(d);
	/* As if the compositor had not offered it. */
	wl_proxy_destroy((struct wl_proxy *)w->constraints);
	w->constraints = NULL;
	stderr_capture_begin();
	xdo("key ctrl+alt+g");
	pump_until(d, 4);
	cr_assert_eq(count(R_GRAB), 0);
	cr_assert_eq(count_key(KEY_G), 0);
	cr_assert_eq(stderr_capture_count("pointer grab refused"), 1, "%u lines",
		     stderr_capture_count("pointer grab refused"));
	cr_assert_eq(stderr_capture_count("zwp_pointer_constraints_v1"), 1);
	cr_assert_str_eq(w->out[0].title, "input-vm");
	d->ops->destroy(d);
}

/* Ctrl+Alt+F: the compositor makes the window fullscreen and proposes its
 * output's size, which the VMM hears as a resize; again: back. */
Test(display_wayland_input, fullscreen_hotkey_resizes_to_the_output)
{
	unsigned long win;
	int ox, oy;
	struct display *d;

	if (skipped)
		cr_skip_test("Xvfb, weston or xdotool missing");
	d = ready(&win, &ox, &oy);
	xdo("key ctrl+alt+f");
	pump_until(d, 5);
	cr_assert_eq(count_key(KEY_F), 0, "the hotkey's F stays out of the guest");
	cr_assert_eq(count(R_RESIZE), 1, "%u resizes", count(R_RESIZE));
	cr_assert_eq(evs[find(R_RESIZE, OUT_W)].b, OUT_H, "the output's size");
	cr_assert(to_wl(d)->out[0].fullscreen);
	/* The frame (smaller than the fullscreen window, until a guest would
	 * switch mode) is shown unscaled where the compositor puts it; the
	 * pointer maps to its pixels, and off it nothing comes. */
	pump(d, 300);
	int fx, fy;
	uint32_t *shot = compositor_shot();
	bool found = weston_find_frame(shot, frame, FW, FH, &fx, &fy);

	free(shot);
	cr_assert(found, "the frame, unscaled, in the fullscreen window");
	nev = 0;
	move_to(win, fx, fy, 30, 40);
	pump_until(d, 1);
	cr_assert_eq(evs[nev - 1].kind, R_ABS);
	cr_assert_eq(guest_pixel(evs[nev - 1].a, FW), 30);
	cr_assert_eq(guest_pixel(evs[nev - 1].b, FH), 40);
	nev = 0;
	move_to(win, 0, 0, fx > 10 ? 5 : OUT_W - 5, fy > 10 ? 5 : OUT_H - 5);
	pump(d, 300);
	cr_assert_eq(count(R_ABS), 0, "no position off the frame");
	move_to(win, fx, fy, FW / 2, FH / 2);
	pump(d, 200);
	nev = 0;
	xdo("key ctrl+alt+f");
	pump_until(d, 5);
	cr_assert_not(to_wl(d)->out[0].fullscreen);
	cr_assert_eq(count_key(KEY_F), 0);
	d->ops->destroy(d);
}

/* The mapping on its own (no server): HiDPI buffer scale, the edges, and
 * the guest's way back to the pixel. */
Test(wayland_abs_axis, frame_pixels_under_buffer_scale)
{
	/* Scale 2: surface coordinate 50 is frame pixel 100 of 400. */
	uint32_t v = wayland_abs_axis(wl_fixed_from_int(50), 2, 400);

	cr_assert_eq(v * 400ull / 32768, 100);
	cr_assert_eq(wayland_abs_axis(wl_fixed_from_int(50), 1, 400) * 400ull / 32768, 50);
	cr_assert_eq(wayland_abs_axis(0, 2, 400), 0);
	cr_assert_eq(wayland_abs_axis(wl_fixed_from_int(-3), 1, 400), 0);
	cr_assert_eq(wayland_abs_axis(wl_fixed_from_int(400), 1, 400), DISPLAY_INPUT_ABS_MAX);
	cr_assert_eq(wayland_abs_axis(wl_fixed_from_int(9999), 2, 400), DISPLAY_INPUT_ABS_MAX);
	/* Every pixel of odd and large sizes comes back as itself. */
	for (uint32_t size = 1; size <= 4097; size += 341)
		for (uint32_t px = 0; px < size; px++) {
			uint32_t a = wayland_abs_axis(wl_fixed_from_int(px), 1, size);

			cr_assert_leq(a, DISPLAY_INPUT_ABS_MAX);
			cr_assert_eq(a * (uint64_t)size / 32768, px, "%u of %u", px, size);
		}
	cr_assert_eq(wayland_abs_axis(wl_fixed_from_int(7), 1, 0), 0, "no frame");
}

/* Wheel steps from axis values (no server): 120 per step for value120,
 * 10 units per step for a continuous axis, remainders carried over. */
Test(wayland_wheel, steps_from_discrete_and_continuous_values)
{
	struct wayland_wheel acc = {0};

	cr_assert_eq(wayland_wheel_steps(&acc, true, 120, wl_fixed_from_int(15)), 1);
	cr_assert_eq(wayland_wheel_steps(&acc, true, -240, 0), -2);
	/* High-resolution wheels: halves add up to one step. */
	cr_assert_eq(wayland_wheel_steps(&acc, true, 60, 0), 0);
	cr_assert_eq(wayland_wheel_steps(&acc, true, 60, 0), 1);
	/* A continuous axis without a discrete value: 10 units a step. */
	acc = (struct wayland_wheel){0};
	cr_assert_eq(wayland_wheel_steps(&acc, false, 0, wl_fixed_from_int(10)), 1);
	cr_assert_eq(wayland_wheel_steps(&acc, false, 0, wl_fixed_from_double(4.5)), 0);
	cr_assert_eq(wayland_wheel_steps(&acc, false, 0, wl_fixed_from_double(5.5)), 1);
	cr_assert_eq(wayland_wheel_steps(&acc, false, 0, wl_fixed_from_int(-35)), -3);
	cr_assert_eq(wayland_wheel_steps(&acc, false, 0, wl_fixed_from_int(-5)), -1);
	/* Extremes do not wrap. */
	acc = (struct wayland_wheel){0};
	cr_assert_eq(wayland_wheel_steps(&acc, true, INT32_MAX, 0), INT32_MAX / 120);
	cr_assert_eq(wayland_wheel_steps(&acc, true, INT32_MAX, 0),
		     (int32_t)((INT32_MAX % 120 + (int64_t)INT32_MAX) / 120));
}

/* HiDPI: weston's output at scale 2 (OUT_W x OUT_H pixels, half that in
 * surface units). */
static void start_hidpi(void)
{
	weston_scale = 2;
	start();
}

static void stop_hidpi(void)
{
	stop();
	weston_scale = 1;
}

TestSuite(display_wayland_hidpi, .init = start_hidpi, .fini = stop_hidpi, .timeout = 40);

/* The frame appears in weston's output pixel for pixel (open_shown finds it
 * unscaled in the screenshot, which is in output pixels), so each screen
 * pixel under the pointer is one frame pixel, odd ones included. */
Test(display_wayland_hidpi, frame_one_to_one_and_pointer_on_its_pixels)
{
	static const int pts[][2] = {{0, 0}, {51, 31}, {FW - 1, FH - 1}, {123, 7}, {1, FH / 2}};
	unsigned long win;
	int ox, oy;
	struct display *d;

	if (skipped)
		cr_skip_test("Xvfb, weston or xdotool missing");
	d = ready(&win, &ox, &oy);
	cr_assert_eq(to_wl(d)->out[0].buffer_scale, 2);
	expect_points(d, win, ox, oy, pts, sizeof(pts) / sizeof(pts[0]));
	d->ops->destroy(d);
}

/* Fullscreen on the scale-2 output: weston proposes its size in surface
 * units (OUT_W / 2 x OUT_H / 2); the guest is asked for the output's
 * pixels. */
Test(display_wayland_hidpi, proposed_size_in_guest_pixels)
{
	unsigned long win;
	int ox, oy;
	struct display *d;

	if (skipped)
		cr_skip_test("Xvfb, weston or xdotool missing");
	d = ready(&win, &ox, &oy);
	xdo("key ctrl+alt+f");
	pump_until(d, 5);
	cr_assert_eq(count(R_RESIZE), 1, "%u resizes", count(R_RESIZE));
	cr_assert_eq(evs[find(R_RESIZE, OUT_W)].b, OUT_H, "the output's size in its pixels");
	d->ops->destroy(d);
}

/* The protocol's rule (wl_surface.set_buffer_scale): a buffer's size must
 * be a multiple of its scale. */
Test(wayland_buffer_scale, only_a_scale_the_size_divides)
{
	cr_assert_eq(wayland_buffer_scale_for(2, 1920, 1080), 2);
	cr_assert_eq(wayland_buffer_scale_for(3, 1920, 1080), 3);
	cr_assert_eq(wayland_buffer_scale_for(2, 1921, 1080), 1);
	cr_assert_eq(wayland_buffer_scale_for(2, 1920, 1081), 1);
	cr_assert_eq(wayland_buffer_scale_for(4, 1024, 768), 4);
	cr_assert_eq(wayland_buffer_scale_for(1, 7, 3), 1);
	cr_assert_eq(wayland_buffer_scale_for(0, 640, 480), 1, "a nonsense scale");
	cr_assert_eq(wayland_buffer_scale_for(-2, 640, 480), 1);
	cr_assert_eq(wayland_buffer_scale_for(64, 1024, 1024), 1, "past WL_SCALE_MAX");
}

/* A host output going away: its bit leaves every window's set and the
 * last output's bit moves into its place (hout[i] = hout[last]). */
Test(wayland_buffer_scale, output_sets_follow_a_removed_output)
{
	/* On outputs 0 and 2 of 3; 0 goes: output 2 becomes 0. */
	cr_assert_eq(wayland_houts_drop(0x5, 0, 2), 0x1);
	/* On 1 only; 0 goes, 2 (not ours) moves in: still on 1. */
	cr_assert_eq(wayland_houts_drop(0x2, 0, 2), 0x2);
	/* The last one itself goes: its bit is gone, nothing moves. */
	cr_assert_eq(wayland_houts_drop(0x6, 2, 2), 0x2);
	cr_assert_eq(wayland_houts_drop(0x1, 0, 0), 0x0);
}
