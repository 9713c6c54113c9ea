/* 3D commands, frontend half: the command's context id (from the header)
 * must be non-zero and its resource must exist before the backend sees it.
 * A backend without 3D leaves these ops NULL: the guest gets ERR_UNSPEC. */
#include <stdlib.h>

#include "gpu/gpu_priv.h"
#include "gpu/handlers.h"
#include "gpu/protocol.h"
#include "virtio/virtqueue.h"

#define OPS(g) ((g)->backend.ops)

enum gpu_err gpu_h_ctx_create(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	if (!OPS(g)->ctx_create)
		return GPU_E_UNSUPPORTED;
	if (c->hdr.ctx_id == 0)
		return GPU_E_BAD_CONTEXT;
	return OPS(g)->ctx_create(g->backend.be, c->hdr.ctx_id, c);
}

/* Which contexts a resource is attached to: unref of an attached resource
 * is refused (the guest must detach first, as Linux does), and a context
 * going away detaches everything it held. */
static int ctx_slot(const struct gpu_resource *r, uint32_t ctx)
{
	for (uint32_t i = 0; i < r->nctxs; i++)
		if (r->ctxs[i] == ctx)
			return (int)i;
	return -1;
}

static enum gpu_err note_attached(struct gpu *g, struct gpu_resource *r, uint32_t ctx)
{
	uint32_t *n;

	if (ctx_slot(r, ctx) >= 0)
		return GPU_OK;
	if (gpu_mem_charge(&g->res, sizeof(*r->ctxs)))
		return GPU_E_NO_MEM;
	n = realloc(r->ctxs, (r->nctxs + 1) * sizeof(*r->ctxs));
	if (!n) {
		gpu_mem_uncharge(&g->res, sizeof(*r->ctxs));
		return GPU_E_NO_MEM;
	}
	r->ctxs = n;
	r->ctxs[r->nctxs++] = ctx;
	return GPU_OK;
}

static void note_detached(struct gpu *g, struct gpu_resource *r, uint32_t ctx)
{
	int i = ctx_slot(r, ctx);

	if (i < 0)
		return;
	r->ctxs[i] = r->ctxs[--r->nctxs];
	gpu_mem_uncharge(&g->res, sizeof(*r->ctxs));
	if (r->nctxs == 0) {
		free(r->ctxs);
		r->ctxs = NULL;
	}
}

void gpu_resource_forget_ctxs(struct gpu *g, struct gpu_resource *r)
{
	gpu_mem_uncharge(&g->res, (uint64_t)r->nctxs * sizeof(*r->ctxs));
	free(r->ctxs);
	r->ctxs = NULL;
	r->nctxs = 0;
}

struct ctx_gone {
	struct gpu *g;
	uint32_t ctx;
};

static void detach_gone(void *opaque, struct gpu_resource *r)
{
	struct ctx_gone *cg = opaque;

	note_detached(cg->g, r, cg->ctx);
}

static void push_ctrl(void *opaque, uint16_t head, uint32_t len)
{
	struct gpu *g = opaque;

	vq_push(&g->queues[GPU_QUEUE_CTRL].vq, head, len);
}

enum gpu_err gpu_h_ctx_destroy(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	struct ctx_gone cg = {g, c->hdr.ctx_id};
	enum gpu_err err;

	if (!OPS(g)->ctx_destroy)
		return GPU_E_UNSUPPORTED;
	if (c->hdr.ctx_id == 0)
		return GPU_E_BAD_CONTEXT;
	err = OPS(g)->ctx_destroy(g->backend.be, c->hdr.ctx_id);
	if (!err) {
		gpu_res_table_each(&g->res, detach_gone, &cg);
		/* Its fences will never signal: their replies go now (the
		 * worker notifies the guest after this request). */
		if (g->attached)
			gpu_fences_release_ctx(&g->fences, c->hdr.ctx_id, push_ctrl, g);
	}
	return err;
}

typedef enum gpu_err (*ctx_res_fn)(void *be, uint32_t ctx, struct gpu_resource *r);

static enum gpu_err ctx_resource(struct gpu *g, const struct gpu_cmd *c, ctx_res_fn fn, bool attach)
{
	struct gpu_resource *r;
	enum gpu_err err;

	if (!fn)
		return GPU_E_UNSUPPORTED;
	if (c->hdr.ctx_id == 0)
		return GPU_E_BAD_CONTEXT;
	r = gpu_res_find(&g->res, c->u.res.resource_id);
	if (!r)
		return GPU_E_RES_UNKNOWN;
	/* A guest blob has no renderer part a context could use. */
	if (r->blob_mem)
		return GPU_E_BLOB;
	/* Room for the note first: a failure after the renderer attached
	 * would leave it attached behind our back. */
	if (attach && ctx_slot(r, c->hdr.ctx_id) < 0) {
		err = note_attached(g, r, c->hdr.ctx_id);
		if (err)
			return err;
		err = fn(g->backend.be, c->hdr.ctx_id, r);
		if (err)
			note_detached(g, r, c->hdr.ctx_id);
		return err;
	}
	err = fn(g->backend.be, c->hdr.ctx_id, r);
	if (!err && !attach)
		note_detached(g, r, c->hdr.ctx_id);
	return err;
}

enum gpu_err gpu_h_ctx_attach(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	return ctx_resource(g, c, OPS(g)->ctx_attach, true);
}

enum gpu_err gpu_h_ctx_detach(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	return ctx_resource(g, c, OPS(g)->ctx_detach, false);
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
	if (r->blob_mem)
		return GPU_E_BLOB;
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
