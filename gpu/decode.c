/* Request bytes -> struct gpu_cmd, driven by the command table below (the
 * one list of the commands we know: size, name, decoder, handler). */
#include "gpu/decode.h"

#include <endian.h>
#include <string.h>

#include "gpu/handlers.h"
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

static enum gpu_err dec_get_edid(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	c->u.get_edid.scanout_id = rd32(p + 24);
	return GPU_OK;
}

static enum gpu_err dec_create_2d(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	c->u.create_2d.resource_id = rd32(p + 24);
	c->u.create_2d.format = rd32(p + 28);
	c->u.create_2d.width = rd32(p + 32);
	c->u.create_2d.height = rd32(p + 36);
	return GPU_OK;
}

/* UNREF, DETACH_BACKING, CTX_ATTACH/DETACH_RESOURCE: a resource id. */
static enum gpu_err dec_res(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	c->u.res.resource_id = rd32(p + 24);
	return GPU_OK;
}

static enum gpu_err dec_set_scanout(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	decode_rect(p + 24, &c->u.set_scanout.r);
	c->u.set_scanout.scanout_id = rd32(p + 40);
	c->u.set_scanout.resource_id = rd32(p + 44);
	return gpu_rect_valid(&c->u.set_scanout.r) ? GPU_OK : GPU_E_BAD_RECT;
}

static enum gpu_err dec_flush(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	decode_rect(p + 24, &c->u.flush.r);
	c->u.flush.resource_id = rd32(p + 40);
	return gpu_rect_valid(&c->u.flush.r) ? GPU_OK : GPU_E_BAD_RECT;
}

static enum gpu_err dec_transfer_2d(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	decode_rect(p + 24, &c->u.transfer.r);
	c->u.transfer.offset = rd64(p + 40);
	c->u.transfer.resource_id = rd32(p + 48);
	return gpu_rect_valid(&c->u.transfer.r) ? GPU_OK : GPU_E_BAD_RECT;
}

/* nr_entries entries follow a fixed part of head bytes. */
static enum gpu_err entries_fit(const struct gpu_entries *e, size_t head, size_t len)
{
	uint64_t need;

	if (e->nr_entries > GPU_MAX_BACKING_ENTRIES)
		return GPU_E_BAD_ENTRIES;
	/* nr_entries <= 2^16, so this cannot overflow 64 bits. */
	need = head + (uint64_t)e->nr_entries * sizeof(struct virtio_gpu_mem_entry);
	return len < need ? GPU_E_BAD_ENTRIES : GPU_OK;
}

static enum gpu_err dec_attach(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	const size_t head = sizeof(struct virtio_gpu_resource_attach_backing);

	c->u.attach.resource_id = rd32(p + 24);
	c->u.attach.nr_entries = rd32(p + 28);
	c->u.attach.entries = p + head;
	if (c->u.attach.nr_entries == 0)
		return GPU_E_BAD_ENTRIES;
	return entries_fit(&c->u.attach, head, len);
}

/* A GUEST blob needs entries; a HOST3D one has none (the handler checks
 * which, knowing blob_mem). */
static enum gpu_err dec_create_blob(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	const size_t head = sizeof(struct virtio_gpu_resource_create_blob);

	c->u.create_blob.ents.resource_id = rd32(p + 24);
	c->u.create_blob.blob_mem = rd32(p + 28);
	c->u.create_blob.blob_flags = rd32(p + 32);
	c->u.create_blob.ents.nr_entries = rd32(p + 36);
	c->u.create_blob.blob_id = rd64(p + 40);
	c->u.create_blob.size = rd64(p + 48);
	c->u.create_blob.ents.entries = p + head;
	return entries_fit(&c->u.create_blob.ents, head, len);
}

static enum gpu_err dec_set_scanout_blob(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	decode_rect(p + 24, &c->u.scanout_blob.r);
	c->u.scanout_blob.scanout_id = rd32(p + 40);
	c->u.scanout_blob.resource_id = rd32(p + 44);
	c->u.scanout_blob.width = rd32(p + 48);
	c->u.scanout_blob.height = rd32(p + 52);
	c->u.scanout_blob.format = rd32(p + 56);
	for (int i = 0; i < 4; i++) {
		c->u.scanout_blob.strides[i] = rd32(p + 64 + 4 * i);
		c->u.scanout_blob.offsets[i] = rd32(p + 80 + 4 * i);
	}
	return gpu_rect_valid(&c->u.scanout_blob.r) ? GPU_OK : GPU_E_BAD_RECT;
}

