/* 3D commands, frontend half: the command's context id (from the header)
 * must be non-zero and its resource must exist before the backend sees it.
 * A backend without 3D leaves these ops NULL: the guest gets ERR_UNSPEC. */
#include "gpu/gpu_priv.h"
#include "gpu/handlers.h"
#include "gpu/protocol.h"

#define OPS(g) ((g)->backend.ops)

enum gpu_err gpu_h_ctx_create(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	if (!OPS(g)->ctx_create)
		return GPU_E_UNSUPPORTED;
	if (c->hdr.ctx_id == 0)
		return GPU_E_BAD_CONTEXT;
	return OPS(g)->ctx_create(g->backend.be, c->hdr.ctx_id, c);
}

enum gpu_err gpu_h_ctx_destroy(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	if (!OPS(g)->ctx_destroy)
		return GPU_E_UNSUPPORTED;
	if (c->hdr.ctx_id == 0)
		return GPU_E_BAD_CONTEXT;
	return OPS(g)->ctx_destroy(g->backend.be, c->hdr.ctx_id);
}

typedef enum gpu_err (*ctx_res_fn)(void *be, uint32_t ctx, struct gpu_resource *r);

static enum gpu_err ctx_resource(struct gpu *g, const struct gpu_cmd *c, ctx_res_fn fn)
{
	struct gpu_resource *r;

	if (!fn)
		return GPU_E_UNSUPPORTED;
	if (c->hdr.ctx_id == 0)
		return GPU_E_BAD_CONTEXT;
	r = gpu_res_find(&g->res, c->u.res.resource_id);
	if (!r)
		return GPU_E_RES_UNKNOWN;
	return fn(g->backend.be, c->hdr.ctx_id, r);
}

enum gpu_err gpu_h_ctx_attach(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	return ctx_resource(g, c, OPS(g)->ctx_attach);
}

enum gpu_err gpu_h_ctx_detach(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	return ctx_resource(g, c, OPS(g)->ctx_detach);
}

/* TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D. Transfers without a
 * context (ctx_id 0) are allowed: Linux sends them for dumb buffers. The
 * backend checks box and level against the resource's own shape. */
enum gpu_err gpu_h_transfer_3d(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	struct gpu_resource *r;

	if (!OPS(g)->transfer_3d)
		return GPU_E_UNSUPPORTED;
	r = gpu_res_find(&g->res, c->u.transfer_3d.resource_id);
	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (!r->backing.nr)
		return GPU_E_NO_BACKING;
	return OPS(g)->transfer_3d(g->backend.be, c->hdr.ctx_id, r, c);
}

enum gpu_err gpu_h_submit_3d(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	if (!OPS(g)->submit_3d)
		return GPU_E_UNSUPPORTED;
	if (c->hdr.ctx_id == 0)
		return GPU_E_BAD_CONTEXT;
	/* The stream is a list of dwords. */
	if (c->u.submit.size % 4)
		return GPU_E_BAD_SIZE;
	return OPS(g)->submit_3d(g->backend.be, c->hdr.ctx_id, c);
}
