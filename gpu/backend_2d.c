/* The 2D backend: each resource is a host pixman image that the guest fills
 * with TRANSFER_TO_HOST_2D from its backing pages; scanouts show
 * sub-rectangles of those images through the display.
 *
 * Transfers may be applied lazily (gpu/transfer.h): a display reading a
 * frame calls its sync hook first, possibly from another thread (a
 * screenshot). The lock covers what that touches: pixels, pending regions
 * and backings. It is never held while calling the display (whose own lock
 * is taken before ours when a screenshot syncs). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/backend.h"
#include "gpu/format.h"
#include "gpu/protocol.h"
#include "gpu/resources.h"
#include "gpu/transfer.h"

struct scanout {
	uint32_t resource_id; /* 0: disabled */
	struct gpu_rect r;    /* the part of the resource shown */
};

struct gpu_2d {
	struct gpu_backend_env env;
	pthread_mutex_t lock;
	struct gpu_res_table res;
	struct scanout scanouts[VIRTIO_GPU_MAX_SCANOUTS];
	uint32_t cursor[DISPLAY_CURSOR_DIM * DISPLAY_CURSOR_DIM];
};

static void free_resource(void *opaque, struct gpu_resource *r)
{
	struct gpu_2d *g = opaque;

	gpu_mem_uncharge(&g->res, r->charged + gpu_backing_cost(r->backing.nr));
	pthread_mutex_lock(&g->lock);
	gpu_backing_free(&r->backing);
	pthread_mutex_unlock(&g->lock);
	pixman_region32_fini(&r->pending);
	if (r->image)
		pixman_image_unref(r->image);
	free(r->pixels);
	free(r);
}

/* Bring r's pixels up to date with its transfers. */
static void apply_pending(struct gpu_2d *g, struct gpu_resource *r)
{
	pthread_mutex_lock(&g->lock);
	gpu_transfer_apply(r, g->env.mem);
	pthread_mutex_unlock(&g->lock);
}

/* display_frame sync hook: any thread, the frame's resource is alive (the
 * display stops using a frame before we free its resource). */
static void frame_sync(void *ctx, void *arg)
{
	apply_pending(ctx, arg);
}

static enum gpu_err create_2d(void *be, const struct gpu_cmd *c)
{
	struct gpu_2d *g = be;
	uint32_t id = c->u.create_2d.resource_id;
	uint32_t w = c->u.create_2d.width, h = c->u.create_2d.height;
	pixman_format_code_t pf;
	struct gpu_resource *r;
	enum gpu_err err;
	uint64_t bytes;

	err = gpu_res_can_insert(&g->res, id);
	if (err)
		return err;
	if (!gpu_format_to_pixman(c->u.create_2d.format, &pf))
		return GPU_E_BAD_FORMAT;
	if (w == 0 || h == 0 || w > GPU_MAX_DIM || h > GPU_MAX_DIM)
		return GPU_E_BAD_SIZE;
	/* w, h <= 2^14: at most 2^30 bytes, no overflow. */
	bytes = (uint64_t)w * h * GPU_FORMAT_BPP + sizeof(*r);
	err = gpu_mem_charge(&g->res, bytes);
	if (err)
		return err;
	r = calloc(1, sizeof(*r));
	if (!r)
		goto oom;
	pixman_region32_init(&r->pending);
	r->id = id;
	r->format = c->u.create_2d.format;
	r->width = w;
	r->height = h;
	r->pformat = pf;
	r->stride = w * GPU_FORMAT_BPP;
	r->charged = bytes;
	r->pixels = calloc(h, r->stride);
	if (!r->pixels)
		goto oom;
	r->image = pixman_image_create_bits(pf, w, h, (uint32_t *)r->pixels, r->stride);
	if (!r->image)
		goto oom;
	return gpu_res_insert(&g->res, r);
oom:
	if (r) {
		pixman_region32_fini(&r->pending);
		free(r->pixels);
		free(r);
	}
	gpu_mem_uncharge(&g->res, bytes);
	return GPU_E_NO_MEM;
}

