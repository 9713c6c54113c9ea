/* Wayland: the seat's keyboard and pointer become display_input calls
 * (wayland_priv.h). wl_keyboard key codes are evdev codes already; pointer
 * positions are surface coordinates of the output's window, whose buffer
 * is the guest's frame, shown unscaled at its own size. */
#include <linux/input-event-codes.h>
#include <string.h>
#include <unistd.h>

#include "display/wayland_priv.h"

static bool bit(const uint8_t *set, uint32_t k)
{
	return set[k / 8] & (1u << (k % 8));
}

static void set_bit(uint8_t *set, uint32_t k, bool on)
{
	if (on)
		set[k / 8] |= (uint8_t)(1u << (k % 8));
	else
		set[k / 8] &= (uint8_t) ~(1u << (k % 8));
}

static struct wl_out *out_of_surface(struct wayland *w, struct wl_surface *s)
{
	for (unsigned i = 0; i < w->d.nr_outputs; i++)
		if (w->out[i].surface == s)
			return &w->out[i];
	return NULL;
}

/* ---- keyboard ---- */

void wayland_release_keys(struct wayland *w)
{
	const struct display_input *in = &w->d.ev.input;

	for (uint32_t k = 0; k < WL_KEY_MAX; k++)
		if (bit(w->held, k)) {
			set_bit(w->held, k, false);
			if (in->key)
				in->key(in->opaque, (uint16_t)k, false);
		}
	memset(w->swallowed, 0, sizeof(w->swallowed));
}

/* No keysyms needed: the guest has its own keymap, the hotkeys are evdev
 * codes. */
static void kbd_keymap(void *data, struct wl_keyboard *k, uint32_t format, int32_t fd,
		       uint32_t size)
{
	close(fd);
}

/* Keys already down when focus arrives were pressed elsewhere: the guest
 * is not told (their release is then dropped, as for any key not held). */
static void kbd_enter(void *data, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s,
		      struct wl_array *keys)
{
	struct wayland *w = data;

	w->kbd_focus = out_of_surface(w, s);
}

/* Focus gone: the guest must not keep a key down it will never see
 * released; a grab ends with the focus. */
static void kbd_leave(void *data, struct wl_keyboard *k, uint32_t serial, struct wl_surface *s)
{
	struct wayland *w = data;

	wayland_release_keys(w);
	if (w->grabbed)
		wayland_grab_stop(w);
	w->kbd_focus = NULL;
}

static void kbd_key(void *data, struct wl_keyboard *k, uint32_t serial, uint32_t time, uint32_t key,
		    uint32_t state)
{
	struct wayland *w = data;
	const struct display_input *in = &w->d.ev.input;
	bool down = state == WL_KEYBOARD_KEY_STATE_PRESSED;

	if (key >= WL_KEY_MAX)
		return;
	if (wayland_hotkey(w, key, down))
		return;
	if (down == bit(w->held, key))
		return; /* a release of a key the guest never saw pressed */
	set_bit(w->held, key, down);
	if (in->key)
		in->key(in->opaque, (uint16_t)key, down);
}

static void kbd_modifiers(void *data, struct wl_keyboard *k, uint32_t serial, uint32_t dep,
			  uint32_t lat, uint32_t lock, uint32_t group)
{
}

/* The guest repeats keys itself (its keyboard has EV_REP). */
static void kbd_repeat(void *data, struct wl_keyboard *k, int32_t rate, int32_t delay)
{
}

static const struct wl_keyboard_listener keyboard_listener = {
    .keymap = kbd_keymap,
    .enter = kbd_enter,
    .leave = kbd_leave,
    .key = kbd_key,
    .modifiers = kbd_modifiers,
    .repeat_info = kbd_repeat,
};

/* ---- pointer ---- */

uint32_t wayland_abs_axis(wl_fixed_t pos, int32_t scale, uint32_t size)
{
	/* Frame pixels in 1/256: pos is 24.8 fixed point. */
	int64_t p = (int64_t)pos * (scale > 0 ? scale : 1);

	return p <= 0 ? 0 : display_input_abs((uint64_t)p, size);
}

/* The size the output's window shows: its frame, or before the first
 * frame the size the window was asked to have. */
static void shown_size(const struct wl_out *o, uint32_t *w, uint32_t *h)
{
	*w = o->width ? o->width : o->ask.w;
	*h = o->height ? o->height : o->ask.h;
}

