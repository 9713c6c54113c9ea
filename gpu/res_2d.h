/* The 2D backend's part of a resource (gpu_resource.priv): a host copy of
 * the pixels as a pixman image, and the transfers not yet applied to it. */
#ifndef LKVM_GPU_RES_2D_H
#define LKVM_GPU_RES_2D_H

#include <pixman.h>
#include <stdint.h>

#include "gpu/resources.h"

struct gpu_2d_res {
	pixman_format_code_t pformat;
	uint32_t stride; /* host bytes per row (width * bpp) */
	uint8_t *pixels; /* host copy, what scanouts show */
	pixman_image_t *image;
	pixman_region32_t pending; /* transferred, not yet copied (gpu/transfer.h) */
};

static inline struct gpu_2d_res *gpu_2d_res(const struct gpu_resource *r)
{
	return r->priv;
}

#endif
