/* One request in, one reply out: decode, dispatch to the backend or answer
 * the display queries here, encode the reply. Replies always echo the
 * request's fence (even on errors: Linux waits on it otherwise). 2D work is
 * done by the time the backend returns, so its fences are complete at once;
 * a backend with fence ops makes the worker hold the reply (gpu/fence.h). */
#include <endian.h>
#include <string.h>

#include "gpu/decode.h"
#include "gpu/edid.h"
#include "gpu/gpu_priv.h"
#include "util/log.h"

static void put_hdr(uint8_t *resp, const struct gpu_hdr *req, uint32_t type)
{
	struct virtio_gpu_ctrl_hdr h;

	memset(&h, 0, sizeof(h));
	h.type = htole32(type);
	if (req->flags & VIRTIO_GPU_FLAG_FENCE) {
		h.flags =
		    htole32(req->flags & (VIRTIO_GPU_FLAG_FENCE | VIRTIO_GPU_FLAG_INFO_RING_IDX));
		h.fence_id = htole64(req->fence_id);
		h.ctx_id = htole32(req->ctx_id);
		if (req->flags & VIRTIO_GPU_FLAG_INFO_RING_IDX)
			h.ring_idx = req->ring_idx;
	}
	memcpy(resp, &h, sizeof(h));
}

static size_t display_info(struct gpu *g, const struct gpu_cmd *c, uint8_t *resp)
{
	struct virtio_gpu_resp_display_info info;

	memset(&info, 0, sizeof(info));
	pthread_mutex_lock(&g->lock);
	for (unsigned i = 0; i < g->cfg.outputs; i++) {
		info.pmodes[i].r.width = htole32(g->outputs[i].width);
		info.pmodes[i].r.height = htole32(g->outputs[i].height);
		info.pmodes[i].enabled = htole32(1);
	}
	pthread_mutex_unlock(&g->lock);
	memcpy(resp, &info, sizeof(info));
	put_hdr(resp, &c->hdr, VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	return sizeof(info);
}

static enum gpu_err get_edid(struct gpu *g, const struct gpu_cmd *c, uint8_t *resp, size_t *len)
{
	struct virtio_gpu_resp_edid r;
	uint32_t sid = c->u.get_edid.scanout_id;
	struct gpu_output o;

	if (sid >= g->cfg.outputs)
		return GPU_E_BAD_SCANOUT;
	pthread_mutex_lock(&g->lock);
	o = g->outputs[sid];
	pthread_mutex_unlock(&g->lock);
	memset(&r, 0, sizeof(r));
	r.size = htole32(GPU_EDID_SIZE);
	gpu_edid_build(r.edid, o.width, o.height, sid);
	memcpy(resp, &r, sizeof(r));
	put_hdr(resp, &c->hdr, VIRTIO_GPU_RESP_OK_EDID);
	*len = sizeof(r);
	return GPU_OK;
}

static gpu_backend_cmd_fn backend_op(const struct gpu_backend_ops *ops, uint32_t type)
{
	switch (type) {
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D:
		return ops->resource_create_2d;
	case VIRTIO_GPU_CMD_RESOURCE_UNREF:
		return ops->resource_unref;
	case VIRTIO_GPU_CMD_SET_SCANOUT:
		return ops->set_scanout;
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH:
		return ops->resource_flush;
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
		return ops->transfer_to_host_2d;
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		return ops->attach_backing;
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
		return ops->detach_backing;
	case VIRTIO_GPU_CMD_UPDATE_CURSOR:
		return ops->update_cursor;
	case VIRTIO_GPU_CMD_MOVE_CURSOR:
		return ops->move_cursor;
	default:
		return NULL;
	}
}

static uint32_t num_capsets(struct gpu *g)
{
	const struct gpu_backend_ops *ops = g->backend.ops;

	return ops && ops->num_capsets ? ops->num_capsets(g->backend.be) : 0;
}

/* Everything but the final encoding; *len set for data-carrying replies. */
static enum gpu_err dispatch(struct gpu *g, const struct gpu_cmd *c, uint8_t *resp, size_t *len)
{
	gpu_backend_cmd_fn fn;

	switch (c->hdr.type) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
		*len = display_info(g, c, resp);
		return GPU_OK;
	case VIRTIO_GPU_CMD_GET_EDID:
		return get_edid(g, c, resp, len);
	case VIRTIO_GPU_CMD_GET_CAPSET_INFO:
		/* A backend with capsets would answer here; none yet. */
		return c->u.capset_info.index >= num_capsets(g) ? GPU_E_BAD_CAPSET
								: GPU_E_UNSUPPORTED;
	case VIRTIO_GPU_CMD_GET_CAPSET:
		return num_capsets(g) == 0 ? GPU_E_BAD_CAPSET : GPU_E_UNSUPPORTED;
	}
	if (!g->backend.ops)
		return GPU_E_UNSUPPORTED;
	fn = backend_op(g->backend.ops, c->hdr.type);
	if (!fn)
		return GPU_E_UNSUPPORTED;
	return fn(g->backend.be, c);
}

/* Fences without INFO_RING_IDX all share the global timeline. */
static struct gpu_timeline timeline_of(const struct gpu_hdr *h)
{
	struct gpu_timeline tl = {0, 0};

	if (h->flags & VIRTIO_GPU_FLAG_INFO_RING_IDX) {
		tl.ctx_id = h->ctx_id;
		tl.ring_idx = h->ring_idx;
	}
	return tl;
}

/* A fenced command that succeeded starts a backend fence; any fenced reply
 * queues behind earlier parked ones of its timeline. */
static enum gpu_err fence(struct gpu *g, const struct gpu_cmd *c, enum gpu_err err,
			  struct gpu_reply_info *info)
{
	const struct gpu_backend_ops *ops = g->backend.ops;
	bool created = false;

	if (!info || !(c->hdr.flags & VIRTIO_GPU_FLAG_FENCE))
		return err;
	info->tl = timeline_of(&c->hdr);
	info->fence_id = c->hdr.fence_id;
	if (!err && ops && ops->create_fence) {
		err = ops->create_fence(g->backend.be, info->tl, c->hdr.fence_id);
		created = !err;
	}
	info->park = created || gpu_fences_busy(&g->fences, info->tl);
	return err;
}

size_t gpu_handle_request(struct gpu *g, const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
			  struct gpu_reply_info *info)
{
	uint8_t out[GPU_MAX_REPLY_BYTES];
	struct gpu_cmd c;
	enum gpu_err err;
	size_t n = 0;

	err = gpu_decode(req, len, &c);
	if (err == GPU_E_SHORT && len < sizeof(struct virtio_gpu_ctrl_hdr))
		return 0;
	if (info)
		info->park = false;
	if (!err)
		err = dispatch(g, &c, out, &n);
	err = fence(g, &c, err, info);
	if (err) {
		log_guest_error("virtio-gpu: command 0x%x: %s", c.hdr.type, gpu_err_name(err));
		n = 0;
	}
	if (n == 0) {
		put_hdr(out, &c.hdr, gpu_err_to_resp(err));
		n = sizeof(struct virtio_gpu_ctrl_hdr);
	}
	if (n > cap)
		n = cap;
	memcpy(resp, out, n);
	return n;
}