static void note_position(struct wayland *w, wl_fixed_t x, wl_fixed_t y)
{
	struct wl_out *o = w->pointer_focus;
	uint32_t fw, fh;

	if (!o || w->grabbed)
		return;
	shown_size(o, &fw, &fh);
	w->pf.moved = true;
	w->pf.output = o->idx;
	w->pf.x = wayland_abs_axis(x, o->buffer_scale, fw);
	w->pf.y = wayland_abs_axis(y, o->buffer_scale, fh);
}

int32_t wayland_wheel_steps(struct wayland_wheel *acc, bool discrete, int32_t v120, wl_fixed_t cont)
{
	/* 64 bits: the remainder is under one step, the sum cannot wrap. */
	int64_t sum, steps, unit = discrete ? 120 : wl_fixed_from_int(10);

	if (discrete) {
		sum = (int64_t)acc->v120_rest + v120;
		acc->cont_rest = 0;
	} else {
		sum = (int64_t)acc->cont_rest + cont;
	}
	steps = sum / unit;
	if (discrete)
		acc->v120_rest = (int32_t)(sum - steps * unit);
	else
		acc->cont_rest = (wl_fixed_t)(sum - steps * unit);
	return (int32_t)steps;
}

static int32_t wheel_steps(struct wayland *w, int axis)
{
	return wayland_wheel_steps(&w->wheel[axis], w->pf.discrete[axis], w->pf.v120[axis],
				   w->pf.cont[axis]);
}

/* Deliver what the frame gathered: motion first, then the wheel. */
static void flush_frame(struct wayland *w)
{
	const struct display_input *in = &w->d.ev.input;
	int32_t dy, dx;

	if (w->pf.moved && in->pointer_abs)
		in->pointer_abs(in->opaque, w->pf.output, w->pf.x, w->pf.y);
	w->pf.moved = false;
	if (w->pf.rel_x || w->pf.rel_y) {
		int32_t rx, ry;

		w->rel_rest_x += w->pf.rel_x;
		w->rel_rest_y += w->pf.rel_y;
		rx = wl_fixed_to_int(w->rel_rest_x);
		ry = wl_fixed_to_int(w->rel_rest_y);
		w->rel_rest_x -= wl_fixed_from_int(rx);
		w->rel_rest_y -= wl_fixed_from_int(ry);
		if ((rx || ry) && in->pointer_rel)
			in->pointer_rel(in->opaque, rx, ry);
		w->pf.rel_x = w->pf.rel_y = 0;
	}
	/* Wayland's vertical axis grows towards the user, REL_WHEEL away. */
	dy = -wheel_steps(w, WL_POINTER_AXIS_VERTICAL_SCROLL);
	dx = wheel_steps(w, WL_POINTER_AXIS_HORIZONTAL_SCROLL);
	if ((dy || dx) && in->wheel)
		in->wheel(in->opaque, dy, dx);
	memset(w->pf.v120, 0, sizeof(w->pf.v120));
	memset(w->pf.discrete, 0, sizeof(w->pf.discrete));
	memset(w->pf.cont, 0, sizeof(w->pf.cont));
}

/* Before version 5 there are no frames: every event is one. */
static void maybe_flush(struct wayland *w)
{
	if (w->pointer_version < WL_POINTER_FRAME_SINCE_VERSION)
		flush_frame(w);
}

static void pointer_enter(void *data, struct wl_pointer *p, uint32_t serial, struct wl_surface *s,
			  wl_fixed_t x, wl_fixed_t y)
{
	struct wayland *w = data;

	w->pointer_serial = serial;
	w->pointer_focus = out_of_surface(w, s);
	wayland_apply_cursor(w);
	note_position(w, x, y);
	maybe_flush(w);
}

static void pointer_leave(void *data, struct wl_pointer *p, uint32_t serial, struct wl_surface *s)
{
	struct wayland *w = data;

	w->pointer_focus = NULL;
}

static void pointer_motion(void *data, struct wl_pointer *p, uint32_t t, wl_fixed_t x, wl_fixed_t y)
{
	struct wayland *w = data;

	note_position(w, x, y);
	maybe_flush(w);
}

