/* virgl formats (VIRGL_FORMAT_* of virglrenderer's virgl_hw.h, the numbers
 * Mesa's virgl driver sends) as far as the device needs them: is the number
 * a format at all, and how many bytes a block of texels takes. Used to
 * reject unknown formats and to estimate a resource's host memory before
 * virglrenderer allocates it. */
#ifndef LKVM_GPU_VIRGL_FORMAT_H
#define LKVM_GPU_VIRGL_FORMAT_H

#include <stdbool.h>
#include <stdint.h>

struct gpu_virgl_fmt {
	uint8_t bytes;	/* per block */
	uint8_t bw, bh; /* block size in texels (1x1 unless compressed/subsampled) */
};

/* false for 0 and for numbers that name no format. */
bool gpu_virgl_format(uint32_t format, struct gpu_virgl_fmt *out);

/* A few formats by name, for tests and callers. */
#define GPU_VIRGL_FMT_B8G8R8A8_UNORM 1
#define GPU_VIRGL_FMT_B8G8R8X8_UNORM 2
#define GPU_VIRGL_FMT_R8_UNORM	     64
#define GPU_VIRGL_FMT_R8G8B8A8_UNORM 67
#define GPU_VIRGL_FMT_DXT1_RGB	     105

#endif
