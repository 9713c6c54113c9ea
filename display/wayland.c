/* The Wayland display: one xdg-shell toplevel per output, drawn from two
 * wl_shm buffers per output. Only damaged rectangles are copied: every
 * buffer keeps the region it still lacks, and a present adds its damage to
 * both, so a buffer the compositor just released catches up with exactly
 * what changed since it was last drawn.
 *
 * All Wayland calls happen on the GPU worker thread (after open, which
 * runs before the worker starts). The mutex only guards what a screenshot
 * from another thread reads.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <wayland-client.h>

#include "display/display.h"
#include "display/frame.h"
#include "xdg-shell-client-protocol.h"

#define NBUF 2

struct wl_buf {
	struct wl_buffer *wb;
	pixman_image_t *img;	 /* over the shm mapping */
	bool busy;		 /* the compositor holds it */
	pixman_region32_t stale; /* what this buffer lacks of the frame */
};

struct wl_out {
	struct wayland *w;
	unsigned idx;
	struct wl_surface *surface;
	struct xdg_surface *xsurface;
	struct xdg_toplevel *toplevel;
	bool configured, want_draw;
	uint32_t width, height;	   /* buffer size */
	uint32_t asked_w, asked_h; /* size last reported to the VMM */
	bool resize_pending;	   /* asked before events were hooked up */
	void *map;
	size_t map_size;
	struct wl_buf bufs[NBUF];
	struct wl_buf *shown;	   /* last committed buffer */
	struct display_frame live; /* data NULL: none */

	struct wl_surface *cursor_surface;
	struct wl_buffer *cursor_buf;
	uint32_t *cursor_px; /* shm: the compositor may read it any time */
	bool cursor_visible;
	int hot_x, hot_y;
	/* The guest's cursor as it last set it, for screenshots: the window
	 * has no cursor in it, but a screenshot shows the guest's screen
	 * (display.h), the same as headless. */
	uint32_t cursor_copy[DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM];
	int cur_x, cur_y;
};

struct wayland {
	struct display d;
	struct wl_display *dpy;
	struct wl_registry *registry;
	struct wl_compositor *compositor;
	struct wl_shm *shm;
	struct xdg_wm_base *wm;
	struct wl_seat *seat;
	struct wl_pointer *pointer;
	struct wl_out *pointer_focus;
	uint32_t pointer_serial;
	bool dead;
	char title[128];
	pthread_mutex_t lock;
	struct wl_out out[DISPLAY_MAX_OUTPUTS];
};

static struct wayland *to_wl(struct display *d)
{
	return (struct wayland *)d;
}

/* ---- buffers ---- */

static void free_buffers(struct wl_out *o)
{
	for (int i = 0; i < NBUF; i++) {
		struct wl_buf *b = &o->bufs[i];

		if (b->wb)
			wl_buffer_destroy(b->wb);
		if (b->img)
			pixman_image_unref(b->img);
		pixman_region32_fini(&b->stale);
		memset(b, 0, sizeof(*b));
	}
	if (o->map)
		munmap(o->map, o->map_size);
	o->map = NULL;
	o->shown = NULL;
}

static void buffer_release(void *data, struct wl_buffer *wb);
static const struct wl_buffer_listener buffer_listener = {.release = buffer_release};

