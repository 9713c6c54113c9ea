/* Wayland: each output's two wl_shm buffers, the region each one still
 * lacks of the frame, and drawing a free one up to date (wayland_priv.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "display/frame.h"
#include "display/wayland_priv.h"
#include "util/log.h"

void wayland_buffers_free(struct wl_out *o)
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
int wayland_shm_fd(size_t size)
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

int wayland_shm_layout(uint32_t w, uint32_t h, struct wl_shm_layout *out)
{
	uint64_t stride, one, pool;

	/* wl_shm carries sizes, offsets, widths and strides as int32. */
	if (w == 0 || h == 0 || __builtin_mul_overflow((uint64_t)w, 4, &stride) ||
	    __builtin_mul_overflow(stride, (uint64_t)h, &one) ||
	    __builtin_mul_overflow(one, (uint64_t)NBUF, &pool) || pool > INT32_MAX)
		return -EOVERFLOW;
	out->stride = (int32_t)stride;
	out->one = one;
	out->pool = (int32_t)pool;
	return 0;
}

/* An output keeps its shm pool (NBUF frames) until the size changes. */
uint64_t wayland_frame_bytes(const struct display *d, uint32_t w, uint32_t h)
{
	struct wl_shm_layout l;

	return wayland_shm_layout(w, h, &l) ? 0 : (uint64_t)l.pool;
}

static int alloc_buffers(struct wl_out *o, uint32_t w, uint32_t h)
{
	struct wl_shm_layout l;
	struct wl_shm_pool *pool;
	int fd, r;

	wayland_buffers_free(o);
	r = wayland_shm_layout(w, h, &l);
	if (r) {
		log_guest_error("wayland: output %u: a %ux%u frame needs more shared memory than "
				"wl_shm can describe (2 GiB); not shown",
				o->idx, w, h);
		return r;
	}
	fd = wayland_shm_fd((size_t)l.pool);
	if (fd < 0)
		return -errno;
	o->map = mmap(NULL, (size_t)l.pool, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (o->map == MAP_FAILED) {
		o->map = NULL;
		close(fd);
		return -ENOMEM;
	}
	o->map_size = (size_t)l.pool;
	pool = wl_shm_create_pool(o->w->shm, fd, l.pool);
	close(fd);
	for (int i = 0; i < NBUF; i++) {
		struct wl_buf *b = &o->bufs[i];
		uint8_t *p = (uint8_t *)o->map + l.one * i;

		b->wb = wl_shm_pool_create_buffer(pool, (int32_t)(l.one * i), (int32_t)w,
						  (int32_t)h, l.stride, WL_SHM_FORMAT_XRGB8888);
		wl_buffer_add_listener(b->wb, &buffer_listener, o);
		/* a8r8g8b8 so blits write 0xff into the X byte. */
		b->img = pixman_image_create_bits(PIXMAN_a8r8g8b8, (int)w, (int)h, (uint32_t *)p,
						  l.stride);
		pixman_region32_init_rect(&b->stale, 0, 0, w, h);
	}
	wl_shm_pool_destroy(pool);
	o->width = w;
	o->height = h;
	return 0;
}

/* Bring a free buffer up to date with the frame and show it. */
void wayland_draw(struct wl_out *o)
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
	box = pixman_region32_rectangles(&b->stale, &n);
	for (int i = 0; i < n; i++) {
		struct display_rect r = {box[i].x1, box[i].y1, box[i].x2 - box[i].x1,
					 box[i].y2 - box[i].y1};

		display_frame_blit(&o->live, &r, b->img);
		wl_surface_damage_buffer(o->surface, r.x, r.y, r.w, r.h);
	}
	pixman_region32_clear(&b->stale);
	wayland_scale_apply(o);
	wl_surface_attach(o->surface, b->wb, 0, 0);
	wl_surface_commit(o->surface);
	b->busy = true;
	o->shown = b;
	o->want_draw = false;
	wl_display_flush(o->w->dpy);
}

/* Before the guest's first frame, the first output's window shows black
 * at the configured size, as the X11 window does: a compositor maps a
 * surface only with a buffer, and a window that is not there cannot be
 * focused, typed into or closed (a guest that never sets a scanout, a
 * boot that hangs before its driver). Other outputs stay unmapped until
 * the guest enables them, like monitors that are off. The buffers are the
 * host's choice (--resolution), not the guest's: nothing to charge. */
void wayland_show_blank(struct wl_out *o)
{
	const struct display *d = &o->w->d;
	struct wl_buf *b = &o->bufs[0];

	if (o->idx != 0 || o->shown || o->live.data || alloc_buffers(o, d->width, d->height))
		return;
	wl_surface_damage_buffer(o->surface, 0, 0, (int32_t)o->width, (int32_t)o->height);
	wayland_scale_apply(o);
	wl_surface_attach(o->surface, b->wb, 0, 0);
	wl_surface_commit(o->surface);
	b->busy = true;
	o->shown = b;
	wl_display_flush(o->w->dpy);
}

static void buffer_release(void *data, struct wl_buffer *wb)
{
	struct wl_out *o = data;

	for (int i = 0; i < NBUF; i++)
		if (o->bufs[i].wb == wb)
			o->bufs[i].busy = false;
	if (o->want_draw)
		wayland_draw(o);
}

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

void wayland_present(struct display *d, unsigned i, const struct display_frame *f,
		     const struct display_rect *dmg)
{
	struct wayland *w = to_wl(d);
	struct wl_out *o;

	if (i >= d->nr_outputs || w->dead || f->kind != DISPLAY_FRAME_PIXELS)
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
	wayland_draw(o);
	pthread_mutex_unlock(&w->lock);
}

/* The window keeps its last picture; we just stop reading the frame. */
void wayland_disable(struct display *d, unsigned i)
{
	struct wayland *w = to_wl(d);

	if (i >= d->nr_outputs)
		return;
	pthread_mutex_lock(&w->lock);
	w->out[i].live.data = NULL;
	pthread_mutex_unlock(&w->lock);
}
