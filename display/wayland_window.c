/* Wayland: one xdg-shell toplevel per output. The compositor configures it
 * (a proposed size becomes a resize event for the VMM) and may close it
 * (wayland_priv.h). */
#include <stdio.h>

#include "display/wayland_priv.h"
#include "xdg-shell-client-protocol.h"

static void xsurface_configure(void *data, struct xdg_surface *xs, uint32_t serial)
{
	struct wl_out *o = data;

	xdg_surface_ack_configure(xs, serial);
	o->configured = true;
	if (o->want_draw && o->live.data)
		wayland_draw(o);
	else if (!o->shown)
		wayland_show_blank(o);
	else {
		/* Weston applies an acked state (fullscreen and back) only with
		 * a buffer in the commit: the one shown again. */
		wl_surface_attach(o->surface, o->shown->wb, 0, 0);
		o->shown->busy = true;
		wl_surface_commit(o->surface);
	}
}

static const struct xdg_surface_listener xsurface_listener = {.configure = xsurface_configure};

/* The compositor proposes a size: the guest decides whether to follow. */
static void toplevel_configure(void *data, struct xdg_toplevel *t, int32_t w, int32_t h,
			       struct wl_array *states)
{
	struct wl_out *o = data;
	struct display *d = &o->w->d;
	uint32_t *st;

	o->fullscreen = false;
	wl_array_for_each(st, states)
	{
		if (*st == XDG_TOPLEVEL_STATE_FULLSCREEN)
			o->fullscreen = true;
	}
	if (w > 0 && h > 0)
		display_size_asked(d, o->idx, &o->ask, wayland_scale_size(o, w),
				   wayland_scale_size(o, h));
}

void wayland_events_ready(struct display *d)
{
	struct wayland *w = to_wl(d);

	for (unsigned i = 0; i < d->nr_outputs; i++)
		display_size_flush(d, i, &w->out[i].ask);
}

static void toplevel_close(void *data, struct xdg_toplevel *t)
{
	struct wl_out *o = data;
	struct display *d = &o->w->d;

	if (d->ev.close)
		d->ev.close(d->ev.opaque);
}

static void toplevel_configure_bounds(void *data, struct xdg_toplevel *t, int32_t w, int32_t h)
{
}

static void toplevel_wm_capabilities(void *data, struct xdg_toplevel *t, struct wl_array *caps)
{
}

static const struct xdg_toplevel_listener toplevel_listener = {
    .configure = toplevel_configure,
    .close = toplevel_close,
    .configure_bounds = toplevel_configure_bounds,
    .wm_capabilities = toplevel_wm_capabilities,
};

void wayland_window_create(struct wayland *w, unsigned i)
{
	struct wl_out *o = &w->out[i];

	o->w = w;
	o->idx = i;
	o->ask.w = w->d.width;
	o->ask.h = w->d.height;
	for (int b = 0; b < NBUF; b++)
		pixman_region32_init(&o->bufs[b].stale);
	o->surface = wl_compositor_create_surface(w->compositor);
	wl_surface_add_listener(o->surface, &wayland_surface_listener, o);
	o->xsurface = xdg_wm_base_get_xdg_surface(w->wm, o->surface);
	xdg_surface_add_listener(o->xsurface, &xsurface_listener, o);
	o->toplevel = xdg_surface_get_toplevel(o->xsurface);
	xdg_toplevel_add_listener(o->toplevel, &toplevel_listener, o);
	/* Until the surface enters a HiDPI output (wayland_scale.c). */
	o->buffer_scale = 1;
	wayland_set_title(o);
	xdg_toplevel_set_app_id(o->toplevel, "lkvm-gpu");
	/* No buffer yet: this commit asks for the first configure. */
	wl_surface_commit(o->surface);
}
