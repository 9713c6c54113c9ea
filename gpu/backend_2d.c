/* The 2D backend: each resource is a host pixman image that the guest fills
 * with TRANSFER_TO_HOST_2D from its backing pages; the frontend shows
 * rectangles of those images on scanouts through the display.
 *
 * Transfers may be applied lazily (gpu/transfer.h): frame() with a sync
 * rectangle, the cursor and a detach apply them. Everything runs on the GPU
 * worker, so nothing here needs a lock. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/backend.h"
#include "gpu/format.h"
#include "gpu/protocol.h"
#include "gpu/res_2d.h"
#include "gpu/transfer.h"

struct gpu_2d {
	struct gpu_backend_env env;
};

static enum gpu_err create_2d(void *be, struct gpu_resource *r, const struct gpu_cmd *c)
{
	struct gpu_2d *g = be;
	uint32_t w = c->u.create_2d.width, h = c->u.create_2d.height;
	pixman_format_code_t pf;
	struct gpu_2d_res *p;
	enum gpu_err err;
	uint64_t bytes;

	if (!gpu_format_to_pixman(c->u.create_2d.format, &pf))
		return GPU_E_BAD_FORMAT;
	if (w == 0 || h == 0 || w > GPU_MAX_DIM || h > GPU_MAX_DIM)
		return GPU_E_BAD_SIZE;
	/* w, h <= 2^14: at most 2^30 bytes, no overflow. */
	bytes = (uint64_t)w * h * GPU_FORMAT_BPP + sizeof(*p);
	err = gpu_mem_charge(g->env.res, bytes);
	if (err)
		return err;
	p = calloc(1, sizeof(*p));
	if (!p)
		goto oom;
	pixman_region32_init(&p->pending);
	p->pformat = pf;
	p->stride = w * GPU_FORMAT_BPP;
	p->pixels = calloc(h, p->stride);
	if (!p->pixels)
		goto oom;
	p->image = pixman_image_create_bits(pf, w, h, (uint32_t *)p->pixels, p->stride);
	if (!p->image)
		goto oom;
	r->format = c->u.create_2d.format;
	r->width = w;
	r->height = h;
	r->priv = p;
	r->charged = bytes;
	return GPU_OK;
oom:
	if (p) {
		pixman_region32_fini(&p->pending);
		free(p->pixels);
		free(p);
	}
	gpu_mem_uncharge(g->env.res, bytes);
	return GPU_E_NO_MEM;
}

/* The frontend uncharges r->charged. */
static void resource_destroy(void *be, struct gpu_resource *r)
{
	struct gpu_2d_res *p = gpu_2d_res(r);

	pixman_region32_fini(&p->pending);
	pixman_image_unref(p->image);
	free(p->pixels);
	free(p);
	r->priv = NULL;
}

/* The guest may reuse those pages once detached: copy what it sent. */
static void backing_detach(void *be, struct gpu_resource *r)
{
	gpu_transfer_apply(r);
}

static enum gpu_err transfer_to_host_2d(void *be, struct gpu_resource *r, const struct gpu_cmd *c)
{
	return gpu_transfer(r, &c->u.transfer.r, c->u.transfer.offset) ? GPU_OK : GPU_E_BAD_BACKING;
}

static enum gpu_err frame(void *be, struct gpu_resource *r, const struct gpu_rect *sync,
			  struct display_frame *f)
{
	struct gpu_2d_res *p = gpu_2d_res(r);

	/* Pending rectangles are few (bounded): applying them all costs no
	 * more than clipping them to sync. */
	if (sync)
		gpu_transfer_apply(r);
	*f = (struct display_frame){
	    .kind = DISPLAY_FRAME_PIXELS,
	    .format = p->pformat,
	    .width = r->width,
	    .height = r->height,
	    .stride = p->stride,
	    .data = p->pixels,
	};
	return GPU_OK;
}

static enum gpu_err cursor_image(void *be, struct gpu_resource *r, uint32_t *argb)
{
	struct gpu_2d_res *p = gpu_2d_res(r);

	gpu_transfer_apply(r);
	return gpu_format_cursor(p->pformat, p->pixels, p->stride, argb) ? GPU_OK : GPU_E_NO_MEM;
}

/* Guest blobs and UUIDs live in the frontend (gpu/blob.c, gpu/uuid.c): the
 * 2D device offers them. Linux then makes its dumb buffers guest blobs and scans them out
 * with SET_SCANOUT_BLOB. */
static uint64_t features(void *be)
{
	return 1ull << VIRTIO_GPU_F_RESOURCE_BLOB | 1ull << VIRTIO_GPU_F_RESOURCE_UUID;
}

static void destroy(void *be)
{
	free(be);
}

static const struct gpu_backend_ops gpu_2d_ops = {
    .name = "2d",
    .destroy = destroy,
    .features = features,
    .resource_create_2d = create_2d,
    .resource_destroy = resource_destroy,
    .backing_detach = backing_detach,
    .transfer_to_host_2d = transfer_to_host_2d,
    .frame = frame,
    .cursor_image = cursor_image,
};

int gpu_backend_2d_create(const struct gpu_backend_env *env, struct gpu_backend *out, char *err,
			  size_t errlen)
{
	struct gpu_2d *g = calloc(1, sizeof(*g));

	if (!g) {
		snprintf(err, errlen, "gpu 2d: out of memory");
		return -ENOMEM;
	}
	g->env = *env;
	out->ops = &gpu_2d_ops;
	out->be = g;
	return 0;
}
