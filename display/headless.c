/* The headless display: no window, just the latest frame of each output
 * and its cursor, written as PNG on request.
 *
 * A present only records where the frame lives (the GPU keeps those pixels
 * until it calls present or disable again), so the hot path costs no copy
 * (lazy_present: the GPU makes the pixels current before a screenshot or a
 * disable, not per frame). disable copies the frame into our own image,
 * which keeps the last picture for the exit screenshot (until the next
 * present: the GPU charges one frame per output, frame_bytes). Every op runs on
 * the GPU worker; the mutex only keeps the module safe on its own.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "display/display.h"
#include "display/frame.h"

struct output {
	struct display_frame live; /* data NULL: none */
	pixman_image_t *kept;	   /* copy taken at disable, x8r8g8b8 */
	uint32_t cursor[DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM];
	bool cursor_visible;
	int hot_x, hot_y, cur_x, cur_y;
};

struct headless {
	struct display d;
	pthread_mutex_t lock;
	struct output out[DISPLAY_MAX_OUTPUTS];
};

static struct headless *to_headless(struct display *d)
{
	return (struct headless *)d;
}

static void present(struct display *d, unsigned i, const struct display_frame *f,
		    const struct display_rect *damage)
{
	struct headless *h = to_headless(d);

	if (i >= d->nr_outputs || f->kind != DISPLAY_FRAME_PIXELS)
		return;
	pthread_mutex_lock(&h->lock);
	h->out[i].live = *f;
	/* A live frame is what a screenshot shows: the copy of an older one,
	 * maybe of another size, would only be memory nobody charged. */
	if (h->out[i].kept) {
		pixman_image_unref(h->out[i].kept);
		h->out[i].kept = NULL;
	}
	pthread_mutex_unlock(&h->lock);
}

/* The x8r8g8b8 copy disable takes. */
static uint64_t frame_bytes(const struct display *d, uint32_t w, uint32_t h)
{
	return (uint64_t)w * h * 4;
}

static void disable(struct display *d, unsigned i)
{
	struct headless *h = to_headless(d);
	struct output *o;

	if (i >= d->nr_outputs)
		return;
	o = &h->out[i];
	pthread_mutex_lock(&h->lock);
	if (o->live.data) {
		pixman_image_t *img;

		img = display_frame_copy(&o->live);

		if (img) {
			if (o->kept)
				pixman_image_unref(o->kept);
			o->kept = img;
		}
		o->live.data = NULL;
	}
	pthread_mutex_unlock(&h->lock);
}

static void set_cursor(struct display *d, unsigned i, const uint32_t *argb, int hot_x, int hot_y)
{
	struct headless *h = to_headless(d);
	struct output *o;

	if (i >= d->nr_outputs)
		return;
	o = &h->out[i];
	pthread_mutex_lock(&h->lock);
	o->cursor_visible = argb != NULL;
	if (argb)
		memcpy(o->cursor, argb, sizeof(o->cursor));
	o->hot_x = hot_x;
	o->hot_y = hot_y;
	pthread_mutex_unlock(&h->lock);
}

static void move_cursor(struct display *d, unsigned i, int x, int y)
{
	struct headless *h = to_headless(d);

	if (i >= d->nr_outputs)
		return;
	pthread_mutex_lock(&h->lock);
	h->out[i].cur_x = x;
	h->out[i].cur_y = y;
	pthread_mutex_unlock(&h->lock);
}

static int get_fd(struct display *d)
{
	return -1;
}

static int dispatch(struct display *d)
{
	return 0;
}

/* The frame with the cursor drawn over it; caller holds the lock. */
static pixman_image_t *compose(struct output *o)
{
	struct display_frame f;
	pixman_image_t *img;

	if (o->live.data) {
		f = o->live;
	} else if (o->kept) {
		f = (struct display_frame){
		    .format = PIXMAN_x8r8g8b8,
		    .width = pixman_image_get_width(o->kept),
		    .height = pixman_image_get_height(o->kept),
		    .stride = pixman_image_get_stride(o->kept),
		    .data = pixman_image_get_data(o->kept),
		};
	} else {
		return NULL;
	}
	img = display_frame_copy(&f);
	if (img && o->cursor_visible)
		display_cursor_over(img, o->cursor, o->cur_x - o->hot_x, o->cur_y - o->hot_y);
	return img;
}

static int screenshot(struct display *d, unsigned i, const char *path)
{
	struct headless *h = to_headless(d);
	pixman_image_t *img;
	int ret;

	if (i >= d->nr_outputs)
		return -EINVAL;
	pthread_mutex_lock(&h->lock);
	img = compose(&h->out[i]);
	pthread_mutex_unlock(&h->lock);
	if (!img)
		return -ENODATA;
	ret = display_image_png(img, path);
	pixman_image_unref(img);
	return ret;
}

static void destroy(struct display *d)
{
	struct headless *h = to_headless(d);

	for (unsigned i = 0; i < d->nr_outputs; i++)
		if (h->out[i].kept)
			pixman_image_unref(h->out[i].kept);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static const struct display_ops headless_ops = {
    .name = "headless",
    .lazy_present = true,
    .present = present,
    .disable = disable,
    .frame_bytes = frame_bytes,
    .set_cursor = set_cursor,
    .move_cursor = move_cursor,
    .get_fd = get_fd,
    .dispatch = dispatch,
    .screenshot = screenshot,
    .destroy = destroy,
};

struct display *display_headless_open(const struct display_config *cfg, char *err, size_t errlen)
{
	struct headless *h = (struct headless *)display_alloc(sizeof(*h), &headless_ops, cfg,
							      "headless", err, errlen);

	if (!h)
		return NULL;
	pthread_mutex_init(&h->lock, NULL);
	return &h->d;
}
