/* virtio-gpu wire format (virtio 1.2, section 5.7), 2D and cursor subset.
 *
 * Every multi-byte field on the wire is little-endian. These structs are
 * only ever filled or read through memcpy plus le32toh/htole32 in
 * gpu/decode.c and gpu/reply.c; the rest of gpu/ works on host-order typed
 * commands. The static asserts pin each layout to the size the spec gives.
 */
#ifndef LKVM_GPU_PROTOCOL_H
#define LKVM_GPU_PROTOCOL_H

#include <stdint.h>

/* Feature bits. */
#define VIRTIO_GPU_F_VIRGL	   0
#define VIRTIO_GPU_F_EDID	   1
#define VIRTIO_GPU_F_RESOURCE_UUID 2
#define VIRTIO_GPU_F_RESOURCE_BLOB 3
#define VIRTIO_GPU_F_CONTEXT_INIT  4

/* Config space events. */
#define VIRTIO_GPU_EVENT_DISPLAY (1u << 0)

#define VIRTIO_GPU_MAX_SCANOUTS 16

/* Header flags. */
#define VIRTIO_GPU_FLAG_FENCE	      (1u << 0)
#define VIRTIO_GPU_FLAG_INFO_RING_IDX (1u << 1)

enum virtio_gpu_ctrl_type {
	/* 2D commands */
	VIRTIO_GPU_CMD_GET_DISPLAY_INFO = 0x0100,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_2D,
	VIRTIO_GPU_CMD_RESOURCE_UNREF,
	VIRTIO_GPU_CMD_SET_SCANOUT,
	VIRTIO_GPU_CMD_RESOURCE_FLUSH,
	VIRTIO_GPU_CMD_TRANSFER_TO_HOST_2D,
	VIRTIO_GPU_CMD_RESOURCE_ATTACH_BACKING,
	VIRTIO_GPU_CMD_RESOURCE_DETACH_BACKING,
	VIRTIO_GPU_CMD_GET_CAPSET_INFO,
	VIRTIO_GPU_CMD_GET_CAPSET,
	VIRTIO_GPU_CMD_GET_EDID,
	VIRTIO_GPU_CMD_RESOURCE_ASSIGN_UUID,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_BLOB,
	VIRTIO_GPU_CMD_SET_SCANOUT_BLOB,

	/* 3D commands */
	VIRTIO_GPU_CMD_CTX_CREATE = 0x0200,
	VIRTIO_GPU_CMD_CTX_DESTROY,
	VIRTIO_GPU_CMD_CTX_ATTACH_RESOURCE,
	VIRTIO_GPU_CMD_CTX_DETACH_RESOURCE,
	VIRTIO_GPU_CMD_RESOURCE_CREATE_3D,
	VIRTIO_GPU_CMD_TRANSFER_TO_HOST_3D,
	VIRTIO_GPU_CMD_TRANSFER_FROM_HOST_3D,
	VIRTIO_GPU_CMD_SUBMIT_3D,
	VIRTIO_GPU_CMD_RESOURCE_MAP_BLOB,
	VIRTIO_GPU_CMD_RESOURCE_UNMAP_BLOB,

	/* cursor commands */
	VIRTIO_GPU_CMD_UPDATE_CURSOR = 0x0300,
	VIRTIO_GPU_CMD_MOVE_CURSOR,

	/* success responses */
	VIRTIO_GPU_RESP_OK_NODATA = 0x1100,
	VIRTIO_GPU_RESP_OK_DISPLAY_INFO,
	VIRTIO_GPU_RESP_OK_CAPSET_INFO,
	VIRTIO_GPU_RESP_OK_CAPSET,
	VIRTIO_GPU_RESP_OK_EDID,
	VIRTIO_GPU_RESP_OK_RESOURCE_UUID,
	VIRTIO_GPU_RESP_OK_MAP_INFO,

	/* error responses */
	VIRTIO_GPU_RESP_ERR_UNSPEC = 0x1200,
	VIRTIO_GPU_RESP_ERR_OUT_OF_MEMORY,
	VIRTIO_GPU_RESP_ERR_INVALID_SCANOUT_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_RESOURCE_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_CONTEXT_ID,
	VIRTIO_GPU_RESP_ERR_INVALID_PARAMETER,
};

