/* Wayland on HiDPI outputs: a guest pixel stays one screen pixel.
 *
 * Every wl_output announces its scale. A window takes the largest scale of
 * the outputs its surface is on (wl_surface.enter/leave) and tells the
 * compositor with wl_surface.set_buffer_scale, so a scale-2 output shows
 * the guest's 1920x1080 frame on 1920x1080 of its pixels (the window is
 * 960x540 in surface units) instead of stretching it to 3840x2160. The
 * protocol wants the buffer's size a multiple of the scale: a frame that is
 * not is shown at scale 1 (the compositor stretches it). The pointer's
 * surface coordinates times the scale are frame pixels
 * (wayland_abs_axis), and a size the compositor proposes in surface units
 * becomes that many times the scale in guest pixels. */
#include "display/wayland_priv.h"

static int32_t wanted(const struct wl_out *o)
{
	const struct wayland *w = o->w;
	int32_t s = 1;

	for (unsigned i = 0; i < w->nr_houts; i++)
		if ((o->on_houts >> i & 1) && w->hout[i].scale > s)
			s = w->hout[i].scale;
	return s;
}

int32_t wayland_buffer_scale_for(int32_t want, uint32_t width, uint32_t height)
{
	if (want < 1 || want > WL_SCALE_MAX)
		return 1;
	return width % (uint32_t)want || height % (uint32_t)want ? 1 : want;
}

void wayland_scale_apply(struct wl_out *o)
{
	int32_t s = wayland_buffer_scale_for(wanted(o), o->width, o->height);

	/* set_buffer_scale came with wl_surface version 3. */
	if (o->w->compositor_version < 3 || s == o->buffer_scale)
		return;
	wl_surface_set_buffer_scale(o->surface, s);
	o->buffer_scale = s;
}

uint32_t wayland_scale_size(const struct wl_out *o, int32_t surface_units)
{
	uint64_t v = (uint64_t)(surface_units > 0 ? surface_units : 0) * (uint64_t)wanted(o);

	return v > UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* A window's scale may have changed: draw it again at the new one. */
static void rescale(struct wl_out *o)
{
	if (wayland_buffer_scale_for(wanted(o), o->width, o->height) == o->buffer_scale)
		return;
	if (o->shown) /* everything it shows, again, at the new scale */
		for (int b = 0; b < NBUF; b++)
			pixman_region32_union_rect(&o->bufs[b].stale, &o->bufs[b].stale, 0, 0,
						   o->width, o->height);
	wayland_draw(o);
}

static void rescale_all(struct wayland *w)
{
	for (unsigned i = 0; i < w->d.nr_outputs; i++)
		if (w->out[i].surface)
			rescale(&w->out[i]);
}

static struct wl_host_output *find(struct wayland *w, struct wl_output *out)
{
	for (unsigned i = 0; i < w->nr_houts; i++)
		if (w->hout[i].out == out)
			return &w->hout[i];
	return NULL;
}

static void out_geometry(void *data, struct wl_output *out, int32_t x, int32_t y, int32_t pw,
			 int32_t ph, int32_t subpixel, const char *make, const char *model,
			 int32_t transform)
{
}

static void out_mode(void *data, struct wl_output *out, uint32_t flags, int32_t w, int32_t h,
		     int32_t refresh)
{
}

static void out_scale(void *data, struct wl_output *out, int32_t factor)
{
	struct wl_host_output *h = find(data, out);

	if (h)
		h->pending = factor >= 1 && factor <= WL_SCALE_MAX ? factor : 1;
}

/* The output's properties are complete: apply the new scale. */
static void out_done(void *data, struct wl_output *out)
{
	struct wayland *w = data;
	struct wl_host_output *h = find(w, out);

	if (h && h->pending != h->scale) {
		h->scale = h->pending;
		pthread_mutex_lock(&w->lock);
		rescale_all(w);
		pthread_mutex_unlock(&w->lock);
	}
}

static const struct wl_output_listener output_listener = {
    .geometry = out_geometry,
    .mode = out_mode,
    .done = out_done,
    .scale = out_scale,
};

void wayland_scale_bind(struct wayland *w, struct wl_registry *r, uint32_t name, uint32_t version)
{
	struct wl_host_output *h;

	/* Version 2 brought scale and done; a version-1 output is scale 1. */
	if (version < 2 || w->nr_houts >= WL_MAX_HOUTS)
		return;
	h = &w->hout[w->nr_houts++];
	h->name = name;
	h->scale = h->pending = 1;
	h->out = wl_registry_bind(r, name, &wl_output_interface, 2);
	wl_output_add_listener(h->out, &output_listener, w);
}

uint32_t wayland_houts_drop(uint32_t set, unsigned i, unsigned last)
{
	uint32_t moved = i != last ? (set >> last & 1) : 0;

	return (set & ~(1u << i | 1u << last)) | moved << i;
}

void wayland_scale_unbind(struct wayland *w, uint32_t name)
{
	for (unsigned i = 0; i < w->nr_houts; i++) {
		if (w->hout[i].name != name)
			continue;
		wl_output_destroy(w->hout[i].out);
		/* The last one takes its place, in every window's set too. */
		unsigned last = --w->nr_houts;
		w->hout[i] = w->hout[last];
		for (unsigned k = 0; k < w->d.nr_outputs; k++)
			w->out[k].on_houts = wayland_houts_drop(w->out[k].on_houts, i, last);
		pthread_mutex_lock(&w->lock);
		rescale_all(w);
		pthread_mutex_unlock(&w->lock);
		return;
	}
}

void wayland_scale_destroy(struct wayland *w)
{
	for (unsigned i = 0; i < w->nr_houts; i++)
		wl_output_destroy(w->hout[i].out);
	w->nr_houts = 0;
}

static void surface_enter(void *data, struct wl_surface *s, struct wl_output *out)
{
	struct wl_out *o = data;

	for (unsigned i = 0; i < o->w->nr_houts; i++)
		if (o->w->hout[i].out == out)
			o->on_houts |= 1u << i;
	pthread_mutex_lock(&o->w->lock);
	rescale(o);
	pthread_mutex_unlock(&o->w->lock);
}

static void surface_leave(void *data, struct wl_surface *s, struct wl_output *out)
{
	struct wl_out *o = data;

	for (unsigned i = 0; i < o->w->nr_houts; i++)
		if (o->w->hout[i].out == out)
			o->on_houts &= ~(1u << i);
	pthread_mutex_lock(&o->w->lock);
	rescale(o);
	pthread_mutex_unlock(&o->w->lock);
}

const struct wl_surface_listener wayland_surface_listener = {
    .enter = surface_enter,
    .leave = surface_leave,
};
