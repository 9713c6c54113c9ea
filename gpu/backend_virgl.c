/* The 3D backend: virglrenderer (through the checked layer gpu/virgl.h) on
 * an EGL display we own. Every 2D command goes through virglrenderer too,
 * as QEMU's -gl device does: a 2D resource is a 2D texture, a 2D transfer
 * a 3D one of depth 1, so guests mixing dumb buffers and 3D (Linux with
 * VIRGL on) see one set of resources.
 *
 * Pixels for a display come back by readback (virglrenderer's transfer
 * into host memory) into a per-resource shadow, only the rectangle asked
 * for, only when a display will read it; dmabuf export of textures fails
 * on llvmpipe, so it is not attempted. All of it runs on the GPU worker.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gpu/backend.h"
#include "gpu/format.h"
#include "gpu/protocol.h"
#include "gpu/virgl.h"
#include "util/log.h"

/* Gallium bind flags and the resource flag QEMU's -gl device uses for the
 * textures behind 2D resources (virglrenderer's virgl_hw.h values). */
#define VIRGL_BIND_RENDER_TARGET (1u << 1)
#define VIRGL_BIND_SAMPLER_VIEW	 (1u << 3)
#define VIRGL_RES_FLAG_Y_0_TOP	 (1u << 0)

struct gpu_3d {
	struct gpu_backend_env env;
	struct gpu_virgl *v;
};

/* The backend's part of a resource: a CPU copy of what scanouts show. */
struct gpu_3d_res {
	uint8_t *shadow; /* width * height * 4, made at the first frame */
	pixman_format_code_t pformat;
};

static struct gpu_3d_res *res_priv(struct gpu_resource *r)
{
	return r->priv;
}

static enum gpu_err make_res(struct gpu_3d *b, struct gpu_resource *r,
			     const struct gpu_virgl_res_desc *d)
{
	struct gpu_3d_res *p;
	enum gpu_err err;

	/* Our own bytes are charged; the renderer's are capped inside
	 * gpu/virgl.c from its estimate. */
	err = gpu_mem_charge(b->env.res, sizeof(*p));
	if (err)
		return err;
	p = calloc(1, sizeof(*p));
	if (!p) {
		gpu_mem_uncharge(b->env.res, sizeof(*p));
		return GPU_E_NO_MEM;
	}
	err = gpu_virgl_res_create(b->v, r->id, d);
	if (err) {
		free(p);
		gpu_mem_uncharge(b->env.res, sizeof(*p));
		return err;
	}
	r->format = d->format;
	r->width = d->width;
	r->height = d->height;
	r->priv = p;
	r->charged = sizeof(*p);
	return GPU_OK;
}

static enum gpu_err create_2d(void *be, struct gpu_resource *r, const struct gpu_cmd *c)
{
	pixman_format_code_t pf;
	struct gpu_virgl_res_desc d = {
	    .target = GPU_VIRGL_TEX_2D,
	    .format = c->u.create_2d.format, /* the 2D formats share virgl's numbers */
	    .bind = VIRGL_BIND_RENDER_TARGET | VIRGL_BIND_SAMPLER_VIEW,
	    .width = c->u.create_2d.width,
	    .height = c->u.create_2d.height,
	    .depth = 1,
	    .array_size = 1,
	    .flags = VIRGL_RES_FLAG_Y_0_TOP,
	};

	enum gpu_err err;

	/* Only the spec's 2D formats, as on the 2D backend. */
	if (!gpu_format_to_pixman(d.format, &pf))
		return GPU_E_BAD_FORMAT;
	if (d.width == 0 || d.height == 0 || d.width > GPU_MAX_DIM || d.height > GPU_MAX_DIM)
		return GPU_E_BAD_SIZE;
	/* virglrenderer 0.10.4 has no X8B8G8R8 (68); A8B8G8R8 (121) has the
	 * same bytes in memory, its alpha byte is just not ignored. The
	 * resource keeps 68, so a display still treats that byte as padding. */
	if (d.format == VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM)
		d.format = VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM;
	err = make_res(be, r, &d);
	if (!err)
		r->format = c->u.create_2d.format;
	return err;
}

