/* X11 input: keys, pointer, buttons and wheel from the outputs' windows to
 * the VMM's display_input, in evdev codes (x11_priv.h).
 *
 * Keys: on an evdev-based server (Xorg with evdev or libinput, Xvfb,
 * Xwayland) an X keycode is the evdev code + 8. The keymap is checked at
 * open (XKB keycodes named "evdev...", or without XKB Page_Up at keycode
 * 112, as QEMU does); any other server gets no keyboard input, with one
 * log line. The server's autorepeat is made detectable (one release at the
 * end) and repeated presses are dropped: the guest repeats by itself.
 * Pointer: window coordinates scaled over the output's frame to
 * 0..DISPLAY_INPUT_ABS_MAX, clamped at the frame's edges. */
#include <linux/input-event-codes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xcb/xkb.h>

#include "display/x11_priv.h"
#include "util/log.h"

#define EVDEV_OFFSET 8
#define XK_PRIOR     0xff55

/* XKB is there and this client speaks it. */
static bool use_xkb(struct x11 *x)
{
	const xcb_query_extension_reply_t *ext = xcb_get_extension_data(x->c, &xcb_xkb_id);
	xcb_xkb_use_extension_reply_t *u;
	bool ok;

	if (!ext || !ext->present)
		return false;
	u = xcb_xkb_use_extension_reply(x->c, xcb_xkb_use_extension(x->c, 1, 0), NULL);
	ok = u && u->supported;
	free(u);
	return ok;
}

/* The server then repeats a held key as presses only, and the repeats are
 * dropped (the guest repeats by itself). Without it they arrive as
 * release/press pairs and reach the guest as such. */
static void detectable_repeat(struct x11 *x)
{
	const uint32_t flag = XCB_XKB_PER_CLIENT_FLAG_DETECTABLE_AUTO_REPEAT;
	xcb_xkb_per_client_flags_reply_t *f = xcb_xkb_per_client_flags_reply(
	    x->c, xcb_xkb_per_client_flags(x->c, XCB_XKB_ID_USE_CORE_KBD, flag, flag, 0, 0, 0),
	    NULL);

	x->detectable_repeat = f && (f->value & flag);
	free(f);
}

/* The name of the XKB keycodes set ("evdev+aliases(qwerty)"), or false. */
static bool keycodes_name(struct x11 *x, char *buf, size_t len)
{
	xcb_xkb_get_names_reply_t *n = xcb_xkb_get_names_reply(
	    x->c, xcb_xkb_get_names(x->c, XCB_XKB_ID_USE_CORE_KBD, XCB_XKB_NAME_DETAIL_KEYCODES),
	    NULL);
	xcb_xkb_get_names_value_list_t list;
	xcb_get_atom_name_reply_t *a;

	if (!n)
		return false;
	memset(&list, 0, sizeof(list));
	xcb_xkb_get_names_value_list_unpack(xcb_xkb_get_names_value_list(n), n->nTypes,
					    n->indicators, n->virtualMods, n->groupNames, n->nKeys,
					    n->nKeyAliases, n->nRadioGroups, n->which, &list);
	free(n);
	if (list.keycodesName == XCB_ATOM_NONE)
		return false;
	a = xcb_get_atom_name_reply(x->c, xcb_get_atom_name(x->c, list.keycodesName), NULL);
	if (!a)
		return false;
	snprintf(buf, len, "%.*s", xcb_get_atom_name_name_length(a), xcb_get_atom_name_name(a));
	free(a);
	return true;
}

/* Without XKB's name: Page_Up sits at evdev's KEY_PAGEUP + 8 = 112 only on
 * an evdev keymap (xfree86 has it at 99). */
bool x11_pageup_at_112(struct x11 *x)
{
	xcb_get_keyboard_mapping_reply_t *m = xcb_get_keyboard_mapping_reply(
	    x->c, xcb_get_keyboard_mapping(x->c, KEY_PAGEUP + EVDEV_OFFSET, 1), NULL);
	bool ok = m && xcb_get_keyboard_mapping_keysyms_length(m) > 0 &&
		  xcb_get_keyboard_mapping_keysyms(m)[0] == XK_PRIOR;

	free(m);
	if (!ok)
		log_warn("x11: no XKB keycodes name and Page_Up is not at keycode 112: the "
			 "keycodes are not evdev; no keyboard input to the guest");
	return ok;
}

void x11_input_init(struct x11 *x)
{
	char name[128];

	if (!use_xkb(x)) {
		x->evdev_keys = x11_pageup_at_112(x);
		return;
	}
	detectable_repeat(x);
	if (!keycodes_name(x, name, sizeof(name))) {
		x->evdev_keys = x11_pageup_at_112(x);
		return;
	}
	x->evdev_keys = !strncmp(name, "evdev", 5);
	if (!x->evdev_keys)
		log_warn("x11: the server's keycodes are '%s', not evdev: no keyboard input to the "
			 "guest",
			 name);
}

static bool key_held(const struct x11 *x, uint8_t kc)
{
	return x->keys_down[kc / 8] & (1u << (kc % 8));
}

static void set_held(struct x11 *x, uint8_t kc, bool down)
{
	if (down)
		x->keys_down[kc / 8] |= 1u << (kc % 8);
	else
		x->keys_down[kc / 8] &= ~(1u << (kc % 8));
}

