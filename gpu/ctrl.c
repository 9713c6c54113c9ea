/* One request in, one reply out: decode, dispatch through the command
 * table, encode the reply. Replies always echo the request's fence (even on
 * errors: Linux waits on it otherwise). A backend without fence ops has
 * finished a command's work when its op returns, so its fences complete at
 * once; one with fence ops makes the worker hold the reply (gpu/fence.h).
 * The display queries and capsets are answered here. */
#include <endian.h>
#include <string.h>

#include "gpu/decode.h"
#include "gpu/edid.h"
#include "gpu/gpu_priv.h"
#include "gpu/handlers.h"
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

enum gpu_err gpu_h_display_info(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r)
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
	info.hdr.type = htole32(VIRTIO_GPU_RESP_OK_DISPLAY_INFO);
	memcpy(r->buf, &info, sizeof(info));
	r->len = sizeof(info);
	return GPU_OK;
}

enum gpu_err gpu_h_get_edid(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r)
{
	struct virtio_gpu_resp_edid e;
	uint32_t sid = c->u.get_edid.scanout_id;
	struct gpu_output o;

	if (sid >= g->cfg.outputs)
		return GPU_E_BAD_SCANOUT;
	pthread_mutex_lock(&g->lock);
	o = g->outputs[sid];
	pthread_mutex_unlock(&g->lock);
	memset(&e, 0, sizeof(e));
	e.hdr.type = htole32(VIRTIO_GPU_RESP_OK_EDID);
	e.size = htole32(GPU_EDID_SIZE);
	gpu_edid_build(e.edid, o.width, o.height, sid);
	memcpy(r->buf, &e, sizeof(e));
	r->len = sizeof(e);
	return GPU_OK;
}

/* Capsets as the backend reported them at create: answered without it. */
enum gpu_err gpu_h_capset_info(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r)
{
	struct virtio_gpu_resp_capset_info info;
	const struct gpu_capset *cs;

	if (c->u.capset_info.index >= g->num_capsets)
		return GPU_E_BAD_CAPSET;
	cs = &g->capsets[c->u.capset_info.index];
	memset(&info, 0, sizeof(info));
	info.hdr.type = htole32(VIRTIO_GPU_RESP_OK_CAPSET_INFO);
	info.capset_id = htole32(cs->id);
	info.capset_max_version = htole32(cs->max_version);
	info.capset_max_size = htole32(cs->max_size);
	memcpy(r->buf, &info, sizeof(info));
	r->len = sizeof(info);
	return GPU_OK;
}

/* The payload is max_size bytes whatever the version (the guest sized its
 * buffer from GET_CAPSET_INFO); the backend fills what it knows. */
enum gpu_err gpu_h_capset(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *r)
{
	const size_t hdr = sizeof(struct virtio_gpu_ctrl_hdr);
	const struct gpu_capset *cs = NULL;
	enum gpu_err err;

	for (unsigned i = 0; i < g->num_capsets; i++)
		if (g->capsets[i].id == c->u.capset.id)
			cs = &g->capsets[i];
	if (!cs || c->u.capset.version > cs->max_version)
		return GPU_E_BAD_CAPSET;
	if (!g->backend.ops->get_capset)
		return GPU_E_UNSUPPORTED;
	memset(r->buf, 0, hdr + cs->max_size);
	err = g->backend.ops->get_capset(g->backend.be, cs->id, c->u.capset.version, r->buf + hdr,
					 cs->max_size);
	if (err)
		return err;
	((struct virtio_gpu_ctrl_hdr *)r->buf)->type = htole32(VIRTIO_GPU_RESP_OK_CAPSET);
	r->len = hdr + cs->max_size;
	return GPU_OK;
}

enum gpu_err gpu_dispatch(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	const struct gpu_cmd_info *info = gpu_cmd_info(c->hdr.type);

	reply->len = 0;
	return info ? info->handle(g, c, reply) : GPU_E_UNKNOWN_CMD;
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
	if (!err && ops->create_fence) {
		err = ops->create_fence(g->backend.be, info->tl, c->hdr.fence_id);
		created = !err;
	}
	info->park = created || gpu_fences_busy(&g->fences, info->tl);
	return err;
}

size_t gpu_handle_request(struct gpu *g, const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
			  struct gpu_reply_info *info)
{
	struct gpu_reply out = {.buf = g->resp, .cap = GPU_MAX_REPLY_BYTES};
	const struct gpu_cmd_info *ci;
	struct gpu_cmd c;
	enum gpu_err err;
	size_t n;

	err = gpu_decode(req, len, &c);
	if (err == GPU_E_SHORT && len < sizeof(struct virtio_gpu_ctrl_hdr))
		return 0;
	if (info)
		info->park = false;
	if (!err)
		err = gpu_dispatch(g, &c, &out);
	err = fence(g, &c, err, info);
	if (err) {
		ci = gpu_cmd_info(c.hdr.type);
		log_guest_error("virtio-gpu: %s (0x%x): %s", ci ? ci->name : "command", c.hdr.type,
				gpu_err_name(err));
		out.len = 0;
	}
	if (out.len == 0) {
		put_hdr(out.buf, &c.hdr, gpu_err_to_resp(err));
		out.len = sizeof(struct virtio_gpu_ctrl_hdr);
	} else {
		/* Handlers set the type; the fence fields come from here. */
		uint32_t type;

		memcpy(&type, out.buf, sizeof(type));
		put_hdr(out.buf, &c.hdr, le32toh(type));
	}
	n = out.len < cap ? out.len : cap;
	memcpy(resp, out.buf, n);
	return n;
}
