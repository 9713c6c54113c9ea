#include "gpu/blob_view.h"

#include <stdlib.h>
#include <string.h>

#include "gpu/backend.h"
#include "gpu/format.h"
#include "gpu/protocol.h"

enum gpu_err gpu_blob_layout_check(const struct gpu_resource *r, const struct gpu_cmd *c,
				   struct gpu_blob_layout *out)
{
	uint32_t w = c->u.scanout_blob.width, h = c->u.scanout_blob.height;
	uint32_t stride = c->u.scanout_blob.strides[0];
	uint64_t offset = c->u.scanout_blob.offsets[0], last;
	const struct gpu_rect *rc = &c->u.scanout_blob.r;

	/* Padding too: layouts are compared with memcmp. */
	memset(out, 0, sizeof(*out));
	if (!gpu_format_to_pixman(c->u.scanout_blob.format, &out->pformat))
		return GPU_E_BAD_FORMAT;
	if (w == 0 || h == 0 || w > GPU_MAX_DIM || h > GPU_MAX_DIM)
		return GPU_E_BAD_SIZE;
	/* Rows may be padded, never overlap; pixels stay 4-byte aligned
	 * (pixman and the displays read 32-bit words). */
	if (stride < (uint64_t)w * GPU_FORMAT_BPP || stride % 4 || offset % 4)
		return GPU_E_BAD_BLOB;
	/* All terms < 2^46: the sum cannot wrap 64 bits. */
	last = offset + (uint64_t)(h - 1) * stride + (uint64_t)w * GPU_FORMAT_BPP;
	if (last > r->blob_size)
		return GPU_E_BAD_BLOB;
	if (rc->w == 0 || rc->h == 0 || !gpu_rect_inside(rc, w, h))
		return GPU_E_BAD_RECT;
	out->format = c->u.scanout_blob.format;
	out->width = w;
	out->height = h;
	out->stride = stride;
	out->offset = offset;
	return GPU_OK;
}

/* Byte offset in the blob of pixel (x, y) of the layout. */
static uint64_t at(const struct gpu_blob_layout *l, uint32_t x, uint32_t y)
{
	return l->offset + (uint64_t)y * l->stride + (uint64_t)x * GPU_FORMAT_BPP;
}

enum gpu_err gpu_blob_view_new(struct gpu_res_table *t, const struct gpu_resource *r,
			       const struct gpu_blob_layout *l, const struct gpu_rect *rc,
			       struct gpu_blob_view **out)
{
	/* From rc's first pixel to the end of its last row. */
	uint64_t first = at(l, rc->x, rc->y), end = at(l, rc->x + rc->w, rc->y + rc->h - 1);
	const uint8_t *direct = gpu_backing_contig(&r->backing, first, end - first);
	uint64_t cost = sizeof(struct gpu_blob_view);
	struct gpu_blob_view *v;
	enum gpu_err err;

	if (!direct)
		cost += (uint64_t)rc->w * rc->h * GPU_FORMAT_BPP;
	err = gpu_mem_charge(t, cost);
	if (err)
		return err;
	v = calloc(1, sizeof(*v));
	if (v && !direct)
		v->shadow = calloc(rc->h, (size_t)rc->w * GPU_FORMAT_BPP);
	if (!v || (!direct && !v->shadow)) {
		free(v);
		gpu_mem_uncharge(t, cost);
		return GPU_E_NO_MEM;
	}
	v->l = *l;
	v->r = *rc;
	v->direct = direct;
	v->charged = cost;
	*out = v;
	return GPU_OK;
}

void gpu_blob_view_free(struct gpu_res_table *t, struct gpu_blob_view *v)
{
	if (!v)
		return;
	gpu_mem_uncharge(t, v->charged);
	free(v->shadow);
	free(v);
}

/* Copy sync ∩ the view's rectangle from the pages into the shadow. */
static bool sync_shadow(struct gpu_blob_view *v, const struct gpu_resource *r,
			const struct gpu_rect *sync)
{
	uint64_t x0 = sync->x > v->r.x ? sync->x : v->r.x;
	uint64_t y0 = sync->y > v->r.y ? sync->y : v->r.y;
	uint64_t x1 = (uint64_t)sync->x + sync->w, y1 = (uint64_t)sync->y + sync->h;
	uint64_t rstride = (uint64_t)v->r.w * GPU_FORMAT_BPP;

	if (x1 > (uint64_t)v->r.x + v->r.w)
		x1 = (uint64_t)v->r.x + v->r.w;
	if (y1 > (uint64_t)v->r.y + v->r.h)
		y1 = (uint64_t)v->r.y + v->r.h;
	for (uint64_t y = y0; y < y1 && x0 < x1; y++) {
		uint8_t *dst = v->shadow + (y - v->r.y) * rstride + (x0 - v->r.x) * GPU_FORMAT_BPP;

		if (!gpu_backing_read(&r->backing, at(&v->l, (uint32_t)x0, (uint32_t)y), dst,
				      (x1 - x0) * GPU_FORMAT_BPP, false))
			return false;
	}
	return true;
}

bool gpu_blob_view_frame(struct gpu_blob_view *v, const struct gpu_resource *r,
			 const struct gpu_rect *sync, struct display_frame *f)
{
	if (!v->direct && sync && !sync_shadow(v, r, sync))
		return false;
	*f = (struct display_frame){
	    .kind = DISPLAY_FRAME_PIXELS,
	    .format = v->l.pformat,
	    .width = v->r.w,
	    .height = v->r.h,
	    .stride = v->direct ? v->l.stride : v->r.w * GPU_FORMAT_BPP,
	    .data = v->direct ? v->direct : v->shadow,
	};
	return true;
}

enum gpu_err gpu_blob_cursor(const struct gpu_resource *r, uint32_t *argb)
{
	const uint32_t stride = DISPLAY_CURSOR_DIM * GPU_FORMAT_BPP;
	pixman_format_code_t pf;
	enum gpu_err err = GPU_E_NO_MEM;
	uint8_t *img;

	if (r->blob_size < (uint64_t)stride * DISPLAY_CURSOR_DIM)
		return GPU_E_BAD_CURSOR;
	img = malloc((size_t)stride * DISPLAY_CURSOR_DIM);
	if (!img)
		return GPU_E_NO_MEM;
	gpu_format_to_pixman(VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM, &pf);
	if (!gpu_backing_read(&r->backing, 0, img, (uint64_t)stride * DISPLAY_CURSOR_DIM, false))
		err = GPU_E_BAD_BACKING;
	else if (gpu_format_cursor(pf, img, stride, argb))
		err = GPU_OK;
	free(img);
	return err;
}
