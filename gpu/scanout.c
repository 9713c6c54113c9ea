/* Scanouts and the cursor belong to the frontend: the scanout-id checks,
 * what each scanout shows, turning a scanout off when its resource goes,
 * and the 64x64 cursor rule are here once for every backend. Pixels come
 * from the backend through one call (ops->frame), made before the display
 * is called, so a display never calls back into the backend.
 *
 * A display that reads pixels when presented gets them current for the
 * damage; a lazy one (headless: present only notes the frame) gets them made
 * current when something reads them: gpu_scanouts_sync before a screenshot. */
#include <string.h>

#include "gpu/blob_view.h"
#include "gpu/gpu_priv.h"
#include "gpu/handlers.h"
#include "util/log.h"

/* The frame of scanout i (showing r), with sync (resource coordinates)
 * made current first unless NULL. */
static bool scanout_frame(struct gpu *g, unsigned i, struct gpu_resource *r,
			  const struct gpu_rect *sync, struct display_frame *f)
{
	const struct gpu_scanout *s = &g->scanouts[i];
	uint32_t bpp;
	enum gpu_err err;

	if (s->blob) {
		if (gpu_blob_view_frame(s->blob, r, sync, f))
			return true;
		log_guest_error("virtio-gpu: scanout %u: blob %u unreadable", i, r->id);
		return false;
	}
	err = g->backend.ops->frame(g->backend.be, r, sync, f);
	if (err) {
		log_guest_error("virtio-gpu: scanout %u: no frame for resource %u: %s", i, r->id,
				gpu_err_name(err));
		return false;
	}
	bpp = PIXMAN_FORMAT_BPP(f->format) / 8;
	f->data = (const uint8_t *)f->data + (uint64_t)s->r.y * f->stride + (uint64_t)s->r.x * bpp;
	f->width = s->r.w;
	f->height = s->r.h;
	return true;
}

/* Turn scanout i off. A lazy display keeps a copy of the last frame when
 * disabled (for the exit screenshot): make it current first. */
static void disable(struct gpu *g, unsigned i, struct gpu_resource *r)
{
	struct display_frame f;

	if (r && g->display->ops->lazy_present)
		scanout_frame(g, i, r, &g->scanouts[i].r, &f);
	if (r)
		r->scanouts &= ~(1u << i);
	g->scanouts[i].resource_id = 0;
	g->display->ops->disable(g->display, i);
	gpu_blob_view_free(&g->res, g->scanouts[i].blob);
	g->scanouts[i].blob = NULL;
}

void gpu_scanouts_forget(struct gpu *g, struct gpu_resource *r)
{
	for (unsigned i = 0; i < g->cfg.outputs; i++)
		if (r->scanouts & (1u << i))
			disable(g, i, r);
}

/* Show damage (scanout coordinates) of scanout i, which displays r. false:
 * the backend had no frame, the display was not called. */
static bool present(struct gpu *g, unsigned i, struct gpu_resource *r,
		    const struct display_rect *damage)
{
	const struct gpu_scanout *s = &g->scanouts[i];
	struct gpu_rect sync = {s->r.x + damage->x, s->r.y + damage->y, damage->w, damage->h};
	struct display_frame f;

	if (!scanout_frame(g, i, r, g->display->ops->lazy_present ? NULL : &sync, &f))
		return false;
	g->display->ops->present(g->display, i, &f, damage);
	return true;
}

/* What the display keeps of its own for a w x h frame on an output. */
static uint64_t display_frame_bytes(const struct gpu *g, uint32_t w, uint32_t h)
{
	const struct display_ops *ops = g->display->ops;

	return ops->frame_bytes ? ops->frame_bytes(g->display, w, h) : 0;
}

bool gpu_scanout_current(struct gpu *g, unsigned i, struct display_frame *f)
{
	const struct gpu_scanout *s = &g->scanouts[i];
	struct gpu_resource *r = s->resource_id ? gpu_res_find(&g->res, s->resource_id) : NULL;

	return r && scanout_frame(g, i, r, &s->r, f);
}

void gpu_scanouts_sync(struct gpu *g)
{
	for (unsigned i = 0; i < g->cfg.outputs; i++) {
		struct gpu_scanout *s = &g->scanouts[i];
		struct gpu_resource *r =
		    s->resource_id ? gpu_res_find(&g->res, s->resource_id) : NULL;
		struct display_frame f;

		if (r)
			scanout_frame(g, i, r, &s->r, &f);
	}
}