static void disable_scanout(struct gpu_2d *g, unsigned i)
{
	g->scanouts[i].resource_id = 0;
	g->env.display->ops->disable(g->env.display, i);
}

/* The spec gives no error for unref of a resource on a scanout, and Linux
 * never retries an unref, so (as QEMU does) the scanout goes dark. */
static enum gpu_err resource_unref(void *be, const struct gpu_cmd *c)
{
	struct gpu_2d *g = be;
	uint32_t id = c->u.res.resource_id;
	struct gpu_resource *r;

	r = gpu_res_remove(&g->res, id);
	if (!r)
		return GPU_E_RES_UNKNOWN;
	for (unsigned i = 0; i < g->env.num_scanouts; i++)
		if (g->scanouts[i].resource_id == id)
			disable_scanout(g, i);
	free_resource(g, r);
	return GPU_OK;
}

static enum gpu_err attach_backing(void *be, const struct gpu_cmd *c)
{
	struct gpu_2d *g = be;
	struct gpu_resource *r = gpu_res_find(&g->res, c->u.attach.resource_id);
	uint64_t cost = gpu_backing_cost(c->u.attach.nr_entries);
	enum gpu_err err;

	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (r->backing.nr)
		return GPU_E_HAS_BACKING;
	err = gpu_mem_charge(&g->res, cost);
	if (err)
		return err;
	pthread_mutex_lock(&g->lock);
	err = gpu_backing_attach(&r->backing, g->env.mem, c);
	pthread_mutex_unlock(&g->lock);
	if (err)
		gpu_mem_uncharge(&g->res, cost);
	return err;
}

static enum gpu_err detach_backing(void *be, const struct gpu_cmd *c)
{
	struct gpu_2d *g = be;
	struct gpu_resource *r = gpu_res_find(&g->res, c->u.res.resource_id);

	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (!r->backing.nr)
		return GPU_E_NO_BACKING;
	gpu_mem_uncharge(&g->res, gpu_backing_cost(r->backing.nr));
	/* The guest may reuse those pages once detached: copy what it sent. */
	pthread_mutex_lock(&g->lock);
	gpu_transfer_apply(r, g->env.mem);
	gpu_backing_free(&r->backing);
	pthread_mutex_unlock(&g->lock);
	return GPU_OK;
}

/* The backing is a linear image of the resource with stride width * bpp;
 * offset is where the rectangle's first pixel sits in it (Linux sends
 * y * pitch + x * cpp). Rows land at their (x, y) in the host image. */
static enum gpu_err transfer_to_host_2d(void *be, const struct gpu_cmd *c)
{
	struct gpu_2d *g = be;
	const struct gpu_rect *rc = &c->u.transfer.r;
	struct gpu_resource *r = gpu_res_find(&g->res, c->u.transfer.resource_id);
	uint64_t row = (uint64_t)rc->w * GPU_FORMAT_BPP, last;
	bool ok;

	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (!gpu_rect_inside(rc, r->width, r->height))
		return GPU_E_BAD_RECT;
	if (!r->backing.nr)
		return GPU_E_NO_BACKING;
	if (rc->w == 0 || rc->h == 0)
		return GPU_OK;
	/* End of the last row in the backing: (h-1) * stride < 2^30, but
	 * offset is the guest's 64-bit value. */
	if (__builtin_add_overflow(c->u.transfer.offset, (uint64_t)(rc->h - 1) * r->stride + row,
				   &last) ||
	    last > r->backing.total)
		return GPU_E_BAD_OFFSET;
	pthread_mutex_lock(&g->lock);
	ok = gpu_transfer(r, g->env.mem, rc, c->u.transfer.offset);
	pthread_mutex_unlock(&g->lock);
	return ok ? GPU_OK : GPU_E_BAD_BACKING;
}