static enum gpu_err create_3d(void *be, struct gpu_resource *r, const struct gpu_cmd *c)
{
	struct gpu_virgl_res_desc d = {
	    .target = c->u.create_3d.target,
	    .format = c->u.create_3d.format,
	    .bind = c->u.create_3d.bind,
	    .width = c->u.create_3d.width,
	    .height = c->u.create_3d.height,
	    .depth = c->u.create_3d.depth,
	    .array_size = c->u.create_3d.array_size,
	    .last_level = c->u.create_3d.last_level,
	    .nr_samples = c->u.create_3d.nr_samples,
	    .flags = c->u.create_3d.flags,
	};

	return make_res(be, r, &d);
}

static void resource_destroy(void *be, struct gpu_resource *r)
{
	struct gpu_3d *b = be;
	struct gpu_3d_res *p = res_priv(r);

	gpu_virgl_res_unref(b->v, r->id);
	free(p->shadow);
	free(p);
	r->priv = NULL;
}

/* The frontend checked every entry against guest memory at attach; the
 * renderer gets host addresses. */
static enum gpu_err backing_attached(void *be, struct gpu_resource *r)
{
	struct gpu_3d *b = be;
	const struct gpu_backing *bk = &r->backing;
	struct iovec *iov = calloc(bk->nr, sizeof(*iov));
	enum gpu_err err = GPU_OK;

	if (!iov)
		return GPU_E_NO_MEM;
	for (uint32_t i = 0; i < bk->nr && !err; i++) {
		void *p = guest_mem_ptr(bk->mem, bk->entries[i].addr, bk->entries[i].len);

		if (!p)
			err = GPU_E_BAD_BACKING;
		iov[i] = (struct iovec){p, bk->entries[i].len};
	}
	if (!err)
		err = gpu_virgl_attach_backing(b->v, r->id, iov, bk->nr);
	free(iov);
	return err;
}

static void backing_detach(void *be, struct gpu_resource *r)
{
	struct gpu_3d *b = be;

	gpu_virgl_detach_backing(b->v, r->id);
}

static enum gpu_err transfer_to_host_2d(void *be, struct gpu_resource *r, const struct gpu_cmd *c)
{
	struct gpu_3d *b = be;
	const struct gpu_rect *rc = &c->u.transfer.r;
	struct gpu_virgl_xfer t = {
	    .res_id = r->id,
	    .box = {rc->x, rc->y, 0, rc->w, rc->h, 1},
	    .offset = c->u.transfer.offset,
	};

	return gpu_virgl_transfer_to_host(b->v, &t);
}

static enum gpu_err transfer_3d(void *be, uint32_t ctx, struct gpu_resource *r,
				const struct gpu_cmd *c)
{
	struct gpu_3d *b = be;
	const struct gpu_box *bx = &c->u.transfer_3d.box;
	struct gpu_virgl_xfer t = {
	    .res_id = r->id,
	    .ctx_id = ctx,
	    .level = c->u.transfer_3d.level,
	    .stride = c->u.transfer_3d.stride,
	    .layer_stride = c->u.transfer_3d.layer_stride,
	    .box = {bx->x, bx->y, bx->z, bx->w, bx->h, bx->d},
	    .offset = c->u.transfer_3d.offset,
	};

	if (c->hdr.type == VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D)
		return gpu_virgl_transfer_to_host(b->v, &t);
	return gpu_virgl_transfer_from_host(b->v, &t);
}

/* Read rect of r back into its shadow (made, and charged, on first use). */
static enum gpu_err read_back(struct gpu_3d *b, struct gpu_resource *r, const struct gpu_rect *rc)
{
	struct gpu_3d_res *p = res_priv(r);
	uint64_t stride = (uint64_t)r->width * 4, bytes = stride * r->height, off;
	struct gpu_virgl_box box = {rc->x, rc->y, 0, rc->w, rc->h, 1};
	enum gpu_err err;