/* Show rectangle rc of r on scanout sid; view (NULL unless r is a blob)
 * becomes the scanout's, or is freed on error. */
static enum gpu_err show(struct gpu *g, uint32_t sid, struct gpu_resource *r,
			 const struct gpu_rect *rc, struct gpu_blob_view *view)
{
	struct gpu_scanout *s = &g->scanouts[sid];
	struct gpu_blob_view *old_view = s->blob;
	uint64_t need;

	if (s->resource_id == r->id && !memcmp(&s->r, rc, sizeof(*rc)) && !view == !old_view &&
	    (!view || !memcmp(&view->l, &old_view->l, sizeof(view->l)))) {
		gpu_blob_view_free(&g->res, view);
		return GPU_OK;
	}
	/* The display's copies count against the cap like resources (16
	 * outputs each keeping a cap-sized frame would be 16 caps): charged
	 * before the display can make them, down only once it has dropped
	 * the bigger ones (at present of the new size). */
	need = display_frame_bytes(g, rc->w, rc->h);
	if (need > s->display_bytes) {
		enum gpu_err err = gpu_mem_charge(&g->res, need - s->display_bytes);

		if (err) {
			gpu_blob_view_free(&g->res, view);
			return err;
		}
		s->display_bytes = need;
	}
	if (s->resource_id && s->resource_id != r->id) {
		struct gpu_resource *old = gpu_res_find(&g->res, s->resource_id);

		if (old)
			old->scanouts &= ~(1u << sid);
	}
	s->resource_id = r->id;
	s->r = *rc;
	s->blob = view;
	r->scanouts |= 1u << sid;
	/* The display must never keep pointing into the previous resource
	 * or view (they may be freed next), so show the new one at once. */
	if (present(g, sid, r, &(struct display_rect){0, 0, rc->w, rc->h})) {
		if (need < s->display_bytes) {
			gpu_mem_uncharge(&g->res, s->display_bytes - need);
			s->display_bytes = need;
		}
	} else {
		g->display->ops->disable(g->display, sid);
	}
	gpu_blob_view_free(&g->res, old_view);
	return GPU_OK;
}

enum gpu_err gpu_h_set_scanout(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	uint32_t sid = c->u.set_scanout.scanout_id;
	const struct gpu_rect *rc = &c->u.set_scanout.r;
	struct gpu_scanout *s;
	struct gpu_resource *r;

	if (sid >= g->cfg.outputs)
		return GPU_E_BAD_SCANOUT;
	s = &g->scanouts[sid];
	if (c->u.set_scanout.resource_id == 0) {
		disable(g, sid, s->resource_id ? gpu_res_find(&g->res, s->resource_id) : NULL);
		return GPU_OK;
	}
	r = gpu_res_find(&g->res, c->u.set_scanout.resource_id);
	if (!r)
		return GPU_E_RES_UNKNOWN;
	/* A blob has no shape of its own: SET_SCANOUT_BLOB gives it one. */
	if (r->blob_mem)
		return GPU_E_BLOB;
	if (rc->w == 0 || rc->h == 0 || !gpu_rect_inside(rc, r->width, r->height))
		return GPU_E_BAD_RECT;
	if (!g->backend.ops->frame)
		return GPU_E_UNSUPPORTED;
	return show(g, sid, r, rc, NULL);
}

/* Which path a blob scanout takes, once per process at info level (the
 * nested tests look for it) and every time at debug level. */
static void note_blob_scanout(uint32_t sid, const struct gpu_resource *r,
			      const struct gpu_blob_view *v)
{
	static bool told;
	const char *how = v->direct ? "in place" : "through a shadow";

	if (!told)
		log_info("virtio-gpu: scanout %u shows guest blob %u (%ux%u, stride %u) %s", sid,
			 r->id, v->l.width, v->l.height, v->l.stride, how);
	else
		log_guest_debug("virtio-gpu: scanout %u shows guest blob %u %s", sid, r->id, how);
	told = true;
}

/* The layout is checked against the blob's size in 64 bits; the view reads
 * the guest's pages in place when they are contiguous on the host. */