/* Show damage (scanout coordinates) of scanout i, which displays r. */
static void present_scanout(struct gpu_2d *g, unsigned i, const struct gpu_resource *r,
			    const struct display_rect *damage)
{
	const struct scanout *s = &g->scanouts[i];
	struct display_frame f = {
	    .format = r->pformat,
	    .width = s->r.w,
	    .height = s->r.h,
	    .stride = r->stride,
	    .data = r->pixels + (uint64_t)s->r.y * r->stride + (uint64_t)s->r.x * GPU_FORMAT_BPP,
	    .sync = frame_sync,
	    .sync_ctx = g,
	    .sync_arg = (void *)r,
	};

	g->env.display->ops->present(g->env.display, i, &f, damage);
}

static enum gpu_err set_scanout(void *be, const struct gpu_cmd *c)
{
	struct gpu_2d *g = be;
	uint32_t sid = c->u.set_scanout.scanout_id;
	const struct gpu_rect *rc = &c->u.set_scanout.r;
	struct gpu_resource *r;

	if (sid >= g->env.num_scanouts)
		return GPU_E_BAD_SCANOUT;
	if (c->u.set_scanout.resource_id == 0) {
		disable_scanout(g, sid);
		return GPU_OK;
	}
	r = gpu_res_find(&g->res, c->u.set_scanout.resource_id);
	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (rc->w == 0 || rc->h == 0 || !gpu_rect_inside(rc, r->width, r->height))
		return GPU_E_BAD_RECT;
	if (g->scanouts[sid].resource_id == r->id && !memcmp(&g->scanouts[sid].r, rc, sizeof(*rc)))
		return GPU_OK;
	g->scanouts[sid].resource_id = r->id;
	g->scanouts[sid].r = *rc;
	/* The display must never keep pointing into the previous resource
	 * (it may be unref'd next), so show the new one at once. */
	present_scanout(g, sid, r, &(struct display_rect){0, 0, rc->w, rc->h});
	return GPU_OK;
}

/* Intersection of a and b; false if empty. */
static bool intersect(const struct gpu_rect *a, const struct gpu_rect *b, struct gpu_rect *out)
{
	uint64_t x0 = a->x > b->x ? a->x : b->x, y0 = a->y > b->y ? a->y : b->y;
	uint64_t ax1 = (uint64_t)a->x + a->w, bx1 = (uint64_t)b->x + b->w;
	uint64_t ay1 = (uint64_t)a->y + a->h, by1 = (uint64_t)b->y + b->h;
	uint64_t x1 = ax1 < bx1 ? ax1 : bx1, y1 = ay1 < by1 ? ay1 : by1;

	if (x1 <= x0 || y1 <= y0)
		return false;
	*out =
	    (struct gpu_rect){(uint32_t)x0, (uint32_t)y0, (uint32_t)(x1 - x0), (uint32_t)(y1 - y0)};
	return true;
}

static enum gpu_err resource_flush(void *be, const struct gpu_cmd *c)
{
	struct gpu_2d *g = be;
	struct gpu_resource *r = gpu_res_find(&g->res, c->u.flush.resource_id);

	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (!gpu_rect_inside(&c->u.flush.r, r->width, r->height))
		return GPU_E_BAD_RECT;
	for (unsigned i = 0; i < g->env.num_scanouts; i++) {
		const struct scanout *s = &g->scanouts[i];
		struct gpu_rect d;

		if (s->resource_id != r->id || !intersect(&c->u.flush.r, &s->r, &d))
			continue;
		present_scanout(g, i, r,
				&(struct display_rect){d.x - s->r.x, d.y - s->r.y, d.w, d.h});
	}
	return GPU_OK;
}

/* Positions are signed on screen; keep them where pixman's 16-bit
 * coordinates and int arithmetic are safe. */
