/* Request bytes -> one validated, host-order command. Pure: no I/O, no
 * globals, no knowledge of resources; the fuzz harness drives it directly.
 * Checks here are the ones that need nothing but the bytes: lengths,
 * command types, entry counts, rectangles that wrap 32 bits. */
#ifndef LKVM_GPU_DECODE_H
#define LKVM_GPU_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "gpu/error.h"

/* Host resources are capped well below this; the cap on entries keeps an
 * attach request (and its copy) around 1 MiB. A SUBMIT_3D stream is capped
 * to the same size (QEMU and crosvm allow a few MiB; Mesa's virgl winsys
 * flushes at 256 KiB). */
#define GPU_MAX_BACKING_ENTRIES 65536u
#define GPU_MAX_REQUEST_BYTES	(32u + 16u * GPU_MAX_BACKING_ENTRIES)
#define GPU_MAX_SUBMIT_BYTES	(GPU_MAX_REQUEST_BYTES - 32u)

struct gpu_rect {
	uint32_t x, y, w, h;
};

struct gpu_mem_entry {
	uint64_t addr;
	uint32_t len;
};

struct gpu_box {
	uint32_t x, y, z, w, h, d;
};

/* A list of guest memory entries inside a request (ATTACH_BACKING and
 * RESOURCE_CREATE_BLOB): nr_entries checked to fit in the request. */
struct gpu_entries {
	uint32_t resource_id, nr_entries;
	const uint8_t *entries; /* wire bytes inside the request */
};

struct gpu_hdr {
	uint32_t type;
	uint32_t flags;
	uint64_t fence_id;
	uint32_t ctx_id;
	uint8_t ring_idx;
};

struct gpu_cmd {
	struct gpu_hdr hdr;
	union {
		struct {
			uint32_t scanout_id;
		} get_edid;
		struct {
			uint32_t resource_id, format, width, height;
		} create_2d;
		struct {
			uint32_t resource_id; /* UNREF and DETACH_BACKING */
		} res;
		struct {
			struct gpu_rect r;
			uint32_t scanout_id, resource_id;
		} set_scanout;
		struct {
			struct gpu_rect r;
			uint32_t resource_id;
		} flush;
		struct {
			struct gpu_rect r;
			uint64_t offset;
			uint32_t resource_id;
		} transfer;
		struct gpu_entries attach;
		struct {
			struct gpu_entries ents; /* nr_entries may be 0 here */
			uint32_t blob_mem, blob_flags;
			uint64_t blob_id, size;
		} create_blob;
		struct {
			struct gpu_rect r;
			uint32_t scanout_id, resource_id;
			uint32_t width, height, format;
			uint32_t strides[4], offsets[4];
		} scanout_blob;
		struct {
			uint32_t index;
		} capset_info;
		struct {
			uint32_t id, version;
		} capset;
		struct {
			uint32_t scanout_id, x, y;
			uint32_t resource_id, hot_x, hot_y;
		} cursor; /* UPDATE_CURSOR and MOVE_CURSOR */
		struct {
			uint32_t nlen, context_init;
			const char *debug_name; /* nlen bytes (<= 64) inside the request */
		} ctx_create;
		struct {
			uint32_t resource_id, target, format, bind;
			uint32_t width, height, depth, array_size;
			uint32_t last_level, nr_samples, flags;
		} create_3d;
		struct {
			struct gpu_box box;
			uint64_t offset;
			uint32_t resource_id, level, stride, layer_stride;
		} transfer_3d; /* TO_HOST_3D and FROM_HOST_3D */
		struct {
			uint32_t size;
			const uint8_t *cmds; /* size bytes inside the request */
		} submit;
	} u;
};

/* One row per command type: the single table the decoder, the dispatcher
 * and the log share. size is the request's fixed part (virtio 1.2, 5.7.6);
 * decode fills the type's part of struct gpu_cmd from a request of at least
 * size bytes (NULL: header only). handle is where the frontend dispatches
 * the command (gpu/ctrl.c). */
struct gpu;
struct gpu_reply;
typedef enum gpu_err (*gpu_cmd_handler)(struct gpu *g, const struct gpu_cmd *c,
					struct gpu_reply *reply);

struct gpu_cmd_info {
	uint32_t type;
	const char *name;
	uint32_t size;
	enum gpu_err (*decode)(const uint8_t *p, size_t len, struct gpu_cmd *c);
	gpu_cmd_handler handle;
};

/* The row for type, or NULL for a type we do not know. */
const struct gpu_cmd_info *gpu_cmd_info(uint32_t type);

/* Decode len bytes at buf. The header is filled whenever len covers it, even
 * on error, so the caller can echo the fence. */
enum gpu_err gpu_decode(const void *buf, size_t len, struct gpu_cmd *cmd);

/* Entry i (< nr_entries) of a decoded ATTACH_BACKING. */
struct gpu_mem_entry gpu_cmd_attach_entry(const struct gpu_cmd *cmd, uint32_t i);
/* Entry i (< nr_entries) of a decoded entry list. */
struct gpu_mem_entry gpu_entries_at(const struct gpu_entries *e, uint32_t i);

/* true when x+w and y+h do not wrap 32 bits. */
static inline int gpu_rect_valid(const struct gpu_rect *r)
{
	uint32_t e;

	return !__builtin_add_overflow(r->x, r->w, &e) && !__builtin_add_overflow(r->y, r->h, &e);
}

/* true when r lies inside a width x height area. */
static inline int gpu_rect_inside(const struct gpu_rect *r, uint32_t width, uint32_t height)
{
	return (uint64_t)r->x + r->w <= width && (uint64_t)r->y + r->h <= height;
}

#endif
