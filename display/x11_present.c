/* X11: present and disable over whichever path the server allows (MIT-SHM
 * or PutImage bands), the bytes each keeps per output, Expose repaints,
 * and the switch to PutImage when shared memory fails late (x11_priv.h). */
#include "display/x11_priv.h"
#include "util/log.h"

/* SHM: X11_NBUF segments; PutImage: one private copy. Kept until the
 * output is presented a frame of another size. */
uint64_t x11_frame_bytes(const struct display *d, uint32_t w, uint32_t h)
{
	const struct x11 *x = (const struct x11 *)d;
	uint64_t one = (uint64_t)w * h * 4;

	return x->shm ? one * X11_NBUF : one;
}

static void free_picture(struct x11_out *o)
{
	x11_shm_free(o);
	x11_put_free(o);
	o->width = o->height = 0;
}

static int alloc_picture(struct x11_out *o, uint32_t w, uint32_t h)
{
	free_picture(o);
	return o->x->shm ? x11_shm_alloc(o, w, h) : x11_put_alloc(o, w, h);
}

/* Past this many rectangles a buffer's stale region becomes its bounding
 * box: scattered damage while both buffers are busy must not grow the
 * next draw's puts without bound. */
#define STALE_MAX_RECTS 16

static void add_stale(struct x11_buf *b, const struct display_rect *r)
{
	pixman_region32_union_rect(&b->stale, &b->stale, r->x, r->y, r->w, r->h);
	if (pixman_region32_n_rects(&b->stale) > STALE_MAX_RECTS) {
		pixman_box32_t box = *pixman_region32_extents(&b->stale);

		pixman_region32_reset(&b->stale, &box);
	}
}

/* r clipped to w x h; false if nothing is left. */
static bool clip(struct display_rect *r, uint32_t w, uint32_t h)
{
	if (r->x >= w || r->y >= h || r->w == 0 || r->h == 0)
		return false;
	if (r->w > w - r->x)
		r->w = w - r->x;
	if (r->h > h - r->y)
		r->h = h - r->y;
	return true;
}

static void draw(struct x11_out *o, const struct display_rect *dmg, bool fresh)
{
	if (o->x->shm) {
		if (!fresh)
			for (int b = 0; b < X11_NBUF; b++)
				add_stale(&o->bufs[b], dmg);
		x11_shm_draw(o);
	} else {
		x11_put_draw(o, dmg);
	}
}

void x11_present(struct display *d, unsigned i, const struct display_frame *f,
		 const struct display_rect *dmg)
{
	struct x11 *x = to_x11(d);
	struct display_rect r = *dmg;
	struct x11_out *o;
	bool fresh = false;

	if (i >= d->nr_outputs || x->dead || f->kind != DISPLAY_FRAME_PIXELS)
		return;
	o = &x->out[i];
	if (f->width == 0 || f->height == 0 || f->width > X11_MAX_DIM || f->height > X11_MAX_DIM) {
		log_guest_error("x11: output %u: a %ux%u frame is larger than an X window can be "
				"(%u); not shown",
				i, f->width, f->height, X11_MAX_DIM);
		return;
	}
	pthread_mutex_lock(&x->lock);
	o->live = *f;
	if (o->width != f->width || o->height != f->height || (!o->copy && !o->bufs[0].addr)) {
		if (alloc_picture(o, f->width, f->height)) {
			log_guest_error("x11: output %u: no memory for a %ux%u picture; not shown",
					i, f->width, f->height);
			o->live.data = NULL;
			pthread_mutex_unlock(&x->lock);
			return;
		}
		r = (struct display_rect){0, 0, f->width, f->height};
		fresh = true;
	}
	if (clip(&r, f->width, f->height))
		draw(o, &r, fresh);
	pthread_mutex_unlock(&x->lock);
}

/* The window keeps its last picture; we just stop reading the frame. */
void x11_disable(struct display *d, unsigned i)
{
	struct x11 *x = to_x11(d);

	if (i >= d->nr_outputs)
		return;
	pthread_mutex_lock(&x->lock);
	/* A frame still waiting for a buffer is drawn now: after this the
	 * window, Expose and screenshots have only the picture we keep. */
	if (x->shm && !x->dead)
		x11_shm_flush(&x->out[i]);
	x->out[i].live.data = NULL;
	x->out[i].want_draw = false;
	pthread_mutex_unlock(&x->lock);
}

void x11_repaint(struct x11_out *o, const struct display_rect *r)
{
	struct display_rect c = *r;

	pthread_mutex_lock(&o->x->lock);
	if (o->width && clip(&c, o->width, o->height)) {
		if (o->x->shm)
			x11_shm_repaint(o, &c);
		else
			x11_put_repaint(o, &c);
	}
	pthread_mutex_unlock(&o->x->lock);
}

void x11_shm_failed(struct x11 *x)
{
	log_warn("x11: the server refused our shared memory: PutImage from now on");
	pthread_mutex_lock(&x->lock);
	x->shm = false;
	for (unsigned i = 0; i < x->d.nr_outputs; i++) {
		struct x11_out *o = &x->out[i];
		uint32_t w = o->width, h = o->height;

		free_picture(o);
		/* The frame is still the GPU's: draw it anew. A disabled
		 * output has nothing left to show. */
		if (o->live.data && w && !x11_put_alloc(o, w, h))
			x11_put_draw(o, &(struct display_rect){0, 0, w, h});
	}
	pthread_mutex_unlock(&x->lock);
}