static enum gpu_err dec_capset_info(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	c->u.capset_info.index = rd32(p + 24);
	return GPU_OK;
}

static enum gpu_err dec_capset(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	c->u.capset.id = rd32(p + 24);
	c->u.capset.version = rd32(p + 28);
	return GPU_OK;
}

static enum gpu_err dec_cursor(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	c->u.cursor.scanout_id = rd32(p + 24);
	c->u.cursor.x = rd32(p + 28);
	c->u.cursor.y = rd32(p + 32);
	c->u.cursor.resource_id = rd32(p + 40);
	c->u.cursor.hot_x = rd32(p + 44);
	c->u.cursor.hot_y = rd32(p + 48);
	return GPU_OK;
}

static enum gpu_err dec_ctx_create(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	c->u.ctx_create.nlen = rd32(p + 24);
	c->u.ctx_create.context_init = rd32(p + 28);
	c->u.ctx_create.debug_name = (const char *)p + 32;
	/* The name lives in a 64-byte array: a longer nlen would read past it. */
	return c->u.ctx_create.nlen <= 64 ? GPU_OK : GPU_E_BAD_SIZE;
}

static enum gpu_err dec_create_3d(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	c->u.create_3d.resource_id = rd32(p + 24);
	c->u.create_3d.target = rd32(p + 28);
	c->u.create_3d.format = rd32(p + 32);
	c->u.create_3d.bind = rd32(p + 36);
	c->u.create_3d.width = rd32(p + 40);
	c->u.create_3d.height = rd32(p + 44);
	c->u.create_3d.depth = rd32(p + 48);
	c->u.create_3d.array_size = rd32(p + 52);
	c->u.create_3d.last_level = rd32(p + 56);
	c->u.create_3d.nr_samples = rd32(p + 60);
	c->u.create_3d.flags = rd32(p + 64);
	return GPU_OK;
}

static enum gpu_err dec_transfer_3d(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	struct gpu_box *b = &c->u.transfer_3d.box;
	uint32_t end;

	b->x = rd32(p + 24);
	b->y = rd32(p + 28);
	b->z = rd32(p + 32);
	b->w = rd32(p + 36);
	b->h = rd32(p + 40);
	b->d = rd32(p + 44);
	c->u.transfer_3d.offset = rd64(p + 48);
	c->u.transfer_3d.resource_id = rd32(p + 56);
	c->u.transfer_3d.level = rd32(p + 60);
	c->u.transfer_3d.stride = rd32(p + 64);
	c->u.transfer_3d.layer_stride = rd32(p + 68);
	if (__builtin_add_overflow(b->x, b->w, &end) || __builtin_add_overflow(b->y, b->h, &end) ||
	    __builtin_add_overflow(b->z, b->d, &end))
		return GPU_E_BAD_RECT;
	return GPU_OK;
}

static enum gpu_err dec_submit(const uint8_t *p, size_t len, struct gpu_cmd *c)
{
	c->u.submit.size = rd32(p + 24);
	c->u.submit.cmds = p + sizeof(struct virtio_gpu_cmd_submit);
	/* len is capped at GPU_MAX_REQUEST_BYTES by the worker's copy. */
	if (c->u.submit.size > len - sizeof(struct virtio_gpu_cmd_submit))
		return GPU_E_BAD_SIZE;
	return GPU_OK;
}

#define CMD(t, dec, h, st)                                                                         \
	{                                                                                          \
		VIRTIO_GPU_CMD_##t, #t, sizeof(struct st), dec, h                                  \
	}

