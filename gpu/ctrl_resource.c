/* Resource commands, frontend half: ids, the count and memory caps, guest
 * backings and scanout use are handled here for every backend; the backend
 * makes (and frees) the pixels behind each resource. */
#include <stdlib.h>

#include "gpu/backing.h"
#include "gpu/gpu_priv.h"
#include "gpu/handlers.h"

typedef enum gpu_err (*create_fn)(void *be, struct gpu_resource *r, const struct gpu_cmd *c);

static enum gpu_err create(struct gpu *g, uint32_t id, create_fn fn, const struct gpu_cmd *c)
{
	struct gpu_resource *r;
	enum gpu_err err;

	if (!fn)
		return GPU_E_UNSUPPORTED;
	err = gpu_res_can_insert(&g->res, id);
	if (err)
		return err;
	/* The frontend's own bytes count against the cap too. */
	err = gpu_mem_charge(&g->res, sizeof(*r));
	if (err)
		return err;
	r = calloc(1, sizeof(*r));
	if (!r) {
		gpu_mem_uncharge(&g->res, sizeof(*r));
		return GPU_E_NO_MEM;
	}
	r->id = id;
	err = fn(g->backend.be, r, c);
	if (!err) {
		err = gpu_res_insert(&g->res, r);
		if (err)
			g->backend.ops->resource_destroy(g->backend.be, r);
	}
	if (err) {
		gpu_mem_uncharge(&g->res, r->charged + sizeof(*r));
		free(r);
	}
	return err;
}

enum gpu_err gpu_h_create_2d(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	return create(g, c->u.create_2d.resource_id, g->backend.ops->resource_create_2d, c);
}

enum gpu_err gpu_h_create_3d(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	return create(g, c->u.create_3d.resource_id, g->backend.ops->resource_create_3d, c);
}

/* A guest blob has no backend part: only its entry list goes. */
static void detach(struct gpu *g, struct gpu_resource *r)
{
	if (g->backend.ops->backing_detach && !r->blob_mem)
		g->backend.ops->backing_detach(g->backend.be, r);
	gpu_mem_uncharge(&g->res, gpu_backing_cost(r->backing.nr));
	gpu_backing_free(&r->backing);
}

static void destroy(struct gpu *g, struct gpu_resource *r)
{
	gpu_resource_forget_ctxs(g, r);
	gpu_scanouts_forget(g, r);
	if (r->backing.nr)
		detach(g, r);
	if (!r->blob_mem)
		g->backend.ops->resource_destroy(g->backend.be, r);
	gpu_mem_uncharge(&g->res, r->charged + sizeof(*r));
	free(r);
}

/* The spec gives no error for unref of a resource on a scanout, and Linux
 * never retries an unref, so (as QEMU does) the scanout goes dark. One
 * still attached to a 3D context is refused: Linux detaches first, and
 * the context may still use it. */
enum gpu_err gpu_h_unref(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	struct gpu_resource *r = gpu_res_find(&g->res, c->u.res.resource_id);

	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (r->nctxs)
		return GPU_E_RES_BUSY;
	gpu_res_remove(&g->res, r->id);
	destroy(g, r);
	return GPU_OK;
}

static void destroy_cb(void *opaque, struct gpu_resource *r)
{
	destroy(opaque, r);
}

void gpu_resources_clear(struct gpu *g)
{
	gpu_res_table_clear(&g->res, destroy_cb, g);
}

enum gpu_err gpu_h_attach_backing(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	struct gpu_resource *r = gpu_res_find(&g->res, c->u.attach.resource_id);
	uint64_t cost = gpu_backing_cost(c->u.attach.nr_entries);
	enum gpu_err err;

	if (!r)
		return GPU_E_RES_UNKNOWN;
	/* A blob's pages are fixed when it is created. */
	if (r->blob_mem)
		return GPU_E_BLOB;
	if (r->backing.nr)
		return GPU_E_HAS_BACKING;
	if (!g->mem)
		return GPU_E_BAD_BACKING;
	err = gpu_mem_charge(&g->res, cost);
	if (err)
		return err;
	err = gpu_backing_attach(&r->backing, g->mem, c);
	if (!err && g->backend.ops->backing_attached) {
		err = g->backend.ops->backing_attached(g->backend.be, r);
		if (err)
			gpu_backing_free(&r->backing);
	}
	if (err)
		gpu_mem_uncharge(&g->res, cost);
	return err;
}

enum gpu_err gpu_h_detach_backing(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	struct gpu_resource *r = gpu_res_find(&g->res, c->u.res.resource_id);

	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (r->blob_mem)
		return GPU_E_BLOB;
	if (!r->backing.nr)
		return GPU_E_NO_BACKING;
	detach(g, r);
	return GPU_OK;
}

/* The backing is a linear image of the resource, 4 bytes a pixel, with
 * stride width * 4; offset is where the rectangle's first pixel sits in it
 * (Linux sends y * pitch + x * cpp). */
enum gpu_err gpu_h_transfer_2d(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	const struct gpu_rect *rc = &c->u.transfer.r;
	struct gpu_resource *r = gpu_res_find(&g->res, c->u.transfer.resource_id);
	uint64_t stride, row, last;

	if (!g->backend.ops->transfer_to_host_2d)
		return GPU_E_UNSUPPORTED;
	if (!r)
		return GPU_E_RES_UNKNOWN;
	/* A guest blob's pages are its storage: there is nothing to copy
	 * (Linux still sends transfers for dumb blobs). Only an offset past
	 * the blob is refused; its layout is known per scanout only. */
	if (r->blob_mem)
		return rc->w && rc->h && c->u.transfer.offset >= r->blob_size ? GPU_E_BAD_OFFSET
									      : GPU_OK;
	if (!gpu_rect_inside(rc, r->width, r->height))
		return GPU_E_BAD_RECT;
	if (!r->backing.nr)
		return GPU_E_NO_BACKING;
	if (rc->w == 0 || rc->h == 0)
		return GPU_OK;
	/* End of the last row in the backing. width, h < 2^32: no overflow in
	 * 64 bits; offset is the guest's 64-bit value. */
	stride = (uint64_t)r->width * 4;
	row = (uint64_t)rc->w * 4;
	if (__builtin_add_overflow(c->u.transfer.offset, (uint64_t)(rc->h - 1) * stride + row,
				   &last) ||
	    last > r->backing.total)
		return GPU_E_BAD_OFFSET;
	return g->backend.ops->transfer_to_host_2d(g->backend.be, r, c);
}
