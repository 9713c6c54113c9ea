/* A B8G8R8X8 framebuffer resource on deliberately scattered backing: pieces
 * of `chunk` bytes with a page between them, so a device that assumed
 * contiguous backing would show it. */
#ifndef PROBE_LIB_GPU_FB_H
#define PROBE_LIB_GPU_FB_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/virtio_gpu.h"

#define GPU_FB_MAX_CHUNKS 256

struct gpu_fb {
	uint32_t id, width, height;
	uint64_t stride, bytes;
	uint32_t chunk;
	unsigned nr;
	uint8_t *piece[GPU_FB_MAX_CHUNKS];
	struct vgpu_mem_entry entry[GPU_FB_MAX_CHUNKS];
};

/* Allocate the backing of a w x h, 4-byte-per-pixel resource: false if out
 * of memory or pieces. */
bool gpu_fb_alloc(struct gpu_fb *fb, uint32_t id, uint32_t w, uint32_t h, uint32_t chunk);

/* gpu_fb_alloc, then create the B8G8R8X8 2D resource and attach the
 * backing: returns the first failing response type (ERR_OUT_OF_MEMORY if
 * the allocation failed), or VGPU_RESP_OK_NODATA. */
uint32_t gpu_fb_create(struct vgpu *g, struct gpu_fb *fb, uint32_t id, uint32_t w, uint32_t h,
		       uint32_t chunk);

static inline uint32_t *gpu_fb_px(struct gpu_fb *fb, uint32_t x, uint32_t y)
{
	uint64_t off = y * fb->stride + (uint64_t)x * 4;
	return (uint32_t *)(fb->piece[off / fb->chunk] + off % fb->chunk);
}

/* Every pixel = value, piece by piece (rep stos). */
void gpu_fb_fill(struct gpu_fb *fb, uint32_t value);

#endif
