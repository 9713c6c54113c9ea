/* The Wayland display: the connection to the compositor, the globals it
 * offers, dispatching its events on the GPU worker, and teardown. The
 * outputs' windows, buffers, cursor and screenshots live in the other
 * wayland_*.c files (see wayland_priv.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <wayland-client.h>

#include "display/display.h"
#include "display/wayland_priv.h"
#include "keyboard-shortcuts-inhibit-unstable-v1-client-protocol.h"
#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

static int get_fd(struct display *d)
{
	return wl_display_get_fd(to_wl(d)->dpy);
}

static int dispatch(struct display *d)
{
	struct wayland *w = to_wl(d);

	if (w->dead)
		return -1;
	while (wl_display_prepare_read(w->dpy) != 0)
		wl_display_dispatch_pending(w->dpy);
	if (wl_display_read_events(w->dpy) < 0 || wl_display_dispatch_pending(w->dpy) < 0) {
		/* The compositor went away: like closing the window. */
		w->dead = true;
		if (d->ev.close)
			d->ev.close(d->ev.opaque);
		return -1;
	}
	wl_display_flush(w->dpy);
	return 0;
}

static void destroy(struct display *d)
{
	struct wayland *w = to_wl(d);

	wayland_grab_destroy(w);
	wayland_input_destroy(w);
	wayland_scale_destroy(w);
	for (unsigned i = 0; i < d->nr_outputs; i++) {
		struct wl_out *o = &w->out[i];

		wayland_buffers_free(o);
		if (o->cursor_buf)
			wl_buffer_destroy(o->cursor_buf);
		if (o->cursor_surface)
			wl_surface_destroy(o->cursor_surface);
		if (o->cursor_px)
			munmap(o->cursor_px, DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM * 4);
		if (o->toplevel)
			xdg_toplevel_destroy(o->toplevel);
		if (o->xsurface)
			xdg_surface_destroy(o->xsurface);
		if (o->surface)
			wl_surface_destroy(o->surface);
	}
	if (w->seat)
		wl_seat_destroy(w->seat);
	if (w->wm)
		xdg_wm_base_destroy(w->wm);
	if (w->shm)
		wl_shm_destroy(w->shm);
	if (w->compositor)
		wl_compositor_destroy(w->compositor);
	if (w->registry)
		wl_registry_destroy(w->registry);
	if (w->dpy)
		wl_display_disconnect(w->dpy);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static const struct display_ops wayland_ops = {
    .name = "wayland",
    .present = wayland_present,
    .disable = wayland_disable,
    .frame_bytes = wayland_frame_bytes,
    .set_cursor = wayland_set_cursor,
    .move_cursor = wayland_move_cursor,
    .get_fd = get_fd,
    .dispatch = dispatch,
    .screenshot = wayland_screenshot,
    .destroy = destroy,
    .events_ready = wayland_events_ready,
};

/* ---- the compositor's globals ---- */

static void wm_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = {.ping = wm_ping};

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void registry_global(void *data, struct wl_registry *r, uint32_t name, const char *iface,
			    uint32_t version)
{
	struct wayland *w = data;

	if (!strcmp(iface, wl_compositor_interface.name) && !w->compositor) {
		w->compositor_version = min_u32(version, 4);
		w->compositor =
		    wl_registry_bind(r, name, &wl_compositor_interface, w->compositor_version);
	} else if (!strcmp(iface, wl_output_interface.name)) {
		wayland_scale_bind(w, r, name, version);
	} else if (!strcmp(iface, wl_shm_interface.name) && !w->shm) {
		w->shm = wl_registry_bind(r, name, &wl_shm_interface, 1);
	} else if (!strcmp(iface, xdg_wm_base_interface.name) && !w->wm) {
		w->wm = wl_registry_bind(r, name, &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(w->wm, &wm_listener, w);
	} else if (!strcmp(iface, wl_seat_interface.name) && !w->seat) {
		/* 8: wheel steps as axis_value120 (5..7: axis_discrete). */
		w->seat = wl_registry_bind(r, name, &wl_seat_interface, min_u32(version, 8));
		wl_seat_add_listener(w->seat, &wayland_seat_listener, w);
	} else if (!strcmp(iface, zwp_pointer_constraints_v1_interface.name) && !w->constraints) {
		w->constraints =
		    wl_registry_bind(r, name, &zwp_pointer_constraints_v1_interface, 1);
	} else if (!strcmp(iface, zwp_relative_pointer_manager_v1_interface.name) && !w->relative) {
		w->relative =
		    wl_registry_bind(r, name, &zwp_relative_pointer_manager_v1_interface, 1);
	} else if (!strcmp(iface, zwp_keyboard_shortcuts_inhibit_manager_v1_interface.name) &&
		   !w->inhibit_mgr) {
		w->inhibit_mgr = wl_registry_bind(
		    r, name, &zwp_keyboard_shortcuts_inhibit_manager_v1_interface, 1);
	}
}

static void registry_remove(void *data, struct wl_registry *r, uint32_t name)
{
	wayland_scale_unbind(data, name);
}

static const struct wl_registry_listener registry_listener = {.global = registry_global,
							      .global_remove = registry_remove};

struct display *display_wayland_open(const struct display_config *cfg, char *err, size_t errlen)
{
	struct wayland *w =
	    (struct wayland *)display_alloc(sizeof(*w), &wayland_ops, cfg, "wayland", err, errlen);

	if (!w)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	snprintf(w->title, sizeof(w->title), "%s", cfg->title ? cfg->title : "lkvm-gpu");
	w->dpy = wl_display_connect(NULL);
	if (!w->dpy) {
		snprintf(err, errlen,
			 "wayland: cannot connect to a compositor (WAYLAND_DISPLAY=%s)",
			 getenv("WAYLAND_DISPLAY") ? getenv("WAYLAND_DISPLAY") : "unset");
		goto fail;
	}
	w->registry = wl_display_get_registry(w->dpy);
	wl_registry_add_listener(w->registry, &registry_listener, w);
	if (wl_display_roundtrip(w->dpy) < 0 || !w->compositor || !w->shm || !w->wm) {
		snprintf(err, errlen,
			 "wayland: compositor lacks wl_compositor, wl_shm or xdg_wm_base");
		goto fail;
	}
	for (unsigned i = 0; i < cfg->outputs; i++)
		wayland_window_create(w, i);
	/* Get the first configure (and the seat's pointer) before the worker
	 * takes over the connection. */
	if (wl_display_roundtrip(w->dpy) < 0) {
		snprintf(err, errlen, "wayland: connection lost during setup");
		goto fail;
	}
	return &w->d;
fail:
	destroy(&w->d);
	return NULL;
}