/* BTN_* codes pass through; the position they belong to goes first. */
static void pointer_button(void *data, struct wl_pointer *p, uint32_t serial, uint32_t t,
			   uint32_t button, uint32_t state)
{
	struct wayland *w = data;
	const struct display_input *in = &w->d.ev.input;

	if (!w->pointer_focus || button > 0xffff)
		return;
	if (w->pf.moved && in->pointer_abs) {
		in->pointer_abs(in->opaque, w->pf.output, w->pf.x, w->pf.y);
		w->pf.moved = false;
	}
	if (in->button)
		in->button(in->opaque, (uint16_t)button, state == WL_POINTER_BUTTON_STATE_PRESSED);
}

static void pointer_axis(void *data, struct wl_pointer *p, uint32_t t, uint32_t axis, wl_fixed_t v)
{
	struct wayland *w = data;

	if (axis > WL_POINTER_AXIS_HORIZONTAL_SCROLL || !w->pointer_focus)
		return;
	w->pf.cont[axis] += v;
	maybe_flush(w);
}

static void pointer_frame(void *data, struct wl_pointer *p)
{
	flush_frame(data);
}

static void pointer_axis_source(void *data, struct wl_pointer *p, uint32_t source)
{
}

static void pointer_axis_stop(void *data, struct wl_pointer *p, uint32_t t, uint32_t axis)
{
}

/* Versions 5 to 7: whole steps. From 8 the compositor sends value120
 * instead (and no axis_discrete). */
static void pointer_axis_discrete(void *data, struct wl_pointer *p, uint32_t axis, int32_t steps)
{
	struct wayland *w = data;

	if (axis > WL_POINTER_AXIS_HORIZONTAL_SCROLL || !w->pointer_focus)
		return;
	w->pf.discrete[axis] = true;
	w->pf.v120[axis] += steps * 120;
}

static void pointer_axis_value120(void *data, struct wl_pointer *p, uint32_t axis, int32_t v120)
{
	struct wayland *w = data;

	if (axis > WL_POINTER_AXIS_HORIZONTAL_SCROLL || !w->pointer_focus)
		return;
	w->pf.discrete[axis] = true;
	w->pf.v120[axis] += v120;
}

static const struct wl_pointer_listener pointer_listener = {
    .enter = pointer_enter,
    .leave = pointer_leave,
    .motion = pointer_motion,
    .button = pointer_button,
    .axis = pointer_axis,
    .frame = pointer_frame,
    .axis_source = pointer_axis_source,
    .axis_stop = pointer_axis_stop,
    .axis_discrete = pointer_axis_discrete,
    .axis_value120 = pointer_axis_value120,
};

/* ---- the seat ---- */

static void seat_caps(void *data, struct wl_seat *seat, uint32_t caps)
{
	struct wayland *w = data;

	if ((caps & WL_SEAT_CAPABILITY_POINTER) && !w->pointer) {
		w->pointer = wl_seat_get_pointer(seat);
		w->pointer_version = wl_pointer_get_version(w->pointer);
		wl_pointer_add_listener(w->pointer, &pointer_listener, w);
	} else if (!(caps & WL_SEAT_CAPABILITY_POINTER) && w->pointer) {
		if (w->grabbed)
			wayland_grab_stop(w);
		wl_pointer_destroy(w->pointer);
		w->pointer = NULL;
		w->pointer_focus = NULL;
	}
	if ((caps & WL_SEAT_CAPABILITY_KEYBOARD) && !w->keyboard) {
		w->keyboard = wl_seat_get_keyboard(seat);
		wl_keyboard_add_listener(w->keyboard, &keyboard_listener, w);
	} else if (!(caps & WL_SEAT_CAPABILITY_KEYBOARD) && w->keyboard) {
		wayland_release_keys(w);
		wl_keyboard_destroy(w->keyboard);
		w->keyboard = NULL;
		w->kbd_focus = NULL;
	}
}

static void seat_name(void *data, struct wl_seat *seat, const char *name)
{
}

const struct wl_seat_listener wayland_seat_listener = {.capabilities = seat_caps,
						       .name = seat_name};

void wayland_input_destroy(struct wayland *w)
{
	if (w->keyboard)
		wl_keyboard_destroy(w->keyboard);
	if (w->pointer)
		wl_pointer_destroy(w->pointer);
	w->keyboard = NULL;
	w->pointer = NULL;
}