enum gpu_err gpu_h_set_scanout_blob(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	uint32_t sid = c->u.scanout_blob.scanout_id;
	struct gpu_blob_layout l;
	struct gpu_blob_view *v;
	struct gpu_resource *r;
	enum gpu_err err;

	if (!(g->features & (1ull << VIRTIO_GPU_F_RESOURCE_BLOB)))
		return GPU_E_UNSUPPORTED;
	if (sid >= g->cfg.outputs)
		return GPU_E_BAD_SCANOUT;
	if (c->u.scanout_blob.resource_id == 0) {
		uint32_t old = g->scanouts[sid].resource_id;

		disable(g, sid, old ? gpu_res_find(&g->res, old) : NULL);
		return GPU_OK;
	}
	r = gpu_res_find(&g->res, c->u.scanout_blob.resource_id);
	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (!r->blob_mem)
		return GPU_E_NOT_BLOB;
	err = gpu_blob_layout_check(r, c, &l);
	if (!err)
		err = gpu_blob_view_new(&g->res, r, &l, &c->u.scanout_blob.r, &v);
	if (err)
		return err;
	note_blob_scanout(sid, r, v);
	return show(g, sid, r, &c->u.scanout_blob.r, v);
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

enum gpu_err gpu_h_flush(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	struct gpu_resource *r = gpu_res_find(&g->res, c->u.flush.resource_id);

	if (!r)
		return GPU_E_RES_UNKNOWN;
	/* A blob's rectangle is in the layouts its scanouts gave it. */
	if (!r->blob_mem && !gpu_rect_inside(&c->u.flush.r, r->width, r->height))
		return GPU_E_BAD_RECT;
	for (unsigned i = 0; i < g->cfg.outputs; i++) {
		const struct gpu_scanout *s = &g->scanouts[i];
		struct gpu_rect d;

		if (!(r->scanouts & (1u << i)) || !intersect(&c->u.flush.r, &s->r, &d))
			continue;
		present(g, i, r, &(struct display_rect){d.x - s->r.x, d.y - s->r.y, d.w, d.h});
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

enum gpu_err gpu_h_move_cursor(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	struct display *d = g->display;

	if (c->u.cursor.scanout_id >= g->cfg.outputs)
		return GPU_E_BAD_SCANOUT;
	g->cursor_pos[c->u.cursor.scanout_id].x = clamp_pos(c->u.cursor.x);
	g->cursor_pos[c->u.cursor.scanout_id].y = clamp_pos(c->u.cursor.y);
	d->ops->move_cursor(d, c->u.cursor.scanout_id, clamp_pos(c->u.cursor.x),
			    clamp_pos(c->u.cursor.y));
	return GPU_OK;
}

/* The image is sampled now: later transfers to the resource change nothing
 * until the next UPDATE_CURSOR, as on real hardware cursors. */
enum gpu_err gpu_h_update_cursor(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	struct display *d = g->display;
	uint32_t sid = c->u.cursor.scanout_id;
	struct gpu_resource *r;
	enum gpu_err err;

	if (sid >= g->cfg.outputs)
		return GPU_E_BAD_SCANOUT;
	if (c->u.cursor.resource_id == 0) {
		g->cursor_pos[sid].visible = false;
		d->ops->set_cursor(d, sid, NULL, 0, 0);
		return gpu_h_move_cursor(g, c, reply);
	}
	r = gpu_res_find(&g->res, c->u.cursor.resource_id);
	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (r->blob_mem) {
		/* Linux's cursor buffer is a dumb blob too: packed ARGB. */
		err = gpu_blob_cursor(r, g->cursor);
	} else {
		if (r->width != DISPLAY_CURSOR_DIM || r->height != DISPLAY_CURSOR_DIM)
			return GPU_E_BAD_CURSOR;
		if (!g->backend.ops->cursor_image)
			return GPU_E_UNSUPPORTED;
		err = g->backend.ops->cursor_image(g->backend.be, r, g->cursor);
	}
	if (err)
		return err;
	g->cursor_pos[sid].visible = true;
	g->cursor_pos[sid].hot_x = clamp_hot(c->u.cursor.hot_x);
	g->cursor_pos[sid].hot_y = clamp_hot(c->u.cursor.hot_y);
	d->ops->set_cursor(d, sid, g->cursor, clamp_hot(c->u.cursor.hot_x),
			   clamp_hot(c->u.cursor.hot_y));
	return gpu_h_move_cursor(g, c, reply);
}