/* 2D formats; the names give the byte order in memory. */
enum virtio_gpu_formats {
	VIRTIO_GPU_FORMAT_B8G8R8A8_UNORM = 1,
	VIRTIO_GPU_FORMAT_B8G8R8X8_UNORM = 2,
	VIRTIO_GPU_FORMAT_A8R8G8B8_UNORM = 3,
	VIRTIO_GPU_FORMAT_X8R8G8B8_UNORM = 4,
	VIRTIO_GPU_FORMAT_R8G8B8A8_UNORM = 67,
	VIRTIO_GPU_FORMAT_X8B8G8R8_UNORM = 68,
	VIRTIO_GPU_FORMAT_A8B8G8R8_UNORM = 121,
	VIRTIO_GPU_FORMAT_R8G8B8X8_UNORM = 134,
};

struct virtio_gpu_ctrl_hdr {
	uint32_t type;
	uint32_t flags;
	uint64_t fence_id;
	uint32_t ctx_id;
	uint8_t ring_idx;
	uint8_t padding[3];
};
_Static_assert(sizeof(struct virtio_gpu_ctrl_hdr) == 24, "ctrl_hdr");

struct virtio_gpu_rect {
	uint32_t x, y, width, height;
};
_Static_assert(sizeof(struct virtio_gpu_rect) == 16, "rect");

struct virtio_gpu_display_one {
	struct virtio_gpu_rect r;
	uint32_t enabled;
	uint32_t flags;
};
_Static_assert(sizeof(struct virtio_gpu_display_one) == 24, "display_one");

struct virtio_gpu_resp_display_info {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_display_one pmodes[VIRTIO_GPU_MAX_SCANOUTS];
};
_Static_assert(sizeof(struct virtio_gpu_resp_display_info) == 408, "resp_display_info");

struct virtio_gpu_get_edid {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t scanout;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_get_edid) == 32, "get_edid");

struct virtio_gpu_resp_edid {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t size;
	uint32_t padding;
	uint8_t edid[1024];
};
_Static_assert(sizeof(struct virtio_gpu_resp_edid) == 1056, "resp_edid");

struct virtio_gpu_resource_create_2d {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t format;
	uint32_t width;
	uint32_t height;
};
_Static_assert(sizeof(struct virtio_gpu_resource_create_2d) == 40, "create_2d");

/* Also the layout of RESOURCE_DETACH_BACKING. */
struct virtio_gpu_resource_unref {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_resource_unref) == 32, "unref");

struct virtio_gpu_set_scanout {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint32_t scanout_id;
	uint32_t resource_id;
};
_Static_assert(sizeof(struct virtio_gpu_set_scanout) == 48, "set_scanout");

struct virtio_gpu_resource_flush {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint32_t resource_id;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_resource_flush) == 48, "flush");

struct virtio_gpu_transfer_to_host_2d {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint64_t offset;
	uint32_t resource_id;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_transfer_to_host_2d) == 56, "transfer_2d");

struct virtio_gpu_mem_entry {
	uint64_t addr;
	uint32_t length;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_mem_entry) == 16, "mem_entry");

/* Followed by nr_entries struct virtio_gpu_mem_entry. */
struct virtio_gpu_resource_attach_backing {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t nr_entries;
};
_Static_assert(sizeof(struct virtio_gpu_resource_attach_backing) == 32, "attach_backing");

struct virtio_gpu_get_capset_info {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t capset_index;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_get_capset_info) == 32, "get_capset_info");

struct virtio_gpu_get_capset {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t capset_id;
	uint32_t capset_version;
};
_Static_assert(sizeof(struct virtio_gpu_get_capset) == 32, "get_capset");

struct virtio_gpu_cursor_pos {
	uint32_t scanout_id;
	uint32_t x;
	uint32_t y;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_cursor_pos) == 16, "cursor_pos");

/* UPDATE_CURSOR and MOVE_CURSOR share this layout. */
struct virtio_gpu_update_cursor {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_cursor_pos pos;
	uint32_t resource_id;
	uint32_t hot_x;
	uint32_t hot_y;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_update_cursor) == 56, "update_cursor");

