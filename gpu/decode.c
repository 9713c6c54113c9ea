#include "gpu/decode.h"

#include <endian.h>
#include <string.h>

#include "gpu/protocol.h"

/* The one place wire bytes become host values. */
static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return le32toh(v);
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return le64toh(v);
}

#define HDR_LEN sizeof(struct virtio_gpu_ctrl_hdr)

static void decode_rect(const uint8_t *p, struct gpu_rect *r)
{
	r->x = rd32(p);
	r->y = rd32(p + 4);
	r->w = rd32(p + 8);
	r->h = rd32(p + 12);
}

/* Size of the fixed part of each command we know, 0 for unknown types. */
static size_t cmd_size(uint32_t type)
{
	switch (type) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
		return HDR_LEN;
	case VIRTIO_GPU_CMD_GET_EDID:
		return sizeof(struct virtio_gpu_get_edid);
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D:
		return sizeof(struct virtio_gpu_resource_create_2d);
	case VIRTIO_GPU_CMD_RESOURCE_UNREF:
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
		return sizeof(struct virtio_gpu_resource_unref);
	case VIRTIO_GPU_CMD_SET_SCANOUT:
		return sizeof(struct virtio_gpu_set_scanout);
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH:
		return sizeof(struct virtio_gpu_resource_flush);
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
		return sizeof(struct virtio_gpu_transfer_to_host_2d);
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		return sizeof(struct virtio_gpu_resource_attach_backing);
	case VIRTIO_GPU_CMD_GET_CAPSET_INFO:
		return sizeof(struct virtio_gpu_get_capset_info);
	case VIRTIO_GPU_CMD_GET_CAPSET:
		return sizeof(struct virtio_gpu_get_capset);
	case VIRTIO_GPU_CMD_UPDATE_CURSOR:
	case VIRTIO_GPU_CMD_MOVE_CURSOR:
		return sizeof(struct virtio_gpu_update_cursor);
	default:
		return 0;
	}
}

static enum gpu_err decode_attach(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	uint64_t need;

	c->u.attach.resource_id = rd32(p + 24);
	c->u.attach.nr_entries = rd32(p + 28);
	c->u.attach.entries = p + sizeof(struct virtio_gpu_resource_attach_backing);
	if (c->u.attach.nr_entries == 0 || c->u.attach.nr_entries > GPU_MAX_BACKING_ENTRIES)
		return GPU_E_BAD_ENTRIES;
	/* nr_entries <= 2^16, so this cannot overflow 64 bits. */
	need = sizeof(struct virtio_gpu_resource_attach_backing) +
	       (uint64_t)c->u.attach.nr_entries * sizeof(struct virtio_gpu_mem_entry);
	if (len < need)
		return GPU_E_BAD_ENTRIES;
	return GPU_OK;
}

enum gpu_err gpu_decode(const void *buf, size_t len, struct gpu_cmd *c)
{
	const uint8_t *p = buf;
	size_t need;

	memset(c, 0, sizeof(*c));
	if (len < HDR_LEN)
		return GPU_E_SHORT;
	c->hdr.type = rd32(p);
	c->hdr.flags = rd32(p + 4);
	c->hdr.fence_id = rd64(p + 8);
	c->hdr.ctx_id = rd32(p + 16);
	c->hdr.ring_idx = p[20];

	need = cmd_size(c->hdr.type);
	if (need == 0)
		return GPU_E_UNKNOWN_CMD;
	if (len < need)
		return GPU_E_SHORT;

	switch (c->hdr.type) {
	case VIRTIO_GPU_CMD_GET_DISPLAY_INFO:
		return GPU_OK;
	case VIRTIO_GPU_CMD_GET_EDID:
		c->u.get_edid.scanout_id = rd32(p + 24);
		return GPU_OK;
	case VIRTIO_GPU_CMD_RESOURCE_CREATE_2D:
		c->u.create_2d.resource_id = rd32(p + 24);
		c->u.create_2d.format = rd32(p + 28);
		c->u.create_2d.width = rd32(p + 32);
		c->u.create_2d.height = rd32(p + 36);
		return GPU_OK;
	case VIRTIO_GPU_CMD_RESOURCE_UNREF:
	case VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING:
		c->u.res.resource_id = rd32(p + 24);
		return GPU_OK;
	case VIRTIO_GPU_CMD_SET_SCANOUT:
		decode_rect(p + 24, &c->u.set_scanout.r);
		c->u.set_scanout.scanout_id = rd32(p + 40);
		c->u.set_scanout.resource_id = rd32(p + 44);
		return gpu_rect_valid(&c->u.set_scanout.r) ? GPU_OK : GPU_E_BAD_RECT;
	case VIRTIO_GPU_CMD_RESOURCE_FLUSH:
		decode_rect(p + 24, &c->u.flush.r);
		c->u.flush.resource_id = rd32(p + 40);
		return gpu_rect_valid(&c->u.flush.r) ? GPU_OK : GPU_E_BAD_RECT;
	case VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D:
		decode_rect(p + 24, &c->u.transfer.r);
		c->u.transfer.offset = rd64(p + 40);
		c->u.transfer.resource_id = rd32(p + 48);
		return gpu_rect_valid(&c->u.transfer.r) ? GPU_OK : GPU_E_BAD_RECT;
	case VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING:
		return decode_attach(p, len, c);
	case VIRTIO_GPU_CMD_GET_CAPSET_INFO:
		c->u.capset_info.index = rd32(p + 24);
		return GPU_OK;
	case VIRTIO_GPU_CMD_GET_CAPSET:
		c->u.capset.id = rd32(p + 24);
		c->u.capset.version = rd32(p + 28);
		return GPU_OK;
	case VIRTIO_GPU_CMD_UPDATE_CURSOR:
	case VIRTIO_GPU_CMD_MOVE_CURSOR:
		c->u.cursor.scanout_id = rd32(p + 24);
		c->u.cursor.x = rd32(p + 28);
		c->u.cursor.y = rd32(p + 32);
		c->u.cursor.resource_id = rd32(p + 40);
		c->u.cursor.hot_x = rd32(p + 44);
		c->u.cursor.hot_y = rd32(p + 48);
		return GPU_OK;
	}
	return GPU_E_UNKNOWN_CMD;
}

struct gpu_mem_entry gpu_cmd_attach_entry(const struct gpu_cmd *c, uint32_t i)
{
	const uint8_t *e = c->u.attach.entries + (size_t)i * sizeof(struct virtio_gpu_mem_entry);
	struct gpu_mem_entry m = {.addr = rd64(e), .len = rd32(e + 8)};

	return m;
}