/* Anonymous shared memory the compositor can map. */
static int shm_fd(size_t size)
{
	int fd = memfd_create("lkvm-gpu-wl", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (ftruncate(fd, size) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static int alloc_buffers(struct wl_out *o, uint32_t w, uint32_t h)
{
	size_t one = (size_t)w * h * 4;
	struct wl_shm_pool *pool;
	int fd;

	free_buffers(o);
	fd = shm_fd(one * NBUF);
	if (fd < 0)
		return -errno;
	o->map = mmap(NULL, one * NBUF, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (o->map == MAP_FAILED) {
		o->map = NULL;
		close(fd);
		return -ENOMEM;
	}
	o->map_size = one * NBUF;
	pool = wl_shm_create_pool(o->w->shm, fd, one * NBUF);
	close(fd);
	for (int i = 0; i < NBUF; i++) {
		struct wl_buf *b = &o->bufs[i];
		uint8_t *p = (uint8_t *)o->map + one * i;

		b->wb =
		    wl_shm_pool_create_buffer(pool, one * i, w, h, w * 4, WL_SHM_FORMAT_XRGB8888);
		wl_buffer_add_listener(b->wb, &buffer_listener, o);
		/* a8r8g8b8 so blits write 0xff into the X byte. */
		b->img = pixman_image_create_bits(PIXMAN_a8r8g8b8, w, h, (uint32_t *)p, w * 4);
		pixman_region32_init_rect(&b->stale, 0, 0, w, h);
	}
	wl_shm_pool_destroy(pool);
	o->width = w;
	o->height = h;
	return 0;
}

/* Bring a free buffer up to date with the frame and show it. */
static void draw(struct wl_out *o)
{
	struct wl_buf *b = NULL;
	pixman_box32_t *box;
	int n;

	o->want_draw = true;
	if (!o->configured || !o->live.data || !o->map)
		return;
	for (int i = 0; i < NBUF; i++)
		if (!o->bufs[i].busy) {
			b = &o->bufs[i];
			break;
		}
	if (!b)
		return; /* buffer_release draws */
	display_frame_sync(&o->live);
	box = pixman_region32_rectangles(&b->stale, &n);
	for (int i = 0; i < n; i++) {
		struct display_rect r = {box[i].x1, box[i].y1, box[i].x2 - box[i].x1,
					 box[i].y2 - box[i].y1};

		display_frame_blit(&o->live, &r, b->img);
		wl_surface_damage_buffer(o->surface, r.x, r.y, r.w, r.h);
	}
	pixman_region32_clear(&b->stale);
	wl_surface_attach(o->surface, b->wb, 0, 0);
	wl_surface_commit(o->surface);
	b->busy = true;
	o->shown = b;
	o->want_draw = false;
	wl_display_flush(o->w->dpy);
}

static void buffer_release(void *data, struct wl_buffer *wb)
{
	struct wl_out *o = data;

	for (int i = 0; i < NBUF; i++)
		if (o->bufs[i].wb == wb)
			o->bufs[i].busy = false;
	if (o->want_draw)
		draw(o);
}

/* ---- display ops ---- */

/* Past this many rectangles a buffer's stale region becomes its bounding
 * box: while the compositor holds both buffers a guest flushing scattered
 * tiny rectangles would otherwise grow it (and the blits and damage
 * requests of the next draw) without bound. */
#define STALE_MAX_RECTS 16

static void add_stale(struct wl_buf *b, const struct display_rect *r)
{
	pixman_region32_union_rect(&b->stale, &b->stale, r->x, r->y, r->w, r->h);
	if (pixman_region32_n_rects(&b->stale) > STALE_MAX_RECTS) {
		pixman_box32_t box = *pixman_region32_extents(&b->stale);

		pixman_region32_reset(&b->stale, &box);
	}
}

static void present(struct display *d, unsigned i, const struct display_frame *f,
		    const struct display_rect *dmg)
{
	struct wayland *w = to_wl(d);
	struct wl_out *o;

	if (i >= d->nr_outputs || w->dead)
		return;
	o = &w->out[i];
	pthread_mutex_lock(&w->lock);
	o->live = *f;
	if (!o->map || o->width != f->width || o->height != f->height) {
		if (alloc_buffers(o, f->width, f->height))
			o->live.data = NULL;
	} else {
		for (int b = 0; b < NBUF; b++)
			add_stale(&o->bufs[b], dmg);
	}
	draw(o);
	pthread_mutex_unlock(&w->lock);
}

/* The window keeps its last picture; we just stop reading the frame. */
static void disable(struct display *d, unsigned i)
{
	struct wayland *w = to_wl(d);

	if (i >= d->nr_outputs)
		return;
	pthread_mutex_lock(&w->lock);
	w->out[i].live.data = NULL;
	pthread_mutex_unlock(&w->lock);
}

static void apply_cursor(struct wayland *w)
{
	struct wl_out *o = w->pointer_focus;

	if (!w->pointer || !o)
		return;
	if (o->cursor_visible && o->cursor_surface)
		wl_pointer_set_cursor(w->pointer, w->pointer_serial, o->cursor_surface, o->hot_x,
				      o->hot_y);
	else
		wl_pointer_set_cursor(w->pointer, w->pointer_serial, NULL, 0, 0);
	wl_display_flush(w->dpy);
}

static int make_cursor_buffer(struct wl_out *o)
{
	size_t size = DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM * 4;
	struct wl_shm_pool *pool;
	int fd = shm_fd(size);

	if (fd < 0)
		return -1;
	o->cursor_px = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (o->cursor_px == MAP_FAILED) {
		o->cursor_px = NULL;
		close(fd);
		return -1;
	}
	pool = wl_shm_create_pool(o->w->shm, fd, size);
	close(fd);
	o->cursor_buf = wl_shm_pool_create_buffer(pool, 0, DISPLAY_CURSOR_DIM, DISPLAY_CURSOR_DIM,
						  DISPLAY_CURSOR_DIM * 4, WL_SHM_FORMAT_ARGB8888);
	wl_shm_pool_destroy(pool);
	o->cursor_surface = wl_compositor_create_surface(o->w->compositor);
	return 0;
}

/* The guest's cursor becomes the host pointer's image over its window. */
static void set_cursor(struct display *d, unsigned i, const uint32_t *argb, int hot_x, int hot_y)
{
	struct wayland *w = to_wl(d);
	struct wl_out *o;

	if (i >= d->nr_outputs || w->dead)
		return;
	o = &w->out[i];
	pthread_mutex_lock(&w->lock);
	o->cursor_visible = argb != NULL;
	o->hot_x = hot_x;
	o->hot_y = hot_y;
	if (argb)
		memcpy(o->cursor_copy, argb, sizeof(o->cursor_copy));
	pthread_mutex_unlock(&w->lock);
	if (argb) {
		if (!o->cursor_surface && make_cursor_buffer(o))
			return;
		memcpy(o->cursor_px, argb, DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM * 4);
		wl_surface_attach(o->cursor_surface, o->cursor_buf, 0, 0);
		wl_surface_damage_buffer(o->cursor_surface, 0, 0, DISPLAY_CURSOR_DIM,
					 DISPLAY_CURSOR_DIM);
		wl_surface_commit(o->cursor_surface);
	}
	if (w->pointer_focus == o)
		apply_cursor(w);
	wl_display_flush(w->dpy);
}

/* The host pointer is the cursor: the user moves it, not the guest. The
 * position only places the cursor in screenshots. */
static void move_cursor(struct display *d, unsigned i, int x, int y)
{
	struct wayland *w = to_wl(d);

	if (i >= d->nr_outputs)
		return;
	pthread_mutex_lock(&w->lock);
	w->out[i].cur_x = x;
	w->out[i].cur_y = y;
	pthread_mutex_unlock(&w->lock);
}

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

static int screenshot(struct display *d, unsigned i, const char *path)
{
	struct wayland *w = to_wl(d);
	pixman_image_t *img = NULL;
	struct wl_out *o;
	int ret;

	if (i >= d->nr_outputs)
		return -EINVAL;
	o = &w->out[i];
	pthread_mutex_lock(&w->lock);
	if (o->live.data) {
		display_frame_sync(&o->live);
		img = display_frame_copy(&o->live);
	} else if (o->shown) {
		img = display_frame_copy(&(struct display_frame){
		    .format = PIXMAN_x8r8g8b8,
		    .width = o->width,
		    .height = o->height,
		    .stride = o->width * 4,
		    .data = pixman_image_get_data(o->shown->img),
		});
	}
	if (img && o->cursor_visible)
		display_cursor_over(img, o->cursor_copy, o->cur_x - o->hot_x, o->cur_y - o->hot_y);
	pthread_mutex_unlock(&w->lock);
	if (!img)
		return -ENODATA;
	ret = display_image_png(img, path);
	pixman_image_unref(img);
	return ret;
}

static void destroy(struct display *d)
{
	struct wayland *w = to_wl(d);

	for (unsigned i = 0; i < d->nr_outputs; i++) {
		struct wl_out *o = &w->out[i];

		free_buffers(o);
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
	if (w->pointer)
		wl_pointer_destroy(w->pointer);
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

static void events_ready(struct display *d);

static const struct display_ops wayland_ops = {
    .name = "wayland",
    .present = present,
    .disable = disable,
    .set_cursor = set_cursor,
    .move_cursor = move_cursor,
    .get_fd = get_fd,
    .dispatch = dispatch,
    .screenshot = screenshot,
    .destroy = destroy,
    .events_ready = events_ready,
};

/* ---- protocol listeners ---- */

static void wm_ping(void *data, struct xdg_wm_base *wm, uint32_t serial)
{
	xdg_wm_base_pong(wm, serial);
}

static const struct xdg_wm_base_listener wm_listener = {.ping = wm_ping};

static void xsurface_configure(void *data, struct xdg_surface *xs, uint32_t serial)
{
	struct wl_out *o = data;

	xdg_surface_ack_configure(xs, serial);
	o->configured = true;
	if (o->want_draw)
		draw(o);
	else if (o->shown)
		wl_surface_commit(o->surface);
}

static const struct xdg_surface_listener xsurface_listener = {.configure = xsurface_configure};

/* The compositor proposes a size: the guest decides whether to follow. */
static void toplevel_configure(void *data, struct xdg_toplevel *t, int32_t w, int32_t h,
			       struct wl_array *states)
{
	struct wl_out *o = data;
	struct display *d = &o->w->d;

	if (w <= 0 || h <= 0 || ((uint32_t)w == o->asked_w && (uint32_t)h == o->asked_h))
		return;
	o->asked_w = w;
	o->asked_h = h;
	if (d->ev.resize)
		d->ev.resize(d->ev.opaque, o->idx, w, h);
	else
		o->resize_pending = true;
}

static void events_ready(struct display *d)
{
	struct wayland *w = to_wl(d);

	for (unsigned i = 0; i < d->nr_outputs; i++) {
		struct wl_out *o = &w->out[i];

		if (o->resize_pending && d->ev.resize) {
			o->resize_pending = false;
			d->ev.resize(d->ev.opaque, i, o->asked_w, o->asked_h);
		}
	}
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

static struct wl_out *out_of_surface(struct wayland *w, struct wl_surface *s)
{
	for (unsigned i = 0; i < w->d.nr_outputs; i++)
		if (w->out[i].surface == s)
			return &w->out[i];
	return NULL;
}

static void pointer_enter(void *data, struct wl_pointer *p, uint32_t serial, struct wl_surface *s,
			  wl_fixed_t x, wl_fixed_t y)
{
	struct wayland *w = data;

	w->pointer_serial = serial;
	w->pointer_focus = out_of_surface(w, s);
	apply_cursor(w);
}

static void pointer_leave(void *data, struct wl_pointer *p, uint32_t serial, struct wl_surface *s)
{
	struct wayland *w = data;

	w->pointer_focus = NULL;
}

static void pointer_motion(void *data, struct wl_pointer *p, uint32_t t, wl_fixed_t x, wl_fixed_t y)
{
}

static void pointer_button(void *data, struct wl_pointer *p, uint32_t serial, uint32_t t,
			   uint32_t button, uint32_t state)
{
}

static void pointer_axis(void *data, struct wl_pointer *p, uint32_t t, uint32_t axis, wl_fixed_t v)
{
}

static const struct wl_pointer_listener pointer_listener = {
    .enter = pointer_enter,
    .leave = pointer_leave,
    .motion = pointer_motion,
    .button = pointer_button,
    .axis = pointer_axis,
};

static void seat_caps(void *data, struct wl_seat *seat, uint32_t caps)
{
	struct wayland *w = data;

	if ((caps & WL_SEAT_CAPABILITY_POINTER) && !w->pointer) {
		w->pointer = wl_seat_get_pointer(seat);
		wl_pointer_add_listener(w->pointer, &pointer_listener, w);
	} else if (!(caps & WL_SEAT_CAPABILITY_POINTER) && w->pointer) {
		wl_pointer_destroy(w->pointer);
		w->pointer = NULL;
		w->pointer_focus = NULL;
	}
}

static void seat_name(void *data, struct wl_seat *seat, const char *name)
{
}

static const struct wl_seat_listener seat_listener = {.capabilities = seat_caps, .name = seat_name};

static uint32_t min_u32(uint32_t a, uint32_t b)
{
	return a < b ? a : b;
}

static void registry_global(void *data, struct wl_registry *r, uint32_t name, const char *iface,
			    uint32_t version)
{
	struct wayland *w = data;

	if (!strcmp(iface, wl_compositor_interface.name) && !w->compositor) {
		w->compositor =
		    wl_registry_bind(r, name, &wl_compositor_interface, min_u32(version, 4));
	} else if (!strcmp(iface, wl_shm_interface.name) && !w->shm) {
		w->shm = wl_registry_bind(r, name, &wl_shm_interface, 1);
	} else if (!strcmp(iface, xdg_wm_base_interface.name) && !w->wm) {
		w->wm = wl_registry_bind(r, name, &xdg_wm_base_interface, 1);
		xdg_wm_base_add_listener(w->wm, &wm_listener, w);
	} else if (!strcmp(iface, wl_seat_interface.name) && !w->seat) {
		w->seat = wl_registry_bind(r, name, &wl_seat_interface, min_u32(version, 5));
		wl_seat_add_listener(w->seat, &seat_listener, w);
	}
}

static void registry_remove(void *data, struct wl_registry *r, uint32_t name)
{
}

static const struct wl_registry_listener registry_listener = {.global = registry_global,
							      .global_remove = registry_remove};

static void make_window(struct wayland *w, unsigned i)
{
	struct wl_out *o = &w->out[i];
	char title[160];

	o->w = w;
	o->idx = i;
	o->asked_w = w->d.width;
	o->asked_h = w->d.height;
	for (int b = 0; b < NBUF; b++)
		pixman_region32_init(&o->bufs[b].stale);
	o->surface = wl_compositor_create_surface(w->compositor);
	o->xsurface = xdg_wm_base_get_xdg_surface(w->wm, o->surface);
	xdg_surface_add_listener(o->xsurface, &xsurface_listener, o);
	o->toplevel = xdg_surface_get_toplevel(o->xsurface);
	xdg_toplevel_add_listener(o->toplevel, &toplevel_listener, o);
	if (w->d.nr_outputs > 1)
		snprintf(title, sizeof(title), "%s (output %u)", w->title, i);
	else
		snprintf(title, sizeof(title), "%s", w->title);
	xdg_toplevel_set_title(o->toplevel, title);
	xdg_toplevel_set_app_id(o->toplevel, "lkvm-gpu");
	/* No buffer yet: this commit asks for the first configure. */
	wl_surface_commit(o->surface);
}

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
		make_window(w, i);
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