	if (!p->shadow) {
		if (!gpu_format_to_pixman(r->format, &p->pformat))
			return GPU_E_BAD_FORMAT; /* not a 32-bit RGB format */
		err = gpu_mem_charge(b->env.res, bytes);
		if (err)
			return err;
		p->shadow = calloc(1, bytes);
		if (!p->shadow) {
			gpu_mem_uncharge(b->env.res, bytes);
			return GPU_E_NO_MEM;
		}
		r->charged += bytes;
	}
	if (rc->w == 0 || rc->h == 0)
		return GPU_OK;
	off = rc->y * stride + (uint64_t)rc->x * 4;
	return gpu_virgl_read_pixels(b->v, r->id, &box, p->shadow + off, stride, bytes - off);
}

static enum gpu_err frame(void *be, struct gpu_resource *r, const struct gpu_rect *sync,
			  struct display_frame *f)
{
	struct gpu_3d *b = be;
	struct gpu_3d_res *p = res_priv(r);
	enum gpu_err err = read_back(b, r, sync ? sync : &(struct gpu_rect){0, 0, 0, 0});

	if (err)
		return err;
	*f = (struct display_frame){
	    .kind = DISPLAY_FRAME_PIXELS,
	    .format = p->pformat,
	    .width = r->width,
	    .height = r->height,
	    .stride = r->width * 4,
	    .data = p->shadow,
	};
	return GPU_OK;
}

static enum gpu_err cursor_image(void *be, struct gpu_resource *r, uint32_t *argb)
{
	struct gpu_3d_res *p = res_priv(r);
	enum gpu_err err =
	    read_back(be, r, &(struct gpu_rect){0, 0, DISPLAY_CURSOR_DIM, DISPLAY_CURSOR_DIM});

	if (err)
		return err;
	return gpu_format_cursor(p->pformat, p->shadow, r->width * 4, argb) ? GPU_OK : GPU_E_NO_MEM;
}

/* context_init (VIRTIO_GPU_F_CONTEXT_INIT): a capset id in the low 8 bits
 * (0: the default), one we list; no other bits are defined. */
static enum gpu_err ctx_create(void *be, uint32_t ctx, const struct gpu_cmd *c)
{
	struct gpu_3d *b = be;
	uint32_t init = c->u.ctx_create.context_init;

	if (init & ~0xffu)
		return GPU_E_BAD_CAPSET;
	return gpu_virgl_ctx_create_capset(b->v, ctx, init, c->u.ctx_create.debug_name,
					   c->u.ctx_create.nlen);
}

static enum gpu_err ctx_destroy(void *be, uint32_t ctx)
{
	struct gpu_3d *b = be;

	return gpu_virgl_ctx_destroy(b->v, ctx);
}

static enum gpu_err ctx_attach(void *be, uint32_t ctx, struct gpu_resource *r)
{
	struct gpu_3d *b = be;

	return gpu_virgl_ctx_attach(b->v, ctx, r->id);
}

static enum gpu_err ctx_detach(void *be, uint32_t ctx, struct gpu_resource *r)
{
	struct gpu_3d *b = be;

	return gpu_virgl_ctx_detach(b->v, ctx, r->id);
}

static enum gpu_err submit_3d(void *be, uint32_t ctx, const struct gpu_cmd *c)
{
	struct gpu_3d *b = be;

	enum gpu_err err = gpu_virgl_submit(b->v, ctx, c->u.submit.cmds, c->u.submit.size);

	/* The layer says UNSUPPORTED when virglrenderer refuses the stream: to
	 * the guest that is a bad parameter, not an unknown command. */
	return err == GPU_E_UNSUPPORTED ? GPU_E_BAD_STREAM : err;
}

static uint64_t features(void *be)
{
	/* UUIDs are the frontend's (gpu/uuid.c); CONTEXT_INIT: capsets in
	 * CTX_CREATE, fences per (context, ring). */
	return 1ull << VIRTIO_GPU_F_VIRGL | 1ull << VIRTIO_GPU_F_RESOURCE_UUID |
	       1ull << VIRTIO_GPU_F_CONTEXT_INIT;
}