void x11_release_keys(struct x11 *x)
{
	const struct display_input *in = &x->d.ev.input;

	for (unsigned kc = 0; kc < 256; kc++)
		if (key_held(x, kc)) {
			set_held(x, kc, false);
			if (in->key)
				in->key(in->opaque, kc - EVDEV_OFFSET, false);
		}
}

static void key(struct x11 *x, struct x11_out *o, uint8_t kc, uint16_t state, bool down)
{
	const struct display_input *in = &x->d.ev.input;
	const uint16_t hot = XCB_MOD_MASK_CONTROL | XCB_MOD_MASK_1;

	if (!x->evdev_keys || kc < EVDEV_OFFSET)
		return;
	/* Ctrl+Alt+G toggles the grab; the G never reaches the guest. */
	if (kc == KEY_G + EVDEV_OFFSET && (state & hot) == hot) {
		if (down)
			x11_grab_toggle(x, o);
		return;
	}
	/* A repeat (or a release we already sent at focus loss). */
	if (key_held(x, kc) == down)
		return;
	set_held(x, kc, down);
	if (in->key)
		in->key(in->opaque, kc - EVDEV_OFFSET, down);
}

void x11_pointer_scale(const struct x11_out *o, int x, int y, uint32_t *ax, uint32_t *ay)
{
	uint32_t fw = o->width ? o->width : o->win_w;
	uint32_t fh = o->height ? o->height : o->win_h;
	uint64_t cx = x < 0 ? 0 : (uint64_t)x, cy = y < 0 ? 0 : (uint64_t)y;

	if (fw && cx > fw - 1)
		cx = fw - 1;
	if (fh && cy > fh - 1)
		cy = fh - 1;
	*ax = display_input_abs(cx * 256, fw);
	*ay = display_input_abs(cy * 256, fh);
}

static void motion(struct x11 *x, struct x11_out *o, int ex, int ey)
{
	const struct display_input *in = &x->d.ev.input;
	uint32_t ax, ay;

	x->pointer_out = o;
	if (x11_grab_motion(x, o, ex, ey) || !in->pointer_abs)
		return;
	x11_pointer_scale(o, ex, ey, &ax, &ay);
	in->pointer_abs(in->opaque, o->idx, ax, ay);
}

/* X buttons: 1 left, 2 middle, 3 right, 4/5 wheel up/down, 6/7 wheel
 * left/right, 8/9 back/forward. */
static void button(struct x11 *x, uint8_t b, bool down)
{
	const struct display_input *in = &x->d.ev.input;
	static const uint16_t codes[10] = {
	    [1] = BTN_LEFT, [2] = BTN_MIDDLE, [3] = BTN_RIGHT, [8] = BTN_SIDE, [9] = BTN_EXTRA};

	if (b >= 4 && b <= 7) {
		/* A wheel step is a press and a release: count the press.
		 * Up (4) is away from the user: +1. */
		static const int8_t dy[8] = {[4] = 1, [5] = -1}, dx[8] = {[6] = -1, [7] = 1};

		if (down && in->wheel)
			in->wheel(in->opaque, dy[b], dx[b]);
		return;
	}
	if (b < 10 && codes[b] && in->button)
		in->button(in->opaque, codes[b], down);
}

bool x11_input_event(struct x11 *x, const xcb_generic_event_t *ev)
{
	struct x11_out *o;

	switch (ev->response_type & 0x7f) {
	case XCB_KEY_PRESS:
	case XCB_KEY_RELEASE: {
		const xcb_key_press_event_t *e = (const xcb_key_press_event_t *)ev;

		o = x11_out_of_window(x, e->event);
		if (o)
			key(x, o, e->detail, e->state, (ev->response_type & 0x7f) == XCB_KEY_PRESS);
		return true;
	}
	case XCB_BUTTON_PRESS:
	case XCB_BUTTON_RELEASE: {
		const xcb_button_press_event_t *e = (const xcb_button_press_event_t *)ev;

		if (x11_out_of_window(x, e->event))
			button(x, e->detail, (ev->response_type & 0x7f) == XCB_BUTTON_PRESS);
		return true;
	}
	case XCB_MOTION_NOTIFY: {
		const xcb_motion_notify_event_t *e = (const xcb_motion_notify_event_t *)ev;

		o = x11_out_of_window(x, e->event);
		if (o)
			motion(x, o, e->event_x, e->event_y);
		return true;
	}
	case XCB_ENTER_NOTIFY: {
		const xcb_enter_notify_event_t *e = (const xcb_enter_notify_event_t *)ev;

		/* A crossing caused by our own grab is not a motion: it would
		 * be a delta from the centre that the user never made. */
		o = x11_out_of_window(x, e->event);
		if (o && !x->grabbed && e->mode == XCB_NOTIFY_MODE_NORMAL)
			motion(x, o, e->event_x, e->event_y);
		return true;
	}
	case XCB_FOCUS_IN:
		return true;
	case XCB_FOCUS_OUT: {
		const xcb_focus_out_event_t *e = (const xcb_focus_out_event_t *)ev;

		/* Keys held now would stay down in the guest: their
		 * releases go to another window. */
		x11_release_keys(x);
		/* Focus taken by someone else (not our own grab): let go. */
		if (e->mode == XCB_NOTIFY_MODE_NORMAL && x->grabbed)
			x11_grab_release(x);
		return true;
	}
	}
	return false;
}
