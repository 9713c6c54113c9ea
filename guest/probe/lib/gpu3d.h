/* Helpers shared by the 3D tests and benchmarks: a render-target resource
 * on scattered backing attached to a context, bound as framebuffer 0,
 * read back with TRANSFER_FROM_HOST_3D and checked pixel by pixel against
 * colours computed from the resource's format. */
#ifndef PROBE_LIB_GPU3D_H
#define PROBE_LIB_GPU3D_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/gpu_fb.h"
#include "lib/virgl_enc.h"
#include "lib/virtio_gpu.h"

/* vgpu_open_3d, then the 3D feature: 0 ready; 1 nothing to test here (no
 * virtio-gpu, or no VIRTIO_GPU_F_VIRGL; the reason in err); -1 failed
 * (the reason in err). */
int gpu3d_open(struct vgpu *g, char *err, size_t errlen);

struct gpu3d_rt {
	struct gpu_fb fb; /* backing pieces; fb.id is the resource id */
	uint32_t ctx, format;
};

/* The 4 bytes a unorm8 pixel of `format` holds for rgba (each 0..1,
 * rounded to nearest), as a little-endian dword; *mask has 0 in bytes the
 * format leaves undefined (X channels). 0 with *mask 0 for a format this
 * table does not know. */
uint32_t gpu3d_pixel(uint32_t format, const float rgba[4], uint32_t *mask);

/* Allocate w x h x 4 bytes in `chunk`-byte pieces, RESOURCE_CREATE_3D (2D
 * texture, render target + sampler view + scanout), ATTACH_BACKING,
 * CTX_ATTACH_RESOURCE. The first failing response type, or OK_NODATA. */
uint32_t gpu3d_rt_create(struct vgpu *g, struct gpu3d_rt *rt, uint32_t ctx, uint32_t id,
			 uint32_t format, uint32_t w, uint32_t h, uint32_t chunk);

/* Encode: a surface object `surface` over the target, framebuffer state
 * with it as colour buffer 0, a viewport covering it. */
void gpu3d_bind_rt(struct virgl_enc *e, const struct gpu3d_rt *rt, uint32_t surface);

/* TRANSFER_FROM_HOST_3D of box into the backing at the box's own place
 * (offset = y * stride + x * 4, stride = the row pitch), fenced if fence_id.
 * The response type; with a fence, OK_NODATA only if the response echoed
 * flag and id (else VGPU_RESP_ERR_UNSPEC). */
uint32_t gpu3d_readback(struct vgpu *g, const struct gpu3d_rt *rt, struct vgpu_box box,
			uint64_t fence_id);

/* Did the last response (g->resp) carry FLAG_FENCE and this fence id? */
bool gpu3d_fence_echoed(const struct vgpu *g, uint64_t fence_id);

/* Compare the backing inside box with want(x, y) under mask. True if all
 * match; else the first mismatch in *bad (x, y, got, want). */
struct gpu3d_mismatch {
	uint32_t x, y, got, want;
};
bool gpu3d_check(const struct gpu3d_rt *rt, struct vgpu_box box,
		 uint32_t (*want)(uint32_t x, uint32_t y), uint32_t mask,
		 struct gpu3d_mismatch *bad);

/* Fill the whole backing with a sentinel value. */
static inline void gpu3d_poison(struct gpu3d_rt *rt, uint32_t value)
{
	gpu_fb_fill(&rt->fb, value);
}

static inline struct vgpu_box gpu3d_full(const struct gpu3d_rt *rt)
{
	return (struct vgpu_box){0, 0, 0, rt->fb.width, rt->fb.height, 1};
}

#endif
