/* X11 grab: Ctrl+Alt+G (as on Wayland and in QEMU's GTK UI) grabs the
 * keyboard and the pointer into the window, hides the host pointer and
 * switches to relative motion: the pointer is warped back to the window's
 * centre after every motion, and the offset from the centre is the delta
 * (no XInput2 needed). The title says so; the same hotkey releases
 * (x11_priv.h). The event handlers run inside dispatch's loop, so waiting
 * for the grab replies here leaves no event behind in xcb's queue. */
#include <stdlib.h>

#include "display/x11_priv.h"
#include "util/log.h"

#define GRAB_TITLE " [input grabbed: Ctrl+Alt+G releases]"

static void centre(const struct x11_out *o, int *cx, int *cy)
{
	*cx = (int)(o->win_w / 2);
	*cy = (int)(o->win_h / 2);
}

static void warp_to_centre(struct x11 *x, struct x11_out *o)
{
	int cx, cy;

	centre(o, &cx, &cy);
	xcb_warp_pointer(x->c, XCB_NONE, o->win, 0, 0, 0, 0, (int16_t)cx, (int16_t)cy);
}

static bool grab(struct x11 *x, struct x11_out *o)
{
	xcb_grab_keyboard_reply_t *k =
	    xcb_grab_keyboard_reply(x->c,
				    xcb_grab_keyboard(x->c, 0, o->win, XCB_CURRENT_TIME,
						      XCB_GRAB_MODE_ASYNC, XCB_GRAB_MODE_ASYNC),
				    NULL);
	xcb_grab_pointer_reply_t *p = NULL;
	bool ok = k && k->status == XCB_GRAB_STATUS_SUCCESS;

	free(k);
	if (ok) {
		p = xcb_grab_pointer_reply(
		    x->c,
		    xcb_grab_pointer(x->c, 0, o->win,
				     XCB_EVENT_MASK_POINTER_MOTION | XCB_EVENT_MASK_BUTTON_PRESS |
					 XCB_EVENT_MASK_BUTTON_RELEASE,
				     XCB_GRAB_MODE_ASYNC, XCB_GRAB_MODE_ASYNC, o->win,
				     x->blank_cursor, XCB_CURRENT_TIME),
		    NULL);
		ok = p && p->status == XCB_GRAB_STATUS_SUCCESS;
		free(p);
		if (!ok)
			xcb_ungrab_keyboard(x->c, XCB_CURRENT_TIME);
	}
	return ok;
}

void x11_grab_release(struct x11 *x)
{
	const struct display_input *in = &x->d.ev.input;

	if (!x->grabbed)
		return;
	xcb_ungrab_pointer(x->c, XCB_CURRENT_TIME);
	xcb_ungrab_keyboard(x->c, XCB_CURRENT_TIME);
	x->grabbed = false;
	x11_release_keys(x);
	for (unsigned i = 0; i < x->d.nr_outputs; i++)
		x11_window_set_title(&x->out[i], "");
	xcb_flush(x->c);
	if (in->grab)
		in->grab(in->opaque, false);
}

void x11_grab_toggle(struct x11 *x, struct x11_out *o)
{
	const struct display_input *in = &x->d.ev.input;
	static bool warned;

	if (x->grabbed) {
		x11_grab_release(x);
		return;
	}
	if (!grab(x, o)) {
		if (!warned)
			log_warn("x11: the server refused the keyboard/pointer grab");
		warned = true;
		return;
	}
	x->grabbed = true;
	x->pointer_out = o;
	/* Ctrl and Alt went to the guest before the G: let them go there. */
	x11_release_keys(x);
	warp_to_centre(x, o);
	x11_window_set_title(o, GRAB_TITLE);
	xcb_flush(x->c);
	if (in->grab)
		in->grab(in->opaque, true);
}

bool x11_grab_motion(struct x11 *x, struct x11_out *o, int ex, int ey)
{
	const struct display_input *in = &x->d.ev.input;
	int cx, cy;

	if (!x->grabbed)
		return false;
	centre(o, &cx, &cy);
	/* The warp's own motion lands on the centre: no delta. */
	if (ex == cx && ey == cy)
		return true;
	if (in->pointer_rel)
		in->pointer_rel(in->opaque, ex - cx, ey - cy);
	warp_to_centre(x, o);
	xcb_flush(x->c);
	return true;
}