static int clamp_pos(uint32_t v)
{
	int32_t s = (int32_t)v;

	if (s < -4096)
		return -4096;
	if (s > 16384)
		return 16384;
	return s;
}

static int clamp_hot(uint32_t v)
{
	return v >= DISPLAY_CURSOR_DIM ? DISPLAY_CURSOR_DIM - 1 : (int)v;
}

static enum gpu_err move_cursor(void *be, const struct gpu_cmd *c)
{
	struct gpu_2d *g = be;
	struct display *d = g->env.display;

	if (c->u.cursor.scanout_id >= g->env.num_scanouts)
		return GPU_E_BAD_SCANOUT;
	d->ops->move_cursor(d, c->u.cursor.scanout_id, clamp_pos(c->u.cursor.x),
			    clamp_pos(c->u.cursor.y));
	return GPU_OK;
}

/* The image is sampled now: later transfers to the resource change nothing
 * until the next UPDATE_CURSOR, as on real hardware cursors. */
static enum gpu_err update_cursor(void *be, const struct gpu_cmd *c)
{
	struct gpu_2d *g = be;
	struct display *d = g->env.display;
	uint32_t sid = c->u.cursor.scanout_id;
	struct gpu_resource *r;
	pixman_image_t *dst;

	if (sid >= g->env.num_scanouts)
		return GPU_E_BAD_SCANOUT;
	if (c->u.cursor.resource_id == 0) {
		d->ops->set_cursor(d, sid, NULL, 0, 0);
		return move_cursor(be, c);
	}
	r = gpu_res_find(&g->res, c->u.cursor.resource_id);
	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (r->width != DISPLAY_CURSOR_DIM || r->height != DISPLAY_CURSOR_DIM)
		return GPU_E_BAD_CURSOR;
	dst = pixman_image_create_bits(PIXMAN_a8r8g8b8, DISPLAY_CURSOR_DIM, DISPLAY_CURSOR_DIM,
				       g->cursor, DISPLAY_CURSOR_DIM * 4);
	if (!dst)
		return GPU_E_NO_MEM;
	apply_pending(g, r);
	pixman_image_composite32(PIXMAN_OP_SRC, r->image, NULL, dst, 0, 0, 0, 0, 0, 0,
				 DISPLAY_CURSOR_DIM, DISPLAY_CURSOR_DIM);
	pixman_image_unref(dst);
	d->ops->set_cursor(d, sid, g->cursor, clamp_hot(c->u.cursor.hot_x),
			   clamp_hot(c->u.cursor.hot_y));
	return move_cursor(be, c);
}

static void destroy(void *be)
{
	struct gpu_2d *g = be;

	/* The display may still read scanned-out pixels: let it copy them. */
	for (unsigned i = 0; i < g->env.num_scanouts; i++)
		if (g->scanouts[i].resource_id)
			disable_scanout(g, i);
	gpu_res_table_destroy(&g->res, free_resource, g);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

static const struct gpu_backend_ops gpu_2d_ops = {
    .name = "2d",
    .destroy = destroy,
    .resource_create_2d = create_2d,
    .resource_unref = resource_unref,
    .attach_backing = attach_backing,
    .detach_backing = detach_backing,
    .transfer_to_host_2d = transfer_to_host_2d,
    .set_scanout = set_scanout,
    .resource_flush = resource_flush,
    .update_cursor = update_cursor,
    .move_cursor = move_cursor,
};

int gpu_backend_2d_create(const struct gpu_backend_env *env, struct gpu_backend *out)
{
	struct gpu_2d *g;

	if (env->num_scanouts == 0 || env->num_scanouts > VIRTIO_GPU_MAX_SCANOUTS)
		return -EINVAL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->env = *env;
	if (gpu_res_table_init(&g->res, env->max_resources, env->mem_limit)) {
		free(g);
		return -ENOMEM;
	}
	pthread_mutex_init(&g->lock, NULL);
	out->ops = &gpu_2d_ops;
	out->be = g;
	return 0;
}