/* 3D commands (virtio 1.2, 5.7.6.8 and 5.7.6.9). */
struct virtio_gpu_ctx_create {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t nlen;
	uint32_t context_init; /* capset id with VIRTIO_GPU_F_CONTEXT_INIT */
	char debug_name[64];
};
_Static_assert(sizeof(struct virtio_gpu_ctx_create) == 96, "ctx_create");

/* CTX_ATTACH_RESOURCE and CTX_DETACH_RESOURCE. */
struct virtio_gpu_ctx_resource {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_ctx_resource) == 32, "ctx_resource");

struct virtio_gpu_resource_create_3d {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t target;
	uint32_t format;
	uint32_t bind;
	uint32_t width;
	uint32_t height;
	uint32_t depth;
	uint32_t array_size;
	uint32_t last_level;
	uint32_t nr_samples;
	uint32_t flags;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_resource_create_3d) == 72, "create_3d");

struct virtio_gpu_box {
	uint32_t x, y, z;
	uint32_t w, h, d;
};
_Static_assert(sizeof(struct virtio_gpu_box) == 24, "box");

/* TRANSFER_TO_HOST_3D and TRANSFER_FROM_HOST_3D. */
struct virtio_gpu_transfer_host_3d {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_box box;
	uint64_t offset;
	uint32_t resource_id;
	uint32_t level;
	uint32_t stride;
	uint32_t layer_stride;
};
_Static_assert(sizeof(struct virtio_gpu_transfer_host_3d) == 72, "transfer_3d");

/* Followed by size bytes of command stream. */
struct virtio_gpu_cmd_submit {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t size;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_cmd_submit) == 32, "submit_3d");

struct virtio_gpu_resp_capset_info {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t capset_id;
	uint32_t capset_max_version;
	uint32_t capset_max_size;
	uint32_t padding;
};
_Static_assert(sizeof(struct virtio_gpu_resp_capset_info) == 40, "resp_capset_info");

/* Blob resources (VIRTIO_GPU_F_RESOURCE_BLOB). */
#define VIRTIO_GPU_BLOB_MEM_GUEST	 1
#define VIRTIO_GPU_BLOB_MEM_HOST3D	 2
#define VIRTIO_GPU_BLOB_MEM_HOST3D_GUEST 3

#define VIRTIO_GPU_BLOB_FLAG_USE_MAPPABLE     (1u << 0)
#define VIRTIO_GPU_BLOB_FLAG_USE_SHAREABLE    (1u << 1)
#define VIRTIO_GPU_BLOB_FLAG_USE_CROSS_DEVICE (1u << 2)

/* Followed by nr_entries struct virtio_gpu_mem_entry. */
struct virtio_gpu_resource_create_blob {
	struct virtio_gpu_ctrl_hdr hdr;
	uint32_t resource_id;
	uint32_t blob_mem;
	uint32_t blob_flags;
	uint32_t nr_entries;
	uint64_t blob_id;
	uint64_t size;
};
_Static_assert(sizeof(struct virtio_gpu_resource_create_blob) == 56, "create_blob");

struct virtio_gpu_set_scanout_blob {
	struct virtio_gpu_ctrl_hdr hdr;
	struct virtio_gpu_rect r;
	uint32_t scanout_id;
	uint32_t resource_id;
	uint32_t width;
	uint32_t height;
	uint32_t format;
	uint32_t padding;
	uint32_t strides[4];
	uint32_t offsets[4];
};
_Static_assert(sizeof(struct virtio_gpu_set_scanout_blob) == 96, "set_scanout_blob");

/* RESOURCE_ASSIGN_UUID's reply (the request is struct
 * virtio_gpu_resource_unref's layout). */
struct virtio_gpu_resp_resource_uuid {
	struct virtio_gpu_ctrl_hdr hdr;
	uint8_t uuid[16];
};
_Static_assert(sizeof(struct virtio_gpu_resp_resource_uuid) == 40, "resp_resource_uuid");

struct virtio_gpu_config {
	uint32_t events_read;
	uint32_t events_clear;
	uint32_t num_scanouts;
	uint32_t num_capsets;
};
_Static_assert(sizeof(struct virtio_gpu_config) == 16, "config");

/* The cursor image the driver uploads is always this size. */
#define VIRTIO_GPU_CURSOR_DIM 64

#endif
