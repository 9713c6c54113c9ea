/* What the virgl layer knows of each 3D resource, kept by us so that every
 * field, box and level is checked before virglrenderer sees it: the create
 * rules per target, a host-memory estimate, box/level checks and the span a
 * transfer touches in the backing. Pure (no GL), so it is cheap to test and
 * to fuzz. The table maps ids to records: a chained hash that doubles. */
#ifndef LKVM_GPU_VIRGL_RES_H
#define LKVM_GPU_VIRGL_RES_H

#include <stdint.h>
#include <sys/uio.h>

#include "gpu/error.h"
#include "gpu/virgl_format.h"

/* Gallium's pipe_texture_target numbering, which the virgl protocol uses. */
enum {
	GPU_VIRGL_BUFFER = 0,
	GPU_VIRGL_TEX_1D,
	GPU_VIRGL_TEX_2D,
	GPU_VIRGL_TEX_3D,
	GPU_VIRGL_TEX_CUBE,
	GPU_VIRGL_TEX_RECT,
	GPU_VIRGL_TEX_1D_ARRAY,
	GPU_VIRGL_TEX_2D_ARRAY,
	GPU_VIRGL_TEX_CUBE_ARRAY,
	GPU_VIRGL_TARGET_COUNT,
};

#define GPU_VIRGL_MAX_DIM    16384u /* 1D/2D width and height (llvmpipe's GL limit) */
#define GPU_VIRGL_MAX_3D     2048u  /* 3D sizes, array layers */
#define GPU_VIRGL_MAX_SAMPLE 16u
#define GPU_VIRGL_RES_FLAGS  0x7u /* Y_0_TOP and the two map flags Mesa may set */

/* RESOURCE_CREATE_3D's fields, host order. */
struct gpu_virgl_res_desc {
	uint32_t target, format, bind;
	uint32_t width, height, depth;
	uint32_t array_size, last_level, nr_samples, flags;
};

struct gpu_virgl_box {
	uint32_t x, y, z, w, h, d;
};

/* A transfer's placement in the backing (TRANSFER_*_HOST_3D fields). */
struct gpu_virgl_xfer {
	uint32_t res_id, ctx_id, level;
	uint32_t stride, layer_stride; /* 0: tightly packed at the level's size */
	struct gpu_virgl_box box;
	uint64_t offset;
};

struct gpu_virgl_res {
	uint32_t id;
	struct gpu_virgl_res_desc d;
	struct gpu_virgl_fmt fmt;
	uint64_t charged;  /* bytes charged against the memory cap */
	struct iovec *iov; /* our copy of the backing list, NULL if none */
	unsigned niov;
	uint64_t backing_len;
	struct gpu_virgl_res *next;
};

/* GPU_E_BAD_FORMAT (unknown target or format, or a format that a target
 * cannot have), GPU_E_BAD_SIZE (a size, level or sample count outside the
 * target's rules) or GPU_OK with *bytes, the host memory estimate. */
enum gpu_err gpu_virgl_desc_check(const struct gpu_virgl_res_desc *d, uint64_t *bytes);
/* GPU_E_BAD_RECT when level or box leaves the resource (or the box is empty). */
enum gpu_err gpu_virgl_box_check(const struct gpu_virgl_res *r, uint32_t level,
				 const struct gpu_virgl_box *b);
/* Bytes from the backing's start to the end of what the transfer reads or
 * writes; GPU_E_BAD_OFFSET if a stride is shorter than a row or the sum
 * overflows. The box must have passed gpu_virgl_box_check. */
enum gpu_err gpu_virgl_xfer_span(const struct gpu_virgl_res *r, const struct gpu_virgl_xfer *t,
				 uint64_t *end);

struct gpu_virgl_res_table {
	struct gpu_virgl_res **buckets;
	uint32_t nbuckets; /* power of two */
	uint32_t count;
};

int gpu_virgl_res_table_init(struct gpu_virgl_res_table *t);
/* Frees the bucket array only; the caller empties the table first. */
void gpu_virgl_res_table_fini(struct gpu_virgl_res_table *t);
struct gpu_virgl_res *gpu_virgl_res_find(const struct gpu_virgl_res_table *t, uint32_t id);
/* -ENOMEM if the table could not grow; the id must not be present. */
int gpu_virgl_res_insert(struct gpu_virgl_res_table *t, struct gpu_virgl_res *r);
struct gpu_virgl_res *gpu_virgl_res_remove(struct gpu_virgl_res_table *t, uint32_t id);
/* Any record, to empty the table; NULL when empty. */
struct gpu_virgl_res *gpu_virgl_res_any(const struct gpu_virgl_res_table *t);

#endif
