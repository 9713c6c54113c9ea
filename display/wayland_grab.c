/* Wayland: the display's own hotkeys, as QEMU's GTK window has them.
 * Ctrl+Alt+G grabs the pointer: zwp_pointer_constraints_v1 locks it in the
 * window, zwp_relative_pointer_manager_v1 gives its unaccelerated motion
 * (the guest's relative mouse) and, where offered, compositor shortcuts are
 * inhibited; the same keys release it. Ctrl+Alt+F toggles fullscreen. The
 * hotkey's own key (G, F) never reaches the guest; Ctrl and Alt went down
 * before anyone knew, so the guest sees them (wayland_priv.h). */
#include <linux/input-event-codes.h>
#include <stdio.h>

#include "display/wayland_priv.h"
#include "keyboard-shortcuts-inhibit-unstable-v1-client-protocol.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"
#include "util/log.h"
#include "xdg-shell-client-protocol.h"

#define GRAB_HINT " - grabbed, Ctrl+Alt+G releases"

static bool held(const struct wayland *w, uint32_t k)
{
	return w->held[k / 8] & (1u << (k % 8));
}

void wayland_set_title(struct wl_out *o)
{
	struct wayland *w = o->w;
	char out[32] = "";

	if (w->d.nr_outputs > 1)
		snprintf(out, sizeof(out), " (output %u)", o->idx);
	snprintf(o->title, sizeof(o->title), "%.*s%s%s", (int)(sizeof(o->title) - 64), w->title,
		 out, w->grabbed && w->grab_out == o ? GRAB_HINT : "");
	xdg_toplevel_set_title(o->toplevel, o->title);
}

static void rel_motion(void *data, struct zwp_relative_pointer_v1 *r, uint32_t hi, uint32_t lo,
		       wl_fixed_t dx, wl_fixed_t dy, wl_fixed_t dx_unaccel, wl_fixed_t dy_unaccel)
{
	struct wayland *w = data;

	/* Part of the wl_pointer frame: delivered at its end. */
	w->pf.rel_x += dx_unaccel;
	w->pf.rel_y += dy_unaccel;
}

static const struct zwp_relative_pointer_v1_listener rel_listener = {.relative_motion = rel_motion};

static void lock_locked(void *data, struct zwp_locked_pointer_v1 *l)
{
}

/* A one-shot lock the compositor broke (focus went elsewhere): the grab
 * is over. */
static void lock_unlocked(void *data, struct zwp_locked_pointer_v1 *l)
{
	wayland_grab_stop(data);
}

static const struct zwp_locked_pointer_v1_listener lock_listener = {.locked = lock_locked,
								    .unlocked = lock_unlocked};

void wayland_grab_start(struct wayland *w)
{
	const struct display_input *in = &w->d.ev.input;
	struct wl_out *o = w->kbd_focus ? w->kbd_focus : w->pointer_focus;

	if (!w->constraints || !w->relative || !w->pointer || !o) {
		log_warn("wayland: pointer grab refused: %s",
			 !w->constraints ? "the compositor lacks zwp_pointer_constraints_v1"
			 : !w->relative	 ? "the compositor lacks zwp_relative_pointer_manager_v1"
					 : "no pointer or no focused window");
		return;
	}
	w->locked =
	    zwp_pointer_constraints_v1_lock_pointer(w->constraints, o->surface, w->pointer, NULL,
						    ZWP_POINTER_CONSTRAINTS_V1_LIFETIME_ONESHOT);
	zwp_locked_pointer_v1_add_listener(w->locked, &lock_listener, w);
	w->rel_pointer =
	    zwp_relative_pointer_manager_v1_get_relative_pointer(w->relative, w->pointer);
	zwp_relative_pointer_v1_add_listener(w->rel_pointer, &rel_listener, w);
	if (w->inhibit_mgr)
		w->inhibitor = zwp_keyboard_shortcuts_inhibit_manager_v1_inhibit_shortcuts(
		    w->inhibit_mgr, o->surface, w->seat);
	w->grabbed = true;
	w->grab_out = o;
	w->pf.moved = false;
	w->pf.rel_x = w->pf.rel_y = w->rel_rest_x = w->rel_rest_y = 0;
	wayland_set_title(o);
	wl_display_flush(w->dpy);
	if (in->grab)
		in->grab(in->opaque, true);
}

static void grab_free(struct wayland *w)
{
	if (w->inhibitor)
		zwp_keyboard_shortcuts_inhibitor_v1_destroy(w->inhibitor);
	if (w->rel_pointer)
		zwp_relative_pointer_v1_destroy(w->rel_pointer);
	if (w->locked)
		zwp_locked_pointer_v1_destroy(w->locked);
	w->inhibitor = NULL;
	w->rel_pointer = NULL;
	w->locked = NULL;
}

void wayland_grab_stop(struct wayland *w)
{
	const struct display_input *in = &w->d.ev.input;
	struct wl_out *o = w->grab_out;

	if (!w->grabbed)
		return;
	grab_free(w);
	w->grabbed = false;
	w->grab_out = NULL;
	w->pf.rel_x = w->pf.rel_y = 0;
	if (o)
		wayland_set_title(o);
	wl_display_flush(w->dpy);
	if (in->grab)
		in->grab(in->opaque, false);
}

void wayland_toggle_fullscreen(struct wayland *w)
{
	struct wl_out *o = w->kbd_focus;

	if (!o)
		return;
	if (o->fullscreen)
		xdg_toplevel_unset_fullscreen(o->toplevel);
	else
		xdg_toplevel_set_fullscreen(o->toplevel, NULL);
	wl_display_flush(w->dpy);
}

bool wayland_hotkey(struct wayland *w, uint32_t key, bool down)
{
	uint8_t *sw = &w->swallowed[key / 8];
	uint8_t mask = (uint8_t)(1u << (key % 8));
	bool ctrl = held(w, KEY_LEFTCTRL) || held(w, KEY_RIGHTCTRL);
	bool alt = held(w, KEY_LEFTALT) || held(w, KEY_RIGHTALT);

	if (!down) {
		/* The release of a hotkey's key is the display's too. */
		if (!(*sw & mask))
			return false;
		*sw &= (uint8_t)~mask;
		return true;
	}
	if (!ctrl || !alt || (key != KEY_G && key != KEY_F))
		return false;
	*sw |= mask;
	if (key == KEY_F)
		wayland_toggle_fullscreen(w);
	else if (w->grabbed)
		wayland_grab_stop(w);
	else
		wayland_grab_start(w);
	return true;
}

void wayland_grab_destroy(struct wayland *w)
{
	grab_free(w);
	if (w->constraints)
		zwp_pointer_constraints_v1_destroy(w->constraints);
	if (w->relative)
		zwp_relative_pointer_manager_v1_destroy(w->relative);
	if (w->inhibit_mgr)
		zwp_keyboard_shortcuts_inhibit_manager_v1_destroy(w->inhibit_mgr);
}