static const struct gpu_cmd_info commands[] = {
    {VIRTIO_GPU_CMD_GET_DISPLAY_INFO, "GET_DISPLAY_INFO", HDR_LEN, NULL, gpu_h_display_info},
    CMD(RESOURCE_CREATE_2D, dec_create_2d, gpu_h_create_2d, virtio_gpu_resource_create_2d),
    CMD(RESOURCE_UNREF, dec_res, gpu_h_unref, virtio_gpu_resource_unref),
    CMD(SET_SCANOUT, dec_set_scanout, gpu_h_set_scanout, virtio_gpu_set_scanout),
    CMD(RESOURCE_FLUSH, dec_flush, gpu_h_flush, virtio_gpu_resource_flush),
    CMD(TRANSFER_TO_HOST_2D, dec_transfer_2d, gpu_h_transfer_2d, virtio_gpu_transfer_to_host_2d),
    CMD(RESOURCE_ATTACH_BACKING, dec_attach, gpu_h_attach_backing,
	virtio_gpu_resource_attach_backing),
    CMD(RESOURCE_DETACH_BACKING, dec_res, gpu_h_detach_backing, virtio_gpu_resource_unref),
    CMD(GET_CAPSET_INFO, dec_capset_info, gpu_h_capset_info, virtio_gpu_get_capset_info),
    CMD(GET_CAPSET, dec_capset, gpu_h_capset, virtio_gpu_get_capset),
    CMD(GET_EDID, dec_get_edid, gpu_h_get_edid, virtio_gpu_get_edid),
    CMD(RESOURCE_ASSIGN_UUID, dec_res, gpu_h_assign_uuid, virtio_gpu_resource_unref),
    CMD(RESOURCE_CREATE_BLOB, dec_create_blob, gpu_h_create_blob, virtio_gpu_resource_create_blob),
    CMD(SET_SCANOUT_BLOB, dec_set_scanout_blob, gpu_h_set_scanout_blob,
	virtio_gpu_set_scanout_blob),
    CMD(CTX_CREATE, dec_ctx_create, gpu_h_ctx_create, virtio_gpu_ctx_create),
    {VIRTIO_GPU_CMD_CTX_DESTROY, "CTX_DESTROY", HDR_LEN, NULL, gpu_h_ctx_destroy},
    CMD(CTX_ATTACH_RESOURCE, dec_res, gpu_h_ctx_attach, virtio_gpu_ctx_resource),
    CMD(CTX_DETACH_RESOURCE, dec_res, gpu_h_ctx_detach, virtio_gpu_ctx_resource),
    CMD(RESOURCE_CREATE_3D, dec_create_3d, gpu_h_create_3d, virtio_gpu_resource_create_3d),
    CMD(TRANSFER_TO_HOST_3D, dec_transfer_3d, gpu_h_transfer_3d, virtio_gpu_transfer_host_3d),
    CMD(TRANSFER_FROM_HOST_3D, dec_transfer_3d, gpu_h_transfer_3d, virtio_gpu_transfer_host_3d),
    CMD(SUBMIT_3D, dec_submit, gpu_h_submit_3d, virtio_gpu_cmd_submit),
    CMD(UPDATE_CURSOR, dec_cursor, gpu_h_update_cursor, virtio_gpu_update_cursor),
    CMD(MOVE_CURSOR, dec_cursor, gpu_h_move_cursor, virtio_gpu_update_cursor),
};

const struct gpu_cmd_info *gpu_cmd_info(uint32_t type)
{
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (commands[i].type == type)
			return &commands[i];
	return NULL;
}

enum gpu_err gpu_decode(const void *buf, size_t len, struct gpu_cmd *c)
{
	const uint8_t *p = buf;
	const struct gpu_cmd_info *info;

	memset(c, 0, sizeof(*c));
	if (len < HDR_LEN)
		return GPU_E_SHORT;
	c->hdr.type = rd32(p);
	c->hdr.flags = rd32(p + 4);
	c->hdr.fence_id = rd64(p + 8);
	c->hdr.ctx_id = rd32(p + 16);
	c->hdr.ring_idx = p[20];

	info = gpu_cmd_info(c->hdr.type);
	if (!info)
		return GPU_E_UNKNOWN_CMD;
	if (len < info->size)
		return GPU_E_SHORT;
	return info->decode ? info->decode(p, len, c) : GPU_OK;
}

struct gpu_mem_entry gpu_entries_at(const struct gpu_entries *l, uint32_t i)
{
	const uint8_t *e = l->entries + (size_t)i * sizeof(struct virtio_gpu_mem_entry);
	struct gpu_mem_entry m = {.addr = rd64(e), .len = rd32(e + 8)};

	return m;
}

struct gpu_mem_entry gpu_cmd_attach_entry(const struct gpu_cmd *c, uint32_t i)
{
	return gpu_entries_at(&c->u.attach, i);
}