static unsigned capsets(void *be, struct gpu_capset *out, unsigned max)
{
	struct gpu_3d *b = be;
	unsigned n = 0;

	for (uint32_t i = 0; i < gpu_virgl_num_capsets(b->v) && n < max; i++)
		if (!gpu_virgl_capset_info(b->v, i, &out[n].id, &out[n].max_version,
					   &out[n].max_size))
			n++;
	return n;
}

static enum gpu_err get_capset(void *be, uint32_t id, uint32_t version, void *buf, size_t cap)
{
	struct gpu_3d *b = be;

	return gpu_virgl_capset(b->v, id, version, buf, cap);
}

static int fence_fd(void *be)
{
	struct gpu_3d *b = be;

	return gpu_virgl_fence_fd(b->v);
}

static enum gpu_err create_fence(void *be, struct gpu_timeline tl, uint64_t fence_id)
{
	struct gpu_3d *b = be;

	/* tl names a context only with INFO_RING_IDX: a per-ring fence. */
	if (tl.ctx_id)
		return gpu_virgl_create_ring_fence(b->v, tl.ctx_id, tl.ring_idx, fence_id);
	return gpu_virgl_create_fence(b->v, tl.ctx_id, tl.ring_idx, fence_id);
}

struct retire_ctx {
	void (*done)(void *opaque, struct gpu_timeline tl, uint64_t fence_id);
	void *opaque;
};

static void fence_done(void *opaque, uint32_t ctx_id, uint8_t ring_idx, uint64_t fence_id)
{
	struct retire_ctx *rc = opaque;

	rc->done(rc->opaque, (struct gpu_timeline){ctx_id, ring_idx}, fence_id);
}

static void retire_fences(void *be,
			  void (*done)(void *opaque, struct gpu_timeline tl, uint64_t fence_id),
			  void *opaque)
{
	struct gpu_3d *b = be;
	struct retire_ctx rc = {done, opaque};

	gpu_virgl_retire(b->v, fence_done, &rc);
}

static void reset(void *be)
{
	struct gpu_3d *b = be;

	gpu_virgl_reset(b->v);
}

static void destroy(void *be)
{
	struct gpu_3d *b = be;

	gpu_virgl_close(b->v);
	free(b);
}

static const struct gpu_backend_ops gpu_3d_ops = {
    .name = "virgl",
    .destroy = destroy,
    .reset = reset,
    .features = features,
    .capsets = capsets,
    .get_capset = get_capset,
    .resource_create_2d = create_2d,
    .resource_create_3d = create_3d,
    .resource_destroy = resource_destroy,
    .backing_attached = backing_attached,
    .backing_detach = backing_detach,
    .transfer_to_host_2d = transfer_to_host_2d,
    .frame = frame,
    .cursor_image = cursor_image,
    .ctx_create = ctx_create,
    .ctx_destroy = ctx_destroy,
    .ctx_attach = ctx_attach,
    .ctx_detach = ctx_detach,
    .transfer_3d = transfer_3d,
    .submit_3d = submit_3d,
    .fence_fd = fence_fd,
    .create_fence = create_fence,
    .retire_fences = retire_fences,
};

int gpu_backend_virgl_create(const struct gpu_backend_env *env, struct gpu_backend *out, char *err,
			     size_t errlen)
{
	struct gpu_virgl_limits lim = {
	    .mem_limit = env->res->mem_limit,
	    .max_resources = env->res->max_count,
	};
	struct gpu_3d *b = calloc(1, sizeof(*b));
	int ret;

	if (!b) {
		snprintf(err, errlen, "gpu virgl: out of memory");
		return -ENOMEM;
	}
	b->env = *env;
	ret = gpu_virgl_open(&lim, &b->v);
	if (ret) {
		snprintf(err, errlen, "gpu virgl: cannot start the 3D renderer: %s",
			 ret == -ENODEV	 ? "no EGL display (Mesa's EGL and a GL driver are needed)"
			 : ret == -EBUSY ? "already open in this process"
					 : strerror(-ret));
		free(b);
		return ret;
	}
	log_info("virtio-gpu: 3D through virglrenderer, GL renderer: %s", gpu_virgl_renderer(b->v));
	out->ops = &gpu_3d_ops;
	out->be = b;
	return 0;
}
