/* RESOURCE_ASSIGN_UUID (VIRTIO_GPU_F_RESOURCE_UUID): a random version-4
 * UUID per resource, made on the first request and the same on every later
 * one, so another virtio device can name the resource (Linux asks when it
 * exports a dma-buf). The frontend answers it for any backend. */
#include <endian.h>
#include <string.h>
#include <sys/random.h>

#include "gpu/gpu_priv.h"
#include "gpu/handlers.h"

enum gpu_err gpu_h_assign_uuid(struct gpu *g, const struct gpu_cmd *c, struct gpu_reply *reply)
{
	struct virtio_gpu_resp_resource_uuid resp;
	struct gpu_resource *r;

	if (!(g->features & (1ull << VIRTIO_GPU_F_RESOURCE_UUID)))
		return GPU_E_UNSUPPORTED;
	r = gpu_res_find(&g->res, c->u.res.resource_id);
	if (!r)
		return GPU_E_RES_UNKNOWN;
	if (!r->has_uuid) {
		if (getrandom(r->uuid, sizeof(r->uuid), 0) != (ssize_t)sizeof(r->uuid))
			return GPU_E_NO_MEM;
		/* RFC 9562: version 4 (random), variant 10. */
		r->uuid[6] = (uint8_t)((r->uuid[6] & 0x0f) | 0x40);
		r->uuid[8] = (uint8_t)((r->uuid[8] & 0x3f) | 0x80);
		r->has_uuid = true;
	}
	memset(&resp, 0, sizeof(resp));
	resp.hdr.type = htole32(VIRTIO_GPU_RESP_OK_RESOURCE_UUID);
	memcpy(resp.uuid, r->uuid, sizeof(resp.uuid));
	memcpy(reply->buf, &resp, sizeof(resp));
	reply->len = sizeof(resp);
	return GPU_OK;
}
